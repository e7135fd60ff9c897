/* Read-only, damage-tolerant walk through an unmounted ext2/3/4 filesystem.
 * libext2fs opens the filesystem and reads inodes and xattrs; the block
 * maps and directory blocks are parsed here so that damage stays local. */
#include "ext4_walk.h"
#include "ext4.h"
#include "ext4_priv.h"
#include "err.h"
#include <ext2fs/ext2fs.h>
#include <ext2fs/ext3_extents.h>
#include <et/com_err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EW_MAX_LINKS 40
#define EW_MAX_DEPTH 5

struct ew {
	ext2_filsys fs;
	uint32_t bs;
	uint64_t sb_block;
};


int ew_open(const char *dev, struct ew **out)
{
	ext2_filsys fs = NULL;
	uint64_t used = 0;
	errcode_t err = ext4_open_ro(dev, 0, 0, unix_io_manager, &fs), first = err;
	if (err) {
		/* A damaged primary superblock or group descriptor table:
		 * the backups were written by mke2fs for exactly this. */
		uint64_t b[16];
		uint32_t bs = 0;
		int n = ext4_backup_superblocks(dev, &bs, b, 16);
		for (int i = 0; i < n && err; i++) {
			if (b[i] == 0)
				continue;
			if (!ext4_open_ro(dev, b[i], bs, unix_io_manager, &fs))
				used = b[i], err = 0;
		}
		if (err) {
			rc_clear();
			return ext4_err(first, "cannot open %s as ext2/3/4", dev);
		}
	}
	struct ew *w = calloc(1, sizeof(*w));
	if (!w) {
		ext2fs_close_free(&fs);
		return -ENOMEM;
	}
	w->fs = fs;
	w->bs = fs->blocksize;
	w->sb_block = used;
	*out = w;
	return 0;
}

void ew_close(struct ew *w)
{
	if (!w)
		return;
	/* Opened read-only: closing writes nothing. */
	ext2fs_close_free(&w->fs);
	free(w);
}

void ew_fsinfo(const struct ew *w, struct ew_fsinfo *i)
{
	struct ext2_super_block *sb = w->fs->super;
	memset(i, 0, sizeof(*i));
	i->block_size = w->bs;
	i->blocks = ext2fs_blocks_count(sb);
	i->inodes = sb->s_inodes_count;
	i->has_journal = ext2fs_has_feature_journal(sb);
	i->needs_recovery = ext2fs_has_feature_journal_needs_recovery(sb);
	i->errors = !!(sb->s_state & EXT2_ERROR_FS);
	i->orphans = sb->s_last_orphan != 0;
	i->sb_block = w->sb_block;
	if (ext2fs_has_feature_extents(sb) || ext2fs_has_feature_64bit(sb) || ext2fs_has_feature_flex_bg(sb) ||
	    ext2fs_has_feature_huge_file(sb) || ext2fs_has_feature_inline_data(sb))
		i->fstype = "ext4";
	else
		i->fstype = i->has_journal ? "ext3" : "ext2";
}

/* ---- inodes ------------------------------------------------------------- */

static int fits(const struct ext2_inode_large *in, size_t inode_size, size_t off)
{
	if (inode_size <= EXT2_GOOD_OLD_INODE_SIZE)
		return 0;
	size_t extra = in->i_extra_isize;
	if (extra > inode_size - EXT2_GOOD_OLD_INODE_SIZE)
		return 0;
	return off + 4 <= EXT2_GOOD_OLD_INODE_SIZE + extra;
}

/* ext4 times: 32 signed seconds, extended by two epoch bits and
 * nanoseconds in the _extra word when the inode is large enough. */
static void xtime(uint32_t lo, uint32_t extra, int has_extra, struct timespec *ts)
{
	int64_t s = (int32_t)lo;
	long ns = 0;
	if (has_extra) {
		s += (int64_t)(extra & 3) << 32;
		ns = extra >> 2;
		if (ns > 999999999)
			ns = 0;
	}
	ts->tv_sec = (time_t)s;
	ts->tv_nsec = ns;
}

#define FITS(in, isz, f) fits(in, isz, offsetof(struct ext2_inode_large, f))

