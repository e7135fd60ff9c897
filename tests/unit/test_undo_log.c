/* Unit tests for lib/undo_log.c: the locator at the device's end, the
 * replay of an undo log (E2UNDO02, written here by the test's own writer)
 * after a power cut -- torn records and a header that ran ahead of its key
 * block left out, damage refused before any write -- and the choice of a
 * region past the new end of a real ext4 image. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <errno.h>
#include <cmocka.h>
#include <ext2fs/ext2fs.h>
#include "../../lib/undo_log.h"
#include "../../lib/err.h"

#define BS 4096u
#define DEV_SIZE (8u << 20)
#define LOG_OFF (4u << 20)
#define LOG_LEN (2u << 20)
#define NONCE UINT64_C(0x1234567890abcdef)

static char path[64];

static int mkdev(void)
{
	snprintf(path, sizeof(path), "/tmp/test_undo_log.XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, DEV_SIZE), 0);
	unlink(path);
	return fd;
}

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t crc(const void *b, size_t n)
{
	return ext2fs_crc32c_le(~0U, (const unsigned char *)b, (unsigned)n);
}

static void fill_block(int fd, uint64_t blk, char c)
{
	unsigned char b[BS];
	memset(b, c, sizeof(b));
	assert_int_equal(pwrite(fd, b, BS, (off_t)(blk * BS)), BS);
}

static char block_char(int fd, uint64_t blk)
{
	unsigned char b[BS];
	assert_int_equal(pread(fd, b, BS, (off_t)(blk * BS)), BS);
	for (unsigned i = 1; i < BS; i++)
		if (b[i] != b[0])
			return '?';
	return (char)b[0];
}

/* A log at LOG_OFF saving fs blocks BLKS[0..n) with contents OLD[i];
 * the header counts HDR_KEYS keys, of which the key block holds N. */
static void write_log(int fd, const uint64_t *blks, const char *old, int n, int hdr_keys, int finished)
{
	unsigned char h[BS] = { 0 }, kb[BS] = { 0 }, d[BS];
	memcpy(h, "E2UNDO02", 8);
	put64(h + 8, (uint64_t)hdr_keys);
	put64(h + 16, 1);
	put64(h + 24, 2);
	put32(h + 32, BS);
	put32(h + 36, BS);
	put32(h + 44, finished ? 1 : 0);
	put64(h + 72, NONCE);
	put32(h + 508, crc(h, 508));
	assert_int_equal(pwrite(fd, h, BS, LOG_OFF), BS);
	put32(kb, 0xCADECADEu);
	put64(kb + 8, NONCE);
	for (int i = 0; i < n; i++) {
		memset(d, old[i], sizeof(d));
		put64(kb + 16 + 16 * i, blks[i]);
		put32(kb + 16 + 16 * i + 8, crc(d, BS));
		put32(kb + 16 + 16 * i + 12, BS);
		assert_int_equal(pwrite(fd, d, BS, LOG_OFF + (3 + i) * BS), BS);
	}
	put32(kb + 4, crc(kb, BS));
	assert_int_equal(pwrite(fd, kb, BS, LOG_OFF + 2 * BS), BS);
}

static struct undo_loc loc_at(void)
{
	struct undo_loc l = { .off = LOG_OFF, .len = LOG_LEN, .dev_size = DEV_SIZE, .nonce = NONCE };
	snprintf(l.uuid, sizeof(l.uuid), "0a1b2c3d-0000-4000-8000-000000000001");
	return l;
}

