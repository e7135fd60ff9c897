/* Unit tests for lib/fsck.c (and the pure geometry in lib/ext4.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <e2p/e2p.h>
#include <signal.h>
#include <string.h>
#include "../../lib/fsck.h"
#include "../../lib/ext4.h"
#include "../../lib/err.h"

static void status_words(void **state)
{
	(void)state;
	char b[256];
	assert_string_equal(fsck_status_words(0, b, sizeof(b)), "no errors");
	assert_string_equal(fsck_status_words(1, b, sizeof(b)), "errors corrected");
	assert_string_equal(fsck_status_words(3, b, sizeof(b)), "errors corrected; reboot needed");
	assert_string_equal(fsck_status_words(4, b, sizeof(b)), "errors left uncorrected");
	assert_string_equal(fsck_status_words(8, b, sizeof(b)), "operational error");
	assert_string_equal(fsck_status_words(12, b, sizeof(b)), "errors left uncorrected; operational error");
	assert_string_equal(fsck_status_words(16, b, sizeof(b)), "usage or syntax error");
	assert_string_equal(fsck_status_words(32, b, sizeof(b)), "cancelled by request");
	assert_string_equal(fsck_status_words(128, b, sizeof(b)), "shared-library error");
	assert_string_equal(fsck_status_words(64, b, sizeof(b)), "unknown bit 64");
	assert_string_equal(fsck_status_words(65, b, sizeof(b)), "errors corrected; unknown bit 64");
	assert_string_equal(fsck_status_words(256, b, sizeof(b)), "status 256 is not an fsck status");
	assert_string_equal(fsck_status_words(-1, b, sizeof(b)), "status -1 is not an fsck status");
	/* every combination fits and never overflows a small buffer */
	char small[8];
	for (int s = 0; s < 256; s++) {
		fsck_status_words(s, small, sizeof(small));
		assert_true(strlen(small) < sizeof(small));
		fsck_status_words(s, b, sizeof(b));
		assert_true(strlen(b) > 0);
	}
}

static void status_flags(void **state)
{
	(void)state;
	const char *f[8];
	assert_int_equal(fsck_status_flags(0, f, 8), 0);
	assert_int_equal(fsck_status_flags(3, f, 8), 2);
	assert_string_equal(f[0], "corrected");
	assert_string_equal(f[1], "reboot");
	assert_int_equal(fsck_status_flags(255, f, 8), 7);
	assert_string_equal(f[6], "library");
	assert_int_equal(fsck_status_flags(255, f, 2), 2);
	assert_int_equal(fsck_status_flags(-1, f, 8), 0);
}

