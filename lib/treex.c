/* Tree extras on directory trees; offline ext4 goes to ext4x.c. See treex.h. */
#include "treex.h"
#include "err.h"
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>
#ifdef SYS_openat2
#include <linux/openat2.h>
#endif

#define MAX_HOPS 40
#define SELINUX_XATTR "security.selinux"

void tx_init(struct tx *x, struct tree *t, const char *dev)
{
	memset(x, 0, sizeof(*x));
	x->t = t;
	snprintf(x->dev, sizeof(x->dev), "%s", dev && t && tree_kind(t) == TREE_EXT4 ? dev : "");
}

void tx_done(struct tx *x)
{
	if (x->e2)
		ext4x_close(x);
	x->e2 = NULL;
}

static int offline(const struct tx *x)
{
	return tree_kind(x->t) == TREE_EXT4;
}

/* ---- resolving inside a directory tree ---------------------------------- */

static int same_file(int a, int b)
{
	struct stat sa, sb;
	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Open PATH inside the tree at ROOT without openat2, starting at START for
 * a relative path: each component in turn, links followed inside the tree
 * (an absolute target starts again at ROOT, ".." never climbs above it),
 * the final one only when FOLLOW. */
static int walk_from(int root, int start, const char *path, int follow, int flags, int *hops)
{
	char buf[PATH_MAX], *p = buf;
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	int cur = dup(path[0] == '/' ? root : start);
	if (cur < 0)
		return -errno;
	for (;;) {
		while (*p == '/')
			p++;
		char *rest = strchr(p, '/');
		if (rest) {
			*rest++ = 0;
			rest += strspn(rest, "/");
		}
		int last = !rest || !*rest;
		const char *name = *p ? p : ".";
		if (!strcmp(name, "..") && same_file(cur, root))
			name = ".";
		struct stat st;
		if ((!last || follow) && fstatat(cur, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
			char tgt[PATH_MAX], np[PATH_MAX];
			ssize_t l = readlinkat(cur, name, tgt, sizeof(tgt) - 1);
			int fd = l < 0 ? -errno : ++*hops > MAX_HOPS ? -ELOOP : 0;
			if (!fd) {
				tgt[l] = 0;
				fd = snprintf(np, sizeof(np), "%s/%s", tgt, last ? "" : rest) >= (int)sizeof(np) ?
				     -ENAMETOOLONG : walk_from(root, cur, np, follow, flags, hops);
			}
			close(cur);
			return fd;
		}
		int nfd = openat(cur, name, last ? flags | O_NOFOLLOW | O_CLOEXEC : O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int e = errno;
		close(cur);
		if (nfd < 0 || last)
			return nfd < 0 ? -e : nfd;
		cur = nfd;
		p = rest;
	}
}

/* An fd of PATH inside directory tree X: openat2(RESOLVE_IN_ROOT) where
 * the kernel has it, the walk above where it does not. */
static int open_in(struct tx *x, const char *path, int follow, int flags)
{
	int root = tree_dirfd(x->t);
#ifdef SYS_openat2
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW)),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, root, path, &how, sizeof(how));
	if (fd >= 0)
		return (int)fd;
	if (errno != ENOSYS && errno != EPERM)
		return -errno;
#endif
	int hops = 0;
	return walk_from(root, root, path, follow, flags, &hops);
}

/* ---- reading ---------------------------------------------------------------- */

static void fill_meta(const struct stat *st, struct tx_meta *m)
{
	memset(m, 0, sizeof(*m));
	m->type = S_ISREG(st->st_mode) ? 'f' : S_ISDIR(st->st_mode) ? 'd' : S_ISLNK(st->st_mode) ? 'l' : 'o';
	m->mode = st->st_mode & 07777;
	m->uid = st->st_uid;
	m->gid = st->st_gid;
	m->size = (uint64_t)st->st_size;
}

