/* umount-root: everything under the target, deepest first, and who holds
 * what stays busy. See umount.h. */
#include "umount.h"
#include "err.h"
#include "mountinfo.h"
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#define MAX_HOLDERS 32   /* per mount: enough to say who, not a process list */

/* ---- order -------------------------------------------------------------- */

static int depth(const char *p)
{
	int d = 0;
	for (; *p; p++)
		if (*p == '/' && p[1] && p[1] != '/')
			d++;
	return d;
}

static const char *const *order_paths;
static int order_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int dx = depth(order_paths[x]), dy = depth(order_paths[y]);
	if (dx != dy)
		return dy - dx;
	return x < y ? 1 : x > y ? -1 : 0;
}

void umount_order(const char *const *paths, size_t *idx, size_t n)
{
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	order_paths = paths;
	qsort(idx, n, sizeof(*idx), order_cmp);
	order_paths = NULL;
}

/* ---- holders ------------------------------------------------------------ */

void ur_result_free(struct ur_result *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->m[i].h);
	free(r->m);
	r->m = NULL;
	r->n = 0;
}

static void add_holder(struct ur_result *r, int pid, const char *comm, const char *how, const char *path)
{
	/* the deepest remaining mount that covers PATH */
	struct ur_mount *best = NULL;
	for (size_t i = 0; i < r->n; i++) {
		struct ur_mount *m = &r->m[i];
		if ((m->status == UR_BUSY || m->status == UR_LAZY) && path_under(path, m->target) &&
		    (!best || strlen(m->target) > strlen(best->target)))
			best = m;
	}
	if (!best || best->nh >= MAX_HOLDERS)
		return;
	for (size_t i = 0; i < best->nh; i++)
		if (best->h[i].pid == pid && !strcmp(best->h[i].how, how))
			return;
	struct ur_holder *nh = realloc(best->h, (best->nh + 1) * sizeof(*nh));
	if (!nh)
		return;
	best->h = nh;
	struct ur_holder *h = &best->h[best->nh++];
	h->pid = pid;
	snprintf(h->comm, sizeof(h->comm), "%s", comm);
	snprintf(h->how, sizeof(h->how), "%s", how);
	snprintf(h->path, sizeof(h->path), "%s", path);
}

static int any_open(const struct ur_result *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->m[i].status == UR_BUSY || r->m[i].status == UR_LAZY)
			return 1;
	return 0;
}

static void swap_holder(const char *name, void *ud)
{
	add_holder(ud, 0, "[swap]", "active swap (swapoff it)", name);
}

/* The kernel's own users: a swap file, a loop device's backing file. */
static void kernel_holders(struct ur_result *r)
{
	swaps_each(swap_holder, r);
	DIR *lb = opendir("/sys/class/block");
	struct dirent *le;
	while (lb && (le = readdir(lb))) {
		char p[PATH_MAX], f[PATH_MAX], how[80];
		if (strncmp(le->d_name, "loop", 4))
			continue;
		snprintf(p, sizeof(p), "/sys/class/block/%s/loop/backing_file", le->d_name);
		FILE *bf = fopen(p, "re");
		if (!bf)
			continue;
		if (fgets(f, sizeof(f), bf)) {
			f[strcspn(f, "\n")] = 0;
			snprintf(how, sizeof(how), "backing file of /dev/%s (losetup -d it)", le->d_name);
			add_holder(r, 0, "[loop]", how, f);
		}
		fclose(bf);
	}
	if (lb)
		closedir(lb);
}

/* Process PID's cwd, root, exe and open files. */
static void fd_holders(struct ur_result *r, int pid, const char *comm)
{
	char p[PATH_MAX], q[PATH_MAX + 300], l[PATH_MAX], how[40];
	const char *links[] = { "cwd", "root", "exe" };
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "/proc/%d/%s", pid, links[i]);
		ssize_t n = readlink(p, l, sizeof(l) - 1);
		if (n > 0) {
			l[n] = 0;
			add_holder(r, pid, comm, links[i], l);
		}
	}
	snprintf(p, sizeof(p), "/proc/%d/fd", pid);
	DIR *fd = opendir(p);
	struct dirent *fe;
	while (fd && (fe = readdir(fd))) {
		if (fe->d_name[0] == '.')
			continue;
		snprintf(q, sizeof(q), "%s/%s", p, fe->d_name);
		ssize_t n = readlink(q, l, sizeof(l) - 1);
		if (n > 0 && l[0] == '/') {
			l[n] = 0;
			snprintf(how, sizeof(how), "fd %s", fe->d_name);
			add_holder(r, pid, comm, how, l);
		}
	}
	if (fd)
		closedir(fd);
}

