/* Unit tests for lib/e2tools.c (which e2fsck, resize2fs, mke2fs runs) and
 * run_pin in lib/run.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../../lib/e2tools.h"
#include "../../lib/fsck.h"
#include "../../lib/run.h"
#include "../../lib/err.h"

static int decide(const char *prog, int found, unsigned ver, const char *feat, enum e2t_pref pref,
		  unsigned bundled, char *why)
{
	struct e2t_facts f = { .found = found, .ver = ver, .features = feat, .pref = pref, .bundled_ver = bundled };
	return e2t_decide(prog, &f, why, 256);
}

static void decisions(void **state)
{
	(void)state;
	char why[256];
	const unsigned b = FSCK_VER(1, 47, 0);
	const char *modern = "has_journal ext_attr resize_inode dir_index filetype extent 64bit flex_bg "
			     "metadata_csum_seed sparse_super large_file huge_file dir_nlink extra_isize "
			     "metadata_csum orphan_file";
	/* none on the rescue system */
	assert_int_equal(decide("e2fsck", 0, 0, modern, E2T_AUTO, b, why), 1);
	assert_string_equal(why, "the rescue system has none");
	assert_int_equal(decide("mke2fs", 0, 0, NULL, E2T_AUTO, b, why), 1);
	/* too old: the features it lacks and the bundled one knows are named */
	assert_int_equal(decide("e2fsck", 1, FSCK_VER(1, 42, 9), modern, E2T_AUTO, b, why), 1);
	assert_string_equal(why, "the rescue system's e2fsck 1.42.9 is too old for metadata_csum_seed, "
				 "metadata_csum, orphan_file");
	assert_int_equal(decide("resize2fs", 1, FSCK_VER(1, 46, 5), modern, E2T_AUTO, b, why), 1);
	assert_string_equal(why, "the rescue system's resize2fs 1.46.5 is too old for orphan_file");
	/* new enough, or newer than the bundled one: the system's, nothing to say */
	assert_int_equal(decide("e2fsck", 1, FSCK_VER(1, 47, 0), modern, E2T_AUTO, b, why), 0);
	assert_string_equal(why, "");
	assert_int_equal(decide("e2fsck", 1, FSCK_VER(1, 47, 2), modern, E2T_AUTO, b, why), 0);
	assert_int_equal(decide("e2fsck", 1, FSCK_VER(1, 42, 9), "has_journal ext_attr filetype extent 64bit", E2T_AUTO, b, why), 0);
	/* no features to check (mke2fs, an unreadable superblock) */
	assert_int_equal(decide("mke2fs", 1, FSCK_VER(1, 41, 0), NULL, E2T_AUTO, b, why), 0);
	/* a version it does not tell: it runs, as before (the caller warns) */
	assert_int_equal(decide("e2fsck", 1, 0, modern, E2T_AUTO, b, why), 0);
	/* features no e2fsck knows, or rescuectl does not: the bundled one is no better */
	assert_int_equal(decide("e2fsck", 1, FSCK_VER(1, 42, 9), "has_journal compression FEATURE_I31", E2T_AUTO, b, why), 0);
	/* a feature newer than the bundled e2fsck too is not a reason */
	assert_int_equal(decide("e2fsck", 1, FSCK_VER(1, 42, 9), "orphan_file metadata_csum", E2T_AUTO,
				FSCK_VER(1, 46, 0), why), 1);
	assert_string_equal(why, "the rescue system's e2fsck 1.42.9 is too old for metadata_csum");
	/* forced */
	assert_int_equal(decide("e2fsck", 1, FSCK_VER(1, 47, 0), modern, E2T_BUNDLED, b, why), 1);
	assert_string_equal(why, "as asked");
	assert_int_equal(decide("e2fsck", 1, FSCK_VER(1, 42, 9), modern, E2T_SYSTEM, b, why), 0);
	assert_string_equal(why, "as asked");
}

