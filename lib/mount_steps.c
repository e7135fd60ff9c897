/* mount-root's step kinds: what each does, changes and leaves, next to its
 * action. The order and the contract are in mount.h; the commit loop is
 * lib/plan.c. Mount points are resolved inside the target when the step
 * runs (chase.h, CHASE_NOFOLLOW_ANY: no symbolic link is ever followed),
 * and the mount is made on /proc/self/fd/N of the directory resolved, so
 * nothing can swap the path between the check and the mount. */
#include "mount_priv.h"
#include "chase.h"
#include "err.h"
#include "ext4.h"
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define SET(field, ...) snprintf((field), sizeof(field), __VA_ARGS__)
#define MP_FLAGS (CHASE_NOFOLLOW_ANY | CHASE_NO_DOTDOT | CHASE_DIRECTORY)

static void reload(struct mr_state *x)
{
	mountinfo_free(&x->ms);
	mountinfo_load(&x->ms);
}

static struct plan_step *new_step(struct mroot *m, const char *kind, const char *name, plan_fn run)
{
	struct plan_step *st = plan_add(m->plan, kind, name);
	if (st)
		st->run = run;
	return st;
}

/* ---- why a mount failed -------------------------------------------------- */

/* An ext2/3/4 whose blocks are larger than the page size: kernels without
 * large-block support refuse it with EINVAL and a line in dmesg only. The
 * page size when so, else 0. */
static long big_blocks(const char *dev, const char *fstype, uint32_t *bs)
{
	struct ext4_info in;
	long page = sysconf(_SC_PAGESIZE);
	if (!dev || strncmp(fstype, "ext", 3) || page <= 0)
		return 0;
	if (ext4_read_info(dev, &in)) {
		rc_clear();  /* only a better message was sought */
		return 0;
	}
	*bs = in.block_size;
	return in.block_size > (uint32_t)page ? page : 0;
}

static void explain(char *out, size_t sz, int e, const char *fstype, const char *dev)
{
	uint32_t bs = 0;
	long page = e == EINVAL ? big_blocks(dev, fstype, &bs) : 0;
	if (page)
		snprintf(out, sz, "its block size (%u bytes) is larger than the page size (%ld bytes), which this "
			 "rescue kernel cannot mount; the offline applets work on it without mounting: reset-pass, "
			 "clear-pass, disable-growpart and fsck (name the DEVICE)", bs, page);
	else if (e == ENODEV)
		snprintf(out, sz, "the rescue kernel cannot mount %s (not in /proc/filesystems%s)", fstype,
			 !strcmp(fstype, "vfat") ? "; load it with 'modprobe vfat' where the module exists" : "");
	else
		snprintf(out, sz, "mount: %s", strerror(e));
}

/* ---- 1. the target directory ----------------------------------------------- */

static int run_mkdir(struct plan *p, struct plan_step *s)
{
	struct mroot *m = plan_arg(p);
	plan_touch(s);
	if (mkdir(m->target, 0755) < 0)
		return rc_fail(errno, "cannot create the target directory %s: %s", m->target, strerror(errno));
	SET(m->m[0]->reason, "created the target directory %s", m->target);   /* the root's row */
	return 0;
}

static int undo_mkdir(struct plan *p, struct plan_step *s)
{
	(void)s;
	struct mroot *m = plan_arg(p);
	if (rmdir(m->target) < 0)
		return rc_fail(errno, "cannot remove %s again: %s", m->target, strerror(errno));
	return 0;
}

int mr_add_mkdir(struct mroot *m)
{
	struct plan_step *s = new_step(m, "make-target", "create the target", run_mkdir);
	if (!s)
		return -ENOMEM;
	s->undo_fn = undo_mkdir;
	s->flags = PLAN_UNDO_LATER;
	SET(s->does, "create the directory %s", m->target);
	SET(s->changes, "a new, empty directory %s on the rescue system", m->target);
	SET(s->after, "%s exists; nothing is mounted on it", m->target);
	SET(s->undo, "rmdir %s", m->target);
	SET(s->resume, "create %s yourself, or choose another --target", m->target);
	return 0;
}

/* ---- 2. the root ----------------------------------------------------------- */

