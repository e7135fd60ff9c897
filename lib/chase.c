/* Resolving a path inside a root directory, component by component: see
 * chase.h. The walk keeps what is left to resolve in `todo`; a symbolic
 * link puts its target in front of it, so links are followed without
 * recursion and counted in one place. */
#include "chase.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct walk {
	int root, cur;             /* cur: an fd of the directory reached so far */
	unsigned flags;
	int links;
	char todo[PATH_MAX];       /* what is left of the path */
	struct chase_out *out;     /* out->path: where cur is ("" at the root) */
	int result;                /* the fd to return once done */
};

int path_under(const char *path, const char *dir)
{
	size_t l = strlen(dir);
	while (l > 1 && dir[l - 1] == '/')
		l--;
	if (l == 1 && dir[0] == '/')
		return path[0] == '/';
	return !strncmp(path, dir, l) && (path[l] == 0 || path[l] == '/');
}

/* Take the first component of the rest into COMP: 1, with *LAST when
 * nothing follows it; 0 when nothing is left; -ENAMETOOLONG. */
static int next(struct walk *w, char *comp, int *last)
{
	char *p = w->todo;
	while (*p == '/')
		p++;
	size_t l = strcspn(p, "/");
	if (!l) {
		w->todo[0] = 0;
		return 0;
	}
	if (l > NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(comp, p, l);
	comp[l] = 0;
	p += l;
	while (*p == '/')
		p++;
	*last = !*p;
	memmove(w->todo, p, strlen(p) + 1);
	return 1;
}

/* -E with out->why naming COMP in the directory reached ("/etc/x"), or
 * the link ("/boot -> /etc") when TARGET is given; out->name is COMP. */
static int fail(struct walk *w, const char *comp, int e, const char *target)
{
	snprintf(w->out->why, sizeof(w->out->why), "%s/%s%s%s", w->out->path, comp, target ? " -> " : "",
		 target ? target : "");
	snprintf(w->out->name, sizeof(w->out->name), "%s", comp);
	return e;
}

static void push(struct walk *w, const char *comp)
{
	size_t l = strlen(w->out->path);
	snprintf(w->out->path + l, sizeof(w->out->path) - l, "/%s", comp);
}

static int at_root(const struct walk *w)
{
	struct stat a, b;
	return fstat(w->cur, &a) == 0 && fstat(w->root, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static int up(struct walk *w)
{
	if (w->flags & CHASE_NO_DOTDOT)
		return fail(w, "..", -EINVAL, NULL);
	if (at_root(w)) {
		w->out->path[0] = 0;
		return 0;
	}
	int nfd = openat(w->cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (nfd < 0)
		return -errno;
	close(w->cur);
	w->cur = nfd;
	char *s = strrchr(w->out->path, '/');
	if (s)
		*s = 0;
	return 0;
}

/* COMP is a symbolic link: put its target in front of the rest. */
static int link_in(struct walk *w, const char *comp, int last)
{
	char tgt[PATH_MAX], rest[PATH_MAX];
	ssize_t l = readlinkat(w->cur, comp, tgt, sizeof(tgt) - 1);
	if (l < 0)
		return -errno;
	tgt[l] = 0;
	if (last && (w->flags & CHASE_NOFOLLOW) && !(w->flags & CHASE_NOFOLLOW_ANY)) {
		w->result = openat(w->cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		push(w, comp);
		return w->result < 0 ? -errno : 1;
	}
	if ((w->flags & CHASE_NOFOLLOW_ANY) || ++w->links > CHASE_MAX_LINKS)
		return fail(w, comp, -ELOOP, tgt);
	snprintf(rest, sizeof(rest), "%s", w->todo);
	if ((size_t)snprintf(w->todo, sizeof(w->todo), "%s/%s", tgt, rest) >= sizeof(w->todo))
		return -ENAMETOOLONG;
	if (tgt[0] == '/') {
		int nfd = fcntl(w->root, F_DUPFD_CLOEXEC, 0);
		if (nfd < 0)
			return -errno;
		close(w->cur);
		w->cur = nfd;
		w->out->path[0] = 0;
	}
	return 0;
}

/* Is the last component one CHASE_PARENT stops before? */
static int parent_stop(const struct walk *w, const char *comp)
{
	struct stat st;
	if (!(w->flags & CHASE_PARENT))
		return 0;
	if (w->flags & (CHASE_NOFOLLOW | CHASE_NOFOLLOW_ANY))
		return 1;
	return fstatat(w->cur, comp, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISLNK(st.st_mode);
}

/* One component: 0 to go on, 1 done (w->result set), or -errno. */
static int step(struct walk *w, const char *comp, int last)
{
	struct stat st;
	if (!strcmp(comp, "."))
		return 0;
	if (!strcmp(comp, ".."))
		return up(w);
	if (last && parent_stop(w, comp)) {
		snprintf(w->out->name, sizeof(w->out->name), "%s", comp);
		w->result = w->cur;
		w->cur = -1;
		return 1;
	}
	if (fstatat(w->cur, comp, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return fail(w, comp, -errno, NULL);
	if (S_ISLNK(st.st_mode))
		return link_in(w, comp, last);
	if (!S_ISDIR(st.st_mode)) {
		if (!last || (w->flags & CHASE_DIRECTORY))
			return fail(w, comp, -ENOTDIR, NULL);
		w->result = openat(w->cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		push(w, comp);
		return w->result < 0 ? -errno : 1;
	}
	int nfd = openat(w->cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (nfd < 0)
		return fail(w, comp, -errno, NULL);
	close(w->cur);
	w->cur = nfd;
	push(w, comp);
	return 0;
}

int chase(int rootfd, const char *path, unsigned flags, struct chase_out *out)
{
	struct walk w = { .root = rootfd, .flags = flags, .out = out, .result = -1 };
	char comp[NAME_MAX + 1];
	int last = 0, r;
	memset(out, 0, sizeof(*out));
	if (strlen(path) >= sizeof(w.todo))
		return -ENAMETOOLONG;
	strcpy(w.todo, path);
	if ((w.cur = fcntl(rootfd, F_DUPFD_CLOEXEC, 0)) < 0)
		return -errno;
	while ((r = next(&w, comp, &last)) > 0 && (r = step(&w, comp, last)) == 0)
		;
	if (r == 0) {   /* the walk ended in a directory it entered */
		snprintf(out->name, sizeof(out->name), ".");
		w.result = w.cur;
		w.cur = -1;
	}
	if (w.cur >= 0)
		close(w.cur);
	if (!out->path[0])
		snprintf(out->path, sizeof(out->path), "/");
	return r < 0 ? r : w.result;
}
