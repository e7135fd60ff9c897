/* A plan of changes to a disk, as data, and the one loop that commits it.
 *
 * Every destructive operation (shrink-root; later mount-root, doctor --fix,
 * the md RAID1 and LVM shrinks) is built in two phases:
 *
 *  1. Planning reads the disk and checks everything -- arguments, sizes,
 *     programs, locks, symbolic links -- and writes nothing. It ends in a
 *     list of steps. A plan that could be built is expected to run unless a
 *     device or a program fails: a refusal that can be known before the
 *     first write belongs in planning, never in a step.
 *  2. plan_commit() runs the steps in order, each at most once.
 *
 * A step is data (struct plan_step): what it does, what it changes, the
 * state of the disk once it is done, what that state is if it fails
 * partway, how to undo it and how to go on. The listing, --dry-run, JSON
 * (plan_json) and the failure message (plan_failure) are all made from those
 * fields, so adding a step means writing one step, not editing every
 * message after it. Step kinds are just callbacks: an md or LVM shrink adds
 * steps such as "mdadm --grow --size", "shrink member sdb2", "pvresize",
 * "lvreduce" with their own run/undo/inspect functions and texts.
 *
 * Text fields are complete sentences or commands for a person; the state
 * texts ("after", "if_failed") describe the whole disk, not the difference,
 * because only one of them is shown.
 *
 * Committing, exactly:
 *  - Steps run in the order added. A step whose `run` is NULL was prepared
 *    in memory while planning (e.g. a partition shrunk in the in-memory
 *    table); it reaches the disk with the next step that has a `run`, and
 *    takes that step's status.
 *  - A step with `needs` = N (1-based) runs only if step N is done;
 *    otherwise it is skipped, and that is reported.
 *  - A failing step stops the plan, unless it has PLAN_CONTINUE (a side job
 *    whose failure leaves the main result sound: the plan goes on, and the
 *    commit still fails at the end).
 *  - A run function calls plan_touch() before its first change. A step that
 *    fails untouched left the disk as it was before it.
 *  - After a stopping failure, the automatic undo runs newest first: the
 *    failed step's undo_fn if it was touched and has PLAN_UNDO_SELF; then
 *    each done step with PLAN_UNDO_LATER. The walk back stops at the first
 *    done step that changed something and has no automatic undo (an undo is
 *    only safe on the state its own step left). Steps with PLAN_CHECK change
 *    nothing, and steps with an empty `undo` need none; both are passed
 *    over. A failing undo stops the walk too.
 *  - Steps never print. They report through plan_warn() and plan_output(),
 *    which go to the hooks the applet gives plan_commit().
 *  - A run function may add steps (plan_add) behind the last one; they run
 *    in turn. That is for what can only be planned once earlier steps are
 *    done: mount-root reads the fstab from the root it has just mounted.
 *
 * Functions return 0 or -errno with a message (lib/err.h), never print and
 * never exit. plan_json builds json-c objects; the caller owns them. */
#ifndef RC_PLAN_H
#define RC_PLAN_H
#include <stddef.h>
#include <json-c/json.h>

struct plan;
struct plan_step;

/* A step's action: 0, or -errno with a message (rc_fail; rc_failx with
 * RC_EXIT_REFUSED when the step refused before changing anything). */
typedef int (*plan_fn)(struct plan *p, struct plan_step *s);

enum plan_status {
	PLAN_TODO = 0,   /* not run (yet) */
	PLAN_DONE,
	PLAN_FAILED,
	PLAN_SKIPPED,    /* the step it needs did not succeed */
	PLAN_UNDONE,     /* done (or failed partway), then undone automatically */
};

#define PLAN_CONTINUE   0x1  /* a failure does not stop the plan */
#define PLAN_CHECK      0x2  /* changes nothing on the disk (a read-only check) */
#define PLAN_UNDO_SELF  0x4  /* undo_fn is safe after this step failed partway */
#define PLAN_UNDO_LATER 0x8  /* undo_fn is safe when a later step fails */