/* Why the root could not be mounted, in the words that help. */
static void root_why(const struct mroot *m, int e, char *why, size_t sz)
{
	uint32_t bs;
	explain(why, sz, e, m->fstype, m->device);
	if (e == EROFS || e == EACCES)
		snprintf(why, sz, "%s is read-only; try --read-only", m->device);
	else if (e == EINVAL && !m->o.read_only && !big_blocks(m->device, m->fstype, &bs))
		snprintf(why, sz, "the kernel refused it (see dmesg; an unsupported feature may still allow --read-only)");
}

static int run_root(struct plan *p, struct plan_step *s)
{
	struct mroot *m = plan_arg(p);
	struct mr_mount *row = s->arg;
	char extra[160] = "", why[320];
	if (m->subvol[0])
		SET(extra, "subvol=%s", m->subvol);
	int r = m->o.read_only ? mount_ro_noreplay(m->device, m->target, m->fstype, 0, extra, row->opts, sizeof(row->opts))
			       : (mount(m->device, m->target, m->fstype, 0, extra[0] ? extra : NULL) < 0 ? -errno : 0);
	if (r < 0) {
		root_why(m, -r, why, sizeof(why));
		return rc_fail(-r, "cannot mount the root %s on %s (%s): %s", m->device, m->target, m->fstype, why);
	}
	plan_touch(s);
	row->status = MR_MOUNTED;
	if (m->x->loopfd >= 0) {
		close(m->x->loopfd);  /* autoclear: the mount holds the loop device now */
		m->x->loopfd = -1;
	}
	reload(m->x);
	return 0;
}

static int undo_root(struct plan *p, struct plan_step *s)
{
	struct mroot *m = plan_arg(p);
	struct mr_mount *row = s->arg;
	if (umount2(m->target, 0) < 0)
		return rc_fail(errno, "cannot unmount %s again: %s", m->target, strerror(errno));
	row->status = MR_PLANNED;
	reload(m->x);
	return 0;
}

int mr_add_root(struct mroot *m, struct mr_mount *row)
{
	struct plan_step *s = new_step(m, "mount-root", "mount the root", run_root);
	if (!s)
		return -ENOMEM;
	s->arg = row;
	s->undo_fn = undo_root;
	s->flags = PLAN_UNDO_LATER;
	row->step = s->n;
	SET(s->does, "mount %s (%s%s%s) on %s", m->device, m->fstype, row->opts[0] ? ", -o " : "", row->opts, m->target);
	SET(s->changes, "the rescue system's mount table%s", m->o.read_only ? "" : " (and the journal of the root is "
	    "replayed when it needs it)");
	SET(s->after, "the installed root %s is mounted on %s", m->device, m->target);
	SET(s->undo, "umount %s", m->target);
	SET(s->resume, "run mount-root again once the cause is fixed");
	return 0;
}

/* ---- 3. no propagation ----------------------------------------------------- */

/* Whatever is mounted below the target stays there: with a shared parent
 * (systemd makes / shared) the root mount is shared too, and proc, dev,
 * dev/pts... would be copied into every peer of it. */
static int run_private(struct plan *p, struct plan_step *s)
{
	struct mroot *m = plan_arg(p);
	if (mount(NULL, m->target, NULL, MS_PRIVATE, NULL) < 0)
		return rc_fail(errno, "cannot make %s a private mount (no propagation): %s", m->target, strerror(errno));
	plan_touch(s);
	return 0;
}

int mr_add_private(struct mroot *m)
{
	struct plan_step *s = new_step(m, "make-private", "make it private", run_private);
	if (!s)
		return -ENOMEM;
	SET(s->does, "make %s a private mount (nothing mounted below it propagates to the rescue system)", m->target);
	SET(s->changes, "the propagation of the mount on %s", m->target);
	SET(s->after, "the installed root %s is mounted on %s, private", m->device, m->target);
	SET(s->resume, "run mount-root again once the cause is fixed");
	return 0;
}

/* ---- 4. the fstab, once the root is mounted --------------------------------- */

