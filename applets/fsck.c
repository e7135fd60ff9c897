/* fsck: check and repair the installed root (or DEVICE) with the checker
 * that fits its type, after a preflight from the superblock; e2fsck's exit
 * bitmask in words and what changed in the superblock afterwards. */
#include "applets.h"
#include "../lib/undo_log.h"
#include "../lib/e2tools.h"
#include "../lib/ext4.h"
#include "../lib/fsck.h"
#include "../lib/lock.h"
#include "../lib/mountinfo.h"
#include "../lib/probe.h"
#include "../lib/run.h"
#include "../lib/detect.h"
#include <getopt.h>
#include <libsmartcols/libsmartcols.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char fsck_help[] =
	"Runs the checker that fits the filesystem: e2fsck for ext2/3/4, xfs_repair\n"
	"for xfs, 'btrfs check' for btrfs. Before it runs, a preflight reads the ext\n"
	"superblock (state, recorded errors, last check and mount, journal recovery,\n"
	"features the installed e2fsck is too old for); afterwards the checker's exit\n"
	"status is put in words and the superblock changes are listed.\n"
	"\n"
	"e2fsck is the rescue system's own when it has one that is new enough for the\n"
	"filesystem's features; otherwise the e2fsck built into rescuectl (e2fsprogs\n"
	"from Debian's source) runs, with nothing to install and no file written.\n"
	"--checker system|bundled forces either. xfs_repair and btrfs are not bundled.\n"
	"\n"
	"Modes:\n"
	"  (default)      repair what is safe automatically   e2fsck -f -p, xfs_repair -e\n"
	"  -y, --yes      repair everything                   e2fsck -f -y, xfs_repair -e\n"
	"  -n, --dry-run, --check-only\n"
	"                 change nothing: no byte of the device is written\n"
	"                                                     e2fsck -f -n, xfs_repair -n\n"
	"  btrfs is checked read-only unless --repair (risky; asks first, or --yes).\n"
	"  For fsck, -n/--dry-run is the same as --check-only: the checker runs and\n"
	"  reports, read-only.\n"
	"\n"
	"A mounted filesystem is refused (umount it, e.g. 'rescuectl umount-root'),\n"
	"except with --check-only on a read-only mount. A member of an md array is\n"
	"refused: check the md device (mdadm --assemble --scan first).\n"
	"\n"
	"Exit codes (fsck(8)'s bitmask, passed through from the checker):\n"
	"  0    no errors\n"
	"  1    errors corrected\n"
	"  2    errors corrected, reboot needed\n"
	"  4    errors left uncorrected\n"
	"  8    operational error; also every refusal by rescuectl: mounted,\n"
	"       checker not installed, e2fsck too old for the features (with\n"
	"       --checker system), md member, no filesystem found, not confirmed\n"
	"  16   usage error\n"
	"  32   cancelled by request\n"
	"  128  shared-library error";

enum { O_CHECK = 1001, O_REPAIR, O_CHECKER, O_TYPE = 't', O_SB = 'b', O_BS = 'B' };

static const struct cli_opt fsck_opts[] = {
	{ "check-only", no_argument, O_CHECK, NULL, "change nothing (same as -n/--dry-run)" },
	{ "repair", no_argument, O_REPAIR, NULL, "btrfs: run 'btrfs check --repair' (risky)" },
	{ "type", required_argument, O_TYPE, "TYPE", "filesystem type, when it cannot be detected" },
	{ "superblock", required_argument, O_SB, "N", "ext: use the backup superblock at block N (e2fsck -b)" },
	{ "block-size", required_argument, O_BS, "BYTES", "ext: block size for --superblock (e2fsck -B)" },
	{ "checker", required_argument, O_CHECKER, "WHICH", "ext: 'system' or 'bundled' e2fsck (default: the "
	  "system's when new enough)" },
	{ NULL, 0, 0, NULL, NULL },
};

struct st {
	int check_only, repair;
	const char *type;
	unsigned long long superblock;
	unsigned blocksize;
	enum e2t_pref checker;
};

static int on_opt(struct cli *c, void *vst, int id, const char *arg)
{
	struct st *s = vst;
	char *end;
	switch (id) {
	case O_CHECK: s->check_only = 1; return 0;
	case O_REPAIR: s->repair = 1; return 0;
	case O_TYPE: s->type = arg; return 0;
	case O_CHECKER:
		if (e2t_pref_parse(arg, &s->checker) < 0)
			return cli_usage(c, "--checker is %s", rc_msg());
		return 0;
	case O_SB:
		s->superblock = strtoull(arg, &end, 0);
		if (*end || !s->superblock)
			return cli_usage(c, "--superblock needs a block number, e.g. 32768 (got '%s')", arg);
		return 0;
	case O_BS:
		s->blocksize = (unsigned)strtoul(arg, &end, 0);
		if (*end || s->blocksize < 1024 || s->blocksize > 65536 || (s->blocksize & (s->blocksize - 1)))
			return cli_usage(c, "--block-size is a power of two from 1024 to 65536 (got '%s')", arg);
		return 0;
	}
	return RC_EXIT_USAGE;
}

