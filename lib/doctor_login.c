/* doctor, family login: root's shell, the account files, expiry, sudoers,
 * and whether anyone can log in over SSH at all. */
#include "doctor_priv.h"
#include "shadow.h"
#include "sshd.h"
#include "err.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ck_login_root_shell(struct dr_ctx *c)
{
	const struct dr_text *pw = dr_accounts(c, "passwd");
	char shell[256];
	struct tree_stat m;
	int ln = dr_account_line(pw, "root");
	if (!ln || dr_field(dr_line(pw, ln), 6, shell, sizeof(shell)))
		return 0;   /* no root line: login.files-syntax and login.disagree say so */
	if (!shell[0])
		snprintf(shell, sizeof(shell), "/bin/sh");
	const char *why = NULL;
	int r = dv_meta(c->v, shell, 1, &m);
	if (r == -ENODATA)
		return rc_fail(ENODATA, "%s", dv_why(c->v));
	if (pw_shell_refuses(shell))
		why = "refuses every login";
	else if (r == -ENOENT)
		why = "is not in the tree";
	else if (!r && (m.type != 'f' || !(m.mode & 0111)))
		why = "is not an executable file";
	if (!why)
		return 0;
	struct dr_finding *f = dr_add(c, DR_LOGIN, "/etc/passwd", ln, dr_line(pw, ln), "root's shell %s %s: root "
				      "cannot log in, on the console or over SSH", shell, why);
	dr_fixtext(f, "set root's shell to /bin/sh or /bin/bash (the last field of line %d of /etc/passwd)", ln);
	return 0;
}

/* ---- the account files' lines, as glibc reads them ------------------------- */

