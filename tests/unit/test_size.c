/* Unit tests for lib/size.c: parsing, formatting, shrink planning. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "../../lib/size.h"
#include "../../lib/err.h"

#define KiB 1024ULL
#define MiB (1024ULL * KiB)
#define GiB (1024ULL * MiB)
#define TiB (1024ULL * GiB)

static uint64_t parse_ok(const char *s)
{
	uint64_t v = 12345;
	int r = size_parse(s, &v);
	if (r)
		fail_msg("size_parse(%s) failed: %s", s, rc_msg());
	return v;
}

static void parse_bad(const char *s, const char *msgpart)
{
	uint64_t v = 777;
	rc_clear();
	int r = size_parse(s, &v);
	if (r >= 0)
		fail_msg("size_parse(%s) accepted: %llu", s, (unsigned long long)v);
	assert_int_equal(v, 777);
	assert_int_equal(rc_exit_hint(), RC_EXIT_USAGE);
	if (msgpart && !strstr(rc_msg(), msgpart))
		fail_msg("message for '%s' lacks '%s': %s", s, msgpart, rc_msg());
}

static void test_parse_units(void **st)
{
	(void)st;
	assert_int_equal(parse_ok("0"), 0);
	assert_int_equal(parse_ok("4096"), 4096);
	assert_int_equal(parse_ok("1K"), KiB);
	assert_int_equal(parse_ok("1k"), KiB);
	assert_int_equal(parse_ok("20G"), 20 * GiB);
	assert_int_equal(parse_ok("20GiB"), 20 * GiB);
	assert_int_equal(parse_ok("20gib"), 20 * GiB);
	assert_int_equal(parse_ok("512M"), 512 * MiB);
	assert_int_equal(parse_ok("3T"), 3 * TiB);
	assert_int_equal(parse_ok("1.5G"), GiB + 512 * MiB);
	assert_int_equal(parse_ok("0.5K"), 512);
	assert_int_equal(parse_ok(".25M"), 256 * KiB);
	/* a fraction that is not a whole byte rounds down */
	assert_int_equal(parse_ok("0.001K"), 1);
	assert_int_equal(parse_ok("18446744073709551615"), UINT64_MAX);
	assert_int_equal(parse_ok("16777215T"), 16777215 * TiB);
}

static void test_parse_bad(void **st)
{
	(void)st;
	parse_bad("", "empty");
	parse_bad("G", "expected a number");
	parse_bad("-1G", "expected a number");
	parse_bad("20GB", "decimal units");
	parse_bad("20 G", "unknown unit");
	parse_bad("20X", "unknown unit");
	parse_bad("20Gx", "unexpected");
	parse_bad("20GiBs", "unexpected");
	parse_bad("1.", "digits expected");
	parse_bad("1.5", "fraction of a byte");
	parse_bad("18446744073709551616", "too large");
	parse_bad("16777216T", "too large");
	parse_bad("99999999999999999999", "too large");
}

static void test_format(void **st)
{
	(void)st;
	char b[32];
	assert_string_equal(size_format(0, b, sizeof(b)), "0 B");
	assert_string_equal(size_format(1023, b, sizeof(b)), "1023 B");
	assert_string_equal(size_format(KiB, b, sizeof(b)), "1 KiB");
	assert_string_equal(size_format(20 * GiB, b, sizeof(b)), "20 GiB");
	assert_string_equal(size_format(GiB + 512 * MiB, b, sizeof(b)), "1.5 GiB");
	/* sizes as the user gave them: --size 1500M is 1500 MiB (1.46 GiB,
	 * which used to show as "1.4 GiB": neither exact nor rightly rounded) */
	assert_string_equal(size_format(1500 * MiB, b, sizeof(b)), "1500 MiB");
	assert_string_equal(size_format(GiB + 256 * MiB, b, sizeof(b)), "1.25 GiB");
	assert_string_equal(size_format(1536 * MiB, b, sizeof(b)), "1.5 GiB");
	assert_string_equal(size_format(9999 * MiB, b, sizeof(b)), "9999 MiB");
	assert_string_equal(size_format(10 * GiB + MiB, b, sizeof(b)), "~10 GiB");
	assert_string_equal(size_format(43574 * KiB, b, sizeof(b)), "~42.6 MiB");
	assert_string_equal(size_format(204800 * KiB, b, sizeof(b)), "200 MiB");
	assert_string_equal(size_format(43520 * KiB, b, sizeof(b)), "42.5 MiB");
	/* not exact in two decimals: rounded to the nearest tenth, marked '~' */
	assert_string_equal(size_format(58722ULL * 4096, b, sizeof(b)), "~229.4 MiB");
	assert_string_equal(size_format(1500 * MiB + 1, b, sizeof(b)), "~1.5 GiB");
	assert_string_equal(size_format(2 * GiB - 1, b, sizeof(b)), "~2 GiB");
	assert_string_equal(size_format(1024 * MiB - 1, b, sizeof(b)), "~1 GiB");
	assert_string_equal(size_format(100001, b, sizeof(b)), "~97.7 KiB");
	assert_string_equal(size_format(UINT64_MAX, b, sizeof(b)), "~16 EiB");
}

