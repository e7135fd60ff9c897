/* libblkid: what is on a block device or image file, probed once per run
 * and read ahead of time. The block devices of this system: blkdev.h. */
#ifndef RC_PROBE_H
#define RC_PROBE_H
#include <limits.h>
#include <stdint.h>
#include <sys/types.h>
#include "blkdev.h"

struct devid {
	char path[PATH_MAX];   /* /dev/sda3 or an image file */
	char name[64];         /* sda3 (kernel name) or the file's base name */
	char fstype[32];       /* TYPE: ext4, xfs, btrfs, swap, linux_raid_member, crypto_LUKS ... */
	char usage[16];        /* USAGE: filesystem, raid, crypto, other */
	char uuid[64], label[128], version[32];
	char partuuid[64], partlabel[128], parttype[64];  /* PART_ENTRY_* when a partition */
	char pttype[16];       /* a partition table on it: gpt, dos */
	int nparts;            /* partitions in that table */
	uint64_t size;         /* bytes */
	uint64_t part_flags;   /* PART_ENTRY_FLAGS (GPT attribute bits) */
};

/* Probe PATH read-only (superblocks and, for partitions, the table entry). */
int probe_device(const char *path, struct devid *id);

/* Start reading, into the page cache and without waiting, what
 * probe_device will read of the block device open as FD (SIZE bytes; WHOLE:
 * a whole disk, where libblkid's RAID probers also look further from the
 * end): a few large requests instead of dozens of small ones, each a round
 * trip to the disk (or to a loop device's worker). This holds only while FD
 * stays open: the kernel drops a block device's page cache on its last
 * close. Only a hint: reads nothing itself, writes nothing, and no result
 * depends on it. */
void probe_readahead(int fd, uint64_t size, int whole);

/* Probing once per run: what was probed, keyed by device number (st_rdev of
 * a block device; device and inode of an image file). detect fills one
 * while it scans, and mount-root resolves the target's fstab from the same
 * one, so each device is read once. A cache lives as long as one run of a
 * look: nothing may write to the devices in it meanwhile. Zero it to start. */
struct probe_hit;
struct probe_ptab;
struct probe_part;
struct probe_cache {
	struct probe_hit *e;
	size_t n;
	size_t probed;         /* devices really probed (the rest were hits) */
	struct probe_ptab *pt; /* the disks' partition tables */
	size_t npt;
	struct probe_part *parts;  /* where partitions lie (probe_cache_disks) */
	size_t nparts;
};
/* probe_device through the cache PC (NULL: no cache). A failed probe is
 * not kept. ID's path and name are PATH's, whichever path probed it. The
 * values are probe_device's; only the work differs: libblkid reads a
 * partition's disk table again for each of its partitions (PART_ENTRY_*),
 * here each disk's table is read once (found in sysfs as libblkid finds
 * it; where libblkid would look further, it is left to libblkid). */
int probe_cached(struct probe_cache *pc, const char *path, struct devid *id);
/* Tell PC where BS's partitions lie (start, size, disk), so probe_cached
 * need not ask sysfs again. Only without RESCUECTL_SYSROOT: libblkid's
 * answer comes from the real sysfs. */
void probe_cache_disks(struct probe_cache *pc, const struct blkdevs *bs);
void probe_cache_free(struct probe_cache *pc);
/* A filesystem signature on a device that also holds a partition table: one
 * of the two is stale (mkfs wipes the table; partitioning after mkfs can
 * leave the old superblock, e.g. behind an MBR). An empty table (no
 * partitions: boot-sector noise) does not count. 1 = conflicting, with a
 * message for the user in WHY. Nothing should act on such a device. */
int devid_conflicting(const struct devid *id, char *why, size_t wsz);

/* md arrays are renamed across systems: the installed system's fstab says
 * /dev/md0, /dev/md/0 or /dev/md/host:0, the rescue system assembles the
 * same array as md127. The array name kept in the members' superblocks
 * ("host:0", libblkid's LABEL of a member) says which array is meant.
 * 1 when SPEC is an md path naming the array called NAME, else 0. */
int md_spec_names(const char *spec, const char *name);
/* The array name of md device B ("" for none): the LABEL of its first
 * member that has one, probed through PC (may be NULL). BS is B's scan. */
void md_array_name(const struct blkdev *b, const struct blkdevs *bs, struct probe_cache *pc, char *name,
		   size_t sz);

#endif
