/* mount-root: mount the installed system on /mnt, ready for chroot. */
#include "applets.h"
#include "plan_cli.h"
#include "../lib/mount.h"
#include <getopt.h>
#include <libsmartcols/libsmartcols.h>
#include <stdio.h>
#include <string.h>

const char mount_root_help[] =
	"Mounts the installed root (DEVICE, or the one root detect-root finds) on\n"
	"/mnt or --target DIR, then the local block filesystems of the target's own\n"
	"/etc/fstab (/boot, /boot/efi, /var, /home ...; not swap, network, noauto,\n"
	"bind or tmpfs entries) in path-length order, then proc, sys, efivarfs\n"
	"(when the rescue system booted with EFI), dev, dev/pts, dev/shm and run.\n"
	"Mount points are resolved inside the target and never through a symbolic\n"
	"link. A submount that fails is a warning; the root failing leaves nothing\n"
	"mounted. Running it again mounts nothing twice. An image file DEVICE is\n"
	"attached to a loop device that goes away when it is unmounted.\n"
	"Undo it all with 'rescuectl umount-root'.";

enum { OPT_TARGET = 't', OPT_RO = 'r', OPT_NOFSTAB = 256, OPT_NOBIND };
static const struct cli_opt opts[] = {
	{ "target", required_argument, OPT_TARGET, "DIR", "mount on DIR instead of /mnt" },
	{ "read-only", no_argument, OPT_RO, NULL, "mount read-only, replaying no journal (ro,noload / norecovery / rescue=nologreplay)" },
	{ "no-fstab", no_argument, OPT_NOFSTAB, NULL, "mount only the root, not the target's fstab entries" },
	{ "no-bind", no_argument, OPT_NOBIND, NULL, "do not mount proc, sys, dev and run" },
	{ NULL, 0, 0, NULL, NULL },
};

static int on_opt(struct cli *c, void *p, int id, const char *arg)
{
	(void)c;
	struct mr_opts *o = p;
	switch (id) {
	case OPT_TARGET: o->target = arg; break;
	case OPT_RO: o->read_only = 1; break;
	case OPT_NOFSTAB: o->no_fstab = 1; break;
	case OPT_NOBIND: o->no_bind = 1; break;
	}
	return 0;
}

static json_object *jstr(const char *s)
{
	return s && *s ? json_object_new_string(s) : NULL;
}

static void print_table(const struct mroot *m, int verbose)
{
	struct libscols_table *tb = scols_new_table();
	if (!tb)
		return;
	const char *cols[] = { "STATUS", "SOURCE", "MOUNTPOINT", "TYPE", "NOTE" };
	for (size_t i = 0; i < 5; i++)
		scols_table_new_column(tb, cols[i], 0, i == 4 ? SCOLS_FL_WRAP : 0);
	for (size_t i = 0; i < m->n; i++) {
		const struct mr_mount *s = m->m[i];
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		char note[400];
		snprintf(note, sizeof(note), "%s", s->reason);
		if (verbose && s->opts[0] && !s->reason[0])
			snprintf(note, sizeof(note), "-o %s", s->opts);
		scols_line_set_data(ln, 0, mr_status_name(s->status));
		scols_line_set_data(ln, 1, s->source[0] ? s->source : s->spec[0] ? s->spec : "-");
		scols_line_set_data(ln, 2, s->status == MR_SKIPPED ? s->path : s->where);
		scols_line_set_data(ln, 3, s->fstype[0] ? s->fstype : "-");
		scols_line_set_data(ln, 4, note);
	}
	scols_print_table(tb);
	scols_unref_table(tb);
}

static json_object *root_json(const struct mroot *m)
{
	json_object *root = json_object_new_object(), *os = json_object_new_object();
	json_object_object_add(root, "device", json_object_new_string(m->device));
	json_object_object_add(root, "image", jstr(m->image));
	json_object_object_add(root, "fstype", jstr(m->fstype));
	if (m->subvol[0])
		json_object_object_add(root, "subvol", json_object_new_string(m->subvol));
	json_object_object_add(root, "target", json_object_new_string(m->target));
	json_object_object_add(root, "read_only", json_object_new_boolean(m->o.read_only));
	json_object_object_add(os, "id", jstr(m->os.id));
	json_object_object_add(os, "version_id", jstr(m->os.version_id));
	json_object_object_add(os, "pretty_name", jstr(m->os.pretty_name));
	json_object_object_add(root, "os", os);
	return root;
}

