/* shrink-root --pv on an LVM logical volume: after the filesystem and the
 * LV, the PV and its partition shrink too, so the space becomes free space
 * on the disk (and --new partitions there, as on the plain path). The
 * facts, the refusals and the steps; the arithmetic's contract is in
 * shrink_pv.h.
 *
 * The plan (shrink_vol.c makes the first steps and calls in here):
 *   e2fsck -f -> resize2fs -> lvreduce -> pvresize --setphysicalvolumesize
 *   -> save the PV's disk's table -> shrink the PV's partition (same start)
 *   and add the --new ones, in memory -> write the table -> tell the kernel
 *   (BLKPG) -> disable growpart -> e2fsck -fn -> mkfs on the new partitions
 * The table steps are the plain path's (shrink_steps.c), with the PV's
 * partition in s->pi and its new end from shrink_pv_part. The PV shrinks
 * before its partition, so at no step is it larger than the partition.
 * Undo, newest first: the old table written back (a failed write), then
 * 'pvresize PV' (the PV fills its old partition again), lvextend,
 * resize2fs. A re-run on an LV that has the size asked already
 * (s->already) cuts the PV's free extents after the LV's last one
 * (shrink_pv_resume, shrink_pv.h says why that rule) and shrinks the
 * partition when it is still larger than the PV needs; either is left out
 * when done.
 *
 * Refused while planning (exit 3, nothing written): an LV on more than one
 * PV; a PV that is not a partition (an md array, a whole disk, a
 * device-mapper device: the manual steps are said); an extent in use at or
 * past the PV's new end (named, with the pvmove that moves it); a
 * partition the new PV size does not make smaller. The LV's node (LOCK_EX;
 * LOCK_SH for a dry run) and the PV's disk (part_open) are flock'ed from
 * planning until shrink_free. */
#include "shrink.h"
#include "shrink_priv.h"
#include "blkdev.h"
#include "err.h"
#include "run.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SET(field, ...) snprintf((field), sizeof(field), __VA_ARGS__)
#define NFIELDS 14

/* ---- lvm's report -------------------------------------------------------- */

static char *trim(char *t)
{
	while (*t == ' ' || *t == '\t')
		t++;
	size_t l = strlen(t);
	while (l && (t[l - 1] == ' ' || t[l - 1] == '\t' || t[l - 1] == '\r'))
		t[--l] = 0;
	return t;
}

/* Split LINE (modified) at '|' into exactly NFIELDS trimmed fields. */
static int split(char *line, char *f[NFIELDS])
{
	int n = 0;
	char *p = line;
	while (p && n < NFIELDS) {
		char *bar = strchr(p, '|');
		if (bar)
			*bar++ = 0;
		f[n++] = trim(p);
		p = bar;
	}
	return n == NFIELDS && !p ? 0 : -1;
}

static int num(const char *t, uint64_t *v)
{
	char *end;
	if (!*t || *t < '0' || *t > '9' || strlen(t) > 20)
		return -1;
	errno = 0;
	*v = strtoull(t, &end, 10);
	return *end || errno ? -1 : 0;
}

/* One PV seen in the report (its facts from its first line). */
struct seen {
	char name[128];
	uint64_t v[9];   /* dev_size pv_size pe_start pe_count mda_count mda_size extent pv_count holds_lv */
};

