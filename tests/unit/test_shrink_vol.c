/* Unit tests for lib/shrink_vol.c: planning a shrink of an md RAID1 array
 * or an LVM logical volume from a fake sysfs (RESCUECTL_SYSROOT) and lvs's
 * output: which device is which, every refusal, and the sizes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "../../lib/shrink.h"
#include "../../lib/shrink_priv.h"
#include "../../lib/err.h"

#define MiB (1024ULL * 1024)

static char root[256];

static void put(const char *rel, const char *val)
{
	char p[512], cmd[600];
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", p);
	assert_int_equal(system(cmd), 0);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", val);
	fclose(f);
}

/* A device NAME in the fake sysfs: dev, size (sectors), class/block link. */
static void dev(const char *name, const char *devno, const char *sectors)
{
	char rel[256], l[512], t[512];
	snprintf(rel, sizeof(rel), "sys/devices/virtual/block/%s/dev", name);
	put(rel, devno);
	snprintf(rel, sizeof(rel), "sys/devices/virtual/block/%s/size", name);
	put(rel, sectors);
	snprintf(l, sizeof(l), "mkdir -p %s/sys/class/block %s/dev", root, root);
	assert_int_equal(system(l), 0);
	snprintf(l, sizeof(l), "%s/sys/class/block/%s", root, name);
	snprintf(t, sizeof(t), "../../devices/virtual/block/%s", name);
	unlink(l);
	assert_int_equal(symlink(t, l), 0);
}

static void md(const char *attr, const char *val)
{
	char rel[256];
	snprintf(rel, sizeof(rel), "sys/devices/virtual/block/md127/md/%s", attr);
	put(rel, val);
}

/* A clean, idle, two-disk RAID1 with metadata 1.2 of 300 MiB. */
static int setup_md(void **st)
{
	(void)st;
	snprintf(root, sizeof(root), "/tmp/test_shrink_vol.%d", (int)getpid());
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
	setenv("RESCUECTL_SYSROOT", root, 1);
	dev("md127", "9:127", "614400");
	md("level", "raid1");
	md("metadata_version", "1.2");
	md("degraded", "0");
	md("sync_action", "idle");
	md("array_state", "clean");
	md("raid_disks", "2");
	md("component_size", "307200");
	md("bitmap/location", "none");
	md("dev-sda3/state", "in_sync");
	md("dev-sda3/offset", "4096");
	md("dev-sdb3/state", "in_sync");
	md("dev-sdb3/offset", "4096");
	dev("dm-0", "253:0", "524288");
	put("sys/devices/virtual/block/dm-0/dm/name", "vg0-root");
	put("sys/devices/virtual/block/dm-0/dm/uuid", "LVM-abcdefgh");
	dev("dm-1", "253:1", "524288");
	put("sys/devices/virtual/block/dm-1/dm/name", "sda3_crypt");
	put("sys/devices/virtual/block/dm-1/dm/uuid", "CRYPT-LUKS2-abc");
	return 0;
}

static int teardown_md(void **st)
{
	(void)st;
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
	unsetenv("RESCUECTL_SYSROOT");
	return 0;
}

static void refused(int r, const char *part)
{
	assert_true(r < 0);
	assert_int_equal(rc_exit_hint(), RC_EXIT_REFUSED);
	if (!strstr(rc_msg(), part))
		fail_msg("no '%s' in: %s", part, rc_msg());
}

static void test_kind(void **st)
{
	(void)st;
	struct shrink s;
	memset(&s, 0, sizeof(s));
	snprintf(s.dev, sizeof(s.dev), "%s/dev/md127", root);
	assert_int_equal(shrink_vol_kind(&s), 0);
	assert_int_equal(s.vol, SHRINK_MD);
	assert_string_equal(s.md.name, "md127");
	assert_int_equal(s.vol_bytes, 300 * MiB);
	snprintf(s.dev, sizeof(s.dev), "%s/dev/dm-0", root);
	assert_int_equal(shrink_vol_kind(&s), 0);
	assert_int_equal(s.vol, SHRINK_LVM);
	assert_int_equal(s.vol_bytes, 256 * MiB);
	/* LUKS is not a volume shrink-root shrinks: the partition path refuses it */
	snprintf(s.dev, sizeof(s.dev), "%s/dev/dm-1", root);
	assert_int_equal(shrink_vol_kind(&s), 0);
	assert_int_equal(s.vol, SHRINK_PARTITION);
}

static void test_md_clean(void **st)
{
	(void)st;
	struct shrink_md m;
	assert_int_equal(shrink_md_read("md127", &m), 0);
	assert_string_equal(m.metadata, "1.2");
	assert_int_equal(m.component_kib, 307200);
	assert_int_equal(m.nmembers, 2);
	assert_int_equal(m.data_offset[0], 4096);
	assert_int_equal(m.data_offset[1], 4096);
	assert_int_equal(shrink_md_check("/dev/md127", &m), 0);
}

