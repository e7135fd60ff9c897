/* shrink-root --pv: after the LV, shrink its PV and the PV's partition, so
 * the space lvreduce freed becomes free space on the disk (and --new
 * partitions in it). The facts and the arithmetic, apart for tests; the
 * planning and the steps are in shrink_pv.c (its header says the order).
 *
 * shrink_pv_parse reads lvm's segment report, as printed by
 *   pvs --segments --noheadings --nosuffix --units b --separator '|' -o
 *   pv_name,vg_name,dev_size,pv_size,pe_start,pv_pe_count,pv_mda_count,
 *   pv_mda_size,vg_extent_size,pv_count,pvseg_start,pvseg_size,lv_name,
 *   seg_start_pe
 * (one line per PV segment; a free one has no lv_name). Only VG's lines
 * count. Bounded: at most SHRINK_PV_TEXT bytes, lines of at most 1023
 * characters, SHRINK_PV_SEGS segments of VG on SHRINK_PV_MAX PVs; every
 * number must parse and the segments of one PV must not overlap or pass
 * its pe_count. It picks the one PV that holds LV: exactly one must (an LV
 * spread over several PVs is refused, exit hint 3, naming them).
 *
 * shrink_pv_plan: LV goes from OLD_EXT to NEW_EXT extents (lvreduce cuts
 * its highest logical extents); the PV loses the same number of extents at
 * its end. Refused (exit hint 3) when any extent still in use after the
 * lvreduce lies at or past the new end: the message names the LV, its
 * extents and the pvmove that moves them. The new PV size for
 * 'pvresize --setphysicalvolumesize' is pe_start + extents * extent size,
 * plus the second metadata area at the end when there are two, rounded up
 * to a KiB.
 *
 * shrink_pv_part: the PV's partition (START, SIZE sectors of SS bytes)
 * keeps its start; its end+1 is aligned up (GRAIN, ALIGN_OFFSET, as
 * libfdisk aligns) from the first sector past the new PV. Refused (exit
 * hint 3) when that does not make the partition smaller.
 *
 * shrink_pv_resume: a re-run with --pv on an LV that has the size asked
 * already (a shrink stopped after lvreduce or after pvresize, or one that
 * is done). What the interrupted run meant to cut off the PV is not
 * recorded anywhere, so the rule is: the free extents at the PV's end go,
 * when the extent before them is LV's (its last one): the PV keeps up to
 * LV's last extent (new_pe_count), and new_bytes as above. That is the
 * space lvreduce freed, and any extents that were free at the PV's end
 * before the first run (which an uninterrupted run would have left in the
 * VG); free extents never hold data, and 'pvresize PV' after growing the
 * partition back returns them. Refused (exit hint 3), as not the space
 * the run freed: free extents at or after LV's last extent that are
 * followed by another LV's extents (named, with the pvmove that moves
 * them). pv_todo: the PV is still to shrink. */
#ifndef RC_SHRINK_PV_H
#define RC_SHRINK_PV_H
#include "lock.h"
#include <stddef.h>
#include <stdint.h>

#define SHRINK_PV_SEGS 256
#define SHRINK_PV_MAX 16
#define SHRINK_PV_TEXT (256 * 1024)

struct shrink_pvseg {
	uint64_t pe, n;             /* physical extents pe .. pe+n-1 */
	uint64_t le;                /* the LV's logical extent at pe */
	char lv[128];               /* "" = free */
};

struct shrink_pv {
	char name[128];             /* /dev/sda3 */
	uint64_t dev_size, pv_size, pe_start, pe_count, mda_count, mda_size, extent;
	int vg_pvs;                 /* PVs in the VG */
	int nsegs;
	struct shrink_pvseg seg[SHRINK_PV_SEGS];
	/* planned */
	uint64_t new_pe_count, new_bytes;      /* pvresize --setphysicalvolumesize */
	uint64_t part_new_size, part_new_end;  /* sectors */
	int pv_todo, part_todo;     /* pvresize and the partition's steps are planned (always, unless a
				       re-run finds them done: shrink_pv_resume, pv_table) */
	/* while the plan lives */
	struct devlock lvlock;
	int locked;
};

int shrink_pv_parse(const char *text, const char *vg, const char *lv, struct shrink_pv *pv);
int shrink_pv_plan(struct shrink_pv *pv, const char *vg, const char *lv, uint64_t old_ext, uint64_t new_ext);
int shrink_pv_resume(struct shrink_pv *pv, const char *vg, const char *lv);
int shrink_pv_part(struct shrink_pv *pv, uint32_t ss, uint64_t start, uint64_t size, uint64_t grain,
		   uint64_t align_offset);

#endif
