/* detect-root's engine, shared by every applet that finds the target itself.
 * ext2/3/4 is read through libext2fs: no mount, no journal replay. xfs and
 * btrfs are looked at through a read-only mount that cannot replay a journal
 * (ro,norecovery / ro,rescue=nologreplay), made by a child process in its own
 * mount namespace and private temporary directory, so nothing of it is ever
 * seen by the rescue system and nothing outlives the look. */
#include "detect.h"
#include "chase.h"
#include "err.h"
#include "mount_opts.h"
#include "mountinfo.h"
#include "tree.h"
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* GPT Discoverable Partitions: root partition types. */
static const struct { const char *guid, *arch; } root_types[] = {
	{ "4f68bce3-e8cd-4db1-96e7-fbcaf984b709", "x86-64" },
	{ "44479540-f297-41b2-9af7-d131d5f0458a", "x86" },
	{ "b921b045-1df0-41c3-af44-4c6f280d3fae", "arm64" },
	{ "69dad710-2ce4-4e3c-b16c-21a1d49abed3", "arm" },
	{ "72ec70a6-cf74-40e6-bd49-4bda08e8f224", "riscv64" },
};

static void evidence(struct cand *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void evidence(struct cand *c, const char *fmt, ...)
{
	if (c->nevidence >= DETECT_MAX_EVIDENCE)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->evidence[c->nevidence++], sizeof(c->evidence[0]), fmt, ap);
	va_end(ap);
}

static void hint(struct detect *d, const char *h)
{
	for (int i = 0; i < d->nhints; i++)
		if (!strcmp(d->hints[i], h))
			return;
	if (d->nhints < 8)
		snprintf(d->hints[d->nhints++], sizeof(d->hints[0]), "%s", h);
}

static int add(struct detect *d, struct cand **out)
{
	struct cand *nc = realloc(d->c, (d->n + 1) * sizeof(*nc));
	if (!nc)
		return -ENOMEM;
	d->c = nc;
	*out = &d->c[d->n++];
	memset(*out, 0, sizeof(**out));
	return 0;
}


/* What the look at an xfs/btrfs sends back from its child process. */
struct look {
	struct rootinfo ri;
	char subvol[128];
	int ok;                    /* it could be mounted at all */
};

/* In the child: mount the filesystem read-only in a namespace of its own
 * and inspect it. btrfs: the default subvolume first, then the usual root
 * subvolumes. */
static void look_child(const struct cand *c, struct look *res)
{
	memset(res, 0, sizeof(*res));
	char dir[] = "/tmp/rescuectl-look.XXXXXX";
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 || !mkdtemp(dir))
		return;
	const char *subs[] = { NULL, "@", "root", "@rootfs", "rootfs" };
	int nsubs = !strcmp(c->id.fstype, "btrfs") ? 5 : 1;
	for (int i = 0; i < nsubs && !res->ri.is_root; i++) {
		char o[256] = "";
		if (subs[i])
			snprintf(o, sizeof(o), "subvol=%s", subs[i]);
		if (mount_ro_noreplay(c->id.path, dir, c->id.fstype, MS_NOSUID | MS_NODEV | MS_NOEXEC, o, NULL, 0) < 0)
			continue;
		res->ok = 1;
		struct tree *t;
		if (tree_open_dir(dir, 0, &t) == 0) {
			rootfs_inspect(t, &res->ri);
			tree_close(t);
		}
		if (res->ri.is_root && subs[i])
			snprintf(res->subvol, sizeof(res->subvol), "%s", subs[i]);
		umount2(dir, MNT_DETACH);
	}
	rmdir(dir);
}

/* Inspect an xfs/btrfs filesystem through a private read-only mount in a
 * child process; the child sends back the rootinfo. */
