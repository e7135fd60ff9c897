/* What mount(8) and the kernel's filesystem drivers accept in fstab:
 * filesystem types, and the options of ext2/3/4, xfs and btrfs, the three
 * drivers that refuse to mount with an option they do not know. The lists
 * are the union over kernel versions (an option one kernel dropped is not
 * flagged: the target's kernel may still have it), so an option found
 * unknown here is unknown to every kernel. Pure; nothing here prints. */
#ifndef RC_DOCTOR_FSOPTS_H
#define RC_DOCTOR_FSOPTS_H
#include <stddef.h>

/* Is OPT ("name" or "name=value") handled by mount(8)/libmount or the VFS
 * for every filesystem (ro, noatime, nofail, x-systemd.*, comment=...)? */
int fso_generic(const char *opt);
/* Does FSTYPE's driver accept OPT? 1 yes; 0 no, with WHY ("unknown
 * option", or the values it takes); -1 FSTYPE is not checked here. */
int fso_known(const char *fstype, const char *opt, char *why, size_t wsz);
/* A type the kernel or mount(8) knows without a module (proc, tmpfs,
 * nfs with its helper, swap, auto, fuse.*, none ...), or one of the
 * usual disk filesystems: 1; else 0 (then look for a module or helper). */
int fso_type_known(const char *type);
/* Is TYPE provided by a kernel module that registers the alias "fs-TYPE"
 * (ext4, xfs, vfat, nfs ...)? Core filesystems (tmpfs, proc) are not. */
int fso_modular(const char *type);

#endif
