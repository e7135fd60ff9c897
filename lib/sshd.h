/* What on the installed system will still stop a password login after the
 * password is right: sshd's settings (sshd_config and the files it
 * includes, first match wins) and PAM's nullok for empty passwords.
 *
 * sshd_config is read the way OpenSSH's servconf.c reads it: the keyword up
 * to a blank or '=', the arguments split as argv_split() splits them
 * (quotes, backslash escapes, '#' starting a comment), Include patterns
 * relative to /etc/ssh with globs in the last component, an included file
 * keeping the Match state of the line that includes it. Every read is
 * bounded: a hostile or broken target cannot make it hang. */
#ifndef RC_SSHD_H
#define RC_SSHD_H
#include <stddef.h>
#include "tree.h"
#include "pam.h"

/* The limits. OpenSSH itself refuses to start past SSHD_MAX_DEPTH
 * ("Too many recursive configuration includes"); the others are
 * rescuectl's, far above any real configuration. */
#define SSHD_MAX_DEPTH  16              /* nested Include levels */
#define SSHD_MAX_FILES  256             /* files read in all, sshd_config included */
#define SSHD_MAX_FILE   ((size_t)1 << 20)   /* one file */
#define SSHD_MAX_BYTES  ((size_t)8 << 20)   /* all files together */
#define SSHD_MAX_LINE   ((size_t)64 << 10)  /* one line */
#define SSHD_MAX_ARGS   256             /* arguments of one line (Include patterns) */
#define SSHD_MAX_PORTS  8               /* Port lines kept (sshd listens on each) */

struct sshd_opt {
	char value[64];    /* lower-cased, unquoted; "" when not set */
	char file[256];    /* where it was set */
	int line;
};

struct sshd_conf {
	int exists;                      /* /etc/ssh/sshd_config is there */
	struct sshd_opt permit_root_login, password_auth, permit_empty, kbd_interactive, use_pam;
	struct sshd_opt port[SSHD_MAX_PORTS];  /* every Port line, and ListenAddress HOST:PORT, in order */
	int nports;
	int match_blocks;                /* Match blocks seen (conditional, not evaluated) */
	char first_match[300];           /* "FILE:LINE" of the first one */
	int files;                       /* files read */
	size_t bytes;                    /* bytes read */
	int include_errors;              /* problems met: unreadable Include targets, loops,
					  * limits, lines sshd rejects */
	char problem[640];               /* the first one: "FILE line N: what" */
	int sshd_refuses;                /* that problem stops sshd itself from starting */
	/* parse state while reading (kept by sshd_parse and sshd_scan) */
	int in_match;                    /* inside a Match block */
	int depth;                       /* Include level of the file being read (0: sshd_config) */
	const char *reading[SSHD_MAX_DEPTH + 2];  /* the files being read, outermost first */
	int stop;                        /* 1: a limit was hit, not yet placed; 2: recorded, stop reading */
	/* Optional, for checks of every line (doctor): called for each line
	 * with a keyword once its arguments are split (AC -1: a quote is not
	 * closed; AC 0: no argument), with the Match state before the line. */
	void (*line_fn)(void *ud, const char *file, int line, const char *kw, char **av, int ac, int in_match);
	void *line_ud;
};

/* Called for each pattern of an "Include" line; it reads what the pattern
 * names into C (through sshd_parse, with C->depth one higher). Returns 0,
 * or -errno with a message (rc_fail): the problem is recorded with the
 * including file and line. -E2BIG/-ELOOP (a limit) stop all reading. */
typedef int (*sshd_include_fn)(void *ctx, const char *pattern, struct sshd_conf *c);
/* Feed one file's text (LEN bytes; pure apart from INCLUDE). FILE names it
 * in the result. Lines inside Match blocks are counted, not applied.
 * Returns 0 (problems that do not stop the reading are only recorded in
 * C), or -errno with a message when a limit stopped it: a line longer than
 * SSHD_MAX_LINE, a NUL byte, or a limit an Include ran into. */
int sshd_parse(const char *text, size_t len, const char *file, struct sshd_conf *c,
	       sshd_include_fn include, void *ctx);
/* Read /etc/ssh/sshd_config of the tree with its Include files. 0 when it
 * was read whole and without problems. Otherwise -errno with the recorded
 * message "FILE line N: ..." (also in C->problem), and C holds what was read
 * before: the settings may be incomplete, the caller must say so. */
int sshd_scan(struct tree *t, struct sshd_conf *c);
/* The same, calling FN(UD, ...) for every line (see line_fn above). */
int sshd_scan_lines(struct tree *t, struct sshd_conf *c,
		    void (*fn)(void *, const char *, int, const char *, char **, int, int), void *ud);

/* Effective values with OpenSSH's defaults applied. */
const char *sshd_permit_root_login(const struct sshd_conf *c);  /* default prohibit-password */
int sshd_password_auth(const struct sshd_conf *c);              /* default yes */
int sshd_permit_empty(const struct sshd_conf *c);               /* default no */
/* The TCP ports sshd listens on (default 22; "ssh" is 22), at most MAX,
 * each with where it was set (FROM[i]: "FILE:LINE", or "OpenSSH's default").
 * Returns how many; -1 for a Port value that is no port. */
int sshd_ports(const struct sshd_conf *c, int *ports, char (*from)[300], int max);

/* PAM (nullok) lives in pam.h, included here for the callers of both. */

/* SELinux state of the target from /etc/selinux/config: "enforcing",
 * "permissive", "disabled", or "" when there is no config. */
int selinux_state(struct tree *t, char *buf, size_t sz);

#endif
