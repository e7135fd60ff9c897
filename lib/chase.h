/* Resolving a path inside a root directory: the one resolver of rescuectl,
 * as systemd's chaseat() is systemd's.
 *
 * The path is walked one component at a time from an fd of the root
 * directory, each step an openat(O_PATH | O_NOFOLLOW) of a directory
 * checked with fstatat(AT_SYMLINK_NOFOLLOW) first, so nothing is ever
 * looked up through the rescue system's own tree:
 *  - ".." at the root stays at the root (as in a chroot);
 *  - by default symbolic links are followed *inside* the root: an absolute
 *    target starts again at the root, a relative one at the link's
 *    directory; after CHASE_MAX_LINKS links it is -ELOOP. This is
 *    RESOLVE_IN_ROOT's guarantee on any kernel (openat2 needs 5.6);
 *  - CHASE_NOFOLLOW_ANY follows no link at all: the first one is -ELOOP.
 *    Mount points use it: a target whose /boot is a link to /etc must make
 *    us mount over neither the rescue system's /etc nor its own.
 *
 * Contract: returns an fd (>= 0, O_CLOEXEC) or -errno, and records no
 * message (the caller words it); on -ELOOP, -ENOENT and -ENOTDIR
 * out->why names the component ("/boot -> /etc" for a link), out->name is
 * that component and out->path the directory it is in. Never prints.
 * Pure path helpers (path_under) live here too. */
#ifndef RC_CHASE_H
#define RC_CHASE_H
#include <limits.h>
#include <stddef.h>

#define CHASE_NOFOLLOW_ANY 0x01  /* follow no symbolic link anywhere: -ELOOP at the first one */
#define CHASE_NOFOLLOW     0x02  /* do not follow a final symbolic link (lstat semantics) */
#define CHASE_PARENT       0x04  /* stop at the last component's directory: the fd is that
				    directory and out->name the last component ("." for the
				    root itself), which need not exist; a final link is
				    followed unless CHASE_NOFOLLOW or CHASE_NOFOLLOW_ANY */
#define CHASE_NO_DOTDOT    0x08  /* refuse ".." (-EINVAL) */
#define CHASE_DIRECTORY    0x10  /* the result must be a directory (-ENOTDIR) */

#define CHASE_MAX_LINKS 40       /* as the kernel's MAXSYMLINKS */

struct chase_out {
	char name[NAME_MAX + 1];   /* CHASE_PARENT: the last component; on failure the one it is about */
	char path[PATH_MAX];       /* what the fd is, as a path inside the root with every link
				      resolved ("/" for the root; with CHASE_PARENT the directory) */
	char why[PATH_MAX + 64];   /* the component a failure is about: "/etc/x", "/boot -> /etc" */
};

/* Resolve PATH (absolute or not: both start at the root) inside the tree
 * whose root directory is ROOTFD. Without CHASE_PARENT the fd is an O_PATH
 * fd of what PATH names (of the link itself for a final link under
 * CHASE_NOFOLLOW). OUT may not be NULL. */
int chase(int rootfd, const char *path, unsigned flags, struct chase_out *out);

/* Is PATH equal to or below DIR, textually ("/mnt" covers "/mnt" and
 * "/mnt/boot", not "/mnt2"; "/" covers every absolute path)? */
int path_under(const char *path, const char *dir);

#endif