static void decode_times(const struct ext2_inode_large *in, size_t isz, struct ew_inode *o)
{
	xtime(in->i_atime, in->i_atime_extra, FITS(in, isz, i_atime_extra), &o->atime);
	xtime(in->i_mtime, in->i_mtime_extra, FITS(in, isz, i_mtime_extra), &o->mtime);
	xtime(in->i_ctime, in->i_ctime_extra, FITS(in, isz, i_ctime_extra), &o->ctime);
	if (FITS(in, isz, i_crtime)) {
		xtime(in->i_crtime, in->i_crtime_extra, FITS(in, isz, i_crtime_extra), &o->btime);
		o->has_btime = in->i_crtime != 0 || in->i_crtime_extra != 0;
	}
}

static void decode_rdev(const struct ext2_inode_large *in, struct ew_inode *o)
{
	uint32_t old = in->i_block[0], nw = in->i_block[1];
	if (old) {
		o->rdev_major = (old >> 8) & 0xff;
		o->rdev_minor = old & 0xff;
	} else {
		o->rdev_major = (nw & 0xfff00) >> 8;
		o->rdev_minor = (nw & 0xff) | ((nw >> 12) & 0xfff00);
	}
}

static int valid_type(uint32_t mode)
{
	return LINUX_S_ISREG(mode) || LINUX_S_ISDIR(mode) || LINUX_S_ISLNK(mode) || LINUX_S_ISCHR(mode) ||
	       LINUX_S_ISBLK(mode) || LINUX_S_ISFIFO(mode) || LINUX_S_ISSOCK(mode);
}

int ew_inode(struct ew *w, uint32_t ino, struct ew_inode *o)
{
	struct ext2_inode_large in;
	memset(o, 0, sizeof(*o));
	if (ino < 1 || ino > w->fs->super->s_inodes_count)
		return rc_fail(ERANGE, "inode %u is outside the inode table (1-%u)", ino,
			       w->fs->super->s_inodes_count);
	memset(&in, 0, sizeof(in));
	errcode_t err = ext2fs_read_inode_full(w->fs, ino, (struct ext2_inode *)&in, sizeof(in));
	if (err) {
		return ext4_err(err, "cannot read inode %u", ino);
	}
	if (in.i_mode == 0)
		return rc_fail(ENOENT, "inode %u is cleared (mode 0)", ino);
	if (in.i_links_count == 0)
		return rc_fail(ENOENT, "inode %u is deleted (no links, deleted at %u)", ino, in.i_dtime);
	if (!valid_type(in.i_mode))
		return rc_fail(EUCLEAN, "inode %u has an impossible type (mode %o)", ino, in.i_mode);
	size_t isz = EXT2_INODE_SIZE(w->fs->super);
	o->ino = ino;
	o->mode = in.i_mode;
	o->uid = inode_uid(in);
	o->gid = inode_gid(in);
	o->nlink = in.i_links_count;
	o->size = EXT2_I_SIZE(&in);
	o->flags = in.i_flags;
	o->file_acl = ext2fs_file_acl_block(w->fs, (struct ext2_inode *)&in);
	o->inline_data = !!(in.i_flags & EXT4_INLINE_DATA_FL);
	decode_times(&in, isz, o);
	if (LINUX_S_ISCHR(in.i_mode) || LINUX_S_ISBLK(in.i_mode))
		decode_rdev(&in, o);
	return 0;
}

/* ---- block maps ---------------------------------------------------------- */

struct mapctx {
	struct ew *w;
	struct ew_map *m;
	size_t segcap, lostcap;
	uint64_t nblocks;   /* logical blocks covered by the size */
	int err;            /* -ENOMEM */
};

static void add_lost(struct mapctx *c, uint64_t lblk, uint64_t count, const char *why)
{
	if (lblk >= c->nblocks || !count)
		return;
	if (count > c->nblocks - lblk)
		count = c->nblocks - lblk;
	struct ew_map *m = c->m;
	if (m->nlost && m->lost[m->nlost - 1].lblk + m->lost[m->nlost - 1].count == lblk &&
	    m->lost[m->nlost - 1].why == why) {
		m->lost[m->nlost - 1].count += count;
		return;
	}
	if (m->nlost == c->lostcap) {
		size_t nc = c->lostcap ? c->lostcap * 2 : 4;
		struct ew_lost *p = realloc(m->lost, nc * sizeof(*p));
		if (!p) {
			c->err = -ENOMEM;
			return;
		}
		m->lost = p;
		c->lostcap = nc;
	}
	m->lost[m->nlost++] = (struct ew_lost){ lblk, count, why };
}

