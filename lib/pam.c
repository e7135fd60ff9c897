/* The target's PAM configuration: nullok, and the hash passwd makes. See pam.h. */
#include "pam.h"
#include "err.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PAM_MAX_TOKENS 64   /* tokens of one line looked at (type, control, module, args) */

/* ---- lines and tokens ---------------------------------------------------------- */

/* The next logical line of [*P, END) into BUF (PAM_MAX_LINE + 1 bytes):
 * '#' comments cut, trailing blanks dropped, a trailing backslash joining
 * the next physical line. *LINENO counts physical lines; *FIRST is where
 * the logical line starts. 1, 0 at the end, or -errno with a message. */
static int next_logical(const char **p, const char *end, const char *file, int *lineno, int *first, char *buf)
{
	size_t n = 0;
	int have = 0;
	while (*p < end) {
		const char *s = *p, *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end;
		*p = nl ? nl + 1 : end;
		++*lineno;
		if (!have++)
			*first = *lineno;
		if (memchr(s, 0, (size_t)(e - s)))
			return rc_fail(EINVAL, "%s line %d: a NUL byte: the file is damaged; not read further", file, *lineno);
		const char *hash = memchr(s, '#', (size_t)(e - s));
		if (hash)
			e = hash;
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		size_t len = (size_t)(e - s);
		if (n + len > PAM_MAX_LINE)
			return rc_fail(E2BIG, "%s line %d: the line is longer than %zu bytes; not read further",
				       file, *first, PAM_MAX_LINE);
		memcpy(buf + n, s, len);
		n += len;
		if (len && buf[n - 1] == '\\') {
			buf[n - 1] = ' ';
			continue;
		}
		break;
	}
	buf[n] = 0;
	return have ? 1 : 0;
}

/* Split S in place: blanks separate tokens, and a token that starts with
 * '[' runs to its closing ']' (a "\]" inside does not close it), blanks
 * included. Returns how many were kept in AV (at most MAX). */
static int split_tokens(char *s, char **av, int max)
{
	int n = 0;
	while (n < max) {
		while (*s == ' ' || *s == '\t' || *s == '\r')
			s++;
		if (!*s)
			break;
		av[n++] = s;
		if (*s == '[') {
			for (s++; *s && !(*s == ']' && s[-1] != '\\'); s++)
				;
			if (*s)
				s++;
		}
		while (*s && *s != ' ' && *s != '\t' && *s != '\r')
			s++;
		if (*s)
			*s++ = 0;
	}
	return n;
}

/* The module name without directories ("/lib/security/pam_unix.so" -> "pam_unix.so"). */
static const char *module_base(const char *mod)
{
	const char *b = strrchr(mod, '/');
	return b ? b + 1 : mod;
}

/* Is AV[0] this type? A leading '-' only silences a missing module. */
static int is_type(const char *tok, const char *type)
{
	return !strcasecmp(tok[0] == '-' ? tok + 1 : tok, type);
}

/* ---- nullok -------------------------------------------------------------------- */

static void nullok_line(char **av, int ac, int lineno, struct pam_file *p)
{
	if (ac < 3 || !is_type(av[0], "auth"))
		return;
	const char *b = module_base(av[2]);
	if (strcmp(b, "pam_unix.so") && strcmp(b, "pam_unix"))
		return;
	if (!p->unix_auth) {
		p->unix_auth = 1;
		p->line = lineno;
	}
	for (int i = 3; i < ac; i++)
		if (!strcmp(av[i], "nullok") || !strcmp(av[i], "nullok_secure")) {
			p->nullok = 1;
			p->line = lineno;
			snprintf(p->arg, sizeof(p->arg), "%s", av[i]);
		}
}

int pam_parse(const char *text, size_t len, struct pam_file *p)
{
	const char *s = text, *end = text + len;
	const char *file = p->path ? p->path : "PAM file";
	int lineno = 0, first = 0, r = 0;
	p->unix_auth = p->nullok = p->line = 0;
	p->arg[0] = 0;
	char *line = malloc(PAM_MAX_LINE + 1);
	if (!line)
		return rc_fail(ENOMEM, "out of memory reading %s", file);
	while (!p->nullok && (r = next_logical(&s, end, file, &lineno, &first, line)) > 0) {
		char *av[PAM_MAX_TOKENS];
		nullok_line(av, split_tokens(line, av, PAM_MAX_TOKENS), first, p);
	}
	free(line);
	return r < 0 && !p->nullok ? r : 0;
}

int pam_scan(struct tree *t, struct pam_file out[PAM_FILES])
{
	static const char *const files[PAM_FILES] = {
		"/etc/pam.d/common-auth", "/etc/pam.d/system-auth", "/etc/pam.d/password-auth",
	};
	for (int i = 0; i < PAM_FILES; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].path = files[i];
		char *buf;
		size_t len;
		int r = tree_read(t, files[i], &buf, &len, PAM_MAX_FILE);
		if (r == -ENOENT)
			continue;
		if (r)
			return r;
		out[i].exists = 1;
		r = pam_parse(buf, len, &out[i]);
		free(buf);
		if (r)
			return r;
	}
	return 0;
}

/* ---- the password stack of passwd --------------------------------------------- */

void pam_hash_args(char **argv, int argc, struct pam_hash *h)
{
	/* pam_unix's hash options; each clears the others, so the last one counts. */
	static const char *const hashes[] = {
		"md5", "bigcrypt", "sha256", "sha512", "blowfish", "gost_yescrypt", "yescrypt",
	};
	for (int i = 0; i < argc; i++) {
		for (size_t k = 0; k < sizeof(hashes) / sizeof(hashes[0]); k++)
			if (!strcmp(argv[i], hashes[k]))
				snprintf(h->hash, sizeof(h->hash), "%s", hashes[k]);
		if (!strncmp(argv[i], "rounds=", 7)) {
			char *e;
			long v = strtol(argv[i] + 7, &e, 10);
			h->rounds = (e == argv[i] + 7 || v < 0) ? 0 : v;
		}
	}
}

