/* Planning a shrink: every fact read and every check made before the first
 * write. See shrink.h; the steps themselves are in shrink_steps.c. */
#include "shrink.h"
#include "shrink_priv.h"
#include "shrink_md.h"
#include "err.h"
#include "growpart.h"
#include "mountinfo.h"
#include "run.h"
#include "target.h"
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Re-record the current message between BEFORE and AFTER with EXITCODE. The
 * message is copied first: the buffer is never formatted into itself. */
static int rewrap(int r, int exitcode, const char *before, const char *after)
{
	char old[1536];
	snprintf(old, sizeof(old), "%s", rc_msg());
	return rc_failx(exitcode, r, "%s%s%s", before, old, after);
}

/* ---- programs ----------------------------------------------------------- */

static const struct { const char *type, *force; } mkfs_types[] = {
	{ "ext4", "-F" }, { "ext3", "-F" }, { "ext2", "-F" }, { "xfs", "-f" },
	{ "btrfs", "-f" }, { "f2fs", "-f" }, { "vfat", NULL }, { "exfat", NULL },
};

int shrink_mkfs_known(const char *type, const char **names)
{
	if (names)
		*names = "ext4, ext3, ext2, xfs, btrfs, f2fs, vfat, exfat";
	for (size_t i = 0; i < sizeof(mkfs_types) / sizeof(mkfs_types[0]); i++)
		if (!strcmp(type, mkfs_types[i].type))
			return 1;
	return 0;
}

/* The option that makes mkfs.TYPE write over whatever the new partition
 * happens to hold (mke2fs -F, mkfs.xfs -f ...); NULL when none is needed. */
const char *shrink_mkfs_force(const char *type)
{
	for (size_t i = 0; i < sizeof(mkfs_types) / sizeof(mkfs_types[0]); i++)
		if (!strcmp(type, mkfs_types[i].type))
			return mkfs_types[i].force;
	return NULL;
}

int shrink_find_tool(const char *prog, char *buf, size_t sz)
{
	int r = run_find(prog, buf, sz);
	if (r < 0)
		return rewrap(r, RC_EXIT_REFUSED, "", "; nothing was changed");
	return 0;
}

const char *shrink_mkfs_prog(const struct shrink *s, const struct shrink_new *n, char *buf, size_t sz)
{
	if (n->swap)
		snprintf(buf, sz, "mkswap");
	else
		snprintf(buf, sz, "mkfs.%s", s->rq.mkfs ? s->rq.mkfs : "ext4");
	return buf;
}

/* ---- the partition and its filesystem ------------------------------------ */

/* Why a filesystem type cannot be shrunk here. */
static int refuse_fstype(const char *dev, const char *t)
{
	if (!strcmp(t, "ext2") || !strcmp(t, "ext3") || !strcmp(t, "ext4"))
		return 0;
	if (!strcmp(t, "xfs"))
		return rc_failx(RC_EXIT_REFUSED, ENOTSUP,
			"%s is XFS, which cannot be shrunk at all (xfs_growfs only grows). The way "
			"down is a copy: back it up (xfsdump, or tar/rsync with -AX for ACLs and xattrs), "
			"make a smaller partition and filesystem, restore, and fix fstab/bootloader UUIDs", dev);
	if (!strcmp(t, "btrfs"))
		return rc_failx(RC_EXIT_REFUSED, ENOTSUP,
			"%s is btrfs; it shrinks while mounted: mount it, 'btrfs filesystem resize -SIZE "
			"/mnt' (per device), then shrink the partition to no less than the new size. "
			"shrink-root only handles ext2/3/4", dev);
	if (!t[0])
		return rc_failx(RC_EXIT_REFUSED, ENODEV, "%s holds no filesystem rescuectl recognises", dev);
	return rc_failx(RC_EXIT_REFUSED, ENOTSUP, "%s holds %s; shrink-root only shrinks ext2/3/4", dev, t);
}

/* Mounted or used as swap here, or held open exclusively by something
 * mountinfo does not show (a process, a holder): e2fsck and resize2fs
 * would fail on their exclusive open halfway through the plan. */
