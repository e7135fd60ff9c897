/* lib/growpart.c over a real tree (a temporary directory, and an ext4 image
 * for tree_mkdir): status merging, the plan, idempotence, undo. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../../lib/growpart.h"
#include "../../lib/tree.h"
#include "../../lib/target.h"
#include "../../lib/err.h"

static char top[256];

static void put(const char *rel, const char *text)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", top, rel);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int exists(const char *rel)
{
	char p[512];
	struct stat st;
	snprintf(p, sizeof(p), "%s/%s", top, rel);
	return lstat(p, &st) == 0;
}

static void mk(const char *rel)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", top, rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

static int setup(void **s)
{
	(void)s;
	snprintf(top, sizeof(top), "/tmp/rc-gp-XXXXXX");
	if (!mkdtemp(top))
		return -1;
	mk("etc");
	mk("etc/cloud");
	mk("etc/cloud/cloud.cfg.d");
	put("etc/cloud/cloud.cfg", "cloud_init_modules:\n - growpart\n - resizefs\n - ssh\n");
	put("etc/fstab", "UUID=x / ext4 defaults 0 1\n");
	return 0;
}

static int teardown(void **s)
{
	(void)s;
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	return system(cmd) == 0 ? 0 : -1;
}

static struct tree *open_top(int rw)
{
	struct tree *t = NULL;
	assert_int_equal(tree_open_dir(top, rw, &t), 0);
	return t;
}

static struct growpart_status status(void)
{
	struct growpart_status st;
	struct tree *t = open_top(0);
	assert_int_equal(growpart_status(t, NULL, &st), 0);
	tree_close(t);
	return st;
}

static void t_status_before(void **s)
{
	(void)s;
	struct growpart_status st = status();
	assert_true(st.cloud_init);
	assert_true(st.growpart_runs);
	assert_true(st.resizefs_runs);
	assert_false(st.growroot_runs);   /* no hook installed */
	assert_true(st.would_grow);
	assert_int_equal(st.reasons.n, 2);
	assert_string_equal(st.list_from[GP_INIT_MODULES], GP_CLOUD_CFG);
}

static void t_ignored_files(void **s)
{
	(void)s;
	put("etc/cloud/cloud.cfg.d/50-off.cfg.bak", "growpart: {mode: 'off'}\n");   /* not *.cfg */
	mk("etc/cloud/cloud.cfg.d/60-dir.cfg");                                  /* not a file */
	put("etc/cloud/cloud.cfg.d/70-bad.cfg", "growpart: {mode: 'off'\n");      /* not YAML */
	struct growpart_status st = status();
	assert_true(st.growpart_runs);
	assert_int_equal(st.warnings.n, 1);
	assert_non_null(strstr(st.warnings.m[0], "70-bad.cfg"));
	unlink(strcat(strcpy((char[512]){ 0 }, top), "/etc/cloud/cloud.cfg.d/50-off.cfg.bak"));
	rmdir(strcat(strcpy((char[512]){ 0 }, top), "/etc/cloud/cloud.cfg.d/60-dir.cfg"));
	unlink(strcat(strcpy((char[512]){ 0 }, top), "/etc/cloud/cloud.cfg.d/70-bad.cfg"));
}

static void t_dry_run_writes_nothing(void **s)
{
	(void)s;
	struct growpart_report rep;
	struct tree *t = open_top(0);   /* read-only: any write would fail */
	assert_int_equal(growpart_disable(t, GROWPART_DRY_RUN | GROWPART_EDIT_CLOUD_CFG, &rep), 0);
	tree_close(t);
	assert_int_equal(rep.nact, 3);
	assert_int_equal(rep.act[0].op, GP_OP_CREATE);
	assert_string_equal(rep.act[0].path, GP_DROPIN);
	assert_int_equal(rep.act[1].op, GP_OP_CREATE);
	assert_string_equal(rep.act[1].path, GP_GROWROOT_OFF);
	assert_int_equal(rep.act[2].op, GP_OP_REPLACE);
	assert_string_equal(rep.act[2].backup, GP_CFG_BACKUP);
	assert_string_equal(rep.act[2].data, "cloud_init_modules:\n - ssh\n");
	assert_int_equal(rep.removed_entries, 2);
	assert_false(rep.still_grows);   /* computed over the plan, not the disk */
	growpart_report_free(&rep);
	assert_false(exists("etc/growroot-disabled"));
	assert_false(exists("etc/cloud/cloud.cfg.d/" GP_DROPIN_NAME));
}

