/* Finding installed Linux roots without writing a byte: the one way every
 * applet finds the root (detect-root, mount-root, fsck and every applet
 * that works on a target without a DEVICE, through target_open), with the
 * policy as an argument. Contract: 0 or -errno with a message and an exit
 * hint (err.h); never prints. */
#ifndef RC_DETECT_H
#define RC_DETECT_H
#include "probe.h"
#include "rootfs.h"

#define DETECT_MAX_EVIDENCE 8

struct cand {
	struct devid id;
	enum blk_kind kind;
	char skip[192];            /* why it is not a candidate ("" = inspected) */
	int member;                /* 1 raid member, 2 LVM PV, 3 LUKS */
	int assembled;             /* a member whose array/VG is active */
	struct rootinfo ri;
	int fstab_confirms;        /* its fstab's / entry names this device */
	char subvol[128];          /* btrfs subvolume holding the root */
	const char *sure;          /* "high", "medium", "low" */
	char evidence[DETECT_MAX_EVIDENCE][192];
	int nevidence;
	char via[24];              /* "libext2fs", "ro-mount", "mounted" */
	char mountpoint[4096];     /* when the rescue system has it mounted */
	int mounted_at_target;     /* mounted under the target here (a subvolume, say) */
};

struct detect {
	struct cand *c;
	size_t n;
	size_t nroots;
	char hints[8][256];
	int nhints;
	int scanned;               /* the scan itself worked (a pick may still fail) */
	struct probe_cache *probes;/* every device probed: the policy's cache, or OWN */
	struct probe_cache own;
};

enum detect_want {
	DETECT_ONE = 0,   /* exactly one root: none is exit 4, several exit 5 */
	DETECT_SOME,      /* one or more (detect-root --all): none is exit 4 */
};

/* How the caller wants the root found. Zeroed, it means: every block
 * device, the installed system may be mounted on MOUNT_DEFAULT_TARGET,
 * exactly one root, the message names the candidates and the first hint. */
struct detect_policy {
	char *const *devices;      /* only these DEVICEs (block devices or image files) */
	int ndev;                  /* 0: every block device of the system */
	const char *target_dir;    /* where the installed system may be mounted already; a
				      device mounted elsewhere is the rescue system's. NULL:
				      MOUNT_DEFAULT_TARGET */
	enum detect_want want;
	int explain;               /* one DEVICE named and it is no root: say why (a whole
				      disk, a member, a stale signature: exit 3; no root:
				      exit 4) instead of "no installed Linux root found" */
	int listed;                /* the caller shows the candidates and the hints itself:
				      the message names neither */
	struct probe_cache *probes;/* probe through this cache, and leave what was probed in
				      it for the caller (mount-root's fstab); NULL: D's own */
};

/* Scan as P says, inspect each candidate read-only, and pick the root:
 * 0 and *ROOT (pointing into D), or -errno with the message and exit hint.
 * D is filled either way, as far as the scan went (d->scanned says whether
 * it finished), and is freed with detect_free. */
int detect_find_root(const struct detect_policy *p, struct detect *d, const struct cand **root);
void detect_free(struct detect *d);

#endif
