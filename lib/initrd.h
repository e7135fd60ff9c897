/* Is an initramfs file whole? The kernel unpacks a sequence of segments:
 * uncompressed newc cpio archives (the early microcode one), each ending
 * in a TRAILER!!! entry, and compressed archives (gzip, zstd, xz, lz4,
 * lzma, bzip2, lzo), with zero padding between them. A file cut short --
 * the classic result of a full /boot during update-initramfs or dracut --
 * or one that is empty or something else entirely stops the boot.
 *
 * What is walked without decompressing: newc cpio headers and sizes to the
 * trailer; zstd frames block by block (each block header gives its size);
 * lz4 legacy frames block by block; xz by its stream footer. gzip, lzma,
 * bzip2 and lzo carry no structure that can be followed without
 * decompressing: only their magic is checked (INITRD_UNVERIFIED is set).
 * Reads go through a callback, in pieces, never the whole file at once;
 * the walk is bounded (entries, frames, blocks). Pure; nothing here prints. */
#ifndef RC_INITRD_H
#define RC_INITRD_H
#include <stddef.h>
#include <stdint.h>

typedef int (*initrd_read_fn)(void *ud, uint64_t off, void *buf, size_t len, size_t *got);

enum initrd_verdict {
	INITRD_OK = 0,
	INITRD_EMPTY,        /* zero bytes, or only zeros */
	INITRD_CUT,          /* a segment ends before its data does */
	INITRD_UNKNOWN,      /* not an initramfs format */
	INITRD_READ_ERROR,   /* the file could not be read (the callback's error) */
};
#define INITRD_UNVERIFIED 0x1   /* a segment (gzip, lzma ...) was only checked by its magic */

struct initrd_result {
	enum initrd_verdict verdict;
	unsigned flags;
	char why[200];           /* for anything but OK: what was found where */
	char formats[64];        /* "cpio+zstd" */
};

/* Walk SIZE bytes read through READ(UD, ...). Returns 0 with R filled, or
 * the read callback's -errno (verdict INITRD_READ_ERROR). */
int initrd_check(initrd_read_fn read, void *ud, uint64_t size, struct initrd_result *r);

#endif
