/* The target's fstab as mount-root mounts it: see mount_fstab.h. */
#include "mount_fstab.h"
#include "chase.h"
#include "mount_opts.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

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

/* ---- the devices specs name ---------------------------------------------- */

static void devs_load(struct fstab_devs *fd)
{
	if (fd->loaded)
		return;
	fd->loaded = 1;
	if (blkdevs_scan(&fd->bs))
		return;
	probe_cache_disks(fd->probes, &fd->bs);
	fd->ids = calloc(fd->bs.n ? fd->bs.n : 1, sizeof(*fd->ids));
	for (size_t i = 0; fd->ids && i < fd->bs.n; i++) {
		const struct blkdev *b = &fd->bs.d[i];
		if (b->kind == BLK_RAM || b->size == 0 || probe_cached(fd->probes, b->path, &fd->ids[i]))
			memset(&fd->ids[i], 0, sizeof(fd->ids[i]));
		else
			snprintf(fd->ids[i].name, sizeof(fd->ids[i].name), "%s",
				 b->kind == BLK_DM && b->dm_name[0] ? b->dm_name : b->name);
	}
}

void fstab_devs_free(struct fstab_devs *fd)
{
	free(fd->ids);
	blkdevs_free(&fd->bs);
	fd->ids = NULL;
	fd->loaded = 0;
}

static const char *parent_of(const struct fstab_devs *fd, const char *path)
{
	for (size_t i = 0; i < fd->bs.n; i++)
		if (!strcmp(fd->bs.d[i].path, path))
			return fd->bs.d[i].parent[0] ? fd->bs.d[i].parent : fd->bs.d[i].name;
	return "";
}

/* A /dev path the scan did not name (by-id links, /dev/VG/LV): 1 when it
 * is a block device, with its type. */
static int dev_path(struct fstab_devs *fd, const char *spec, char *dev, size_t dsz, char *type, size_t tsz)
{
	char real[PATH_MAX];
	struct stat st;
	struct devid id;
	if (strncmp(spec, "/dev/", 5) || !realpath(spec, real) || stat(real, &st) < 0 || !S_ISBLK(st.st_mode))
		return 0;
	snprintf(dev, dsz, "%s", real);
	if (probe_cached(fd->probes, real, &id) == 0)
		snprintf(type, tsz, "%s", id.fstype);
	return 1;
}

/* An md path in fstab (/dev/md1, /dev/md/1): the array whose members carry
 * that name, whatever number the rescue system gave it (md126). -1 none,
 * -2 several arrays of that name (disks of two servers). */
static int md_by_name(struct fstab_devs *fd, const char *spec)
{
	int found = -1;
	if (strncmp(spec, "/dev/md", 7))
		return -1;
	for (size_t i = 0; fd->ids && i < fd->bs.n; i++) {
		char name[128];
		if (fd->bs.d[i].kind != BLK_MD || !fd->ids[i].path[0])
			continue;
		md_array_name(&fd->bs.d[i], &fd->bs, fd->probes, name, sizeof(name));
		if (md_spec_names(spec, name))
			found = found == -1 ? (int)i : -2;
	}
	return found;
}

/* The device an fstab spec names: 1 and the path and type; 0 none (with the
 * reason in WHY); several on different disks is refused, but one on the
 * root's own disk wins (cloned disks share UUIDs). An md path means the
 * array of that name (md_by_name) before any device that has the path here. */
static int resolve_spec(struct fstab_devs *fd, const char *spec, const char *rootdev, char *dev, size_t dsz,
			char *type, size_t tsz, char *why, size_t wsz)
{
	devs_load(fd);
	int md = md_by_name(fd, spec);
	if (md == -2) {
		snprintf(why, wsz, "several md arrays are named as %s; mount the right one yourself", spec);
		return 0;
	}
	if (md >= 0) {
		snprintf(dev, dsz, "%s", fd->bs.d[md].path);
		snprintf(type, tsz, "%s", fd->ids[md].fstype);
		return 1;
	}
	const char *rootdisk = parent_of(fd, rootdev);
	int hits = 0, best = -1, same = -1;
	for (size_t i = 0; fd->ids && i < fd->bs.n; i++) {
		if (!fd->ids[i].path[0] || !fstab_spec_matches(spec, &fd->ids[i]))
			continue;
		if (fd->bs.d[i].nholders)
			continue;  /* a member of md/dm: the array or LV is the device */
		hits++;
		best = (int)i;
		if (rootdisk[0] && !strcmp(fd->bs.d[i].parent, rootdisk))
			same = (int)i;
	}
	if (hits > 1 && same >= 0) {
		best = same;
	} else if (hits > 1) {
		snprintf(why, wsz, "%d devices match %s; name the right one by mounting it yourself", hits, spec);
		return 0;
	}
	if (best < 0 && dev_path(fd, spec, dev, dsz, type, tsz))
		return 1;
	if (best < 0) {
		snprintf(why, wsz, "no device found for %s (a missing disk, or RAID/LVM not assembled?)", spec);
		return 0;
	}
	snprintf(dev, dsz, "%s", fd->bs.d[best].path);
	snprintf(type, tsz, "%s", fd->ids[best].fstype);
	return 1;
}

