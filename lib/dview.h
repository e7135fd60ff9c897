/* The installed system as one tree of paths, whichever of its filesystems
 * a path lives on: doctor reads /boot/grub/grub.cfg the same way whether
 * /boot is a directory of the root, a separate ext4 read offline, or a
 * filesystem mount-root mounted under --root.
 *
 * The root is the target (target.h). Local filesystems of the target's
 * fstab mounted below it (/boot, /var, /usr ...) are opened on first use:
 * the device the fstab spec names (devindex.h), through target_open, so
 * the same rules hold (offline ext4 read through libext2fs, a private
 * read-only mount for xfs/btrfs, an existing mount reused). Under --root a
 * mount point that is already a mount point is simply part of the tree.
 * A filesystem that cannot be opened (vfat, a missing disk) makes its
 * paths -ENODATA with the reason in dv_why(): callers say what they could
 * not read, they never treat it as absent.
 *
 * For --fix the view is opened writable (DV_RW): the root target is opened
 * with TARGET_RW (every safety check up front), as is each filesystem
 * opened later; dv_writable() turns the one holding a path read-write just
 * before the first write. Contract: 0 or -errno with a message. */
#ifndef RC_DVIEW_H
#define RC_DVIEW_H
#include <limits.h>
#include "target.h"
#include "devindex.h"
#include "rootfs.h"

#define DV_MAXFS 12
#define DV_RW 0x1

struct dv_fs {
	char mp[256];          /* "/" or the fstab mount point */
	char spec[256];        /* its fstab spec */
	struct target t;       /* when opened by us */
	int own;               /* t was opened here (closed by dv_close) */
	struct tree *tree;     /* the tree paths on it are read through (t's, or the root's) */
	int state;             /* 0 not tried, 1 open, -1 cannot be read (why) */
	char why[320];
};

struct dview {
	struct target *tg;     /* the root target; NULL for a bare directory (tests) */
	struct tree *bare;     /* that directory */
	unsigned flags;
	struct dv_fs fs[DV_MAXFS];
	int nfs;               /* fs[0] is the root */
	struct devindex dx;    /* devices of this machine (dv_devices) */
	int dx_loaded;
	struct devid root_id;  /* the root filesystem's device, when known */
	int root_known;
	struct fstab fstab;    /* the target's fstab (for the mount points) */
	int fstab_state;       /* 0 not read, 1 read, -1 unreadable */
	char why[320];         /* the last -ENODATA's reason */
};

/* A view over an opened target (kept; closed by the caller after dv_close). */
int dv_open(struct dview *v, struct target *tg, unsigned flags);
/* A view over a plain directory tree (unit tests; the devices are only
 * those added with dv_add_device, and no separate filesystem is opened). */
int dv_open_dir(struct dview *v, struct tree *t);
/* Close what the view opened (not the root target). 0 or the first error. */
int dv_close(struct dview *v);

/* The tree holding PATH and the path inside it (REL, at least PATH_MAX).
 * -ENODATA when the filesystem holding it cannot be read (dv_why). */
int dv_locate(struct dview *v, const char *path, struct tree **t, char *rel);
const char *dv_why(const struct dview *v);
/* Make the filesystem holding PATH writable (target_writable), and re-locate. */
int dv_writable(struct dview *v, const char *path, struct tree **t, char *rel);

/* The usual reads, through dv_locate. dv_meta (with the SELinux label),
 * dv_readlink, dv_pread and dv_tail say -ENOENT, without a message, for a
 * path that is absent or goes through something that is not a directory. */
int dv_read(struct dview *v, const char *path, char **buf, size_t *len, size_t max);
int dv_meta(struct dview *v, const char *path, int follow, struct tree_stat *m);
int dv_readlink(struct dview *v, const char *path, char *buf, size_t sz);
int dv_list(struct dview *v, const char *path, char ***names, size_t *n);
int dv_pread(struct dview *v, const char *path, uint64_t off, void *buf, size_t len, size_t *got);
int dv_tail(struct dview *v, const char *path, size_t max, char **buf, size_t *len, int *cut);
/* The mount point MP itself: the directory in the filesystem above it
 * (dv_meta would look at the root of the filesystem mounted there). */
int dv_meta_mountpoint(struct dview *v, const char *mp, struct tree_stat *m);
/* Does PATH exist (links followed)? 1, 0, or -ENODATA/-errno. */
int dv_exists(struct dview *v, const char *path);

/* The machine's devices (loaded on first use, plus the target's own). */
struct devindex *dv_devices(struct dview *v);
int dv_add_device(struct dview *v, const struct devid *id);
/* The target's fstab, parsed (NULL when it cannot be read). */
const struct fstab *dv_fstab(struct dview *v);
/* The mount point of the filesystem holding PATH per fstab ("/" if none). */
const char *dv_mountpoint_of(struct dview *v, const char *path, char *buf, size_t sz);
/* Free space of the filesystem holding PATH. */
int dv_space(struct dview *v, const char *path, struct tree_space *s, char *dev, size_t dsz);
/* The device holding PATH's filesystem ("" when not known). */
const char *dv_device_of(struct dview *v, const char *path);
/* Is that filesystem mounted (its superblock then says "in use")? */
int dv_mounted(struct dview *v, const char *path);

#endif