/* ---- output helpers ---------------------------------------------------------- */

static const char *tstr(time_t t, char *buf, size_t sz)
{
	struct tm tm;
	if (!t)
		snprintf(buf, sz, "never");
	else if (!gmtime_r(&t, &tm) || !strftime(buf, sz, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, sz, "%lld", (long long)t);
	return buf;
}

static json_object *jtime(time_t t)
{
	char b[64];
	struct tm tm;
	if (!t || !gmtime_r(&t, &tm) || !strftime(b, sizeof(b), "%Y-%m-%dT%H:%M:%SZ", &tm))
		return NULL;
	return json_object_new_string(b);
}

static void kv_add(struct libscols_table *tb, const char *k, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void kv_add(struct libscols_table *tb, const char *k, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	struct libscols_line *ln = scols_table_new_line(tb, NULL);
	if (ln) {
		scols_line_set_data(ln, 0, k);
		scols_line_set_data(ln, 1, buf);
	}
}

static struct libscols_table *kv_table(void)
{
	struct libscols_table *tb = scols_new_table();
	if (!tb)
		return NULL;
	scols_table_enable_noheadings(tb, 1);
	scols_table_new_column(tb, "KEY", 0, 0);
	scols_table_new_column(tb, "VALUE", 0, SCOLS_FL_WRAP);
	scols_table_set_column_separator(tb, "  ");
	return tb;
}

static void print_table(struct cli *c, struct libscols_table *tb)
{
	if (!tb)
		return;
	if (!c->quiet) {
		FILE *f = c->json ? stderr : stdout;
		scols_table_set_stream(tb, f);
		scols_print_table(tb);
		fflush(f);
	}
	scols_unref_table(tb);
}

/* The kernel's EXT4_ERR_* codes of s_first/last_error_errcode. */
static const char *errcode_name(unsigned e)
{
	static const char *n[] = { NULL, "EIO", "ENOMEM", "EFSBADCRC", "EFSCORRUPTED", "ENOSPC", "ENOKEY",
				   "EROFS", "EFBIG", "EEXIST", "ERANGE", "EOVERFLOW", "EBUSY", "ENOTDIR",
				   "ENOTEMPTY", "ESHUTDOWN", "EFAULT" };
	return e < sizeof(n) / sizeof(n[0]) ? n[e] : NULL;
}

static void err_words(char *b, size_t sz, time_t t, const char *func, unsigned line, unsigned ino,
		      unsigned long long blk, unsigned code)
{
	char tb[64];
	size_t l = (size_t)snprintf(b, sz, "%s", tstr(t, tb, sizeof(tb)));
	if (*func && l < sz)
		l += (size_t)snprintf(b + l, sz - l, ", in %s:%u", func, line);
	if (ino && l < sz)
		l += (size_t)snprintf(b + l, sz - l, ", inode %u", ino);
	if (blk && l < sz)
		l += (size_t)snprintf(b + l, sz - l, ", block %llu", blk);
	if (errcode_name(code) && l < sz)
		snprintf(b + l, sz - l, " (%s)", errcode_name(code));
}

static json_object *jerr(time_t t, const char *func, unsigned line, unsigned ino, unsigned long long blk, unsigned code)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "time", jtime(t));
	json_object_object_add(o, "function", json_object_new_string(func));
	json_object_object_add(o, "line", json_object_new_int64(line));
	json_object_object_add(o, "inode", json_object_new_int64(ino));
	json_object_object_add(o, "block", json_object_new_uint64(blk));
	json_object_object_add(o, "error", errcode_name(code) ? json_object_new_string(errcode_name(code)) : NULL);
	return o;
}

