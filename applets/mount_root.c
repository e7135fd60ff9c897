/* mount-root: mount the installed system on /mnt, ready for chroot. */
#include "applets.h"
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

static void print_table(const struct mr_result *r, int verbose)
{
	struct libscols_table *tb = scols_new_table();
	if (!tb)
		return;
	const char *cols[] = { "STATUS", "SOURCE", "MOUNTPOINT", "TYPE", "NOTE" };
	for (size_t i = 0; i < 5; i++)
		scols_table_new_column(tb, cols[i], 0, i == 4 ? SCOLS_FL_WRAP : 0);
	for (size_t i = 0; i < r->n; i++) {
		const struct mr_step *s = &r->s[i];
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

int mount_root_main(int argc, char **argv)
{
	struct cli c;
	struct mr_opts o = { 0 };
	int done;
	int rc = cli_parse(&c, applet_find("mount-root"), argc, argv, opts, on_opt, &o, 0, 1, &done);
	if (done)
		return rc;
	o.device = c.nargs ? c.args[0] : NULL;
	o.dry_run = c.dry_run;
	struct mr_result r;
	if (mount_root(&o, &r))
		return cli_finish(&c, cli_liberr(&c));

	json_object *doc = cli_doc(&c), *root = json_object_new_object(), *mounts = json_object_new_array();
	json_object_object_add(root, "device", json_object_new_string(r.device));
	json_object_object_add(root, "image", jstr(r.image));
	json_object_object_add(root, "fstype", jstr(r.fstype));
	if (r.subvol[0])
		json_object_object_add(root, "subvol", json_object_new_string(r.subvol));
	json_object_object_add(root, "target", json_object_new_string(r.target));
	json_object_object_add(root, "read_only", json_object_new_boolean(o.read_only));
	json_object *os = json_object_new_object();
	json_object_object_add(os, "id", jstr(r.os.id));
	json_object_object_add(os, "version_id", jstr(r.os.version_id));
	json_object_object_add(os, "pretty_name", jstr(r.os.pretty_name));
	json_object_object_add(root, "os", os);
	json_object_object_add(doc, "root", root);
	size_t nmounted = 0;
	for (size_t i = 0; i < r.n; i++) {
		const struct mr_step *s = &r.s[i];
		json_object *m = json_object_new_object();
		json_object_object_add(m, "kind", json_object_new_string(s->what));
		json_object_object_add(m, "source", jstr(s->source));
		if (s->spec[0])
			json_object_object_add(m, "spec", json_object_new_string(s->spec));
		json_object_object_add(m, "path", jstr(s->path));
		json_object_object_add(m, "mountpoint", jstr(s->where));
		json_object_object_add(m, "fstype", jstr(s->fstype));
		json_object_object_add(m, "options", json_object_new_string(s->opts));
		json_object_object_add(m, "status", json_object_new_string(mr_status_name(s->status)));
		if (s->reason[0])
			json_object_object_add(m, "reason", json_object_new_string(s->reason));
		json_object_array_add(mounts, m);
		if (s->status == MR_MOUNTED)
			nmounted++;
	}
	json_object_object_add(doc, "mounts", mounts);
	char next[PATH_MAX + 64];
	snprintf(next, sizeof(next), "chroot %s %s", r.target, r.shell);
	json_object_object_add(doc, "next", json_object_new_string(next));
	json_object_object_add(doc, "dry_run", json_object_new_boolean(c.dry_run));

	if (!c.json && !c.quiet) {
		if (r.image[0] && r.loop_attached)
			cli_info(&c, "%s is attached to %s (detached again by umount-root)", r.image, r.device);
		else if (r.image[0])
			cli_info(&c, "%s is on %s already", r.image, r.device);
		print_table(&r, c.verbose);
	}
	fflush(stdout);
	for (size_t i = 0; i < r.n; i++)
		if (r.s[i].status == MR_FAILED)
			cli_warnj(&c, "%s not mounted on %s: %s", r.s[i].source[0] ? r.s[i].source : r.s[i].spec,
				  r.s[i].where, r.s[i].reason);
	if (!c.json && !c.quiet) {
		if (c.dry_run)
			cli_info(&c, "\n(dry run: nothing was mounted)");
		else
			cli_info(&c, "\n%s is mounted on %s%s. Next:\n  %s\nWhen done: rescuectl umount-root%s%s",
				 r.os.pretty_name[0] ? r.os.pretty_name : "The installed system",
				 r.target, nmounted ? "" : " (nothing new mounted: it already was)", next,
				 strcmp(r.target, MOUNT_DEFAULT_TARGET) ? " --target " : "",
				 strcmp(r.target, MOUNT_DEFAULT_TARGET) ? r.target : "");
	}
	mr_result_free(&r);
	return cli_finish(&c, 0);
}
