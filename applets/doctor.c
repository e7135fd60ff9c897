/* doctor: why the installed system does not boot or cannot be reached, and
 * the safe, reversible fixes. The checks are lib/doctor_table.c; the fixes
 * and their undo journal lib/doctor_fix.c. This file: options, the report,
 * JSON, and showing, confirming and committing a plan. */
#include "applets.h"
#include "plan_cli.h"
#include "../lib/doctor.h"
#include "../lib/doctor_fix.h"
#include "../lib/run.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char doctor_help[] =
	"Reads the installed system and says why it does not boot or cannot be\n"
	"reached: fstab, the boot chain (kernels, initramfs, GRUB), filesystem state,\n"
	"logins, sshd, SELinux, what the last boot logged, the firewall it loads at\n"
	"boot (what it does to sshd's port) and its network configuration against\n"
	"the NICs this machine has. Each finding has an id, a severity, the evidence\n"
	"(file:line and what is there), why it matters and the fix. Nothing is\n"
	"written unless --fix or --undo is given.\n"
	"--fix safe (or --fix ID,...) applies only safe, reversible fixes: nofail (or\n"
	"--comment-out) on fstab lines of missing disks, owners and modes, /.autorelabel,\n"
	"the GRUB default, a bad sshd_config line commented out, an accept rule for\n"
	"sshd's port in the firewall's own file (or --disable-firewall), the network\n"
	"configuration moved to the NIC that exists, a stale MAC pin or persistent-net\n"
	"rule, and (--dhcp NIC --fix net.dhcp) a DHCP fallback for the manager that\n"
	"starts. --chroot also runs the target's own programs (update-initramfs,\n"
	"dracut, update-grub) in a tree that mount-root prepared. Every change is\n"
	"journaled in /var/lib/rescuectl first; --undo puts every file back byte\n"
	"for byte, with its owner, mode and label.\n"
	"Exit 0 when nothing is found, 1 when something is (or a fix failed), 3 refused,\n"
	"4 not an installed root, 6 cannot tell (the undo journal cannot be read).";

enum { O_FIX = 256, O_UNDO, O_FORCE, O_COMMENT, O_CHROOT, O_CHECK, O_LIST, O_DNS, O_DHCP, O_FWOFF };

static const struct cli_opt opts[] = {
	{ "fix", required_argument, O_FIX, "LIST", "apply the fixes of LIST: safe, or ids and families, comma-separated" },
	{ "undo", no_argument, O_UNDO, NULL, "put back every file doctor changed (its journal in /var/lib/rescuectl)" },
	{ "force", no_argument, O_FORCE, NULL, "with --undo: also put back files changed since" },
	{ "comment-out", no_argument, O_COMMENT, NULL, "the fstab fix comments the line out instead of adding nofail" },
	{ "chroot", no_argument, O_CHROOT, NULL, "fixes may run the target's programs (with --root, after mount-root)" },
	{ "check", required_argument, O_CHECK, "LIST", "run only these checks (ids or families, comma-separated)" },
	{ "list-checks", no_argument, O_LIST, NULL, "list every check and exit" },
	{ "dns", no_argument, O_DNS, NULL, "also say when no DNS server is configured (net.no-resolver)" },
	{ "dhcp", required_argument, O_DHCP, "NIC", "with --fix net.dhcp: a DHCP fallback configuration for NIC" },
	{ "disable-firewall", no_argument, O_FWOFF, NULL, "the firewall fix disables it at boot instead of adding a rule" },
	{ NULL, 0, 0, NULL, NULL },
};

struct st {
	char fix[1024];
	const char *check;
	int undo, force, comment, chroot, list;
	int dns, fw_disable;
	const char *dhcp;
};

static int on_opt(struct cli *c, void *p, int id, const char *arg)
{
	struct st *s = p;
	(void)c;
	switch (id) {
	case O_FIX:
		snprintf(s->fix + strlen(s->fix), sizeof(s->fix) - strlen(s->fix), "%s%s", s->fix[0] ? "," : "", arg);
		break;
	case O_UNDO: s->undo = 1; break;
	case O_FORCE: s->force = 1; break;
	case O_COMMENT: s->comment = 1; break;
	case O_CHROOT: s->chroot = 1; break;
	case O_CHECK: s->check = arg; break;
	case O_LIST: s->list = 1; break;
	case O_DNS: s->dns = 1; break;
	case O_DHCP: s->dhcp = arg; break;
	case O_FWOFF: s->fw_disable = 1; break;
	default: return RC_EXIT_USAGE;
	}
	return 0;
}