static json_object *jinfo(const struct ext4_info *in)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "fstype", json_object_new_string(in->fstype));
	json_object_object_add(o, "uuid", json_object_new_string(in->uuid));
	json_object_object_add(o, "label", json_object_new_string(in->label));
	json_object_object_add(o, "state", json_object_new_string(fsck_state_words(in)));
	json_object_object_add(o, "clean", json_object_new_boolean(in->clean));
	json_object_object_add(o, "errors_recorded", json_object_new_boolean(in->errors));
	json_object_object_add(o, "error_count", json_object_new_int64(in->error_count));
	json_object_object_add(o, "first_error", in->first_error_time || in->first_error_func[0] ?
				jerr(in->first_error_time, in->first_error_func, in->first_error_line,
				     in->first_error_ino, in->first_error_block, in->first_error_errcode) : NULL);
	json_object_object_add(o, "last_error", in->last_error_time || in->last_error_func[0] ?
				jerr(in->last_error_time, in->last_error_func, in->last_error_line,
				     in->last_error_ino, in->last_error_block, in->last_error_errcode) : NULL);
	json_object_object_add(o, "last_check", jtime(in->last_check));
	json_object_object_add(o, "last_mount", jtime(in->last_mount));
	json_object_object_add(o, "last_write", jtime(in->last_write));
	json_object_object_add(o, "mount_count", json_object_new_int64(in->mount_count));
	json_object_object_add(o, "max_mount_count", json_object_new_int(in->max_mount_count));
	json_object_object_add(o, "has_journal", json_object_new_boolean(in->has_journal));
	json_object_object_add(o, "needs_recovery", json_object_new_boolean(in->needs_recovery));
	json_object_object_add(o, "orphans", json_object_new_boolean(in->orphans));
	json_object_object_add(o, "block_size", json_object_new_int64(in->block_size));
	json_object_object_add(o, "blocks", json_object_new_uint64(in->blocks));
	json_object_object_add(o, "free_blocks", json_object_new_uint64(in->free_blocks));
	json_object_object_add(o, "inodes", json_object_new_uint64(in->inodes));
	json_object_object_add(o, "free_inodes", json_object_new_uint64(in->free_inodes));
	json_object *f = json_object_new_array();
	char feats[sizeof(in->features)];
	snprintf(feats, sizeof(feats), "%s", in->features);
	for (char *sp, *t = strtok_r(feats, " ", &sp); t; t = strtok_r(NULL, " ", &sp))
		json_object_array_add(f, json_object_new_string(t));
	json_object_object_add(o, "features", f);
	json_object_object_add(o, "superblock", json_object_new_uint64(in->sb_block));
	json_object_object_add(o, "primary_superblock_ok", in->primary_ok < 0 ? NULL : json_object_new_boolean(in->primary_ok));
	json_object_object_add(o, "libext2fs_opens", json_object_new_boolean(in->opened));
	if (!in->opened)
		json_object_object_add(o, "libext2fs_error", json_object_new_string(in->open_error));
	return o;
}

/* ---- finding the device ------------------------------------------------------- */

static int device_of_root(struct cli *c, const char *dir, char *dev, size_t sz)
{
	struct mounts ms = { 0 };
	char real[PATH_MAX];
	if (!realpath(dir, real))
		return cli_error(c, FSCK_EX_USAGE, "--root %s: %s", dir, strerror(errno));
	if (mountinfo_load(&ms) < 0)
		return cli_error(c, FSCK_EX_OPERATIONAL, "%s", rc_msg());
	const struct mnt *m = mountinfo_by_target(&ms, real);
	int rc = 0;
	if (!m || !m->source || m->source[0] != '/')
		rc = cli_error(c, FSCK_EX_USAGE, "--root %s is not the mount point of a block device; "
			       "name the DEVICE instead", dir);
	else
		snprintf(dev, sz, "%s", m->source);
	mountinfo_free(&ms);
	return rc;
}

/* No DEVICE: the installed root, found as detect-root finds it. */
static int find_device(struct cli *c, char *dev, size_t sz)
{
	struct detect d;
	const struct cand *k;
	struct detect_policy p = { .want = DETECT_ONE };
	if (detect_find_root(&p, &d, &k) < 0) {
		cli_error(c, FSCK_EX_OPERATIONAL, "%s", rc_msg());
		for (int h = 1; d.scanned && h < d.nhints; h++)
			cli_warnj(c, "%s", d.hints[h]);
		detect_free(&d);
		return FSCK_EX_OPERATIONAL;
	}
	snprintf(dev, sz, "%s", k->id.path);
	cli_info(c, "Installed root: %s (%s%s%s)", dev, k->id.fstype,
		 k->ri.os.pretty_name[0] ? ", " : "", k->ri.os.pretty_name);
	detect_free(&d);
	return 0;
}

/* A member of an md array: name the array when it is assembled. */
static int refuse_member(struct cli *c, const char *dev, const struct devid *id)
{
	struct blkdevs bs = { 0 };
	char md[PATH_MAX] = "";
	if (blkdevs_scan(&bs) == 0) {
		for (size_t i = 0; i < bs.n && !md[0]; i++) {
			const struct blkdev *b = &bs.d[i];
			if (strcmp(b->name, id->name) && strcmp(b->path, dev))
				continue;
			for (size_t h = 0; h < b->nholders && !md[0]; h++) {
				const struct blkdev *hd = blkdevs_find(&bs, b->holders[h]);
				if (hd && hd->kind == BLK_MD)
					snprintf(md, sizeof(md), "%s", hd->path);
			}
		}
		blkdevs_free(&bs);
	}
	if (md[0])
		return cli_error(c, FSCK_EX_OPERATIONAL, "%s is a member of the md array %s: checking a member "
				 "directly desyncs the mirror. Check the array: rescuectl fsck %s", dev, md, md);
	return cli_error(c, FSCK_EX_OPERATIONAL, "%s is a member of an md RAID array (not assembled): checking "
			 "a member directly desyncs the mirror. Assemble it with 'mdadm --assemble --scan', "
			 "then check the md device (rescuectl detect-root shows it)", dev);
}

/* ---- preflight ---------------------------------------------------------------- */

struct pre {
	struct ext4_info info;
	int have_info;
	unsigned e2fsck_ver;
	char e2fsck_ver_str[32];
};

