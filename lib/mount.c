/* mount-root and umount-root. Mount points inside the target are resolved
 * inside it, one component at a time with O_NOFOLLOW from the target's root
 * directory (chase.h, CHASE_NOFOLLOW_ANY): no symbolic link is ever
 * followed, so a target whose /boot is a
 * link to /etc can make us mount neither over the rescue system's /etc nor
 * over its own. The mount is then made on /proc/self/fd/N of the resolved
 * directory, so nothing can swap the path between the check and the mount. */
#include "mount.h"
#include "detect.h"
#include "err.h"
#include "ext4.h"
#include "mountinfo.h"
#include "probe.h"
#include "tree.h"
#include "loop.h"
#include "chase.h"
#include "mount_opts.h"
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define SMALL_FILE (1 << 20)

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

/* ---- pure helpers -------------------------------------------------------- */

int fstab_entry_mountable(const struct fstab_entry *e, char *why, size_t wsz)
{
	static const char *const netfs[] = { "nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "sshfs",
					     "glusterfs", "ceph", "9p", "virtiofs", "davfs", "afs", "lustre",
					     "ocfs2", "gfs2" };
	static const char *const virtfs[] = { "tmpfs", "proc", "sysfs", "devpts", "devtmpfs", "ramfs",
					      "securityfs", "cgroup", "cgroup2", "debugfs", "tracefs",
					      "efivarfs", "hugetlbfs", "mqueue", "configfs", "binfmt_misc",
					      "fusectl", "pstore", "bpf", "overlay", "autofs" };
	const char *t = e->vfstype, *f = e->file, *s = e->spec;
	why[0] = 0;
	if (!strcmp(t, "swap") || !strcmp(f, "swap")) {
		snprintf(why, wsz, "swap");
		return 0;
	}
	if (f[0] != '/') {
		snprintf(why, wsz, "no mount point");
		return 0;
	}
	if (!strcmp(f, "/")) {
		snprintf(why, wsz, "the root itself");
		return 0;
	}
	if (fstab_opt(e->opts, "noauto", NULL, 0)) {
		snprintf(why, wsz, "noauto");
		return 0;
	}
	if (fstab_opt(e->opts, "bind", NULL, 0) || fstab_opt(e->opts, "rbind", NULL, 0) || !strcmp(t, "none")) {
		snprintf(why, wsz, "bind mount");
		return 0;
	}
	for (size_t i = 0; i < sizeof(netfs) / sizeof(netfs[0]); i++)
		if (!strcmp(t, netfs[i])) {
			snprintf(why, wsz, "network filesystem (%s)", t);
			return 0;
		}
	if (fstab_opt(e->opts, "_netdev", NULL, 0) || !strncmp(t, "fuse", 4) || strchr(s, ':') ||
	    !strncmp(s, "//", 2)) {
		snprintf(why, wsz, "network or FUSE filesystem (%s)", t);
		return 0;
	}
	for (size_t i = 0; i < sizeof(virtfs) / sizeof(virtfs[0]); i++)
		if (!strcmp(t, virtfs[i])) {
			snprintf(why, wsz, "%s is not a block device filesystem", t);
			return 0;
		}
	if (strncmp(s, "UUID=", 5) && strncmp(s, "LABEL=", 6) && strncmp(s, "PARTUUID=", 9) &&
	    strncmp(s, "PARTLABEL=", 10) && strncmp(s, "/dev/", 5)) {
		snprintf(why, wsz, "%s does not name a block device", s);
		return 0;
	}
	return 1;
}

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

/* ---- steps --------------------------------------------------------------- */

static struct mr_step *step(struct mr_result *r, const char *what)
{
	struct mr_step *ns = realloc(r->s, (r->n + 1) * sizeof(*ns));
	if (!ns)
		return NULL;
	r->s = ns;
	struct mr_step *s = &r->s[r->n++];
	memset(s, 0, sizeof(*s));
	snprintf(s->what, sizeof(s->what), "%s", what);
	return s;
}

void mr_result_free(struct mr_result *r)
{
	free(r->s);
	r->s = NULL;
	r->n = 0;
}

/* TARGET + PATH: "/mnt" + "/boot" = "/mnt/boot"; "/mnt" + "/" = "/mnt". */
static void join(char *out, size_t sz, const char *target, const char *path)
{
	if (!strcmp(target, "/"))
		snprintf(out, sz, "%s", path);
	else
		snprintf(out, sz, "%s%s", target, strcmp(path, "/") ? path : "");
}

