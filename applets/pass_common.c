/* Shared by reset-pass and clear-pass. See pass_common.h. */
#include "pass_common.h"
#include "../lib/pwhash.h"
#include "../lib/sshd.h"
#include "../lib/ext4.h"
#include "../lib/rootfs.h"
#include <stdlib.h>
#include <string.h>

#define MAX_PWFILE ((size_t)64 << 20)

static json_object *jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static void jset(struct cli *c, const char *key, json_object *v)
{
	json_object_object_add(cli_doc(c), key, v);
}

/* A password field in words: never the hash itself. */
static const char *field_state(const char *f, char *buf, size_t sz)
{
	if (!f || !*f)
		return "empty (no password)";
	if (!strcmp(f, "*") || !strcmp(f, "x"))
		return strcmp(f, "*") ? "'x' (in shadow)" : "'*' (no password login)";
	int locked = f[0] == '!';
	const char *rest = f;
	while (*rest == '!')
		rest++;
	enum pwm m = pwm_of_hash(rest);
	if (locked && !*rest)
		snprintf(buf, sz, "locked, no password");
	else if (m == PWM_NONE)
		snprintf(buf, sz, "%s'%s...' (not a hash)", locked ? "locked, " : "", rest[0] == '*' ? "*" : "?");
	else
		snprintf(buf, sz, "%s%s hash", locked ? "locked " : "", pwm_name(m));
	return buf;
}

/* A damaged password file is never edited, and so its good backup is
 * never replaced by it (shadow-utils would copy the damage into FILE-). */
static int refuse_damaged(struct pass_ctx *p, const char *file, const char *backup, const char *text, size_t len)
{
	char *bak = NULL, why[160];
	size_t blen = 0;
	int bak_ok = 0;
	int r = tree_read(p->tgt.tree, backup, &bak, &blen, MAX_PWFILE);
	if (r && r != -ENOENT)
		bak = NULL;
	int bad = pw_damaged(text, len, bak, blen, p->passwd, p->passwd_len, why, sizeof(why), &bak_ok);
	free(bak);
	if (!bad)
		return 0;
	if (bak_ok)
		return cli_error(p->c, RC_EXIT_REFUSED, "%s in %s looks damaged: %s. Nothing was changed, and its "
				 "backup %s, which looks whole, was kept. Compare the two, then restore the backup "
				 "(rescuectl mount-root; cp -p /mnt%s /mnt%s) and run this again", file, p->desc, why,
				 backup, backup, file);
	return cli_error(p->c, RC_EXIT_REFUSED, "%s in %s looks damaged: %s. Nothing was changed; there is no "
			 "sound backup %s. Repair it by hand first (look with 'cat -v')", file, p->desc, why, backup);
}