static void test_align(void **st)
{
	(void)st;
	assert_int_equal(size_align_down(4095, 2048, 0), 2048);
	assert_int_equal(size_align_down(4096, 2048, 0), 4096);
	assert_int_equal(size_align_up(4095, 2048, 0), 4096);
	assert_int_equal(size_align_up(4096, 2048, 0), 4096);
	assert_int_equal(size_align_up(4097, 2048, 0), 6144);
	assert_int_equal(size_align_down(5000, 1, 0), 5000);
	assert_int_equal(size_align_down(5000, 0, 0), 5000);
	/* offset 7: aligned lbas are 7, 2055, 4103 */
	assert_int_equal(size_align_down(4102, 2048, 7), 2055);
	assert_int_equal(size_align_up(4102, 2048, 7), 4103);
}

/* A 10 GiB partition at 1 MiB, 512-byte sectors, 1 MiB grain, 4 KiB blocks,
 * filling the partition; resize2fs estimates 1 GiB. */
static struct shrink_geom geom(void)
{
	struct shrink_geom g = {
		.sector_size = 512, .start = 2048, .size = 10 * GiB / 512,
		.grain = 2048, .block_size = 4096, .fs_blocks = 10 * GiB / 4096,
		.min_blocks = GiB / 4096,
	};
	return g;
}

/* The invariants every plan must hold. */
static void check_plan(const struct shrink_geom *g, const struct shrink_plan *p)
{
	assert_true(p->new_size > 0);
	assert_true(p->new_size < g->size);
	assert_int_equal(p->new_end, g->start + p->new_size - 1);
	assert_int_equal((p->new_end + 1 - g->align_offset) % g->grain, 0);
	/* the filesystem fits its partition, in whole blocks */
	assert_true(p->fs_blocks * g->block_size <= p->new_size * g->sector_size);
	/* and uses it: less than one block left over */
	if (p->fs_blocks < g->fs_blocks)
		assert_true(p->new_size * g->sector_size - p->fs_blocks * g->block_size < g->block_size);
	assert_true(p->fs_blocks >= g->min_blocks);
	assert_int_equal(p->freed, g->size - p->new_size);
}

static void test_plan_size(void **st)
{
	(void)st;
	struct shrink_geom g = geom();
	struct shrink_plan p;
	assert_int_equal(size_plan_shrink(&g, SHRINK_TO_SIZE, 4 * GiB, &p), 0);
	check_plan(&g, &p);
	assert_int_equal(p.new_size, 4 * GiB / 512);
	assert_int_equal(p.fs_blocks, 4 * GiB / 4096);
	assert_int_equal(p.below_margin, 0);
	/* not a multiple of the grain: rounded down to it */
	assert_int_equal(size_plan_shrink(&g, SHRINK_TO_SIZE, 4 * GiB + 1000 * KiB, &p), 0);
	check_plan(&g, &p);
	assert_int_equal(p.new_size, 4 * GiB / 512);
}

static void test_plan_free(void **st)
{
	(void)st;
	struct shrink_geom g = geom();
	struct shrink_plan p;
	assert_int_equal(size_plan_shrink(&g, SHRINK_BY_FREE, 3 * GiB, &p), 0);
	check_plan(&g, &p);
	assert_int_equal(p.new_size, 7 * GiB / 512);
	assert_int_equal(p.freed, 3 * GiB / 512);
	/* freeing a bit more than asked when the end must be aligned */
	assert_int_equal(size_plan_shrink(&g, SHRINK_BY_FREE, 3 * GiB + 1, &p), 0);
	check_plan(&g, &p);
	assert_true(p.freed * 512 >= 3 * GiB + 1);
	/* freeing everything is refused */
	assert_true(size_plan_shrink(&g, SHRINK_BY_FREE, 10 * GiB, &p) == -ERANGE);
	assert_true(size_plan_shrink(&g, SHRINK_BY_FREE, 0, &p) == -EINVAL);
}