static int refuse_in_use(const char *dev)
{
	char where[PATH_MAX];
	int r = dev_in_use(dev, where, sizeof(where));
	if (r < 0)
		return r;
	if (r > 0)
		return rc_failx(RC_EXIT_REFUSED, EBUSY, "%s is %s; a mounted filesystem cannot be shrunk. "
				"Unmount it first (rescuectl umount-root, or umount %s)%s", dev,
				strcmp(where, "[swap]") ? "mounted" : "in use as swap", where,
				!strcmp(where, "/") ? "; this is the running system's root: boot the rescue system" : "");
	int fd = open(dev, O_RDONLY | O_EXCL | O_CLOEXEC);
	if (fd < 0 && errno == EBUSY) {
		const char *b = strrchr(dev, '/');
		return rc_failx(RC_EXIT_REFUSED, EBUSY, "%s is in use (open exclusively by another program or "
				"device); nothing was changed. 'fuser -vm %s' or 'ls /sys/class/block/%s/holders' "
				"shows by what", dev, dev, b ? b + 1 : dev);
	}
	if (fd >= 0)
		close(fd);
	return 0;
}

/* part_of_node refused the device R (an md array, an LV, a LUKS mapping):
 * when it holds XFS, that is the reason to give, since the manual steps for
 * the volume ('lvreduce --resizefs') would fail on it. Else R's message. */
static int refuse_stacked_xfs(const char *dev, int r)
{
	static char saved[2048];
	int hint = rc_exit_hint();
	struct devid id;
	if (hint != RC_EXIT_REFUSED)
		return r;
	snprintf(saved, sizeof(saved), "%s", rc_msg());
	if (probe_device(dev, &id) == 0 && !strcmp(id.fstype, "xfs"))
		return refuse_fstype(dev, id.fstype);
	rc_failx(hint, -r, "%s", saved);
	return r;
}

static int check_fs(struct shrink *s)
{
	int r;
	if ((r = part_of_node(s->dev, s->disk, sizeof(s->disk), &s->partno)) < 0)
		return refuse_stacked_xfs(s->dev, r);
	return shrink_check_fs_common(s);
}

int shrink_check_fs_common(struct shrink *s)
{
	int r;
	if ((r = probe_device(s->dev, &s->id)) < 0 || (r = refuse_fstype(s->dev, s->id.fstype)) < 0 ||
	    (r = refuse_in_use(s->dev)) < 0)
		return r;
	/* before the superblock is trusted: resize2fs may have been stopped
	 * halfway, and its undo log on the device says so */
	if ((r = shrink_check_devlog(s)) < 0)
		return r;
	if (s->rq.rollback)
		return 0;
	if ((r = ext4_read_info(s->dev, &s->fi)) < 0)
		return r;
	/* before the errors refusal, whose advice (e2fsck) is wrong for a
	 * filesystem resize2fs left half moved */
	if ((r = shrink_check_leftover(s)) < 0)
		return r;
	if (s->fi.errors && !s->rq.yes)
		return rc_failx(RC_EXIT_REFUSED, EUCLEAN, "%s has errors recorded in its superblock; e2fsck must "
				"repair it first, which may need answers: run again with --yes to let 'e2fsck -f -y' "
				"repair it, or run 'e2fsck -f %s' yourself. If a shrink-root of it was interrupted "
				"inside resize2fs, apply its undo file first ('rescuectl e2undo FILE %s'): e2fsck would "
				"throw away the files being moved", s->dev, s->dev, s->dev);
	return 0;
}

/* Which e2fsck, resize2fs and mke2fs the steps run (lib/e2tools.h): the
 * rescue system's when new enough for this filesystem, else the bundled
 * ones, or whose --checker says. The rescue system's, forced, but too old
 * for the features is refused here, before its first run. Pinned: the
 * steps' "e2fsck" and "mkfs.ext4" are the chosen ones. */
static int choose_tools(struct shrink *s)
{
	int r, mkfs = s->rq.mkfs && !strncmp(s->rq.mkfs, "ext", 3);
	char why[256];
	for (int t = 0; t < E2T_NTOOLS; t++) {
		if (t == E2T_MKE2FS && !mkfs)
			continue;
		const char *feat = t == E2T_MKE2FS ? NULL : s->fi.features;
		struct e2t_choice *c = &s->tools[s->ntools];
		r = e2t_choose((enum e2t_tool)t, feat, s->rq.checker, c);
		if (r < 0)
			return rewrap(r, RC_EXIT_REFUSED, "", "; nothing was changed");
		if (e2t_forced_too_old(c, feat, why, sizeof(why)))
			return rc_failx(RC_EXIT_REFUSED, ENOTSUP, "%s (--checker system). Nothing was changed; "
					"run without --checker system to use rescuectl's own %s %s", why, c->prog,
					e2t_bundled_version_str());
		s->ntools++;
	}
	return 0;
}

