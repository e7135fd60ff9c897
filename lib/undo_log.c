/* resize2fs's undo log on the device it shrinks (undo_log.h says why and
 * how). The format facts (E2UNDO02) are e2fsprogs'; the code is ours. */
#include "undo_log.h"
#include "err.h"
#include "ext4_priv.h"
#include <ext2fs/ext2fs.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOC_MAGIC "rescuectl-undo1"    /* 16 bytes with its NUL */
#define HDR_MAGIC "E2UNDO02"
#define KEYB_MAGIC 0xCADECADEu
#define STATE_FINISHED 0x1
#define MIN_BS 1024u
#define MAX_BS 65536u   /* e2fsprogs allows 1 MiB; its tdb block is the fs block, at most 64 KiB */

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const unsigned char *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t crc32c(const void *buf, size_t len)
{
	return ext2fs_crc32c_le(~0U, (const unsigned char *)buf, (unsigned)len);
}

static int dev_size(int fd, uint64_t *size)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return rc_fail(errno, "cannot stat the device");
	if (S_ISREG(st.st_mode)) {
		*size = (uint64_t)st.st_size;
		return 0;
	}
	if (ioctl(fd, BLKGETSIZE64, size) < 0)
		return rc_fail(errno, "cannot read the device's size");
	return 0;
}

static int pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	for (size_t done = 0; done < len;) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return rc_fail(n < 0 ? errno : EIO, "cannot read %zu bytes at %" PRIu64, len, off);
		done += (size_t)n;
	}
	return 0;
}

static int pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	for (size_t done = 0; done < len;) {
		ssize_t n = pwrite(fd, (const char *)buf + done, len - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return rc_fail(n < 0 ? errno : EIO, "cannot write %zu bytes at %" PRIu64, len, off);
		done += (size_t)n;
	}
	return 0;
}

uint64_t undo_loc_offset(uint64_t size)
{
	return size < 2 * UNDO_LOC_SIZE ? 0 : (size / UNDO_LOC_SIZE - 1) * UNDO_LOC_SIZE;
}

/* Locator layout: magic[16] uuid[40] off len dev_size nonce (le64)
 * file[256], crc32c (le32). */
#define LOC_BYTES (16 + 40 + 32 + 256)

int undo_loc_write(int fd, struct undo_loc *loc)
{
	unsigned char b[UNDO_LOC_SIZE] = { 0 };
	int r = dev_size(fd, &loc->dev_size);
	if (r < 0)
		return r;
	memcpy(b, LOC_MAGIC, 16);
	memcpy(b + 16, loc->uuid, sizeof(loc->uuid));
	b[16 + 39] = 0;
	put64(b + 56, loc->off);
	put64(b + 64, loc->len);
	put64(b + 72, loc->dev_size);
	put64(b + 80, loc->nonce);
	memcpy(b + 88, loc->file, sizeof(loc->file));
	b[88 + sizeof(loc->file) - 1] = 0;
	uint32_t c = crc32c(b, LOC_BYTES);
	for (int i = 0; i < 4; i++)
		b[LOC_BYTES + i] = (unsigned char)(c >> (8 * i));
	r = pwrite_all(fd, b, sizeof(b), undo_loc_offset(loc->dev_size));
	if (r == 0 && fdatasync(fd) < 0)
		r = rc_fail(errno, "cannot flush the undo log's locator");
	return r;
}

