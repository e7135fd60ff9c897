/* Unit tests for lib/shrink_md.c's arithmetic: a member partition's new
 * size (start + data offset + what the array uses, the end aligned up,
 * never below what the array uses, never above the partition), the check
 * that --new comes out the same size on every disk, and the manual steps
 * printed for metadata 1.0 / 0.90; and shrink_md_plan on two GPT image
 * files behind a fake sysfs (RESCUECTL_SYSROOT): the members shrunk in
 * memory, --new placed on both disks at the same size, refused when the
 * disks' freed space differs, a whole-disk member left as it is. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "../../lib/shrink_md.h"
#include "../../lib/err.h"
#include "../../lib/plan.h"

#define MiB (1024ULL * 1024)

/* c1.small's root member as the VM rig has it: 512-byte sectors, 1 MiB grain. */
static struct shrink_md_geom geom(uint64_t used)
{
	struct shrink_md_geom g = {
		.sector_size = 512, .start = 198656, .size = 620544, .grain = 2048,
		.align_offset = 0, .data_offset = 4096, .used_bytes = used,
	};
	return g;
}

static void aligned_already(void **st)
{
	(void)st;
	struct shrink_md_geom g = geom(200 * MiB);
	uint64_t n = 0;
	assert_int_equal(shrink_md_member_size(&g, &n), 0);
	/* data offset 2 MiB + 200 MiB, and start + that is on a 1 MiB boundary */
	assert_int_equal(n, 4096 + 409600);
	assert_int_equal((g.start + n) % 2048, 0);
}

static void end_aligned_up_never_below(void **st)
{
	(void)st;
	struct shrink_md_geom g = geom(200 * MiB + 4096);
	uint64_t n = 0, need = 4096 + 409600 + 8;
	assert_int_equal(shrink_md_member_size(&g, &n), 0);
	assert_true(n >= need);
	assert_true(n < need + 2048);
	assert_int_equal((g.start + n) % 2048, 0);
	assert_int_equal(n, 4096 + 409600 + 2048);
}

static void odd_start_and_offset(void **st)
{
	(void)st;
	struct shrink_md_geom g = geom(100 * MiB);
	g.start = 34;           /* an old, unaligned start */
	g.align_offset = 7;
	uint64_t n = 0, need = 4096 + 204800;
	assert_int_equal(shrink_md_member_size(&g, &n), 0);
	assert_true(n >= need && n < need + 2048);
	assert_int_equal((g.start + n - 7) % 2048, 0);
}

static void sector_4k(void **st)
{
	(void)st;
	struct shrink_md_geom g = {
		.sector_size = 4096, .start = 256, .size = 100000, .grain = 256,
		.data_offset = 2048, .used_bytes = 100 * MiB + 512,
	};
	uint64_t n = 0;
	assert_int_equal(shrink_md_member_size(&g, &n), 0);
	/* 101 MiB + 512 B needs 25857 sectors of 4 KiB; the end goes up to 1 MiB */
	assert_true(n * 4096 >= 2048 * 512 + 100 * MiB + 512);
	assert_int_equal((g.start + n) % 256, 0);
	assert_int_equal(n, 25856 + 256);
}

static void capped_at_the_partition(void **st)
{
	(void)st;
	struct shrink_md_geom g = geom(200 * MiB + 4096);
	g.size = 4096 + 409600 + 100;   /* holds it, but not up to the next boundary */
	uint64_t n = 0;
	assert_int_equal(shrink_md_member_size(&g, &n), 0);
	assert_int_equal(n, g.size);
}

static void too_small_refused(void **st)
{
	(void)st;
	struct shrink_md_geom g = geom(310 * MiB);
	uint64_t n = 12345;
	assert_int_equal(shrink_md_member_size(&g, &n), -ERANGE);
	assert_int_equal(rc_exit_hint(), RC_EXIT_REFUSED);
	assert_non_null(strstr(rc_msg(), "smaller than what the array uses"));
	assert_int_equal(n, 12345);
	g.used_bytes = 0;
	assert_int_equal(shrink_md_member_size(&g, &n), -EINVAL);
	g = geom(1);
	g.sector_size = 0;
	assert_int_equal(shrink_md_member_size(&g, &n), -EINVAL);
}

/* Over many geometries: never below what the array uses, never above the
 * partition, the end aligned unless capped, less than a grain of slack. */
static void invariants(void **st)
{
	(void)st;
	static const uint32_t ss[] = { 512, 4096 };
	for (int s = 0; s < 2; s++)
		for (uint64_t used = 1; used < 64 * MiB; used = used * 3 + 4093) {
			struct shrink_md_geom g = {
				.sector_size = ss[s], .start = 2048 + used % 5, .size = 40000 * (4096 / ss[s]),
				.grain = MiB / ss[s], .align_offset = used % 3, .data_offset = 2048 + used % 7 * 8,
				.used_bytes = used,
			};
			uint64_t n, need = g.data_offset * 512 + used;
			assert_int_equal(shrink_md_member_size(&g, &n), 0);
			assert_true(n * ss[s] >= need);
			assert_true(n <= g.size);
			if (n < g.size) {
				assert_int_equal((g.start + n - g.align_offset) % g.grain, 0);
				assert_true(n * ss[s] < need + g.grain * ss[s] + ss[s]);
			}
		}
}

