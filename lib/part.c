/* libfdisk in one place: see part.h. */
#include "part.h"
#include "err.h"
#include "lock.h"
#include "probe.h"
#include "size.h"
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libfdisk/libfdisk.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

struct part_disk {
	struct fdisk_context *cxt;
	struct fdisk_table *orig;   /* the table as read: what BLKPG diffs against */
	char path[PATH_MAX];
	char *orig_script;          /* the sfdisk dump of the table as read */
	int fd;
	int rw, written, blockdev;
	struct devlock lock;        /* rw: the disk's lock, shared with the rest of this process */
	char msgs[2048];
};

/* ---- sysfs ------------------------------------------------------------- */

static int read_sys(const char *path, char *buf, size_t sz)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, sz - 1);
	int e = errno;
	close(fd);
	if (n < 0)
		return -e;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = 0;
	return 0;
}

/* /sys/dev/block/MAJ:MIN resolved: ".../block/loop0/loop0p3" */
static int sys_dir_of(dev_t rdev, char *out, size_t outsz)
{
	char link[64];
	snprintf(link, sizeof(link), "/sys/dev/block/%u:%u", major(rdev), minor(rdev));
	if (!realpath(link, out))
		return -errno;
	(void)outsz;
	return 0;
}

/* Why a device that is not a plain partition cannot be shrunk here, and
 * what to do by hand. The e2fsprogs steps name rescuectl's own e2fsck and
 * resize2fs, which are there even when the rescue system has none. */
static int refuse_stacked(const char *dev, const struct blkdev *b, const struct blkdevs *bs)
{
	if (b->kind == BLK_MD || !strncmp(b->name, "md", 2) || !strncmp(b->parent, "md", 2))
		return rc_failx(RC_EXIT_REFUSED, EINVAL,
			"%s is a software RAID (md%s%s) device; shrink-root shrinks a partition of a disk, "
			"not an array. By hand: 'rescuectl e2fsck -f %s'; 'rescuectl resize2fs %s SIZE'; "
			"'mdadm --grow /dev/%s --size=KiB' (each member's used size, a bit above SIZE); "
			"then shrink each member partition, one at a time, never below that size plus the "
			"md data offset ('mdadm --examine' shows it). With metadata 0.90 or 1.0 the "
			"superblock sits at the end of each member: shrinking a member partition loses it",
			dev, b->md_level[0] ? " " : "", b->md_level, dev, dev,
			b->kind == BLK_MD ? b->name : b->parent);
	if (b->kind == BLK_DM) {
		if (!strncmp(b->dm_uuid, "LVM-", 4))
			return rc_failx(RC_EXIT_REFUSED, EINVAL,
				"%s is an LVM logical volume (%s); shrink-root shrinks a partition, not a volume. "
				"By hand: 'rescuectl e2fsck -f %s'; 'lvreduce --resizefs -L SIZE %s' (it runs the "
				"rescue system's resize2fs first; without one: 'rescuectl resize2fs %s SIZE', then "
				"'lvreduce -L SIZE %s'); then, to free space on the disk, 'pvmove' extents away "
				"from the end of the PV, 'pvresize --setphysicalvolumesize SIZE PV', and shrink "
				"the PV's partition to no less than that", dev, b->dm_name, dev, dev, dev, dev);
		if (!strncmp(b->dm_uuid, "CRYPT-", 6))
			return rc_failx(RC_EXIT_REFUSED, EINVAL,
				"%s is an encrypted (dm-crypt/LUKS) volume; shrink-root does not shrink "
				"through encryption. By hand: 'rescuectl e2fsck -f %s'; 'rescuectl resize2fs %s SIZE'; "
				"'cryptsetup resize %s --size SECTORS'; then shrink the LUKS partition to "
				"SIZE plus the LUKS header", dev, dev, dev, b->dm_name);
		return rc_failx(RC_EXIT_REFUSED, EINVAL,
			"%s is a device-mapper device (%s); shrink-root only shrinks a partition of a disk",
			dev, b->dm_name);
	}
	if (b->nholders)
		return rc_failx(RC_EXIT_REFUSED, EBUSY,
			"%s is used by %s (RAID, LVM or encryption on top of it); shrinking it would cut "
			"that device: shrink the top device first", dev, b->holders[0]);
	(void)bs;
	return 0;
}

