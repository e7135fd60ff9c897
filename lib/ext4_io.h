/* A read-only I/O manager for libext2fs: pread on an O_RDONLY descriptor and
 * nothing else. libext2fs's own unix_io_manager fsyncs the device when it
 * opens it ("throw away previous errors"); on a loop device that flush
 * reaches the backing file's filesystem, and it is one round trip to the
 * disk per filesystem looked at. Here no open flushes, every write, discard
 * or zero-out is refused with EROFS, and a read-write open is refused too,
 * so nothing reached through this manager can change a byte.
 * Use: ext2fs_open2(dev, NULL, flags without EXT2_FLAG_RW, 0, 0,
 * ext4_ro_io_manager, &fs). */
#ifndef RC_EXT4_IO_H
#define RC_EXT4_IO_H
#include <ext2fs/ext2fs.h>

extern io_manager ext4_ro_io_manager;

#endif
