/* recover's walk: PATHs of a target, parent first, to a sink; losses are
 * recorded and the walk goes on. */
#include "recover.h"
#include "err.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CHUNK (1u << 20)
#define MAX_LOSSES 100000

/* ---- a set of inodes (dev, ino), each with an optional path -------------- */

struct idslot {
	uint64_t dev, ino;
	char *path;
	int used;
};

struct recover_idset {
	struct idslot *v;
	size_t cap, n;
};

static size_t id_hash(uint64_t dev, uint64_t ino, size_t cap)
{
	uint64_t h = (ino * 0x9E3779B97F4A7C15ull) ^ (dev * 0xC2B2AE3D27D4EB4Full);
	h ^= h >> 29;
	return (size_t)(h & (cap - 1));
}

static struct idslot *id_find(struct recover_idset *s, uint64_t dev, uint64_t ino)
{
	if (!s->cap)
		return NULL;
	for (size_t i = id_hash(dev, ino, s->cap);; i = (i + 1) & (s->cap - 1)) {
		if (!s->v[i].used)
			return NULL;
		if (s->v[i].dev == dev && s->v[i].ino == ino)
			return &s->v[i];
	}
}

static int id_add(struct recover_idset *s, uint64_t dev, uint64_t ino, const char *path)
{
	if ((s->n + 1) * 2 > s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 1024;
		struct idslot *nv = calloc(nc, sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		for (size_t i = 0; i < s->cap; i++) {
			if (!s->v[i].used)
				continue;
			size_t j = id_hash(s->v[i].dev, s->v[i].ino, nc);
			while (nv[j].used)
				j = (j + 1) & (nc - 1);
			nv[j] = s->v[i];
		}
		free(s->v);
		s->v = nv;
		s->cap = nc;
	}
	size_t i = id_hash(dev, ino, s->cap);
	while (s->v[i].used)
		i = (i + 1) & (s->cap - 1);
	char *p = path ? strdup(path) : NULL;
	if (path && !p)
		return -ENOMEM;
	s->v[i] = (struct idslot){ dev, ino, p, 1 };
	s->n++;
	return 0;
}

static void id_free(struct recover_idset *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->cap; i++)
		free(s->v[i].path);
	free(s->v);
	free(s);
}

/* ---- losses and notes ---------------------------------------------------------- */

