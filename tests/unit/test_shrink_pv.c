/* Unit tests for lib/shrink_pv.c (shrink-root --pv): reading lvm's segment
 * report (the layout of tests/vm/layouts/lvm-pv.sh, several PVs and VGs,
 * and hostile input: short/long lines, junk numbers, overlaps, too many
 * segments), and the arithmetic: extents cut at the PV's end, pe_start
 * and a second metadata area, the aligned partition end, and the refusal
 * of an extent in use past the new end; a re-run after lvreduce
 * (shrink_pv_resume): the free tail cut, or refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "../../lib/shrink.h"
#include "../../lib/err.h"

#define MiB (1024ULL * 1024)

/* lvm-pv: sda3 (303 MiB), pe_start 1 MiB, 75 extents of 4 MiB; root 0-63,
 * swap 64-67, free 68-74. */
static const char layout[] =
	"  /dev/sda3|vg0|317718528|314572800|1048576|75|1|1044480|4194304|1|0|64|root|0\n"
	"  /dev/sda3|vg0|317718528|314572800|1048576|75|1|1044480|4194304|1|64|4|swap|0\n"
	"  /dev/sda3|vg0|317718528|314572800|1048576|75|1|1044480|4194304|1|68|7||0\n";

static struct shrink_pv pv;

static void test_parse_layout(void **state)
{
	(void)state;
	assert_int_equal(shrink_pv_parse(layout, "vg0", "root", &pv), 0);
	assert_string_equal(pv.name, "/dev/sda3");
	assert_int_equal(pv.pe_count, 75);
	assert_int_equal(pv.pe_start, MiB);
	assert_int_equal(pv.extent, 4 * MiB);
	assert_int_equal(pv.mda_count, 1);
	assert_int_equal(pv.vg_pvs, 1);
	assert_int_equal(pv.nsegs, 3);
	assert_string_equal(pv.seg[1].lv, "swap");
	assert_int_equal(pv.seg[1].pe, 64);
	assert_string_equal(pv.seg[2].lv, "");
	/* another VG's lines are not counted; an LV not there is refused */
	assert_int_equal(shrink_pv_parse(layout, "vg1", "root", &pv), -ENOENT);
	assert_int_equal(rc_exit_hint(), RC_EXIT_REFUSED);
}

/* The LV on two PVs of its VG is refused, naming both; another VG's PV and
 * a free segment on the second PV do not count. */
static void test_parse_pvs(void **state)
{
	(void)state;
	const char two[] =
		"/dev/sda3|vg0|317718528|314572800|1048576|75|1|1044480|4194304|2|0|40|root|0\n"
		"/dev/sdb1|vg0|105906176|104857600|1048576|25|1|1044480|4194304|2|0|24|root|40\n"
		"/dev/sdb1|vg0|105906176|104857600|1048576|25|1|1044480|4194304|2|24|1||0\n"
		"/dev/sdc1|other|105906176|104857600|1048576|25|1|1044480|4194304|1|0|25|root|0\n";
	assert_int_equal(shrink_pv_parse(two, "vg0", "root", &pv), -ENOTSUP);
	assert_non_null(strstr(rc_msg(), "/dev/sda3, /dev/sdb1"));
	assert_non_null(strstr(rc_msg(), "pvmove"));
	/* root on sdb1 only, another LV on sda3: sdb1 is picked with its segments */
	const char one[] =
		"/dev/sda3|vg0|317718528|314572800|1048576|75|1|1044480|4194304|2|0|75|home|0\n"
		"/dev/sdb1|vg0|105906176|104857600|1048576|25|2|1044480|4194304|2|0|24|root|0\n"
		"/dev/sdb1|vg0|105906176|104857600|1048576|25|2|1044480|4194304|2|24|1||0\n";
	assert_int_equal(shrink_pv_parse(one, "vg0", "root", &pv), 0);
	assert_string_equal(pv.name, "/dev/sdb1");
	assert_int_equal(pv.nsegs, 2);
	assert_int_equal(pv.mda_count, 2);
	assert_int_equal(pv.vg_pvs, 2);
}

static void bad(const char *text, int err)
{
	assert_int_equal(shrink_pv_parse(text, "vg0", "root", &pv), -err);
}

