/* doctor --fix: fixes planned as file states, committed as lib/plan steps
 * that journal before they change. See doctor_fix.h. */
#include "doctor_fix.h"
#include "doctor.h"
#include "djournal.h"
#include "err.h"
#include "run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct fx_file {
	struct dr_fixplan *p;
	char path[PATH_MAX];
	struct dj_state before, after;
	char what[DR_TEXT];
	char fix[64];
	int is_run;              /* a program: ARGV, writing OUTPUTS */
	char *argv[16];
	char *outputs[5];
	struct dj_entry undo;    /* an undo step: the entry, and its file name */
	char entry[64];
};

struct dr_fixplan {
	struct dr_ctx *c;
	struct fx_file f[PLAN_MAX_STEPS];
	size_t n;
	struct plan *plan;
	char (*skipped)[DR_TEXT];
	size_t nskipped, nfixed;
	const struct dr_finding *cur;   /* the finding being planned */
	int next_seq;                   /* the journal's next sequence number (0: not read yet) */
	int force;
	int refused;                    /* a fix was left out by a safety check */
};

#define MAX_SKIPPED 64

static struct dr_fixplan *fp_new(struct dr_ctx *c)
{
	struct dr_fixplan *p = calloc(1, sizeof(*p));
	if (p)
		p->skipped = calloc(MAX_SKIPPED, sizeof(*p->skipped));
	if (!p || !p->skipped) {
		free(p);
		rc_fail(ENOMEM, "out of memory");
		return NULL;
	}
	p->c = c;
	return p;
}

void dr_fix_free(struct dr_fixplan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++) {
		struct fx_file *f = &p->f[i];
		dj_state_free(&f->before);
		dj_state_free(&f->after);
		dj_entry_free(&f->undo);
		for (int k = 0; f->argv[k]; k++)
			free(f->argv[k]);
		for (int k = 0; f->outputs[k]; k++)
			free(f->outputs[k]);
	}
	plan_free(p->plan);
	free(p->skipped);
	free(p);
}

struct plan *dr_fix_steps(struct dr_fixplan *p) { return p->plan; }
size_t dr_fix_nskipped(const struct dr_fixplan *p) { return p->nskipped; }
size_t dr_fix_nfixed(const struct dr_fixplan *p) { return p->nfixed; }
int dr_fix_refused(const struct dr_fixplan *p) { return p->refused; }

const char *dr_fix_skipped(const struct dr_fixplan *p, size_t i)
{
	return i < p->nskipped ? p->skipped[i] : NULL;
}

static void skip(struct dr_fixplan *p, const char *fmt, const char *a, const char *b)
{
	if (p->nskipped < MAX_SKIPPED)
		snprintf(p->skipped[p->nskipped++], DR_TEXT, fmt, a, b);
}

/* ---- the file records ------------------------------------------------------ */

static void add_what(struct fx_file *f, const char *what, const char *id)
{
	size_t l = strlen(f->what);
	snprintf(f->what + l, sizeof(f->what) - l, "%s%s", l ? "; " : "", what);
	if (!strstr(f->fix, id)) {
		l = strlen(f->fix);
		snprintf(f->fix + l, sizeof(f->fix) - l, "%s%s", l ? "," : "", id);
	}
}

/* The record of PATH, made (with its state read from the view) on first use. */
static int record(struct dr_fixplan *p, const char *path, struct fx_file **out)
{
	for (size_t i = 0; i < p->n; i++)
		if (!p->f[i].is_run && !p->f[i].undo.path[0] && !strcmp(p->f[i].path, path)) {
			*out = &p->f[i];
			return 0;
		}
	if (p->n >= PLAN_MAX_STEPS)
		return rc_fail(E2BIG, "more than %d files to change in one run; fix a part first", PLAN_MAX_STEPS);
	struct fx_file *f = &p->f[p->n];
	struct tree *t;
	char rel[PATH_MAX];
	memset(f, 0, sizeof(*f));
	int r = dv_locate(p->c->v, path, &t, rel);
	if (r)
		return rc_fail(ENODATA, "%s", dv_why(p->c->v));
	if ((r = dj_state_read(t, rel, &f->before)) || (r = dj_state_copy(&f->after, &f->before))) {
		dj_state_free(&f->before);
		return r;
	}
	f->p = p;
	snprintf(f->path, sizeof(f->path), "%s", path);
	p->n++;
	*out = f;
	return 0;
}

