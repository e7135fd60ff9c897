/* Unit tests for rescuectl's patch to e2fsprogs' undo I/O manager
 * (mk/e2fsprogs-undo-sync.patch), driven the way resize2fs drives it: the
 * undo log kept at RESCUECTL_UNDO_AT of the device it protects, then read
 * back with lib/undo_log.c's replay.
 *  - A log that fills up refuses the write that would need more room, and
 *    refuses it again when the write is retried: no block is ever written
 *    without its old contents saved first, and what was saved is put back.
 *  - A log closed while the filesystem still carries resize2fs's mark
 *    (EXT2_ERROR_FS: resize2fs failed, and its error path closes the log)
 *    is not finished; closed without the mark (resize2fs done), it is. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>
#include <ext2fs/ext2fs.h>
#include "../../lib/undo_log.h"
#include "../../lib/err.h"

#define BS 4096u
#define DEV_SIZE (1u << 20)
#define LOG_OFF (512u << 10)
#define LOG_LEN (4 * BS)    /* header, superblock copy, key block, one record */
#define NONCE 99u

static char path[64];

/* e2fsprogs 1.47's undo manager frees its 64-bit map of the blocks saved
 * with the 32-bit maps' free, which leaves it: that tool's leak at exit,
 * not rescuectl's code's. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:undo_setup_tdb\nleak:undo_write_tdb\n";
}

/* libext2fs is built without frame pointers: the slow unwinder finds the
 * frames the suppression names */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "fast_unwind_on_malloc=0";
}

/* A device of DEV_SIZE: block B filled with 'a' + B - 10 for B in 10..12,
 * and a superblock whose state is STATE. */
static int mkdev(unsigned state)
{
	int fd = open(path, O_RDWR | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, DEV_SIZE), 0);
	unsigned char b[BS];
	for (int i = 10; i <= 12; i++) {
		memset(b, 'a' + i - 10, sizeof(b));
		assert_int_equal(pwrite(fd, b, BS, (off_t)i * BS), BS);
	}
	struct ext2_super_block sb;
	memset(&sb, 0, sizeof(sb));
	sb.s_state = ext2fs_cpu_to_le16((__u16)state);
	assert_int_equal(pwrite(fd, &sb, sizeof(sb), 1024), sizeof(sb));
	return fd;
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

/* The device at PATH through the undo manager, as resize2fs -z PATH PATH. */
static io_channel open_undo(void)
{
	io_channel ch = NULL;
	assert_int_equal(undo_io_manager->open(path, IO_FLAG_RW, &ch), 0);
	assert_int_equal(io_channel_set_blksize(ch, BS), 0);
	return ch;
}

static struct undo_loc loc_at(void)
{
	struct undo_loc l = { .off = LOG_OFF, .len = LOG_LEN, .dev_size = DEV_SIZE, .nonce = NONCE };
	return l;
}

static void test_full_log(void **st)
{
	(void)st;
	int fd = mkdev(EXT2_ERROR_FS);
	io_channel ch = open_undo();
	unsigned char x[BS];
	memset(x, 'X', sizeof(x));
	assert_int_equal(io_channel_write_blk64(ch, 10, 1, x), 0);
	/* no room for block 11's old contents: refused, and again */
	assert_int_not_equal(io_channel_write_blk64(ch, 11, 1, x), 0);
	assert_int_not_equal(io_channel_write_blk64(ch, 11, 1, x), 0);
	assert_int_not_equal(io_channel_write_blk64(ch, 12, 1, x), 0);
	io_channel_close(ch);
	assert_int_equal(block_char(fd, 10), 'X');
	assert_int_equal(block_char(fd, 11), 'b');
	assert_int_equal(block_char(fd, 12), 'c');
	/* resize2fs's mark still on: a log to put back, and it puts back all */
	struct undo_loc l = loc_at();
	struct undo_replay r;
	assert_int_equal(undo_log_finished(fd, &l), 0);
	if (undo_log_replay(fd, &l, &r) < 0)
		fail_msg("%s", rc_msg());
	assert_int_equal(r.keys, 1);
	assert_int_equal(r.applied, 1);
	assert_int_equal(block_char(fd, 10), 'a');
	assert_int_equal(block_char(fd, 11), 'b');
	close(fd);
}

static void test_finished(void **st)
{
	(void)st;
	int fd = mkdev(EXT2_VALID_FS);
	io_channel ch = open_undo();
	unsigned char x[BS];
	memset(x, 'X', sizeof(x));
	assert_int_equal(io_channel_write_blk64(ch, 10, 1, x), 0);
	io_channel_close(ch);
	struct undo_loc l = loc_at();
	assert_int_equal(undo_log_finished(fd, &l), 1);
	close(fd);
}

int main(void)
{
	char env[64];
	/* read once per process by the patched manager */
	snprintf(env, sizeof(env), "%u:%u:%u", LOG_OFF, LOG_LEN, NONCE);
	setenv("RESCUECTL_UNDO_AT", env, 1);
	snprintf(path, sizeof(path), "/tmp/test_undo_io.XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0)
		return 1;
	close(fd);
	/* the manager keeps the name (once: it is not freed when replaced) */
	if (set_undo_io_backing_manager(unix_io_manager) || set_undo_io_backup_file(path))
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_log),
		cmocka_unit_test(test_finished),
	};
	int r = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(path);
	return r;
}
