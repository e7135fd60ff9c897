/* Unit tests for lib/shrink_undo.c: where resize2fs's undo file goes, the
 * room it may need, and the refusals made while planning (a leftover undo
 * file, another file in its place, a directory that cannot take it), and
 * the e2fsprogs bug it works around (1 KiB blocks with a resize inode). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <cmocka.h>
#include "../../lib/shrink.h"
#include "../../lib/shrink_priv.h"
#include "../../lib/err.h"
#include "../../lib/undo_log.h"
#include "unit_sh.h"

#define MiB (1024ULL * 1024)

static char dir[256];

/* A shrink of a 4 KiB-block filesystem of BLOCKS (FREE free) to NEWB. */
static struct shrink *mk(uint64_t blocks, uint64_t free_, uint64_t newb)
{
	struct shrink *s = calloc(1, sizeof(*s));
	assert_non_null(s);
	s->plan = plan_new("nothing was changed", s);
	snprintf(s->dev, sizeof(s->dev), "/dev/sda3");
	snprintf(s->fi.uuid, sizeof(s->fi.uuid), "0a1b2c3d-0000-4000-8000-000000000001");
	snprintf(s->fi.features, sizeof(s->fi.features), "has_journal ext_attr resize_inode dir_index extent");
	s->fi.block_size = 4096;
	s->fi.blocks = blocks;
	s->fi.free_blocks = free_;
	s->fi.blocks_per_group = 32768;
	s->sz.fs_blocks = newb;
	return s;
}

static void done(struct shrink *s)
{
	plan_free(s->plan);
	free(s);
}

static void test_need(void **st)
{
	(void)st;
	struct ext4_info fi = { .block_size = 4096, .blocks = 262144, .free_blocks = 262144 - 1000,
				.blocks_per_group = 32768 };
	/* little used: what is used bounds what moves (9 groups: 27 blocks) */
	assert_int_equal(shrink_undo_need(&fi, 131072), (1000 + 27) * 4096ULL + 16 * MiB);
	/* nearly full: what is cut off bounds it */
	fi.free_blocks = 10;
	assert_int_equal(shrink_undo_need(&fi, 262144 - 500), (500 + 27) * 4096ULL + 16 * MiB);
}

static void test_default_path(void **st)
{
	(void)st;
	struct shrink *s = mk(262144, 200000, 131072);
	setenv("HOME", dir, 1);
	assert_int_equal(shrink_plan_undo(s), 0);
	char want[512];
	snprintf(want, sizeof(want), "%s/shrink-root-%s.e2undo", dir, s->fi.uuid);
	assert_string_equal(s->undo, want);
	assert_int_equal(access(s->undo, F_OK), -1);   /* planning creates nothing */
	done(s);
}

static void test_leftover(void **st)
{
	(void)st;
	struct shrink *s = mk(262144, 200000, 131072);
	setenv("HOME", dir, 1);
	assert_int_equal(sh("printf 'E2UNDO02rest' > %s/shrink-root-%s.e2undo", dir, s->fi.uuid), 0);
	/* the filesystem marked by resize2fs (errors, none counted): interrupted */
	s->fi.errors = 1;
	rc_clear();
	assert_int_equal(shrink_check_leftover(s), -EEXIST);
	assert_int_equal(rc_exit_hint(), RC_EXIT_REFUSED);
	assert_non_null(strstr(rc_msg(), "did not finish"));
	assert_non_null(strstr(rc_msg(), "Run 'rescuectl e2undo "));
	assert_non_null(strstr(rc_msg(), "Do NOT run 'e2fsck -y' first"));
	assert_int_equal(shrink_plan_undo(s), -EEXIST);
	/* not marked: resize2fs finished (or never wrote): stale, never applied */
	s->fi.errors = 0;
	rc_clear();
	assert_int_equal(shrink_check_leftover(s), -EEXIST);
	assert_non_null(strstr(rc_msg(), "it is stale"));
	assert_null(strstr(rc_msg(), "Run 'rescuectl e2undo"));
	/* something else in its place is not called an undo file */
	assert_int_equal(sh("printf 'hello' > %s/shrink-root-%s.e2undo", dir, s->fi.uuid), 0);
	rc_clear();
	assert_int_equal(shrink_check_leftover(s), -EEXIST);
	assert_non_null(strstr(rc_msg(), "is not an undo file"));
	/* nor a symbolic link, even a dangling one (resize2fs would follow it) */
	assert_int_equal(sh("rm -f %s/*.e2undo && ln -s %s/nowhere %s/shrink-root-%s.e2undo", dir, dir, dir,
			    s->fi.uuid), 0);
	rc_clear();
	assert_int_equal(shrink_check_leftover(s), -EEXIST);
	assert_non_null(strstr(rc_msg(), "is not an undo file"));
	assert_int_equal(sh("rm -f %s/*.e2undo", dir), 0);
	done(s);
}

