/* libext2fs: offline, read-only access to ext2/3/4 — superblock facts and a
 * tree to read files from. Never writes and never replays a journal
 * (libext2fs cannot). Edits go through a private kernel mount instead
 * (pmount.h), where the kernel's journal makes them crash-safe. */
#include "ext4.h"
#include "ext4_io.h"
#include <e2p/e2p.h>
#include "ext4_priv.h"
#include "tree_priv.h"
#include "err.h"
#include <ext2fs/ext2fs.h>
#include <et/com_err.h>
#include <stdarg.h>
#include <stdio.h>
#include <uuid/uuid.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

struct ext4tree {
	ext2_filsys fs;
};

errcode_t ext4_open_ro(const char *dev, uint64_t sb, uint32_t bs, io_manager io, ext2_filsys *fs)
{
	int flags = EXT2_FLAG_64BITS | EXT2_FLAG_IGNORE_CSUM_ERRORS | EXT2_FLAG_SKIP_MMP;
	return ext2fs_open2(dev, NULL, flags, (int)sb, sb ? bs : 0, io, fs);
}

int ext4_err(errcode_t e, const char *fmt, ...)
{
	int err = (e > 0 && e < 256) ? (int)e : EIO;
	char what[4400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return rc_fail(err, "%s: %s", what, error_message(e));
}

#define FS(t) (((struct ext4tree *)(t)->priv)->fs)

static int lookup(struct tree *t, const char *path, int follow, ext2_ino_t *ino)
{
	errcode_t err;
	const char *p = path;
	while (*p == '/')
		p++;
	if (!*p) {
		*ino = EXT2_ROOT_INO;
		return 0;
	}
	if (follow)
		err = ext2fs_namei_follow(FS(t), EXT2_ROOT_INO, EXT2_ROOT_INO, p, ino);
	else
		err = ext2fs_namei(FS(t), EXT2_ROOT_INO, EXT2_ROOT_INO, p, ino);
	if (err == EXT2_ET_FILE_NOT_FOUND || err == ENOENT)
		return -ENOENT;
	if (err == EXT2_ET_NO_DIRECTORY || err == ENOTDIR)
		return rc_fail(ENOTDIR, "cannot look up %s in %s: a part of the path is not a directory", path, t->desc);
	if (err)
		return ext4_err(err, "cannot look up %s", path);
	return 0;
}

static void label_of(ext2_filsys fs, ext2_ino_t ino, struct tree_stat *st)
{
	struct ext2_xattr_handle *h;
	void *v = NULL;
	size_t len = 0;
	if (ext2fs_xattrs_open(fs, ino, &h))
		return;
	if (!ext2fs_xattrs_read(h) && !ext2fs_xattr_get(h, "security.selinux", &v, &len) && v) {
		st->has_label = 1;
		st->label_len = len < sizeof(st->label) ? len : sizeof(st->label);
		memcpy(st->label, v, st->label_len);
	}
	if (v)
		ext2fs_free_mem(&v);
	ext2fs_xattrs_close(&h);
}

/* The inode of PATH, read. */
static int inode_of(struct tree *t, const char *path, int follow, ext2_ino_t *ino, struct ext2_inode *inode)
{
	int r = lookup(t, path, follow, ino);
	if (r)
		return r;
	errcode_t err = ext2fs_read_inode(FS(t), *ino, inode);
	return err ? ext4_err(err, "cannot read the inode of %s", path) : 0;
}

static int e_stat(struct tree *t, const char *path, unsigned flags, struct tree_stat *st)
{
	ext2_ino_t ino;
	struct ext2_inode inode;
	int r = inode_of(t, path, flags & TREE_FOLLOW, &ino, &inode);
	if (r)
		return r;
	st->type = tree_type_of(inode.i_mode);
	st->mode = inode.i_mode & 07777;
	st->uid = inode_uid(inode);
	st->gid = inode_gid(inode);
	st->size = EXT2_I_SIZE(&inode);
	if ((flags & TREE_LABEL) && st->type != 'l')
		label_of(FS(t), ino, st);
	return 0;
}

/* LEN bytes from OFF of inode INO into BUF; *GOT says how many. */
static int read_range(ext2_filsys fs, ext2_ino_t ino, struct ext2_inode *in, uint64_t off, void *buf, size_t len,
		      size_t *got, const char *path)
{
	ext2_file_t f = NULL;
	errcode_t err = ext2fs_file_open2(fs, ino, in, 0, &f);
	*got = 0;
	if (!err)
		err = ext2fs_file_llseek(f, off, EXT2_SEEK_SET, NULL);
	while (!err && *got < len) {
		unsigned n = 0, want = len - *got > (1u << 30) ? 1u << 30 : (unsigned)(len - *got);
		err = ext2fs_file_read(f, (char *)buf + *got, want, &n);
		if (!n)
			break;
		*got += n;
	}
	if (f)
		ext2fs_file_close(f);
	return err ? ext4_err(err, "cannot read %s", path) : 0;
}

static int e_pread(struct tree *t, const char *path, uint64_t off, void *buf, size_t len, size_t *got)
{
	ext2_ino_t ino;
	struct ext2_inode inode;
	int r = inode_of(t, path, 1, &ino, &inode);
	if (r)
		return r;
	if (!LINUX_S_ISREG(inode.i_mode))
		return rc_fail(EINVAL, "%s is not a regular file", path);
	return read_range(FS(t), ino, &inode, off, buf, len, got, path);
}

/* A link's target: in the inode (inline data, or a fast link's block
 * map), else in its one block. */
static int e_readlink(struct tree *t, const char *path, char *buf, size_t sz)
{
	ext2_ino_t ino;
	struct ext2_inode inode;
	int r = inode_of(t, path, 0, &ino, &inode);
	if (r)
		return r;
	if (!LINUX_S_ISLNK(inode.i_mode))
		return -EINVAL;
	size_t size = EXT2_I_SIZE(&inode), got = 0;
	if (size >= sz)
		return rc_fail(ENAMETOOLONG, "the link %s is too long", path);
	if (inode.i_flags & EXT4_INLINE_DATA_FL) {
		errcode_t err = ext2fs_inline_data_get(FS(t), ino, &inode, buf, &got);
		r = err ? ext4_err(err, "cannot read the link %s", path) : 0;
	} else if (ext2fs_is_fast_symlink(&inode)) {
		memcpy(buf, (char *)inode.i_block, size);
		got = size;
	} else {
		r = read_range(FS(t), ino, &inode, 0, buf, size, &got, path);
	}
	if (!r)
		buf[got < sz ? got : sz - 1] = 0;
	return r;
}

static int e_space(struct tree *t, const char *path, struct tree_space *s)
{
	(void)path;
	ext2_filsys fs = FS(t);
	s->size = ext2fs_blocks_count(fs->super) * fs->blocksize;
	s->avail = ext2fs_free_blocks_count(fs->super) * fs->blocksize;
	s->files = fs->super->s_inodes_count;
	s->ffree = fs->super->s_free_inodes_count;
	return 0;
}

static int e_read(struct tree *t, const char *path, char **buf, size_t *len, size_t max)
{
	ext2_ino_t ino;
	struct ext2_inode inode;
	int r = inode_of(t, path, 1, &ino, &inode);
	if (r)
		return r;
	if (!LINUX_S_ISREG(inode.i_mode))
		return rc_fail(EINVAL, "%s in %s is not a regular file", path, t->desc);
	uint64_t size = EXT2_I_SIZE(&inode);
	if (size > max)
		return rc_fail(EFBIG, "%s is larger than %zu bytes; refusing to load it", path, max);
	char *b = malloc(size + 1);
	size_t n = 0;
	if (!b)
		return rc_fail(ENOMEM, "out of memory reading %s (%llu bytes)", path, (unsigned long long)size);
	if ((r = read_range(FS(t), ino, &inode, 0, b, size, &n, path)) || n != size) {
		free(b);
		return r ? r : rc_fail(EIO, "short read of %s", path);
	}
	b[n] = 0;
	*buf = b;
	*len = n;
	return 0;
}

struct listctx {
	char **names;
	size_t n, cap;
	int err;
};

static int list_cb(ext2_ino_t dir, int entry, struct ext2_dir_entry *de, int offset, int blocksize, char *buf, void *priv)
{
	(void)dir; (void)entry; (void)offset; (void)blocksize; (void)buf;
	struct listctx *l = priv;
	int len = ext2fs_dirent_name_len(de);
	if ((len == 1 && de->name[0] == '.') || (len == 2 && de->name[0] == '.' && de->name[1] == '.'))
		return 0;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		char **nn = realloc(l->names, l->cap * sizeof(*nn));
		if (!nn) {
			l->err = -ENOMEM;
			return DIRENT_ABORT;
		}
		l->names = nn;
	}
	if (!(l->names[l->n] = strndup(de->name, (size_t)len))) {
		l->err = -ENOMEM;
		return DIRENT_ABORT;
	}
	l->n++;
	return 0;
}

