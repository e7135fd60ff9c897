/* Pure edits of passwd/shadow text. See shadow.h. */
#include "shadow.h"
#include "err.h"
#include "sbuf.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int pw_check_name(const char *name)
{
	if (!name || !*name)
		return rc_failx(RC_EXIT_USAGE, EINVAL, "the account name is empty");
	if (name[0] == '+' || name[0] == '-')
		return rc_failx(RC_EXIT_USAGE, EINVAL, "'%s' is a NIS compat entry, not an account name", name);
	if (strpbrk(name, ":\n\r"))
		return rc_failx(RC_EXIT_USAGE, EINVAL, "the account name contains ':' or a line break");
	return 0;
}

int pw_check_field(const char *value)
{
	if (strpbrk(value, ":\n\r"))
		return rc_fail(EINVAL, "a password field cannot contain ':' or a line break");
	return 0;
}

/* Split the line [s, eol) of BUF into L. */
static void split_line(const char *buf, size_t s, size_t eol, size_t len, int lineno, struct pwline *l)
{
	memset(l, 0, sizeof(*l));
	l->start = s;
	l->eol = eol;
	l->lineno = lineno;
	size_t e = eol;
	if (e > s && e <= len && buf[e - 1] == '\n')
		e--;
	if (e > s && buf[e - 1] == '\r' && e < eol) {
		e--;
		l->crlf = 1;
	}
	l->end = e;
	size_t fs = s;
	int n = 0;
	for (size_t i = s;; i++) {
		if (i == e || buf[i] == ':') {
			if (n < PWL_MAXF) {
				l->fs[n] = fs;
				l->fe[n] = i;
			}
			n++;
			fs = i + 1;
			if (i == e)
				break;
		}
	}
	l->nfields = n;
}

int pw_find(const char *buf, size_t len, const char *user, const char *file, struct pwline *l)
{
	const char *nul = memchr(buf, 0, len);
	if (nul) {
		size_t off = (size_t)(nul - buf);
		int line = 1;
		for (size_t i = 0; i < off; i++)
			line += buf[i] == '\n';
		return rc_failx(RC_EXIT_REFUSED, EINVAL,
				"%s contains a NUL byte (line %d, byte offset %zu): the file is damaged. "
				"Refusing to edit it; repair it by hand first (look with 'cat -v')",
				file, line, off);
	}
	memset(l, 0, sizeof(*l));
	size_t ul = strlen(user);
	int found = 0, lineno = 0;
	for (size_t s = 0; s < len;) {
		const char *nl = memchr(buf + s, '\n', len - s);
		size_t eol = nl ? (size_t)(nl - buf) + 1 : len;
		lineno++;
		int match = 0;
		if (eol - s == ul)
			match = !memcmp(buf + s, user, ul);      /* "root" at the very end */
		else if (eol - s > ul && !memcmp(buf + s, user, ul))
			match = buf[s + ul] == ':' || buf[s + ul] == '\n' ||
				(buf[s + ul] == '\r' && s + ul + 2 == eol && buf[s + ul + 1] == '\n');
		if (match) {
			if (found)
				l->dups++;
			else
				split_line(buf, s, eol, len, lineno, l);
			found = 1;
		}
		s = eol;
	}
	return found ? 0 : -ENOENT;
}

char *pw_field(const char *buf, const struct pwline *l, int idx)
{
	if (idx < 0 || idx >= l->nfields || idx >= PWL_MAXF)
		return NULL;
	return strndup(buf + l->fs[idx], l->fe[idx] - l->fs[idx]);
}