static void test_parse_hostile(void **state)
{
	(void)state;
	char line[2048];
	bad("", ENOENT);
	bad("/dev/sda3|vg0|1|2\n", EINVAL);                                            /* short */
	bad("/dev/sda3|vg0|317718528|314572800|1048576|75|1|1044480|4194304|1|0|64|root|0|x\n", EINVAL); /* long */
	bad("/dev/sda3|vg0|317718528|314572800|1048576|75|1|1044480|4194304|1|0|-4|root|0\n", EINVAL);
	bad("/dev/sda3|vg0|3e8|314572800|1048576|75|1|1044480|4194304|1|0|64|root|0\n", EINVAL);
	bad("/dev/sda3|vg0|99999999999999999999999|314572800|1048576|75|1|1044480|4194304|1|0|64|root|0\n", EINVAL);
	bad("/dev/sda3|vg0|317718528|314572800|1048576|75|1|1044480|0|1|0|64|root|0\n", EINVAL);      /* extent 0 */
	bad("/dev/sda3|vg0|317718528|314572800|1048576|75|1|1044480|4194304|1|70|8|root|0\n", EINVAL); /* past pe_count */
	bad("/dev/sda3|vg0|1000|314572800|1048576|75|1|1044480|4194304|1|0|64|root|0\n", EINVAL);    /* > device */
	bad("/dev/sda3|vg0|317718528|314572800|1048576|75|1|1044480|4194304|1|18446744073709551615|2|root|0\n", EINVAL);
	bad("/dev/sda3|vg0|317718528|314572800|1048576|75|1|1044480|4194304|1|0|64|root|0\n"
	    "/dev/sda3|vg0|317718528|314572800|1048576|75|1|1044480|4194304|1|60|4|swap|0\n", EINVAL);  /* overlap */
	bad("|vg0|317718528|314572800|1048576|75|1|1044480|4194304|1|0|64|root|0\n", EINVAL);          /* no name */
	/* extents x extent size wrapping 64 bits must not pass as small */
	bad("/dev/sda3|vg0|317718528|314572800|1048576|4|1|1044480|4611686018427387904|1|0|4|root|0\n", EINVAL);
	memset(line, 'a', sizeof(line) - 1);
	line[sizeof(line) - 1] = 0;
	bad(line, E2BIG);
	/* more segments than the bound */
	size_t cap = 300 * 100;
	char *many = malloc(cap), *p = many;
	for (int i = 0; i < 300; i++)
		p += sprintf(p, "/dev/sda3|vg0|2000000000000|1|1048576|400|1|1044480|4194304|1|%d|1|root|%d\n", i, i);
	bad(many, E2BIG);
	free(many);
	/* more PVs than the bound */
	char *pvs = malloc(40 * 100);
	p = pvs;
	for (int i = 0; i < 20; i++)
		p += sprintf(p, "/dev/sd%c1|vg0|105906176|104857600|1048576|25|1|1044480|4194304|20|0|1|lv%d|0\n", 'a' + i, i);
	bad(pvs, E2BIG);
	free(pvs);
	/* a report larger than the bound */
	char *big = malloc(SHRINK_PV_TEXT + 2);
	memset(big, '\n', SHRINK_PV_TEXT + 1);
	big[SHRINK_PV_TEXT + 1] = 0;
	bad(big, E2BIG);
	free(big);
}

