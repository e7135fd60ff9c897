/* Unit tests for lib/plan.c: the commit loop, the automatic undo, and the
 * words made from the plan (state, failure message, JSON). The steps here
 * act on a fake "disk": an array of values each step sets and its undo
 * puts back, so every outcome can be checked against what really changed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "../../lib/plan.h"
#include "../../lib/err.h"

struct fake {
	int disk[8];         /* what each step changed: 1 = its change is on the disk */
	int fail_at;         /* 1-based step that fails, 0 none */
	int fail_touched;    /* it fails after its first change */
	int refuse;          /* it fails as a refusal (RC_EXIT_REFUSED) */
	int undo_fails;      /* 1-based step whose undo fails */
	int continue_fail;   /* 1-based step that fails with PLAN_CONTINUE */
	char log[256];       /* the order of events: "s1 s2 u2 ..." */
};

static void logf_(struct fake *f, const char *fmt, int n)
{
	size_t l = strlen(f->log);
	snprintf(f->log + l, sizeof(f->log) - l, fmt, n);
}

static int run(struct plan *p, struct plan_step *s)
{
	struct fake *f = plan_arg(p);
	logf_(f, "s%d ", s->n);
	if (f->fail_at == s->n || f->continue_fail == s->n) {
		if (f->fail_touched) {
			plan_touch(s);
			f->disk[s->n] = 1;
		}
		if (f->refuse)
			return rc_failx(RC_EXIT_REFUSED, EPERM, "step %d refused", s->n);
		return rc_fail(EIO, "step %d broke", s->n);
	}
	if (!(s->flags & PLAN_CHECK)) {
		plan_touch(s);
		f->disk[s->n] = 1;
	}
	plan_result(s, "did %d", s->n);
	return 0;
}

static int undo(struct plan *p, struct plan_step *s)
{
	struct fake *f = plan_arg(p);
	logf_(f, "u%d ", s->n);
	if (f->undo_fails == s->n)
		return rc_fail(EIO, "undo %d broke", s->n);
	f->disk[s->n] = 0;
	return 0;
}

static int inspect(struct plan *p, struct plan_step *s)
{
	(void)p;
	snprintf(s->found, sizeof(s->found), "inspected %d", s->n);
	return 0;
}

/* A plan: 1 save (no undo needed), 2 in memory, 3 write (undo on its own
 * failure), 4 check, 5 side job (continue), 6 needs 5. */
static struct plan *mkplan(struct fake *f)
{
	struct plan *p = plan_new("untouched", f);
	assert_non_null(p);
	struct plan_step *s = plan_add(p, "save", "save");
	s->run = run;
	snprintf(s->after, sizeof(s->after), "saved");
	snprintf(s->resume, sizeof(s->resume), "run it again");
	s = plan_add(p, "edit", "edit in memory");
	s = plan_add(p, "write", "write");
	s->run = run;
	s->undo_fn = undo;
	s->inspect = inspect;
	s->flags = PLAN_UNDO_SELF;
	snprintf(s->does, sizeof(s->does), "write the thing");
	snprintf(s->after, sizeof(s->after), "written");
	snprintf(s->if_failed, sizeof(s->if_failed), "half written");
	snprintf(s->undo, sizeof(s->undo), "put the old one back");
	snprintf(s->resume, sizeof(s->resume), "write it by hand");
	s = plan_add(p, "check", "check");
	s->run = run;
	s->flags = PLAN_CHECK;
	snprintf(s->after, sizeof(s->after), "written and checked");
	s = plan_add(p, "side", "side job");
	s->run = run;
	s->flags = PLAN_CONTINUE;
	snprintf(s->if_failed, sizeof(s->if_failed), "the side job is not done");
	snprintf(s->resume, sizeof(s->resume), "do the side job by hand");
	snprintf(s->undo, sizeof(s->undo), "undo the side job");
	s = plan_add(p, "after-side", "after the side job");
	s->run = run;
	s->needs = 5;
	return p;
}

