/* mount-root's planning: the root, the target, the table's rows and the
 * plan (see mount.h); the step kinds are in mount_steps.c. Nothing here
 * mounts: the only change planning makes is attaching an image file to a
 * loop device (autoclear: it goes away with the last reference). */
#include "mount_priv.h"
#include "chase.h"
#include "detect.h"
#include "err.h"
#include "ext4.h"
#include "loop.h"
#include "undo_log.h"
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define SMALL_FILE (1 << 20)
#define SET(field, ...) snprintf((field), sizeof(field), __VA_ARGS__)

const char *mr_status_name(enum mr_status s)
{
	switch (s) {
	case MR_MOUNTED: return "mounted";
	case MR_ALREADY: return "already mounted";
	case MR_PLANNED: return "would mount";
	case MR_SKIPPED: return "skipped";
	case MR_FAILED: return "failed";
	}
	return "?";
}

/* A new row of the table (NULL and a message when out of memory). */
static struct mr_mount *mr_row(struct mroot *m, const char *what)
{
	struct mr_mount **nm = realloc(m->m, (m->n + 1) * sizeof(*nm));
	struct mr_mount *row = nm ? calloc(1, sizeof(*row)) : NULL;
	if (nm)
		m->m = nm;
	if (!row) {
		rc_fail(ENOMEM, "out of memory");
		return NULL;
	}
	m->m[m->n++] = row;
	SET(row->what, "%s", what);
	return row;
}

/* "/mnt" + "/boot" = "/mnt/boot"; "/mnt" + "/" = "/mnt". */
static void mr_join(char *out, size_t sz, const char *target, const char *path)
{
	if (!strcmp(target, "/"))
		snprintf(out, sz, "%s", path);
	else
		snprintf(out, sz, "%s%s", target, strcmp(path, "/") ? path : "");
}