/* ---- resolving inside the target ---------------------------------------- */

/* Open directory PATH inside the tree at ROOTFD without following any
 * symbolic link and without "..": an O_PATH fd, or -errno. On -ELOOP the
 * offending component and its link target are in LINK. */
static int open_in_root(int rootfd, const char *path, char *link, size_t lsz)
{
	struct chase_out co;
	int fd = chase(rootfd, path, CHASE_NOFOLLOW_ANY | CHASE_NO_DOTDOT | CHASE_DIRECTORY, &co);
	if (fd == -ELOOP)
		snprintf(link, lsz, "%s", co.why);
	return fd;
}

static void fd_path(int fd, char *out, size_t sz)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(p, out, sz - 1);
	out[n > 0 ? n : 0] = 0;
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

/* Is something mounted exactly at WHERE? Same device (or, for API
 * filesystems, same type): 1; something else: 2 with its description. */
static int mounted_at(const struct mounts *ms, const char *where, dev_t dev, const char *source,
		      const char *fstype, char *desc, size_t dsz)
{
	const struct mnt *m = mountinfo_by_target(ms, where);
	char real[PATH_MAX];
	if (!m)
		return 0;
	if ((dev && m->dev == dev) || (!dev && !strcmp(m->fstype, fstype)) ||
	    (source[0] == '/' && realpath(m->source, real) && !strcmp(real, source)))
		return 1;
	snprintf(desc, dsz, "%s (%s)", m->source, m->fstype);
	return 2;
}

static void reload(struct mounts *ms)
{
	mountinfo_free(ms);
	mountinfo_load(ms);
}

/* Mount SRC at PATH inside the target (ROOTFD), recording the outcome in S.
 * DEV: the device number the mounted filesystem will have (0 for API fs). */
static void mount_in(struct mounts *ms, int rootfd, const char *target, struct mr_step *s, dev_t dev,
		     unsigned long flags, int dry_run, int mkdir_ok)
{
	char link[PATH_MAX + 64] = "";
	join(s->where, sizeof(s->where), target, s->path);
	if (rootfd < 0) {
		s->status = MR_PLANNED;
		return;
	}
	int fd = open_in_root(rootfd, s->path, link, sizeof(link));
	if (fd == -ENOENT && !dry_run && mkdir_ok) {
		/* as systemd does for fstab mounts: create a missing mount point,
		 * in its parent resolved the same way */
		char dir[PATH_MAX];
		snprintf(dir, sizeof(dir), "%s", s->path);
		char *slash = strrchr(dir, '/');
		const char *base = slash ? slash + 1 : "";
		if (slash && *base && strcmp(base, "..") && strcmp(base, ".")) {
			*slash = 0;
			int pfd = open_in_root(rootfd, dir[0] ? dir : "/", link, sizeof(link));
			if (pfd >= 0) {
				if (mkdirat(pfd, base, 0755) == 0) {
					snprintf(s->reason, sizeof(s->reason), "created the mount point %s", s->path);
					fd = open_in_root(rootfd, s->path, link, sizeof(link));
				}
				close(pfd);
			} else if (pfd == -ELOOP) {
				fd = pfd;
			}
		}
	}
	if (fd == -ELOOP) {
		s->status = MR_FAILED;
		snprintf(s->reason, sizeof(s->reason), "the mount point is a symbolic link inside the target "
			 "(%s); not mounting through it", link);
		return;
	}
	if (fd < 0) {
		s->status = MR_FAILED;
		snprintf(s->reason, sizeof(s->reason), "mount point %s %s in the target", s->path,
			 fd == -ENOENT ? "does not exist" : fd == -ENOTDIR ? "is not a directory" : strerror(-fd));
		return;
	}
	char real[PATH_MAX], desc[PATH_MAX + 40];
	fd_path(fd, real, sizeof(real));
	if (!path_under(real, target)) {
		/* cannot happen with O_NOFOLLOW walking; refuse all the same */
		close(fd);
		s->status = MR_FAILED;
		snprintf(s->reason, sizeof(s->reason), "%s resolves outside the target (%s)", s->path, real);
		return;
	}
	snprintf(s->where, sizeof(s->where), "%s", real);
	int at = mounted_at(ms, real, dev, s->source, s->fstype, desc, sizeof(desc));
	if (at == 1) {
		close(fd);
		s->status = MR_ALREADY;
		return;
	}
	if (at == 2) {
		close(fd);
		s->status = MR_FAILED;
		snprintf(s->reason, sizeof(s->reason), "%s is already mounted there; left alone", desc);
		return;
	}
	if (dry_run) {
		close(fd);
		s->status = MR_PLANNED;
		return;
	}
	char p[64];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	int r = mount(s->source, p, s->fstype, flags, s->opts[0] ? s->opts : NULL);
	int e = errno;
	close(fd);
	if (r < 0) {
		s->status = MR_FAILED;
		explain(s->reason, sizeof(s->reason), e, s->fstype, s->source);
		return;
	}
	s->status = MR_MOUNTED;
	reload(ms);
}