static void test_locator(void **st)
{
	(void)st;
	int fd = mkdev();
	struct undo_loc l = loc_at(), got;
	assert_int_equal(undo_loc_read(fd, &got), -ENOENT);
	assert_int_equal(undo_loc_write(fd, &l), 0);
	assert_int_equal(undo_loc_read(fd, &got), 0);
	assert_string_equal(got.uuid, l.uuid);
	assert_int_equal(got.off, LOG_OFF);
	assert_int_equal(got.len, LOG_LEN);
	assert_int_equal(undo_loc_offset(DEV_SIZE), DEV_SIZE - 4096);
	/* a bit flipped: damaged, not absent */
	unsigned char c;
	assert_int_equal(pread(fd, &c, 1, DEV_SIZE - 4096 + 60), 1);
	c ^= 1;
	assert_int_equal(pwrite(fd, &c, 1, DEV_SIZE - 4096 + 60), 1);
	assert_int_equal(undo_loc_read(fd, &got), -EBADMSG);
	assert_int_equal(undo_loc_write(fd, &l), 0);
	/* the device grew: the locator no longer sits at its end */
	assert_int_equal(ftruncate(fd, DEV_SIZE + 8192), 0);
	assert_int_equal(undo_loc_read(fd, &got), -ENOENT);
	assert_int_equal(ftruncate(fd, DEV_SIZE), 0);
	assert_int_equal(undo_loc_read(fd, &got), 0);
	assert_int_equal(undo_loc_clear(fd), 0);
	assert_int_equal(undo_loc_read(fd, &got), -ENOENT);
	/* a locator naming an undo file: no place on the device */
	struct undo_loc f = { .uuid = "0a1b2c3d-0000-4000-8000-000000000001", .file = "/root/u.e2undo" };
	assert_int_equal(undo_loc_write(fd, &f), 0);
	assert_int_equal(undo_loc_read(fd, &got), 0);
	assert_string_equal(got.file, "/root/u.e2undo");
	assert_int_equal(got.len, 0);
	/* both a file and a place: not what rescuectl writes */
	f.off = LOG_OFF;
	f.len = LOG_LEN;
	assert_int_equal(undo_loc_write(fd, &f), 0);
	assert_int_equal(undo_loc_read(fd, &got), -EBADMSG);
	close(fd);
}

static void test_replay(void **st)
{
	(void)st;
	int fd = mkdev();
	uint64_t blks[3] = { 5, 9, 7 };
	struct undo_loc l = loc_at();
	struct undo_replay r;
	fill_block(fd, 5, 'N');
	fill_block(fd, 9, 'N');
	fill_block(fd, 7, 'N');
	write_log(fd, blks, "abc", 3, 3, 0);
	assert_int_equal(undo_log_finished(fd, &l), 0);
	assert_int_equal(undo_log_replay(fd, &l, &r), 0);
	assert_int_equal(r.keys, 3);
	assert_int_equal(r.applied, 3);
	assert_int_equal(r.torn, 0);
	assert_int_equal(block_char(fd, 5), 'a');
	assert_int_equal(block_char(fd, 9), 'b');
	assert_int_equal(block_char(fd, 7), 'c');
	/* twice is the same as once (a cut during the replay) */
	assert_int_equal(undo_log_replay(fd, &l, &r), 0);
	assert_int_equal(block_char(fd, 9), 'b');
	write_log(fd, blks, "abc", 3, 3, 1);
	assert_int_equal(undo_log_finished(fd, &l), 1);
	close(fd);
}

/* A record whose data the cut tore: left out, its block untouched. */
static void test_torn_record(void **st)
{
	(void)st;
	int fd = mkdev();
	uint64_t blks[2] = { 5, 6 };
	struct undo_loc l = loc_at();
	struct undo_replay r;
	fill_block(fd, 5, 'N');
	fill_block(fd, 6, 'N');
	write_log(fd, blks, "ab", 2, 2, 0);
	assert_int_equal(pwrite(fd, "x", 1, LOG_OFF + 4 * BS + 100), 1);
	assert_int_equal(undo_log_replay(fd, &l, &r), 0);
	assert_int_equal(r.applied, 1);
	assert_int_equal(r.torn, 1);
	assert_int_equal(block_char(fd, 5), 'a');
	assert_int_equal(block_char(fd, 6), 'N');
	close(fd);
}

/* The header counts a key its key block does not hold yet, or the key
 * block never reached the disk: those keys are not there to put back. */
static void test_header_ahead(void **st)
{
	(void)st;
	int fd = mkdev();
	uint64_t blks[2] = { 5, 6 };
	struct undo_loc l = loc_at();
	struct undo_replay r;
	fill_block(fd, 5, 'N');
	write_log(fd, blks, "ab", 1, 2, 0);
	assert_int_equal(undo_log_replay(fd, &l, &r), 0);
	assert_int_equal(r.keys, 1);
	assert_int_equal(block_char(fd, 5), 'a');
	fill_block(fd, 5, 'N');
	assert_int_equal(pwrite(fd, "zz", 2, LOG_OFF + 2 * BS), 2);
	assert_int_equal(undo_log_replay(fd, &l, &r), 0);
	assert_int_equal(r.keys, 0);
	assert_int_equal(block_char(fd, 5), 'N');
	close(fd);
}

