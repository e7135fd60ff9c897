/* Between the two users of libext2fs: ext4.c (superblock facts, the
 * read-only tree) and ext4_walk.c (recover's damage-tolerant walk). One way
 * to open a filesystem and one way to word libext2fs's errors. Not for
 * other modules. */
#ifndef RC_EXT4_PRIV_H
#define RC_EXT4_PRIV_H
#include <stdint.h>
#include <ext2fs/ext2fs.h>

/* Open DEV read only (never EXT2_FLAG_RW: closing writes nothing),
 * checksums not enforced (data that reads is data that is returned), MMP
 * skipped. SB, BS: a backup superblock and its block size (0, 0: the
 * primary). IO: unix_io_manager, or ext4_ro_io_manager (ext4_io.h: no
 * flush at open, every write refused). */
errcode_t ext4_open_ro(const char *dev, uint64_t sb, uint32_t bs, io_manager io, ext2_filsys *fs);
/* Record "WHAT: libext2fs's words" (WHAT from FMT, ...) and return -errno. */
int ext4_err(errcode_t e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
