/* A private mount: the installed system's filesystem mounted by the rescue
 * kernel where no other process can see or use it.
 *
 * Why: every edit rescuectl makes (temp file, fsync, rename, directory
 * fsync) then goes through the kernel's journal, so at any instant — a
 * SIGKILL, a power cut — each file is wholly old or wholly new and the
 * filesystem is consistent after the usual journal replay. libext2fs has
 * no journal; its in-place rewrites could be cut half-way.
 *
 * How: a detached mount (fsopen/fsmount, Linux 5.2+) that is in no mount
 * table at all; on older kernels a mount in a new mount namespace of this
 * process, detached (MNT_DETACH) as soon as its root is open. Either way
 * only the returned fd reaches the filesystem, and the kernel unmounts it
 * cleanly when the last fd closes — also when the process is killed.
 *
 * Contract: 0 or -errno with a recorded message (the kernel's own words
 * where it gives them); never prints. The caller checks beforehand that
 * nothing else uses the device (mountinfo.h dev_busy) and holds its lock
 * (lock.h). */
#ifndef RC_PMOUNT_H
#define RC_PMOUNT_H

/* Mount block device DEV (FSTYPE) and return an O_DIRECTORY fd of its root
 * in *ROOTFD. RW=0 mounts read-only. DATA: comma-separated filesystem
 * options ("errors=remount-ro", "subvol=root", "norecovery"), may be NULL.
 * Always nosuid, nodev, noexec, noatime. */
int pmount_open(const char *dev, const char *fstype, int rw, const char *data, int *rootfd);

#endif
