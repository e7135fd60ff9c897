/* The installed system's paths across its filesystems: see dview.h. */
#include "dview.h"
#include "err.h"
#include "chase.h"
#include "mount_fstab.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define FSTAB_MAX ((size_t)1 << 20)

static int dir_tree(const struct dview *v)
{
	return !v->tg || v->tg->via == TARGET_VIA_DIR || v->tg->via == TARGET_VIA_MOUNTED;
}

/* The block device holding directory DIR, as probe.h describes it. */
static int dev_of_dir(const char *dir, struct devid *id)
{
	struct stat st;
	char p[128], line[256], name[64] = "";
	if (stat(dir, &st) < 0)
		return -errno;
	snprintf(p, sizeof(p), "/sys/dev/block/%u:%u/uevent", major(st.st_dev), minor(st.st_dev));
	FILE *f = fopen(p, "re");
	if (!f)
		return -ENOENT;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "DEVNAME=", 8))
			snprintf(name, sizeof(name), "%.*s", (int)strcspn(line + 8, "\n"), line + 8);
	fclose(f);
	if (!name[0])
		return -ENOENT;
	snprintf(p, sizeof(p), "/dev/%s", name);
	return probe_device(p, id);
}

static void root_fs(struct dview *v, struct tree *t)
{
	struct dv_fs *r = &v->fs[0];
	snprintf(r->mp, sizeof(r->mp), "/");
	r->tree = t;
	r->state = 1;
	v->nfs = 1;
}

int dv_open(struct dview *v, struct target *tg, unsigned flags)
{
	memset(v, 0, sizeof(*v));
	v->tg = tg;
	v->flags = flags;
	root_fs(v, tg->tree);
	if (tg->device[0]) {
		v->root_id = tg->id;
		v->root_known = 1;
		if (!v->root_id.path[0])
			snprintf(v->root_id.path, sizeof(v->root_id.path), "%s", tg->device);
	} else if (dev_of_dir(tg->root, &v->root_id) == 0) {
		v->root_known = 1;
	}
	return 0;
}

int dv_open_dir(struct dview *v, struct tree *t)
{
	memset(v, 0, sizeof(*v));
	v->bare = t;
	v->dx_loaded = 1;   /* only the devices added by hand */
	root_fs(v, t);
	return 0;
}

int dv_close(struct dview *v)
{
	int r = 0;
	for (int i = 0; i < v->nfs; i++) {
		if (v->fs[i].own && target_close(&v->fs[i].t) && !r)
			r = -EIO;
	}
	v->nfs = 0;
	devindex_free(&v->dx);
	fstab_free(&v->fstab);
	return r;
}

const char *dv_why(const struct dview *v)
{
	return v->why;
}

struct devindex *dv_devices(struct dview *v)
{
	if (!v->dx_loaded) {
		v->dx_loaded = 1;
		devindex_load(&v->dx);
		if (v->root_known)
			devindex_add(&v->dx, &v->root_id);
	}
	return &v->dx;
}

int dv_add_device(struct dview *v, const struct devid *id)
{
	return devindex_add(&v->dx, id);
}

const struct fstab *dv_fstab(struct dview *v)
{
	if (v->fstab_state == 0) {
		char *buf;
		size_t len;
		v->fstab_state = -1;
		if (tree_read(v->fs[0].tree, "/etc/fstab", &buf, &len, FSTAB_MAX) == 0) {
			if (!memchr(buf, 0, len) && fstab_parse(buf, &v->fstab, NULL) == 0)
				v->fstab_state = 1;
			free(buf);
		}
	}
	return v->fstab_state == 1 ? &v->fstab : NULL;
}

/* The fstab entry of the separate filesystem holding PATH, or NULL. */
static const struct fstab_entry *holder(struct dview *v, const char *path)
{
	const struct fstab *f = dv_fstab(v);
	const struct fstab_entry *best = NULL;
	char why[128];
	for (size_t i = 0; f && i < f->n; i++) {
		const struct fstab_entry *e = &f->e[i];
		if (!path_under(path, e->file) || !fstab_entry_mountable(e, why, sizeof(why)))
			continue;
		if (!best || strlen(e->file) > strlen(best->file))
			best = e;
	}
	return best;
}

const char *dv_mountpoint_of(struct dview *v, const char *path, char *buf, size_t sz)
{
	const struct fstab_entry *e = holder(v, path);
	snprintf(buf, sz, "%s", e ? e->file : "/");
	return buf;
}

/* Is MP a mount point inside the directory tree (another filesystem than
 * its directory's)? Resolved inside the tree (chase.h); a link at MP is
 * no mount point. */