int undo_loc_read(int fd, struct undo_loc *loc)
{
	unsigned char b[UNDO_LOC_SIZE];
	uint64_t size;
	int r = dev_size(fd, &size);
	if (r < 0 || (r = pread_all(fd, b, sizeof(b), undo_loc_offset(size))) < 0)
		return r;
	if (memcmp(b, LOC_MAGIC, 16))
		return -ENOENT;
	memset(loc, 0, sizeof(*loc));
	memcpy(loc->uuid, b + 16, sizeof(loc->uuid) - 1);
	loc->off = get64(b + 56);
	loc->len = get64(b + 64);
	loc->dev_size = get64(b + 72);
	loc->nonce = get64(b + 80);
	memcpy(loc->file, b + 88, sizeof(loc->file) - 1);
	if (get32(b + LOC_BYTES) != crc32c(b, LOC_BYTES))
		return rc_fail(EBADMSG, "the undo log's locator at the end of the device has a bad checksum");
	if (loc->file[0] && (loc->off || loc->len || loc->dev_size != size))
		return rc_fail(EBADMSG, "the undo log's locator at the end of the device names an undo file and a "
			       "place on the device");
	if (loc->file[0])
		return 0;
	if (loc->dev_size != size || loc->len < 3 * MIN_BS || loc->off > size || loc->len > size - loc->off ||
	    loc->off + loc->len > undo_loc_offset(size))
		return rc_fail(EBADMSG, "the undo log's locator names bytes %" PRIu64 "+%" PRIu64 " of a %" PRIu64
			       "-byte device, which is now %" PRIu64 " bytes", loc->off, loc->len, loc->dev_size, size);
	return 0;
}

int undo_loc_clear(int fd)
{
	unsigned char b[UNDO_LOC_SIZE] = { 0 };
	uint64_t size;
	int r = dev_size(fd, &size);
	if (r == 0)
		r = pwrite_all(fd, b, sizeof(b), undo_loc_offset(size));
	if (r == 0 && fdatasync(fd) < 0)
		r = rc_fail(errno, "cannot flush the undo log's locator");
	return r;
}

struct hdr {
	uint64_t num_keys, key_offset;
	uint32_t bs, fs_bs, state;
};

/* The log's header, checked: magic, checksum, sizes, features we know. */
static int read_hdr(int fd, const struct undo_loc *loc, struct hdr *h)
{
	unsigned char b[512];
	int r = pread_all(fd, b, sizeof(b), loc->off);
	if (r < 0)
		return r;
	if (memcmp(b, HDR_MAGIC, 8) || get32(b + 508) != crc32c(b, 508) || get64(b + 72) != loc->nonce)
		return rc_fail(EBADMSG, "no valid undo header at byte %" PRIu64 " of the device", loc->off);
	h->num_keys = get64(b + 8);
	h->key_offset = get64(b + 24);
	h->bs = get32(b + 32);
	h->fs_bs = get32(b + 36);
	h->state = get32(b + 44);
	uint64_t blocks = h->bs ? loc->len / h->bs : 0;
	if (h->bs < MIN_BS || h->bs > MAX_BS || (h->bs & (h->bs - 1)) || h->fs_bs < MIN_BS || h->fs_bs > 65536 ||
	    (h->fs_bs & (h->fs_bs - 1)) || get32(b + 48) || get32(b + 52) || get32(b + 56) ||
	    h->key_offset < 2 || h->key_offset >= blocks || h->num_keys > blocks)
		return rc_fail(EBADMSG, "the undo header at byte %" PRIu64 " names sizes or features this rescuectl "
			       "does not write (block %u, filesystem block %u, %" PRIu64 " keys)", loc->off, h->bs,
			       h->fs_bs, h->num_keys);
	return 0;
}

int undo_log_finished(int fd, const struct undo_loc *loc)
{
	struct hdr h;
	int r = read_hdr(fd, loc, &h);
	return r < 0 ? r : (h.state & STATE_FINISHED) != 0;
}

struct rec {
	uint64_t fsblk, at;   /* the block's place on the device; its record's in the log */
	uint32_t size, crc;
};

/* One key block, at log block *LBLK, into RECS (at most N keys, N bounded
 * by the header's count; *GOT says how many), its records placed after it;
 * *LBLK moves past them. 1 when the log ends here, 0 when it may go on.
 *
 * Not this log's key block (magic, nonce), or an all-zero key, ends the
 * log: the header is written with the key blocks, and a power cut may
 * leave it counting keys whose key block did not reach the disk. Anything
 * not on the disk at the cut was not yet flushed, and the write it
 * protects was not yet issued, so nothing after that point needs putting
 * back. A key block is rewritten in place with each new key, so a cut can
 * tear it (a 4 KiB write is eight 512-byte sectors): its checksum fails,
 * yet the keys earlier flushes put there are whole in either version of
 * every sector, and their writes may have been made. So a torn key block
 * still gives its keys, up to the header's count (never newer than the
 * last completed flush), each record then checked by its own checksum;
 * and it ends the log. A key whose record would run past the region ends
 * the log too: resize2fs found the log full there, and wrote neither the
 * record nor the block. (Real damage to the log would end it early too:
 * the replay's e2fsck -fn is what shows that.) */
