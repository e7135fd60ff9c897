/* recover's read-only source: the front end, shared helpers, and the
 * offline ext2/3/4 backend over lib/ext4_walk. */
#include "recover_src.h"
#include "err.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- shared helpers -------------------------------------------------------- */

int rdir_add(struct rdir *d, const char *name, size_t len, uint64_t key)
{
	if (d->n == d->cap) {
		size_t nc = d->cap ? d->cap * 2 : 16;
		struct rchild *p = realloc(d->v, nc * sizeof(*p));
		if (!p)
			return -ENOMEM;
		d->v = p;
		d->cap = nc;
	}
	char *s = malloc(len + 1);
	if (!s)
		return -ENOMEM;
	memcpy(s, name, len);
	s[len] = 0;
	d->v[d->n++] = (struct rchild){ s, len, key };
	return 0;
}

int rdir_lost(struct rdir *d, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* the same damage is reported once per directory */
	for (size_t i = 0; i < d->nlost; i++)
		if (!strcmp(d->lost[i], buf))
			return 0;
	if (d->nlost >= 64)
		return 0;
	char **p = realloc(d->lost, (d->nlost + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	d->lost = p;
	if (!(d->lost[d->nlost] = strdup(buf)))
		return -ENOMEM;
	d->nlost++;
	return 0;
}

static int cmp_child(const void *a, const void *b)
{
	const struct rchild *x = a, *y = b;
	size_t l = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->name, y->name, l);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

void rdir_sort(struct rdir *d)
{
	if (d->n > 1)
		qsort(d->v, d->n, sizeof(*d->v), cmp_child);
}

void rsrc_list_free(struct rdir *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].name);
	for (size_t i = 0; i < d->nlost; i++)
		free(d->lost[i]);
	free(d->v);
	free(d->lost);
	if (d->fd >= 0)
		close(d->fd);
	memset(d, 0, sizeof(*d));
	d->fd = -1;
}

int rxattr_add(struct rxattr **v, size_t *n, const char *name, const void *val, size_t len)
{
	struct rxattr *p = realloc(*v, (*n + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	*v = p;
	p[*n].name = strdup(name);
	p[*n].value = malloc(len ? len : 1);
	if (!p[*n].name || !p[*n].value) {
		free(p[*n].name);
		free(p[*n].value);
		return -ENOMEM;
	}
	memcpy(p[*n].value, val, len);
	p[*n].len = len;
	(*n)++;
	return 0;
}

void rsrc_xattrs_free(struct rxattr *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].value);
	}
	free(v);
}

void rsrc_map_free(struct rmap *m)
{
	free(m->seg);
	free(m->lost);
	free(m->inl);
	memset(m, 0, sizeof(*m));
}

/* ---- front end ------------------------------------------------------------- */

static void node_init(struct rnode *n)
{
	memset(n, 0, sizeof(*n));
	n->pfd = n->fd = -1;
}

void rsrc_close(struct rsrc *s)
{
	if (s)
		s->ops->close(s);
}

int rsrc_fsinfo(struct rsrc *s, struct ew_fsinfo *info)
{
	if (!s->ew)
		return -ENOTSUP;
	ew_fsinfo(s->ew, info);
	return 0;
}

int rsrc_lookup(struct rsrc *s, const char *path, struct rnode *n)
{
	node_init(n);
	return s->ops->lookup(s, path, n);
}

int rsrc_list(struct rsrc *s, struct rnode *dir, struct rdir *d)
{
	memset(d, 0, sizeof(*d));
	d->fd = -1;
	int r = s->ops->list(s, dir, d);
	if (r)
		rsrc_list_free(d);
	else
		rdir_sort(d);
	return r;
}

int rsrc_child(struct rsrc *s, struct rdir *d, size_t i, struct rnode *n)
{
	node_init(n);
	return s->ops->child(s, d, i, n);
}

void rsrc_release(struct rsrc *s, struct rnode *n)
{
	s->ops->release(s, n);
	node_init(n);
}

int rsrc_readlink(struct rsrc *s, struct rnode *n, char *buf, size_t sz)
{
	return s->ops->readlink(s, n, buf, sz);
}

