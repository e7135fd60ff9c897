/* Facts the doctor checks share, each read once and within limits: files as
 * lines, the OS, fstab, the account files, the init system. */
#include "doctor_priv.h"
#include "err.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACCOUNTS_MAX ((size_t)16 << 20)
#define FSTAB_MAX ((size_t)1 << 20)

void dr_text_free(struct dr_text *t)
{
	free(t->raw);
	free(t->buf);
	free(t->line);
	int st = t->state;
	memset(t, 0, sizeof(*t));
	t->state = st;
}

int dr_text_set(struct dr_text *t, const char *raw, size_t len)
{
	size_t cap = 64;
	dr_text_free(t);
	t->raw = malloc(len + 1);
	t->buf = malloc(len + 1);
	t->line = malloc(cap * sizeof(*t->line));
	if (!t->raw || !t->buf || !t->line) {
		dr_text_free(t);
		return rc_fail(ENOMEM, "out of memory");
	}
	memcpy(t->raw, raw, len);
	memcpy(t->buf, raw, len);
	t->raw[len] = t->buf[len] = 0;
	t->len = len;
	t->nul = memchr(raw, 0, len) != NULL;
	for (char *p = t->buf, *end = t->buf + len; p < end && t->n < DR_MAX_LINES;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		if ((size_t)t->n == cap) {
			char **nlines = realloc(t->line, 2 * cap * sizeof(*nlines));
			if (!nlines) {
				dr_text_free(t);
				return rc_fail(ENOMEM, "out of memory");
			}
			t->line = nlines;
			cap *= 2;
		}
		if (nl)
			*nl = 0;
		if (strlen(p) > DR_MAX_LINE) {
			p[DR_MAX_LINE] = 0;
			t->long_lines++;
		}
		t->line[t->n++] = p;
		p = nl ? nl + 1 : end;
	}
	t->state = 1;
	return 0;
}

int dr_text_load(struct dr_ctx *c, const char *path, size_t max, int tail, struct dr_text *t)
{
	char *buf;
	size_t len;
	int cut = 0;
	int r = tail ? dv_tail(c->v, path, max, &buf, &len, &cut) : dv_read(c->v, path, &buf, &len, max);
	if (r) {
		t->state = r;
		return r;
	}
	r = dr_text_set(t, buf, len);
	t->cut = cut;
	free(buf);
	return r;
}

const char *dr_line(const struct dr_text *t, int i)
{
	return t->state == 1 && i >= 1 && i <= t->n ? t->line[i - 1] : "";
}

void dr_facts_free(struct dr_facts *f)
{
	dr_text_free(&f->fstab);
	dr_text_free(&f->passwd);
	dr_text_free(&f->shadow);
	dr_text_free(&f->group);
	fstab_free(&f->fst);
	dr_boot_free(f->boot);
	dr_sshd_free(f->sshd);
	dr_logs_free(f->logs);
	dr_netfw_free(f->netfw);
	f->netfw = NULL;
	f->boot = NULL;
	f->sshd = NULL;
	f->logs = NULL;
}

/* ---- the facts ---------------------------------------------------------------- */

const struct rootinfo *dr_os(struct dr_ctx *c)
{
	struct dr_facts *f = c->facts;
	if (!f->os_state)
		f->os_state = rootfs_inspect(c->v->fs[0].tree, &f->ri) ? -1 : 1;
	return f->os_state == 1 ? &f->ri : NULL;
}

int dr_os_is(struct dr_ctx *c, const char *family)
{
	const struct rootinfo *ri = dr_os(c);
	if (!ri)
		return 0;
	char words[256];
	snprintf(words, sizeof(words), " %s %s ", ri->os.id, ri->os.id_like);
	char pat[80];
	snprintf(pat, sizeof(pat), " %s ", family);
	if (strstr(words, pat))
		return 1;
	/* the RHEL family names itself many ways */
	return !strcmp(family, "rhel") && (strstr(words, " fedora ") || strstr(words, " centos "));
}

