/* doctor's filesystem-state checks (fs.*) on an ext4 image of the small
 * healthy tree, read offline: each superblock state planted with debugfs or
 * tune2fs gives its finding, with the device as the evidence. */
#include "doctor_tree.h"
#include "../../lib/dview.h"
#include "../../lib/target.h"

static char img[300];

static int setup(void **s)
{
	char cmd[800];
	(void)s;
	healthy_tree();
	snprintf(img, sizeof(img), "%s.img", top);
	snprintf(cmd, sizeof(cmd), "mke2fs -q -F -t ext4 -U " ROOT_UUID " -d '%s' '%s' 32M 2>/dev/null", top, img);
	return system(cmd) ? -1 : 0;
}

static int teardown(void **s)
{
	(void)s;
	unlink(img);
	remove_tree();
	return 0;
}

static void sh(const char *fmt)
{
	char cmd[800];
	snprintf(cmd, sizeof(cmd), fmt, img);
	assert_int_equal(system(cmd), 0);
}

/* Run check ID on the image; the finding, if any, into *F (a copy). */
static size_t on_image(const char *id, struct dr_finding *out)
{
	struct target tg;
	struct dview v;
	struct dr_ctx c;
	struct dr_opts o = { .now = 1764374400, .cmd_target = img, .journalctl = "" };
	assert_int_equal(target_open(img, NULL, 0, &tg), 0);
	dv_open(&v, &tg, 0);
	assert_int_equal(dr_init(&c, &v, &o), 0);
	assert_int_equal(dr_run_one(&c, id), 0);
	size_t n = c.nf;
	if (n)
		*out = c.f[0];
	dr_free(&c);
	dv_close(&v);
	target_close(&tg);
	return n;
}

static void healthy(void **s)
{
	(void)s;
	struct dr_finding f;
	assert_int_equal(on_image("fs.errors", &f), 0);
	assert_int_equal(on_image("fs.recovery", &f), 0);
	assert_int_equal(on_image("fs.forced-check", &f), 0);
	assert_int_equal(on_image("fs.full", &f), 0);
}

static void errors(void **s)
{
	(void)s;
	struct dr_finding f;
	sh("debugfs -w -R 'ssv state 3' '%s' >/dev/null 2>&1");
	assert_int_equal(on_image("fs.errors", &f), 1);
	assert_string_equal(f.file, img);
	assert_int_equal(f.sev, DR_BOOT);
	assert_non_null(strstr(f.fix, "rescuectl fsck"));
}

static void recovery(void **s)
{
	(void)s;
	struct dr_finding f;
	sh("debugfs -w -R 'feature needs_recovery' '%s' >/dev/null 2>&1");
	assert_int_equal(on_image("fs.recovery", &f), 1);
	assert_string_equal(f.file, img);
	assert_string_equal(f.seen, "needs_recovery");
	assert_int_equal(f.sev, DR_NOTE);
}

static void forced(void **s)
{
	(void)s;
	struct dr_finding f;
	sh("tune2fs -c 3 -C 7 '%s' >/dev/null 2>&1");
	assert_int_equal(on_image("fs.forced-check", &f), 1);
	assert_non_null(strstr(f.seen, "mounted 7 times"));
	sh("tune2fs -c 0 -C 0 -i 1d -T 20200101 '%s' >/dev/null 2>&1");
	assert_int_equal(on_image("fs.forced-check", &f), 1);
	assert_non_null(strstr(f.seen, "a check is due every 86400 s"));
}

static void full(void **s)
{
	(void)s;
	struct dr_finding f;
	sh("debugfs -w -R 'ssv free_blocks_count 10' '%s' >/dev/null 2>&1");
	assert_int_equal(on_image("fs.full", &f), 1);
	assert_string_equal(f.file, "/");
	assert_int_equal(f.sev, DR_DEGRADED);
	assert_non_null(strstr(f.seen, "0 MiB free of 32 MiB"));
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test_setup_teardown(healthy, setup, teardown),
		cmocka_unit_test_setup_teardown(errors, setup, teardown),
		cmocka_unit_test_setup_teardown(recovery, setup, teardown),
		cmocka_unit_test_setup_teardown(forced, setup, teardown),
		cmocka_unit_test_setup_teardown(full, setup, teardown),
	};
	if (geteuid() != 0) {
		print_message("test_doctor_fs: needs root\n");
		return 0;
	}
	return cmocka_run_group_tests(t, NULL, NULL);
}
