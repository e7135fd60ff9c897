/* How an applet shows a plan (lib/plan.h): the numbered listing (also the
 * --dry-run output), the progress while it is committed, the warnings, the
 * failure message and the JSON. Every applet that commits a plan shows it
 * the same way, from the plan's data alone. */
#ifndef RC_PLAN_CLI_H
#define RC_PLAN_CLI_H
#include "../lib/cli.h"
#include "../lib/plan.h"

/* "Steps:" and "  N. does", with -v also what each step changes and how to
 * undo it. */
void plan_cli_list(struct cli *c, const struct plan *p);
/* The warnings the plan gathered while it was built (cli_warnj). */
void plan_cli_warnings(struct cli *c, const struct plan *p);
/* Hooks for plan_commit: "==> does" before a step, its result after it,
 * warnings as they come, a program's captured output with -v. */
struct plan_hooks plan_cli_hooks(struct cli *c);
/* The failure message made from the plan, as the applet's error (also in
 * the JSON "error" object, with "step", "state", "next", "undone").
 * Returns the exit code. */
int plan_cli_fail(struct cli *c, const struct plan *p);
/* The steps with their status, as the JSON document's "steps". */
void plan_cli_json(struct cli *c, const struct plan *p);

#endif
