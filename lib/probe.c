/* libblkid probing: one device, ahead of time, and once per run. */
#include "probe.h"
#include "err.h"
#include <blkid/blkid.h>
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

/* A partition's entry in its disk's partition table, as libblkid reports
 * it in PART_ENTRY_* (START and SIZE in 512-byte sectors). */
struct pent {
	uint64_t start, size, flags;
	int extended;
	char uuid[64], name[128], type[64];
};

/* A disk's partition table, as blkid_probe_get_partitions lists it. */
struct probe_ptab {
	dev_t disk;
	int read;              /* the table was looked for (none found: N 0) */
	struct pent *e;
	size_t n;
};

/* Superblocks and partitions, with the slow probers last: the ZFS prober
 * reads four 256 KiB labels and the xfs external log prober (which has no
 * magic, so it runs on every device) 256 KiB at the start, together nine
 * tenths of all the bytes a probe reads. They run only where nothing else
 * was found. blkid_do_safeprobe's result; *PARTS says whether the probe that
 * gave it had the partitions chain on. PFLAGS: the partitions chain's
 * flags (BLKID_PARTS_ENTRY_DETAILS: libblkid reads the disk's table again
 * for a partition's PART_ENTRY_*). */
static int safeprobe(blkid_probe pr, int pflags, int *parts)
{
	char *nozfs[] = { "zfs_member", "xfs_external_log", NULL };
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_UUID | BLKID_SUBLKS_LABEL |
					  BLKID_SUBLKS_USAGE | BLKID_SUBLKS_VERSION);
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, pflags);
	blkid_probe_filter_superblocks_type(pr, BLKID_FLTR_NOTIN, nozfs);
	int pr_r = blkid_do_safeprobe(pr);
	const char *ty = NULL;
	*parts = 1;
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
			*parts = 0;
		}
	}
	return pr_r;
}

/* The partitions of LS into PT (on failure PT stays empty). */
static void ptab_fill(blkid_partlist ls, struct probe_ptab *pt)
{
	int n = ls ? blkid_partlist_numof_partitions(ls) : 0;
	pt->read = 1;
	pt->e = n > 0 ? calloc((size_t)n, sizeof(*pt->e)) : NULL;
	for (int i = 0; pt->e && i < n; i++) {
		blkid_partition par = blkid_partlist_get_partition(ls, i);
		struct pent *e = &pt->e[pt->n++];
		const char *v;
		e->start = (uint64_t)blkid_partition_get_start(par);
		e->size = (uint64_t)blkid_partition_get_size(par);
		e->flags = blkid_partition_get_flags(par);
		e->extended = blkid_partition_is_extended(par);
		snprintf(e->uuid, sizeof(e->uuid), "%s", (v = blkid_partition_get_uuid(par)) ? v : "");
		snprintf(e->name, sizeof(e->name), "%s", (v = blkid_partition_get_name(par)) ? v : "");
		if ((v = blkid_partition_get_type_string(par)))
			snprintf(e->type, sizeof(e->type), "%s", v);
		else
			snprintf(e->type, sizeof(e->type), "0x%x", blkid_partition_get_type(par));
	}
}

/* The probe's values; with PT, its partition table too. */
static void values(blkid_probe pr, struct devid *id, struct probe_ptab *pt)
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
		if (pt)
			ptab_fill(ls, pt);
	}
	val(pr, "PART_ENTRY_FLAGS", flags, sizeof(flags));
	if (flags[0])
		id->part_flags = strtoull(flags, NULL, 0);
}

/* Probe PATH. LOOKED: PATH is a partition whose entry in its disk's table
 * was looked up the way libblkid looks it up (ENTRY, or NULL when the table
 * has none): libblkid does not read the disk's table again, and the
 * PART_ENTRY_* values come from ENTRY in the cases where libblkid would have
 * set them. With PT, a partition table found on PATH is kept there. */
