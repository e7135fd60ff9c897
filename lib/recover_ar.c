/* The pax archive sink of recover (libarchive). */
#include "recover_ar.h"
#include "err.h"
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ZCHUNK (1u << 20)

struct rarchive {
	struct archive *a;
	int fd;
	int started;
	uint64_t written;
	int out_err;          /* errno of a failed write to FD */
	char *zeros;
};

static int ar_err(struct rarchive *ar, const char *what)
{
	int e = ar->out_err ? ar->out_err : archive_errno(ar->a);
	if (e <= 0)
		e = EIO;
	return rc_fail(e, "%s: %s", what, ar->out_err ? strerror(ar->out_err) : archive_error_string(ar->a));
}

/* Our own writer callback: counts bytes and keeps errno for the message. */
static la_ssize_t ar_write(struct archive *a, void *arg, const void *buf, size_t len)
{
	struct rarchive *ar = arg;
	const char *p = buf;
	size_t left = len;
	while (left) {
		ssize_t w = write(ar->fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			ar->out_err = errno;
			archive_set_error(a, errno, "write: %s", strerror(errno));
			return -1;
		}
		p += w;
		left -= (size_t)w;
	}
	ar->written += len;
	return (la_ssize_t)len;
}

int rarchive_open(int fd, enum rcomp comp, struct rarchive **out)
{
	struct rarchive *ar = calloc(1, sizeof(*ar));
	if (!ar || !(ar->zeros = calloc(1, ZCHUNK)) || !(ar->a = archive_write_new())) {
		if (ar)
			free(ar->zeros);
		free(ar);
		return -ENOMEM;
	}
	ar->fd = fd;
	int r = archive_write_set_format_pax(ar->a);
	/* SCHILY.xattr only: GNU tar warns about every LIBARCHIVE.xattr record */
	if (r == ARCHIVE_OK)
		r = archive_write_set_format_option(ar->a, "pax", "xattrheader", "SCHILY");
	if (r == ARCHIVE_OK && comp == RCOMP_GZIP)
		r = archive_write_add_filter_gzip(ar->a);
	else if (r == ARCHIVE_OK && comp == RCOMP_ZSTD)
		r = archive_write_add_filter_zstd(ar->a);
	if (r == ARCHIVE_OK)
		r = archive_write_set_bytes_in_last_block(ar->a, 1);
	if (r == ARCHIVE_OK)
		r = archive_write_open2(ar->a, ar, NULL, ar_write, NULL, NULL);
	if (r != ARCHIVE_OK) {
		int e = ar_err(ar, "cannot start the archive");
		archive_write_free(ar->a);
		free(ar->zeros);
		free(ar);
		return e;
	}
	*out = ar;
	return 0;
}

static void set_times(struct archive_entry *ae, const struct rnode *n)
{
	archive_entry_set_mtime(ae, n->mtime.tv_sec, n->mtime.tv_nsec);
	archive_entry_set_atime(ae, n->atime.tv_sec, n->atime.tv_nsec);
	archive_entry_set_ctime(ae, n->ctime.tv_sec, n->ctime.tv_nsec);
	/* No birth time: no tool can set it on Linux, and GNU tar warns about
	 * every LIBARCHIVE.creationtime record it meets. */
}

static int la_tag(uint16_t t)
{
	switch (t) {
	case PACL_USER_OBJ: return ARCHIVE_ENTRY_ACL_USER_OBJ;
	case PACL_USER: return ARCHIVE_ENTRY_ACL_USER;
	case PACL_GROUP_OBJ: return ARCHIVE_ENTRY_ACL_GROUP_OBJ;
	case PACL_GROUP: return ARCHIVE_ENTRY_ACL_GROUP;
	case PACL_MASK: return ARCHIVE_ENTRY_ACL_MASK;
	default: return ARCHIVE_ENTRY_ACL_OTHER;
	}
}

/* system.posix_acl_* -> libarchive ACL entries; names from the target. */
static int add_acl(struct recover *rc, struct archive_entry *ae, const struct rxattr *x, int type)
{
	struct pacl_ent v[512];
	int n = pacl_parse(x->value, x->len, v, 512);
	if (n < 0)
		return rc_fail(EINVAL, "%s is not a valid POSIX ACL", x->name);
	/* an access ACL of only the three base entries is the mode itself */
	if (type == ARCHIVE_ENTRY_ACL_TYPE_ACCESS && n <= 3)
		return 0;
	for (int i = 0; i < n; i++) {
		const char *name = NULL;
		int id = -1;
		if (v[i].tag == PACL_USER)
			name = idmap_name(&rc->users, v[i].id), id = (int)v[i].id;
		else if (v[i].tag == PACL_GROUP)
			name = idmap_name(&rc->groups, v[i].id), id = (int)v[i].id;
		int perm = (v[i].perm & 4 ? ARCHIVE_ENTRY_ACL_READ : 0) | (v[i].perm & 2 ? ARCHIVE_ENTRY_ACL_WRITE : 0) |
			   (v[i].perm & 1 ? ARCHIVE_ENTRY_ACL_EXECUTE : 0);
		if (archive_entry_acl_add_entry(ae, type, perm, la_tag(v[i].tag), id, name) != ARCHIVE_OK)
			return rc_fail(EINVAL, "libarchive refused an entry of %s", x->name);
	}
	return 0;
}

