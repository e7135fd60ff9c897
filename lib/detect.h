/* Finding installed Linux roots without writing a byte. */
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
};

struct detect {
	struct cand *c;
	size_t n;
	size_t nroots;
	char hints[8][256];
	int nhints;
};

/* Scan DEVICES (NULL: every block device of the system) and inspect each
 * candidate read-only. TARGET_DIR is where the installed system may be
 * mounted already (mount-root's target, usually /mnt); devices mounted
 * elsewhere belong to the rescue system and are skipped. */
int detect_scan(char *const *devices, int ndev, const char *target_dir, struct detect *d);
void detect_free(struct detect *d);
/* Index of the only root, or -1 (then rc_msg says none or several). */
int detect_pick(const struct detect *d);

#endif