int pw_edit(const char *buf, size_t len, enum pwkind kind, const char *file,
	    const char *user, const char *password, long lastchg,
	    char **out, size_t *outlen, unsigned *notes)
{
	struct pwline l;
	struct sbuf b = { 0 };
	unsigned dummy;
	int r;

	*out = NULL;
	*outlen = 0;
	notes = notes ? notes : &dummy;
	*notes = 0;
	if ((r = pw_check_name(user)) || (r = pw_check_field(password)))
		return r;
	if ((r = pw_find(buf, len, user, file, &l)))
		return r;
	if (kind == PW_PASSWD && l.nfields < 7)
		return rc_failx(RC_EXIT_REFUSED, EINVAL,
				"line %d of %s (account %s) has %d field%s where passwd has 7 "
				"(name:password:uid:gid:comment:home:shell); repair it by hand",
				l.lineno, file, user, l.nfields, l.nfields == 1 ? "" : "s");
	if (kind != PW_SHADOW)
		lastchg = -1;
	if (l.crlf)
		*notes |= PWE_CRLF;
	if (l.dups)
		*notes |= PWE_DUPS;
	if (len && buf[len - 1] != '\n')
		*notes |= PWE_NOEOL;

	char num[32];
	snprintf(num, sizeof(num), "%ld", lastchg);
	/* Everything before the password field (the name and its colon). */
	if (l.nfields >= 2) {
		sbuf_add(&b, buf, l.fs[1]);
	} else {
		sbuf_add(&b, buf, l.end);
		sbuf_str(&b, ":");
	}
	sbuf_str(&b, password);
	int have = l.nfields < 2 ? 2 : l.nfields;
	if (lastchg >= 0) {
		if (l.nfields >= 3) {
			sbuf_add(&b, buf + l.fe[1], l.fs[2] - l.fe[1]);
			sbuf_str(&b, num);
			sbuf_add(&b, buf + l.fe[2], l.end - l.fe[2]);
		} else {
			sbuf_str(&b, ":");
			sbuf_str(&b, num);
			have = 3;
		}
	} else if (l.nfields >= 2) {
		sbuf_add(&b, buf + l.fe[1], l.end - l.fe[1]);
	}
	if (kind == PW_SHADOW && have < 9 && have != 5) {
		for (; have < 9; have++)
			sbuf_str(&b, ":");
		*notes |= PWE_PADDED;
	}
	/* The line's own terminator and the rest of the file, unchanged. */
	sbuf_add(&b, buf + l.end, len - l.end);
	if (b.oom) {
		free(b.p);
		return rc_fail(ENOMEM, "out of memory editing %s", file);
	}
	if (b.n == len && !memcmp(b.p, buf, len))
		*notes |= PWE_NOCHANGE;
	*out = b.p;
	*outlen = b.n;
	return 0;
}

int pw_lock_field(const char *old, int lock, char **out)
{
	*out = NULL;
	if (lock) {
		if (old[0] == '!') {
			*out = strdup(old);
			return *out ? 1 : rc_fail(ENOMEM, "out of memory");
		}
		if (asprintf(out, "!%s", old) < 0) {
			*out = NULL;
			return rc_fail(ENOMEM, "out of memory");
		}
		return 0;
	}
	/* Every leading '!': libuser's passwd -l (RHEL, Fedora) locks with
	 * "!!", shadow-utils with one '!'; libuser's unlock takes them all. */
	size_t n = strspn(old, "!");
	if (n && !old[n])
		return rc_failx(RC_EXIT_REFUSED, EPERM, "the password field is only '%s': unlocking would leave an "
				"empty password (passwd -u and usermod -U refuse this too). Set a password with "
				"reset-pass, or empty it on purpose with clear-pass (no --unlock)", old);
	*out = strdup(old + n);
	if (!*out)
		return rc_fail(ENOMEM, "out of memory");
	return n ? 0 : 1;
}

static long num_field(const char *buf, const struct pwline *l, int idx)
{
	if (idx >= l->nfields || l->fs[idx] == l->fe[idx])
		return -1;
	long v = 0;
	for (size_t i = l->fs[idx]; i < l->fe[idx]; i++) {
		if (buf[i] < '0' || buf[i] > '9' || v > 100000000L)
			return -2;
		v = v * 10 + (buf[i] - '0');
	}
	return v;
}

void pw_shadow_nums(const char *buf, const struct pwline *l, struct spnums *n)
{
	n->lastchg = num_field(buf, l, 2);
	n->min = num_field(buf, l, 3);
	n->max = num_field(buf, l, 4);
	n->warn = num_field(buf, l, 5);
	n->inact = num_field(buf, l, 6);
	n->expire = num_field(buf, l, 7);
}

