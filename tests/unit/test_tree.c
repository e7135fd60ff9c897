/* The mounted-tree backend: paths stay inside the tree, edits keep
 * attributes, and nothing is half-written. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <cmocka.h>
#include "../../lib/tree.h"
#include "../../lib/tree_priv.h"

static char top[256];

static void put(const char *rel, const char *text, mode_t mode)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", top, rel);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(p, mode);
}

static int setup(void **s)
{
	(void)s;
	snprintf(top, sizeof(top), "/tmp/rc-tree-XXXXXX");
	if (!mkdtemp(top))
		return -1;
	char p[512];
	snprintf(p, sizeof(p), "%s/root", top);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/root/etc", top);
	mkdir(p, 0755);
	put("outside", "outside secret\n", 0600);
	put("root/etc/shadow", "root:x:1:::::\n", 0640);
	snprintf(p, sizeof(p), "%s/root/etc/evil", top);
	symlink("../../outside", p);          /* relative, climbing out */
	snprintf(p, sizeof(p), "%s/root/etc/abs", top);
	symlink("/etc/shadow", p);            /* absolute: means the tree's own */
	return 0;
}

static int teardown(void **s)
{
	(void)s;
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	return system(cmd) == 0 ? 0 : -1;
}

static struct tree *open_root(int rw)
{
	char p[512];
	struct tree *t = NULL;
	snprintf(p, sizeof(p), "%s/root", top);
	assert_int_equal(tree_open_dir(p, rw, &t), 0);
	return t;
}

static void split(void **s)
{
	(void)s;
	char d[64], b[64];
	assert_int_equal(tree_split("/etc/shadow", d, sizeof(d), b, sizeof(b)), 0);
	assert_string_equal(d, "/etc");
	assert_string_equal(b, "shadow");
	assert_int_equal(tree_split("/x", d, sizeof(d), b, sizeof(b)), 0);
	assert_string_equal(d, "/");
	assert_string_equal(b, "x");
	assert_int_equal(tree_split("name", d, sizeof(d), b, sizeof(b)), 0);
	assert_string_equal(d, ".");
	assert_int_not_equal(tree_split("/", d, sizeof(d), b, sizeof(b)), 0);
}

static void links_stay_inside(void **s)
{
	(void)s;
	struct tree *t = open_root(0);
	char *buf;
	size_t len;
	/* ../../outside climbs to the tree's root and no further. */
	assert_int_equal(tree_read(t, "/etc/evil", &buf, &len, 1 << 20), -ENOENT);
	assert_int_equal(tree_read(t, "/../../outside", &buf, &len, 1 << 20), -ENOENT);
	assert_int_equal(tree_read(t, "/etc/abs", &buf, &len, 1 << 20), 0);
	assert_string_equal(buf, "root:x:1:::::\n");
	free(buf);
	tree_close(t);
}

static void replace_keeps_mode_and_backup(void **s)
{
	(void)s;
	struct tree *t = open_root(1);
	unsigned fl;
	assert_int_equal(tree_replace(t, "/etc/shadow", "root:y:2:::::\n", 14, "/etc/shadow-", &fl), 0);
	char *buf;
	size_t len;
	assert_int_equal(tree_read(t, "/etc/shadow", &buf, &len, 1 << 20), 0);
	assert_string_equal(buf, "root:y:2:::::\n");
	free(buf);
	assert_int_equal(tree_read(t, "/etc/shadow-", &buf, &len, 1 << 20), 0);
	assert_string_equal(buf, "root:x:1:::::\n");
	free(buf);
	struct tree_stat st;
	assert_int_equal(tree_stat(t, "/etc/shadow", 0, &st), 0);
	assert_int_equal(st.mode, 0640);
	assert_int_equal(tree_stat(t, "/etc/shadow-", 0, &st), 0);
	assert_int_equal(st.mode, 0640);
	/* a link is never written through */
	assert_int_not_equal(tree_replace(t, "/etc/evil", "x", 1, NULL, &fl), 0);
	tree_close(t);
	char p[512];
	snprintf(p, sizeof(p), "%s/outside", top);
	FILE *f = fopen(p, "r");
	char line[64] = "";
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	assert_string_equal(line, "outside secret\n");
}

static void readonly_refuses(void **s)
{
	(void)s;
	struct tree *t = open_root(0);
	assert_int_equal(tree_replace(t, "/etc/shadow", "x", 1, NULL, NULL), -EROFS);
	assert_int_equal(tree_create(t, "/etc/new", "x", 1, 0644, 0, 0, 0), -EROFS);
	tree_close(t);
}