static int fill_entry(struct recover *rc, struct archive_entry *ae, const struct rentry *e)
{
	const struct rnode *n = e->n;
	archive_entry_copy_pathname(ae, e->path);
	archive_entry_set_uid(ae, n->uid);
	archive_entry_set_gid(ae, n->gid);
	if (e->uname)
		archive_entry_copy_uname(ae, e->uname);
	if (e->gname)
		archive_entry_copy_gname(ae, e->gname);
	archive_entry_set_mode(ae, n->mode);
	set_times(ae, n);
	if (e->hardlink) {
		archive_entry_copy_hardlink(ae, e->hardlink);
		archive_entry_set_size(ae, 0);
		return 0;
	}
	if (S_ISLNK(n->mode))
		archive_entry_copy_symlink(ae, e->link);
	if (S_ISCHR(n->mode) || S_ISBLK(n->mode)) {
		archive_entry_set_rdevmajor(ae, n->rmajor);
		archive_entry_set_rdevminor(ae, n->rminor);
	}
	for (size_t i = 0; i < e->nxa; i++)
		archive_entry_xattr_add_entry(ae, e->xa[i].name, e->xa[i].value, e->xa[i].len);
	int r = 0;
	if (e->acl_access)
		r = add_acl(rc, ae, e->acl_access, ARCHIVE_ENTRY_ACL_TYPE_ACCESS);
	if (!r && e->acl_default && S_ISDIR(n->mode))
		r = add_acl(rc, ae, e->acl_default, ARCHIVE_ENTRY_ACL_TYPE_DEFAULT);
	if (r)
		return r;
	if (S_ISREG(n->mode)) {
		archive_entry_set_size(ae, (la_int64_t)n->size);
		const struct rmap *m = e->map;
		/* sparse: list the data; everything else is a hole. A file that
		 * is all hole gets one empty piece at its end, or libarchive would
		 * take it for a plain file and store every zero. */
		if (m && !m->inl && e->data_bytes < n->size) {
			for (size_t i = 0; i < m->n; i++)
				archive_entry_sparse_add_entry(ae, (la_int64_t)m->seg[i].off, (la_int64_t)m->seg[i].len);
			if (!m->n)
				archive_entry_sparse_add_entry(ae, (la_int64_t)n->size, 0);
		}
	} else
		archive_entry_set_size(ae, 0);
	return 0;
}

struct datactx {
	struct rarchive *ar;
	uint64_t pos;         /* bytes given to libarchive */
	int err;
};

/* Holes are given to libarchive as zeros, which its sparse writer skips. */
static int give(struct datactx *c, const void *buf, size_t len)
{
	while (len) {
		la_ssize_t w = archive_write_data(c->ar->a, buf, len);
		if (w <= 0)
			return c->err = ar_err(c->ar, "cannot write the archive");
		len -= (size_t)w;
		buf = (const char *)buf + w;
		c->pos += (uint64_t)w;
	}
	return 0;
}

static int fill_to(struct datactx *c, uint64_t off)
{
	while (c->pos < off) {
		size_t l = off - c->pos < ZCHUNK ? (size_t)(off - c->pos) : ZCHUNK;
		if (give(c, c->ar->zeros, l))
			return c->err;
	}
	return 0;
}

static int data_cb(void *arg, uint64_t off, const void *buf, size_t len)
{
	struct datactx *c = arg;
	if (fill_to(c, off))
		return c->err;
	return give(c, buf, len);
}

int rarchive_entry(void *arg, struct recover *rc, const struct rentry *e)
{
	struct rarchive *ar = arg;
	if (rc->list_only)
		return 0;
	struct archive_entry *ae = archive_entry_new();
	if (!ae)
		return -ENOMEM;
	int r = fill_entry(rc, ae, e);
	if (r) {
		archive_entry_free(ae);
		return 1;   /* this entry is lost; the message says why */
	}
	int w = archive_write_header(ar->a, ae);
	archive_entry_free(ae);
	ar->started = 1;
	if (w == ARCHIVE_FATAL || ar->out_err)
		return ar_err(ar, "cannot write the archive");
	if (w == ARCHIVE_FAILED) {
		rc_fail(EINVAL, "libarchive refused it: %s", archive_error_string(ar->a));
		return 1;
	}
	if (!S_ISREG(e->n->mode) || e->hardlink)
		return 0;
	struct datactx c = { ar, 0, 0 };
	r = rentry_data(rc, e, data_cb, &c);
	if (!r && !c.err)
		fill_to(&c, e->n->size);
	if (c.err || r)
		return c.err ? c.err : r;
	if (archive_write_finish_entry(ar->a) == ARCHIVE_FATAL)
		return ar_err(ar, "cannot write the archive");
	return 0;
}

int rarchive_close(struct rarchive *ar)
{
	int r = 0;
	if (archive_write_close(ar->a) != ARCHIVE_OK)
		r = ar_err(ar, "cannot finish the archive");
	archive_write_free(ar->a);
	free(ar->zeros);
	free(ar);
	return r;
}

uint64_t rarchive_written(const struct rarchive *ar)
{
	return ar->written;
}