static void bundled_version(void **state)
{
	(void)state;
	unsigned v = e2t_bundled_version();
	char s[24];
	assert_true(v >= FSCK_VER(1, 47, 0));
	fsck_version_str(v, s, sizeof(s));
	/* "1.47.0-2" starts with "1.47.0" */
	assert_int_equal(strncmp(e2t_bundled_version_str(), s, strlen(s)), 0);
	assert_string_equal(e2t_prog(E2T_E2FSCK), "e2fsck");
	assert_string_equal(e2t_prog(E2T_RESIZE2FS), "resize2fs");
	assert_string_equal(e2t_prog(E2T_MKE2FS), "mke2fs");
}

static void pins(void **state)
{
	(void)state;
	char p[PATH_MAX];
	setenv("RESCUECTL_NO_SBIN", "1", 1);
	setenv("PATH", "/nonexistent", 1);
	assert_int_equal(run_find("rc-test-prog", p, sizeof(p)), -ENOENT);
	assert_int_equal(run_pin("rc-test-prog", "/proc/self/exe"), 0);
	assert_int_equal(run_find("rc-test-prog", p, sizeof(p)), 0);
	assert_string_equal(p, "/proc/self/exe");
	/* pinned again: replaced, not added */
	assert_int_equal(run_pin("rc-test-prog", "/bin/sh"), 0);
	assert_int_equal(run_find("rc-test-prog", p, sizeof(p)), 0);
	assert_string_equal(p, "/bin/sh");
	assert_int_equal(run_pin("rc-test-prog", NULL), 0);
	assert_int_equal(run_find("rc-test-prog", p, sizeof(p)), -ENOENT);
	assert_int_equal(run_pin("a/b", "/bin/sh"), -ENAMETOOLONG);
	/* a bounded table */
	char name[16];
	int i, r = 0;
	for (i = 0; i < 20 && r == 0; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		r = run_pin(name, "/bin/sh");
	}
	assert_int_equal(r, -ENOSPC);
	assert_int_equal(i, 9);
	for (i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		assert_int_equal(run_pin(name, NULL), 0);
	}
}

/* A stand-in PROG in DIR that reports VERSION (as -V, or before a usage). */
static void fake(const char *dir, const char *prog, const char *version)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, prog);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\necho '%s %s (28-Dec-2013)' >&2\nexit 0\n", prog, version);
	fclose(f);
	chmod(path, 0755);
}

