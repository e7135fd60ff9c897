/* A root tree to read and edit: either a mounted directory (paths resolved
 * inside it, never escaping through symbolic links) or an unmounted ext2/3/4
 * filesystem read offline through libext2fs (no mount, no journal replay).
 * Every path is absolute within the tree ("/etc/shadow").
 *
 * Writes exist only on directory trees, and every one is atomic and durable
 * on its own: a new file is written beside the old, fsync'ed, renamed over
 * it and the directory fsync'ed. On a journalling filesystem that means at
 * any instant, crash or SIGKILL, each file is wholly old or wholly new. An
 * unmounted ext4 is written through a private kernel mount (target.h), never
 * through libext2fs. Contract: 0 or -errno with a recorded message. */
#ifndef RC_TREE_H
#define RC_TREE_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct tree;

enum tree_kind { TREE_DIR = 1, TREE_EXT4 = 2 };

struct tree_stat {
	char type;      /* 'f' file, 'd' directory, 'l' symlink, 'o' other */
	mode_t mode;    /* permission bits */
	uid_t uid;
	gid_t gid;
	uint64_t size;
};

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

/* FOLLOW=1 follows a final symbolic link (inside the tree). -ENOENT if absent. */
int tree_stat(struct tree *t, const char *path, int follow, struct tree_stat *st);
/* Read a whole regular file (symlinks followed inside the tree). *buf is
 * NUL-terminated (not counted in *len). Larger than MAX: -EFBIG. */
int tree_read(struct tree *t, const char *path, char **buf, size_t *len, size_t max);
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
int tree_unlink(struct tree *t, const char *path);
/* Create directory PATH (its parent must exist); EEXIST if there is one. */
int tree_mkdir(struct tree *t, const char *path, mode_t mode, uid_t uid, gid_t gid);
/* Sorted names in directory PATH (no . and ..). Free with tree_free_list. */
int tree_list(struct tree *t, const char *path, char ***names, size_t *n);
void tree_free_list(char **names, size_t n);

#endif