static int e_list(struct tree *t, const char *path, char ***names, size_t *n)
{
	ext2_ino_t ino;
	int r = lookup(t, path, 1, &ino);
	if (r)
		return r;
	struct listctx l = { 0 };
	errcode_t err = ext2fs_dir_iterate2(FS(t), ino, 0, NULL, list_cb, &l);
	if (err || l.err) {
		tree_free_list(l.names, l.n);
		return l.err ? l.err : ext4_err(err, "cannot list %s", path);
	}
	*names = l.names;
	*n = l.n;
	return tree_sort_names(l.names, l.n);
}

static int e_close(struct tree *t)
{
	struct ext4tree *e = t->priv;
	errcode_t err = ext2fs_close_free(&e->fs);
	int r = err ? ext4_err(err, "cannot close %s cleanly", t->desc) : 0;
	free(e);
	free(t);
	return r;
}

/* Read only: the tree front end refuses every write before it gets here
 * (rescuectl writes an ext4 only through a private kernel mount). */
static const struct tree_ops ext4_ops = {
	.stat = e_stat, .read = e_read, .pread = e_pread, .readlink = e_readlink, .space = e_space,
	.list = e_list, .close = e_close,
};

int tree_ext4_open(const char *dev, struct tree **out)
{
	ext2_filsys fs;
	/* Read only to the I/O layer: no write can pass, and no flush of the
	 * device at open (ext4_io.h). Not EXT2_FLAG_SUPER_ONLY: libext2fs then
	 * reads group descriptors on demand and dereferences NULL when such a
	 * read fails, as it can on a damaged filesystem. */
	errcode_t err = ext4_open_ro(dev, 0, 0, ext4_ro_io_manager, &fs);
	if (err)
		return ext4_err(err, "cannot open %s as ext2/3/4", dev);
	struct tree *t = calloc(1, sizeof(*t));
	struct ext4tree *e = calloc(1, sizeof(*e));
	if (!t || !e) {
		free(t);
		free(e);
		ext2fs_close_free(&fs);
		return rc_fail(ENOMEM, "out of memory");
	}
	e->fs = fs;
	t->priv = e;
	t->ops = &ext4_ops;
	t->kind = TREE_EXT4;
	t->rw = 0;
	t->dirfd = -1;
	t->lockfd = -1;
	snprintf(t->desc, sizeof(t->desc), "%s", dev);
	*out = t;
	return 0;
}