static int pblk_ok(const struct ew *w, uint64_t pblk, uint64_t count)
{
	uint64_t first = w->fs->super->s_first_data_block, all = ext2fs_blocks_count(w->fs->super);
	return pblk >= first && pblk < all && count <= all - pblk;
}

static void add_seg(struct mapctx *c, uint64_t lblk, uint64_t pblk, uint64_t count)
{
	if (lblk >= c->nblocks || !count)
		return;
	if (count > c->nblocks - lblk)
		count = c->nblocks - lblk;
	if (!pblk_ok(c->w, pblk, count)) {
		add_lost(c, lblk, count, "block number outside the filesystem");
		return;
	}
	struct ew_map *m = c->m;
	if (m->n) {
		struct ew_seg *l = &m->seg[m->n - 1];
		if (lblk < l->lblk + l->count) {
			/* overlapping or out of order: a corrupt map */
			add_lost(c, lblk, count, "extents overlap");
			return;
		}
		if (l->lblk + l->count == lblk && l->pblk + l->count == pblk) {
			l->count += count;
			return;
		}
	}
	if (m->n == c->segcap) {
		size_t nc = c->segcap ? c->segcap * 2 : 8;
		struct ew_seg *p = realloc(m->seg, nc * sizeof(*p));
		if (!p) {
			c->err = -ENOMEM;
			return;
		}
		m->seg = p;
		c->segcap = nc;
	}
	m->seg[m->n++] = (struct ew_seg){ lblk, pblk, count };
}

/* One node of an extent tree, covering logical blocks [LO, HI). */
static void ext_node(struct mapctx *c, const unsigned char *buf, size_t sz, int depth, uint64_t lo, uint64_t hi)
{
	const struct ext3_extent_header *h = (const void *)buf;
	unsigned n = ext2fs_le16_to_cpu(h->eh_entries), max = ext2fs_le16_to_cpu(h->eh_max);
	if (ext2fs_le16_to_cpu(h->eh_magic) != EXT3_EXT_MAGIC || n > max ||
	    sizeof(*h) + (size_t)max * 12 > sz || (depth >= 0 && ext2fs_le16_to_cpu(h->eh_depth) != depth) ||
	    ext2fs_le16_to_cpu(h->eh_depth) > EW_MAX_DEPTH) {
		add_lost(c, lo, hi - lo, "extent tree node damaged");
		return;
	}
	depth = ext2fs_le16_to_cpu(h->eh_depth);
	if (depth == 0) {
		const struct ext3_extent *e = (const void *)(h + 1);
		for (unsigned i = 0; i < n && !c->err; i++) {
			uint64_t lb = ext2fs_le32_to_cpu(e[i].ee_block);
			unsigned len = ext2fs_le16_to_cpu(e[i].ee_len);
			uint64_t pb = ((uint64_t)ext2fs_le16_to_cpu(e[i].ee_start_hi) << 32) |
				      ext2fs_le32_to_cpu(e[i].ee_start);
			if (len > EXT_INIT_MAX_LEN)
				continue;   /* unwritten: reads as zeros, a hole */
			if (lb < lo || lb + len > hi)
				add_lost(c, lb, len, "extent outside its index range");
			else
				add_seg(c, lb, pb, len);
		}
		return;
	}
	const struct ext3_extent_idx *x = (const void *)(h + 1);
	unsigned char *child = malloc(c->w->bs);
	if (!child) {
		c->err = -ENOMEM;
		return;
	}
	for (unsigned i = 0; i < n && !c->err; i++) {
		uint64_t clo = ext2fs_le32_to_cpu(x[i].ei_block);
		uint64_t chi = i + 1 < n ? ext2fs_le32_to_cpu(x[i + 1].ei_block) : hi;
		uint64_t pb = ((uint64_t)ext2fs_le16_to_cpu(x[i].ei_leaf_hi) << 32) | ext2fs_le32_to_cpu(x[i].ei_leaf);
		if (clo < lo || chi > hi || clo >= chi) {
			add_lost(c, clo, chi > clo ? chi - clo : 1, "extent index out of order");
			continue;
		}
		if (clo >= c->nblocks)
			break;
		if (!pblk_ok(c->w, pb, 1) || io_channel_read_blk64(c->w->fs->io, pb, 1, child)) {
			add_lost(c, clo, chi - clo, "extent tree block unreadable");
			continue;
		}
		ext_node(c, child, c->w->bs, depth - 1, clo, chi);
	}
	free(child);
}