static int numeric(const char *s, int maybe_empty)
{
	if (!*s)
		return maybe_empty;
	if (*s == '-')
		s++;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* Why glibc skips LINE of FILE (passwd, group, shadow), or NULL. */
static const char *bad_line(const char *file, const char *line)
{
	char f[10][64];
	int n = 0;
	if (!*line || *line == '#' || *line == '+' || *line == '-')
		return NULL;   /* empty, comments and NIS lines: glibc passes over them */
	for (const char *p = line; n < 10; n++) {
		size_t k = strcspn(p, ":\r");
		snprintf(f[n], sizeof(f[n]), "%.*s", (int)(k < 63 ? k : 63), p);
		if (p[k] != ':') {
			n++;
			break;
		}
		p += k + 1;
	}
	if (!strcmp(file, "passwd"))
		return n < 4 ? "fewer than 4 fields" : !numeric(f[2], 0) || !numeric(f[3], 0) ?
		       "the UID or GID is not a number" : n > 7 ? "more than 7 fields" : NULL;
	if (!strcmp(file, "group"))
		return n < 3 ? "fewer than 3 fields" : !numeric(f[2], 0) ? "the GID is not a number" :
		       n > 4 ? "more than 4 fields" : NULL;
	if (n < 2 || n > 9)
		return n < 2 ? "fewer than 2 fields" : "more than 9 fields";
	for (int i = 2; i < n && i < 9; i++)
		if (!numeric(f[i], 1))
			return "a date or day count field is not a number";
	return NULL;
}

int ck_login_files_syntax(struct dr_ctx *c)
{
	static const char *const files[] = { "passwd", "shadow", "group" };
	for (size_t i = 0; i < 3; i++) {
		const struct dr_text *t = dr_accounts(c, files[i]);
		char path[32];
		snprintf(path, sizeof(path), "/etc/%s", files[i]);
		if (t->state != 1)
			continue;
		if (t->nul) {
			dr_fixtext(dr_add(c, DR_LOGIN, path, 0, NULL, "%s holds NUL bytes: it is damaged, and accounts "
					  "after them are lost to logins", path), "restore it from %s- (the backup the "
				   "shadow tools keep)", path);
			continue;
		}
		for (int l = 0; l < t->n; l++) {
			const char *why = bad_line(files[i], t->line[l]);
			if (!why)
				continue;
			int root = !strncmp(t->line[l], "root:", 5);
			struct dr_finding *f = dr_add(c, root ? DR_LOGIN : DR_DEGRADED, path, l + 1, t->line[l], "%s: "
						      "the C library skips this line, so the account it names cannot "
						      "log in", why);
			dr_fixtext(f, "correct line %d of %s (man 5 %s), or take it from %s-", l + 1, path, files[i], path);
		}
	}
	return 0;
}

int ck_login_disagree(struct dr_ctx *c)
{
	const struct dr_text *pw = dr_accounts(c, "passwd"), *sh = dr_accounts(c, "shadow");
	char name[256], pass[256];
	if (pw->state != 1 || sh->state == -ENODATA || (sh->state != 1 && sh->state != -ENOENT))
		return 0;
	for (int l = 0; l < pw->n; l++) {
		const char *line = pw->line[l];
		if (bad_line("passwd", line) || !*line || *line == '#' || *line == '+' || *line == '-' ||
		    dr_field(line, 0, name, sizeof(name)) || dr_field(line, 1, pass, sizeof(pass)) || strcmp(pass, "x"))
			continue;
		if (sh->state == 1 && dr_account_line(sh, name))
			continue;
		int root = !strcmp(name, "root");
		struct dr_finding *f = dr_add(c, root ? DR_LOGIN : DR_DEGRADED, "/etc/passwd", l + 1, line, "%s's password "
					      "is kept in /etc/shadow (\"x\"), but %s: no password of %s is accepted",
					      name, sh->state == 1 ? "/etc/shadow has no line for it" : "there is no /etc/shadow",
					      name);
		dr_fixtext(f, "add a line for %s to /etc/shadow (pwconv in a chroot does it; then rescuectl reset-pass "
			   "--user %s %s)", name, name, dr_target(c));
	}
	return 0;
}

/* ---- expiry and who can log in ------------------------------------------------- */

static long num_field(const char *line, int idx)
{
	char v[64];
	if (dr_field(line, idx, v, sizeof(v)) || !v[0] || !numeric(v, 0))
		return -1;
	return strtol(v, NULL, 10);
}

/* Accounts a person logs in with: root, and UIDs from 1000 with a shell that takes logins. */
static int login_account(const char *pwline, char *name, size_t nsz)
{
	char shell[256];
	long uid = num_field(pwline, 2);
	if (dr_field(pwline, 0, name, nsz) || dr_field(pwline, 6, shell, sizeof(shell)) || *pwline == '+' || *pwline == '-')
		return 0;
	return uid == 0 ? !strcmp(name, "root") : uid >= 1000 && uid < 60000 && !pw_shell_refuses(shell);
}

static void expiry(struct dr_ctx *c, const char *name, const char *sl, int ln)
{
	long today = (long)(c->o.now / 86400), expire = num_field(sl, 7), last = num_field(sl, 2);
	long max = num_field(sl, 4), inact = num_field(sl, 6);
	int root = !strcmp(name, "root");
	char day[16];
	struct dr_finding *f = NULL;
	if (expire > 0 && expire <= today) {
		pw_day_str(expire, day, sizeof(day));
		f = dr_add(c, root ? DR_LOGIN : DR_DEGRADED, "/etc/shadow", ln, sl, "the account %s expired on %s: "
			   "no login, also not with a key", name, day);
		dr_fixtext(f, "empty the eighth field of line %d of /etc/shadow (chage -E -1 %s in a chroot)", ln, name);
	} else if (last > 0 && max >= 0 && max < 10000 && inact >= 0 && last + max + inact < today) {
		f = dr_add(c, root ? DR_LOGIN : DR_DEGRADED, "/etc/shadow", ln, sl, "the password of %s expired more "
			   "than %ld days ago: the account is locked", name, inact);
		dr_fixtext(f, "rescuectl reset-pass --user %s %s (sets a new password, last change today)", name, dr_target(c));
	} else if (last == 0) {
		f = dr_add(c, DR_NOTE, "/etc/shadow", ln, sl, "%s must change the password at the next login (last "
			   "change 0): a login with a key but no password fails", name);
		dr_fixtext(f, "rescuectl reset-pass --user %s %s", name, dr_target(c));
	}
}

int ck_login_expired(struct dr_ctx *c)
{
	const struct dr_text *pw = dr_accounts(c, "passwd"), *sh = dr_accounts(c, "shadow");
	char name[256];
	if (pw->state != 1 || sh->state != 1)
		return 0;
	for (int l = 0; l < pw->n; l++) {
		if (!login_account(pw->line[l], name, sizeof(name)))
			continue;
		int sl = dr_account_line(sh, name);
		if (sl && !bad_line("shadow", dr_line(sh, sl)))
			expiry(c, name, dr_line(sh, sl), sl);
	}
	return 0;
}

/* A password field that a password can match. */
static int usable_hash(const char *h)
{
	return h[0] && h[0] != '!' && h[0] != '*' && strcmp(h, "x");
}

/* Does HOME/.ssh/authorized_keys hold a key (a line that is not a comment)? */
static int has_keys(struct dr_ctx *c, const char *home)
{
	char p[600], *buf;
	size_t len;
	snprintf(p, sizeof(p), "%s/.ssh/authorized_keys", strcmp(home, "/") ? home : "");
	if (dv_read(c->v, p, &buf, &len, (size_t)1 << 20))
		return 0;
	int keys = 0;
	for (char *l = strtok(buf, "\n"); l && !keys; l = strtok(NULL, "\n"))
		keys = l[strspn(l, " \t")] && l[strspn(l, " \t")] != '#';
	free(buf);
	return keys;
}

/* Can account NAME (passwd line PL) log in over SSH with what it has? */
static int can_ssh(struct dr_ctx *c, const struct sshd_conf *sc, const char *name, const char *pl)
{
	const struct dr_text *sh = dr_accounts(c, "shadow");
	char home[512], hash[512] = "";
	int root = !strcmp(name, "root"), sl = dr_account_line(sh, name);
	dr_field(pl, 5, home, sizeof(home));
	if (sl)
		dr_field(dr_line(sh, sl), 1, hash, sizeof(hash));
	const char *prl = sshd_permit_root_login(sc);
	int keys_ok = !root || strcmp(prl, "no"), pw_ok = !root || !strcmp(prl, "yes");
	return (keys_ok && has_keys(c, home)) || (pw_ok && usable_hash(hash) &&
	       (sshd_password_auth(sc) || strcmp(sc->kbd_interactive.value, "no")));
}

int ck_login_root_password_refused(struct dr_ctx *c)
{
	const struct sshd_conf *sc = dr_sshd_conf(c);
	const struct dr_text *pw = dr_accounts(c, "passwd"), *sh = dr_accounts(c, "shadow");
	char name[256], hash[512] = "";
	int rl = dr_account_line(pw, "root"), sl = dr_account_line(sh, "root");
	if (!sc || pw->state != 1 || sh->state != 1 || !rl || !sl)
		return 0;
	dr_field(dr_line(sh, sl), 1, hash, sizeof(hash));
	if (!usable_hash(hash))
		return 0;   /* root has no password: nothing is refused */
	for (int l = 0; l < pw->n; l++)
		if (login_account(pw->line[l], name, sizeof(name)) && can_ssh(c, sc, name, pw->line[l]))
			return 0;   /* someone can log in */
	const char *prl = sshd_permit_root_login(sc);
	int by_prl = strcmp(prl, "yes") != 0;
	struct dr_finding *f = dr_add(c, DR_LOGIN, by_prl ? sc->permit_root_login.file : sc->password_auth.file,
				      by_prl ? sc->permit_root_login.line : sc->password_auth.line, NULL, "nobody can "
				      "log in over SSH: root has a password but sshd refuses it (%s), root has no "
				      "authorized key, and no other account has a usable password or key", by_prl ?
				      (sc->permit_root_login.file[0] ? "PermitRootLogin" : "PermitRootLogin prohibit-password, "
				       "OpenSSH's default") : "PasswordAuthentication no");
	if (f && !f->file[0])
		snprintf(f->file, sizeof(f->file), "/etc/ssh/sshd_config");
	dr_fixtext(f, "add your key to /root/.ssh/authorized_keys, or set '%s' in /etc/ssh/sshd_config",
		   by_prl ? "PermitRootLogin yes" : "PasswordAuthentication yes");
	return 0;
}

/* ---- sudoers -------------------------------------------------------------------- */

#define SUDOERS_MAX ((size_t)1 << 20)
#define SUDOERS_FILES 128

/* /etc/sudoers and the files of /etc/sudoers.d that sudo reads (not those
 * with a '.' or ending in '~'). N files into PATHS. */
static int sudoers_files(struct dr_ctx *c, char paths[][300], int max)
{
	char **names;
	size_t nn;
	int n = 0;
	if (dv_exists(c->v, "/etc/sudoers") != 1)
		return 0;
	snprintf(paths[n++], 300, "/etc/sudoers");
	if (dv_list(c->v, "/etc/sudoers.d", &names, &nn))
		return n;
	for (size_t i = 0; i < nn && n < max; i++) {
		size_t l = strlen(names[i]);
		if (!strchr(names[i], '.') && l && names[i][l - 1] != '~')
			snprintf(paths[n++], 300, "/etc/sudoers.d/%s", names[i]);
	}
	tree_free_list(names, nn);
	return n;
}

int ck_login_sudoers_mode(struct dr_ctx *c)
{
	static char paths[SUDOERS_FILES][300];
	int n = sudoers_files(c, paths, SUDOERS_FILES);
	for (int i = 0; i < n; i++) {
		struct tree_stat m;
		char seen[64];
		if (dv_meta(c->v, paths[i], 1, &m) || m.type != 'f')
			continue;
		const char *why = m.uid != 0 ? "is not owned by root" : (m.mode & 002) ? "is writable by everyone" :
				  ((m.mode & 020) && m.gid != 0) ? "is writable by a group other than root" : NULL;
		if (!why)
			continue;
		snprintf(seen, sizeof(seen), "mode %04o, owner %u, group %u", (unsigned)m.mode, (unsigned)m.uid, (unsigned)m.gid);
		struct dr_finding *f = dr_add(c, DR_LOGIN, paths[i], 0, seen, "%s %s: sudo refuses to run at all "
					      "(\"no valid sudoers sources found\")", paths[i], why);
		if (!f)
			continue;
		snprintf(f->key, sizeof(f->key), "%s", paths[i]);
		f->n = 0440;
		f->n2 = 0;
		f->n3 = 0;
		dr_fixtext(f, "rescuectl doctor --fix %s %s (chown root:root, chmod 0440)", f->row->id, dr_target(c));
	}
	return 0;
}

/* Owner and mode fixes: KEY is the path, N the mode, N3/N2 the user and
 * group ids (-1: keep). */
int fx_attrs(struct dr_ctx *c, const struct dr_finding *f, struct dr_fixplan *p)
{
	char what[DR_TEXT], own[64] = "";
	(void)c;
	if (f->n3 >= 0 || f->n2 >= 0) {
		char u[24] = "(kept)", g[24] = "(kept)";
		if (f->n3 >= 0)
			snprintf(u, sizeof(u), "%ld", f->n3);
		if (f->n2 >= 0)
			snprintf(g, sizeof(g), "%ld", f->n2);
		snprintf(own, sizeof(own), "chown %s:%s, ", u, g);
	}
	snprintf(what, sizeof(what), "%schmod %04lo", own, f->n);
	return dr_fix_attrs(p, f->key, f->n3 >= 0 ? (uid_t)f->n3 : (uid_t)-1, f->n2 >= 0 ? (gid_t)f->n2 : (gid_t)-1,
			    (mode_t)f->n, what);
}

static int alias_name(const char *s, size_t n)
{
	if (!n || !isupper((unsigned char)s[0]))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!isupper((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

/* Why sudo's parser rejects logical line L (comments already removed), or NULL. */
static const char *sudoers_bad(const char *l)
{
	static const char *const aliases[] = { "User_Alias", "Runas_Alias", "Host_Alias", "Cmnd_Alias", "Cmd_Alias" };
	int depth = 0, q = 0;
	for (const char *p = l; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			continue;
		}
		q ^= *p == '"';
		depth += !q && *p == '(';
		depth -= !q && *p == ')';
		if (depth < 0)
			return "a ')' without its '('";
	}
	if (q || depth)
		return q ? "a quote is not closed" : "a '(' is not closed";
	size_t kl = strcspn(l, " \t");
	if (!strncmp(l, "Defaults", 8))
		return l[kl + strspn(l + kl, " \t")] ? NULL : "Defaults without a setting";
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		if (strlen(aliases[i]) != kl || strncmp(l, aliases[i], kl))
			continue;
		const char *n = l + kl + strspn(l + kl, " \t");
		size_t nl = strcspn(n, " \t=");
		return alias_name(n, nl) && strchr(n, '=') ? NULL : "an alias needs an upper-case NAME = list";
	}
	const char *eq = strchr(l, '=');
	if (!eq)
		return "neither a setting nor a rule (USER HOST=(RUNAS) COMMANDS)";
	int words = 0;
	for (const char *p = l; p < eq; words++) {
		p += strspn(p, " \t,");
		if (p >= eq)
			break;
		p += strcspn(p, " \t,=");
	}
	return words < 2 ? "a rule needs a user and a host before '='" : NULL;
}

/* Join continuation lines; drop comments (a '#' not followed by a digit). */
static int logical(const struct dr_text *t, int *i, char *out, size_t sz)
{
	size_t o = 0;
	int start = *i;
	for (; *i < t->n; (*i)++) {
		const char *s = t->line[*i];
		size_t n = strlen(s);
		while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		int cont = n && s[n - 1] == '\\';
		snprintf(out + o, sz - o, "%.*s ", (int)(n - cont), s);
		o = strlen(out);
		if (!cont)
			break;
	}
	(*i)++;
	for (char *p = out; *p; p++)
		if (*p == '#' && !isdigit((unsigned char)p[1]) && strncmp(p, "#include", 8) && (p == out || isspace((unsigned char)p[-1]))) {
			*p = 0;
			break;
		}
	return start + 1;
}

int ck_login_sudoers_syntax(struct dr_ctx *c)
{
	static char paths[SUDOERS_FILES][300];
	static char buf[(DR_MAX_LINE + 1) * 4];
	int n = sudoers_files(c, paths, SUDOERS_FILES);
	for (int k = 0; k < n; k++) {
		struct dr_text t = { 0 };
		if (dr_text_load(c, paths[k], SUDOERS_MAX, 0, &t))
			continue;
		for (int i = 0; i < t.n;) {
			int line = logical(&t, &i, buf, sizeof(buf));
			const char *l = buf + strspn(buf, " \t");
			const char *why = !*l || !strncmp(l, "#include", 8) || !strncmp(l, "@include", 8) ? NULL : sudoers_bad(l);
			if (!why)
				continue;
			struct dr_finding *f = dr_add(c, DR_LOGIN, paths[k], line, dr_line(&t, line), "%s: sudo stops at "
						      "this parse error and refuses to run (\"no valid sudoers sources\")", why);
			dr_fixtext(f, "correct line %d with visudo -f %s in a chroot (after 'rescuectl mount-root')", line, paths[k]);
			break;   /* sudo stops at the first error of a file */
		}
		dr_text_free(&t);
	}
	return 0;
}