/* Each case: one attribute changed, refused with PART in the message. */
static void md_refused(const char *attr, const char *val, const char *part)
{
	struct shrink_md m;
	char old[64] = "";
	char p[512];
	snprintf(p, sizeof(p), "%s/sys/devices/virtual/block/md127/md/%s", root, attr);
	FILE *f = fopen(p, "r");
	if (f) {
		if (fgets(old, sizeof(old), f))
			old[strcspn(old, "\n")] = 0;
		fclose(f);
	}
	if (val)
		md(attr, val);
	else
		unlink(p);
	rc_clear();
	int r = shrink_md_read("md127", &m);
	if (r == 0)
		r = shrink_md_check("/dev/md127", &m);
	refused(r, part);
	md(attr, old);
}

static void test_md_refusals(void **st)
{
	(void)st;
	md_refused("metadata_version", "1.0", "md metadata 1.0");
	md_refused("metadata_version", "1.0", "superblock sits at the end");
	md_refused("metadata_version", "0.90", "md metadata 0.90");
	md_refused("metadata_version", "external:imsm", "only metadata 1.2");
	md_refused("level", "raid5", "md level 'raid5'");
	md_refused("level", "raid0", "only RAID1");
	md_refused("degraded", "1", "degraded");
	md_refused("sync_action", "resync", "busy (md/sync_action 'resync')");
	md_refused("sync_action", "check", "busy");
	md_refused("sync_action", "recover", "busy");
	md_refused("array_state", "inactive", "inactive");
	md_refused("bitmap/location", "file", "write-intent bitmap outside the array");
	md_refused("dev-sdb3/state", "faulty", "not in_sync");
	md_refused("dev-sdb3/offset", NULL, "data offset of member sdb3");
	md_refused("raid_disks", "3", "member(s) of 3");
	md_refused("component_size", "", "component_size");
	/* and after all that, the array is accepted again; also with an
	 * internal bitmap, which mdadm --grow --size resizes */
	test_md_clean(NULL);
	md("bitmap/location", "+8");
	test_md_clean(NULL);
	md("bitmap/location", "none");
}

static const char *LVS_OK = "  vg0|root|-wi-a-----|268435456|4194304|33554432|0\n";

static void test_lv_parse(void **st)
{
	(void)st;
	struct shrink_lv lv;
	assert_int_equal(shrink_lv_parse(LVS_OK, &lv), 0);
	assert_string_equal(lv.vg, "vg0");
	assert_string_equal(lv.lv, "root");
	assert_string_equal(lv.attr, "-wi-a-----");
	assert_int_equal(lv.size, 256 * MiB);
	assert_int_equal(lv.extent, 4 * MiB);
	assert_int_equal(lv.vg_free, 32 * MiB);
	assert_int_equal(lv.missing_pvs, 0);
	assert_int_equal(shrink_lv_check("/dev/mapper/vg0-root", &lv), 0);
	/* malformed lines */
	assert_true(shrink_lv_parse("vg0|root|-wi-a-----|268435456|4194304|0", &lv) < 0);
	assert_true(shrink_lv_parse("vg0|root|-wi-a-----|256m|4194304|0|0", &lv) < 0);
	assert_true(shrink_lv_parse("vg0|root|-wi|268435456|4194304|0|0", &lv) < 0);
	assert_true(shrink_lv_parse("vg0|root|-wi-a-----|268435456|0|0|0", &lv) < 0);
	assert_true(shrink_lv_parse("vg0|root|-wi-a-----|268435456|4194304|0|0|extra", &lv) < 0);
}

static void lv_refused(const char *line, const char *part)
{
	struct shrink_lv lv;
	assert_int_equal(shrink_lv_parse(line, &lv), 0);
	rc_clear();
	refused(shrink_lv_check("/dev/mapper/vg0-root", &lv), part);
}

static void test_lv_refusals(void **st)
{
	(void)st;
	lv_refused("vg0|snap|swi-a-s---|268435456|4194304|0|0", "a snapshot");
	lv_refused("vg0|root|owi-a-s---|268435456|4194304|0|0", "the origin of snapshots");
	lv_refused("vg0|thin|Vwi-a-tz--|268435456|4194304|0|0", "a thin volume");
	lv_refused("vg0|pool|twi-a-tz--|268435456|4194304|0|0", "a thin pool");
	lv_refused("vg0|root|Cwi-a-C---|268435456|4194304|0|0", "a cached volume");
	lv_refused("vg0|root|rwi-a-r---|268435456|4194304|0|0", "a RAID volume");
	lv_refused("vg0|root|mwi-a-m---|268435456|4194304|0|0", "a mirrored volume");
	lv_refused("vg0|root|-wi-a-----|268435456|4194304|0|1", "missing 1 physical volume");
	lv_refused("vg0|root|-wi-a---p-|268435456|4194304|0|0", "missing");
	lv_refused("vg0|root|-wi-ao----|268435456|4194304|0|0", "is open");
	lv_refused("vg0|root|-wi-------|268435456|4194304|0|0", "not active");
}

