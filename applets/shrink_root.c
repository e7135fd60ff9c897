/* shrink-root: shrink the root ext2/3/4 filesystem and its partition in
 * place, as one planned, checked and reversible operation. The applet reads
 * the options, shows the plan lib/shrink.h makes, asks, and has it
 * committed; the checks, the steps and their words are in the library. */
#include "applets.h"
#include "e2tools_common.h"
#include "plan_cli.h"
#include "../lib/shrink.h"
#include "../lib/shrink_md.h"
#include "../lib/target.h"
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>

const char shrink_root_help[] =
	"Shrinks an ext2/3/4 root filesystem and the partition holding it (a partition\n"
	"of a GPT or MBR disk), keeping the partition's start, type, PARTUUID/GUID and\n"
	"name. Give exactly one of --size, --free, --minimum. Sizes take K, M, G, T\n"
	"(binary: 1G = 1024^3 bytes) or plain bytes.\n"
	"\n"
	"Steps (all printed first, -v says what each changes and how to undo it;\n"
	"--dry-run stops there): the table saved as an sfdisk dump (the restore\n"
	"command is printed); e2fsck -f (-p; -y with --yes); resize2fs to the new\n"
	"size; the partition shrunk through libfdisk (its end aligned as libfdisk\n"
	"aligns, the filesystem a whole number of its blocks inside it); the table\n"
	"written; the kernel told per partition (BLKPG); e2fsck -fn to verify. The\n"
	"whole disk is locked (flock) while working. A failure names the steps done,\n"
	"the state the disk is in and what to run; a table write that fails is\n"
	"undone by writing the old table back.\n"
	"\n"
	"resize2fs moves data outside the journal, so shrink-root runs it with ^C and\n"
	"hang-ups ignored and with an undo log: rescuectl's own resize2fs saves each\n"
	"block's old contents, flushed to disk before the block is overwritten, in\n"
	"free space past the new end of the device itself, where a power cut or a\n"
	"reboot cannot lose it (a locator in the device's last 4 KiB says where). If\n"
	"resize2fs fails, the blocks are put back at once; if the whole session is\n"
	"stopped (power cut, reboot, kill), a re-run refuses and names\n"
	"'shrink-root --rollback DEV', which puts them back (never 'e2fsck -y' first:\n"
	"it would throw the moved files away). Where the free space past the new end\n"
	"cannot hold the log, or with --undo-file FILE, it is a file ($HOME/shrink-\n"
	"root-FSUUID.e2undo by default; 'rescuectl e2undo FILE DEV' applies it).\n"
	"\n"
	"Everything is checked before the first write. Refused (exit 3) with the\n"
	"reason: a mounted root, a filesystem other than ext2/3/4 (xfs cannot shrink\n"
	"at all), root on LUKS (the manual steps are shown), a size below\n"
	"resize2fs's minimum estimate, a filesystem with errors without --yes to let\n"
	"e2fsck -y repair it, a --new that does not fit at the size asked, a missing\n"
	"program (mkfs.TYPE, mkswap), an existing --backup file. e2fsck, resize2fs and\n"
	"mkfs.ext4 are the rescue system's when new enough, else rescuectl's own;\n"
	"--checker system|bundled forces either (the system's too old: exit 3).\n"
	"\n"
	"--minimum uses resize2fs -P's estimate plus a margin (10 %, at least 64 MiB),\n"
	"as the estimate can be wrong. --new SIZE[:TYPE[:NAME]] (repeatable, the last\n"
	"may be 'rest') adds partitions in the freed space; TYPE is a name libfdisk\n"
	"knows (linux, swap, home, ...), a GPT GUID or an MBR hex code.\n"
	"\n"
	"cloud-init's growpart would grow the root back into free space that follows\n"
	"it: then shrink-root also does what disable-growpart does on the target\n"
	"(a cloud.cfg.d drop-in and /etc/growroot-disabled), unless --keep-growpart.\n"
	"\n"
	"A root on an md RAID1 array (metadata 1.2) or an LVM logical volume: e2fsck\n"
	"-f, resize2fs, then 'mdadm --grow --size' or 'lvreduce' (the filesystem\n"
	"fills the new size, aligned to 1 MiB or the extent), e2fsck -fn. On md,\n"
	"each member's md size is lowered (sysfs), then each member partition is\n"
	"shrunk to its start + data offset + the array's size (end aligned; one\n"
	"table backup per disk, every member disk and the array locked). --new\n"
	"adds the same partitions on every member disk and makes each a new RAID1\n"
	"(metadata 1.2; --mkfs goes on the array); --new-plain leaves them plain\n"
	"partitions. PVs are not changed (unless --pv, below): the space becomes\n"
	"free extents in the VG. Refused: metadata 0.90/1.0 (the manual steps are\n"
	"shown), other RAID levels, a degraded or resyncing array; snapshot, thin,\n"
	"cache, raid or open LVs, a VG with missing PVs; --new on LVM without --pv.\n"
	"\n"
	"--pv (an LV root): after lvreduce, also 'pvresize --setphysicalvolumesize'\n"
	"the LV's PV by the extents freed, and shrink the PV's partition (same start,\n"
	"end aligned) as above: table saved, written, BLKPG; --new and --mkfs then\n"
	"use the space on the disk. Refused: an LV on several PVs, a PV that is not\n"
	"a partition (md, whole disk), an extent in use past the PV's new end (the\n"
	"pvmove that moves it is named). The LV and the PV's disk are locked.";

