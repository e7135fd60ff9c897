/* recover --to DIR: write the recovered files into a directory, never
 * following a symbolic link out of it. */
#include "recover_to.h"
#include "chase.h"
#include "err.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

/* The directories of the last entry, open: fds[i] is the i-th component. */
struct rto {
	int top;              /* DIR */
	char dir[PATH_MAX];
	int force;
	char cur[RECOVER_MAX_PATH];
	int *fds;
	size_t depth, cap;
	char *lostbuf;        /* attributes that could not be set, for the loss */
};

int rto_open(const char *dir, int force, struct rto **out)
{
	struct rto *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->top = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (t->top < 0) {
		int e = errno;
		free(t);
		return rc_failx(e == ENOENT || e == ENOTDIR ? RC_EXIT_NOTFOUND : RC_EXIT_FAIL, e,
				"--to %s: %s", dir, strerror(e));
	}
	snprintf(t->dir, sizeof(t->dir), "%s", dir);
	t->force = force;
	*out = t;
	return 0;
}

static void drop_to(struct rto *t, size_t depth)
{
	while (t->depth > depth)
		close(t->fds[--t->depth]);
}

int rto_close(struct rto *t)
{
	if (!t)
		return 0;
	drop_to(t, 0);
	free(t->fds);
	int r = 0;
	if (syncfs(t->top) < 0)
		r = rc_fail(errno, "--to %s: cannot flush: %s", t->dir, strerror(errno));
	close(t->top);
	free(t);
	return r;
}