static void version_parse(void **state)
{
	(void)state;
	unsigned v = 0;
	assert_int_equal(fsck_parse_e2fsck_version("e2fsck 1.47.0 (5-Feb-2023)\n"
						   "\tUsing EXT2FS Library version 1.47.0, 5-Feb-2023\n", &v), 0);
	assert_int_equal(v, 14700);
	assert_int_equal(fsck_parse_e2fsck_version("e2fsck 1.42.9 (28-Dec-2013)\n"
						   "\tUsing EXT2FS Library version 1.42.9, 28-Dec-2013\n", &v), 0);
	assert_int_equal(v, 14209);
	/* the e2fsck version wins over the library's */
	assert_int_equal(fsck_parse_e2fsck_version("e2fsck 1.46.5 (30-Dec-2021)\n"
						   "\tUsing EXT2FS Library version 1.47.1, 20-May-2024\n", &v), 0);
	assert_int_equal(v, 14605);
	/* two-part versions and suffixes */
	assert_int_equal(fsck_parse_e2fsck_version("e2fsck 1.45-WIP (09-Jul-2018)\n", &v), 0);
	assert_int_equal(v, 14500);
	assert_int_equal(fsck_parse_e2fsck_version("e2fsck 1.47.2-rc1 (1-Nov-2024)\n", &v), 0);
	assert_int_equal(v, 14702);
	/* only the library line */
	assert_int_equal(fsck_parse_e2fsck_version("something\n\tUsing EXT2FS Library version 1.44.5, 15-Dec-2018\n", &v), 0);
	assert_int_equal(v, 14405);
	/* garbage */
	assert_int_equal(fsck_parse_e2fsck_version("", &v), -EINVAL);
	assert_int_equal(fsck_parse_e2fsck_version(NULL, &v), -EINVAL);
	assert_int_equal(fsck_parse_e2fsck_version("e2fsck: unknown option\n", &v), -EINVAL);
	assert_int_equal(fsck_parse_e2fsck_version("e2fsck x.y\n", &v), -EINVAL);
	assert_int_equal(fsck_parse_e2fsck_version("e2fsck 1\n", &v), -EINVAL);
	assert_int_equal(fsck_parse_e2fsck_version("e2fsck 1.999.0\n", &v), -EINVAL);
	assert_int_equal(fsck_parse_e2fsck_version("busybox e2fsck 1.47.0\n", &v), -EINVAL);
	/* the other programs: resize2fs says it before its usage, mke2fs -V */
	assert_int_equal(fsck_parse_version("resize2fs", "resize2fs 1.46.5 (30-Dec-2021)\nUsage: resize2fs "
					    "[-d debug_flags] [-f] [-F] [-M] [-P] [-p] device [-b|-s|new_size]\n", &v), 0);
	assert_int_equal(v, 14605);
	assert_int_equal(fsck_parse_version("mke2fs", "mke2fs 1.42.9 (28-Dec-2013)\n"
					    "\tUsing EXT2FS Library version 1.42.9\n", &v), 0);
	assert_int_equal(v, 14209);
	/* another program's line is not this one's */
	assert_int_equal(fsck_parse_version("mke2fs", "e2fsck 1.47.0 (5-Feb-2023)\n", &v), -EINVAL);
	assert_int_equal(fsck_parse_version("resize2fs", "resize2fsx 1.47.0\n", &v), -EINVAL);
	assert_int_equal(fsck_parse_version("resize2fs", "resize2fs: simulated failure\n", &v), -EINVAL);
	char b[32];
	assert_string_equal(fsck_version_str(14700, b, sizeof(b)), "1.47.0");
	assert_string_equal(fsck_version_str(14404, b, sizeof(b)), "1.44.4");
	assert_string_equal(fsck_version_str(FSCK_FEAT_NEVER, b, sizeof(b)), "none");
}

static void feature_table(void **state)
{
	(void)state;
	assert_int_equal(fsck_feature_min_version("orphan_file"), FSCK_VER(1, 47, 0));
	assert_int_equal(fsck_feature_min_version("orphan_present"), FSCK_VER(1, 47, 0));
	assert_int_equal(fsck_feature_min_version("metadata_csum"), FSCK_VER(1, 43, 0));
	assert_int_equal(fsck_feature_min_version("casefold"), FSCK_VER(1, 45, 0));
	assert_int_equal(fsck_feature_min_version("fast_commit"), FSCK_VER(1, 46, 0));
	assert_int_equal(fsck_feature_min_version("verity"), FSCK_VER(1, 44, 4));
	assert_int_equal(fsck_feature_min_version("has_journal"), FSCK_VER(1, 41, 0));
	assert_int_equal(fsck_feature_min_version("compression"), FSCK_FEAT_NEVER);
	assert_int_equal(fsck_feature_min_version("FEATURE_I31"), FSCK_FEAT_UNKNOWN);
	assert_int_equal(fsck_feature_min_version(""), FSCK_FEAT_UNKNOWN);
	/* every feature name the linked libe2p knows is in the table */
	for (int w = 0; w < 3; w++)
		for (int b = 0; b < 32; b++) {
			const char *n = e2p_feature2string(w, 1u << b);
			if (strncmp(n, "FEATURE_", 8))
				assert_true(fsck_feature_min_version(n) != FSCK_FEAT_UNKNOWN);
		}
}