static int find_seen(struct seen *pvs, int *npv, const char *name, char *f[NFIELDS], int line)
{
	int i;
	for (i = 0; i < *npv; i++)
		if (!strcmp(pvs[i].name, name))
			return i;
	if (*npv >= SHRINK_PV_MAX)
		return rc_failx(RC_EXIT_REFUSED, E2BIG, "the volume group has more than %d PVs; nothing was changed",
				SHRINK_PV_MAX);
	if (strlen(name) >= sizeof(pvs[0].name) || !*name)
		return rc_fail(EINVAL, "pvs line %d: a PV name that is empty or too long", line);
	struct seen *s = &pvs[(*npv)++];
	memset(s, 0, sizeof(*s));
	SET(s->name, "%s", name);
	for (int k = 0; k < 8; k++)
		if (num(f[2 + k], &s->v[k]) < 0)
			return rc_fail(EINVAL, "pvs line %d: '%s' is not a number", line, f[2 + k]);
	uint64_t ext_bytes, used;
	if (!s->v[6] || s->v[6] % 512 || s->v[2] % 512 || s->v[3] > (1ULL << 40) ||
	    __builtin_mul_overflow(s->v[3], s->v[6], &ext_bytes) ||
	    __builtin_add_overflow(s->v[2], ext_bytes, &used) || used > s->v[0] || s->v[4] > 2)
		return rc_fail(EINVAL, "pvs line %d: the PV's sizes do not add up (pe_start %s, %s extents of %s, "
			       "device %s, %s metadata areas)", line, f[4], f[5], f[8], f[2], f[6]);
	return i;
}

/* One segment line of VG: checked against its PV and kept. */
static int add_seg(struct shrink_pv *all, int *pvof, int pvi, const struct seen *pv, char *f[NFIELDS], int line)
{
	uint64_t pe, n, le = 0;
	if (num(f[10], &pe) < 0 || num(f[11], &n) < 0 || !n || (f[12][0] && num(f[13], &le) < 0))
		return rc_fail(EINVAL, "pvs line %d: a segment that is not numbers (%s, %s, %s)", line, f[10], f[11], f[13]);
	if (pe > pv->v[3] || n > pv->v[3] - pe)
		return rc_fail(EINVAL, "pvs line %d: segment %" PRIu64 "+%" PRIu64 " passes the %" PRIu64 " extents of %s",
			       line, pe, n, pv->v[3], pv->name);
	if (strlen(f[12]) >= sizeof(all->seg[0].lv))
		return rc_fail(EINVAL, "pvs line %d: an LV name that is too long", line);
	if (all->nsegs >= SHRINK_PV_SEGS)
		return rc_failx(RC_EXIT_REFUSED, E2BIG, "more than %d segments in the volume group; nothing was changed",
				SHRINK_PV_SEGS);
	for (int i = 0; i < all->nsegs; i++) {
		const struct shrink_pvseg *o = &all->seg[i];
		if (pvof[i] == pvi && pe < o->pe + o->n && o->pe < pe + n)
			return rc_fail(EINVAL, "pvs line %d: segments overlap on %s", line, pv->name);
	}
	struct shrink_pvseg *g = &all->seg[all->nsegs];
	pvof[all->nsegs++] = pvi;
	g->pe = pe, g->n = n, g->le = le;
	SET(g->lv, "%s", f[12]);
	return 0;
}

/* The one PV that holds LV, with its segments, into PV. */
static int pick_pv(struct shrink_pv *pv, struct shrink_pv *all, const int *pvof, struct seen *pvs, int npv,
		   const char *vg, const char *lv)
{
	int which = -1;
	char names[512] = "";
	for (int i = 0; i < all->nsegs; i++)
		if (!strcmp(all->seg[i].lv, lv))
			pvs[pvof[i]].v[8] = 1;
	for (int i = 0; i < npv; i++) {
		if (!pvs[i].v[8])
			continue;
		size_t l = strlen(names);
		snprintf(names + l, sizeof(names) - l, "%s%s", l ? ", " : "", pvs[i].name);
		which = which < 0 ? i : -2;
	}
	if (which == -1)
		return rc_failx(RC_EXIT_REFUSED, ENOENT, "pvs shows no segment of %s/%s; nothing was changed", vg, lv);
	if (which == -2)
		return rc_failx(RC_EXIT_REFUSED, ENOTSUP, "%s/%s lies on more than one PV (%s); --pv shrinks the PV of "
				"an LV that lies wholly on one. Move it onto one first ('pvmove -n %s FROM TO'), or "
				"shrink without --pv (the space stays free in the VG). Nothing was changed",
				vg, lv, names, lv);
	const struct seen *s = &pvs[which];
	SET(pv->name, "%s", s->name);
	pv->dev_size = s->v[0], pv->pv_size = s->v[1], pv->pe_start = s->v[2], pv->pe_count = s->v[3];
	pv->mda_count = s->v[4], pv->mda_size = s->v[5], pv->extent = s->v[6], pv->vg_pvs = (int)s->v[7];
	for (int i = 0; i < all->nsegs; i++)
		if (pvof[i] == which)
			pv->seg[pv->nsegs++] = all->seg[i];
	return 0;
}