static void print_preflight(struct cli *c, const char *dev, const struct ext4_info *in)
{
	char b[512], t1[64], t2[64];
	struct libscols_table *tb = kv_table();
	if (!tb)
		return;
	cli_info(c, "Preflight of %s (%s superblock%s):", dev, in->fstype,
		 in->sb_block ? ", from a backup" : "");
	kv_add(tb, "  state", "%s", fsck_state_words(in));
	if (in->error_count || in->first_error_time) {
		kv_add(tb, "  errors recorded", "%u", in->error_count);
		err_words(b, sizeof(b), in->first_error_time, in->first_error_func, in->first_error_line,
			  in->first_error_ino, in->first_error_block, in->first_error_errcode);
		kv_add(tb, "  first error", "%s", b);
		err_words(b, sizeof(b), in->last_error_time, in->last_error_func, in->last_error_line,
			  in->last_error_ino, in->last_error_block, in->last_error_errcode);
		kv_add(tb, "  last error", "%s", b);
	}
	kv_add(tb, "  last check", "%s", tstr(in->last_check, t1, sizeof(t1)));
	kv_add(tb, "  last mount", "%s (mounted %u times since the check%s)", tstr(in->last_mount, t2, sizeof(t2)),
	       in->mount_count, in->max_mount_count > 0 ? "" : "; no mount-count limit");
	kv_add(tb, "  journal", "%s", !in->has_journal ? "none" :
	       in->needs_recovery ? "needs recovery (e2fsck replays it first)" : "clean");
	if (in->orphans)
		kv_add(tb, "  orphans", "inodes to release on the orphan list");
	kv_add(tb, "  free", "%llu of %llu blocks (%u bytes each), %llu of %llu inodes",
	       (unsigned long long)in->free_blocks, (unsigned long long)in->blocks, in->block_size,
	       (unsigned long long)in->free_inodes, (unsigned long long)in->inodes);
	kv_add(tb, "  features", "%s", in->features);
	if (!in->opened)
		kv_add(tb, "  libext2fs", "cannot open it: %s", in->open_error);
	print_table(c, tb);
}

/* Damaged primary superblock: say so and offer the backups. */
static void offer_backups(struct cli *c, const char *dev, json_object *pj)
{
	uint64_t bk[16];
	uint32_t bs = 0;
	int n = ext4_backup_superblocks(dev, &bs, bk, 16);
	json_object *arr = json_object_new_array();
	char list[512] = "";
	for (int i = 0; i < n; i++) {
		json_object_array_add(arr, json_object_new_uint64(bk[i]));
		size_t l = strlen(list);
		snprintf(list + l, sizeof(list) - l, "%s%llu", i ? ", " : "", (unsigned long long)bk[i]);
	}
	json_object_object_add(pj, "backup_superblocks", arr);
	json_object_object_add(pj, "backup_block_size", json_object_new_int64(bs));
	if (n > 0)
		cli_warnj(c, "the primary superblock of %s is damaged; e2fsck falls back to a backup itself. "
			  "Valid backups (block size %u): %s -- to choose one: rescuectl fsck --superblock %llu "
			  "--block-size %u %s", dev, bs, list, (unsigned long long)bk[0], bs, dev);
	else
		cli_warnj(c, "the primary superblock of %s is damaged and no valid backup was found at the "
			  "usual places (%s)", dev, n < 0 ? rc_msg() : "none");
}

/* The e2fsck here must know every feature: refuse before it starts.
 * FORCED: the system's e2fsck runs because --checker system said so. */
static int check_features(struct cli *c, const struct pre *p, json_object *pj, int forced)
{
	struct fsck_feat f[32];
	int n = fsck_features_unknown(p->info.features, p->e2fsck_ver, f, 32);
	json_object *arr = json_object_new_array();
	char too_new[512] = "", v[32];
	unsigned need = 0;
	for (int i = 0; i < n; i++) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "feature", json_object_new_string(f[i].name));
		json_object_object_add(o, "needs_e2fsck", json_object_new_string(fsck_version_str(f[i].needs, v, sizeof(v))));
		json_object_array_add(arr, o);
		if (f[i].needs == FSCK_FEAT_UNKNOWN) {
			cli_warnj(c, "feature %s is unknown to rescuectl; e2fsck %s decides whether it knows it",
				  f[i].name, p->e2fsck_ver_str);
			continue;
		}
		size_t l = strlen(too_new);
		snprintf(too_new + l, sizeof(too_new) - l, "%s%s (e2fsprogs %s)", l ? ", " : "", f[i].name,
			 f[i].needs == FSCK_FEAT_NEVER ? "none supports it" : fsck_version_str(f[i].needs, v, sizeof(v)));
		if (f[i].needs != FSCK_FEAT_NEVER && f[i].needs > need)
			need = f[i].needs;
	}
	json_object_object_add(pj, "features_unknown_to_e2fsck", arr);
	if (!too_new[0])
		return 0;
	char pkg[128];
	run_install_hint("e2fsprogs", pkg, sizeof(pkg));
	/* with --checker system; otherwise the bundled e2fsck runs instead,
	 * unless it is too old as well */
	char alt[128] = "";
	if (forced && need <= e2t_bundled_version())
		snprintf(alt, sizeof(alt), "Run without --checker system to use rescuectl's own e2fsck %s, or ",
			 e2t_bundled_version_str());
	if (need)
		return cli_error(c, FSCK_EX_OPERATIONAL, "refusing: the installed e2fsck %s does not know the "
				 "feature(s) %s of this filesystem and would stop. %s%s e2fsprogs %s or newer (%s) "
				 "and run again", p->e2fsck_ver_str, too_new, alt, alt[0] ? "install" : "Install",
				 fsck_version_str(need, v, sizeof(v)), pkg);
	return cli_error(c, FSCK_EX_OPERATIONAL, "refusing: the filesystem has feature(s) %s that no released "
			 "e2fsck checks", too_new);
}

