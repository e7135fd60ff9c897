/* chase(): the one in-root resolver. A tree under /tmp with an "outside"
 * file beside it; every resolution must stay inside the tree, follow links
 * by the flags, and name the component a failure is about. */
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
#include "../../lib/chase.h"

static char top[256];
static int rootfd = -1;

static void mk(const char *kind, const char *rel, const char *arg)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", top, rel);
	if (!strcmp(kind, "dir")) {
		assert_int_equal(mkdir(p, 0755), 0);
	} else if (!strcmp(kind, "link")) {
		assert_int_equal(symlink(arg, p), 0);
	} else {
		FILE *f = fopen(p, "w");
		assert_non_null(f);
		fputs(arg, f);
		fclose(f);
	}
}

static int setup(void **s)
{
	(void)s;
	snprintf(top, sizeof(top), "/tmp/rc-chase-XXXXXX");
	if (!mkdtemp(top))
		return -1;
	mk("dir", "root", NULL);
	mk("dir", "root/etc", NULL);
	mk("dir", "root/boot", NULL);
	mk("file", "outside", "outside\n");
	mk("file", "root/outside", "inside\n");
	mk("file", "root/etc/shadow", "root:x:1:::::\n");
	mk("link", "root/etc/abs", "/etc/shadow");          /* absolute: the tree's own */
	mk("link", "root/etc/rel", "../outside");          /* relative, to the tree's /outside */
	mk("link", "root/etc/climb", "../../../../outside");/* climbs to the root, no further */
	mk("link", "root/etc/dir", "/boot");                /* a link to a directory */
	mk("link", "root/loop1", "loop2");
	mk("link", "root/loop2", "/loop1");
	mk("link", "root/self", "self");
	mk("link", "root/bootlink", "/etc");                /* a mount point that is a link */
	char p[512];
	snprintf(p, sizeof(p), "%s/root", top);
	rootfd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return rootfd < 0 ? -1 : 0;
}