static int is_empty(int fd)
{
	int d = dup(fd);
	DIR *dp = d >= 0 ? fdopendir(d) : NULL;
	if (!dp)
		return 0;
	struct dirent *de;
	int empty = 1;
	while ((de = readdir(dp)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = 0;
	closedir(dp);
	return empty;
}

int rto_check(struct rto *t, const char *rel)
{
	if (!rel[0]) {
		if (!t->force && !is_empty(t->top))
			return rc_failx(RC_EXIT_REFUSED, EEXIST, "--to %s is not empty; the whole tree goes there only "
					"with --force (files replaced, directories merged)", t->dir);
		return 0;
	}
	/* No link is followed anywhere below DIR (chase.h) */
	struct chase_out co;
	struct stat st;
	int pfd = chase(t->top, rel, CHASE_PARENT | CHASE_NOFOLLOW_ANY, &co), r = 0;
	const char *in = co.path + (co.path[0] == '/'), *sep = in[0] ? "/" : "";
	if (pfd == -ENOENT)
		return 0;   /* a directory on the way is not there yet */
	if (pfd == -ELOOP || pfd == -ENOTDIR)
		return rc_failx(RC_EXIT_REFUSED, ELOOP, "%s/%s%s%s is %s; recover never writes through it", t->dir,
				in, sep, co.name, pfd == -ELOOP ? "a symbolic link" : "not a directory");
	if (pfd < 0)
		return rc_fail(-pfd, "%s/%s: %s", t->dir, rel, strerror(-pfd));
	if (fstatat(pfd, co.name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		r = errno == ENOENT ? 0 : rc_fail(errno, "%s/%s: %s", t->dir, rel, strerror(errno));
	else if (!t->force)
		r = rc_failx(RC_EXIT_REFUSED, EEXIST, "%s/%s exists; recover does not overwrite without --force",
			     t->dir, rel);
	close(pfd);
	return r;
}

/* Open (creating where missing, mode 0700 until rto_dir_done) the
 * directory REL below DIR, reusing the fds of the previous entry. */
static int open_dir(struct rto *t, const char *rel, int create)
{
	size_t keep = 0, i = 0;
	/* components shared with the open path */
	const char *a = t->cur, *b = rel;
	while (keep < t->depth) {
		const char *ea = strchr(a, '/'), *eb = strchr(b, '/');
		size_t la = ea ? (size_t)(ea - a) : strlen(a), lb = eb ? (size_t)(eb - b) : strlen(b);
		if (!*b || la != lb || memcmp(a, b, la))
			break;
		keep++;
		a += la + (ea ? 1 : 0);
		b += lb + (eb ? 1 : 0);
	}
	drop_to(t, keep);
	snprintf(t->cur, sizeof(t->cur), "%s", rel);
	const char *p = b;
	for (i = keep; *p; i++) {
		const char *e = strchr(p, '/');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char name[NAME_MAX + 1];
		if (len > NAME_MAX)
			return rc_fail(ENAMETOOLONG, "name too long");
		memcpy(name, p, len);
		name[len] = 0;
		int pfd = t->depth ? t->fds[t->depth - 1] : t->top;
		if (create && mkdirat(pfd, name, 0700) < 0 && errno != EEXIST)
			return rc_fail(errno, "cannot create the directory %s: %s", name, strerror(errno));
		int fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return rc_fail(errno, "%s in %s: %s (never followed)", name, t->dir,
				       errno == ELOOP ? "a symbolic link" : strerror(errno));
		if (t->depth == t->cap) {
			size_t nc = t->cap ? t->cap * 2 : 32;
			int *nf = realloc(t->fds, nc * sizeof(*nf));
			if (!nf) {
				close(fd);
				return -ENOMEM;
			}
			t->fds = nf;
			t->cap = nc;
		}
		t->fds[t->depth++] = fd;
		p += len + (e ? 1 : 0);
	}
	return t->depth ? t->fds[t->depth - 1] : t->top;
}

static void split(const char *path, char *dir, size_t dsz, const char **base)
{
	const char *s = strrchr(path, '/');
	if (!s) {
		dir[0] = 0;
		*base = path;
		return;
	}
	size_t l = (size_t)(s - path) < dsz - 1 ? (size_t)(s - path) : dsz - 1;
	memcpy(dir, path, l);
	dir[l] = 0;
	*base = s + 1;
}

static void note_fail(struct rto *t, const char *what, int err)
{
	char buf[256];
	size_t l = t->lostbuf ? strlen(t->lostbuf) : 0;
	snprintf(buf, sizeof(buf), "%s%s (%s)", l ? ", " : "", what, strerror(err));
	char *n = realloc(t->lostbuf, l + strlen(buf) + 1);
	if (!n)
		return;
	memcpy(n + l, buf, strlen(buf) + 1);
	t->lostbuf = n;
}

/* Owner, xattrs (ACLs too when ACLS), mode and times. FD >= 0 for a file
 * or directory; else PFD/NAME (symbolic links, device nodes, FIFOs). */
static void set_attrs(struct rto *t, const struct rentry *e, int fd, int pfd, const char *name, int acls)
{
	const struct rnode *n = e->n;
	char proc[64 + NAME_MAX];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d/%s", pfd, name);
	int r = fd >= 0 ? fchown(fd, n->uid, n->gid) : fchownat(pfd, name, n->uid, n->gid, AT_SYMLINK_NOFOLLOW);
	if (r < 0)
		note_fail(t, "owner", errno);
	/* after chown, which clears set-id bits and file capabilities */
	if (!S_ISLNK(n->mode)) {
		r = fd >= 0 ? fchmod(fd, n->mode & 07777) : fchmodat(pfd, name, n->mode & 07777, 0);
		if (r < 0)
			note_fail(t, "mode", errno);
	}
	for (size_t i = 0; i < e->nxa; i++) {
		const struct rxattr *x = &e->xa[i];
		r = fd >= 0 ? fsetxattr(fd, x->name, x->value, x->len, 0) : lsetxattr(proc, x->name, x->value, x->len, 0);
		if (r < 0)
			note_fail(t, x->name, errno);
	}
	const struct rxattr *acl[2] = { e->acl_access, e->acl_default };
	for (int i = 0; acls && i < 2; i++) {
		if (!acl[i] || (i == 1 && !S_ISDIR(n->mode)))
			continue;
		r = fd >= 0 ? fsetxattr(fd, acl[i]->name, acl[i]->value, acl[i]->len, 0)
			    : lsetxattr(proc, acl[i]->name, acl[i]->value, acl[i]->len, 0);
		if (r < 0)
			note_fail(t, acl[i]->name, errno);
	}
	struct timespec ts[2] = { n->atime, n->mtime };
	r = fd >= 0 ? futimens(fd, ts) : utimensat(pfd, name, ts, AT_SYMLINK_NOFOLLOW);
	if (r < 0)
		note_fail(t, "times", errno);
}

struct wctx {
	int fd;
	int err;
};

static int write_cb(void *arg, uint64_t off, const void *buf, size_t len)
{
	struct wctx *w = arg;
	const char *p = buf;
	while (len) {
		ssize_t r = pwrite(w->fd, p, len, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return w->err = -errno;
		p += r, off += (uint64_t)r, len -= (size_t)r;
	}
	return 0;
}

static int write_file(struct rto *t, struct recover *rc, const struct rentry *e, int pfd, const char *name)
{
	int fd = openat(pfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return rc_fail(errno, "cannot create it: %s", strerror(errno)), 1;
	struct wctx w = { fd, 0 };
	int r = rentry_data(rc, e, write_cb, &w);
	if (!r && !w.err && ftruncate(fd, (off_t)e->n->size) < 0)
		w.err = -errno;
	if (r || w.err) {
		int err = w.err ? -w.err : -r;
		close(fd);
		unlinkat(pfd, name, 0);
		if (err == ENOSPC || err == EDQUOT)
			return rc_failx(RC_EXIT_FAIL, ENOSPC, "%s is full: %s was removed half-written; the copy "
					"stops here", t->dir, e->path);
		return rc_fail(err, "write error, removed half-written: %s", strerror(err)), 1;
	}
	set_attrs(t, e, fd, pfd, name, 1);
	if (rc->nlate) {
		/* read errors found while copying: the file is marked like a --partial one */
		char mark[1024];
		recover_ranges_text(rc->late, rc->nlate, mark, sizeof(mark));
		if (fsetxattr(fd, RECOVER_XATTR_LOST, mark, strlen(mark), 0) < 0)
			note_fail(t, RECOVER_XATTR_LOST, errno);
	}
	close(fd);
	return 0;
}

/* An fd of the directory holding the first path of a hard link (own). */
static int link_source(struct rto *t, const char *first, const char **base)
{
	char dir[RECOVER_MAX_PATH];
	split(first, dir, sizeof(dir), base);
	int fd = open_dir(t, dir, 0);
	return fd < 0 ? fd : dup(fd);
}

/* Something already at NAME: merge a directory, replace the rest with --force. */
static int clear_place(struct rto *t, int pfd, const char *name, const struct rentry *e)
{
	struct stat st;
	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	int want_dir = S_ISDIR(e->n->mode) && !e->hardlink;
	if (want_dir && S_ISDIR(st.st_mode))
		return t->force ? 0 : (rc_fail(EEXIST, "exists already (a duplicate name in a damaged directory?)"), 1);
	if (!t->force)
		return rc_fail(EEXIST, "exists already (a duplicate name in a damaged directory?); not overwritten"), 1;
	if (S_ISDIR(st.st_mode))
		return rc_fail(EISDIR, "a directory is in its place; not replaced"), 1;
	if (unlinkat(pfd, name, 0) < 0)
		return rc_fail(errno, "cannot replace it: %s", strerror(errno)), 1;
	return 0;
}

static int make_node(struct rto *t, const struct rentry *e, int pfd, const char *name)
{
	const struct rnode *n = e->n;
	int r;
	if (S_ISDIR(n->mode)) {
		r = mkdirat(pfd, name, 0700);
		if (r < 0 && errno == EEXIST)
			r = 0;   /* merged (--force) */
	} else if (S_ISLNK(n->mode))
		r = symlinkat(e->link, pfd, name);
	else
		r = mknodat(pfd, name, (n->mode & S_IFMT) | 0600, makedev(n->rmajor, n->rminor));
	if (r < 0)
		return rc_fail(errno, "cannot create it: %s", strerror(errno)), 1;
	if (S_ISDIR(n->mode)) {
		/* owner and xattrs now; mode, ACLs and times when its contents are in */
		int fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return rc_fail(errno, "cannot open it: %s", strerror(errno)), 1;
		if (fchown(fd, n->uid, n->gid) < 0)
			note_fail(t, "owner", errno);
		for (size_t i = 0; i < e->nxa; i++)
			if (fsetxattr(fd, e->xa[i].name, e->xa[i].value, e->xa[i].len, 0) < 0)
				note_fail(t, e->xa[i].name, errno);
		close(fd);
		return 0;
	}
	set_attrs(t, e, -1, pfd, name, 1);
	return 0;
}

static void flush_notes(struct rto *t, struct recover *rc, const char *path)
{
	if (!t->lostbuf)
		return;
	rc_fail(EPERM, "%s", t->lostbuf);
	struct recover_loss *p = realloc(rc->loss, (rc->nloss + 1) * sizeof(*p));
	if (p) {
		rc->loss = p;
		char what[1200];
		snprintf(what, sizeof(what), "copied without: %s", t->lostbuf);
		p[rc->nloss].path = strdup(path);
		p[rc->nloss].what = strdup(what);
		p[rc->nloss].kept = 1;
		if (p[rc->nloss].path && p[rc->nloss].what)
			rc->nloss++;
	}
	rc->st.partial++;
	free(t->lostbuf);
	t->lostbuf = NULL;
	rc_clear();
}

int rto_entry(void *arg, struct recover *rc, const struct rentry *e)
{
	struct rto *t = arg;
	char dir[RECOVER_MAX_PATH];
	const char *name;
	split(e->path, dir, sizeof(dir), &name);
	const char *obase = NULL;
	int ofd = e->hardlink ? link_source(t, e->hardlink, &obase) : -1;
	if (e->hardlink && ofd < 0)
		return 1;
	int pfd = open_dir(t, dir, 1);
	int r = pfd < 0 ? 1 : clear_place(t, pfd, name, e);
	if (r) {
		if (ofd >= 0)
			close(ofd);
		return r;
	}
	if (e->hardlink) {
		r = linkat(ofd, obase, pfd, name, 0) < 0 ? (rc_fail(errno, "cannot link it to %s: %s", e->hardlink,
								  strerror(errno)), 1) : 0;
		close(ofd);
	} else if (S_ISREG(e->n->mode))
		r = write_file(t, rc, e, pfd, name);
	else
		r = make_node(t, e, pfd, name);
	if (!r)
		flush_notes(t, rc, e->path);
	free(t->lostbuf);
	t->lostbuf = NULL;
	return r;
}

int rto_dir_done(void *arg, struct recover *rc, const struct rentry *e)
{
	struct rto *t = arg;
	char dir[RECOVER_MAX_PATH];
	const char *name;
	split(e->path, dir, sizeof(dir), &name);
	int pfd = open_dir(t, dir, 0);
	if (pfd < 0) {
		rc_clear();
		return 0;   /* it was not created (a loss already) */
	}
	int fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0;
	/* the ACLs, read from the source again: the walk keeps none for directories */
	struct rentry x = *e;
	struct rxattr *v = NULL;
	size_t n = 0;
	if (!rsrc_xattrs(rc->src, (struct rnode *)e->n, &v, &n))
		for (size_t i = 0; i < n; i++) {
			if (!strcmp(v[i].name, "system.posix_acl_access"))
				x.acl_access = &v[i];
			if (!strcmp(v[i].name, "system.posix_acl_default"))
				x.acl_default = &v[i];
		}
	rc_clear();
	x.xa = NULL;
	x.nxa = 0;
	/* set_attrs chowns again (harmless) so that the mode follows the owner */
	set_attrs(t, &x, fd, pfd, name, 1);
	close(fd);
	rsrc_xattrs_free(v, n);
	flush_notes(t, rc, e->path);
	return 0;
}