int part_of_node(const char *partdev, char *disk, size_t disksz, size_t *partno)
{
	struct stat st;
	char name[64], dir[PATH_MAX];
	const char *sr = sysroot();
	int r;

	if (*sr) {
		/* a fake topology (tests): the node's name is the kernel name */
		const char *b = strrchr(partdev, '/');
		snprintf(name, sizeof(name), "%s", b ? b + 1 : partdev);
	} else {
		if (stat(partdev, &st) < 0)
			return rc_failx(RC_EXIT_NOTFOUND, errno, "cannot open %s: %s", partdev, strerror(errno));
		if (S_ISREG(st.st_mode))
			return rc_failx(RC_EXIT_USAGE, ENOTBLK,
				"%s is an image file; shrink-root works on a partition of a disk: attach it "
				"('losetup -f --show %s', 'partx -a /dev/loopN') and name the partition "
				"(/dev/loopNpM)", partdev, partdev);
		if (!S_ISBLK(st.st_mode))
			return rc_failx(RC_EXIT_USAGE, ENOTBLK, "%s is not a block device", partdev);
		if ((r = sys_dir_of(st.st_rdev, dir, sizeof(dir))) < 0)
			return rc_fail(r, "%s: no sysfs entry for device %u:%u", partdev,
				       major(st.st_rdev), minor(st.st_rdev));
		const char *b = strrchr(dir, '/');
		snprintf(name, sizeof(name), "%s", b ? b + 1 : dir);
	}
	struct blkdevs bs;
	if ((r = blkdevs_scan(&bs)) < 0)
		return r;
	const struct blkdev *b = blkdevs_find(&bs, name);
	if (!b) {
		r = rc_failx(RC_EXIT_NOTFOUND, ENODEV, "%s (%s) is not in %s/sys/class/block", partdev, name, sr);
		goto out;
	}
	if ((r = refuse_stacked(partdev, b, &bs)) < 0)
		goto out;
	if (b->kind != BLK_PART || !b->parent[0] || !b->partno) {
		r = rc_failx(RC_EXIT_REFUSED, EINVAL,
			"%s is a whole disk, not a partition: a filesystem without a partition has no "
			"partition to shrink; name a partition (e.g. %s1), or shrink the filesystem "
			"alone with resize2fs", partdev, partdev);
		goto out;
	}
	snprintf(disk, disksz, "%s/dev/%s", sr, b->parent);
	*partno = (size_t)b->partno;
	r = 0;
out:
	blkdevs_free(&bs);
	return r;
}

int part_kernel_name(const char *disk, size_t partno, char *name, size_t namesz)
{
	struct stat st;
	char dir[PATH_MAX];
	if (stat(disk, &st) < 0 || !S_ISBLK(st.st_mode))
		return rc_fail(ENOTBLK, "%s is not a block device", disk);
	int r = sys_dir_of(st.st_rdev, dir, sizeof(dir));
	if (r < 0)
		return rc_fail(r, "%s: no sysfs entry", disk);
	DIR *dh = opendir(dir);
	if (!dh)
		return rc_fail(errno, "cannot read %s", dir);
	struct dirent *de;
	int found = 0;
	while (!found && (de = readdir(dh))) {
		char pf[PATH_MAX + 300], buf[32];
		if (de->d_name[0] == '.')
			continue;
		snprintf(pf, sizeof(pf), "%s/%s/partition", dir, de->d_name);
		if (read_sys(pf, buf, sizeof(buf)) == 0 && strtoul(buf, NULL, 10) == partno) {
			snprintf(name, namesz, "%s", de->d_name);
			found = 1;
		}
	}
	closedir(dh);
	return found ? 0 : rc_fail(ENOENT, "the kernel has no partition %zu of %s in %s", partno, disk, dir);
}

/* The kernel's idea of a partition: start and size in 512-byte sectors. */
static int kernel_part(const char *disk, size_t partno, uint64_t *start, uint64_t *size)
{
	char name[128], p[PATH_MAX], buf[64];
	int r = part_kernel_name(disk, partno, name, sizeof(name));
	if (r < 0)
		return r;
	snprintf(p, sizeof(p), "/sys/class/block/%s/start", name);
	if ((r = read_sys(p, buf, sizeof(buf))) < 0)
		return r;
	*start = strtoull(buf, NULL, 10);
	snprintf(p, sizeof(p), "/sys/class/block/%s/size", name);
	if ((r = read_sys(p, buf, sizeof(buf))) < 0)
		return r;
	*size = strtoull(buf, NULL, 10);
	return 0;
}

/* ---- open / close ------------------------------------------------------ */

static int ask_cb(struct fdisk_context *cxt, struct fdisk_ask *ask, void *data)
{
	struct part_disk *d = data;
	(void)cxt;
	switch (fdisk_ask_get_type(ask)) {
	case FDISK_ASKTYPE_WARN:
	case FDISK_ASKTYPE_WARNX:
	case FDISK_ASKTYPE_INFO: {
		const char *m = fdisk_ask_print_get_mesg(ask);
		size_t l = strlen(d->msgs);
		if (m && l < sizeof(d->msgs) - 2) {
			int e = fdisk_ask_get_type(ask) == FDISK_ASKTYPE_WARN ?
				fdisk_ask_print_get_errno(ask) : 0;
			snprintf(d->msgs + l, sizeof(d->msgs) - l, "%s%s%s%s", l ? "; " : "", m,
				 e ? ": " : "", e ? strerror(e) : "");
		}
		return 0;
	}
	default:
		/* never a dialogue: every question is answered by the caller's
		 * template, so a question is a bug or an impossible request */
		return -EINVAL;
	}
}

