/* Opening the installed system the same way in every applet. */
#include "target.h"
#include "detect.h"
#include "err.h"
#include "mount.h"
#include "mountinfo.h"
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
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

/* A private mount of an xfs/btrfs root, in this process's own mount
 * namespace so the rescue system never sees it. */
static int tmp_mount(struct target *t, int rw, const char *subvol)
{
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return rc_fail(errno, "cannot make a private mount namespace: %s", strerror(errno));
	snprintf(t->tmpmount, sizeof(t->tmpmount), "/tmp/rescuectl-root.XXXXXX");
	if (!mkdtemp(t->tmpmount)) {
		t->tmpmount[0] = 0;
		return rc_fail(errno, "cannot create a temporary directory: %s", strerror(errno));
	}
	char opts[256] = "";
	if (subvol && *subvol)
		snprintf(opts, sizeof(opts), "subvol=%s", subvol);
	int mr = rw ? (mount(t->device, t->tmpmount, t->fstype, 0, opts[0] ? opts : NULL) < 0 ? -errno : 0)
		    : mount_ro_noreplay(t->device, t->tmpmount, t->fstype, 0, opts, NULL, 0);
	if (mr < 0) {
		int e = -mr;
		rmdir(t->tmpmount);
		t->tmpmount[0] = 0;
		return rc_fail(e, "cannot mount %s (%s): %s", t->device, t->fstype, strerror(e));
	}
	snprintf(t->root, sizeof(t->root), "%s", t->tmpmount);
	t->via = TARGET_VIA_TMPMOUNT;
	return 0;
}

static int open_device(struct target *t, const char *dev, unsigned flags, const char *subvol)
{
	int rw = !!(flags & TARGET_RW);
	struct stat st;
	int r;
	if (stat(dev, &st) < 0)
		return rc_failx(RC_EXIT_NOTFOUND, errno, "%s: %s", dev, strerror(errno));
	if (!S_ISBLK(st.st_mode) && !S_ISREG(st.st_mode))
		return rc_fail(EINVAL, "%s is neither a block device nor an image file", dev);
	snprintf(t->device, sizeof(t->device), "%s", dev);
	if ((r = probe_device(dev, &t->id)))
		return r;
	if ((r = refuse_kind(&t->id)))
		return r;
	snprintf(t->fstype, sizeof(t->fstype), "%s", t->id.fstype);
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
	if (S_ISREG(st.st_mode)) {
		char where[4096];
		if (dev_in_use(dev, where, sizeof(where)) > 0)
			return rc_failx(RC_EXIT_REFUSED, EBUSY, "%s is in use through a loop device (mounted on %s); "
					"use --root %s or unmount it", dev, where, where);
	}
	if (is_ext(t->fstype)) {
		t->via = TARGET_VIA_OFFLINE;
		return tree_open_ext4(dev, rw, &t->tree);
	}
	if (!strcmp(t->fstype, "xfs") || !strcmp(t->fstype, "btrfs")) {
		if (flags & TARGET_NO_MOUNT)
			return rc_failx(RC_EXIT_REFUSED, EINVAL, "%s is %s; this step needs it mounted", dev, t->fstype);
		if (S_ISREG(st.st_mode))
			return rc_fail(EINVAL, "%s is an %s image file: attach it first with 'losetup -f --show %s'",
				       dev, t->fstype, dev);
		if ((r = tmp_mount(t, rw, subvol)))
			return r;
		return tree_open_dir(t->root, rw, &t->tree);
	}
	return rc_failx(RC_EXIT_REFUSED, EINVAL, "%s holds %s, which rescuectl cannot work on", dev, t->fstype);
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
		return open_device(t, device, flags, NULL);
	struct detect d;
	int r = detect_scan(NULL, 0, "/mnt", &d);
	if (r)
		return r;
	int i = detect_pick(&d);
	if (i < 0) {
		detect_free(&d);
		return -ENOENT;
	}
	char dev[PATH_MAX], subvol[128];
	snprintf(dev, sizeof(dev), "%s", d.c[i].id.path);
	snprintf(subvol, sizeof(subvol), "%s", d.c[i].subvol);
	detect_free(&d);
	return open_device(t, dev, flags, subvol);
}

int target_close(struct target *t)
{
	int r = 0;
	if (t->tree)
		r = tree_close(t->tree);
	t->tree = NULL;
	if (t->tmpmount[0]) {
		if (umount2(t->tmpmount, 0) < 0 && umount2(t->tmpmount, MNT_DETACH) < 0 && !r)
			r = rc_fail(errno, "cannot unmount %s: %s", t->tmpmount, strerror(errno));
		rmdir(t->tmpmount);
		t->tmpmount[0] = 0;
	}
	return r;
}

const char *target_describe(const struct target *t, char *buf, size_t sz)
{
	switch (t->via) {
	case TARGET_VIA_DIR:
		snprintf(buf, sz, "%s", t->root);
		break;
	case TARGET_VIA_OFFLINE:
		snprintf(buf, sz, "%s (%s, edited offline)", t->device, t->fstype);
		break;
	case TARGET_VIA_MOUNTED:
		snprintf(buf, sz, "%s (%s, mounted on %s)", t->device, t->fstype, t->root);
		break;
	case TARGET_VIA_TMPMOUNT:
		snprintf(buf, sz, "%s (%s, private temporary mount)", t->device, t->fstype);
		break;
	default:
		snprintf(buf, sz, "?");
	}
	return buf;
}