/* ext2/3 block map: 12 direct blocks, then single, double, triple indirect. */
static void ind_walk(struct mapctx *c, uint64_t blk, int level, uint64_t lstart)
{
	uint64_t per = c->w->bs / 4, span = 1;
	for (int i = 0; i < level; i++)
		span *= per;
	if (lstart >= c->nblocks || c->err)
		return;
	if (blk == 0)
		return;   /* a hole */
	if (level == 0) {
		add_seg(c, lstart, blk, 1);
		return;
	}
	uint32_t *p = malloc(c->w->bs);
	if (!p) {
		c->err = -ENOMEM;
		return;
	}
	if (!pblk_ok(c->w, blk, 1) || io_channel_read_blk64(c->w->fs->io, blk, 1, p))
		add_lost(c, lstart, span, "indirect block unreadable");
	else
		for (uint64_t i = 0; i < per && !c->err; i++)
			ind_walk(c, ext2fs_le32_to_cpu(p[i]), level - 1, lstart + i * (span / per));
	free(p);
}

static int read_raw_inode(struct ew *w, uint32_t ino, struct ext2_inode_large *in)
{
	memset(in, 0, sizeof(*in));
	errcode_t err = ext2fs_read_inode_full(w->fs, ino, (struct ext2_inode *)in, sizeof(*in));
	if (err) {
		return ext4_err(err, "cannot read inode %u", ino);
	}
	return 0;
}

int ew_map(struct ew *w, const struct ew_inode *o, struct ew_map *m)
{
	struct ext2_inode_large in;
	memset(m, 0, sizeof(*m));
	if (o->inline_data)
		return 0;
	int r = read_raw_inode(w, o->ino, &in);
	if (r)
		return r;
	struct mapctx c = { .w = w, .m = m, .nblocks = (o->size + w->bs - 1) / w->bs };
	if (in.i_flags & EXT4_EXTENTS_FL) {
		ext_node(&c, (const unsigned char *)in.i_block, sizeof(in.i_block), -1, 0, EXT_MAX_EXTENT_LBLK + 1);
	} else {
		uint64_t per = w->bs / 4;
		for (int i = 0; i < EXT2_NDIR_BLOCKS; i++)
			ind_walk(&c, in.i_block[i], 0, i);
		ind_walk(&c, in.i_block[EXT2_IND_BLOCK], 1, EXT2_NDIR_BLOCKS);
		ind_walk(&c, in.i_block[EXT2_DIND_BLOCK], 2, EXT2_NDIR_BLOCKS + per);
		ind_walk(&c, in.i_block[EXT2_TIND_BLOCK], 3, EXT2_NDIR_BLOCKS + per + per * per);
	}
	if (c.err) {
		ew_map_free(m);
		return rc_fail(-c.err, "out of memory mapping inode %u", o->ino);
	}
	return 0;
}

void ew_map_free(struct ew_map *m)
{
	free(m->seg);
	free(m->lost);
	memset(m, 0, sizeof(*m));
}

int ew_read_blocks(struct ew *w, uint64_t pblk, uint64_t count, void *buf)
{
	if (!pblk_ok(w, pblk, count))
		return rc_fail(ERANGE, "blocks %llu+%llu are outside the filesystem", (unsigned long long)pblk,
			       (unsigned long long)count);
	if (count > INT32_MAX / w->bs)
		return rc_fail(EINVAL, "read of %llu blocks is too large", (unsigned long long)count);
	errcode_t err = io_channel_read_blk64(w->fs->io, pblk, (int)count, buf);
	if (err) {
		return ext4_err(err, "cannot read blocks %llu-%llu", (unsigned long long)pblk,
				(unsigned long long)(pblk + count - 1));
	}
	return 0;
}