static int inspect_mounted_child(struct cand *c)
{
	int p[2];
	struct look res;
	if (pipe(p) < 0)
		return -errno;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -errno;
	}
	if (pid == 0) {
		close(p[0]);
		look_child(c, &res);
		ssize_t w = write(p[1], &res, sizeof(res));
		_exit(w == (ssize_t)sizeof(res) ? 0 : 1);
	}
	close(p[1]);
	/* A damaged filesystem can hang its driver: give the look 30 s. */
	struct pollfd pf = { .fd = p[0], .events = POLLIN };
	int pr, st;
	while ((pr = poll(&pf, 1, 30000)) < 0 && errno == EINTR)
		;
	ssize_t n = pr > 0 ? read(p[0], &res, sizeof(res)) : -1;
	close(p[0]);
	if (pr <= 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, WNOHANG);  /* a child stuck in the kernel is left to init */
		return -ETIMEDOUT;
	}
	waitpid(pid, &st, 0);
	if (n != (ssize_t)sizeof(res))
		return -EIO;
	if (!res.ok)
		return -ENODEV;
	c->ri = res.ri;
	snprintf(c->subvol, sizeof(c->subvol), "%s", res.subvol);
	return 0;
}

/* Whether PATH is mounted, or held exclusively, by anyone: mountinfo shows
 * only this mount namespace's mounts (asked only when none of ours under
 * the target holds it: a re-run of mount-root looks at its own mount). A second mount of such a device gets
 * the live filesystem (btrfs even read-write: our read-only mount is then a
 * view of it), and if ours ends last, its unmount is the one that writes. An
 * exclusive open fails with EBUSY while any mount or exclusive user holds
 * the device; ours is closed before the child mounts. */
static int held_elsewhere(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_EXCL);
	if (fd < 0)
		return errno == EBUSY;
	close(fd);
	return 0;
}

static void inspect(struct cand *c)
{
	struct tree *t = NULL;
	int r;
	if (c->mountpoint[0]) {
		snprintf(c->via, sizeof(c->via), "mounted");
		if ((r = tree_open_dir(c->mountpoint, 0, &t)) == 0) {
			rootfs_inspect(t, &c->ri);
			tree_close(t);
		}
	} else if (!strncmp(c->id.fstype, "ext", 3) && c->id.fstype[3] >= '2' && c->id.fstype[3] <= '4') {
		snprintf(c->via, sizeof(c->via), "libext2fs");
		if ((r = tree_open_ext4(c->id.path, &t)) == 0) {
			rootfs_inspect(t, &c->ri);
			tree_close(t);
		} else {
			snprintf(c->ri.why_not, sizeof(c->ri.why_not), "unreadable: %s", rc_msg());
		}
	} else if (!strcmp(c->id.fstype, "xfs") || !strcmp(c->id.fstype, "btrfs")) {
		snprintf(c->via, sizeof(c->via), "ro-mount");
		struct stat st;
		if (stat(c->id.path, &st) == 0 && !S_ISBLK(st.st_mode)) {
			snprintf(c->ri.why_not, sizeof(c->ri.why_not),
				 "an image file: attach it with 'losetup -f --show FILE' to look inside");
			return;
		}
		if (!c->mounted_at_target && held_elsewhere(c->id.path)) {
			snprintf(c->ri.why_not, sizeof(c->ri.why_not),
				 "in use elsewhere (mounted in another mount namespace, or held by another program): not mounted again");
			return;
		}
		if ((r = inspect_mounted_child(c)) < 0)
			snprintf(c->ri.why_not, sizeof(c->ri.why_not), "cannot mount it read-only (%s): %s",
				 c->id.fstype, strerror(-r));
	} else {
		snprintf(c->ri.why_not, sizeof(c->ri.why_not), "%s is not a filesystem rescuectl looks into",
			 c->id.fstype);
	}
}

static void judge(struct cand *c)
{
	if (!c->ri.is_root)
		return;
	evidence(c, "/etc, /bin and %s present", c->ri.has_fstab ? "/etc/fstab" : "/etc/hosts");
	if (c->ri.os.pretty_name[0])
		evidence(c, "os-release: %s", c->ri.os.pretty_name);
	if (c->ri.fstab_root_spec[0]) {
		c->fstab_confirms = fstab_spec_matches(c->ri.fstab_root_spec, &c->id);
		evidence(c, "fstab mounts / from %s%s", c->ri.fstab_root_spec,
			 c->fstab_confirms ? " (this device)" : " (not confirmed as this device)");
	}
	for (size_t i = 0; i < sizeof(root_types) / sizeof(root_types[0]); i++)
		if (!strcasecmp(c->id.parttype, root_types[i].guid))
			evidence(c, "GPT partition type: Linux root (%s)", root_types[i].arch);
	char sv[128];
	if (!strcmp(c->id.fstype, "btrfs") && fstab_opt(c->ri.fstab_root_opts, "subvol", sv, sizeof(sv))) {
		const char *a = sv[0] == '/' ? sv + 1 : sv, *b = c->subvol[0] == '/' ? c->subvol + 1 : c->subvol;
		if (strcmp(a, b))
			evidence(c, "fstab mounts subvolume %s; found the root in %s", sv,
				 c->subvol[0] ? c->subvol : "the default subvolume");
		else
			evidence(c, "btrfs subvolume %s, as fstab's subvol= says", c->subvol);
	} else if (c->subvol[0]) {
		evidence(c, "btrfs subvolume %s", c->subvol);
	} else if (!strcmp(c->id.fstype, "btrfs")) {
		evidence(c, "btrfs default subvolume");
	}
	c->sure = c->fstab_confirms ? "high" : c->ri.os.id[0] ? "medium" : "low";
}

