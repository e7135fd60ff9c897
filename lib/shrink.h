/* Shrinking an ext2/3/4 root filesystem and the partition that holds it, as
 * a plan (lib/plan.h) -- the library half of shrink-root.
 *
 * shrink_prepare() does all the reading and checking and writes nothing:
 * which partition of which disk; what is on it and whether anything uses it
 * (mounted in this namespace, open O_EXCL, held); the superblock (errors
 * need --yes); resize2fs's minimum estimate; the table, locked with flock
 * (LOCK_EX, or LOCK_SH for a dry run) until shrink_free; the kernel's view
 * of the partition; the new sizes (lib/size.h: the filesystem always fits
 * its partition, whole blocks, the end aligned); the new partitions, placed
 * in the in-memory table, each required to fit at the size asked; the
 * programs every step will run (shrink_find_tool); growpart's changes in
 * the target; the table backup's path (a new file in a writable
 * directory). Every refusal comes from here, before the first write, with
 * exit hint 3 (2 for what the command line alone gets wrong).
 *
 * The plan it leaves in s->plan, in order:
 *   save the table -> e2fsck -f -> resize2fs -> shrink the partition and add
 *   the new ones (in memory) -> write the table -> tell the kernel (BLKPG)
 *   -> disable growpart in the target -> e2fsck -fn -> mkfs on new partitions
 * The filesystem shrinks before its partition does, so at no step is it
 * larger than its partition. Writing the table is undone automatically when
 * it fails partway (the old table is written back: the smaller filesystem
 * fits it). Telling the kernel, disabling growpart and mkfs are side jobs
 * (PLAN_CONTINUE): their failure leaves a sound shrink and exit 1.
 *
 * md RAID1 (metadata 1.2) and LVM logical volumes (shrink_vol.c) are more
 * step kinds on the same plan and loop: the filesystem first, then the
 * array (mdadm --grow --size) or the LV (lvreduce). The md member
 * partitions are shrunk and --new is made on every member disk
 * (shrink_md.c, shrink_md.h); the PVs are left as they are, unless --pv
 * (rq.pv) on an LV: then pvresize and the PV's partition follow
 * (shrink_pv.c, shrink_pv.h) with the table steps above. The design notes
 * below were written before; what is built is in shrink_vol.c's header.
 * md RAID1 and LVM are meant to be more step kinds here, not a new loop:
 * planning finds the stack under the filesystem, then e.g. for RAID1
 *   e2fsck -> resize2fs -> mdadm --grow --size (undo: --size=max,
 *   PLAN_UNDO_LATER) -> per member disk: write its table (PLAN_UNDO_SELF,
 *   with its own part_disk and backup) and tell its kernel view
 * and for LVM: e2fsck -> lvreduce --resizefs (undo: lvextend) -> pvresize
 * -> the PV's partition as above. The words of each step say which member
 * or volume it touches, so a failure names exactly what is done.
 *
 * shrink_commit() runs the plan (plan_commit with the applet's hooks).
 * Nothing here prints; tools' output goes to the terminal when `live` is
 * set, else it is captured and handed to the hooks' output callback. */
#ifndef RC_SHRINK_H
#define RC_SHRINK_H
#include <limits.h>
#include <stdint.h>
#include "e2tools.h"
#include "ext4.h"
#include "part.h"
#include "plan.h"
#include "probe.h"
#include "shrink_pv.h"
#include "size.h"
#include "undo_log.h"
#include "lock.h"

#define SHRINK_MAX_NEW 16