int pass_open(struct pass_ctx *p, struct cli *c, const char *user)
{
	memset(p, 0, sizeof(*p));
	p->c = c;
	p->user = user;
	p->old_lastchg = -1;
	if (pw_check_name(user))
		return cli_usage(c, "--user: %s", rc_msg());
	jset(c, "user", jstr(user));
	const char *dev = c->nargs ? c->args[0] : NULL;
	if (target_open(dev, c->root, c->dry_run ? 0 : TARGET_RW, &p->tgt))
		return cli_liberr(c);
	p->opened = 1;
	/* On a mounted tree, the target's own lock before anything is read:
	 * no passwd, useradd or other rescuectl changes the files between our
	 * read and our write. (An unmounted device is locked whole already.) */
	if (!c->dry_run && tree_writable(p->tgt.tree) && tree_lock_passwd(p->tgt.tree))
		return cli_liberr(c);
	target_describe(&p->tgt, p->desc, sizeof(p->desc));
	jset(c, "target", jstr(p->desc));
	cli_verbose(c, "target: %s", p->desc);
	struct rootinfo ri;
	if (rootfs_inspect(p->tgt.tree, &ri) == 0 && !ri.is_root)
		return cli_error(c, RC_EXIT_NOTFOUND, "%s is not an installed root (%s)", p->desc, ri.why_not);
	struct ext4_info ei;
	if (c->dry_run && p->tgt.via == TARGET_VIA_OFFLINE && !ext4_read_info(p->tgt.device, &ei) &&
	    (ei.needs_recovery || ei.errors))
		cli_warnj(c, "a real run will be refused: %s %s. Run 'rescuectl fsck' first", p->tgt.device,
			  ei.needs_recovery ? "has a journal that needs recovery" : "has errors recorded");

	/* A symbolic link at /etc/shadow could lead anywhere: never read or
	 * edit through it (and never fall back to passwd because of it). */
	struct tree_stat st;
	int r = tree_stat(p->tgt.tree, "/etc/shadow", 0, &st);
	if (!r && st.type == 'l')
		return cli_error(c, RC_EXIT_REFUSED, "/etc/shadow in %s is a symbolic link; refusing to read or "
				 "edit through it. Replace it with the real file first", p->desc);
	if (!r && st.type != 'f')
		return cli_error(c, RC_EXIT_REFUSED, "/etc/shadow in %s is not a regular file", p->desc);
	p->has_shadow = !r;

	r = tree_read(p->tgt.tree, "/etc/passwd", &p->passwd, &p->passwd_len, MAX_PWFILE);
	if (r == -ENOENT)
		return cli_error(c, RC_EXIT_NOTFOUND, "%s has no /etc/passwd: is it the installed root?", p->desc);
	if (r)
		return cli_liberr(c);
	if (p->has_shadow) {
		r = tree_read(p->tgt.tree, "/etc/shadow", &p->shadow, &p->shadow_len, MAX_PWFILE);
		if (r)
			return r == -ENOENT ? cli_error(c, RC_EXIT_FAIL, "cannot read /etc/shadow in %s", p->desc)
					    : cli_liberr(c);
	}

	if (p->shadow && (r = refuse_damaged(p, "/etc/shadow", "/etc/shadow-", p->shadow, p->shadow_len)))
		return r;
	struct pwline pl;
	int in_passwd = pw_find(p->passwd, p->passwd_len, user, "/etc/passwd", &pl);
	if (in_passwd == -EINVAL) {
		if (!p->has_shadow)
			return cli_liberr(c);
		cli_warnj(c, "%s", rc_msg());
	}
	if (p->shadow) {
		r = pw_find(p->shadow, p->shadow_len, user, "/etc/shadow", &p->line);
		if (r == -EINVAL)
			return cli_liberr(c);
		if (!r) {
			p->kind = PW_SHADOW;
			p->file = "/etc/shadow";
			p->backup = "/etc/shadow-";
		}
	}
	if (!p->kind) {
		if (in_passwd)
			return cli_error(c, RC_EXIT_NOTFOUND, "no account '%s' in %s (not in /etc/passwd%s)", user,
					 p->desc, p->shadow ? " nor /etc/shadow" : "");
		char *f = pw_field(p->passwd, &pl, 1);
		int x = f && !strcmp(f, "x");
		free(f);
		if (x)
			return cli_error(c, RC_EXIT_NOTFOUND,
					 "'%s' has no line in /etc/shadow of %s although /etc/passwd says its password "
					 "is there ('x'). Add one, e.g. by running 'pwconv' in a chroot, then retry",
					 user, p->desc);
		p->kind = PW_PASSWD;
		p->file = "/etc/passwd";
		p->backup = "/etc/passwd-";
		p->line = pl;
	}
	if (p->kind == PW_SHADOW && !in_passwd) {
		/* pam_unix and glibc read shadow only when passwd says 'x'. */
		char *f = pw_field(p->passwd, &pl, 1);
		if (f && strcmp(f, "x"))
			cli_warnj(c, "the password field of '%s' in /etc/passwd is not 'x' but %s: pam_unix checks "
				  "that one and ignores /etc/shadow. Set it to 'x' (pwconv in a chroot)", user,
				  *f ? "set" : "empty");
		free(f);
	}
	/* The backup name is checked now, with everything else, not when the
	 * commit comes to it: a link or directory there is a refusal. */
	r = tree_stat(p->tgt.tree, p->backup, 0, &st);
	if (!r && st.type != 'f')
		return cli_error(c, RC_EXIT_REFUSED, "%s in %s is %s, not a regular file; refusing to replace it "
				 "with the backup. Move it away first", p->backup, p->desc,
				 st.type == 'l' ? "a symbolic link" : st.type == 'd' ? "a directory" : "a special file");
	p->old_field = pw_field(p->kind == PW_SHADOW ? p->shadow : p->passwd, &p->line, 1);
	if (p->kind == PW_SHADOW) {
		struct spnums n;
		pw_shadow_nums(p->shadow, &p->line, &n);
		p->old_lastchg = n.lastchg;
	}
	jset(c, "file", jstr(p->file));
	cli_verbose(c, "%s: line %d of %s", user, p->line.lineno, p->file);
	return 0;
}