/* Which e2fsck runs (lib/e2tools.h), said before it runs; then the features
 * it must know. PATH: the system's e2fsck, run by its path as before; left
 * empty for the bundled one, which runs as "e2fsck" (pinned). */
static int choose_e2fsck(struct cli *c, const struct st *s, struct pre *p, json_object *cj, json_object *pj,
			 char *path, size_t sz)
{
	struct e2t_choice ch;
	char w[PATH_MAX + 400], v[24];
	if (e2t_choose(E2T_E2FSCK, p->have_info ? p->info.features : NULL, s->checker, &ch) < 0)
		return cli_error(c, FSCK_EX_OPERATIONAL, "%s", rc_msg());
	json_object_object_add(cj, "program", json_object_new_string(ch.shown));
	if (ch.ver)
		json_object_object_add(cj, "version", json_object_new_string(ch.ver_str));
	json_object_object_add(cj, "bundled", json_object_new_boolean(ch.bundled));
	json_object_object_add(cj, "why", ch.why[0] ? json_object_new_string(ch.why) : NULL);
	json_object_object_add(cj, "system_version", !ch.sys_found ? NULL :
			       json_object_new_string(ch.sys_ver ? fsck_version_str(ch.sys_ver, v, sizeof(v)) : "unknown"));
	cli_info(c, "Checker: %s", e2t_words(&ch, w, sizeof(w)));
	if (!ch.bundled)
		snprintf(path, sz, "%s", ch.path);
	if (!p->have_info)
		return 0;
	if (!ch.ver) {
		cli_warnj(c, "cannot tell the version of %s (e2fsck -V); features are not compared", ch.shown);
		return 0;
	}
	p->e2fsck_ver = ch.ver;
	snprintf(p->e2fsck_ver_str, sizeof(p->e2fsck_ver_str), "%s", ch.ver_str);
	return check_features(c, p, pj, !ch.bundled && ch.forced);
}

/* ---- main ------------------------------------------------------------------------ */

static int mounted_check(struct cli *c, const char *dev, enum fsck_mode mode, json_object *doc)
{
	char where[PATH_MAX] = "";
	int r = dev_in_use(dev, where, sizeof(where));
	if (r < 0)
		return cli_error(c, FSCK_EX_OPERATIONAL, "cannot tell whether %s is in use: %s", dev, rc_msg());
	if (!r)
		return 0;
	json_object_object_add(doc, "mounted_on", json_object_new_string(where));
	if (!strcmp(where, "[swap]"))
		return cli_error(c, FSCK_EX_OPERATIONAL, "refusing: %s is in use as swap (swapoff %s)", dev, dev);
	int ro = 0;
	struct mounts ms = { 0 };
	if (mountinfo_load(&ms) == 0) {
		const struct mnt *m = mountinfo_by_target(&ms, where);
		if (m && m->opts) {
			char o[512];
			snprintf(o, sizeof(o), ",%s,", m->opts);
			ro = strstr(o, ",ro,") != NULL;
		}
		mountinfo_free(&ms);
	}
	if (mode == FSCK_MODE_CHECK && ro) {
		cli_warnj(c, "%s is mounted read-only on %s; checking it read-only (results can be stale "
			  "if it was written to since it was mounted)", dev, where);
		return 0;
	}
	return cli_error(c, FSCK_EX_OPERATIONAL, "refusing: %s is mounted on %s; checking a mounted "
			 "filesystem corrupts it. Unmount it first (rescuectl umount-root, or umount %s)%s",
			 dev, where, where, mode == FSCK_MODE_CHECK ? "; --check-only works on a read-only mount" : "");
}

