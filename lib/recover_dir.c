/* recover's source over a mounted tree (--root DIR, a mount the rescue
 * system has, or the private no-replay mount of xfs/btrfs). A PATH is
 * resolved inside the tree as if it were "/" by chase() (links in the
 * middle followed within it, ".." never above the top); every step below
 * it is taken from a directory fd with O_NOFOLLOW. */
#include "recover_src.h"
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
#include <unistd.h>

#define MAX_XATTR 65536
#define MAX_SEGS (1u << 20)

static int open_ro(int dfd, const char *name, int flags)
{
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOATIME | flags);
	if (fd < 0 && errno == EPERM)
		fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | flags);
	return fd;
}

static int fill(struct rnode *n, int dfd, const char *name)
{
	struct statx x;
	int fl = AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | (name[0] ? 0 : AT_EMPTY_PATH);
	if (statx(dfd, name, fl, STATX_BASIC_STATS | STATX_BTIME, &x) < 0)
		return rc_fail(errno, "cannot stat: %s", strerror(errno));
	n->id = x.stx_ino;
	n->dev = ((uint64_t)x.stx_dev_major << 32) | x.stx_dev_minor;
	n->mode = x.stx_mode;
	n->uid = x.stx_uid;
	n->gid = x.stx_gid;
	n->nlink = x.stx_nlink;
	n->size = x.stx_size;
	n->atime = (struct timespec){ x.stx_atime.tv_sec, x.stx_atime.tv_nsec };
	n->mtime = (struct timespec){ x.stx_mtime.tv_sec, x.stx_mtime.tv_nsec };
	n->ctime = (struct timespec){ x.stx_ctime.tv_sec, x.stx_ctime.tv_nsec };
	if (x.stx_mask & STATX_BTIME) {
		n->btime = (struct timespec){ x.stx_btime.tv_sec, x.stx_btime.tv_nsec };
		n->has_btime = 1;
	}
	n->rmajor = x.stx_rdev_major;
	n->rminor = x.stx_rdev_minor;
#ifdef STATX_ATTR_MOUNT_ROOT
	if (x.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
		n->mount_root = !!(x.stx_attributes & STATX_ATTR_MOUNT_ROOT);
#endif
	return 0;
}

static int same_dir(int fd, const struct rnode *n)
{
	struct stat st;
	return fstat(fd, &st) == 0 && (uint64_t)st.st_ino == n->id && S_ISDIR(st.st_mode);
}

/* PATH's directory inside the tree (chase.h: links in the middle followed
 * within it, ".." never above the top, the last component not followed):
 * its O_PATH fd, and the last component in CO->name ("." when PATH names
 * a directory itself: the top, or a path ending in "." or ".."). */
static int resolve(struct rsrc *s, const char *path, struct chase_out *co)
{
	int fd = chase(s->rootfd, path, CHASE_PARENT | CHASE_NOFOLLOW, co);
	if (fd >= 0 || fd == -ENOENT || fd == -ENOTDIR)
		return fd;
	if (fd == -ELOOP)
		return rc_fail(ELOOP, "%s: too many levels of symbolic links", co->why);
	if (fd == -ENAMETOOLONG)
		return rc_fail(ENAMETOOLONG, "path too long");
	return rc_fail(-fd, "%s: %s", co->why[0] ? co->why : path, strerror(-fd));
}

static int d_lookup(struct rsrc *s, const char *path, struct rnode *n)
{
	struct chase_out co;
	int fd = resolve(s, path, &co), r;
	if (fd < 0)
		return fd;
	if (!strcmp(co.name, ".")) {
		/* the directory itself: an fd that can be listed */
		n->fd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		close(fd);
		if (n->fd < 0)
			return rc_fail(errno, "cannot open %s: %s", path, strerror(errno));
		if ((r = fill(n, n->fd, ""))) {
			close(n->fd);
			n->fd = -1;
		}
		n->mount_root = 0;
		return r;
	}
	struct stat st;
	if (fstatat(fd, co.name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		int e = errno;
		close(fd);
		return e == ENOENT ? -ENOENT : rc_fail(e, "%s", strerror(e));
	}
	n->pfd = fd;
	n->own_pfd = 1;
	if (!(n->own_name = strdup(co.name)))
		return -ENOMEM;
	n->name = n->own_name;
	r = fill(n, fd, co.name);
	n->mount_root = 0;
	return r;
}

static int d_list(struct rsrc *s, struct rnode *dir, struct rdir *d)
{
	(void)s;
	int fd = dir->fd >= 0 ? dup(dir->fd) : open_ro(dir->pfd, dir->name, O_DIRECTORY);
	if (fd < 0)
		return rc_fail(errno, "cannot open the directory: %s", strerror(errno));
	if (!same_dir(fd, dir)) {
		close(fd);
		return rc_fail(ESTALE, "the directory changed while it was read");
	}
	d->fd = fd;
	int dfd = dup(fd);
	DIR *dp = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!dp) {
		if (dfd >= 0)
			close(dfd);
		return rc_fail(errno, "cannot read the directory: %s", strerror(errno));
	}
	struct dirent *de;
	int r = 0;
	errno = 0;
	while (!r && (de = readdir(dp))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		r = rdir_add(d, de->d_name, strlen(de->d_name), de->d_ino);
		errno = 0;
	}
	if (!r && errno)
		rdir_lost(d, "reading the directory failed part-way: %s", strerror(errno));
	closedir(dp);
	return r;
}

static int d_child(struct rsrc *s, struct rdir *d, size_t i, struct rnode *n)
{
	(void)s;
	n->pfd = d->fd;
	n->name = d->v[i].name;
	return fill(n, d->fd, d->v[i].name);
}

static void d_release(struct rsrc *s, struct rnode *n)
{
	(void)s;
	if (n->fd >= 0)
		close(n->fd);
	if (n->own_pfd && n->pfd >= 0)
		close(n->pfd);
	free(n->own_name);
}

static int d_readlink(struct rsrc *s, struct rnode *n, char *buf, size_t sz)
{
	(void)s;
	if (!n->name)
		return rc_fail(EINVAL, "not a symbolic link");
	ssize_t l = readlinkat(n->pfd, n->name, buf, sz);
	if (l < 0)
		return rc_fail(errno, "cannot read the link: %s", strerror(errno));
	if ((size_t)l >= sz)
		return rc_fail(ENAMETOOLONG, "symbolic link target too long");
	buf[l] = 0;
	return 0;
}

/* An fd for a regular file or directory (opened once, kept in the node). */
static int node_fd(struct rnode *n)
{
	if (n->fd >= 0)
		return n->fd;
	if (!S_ISREG(n->mode) && !S_ISDIR(n->mode))
		return -1;
	n->fd = open_ro(n->pfd, n->name, O_NONBLOCK);
	return n->fd;
}

static int d_xattrs(struct rsrc *s, struct rnode *n, struct rxattr **v, size_t *cnt)
{
	(void)s;
	char path[64], names[MAX_XATTR];
	int fd = node_fd(n);
	if (fd < 0)
		snprintf(path, sizeof(path), "/proc/self/fd/%d/", n->pfd);
	char full[sizeof(path) + NAME_MAX + 1];
	if (fd < 0)
		snprintf(full, sizeof(full), "%s%s", path, n->name);
	ssize_t l = fd >= 0 ? flistxattr(fd, names, sizeof(names)) : llistxattr(full, names, sizeof(names));
	if (l < 0)
		return errno == ENOTSUP ? 0 : rc_fail(errno, "cannot list the extended attributes: %s", strerror(errno));
	char *val = malloc(MAX_XATTR);
	if (!val)
		return -ENOMEM;
	int r = 0;
	for (char *p = names; !r && p < names + l; p += strlen(p) + 1) {
		ssize_t vl = fd >= 0 ? fgetxattr(fd, p, val, MAX_XATTR) : lgetxattr(full, p, val, MAX_XATTR);
		if (vl < 0) {
			if (errno == ENODATA)
				continue;
			r = rc_fail(errno, "cannot read the extended attribute %s: %s", p, strerror(errno));
			break;
		}
		r = rxattr_add(v, cnt, p, val, (size_t)vl);
	}
	free(val);
	return r;
}

static int add_seg(struct rmap *m, size_t *cap, uint64_t off, uint64_t len)
{
	if (m->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 8;
		struct rseg *p = realloc(m->seg, nc * sizeof(*p));
		if (!p)
			return -ENOMEM;
		m->seg = p;
		*cap = nc;
	}
	m->seg[m->n++] = (struct rseg){ off, len, 0 };
	return 0;
}

static int d_map(struct rsrc *s, struct rnode *n, struct rmap *m)
{
	(void)s;
	int fd = node_fd(n);
	if (fd < 0)
		return rc_fail(errno, "cannot open: %s", strerror(errno));
	size_t cap = 0;
	uint64_t off = 0, size = n->size;
	while (off < size) {
		off_t d = lseek(fd, (off_t)off, SEEK_DATA);
		if (d < 0 && errno == ENXIO)
			break;   /* a hole to the end */
		off_t h = d < 0 ? (off_t)size : lseek(fd, d, SEEK_HOLE);
		if (d < 0)
			d = (off_t)off;   /* no SEEK_DATA here: all data */
		if (h < 0 || (uint64_t)h > size)
			h = (off_t)size;
		if ((uint64_t)d >= size)
			break;
		if (m->n + 1 >= MAX_SEGS)
			h = (off_t)size;
		int r = add_seg(m, &cap, (uint64_t)d, (uint64_t)(h - d));
		if (r)
			return r;
		off = (uint64_t)h;
	}
	return 0;
}

static int d_read(struct rsrc *s, struct rnode *n, const struct rseg *seg, uint64_t off, void *buf, size_t len)
{
	(void)s;
	char *p = buf;
	uint64_t pos = seg->off + off;
	while (len) {
		ssize_t r = pread(n->fd, p, len, (off_t)pos);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return rc_fail(errno, "read error at byte %llu: %s", (unsigned long long)pos, strerror(errno));
		if (r == 0)
			return rc_fail(EIO, "the file became shorter while it was read (at byte %llu)",
				       (unsigned long long)pos);
		p += r, pos += (uint64_t)r, len -= (size_t)r;
	}
	return 0;
}

static void d_close(struct rsrc *s)
{
	close(s->rootfd);
	free(s);
}

const struct rsrc_ops rsrc_dir_ops = {
	.lookup = d_lookup, .list = d_list, .child = d_child, .release = d_release,
	.readlink = d_readlink, .xattrs = d_xattrs, .map = d_map, .read = d_read, .close = d_close,
};

int rsrc_open_dirfd(int dirfd, struct rsrc **out)
{
	struct rsrc *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->rootfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
	if (s->rootfd < 0) {
		int e = errno;
		free(s);
		return rc_fail(e, "cannot use the tree's directory: %s", strerror(e));
	}
	s->ops = &rsrc_dir_ops;
	s->unit = 4096;
	*out = s;
	return 0;
}

int rsrc_open_dir(const char *dir, struct rsrc **out)
{
	struct rsrc *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->rootfd < 0) {
		int e = errno;
		free(s);
		return rc_fail(e, "cannot open %s: %s", dir, strerror(e));
	}
	s->ops = &rsrc_dir_ops;
	s->unit = 4096;
	*out = s;
	return 0;
}
