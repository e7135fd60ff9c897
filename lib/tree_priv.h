/* Backend interface behind tree.h: the front end (tree.c) checks what is
 * common (a writable tree, the arguments) and calls one of these. A
 * backend leaves out what it cannot do (the ext4 backend: every write). */
#ifndef RC_TREE_PRIV_H
#define RC_TREE_PRIV_H
#include "tree.h"

struct tree_ops {
	/* reads */
	int (*stat)(struct tree *t, const char *path, unsigned flags, struct tree_stat *st);
	int (*read)(struct tree *t, const char *path, char **buf, size_t *len, size_t max);
	int (*pread)(struct tree *t, const char *path, uint64_t off, void *buf, size_t len, size_t *got);
	int (*readlink)(struct tree *t, const char *path, char *buf, size_t sz);
	int (*space)(struct tree *t, const char *path, struct tree_space *s);
	int (*list)(struct tree *t, const char *path, char ***names, size_t *n);
	/* writes */
	int (*replace)(struct tree *t, const char *path, const char *data, size_t len,
		       const char *backup, unsigned *flags);
	int (*create)(struct tree *t, const char *path, const char *data, size_t len,
		      mode_t mode, uid_t uid, gid_t gid, int replace);
	int (*unlink)(struct tree *t, const char *path);
	int (*mkdir)(struct tree *t, const char *path, mode_t mode, uid_t uid, gid_t gid);
	int (*rmdir)(struct tree *t, const char *path);
	int (*symlink)(struct tree *t, const char *target, const char *path);
	int (*owner_mode)(struct tree *t, const char *path, uid_t uid, gid_t gid, mode_t mode);
	int (*label)(struct tree *t, const char *path, const char *label, size_t len);
	int (*close)(struct tree *t);
};

struct tree {
	const struct tree_ops *ops;
	enum tree_kind kind;
	int rw;
	int dirfd;
	int lockfd;     /* /etc/.pwd.lock while tree_lock_passwd holds it, else -1 */
	void *priv;
	char desc[4200];
};

/* Split "/a/b/c" into "/a/b" and "c" (a static-size copy each). */
int tree_split(const char *path, char *dir, size_t dsz, char *base, size_t bsz);
int tree_sort_names(char **names, size_t n);
/* 'f' 'd' 'l' 'o' of a mode, as struct tree_stat has it. */
char tree_type_of(mode_t mode);

int tree_ext4_open(const char *dev, struct tree **out);

#endif