static void same_sizes(void **st)
{
	(void)st;
	uint64_t a[] = { 67108864, 67108864, 67108864 }, b[] = { 67108864, 66060288 };
	assert_int_equal(shrink_md_same_sizes(a, 3), 1);
	assert_int_equal(shrink_md_same_sizes(a, 1), 1);
	assert_int_equal(shrink_md_same_sizes(b, 2), 0);
	assert_int_equal(shrink_md_same_sizes(a, 0), 0);
}

static void recipe_for_1_0(void **st)
{
	(void)st;
	struct shrink_md md = { .nmembers = 2 };
	char buf[1536];
	snprintf(md.metadata, sizeof(md.metadata), "1.0");
	snprintf(md.member[0], sizeof(md.member[0]), "sda3");
	snprintf(md.member[1], sizeof(md.member[1]), "sdb3");
	shrink_md_end_sb_recipe("/dev/md127", &md, buf, sizeof(buf));
	assert_non_null(strstr(buf, "With metadata 1.0"));
	assert_non_null(strstr(buf, "not moved"));
	assert_non_null(strstr(buf, "mdadm --grow /dev/md127 --size=KiB"));
	assert_non_null(strstr(buf, "/dev/sda3, /dev/sdb3"));
	assert_non_null(strstr(buf, "mdadm /dev/md127 --fail M --remove M"));
	assert_non_null(strstr(buf, "mdadm /dev/md127 --add M"));
	/* --update=devicesize is named only to say it does not apply */
	assert_non_null(strstr(buf, "'mdadm --assemble --update=devicesize' applies to 1.1 and 1.2 only"));
	assert_true(strlen(buf) < sizeof(buf) - 1);
}

/* ---- shrink_md_plan on image files ---------------------------------------- */

static char root[256];

static void sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_int_equal(system(cmd), 0);
}

/* Disk NAME (an image of MIB MiB with ESP, /boot member, root member) and
 * its third partition in the fake sysfs. */
static void disk(const char *name, int mib)
{
	sh("cd %s && mkdir -p dev sys/class/block sys/devices/b/%s/%s3 && truncate -s %dM dev/%s && "
	   "printf 'label: gpt\\n,32M\\n,64M\\n,\\n' | sfdisk -q dev/%s && echo 3 > sys/devices/b/%s/%s3/partition && "
	   "ln -s ../../devices/b/%s sys/class/block/%s && ln -s ../../devices/b/%s/%s3 sys/class/block/%s3",
	   root, name, name, mib, name, name, name, name, name, name, name, name, name);
}

static int setup_disks(void **st)
{
	(void)st;
	snprintf(root, sizeof(root), "/tmp/test_shrink_md.%d", (int)getpid());
	sh("rm -rf %s && mkdir -p %s/dev && touch %s/dev/md127", root, root, root);
	setenv("RESCUECTL_SYSROOT", root, 1);
	disk("sda", 400);
	disk("sdb", 400);
	disk("sdc", 420);
	return 0;
}

static int teardown_disks(void **st)
{
	(void)st;
	sh("rm -rf %s", root);
	unsetenv("RESCUECTL_SYSROOT");
	return 0;
}

/* A 1.2 RAID1 over members M0 and M1, shrunk to 200 MiB; dry run. */
static struct shrink *mk(const char *m0, const char *m1, const char *newspec)
{
	struct shrink *s = calloc(1, sizeof(*s));
	assert_non_null(s);
	s->plan = plan_new("nothing was changed", s);
	snprintf(s->dev, sizeof(s->dev), "%s/dev/md127", root);
	snprintf(s->md.name, sizeof(s->md.name), "md127");
	s->md.nmembers = 2;
	snprintf(s->md.member[0], sizeof(s->md.member[0]), "%s", m0);
	snprintf(s->md.member[1], sizeof(s->md.member[1]), "%s", m1);
	s->md.data_offset[0] = s->md.data_offset[1] = 4096;
	s->vol_new = 200 * MiB;
	s->rq.dry_run = 1;
	s->rq.backup = "/tmp/test-shrink-md-backup";
	if (newspec) {
		assert_int_equal(part_new_parse(newspec, &s->rq.news[0]), 0);
		s->rq.nnew = 1;
	}
	return s;
}