/* What the user asked for (the applet fills it from the command line). */
struct shrink_req {
	const char *dev;            /* the root partition node, e.g. /dev/sda3 */
	enum shrink_mode mode;      /* --size, --free or --minimum */
	uint64_t bytes;             /* --size / --free */
	struct part_new news[SHRINK_MAX_NEW];
	int nnew;
	const char *mkfs;           /* --mkfs TYPE (shrink_mkfs_known), or NULL */
	int keep_growpart;
	int new_plain;              /* md root: --new makes plain partitions on each
				       disk, not a new RAID1 (shrink_md.h) */
	const char *backup;         /* --backup FILE, or NULL for the default */
	const char *undo_file;      /* --undo-file FILE: resize2fs's undo file (shrink_undo.c) */
	int yes;                    /* e2fsck -y; a filesystem with errors may be repaired */
	int dry_run;                /* open the disk read-only */
	int live;                   /* e2fsck and resize2fs talk to our terminal */
	int progress;               /* resize2fs -p */
	enum e2t_pref checker;      /* --checker: whose e2fsck, resize2fs, mke2fs */
	int pv;                     /* --pv: an LV's PV and its partition shrink too (shrink_pv.c) */
	int rollback;               /* --rollback: put back what an interrupted resize2fs wrote,
				       from its undo log on the device (shrink_rollback.c) */
};

/* A new partition, as planned and (after the commit) made. */
struct shrink_new {
	size_t partno;
	struct part_info pi;        /* as planned, in the in-memory table */
	int swap;                   /* swap-typed: mkswap instead of mkfs */
	char node[PATH_MAX];        /* its device node, once the kernel has it */
	int made;                   /* its filesystem was made */
};

/* A root on an md RAID1 array (metadata 1.2) or an LVM logical volume:
 * the facts its plan is made from (shrink_vol.c). */
enum shrink_vol { SHRINK_PARTITION = 0, SHRINK_MD, SHRINK_LVM };
#define SHRINK_MD_MEMBERS 8
struct shrink_md {
	char name[64];              /* kernel name: md127 */
	char level[16], metadata[32], sync_action[32], array_state[32], bitmap[64];
	int degraded, raid_disks;
	uint64_t component_kib;     /* md/component_size */
	int nmembers;
	char member[SHRINK_MD_MEMBERS][64];   /* sda3 ... (md/dev-*) */
	char member_state[SHRINK_MD_MEMBERS][64];
	uint64_t data_offset[SHRINK_MD_MEMBERS]; /* sectors of 512 (md/dev-* /offset) */
	uint64_t rdev_kib[SHRINK_MD_MEMBERS];    /* md/dev-* /size: what each member's superblock
						    offers (Avail Dev Size / 2); 0 = not known */
};
struct shrink_lv {
	char vg[128], lv[128], attr[16];
	uint64_t size, extent, vg_free;   /* bytes */
	int missing_pvs;
};

struct shrink_mdparts;          /* shrink_md.h */
struct shrink {
	struct shrink_req rq;
	enum shrink_vol vol;        /* SHRINK_PARTITION: the plain path */
	struct shrink_md md;
	struct shrink_lv lv;
	struct shrink_pv pv;        /* --pv: the LV's PV (s->disk, s->partno, s->pi: its partition) */
	uint64_t vol_bytes;         /* the array's or LV's size now */
	uint64_t vol_new;           /* and once shrunk (bytes) */
	char dev[PATH_MAX], disk[PATH_MAX];
	size_t partno;
	struct devid id;
	struct ext4_info fi;
	uint64_t min_blocks;        /* resize2fs -P; 0 = not known before e2fsck */
	struct part_disk *d;        /* open and locked from planning to shrink_free */
	struct part_geom g;
	struct part_info pi;        /* the root partition as it is */
	struct shrink_plan sz;      /* lib/size.h: new sizes */
	struct shrink_new newp[SHRINK_MAX_NEW];
	int nnew;
	int free_follows;           /* free space right after the root when done */
	int already;                /* --size/--minimum: the partition (or the array, or the LV) is that
				       size already (a re-run after a shrink that was done or stopped
				       part-way): nothing is resized; only what is left is planned: on a
				       partition growpart and the verify; on md the members' sizes and
				       partitions still larger than needed; with --pv the PV's free
				       extents at its end and its partition (shrink_pv_resume) */
	const char *growpart;       /* "not needed", "kept", "no cloud-init",
				       "already disabled", "would disable",
				       "disabled", "failed", "not done" */
	char gp_actions[8][256];
	int ngp;
	char backup[PATH_MAX];      /* the table backup */
	char restore[PATH_MAX + 64];/* "sfdisk DISK < BACKUP" */
	char undo[PATH_MAX];        /* resize2fs's undo file ("" when nothing is resized) */
	int undo_dev;               /* the undo log goes on s->dev itself, past the new end
				       (lib/undo_log.h); s->undo is then s->dev */
	struct undo_loc undo_loc;   /* where: chosen again just before resize2fs; or where an
				       interrupted one left it (undo_pending) */
	int undo_pending;           /* a locator of this filesystem names a log resize2fs did not close */
	int undo_hdr_ok;            /* ... whose header is valid: it may hold records to put back */
	int undo_fileloc;           /* a locator of this filesystem names an undo file (undo_loc.file):
				       an earlier resize2fs ran with one (shrink_check_leftover decides) */
	int fileloc_ok;             /* the undo is a file and the device's last 4 KiB can take a
				       locator naming it (written just before resize2fs) */
	int loc_written;            /* this run wrote a locator (cleared when resize2fs is done) */
	struct devlock rb_lock;     /* --rollback: the device, locked from planning to the end */
	struct plan *plan;          /* the steps (plan_warnings: what planning found) */
	struct e2t_choice tools[E2T_NTOOLS]; /* e2fsck, resize2fs (and mke2fs for --mkfs ext*):
				       the rescue system's or the bundled ones (lib/e2tools.h) */
	int ntools;
	int gp_step;                /* 1-based number of the growpart step; 0 none */
	struct shrink_mdparts *mp;  /* md: member partitions and --new (shrink_md.c) */
};

