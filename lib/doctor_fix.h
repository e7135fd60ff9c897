/* doctor --fix and --undo as plan -> commit (lib/plan.h).
 *
 * Planning: the fix function of every selected, fixable finding runs
 * against the read-only view and describes its change through the calls
 * below: a file's new text, new owner and mode, a file to create, a
 * program to run in a chroot. Several fixes of one file build on each
 * other (the second sees the first one's text). Every path is checked
 * while planning -- a symbolic link, a file of another type, a file over
 * the journal's size limit is refused before the first write -- and the
 * journal directory (/var/lib/rescuectl) must be a real directory or
 * absent. The plan has one step per path; its text is what --dry-run and
 * the confirmation show.
 *
 * Committing: each step makes its filesystem writable (dv_writable),
 * re-reads the path and compares it with what the plan was made from
 * (refused if it changed), writes its journal entry, then makes the
 * change aspect by aspect (djournal.h). A failing step does not stop the
 * others: each file is independent, and the journal holds what was done.
 *
 * Undo: every journal entry, newest first, is checked against the path's
 * state now (a change made since refuses the undo, unless forced), then a
 * plan of one step per entry restores it and removes the entry; the empty
 * journal directory goes last. Contract: 0 or -errno with a message. */
#ifndef RC_DOCTOR_FIX_H
#define RC_DOCTOR_FIX_H
#include <sys/types.h>
#include "plan.h"

struct dr_ctx;
struct dr_finding;
struct dr_fixplan;

/* ---- for fix functions ---------------------------------------------------- */

/* The text of PATH as planned so far (read from the view on first use).
 * *TEXT stays valid until the next call for PATH. */
int dr_fix_text(struct dr_fixplan *p, const char *path, const char **text, size_t *len);
/* PATH's new text (TEXT is copied). WHAT: one line for the plan. */
int dr_fix_set_text(struct dr_fixplan *p, const char *path, const char *text, size_t len, const char *what);
/* PATH's new owner and mode ((uid_t)-1 keeps the owner). */
int dr_fix_attrs(struct dr_fixplan *p, const char *path, uid_t uid, gid_t gid, mode_t mode, const char *what);
/* Create regular file PATH (refused if it exists). */
int dr_fix_create(struct dr_fixplan *p, const char *path, const char *data, size_t len, mode_t mode,
		  const char *what);
/* Has the plan a state for PATH yet? 1 with its planned text (TEXT NULL
 * for an empty file), -ENOENT when the plan removes it, 0 not in the plan
 * (read it from the view). Reads nothing. */
int dr_fix_planned(struct dr_fixplan *p, const char *path, const char **text, size_t *len);
/* Remove the symbolic link PATH (a unit's wants link); anything else is refused.
 * The journal keeps its target: --undo makes the link again. */
int dr_fix_unlink(struct dr_fixplan *p, const char *path, const char *what);
/* Run ARGV (NULL-terminated, at most 15 words) with chroot(2) into the
 * tree (--chroot only). OUTPUTS (NULL-terminated, at most 4): the paths it
 * writes, journaled before it runs. */
int dr_fix_run(struct dr_fixplan *p, const char *const argv[], const char *const outputs[], const char *what);

/* ---- for the applet ------------------------------------------------------- */

/* Plan the fixes of the findings SELECT names ("safe", ids, families).
 * *OUT is a lib/plan plan (steps with text) and its state; findings whose
 * fix could not be planned are in dr_fix_skipped(). */
int dr_fix_plan(struct dr_ctx *c, const char *select, struct dr_fixplan **out);
struct plan *dr_fix_steps(struct dr_fixplan *p);
size_t dr_fix_nskipped(const struct dr_fixplan *p);
const char *dr_fix_skipped(const struct dr_fixplan *p, size_t i);
/* Was a fix left out because a safety check refused it (exit 3)? */
int dr_fix_refused(const struct dr_fixplan *p);
/* How many findings the plan fixes. */
size_t dr_fix_nfixed(const struct dr_fixplan *p);
int dr_fix_commit(struct dr_fixplan *p, const struct plan_hooks *h);
void dr_fix_free(struct dr_fixplan *p);

/* Plan the undo of every journal entry. FORCE: restore also what was
 * changed since. *OUT holds 0 steps when the journal is empty. */
int dr_undo_plan(struct dr_ctx *c, int force, struct dr_fixplan **out);
int dr_undo_commit(struct dr_fixplan *p, const struct plan_hooks *h);

#endif