enum {
	OPT_SIZE = 's', OPT_FREE = 256, OPT_MIN, OPT_NEW, OPT_MKFS, OPT_KEEP_GP, OPT_BACKUP, OPT_CHECKER,
	OPT_UNDO, OPT_PV, OPT_NEW_PLAIN, OPT_ROLLBACK,
};

static const struct cli_opt opts[] = {
	{ "size", required_argument, OPT_SIZE, "SIZE", "the new size of the root partition" },
	{ "free", required_argument, OPT_FREE, "SIZE", "free this much at the end of the root partition" },
	{ "minimum", no_argument, OPT_MIN, NULL, "shrink to resize2fs's minimum estimate plus a margin" },
	{ "new", required_argument, OPT_NEW, "SIZE[:TYPE[:NAME]]", "add a partition in the freed space (repeatable; last may be 'rest')" },
	{ "mkfs", required_argument, OPT_MKFS, "TYPE", "make a TYPE filesystem (ext4, ext3, ext2, xfs, btrfs, f2fs, vfat, exfat) on the new partitions" },
	{ "new-plain", no_argument, OPT_NEW_PLAIN, NULL, "md root: --new makes plain partitions on each disk, not a new RAID1" },
	{ "keep-growpart", no_argument, OPT_KEEP_GP, NULL, "leave cloud-init's growpart alone (warns)" },
	{ "backup", required_argument, OPT_BACKUP, "FILE", "where to save the old table (default $HOME/shrink-root-DISK-TIME.sfdisk)" },
	{ "checker", required_argument, OPT_CHECKER, "WHICH", "'system' or 'bundled' e2fsck, resize2fs, mkfs.ext4 (default: the system's when new enough)" },
	{ "undo-file", required_argument, OPT_UNDO, "FILE", "resize2fs's undo file (default $HOME/shrink-root-FSUUID.e2undo)" },
	{ "pv", no_argument, OPT_PV, NULL, "an LVM root: shrink its PV and the PV's partition too (space on the disk)" },
	{ "rollback", no_argument, OPT_ROLLBACK, NULL, "put back what an interrupted resize2fs wrote (its undo log on the device)" },
	{ NULL, 0, 0, NULL, NULL },
};

struct st {
	struct shrink_req rq;
	int nmodes;
};

static int on_opt(struct cli *c, void *p, int id, const char *arg)
{
	struct shrink_req *rq = &((struct st *)p)->rq;
	const char *known;
	switch (id) {
	case OPT_SIZE:
	case OPT_FREE:
		rq->mode = id == OPT_SIZE ? SHRINK_TO_SIZE : SHRINK_BY_FREE;
		((struct st *)p)->nmodes++;
		if (size_parse(arg, &rq->bytes) < 0)
			return cli_usage(c, "--%s: %s", id == OPT_SIZE ? "size" : "free", rc_msg());
		return 0;
	case OPT_MIN:
		rq->mode = SHRINK_MINIMUM;
		((struct st *)p)->nmodes++;
		return 0;
	case OPT_NEW:
		if (rq->nnew >= SHRINK_MAX_NEW)
			return cli_usage(c, "at most %d --new partitions", SHRINK_MAX_NEW);
		if (rq->nnew && !rq->news[rq->nnew - 1].bytes)
			return cli_usage(c, "--new %s: only the last --new may be 'rest'", arg);
		if (part_new_parse(arg, &rq->news[rq->nnew]) < 0)
			return cli_usage(c, "%s", rc_msg());
		rq->nnew++;
		return 0;
	case OPT_MKFS:
		if (!shrink_mkfs_known(arg, &known))
			return cli_usage(c, "--mkfs %s: shrink-root makes one of %s", arg, known);
		rq->mkfs = arg;
		return 0;
	case OPT_KEEP_GP:
		rq->keep_growpart = 1;
		return 0;
	case OPT_NEW_PLAIN:
		rq->new_plain = 1;
		return 0;
	case OPT_ROLLBACK:
		rq->rollback = 1;
		return 0;
	case OPT_BACKUP:
		rq->backup = arg;
		return 0;
	case OPT_UNDO:
		rq->undo_file = arg;
		return 0;
	case OPT_CHECKER:
		if (e2t_pref_parse(arg, &rq->checker) < 0)
			return cli_usage(c, "--checker is %s", rc_msg());
		return 0;
	case OPT_PV:
		rq->pv = 1;
		return 0;
	}
	return RC_EXIT_USAGE;
}