static void test_plan_minimum(void **st)
{
	(void)st;
	struct shrink_geom g = geom();
	struct shrink_plan p;
	assert_int_equal(size_plan_shrink(&g, SHRINK_MINIMUM, 0, &p), 0);
	check_plan(&g, &p);
	/* at least the estimate plus the margin, and less than one grain above it */
	assert_true(p.fs_blocks >= p.safe_blocks);
	assert_true(p.new_size * 512 < p.safe_blocks * 4096 + 2048 * 512);
	assert_int_equal(p.below_margin, 0);
	/* margin: 10 % of a big estimate, 64 MiB for a small one */
	assert_int_equal(size_min_margin(256 * MiB / 4096, 4096), 64 * MiB / 4096);
	assert_int_equal(size_min_margin(GiB / 4096, 4096), GiB / 4096 / 10);
	assert_int_equal(size_min_margin(10 * GiB / 4096, 4096), GiB / 4096);
	assert_int_equal(size_min_margin(10 * GiB / 1024, 1024), GiB / 1024);
	/* unknown minimum */
	g.min_blocks = 0;
	assert_true(size_plan_shrink(&g, SHRINK_MINIMUM, 0, &p) == -EINVAL);
}

static void test_plan_refusals(void **st)
{
	(void)st;
	struct shrink_geom g = geom();
	struct shrink_plan p;
	rc_clear();
	/* below resize2fs's estimate */
	assert_true(size_plan_shrink(&g, SHRINK_TO_SIZE, 512 * MiB, &p) == -ENOSPC);
	assert_int_equal(rc_exit_hint(), RC_EXIT_REFUSED);
	assert_non_null(strstr(rc_msg(), "minimum"));
	/* just above it but inside the margin: allowed, flagged */
	assert_int_equal(size_plan_shrink(&g, SHRINK_TO_SIZE, GiB + 32 * MiB, &p), 0);
	check_plan(&g, &p);
	assert_int_equal(p.below_margin, 1);
	/* exactly the estimate: allowed */
	assert_int_equal(size_plan_shrink(&g, SHRINK_TO_SIZE, GiB, &p), 0);
	check_plan(&g, &p);
	/* not smaller (same, larger, same after alignment) */
	assert_true(size_plan_shrink(&g, SHRINK_TO_SIZE, 10 * GiB, &p) == -ERANGE);
	assert_true(size_plan_shrink(&g, SHRINK_TO_SIZE, 11 * GiB, &p) == -ERANGE);
	assert_int_equal(rc_exit_hint(), RC_EXIT_USAGE);
	g.size += 1000;  /* unaligned end now: 10 GiB aligns down, which is a shrink */
	assert_int_equal(size_plan_shrink(&g, SHRINK_TO_SIZE, 10 * GiB + 1000 * 512, &p), 0);
	assert_int_equal(p.new_size, 10 * GiB / 512);
	/* smaller than a grain */
	g = geom();
	g.min_blocks = 0;
	assert_true(size_plan_shrink(&g, SHRINK_TO_SIZE, 4096, &p) == -ENOSPC);
	assert_true(size_plan_shrink(&g, SHRINK_TO_SIZE, 0, &p) == -EINVAL);
	/* bad geometry */
	g.block_size = 0;
	assert_true(size_plan_shrink(&g, SHRINK_TO_SIZE, GiB, &p) == -EINVAL);
}

static void test_plan_odd_geometry(void **st)
{
	(void)st;
	/* old-style start at sector 63, 4 KiB sectors, 1 KiB blocks, grain 1 */
	struct shrink_geom g = {
		.sector_size = 512, .start = 63, .size = 2000000, .grain = 2048,
		.block_size = 1024, .fs_blocks = 1000000, .min_blocks = 100000,
	};
	struct shrink_plan p;
	assert_int_equal(size_plan_shrink(&g, SHRINK_TO_SIZE, 500 * MiB + 777, &p), 0);
	check_plan(&g, &p);
	assert_int_equal(size_plan_shrink(&g, SHRINK_MINIMUM, 0, &p), 0);
	check_plan(&g, &p);
	assert_true(p.fs_blocks >= p.safe_blocks);

	/* 4 KiB sectors, 1 KiB blocks: blocks smaller than sectors */
	struct shrink_geom h = {
		.sector_size = 4096, .start = 256, .size = 262144, .grain = 256,
		.block_size = 1024, .fs_blocks = 1048576, .min_blocks = 200000,
	};
	assert_int_equal(size_plan_shrink(&h, SHRINK_BY_FREE, 100 * MiB + 5, &p), 0);
	check_plan(&h, &p);
	assert_int_equal(size_plan_shrink(&h, SHRINK_MINIMUM, 0, &p), 0);
	check_plan(&h, &p);

	/* filesystem already smaller than the partition: never grown */
	struct shrink_geom k = geom();
	k.fs_blocks = 2 * GiB / 4096;
	assert_int_equal(size_plan_shrink(&k, SHRINK_TO_SIZE, 5 * GiB, &p), 0);
	assert_int_equal(p.fs_blocks, 2 * GiB / 4096);
	check_plan(&k, &p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_units),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_align),
		cmocka_unit_test(test_plan_size),
		cmocka_unit_test(test_plan_free),
		cmocka_unit_test(test_plan_minimum),
		cmocka_unit_test(test_plan_refusals),
		cmocka_unit_test(test_plan_odd_geometry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
