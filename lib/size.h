/* Pure size arithmetic: parsing "20G", formatting, and planning a shrink so
 * that the filesystem always fits its partition and the partition end is
 * aligned. No I/O; unit-tested in tests/unit/test_size.c. */
#ifndef RC_SIZE_H
#define RC_SIZE_H
#include <stddef.h>
#include <stdint.h>

/* Parse a size: plain bytes ("1048576") or a number with a binary suffix
 * K, M, G, T (also KiB ... TiB, any case; "1.5G" allowed). Decimal units
 * (GB) are refused with a message, as they are ambiguous. 0 or -EINVAL /
 * -ERANGE with a recorded message. */
int size_parse(const char *s, uint64_t *bytes);

/* A size for people, exact whenever it can be: in the largest binary unit
 * that shows it with at most two decimals and four digits before the point
 * ("20 GiB", "1.5 GiB", "1.25 GiB", "1500 MiB" -- what --size 1500M gives --,
 * "4096 B"). Otherwise approximate, rounded to the nearest tenth and marked
 * with '~' ("~229.4 MiB", "~2 GiB" for 2 GiB - 1 byte), so a rounded figure
 * never passes for an exact one. Returns BUF (32 bytes are enough). */
const char *size_format(uint64_t bytes, char *buf, size_t bufsz);

/* Align LBA down/up to GRAIN sectors, with OFFSET sectors of alignment
 * offset (as libfdisk's fdisk_align_lba does for grain and offset 0). */
uint64_t size_align_down(uint64_t lba, uint64_t grain, uint64_t offset);
uint64_t size_align_up(uint64_t lba, uint64_t grain, uint64_t offset);

/* What the user asked for. */
enum shrink_mode {
	SHRINK_TO_SIZE = 1,   /* --size: the new partition size */
	SHRINK_BY_FREE,       /* --free: the space to free at the partition end */
	SHRINK_MINIMUM,       /* --minimum: resize2fs -P estimate plus a margin */
};

/* The facts a shrink is planned from. */
struct shrink_geom {
	uint32_t sector_size;   /* bytes, 512 or 4096 */
	uint64_t start;         /* partition start, sectors */
	uint64_t size;          /* partition size now, sectors */
	uint64_t grain;         /* alignment grain, sectors (libfdisk's) */
	uint64_t align_offset;  /* alignment offset, sectors (usually 0) */
	uint32_t block_size;    /* filesystem block size, bytes */
	uint64_t fs_blocks;     /* filesystem size now, blocks */
	uint64_t min_blocks;    /* resize2fs -P estimate, blocks (0: unknown) */
};

struct shrink_plan {
	uint64_t new_size;      /* partition size, sectors */
	uint64_t new_end;       /* last sector of the partition (inclusive) */
	uint64_t fs_blocks;     /* new filesystem size, blocks */
	uint64_t freed;         /* sectors freed after the partition */
	uint64_t floor_blocks;  /* the refusal limit used: min_blocks */
	uint64_t safe_blocks;   /* min_blocks plus the safety margin */
	int below_margin;       /* 1: the new size is above the estimate but
				   inside the margin (warn) */
};

/* The safety margin added to resize2fs's estimate for --minimum, in blocks:
 * 10 % of the estimate, at least 64 MiB. */
uint64_t size_min_margin(uint64_t min_blocks, uint32_t block_size);

/* Plan a shrink. BYTES is the --size or --free value (ignored for
 * SHRINK_MINIMUM). The partition keeps its start; its end+1 is aligned down
 * to the grain; the filesystem gets the whole blocks that fit (never more
 * than it has now). Errors (recorded, exit hint 3 for refusals):
 *   -EINVAL  bad geometry or a zero size
 *   -ERANGE  the new size is not smaller than the partition
 *   -ENOSPC  the filesystem would be below resize2fs's minimum */
int size_plan_shrink(const struct shrink_geom *g, enum shrink_mode mode,
		     uint64_t bytes, struct shrink_plan *p);

#endif