/* What the command line alone gets wrong (exit 2). */
static int check_usage(struct cli *c, const struct st *o)
{
	if (o->rq.rollback && (o->nmodes || o->rq.nnew || o->rq.mkfs || o->rq.pv || o->rq.undo_file || o->rq.backup))
		return cli_usage(c, "--rollback takes no other shrink option: it only puts back what an interrupted "
				 "resize2fs wrote");
	if (o->rq.rollback)
		return c->root ? cli_usage(c, "--root: name the device (e.g. /dev/sda3)") : 0;
	if (o->nmodes != 1)
		return cli_usage(c, o->nmodes ? "give only one of --size, --free, --minimum"
				 : "say how small: --size SIZE, --free SIZE or --minimum");
	if (c->root)
		return cli_usage(c, "--root: shrink-root works on the root's device, which must not be mounted; "
				 "name the partition (e.g. /dev/sda3)");
	if (o->rq.new_plain && !o->rq.nnew)
		return cli_usage(c, "--new-plain says how to make the --new partitions; give --new");
	if (o->rq.mkfs && !o->rq.nnew)
		return cli_usage(c, "--mkfs needs --new partitions to make filesystems on");
	return 0;
}

/* DEVICE, or the root found as detect-root finds it. */
static int which_partition(struct cli *c, char *dev, size_t sz)
{
	struct target tg;
	if (c->nargs) {
		snprintf(dev, sz, "%s", c->args[0]);
		return 0;
	}
	if (target_open(NULL, NULL, 0, &tg) < 0)
		return cli_liberr(c);
	snprintf(dev, sz, "%s", tg.device);
	target_close(&tg);
	cli_info(c, "Found the root: %s", dev);
	return 0;
}

/* ---- showing the plan --------------------------------------------------- */

/* The header of a plan for an md array or an LV. */
/* A re-run on an array or LV that has the size asked already: what is left. */
static void print_vol_already(struct cli *c, const struct shrink *s)
{
	char a[32], d[32], what[400];
	if (s->vol == SHRINK_MD)
		snprintf(what, sizeof(what), "md RAID1, metadata %s, %d members", s->md.metadata, s->md.nmembers);
	else
		snprintf(what, sizeof(what), "LVM volume %s/%s", s->lv.vg, s->lv.lv);
	cli_info(c, "%s (%s) is %s already, its filesystem %s: nothing to shrink; what is left:", s->dev, what,
		 size_format(s->vol_bytes, a, sizeof(a)), size_format(s->fi.blocks * s->fi.block_size, d, sizeof(d)));
	if (s->rq.pv && s->pv.pv_todo)
		cli_info(c, "PV %s: its %" PRIu64 " free extents at its end, after %s/%s's last one, are cut off "
			 "(%" PRIu64 " -> %" PRIu64 " extents)", s->pv.name, s->pv.pe_count - s->pv.new_pe_count,
			 s->lv.vg, s->lv.lv, s->pv.pe_count, s->pv.new_pe_count);
	plan_cli_list(c, s->plan);
	plan_cli_warnings(c, s->plan);
}