/* The programs of the first steps, and resize2fs's estimate. resize2fs -P
 * refuses a filesystem with errors: then the estimate is taken after e2fsck
 * (the resize step checks the plan against it before resizing). */
int shrink_estimate(struct shrink *s)
{
	char path[PATH_MAX];
	int r;
	if ((r = choose_tools(s)) < 0 ||
	    (r = shrink_find_tool("e2fsck", path, sizeof(path))) < 0 ||
	    (r = shrink_find_tool("resize2fs", path, sizeof(path))) < 0)
		return r;
	if ((r = shrink_min_blocks(s->dev, &s->min_blocks)) == 0)
		return 0;
	/* resize2fs -P also refuses a filesystem not marked valid without
	 * errors (e.g. after e2undo, which asks for a check): e2fsck -f first */
	if ((!s->fi.errors && s->fi.clean) || s->rq.mode == SHRINK_MINIMUM)
		return r;
	s->min_blocks = 0;
	plan_warn(s->plan, "resize2fs cannot estimate the minimum size before e2fsck has checked %s; "
		  "the new size is checked against it after e2fsck, before anything is resized", s->dev);
	return 0;
}

/* ---- the table and the sizes ---------------------------------------------- */

int shrink_open_disk(struct shrink *s)
{
	int r = part_open(s->disk, s->rq.dry_run ? 0 : PART_RW, 10, &s->d);
	if (r < 0)
		return r;
	part_geom(s->d, &s->g);
	if ((r = part_get(s->d, s->partno, &s->pi)) < 0 || (r = part_check_kernel(s->d, s->partno)) < 0)
		return r;
	return 0;
}

static int open_table(struct shrink *s)
{
	char a[32], b[32];
	int r = shrink_open_disk(s);
	if (r < 0)
		return r;
	if (s->fi.blocks * s->fi.block_size > s->pi.size * s->g.sector_size)
		return rc_failx(RC_EXIT_REFUSED, ERANGE, "the filesystem on %s (%s) is already larger than its "
				"partition (%s): the table does not match the disk. Nothing was changed; check the "
				"table (sfdisk -d %s) before anything else", s->dev,
				size_format(s->fi.blocks * s->fi.block_size, a, sizeof(a)),
				size_format(s->pi.size * s->g.sector_size, b, sizeof(b)), s->disk);
	return 0;
}

/* --size (within one alignment unit of the partition's size; a larger
 * one stays a usage error) or --minimum on a partition that is that size
 * already: a re-run
 * of a shrink that is done, or that was stopped after its table was
 * written. Idempotent: nothing to shrink, but what is left (growpart, the
 * verify) is planned, and the run ends with exit 0. --free is relative
 * (a re-run would free more) and --new would add again: they keep the
 * usage error. */
static int plan_already(struct shrink *s)
{
	rc_clear();
	s->already = 1;
	s->sz.new_size = s->pi.size;
	s->sz.new_end = s->pi.start + s->pi.size - 1;
	s->sz.fs_blocks = s->fi.blocks;
	s->sz.freed = 0;
	return 0;
}

/* The new sizes, and the root partition shrunk in the in-memory table: the
 * plan shown is the table written. */