/* ---- superblock facts ---------------------------------------------------- */

static void feature_names(const struct ext2_super_block *sb, char *out, size_t sz)
{
	out[0] = 0;
	const __u32 words[3] = { sb->s_feature_compat, sb->s_feature_incompat, sb->s_feature_ro_compat };
	for (int w = 0; w < 3; w++) {
		for (int b = 0; b < 32; b++) {
			if (!(words[w] & (1u << b)))
				continue;
			const char *n = e2p_feature2string(w, 1u << b);
			size_t l = strlen(out);
			snprintf(out + l, sz - l, "%s%s", l ? " " : "", n);
		}
	}
}

static void cpy(char *dst, size_t dsz, const void *src, size_t ssz)
{
	size_t n = strnlen(src, ssz);
	if (n >= dsz)
		n = dsz - 1;
	memcpy(dst, src, n);
	dst[n] = 0;
}

#define TS(sb, f) ((time_t)((uint64_t)(sb)->f | ((uint64_t)(sb)->f##_hi << 32)))

static void fill_info(struct ext2_super_block *sb, struct ext4_info *in)
{
	uuid_unparse(sb->s_uuid, in->uuid);
	cpy(in->label, sizeof(in->label), sb->s_volume_name, sizeof(sb->s_volume_name));
	in->block_size = EXT2_BLOCK_SIZE(sb);
	in->blocks = ext2fs_blocks_count(sb);
	in->free_blocks = ext2fs_free_blocks_count(sb);
	in->inodes = sb->s_inodes_count;
	in->free_inodes = sb->s_free_inodes_count;
	in->state = sb->s_state;
	in->clean = !!(sb->s_state & EXT2_VALID_FS);
	in->errors = !!(sb->s_state & EXT2_ERROR_FS);
	in->has_journal = ext2fs_has_feature_journal(sb);
	in->needs_recovery = ext2fs_has_feature_journal_needs_recovery(sb);
	in->orphans = sb->s_last_orphan != 0 || ext2fs_has_feature_orphan_present(sb);
	in->last_check = TS(sb, s_lastcheck);
	in->last_mount = TS(sb, s_mtime);
	in->last_write = TS(sb, s_wtime);
	in->mount_count = sb->s_mnt_count;
	in->max_mount_count = (__s16)sb->s_max_mnt_count;
	in->error_count = sb->s_error_count;
	in->first_error_time = TS(sb, s_first_error_time);
	in->last_error_time = TS(sb, s_last_error_time);
	cpy(in->first_error_func, sizeof(in->first_error_func), sb->s_first_error_func, sizeof(sb->s_first_error_func));
	cpy(in->last_error_func, sizeof(in->last_error_func), sb->s_last_error_func, sizeof(sb->s_last_error_func));
	in->first_error_ino = sb->s_first_error_ino;
	in->last_error_ino = sb->s_last_error_ino;
	in->first_error_line = sb->s_first_error_line;
	in->last_error_line = sb->s_last_error_line;
	in->first_error_block = sb->s_first_error_block;
	in->last_error_block = sb->s_last_error_block;
	in->first_error_errcode = sb->s_first_error_errcode;
	in->last_error_errcode = sb->s_last_error_errcode;
	in->rev = (int)sb->s_rev_level;
	in->feature_compat = sb->s_feature_compat;
	in->feature_incompat = sb->s_feature_incompat;
	in->feature_ro_compat = sb->s_feature_ro_compat;
	in->blocks_per_group = sb->s_blocks_per_group;
	in->first_data_block = sb->s_first_data_block;
	feature_names(sb, in->features, sizeof(in->features));
	in->fstype = ext2fs_has_feature_extents(sb) || ext2fs_has_feature_64bit(sb) ||
		     ext2fs_has_feature_flex_bg(sb) || ext2fs_has_feature_huge_file(sb) ? "ext4" :
		     in->has_journal ? "ext3" : "ext2";
}