static void print_vol(struct cli *c, const struct shrink *s)
{
	char a[32], b[32], d[32], e[32], m[64] = "comes after e2fsck (errors recorded)";
	uint64_t bs = s->fi.block_size;
	if (s->already) {
		print_vol_already(c, s);
		return;
	}
	if (s->vol == SHRINK_MD)
		cli_info(c, "%s %s (%s, md RAID1, metadata %s, %d members): %s -> %s, filesystem %s -> %s (%" PRIu64 " blocks of %" PRIu64 ")",
			 c->dry_run ? "Would shrink" : "Shrinking", s->dev, s->id.fstype, s->md.metadata, s->md.nmembers,
			 size_format(s->vol_bytes, a, sizeof(a)), size_format(s->vol_new, b, sizeof(b)),
			 size_format(s->fi.blocks * bs, d, sizeof(d)), size_format(s->sz.fs_blocks * bs, e, sizeof(e)),
			 s->sz.fs_blocks, bs);
	else
		cli_info(c, "%s %s (%s, LVM volume %s/%s): %s -> %s, filesystem %s -> %s (%" PRIu64 " blocks of %" PRIu64 ")",
			 c->dry_run ? "Would shrink" : "Shrinking", s->dev, s->id.fstype, s->lv.vg, s->lv.lv,
			 size_format(s->vol_bytes, a, sizeof(a)), size_format(s->vol_new, b, sizeof(b)),
			 size_format(s->fi.blocks * bs, d, sizeof(d)), size_format(s->sz.fs_blocks * bs, e, sizeof(e)),
			 s->sz.fs_blocks, bs);
	if (s->min_blocks)
		snprintf(m, sizeof(m), "is %s", size_format(s->min_blocks * bs, a, sizeof(a)));
	if (s->rq.pv)
		cli_info(c, "resize2fs's minimum estimate %s; PV %s: %" PRIu64 " -> %" PRIu64 " extents of %s; partition %zu "
			 "of %s: %s -> %s, kept: start sector %" PRIu64 ", type %s, PARTUUID %s", m, s->pv.name,
			 s->pv.pe_count, s->pv.new_pe_count, size_format(s->pv.extent, a, sizeof(a)), s->partno, s->disk,
			 size_format(s->pi.size * s->g.sector_size, b, sizeof(b)),
			 size_format(s->pv.part_new_size * s->g.sector_size, d, sizeof(d)), s->pi.start, s->pi.type, s->pi.uuid);
	else
		cli_info(c, "resize2fs's minimum estimate %s; %s", m, s->vol == SHRINK_MD ?
			 "then each member partition is shrunk to what the array uses (the space freed follows it on each disk)" :
			 "the PVs are not changed: the space freed becomes free extents in the volume group (lvcreate)");
	e2tools_report(c, s->tools, s->ntools);
	plan_cli_list(c, s->plan);
	plan_cli_warnings(c, s->plan);
}

static void print_plan(struct cli *c, const struct shrink *s)
{
	if (s->vol) {
		print_vol(c, s);
		return;
	}
	char a[32], b[32], d[32], e[32], m[64] = "comes after e2fsck (errors recorded)";
	uint64_t ss = s->g.sector_size, bs = s->fi.block_size;
	if (s->already) {
		cli_info(c, "%s (partition %zu of %s) is %s already, its filesystem %s: nothing to shrink; "
			 "what is left:", s->dev, s->partno, s->disk, size_format(s->pi.size * ss, a, sizeof(a)),
			 size_format(s->fi.blocks * bs, d, sizeof(d)));
		plan_cli_list(c, s->plan);
		plan_cli_warnings(c, s->plan);
		return;
	}
	cli_info(c, "%s %s (%s, partition %zu of %s, %s): %s -> %s, filesystem %s -> %s (%" PRIu64 " blocks of %" PRIu64 ")",
		 c->dry_run ? "Would shrink" : "Shrinking", s->dev, s->id.fstype, s->partno, s->disk,
		 !strcmp(s->g.label, "gpt") ? "GPT" : "MBR", size_format(s->pi.size * ss, a, sizeof(a)),
		 size_format(s->sz.new_size * ss, b, sizeof(b)), size_format(s->fi.blocks * bs, d, sizeof(d)),
		 size_format(s->sz.fs_blocks * bs, e, sizeof(e)), s->sz.fs_blocks, bs);
	if (s->min_blocks)
		snprintf(m, sizeof(m), "is %s", size_format(s->min_blocks * bs, a, sizeof(a)));
	cli_info(c, "resize2fs's minimum estimate %s; kept: start sector %" PRIu64 ", type %s, PARTUUID %s%s%s%s",
		 m, s->pi.start, s->pi.type, s->pi.uuid, s->pi.name[0] ? ", name \"" : "", s->pi.name,
		 s->pi.name[0] ? "\"" : "");
	e2tools_report(c, s->tools, s->ntools);
	plan_cli_list(c, s->plan);
	plan_cli_warnings(c, s->plan);
}

