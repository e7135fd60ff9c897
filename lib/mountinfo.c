/* /proc/PID/mountinfo, /proc/swaps, loop devices and sysfs holders: what
 * the running (rescue) system uses. See mountinfo.h. */
#include "mountinfo.h"
#include "err.h"
#include "loop.h"
#include "probe.h"
#include <dirent.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <sys/ioctl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Undo the octal escapes (\040 for space) the kernel uses in mountinfo. */
static char *unescape(const char *s, size_t len)
{
	char *o = malloc(len + 1), *d = o;
	if (!o)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 3 < len &&
		    s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' && s[i + 2] <= '7' &&
		    s[i + 3] >= '0' && s[i + 3] <= '7') {
			*d++ = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
			i += 3;
		} else {
			*d++ = s[i];
		}
	}
	*d = 0;
	return o;
}

static void mnt_free(struct mnt *m)
{
	free(m->root);
	free(m->target);
	free(m->fstype);
	free(m->source);
	free(m->opts);
	free(m->super_opts);
}

void mountinfo_free(struct mounts *ms)
{
	for (size_t i = 0; i < ms->n; i++)
		mnt_free(&ms->m[i]);
	free(ms->m);
	ms->m = NULL;
	ms->n = 0;
}

/* One line: ID PARENT MAJ:MIN ROOT TARGET OPTS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS */
static int parse_line(const char *line, size_t len, struct mnt *m)
{
	const char *f[32];
	size_t fl[32];
	int nf = 0;
	size_t i = 0;
	while (i < len && nf < 32) {
		while (i < len && line[i] == ' ')
			i++;
		if (i >= len)
			break;
		f[nf] = line + i;
		while (i < len && line[i] != ' ')
			i++;
		fl[nf] = (size_t)(line + i - f[nf]);
		nf++;
	}
	int sep = -1;
	for (int k = 6; k < nf; k++)
		if (fl[k] == 1 && f[k][0] == '-') {
			sep = k;
			break;
		}
	if (nf < 9 || sep < 0 || sep + 2 >= nf)
		return -EINVAL;
	unsigned maj, min;
	memset(m, 0, sizeof(*m));
	if (sscanf(f[0], "%d", &m->id) != 1 || sscanf(f[1], "%d", &m->parent) != 1 ||
	    sscanf(f[2], "%u:%u", &maj, &min) != 2)
		return -EINVAL;
	m->dev = makedev(maj, min);
	m->root = unescape(f[3], fl[3]);
	m->target = unescape(f[4], fl[4]);
	m->opts = unescape(f[5], fl[5]);
	m->fstype = unescape(f[sep + 1], fl[sep + 1]);
	m->source = unescape(f[sep + 2], fl[sep + 2]);
	m->super_opts = sep + 3 < nf ? unescape(f[sep + 3], fl[sep + 3]) : strdup("");
	if (!m->root || !m->target || !m->opts || !m->fstype || !m->source || !m->super_opts) {
		mnt_free(m);
		return -ENOMEM;
	}
	return 0;
}

int mountinfo_parse(const char *text, struct mounts *ms)
{
	size_t cap = 0;
	ms->m = NULL;
	ms->n = 0;
	for (const char *p = text; *p;) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (ms->n == cap) {
			cap = cap ? cap * 2 : 32;
			struct mnt *nm = realloc(ms->m, cap * sizeof(*nm));
			if (!nm) {
				mountinfo_free(ms);
				return rc_fail(ENOMEM, "out of memory");
			}
			ms->m = nm;
		}
		int r = parse_line(p, len, &ms->m[ms->n]);
		if (r == -ENOMEM) {
			mountinfo_free(ms);
			return rc_fail(ENOMEM, "out of memory");
		}
		if (!r)
			ms->n++;
		p = e ? e + 1 : p + len;
	}
	return 0;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return NULL;
	size_t cap = 8192, n = 0;
	char *b = malloc(cap + 1);
	while (b) {
		size_t got = fread(b + n, 1, cap - n, f);
		n += got;
		if (n < cap)
			break;
		char *nb = realloc(b, cap * 2 + 1);
		if (!nb) {
			free(b);
			b = NULL;
			break;
		}
		b = nb;
		cap *= 2;
	}
	fclose(f);
	if (b)
		b[n] = 0;
	return b;
}

