/* Between mount-root's planning (mount.c) and its step kinds
 * (mount_steps.c). Not for applets. */
#ifndef RC_MOUNT_PRIV_H
#define RC_MOUNT_PRIV_H
#include "mount.h"
#include "mount_fstab.h"
#include "mountinfo.h"
#include "probe.h"
#include "tree.h"

struct mr_state {
	struct mounts ms;          /* the mount table, reloaded after each mount */
	int loopfd;                /* an image's loop device, until the root's mount holds it */
	int rootfd;                /* O_PATH fd of the target once the root is on it, else -1 */
	struct tree *view;         /* the root's tree (fstab, the shell), or NULL */
	struct probe_cache probes; /* detect's probes, reused for the fstab's specs */
	struct fstab_devs devs;
	int already;               /* the root was on the target before this run */
	int make_target;           /* the target directory is to be created */
};

/* Plan the fstab mounts (read from tree T; NULL: none) and the API mounts. */
int mr_plan_rest(struct mroot *m, struct tree *t);
/* The root fd of the mounted target, opened on first use. */
int mr_rootfd(struct mroot *m);

/* Step kinds (mount_steps.c): each adds its step, 0 or -errno. */
int mr_add_mkdir(struct mroot *m);
int mr_add_root(struct mroot *m, struct mr_mount *row);
int mr_add_private(struct mroot *m);
int mr_add_read_fstab(struct mroot *m);
/* A mount of an fstab or API row; a row the plan cannot hold fails. */
int mr_add_mount(struct mroot *m, struct mr_mount *row);
/* Dry run on a mounted root: would ROW be mounted, is it there already,
 * or would it fail? Sets its status (and reason). */
void mr_check(struct mroot *m, struct mr_mount *row);

#endif
