/* Opening the installed system the same way in every applet. */
#include "target.h"
#include "detect.h"
#include "err.h"
#include "mount_opts.h"
#include "mountinfo.h"
#include "ext4.h"
#include "loop.h"
#include "pmount.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int is_ext(const char *t)
{
	return !strcmp(t, "ext2") || !strcmp(t, "ext3") || !strcmp(t, "ext4");
}

/* The mount point where the rescue system has DEV's whole filesystem. */
static int find_mount(dev_t dev, char *mp, size_t sz, int *ro)
{
	struct mounts ms;
	int r = mountinfo_load(&ms);
	if (r)
		return r;
	size_t from = 0;
	const struct mnt *m;
	int found = 0;
	while ((m = mountinfo_by_dev(&ms, dev, &from))) {
		if (strcmp(m->root, "/"))
			continue;
		snprintf(mp, sz, "%s", m->target);
		*ro = fstab_opt(m->opts, "ro", NULL, 0);
		found = 1;
		break;
	}
	mountinfo_free(&ms);
	return found;
}

static int refuse_kind(const struct devid *id)
{
	const char *t = id->fstype;
	if (!strcmp(t, "linux_raid_member"))
		return rc_failx(RC_EXIT_REFUSED, EINVAL, "%s is a RAID member; writing to it would desync the array. "
				"Assemble it ('mdadm --assemble --scan') and use the md device", id->path);
	if (!strcmp(t, "LVM2_member"))
		return rc_failx(RC_EXIT_REFUSED, EINVAL, "%s is an LVM physical volume. Activate it ('vgchange -ay') "
				"and use the logical volume (/dev/VG/LV)", id->path);
	if (!strcmp(t, "crypto_LUKS"))
		return rc_failx(RC_EXIT_REFUSED, EINVAL, "%s is encrypted (LUKS). Open it first: "
				"'cryptsetup open %s root', then use /dev/mapper/root", id->path, id->path);
	char why[512];
	if (devid_conflicting(id, why, sizeof(why)))
		return rc_failx(RC_EXIT_REFUSED, EINVAL, "%s %s", id->path, why);
	if (!strcmp(t, "swap"))
		return rc_failx(RC_EXIT_REFUSED, EINVAL, "%s is swap, not a root filesystem", id->path);
	if (!t[0])
		return rc_failx(RC_EXIT_NOTFOUND, ENODEV, "%s holds no filesystem that rescuectl recognises%s", id->path,
				id->pttype[0] ? " (it is a partitioned disk: name one of its partitions)" : "");
	return 0;
}

/* ---- reading ------------------------------------------------------------ */

/* A block device for the kernel to mount: DEV itself, or a loop device
 * attached to the image file (autoclear: it goes with the mount). */
static int block_for(struct target *t, const struct stat *st, int rw, int *loopfd)
{
	*loopfd = -1;
	if (S_ISBLK(st->st_mode))
		return 0;
	*loopfd = loop_attach(t->device, !rw, t->loopdev, sizeof(t->loopdev));
	return *loopfd < 0 ? *loopfd : 0;
}

/* The options of a private mount: ext4 never panics the rescue kernel on
 * an error (errors=remount-ro, whatever the superblock says); read-only
 * looks replay nothing (NOREPLAY); btrfs takes the root's subvolume. */
static void mount_data(const struct target *t, int rw, const char *noreplay_opt, const char *subvol,
		       char *out, size_t sz)
{
	const char *base = rw ? (is_ext(t->fstype) ? "errors=remount-ro" : "") : noreplay_opt;
	int sv = subvol && *subvol;
	snprintf(out, sz, "%s%s%s%s", base, *base && sv ? "," : "", sv ? "subvol=" : "", sv ? subvol : "");
}