/* 1. The device: DEVICE, the device behind --root, or the root detect finds. */
static int pick_device(struct cli *c, char *dev, size_t sz)
{
	int rc;
	if (c->nargs)
		snprintf(dev, sz, "%s", c->args[0]);
	else if ((rc = c->root ? device_of_root(c, c->root, dev, sz) : find_device(c, dev, sz)))
		return rc;
	json_object_object_add(cli_doc(c), "device", json_object_new_string(dev));
	struct stat sb;
	if (stat(dev, &sb) < 0)
		return cli_error(c, FSCK_EX_OPERATIONAL, "%s: %s", dev, strerror(errno));
	if (!S_ISBLK(sb.st_mode) && !S_ISREG(sb.st_mode))
		return cli_error(c, FSCK_EX_OPERATIONAL, "%s is neither a block device nor an image file", dev);
	return 0;
}

/* An ext superblock at --superblock (every block size when -B is not given),
 * or the primary or a backup. */
static int read_ext_info(const char *dev, struct st *s, struct ext4_info *info)
{
	if (!s->superblock)
		return ext4_read_info_any(dev, info);
	if (s->blocksize)
		return ext4_read_info_at(dev, s->superblock, s->blocksize, info);
	for (unsigned bs = 1024; bs <= 65536; bs *= 2)
		if (ext4_read_info_at(dev, s->superblock, bs, info) == 0) {
			s->blocksize = bs;
			return 0;
		}
	return rc_fail(EINVAL, "no ext2/3/4 superblock at block %llu of %s for any block size", s->superblock, dev);
}

/* 2. What is on it: FSTYPE (probed, or --type), and for ext the superblock. */
static int what_is_on(struct cli *c, const char *dev, struct st *s, struct pre *pre, char *fstype, size_t sz)
{
	struct devid id;
	memset(&id, 0, sizeof(id));
	if (probe_device(dev, &id) == 0)
		snprintf(fstype, sz, "%s", id.fstype);
	if (!strcmp(fstype, "linux_raid_member"))
		return refuse_member(c, dev, &id);
	char why[512];
	if (devid_conflicting(&id, why, sizeof(why)))
		/* a repair of the stale one would overwrite the partition table */
		return cli_error(c, FSCK_EX_OPERATIONAL, "%s %s", dev, why);
	if (s->type) {
		if (fstype[0] && strcmp(fstype, s->type))
			cli_warnj(c, "%s looks like %s; checking it as %s as asked (--type)", dev, fstype, s->type);
		snprintf(fstype, sz, "%s", s->type);
	}
	int ext = !strncmp(fstype, "ext", 3);
	if (fstype[0] && !ext)
		return 0;
	/* no signature: an ext whose primary superblock is gone still has backups */
	if (read_ext_info(dev, s, &pre->info) == 0) {
		pre->have_info = 1;
		if (!fstype[0] || !strcmp(fstype, "ext4dev"))
			snprintf(fstype, sz, "%s", pre->info.fstype);
	} else if (ext) {
		return cli_error(c, FSCK_EX_OPERATIONAL, "%s", rc_msg());
	}
	return 0;
}

/* A shrink-root stopped inside resize2fs left its undo log on DEV: a
 * repair now would throw away the files being moved. Refused (a read-only
 * check is not: it says what state the filesystem is in). */
static int half_resized(struct cli *c, const char *dev, const struct ext4_info *fi, enum fsck_mode mode)
{
	struct undo_loc l;
	int ok = 0, r = undo_log_pending(dev, fi->uuid, &l, &ok);
	if (r < 0)
		return cli_error(c, FSCK_EX_OPERATIONAL, "refusing: %s", rc_msg());
	/* an undo file's locator: resize2fs's mark says whether it finished */
	if (r == 0 || (l.file[0] && !(fi->errors && fi->error_count == 0)))
		return 0;
	if (mode == FSCK_MODE_CHECK) {
		cli_warnj(c, "%s was left half moved by a shrink-root stopped inside resize2fs: what e2fsck finds "
			  "now is that; 'rescuectl shrink-root --rollback %s' puts it back as it was", dev, dev);
		return 0;
	}
	return cli_error(c, FSCK_EX_OPERATIONAL, "refusing: %s was left half moved by a shrink-root stopped inside "
			 "resize2fs (a power cut, a reboot or a kill), and a repair would throw away the files being "
			 "moved. Its undo log on the disk puts it back as it was: run 'rescuectl shrink-root "
			 "--rollback %s' instead. Nothing was changed", dev, dev);
}

