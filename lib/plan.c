/* A plan of changes as data, and the one loop that commits it: see plan.h. */
#include "plan.h"
#include "err.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WARN 32

struct plan {
	struct plan_step *steps;
	size_t n;
	char before[PLAN_TEXT];
	void *arg;
	const struct plan_hooks *h;
	int committed;
	int stop;                   /* 1-based step whose failure stopped the plan; 0 none */
	char (*warn)[PLAN_TEXT];
	size_t nwarn;
	int with[PLAN_MAX_STEPS];   /* in-memory step -> 1-based step that wrote it */
};

/* ---- building ----------------------------------------------------------- */

struct plan *plan_new(const char *before, void *arg)
{
	struct plan *p = calloc(1, sizeof(*p));
	if (p) {
		p->steps = calloc(PLAN_MAX_STEPS, sizeof(*p->steps));
		p->warn = calloc(MAX_WARN, sizeof(*p->warn));
	}
	if (!p || !p->steps || !p->warn) {
		plan_free(p);
		rc_fail(ENOMEM, "out of memory");
		return NULL;
	}
	snprintf(p->before, sizeof(p->before), "%s", before ? before : "nothing was changed");
	p->arg = arg;
	return p;
}

void plan_free(struct plan *p)
{
	if (!p)
		return;
	free(p->steps);
	free(p->warn);
	free(p);
}

void *plan_arg(const struct plan *p)
{
	return p->arg;
}

struct plan_step *plan_add(struct plan *p, const char *kind, const char *name)
{
	if (p->n >= PLAN_MAX_STEPS) {
		rc_fail(E2BIG, "a plan holds at most %d steps", PLAN_MAX_STEPS);
		return NULL;
	}
	struct plan_step *s = &p->steps[p->n++];
	memset(s, 0, sizeof(*s));
	s->n = (int)p->n;
	snprintf(s->kind, sizeof(s->kind), "%s", kind);
	snprintf(s->name, sizeof(s->name), "%s", name);
	return s;
}

size_t plan_count(const struct plan *p)
{
	return p->n;
}

struct plan_step *plan_step(const struct plan *p, size_t i)
{
	return i < p->n ? &p->steps[i] : NULL;
}

/* ---- for run functions -------------------------------------------------- */

void plan_touch(struct plan_step *s)
{
	s->touched = 1;
}

void plan_result(struct plan_step *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->result, sizeof(s->result), fmt, ap);
	va_end(ap);
}

void plan_warn(struct plan *p, const char *fmt, ...)
{
	char buf[PLAN_TEXT];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (p->nwarn < MAX_WARN)
		memcpy(p->warn[p->nwarn++], buf, sizeof(buf));
	if (p->h && p->h->warn)
		p->h->warn(p->h->ud, buf);
}

void plan_output(struct plan *p, const struct plan_step *s, const char *text)
{
	if (text && *text && p->h && p->h->output)
		p->h->output(p->h->ud, s, text);
}

size_t plan_nwarnings(const struct plan *p)
{
	return p->nwarn;
}

const char *plan_warning(const struct plan *p, size_t i)
{
	return i < p->nwarn ? p->warn[i] : NULL;
}

/* ---- committing --------------------------------------------------------- */

static void run_one(struct plan *p, struct plan_step *s)
{
	const struct plan_hooks *h = p->h;
	if (s->needs && (s->needs > (int)p->n || p->steps[s->needs - 1].status != PLAN_DONE)) {
		s->status = PLAN_SKIPPED;
		snprintf(s->error, sizeof(s->error), "not run: it needs step %d, which did not succeed", s->needs);
	} else {
		if (h && h->start)
			h->start(h->ud, s);
		rc_clear();
		int r = s->run(p, s);
		if (r < 0) {
			s->status = PLAN_FAILED;
			snprintf(s->error, sizeof(s->error), "%s", *rc_msg() ? rc_msg() : strerror(-r));
			s->exit_hint = rc_exit_hint() == RC_EXIT_REFUSED ? RC_EXIT_REFUSED : RC_EXIT_FAIL;
			if (s->touched && s->inspect)
				s->inspect(p, s);   /* best effort: its own failure says nothing new */
		} else {
			s->status = PLAN_DONE;
		}
	}
	if (h && h->done)
		h->done(h->ud, s);
}

