/* The read-only libext2fs I/O manager: libext2fs opens a filesystem through
 * it and reads what unix_io_manager reads; a read-write open, every write,
 * discard and zero-out is refused and the image keeps every byte; a read
 * past the end is a short read with the rest zeroed, and a block number no
 * offset can hold (a damaged filesystem's) is an error, not a crash or a
 * sanitizer report. Needs mke2fs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "unit_sh.h"
#include "../../lib/ext4_io.h"

static char dir[128], img[160];

static int setup(void **s)
{
	(void)s;
	if (unit_tmpdir(dir, sizeof(dir), "rc-ext4io"))
		return -1;
	snprintf(img, sizeof(img), "%s/fs.img", dir);
	return sh("set -e; cd %s; mkdir -p t/etc; printf 'ID=debian\\nVERSION_ID=\"12\"\\n' > t/etc/os-release; "
		  "mke2fs -q -F -t ext4 -b 4096 -d t fs.img 16M >/dev/null; sha256sum fs.img > sum", dir);
}

static int teardown(void **s)
{
	(void)s;
	return unit_rmdir(dir);
}

/* The file at PATH in FS, through libext2fs, into BUF (NUL-terminated). */
static void read_file(ext2_filsys fs, const char *path, char *buf, size_t size)
{
	ext2_ino_t ino;
	ext2_file_t f;
	unsigned int got;
	assert_int_equal(ext2fs_namei(fs, EXT2_ROOT_INO, EXT2_ROOT_INO, path, &ino), 0);
	assert_int_equal(ext2fs_file_open(fs, ino, 0, &f), 0);
	assert_int_equal(ext2fs_file_read(f, buf, (unsigned)size - 1, &got), 0);
	buf[got] = 0;
	ext2fs_file_close(f);
}

static void reads_what_unix_io_reads(void **s)
{
	(void)s;
	ext2_filsys ro, ux;
	char a[256], b[256];
	int flags = EXT2_FLAG_64BITS;
	assert_int_equal(ext2fs_open2(img, NULL, flags, 0, 0, ext4_ro_io_manager, &ro), 0);
	assert_int_equal(ext2fs_open2(img, NULL, flags, 0, 0, unix_io_manager, &ux), 0);
	assert_memory_equal(ro->super, ux->super, sizeof(*ro->super));
	read_file(ro, "/etc/os-release", a, sizeof(a));
	read_file(ux, "/etc/os-release", b, sizeof(b));
	assert_string_equal(a, "ID=debian\nVERSION_ID=\"12\"\n");
	assert_string_equal(a, b);
	ext2fs_close_free(&ux);
	ext2fs_close_free(&ro);
}

static void refuses_every_write(void **s)
{
	(void)s;
	ext2_filsys fs;
	io_channel io;
	char blk[4096] = "written";
	assert_int_equal(ext2fs_open2(img, NULL, EXT2_FLAG_64BITS | EXT2_FLAG_RW, 0, 0, ext4_ro_io_manager, &fs), EROFS);
	assert_int_equal(ext4_ro_io_manager->open(img, IO_FLAG_RW, &io), EROFS);
	assert_int_equal(ext4_ro_io_manager->open(img, 0, &io), 0);
	assert_int_equal(io_channel_set_blksize(io, 4096), 0);
	assert_int_equal(io_channel_write_blk64(io, 1, 1, blk), EROFS);
	assert_int_equal(io_channel_write_blk(io, 1, 1, blk), EROFS);
	assert_int_equal(io_channel_write_byte(io, 0, 7, blk), EROFS);
	assert_int_equal(io_channel_discard(io, 0, 4), EROFS);
	assert_int_equal(io_channel_zeroout(io, 0, 4), EROFS);
	assert_int_equal(io_channel_flush(io), 0);
	assert_int_equal(io_channel_close(io), 0);
	assert_int_equal(sh("cd %s && sha256sum -c --quiet sum", dir), 0);
}

static int read_error_calls;
static errcode_t on_read_error(io_channel io, unsigned long block, int count, void *data,
			       size_t size, int actual, errcode_t error)
{
	(void)io; (void)block; (void)count; (void)data; (void)size; (void)actual;
	read_error_calls++;
	return error;
}

static void bad_reads_are_errors(void **s)
{
	(void)s;
	io_channel io;
	char blk[8192];
	assert_int_equal(ext4_ro_io_manager->open(img, 0, &io), 0);
	assert_int_equal(io_channel_set_blksize(io, 4096), 0);
	/* the last block, and one past the end: the rest of the buffer zeroed */
	memset(blk, 'x', sizeof(blk));
	assert_int_equal(io_channel_read_blk64(io, 4095, 2, blk), EXT2_ET_SHORT_READ);
	for (size_t i = 4096; i < sizeof(blk); i++)
		assert_int_equal(blk[i], 0);
	/* a byte count (negative COUNT) */
	assert_int_equal(io_channel_read_blk64(io, 0, -1024, blk), 0);
	/* block numbers no offset holds, as a damaged filesystem may name them */
	assert_int_not_equal(io_channel_read_blk64(io, ~0ULL, 1, blk), 0);
	assert_int_not_equal(io_channel_read_blk64(io, ~0ULL / 4096, 1, blk), 0);
	assert_int_not_equal(io_channel_read_blk64(io, (unsigned long long)INT64_MAX / 4096, 2, blk), 0);
	assert_int_equal(io_channel_cache_readahead(io, ~0ULL, ~0ULL), 0);
	/* the caller's read_error hook sees a short read */
	io->read_error = on_read_error;
	assert_int_equal(io_channel_read_blk64(io, 4096, 1, blk), EXT2_ET_SHORT_READ);
	assert_int_equal(read_error_calls, 1);
	assert_int_equal(io_channel_close(io), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_what_unix_io_reads),
		cmocka_unit_test(refuses_every_write),
		cmocka_unit_test(bad_reads_are_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