int ew_read_inline(struct ew *w, const struct ew_inode *o, char **buf, size_t *len)
{
	struct ext2_inode_large in;
	size_t sz = 0;
	*buf = NULL;
	*len = 0;
	int r = read_raw_inode(w, o->ino, &in);
	if (r)
		return r;
	errcode_t err = ext2fs_inline_data_size(w->fs, o->ino, &sz);
	if (!err && sz > w->bs + sizeof(in.i_block))
		return rc_fail(EUCLEAN, "inode %u: inline data of %zu bytes is larger than a block", o->ino, sz);
	char *b = err ? NULL : malloc(sz + 1);
	if (!err && !b)
		return -ENOMEM;
	if (!err)
		err = ext2fs_inline_data_get(w->fs, o->ino, (struct ext2_inode *)&in, b, &sz);
	if (err) {
		free(b);
		return ext4_err(err, "cannot read the inline data of inode %u", o->ino);
	}
	*buf = b;
	*len = sz;
	return 0;
}

/* ---- symbolic links and xattrs ------------------------------------------- */

int ew_readlink(struct ew *w, const struct ew_inode *o, char *buf, size_t sz)
{
	struct ext2_inode_large in;
	if (o->size >= sz || o->size >= w->bs)
		return rc_fail(ENAMETOOLONG, "inode %u: symbolic link of %llu bytes is too long", o->ino,
			       (unsigned long long)o->size);
	int r = read_raw_inode(w, o->ino, &in);
	if (r)
		return r;
	size_t n = o->size;
	if (o->inline_data) {
		char *b;
		size_t l;
		if ((r = ew_read_inline(w, o, &b, &l)))
			return r;
		if (l < n)
			n = l;
		memcpy(buf, b, n);
		free(b);
	} else if (ext2fs_is_fast_symlink((struct ext2_inode *)&in)) {
		if (n > sizeof(in.i_block))
			n = sizeof(in.i_block);
		memcpy(buf, in.i_block, n);
	} else {
		struct ew_map m;
		if ((r = ew_map(w, o, &m)))
			return r;
		char *blk = malloc(w->bs);
		if (!blk)
			r = -ENOMEM;
		else if (m.n == 0 || m.seg[0].lblk != 0)
			r = rc_fail(EIO, "inode %u: the block of the symbolic link is not mapped", o->ino);
		else
			r = ew_read_blocks(w, m.seg[0].pblk, 1, blk);
		if (!r)
			memcpy(buf, blk, n);
		free(blk);
		ew_map_free(&m);
		if (r)
			return r;
	}
	buf[n] = 0;
	if (strlen(buf) != n)
		return rc_fail(EUCLEAN, "inode %u: symbolic link target holds a NUL byte", o->ino);
	return 0;
}

struct xa_ctx {
	ew_xattr_fn fn;
	void *arg;
	int ret;
};

/* ext4 keeps POSIX ACLs in its own compact form (version 1: short
 * entries without an id for the owner, group, mask and other); give them
 * in the Linux xattr form (version 2: every entry 8 bytes). 0, or -EINVAL. */
static int acl_to_xattr(const unsigned char *v, size_t len, unsigned char *out, size_t *olen, size_t osz)
{
	size_t o = 4, i = 4;
	if (len < 4 || v[0] != 1 || v[1] || v[2] || v[3])
		return -EINVAL;
	out[0] = 2, out[1] = out[2] = out[3] = 0;
	while (i < len) {
		if (i + 4 > len || o + 8 > osz)
			return -EINVAL;
		unsigned tag = v[i] | v[i + 1] << 8;
		int with_id = tag == 0x02 || tag == 0x08;   /* ACL_USER, ACL_GROUP */
		if (with_id && i + 8 > len)
			return -EINVAL;
		memcpy(out + o, v + i, 4);
		if (with_id)
			memcpy(out + o + 4, v + i + 4, 4);
		else
			memset(out + o + 4, 0xff, 4);
		i += with_id ? 8 : 4;
		o += 8;
	}
	*olen = o;
	return 0;
}