static void t_disable_then_again(void **s)
{
	(void)s;
	struct growpart_report rep;
	struct tree *t = open_top(1);
	assert_int_equal(growpart_disable(t, 0, &rep), 0);
	assert_int_equal(rep.nact, 2);
	assert_true(rep.changed);
	growpart_report_free(&rep);
	assert_int_equal(growpart_disable(t, 0, &rep), 0);
	assert_int_equal(rep.nact, 0);
	assert_false(rep.changed);
	assert_int_equal(rep.notes.n, 2);
	growpart_report_free(&rep);
	tree_close(t);
	struct growpart_status st = status();
	assert_false(st.would_grow);
	assert_true(st.dropin && st.dropin_ours && st.growroot_disabled_ours);
	assert_true(st.growpart_listed);        /* still listed in cloud.cfg ... */
	assert_false(st.growpart_runs);         /* ... but off */
}

static void t_later_file_reported(void **s)
{
	(void)s;
	put("etc/cloud/cloud.cfg.d/zzz.cfg", "resize_rootfs: noblock\ngrowpart:\n  ignore_growroot_disabled: true\n");
	struct growpart_status st = status();
	assert_true(st.resizefs_runs);
	assert_false(st.growpart_runs);          /* mode 'off' from ours still holds */
	assert_int_equal(st.later.n, 2);
	assert_non_null(strstr(st.later.m[0], "zzz.cfg"));
	put("etc/cloud/cloud.cfg.d/zzz.cfg", "growpart: {mode: growpart}\n");
	st = status();
	/* mode is on again, but /etc/growroot-disabled still stops growpart ... */
	assert_false(st.growpart_runs);
	assert_int_equal(st.later.n, 1);
	/* ... unless ignore_growroot_disabled */
	put("etc/cloud/cloud.cfg.d/zzz.cfg", "growpart: {mode: growpart, ignore_growroot_disabled: true}\n");
	st = status();
	assert_true(st.growpart_runs);
	unlink(strcat(strcpy((char[512]){ 0 }, top), "/etc/cloud/cloud.cfg.d/zzz.cfg"));
	st = status();
	assert_false(st.would_grow);
}

static void t_cloud_init_disabled(void **s)
{
	(void)s;
	struct growpart_report rep;
	struct tree *t = open_top(1);
	assert_int_equal(growpart_undo(t, 0, &rep), 0);
	assert_int_equal(rep.nact, 2);
	growpart_report_free(&rep);
	tree_close(t);
	assert_true(status().would_grow);
	put("etc/cloud/cloud-init.disabled", "");
	struct growpart_status st = status();
	assert_true(st.cloud_init_disabled);
	assert_false(st.would_grow);
	unlink(strcat(strcpy((char[512]){ 0 }, top), "/etc/cloud/cloud-init.disabled"));
}

static void t_foreign_dropin(void **s)
{
	(void)s;
	struct growpart_report rep;
	put("etc/cloud/cloud.cfg.d/" GP_DROPIN_NAME, "growpart: {mode: auto}\n");
	struct tree *t = open_top(1);
	assert_int_equal(growpart_undo(t, GROWPART_DRY_RUN, &rep), 0);
	assert_int_equal(rep.nact, 0);          /* not ours: left alone */
	assert_int_equal(rep.warnings.n, 1);
	growpart_report_free(&rep);
	assert_int_equal(growpart_disable(t, GROWPART_DRY_RUN, &rep), 0);
	assert_int_equal(rep.act[0].op, GP_OP_CREATE);  /* rewritten with ours */
	assert_non_null(strstr(rep.act[0].what, "rewrite"));
	growpart_report_free(&rep);
	tree_close(t);
	unlink(strcat(strcpy((char[512]){ 0 }, top), "/etc/cloud/cloud.cfg.d/" GP_DROPIN_NAME));
}

static void t_conf_d(void **s)
{
	(void)s;
	struct growpart_report rep;
	struct tree *t = open_top(1);
	assert_int_equal(growpart_disable(t, 0, &rep), 0);
	growpart_report_free(&rep);
	tree_close(t);
	assert_false(status().would_grow);
	put("etc/cloud/cloud.cfg", "conf_d: /etc/cloud/cloud.cfg.d/\ncloud_init_modules:\n - growpart\n");
	assert_false(status().would_grow);
	put("etc/cloud/cloud.cfg", "conf_d: /etc/cloud/elsewhere\ncloud_init_modules:\n - growpart\n");
	struct growpart_status st = status();
	assert_true(st.dropins_ignored);
	assert_true(st.growpart_runs == 0);     /* /etc/growroot-disabled still stops growpart */
	assert_true(st.resizefs_runs == 0);     /* not listed */
	assert_int_equal(st.warnings.n, 1);
	put("etc/cloud/cloud.cfg", "conf_d: false\ncloud_init_modules:\n - resizefs\n");
	st = status();
	assert_true(st.dropins_ignored);
	assert_true(st.resizefs_runs);          /* resize_rootfs: false is in the ignored drop-in */
	put("etc/cloud/cloud.cfg", "cloud_init_modules:\n - growpart\n - resizefs\n - ssh\n");
	t = open_top(1);
	assert_int_equal(growpart_undo(t, 0, &rep), 0);
	growpart_report_free(&rep);
	tree_close(t);
}