static void test_all_done(void **st)
{
	(void)st;
	struct fake f = { 0 };
	struct plan *p = mkplan(&f);
	assert_int_equal(plan_commit(p, NULL), 0);
	assert_string_equal(f.log, "s1 s3 s4 s5 s6 ");
	for (size_t i = 0; i < plan_count(p); i++)
		assert_int_equal(plan_step(p, i)->status, PLAN_DONE);
	assert_string_equal(plan_step(p, 2)->result, "did 3");
	assert_int_equal(plan_exit(p), 0);
	char buf[512];
	assert_string_equal(plan_failure(p, buf, sizeof(buf)), "");
	assert_string_equal(plan_state(p, buf, sizeof(buf)), "written and checked");
	assert_null(plan_failure_json(p));
	/* once only */
	assert_int_equal(plan_commit(p, NULL), -EALREADY);
	plan_free(p);
}

static void test_stop_untouched(void **st)
{
	(void)st;
	struct fake f = { .fail_at = 3, .refuse = 1 };
	struct plan *p = mkplan(&f);
	assert_true(plan_commit(p, NULL) < 0);
	assert_string_equal(f.log, "s1 s3 ");
	assert_int_equal(plan_step(p, 1)->status, PLAN_FAILED);   /* in memory, went with 3 */
	assert_int_equal(plan_step(p, 3)->status, PLAN_TODO);
	assert_int_equal(plan_exit(p), RC_EXIT_REFUSED);
	char buf[2048];
	/* untouched: the state is the one before it, no undo, no inspect */
	assert_string_equal(plan_state(p, buf, sizeof(buf)), "saved");
	assert_string_equal(plan_step(p, 2)->found, "");
	plan_failure(p, buf, sizeof(buf));
	assert_non_null(strstr(buf, "step 3 of 6 failed: write the thing (with steps 2): step 3 refused"));
	assert_non_null(strstr(buf, "done: 1 save"));
	assert_non_null(strstr(buf, "not run: 4-6"));
	assert_non_null(strstr(buf, "the disk now: saved"));
	assert_non_null(strstr(buf, "next: write it by hand"));
	assert_null(strstr(buf, "undone"));
	assert_null(strstr(buf, "to undo what is done"));
	plan_free(p);
}

static void test_undo_self(void **st)
{
	(void)st;
	struct fake f = { .fail_at = 3, .fail_touched = 1 };
	struct plan *p = mkplan(&f);
	assert_true(plan_commit(p, NULL) < 0);
	/* the failed write was undone: the disk holds only step 1's change */
	assert_string_equal(f.log, "s1 s3 u3 ");
	assert_int_equal(f.disk[3], 0);
	assert_int_equal(f.disk[1], 1);
	assert_int_equal(plan_step(p, 2)->status, PLAN_UNDONE);
	assert_int_equal(plan_step(p, 1)->status, PLAN_UNDONE);
	assert_int_equal(plan_exit(p), RC_EXIT_FAIL);
	assert_string_equal(plan_step(p, 2)->found, "inspected 3");
	char buf[2048];
	assert_string_equal(plan_state(p, buf, sizeof(buf)), "saved");
	plan_failure(p, buf, sizeof(buf));
	assert_non_null(strstr(buf, "step 3 of 6 failed"));
	assert_non_null(strstr(buf, "undone automatically: 2 edit in memory, 3 write"));
	assert_null(strstr(buf, "to undo what is done"));
	json_object *j = plan_failure_json(p);
	assert_non_null(j);
	json_object *v;
	assert_true(json_object_object_get_ex(j, "step", &v));
	assert_int_equal(json_object_get_int(v), 3);
	assert_true(json_object_object_get_ex(j, "undone", &v));
	assert_int_equal(json_object_array_length(v), 2);
	json_object_put(j);
	plan_free(p);
}

static void test_undo_fails(void **st)
{
	(void)st;
	struct fake f = { .fail_at = 3, .fail_touched = 1, .undo_fails = 3 };
	struct plan *p = mkplan(&f);
	assert_true(plan_commit(p, NULL) < 0);
	assert_int_equal(f.disk[3], 1);
	assert_int_equal(plan_step(p, 2)->status, PLAN_FAILED);
	char buf[2048];
	plan_state(p, buf, sizeof(buf));
	assert_non_null(strstr(buf, "half written"));
	assert_non_null(strstr(buf, "undoing step 3 failed: undo 3 broke"));
	plan_failure(p, buf, sizeof(buf));
	assert_non_null(strstr(buf, "to undo what is done: put the old one back"));
	assert_non_null(strstr(buf, "inspected 3"));
	plan_free(p);
}