static int probe_dev(const char *path, int looked, const struct pent *entry, struct devid *id,
		     struct probe_ptab *pt)
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
	int r = 0, parts;
	if (blkid_probe_set_device(pr, fd, 0, 0)) {
		r = rc_fail(EIO, "cannot probe %s", path);
	} else {
		id->size = (uint64_t)blkid_probe_get_size(pr);
		int pr_r = safeprobe(pr, looked ? 0 : BLKID_PARTS_ENTRY_DETAILS, &parts);
		if (pr_r == -2)   /* ambivalent: several signatures. Report it, never guess. */
			snprintf(id->fstype, sizeof(id->fstype), "ambivalent");
		else if (pr_r == 0)
			values(pr, id, pt);
		/* libblkid adds the entry wherever its partitions chain ran
		 * and did not fail (it then turns "nothing found" into 0) */
		if (entry && parts && (pr_r == 0 || pr_r == 1)) {
			snprintf(id->partuuid, sizeof(id->partuuid), "%s", entry->uuid);
			snprintf(id->partlabel, sizeof(id->partlabel), "%s", entry->name);
			snprintf(id->parttype, sizeof(id->parttype), "%s", entry->type);
			id->part_flags = entry->flags;
		}
	}
	blkid_free_probe(pr);
	close(fd);
	return r;
}

int probe_device(const char *path, struct devid *id)
{
	return probe_dev(path, 0, NULL, id, NULL);
}

/* ---- reading ahead --------------------------------------------------------- */

/* Where libblkid's probers read, from the start (OFF >= 0) or the end of the
 * device (OFF < 0); LIBBLKID_DEBUG=lowprobe lists each read. A safe probe
 * runs every prober, so these are read on every device, whatever it holds. */
struct span {
	int64_t off;
	uint32_t len;
};
static const struct span probe_spans[] = {
	{ 0, 136 << 10 },       /* MBR, GPT header and entries, the superblocks in
				   the first 64 KiB (+1377: ufs), vfat's FATs and
				   root directory on a small ESP */
	{ 256 << 10, 4096 },    /* LUKS2 secondary headers at 16 KiB .. 4 MiB, */
	{ 512 << 10, 4096 },    /* ufs at 256 KiB, VMFS at 1 and 2 MiB */
	{ 1 << 20, 4096 },
	{ 2 << 20, 4096 },
	{ 4 << 20, 4096 },
	{ -(8 << 10), 8 << 10 },      /* md 1.0, drbd, isw, hpt45x, DDF's anchor,
					 GPT's backup header */
	{ -(132 << 10), 4 << 10 },    /* DDF's secondary header (257 sectors from the end) */
};
/* md 0.90: 64 KiB from the end, the end rounded down to 64 KiB. */
#define MD090(size) ((int64_t)(((size) & ~(uint64_t)0xffff) - (64 << 10)))
/* On a whole disk only: promise_fasttrack's sectors, counted from the end. */
static const unsigned promise_sectors[] = { 63, 255, 256, 399, 591, 675, 735, 911, 951, 974, 991, 3087 };

static void ahead(int fd, uint64_t size, int64_t off, uint64_t len)
{
	uint64_t from = off >= 0 ? (uint64_t)off : (uint64_t)-off <= size ? size - (uint64_t)-off : 0;
	if (from >= size)
		return;
	if (len > size - from)
		len = size - from;
	posix_fadvise(fd, (off_t)from, (off_t)len, POSIX_FADV_WILLNEED);
}