/* In-memory steps FROM..TO-1 reached the disk (or not) with step TO. */
static void settle(struct plan *p, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		p->steps[i].status = p->steps[to].status;
		p->with[i] = (int)to + 1;
	}
}

static int undo_one(struct plan *p, struct plan_step *s)
{
	plan_warn(p, "undoing step %d (%s): %s", s->n, s->name, s->undo[0] ? s->undo : s->name);
	rc_clear();
	int r = s->undo_fn(p, s);
	if (r < 0) {
		snprintf(s->undo_error, sizeof(s->undo_error), "%s", *rc_msg() ? rc_msg() : strerror(-r));
		return 0;
	}
	s->status = PLAN_UNDONE;
	for (size_t i = 0; i < p->n; i++)
		if (p->with[i] == s->n)
			p->steps[i].status = PLAN_UNDONE;
	return 1;
}

/* After step K (0-based) stopped the plan: the automatic undo, newest first. */
static void undo_back(struct plan *p, size_t k)
{
	struct plan_step *f = &p->steps[k];
	if (f->touched && !(f->flags & PLAN_CHECK)) {
		if (!f->undo_fn || !(f->flags & PLAN_UNDO_SELF) || !undo_one(p, f))
			return;
	}
	for (size_t j = k; j-- > 0;) {
		struct plan_step *s = &p->steps[j];
		if (s->status != PLAN_DONE || !s->run)
			continue;
		if (s->undo_fn && (s->flags & PLAN_UNDO_LATER)) {
			if (!undo_one(p, s))
				return;
		} else if (!(s->flags & PLAN_CHECK) && s->undo[0]) {
			return;
		}
	}
}

int plan_commit(struct plan *p, const struct plan_hooks *hooks)
{
	if (p->committed)
		return rc_fail(EALREADY, "this plan was committed already");
	p->committed = 1;
	p->h = hooks;
	size_t pending = 0, i;
	int first = 0;
	for (i = 0; i < p->n && !p->stop; i++) {
		struct plan_step *s = &p->steps[i];
		if (!s->run)
			continue;
		run_one(p, s);
		settle(p, pending, i);
		pending = i + 1;
		if (s->status == PLAN_FAILED && !first)
			first = s->n;
		if (s->status == PLAN_FAILED && !(s->flags & PLAN_CONTINUE))
			p->stop = s->n;
	}
	if (!p->stop)   /* trailing in-memory steps: nothing left to carry them */
		for (; pending < p->n; pending++)
			p->steps[pending].status = PLAN_DONE;
	if (p->stop)
		undo_back(p, (size_t)p->stop - 1);
	p->h = NULL;
	if (!first)
		return 0;
	const struct plan_step *f = &p->steps[first - 1];
	return rc_failx(f->exit_hint, EIO, "step %d of %zu failed: %s", f->n, p->n, f->error);
}

/* ---- words from the plan ------------------------------------------------ */

static int failed(const struct plan_step *s)
{
	/* a step undone after its own failure still failed */
	return s->run && (s->status == PLAN_FAILED || (s->status == PLAN_UNDONE && s->error[0]));
}

int plan_stopped(const struct plan *p)
{
	return p->stop;
}

int plan_exit(const struct plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (failed(&p->steps[i]))
			return p->steps[i].exit_hint;
	return 0;
}

/* append to BUF at *L, never past SZ */
static void add(char *buf, size_t sz, size_t *l, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void add(char *buf, size_t sz, size_t *l, const char *fmt, ...)
{
	if (*l >= sz)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf + *l, sz - *l, fmt, ap);
	va_end(ap);
	if (n > 0)
		*l = *l + (size_t)n < sz ? *l + (size_t)n : sz;
}