static const char *cur_id(const struct dr_fixplan *p)
{
	return p->cur && p->cur->row ? p->cur->row->id : "doctor";
}

int dr_fix_text(struct dr_fixplan *p, const char *path, const char **text, size_t *len)
{
	struct fx_file *f;
	int r = record(p, path, &f);
	if (r)
		return r;
	if (f->before.type == 'l')
		return rc_failx(RC_EXIT_REFUSED, ELOOP, "%s is a symbolic link; refusing to edit through it", path);
	if (f->after.type != 'f')
		return rc_fail(ENOENT, "%s is not a regular file", path);
	*text = f->after.data ? f->after.data : "";
	*len = f->after.len;
	return 0;
}

int dr_fix_set_text(struct dr_fixplan *p, const char *path, const char *text, size_t len, const char *what)
{
	struct fx_file *f;
	const char *old;
	size_t ol;
	int r = dr_fix_text(p, path, &old, &ol);
	if (r || (r = record(p, path, &f)))
		return r;
	char *n = malloc(len + 1);
	if (!n)
		return rc_fail(ENOMEM, "out of memory");
	memcpy(n, text, len);
	n[len] = 0;
	free(f->after.data);
	f->after.data = n;
	f->after.len = len;
	add_what(f, what, cur_id(p));
	return 0;
}

int dr_fix_attrs(struct dr_fixplan *p, const char *path, uid_t uid, gid_t gid, mode_t mode, const char *what)
{
	struct fx_file *f;
	int r = record(p, path, &f);
	if (r)
		return r;
	if (f->after.type != 'f' && f->after.type != 'd')
		return f->after.type == 'l' ?
		       rc_failx(RC_EXIT_REFUSED, ELOOP, "%s is a symbolic link; refusing to change it through the link", path) :
		       rc_fail(ENOENT, "%s is not there", path);
	if (uid != (uid_t)-1)
		f->after.uid = uid;
	if (gid != (gid_t)-1)
		f->after.gid = gid;
	f->after.mode = mode & 07777;
	add_what(f, what, cur_id(p));
	return 0;
}

int dr_fix_create(struct dr_fixplan *p, const char *path, const char *data, size_t len, mode_t mode,
		  const char *what)
{
	struct fx_file *f;
	int r = record(p, path, &f);
	if (r)
		return r;
	if (f->before.type)
		return rc_fail(EEXIST, "%s exists already", path);
	dj_state_free(&f->after);
	memset(&f->after, 0, sizeof(f->after));
	f->after.type = 'f';
	f->after.mode = mode & 07777;
	if (!(f->after.data = malloc(len + 1)))
		return rc_fail(ENOMEM, "out of memory");
	memcpy(f->after.data, data, len);
	f->after.data[len] = 0;
	f->after.len = len;
	add_what(f, what, cur_id(p));
	return 0;
}

int dr_fix_planned(struct dr_fixplan *p, const char *path, const char **text, size_t *len)
{
	for (size_t i = 0; i < p->n; i++)
		if (!p->f[i].is_run && !p->f[i].undo.path[0] && !strcmp(p->f[i].path, path)) {
			*text = p->f[i].after.type == 'f' && p->f[i].after.data ? p->f[i].after.data : NULL;
			*len = p->f[i].after.type == 'f' ? p->f[i].after.len : 0;
			return p->f[i].after.type == 'f' ? 1 : -ENOENT;
		}
	return 0;
}

int dr_fix_unlink(struct dr_fixplan *p, const char *path, const char *what)
{
	struct fx_file *f;
	int r = record(p, path, &f);
	if (r)
		return r;
	if (f->before.type != 'l')
		return rc_failx(RC_EXIT_REFUSED, EINVAL, "%s is not a symbolic link: doctor removes only links", path);
	dj_state_free(&f->after);
	memset(&f->after, 0, sizeof(f->after));
	add_what(f, what, cur_id(p));
	return 0;
}