/* ---- an entry as a mount --------------------------------------------------- */

/* fstab's type against the probed one: "auto" and ext2/3/4 take the probed
 * type; another mismatch is refused. */
static int check_type(const struct fstab_entry *e, const char *type, struct fstab_mount *m, char *why, size_t wsz)
{
	if (!type[0])
		return 1;
	if (!strcmp(e->vfstype, "auto") || (!strncmp(type, "ext", 3) && !strncmp(m->fstype, "ext", 3))) {
		snprintf(m->fstype, sizeof(m->fstype), "%s", type);
		return 1;
	}
	if (!strcmp(type, m->fstype))
		return 1;
	snprintf(why, wsz, "fstab says %s but %s holds %s; not mounted", e->vfstype, m->source, type);
	return 0;
}

/* The rescue system's own devices are never mounted into the target. */
static int rescue_device(const struct mounts *ms, const char *target, struct fstab_mount *m, char *why, size_t wsz)
{
	struct stat st;
	const struct mnt *mt;
	size_t from = 0;
	if (stat(m->source, &st) < 0 || !S_ISBLK(st.st_mode)) {
		snprintf(why, wsz, "%s is not a block device", m->source);
		return 1;
	}
	m->dev = st.st_rdev;
	while ((mt = mountinfo_by_dev(ms, st.st_rdev, &from)))
		if (!path_under(mt->target, target)) {
			snprintf(why, wsz, "%s is used by the rescue system (mounted on %s)", m->source, mt->target);
			return 1;
		}
	return 0;
}

/* fstab's options as flags and data; READ_ONLY adds the no-replay option. */
static int options(const struct fstab_entry *e, int read_only, struct fstab_mount *m, char *why, size_t wsz)
{
	if (mount_opts_parse(e->opts, &m->flags, m->data, sizeof(m->data))) {
		snprintf(why, wsz, "options too long: %s", e->opts);
		return 0;
	}
	if (!read_only)
		return 1;
	m->flags |= MS_RDONLY;
	const char *nr = mount_noreplay_opt(m->fstype);
	if (nr[0] && !strstr(m->data, "nologreplay") && !fstab_opt(m->data, nr, NULL, 0)) {
		size_t l = strlen(m->data);
		snprintf(m->data + l, sizeof(m->data) - l, "%s%s", l ? "," : "", nr);
	}
	return 1;
}

enum fstab_verdict fstab_mount_of(struct fstab_devs *fd, const struct fstab_entry *e, const char *rootdev,
				  const struct mounts *ms, const char *target, int read_only,
				  struct fstab_mount *m, char *why, size_t wsz)
{
	char type[32] = "";
	memset(m, 0, sizeof(*m));
	snprintf(m->fstype, sizeof(m->fstype), "%s", e->vfstype);
	if (!fstab_entry_mountable(e, why, wsz))
		return FSTAB_SKIP;
	if (!resolve_spec(fd, e->spec, rootdev, m->source, sizeof(m->source), type, sizeof(type), why, wsz) ||
	    !check_type(e, type, m, why, wsz) || rescue_device(ms, target, m, why, wsz) ||
	    !options(e, read_only, m, why, wsz))
		return FSTAB_FAIL;
	return FSTAB_MOUNT;
}

/* ---- order ------------------------------------------------------------------ */

static int cmp_len(const void *a, const void *b)
{
	const struct fstab_entry *x = *(const struct fstab_entry *const *)a, *y = *(const struct fstab_entry *const *)b;
	size_t lx = strlen(x->file), ly = strlen(y->file);
	if (lx != ly)
		return lx < ly ? -1 : 1;
	return x->line - y->line;
}

const struct fstab_entry **fstab_mount_order(const struct fstab *f, size_t *n)
{
	const struct fstab_entry **ord = calloc(f->n ? f->n : 1, sizeof(*ord));
	*n = 0;
	if (!ord)
		return NULL;
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->e[i].file, "/"))
			ord[(*n)++] = &f->e[i];
	qsort(ord, *n, sizeof(*ord), cmp_len);
	return ord;
}
