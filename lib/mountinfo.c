/* /proc/self/mountinfo and /proc/swaps: what the rescue system uses. */
#include "mountinfo.h"
#include "err.h"
#include "probe.h"
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
				return -ENOMEM;
			}
			ms->m = nm;
		}
		int r = parse_line(p, len, &ms->m[ms->n]);
		if (r == -ENOMEM) {
			mountinfo_free(ms);
			return r;
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

/* Loop devices whose backing file is FILE (by inode). */
static int loop_of_file(const struct stat *fst, dev_t *loops, int max)
{
	struct blkdevs bs;
	int n = 0;
	if (blkdevs_scan(&bs))
		return 0;
	for (size_t i = 0; i < bs.n && n < max; i++) {
		struct stat st;
		if (bs.d[i].kind == BLK_LOOP && bs.d[i].loop_backing[0] &&
		    stat(bs.d[i].loop_backing, &st) == 0 && st.st_ino == fst->st_ino && st.st_dev == fst->st_dev)
			loops[n++] = bs.d[i].devno;
	}
	blkdevs_free(&bs);
	return n;
}

static int swap_uses(dev_t dev, const char *path)
{
	char *t = slurp("/proc/swaps");
	int used = 0;
	if (!t)
		return 0;
	for (char *save = NULL, *l = strtok_r(t, "\n", &save); l && !used; l = strtok_r(NULL, "\n", &save)) {
		char name[PATH_MAX];
		struct stat st;
		if (sscanf(l, "%4095s", name) != 1 || !strcmp(name, "Filename"))
			continue;
		char *u = unescape(name, strlen(name));
		if (u && (!strcmp(u, path) || (stat(u, &st) == 0 && S_ISBLK(st.st_mode) && st.st_rdev == dev)))
			used = 1;
		free(u);
	}
	free(t);
	return used;
}

int dev_in_use(const char *path, char *where, size_t wsz)
{
	struct stat st;
	struct mounts ms;
	dev_t devs[16];
	int nd = 0, r;
	if (stat(path, &st) < 0)
		return rc_fail(errno, "cannot find %s: %s", path, strerror(errno));
	if (S_ISBLK(st.st_mode)) {
		devs[nd++] = st.st_rdev;
		/* A whole disk is in use when any of its partitions is. */
		char sys[PATH_MAX];
		snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u", major(st.st_rdev), minor(st.st_rdev));
		struct blkdevs bs;
		if (!blkdevs_scan(&bs)) {
			char me[64] = "";
			for (size_t i = 0; i < bs.n; i++)
				if (bs.d[i].devno == st.st_rdev)
					snprintf(me, sizeof(me), "%s", bs.d[i].name);
			for (size_t i = 0; i < bs.n && nd < 16; i++)
				if (me[0] && !strcmp(bs.d[i].parent, me))
					devs[nd++] = bs.d[i].devno;
			blkdevs_free(&bs);
		}
	} else if (S_ISREG(st.st_mode)) {
		nd = loop_of_file(&st, devs, 16);
	}
	if ((r = mountinfo_load(&ms)))
		return r;
	int used = 0;
	for (int i = 0; i < nd && !used; i++) {
		const struct mnt *m = mountinfo_by_dev(&ms, devs[i], NULL);
		if (m) {
			snprintf(where, wsz, "%s", m->target);
			used = 1;
		} else if (swap_uses(devs[i], path)) {
			snprintf(where, wsz, "[swap]");
			used = 1;
		}
	}
	mountinfo_free(&ms);
	return used;
}
