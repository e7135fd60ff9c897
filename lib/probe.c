/* libblkid probing and the block devices of /sys/class/block. */
#include "probe.h"
#include "err.h"
#include <blkid/blkid.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static void val(blkid_probe pr, const char *name, char *out, size_t sz)
{
	const char *v = NULL;
	size_t len = 0;
	out[0] = 0;
	if (blkid_probe_lookup_value(pr, name, &v, &len) == 0 && v)
		snprintf(out, sz, "%s", v);
}

/* The name probe_device gives PATH. */
static void set_path(struct devid *id, const char *path)
{
	snprintf(id->path, sizeof(id->path), "%s", path);
	const char *b = strrchr(path, '/');
	snprintf(id->name, sizeof(id->name), "%s", b ? b + 1 : path);
}

/* Superblocks and partitions, with the slow probers last: the ZFS prober
 * reads four 256 KiB labels and the xfs external log prober (which has no
 * magic, so it runs on every device) 256 KiB at the start, together nine
 * tenths of all the bytes a probe reads. They run only where nothing else
 * was found. blkid_do_safeprobe's result. */
static int safeprobe(blkid_probe pr)
{
	char *nozfs[] = { "zfs_member", "xfs_external_log", NULL };
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_UUID | BLKID_SUBLKS_LABEL |
					  BLKID_SUBLKS_USAGE | BLKID_SUBLKS_VERSION);
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_ENTRY_DETAILS);
	blkid_probe_filter_superblocks_type(pr, BLKID_FLTR_NOTIN, nozfs);
	int pr_r = blkid_do_safeprobe(pr);
	const char *ty = NULL;
	if (pr_r == 1 || (pr_r == 0 && blkid_probe_lookup_value(pr, "TYPE", &ty, NULL) != 0 &&
			  blkid_probe_lookup_value(pr, "PTTYPE", &ty, NULL) != 0)) {
		blkid_reset_probe(pr);
		blkid_probe_enable_partitions(pr, 0);
		blkid_probe_filter_superblocks_type(pr, BLKID_FLTR_ONLYIN, nozfs);
		if (blkid_do_safeprobe(pr) != 0) {
			/* nothing at all: probe as before so the values are unchanged */
			blkid_reset_probe(pr);
			blkid_probe_enable_partitions(pr, 1);
			blkid_probe_reset_superblocks_filter(pr);
			blkid_probe_filter_superblocks_type(pr, BLKID_FLTR_NOTIN, nozfs);
			pr_r = blkid_do_safeprobe(pr);
		} else {
			pr_r = 0;
		}
	}
	return pr_r;
}

static void values(blkid_probe pr, struct devid *id)
{
	char flags[32];
	val(pr, "TYPE", id->fstype, sizeof(id->fstype));
	val(pr, "USAGE", id->usage, sizeof(id->usage));
	val(pr, "UUID", id->uuid, sizeof(id->uuid));
	val(pr, "LABEL", id->label, sizeof(id->label));
	val(pr, "VERSION", id->version, sizeof(id->version));
	val(pr, "PTTYPE", id->pttype, sizeof(id->pttype));
	val(pr, "PART_ENTRY_UUID", id->partuuid, sizeof(id->partuuid));
	val(pr, "PART_ENTRY_NAME", id->partlabel, sizeof(id->partlabel));
	val(pr, "PART_ENTRY_TYPE", id->parttype, sizeof(id->parttype));
	if (id->pttype[0]) {
		blkid_partlist ls = blkid_probe_get_partitions(pr);
		id->nparts = ls ? blkid_partlist_numof_partitions(ls) : 0;
	}
	val(pr, "PART_ENTRY_FLAGS", flags, sizeof(flags));
	if (flags[0])
		id->part_flags = strtoull(flags, NULL, 0);
}