/* ---- device lookup for fstab specs --------------------------------------- */

struct devcache {
	struct blkdevs bs;
	struct devid *ids;
	int loaded;
};

static void devcache_load(struct devcache *dc)
{
	if (dc->loaded)
		return;
	dc->loaded = 1;
	if (blkdevs_scan(&dc->bs))
		return;
	dc->ids = calloc(dc->bs.n ? dc->bs.n : 1, sizeof(*dc->ids));
	for (size_t i = 0; dc->ids && i < dc->bs.n; i++) {
		const struct blkdev *b = &dc->bs.d[i];
		if (b->kind == BLK_RAM || b->size == 0 || probe_device(b->path, &dc->ids[i]))
			memset(&dc->ids[i], 0, sizeof(dc->ids[i]));
		else
			snprintf(dc->ids[i].name, sizeof(dc->ids[i].name), "%s",
				 b->kind == BLK_DM && b->dm_name[0] ? b->dm_name : b->name);
	}
}

static void devcache_free(struct devcache *dc)
{
	free(dc->ids);
	blkdevs_free(&dc->bs);
}

static const char *parent_of(const struct devcache *dc, const char *path)
{
	for (size_t i = 0; i < dc->bs.n; i++)
		if (!strcmp(dc->bs.d[i].path, path))
			return dc->bs.d[i].parent[0] ? dc->bs.d[i].parent : dc->bs.d[i].name;
	return "";
}

/* The device an fstab spec names: 1 and the path and type; 0 none (with the
 * reason in WHY); several on different disks is refused, but one on the
 * root's own disk wins (cloned disks share UUIDs). */
static int resolve_spec(struct devcache *dc, const char *spec, const char *rootdev, char *dev, size_t dsz,
			char *type, size_t tsz, char *why, size_t wsz)
{
	devcache_load(dc);
	const char *rootdisk = parent_of(dc, rootdev);
	int hits = 0, best = -1, same = -1;
	for (size_t i = 0; dc->ids && i < dc->bs.n; i++) {
		if (!dc->ids[i].path[0] || !fstab_spec_matches(spec, &dc->ids[i]))
			continue;
		if (dc->bs.d[i].nholders)
			continue;  /* a member of md/dm: the array or LV is the device */
		hits++;
		best = (int)i;
		if (rootdisk[0] && !strcmp(dc->bs.d[i].parent, rootdisk))
			same = (int)i;
	}
	if (hits > 1 && same >= 0)
		best = same;
	else if (hits > 1) {
		snprintf(why, wsz, "%d devices match %s; name the right one by mounting it yourself", hits, spec);
		return 0;
	}
	if (best < 0 && !strncmp(spec, "/dev/", 5)) {
		/* a path the scan did not name (by-id links, /dev/VG/LV) */
		char real[PATH_MAX];
		struct stat st;
		if (realpath(spec, real) && stat(real, &st) == 0 && S_ISBLK(st.st_mode)) {
			struct devid id;
			snprintf(dev, dsz, "%s", real);
			if (probe_device(real, &id) == 0)
				snprintf(type, tsz, "%s", id.fstype);
			return 1;
		}
	}
	if (best < 0) {
		snprintf(why, wsz, "no device found for %s (a missing disk, or RAID/LVM not assembled?)", spec);
		return 0;
	}
	snprintf(dev, dsz, "%s", dc->bs.d[best].path);
	snprintf(type, tsz, "%s", dc->ids[best].fstype);
	return 1;
}

/* ---- mount-root --------------------------------------------------------- */

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

/* The one candidate DEV is, judged by detect-root's engine: a DEVICE that
 * is no root is refused with the reason. */
static int judge_device(const char *dev, const char *target, struct cand *out)
{
	struct detect d;
	const struct cand *c;
	char *devs[] = { (char *)dev };
	struct detect_policy p = { .devices = devs, .ndev = 1, .target_dir = target, .explain = 1 };
	int r = detect_find_root(&p, &d, &c);
	if (!r)
		*out = *c;
	detect_free(&d);
	return r;
}