/* A struct shrink as planning leaves it before the sizes. */
static struct shrink *mk(enum shrink_vol vol, uint64_t vol_bytes, uint64_t fs_blocks, uint64_t min_blocks,
			 enum shrink_mode mode, uint64_t bytes)
{
	struct shrink *s = calloc(1, sizeof(*s));
	assert_non_null(s);
	s->plan = plan_new(NULL, s);
	s->vol = vol;
	s->vol_bytes = vol_bytes;
	s->lv.extent = 4 * MiB;
	s->fi.block_size = 4096;
	s->fi.blocks = fs_blocks;
	s->min_blocks = min_blocks;
	s->rq.mode = mode;
	s->rq.bytes = bytes;
	snprintf(s->dev, sizeof(s->dev), "/dev/x");
	return s;
}

static void done(struct shrink *s)
{
	plan_free(s->plan);
	free(s);
}

static void test_sizes(void **st)
{
	(void)st;
	/* md: --free 64M of 300 MiB: 236 MiB, the filesystem fills it */
	struct shrink *s = mk(SHRINK_MD, 300 * MiB, 76800, 20000, SHRINK_BY_FREE, 64 * MiB);
	assert_int_equal(shrink_vol_sizes(s), 0);
	assert_int_equal(s->vol_new, 236 * MiB);
	assert_int_equal(s->sz.fs_blocks * 4096, s->vol_new);
	done(s);
	/* md: --size not a whole MiB is aligned down to one */
	s = mk(SHRINK_MD, 300 * MiB, 76800, 20000, SHRINK_TO_SIZE, 200 * MiB + 123456);
	assert_int_equal(shrink_vol_sizes(s), 0);
	assert_int_equal(s->vol_new, 200 * MiB);
	assert_int_equal(s->sz.fs_blocks, 200 * 256);
	done(s);
	/* LVM: aligned down to the 4 MiB extent */
	s = mk(SHRINK_LVM, 256 * MiB, 65536, 20000, SHRINK_TO_SIZE, 203 * MiB);
	assert_int_equal(shrink_vol_sizes(s), 0);
	assert_int_equal(s->vol_new, 200 * MiB);
	assert_int_equal(s->sz.fs_blocks * 4096, 200 * MiB);
	done(s);
	/* --minimum: at least the estimate plus the margin, on an extent */
	s = mk(SHRINK_LVM, 256 * MiB, 65536, 20000, SHRINK_MINIMUM, 0);
	assert_int_equal(shrink_vol_sizes(s), 0);
	assert_true(s->sz.fs_blocks >= 20000 + size_min_margin(20000, 4096));
	assert_int_equal(s->vol_new % (4 * MiB), 0);
	assert_int_equal(s->sz.fs_blocks * 4096, s->vol_new);
	done(s);
	/* below the minimum: refused */
	s = mk(SHRINK_MD, 300 * MiB, 76800, 60000, SHRINK_TO_SIZE, 100 * MiB);
	rc_clear();
	refused(shrink_vol_sizes(s), "minimum");
	done(s);
	/* the size it has (a re-run): already, nothing resized */
	s = mk(SHRINK_MD, 300 * MiB, 76800, 20000, SHRINK_TO_SIZE, 300 * MiB);
	assert_int_equal(shrink_vol_sizes(s), 0);
	assert_int_equal(s->already, 1);
	assert_int_equal(s->vol_new, 300 * MiB);
	assert_int_equal(s->sz.fs_blocks, 76800);
	done(s);
	/* ... also less than an extent above it on LVM */
	s = mk(SHRINK_LVM, 256 * MiB, 65536, 20000, SHRINK_TO_SIZE, 258 * MiB);
	assert_int_equal(shrink_vol_sizes(s), 0);
	assert_int_equal(s->already, 1);
	done(s);
	/* larger than it, or with --new: not smaller, a usage error */
	s = mk(SHRINK_MD, 300 * MiB, 76800, 20000, SHRINK_TO_SIZE, 400 * MiB);
	assert_true(shrink_vol_sizes(s) < 0);
	assert_int_equal(rc_exit_hint(), RC_EXIT_USAGE);
	assert_int_equal(s->already, 0);
	done(s);
	s = mk(SHRINK_MD, 300 * MiB, 76800, 20000, SHRINK_TO_SIZE, 300 * MiB);
	s->rq.nnew = 1;
	assert_true(shrink_vol_sizes(s) < 0);
	assert_int_equal(s->already, 0);
	done(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind),
		cmocka_unit_test(test_md_clean),
		cmocka_unit_test(test_md_refusals),
		cmocka_unit_test(test_lv_parse),
		cmocka_unit_test(test_lv_refusals),
		cmocka_unit_test(test_sizes),
	};
	return cmocka_run_group_tests(tests, setup_md, teardown_md);
}
