/* The installed system an applet works on, named the same way everywhere:
 * DEVICE (block device or image file), --root DIR, or found as detect-root
 * finds it.
 *
 * Reading an unmounted ext2/3/4 goes through libext2fs: no mount, no
 * journal replay, no byte written. Writing (TARGET_RW) an unmounted
 * filesystem goes through a private kernel mount (pmount.h) so that the
 * kernel's journal makes every edit crash-safe, and only after:
 *   - the device's whole disk, or the image file, is locked (lock.h);
 *   - nothing else uses it: not mounted in any mount namespace, no swap,
 *     no md/dm holder, no other loop device on the same image, no other
 *     exclusive opener (mountinfo.h dev_busy);
 *   - an ext4 has no journal awaiting recovery and no errors recorded.
 * A device the rescue system already has mounted is edited through that
 * mount. Contract: 0 or -errno with a recorded message and exit hint. */
#ifndef RC_TARGET_H
#define RC_TARGET_H
#include <limits.h>
#include "tree.h"
#include "probe.h"
#include "lock.h"

#define TARGET_RW        0x1  /* will write: refuse read-only trees */

struct target {
	struct tree *tree;
	char device[PATH_MAX];     /* "" for --root */
	char fstype[32];
	char root[PATH_MAX];       /* the directory, for --root or an existing mount */
	int via;                   /* how the tree is reached: */
#define TARGET_VIA_DIR     1   /* --root DIR */
#define TARGET_VIA_OFFLINE 2   /* unmounted ext2/3/4 read through libext2fs */
#define TARGET_VIA_MOUNTED 3   /* DEVICE already mounted: use that mount */
#define TARGET_VIA_PRIVATE 4   /* a private kernel mount of our own (pmount.h) */
	struct devid id;
	struct devlock lock;       /* held while the target is open for writing */
	char loopdev[32];          /* a loop device we attached for an image file */
	int want_rw;               /* opened with TARGET_RW: target_writable may mount it */
	char subvol[128];          /* btrfs subvolume of the root */
};

/* Open the target. DEVICE and ROOTDIR may both be NULL: then exactly one
 * root must be found (exit hints 4 none, 5 several, with the list in the
 * message). With TARGET_RW every check a write needs is made here, yet the
 * tree of an unmounted device is still read-only: plan from it, then call
 * target_writable to commit. A directory or an existing mount is writable
 * at once. */
int target_open(const char *device, const char *rootdir, unsigned flags, struct target *t);
/* Make the tree writable: for an unmounted device the read-only view is
 * replaced by a private read-write kernel mount (the first write to the
 * disk: the mount itself). Re-read what the plan was made from and compare
 * before writing. 0, or -errno with a message. */
int target_writable(struct target *t);
/* Close the tree (flush for offline ext4) and unmount a temporary mount. */
int target_close(struct target *t);
/* "/dev/sda3 (ext4, offline)" */
const char *target_describe(const struct target *t, char *buf, size_t sz);

#endif
