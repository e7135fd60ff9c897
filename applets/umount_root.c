/* umount-root: unmount everything under the target, deepest first. */
#include "applets.h"
#include "../lib/umount.h"
#include <getopt.h>
#include <stdio.h>
#include <string.h>

const char umount_root_help[] =
	"Unmounts everything at and under /mnt (or --target DIR), deepest first,\n"
	"the API filesystems (proc, sys, dev, run) included. When nothing is\n"
	"mounted on the target itself, mounts below it are left alone. A mount\n"
	"that stays busy is named with the processes that hold it (their cwd,\n"
	"root, open files or mapped files) and the exit status is 1; --lazy then\n"
	"detaches busy mounts (umount -l) as an explicit fallback. Loop devices\n"
	"mount-root attached go away with their mount.";

enum { OPT_TARGET = 't', OPT_LAZY = 'l' };
static const struct cli_opt opts[] = {
	{ "target", required_argument, OPT_TARGET, "DIR", "unmount under DIR instead of /mnt" },
	{ "lazy", no_argument, OPT_LAZY, NULL, "detach mounts that stay busy (umount -l)" },
	{ NULL, 0, 0, NULL, NULL },
};

struct st {
	const char *target;
	int lazy;
};

static int on_opt(struct cli *c, void *p, int id, const char *arg)
{
	(void)c;
	struct st *s = p;
	if (id == OPT_TARGET)
		s->target = arg;
	else if (id == OPT_LAZY)
		s->lazy = 1;
	return 0;
}

/* Does a busy mount lie below mount I? */
static int below(const struct ur_result *r, size_t i)
{
	for (size_t k = 0; k < r->n; k++)
		if (k != i && r->m[k].status == UR_BUSY && path_under(r->m[k].target, r->m[i].target) &&
		    strcmp(r->m[k].target, r->m[i].target))
			return 1;
	return 0;
}

/* A busy (or lazily detached) mount: its JSON, and a warning naming who
 * holds it. */
static json_object *busy_json(struct cli *c, const struct ur_result *r, size_t i)
{
	const struct ur_mount *m = &r->m[i];
	json_object *b = json_object_new_object(), *hs = json_object_new_array();
	char who[2048] = "";
	json_object_object_add(b, "mountpoint", json_object_new_string(m->target));
	json_object_object_add(b, "error", json_object_new_string(strerror(m->err)));
	json_object_object_add(b, "detached_lazily", json_object_new_boolean(m->status == UR_LAZY));
	for (size_t k = 0; k < m->nh; k++) {
		json_object *h = json_object_new_object();
		json_object_object_add(h, "pid", json_object_new_int(m->h[k].pid));
		json_object_object_add(h, "command", json_object_new_string(m->h[k].comm));
		json_object_object_add(h, "how", json_object_new_string(m->h[k].how));
		json_object_object_add(h, "path", json_object_new_string(m->h[k].path));
		json_object_array_add(hs, h);
		size_t l = strlen(who);
		if (m->h[k].pid > 0)
			snprintf(who + l, sizeof(who) - l, "%s%s[%d] (%s %s)", k ? ", " : "", m->h[k].comm,
				 m->h[k].pid, m->h[k].how, m->h[k].path);
		else
			snprintf(who + l, sizeof(who) - l, "%sthe kernel: %s is the %s", k ? ", " : "",
				 m->h[k].path, m->h[k].how);
	}
	json_object_object_add(b, "holders", hs);
	if (m->status == UR_LAZY)
		cli_warnj(c, "%s was busy and is detached lazily; it goes away when %s",
			  m->target, who[0] ? who : "its last user lets go");
	else if (who[0])
		cli_warnj(c, "%s stays mounted: %s; held by %s", m->target, strerror(m->err), who);
	else
		cli_warnj(c, "%s stays mounted: %s%s", m->target, strerror(m->err),
			  below(r, i) ? " (a mount below it stays mounted)" : "");
	return b;
}

int umount_root_main(int argc, char **argv)
{
	struct cli c;
	struct st s = { MOUNT_DEFAULT_TARGET, 0 };
	int done;
	int rc = cli_parse(&c, applet_find("umount-root"), argc, argv, opts, on_opt, &s, 0, 0, &done);
	if (done)
		return rc;
	struct ur_result r;
	if (umount_root(s.target, s.lazy, c.dry_run, &r))
		return cli_finish(&c, cli_liberr(&c));
	json_object *doc = cli_doc(&c), *un = json_object_new_array(), *lazy = json_object_new_array(),
		    *busy = json_object_new_array();
	json_object_object_add(doc, "target", json_object_new_string(r.target));
	for (size_t i = 0; i < r.n; i++) {
		const struct ur_mount *m = &r.m[i];
		if (m->status == UR_UNMOUNTED || m->status == UR_PLANNED)
			json_object_array_add(un, json_object_new_string(m->target));
		if (m->status == UR_LAZY)
			json_object_array_add(lazy, json_object_new_string(m->target));
		if (!c.json && !c.quiet && m->status != UR_BUSY)
			printf("%-18s %s (%s)\n", m->status == UR_PLANNED ? "would unmount" :
			       m->status == UR_LAZY ? "detached (lazy)" : "unmounted", m->target, m->fstype);
		if (m->status != UR_BUSY && m->status != UR_LAZY)
			continue;
		fflush(stdout);
		json_object_array_add(busy, busy_json(&c, &r, i));
	}
	json_object_object_add(doc, "unmounted", un);
	json_object_object_add(doc, "lazily_detached", lazy);
	json_object_object_add(doc, "busy", busy);
	if (r.n == 0 && !c.json && !c.quiet)
		printf("nothing is mounted on %s%s\n", r.target,
		       r.foreign ? " (mounts below it are not a mounted root's and are left alone)" : "");
	if (r.foreign)
		json_object_object_add(doc, "left_alone", json_object_new_int((int)r.foreign));
	rc = 0;
	if (r.remaining)
		rc = cli_error(&c, RC_EXIT_FAIL, "%zu mount%s under %s stay%s mounted; stop the processes named "
			       "above (or leave the chroot), then run umount-root again, or use --lazy",
			       r.remaining, r.remaining > 1 ? "s" : "", r.target, r.remaining > 1 ? "" : "s");
	ur_result_free(&r);
	return cli_finish(&c, rc);
}