static json_object *new_parts_json(const struct shrink *s)
{
	json_object *a = json_object_new_array();
	for (int i = 0; i < s->nnew; i++) {
		const struct shrink_new *n = &s->newp[i];
		json_object *o = json_object_new_object();
		json_object_object_add(o, "partno", json_object_new_int((int)n->partno));
		json_object_object_add(o, "start", json_object_new_uint64(n->pi.start));
		json_object_object_add(o, "size", json_object_new_uint64(n->pi.size));
		json_object_object_add(o, "bytes", json_object_new_uint64(n->pi.size * s->g.sector_size));
		json_object_object_add(o, "type", json_object_new_string(n->pi.type));
		if (n->pi.name[0])
			json_object_object_add(o, "name", json_object_new_string(n->pi.name));
		if (n->node[0])
			json_object_object_add(o, "device", json_object_new_string(n->node));
		if (n->made)
			json_object_object_add(o, "mkfs", json_object_new_string(n->swap ? "swap" : s->rq.mkfs));
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *sizes_json(const struct shrink *s, int fs)
{
	json_object *o = json_object_new_object();
#define U64(k, v) json_object_object_add(o, k, json_object_new_uint64(v))
#define STR(k, v) json_object_object_add(o, k, json_object_new_string(v))
	if (fs) {
		STR("type", s->id.fstype);
		U64("block_size", s->fi.block_size);
		U64("blocks_before", s->fi.blocks);
		U64("blocks_after", s->sz.fs_blocks);
		U64("min_blocks", s->min_blocks);
		U64("safe_blocks", s->sz.safe_blocks);
		return o;
	}
	STR("label", s->g.label);
	U64("sector_size", s->g.sector_size);
	U64("start", s->pi.start);
	U64("size_before", s->pi.size);
	U64("size_after", s->sz.new_size);
	STR("type", s->pi.type);
	STR("partuuid", s->pi.uuid);
	if (s->pi.name[0])
		STR("name", s->pi.name);
	return o;
#undef U64
#undef STR
}

/* A member's partition as it is and as planned, and its disk's --new. */
static void md_member_json(json_object *m, const struct shrink_mdparts *mp, int i)
{
	const struct shrink_mdmember *mm = &mp->m[i];
	if (mm->dk < 0) {
		json_object_object_add(m, "whole_disk", json_object_new_boolean(1));
		return;
	}
	const struct shrink_mddisk *dk = &mp->dk[mm->dk];
	uint64_t ss = dk->g.sector_size;
	json_object_object_add(m, "disk", json_object_new_string(dk->disk));
	json_object_object_add(m, "partno", json_object_new_int((int)mm->partno));
	json_object_object_add(m, "start", json_object_new_uint64(mm->pi.start));
	json_object_object_add(m, "bytes_before", json_object_new_uint64(mm->pi.size * ss));
	json_object_object_add(m, "bytes_after", json_object_new_uint64(mm->new_size * ss));
	json_object_object_add(m, "backup", json_object_new_string(dk->backup));
	json_object *a = json_object_new_array();
	for (int k = 0; k < dk->nnew; k++) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "partno", json_object_new_int((int)dk->newp[k].partno));
		json_object_object_add(o, "bytes", json_object_new_uint64(dk->newp[k].pi.size * ss));
		if (dk->newp[k].node[0])
			json_object_object_add(o, "device", json_object_new_string(dk->newp[k].node));
		json_object_array_add(a, o);
	}
	json_object_object_add(m, "new_partitions", a);
}