int dr_fix_run(struct dr_fixplan *p, const char *const argv[], const char *const outputs[], const char *what)
{
	struct dr_ctx *c = p->c;
	const struct target *tg = c->v->tg;
	if (!c->o.chroot)
		return rc_fail(EPERM, "running the target's own programs needs --chroot");
	if (!tg || tg->via != TARGET_VIA_DIR)
		return rc_failx(RC_EXIT_REFUSED, EINVAL, "--chroot works on the tree mount-root prepares: "
				"'rescuectl mount-root', then 'rescuectl doctor --root /mnt --chroot --fix ...'");
	if (dv_exists(c->v, "/proc/self") != 1 || dv_exists(c->v, "/dev/null") != 1)
		return rc_failx(RC_EXIT_REFUSED, EINVAL, "%s has no /proc or /dev mounted: prepare it with "
				"'rescuectl mount-root' first", tg->root);
	if (p->n >= PLAN_MAX_STEPS)
		return rc_fail(E2BIG, "too many steps in one run");
	struct fx_file *f = &p->f[p->n];
	memset(f, 0, sizeof(*f));
	f->p = p;
	f->is_run = 1;
	for (int i = 0; argv[i] && i < 15; i++)
		if (!(f->argv[i] = strdup(argv[i])))
			return rc_fail(ENOMEM, "out of memory");
	for (int i = 0; outputs && outputs[i] && i < 4; i++)
		if (!(f->outputs[i] = strdup(outputs[i])))
			return rc_fail(ENOMEM, "out of memory");
	run_format(f->argv, f->path, sizeof(f->path));
	add_what(f, what, cur_id(p));
	p->n++;
	return 0;
}

/* ---- the journal ------------------------------------------------------------ */

/* The journal directory, writable (made when absent); its path in *T is REL. */
static int journal_dir(struct dr_fixplan *p, struct tree **t, char *rel)
{
	struct tree_stat m;
	int r = dv_writable(p->c->v, DJ_DIR, t, rel);
	if (r)
		return r;
	r = dv_meta(p->c->v, DJ_DIR, 0, &m);
	if (r == -ENOENT)
		return tree_mkdir(*t, rel, 0700, 0, 0);
	if (!r && m.type != 'd')
		r = rc_failx(RC_EXIT_REFUSED, ENOTDIR, "%s is not a directory; refusing to keep the journal there", DJ_DIR);
	return r;
}

static int journal_seq(struct dr_fixplan *p, struct tree *t, const char *rel)
{
	char **names;
	size_t n = 0;
	if (p->next_seq)
		return 0;
	int r = tree_list(t, rel, &names, &n);
	if (r)
		return rc_fail(-r, "cannot list %s: %s", DJ_DIR, strerror(-r));
	p->next_seq = 1;
	for (size_t i = 0; i < n; i++)
		if (dj_seq_of(names[i]) >= p->next_seq)
			p->next_seq = dj_seq_of(names[i]) + 1;
	tree_free_list(names, n);
	return p->next_seq > 999999 ? rc_fail(E2BIG, "the journal in %s is full", DJ_DIR) : 0;
}

static int write_entry(struct dr_fixplan *p, const struct dj_entry *e, char *name, size_t nsz)
{
	struct tree *t;
	char rel[PATH_MAX], path[PATH_MAX + 64], *data;
	size_t len;
	int r = journal_dir(p, &t, rel);
	if (r || (r = journal_seq(p, t, rel)) || (r = dj_format(e, &data, &len)))
		return r;
	snprintf(name, nsz, DJ_PREFIX "%06d" DJ_SUFFIX, p->next_seq);
	snprintf(path, sizeof(path), "%s/%s", rel, name);
	r = tree_create(t, path, data, len, 0600, 0, 0, 0);
	free(data);
	if (!r)
		p->next_seq++;
	return r;
}

