/* The mounted-directory backend of tree.h. Paths inside the tree are
 * resolved by chase() (chase.h), following symbolic links as if the tree
 * were "/": a link can never lead outside it (the effect of openat2's
 * RESOLVE_IN_ROOT, without needing a kernel that has openat2). Every
 * change is made through an fd of the parent directory or of the object
 * itself, never through a final link, and is followed by an fsync. */
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
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <time.h>
#include <signal.h>
#include <unistd.h>

#define SELINUX_XATTR "security.selinux"

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

/* The SELinux label of NAME in PFD (not of a link: links carry none that
 * matters), through an O_PATH fd: opening the object could have effects
 * (a device, a FIFO). */
static void read_label(int pfd, const char *name, struct tree_stat *ts)
{
	char self[64];
	if (ts->type == 'l')
		return;
	int fd = openat(pfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	ssize_t l = getxattr(self, SELINUX_XATTR, ts->label, sizeof(ts->label));
	if (l > 0) {
		ts->has_label = 1;
		ts->label_len = (size_t)l;
	}
	close(fd);
}

static int dir_stat(struct tree *t, const char *path, unsigned flags, struct tree_stat *ts)
{
	int pfd;
	char name[NAME_MAX + 1];
	struct stat st;
	int r = resolve(t, path, flags & TREE_FOLLOW, &pfd, name);
	if (!r && fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		r = -errno;
		close(pfd);
	}
	if (r)
		return r;   /* -errno without a message: the caller words it (dview.c, growpart_plan.c) */
	ts->type = tree_type_of(st.st_mode);
	ts->mode = st.st_mode & 07777;
	ts->uid = st.st_uid;
	ts->gid = st.st_gid;
	ts->size = (uint64_t)st.st_size;
	if (flags & TREE_LABEL)
		read_label(pfd, name, ts);
	close(pfd);
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

static int dir_pread(struct tree *t, const char *path, uint64_t off, void *buf, size_t len, size_t *got)
{
	int fd = open_in(t, path, 1, O_RDONLY | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return fd == -ENOENT || fd == -ENOTDIR ? fd : rc_fail(-fd, "cannot open %s: %s", path, strerror(-fd));
	struct stat st;
	int r = 0;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		r = rc_fail(EINVAL, "%s is not a regular file", path);
	while (!r && *got < len) {
		ssize_t n = pread(fd, (char *)buf + *got, len - *got, (off_t)(off + *got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			r = rc_fail(errno, "cannot read %s: %s", path, strerror(errno));
		if (n <= 0)
			break;
		*got += (size_t)n;
	}
	close(fd);
	return r;
}

static int dir_readlink(struct tree *t, const char *path, char *buf, size_t sz)
{
	int pfd;
	char name[NAME_MAX + 1];
	int r = resolve(t, path, 0, &pfd, name);
	if (r)
		return r;
	ssize_t l = readlinkat(pfd, name, buf, sz - 1);
	r = l < 0 ? -errno : 0;
	close(pfd);
	if (!r)
		buf[l] = 0;
	return r;
}

static int dir_space(struct tree *t, const char *path, struct tree_space *s)
{
	struct statvfs v;
	int fd = open_in(t, path, 1, O_PATH | O_DIRECTORY);
	if (fd < 0)
		return fd == -ENOENT ? fd : rc_fail(-fd, "cannot open %s: %s", path, strerror(-fd));
	int r = fstatvfs(fd, &v) < 0 ? -errno : 0;
	close(fd);
	if (r)
		return rc_fail(-r, "cannot read the free space of %s: %s", path, strerror(-r));
	s->size = (uint64_t)v.f_blocks * v.f_frsize;
	s->avail = (uint64_t)v.f_bfree * v.f_frsize;
	s->files = v.f_files;
	s->ffree = v.f_ffree;
	return 0;
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

/* ---- one-syscall changes: owner, mode, label, links, empty directories ---- */

/* An fd of PATH itself for fchown/fchmod/fsetxattr: a final link refused. */
static int open_obj(struct tree *t, const char *path)
{
	int fd = open_in(t, path, 0, O_RDONLY | O_NONBLOCK | O_NOCTTY);
	if (fd == -ELOOP)
		return rc_failx(RC_EXIT_REFUSED, ELOOP, "%s in %s is a symbolic link; refusing to change it through the link",
				path, t->desc);
	if (fd < 0)
		return fd == -ENOENT ? fd : rc_fail(-fd, "cannot open %s: %s", path, strerror(-fd));
	return fd;
}

static int dir_owner_mode(struct tree *t, const char *path, uid_t uid, gid_t gid, mode_t mode)
{
	int r = 0, fd = open_obj(t, path);
	if (fd < 0)
		return fd;
	if ((uid != (uid_t)-1 || gid != (gid_t)-1) && fchown(fd, uid, gid) < 0)
		r = rc_fail(errno, "cannot change the owner of %s: %s", path, strerror(errno));
	else if (fchmod(fd, mode & 07777) < 0)
		r = rc_fail(errno, "cannot change the mode of %s: %s", path, strerror(errno));
	else if (fsync(fd) < 0)
		r = rc_fail(errno, "cannot write %s's new mode to disk (fsync): %s", path, strerror(errno));
	close(fd);
	return r;
}

static int dir_label(struct tree *t, const char *path, const char *label, size_t len)
{
	int r = 0, fd = open_obj(t, path);
	if (fd < 0)
		return fd;
	if (label ? fsetxattr(fd, SELINUX_XATTR, label, len, 0) < 0 :
		    fremovexattr(fd, SELINUX_XATTR) < 0 && errno != ENODATA)
		r = rc_fail(errno, "cannot set the SELinux label of %s: %s", path, strerror(errno));
	else if (fsync(fd) < 0)
		r = rc_fail(errno, "cannot write %s's label to disk (fsync): %s", path, strerror(errno));
	close(fd);
	return r;
}

/* OP: 's' symlink, 'r' rmdir, in PATH's directory (links above it
 * followed inside the tree); then the directory is synced. */
static int dir_entry_op(struct tree *t, int op, const char *path, const char *target)
{
	int pfd, r;
	char name[NAME_MAX + 1];
	if ((r = resolve(t, path, 0, &pfd, name)))
		return r == -ENOENT ? r : rc_fail(-r, "cannot find the directory of %s: %s", path, strerror(-r));
	if (!strcmp(name, ".")) {
		close(pfd);
		return rc_fail(EINVAL, "%s: not a path to a file", path);
	}
	int ok = op == 's' ? symlinkat(target, pfd, name) : unlinkat(pfd, name, AT_REMOVEDIR);
	if (ok < 0)
		r = errno == ENOENT ? -ENOENT : rc_fail(errno, "cannot %s %s: %s", op == 's' ? "create the link" :
						       "remove the directory", path, strerror(errno));
	else
		r = fsync_dir(pfd, path);
	close(pfd);
	return r;
}

static int dir_symlink(struct tree *t, const char *target, const char *path)
{
	return dir_entry_op(t, 's', path, target);
}

static int dir_rmdir(struct tree *t, const char *path)
{
	return dir_entry_op(t, 'r', path, NULL);
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
	.stat = dir_stat, .read = dir_read, .pread = dir_pread, .readlink = dir_readlink, .space = dir_space,
	.list = dir_list, .replace = dir_replace, .create = dir_create, .unlink = dir_unlink, .mkdir = dir_mkdir,
	.rmdir = dir_rmdir, .symlink = dir_symlink, .owner_mode = dir_owner_mode, .label = dir_label,
	.close = dir_close,
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