int shrink_pv_parse(const char *text, const char *vg, const char *lv, struct shrink_pv *pv)
{
	char buf[1024], *f[NFIELDS];
	struct seen pvs[SHRINK_PV_MAX];
	int npv = 0, line = 0, r = 0;
	memset(pv, 0, sizeof(*pv));
	if (strlen(text) > SHRINK_PV_TEXT)
		return rc_fail(E2BIG, "pvs printed more than %d bytes", SHRINK_PV_TEXT);
	struct shrink_pv *all = calloc(1, sizeof(*all));
	int *pvof = calloc(SHRINK_PV_SEGS, sizeof(int));
	if (!all || !pvof) {
		r = rc_fail(ENOMEM, "out of memory");
		goto out;
	}
	for (const char *p = text; *p && r >= 0; line++) {
		size_t l = strcspn(p, "\n");
		if (l >= sizeof(buf)) {
			r = rc_fail(E2BIG, "pvs line %d is longer than %zu characters", line + 1, sizeof(buf) - 1);
			break;
		}
		memcpy(buf, p, l);
		buf[l] = 0;
		p += l + (p[l] == '\n');
		if (!*trim(buf))
			continue;
		if (split(buf, f) < 0) {
			r = rc_fail(EINVAL, "pvs line %d: %d fields expected", line + 1, NFIELDS);
			break;
		}
		if (strcmp(f[1], vg))
			continue;
		int i = find_seen(pvs, &npv, f[0], f, line + 1);
		r = i < 0 ? i : add_seg(all, pvof, i, &pvs[i], f, line + 1);
	}
	if (r >= 0)
		r = pick_pv(pv, all, pvof, pvs, npv, vg, lv);
out:
	free(all);
	free(pvof);
	return r;
}

/* ---- the arithmetic ------------------------------------------------------ */

/* The first extent past what SEG still uses once LV has NEW_EXT extents. */
static uint64_t seg_end_after(const struct shrink_pvseg *g, const char *lv, uint64_t new_ext, uint64_t *from)
{
	uint64_t keep = g->n;
	*from = g->pe;
	if (!g->lv[0])
		return 0;
	if (!strcmp(g->lv, lv))
		keep = new_ext <= g->le ? 0 : new_ext - g->le < g->n ? new_ext - g->le : g->n;
	return keep ? g->pe + keep : 0;
}

/* pvresize's size for new_pe_count extents: pe_start, the extents, the
 * second metadata area at the end when there is one; whole KiB. */
static void pv_new_bytes(struct shrink_pv *pv)
{
	uint64_t mda_end = 0;
	if (pv->mda_count == 2)   /* the second copy sits at the end: room for it, 1 MiB aligned, and 1 MiB */
		mda_end = (pv->mda_size + (1 << 20) - 1) / (1 << 20) * (1 << 20) + (1 << 20);
	pv->new_bytes = pv->pe_start + pv->new_pe_count * pv->extent + mda_end;
	pv->new_bytes = (pv->new_bytes + 1023) / 1024 * 1024;
}