static int plan_sizes(struct shrink *s)
{
	struct shrink_geom sg = {
		.sector_size = s->g.sector_size, .start = s->pi.start, .size = s->pi.size,
		.grain = s->g.grain, .align_offset = s->g.align_offset, .block_size = s->fi.block_size,
		.fs_blocks = s->fi.blocks, .min_blocks = s->min_blocks,
	};
	char pre[PATH_MAX + 8], a[32];
	int r = size_plan_shrink(&sg, s->rq.mode, s->rq.bytes, &s->sz);
	if (r == -ERANGE && rc_exit_hint() == RC_EXIT_USAGE && s->rq.mode != SHRINK_BY_FREE && !s->rq.nnew &&
	    (s->rq.mode == SHRINK_MINIMUM || s->rq.bytes < (s->pi.size + s->g.grain) * s->g.sector_size))
		return plan_already(s);
	if (r < 0) {
		snprintf(pre, sizeof(pre), "%s: ", s->dev);
		return rewrap(r, rc_exit_hint(), pre, "");
	}
	if (s->sz.below_margin)
		plan_warn(s->plan, "the new size is within the safety margin above resize2fs's estimate (%s); "
			  "the estimate can be wrong, so resize2fs may still refuse",
			  size_format(s->sz.safe_blocks * s->fi.block_size, a, sizeof(a)));
	return part_shrink(s->d, s->partno, s->sz.new_size);
}

static int is_swap_type(const char *t)
{
	return !strcasecmp(t, "0657FD6D-A4AB-43C4-84E5-0933C84B4F4F") || !strcmp(t, "82");
}

/* The --new partitions, one after the other in the freed space after
 * sector END, each at the size asked (part_add refuses what does not fit),
 * and the programs that will make their filesystems. */
int shrink_plan_new_parts(struct shrink *s, uint64_t end)
{
	uint64_t from = end + 1, fs, fe, st, sz;
	char pre[64], path[PATH_MAX], prog[32];
	int r;
	for (int i = 0; i < s->rq.nnew; i++) {
		struct shrink_new *n = &s->newp[i];
		size_t after = i ? s->newp[i - 1].partno : s->partno;
		if ((r = part_free_after(s->d, after, &fs, &fe)) < 0)
			return r;
		if (fs > fe)
			return rc_failx(RC_EXIT_REFUSED, ENOSPC, "--new %d: no free space left after %s for it; "
					"nothing was changed", i + 1, i ? "the previous new partition" : s->dev);
		if ((r = part_add(s->d, &s->rq.news[i], from, &n->partno, &st, &sz)) < 0) {
			snprintf(pre, sizeof(pre), "--new %d: ", i + 1);
			return rewrap(r, rc_exit_hint() == RC_EXIT_FAIL ? RC_EXIT_REFUSED : rc_exit_hint(),
				      pre, "; nothing was changed");
		}
		part_get(s->d, n->partno, &n->pi);
		n->swap = is_swap_type(n->pi.type);
		s->nnew++;
		from = st + sz;
		if (s->rq.mkfs && (r = shrink_find_tool(shrink_mkfs_prog(s, n, prog, sizeof(prog)),
							 path, sizeof(path))) < 0)
			return r;
	}
	if ((r = part_free_after(s->d, s->partno, &fs, &fe)) < 0)
		return r;
	s->free_follows = fs <= fe;
	return 0;
}

/* cloud-init's growpart (and growroot, x-systemd.growfs, GPT bit 59)
 * would grow the root back into free space right after it: plan
 * disable-growpart's change in the target (lib/growpart.h). */
int shrink_plan_growpart(struct shrink *s)
{
	struct target tg;
	struct growpart_report rep;
	char pre[PATH_MAX + 40];
	if (!s->free_follows)
		return 0;
	if (s->rq.keep_growpart) {
		s->growpart = "kept";
		plan_warn(s->plan, "free space follows the root and --keep-growpart was given: cloud-init's "
			  "growpart (or growroot, x-systemd.growfs) will grow the root back into it on the next boot");
		return 0;
	}
	int r = target_open(s->dev, NULL, 0, &tg);
	if (r < 0)
		return rewrap(r, rc_exit_hint(), "", "; nothing was changed");
	memset(&rep, 0, sizeof(rep));
	r = growpart_disable_dev(tg.tree, &tg.id, GROWPART_DRY_RUN, &rep);
	target_close(&tg);
	if (r < 0) {
		growpart_report_free(&rep);
		snprintf(pre, sizeof(pre), "planning to disable growpart on %s: ", s->dev);
		return rewrap(r, RC_EXIT_FAIL, pre, "; nothing was changed (--keep-growpart skips this step)");
	}
	s->growpart = rep.no_cloud_init ? "no cloud-init" : !rep.nact ? "already disabled" : "would disable";
	for (int i = 0; i < rep.nact && !rep.no_cloud_init && s->ngp < 8; i++)
		snprintf(s->gp_actions[s->ngp++], sizeof(s->gp_actions[0]), "%s", rep.act[i].what);
	for (int i = 0; i < rep.warnings.n; i++)
		plan_warn(s->plan, "%s", rep.warnings.m[i]);
	growpart_report_free(&rep);
	return 0;
}

