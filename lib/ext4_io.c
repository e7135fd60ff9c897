/* The read-only libext2fs I/O manager (ext4_io.h). */
#include "ext4_io.h"
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A miss in the page cache waits for the disk, and a lookup is a chain of
 * them (inode, directory block, inode ...). The blocks a lookup needs often
 * lie close together (an inode table's first inodes, a directory's files),
 * so each read first asks for the 64 KiB-aligned window around it, once:
 * one round trip then serves the reads that follow. */
#define WINDOW (64 << 10)
#define NWIN 32

struct ro_chan {
	int fd;
	off_t win[NWIN];       /* windows asked for, as window numbers + 1 */
	unsigned next;
};

static void window(struct ro_chan *rc, off_t at, size_t size)
{
	for (off_t w = at / WINDOW; w <= (at + (off_t)size - 1) / WINDOW; w++) {
		int seen = 0;
		for (unsigned i = 0; i < NWIN && !seen; i++)
			seen = rc->win[i] == w + 1;
		if (seen)
			continue;
		rc->win[rc->next++ % NWIN] = w + 1;
		posix_fadvise(rc->fd, w * WINDOW, WINDOW, POSIX_FADV_WILLNEED);
	}
}

static errcode_t ro_open(const char *name, int flags, io_channel *out)
{
	if (!name)
		return EXT2_ET_BAD_DEVICE_NAME;
	if (flags & IO_FLAG_RW)
		return EROFS;
	io_channel io = calloc(1, sizeof(*io));
	struct ro_chan *rc = calloc(1, sizeof(*rc));
	char *nm = strdup(name);
	if (!io || !rc || !nm) {
		free(io);
		free(rc);
		free(nm);
		return EXT2_ET_NO_MEMORY;
	}
	rc->fd = open(name, O_RDONLY | O_CLOEXEC);
	if (rc->fd < 0) {
		errcode_t e = errno;
		free(io);
		free(rc);
		free(nm);
		return e;
	}
	io->magic = EXT2_ET_MAGIC_IO_CHANNEL;
	io->manager = ext4_ro_io_manager;
	io->name = nm;
	io->block_size = 1024;
	io->refcount = 1;
	io->private_data = rc;
	*out = io;
	return 0;
}

static errcode_t ro_close(io_channel io)
{
	if (--io->refcount > 0)
		return 0;
	struct ro_chan *rc = io->private_data;
	errcode_t e = close(rc->fd) < 0 ? errno : 0;
	free(rc);
	free(io->name);
	free(io);
	return e;
}

static errcode_t ro_set_blksize(io_channel io, int blksize)
{
	if (blksize <= 0)
		return EXT2_ET_INVALID_ARGUMENT;
	io->block_size = blksize;
	return 0;
}

/* COUNT blocks of the channel's size, or -COUNT bytes, from BLOCK. A short
 * read is EXT2_ET_SHORT_READ (the rest zeroed), as unix_io reports it. */
static errcode_t ro_read_blk64(io_channel io, unsigned long long block, int count, void *data)
{
	struct ro_chan *rc = io->private_data;
	size_t size = count < 0 ? (size_t)-(long long)count : (size_t)count * (size_t)io->block_size;
	/* a damaged filesystem can name any block number: one past the
	 * largest offset is refused before the offset is computed */
	if (block > (unsigned long long)(INT64_MAX - (int64_t)size) / (unsigned)io->block_size)
		return EXT2_ET_LLSEEK_FAILED;
	off_t at = (off_t)(block * (unsigned long long)io->block_size);
	size_t got = 0;
	errcode_t err = 0;
	if (size)
		window(rc, at, size);
	while (got < size) {
		ssize_t n = pread(rc->fd, (char *)data + got, size - got, at + (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? errno : EXT2_ET_SHORT_READ;
			break;
		}
		got += (size_t)n;
	}
	if (!err)
		return 0;
	memset((char *)data + got, 0, size - got);
	if (io->read_error)
		return io->read_error(io, (unsigned long)block, count, data, size, (int)got, err);
	return err;
}

static errcode_t ro_read_blk(io_channel io, unsigned long block, int count, void *data)
{
	return ro_read_blk64(io, block, count, data);
}

static errcode_t ro_write_blk(io_channel io, unsigned long block, int count, const void *data)
{
	(void)io; (void)block; (void)count; (void)data;
	return EROFS;
}

static errcode_t ro_write_blk64(io_channel io, unsigned long long block, int count, const void *data)
{
	(void)io; (void)block; (void)count; (void)data;
	return EROFS;
}

static errcode_t ro_write_byte(io_channel io, unsigned long offset, int count, const void *data)
{
	(void)io; (void)offset; (void)count; (void)data;
	return EROFS;
}

static errcode_t ro_range(io_channel io, unsigned long long block, unsigned long long count)
{
	(void)io; (void)block; (void)count;
	return EROFS;
}

/* Nothing was written, so there is nothing to flush. */
static errcode_t ro_flush(io_channel io)
{
	(void)io;
	return 0;
}

static errcode_t ro_set_option(io_channel io, const char *option, const char *arg)
{
	(void)io; (void)option; (void)arg;
	return EXT2_ET_INVALID_ARGUMENT;
}

static errcode_t ro_readahead(io_channel io, unsigned long long block, unsigned long long count)
{
	struct ro_chan *rc = io->private_data;
	if (!count || block > (unsigned long long)INT64_MAX / (unsigned)io->block_size ||
	    count > (unsigned long long)INT64_MAX / (unsigned)io->block_size)
		return 0;
	posix_fadvise(rc->fd, (off_t)(block * (unsigned long long)io->block_size),
		      (off_t)(count * (unsigned long long)io->block_size), POSIX_FADV_WILLNEED);
	return 0;
}

static struct struct_io_manager ro_manager = {
	.magic = EXT2_ET_MAGIC_IO_MANAGER,
	.name = "rescuectl read-only I/O manager",
	.open = ro_open,
	.close = ro_close,
	.set_blksize = ro_set_blksize,
	.read_blk = ro_read_blk,
	.write_blk = ro_write_blk,
	.flush = ro_flush,
	.write_byte = ro_write_byte,
	.set_option = ro_set_option,
	.read_blk64 = ro_read_blk64,
	.write_blk64 = ro_write_blk64,
	.discard = ro_range,
	.cache_readahead = ro_readahead,
	.zeroout = ro_range,
};

io_manager ext4_ro_io_manager = &ro_manager;
