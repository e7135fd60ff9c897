/* Mounting the installed system for a chroot (mount-root) and taking it
 * down again (umount-root). */
#ifndef RC_MOUNT_H
#define RC_MOUNT_H
#include <limits.h>
#include <stddef.h>
#include "rootfs.h"
#include "chase.h"
#include "mount_opts.h"

/* One mount mount-root made, found made, planned or could not make. */
enum mr_status {
	MR_MOUNTED = 0,   /* mounted now */
	MR_ALREADY,       /* was already mounted there: nothing done */
	MR_PLANNED,       /* --dry-run: would mount */
	MR_SKIPPED,       /* an fstab entry that is not mounted on purpose */
	MR_FAILED,        /* a submount that failed: a warning, not a failure */
};
const char *mr_status_name(enum mr_status s);

struct mr_step {
	char what[8];            /* "root", "fstab", "api" */
	char source[PATH_MAX];   /* /dev/sda2, or proc/sysfs/... for API filesystems */
	char spec[256];          /* the fstab spec (UUID=...), for fstab entries */
	char path[PATH_MAX];     /* the mount point inside the target: /boot */
	char where[PATH_MAX];    /* the mount point in the rescue system: /mnt/boot */
	char fstype[32];
	char opts[256];          /* options given to mount(2) */
	enum mr_status status;
	char reason[320];        /* why skipped or failed */
};

struct mr_opts {
	const char *device;      /* NULL: found as detect-root finds it */
	const char *target;      /* NULL: /mnt */
	int read_only;           /* no journal replay: ro,noload / ro,norecovery / ro,nologreplay */
	int no_fstab;            /* only the root */
	int no_bind;             /* no proc, sys, dev, run */
	int dry_run;             /* plan only */
};

struct mr_result {
	struct mr_step *s;
	size_t n;
	char target[PATH_MAX];   /* canonical target directory */
	char device[PATH_MAX];   /* the root's block device (the loop device for an image) */
	char image[PATH_MAX];    /* the image file DEVICE named, when a loop device was used */
	char fstype[32];
	char subvol[128];        /* btrfs subvolume of the root */
	struct osrel os;
	char shell[32];          /* /bin/bash, or /bin/sh when the target has no bash */
	int loop_attached;       /* a loop device was attached (autoclear) this run */
};

/* Mount the root on the target, then (unless no_fstab) its fstab's local
 * block filesystems in path-length order, then (unless no_bind) proc, sys,
 * efivarfs, dev, dev/pts, dev/shm and run. The root failing is a failure
 * and leaves nothing mounted; a submount failing is a step with MR_FAILED.
 * Idempotent: what is mounted already is reported MR_ALREADY. */
int mount_root(const struct mr_opts *o, struct mr_result *r);
void mr_result_free(struct mr_result *r);

/* umount-root. */
struct ur_holder {
	int pid;
	char comm[32];
	char how[80];            /* "cwd", "root", "fd 3", "mapped /mnt/usr/lib/x.so" */
	char path[PATH_MAX];
};
enum ur_status { UR_UNMOUNTED = 0, UR_LAZY, UR_BUSY, UR_PLANNED };
struct ur_mount {
	char target[PATH_MAX];
	char fstype[32];
	char source[PATH_MAX];
	enum ur_status status;
	int err;                 /* errno of the failed umount */
	struct ur_holder *h;
	size_t nh;
};
struct ur_result {
	char target[PATH_MAX];
	struct ur_mount *m;
	size_t n;
	size_t remaining;        /* still mounted at the end (lazy detaches don't count) */
	size_t foreign;          /* mounts below a target that is no mount point: left alone */
};
/* Unmount everything at and under TARGET, deepest first, when TARGET is a
 * mount point (otherwise nothing: mounts below it are not mount-root's and
 * are only counted in FOREIGN). Busy mounts are
 * named with the processes holding them; with LAZY they are detached
 * (MNT_DETACH) after a normal unmount failed. */
int umount_root(const char *target, int lazy, int dry_run, struct ur_result *r);
void ur_result_free(struct ur_result *r);

/* ---- pure helpers (unit-tested) ---------------------------------------- */

/* Should mount-root mount this fstab entry? 1 = yes; 0 = no, with the reason. */
int fstab_entry_mountable(const struct fstab_entry *e, char *why, size_t wsz);
/* Order mount points for unmounting: deepest first, and for the same path
 * the one mounted last (higher index) first. Sorts IDX[0..N) by PATHS. */
void umount_order(const char *const *paths, size_t *idx, size_t n);

#endif