/* Read the superblock stored at byte OFFSET (raw, no libext2fs: it must work
 * on filesystems libext2fs refuses). 1 valid, 0 not, <0 read error. */
static int read_sb(int fd, uint64_t offset, struct ext2_super_block *sb)
{
	ssize_t n = pread(fd, sb, SUPERBLOCK_SIZE, (off_t)offset);
	if (n < 0)
		return -errno;
	if (n != SUPERBLOCK_SIZE)
		return 0;
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	ext2fs_swap_super(sb);
#endif
	return sb->s_magic == EXT2_SUPER_MAGIC &&
	       sb->s_log_block_size <= EXT2_MAX_BLOCK_LOG_SIZE - EXT2_MIN_BLOCK_LOG_SIZE &&
	       sb->s_blocks_per_group > 0 && sb->s_inodes_per_group > 0 &&
	       ext2fs_blocks_count(sb) > sb->s_first_data_block;
}

/* The usual places of the first backups: group 1 (then 3, 5, 7) with
 * 8 * block size blocks per group, for each block size (as e2fsck's
 * get_backup_sb, but also past a damaged group 1). */
static int find_backup(int fd, struct ext2_super_block *sb, uint64_t *blk, uint32_t *bs)
{
	static const uint32_t groups[] = { 1, 3, 5, 7 };
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		for (uint32_t size = EXT2_MIN_BLOCK_SIZE; size <= EXT2_MAX_BLOCK_SIZE; size *= 2) {
			uint64_t b = (uint64_t)groups[g] * 8 * size + (size == 1024);
			int r = read_sb(fd, b * size, sb);
			if (r > 0 && (uint32_t)EXT2_BLOCK_SIZE(sb) == size &&
			    (sb->s_block_group_nr == 0 || sb->s_block_group_nr == groups[g])) {
				*blk = b;
				*bs = size;
				return 1;
			}
		}
	}
	return 0;
}

