/* What the running (rescue) system has mounted and uses. */
#ifndef RC_MOUNTINFO_H
#define RC_MOUNTINFO_H
#include <stddef.h>
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

/* Is PATH (a block device or an image file) mounted or used as swap by the
 * running system, directly or through a loop device? Fills WHERE with the
 * first mount point ("[swap]" for swap). 1 = in use, 0 = not, <0 error. */
int dev_in_use(const char *path, char *where, size_t wsz);

#endif
