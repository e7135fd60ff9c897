/* Where recover reads from: one read-only view of a target's files, the
 * same whether they are in an unmounted ext2/3/4 (lib/ext4_walk.h, no
 * mount, no journal replay) or in a mounted directory tree (a --root DIR,
 * a mount the rescue system already has, or recover's private no-replay
 * mount of xfs/btrfs).
 *
 * Contract:
 * - Nothing is ever written to the target. A mounted tree is read with
 *   O_NOFOLLOW at every step, from directory fds, never through a path
 *   string that a symbolic link could redirect; atimes are left alone
 *   where the kernel allows (O_NOATIME).
 * - A node is one file found in the target. Nodes from rsrc_lookup and
 *   rsrc_child hold resources until rsrc_release. A directory listing
 *   (rsrc_list) must outlive the nodes made from it.
 * - Damage is returned, not hidden: a listing carries the entries it could
 *   not read (rdir.lost), a map the byte ranges it could not map
 *   (rmap.lost). Functions return 0 or -errno with a message (lib/err.h).
 */
#ifndef RC_RECOVER_SRC_H
#define RC_RECOVER_SRC_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "ext4_walk.h"

struct rsrc;

struct rnode {
	uint64_t id;           /* inode number (hard links, loops) */
	uint64_t dev;          /* device (mounted trees; 0 offline) */
	uint32_t mode, uid, gid, nlink;
	uint64_t size;
	struct timespec atime, mtime, ctime, btime;
	int has_btime;
	uint32_t rmajor, rminor;
	int mount_root;        /* a mount point below the walk's start (mounted trees) */
	/* backend state */
	struct ew_inode ei;    /* offline */
	int pfd;               /* mounted: parent directory (borrowed or own) */
	int own_pfd;
	const char *name;      /* mounted: name in pfd (borrowed, or own_name) */
	char *own_name;
	int fd;                /* mounted: opened for reading, or -1 */
};

struct rchild {
	char *name;
	size_t len;
	uint64_t key;          /* offline: inode number */
};

struct rdir {
	struct rchild *v;
	size_t n, cap;
	char **lost;           /* what could not be read, in words */
	size_t nlost;
	int fd;                /* mounted: the directory */
};

struct rseg {
	uint64_t off, len;     /* bytes of the file */
	uint64_t phys;         /* offline: first physical block */
};

struct rlost {
	uint64_t off, len;
	const char *why;       /* static */
};

struct rmap {
	struct rseg *seg;      /* data, sorted; the rest up to the size is holes */
	size_t n;
	struct rlost *lost;
	size_t nlost;
	char *inl;             /* inline data (offline), whole content */
	size_t inl_len;
	uint64_t bad_size;     /* the inode's impossible size, when it was cut to its data (offline) */
};

struct rxattr {
	char *name;
	void *value;
	size_t len;
};

/* An unmounted ext2/3/4 device or image. */
int rsrc_open_ext4(const char *dev, struct rsrc **out);
/* A mounted tree whose top is DIR (an fd is kept; DIR is not re-resolved). */
int rsrc_open_dir(const char *dir, struct rsrc **out);
/* The same from an open directory fd (duplicated: a private mount has no path). */
int rsrc_open_dirfd(int dirfd, struct rsrc **out);
void rsrc_close(struct rsrc *s);
/* Offline only: filesystem facts (journal needing recovery ...); -ENOTSUP otherwise. */
int rsrc_fsinfo(struct rsrc *s, struct ew_fsinfo *info);

/* PATH inside the target (absolute; intermediate links followed inside it,
 * the last one not). -ENOENT when absent. */
int rsrc_lookup(struct rsrc *s, const char *path, struct rnode *n);
/* The entries of directory node DIR. */
int rsrc_list(struct rsrc *s, struct rnode *dir, struct rdir *d);
void rsrc_list_free(struct rdir *d);
/* Entry I of listing D. */
int rsrc_child(struct rsrc *s, struct rdir *d, size_t i, struct rnode *n);
void rsrc_release(struct rsrc *s, struct rnode *n);

int rsrc_readlink(struct rsrc *s, struct rnode *n, char *buf, size_t sz);
/* Extended attributes, POSIX ACLs as system.posix_acl_* (Linux xattr format). */
int rsrc_xattrs(struct rsrc *s, struct rnode *n, struct rxattr **v, size_t *cnt);
void rsrc_xattrs_free(struct rxattr *v, size_t cnt);
/* Data segments of a regular file. */
int rsrc_map(struct rsrc *s, struct rnode *n, struct rmap *m);
void rsrc_map_free(struct rmap *m);
/* LEN bytes at OFF within segment SEG (OFF + LEN <= SEG->len). */
int rsrc_read(struct rsrc *s, struct rnode *n, const struct rseg *seg, uint64_t off, void *buf, size_t len);
/* The smallest unit a read error can be narrowed down to (block size). */
uint32_t rsrc_unit(const struct rsrc *s);

/* Backend table (recover_src.c: offline; recover_dir.c: mounted). */
struct rsrc_ops {
	int (*lookup)(struct rsrc *, const char *, struct rnode *);
	int (*list)(struct rsrc *, struct rnode *, struct rdir *);
	int (*child)(struct rsrc *, struct rdir *, size_t, struct rnode *);
	void (*release)(struct rsrc *, struct rnode *);
	int (*readlink)(struct rsrc *, struct rnode *, char *, size_t);
	int (*xattrs)(struct rsrc *, struct rnode *, struct rxattr **, size_t *);
	int (*map)(struct rsrc *, struct rnode *, struct rmap *);
	int (*read)(struct rsrc *, struct rnode *, const struct rseg *, uint64_t, void *, size_t);
	void (*close)(struct rsrc *);
};

struct rsrc {
	const struct rsrc_ops *ops;
	uint32_t unit;
	struct ew *ew;         /* offline */
	int rootfd;            /* mounted */
	char *bounce;          /* offline: one block */
};

extern const struct rsrc_ops rsrc_dir_ops;
/* Shared helpers for the backends. */
int rdir_add(struct rdir *d, const char *name, size_t len, uint64_t key);
int rdir_lost(struct rdir *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int rxattr_add(struct rxattr **v, size_t *n, const char *name, const void *val, size_t len);
void rdir_sort(struct rdir *d);

#endif