static void try_open(const char *dev, uint64_t sbblk, uint32_t bs, struct ext4_info *in)
{
	ext2_filsys fs;
	errcode_t err = ext4_open_ro(dev, sbblk, bs, unix_io_manager, &fs);
	if (err) {
		snprintf(in->open_error, sizeof(in->open_error), "%s", error_message(err));
		return;
	}
	in->opened = 1;
	ext2fs_close_free(&fs);
}

#define INFO_STRICT  0x1   /* primary only, libext2fs must open it */
#define INFO_AT      0x2   /* exactly at SB/BS */

static int read_info(const char *dev, unsigned how, uint64_t sbblk, uint32_t bs, struct ext4_info *in)
{
	struct ext2_super_block sb;
	memset(in, 0, sizeof(*in));
	int fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return rc_fail(errno, "cannot open %s: %s", dev, strerror(errno));
	int r;
	if (how & INFO_AT) {
		if (sbblk > UINT32_MAX || bs < EXT2_MIN_BLOCK_SIZE || bs > EXT2_MAX_BLOCK_SIZE || (bs & (bs - 1))) {
			close(fd);
			return rc_fail(EINVAL, "superblock %llu with block size %u is not a valid place",
				       (unsigned long long)sbblk, bs);
		}
		r = read_sb(fd, sbblk * bs, &sb);
		if (r > 0 && (uint32_t)EXT2_BLOCK_SIZE(&sb) != bs)
			r = 0;
		if (r <= 0) {
			close(fd);
			return r < 0 ? rc_fail(-r, "cannot read %s: %s", dev, strerror(-r))
				     : rc_fail(EINVAL, "no ext2/3/4 superblock at block %llu (block size %u) of %s",
					       (unsigned long long)sbblk, bs, dev);
		}
		in->sb_block = sbblk;
		in->primary_ok = -1;   /* not looked at */
	} else {
		r = read_sb(fd, SUPERBLOCK_OFFSET, &sb);
		if (r < 0) {
			close(fd);
			return rc_fail(-r, "cannot read %s: %s", dev, strerror(-r));
		}
		in->primary_ok = r;
		if (!r && (how & INFO_STRICT)) {
			close(fd);
			return rc_fail(EINVAL, "cannot open %s as ext2/3/4: %s", dev,
				       error_message(EXT2_ET_BAD_MAGIC));
		}
		if (!r && !find_backup(fd, &sb, &sbblk, &bs)) {
			close(fd);
			return rc_fail(EINVAL, "%s: no ext2/3/4 superblock, neither the primary nor a backup "
				       "at the usual places for 1k-64k blocks", dev);
		}
		in->sb_block = r ? 0 : sbblk;
	}
	close(fd);
	fill_info(&sb, in);
	try_open(dev, in->sb_block, in->block_size, in);
	if ((how & INFO_STRICT) && !in->opened)
		return rc_fail(EIO, "cannot open %s as ext2/3/4: %s", dev, in->open_error);
	return 0;
}