void probe_readahead(int fd, uint64_t size, int whole)
{
	if (size >= (128 << 10))
		ahead(fd, size, MD090(size), 4096);
	for (size_t i = 0; i < sizeof(probe_spans) / sizeof(probe_spans[0]); i++)
		ahead(fd, size, probe_spans[i].off, probe_spans[i].len);
	for (size_t i = 0; whole && i < sizeof(promise_sectors) / sizeof(promise_sectors[0]); i++)
		ahead(fd, size, -(int64_t)promise_sectors[i] * 512, 512);
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

static struct probe_ptab *ptab_find(const struct probe_cache *pc, dev_t disk)
{
	for (size_t i = 0; i < pc->npt; i++)
		if (pc->pt[i].disk == disk)
			return &pc->pt[i];
	return NULL;
}

/* Keep PT as disk DISK's table (taken over). NULL when out of memory. */
static struct probe_ptab *ptab_keep(struct probe_cache *pc, dev_t disk, struct probe_ptab *pt)
{
	struct probe_ptab *n = realloc(pc->pt, (pc->npt + 1) * sizeof(*n));
	if (!n) {
		free(pt->e);
		return NULL;
	}
	pc->pt = n;
	n[pc->npt] = *pt;
	n[pc->npt].disk = disk;
	return &n[pc->npt++];
}

/* Disk DISK's partition table (node NODE): from its probe, or read as
 * libblkid reads it for a partition's PART_ENTRY_* (the partitions chain
 * alone, on a probe of its own). NULL when the disk cannot be probed. */
static const struct probe_ptab *ptab_get(struct probe_cache *pc, const char *node, dev_t disk)
{
	struct probe_ptab *hit = ptab_find(pc, disk), pt = { 0 };
	if (hit)
		return hit;
	int fd = open(node, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	blkid_probe pr = fd >= 0 ? blkid_new_probe() : NULL;
	if (pr && blkid_probe_set_device(pr, fd, 0, 0) == 0)
		ptab_fill(blkid_probe_get_partitions(pr), &pt);
	blkid_free_probe(pr);
	if (fd >= 0)
		close(fd);
	return pt.read ? ptab_keep(pc, disk, &pt) : NULL;
}

/* A sysfs value of the device directory DFD. */
static int sys_read(int dfd, const char *attr, char *v, size_t sz)
{
	int fd = openat(dfd, attr, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, v, sz - 1) : -1;
	if (fd >= 0)
		close(fd);
	v[n > 0 ? n : 0] = 0;
	return n > 0 ? 0 : -1;
}

/* A partition: where it lies, in 512-byte sectors, and its disk. */
struct probe_part {
	dev_t dev, disk;
	uint64_t start, size;
	char disk_name[64];
};

void probe_cache_disks(struct probe_cache *pc, const struct blkdevs *bs)
{
	if (!pc || sysroot()[0])
		return;
	for (size_t i = 0; i < bs->n; i++) {
		const struct blkdev *b = &bs->d[i], *d;
		size_t k = 0;
		while (k < pc->nparts && pc->parts[k].dev != b->devno)
			k++;
		if (b->kind != BLK_PART || !b->start || !b->devno || k < pc->nparts ||
		    !(d = blkdevs_find(bs, b->parent)) || !d->devno)
			continue;
		struct probe_part *n = realloc(pc->parts, (pc->nparts + 1) * sizeof(*n));
		if (!n)
			return;
		pc->parts = n;
		n[pc->nparts] = (struct probe_part){ .dev = b->devno, .disk = d->devno, .start = b->start,
						     .size = b->size / 512 };
		snprintf(n[pc->nparts++].disk_name, sizeof(n->disk_name), "%s", d->name);
	}
}

/* Where the partition ST lies (START, SIZE in sectors) and the node and
 * number of its disk, from sysfs, as libblkid finds them
 * (blkid_partlist_devno_to_partition, blkid_devno_to_devname). 0 when it
 * is no partition, or when libblkid would have to look further (a
 * device-mapper partition has no start; a disk without its /dev/NAME). */
static int part_sysfs(const struct stat *st, uint64_t *start, uint64_t *size, char *node, size_t nsz, dev_t *disk)
{
	char sys[64], link[PATH_MAX], a[32], b[32], d[32];
	unsigned maj, min;
	snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u", major(st->st_rdev), minor(st->st_rdev));
	int dfd = open(sys, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return 0;
	int ok = !sys_read(dfd, "start", a, sizeof(a)) && !sys_read(dfd, "size", b, sizeof(b)) &&
		 !sys_read(dfd, "../dev", d, sizeof(d)) && sscanf(d, "%u:%u", &maj, &min) == 2;
	close(dfd);
	ssize_t n = ok ? readlink(sys, link, sizeof(link) - 1) : -1;
	if (n <= 0)
		return 0;
	link[n] = 0;
	char *e = strrchr(link, '/'), *p;
	if (!e)
		return 0;
	*e = 0;
	p = strrchr(link, '/');
	snprintf(node, nsz, "/dev/%s", p ? p + 1 : link);
	*start = strtoull(a, NULL, 10);
	*size = strtoull(b, NULL, 10);
	*disk = makedev(maj, min);
	return 1;
}

/* part_sysfs, from what probe_cache_disks kept where it can. */
static int part_of(const struct probe_cache *pc, const struct stat *st, uint64_t *start, uint64_t *size,
		   char *node, size_t nsz, dev_t *disk)
{
	size_t k = 0;
	while (k < pc->nparts && pc->parts[k].dev != st->st_rdev)
		k++;
	if (k < pc->nparts) {
		*start = pc->parts[k].start;
		*size = pc->parts[k].size;
		*disk = pc->parts[k].disk;
		snprintf(node, nsz, "/dev/%s", pc->parts[k].disk_name);
	} else if (!part_sysfs(st, start, size, node, nsz, disk)) {
		return 0;
	}
	struct stat ds;
	return stat(node, &ds) == 0 && S_ISBLK(ds.st_mode) && ds.st_rdev == *disk;
}

/* The entry blkid_partlist_devno_to_partition picks. */
static const struct pent *pent_find(const struct probe_ptab *pt, uint64_t start, uint64_t size)
{
	for (size_t i = 0; i < pt->n; i++)
		if (pt->e[i].start == start && (pt->e[i].size == size || (pt->e[i].extended && size <= 1024)))
			return &pt->e[i];
	return NULL;
}

/* Probe PATH (ST) for the cache. A partition takes its entry from its
 * disk's table, read once per disk; a disk's table is kept for its
 * partitions. */
static int probe_new(struct probe_cache *pc, const char *path, const struct stat *st, struct devid *id)
{
	uint64_t start, size;
	char node[PATH_MAX];
	dev_t disk;
	const struct probe_ptab *dt;
	if (S_ISBLK(st->st_mode) && part_of(pc, st, &start, &size, node, sizeof(node), &disk) &&
	    (dt = ptab_get(pc, node, disk)))
		return probe_dev(path, 1, pent_find(dt, start, size), id, NULL);
	struct probe_ptab pt = { 0 };
	int r = probe_dev(path, 0, NULL, id, S_ISBLK(st->st_mode) ? &pt : NULL);
	if (pt.read && !ptab_find(pc, st->st_rdev))
		ptab_keep(pc, st->st_rdev, &pt);
	else
		free(pt.e);
	return r;
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
	int r = probe_new(pc, path, &st, id);
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
	free(pc->parts);
	for (size_t i = 0; i < pc->npt; i++)
		free(pc->pt[i].e);
	free(pc->pt);
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


int md_spec_names(const char *spec, const char *name)
{
	const char *n;
	if (!strncmp(spec, "/dev/md/", 8))
		n = spec + 8;
	else if (!strncmp(spec, "/dev/md", 7) && spec[7] >= '0' && spec[7] <= '9')
		n = spec + 7;
	else
		return 0;
	if (!n[0] || !name[0])
		return 0;
	if (strchr(n, ':'))
		return !strcmp(n, name);
	const char *colon = strchr(name, ':');
	return !strcmp(n, colon ? colon + 1 : name);
}

void md_array_name(const struct blkdev *b, const struct blkdevs *bs, struct probe_cache *pc, char *name,
		   size_t sz)
{
	name[0] = 0;
	for (size_t s = 0; s < b->nslaves && !name[0]; s++) {
		const struct blkdev *m = blkdevs_find(bs, b->slaves[s]);
		struct devid id;
		if (m && !probe_cached(pc, m->path, &id) && !strcmp(id.fstype, "linux_raid_member"))
			snprintf(name, sz, "%s", id.label);
	}
}