static void test_half_resized_without_undo_file(void **st)
{
	(void)st;
	struct shrink *s = mk(262144, 200000, 131072);
	setenv("HOME", dir, 1);
	/* marked, none counted, no undo file here: 'tune2fs -E force_fsck'
	 * leaves the same mark, so this is left to the errors rule */
	s->fi.errors = 1;
	assert_int_equal(shrink_check_leftover(s), 0);
	done(s);
}

static void test_undo_file_option(void **st)
{
	(void)st;
	struct shrink *s = mk(262144, 200000, 131072);
	char f[512];
	snprintf(f, sizeof(f), "%s/no/such/dir/u.e2undo", dir);
	s->rq.undo_file = f;
	rc_clear();
	assert_true(shrink_plan_undo(s) < 0);
	assert_int_equal(rc_exit_hint(), RC_EXIT_REFUSED);
	assert_non_null(strstr(rc_msg(), "cannot create resize2fs's undo file"));
	assert_non_null(strstr(rc_msg(), "--undo-file FILE"));
	snprintf(f, sizeof(f), "%s/u.e2undo", dir);
	assert_int_equal(shrink_plan_undo(s), 0);
	assert_string_equal(s->undo, f);
	done(s);
}

static void test_no_room(void **st)
{
	(void)st;
	char m[300];
	snprintf(m, sizeof(m), "%s/small", dir);
	if (sh("mkdir -p %s && mount -t tmpfs -o size=1m tmpfs %s 2>/dev/null", m, m) != 0)
		skip();
	struct shrink *s = mk(262144, 200000, 131072);
	setenv("HOME", m, 1);
	assert_int_equal(shrink_plan_undo(s), 0);
	assert_string_equal(s->undo, "");      /* runs without one, and says so */
	assert_true(plan_nwarnings(s->plan) >= 1);
	assert_non_null(strstr(plan_warning(s->plan, plan_nwarnings(s->plan) - 1), "may need"));
	sh("umount %s", m);
	done(s);
}

/* Is there a warning holding NEEDLE? */
static int warned(const struct shrink *s, const char *needle)
{
	for (size_t i = 0; i < plan_nwarnings(s->plan); i++)
		if (strstr(plan_warning(s->plan, i), needle))
			return 1;
	return 0;
}

static void test_ram_warns(void **st)
{
	(void)st;
	char m[300];
	snprintf(m, sizeof(m), "%s/ram", dir);
	if (sh("mkdir -p %s && mount -t tmpfs -o size=64m tmpfs %s 2>/dev/null", m, m) != 0)
		skip();
	struct shrink *s = mk(262144, 262000, 131072);   /* little to move: it fits */
	setenv("HOME", m, 1);
	assert_int_equal(shrink_plan_undo(s), 0);
	/* /dev/sda3 is not this test's: the log cannot go on it, said first */
	assert_int_equal(plan_nwarnings(s->plan), 2);
	assert_non_null(strstr(plan_warning(s->plan, 0), "cannot go on /dev/sda3 itself"));
	assert_non_null(strstr(plan_warning(s->plan, 1), "is in RAM"));
	assert_non_null(strstr(plan_warning(s->plan, 1), "power cut"));
	sh("umount %s", m);
	/* on a disk's filesystem: no such warning */
	struct shrink *t = mk(262144, 262000, 131072);
	setenv("HOME", dir, 1);
	assert_int_equal(shrink_plan_undo(t), 0);
	if (sh("[ \"$(stat -f -c %%T %s)\" != tmpfs ]", dir) == 0)
		assert_false(warned(t, "is in RAM"));
	done(s);
	done(t);
}