int ext4_read_info(const char *dev, struct ext4_info *in)
{
	return read_info(dev, INFO_STRICT, 0, 0, in);
}

int ext4_read_info_any(const char *dev, struct ext4_info *in)
{
	return read_info(dev, 0, 0, 0, in);
}

int ext4_read_info_at(const char *dev, uint64_t sb, uint32_t block_size, struct ext4_info *in)
{
	return read_info(dev, INFO_AT, sb, block_size, in);
}

static int is_power_of(uint64_t n, uint64_t base)
{
	while (n > 1 && n % base == 0)
		n /= base;
	return n == 1;
}

int ext4_backup_locations(uint64_t blocks, uint32_t first_data_block, uint32_t blocks_per_group,
			  int sparse, int sparse2, const uint32_t backup_bgs[2], uint64_t *out, int max)
{
	if (!blocks_per_group || blocks <= first_data_block)
		return 0;
	uint64_t groups = (blocks - first_data_block + blocks_per_group - 1) / blocks_per_group;
	int n = 0;
	for (uint64_t g = 1; g < groups && n < max; g++) {
		int has;
		if (sparse2)
			has = g == backup_bgs[0] || g == backup_bgs[1];
		else if (!sparse)
			has = 1;
		else
			has = g == 1 || is_power_of(g, 3) || is_power_of(g, 5) || is_power_of(g, 7);
		if (has)
			out[n++] = first_data_block + g * (uint64_t)blocks_per_group;
	}
	return n;
}

int ext4_backup_superblocks(const char *dev, uint32_t *block_size, uint64_t *out, int max)
{
	struct ext2_super_block sb;
	uint64_t blk = 0;
	uint32_t bs = 0;
	int fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return rc_fail(errno, "cannot open %s: %s", dev, strerror(errno));
	int r = read_sb(fd, SUPERBLOCK_OFFSET, &sb);
	if (r == 0 && !find_backup(fd, &sb, &blk, &bs))
		r = rc_fail(EINVAL, "%s: no ext2/3/4 superblock found, neither the primary nor a backup", dev);
	else if (r < 0)
		r = rc_fail(-r, "cannot read %s: %s", dev, strerror(-r));
	if (r < 0) {
		close(fd);
		return r;
	}
	bs = EXT2_BLOCK_SIZE(&sb);
	uint64_t all[64];
	int n = ext4_backup_locations(ext2fs_blocks_count(&sb), sb.s_first_data_block, sb.s_blocks_per_group,
				      ext2fs_has_feature_sparse_super(&sb), ext2fs_has_feature_sparse_super2(&sb),
				      sb.s_backup_bgs, all, 64);
	int k = 0;
	for (int i = 0; i < n && k < max; i++) {
		struct ext2_super_block b;
		if (read_sb(fd, all[i] * bs, &b) > 0 && (uint32_t)EXT2_BLOCK_SIZE(&b) == bs &&
		    !memcmp(b.s_uuid, sb.s_uuid, sizeof(b.s_uuid)))
			out[k++] = all[i];
	}
	close(fd);
	*block_size = bs;
	return k;
}