int shrink_pv_plan(struct shrink_pv *pv, const char *vg, const char *lv, uint64_t old_ext, uint64_t new_ext)
{
	uint64_t cut = old_ext - new_ext, from, end;
	if (!pv->extent || new_ext >= old_ext || cut >= pv->pe_count)
		return rc_fail(EINVAL, "%s/%s: nothing to take from PV %s (%" PRIu64 " -> %" PRIu64 " extents of %" PRIu64 ")",
			       vg, lv, pv->name, old_ext, new_ext, pv->pe_count);
	pv->new_pe_count = pv->pe_count - cut;
	for (int i = 0; i < pv->nsegs; i++) {
		const struct shrink_pvseg *g = &pv->seg[i];
		if ((end = seg_end_after(g, lv, new_ext, &from)) <= pv->new_pe_count)
			continue;
		uint64_t lo = from > pv->new_pe_count ? from : pv->new_pe_count;
		return rc_failx(RC_EXIT_REFUSED, ENOSPC, "--pv: extents %" PRIu64 "-%" PRIu64 " of %s hold %s/%s and "
				"lie past the PV's new end (extent %" PRIu64 " of %" PRIu64 "): they must move first, e.g. "
				"'pvmove --alloc anywhere %s:%" PRIu64 "-%" PRIu64 "' (it needs as many free extents below "
				"%" PRIu64 ", or on another PV of %s), or shrink without --pv (the space stays free in "
				"the VG). Nothing was changed", lo, end - 1, pv->name, vg, g->lv, pv->new_pe_count,
				pv->pe_count, pv->name, lo, end - 1, pv->new_pe_count, vg);
	}
	pv_new_bytes(pv);
	pv->pv_todo = 1;
	return 0;
}

int shrink_pv_resume(struct shrink_pv *pv, const char *vg, const char *lv)
{
	uint64_t lv_end = 0;
	int free_after = 0;
	const struct shrink_pvseg *other = NULL;
	for (int i = 0; i < pv->nsegs; i++)   /* the first extent past LV's last one */
		if (!strcmp(pv->seg[i].lv, lv) && pv->seg[i].pe + pv->seg[i].n > lv_end)
			lv_end = pv->seg[i].pe + pv->seg[i].n;
	if (!pv->extent || !lv_end)
		return rc_fail(EINVAL, "%s/%s: no extent on PV %s", vg, lv, pv->name);
	for (int i = 0; i < pv->nsegs; i++) {
		const struct shrink_pvseg *g = &pv->seg[i];
		if (g->pe < lv_end)
			continue;
		if (!g->lv[0])
			free_after = 1;
		else if (!other || g->pe < other->pe)
			other = g;
	}
	if (other && free_after)
		return rc_failx(RC_EXIT_REFUSED, ENOSPC, "--pv: %s/%s has the size asked already; after its last "
				"extent on %s lie free extents and extents %" PRIu64 "-%" PRIu64 " of %s/%s, so the free "
				"ones are not all at the PV's end and the PV cannot lose them. Move that LV first, e.g. "
				"'pvmove --alloc anywhere %s:%" PRIu64 "-%" PRIu64 "', then run shrink-root again; or leave "
				"the space free in the VG (without --pv). Nothing was changed", vg, lv, pv->name,
				other->pe, other->pe + other->n - 1, vg, other->lv, pv->name, other->pe,
				other->pe + other->n - 1);
	pv->new_pe_count = other ? pv->pe_count : lv_end;
	pv->pv_todo = pv->new_pe_count < pv->pe_count;
	pv_new_bytes(pv);
	return 0;
}

int shrink_pv_part(struct shrink_pv *pv, uint32_t ss, uint64_t start, uint64_t size, uint64_t grain,
		   uint64_t align_offset)
{
	if (!ss || !size || !grain)
		return rc_fail(EINVAL, "%s: unknown partition geometry", pv->name);
	uint64_t need = (pv->new_bytes + ss - 1) / ss;
	uint64_t end1 = size_align_up(start + need, grain, align_offset);
	if (end1 >= start + size)
		return rc_failx(RC_EXIT_REFUSED, ERANGE, "--pv: the PV %s shrunk to %" PRIu64 " bytes still needs its "
				"partition to the end (sector %" PRIu64 " aligned to %" PRIu64 "): nothing to free on the "
				"disk. Shrink more, or without --pv. Nothing was changed", pv->name, pv->new_bytes,
				start + need, grain);
	pv->part_new_size = end1 - start;
	pv->part_new_end = end1 - 1;
	return 0;
}

