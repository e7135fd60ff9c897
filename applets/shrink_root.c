/* shrink-root: shrink the root ext2/3/4 filesystem and its partition in
 * place, as one planned, checked and reversible operation:
 *   e2fsck -f  ->  resize2fs  ->  libfdisk shrink (start/type/uuid/name kept)
 *   ->  BLKPG  ->  e2fsck -fn,  plus optional new partitions in the freed space.
 * The filesystem is never larger than its partition: it shrinks first, the
 * partition second. The old table is saved as an sfdisk dump before any write. */
#include "applets.h"
#include "../lib/ext4.h"
#include "../lib/growpart.h"
#include "../lib/mountinfo.h"
#include "../lib/part.h"
#include "../lib/probe.h"
#include "../lib/run.h"
#include "../lib/size.h"
#include "../lib/target.h"
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char shrink_root_help[] =
	"Shrinks an ext2/3/4 root filesystem and the partition holding it (a partition\n"
	"of a GPT or MBR disk), keeping the partition's start, type, PARTUUID/GUID and\n"
	"name. Give exactly one of --size, --free, --minimum. Sizes take K, M, G, T\n"
	"(binary: 1G = 1024^3 bytes) or plain bytes.\n"
	"\n"
	"Steps (all printed first; --dry-run stops there): e2fsck -f (-p; -y with\n"
	"--yes); resize2fs to the new size; the partition shrunk through libfdisk\n"
	"(its end aligned as libfdisk aligns, the filesystem a whole number of its\n"
	"blocks inside it); the kernel told per partition (BLKPG); e2fsck -fn to\n"
	"verify. Before the table is written it is saved as an sfdisk dump, and the\n"
	"command that restores it is printed. The whole disk is locked (flock) while\n"
	"working.\n"
	"\n"
	"Refused (exit 3) with the reason: a mounted root, a filesystem other than\n"
	"ext2/3/4 (xfs cannot shrink at all), root on md RAID or LVM (the manual\n"
	"steps are shown), a size below resize2fs's minimum estimate, a filesystem\n"
	"with errors without --yes to let e2fsck -y repair it.\n"
	"\n"
	"--minimum uses resize2fs -P's estimate plus a margin (10 %, at least 64 MiB),\n"
	"as the estimate can be wrong. --new SIZE[:TYPE[:NAME]] (repeatable, the last\n"
	"may be 'rest') adds partitions in the freed space; TYPE is a name libfdisk\n"
	"knows (linux, swap, home, ...), a GPT GUID or an MBR hex code.\n"
	"\n"
	"cloud-init's growpart would grow the root back into free space that follows\n"
	"it: then shrink-root also does what disable-growpart does on the target\n"
	"(a cloud.cfg.d drop-in and /etc/growroot-disabled), unless --keep-growpart.";

enum {
	OPT_SIZE = 's', OPT_FREE = 256, OPT_MIN, OPT_NEW, OPT_MKFS, OPT_KEEP_GP, OPT_BACKUP,
};

static const struct cli_opt opts[] = {
	{ "size", required_argument, OPT_SIZE, "SIZE", "the new size of the root partition" },
	{ "free", required_argument, OPT_FREE, "SIZE", "free this much at the end of the root partition" },
	{ "minimum", no_argument, OPT_MIN, NULL, "shrink to resize2fs's minimum estimate plus a margin" },
	{ "new", required_argument, OPT_NEW, "SIZE[:TYPE[:NAME]]", "add a partition in the freed space (repeatable; last may be 'rest')" },
	{ "mkfs", required_argument, OPT_MKFS, "TYPE", "make a TYPE filesystem (ext4, xfs, ...) on the new partitions" },
	{ "keep-growpart", no_argument, OPT_KEEP_GP, NULL, "leave cloud-init's growpart alone (warns)" },
	{ "backup", required_argument, OPT_BACKUP, "FILE", "where to save the old table (default $HOME/shrink-root-DISK-TIME.sfdisk)" },
	{ NULL, 0, 0, NULL, NULL },
};

#define MAX_NEW 16

struct st {
	enum shrink_mode mode;
	int nmodes;
	uint64_t bytes;
	struct part_new news[MAX_NEW];
	int nnew;
	const char *mkfs;
	int keep_growpart;
	const char *backup;
};

