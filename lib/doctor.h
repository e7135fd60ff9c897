/* doctor: why the installed system does not boot or cannot be reached,
 * read from its disk without writing a byte, and the safe, reversible
 * fixes.
 *
 * The checks are one table (doctor_table.c): each row is a family, a
 * stable id ("fstab.missing-device"), the usual severity, one sentence on
 * why it matters, a check function and, when a safe fix exists, a fix
 * function. Adding a check means adding a row and its function; the runner,
 * the printing, --json, --fix and the undo journal need no change.
 *
 *  - A check function looks at the target through the context (dview.h:
 *    every path of the installed system, on whichever of its filesystems
 *    it lives) and the facts it shares with other checks (doctor_facts.c:
 *    fstab, accounts, kernels, GRUB, sshd, init system: each read once,
 *    each with the limits of its parser). It reports with dr_add(): one
 *    finding per problem, with the evidence (file, line, what was seen
 *    there), what is wrong in words, and the fix a person would make.
 *    What it could not look at goes to dr_unchecked(), never into a
 *    guess: a healthy system must get no finding at all.
 *  - A fix function plans the change for one finding into a struct
 *    dr_fixplan (doctor_fix.c): the new text of a file, an owner or mode,
 *    a file to create or remove, a program to run in a chroot. Nothing is
 *    written while planning. The plan becomes lib/plan steps, one per file;
 *    each step writes its journal entry (djournal.h) before the change it
 *    describes, so that `doctor --undo` can restore every file byte for
 *    byte, owner, mode and label included.
 *
 * Severities, most serious first: blocks boot, blocks login, degraded,
 * note. Findings are sorted by severity, then by table order.
 * Contract: functions return 0 or -errno with a message (lib/err.h); a
 * check's own failure is recorded as "not checked", never fatal to the run.
 * Nothing here prints. */
#ifndef RC_DOCTOR_H
#define RC_DOCTOR_H
#include <stddef.h>
#include <time.h>
#include "dview.h"

enum dr_sev { DR_BOOT = 0, DR_LOGIN = 1, DR_DEGRADED = 2, DR_NOTE = 3 };
/* "blocks boot", "blocks login", "degraded", "note" */
const char *dr_sev_name(enum dr_sev s);

struct dr_ctx;
struct dr_finding;
struct dr_fixplan;

/* A check: looks, and adds findings for its row with dr_add(). Returns 0,
 * or -errno with a message when it could not look at all (then the run
 * records it as not checked). */
typedef int (*dr_check_fn)(struct dr_ctx *c);
/* A fix: plans the change for finding F into P (doctor_fix.c). 0, or
 * -errno with a message (the finding is then left alone, and said so). */
typedef int (*dr_fix_fn)(struct dr_ctx *c, const struct dr_finding *f, struct dr_fixplan *p);

struct dr_check {
	const char *family;   /* "fstab", "boot", "fs", "login", "sshd", "selinux", "logs" */
	const char *id;       /* stable: family.what */
	enum dr_sev sev;      /* the usual severity; a finding may differ */
	const char *why;      /* one sentence: why it matters */
	dr_check_fn check;
	dr_fix_fn fix;        /* a safe, reversible fix, or NULL: the finding says what to do */
};

extern const struct dr_check dr_checks[];
extern const size_t dr_nchecks;
const struct dr_check *dr_check_find(const char *id);

#define DR_TEXT 512
struct dr_finding {
	const struct dr_check *row;
	enum dr_sev sev;
	char file[256];        /* evidence: where ("" when it is no file) */
	int line;              /* 1-based; 0 = the file as a whole */
	char seen[DR_TEXT];    /* what was seen there: target text, escaped when shown */
	char what[DR_TEXT];    /* what is wrong, in words */
	char why[DR_TEXT];     /* why it matters ("" = the row's sentence) */
	char fix[DR_TEXT];     /* the rescuectl command or the manual step */
	int fixable;           /* the row's fix applies (--fix) */
	char related[64];      /* for a log finding: the check it ties back to */
	char key[256];         /* what the fix acts on: a mount point, a path, a version */
	long n;                /* a number for the fix (a line, an index, a mode) */
	long n2, n3;           /* more (for owner fixes: group and user id, -1 keep) */
	size_t seq;            /* order of discovery (sorting keeps it within a row) */
};

/* Options of a run. */
struct dr_opts {
	time_t now;            /* dates of notes and journal entries */
	int fstab_comment;     /* the fstab fix comments the line out instead of adding nofail */
	int chroot;            /* fixes may run the target's programs (--chroot, in a mount-root tree) */
	const char *cmd_target;/* how commands in fixes name the target: "/dev/sda3", "--root /mnt" */
	const char *journalctl;/* path of journalctl, "" to say the journal was not read (tests) */
	int dns;               /* also say when no DNS resolver is configured (net.no-resolver) */
	const char *dhcp_nic;  /* --dhcp NIC: plan a DHCP fallback configuration for NIC */
	int fw_disable;        /* the firewall fix disables the firewall at boot instead of adding a rule */
};

#define DR_MAX_FINDINGS 512
#define DR_MAX_UNCHECKED 64
struct dr_ctx {
	struct dview *v;
	struct dr_opts o;
	const struct dr_check *row;   /* the check being run */
	struct dr_finding *f;
	size_t nf;
	char (*unchecked)[DR_TEXT];   /* "what: why it was not looked at" */
	size_t nunchecked;
	size_t dropped;               /* findings past DR_MAX_FINDINGS */
	struct dr_facts *facts;       /* shared facts, read once (doctor_facts.c) */
};

/* A context over view V (kept; not freed by dr_free). */
int dr_init(struct dr_ctx *c, struct dview *v, const struct dr_opts *o);
void dr_free(struct dr_ctx *c);

/* Run the checks SELECTED by dr_selected (NULL or "" = all), then sort. */
int dr_run(struct dr_ctx *c, const char *select);
/* Run one row (by id) only; for tests. -ENOENT for an unknown id. */
int dr_run_one(struct dr_ctx *c, const char *id);
/* Does a comma-separated SELECT ("safe", "all", ids, families) name ROW?
 * For --fix, "safe" names every row with a fix. */
int dr_selected(const struct dr_check *row, const char *select);

/* For check functions: a finding of the running row with severity SEV,
 * evidence FILE:LINE and SEEN (may be NULL), WHAT in words (printf).
 * Returns the finding (to fill fix, key, n, why, related), or NULL when
 * DR_MAX_FINDINGS are reached. */
struct dr_finding *dr_add(struct dr_ctx *c, enum dr_sev sev, const char *file, int line, const char *seen,
			  const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* A fix text (printf) for F; "%T" is not special: use dr_target(c). */
void dr_fixtext(struct dr_finding *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* What could not be looked at, and why. */
void dr_unchecked(struct dr_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* How commands name the target ("/dev/sda3" or "--root /mnt"). */
const char *dr_target(const struct dr_ctx *c);
/* "2026-11-29" of the run, for dated notes. */
const char *dr_today(const struct dr_ctx *c, char *buf, size_t sz);

/* Counts by severity (out[4]); how many are fixable. */
size_t dr_count(const struct dr_ctx *c, size_t out[4]);

#endif