static int private_mount(struct target *t, const struct stat *st, int rw, const char *subvol)
{
	char data[256];
	int loopfd, rootfd, r;
	const char *fs = is_ext(t->fstype) ? "ext4" : t->fstype;
	if ((r = block_for(t, st, rw, &loopfd)))
		return r;
	const char *bdev = t->loopdev[0] ? t->loopdev : t->device;
	mount_data(t, rw, mount_noreplay_opt(t->fstype), subvol, data, sizeof(data));
	r = pmount_open(bdev, fs, rw, data, &rootfd);
	if (r == -EINVAL && !rw && !strcmp(t->fstype, "btrfs")) {  /* kernels before 5.9 */
		mount_data(t, rw, "nologreplay", subvol, data, sizeof(data));
		r = pmount_open(bdev, fs, rw, data, &rootfd);
	}
	if (loopfd >= 0)
		close(loopfd);  /* the mount holds the loop device now, or nothing does */
	if (r)
		return rw ? rc_context(r, "refusing to edit %s: rescuectl writes to an unmounted filesystem only "
				       "through the kernel, whose journal keeps every edit whole", t->device) : r;
	t->via = TARGET_VIA_PRIVATE;
	char desc[PATH_MAX + 64];
	snprintf(desc, sizeof(desc), "%s (%s, private mount)", t->device, t->fstype);
	return tree_open_dirfd(rootfd, rw, desc, &t->tree);
}

static int open_readonly(struct target *t, const struct stat *st, const char *subvol)
{
	if (S_ISREG(st->st_mode)) {
		char where[4096];
		if (dev_in_use(t->device, where, sizeof(where)) > 0)
			return rc_failx(RC_EXIT_REFUSED, EBUSY, "%s is in use through a loop device (mounted on %s); "
					"use --root %s or unmount it", t->device, where, where);
	}
	if (is_ext(t->fstype)) {
		t->via = TARGET_VIA_OFFLINE;
		return tree_open_ext4(t->device, &t->tree);
	}
	return private_mount(t, st, 0, subvol);
}

/* ---- writing -------------------------------------------------------------- */

/* What libext2fs can tell before the kernel is asked to mount it. */
static int ext_preflight(const char *dev)
{
	struct ext4_info in;
	if (ext4_read_info(dev, &in))
		return rc_context(-EIO, "refusing to edit %s", dev);
	const char *why = NULL;
	if (in.needs_recovery)
		why = "its journal needs recovery (the system was not shut down cleanly). Run 'rescuectl fsck' "
		      "first (e2fsck replays the journal and checks the filesystem)";
	else if (in.errors)
		why = "it has errors recorded. Run 'rescuectl fsck' first";
	return why ? rc_failx(RC_EXIT_REFUSED, EBUSY, "refusing to edit %s: %s", dev, why) : 0;
}

/* Everything that must hold before the first write, checked without
 * writing: the lock, nobody else using it, a clean ext4. The tree stays
 * read-only (the plan is made from it) until target_writable. */
/* dev_busy, but a use that is only the kernel still tearing down the
 * private mount of a run that just ended (killed, say) — an autoclear loop
 * device with nothing mounted, or an exclusive hold with no mount — is
 * given a few seconds to go away: the kernel does that asynchronously. */
static int busy_settled(const char *dev, struct busy *b)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	int r;
	for (int waited = 0;; waited += 50) {
		r = dev_busy(dev, b);
		int settling = r > 0 && ((b->kind == BUSY_LOOP && b->dev[0] && loop_autoclear(b->dev)) ||
					 b->kind == BUSY_EXCL);
		if (!settling || waited >= 5000)
			return r;
		nanosleep(&ts, NULL);
	}
}

static int open_writable(struct target *t, const struct stat *st, const char *subvol)
{
	struct busy b;
	int r = dev_lock(t->device, 3000, &t->lock);
	if (r)
		return r;
	if ((r = busy_settled(t->device, &b)) < 0)
		return r;
	if (r > 0)
		return rc_failx(RC_EXIT_REFUSED, EBUSY, "refusing to write to %s: it is in use, %s. Writing "
				"behind another user's back corrupts it: unmount or detach it everywhere, or edit "
				"it through its mount with --root DIR", t->device, b.text);
	if (is_ext(t->fstype) && (r = ext_preflight(t->device)))
		return r;
	t->want_rw = 1;
	snprintf(t->subvol, sizeof(t->subvol), "%s", subvol ? subvol : "");
	return open_readonly(t, st, subvol);
}

/* A private read-only mount's autoclear loop device must be gone before
 * the next mount of the same image. */
static int drop_tree(struct target *t)
{
	int r = t->tree ? tree_close(t->tree) : 0;
	t->tree = NULL;
	if (t->loopdev[0] && loop_wait_gone(t->loopdev, 10000) && !r)
		r = rc_fail(EBUSY, "%s is still attached to %s; detach it with 'losetup -d %s'", t->device,
			    t->loopdev, t->loopdev);
	t->loopdev[0] = 0;
	return r;
}