int probe_device(const char *path, struct devid *id)
{
	memset(id, 0, sizeof(*id));
	set_path(id, path);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return rc_fail(errno, "cannot open %s: %s", path, strerror(errno));
	blkid_probe pr = blkid_new_probe();
	if (!pr) {
		close(fd);
		return rc_fail(ENOMEM, "out of memory");
	}
	int r = 0;
	if (blkid_probe_set_device(pr, fd, 0, 0)) {
		r = rc_fail(EIO, "cannot probe %s", path);
	} else {
		id->size = (uint64_t)blkid_probe_get_size(pr);
		int pr_r = safeprobe(pr);
		if (pr_r == -2)   /* ambiguous: several signatures. Report it, never guess. */
			snprintf(id->fstype, sizeof(id->fstype), "ambivalent");
		else if (pr_r == 0)
			values(pr, id);
	}
	blkid_free_probe(pr);
	close(fd);
	return r;
}

/* ---- the cache ------------------------------------------------------------ */

struct probe_hit {
	int blk;               /* a block device (DEV is its st_rdev) or a file (DEV, INO) */
	dev_t dev;
	ino_t ino;
	struct devid id;
};

static struct probe_hit *cache_find(const struct probe_cache *pc, const struct stat *st)
{
	int blk = S_ISBLK(st->st_mode);
	for (size_t i = 0; i < pc->n; i++) {
		struct probe_hit *h = &pc->e[i];
		if (h->blk == blk && (blk ? h->dev == st->st_rdev : h->dev == st->st_dev && h->ino == st->st_ino))
			return h;
	}
	return NULL;
}

int probe_cached(struct probe_cache *pc, const char *path, struct devid *id)
{
	struct stat st;
	if (!pc || stat(path, &st) < 0 || !(S_ISBLK(st.st_mode) || S_ISREG(st.st_mode)))
		return probe_device(path, id);
	const struct probe_hit *h = cache_find(pc, &st);
	if (h) {
		*id = h->id;
		set_path(id, path);
		return 0;
	}
	int r = probe_device(path, id);
	pc->probed++;
	struct probe_hit *ne = r ? NULL : realloc(pc->e, (pc->n + 1) * sizeof(*ne));
	if (!ne)
		return r;
	pc->e = ne;
	ne[pc->n].blk = S_ISBLK(st.st_mode);
	ne[pc->n].dev = ne[pc->n].blk ? st.st_rdev : st.st_dev;
	ne[pc->n].ino = st.st_ino;
	ne[pc->n++].id = *id;
	return 0;
}

void probe_cache_free(struct probe_cache *pc)
{
	free(pc->e);
	memset(pc, 0, sizeof(*pc));
}

int devid_conflicting(const struct devid *id, char *why, size_t wsz)
{
	if (!id->pttype[0] || id->nparts <= 0 || strcmp(id->usage, "filesystem"))
		return 0;
	snprintf(why, wsz, "holds both a %s partition table and a whole-device %s signature: one of them is "
		 "stale; refusing to guess (name a partition, or check with 'wipefs %s' which one is real)",
		 id->pttype, id->fstype, id->path);
	return 1;
}

const char *sysroot(void)
{
	const char *s = getenv("RESCUECTL_SYSROOT");
	return s ? s : "";
}

static int read_attr(const char *dir, const char *attr, char *buf, size_t sz)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", dir, attr);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		buf[0] = 0;
		return -errno;
	}
	ssize_t n = read(fd, buf, sz - 1);
	close(fd);
	if (n < 0) {
		buf[0] = 0;
		return -EIO;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = 0;
	return 0;
}

static int list_names(const char *dir, char ***out, size_t *n)
{
	DIR *d = opendir(dir);
	*out = NULL;
	*n = 0;
	if (!d)
		return 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char **nn = realloc(*out, (*n + 1) * sizeof(*nn));
		if (!nn)
			break;
		*out = nn;
		if (!(nn[*n] = strdup(de->d_name)))
			break;
		(*n)++;
	}
	closedir(d);
	return 0;
}

static void free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void blkdevs_free(struct blkdevs *bs)
{
	for (size_t i = 0; i < bs->n; i++) {
		free_names(bs->d[i].slaves, bs->d[i].nslaves);
		free_names(bs->d[i].holders, bs->d[i].nholders);
	}
	free(bs->d);
	bs->d = NULL;
	bs->n = 0;
}

