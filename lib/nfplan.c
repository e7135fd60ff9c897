/* nfplan: findings and fix plans of the network and firewall analysis. */
#include "nfplan.h"
#include "err.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct nf_finding *nf_add(struct nf_findings *fs, const char *id, enum nf_sev sev, const char *file, int line,
			  const char *seen, const char *fmt, ...)
{
	if (fs->n == fs->cap) {
		int cap = fs->cap ? fs->cap * 2 : 8;
		struct nf_finding *n = realloc(fs->f, (size_t)cap * sizeof(*n));
		if (!n)
			return NULL;
		fs->f = n, fs->cap = cap;
	}
	struct nf_finding *f = &fs->f[fs->n++];
	memset(f, 0, sizeof(*f));
	snprintf(f->id, sizeof(f->id), "%s", id);
	f->sev = sev;
	snprintf(f->file, sizeof(f->file), "%s", file ? file : "");
	f->line = line;
	snprintf(f->seen, sizeof(f->seen), "%s", seen ? seen : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->what, sizeof(f->what), fmt, ap);
	va_end(ap);
	return f;
}

void nf_findings_free(struct nf_findings *fs)
{
	free(fs->f);
	memset(fs, 0, sizeof(*fs));
}

static struct nf_edit *find_edit(const struct nf_plan *p, const char *path)
{
	for (int i = p->n - 1; i >= 0; i--)
		if (!strcmp(p->e[i].path, path))
			return &p->e[i];
	return NULL;
}

static struct nf_edit *new_edit(struct nf_plan *p, enum nf_edit_kind k, const char *path, const char *what)
{
	if (p->n == p->cap) {
		int cap = p->cap ? p->cap * 2 : 8;
		struct nf_edit *n = realloc(p->e, (size_t)cap * sizeof(*n));
		if (!n)
			return NULL;
		p->e = n, p->cap = cap;
	}
	struct nf_edit *e = &p->e[p->n++];
	memset(e, 0, sizeof(*e));
	e->kind = k;
	snprintf(e->path, sizeof(e->path), "%s", path);
	snprintf(e->what, sizeof(e->what), "%s", what);
	return e;
}

static char *dup_mem(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = 0;
	}
	return d;
}

int nfplan_text(struct nf_plan *p, const struct fsrc *src, const char *path, const char *text, size_t len,
		const char *what)
{
	struct nf_edit *e = find_edit(p, path);
	if (e && e->kind != NF_EDIT_UNLINK) {
		char *n = dup_mem(text, len);
		if (!n)
			return -ENOMEM;
		free(e->new);
		e->new = n, e->newlen = len;
		size_t l = strlen(e->what);
		snprintf(e->what + l, sizeof(e->what) - l, "; %s", what);
		return 0;
	}
	char *old;
	size_t oldlen;
	int r = fsrc_read(src, path, &old, &oldlen, (size_t)16 << 20);
	if (r)
		return r == -ENOENT ? rc_fail(ENOENT, "%s: no such file to edit", path) : r;
	if (!(e = new_edit(p, NF_EDIT_TEXT, path, what)) || !(e->new = dup_mem(text, len))) {
		free(old);
		return -ENOMEM;
	}
	e->old = old, e->oldlen = oldlen, e->newlen = len;
	return 0;
}

int nfplan_create(struct nf_plan *p, const char *path, const char *text, size_t len, mode_t mode, const char *what)
{
	struct nf_edit *e = new_edit(p, NF_EDIT_CREATE, path, what);
	if (!e || !(e->new = dup_mem(text, len)))
		return -ENOMEM;
	e->newlen = len, e->mode = mode;
	return 0;
}

int nfplan_unlink(struct nf_plan *p, const char *path, const char *what)
{
	return new_edit(p, NF_EDIT_UNLINK, path, what) ? 0 : -ENOMEM;
}

int nfplan_read(struct nf_plan *p, const struct fsrc *src, const char *path, size_t max, char **text, size_t *len)
{
	struct nf_edit *e = find_edit(p, path);
	if (!e)
		return fsrc_read(src, path, text, len, max);
	if (e->kind == NF_EDIT_UNLINK)
		return -ENOENT;
	*len = e->newlen;
	return (*text = dup_mem(e->new, e->newlen)) ? 0 : -ENOMEM;
}

void nfplan_free(struct nf_plan *p)
{
	for (int i = 0; i < p->n; i++)
		free(p->e[i].old), free(p->e[i].new);
	free(p->e);
	memset(p, 0, sizeof(*p));
}

/* ---- the overlay view ------------------------------------------------------ */

static int o_read(void *ctx, const char *path, char **buf, size_t *len, size_t max)
{
	struct nf_overlay *o = ctx;
	struct nf_edit *e = find_edit(o->p, path);
	if (!e)
		return fsrc_read(o->base, path, buf, len, max);
	if (e->kind == NF_EDIT_UNLINK)
		return -ENOENT;
	if (e->newlen > max)
		return -EFBIG;
	*len = e->newlen;
	return (*buf = dup_mem(e->new, e->newlen)) ? 0 : -ENOMEM;
}

