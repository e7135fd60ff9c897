/* Mount options: an fstab option string split into mount(2) flags and the
 * filesystem's data, the options that keep a read-only mount from
 * replaying a journal, and the read-only mount that uses them (detect-root
 * looks into xfs and btrfs that way; mount-root --read-only mounts so).
 *
 * Below detect and mount-root: it needs nothing of rescuectl's. Contract:
 * 0 or -errno; the pure helpers record no message (their callers word
 * it). Never prints. */
#ifndef RC_MOUNT_OPTS_H
#define RC_MOUNT_OPTS_H
#include <stddef.h>

/* Where mount-root mounts the installed system unless told otherwise; a
 * device mounted at or below it is the installed system's, not the rescue
 * system's (detect.h). */
#define MOUNT_DEFAULT_TARGET "/mnt"

/* Split fstab options into mount(2) flags and the filesystem's data string;
 * userspace-only options (defaults, noauto, nofail, user, _netdev, x-*,
 * comment=...) are dropped. Returns 0, or -ENOSPC when DATA is too small. */
int mount_opts_parse(const char *opts, unsigned long *flags, char *data, size_t dsz);

/* The data options that keep FSTYPE from replaying a journal on a read-only
 * mount ("noload", "norecovery", "rescue=nologreplay"), or "". */
const char *mount_noreplay_opt(const char *fstype);

/* mount(2) read-only without replaying a journal: ext3/4 noload, xfs
 * norecovery, btrfs rescue=nologreplay (or nologreplay, kernels before 5.9).
 * EXTRA data options (subvol=...) are added. USED (may be NULL) gets the
 * data string that worked. Returns 0 or -errno (no message recorded). */
int mount_ro_noreplay(const char *src, const char *dir, const char *fstype, unsigned long flags,
		      const char *extra, char *used, size_t usz);

#endif