int mountinfo_load(struct mounts *ms)
{
	char *t = slurp("/proc/self/mountinfo");
	if (!t)
		return rc_fail(errno ? errno : ENOENT, "cannot read /proc/self/mountinfo: is /proc mounted?");
	int r = mountinfo_parse(t, ms);
	free(t);
	return r;
}

/* btrfs (and other filesystems that can span devices) show an anonymous
 * device number (0:N) in mountinfo, not the block device's: for those the
 * source names the device. */
static int same_bdev(const struct mnt *m, dev_t dev)
{
	struct stat st;
	return major(m->dev) == 0 && m->source[0] == '/' && stat(m->source, &st) == 0 &&
	       S_ISBLK(st.st_mode) && st.st_rdev == dev;
}

const struct mnt *mountinfo_by_dev(const struct mounts *ms, dev_t dev, size_t *from)
{
	for (size_t i = from ? *from : 0; i < ms->n; i++)
		if (ms->m[i].dev == dev || same_bdev(&ms->m[i], dev)) {
			if (from)
				*from = i + 1;
			return &ms->m[i];
		}
	return NULL;
}

const struct mnt *mountinfo_by_target(const struct mounts *ms, const char *target)
{
	/* The last one wins: it is the one on top. */
	for (size_t i = ms->n; i-- > 0;)
		if (!strcmp(ms->m[i].target, target))
			return &ms->m[i];
	return NULL;
}

/* ---- /proc/swaps ---------------------------------------------------------- */

size_t swaps_each(void (*fn)(const char *name, void *ud), void *ud)
{
	char *t = slurp("/proc/swaps");
	size_t n = 0;
	if (!t)
		return 0;
	for (char *save = NULL, *l = strtok_r(t, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		size_t len = strcspn(l, " \t");
		char *name = len && l[0] == '/' ? unescape(l, len) : NULL;
		if (!name)
			continue;
		fn(name, ud);
		n++;
		free(name);
	}
	free(t);
	return n;
}

struct swaps_ctx {
	dev_t *out;
	size_t max, n;
	const char *path;
	int *path_used;
};

static void swap_dev(const char *name, void *ud)
{
	struct swaps_ctx *x = ud;
	struct stat st;
	if (x->path && x->path_used && !strcmp(name, x->path))
		*x->path_used = 1;
	if (x->n < x->max && stat(name, &st) == 0 && S_ISBLK(st.st_mode))
		x->out[x->n++] = st.st_rdev;
}

size_t swaps_list(dev_t *out, size_t max, const char *path, int *path_used)
{
	struct swaps_ctx x = { out, max, 0, path, path_used };
	if (path_used)
		*path_used = 0;
	swaps_each(swap_dev, &x);
	return x.n;
}

/* ---- every mount namespace -------------------------------------------------- */

#define MAX_NS 4096

static int ns_seen(ino_t *seen, size_t n, ino_t ino)
{
	for (size_t i = 0; i < n; i++)
		if (seen[i] == ino)
			return 1;
	return 0;
}

/* Look for DEV in the mount table of process PID ("self" for ours). */
static int mounted_in(const char *pid, dev_t dev, char *mp, size_t sz)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/%s/mountinfo", pid);
	char *t = slurp(p);
	struct mounts ms;
	int found = 0;
	if (!t || mountinfo_parse(t, &ms)) {
		free(t);
		return 0;
	}
	free(t);
	const struct mnt *m = mountinfo_by_dev(&ms, dev, NULL);
	if (m) {
		snprintf(mp, sz, "%s", m->target);
		found = 1;
	}
	mountinfo_free(&ms);
	return found;
}

static int comm_of(pid_t pid, char *out, size_t sz)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/%d/comm", (int)pid);
	char *t = slurp(p);
	if (!t)
		return -1;
	t[strcspn(t, "\n")] = 0;
	snprintf(out, sz, "%s", t);
	free(t);
	return 0;
}