int mr_rootfd(struct mroot *m)
{
	if (m->x->rootfd < 0)
		m->x->rootfd = open(m->target, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return m->x->rootfd;
}

static int is_ext(const char *t)
{
	return !strcmp(t, "ext2") || !strcmp(t, "ext3") || !strcmp(t, "ext4");
}

/* ---- the target -------------------------------------------------------------- */

/* The parent directory of a target that does not exist yet, canonical,
 * into REAL; its last component into BASE. */
static int target_parent(const char *target, char *real, char *base, size_t bsz)
{
	char dir[PATH_MAX];
	SET(dir, "%s", target);
	for (size_t l = strlen(dir); l > 1 && dir[l - 1] == '/'; l--)
		dir[l - 1] = 0;
	char *slash = strrchr(dir, '/');
	snprintf(base, bsz, "%s", slash ? slash + 1 : dir);
	if (!slash)
		SET(dir, ".");
	else if (slash == dir)
		SET(dir, "/");
	else
		*slash = 0;
	if (!base[0] || !strcmp(base, ".") || !strcmp(base, "..") || !realpath(dir, real))
		return rc_fail(ENOENT, "cannot create the target directory %s: its parent does not exist", target);
	return 0;
}

/* The target, canonical. A missing one is made by the plan's first step,
 * in a parent directory that exists. */
static int target_dir(struct mroot *m)
{
	const char *target = m->o.target ? m->o.target : MOUNT_DEFAULT_TARGET;
	char real[PATH_MAX], base[NAME_MAX + 1];
	struct stat st;
	if (realpath(target, m->target)) {
		if (stat(m->target, &st) < 0 || !S_ISDIR(st.st_mode))
			return rc_failx(RC_EXIT_USAGE, ENOTDIR, "target %s is not a directory", m->target);
		return 0;
	}
	if (errno != ENOENT)
		return rc_failx(RC_EXIT_NOTFOUND, errno, "target %s: %s", target, strerror(errno));
	int r = target_parent(target, real, base, sizeof(base));
	if (r)
		return r;
	snprintf(m->target, sizeof(m->target), "%s/%s", strcmp(real, "/") ? real : "", base);
	m->x->make_target = 1;
	return 0;
}

static int dir_empty(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return -errno;
	struct dirent *de;
	int empty = 1;
	while (empty && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = 0;
	closedir(d);
	return empty;
}

/* Is this root on the target already? 1; 0 nothing is; or refused. */
static int on_target(struct mroot *m)
{
	const struct mnt *mt = mountinfo_by_target(&m->x->ms, m->target);
	struct stat dst;
	char src[PATH_MAX];
	if (!mt)
		return 0;
	int same = (stat(m->device, &dst) == 0 && S_ISBLK(dst.st_mode) && mt->dev == dst.st_rdev) ||
		   (realpath(mt->source, src) && !strcmp(src, m->device));
	if (same && m->subvol[0]) {
		char want[160];
		SET(want, "/%s", m->subvol[0] == '/' ? m->subvol + 1 : m->subvol);
		same = !strcmp(mt->root, want);
	}
	if (same)
		return 1;
	return rc_failx(RC_EXIT_REFUSED, EBUSY, "%s already has %s (%s) mounted; unmount it first ('rescuectl "
			"umount-root --target %s') or choose another --target", m->target, mt->source, mt->fstype, m->target);
}

/* The target must be empty, or hold this very root already. */
static int check_target(struct mroot *m)
{
	if (m->x->make_target)
		return 0;
	int r = on_target(m);
	if (r < 0)
		return r;
	if (r > 0) {
		m->x->already = 1;
		return 0;
	}
	if ((r = dir_empty(m->target)) < 0)
		return rc_fail(-r, "cannot read %s: %s", m->target, strerror(-r));
	if (!r)
		return rc_failx(RC_EXIT_REFUSED, ENOTEMPTY, "%s is not empty and is not this root's mount; refusing "
				"to mount over it (choose an empty --target)", m->target);
	return 0;
}

/* ---- the root device --------------------------------------------------------- */

/* The block device for the kernel to mount: WANT itself, or the loop
 * device of an image file (found attached, or attached now; not for a dry
 * run, which looks at the file itself). */
static int root_block(struct mroot *m, const char *want)
{
	struct stat st;
	struct devid id;
	if (stat(want, &st) < 0)
		return rc_failx(RC_EXIT_NOTFOUND, errno, "%s: %s", want, strerror(errno));
	SET(m->device, "%s", want);
	if (S_ISBLK(st.st_mode))
		return 0;
	if (!S_ISREG(st.st_mode))
		return rc_failx(RC_EXIT_USAGE, EINVAL, "%s is neither a block device nor an image file", want);
	if (!realpath(want, m->image))
		SET(m->image, "%s", want);
	if (probe_cached(&m->x->probes, want, &id) == 0 && !id.fstype[0] && id.pttype[0])
		return rc_failx(RC_EXIT_REFUSED, EINVAL, "%s is a whole-disk image (%s partition table): attach it "
				"with 'losetup -P -f --show %s' and name the root partition", want, id.pttype, want);
	if ((m->loop_found = loop_find(&st, m->device, sizeof(m->device))) || m->o.dry_run)
		return 0;
	m->x->loopfd = loop_attach(m->image, m->o.read_only, m->device, sizeof(m->device));
	if (m->x->loopfd < 0)
		return m->x->loopfd;
	m->loop_attached = 1;
	return 0;
}

static void take_root(struct mroot *m, const struct cand *c)
{
	char sv[128] = "";
	SET(m->fstype, "%s", c->id.fstype);
	m->os = c->ri.os;
	if (strcmp(m->fstype, "btrfs"))
		return;
	if (fstab_opt(c->ri.fstab_root_opts, "subvol", sv, sizeof(sv)) && sv[0])
		SET(m->subvol, "%s", sv);
	else
		SET(m->subvol, "%s", c->subvol);
}

/* No DEVICE: the one root detect finds. A block device is taken as found
 * (into M); an image file's path is left in WANT, to be looked at again
 * through its loop device. */
static int found_root(struct mroot *m, struct detect_policy *p, char *want, size_t wsz)
{
	struct detect d;
	const struct cand *c;
	struct stat st;
	int r = detect_find_root(p, &d, &c);
	if (!r && stat(c->id.path, &st) == 0 && S_ISBLK(st.st_mode)) {
		SET(m->device, "%s", c->id.path);
		take_root(m, c);
	} else if (!r) {
		snprintf(want, wsz, "%s", c->id.path);
	}
	detect_free(&d);
	return r;
}

/* DEVICE, or the one root detect finds; judged by detect's rules either
 * way (for a DEVICE, the reason it is no root is the message). */
static int find_root(struct mroot *m)
{
	struct detect d;
	const struct cand *c;
	struct detect_policy p = { .target_dir = m->target, .probes = &m->x->probes };
	char want[PATH_MAX] = "", *one[1] = { m->device };
	int r;
	if (m->o.device)
		SET(want, "%s", m->o.device);
	else if ((r = found_root(m, &p, want, sizeof(want))) || m->device[0])
		return r;
	if ((r = root_block(m, want)))
		return r;
	p.devices = one;
	p.ndev = 1;
	p.explain = 1;
	if ((r = detect_find_root(&p, &d, &c)) == 0)
		take_root(m, c);
	detect_free(&d);
	return r;
}

/* A root that a shrink-root left half moved (stopped inside resize2fs; its
 * undo log on the device says so) is not mounted read-write: the kernel and
 * whatever runs in the chroot would write into the half-moved filesystem and
 * into the free space that holds the log, and 'shrink-root --rollback'
 * could then no longer put it back. Read-only (--read-only) it may be. */
static int check_half_resized(struct mroot *m)
{
	struct ext4_info fi;
	struct undo_loc l;
	int ok = 0;
	if (m->o.read_only || m->x->already || !is_ext(m->fstype) || !m->device[0])
		return 0;
	if (ext4_read_info_any(m->device, &fi) < 0) {
		rc_clear();   /* the mount says what is wrong with it */
		return 0;
	}
	int r = undo_log_pending(m->device, fi.uuid, &l, &ok);
	if (r < 0)
		return rc_failx(RC_EXIT_REFUSED, -r, "refusing to mount %s read-write: %s (written by a shrink-root); "
				"--read-only mounts it without writing", m->device, rc_msg());
	if (r == 0)
		return 0;
	return rc_failx(RC_EXIT_REFUSED, EUCLEAN, "%s was left half moved by a shrink-root stopped inside resize2fs "
			"(a power cut, a reboot or a kill): mounted read-write, it would be written to, and so would the "
			"free space that holds its undo log. Run 'rescuectl shrink-root --rollback %s' first (it puts the "
			"filesystem back as it was), or look with --read-only. Nothing was mounted", m->device, m->device);
}

/* ---- the plan ------------------------------------------------------------------ */

static int plan_root(struct mroot *m)
{
	struct mr_mount *row = mr_row(m, "root");
	int r = 0;
	if (!row)
		return -ENOMEM;
	SET(row->source, "%s", m->device);
	SET(row->path, "/");
	SET(row->where, "%s", m->target);
	SET(row->fstype, "%s", m->fstype);
	const char *nr = m->o.read_only ? mount_noreplay_opt(m->fstype) : "";
	snprintf(row->opts, sizeof(row->opts), "%s%s%s%s", nr, nr[0] && m->subvol[0] ? "," : "",
		 m->subvol[0] ? "subvol=" : "", m->subvol);
	row->status = m->x->already ? MR_ALREADY : MR_PLANNED;
	if (m->x->make_target) {
		SET(row->reason, "would create the target directory %s", m->target);
		r = mr_add_mkdir(m);
	}
	if (!r && !m->x->already)
		r = mr_add_root(m, row);
	return r ? r : mr_add_private(m);
}

static int fstab_row(struct mroot *m, const struct fstab_entry *e);

static int add_mount(struct mroot *m, struct mr_mount *row)
{
	row->status = MR_PLANNED;
	if (m->o.dry_run && m->x->rootfd >= 0)
		mr_check(m, row);    /* the root is there: say what a run would find */
	return row->status == MR_PLANNED ? mr_add_mount(m, row) : 0;
}

/* The fstab's entries, from tree T, in mount order. An unreadable fstab
 * plans none (as a chroot without one would have none). */
static int plan_fstab(struct mroot *m, struct tree *t)
{
	char *buf = NULL;
	size_t len, n = 0;
	struct fstab f;
	int r = tree_read(t, "/etc/fstab", &buf, &len, SMALL_FILE);
	if (!r)
		r = fstab_parse(buf, &f, NULL);
	free(buf);
	if (r) {
		rc_clear();
		return 0;
	}
	const struct fstab_entry **ord = fstab_mount_order(&f, &n);
	r = ord ? 0 : -ENOMEM;
	for (size_t i = 0; !r && i < n; i++)
		r = fstab_row(m, ord[i]);
	free(ord);
	fstab_free(&f);
	return r;
}

static int fstab_row(struct mroot *m, const struct fstab_entry *e)
{
	struct mr_mount *row = mr_row(m, "fstab");
	struct fstab_mount fm;
	if (!row)
		return -ENOMEM;
	SET(row->spec, "%s", e->spec);
	SET(row->path, "%s", e->file);
	SET(row->fstype, "%s", e->vfstype);
	if (row->path[0] == '/')
		mr_join(row->where, sizeof(row->where), m->target, row->path);
	enum fstab_verdict v = fstab_mount_of(&m->x->devs, e, m->device, &m->x->ms, m->target, m->o.read_only,
					      &fm, row->reason, sizeof(row->reason));
	if (v == FSTAB_SKIP) {
		row->status = MR_SKIPPED;
		return 0;
	}
	SET(row->source, "%s", fm.source);
	SET(row->fstype, "%s", fm.fstype);
	if (v == FSTAB_FAIL) {
		row->status = MR_FAILED;
		return 0;
	}
	SET(row->opts, "%s", fm.data);
	row->flags = fm.flags;
	row->dev = fm.dev;
	return add_mount(m, row);
}

static int fs_supported(const char *fstype)
{
	FILE *f = fopen("/proc/filesystems", "re");
	if (!f)
		return 1;
	char line[128];
	int ok = 0;
	while (!ok && fgets(line, sizeof(line), f)) {
		char *t = strrchr(line, '\t');
		t = t ? t + 1 : line;
		t[strcspn(t, "\n")] = 0;
		ok = !strcmp(t, fstype);
	}
	fclose(f);
	return ok;
}

/* What a chroot needs: proc, sys, efivarfs, dev, dev/pts, dev/shm, run. */
static int plan_api(struct mroot *m)
{
	int efi = access("/sys/firmware/efi", F_OK) == 0, devtmpfs = fs_supported("devtmpfs");
	struct stat st;
	const struct { const char *src, *path, *type, *opts; unsigned long flags; int when; } api[] = {
		{ "proc", "/proc", "proc", "", MS_NOSUID | MS_NOEXEC | MS_NODEV, 1 },
		{ "sysfs", "/sys", "sysfs", "", MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY, 1 },
		{ "efivarfs", "/sys/firmware/efi/efivars", "efivarfs", "", MS_NOSUID | MS_NOEXEC | MS_NODEV, efi },
		{ "udev", "/dev", "devtmpfs", "mode=0755", MS_NOSUID, devtmpfs },
		{ "/dev", "/dev", "bind", "", MS_BIND, !devtmpfs },
		{ "devpts", "/dev/pts", "devpts", "mode=0620,gid=5", MS_NOSUID | MS_NOEXEC, 1 },
		{ "shm", "/dev/shm", "tmpfs", "mode=1777", MS_NOSUID | MS_NODEV, 1 },
		{ "run", "/run", "tmpfs", "mode=0755", MS_NOSUID | MS_NODEV, 1 },
	};
	int r = 0;
	for (size_t i = 0; !r && i < sizeof(api) / sizeof(api[0]); i++) {
		struct mr_mount *row = api[i].when ? mr_row(m, "api") : NULL;
		if (api[i].when && !row)
			return -ENOMEM;
		if (!row)
			continue;
		SET(row->source, "%s", api[i].src);
		SET(row->path, "%s", api[i].path);
		SET(row->fstype, "%s", api[i].type);
		SET(row->opts, "%s", api[i].opts);
		mr_join(row->where, sizeof(row->where), m->target, row->path);
		row->flags = api[i].flags;
		/* a bind of the rescue system's /dev: "already" means a mount of the same fs */
		row->dev = (api[i].flags & MS_BIND) && stat("/dev", &st) == 0 ? st.st_dev : 0;
		r = add_mount(m, row);
	}
	return r;
}

int mr_plan_rest(struct mroot *m, struct tree *t)
{
	int r = !m->o.no_fstab && t ? plan_fstab(m, t) : 0;
	return r || m->o.no_bind ? r : plan_api(m);
}

/* After the root: from a view of it when there is one (it is mounted
 * already, or a dry run reads an ext2/3/4 offline); else the step that
 * reads the fstab once the root is mounted plans the rest. */
static int plan_after_root(struct mroot *m)
{
	struct mr_state *x = m->x;
	if (x->already && tree_open_dir(m->target, 0, &x->view) == 0)
		mr_rootfd(m);
	else if (!x->already && m->o.dry_run && is_ext(m->fstype) && tree_open_ext4(m->device, &x->view))
		x->view = NULL;
	rc_clear();
	if (x->view || m->o.no_fstab)
		return mr_plan_rest(m, x->view);
	if (!m->o.dry_run)
		return mr_add_read_fstab(m);
	struct mr_mount *row = mr_row(m, "fstab");
	if (!row)
		return -ENOMEM;
	SET(row->path, "/etc/fstab");
	row->status = MR_PLANNED;
	SET(row->reason, "read after the root is mounted");
	int r = mr_add_read_fstab(m);
	row->step = (int)plan_count(m->plan);
	return r ? r : mr_plan_rest(m, NULL);
}

static void find_shell(struct mroot *m)
{
	struct tree_stat ts;
	SET(m->shell, "/bin/bash");
	if (!m->x->view && !m->o.dry_run && tree_open_dir(m->target, 0, &m->x->view))
		m->x->view = NULL;
	if (m->x->view && tree_stat(m->x->view, "/bin/bash", 1, &ts) != 0)
		SET(m->shell, "/bin/sh");
	rc_clear();
}

int mount_root_prepare(const struct mr_opts *o, struct mroot **out)
{
	struct mroot *m = calloc(1, sizeof(*m));
	*out = m;
	if (!m || !(m->x = calloc(1, sizeof(*m->x))))
		return rc_fail(ENOMEM, "out of memory");
	m->o = *o;
	m->x->loopfd = m->x->rootfd = -1;
	m->x->devs.probes = &m->x->probes;
	int r;
	if ((r = target_dir(m)) || (r = mountinfo_load(&m->x->ms)) || (r = find_root(m)) || (r = check_target(m)) ||
	    (r = check_half_resized(m)))
		return r;
	char before[PATH_MAX + 64];
	SET(before, m->x->already ? "the root is mounted on %s already" : "nothing is mounted on %s", m->target);
	if (!(m->plan = plan_new(before, m)))
		return -ENOMEM;
	if ((r = plan_root(m)) || (r = plan_after_root(m)))
		return r;
	if (m->o.dry_run || m->x->view)
		find_shell(m);
	return 0;
}

int mount_root_commit(struct mroot *m, const struct plan_hooks *hooks)
{
	int r = plan_commit(m->plan, hooks);
	if (r && plan_stopped(m->plan))
		return r;
	rc_clear();   /* a submount that failed is a row that says so */
	find_shell(m);
	return 0;
}

void mount_root_free(struct mroot *m)
{
	if (!m)
		return;
	if (m->x) {
		tree_close(m->x->view);
		if (m->x->rootfd >= 0)
			close(m->x->rootfd);
		if (m->x->loopfd >= 0)
			close(m->x->loopfd);  /* nothing was mounted from it: autoclear detaches it */
		mountinfo_free(&m->x->ms);
		fstab_devs_free(&m->x->devs);
		probe_cache_free(&m->x->probes);
		free(m->x);
	}
	for (size_t i = 0; i < m->n; i++)
		free(m->m[i]);
	free(m->m);
	plan_free(m->plan);
	free(m);
}
