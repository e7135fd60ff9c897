/* disable-growpart: stop cloud-init (growpart, resizefs) and the initramfs
 * growroot from growing the root back at the next boot; --status says what
 * still would. The logic is lib/growpart.c (shrink-root calls it too). */
#include "applets.h"
#include "../lib/growpart.h"
#include "../lib/rootfs.h"
#include "../lib/target.h"
#include <getopt.h>
#include <libsmartcols/libsmartcols.h>
#include <stdio.h>
#include <string.h>

const char disable_growpart_help[] =
	"By default writes the drop-in /etc/cloud/cloud.cfg.d/" GP_DROPIN_NAME "\n"
	"(growpart: {mode: 'off'}, resize_rootfs: false), which sorts after the\n"
	"provider's drop-ins, and creates /etc/growroot-disabled. --edit-cloud-cfg also\n"
	"removes the growpart and resizefs entries from cloud.cfg's module lists (a\n"
	"backup is kept). A second run changes nothing. --undo takes it all back.\n"
	"--status changes nothing and exits 0 when nothing would grow the root at the\n"
	"next boot, 1 when something would (cloud-init modules, initramfs growroot,\n"
	"x-systemd.growfs in fstab, the GPT 'grow file system' attribute), 4 when the\n"
	"target is not an installed root, 6 when it cannot tell (a file it needs\n"
	"cannot be read, or its YAML is beyond the limits).\n"
	"User-data and vendor-data from the provider can still override /etc/cloud.";

enum { O_STATUS = 256, O_UNDO, O_EDIT, O_FORCE };

static const struct cli_opt opts[] = {
	{ "status", no_argument, O_STATUS, NULL, "change nothing; exit 1 if something would grow the root" },
	{ "edit-cloud-cfg", no_argument, O_EDIT, NULL, "also remove growpart/resizefs from cloud.cfg's module lists" },
	{ "undo", no_argument, O_UNDO, NULL, "remove what rescuectl wrote, restore cloud.cfg from its backup" },
	{ "force", no_argument, O_FORCE, NULL, "write even when the target has no /etc/cloud" },
	{ NULL, 0, 0, NULL, NULL },
};

struct st {
	int status, undo, edit, force;
};

static int on_opt(struct cli *c, void *p, int id, const char *arg)
{
	struct st *s = p;
	(void)c;
	(void)arg;
	switch (id) {
	case O_STATUS: s->status = 1; break;
	case O_UNDO: s->undo = 1; break;
	case O_EDIT: s->edit = 1; break;
	case O_FORCE: s->force = 1; break;
	default: return RC_EXIT_USAGE;
	}
	return 0;
}

static json_object *jstr(const char *s) { return s && *s ? json_object_new_string(s) : NULL; }

static json_object *jmsgs(const struct gp_msgs *m)
{
	json_object *a = json_object_new_array();
	for (int i = 0; i < m->n; i++)
		json_object_array_add(a, json_object_new_string(m->m[i]));
	return a;
}

static const char *yesno(int b) { return b ? "yes" : "no"; }

/* ---- --status -------------------------------------------------------------- */