/* Commit: the tree becomes writable (for an unmounted device, the private
 * mount is made now), and the file must still be what the plan was made
 * from. */
static int commit_begin(struct pass_ctx *p, const char *text, size_t len)
{
	char *now = NULL;
	size_t nlen = 0;
	if (target_writable(&p->tgt) || tree_lock_passwd(p->tgt.tree) ||
	    tree_read(p->tgt.tree, p->file, &now, &nlen, MAX_PWFILE))
		return -1;
	target_describe(&p->tgt, p->desc, sizeof(p->desc));
	jset(p->c, "target", jstr(p->desc));
	int same = nlen == len && !memcmp(now, text, len);
	free(now);
	if (!same)
		return rc_failx(RC_EXIT_FAIL, EAGAIN, "%s in %s changed while rescuectl was working on it; "
				"nothing was written. Run this again", p->file, p->desc);
	return 0;
}

int pass_write(struct pass_ctx *p, const char *newfield, long lastchg, const char *what, int *changed)
{
	struct cli *c = p->c;
	const char *text = p->kind == PW_SHADOW ? p->shadow : p->passwd;
	size_t len = p->kind == PW_SHADOW ? p->shadow_len : p->passwd_len;
	char *out = NULL;
	size_t outlen = 0;
	unsigned notes = 0, flags = 0;
	char b1[64], b2[64];
	int rc = 0;

	*changed = 0;
	if (p->kind != PW_SHADOW)
		lastchg = -1;
	if (pw_edit(text, len, p->kind, p->file, p->user, newfield, lastchg, &out, &outlen, &notes))
		return cli_liberr(c);
	const char *s1 = field_state(p->old_field, b1, sizeof(b1));
	const char *s2 = field_state(newfield, b2, sizeof(b2));
	json_object_object_add(cli_doc(c), "old_state", jstr(s1));
	json_object_object_add(cli_doc(c), "new_state", jstr(s2));
	if (lastchg >= 0)
		jset(c, "last_change", json_object_new_int64(lastchg));
	jset(c, "dry_run", json_object_new_boolean(c->dry_run));
	if (notes & PWE_PADDED)
		cli_warnj(c, "line %d of %s had %d field%s; completed to 9 with empty fields (glibc ignores "
			  "shorter lines)", p->line.lineno, p->file, p->line.nfields, p->line.nfields == 1 ? "" : "s");
	if (notes & PWE_CRLF)
		cli_warnj(c, "line %d of %s ends with CR LF; left so, but glibc reads the CR as part of the last "
			  "field and may ignore the line: if the login fails, convert %s to LF line ends",
			  p->line.lineno, p->file, p->file);
	if (notes & PWE_DUPS)
		cli_warnj(c, "%s has %d more line%s for '%s' after line %d; they are left alone (the first line "
			  "is the one that counts)", p->file, p->line.dups, p->line.dups == 1 ? "" : "s", p->user,
			  p->line.lineno);
	if (notes & PWE_NOCHANGE) {
		cli_info(c, "Nothing to change for '%s' in %s on %s: it is already %s.", p->user, p->file, p->desc, s1);
		jset(c, "changed", json_object_new_boolean(0));
		goto out;
	}

	char sel[32];
	int has_sel = !selinux_state(p->tgt.tree, sel, sizeof(sel)) && sel[0];
	int sel_on = has_sel && strcmp(sel, "disabled");
	json_object *js = json_object_new_object();
	json_object_object_add(js, "state", jstr(has_sel ? sel : "none"));

	if (c->dry_run) {
		cli_info(c, "Would %s of '%s' in %s, line %d, on %s: %s -> %s%s%s.", what, p->user, p->file,
			 p->line.lineno, p->desc, s1, s2, lastchg >= 0 ? ", last change " : "",
			 lastchg >= 0 ? (lastchg ? "today" : "0 (change forced at next login)") : "");
		cli_info(c, "Would keep the old file as %s. Nothing was written (--dry-run).", p->backup);
		jset(c, "changed", json_object_new_boolean(0));
		jset(c, "backup", jstr(p->backup));
		jset(c, "selinux", js);
		goto out;
	}

	if (commit_begin(p, text, len) || tree_replace(p->tgt.tree, p->file, out, outlen, p->backup, &flags)) {
		json_object_put(js);
		rc = cli_liberr(c);
		goto out;
	}
	*changed = 1;
	jset(c, "changed", json_object_new_boolean(1));
	jset(c, "backup", jstr(p->backup));
	/* Read it back: what is on disk must be exactly what we built. */
	char *back = NULL;
	size_t backlen = 0;
	if (tree_read(p->tgt.tree, p->file, &back, &backlen, MAX_PWFILE) || backlen != outlen ||
	    memcmp(back, out, outlen)) {
		free(back);
		json_object_put(js);
		rc = cli_error(c, RC_EXIT_FAIL, "%s in %s does not read back as written; the old content is in %s",
			       p->file, p->desc, p->backup);
		goto out;
	}
	free(back);

	int lost = !!(flags & TREE_LABEL_LOST);
	int relabel = 0;
	json_object_object_add(js, "label_kept", json_object_new_boolean(!lost));
	if (lost && sel_on) {
		if (tree_create(p->tgt.tree, "/.autorelabel", "", 0, 0644, 0, 0, 1)) {
			cli_warnj(c, "the SELinux label of %s could not be kept and /.autorelabel could not be "
				  "created (%s): create it by hand or logins will fail under SELinux", p->file, rc_msg());
		} else {
			relabel = 1;
			cli_warnj(c, "the SELinux label of %s could not be kept (SELinux is %s on the target): created "
				  "/.autorelabel, so the first boot relabels the filesystem (it takes a while and reboots "
				  "once)", p->file, sel);
		}
	} else if (lost) {
		cli_verbose(c, "the security.selinux attribute of %s was not kept; SELinux is %s on the target",
			    p->file, has_sel ? sel : "not configured");
	}
	json_object_object_add(js, "autorelabel", json_object_new_boolean(relabel));
	jset(c, "selinux", js);
	cli_info(c, "Done: %s of '%s' in %s, line %d, on %s: %s -> %s%s. Old file kept as %s.", what,
		 p->user, p->file, p->line.lineno, p->desc, s1, s2,
		 lastchg > 0 ? ", last change today" : lastchg == 0 ? ", change forced at next login" : "",
		 p->backup);
out:
	free(out);
	return rc;
}

