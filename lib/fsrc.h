/* A read-only view of the installed system's files for the network and
 * firewall analysis (netcfg, fwboot): read a file, list a directory, stat,
 * read a symbolic link. The analysis is written against this small table of
 * functions, not against any one way of opening a target, so that it runs
 * on a lib/tree (fsrc_tree: a mounted directory or an offline ext4), on
 * doctor's view across filesystems, or on a fixture directory in a unit
 * test, the same way.
 *
 * Every read is bounded by the caller's MAX. Helpers here add what every
 * config reader needs: a file as lines with a line-length limit, and the
 * expansion of an include pattern (a glob in the last component, sorted
 * names, a fan-out limit). Contract: 0 or -errno; -ENOENT for an absent
 * path without a message, any other error with one (lib/err.h). Nothing
 * here prints. */
#ifndef RC_FSRC_H
#define RC_FSRC_H
#include <stddef.h>
#include "tree.h"

struct fsrc_ops {
	/* The whole regular file PATH (links followed), NUL-terminated; over MAX: -EFBIG. */
	int (*read)(void *ctx, const char *path, char **buf, size_t *len, size_t max);
	/* Sorted names in directory PATH; free with tree_free_list. */
	int (*list)(void *ctx, const char *path, char ***names, size_t *n);
	/* Type of PATH ('f' 'd' 'l' 'o'); FOLLOW follows a final link. */
	int (*type)(void *ctx, const char *path, int follow, char *type);
	/* Target of symbolic link PATH; -ENOTSUP where the view cannot tell. */
	int (*readlink)(void *ctx, const char *path, char *buf, size_t sz);
};

struct fsrc {
	const struct fsrc_ops *ops;
	void *ctx;
};

/* A view over lib/tree T (kept open by the caller). */
void fsrc_tree(struct fsrc *s, struct tree *t);

int fsrc_read(const struct fsrc *s, const char *path, char **buf, size_t *len, size_t max);
int fsrc_list(const struct fsrc *s, const char *path, char ***names, size_t *n);
/* 'f' 'd' 'l' 'o', or 0 when absent or unreadable. */
char fsrc_type(const struct fsrc *s, const char *path, int follow);
int fsrc_readlink(const struct fsrc *s, const char *path, char *buf, size_t sz);
/* Does PATH exist (links followed)? */
int fsrc_exists(const struct fsrc *s, const char *path);

/* Expand PATTERN (absolute; '*', '?' and '[...]' in the last component
 * only, as nft, ifupdown and sshd use them) into sorted paths. A pattern
 * without a glob is itself, whether or not it exists. At most MAX paths:
 * more is -E2BIG. Free with tree_free_list. */
int fsrc_glob(const struct fsrc *s, const char *pattern, size_t max, char ***paths, size_t *n);

/* The files in force in systemd's configuration directories /etc/SUB,
 * /run/SUB, /usr/lib/SUB and /lib/SUB (networkd's .network, .netdev and
 * .link): a name in an earlier directory hides the same name in a later
 * one; the files in force come back sorted by name, the order systemd
 * reads them in. EXTS lists the extensions, each NUL-terminated, ending
 * with an empty one ("network\0netdev\0"). At most MAX files per
 * directory and extension; a directory with more, or unreadable, is
 * skipped. Free with tree_free_list. */
int fsrc_confdirs(const struct fsrc *s, const char *sub, const char *exts, size_t max, char ***paths, size_t *n);

/* A file as lines, for parsers: each line NUL-terminated in place. */
#define FSRC_MAX_LINE ((size_t)16 << 10)
struct flines {
	char *buf;
	char **line;    /* line[i] is line i+1 */
	int n;
};
/* Split TEXT (LEN bytes, copied) into lines. A NUL byte, or a line longer
 * than FSRC_MAX_LINE, is -EINVAL with a message naming FILE and the line. */
int flines_set(struct flines *l, const char *text, size_t len, const char *file);
/* Read PATH (at most MAX bytes) as lines. */
int flines_read(const struct fsrc *s, const char *path, size_t max, struct flines *l);
void flines_free(struct flines *l);

/* Small string helpers shared by the config readers. */
char *fs_trim(char *s);                          /* blanks off both ends, in place */
int fs_strlcpy(char *dst, const char *src, size_t sz);  /* 0, or -E2BIG when cut */
int fs_endswith(const char *s, const char *suffix);
/* A shell-style assignment line ("KEY=value", "export KEY=\"v\"", a '#'
 * comment after it): 1 with KEY and the unquoted VALUE, 0 when the line is
 * none (blank, comment, other text). */
int fs_shvar(const char *line, char *key, size_t ksz, char *val, size_t vsz);
/* The last assignment of KEY in L: its line (1-based) and value, 0 none. */
int fs_shvar_get(const struct flines *l, const char *key, char *val, size_t vsz);

#endif