static void entry_of(const struct dr_fixplan *p, const char *fix, const char *path, const char *what,
		     struct dj_entry *e)
{
	struct tm tm;
	memset(e, 0, sizeof(*e));
	gmtime_r(&p->c->o.now, &tm);
	strftime(e->date, sizeof(e->date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(e->fix, sizeof(e->fix), "%s", fix);
	snprintf(e->path, sizeof(e->path), "%s", path);
	snprintf(e->what, sizeof(e->what), "%s", what);
}

/* ---- committing fixes -------------------------------------------------------- */

static int run_fix(struct plan *pl, struct plan_step *s)
{
	struct fx_file *f = s->arg;
	struct dr_fixplan *p = f->p;
	struct tree *t, *jt;
	char rel[PATH_MAX], jrel[PATH_MAX], name[64];
	struct dj_state cur;
	struct dj_entry e;
	(void)pl;
	int r = journal_dir(p, &jt, jrel);
	if (r || (r = dv_writable(p->c->v, f->path, &t, rel)) || (r = dj_state_read(t, rel, &cur)))
		return r;
	if (!dj_state_equal(&cur, &f->before)) {
		dj_state_free(&cur);
		return rc_failx(RC_EXIT_REFUSED, EAGAIN, "%s changed since doctor looked at it; it was left alone. "
				"Run doctor again", f->path);
	}
	entry_of(p, f->fix, f->path, f->what, &e);
	e.before = f->before;   /* shallow: owned by F */
	e.after = f->after;
	plan_touch(s);
	if (!(r = write_entry(p, &e, name, sizeof(name))))
		r = dj_apply(t, rel, &e, &cur);
	if (!r)
		plan_result(s, "done (undo record %s/%s)", DJ_DIR, name);
	dj_state_free(&cur);
	return r;
}

/* Journal each output of a program (its state now, "after" unknown). */
static int journal_outputs(struct dr_fixplan *p, struct fx_file *f, struct plan_step *s)
{
	for (int i = 0; f->outputs[i]; i++) {
		struct tree *t;
		char rel[PATH_MAX], name[64];
		struct dj_entry e;
		int r = dv_writable(p->c->v, f->outputs[i], &t, rel);
		entry_of(p, f->fix, f->outputs[i], f->what, &e);
		if (r || (r = dj_state_read(t, rel, &e.before)))
			return r;
		e.after.type = 'u';
		plan_touch(s);
		r = write_entry(p, &e, name, sizeof(name));
		dj_entry_free(&e);
		if (r)
			return r;
	}
	return 0;
}

static int run_prog(struct plan *pl, struct plan_step *s)
{
	struct fx_file *f = s->arg;
	struct dr_fixplan *p = f->p;
	char *argv[20] = { "chroot", p->c->v->tg->root }, *out = NULL;
	size_t outlen = 0;
	int st = 0, r = journal_outputs(p, f, s);
	if (r)
		return r;
	for (int i = 0; f->argv[i]; i++)
		argv[2 + i] = f->argv[i];
	plan_touch(s);
	r = run_cmd(argv, RUN_CAPTURE | RUN_STDERR, &st, &out, &outlen);
	if (out)
		plan_output(pl, s, out);
	free(out);
	if (!r && st)
		r = rc_fail(EIO, "%s exited with status %d", f->path, st);
	return r;
}

static int add_step(struct dr_fixplan *p, struct fx_file *f)
{
	const char *tgt = dr_target(p->c);
	struct plan_step *s = plan_add(p->plan, f->is_run ? "run" : "edit", f->path);
	if (!s)
		return -E2BIG;
	if (f->is_run)
		snprintf(s->does, sizeof(s->does), "chroot %s %s: %s", p->c->v->tg->root, f->path, f->what);
	else
		snprintf(s->does, sizeof(s->does), "%s: %s", f->path, f->what);
	snprintf(s->changes, sizeof(s->changes), "%s", f->is_run && f->outputs[0] ? f->outputs[0] : f->path);
	snprintf(s->after, sizeof(s->after), "%s is fixed; how it was is kept in the journal in %s", s->changes, DJ_DIR);
	snprintf(s->if_failed, sizeof(s->if_failed), "%s is as it was, or partly changed with each change whole; "
		 "the journal in %s says what was done", s->changes, DJ_DIR);
	snprintf(s->undo, sizeof(s->undo), "rescuectl doctor --undo %s", tgt);
	snprintf(s->resume, sizeof(s->resume), "rescuectl doctor --fix %s %s", f->fix, tgt);
	s->flags = PLAN_CONTINUE;
	s->run = f->is_run ? run_prog : run_fix;
	s->arg = f;
	return 0;
}

/* The journal's place must be a directory, or absent under a /var/lib. */
static int check_journal_place(struct dr_ctx *c)
{
	struct tree_stat m;
	int r = dv_meta(c->v, DJ_DIR, 0, &m);
	if (r == -ENODATA)
		return rc_failx(RC_EXIT_REFUSED, ENODATA, "no place for the undo journal: %s", dv_why(c->v));
	if (r == -ENOENT) {
		r = dv_meta(c->v, "/var/lib", 1, &m);
		if (!r && m.type == 'd')
			return 0;
		return rc_failx(RC_EXIT_REFUSED, ENOTDIR, "the target has no /var/lib directory for the undo journal");
	}
	if (!r && m.type != 'd')
		return rc_failx(RC_EXIT_REFUSED, ENOTDIR, "%s is %s, not a directory; refusing to keep the undo journal "
				"there", DJ_DIR, m.type == 'l' ? "a symbolic link" : "a file");
	return r;
}

/* Did the plan change anything in F (a record may end up as it began)? */
static int changes(const struct fx_file *f)
{
	return f->is_run || !dj_state_equal(&f->before, &f->after);
}

int dr_fix_plan(struct dr_ctx *c, const char *select, struct dr_fixplan **out)
{
	struct dr_fixplan *p = fp_new(c);
	int r;
	if (!p)
		return -ENOMEM;
	*out = p;
	if (!(p->plan = plan_new("nothing was changed", p)))
		return -ENOMEM;
	for (size_t i = 0; i < c->nf; i++) {
		const struct dr_finding *fd = &c->f[i];
		if (!fd->fixable || !dr_selected(fd->row, select))
			continue;
		p->cur = fd;
		rc_clear();
		if ((r = fd->row->fix(c, fd, p)) < 0) {
			p->refused |= rc_exit_hint() == RC_EXIT_REFUSED;
			skip(p, "%s: %s", fd->row->id, *rc_msg() ? rc_msg() : strerror(-r));
		}
		else
			p->nfixed++;
	}
	p->cur = NULL;
	if (p->n && (r = check_journal_place(c)))
		return r;
	for (size_t i = 0; i < p->n; i++)
		if (changes(&p->f[i]) && (r = add_step(p, &p->f[i])))
			return r;
	return 0;
}

int dr_fix_commit(struct dr_fixplan *p, const struct plan_hooks *h)
{
	return plan_commit(p->plan, h);
}

/* ---- undo ------------------------------------------------------------------- */

static int run_undo(struct plan *pl, struct plan_step *s)
{
	struct fx_file *f = s->arg;
	struct dr_fixplan *p = f->p;
	struct tree *t, *jt;
	char rel[PATH_MAX], jrel[PATH_MAX], jpath[PATH_MAX + 64], why[DR_TEXT];
	struct dj_state cur;
	(void)pl;
	int r = journal_dir(p, &jt, jrel);
	if (r || (r = dv_writable(p->c->v, f->undo.path, &t, rel)) || (r = dj_state_read(t, rel, &cur)))
		return r;
	int need = dj_undo_needed(&f->undo, &cur, why, sizeof(why));
	if (need < 0 && !p->force)
		r = rc_failx(RC_EXIT_REFUSED, EAGAIN, "%s; left alone (--force puts it back anyway)", why);
	if (!r && need) {
		plan_touch(s);
		r = dj_restore(t, rel, &f->undo, &cur);
	}
	dj_state_free(&cur);
	snprintf(jpath, sizeof(jpath), "%s/%s", jrel, f->entry);
	if (!r) {
		plan_touch(s);
		r = tree_unlink(jt, jpath);
		r = r == -ENOENT ? 0 : r;
	}
	if (!r)
		plan_result(s, need ? "put back" : "was already as before");
	return r;
}

static int run_rmdir(struct plan *pl, struct plan_step *s)
{
	struct dr_fixplan *p = plan_arg(pl);
	struct tree *t;
	char rel[PATH_MAX];
	int r = dv_writable(p->c->v, DJ_DIR, &t, rel);
	if (!r) {
		plan_touch(s);
		r = tree_rmdir(t, rel);
	}
	if (r == -ENOTEMPTY || r == -EEXIST) {
		rc_clear();
		plan_result(s, "%s still holds other files: kept", DJ_DIR);
		return 0;
	}
	return r == -ENOENT ? 0 : r;
}

/* The journal's entries, newest first, into P's records. */
static int load_entries(struct dr_fixplan *p)
{
	char **names;
	size_t n = 0;
	int r = dv_list(p->c->v, DJ_DIR, &names, &n);
	if (r == -ENOENT)
		return 0;
	if (r)
		return r == -ENODATA ? rc_failx(RC_EXIT_CANNOT_TELL, ENODATA, "%s", dv_why(p->c->v)) : r;
	for (size_t k = n; k-- > 0 && !r;) {   /* names are sorted: newest last */
		char path[PATH_MAX + 64], *buf;
		size_t len;
		if (dj_seq_of(names[k]) < 0)
			continue;
		if (p->n >= PLAN_MAX_STEPS - 1) {
			r = rc_fail(E2BIG, "more than %d journal entries: run --undo again to undo the rest", PLAN_MAX_STEPS - 1);
			break;
		}
		struct fx_file *f = &p->f[p->n];
		memset(f, 0, sizeof(*f));
		f->p = p;
		snprintf(f->entry, sizeof(f->entry), "%s", names[k]);
		snprintf(path, sizeof(path), DJ_DIR "/%s", names[k]);
		if (!(r = dv_read(p->c->v, path, &buf, &len, DJ_MAX_ENTRY))) {
			r = dj_parse(buf, len, &f->undo);
			free(buf);
			if (r) {
				char m[DR_TEXT];
				snprintf(m, sizeof(m), "%s", rc_msg());
				r = rc_failx(RC_EXIT_CANNOT_TELL, EINVAL, "%s: %s; nothing was undone", path, m);
			}
		}
		if (!r) {
			memcpy(f->path, f->undo.path, sizeof(f->path));
			p->n++;
		}
	}
	tree_free_list(names, n);
	return r;
}

/* Before anything is undone: would each entry, undone newest first, find
 * its path as it left it? A newer entry of the same path stands for the
 * state (its "before") the older one will find. */
static int check_undo(struct dr_fixplan *p)
{
	char why[DR_TEXT];
	for (size_t i = 0; i < p->n; i++) {
		struct fx_file *f = &p->f[i];
		struct dj_state now = { 0 };
		const struct dj_state *cur = NULL;
		for (size_t j = i; j-- > 0 && !cur;)
			if (!strcmp(p->f[j].undo.path, f->undo.path))
				cur = &p->f[j].undo.before;
		if (!cur) {
			struct tree *t;
			char rel[PATH_MAX];
			int r = dv_locate(p->c->v, f->undo.path, &t, rel);
			if (r || (r = dj_state_read(t, rel, &now)))
				return r == -ENODATA ? rc_failx(RC_EXIT_CANNOT_TELL, ENODATA, "%s", dv_why(p->c->v)) : r;
			cur = &now;
		}
		int need = dj_undo_needed(&f->undo, cur, why, sizeof(why));
		dj_state_free(&now);
		if (need < 0 && !p->force)
			return rc_failx(RC_EXIT_REFUSED, EAGAIN, "%s; nothing was undone (--force puts every file back "
					"as it was before doctor anyway)", why);
	}
	return 0;
}

static int add_undo_step(struct dr_fixplan *p, struct fx_file *f)
{
	struct plan_step *s = plan_add(p->plan, "undo", f->undo.path);
	if (!s)
		return -E2BIG;
	snprintf(s->does, sizeof(s->does), "%s: put back as before %s (%s: %s)", f->undo.path, f->undo.fix,
		 f->undo.date, f->undo.what);
	snprintf(s->changes, sizeof(s->changes), "%s", f->undo.path);
	snprintf(s->after, sizeof(s->after), "%s is as it was before doctor changed it", f->undo.path);
	snprintf(s->resume, sizeof(s->resume), "rescuectl doctor --undo %s", dr_target(p->c));
	s->flags = PLAN_CONTINUE;
	s->run = run_undo;
	s->arg = f;
	return 0;
}

/* Is the journal directory there, holding no entry (nothing else either)? */
static int journal_left(struct dr_ctx *c)
{
	char **names;
	size_t n;
	if (dv_list(c->v, DJ_DIR, &names, &n))
		return 0;
	tree_free_list(names, n);
	return n == 0;
}

int dr_undo_plan(struct dr_ctx *c, int force, struct dr_fixplan **out)
{
	struct dr_fixplan *p = fp_new(c);
	int r;
	if (!p)
		return -ENOMEM;
	*out = p;
	p->force = force;
	if (!(p->plan = plan_new("nothing was changed", p)))
		return -ENOMEM;
	if ((r = load_entries(p)) || (r = check_undo(p)))
		return r;
	for (size_t i = 0; i < p->n; i++)
		if ((r = add_undo_step(p, &p->f[i])))
			return r;
	/* an undo killed after its last entry leaves the empty directory: take it too */
	if (p->n || journal_left(c)) {
		struct plan_step *s = plan_add(p->plan, "rmdir", "remove the journal");
		if (!s)
			return -E2BIG;
		snprintf(s->does, sizeof(s->does), "remove %s when it is empty", DJ_DIR);
		snprintf(s->changes, sizeof(s->changes), "%s", DJ_DIR);
		snprintf(s->after, sizeof(s->after), "every change doctor made is undone");
		s->flags = PLAN_CONTINUE;
		s->run = run_rmdir;
	}
	p->nfixed = p->n;
	return 0;
}

int dr_undo_commit(struct dr_fixplan *p, const struct plan_hooks *h)
{
	return plan_commit(p->plan, h);
}