static int cmp_dev(const void *a, const void *b)
{
	const struct blkdev *x = a, *y = b;
	/* Whole disks before their partitions, in name order. */
	return strcmp(x->name, y->name);
}

/* The kind of device sysfs directory DIR describes, and what goes with it. */
static void read_kind(const char *dir, struct blkdev *b)
{
	char v[256], real[PATH_MAX];
	if (!read_attr(dir, "partition", v, sizeof(v))) {
		b->kind = BLK_PART;
		b->partno = atoi(v);
		/* The parent is the directory above the partition's own. */
		char *s = realpath(dir, real) ? strrchr(real, '/') : NULL;
		if (s) {
			*s = 0;
			s = strrchr(real, '/');
			snprintf(b->parent, sizeof(b->parent), "%s", s ? s + 1 : real);
		}
	} else if (!strncmp(b->name, "md", 2)) {
		b->kind = BLK_MD;
		read_attr(dir, "md/level", b->md_level, sizeof(b->md_level));
	} else if (!read_attr(dir, "dm/name", b->dm_name, sizeof(b->dm_name))) {
		b->kind = BLK_DM;
		read_attr(dir, "dm/uuid", b->dm_uuid, sizeof(b->dm_uuid));
	} else if (!strncmp(b->name, "loop", 4)) {
		b->kind = BLK_LOOP;
		read_attr(dir, "loop/backing_file", b->loop_backing, sizeof(b->loop_backing));
	} else if (!strncmp(b->name, "ram", 3) || !strncmp(b->name, "zram", 4)) {
		b->kind = BLK_RAM;
	} else {
		b->kind = BLK_DISK;
	}
}

/* Block device NAME from its directory under BASE (/sys/class/block). */
static void read_dev(const char *base, const char *name, struct blkdev *b)
{
	char dir[PATH_MAX], v[256], sub[PATH_MAX];
	unsigned maj = 0, min = 0;
	memset(b, 0, sizeof(*b));
	snprintf(b->name, sizeof(b->name), "%s", name);
	snprintf(dir, sizeof(dir), "%s/%s", base, name);
	if (!read_attr(dir, "dev", v, sizeof(v)) && sscanf(v, "%u:%u", &maj, &min) == 2)
		b->devno = makedev(maj, min);
	if (!read_attr(dir, "size", v, sizeof(v)))
		b->size = strtoull(v, NULL, 10) * 512;
	if (!read_attr(dir, "ro", v, sizeof(v)))
		b->ro = atoi(v);
	snprintf(b->path, sizeof(b->path), "%s/dev/%s", sysroot(), b->name);
	read_kind(dir, b);
	snprintf(sub, sizeof(sub), "%s/slaves", dir);
	list_names(sub, &b->slaves, &b->nslaves);
	snprintf(sub, sizeof(sub), "%s/holders", dir);
	list_names(sub, &b->holders, &b->nholders);
}

int blkdevs_scan(struct blkdevs *bs)
{
	char base[PATH_MAX];
	bs->d = NULL;
	bs->n = 0;
	snprintf(base, sizeof(base), "%s/sys/class/block", sysroot());
	DIR *d = opendir(base);
	if (!d)
		return rc_fail(errno, "cannot list %s: is /sys mounted?", base);
	struct dirent *de;
	int r = 0;
	while (!r && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		struct blkdev *nd = realloc(bs->d, (bs->n + 1) * sizeof(*nd));
		if (!nd) {
			r = rc_fail(ENOMEM, "out of memory");
			break;
		}
		bs->d = nd;
		read_dev(base, de->d_name, &bs->d[bs->n++]);
	}
	closedir(d);
	if (r) {
		blkdevs_free(bs);
		return r;
	}
	if (bs->n)
		qsort(bs->d, bs->n, sizeof(*bs->d), cmp_dev);
	return 0;
}

const struct blkdev *blkdevs_find(const struct blkdevs *bs, const char *name)
{
	for (size_t i = 0; i < bs->n; i++)
		if (!strcmp(bs->d[i].name, name))
			return &bs->d[i];
	return NULL;
}