static json_object *new_arrays_json(const struct shrink *s)
{
	json_object *a = json_object_new_array();
	for (int i = 0; s->mp && s->mp->raid && i < s->rq.nnew; i++) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "device", json_object_new_string(s->mp->arr[i].node));
		json_object_object_add(o, "created", json_object_new_boolean(s->mp->created[i]));
		if (s->mp->arr[i].made)
			json_object_object_add(o, "mkfs", json_object_new_string(s->mp->arr[i].swap ? "swap" : s->rq.mkfs));
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *vol_json(const struct shrink *s)
{
	json_object *o = json_object_new_object(), *a;
#define U64(k, v) json_object_object_add(o, k, json_object_new_uint64(v))
#define STR(k, v) json_object_object_add(o, k, json_object_new_string(v))
	STR("kind", s->vol == SHRINK_MD ? "md" : "lvm");
	U64("bytes_before", s->vol_bytes);
	U64("bytes_after", s->vol_new);
	if (s->vol == SHRINK_MD) {
		STR("level", s->md.level);
		STR("metadata", s->md.metadata);
		U64("component_kib_before", s->md.component_kib);
		U64("component_kib_after", s->vol_new / 1024);
		a = json_object_new_array();
		for (int i = 0; i < s->md.nmembers; i++) {
			json_object *m = json_object_new_object();
			json_object_object_add(m, "name", json_object_new_string(s->md.member[i]));
			json_object_object_add(m, "data_offset", json_object_new_uint64(s->md.data_offset[i]));
			if (s->mp && i < s->mp->nm)
				md_member_json(m, s->mp, i);
			json_object_array_add(a, m);
		}
		json_object_object_add(o, "members", a);
		json_object_object_add(o, "new_arrays", new_arrays_json(s));
	} else {
		STR("vg", s->lv.vg);
		STR("lv", s->lv.lv);
		U64("extent_size", s->lv.extent);
		U64("vg_free_before", s->lv.vg_free);
		U64("vg_free_after", s->lv.vg_free + (s->rq.pv ? 0 : s->vol_bytes - s->vol_new));
		if (s->rq.pv && s->pv.new_pe_count) {
			json_object *pv = json_object_new_object();
			json_object_object_add(pv, "name", json_object_new_string(s->pv.name));
			json_object_object_add(pv, "pe_start", json_object_new_uint64(s->pv.pe_start));
			json_object_object_add(pv, "mda_count", json_object_new_uint64(s->pv.mda_count));
			json_object_object_add(pv, "pe_count_before", json_object_new_uint64(s->pv.pe_count));
			json_object_object_add(pv, "pe_count_after", json_object_new_uint64(s->pv.new_pe_count));
			json_object_object_add(pv, "bytes_after", json_object_new_uint64(s->pv.new_bytes));
			json_object_object_add(o, "pv", pv);
		}
	}
	return o;
#undef U64
#undef STR
}

/* The PV's (or root's) partition, the new ones and the backup. */
static void disk_json(json_object *doc, const struct shrink *s)
{
	json_object_object_add(doc, "disk", json_object_new_string(s->disk));
	json_object_object_add(doc, "partno", json_object_new_int((int)s->partno));
	json_object_object_add(doc, "new_partitions", new_parts_json(s));
	json_object *p = sizes_json(s, 0);
	if (s->vol)
		json_object_object_add(p, "size_after", json_object_new_uint64(s->pv.part_new_size));
	json_object_object_add(doc, "partition", p);
	json_object_object_add(doc, "backup", json_object_new_string(s->backup));
	json_object_object_add(doc, "restore", json_object_new_string(s->restore));
	json_object *gp = json_object_new_array();
	for (int i = 0; i < s->ngp; i++)
		json_object_array_add(gp, json_object_new_string(s->gp_actions[i]));
	json_object_object_add(doc, "growpart_actions", gp);
}

/* The document, from what is known: also after a refusal or a failure. */
static void to_json(struct cli *c, const struct shrink *s)
{
	json_object *doc = cli_doc(c);
	json_object_object_add(doc, "dry_run", json_object_new_boolean(c->dry_run));
	if (s && s->rq.rollback) {
		json_object *rb = json_object_new_object();
		json_object_object_add(doc, "device", json_object_new_string(s->dev));
		json_object_object_add(rb, "pending", json_object_new_boolean(s->undo_pending));
		if (s->undo_pending && s->undo_loc.file[0])
			json_object_object_add(rb, "undo_file", json_object_new_string(s->undo_loc.file));
		else if (s->undo_pending) {
			json_object_object_add(rb, "log_offset", json_object_new_uint64(s->undo_loc.off));
			json_object_object_add(rb, "log_length", json_object_new_uint64(s->undo_loc.len));
		}
		json_object_object_add(doc, "rollback", rb);
		plan_cli_json(c, s->plan);
		return;
	}
	if (!s || !s->disk[0])
		return;
	json_object_object_add(doc, "device", json_object_new_string(s->dev));
	if (s->vol) {
		json_object_object_add(doc, "already", json_object_new_boolean(s->already));
		json_object_object_add(doc, "volume", vol_json(s));
		if (!plan_count(s->plan))
			return;
		json_object_object_add(doc, "filesystem", sizes_json(s, 1));
		json_object_object_add(doc, "freed_bytes", json_object_new_uint64(s->vol_bytes - s->vol_new));
		json_object_object_add(doc, "growpart", json_object_new_string(s->growpart));
		if (s->rq.pv)
			disk_json(doc, s);
		plan_cli_json(c, s->plan);
		return;
	}
	json_object_object_add(doc, "already", json_object_new_boolean(s->already));
	if (!plan_count(s->plan)) {   /* planning stopped before the plan was made */
		json_object_object_add(doc, "disk", json_object_new_string(s->disk));
		json_object_object_add(doc, "partno", json_object_new_int((int)s->partno));
		return;
	}
	json_object_object_add(doc, "filesystem", sizes_json(s, 1));
	json_object_object_add(doc, "freed_bytes", json_object_new_uint64(s->sz.freed * s->g.sector_size));
	json_object_object_add(doc, "growpart", json_object_new_string(s->growpart));
	disk_json(doc, s);
	plan_cli_json(c, s->plan);
}

