/* doctor, family selinux: a configuration libselinux cannot read, a policy
 * that is not installed, files written from rescue without labels. */
#include "doctor_priv.h"
#include "err.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONFIG "/etc/selinux/config"

struct se {
	int present;             /* /etc/selinux/config exists */
	char mode[32], type[64]; /* SELINUX=, SELINUXTYPE= ("" unset) */
	int mode_line, type_line;
	char bad[DR_TEXT];       /* a line libselinux cannot use */
	int bad_line;
	char off[64];            /* a kernel parameter that overrides the mode ("selinux=0") */
};

static void parse(const struct dr_text *t, struct se *s)
{
	for (int i = 0; i < t->n; i++) {
		const char *l = t->line[i] + strspn(t->line[i], " \t");
		const char *eq = strchr(l, '=');
		if (!*l || *l == '#' || *l == ';' || *l == '\r')
			continue;
		if (!eq) {
			if (!s->bad_line)
				snprintf(s->bad, sizeof(s->bad), "%s", t->line[i]), s->bad_line = i + 1;
			continue;
		}
		char v[64];
		snprintf(v, sizeof(v), "%.*s", (int)strcspn(eq + 1, " \t\r\"#"), eq + 1 + (eq[1] == '"'));
		if (!strncmp(l, "SELINUX=", 8))
			snprintf(s->mode, sizeof(s->mode), "%s", v), s->mode_line = i + 1;
		else if (!strncmp(l, "SELINUXTYPE=", 12))
			snprintf(s->type, sizeof(s->type), "%s", v), s->type_line = i + 1;
	}
}

/* The configuration and what the default boot entry's command line does to it. */
static int se_read(struct dr_ctx *c, struct se *s, struct dr_text *t)
{
	memset(s, 0, sizeof(*s));
	memset(t, 0, sizeof(*t));
	int r = dr_text_load(c, CONFIG, (size_t)64 << 10, 0, t);
	if (r == -ENOENT)
		return 0;
	if (r)
		return r == -ENODATA ? rc_fail(ENODATA, "%s", dv_why(c->v)) : r;
	s->present = 1;
	parse(t, s);
	const struct dr_boot *b = dr_boot(c);
	char v[32];
	if (b && b->grub_state == 1 && b->g.n) {
		const struct grub_entry *e = &b->g.e[b->def >= 0 ? b->def : 0];
		if (kparam(e->args, "selinux", v, sizeof(v)) && !strcmp(v, "0"))
			snprintf(s->off, sizeof(s->off), "selinux=0");
		else if (kparam(e->args, "enforcing", v, sizeof(v)) && !strcmp(v, "0"))
			snprintf(s->off, sizeof(s->off), "enforcing=0");
	}
	return 0;
}

/* Enforcing at the next boot? */
static int enforcing(const struct se *s)
{
	return s->present && !strcmp(s->mode, "enforcing") && !s->off[0];
}

static int active(const struct se *s)
{
	return s->present && (!strcmp(s->mode, "enforcing") || !strcmp(s->mode, "permissive")) && strcmp(s->off, "selinux=0");
}

int ck_selinux_config(struct dr_ctx *c)
{
	struct se s;
	struct dr_text t;
	int r = se_read(c, &s, &t);
	if (!r && s.present) {
		int badmode = s.mode[0] && strcmp(s.mode, "enforcing") && strcmp(s.mode, "permissive") && strcmp(s.mode, "disabled");
		if (badmode)
			dr_fixtext(dr_add(c, DR_DEGRADED, CONFIG, s.mode_line, dr_line(&t, s.mode_line), "SELINUX=%s is "
					  "none of enforcing, permissive, disabled: the mode at boot is the kernel's "
					  "default, not what was meant", s.mode), "set SELINUX=enforcing, permissive or "
				   "disabled on line %d of %s", s.mode_line, CONFIG);
		else if (s.bad_line)
			dr_fixtext(dr_add(c, DR_NOTE, CONFIG, s.bad_line, s.bad, "not a KEY=VALUE line: libselinux "
					  "skips it"), "correct or remove line %d of %s", s.bad_line, CONFIG);
	}
	dr_text_free(&t);
	return r;
}