/* The label of an O_PATH fd (not of a link: links carry none that matters). */
static void read_label(int fd, struct tx_meta *m)
{
	char self[64];
	if (m->type == 'l')
		return;
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	ssize_t l = getxattr(self, SELINUX_XATTR, m->label, sizeof(m->label));
	if (l > 0) {
		m->has_label = 1;
		m->label_len = (size_t)l;
	}
}

int tx_meta(struct tx *x, const char *path, int follow, struct tx_meta *m)
{
	if (offline(x))
		return ext4x_meta(x, path, follow, m);
	int fd = open_in(x, path, follow, O_PATH);
	if (fd < 0)
		return fd == -ENOENT || fd == -ENOTDIR ? -ENOENT :
		       rc_fail(-fd, "cannot look at %s in %s: %s", path, tree_desc(x->t), strerror(-fd));
	struct stat st;
	int r = fstat(fd, &st) < 0 ? -errno : 0;
	if (!r) {
		fill_meta(&st, m);
		read_label(fd, m);
	}
	close(fd);
	return r;
}

int tx_readlink(struct tx *x, const char *path, char *buf, size_t sz)
{
	if (offline(x))
		return ext4x_readlink(x, path, buf, sz);
	int fd = open_in(x, path, 0, O_PATH);
	if (fd < 0)
		return fd == -ENOENT || fd == -ENOTDIR ? -ENOENT : fd;
	ssize_t l = readlinkat(fd, "", buf, sz - 1);
	int r = l < 0 ? (errno == ENOENT ? -EINVAL : -errno) : 0;
	close(fd);
	if (!r)
		buf[l] = 0;
	return r;
}