/* Process PID's name and the files it has mapped. */
static void proc_holders(struct ur_result *r, int pid)
{
	char p[64], comm[32] = "?", line[PATH_MAX + 128];
	snprintf(p, sizeof(p), "/proc/%d/comm", pid);
	FILE *f = fopen(p, "re");
	if (f) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = 0;
		fclose(f);
	}
	fd_holders(r, pid, comm);
	snprintf(p, sizeof(p), "/proc/%d/maps", pid);
	f = fopen(p, "re");
	while (f && fgets(line, sizeof(line), f)) {
		char *s = strchr(line, '/');
		if (!s)
			continue;
		s[strcspn(s, "\n")] = 0;
		add_holder(r, pid, comm, "mapped", s);
	}
	if (f)
		fclose(f);
}

/* Who holds what under the remaining mounts. */
static void find_holders(struct ur_result *r)
{
	kernel_holders(r);
	DIR *d = opendir("/proc");
	struct dirent *de;
	int self = getpid();
	while (d && (de = readdir(d))) {
		int pid = atoi(de->d_name);
		if (isdigit((unsigned char)de->d_name[0]) && pid != self)
			proc_holders(r, pid);
	}
	if (d)
		closedir(d);
}

/* ---- unmounting --------------------------------------------------------- */

/* Refuse what is not a mounted root; collect the mounts to take down in R,
 * deepest first. */
static int collect(const struct mounts *ms, struct ur_result *r)
{
	/* Only a tree mounted ON the target is ours to take down: mounts that
	 * merely lie below a directory that is no mount point (a rescue
	 * system's own mounts under /mnt) are counted and left alone. */
	const struct mnt *top = mountinfo_by_target(ms, r->target);
	/* mount-root puts a block-device filesystem on the target. Anything
	 * else there (/dev, /proc, a tmpfs) is the rescue system's own. */
	if (top && strncmp(top->source, "/dev/", 5))
		return rc_failx(RC_EXIT_REFUSED, EINVAL, "refusing: %s holds %s (%s), not an installed system's "
				"root filesystem; name the directory mount-root used (--target DIR)",
				r->target, top->fstype, top->source);
	size_t n = 0, cap = ms->n ? ms->n : 1;
	const char **paths = calloc(cap, sizeof(*paths));
	size_t *map = calloc(cap, sizeof(*map)), *idx = calloc(cap, sizeof(*idx));
	r->m = calloc(cap, sizeof(*r->m));
	int ret = paths && map && idx && r->m ? 0 : -ENOMEM;
	for (size_t i = 0; !ret && i < ms->n; i++)
		if (path_under(ms->m[i].target, r->target)) {
			if (!top) {
				r->foreign++;
				continue;
			}
			paths[n] = ms->m[i].target;
			map[n++] = i;
		}
	if (!ret)
		umount_order(paths, idx, n);
	for (size_t k = 0; !ret && k < n; k++) {
		const struct mnt *m = &ms->m[map[idx[k]]];
		struct ur_mount *u = &r->m[r->n++];
		snprintf(u->target, sizeof(u->target), "%s", m->target);
		snprintf(u->fstype, sizeof(u->fstype), "%s", m->fstype);
		snprintf(u->source, sizeof(u->source), "%s", m->source);
	}
	free(paths);
	free(map);
	free(idx);
	return ret;
}

/* Unmount in order; then once more what stayed busy (a parent busy only
 * because of a child may go now), with LAZY detaching what still is. */
static void unmount_all(struct ur_result *r, int lazy)
{
	for (size_t k = 0; k < r->n; k++) {
		struct ur_mount *u = &r->m[k];
		if (umount2(u->target, UMOUNT_NOFOLLOW) == 0) {
			u->status = UR_UNMOUNTED;
			continue;
		}
		u->err = errno;
		u->status = UR_BUSY;
	}
	for (size_t k = 0; k < r->n; k++) {
		struct ur_mount *u = &r->m[k];
		if (u->status != UR_BUSY)
			continue;
		if (umount2(u->target, UMOUNT_NOFOLLOW) == 0)
			u->status = UR_UNMOUNTED;
		else if (lazy && umount2(u->target, UMOUNT_NOFOLLOW | MNT_DETACH) == 0)
			u->status = UR_LAZY;
	}
}

int umount_root(const char *target, int lazy, int dry_run, struct ur_result *r)
{
	memset(r, 0, sizeof(*r));
	if (!realpath(target, r->target))
		return rc_failx(RC_EXIT_NOTFOUND, errno, "target %s: %s", target, strerror(errno));
	if (!strcmp(r->target, "/"))
		return rc_failx(RC_EXIT_REFUSED, EINVAL, "refusing to unmount everything under /: name the "
				"directory the installed system is mounted on (--target DIR)");
	struct mounts ms;
	int ret = mountinfo_load(&ms);
	if (ret)
		return ret;
	ret = collect(&ms, r);
	mountinfo_free(&ms);
	if (ret) {
		ur_result_free(r);
		return ret;
	}
	for (size_t k = 0; dry_run && k < r->n; k++)
		r->m[k].status = UR_PLANNED;
	if (!dry_run)
		unmount_all(r, lazy);
	if (any_open(r))
		find_holders(r);
	for (size_t k = 0; k < r->n; k++)
		if (r->m[k].status == UR_BUSY)
			r->remaining++;
	return 0;
}
