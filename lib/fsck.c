/* fsck's pure logic: checker choice, exit statuses, e2fsck versions and
 * features, superblock comparison. See fsck.h. */
#include "fsck.h"
#include "err.h"
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- exit statuses -------------------------------------------------------- */

static const struct {
	int bit;
	const char *flag, *words;
} status_bits[] = {
	{ FSCK_EX_CORRECTED, "corrected", "errors corrected" },
	{ FSCK_EX_REBOOT, "reboot", "reboot needed" },
	{ FSCK_EX_UNCORRECTED, "uncorrected", "errors left uncorrected" },
	{ FSCK_EX_OPERATIONAL, "operational", "operational error" },
	{ FSCK_EX_USAGE, "usage", "usage or syntax error" },
	{ FSCK_EX_CANCELLED, "cancelled", "cancelled by request" },
	{ FSCK_EX_LIBRARY, "library", "shared-library error" },
};
#define N_BITS (sizeof(status_bits) / sizeof(status_bits[0]))

const char *fsck_status_words(int status, char *buf, size_t sz)
{
	size_t l = 0;
	if (!sz)
		return buf;
	buf[0] = 0;
	if (status == 0) {
		snprintf(buf, sz, "no errors");
		return buf;
	}
	if (status < 0 || status > 255) {
		snprintf(buf, sz, "status %d is not an fsck status", status);
		return buf;
	}
	int known = 0;
	for (size_t i = 0; i < N_BITS; i++) {
		if (!(status & status_bits[i].bit))
			continue;
		known |= status_bits[i].bit;
		/* "reboot needed" only adds to "errors corrected" */
		l += (size_t)snprintf(buf + l, l < sz ? sz - l : 0, "%s%s", l ? "; " : "", status_bits[i].words);
	}
	for (int b = 1; b < 256; b <<= 1)
		if ((status & b) && !(known & b))
			l += (size_t)snprintf(buf + l, l < sz ? sz - l : 0, "%sunknown bit %d", l ? "; " : "", b);
	return buf;
}

int fsck_status_flags(int status, const char **names, int max)
{
	int n = 0;
	for (size_t i = 0; i < N_BITS && n < max; i++)
		if (status >= 0 && (status & status_bits[i].bit))
			names[n++] = status_bits[i].flag;
	return n;
}

/* ---- e2fsck versions and features --------------------------------------- */

static int parse_ver(const char *p, unsigned *ver)
{
	unsigned v[3] = { 0, 0, 0 };
	int i = 0;
	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	while (i < 3) {
		char *end;
		unsigned long x = strtoul(p, &end, 10);
		if (end == p || x > 99)
			return -EINVAL;
		v[i++] = (unsigned)x;
		p = end;
		if (*p != '.' || !isdigit((unsigned char)p[1]))
			break;
		p++;
	}
	if (i < 2)
		return -EINVAL;
	*ver = FSCK_VER(v[0], v[1], v[2]);
	return 0;
}

int fsck_parse_e2fsck_version(const char *text, unsigned *ver)
{
	return fsck_parse_version("e2fsck", text, ver);
}

int fsck_parse_version(const char *prog, const char *text, unsigned *ver)
{
	const char *p;
	unsigned lib = 0;
	int have_lib = 0;
	size_t plen = strlen(prog);
	if (!text)
		return -EINVAL;
	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		const char *q = p;
		while (*q == ' ' || *q == '\t')
			q++;
		if (!strncmp(q, prog, plen) && q[plen] == ' ' && !parse_ver(q + plen + 1, ver))
			return 0;
		const char *l = strstr(q, "EXT2FS Library version ");
		const char *nl = strchr(q, '\n');
		if (l && (!nl || l < nl) && !have_lib && !parse_ver(l + strlen("EXT2FS Library version "), &lib))
			have_lib = 1;
	}
	if (have_lib) {
		*ver = lib;
		return 0;
	}
	return -EINVAL;
}

const char *fsck_version_str(unsigned ver, char *buf, size_t sz)
{
	if (ver == FSCK_FEAT_NEVER)
		snprintf(buf, sz, "none");
	else if (ver == FSCK_FEAT_UNKNOWN)
		snprintf(buf, sz, "unknown");
	else
		snprintf(buf, sz, "%u.%u.%u", ver / 10000, ver / 100 % 100, ver % 100);
	return buf;
}

/* The first e2fsck that accepts each feature (doc/RelNotes of e2fsprogs).
 * Everything ext3 and the first ext4 features (e2fsprogs 1.41.0, 2008) are
 * the floor: older e2fsck are not found on rescue systems any more. */
