/* The installed system an applet works on, named the same way everywhere:
 * DEVICE (block device or image file), --root DIR, or found as detect-root
 * finds it. */
#ifndef RC_TARGET_H
#define RC_TARGET_H
#include <limits.h>
#include "tree.h"
#include "probe.h"

#define TARGET_RW        0x1  /* will write: refuse read-only trees */
#define TARGET_NO_MOUNT  0x2  /* never make a temporary mount */

struct target {
	struct tree *tree;
	char device[PATH_MAX];     /* "" for --root */
	char fstype[32];
	char root[PATH_MAX];       /* the directory, for --root or a mount */
	char tmpmount[PATH_MAX];   /* our private temporary mount, if any */
	int via;                   /* how the tree is reached: */
#define TARGET_VIA_DIR     1   /* --root DIR */
#define TARGET_VIA_OFFLINE 2   /* unmounted ext2/3/4 through libext2fs */
#define TARGET_VIA_MOUNTED 3   /* DEVICE already mounted: use that mount */
#define TARGET_VIA_TMPMOUNT 4  /* private temporary mount (xfs, btrfs) */
	struct devid id;
};

/* Open the target. DEVICE and ROOTDIR may both be NULL: then exactly one
 * root must be found (exit hints 4 none, 5 several, with the list in the
 * message). */
int target_open(const char *device, const char *rootdir, unsigned flags, struct target *t);
/* Close the tree (flush for offline ext4) and unmount a temporary mount. */
int target_close(struct target *t);
/* "/dev/sda3 (ext4, offline)" */
const char *target_describe(const struct target *t, char *buf, size_t sz);

#endif
