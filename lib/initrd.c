/* Walking an initramfs without unpacking it: see initrd.h. */
#include "initrd.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WINDOW (64 * 1024)
#define MAX_STEPS 4000000   /* cpio entries + frames + blocks, far above any real initramfs */

struct rd {
	initrd_read_fn read;
	void *ud;
	uint64_t size;
	uint64_t base;           /* file offset of buf[0] */
	size_t have;
	int err;
	unsigned char buf[WINDOW];
};

/* N (<= 4096) bytes at OFF, or NULL past the end or on a read error. */
static const unsigned char *at(struct rd *r, uint64_t off, size_t n)
{
	if (off + n > r->size || n > 4096)
		return NULL;
	if (off < r->base || off + n > r->base + r->have) {
		size_t want = r->size - off < WINDOW ? (size_t)(r->size - off) : WINDOW, got = 0;
		int e = r->read(r->ud, off, r->buf, want, &got);
		if (e) {
			r->err = e;
			return NULL;
		}
		r->base = off;
		r->have = got;
		if (got < n)
			return NULL;
	}
	return r->buf + (off - r->base);
}

static void add_format(struct initrd_result *res, const char *f)
{
	size_t l = strlen(res->formats);
	if (!strstr(res->formats, f))
		snprintf(res->formats + l, sizeof(res->formats) - l, "%s%s", l ? "+" : "", f);
}

static int cut(struct initrd_result *res, const char *what, uint64_t off)
{
	res->verdict = INITRD_CUT;
	snprintf(res->why, sizeof(res->why), "%s at byte %llu", what, (unsigned long long)off);
	return -1;
}

static uint32_t hexn(const unsigned char *p)
{
	uint32_t v = 0;
	for (int i = 0; i < 8; i++) {
		int c = p[i], d = c >= '0' && c <= '9' ? c - '0' : (c | 32) >= 'a' && (c | 32) <= 'f' ? (c | 32) - 'a' + 10 : -1;
		if (d < 0)
			return UINT32_MAX;
		v = v * 16 + (uint32_t)d;
	}
	return v;
}

/* A newc cpio archive from *OFF to just past its trailer. */
static int walk_cpio(struct rd *r, uint64_t *off, struct initrd_result *res, long *steps)
{
	add_format(res, "cpio");
	for (; ++*steps < MAX_STEPS;) {
		const unsigned char *h = at(r, *off, 110);
		if (!h || (memcmp(h, "070701", 6) && memcmp(h, "070702", 6)))
			return cut(res, h ? "a cpio header is damaged" : "the cpio archive ends", *off);
		uint32_t fsize = hexn(h + 54), nsize = hexn(h + 94);
		if (fsize == UINT32_MAX || nsize == UINT32_MAX || nsize == 0 || nsize > 4096)
			return cut(res, "a cpio header is damaged", *off);
		const unsigned char *name = at(r, *off + 110, nsize);
		if (!name)
			return cut(res, "the cpio archive ends", *off);
		int trailer = nsize == 11 && !memcmp(name, "TRAILER!!!", 11);
		uint64_t data = (*off + 110 + nsize + 3) & ~(uint64_t)3;
		uint64_t next = (data + fsize + 3) & ~(uint64_t)3;
		if (data + fsize > r->size)
			return cut(res, "a file in the cpio archive ends", r->size);
		*off = next > r->size ? r->size : next;
		if (trailer)
			return 0;
	}
	return cut(res, "too many cpio entries", *off);
}

