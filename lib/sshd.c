/* sshd_config, PAM and SELinux facts about the target. See sshd.h. */
#include "sshd.h"
#include "err.h"
#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_INCLUDE_DEPTH 16
#define MAX_CONF (4u << 20)

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

/* Copy the next line of *P into LINE (cut to its size), advance *P past it;
 * 0 at the end of the text. */
static int next_line(const char **p, char *line, size_t sz)
{
	if (!*p || !**p)
		return 0;
	const char *nl = strchr(*p, '\n');
	size_t n = nl ? (size_t)(nl - *p) : strlen(*p);
	if (n >= sz)
		n = sz - 1;
	memcpy(line, *p, n);
	line[n] = 0;
	*p = nl ? nl + 1 : NULL;
	return 1;
}

int sshd_parse(const char *text, const char *file, struct sshd_conf *c,
	       sshd_include_fn include, void *ctx, int depth)
{
	int lineno = 0, in_match = 0;
	char line[4096];
	for (const char *p = text; next_line(&p, line, sizeof(line));) {
		lineno++;

		char *s = line;
		while (isspace((unsigned char)*s))
			s++;
		if (!*s || *s == '#')
			continue;
		/* keyword, then whitespace and/or one '=' */
		char *k = s;
		while (*s && !isspace((unsigned char)*s) && *s != '=')
			s++;
		char *kend = s;
		while (isspace((unsigned char)*s))
			s++;
		if (*s == '=')
			s++;
		while (isspace((unsigned char)*s))
			s++;
		*kend = 0;
		char *v = s;
		/* strip trailing spaces/CR and a comment after the value */
		size_t vl = strlen(v);
		while (vl && isspace((unsigned char)v[vl - 1]))
			v[--vl] = 0;

		if (!strcasecmp(k, "Match")) {
			/* "Match all" goes back to unconditional settings. */
			char w[16] = "";
			sscanf(v, "%15s", w);
			in_match = strcasecmp(w, "all") != 0;
			if (in_match && !c->match_blocks++)
				snprintf(c->first_match, sizeof(c->first_match), "%s:%d", file, lineno);
			continue;
		}
		if (!strcasecmp(k, "Include")) {
			if (!include || depth >= MAX_INCLUDE_DEPTH) {
				c->include_errors++;
				continue;
			}
			char *save = NULL;
			for (char *pat = strtok_r(v, " \t", &save); pat; pat = strtok_r(NULL, " \t", &save))
				if (include(ctx, pat, c, depth + 1) < 0)
					c->include_errors++;
			continue;
		}
		if (in_match)
			continue;
		char val[64] = "";
		sscanf(v, "%63s", val);
		if (!strcasecmp(k, "PermitRootLogin"))
			set_opt(&c->permit_root_login, val, file, lineno);
		else if (!strcasecmp(k, "PasswordAuthentication"))
			set_opt(&c->password_auth, val, file, lineno);
		else if (!strcasecmp(k, "PermitEmptyPasswords"))
			set_opt(&c->permit_empty, val, file, lineno);
		else if (!strcasecmp(k, "KbdInteractiveAuthentication") ||
			 !strcasecmp(k, "ChallengeResponseAuthentication"))
			set_opt(&c->kbd_interactive, val, file, lineno);
		else if (!strcasecmp(k, "UsePAM"))
			set_opt(&c->use_pam, val, file, lineno);
	}
	return 0;
}

static int read_into(struct tree *t, const char *path, struct sshd_conf *c, int depth);

