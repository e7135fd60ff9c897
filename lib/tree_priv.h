/* Backend interface behind tree.h. */
#ifndef RC_TREE_PRIV_H
#define RC_TREE_PRIV_H
#include "tree.h"

struct tree_ops {
	int (*stat)(struct tree *t, const char *path, int follow, struct tree_stat *st);
	int (*read)(struct tree *t, const char *path, char **buf, size_t *len, size_t max);
	int (*replace)(struct tree *t, const char *path, const char *data, size_t len,
		       const char *backup, unsigned *flags);
	int (*create)(struct tree *t, const char *path, const char *data, size_t len,
		      mode_t mode, uid_t uid, gid_t gid, int replace);
	int (*unlink)(struct tree *t, const char *path);
	int (*mkdir)(struct tree *t, const char *path, mode_t mode, uid_t uid, gid_t gid);
	int (*list)(struct tree *t, const char *path, char ***names, size_t *n);
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

int tree_ext4_open(const char *dev, struct tree **out);

#endif