static void test_continue_and_needs(void **st)
{
	(void)st;
	struct fake f = { .continue_fail = 5, .fail_touched = 1 };
	struct plan *p = mkplan(&f);
	assert_true(plan_commit(p, NULL) < 0);
	/* 5 failed but the plan went on; 6 needs 5: skipped */
	assert_string_equal(f.log, "s1 s3 s4 s5 ");
	assert_int_equal(plan_step(p, 4)->status, PLAN_FAILED);
	assert_int_equal(plan_step(p, 5)->status, PLAN_SKIPPED);
	assert_int_equal(f.disk[3], 1);   /* no automatic undo after a side job's failure */
	char buf[2048];
	assert_string_equal(plan_state(p, buf, sizeof(buf)), "written and checked; but the side job is not done");
	plan_failure(p, buf, sizeof(buf));
	assert_non_null(strstr(buf, "step 5 of 6 failed"));
	assert_non_null(strstr(buf, "skipped: 6 after the side job (not run: it needs step 5"));
	assert_non_null(strstr(buf, "next: do the side job by hand"));
	assert_non_null(strstr(buf, "to undo what is done: undo the side job; then put the old one back"));
	plan_free(p);
}

/* The walk back: LATER undos run newest first, CHECK steps and steps with
 * nothing to undo are passed over, a step that cannot be undone stops it. */
static int add_step(struct plan *p, unsigned flags, const char *undo_text, int with_fn)
{
	struct plan_step *s = plan_add(p, "x", "x");
	s->run = run;
	s->flags = flags;
	s->undo_fn = with_fn ? undo : NULL;
	snprintf(s->undo, sizeof(s->undo), "%s", undo_text);
	return s->n;
}

static void test_undo_walk(void **st)
{
	(void)st;
	struct fake f = { .fail_at = 6 };
	struct plan *p = plan_new(NULL, &f);
	add_step(p, PLAN_UNDO_LATER, "u", 1);   /* 1: not reached: 2 stops the walk */
	add_step(p, 0, "by hand", 0);           /* 2: changed, no automatic undo */
	add_step(p, PLAN_UNDO_LATER, "u", 1);   /* 3 */
	add_step(p, 0, "", 0);                  /* 4: nothing to undo */
	add_step(p, PLAN_CHECK, "", 0);         /* 5 */
	add_step(p, PLAN_UNDO_LATER, "u", 1);   /* 6: fails untouched */
	assert_true(plan_commit(p, NULL) < 0);
	assert_string_equal(f.log, "s1 s2 s3 s4 s5 s6 u3 ");
	assert_int_equal(plan_step(p, 2)->status, PLAN_UNDONE);
	assert_int_equal(plan_step(p, 0)->status, PLAN_DONE);
	assert_int_equal(f.disk[3], 0);
	assert_int_equal(f.disk[1], 1);
	plan_free(p);
}

struct seen {
	char log[256];
};

static void h_start(void *ud, const struct plan_step *s)
{
	struct seen *v = ud;
	size_t l = strlen(v->log);
	snprintf(v->log + l, sizeof(v->log) - l, "[%d", s->n);
}

static void h_done(void *ud, const struct plan_step *s)
{
	struct seen *v = ud;
	size_t l = strlen(v->log);
	snprintf(v->log + l, sizeof(v->log) - l, " %s]", plan_status_name(s->status));
}

static void h_warn(void *ud, const char *m)
{
	struct seen *v = ud;
	size_t l = strlen(v->log);
	snprintf(v->log + l, sizeof(v->log) - l, " <%.12s>", m);
}

