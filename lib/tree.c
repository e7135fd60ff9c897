/* The tree front end and the mounted-directory backend. Paths inside the
 * tree are resolved by chase() (chase.h), following symbolic links as if
 * the tree were "/": a link can never lead outside it (the effect of
 * openat2's RESOLVE_IN_ROOT, without needing a kernel that has openat2). */
#include "tree_priv.h"
#include "chase.h"
#include "err.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <signal.h>
#include <unistd.h>

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

/* ---- front end ---------------------------------------------------------- */

enum tree_kind tree_kind(const struct tree *t) { return t->kind; }
int tree_writable(const struct tree *t) { return t->rw; }
const char *tree_desc(const struct tree *t) { return t->desc; }
int tree_dirfd(const struct tree *t) { return t->kind == TREE_DIR ? t->dirfd : -1; }

int tree_stat(struct tree *t, const char *path, int follow, struct tree_stat *st)
{
	return t->ops->stat(t, path, follow, st);
}

int tree_read(struct tree *t, const char *path, char **buf, size_t *len, size_t max)
{
	*buf = NULL;
	*len = 0;
	return t->ops->read(t, path, buf, len, max);
}

static int need_rw(struct tree *t, const char *path)
{
	if (!t->rw)
		return rc_fail(EROFS, "%s: the tree %s was opened read-only", path, t->desc);
	return 0;
}

int tree_replace(struct tree *t, const char *path, const char *data, size_t len,
		 const char *backup, unsigned *flags)
{
	unsigned dummy = 0;
	int r = need_rw(t, path);
	if (r)
		return r;
	*(flags ? flags : &dummy) = 0;
	return t->ops->replace(t, path, data, len, backup, flags ? flags : &dummy);
}

int tree_create(struct tree *t, const char *path, const char *data, size_t len,
		mode_t mode, uid_t uid, gid_t gid, int replace)
{
	int r = need_rw(t, path);
	return r ? r : t->ops->create(t, path, data, len, mode, uid, gid, replace);
}

int tree_unlink(struct tree *t, const char *path)
{
	int r = need_rw(t, path);
	return r ? r : t->ops->unlink(t, path);
}

int tree_mkdir(struct tree *t, const char *path, mode_t mode, uid_t uid, gid_t gid)
{
	int r = need_rw(t, path);
	return r ? r : t->ops->mkdir(t, path, mode, uid, gid);
}

