/* The block devices of /sys/class/block (blkdev.h). Each attribute read is
 * a sysfs lookup: only what some caller uses is read, and a device's kind
 * decides which of its attributes exist at all. */
#include "blkdev.h"
#include "err.h"
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

const char *sysroot(void)
{
	const char *s = getenv("RESCUECTL_SYSROOT");
	return s ? s : "";
}

/* Attribute ATTR of the device directory DFD. Each lookup through the
 * /sys/class/block link costs a path walk: the attributes are opened
 * relative to the directory, opened once. */
static int read_attr(int dfd, const char *attr, char *buf, size_t sz)
{
	int fd = openat(dfd, attr, O_RDONLY | O_CLOEXEC);
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

static int list_names(int dfd, const char *sub, char ***out, size_t *n)
{
	int fd = openat(dfd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	*out = NULL;
	*n = 0;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
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

/* The last component but one of the symbolic link LINK ("../../devices/
 * virtual/block/loop0/loop0p1": loop0): a partition's directory lies in
 * its disk's. */
static void link_parent(const char *link, char *out, size_t sz)
{
	char t[PATH_MAX];
	ssize_t n = readlink(link, t, sizeof(t) - 1);
	out[0] = 0;
	if (n <= 0)
		return;
	t[n] = 0;
	char *s = strrchr(t, '/');
	if (!s)
		return;
	*s = 0;
	s = strrchr(t, '/');
	snprintf(out, sz, "%s", s ? s + 1 : t);
}

/* A device-mapper device is named as people type it, /dev/mapper/vg0-root
 * rather than /dev/dm-0, when that node exists and is this device. */
static void dm_path(struct blkdev *b)
{
	char p[PATH_MAX];
	struct stat st;
	if (!b->dm_name[0] || strchr(b->dm_name, '/'))
		return;
	snprintf(p, sizeof(p), "%s/dev/mapper/%s", sysroot(), b->dm_name);
	if (stat(p, &st) == 0 && S_ISBLK(st.st_mode) && st.st_rdev == b->devno)
		snprintf(b->path, sizeof(b->path), "%s", p);
}

/* The kind of device sysfs directory DIR (open as DFD) describes, and what
 * goes with it. */
static void read_kind(const char *dir, int dfd, struct blkdev *b)
{
	char v[256];
	if (!read_attr(dfd, "partition", v, sizeof(v))) {
		b->kind = BLK_PART;
		b->partno = atoi(v);
		link_parent(dir, b->parent, sizeof(b->parent));
		if (!read_attr(dfd, "start", v, sizeof(v)))
			b->start = strtoull(v, NULL, 10);
	} else if (!strncmp(b->name, "md", 2)) {
		b->kind = BLK_MD;
		read_attr(dfd, "md/level", b->md_level, sizeof(b->md_level));
	} else if (!strncmp(b->name, "dm-", 3) && !read_attr(dfd, "dm/name", b->dm_name, sizeof(b->dm_name))) {
		b->kind = BLK_DM;
		read_attr(dfd, "dm/uuid", b->dm_uuid, sizeof(b->dm_uuid));
		dm_path(b);
	} else if (!strncmp(b->name, "loop", 4)) {
		b->kind = BLK_LOOP;
	} else if (!strncmp(b->name, "ram", 3) || !strncmp(b->name, "zram", 4)) {
		b->kind = BLK_RAM;
	} else {
		b->kind = BLK_DISK;
	}
}

/* Block device NAME from its directory under BASE (/sys/class/block), its
 * number DEVNO when known (0: read it). -ENOENT when it has no number and
 * WHOLE (all or nothing). */
static int read_dev(const char *base, const char *name, dev_t devno, struct blkdev *b, int whole)
{
	char dir[PATH_MAX], v[256];
	unsigned maj = 0, min = 0;
	memset(b, 0, sizeof(*b));
	snprintf(b->name, sizeof(b->name), "%s", name);
	snprintf(dir, sizeof(dir), "%s/%s", base, name);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (devno)
		b->devno = devno;
	else if (!read_attr(dfd, "dev", v, sizeof(v)) && sscanf(v, "%u:%u", &maj, &min) == 2)
		b->devno = makedev(maj, min);
	else if (whole) {
		if (dfd >= 0)
			close(dfd);
		return -ENOENT;
	}
	if (!read_attr(dfd, "size", v, sizeof(v)))
		b->size = strtoull(v, NULL, 10) * 512;
	snprintf(b->path, sizeof(b->path), "%s/dev/%s", sysroot(), b->name);
	read_kind(dir, dfd, b);
	if (b->kind != BLK_PART)  /* nothing is built from several partitions of one */
		list_names(dfd, "slaves", &b->slaves, &b->nslaves);
	list_names(dfd, "holders", &b->holders, &b->nholders);
	if (dfd >= 0)
		close(dfd);
	return 0;
}

/* Append device NAME (DEVNO, WHOLE: read_dev's): its index. */
static int append(struct blkdevs *bs, const char *base, const char *name, dev_t devno, int whole)
{
	struct blkdev *nd = realloc(bs->d, (bs->n + 1) * sizeof(*nd));
	if (!nd)
		return rc_fail(ENOMEM, "out of memory");
	bs->d = nd;
	if (read_dev(base, name, devno, &bs->d[bs->n], whole) < 0)
		return -ENOENT;
	return (int)bs->n++;
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
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && (r = append(bs, base, de->d_name, 0, 0)) < 0)
			break;
	closedir(d);
	if (r < 0) {
		blkdevs_free(bs);
		return r;
	}
	if (bs->n)
		qsort(bs->d, bs->n, sizeof(*bs->d), cmp_dev);
	return 0;
}

/* blkdevs_add, with DEVNO when known. */
static int add(struct blkdevs *bs, const char *name, dev_t devno)
{
	char base[PATH_MAX];
	for (size_t i = 0; i < bs->n; i++)
		if (!strcmp(bs->d[i].name, name))
			return (int)i;
	if (!name[0] || strchr(name, '/') || name[0] == '.')
		return -ENOENT;
	snprintf(base, sizeof(base), "%s/sys/class/block", sysroot());
	return append(bs, base, name, devno, 1);
}

int blkdevs_add(struct blkdevs *bs, const char *name)
{
	return add(bs, name, 0);
}

int blkdevs_add_devno(struct blkdevs *bs, dev_t devno)
{
	char link[PATH_MAX], t[PATH_MAX];
	for (size_t i = 0; i < bs->n; i++)
		if (bs->d[i].devno == devno)
			return (int)i;
	snprintf(link, sizeof(link), "%s/sys/dev/block/%u:%u", sysroot(), major(devno), minor(devno));
	ssize_t n = readlink(link, t, sizeof(t) - 1);
	if (n <= 0)
		return -ENOENT;
	t[n] = 0;
	const char *s = strrchr(t, '/');
	return add(bs, s ? s + 1 : t, devno);
}

const struct blkdev *blkdevs_find(const struct blkdevs *bs, const char *name)
{
	for (size_t i = 0; i < bs->n; i++)
		if (!strcmp(bs->d[i].name, name))
			return &bs->d[i];
	return NULL;
}