int mountinfo_anywhere(dev_t dev, struct mount_where *w)
{
	struct stat self;
	memset(w, 0, sizeof(*w));
	if (mounted_in("self", dev, w->target, sizeof(w->target)))
		return 1;
	if (stat("/proc/self/ns/mnt", &self) < 0)
		return 0;
	ino_t *seen = malloc(MAX_NS * sizeof(*seen));
	DIR *d = opendir("/proc");
	size_t nseen = 0;
	int found = 0;
	if (!seen || !d) {
		free(seen);
		if (d)
			closedir(d);
		return rc_fail(ENOMEM, "cannot list /proc: %s", strerror(errno ? errno : ENOMEM));
	}
	seen[nseen++] = self.st_ino;
	struct dirent *de;
	while (!found && nseen < MAX_NS && (de = readdir(d))) {
		char p[64];
		struct stat st;
		if (de->d_name[0] < '1' || de->d_name[0] > '9' || strlen(de->d_name) > 10)
			continue;
		snprintf(p, sizeof(p), "/proc/%s/ns/mnt", de->d_name);
		if (stat(p, &st) < 0 || ns_seen(seen, nseen, st.st_ino))
			continue;
		seen[nseen++] = st.st_ino;
		if (mounted_in(de->d_name, dev, w->target, sizeof(w->target))) {
			w->pid = (pid_t)atoi(de->d_name);
			comm_of(w->pid, w->comm, sizeof(w->comm));
			found = 1;
		}
	}
	closedir(d);
	free(seen);
	return found;
}

/* ---- in use? ---------------------------------------------------------------- */

static void say_where(const struct mount_where *w, char *out, size_t sz)
{
	if (w->pid)
		snprintf(out, sz, "mounted on %s in another mount namespace (that of PID %d, %s)", w->target,
			 (int)w->pid, w->comm[0] ? w->comm : "?");
	else
		snprintf(out, sz, "mounted on %s", w->target);
}

/* A block device's holders (md, dm) in sysfs, e.g. "md127". */
static int holder_of(dev_t dev, char *out, size_t sz)
{
	char p[96];
	snprintf(p, sizeof(p), "/sys/dev/block/%u:%u/holders", major(dev), minor(dev));
	DIR *d = opendir(p);
	if (!d)
		return 0;
	struct dirent *de;
	int found = 0;
	while (!found && (de = readdir(d)))
		if (de->d_name[0] != '.') {
			snprintf(out, sz, "%s", de->d_name);
			found = 1;
		}
	closedir(d);
	return found;
}

/* One block device: mounted anywhere, swap, held by md/dm. */
static int bdev_used(dev_t dev, const char *path, struct busy *b)
{
	struct mount_where w;
	char h[64];
	int sw = 0;
	dev_t swaps[64];
	if (mountinfo_anywhere(dev, &w) > 0) {
		b->kind = BUSY_MOUNTED;
		b->where = w;
		say_where(&w, b->text, sizeof(b->text));
		return 1;
	}
	size_t ns = swaps_list(swaps, 64, path, &sw);
	for (size_t i = 0; i < ns && !sw; i++)
		sw = swaps[i] == dev;
	if (sw) {
		b->kind = BUSY_SWAP;
		snprintf(b->text, sizeof(b->text), "used as swap");
		return 1;
	}
	if (holder_of(dev, h, sizeof(h))) {
		b->kind = BUSY_HOLDER;
		snprintf(b->text, sizeof(b->text), "held by %s (RAID, LVM or dm-crypt is using it)", h);
		return 1;
	}
	return 0;
}

/* The partitions of whole disk DEV, from sysfs. */
static int parts_used(dev_t dev, struct busy *b)
{
	char p[96];
	snprintf(p, sizeof(p), "/sys/dev/block/%u:%u", major(dev), minor(dev));
	DIR *d = opendir(p);
	if (!d)
		return 0;
	struct dirent *de;
	int used = 0;
	while (!used && (de = readdir(d))) {
		char dp[PATH_MAX], val[32];
		unsigned ma, mi;
		snprintf(dp, sizeof(dp), "%s/%s/dev", p, de->d_name);
		FILE *f = de->d_name[0] != '.' ? fopen(dp, "re") : NULL;
		if (!f)
			continue;
		if (fgets(val, sizeof(val), f) && sscanf(val, "%u:%u", &ma, &mi) == 2 &&
		    bdev_used(makedev(ma, mi), "", b)) {
			char t[sizeof(b->text)];
			memcpy(t, b->text, sizeof(t));
			snprintf(b->text, sizeof(b->text), "its partition %.64s is %.3900s", de->d_name, t);
			used = 1;
		}
		fclose(f);
	}
	closedir(d);
	return used;
}

