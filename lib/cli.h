/* Command-line conventions shared by every applet: common options, help
 * text generated from one option table, confirmation, JSON output. */
#ifndef RC_CLI_H
#define RC_CLI_H
#include <stdarg.h>
#include <stdio.h>
#include <json-c/json.h>
#include "err.h"

/* Applet flags. */
#define AP_WRITES 0x1  /* gets -n/--dry-run and -y/--yes */
#define AP_TARGET 0x2  /* works on an installed system: DEVICE or --root DIR */
#define AP_FSCK_CODES 0x4 /* exits with fsck(8)'s codes: usage 16, refusals 8, 1-2 are success;
			   * its help text carries the exit-code table */
#define AP_STDOUT_DATA 0x8 /* stdout may carry data (recover's archive): JSON documents
			    * and cli_info go to stderr unless cli.json_fp says otherwise; a JSON
			    * document on stderr is alone there (no human lines) */
#define AP_PATHS 0x10      /* after DEVICE come paths inside the target, so --root goes with arguments */

struct applet {
	const char *name;
	int (*main)(int argc, char **argv);
	unsigned flags;
	const char *args;     /* argument synopsis, e.g. "[DEVICE]" */
	const char *summary;  /* one line */
	const char *help;     /* paragraph after the synopsis, may be NULL */
};

extern const struct applet applets[];
extern const unsigned n_applets;
const struct applet *applet_find(const char *name);

/* An applet-specific option. id must be >= 256 or a short option letter. */
struct cli_opt {
	const char *name;
	int has_arg;          /* no_argument, required_argument */
	int id;               /* returned to the handler; a letter is also -X */
	const char *argname;  /* shown in help: --size SIZE */
	const char *help;
};

struct cli {
	const struct applet *ap;
	int json, quiet, verbose, dry_run, yes;
	const char *root;      /* --root DIR */
	char **args;           /* positional arguments */
	int nargs;
	json_object *doc;      /* the JSON document being built (--json) */
	FILE *json_fp;         /* where cli_finish prints it; NULL: stdout (stderr for AP_STDOUT_DATA) */
	int done;
};

typedef int (*cli_opt_fn)(struct cli *c, void *st, int id, const char *arg);

/* Parse argv for applet AP. Returns 0, or an exit code to return at once
 * (help printed: 0 via *exit_now; usage error: 2). */
int cli_parse(struct cli *c, const struct applet *ap, int argc, char **argv,
	      const struct cli_opt *extra, cli_opt_fn fn, void *st,
	      int min_args, int max_args, int *exit_now);
void cli_help(const struct applet *ap, const struct cli_opt *extra, FILE *f);

/* Diagnostics to stderr, prefixed "rescuectl APPLET: ". */
void cli_warn(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cli_info(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cli_verbose(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A usage error: one line, then the hint; returns RC_EXIT_USAGE. */
int cli_usage(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Report an error and produce the exit code; in --json mode the document
 * becomes {"error":{...}}. Returns EXITCODE. */
int cli_error(struct cli *c, int exitcode, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Report the library's recorded message (rc_msg) with its exit hint. */
int cli_liberr(struct cli *c);
/* Ask before a destructive step. Returns 1 to go on; 0 when refused (the
 * message is printed, caller returns RC_EXIT_REFUSED). */
int cli_confirm(struct cli *c, const char *question);
/* The version of the JSON documents' schemas (doc/schema/APPLET.schema.json),
 * in every document as "schema": raised when a name or type changes. */
#define RC_JSON_SCHEMA 1
/* Finish: print the JSON document when --json; returns EXITCODE. */
int cli_finish(struct cli *c, int exitcode);
/* The top-level JSON object (created on demand). */
json_object *cli_doc(struct cli *c);
/* Warnings collected into the JSON "warnings" array and printed to stderr. */
void cli_warnj(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Terminal progress bar on stderr; silent off a terminal or with --quiet. */
void cli_progress(struct cli *c, const char *label, unsigned long long done, unsigned long long total);

#endif