const char *part_messages(struct part_disk *d)
{
	return d->msgs;
}

/* Open the device and lock it as sfdisk/growpart/udev agree: shared to
 * read, exclusive to write. The lock is lock.h's, the one the rest of
 * rescuectl takes on this disk, so a later step on one of its partitions
 * shares it instead of waiting for it. */
static int open_locked(struct part_disk *d, int timeout)
{
	struct stat st;
	int r = dev_lock_mode(d->path, d->rw, timeout * 1000, &d->lock);
	if (r)
		return r;
	d->fd = open(d->path, (d->rw ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (d->fd < 0)
		return rc_fail(errno, "cannot open %s: %s", d->path, strerror(errno));
	if (fstat(d->fd, &st) < 0)
		return rc_fail(errno, "cannot stat %s", d->path);
	d->blockdev = S_ISBLK(st.st_mode);
	if (!d->blockdev && !S_ISREG(st.st_mode))
		return rc_fail(EINVAL, "%s is neither a block device nor an image file", d->path);
	return 0;
}

/* The table through libfdisk: GPT or MBR, not a hybrid. */
static int read_label(struct part_disk *d)
{
	const char *disk = d->path;
	if (!(d->cxt = fdisk_new_context()))
		return rc_fail(ENOMEM, "out of memory");
	fdisk_set_ask(d->cxt, ask_cb, d);
	int r = fdisk_assign_device_by_fd(d->cxt, d->fd, disk, !d->rw);
	if (r < 0)
		return rc_fail(r, "cannot read the partition table of %s: %s", disk, strerror(-r));
	if (!fdisk_has_label(d->cxt))
		return rc_failx(RC_EXIT_NOTFOUND, ENXIO, "%s has no partition table (GPT or MBR)", disk);
	if (!fdisk_is_labeltype(d->cxt, FDISK_DISKLABEL_GPT) &&
	    !fdisk_is_labeltype(d->cxt, FDISK_DISKLABEL_DOS))
		return rc_failx(RC_EXIT_REFUSED, ENOTSUP, "%s: the %s partition table is not supported (GPT and MBR are)",
				disk, fdisk_label_get_name(fdisk_get_label(d->cxt, NULL)));
	if (fdisk_is_labeltype(d->cxt, FDISK_DISKLABEL_GPT) && fdisk_gpt_is_hybrid(d->cxt))
		return rc_failx(RC_EXIT_REFUSED, ENOTSUP,
				"%s has a hybrid MBR next to its GPT; editing only one of them would "
				"leave them disagreeing: change it with gdisk by hand", disk);
	if ((r = fdisk_get_partitions(d->cxt, &d->orig)) < 0)
		return rc_fail(r, "cannot read the partitions of %s", disk);
	/* the dump of the table as read, before any change in memory */
	return part_script_text(d, &d->orig_script);
}

int part_open(const char *disk, unsigned flags, int timeout, struct part_disk **out)
{
	struct part_disk *d = calloc(1, sizeof(*d));
	int r;
	*out = NULL;
	if (!d)
		return rc_fail(ENOMEM, "out of memory");
	d->fd = -1;
	d->rw = !!(flags & PART_RW);
	snprintf(d->path, sizeof(d->path), "%s", disk);
	if ((r = open_locked(d, timeout)) < 0 || (r = read_label(d)) < 0) {
		part_close(d);
		return r;
	}
	*out = d;
	return 0;
}

int part_close(struct part_disk *d)
{
	int r = 0;
	if (!d)
		return 0;
	if (d->cxt) {
		fdisk_unref_table(d->orig);
		/* by_fd: libfdisk does not close our fd */
		fdisk_deassign_device(d->cxt, 1);
		fdisk_unref_context(d->cxt);
	}
	if (d->fd >= 0) {
		if (d->written && fsync(d->fd) < 0)
			r = rc_fail(errno, "fsync %s: %s", d->path, strerror(errno));
		if (close(d->fd) < 0 && !r)
			r = rc_fail(errno, "close %s: %s", d->path, strerror(errno));
	}
	dev_unlock(&d->lock);
	free(d->orig_script);
	free(d);
	return r;
}

/* ---- reading ----------------------------------------------------------- */

int part_geom(struct part_disk *d, struct part_geom *g)
{
	struct fdisk_context *c = d->cxt;
	char *id = NULL;
	memset(g, 0, sizeof(*g));
	snprintf(g->label, sizeof(g->label), "%s", fdisk_is_labeltype(c, FDISK_DISKLABEL_GPT) ? "gpt" : "dos");
	if (fdisk_get_disklabel_id(c, &id) == 0 && id)
		snprintf(g->id, sizeof(g->id), "%s", id);
	free(id);
	g->sector_size = (uint32_t)fdisk_get_sector_size(c);
	g->nsectors = fdisk_get_nsectors(c);
	g->first_lba = fdisk_get_first_lba(c);
	g->last_lba = fdisk_get_last_lba(c);
	g->grain = fdisk_get_grain_size(c) / g->sector_size;
	if (!g->grain)
		g->grain = 1;
	g->align_offset = fdisk_get_alignment_offset(c) / g->sector_size;
	for (size_t i = 0; i < fdisk_get_npartitions(c); i++)
		if (fdisk_is_partition_used(c, i))
			g->nparts++;
	return 0;
}

int part_get(struct part_disk *d, size_t partno, struct part_info *pi)
{
	struct fdisk_partition *pa = NULL;
	memset(pi, 0, sizeof(*pi));
	if (!partno || partno > fdisk_get_npartitions(d->cxt) || !fdisk_is_partition_used(d->cxt, partno - 1))
		return rc_failx(RC_EXIT_NOTFOUND, ENOENT, "%s has no partition %zu", d->path, partno);
	int r = fdisk_get_partition(d->cxt, partno - 1, &pa);
	if (r < 0)
		return rc_fail(r, "cannot read partition %zu of %s", partno, d->path);
	pi->partno = partno;
	pi->start = fdisk_partition_get_start(pa);
	pi->size = fdisk_partition_get_size(pa);
	struct fdisk_parttype *t = fdisk_partition_get_type(pa);
	if (t) {
		const char *s = fdisk_parttype_get_string(t);
		if (s)
			snprintf(pi->type, sizeof(pi->type), "%s", s);
		else
			snprintf(pi->type, sizeof(pi->type), "%x", fdisk_parttype_get_code(t));
		if (fdisk_parttype_get_name(t))
			snprintf(pi->type_name, sizeof(pi->type_name), "%s", fdisk_parttype_get_name(t));
	}
	if (fdisk_partition_get_uuid(pa))
		snprintf(pi->uuid, sizeof(pi->uuid), "%s", fdisk_partition_get_uuid(pa));
	if (fdisk_partition_get_name(pa))
		snprintf(pi->name, sizeof(pi->name), "%s", fdisk_partition_get_name(pa));
	if (fdisk_partition_get_attrs(pa))
		snprintf(pi->attrs, sizeof(pi->attrs), "%s", fdisk_partition_get_attrs(pa));
	pi->logical = fdisk_partition_is_nested(pa);
	if (!pi->uuid[0] && fdisk_is_labeltype(d->cxt, FDISK_DISKLABEL_DOS)) {
		/* MBR PARTUUID as the kernel and blkid show it: ID-NN */
		char *id = NULL;
		if (fdisk_get_disklabel_id(d->cxt, &id) == 0 && id)
			snprintf(pi->uuid, sizeof(pi->uuid), "%s-%02zx",
				 strncmp(id, "0x", 2) ? id : id + 2, partno);
		free(id);
	}
	fdisk_unref_partition(pa);
	return 0;
}

int part_free_after(struct part_disk *d, size_t partno, uint64_t *start, uint64_t *end)
{
	struct part_info pi;
	struct fdisk_table *tb = NULL;
	struct fdisk_iter *it = NULL;
	struct fdisk_partition *pa;
	int r = part_get(d, partno, &pi);
	if (r < 0)
		return r;
	*start = 1;
	*end = 0;
	uint64_t first = pi.start + pi.size;
	r = fdisk_get_freespaces(d->cxt, &tb);
	if (r < 0)
		return rc_fail(r, "cannot list the free space of %s", d->path);
	it = fdisk_new_iter(FDISK_ITER_FORWARD);
	while (it && fdisk_table_next_partition(tb, it, &pa) == 0) {
		uint64_t s = fdisk_partition_get_start(pa), e = fdisk_partition_get_end(pa);
		/* libfdisk reports free areas aligned; the one following us
		 * starts within one grain after our end */
		if (s >= first && s < first + fdisk_get_grain_size(d->cxt) / fdisk_get_sector_size(d->cxt) + 1 &&
		    e >= s) {
			*start = s;
			*end = e;
			break;
		}
	}
	fdisk_free_iter(it);
	fdisk_unref_table(tb);
	return 0;
}

/* ---- sfdisk dump ------------------------------------------------------- */

static int script_of(struct part_disk *d, struct fdisk_script **out)
{
	struct fdisk_script *s = fdisk_new_script(d->cxt);
	if (!s)
		return rc_fail(ENOMEM, "out of memory");
	int r = fdisk_script_read_context(s, NULL);
	if (r < 0) {
		fdisk_unref_script(s);
		return rc_fail(r, "cannot describe the partition table of %s", d->path);
	}
	*out = s;
	return 0;
}

int part_script_text(struct part_disk *d, char **text)
{
	struct fdisk_script *s = NULL;
	char *buf = NULL;
	size_t len = 0;
	int r = script_of(d, &s);
	if (r < 0)
		return r;
	FILE *f = open_memstream(&buf, &len);
	if (!f) {
		fdisk_unref_script(s);
		return rc_fail(errno, "out of memory");
	}
	r = fdisk_script_write_file(s, f);
	fdisk_unref_script(s);
	if (fclose(f) != 0 && !r)
		r = -errno;
	if (r < 0) {
		free(buf);
		return rc_fail(r, "cannot write the sfdisk dump of %s", d->path);
	}
	*text = buf;
	return 0;
}

int part_save_script(struct part_disk *d, const char *path)
{
	const char *text = d->orig_script;
	int r = 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		return rc_fail(errno, "cannot create the table backup %s: %s", path, strerror(errno));
	}
	size_t len = strlen(text), off = 0;
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = rc_fail(errno, "cannot write the table backup %s: %s", path, strerror(errno));
			break;
		}
		off += (size_t)n;
	}
	if (!r && fsync(fd) < 0)
		r = rc_fail(errno, "cannot fsync the table backup %s: %s", path, strerror(errno));
	if (close(fd) < 0 && !r)
		r = rc_fail(errno, "cannot write the table backup %s: %s", path, strerror(errno));
	if (r)
		unlink(path);
	return r;
}