static void status_json(struct cli *c, const struct growpart_status *s)
{
	json_object *d = cli_doc(c), *o, *x;
	const struct gp_cfg *m = &s->merged;
	json_object_object_add(d, "would_grow", json_object_new_boolean(s->would_grow));
	json_object_object_add(d, "reasons", jmsgs(&s->reasons));
	o = json_object_new_object();
	json_object_object_add(o, "present", json_object_new_boolean(s->cloud_init));
	json_object_object_add(o, "disabled", json_object_new_boolean(s->cloud_init_disabled));
	json_object_object_add(d, "cloud_init", o);

	o = json_object_new_object();
	for (int i = 0; i < GP_NLISTS; i++) {
		if (!m->has_list[i])
			continue;
		x = json_object_new_object();
		json_object_object_add(x, "from", jstr(s->list_from[i]));
		json_object_object_add(x, "growpart", json_object_new_boolean(m->list_growpart[i]));
		json_object_object_add(x, "resizefs", json_object_new_boolean(m->list_resizefs[i]));
		json_object_object_add(o, gp_list_names[i], x);
	}
	json_object_object_add(d, "module_lists", o);

	o = json_object_new_object();
	json_object_object_add(o, "listed", json_object_new_boolean(s->growpart_listed));
	json_object_object_add(o, "mode", m->has_growpart && !m->growpart_map ? NULL :
				  json_object_new_string(m->has_mode ? m->mode : "auto"));
	json_object_object_add(o, "mode_off", json_object_new_boolean(m->has_mode && m->mode_off));
	json_object_object_add(o, "from", jstr(s->mode_from));
	json_object_object_add(o, "ignore_growroot_disabled", json_object_new_boolean(m->ignore_growroot_disabled));
	json_object_object_add(o, "runs", json_object_new_boolean(s->growpart_runs));
	json_object_object_add(d, "growpart", o);

	o = json_object_new_object();
	json_object_object_add(o, "listed", json_object_new_boolean(s->resizefs_listed));
	json_object_object_add(o, "resize_rootfs", json_object_new_boolean(!m->has_resize || m->resize_on));
	json_object_object_add(o, "value", jstr(m->has_resize ? m->resize : NULL));
	json_object_object_add(o, "from", jstr(s->resize_from));
	json_object_object_add(o, "runs", json_object_new_boolean(s->resizefs_runs));
	json_object_object_add(d, "resizefs", o);

	o = json_object_new_object();
	json_object_object_add(o, "growroot_disabled", json_object_new_boolean(s->growroot_disabled));
	json_object_object_add(o, "installed", json_object_new_boolean(s->initramfs_growroot));
	json_object_object_add(o, "path", jstr(s->initramfs_growroot_path));
	json_object_object_add(o, "runs", json_object_new_boolean(s->growroot_runs));
	json_object_object_add(d, "initramfs_growroot", o);

	json_object_object_add(d, "fstab_growfs", json_object_new_boolean(s->fstab_growfs));
	json_object_object_add(d, "fstab_growfs_on", jstr(s->fstab_growfs_on));
	json_object_object_add(d, "gpt_grow_attribute", s->gpt_known ? json_object_new_boolean(s->gpt_grow) : NULL);
	o = json_object_new_object();
	json_object_object_add(o, "dropin", json_object_new_boolean(s->dropin && s->dropin_ours));
	json_object_object_add(o, "growroot_disabled", json_object_new_boolean(s->growroot_disabled_ours));
	json_object_object_add(o, "cloud_cfg_backup", json_object_new_boolean(s->cfg_backup));
	json_object_object_add(d, "rescuectl", o);
	json_object_object_add(d, "later_overrides", jmsgs(&s->later));
}

static void row(struct libscols_table *tb, const char *check, const char *state, const char *grows)
{
	struct libscols_line *ln = scols_table_new_line(tb, NULL);
	if (!ln)
		return;
	scols_line_set_data(ln, 0, check);
	scols_line_set_data(ln, 1, state);
	scols_line_set_data(ln, 2, grows);
}

static void status_human(struct cli *c, const struct growpart_status *s)
{
	const struct gp_cfg *m = &s->merged;
	char b[512];
	struct libscols_table *tb = scols_new_table();
	if (!tb)
		return;
	scols_table_new_column(tb, "CHECK", 0.2, 0);
	scols_table_new_column(tb, "STATE", 0.6, SCOLS_FL_WRAP);
	scols_table_new_column(tb, "GROWS", 0.1, 0);

	row(tb, "cloud-init", !s->cloud_init ? "not installed (no /etc/cloud)" :
	    s->cloud_init_disabled ? "disabled (/etc/cloud/cloud-init.disabled)" : "installed", "");
	if (s->growpart_listed) {
		int i = 0;
		while (i < GP_NLISTS - 1 && !(m->has_list[i] && m->list_growpart[i]))
			i++;
		snprintf(b, sizeof(b), "in %s (%s)", gp_list_names[i], s->list_from[i]);
	} else {
		snprintf(b, sizeof(b), "not in any module list");
	}
	row(tb, "growpart module", b, yesno(s->growpart_runs));
	if (m->has_growpart && !m->growpart_map)
		snprintf(b, sizeof(b), "growpart is not a mapping (%s): cloud-init skips it", s->growpart_from);
	else if (m->has_mode)
		snprintf(b, sizeof(b), "'%s'%s (%s)", m->mode, m->mode_off ? ", disabled" : "", s->mode_from);
	else
		snprintf(b, sizeof(b), "auto (the default)");
	row(tb, "growpart mode", b, "");
	if (s->resizefs_listed) {
		int i = 0;
		while (i < GP_NLISTS - 1 && !(m->has_list[i] && m->list_resizefs[i]))
			i++;
		snprintf(b, sizeof(b), "in %s (%s)", gp_list_names[i], s->list_from[i]);
	} else {
		snprintf(b, sizeof(b), "not in any module list");
	}
	row(tb, "resizefs module", b, yesno(s->resizefs_runs));
	if (m->has_resize)
		snprintf(b, sizeof(b), "%s (%s)", m->resize[0] ? m->resize : "(not a string)", s->resize_from);
	else
		snprintf(b, sizeof(b), "true (the default)");
	row(tb, "resize_rootfs", b, "");
	row(tb, GP_GROWROOT_OFF, s->growroot_disabled ? (s->growroot_disabled_ours ? "present (rescuectl)" : "present") :
	    "absent", "");
	snprintf(b, sizeof(b), "%s", s->initramfs_growroot ? s->initramfs_growroot_path : "not installed");
	row(tb, "initramfs growroot", b, yesno(s->growroot_runs));
	snprintf(b, sizeof(b), "%s", s->fstab_growfs_on[0] ? s->fstab_growfs_on : "none");
	row(tb, "fstab x-systemd.growfs", b, yesno(s->fstab_growfs));
	row(tb, "GPT attribute 59", !s->gpt_known ? "not known (not a GPT partition, or --root)" :
	    s->gpt_grow ? "set" : "clear", s->gpt_known ? yesno(s->gpt_grow) : "");
	row(tb, "rescuectl drop-in", s->dropin ? (s->dropin_ours ? "present" : "present, not written by rescuectl") :
	    "absent", "");
	if (!c->quiet) {
		scols_print_table(tb);
		if (s->would_grow) {
			printf("\nSomething would grow the root at the next boot:\n");
			for (int i = 0; i < s->reasons.n; i++)
				printf("  - %s\n", s->reasons.m[i]);
		} else {
			printf("\nNothing would grow the root at the next boot.\n");
			if (s->cloud_init && !s->cloud_init_disabled)
				printf("(As far as the disk says: user-data and vendor-data from the provider\n"
				       "can still turn growpart or resize_rootfs back on.)\n");
		}
	}
	scols_unref_table(tb);
}

