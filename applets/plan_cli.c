/* Showing a plan: see plan_cli.h. */
#include "plan_cli.h"
#include <stdio.h>
#include <string.h>

void plan_cli_list(struct cli *c, const struct plan *p)
{
	cli_info(c, "Steps:");
	for (size_t i = 0; i < plan_count(p); i++) {
		const struct plan_step *s = plan_step(p, i);
		cli_info(c, "  %d. %s", s->n, s->does);
		if (c->verbose)
			cli_info(c, "     changes %s%s%s", s->changes, s->undo[0] ? "; undo: " : "", s->undo);
	}
}

void plan_cli_warnings(struct cli *c, const struct plan *p)
{
	for (size_t i = 0; i < plan_nwarnings(p); i++)
		cli_warnj(c, "%s", plan_warning(p, i));
}

static void h_start(void *ud, const struct plan_step *s)
{
	cli_info(ud, "==> %s", s->does);
}

static void h_done(void *ud, const struct plan_step *s)
{
	if (s->status == PLAN_DONE && s->result[0])
		cli_info(ud, "    %s", s->result);
}

static void h_warn(void *ud, const char *msg)
{
	cli_warnj(ud, "%s", msg);
}

static void h_output(void *ud, const struct plan_step *s, const char *text)
{
	struct cli *c = ud;
	(void)s;
	if (c->verbose)
		fputs(text, stderr);
}

struct plan_hooks plan_cli_hooks(struct cli *c)
{
	struct plan_hooks h = { .ud = c, .start = h_start, .done = h_done, .warn = h_warn, .output = h_output };
	return h;
}

int plan_cli_fail(struct cli *c, const struct plan *p)
{
	char msg[4096];
	int code = plan_exit(p);
	if (!code)
		code = RC_EXIT_FAIL;
	cli_error(c, code, "%s", plan_failure(p, msg, sizeof(msg)));
	json_object *e, *f = plan_failure_json(p);
	if (f && c->json && json_object_object_get_ex(cli_doc(c), "error", &e)) {
		json_object_object_foreach(f, k, v)
			json_object_object_add(e, k, json_object_get(v));
	}
	json_object_put(f);
	return code;
}

void plan_cli_json(struct cli *c, const struct plan *p)
{
	json_object_object_add(cli_doc(c), "steps", plan_json(p));
}