static const struct {
	const char *name;
	unsigned ver;
} feature_table[] = {
	/* compat */
	{ "dir_prealloc", FSCK_VER(1, 41, 0) },
	{ "imagic_inodes", FSCK_VER(1, 41, 0) },
	{ "has_journal", FSCK_VER(1, 41, 0) },
	{ "ext_attr", FSCK_VER(1, 41, 0) },
	{ "resize_inode", FSCK_VER(1, 41, 0) },
	{ "dir_index", FSCK_VER(1, 41, 0) },
	{ "lazy_bg", FSCK_FEAT_NEVER },
	{ "snapshot_bitmap", FSCK_FEAT_NEVER },
	{ "sparse_super2", FSCK_VER(1, 43, 0) },   /* conservative: matured in 1.43 */
	{ "fast_commit", FSCK_VER(1, 46, 0) },
	{ "stable_inodes", FSCK_VER(1, 46, 0) },
	{ "orphan_file", FSCK_VER(1, 47, 0) },
	/* incompat */
	{ "compression", FSCK_FEAT_NEVER },
	{ "filetype", FSCK_VER(1, 41, 0) },
	{ "needs_recovery", FSCK_VER(1, 41, 0) },
	{ "journal_dev", FSCK_VER(1, 41, 0) },
	{ "meta_bg", FSCK_VER(1, 41, 0) },
	{ "extent", FSCK_VER(1, 41, 0) },
	{ "extents", FSCK_VER(1, 41, 0) },
	{ "64bit", FSCK_VER(1, 42, 0) },
	{ "mmp", FSCK_VER(1, 42, 0) },
	{ "flex_bg", FSCK_VER(1, 41, 0) },
	{ "ea_inode", FSCK_VER(1, 44, 0) },
	{ "dirdata", FSCK_FEAT_NEVER },
	{ "metadata_csum_seed", FSCK_VER(1, 43, 0) },
	{ "large_dir", FSCK_VER(1, 44, 0) },
	{ "inline_data", FSCK_VER(1, 43, 0) },
	{ "encrypt", FSCK_VER(1, 43, 0) },
	{ "casefold", FSCK_VER(1, 45, 0) },
	/* ro_compat */
	{ "sparse_super", FSCK_VER(1, 41, 0) },
	{ "large_file", FSCK_VER(1, 41, 0) },
	{ "huge_file", FSCK_VER(1, 41, 0) },
	{ "uninit_bg", FSCK_VER(1, 41, 0) },
	{ "dir_nlink", FSCK_VER(1, 41, 0) },
	{ "extra_isize", FSCK_VER(1, 41, 0) },
	{ "quota", FSCK_VER(1, 42, 0) },
	{ "bigalloc", FSCK_VER(1, 42, 0) },
	{ "metadata_csum", FSCK_VER(1, 43, 0) },
	{ "replica", FSCK_FEAT_NEVER },
	{ "read-only", FSCK_VER(1, 43, 0) },
	{ "project", FSCK_VER(1, 43, 0) },
	{ "shared_blocks", FSCK_VER(1, 44, 0) },
	{ "verity", FSCK_VER(1, 44, 4) },
	{ "orphan_present", FSCK_VER(1, 47, 0) },
};

unsigned fsck_feature_min_version(const char *name)
{
	for (size_t i = 0; i < sizeof(feature_table) / sizeof(feature_table[0]); i++)
		if (!strcmp(feature_table[i].name, name))
			return feature_table[i].ver;
	return FSCK_FEAT_UNKNOWN;
}

int fsck_features_unknown(const char *features, unsigned ver, struct fsck_feat *out, int max)
{
	int n = 0;
	const char *p = features ? features : "";
	while (*p && n < max) {
		while (*p == ' ')
			p++;
		size_t len = strcspn(p, " ");
		if (!len)
			break;
		char name[32];
		snprintf(name, sizeof(name), "%.*s", (int)(len < sizeof(name) ? len : sizeof(name) - 1), p);
		p += len;
		unsigned need = fsck_feature_min_version(name);
		if (need == FSCK_FEAT_UNKNOWN || need == FSCK_FEAT_NEVER || need > ver) {
			snprintf(out[n].name, sizeof(out[n].name), "%s", name);
			out[n].needs = need;
			n++;
		}
	}
	return n;
}

/* ---- plan ------------------------------------------------------------------ */

const char *fsck_mode_name(enum fsck_mode m)
{
	switch (m) {
	case FSCK_MODE_PREEN: return "repair-safe";
	case FSCK_MODE_YES: return "repair-all";
	case FSCK_MODE_CHECK: return "check-only";
	}
	return "?";
}

