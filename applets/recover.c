/* recover: copy files out of the installed system as a pax archive on
 * stdout (or -o FILE, or into --to DIR), reading ext2/3/4 without a mount
 * and keeping going past damage. Read-only: no byte of the target is
 * written. */
#include "applets.h"
#include "../lib/recover.h"
#include "../lib/recover_ar.h"
#include "../lib/recover_to.h"
#include "../lib/size.h"
#include "../lib/target.h"
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char recover_help[] =
	"Writes PATHs of the installed system (default: /) as a pax archive to\n"
	"stdout, for example from your own machine:\n"
	"  ssh root@SERVER rescuectl recover /root/demo /etc > server.tar\n"
	"ext2/3/4 are read through libext2fs without a mount and without a journal\n"
	"replay; xfs and btrfs through a read-only, no-replay mount in a private\n"
	"mount namespace. Kept: contents, owner and group (numbers, and the names\n"
	"in the target's own /etc/passwd and /etc/group), mode, times with\n"
	"nanoseconds, symbolic and hard links, device nodes, FIFOs, sparse files,\n"
	"extended attributes (SELinux labels, capabilities) and POSIX ACLs. Names\n"
	"are stored relative (root/demo/...). Unpack with 'tar --xattrs\n"
	"--xattrs-include=\"*\" --acls -xpf' or 'bsdtar -xpf'.\n"
	"\n"
	"The first argument is the DEVICE when it is a block device or a file\n"
	"(an image) on this system; every other argument is a PATH inside the\n"
	"target. Damage never stops the archive: a file that cannot be read is\n"
	"left out (with --partial its readable part is kept, zeros in place of\n"
	"the rest, marked with the xattr user.rescuectl.lost); every loss is\n"
	"listed on stderr and in the JSON summary. A binary archive is never\n"
	"written to a terminal.\n"
	"\n"
	"Exit codes: 0 done, 1 failed, 2 usage, 3 refused (--to place exists or\n"
	"goes through a link, output inside the target), 4 PATH or target not\n"
	"found, 5 several roots, 7 done but incomplete: some files were lost.";

enum { O_OUT = 'o', O_GZIP = 1100, O_ZSTD, O_TO, O_FORCE, O_LIST, O_PARTIAL, O_JSONFILE };
static const struct cli_opt opts[] = {
	{ "output", required_argument, O_OUT, "FILE", "write the archive to FILE instead of stdout" },
	{ "gzip", no_argument, O_GZIP, NULL, "compress the archive with gzip" },
	{ "zstd", no_argument, O_ZSTD, NULL, "compress the archive with zstd" },
	{ "to", required_argument, O_TO, "DIR", "copy into DIR on this system instead of an archive" },
	{ "force", no_argument, O_FORCE, NULL, "with --to: replace files that are there, merge directories" },
	{ "list", no_argument, O_LIST, NULL, "list what would be recovered, reading no contents" },
	{ "partial", no_argument, O_PARTIAL, NULL, "keep the readable part of a damaged file (marked)" },
	{ "json-file", required_argument, O_JSONFILE, "FILE", "write the JSON summary to FILE" },
	{ NULL, 0, 0, NULL, NULL },
};

struct st {
	const char *out, *to, *jsonfile;
	int gzip, zstd, force, list, partial;
	/* run state */
	struct cli *c;
	json_object *entries;     /* --list --json */
	struct timespec t0, last;
	int progress_shown;
	uint64_t last_bytes;
};

static int on_opt(struct cli *c, void *p, int id, const char *arg)
{
	(void)c;
	struct st *s = p;
	switch (id) {
	case O_OUT: s->out = arg; break;
	case O_GZIP: s->gzip = 1; break;
	case O_ZSTD: s->zstd = 1; break;
	case O_TO: s->to = arg; break;
	case O_FORCE: s->force = 1; break;
	case O_LIST: s->list = 1; break;
	case O_PARTIAL: s->partial = 1; break;
	case O_JSONFILE: s->jsonfile = arg; break;
	}
	return 0;
}

