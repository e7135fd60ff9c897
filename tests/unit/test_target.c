/* Editing an unmounted ext4 (an image file) through lib/target: read-only
 * planning through libext2fs, then a private kernel mount to commit. The
 * result must read back right and e2fsck -fn must find the filesystem
 * clean, on every layout installed systems have. Needs root (loop devices),
 * mke2fs, debugfs and e2fsck. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "unit_sh.h"
#include "../../lib/tree.h"
#include "../../lib/ext4.h"
#include "../../lib/target.h"
#include "../../lib/err.h"

static char dir[128], img[160];

static int setup(void **s)
{
	(void)s;
	if (unit_tmpdir(dir, sizeof(dir), "rc-ext4"))
		return -1;
	snprintf(img, sizeof(img), "%s/fs.img", dir);
	return sh("set -e; cd %s; mkdir -p t/etc t/bin; printf 'root:old:1::::::\\n' > t/etc/shadow; "
		  "chmod 640 t/etc/shadow; chown 0:42 t/etc/shadow; ln -s /etc/shadow t/etc/link; "
		  "mke2fs -q -F -t ext4 -d t fs.img 16M >/dev/null; "
		  "debugfs -w -R 'ea_set /etc/shadow security.selinux system_u:object_r:shadow_t:s0' fs.img 2>/dev/null", dir);
}

static int teardown(void **s)
{
	(void)s;
	return unit_rmdir(dir);
}


/* Open IMG for writing the way applets do: plan read-only, then commit. */
static struct tree *rw(struct target *tg)
{
	assert_int_equal(target_open(img, NULL, TARGET_RW, tg), 0);
	assert_int_equal(tree_writable(tg->tree), 0);   /* planning: read only */
	assert_int_equal(target_writable(tg), 0);
	assert_int_equal(tg->via, TARGET_VIA_PRIVATE);
	return tg->tree;
}

static void done(struct target *tg)
{
	assert_int_equal(target_close(tg), 0);
	assert_int_equal(sh("e2fsck -fn %s >/dev/null 2>&1", img), 0);
}