/* One zstd frame (or skippable frame) from *OFF. */
static int walk_zstd_frame(struct rd *r, uint64_t *off, struct initrd_result *res, long *steps)
{
	const unsigned char *h = at(r, *off, 4);
	uint32_t magic = h ? (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24 : 0;
	if ((magic & 0xFFFFFFF0u) == 0x184D2A50u) {      /* skippable frame: magic, size, data */
		const unsigned char *s = at(r, *off + 4, 4);
		if (!s)
			return cut(res, "a zstd frame ends", *off);
		*off += 8 + ((uint64_t)s[0] | (uint64_t)s[1] << 8 | (uint64_t)s[2] << 16 | (uint64_t)s[3] << 24);
		return *off > r->size ? cut(res, "a zstd frame ends", r->size) : 0;
	}
	const unsigned char *d = at(r, *off + 4, 1);
	if (!d)
		return cut(res, "a zstd frame ends", *off);
	int fcs = d[0] >> 6, single = d[0] >> 5 & 1, csum = d[0] >> 2 & 1, did = d[0] & 3;
	static const int didlen[4] = { 0, 1, 2, 4 }, fcslen[4] = { 0, 2, 4, 8 };
	uint64_t p = *off + 5 + (single ? 0 : 1) + didlen[did] + (fcs == 0 && single ? 1 : fcslen[fcs]);
	for (int last = 0; !last; ) {
		const unsigned char *b = at(r, p, 3);
		if (!b || ++*steps > MAX_STEPS)
			return cut(res, "the zstd stream ends inside a frame", p);
		uint32_t bh = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16;
		int type = bh >> 1 & 3;
		last = bh & 1;
		if (type == 3)
			return cut(res, "a zstd block is damaged", p);
		p += 3 + (type == 1 ? 1 : bh >> 3);
	}
	p += csum ? 4 : 0;
	if (p > r->size)
		return cut(res, "the zstd stream ends inside a frame", r->size);
	*off = p;
	return 0;
}

/* lz4 legacy frames: magic, then blocks of (4-byte size, data) to the end. */
static int walk_lz4(struct rd *r, uint64_t *off, struct initrd_result *res, long *steps)
{
	uint64_t p = *off + 4;
	while (p < r->size && ++*steps < MAX_STEPS) {
		const unsigned char *s = at(r, p, 4);
		if (!s)
			return cut(res, "an lz4 block header ends", p);
		uint32_t n = (uint32_t)s[0] | (uint32_t)s[1] << 8 | (uint32_t)s[2] << 16 | (uint32_t)s[3] << 24;
		if (n == 0x184C2102u) {   /* a new legacy frame */
			p += 4;
			continue;
		}
		if (n == 0)
			break;               /* zero padding after the last block */
		if (p + 4 + n > r->size)
			return cut(res, "an lz4 block ends", r->size);
		p += 4 + n;
	}
	*off = r->size;
	return 0;
}

/* xz: the file must end (after zero padding) with a stream footer. */
static int walk_xz(struct rd *r, uint64_t *off, struct initrd_result *res)
{
	uint64_t end = r->size;
	const unsigned char *z;
	while (end >= *off + 4 && (z = at(r, end - 4, 4)) && !memcmp(z, "\0\0\0\0", 4))
		end -= 4;
	z = end >= *off + 12 ? at(r, end - 2, 2) : NULL;
	if (!z || z[0] != 'Y' || z[1] != 'Z')
		return cut(res, "the xz stream has no end footer", end);
	*off = r->size;
	return 0;
}

struct magic {
	const char *name;
	const char *bytes;
	size_t n;
};
static const struct magic magics[] = {
	{ "gzip", "\x1f\x8b", 2 }, { "zstd", "\x28\xb5\x2f\xfd", 4 }, { "xz", "\xfd" "7zXZ\0", 6 },
	{ "lz4", "\x02\x21\x4c\x18", 4 }, { "lzma", "\x5d\0\0", 3 }, { "bzip2", "BZh", 3 },
	{ "lzo", "\x89LZO", 4 }, { "cpio", "07070", 5 },
};

/* One segment from *OFF: which format, walked as far as it can be. */
static int segment(struct rd *r, uint64_t *off, struct initrd_result *res, long *steps)
{
	const unsigned char *h = at(r, *off, 6 < r->size - *off ? 6 : (size_t)(r->size - *off));
	for (size_t i = 0; h && i < sizeof(magics) / sizeof(magics[0]); i++) {
		const struct magic *m = &magics[i];
		if (r->size - *off < m->n || memcmp(h, m->bytes, m->n))
			continue;
		if (!strcmp(m->name, "cpio"))
			return h[5] == '7' ? (add_format(res, "cpio"), *off = r->size, 0) : walk_cpio(r, off, res, steps);
		add_format(res, m->name);
		if (!strcmp(m->name, "zstd"))
			return walk_zstd_frame(r, off, res, steps);
		if (!strcmp(m->name, "lz4"))
			return walk_lz4(r, off, res, steps);
		if (!strcmp(m->name, "xz"))
			return walk_xz(r, off, res);
		res->flags |= INITRD_UNVERIFIED;   /* gzip, lzma, bzip2, lzo: the magic only */
		*off = r->size;
		return 0;
	}
	res->verdict = INITRD_UNKNOWN;
	snprintf(res->why, sizeof(res->why), "no initramfs format starts at byte %llu (%02x %02x %02x %02x)",
		 (unsigned long long)*off, h && r->size - *off > 0 ? h[0] : 0, h && r->size - *off > 1 ? h[1] : 0,
		 h && r->size - *off > 2 ? h[2] : 0, h && r->size - *off > 3 ? h[3] : 0);
	return -1;
}

/* Skip zero padding from *OFF (4 bytes at a time, as the kernel does). */
static void skip_zeros(struct rd *r, uint64_t *off)
{
	const unsigned char *z;
	while (*off + 4 <= r->size && (z = at(r, *off, 4)) && !memcmp(z, "\0\0\0\0", 4))
		*off += 4;
	if (*off + 4 > r->size && *off < r->size) {
		z = at(r, *off, (size_t)(r->size - *off));
		if (z && !memcmp(z, "\0\0\0", (size_t)(r->size - *off)))
			*off = r->size;
	}
}

int initrd_check(initrd_read_fn read, void *ud, uint64_t size, struct initrd_result *res)
{
	struct rd *r = calloc(1, sizeof(*r));
	long steps = 0;
	int segments = 0;
	memset(res, 0, sizeof(*res));
	if (!r)
		return -ENOMEM;
	r->read = read;
	r->ud = ud;
	r->size = size;
	for (uint64_t off = 0; res->verdict == INITRD_OK;) {
		skip_zeros(r, &off);
		if (off >= size || r->err)
			break;
		if (segment(r, &off, res, &steps) < 0)
			break;
		segments++;
	}
	int err = r->err;
	free(r);
	if (err) {
		res->verdict = INITRD_READ_ERROR;
		snprintf(res->why, sizeof(res->why), "cannot read it: %s", strerror(-err));
		return err;
	}
	if (res->verdict == INITRD_OK && !segments) {
		res->verdict = INITRD_EMPTY;
		snprintf(res->why, sizeof(res->why), size ? "it holds only zero bytes" : "it is empty (0 bytes)");
	}
	return 0;
}