/* ---- planning ------------------------------------------------------------ */

static int pv_read(struct shrink *s)
{
	char *av[] = { "pvs", "--segments", "--noheadings", "--nosuffix", "--units", "b", "--separator", "|", "-o",
		       "pv_name,vg_name,dev_size,pv_size,pe_start,pv_pe_count,pv_mda_count,pv_mda_size,"
		       "vg_extent_size,pv_count,pvseg_start,pvseg_size,lv_name,seg_start_pe", NULL };
	char *out = NULL, w[600];
	int st, r = run_cmd(av, RUN_CAPTURE | RUN_QUIET, &st, &out, NULL);
	if (r < 0)
		return rc_failx(RC_EXIT_REFUSED, -r, "cannot run pvs: %s; nothing was changed", rc_msg());
	if (st || !out)
		r = rc_failx(RC_EXIT_REFUSED, EIO, "pvs --segments failed (%s); nothing was changed",
			     shrink_why(st, out, w, sizeof(w)));
	else if ((r = shrink_pv_parse(out, s->lv.vg, s->lv.lv, &s->pv)) < 0 && rc_exit_hint() != RC_EXIT_REFUSED) {
		snprintf(w, sizeof(w), "%s", rc_msg());
		r = rc_failx(RC_EXIT_REFUSED, -r, "cannot read lvm's report: %s; nothing was changed", w);
	}
	free(out);
	return r;
}

/* The PV's partition: s->disk and s->partno, or a refusal with the steps. */
static int pv_partition(struct shrink *s)
{
	struct blkdevs bs = { 0 };
	struct stat st;
	const char *b = strrchr(s->pv.name, '/');
	int i = -ENOENT, r = 0;
	if (*sysroot())
		i = blkdevs_add(&bs, b ? b + 1 : s->pv.name);
	else if (stat(s->pv.name, &st) == 0 && S_ISBLK(st.st_mode))
		i = blkdevs_add_devno(&bs, st.st_rdev);
	const struct blkdev *d = i >= 0 ? &bs.d[i] : NULL;
	if (!d)
		r = rc_failx(RC_EXIT_REFUSED, ENODEV, "--pv: the PV %s is not a block device here; nothing was changed",
			     s->pv.name);
	else if (d->kind == BLK_MD)
		r = rc_failx(RC_EXIT_REFUSED, ENOTSUP, "--pv: the PV %s is an md array, not a partition; shrink-root "
			     "does not shrink its members. By hand: 'pvresize --setphysicalvolumesize SIZE %s', "
			     "'mdadm --grow %s --size=KIB', then each member partition. Or shrink without --pv (the "
			     "space stays free in the VG). Nothing was changed", s->pv.name, s->pv.name, s->pv.name);
	else if (d->kind != BLK_PART || !d->parent[0] || d->partno <= 0)
		r = rc_failx(RC_EXIT_REFUSED, ENOTSUP, "--pv: the PV %s is %s, not a partition: there is no partition "
			     "to shrink. 'pvresize --setphysicalvolumesize SIZE %s' shrinks the PV alone; or shrink "
			     "without --pv (the space stays free in the VG). Nothing was changed", s->pv.name,
			     d->kind == BLK_DM ? "a device-mapper device" : "a whole disk", s->pv.name);
	else {
		snprintf(s->disk, sizeof(s->disk), "%s/dev/%s", sysroot(), d->parent);
		s->partno = (size_t)d->partno;
	}
	blkdevs_free(&bs);
	return r;
}