/* An earlier log's blocks in the region (another nonce) are not this
 * log's: its header is not valid, its key block ends the log. */
static void test_other_nonce(void **st)
{
	(void)st;
	int fd = mkdev();
	uint64_t blks[1] = { 5 };
	struct undo_loc l = loc_at();
	struct undo_replay r;
	fill_block(fd, 5, 'N');
	write_log(fd, blks, "a", 1, 1, 0);
	l.nonce++;
	assert_int_equal(undo_log_replay(fd, &l, &r), -EBADMSG);
	assert_int_equal(block_char(fd, 5), 'N');
	l.nonce--;
	/* this log's header, an earlier log's key block */
	unsigned char kb[BS];
	assert_int_equal(pread(fd, kb, BS, LOG_OFF + 2 * BS), BS);
	put64(kb + 8, NONCE + 1);
	put32(kb + 4, 0);
	put32(kb + 4, crc(kb, BS));
	assert_int_equal(pwrite(fd, kb, BS, LOG_OFF + 2 * BS), BS);
	assert_int_equal(undo_log_replay(fd, &l, &r), 0);
	assert_int_equal(r.keys, 0);
	assert_int_equal(block_char(fd, 5), 'N');
	close(fd);
}

/* A power cut tore the key block being rewritten with its newest key
 * (a 4 KiB write is eight 512-byte sectors, not one): its checksum is
 * wrong, but the keys the earlier, completed flushes put there are
 * whole, and their writes may have been made. They are put back; keys
 * past the header's count (a stale sector) are not. */
static void test_torn_key_block(void **st)
{
	(void)st;
	int fd = mkdev();
	uint64_t blks[3] = { 5, 9, 7 };
	struct undo_loc l = loc_at();
	struct undo_replay r;
	fill_block(fd, 5, 'N');
	fill_block(fd, 9, 'N');
	fill_block(fd, 7, 'N');
	write_log(fd, blks, "abc", 3, 3, 0);
	unsigned char c;
	assert_int_equal(pread(fd, &c, 1, LOG_OFF + 2 * BS + 4), 1);
	c ^= 0x55;
	assert_int_equal(pwrite(fd, &c, 1, LOG_OFF + 2 * BS + 4), 1);
	assert_int_equal(undo_log_replay(fd, &l, &r), 0);
	assert_int_equal(r.keys, 3);
	assert_int_equal(r.applied, 3);
	assert_int_equal(block_char(fd, 5), 'a');
	assert_int_equal(block_char(fd, 9), 'b');
	assert_int_equal(block_char(fd, 7), 'c');
	/* the header counts two: the third key (whole, its record whole) is
	 * not this log's yet */
	fill_block(fd, 5, 'N');
	fill_block(fd, 9, 'N');
	fill_block(fd, 7, 'N');
	write_log(fd, blks, "abc", 3, 2, 0);
	assert_int_equal(pwrite(fd, &c, 1, LOG_OFF + 2 * BS + 4), 1);
	assert_int_equal(undo_log_replay(fd, &l, &r), 0);
	assert_int_equal(r.keys, 2);
	assert_int_equal(block_char(fd, 5), 'a');
	assert_int_equal(block_char(fd, 9), 'b');
	assert_int_equal(block_char(fd, 7), 'N');
	/* an earlier log's key block (another nonce) is still not this one's */
	fill_block(fd, 5, 'N');
	unsigned char kb[BS];
	assert_int_equal(pread(fd, kb, BS, LOG_OFF + 2 * BS), BS);
	put64(kb + 8, NONCE + 1);
	assert_int_equal(pwrite(fd, kb, BS, LOG_OFF + 2 * BS), BS);
	assert_int_equal(undo_log_replay(fd, &l, &r), 0);
	assert_int_equal(r.keys, 0);
	assert_int_equal(block_char(fd, 5), 'N');
	close(fd);
}

/* A key whose record does not fit the region: the log was full there,
 * the record never written, nor the write it would have protected. The
 * keys before it are put back; the replay is not refused. */
