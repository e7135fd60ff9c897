#include "size.h"
#include "err.h"
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MIB (1024ULL * 1024)

int size_parse(const char *s, uint64_t *bytes)
{
	const char *p = s;
	uint64_t ip = 0, frac = 0, fdiv = 1;
	int digits = 0, fdigits = 0;

	if (!s || !*s)
		return rc_failx(RC_EXIT_USAGE, EINVAL, "empty size");
	for (; isdigit((unsigned char)*p); p++, digits++) {
		uint64_t d = (uint64_t)(*p - '0');
		if (ip > (UINT64_MAX - d) / 10)
			return rc_failx(RC_EXIT_USAGE, ERANGE, "size '%s' is too large", s);
		ip = ip * 10 + d;
	}
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++, fdigits++) {
			if (fdigits < 9) {   /* more precision than bytes need */
				frac = frac * 10 + (uint64_t)(*p - '0');
				fdiv *= 10;
			}
		}
		if (!fdigits)
			return rc_failx(RC_EXIT_USAGE, EINVAL, "bad size '%s': digits expected after '.'", s);
	}
	if (!digits && !fdigits)
		return rc_failx(RC_EXIT_USAGE, EINVAL,
				"bad size '%s': expected a number of bytes or a number with K, M, G or T", s);

	unsigned shift = 0;
	if (*p) {
		const char *u = "KMGT", *hit = strchr(u, toupper((unsigned char)*p));
		if (!hit || !*hit)
			return rc_failx(RC_EXIT_USAGE, EINVAL,
					"bad size '%s': unknown unit '%s' (use K, M, G, T or plain bytes)", s, p);
		shift = 10 * (unsigned)(hit - u + 1);
		p++;
		if (!strcasecmp(p, "iB"))
			p += 2;
		else if (*p == 'B' || *p == 'b')
			return rc_failx(RC_EXIT_USAGE, EINVAL,
					"bad size '%s': decimal units are ambiguous; write %c or %ciB (binary, 1024-based) or plain bytes",
					s, toupper((unsigned char)s[p - s - 1]), toupper((unsigned char)s[p - s - 1]));
		if (*p)
			return rc_failx(RC_EXIT_USAGE, EINVAL, "bad size '%s': unexpected '%s' after the unit", s, p);
	}
	if (fdigits && !shift)
		return rc_failx(RC_EXIT_USAGE, EINVAL, "bad size '%s': a fraction of a byte", s);
	if (shift && ip > (UINT64_MAX >> shift))
		return rc_failx(RC_EXIT_USAGE, ERANGE, "size '%s' is too large", s);
	uint64_t v = ip << shift;
	if (fdigits) {
		/* frac/fdiv < 1 and 1 << shift <= 2^40: no overflow in 128 bits */
		unsigned __int128 f = ((unsigned __int128)frac << shift) / fdiv;
		if (v > UINT64_MAX - (uint64_t)f)
			return rc_failx(RC_EXIT_USAGE, ERANGE, "size '%s' is too large", s);
		v += (uint64_t)f;
	}
	*bytes = v;
	return 0;
}

/* "1.25" from HUNDREDTHS (trailing zeros dropped) */
static void put_decimal(uint64_t hundredths, const char *unit, const char *mark, char *buf, size_t bufsz)
{
	uint64_t whole = hundredths / 100, frac = hundredths % 100;
	if (!frac)
		snprintf(buf, bufsz, "%s%" PRIu64 " %s", mark, whole, unit);
	else if (frac % 10 == 0)
		snprintf(buf, bufsz, "%s%" PRIu64 ".%" PRIu64 " %s", mark, whole, frac / 10, unit);
	else
		snprintf(buf, bufsz, "%s%" PRIu64 ".%02" PRIu64 " %s", mark, whole, frac, unit);
}

const char *size_format(uint64_t bytes, char *buf, size_t bufsz)
{
	static const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	typedef unsigned __int128 u128;
	/* exact: the largest unit that shows it with at most two decimals and
	 * four digits before the point (1500 MiB, 1.5 GiB, 1.25 GiB, 4096 B) */
	for (int i = 6; i >= 0; i--) {
		u128 u = (u128)1 << (10 * i), h = (u128)bytes * 100;
		if ((bytes >= u || !i) && h % u == 0 && bytes / u < 10000) {
			put_decimal((uint64_t)(h / u), units[i], "", buf, bufsz);
			return buf;
		}
	}
	/* approximate: one decimal, rounded to the nearest, marked with '~' */
	int i = 0;
	while (i < 6 && bytes >= (1ULL << (10 * (i + 1))))
		i++;
	u128 u = (u128)1 << (10 * i);
	u128 tenths = ((u128)bytes * 10 + u / 2) / u;
	if (tenths >= 10240 && i < 6) {
		u <<= 10;
		i++;
		tenths = ((u128)bytes * 10 + u / 2) / u;
	}
	put_decimal((uint64_t)tenths * 10, units[i], "~", buf, bufsz);
	return buf;
}

uint64_t size_align_down(uint64_t lba, uint64_t grain, uint64_t offset)
{
	if (grain <= 1 || lba < offset)
		return lba;
	return (lba - offset) / grain * grain + offset;
}