int target_writable(struct target *t)
{
	if (t->tree && tree_writable(t->tree))
		return 0;
	if (!t->want_rw)
		return rc_fail(EROFS, "%s was opened read-only", t->device[0] ? t->device : t->root);
	struct stat st;
	int r = drop_tree(t);
	if (r)
		return r;
	if (stat(t->device, &st) < 0)
		return rc_fail(errno, "%s: %s", t->device, strerror(errno));
	return private_mount(t, &st, 1, t->subvol);
}

/* DEV, probed already as KNOWN when it was found (NULL: probe it here). */
static int open_device(struct target *t, const char *dev, unsigned flags, const char *subvol,
		       const struct devid *known)
{
	int rw = !!(flags & TARGET_RW);
	struct stat st;
	int r;
	if (stat(dev, &st) < 0)
		return rc_failx(RC_EXIT_NOTFOUND, errno, "%s: %s", dev, strerror(errno));
	if (!S_ISBLK(st.st_mode) && !S_ISREG(st.st_mode))
		return rc_fail(EINVAL, "%s is neither a block device nor an image file", dev);
	snprintf(t->device, sizeof(t->device), "%s", dev);
	if (known)
		t->id = *known;
	else if ((r = probe_device(dev, &t->id)))
		return r;
	if ((r = refuse_kind(&t->id)))
		return r;
	snprintf(t->fstype, sizeof(t->fstype), "%s", t->id.fstype);
	if (!is_ext(t->fstype) && strcmp(t->fstype, "xfs") && strcmp(t->fstype, "btrfs"))
		return rc_failx(RC_EXIT_REFUSED, EINVAL, "%s holds %s, which rescuectl cannot work on", dev, t->fstype);
	/* Already mounted (by mount-root, say): go through that mount, never
	 * behind the kernel's back. */
	int ro = 0;
	if (S_ISBLK(st.st_mode) && find_mount(st.st_rdev, t->root, sizeof(t->root), &ro) > 0) {
		if (rw && ro)
			return rc_failx(RC_EXIT_REFUSED, EROFS, "%s is mounted read-only on %s; remount it "
					"read-write or unmount it ('rescuectl umount-root')", dev, t->root);
		t->via = TARGET_VIA_MOUNTED;
		return tree_open_dir(t->root, rw, &t->tree);
	}
	return rw ? open_writable(t, &st, subvol) : open_readonly(t, &st, subvol);
}

int target_open(const char *device, const char *rootdir, unsigned flags, struct target *t)
{
	memset(t, 0, sizeof(*t));
	if (rootdir) {
		struct stat st;
		if (stat(rootdir, &st) < 0 || !S_ISDIR(st.st_mode))
			return rc_failx(RC_EXIT_NOTFOUND, ENOENT, "--root %s: not a directory", rootdir);
		snprintf(t->root, sizeof(t->root), "%s", rootdir);
		t->via = TARGET_VIA_DIR;
		return tree_open_dir(rootdir, !!(flags & TARGET_RW), &t->tree);
	}
	if (device)
		return open_device(t, device, flags, NULL, NULL);
	struct detect d;
	const struct cand *c;
	struct detect_policy p = { .want = DETECT_ONE };
	int r = detect_find_root(&p, &d, &c);
	if (r == 0)
		r = open_device(t, c->id.path, flags, c->subvol, &c->id);
	detect_free(&d);
	return r;
}

int target_close(struct target *t)
{
	/* The kernel lets go of an autoclear loop device asynchronously once
	 * the mount's last fd is gone: drop_tree waits, still holding the
	 * lock, so that the next run finds the image free. */
	int r = drop_tree(t);
	dev_unlock(&t->lock);
	return r;
}

const char *target_describe(const struct target *t, char *buf, size_t sz)
{
	switch (t->via) {
	case TARGET_VIA_DIR:
		snprintf(buf, sz, "%s", t->root);
		break;
	case TARGET_VIA_OFFLINE:
		snprintf(buf, sz, "%s (%s, %s)", t->device, t->fstype, t->want_rw ? "unmounted" : "read offline");
		break;
	case TARGET_VIA_MOUNTED:
		snprintf(buf, sz, "%s (%s, mounted on %s)", t->device, t->fstype, t->root);
		break;
	case TARGET_VIA_PRIVATE:
		snprintf(buf, sz, "%s (%s, private mount)", t->device, t->fstype);
		break;
	default:
		snprintf(buf, sz, "?");
	}
	return buf;
}