static void add(struct fsck_plan *p, const char *a)
{
	if (p->argc < FSCK_MAX_ARGS - 1) {
		p->argv[p->argc++] = (char *)a;
		p->argv[p->argc] = NULL;
	}
}

int fsck_plan(const char *fstype, const char *dev, const struct fsck_opts *o, struct fsck_plan *p)
{
	memset(p, 0, sizeof(*p));
	if (!fstype || !*fstype)
		return rc_failx(FSCK_EX_OPERATIONAL, ENOENT, "%s: no filesystem found (no known signature); "
				"give its type with --type if you know it", dev);
	if (o->btrfs_repair && strcmp(fstype, "btrfs"))
		return rc_failx(FSCK_EX_USAGE, EINVAL, "--repair is for btrfs only; %s is %s", dev, fstype);
	if (o->superblock && strncmp(fstype, "ext", 3))
		return rc_failx(FSCK_EX_USAGE, EINVAL, "--superblock is for ext2/3/4 only; %s is %s", dev, fstype);
	if (!strcmp(fstype, "ext2") || !strcmp(fstype, "ext3") || !strcmp(fstype, "ext4") ||
	    !strcmp(fstype, "ext4dev")) {
		p->kind = FSCK_KIND_E2FSCK;
		p->prog = "e2fsck";
		add(p, "e2fsck");
		add(p, "-f");
		add(p, o->mode == FSCK_MODE_CHECK ? "-n" : o->mode == FSCK_MODE_YES ? "-y" : "-p");
		if (o->progress) {
			add(p, "-C");
			add(p, "0");
		}
		if (o->verbose)
			add(p, "-v");
		if (o->superblock) {
			snprintf(p->num[0], sizeof(p->num[0]), "%llu", o->superblock);
			add(p, "-b");
			add(p, p->num[0]);
			if (o->blocksize) {
				snprintf(p->num[1], sizeof(p->num[1]), "%u", o->blocksize);
				add(p, "-B");
				add(p, p->num[1]);
			}
		}
		p->writes = o->mode != FSCK_MODE_CHECK;
	} else if (!strcmp(fstype, "xfs")) {
		p->kind = FSCK_KIND_XFS;
		p->prog = "xfs_repair";
		add(p, "xfs_repair");
		/* xfs_repair has no "safe only" mode: it repairs or it only looks.
		 * -e: exit 4 when it repaired something (fsck.xfs does the same). */
		add(p, o->mode == FSCK_MODE_CHECK ? "-n" : "-e");
		if (o->verbose)
			add(p, "-v");
		p->writes = o->mode != FSCK_MODE_CHECK;
	} else if (!strcmp(fstype, "btrfs")) {
		p->kind = FSCK_KIND_BTRFS;
		p->prog = "btrfs";
		add(p, "btrfs");
		add(p, "check");
		if (o->btrfs_repair && o->mode != FSCK_MODE_CHECK) {
			add(p, "--repair");
			p->writes = 1;
			p->warning = "btrfs check --repair can make a damaged btrfs worse; the btrfs developers "
				     "advise it as a last resort, after 'btrfs scrub' and a backup "
				     "('btrfs restore' copies files off without writing)";
		} else {
			add(p, "--readonly");
		}
		if (o->progress)
			add(p, "--progress");
	} else if (!strcmp(fstype, "jbd")) {
		return rc_failx(FSCK_EX_OPERATIONAL, EOPNOTSUPP, "%s is an external ext3/4 journal, not a filesystem; "
				"check the filesystem that uses it", dev);
	} else if (!strcmp(fstype, "linux_raid_member")) {
		return rc_failx(FSCK_EX_OPERATIONAL, EOPNOTSUPP, "%s is a member of an md RAID array: checking a member "
				"directly desyncs the mirror. Assemble the array (mdadm --assemble --scan) and "
				"check the md device", dev);
	} else if (!strcmp(fstype, "LVM2_member")) {
		return rc_failx(FSCK_EX_OPERATIONAL, EOPNOTSUPP, "%s is an LVM physical volume; activate it "
				"(vgchange -ay) and check the logical volume", dev);
	} else if (!strcmp(fstype, "crypto_LUKS")) {
		return rc_failx(FSCK_EX_OPERATIONAL, EOPNOTSUPP, "%s is LUKS-encrypted; open it "
				"(cryptsetup open %s NAME) and check /dev/mapper/NAME", dev, dev);
	} else if (!strcmp(fstype, "swap")) {
		return rc_failx(FSCK_EX_OPERATIONAL, EOPNOTSUPP, "%s is swap space; there is nothing to check", dev);
	} else {
		return rc_failx(FSCK_EX_OPERATIONAL, EOPNOTSUPP, "%s is %s; rescuectl fsck checks ext2/3/4, xfs "
				"and btrfs (run fsck.%s yourself)", dev, fstype, fstype);
	}
	add(p, dev);
	return 0;
}