/* Every item of LIST must name a row, a family, "safe" or "all". */
static int check_list(struct cli *c, const char *list, const char *opt)
{
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ",");
		int ok = (n == 4 && !strncmp(p, "safe", 4)) || (n == 3 && !strncmp(p, "all", 3));
		for (size_t i = 0; i < dr_nchecks && !ok; i++)
			ok = (strlen(dr_checks[i].id) == n && !strncmp(p, dr_checks[i].id, n)) ||
			     (strlen(dr_checks[i].family) == n && !strncmp(p, dr_checks[i].family, n));
		if (!ok)
			return cli_usage(c, "%s: no check or family \"%.*s\" (see --list-checks)", opt, (int)n, p);
		p += n + (p[n] == ',');
	}
	return 0;
}

static int check_usage(struct cli *c, const struct st *s)
{
	if (s->fix[0] && s->undo)
		return cli_usage(c, "--fix and --undo do not go together");
	if (s->force && !s->undo)
		return cli_usage(c, "--force goes with --undo");
	if ((s->comment || s->chroot || s->fw_disable) && !s->fix[0])
		return cli_usage(c, "--comment-out, --chroot and --disable-firewall go with --fix");
	if (s->chroot && !c->root)
		return cli_usage(c, "--chroot works on a tree mount-root prepared: --root DIR");
	int r = s->fix[0] ? check_list(c, s->fix, "--fix") : 0;
	return r ? r : s->check ? check_list(c, s->check, "--check") : 0;
}

/* ---- the report ------------------------------------------------------------- */

static void list_checks(struct cli *c)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < dr_nchecks; i++) {
		const struct dr_check *k = &dr_checks[i];
		json_object *o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_string(k->id));
		json_object_object_add(o, "family", json_object_new_string(k->family));
		json_object_object_add(o, "severity", json_object_new_string(dr_sev_name(k->sev)));
		json_object_object_add(o, "fix", json_object_new_boolean(k->fix != NULL));
		json_object_object_add(o, "why", json_object_new_string(k->why));
		json_object_array_add(a, o);
		if (!c->json)
			cli_info(c, "%-26s %-12s %-4s %s", k->id, dr_sev_name(k->sev), k->fix ? "fix" : "", k->why);
	}
	json_object_object_add(cli_doc(c), "checks", a);
}

static json_object *jstr(const char *s)
{
	return s && *s ? json_object_new_string(s) : NULL;
}

static json_object *finding_json(const struct dr_finding *f)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(f->row->id));
	json_object_object_add(o, "family", json_object_new_string(f->row->family));
	json_object_object_add(o, "severity", json_object_new_string(dr_sev_name(f->sev)));
	json_object_object_add(o, "file", jstr(f->file));
	json_object_object_add(o, "line", f->line ? json_object_new_int(f->line) : NULL);
	json_object_object_add(o, "seen", jstr(f->seen));
	json_object_object_add(o, "what", json_object_new_string(f->what));
	json_object_object_add(o, "why", json_object_new_string(f->why[0] ? f->why : f->row->why));
	json_object_object_add(o, "fix", jstr(f->fix));
	json_object_object_add(o, "fixable", json_object_new_boolean(f->fixable));
	json_object_object_add(o, "related", jstr(f->related));
	return o;
}

static void report_json(struct cli *c, const struct dr_ctx *d)
{
	json_object *doc = cli_doc(c), *a = json_object_new_array(), *u = json_object_new_array();
	size_t n[4], fixable = dr_count(d, n);
	for (size_t i = 0; i < d->nf; i++)
		json_object_array_add(a, finding_json(&d->f[i]));
	for (size_t i = 0; i < d->nunchecked; i++)
		json_object_array_add(u, json_object_new_string(d->unchecked[i]));
	json_object_object_add(doc, "findings", a);
	json_object_object_add(doc, "not_checked", u);
	json_object *cnt = json_object_new_object();
	static const char *const keys[] = { "blocks_boot", "blocks_login", "degraded", "note" };
	for (int i = 0; i < 4; i++)
		json_object_object_add(cnt, keys[i], json_object_new_int((int)n[i]));
	json_object_object_add(doc, "counts", cnt);
	json_object_object_add(doc, "fixable", json_object_new_int((int)fixable));
}

