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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(split),
		cmocka_unit_test_setup_teardown(links_stay_inside, setup, teardown),
		cmocka_unit_test_setup_teardown(replace_keeps_mode_and_backup, setup, teardown),
		cmocka_unit_test_setup_teardown(readonly_refuses, setup, teardown),
		cmocka_unit_test_setup_teardown(create_list_unlink, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
