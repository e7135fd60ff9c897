/* The tree front end (tree.h): what every backend shares, the checks made
 * before a backend is called, and what is built from its reads. The
 * backends: tree_dir.c (a mounted directory, paths through chase.h) and
 * ext4.c (an unmounted ext2/3/4, read only). */
#include "tree_priv.h"
#include "err.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int tree_split(const char *path, char *dir, size_t dsz, char *base, size_t bsz)
{
	size_t l = strlen(path);
	while (l > 1 && path[l - 1] == '/')
		l--;
	size_t s = l;
	while (s > 0 && path[s - 1] != '/')
		s--;
	if (s == l || l - s >= bsz)
		return -EINVAL;
	memcpy(base, path + s, l - s);
	base[l - s] = 0;
	size_t d = s;
	while (d > 1 && path[d - 1] == '/')
		d--;
	if (d == 0) {
		if (dsz < 2)
			return -ENAMETOOLONG;
		strcpy(dir, ".");
	} else {
		if (d >= dsz)
			return -ENAMETOOLONG;
		memcpy(dir, path, d);
		dir[d] = 0;
	}
	return 0;
}

static int cmpname(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int tree_sort_names(char **names, size_t n)
{
	if (n)
		qsort(names, n, sizeof(*names), cmpname);
	return 0;
}

void tree_free_list(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

char tree_type_of(mode_t mode)
{
	return S_ISREG(mode) ? 'f' : S_ISDIR(mode) ? 'd' : S_ISLNK(mode) ? 'l' : 'o';
}

/* ---- front end ---------------------------------------------------------- */

enum tree_kind tree_kind(const struct tree *t) { return t->kind; }
int tree_writable(const struct tree *t) { return t->rw; }
const char *tree_desc(const struct tree *t) { return t->desc; }
int tree_dirfd(const struct tree *t) { return t->kind == TREE_DIR ? t->dirfd : -1; }

int tree_stat(struct tree *t, const char *path, unsigned flags, struct tree_stat *st)
{
	memset(st, 0, sizeof(*st));
	return t->ops->stat(t, path, flags, st);
}

int tree_read(struct tree *t, const char *path, char **buf, size_t *len, size_t max)
{
	*buf = NULL;
	*len = 0;
	return t->ops->read(t, path, buf, len, max);
}

int tree_pread(struct tree *t, const char *path, uint64_t off, void *buf, size_t len, size_t *got)
{
	*got = 0;
	return t->ops->pread(t, path, off, buf, len, got);
}

int tree_read_tail(struct tree *t, const char *path, size_t max, char **buf, size_t *len, int *cut)
{
	struct tree_stat st;
	int r = tree_stat(t, path, TREE_FOLLOW, &st);
	if (r)
		return r;
	if (st.type != 'f')
		return rc_fail(EINVAL, "%s is not a regular file", path);
	uint64_t off = st.size > max ? st.size - max : 0;
	size_t want = (size_t)(st.size - off);
	char *b = malloc(want + 1);
	if (!b)
		return rc_fail(ENOMEM, "out of memory reading %s", path);
	if ((r = tree_pread(t, path, off, b, want, len))) {
		free(b);
		return r;
	}
	b[*len] = 0;
	*buf = b;
	*cut = off > 0;
	return 0;
}

int tree_readlink(struct tree *t, const char *path, char *buf, size_t sz)
{
	if (sz < 2)
		return -ENAMETOOLONG;
	return t->ops->readlink(t, path, buf, sz);
}

int tree_space(struct tree *t, const char *path, struct tree_space *s)
{
	memset(s, 0, sizeof(*s));
	return t->ops->space(t, path, s);
}

int tree_list(struct tree *t, const char *path, char ***names, size_t *n)
{
	*names = NULL;
	*n = 0;
	return t->ops->list(t, path, names, n);
}

/* ---- writes --------------------------------------------------------------- */

/* Every write: a tree opened read-write, whose backend writes. */
static int need_rw(struct tree *t, const char *path, int have)
{
	if (!t->rw || !have)
		return rc_fail(EROFS, "%s: the tree %s was opened read-only", path, t->desc);
	return 0;
}

int tree_replace(struct tree *t, const char *path, const char *data, size_t len,
		 const char *backup, unsigned *flags)
{
	unsigned dummy = 0;
	int r = need_rw(t, path, !!t->ops->replace);
	if (r)
		return r;
	*(flags ? flags : &dummy) = 0;
	return t->ops->replace(t, path, data, len, backup, flags ? flags : &dummy);
}

int tree_create(struct tree *t, const char *path, const char *data, size_t len,
		mode_t mode, uid_t uid, gid_t gid, int replace)
{
	int r = need_rw(t, path, !!t->ops->create);
	return r ? r : t->ops->create(t, path, data, len, mode, uid, gid, replace);
}

int tree_unlink(struct tree *t, const char *path)
{
	int r = need_rw(t, path, !!t->ops->unlink);
	return r ? r : t->ops->unlink(t, path);
}

int tree_mkdir(struct tree *t, const char *path, mode_t mode, uid_t uid, gid_t gid)
{
	int r = need_rw(t, path, !!t->ops->mkdir);
	return r ? r : t->ops->mkdir(t, path, mode, uid, gid);
}

int tree_rmdir(struct tree *t, const char *path)
{
	int r = need_rw(t, path, !!t->ops->rmdir);
	return r ? r : t->ops->rmdir(t, path);
}

int tree_symlink(struct tree *t, const char *target, const char *path)
{
	int r = need_rw(t, path, !!t->ops->symlink);
	return r ? r : t->ops->symlink(t, target, path);
}

int tree_set_owner_mode(struct tree *t, const char *path, uid_t uid, gid_t gid, mode_t mode)
{
	int r = need_rw(t, path, !!t->ops->owner_mode);
	return r ? r : t->ops->owner_mode(t, path, uid, gid, mode);
}

int tree_set_label(struct tree *t, const char *path, const char *label, size_t len)
{
	int r = need_rw(t, path, !!t->ops->label);
	if (!r && label && len > TREE_LABEL_MAX)
		r = rc_fail(EINVAL, "%s: a SELinux label of %zu bytes", path, len);
	return r ? r : t->ops->label(t, path, label, len);
}

int tree_close(struct tree *t)
{
	if (!t)
		return 0;
	return t->ops->close(t);
}

int tree_open_ext4(const char *dev, struct tree **out)
{
	return tree_ext4_open(dev, out);
}
