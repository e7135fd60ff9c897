/* mount-root: the installed system mounted on /mnt for a chroot -- the
 * root, its own fstab's local filesystems, proc, sys, dev and run -- as a
 * plan (plan.h) that is made first and then committed.
 *
 * mount_root_prepare() finds and checks everything and mounts nothing:
 * the root (DEVICE, or found as detect-root finds it, through
 * detect_find_root), the target (empty, or holding this very root
 * already), an image file's loop device (attached with autoclear, held
 * until the root's mount holds it). It leaves a table of rows (struct
 * mr_mount: what is mounted where, or skipped or refused, and why) and the
 * plan, in order:
 *   create the target (when missing) -> mount the root -> make it private
 *   -> read /etc/fstab -> one step per fstab mount, in path-length order ->
 *   proc, sys, efivarfs, dev, dev/pts, dev/shm, run
 * The fstab is read from the mounted root (after its journal is replayed),
 * so the step that reads it adds the fstab and API steps behind itself.
 * When the root is there already, or for --dry-run of an ext2/3/4 root
 * (read offline through libext2fs), the fstab is read while planning and
 * those steps are planned at once. Mount points are resolved inside the
 * target with chase(CHASE_NOFOLLOW_ANY) when each step runs, since
 * /boot/efi only exists once /boot is mounted.
 *
 * mount_root_commit() runs the plan. The steps up to the private root stop
 * the plan when they fail, and what they did is undone (the root is
 * unmounted, a target directory made for it removed, the loop device let
 * go): a failing root leaves nothing mounted. A submount that fails is a
 * step with PLAN_CONTINUE: its row says why, the commit succeeds. A second
 * run mounts nothing twice: what is mounted already is reported so.
 *
 * Contract: 0 or -errno with a message and exit hint (err.h); after a
 * failed commit plan_failure(m->plan) words it. Never prints. */
#ifndef RC_MOUNT_H
#define RC_MOUNT_H
#include <limits.h>
#include <stddef.h>
#include <sys/types.h>
#include "mount_opts.h"
#include "plan.h"
#include "rootfs.h"

/* What happened to one mount. */
enum mr_status {
	MR_MOUNTED = 0,   /* mounted now */
	MR_ALREADY,       /* was already mounted there: nothing done */
	MR_PLANNED,       /* --dry-run: would mount */
	MR_SKIPPED,       /* an fstab entry that is not mounted on purpose */
	MR_FAILED,        /* a submount that failed: a warning, not a failure */
};
const char *mr_status_name(enum mr_status s);

/* One row of mount-root's table. */
struct mr_mount {
	char what[8];            /* "root", "fstab", "api" */
	char source[PATH_MAX];   /* /dev/sda2, or proc/sysfs/... for API filesystems */
	char spec[256];          /* the fstab spec (UUID=...), for fstab entries */
	char path[PATH_MAX];     /* the mount point inside the target: /boot */
	char where[PATH_MAX];    /* the mount point in the rescue system: /mnt/boot */
	char fstype[32];
	char opts[256];          /* data given to mount(2) */
	enum mr_status status;
	char reason[320];        /* why skipped or failed; a note ("created the mount point") */
	unsigned long flags;     /* mount(2) flags */
	dev_t dev;               /* the device number it has once mounted; 0: an API fs (same type counts) */
	int step;                /* the plan step that mounts it (1-based), 0 none */
};

struct mr_opts {
	const char *device;      /* NULL: found as detect-root finds it */
	const char *target;      /* NULL: MOUNT_DEFAULT_TARGET */
	int read_only;           /* no journal replay: ro,noload / ro,norecovery / ro,nologreplay */
	int no_fstab;            /* only the root */
	int no_bind;             /* no proc, sys, dev, run */
	int dry_run;             /* plan only */
};

struct mr_state;             /* mount_priv.h */

struct mroot {
	struct mr_opts o;
	char target[PATH_MAX];   /* canonical target directory */
	char device[PATH_MAX];   /* the root's block device (the loop device for an image) */
	char image[PATH_MAX];    /* the image file DEVICE named, when a loop device was used */
	char fstype[32];
	char subvol[128];        /* btrfs subvolume of the root */
	struct osrel os;
	char shell[32];          /* /bin/bash, or /bin/sh when the target has no bash */
	int loop_attached;       /* a loop device was attached (autoclear) this run */
	int loop_found;          /* the image was on a loop device already */
	struct mr_mount **m;     /* the rows, in the table's order */
	size_t n;
	struct plan *plan;
	struct mr_state *x;
};

/* Plan (see above). *OUT is set whenever memory allows, also on failure;
 * free it with mount_root_free. 0, or -errno with a message and exit hint
 * (3 refused, 4 no root, 5 several). */
int mount_root_prepare(const struct mr_opts *o, struct mroot **out);
/* Commit the plan (HOOKS may be NULL). 0 also when submounts failed (their
 * rows say why); -errno when the root could not be mounted, and then
 * nothing is left mounted. */
int mount_root_commit(struct mroot *m, const struct plan_hooks *hooks);
/* Close what the plan held (the loop device goes with its mount, or away). */
void mount_root_free(struct mroot *m);

#endif
