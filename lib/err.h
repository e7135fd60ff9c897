/* Error recording for the common library: functions return 0 or -errno and
 * leave a human message here; only applets print and only main() exits. */
#ifndef RC_ERR_H
#define RC_ERR_H
#include <errno.h>

/* Exit codes, the one table (README, rescuectl --help). */
enum rc_exit {
	RC_EXIT_OK = 0,        /* done */
	RC_EXIT_FAIL = 1,      /* failed */
	RC_EXIT_USAGE = 2,     /* usage error */
	RC_EXIT_REFUSED = 3,   /* refused by a safety check */
	RC_EXIT_NOTFOUND = 4,  /* nothing found */
	RC_EXIT_AMBIGUOUS = 5, /* several candidates, none chosen */
	RC_EXIT_CANNOT_TELL = 6, /* a question (disable-growpart --status) has no answer:
				  * what it needs could not be read or is beyond the limits */
	RC_EXIT_INCOMPLETE = 7,/* done, but some files were lost (recover) */
	RC_EXIT_UNKNOWN = 127, /* unknown applet */
};

/* Record a message (printf format) and return -abs(err) (or -EIO if 0).
 * The suggested exit code is RC_EXIT_FAIL. */
int rc_fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Same, with a suggested exit code (e.g. RC_EXIT_REFUSED for safety stops). */
int rc_failx(int exitcode, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Prefix the recorded message with more context: "CTX: old message". */
int rc_context(int ret, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *rc_msg(void);
int rc_exit_hint(void);
void rc_clear(void);

#endif