static void features_unknown(void **state)
{
	(void)state;
	struct fsck_feat f[8];
	const char *debian12 = "has_journal ext_attr resize_inode dir_index orphan_file filetype extent "
			       "64bit flex_bg metadata_csum_seed sparse_super large_file huge_file "
			       "dir_nlink extra_isize metadata_csum";
	/* Alpine 3.x with e2fsprogs 1.46.6 and a Debian 12 root: orphan_file */
	int n = fsck_features_unknown(debian12, FSCK_VER(1, 46, 6), f, 8);
	assert_int_equal(n, 1);
	assert_string_equal(f[0].name, "orphan_file");
	assert_int_equal(f[0].needs, FSCK_VER(1, 47, 0));
	assert_int_equal(fsck_features_unknown(debian12, FSCK_VER(1, 47, 0), f, 8), 0);
	/* 1.42: metadata_csum, its seed and orphan_file */
	n = fsck_features_unknown(debian12, FSCK_VER(1, 42, 9), f, 8);
	assert_int_equal(n, 3);
	assert_string_equal(f[0].name, "orphan_file");
	assert_string_equal(f[1].name, "metadata_csum_seed");
	assert_string_equal(f[2].name, "metadata_csum");
	/* never supported and unknown ones are listed whatever the version */
	n = fsck_features_unknown("  filetype  compression FEATURE_I31 ", FSCK_VER(9, 99, 99), f, 8);
	assert_int_equal(n, 2);
	assert_int_equal(f[0].needs, FSCK_FEAT_NEVER);
	assert_string_equal(f[1].name, "FEATURE_I31");
	assert_int_equal(f[1].needs, FSCK_FEAT_UNKNOWN);
	/* MAX is respected; empty input */
	assert_int_equal(fsck_features_unknown(debian12, FSCK_VER(1, 42, 9), f, 1), 1);
	assert_int_equal(fsck_features_unknown("", 0, f, 8), 0);
	assert_int_equal(fsck_features_unknown(NULL, 0, f, 8), 0);
	/* an overlong name is cut, not overflowed */
	char longname[100];
	memset(longname, 'x', sizeof(longname) - 1);
	longname[99] = 0;
	assert_int_equal(fsck_features_unknown(longname, 0, f, 8), 1);
	assert_int_equal(strlen(f[0].name), sizeof(f[0].name) - 1);
}

static char *joined(const struct fsck_plan *p, char *b, size_t sz)
{
	b[0] = 0;
	for (int i = 0; i < p->argc; i++) {
		size_t l = strlen(b);
		snprintf(b + l, sz - l, "%s%s", i ? " " : "", p->argv[i]);
	}
	assert_null(p->argv[p->argc]);
	return b;
}