static void test_hooks_and_json(void **st)
{
	(void)st;
	struct fake f = { .fail_at = 3, .fail_touched = 1 };
	struct seen v = { "" };
	struct plan_hooks h = { .ud = &v, .start = h_start, .done = h_done, .warn = h_warn };
	struct plan *p = mkplan(&f);
	plan_warn(p, "while planning");
	assert_int_equal(plan_nwarnings(p), 1);
	assert_true(plan_commit(p, &h) < 0);
	assert_string_equal(v.log, "[1 done][3 failed] <undoing step>");
	assert_int_equal(plan_nwarnings(p), 2);
	assert_string_equal(plan_warning(p, 0), "while planning");
	json_object *a = plan_json(p);
	assert_int_equal(json_object_array_length(a), 6);
	json_object *o = json_object_array_get_idx(a, 2), *x;
	assert_true(json_object_object_get_ex(o, "status", &x));
	assert_string_equal(json_object_get_string(x), "undone");
	assert_true(json_object_object_get_ex(o, "does", &x));
	assert_string_equal(json_object_get_string(x), "write the thing");
	assert_true(json_object_object_get_ex(o, "error", &x));
	assert_string_equal(json_object_get_string(x), "step 3 broke");
	o = json_object_array_get_idx(a, 5);
	assert_true(json_object_object_get_ex(o, "status", &x));
	assert_string_equal(json_object_get_string(x), "todo");
	assert_false(json_object_object_get_ex(o, "error", &x));
	json_object_put(a);
	plan_free(p);
}

/* A step that plans more once it has run (mount-root reads the fstab from
 * the root it has just mounted): the steps it adds run in turn, and a
 * failure among them, with PLAN_CONTINUE, does not stop the plan. */
static int run_grow(struct plan *p, struct plan_step *s)
{
	int r = run(p, s);
	for (int i = 0; r == 0 && i < 2; i++) {
		struct plan_step *n = plan_add(p, "added", "added");
		n->run = run;
		n->flags = PLAN_CONTINUE;
	}
	return r;
}

static void test_grow_and_stopped(void **st)
{
	(void)st;
	struct fake f = { .continue_fail = 3 };
	struct plan *p = plan_new(NULL, &f);
	add_step(p, PLAN_UNDO_LATER, "u", 1);
	plan_step(p, 0)->run = run_grow;
	assert_true(plan_commit(p, NULL) < 0);
	assert_string_equal(f.log, "s1 s2 s3 ");
	assert_int_equal(plan_count(p), 3);
	assert_int_equal(plan_step(p, 2)->status, PLAN_FAILED);
	assert_int_equal(plan_stopped(p), 0);    /* ran to its end: no undo */
	assert_int_equal(f.disk[1], 1);
	/* a stopping failure is named, and undone */
	struct fake g = { .fail_at = 2 };
	struct plan *q = plan_new(NULL, &g);
	add_step(q, PLAN_UNDO_LATER, "u", 1);
	add_step(q, 0, "", 0);
	assert_true(plan_commit(q, NULL) < 0);
	assert_int_equal(plan_stopped(q), 2);
	assert_string_equal(g.log, "s1 s2 u1 ");
	plan_free(q);
	plan_free(p);
}

static void test_limits(void **st)
{
	(void)st;
	struct plan *p = plan_new(NULL, NULL);
	for (int i = 0; i < PLAN_MAX_STEPS; i++)
		assert_non_null(plan_add(p, "k", "n"));
	assert_null(plan_add(p, "k", "n"));
	assert_int_equal(plan_count(p), PLAN_MAX_STEPS);
	/* a plan of in-memory steps only is done at once */
	assert_int_equal(plan_commit(p, NULL), 0);
	assert_int_equal(plan_step(p, 0)->status, PLAN_DONE);
	char buf[64];
	assert_string_equal(plan_state(p, buf, sizeof(buf)), "nothing was changed");
	/* long texts are cut, never overrun */
	char small[16];
	struct fake f = { .fail_at = 1 };
	struct plan *q = plan_new(NULL, &f);
	add_step(q, 0, "", 0);
	assert_true(plan_commit(q, NULL) < 0);
	plan_failure(q, small, sizeof(small));
	assert_int_equal(strlen(small), sizeof(small) - 1);
	plan_free(q);
	plan_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_done),
		cmocka_unit_test(test_stop_untouched),
		cmocka_unit_test(test_undo_self),
		cmocka_unit_test(test_undo_fails),
		cmocka_unit_test(test_continue_and_needs),
		cmocka_unit_test(test_undo_walk),
		cmocka_unit_test(test_hooks_and_json),
		cmocka_unit_test(test_grow_and_stopped),
		cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