struct walk {
	struct tree *t;
	struct pam_hash *h;
	size_t bytes;
	char *line;    /* the logical line being looked at, PAM_MAX_LINE + 1 */
};

/* Read PATH, counted against the limits. -ENOENT (no message needed) when
 * there is no such file. */
static int load(struct walk *w, const char *path, char **buf, size_t *len)
{
	if (w->h->files >= PAM_MAX_FILES)
		return rc_fail(E2BIG, "more than %d PAM files to read for passwd's password stack; not read further",
			       PAM_MAX_FILES);
	int r = tree_read(w->t, path, buf, len, PAM_MAX_FILE);
	if (r)
		return r;
	w->h->files++;
	w->bytes += *len;
	if (w->bytes > PAM_MAX_BYTES) {
		free(*buf);
		return rc_fail(E2BIG, "more than %zu bytes of PAM files for passwd's password stack; not read further",
			       PAM_MAX_BYTES);
	}
	return 0;
}

static int walk_text(struct walk *w, const char *path, const char *text, size_t len, int depth);

/* An @include, include or substack line of FILE: read NAME the way libpam
 * finds it, one level deeper. 1 when the pam_unix line was found in it. */
static int walk_include(struct walk *w, const char *name, const char *how, const char *file, int lineno, int depth)
{
	if (depth + 1 >= PAM_MAX_DEPTH)
		return rc_fail(ELOOP, "%s line %d: %s %s: includes nested %d levels deep; libpam gives up there too "
			       "(\"maximum level of substacks reached\")", file, lineno, how, name, PAM_MAX_DEPTH);
	char path[4096], cand[2][4096];
	int ncand = 1;
	if (name[0] == '/') {
		snprintf(cand[0], sizeof(cand[0]), "%s", name);
	} else {
		snprintf(cand[0], sizeof(cand[0]), "/etc/pam.d/%s", name);
		snprintf(cand[1], sizeof(cand[1]), "/usr/lib/pam.d/%s", name);
		ncand = 2;
	}
	char *buf = NULL;
	size_t len = 0;
	int r = -ENOENT;
	for (int i = 0; i < ncand && r == -ENOENT; i++) {
		snprintf(path, sizeof(path), "%s", cand[i]);
		r = load(w, path, &buf, &len);
	}
	if (r == -ENOENT)
		return rc_fail(ENOENT, "%s line %d: %s %s: no such file in the target (its passwd cannot load "
			       "this PAM stack)", file, lineno, how, name);
	if (r)
		return rc_context(r, "%s line %d: %s %s", file, lineno, how, name);
	r = walk_text(w, path, buf, len, depth + 1);
	free(buf);
	return r;
}

/* One logical line of the stack. 1: the pam_unix line (recorded), 0: go on. */
static int walk_line(struct walk *w, char **av, int ac, const char *file, int lineno, int depth)
{
	if (ac >= 2 && !strcmp(av[0], "@include"))
		return walk_include(w, av[1], "@include", file, lineno, depth);
	if (ac < 3 || !is_type(av[0], "password"))
		return 0;
	if (!strcasecmp(av[1], "include") || !strcasecmp(av[1], "substack")) {
		char how[32];
		snprintf(how, sizeof(how), "password %s", av[1]);
		return walk_include(w, av[2], how, file, lineno, depth);
	}
	const char *b = module_base(av[2]);
	if (strcmp(b, "pam_unix.so") && strcmp(b, "pam_unix_passwd.so") && strcmp(b, "pam_unix2.so"))
		return 0;
	struct pam_hash *h = w->h;
	h->found = 1;
	snprintf(h->module, sizeof(h->module), "%s", b);
	snprintf(h->file, sizeof(h->file), "%s", file);
	h->line = lineno;
	pam_hash_args(av + 3, ac - 3, h);
	return 1;
}

static int walk_text(struct walk *w, const char *path, const char *text, size_t len, int depth)
{
	const char *p = text, *end = text + len;
	int lineno = 0, first = 0, r;
	char name[4096];
	snprintf(name, sizeof(name), "%s", path);  /* PATH may be a buffer the next level reuses */
	while ((r = next_logical(&p, end, name, &lineno, &first, w->line)) > 0) {
		char *av[PAM_MAX_TOKENS];
		int ac = split_tokens(w->line, av, PAM_MAX_TOKENS);
		if ((r = walk_line(w, av, ac, name, first, depth)))
			break;
	}
	return r;
}

int pam_passwd_hash(struct tree *t, struct pam_hash *h)
{
	static const char *const services[] = {
		"/etc/pam.d/passwd", "/usr/lib/pam.d/passwd", "/etc/pam.d/other", "/usr/lib/pam.d/other",
	};
	memset(h, 0, sizeof(*h));
	h->rounds = -1;
	struct walk w = { .t = t, .h = h };
	if (!(w.line = malloc(PAM_MAX_LINE + 1)))
		return rc_fail(ENOMEM, "out of memory reading the PAM configuration");
	int r = 0;
	for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++) {
		char *buf;
		size_t len;
		r = load(&w, services[i], &buf, &len);
		if (r == -ENOENT) {
			r = 0;
			continue;
		}
		if (r)
			break;
		snprintf(h->service, sizeof(h->service), "%s", services[i]);
		r = walk_text(&w, services[i], buf, len, 0);
		free(buf);
		break;
	}
	free(w.line);
	return r < 0 ? r : 0;
}