#define PLAN_TEXT 320
struct plan_step {
	/* Set while planning. */
	char kind[24];            /* for JSON: "resize-fs", "write-table", ... */
	char name[64];            /* short, for lists: "resize2fs", "write the table" */
	char does[PLAN_TEXT];     /* the listing line: "resize2fs /dev/sda3 204800K" */
	char changes[160];        /* what it changes: "the filesystem on /dev/sda3" */
	char after[PLAN_TEXT];    /* the whole disk's state once it is done */
	char if_failed[PLAN_TEXT];/* the state if it fails once touched ("" = unknown:
				     the state before it is shown with a warning) */
	char undo[PLAN_TEXT];     /* how a person undoes it ("" = nothing to undo) */
	char resume[PLAN_TEXT];   /* what to run when it failed or was interrupted */
	unsigned flags;           /* PLAN_* above */
	int needs;                /* 1-based step that must be done first; 0 none */
	plan_fn run;              /* NULL: prepared in memory (see above) */
	plan_fn undo_fn;          /* automatic undo, or NULL */
	plan_fn inspect;          /* after its failure: write what is found into `found` */
	void *arg;                /* for the callbacks */

	/* Set by plan_commit. */
	int n;                    /* 1-based number */
	enum plan_status status;
	int touched;              /* plan_touch() was called */
	int exit_hint;            /* of a failure: from the recorded message */
	char error[768];          /* why it failed, or why it was skipped */
	char result[PLAN_TEXT];   /* what it did, in words ("" = nothing to add) */
	char found[PLAN_TEXT];    /* inspect's findings after a failure */
	char undo_error[PLAN_TEXT]; /* why the automatic undo failed ("" = it did not) */
};

/* Shown by the applet; every field is optional. UD is passed back. */
struct plan_hooks {
	void *ud;
	void (*start)(void *ud, const struct plan_step *s);  /* before a step with `run` */
	void (*done)(void *ud, const struct plan_step *s);   /* after it (any status) */
	void (*warn)(void *ud, const char *msg);
	void (*output)(void *ud, const struct plan_step *s, const char *text);
};

/* A new, empty plan. BEFORE is the state of the disk before any step
 * ("nothing was changed"). ARG is for the callbacks (plan_arg). NULL and a
 * message when out of memory. */
struct plan *plan_new(const char *before, void *arg);
void plan_free(struct plan *p);
void *plan_arg(const struct plan *p);

/* Append a zeroed step with KIND and NAME; the caller fills the rest.
 * NULL with a message (-ENOMEM, or -E2BIG past PLAN_MAX_STEPS). */
#define PLAN_MAX_STEPS 64
struct plan_step *plan_add(struct plan *p, const char *kind, const char *name);
size_t plan_count(const struct plan *p);
struct plan_step *plan_step(const struct plan *p, size_t i);   /* 0-based */

/* For run functions. */
void plan_touch(struct plan_step *s);
void plan_result(struct plan_step *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A warning: kept in the plan (plan_warnings) and passed to the hooks. */
void plan_warn(struct plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void plan_output(struct plan *p, const struct plan_step *s, const char *text);
size_t plan_nwarnings(const struct plan *p);
const char *plan_warning(const struct plan *p, size_t i);

/* Run the plan (see the contract above). 0 when every step is done; else
 * -errno, the failed steps' messages in the steps, and plan_failure()
 * words it. HOOKS may be NULL. A plan is committed at most once (-EALREADY). */
int plan_commit(struct plan *p, const struct plan_hooks *hooks);

/* The 1-based step whose failure stopped the plan, 0 when none did (a
 * commit that failed only in PLAN_CONTINUE steps ran to its end). */
int plan_stopped(const struct plan *p);
/* After a failed commit: the exit code (RC_EXIT_REFUSED when the first
 * failure was a refusal, else RC_EXIT_FAIL); 0 when nothing failed. */
int plan_exit(const struct plan *p);
/* The disk's state now, from the plan (into BUF; returns BUF). */
const char *plan_state(const struct plan *p, char *buf, size_t sz);
/* The failure message, several lines without a final newline:
 *   step 3 of 8 failed: resize2fs /dev/sda3 204800K: exit 1: ...
 *     done: 1 save the table, 2 e2fsck
 *     undone: ...              (when an automatic undo ran)
 *     not run: 4-8             (or skipped: ...)
 *     the disk now: ...        (plan_state, plus inspect's findings)
 *     next: ...                (the failed steps' resume texts)
 *     to undo what is done: 3 resize2fs DEV, ...
 * Returns BUF. "" when nothing failed. */
const char *plan_failure(const struct plan *p, char *buf, size_t sz);

/* JSON: the steps as an array of {"n","kind","does","changes","after",
 * "undo","resume","status"[,"error","result","found","undo_error"]} and,
 * after a failed commit, {"step","state","next","undone":[n...]} (NULL when
 * nothing failed). */
json_object *plan_json(const struct plan *p);
json_object *plan_failure_json(const struct plan *p);
const char *plan_status_name(enum plan_status st);

#endif