int tree_list(struct tree *t, const char *path, char ***names, size_t *n)
{
	*names = NULL;
	*n = 0;
	return t->ops->list(t, path, names, n);
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

/* ---- directory backend -------------------------------------------------- */

/* Resolve PATH to (parent fd, name) inside the tree (chase.h), following a
 * final symbolic link when FOLLOW. */
static int resolve(struct tree *t, const char *path, int follow, int *pfd, char *name)
{
	struct chase_out co;
	int fd = chase(t->dirfd, path, CHASE_PARENT | (follow ? 0 : CHASE_NOFOLLOW), &co);
	if (fd < 0)
		return fd;
	*pfd = fd;
	memcpy(name, co.name, sizeof(co.name));
	return 0;
}

static int dir_stat(struct tree *t, const char *path, int follow, struct tree_stat *ts)
{
	int pfd;
	char name[NAME_MAX + 1];
	struct stat st;
	int r = resolve(t, path, follow, &pfd, name);
	if (r)
		return r;
	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		r = -errno;
	close(pfd);
	if (r)
		return r;
	ts->type = S_ISREG(st.st_mode) ? 'f' : S_ISDIR(st.st_mode) ? 'd' : S_ISLNK(st.st_mode) ? 'l' : 'o';
	ts->mode = st.st_mode & 07777;
	ts->uid = st.st_uid;
	ts->gid = st.st_gid;
	ts->size = (uint64_t)st.st_size;
	return 0;
}

static int read_fd(int fd, char **buf, size_t *len, size_t max, const char *path)
{
	size_t cap = 4096, n = 0;
	char *b = malloc(cap + 1);
	if (!b)
		return -ENOMEM;
	for (;;) {
		if (n == cap) {
			if (cap >= max) {
				free(b);
				return rc_fail(EFBIG, "%s is larger than %zu bytes; refusing to load it", path, max);
			}
			cap *= 2;
			char *nb = realloc(b, cap + 1);
			if (!nb) {
				free(b);
				return -ENOMEM;
			}
			b = nb;
		}
		ssize_t r = read(fd, b + n, cap - n);
		if (r < 0) {
			int e = errno;
			free(b);
			return rc_fail(e, "cannot read %s: %s", path, strerror(e));
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max) {
		free(b);
		return rc_fail(EFBIG, "%s is larger than %zu bytes; refusing to load it", path, max);
	}
	b[n] = 0;
	*buf = b;
	*len = n;
	return 0;
}

static int open_in(struct tree *t, const char *path, int follow, int flags)
{
	int pfd;
	char name[NAME_MAX + 1];
	int r = resolve(t, path, follow, &pfd, name);
	if (r)
		return r;
	int fd = openat(pfd, name, flags | O_CLOEXEC | O_NOFOLLOW);
	r = fd < 0 ? -errno : fd;
	close(pfd);
	return r;
}

static int dir_read(struct tree *t, const char *path, char **buf, size_t *len, size_t max)
{
	int fd = open_in(t, path, 1, O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return fd == -ENOENT ? fd : rc_fail(-fd, "cannot open %s in %s: %s", path, t->desc, strerror(-fd));
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return rc_fail(EINVAL, "%s in %s is not a regular file", path, t->desc);
	}
	int r = read_fd(fd, buf, len, max, path);
	close(fd);
	return r;
}

/* Copy every extended attribute of open file FROM onto TO. */
static int xattrs_copy(int from, int to, unsigned *flags)
{
	ssize_t nlen = flistxattr(from, NULL, 0);
	if (nlen <= 0)
		return 0;  /* none, or not supported here */
	char *names = malloc((size_t)nlen);
	if (!names)
		return -ENOMEM;
	nlen = flistxattr(from, names, (size_t)nlen);
	int r = 0;
	for (ssize_t off = 0; nlen > 0 && off < nlen; off += (ssize_t)strlen(names + off) + 1) {
		const char *n = names + off;
		ssize_t vl = fgetxattr(from, n, NULL, 0);
		if (vl < 0)
			continue;
		char *v = malloc((size_t)vl + 1);
		if (!v) {
			r = -ENOMEM;
			break;
		}
		vl = fgetxattr(from, n, v, (size_t)vl);
		if (vl >= 0 && fsetxattr(to, n, v, (size_t)vl, 0) < 0) {
			if (!strcmp(n, "security.selinux")) {
				*flags |= TREE_LABEL_LOST;
			} else if (errno != ENOTSUP && errno != EPERM) {
				r = rc_fail(errno, "cannot copy extended attribute %s: %s", n, strerror(errno));
			}
		}
		free(v);
		if (r)
			break;
	}
	free(names);
	return r;
}

/* Make a change to directory PFD's entries durable. */
static int fsync_dir(int pfd, const char *what)
{
	int dfd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r = 0;
	if (dfd < 0 || fsync(dfd) < 0)
		r = rc_fail(errno, "%s is in place, but its directory could not be written to disk (fsync): %s",
			    what, strerror(errno));
	if (dfd >= 0)
		close(dfd);
	return r;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t w = write(fd, data, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Temporary names: ".NAME.rescuectl-PID-N" beside NAME. */
#define TMP_TAG ".rescuectl-"

static int tmp_name(char *out, size_t sz, const char *name, int i)
{
	return snprintf(out, sz, ".%.200s" TMP_TAG "%ld-%d", name, (long)getpid(), i) >= (int)sz ? -1 : 0;
}

/* Remove temporary files of NAME left by a rescuectl that was killed
 * between naming its new file and renaming it (its PID is gone). */
static void drop_stale(int pfd, const char *name)
{
	int dfd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return;
	}
	char pre[NAME_MAX + 1];
	snprintf(pre, sizeof(pre), ".%.200s" TMP_TAG, name);
	size_t pl = strlen(pre);
	struct dirent *de;
	while ((de = readdir(d))) {
		long pid = strncmp(de->d_name, pre, pl) ? 0 : strtol(de->d_name + pl, NULL, 10);
		if (pid > 0 && kill((pid_t)pid, 0) < 0 && errno == ESRCH &&
		    unlinkat(pfd, de->d_name, 0) < 0 && errno == EISDIR)
			unlinkat(pfd, de->d_name, AT_REMOVEDIR);  /* an empty directory of dir_mkdir */
	}
	closedir(d);
}

/* A new file for the content of NAME in directory PFD: nameless
 * (O_TMPFILE), so that a kill before it is complete leaves nothing behind;
 * where the filesystem has no O_TMPFILE, a temporary name, put in TMP
 * (TMP is "" for a nameless file). */
static int tmp_open(int pfd, const char *name, char *tmp, size_t sz)
{
	tmp[0] = 0;
	int fd = openat(pfd, ".", O_WRONLY | O_TMPFILE | O_CLOEXEC, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd >= 0 ? fd : -errno;
	for (int i = 0; i < 100; i++) {
		if (tmp_name(tmp, sz, name, i))
			return -ENAMETOOLONG;
		fd = openat(pfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd >= 0 || errno != EEXIST)
			return fd >= 0 ? fd : -errno;
	}
	return -EEXIST;
}

/* Give a nameless file a temporary name (TMP) so it can be renamed. */
static int tmp_link(int pfd, int fd, const char *name, char *tmp, size_t sz)
{
	char self[64];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	for (int i = 0; i < 100; i++) {
		if (tmp_name(tmp, sz, name, i))
			return -ENAMETOOLONG;
		if (linkat(fd, "", pfd, tmp, AT_EMPTY_PATH) == 0 ||
		    (errno == ENOENT && linkat(AT_FDCWD, self, pfd, tmp, AT_SYMLINK_FOLLOW) == 0))
			return 0;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

/* The attributes the new file gets: LIKE's (an open fd) or MODE/UID/GID,
 * and LIKE's extended attributes. */
static int set_attrs(int fd, int like, mode_t mode, uid_t uid, gid_t gid, unsigned *flags, const char *what)
{
	struct stat st;
	if (like >= 0) {
		if (fstat(like, &st) < 0)
			return rc_fail(errno, "cannot look at %s: %s", what, strerror(errno));
		mode = st.st_mode & 07777;
		uid = st.st_uid;
		gid = st.st_gid;
	}
	if (fchown(fd, uid, gid) < 0 || fchmod(fd, mode) < 0)
		return rc_fail(errno, "cannot set owner and mode of %s: %s", what, strerror(errno));
	return like >= 0 ? xattrs_copy(like, fd, flags) : 0;
}

/* Write DATA to PFD/NAME so that NAME is at every instant wholly the old
 * file or wholly the new one: a new file, its attributes, fsync, rename
 * over NAME, fsync of the directory. */
static int atomic_write(int pfd, const char *name, const char *data, size_t len, int like,
			mode_t mode, uid_t uid, gid_t gid, unsigned *flags, const char *what)
{
	char tmp[NAME_MAX + 1];
	drop_stale(pfd, name);
	int fd = tmp_open(pfd, name, tmp, sizeof(tmp)), r;
	if (fd < 0)
		return rc_fail(-fd, "cannot create a new file beside %s: %s", what, strerror(-fd));
	if ((r = write_all(fd, data, len))) {
		rc_fail(-r, "cannot write %s: %s", what, strerror(-r));
		goto fail;
	}
	if ((r = set_attrs(fd, like, mode, uid, gid, flags, what)))
		goto fail;
	if (fsync(fd) < 0) {
		r = rc_fail(errno, "cannot write %s to disk (fsync): %s", what, strerror(errno));
		goto fail;
	}
	if (!tmp[0] && (r = tmp_link(pfd, fd, name, tmp, sizeof(tmp)))) {
		rc_fail(-r, "cannot name the new %s: %s", what, strerror(-r));
		goto fail;
	}
	close(fd);
	fd = -1;
	if (renameat(pfd, tmp, pfd, name) < 0) {
		r = rc_fail(errno, "cannot rename the new %s into place: %s", what, strerror(errno));
		goto fail;
	}
	/* The rename itself must reach the disk too. */
	return fsync_dir(pfd, what);
fail:
	if (fd >= 0)
		close(fd);
	if (tmp[0])
		unlinkat(pfd, tmp, 0);
	return r ? r : -EIO;
}

/* A backup name must be absent or a regular file: a link would be
 * replaced by a file (losing what it pointed at), a directory cannot be. */
static int backup_ok(int pfd, const char *name, const char *backup, const char *desc)
{
	struct stat st;
	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : rc_fail(errno, "cannot look at %s: %s", backup, strerror(errno));
	if (S_ISREG(st.st_mode))
		return 0;
	return rc_failx(RC_EXIT_REFUSED, EEXIST, "%s in %s is %s, not a regular file; refusing to replace it "
			"with the backup. Move it away first", backup, desc,
			S_ISLNK(st.st_mode) ? "a symbolic link" : S_ISDIR(st.st_mode) ? "a directory" : "a special file");
}

static int dir_replace(struct tree *t, const char *path, const char *data, size_t len,
		       const char *backup, unsigned *flags)
{
	int pfd, fd = -1, r;
	char name[NAME_MAX + 1];
	struct stat st;
	char *old = NULL;
	size_t oldlen = 0;

	if ((r = resolve(t, path, 0, &pfd, name)))
		return rc_fail(-r, "cannot find %s in %s: %s", path, t->desc, strerror(-r));
	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		r = rc_fail(errno, "cannot find %s in %s: %s", path, t->desc, strerror(errno));
		goto out;
	}
	if (S_ISLNK(st.st_mode)) {
		char tgt[PATH_MAX] = "?";
		ssize_t l = readlinkat(pfd, name, tgt, sizeof(tgt) - 1);
		if (l >= 0)
			tgt[l] = 0;
		r = rc_failx(RC_EXIT_REFUSED, ELOOP, "%s in %s is a symbolic link (to %s); refusing to edit through it. "
			     "Replace it with the real file first", path, t->desc, tgt);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = rc_fail(EINVAL, "%s in %s is not a regular file", path, t->desc);
		goto out;
	}
	fd = openat(pfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		r = rc_fail(errno, "cannot open %s: %s", path, strerror(errno));
		goto out;
	}
	if (backup) {
		int bpfd;
		char bname[NAME_MAX + 1];
		if ((r = read_fd(fd, &old, &oldlen, SIZE_MAX / 2, path)))
			goto out;
		if ((r = resolve(t, backup, 0, &bpfd, bname))) {
			r = rc_fail(-r, "cannot place backup %s: %s", backup, strerror(-r));
			goto out;
		}
		if ((r = backup_ok(bpfd, bname, backup, t->desc))) {
			close(bpfd);
			goto out;
		}
		unsigned bflags = 0;
		r = atomic_write(bpfd, bname, old, oldlen, fd, 0, 0, 0, &bflags, backup);
		close(bpfd);
		if (r)
			goto out;
	}
	r = atomic_write(pfd, name, data, len, fd, 0, 0, 0, flags, path);
out:
	free(old);
	if (fd >= 0)
		close(fd);
	close(pfd);
	return r;
}

static int dir_create(struct tree *t, const char *path, const char *data, size_t len,
		      mode_t mode, uid_t uid, gid_t gid, int replace)
{
	int pfd, r;
	char name[NAME_MAX + 1];
	struct stat st;
	unsigned flags = 0;
	if ((r = resolve(t, path, 0, &pfd, name)))
		return rc_fail(-r, "cannot create %s in %s: %s", path, t->desc, strerror(-r));
	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && (!replace || !S_ISREG(st.st_mode))) {
		close(pfd);
		return rc_fail(EEXIST, "%s already exists in %s", path, t->desc);
	}
	r = atomic_write(pfd, name, data, len, -1, mode, uid, gid, &flags, path);
	close(pfd);
	return r;
}

static int dir_unlink(struct tree *t, const char *path)
{
	int pfd, r;
	char name[NAME_MAX + 1];
	if ((r = resolve(t, path, 0, &pfd, name)))
		return r;
	if (unlinkat(pfd, name, 0) < 0)
		r = errno == ENOENT ? -ENOENT : rc_fail(errno, "cannot remove %s: %s", path, strerror(errno));
	if (!r)
		r = fsync_dir(pfd, path);
	close(pfd);
	return r;
}

/* A directory appears wholly made or not at all: made under a temporary
 * name, given its owner and mode, then renamed into place (never over
 * something that appeared meanwhile). */
static int dir_mkdir(struct tree *t, const char *path, mode_t mode, uid_t uid, gid_t gid)
{
	int pfd, r, fd = -1;
	char name[NAME_MAX + 1], tmp[NAME_MAX + 1];
	struct stat st;
	if ((r = resolve(t, path, 0, &pfd, name)))
		return rc_fail(-r, "cannot create directory %s in %s: %s", path, t->desc, strerror(-r));
	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		close(pfd);
		return rc_fail(EEXIST, "%s already exists in %s", path, t->desc);
	}
	drop_stale(pfd, name);
	if (tmp_name(tmp, sizeof(tmp), name, 0) || mkdirat(pfd, tmp, 0700) < 0) {
		r = rc_fail(errno, "cannot create directory %s: %s", path, strerror(errno));
		close(pfd);
		return r;
	}
	fd = openat(pfd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fchown(fd, uid, gid) < 0 || fchmod(fd, mode & 07777) < 0 || fsync(fd) < 0)
		r = rc_fail(errno, "cannot set owner and mode of %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	if (!r && renameat2(pfd, tmp, pfd, name, RENAME_NOREPLACE) < 0 &&
	    (errno != EINVAL || renameat(pfd, tmp, pfd, name) < 0))
		r = rc_fail(errno, "cannot create directory %s: %s", path, strerror(errno));
	if (r)
		unlinkat(pfd, tmp, AT_REMOVEDIR);
	else
		r = fsync_dir(pfd, path);
	close(pfd);
	return r;
}

static int dir_list(struct tree *t, const char *path, char ***names, size_t *n)
{
	int fd = open_in(t, path, 1, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return fd;
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	struct dirent *de;
	size_t cap = 0;
	int r = 0;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			char **nn = realloc(*names, cap * sizeof(*nn));
			if (!nn) {
				r = -ENOMEM;
				break;
			}
			*names = nn;
		}
		if (!((*names)[*n] = strdup(de->d_name))) {
			r = -ENOMEM;
			break;
		}
		(*n)++;
	}
	closedir(d);
	if (r) {
		tree_free_list(*names, *n);
		*names = NULL;
		*n = 0;
		return r;
	}
	return tree_sort_names(*names, *n);
}

static int dir_close(struct tree *t)
{
	if (t->lockfd >= 0)
		close(t->lockfd);  /* releases the password lock */
	close(t->dirfd);
	free(t);
	return 0;
}

static const struct tree_ops dir_ops = {
	.stat = dir_stat, .read = dir_read, .replace = dir_replace, .create = dir_create,
	.unlink = dir_unlink, .mkdir = dir_mkdir, .list = dir_list, .close = dir_close,
};

int tree_open_dirfd(int dirfd, int rw, const char *desc, struct tree **out)
{
	struct tree *t = calloc(1, sizeof(*t));
	if (!t) {
		close(dirfd);
		return -ENOMEM;
	}
	t->dirfd = dirfd;
	t->lockfd = -1;
	t->ops = &dir_ops;
	t->kind = TREE_DIR;
	t->rw = rw;
	snprintf(t->desc, sizeof(t->desc), "%s", desc);
	*out = t;
	return 0;
}

int tree_open_dir(const char *dir, int rw, struct tree **out)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return rc_fail(errno, "cannot open directory %s: %s", dir, strerror(errno));
	return tree_open_dirfd(fd, rw, dir, out);
}

/* ---- the target's password lock ----------------------------------------- */

#define PWLOCK_WAIT_MS 15000  /* lckpwdf(3) gives up after 15 s */

int tree_lock_passwd(struct tree *t)
{
	if (!t->rw || t->kind != TREE_DIR || t->lockfd >= 0)
		return 0;
	int pfd;
	char name[NAME_MAX + 1];
	int r = resolve(t, "/etc/.pwd.lock", 0, &pfd, name);
	if (r)
		return rc_fail(-r, "cannot find /etc in %s: %s", t->desc, strerror(-r));
	int fd = openat(pfd, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	close(pfd);
	if (fd < 0)
		return rc_failx(errno == ELOOP ? RC_EXIT_REFUSED : RC_EXIT_FAIL, errno,
				"cannot open the password lock /etc/.pwd.lock in %s: %s", t->desc,
				errno == ELOOP ? "it is a symbolic link" : strerror(errno));
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	for (int waited = 0; fcntl(fd, F_SETLK, &fl) < 0; waited += 50) {
		if ((errno != EACCES && errno != EAGAIN) || waited >= PWLOCK_WAIT_MS) {
			int e = errno;
			close(fd);
			return rc_failx(RC_EXIT_REFUSED, e == EACCES ? EAGAIN : e, "cannot take the password lock "
					"/etc/.pwd.lock of %s: %s. Another program (passwd, useradd, another "
					"rescuectl) is editing the password files; try again when it is done", t->desc,
					e == EACCES || e == EAGAIN ? "it is held" : strerror(e));
		}
		nanosleep(&ts, NULL);
	}
	t->lockfd = fd;
	return 0;
}