static int xa_cb(char *name, char *value, size_t len, void *arg)
{
	struct xa_ctx *c = arg;
	if (!strcmp(name, "system.data"))
		return 0;
	if (!strncmp(name, "system.posix_acl_", 17) && len >= 4 && value[0] == 1) {
		unsigned char conv[8 * 1024 + 4];
		size_t cl;
		if (len > 4 * 1024 || acl_to_xattr((const unsigned char *)value, len, conv, &cl, sizeof(conv))) {
			c->ret = rc_fail(EINVAL, "%s is damaged", name);
			return XATTR_ABORT;
		}
		c->ret = c->fn(name, conv, cl, c->arg);
	} else
		c->ret = c->fn(name, value, len, c->arg);
	return c->ret ? XATTR_ABORT : 0;
}

int ew_xattrs(struct ew *w, const struct ew_inode *o, ew_xattr_fn fn, void *arg)
{
	struct ext2_xattr_handle *h = NULL;
	errcode_t err = ext2fs_xattrs_open(w->fs, o->ino, &h);
	if (err == EXT2_ET_MISSING_EA_FEATURE)
		return 0;
	if (!err)
		err = ext2fs_xattrs_read(h);
	if (err) {
		if (h)
			ext2fs_xattrs_close(&h);
		return ext4_err(err, "cannot read the extended attributes of inode %u", o->ino);
	}
	struct xa_ctx c = { fn, arg, 0 };
	err = ext2fs_xattrs_iterate(h, xa_cb, &c);
	ext2fs_xattrs_close(&h);
	if (c.ret)
		return c.ret;
	if (err) {
		return ext4_err(err, "cannot list the extended attributes of inode %u", o->ino);
	}
	return 0;
}

/* ---- directories --------------------------------------------------------- */

struct dirctx {
	struct ew *w;
	ew_dirent_fn fn;
	ew_lost_fn lost;
	void *arg;
};

static int bad_name(const char *n, size_t len)
{
	return len == 0 || memchr(n, '/', len) || memchr(n, 0, len);
}

/* Entries in BUF[0, LEN): stops at the first entry whose length is
 * impossible (the rest of the block is lost). */
static int parse_entries(struct dirctx *c, const char *buf, size_t len, uint64_t lblk)
{
	size_t off = 0;
	uint32_t ninodes = c->w->fs->super->s_inodes_count;
	while (off + 8 <= len) {
		const struct ext2_dir_entry *d = (const void *)(buf + off);
		unsigned int rec = 0;
		if (ext2fs_get_rec_len(c->w->fs, (struct ext2_dir_entry *)d, &rec) || rec < 8 || rec % 4 ||
		    rec > len - off || (size_t)ext2fs_dirent_name_len(d) + 8 > rec) {
			c->lost(lblk, "directory entry with an impossible length: the rest of the block is lost", c->arg);
			return 0;
		}
		size_t nl = ext2fs_dirent_name_len(d);
		const char *name = d->name;
		off += rec;
		if (d->inode == 0 || (nl == 1 && name[0] == '.') || (nl == 2 && name[0] == '.' && name[1] == '.'))
			continue;
		if (d->inode > ninodes || (d->inode < EXT2_FIRST_INO(c->w->fs->super) && d->inode != EXT2_ROOT_INO)) {
			c->lost(lblk, "entry points to an impossible inode number", c->arg);
			continue;
		}
		if (bad_name(name, nl)) {
			c->lost(lblk, "entry name holds '/' or NUL", c->arg);
			continue;
		}
		int r = c->fn(name, nl, d->inode, c->arg);
		if (r)
			return r;
	}
	return 0;
}

static int readdir_inline(struct dirctx *c, const struct ew_inode *dir)
{
	char *b;
	size_t len;
	int r = ew_read_inline(c->w, dir, &b, &len);
	if (r) {
		c->lost(0, rc_msg(), c->arg);
		return 0;
	}
	/* i_block: the parent's inode number, then entries; then the
	 * system.data xattr: more entries. */
	size_t ib = sizeof(((struct ext2_inode *)0)->i_block);
	if (len > 4)
		r = parse_entries(c, b + 4, (len < ib ? len : ib) - 4, 0);
	if (!r && len > ib)
		r = parse_entries(c, b + ib, len - ib, 0);
	free(b);
	return r;
}

