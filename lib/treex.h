/* What doctor needs from a root tree beyond lib/tree.h: a file's whole
 * metadata with its SELinux label, a symbolic link's target, reads of a
 * range (the tail of a log, an initramfs walked in pieces), free space,
 * and -- on a writable directory tree only -- owner, mode and label
 * changes, symbolic links and empty directories made and removed.
 *
 * A struct tx wraps a struct tree. On a directory tree (--root, or the
 * private read-write mount target_writable makes) paths are resolved
 * inside the tree: openat2(RESOLVE_IN_ROOT) where the kernel has it (5.6+),
 * else a walk that follows links inside the tree the way tree.c does. On
 * an unmounted ext2/3/4 the same reads go through a read-only libext2fs
 * handle of its own (lib/ext4x.c): no mount, no byte written.
 *
 * Every change is one syscall on an fd opened without following a final
 * link (fchown, fchmod, fsetxattr, symlinkat, unlinkat), followed by an
 * fsync of the file or its directory: each is atomic on its own, which is
 * what the doctor journal builds on. Contract: 0 or -errno with a recorded
 * message; -ENOENT for an absent path without one. Nothing here prints. */
#ifndef RC_TREEX_H
#define RC_TREEX_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "tree.h"

#define TX_LABEL_MAX 256

struct tx {
	struct tree *t;
	char dev[4096];   /* the device of an offline ext4 tree ("" otherwise) */
	void *e2;         /* its libext2fs handle, opened on first use */
};

struct tx_meta {
	char type;        /* 'f' 'd' 'l' 'o', as tree_stat */
	mode_t mode;      /* permission bits */
	uid_t uid;
	gid_t gid;
	uint64_t size;
	int has_label;    /* security.selinux is set */
	size_t label_len;
	char label[TX_LABEL_MAX];  /* its raw bytes (usually with a final NUL) */
};

/* Wrap T. DEV names the device when T is an unmounted ext4 (TREE_EXT4). */
void tx_init(struct tx *x, struct tree *t, const char *dev);
/* Let go of the libext2fs handle (the tree itself stays open). */
void tx_done(struct tx *x);

/* Metadata of PATH; FOLLOW follows a final symbolic link. */
int tx_meta(struct tx *x, const char *path, int follow, struct tx_meta *m);
/* Target of the symbolic link PATH (NUL-terminated). -EINVAL if not a link. */
int tx_readlink(struct tx *x, const char *path, char *buf, size_t sz);
/* Up to LEN bytes of regular file PATH (links followed) from OFF; *GOT
 * says how many (0 at the end). */
int tx_pread(struct tx *x, const char *path, uint64_t off, void *buf, size_t len, size_t *got);
/* The last MAX bytes of PATH (all of a smaller file): *BUF malloc'd and
 * NUL-terminated; *CUT is 1 when the file was longer. */
int tx_read_tail(struct tx *x, const char *path, size_t max, char **buf, size_t *len, int *cut);
/* Size and free bytes (the root's reserve counted as free) and inodes of
 * the filesystem holding directory PATH of the tree. */
struct tx_space { uint64_t size, avail, files, ffree; };
int tx_space(struct tx *x, const char *path, struct tx_space *s);

/* ---- changes: directory trees opened read-write only -------------------- */

/* Set owner and mode of PATH (never through a final link); UID/GID
 * (uid_t)-1 keep theirs. Owner first: a chown clears set-id bits. */
int tx_set_owner_mode(struct tx *x, const char *path, uid_t uid, gid_t gid, mode_t mode);
/* Set (LEN > 0) or remove (LABEL NULL) security.selinux of PATH. */
int tx_set_label(struct tx *x, const char *path, const char *label, size_t len);
/* Make a symbolic link PATH -> TARGET (EEXIST if PATH exists). */
int tx_symlink(struct tx *x, const char *target, const char *path);
/* Remove an empty directory. */
int tx_rmdir(struct tx *x, const char *path);
/* Remove a symbolic link (or file) PATH. */
int tx_unlink(struct tx *x, const char *path);

/* ---- offline ext2/3/4 (lib/ext4x.c, the only other user of libext2fs) ---- */
int ext4x_meta(struct tx *x, const char *path, int follow, struct tx_meta *m);
int ext4x_readlink(struct tx *x, const char *path, char *buf, size_t sz);
int ext4x_pread(struct tx *x, const char *path, uint64_t off, void *buf, size_t len, size_t *got);
int ext4x_space(struct tx *x, struct tx_space *s);
void ext4x_close(struct tx *x);

#endif
