/* umount-root: take down everything mounted at and under the target,
 * deepest first, and name who holds what stays busy (processes through
 * /proc/PID/cwd, root, exe, fd and maps; the kernel through a swap file or
 * a loop device's backing file). Contract: 0 or -errno with a message and
 * exit hint; never prints. */
#ifndef RC_UMOUNT_H
#define RC_UMOUNT_H
#include <limits.h>
#include <stddef.h>
#include "chase.h"
#include "mount_opts.h"

struct ur_holder {
	int pid;                 /* 0: the kernel */
	char comm[32];
	char how[80];            /* "cwd", "root", "fd 3", "mapped", "active swap (swapoff it)" */
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
 * mount point of a block-device filesystem (otherwise nothing: mounts below
 * it are not mount-root's and are only counted in FOREIGN). Busy mounts are
 * named with the processes holding them; with LAZY they are detached
 * (MNT_DETACH) after a normal unmount failed. */
int umount_root(const char *target, int lazy, int dry_run, struct ur_result *r);
void ur_result_free(struct ur_result *r);

/* Order mount points for unmounting: deepest first, and for the same path
 * the one mounted last (higher index) first. Sorts IDX[0..N) by PATHS. Pure. */
void umount_order(const char *const *paths, size_t *idx, size_t n);

#endif
