/* What the running (rescue) system has mounted and uses. */
#ifndef RC_MOUNTINFO_H
#define RC_MOUNTINFO_H
#include <stddef.h>
#include <limits.h>
#include <sys/types.h>

struct mnt {
	int id, parent;
	dev_t dev;            /* st_dev of the mounted filesystem */
	char *root;           /* root of the mount within its filesystem */
	char *target;         /* mount point, unescaped */
	char *fstype;
	char *source;         /* e.g. /dev/sda3 */
	char *opts;           /* per-mount options */
	char *super_opts;     /* superblock options */
};

struct mounts {
	struct mnt *m;
	size_t n;
};

/* Parse mountinfo text (pure; unit-tested). */
int mountinfo_parse(const char *text, struct mounts *ms);
/* Load /proc/self/mountinfo. */
int mountinfo_load(struct mounts *ms);
void mountinfo_free(struct mounts *ms);
/* The mounts of block device DEV (by st_rdev), or NULL; iterate with *from. */
const struct mnt *mountinfo_by_dev(const struct mounts *ms, dev_t dev, size_t *from);
const struct mnt *mountinfo_by_target(const struct mounts *ms, const char *target);

/* Where a device is mounted: TARGET in this mount namespace (PID 0), or in
 * the namespace of process PID (COMM). */
struct mount_where {
	char target[PATH_MAX];
	pid_t pid;
	char comm[32];
};
/* Is block device DEV mounted in any mount namespace of the running system
 * (ours first, then one /proc/PID/mountinfo per other namespace)? 1 with W
 * filled, 0 not, -ENOMEM. */
int mountinfo_anywhere(dev_t dev, struct mount_where *w);

/* Every active swap area (/proc/swaps): FN gets its name (unescaped: a
 * swap file's path may hold spaces). How many there are. */
size_t swaps_each(void (*fn)(const char *name, void *ud), void *ud);
/* Active swap areas (/proc/swaps): up to MAX block devices into OUT; how many.
 * With PATH and PATH_USED, *PATH_USED says whether PATH (a swap file) is one. */
size_t swaps_list(dev_t *out, size_t max, const char *path, int *path_used);

/* How a device or image file is in use. */
enum busy_kind {
	BUSY_NONE = 0,
	BUSY_MOUNTED,   /* mounted (directly, a partition of it, or its loop device), WHERE says where */
	BUSY_SWAP,      /* active swap */
	BUSY_HOLDER,    /* held by md, dm (sysfs holders) */
	BUSY_LOOP,      /* an image attached to a loop device, or a loop device whose file has another */
	BUSY_EXCL,      /* opened exclusively by some program (O_EXCL fails with EBUSY) */
};
struct busy {
	enum busy_kind kind;
	struct mount_where where;  /* BUSY_MOUNTED */
	char dev[64];              /* the loop device involved, if any */
	char text[PATH_MAX + 256]; /* the whole reason, to follow "X is ": "mounted on /srv in ..." */
};
/* Is PATH (block device or image file) used in any way that writing behind
 * it would corrupt? Block devices: mounted in any namespace, swap, held by
 * md/dm, a partition of it so, another loop device on the same backing file,
 * or an exclusive open by another program. Image files: attached to any loop
 * device (mounted or not). 1 = busy (B says how), 0 = free, <0 error. */
int dev_busy(const char *path, struct busy *b);

/* The narrower question fsck and shrink-root ask: is PATH mounted anywhere
 * (or, for an image, through a loop device) or used as swap? WHERE gets the
 * mount point (in whichever namespace) or "[swap]". 1, 0, or <0. */
int dev_in_use(const char *path, char *where, size_t wsz);

#endif
