/* nftables reader: tokens, includes and defines. */
#include "fwnft_priv.h"
#include "err.h"
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int push(struct nlex *l, enum ntt t, const char *s, int file, int line)
{
	if (l->n >= NFT_MAX_TOKENS) {
		if (!l->err[0])
			snprintf(l->err, sizeof(l->err), "%s line %d: more than %d tokens", l->files[file], line,
				 NFT_MAX_TOKENS);
		return 0;
	}
	if (l->n + 1 >= l->cap) {
		int cap = l->cap ? l->cap * 2 : 1024;
		struct ntok *n = realloc(l->t, (size_t)cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		l->t = n, l->cap = cap;
	}
	l->t[l->n++] = (struct ntok){ t, s, file, line };
	return 0;
}

static int is_wordc(int c)
{
	return isalnum(c) || c == '_' || c == '.' || c == '-' || c == '/' || c == '*';
}

/* An IPv6 address (with "::" or two ':' at least) at P: its length, else 0. */
static size_t ipv6_len(const char *p, const char *end)
{
	size_t n = 0, colons = 0;
	int dbl = 0;
	while (p + n < end && (isxdigit((unsigned char)p[n]) || p[n] == ':' || p[n] == '.')) {
		if (p[n] == ':') {
			colons++;
			dbl |= n && p[n - 1] == ':';
		}
		n++;
	}
	if ((!dbl && colons < 2) || (p + n < end && (isalpha((unsigned char)p[n]) || p[n] == '_')))
		return 0;
	while (p + n < end && (isdigit((unsigned char)p[n]) || p[n] == '/' || p[n] == '-'))
		n++;   /* a prefix length or range */
	return n;
}

static int add_file(struct nlex *l, const char *name, char *buf)
{
	char **f = realloc(l->files, (size_t)(l->nfiles + 1) * sizeof(char *));
	if (!f)
		return -ENOMEM;
	l->files = f;
	char **b = realloc(l->bufs, (size_t)(l->nbufs + 1) * sizeof(char *));
	if (!b)
		return -ENOMEM;
	l->bufs = b;
	if (!(l->files[l->nfiles] = strdup(name)))
		return -ENOMEM;
	l->bufs[l->nbufs++] = buf;
	return l->nfiles++;
}

static int do_include(struct nlex *l, const struct fsrc *src, int fi, int line, const char *pat, int depth);

/* Is token N the start of a statement (after a newline, ';', '{' or nothing)? */
static int stmt_start(const struct nlex *l, int n)
{
	return n == 0 || l->t[n - 1].t == NT_NL || (l->t[n - 1].t == NT_PUNCT && strchr(";{}", l->t[n - 1].s[0]));
}

static int lex_one(struct nlex *l, const char **pp, const char *end, char **out, int fi, int *line)
{
	const char *p = *pp;
	char *o = *out;
	int r = 0;
	if (*p == '"') {
		const char *q = memchr(p + 1, '"', (size_t)(end - p - 1));
		const char *nl = memchr(p + 1, '\n', (size_t)(end - p - 1));
		if (!q || (nl && nl < q)) {
			snprintf(l->err, sizeof(l->err), "%s line %d: a string is not closed", l->files[fi], *line);
			return 0;
		}
		memcpy(o, p + 1, (size_t)(q - p - 1));
		o[q - p - 1] = 0;
		r = push(l, NT_STR, o, fi, *line);
		*out = o + (q - p);
		*pp = q + 1;
		return r;
	}
	size_t n = ipv6_len(p, end);
	if (!n)
		while (p + n < end && is_wordc((unsigned char)p[n]))
			n++;
	int punct = !n || (n == 1 && *p == '.');
	if (punct) {
		static const char *const two[] = { "!=", "==", "<=", ">=", "<<", ">>" };
		n = 1;
		for (size_t k = 0; k < 6; k++)
			if (end - p >= 2 && !memcmp(p, two[k], 2))
				n = 2;
	}
	memcpy(o, p, n);
	o[n] = 0;
	r = push(l, punct ? NT_PUNCT : NT_WORD, o, fi, *line);
	*out = o + n + 1;
	*pp = p + n;
	return r;
}

int nlex_file(struct nlex *l, const struct fsrc *src, const char *file, const char *text, size_t len, int depth)
{
	char *buf = malloc(2 * len + 16);
	if (!buf)
		return -ENOMEM;
	int fi = add_file(l, file, buf);
	if (fi < 0) {
		free(buf);
		return fi;
	}
	const char *p = text, *end = text + len, *ls = text;
	char *o = buf;
	int line = 1, r = 0;
	while (!r && p < end && !l->err[0]) {
		if ((size_t)(p - ls) > FSRC_MAX_LINE) {
			snprintf(l->err, sizeof(l->err), "%s line %d: longer than %zu bytes", file, line, FSRC_MAX_LINE);
			break;
		}
		if (*p == '\n') {
			r = push(l, NT_NL, "\n", fi, line++);
			ls = ++p;
		} else if (*p == '\\' && p + 1 < end && p[1] == '\n') {
			p += 2, line++, ls = p;
		} else if (*p == '#') {
			while (p < end && *p != '\n')
				p++;
		} else if (isspace((unsigned char)*p)) {
			p++;
		} else if (!*p) {
			snprintf(l->err, sizeof(l->err), "%s line %d: a NUL byte: not a text file", file, line);
		} else {
			r = lex_one(l, &p, end, &o, fi, &line);
			int n = l->n;
			if (!r && n >= 2 && l->t[n - 1].t == NT_STR && l->t[n - 2].t == NT_WORD &&
			    !strcmp(l->t[n - 2].s, "include") && stmt_start(l, n - 2)) {
				l->n -= 2;
				r = do_include(l, src, fi, line, l->t[n - 1].s, depth);
			}
		}
	}
	if (!r && !l->err[0] && (size_t)(p - ls) > FSRC_MAX_LINE)
		snprintf(l->err, sizeof(l->err), "%s line %d: longer than %zu bytes", file, line, FSRC_MAX_LINE);
	if (!r)
		r = push(l, NT_NL, "\n", fi, line);
	return r;
}

static int lex_path(struct nlex *l, const struct fsrc *src, const char *path, int depth, int fi, int line)
{
	char *text;
	size_t len;
	if (l->nfiles >= NFT_MAX_FILES) {
		snprintf(l->err, sizeof(l->err), "%s line %d: more than %d files included", l->files[fi], line,
			 NFT_MAX_FILES);
		return 0;
	}
	int r = src ? fsrc_read(src, path, &text, &len, NFT_MAX_FILE) : -ENOENT;
	if (r == -EFBIG) {
		snprintf(l->err, sizeof(l->err), "%s: larger than %zu bytes", path, NFT_MAX_FILE);
		return 0;
	}
	if (r) {
		snprintf(l->err, sizeof(l->err), "%s line %d: include \"%s\" cannot be read (%s): nft refuses the "
			 "whole file then", l->files[fi], line, path, strerror(-r));
		return 0;
	}
	r = nlex_file(l, src, path, text, len, depth + 1);
	free(text);
	return r;
}

/* include "PAT": relative names are looked for beside the including file,
 * then in /etc (nft's default include path); a glob that matches nothing
 * is no error, a missing plain file is. */
static int do_include(struct nlex *l, const struct fsrc *src, int fi, int line, const char *pat, int depth)
{
	if (depth + 1 > NFT_MAX_DEPTH) {
		snprintf(l->err, sizeof(l->err), "%s line %d: includes nest deeper than %d", l->files[fi], line,
			 NFT_MAX_DEPTH);
		return 0;
	}
	char full[PATH_MAX];
	if (pat[0] != '/') {
		const char *cur = l->files[fi], *slash = strrchr(cur, '/');
		snprintf(full, sizeof(full), "%.*s/%s", slash ? (int)(slash - cur) : 0, cur, pat);
		int glob = strpbrk(pat, "*?[") != NULL;
		if (!glob && src && !fsrc_exists(src, full))
			snprintf(full, sizeof(full), "/etc/%s", pat);
	} else {
		snprintf(full, sizeof(full), "%s", pat);
	}
	if (!strpbrk(full, "*?["))
		return lex_path(l, src, full, depth, fi, line);
	char **paths = NULL;
	size_t n = 0;
	int r = src ? fsrc_glob(src, full, NFT_MAX_FILES, &paths, &n) : 0;
	if (r == -E2BIG) {
		snprintf(l->err, sizeof(l->err), "%s line %d: include \"%s\" matches more than %d files", l->files[fi],
			 line, pat, NFT_MAX_FILES);
		r = 0;
	} else if (r < 0 && r != -ENOMEM) {
		snprintf(l->err, sizeof(l->err), "%s line %d: include \"%s\": %s", l->files[fi], line, pat, rc_msg());
		r = 0;
	}
	for (size_t i = 0; !r && i < n && !l->err[0]; i++)
		if (fsrc_type(src, paths[i], 1) == 'f')
			r = lex_path(l, src, paths[i], depth, fi, line);
	if (paths)
		tree_free_list(paths, n);
	return r;
}

struct ndef { const char *name; struct ntok *v; int n; };

static int def_find(struct ndef *d, int nd, const char *name)
{
	for (int i = nd - 1; i >= 0; i--)
		if (!strcmp(d[i].name, name))
			return i;
	return -1;
}

/* define NAME = VALUE (up to the end of the statement, braces balanced). */
static int def_read(struct nlex *l, int i, struct ntok *out, int nout, struct ndef *d)
{
	int j = i + 3, depth = 0, k = 0;
	for (; j < l->n; j++) {
		const struct ntok *t = &l->t[j];
		if (depth == 0 && (t->t == NT_NL || (t->t == NT_PUNCT && t->s[0] == ';')))
			break;
		if (t->t == NT_PUNCT && t->s[0] == '{')
			depth++;
		if (t->t == NT_PUNCT && t->s[0] == '}')
			depth--;
	}
	d->v = out + nout;
	d->n = 0;
	for (k = i + 3; k < j; k++)
		out[nout + d->n++] = l->t[k];
	return j;
}

/* define NAME = VALUE at token I: VALUE (its own $vars expanded) into D[*ND].
 * Returns the index of the statement's end, or -ENOMEM. */
static int def_add(struct nlex *l, int i, struct ntok *scratch, struct ndef *d, int *nd)
{
	struct ndef nd1 = { l->t[i + 1].s, NULL, 0 };
	const struct ntok *t = &l->t[i];
	int end = def_read(l, i, scratch, 0, &nd1);
	struct ntok tmp[512];
	int nt = 0;
	for (int k = 0; k < nd1.n && nt < 512; k++) {
		int di = nd1.v[k].t == NT_PUNCT && nd1.v[k].s[0] == '$' && k + 1 < nd1.n ? def_find(d, *nd, nd1.v[k + 1].s) : -1;
		if (di < 0) {
			tmp[nt++] = nd1.v[k];
			continue;
		}
		for (int m = 0; m < d[di].n && nt < 512; m++)
			tmp[nt++] = d[di].v[m];
		k++;
	}
	if (nt >= 512) {
		snprintf(l->err, sizeof(l->err), "%s line %d: define %s is too long", l->files[t->file], t->line, nd1.name);
		return end;
	}
	struct ntok *store = malloc((size_t)(nt ? nt : 1) * sizeof(*store));
	if (!store)
		return -ENOMEM;
	memcpy(store, tmp, (size_t)nt * sizeof(*store));
	d[(*nd)++] = (struct ndef){ nd1.name, store, nt };
	return end;
}

/* $NAME at token I: its value into OUT at *NO. 0, or an error in L->err. */
static int def_use(struct nlex *l, int i, struct ntok *out, int *no, int cap, struct ndef *d, int nd)
{
	const struct ntok *t = &l->t[i];
	int di = def_find(d, nd, l->t[i + 1].s);
	if (di < 0) {
		snprintf(l->err, sizeof(l->err), "%s line %d: $%s is not defined: nft refuses the file", l->files[t->file],
			 t->line, l->t[i + 1].s);
		return -1;
	}
	if (*no + d[di].n > cap) {
		snprintf(l->err, sizeof(l->err), "%s line %d: defines expand too far", l->files[t->file], t->line);
		return -1;
	}
	for (int m = 0; m < d[di].n; m++) {
		out[*no] = d[di].v[m];
		out[*no].line = t->line, out[(*no)++].file = t->file;
	}
	return 0;
}

int nlex_defines(struct nlex *l)
{
	int cap = l->n * 2 + 1, no = 0, nd = 0, r = 0;
	struct ntok *out = malloc((size_t)cap * sizeof(*out)), *scratch = malloc((size_t)(l->n + 1) * sizeof(*out));
	struct ndef *d = calloc((size_t)l->n + 1, sizeof(*d));
	if (!out || !d || !scratch) {
		free(out), free(d), free(scratch);
		return -ENOMEM;
	}
	for (int i = 0; i < l->n && !l->err[0] && !r; i++) {
		const struct ntok *t = &l->t[i];
		if (t->t == NT_WORD && (!strcmp(t->s, "define") || !strcmp(t->s, "redefine")) && i + 2 < l->n &&
		    l->t[i + 1].t == NT_WORD && l->t[i + 2].t == NT_PUNCT && !strcmp(l->t[i + 2].s, "=")) {
			int e = def_add(l, i, scratch, d, &nd);
			r = e < 0 ? e : 0;
			i = e - 1;
		} else if (t->t == NT_PUNCT && t->s[0] == '$' && i + 1 < l->n && l->t[i + 1].t == NT_WORD) {
			if (def_use(l, i, out, &no, cap, d, nd))
				break;
			i++;
		} else {
			out[no++] = *t;
		}
	}
	for (int i = 0; i < nd; i++)
		free(d[i].v);
	free(d), free(scratch), free(l->t);
	l->t = out, l->n = no, l->cap = cap;
	return r;
}

void nlex_free(struct nlex *l)
{
	for (int i = 0; i < l->nfiles; i++)
		free(l->files[i]);
	for (int i = 0; i < l->nbufs; i++)
		free(l->bufs[i]);
	free(l->files), free(l->bufs), free(l->t);
	memset(l, 0, sizeof(*l));
}