/* Where the old table goes: --backup FILE, which must not exist, or
 * $HOME/shrink-root-DISK-TIME.sfdisk (a suffix when that exists); its
 * directory must take a new file. Checked here, not when saving. */
int shrink_plan_backup(struct shrink *s)
{
	char dir[PATH_MAX];
	if (s->rq.backup) {
		snprintf(s->backup, sizeof(s->backup), "%s", s->rq.backup);
		if (access(s->backup, F_OK) == 0)
			return rc_failx(RC_EXIT_REFUSED, EEXIST, "--backup %s: the file exists; a table backup is "
					"never overwritten: name a new file. Nothing was changed", s->backup);
	} else {
		const char *home = getenv("HOME"), *b = strrchr(s->disk, '/');
		char ts[32];
		time_t now = time(NULL);
		strftime(ts, sizeof(ts), "%Y%m%d-%H%M%S", localtime(&now));
		if (!home || !*home)
			home = "/root";
		snprintf(s->backup, sizeof(s->backup), "%s/shrink-root-%s-%s.sfdisk", home, b ? b + 1 : s->disk, ts);
		for (int i = 2; access(s->backup, F_OK) == 0 && i < 100; i++)
			snprintf(s->backup, sizeof(s->backup), "%s/shrink-root-%s-%s-%d.sfdisk", home,
				 b ? b + 1 : s->disk, ts, i);
	}
	snprintf(dir, sizeof(dir), "%s", s->backup);
	const char *d = dirname(dir);
	if (access(d, W_OK | X_OK) < 0)
		return rc_failx(RC_EXIT_REFUSED, errno, "cannot create the table backup %s: %s: %s; choose "
				"another place with --backup FILE. Nothing was changed", s->backup, d, strerror(errno));
	snprintf(s->restore, sizeof(s->restore), "sfdisk %s < %s", s->disk, s->backup);
	return 0;
}

/* ---- the whole --------------------------------------------------------- */

int shrink_prepare(const struct shrink_req *rq, struct shrink **out)
{
	struct shrink *s = calloc(1, sizeof(*s));
	*out = s;
	if (!s)
		return rc_fail(ENOMEM, "out of memory");
	s->rq = *rq;
	s->growpart = "not needed";
	if (!(s->plan = plan_new("nothing was changed", s)))
		return rc_fail(ENOMEM, "out of memory");
	int r;
	snprintf(s->dev, sizeof(s->dev), "%s", s->rq.dev);
	if ((r = shrink_vol_kind(s)) < 0)
		return r;
	if (s->vol)
		return shrink_vol_prepare(s);
	if (s->rq.pv)
		return rc_failx(RC_EXIT_REFUSED, EINVAL, "--pv: %s is not an LVM logical volume; --pv shrinks the PV "
				"under an LV root. Without it the partition itself is shrunk. Nothing was changed", s->dev);
	/* --rollback needs the device alone (a partition, or a copy of one) */
	if (s->rq.rollback)
		return (r = shrink_check_fs_common(s)) < 0 ? r : shrink_plan_rollback(s);
	if ((r = check_fs(s)) < 0)
		return r;
	if ((r = shrink_estimate(s)) < 0 || (r = open_table(s)) < 0 ||
	    (r = plan_sizes(s)) < 0 || (r = shrink_plan_new_parts(s, s->sz.new_end)) < 0 ||
	    (r = shrink_plan_growpart(s)) < 0 || (r = shrink_plan_backup(s)) < 0 ||
	    (s->sz.fs_blocks < s->fi.blocks && (r = shrink_plan_undo(s)) < 0) || (r = shrink_add_steps(s)) < 0)
		return r;
	return 0;
}

void shrink_free(struct shrink *s)
{
	if (!s)
		return;
	part_close(s->d);
	if (s->pv.locked)
		dev_unlock(&s->pv.lvlock);
	dev_unlock(&s->rb_lock);
	shrink_md_free(s);
	plan_free(s->plan);
	free(s);
}