/* ---- the applet --------------------------------------------------------- */

/* --rollback: nothing to do, or the plan, a question and the commit. */
static int run_rollback(struct cli *c, struct shrink *s)
{
	char q[PATH_MAX + 96];
	if (!plan_count(s->plan)) {
		cli_info(c, "%s: no interrupted shrink-root left an undo log there; nothing to roll back", s->dev);
		return 0;
	}
	cli_info(c, "%s %s: a shrink-root was stopped inside resize2fs%s", c->dry_run ? "Would roll back" : "Rolling back",
		 s->dev, s->undo_loc.file[0] ? "" : "; its undo log puts the filesystem back as it was");
	plan_cli_warnings(c, s->plan);
	plan_cli_list(c, s->plan);
	if (c->dry_run) {
		cli_info(c, "Dry run: nothing was written.");
		return 0;
	}
	snprintf(q, sizeof(q), "Put back what the interrupted resize2fs wrote to %s?", s->dev);
	if (!cli_confirm(c, q))
		return RC_EXIT_REFUSED;
	struct plan_hooks h = plan_cli_hooks(c);
	if (shrink_commit(s, &h) < 0)
		return plan_cli_fail(c, s->plan);
	if (!strcmp(plan_step(s->plan, 0)->kind, "replay-undo"))
		cli_info(c, "Done: %s is as it was before the interrupted shrink; run shrink-root again to shrink it", s->dev);
	else
		cli_info(c, "Done: the undo log's locator on %s is forgotten; nothing was put back", s->dev);
	return 0;
}

/* The end of a re-run: what it finished, or that nothing was left. */
static int done_already(struct cli *c, const struct shrink *s)
{
	char a[32], b[32];
	uint64_t sz = s->vol ? s->vol_bytes : s->sz.new_size * s->g.sector_size;
	size_format(sz, a, sizeof(a));
	if (s->vol == SHRINK_MD && s->mp && s->mp->left)
		cli_info(c, "Done: array %s was %s already; what was left is done: each member partition is shrunk to "
			 "what it uses", s->dev, a);
	else if (s->vol == SHRINK_LVM && s->rq.pv && (s->pv.pv_todo || s->pv.part_todo))
		cli_info(c, "Done: %s was %s already; what was left is done: PV %s has %" PRIu64 " extents, its partition "
			 "is %s. Old table: %s", s->dev, a, s->pv.name, s->pv.new_pe_count,
			 size_format(s->pv.part_new_size * s->g.sector_size, b, sizeof(b)),
			 s->pv.part_todo ? s->backup : "not written");
	else
		cli_info(c, "Done: %s was %s already; nothing was shrunk", s->dev, a);
	return 0;
}