static void test_small_blocks_resize_inode(void **st)
{
	(void)st;
	struct shrink *s = mk(262144, 200000, 131072);
	s->fi.block_size = 1024;
	setenv("HOME", dir, 1);
	assert_int_equal(shrink_plan_undo(s), 0);
	assert_string_equal(s->undo, "");
	assert_int_equal(plan_nwarnings(s->plan), 1);
	assert_non_null(strstr(plan_warning(s->plan, 0), "Resize inode is corrupt"));
	/* without a resize inode, 1 KiB blocks keep their undo file */
	snprintf(s->fi.features, sizeof(s->fi.features), "has_journal ext_attr dir_index extent");
	assert_int_equal(shrink_plan_undo(s), 0);
	assert_true(s->undo[0] != 0);
	done(s);
}

/* A filesystem with room past the new end: the undo log goes on the
 * device itself, said in no warning; with --undo-file, in the file. */
static void test_log_on_device(void **st)
{
	(void)st;
	char img[300];
	snprintf(img, sizeof(img), "%s/dev.img", dir);
	if (sh("truncate -s 64M %s && mke2fs -q -F -t ext4 -b 4096 %s >/dev/null 2>&1", img, img) != 0)
		skip();
	struct shrink *s = mk(16384, 16000, 8192);
	snprintf(s->dev, sizeof(s->dev), "%s", img);
	snprintf(s->id.uuid, sizeof(s->id.uuid), "%s", s->fi.uuid);
	setenv("HOME", dir, 1);
	assert_int_equal(shrink_plan_undo(s), 0);
	assert_int_equal(s->undo_dev, 1);
	assert_string_equal(s->undo, img);
	assert_true(s->undo_loc.off >= 8192ULL * 4096);
	assert_int_equal(plan_nwarnings(s->plan), 0);
	done(s);
	struct shrink *t = mk(16384, 16000, 8192);
	snprintf(t->dev, sizeof(t->dev), "%s", img);
	char f[300];
	snprintf(f, sizeof(f), "%s/u.e2undo", dir);
	t->rq.undo_file = f;
	assert_int_equal(shrink_plan_undo(t), 0);
	assert_int_equal(t->undo_dev, 0);
	assert_string_equal(t->undo, f);
	done(t);
	unlink(img);
}

/* resize2fs failed and its log on the device cannot be read (an I/O
 * error, here: a header past the device's end): nothing is said to be put
 * back, the locator stays for --rollback, and the failure says why. */
static void test_devlog_unreadable(void **st)
{
	(void)st;
	char img[300];
	snprintf(img, sizeof(img), "%s/dev2.img", dir);
	assert_int_equal(sh("truncate -s 8M %s", img), 0);
	struct shrink *s = mk(2048, 1000, 1024);
	snprintf(s->dev, sizeof(s->dev), "%s", img);
	s->undo_dev = 1;
	snprintf(s->undo_loc.uuid, sizeof(s->undo_loc.uuid), "%s", s->fi.uuid);
	s->undo_loc.off = 4 << 20;
	s->undo_loc.len = 2 << 20;
	s->undo_loc.nonce = 7;
	int fd = open(img, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(undo_loc_write(fd, &s->undo_loc), 0);
	s->undo_loc.off = 16 << 20;   /* what the run holds: unreadable */
	struct plan_step *stp = plan_add(s->plan, "resize-fs", "resize2fs");
	assert_non_null(stp);
	rc_clear();
	assert_true(shrink_undo_after_failure(s->plan, stp, "resize2fs stopped (exit 1)") < 0);
	assert_null(strstr(rc_msg(), "as it was before resize2fs"));
	assert_non_null(strstr(rc_msg(), "cannot read"));
	assert_non_null(strstr(rc_msg(), "--rollback"));
	struct undo_loc l;
	assert_int_equal(undo_loc_read(fd, &l), 0);   /* still there */
	close(fd);
	unlink(img);
	done(s);
}

int main(void)
{
	if (unit_tmpdir(dir, sizeof(dir), "rc-undo") < 0)
		return 1;
	const struct CMUnitTest t[] = {
		cmocka_unit_test(test_need),
		cmocka_unit_test(test_default_path),
		cmocka_unit_test(test_leftover),
		cmocka_unit_test(test_half_resized_without_undo_file),
		cmocka_unit_test(test_undo_file_option),
		cmocka_unit_test(test_no_room),
		cmocka_unit_test(test_ram_warns),
		cmocka_unit_test(test_small_blocks_resize_inode),
		cmocka_unit_test(test_log_on_device),
		cmocka_unit_test(test_devlog_unreadable),
	};
	int r = cmocka_run_group_tests(t, NULL, NULL);
	unit_rmdir(dir);
	return r;
}
