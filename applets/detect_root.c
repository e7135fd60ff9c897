/* detect-root: find the installed root filesystem without writing a byte. */
#include "applets.h"
#include "../lib/detect.h"
#include "../lib/run.h"
#include "../lib/size.h"
#include <getopt.h>
#include <libsmartcols/libsmartcols.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char detect_root_help[] =
	"Looks at every disk, partition, md array and device-mapper volume (or only\n"
	"the DEVICEs given, image files too) and reports the installed Linux roots.\n"
	"ext2/3/4 is read through libext2fs without mounting; xfs and btrfs through a\n"
	"read-only mount that replays no journal, in a private mount namespace.\n"
	"RAID/LVM members, swap and the rescue system's own devices are skipped.\n"
	"Exit 0 with one root, 4 with none, 5 with several (0 with --all).";

enum { OPT_ALL = 'a', OPT_ASSEMBLE = 256 };
static const struct cli_opt opts[] = {
	{ "all", no_argument, OPT_ALL, NULL, "list every candidate; several roots are a success" },
	{ "assemble", no_argument, OPT_ASSEMBLE, NULL, "run mdadm --assemble --scan / vgchange -ay first" },
	{ NULL, 0, 0, NULL, NULL },
};

struct st {
	int all, assemble;
};

static int on_opt(struct cli *c, void *p, int id, const char *arg)
{
	(void)c; (void)arg;
	struct st *s = p;
	if (id == OPT_ALL)
		s->all = 1;
	else if (id == OPT_ASSEMBLE)
		s->assemble = 1;
	return 0;
}

static json_object *cand_json(const struct cand *c)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "device", json_object_new_string(c->id.path));
	json_object_object_add(o, "fstype", c->id.fstype[0] ? json_object_new_string(c->id.fstype) : NULL);
	json_object_object_add(o, "size", json_object_new_uint64(c->id.size));
	json_object_object_add(o, "uuid", c->id.uuid[0] ? json_object_new_string(c->id.uuid) : NULL);
	json_object_object_add(o, "label", c->id.label[0] ? json_object_new_string(c->id.label) : NULL);
	if (c->id.partuuid[0])
		json_object_object_add(o, "partuuid", json_object_new_string(c->id.partuuid));
	if (c->skip[0]) {
		json_object_object_add(o, "skipped", json_object_new_string(c->skip));
		return o;
	}
	json_object_object_add(o, "is_root", json_object_new_boolean(c->ri.is_root));
	json_object_object_add(o, "inspected_via", c->via[0] ? json_object_new_string(c->via) : NULL);
	if (c->mountpoint[0])
		json_object_object_add(o, "mountpoint", json_object_new_string(c->mountpoint));
	if (!c->ri.is_root) {
		json_object_object_add(o, "why_not", json_object_new_string(c->ri.why_not));
		return o;
	}
	json_object *os = json_object_new_object();
	json_object_object_add(os, "id", c->ri.os.id[0] ? json_object_new_string(c->ri.os.id) : NULL);
	json_object_object_add(os, "version_id", c->ri.os.version_id[0] ? json_object_new_string(c->ri.os.version_id) : NULL);
	json_object_object_add(os, "pretty_name", c->ri.os.pretty_name[0] ? json_object_new_string(c->ri.os.pretty_name) : NULL);
	json_object_object_add(o, "os", os);
	json_object_object_add(o, "fstab_confirms", json_object_new_boolean(c->fstab_confirms));
	if (c->subvol[0])
		json_object_object_add(o, "subvol", json_object_new_string(c->subvol));
	json_object_object_add(o, "sure", json_object_new_string(c->sure));
	json_object *ev = json_object_new_array();
	for (int i = 0; i < c->nevidence; i++)
		json_object_array_add(ev, json_object_new_string(c->evidence[i]));
	json_object_object_add(o, "evidence", ev);
	return o;
}

