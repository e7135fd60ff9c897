/* What is on a filesystem: is it a Linux root, which OS, what its fstab says. */
#ifndef RC_ROOTFS_H
#define RC_ROOTFS_H
#include <stddef.h>
#include "tree.h"
#include "probe.h"

struct osrel {
	char id[64], id_like[128], version_id[64], name[128], pretty_name[256];
};
/* Parse os-release text (KEY=value, quotes, escapes). Pure. */
int osrel_parse(const char *text, struct osrel *o);
/* Parse a *-release line such as "CentOS Linux release 7.9.2009 (Core)". */
int osrel_from_release_line(const char *file, const char *line, struct osrel *o);

struct fstab_entry {
	char *spec, *file, *vfstype, *opts;
	int freq, passno;
	int line;
};
struct fstab {
	struct fstab_entry *e;
	size_t n;
};
/* Parse fstab text; malformed lines are skipped (counted in *bad). Pure.
 * More than FSTAB_MAX_ENTRIES entries: -E2BIG with a message (a real fstab
 * has dozens; a hostile one of 4 MiB would otherwise take ~100 MB). */
#define FSTAB_MAX_ENTRIES 4096
int fstab_parse(const char *text, struct fstab *f, int *bad);
void fstab_free(struct fstab *f);
const struct fstab_entry *fstab_find(const struct fstab *f, const char *file);
/* Value of option NAME in a comma-separated option string: 1 and copies the
 * value (or "") into VAL; 0 if absent. Pure. */
int fstab_opt(const char *opts, const char *name, char *val, size_t vsz);
/* Does the fstab spec (UUID=, LABEL=, PARTUUID=, PARTLABEL=, /dev/...,
 * /dev/disk/by-*) name the device described by ID? Pure. */
int fstab_spec_matches(const char *spec, const struct devid *id);

struct rootinfo {
	int is_root;
	struct osrel os;
	char why_not[160];      /* when not a root */
	int has_fstab;
	char fstab_root_spec[256], fstab_root_type[32], fstab_root_opts[256];
};
/* Look at a tree: a Linux root has /etc (dir), /bin (dir or link into usr),
 * and /etc/fstab or /etc/hosts. Reads os-release and *-release files.
 * Not a root (why_not says why, e.g. "no /etc directory", or a root inode
 * that is not a directory) is no error: 0 either way. */
int rootfs_inspect(struct tree *t, struct rootinfo *ri);

#endif