static int o_type(void *ctx, const char *path, int follow, char *type)
{
	struct nf_overlay *o = ctx;
	struct nf_edit *e = find_edit(o->p, path);
	if (e) {
		*type = 'f';
		return e->kind == NF_EDIT_UNLINK ? -ENOENT : 0;
	}
	*type = fsrc_type(o->base, path, follow);
	return *type ? 0 : -ENOENT;
}

static int o_readlink(void *ctx, const char *path, char *buf, size_t sz)
{
	struct nf_overlay *o = ctx;
	struct nf_edit *e = find_edit(o->p, path);
	if (e)
		return e->kind == NF_EDIT_UNLINK ? -ENOENT : -EINVAL;
	return fsrc_readlink(o->base, path, buf, sz);
}

static int in_dir(const char *path, const char *dir, const char **base)
{
	size_t l = strlen(dir);
	if (strncmp(path, dir, l) || path[l] != '/' || strchr(path + l + 1, '/'))
		return 0;
	*base = path + l + 1;
	return 1;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int o_list(void *ctx, const char *path, char ***names, size_t *n)
{
	struct nf_overlay *o = ctx;
	char **b = NULL;
	size_t nb = 0;
	int r = fsrc_list(o->base, path, &b, &nb);
	if (r && r != -ENOENT)
		return r;
	char **out = calloc(nb + (size_t)o->p->n + 1, sizeof(char *));
	size_t k = 0;
	const char *base;
	for (size_t i = 0; out && i < nb; i++) {
		char full[PATH_MAX];
		snprintf(full, sizeof(full), "%s/%s", path, b[i]);
		struct nf_edit *e = find_edit(o->p, full);
		if (!(e && e->kind == NF_EDIT_UNLINK))
			out[k++] = strdup(b[i]);
	}
	for (int i = 0; out && i < o->p->n; i++)
		if (o->p->e[i].kind == NF_EDIT_CREATE && in_dir(o->p->e[i].path, path, &base))
			out[k++] = strdup(base);
	if (b)
		tree_free_list(b, nb);
	if (!out)
		return -ENOMEM;
	if (r == -ENOENT && !k) {
		free(out);
		return -ENOENT;
	}
	qsort(out, k, sizeof(char *), cmp_names);
	*names = out, *n = k;
	return 0;
}

static const struct fsrc_ops overlay_ops = { o_read, o_list, o_type, o_readlink };

void nfplan_overlay(struct fsrc *view, struct nf_overlay *o, const struct fsrc *base, const struct nf_plan *p)
{
	o->base = base, o->p = p;
	view->ops = &overlay_ops;
	view->ctx = o;
}

/* ---- text helpers ------------------------------------------------------------ */

static size_t line_start(const char *text, size_t len, int line)
{
	size_t p = 0;
	for (int l = 1; l < line && p < len; l++) {
		const char *nl = memchr(text + p, '\n', len - p);
		p = nl ? (size_t)(nl - text) + 1 : len;
	}
	return p;
}

char *nf_insert_line(const char *text, size_t len, int line, const char *ins, size_t *outlen)
{
	size_t at = line_start(text, len, line), il = strlen(ins);
	int need_nl = at == len && len && text[len - 1] != '\n';
	char *out = malloc(len + il + 2);
	if (!out)
		return NULL;
	memcpy(out, text, at);
	size_t o = at;
	if (need_nl)
		out[o++] = '\n';
	memcpy(out + o, ins, il);
	o += il;
	memcpy(out + o, text + at, len - at);
	o += len - at;
	out[o] = 0;
	*outlen = o;
	return out;
}

void nf_indent_of(const char *text, size_t len, int line, char *out, size_t sz)
{
	size_t p = line_start(text, len, line), n = 0;
	while (p + n < len && (text[p + n] == ' ' || text[p + n] == '\t') && n + 1 < sz)
		n++;
	memcpy(out, text + p, n);
	out[n] = 0;
}

/* ---- tests: apply to a directory -------------------------------------------- */

int nfplan_apply_dir(const struct nf_plan *p, const char *root)
{
	for (int i = 0; i < p->n; i++) {
		const struct nf_edit *e = &p->e[i];
		char full[PATH_MAX];
		snprintf(full, sizeof(full), "%s%s", root, e->path);
		if (e->kind == NF_EDIT_UNLINK) {
			if (unlink(full))
				return rc_fail(errno, "unlink %s", full);
			continue;
		}
		int fd = open(full, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, e->kind == NF_EDIT_CREATE ? e->mode : 0644);
		if (fd < 0)
			return rc_fail(errno, "open %s", full);
		ssize_t w = write(fd, e->new, e->newlen);
		close(fd);
		if (w != (ssize_t)e->newlen)
			return rc_fail(EIO, "write %s", full);
	}
	return 0;
}
