/* shrink-root on a root that is an md RAID1 array (metadata 1.2) or an LVM
 * logical volume: the facts, the refusals and the steps, on the plan and
 * loop of the plain path (lib/plan.h; shrink.h for the contract).
 *
 * The plan, in order:
 *   e2fsck -f -> resize2fs DEV NEWSIZE -> mdadm --grow DEV --size=KiB
 *   (or lvreduce --yes -L NEWSIZE VG/LV, never --resizefs) -> e2fsck -fn
 * The filesystem shrinks first and then fills the smaller array or LV
 * exactly, in whole blocks; the new size is aligned down to 1 MiB (md) or
 * to the VG's extent (LVM). Undo when a later step fails, newest first:
 * mdadm --grow --size=OLD --assume-clean (the region coming back was in
 * sync and nothing wrote to it) or lvextend -L OLD, then resize2fs DEV
 * back to fill it. e2fsck -fn at the end only reports (PLAN_CONTINUE: a
 * filesystem it calls unclean is not grown back automatically).
 *
 * md: after mdadm --grow, shrink_md.c's steps lower each member's md size,
 * shrink each member partition (one table per disk) and make --new on
 * every member disk; planned by shrink_md_plan. LVM: the PVs are left as
 * they are (the space freed is free extents in the VG, for lvcreate),
 * unless --pv: then shrink_pv.c plans the PV and its partition after
 * lvreduce.
 *
 * A re-run with --size/--minimum on an array or LV that has that size
 * already (vol_already: a shrink stopped after mdadm --grow or lvreduce,
 * or done) plans no filesystem or volume step, only what is left:
 * shrink_md.c's member steps still needed, or shrink_pv.c's pvresize and
 * partition steps (shrink_pv_resume), then growpart and the verify.
 *
 * Refused while planning (exit 3, nothing written): an md level other than
 * raid1; metadata other than 1.2 (0.90 and 1.0 keep the superblock at the
 * end of the member); a degraded array; one resyncing, recovering or
 * checking (sync_action not idle); a bitmap in a file (an internal one is
 * resized with the array); an unknown data offset; an LV
 * that is not a plain linear/striped volume (snapshot, origin, thin, cache,
 * raid, mirror, pool, virtual), one that is open or mounted, a VG with
 * missing PVs; --new on LVM without --pv (no partition is freed to put it in). */
#include "shrink.h"
#include "shrink_priv.h"
#include "shrink_md.h"
#include "blkdev.h"
#include "err.h"
#include "run.h"
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define SET(field, ...) snprintf((field), sizeof(field), __VA_ARGS__)
#define MIB (1024ULL * 1024)

/* ---- which kind of device ------------------------------------------------ */

int shrink_vol_kind(struct shrink *s)
{
	struct blkdevs bs = { 0 };
	struct stat st;
	const char *sr = sysroot(), *b = strrchr(s->dev, '/');
	int i;
	s->vol = SHRINK_PARTITION;
	if (*sr)
		i = blkdevs_add(&bs, b ? b + 1 : s->dev);
	else if (stat(s->dev, &st) == 0 && S_ISBLK(st.st_mode))
		i = blkdevs_add_devno(&bs, st.st_rdev);
	else
		return 0;   /* part_of_node says what is wrong with it */
	if (i >= 0) {
		const struct blkdev *d = &bs.d[i];
		if (d->kind == BLK_MD) {
			s->vol = SHRINK_MD;
			SET(s->md.name, "%s", d->name);
		} else if (d->kind == BLK_DM && !strncmp(d->dm_uuid, "LVM-", 4)) {
			s->vol = SHRINK_LVM;
		}
		s->vol_bytes = d->size;
	}
	blkdevs_free(&bs);
	return 0;
}

/* ---- md facts ------------------------------------------------------------ */

