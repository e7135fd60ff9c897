/* rescuectl: one multi-call binary, reached as `rescuectl APPLET` or through
 * a link named after the applet (busybox style). */
#include "applets.h"
#include <blkid/blkid.h>
#include <crypt.h>
#include <errno.h>
#include <et/com_err.h>
#include <ext2fs/ext2fs.h>
#include <libfdisk/libfdisk.h>
#include <libsmartcols/libsmartcols.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>
#include "rescuectl-e2fsprogs.h"

#ifndef RESCUECTL_VERSION
#define RESCUECTL_VERSION "0.1.0"
#endif

const struct applet applets[] = {
#define X(id, name, flags, args, summary) { name, id##_main, flags, args, summary, id##_help },
	APPLET_LIST(X)
#undef X
};
const unsigned n_applets = sizeof(applets) / sizeof(applets[0]);

const struct applet *applet_find(const char *name)
{
	for (unsigned i = 0; i < n_applets; i++)
		if (!strcmp(applets[i].name, name))
			return &applets[i];
	return NULL;
}

/* e2fsprogs' own programs, built from Debian's source by mk/e2fsprogs.sh
 * with their main renamed. Hidden applets: lib/e2tools.c runs them as
 * /proc/self/exe with argv[0] set to one of these names, and a person can
 * run 'rescuectl e2fsck ...'; they are not in --list, --install, the help
 * or the completions (an installed link named e2fsck would pass for the
 * rescue system's own). */
int e2fsck_main(int argc, char **argv);
int resize2fs_main(int argc, char **argv);
int mke2fs_main(int argc, char **argv);
int e2undo_main(int argc, char **argv);
static const struct {
	const char *name;
	int (*main)(int argc, char **argv);
} hidden[] = {
	{ "e2fsck", e2fsck_main }, { "resize2fs", resize2fs_main }, { "mke2fs", mke2fs_main },
	{ "mkfs.ext2", mke2fs_main }, { "mkfs.ext3", mke2fs_main }, { "mkfs.ext4", mke2fs_main },
	{ "e2undo", e2undo_main },
};

static int run_hidden(const char *name, int argc, char **argv)
{
	for (size_t i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++) {
		if (strcmp(hidden[i].name, name))
			continue;
		/* mkfs.ext4's defaults are Debian's /etc/mke2fs.conf, built into
		 * mke2fs as its default profile; an empty MKE2FS_CONFIG makes it
		 * use that rather than whatever the rescue system has in /etc.
		 * A MKE2FS_CONFIG that is set is left as it is. */
		if (hidden[i].main == mke2fs_main)
			setenv("MKE2FS_CONFIG", "", 0);
		/* run as /proc/self/exe, the kernel names the process "exe":
		 * ps and top should say e2fsck */
		prctl(PR_SET_NAME, hidden[i].name, 0, 0, 0);
		argv[0] = (char *)hidden[i].name;
		return hidden[i].main(argc, argv);
	}
	return -1;
}

static const char exit_table[] =
	"Exit codes:\n"
	"  0    done\n"
	"  1    failed\n"
	"  2    usage error\n"
	"  3    refused by a safety check (mounted, not clean, not confirmed)\n"
	"  4    nothing found\n"
	"  5    ambiguous: several candidates, none chosen\n"
	"  6    cannot tell: what a question needs cannot be read (disable-growpart --status)\n"
	"  7    done, but incomplete: some files lost (recover)\n"
	"  127  unknown applet\n"
	"fsck uses fsck(8)'s codes instead: see 'rescuectl fsck --help'.\n";

static void usage_all(FILE *f)
{
	fprintf(f, "Usage: rescuectl APPLET [OPTIONS] [ARGS]\n"
		   "   or: APPLET [OPTIONS] [ARGS]   (through a link named after it)\n"
		   "       rescuectl --list | --install [-s] DIR | --version | help APPLET\n\n"
		   "Repairs an installed Linux system from a rescue system.\n\nApplets:\n");
	for (unsigned i = 0; i < n_applets; i++)
		fprintf(f, "  %-18s %s\n", applets[i].name, applets[i].summary);
	fprintf(f, "\nCommon options: -h/--help, -J/--json, -q/--quiet, -v/--verbose;\n"
		   "applets that write also -n/--dry-run and -y/--yes.\n\n%s", exit_table);
}

static unsigned edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned row[64];
	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned prev = row[0];
		row[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned cur = row[j];
			unsigned sub = prev + (a[i - 1] != b[j - 1]);
			unsigned del = row[j] + 1, ins = row[j - 1] + 1;
			row[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
			prev = cur;
		}
	}
	return row[lb];
}

static int unknown_applet(const char *name)
{
	const char *best = NULL;
	unsigned bestd = 4;
	for (unsigned i = 0; i < n_applets; i++) {
		unsigned d = edit_distance(name, applets[i].name);
		if (strstr(applets[i].name, name) && strlen(name) >= 3)
			d = d < 2 ? d : 2;
		if (d < bestd) {
			bestd = d;
			best = applets[i].name;
		}
	}
	fprintf(stderr, "rescuectl: unknown applet '%s'", name);
	if (best)
		fprintf(stderr, "; did you mean '%s'?", best);
	fprintf(stderr, "\nTry 'rescuectl --list'\n");
	return RC_EXIT_UNKNOWN;
}

