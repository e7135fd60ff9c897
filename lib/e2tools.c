/* The rescue system's e2fsprogs or rescuectl's own. See e2tools.h. */
#include "e2tools.h"
#include "err.h"
#include "fsck.h"
#include "run.h"
#include "rescuectl-e2fsprogs.h"   /* RC_E2FSPROGS_VERSION, from mk/e2fsprogs.sh */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The running binary: the kernel's link to it needs no file of ours. */
#define SELF "/proc/self/exe"

static const char *const progs[E2T_NTOOLS] = { "e2fsck", "resize2fs", "mke2fs" };
/* The names mke2fs answers to besides its own (it takes the type from them). */
static const char *const mkfs_names[] = { "mkfs.ext2", "mkfs.ext3", "mkfs.ext4" };
#define N_MKFS (sizeof(mkfs_names) / sizeof(mkfs_names[0]))

const char *e2t_prog(enum e2t_tool t)
{
	return (unsigned)t < E2T_NTOOLS ? progs[t] : "?";
}

int e2t_pref_parse(const char *word, enum e2t_pref *pref)
{
	static const char *const words[] = { [E2T_AUTO] = "auto", [E2T_SYSTEM] = "system",
					     [E2T_BUNDLED] = "bundled" };
	for (int i = 0; i < 3; i++)
		if (!strcmp(word, words[i])) {
			*pref = (enum e2t_pref)i;
			return 0;
		}
	return rc_failx(RC_EXIT_USAGE, EINVAL, "'system' or 'bundled' (got '%s')", word);
}

unsigned e2t_bundled_version(void)
{
	unsigned v = 0;
	if (fsck_parse_version("e2fsprogs", "e2fsprogs " RC_E2FSPROGS_VERSION, &v) < 0)
		return 0;
	return v;
}

const char *e2t_bundled_version_str(void)
{
	return RC_E2FSPROGS_VERSION;
}

/* The features of F that the system's program does not know and the
 * bundled one does, as "orphan_file, metadata_csum_seed" in LIST. */
static int too_new(const struct e2t_facts *f, char *list, size_t sz)
{
	struct fsck_feat ff[32];
	int n = fsck_features_unknown(f->features, f->ver, ff, 32), k = 0;
	list[0] = 0;
	for (int i = 0; i < n; i++) {
		if (ff[i].needs == FSCK_FEAT_NEVER || ff[i].needs == FSCK_FEAT_UNKNOWN || ff[i].needs > f->bundled_ver)
			continue;
		size_t l = strlen(list);
		snprintf(list + l, sz - l, "%s%s", k++ ? ", " : "", ff[i].name);
	}
	return k;
}

int e2t_decide(const char *prog, const struct e2t_facts *f, char *why, size_t sz)
{
	char v[24], list[160];
	why[0] = 0;
	switch (f->pref) {
	case E2T_BUNDLED:
		snprintf(why, sz, "as asked");
		return 1;
	case E2T_SYSTEM:
		snprintf(why, sz, "as asked");
		return 0;
	case E2T_AUTO:
		break;
	}
	if (!f->found) {
		snprintf(why, sz, "the rescue system has none");
		return 1;
	}
	if (!f->features)
		return 0;   /* nothing to be new enough for */
	if (!f->ver)
		return 0;   /* it does not say: as before, it runs (the caller warns) */
	if (!too_new(f, list, sizeof(list)))
		return 0;
	snprintf(why, sz, "the rescue system's %s %s is too old for %s", prog,
		 fsck_version_str(f->ver, v, sizeof(v)), list);
	return 1;
}

/* The version the system's program at PATH reports; 0 when it does not.
 * resize2fs has no -V: run without arguments it prints its version first. */
static unsigned system_version(enum e2t_tool t, const char *path)
{
	char *argv[] = { (char *)path, t == E2T_RESIZE2FS ? NULL : "-V", NULL };
	char *out = NULL;
	int st = 0;
	unsigned v = 0;
	if (run_cmd(argv, RUN_CAPTURE | RUN_STDERR, &st, &out, NULL) < 0 ||
	    fsck_parse_version(progs[t], out, &v) < 0)
		v = 0;
	free(out);
	rc_clear();
	return v;
}

