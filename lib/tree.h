/* A root tree to read and edit: either a mounted directory (paths resolved
 * inside it, never escaping through symbolic links) or an unmounted ext2/3/4
 * filesystem edited offline through libext2fs. Every path is absolute within
 * the tree ("/etc/shadow"). */
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
/* Open an unmounted ext2/3/4 filesystem (block device or image file).
 * RW=1 refuses (exit hint 3) when the journal needs recovery. */
int tree_open_ext4(const char *dev, int rw, struct tree **out);
/* Close; for ext4 this flushes and reports a failing flush. */
int tree_close(struct tree *t);

enum tree_kind tree_kind(const struct tree *t);
const char *tree_desc(const struct tree *t);
/* The underlying directory fd (TREE_DIR) or NULL-ish -1. */
int tree_dirfd(const struct tree *t);

/* FOLLOW=1 follows a final symbolic link (inside the tree). -ENOENT if absent. */
int tree_stat(struct tree *t, const char *path, int follow, struct tree_stat *st);
/* Read a whole regular file (symlinks followed inside the tree). *buf is
 * NUL-terminated (not counted in *len). Larger than MAX: -EFBIG. */
int tree_read(struct tree *t, const char *path, char **buf, size_t *len, size_t max);
/* Replace the content of an existing regular file, keeping owner, group,
 * mode and extended attributes. With BACKUP (a path), the old content is
 * first saved there with the same attributes. TREE_DIR: temp file, fsync,
 * rename, fsync of the directory. TREE_EXT4: the inode is rewritten in place.
 * A symbolic link at PATH is refused: it must not redirect the edit. */
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
