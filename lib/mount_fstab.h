/* The target's fstab as mount-root mounts it: which entries (local block
 * filesystems only), which device each spec names (UUID=, LABEL=,
 * PARTUUID=, PARTLABEL=, /dev/...; probed once, through the probe cache
 * detect filled), and the mount(2) call each becomes.
 *
 * Contract: never prints, records no message; what is not mounted is said
 * in WHY for mount-root's table. */
#ifndef RC_MOUNT_FSTAB_H
#define RC_MOUNT_FSTAB_H
#include <limits.h>
#include <sys/types.h>
#include "mountinfo.h"
#include "probe.h"
#include "rootfs.h"

/* Should mount-root mount this fstab entry? 1 = yes; 0 = no, with the reason. */
int fstab_entry_mountable(const struct fstab_entry *e, char *why, size_t wsz);

/* The block devices fstab specs are looked up in: scanned on first use,
 * each probed at most once through PROBES (detect's cache). */
struct fstab_devs {
	struct probe_cache *probes;
	struct blkdevs bs;
	struct devid *ids;         /* per bs.d[i]; path "" when not probed */
	int loaded;
};
void fstab_devs_free(struct fstab_devs *fd);

/* An fstab entry as a mount(2) call. */
struct fstab_mount {
	char source[PATH_MAX];     /* the device (as far as it was resolved) */
	char fstype[32];           /* fstab's type, "auto" and ext2/3/4 replaced by the probed one */
	unsigned long flags;
	char data[256];
	dev_t dev;                 /* the device's number: what "already mounted" compares */
};
enum fstab_verdict { FSTAB_MOUNT = 1, FSTAB_SKIP, FSTAB_FAIL };
/* Turn entry E into M. FSTAB_SKIP: not mounted on purpose (swap, network,
 * noauto ...); FSTAB_FAIL: it should be but cannot be (no such device,
 * several, a type that does not match, the rescue system's own device:
 * mounted by MS outside TARGET). ROOTDEV breaks ties between cloned disks;
 * READ_ONLY adds the no-replay options. WHY says why not. */
enum fstab_verdict fstab_mount_of(struct fstab_devs *fd, const struct fstab_entry *e, const char *rootdev,
				  const struct mounts *ms, const char *target, int read_only,
				  struct fstab_mount *m, char *why, size_t wsz);

/* E's entries other than "/" in mount order: by path length, so a parent
 * comes before its children (for the same length, in file order). A
 * calloc'ed array of N pointers into F, or NULL. */
const struct fstab_entry **fstab_mount_order(const struct fstab *f, size_t *n);

#endif