/* 6. Run the checker; returns the fsck(8) status, with the checker's own in CJ. */
static int run_checker(struct cli *c, struct fsck_plan *plan, char *path, json_object *cj)
{
	json_object *doc = cli_doc(c);
	char cmd[1024];
	run_format(plan->argv, cmd, sizeof(cmd));
	json_object *av = json_object_new_array();
	for (int i = 0; i < plan->argc; i++)
		json_object_array_add(av, json_object_new_string(plan->argv[i]));
	json_object_object_add(doc, "command", json_object_new_string(cmd));
	json_object_object_add(doc, "argv", av);
	cli_info(c, "Running: %s", cmd);
	/* the bundled e2fsck: argv[0] stays "e2fsck", run_cmd runs the pinned /proc/self/exe */
	if (path[0])
		plan->argv[0] = path;
	/* The checker's report goes to the terminal as it comes (stderr under
	 * --json, nowhere under --quiet): never buffered, as e2fsck can print
	 * without end on some damage (e2fsck 1.47.0 -n loops on two images of
	 * its own test suite). */
	unsigned flags = c->quiet ? RUN_QUIET : c->json ? RUN_OUT_TO_ERR : 0;
	int st = 0;
	if (run_cmd(plan->argv, flags, &st, NULL, NULL) < 0)
		return cli_error(c, FSCK_EX_OPERATIONAL, "%s", rc_msg());
	/* run_cmd reports a signal as 128+N. e2fsck's 128 (library error) is
	 * its own; it does not combine 128 with other bits. */
	int signalled = st > 128;
	int code = fsck_map_status(plan, signalled ? st - 128 : st, signalled);
	char words[256];
	fsck_status_words(code, words, sizeof(words));
	json_object_object_add(cj, "exit", json_object_new_int(signalled ? -1 : st));
	if (signalled)
		json_object_object_add(cj, "signal", json_object_new_int(st - 128));
	json_object_object_add(doc, "exit_status", json_object_new_int(code));
	json_object_object_add(doc, "summary", json_object_new_string(words));
	const char *flg[8];
	int nf = fsck_status_flags(code, flg, 8);
	json_object *fa = json_object_new_array();
	for (int i = 0; i < nf; i++)
		json_object_array_add(fa, json_object_new_string(flg[i]));
	json_object_object_add(doc, "status_flags", fa);
	if (plan->kind == FSCK_KIND_XFS && st == 2)
		cli_warnj(c, "xfs_repair: the log is dirty. Mount the filesystem once (it replays the log), "
			  "unmount it and run again; 'xfs_repair -L' zeroes the log and loses its changes (last resort)");
	return code;
}

/* 7. What changed: the superblock read again, as a table and in JSON. */
static void what_changed(struct cli *c, const char *dev, const struct st *s, const struct pre *pre, int code)
{
	struct ext4_info after;
	json_object *doc = cli_doc(c);
	int r = s->superblock && !(code & (FSCK_EX_CORRECTED | FSCK_EX_REBOOT))
		? ext4_read_info_at(dev, s->superblock, s->blocksize, &after)
		: ext4_read_info_any(dev, &after);
	json_object *ch = json_object_new_array();
	if (r) {
		cli_warnj(c, "cannot read the superblock again after the check: %s", rc_msg());
		json_object_object_add(doc, "changes", ch);
		return;
	}
	struct fsck_change chg[24];
	int n = fsck_sb_diff(&pre->info, &after, chg, 24);
	struct libscols_table *tb = NULL;
	if (n && (tb = scols_new_table())) {
		scols_table_new_column(tb, "CHANGED", 0, 0);
		scols_table_new_column(tb, "BEFORE", 0, 0);
		scols_table_new_column(tb, "AFTER", 0, 0);
	}
	for (int i = 0; i < n; i++) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "field", json_object_new_string(chg[i].field));
		json_object_object_add(o, "before", json_object_new_string(chg[i].before));
		json_object_object_add(o, "after", json_object_new_string(chg[i].after));
		json_object_array_add(ch, o);
		struct libscols_line *ln = tb ? scols_table_new_line(tb, NULL) : NULL;
		if (ln) {
			scols_line_set_data(ln, 0, chg[i].field);
			scols_line_set_data(ln, 1, chg[i].before);
			scols_line_set_data(ln, 2, chg[i].after);
		}
	}
	if (tb) {
		cli_info(c, "Superblock changes:");
		print_table(c, tb);
	} else {
		cli_info(c, "Superblock: unchanged");
	}
	json_object_object_add(doc, "after", jinfo(&after));
	json_object_object_add(doc, "changes", ch);
}

/* The result in words, and what to do next. */
static int result(struct cli *c, const char *dev, const struct fsck_plan *plan, enum fsck_mode mode, int code)
{
	char words[256];
	fsck_status_words(code, words, sizeof(words));
	cli_info(c, "Result: %d = %s", code, words);
	if (code & FSCK_EX_REBOOT)
		cli_info(c, "(\"reboot needed\" matters when the checked filesystem is the running root; "
			    "from a rescue system, just do not mount it before the check has finished)");
	if (code & FSCK_EX_UNCORRECTED && mode == FSCK_MODE_PREEN && plan->kind == FSCK_KIND_E2FSCK)
		cli_info(c, "Errors are left that -p does not fix safely: run 'rescuectl fsck --yes %s' to repair them", dev);
	if (code & FSCK_EX_UNCORRECTED && mode == FSCK_MODE_CHECK)
		cli_info(c, "Nothing was changed (--check-only). To repair: rescuectl fsck --yes %s", dev);
	if (code && code != FSCK_EX_CORRECTED && code != (FSCK_EX_CORRECTED | FSCK_EX_REBOOT) && c->json)
		cli_error(c, code, "%s: %s", plan->prog, words);
	return code;
}