/* The PV's disk, locked and read; its partition shrunk in memory. */
static int pv_table(struct shrink *s)
{
	char a[32], b[32];
	int r = shrink_open_disk(s);
	if (r < 0)
		return r;
	if (s->pv.dev_size > s->pi.size * s->g.sector_size)
		return rc_failx(RC_EXIT_REFUSED, ERANGE, "lvm says %s is %s, the table %s; nothing was changed. Check "
				"the table (sfdisk -d %s) first", s->pv.name, size_format(s->pv.dev_size, a, sizeof(a)),
				size_format(s->pi.size * s->g.sector_size, b, sizeof(b)), s->disk);
	r = shrink_pv_part(&s->pv, s->g.sector_size, s->pi.start, s->pi.size, s->g.grain, s->g.align_offset);
	if (r == -ERANGE && s->already) {   /* a re-run: the partition is shrunk already */
		rc_clear();
		s->pv.part_new_size = s->pi.size;
		s->pv.part_new_end = s->pi.start + s->pi.size - 1;
		return 0;
	}
	if (r < 0)
		return r;
	s->pv.part_todo = 1;
	return part_shrink(s->d, s->partno, s->pv.part_new_size);
}

int shrink_pv_prepare(struct shrink *s)
{
	char path[PATH_MAX];
	int r;
	if ((r = shrink_find_tool("pvs", path, sizeof(path))) < 0 ||
	    (r = shrink_find_tool("pvresize", path, sizeof(path))) < 0 || (r = pv_read(s)) < 0)
		return r;
	if (s->pv.extent != s->lv.extent)
		return rc_failx(RC_EXIT_REFUSED, EINVAL, "pvs and lvs disagree on the extent size of %s; nothing was "
				"changed", s->lv.vg);
	if ((r = s->already ? shrink_pv_resume(&s->pv, s->lv.vg, s->lv.lv)
			    : shrink_pv_plan(&s->pv, s->lv.vg, s->lv.lv, s->vol_bytes / s->pv.extent,
					     s->vol_new / s->pv.extent)) < 0 || (r = pv_partition(s)) < 0)
		return r;
	if ((r = dev_lock_mode(s->dev, !s->rq.dry_run, 10000, &s->pv.lvlock)) < 0)
		return r;
	s->pv.locked = 1;
	if ((r = pv_table(s)) < 0 || (r = shrink_plan_new_parts(s, s->pv.part_new_end)) < 0 ||
	    (r = shrink_plan_growpart(s)) < 0 || (s->pv.part_todo && (r = shrink_plan_backup(s)) < 0))
		return r;
	return 0;
}

/* ---- pvresize ------------------------------------------------------------ */

/* The PV's extents now, from lvm (0 when unknown). */
static uint64_t pe_count_now(const char *pv)
{
	char *av[] = { "pvs", "--noheadings", "-o", "pv_pe_count", (char *)pv, NULL }, *out = NULL;
	uint64_t n = 0;
	int st;
	if (run_cmd(av, RUN_CAPTURE | RUN_QUIET, &st, &out, NULL) == 0 && !st && out) {
		out[strcspn(out, "\n")] = 0;
		if (num(trim(out), &n) < 0)
			n = 0;
	}
	free(out);
	return n;
}

static int pvresize(struct plan *p, struct plan_step *st, const char *size, uint64_t want)
{
	struct shrink *s = plan_arg(p);
	char *av[] = { "pvresize", "--yes", size ? "--setphysicalvolumesize" : s->pv.name, (char *)size,
		       size ? s->pv.name : NULL, NULL }, *out = NULL, w[600];
	int status, r = shrink_tool(p, st, av, 0, &status, &out);
	if (r < 0)
		return r;
	uint64_t now = pe_count_now(s->pv.name);
	if (!size || now != s->pv.pe_count)   /* one that failed with the old size changed nothing */
		plan_touch(st);
	if (status)
		r = rc_fail(EIO, "pvresize failed (%s)", shrink_why(status, out, w, sizeof(w)));
	else if (now != want)
		r = rc_fail(EIO, "PV %s has %" PRIu64 " extents after pvresize, not the planned %" PRIu64,
			    s->pv.name, now, want);
	free(out);
	return r;
}

static int run_pvresize(struct plan *p, struct plan_step *st)
{
	struct shrink *s = plan_arg(p);
	char size[48];
	snprintf(size, sizeof(size), "%" PRIu64 "k", s->pv.new_bytes / 1024);
	return pvresize(p, st, size, s->pv.new_pe_count);
}