static json_object *mounts_json(const struct mroot *m)
{
	json_object *mounts = json_object_new_array();
	for (size_t i = 0; i < m->n; i++) {
		const struct mr_mount *s = m->m[i];
		json_object *o = json_object_new_object();
		json_object_object_add(o, "kind", json_object_new_string(s->what));
		json_object_object_add(o, "source", jstr(s->source));
		if (s->spec[0])
			json_object_object_add(o, "spec", json_object_new_string(s->spec));
		json_object_object_add(o, "path", jstr(s->path));
		json_object_object_add(o, "mountpoint", jstr(s->where));
		json_object_object_add(o, "fstype", jstr(s->fstype));
		json_object_object_add(o, "options", json_object_new_string(s->opts));
		json_object_object_add(o, "status", json_object_new_string(mr_status_name(s->status)));
		if (s->reason[0])
			json_object_object_add(o, "reason", json_object_new_string(s->reason));
		json_object_array_add(mounts, o);
	}
	return mounts;
}

/* The table, the warnings and the next step, from the rows. */
static void report(struct cli *c, const struct mroot *m, const char *next)
{
	size_t nmounted = 0;
	if (!c->json && !c->quiet) {
		if (m->image[0] && m->loop_attached)
			cli_info(c, "%s is attached to %s (detached again by umount-root)", m->image, m->device);
		else if (m->image[0] && m->loop_found)
			cli_info(c, "%s is on %s already", m->image, m->device);
		else if (m->image[0])
			cli_info(c, "%s would be attached to a loop device", m->image);
		print_table(m, c->verbose);
	}
	fflush(stdout);
	for (size_t i = 0; i < m->n; i++) {
		const struct mr_mount *s = m->m[i];
		nmounted += s->status == MR_MOUNTED;
		if (s->status == MR_FAILED)
			cli_warnj(c, "%s not mounted on %s: %s", s->source[0] ? s->source : s->spec, s->where, s->reason);
	}
	if (c->json || c->quiet)
		return;
	int other = strcmp(m->target, MOUNT_DEFAULT_TARGET);
	if (c->dry_run)
		cli_info(c, "\n(dry run: nothing was mounted)");
	else
		cli_info(c, "\n%s is mounted on %s%s. Next:\n  %s\nWhen done: rescuectl umount-root%s%s",
			 m->os.pretty_name[0] ? m->os.pretty_name : "The installed system", m->target,
			 nmounted ? "" : " (nothing new mounted: it already was)", next, other ? " --target " : "",
			 other ? m->target : "");
}

/* Plan, then (unless --dry-run) commit; a root that fails is worded from the plan. */
static int run(struct cli *c, struct mr_opts *o, struct mroot **mp)
{
	if (mount_root_prepare(o, mp) < 0)
		return cli_liberr(c);
	struct plan_hooks h = plan_cli_hooks(c), quiet = { .ud = c, .warn = h.warn };
	if (!c->dry_run && mount_root_commit(*mp, c->verbose ? &h : &quiet) < 0)
		return plan_stopped((*mp)->plan) ? plan_cli_fail(c, (*mp)->plan) : cli_liberr(c);
	return 0;
}

int mount_root_main(int argc, char **argv)
{
	struct cli c;
	struct mr_opts o = { 0 };
	struct mroot *m = NULL;
	int done;
	int rc = cli_parse(&c, applet_find("mount-root"), argc, argv, opts, on_opt, &o, 0, 1, &done);
	if (done)
		return rc;
	o.device = c.nargs ? c.args[0] : NULL;
	o.dry_run = c.dry_run;
	rc = run(&c, &o, &m);
	if (m && m->plan)
		plan_cli_json(&c, m->plan);
	if (!rc) {
		char next[PATH_MAX + 64];
		json_object *doc = cli_doc(&c);
		snprintf(next, sizeof(next), "chroot %s %s", m->target, m->shell);
		json_object_object_add(doc, "root", root_json(m));
		json_object_object_add(doc, "mounts", mounts_json(m));
		json_object_object_add(doc, "next", json_object_new_string(next));
		json_object_object_add(doc, "dry_run", json_object_new_boolean(c.dry_run));
		report(&c, m, next);
	}
	mount_root_free(m);
	return cli_finish(&c, rc);
}