static void api_steps(struct mr_result *r, struct mounts *ms, int rootfd, int dry_run, int mkdir_ok)
{
	int efi = access("/sys/firmware/efi", F_OK) == 0;
	int devtmpfs = fs_supported("devtmpfs");
	const struct { const char *src, *path, *type, *opts; unsigned long flags; int when; } api[] = {
		{ "proc", "/proc", "proc", "", MS_NOSUID | MS_NOEXEC | MS_NODEV, 1 },
		{ "sysfs", "/sys", "sysfs", "", MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY, 1 },
		{ "efivarfs", "/sys/firmware/efi/efivars", "efivarfs", "", MS_NOSUID | MS_NOEXEC | MS_NODEV, efi },
		{ "udev", "/dev", "devtmpfs", "mode=0755", MS_NOSUID, devtmpfs },
		{ "/dev", "/dev", "", "", MS_BIND, !devtmpfs },
		{ "devpts", "/dev/pts", "devpts", "mode=0620,gid=5", MS_NOSUID | MS_NOEXEC, 1 },
		{ "shm", "/dev/shm", "tmpfs", "mode=1777", MS_NOSUID | MS_NODEV, 1 },
		{ "run", "/run", "tmpfs", "mode=0755", MS_NOSUID | MS_NODEV, 1 },
	};
	for (size_t i = 0; i < sizeof(api) / sizeof(api[0]); i++) {
		if (!api[i].when)
			continue;
		struct mr_step *s = step(r, "api");
		if (!s)
			return;
		snprintf(s->source, sizeof(s->source), "%s", api[i].src);
		snprintf(s->path, sizeof(s->path), "%s", api[i].path);
		snprintf(s->fstype, sizeof(s->fstype), "%s", api[i].type[0] ? api[i].type : "none");
		snprintf(s->opts, sizeof(s->opts), "%s", api[i].opts);
		if (api[i].flags & MS_BIND) {
			/* a bind of the rescue system's /dev: "already" means a mount of the same fs */
			struct stat st;
			dev_t d = stat("/dev", &st) == 0 ? st.st_dev : 0;
			s->fstype[0] = 0;
			mount_in(ms, rootfd, r->target, s, d, api[i].flags, dry_run, mkdir_ok);
			snprintf(s->fstype, sizeof(s->fstype), "bind");
			/* a bind of a shared /dev is its peer: devpts and shm mounted
			 * on it would land in the rescue system's /dev, and their
			 * unmounts too. A slave receives, never sends. */
			if (s->status == MR_MOUNTED && mount(NULL, s->where, NULL, MS_SLAVE, NULL) < 0 &&
			    umount2(s->where, 0) == 0) {
				s->status = MR_FAILED;
				snprintf(s->reason, sizeof(s->reason), "cannot make the bind of /dev a slave: %s",
					 strerror(errno));
			}
			continue;
		}
		mount_in(ms, rootfd, r->target, s, 0, api[i].flags, dry_run, mkdir_ok);
	}
}

static int cmp_len(const void *a, const void *b)
{
	const struct fstab_entry *x = *(const struct fstab_entry *const *)a, *y = *(const struct fstab_entry *const *)b;
	size_t lx = strlen(x->file), ly = strlen(y->file);
	if (lx != ly)
		return lx < ly ? -1 : 1;
	return x->line - y->line;
}