static int run_read_fstab(struct plan *p, struct plan_step *s)
{
	struct mroot *m = plan_arg(p);
	size_t before = plan_count(p);
	if (!m->x->view && tree_open_dir(m->target, 0, &m->x->view)) {
		m->x->view = NULL;   /* no fstab to read: the API mounts are all there is */
		rc_clear();
	}
	int r = mr_plan_rest(m, m->x->view);
	if (!r)
		plan_result(s, "%zu mounts planned", plan_count(p) - before);
	return r;
}

int mr_add_read_fstab(struct mroot *m)
{
	struct plan_step *s = new_step(m, "read-fstab", "read the fstab", run_read_fstab);
	if (!s)
		return -ENOMEM;
	s->flags = PLAN_CHECK;
	SET(s->does, "read /etc/fstab in the mounted root and plan its local filesystems%s",
	    m->o.no_bind ? "" : ", then proc, sys, dev and run");
	SET(s->changes, "nothing (it reads)");
	SET(s->resume, "run mount-root again");
	return 0;
}

/* ---- 5. a mount inside the target ------------------------------------------- */

static void fd_path(int fd, char *out, size_t sz)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(p, out, sz - 1);
	out[n > 0 ? n : 0] = 0;
}

/* Is something mounted exactly at WHERE? ROW's device (or, for API
 * filesystems, its type): 1; something else: 2 with its description. */
static int mounted_at(const struct mounts *ms, const char *where, const struct mr_mount *row, char *desc, size_t dsz)
{
	const struct mnt *mt = mountinfo_by_target(ms, where);
	char real[PATH_MAX];
	if (!mt)
		return 0;
	if ((row->dev && mt->dev == row->dev) || (!row->dev && !strcmp(mt->fstype, row->fstype)) ||
	    (row->source[0] == '/' && realpath(mt->source, real) && !strcmp(real, row->source)))
		return 1;
	snprintf(desc, dsz, "%s (%s)", mt->source, mt->fstype);
	return 2;
}

/* ROW cannot be mounted at its mount point (E from chase). */
static void point_failed(struct mr_mount *row, int e, const struct chase_out *co)
{
	row->status = MR_FAILED;
	if (e == -ELOOP)
		SET(row->reason, "the mount point is a symbolic link inside the target (%s); not mounting through it",
		    co->why);
	else
		SET(row->reason, "mount point %s %s in the target", row->path,
		    e == -ENOENT ? "does not exist" : e == -ENOTDIR ? "is not a directory" : strerror(-e));
}

/* The mount point at FD: inside the target and free: 0, with ROW->where
 * its real path; else -1 with ROW's status (already mounted, or failed). */
static int point_free(struct mroot *m, struct mr_mount *row, int fd)
{
	char real[PATH_MAX], desc[PATH_MAX + 40];
	fd_path(fd, real, sizeof(real));
	row->status = MR_FAILED;
	if (!path_under(real, m->target)) {
		/* cannot happen when no link is followed; refuse all the same */
		SET(row->reason, "%s resolves outside the target (%s)", row->path, real);
		return -1;
	}
	SET(row->where, "%s", real);
	int at = mounted_at(&m->x->ms, real, row, desc, sizeof(desc));
	if (at == 2)
		SET(row->reason, "%s is already mounted there; left alone", desc);
	row->status = at == 1 ? MR_ALREADY : at == 2 ? MR_FAILED : MR_PLANNED;
	return at ? -1 : 0;
}

/* The parent directory a missing mount point would be made in (CO->name
 * the new one), resolved the same way; or -errno. */
static int point_parent(int rootfd, const char *path, struct chase_out *co)
{
	int pfd = chase(rootfd, path, CHASE_PARENT | CHASE_NOFOLLOW_ANY | CHASE_NO_DOTDOT, co);
	if (pfd >= 0 && !strcmp(co->name, ".")) {
		close(pfd);
		return -ENOENT;
	}
	return pfd;
}

/* As systemd does for fstab mounts: create a missing mount point. */
static int make_point(int rootfd, struct mr_mount *row, struct plan_step *s, struct chase_out *co)
{
	int pfd = point_parent(rootfd, row->path, co);
	if (pfd < 0)
		return pfd;
	plan_touch(s);
	int made = mkdirat(pfd, co->name, 0755) == 0;
	close(pfd);
	if (!made)
		return -ENOENT;
	SET(row->reason, "created the mount point %s", row->path);
	return chase(rootfd, row->path, MP_FLAGS, co);
}