static int on_opt(struct cli *c, void *p, int id, const char *arg)
{
	struct st *s = p;
	switch (id) {
	case OPT_SIZE:
	case OPT_FREE:
		s->mode = id == OPT_SIZE ? SHRINK_TO_SIZE : SHRINK_BY_FREE;
		s->nmodes++;
		if (size_parse(arg, &s->bytes) < 0)
			return cli_usage(c, "--%s: %s", id == OPT_SIZE ? "size" : "free", rc_msg());
		return 0;
	case OPT_MIN:
		s->mode = SHRINK_MINIMUM;
		s->nmodes++;
		return 0;
	case OPT_NEW:
		if (s->nnew >= MAX_NEW)
			return cli_usage(c, "at most %d --new partitions", MAX_NEW);
		if (s->nnew && !s->news[s->nnew - 1].bytes)
			return cli_usage(c, "--new %s: only the last --new may be 'rest'", arg);
		if (part_new_parse(arg, &s->news[s->nnew]) < 0)
			return cli_usage(c, "%s", rc_msg());
		s->nnew++;
		return 0;
	case OPT_MKFS:
		for (const char *q = arg; *q; q++)
			if (!(*q >= 'a' && *q <= 'z') && !(*q >= '0' && *q <= '9'))
				return cli_usage(c, "--mkfs %s: expected a filesystem type such as ext4 or xfs", arg);
		s->mkfs = arg;
		return 0;
	case OPT_KEEP_GP:
		s->keep_growpart = 1;
		return 0;
	case OPT_BACKUP:
		s->backup = arg;
		return 0;
	}
	return RC_EXIT_USAGE;
}

/* ---- running the tools ---------------------------------------------------- */

struct ctx {
	struct cli *c;
	struct st *s;
	char dev[PATH_MAX], disk[PATH_MAX], backup[PATH_MAX];
	size_t partno;
	json_object *steps;
	int tty_progress;
};