/* Does the kernel use partition PARTNO where the table (as read) puts it?
 * A table changed on disk without the kernel being told (fdisk whose
 * re-read failed) leaves the partition node at the old place: e2fsck and
 * resize2fs would work there while the table written describes another. */
int part_check_kernel(struct part_disk *d, size_t partno)
{
	struct part_info pi;
	uint64_t ks = 0, kz = 0;
	int r;
	if (!d->blockdev)
		return 0;
	if ((r = part_get(d, partno, &pi)) < 0)
		return r;
	if ((r = kernel_part(d->path, partno, &ks, &kz)) < 0)
		return rc_fail(-r, "cannot read the kernel's view of partition %zu of %s from sysfs: %s",
			       partno, d->path, strerror(-r));
	uint64_t ssf = fdisk_get_sector_size(d->cxt) / 512;
	if (ks != pi.start * ssf || kz != pi.size * ssf)
		return rc_failx(RC_EXIT_REFUSED, EBUSY,
				"partition %zu of %s is at sectors %" PRIu64 "+%" PRIu64 " in the table on disk, but "
				"the kernel still uses it at %" PRIu64 "+%" PRIu64 " (512-byte units): the table was "
				"changed without the kernel being told. Nothing was changed. Check which one is "
				"right ('sfdisk -d %s'), then 'partx -u %s' (or reboot) and try again",
				partno, d->path, pi.start * ssf, pi.size * ssf, ks, kz, d->path, d->path);
	return 0;
}