const char *plan_state(const struct plan *p, char *buf, size_t sz)
{
	const char *base = p->before;
	size_t l = 0;
	for (size_t i = 0; i < p->n; i++)
		if (p->steps[i].status == PLAN_DONE && p->steps[i].run && p->steps[i].after[0])
			base = p->steps[i].after;
	buf[0] = 0;
	if (p->stop) {
		const struct plan_step *f = &p->steps[p->stop - 1];
		if (f->status == PLAN_FAILED && f->touched && !(f->flags & PLAN_CHECK)) {
			if (f->if_failed[0])
				base = f->if_failed;
			else
				add(buf, sz, &l, "step %d (%s) stopped partway and what it changed is not known; before it: ",
				    f->n, f->name);
		}
	}
	add(buf, sz, &l, "%s", base);
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_step *s = &p->steps[i];
		if (s->status == PLAN_FAILED && (s->flags & PLAN_CONTINUE) && s->if_failed[0])
			add(buf, sz, &l, "; but %s", s->if_failed);
		if (s->undo_error[0])
			add(buf, sz, &l, "; undoing step %d failed: %s", s->n, s->undo_error);
	}
	return buf;
}

/* "1 save the table, 2 e2fsck" for the steps with status ST; ranges of
 * not-run steps as "7-10". */
static void list(const struct plan *p, enum plan_status st, char *buf, size_t sz, size_t *l)
{
	int any = 0;
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_step *s = &p->steps[i];
		if (s->status != st)
			continue;
		if (st == PLAN_TODO) {
			size_t j = i;
			while (j + 1 < p->n && p->steps[j + 1].status == PLAN_TODO)
				j++;
			add(buf, sz, l, j > i ? "%s%d-%d" : "%s%d", any ? ", " : "", s->n, p->steps[j].n);
			i = j;
		} else {
			add(buf, sz, l, "%s%d %s", any ? ", " : "", s->n, s->name);
		}
		any = 1;
	}
}

static int count(const struct plan *p, enum plan_status st)
{
	int n = 0;
	for (size_t i = 0; i < p->n; i++)
		n += p->steps[i].status == st;
	return n;
}

/* the lines after the first one of plan_failure */
static void failure_lists(const struct plan *p, char *buf, size_t sz, size_t *l)
{
	add(buf, sz, l, "\n  done: ");
	if (count(p, PLAN_DONE))
		list(p, PLAN_DONE, buf, sz, l);
	else
		add(buf, sz, l, "nothing");
	if (count(p, PLAN_UNDONE)) {
		add(buf, sz, l, "\n  undone automatically: ");
		list(p, PLAN_UNDONE, buf, sz, l);
	}
	for (size_t i = 0; i < p->n; i++)
		if (p->steps[i].status == PLAN_SKIPPED)
			add(buf, sz, l, "\n  skipped: %d %s (%s)", p->steps[i].n, p->steps[i].name,
			    p->steps[i].error[0] ? p->steps[i].error : "it goes with a skipped step");
	if (count(p, PLAN_TODO)) {
		add(buf, sz, l, "\n  not run: ");
		list(p, PLAN_TODO, buf, sz, l);
	}
}

static void failure_next(const struct plan *p, char *buf, size_t sz, size_t *l)
{
	const char *sep = "\n  next: ";
	for (size_t i = 0; i < p->n; i++)
		if (failed(&p->steps[i]) && p->steps[i].resume[0]) {
			add(buf, sz, l, "%s%s", sep, p->steps[i].resume);
			sep = "; ";
		}
	sep = "\n  to undo what is done: ";
	for (size_t i = p->n; i-- > 0;) {
		const struct plan_step *s = &p->steps[i];
		int stands = s->status == PLAN_DONE || (s->status == PLAN_FAILED && s->touched);
		if (stands && s->run && s->undo[0]) {
			add(buf, sz, l, "%s%s", sep, s->undo);
			sep = "; then ";
		}
	}
}