static int mounted_in_tree(struct dview *v, const char *mp)
{
	struct chase_out co;
	struct stat a, b;
	int fd = tree_dirfd(v->fs[0].tree), in = 0;
	int pfd = fd < 0 ? -1 : chase(fd, mp, CHASE_PARENT | CHASE_NOFOLLOW, &co);
	if (pfd < 0)
		return 0;
	if (strcmp(co.name, ".") && fstatat(pfd, co.name, &a, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(a.st_mode) &&
	    fstat(pfd, &b) == 0)
		in = a.st_dev != b.st_dev;
	close(pfd);
	return in;
}

#define FS_IN_ROOT 2   /* state: the mount point is part of the root tree */

static int open_fs(struct dview *v, struct dv_fs *fs)
{
	const struct devid *id = NULL;
	char why[320];
	if (v->bare || (dir_tree(v) && mounted_in_tree(v, fs->mp))) {
		fs->state = FS_IN_ROOT;
		return 0;
	}
	enum dx_answer a = devindex_find(dv_devices(v), fs->spec, &id, why, sizeof(why));
	fs->state = -1;
	if (a != DX_FOUND) {
		snprintf(fs->why, sizeof(fs->why), "%s (%s) was not read: %s", fs->mp, fs->spec, why);
		return -ENODATA;
	}
	if (v->root_known && !strcmp(id->path, v->root_id.path)) {
		snprintf(fs->why, sizeof(fs->why), "%s is on the root's own device (a subvolume): not read", fs->mp);
		return -ENODATA;
	}
	if (target_open(id->path, NULL, (v->flags & DV_RW) ? TARGET_RW : 0, &fs->t)) {
		snprintf(fs->why, sizeof(fs->why), "%s (%s) was not read: %s", fs->mp, id->path, rc_msg());
		target_close(&fs->t);
		return -ENODATA;
	}
	fs->own = 1;
	fs->tree = fs->t.tree;
	fs->state = 1;
	return 0;
}

static struct dv_fs *fs_for(struct dview *v, const struct fstab_entry *e)
{
	for (int i = 1; i < v->nfs; i++)
		if (!strcmp(v->fs[i].mp, e->file))
			return &v->fs[i];
	if (v->nfs >= DV_MAXFS)
		return NULL;
	struct dv_fs *fs = &v->fs[v->nfs++];
	memset(fs, 0, sizeof(*fs));
	snprintf(fs->mp, sizeof(fs->mp), "%s", e->file);
	snprintf(fs->spec, sizeof(fs->spec), "%s", e->spec);
	return fs;
}

/* The filesystem record holding PATH: fs[0] for the root tree. */
static int locate_fs(struct dview *v, const char *path, struct dv_fs **out)
{
	const struct fstab_entry *e = holder(v, path);
	struct dv_fs *fs = e ? fs_for(v, e) : &v->fs[0];
	if (!fs) {
		snprintf(v->why, sizeof(v->why), "%s: too many separate filesystems to open", path);
		return -ENODATA;
	}
	if (fs->state == 0)
		open_fs(v, fs);
	if (fs->state < 0) {
		snprintf(v->why, sizeof(v->why), "%s", fs->why);
		return -ENODATA;
	}
	*out = fs->state == FS_IN_ROOT ? &v->fs[0] : fs;
	return 0;
}

int dv_locate(struct dview *v, const char *path, struct tree **t, char *rel)
{
	struct dv_fs *fs;
	int r = locate_fs(v, path, &fs);
	if (r)
		return r;
	*t = fs->tree;
	const char *p = fs == &v->fs[0] ? path : path + strlen(fs->mp);
	snprintf(rel, PATH_MAX, "%s", *p ? p : "/");
	return 0;
}

int dv_writable(struct dview *v, const char *path, struct tree **tp, char *rel)
{
	struct dv_fs *fs;
	int r = locate_fs(v, path, &fs);
	if (r)
		return rc_fail(ENODATA, "%s", v->why);
	struct target *t = fs == &v->fs[0] ? v->tg : &fs->t;
	if (t && !tree_writable(t->tree)) {
		if ((r = target_writable(t)))
			return r;
		fs->tree = t->tree;
	}
	return dv_locate(v, path, tp, rel);
}

/* ---- reads -------------------------------------------------------------- */

#define LOCATE(v, path, t, rel) \
	struct tree *t; \
	char rel[PATH_MAX]; \
	int lr_ = dv_locate(v, path, &t, rel); \
	if (lr_) \
		return lr_

/* A path through something that is not a directory is absent. */
static int absent(int r)
{
	return r == -ENOTDIR ? -ENOENT : r;
}

int dv_read(struct dview *v, const char *path, char **buf, size_t *len, size_t max)
{
	LOCATE(v, path, t, rel);
	return tree_read(t, rel, buf, len, max);
}

/* tree_stat with the label; a failure other than absence worded (a
 * directory tree's tree_stat leaves that to its caller). */
static int meta_in(struct tree *t, const char *rel, unsigned flags, struct tree_stat *m)
{
	int r = absent(tree_stat(t, rel, flags | TREE_LABEL, m));
	if (r < 0 && r != -ENOENT && tree_kind(t) == TREE_DIR)
		r = rc_fail(-r, "cannot look at %s in %s: %s", rel, tree_desc(t), strerror(-r));
	return r;
}

int dv_meta(struct dview *v, const char *path, int follow, struct tree_stat *m)
{
	LOCATE(v, path, t, rel);
	return meta_in(t, rel, follow ? TREE_FOLLOW : 0, m);
}

int dv_readlink(struct dview *v, const char *path, char *buf, size_t sz)
{
	LOCATE(v, path, t, rel);
	return absent(tree_readlink(t, rel, buf, sz));
}

int dv_list(struct dview *v, const char *path, char ***names, size_t *n)
{
	*names = NULL;
	*n = 0;
	LOCATE(v, path, t, rel);
	return tree_list(t, rel, names, n);
}

int dv_pread(struct dview *v, const char *path, uint64_t off, void *buf, size_t len, size_t *got)
{
	LOCATE(v, path, t, rel);
	return absent(tree_pread(t, rel, off, buf, len, got));
}

int dv_tail(struct dview *v, const char *path, size_t max, char **buf, size_t *len, int *cut)
{
	LOCATE(v, path, t, rel);
	return absent(tree_read_tail(t, rel, max, buf, len, cut));
}

int dv_exists(struct dview *v, const char *path)
{
	struct tree_stat m;
	int r = dv_meta(v, path, 1, &m);
	return r == 0 ? 1 : r == -ENOENT ? 0 : r;
}

int dv_space(struct dview *v, const char *path, struct tree_space *s, char *dev, size_t dsz)
{
	LOCATE(v, path, t, rel);
	snprintf(dev, dsz, "%s", dv_device_of(v, path));
	return tree_space(t, rel, s);
}

const char *dv_device_of(struct dview *v, const char *path)
{
	struct dv_fs *fs;
	const struct fstab_entry *e = holder(v, path);
	if (locate_fs(v, path, &fs))
		return "";
	if (fs != &v->fs[0])
		return fs->t.device;
	if (!e || !v->tg || !v->tg->root[0])
		return v->root_known ? v->root_id.path : "";
	/* a filesystem mounted inside a --root tree: the device holding it */
	struct dv_fs *sub = fs_for(v, e);
	if (sub && !sub->t.device[0]) {
		char dir[PATH_MAX + 256];
		snprintf(dir, sizeof(dir), "%s%s", v->tg->root, e->file);
		if (dev_of_dir(dir, &sub->t.id) == 0)
			snprintf(sub->t.device, sizeof(sub->t.device), "%s", sub->t.id.path);
	}
	return sub ? sub->t.device : "";
}

/* Is the filesystem holding PATH mounted (by the rescue system or under
 * --root), as opposed to read offline or through a private mount of ours? */
int dv_mounted(struct dview *v, const char *path)
{
	struct dv_fs *fs;
	if (locate_fs(v, path, &fs))
		return 0;
	if (fs == &v->fs[0])
		return v->tg && (v->tg->via == TARGET_VIA_DIR || v->tg->via == TARGET_VIA_MOUNTED);
	return fs->t.via == TARGET_VIA_MOUNTED || fs->t.via == TARGET_VIA_DIR;
}

int dv_meta_mountpoint(struct dview *v, const char *mp, struct tree_stat *m)
{
	char parent[PATH_MAX], rel[PATH_MAX], path[2 * PATH_MAX];
	const char *sl = strrchr(mp, '/');
	struct tree *t;
	if (!sl || !sl[1])
		return dv_meta(v, mp, 1, m);
	snprintf(parent, sizeof(parent), "%.*s", (int)(sl - mp), mp);
	int r = dv_locate(v, parent[0] ? parent : "/", &t, rel);
	if (r)
		return r;
	snprintf(path, sizeof(path), "%s%s", strcmp(rel, "/") ? rel : "", sl);
	return meta_in(t, path, TREE_FOLLOW, m);
}