int tx_pread(struct tx *x, const char *path, uint64_t off, void *buf, size_t len, size_t *got)
{
	if (offline(x))
		return ext4x_pread(x, path, off, buf, len, got);
	int fd = open_in(x, path, 1, O_RDONLY | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return fd == -ENOENT || fd == -ENOTDIR ? -ENOENT : rc_fail(-fd, "cannot open %s: %s", path, strerror(-fd));
	struct stat st;
	int r = 0;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		r = rc_fail(EINVAL, "%s is not a regular file", path);
	*got = 0;
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

int tx_read_tail(struct tx *x, const char *path, size_t max, char **buf, size_t *len, int *cut)
{
	struct tx_meta m;
	int r = tx_meta(x, path, 1, &m);
	if (r)
		return r;
	if (m.type != 'f')
		return rc_fail(EINVAL, "%s is not a regular file", path);
	uint64_t off = m.size > max ? m.size - max : 0;
	size_t want = (size_t)(m.size - off);
	char *b = malloc(want + 1);
	if (!b)
		return -ENOMEM;
	if ((r = tx_pread(x, path, off, b, want, len))) {
		free(b);
		return r;
	}
	b[*len] = 0;
	*buf = b;
	*cut = off > 0;
	return 0;
}

int tx_space(struct tx *x, const char *path, struct tx_space *s)
{
	if (offline(x))
		return ext4x_space(x, s);
	struct statvfs v;
	int fd = open_in(x, path, 1, O_PATH | O_DIRECTORY);
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

/* ---- changes -------------------------------------------------------------- */

static int need_dir_rw(struct tx *x, const char *path)
{
	if (offline(x) || !tree_writable(x->t))
		return rc_fail(EROFS, "cannot change %s: %s is open read-only", path, tree_desc(x->t));
	return 0;
}

/* An fd of PATH itself for fchown/fchmod/fsetxattr: a final link refused. */
static int open_obj(struct tx *x, const char *path)
{
	int fd = open_in(x, path, 0, O_RDONLY | O_NONBLOCK | O_NOCTTY);
	if (fd == -ELOOP)
		return rc_failx(RC_EXIT_REFUSED, ELOOP, "%s in %s is a symbolic link; refusing to change it through the link",
				path, tree_desc(x->t));
	if (fd < 0)
		return fd == -ENOENT ? fd : rc_fail(-fd, "cannot open %s: %s", path, strerror(-fd));
	return fd;
}

int tx_set_owner_mode(struct tx *x, const char *path, uid_t uid, gid_t gid, mode_t mode)
{
	int r = need_dir_rw(x, path), fd;
	if (r || (fd = open_obj(x, path)) < 0)
		return r ? r : fd;
	if ((uid != (uid_t)-1 || gid != (gid_t)-1) && fchown(fd, uid, gid) < 0)
		r = rc_fail(errno, "cannot change the owner of %s: %s", path, strerror(errno));
	else if (fchmod(fd, mode & 07777) < 0)
		r = rc_fail(errno, "cannot change the mode of %s: %s", path, strerror(errno));
	else if (fsync(fd) < 0)
		r = rc_fail(errno, "cannot write %s's new mode to disk (fsync): %s", path, strerror(errno));
	close(fd);
	return r;
}

int tx_set_label(struct tx *x, const char *path, const char *label, size_t len)
{
	int r = need_dir_rw(x, path), fd;
	if (r || (fd = open_obj(x, path)) < 0)
		return r ? r : fd;
	if (label ? fsetxattr(fd, SELINUX_XATTR, label, len, 0) < 0 :
		    fremovexattr(fd, SELINUX_XATTR) < 0 && errno != ENODATA)
		r = rc_fail(errno, "cannot set the SELinux label of %s: %s", path, strerror(errno));
	else if (fsync(fd) < 0)
		r = rc_fail(errno, "cannot write %s's label to disk (fsync): %s", path, strerror(errno));
	close(fd);
	return r;
}

/* The parent directory of PATH (links above followed inside the tree) and
 * the last component. */
static int open_parent(struct tx *x, const char *path, char *name, size_t nsz)
{
	char dir[PATH_MAX];
	const char *sl = strrchr(path, '/');
	if (!sl || !sl[1] || snprintf(name, nsz, "%s", sl + 1) >= (int)nsz || !strcmp(name, "..") || !strcmp(name, "."))
		return rc_fail(EINVAL, "%s: not a path to a file", path);
	snprintf(dir, sizeof(dir), "%.*s", (int)(sl - path), path);
	int fd = open_in(x, dir[0] ? dir : "/", 1, O_PATH | O_DIRECTORY);
	return fd < 0 ? rc_fail(-fd, "cannot find the directory of %s: %s", path, strerror(-fd)) : fd;
}

static int sync_dir(int pfd, const char *path)
{
	int d = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), r = 0;
	if (d < 0 || fsync(d) < 0)
		r = rc_fail(errno, "%s: its directory could not be written to disk (fsync): %s", path, strerror(errno));
	if (d >= 0)
		close(d);
	return r;
}

/* OP: 's' symlink, 'r' rmdir, 'u' unlink; then the directory is synced. */
static int dir_op(struct tx *x, int op, const char *path, const char *target)
{
	char name[NAME_MAX + 1];
	int r = need_dir_rw(x, path), pfd;
	if (r || (pfd = open_parent(x, path, name, sizeof(name))) < 0)
		return r ? r : pfd;
	int ok = op == 's' ? symlinkat(target, pfd, name) : unlinkat(pfd, name, op == 'r' ? AT_REMOVEDIR : 0);
	if (ok < 0)
		r = errno == ENOENT ? -ENOENT : rc_fail(errno, "cannot %s %s: %s", op == 's' ? "create the link" :
						       op == 'r' ? "remove the directory" : "remove", path, strerror(errno));
	else
		r = sync_dir(pfd, path);
	close(pfd);
	return r;
}

int tx_symlink(struct tx *x, const char *target, const char *path)
{
	return dir_op(x, 's', path, target);
}

int tx_rmdir(struct tx *x, const char *path)
{
	return dir_op(x, 'r', path, NULL);
}

int tx_unlink(struct tx *x, const char *path)
{
	return dir_op(x, 'u', path, NULL);
}