int ew_readdir(struct ew *w, const struct ew_inode *dir, ew_dirent_fn fn, ew_lost_fn lost, void *arg)
{
	struct dirctx c = { w, fn, lost, arg };
	if (!LINUX_S_ISDIR(dir->mode))
		return rc_fail(ENOTDIR, "inode %u is not a directory", dir->ino);
	if (dir->inline_data)
		return readdir_inline(&c, dir);
	struct ew_map m;
	int r = ew_map(w, dir, &m);
	if (r)
		return r;
	for (size_t i = 0; i < m.nlost; i++)
		lost(m.lost[i].lblk, m.lost[i].why, arg);
	char *buf = malloc(w->bs);
	if (!buf) {
		ew_map_free(&m);
		return -ENOMEM;
	}
	for (size_t s = 0; s < m.n && !r; s++) {
		for (uint64_t k = 0; k < m.seg[s].count && !r; k++) {
			uint64_t lb = m.seg[s].lblk + k;
			errcode_t err = ext2fs_read_dir_block4(w->fs, m.seg[s].pblk + k, buf, 0, dir->ino);
			if (err && err != EXT2_ET_DIR_CSUM_INVALID) {
				lost(lb, "directory block unreadable", arg);
				continue;
			}
			r = parse_entries(&c, buf, w->bs, lb);
		}
	}
	free(buf);
	ew_map_free(&m);
	return r;
}

/* ---- path lookup ----------------------------------------------------------- */

struct findctx {
	const char *name;
	size_t len;
	uint32_t ino;
};

static int find_cb(const char *name, size_t len, uint32_t ino, void *arg)
{
	struct findctx *f = arg;
	if (len == f->len && !memcmp(name, f->name, len)) {
		f->ino = ino;
		return 1;
	}
	return 0;
}

static void ignore_lost(uint64_t lblk, const char *why, void *arg)
{
	(void)lblk, (void)why, (void)arg;
}

static int find_in(struct ew *w, uint32_t dir, const char *name, size_t len, uint32_t *ino)
{
	struct ew_inode d;
	int r = ew_inode(w, dir, &d);
	if (r)
		return r;
	if (!LINUX_S_ISDIR(d.mode))
		return -ENOTDIR;
	struct findctx f = { name, len, 0 };
	r = ew_readdir(w, &d, find_cb, ignore_lost, &f);
	if (r < 0)
		return r;
	if (!f.ino)
		return -ENOENT;
	*ino = f.ino;
	return 0;
}

/* Resolve with a stack of the directories walked, so that ".." goes back
 * the way it came and never above the top. */
int ew_lookup(struct ew *w, const char *path, uint32_t *ino)
{
	char buf[2 * 4096 + 2];
	uint32_t stack[2048];
	int sp = 0, links = 0;
	stack[0] = EXT2_ROOT_INO;
	if (strlen(path) >= 4096)
		return rc_fail(ENAMETOOLONG, "path too long");
	snprintf(buf, sizeof(buf), "%s", path);
	char *p = buf;
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		char *e = strchr(p, '/');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char *rest = p + len;
		if (len == 1 && p[0] == '.') {
			p = rest;
			continue;
		}
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			if (sp > 0)
				sp--;
			p = rest;
			continue;
		}
		uint32_t child;
		int r = find_in(w, stack[sp], p, len, &child);
		if (r == -ENOENT || r == -ENOTDIR)
			return r;
		if (r)
			return r;
		while (*rest == '/')
			rest++;
		struct ew_inode ci;
		if ((r = ew_inode(w, child, &ci)))
			return r;
		if (LINUX_S_ISLNK(ci.mode) && *rest) {
			char target[4096];
			if (++links > EW_MAX_LINKS)
				return rc_fail(ELOOP, "too many levels of symbolic links");
			if ((r = ew_readlink(w, &ci, target, sizeof(target))))
				return r;
			char nb[sizeof(buf)];
			snprintf(nb, sizeof(nb), "%s/%s", target, rest);
			if (target[0] == '/')
				sp = 0;
			memcpy(buf, nb, sizeof(buf));
			p = buf;
			continue;
		}
		if (*rest && !LINUX_S_ISDIR(ci.mode))
			return -ENOTDIR;
		if (sp + 1 >= (int)(sizeof(stack) / sizeof(stack[0])))
			return rc_fail(ENAMETOOLONG, "path too deep");
		stack[++sp] = child;
		p = rest;
	}
	*ino = stack[sp];
	return 0;
}