static int md_file(const char *name, const char *rel, char *buf, size_t sz)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/sys/class/block/%s/md/%s", sysroot(), name, rel);
	FILE *f = fopen(path, "re");
	buf[0] = 0;
	if (!f)
		return -errno;
	if (!fgets(buf, (int)sz, f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static uint64_t md_num(const char *name, const char *rel, int *ok)
{
	char buf[64], *end;
	if (md_file(name, rel, buf, sizeof(buf)) < 0 || !buf[0]) {
		*ok = 0;
		return 0;
	}
	uint64_t v = strtoull(buf, &end, 10);
	if (*end)
		*ok = 0;
	return v;
}

static int md_members(const char *name, struct shrink_md *md)
{
	char path[PATH_MAX], rel[128];
	snprintf(path, sizeof(path), "%s/sys/class/block/%s/md", sysroot(), name);
	DIR *dh = opendir(path);
	if (!dh)
		return rc_failx(RC_EXIT_REFUSED, errno, "cannot read %s: %s", path, strerror(errno));
	struct dirent *de;
	while ((de = readdir(dh))) {
		if (strncmp(de->d_name, "dev-", 4) || strlen(de->d_name) > 60)
			continue;
		if (md->nmembers >= SHRINK_MD_MEMBERS) {
			closedir(dh);
			return rc_failx(RC_EXIT_REFUSED, E2BIG, "/dev/%s has more than %d members; shrink-root "
					"handles two-disk (or small) RAID1 arrays only", name, SHRINK_MD_MEMBERS);
		}
		int k = md->nmembers++, ok = 1;
		SET(md->member[k], "%s", de->d_name + 4);
		snprintf(rel, sizeof(rel), "%s/state", de->d_name);
		md_file(name, rel, md->member_state[k], sizeof(md->member_state[k]));
		snprintf(rel, sizeof(rel), "%s/offset", de->d_name);
		md->data_offset[k] = md_num(name, rel, &ok);
		if (!ok)
			md->data_offset[k] = UINT64_MAX;
		ok = 1;
		snprintf(rel, sizeof(rel), "%s/size", de->d_name);
		md->rdev_kib[k] = md_num(name, rel, &ok);
		if (!ok)
			md->rdev_kib[k] = 0;
	}
	closedir(dh);
	return 0;
}

int shrink_md_read(const char *name, struct shrink_md *md)
{
	int ok = 1;
	char nm[64];
	SET(nm, "%s", name);
	memset(md, 0, sizeof(*md));
	SET(md->name, "%s", nm);
	md_file(nm, "level", md->level, sizeof(md->level));
	md_file(nm, "metadata_version", md->metadata, sizeof(md->metadata));
	md_file(nm, "sync_action", md->sync_action, sizeof(md->sync_action));
	md_file(nm, "array_state", md->array_state, sizeof(md->array_state));
	if (md_file(nm, "bitmap/location", md->bitmap, sizeof(md->bitmap)) < 0)
		SET(md->bitmap, "none");
	md->degraded = (int)md_num(nm, "degraded", &ok);
	if (!ok)
		md->degraded = -1;
	ok = 1;
	md->raid_disks = (int)md_num(nm, "raid_disks", &ok);
	md->component_kib = md_num(nm, "component_size", &ok);
	if (!ok)
		md->component_kib = 0;
	return md_members(nm, md);
}

/* Each member must be in sync, with a known data offset. */
static int md_check_members(const char *dev, const struct shrink_md *md)
{
	if (md->nmembers < 2 || md->nmembers != md->raid_disks)
		return rc_failx(RC_EXIT_REFUSED, EINVAL, "%s has %d member(s) of %d; shrink-root shrinks only a "
				"whole RAID1 without spares. Nothing was changed", dev, md->nmembers, md->raid_disks);
	for (int i = 0; i < md->nmembers; i++) {
		if (!strstr(md->member_state[i], "in_sync"))
			return rc_failx(RC_EXIT_REFUSED, EINVAL, "member %s of %s is '%s', not in_sync; "
					"nothing was changed", md->member[i], dev, md->member_state[i]);
		if (md->data_offset[i] == UINT64_MAX)
			return rc_failx(RC_EXIT_REFUSED, EINVAL, "the data offset of member %s of %s is not known "
					"(md/dev-%s/offset); nothing was changed", md->member[i], dev, md->member[i]);
	}
	return 0;
}

int shrink_md_check(const char *dev, const struct shrink_md *md)
{
	if (strcmp(md->level, "raid1"))
		return rc_failx(RC_EXIT_REFUSED, ENOTSUP, "%s is md level '%s'; shrink-root shrinks only RAID1 "
				"arrays. Nothing was changed", dev, md->level[0] ? md->level : "unknown");
	if (strcmp(md->metadata, "1.2")) {
		char how[1536] = "";
		if (!strcmp(md->metadata, "1.0") || !strcmp(md->metadata, "0.90"))
			shrink_md_end_sb_recipe(dev, md, how, sizeof(how));
		return rc_failx(RC_EXIT_REFUSED, ENOTSUP, "%s has md metadata %s; shrink-root shrinks only "
				"metadata 1.2 arrays. Nothing was changed%s%s", dev,
				md->metadata[0] ? md->metadata : "(unknown)", how[0] ? ". " : "", how);
	}
	if (md->degraded)
		return rc_failx(RC_EXIT_REFUSED, EINVAL, "%s is degraded (md/degraded %d); repair it first "
				"('mdadm --detail %s'). Nothing was changed", dev, md->degraded, dev);
	if (strcmp(md->sync_action, "idle"))
		return rc_failx(RC_EXIT_REFUSED, EBUSY, "%s is busy (md/sync_action '%s'); wait until "
				"/proc/mdstat shows it idle. Nothing was changed", dev, md->sync_action);
	if (!strcmp(md->array_state, "inactive") || !strcmp(md->array_state, "readonly") || !md->array_state[0])
		return rc_failx(RC_EXIT_REFUSED, EINVAL, "%s is %s; nothing was changed", dev,
				md->array_state[0] ? md->array_state : "in an unknown state");
	/* an internal bitmap ("+8") is resized with the array (mdadm 4.2 on
	 * Linux 6.1, proved in the VM rig); a bitmap in a file is not handled */
	if (strcmp(md->bitmap, "none") && md->bitmap[0] != '+' && md->bitmap[0] != '-')
		return rc_failx(RC_EXIT_REFUSED, ENOTSUP, "%s has a write-intent bitmap outside the array (%s); "
				"remove it ('mdadm --grow %s --bitmap=none'), run shrink-root again, then add it "
				"back. Nothing was changed", dev, md->bitmap, dev);
	if (!md->component_kib)
		return rc_failx(RC_EXIT_REFUSED, EINVAL, "%s: md/component_size is not known; nothing was changed", dev);
	return md_check_members(dev, md);
}

/* ---- LVM facts ----------------------------------------------------------- */

static char *trim(char *t)
{
	while (*t == ' ' || *t == '\t')
		t++;
	size_t l = strlen(t);
	while (l && (t[l - 1] == ' ' || t[l - 1] == '\n'))
		t[--l] = 0;
	return t;
}

int shrink_lv_parse(const char *line, struct shrink_lv *lv)
{
	char buf[1024], *f[7], *p;
	int n = 0;
	memset(lv, 0, sizeof(*lv));
	if (strlen(line) >= sizeof(buf))
		return rc_fail(E2BIG, "lvs printed an overlong line");
	snprintf(buf, sizeof(buf), "%s", line);
	buf[strcspn(buf, "\n")] = 0;
	for (p = buf; p && n < 7; n++) {
		f[n] = p;
		char *bar = strchr(p, '|');
		if (bar)
			*bar++ = 0;
		p = bar;
	}
	if (n != 7 || p)   /* fewer fields, or more */
		return rc_fail(EINVAL, "cannot read lvs's line '%s' (7 fields expected)", trim(buf));
	char *end;
	SET(lv->vg, "%s", trim(f[0]));
	SET(lv->lv, "%s", trim(f[1]));
	SET(lv->attr, "%s", trim(f[2]));
	lv->size = strtoull(trim(f[3]), &end, 10);
	int bad = *end || !lv->size;
	lv->extent = strtoull(trim(f[4]), &end, 10);
	bad |= *end || !lv->extent;
	lv->vg_free = strtoull(trim(f[5]), &end, 10);
	bad |= *end;
	lv->missing_pvs = (int)strtol(trim(f[6]), &end, 10);
	bad |= *end || !lv->vg[0] || !lv->lv[0] || strlen(lv->attr) < 10;
	return bad ? rc_fail(EINVAL, "cannot read lvs's line '%s'", line) : 0;
}

static const char *lv_type_word(char c)
{
	switch (c) {
	case 's': case 'S': return "a snapshot";
	case 'o': return "the origin of snapshots";
	case 't': return "a thin pool";
	case 'V': return "a thin volume";
	case 'C': return "a cached volume";
	case 'r': case 'R': return "a RAID volume";
	case 'm': case 'M': return "a mirrored volume";
	case 'v': return "a virtual volume";
	case 'p': return "a pvmove in progress";
	case 'd': return "a VDO pool";
	}
	return "not a plain linear or striped volume";
}

int shrink_lv_check(const char *dev, const struct shrink_lv *lv)
{
	if (lv->attr[0] != '-')
		return rc_failx(RC_EXIT_REFUSED, ENOTSUP, "%s (%s/%s, attributes %s) is %s; shrink-root shrinks "
				"only plain linear or striped volumes. Nothing was changed", dev, lv->vg, lv->lv,
				lv->attr, lv_type_word(lv->attr[0]));
	if (lv->missing_pvs || lv->attr[8] == 'p')
		return rc_failx(RC_EXIT_REFUSED, ENODEV, "volume group %s is missing %d physical volume(s); "
				"nothing was changed. Find the missing disks first ('pvs', 'vgs -o +vg_missing_pv_count')",
				lv->vg, lv->missing_pvs);
	if (lv->attr[4] != 'a')
		return rc_failx(RC_EXIT_REFUSED, EINVAL, "%s is not active (attributes %s); 'vgchange -ay %s' "
				"first. Nothing was changed", dev, lv->attr, lv->vg);
	if (lv->attr[5] == 'o')
		return rc_failx(RC_EXIT_REFUSED, EBUSY, "%s is open (mounted or in use: attributes %s); "
				"unmount it first (rescuectl umount-root). Nothing was changed", dev, lv->attr);
	return 0;
}

static int lv_read(const char *dev, struct shrink_lv *lv)
{
	char *av[] = { "lvs", "--noheadings", "--nosuffix", "--units", "b", "--separator", "|", "-o",
		       "vg_name,lv_name,lv_attr,lv_size,vg_extent_size,vg_free,vg_missing_pv_count",
		       (char *)dev, NULL };
	char *out = NULL, w[600];
	int st, r = run_cmd(av, RUN_CAPTURE | RUN_QUIET, &st, &out, NULL);
	if (r < 0)
		return rc_failx(RC_EXIT_REFUSED, -r, "cannot run lvs: %s; nothing was changed", rc_msg());
	if (st || !out)
		r = rc_failx(RC_EXIT_REFUSED, EIO, "lvs %s failed (%s); nothing was changed", dev,
			     shrink_why(st, out, w, sizeof(w)));
	else if (strchr(out, '\n') && strchr(out, '\n')[1])
		r = rc_failx(RC_EXIT_REFUSED, EINVAL, "lvs %s named more than one volume; nothing was changed", dev);
	else
		r = shrink_lv_parse(out, lv);
	free(out);
	return r;
}

/* ---- sizes --------------------------------------------------------------- */

/* --size (less than one alignment unit above the volume's size) or
 * --minimum on an array or LV that has that size already: a re-run of a
 * shrink that is done, or that was stopped after mdadm --grow or lvreduce.
 * Nothing is resized; what is left of the members (shrink_md.c) or of the
 * PV (shrink_pv.c) is planned. --free and --new keep the usage error, as
 * on a partition (shrink.c plan_already). */
static int vol_already(struct shrink *s)
{
	rc_clear();
	s->already = 1;
	s->vol_new = s->vol_bytes;
	s->sz.new_size = s->vol_bytes / 512;
	s->sz.new_end = s->sz.new_size - 1;
	s->sz.fs_blocks = s->fi.blocks;
	s->sz.freed = 0;
	return 0;
}

int shrink_vol_sizes(struct shrink *s)
{
	uint64_t align = s->vol == SHRINK_LVM ? s->lv.extent : MIB;
	if (!align || align % 512 || !s->vol_bytes)
		return rc_fail(EINVAL, "%s: unknown size or alignment", s->dev);
	struct shrink_geom g = {
		.sector_size = 512, .start = 0, .size = s->vol_bytes / 512, .grain = align / 512,
		.block_size = s->fi.block_size, .fs_blocks = s->fi.blocks, .min_blocks = s->min_blocks,
	};
	char pre[PATH_MAX + 8], a[32];
	int r = size_plan_shrink(&g, s->rq.mode, s->rq.bytes, &s->sz);
	if (r == -ERANGE && rc_exit_hint() == RC_EXIT_USAGE && s->rq.mode != SHRINK_BY_FREE && !s->rq.nnew &&
	    (s->rq.mode == SHRINK_MINIMUM || s->rq.bytes < s->vol_bytes + align))
		return vol_already(s);
	if (r < 0) {
		snprintf(pre, sizeof(pre), "%s: ", s->dev);
		char old[1024];
		snprintf(old, sizeof(old), "%s", rc_msg());
		return rc_failx(rc_exit_hint(), -r, "%s%s", pre, old);
	}
	s->vol_new = s->sz.new_size * 512;
	if (s->sz.below_margin)
		plan_warn(s->plan, "the new size is within the safety margin above resize2fs's estimate (%s); "
			  "the estimate can be wrong, so resize2fs may still refuse",
			  size_format(s->sz.safe_blocks * s->fi.block_size, a, sizeof(a)));
	return 0;
}

/* ---- the steps ----------------------------------------------------------- */

static uint64_t dev_bytes(const char *dev)
{
	uint64_t b = 0;
	int fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (ioctl(fd, BLKGETSIZE64, &b) < 0)
		b = 0;
	close(fd);
	return b;
}

/* Run ARGV for step ST; a nonzero exit is a failure. TOUCH: the step is
 * marked touched once the program ran; else the caller decides. */
static int run_prog(struct plan *p, struct plan_step *st, char *const argv[], int touch)
{
	char *out = NULL, w[600];
	int status, r = shrink_tool(p, st, argv, 0, &status, &out);
	if (r < 0)
		return r;
	if (touch)
		plan_touch(st);
	if (status)
		r = rc_fail(EIO, "%s failed (%s)", argv[0], shrink_why(status, out, w, sizeof(w)));
	free(out);
	return r;
}

/* After mdadm or lvreduce: the device must be WANT bytes. The step counts
 * as touched only when its size changed: one that failed with the old size
 * left everything as it was, so the resize before it can be undone. */
static uint64_t touch_if_changed(struct shrink *s, struct plan_step *st)
{
	uint64_t now = dev_bytes(s->dev);
	if (now != s->vol_bytes || !now)
		plan_touch(st);
	return now;
}

static int vol_is(struct shrink *s, struct plan_step *st, uint64_t want)
{
	char a[32], b[32];
	uint64_t now = touch_if_changed(s, st);
	if (now != want)
		return rc_fail(EIO, "%s is %s after the change, not the planned %s", s->dev,
			       size_format(now, a, sizeof(a)), size_format(want, b, sizeof(b)));
	return 0;
}

static int run_md_grow(struct plan *p, struct plan_step *st)
{
	struct shrink *s = plan_arg(p);
	char size[48];
	snprintf(size, sizeof(size), "--size=%" PRIu64, s->vol_new / 1024);
	char *av[] = { "mdadm", "--grow", s->dev, size, NULL };
	int r = run_prog(p, st, av, 0);
	if (r < 0) {
		touch_if_changed(s, st);
		return r;
	}
	return vol_is(s, st, s->vol_new);
}

static int undo_md_grow(struct plan *p, struct plan_step *st)
{
	struct shrink *s = plan_arg(p);
	char size[48];
	snprintf(size, sizeof(size), "--size=%" PRIu64, s->md.component_kib);
	char *av[] = { "mdadm", "--grow", s->dev, size, "--assume-clean", NULL };
	int r = run_prog(p, st, av, 1);
	return r < 0 ? r : vol_is(s, st, s->vol_bytes);
}

static int run_lvreduce(struct plan *p, struct plan_step *st)
{
	struct shrink *s = plan_arg(p);
	char size[48], lv[300];
	snprintf(size, sizeof(size), "%" PRIu64 "k", s->vol_new / 1024);
	snprintf(lv, sizeof(lv), "%s/%s", s->lv.vg, s->lv.lv);
	char *av[] = { "lvreduce", "--yes", "-L", size, lv, NULL };
	int r = run_prog(p, st, av, 0);
	if (r < 0) {
		touch_if_changed(s, st);
		return r;
	}
	return vol_is(s, st, s->vol_new);
}

static int undo_lvreduce(struct plan *p, struct plan_step *st)
{
	struct shrink *s = plan_arg(p);
	char size[48], lv[300];
	snprintf(size, sizeof(size), "%" PRIu64 "k", s->vol_bytes / 1024);
	snprintf(lv, sizeof(lv), "%s/%s", s->lv.vg, s->lv.lv);
	char *av[] = { "lvextend", "-L", size, lv, NULL };
	int r = run_prog(p, st, av, 1);
	return r < 0 ? r : vol_is(s, st, s->vol_bytes);
}

/* resize2fs DEV: the filesystem grows back to fill its (restored) volume. */
static int undo_resize(struct plan *p, struct plan_step *st)
{
	struct shrink *s = plan_arg(p);
	char *av[] = { "resize2fs", s->dev, NULL };
	return run_prog(p, st, av, 1);
}

static struct plan_step *vstep(struct shrink *s, const char *kind, const char *name, plan_fn run)
{
	struct plan_step *st = plan_add(s->plan, kind, name);
	if (st)
		st->run = run;
	return st;
}

struct vwords {
	char vol[48];                 /* "the array" / "the LV" */
	char old[32], new_[32], fs_new[32];
};

static int add_vol_fs_steps(struct shrink *s, const struct vwords *w)
{
	struct plan_step *st = vstep(s, "fsck", "e2fsck", shrink_run_fsck);
	if (!st)
		return -ENOMEM;
	SET(st->does, "e2fsck -f %s %s", s->rq.yes ? "-y" : "-p", s->dev);
	SET(st->changes, "the filesystem on %s, where e2fsck finds something to repair", s->dev);
	SET(st->after, "e2fsck checked the filesystem on %s; nothing was resized", s->dev);
	SET(st->if_failed, "e2fsck stopped (it may have made repairs); nothing was resized");
	SET(st->resume, "run 'e2fsck -f %s' yourself, then shrink-root again", s->dev);
	if (s->sz.fs_blocks >= s->fi.blocks)
		return 0;
	if (!(st = vstep(s, "resize-fs", "resize2fs", shrink_run_resize)))
		return -ENOMEM;
	st->inspect = shrink_inspect_fs;
	st->undo_fn = undo_resize;
	st->flags = PLAN_UNDO_LATER;
	SET(st->changes, "the size of the filesystem on %s (data past the new end is moved)", s->dev);
	SET(st->after, "the filesystem on %s is shrunk to %s (%" PRIu64 " blocks); %s is unchanged (%s), "
	    "so it fits with room to spare", s->dev, w->fs_new, s->sz.fs_blocks, w->vol, w->old);
	SET(st->undo, "'resize2fs %s' grows the filesystem back to fill %s", s->dev, w->vol);
	char untouched[80];
	SET(untouched, "%s was NOT touched", w->vol);
	shrink_resize_words(s, st, untouched);
	return 0;
}

static int add_md_step(struct shrink *s, const struct vwords *w)
{
	struct plan_step *st = vstep(s, "shrink-array", "mdadm --grow", run_md_grow);
	if (!st)
		return -ENOMEM;
	st->undo_fn = undo_md_grow;
	st->flags = PLAN_UNDO_LATER;
	SET(st->does, "mdadm --grow %s --size=%" PRIu64 " (each member's used size %s, was %s)", s->dev,
	    s->vol_new / 1024, w->new_, w->old);
	SET(st->changes, "the size of array %s (the md superblocks at the start of each member)", s->dev);
	SET(st->after, "array %s is %s and its filesystem %s; the member partitions are unchanged, the space "
	    "freed is at the end of each member", s->dev, w->new_, w->fs_new);
	SET(st->if_failed, "mdadm stopped; the filesystem (%s) is smaller than the array either way", w->fs_new);
	SET(st->undo, "'mdadm --grow %s --size=%" PRIu64 " --assume-clean' gives the array its old size, "
	    "then 'resize2fs %s' grows the filesystem back", s->dev, s->md.component_kib, s->dev);
	SET(st->resume, "'mdadm --detail %s' shows its size; run shrink-root again", s->dev);
	return 0;
}

static int add_lv_step(struct shrink *s, const struct vwords *w)
{
	struct plan_step *st = vstep(s, "shrink-lv", "lvreduce", run_lvreduce);
	if (!st)
		return -ENOMEM;
	char a[32];
	st->undo_fn = undo_lvreduce;
	st->flags = PLAN_UNDO_LATER;
	SET(st->does, "lvreduce --yes -L %" PRIu64 "k %s/%s (was %s; the filesystem is shrunk already, so "
	    "no --resizefs)", s->vol_new / 1024, s->lv.vg, s->lv.lv, w->old);
	SET(st->changes, "the size of logical volume %s/%s (LVM metadata on the PVs of %s)", s->lv.vg, s->lv.lv, s->lv.vg);
	SET(st->after, "LV %s/%s is %s and its filesystem %s; %s more is free in volume group %s "
	    "('lvcreate' makes new volumes there)", s->lv.vg, s->lv.lv, w->new_, w->fs_new,
	    size_format(s->vol_bytes - s->vol_new, a, sizeof(a)), s->lv.vg);
	SET(st->if_failed, "lvreduce stopped; the filesystem (%s) is smaller than the LV either way", w->fs_new);
	SET(st->undo, "'lvextend -L %" PRIu64 "k %s/%s' gives the LV its old size, then 'resize2fs %s' grows "
	    "the filesystem back", s->vol_bytes / 1024, s->lv.vg, s->lv.lv, s->dev);
	SET(st->resume, "'lvs %s/%s' shows its size; run shrink-root again", s->lv.vg, s->lv.lv);
	return 0;
}

static int md_growpart_steps(struct shrink *s, const struct vwords *w)
{
	char done[PLAN_TEXT];
	SET(done, "%s is %s and its member partitions are shrunk", w->vol, w->new_);
	return shrink_add_growpart_steps(s, done);
}

static int add_vol_steps(struct shrink *s)
{
	struct vwords w;
	int r;
	if (s->vol == SHRINK_MD)
		SET(w.vol, "array %s", s->dev);
	else
		SET(w.vol, "LV %s/%s", s->lv.vg, s->lv.lv);
	size_format(s->vol_bytes, w.old, sizeof(w.old));
	size_format(s->vol_new, w.new_, sizeof(w.new_));
	size_format(s->sz.fs_blocks * s->fi.block_size, w.fs_new, sizeof(w.fs_new));
	/* already that size (a re-run): nothing is resized, what is left follows */
	if (!s->already && ((r = add_vol_fs_steps(s, &w)) < 0 ||
			    (r = s->vol == SHRINK_MD ? add_md_step(s, &w) : add_lv_step(s, &w)) < 0))
		return r == -ENOMEM ? rc_fail(ENOMEM, "out of memory") : r;
	if (s->rq.pv && (r = shrink_pv_add_steps(s)) < 0)
		return r;
	if (s->vol == SHRINK_MD && ((r = shrink_md_add_steps(s)) < 0 || (r = md_growpart_steps(s, &w)) < 0))
		return r;
	struct plan_step *st = vstep(s, "verify", "verify", shrink_run_verify);
	if (!st)
		return rc_fail(ENOMEM, "out of memory");
	st->flags = PLAN_CHECK | PLAN_CONTINUE;
	SET(st->does, "e2fsck -f -n %s (verify)", s->dev);
	SET(st->changes, "nothing (a read-only check)");
	SET(st->after, "the shrink is done and the filesystem verified clean: %s is %s, its filesystem %s",
	    s->dev, w.new_, w.fs_new);
	SET(st->resume, "run 'e2fsck -f %s'", s->dev);
	return s->rq.pv ? shrink_pv_add_late_steps(s) : s->vol == SHRINK_MD ? shrink_md_add_new_steps(s) : 0;
}

/* ---- planning ------------------------------------------------------------ */

static int vol_facts(struct shrink *s)
{
	char path[PATH_MAX];
	int r;
	if (s->vol == SHRINK_MD) {
		if ((r = shrink_md_read(s->md.name, &s->md)) < 0 || (r = shrink_md_check(s->dev, &s->md)) < 0)
			return r;
		if (s->md.component_kib * 1024 != s->vol_bytes)
			return rc_failx(RC_EXIT_REFUSED, EINVAL, "%s is %" PRIu64 " bytes but its members use %" PRIu64
					" KiB each; not a plain RAID1. Nothing was changed", s->dev, s->vol_bytes,
					s->md.component_kib);
		return shrink_find_tool("mdadm", path, sizeof(path));
	}
	if ((r = shrink_find_tool("lvs", path, sizeof(path))) < 0 ||
	    (r = shrink_find_tool("lvreduce", path, sizeof(path))) < 0 ||
	    (r = shrink_find_tool("lvextend", path, sizeof(path))) < 0 ||
	    (r = lv_read(s->dev, &s->lv)) < 0 || (r = shrink_lv_check(s->dev, &s->lv)) < 0)
		return r;
	if (s->lv.size != s->vol_bytes)
		return rc_failx(RC_EXIT_REFUSED, EINVAL, "lvs says %s/%s is %" PRIu64 " bytes, the kernel %" PRIu64
				"; nothing was changed", s->lv.vg, s->lv.lv, s->lv.size, s->vol_bytes);
	return 0;
}

/* md: free space now follows the member partitions (unless the last --new
 * takes the rest): growpart is disabled in the target as on a plain disk,
 * although cloud-init's growpart does not grow md members today. */
static int md_growpart(struct shrink *s)
{
	int rest = s->rq.nnew && !s->rq.news[s->rq.nnew - 1].bytes;
	s->free_follows = s->mp && s->mp->nd > 0 && !rest;
	/* a re-run (s->already): only where free space does follow a member
	 * partition, in the table as it will be */
	if (s->already && s->free_follows) {
		int any = 0;
		for (int k = 0; k < s->mp->nd && !any; k++) {
			uint64_t fs, fe;
			const struct shrink_mddisk *dk = &s->mp->dk[k];
			int r = part_free_after(dk->d, s->mp->m[dk->member].partno, &fs, &fe);
			if (r < 0)
				return r;
			any = fs <= fe;
		}
		s->free_follows = any;
	}
	return shrink_plan_growpart(s);
}

int shrink_vol_prepare(struct shrink *s)
{
	char a[32], b[32];
	int r;
	if (s->rq.pv && s->vol != SHRINK_LVM)
		return rc_failx(RC_EXIT_REFUSED, EINVAL, "--pv: %s is an md array, not an LVM logical volume; "
				"nothing was changed", s->dev);
	if (s->rq.nnew && s->vol == SHRINK_LVM && !s->rq.pv)
		return rc_failx(RC_EXIT_REFUSED, EINVAL, "--new: %s is an LVM logical volume; shrinking it frees "
				"space inside its volume group (make a volume there with lvcreate), not a partition "
				"to put a new one in; add --pv to shrink its PV and the PV's partition too, which "
				"frees space on the disk for --new. Nothing was changed", s->dev);
	if (s->rq.new_plain && s->vol != SHRINK_MD)
		return rc_failx(RC_EXIT_USAGE, EINVAL, "--new-plain is for a root on md RAID1; nothing was changed");
	if ((r = shrink_check_fs_common(s)) < 0)
		return r;
	if (s->rq.rollback)
		return shrink_plan_rollback(s);
	if ((r = vol_facts(s)) < 0)
		return r;
	if (s->fi.blocks * s->fi.block_size > s->vol_bytes)
		return rc_failx(RC_EXIT_REFUSED, ERANGE, "the filesystem on %s (%s) is larger than the device (%s); "
				"nothing was changed", s->dev, size_format(s->fi.blocks * s->fi.block_size, a, sizeof(a)),
				size_format(s->vol_bytes, b, sizeof(b)));
	if ((r = shrink_estimate(s)) < 0 || (r = shrink_vol_sizes(s)) < 0 ||
	    (s->sz.fs_blocks < s->fi.blocks && (r = shrink_plan_undo(s)) < 0))
		return r;
	if (s->rq.pv)
		return (r = shrink_pv_prepare(s)) < 0 ? r : add_vol_steps(s);
	if (s->vol == SHRINK_MD && ((r = shrink_md_plan(s)) < 0 || (r = md_growpart(s)) < 0))
		return r;
	if (s->rq.backup && s->vol == SHRINK_LVM)
		plan_warn(s->plan, "--backup: no partition table is written on %s, so there is none to save", s->dev);
	if (s->rq.keep_growpart && s->vol == SHRINK_LVM)
		plan_warn(s->plan, "--keep-growpart: the filesystem fills the shrunk LV, so growpart has nothing to grow");
	SET(s->disk, "%s", s->dev);
	return add_vol_steps(s);
}