static void plan_members(void **st)
{
	(void)st;
	struct shrink *s = mk("sda3", "sdb3", "32M");
	assert_int_equal(shrink_md_plan(s), 0);
	const struct shrink_mdparts *mp = s->mp;
	assert_int_equal(mp->nd, 2);
	assert_int_equal(mp->rdev_kib, 200 * 1024);
	for (int k = 0; k < 2; k++) {
		const struct shrink_mdmember *m = &mp->m[k];
		assert_int_equal(m->partno, 3);
		assert_true(m->new_size * 512 >= 4096 * 512 + 200 * MiB);
		assert_true(m->new_size < m->pi.size);
		assert_int_equal((m->pi.start + m->new_size) % 2048, 0);
		assert_int_equal(mp->dk[k].nnew, 1);
		assert_int_equal(mp->dk[k].newp[0].partno, 4);
		assert_int_equal(mp->dk[k].newp[0].pi.size * 512, 32 * MiB);
		/* the new partition follows the shrunk member */
		assert_int_equal(mp->dk[k].newp[0].pi.start, m->pi.start + m->new_size);
		/* a new RAID1's partition is typed Linux RAID */
		assert_string_equal(mp->dk[k].newp[0].pi.type, "A19D880F-05FC-4D3B-A006-743F0F84911E");
	}
	/* the new RAID1 gets the first md number free in sysfs and /dev */
	assert_int_equal(mp->raid, 1);
	assert_non_null(strstr(mp->arr[0].node, "/dev/md0"));
	assert_non_null(strstr(mp->dk[0].backup, "/tmp/test-shrink-md-backup-sda"));
	assert_non_null(strstr(mp->dk[1].backup, "/tmp/test-shrink-md-backup-sdb"));
	assert_int_equal(shrink_md_add_steps(s), 0);
	/* member sizes; per disk save, shrink, add, write, tell */
	assert_int_equal(plan_count(s->plan), 1 + 2 * 5);
	assert_string_equal(plan_step(s->plan, 0)->kind, "member-size");
	assert_string_equal(plan_step(s->plan, 4)->kind, "write-table");
	assert_int_equal(plan_step(s->plan, 4)->flags, PLAN_UNDO_SELF | PLAN_UNDO_LATER);
	shrink_free(s);
}

static void plan_new_plain(void **st)
{
	(void)st;
	struct shrink *s = mk("sda3", "sdb3", "rest");
	s->rq.new_plain = 1;
	assert_int_equal(shrink_md_plan(s), 0);
	assert_int_equal(s->mp->raid, 0);
	for (int k = 0; k < 2; k++)   /* no type given: Linux filesystem, as on a plain disk */
		assert_string_equal(s->mp->dk[k].newp[0].pi.type, "0FC63DAF-8483-4772-8E79-3D69D8477DE4");
	assert_string_equal(s->mp->arr[0].node, "");
	shrink_free(s);
}

static void plan_rest_differs(void **st)
{
	(void)st;
	struct shrink *s = mk("sda3", "sdc3", "rest");
	assert_int_equal(shrink_md_plan(s), -ERANGE);
	assert_int_equal(rc_exit_hint(), RC_EXIT_REFUSED);
	assert_non_null(strstr(rc_msg(), "freed space differs"));
	shrink_free(s);
	/* the same disks, the same rest: equal */
	s = mk("sda3", "sdb3", "rest");
	assert_int_equal(shrink_md_plan(s), 0);
	uint64_t b[2] = { s->mp->dk[0].newp[0].pi.size, s->mp->dk[1].newp[0].pi.size };
	assert_int_equal(shrink_md_same_sizes(b, 2), 1);
	assert_true(b[0] * 512 > 90 * MiB);
	shrink_free(s);
	/* too large for the freed space */
	s = mk("sda3", "sdb3", "1G");
	assert_true(shrink_md_plan(s) < 0);
	assert_int_equal(rc_exit_hint(), RC_EXIT_REFUSED);
	shrink_free(s);
}

static void plan_whole_disk_member(void **st)
{
	(void)st;
	struct shrink *s = mk("sda3", "sdc", NULL);
	assert_int_equal(shrink_md_plan(s), 0);
	assert_int_equal(s->mp->nd, 1);
	assert_int_equal(s->mp->m[1].dk, -1);
	assert_true(plan_nwarnings(s->plan) >= 1);
	assert_non_null(strstr(plan_warning(s->plan, 0), "member sdc of "));
	assert_non_null(strstr(plan_warning(s->plan, 0), "is a whole disk, not a partition: it is left as it is"));
	shrink_free(s);
	s = mk("sda3", "sdc", "rest");
	assert_int_equal(shrink_md_plan(s), -EINVAL);
	assert_non_null(strstr(rc_msg(), "whole disk"));
	shrink_free(s);
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(aligned_already),
		cmocka_unit_test(end_aligned_up_never_below),
		cmocka_unit_test(odd_start_and_offset),
		cmocka_unit_test(sector_4k),
		cmocka_unit_test(capped_at_the_partition),
		cmocka_unit_test(too_small_refused),
		cmocka_unit_test(invariants),
		cmocka_unit_test(same_sizes),
		cmocka_unit_test(recipe_for_1_0),
		cmocka_unit_test_setup_teardown(plan_members, setup_disks, teardown_disks),
		cmocka_unit_test_setup_teardown(plan_new_plain, setup_disks, teardown_disks),
		cmocka_unit_test_setup_teardown(plan_rest_differs, setup_disks, teardown_disks),
		cmocka_unit_test_setup_teardown(plan_whole_disk_member, setup_disks, teardown_disks),
	};
	return cmocka_run_group_tests(t, NULL, NULL);
}