static int version(void)
{
	printf("rescuectl %s\n", RESCUECTL_VERSION);
	const char *ev = NULL;
	ext2fs_get_library_version(&ev, NULL);
	const char *bv = NULL;
	blkid_get_library_version(&bv, NULL);
	const char *fv = NULL;
	fdisk_get_library_version(&fv);
	const char *sv = NULL;
	scols_get_library_version(&sv);
	printf("libext2fs %s\nlibblkid %s\nlibfdisk %s\nlibsmartcols %s\n"
	       "libxcrypt %d.%d\njson-c %s\nlibyaml %s\n"
	       "e2fsck, resize2fs, mke2fs %s (bundled, from Debian's e2fsprogs source)\n",
	       ev ? ev : "?", bv ? bv : "?", fv ? fv : "?", sv ? sv : "?",
	       XCRYPT_VERSION_MAJOR, XCRYPT_VERSION_MINOR, json_c_version(),
	       yaml_get_version_string(), RC_E2FSPROGS_VERSION);
	return 0;
}

static int install_links(int symbolic, const char *dir)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0) {
		fprintf(stderr, "rescuectl: cannot find the running binary (/proc/self/exe): %s\n", strerror(errno));
		return RC_EXIT_FAIL;
	}
	self[n] = 0;
	struct stat me, st;
	if (stat(self, &me) < 0 || stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "rescuectl: --install: '%s' is not a directory; create it first\n", dir);
		return RC_EXIT_FAIL;
	}
	int bad = 0;
	for (unsigned i = 0; i < n_applets; i++) {
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s/%s", dir, applets[i].name);
		struct stat lst;
		if (lstat(path, &lst) == 0) {
			char tgt[PATH_MAX];
			ssize_t l;
			if (symbolic && S_ISLNK(lst.st_mode) &&
			    (l = readlink(path, tgt, sizeof(tgt) - 1)) > 0 &&
			    (tgt[l] = 0, !strcmp(tgt, self)))
				continue; /* already right */
			if (!symbolic && lst.st_ino == me.st_ino && lst.st_dev == me.st_dev)
				continue;
			fprintf(stderr, "rescuectl: warning: %s exists and is not a link to %s; left alone\n", path, self);
			continue;
		}
		if ((symbolic ? symlink(self, path) : link(self, path)) < 0) {
			fprintf(stderr, "rescuectl: cannot create %s: %s\n", path, strerror(errno));
			bad = 1;
		}
	}
	return bad ? RC_EXIT_FAIL : 0;
}

static int run_applet(const struct applet *ap, int argc, char **argv)
{
	add_error_table(&et_ext2_error_table);
	int rc = ap->main(argc, argv);
	fflush(stdout);
	return rc;
}

int main(int argc, char **argv)
{
	const char *base = argv[0] ? strrchr(argv[0], '/') : NULL;
	base = base ? base + 1 : (argv[0] ? argv[0] : "rescuectl");
	if (*base == '-')
		base++;
	const struct applet *ap = applet_find(base);
	if (ap)
		return run_applet(ap, argc, argv);
	int rc = run_hidden(base, argc, argv);
	if (rc >= 0)
		return rc;

	if (argc < 2) {
		usage_all(stdout);
		return 0;
	}
	const char *a = argv[1];
	if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
		usage_all(stdout);
		return 0;
	}
	if (!strcmp(a, "--list")) {
		for (unsigned i = 0; i < n_applets; i++)
			puts(applets[i].name);
		return 0;
	}
	if (!strcmp(a, "--version") || !strcmp(a, "-V"))
		return version();
	if (!strcmp(a, "--install")) {
		int sym = argc > 2 && !strcmp(argv[2], "-s");
		if (argc != 3 + sym) {
			fprintf(stderr, "rescuectl: usage: rescuectl --install [-s] DIR\n");
			return RC_EXIT_USAGE;
		}
		return install_links(sym, argv[2 + sym]);
	}
	if (!strcmp(a, "help")) {
		if (argc < 3) {
			usage_all(stdout);
			return 0;
		}
		ap = applet_find(argv[2]);
		if (!ap)
			return unknown_applet(argv[2]);
		char *hv[] = { argv[2], "--help", NULL };
		return run_applet(ap, 2, hv);
	}
	if (a[0] == '-') {
		fprintf(stderr, "rescuectl: unknown option '%s'\nTry 'rescuectl --help'\n", a);
		return RC_EXIT_USAGE;
	}
	ap = applet_find(a);
	if (!ap && (rc = run_hidden(a, argc - 1, argv + 1)) >= 0)
		return rc;
	if (!ap)
		return unknown_applet(a);
	return run_applet(ap, argc - 1, argv + 1);
}