static int read_keys(int fd, const struct undo_loc *loc, const struct hdr *h, unsigned char *kb, uint64_t *lblk,
		     struct rec *recs, uint64_t n, uint64_t *got)
{
	uint64_t blocks = loc->len / h->bs;
	static const unsigned char zero[16];
	int r = pread_all(fd, kb, h->bs, loc->off + *lblk * h->bs);
	if (r < 0)
		return r;
	uint32_t c = get32(kb + 4);
	memset(kb + 4, 0, 4);
	*got = 0;
	if (get32(kb) != KEYB_MAGIC || get64(kb + 8) != loc->nonce)
		return 1;
	int torn = c != crc32c(kb, h->bs);
	uint64_t at = *lblk + 1;
	for (uint64_t j = 0; j < n; j++) {
		const unsigned char *k = kb + 16 + 16 * j;
		struct rec *e = &recs[j];
		if (!memcmp(k, zero, sizeof(zero)))
			return 1;
		e->fsblk = get64(k);
		e->crc = get32(k + 8);
		e->size = get32(k + 12);
		e->at = at;
		if (!e->size || e->size > h->bs || e->fsblk > UINT64_MAX / h->fs_bs) {   /* one key per block */
			if (torn)
				return 1;
			return rc_fail(EBADMSG, "the undo log's key %" PRIu64 " of block %" PRIu64 " is damaged "
				       "(its checksum is right: it was written so)", j, *lblk);
		}
		if (at + (e->size + h->bs - 1) / h->bs > blocks)
			return 1;
		at += (e->size + h->bs - 1) / h->bs;
		(*got)++;
	}
	*lblk = at;
	return torn;
}

/* Every key, checked, into *RECS; *N: how many were written. */
static int read_all_keys(int fd, const struct undo_loc *loc, const struct hdr *h, struct rec **recs, uint64_t *n)
{
	uint64_t per = h->bs / 16 - 1, lblk = h->key_offset;
	unsigned char *kb = malloc(h->bs);
	*recs = calloc(h->num_keys ? h->num_keys : 1, sizeof(**recs));
	*n = 0;
	if (!kb || !*recs) {
		free(kb);
		return rc_fail(ENOMEM, "out of memory for the undo log's %" PRIu64 " keys", h->num_keys);
	}
	int r = 0;
	for (uint64_t i = 0; i < h->num_keys && r == 0; i += per) {
		uint64_t want = h->num_keys - i < per ? h->num_keys - i : per, got = 0;
		r = read_keys(fd, loc, h, kb, &lblk, *recs + i, want, &got);
		*n += got;
		if (got < want)
			break;
	}
	free(kb);
	return r < 0 ? r : 0;
}

/* The records to put back: each checked against the device and the log's
 * own place, its data against its checksum (TORN[i] set when it fails). */
static int check_recs(int fd, const struct undo_loc *loc, const struct hdr *h, const struct rec *recs, uint64_t n,
		      unsigned char *torn, unsigned char *buf)
{
	uint64_t size;
	int r = dev_size(fd, &size);
	if (r < 0)
		return r;
	for (uint64_t i = 0; i < n; i++) {
		const struct rec *e = &recs[i];
		uint64_t to = e->fsblk * h->fs_bs;
		if (to > size || e->size > size - to || (to < loc->off + loc->len && loc->off < to + e->size) ||
		    to + e->size > undo_loc_offset(size))
			return rc_fail(EBADMSG, "the undo log's record %" PRIu64 " names bytes %" PRIu64 "+%" PRIu32
				       ", outside the filesystem's part of the device", i, to, e->size);
		r = pread_all(fd, buf, e->size, loc->off + e->at * h->bs);
		if (r < 0)
			return r;
		torn[i] = crc32c(buf, e->size) != e->crc;
	}
	return 0;
}