/* ---- disable / undo ----------------------------------------------------------- */

static const char *opname(enum gp_op op)
{
	switch (op) {
	case GP_OP_CREATE: return "create";
	case GP_OP_REPLACE: return "edit";
	case GP_OP_UNLINK: return "remove";
	case GP_OP_MKDIR: return "mkdir";
	}
	return "?";
}

static void report_out(struct cli *c, const struct growpart_report *rep, int done, int s_undo)
{
	json_object *d = cli_doc(c);
	json_object *a = json_object_new_array();
	for (int i = 0; i < rep->nact; i++) {
		const struct gp_action *x = &rep->act[i];
		json_object *o = json_object_new_object();
		json_object_object_add(o, "op", json_object_new_string(opname(x->op)));
		json_object_object_add(o, "path", json_object_new_string(x->path));
		json_object_object_add(o, "backup", jstr(x->backup));
		json_object_object_add(o, "what", json_object_new_string(x->what));
		json_object_array_add(a, o);
		if (x->backup[0])
			cli_info(c, "  %-6s %s: %s (backup in %s)", opname(x->op), x->path, x->what, x->backup);
		else
			cli_info(c, "  %-6s %s: %s", opname(x->op), x->path, x->what);
		if (c->verbose && x->data && x->op == GP_OP_CREATE)
			fprintf(stderr, "%s", x->data);
	}
	json_object_object_add(d, "actions", a);
	json_object_object_add(d, "changed", json_object_new_boolean(done && rep->changed));
	json_object_object_add(d, "notes", jmsgs(&rep->notes));
	if (!s_undo)
		json_object_object_add(d, "still_grows", json_object_new_boolean(rep->still_grows));
	for (int i = 0; i < rep->notes.n; i++)
		cli_info(c, "note: %s", rep->notes.m[i]);
	for (int i = 0; i < rep->warnings.n; i++)
		cli_warnj(c, "%s", rep->warnings.m[i]);
}

static int do_write(struct cli *c, struct target *tg, const struct st *s)
{
	struct growpart_report rep;
	unsigned fl = (s->edit ? GROWPART_EDIT_CLOUD_CFG : 0) | (s->force ? GROWPART_FORCE : 0);
	const struct devid *id = tg->device[0] ? &tg->id : NULL;
	int r;
	/* The plan first: shown, confirmed where a file of the system is edited. */
	r = s->undo ? growpart_undo(tg->tree, fl | GROWPART_DRY_RUN, &rep)
		    : growpart_disable_dev(tg->tree, id, fl | GROWPART_DRY_RUN, &rep);
	if (r) {
		growpart_report_free(&rep);
		return cli_liberr(c);
	}
	json_object_object_add(cli_doc(c), "dry_run", json_object_new_boolean(c->dry_run));
	if (rep.no_cloud_init) {
		json_object_object_add(cli_doc(c), "no_cloud_init", json_object_new_boolean(1));
		growpart_report_free(&rep);
		return cli_error(c, RC_EXIT_NOTFOUND, "no %s on the target: cloud-init is not installed; "
				 "nothing written (--force writes the files anyway)", GP_CLOUD_DIR);
	}
	if (!rep.nact || c->dry_run) {
		if (!rep.nact)
			cli_info(c, s->undo ? "Nothing to undo: the tree has nothing rescuectl wrote."
					    : "Nothing to change: growing the root is already disabled here.");
		else
			cli_info(c, "Plan (dry run, nothing written):");
		report_out(c, &rep, 0, s->undo);
		growpart_report_free(&rep);
		return RC_EXIT_OK;
	}
	int edits = 0;
	for (int i = 0; i < rep.nact; i++)
		edits |= rep.act[i].op == GP_OP_REPLACE;
	growpart_report_free(&rep);
	if (edits && !cli_confirm(c, s->undo ? "Restore /etc/cloud/cloud.cfg from its backup?"
					     : "Edit /etc/cloud/cloud.cfg (a backup is kept)?"))
		return RC_EXIT_REFUSED;
	/* Commit: the tree becomes writable (an unmounted device is mounted
	 * privately only now) and the plan is made again from what is there. */
	if (target_writable(tg))
		return cli_liberr(c);
	r = s->undo ? growpart_undo(tg->tree, fl, &rep) : growpart_disable_dev(tg->tree, id, fl, &rep);
	if (r) {
		report_out(c, &rep, 0, s->undo);
		growpart_report_free(&rep);
		return cli_liberr(c);
	}
	cli_info(c, s->undo ? "Undone:" : "Done:");
	report_out(c, &rep, 1, s->undo);
	growpart_report_free(&rep);
	return RC_EXIT_OK;
}