static void test_plan(void **state)
{
	(void)state;
	/* root alone (swap removed): 64 -> 48 extents, the PV 75 -> 59 */
	const char alone[] =
		"/dev/sda3|vg0|317718528|314572800|1048576|75|1|1044480|4194304|1|0|64|root|0\n"
		"/dev/sda3|vg0|317718528|314572800|1048576|75|1|1044480|4194304|1|64|11||0\n";
	assert_int_equal(shrink_pv_parse(alone, "vg0", "root", &pv), 0);
	assert_int_equal(shrink_pv_plan(&pv, "vg0", "root", 64, 48), 0);
	assert_int_equal(pv.new_pe_count, 59);
	assert_int_equal(pv.new_bytes, MiB + 59 * 4 * MiB);
	/* the partition: start 198656 (97 MiB), 620544 sectors; grain 1 MiB */
	assert_int_equal(shrink_pv_part(&pv, 512, 198656, 620544, 2048, 0), 0);
	assert_int_equal(pv.part_new_size, (MiB + 59 * 4 * MiB) / 512);
	assert_int_equal(pv.part_new_end, 198656 + pv.part_new_size - 1);
	/* 4096-byte sectors and a grain that does not divide the PV: aligned up */
	pv.new_bytes = MiB + 59 * 4 * MiB + 4096;
	assert_int_equal(shrink_pv_part(&pv, 4096, 24832, 77568, 256, 0), 0);
	assert_int_equal((24832 + pv.part_new_size) % 256, 0);
	assert_true(pv.part_new_size * 4096 >= pv.new_bytes);
	assert_true(pv.part_new_size * 4096 - pv.new_bytes < 256 * 4096);
	/* a PV that needs the partition to its end: nothing to free */
	pv.new_bytes = 620544ULL * 512 - 4096;
	assert_int_equal(shrink_pv_part(&pv, 512, 198656, 620544, 2048, 0), -ERANGE);
	assert_int_equal(rc_exit_hint(), RC_EXIT_REFUSED);
	/* two metadata areas: the end copy is kept room for */
	assert_int_equal(shrink_pv_parse(alone, "vg0", "root", &pv), 0);
	pv.mda_count = 2;
	assert_int_equal(shrink_pv_plan(&pv, "vg0", "root", 64, 48), 0);
	assert_int_equal(pv.new_bytes, MiB + 59 * 4 * MiB + 2 * MiB);
	/* nothing cut, or all of it: refused */
	assert_int_equal(shrink_pv_plan(&pv, "vg0", "root", 64, 64), -EINVAL);
	assert_int_equal(shrink_pv_plan(&pv, "vg0", "root", 80, 1), -EINVAL);
}

static void test_plan_past_end(void **state)
{
	(void)state;
	/* the layout as made: swap at 64-67 lies past 59 */
	assert_int_equal(shrink_pv_parse(layout, "vg0", "root", &pv), 0);
	assert_int_equal(shrink_pv_plan(&pv, "vg0", "root", 64, 48), -ENOSPC);
	assert_int_equal(rc_exit_hint(), RC_EXIT_REFUSED);
	assert_non_null(strstr(rc_msg(), "vg0/swap"));
	assert_non_null(strstr(rc_msg(), "pvmove --alloc anywhere /dev/sda3:64-67"));
	/* cut only 4 extents (to 71): swap 64-67 stays below; free space does not count */
	assert_int_equal(shrink_pv_plan(&pv, "vg0", "root", 64, 60), 0);
	assert_int_equal(pv.new_pe_count, 71);
	/* the LV itself in two pieces, its second past the end after the cut:
	 * LE 0-31 at PE 40-71, LE 32-63 at PE 0-31; 64 -> 48 keeps LE 0-47:
	 * PE 40-71 and 0-15, so PE 59-71 are still used */
	const char split[] =
		"/dev/sda3|vg0|317718528|314572800|1048576|75|1|1044480|4194304|1|0|32|root|32\n"
		"/dev/sda3|vg0|317718528|314572800|1048576|75|1|1044480|4194304|1|32|8||0\n"
		"/dev/sda3|vg0|317718528|314572800|1048576|75|1|1044480|4194304|1|40|32|root|0\n"
		"/dev/sda3|vg0|317718528|314572800|1048576|75|1|1044480|4194304|1|72|3||0\n";
	assert_int_equal(shrink_pv_parse(split, "vg0", "root", &pv), 0);
	assert_int_equal(shrink_pv_plan(&pv, "vg0", "root", 64, 48), -ENOSPC);
	assert_non_null(strstr(rc_msg(), "/dev/sda3:59-71"));
	assert_non_null(strstr(rc_msg(), "vg0/root"));
	/* 64 -> 16 keeps LE 0-15 = PE 40-55: below the new end 27? no: 75-48 = 27 */
	assert_int_equal(shrink_pv_plan(&pv, "vg0", "root", 64, 16), -ENOSPC);
	/* the reverse order (LE 0-31 at PE 0-31): 64 -> 16 fits in 27 */
	const char order[] =
		"/dev/sda3|vg0|317718528|314572800|1048576|75|1|1044480|4194304|1|0|32|root|0\n"
		"/dev/sda3|vg0|317718528|314572800|1048576|75|1|1044480|4194304|1|32|8||0\n"
		"/dev/sda3|vg0|317718528|314572800|1048576|75|1|1044480|4194304|1|40|32|root|32\n";
	assert_int_equal(shrink_pv_parse(order, "vg0", "root", &pv), 0);
	assert_int_equal(shrink_pv_plan(&pv, "vg0", "root", 64, 16), 0);
	assert_int_equal(pv.new_pe_count, 27);
}