static int apply_recs(int fd, const struct undo_loc *loc, const struct hdr *h, const struct rec *recs, uint64_t n,
		      const unsigned char *torn, unsigned char *buf, struct undo_replay *out)
{
	/* newest first: should a block have been saved twice, its oldest
	 * contents are written last */
	for (uint64_t i = n; i-- > 0;) {
		if (torn[i]) {
			out->torn++;
			continue;
		}
		int r = pread_all(fd, buf, recs[i].size, loc->off + recs[i].at * h->bs);
		if (r == 0)
			r = pwrite_all(fd, buf, recs[i].size, recs[i].fsblk * h->fs_bs);
		if (r < 0)
			return r;
		out->applied++;
	}
	if (fdatasync(fd) < 0)
		return rc_fail(errno, "cannot flush the blocks put back");
	return 0;
}

int undo_log_replay(int fd, const struct undo_loc *loc, struct undo_replay *out)
{
	struct hdr h;
	struct rec *recs = NULL;
	unsigned char *torn = NULL, *buf = NULL;
	uint64_t n = 0;
	memset(out, 0, sizeof(*out));
	int r = read_hdr(fd, loc, &h);
	if (r == 0)
		r = read_all_keys(fd, loc, &h, &recs, &n);
	if (r == 0) {
		out->keys = n;
		torn = calloc(n ? n : 1, 1);
		buf = malloc(h.bs);
		if (!torn || !buf)
			r = rc_fail(ENOMEM, "out of memory for the undo log");
	}
	if (r == 0)
		r = check_recs(fd, loc, &h, recs, n, torn, buf);
	if (r == 0)
		r = apply_recs(fd, loc, &h, recs, n, torn, buf, out);
	free(recs);
	free(torn);
	free(buf);
	return r;
}

/* The largest run of free blocks in [FROM, TO) of FS (blocks at or past
 * the filesystem's end count as free): *START, *RUN. */
static void largest_free(ext2_filsys fs, uint64_t from, uint64_t to, uint64_t *start, uint64_t *run)
{
	uint64_t total = ext2fs_blocks_count(fs->super), hi = to < total ? to : total, b = from;
	*start = *run = 0;
	while (b < hi) {
		blk64_t z, u;
		if (ext2fs_find_first_zero_block_bitmap2(fs->block_map, b, hi - 1, &z))
			break;
		if (ext2fs_find_first_set_block_bitmap2(fs->block_map, z, hi - 1, &u))
			u = hi == total ? to : hi;
		if (u - z > *run)
			*start = z, *run = u - z;
		b = u;
	}
	uint64_t tail = from > total ? from : total;   /* past the filesystem's end */
	if (tail < to && to - tail > *run)
		*start = tail, *run = to - tail;
}

static int loc_blocks_free(ext2_filsys fs, const char *dev, uint64_t loc, uint64_t new_blocks)
{
	uint64_t bs = fs->blocksize, total = ext2fs_blocks_count(fs->super);
	if (loc / bs < new_blocks)
		return rc_fail(ENOSPC, "the last 4 KiB of %s lie inside the shrunk filesystem", dev);
	for (uint64_t b = loc / bs; b <= (loc + UNDO_LOC_SIZE - 1) / bs && b < total; b++)
		if (ext2fs_test_block_bitmap2(fs->block_map, b))
			return rc_fail(ENOSPC, "the last 4 KiB of %s (block %" PRIu64 ") are in use by a file", dev, b);
	return 0;
}

/* What resize2fs may save, in blocks, when FS shrinks to NEW_BLOCKS: the
 * blocks in use past the new end (what moves; the metadata counted there
 * is dropped, not moved: an overestimate), two blocks for each inode that
 * moves (its new inode table block, the directory block naming it), three
 * a group (bitmaps, descriptors, backups) and 256 for extent trees and the
 * log's own key blocks. resize2fs stops cleanly when the log is full. */