/* An image file: every loop device showing it is a way to change it. */
static int file_used(const struct stat *st, struct busy *b)
{
	char loops[4][LOOP_NAME_MAX];
	int n = loop_list_file(st, loops, 4);
	if (!n)
		return 0;
	snprintf(b->dev, sizeof(b->dev), "%s", loops[0]);
	for (int i = 0; i < n && i < 4; i++) {
		struct stat ls;
		struct busy lb;
		memset(&lb, 0, sizeof(lb));
		if (stat(loops[i], &ls) == 0 && bdev_used(ls.st_rdev, loops[i], &lb)) {
			b->kind = lb.kind == BUSY_MOUNTED ? BUSY_MOUNTED : BUSY_LOOP;
			b->where = lb.where;
			snprintf(b->dev, sizeof(b->dev), "%s", loops[i]);
			snprintf(b->text, sizeof(b->text), "attached to %s, which is %.3900s", loops[i], lb.text);
			return 1;
		}
	}
	b->kind = BUSY_LOOP;
	snprintf(b->text, sizeof(b->text), "attached to %s%s (detach it with 'losetup -d %s', or name it instead "
		 "of the image)", loops[0], n > 1 ? " and other loop devices" : "", loops[0]);
	return 1;
}

/* A loop device whose backing file is also behind another loop device. */
static int sibling_loop(const char *path, const struct stat *st, struct busy *b)
{
	char bf[PATH_MAX];
	if (major(st->st_rdev) != 7 || !realpath(path, bf))
		return 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct loop_info64 li;
	if (fd < 0)
		return 0;
	int ok = ioctl(fd, LOOP_GET_STATUS64, &li) == 0;
	close(fd);
	if (!ok)
		return 0;
	struct stat fst = { .st_dev = (dev_t)li.lo_device, .st_ino = (ino_t)li.lo_inode };
	char loops[8][LOOP_NAME_MAX];
	int n = loop_list_file(&fst, loops, 8);
	for (int i = 0; i < n && i < 8; i++) {
		struct stat ls;
		if (stat(loops[i], &ls) == 0 && ls.st_rdev != st->st_rdev) {
			b->kind = BUSY_LOOP;
			snprintf(b->dev, sizeof(b->dev), "%s", loops[i]);
			snprintf(b->text, sizeof(b->text), "backed by a file that is also attached to %s: two block "
				 "devices on one file corrupt it (detach the other with 'losetup -d %s')", loops[i], loops[i]);
			return 1;
		}
	}
	return 0;
}

int dev_busy(const char *path, struct busy *b)
{
	struct stat st;
	memset(b, 0, sizeof(*b));
	if (stat(path, &st) < 0)
		return rc_fail(errno, "cannot find %s: %s", path, strerror(errno));
	if (S_ISREG(st.st_mode))
		return file_used(&st, b);
	if (!S_ISBLK(st.st_mode))
		return 0;
	if (bdev_used(st.st_rdev, path, b) || parts_used(st.st_rdev, b) || sibling_loop(path, &st, b))
		return 1;
	/* Something mountinfo and sysfs do not show: another program's
	 * exclusive open (e2fsck, mkfs, a mount in progress). */
	int fd = open(path, O_RDONLY | O_EXCL | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 && errno == EBUSY) {
		b->kind = BUSY_EXCL;
		snprintf(b->text, sizeof(b->text), "held open exclusively by another program (a mount, RAID/LVM, "
			 "or a tool such as e2fsck)");
		return 1;
	}
	if (fd >= 0)
		close(fd);
	return 0;
}

int dev_in_use(const char *path, char *where, size_t wsz)
{
	struct busy b;
	int r = dev_busy(path, &b);
	if (r <= 0)
		return r;
	if (b.kind == BUSY_SWAP)
		snprintf(where, wsz, "[swap]");
	else if (b.kind == BUSY_MOUNTED)
		snprintf(where, wsz, "%s", b.where.target);
	else
		return 0;
	return 1;
}