/* A re-run after lvreduce (shrink_pv_resume): the free extents after the
 * LV's last one, up to the PV's end, go; none left: nothing to cut; free
 * extents followed by another LV: refused, naming it; a second metadata
 * area counts as in shrink_pv_plan. */
static void test_resume(void **state)
{
	(void)state;
	const char stopped[] =
		"  /dev/sda3|vg0|317718528|314572800|1048576|75|1|1044480|4194304|1|0|40|root|0\n"
		"  /dev/sda3|vg0|317718528|314572800|1048576|75|1|1044480|4194304|1|40|35||0\n";
	assert_int_equal(shrink_pv_parse(stopped, "vg0", "root", &pv), 0);
	assert_int_equal(shrink_pv_resume(&pv, "vg0", "root"), 0);
	assert_int_equal(pv.new_pe_count, 40);
	assert_int_equal(pv.pv_todo, 1);
	assert_int_equal(pv.new_bytes, MiB + 40 * 4 * MiB);
	/* the root in two segments, its last logical extents lowest on the PV */
	const char split[] =
		"  /dev/sda3|vg0|317718528|314572800|1048576|75|2|1044480|4194304|1|0|10|root|30\n"
		"  /dev/sda3|vg0|317718528|314572800|1048576|75|2|1044480|4194304|1|10|30|root|0\n"
		"  /dev/sda3|vg0|317718528|314572800|1048576|75|2|1044480|4194304|1|40|35||0\n";
	assert_int_equal(shrink_pv_parse(split, "vg0", "root", &pv), 0);
	assert_int_equal(shrink_pv_resume(&pv, "vg0", "root"), 0);
	assert_int_equal(pv.new_pe_count, 40);
	assert_int_equal(pv.new_bytes, MiB + 40 * 4 * MiB + 2 * MiB);
	/* after pvresize: nothing left to cut */
	const char done[] = "  /dev/sda3|vg0|317718528|168820736|1048576|40|1|1044480|4194304|1|0|40|root|0\n";
	assert_int_equal(shrink_pv_parse(done, "vg0", "root", &pv), 0);
	assert_int_equal(shrink_pv_resume(&pv, "vg0", "root"), 0);
	assert_int_equal(pv.new_pe_count, 40);
	assert_int_equal(pv.pv_todo, 0);
	/* another LV right after the root, no free extent between: nothing to cut, not refused */
	const char packed[] =
		"  /dev/sda3|vg0|317718528|314572800|1048576|75|1|1044480|4194304|1|0|40|root|0\n"
		"  /dev/sda3|vg0|317718528|314572800|1048576|75|1|1044480|4194304|1|40|35|data|0\n";
	assert_int_equal(shrink_pv_parse(packed, "vg0", "root", &pv), 0);
	assert_int_equal(shrink_pv_resume(&pv, "vg0", "root"), 0);
	assert_int_equal(pv.pv_todo, 0);
	/* free extents, then swap: refused, naming swap's extents and the pvmove */
	const char swap[] =
		"  /dev/sda3|vg0|317718528|314572800|1048576|75|1|1044480|4194304|1|0|40|root|0\n"
		"  /dev/sda3|vg0|317718528|314572800|1048576|75|1|1044480|4194304|1|40|24||0\n"
		"  /dev/sda3|vg0|317718528|314572800|1048576|75|1|1044480|4194304|1|64|4|swap|0\n"
		"  /dev/sda3|vg0|317718528|314572800|1048576|75|1|1044480|4194304|1|68|7||0\n";
	assert_int_equal(shrink_pv_parse(swap, "vg0", "root", &pv), 0);
	assert_int_equal(shrink_pv_resume(&pv, "vg0", "root"), -ENOSPC);
	assert_int_equal(rc_exit_hint(), RC_EXIT_REFUSED);
	assert_non_null(strstr(rc_msg(), "vg0/swap"));
	assert_non_null(strstr(rc_msg(), "pvmove --alloc anywhere /dev/sda3:64-67"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_layout),
		cmocka_unit_test(test_parse_pvs),
		cmocka_unit_test(test_parse_hostile),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_plan_past_end),
		cmocka_unit_test(test_resume),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