/* Is TYPE a filesystem --mkfs knows how to make (ext2/3/4, xfs, btrfs,
 * f2fs, vfat, exfat)? 1 or 0; NAMES gets the list for a message. */
int shrink_mkfs_known(const char *type, const char **names);

/* The program that runs as PROG ("e2fsck", "resize2fs", "mkfs.ext4",
 * "mkswap"), checked while planning. e2fsck, resize2fs and mkfs.ext* are
 * those shrink_prepare chose and pinned (s->tools: the rescue system's when
 * new enough for the filesystem, else rescuectl's own). 0 and the path in
 * BUF, or -ENOENT with a message that names the package (exit hint 3). */
int shrink_find_tool(const char *prog, char *buf, size_t sz);

/* Plan the shrink (see above). *OUT is set whenever memory allows, also on
 * failure, so the caller can report what was found; free it with
 * shrink_free. 0, or -errno with a message and exit hint. */
int shrink_prepare(const struct shrink_req *rq, struct shrink **out);
/* Run the plan. 0, or -errno: then plan_failure(s->plan) says what is done
 * and what state the disk is in. Sets s->growpart and the new partitions'
 * nodes. */
int shrink_commit(struct shrink *s, const struct plan_hooks *hooks);
/* md and LVM facts and their refusals (shrink_vol.c), apart for tests.
 * shrink_md_read: <sysroot>/sys/class/block/NAME/md (level, metadata_version,
 * degraded, sync_action, array_state, raid_disks, component_size, bitmap,
 * dev-* /offset, size and state). shrink_md_check refuses (exit hint 3) what is
 * not a clean, idle, whole RAID1 with metadata 1.2 and known data offsets.
 * shrink_lv_parse reads one line of
 *   lvs --noheadings --nosuffix --units b --separator '|' -o
 *   vg_name,lv_name,lv_attr,lv_size,vg_extent_size,vg_free,vg_missing_pv_count
 * and shrink_lv_check refuses all but a plain, closed LV in a whole VG.
 * shrink_vol_sizes plans s->vol_new and s->sz from s->vol_bytes, the
 * alignment (1 MiB for md, the extent for LVM), the filesystem and the
 * request: the filesystem fills the new volume in whole blocks; a --size
 * or --minimum the volume has already (a re-run) sets s->already instead
 * of the usage error (not --free, which is relative, nor with --new). */
int shrink_md_read(const char *name, struct shrink_md *md);
int shrink_md_check(const char *dev, const struct shrink_md *md);
int shrink_lv_parse(const char *line, struct shrink_lv *lv);
int shrink_lv_check(const char *dev, const struct shrink_lv *lv);
int shrink_vol_sizes(struct shrink *s);

/* Unlock and close the disk, free everything. */
void shrink_free(struct shrink *s);

#endif