static void choose(void **state)
{
	(void)state;
	char dir[] = "/tmp/rc-e2tools-XXXXXX", p[PATH_MAX], want[PATH_MAX];
	struct e2t_choice c;
	assert_non_null(mkdtemp(dir));
	setenv("RESCUECTL_NO_SBIN", "1", 1);
	setenv("PATH", dir, 1);
	/* nothing there: bundled, and run_cmd of "e2fsck" now runs this binary */
	assert_int_equal(e2t_choose(E2T_E2FSCK, "has_journal", E2T_AUTO, &c), 0);
	assert_true(c.bundled);
	assert_false(c.sys_found);
	assert_string_equal(c.path, "/proc/self/exe");
	assert_int_equal(run_find("e2fsck", p, sizeof(p)), 0);
	assert_string_equal(p, "/proc/self/exe");
	/* ... and the system's one is a must when forced */
	assert_int_equal(e2t_choose(E2T_E2FSCK, "has_journal", E2T_SYSTEM, &c), -ENOENT);
	assert_non_null(strstr(rc_msg(), "e2fsprogs"));
	/* an old e2fsck: kept for old features, not for orphan_file */
	fake(dir, "e2fsck", "1.42.9");
	snprintf(want, sizeof(want), "%s/e2fsck", dir);
	assert_int_equal(e2t_choose(E2T_E2FSCK, "has_journal extent", E2T_AUTO, &c), 0);
	assert_false(c.bundled);
	assert_int_equal(c.ver, FSCK_VER(1, 42, 9));
	assert_string_equal(c.path, want);
	assert_int_equal(run_find("e2fsck", p, sizeof(p)), 0);
	assert_string_equal(p, want);
	char w[PATH_MAX + 400];
	snprintf(p, sizeof(p), "e2fsck 1.42.9 (the rescue system's %s)", want);
	assert_string_equal(e2t_words(&c, w, sizeof(w)), p);
	assert_int_equal(e2t_choose(E2T_E2FSCK, "has_journal orphan_file", E2T_AUTO, &c), 0);
	assert_true(c.bundled);
	assert_int_equal(c.sys_ver, FSCK_VER(1, 42, 9));
	assert_int_equal(c.ver, e2t_bundled_version());
	snprintf(p, sizeof(p), "e2fsck %s (bundled; the rescue system's e2fsck 1.42.9 is too old for orphan_file)", c.ver_str);
	assert_string_equal(e2t_words(&c, w, sizeof(w)), p);
	/* resize2fs is asked without arguments */
	fake(dir, "resize2fs", "1.46.5");
	assert_int_equal(e2t_choose(E2T_RESIZE2FS, "has_journal", E2T_AUTO, &c), 0);
	assert_false(c.bundled);
	assert_int_equal(c.ver, FSCK_VER(1, 46, 5));
	/* mke2fs: every name it answers to is pinned to the bundled one */
	assert_int_equal(e2t_choose(E2T_MKE2FS, NULL, E2T_AUTO, &c), 0);
	assert_true(c.bundled);
	assert_int_equal(run_find("mkfs.ext4", p, sizeof(p)), 0);
	assert_string_equal(p, "/proc/self/exe");
	/* the system's mke2fs: mkfs.ext4 is looked up in PATH again */
	fake(dir, "mke2fs", "1.42.9");
	assert_int_equal(e2t_choose(E2T_MKE2FS, NULL, E2T_AUTO, &c), 0);
	assert_false(c.bundled);
	assert_int_equal(run_find("mkfs.ext4", p, sizeof(p)), -ENOENT);
	char cmd[PATH_MAX + 16];
	setenv("PATH", "/usr/bin:/bin", 1);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* --checker's words, and the forced system program that is too old */
static void forced(void **state)
{
	(void)state;
	enum e2t_pref p = E2T_BUNDLED;
	char why[256];
	assert_int_equal(e2t_pref_parse("system", &p), 0);
	assert_int_equal(p, E2T_SYSTEM);
	assert_int_equal(e2t_pref_parse("auto", &p), 0);
	assert_int_equal(p, E2T_AUTO);
	assert_int_equal(e2t_pref_parse("bundled", &p), 0);
	assert_int_equal(p, E2T_BUNDLED);
	assert_int_equal(e2t_pref_parse("Bundled", &p), -EINVAL);
	assert_int_equal(p, E2T_BUNDLED);
	assert_int_equal(e2t_pref_parse("", &p), -EINVAL);
	struct e2t_choice c = { .prog = "e2fsck", .forced = 1, .sys_found = 1, .sys_ver = FSCK_VER(1, 42, 9) };
	assert_int_equal(e2t_forced_too_old(&c, "has_journal extent metadata_csum", why, sizeof(why)), 1);
	assert_string_equal(why, "the rescue system's e2fsck 1.42.9 is too old for metadata_csum");
	/* new enough, not forced, the bundled one, no features, no version: not refused */
	assert_int_equal(e2t_forced_too_old(&c, "has_journal extent", why, sizeof(why)), 0);
	assert_int_equal(e2t_forced_too_old(&c, NULL, why, sizeof(why)), 0);
	c.forced = 0;
	assert_int_equal(e2t_forced_too_old(&c, "metadata_csum", why, sizeof(why)), 0);
	c.forced = 1, c.bundled = 1;
	assert_int_equal(e2t_forced_too_old(&c, "metadata_csum", why, sizeof(why)), 0);
	c.bundled = 0, c.sys_ver = 0;
	assert_int_equal(e2t_forced_too_old(&c, "metadata_csum", why, sizeof(why)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decisions),
		cmocka_unit_test(bundled_version),
		cmocka_unit_test(pins),
		cmocka_unit_test(choose),
		cmocka_unit_test(forced),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