/* ---- changing ---------------------------------------------------------- */

int part_shrink(struct part_disk *d, size_t partno, uint64_t newsize)
{
	struct part_info before, after;
	int r = part_get(d, partno, &before);
	if (r < 0)
		return r;
	if (!newsize || newsize >= before.size)
		return rc_fail(EINVAL, "partition %zu: %" PRIu64 " sectors is not smaller than %" PRIu64,
			       partno, newsize, before.size);
	struct fdisk_partition *pa = fdisk_new_partition();
	if (!pa)
		return rc_fail(ENOMEM, "out of memory");
	/* only the size: libfdisk keeps the start, type, UUID, name, attrs */
	fdisk_partition_size_explicit(pa, 1);
	fdisk_partition_set_size(pa, newsize);
	r = fdisk_set_partition(d->cxt, partno - 1, pa);
	fdisk_unref_partition(pa);
	if (r < 0)
		return rc_fail(r, "cannot resize partition %zu of %s%s%s", partno, d->path,
			       d->msgs[0] ? ": " : "", d->msgs);
	/* check what libfdisk did, field by field */
	r = part_get(d, partno, &after);
	if (r < 0)
		return r;
	if (after.start != before.start || after.size != newsize ||
	    strcmp(after.type, before.type) || strcmp(after.uuid, before.uuid) ||
	    strcmp(after.name, before.name) || strcmp(after.attrs, before.attrs))
		return rc_fail(EIO, "libfdisk changed more than the size of partition %zu of %s "
			       "(start %" PRIu64 "->%" PRIu64 ", size %" PRIu64 "->%" PRIu64 ", type %s->%s, uuid %s->%s); "
			       "nothing was written",
			       partno, d->path, before.start, after.start, before.size, after.size,
			       before.type, after.type, before.uuid, after.uuid);
	return 0;
}