static int teardown(void **s)
{
	(void)s;
	char cmd[300];
	close(rootfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	return system(cmd) == 0 ? 0 : -1;
}

/* The content of what FD (an O_PATH fd) names. */
static const char *content(int fd)
{
	static char buf[64];
	char p[64];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	int r = open(p, O_RDONLY | O_CLOEXEC);
	assert_true(r >= 0);
	ssize_t n = read(r, buf, sizeof(buf) - 1);
	close(r);
	buf[n > 0 ? n : 0] = 0;
	close(fd);
	return buf;
}

static void dotdot_at_the_root(void **s)
{
	(void)s;
	struct chase_out co;
	int fd = chase(rootfd, "/../../../outside", 0, &co);
	assert_true(fd >= 0);
	assert_string_equal(content(fd), "inside\n");
	assert_string_equal(co.path, "/outside");
	fd = chase(rootfd, "..", CHASE_PARENT, &co);
	assert_true(fd >= 0);
	assert_string_equal(co.name, ".");
	assert_string_equal(co.path, "/");
	close(fd);
	fd = chase(rootfd, "/etc/../boot/..", CHASE_DIRECTORY, &co);
	assert_true(fd >= 0);
	assert_string_equal(co.path, "/");
	close(fd);
	assert_int_equal(chase(rootfd, "/etc/../boot", CHASE_NO_DOTDOT, &co), -EINVAL);
}

static void absolute_and_relative_links(void **s)
{
	(void)s;
	struct chase_out co;
	int fd = chase(rootfd, "etc/abs", 0, &co);
	assert_true(fd >= 0);
	assert_string_equal(content(fd), "root:x:1:::::\n");
	assert_string_equal(co.path, "/etc/shadow");
	fd = chase(rootfd, "/etc/rel", 0, &co);
	assert_true(fd >= 0);
	assert_string_equal(content(fd), "inside\n");
	fd = chase(rootfd, "/etc/climb", 0, &co);
	assert_true(fd >= 0);
	assert_string_equal(content(fd), "inside\n");
	/* through a link to a directory, and the parent of a final link */
	fd = chase(rootfd, "/etc/dir/new", CHASE_PARENT, &co);
	assert_true(fd >= 0);
	assert_string_equal(co.name, "new");
	assert_string_equal(co.path, "/boot");
	close(fd);
	fd = chase(rootfd, "/etc/abs", CHASE_PARENT, &co);
	assert_true(fd >= 0);
	assert_string_equal(co.name, "shadow");
	close(fd);
	fd = chase(rootfd, "/etc/abs", CHASE_PARENT | CHASE_NOFOLLOW, &co);
	assert_true(fd >= 0);
	assert_string_equal(co.name, "abs");
	close(fd);
	/* the link itself under CHASE_NOFOLLOW */
	fd = chase(rootfd, "/etc/abs", CHASE_NOFOLLOW, &co);
	assert_true(fd >= 0);
	struct stat st;
	assert_int_equal(fstatat(fd, "", &st, AT_EMPTY_PATH), 0);
	assert_true(S_ISLNK(st.st_mode));
	close(fd);
}

static void loops(void **s)
{
	(void)s;
	struct chase_out co;
	assert_int_equal(chase(rootfd, "/loop1/x", 0, &co), -ELOOP);
	assert_true(!strcmp(co.why, "/loop1 -> loop2") || !strcmp(co.why, "/loop2 -> /loop1"));
	assert_int_equal(chase(rootfd, "/self", 0, &co), -ELOOP);
	assert_string_equal(co.why, "/self -> self");
	/* a chain of CHASE_MAX_LINKS links resolves; one more does not */
	char rel[64], tgt[64];
	for (int i = 1; i <= CHASE_MAX_LINKS + 1; i++) {
		snprintf(rel, sizeof(rel), "root/c%d", i);
		snprintf(tgt, sizeof(tgt), i == 1 ? "/outside" : "c%d", i - 1);
		mk("link", rel, tgt);
	}
	snprintf(rel, sizeof(rel), "/c%d", CHASE_MAX_LINKS);
	int fd = chase(rootfd, rel, 0, &co);
	assert_true(fd >= 0);
	assert_string_equal(content(fd), "inside\n");
	snprintf(rel, sizeof(rel), "/c%d", CHASE_MAX_LINKS + 1);
	assert_int_equal(chase(rootfd, rel, 0, &co), -ELOOP);
	assert_string_equal(co.why, "/c1 -> /outside");
}

static void nofollow_any_names_the_link(void **s)
{
	(void)s;
	struct chase_out co;
	unsigned mp = CHASE_NOFOLLOW_ANY | CHASE_NO_DOTDOT | CHASE_DIRECTORY;
	assert_int_equal(chase(rootfd, "/bootlink", mp, &co), -ELOOP);
	assert_string_equal(co.why, "/bootlink -> /etc");
	assert_int_equal(chase(rootfd, "/etc/dir/x", mp, &co), -ELOOP);
	assert_string_equal(co.why, "/etc/dir -> /boot");
	int fd = chase(rootfd, "/boot", mp, &co);
	assert_true(fd >= 0);
	assert_string_equal(co.path, "/boot");
	close(fd);
	/* the parent of a missing mount point, never through a link */
	fd = chase(rootfd, "/boot/efi", mp | CHASE_PARENT, &co);
	assert_true(fd >= 0);
	assert_string_equal(co.name, "efi");
	close(fd);
	fd = chase(rootfd, "/bootlink", CHASE_NOFOLLOW_ANY | CHASE_PARENT, &co);
	assert_true(fd >= 0);
	assert_string_equal(co.name, "bootlink");
	close(fd);
}

static void missing_and_not_a_directory(void **s)
{
	(void)s;
	struct chase_out co;
	assert_int_equal(chase(rootfd, "/etc/nope/x", 0, &co), -ENOENT);
	assert_string_equal(co.why, "/etc/nope");
	assert_string_equal(co.name, "nope");
	assert_string_equal(co.path, "/etc");
	assert_int_equal(chase(rootfd, "/etc/shadow/x", 0, &co), -ENOTDIR);
	assert_string_equal(co.why, "/etc/shadow");
	/* on a failure, name and path say which component and where */
	assert_string_equal(co.name, "shadow");
	assert_string_equal(co.path, "/etc");
	assert_int_equal(chase(rootfd, "/bootlink/x", CHASE_NOFOLLOW_ANY | CHASE_PARENT, &co), -ELOOP);
	assert_string_equal(co.name, "bootlink");
	assert_string_equal(co.path, "/");
	assert_int_equal(chase(rootfd, "/etc/shadow", CHASE_DIRECTORY, &co), -ENOTDIR);
	/* a missing last component is fine for CHASE_PARENT */
	int fd = chase(rootfd, "/etc/new", CHASE_PARENT, &co);
	assert_true(fd >= 0);
	assert_string_equal(co.name, "new");
	assert_string_equal(co.path, "/etc");
	close(fd);
	char lng[PATH_MAX + 8];
	memset(lng, 'a', sizeof(lng) - 1);
	lng[sizeof(lng) - 1] = 0;
	assert_int_equal(chase(rootfd, lng, 0, &co), -ENAMETOOLONG);
	memset(lng, 'a', NAME_MAX + 1);
	lng[NAME_MAX + 1] = 0;
	assert_int_equal(chase(rootfd, lng, CHASE_PARENT, &co), -ENAMETOOLONG);
}

static int same_dir(int a, int b)
{
	struct stat sa, sb;
	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* A write goes to (CHASE_PARENT's fd, out->name). A final link is either
 * the name itself (CHASE_NOFOLLOW: the caller refuses or replaces the
 * link) or followed inside the tree: a dangling link that climbs out, or
 * an absolute one, makes the new file inside the tree, never beside it. */
static void last_link_for_writes(void **s)
{
	(void)s;
	struct chase_out co;
	char p[512];
	struct stat st;
	mk("link", "root/etc/climbnew", "../../../../made");   /* dangling, climbing out */
	mk("link", "root/etc/absnew", "/../../made2");         /* dangling, absolute, past the root */
	int fd = chase(rootfd, "/etc/climbnew", CHASE_PARENT, &co);
	assert_true(fd >= 0);
	assert_true(same_dir(fd, rootfd));
	assert_string_equal(co.name, "made");
	int w = openat(fd, co.name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	assert_true(w >= 0);
	close(w);
	close(fd);
	snprintf(p, sizeof(p), "%s/made", top);
	assert_int_equal(lstat(p, &st), -1);            /* nothing beside the tree */
	snprintf(p, sizeof(p), "%s/root/made", top);
	assert_int_equal(lstat(p, &st), 0);             /* the tree's own /made */
	fd = chase(rootfd, "/etc/absnew", CHASE_PARENT, &co);
	assert_true(fd >= 0);
	assert_true(same_dir(fd, rootfd));
	assert_string_equal(co.name, "made2");
	close(fd);
	/* not followed: the link's own directory and name; opening it for a
	 * write without following it fails, whatever it points at */
	fd = chase(rootfd, "/etc/climbnew", CHASE_PARENT | CHASE_NOFOLLOW, &co);
	assert_true(fd >= 0);
	assert_string_equal(co.name, "climbnew");
	assert_string_equal(co.path, "/etc");
	assert_int_equal(openat(fd, co.name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600), -1);
	assert_int_equal(errno, ELOOP);
	close(fd);
	/* a link to a directory in the middle, then "..": the link's target's parent */
	fd = chase(rootfd, "/etc/dir/../etc/new", CHASE_PARENT, &co);
	assert_true(fd >= 0);
	assert_string_equal(co.path, "/etc");
	assert_string_equal(co.name, "new");
	close(fd);
	/* a final link loop is -ELOOP when followed, the name when not */
	assert_int_equal(chase(rootfd, "/self", CHASE_PARENT, &co), -ELOOP);
	fd = chase(rootfd, "/self", CHASE_PARENT | CHASE_NOFOLLOW, &co);
	assert_true(fd >= 0);
	assert_string_equal(co.name, "self");
	close(fd);
	/* CHASE_NOFOLLOW_ANY refuses a link on the way even for the parent */
	assert_int_equal(chase(rootfd, "/etc/dir/new", CHASE_PARENT | CHASE_NOFOLLOW_ANY, &co), -ELOOP);
	assert_string_equal(co.why, "/etc/dir -> /boot");
}

static void under(void **s)
{
	(void)s;
	assert_true(path_under("/mnt", "/mnt"));
	assert_true(path_under("/mnt/boot", "/mnt"));
	assert_true(path_under("/mnt/boot", "/mnt/"));
	assert_false(path_under("/mnt2", "/mnt"));
	assert_false(path_under("/", "/mnt"));
	assert_true(path_under("/anything", "/"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(dotdot_at_the_root, setup, teardown),
		cmocka_unit_test_setup_teardown(absolute_and_relative_links, setup, teardown),
		cmocka_unit_test_setup_teardown(loops, setup, teardown),
		cmocka_unit_test_setup_teardown(nofollow_any_names_the_link, setup, teardown),
		cmocka_unit_test_setup_teardown(missing_and_not_a_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(last_link_for_writes, setup, teardown),
		cmocka_unit_test(under),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