static void classify(struct detect *d, struct cand *c, const struct blkdev *b)
{
	const char *t = c->id.fstype;
	if (!t[0]) {
		snprintf(c->skip, sizeof(c->skip), c->id.pttype[0] ? "partitioned (%s)" : "no filesystem found",
			 c->id.pttype);
		return;
	}
	if (!strcmp(t, "linux_raid_member")) {
		c->member = 1;
		c->assembled = b && b->nholders > 0;
		snprintf(c->skip, sizeof(c->skip), "RAID member%s%s", c->assembled ? " of " : " (array not assembled)",
			 c->assembled ? b->holders[0] : "");
		if (!c->assembled)
			hint(d, "RAID members found but no array is assembled: run 'mdadm --assemble --scan' "
				"(or 'rescuectl detect-root --assemble')");
		return;
	}
	if (!strcmp(t, "LVM2_member")) {
		c->member = 2;
		c->assembled = b && b->nholders > 0;
		snprintf(c->skip, sizeof(c->skip), "LVM physical volume%s", c->assembled ? "" : " (volume group not active)");
		if (!c->assembled)
			hint(d, "LVM physical volumes found but no volume group is active: run 'vgchange -ay' "
				"(or 'rescuectl detect-root --assemble')");
		return;
	}
	if (!strcmp(t, "crypto_LUKS")) {
		c->member = 3;
		c->assembled = b && b->nholders > 0;
		snprintf(c->skip, sizeof(c->skip), "encrypted (LUKS)%s", c->assembled ? ", opened" : "");
		if (!c->assembled) {
			char h[256];
			snprintf(h, sizeof(h), "%s is encrypted: open it first with 'cryptsetup open %s root', "
				 "then run detect-root again", c->id.path, c->id.path);
			hint(d, h);
		}
		return;
	}
	if (!strcmp(t, "swap")) {
		snprintf(c->skip, sizeof(c->skip), "swap");
		return;
	}
	char why[sizeof(c->skip)];
	if (devid_conflicting(&c->id, why, sizeof(why))) {
		snprintf(c->skip, sizeof(c->skip), "%s", why);
		return;
	}
	if (!strcmp(t, "ambivalent")) {
		snprintf(c->skip, sizeof(c->skip), "several signatures; refusing to guess (see 'wipefs %s')", c->id.path);
		return;
	}
	inspect(c);
	judge(c);
	if (c->ri.is_root)
		d->nroots++;
}

/* fstab names the array by its name on the installed system: when the
 * members carry that name, fstab means this array (md0 there, md127 here). */
static void md_confirm(struct detect *d, struct cand *c, const struct blkdev *b, const struct blkdevs *bs)
{
	const char *spec = c->ri.fstab_root_spec;
	char name[128];
	if (c->fstab_confirms)
		return;
	md_array_name(b, bs, d->probes, name, sizeof(name));
	if (!md_spec_names(spec, name))
		return;
	c->fstab_confirms = 1;
	c->sure = "high";
	for (int e = 0; e < c->nevidence; e++)
		if (strstr(c->evidence[e], "(not confirmed as this device)"))
			snprintf(c->evidence[e], sizeof(c->evidence[e]), "fstab mounts / from %s: this "
				 "array, its members are named %s (%s here)", spec, name, b->name);
}

/* ---- scanning ------------------------------------------------------------- */

struct scan {
	struct detect *d;
	const char *target_dir;
	struct blkdevs bs;
	int have_bs;
	struct mounts ms;
	int have_ms;
	dev_t swaps[32];
	size_t nswaps;
	int *held;                 /* per bs.d[k]: an open fd, or -1 */
};

