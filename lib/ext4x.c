/* treex.h on an unmounted ext2/3/4, read only through libext2fs: metadata
 * with the SELinux label, link targets, ranged reads, free space. A handle
 * of its own (opened on first use, read only) beside lib/ext4.c's tree,
 * whose interface has none of these yet. Never writes. */
#include "treex.h"
#include "err.h"
#include <ext2fs/ext2fs.h>
#include <et/com_err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int e2err(errcode_t e, const char *what, const char *path)
{
	int err = (e > 0 && e < 256) ? (int)e : EIO;
	return rc_fail(err, "%s %s: %s", what, path, error_message(e));
}

static ext2_filsys fs_of(struct tx *x)
{
	if (!x->e2) {
		ext2_filsys fs;
		int fl = EXT2_FLAG_64BITS | EXT2_FLAG_IGNORE_CSUM_ERRORS | EXT2_FLAG_SKIP_MMP;
		errcode_t e = ext2fs_open2(x->dev, NULL, fl, 0, 0, unix_io_manager, &fs);
		if (e) {
			e2err(e, "cannot open", x->dev);
			return NULL;
		}
		x->e2 = fs;
	}
	return x->e2;
}

void ext4x_close(struct tx *x)
{
	ext2_filsys fs = x->e2;
	if (fs)
		ext2fs_close_free(&fs);
	x->e2 = NULL;
}

/* The inode of PATH and its contents. -ENOENT for an absent path. */
static int lookup(struct tx *x, const char *path, int follow, ext2_ino_t *ino, struct ext2_inode *in)
{
	ext2_filsys fs = fs_of(x);
	if (!fs)
		return -EIO;
	const char *p = path + strspn(path, "/");
	errcode_t e = 0;
	*ino = EXT2_ROOT_INO;
	if (*p)
		e = follow ? ext2fs_namei_follow(fs, EXT2_ROOT_INO, EXT2_ROOT_INO, p, ino)
			   : ext2fs_namei(fs, EXT2_ROOT_INO, EXT2_ROOT_INO, p, ino);
	if (e == EXT2_ET_FILE_NOT_FOUND || e == ENOENT || e == EXT2_ET_NO_DIRECTORY || e == ENOTDIR)
		return -ENOENT;
	if (!e)
		e = ext2fs_read_inode(fs, *ino, in);
	return e ? e2err(e, "cannot look up", path) : 0;
}

static void label_of(ext2_filsys fs, ext2_ino_t ino, struct tx_meta *m)
{
	struct ext2_xattr_handle *h;
	void *v = NULL;
	size_t len = 0;
	if (ext2fs_xattrs_open(fs, ino, &h))
		return;
	if (!ext2fs_xattrs_read(h) && !ext2fs_xattr_get(h, "security.selinux", &v, &len) && v) {
		m->has_label = 1;
		m->label_len = len < sizeof(m->label) ? len : sizeof(m->label);
		memcpy(m->label, v, m->label_len);
	}
	if (v)
		ext2fs_free_mem(&v);
	ext2fs_xattrs_close(&h);
}

int ext4x_meta(struct tx *x, const char *path, int follow, struct tx_meta *m)
{
	ext2_ino_t ino;
	struct ext2_inode in;
	int r = lookup(x, path, follow, &ino, &in);
	if (r)
		return r;
	memset(m, 0, sizeof(*m));
	m->type = LINUX_S_ISREG(in.i_mode) ? 'f' : LINUX_S_ISDIR(in.i_mode) ? 'd' : LINUX_S_ISLNK(in.i_mode) ? 'l' : 'o';
	m->mode = in.i_mode & 07777;
	m->uid = inode_uid(in);
	m->gid = inode_gid(in);
	m->size = EXT2_I_SIZE(&in);
	if (m->type != 'l')
		label_of(x->e2, ino, m);
	return 0;
}

/* Read LEN bytes from OFF of inode INO into BUF. */
static int read_ino(ext2_filsys fs, ext2_ino_t ino, struct ext2_inode *in, uint64_t off, void *buf, size_t len,
		    size_t *got, const char *path)
{
	ext2_file_t f = NULL;
	errcode_t e = ext2fs_file_open2(fs, ino, in, 0, &f);
	*got = 0;
	if (!e)
		e = ext2fs_file_llseek(f, off, EXT2_SEEK_SET, NULL);
	while (!e && *got < len) {
		unsigned int n = 0, want = len - *got > (1u << 30) ? 1u << 30 : (unsigned int)(len - *got);
		e = ext2fs_file_read(f, (char *)buf + *got, want, &n);
		if (!n)
			break;
		*got += n;
	}
	if (f)
		ext2fs_file_close(f);
	return e ? e2err(e, "cannot read", path) : 0;
}

int ext4x_readlink(struct tx *x, const char *path, char *buf, size_t sz)
{
	ext2_ino_t ino;
	struct ext2_inode in;
	int r = lookup(x, path, 0, &ino, &in);
	if (r)
		return r;
	if (!LINUX_S_ISLNK(in.i_mode))
		return -EINVAL;
	size_t size = EXT2_I_SIZE(&in), got = 0;
	if (size >= sz)
		return rc_fail(ENAMETOOLONG, "the link %s is too long", path);
	if (in.i_flags & EXT4_INLINE_DATA_FL) {
		errcode_t e = ext2fs_inline_data_get(x->e2, ino, &in, buf, &got);
		r = e ? e2err(e, "cannot read the link", path) : 0;
	} else if (ext2fs_is_fast_symlink(&in)) {
		memcpy(buf, (char *)in.i_block, size);
		got = size;
	} else {
		r = read_ino(x->e2, ino, &in, 0, buf, size, &got, path);
	}
	if (!r)
		buf[got < sz ? got : sz - 1] = 0;
	return r;
}

int ext4x_pread(struct tx *x, const char *path, uint64_t off, void *buf, size_t len, size_t *got)
{
	ext2_ino_t ino;
	struct ext2_inode in;
	int r = lookup(x, path, 1, &ino, &in);
	if (r)
		return r;
	if (!LINUX_S_ISREG(in.i_mode))
		return rc_fail(EINVAL, "%s is not a regular file", path);
	return read_ino(x->e2, ino, &in, off, buf, len, got, path);
}

int ext4x_space(struct tx *x, struct tx_space *s)
{
	ext2_filsys fs = fs_of(x);
	if (!fs)
		return -EIO;
	s->size = ext2fs_blocks_count(fs->super) * fs->blocksize;
	s->avail = ext2fs_free_blocks_count(fs->super) * fs->blocksize;
	s->files = fs->super->s_inodes_count;
	s->ffree = fs->super->s_free_inodes_count;
	return 0;
}