static void add_step(struct ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_step(struct ctx *x, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_object_array_add(x->steps, json_object_new_string(buf));
	cli_info(x->c, "  %zu. %s", json_object_array_length(x->steps), buf);
}

/* The last lines of a tool's output, for messages. */
static const char *tail(const char *out, char *buf, size_t sz)
{
	buf[0] = 0;
	if (!out)
		return buf;
	size_t l = strlen(out);
	while (l && (out[l - 1] == '\n' || out[l - 1] == ' '))
		l--;
	size_t from = l > sz - 1 ? l - (sz - 1) : 0;
	int nl = 0;
	for (size_t i = l; i > from; i--)
		if (out[i - 1] == '\n' && ++nl == 4) {
			from = i;
			break;
		}
	snprintf(buf, sz, "%.*s", (int)(l - from), out + from);
	for (char *p = buf; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return buf;
}

/* Run a step: shown live on a terminal in human mode, captured otherwise
 * (--json keeps stdout for the document). *OUT gets the capture, if any. */
static int step(struct ctx *x, char *const argv[], int live, int *status, char **out)
{
	char cmd[1024];
	run_format(argv, cmd, sizeof(cmd));
	cli_info(x->c, "==> %s", cmd);
	unsigned fl = (live && !x->c->json && !x->c->quiet) ? 0 : (RUN_CAPTURE | RUN_STDERR);
	*out = NULL;
	int r = run_cmd(argv, fl, status, out, NULL);
	if (r == 0 && fl && x->c->verbose && *out)
		fputs(*out, stderr);
	return r;
}

/* resize2fs -P: the minimum size estimate in blocks. Read-only. */
static int min_blocks(const char *dev, uint64_t *blocks)
{
	char *av[] = { "resize2fs", "-P", (char *)dev, NULL };
	char *out = NULL, t[512];
	int st, r = run_cmd(av, RUN_CAPTURE | RUN_STDERR, &st, &out, NULL);
	if (r < 0)
		return r;
	const char *p = out ? strstr(out, "minimum size of the filesystem:") : NULL;
	if (st || !p || sscanf(p + 31, "%" SCNu64, blocks) != 1) {
		r = rc_fail(EIO, "resize2fs -P %s could not estimate the minimum size (exit %d): %s",
			    dev, st, tail(out, t, sizeof(t)));
		free(out);
		return r;
	}
	free(out);
	return 0;
}

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

static int default_backup(struct ctx *x)
{
	if (x->s->backup) {
		snprintf(x->backup, sizeof(x->backup), "%s", x->s->backup);
		return 0;
	}
	const char *home = getenv("HOME");
	if (!home || !*home)
		home = "/root";
	const char *b = strrchr(x->disk, '/');
	char ts[32];
	time_t now = time(NULL);
	strftime(ts, sizeof(ts), "%Y%m%d-%H%M%S", localtime(&now));
	snprintf(x->backup, sizeof(x->backup), "%s/shrink-root-%s-%s.sfdisk", home, b ? b + 1 : x->disk, ts);
	return 0;
}

static int is_swap_type(const char *t)
{
	return !strcasecmp(t, "0657FD6D-A4AB-43C4-84E5-0933C84B4F4F") || !strcmp(t, "82");
}

/* Wait for the node of partition PARTNO (devtmpfs makes it on BLKPG add). */
static int new_node(const char *disk, size_t partno, char *node, size_t sz)
{
	char name[128];
	for (int i = 0; i < 50; i++) {
		if (part_kernel_name(disk, partno, name, sizeof(name)) == 0) {
			snprintf(node, sz, "%s/dev/%s", sysroot(), name);
			if (access(node, F_OK) == 0)
				return 0;
		}
		usleep(100000);
	}
	return -ENOENT;
}

/* ---- the applet --------------------------------------------------------- */

int shrink_root_main(int argc, char **argv)
{
	struct cli c;
	struct st s = { 0 };
	struct ctx x = { .c = &c, .s = &s };
	struct part_disk *d = NULL;
	int done, ret = 0, r;
	char a[32], b[32], t[600], cmd[1024];
	char *out = NULL;

	r = cli_parse(&c, applet_find("shrink-root"), argc, argv, opts, on_opt, &s, 0, 1, &done);
	if (done)
		return r;
	if (s.nmodes != 1)
		return cli_usage(&c, s.nmodes ? "give only one of --size, --free, --minimum"
				 : "say how small: --size SIZE, --free SIZE or --minimum");
	if (c.root)
		return cli_usage(&c, "--root: shrink-root works on the root's device, which must not be mounted; "
				 "name the partition (e.g. /dev/sda3)");
	if (s.mkfs && !s.nnew)
		return cli_usage(&c, "--mkfs needs --new partitions to make filesystems on");
	json_object *doc = cli_doc(&c);
	x.steps = json_object_new_array();

	/* 1. which partition, on which disk */
	if (c.nargs) {
		snprintf(x.dev, sizeof(x.dev), "%s", c.args[0]);
	} else {
		struct target tg;
		if ((r = target_open(NULL, NULL, 0, &tg)) < 0) {
			ret = cli_liberr(&c);
			goto out;
		}
		snprintf(x.dev, sizeof(x.dev), "%s", tg.device);
		target_close(&tg);
		cli_info(&c, "Found the root: %s", x.dev);
	}
	if (part_of_node(x.dev, x.disk, sizeof(x.disk), &x.partno) < 0) {
		ret = cli_liberr(&c);
		goto out;
	}
	json_object_object_add(doc, "device", json_object_new_string(x.dev));
	json_object_object_add(doc, "disk", json_object_new_string(x.disk));
	json_object_object_add(doc, "partno", json_object_new_int((int)x.partno));
	json_object_object_add(doc, "dry_run", json_object_new_boolean(c.dry_run));

	/* 2. safety: what is on it, is it in use */
	struct devid id;
	if (probe_device(x.dev, &id) < 0) {
		ret = cli_liberr(&c);
		goto out;
	}
	if (refuse_fstype(x.dev, id.fstype) < 0) {
		ret = cli_liberr(&c);
		goto out;
	}
	char where[PATH_MAX];
	r = dev_in_use(x.dev, where, sizeof(where));
	if (r > 0) {
		ret = cli_error(&c, RC_EXIT_REFUSED, "%s is %s; a mounted filesystem cannot be shrunk. "
				"Unmount it first (rescuectl umount-root, or umount %s)%s", x.dev,
				strcmp(where, "[swap]") ? "mounted" : "in use as swap", where,
				!strcmp(where, "/") ? "; this is the running system's root: boot the rescue system" : "");
		goto out;
	}
	if (r < 0) {
		ret = cli_liberr(&c);
		goto out;
	}
	/* held by something mountinfo does not show (a process, a holder):
	 * e2fsck and resize2fs would fail on their exclusive open later */
	int xfd = open(x.dev, O_RDONLY | O_EXCL | O_CLOEXEC);
	if (xfd < 0 && errno == EBUSY) {
		ret = cli_error(&c, RC_EXIT_REFUSED, "%s is in use (open exclusively by another program or "
				"device); nothing was changed. 'fuser -vm %s' or 'ls /sys/class/block/%s/holders' "
				"shows by what", x.dev, x.dev, strrchr(x.dev, '/') ? strrchr(x.dev, '/') + 1 : x.dev);
		goto out;
	}
	if (xfd >= 0)
		close(xfd);
	struct ext4_info fi;
	if (ext4_read_info(x.dev, &fi) < 0) {
		ret = cli_liberr(&c);
		goto out;
	}
	if (fi.errors && !c.yes) {
		ret = cli_error(&c, RC_EXIT_REFUSED, "%s has errors recorded in its superblock; e2fsck must repair "
				"it first, which may need answers: run again with --yes to let 'e2fsck -f -y' "
				"repair it, or run 'e2fsck -f %s' yourself", x.dev, x.dev);
		goto out;
	}
	/* resize2fs -P refuses a filesystem with errors; then the estimate
	 * comes after e2fsck (below), and the plan is checked against it */
	uint64_t minb = 0;
	if (min_blocks(x.dev, &minb) < 0) {
		if (!fi.errors || s.mode == SHRINK_MINIMUM) {
			ret = cli_liberr(&c);
			goto out;
		}
		cli_warnj(&c, "resize2fs cannot estimate the minimum size before e2fsck has repaired %s; "
			  "the new size is checked against it after e2fsck, before anything is resized", x.dev);
	}

	/* 3. the table, locked for the whole operation */
	if (part_open(x.disk, c.dry_run ? 0 : PART_RW, 10, &d) < 0) {
		ret = cli_liberr(&c);
		goto out;
	}
	struct part_geom g;
	struct part_info pi;
	part_geom(d, &g);
	if (part_get(d, x.partno, &pi) < 0 || part_check_kernel(d, x.partno) < 0) {
		ret = cli_liberr(&c);
		goto out;
	}
	if (fi.blocks * fi.block_size > pi.size * g.sector_size) {
		ret = cli_error(&c, RC_EXIT_REFUSED, "the filesystem on %s (%s) is already larger than its partition "
				"(%s): the table does not match the disk. Nothing was changed; check the table "
				"(sfdisk -d %s) before anything else", x.dev,
				size_format(fi.blocks * fi.block_size, a, sizeof(a)),
				size_format(pi.size * g.sector_size, b, sizeof(b)), x.disk);
		goto out;
	}
	struct shrink_geom sg = {
		.sector_size = g.sector_size, .start = pi.start, .size = pi.size,
		.grain = g.grain, .align_offset = g.align_offset, .block_size = fi.block_size,
		.fs_blocks = fi.blocks, .min_blocks = minb,
	};
	struct shrink_plan pl;
	if (size_plan_shrink(&sg, s.mode, s.bytes, &pl) < 0) {
		ret = cli_error(&c, rc_exit_hint(), "%s: %s", x.dev, rc_msg());
		goto out;
	}
	/* the new table, in memory: the plan shown is the table written */
	if (part_shrink(d, x.partno, pl.new_size) < 0) {
		ret = cli_liberr(&c);
		goto out;
	}
	json_object *jnew = json_object_new_array();
	json_object_object_add(doc, "new_partitions", jnew);
	uint64_t from = pl.new_end + 1;
	size_t newno[MAX_NEW];
	for (int i = 0; i < s.nnew; i++) {
		uint64_t fs_, fe_, st_, sz_;
		if (part_free_after(d, i ? newno[i - 1] : x.partno, &fs_, &fe_) < 0 || fs_ > fe_) {
			ret = cli_error(&c, RC_EXIT_REFUSED, "--new %d: no free space left after %s for it; "
					"nothing was changed", i + 1, i ? "the previous new partition" : x.dev);
			goto out;
		}
		if (part_add(d, &s.news[i], from, &newno[i], &st_, &sz_) < 0) {
			ret = cli_error(&c, rc_exit_hint() == RC_EXIT_FAIL ? RC_EXIT_REFUSED : rc_exit_hint(),
					"--new %d: %s; nothing was changed", i + 1, rc_msg());
			goto out;
		}
		struct part_info np;
		part_get(d, newno[i], &np);
		json_object *o = json_object_new_object();
		json_object_object_add(o, "partno", json_object_new_int((int)newno[i]));
		json_object_object_add(o, "start", json_object_new_uint64(st_));
		json_object_object_add(o, "size", json_object_new_uint64(sz_));
		json_object_object_add(o, "bytes", json_object_new_uint64(sz_ * g.sector_size));
		json_object_object_add(o, "type", json_object_new_string(np.type));
		if (np.name[0])
			json_object_object_add(o, "name", json_object_new_string(np.name));
		json_object_array_add(jnew, o);
		from = st_ + sz_;
	}
	uint64_t ffs, ffe;
	part_free_after(d, x.partno, &ffs, &ffe);
	int free_follows = ffs <= ffe;

	/* 4. the plan */
	json_object *jfs = json_object_new_object();
	json_object_object_add(jfs, "type", json_object_new_string(id.fstype));
	json_object_object_add(jfs, "block_size", json_object_new_int((int)fi.block_size));
	json_object_object_add(jfs, "blocks_before", json_object_new_uint64(fi.blocks));
	json_object_object_add(jfs, "blocks_after", json_object_new_uint64(pl.fs_blocks));
	json_object_object_add(jfs, "min_blocks", json_object_new_uint64(minb));
	json_object_object_add(jfs, "safe_blocks", json_object_new_uint64(pl.safe_blocks));
	json_object_object_add(doc, "filesystem", jfs);
	json_object *jp = json_object_new_object();
	json_object_object_add(jp, "label", json_object_new_string(g.label));
	json_object_object_add(jp, "sector_size", json_object_new_int((int)g.sector_size));
	json_object_object_add(jp, "start", json_object_new_uint64(pi.start));
	json_object_object_add(jp, "size_before", json_object_new_uint64(pi.size));
	json_object_object_add(jp, "size_after", json_object_new_uint64(pl.new_size));
	json_object_object_add(jp, "type", json_object_new_string(pi.type));
	json_object_object_add(jp, "partuuid", json_object_new_string(pi.uuid));
	if (pi.name[0])
		json_object_object_add(jp, "name", json_object_new_string(pi.name));
	json_object_object_add(doc, "partition", jp);
	json_object_object_add(doc, "freed_bytes", json_object_new_uint64(pl.freed * g.sector_size));
	default_backup(&x);
	snprintf(cmd, sizeof(cmd), "sfdisk %s < %s", x.disk, x.backup);
	json_object_object_add(doc, "backup", json_object_new_string(x.backup));
	json_object_object_add(doc, "restore", json_object_new_string(cmd));
	json_object_object_add(doc, "steps", x.steps);

	cli_info(&c, "%s %s (%s, partition %zu of %s, %s): %s -> %s, filesystem %s -> %s (%" PRIu64 " blocks of %u)",
		 c.dry_run ? "Would shrink" : "Shrinking", x.dev, id.fstype, x.partno, x.disk,
		 !strcmp(g.label, "gpt") ? "GPT" : "MBR",
		 size_format(pi.size * g.sector_size, a, sizeof(a)),
		 size_format(pl.new_size * g.sector_size, b, sizeof(b)),
		 size_format(fi.blocks * fi.block_size, t, 32),
		 size_format(pl.fs_blocks * fi.block_size, t + 32, 32), pl.fs_blocks, fi.block_size);
	cli_info(&c, "resize2fs estimates the minimum at %s; kept: start sector %" PRIu64 ", type %s, PARTUUID %s%s%s%s",
		 size_format(minb * fi.block_size, a, sizeof(a)), pi.start, pi.type, pi.uuid,
		 pi.name[0] ? ", name \"" : "", pi.name, pi.name[0] ? "\"" : "");
	if (pl.below_margin)
		cli_warnj(&c, "the new size is within the safety margin above resize2fs's estimate (%s); "
			  "the estimate can be wrong, so resize2fs may still refuse",
			  size_format(pl.safe_blocks * fi.block_size, a, sizeof(a)));
	cli_info(&c, "Steps:");
	add_step(&x, "save the partition table to %s (restore: %s)", x.backup, cmd);
	add_step(&x, "e2fsck -f %s %s", c.yes ? "-y" : "-p", x.dev);
	add_step(&x, "resize2fs %s %" PRIu64 "K", x.dev, pl.fs_blocks * (fi.block_size / 1024));
	add_step(&x, "shrink partition %zu of %s to sectors %" PRIu64 "-%" PRIu64 " (%s), same start, type, PARTUUID and name",
		 x.partno, x.disk, pi.start, pl.new_end, size_format(pl.new_size * g.sector_size, a, sizeof(a)));
	for (int i = 0; i < s.nnew; i++) {
		struct part_info np;
		part_get(d, newno[i], &np);
		add_step(&x, "add partition %zu: sectors %" PRIu64 "-%" PRIu64 " (%s), type %s%s%s%s",
			 newno[i], np.start, np.start + np.size - 1,
			 size_format(np.size * g.sector_size, a, sizeof(a)),
			 np.type_name[0] ? np.type_name : np.type,
			 np.name[0] ? ", name \"" : "", np.name, np.name[0] ? "\"" : "");
	}
	add_step(&x, "write the table and tell the kernel per partition (BLKPG)");
	/* cloud-init's growpart (and growroot, x-systemd.growfs, GPT bit 59)
	 * would grow the root back into free space right after it: plan
	 * disable-growpart's change in the target (lib/growpart.h) */
	const char *gp = "not needed";
	json_object *jgp = json_object_new_array();
	int gp_do = 0;
	struct gp_msgs gpw = { 0 };
	if (free_follows && s.keep_growpart) {
		gp = "kept";
		cli_warnj(&c, "free space follows the root and --keep-growpart was given: cloud-init's "
			  "growpart (or growroot, x-systemd.growfs) will grow the root back into it on the next boot");
	} else if (free_follows) {
		struct target tg;
		struct growpart_report rep;
		memset(&rep, 0, sizeof(rep));
		if (target_open(x.dev, NULL, 0, &tg) < 0) {
			ret = cli_error(&c, rc_exit_hint(), "%s; nothing was changed", rc_msg());
			goto out;
		}
		r = growpart_disable_dev(tg.tree, &tg.id, GROWPART_DRY_RUN, &rep);
		target_close(&tg);
		if (r < 0) {
			growpart_report_free(&rep);
			ret = cli_error(&c, RC_EXIT_FAIL, "planning to disable growpart on %s: %s; nothing was "
					"changed (--keep-growpart skips this step)", x.dev, rc_msg());
			goto out;
		}
		if (rep.no_cloud_init) {
			gp = "no cloud-init";
		} else if (!rep.nact) {
			gp = "already disabled";
		} else {
			gp = c.dry_run ? "would disable" : "disabled";
			gp_do = 1;
			for (int i = 0; i < rep.nact; i++) {
				json_object_array_add(jgp, json_object_new_string(rep.act[i].what));
				add_step(&x, "stop growpart growing the root back: %s", rep.act[i].what);
			}
		}
		gpw = rep.warnings;   /* shown after the steps */
		growpart_report_free(&rep);
	}
	json_object_object_add(doc, "growpart", json_object_new_string(gp));
	json_object_object_add(doc, "growpart_actions", jgp);
	add_step(&x, "e2fsck -f -n %s (verify)", x.dev);
	if (s.mkfs)
		add_step(&x, "make %s filesystems on the new partitions (mkswap on swap partitions)", s.mkfs);
	for (int i = 0; i < gpw.n; i++)
		cli_warnj(&c, "%s", gpw.m[i]);
	if (c.dry_run) {
		cli_info(&c, "Dry run: nothing was written.");
		goto out;
	}
	snprintf(t, sizeof(t), "Shrink %s to %s and rewrite the partition table of %s?", x.dev,
		 size_format(pl.new_size * g.sector_size, a, sizeof(a)), x.disk);
	if (!cli_confirm(&c, t)) {
		ret = RC_EXIT_REFUSED;
		goto out;
	}

	/* 5. act */
	if (part_save_script(d, x.backup) < 0) {
		ret = cli_error(&c, RC_EXIT_FAIL, "%s; nothing was changed", rc_msg());
		goto out;
	}
	cli_info(&c, "Saved the partition table to %s; restore it with: %s", x.backup, cmd);
	if (!c.json)
		cli_info(&c, "(this rescue system forgets files on reboot: copy it somewhere safe)");

	int st;
	char *fsck[] = { "e2fsck", "-f", c.yes ? "-y" : "-p", x.dev, NULL };
	if (step(&x, fsck, 1, &st, &out) < 0) {
		ret = cli_error(&c, RC_EXIT_FAIL, "%s; nothing was changed", rc_msg());
		goto out;
	}
	if (st & ~3) {
		if (!c.yes && st == 4)
			ret = cli_error(&c, RC_EXIT_REFUSED, "e2fsck -p could not repair %s alone (exit %d%s%s). "
					"The partition table is unchanged. Run again with --yes to let 'e2fsck -f -y' "
					"repair it, or run 'e2fsck -f %s' yourself", x.dev, st,
					out ? ": " : "", tail(out, t, sizeof(t)), x.dev);
		else
			ret = cli_error(&c, RC_EXIT_FAIL, "e2fsck failed on %s (exit %d%s%s); the filesystem was not "
					"resized and the partition table is unchanged. Run 'e2fsck -f %s' yourself",
					x.dev, st, out ? ": " : "", tail(out, t, sizeof(t)), x.dev);
		goto out;
	}
	if (st & 1)
		cli_warnj(&c, "e2fsck repaired %s", x.dev);
	free(out);
	out = NULL;
	/* the estimate again, on the checked filesystem */
	uint64_t minb2 = minb;
	if (min_blocks(x.dev, &minb2) < 0) {
		ret = cli_error(&c, RC_EXIT_FAIL, "%s; e2fsck ran, nothing was resized and the table is unchanged", rc_msg());
		goto out;
	}
	if (minb2 > pl.fs_blocks) {
		ret = cli_error(&c, RC_EXIT_REFUSED, "after e2fsck, resize2fs estimates the minimum of %s at %s, "
				"above the planned %s; nothing was resized and the table is unchanged. Choose a "
				"larger size", x.dev, size_format(minb2 * fi.block_size, a, sizeof(a)),
				size_format(pl.fs_blocks * fi.block_size, b, sizeof(b)));
		goto out;
	}

	char newsz[32];
	snprintf(newsz, sizeof(newsz), "%" PRIu64 "K", pl.fs_blocks * (fi.block_size / 1024));
	int prog = isatty(STDOUT_FILENO) && !c.json && !c.quiet;
	char *rsz[] = { "resize2fs", prog ? "-p" : x.dev, prog ? x.dev : newsz, prog ? newsz : NULL, NULL };
	if (pl.fs_blocks < fi.blocks) {
		r = step(&x, rsz, 1, &st, &out);
		if (r < 0 || st) {
			char state[256] = "";
			char *chk[] = { "e2fsck", "-f", "-n", x.dev, NULL };
			int cs = -1;
			char *cout = NULL;
			struct ext4_info now;
			if (run_cmd(chk, RUN_QUIET | RUN_CAPTURE | RUN_STDERR, &cs, &cout, NULL) == 0)
				snprintf(state, sizeof(state), "'e2fsck -fn' now says it is %s", cs ? "NOT clean" : "clean");
			free(cout);
			if (ext4_read_info(x.dev, &now) == 0) {
				size_t l = strlen(state);
				snprintf(state + l, sizeof(state) - l, "%sits size is %" PRIu64 " blocks (%s before)",
					 l ? "; " : "", now.blocks, now.blocks == fi.blocks ? "unchanged from" : "was");
			}
			char why[400];
			if (r < 0)
				snprintf(why, sizeof(why), "%s", rc_msg());
			else
				snprintf(why, sizeof(why), "exit %d%s%s", st, out ? ": " : "", tail(out, t, sizeof(t)));
			ret = cli_error(&c, RC_EXIT_FAIL, "resize2fs failed on %s (%s). The partition table was NOT "
					"touched, so the filesystem still fits its partition. %s. Next: 'e2fsck -f %s', "
					"then 'resize2fs %s' grows it back to fill the partition",
					x.dev, why, state, x.dev, x.dev);
			goto out;
		}
		free(out);
		out = NULL;
	}
	struct ext4_info after;
	if (ext4_read_info(x.dev, &after) < 0 || after.blocks != pl.fs_blocks) {
		ret = cli_error(&c, RC_EXIT_FAIL, "after resize2fs the filesystem on %s is %" PRIu64 " blocks, not the "
				"planned %" PRIu64 "; the partition table was NOT touched. Check it with 'e2fsck -f %s'",
				x.dev, after.blocks, pl.fs_blocks, x.dev);
		goto out;
	}

	cli_info(&c, "==> writing the partition table of %s", x.disk);
	if (part_write(d) < 0) {
		ret = cli_error(&c, RC_EXIT_FAIL, "%s. The filesystem is already shrunk to %s, which fits inside the "
				"old and the new partition alike, so no data is at risk. Put the old table back with "
				"'%s', then 'resize2fs %s' grows the filesystem back, or retry", rc_msg(),
				size_format(pl.fs_blocks * fi.block_size, a, sizeof(a)), cmd, x.dev);
		goto out;
	}
	int kernel_ok = 1;
	char kmsg[1024] = "";
	if (part_tell_kernel(d) < 0) {
		/* the table is right and the filesystem fits both views: verify
		 * anyway, then fail with what to run */
		kernel_ok = 0;
		snprintf(kmsg, sizeof(kmsg), "%s", rc_msg());
		ret = RC_EXIT_FAIL;
	}
	part_close(d);
	d = NULL;

	if (gp_do) {
		struct target tg;
		struct growpart_report rep;
		memset(&rep, 0, sizeof(rep));
		cli_info(&c, "==> disabling growpart in the target (as 'rescuectl disable-growpart %s')", x.dev);
		r = target_open(x.dev, NULL, TARGET_RW, &tg);
		if (r == 0) {
			r = target_writable(&tg);
			if (!r)
				r = growpart_disable_dev(tg.tree, &tg.id, 0, &rep);
			int rc2 = target_close(&tg);
			if (!r)
				r = rc2;
		}
		if (r < 0) {
			json_object_object_add(doc, "growpart", json_object_new_string("failed"));
			ret = cli_error(&c, RC_EXIT_FAIL, "the shrink is done, but disabling growpart failed: %s. "
					"Run 'rescuectl disable-growpart %s' before rebooting, or cloud-init grows "
					"the root back", rc_msg(), x.dev);
		}
		/* its warnings were given with the plan */
		growpart_report_free(&rep);
	}

	char *ver[] = { "e2fsck", "-f", "-n", x.dev, NULL };
	if (step(&x, ver, 0, &st, &out) < 0 || st) {
		ret = cli_error(&c, RC_EXIT_FAIL, "verification 'e2fsck -fn %s' reports problems (exit %d%s%s); the "
				"table is written (old one in %s). Run 'e2fsck -f %s'", x.dev, st,
				out ? ": " : "", tail(out, t, sizeof(t)), x.backup, x.dev);
		goto out;
	}
	free(out);
	out = NULL;

	/* new partitions: their nodes, filesystems on them */
	for (int i = 0; kernel_ok && i < s.nnew; i++) {
		char node[PATH_MAX], prog_[64];
		json_object *o = json_object_array_get_idx(jnew, (size_t)i), *jt;
		json_object_object_get_ex(o, "type", &jt);
		int swap = is_swap_type(json_object_get_string(jt));
		if (new_node(x.disk, newno[i], node, sizeof(node)) < 0) {
			cli_warnj(&c, "no device node for new partition %zu%s", newno[i],
				  s.mkfs ? "; make its filesystem by hand" : "");
			continue;
		}
		json_object_object_add(o, "device", json_object_new_string(node));
		if (!s.mkfs)
			continue;
		snprintf(prog_, sizeof(prog_), swap ? "mkswap" : "mkfs.%s", s.mkfs);
		char path[PATH_MAX];
		if (run_find(prog_, path, sizeof(path)) < 0) {
			cli_warnj(&c, "%s", rc_msg());
			continue;
		}
		const char *force = !strncmp(s.mkfs, "ext", 3) ? "-F" : "-f";
		char *mk[] = { prog_, swap ? node : (char *)force, swap ? NULL : node, NULL };
		if (step(&x, mk, 0, &st, &out) < 0 || st) {
			cli_warnj(&c, "%s %s failed (exit %d): %s", prog_, node, st, tail(out, t, sizeof(t)));
			ret = RC_EXIT_FAIL;
		} else {
			json_object_object_add(o, "mkfs", json_object_new_string(swap ? "swap" : s.mkfs));
		}
		free(out);
		out = NULL;
	}
	if (kmsg[0])
		ret = cli_error(&c, RC_EXIT_FAIL, "%s. The filesystem was verified clean; it fits the old and the new "
				"partition alike", kmsg);
	if (!ret)
		cli_info(&c, "Done: %s is %s; %s freed after it. Old table: %s", x.dev,
			 size_format(pl.new_size * g.sector_size, a, sizeof(a)),
			 size_format(pl.freed * g.sector_size, b, sizeof(b)), x.backup);
out:
	free(out);
	if (d)
		part_close(d);
	if (!json_object_object_get_ex(doc, "steps", NULL))
		json_object_put(x.steps);
	return cli_finish(&c, ret);
}
