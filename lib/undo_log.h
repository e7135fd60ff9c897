/* A power-safe undo log for resize2fs, kept on the device being shrunk.
 *
 * resize2fs -z FILE saves the old contents of every block before it first
 * overwrites it; rescuectl's bundled e2fsprogs (mk/e2fsprogs-undo-sync.patch)
 * flushes those records to disk before the overwrite is issued, gives every
 * saved block its own key, and with RESCUECTL_UNDO_AT=OFFSET:LENGTH keeps
 * the "file" at OFFSET of the device itself, refusing any write of the
 * filesystem there. An undo file in the rescue system's RAM dies with a
 * power cut; this log does not. It lives in a run of blocks that are free
 * in the filesystem and past its new end: neither the old filesystem nor
 * the new one uses them. A locator in the device's last 4 KiB (free too,
 * or past the filesystem) says where the log is, so that the next rescue
 * session finds it on the disk, not in anyone's memory:
 *
 *   undo_region_pick  where the log may go (read-only: the block bitmap)
 *   undo_loc_write    the locator, flushed (just before resize2fs)
 *   undo_loc_read     the locator of this filesystem, if any
 *   undo_log_finished whether resize2fs closed the log (it finished)
 *   undo_log_replay   every saved block put back (resize2fs interrupted)
 *   undo_loc_clear    the locator zeroed, flushed (after success or replay)
 *
 * The log is e2fsprogs' undo file format (E2UNDO02: header, superblock
 * copy, key blocks each followed by its records, a crc32c on each record).
 * Header and key blocks carry the locator's nonce; a key block without it
 * ends the log (it was not yet on the disk). A key block with a bad
 * checksum was torn while being rewritten with its newest key: its keys,
 * up to the header's count, are still put back (each record has its own
 * checksum), and the log ends there; so does a key whose record would not
 * fit the region (the log was full: neither was written).
 * A record whose checksum is wrong was torn by a power cut before the write
 * it protects was issued (the patch flushes first), so the replay leaves it
 * out; a damaged header, or a key whose own block's checksum is right but
 * whose numbers are impossible, refuses the replay, which then writes
 * nothing. Every number read from the device is bounded by the region.
 * resize2fs closes the log as finished only when the filesystem no longer
 * carries its mark (it finished): a failed resize2fs's log is still one to
 * put back.
 *
 * Functions never print or exit; they return 0 or -errno with a message
 * (rc_fail). Offsets and lengths are in bytes. */
#ifndef RC_UNDO_LOG_H
#define RC_UNDO_LOG_H
#include <stdint.h>

#define UNDO_LOC_SIZE 4096

struct undo_loc {
	char uuid[40];        /* the filesystem's UUID, as ext4_info spells it */
	uint64_t off, len;    /* the log's place on the device */
	uint64_t nonce;       /* this log's stamp (RESCUECTL_UNDO_AT's third
				 number): in its header and every key block, so
				 that an earlier log's blocks left in the region
				 are never read as this one's */
	uint64_t dev_size;    /* the device's size when it was written */
	char file[256];       /* "": the log is on the device. Else the log is
				 this undo file (off and len 0): where the
				 device had no room for it; the locator then
				 only says that resize2fs ran with it */
};

/* Where the locator goes on a device of DEV_SIZE bytes. */
uint64_t undo_loc_offset(uint64_t dev_size);

/* A run of blocks free in the ext2/3/4 filesystem on DEV (bitmaps read,
 * nothing written), all at or past block NEW_BLOCKS and clear of the
 * locator, which must itself lie past NEW_BLOCKS in free blocks or past
 * the filesystem, large enough for what resize2fs may save (*NEED bytes:
 * the blocks in use past the new end, two per inode that moves, three a
 * group, and some; an estimate -- a log that fills stops resize2fs, which
 * is then put back). The largest such run is chosen: *OFF, *LEN.
 * -ENOSPC with a message saying what is missing when there is none. */
int undo_region_pick(const char *dev, uint64_t new_blocks, uint64_t *off, uint64_t *len, uint64_t *need);

/* Write LOC (its dev_size is set here) to the device open as FD, and
 * fdatasync it. */
int undo_loc_write(int fd, struct undo_loc *loc);
/* Read the locator of the device open as FD: 0 and *LOC when there is a
 * valid one, -ENOENT (no message) when there is none, -EBADMSG when its
 * magic is there but the rest is damaged or does not fit the device. */
int undo_loc_read(int fd, struct undo_loc *loc);
/* 0 when the locator's 4 KiB at the end of DEV are free in its ext2/3/4
 * filesystem (or past it) and past block NEW_BLOCKS; -ENOSPC with a
 * message when not. Read-only. */
int undo_loc_room(const char *dev, uint64_t new_blocks);
/* Zero the locator and fdatasync. */
int undo_loc_clear(int fd);

/* 1 when the log at LOC is whole and resize2fs closed it (it finished),
 * 0 when it did not, -EBADMSG when its header is not a valid undo header. */
int undo_log_finished(int fd, const struct undo_loc *loc);

/* Does DEV hold a log of the filesystem UUID that resize2fs did not close
 * (it was stopped partway)? 1 and *LOC, *HDR_OK (its header made it to
 * the disk: there may be blocks to put back); 0 when not (no locator,
 * another filesystem's, or a closed log: history); -errno (-EBADMSG: a
 * damaged locator) with a message. A locator naming an undo file
 * (loc->file) is 1 with *HDR_OK 0: whether resize2fs finished is for the
 * caller to tell (the superblock's mark). Read-only. */
int undo_log_pending(const char *dev, const char *uuid, struct undo_loc *loc, int *hdr_ok);

struct undo_replay {
	uint64_t keys;        /* records in the log */
	uint64_t applied;     /* blocks put back */
	uint64_t torn;        /* records left out: torn before their write */
};
/* Put back every saved block of the log at LOC into the device open as FD
 * (read-write), the earliest saved contents last so that they win, then
 * fdatasync. Validates the whole log before the first write. */
int undo_log_replay(int fd, const struct undo_loc *loc, struct undo_replay *out);

#endif