static void t_mkdir(void **s)
{
	(void)s;
	char img[512], cmd[1200];
	struct tree *t = open_top(1);
	struct tree_stat st;
	assert_int_equal(tree_mkdir(t, "/var", 0750, 0, 0), 0);
	assert_int_equal(tree_stat(t, "/var", 0, &st), 0);
	assert_int_equal(st.type, 'd');
	assert_int_equal(st.mode, 0750);
	assert_int_equal(tree_mkdir(t, "/var", 0750, 0, 0), -EEXIST);
	assert_true(tree_mkdir(t, "/no/such/dir", 0755, 0, 0) < 0);
	tree_close(t);

	snprintf(img, sizeof(img), "%s.img", top);
	snprintf(cmd, sizeof(cmd), "mke2fs -q -F -t ext4 -d '%s' '%s' 8M >/dev/null 2>&1", top, img);
	if (system(cmd) != 0) {
		unlink(img);
		skip();
	}
	/* an image is written through a private mount (needs root for the loop device) */
	struct target tg;
	if (geteuid() != 0) {
		unlink(img);
		skip();
	}
	assert_int_equal(target_open(img, NULL, TARGET_RW, &tg), 0);
	assert_int_equal(target_writable(&tg), 0);
	t = tg.tree;
	assert_int_equal(tree_mkdir(t, "/etc/new", 0755, 12, 34), 0);
	assert_int_equal(tree_mkdir(t, "/etc/new", 0755, 0, 0), -EEXIST);
	assert_int_equal(tree_create(t, "/etc/new/f", "x\n", 2, 0644, 0, 0, 0), 0);
	assert_int_equal(tree_stat(t, "/etc/new", 0, &st), 0);
	assert_int_equal(st.type, 'd');
	assert_int_equal(st.uid, 12);
	assert_int_equal(st.gid, 34);
	assert_int_equal(st.mode, 0755);
	assert_int_equal(target_close(&tg), 0);
	snprintf(cmd, sizeof(cmd), "e2fsck -fn '%s' >/dev/null 2>&1", img);
	int rc = system(cmd);
	unlink(img);
	assert_int_equal(rc, 0);
}

/* The plan checked before any write: planned directories count, anything
 * but a regular file (or a directory for mkdir) at a written path refuses. */
static void t_plan_check(void **s)
{
	(void)s;
	struct growpart_report rep;
	struct tree *t = open_top(0);
	memset(&rep, 0, sizeof(rep));
	rep.nact = 2;
	rep.act[0].op = GP_OP_MKDIR;
	snprintf(rep.act[0].path, sizeof(rep.act[0].path), "/etc/newdir");
	rep.act[1].op = GP_OP_CREATE;
	snprintf(rep.act[1].path, sizeof(rep.act[1].path), "/etc/newdir/x.cfg");
	assert_int_equal(gp_check_plan(t, &rep), 0);
	/* without the mkdir the parent is missing */
	rep.act[0].op = GP_OP_CREATE;
	snprintf(rep.act[0].path, sizeof(rep.act[0].path), "/etc/fstab");
	rc_clear();
	assert_int_equal(gp_check_plan(t, &rep), -ENOENT);
	assert_string_equal(rc_msg(), "/etc/newdir does not exist; nothing was written");
	/* a FIFO where a file goes, a link where the backup goes */
	char p[512];
	snprintf(p, sizeof(p), "%s/etc/fifo", top);
	assert_int_equal(mkfifo(p, 0644), 0);
	rep.nact = 1;
	snprintf(rep.act[0].path, sizeof(rep.act[0].path), "/etc/fifo");
	assert_int_equal(gp_check_plan(t, &rep), -EEXIST);
	assert_int_equal(rc_exit_hint(), RC_EXIT_REFUSED);
	assert_non_null(strstr(rc_msg(), "/etc/fifo is neither a regular file nor a directory"));
	unlink(p);
	snprintf(p, sizeof(p), "%s/etc/link", top);
	assert_int_equal(symlink("fstab", p), 0);
	rep.act[0].op = GP_OP_REPLACE;
	snprintf(rep.act[0].path, sizeof(rep.act[0].path), "/etc/fstab");
	snprintf(rep.act[0].backup, sizeof(rep.act[0].backup), "/etc/link");
	assert_int_equal(gp_check_plan(t, &rep), -ELOOP);
	assert_non_null(strstr(rc_msg(), "/etc/link is a symbolic link, where a regular file is needed"));
	unlink(p);
	tree_close(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_status_before),
		cmocka_unit_test(t_ignored_files),
		cmocka_unit_test(t_dry_run_writes_nothing),
		cmocka_unit_test(t_disable_then_again),
		cmocka_unit_test(t_later_file_reported),
		cmocka_unit_test(t_cloud_init_disabled),
		cmocka_unit_test(t_foreign_dropin),
		cmocka_unit_test(t_conf_d),
		cmocka_unit_test(t_mkdir),
		cmocka_unit_test(t_plan_check),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