static void print_table(struct cli *c, const struct detect *d, int all)
{
	struct libscols_table *tb = scols_new_table();
	if (!tb)
		return;
	const char *cols[] = { "DEVICE", "FSTYPE", "SIZE", "LABEL/UUID", "OS", "SURE", "WHY" };
	for (size_t i = 0; i < 7; i++)
		scols_table_new_column(tb, cols[i], 0, i == 6 ? SCOLS_FL_WRAP : 0);
	int rows = 0;
	for (size_t i = 0; i < d->n; i++) {
		const struct cand *k = &d->c[i];
		if (!k->ri.is_root && !all && !c->verbose && d->nroots)
			continue;
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		char sz[32], why[1024] = "";
		scols_line_set_data(ln, 0, k->id.path);
		scols_line_set_data(ln, 1, k->id.fstype[0] ? k->id.fstype : "-");
		scols_line_set_data(ln, 2, size_format(k->id.size, sz, sizeof(sz)));
		scols_line_set_data(ln, 3, k->id.label[0] ? k->id.label : k->id.uuid[0] ? k->id.uuid : "-");
		scols_line_set_data(ln, 4, k->ri.is_root ? (k->ri.os.pretty_name[0] ? k->ri.os.pretty_name : "Linux (unknown)") : "-");
		scols_line_set_data(ln, 5, k->ri.is_root ? k->sure : "-");
		if (k->skip[0])
			snprintf(why, sizeof(why), "skipped: %s", k->skip);
		else if (!k->ri.is_root)
			snprintf(why, sizeof(why), "not a root: %s", k->ri.why_not);
		else
			for (int e = 0; e < k->nevidence; e++) {
				size_t l = strlen(why);
				snprintf(why + l, sizeof(why) - l, "%s%s", e ? "; " : "", k->evidence[e]);
			}
		scols_line_set_data(ln, 6, why);
		rows++;
	}
	if (rows)
		scols_print_table(tb);
	scols_unref_table(tb);
}

static void assemble(struct cli *c)
{
	char *md[] = { "mdadm", "--assemble", "--scan", NULL };
	char *vg[] = { "vgchange", "-ay", NULL };
	char *(*cmds[2]) = { md, vg };
	for (int i = 0; i < 2; i++) {
		char path[4096], line[256];
		int st;
		run_format(cmds[i], line, sizeof(line));
		if (run_find(cmds[i][0], path, sizeof(path))) {
			cli_verbose(c, "skipping '%s': %s", line, rc_msg());
			continue;
		}
		if (c->dry_run) {
			cli_info(c, "would run: %s", line);
			continue;
		}
		cli_info(c, "running: %s", line);
		if (run_cmd(cmds[i], c->json ? RUN_QUIET : 0, &st, NULL, NULL) == 0 && st)
			cli_warnj(c, "'%s' exited with status %d", line, st);
	}
}

int detect_root_main(int argc, char **argv)
{
	struct cli c;
	struct st s = { 0 };
	int done;
	int rc = cli_parse(&c, applet_find("detect-root"), argc, argv, opts, on_opt, &s, 0, -1, &done);
	if (done)
		return rc;
	if (s.assemble)
		assemble(&c);
	struct detect d;
	const struct cand *root;
	struct detect_policy p = { .devices = c.args, .ndev = c.nargs, .want = s.all ? DETECT_SOME : DETECT_ONE,
				   .listed = 1 };
	int found = detect_find_root(&p, &d, &root), code = found ? rc_exit_hint() : 0;
	char why[1200];
	snprintf(why, sizeof(why), "%s", found ? rc_msg() : "");
	if (!d.scanned) {
		detect_free(&d);
		return cli_finish(&c, cli_liberr(&c));
	}
	json_object *doc = cli_doc(&c), *roots = json_object_new_array(), *cands = json_object_new_array(),
		    *hints = json_object_new_array();
	for (size_t i = 0; i < d.n; i++)
		json_object_array_add(d.c[i].ri.is_root ? roots : cands, cand_json(&d.c[i]));
	for (int i = 0; i < d.nhints; i++)
		json_object_array_add(hints, json_object_new_string(d.hints[i]));
	json_object_object_add(doc, "roots", roots);
	json_object_object_add(doc, "candidates", cands);
	json_object_object_add(doc, "hints", hints);
	if (!c.json && !c.quiet)
		print_table(&c, &d, s.all);
	for (int i = 0; i < d.nhints && !c.quiet; i++)
		fprintf(stderr, "hint: %s\n", d.hints[i]);
	rc = found ? cli_error(&c, code, "%s%s", why, code == RC_EXIT_AMBIGUOUS ? ", or use --all" : "") : 0;
	detect_free(&d);
	return cli_finish(&c, rc);
}