static int include_cb(void *ctx, const char *pattern, struct sshd_conf *c, int depth)
{
	struct tree *t = ctx;
	char full[4096];
	if (pattern[0] == '/')
		snprintf(full, sizeof(full), "%s", pattern);
	else
		snprintf(full, sizeof(full), "/etc/ssh/%s", pattern);
	char *slash = strrchr(full, '/');
	char dir[4096], base[1024];
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - full), full);
	if (!dir[0])
		strcpy(dir, "/");
	snprintf(base, sizeof(base), "%s", slash + 1);
	if (strpbrk(dir, "*?[")) {
		return -EINVAL;  /* globs in directories: not followed */
	}
	if (!strpbrk(base, "*?["))
		return read_into(t, full, c, depth);
	char **names;
	size_t n;
	int r = tree_list(t, dir, &names, &n);
	if (r == -ENOENT)
		return 0;  /* no such directory: sshd is fine with that */
	if (r)
		return r;
	for (size_t i = 0; i < n; i++) {
		if (fnmatch(base, names[i], FNM_PERIOD))
			continue;
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", strcmp(dir, "/") ? dir : "", names[i]);
		int rr = read_into(t, path, c, depth);
		if (rr < 0 && rr != -ENOENT)
			c->include_errors++;
	}
	tree_free_list(names, n);
	return 0;
}

static int read_into(struct tree *t, const char *path, struct sshd_conf *c, int depth)
{
	char *buf;
	size_t len;
	int r = tree_read(t, path, &buf, &len, MAX_CONF);
	if (r)
		return r;
	sshd_parse(buf, path, c, include_cb, t, depth);
	free(buf);
	return 0;
}

int sshd_scan(struct tree *t, struct sshd_conf *c)
{
	memset(c, 0, sizeof(*c));
	int r = read_into(t, "/etc/ssh/sshd_config", c, 0);
	if (r == -ENOENT)
		return 0;
	if (r)
		return r;
	c->exists = 1;
	return 0;
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

/* ---- PAM ------------------------------------------------------------------ */

void pam_parse(const char *text, struct pam_file *p)
{
	int lineno = 0;
	p->unix_auth = p->nullok = p->line = 0;
	p->arg[0] = 0;
	char line[2048];
	for (const char *s = text; next_line(&s, line, sizeof(line));) {
		lineno++;
		char *h = strchr(line, '#');
		if (h)
			*h = 0;
		char *save = NULL;
		char *type = strtok_r(line, " \t\r", &save);
		if (!type)
			continue;
		if (type[0] == '-')
			type++;
		if (strcasecmp(type, "auth"))
			continue;
		char *ctl = strtok_r(NULL, " \t\r", &save);
		if (!ctl)
			continue;
		if (ctl[0] == '[') {  /* [value=action ...] may contain spaces */
			while (ctl && !strchr(ctl, ']'))
				ctl = strtok_r(NULL, " \t\r", &save);
			if (!ctl)
				continue;
		}
		char *mod = strtok_r(NULL, " \t\r", &save);
		if (!mod)
			continue;
		const char *b = strrchr(mod, '/');
		b = b ? b + 1 : mod;
		if (strcmp(b, "pam_unix.so") && strcmp(b, "pam_unix"))
			continue;
		if (!p->unix_auth) {
			p->unix_auth = 1;
			p->line = lineno;
		}
		for (char *a = strtok_r(NULL, " \t\r", &save); a; a = strtok_r(NULL, " \t\r", &save)) {
			if (!strcmp(a, "nullok") || !strcmp(a, "nullok_secure")) {
				p->nullok = 1;
				p->line = lineno;
				snprintf(p->arg, sizeof(p->arg), "%s", a);
			}
		}
		if (p->nullok)
			break;
	}
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
		int r = tree_read(t, files[i], &buf, &len, MAX_CONF);
		if (r == -ENOENT)
			continue;
		if (r)
			return r;
		out[i].exists = 1;
		pam_parse(buf, &out[i]);
		free(buf);
	}
	return 0;
}

/* ---- SELinux -------------------------------------------------------------- */

int selinux_state(struct tree *t, char *out, size_t sz)
{
	char *buf;
	size_t len;
	out[0] = 0;
	int r = tree_read(t, "/etc/selinux/config", &buf, &len, MAX_CONF);
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
