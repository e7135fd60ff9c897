/* recover: walk PATHs of a target (lib/recover_src.h) and hand each file
 * to a sink — a pax archive (lib/recover_ar.c), a copy into a directory
 * (lib/recover_to.c) or a listing (the applet) — keeping going past damage.
 *
 * Contract:
 * - Entries come parent first, names sorted bytewise within a directory;
 *   stored paths are relative ("root/demo/x"), never absolute, never with
 *   "." or ".." components; any other byte (newline, non-UTF-8) is kept.
 * - A file is handed to the sink only once everything needed to start it is
 *   known: its map, its link target, and (up to RECOVER_HOLD bytes of data)
 *   its content. What cannot be read is a loss: the file is skipped, or with
 *   partial=1 kept with the unreadable ranges as holes (zeros) and marked
 *   (rentry.lostmark, stored as the xattr user.rescuectl.lost). A read error
 *   in a larger file, found after the sink started it, is written as zeros
 *   and listed as a loss with kept=1.
 * - Hard links: the first path of an inode carries the data, later ones are
 *   links to it. A directory met twice (a loop, or a second link to one
 *   directory in a damaged tree) is a loss and is not entered again; depth
 *   and path length are bounded, so a damaged tree cannot hang the walk.
 * - On a mounted tree the walk does not cross into other mounted filesystems
 *   below a PATH (they are noted); name them as PATHs of their own.
 * - Functions return 0 or -errno with a message; losses are data
 *   (recover.loss), never printed here.
 */
#ifndef RC_RECOVER_H
#define RC_RECOVER_H
#include <stddef.h>
#include <stdint.h>
#include "idmap.h"
#include "recover_src.h"

#define RECOVER_HOLD      (8u << 20)   /* files up to this much data are read before they are started */
#define RECOVER_MAX_DEPTH 1024
#define RECOVER_MAX_PATH  16384
#define RECOVER_XATTR_LOST "user.rescuectl.lost"

struct recover;

struct rentry {
	const char *path;            /* relative, as stored */
	const struct rnode *n;       /* type, mode, owner, times, size, rdev */
	const char *uname, *gname;   /* the target's names for n->uid/gid, or NULL */
	const char *link;            /* symbolic link target */
	const char *hardlink;        /* an earlier path of the same inode: store a link */
	const struct rxattr *xa;     /* extended attributes, ACLs left out */
	size_t nxa;
	const struct rxattr *acl_access, *acl_default;  /* system.posix_acl_*, or NULL */
	const struct rmap *map;      /* regular file (not a hard link): the data segments */
	const char *lostmark;        /* partial file: "bytes A-B[,C-D]" lost, else NULL */
	uint64_t data_bytes;         /* bytes in the segments */
};

/* The sink pulls a regular file's content with rentry_data: FN gets every
 * data piece in order (holes are not passed), OFF is its place in the file. */
typedef int (*rdata_fn)(void *arg, uint64_t off, const void *buf, size_t len);
int rentry_data(struct recover *rc, const struct rentry *e, rdata_fn fn, void *arg);

struct rsink {
	/* 0 done; 1 this entry failed (message recorded: a loss); <0 stop */
	int (*entry)(void *arg, struct recover *rc, const struct rentry *e);
	/* optional: after a directory's children (the copy sets its mode and times then) */
	int (*dir_done)(void *arg, struct recover *rc, const struct rentry *e);
	void *arg;
};

struct recover_loss {
	char *path;                  /* as stored (relative) */
	char *what;
	int kept;                    /* 1: kept partly (zeros where lost) or without xattrs */
};

struct recover_stats {
	uint64_t files, dirs, symlinks, hardlinks, devices, fifos;
	uint64_t sockets;            /* a tar archive cannot hold them: left out (noted) */
	uint64_t bytes;              /* content read and written */
	uint64_t holes;              /* bytes of sparse holes not stored */
	uint64_t lost, partial;      /* entries skipped, entries kept partly */
};

struct recover_idset;

struct recover {
	struct rsrc *src;
	struct idmap users, groups;
	int partial;
	int list_only;               /* read no content (--list) */
	struct rsink sink;
	/* called often (at most every 1 MiB and per entry); may be NULL */
	void (*progress)(void *arg, const struct recover *rc, const char *path);
	void *progress_arg;
	struct recover_stats st;
	struct recover_loss *loss;
	size_t nloss;
	char **notes;                /* not losses: sockets, mount points not crossed */
	size_t nnotes;
	/* private */
	struct recover_idset *links, *dirs;
	char *zeros;
	struct rentry *cur;
	void *hold;                  /* the content read ahead */
	struct rlost *late;          /* read errors after the entry was started */
	size_t nlate;
};

int recover_init(struct recover *rc, struct rsrc *src);
/* Names from the target's passwd and group text (either may be NULL). */
int recover_set_names(struct recover *rc, const char *passwd, size_t plen, const char *group, size_t glen);
/* Walk one PATH (absolute inside the target). Losses are recorded and the
 * walk goes on; -errno only when it cannot (PATH missing: -ENOENT, a sink
 * that stops, no memory). */
int recover_path(struct recover *rc, const char *path);
void recover_free(struct recover *rc);

/* "bytes 0-4095 (read error), ..." for lost ranges (the mark of a partial file). */
void recover_ranges_text(const struct rlost *v, size_t n, char *out, size_t sz);
/* "/root//demo/" -> "root/demo"; "/" -> "". A ".." component is refused
 * (-EINVAL): the stored name must say where the file really was. */
int recover_norm_path(const char *in, char *out, size_t sz);
/* A name for humans and JSON: printable UTF-8 as is; "\\", "\n", "\t" and
 * "\xHH" for every other byte. Returns OUT (cut to SZ). */
char *recover_escape(const char *in, char *out, size_t sz);

/* A POSIX ACL in the Linux xattr format (system.posix_acl_*). */
struct pacl_ent {
	uint16_t tag;                /* PACL_USER_OBJ ... PACL_OTHER */
	uint16_t perm;               /* 4 r, 2 w, 1 x */
	uint32_t id;                 /* PACL_USER/PACL_GROUP only */
};
#define PACL_USER_OBJ  0x01
#define PACL_USER      0x02
#define PACL_GROUP_OBJ 0x04
#define PACL_GROUP     0x08
#define PACL_MASK      0x10
#define PACL_OTHER     0x20
/* Entries in V (LEN bytes), up to MAX. -EINVAL for a bad header, size or tag. */
int pacl_parse(const void *v, size_t len, struct pacl_ent *out, int max);

#endif