static void plans(void **state)
{
	(void)state;
	struct fsck_plan p;
	struct fsck_opts o = { 0 };
	char b[256];

	assert_int_equal(fsck_plan("ext4", "/dev/md127", &o, &p), 0);
	assert_string_equal(joined(&p, b, sizeof(b)), "e2fsck -f -p /dev/md127");
	assert_int_equal(p.kind, FSCK_KIND_E2FSCK);
	assert_string_equal(p.prog, "e2fsck");
	assert_true(p.writes);

	o.mode = FSCK_MODE_YES;
	o.progress = 1;
	o.verbose = 1;
	assert_int_equal(fsck_plan("ext3", "img", &o, &p), 0);
	assert_string_equal(joined(&p, b, sizeof(b)), "e2fsck -f -y -C 0 -v img");

	o = (struct fsck_opts){ .mode = FSCK_MODE_CHECK, .superblock = 32768, .blocksize = 4096 };
	assert_int_equal(fsck_plan("ext2", "img", &o, &p), 0);
	assert_string_equal(joined(&p, b, sizeof(b)), "e2fsck -f -n -b 32768 -B 4096 img");
	assert_false(p.writes);

	o = (struct fsck_opts){ .mode = FSCK_MODE_CHECK };
	assert_int_equal(fsck_plan("xfs", "img", &o, &p), 0);
	assert_string_equal(joined(&p, b, sizeof(b)), "xfs_repair -n img");
	assert_false(p.writes);
	o.mode = FSCK_MODE_PREEN;
	assert_int_equal(fsck_plan("xfs", "img", &o, &p), 0);
	assert_string_equal(joined(&p, b, sizeof(b)), "xfs_repair -e img");
	assert_true(p.writes);

	o = (struct fsck_opts){ .mode = FSCK_MODE_YES };
	assert_int_equal(fsck_plan("btrfs", "img", &o, &p), 0);
	assert_string_equal(joined(&p, b, sizeof(b)), "btrfs check --readonly img");
	assert_false(p.writes);
	assert_null(p.warning);
	o.btrfs_repair = 1;
	assert_int_equal(fsck_plan("btrfs", "img", &o, &p), 0);
	assert_string_equal(joined(&p, b, sizeof(b)), "btrfs check --repair img");
	assert_true(p.writes);
	assert_non_null(p.warning);
	/* --check-only wins over --repair */
	o.mode = FSCK_MODE_CHECK;
	assert_int_equal(fsck_plan("btrfs", "img", &o, &p), 0);
	assert_string_equal(joined(&p, b, sizeof(b)), "btrfs check --readonly img");

	/* refusals carry fsck(8) exit hints */
	assert_int_equal(fsck_plan("ext4", "img", &o, &p), -EINVAL);
	assert_int_equal(rc_exit_hint(), FSCK_EX_USAGE);
	o = (struct fsck_opts){ 0 };
	assert_int_equal(fsck_plan("linux_raid_member", "/dev/sda1", &o, &p), -EOPNOTSUPP);
	assert_int_equal(rc_exit_hint(), FSCK_EX_OPERATIONAL);
	assert_non_null(strstr(rc_msg(), "mdadm --assemble --scan"));
	assert_int_equal(fsck_plan("vfat", "x", &o, &p), -EOPNOTSUPP);
	assert_non_null(strstr(rc_msg(), "fsck.vfat"));
	assert_int_equal(fsck_plan("", "x", &o, &p), -ENOENT);
	assert_int_equal(fsck_plan(NULL, "x", &o, &p), -ENOENT);
	assert_int_equal(fsck_plan("jbd", "x", &o, &p), -EOPNOTSUPP);
	assert_int_equal(fsck_plan("swap", "x", &o, &p), -EOPNOTSUPP);
	o.superblock = 8193;
	assert_int_equal(fsck_plan("xfs", "x", &o, &p), -EINVAL);
	assert_string_equal(fsck_mode_name(FSCK_MODE_CHECK), "check-only");
}

static void map_status(void **state)
{
	(void)state;
	struct fsck_plan p = { .kind = FSCK_KIND_E2FSCK };
	for (int s = 0; s < 256; s++)
		assert_int_equal(fsck_map_status(&p, s, 0), s);
	assert_int_equal(fsck_map_status(&p, SIGINT, 1), FSCK_EX_CANCELLED);
	assert_int_equal(fsck_map_status(&p, SIGSEGV, 1), FSCK_EX_OPERATIONAL);
	p.kind = FSCK_KIND_XFS;
	assert_int_equal(fsck_map_status(&p, 0, 0), 0);
	assert_int_equal(fsck_map_status(&p, 1, 0), 4);
	assert_int_equal(fsck_map_status(&p, 2, 0), 4);
	assert_int_equal(fsck_map_status(&p, 4, 0), 1);
	assert_int_equal(fsck_map_status(&p, 3, 0), 8);
	p.kind = FSCK_KIND_BTRFS;
	assert_int_equal(fsck_map_status(&p, 0, 0), 0);
	assert_int_equal(fsck_map_status(&p, 1, 0), 4);
}