int rsrc_xattrs(struct rsrc *s, struct rnode *n, struct rxattr **v, size_t *cnt)
{
	*v = NULL;
	*cnt = 0;
	int r = s->ops->xattrs(s, n, v, cnt);
	if (r) {
		rsrc_xattrs_free(*v, *cnt);
		*v = NULL;
		*cnt = 0;
	}
	return r;
}

int rsrc_map(struct rsrc *s, struct rnode *n, struct rmap *m)
{
	memset(m, 0, sizeof(*m));
	int r = s->ops->map(s, n, m);
	if (r)
		rsrc_map_free(m);
	return r;
}

int rsrc_read(struct rsrc *s, struct rnode *n, const struct rseg *seg, uint64_t off, void *buf, size_t len)
{
	if (off > seg->len || len > seg->len - off)
		return rc_fail(EINVAL, "read past the end of a segment");
	return s->ops->read(s, n, seg, off, buf, len);
}

uint32_t rsrc_unit(const struct rsrc *s)
{
	return s->unit;
}

/* ---- offline ext2/3/4 ------------------------------------------------------ */

static void from_ei(struct rnode *n, const struct ew_inode *e)
{
	n->ei = *e;
	n->id = e->ino;
	n->mode = e->mode;
	n->uid = e->uid;
	n->gid = e->gid;
	n->nlink = e->nlink;
	n->size = e->size;
	n->atime = e->atime;
	n->mtime = e->mtime;
	n->ctime = e->ctime;
	n->btime = e->btime;
	n->has_btime = e->has_btime;
	n->rmajor = e->rdev_major;
	n->rminor = e->rdev_minor;
}

static int x_lookup(struct rsrc *s, const char *path, struct rnode *n)
{
	uint32_t ino;
	struct ew_inode e;
	int r = ew_lookup(s->ew, path, &ino);
	if (r)
		return r;
	if ((r = ew_inode(s->ew, ino, &e)))
		return r;
	from_ei(n, &e);
	return 0;
}

struct x_listctx {
	struct rdir *d;
	uint32_t dir;
	int err;
};

static int x_dirent(const char *name, size_t len, uint32_t ino, void *arg)
{
	struct x_listctx *c = arg;
	if (c->d->n >= (1u << 24)) {
		rdir_lost(c->d, "more than %u entries: the rest are left out", 1u << 24);
		return 1;
	}
	int r = rdir_add(c->d, name, len, ino);
	return r ? (c->err = r) : 0;
}

static void x_dirlost(uint64_t lblk, const char *why, void *arg)
{
	struct x_listctx *c = arg;
	rdir_lost(c->d, "directory block %llu: %s", (unsigned long long)lblk, why);
}

static int x_list(struct rsrc *s, struct rnode *dir, struct rdir *d)
{
	struct x_listctx c = { d, (uint32_t)dir->id, 0 };
	int r = ew_readdir(s->ew, &dir->ei, x_dirent, x_dirlost, &c);
	if (c.err)
		return c.err;
	return r < 0 ? r : 0;
}

static int x_child(struct rsrc *s, struct rdir *d, size_t i, struct rnode *n)
{
	struct ew_inode e;
	int r = ew_inode(s->ew, (uint32_t)d->v[i].key, &e);
	if (r)
		return r;
	from_ei(n, &e);
	return 0;
}

static void x_release(struct rsrc *s, struct rnode *n)
{
	(void)s, (void)n;
}

static int x_readlink(struct rsrc *s, struct rnode *n, char *buf, size_t sz)
{
	return ew_readlink(s->ew, &n->ei, buf, sz);
}

struct x_xactx {
	struct rxattr **v;
	size_t *n;
};

static int x_xa(const char *name, const void *val, size_t len, void *arg)
{
	struct x_xactx *c = arg;
	return rxattr_add(c->v, c->n, name, val, len);
}

static int x_xattrs(struct rsrc *s, struct rnode *n, struct rxattr **v, size_t *cnt)
{
	struct x_xactx c = { v, cnt };
	return ew_xattrs(s->ew, &n->ei, x_xa, &c);
}