int ck_selinux_policy(struct dr_ctx *c)
{
	struct se s;
	struct dr_text t;
	char dir[200];
	int r = se_read(c, &s, &t);
	dr_text_free(&t);
	if (r || !active(&s))
		return r;
	snprintf(dir, sizeof(dir), "/etc/selinux/%s/policy", s.type[0] ? s.type : "targeted");
	r = dv_exists(c->v, dir);
	if (r != 0)
		return r < 0 ? r : 0;
	int enf = enforcing(&s);
	struct dr_finding *f = dr_add(c, enf ? DR_BOOT : DR_DEGRADED, CONFIG, s.type_line ? s.type_line : s.mode_line,
				      NULL, "SELinux is %s with policy \"%s\", but %s is not there: %s", s.mode,
				      s.type[0] ? s.type : "targeted", dir, enf ? "boot stops (\"Failed to load SELinux "
				      "policy. Freezing.\")" : "nothing is enforced");
	dr_fixtext(f, "reinstall selinux-policy-%s from a chroot, or set SELINUX=permissive in %s until it is",
		   s.type[0] ? s.type : "targeted", CONFIG);
	return 0;
}

/* Files logins and sshd read: under enforcing SELinux each needs its label. */
static const char *const labeled[] = {
	"/etc/passwd", "/etc/shadow", "/etc/group", "/etc/gshadow", "/etc/ssh/sshd_config", "/etc/ssh/ssh_host_rsa_key",
	"/etc/ssh/ssh_host_ecdsa_key", "/etc/ssh/ssh_host_ed25519_key", "/root/.ssh", "/root/.ssh/authorized_keys",
	"/etc/sudoers", "/etc/fstab", "/etc/selinux/config", "/etc/pam.d/sshd", "/etc/pam.d/system-auth",
};

int ck_selinux_unlabeled(struct dr_ctx *c)
{
	struct se s;
	struct dr_text t;
	char list[DR_TEXT] = "";
	const char *first = NULL;
	int r = se_read(c, &s, &t), n = 0;
	dr_text_free(&t);
	if (r || !enforcing(&s) || dv_exists(c->v, "/.autorelabel") == 1)
		return r;
	for (size_t i = 0; i < sizeof(labeled) / sizeof(labeled[0]); i++) {
		struct tree_stat m;
		if (dv_meta(c->v, labeled[i], 0, &m) || m.type == 'l' || m.has_label)
			continue;
		size_t l = strlen(list);
		snprintf(list + l, sizeof(list) - l, "%s%s", l ? ", " : "", labeled[i]);
		first = first ? first : labeled[i];
		n++;
	}
	if (!n)
		return 0;
	struct dr_finding *f = dr_add(c, DR_LOGIN, first, 0, list, "%d file%s that logins need %s no SELinux label "
				      "(written from a rescue system?): under enforcing SELinux they cannot be read, and "
				      "logins fail", n, n > 1 ? "s" : "", n > 1 ? "have" : "has");
	dr_fixtext(f, "rescuectl doctor --fix %s %s (creates /.autorelabel: the next boot labels every file and "
		   "reboots once)", f ? f->row->id : "", dr_target(c));
	return 0;
}

int fx_selinux_autorelabel(struct dr_ctx *c, const struct dr_finding *f, struct dr_fixplan *p)
{
	(void)c;
	(void)f;
	return dr_fix_create(p, "/.autorelabel", "", 0, 0644, "create /.autorelabel (relabel at the next boot)");
}

int ck_selinux_relabel_pending(struct dr_ctx *c)
{
	struct se s;
	struct dr_text t;
	int r = se_read(c, &s, &t);
	dr_text_free(&t);
	if (r || !active(&s) || dv_exists(c->v, "/.autorelabel") != 1)
		return r;
	dr_fixtext(dr_add(c, DR_NOTE, "/.autorelabel", 0, NULL, "the next boot relabels every file, then reboots "
			  "once: on a big disk the server stays dark for a while"), "wait for it; nothing to do");
	return 0;
}
