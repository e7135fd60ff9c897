/* shrink-root on md RAID1 (metadata 1.2): the member partitions and --new,
 * after the array itself is shrunk (shrink_vol.c). The library half; the
 * steps are in shrink_md.c, whose header says the order and the undo.
 *
 * Planning (shrink_md_plan, after shrink_vol_sizes set s->vol_new):
 * every member must be a partition of its own disk (a whole-disk member is
 * left as it is, and the plan says so) whose table the kernel agrees with;
 * the array node is locked (flock LOCK_EX, LOCK_SH for --dry-run) and each
 * member disk is opened and locked by part_open, all until shrink_free;
 * each member partition is shrunk in that disk's in-memory table to
 *   start + data_offset + the array's new size per member,
 * the end aligned up as libfdisk aligns (never below what the array uses,
 * never above the partition as it is); the --new partitions are placed
 * after it on EVERY disk and must come out the same size on each; one table
 * backup per disk. Refusals (exit hint 3) come from here, before any write.
 *
 * A re-run on an array that has the size asked already (s->already: a
 * shrink stopped after mdadm --grow, or done): a member whose md size
 * (md/dev-NAME/size) is still larger than the array's gets the member-size
 * write, and a member partition still larger than the size computed as
 * above gets its disk's steps (backup, shrink, write, tell the kernel); the
 * others get none (mp->left counts those that do).
 *
 * Pure parts (unit-tested): shrink_md_member_size, shrink_md_same_sizes.
 * Nothing here prints. */
#ifndef RC_SHRINK_MD_H
#define RC_SHRINK_MD_H
#include "lock.h"
#include "shrink.h"

/* The facts one member partition's new size is made from. */
struct shrink_md_geom {
	uint32_t sector_size;   /* the disk's logical sector, bytes */
	uint64_t start, size;   /* the member partition now, sectors */
	uint64_t grain, align_offset;   /* libfdisk's, sectors */
	uint64_t data_offset;   /* md/dev-* /offset: 512-byte sectors */
	uint64_t used_bytes;    /* what the array uses of each member (component size) */
};
/* The member partition's new size in sectors: end+1 = start + data_offset
 * + used, rounded up to a whole sector and then aligned up to the grain;
 * at most the size it has (then nothing is freed). -ERANGE (exit hint 3)
 * when the partition is already too small for what the array uses,
 * -EINVAL for bad geometry. */
int shrink_md_member_size(const struct shrink_md_geom *g, uint64_t *new_size);
/* 1 when the N sizes are all equal (and N > 0), else 0. */
int shrink_md_same_sizes(const uint64_t *bytes, int n);

struct shrink_mdmember {
	char name[64];              /* kernel name: sda3 */
	char disk[PATH_MAX];        /* /dev/sda; "" for a whole-disk member (left as it is) */
	size_t partno;
	uint64_t data_offset;       /* 512-byte sectors */
	int dk;                     /* its disk in shrink_mdparts.dk; -1 whole disk */
	struct part_info pi;        /* the partition as it is */
	uint64_t new_size;          /* sectors of its disk, as planned */
	int rdev_todo;              /* its md size is still to be lowered (always, unless a re-run) */
	int part_todo;              /* its partition is still to be shrunk (always, unless a re-run) */
};
struct shrink_mddisk {
	char disk[PATH_MAX];        /* /dev/sda */
	struct part_disk *d;        /* open and locked until shrink_free */
	struct part_geom g;
	int member;                 /* its member in shrink_mdparts.m */
	char backup[PATH_MAX], restore[PATH_MAX + 64];
	struct shrink_new newp[SHRINK_MAX_NEW];
	int nnew;
	int kernel_step;            /* 1-based number of its tell-kernel step */
};
struct shrink_mdparts {
	int nm, nd;
	struct shrink_mdmember m[SHRINK_MD_MEMBERS];
	struct shrink_mddisk dk[SHRINK_MD_MEMBERS];
	uint64_t rdev_kib;          /* each member's new md/dev-* /size (KiB) */
	struct devlock lock;        /* the array node */
	int raid;                   /* --new: one new RAID1 per --new (0: --new-plain) */
	struct shrink_new arr[SHRINK_MAX_NEW];   /* each new array: node /dev/mdN, made
						    once mkfs'd; pi is disk 0's partition */
	int created[SHRINK_MAX_NEW];             /* mdadm --create succeeded */
	int left;                   /* a re-run (s->already): members with a step left */
};

/* Plan the members and --new of an md root (see above); s->mp is set. */
int shrink_md_plan(struct shrink *s);
/* The member steps (after mdadm --grow), and the --new steps (after the
 * verify step). */
int shrink_md_add_steps(struct shrink *s);
int shrink_md_add_new_steps(struct shrink *s);
/* The manual steps for a metadata 0.90 / 1.0 array (superblock at the end
 * of each member) into BUF: what is safe by hand. Returns BUF. */
const char *shrink_md_end_sb_recipe(const char *dev, const struct shrink_md *md, char *buf, size_t sz);
/* Unlock and close the member disks and the array node; free s->mp. */
void shrink_md_free(struct shrink *s);

#endif