static void test_full_region(void **st)
{
	(void)st;
	int fd = mkdev();
	uint64_t blks[3] = { 5, 6, 7 };
	struct undo_loc l = loc_at();
	struct undo_replay r;
	l.len = 5 * BS;   /* header, superblock, key block, two records */
	fill_block(fd, 5, 'N');
	fill_block(fd, 6, 'N');
	fill_block(fd, 7, 'N');
	write_log(fd, blks, "abc", 3, 3, 1);
	assert_int_equal(undo_log_replay(fd, &l, &r), 0);
	assert_int_equal(r.keys, 2);
	assert_int_equal(r.applied, 2);
	assert_int_equal(block_char(fd, 5), 'a');
	assert_int_equal(block_char(fd, 6), 'b');
	assert_int_equal(block_char(fd, 7), 'N');
	close(fd);
}

/* Damage refused before the first write: no block changes. */
static void test_refused(void **st)
{
	(void)st;
	int fd = mkdev();
	uint64_t blks[2] = { 5, (LOG_OFF / BS) + 40 };   /* the second lands in the log */
	struct undo_loc l = loc_at();
	struct undo_replay r;
	fill_block(fd, 5, 'N');
	write_log(fd, blks, "ab", 2, 2, 0);
	assert_int_equal(undo_log_replay(fd, &l, &r), -EBADMSG);
	assert_non_null(strstr(rc_msg(), "outside the filesystem"));
	assert_int_equal(block_char(fd, 5), 'N');
	/* a block past the device */
	blks[1] = DEV_SIZE / BS + 1;
	write_log(fd, blks, "ab", 2, 2, 0);
	assert_int_equal(undo_log_replay(fd, &l, &r), -EBADMSG);
	assert_int_equal(block_char(fd, 5), 'N');
	/* a damaged header */
	write_log(fd, blks, "ab", 1, 1, 0);
	assert_int_equal(pwrite(fd, "y", 1, LOG_OFF + 20), 1);
	assert_int_equal(undo_log_replay(fd, &l, &r), -EBADMSG);
	assert_int_equal(undo_log_finished(fd, &l), -EBADMSG);
	assert_int_equal(block_char(fd, 5), 'N');
	/* a key count the region cannot hold (bounded: no huge allocation) */
	write_log(fd, blks, "ab", 1, 1, 0);
	unsigned char h[512];
	assert_int_equal(pread(fd, h, 512, LOG_OFF), 512);
	put64(h + 8, UINT64_C(1) << 60);
	put32(h + 508, crc(h, 508));
	assert_int_equal(pwrite(fd, h, 512, LOG_OFF), 512);
	assert_int_equal(undo_log_replay(fd, &l, &r), -EBADMSG);
	assert_int_equal(block_char(fd, 5), 'N');
	close(fd);
}

/* A real ext4 image: the region lies past the new end, in free blocks,
 * clear of the locator; too large a need is refused with the sizes. */
static void test_region_pick(void **st)
{
	(void)st;
	char img[] = "/tmp/test_undo_region.XXXXXX", cmd[200];
	int fd = mkstemp(img);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 64 << 20), 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "mke2fs -q -F -t ext4 -b 4096 %s 64M >/dev/null 2>&1", img);
	if (system(cmd) != 0) {
		unlink(img);
		skip();
	}
	uint64_t off = 0, len = 0, need = 0;
	if (undo_region_pick(img, 8192, &off, &len, &need) < 0)
		fail_msg("%s", rc_msg());
	assert_true(off >= 8192ULL * 4096);
	assert_true(len >= need && need >= 256 * 4096);
	assert_true(off + len <= undo_loc_offset(64ULL << 20));
	/* the new end past the locator: nowhere to put it */
	assert_int_equal(undo_region_pick(img, 16384, &off, &len, &need), -ENOSPC);
	assert_non_null(strstr(rc_msg(), "last 4 KiB"));
	/* a file filling the space past the new end: no room for the log */
	snprintf(cmd, sizeof(cmd), "dd if=/dev/urandom of=%s.f bs=1M count=30 2>/dev/null && "
		 "debugfs -w -R 'write %s.f f' %s >/dev/null 2>&1", img, img, img);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s.f", img);
	unlink(cmd);
	assert_int_equal(undo_region_pick(img, 2560, &off, &len, &need), -ENOSPC);
	assert_non_null(strstr(rc_msg(), "undo log"));
	unlink(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_locator),
		cmocka_unit_test(test_replay),
		cmocka_unit_test(test_torn_record),
		cmocka_unit_test(test_header_ahead),
		cmocka_unit_test(test_other_nonce),
		cmocka_unit_test(test_torn_key_block),
		cmocka_unit_test(test_full_region),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_region_pick),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