/* " (with 4, 5)": the in-memory steps that were to reach the disk with S */
static void carried(const struct plan *p, const struct plan_step *s, char *buf, size_t sz, size_t *l)
{
	int any = 0;
	for (size_t i = 0; i < p->n; i++)
		if (p->with[i] == s->n) {
			add(buf, sz, l, "%s%d", any ? ", " : " (with steps ", p->steps[i].n);
			any = 1;
		}
	if (any)
		add(buf, sz, l, ")");
}

const char *plan_failure(const struct plan *p, char *buf, size_t sz)
{
	size_t l = 0;
	char state[1024];
	int any = 0;
	buf[0] = 0;
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_step *s = &p->steps[i];
		if (!failed(s))
			continue;
		add(buf, sz, &l, any ? "\n  also failed: step %d of %zu (%s" : "step %d of %zu failed: %s",
		    s->n, p->n, any ? s->name : s->does);
		carried(p, s, buf, sz, &l);
		add(buf, sz, &l, any ? "): %s" : ": %s", s->error);
		any = 1;
	}
	if (!any)
		return buf;
	failure_lists(p, buf, sz, &l);
	add(buf, sz, &l, "\n  the disk now: %s", plan_state(p, state, sizeof(state)));
	for (size_t i = 0; i < p->n; i++)
		if (p->steps[i].found[0])
			add(buf, sz, &l, "; %s", p->steps[i].found);
	failure_next(p, buf, sz, &l);
	return buf;
}

/* ---- JSON --------------------------------------------------------------- */

const char *plan_status_name(enum plan_status st)
{
	static const char *const names[] = { "todo", "done", "failed", "skipped", "undone" };
	return (unsigned)st < sizeof(names) / sizeof(names[0]) ? names[st] : "?";
}

static void jstr(json_object *o, const char *key, const char *val, int always)
{
	if (always || (val && *val))
		json_object_object_add(o, key, json_object_new_string(val ? val : ""));
}

json_object *plan_json(const struct plan *p)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; a && i < p->n; i++) {
		const struct plan_step *s = &p->steps[i];
		json_object *o = json_object_new_object();
		json_object_object_add(o, "n", json_object_new_int(s->n));
		jstr(o, "kind", s->kind, 1);
		jstr(o, "does", s->does, 1);
		jstr(o, "changes", s->changes, 1);
		jstr(o, "after", s->after, 1);
		jstr(o, "undo", s->undo, 1);
		jstr(o, "resume", s->resume, 1);
		jstr(o, "status", plan_status_name(s->status), 1);
		jstr(o, "error", s->error, 0);
		jstr(o, "result", s->result, 0);
		jstr(o, "found", s->found, 0);
		jstr(o, "undo_error", s->undo_error, 0);
		json_object_array_add(a, o);
	}
	return a;
}

json_object *plan_failure_json(const struct plan *p)
{
	char buf[1024];
	int first = 0;
	for (size_t i = 0; i < p->n && !first; i++)
		if (failed(&p->steps[i]))
			first = p->steps[i].n;
	if (!first)
		return NULL;
	json_object *o = json_object_new_object(), *u = json_object_new_array();
	json_object_object_add(o, "step", json_object_new_int(first));
	json_object_object_add(o, "state", json_object_new_string(plan_state(p, buf, sizeof(buf))));
	size_t l = 0;
	buf[0] = 0;
	for (size_t i = 0; i < p->n; i++)
		if (failed(&p->steps[i]) && p->steps[i].resume[0])
			add(buf, sizeof(buf), &l, "%s%s", l ? "; " : "", p->steps[i].resume);
	json_object_object_add(o, "next", json_object_new_string(buf));
	for (size_t i = 0; i < p->n; i++)
		if (p->steps[i].status == PLAN_UNDONE)
			json_object_array_add(u, json_object_new_int(p->steps[i].n));
	json_object_object_add(o, "undone", u);
	return o;
}
