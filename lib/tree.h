/* A root tree to read and edit: either a mounted directory (paths resolved
 * inside it by chase.h, never escaping through symbolic links) or an
 * unmounted ext2/3/4 filesystem read offline through libext2fs (no mount,
 * no journal replay). Every path is absolute within the tree ("/etc/shadow").
 *
 * Reads exist on both: metadata (with the SELinux label on request), whole
 * files, ranges and tails of files, link targets, directory listings and
 * free space.
 *
 * Writes exist only on directory trees opened read-write, and every one is
 * atomic and durable on its own: a file's new content is written beside the
 * old, its attributes copied, fsync'ed, renamed over it and the directory
 * fsync'ed; an owner, mode or label change is one fchown/fchmod/fsetxattr
 * on an fd opened without following a final link, then fsync'ed; a link or
 * directory made or removed is one syscall, then the directory fsync'ed.
 * On a journalling filesystem that means at any instant, crash or SIGKILL,
 * each file is wholly old or wholly new, and each attribute old or new. An
 * unmounted ext4 is written through a private kernel mount (target.h),
 * never through libext2fs. Contract: 0 or -errno with a recorded message;
 * -ENOENT for an absent path without one. */
#ifndef RC_TREE_H
#define RC_TREE_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct tree;

enum tree_kind { TREE_DIR = 1, TREE_EXT4 = 2 };

/* tree_stat's flags. FOLLOW is 1, so a plain 0/1 "follow" reads the same. */
#define TREE_FOLLOW 0x1   /* follow a final symbolic link (inside the tree) */
#define TREE_LABEL  0x2   /* also read the SELinux label (security.selinux) */

#define TREE_LABEL_MAX 256

struct tree_stat {
	char type;      /* 'f' file, 'd' directory, 'l' symlink, 'o' other */
	mode_t mode;    /* permission bits */
	uid_t uid;
	gid_t gid;
	uint64_t size;
	/* With TREE_LABEL (links carry none that matters: left unset). */
	int has_label;  /* security.selinux is set */
	size_t label_len;
	char label[TREE_LABEL_MAX];  /* its raw bytes (usually with a final NUL) */
};

/* tree_space: size and free bytes (the root's reserve counted as free) and
 * inodes of the filesystem. */
struct tree_space { uint64_t size, avail, files, ffree; };

/* Flags reported by tree_replace(). */
#define TREE_LABEL_LOST 0x1  /* security.selinux could not be carried over */

/* Open a mounted tree. RW=0 refuses every write. */
int tree_open_dir(const char *dir, int rw, struct tree **out);
/* Open the mounted tree whose root directory is DIRFD (taken over: closed
 * by tree_close). DESC names it in messages. */
int tree_open_dirfd(int dirfd, int rw, const char *desc, struct tree **out);
/* Open an unmounted ext2/3/4 filesystem (block device or image file), read
 * only. */
int tree_open_ext4(const char *dev, struct tree **out);
/* Take the target's own password-file lock, as its shadow-utils and
 * glibc's lckpwdf(3) do: a write lock (fcntl) on /etc/.pwd.lock inside the
 * tree, created 0600 if missing, waiting up to 15 s as lckpwdf does. Held
 * until tree_close. A no-op on a read-only tree. */
int tree_lock_passwd(struct tree *t);
/* Close; for ext4 this flushes and reports a failing flush. */
int tree_close(struct tree *t);

enum tree_kind tree_kind(const struct tree *t);
/* Was the tree opened for writing? */
int tree_writable(const struct tree *t);
const char *tree_desc(const struct tree *t);
/* The underlying directory fd (TREE_DIR) or NULL-ish -1. */
int tree_dirfd(const struct tree *t);

/* FLAGS: TREE_FOLLOW, TREE_LABEL. -ENOENT if absent (-ENOTDIR when a
 * component on the way is not a directory). On a directory tree no
 * failure of tree_stat records a message: its callers word it. */
int tree_stat(struct tree *t, const char *path, unsigned flags, struct tree_stat *st);
/* Read a whole regular file (symlinks followed inside the tree). *buf is
 * NUL-terminated (not counted in *len). Larger than MAX: -EFBIG. */
int tree_read(struct tree *t, const char *path, char **buf, size_t *len, size_t max);
/* Up to LEN bytes of regular file PATH (links followed) from OFF; *GOT
 * says how many (0 at the end). */
int tree_pread(struct tree *t, const char *path, uint64_t off, void *buf, size_t len, size_t *got);
/* The last MAX bytes of PATH (all of a smaller file): *BUF malloc'd and
 * NUL-terminated; *CUT is 1 when the file was longer. */
int tree_read_tail(struct tree *t, const char *path, size_t max, char **buf, size_t *len, int *cut);
/* Target of the symbolic link PATH (NUL-terminated). -EINVAL if not a link. */
int tree_readlink(struct tree *t, const char *path, char *buf, size_t sz);
/* Size and free space of the filesystem holding directory PATH. */
int tree_space(struct tree *t, const char *path, struct tree_space *s);
/* Sorted names in directory PATH (no . and ..). Free with tree_free_list. */
int tree_list(struct tree *t, const char *path, char ***names, size_t *n);
void tree_free_list(char **names, size_t n);

/* ---- writes: directory trees opened read-write only ---------------------- */

/* Replace the content of an existing regular file, keeping owner, group,
 * mode and extended attributes (security.selinux among them; one that
 * cannot be set is reported in *FLAGS). With BACKUP (a path), the old
 * content is first saved there the same way (a new file renamed over the
 * old backup), so the backup too is wholly old or wholly new. A symbolic
 * link at PATH or BACKUP is refused: it must not redirect the edit. */
int tree_replace(struct tree *t, const char *path, const char *data, size_t len,
		 const char *backup, unsigned *flags);
/* Create a new regular file (EEXIST if there is one, unless REPLACE). */
int tree_create(struct tree *t, const char *path, const char *data, size_t len,
		mode_t mode, uid_t uid, gid_t gid, int replace);
/* Remove a file or symbolic link (never what it points at). */
int tree_unlink(struct tree *t, const char *path);
/* Create directory PATH (its parent must exist); EEXIST if there is one. */
int tree_mkdir(struct tree *t, const char *path, mode_t mode, uid_t uid, gid_t gid);
/* Remove the empty directory PATH. */
int tree_rmdir(struct tree *t, const char *path);
/* Make a symbolic link PATH -> TARGET (EEXIST if PATH exists). */
int tree_symlink(struct tree *t, const char *target, const char *path);
/* Set owner and mode of PATH (a final link refused: exit hint 3); UID/GID
 * (uid_t)-1 keep theirs. Owner first: a chown clears set-id bits. */
int tree_set_owner_mode(struct tree *t, const char *path, uid_t uid, gid_t gid, mode_t mode);
/* Set (LABEL, LEN) or remove (LABEL NULL) security.selinux of PATH. */
int tree_set_label(struct tree *t, const char *path, const char *label, size_t len);

#endif