static void sb_diff(void **state)
{
	(void)state;
	struct ext4_info a, b;
	struct fsck_change c[16];
	memset(&a, 0, sizeof(a));
	strcpy(a.features, "has_journal ext_attr needs_recovery extent");
	a.state = 2;
	a.errors = 1;
	a.error_count = 3;
	a.free_blocks = 100;
	a.needs_recovery = 1;
	b = a;
	assert_int_equal(fsck_sb_diff(&a, &b, c, 16), 0);
	b.state = 1;
	b.errors = 0;
	b.clean = 1;
	b.error_count = 0;
	b.free_blocks = 90;
	b.needs_recovery = 0;
	b.last_check = 86400;
	strcpy(b.features, "has_journal ext_attr extent orphan_file");
	int n = fsck_sb_diff(&a, &b, c, 16);
	assert_int_equal(n, 6);
	assert_string_equal(c[0].field, "state");
	assert_string_equal(c[0].before, "not clean, errors recorded");
	assert_string_equal(c[0].after, "clean");
	assert_string_equal(c[1].field, "needs_recovery");
	assert_string_equal(c[1].after, "no");
	assert_string_equal(c[2].field, "free_blocks");
	assert_string_equal(c[2].before, "100");
	assert_string_equal(c[2].after, "90");
	assert_string_equal(c[3].field, "error_count");
	assert_string_equal(c[4].field, "last_check");
	assert_string_equal(c[4].before, "never");
	assert_string_equal(c[4].after, "1970-01-02T00:00:00Z");
	assert_string_equal(c[5].field, "features");
	assert_string_equal(c[5].before, "needs_recovery");
	assert_string_equal(c[5].after, "orphan_file");
	assert_int_equal(fsck_sb_diff(&a, &b, c, 2), 2);
	struct ext4_info e = { 0 };
	e.clean = 1;
	assert_string_equal(fsck_state_words(&e), "clean");
	e.clean = 0;
	assert_string_equal(fsck_state_words(&e), "not clean");
	e.errors = 1;
	e.clean = 1;
	assert_string_equal(fsck_state_words(&e), "errors recorded");
}

static void backup_locations(void **state)
{
	(void)state;
	uint64_t o[64];
	const uint32_t none[2] = { 0, 0 };
	/* 4k blocks, 32768 per group, 1 GiB = 262144 blocks = 8 groups:
	 * backups in 1, 3, 5, 7 (mke2fs -n says 32768, 98304, 163840, 229376) */
	int n = ext4_backup_locations(262144, 0, 32768, 1, 0, none, o, 64);
	assert_int_equal(n, 4);
	assert_int_equal(o[0], 32768);
	assert_int_equal(o[1], 98304);
	assert_int_equal(o[2], 163840);
	assert_int_equal(o[3], 229376);
	/* 1k blocks: first data block 1, 8192 per group, 64 MiB = 65536 blocks, 8 groups */
	n = ext4_backup_locations(65536, 1, 8192, 1, 0, none, o, 64);
	assert_int_equal(n, 4);
	assert_int_equal(o[0], 8193);
	assert_int_equal(o[3], 57345);
	/* 30 groups: 1 3 5 7 9 25 27 */
	n = ext4_backup_locations(30ull * 32768, 0, 32768, 1, 0, none, o, 64);
	assert_int_equal(n, 7);
	assert_int_equal(o[4], 9ull * 32768);
	assert_int_equal(o[5], 25ull * 32768);
	assert_int_equal(o[6], 27ull * 32768);
	/* not sparse: every group */
	n = ext4_backup_locations(5ull * 8192, 1, 8192, 0, 0, none, o, 64);
	assert_int_equal(n, 4);
	/* sparse_super2 */
	const uint32_t two[2] = { 1, 9 };
	n = ext4_backup_locations(30ull * 32768, 0, 32768, 1, 1, two, o, 64);
	assert_int_equal(n, 2);
	assert_int_equal(o[1], 9ull * 32768);
	/* one group, nonsense, MAX */
	assert_int_equal(ext4_backup_locations(32768, 0, 32768, 1, 0, none, o, 64), 0);
	assert_int_equal(ext4_backup_locations(100, 0, 0, 1, 0, none, o, 64), 0);
	assert_int_equal(ext4_backup_locations(1, 1, 8192, 1, 0, none, o, 64), 0);
	assert_int_equal(ext4_backup_locations(30ull * 32768, 0, 32768, 1, 0, none, o, 2), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(status_words),
		cmocka_unit_test(status_flags),
		cmocka_unit_test(version_parse),
		cmocka_unit_test(feature_table),
		cmocka_unit_test(features_unknown),
		cmocka_unit_test(plans),
		cmocka_unit_test(map_status),
		cmocka_unit_test(sb_diff),
		cmocka_unit_test(backup_locations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