/* Show the plan, ask, commit. */
static int run(struct cli *c, struct shrink *s)
{
	char q[PATH_MAX * 2 + 64], a[32], b[32];
	uint64_t ss = s->g.sector_size;
	print_plan(c, s);
	if (c->dry_run) {
		cli_info(c, "Dry run: nothing was written.");
		return 0;
	}
	if (s->already)
		snprintf(q, sizeof(q), "Run what is left for %s?", s->dev);
	else if (s->rq.pv)
		snprintf(q, sizeof(q), "Shrink the filesystem on %s, the logical volume (to %s), PV %s and partition %zu, "
			 "and rewrite the partition table of %s?", s->dev, size_format(s->vol_new, a, sizeof(a)),
			 s->pv.name, s->partno, s->disk);
	else if (s->vol)
		snprintf(q, sizeof(q), "Shrink the filesystem on %s and %s to %s%s?", s->dev,
			 s->vol == SHRINK_MD ? "the array" : "the logical volume", size_format(s->vol_new, a, sizeof(a)),
			 s->vol == SHRINK_MD ? ", and rewrite the partition table of each member disk" : "");
	else if (s->already)
		snprintf(q, sizeof(q), "Run what is left for %s?", s->dev);
	else
		snprintf(q, sizeof(q), "Shrink %s to %s and rewrite the partition table of %s?", s->dev,
			 size_format(s->sz.new_size * ss, a, sizeof(a)), s->disk);
	if (!cli_confirm(c, q))
		return RC_EXIT_REFUSED;
	struct plan_hooks h = plan_cli_hooks(c);
	/* A dropped SSH session must not stop the commit between two steps:
	 * hang-ups are ignored until it is over (its messages may be lost). */
	struct sigaction ign = { .sa_handler = SIG_IGN }, ohup;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGHUP, &ign, &ohup);
	int r = shrink_commit(s, &h);
	sigaction(SIGHUP, &ohup, NULL);
	if (r < 0)
		return plan_cli_fail(c, s->plan);
	if (s->already)
		return done_already(c, s);
	if (s->vol == SHRINK_MD) {
		cli_info(c, "Done: array %s is %s (%s less); each member partition is shrunk to what it uses. Old "
			 "tables: %s%s", s->dev, size_format(s->vol_new, a, sizeof(a)),
			 size_format(s->vol_bytes - s->vol_new, b, sizeof(b)), s->mp->nd ? s->mp->dk[0].backup : "none",
			 s->mp->nd > 1 ? " and one per other member disk" : "");
		for (int i = 0; s->mp->raid && i < s->rq.nnew; i++)
			cli_info(c, "New RAID1 %s: add it to the target's /etc/mdadm/mdadm.conf ('mdadm --detail --brief "
				 "%s') and rebuild its initramfs", s->mp->arr[i].node, s->mp->arr[i].node);
		return 0;
	}
	if (s->rq.pv) {
		cli_info(c, "Done: %s is %s; PV %s and its partition are %s smaller, freed on %s after partition %zu. "
			 "Old table: %s", s->dev, size_format(s->vol_new, a, sizeof(a)), s->pv.name,
			 size_format((s->pi.size - s->pv.part_new_size) * ss, b, sizeof(b)), s->disk, s->partno, s->backup);
		return 0;
	}
	if (s->vol == SHRINK_LVM) {
		cli_info(c, "Done: %s is %s; %s more is free in volume group %s ('lvcreate -L SIZE -n NAME %s' uses it)",
			 s->dev, size_format(s->vol_new, a, sizeof(a)), size_format(s->vol_bytes - s->vol_new, b, sizeof(b)),
			 s->lv.vg, s->lv.vg);
		return 0;
	}
	cli_info(c, "Done: %s is %s; %s freed after it. Old table: %s", s->dev,
		 size_format(s->sz.new_size * ss, a, sizeof(a)), size_format(s->sz.freed * ss, b, sizeof(b)), s->backup);
	return 0;
}

int shrink_root_main(int argc, char **argv)
{
	struct cli c;
	struct st o = { 0 };
	struct shrink *s = NULL;
	char dev[PATH_MAX];
	int done, ret, r = cli_parse(&c, applet_find("shrink-root"), argc, argv, opts, on_opt, &o, 0, 1, &done);
	if (done)
		return r;
	if ((r = check_usage(&c, &o)))
		return r;
	if ((ret = which_partition(&c, dev, sizeof(dev))) == 0) {
		o.rq.dev = dev;
		o.rq.yes = c.yes;
		o.rq.dry_run = c.dry_run;
		o.rq.live = !c.json && !c.quiet;
		o.rq.progress = o.rq.live && isatty(STDOUT_FILENO);
		if (shrink_prepare(&o.rq, &s) < 0) {
			if (s && s->plan)
				plan_cli_warnings(&c, s->plan);
			ret = cli_liberr(&c);
		} else {
			ret = o.rq.rollback ? run_rollback(&c, s) : run(&c, s);
		}
	}
	to_json(&c, s);
	shrink_free(s);
	return cli_finish(&c, ret);
}