static void add_loss(struct recover *rc, const char *path, int kept, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void add_loss(struct recover *rc, const char *path, int kept, const char *fmt, ...)
{
	char what[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (kept)
		rc->st.partial++;
	else
		rc->st.lost++;
	if (rc->nloss >= MAX_LOSSES)
		return;   /* counted, not listed */
	struct recover_loss *p = realloc(rc->loss, (rc->nloss + 1) * sizeof(*p));
	if (!p)
		return;
	rc->loss = p;
	p[rc->nloss] = (struct recover_loss){ strdup(path[0] ? path : "."), strdup(what), kept };
	if (p[rc->nloss].path && p[rc->nloss].what)
		rc->nloss++;
	else {
		free(p[rc->nloss].path);
		free(p[rc->nloss].what);
	}
}

static void add_note(struct recover *rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_note(struct recover *rc, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (rc->nnotes >= 1000)
		return;
	char **p = realloc(rc->notes, (rc->nnotes + 1) * sizeof(*p));
	if (!p)
		return;
	rc->notes = p;
	if ((p[rc->nnotes] = strdup(buf)))
		rc->nnotes++;
}

/* ---- pure helpers ---------------------------------------------------------------- */

int recover_norm_path(const char *in, char *out, size_t sz)
{
	size_t o = 0;
	const char *p = in;
	if (sz == 0)
		return -EINVAL;
	while (*p) {
		while (*p == '/')
			p++;
		const char *e = strchr(p, '/');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (!len)
			break;
		if (len == 2 && p[0] == '.' && p[1] == '.')
			return rc_failx(2, EINVAL, "%s: a PATH with '..' is refused: name the directory itself", in);
		if (!(len == 1 && p[0] == '.')) {
			if (o + (o ? 1 : 0) + len + 1 > sz)
				return rc_fail(ENAMETOOLONG, "%s: path too long", in);
			if (o)
				out[o++] = '/';
			memcpy(out + o, p, len);
			o += len;
		}
		p += len;
	}
	out[o] = 0;
	return 0;
}

/* Length of a valid UTF-8 sequence at P (of at most N bytes), 0 if none. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	size_t l = p[0] < 0x80 ? 1 : (p[0] & 0xE0) == 0xC0 ? 2 : (p[0] & 0xF0) == 0xE0 ? 3 : (p[0] & 0xF8) == 0xF0 ? 4 : 0;
	if (!l || l > n || (l == 2 && p[0] < 0xC2))
		return 0;
	for (size_t i = 1; i < l; i++)
		if ((p[i] & 0xC0) != 0x80)
			return 0;
	if (l == 3 && ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] >= 0xA0)))
		return 0;
	if (l == 4 && ((p[0] == 0xF0 && p[1] < 0x90) || p[0] > 0xF4 || (p[0] == 0xF4 && p[1] >= 0x90)))
		return 0;
	return l;
}

char *recover_escape(const char *in, char *out, size_t sz)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t n = strlen(in), o = 0;
	if (!sz)
		return out;
	for (size_t i = 0; i < n;) {
		char tmp[8];
		size_t tl, adv = 1;
		size_t u = utf8_len(p + i, n - i);
		if (p[i] == '\\')
			tl = (size_t)snprintf(tmp, sizeof(tmp), "\\\\");
		else if (p[i] == '\n')
			tl = (size_t)snprintf(tmp, sizeof(tmp), "\\n");
		else if (p[i] == '\t')
			tl = (size_t)snprintf(tmp, sizeof(tmp), "\\t");
		else if (p[i] < 0x20 || p[i] == 0x7f || !u)
			tl = (size_t)snprintf(tmp, sizeof(tmp), "\\x%02x", p[i]);
		else {
			memcpy(tmp, p + i, u);
			tl = u;
			adv = u;
		}
		if (o + tl + 1 > sz)
			break;
		memcpy(out + o, tmp, tl);
		o += tl;
		i += adv;
	}
	out[o] = 0;
	return out;
}

int pacl_parse(const void *v, size_t len, struct pacl_ent *out, int max)
{
	const unsigned char *b = v;
	if (len < 4 || (len - 4) % 8 || b[0] != 2 || b[1] || b[2] || b[3])
		return -EINVAL;
	int n = 0;
	for (size_t off = 4; off < len; off += 8) {
		uint16_t tag = (uint16_t)(b[off] | b[off + 1] << 8);
		uint16_t perm = (uint16_t)(b[off + 2] | b[off + 3] << 8);
		uint32_t id = (uint32_t)b[off + 4] | (uint32_t)b[off + 5] << 8 | (uint32_t)b[off + 6] << 16 |
			      (uint32_t)b[off + 7] << 24;
		if (tag != PACL_USER_OBJ && tag != PACL_USER && tag != PACL_GROUP_OBJ && tag != PACL_GROUP &&
		    tag != PACL_MASK && tag != PACL_OTHER)
			return -EINVAL;
		if (perm > 7 || n >= max)
			return -EINVAL;
		out[n++] = (struct pacl_ent){ tag, perm, id };
	}
	return n;
}

/* ---- content ------------------------------------------------------------------ */

struct lostlist {
	struct rlost *v;
	size_t n;
};

static void lost_add(struct lostlist *l, uint64_t off, uint64_t len, const char *why)
{
	if (l->n && l->v[l->n - 1].off + l->v[l->n - 1].len == off && l->v[l->n - 1].why == why) {
		l->v[l->n - 1].len += len;
		return;
	}
	if (l->n >= 4096)
		return;
	struct rlost *p = realloc(l->v, (l->n + 1) * sizeof(*p));
	if (!p)
		return;
	l->v = p;
	l->v[l->n++] = (struct rlost){ off, len, why };
}

/* Read LEN bytes at OFF of SEG; what does not read is zeros and goes to LOST,
 * narrowed down to the source's unit. */
static void read_range(struct recover *rc, struct rnode *n, const struct rseg *seg, uint64_t off, char *buf,
		       size_t len, struct lostlist *lost)
{
	if (!rsrc_read(rc->src, n, seg, off, buf, len))
		return;
	size_t unit = rsrc_unit(rc->src);
	for (size_t o = 0; o < len; o += unit) {
		size_t l = len - o < unit ? len - o : unit;
		if (rsrc_read(rc->src, n, seg, off + o, buf + o, l)) {
			memset(buf + o, 0, l);
			lost_add(lost, seg->off + off + o, l, "read error");
		}
	}
	rc_clear();
}

static void progress(struct recover *rc, const char *path)
{
	if (rc->progress)
		rc->progress(rc->progress_arg, rc, path);
}

int rentry_data(struct recover *rc, const struct rentry *e, rdata_fn fn, void *arg)
{
	const struct rmap *m = e->map;
	int r = 0;
	if (!m)
		return 0;
	if (m->inl) {
		rc->st.bytes += m->inl_len;
		return m->inl_len ? fn(arg, 0, m->inl, m->inl_len) : 0;
	}
	char *held = rc->hold;
	struct lostlist late = { NULL, 0 };
	for (size_t i = 0; i < m->n && !r; i++) {
		const struct rseg *s = &m->seg[i];
		for (uint64_t o = 0; o < s->len && !r; o += CHUNK) {
			size_t l = s->len - o < CHUNK ? (size_t)(s->len - o) : CHUNK;
			const char *p;
			if (held) {
				p = held;
				held += l;
			} else {
				read_range(rc, (struct rnode *)e->n, s, o, rc->zeros + CHUNK, l, &late);
				p = rc->zeros + CHUNK;
			}
			r = fn(arg, s->off + o, p, l);
			rc->st.bytes += l;
			progress(rc, e->path);
		}
	}
	rc->late = late.v;
	rc->nlate = late.n;
	return r;
}

/* Read a small file's content ahead, so that a read error can still skip it. */
static int hold_content(struct recover *rc, struct rnode *n, const struct rmap *m, uint64_t total,
			struct lostlist *lost)
{
	char *buf = malloc(total ? total : 1);
	if (!buf)
		return -ENOMEM;
	char *p = buf;
	for (size_t i = 0; i < m->n; i++) {
		for (uint64_t o = 0; o < m->seg[i].len; o += CHUNK) {
			size_t l = m->seg[i].len - o < CHUNK ? (size_t)(m->seg[i].len - o) : CHUNK;
			read_range(rc, n, &m->seg[i], o, p, l, lost);
			p += l;
		}
	}
	rc->hold = buf;
	return 0;
}

void recover_ranges_text(const struct rlost *v, size_t n, char *out, size_t sz)
{
	size_t o = 0;
	out[0] = 0;
	for (size_t i = 0; i < n && o + 64 < sz; i++)
		o += (size_t)snprintf(out + o, sz - o, "%s%llu-%llu (%s)", i ? ", " : "bytes ",
				      (unsigned long long)v[i].off, (unsigned long long)(v[i].off + v[i].len - 1), v[i].why);
	if (n && o + 64 >= sz)
		snprintf(out + o, sz - o, ", ...");
}

/* ---- one entry ------------------------------------------------------------------- */

struct entryctx {
	struct rentry e;
	struct rxattr *xa;
	size_t nxa;
	char link[4096];
	char mark[1024];
	struct rmap map;
	int has_map;
};

static int split_xattrs(struct recover *rc, struct entryctx *c, const char *path)
{
	struct rxattr *v;
	size_t n;
	if (rsrc_xattrs(rc->src, (struct rnode *)c->e.n, &v, &n)) {
		add_loss(rc, path, 1, "extended attributes unreadable (%s); kept without them", rc_msg());
		rc_clear();
		return 0;
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(v[i].name, "system.posix_acl_access"))
			c->e.acl_access = &v[i];
		else if (!strcmp(v[i].name, "system.posix_acl_default"))
			c->e.acl_default = &v[i];
		else if (!strcmp(v[i].name, RECOVER_XATTR_LOST))
			continue;   /* from an earlier recover: not this one's mark */
		else
			k++;
	}
	/* the others first, ACLs kept at the end of the array */
	struct rxattr *o = calloc(n + 2, sizeof(*o));
	if (!o) {
		rsrc_xattrs_free(v, n);
		return -ENOMEM;
	}
	size_t j = 0, a = k;
	for (size_t i = 0; i < n; i++) {
		int acl = &v[i] == c->e.acl_access || &v[i] == c->e.acl_default;
		if (!acl && !strcmp(v[i].name, RECOVER_XATTR_LOST)) {
			free(v[i].name);
			free(v[i].value);
			continue;
		}
		struct rxattr *dst = acl ? &o[a++] : &o[j++];
		*dst = v[i];
		if (&v[i] == c->e.acl_access)
			c->e.acl_access = dst;
		if (&v[i] == c->e.acl_default)
			c->e.acl_default = dst;
	}
	free(v);
	c->xa = o;
	c->nxa = a;
	c->e.xa = o;
	c->e.nxa = k;
	return 0;
}

static void entry_free(struct recover *rc, struct entryctx *c)
{
	rsrc_xattrs_free(c->xa, c->nxa);
	if (c->has_map)
		rsrc_map_free(&c->map);
	free(rc->hold);
	rc->hold = NULL;
	free(rc->late);
	rc->late = NULL;
	rc->nlate = 0;
}

static uint64_t seg_total(const struct rmap *m)
{
	uint64_t t = m->inl ? m->inl_len : 0;
	for (size_t i = 0; i < m->n; i++)
		t += m->seg[i].len;
	return t;
}

/* A regular file: its map and (when small) its content, before the sink. 1: skipped. */
static int prepare_file(struct recover *rc, struct entryctx *c, struct rnode *n, const char *path)
{
	if (rsrc_map(rc->src, n, &c->map)) {
		add_loss(rc, path, 0, "skipped: its blocks cannot be mapped (%s)", rc_msg());
		rc_clear();
		return 1;
	}
	c->has_map = 1;
	if (c->map.bad_size)
		add_loss(rc, path, 1, "its size %llu is impossible (damage); stored as %llu bytes, the end of its blocks",
			 (unsigned long long)c->map.bad_size, (unsigned long long)n->size);
	struct lostlist lost = { NULL, 0 };
	for (size_t i = 0; i < c->map.nlost; i++)
		lost_add(&lost, c->map.lost[i].off, c->map.lost[i].len, c->map.lost[i].why);
	uint64_t total = seg_total(&c->map);
	if (!rc->list_only && !c->map.inl && total <= RECOVER_HOLD && (!lost.n || rc->partial)) {
		int r = hold_content(rc, n, &c->map, total, &lost);
		if (r) {
			free(lost.v);
			return r;
		}
	}
	c->e.data_bytes = total;
	c->e.map = &c->map;
	if (lost.n) {
		recover_ranges_text(lost.v, lost.n, c->mark, sizeof(c->mark));
		if (!rc->partial) {
			add_loss(rc, path, 0, "skipped: %s unreadable; --partial keeps the rest", c->mark);
			free(lost.v);
			return 1;
		}
		c->e.lostmark = c->mark;
		add_loss(rc, path, 1, "kept partly: %s lost, stored as zeros (marked with the xattr %s)", c->mark,
			 RECOVER_XATTR_LOST);
		struct rxattr *p = realloc(c->xa, (c->nxa + 1) * sizeof(*p));
		if (p) {
			/* the mark goes in front of the ACLs */
			c->xa = p;
			memmove(p + c->e.nxa + 1, p + c->e.nxa, (c->nxa - c->e.nxa) * sizeof(*p));
			p[c->e.nxa] = (struct rxattr){ strdup(RECOVER_XATTR_LOST), strdup(c->mark), strlen(c->mark) };
			for (size_t i = c->e.nxa + 1; i <= c->nxa; i++) {
				if (!strcmp(p[i].name, "system.posix_acl_access"))
					c->e.acl_access = &p[i];
				else
					c->e.acl_default = &p[i];
			}
			c->nxa++;
			c->e.nxa++;
			c->e.xa = p;
		}
	}
	free(lost.v);
	return 0;
}

static void count(struct recover *rc, const struct rentry *e)
{
	uint32_t m = e->n->mode;
	if (e->hardlink)
		rc->st.hardlinks++;
	else if (S_ISREG(m)) {
		rc->st.files++;
		if (rc->list_only)
			rc->st.bytes += e->data_bytes;   /* what would be read */
		rc->st.holes += e->n->size - (e->data_bytes < e->n->size ? e->data_bytes : e->n->size);
	} else if (S_ISDIR(m))
		rc->st.dirs++;
	else if (S_ISLNK(m))
		rc->st.symlinks++;
	else if (S_ISCHR(m) || S_ISBLK(m))
		rc->st.devices++;
	else if (S_ISFIFO(m))
		rc->st.fifos++;
}

static int hardlinkable(const struct rnode *n)
{
	return n->nlink > 1 && !S_ISDIR(n->mode);
}

/* Hand one node to the sink. Returns 0 or <0 to stop. */
static int emit(struct recover *rc, struct rnode *n, const char *path)
{
	struct entryctx c;
	memset(&c, 0, sizeof(c));
	c.e.path = path;
	c.e.n = n;
	c.e.uname = idmap_name(&rc->users, n->uid);
	c.e.gname = idmap_name(&rc->groups, n->gid);
	int r = 0;
	if (S_ISSOCK(n->mode)) {
		rc->st.sockets++;
		add_note(rc, "%s: a socket; tar archives cannot hold sockets, left out", path);
		return 0;
	}
	struct idslot *first = hardlinkable(n) ? id_find(rc->links, n->dev, n->id) : NULL;
	if (first) {
		c.e.hardlink = first->path;
		goto sink;
	}
	if (S_ISLNK(n->mode)) {
		if (rsrc_readlink(rc->src, n, c.link, sizeof(c.link))) {
			add_loss(rc, path, 0, "skipped: symbolic link unreadable (%s)", rc_msg());
			rc_clear();
			return 0;
		}
		c.e.link = c.link;
	}
	if ((r = split_xattrs(rc, &c, path)))
		goto out;
	if (S_ISREG(n->mode) && (r = prepare_file(rc, &c, n, path)) != 0) {
		r = r > 0 ? 0 : r;
		goto out;
	}
sink:
	rc->cur = &c.e;
	r = rc->sink.entry(rc->sink.arg, rc, &c.e);
	rc->cur = NULL;
	if (r > 0) {
		add_loss(rc, path, 0, "skipped: %s", rc_msg());
		rc_clear();
		r = 0;
		goto out;
	}
	if (r < 0)
		goto out;
	if (rc->nlate) {
		char t[1024];
		recover_ranges_text(rc->late, rc->nlate, t, sizeof(t));
		add_loss(rc, path, 1, "kept partly: %s lost after the file was started, stored as zeros", t);
	}
	count(rc, &c.e);
	if (!first && hardlinkable(n) && !c.e.lostmark)
		r = id_add(rc->links, n->dev, n->id, path);
	progress(rc, path);
out:
	entry_free(rc, &c);
	return r;
}

/* ---- the walk ------------------------------------------------------------------- */

struct frame {
	struct rnode node;
	struct rdir list;
	size_t i, plen;
};

static int enter_ok(struct recover *rc, struct rnode *n, const char *path, int top, int depth)
{
	if (!S_ISDIR(n->mode))
		return 0;
	if (!top && n->mount_root) {
		add_note(rc, "%s: another filesystem is mounted here; not entered (name it as a PATH to include it)",
			 path);
		return 0;
	}
	if (depth >= RECOVER_MAX_DEPTH) {
		add_loss(rc, path, 0, "not entered: deeper than %d directories", RECOVER_MAX_DEPTH);
		return 0;
	}
	return 1;
}

/* A directory already walked: a loop or a second link in a damaged tree. */
static int seen_dir(struct recover *rc, struct rnode *n, const char *path)
{
	if (!S_ISDIR(n->mode))
		return 0;
	struct idslot *s = id_find(rc->dirs, n->dev, n->id);
	if (s) {
		add_loss(rc, path, 0, "skipped: the same directory (inode %llu) as %s: a directory loop or a second "
			 "link to one directory (damage)", (unsigned long long)n->id, s->path ? s->path : "an earlier one");
		return 1;
	}
	return id_add(rc->dirs, n->dev, n->id, path[0] ? path : ".") ? -ENOMEM : 0;
}

static int dir_done(struct recover *rc, struct frame *f, char *path)
{
	path[f->plen] = 0;
	if (!rc->sink.dir_done || !path[0])
		return 0;
	struct rentry e;
	memset(&e, 0, sizeof(e));
	e.path = path;
	e.n = &f->node;
	return rc->sink.dir_done(rc->sink.arg, rc, &e);
}

static int push(struct recover *rc, struct frame **fs, size_t *nf, size_t *cap, struct rnode *n, const char *path)
{
	if (*nf == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		struct frame *p = realloc(*fs, nc * sizeof(*p));
		if (!p)
			return -ENOMEM;
		*fs = p;
		*cap = nc;
	}
	struct frame *f = &(*fs)[*nf];
	memset(f, 0, sizeof(*f));
	f->node = *n;
	f->plen = strlen(path);
	if (rsrc_list(rc->src, &f->node, &f->list)) {
		add_loss(rc, path, 0, "directory unreadable, its contents are lost (%s)", rc_msg());
		rc_clear();
		f->list.fd = -1;
	}
	for (size_t i = 0; i < f->list.nlost; i++)
		add_loss(rc, path, 0, "entries lost: %s", f->list.lost[i]);
	(*nf)++;
	return 0;
}

static int walk(struct recover *rc, struct rnode *top, char *path)
{
	struct frame *fs = NULL;
	size_t nf = 0, cap = 0;
	int r = push(rc, &fs, &nf, &cap, top, path);
	while (!r && nf) {
		struct frame *f = &fs[nf - 1];
		if (f->i >= f->list.n) {
			r = dir_done(rc, f, path);
			rsrc_list_free(&f->list);
			rsrc_release(rc->src, &f->node);
			nf--;
			continue;
		}
		struct rchild *ch = &f->list.v[f->i++];
		path[f->plen] = 0;
		if (f->plen + 1 + ch->len + 1 > RECOVER_MAX_PATH) {
			add_loss(rc, path, 0, "an entry below is skipped: its path is longer than %d bytes", RECOVER_MAX_PATH);
			continue;
		}
		if (f->plen)
			path[f->plen] = '/';
		memcpy(path + f->plen + (f->plen ? 1 : 0), ch->name, ch->len + 1);
		struct rnode n;
		if (rsrc_child(rc->src, &f->list, f->i - 1, &n)) {
			add_loss(rc, path, 0, "skipped: %s", rc_msg());
			rc_clear();
			rsrc_release(rc->src, &n);
			continue;
		}
		int seen = seen_dir(rc, &n, path);
		if (seen) {
			rsrc_release(rc->src, &n);
			r = seen < 0 ? seen : 0;
			continue;
		}
		if ((r = emit(rc, &n, path))) {
			rsrc_release(rc->src, &n);
			break;
		}
		if (enter_ok(rc, &n, path, 0, (int)nf))
			r = push(rc, &fs, &nf, &cap, &n, path);
		else
			rsrc_release(rc->src, &n);
	}
	while (nf) {
		rsrc_list_free(&fs[nf - 1].list);
		rsrc_release(rc->src, &fs[--nf].node);
	}
	free(fs);
	return r;
}

int recover_path(struct recover *rc, const char *path)
{
	char *p = malloc(RECOVER_MAX_PATH);
	if (!p)
		return -ENOMEM;
	int r = recover_norm_path(path, p, RECOVER_MAX_PATH);
	struct rnode top;
	if (!r && (r = rsrc_lookup(rc->src, path, &top)) == -ENOENT)
		r = rc_failx(RC_EXIT_NOTFOUND, ENOENT, "%s: no such file or directory in the target", path);
	else if (r && r != -EINVAL)
		rc_context(r, "%s", path);
	if (r) {
		free(p);
		return r;
	}
	if ((r = seen_dir(rc, &top, p)) != 0) {
		rsrc_release(rc->src, &top);
		free(p);
		return r < 0 ? r : 0;
	}
	if (p[0] && (r = emit(rc, &top, p))) {
		rsrc_release(rc->src, &top);
		free(p);
		return r;
	}
	if (enter_ok(rc, &top, p, 1, 0))
		r = walk(rc, &top, p);
	else
		rsrc_release(rc->src, &top);
	free(p);
	return r;
}

int recover_init(struct recover *rc, struct rsrc *src)
{
	memset(rc, 0, sizeof(*rc));
	rc->src = src;
	rc->links = calloc(1, sizeof(*rc->links));
	rc->dirs = calloc(1, sizeof(*rc->dirs));
	rc->zeros = calloc(2, CHUNK);
	if (!rc->links || !rc->dirs || !rc->zeros) {
		recover_free(rc);
		return -ENOMEM;
	}
	return 0;
}

int recover_set_names(struct recover *rc, const char *passwd, size_t plen, const char *group, size_t glen)
{
	idmap_free(&rc->users);
	idmap_free(&rc->groups);
	if (passwd && idmap_parse(&rc->users, passwd, plen) < 0)
		return -ENOMEM;
	if (group && idmap_parse(&rc->groups, group, glen) < 0)
		return -ENOMEM;
	return 0;
}

void recover_free(struct recover *rc)
{
	id_free(rc->links);
	id_free(rc->dirs);
	free(rc->zeros);
	idmap_free(&rc->users);
	idmap_free(&rc->groups);
	for (size_t i = 0; i < rc->nloss; i++) {
		free(rc->loss[i].path);
		free(rc->loss[i].what);
	}
	free(rc->loss);
	for (size_t i = 0; i < rc->nnotes; i++)
		free(rc->notes[i]);
	free(rc->notes);
	memset(rc, 0, sizeof(*rc));
}