static void upper(const char *s, char *out, size_t sz)
{
	size_t i;
	for (i = 0; s[i] && i < sz - 1; i++)
		out[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
	out[i] = 0;
}

static void report_human(struct cli *c, const struct dr_ctx *d, const char *tgt)
{
	size_t n[4], fixable = dr_count(d, n);
	for (size_t i = 0; i < d->nf; i++) {
		const struct dr_finding *f = &d->f[i];
		char sev[16];
		upper(dr_sev_name(f->sev), sev, sizeof(sev));
		cli_info(c, "%-12s  %s", sev, f->row->id);
		if (f->file[0] && f->line)
			cli_info(c, "  %s:%d: %s", f->file, f->line, f->seen);
		else if (f->file[0] || f->seen[0])
			cli_info(c, "  %s%s%s", f->file, f->file[0] && f->seen[0] ? ": " : "", f->seen);
		cli_info(c, "  %s", f->what);
		cli_info(c, "  why: %s", f->why[0] ? f->why : f->row->why);
		if (f->fix[0])
			cli_info(c, "  fix: %s", f->fix);
		if (f->related[0])
			cli_info(c, "  see: %s", f->related);
		cli_info(c, "%s", "");
	}
	if (!d->nf)
		cli_info(c, "Nothing found: no check saw a reason for this system not to boot or to refuse logins.");
	else
		cli_info(c, "%zu finding%s: %zu block%s boot, %zu block%s login, %zu degraded, %zu note%s.%s%s%s", d->nf,
			 d->nf > 1 ? "s" : "", n[0], n[0] == 1 ? "s" : "", n[1], n[1] == 1 ? "s" : "", n[2], n[3],
			 n[3] == 1 ? "" : "s", fixable ? " Safe fixes: rescuectl doctor --fix safe " : "", fixable ? tgt : "",
			 fixable ? " (--dry-run shows them first)" : "");
	if (d->nunchecked)
		cli_info(c, "Not looked at:");
	for (size_t i = 0; i < d->nunchecked; i++)
		cli_info(c, "  - %s", d->unchecked[i]);
	if (d->dropped)
		cli_warnj(c, "%zu more findings were not kept (more than %d)", d->dropped, DR_MAX_FINDINGS);
}

/* In --fix mode: one line on what was found (-v shows the whole report). */
static void summary(struct cli *c, const struct dr_ctx *d)
{
	size_t n[4], fixable = dr_count(d, n);
	cli_info(c, "%zu finding%s (%zu block%s boot, %zu block%s login), %zu with a safe fix%s.", d->nf, d->nf == 1 ? "" : "s",
		 n[0], n[0] == 1 ? "s" : "", n[1], n[1] == 1 ? "s" : "", fixable,
		 d->nf > fixable ? "; without --fix the report says what to do about the others" : "");
}

/* ---- fix and undo ------------------------------------------------------------- */

/* Show the plan, ask, commit. Returns the exit code. */
static int commit(struct cli *c, struct dr_fixplan *fp, int undo, const char *tgt)
{
	struct plan *pl = dr_fix_steps(fp);
	char q[256];
	cli_info(c, undo ? "Undo plan:" : "Fix plan:");
	plan_cli_list(c, pl);
	if (c->dry_run) {
		cli_info(c, "Dry run: nothing was written.");
		return 0;
	}
	snprintf(q, sizeof(q), undo ? "Put back %zu file(s) as they were before doctor?" :
		 "Make these %zu change(s)? (each is journaled first: rescuectl doctor --undo takes it back)",
		 plan_count(pl) - (undo ? 1 : 0));
	/* an undo that only removes doctor's own empty journal directory asks nothing */
	if ((!undo || dr_fix_nfixed(fp)) && !cli_confirm(c, q))
		return RC_EXIT_REFUSED;
	struct plan_hooks h = plan_cli_hooks(c);
	int r = undo ? dr_undo_commit(fp, &h) : dr_fix_commit(fp, &h);
	if (r < 0)
		return plan_cli_fail(c, pl);
	cli_info(c, undo ? "Undone: every change doctor made is put back." :
		 "Done. Run 'rescuectl doctor %s' again to see what is left; 'rescuectl doctor --undo %s' takes it back.",
		 tgt, tgt);
	return 0;
}

static int do_fix(struct cli *c, struct dr_ctx *d, const struct st *s, const char *tgt)
{
	struct dr_fixplan *fp = NULL;
	int ret;
	if (dr_fix_plan(d, s->fix, &fp)) {
		ret = cli_liberr(c);
		dr_fix_free(fp);
		return ret;
	}
	json_object *sk = json_object_new_array();
	for (size_t i = 0; i < dr_fix_nskipped(fp); i++) {
		cli_warnj(c, "not fixed: %s", dr_fix_skipped(fp, i));
		json_object_array_add(sk, json_object_new_string(dr_fix_skipped(fp, i)));
	}
	json_object_object_add(cli_doc(c), "not_fixed", sk);
	if (!plan_count(dr_fix_steps(fp))) {
		cli_info(c, "Nothing to fix%s.", dr_fix_nskipped(fp) ? " safely" : " among the findings selected");
		ret = dr_fix_refused(fp) ? RC_EXIT_REFUSED : dr_fix_nskipped(fp) ? 1 : 0;
	} else {
		ret = commit(c, fp, 0, tgt);
		if (!ret && dr_fix_nskipped(fp))
			ret = 1;
	}
	plan_cli_json(c, dr_fix_steps(fp));
	dr_fix_free(fp);
	return ret;
}

static int do_undo(struct cli *c, struct dr_ctx *d, const struct st *s, const char *tgt)
{
	struct dr_fixplan *fp = NULL;
	int ret;
	if (dr_undo_plan(d, s->force, &fp)) {
		ret = cli_liberr(c);
	} else if (!plan_count(dr_fix_steps(fp))) {
		cli_info(c, "Nothing to undo: the target has no doctor journal.");
		ret = 0;
	} else {
		ret = commit(c, fp, 1, tgt);
	}
	if (fp)
		plan_cli_json(c, dr_fix_steps(fp));
	dr_fix_free(fp);
	return ret;
}

/* ---- the applet ------------------------------------------------------------------ */

static int diagnose(struct cli *c, struct target *tg, const struct st *s)
{
	struct dview v;
	struct dr_ctx d;
	char tgt[PATH_MAX + 16], jc[PATH_MAX] = "";
	int writes = (s->fix[0] || s->undo) && !c->dry_run;
	snprintf(tgt, sizeof(tgt), "%s%s", c->root ? "--root " : "", c->root ? c->root : tg->device);
	if (run_find("journalctl", jc, sizeof(jc)))
		jc[0] = 0;
	rc_clear();
	struct dr_opts o = { .fstab_comment = s->comment, .chroot = s->chroot, .cmd_target = tgt, .journalctl = jc,
			     .dns = s->dns, .dhcp_nic = s->dhcp, .fw_disable = s->fw_disable };
	dv_open(&v, tg, writes ? DV_RW : 0);
	if (dr_init(&d, &v, &o)) {
		dv_close(&v);
		return cli_liberr(c);
	}
	int ret;
	if (s->undo) {
		ret = do_undo(c, &d, s, tgt);
	} else {
		dr_run(&d, s->check);
		report_json(c, &d);
		if (!c->json && (!s->fix[0] || c->verbose))
			report_human(c, &d, tgt);
		else if (!c->json)
			summary(c, &d);
		ret = s->fix[0] ? do_fix(c, &d, s, tgt) : d.nf ? 1 : 0;
	}
	dr_free(&d);
	if (dv_close(&v) && !ret)
		ret = cli_liberr(c);
	return ret;
}

int doctor_main(int argc, char **argv)
{
	struct cli c;
	struct st s = { 0 };
	struct target tg;
	char desc[PATH_MAX + 64];
	struct rootinfo ri;
	int done, rc = cli_parse(&c, applet_find("doctor"), argc, argv, opts, on_opt, &s, 0, 1, &done);
	if (done)
		return rc;
	if ((rc = check_usage(&c, &s)))
		return rc;
	if (s.list) {
		list_checks(&c);
		return cli_finish(&c, 0);
	}
	int writes = (s.fix[0] || s.undo) && !c.dry_run;
	if (target_open(c.nargs ? c.args[0] : NULL, c.root, writes ? TARGET_RW : 0, &tg)) {
		/* As disable-growpart --status: for a diagnosis, a device that holds
		 * no root rescuectl can read (vfat, a RAID member) is not an installed
		 * root (4); one that cannot be read at all cannot tell (6). */
		int h = rc_exit_hint();
		rc = cli_error(&c, writes || h == RC_EXIT_NOTFOUND || h == RC_EXIT_AMBIGUOUS || h == RC_EXIT_USAGE ? h :
			       h == RC_EXIT_REFUSED ? RC_EXIT_NOTFOUND : RC_EXIT_CANNOT_TELL, "%s", rc_msg());
		target_close(&tg);
		return cli_finish(&c, rc);
	}
	target_describe(&tg, desc, sizeof(desc));
	json_object_object_add(cli_doc(&c), "target", json_object_new_string(desc));
	rootfs_inspect(tg.tree, &ri);
	/* RESCUECTL_DOCTOR_ANY_TREE: a test seam, to run every check on trees that
	 * are no root (the damaged-image corpus) */
	if (!ri.is_root && !getenv("RESCUECTL_DOCTOR_ANY_TREE")) {
		rc = cli_error(&c, RC_EXIT_NOTFOUND, "%s is not an installed root (%s)", desc, ri.why_not);
	} else {
		json_object_object_add(cli_doc(&c), "os", json_object_new_string(ri.os.pretty_name[0] ? ri.os.pretty_name : ri.os.id));
		if (!c.json && !c.quiet)
			cli_info(&c, "rescuectl doctor: %s: %s\n", desc, ri.os.pretty_name[0] ? ri.os.pretty_name : "Linux");
		rc = diagnose(&c, &tg, &s);
	}
	if (target_close(&tg) && !rc)
		rc = cli_liberr(&c);
	/* 1 means "something found" (or a fix left undone), not an error of doctor itself */
	if (rc == 1 && c.json && !json_object_object_get_ex(cli_doc(&c), "error", NULL)) {
		cli_finish(&c, 0);
		return 1;
	}
	return cli_finish(&c, rc);
}