/* Where, if anywhere, the rescue system has DEV mounted. Returns 1 when it
 * is mounted outside TARGET_DIR (the rescue system's own); a mount of its
 * whole filesystem under TARGET_DIR is the installed system's, in MP; any
 * mount under TARGET_DIR sets *AT_TARGET. */
static int in_use(const struct mounts *ms, dev_t dev, const char *target_dir, char *mp, size_t mpsz, int *at_target)
{
	size_t from = 0;
	const struct mnt *m;
	mp[0] = 0;
	while ((m = mountinfo_by_dev(ms, dev, &from))) {
		if (path_under(m->target, target_dir)) {
			*at_target = 1;
			if (!mp[0] && !strcmp(m->root, "/"))
				snprintf(mp, mpsz, "%s", m->target);
			continue;
		}
		snprintf(mp, mpsz, "%s", m->target);
		return 1;
	}
	return 0;
}

/* The rescue system's own use of PATH, as the reason to skip it; or its
 * mount under the target in C->mountpoint. 1 = skip. */
static int rescue_owns(const struct scan *sc, struct cand *c, const char *path)
{
	struct stat st;
	char mp[sizeof(c->mountpoint)];
	if (!sc->have_ms || stat(path, &st) < 0 || !S_ISBLK(st.st_mode))
		return 0;
	if (in_use(&sc->ms, st.st_rdev, sc->target_dir, mp, sizeof(mp), &c->mounted_at_target)) {
		snprintf(c->skip, sizeof(c->skip), "used by the rescue system (mounted on %s)", mp);
		return 1;
	}
	snprintf(c->mountpoint, sizeof(c->mountpoint), "%s", mp);
	for (size_t i = 0; i < sc->nswaps; i++)
		if (sc->swaps[i] == st.st_rdev) {
			snprintf(c->skip, sizeof(c->skip), "used by the rescue system (active swap)");
			return 1;
		}
	return 0;
}

static int scan_one(struct scan *sc, const char *path, const struct blkdev *b)
{
	struct detect *d = sc->d;
	struct cand *c;
	int r = add(d, &c);
	if (r)
		return r;
	c->kind = b ? b->kind : BLK_OTHER;
	snprintf(c->id.path, sizeof(c->id.path), "%s", path);
	if (rescue_owns(sc, c, path))
		return 0;
	char mp[sizeof(c->mountpoint)];
	memcpy(mp, c->mountpoint, sizeof(mp));
	if (probe_cached(d->probes, path, &c->id)) {
		snprintf(c->skip, sizeof(c->skip), "cannot probe: %s", rc_msg());
		return 0;
	}
	memcpy(c->mountpoint, mp, sizeof(mp));
	if (b)
		snprintf(c->id.name, sizeof(c->id.name), "%s", b->kind == BLK_DM && b->dm_name[0] ? b->dm_name : b->name);
	classify(d, c, b);
	return 0;
}

/* Hold open every block device the scan will probe (and the whole disk of
 * a partition: libblkid reads its partition table for PART_ENTRY_*), and
 * start reading what the probe reads (probe_readahead), all before the
 * first probe: the kernel drops a block device's page cache on its last
 * close, and libblkid, libext2fs and the partition-table lookups each open
 * the same devices again. Held open, each sector is read from the disk
 * once, most of them in a few large requests (a read-only open changes
 * nothing). */