/* A bind of a shared /dev is its peer: devpts and shm mounted on it would
 * land in the rescue system's /dev, and their unmounts too. A slave
 * receives, never sends. */
static void bind_slave(struct mr_mount *row)
{
	if (mount(NULL, row->where, NULL, MS_SLAVE, NULL) == 0)
		return;
	int e = errno;
	if (umount2(row->where, 0) == 0) {
		row->status = MR_FAILED;
		SET(row->reason, "cannot make the bind of /dev a slave: %s", strerror(e));
	}
}

/* ROW's failure as the step's error. */
static int row_error(const struct mr_mount *row, int e)
{
	return rc_fail(e, "%s not mounted on %s: %s", row->source[0] ? row->source : row->spec, row->where, row->reason);
}

static int run_mount(struct plan *p, struct plan_step *s)
{
	struct mroot *m = plan_arg(p);
	struct mr_mount *row = s->arg;
	struct chase_out co;
	int rootfd = mr_rootfd(m), fd;
	if (rootfd < 0)
		return rc_fail(errno, "cannot open the target %s: %s", m->target, strerror(errno));
	fd = chase(rootfd, row->path, MP_FLAGS, &co);
	if (fd == -ENOENT && !m->o.read_only)
		fd = make_point(rootfd, row, s, &co);
	if (fd < 0) {
		point_failed(row, fd, &co);
		return row_error(row, -fd);
	}
	if (point_free(m, row, fd) < 0) {
		close(fd);
		if (row->status != MR_ALREADY)
			return row_error(row, EBUSY);
		plan_result(s, "%s was mounted there already", row->where);
		return 0;
	}
	char at[64];
	int bind = !!(row->flags & MS_BIND);
	snprintf(at, sizeof(at), "/proc/self/fd/%d", fd);
	plan_touch(s);
	int r = mount(row->source, at, bind ? NULL : row->fstype, row->flags, row->opts[0] ? row->opts : NULL);
	int e = errno;
	close(fd);
	if (r < 0) {
		row->status = MR_FAILED;
		explain(row->reason, sizeof(row->reason), e, row->fstype, row->source);
		return row_error(row, e);
	}
	row->status = MR_MOUNTED;
	if (bind)
		bind_slave(row);
	reload(m->x);
	return row->status == MR_MOUNTED ? 0 : row_error(row, EPERM);
}

void mr_check(struct mroot *m, struct mr_mount *row)
{
	struct chase_out co;
	int rootfd = mr_rootfd(m);
	int fd = rootfd < 0 ? -EBADF : chase(rootfd, row->path, MP_FLAGS, &co);
	if (fd == -ENOENT && !m->o.read_only) {
		int pfd = point_parent(rootfd, row->path, &co);
		if (pfd >= 0) {
			close(pfd);
			SET(row->reason, "would create the mount point %s", row->path);
			return;
		}
		fd = pfd;
	}
	if (fd < 0) {
		point_failed(row, fd, &co);
		return;
	}
	point_free(m, row, fd);
	close(fd);
}

int mr_add_mount(struct mroot *m, struct mr_mount *row)
{
	struct plan_step *s = new_step(m, "mount", "", run_mount);
	if (!s) {
		row->status = MR_FAILED;
		SET(row->reason, "not planned: %s", rc_msg());
		rc_clear();
		return 0;
	}
	s->arg = row;
	s->flags = PLAN_CONTINUE;
	row->step = s->n;
	SET(s->name, "mount %s", row->path);
	SET(s->does, "mount %s (%s) on %s%s%s", row->source, row->fstype, row->where, row->opts[0] ? " -o " : "",
	    row->opts);
	SET(s->changes, "the rescue system's mount table%s", m->o.read_only ? "" : " (a missing mount point is made)");
	SET(s->after, "the installed system is mounted on %s, up to %s", m->target, row->where);
	SET(s->if_failed, "%s is not mounted on %s", row->source, row->where);
	SET(s->undo, "umount %s", row->where);
	SET(s->resume, "mount it by hand once the cause is fixed");
	return 0;
}
