/* A read-only walk through an unmounted ext2/3/4 filesystem, for getting
 * files out of it even when it is damaged (recover).
 *
 * Contract:
 * - Never writes: libext2fs is opened without EXT2_FLAG_RW (the image or
 *   device is opened O_RDONLY) and the journal is never replayed. Checksums
 *   are not enforced: data that reads is data that is returned.
 * - Damage is local. The extent tree (or the ext2/3 block map) and the
 *   directory blocks are parsed here, not through ext2fs_dir_iterate or the
 *   extent API, so that one bad block loses only the range or entries it
 *   holds; what is lost is reported, never silently dropped.
 * - Bounded: extent depth <= 5, symbolic links <= 4095 bytes and 40 per
 *   lookup, inline data <= one block, names <= 255 bytes. A hostile
 *   filesystem cannot make these functions loop or allocate without limit
 *   (segment lists grow with the file's real mapping only).
 * - Functions return 0 or -errno and record a message (lib/err.h); they
 *   never print.
 */
#ifndef RC_EXT4_WALK_H
#define RC_EXT4_WALK_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct ew;

struct ew_fsinfo {
	uint32_t block_size;
	uint64_t blocks;          /* blocks in the filesystem */
	uint32_t inodes;
	int needs_recovery;       /* the journal holds changes not yet written in place */
	int has_journal;
	int errors;               /* the kernel recorded errors (s_state) */
	int orphans;              /* an orphan list is pending */
	uint64_t sb_block;        /* 0, or the backup superblock that was used */
	const char *fstype;       /* "ext2", "ext3" or "ext4" */
};

struct ew_inode {
	uint32_t ino;
	uint32_t mode;            /* type and permission bits, as st_mode */
	uint32_t uid, gid, nlink;
	uint64_t size;
	struct timespec atime, mtime, ctime, btime;
	int has_btime;
	uint32_t rdev_major, rdev_minor;
	uint32_t flags;           /* i_flags */
	uint64_t file_acl;        /* the extended-attribute block, 0 if none */
	int inline_data;          /* content lives in the inode */
};

/* A run of mapped blocks: logical LBLK.. of the file is at physical PBLK.. */
struct ew_seg {
	uint64_t lblk, pblk, count;
};

/* A logical range that could not be mapped (bad extent block, block number
 * outside the filesystem ...). */
struct ew_lost {
	uint64_t lblk, count;
	const char *why;          /* a static string */
};

struct ew_map {
	struct ew_seg *seg;       /* sorted by lblk, not overlapping */
	size_t n;
	struct ew_lost *lost;
	size_t nlost;
};

/* Open DEV read-only. When the primary superblock or the group descriptors
 * are damaged, the backup superblocks are tried (info.sb_block says which). */
int ew_open(const char *dev, struct ew **out);
void ew_close(struct ew *w);
void ew_fsinfo(const struct ew *w, struct ew_fsinfo *info);

/* Read inode INO. -ENOENT (with a message) when it is cleared (mode 0) or
 * deleted (no links); -EUCLEAN when its type is impossible; -EIO when the
 * inode table cannot be read; -ERANGE for a number outside the table. */
int ew_inode(struct ew *w, uint32_t ino, struct ew_inode *out);

/* Resolve PATH (absolute within the filesystem). Symbolic links in the
 * middle are followed inside the filesystem, as if it were "/"; the last
 * component is not followed. "..", at the top, stays at the top. */
int ew_lookup(struct ew *w, const char *path, uint32_t *ino);

/* Each entry of directory DIR ("." and ".." left out), in on-disk order.
 * NAME is not NUL-terminated. A nonzero return from FN stops the walk and is
 * returned. Damage (an unreadable or corrupt block, an entry pointing
 * outside the inode table, a name with '/' or NUL) goes to LOST with the
 * logical block it was in, and the walk goes on. */
typedef int (*ew_dirent_fn)(const char *name, size_t len, uint32_t ino, void *arg);
typedef void (*ew_lost_fn)(uint64_t lblk, const char *why, void *arg);
int ew_readdir(struct ew *w, const struct ew_inode *dir, ew_dirent_fn fn, ew_lost_fn lost, void *arg);

/* The block map of a file or directory, clipped to its size. Unwritten
 * (preallocated) extents are holes. Inline data has no map (n = 0). */
int ew_map(struct ew *w, const struct ew_inode *in, struct ew_map *m);
void ew_map_free(struct ew_map *m);
/* Read COUNT blocks from PBLK into BUF (COUNT * block size bytes). */
int ew_read_blocks(struct ew *w, uint64_t pblk, uint64_t count, void *buf);
/* The content of an inline-data inode: *BUF is malloc'd, *LEN <= a block. */
int ew_read_inline(struct ew *w, const struct ew_inode *in, char **buf, size_t *len);
/* The target of a symbolic link, NUL-terminated. -ENAMETOOLONG over SZ-1. */
int ew_readlink(struct ew *w, const struct ew_inode *in, char *buf, size_t sz);
/* Every extended attribute ("user.x", "security.selinux", POSIX ACLs as
 * system.posix_acl_access/default in the Linux xattr format); the inline
 * data ("system.data") is left out. A nonzero return from FN stops. */
typedef int (*ew_xattr_fn)(const char *name, const void *value, size_t len, void *arg);
int ew_xattrs(struct ew *w, const struct ew_inode *in, ew_xattr_fn fn, void *arg);

#endif