int fsck_main(int argc, char **argv)
{
	struct cli c;
	struct st s = { 0 };
	int done;
	int rc = cli_parse(&c, applet_find("fsck"), argc, argv, fsck_opts, on_opt, &s, 0, 1, &done);
	if (done)
		return rc;
	json_object *doc = cli_doc(&c);
	char dev[PATH_MAX] = "", fstype[32] = "";
	struct pre pre;
	memset(&pre, 0, sizeof(pre));
	enum fsck_mode mode = (s.check_only || c.dry_run) ? FSCK_MODE_CHECK : c.yes ? FSCK_MODE_YES : FSCK_MODE_PREEN;
	json_object_object_add(doc, "mode", json_object_new_string(fsck_mode_name(mode)));
	if ((rc = pick_device(&c, dev, sizeof(dev))) || (rc = what_is_on(&c, dev, &s, &pre, fstype, sizeof(fstype))))
		return cli_finish(&c, rc);
	int ext = !strncmp(fstype, "ext", 3);
	json_object_object_add(doc, "fstype", json_object_new_string(fstype));

	/* 3. the plan and the checker */
	struct fsck_opts fo = {
		.mode = mode, .btrfs_repair = s.repair, .verbose = c.verbose,
		.progress = !c.json && !c.quiet && isatty(STDOUT_FILENO),
		.superblock = s.superblock, .blocksize = s.blocksize,
	};
	if (fo.superblock && !fo.blocksize && pre.have_info)
		fo.blocksize = pre.info.block_size;
	struct fsck_plan plan;
	if (fsck_plan(fstype, dev, &fo, &plan) < 0) {
		int hint = rc_exit_hint();
		return cli_finish(&c, cli_error(&c, hint == FSCK_EX_USAGE ? FSCK_EX_USAGE : FSCK_EX_OPERATIONAL, "%s", rc_msg()));
	}
	if (s.checker == E2T_BUNDLED && plan.kind != FSCK_KIND_E2FSCK)
		return cli_finish(&c, cli_error(&c, FSCK_EX_USAGE, "--checker bundled: rescuectl carries e2fsck only; "
						"%s is checked with the rescue system's %s (%s package)", dev,
						plan.prog, run_package_of(plan.prog)));

	/* 4. never on a mounted filesystem, nor on a disk another program holds
	 * (sfdisk, a second rescuectl): a repair locks it exclusively, a check
	 * shares it with other readers. The lock goes with the process. */
	if ((rc = mounted_check(&c, dev, mode, doc)))
		return cli_finish(&c, rc);
	struct devlock lk = { 0 };
	if (dev_lock_mode(dev, mode != FSCK_MODE_CHECK, 3000, &lk) < 0)
		return cli_finish(&c, cli_error(&c, FSCK_EX_OPERATIONAL, "refusing: %s", rc_msg()));
	if (ext && pre.have_info && (rc = half_resized(&c, dev, &pre.info, mode)))
		return cli_finish(&c, rc);

	/* e2fsck is chosen after the preflight, which has the features */
	char path[PATH_MAX] = "";
	if (plan.kind != FSCK_KIND_E2FSCK && run_find(plan.prog, path, sizeof(path)) < 0)
		return cli_finish(&c, cli_error(&c, FSCK_EX_OPERATIONAL, "%s", rc_msg()));
	json_object *cj = json_object_new_object();
	if (path[0])
		json_object_object_add(cj, "program", json_object_new_string(path));
	json_object_object_add(doc, "checker", cj);

	/* 5. preflight (ext), and which e2fsck */
	json_object *pj = NULL;
	if (ext && pre.have_info) {
		pj = jinfo(&pre.info);
		json_object_object_add(doc, "preflight", pj);
		print_preflight(&c, dev, &pre.info);
		if (!pre.info.primary_ok)
			offer_backups(&c, dev, pj);
		if (pre.info.needs_recovery && mode == FSCK_MODE_CHECK)
			cli_warnj(&c, "the journal of %s needs recovery, which --check-only cannot do: e2fsck -n skips "
				  "it and may report errors that the replay would fix", dev);
	}
	if (plan.kind == FSCK_KIND_E2FSCK && (rc = choose_e2fsck(&c, &s, &pre, cj, pj, path, sizeof(path)))) {
		if (!json_object_object_get_ex(cj, "program", NULL))
			json_object_object_del(doc, "checker");   /* none chosen: none to name */
		return cli_finish(&c, rc);
	}
	if (plan.warning) {
		cli_warnj(&c, "%s", plan.warning);
		if (!cli_confirm(&c, "Run btrfs check --repair now?"))
			return cli_finish(&c, FSCK_EX_OPERATIONAL);
	}

	/* 6. run it; 7. what changed */
	int code = run_checker(&c, &plan, path, cj);
	if (!json_object_object_get_ex(doc, "exit_status", NULL))
		return cli_finish(&c, code);     /* it could not be started */
	if (ext && pre.have_info)
		what_changed(&c, dev, &s, &pre, code);
	return cli_finish(&c, result(&c, dev, &plan, mode, code));
}