static int x_map(struct rsrc *s, struct rnode *n, struct rmap *m)
{
	if (n->ei.inline_data) {
		int r = ew_read_inline(s->ew, &n->ei, &m->inl, &m->inl_len);
		if (r)
			return r;
		if (m->inl_len > n->size)
			m->inl_len = n->size;
		return 0;
	}
	struct ew_map em;
	int r = ew_map(s->ew, &n->ei, &em);
	if (r)
		return r;
	uint64_t bs = s->unit;
	/* ext4 cannot address more than 2^32 blocks: a larger size is damage.
	 * Cut it to the end of what the map knows of. */
	if (n->size > (bs << 32)) {
		uint64_t end = 0;
		for (size_t i = 0; i < em.n; i++)
			end = end > (em.seg[i].lblk + em.seg[i].count) * bs ? end : (em.seg[i].lblk + em.seg[i].count) * bs;
		for (size_t i = 0; i < em.nlost; i++)
			end = end > (em.lost[i].lblk + em.lost[i].count) * bs ? end : (em.lost[i].lblk + em.lost[i].count) * bs;
		m->bad_size = n->size;
		n->size = end;
	}
	m->seg = calloc(em.n ? em.n : 1, sizeof(*m->seg));
	m->lost = calloc(em.nlost ? em.nlost : 1, sizeof(*m->lost));
	if (!m->seg || !m->lost) {
		ew_map_free(&em);
		return -ENOMEM;
	}
	for (size_t i = 0; i < em.n; i++) {
		uint64_t off = em.seg[i].lblk * bs, len = em.seg[i].count * bs;
		if (off >= n->size)
			break;
		if (len > n->size - off)
			len = n->size - off;
		m->seg[m->n++] = (struct rseg){ off, len, em.seg[i].pblk };
	}
	for (size_t i = 0; i < em.nlost; i++) {
		uint64_t off = em.lost[i].lblk * bs, len = em.lost[i].count * bs;
		if (off >= n->size)
			continue;
		if (len > n->size - off)
			len = n->size - off;
		m->lost[m->nlost++] = (struct rlost){ off, len, em.lost[i].why };
	}
	ew_map_free(&em);
	return 0;
}

/* Blocks are read whole; a tail that is not a whole block goes through
 * the bounce buffer. OFF within the segment is block-aligned except at
 * the end of the file. */
static int x_read(struct rsrc *s, struct rnode *n, const struct rseg *seg, uint64_t off, void *buf, size_t len)
{
	(void)n;
	uint64_t bs = s->unit;
	char *out = buf;
	if (off % bs)
		return rc_fail(EINVAL, "unaligned read at %llu", (unsigned long long)off);
	uint64_t blk = seg->phys + off / bs;
	size_t whole = len / bs;
	if (whole) {
		int r = ew_read_blocks(s->ew, blk, whole, out);
		if (r)
			return r;
	}
	size_t tail = len % bs;
	if (tail) {
		int r = ew_read_blocks(s->ew, blk + whole, 1, s->bounce);
		if (r)
			return r;
		memcpy(out + whole * bs, s->bounce, tail);
	}
	return 0;
}

static void x_close(struct rsrc *s)
{
	ew_close(s->ew);
	free(s->bounce);
	free(s);
}

static const struct rsrc_ops ext4_ops = {
	.lookup = x_lookup, .list = x_list, .child = x_child, .release = x_release,
	.readlink = x_readlink, .xattrs = x_xattrs, .map = x_map, .read = x_read, .close = x_close,
};

int rsrc_open_ext4(const char *dev, struct rsrc **out)
{
	struct ew *w;
	int r = ew_open(dev, &w);
	if (r)
		return r;
	struct rsrc *s = calloc(1, sizeof(*s));
	struct ew_fsinfo fi;
	ew_fsinfo(w, &fi);
	char *b = malloc(fi.block_size);
	if (!s || !b) {
		free(s);
		free(b);
		ew_close(w);
		return -ENOMEM;
	}
	s->ops = &ext4_ops;
	s->ew = w;
	s->unit = fi.block_size;
	s->bounce = b;
	s->rootfd = -1;
	*out = s;
	return 0;
}
