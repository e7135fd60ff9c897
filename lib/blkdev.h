/* The block devices of this system, from <sysroot>/sys/class/block: name,
 * number, size, kind, and what is built on what (slaves, holders). The
 * sysroot is "" unless RESCUECTL_SYSROOT is set (tests build fake md/LVM/
 * NVMe topologies there, as lsblk --sysroot does); device nodes are then
 * <sysroot>/dev/NAME, or for a device-mapper device /dev/mapper/DMNAME when
 * that node is this device (what the admin types). Reads sysfs, and stats
 * that node. Contract: 0/index or -errno with a message; never prints. */
#ifndef RC_BLKDEV_H
#define RC_BLKDEV_H
#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

enum blk_kind { BLK_DISK, BLK_PART, BLK_MD, BLK_DM, BLK_LOOP, BLK_RAM, BLK_OTHER };
struct blkdev {
	char name[64];
	char path[PATH_MAX];
	char parent[64];       /* the whole disk of a partition */
	enum blk_kind kind;
	dev_t devno;
	uint64_t size;         /* bytes */
	int partno;
	uint64_t start;        /* a partition's first 512-byte sector (0: unknown) */
	char dm_name[128], dm_uuid[160];   /* device-mapper (dm-N): dm/name, dm/uuid */
	char md_level[32];     /* md: md/level */
	char **slaves;  size_t nslaves;    /* names (none for a partition) */
	char **holders; size_t nholders;
};
struct blkdevs {
	struct blkdev *d;
	size_t n;
};
const char *sysroot(void);
/* Every block device, sorted by name (a whole disk before its partitions). */
int blkdevs_scan(struct blkdevs *bs);
/* Only the devices a look needs, when it names them: add the one device
 * with kernel NAME, or with number DEVNO (<sysroot>/sys/dev/block/MAJ:MIN),
 * to BS (zeroed to start) unless it is there already. Its index in BS->d,
 * or -ENOENT when sysfs has no such device (-ENOMEM). Adding may move
 * BS->d: keep indexes, not pointers, across it. */
int blkdevs_add(struct blkdevs *bs, const char *name);
int blkdevs_add_devno(struct blkdevs *bs, dev_t devno);
void blkdevs_free(struct blkdevs *bs);
const struct blkdev *blkdevs_find(const struct blkdevs *bs, const char *name);

#endif