static void jopt(json_object *o, const char *key, const char *value, const struct sshd_opt *src)
{
	json_object *v = json_object_new_object();
	json_object_object_add(v, "value", jstr(value));
	if (src->value[0]) {
		char where[300];
		snprintf(where, sizeof(where), "%s:%d", src->file, src->line);
		json_object_object_add(v, "set_in", jstr(where));
	} else {
		json_object_object_add(v, "set_in", NULL);
	}
	json_object_object_add(o, key, v);
}

static const char *where(const struct sshd_opt *o, char *buf, size_t sz)
{
	if (o->value[0])
		snprintf(buf, sz, "set in %s:%d", o->file, o->line);
	else
		snprintf(buf, sz, "OpenSSH's default");
	return buf;
}

void pass_report_login(struct pass_ctx *p, int empty, int locked, int aging)
{
	struct cli *c = p->c;
	json_object *login = json_object_new_object();
	char day[32], w[320];
	long today = pw_today();

	/* The account itself: passwd entry, shell, expiry. */
	struct pwline pl;
	if (pw_find(p->passwd, p->passwd_len, p->user, "/etc/passwd", &pl)) {
		cli_warnj(c, "'%s' is not in /etc/passwd: it cannot log in at all", p->user);
	} else {
		char *shell = pw_field(p->passwd, &pl, 6);
		const char *sh = shell && *shell ? shell : "/bin/sh";
		json_object_object_add(login, "shell", jstr(sh));
		int refuses = pw_shell_refuses(sh);
		json_object_object_add(login, "shell_refuses", json_object_new_boolean(refuses));
		struct tree_stat st;
		if (refuses)
			cli_warnj(c, "the shell of '%s' is %s: it refuses every login, whatever the password "
				  "(change it with 'usermod -s /bin/bash %s' in a chroot)", p->user, sh, p->user);
		else if (tree_stat(p->tgt.tree, sh, 1, &st))
			cli_warnj(c, "the shell of '%s', %s, does not exist in the target: logins will fail", p->user, sh);
		free(shell);
	}
	if (p->kind == PW_SHADOW) {
		struct spnums n;
		pw_shadow_nums(p->shadow, &p->line, &n);
		json_object *exp = NULL;
		if (n.expire >= 0) {
			pw_day_str(n.expire, day, sizeof(day));
			exp = jstr(day);
			if (n.expire <= today)
				cli_warnj(c, "the account '%s' expired on %s (shadow field 8): logins are refused until "
					  "it is cleared ('chage -E -1 %s' in a chroot)", p->user, day, p->user);
		}
		json_object_object_add(login, "account_expires", exp);
		if (aging && !locked) {
			if (n.lastchg == 0)
				cli_warnj(c, "the last-change field of '%s' is 0: a new password is demanded at the next login",
					  p->user);
			else if (n.lastchg > 0 && n.max >= 0 && n.lastchg + n.max < today) {
				pw_day_str(n.lastchg + n.max, day, sizeof(day));
				cli_warnj(c, "the password of '%s' expired on %s (maximum age %ld days)%s", p->user, day,
					  n.max, n.inact >= 0 && n.lastchg + n.max + n.inact < today ?
					  " and the account is inactive: logins are refused" :
					  ": a new password is demanded at the next login");
			}
		}
	}

	/* sshd */
	struct sshd_conf sc;
	json_object *js = json_object_new_object();
	int partial = sshd_scan(p->tgt.tree, &sc) != 0;
	if (partial)
		cli_warnj(c, "sshd's configuration was not read whole: %s%s. What follows comes from the part "
			  "before it", rc_msg(), sc.sshd_refuses ? " (sshd itself refuses to start on this)" : "");
	json_object_object_add(js, "read_whole", json_object_new_boolean(!partial));
	if (!sc.exists && partial) {
		json_object_object_add(js, "config", json_object_new_boolean(0));
	} else if (!sc.exists) {
		json_object_object_add(js, "config", json_object_new_boolean(0));
		cli_info(c, "No /etc/ssh/sshd_config: sshd looks absent, so only the console can use this password.");
	} else {
		json_object_object_add(js, "config", json_object_new_boolean(1));
		const char *prl = sshd_permit_root_login(&sc);
		int pa = sshd_password_auth(&sc), pe = sshd_permit_empty(&sc);
		jopt(js, "permit_root_login", prl, &sc.permit_root_login);
		jopt(js, "password_authentication", pa ? "yes" : "no", &sc.password_auth);
		jopt(js, "permit_empty_passwords", pe ? "yes" : "no", &sc.permit_empty);
		json_object_object_add(js, "match_blocks", json_object_new_int(sc.match_blocks));
		int ssh_ok = 1;
		if (locked) {
			ssh_ok = 0;
		} else {
			if (!strcmp(p->user, "root") && strcmp(prl, "yes")) {
				ssh_ok = 0;
				cli_warnj(c, "sshd will refuse root's password: PermitRootLogin %s (%s). Use the console, "
					  "or set 'PermitRootLogin yes' in /etc/ssh/sshd_config", prl,
					  where(&sc.permit_root_login, w, sizeof(w)));
			}
			if (!pa) {
				ssh_ok = 0;
				cli_warnj(c, "sshd refuses passwords: PasswordAuthentication no (%s)%s", where(&sc.password_auth, w, sizeof(w)),
					  !strcmp(sc.kbd_interactive.value, "yes") ? "; keyboard-interactive (PAM) may still ask" : "");
			}
			if (empty && !pe) {
				ssh_ok = 0;
				cli_warnj(c, "sshd never accepts an empty password: PermitEmptyPasswords no (%s)",
					  where(&sc.permit_empty, w, sizeof(w)));
			}
		}
		if (sc.match_blocks)
			cli_warnj(c, "sshd_config has Match blocks (first at %s): they may change these settings for "
				  "some users or addresses", sc.first_match);
		json_object_object_add(js, "password_login", json_object_new_boolean(ssh_ok));
	}
	json_object_object_add(login, "ssh", js);

	/* PAM, for an empty password */
	if (empty && !locked) {
		struct pam_file pf[PAM_FILES];
		json_object *ja = json_object_new_array();
		if (pam_scan(p->tgt.tree, pf)) {
			cli_warnj(c, "cannot read the PAM configuration: %s", rc_msg());
		} else {
			int any = 0, ok = 0;
			char have[256] = "", lack[256] = "";
			for (int i = 0; i < PAM_FILES; i++) {
				if (!pf[i].exists)
					continue;
				any = 1;
				json_object *o = json_object_new_object();
				json_object_object_add(o, "file", jstr(pf[i].path));
				json_object_object_add(o, "pam_unix_auth", json_object_new_boolean(pf[i].unix_auth));
				json_object_object_add(o, "nullok", json_object_new_boolean(pf[i].nullok));
				json_object_array_add(ja, o);
				char *dst = pf[i].nullok ? have : lack;
				size_t l = strlen(dst);
				snprintf(dst + l, 256 - l, "%s%s%s%s", l ? ", " : "", pf[i].path,
					 pf[i].nullok && strcmp(pf[i].arg, "nullok") ? " (" : "",
					 pf[i].nullok && strcmp(pf[i].arg, "nullok") ? pf[i].arg : "");
				if (pf[i].nullok && strcmp(pf[i].arg, "nullok"))
					strncat(dst, ")", 256 - strlen(dst) - 1);
				ok |= pf[i].nullok;
			}
			if (!any)
				cli_warnj(c, "no common-auth, system-auth or password-auth in /etc/pam.d: cannot tell whether "
					  "PAM accepts an empty password");
			else if (!ok)
				cli_warnj(c, "PAM will refuse an empty password: pam_unix has no nullok in %s. Add nullok "
					  "to its auth line, or set a password with reset-pass", lack);
			else if (lack[0])
				cli_warnj(c, "an empty password works only where PAM has nullok: yes in %s, no in %s",
					  have, lack);
			else
				cli_info(c, "PAM accepts an empty password (nullok in %s).", have);
		}
		json_object_object_add(login, "pam", ja);
	}
	json_object_object_add(cli_doc(c), "login", login);
}

int pass_close(struct pass_ctx *p, int rc)
{
	if (p->opened && target_close(&p->tgt) && !rc)
		rc = cli_liberr(p->c);
	p->opened = 0;
	free(p->passwd);
	free(p->shadow);
	free(p->old_field);
	p->passwd = p->shadow = p->old_field = NULL;
	return rc;
}