static uint64_t undo_blocks(ext2_filsys fs, uint64_t new_blocks)
{
	uint64_t total = ext2fs_blocks_count(fs->super), used = 0, inodes = 0;
	uint64_t bpg = fs->super->s_blocks_per_group, first = fs->super->s_first_data_block;
	for (uint64_t b = new_blocks; b < total; b++)
		used += ext2fs_fast_test_block_bitmap2(fs->block_map, b) != 0;
	uint64_t keep = bpg ? (new_blocks - first + bpg - 1) / bpg : 0;
	for (dgrp_t g = (dgrp_t)keep; g < fs->group_desc_count; g++)
		inodes += fs->super->s_inodes_per_group - ext2fs_bg_free_inodes_count(fs, g);
	return used + 2 * inodes + 3ULL * fs->group_desc_count + 256;
}

/* DEV's size and its filesystem opened read-only with the block bitmap
 * read (*FS to ext2fs_close_free). */
static int open_with_bitmap(const char *dev, uint64_t *size, ext2_filsys *fs)
{
	int fd = open(dev, O_RDONLY | O_CLOEXEC);
	int r = fd < 0 ? rc_fail(errno, "cannot open %s", dev) : dev_size(fd, size);
	if (fd >= 0)
		close(fd);
	if (r < 0)
		return r;
	errcode_t e = ext4_open_ro(dev, 0, 0, unix_io_manager, fs);
	if (e)
		return ext4_err(e, "cannot open the filesystem on %s", dev);
	e = ext2fs_read_block_bitmap(*fs);
	if (e) {
		ext2fs_close_free(fs);
		return ext4_err(e, "cannot read the block bitmap of %s", dev);
	}
	return 0;
}

int undo_region_pick(const char *dev, uint64_t new_blocks, uint64_t *off, uint64_t *len, uint64_t *need)
{
	ext2_filsys fs;
	uint64_t size = 0, start, run;
	int r = open_with_bitmap(dev, &size, &fs);
	if (r < 0)
		return r;
	uint64_t bs = fs->blocksize, loc = undo_loc_offset(size);
	*need = undo_blocks(fs, new_blocks) * bs;
	r = loc_blocks_free(fs, dev, loc, new_blocks);
	if (r == 0) {
		largest_free(fs, new_blocks, loc / bs, &start, &run);
		if (run * bs < *need)
			r = rc_fail(ENOSPC, "the free space past the new end of %s has no run of %" PRIu64 " MiB for "
				    "resize2fs's undo log (the longest is %" PRIu64 " MiB)", dev,
				    (*need + (1 << 20) - 1) >> 20, (run * bs) >> 20);
	}
	ext2fs_close_free(&fs);
	if (r == 0)
		*off = start * bs, *len = run * bs;
	return r;
}

int undo_log_pending(const char *dev, const char *uuid, struct undo_loc *loc, int *hdr_ok)
{
	int fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return rc_fail(errno, "cannot open %s", dev);
	int r = undo_loc_read(fd, loc), fin = 0;
	if (r == 0 && strcmp(loc->uuid, uuid))
		r = -ENOENT;   /* another filesystem's: one since made over it */
	if (r == 0 && !loc->file[0])
		fin = undo_log_finished(fd, loc);
	close(fd);
	if (r == -ENOENT || fin == 1) {
		rc_clear();
		return 0;
	}
	if (r < 0)
		return r;
	*hdr_ok = !loc->file[0] && fin == 0;
	rc_clear();
	return 1;
}

int undo_loc_room(const char *dev, uint64_t new_blocks)
{
	ext2_filsys fs;
	uint64_t size = 0;
	int r = open_with_bitmap(dev, &size, &fs);
	if (r < 0)
		return r;
	r = loc_blocks_free(fs, dev, undo_loc_offset(size), new_blocks);
	ext2fs_close_free(&fs);
	return r;
}