int part_new_parse(const char *spec, struct part_new *n)
{
	char buf[256];
	memset(n, 0, sizeof(*n));
	if (!spec || !*spec)
		return rc_failx(RC_EXIT_USAGE, EINVAL, "--new: empty");
	if (strlen(spec) >= sizeof(buf))
		return rc_failx(RC_EXIT_USAGE, EINVAL, "--new '%s': too long", spec);
	strcpy(buf, spec);
	char *type = strchr(buf, ':'), *name = NULL;
	if (type) {
		*type++ = 0;
		name = strchr(type, ':');
		if (name)
			*name++ = 0;
	}
	if (!strcmp(buf, "rest") || !strcmp(buf, "+") || !strcmp(buf, "-")) {
		n->bytes = 0;
	} else {
		int r = size_parse(buf, &n->bytes);
		if (r < 0)
			return rc_context(r, "--new '%s'", spec);
		if (!n->bytes)
			return rc_failx(RC_EXIT_USAGE, EINVAL, "--new '%s': a partition needs a size (or 'rest')", spec);
	}
	if (type) {
		if (strlen(type) >= sizeof(n->type))
			return rc_failx(RC_EXIT_USAGE, EINVAL, "--new '%s': type too long", spec);
		for (const char *p = type; *p; p++)
			if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != ' ')
				return rc_failx(RC_EXIT_USAGE, EINVAL, "--new '%s': bad character in type '%s'", spec, type);
		strcpy(n->type, type);
	}
	if (name) {
		/* GPT names are 36 UTF-16 units; keep to that in bytes to be safe */
		if (strlen(name) > 36)
			return rc_failx(RC_EXIT_USAGE, EINVAL, "--new '%s': name longer than 36 characters", spec);
		for (const char *p = name; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == '"' || *p == '\\')
				return rc_failx(RC_EXIT_USAGE, EINVAL, "--new '%s': bad character in name", spec);
		strcpy(n->name, name);
	}
	return 0;
}

static struct fdisk_parttype *parse_type(struct part_disk *d, const char *s)
{
	struct fdisk_label *lb = fdisk_get_label(d->cxt, NULL);
	int gpt = fdisk_is_labeltype(d->cxt, FDISK_DISKLABEL_GPT);
	if (!*s)
		s = gpt ? "0FC63DAF-8483-4772-8E79-3D69D8477DE4" : "83";
	return fdisk_label_advparse_parttype(lb, s,
		FDISK_PARTTYPE_PARSE_DATA | FDISK_PARTTYPE_PARSE_SHORTCUT |
		FDISK_PARTTYPE_PARSE_ALIAS | FDISK_PARTTYPE_PARSE_NAME |
		FDISK_PARTTYPE_PARSE_NOUNKNOWN);
}

/* The free area that holds sector LBA: its first and last sector. */
static int free_area_at(struct part_disk *d, uint64_t lba, uint64_t *start, uint64_t *end)
{
	struct fdisk_table *tb = NULL;
	struct fdisk_partition *pa;
	int r = fdisk_get_freespaces(d->cxt, &tb), found = 0;
	if (r < 0)
		return rc_fail(r, "cannot list the free space of %s", d->path);
	struct fdisk_iter *it = fdisk_new_iter(FDISK_ITER_FORWARD);
	while (it && !found && fdisk_table_next_partition(tb, it, &pa) == 0) {
		uint64_t s = fdisk_partition_get_start(pa), e = fdisk_partition_get_end(pa);
		if (s <= lba && lba <= e) {
			*start = s;
			*end = e;
			found = 1;
		}
	}
	fdisk_free_iter(it);
	fdisk_unref_table(tb);
	if (!found)
		return rc_failx(RC_EXIT_REFUSED, ENOSPC, "sector %" PRIu64 " of %s is not free", lba, d->path);
	return 0;
}

/* Refuse a partition of N->bytes that the free area at START cannot hold
 * with its end aligned the way libfdisk aligns it: libfdisk alone would
 * quietly make the partition smaller than asked. */