/* A file that must be read for a fact: absence is a state, other errors are said. */
static const struct dr_text *need_text(struct dr_ctx *c, const char *path, size_t max, struct dr_text *t)
{
	if (t->state == 0) {
		int r = dr_text_load(c, path, max, 0, t);
		if (r == -ENODATA)
			dr_unchecked(c, "%s: %s", path, dv_why(c->v));
		else if (r && r != -ENOENT)
			dr_unchecked(c, "%s: %s", path, rc_msg());
	}
	return t;
}

const struct fstab *dr_fstab(struct dr_ctx *c, const struct dr_text **lines)
{
	struct dr_facts *f = c->facts;
	const struct dr_text *t = need_text(c, "/etc/fstab", FSTAB_MAX, &f->fstab);
	if (lines)
		*lines = t;
	if (t->state != 1)
		return NULL;
	if (!f->fst_state) {
		f->fst_state = -1;
		if (t->nul)
			dr_unchecked(c, "/etc/fstab holds a NUL byte: it is damaged and was not read as fstab");
		else if (fstab_parse(t->raw, &f->fst, NULL))
			dr_unchecked(c, "/etc/fstab: %s", rc_msg());
		else
			f->fst_state = 1;
	}
	return f->fst_state == 1 ? &f->fst : NULL;
}

const struct dr_text *dr_accounts(struct dr_ctx *c, const char *which)
{
	struct dr_facts *f = c->facts;
	if (!strcmp(which, "passwd"))
		return need_text(c, "/etc/passwd", ACCOUNTS_MAX, &f->passwd);
	if (!strcmp(which, "shadow"))
		return need_text(c, "/etc/shadow", ACCOUNTS_MAX, &f->shadow);
	return need_text(c, "/etc/group", ACCOUNTS_MAX, &f->group);
}

int dr_field(const char *line, int idx, char *buf, size_t sz)
{
	const char *p = line;
	for (int i = 0; i < idx; i++) {
		p = strchr(p, ':');
		if (!p)
			return -1;
		p++;
	}
	size_t n = strcspn(p, ":\r");
	snprintf(buf, sz, "%.*s", (int)n, p);
	return 0;
}

int dr_account_line(const struct dr_text *t, const char *user)
{
	size_t ul = strlen(user);
	for (int i = 0; t->state == 1 && i < t->n; i++)
		if (!strncmp(t->line[i], user, ul) && t->line[i][ul] == ':')
			return i + 1;
	return 0;
}

/* What /sbin/init is: the link's target, or the file itself. */
enum dr_initsys dr_init_system(struct dr_ctx *c)
{
	struct dr_facts *f = c->facts;
	if (f->init_state)
		return f->init;
	f->init_state = 1;
	char tgt[256] = "";
	if (dv_readlink(c->v, "/sbin/init", tgt, sizeof(tgt)) == 0)
		snprintf(f->init_path, sizeof(f->init_path), "%s", tgt);
	if (strstr(tgt, "systemd"))
		f->init = DR_INIT_SYSTEMD;
	else if (dv_exists(c->v, "/sbin/openrc") == 1 || dv_exists(c->v, "/etc/runlevels") == 1)
		f->init = DR_INIT_OPENRC;
	else if (dv_exists(c->v, "/sbin/init") == 1 && dv_exists(c->v, "/etc/inittab") == 1)
		f->init = DR_INIT_SYSV;
	else if (dv_exists(c->v, "/lib/systemd/systemd") == 1 || dv_exists(c->v, "/usr/lib/systemd/systemd") == 1)
		f->init = DR_INIT_SYSTEMD;
	return f->init;
}

long dr_find_line(const char *text, size_t len, const char *line, size_t *end)
{
	size_t ll = strlen(line);
	for (size_t p = 0; p < len;) {
		const char *nl = memchr(text + p, '\n', len - p);
		size_t e = nl ? (size_t)(nl - text) : len;
		if (e - p == ll && !memcmp(text + p, line, ll)) {
			*end = e;
			return (long)p;
		}
		p = e + 1;
	}
	return -1;
}