static void edit_stays_clean(void **s)
{
	(void)s;
	struct target tg;
	struct tree *t = rw(&tg);
	char big[20000];
	memset(big, 'x', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	/* grow past one block, then shrink again */
	assert_int_equal(tree_replace(t, "/etc/shadow", big, sizeof(big), "/etc/shadow-", NULL), 0);
	assert_int_equal(tree_replace(t, "/etc/shadow", "root:new:2::::::\n", 17, NULL, NULL), 0);
	assert_int_not_equal(tree_replace(t, "/etc/link", "x", 1, NULL, NULL), 0);
	assert_int_equal(tree_create(t, "/etc/new.cfg", "a: 1\n", 5, 0644, 0, 0, 0), 0);
	assert_int_equal(tree_create(t, "/etc/new.cfg", "a: 1\n", 5, 0644, 0, 0, 0), -EEXIST);
	assert_int_equal(tree_create(t, "/gone", "bye\n", 4, 0600, 0, 0, 0), 0);
	assert_int_equal(tree_unlink(t, "/gone"), 0);
	char *buf;
	size_t len;
	assert_int_equal(tree_read(t, "/etc/link", &buf, &len, 1 << 20), 0);
	assert_string_equal(buf, "root:new:2::::::\n");
	free(buf);
	struct tree_stat st;
	assert_int_equal(tree_stat(t, "/etc/shadow-", 0, &st), 0);
	assert_int_equal(st.mode, 0640);
	assert_int_equal(st.gid, 42);
	assert_int_equal(tree_read(t, "/etc/shadow-", &buf, &len, 1 << 20), 0);
	assert_string_equal(buf, "root:old:1::::::\n");  /* the original, from the first edit */
	free(buf);
	done(&tg);
	assert_int_equal(sh("debugfs -R 'cat /etc/shadow' %s 2>/dev/null | grep -qx 'root:new:2::::::'", img), 0);
	assert_int_equal(sh("debugfs -R 'ea_get /etc/shadow security.selinux' %s 2>/dev/null | grep -q shadow_t", img), 0);
	assert_int_equal(sh("debugfs -R 'ea_get /etc/shadow- security.selinux' %s 2>/dev/null | grep -q shadow_t", img), 0);
	assert_int_equal(sh("debugfs -R 'cat /etc/new.cfg' %s 2>/dev/null | grep -qx 'a: 1'", img), 0);
}

/* Planning never writes: the image is byte-identical until target_writable. */
static void planning_writes_nothing(void **s)
{
	(void)s;
	struct target tg;
	assert_int_equal(sh("sha256sum %s > %s/sum", img, dir), 0);
	assert_int_equal(target_open(img, NULL, TARGET_RW, &tg), 0);
	assert_int_equal(tree_replace(tg.tree, "/etc/shadow", "x\n", 2, NULL, NULL), -EROFS);
	assert_int_equal(target_close(&tg), 0);
	assert_int_equal(sh("cd %s && sha256sum -c --quiet sum", dir), 0);
}

static void refuses_journal_recovery(void **s)
{
	(void)s;
	struct target tg;
	struct tree *t;
	assert_int_equal(sh("debugfs -w -R 'feature needs_recovery' %s >/dev/null 2>&1", img), 0);
	assert_int_equal(target_open(img, NULL, TARGET_RW, &tg), -EBUSY);
	assert_int_equal(rc_exit_hint(), RC_EXIT_REFUSED);
	assert_non_null(strstr(rc_msg(), "journal needs recovery"));
	target_close(&tg);
	/* reading is still fine */
	assert_int_equal(tree_open_ext4(img, &t), 0);
	tree_close(t);
	struct ext4_info in;
	assert_int_equal(ext4_read_info(img, &in), 0);
	assert_true(in.needs_recovery);
	assert_string_equal(in.fstype, "ext4");
}

/* A feature the rescue kernel cannot mount read-write is a refusal that
 * names the kernel's reason; the image stays as it was. */
static void unknown_ro_feature_is_a_refusal(void **s)
{
	(void)s;
	struct target tg;
	struct tree *t;
	assert_int_equal(sh("debugfs -w -R 'ssv feature_ro_compat 0x40000000' %s >/dev/null 2>&1", img), 0);
	assert_int_equal(sh("sha256sum %s > %s/sum", img, dir), 0);
	assert_int_equal(target_open(img, NULL, TARGET_RW, &tg), 0);
	assert_int_not_equal(target_writable(&tg), 0);
	assert_non_null(strstr(rc_msg(), "cannot mount"));
	target_close(&tg);
	assert_int_equal(sh("cd %s && sha256sum -c --quiet sum", dir), 0);
	/* looking is still allowed */
	assert_int_equal(tree_open_ext4(img, &t), 0);
	tree_close(t);
}

/* A backup name that is a hard link (to the file itself or to another file)
 * gets the old content as a new file; another name's content is never
 * rewritten. */
static void backup_hard_link_is_not_written_through(void **s)
{
	(void)s;
	struct target tg;
	struct tree *t;
	char *buf;
	size_t len;
	assert_int_equal(sh("cd %s && debugfs -w -R 'write /dev/null /etc/other' fs.img >/dev/null 2>&1 && "
			    "printf 'keep me\\n' > keep && debugfs -w -f - fs.img >/dev/null 2>&1 <<'E'\n"
			    "rm /etc/other\nwrite keep /etc/other\nln /etc/other /etc/shadow-\nsif /etc/other links_count 2\nE", dir), 0);
	t = rw(&tg);
	assert_int_equal(tree_replace(t, "/etc/shadow", "root:new:2::::::\n", 17, "/etc/shadow-", NULL), 0);
	assert_int_equal(tree_read(t, "/etc/other", &buf, &len, 1 << 20), 0);
	assert_string_equal(buf, "keep me\n");
	free(buf);
	assert_int_equal(tree_read(t, "/etc/shadow-", &buf, &len, 1 << 20), 0);
	assert_string_equal(buf, "root:old:1::::::\n");
	free(buf);
	done(&tg);

	/* the backup name linked to the file being edited */
	assert_int_equal(sh("cd %s && debugfs -w -f - fs.img >/dev/null 2>&1 <<'E'\n"
			    "rm /etc/shadow-\nln /etc/shadow /etc/shadow-\nsif /etc/shadow links_count 2\nE", dir), 0);
	t = rw(&tg);
	assert_int_equal(tree_replace(t, "/etc/shadow", "root:new:3::::::\n", 17, "/etc/shadow-", NULL), 0);
	assert_int_equal(tree_read(t, "/etc/shadow-", &buf, &len, 1 << 20), 0);
	assert_string_equal(buf, "root:new:2::::::\n");
	free(buf);
	assert_int_equal(tree_read(t, "/etc/shadow", &buf, &len, 1 << 20), 0);
	assert_string_equal(buf, "root:new:3::::::\n");
	free(buf);
	done(&tg);
}

/* On a full filesystem a rewrite that needs more blocks fails before the
 * file is touched: never a truncated /etc/shadow. */
static void full_fs_leaves_file_intact(void **s)
{
	(void)s;
	struct target tg;
	struct tree *t;
	char *buf;
	size_t len;
	assert_int_equal(sh("cd %s && debugfs -w -R 'write /dev/null /fill' fs.img >/dev/null 2>&1; "
			    "debugfs -w -R 'fallocate /fill 0 14000' fs.img >/dev/null 2>&1; "
			    "debugfs -w -R 'fallocate /fill 14001 30000' fs.img >/dev/null 2>&1; "
			    "dumpe2fs -h fs.img 2>/dev/null | grep -q '^Free blocks: *0$'", dir), 0);
	char big[20000];
	memset(big, 'x', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	t = rw(&tg);
	assert_int_not_equal(tree_replace(t, "/etc/shadow", big, sizeof(big), NULL, NULL), 0);
	assert_int_not_equal(tree_create(t, "/etc/new.cfg", big, sizeof(big), 0644, 0, 0, 0), 0);
	assert_int_equal(tree_read(t, "/etc/shadow", &buf, &len, 1 << 20), 0);
	assert_string_equal(buf, "root:old:1::::::\n");
	free(buf);
	struct tree_stat st;
	assert_int_equal(tree_stat(t, "/etc/new.cfg", 0, &st), -ENOENT);
	done(&tg);
}

/* The same edits on the layouts installed systems have: e2fsck -fn clean and
 * the content read back after each (inline_data once emptied /etc/shadow). */
static void edits_on_every_layout(void **s)
{
	(void)s;
	static const char *const layouts[] = {
		"-t ext4 -b 1024", "-t ext4 -b 4096", "-t ext4 -O inline_data -I 256", "-t ext4 -O bigalloc -C 16384 -b 1024",
		"-t ext4 -O ^metadata_csum,^64bit", "-t ext3", "-t ext2", "-t ext4 -I 128",
	};
	char big[70000];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	big[sizeof(big) - 1] = '\n';
	for (size_t k = 0; k < sizeof(layouts) / sizeof(layouts[0]); k++) {
		struct target tg;
		struct tree *t;
		char *buf;
		size_t len;
		print_message("layout: %s\n", layouts[k]);
		assert_int_equal(sh("set -e; cd %s; rm -f fs.img; mke2fs -q -F %s -d t fs.img 32M >/dev/null 2>&1", dir,
				    layouts[k]), 0);
		t = rw(&tg);
		assert_int_equal(tree_replace(t, "/etc/shadow", "root:new:1::::::\n", 17, "/etc/shadow-", NULL), 0);
		assert_int_equal(tree_replace(t, "/etc/shadow", big, sizeof(big), "/etc/shadow-", NULL), 0);
		assert_int_equal(tree_replace(t, "/etc/shadow", "root:new:2::::::\n", 17, "/etc/shadow-", NULL), 0);
		assert_int_equal(tree_mkdir(t, "/etc/cloud", 0755, 0, 0), 0);
		assert_int_equal(tree_create(t, "/etc/cloud/a.cfg", big, 5000, 0644, 0, 0, 0), 0);
		assert_int_equal(tree_create(t, "/etc/cloud/b.cfg", "b\n", 2, 0644, 0, 0, 0), 0);
		assert_int_equal(tree_unlink(t, "/etc/cloud/a.cfg"), 0);
		done(&tg);
		assert_int_equal(tree_open_ext4(img, &t), 0);
		assert_int_equal(tree_read(t, "/etc/shadow-", &buf, &len, 1 << 20), 0);
		assert_int_equal(len, sizeof(big));
		assert_memory_equal(buf, big, sizeof(big));
		free(buf);
		assert_int_equal(tree_read(t, "/etc/shadow", &buf, &len, 1 << 20), 0);
		assert_string_equal(buf, "root:new:2::::::\n");
		free(buf);
		assert_int_equal(tree_read(t, "/etc/cloud/b.cfg", &buf, &len, 1 << 20), 0);
		assert_string_equal(buf, "b\n");
		free(buf);
		tree_close(t);
	}
}

int main(void)
{
	if (geteuid() != 0) {
		print_message("skipped: editing an image needs root (loop devices, mount)\n");
		return 0;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(edit_stays_clean, setup, teardown),
		cmocka_unit_test_setup_teardown(planning_writes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(refuses_journal_recovery, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_ro_feature_is_a_refusal, setup, teardown),
		cmocka_unit_test_setup_teardown(backup_hard_link_is_not_written_through, setup, teardown),
		cmocka_unit_test_setup_teardown(full_fs_leaves_file_intact, setup, teardown),
		cmocka_unit_test_setup_teardown(edits_on_every_layout, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
