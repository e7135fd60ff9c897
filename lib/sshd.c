/* sshd_config, PAM and SELinux facts about the target. See sshd.h. */
#include "sshd.h"
#include "err.h"
#include <ctype.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SSHDIR "/etc/ssh"

/* Port N, or ListenAddress HOST:PORT / [V6]:PORT (a bare address listens on the Port lines). */
static void add_port(struct sshd_conf *c, const char *k, const char *val, const char *file, int line)
{
	const char *p = val;
	if (!strcasecmp(k, "ListenAddress")) {
		const char *br = strchr(val, ']'), *colon = strrchr(val, ':');
		if (val[0] == '[' ? !(br && br[1] == ':') : !(colon && colon == strchr(val, ':')))
			return;
		p = (val[0] == '[' ? br + 1 : colon) + 1;
	}
	if (c->nports < SSHD_MAX_PORTS) {
		struct sshd_opt *o = &c->port[c->nports++];
		snprintf(o->value, sizeof(o->value), "%s", p);
		snprintf(o->file, sizeof(o->file), "%s", file);
		o->line = line;
	}
}

static void set_opt(struct sshd_opt *o, const char *val, const char *file, int line)
{
	if (o->value[0])
		return;  /* first match wins */
	snprintf(o->value, sizeof(o->value), "%s", val);
	for (char *p = o->value; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	snprintf(o->file, sizeof(o->file), "%s", file);
	o->line = line;
}

/* The next line of [*P, END) without its '\n'; 0 at the end. */
static int next_line(const char **p, const char *end, const char **line, size_t *n)
{
	if (*p >= end)
		return 0;
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	*line = *p;
	*n = (size_t)((nl ? nl : end) - *p);
	*p = nl ? nl + 1 : end;
	return 1;
}

/* A problem met reading the configuration: counted, the first one kept.
 * REFUSES: sshd itself would not start with it. */
static void note(struct sshd_conf *c, int refuses, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void note(struct sshd_conf *c, int refuses, const char *fmt, ...)
{
	c->include_errors++;
	if (c->problem[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->problem, sizeof(c->problem), fmt, ap);
	va_end(ap);
	c->sshd_refuses = refuses;
}

/* A limit that ends all reading: recorded here, with its place. */
static int stop_at(struct sshd_conf *c, int refuses, int err, const char *file, int line, const char *what)
{
	note(c, refuses, "%s line %d: %s", file, line, what);
	c->stop = 2;
	return rc_fail(err, "%s", c->problem);
}

/* The next argument, as OpenSSH's argv_split (terminate_on_comment) reads
 * it: blanks separate; "..." and '...' quote; a backslash escapes a quote,
 * a backslash and (unquoted) a space; a '#' that starts an argument ends
 * the line. Unquoted in place. NULL at the end; *BAD for an open quote. */
static char *next_arg(char **pp, int *bad)
{
	char *s = *pp;
	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s || *s == '#') {
		*pp = s + strlen(s);
		return NULL;
	}
	char *arg = s, *o = s, quote = 0;
	for (; *s; s++) {
		if (*s == '\\' && (s[1] == '\'' || s[1] == '"' || s[1] == '\\' || (!quote && s[1] == ' ')))
			*o++ = *++s;
		else if (!quote && (*s == ' ' || *s == '\t'))
			break;
		else if (!quote && (*s == '"' || *s == '\''))
			quote = *s;
		else if (quote && *s == quote)
			quote = 0;
		else
			*o++ = *s;
	}
	if (quote)
		*bad = 1;
	*pp = *s ? s + 1 : s;
	*o = 0;
	return arg;
}

/* Split S into arguments, the first MAX kept in AV. Returns how many there
 * are (also beyond MAX), or -1 for an open quote (sshd: "invalid quotes"). */
static int split_args(char *s, char **av, int max)
{
	int n = 0, bad = 0;
	for (char *a; (a = next_arg(&s, &bad)); n++)
		if (n < max)
			av[n] = a;
	return bad ? -1 : n;
}

/* The keyword as OpenSSH's strdelim reads it: up to a blank, '"' or '=',
 * then blanks and one '='; a "quoted" keyword too. NULL: no keyword. */
static char *keyword(char *s, char **rest)
{
	char *stop = strpbrk(s, " \t\r\n\"=");
	if (!stop) {
		*rest = s + strlen(s);
		return s;
	}
	if (*stop == '"') {
		memmove(stop, stop + 1, strlen(stop));
		char *q = strchr(stop, '"');
		if (!q)
			return NULL;  /* sshd skips such a line */
		*q = 0;
		*rest = q + 1 + strspn(q + 1, " \t\r\n");
		return s;
	}
	int eq = *stop == '=';
	*stop = 0;
	*rest = stop + 1 + strspn(stop + 1, " \t\r\n");
	if (!eq && **rest == '=')
		*rest += 1 + strspn(*rest + 1, " \t\r\n");
	return s;
}

static int do_include(char **av, int n, const char *file, int lineno, struct sshd_conf *c,
		      sshd_include_fn include, void *ctx)
{
	for (int i = 0; i < n; i++) {
		if (!av[i][0]) {
			note(c, 1, "%s line %d: Include with an empty argument", file, lineno);
			continue;
		}
		if (!include)
			continue;
		int saved = c->in_match;  /* an included file keeps the includer's Match state */
		rc_clear();
		int r = include(ctx, av[i], c);
		c->in_match = saved;
		if (r >= 0)
			continue;
		if (c->stop == 2)
			return r;
		char what[512];
		snprintf(what, sizeof(what), "Include %s: %s", av[i], rc_msg());
		if (c->stop == 1)
			return stop_at(c, r == -ELOOP, -r, file, lineno, what);
		note(c, r == -EACCES || r == -EIO || r == -ELOOP, "%s line %d: %s", file, lineno, what);
	}
	return 0;
}

/* One line, NUL-terminated in a buffer of our own. */
static int parse_line(char *s, const char *file, int lineno, struct sshd_conf *c,
		      sshd_include_fn include, void *ctx)
{
	size_t n = strlen(s);
	while (n && strchr(" \t\r\n\f", s[n - 1]))
		s[--n] = 0;
	s += strspn(s, " \t\r");
	char *rest, *k = keyword(s, &rest);
	if (!k || !*k || *k == '#')
		return 0;
	if (!*rest) {
		if (c->line_fn)
			c->line_fn(c->line_ud, file, lineno, k, NULL, 0, c->in_match);
		note(c, 1, "%s line %d: no argument after keyword \"%s\"", file, lineno, k);
		return 0;
	}
	char *av[SSHD_MAX_ARGS];
	int ac = split_args(rest, av, SSHD_MAX_ARGS);
	if (c->line_fn)
		c->line_fn(c->line_ud, file, lineno, k, av, ac < 0 ? -1 : ac > SSHD_MAX_ARGS ? SSHD_MAX_ARGS : ac, c->in_match);
	if (ac < 0) {
		note(c, 1, "%s line %d: invalid quotes", file, lineno);
		return 0;
	}
	if (ac > SSHD_MAX_ARGS) {
		note(c, 0, "%s line %d: more than %d arguments; only the first are read", file, lineno, SSHD_MAX_ARGS);
		ac = SSHD_MAX_ARGS;
	}
	if (!strcasecmp(k, "Match")) {
		/* "Match all" goes back to unconditional settings. */
		c->in_match = !(ac >= 1 && !strcasecmp(av[0], "all"));
		if (c->in_match && !c->match_blocks++)
			snprintf(c->first_match, sizeof(c->first_match), "%s:%d", file, lineno);
		return 0;
	}
	if (!strcasecmp(k, "Include"))
		return do_include(av, ac, file, lineno, c, include, ctx);
	if (c->in_match || ac < 1)
		return 0;
	if (!strcasecmp(k, "PermitRootLogin"))
		set_opt(&c->permit_root_login, av[0], file, lineno);
	else if (!strcasecmp(k, "PasswordAuthentication"))
		set_opt(&c->password_auth, av[0], file, lineno);
	else if (!strcasecmp(k, "PermitEmptyPasswords"))
		set_opt(&c->permit_empty, av[0], file, lineno);
	else if (!strcasecmp(k, "KbdInteractiveAuthentication") || !strcasecmp(k, "ChallengeResponseAuthentication"))
		set_opt(&c->kbd_interactive, av[0], file, lineno);
	else if (!strcasecmp(k, "UsePAM"))
		set_opt(&c->use_pam, av[0], file, lineno);
	else if (!strcasecmp(k, "Port") || !strcasecmp(k, "ListenAddress"))
		add_port(c, k, av[0], file, lineno);
	return 0;
}

int sshd_parse(const char *text, size_t len, const char *file, struct sshd_conf *c,
	       sshd_include_fn include, void *ctx)
{
	const char *p = text, *end = text + len, *l;
	size_t n;
	int lineno = 0, r = 0;
	char *buf = malloc(SSHD_MAX_LINE + 1);
	if (!buf)
		return rc_fail(ENOMEM, "out of memory reading %s", file);
	while (!r && next_line(&p, end, &l, &n)) {
		lineno++;
		if (n > SSHD_MAX_LINE) {
			char what[128];
			snprintf(what, sizeof(what), "the line is longer than %zu bytes; not read further", SSHD_MAX_LINE);
			r = stop_at(c, 0, E2BIG, file, lineno, what);
		} else if (memchr(l, 0, n)) {
			r = stop_at(c, 0, EINVAL, file, lineno, "a NUL byte: the file is damaged; not read further");
		} else {
			memcpy(buf, l, n);
			buf[n] = 0;
			r = parse_line(buf, file, lineno, c, include, ctx);
		}
	}
	free(buf);
	return r;
}

/* ---- reading the files of a tree ------------------------------------------ */

/* A limit met before a file is read: flagged, placed by the Include line. */
static int limit(struct sshd_conf *c, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int limit(struct sshd_conf *c, int err, const char *fmt, ...)
{
	char m[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	c->stop = 1;
	return rc_fail(err, "%s", m);
}

static int read_file(struct tree *t, const char *path, struct sshd_conf *c);

static int include_cb(void *ctx, const char *pattern, struct sshd_conf *c)
{
	struct tree *t = ctx;
	char full[4096], dir[4096], base[1024];
	if (pattern[0] == '~')
		return rc_fail(EINVAL, "a pattern starting with '~' is not followed here");
	if (snprintf(full, sizeof(full), "%s%s", pattern[0] == '/' ? "" : SSHDIR "/", pattern) >= (int)sizeof(full))
		return rc_fail(ENAMETOOLONG, "the pattern is too long");
	char *slash = strrchr(full, '/');
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - full), full);
	if (!dir[0])
		strcpy(dir, "/");
	if (snprintf(base, sizeof(base), "%s", slash + 1) >= (int)sizeof(base))
		return rc_fail(ENAMETOOLONG, "the pattern is too long");
	if (strpbrk(dir, "*?["))
		return rc_fail(EINVAL, "globs in directory names are not followed here");
	if (!strpbrk(base, "*?[")) {
		int r = read_file(t, full, c);
		return r == -ENOENT ? 0 : r;  /* sshd: a pattern that matches nothing is fine */
	}
	char **names;
	size_t n;
	int r = tree_list(t, dir, &names, &n);
	if (r == -ENOENT || r == -ENOTDIR)
		return 0;
	if (r)
		return r;
	int first = 0;
	for (size_t i = 0; i < n && c->stop != 2; i++) {
		char path[4096];
		struct tree_stat st;
		if (fnmatch(base, names[i], FNM_PERIOD))
			continue;
		snprintf(path, sizeof(path), "%s/%s", strcmp(dir, "/") ? dir : "", names[i]);
		if (!tree_stat(t, path, 1, &st) && st.type == 'd')
			continue;  /* sshd reads a matched directory as an empty file */
		r = read_file(t, path, c);
		if (r < 0 && r != -ENOENT && (c->stop || !first))
			first = r;
		if (c->stop == 1)
			break;
	}
	tree_free_list(names, n);
	return first;
}

static int read_file(struct tree *t, const char *path, struct sshd_conf *c)
{
	int depth = c->depth + (c->reading[0] ? 1 : 0);
	for (int i = 0; i <= c->depth && c->reading[i]; i++)
		if (!strcmp(c->reading[i], path))
			return limit(c, ELOOP, "an Include loop: %s is already being read (sshd gives up at %d levels: "
				     "\"Too many recursive configuration includes\")", path, SSHD_MAX_DEPTH);
	if (depth > SSHD_MAX_DEPTH)
		return limit(c, ELOOP, "Include nested deeper than %d files (sshd: \"Too many recursive "
			     "configuration includes\")", SSHD_MAX_DEPTH);
	if (c->files >= SSHD_MAX_FILES)
		return limit(c, E2BIG, "more than %d files to read through Include; not read further", SSHD_MAX_FILES);
	char *buf;
	size_t len;
	int r = tree_read(t, path, &buf, &len, SSHD_MAX_FILE);
	if (r == -EFBIG)
		c->stop = 1;
	if (r)
		return r;
	c->files++;
	c->bytes += len;
	if (c->bytes > SSHD_MAX_BYTES) {
		free(buf);
		return limit(c, E2BIG, "more than %zu bytes to read through Include; not read further", SSHD_MAX_BYTES);
	}
	int saved = c->depth;
	c->depth = depth;
	c->reading[depth] = path;
	r = sshd_parse(buf, len, path, c, include_cb, t);
	c->reading[depth] = NULL;
	c->depth = saved;
	free(buf);
	return r;
}

int sshd_scan(struct tree *t, struct sshd_conf *c)
{
	return sshd_scan_lines(t, c, NULL, NULL);
}

int sshd_scan_lines(struct tree *t, struct sshd_conf *c,
		    void (*fn)(void *, const char *, int, const char *, char **, int, int), void *ud)
{
	memset(c, 0, sizeof(*c));
	c->line_fn = fn;
	c->line_ud = ud;
	int r = read_file(t, SSHDIR "/sshd_config", c);
	if (r == -ENOENT && !c->files)
		return 0;
	if (r && !c->problem[0]) {
		if (c->files)
			note(c, 0, "%s", rc_msg());
		else
			return rc_context(r, "%s/sshd_config", SSHDIR);
	}
	c->exists = 1;
	if (!c->problem[0])
		return 0;
	return rc_fail(c->stop ? E2BIG : EINVAL, "%s%s; %s", c->problem,
		       c->include_errors > 1 ? " (and more problems after it)" : "",
		       c->sshd_refuses ? "sshd will not start with this configuration"
				       : "so the sshd settings found may be incomplete");
}

const char *sshd_permit_root_login(const struct sshd_conf *c)
{
	const char *v = c->permit_root_login.value;
	if (!v[0])
		return "prohibit-password";
	if (!strcmp(v, "without-password"))
		return "prohibit-password";
	return v;
}

int sshd_password_auth(const struct sshd_conf *c)
{
	return !c->password_auth.value[0] || !strcmp(c->password_auth.value, "yes");
}

int sshd_permit_empty(const struct sshd_conf *c)
{
	return !strcmp(c->permit_empty.value, "yes");
}

/* ---- SELinux -------------------------------------------------------------- */

int selinux_state(struct tree *t, char *out, size_t sz)
{
	char *buf;
	size_t len;
	out[0] = 0;
	int r = tree_read(t, "/etc/selinux/config", &buf, &len, PAM_MAX_FILE);
	if (r == -ENOENT)
		return 0;
	if (r)
		return r;
	snprintf(out, sz, "enforcing");  /* a config without SELINUX=: the default */
	for (const char *p = buf; p && *p;) {
		const char *nl = strchr(p, '\n');
		while (*p == ' ' || *p == '\t')
			p++;
		if (!strncmp(p, "SELINUX=", 8)) {
			const char *v = p + 8;
			size_t n = strcspn(v, " \t\r\n#");
			char val[32];
			snprintf(val, sizeof(val), "%.*s", (int)n, v);
			if (val[0] == '"' || val[0] == '\'') {
				memmove(val, val + 1, strlen(val));
				size_t l = strlen(val);
				if (l && (val[l - 1] == '"' || val[l - 1] == '\''))
					val[l - 1] = 0;
			}
			for (char *q = val; *q; q++)
				*q = (char)tolower((unsigned char)*q);
			snprintf(out, sz, "%s", val);
		}
		p = nl ? nl + 1 : NULL;
	}
	free(buf);
	return 0;
}

int sshd_ports(const struct sshd_conf *c, int *ports, char (*from)[300], int max)
{
	int n = 0;
	for (int i = 0; i < c->nports && n < max; i++) {
		const char *v = c->port[i].value;
		char *end;
		long p = strtol(v, &end, 10);
		if (!strcasecmp(v, "ssh"))
			p = 22, end = (char *)"";
		if (!*v || *end || p < 1 || p > 65535)
			return -1;
		int dup = 0;
		for (int k = 0; k < n; k++)
			dup |= ports[k] == p;
		if (dup)
			continue;
		ports[n] = (int)p;
		snprintf(from[n++], 300, "%s:%d", c->port[i].file, c->port[i].line);
	}
	if (!n && max > 0) {
		ports[0] = 22;
		snprintf(from[0], 300, "OpenSSH's default (no Port line)");
		n = 1;
	}
	return n;
}