static void fstab_steps(struct mr_result *r, struct mounts *ms, struct tree *t, int rootfd,
			const struct mr_opts *o)
{
	char *buf = NULL;
	size_t len;
	if (tree_read(t, "/etc/fstab", &buf, &len, SMALL_FILE))
		return;
	struct fstab f;
	if (fstab_parse(buf, &f, NULL)) {
		free(buf);
		return;
	}
	free(buf);
	const struct fstab_entry **ord = calloc(f.n ? f.n : 1, sizeof(*ord));
	if (!ord) {
		fstab_free(&f);
		return;
	}
	for (size_t i = 0; i < f.n; i++)
		ord[i] = &f.e[i];
	qsort(ord, f.n, sizeof(*ord), cmp_len);
	struct devcache dc = { 0 };
	for (size_t i = 0; i < f.n; i++) {
		const struct fstab_entry *e = ord[i];
		char why[256];
		if (!strcmp(e->file, "/"))
			continue;
		struct mr_step *s = step(r, "fstab");
		if (!s)
			break;
		snprintf(s->spec, sizeof(s->spec), "%s", e->spec);
		snprintf(s->path, sizeof(s->path), "%s", e->file);
		snprintf(s->fstype, sizeof(s->fstype), "%s", e->vfstype);
		if (s->path[0] == '/')
			join(s->where, sizeof(s->where), r->target, s->path);
		if (!fstab_entry_mountable(e, why, sizeof(why))) {
			s->status = MR_SKIPPED;
			snprintf(s->reason, sizeof(s->reason), "%s", why);
			continue;
		}
		char type[32] = "";
		if (!resolve_spec(&dc, e->spec, r->device, s->source, sizeof(s->source), type, sizeof(type), why,
				  sizeof(why))) {
			s->status = MR_FAILED;
			snprintf(s->reason, sizeof(s->reason), "%s", why);
			continue;
		}
		if (!strcmp(e->vfstype, "auto") && type[0])
			snprintf(s->fstype, sizeof(s->fstype), "%s", type);
		if (type[0] && strcmp(type, s->fstype) && !(!strncmp(type, "ext", 3) && !strncmp(s->fstype, "ext", 3))) {
			s->status = MR_FAILED;
			snprintf(s->reason, sizeof(s->reason), "fstab says %s but %s holds %s; not mounted",
				 e->vfstype, s->source, type);
			continue;
		}
		if (!strncmp(type, "ext", 3))
			snprintf(s->fstype, sizeof(s->fstype), "%s", type);
		/* the rescue system's own devices are never mounted into the target */
		char where[PATH_MAX];
		struct stat st;
		if (stat(s->source, &st) < 0 || !S_ISBLK(st.st_mode)) {
			s->status = MR_FAILED;
			snprintf(s->reason, sizeof(s->reason), "%s is not a block device", s->source);
			continue;
		}
		size_t from = 0;
		const struct mnt *m;
		int other = 0;
		while ((m = mountinfo_by_dev(ms, st.st_rdev, &from)))
			if (!path_under(m->target, r->target)) {
				snprintf(where, sizeof(where), "%s", m->target);
				other = 1;
				break;
			}
		if (other) {
			s->status = MR_FAILED;
			snprintf(s->reason, sizeof(s->reason), "%s is used by the rescue system (mounted on %s)",
				 s->source, where);
			continue;
		}
		unsigned long flags;
		char data[256];
		if (mount_opts_parse(e->opts, &flags, data, sizeof(data))) {
			s->status = MR_FAILED;
			snprintf(s->reason, sizeof(s->reason), "options too long: %s", e->opts);
			continue;
		}
		if (o->read_only) {
			flags |= MS_RDONLY;
			const char *nr = mount_noreplay_opt(s->fstype);
			if (nr[0] && !strstr(data, "nologreplay") && !fstab_opt(data, nr, NULL, 0)) {
				size_t l = strlen(data);
				snprintf(data + l, sizeof(data) - l, "%s%s", l ? "," : "", nr);
			}
		}
		snprintf(s->opts, sizeof(s->opts), "%s", data);
		mount_in(ms, rootfd, r->target, s, st.st_rdev, flags, o->dry_run, !o->read_only);
	}
	devcache_free(&dc);
	free(ord);
	fstab_free(&f);
}

static int is_ext(const char *t)
{
	return !strcmp(t, "ext2") || !strcmp(t, "ext3") || !strcmp(t, "ext4");
}

