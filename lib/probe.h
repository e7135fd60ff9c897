/* libblkid: what is on a block device or image file, and the block devices
 * of this system (from /sys/class/block). */
#ifndef RC_PROBE_H
#define RC_PROBE_H
#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

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

/* Probing once per run: what was probed, keyed by device number (st_rdev of
 * a block device; device and inode of an image file). detect fills one
 * while it scans, and mount-root resolves the target's fstab from the same
 * one, so each device is read once. A cache lives as long as one run of a
 * look: nothing may write to the devices in it meanwhile. Zero it to start. */
struct probe_hit;
struct probe_cache {
	struct probe_hit *e;
	size_t n;
	size_t probed;         /* devices really probed (the rest were hits) */
};
/* probe_device through the cache PC (NULL: no cache). A failed probe is
 * not kept. ID's path and name are PATH's, whichever path probed it. */
int probe_cached(struct probe_cache *pc, const char *path, struct devid *id);
void probe_cache_free(struct probe_cache *pc);
/* A filesystem signature on a device that also holds a partition table: one
 * of the two is stale (mkfs wipes the table; partitioning after mkfs can
 * leave the old superblock, e.g. behind an MBR). An empty table (no
 * partitions: boot-sector noise) does not count. 1 = conflicting, with a
 * message for the user in WHY. Nothing should act on such a device. */
int devid_conflicting(const struct devid *id, char *why, size_t wsz);

/* Block devices from <sysroot>/sys/class/block. The sysroot is "" unless
 * RESCUECTL_SYSROOT is set (tests build fake md/LVM/NVMe topologies there,
 * as lsblk --sysroot does); device nodes are then <sysroot>/dev/NAME. */
enum blk_kind { BLK_DISK, BLK_PART, BLK_MD, BLK_DM, BLK_LOOP, BLK_RAM, BLK_OTHER };
struct blkdev {
	char name[64];
	char path[PATH_MAX];
	char parent[64];       /* the whole disk of a partition */
	enum blk_kind kind;
	dev_t devno;
	uint64_t size;         /* bytes */
	int partno, ro;
	char dm_name[128], dm_uuid[160];   /* device-mapper: dm/name, dm/uuid */
	char md_level[32];     /* md: md/level */
	char loop_backing[PATH_MAX];
	char **slaves;  size_t nslaves;    /* names */
	char **holders; size_t nholders;
};
struct blkdevs {
	struct blkdev *d;
	size_t n;
};
const char *sysroot(void);
int blkdevs_scan(struct blkdevs *bs);
void blkdevs_free(struct blkdevs *bs);
const struct blkdev *blkdevs_find(const struct blkdevs *bs, const char *name);

#endif