static int check_combos(struct cli *c, const struct st *s)
{
	if (s->gzip && s->zstd)
		return cli_usage(c, "choose one of --gzip and --zstd");
	if (s->to && (s->out || s->gzip || s->zstd))
		return cli_usage(c, "--to copies files into a directory; -o, --gzip and --zstd are for the archive");
	if (s->list && (s->to || s->out || s->gzip || s->zstd))
		return cli_usage(c, "--list writes nothing; it takes no -o, --to, --gzip or --zstd");
	if (s->force && !s->to)
		return cli_usage(c, "--force goes with --to only: an archive never overwrites anything in the target");
	return 0;
}

/* Is ARG the DEVICE? Any block device or regular file of this system is:
 * an image too damaged to probe must be refused as such, never taken for a
 * PATH while a root is looked for elsewhere. A PATH inside the target that
 * happens to be a file here too (/etc/passwd) gets a hint (plan()). */
static int is_device_arg(const char *arg)
{
	struct stat st;
	return stat(arg, &st) == 0 && (S_ISBLK(st.st_mode) || S_ISREG(st.st_mode));
}

static double elapsed(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* A progress line on a terminal, at most 5 times a second. */
static void on_progress(void *arg, const struct recover *rc, const char *path)
{
	struct st *s = arg;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	double since = (double)(now.tv_sec - s->last.tv_sec) + (double)(now.tv_nsec - s->last.tv_nsec) / 1e9;
	if (since < 0.2)
		return;
	s->last = now;
	double t = elapsed(&s->t0);
	char sz[32], rate[32], name[256];
	size_format(rc->st.bytes, sz, sizeof(sz));
	size_format(t > 0 ? (uint64_t)((double)rc->st.bytes / t) : 0, rate, sizeof(rate));
	recover_escape(path, name, sizeof(name));
	size_t l = strlen(name);
	const char *shown = l > 40 ? name + l - 40 : name;
	fprintf(stderr, "\r\033[K%10s %10s/s  %llu files  %s%s", sz, rate,
		(unsigned long long)(rc->st.files + rc->st.dirs + rc->st.symlinks), l > 40 ? "..." : "", shown);
	fflush(stderr);
	s->progress_shown = 1;
}

static void mode_string(uint32_t m, char out[12], int acl)
{
	const char *t = S_ISDIR(m) ? "d" : S_ISLNK(m) ? "l" : S_ISCHR(m) ? "c" : S_ISBLK(m) ? "b" : S_ISFIFO(m) ? "p" : "-";
	const char *rwx = "rwxrwxrwx";
	out[0] = t[0];
	for (int i = 0; i < 9; i++)
		out[1 + i] = (m & (0400u >> i)) ? rwx[i] : '-';
	if (m & S_ISUID)
		out[3] = (m & 0100) ? 's' : 'S';
	if (m & S_ISGID)
		out[6] = (m & 0010) ? 's' : 'S';
	if (m & S_ISVTX)
		out[9] = (m & 0001) ? 't' : 'T';
	out[10] = acl ? '+' : ' ';
	out[11] = 0;
}

static const char *type_name(const struct rentry *e)
{
	uint32_t m = e->n->mode;
	return e->hardlink ? "hardlink" : S_ISREG(m) ? "file" : S_ISDIR(m) ? "directory" : S_ISLNK(m) ? "symlink" :
	       S_ISCHR(m) ? "char" : S_ISBLK(m) ? "block" : "fifo";
}

static void time_iso(const struct timespec *ts, char *out, size_t sz)
{
	struct tm tm;
	time_t t = ts->tv_sec;
	gmtime_r(&t, &tm);
	size_t l = strftime(out, sz, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + l, sz - l, ".%09ldZ", ts->tv_nsec);
}

static json_object *entry_json(const struct rentry *e)
{
	char buf[RECOVER_MAX_PATH * 4 + 1], mode[8], t[64];
	json_object *o = json_object_new_object();
	json_object_object_add(o, "path", json_object_new_string(recover_escape(e->path, buf, sizeof(buf))));
	json_object_object_add(o, "type", json_object_new_string(type_name(e)));
	snprintf(mode, sizeof(mode), "%04o", e->n->mode & 07777);
	json_object_object_add(o, "mode", json_object_new_string(mode));
	json_object_object_add(o, "uid", json_object_new_int64(e->n->uid));
	json_object_object_add(o, "gid", json_object_new_int64(e->n->gid));
	json_object_object_add(o, "user", e->uname ? json_object_new_string(e->uname) : NULL);
	json_object_object_add(o, "group", e->gname ? json_object_new_string(e->gname) : NULL);
	json_object_object_add(o, "size", json_object_new_uint64(S_ISREG(e->n->mode) ? e->n->size : 0));
	time_iso(&e->n->mtime, t, sizeof(t));
	json_object_object_add(o, "mtime", json_object_new_string(t));
	if (e->link)
		json_object_object_add(o, "link", json_object_new_string(recover_escape(e->link, buf, sizeof(buf))));
	if (e->hardlink)
		json_object_object_add(o, "hardlink", json_object_new_string(recover_escape(e->hardlink, buf, sizeof(buf))));
	if (e->map && !e->hardlink && S_ISREG(e->n->mode))
		json_object_object_add(o, "data_bytes", json_object_new_uint64(e->data_bytes));
	if (e->nxa || e->acl_access || e->acl_default) {
		json_object *x = json_object_new_array();
		for (size_t i = 0; i < e->nxa; i++)
			json_object_array_add(x, json_object_new_string(e->xa[i].name));
		if (e->acl_access)
			json_object_array_add(x, json_object_new_string(e->acl_access->name));
		if (e->acl_default)
			json_object_array_add(x, json_object_new_string(e->acl_default->name));
		json_object_object_add(o, "xattrs", x);
	}
	if (e->lostmark)
		json_object_object_add(o, "lost", json_object_new_string(e->lostmark));
	return o;
}

/* --list: the sink prints a line (or gathers JSON) per entry. */
static int list_entry(void *arg, struct recover *rc, const struct rentry *e)
{
	(void)rc;
	struct st *s = arg;
	if (s->entries) {
		json_object_array_add(s->entries, entry_json(e));
		return 0;
	}
	char mode[12], owner[600], size[32], t[32], name[RECOVER_MAX_PATH * 4 + 1];
	mode_string(e->n->mode, mode, e->acl_access || e->acl_default);
	char u[16], g[16];
	snprintf(u, sizeof(u), "%u", e->n->uid);
	snprintf(g, sizeof(g), "%u", e->n->gid);
	snprintf(owner, sizeof(owner), "%s/%s", e->uname ? e->uname : u, e->gname ? e->gname : g);
	if (S_ISCHR(e->n->mode) || S_ISBLK(e->n->mode))
		snprintf(size, sizeof(size), "%u,%u", e->n->rmajor, e->n->rminor);
	else
		snprintf(size, sizeof(size), "%llu", S_ISREG(e->n->mode) && !e->hardlink ? (unsigned long long)e->n->size : 0ull);
	struct tm tm;
	time_t tt = e->n->mtime.tv_sec;
	localtime_r(&tt, &tm);
	strftime(t, sizeof(t), "%Y-%m-%d %H:%M", &tm);
	printf("%s %-17s %12s %s %s", mode, owner, size, t, recover_escape(e->path, name, sizeof(name)));
	if (e->link)
		printf(" -> %s", recover_escape(e->link, name, sizeof(name)));
	if (e->hardlink)
		printf(" link to %s", recover_escape(e->hardlink, name, sizeof(name)));
	if (e->lostmark)
		printf("  (partial: %s lost)", e->lostmark);
	putchar('\n');
	return ferror(stdout) ? rc_fail(EIO, "cannot write the listing") : 0;
}

static void fs_warnings(struct cli *c, struct rsrc *src, const struct target *t)
{
	struct ew_fsinfo fi;
	if (rsrc_fsinfo(src, &fi))
		return;
	if (fi.needs_recovery)
		cli_warnj(c, "the journal of %s needs recovery: its most recent changes are still in the journal "
			  "and are NOT in what is recovered (recover never replays a journal; the kernel does on "
			  "a read-write mount, e2fsck -E journal_only does it offline)", t->device);
	if (fi.errors)
		cli_warnj(c, "%s has errors recorded by the kernel; damaged files are listed as lost", t->device);
	if (fi.sb_block)
		cli_warnj(c, "the primary superblock of %s is damaged; read through the backup at block %llu",
			  t->device, (unsigned long long)fi.sb_block);
}

/* Names come from the target itself: its passwd and group, not ours. */
static void load_names(struct cli *c, struct recover *rc, struct target *t)
{
	char *pw = NULL, *gr = NULL;
	size_t pl = 0, gl = 0;
	if (tree_read(t->tree, "/etc/passwd", &pw, &pl, 4u << 20))
		cli_verbose(c, "no owner names: %s", rc_msg());
	if (tree_read(t->tree, "/etc/group", &gr, &gl, 4u << 20))
		cli_verbose(c, "no group names: %s", rc_msg());
	rc_clear();
	recover_set_names(rc, pw, pl, gr, gl);
	free(pw);
	free(gr);
}

static int open_source(struct target *t, struct rsrc **src)
{
	if (t->via == TARGET_VIA_OFFLINE)
		return rsrc_open_ext4(t->device, src);
	return rsrc_open_dirfd(tree_dirfd(t->tree), src);
}

/* Output must not land in the target (a read-only applet), nor be its device. */
static int output_safe(const char *out, const struct target *t, int isdir)
{
	struct stat os, ts;
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", out);
	if (!isdir) {
		char *sl = strrchr(dir, '/');
		if (sl)
			sl == dir ? (void)(sl[1] = 0) : (void)(*sl = 0);
		else
			snprintf(dir, sizeof(dir), ".");
	}
	if (t->device[0] && stat(out, &os) == 0 && stat(t->device, &ts) == 0 &&
	    ((S_ISBLK(ts.st_mode) && os.st_rdev == ts.st_rdev && S_ISBLK(os.st_mode)) ||
	     (os.st_dev == ts.st_dev && os.st_ino == ts.st_ino)))
		return rc_failx(RC_EXIT_REFUSED, EINVAL, "%s is the target itself; recover writes nothing to it", out);
	int tfd = t->via == TARGET_VIA_OFFLINE ? -1 : tree_dirfd(t->tree);
	if (tfd >= 0 && stat(dir, &os) == 0 && fstat(tfd, &ts) == 0 && os.st_dev == ts.st_dev)
		return rc_failx(RC_EXIT_REFUSED, EINVAL, "%s is on the target's filesystem%s%s; recover writes "
				"nothing to the target: put it elsewhere", out, t->root[0] ? " " : "", t->root);
	return 0;
}

static void raise_nofile(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max > 65536 ? 65536 : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

struct job {
	struct cli *c;
	struct st *s;
	const char *device;
	char **paths;
	int npaths;
	char *slash[1];
	struct target t;
	struct rsrc *src;
	struct recover rc;
	struct rarchive *ar;
	struct rto *to;
	int outfd;
	FILE *jf;
	enum rcomp comp;
};

static int parse_args(struct job *j)
{
	struct cli *c = j->c;
	j->paths = c->args;
	j->npaths = c->nargs;
	if (!c->root && c->nargs > 0 && is_device_arg(c->args[0])) {
		j->device = c->args[0];
		j->paths++;
		j->npaths--;
	}
	if (!j->npaths) {
		j->slash[0] = "/";
		j->paths = j->slash;
		j->npaths = 1;
	}
	for (int i = 0; i < j->npaths; i++) {
		char norm[RECOVER_MAX_PATH];
		if (j->paths[i][0] != '/')
			return cli_usage(c, "%s: a PATH is absolute inside the installed system (/root/demo)%s", j->paths[i],
					 i == 0 && !c->root ? ", or the DEVICE (a block device or image file)" : "");
		if (recover_norm_path(j->paths[i], norm, sizeof(norm)))
			return cli_usage(c, "%s", rc_msg());
	}
	j->comp = j->s->gzip ? RCOMP_GZIP : j->s->zstd ? RCOMP_ZSTD : RCOMP_NONE;
	if (!j->s->to && !j->s->list && !j->s->out && isatty(STDOUT_FILENO))
		return cli_usage(c, "refusing to write a binary archive to a terminal: redirect it (> server.tar) or "
				 "use -o FILE (or --list to see what would be recovered)");
	return 0;
}

/* Everything is checked before the first byte is written. */
static int plan(struct job *j)
{
	struct cli *c = j->c;
	struct st *s = j->s;
	int r = target_open(j->device, c->root, 0, &j->t);
	if (r && j->device && j->npaths == 1 && j->paths == j->slash)
		return cli_error(c, rc_exit_hint(), "%s (to recover %s from the installed system, name its DEVICE "
				 "first: rescuectl recover /dev/sdXN %s)", rc_msg(), j->device, j->device);
	if (r)
		return cli_liberr(c);
	if ((r = open_source(&j->t, &j->src)))
		return cli_liberr(c);
	if ((r = recover_init(&j->rc, j->src)))
		return cli_error(c, RC_EXIT_FAIL, "out of memory");
	load_names(c, &j->rc, &j->t);
	fs_warnings(c, j->src, &j->t);
	for (int i = 0; i < j->npaths; i++) {
		struct rnode n;
		r = rsrc_lookup(j->src, j->paths[i], &n);
		rsrc_release(j->src, &n);
		if (r == -ENOENT || r == -ENOTDIR)
			return cli_error(c, RC_EXIT_NOTFOUND, "%s: no such file or directory in the target", j->paths[i]);
		if (r)
			return cli_error(c, RC_EXIT_FAIL, "%s: %s", j->paths[i], rc_msg());
	}
	if (s->to) {
		if ((r = output_safe(s->to, &j->t, 1)) || (r = rto_open(s->to, s->force, &j->to)))
			return cli_liberr(c);
		for (int i = 0; i < j->npaths; i++) {
			char norm[RECOVER_MAX_PATH];
			recover_norm_path(j->paths[i], norm, sizeof(norm));
			if (rto_check(j->to, norm))
				return cli_liberr(c);
		}
	} else if (s->out && (r = output_safe(s->out, &j->t, 0)))
		return cli_liberr(c);
	return 0;
}

static int open_output(struct job *j)
{
	struct cli *c = j->c;
	struct st *s = j->s;
	if (s->list || s->to)
		return 0;
	j->outfd = STDOUT_FILENO;
	if (s->out) {
		j->outfd = open(s->out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (j->outfd < 0)
			return cli_error(c, RC_EXIT_FAIL, "cannot create %s: %s", s->out, strerror(errno));
	}
	if (rarchive_open(j->outfd, j->comp, &j->ar))
		return cli_liberr(c);
	return 0;
}

static void set_sink(struct job *j)
{
	struct recover *rc = &j->rc;
	rc->partial = j->s->partial;
	rc->list_only = j->s->list;
	if (j->s->list)
		rc->sink = (struct rsink){ list_entry, NULL, j->s };
	else if (j->s->to)
		rc->sink = (struct rsink){ rto_entry, rto_dir_done, j->to };
	else
		rc->sink = (struct rsink){ rarchive_entry, NULL, j->ar };
	if (!j->c->quiet && isatty(STDERR_FILENO) && !j->s->list && (!j->c->json || j->s->jsonfile)) {
		rc->progress = on_progress;
		rc->progress_arg = j->s;
	}
}

static const char *describe(const struct target *t, char *buf, size_t sz)
{
	if (t->via == TARGET_VIA_OFFLINE)
		snprintf(buf, sz, "%s (%s, read offline through libext2fs)", t->device, t->fstype);
	else
		target_describe(t, buf, sz);
	return buf;
}

static void summary_json(struct job *j, double secs, int fatal)
{
	const struct recover_stats *st = &j->rc.st;
	json_object *d = cli_doc(j->c), *l = json_object_new_array(), *n = json_object_new_array();
	char desc[8192], buf[RECOVER_MAX_PATH * 4 + 1];
	json_object_object_add(d, "target", json_object_new_string(describe(&j->t, desc, sizeof(desc))));
	json_object_object_add(d, "output", json_object_new_string(j->s->list ? "list" : j->s->to ? j->s->to :
								    j->s->out ? j->s->out : "-"));
	json_object_object_add(d, "compression", json_object_new_string(j->comp == RCOMP_GZIP ? "gzip" :
									 j->comp == RCOMP_ZSTD ? "zstd" : "none"));
#define N(k, v) json_object_object_add(d, k, json_object_new_uint64(v))
	N("files", st->files); N("directories", st->dirs); N("symlinks", st->symlinks);
	N("hardlinks", st->hardlinks); N("devices", st->devices); N("fifos", st->fifos);
	N("sockets_left_out", st->sockets); N("bytes", st->bytes); N("sparse_bytes", st->holes);
	N("lost", st->lost); N("partial", st->partial);
	if (j->ar)
		N("archive_bytes", rarchive_written(j->ar));
#undef N
	json_object_object_add(d, "seconds", json_object_new_double(secs));
	for (size_t i = 0; i < j->rc.nloss; i++) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "path", json_object_new_string(recover_escape(j->rc.loss[i].path, buf, sizeof(buf))));
		json_object_object_add(o, "what", json_object_new_string(j->rc.loss[i].what));
		json_object_object_add(o, "kept", json_object_new_boolean(j->rc.loss[i].kept));
		json_object_array_add(l, o);
	}
	for (size_t i = 0; i < j->rc.nnotes; i++)
		json_object_array_add(n, json_object_new_string(recover_escape(j->rc.notes[i], buf, sizeof(buf))));
	json_object_object_add(d, "losses", l);
	json_object_object_add(d, "notes", n);
	struct ew_fsinfo fi;
	if (j->src && !rsrc_fsinfo(j->src, &fi))
		json_object_object_add(d, "journal_needs_recovery", json_object_new_boolean(fi.needs_recovery));
	json_object_object_add(d, "complete", json_object_new_boolean(!fatal && !st->lost && !st->partial));
}

static void summary_text(struct job *j, double secs)
{
	const struct recover_stats *st = &j->rc.st;
	char buf[RECOVER_MAX_PATH * 4 + 1], sz[32], rate[32];
	for (size_t i = 0; i < j->rc.nnotes && j->c->verbose; i++)
		fprintf(stderr, "note: %s\n", recover_escape(j->rc.notes[i], buf, sizeof(buf)));
	for (size_t i = 0; i < j->rc.nloss; i++)
		fprintf(stderr, "%s: %s: %s\n", j->rc.loss[i].kept ? "partial" : "lost",
			recover_escape(j->rc.loss[i].path, buf, sizeof(buf)), j->rc.loss[i].what);
	if (j->c->quiet)
		return;
	size_format(st->bytes, sz, sizeof(sz));
	size_format(secs > 0 ? (uint64_t)((double)st->bytes / secs) : st->bytes, rate, sizeof(rate));
	if (j->s->list)
		snprintf(rate, sizeof(rate), "not read");
	else
		snprintf(rate + strlen(rate), sizeof(rate) - strlen(rate), "/s");
	fprintf(stderr, "%s: %llu files (%s, %s), %llu directories, %llu symbolic links, %llu hard links, "
		"%llu devices, %llu FIFOs in %.1f s; %llu lost, %llu kept partly%s\n",
		j->s->list ? "listed" : "recovered", (unsigned long long)st->files, sz, rate,
		(unsigned long long)st->dirs, (unsigned long long)st->symlinks, (unsigned long long)st->hardlinks,
		(unsigned long long)st->devices, (unsigned long long)st->fifos, secs, (unsigned long long)st->lost,
		(unsigned long long)st->partial, st->sockets ? " (sockets left out: tar cannot hold them)" : "");
}

static int finish(struct job *j, int fatal)
{
	struct st *s = j->s;
	double secs = elapsed(&s->t0);
	if (s->progress_shown)
		fputs("\r\033[K", stderr);
	if (j->ar && !fatal && rarchive_close(j->ar))
		fatal = cli_liberr(j->c);
	else if (j->ar && fatal)
		rarchive_close(j->ar);
	j->ar = NULL;
	if (j->to && rto_close(j->to) && !fatal)
		fatal = cli_liberr(j->c);
	j->to = NULL;
	if (s->out && j->outfd > 2 && close(j->outfd) < 0 && !fatal)
		fatal = cli_error(j->c, RC_EXIT_FAIL, "cannot write %s: %s", s->out, strerror(errno));
	if (!j->c->json || s->jsonfile)
		summary_text(j, secs);
	summary_json(j, secs, fatal);
	if (s->entries)
		json_object_object_add(cli_doc(j->c), "entries", s->entries);
	s->entries = NULL;
	if (!fatal && (j->rc.st.lost || j->rc.st.partial)) {
		char msg[160];
		snprintf(msg, sizeof(msg), "incomplete: %llu lost, %llu kept partly", (unsigned long long)j->rc.st.lost,
			 (unsigned long long)j->rc.st.partial);
		if (!j->c->quiet && (!j->c->json || s->jsonfile))
			fprintf(stderr, "rescuectl recover: %s (exit 7)\n", msg);
		if (j->c->json) {
			json_object *e = json_object_new_object();
			json_object_object_add(e, "message", json_object_new_string(msg));
			json_object_object_add(e, "exit", json_object_new_int(RC_EXIT_INCOMPLETE));
			json_object_object_add(cli_doc(j->c), "error", e);
		}
		return RC_EXIT_INCOMPLETE;
	}
	return fatal;
}

static void job_free(struct job *j)
{
	recover_free(&j->rc);
	rsrc_close(j->src);
	target_close(&j->t);
	if (j->jf)
		fclose(j->jf);
}

int recover_main(int argc, char **argv)
{
	struct cli c;
	struct st s = { 0 };
	struct job j;
	int done;
	int rc = cli_parse(&c, applet_find("recover"), argc, argv, opts, on_opt, &s, 0, -1, &done);
	if (done)
		return rc;
	memset(&j, 0, sizeof(j));
	j.c = &c;
	j.s = &s;
	s.c = &c;
	clock_gettime(CLOCK_MONOTONIC, &s.t0);
	s.last = s.t0;
	if (s.list && c.json)
		c.json_fp = stdout, s.entries = json_object_new_array();
	if (s.jsonfile) {
		if (!(j.jf = fopen(s.jsonfile, "we")))
			return cli_error(&c, RC_EXIT_FAIL, "cannot create %s: %s", s.jsonfile, strerror(errno));
		c.json = 1;
		c.json_fp = j.jf;
	}
	if ((rc = check_combos(&c, &s)) || (rc = parse_args(&j)))
		goto out;
	raise_nofile();
	if ((rc = plan(&j)) || (rc = open_output(&j)))
		goto out;
	set_sink(&j);
	int fatal = 0;
	for (int i = 0; i < j.npaths && !fatal; i++)
		if (recover_path(&j.rc, j.paths[i]) < 0)
			fatal = cli_liberr(&c);
	if (s.list && fflush(stdout) != 0 && !fatal)
		fatal = cli_error(&c, RC_EXIT_FAIL, "cannot write the listing: %s", strerror(errno));
	rc = finish(&j, fatal);
out:
	if (s.entries)
		json_object_put(s.entries);
	rc = cli_finish(&c, rc);
	job_free(&j);
	return rc;
}