int mount_root(const struct mr_opts *o, struct mr_result *r)
{
	memset(r, 0, sizeof(*r));
	const char *target = o->target ? o->target : MOUNT_DEFAULT_TARGET;
	int loopfd = -1, rootfd = -1, ret = 0;
	struct mounts ms = { 0 };
	struct tree *t = NULL;
	struct cand c;
	char dev[PATH_MAX] = "";

	if (!realpath(target, r->target)) {
		if (errno != ENOENT || o->dry_run)
			return rc_failx(RC_EXIT_NOTFOUND, errno, "target %s: %s", target, strerror(errno));
		if (mkdir(target, 0755) < 0 || !realpath(target, r->target))
			return rc_fail(errno, "cannot create the target directory %s: %s", target, strerror(errno));
	}
	struct stat tst;
	if (stat(r->target, &tst) < 0 || !S_ISDIR(tst.st_mode))
		return rc_failx(RC_EXIT_USAGE, ENOTDIR, "target %s is not a directory", r->target);
	if ((ret = mountinfo_load(&ms)))
		return ret;

	/* 1. The root device. An image file goes through a loop device. */
	const char *want = o->device;
	if (!want) {
		struct detect d;
		const struct cand *found;
		struct detect_policy p = { .target_dir = r->target };
		ret = detect_find_root(&p, &d, &found);
		if (!ret)
			snprintf(dev, sizeof(dev), "%s", found->id.path);
		detect_free(&d);
		if (ret)
			goto out;
		want = dev;
	}
	struct stat st;
	if (stat(want, &st) < 0) {
		ret = rc_failx(RC_EXIT_NOTFOUND, errno, "%s: %s", want, strerror(errno));
		goto out;
	}
	if (S_ISREG(st.st_mode)) {
		snprintf(r->image, sizeof(r->image), "%s", want);
		if (!realpath(want, r->image))
			snprintf(r->image, sizeof(r->image), "%s", want);
		struct devid pid;
		if (probe_device(want, &pid) == 0 && !pid.fstype[0] && pid.pttype[0]) {
			ret = rc_failx(RC_EXIT_REFUSED, EINVAL, "%s is a whole-disk image (%s partition table): attach "
				       "it with 'losetup -P -f --show %s' and name the root partition", want, pid.pttype, want);
			goto out;
		}
		if (!loop_find(&st, r->device, sizeof(r->device))) {
			if (o->dry_run) {
				snprintf(r->device, sizeof(r->device), "%s", want);
			} else {
				loopfd = loop_attach(r->image, o->read_only, r->device, sizeof(r->device));
				if (loopfd < 0) {
					ret = loopfd;
					goto out;
				}
				r->loop_attached = 1;
			}
		}
	} else if (S_ISBLK(st.st_mode)) {
		snprintf(r->device, sizeof(r->device), "%s", want);
	} else {
		ret = rc_failx(RC_EXIT_USAGE, EINVAL, "%s is neither a block device nor an image file", want);
		goto out;
	}
	if ((ret = judge_device(r->device, r->target, &c)))
		goto out;
	snprintf(r->fstype, sizeof(r->fstype), "%s", c.id.fstype);
	r->os = c.ri.os;
	char sv[128] = "";
	if (!strcmp(r->fstype, "btrfs")) {
		if (fstab_opt(c.ri.fstab_root_opts, "subvol", sv, sizeof(sv)) && sv[0])
			snprintf(r->subvol, sizeof(r->subvol), "%s", sv);
		else
			snprintf(r->subvol, sizeof(r->subvol), "%s", c.subvol);
	}

	/* 2. The target: empty, or already this root. */
	struct stat dst;
	stat(r->device, &dst);
	struct mr_step *s = step(r, "root");
	if (!s) {
		ret = -ENOMEM;
		goto out;
	}
	snprintf(s->source, sizeof(s->source), "%s", r->device);
	snprintf(s->path, sizeof(s->path), "/");
	snprintf(s->where, sizeof(s->where), "%s", r->target);
	snprintf(s->fstype, sizeof(s->fstype), "%s", r->fstype);
	const struct mnt *m = mountinfo_by_target(&ms, r->target);
	int already = 0;
	if (m) {
		char src[PATH_MAX];
		int same = (S_ISBLK(dst.st_mode) && m->dev == dst.st_rdev) ||
			   (realpath(m->source, src) && !strcmp(src, r->device));
		if (same && r->subvol[0]) {
			char want_root[160];
			snprintf(want_root, sizeof(want_root), "/%s", r->subvol[0] == '/' ? r->subvol + 1 : r->subvol);
			same = !strcmp(m->root, want_root);
		}
		if (!same) {
			ret = rc_failx(RC_EXIT_REFUSED, EBUSY, "%s already has %s (%s) mounted; unmount it first "
				       "('rescuectl umount-root --target %s') or choose another --target",
				       r->target, m->source, m->fstype, r->target);
			goto out;
		}
		already = 1;
		s->status = MR_ALREADY;
	} else {
		int e = dir_empty(r->target);
		if (e < 0) {
			ret = rc_fail(-e, "cannot read %s: %s", r->target, strerror(-e));
			goto out;
		}
		if (!e) {
			ret = rc_failx(RC_EXIT_REFUSED, ENOTEMPTY, "%s is not empty and is not this root's mount; "
				       "refusing to mount over it (choose an empty --target)", r->target);
			goto out;
		}
	}

	/* 3. Mount the root. */
	char data[256] = "", extra[160] = "";
	if (r->subvol[0])
		snprintf(extra, sizeof(extra), "subvol=%s", r->subvol);
	snprintf(data, sizeof(data), "%s%s%s", o->read_only ? mount_noreplay_opt(r->fstype) : "",
		 o->read_only && *mount_noreplay_opt(r->fstype) && extra[0] ? "," : "", extra);
	snprintf(s->opts, sizeof(s->opts), "%s", data);
	if (!already && o->dry_run) {
		s->status = MR_PLANNED;
	} else if (!already) {
		int mr = o->read_only ? mount_ro_noreplay(r->device, r->target, r->fstype, 0, extra, s->opts, sizeof(s->opts))
				      : (mount(r->device, r->target, r->fstype, 0, extra[0] ? extra : NULL) < 0 ? -errno : 0);
		if (mr < 0) {
			int e = -mr;
			char why[320];
			uint32_t bs;
			explain(why, sizeof(why), e, r->fstype, r->device);
			if (e == EROFS || e == EACCES)
				snprintf(why, sizeof(why), "%s is read-only; try --read-only", r->device);
			else if (e == EINVAL && !o->read_only && !big_blocks(r->device, r->fstype, &bs))
				snprintf(why, sizeof(why), "the kernel refused it (see dmesg; an unsupported feature "
					 "may still allow --read-only)");
			ret = rc_fail(e, "cannot mount the root %s on %s (%s): %s", r->device, r->target, r->fstype, why);
			r->n = 0;
			goto out;
		}
		s->status = MR_MOUNTED;
		reload(&ms);
	}
	/* Whatever is mounted below the target stays there: with a shared
	 * parent (systemd makes / shared) the root mount is shared too, and
	 * proc, dev, dev/pts... would be copied into every peer of it. */
	if (!o->dry_run && mount(NULL, r->target, NULL, MS_PRIVATE, NULL) < 0) {
		int e = errno;
		if (!already)
			umount2(r->target, 0);
		ret = rc_fail(e, "cannot make %s a private mount (no propagation): %s", r->target, strerror(e));
		r->n = 0;
		goto out;
	}
	if (loopfd >= 0) {
		close(loopfd);  /* autoclear: the mount holds it now */
		loopfd = -1;
	}

	/* 4. What the target's fstab mounts, then the API filesystems. */
	if (already || !o->dry_run) {
		rootfd = open(r->target, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (tree_open_dir(r->target, 0, &t))
			t = NULL;
	} else if (is_ext(r->fstype)) {
		if (tree_open_ext4(r->device, &t))
			t = NULL;
	}
	if (!o->no_fstab && t)
		fstab_steps(r, &ms, t, rootfd, o);
	else if (!o->no_fstab && o->dry_run) {
		struct mr_step *n = step(r, "fstab");
		if (n) {
			snprintf(n->path, sizeof(n->path), "/etc/fstab");
			n->status = MR_PLANNED;
			snprintf(n->reason, sizeof(n->reason), "read after the root is mounted");
		}
	}
	if (!o->no_bind)
		api_steps(r, &ms, rootfd, o->dry_run, !o->read_only);
	snprintf(r->shell, sizeof(r->shell), "/bin/bash");
	struct tree_stat ts;
	if (t && tree_stat(t, "/bin/bash", 1, &ts) != 0)
		snprintf(r->shell, sizeof(r->shell), "/bin/sh");
	ret = 0;
out:
	if (t)
		tree_close(t);
	if (rootfd >= 0)
		close(rootfd);
	if (loopfd >= 0)
		close(loopfd);  /* nothing was mounted from it: autoclear detaches it */
	mountinfo_free(&ms);
	if (ret)
		mr_result_free(r);
	return ret;
}

/* ---- umount-root -------------------------------------------------------- */

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
	if (!best)
		return;
	for (size_t i = 0; i < best->nh; i++)
		if (best->h[i].pid == pid && !strcmp(best->h[i].how, how))
			return;
	if (best->nh >= 32)
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

/* Who holds what under the remaining mounts: /proc/PID/cwd, root, fd/N and
 * maps; and the kernel itself: a swap file or a loop device's backing file
 * (pid 0). */
static void find_holders(struct ur_result *r)
{
	swaps_each(swap_holder, r);
	DIR *lb = opendir("/sys/class/block");
	struct dirent *le;
	while (lb && (le = readdir(lb))) {
		char p[PATH_MAX], f[PATH_MAX];
		if (strncmp(le->d_name, "loop", 4))
			continue;
		snprintf(p, sizeof(p), "/sys/class/block/%s/loop/backing_file", le->d_name);
		FILE *bf = fopen(p, "re");
		if (!bf)
			continue;
		if (fgets(f, sizeof(f), bf)) {
			char how[80];
			f[strcspn(f, "\n")] = 0;
			snprintf(how, sizeof(how), "backing file of /dev/%s (losetup -d it)", le->d_name);
			add_holder(r, 0, "[loop]", how, f);
		}
		fclose(bf);
	}
	if (lb)
		closedir(lb);
	DIR *d = opendir("/proc");
	if (!d)
		return;
	struct dirent *de;
	int self = getpid();
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		int pid = atoi(de->d_name);
		if (pid == self)
			continue;
		char p[PATH_MAX], l[PATH_MAX], comm[32] = "?";
		snprintf(p, sizeof(p), "/proc/%d/comm", pid);
		FILE *f = fopen(p, "re");
		if (f) {
			if (fgets(comm, sizeof(comm), f))
				comm[strcspn(comm, "\n")] = 0;
			fclose(f);
		}
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
			char q[PATH_MAX + 300], how[40];
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
		snprintf(p, sizeof(p), "/proc/%d/maps", pid);
		f = fopen(p, "re");
		char line[PATH_MAX + 128];
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
	closedir(d);
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
	size_t n = 0;
	const char **paths = calloc(ms.n ? ms.n : 1, sizeof(*paths));
	size_t *map = calloc(ms.n ? ms.n : 1, sizeof(*map));
	size_t *idx = calloc(ms.n ? ms.n : 1, sizeof(*idx));
	if (!paths || !map || !idx) {
		ret = -ENOMEM;
		goto out;
	}
	/* Only a tree mounted ON the target is ours to take down: mounts that
	 * merely lie below a directory that is no mount point (a rescue
	 * system's own mounts under /mnt) are counted and left alone. */
	const struct mnt *top = mountinfo_by_target(&ms, r->target);
	int rooted = top != NULL;
	/* mount-root puts a block-device filesystem on the target. Anything
	 * else there (/dev, /proc, a tmpfs) is the rescue system's own. */
	if (top && strncmp(top->source, "/dev/", 5)) {
		ret = rc_failx(RC_EXIT_REFUSED, EINVAL, "refusing: %s holds %s (%s), not an installed system's "
			       "root filesystem; name the directory mount-root used (--target DIR)",
			       r->target, top->fstype, top->source);
		goto out;
	}
	for (size_t i = 0; i < ms.n; i++)
		if (path_under(ms.m[i].target, r->target)) {
			if (!rooted) {
				r->foreign++;
				continue;
			}
			paths[n] = ms.m[i].target;
			map[n++] = i;
		}
	umount_order(paths, idx, n);
	r->m = calloc(n ? n : 1, sizeof(*r->m));
	if (!r->m) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t k = 0; k < n; k++) {
		const struct mnt *m = &ms.m[map[idx[k]]];
		struct ur_mount *u = &r->m[r->n++];
		snprintf(u->target, sizeof(u->target), "%s", m->target);
		snprintf(u->fstype, sizeof(u->fstype), "%s", m->fstype);
		snprintf(u->source, sizeof(u->source), "%s", m->source);
		if (dry_run) {
			u->status = UR_PLANNED;
			continue;
		}
		if (umount2(u->target, UMOUNT_NOFOLLOW) == 0) {
			u->status = UR_UNMOUNTED;
			continue;
		}
		u->err = errno;
		u->status = UR_BUSY;
	}
	if (lazy)
		for (size_t k = 0; k < r->n; k++) {
			struct ur_mount *u = &r->m[k];
			if (u->status != UR_BUSY)
				continue;
			/* a parent that was busy only because of a child may go now */
			if (umount2(u->target, UMOUNT_NOFOLLOW) == 0)
				u->status = UR_UNMOUNTED;
			else if (umount2(u->target, UMOUNT_NOFOLLOW | MNT_DETACH) == 0)
				u->status = UR_LAZY;
		}
	else
		for (size_t k = 0; k < r->n; k++)
			if (r->m[k].status == UR_BUSY && umount2(r->m[k].target, UMOUNT_NOFOLLOW) == 0)
				r->m[k].status = UR_UNMOUNTED;
	if (any_open(r))
		find_holders(r);
	for (size_t k = 0; k < r->n; k++)
		if (r->m[k].status == UR_BUSY)
			r->remaining++;
out:
	free(paths);
	free(map);
	free(idx);
	mountinfo_free(&ms);
	return ret;
}