/* --status keeps 1 for "something would grow the root": a failure there
 * has its own code. ALWAYS: every failure (what growpart_status could not
 * read or refused to analyse) is "cannot tell" (6). Else the target could
 * not be opened: a device that holds no installed root rescuectl can read
 * (vfat, a RAID member, LUKS: refused when writing) is "not an installed
 * root" (4); not found and ambiguous keep theirs, the rest is 6. */
static int status_fail(struct cli *c, int always)
{
	int h = rc_exit_hint();
	int code = always ? RC_EXIT_CANNOT_TELL : h == RC_EXIT_REFUSED ? RC_EXIT_NOTFOUND :
		   h == RC_EXIT_NOTFOUND || h == RC_EXIT_AMBIGUOUS || h == RC_EXIT_USAGE ? h : RC_EXIT_CANNOT_TELL;
	return cli_error(c, code, "%s", rc_msg());
}

int disable_growpart_main(int argc, char **argv)
{
	struct cli c;
	struct st s = { 0 };
	struct target tg;
	char desc[PATH_MAX + 64];
	int done, rc;

	rc = cli_parse(&c, applet_find("disable-growpart"), argc, argv, opts, on_opt, &s, 0, 1, &done);
	if (done)
		return rc;
	if (s.status + s.undo > 1 || (s.status && (s.edit || s.force)) || (s.undo && s.edit))
		return cli_usage(&c, "--status, --undo and --edit-cloud-cfg/--force do not go together");
	unsigned tflags = (s.status || c.dry_run) ? 0 : TARGET_RW;
	if (target_open(c.nargs ? c.args[0] : NULL, c.root, tflags, &tg))
		return cli_finish(&c, s.status ? status_fail(&c, 0) : cli_liberr(&c));
	target_describe(&tg, desc, sizeof(desc));
	json_object_object_add(cli_doc(&c), "target", json_object_new_string(desc));
	json_object_object_add(cli_doc(&c), "action",
			       json_object_new_string(s.status ? "status" : s.undo ? "undo" : "disable"));

	struct rootinfo ri;
	rootfs_inspect(tg.tree, &ri);
	if (!ri.is_root) {
		rc = cli_error(&c, RC_EXIT_NOTFOUND, "%s is not an installed root (%s); disable-growpart works on "
			       "the root filesystem", desc, ri.why_not);
	} else if (s.status) {
		struct growpart_status st;
		if (growpart_status(tg.tree, tg.device[0] ? &tg.id : NULL, &st)) {
			rc = status_fail(&c, 1);
		} else {
			status_json(&c, &st);
			if (!c.json)
				cli_info(&c, "disable-growpart --status on %s:", desc);
			if (!c.json)
				status_human(&c, &st);
			for (int i = 0; i < st.later.n; i++)
				cli_warnj(&c, "%s", st.later.m[i]);
			for (int i = 0; i < st.warnings.n; i++)
				cli_warnj(&c, "%s", st.warnings.m[i]);
			rc = st.would_grow ? 1 : 0;
		}
	} else {
		if (!c.json)
			cli_info(&c, "disable-growpart on %s:", desc);
		rc = do_write(&c, &tg, &s);
	}
	if (target_close(&tg) && !rc)
		rc = s.status ? status_fail(&c, 1) : cli_liberr(&c);
	/* --status exits 1 for "would grow": not a failure, no error object */
	if (s.status && rc == 1 && c.json && !json_object_object_get_ex(cli_doc(&c), "error", NULL)) {
		cli_finish(&c, 0);
		return 1;
	}
	return cli_finish(&c, rc);
}