static int check_fits(struct part_disk *d, const struct part_new *n, uint64_t start)
{
	uint64_t fs = 0, fe = 0, ss = fdisk_get_sector_size(d->cxt);
	uint64_t grain = fdisk_get_grain_size(d->cxt) / ss, off = fdisk_get_alignment_offset(d->cxt) / ss;
	char a[32], b[32];
	int r = free_area_at(d, start, &fs, &fe);
	if (r < 0 || !n->bytes)
		return r;
	uint64_t end = size_align_down(fe + 1, grain, off);   /* exclusive */
	uint64_t want = (n->bytes + ss - 1) / ss, have = end > start ? end - start : 0;
	if (want > have)
		return rc_failx(RC_EXIT_REFUSED, ENOSPC,
				"a partition of %s does not fit: only %s is free there (sectors %" PRIu64 "-%" PRIu64
				", the end aligned to %s)", size_format(n->bytes, a, sizeof(a)),
				size_format(have * ss, b, sizeof(b)), start, end ? end - 1 : 0,
				size_format(grain * ss, (char[32]){ 0 }, 32));
	return 0;
}

/* After the add: libfdisk aligns the end down, never by a grain or more. */
static int check_added(struct part_disk *d, const struct part_new *n, size_t pn, uint64_t size)
{
	uint64_t ss = fdisk_get_sector_size(d->cxt), gb = fdisk_get_grain_size(d->cxt);
	char a[32], b[32];
	if (!n->bytes || size * ss >= n->bytes / gb * gb)
		return 0;
	fdisk_delete_partition(d->cxt, pn - 1);
	return rc_failx(RC_EXIT_REFUSED, ENOSPC, "a partition of %s does not fit: libfdisk could place only %s",
			size_format(n->bytes, a, sizeof(a)), size_format(size * ss, b, sizeof(b)));
}

/* An MBR partition starting at *S: a logical one inside the extended
 * partition (its EBR sits in front of it: a grain is left for it, as fdisk
 * does), else the first free primary slot. */
static int mbr_place(struct part_disk *d, struct fdisk_partition *pa, uint64_t *s)
{
	struct fdisk_context *c = d->cxt;
	size_t i;
	int in_ext = 0;
	for (i = 0; i < 4 && fdisk_is_partition_used(c, i); i++)
		;
	for (size_t k = 0; k < 4; k++) {
		struct fdisk_partition *e = NULL;
		if (fdisk_is_partition_used(c, k) && fdisk_get_partition(c, k, &e) == 0) {
			if (fdisk_partition_is_container(e) && *s >= fdisk_partition_get_start(e) &&
			    *s <= fdisk_partition_get_end(e))
				in_ext = 1;
			fdisk_unref_partition(e);
		}
	}
	if (in_ext) {
		*s = fdisk_align_lba(c, *s + 1, FDISK_ALIGN_UP);
		fdisk_partition_set_start(pa, *s);
		return 0;
	}
	if (i == 4)
		return rc_failx(RC_EXIT_REFUSED, ENOSPC,
				"all four MBR primary partitions are in use: no room for a new one");
	fdisk_partition_set_partno(pa, i);
	return 0;
}

/* The libfdisk template of new partition N at FROM (aligned up): type,
 * name, size or "rest", number. *S gets its first sector. */
static int template(struct part_disk *d, const struct part_new *n, uint64_t from,
		    struct fdisk_partition **out, uint64_t *s)
{
	struct fdisk_context *c = d->cxt;
	int gpt = fdisk_is_labeltype(c, FDISK_DISKLABEL_GPT), r = 0;
	if (n->name[0] && !gpt)
		return rc_failx(RC_EXIT_USAGE, EINVAL, "MBR partitions have no names ('%s')", n->name);
	struct fdisk_parttype *t = parse_type(d, n->type);
	if (!t)
		return rc_failx(RC_EXIT_USAGE, EINVAL,
				"unknown partition type '%s' for a %s table (a name such as linux, swap, home; "
				"a GUID; or an MBR hex code)", n->type, gpt ? "GPT" : "MBR");
	struct fdisk_partition *pa = fdisk_new_partition();
	if (!pa) {
		fdisk_unref_parttype(t);
		return rc_fail(ENOMEM, "out of memory");
	}
	uint64_t ss = fdisk_get_sector_size(c);
	*s = fdisk_align_lba(c, from, FDISK_ALIGN_UP);
	fdisk_partition_set_start(pa, *s);
	fdisk_partition_set_type(pa, t);
	fdisk_unref_parttype(t);
	if (n->name[0])
		fdisk_partition_set_name(pa, n->name);
	if (n->bytes)   /* libfdisk aligns the end */
		fdisk_partition_set_size(pa, (n->bytes + ss - 1) / ss);
	else
		fdisk_partition_end_follow_default(pa, 1);
	/* partition number: the first free one; MBR primaries by hand, as a
	 * template without a number would start a dialogue */
	if (gpt)
		fdisk_partition_partno_follow_default(pa, 1);
	else
		r = mbr_place(d, pa, s);
	if (r < 0)
		fdisk_unref_partition(pa);
	else
		*out = pa;
	return r;
}