static void hold_one(struct scan *sc, const struct blkdev *b)
{
	size_t k = (size_t)(b - sc->bs.d);
	struct stat st;
	if (sc->held[k] >= 0 || b->kind == BLK_RAM || !b->size || stat(b->path, &st) < 0 || !S_ISBLK(st.st_mode))
		return;
	sc->held[k] = open(b->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (sc->held[k] >= 0)
		probe_readahead(sc->held[k], b->size, b->kind != BLK_PART);
}

static const struct blkdev *by_devno(const struct scan *sc, dev_t devno)
{
	for (size_t k = 0; sc->have_bs && k < sc->bs.n; k++)
		if (sc->bs.d[k].devno == devno)
			return &sc->bs.d[k];
	return NULL;
}

static void hold(struct scan *sc, char *const *devices, int ndev)
{
	sc->held = sc->have_bs && sc->bs.n ? malloc(sc->bs.n * sizeof(int)) : NULL;
	for (size_t k = 0; sc->held && k < sc->bs.n; k++)
		sc->held[k] = -1;
	for (size_t k = 0; sc->held && ndev <= 0 && k < sc->bs.n; k++)
		hold_one(sc, &sc->bs.d[k]);
	for (int i = 0; sc->held && i < ndev; i++) {
		struct stat st;
		const struct blkdev *b = stat(devices[i], &st) == 0 && S_ISBLK(st.st_mode) ? by_devno(sc, st.st_rdev) : NULL;
		if (!b)
			continue;
		hold_one(sc, b);
		if (b->kind == BLK_PART && (b = blkdevs_find(&sc->bs, b->parent)))
			hold_one(sc, b);
	}
}

static void scan_end(struct scan *sc)
{
	if (sc->have_ms)
		mountinfo_free(&sc->ms);
	for (size_t k = 0; sc->held && k < sc->bs.n; k++)
		if (sc->held[k] >= 0)
			close(sc->held[k]);
	free(sc->held);
	blkdevs_free(&sc->bs);
}

/* What sysfs is read for when DEVICEs are named: those that are block
 * devices, the disk of each partition (libblkid reads its table), and the
 * members of an md array (md_evidence names them). */
static void named_devs(struct scan *sc, char *const *devices, int ndev)
{
	sc->have_bs = 1;
	for (int i = 0; i < ndev; i++) {
		struct stat st;
		int k = stat(devices[i], &st) == 0 && S_ISBLK(st.st_mode) ? blkdevs_add_devno(&sc->bs, st.st_rdev) : -1;
		if (k >= 0 && sc->bs.d[k].kind == BLK_PART) {
			char disk[sizeof(sc->bs.d[k].parent)];
			memcpy(disk, sc->bs.d[k].parent, sizeof(disk));
			blkdevs_add(&sc->bs, disk);
		}
		for (size_t s = 0; k >= 0 && sc->bs.d[k].kind == BLK_MD && s < sc->bs.d[k].nslaves; s++) {
			char m[256];
			snprintf(m, sizeof(m), "%s", sc->bs.d[k].slaves[s]);
			blkdevs_add(&sc->bs, m);
		}
	}
}

/* The DEVICEs named, each as given (an image file has no blkdev). */
static int scan_named(struct scan *sc, char *const *devices, int ndev)
{
	int r = 0;
	for (int i = 0; i < ndev && !r; i++) {
		struct stat st;
		if (stat(devices[i], &st) < 0)
			return rc_failx(RC_EXIT_NOTFOUND, errno, "%s: %s", devices[i], strerror(errno));
		r = scan_one(sc, devices[i], S_ISBLK(st.st_mode) ? by_devno(sc, st.st_rdev) : NULL);
	}
	return r;
}

/* Every block device. A device others are built on (md, dm) is a member:
 * it is reported through its probe type, never inspected. */
static int scan_all(struct scan *sc)
{
	struct detect *d = sc->d;
	int r = 0;
	for (size_t k = 0; k < sc->bs.n && !r; k++) {
		const struct blkdev *b = &sc->bs.d[k];
		if (b->kind == BLK_RAM || b->size == 0)
			continue;
		r = scan_one(sc, b->path, b);
		if (!r && b->nholders && !d->c[d->n - 1].skip[0] && !d->c[d->n - 1].ri.is_root)
			snprintf(d->c[d->n - 1].skip, sizeof(d->c[0].skip), "in use by %s", b->holders[0]);
	}
	return r;
}

/* An md array: name its members as evidence. */
static void md_evidence(struct scan *sc)
{
	struct detect *d = sc->d;
	for (size_t i = 0; sc->have_bs && i < d->n; i++) {
		const struct blkdev *b = blkdevs_find(&sc->bs, d->c[i].id.name);
		if (!b || b->kind != BLK_MD || !d->c[i].ri.is_root || !b->nslaves)
			continue;
		char m[160] = "";
		for (size_t s = 0; s < b->nslaves; s++) {
			size_t l = strlen(m);
			snprintf(m + l, sizeof(m) - l, "%s%s", s ? ", " : "", b->slaves[s]);
		}
		evidence(&d->c[i], "md array%s%s over %s", b->md_level[0] ? " " : "", b->md_level, m);
		md_confirm(d, &d->c[i], b, &sc->bs);
	}
}

static int scan(const struct detect_policy *p, struct detect *d)
{
	struct scan sc = { .d = d, .target_dir = p->target_dir ? p->target_dir : MOUNT_DEFAULT_TARGET };
	int r, bs_r = 0;
	if (p->ndev > 0)
		named_devs(&sc, p->devices, p->ndev);
	else
		sc.have_bs = (bs_r = blkdevs_scan(&sc.bs)) == 0;
	hold(&sc, p->devices, p->ndev);
	/* while the disks read ahead */
	probe_cache_disks(d->probes, &sc.bs);
	sc.have_ms = mountinfo_load(&sc.ms) == 0;
	sc.nswaps = swaps_list(sc.swaps, sizeof(sc.swaps) / sizeof(sc.swaps[0]), NULL, NULL);
	if (p->ndev > 0)
		r = scan_named(&sc, p->devices, p->ndev);
	else
		r = sc.have_bs ? scan_all(&sc) : bs_r;   /* blkdevs_scan said why */
	md_evidence(&sc);
	if (!r && d->nroots == 0 && d->nhints == 0)
		hint(d, "if the root is on RAID, LVM or LUKS, assemble or open it first");
	scan_end(&sc);
	d->scanned = !r;
	return r;
}

/* ---- picking --------------------------------------------------------------- */

/* Why the one DEVICE named is no root, as a refusal (exit 3) for what must
 * not be used, or "nothing found" (exit 4). */
static int explain(const struct cand *c)
{
	const char *dev = c->id.path;
	if (strstr(c->skip, "partitioned"))
		return rc_failx(RC_EXIT_NOTFOUND, ENODEV, "%s is a whole disk (%s): name its root partition, or "
				"leave DEVICE out to have the root found", dev, c->skip);
	if (c->skip[0])
		return rc_failx(strstr(c->skip, "no filesystem") ? RC_EXIT_NOTFOUND : RC_EXIT_REFUSED, EINVAL,
				"%s: %s", dev, c->skip);
	return rc_failx(RC_EXIT_NOTFOUND, ENOENT, "%s holds no installed Linux root (%s)", dev, c->ri.why_not);
}

/* "/dev/sda3 (Debian GNU/Linux 12), /dev/sdb1 (xfs)" */
static void root_list(const struct detect *d, char *list, size_t sz)
{
	list[0] = 0;
	for (size_t i = 0; i < d->n; i++)
		if (d->c[i].ri.is_root) {
			size_t l = strlen(list);
			snprintf(list + l, sz - l, "%s%s (%s)", l ? ", " : "", d->c[i].id.path,
				 d->c[i].ri.os.pretty_name[0] ? d->c[i].ri.os.pretty_name : d->c[i].id.fstype);
		}
}

static int pick(const struct detect_policy *p, const struct detect *d, const struct cand **root)
{
	if (d->nroots == 0 && p->explain && p->ndev == 1 && d->n == 1)
		return explain(&d->c[0]);
	if (d->nroots == 0)
		return rc_failx(RC_EXIT_NOTFOUND, ENOENT, "no installed Linux root found%s%s",
				d->nhints && !p->listed ? ": " : "", d->nhints && !p->listed ? d->hints[0] : "");
	if (d->nroots > 1 && p->want == DETECT_ONE) {
		char list[1024];
		root_list(d, list, sizeof(list));
		return rc_failx(RC_EXIT_AMBIGUOUS, EEXIST, "%zu roots found%s%s; name one as DEVICE", d->nroots,
				p->listed ? "" : ": ", p->listed ? "" : list);
	}
	for (size_t i = 0; i < d->n; i++)
		if (d->c[i].ri.is_root) {
			*root = &d->c[i];
			break;
		}
	return 0;
}

int detect_find_root(const struct detect_policy *p, struct detect *d, const struct cand **root)
{
	memset(d, 0, sizeof(*d));
	d->probes = p->probes ? p->probes : &d->own;
	*root = NULL;
	int r = scan(p, d);
	return r ? r : pick(p, d, root);
}

void detect_free(struct detect *d)
{
	free(d->c);
	d->c = NULL;
	d->n = d->nroots = 0;
	probe_cache_free(&d->own);
}