static void create_list_unlink(void **s)
{
	(void)s;
	struct tree *t = open_root(1);
	assert_int_equal(tree_create(t, "/etc/b.cfg", "b\n", 2, 0644, 0, 0, 0), 0);
	assert_int_equal(tree_create(t, "/etc/a.cfg", "a\n", 2, 0600, 0, 0, 0), 0);
	assert_int_equal(tree_create(t, "/etc/a.cfg", "a\n", 2, 0600, 0, 0, 0), -EEXIST);
	char **names;
	size_t n;
	assert_int_equal(tree_list(t, "/etc", &names, &n), 0);
	assert_true(n >= 4);
	assert_string_equal(names[0], "a.cfg");
	assert_string_equal(names[1], "abs");
	tree_free_list(names, n);
	assert_int_equal(tree_unlink(t, "/etc/a.cfg"), 0);
	assert_int_equal(tree_unlink(t, "/etc/a.cfg"), -ENOENT);
	tree_close(t);
}

/* The reads doctor needs: link targets, ranges, tails, space, labels;
 * every one resolved inside the tree. */
static void reads_beyond_whole_files(void **s)
{
	(void)s;
	struct tree *t = open_root(0);
	char buf[64], *tail;
	size_t got, len;
	int cut;
	assert_int_equal(tree_readlink(t, "/etc/abs", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/etc/shadow");
	assert_int_equal(tree_readlink(t, "/etc/shadow", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(tree_readlink(t, "/etc/nope/x", buf, sizeof(buf)), -ENOENT);
	/* a range, through an absolute link that means the tree's own file */
	assert_int_equal(tree_pread(t, "/etc/abs", 5, buf, 3, &got), 0);
	assert_int_equal(got, 3);
	assert_memory_equal(buf, "x:1", 3);
	assert_int_equal(tree_pread(t, "/etc/shadow", 100, buf, 3, &got), 0);
	assert_int_equal(got, 0);
	/* ../../outside stops at the tree's root: the secret beside it is never read */
	assert_int_equal(tree_pread(t, "/etc/evil", 0, buf, sizeof(buf), &got), -ENOENT);
	assert_int_equal(tree_pread(t, "/etc", 0, buf, 3, &got), -EINVAL);
	assert_int_equal(tree_read_tail(t, "/etc/shadow", 6, &tail, &len, &cut), 0);
	assert_string_equal(tail, ":::::\n");
	assert_int_equal(cut, 1);
	free(tail);
	assert_int_equal(tree_read_tail(t, "/etc/shadow", 100, &tail, &len, &cut), 0);
	assert_int_equal(len, 14);
	assert_int_equal(cut, 0);
	free(tail);
	struct tree_space sp;
	assert_int_equal(tree_space(t, "/etc", &sp), 0);
	assert_true(sp.size > 0 && sp.avail <= sp.size && sp.files > 0);
	char p[512];
	snprintf(p, sizeof(p), "%s/root/etc/shadow", top);
	assert_int_equal(setxattr(p, "security.selinux", "system_u:object_r:shadow_t:s0", 30, 0), 0);
	struct tree_stat st;
	assert_int_equal(tree_stat(t, "/etc/abs", TREE_FOLLOW | TREE_LABEL, &st), 0);
	assert_int_equal(st.has_label, 1);
	assert_int_equal(st.label_len, 30);
	assert_string_equal(st.label, "system_u:object_r:shadow_t:s0");
	assert_int_equal(tree_stat(t, "/etc/abs", TREE_FOLLOW, &st), 0);
	assert_int_equal(st.has_label, 0);
	assert_int_equal(tree_stat(t, "/etc/abs", TREE_LABEL, &st), 0);
	assert_int_equal(st.type, 'l');
	assert_int_equal(st.has_label, 0);
	assert_int_equal(tree_stat(t, "/etc/shadow/x", 0, &st), -ENOTDIR);
	tree_close(t);
}

/* Owner, mode and label changes, links and empty directories: on the
 * object itself, never through a final link, and only when writable. */
static void one_syscall_changes(void **s)
{
	(void)s;
	struct tree *t = open_root(0);
	assert_int_equal(tree_set_owner_mode(t, "/etc/shadow", 0, 0, 0600), -EROFS);
	assert_int_equal(tree_symlink(t, "x", "/etc/l"), -EROFS);
	tree_close(t);
	t = open_root(1);
	struct tree_stat st;
	assert_int_equal(tree_set_owner_mode(t, "/etc/shadow", 1, 2, 0604), 0);
	assert_int_equal(tree_stat(t, "/etc/shadow", 0, &st), 0);
	assert_int_equal(st.mode, 0604);
	assert_int_equal(st.uid, 1);
	assert_int_equal(st.gid, 2);
	/* a final link is refused: the outside file keeps its mode */
	assert_int_equal(tree_set_owner_mode(t, "/etc/evil", 0, 0, 0666), -ELOOP);
	assert_int_equal(tree_set_label(t, "/etc/evil", "x", 2), -ELOOP);
	char p[512];
	struct stat hs;
	snprintf(p, sizeof(p), "%s/outside", top);
	assert_int_equal(stat(p, &hs), 0);
	assert_int_equal(hs.st_mode & 07777, 0600);
	assert_int_equal(tree_set_label(t, "/etc/shadow", "system_u:object_r:etc_t:s0", 27), 0);
	assert_int_equal(tree_stat(t, "/etc/shadow", TREE_LABEL, &st), 0);
	assert_string_equal(st.label, "system_u:object_r:etc_t:s0");
	assert_int_equal(tree_set_label(t, "/etc/shadow", NULL, 0), 0);
	assert_int_equal(tree_set_label(t, "/etc/shadow", NULL, 0), 0);
	assert_int_equal(tree_stat(t, "/etc/shadow", TREE_LABEL, &st), 0);
	assert_int_equal(st.has_label, 0);
	/* a link made inside the tree, through a link to a directory above it */
	assert_int_equal(tree_symlink(t, "../outside", "/etc/new-link"), 0);
	assert_int_equal(tree_symlink(t, "../outside", "/etc/new-link"), -EEXIST);
	char buf[64];
	assert_int_equal(tree_readlink(t, "/etc/new-link", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "../outside");
	assert_int_equal(tree_unlink(t, "/etc/new-link"), 0);
	assert_int_equal(tree_mkdir(t, "/etc/d", 0700, 0, 0), 0);
	assert_int_equal(tree_create(t, "/etc/d/f", "x", 1, 0600, 0, 0, 0), 0);
	assert_int_equal(tree_rmdir(t, "/etc/d"), -ENOTEMPTY);
	assert_int_equal(tree_unlink(t, "/etc/d/f"), 0);
	assert_int_equal(tree_rmdir(t, "/etc/d"), 0);
	assert_int_equal(tree_rmdir(t, "/etc/d"), -ENOENT);
	assert_int_equal(tree_rmdir(t, "/"), -EINVAL);
	tree_close(t);
}

/* Every write on a final link acts on the link or refuses; none reaches
 * what the link points at, inside or outside the tree. */
static void writes_never_through_a_final_link(void **s)
{
	(void)s;
	char p[512];
	struct tree *t = open_root(1);
	struct stat hs;
	snprintf(p, sizeof(p), "%s/root/etc/dang", top);
	assert_int_equal(symlink("../../made", p), 0);      /* dangling, climbing out */
	assert_int_equal(tree_replace(t, "/etc/abs", "x", 1, NULL, NULL), -ELOOP);
	assert_int_equal(tree_create(t, "/etc/dang", "x", 1, 0644, 0, 0, 1), -EEXIST);
	assert_int_equal(tree_mkdir(t, "/etc/dang", 0755, 0, 0), -EEXIST);
	assert_int_equal(tree_set_owner_mode(t, "/etc/abs", 0, 0, 0666), -ELOOP);
	assert_int_equal(tree_symlink(t, "x", "/etc/dang"), -EEXIST);
	assert_int_equal(tree_rmdir(t, "/etc/abs"), -ENOTDIR);
	snprintf(p, sizeof(p), "%s/made", top);
	assert_int_equal(lstat(p, &hs), -1);
	snprintf(p, sizeof(p), "%s/root/made", top);
	assert_int_equal(lstat(p, &hs), -1);
	/* the tree's own /etc/shadow is untouched: 0640, old content */
	struct tree_stat st;
	assert_int_equal(tree_stat(t, "/etc/shadow", 0, &st), 0);
	assert_int_equal(st.mode, 0640);
	assert_int_equal(st.size, 14);
	/* unlink removes the link, not the outside file it climbs to */
	assert_int_equal(tree_unlink(t, "/etc/evil"), 0);
	snprintf(p, sizeof(p), "%s/outside", top);
	assert_int_equal(stat(p, &hs), 0);
	/* a backup name that is a link is refused before anything is written */
	assert_int_equal(tree_replace(t, "/etc/shadow", "y", 1, "/etc/dang", NULL), -EEXIST);
	assert_int_equal(tree_stat(t, "/etc/shadow", 0, &st), 0);
	assert_int_equal(st.size, 14);
	tree_close(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(split),
		cmocka_unit_test_setup_teardown(links_stay_inside, setup, teardown),
		cmocka_unit_test_setup_teardown(replace_keeps_mode_and_backup, setup, teardown),
		cmocka_unit_test_setup_teardown(readonly_refuses, setup, teardown),
		cmocka_unit_test_setup_teardown(create_list_unlink, setup, teardown),
		cmocka_unit_test_setup_teardown(reads_beyond_whole_files, setup, teardown),
		cmocka_unit_test_setup_teardown(one_syscall_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(writes_never_through_a_final_link, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