/* Pin (PATH) or unpin (NULL) every name of tool T. */
static int pin_tool(enum e2t_tool t, const char *path)
{
	int r = run_pin(progs[t], path);
	for (size_t i = 0; !r && t == E2T_MKE2FS && i < N_MKFS; i++)
		/* the system's mkfs.ext4 is found in PATH as before */
		r = run_pin(mkfs_names[i], path && !strcmp(path, SELF) ? path : NULL);
	return r;
}

static int use_bundled(struct e2t_choice *c)
{
	if (access(SELF, X_OK) < 0)
		return rc_fail(ENOEXEC, "the bundled %s cannot be started: %s is missing (is /proc mounted? "
			       "mount -t proc proc /proc)", c->prog, SELF);
	snprintf(c->path, sizeof(c->path), "%s", SELF);
	ssize_t n = readlink(SELF, c->shown, sizeof(c->shown) - 1);
	c->shown[n > 0 ? n : 0] = 0;
	c->ver = e2t_bundled_version();
	return pin_tool(c->tool, SELF);
}

int e2t_choose(enum e2t_tool tool, const char *features, enum e2t_pref pref, struct e2t_choice *c)
{
	char sys[PATH_MAX];
	memset(c, 0, sizeof(*c));
	if ((unsigned)tool >= E2T_NTOOLS)
		return rc_fail(EINVAL, "no such e2fsprogs program (%d)", (int)tool);
	c->tool = tool;
	c->prog = progs[tool];
	pin_tool(tool, NULL);   /* look at what the system has, not at an earlier choice */
	int r = run_find(c->prog, sys, sizeof(sys));
	if (r < 0 && tool == E2T_MKE2FS && run_find("mkfs.ext4", sys, sizeof(sys)) == 0)
		r = 0;   /* only the mkfs.ext4 name: the same program */
	c->sys_found = r == 0;
	if (!c->sys_found && pref == E2T_SYSTEM)
		return r;   /* run_find's message names the package and the install command */
	rc_clear();
	if (c->sys_found)
		c->sys_ver = system_version(tool, sys);
	struct e2t_facts f = {
		.found = c->sys_found, .ver = c->sys_ver, .features = features, .pref = pref,
		.bundled_ver = e2t_bundled_version(),
	};
	c->bundled = e2t_decide(c->prog, &f, c->why, sizeof(c->why));
	c->forced = pref != E2T_AUTO;
	if (c->bundled) {
		if ((r = use_bundled(c)) < 0)
			return r;
	} else {
		snprintf(c->path, sizeof(c->path), "%s", sys);
		snprintf(c->shown, sizeof(c->shown), "%s", sys);
		c->ver = c->sys_ver;
		if ((r = pin_tool(tool, sys)) < 0)
			return r;
	}
	if (c->ver)
		fsck_version_str(c->ver, c->ver_str, sizeof(c->ver_str));
	else
		snprintf(c->ver_str, sizeof(c->ver_str), "(version unknown)");
	return 0;
}

int e2t_forced_too_old(const struct e2t_choice *c, const char *features, char *why, size_t sz)
{
	why[0] = 0;
	if (c->bundled || !c->forced)
		return 0;
	struct e2t_facts f = {
		.found = c->sys_found, .ver = c->sys_ver, .features = features, .pref = E2T_AUTO,
		.bundled_ver = e2t_bundled_version(),
	};
	return e2t_decide(c->prog, &f, why, sz);
}

const char *e2t_source_words(const struct e2t_choice *c, char *buf, size_t sz)
{
	const char *sep = !c->why[0] ? "" : c->forced ? ", " : "; ";
	if (c->bundled)
		snprintf(buf, sz, "bundled%s%s", sep, c->why);
	else
		snprintf(buf, sz, "the rescue system's %s%s%s", c->shown, sep, c->why);
	return buf;
}

const char *e2t_words(const struct e2t_choice *c, char *buf, size_t sz)
{
	char src[PATH_MAX + 300];
	snprintf(buf, sz, "%s %s (%s)", c->prog, c->ver_str, e2t_source_words(c, src, sizeof(src)));
	return buf;
}