int part_add(struct part_disk *d, const struct part_new *n, uint64_t from,
	     size_t *partno, uint64_t *start, uint64_t *size)
{
	struct fdisk_partition *pa = NULL;
	uint64_t s = 0;
	char a[32];
	int r = template(d, n, from, &pa, &s);
	if (r < 0)
		return r;
	if ((r = check_fits(d, n, s)) < 0) {
		fdisk_unref_partition(pa);
		return r;
	}
	size_t pn = 0;
	d->msgs[0] = 0;
	r = fdisk_add_partition(d->cxt, pa, &pn);
	fdisk_unref_partition(pa);
	if (r < 0)
		return rc_fail(r, "cannot add a %s partition at sector %" PRIu64 " of %s%s%s",
			       n->bytes ? size_format(n->bytes, a, sizeof(a)) : "rest-of-space",
			       s, d->path, d->msgs[0] ? ": " : "", d->msgs);
	struct part_info pi;
	if ((r = part_get(d, pn + 1, &pi)) < 0 || (r = check_added(d, n, pn + 1, pi.size)) < 0)
		return r;
	*partno = pn + 1;
	*start = pi.start;
	*size = pi.size;
	return 0;
}

int part_write(struct part_disk *d)
{
	if (!d->rw)
		return rc_fail(EROFS, "%s is open read-only", d->path);
	d->msgs[0] = 0;
	int r = fdisk_write_disklabel(d->cxt);
	if (r < 0)
		return rc_fail(r, "writing the partition table of %s failed: %s%s%s", d->path,
			       strerror(-r), d->msgs[0] ? "; " : "", d->msgs);
	d->written = 1;
	if (fsync(d->fd) < 0)
		return rc_fail(errno, "fsync of %s after writing the table failed: %s", d->path, strerror(errno));
	return 0;
}

int part_restore(struct part_disk *d)
{
	if (!d->rw)
		return rc_fail(EROFS, "%s is open read-only", d->path);
	struct fdisk_script *sc = fdisk_new_script(d->cxt);
	FILE *f = fmemopen(d->orig_script, strlen(d->orig_script), "r");
	int r = sc && f ? fdisk_script_read_file(sc, f) : -ENOMEM;
	if (f)
		fclose(f);
	d->msgs[0] = 0;
	if (r >= 0)
		r = fdisk_apply_script(d->cxt, sc);
	if (r >= 0)
		r = fdisk_write_disklabel(d->cxt);
	fdisk_unref_script(sc);
	if (r < 0)
		return rc_fail(r, "writing the old table of %s back failed: %s%s%s", d->path,
			       strerror(-r), d->msgs[0] ? "; " : "", d->msgs);
	d->written = 1;
	if (fsync(d->fd) < 0)
		return rc_fail(errno, "fsync of %s after writing the old table back failed: %s",
			       d->path, strerror(errno));
	return 0;
}

int part_tell_kernel(struct part_disk *d)
{
	if (!d->blockdev)
		return 0;
	d->msgs[0] = 0;
	int r = fdisk_reread_changes(d->cxt, d->orig);
	if (r < 0)
		return rc_fail(r, "telling the kernel about the new partitions of %s failed; "
			       "run 'partx -u %s' (or reboot) before using them", d->path, d->path);
	/* fdisk_reread_changes() only warns: check what the kernel sees */
	char bad[1024] = "";
	size_t bl = 0;
	uint64_t ssf = fdisk_get_sector_size(d->cxt) / 512;
	for (size_t i = 0; i < fdisk_get_npartitions(d->cxt); i++) {
		struct fdisk_partition *pa = NULL;
		uint64_t ks = 0, kz = 0;
		if (!fdisk_is_partition_used(d->cxt, i) || fdisk_get_partition(d->cxt, i, &pa) < 0)
			continue;
		int container = fdisk_partition_is_container(pa);
		uint64_t s = fdisk_partition_get_start(pa) * ssf, z = fdisk_partition_get_size(pa) * ssf;
		fdisk_unref_partition(pa);
		if (container)   /* the kernel shows an extended partition as 1-2 sectors */
			continue;
		if (kernel_part(d->path, i + 1, &ks, &kz) < 0 || ks != s || kz != z)
			bl += (size_t)snprintf(bad + bl, bl < sizeof(bad) ? sizeof(bad) - bl : 0,
					      "%s%zu", bl ? ", " : "", i + 1);
		if (bl >= sizeof(bad))
			break;
	}
	if (bad[0])
		return rc_fail(EBUSY, "the table of %s is written, but the kernel still sees partition(s) %s "
			       "the old way%s%s%s; run 'partx -u %s' (or reboot) before using them",
			       d->path, bad, d->msgs[0] ? " (" : "", d->msgs, d->msgs[0] ? ")" : "", d->path);
	return 0;
}