long pw_today(void)
{
	return (long)(time(NULL) / 86400);
}

void pw_day_str(long day, char *buf, size_t sz)
{
	time_t t = (time_t)day * 86400;
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(buf, sz, "%Y-%m-%d", &tm))
		snprintf(buf, sz, "day %ld", day);
}

int pw_shell_refuses(const char *shell)
{
	const char *b = strrchr(shell, '/');
	b = b ? b + 1 : shell;
	return !strcmp(b, "nologin") || !strcmp(b, "false");
}

/* Account names of a passwd/shadow text, sorted: "name" before the first ':'. */
struct names {
	struct name { const char *p; size_t n; } *v;
	size_t n;
};

static int name_cmp(const void *a, const void *b)
{
	const struct name *x = a, *y = b;
	int c = memcmp(x->p, y->p, x->n < y->n ? x->n : y->n);
	return c ? c : (x->n > y->n) - (x->n < y->n);
}

static int names_of(const char *text, size_t len, struct names *ns)
{
	size_t cap = 0;
	ns->v = NULL;
	ns->n = 0;
	for (size_t s = 0; s < len;) {
		const char *nl = memchr(text + s, '\n', len - s);
		size_t eol = nl ? (size_t)(nl - text) + 1 : len;
		const char *colon = memchr(text + s, ':', eol - s);
		if (colon && colon > text + s) {
			if (ns->n == cap) {
				cap = cap ? cap * 2 : 64;
				struct name *nv = realloc(ns->v, cap * sizeof(*nv));
				if (!nv)
					return rc_fail(ENOMEM, "out of memory");
				ns->v = nv;
			}
			ns->v[ns->n++] = (struct name){ text + s, (size_t)(colon - text) - s };
		}
		s = eol;
	}
	if (ns->n)
		qsort(ns->v, ns->n, sizeof(*ns->v), name_cmp);
	return 0;
}

static int names_has(const struct names *ns, const struct name *k)
{
	return ns->n && bsearch(k, ns->v, ns->n, sizeof(*ns->v), name_cmp) != NULL;
}

/* The first account of BAK that CUR lacks while PASSWD lists it. */
static int lost_account(const char *cur, size_t len, const char *bak, size_t blen, const char *passwd,
			size_t plen, char *name, size_t nsz)
{
	struct names c, b, p;
	int lost = 0;
	if (names_of(cur, len, &c) | names_of(bak, blen, &b) | names_of(passwd, plen, &p))
		goto out;  /* out of memory: no verdict */
	for (size_t i = 0; i < b.n && !lost; i++)
		if (!names_has(&c, &b.v[i]) && names_has(&p, &b.v[i])) {
			snprintf(name, nsz, "%.*s", (int)(b.v[i].n < 64 ? b.v[i].n : 64), b.v[i].p);
			lost = 1;
		}
out:
	free(c.v);
	free(b.v);
	free(p.v);
	return lost;
}

static int cut_short(const char *text, size_t len, const char *bak, size_t blen)
{
	return len && text[len - 1] != '\n' && bak && blen && bak[blen - 1] == '\n';
}

int pw_damaged(const char *cur, size_t len, const char *bak, size_t blen, const char *passwd,
	       size_t plen, char *why, size_t wsz, int *bak_ok)
{
	char name[80];
	*bak_ok = bak && blen && !memchr(bak, 0, blen) && bak[blen - 1] == '\n';
	const char *nul = memchr(cur, 0, len);
	if (nul) {
		int line = 1;
		for (const char *c = cur; c < nul; c++)
			line += *c == '\n';
		snprintf(why, wsz, "it contains a NUL byte (line %d, byte offset %zu)", line, (size_t)(nul - cur));
	}
	else if (cut_short(cur, len, bak, blen))
		snprintf(why, wsz, "its last line is cut short (no newline at its end)");
	else if (bak && passwd && lost_account(cur, len, bak, blen, passwd, plen, name, sizeof(name)))
		snprintf(why, wsz, "it has no line for '%s', which /etc/passwd lists and the backup has", name);
	else
		return 0;
	return 1;
}