uint64_t size_align_up(uint64_t lba, uint64_t grain, uint64_t offset)
{
	uint64_t d = size_align_down(lba, grain, offset);
	return d == lba ? lba : d + grain;
}

uint64_t size_min_margin(uint64_t min_blocks, uint32_t block_size)
{
	if (!block_size)
		return 0;
	uint64_t m = min_blocks / 10, floor = (64 * MIB + block_size - 1) / block_size;
	return m > floor ? m : floor;
}

/* The wanted partition size in bytes, before alignment. */
static int wanted(const struct shrink_geom *g, enum shrink_mode mode, uint64_t bytes,
		  const struct shrink_plan *p, uint64_t *want)
{
	uint64_t ss = g->sector_size, cur_bytes = g->size * ss;
	char a[32], b[32];
	switch (mode) {
	case SHRINK_TO_SIZE:
		if (!bytes)
			return rc_failx(RC_EXIT_USAGE, EINVAL, "the new size must not be zero");
		*want = bytes;
		return 0;
	case SHRINK_BY_FREE:
		if (!bytes)
			return rc_failx(RC_EXIT_USAGE, EINVAL, "the space to free must not be zero");
		if (bytes >= cur_bytes)
			return rc_failx(RC_EXIT_USAGE, ERANGE,
					"cannot free %s: the partition is only %s",
					size_format(bytes, a, sizeof(a)), size_format(cur_bytes, b, sizeof(b)));
		*want = cur_bytes - bytes;
		return 0;
	case SHRINK_MINIMUM:
		if (!g->min_blocks)
			return rc_fail(EINVAL, "the filesystem's minimum size is unknown");
		*want = p->safe_blocks * g->block_size;
		/* a whole number of sectors, rounded up: the margin stays whole */
		if (g->block_size < ss)
			*want = (*want + ss - 1) / ss * ss;
		/* the end is aligned down later: add a grain so the result stays
		 * at or above the safe size */
		if (*want / ss > UINT64_MAX - g->grain)
			return rc_fail(ERANGE, "size overflow");
		*want += (g->grain > 1 ? g->grain - 1 : 0) * ss;
		return 0;
	}
	return rc_fail(EINVAL, "unknown shrink mode");
}

int size_plan_shrink(const struct shrink_geom *g, enum shrink_mode mode,
		     uint64_t bytes, struct shrink_plan *p)
{
	char a[32], b[32];

	memset(p, 0, sizeof(*p));
	if (!g->sector_size || !g->size || !g->block_size || !g->fs_blocks ||
	    (g->block_size % g->sector_size && g->sector_size % g->block_size))
		return rc_fail(EINVAL, "bad geometry (sector size %u, block size %u)",
			       g->sector_size, g->block_size);
	if (g->start > UINT64_MAX - g->size)
		return rc_fail(EINVAL, "bad geometry: partition end overflows");

	uint64_t ss = g->sector_size, cur_bytes = g->size * ss;
	uint64_t want = 0;  /* wanted partition size, bytes */

	p->floor_blocks = g->min_blocks;
	p->safe_blocks = g->min_blocks ? g->min_blocks + size_min_margin(g->min_blocks, g->block_size) : 0;

	int r = wanted(g, mode, bytes, p, &want);
	if (r < 0)
		return r;

	uint64_t want_sect = want / ss;
	if (want_sect > g->size)
		want_sect = g->size;
	uint64_t end_excl = size_align_down(g->start + want_sect, g->grain, g->align_offset);
	if (end_excl <= g->start)
		return rc_failx(RC_EXIT_REFUSED, ENOSPC,
				"%s is smaller than one alignment unit (%s); nothing would be left",
				size_format(want, a, sizeof(a)), size_format(g->grain * ss, b, sizeof(b)));
	p->new_size = end_excl - g->start;
	p->new_end = end_excl - 1;
	if (p->new_size >= g->size)
		return rc_failx(RC_EXIT_USAGE, ERANGE,
				"the partition is %s; %s aligned to %s is not smaller, so there is nothing to shrink",
				size_format(cur_bytes, a, sizeof(a)), mode == SHRINK_MINIMUM ?
				"the minimum plus its margin" : "the new size",
				size_format(g->grain * ss, b, sizeof(b)));
	p->freed = g->size - p->new_size;

	/* whole filesystem blocks inside the new partition, never a grow */
	uint64_t blocks = p->new_size * ss / g->block_size;
	if (blocks > g->fs_blocks)
		blocks = g->fs_blocks;
	p->fs_blocks = blocks;

	if (g->min_blocks && blocks < g->min_blocks)
		return rc_failx(RC_EXIT_REFUSED, ENOSPC,
				"%s is below the filesystem's minimum: resize2fs -P estimates %s "
				"(%" PRIu64 " blocks of %u bytes); choose at least %s (--minimum does)",
				size_format(blocks * g->block_size, a, sizeof(a)),
				size_format(g->min_blocks * g->block_size, b, sizeof(b)),
				g->min_blocks, g->block_size,
				size_format(p->safe_blocks * g->block_size, (char[32]){0}, 32));
	if (g->min_blocks && blocks < p->safe_blocks)
		p->below_margin = 1;
	return 0;
}