int fsck_map_status(const struct fsck_plan *p, int status, int signalled)
{
	if (signalled)
		return status == SIGINT || status == SIGTERM || status == SIGHUP ? FSCK_EX_CANCELLED
									     : FSCK_EX_OPERATIONAL;
	switch (p->kind) {
	case FSCK_KIND_E2FSCK:
		return status;
	case FSCK_KIND_XFS:
		switch (status) {
		case 0: return FSCK_EX_OK;
		case 1: return FSCK_EX_UNCORRECTED;
		case 2: return FSCK_EX_UNCORRECTED;   /* dirty log: mount to replay it */
		case 4: return FSCK_EX_CORRECTED;
		default: return FSCK_EX_OPERATIONAL;
		}
	case FSCK_KIND_BTRFS:
		return status == 0 ? FSCK_EX_OK : FSCK_EX_UNCORRECTED;
	}
	return FSCK_EX_OPERATIONAL;
}

/* ---- superblock comparison -------------------------------------------------- */

const char *fsck_state_words(const struct ext4_info *in)
{
	if (in->errors)
		return in->clean ? "errors recorded" : "not clean, errors recorded";
	return in->clean ? "clean" : "not clean";
}

static void ts(char *buf, size_t sz, time_t t)
{
	struct tm tm;
	if (!t) {
		snprintf(buf, sz, "never");
		return;
	}
	if (!gmtime_r(&t, &tm) || !strftime(buf, sz, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, sz, "%lld", (long long)t);
}

int fsck_sb_diff(const struct ext4_info *a, const struct ext4_info *b, struct fsck_change *out, int max)
{
	int n = 0;
#define CHG(name, fmt, x, y) do { \
		if (n < max) { \
			out[n].field = name; \
			snprintf(out[n].before, sizeof(out[n].before), fmt, x); \
			snprintf(out[n].after, sizeof(out[n].after), fmt, y); \
			n++; \
		} \
	} while (0)
#define NUM(name, f) do { if (a->f != b->f) CHG(name, "%" PRIu64, (uint64_t)a->f, (uint64_t)b->f); } while (0)
#define YN(name, f) do { if (!!a->f != !!b->f) CHG(name, "%s", a->f ? "yes" : "no", b->f ? "yes" : "no"); } while (0)
	if (a->state != b->state || a->clean != b->clean || a->errors != b->errors)
		CHG("state", "%s", fsck_state_words(a), fsck_state_words(b));
	YN("needs_recovery", needs_recovery);
	YN("orphans", orphans);
	NUM("free_blocks", free_blocks);
	NUM("free_inodes", free_inodes);
	NUM("blocks", blocks);
	NUM("inodes", inodes);
	NUM("error_count", error_count);
	NUM("mount_count", mount_count);
	if (a->last_check != b->last_check && n < max) {
		out[n].field = "last_check";
		ts(out[n].before, sizeof(out[n].before), a->last_check);
		ts(out[n].after, sizeof(out[n].after), b->last_check);
		n++;
	}
	if (a->first_error_time != b->first_error_time && n < max) {
		out[n].field = "first_error_time";
		ts(out[n].before, sizeof(out[n].before), a->first_error_time);
		ts(out[n].after, sizeof(out[n].after), b->first_error_time);
		n++;
	}
	if (strcmp(a->features, b->features)) {
		/* name what was added and what went, not the whole lists */
		char add[64] = "", del[64] = "";
		for (int pass = 0; pass < 2; pass++) {
			const char *from = pass ? b->features : a->features;
			const char *other = pass ? a->features : b->features;
			char *dst = pass ? add : del;
			size_t dsz = 64;
			for (const char *p = from; *p;) {
				size_t len = strcspn(p, " ");
				int found = 0;
				for (const char *q = other; *q;) {
					size_t l2 = strcspn(q, " ");
					if (l2 == len && !strncmp(p, q, len))
						found = 1;
					q += l2;
					while (*q == ' ')
						q++;
				}
				if (!found && len) {
					size_t l = strlen(dst);
					snprintf(dst + l, dsz - l, "%s%.*s", l ? " " : "", (int)len, p);
				}
				p += len;
				while (*p == ' ')
					p++;
			}
		}
		CHG("features", "%s", del[0] ? del : "-", add[0] ? add : "-");
	}
	NUM("superblock", sb_block);
#undef NUM
#undef YN
#undef CHG
	return n;
}
