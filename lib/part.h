/* Partition tables through libfdisk, in one place: open a disk (locked),
 * read a partition, save the table as an sfdisk dump, shrink a partition
 * keeping its start, type, PARTUUID/GUID and name, add partitions in free
 * space aligned as libfdisk aligns, write, and tell the kernel per
 * partition (BLKPG). Works on block devices and on image files. */
#ifndef RC_PART_H
#define RC_PART_H
#include <stddef.h>
#include <stdint.h>

struct part_disk;

struct part_info {
	size_t partno;          /* 1-based, as in /dev/sda3 */
	uint64_t start, size;   /* sectors */
	char type[64];          /* GPT type GUID, or the MBR code "83" */
	char type_name[64];     /* "Linux filesystem" */
	char uuid[64];          /* GPT PARTUUID; MBR: disk id-NN as blkid shows it */
	char name[128];         /* GPT name; "" for MBR */
	char attrs[128];        /* GPT attributes as sfdisk spells them */
	int logical;            /* MBR logical partition (5+) */
};

struct part_geom {
	char label[8];          /* "gpt" or "dos" */
	char id[64];            /* disk label id (GPT GUID or 0x... for MBR) */
	uint32_t sector_size;   /* logical, bytes */
	uint64_t nsectors;      /* whole device */
	uint64_t first_lba, last_lba;  /* usable area */
	uint64_t grain;         /* libfdisk's alignment grain, sectors */
	uint64_t align_offset;  /* alignment offset, sectors */
	size_t nparts;          /* partitions in use */
};

/* The whole disk and 1-based number of partition node PARTDEV (a block
 * device such as /dev/loop0p3 or /dev/nvme0n1p2, or a link to one), from
 * sysfs (probe.h's blkdevs, so RESCUECTL_SYSROOT fakes work). DISK gets
 * "/dev/loop0". Refusals (exit hint 3) that explain the manual steps: md
 * RAID, LVM, dm-crypt, a partition with holders, a whole disk. An image
 * file or a non-device: exit hint 2. */
int part_of_node(const char *partdev, char *disk, size_t disksz, size_t *partno);
/* The kernel's name of partition PARTNO of DISK ("loop0p3"), from sysfs. */
int part_kernel_name(const char *disk, size_t partno, char *name, size_t namesz);

#define PART_RW 0x1         /* open for writing (otherwise read-only) */
/* Open DISK (block device or image file) and take flock on it: LOCK_EX
 * with PART_RW, LOCK_SH otherwise (as sfdisk and growpart do, so udev and
 * other partitioners wait). Waits up to TIMEOUT seconds for the lock. The
 * device is not opened O_EXCL: e2fsck and resize2fs must still be able to
 * open its partitions exclusively while the lock is held. */
int part_open(const char *disk, unsigned flags, int timeout, struct part_disk **out);
/* Close (fsync when written) and unlock. Returns a failing fsync/close. */
int part_close(struct part_disk *d);

int part_geom(struct part_disk *d, struct part_geom *g);
/* Partition PARTNO (1-based). -ENOENT if not in use. */
int part_get(struct part_disk *d, size_t partno, struct part_info *pi);
/* The free area right after partition PARTNO: its first sector aligned up
 * the way libfdisk aligns a new partition, and its last sector. 0 and
 * *start > *end when there is none. Reflects in-memory changes. */
int part_free_after(struct part_disk *d, size_t partno, uint64_t *start, uint64_t *end);

/* Save the table as it was read by part_open (before any change in
 * memory) as an sfdisk dump (fdisk_script) to PATH (created, mode 0600,
 * fsynced; refuses to overwrite). Restore with `sfdisk DISK < PATH`. */
int part_save_script(struct part_disk *d, const char *path);
/* The dump of the table as it is now in memory (malloc'd text). */
int part_script_text(struct part_disk *d, char **text);

/* In memory (also on a read-only open, to plan and show): make partition PARTNO NEWSIZE sectors long, same start, type,
 * UUID, name and attributes. Refuses a grow and a moved start. */
int part_shrink(struct part_disk *d, size_t partno, uint64_t newsize);

/* A new partition wanted: SIZE[:TYPE[:NAME]] where SIZE may be "rest". */
struct part_new {
	uint64_t bytes;         /* 0 = rest of the free area */
	char type[64];          /* "" = Linux filesystem; a GUID, an MBR hex code,
				   or a name libfdisk knows ("linux", "swap", "L") */
	char name[72];          /* GPT name ("" none) */
};
/* Parse one --new argument (pure). */
int part_new_parse(const char *spec, struct part_new *n);
/* In memory (also read-only, for planning): add a partition of N->bytes (rounded as libfdisk rounds:
 * start aligned up from FROM, end+1 aligned) inside the free area that
 * contains FROM; "rest" takes the whole free area. A size the free area
 * cannot hold is refused (exit hint 3; libfdisk alone would make the
 * partition smaller than asked). Sets *PARTNO (1-based), *START and *SIZE
 * (sectors). */
int part_add(struct part_disk *d, const struct part_new *n, uint64_t from,
	     size_t *partno, uint64_t *start, uint64_t *size);

/* Write the table (both GPT headers) and fsync. */
int part_write(struct part_disk *d);
/* Write the table as part_open read it back (the undo of part_write; the
 * same as `sfdisk DISK < dump` with the part_save_script dump), and fsync.
 * The kernel is not told: call part_tell_kernel if it was told before. */
int part_restore(struct part_disk *d);
/* Tell the kernel what changed, partition by partition (BLKPG, libfdisk's
 * fdisk_reread_changes), then check each changed partition's size in
 * /sys/class/block against the table. Image files: nothing to do. The
 * message says which partitions the kernel still sees the old way and what
 * to run. */
int part_tell_kernel(struct part_disk *d);
/* Before any change: refuse (exit hint 3) when the kernel uses partition
 * PARTNO at another start or size than the table read from disk says.
 * 0 for image files. */
int part_check_kernel(struct part_disk *d, size_t partno);

/* Messages libfdisk gave while working (warnings), "" if none. */
const char *part_messages(struct part_disk *d);

#endif