/* 'pvresize PV': the PV fills its partition again (the old table is back
 * by then: a failed write undoes itself first). */
static int undo_pvresize(struct plan *p, struct plan_step *st)
{
	struct shrink *s = plan_arg(p);
	return pvresize(p, st, NULL, s->pv.pe_count);
}

/* ---- the steps ----------------------------------------------------------- */

static void done_words(const struct shrink *s, char *buf, size_t sz)
{
	char a[32], b[32], c[32], d[32];
	snprintf(buf, sz, "LV %s/%s is %s (filesystem %s), PV %s %s, partition %zu of %s %s; the old table is in %s",
		 s->lv.vg, s->lv.lv, size_format(s->vol_new, a, sizeof(a)),
		 size_format(s->sz.fs_blocks * s->fi.block_size, b, sizeof(b)), s->pv.name,
		 size_format(s->pv.new_pe_count * s->pv.extent, c, sizeof(c)), s->partno, s->disk,
		 size_format(s->pv.part_new_size * s->g.sector_size, d, sizeof(d)), s->backup);
}

int shrink_pv_add_steps(struct shrink *s)
{
	char a[32], b[32], done[PLAN_TEXT];
	int kernel_n;
	done_words(s, done, sizeof(done));
	if (!s->pv.pv_todo)   /* a re-run: the PV has no free extents left at its end */
		return s->pv.part_todo ? shrink_add_disk_steps(s, s->pv.part_new_size, s->pv.part_new_end, done, &kernel_n)
				       : shrink_add_growpart_steps(s, done);
	struct plan_step *st = plan_add(s->plan, "shrink-pv", "pvresize");
	if (!st)
		return rc_fail(ENOMEM, "out of memory");
	st->run = run_pvresize;
	st->undo_fn = undo_pvresize;
	st->flags = PLAN_UNDO_LATER | PLAN_UNDO_SELF;   /* its partition is unchanged until step +3 */
	size_format(s->pv.new_pe_count * s->pv.extent, a, sizeof(a));
	size_format(s->pi.size * s->g.sector_size, b, sizeof(b));
	SET(st->does, "pvresize --yes --setphysicalvolumesize %" PRIu64 "k %s (%" PRIu64 " extents, %s; was %" PRIu64
	    ": the extents lvreduce freed leave the PV's end)", s->pv.new_bytes / 1024, s->pv.name,
	    s->pv.new_pe_count, a, s->pv.pe_count);
	SET(st->changes, "the PV header and the LVM metadata on %s", s->pv.name);
	SET(st->after, "PV %s has %" PRIu64 " extents (%s) and LV %s/%s fits in them; its partition is unchanged (%s)",
	    s->pv.name, s->pv.new_pe_count, a, s->lv.vg, s->lv.lv, b);
	SET(st->if_failed, "pvresize stopped; the LV is inside the PV and the PV inside its partition either way "
	    "(a PV it did shrink is grown back automatically, then the LV and the filesystem)");
	SET(st->undo, "'pvresize %s' makes the PV fill its partition again", s->pv.name);
	SET(st->resume, "'pvs %s' shows its size; run shrink-root again", s->pv.name);
	if (!s->pv.part_todo)   /* a re-run on a PV whose partition is snug already (shrunk by hand) */
		return shrink_add_growpart_steps(s, done);
	return shrink_add_disk_steps(s, s->pv.part_new_size, s->pv.part_new_end, done, &kernel_n);
}

int shrink_pv_add_late_steps(struct shrink *s)
{
	char done[PLAN_TEXT];
	int kernel_n = 0;
	for (size_t i = 0; i < plan_count(s->plan); i++)
		if (!strcmp(plan_step(s->plan, i)->kind, "tell-kernel"))
			kernel_n = (int)i + 1;
	done_words(s, done, sizeof(done));
	return shrink_add_mkfs_steps(s, s->pv.part_new_size, done, kernel_n);
}
