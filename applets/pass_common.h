/* Shared by reset-pass and clear-pass: open the target, find the account,
 * write the one changed line safely, report what will still stop a login. */
#ifndef RC_PASS_COMMON_H
#define RC_PASS_COMMON_H
#include "applets.h"
#include "../lib/target.h"
#include "../lib/shadow.h"

struct pass_ctx {
	struct cli *c;
	const char *user;
	struct target tgt;
	int opened;
	char desc[PATH_MAX + 64];
	char *passwd, *shadow;       /* file texts (NULL when absent) */
	size_t passwd_len, shadow_len;
	int has_shadow;
	/* where the account's password lives */
	enum pwkind kind;
	const char *file, *backup;   /* "/etc/shadow", "/etc/shadow-" */
	struct pwline line;          /* its line in that file */
	char *old_field;             /* its current password field */
	long old_lastchg;
};

/* Open the target (read-only for --dry-run), load passwd and shadow, find
 * USER. Returns 0 or an exit code (already reported). */
int pass_open(struct pass_ctx *p, struct cli *c, const char *user);
/* Replace the password field with NEWFIELD (and last change with LASTCHG
 * when >= 0, shadow only), or describe it under --dry-run. WHAT says what
 * is done ("set the password", "empty the password") for messages.
 * Returns 0 or an exit code; *CHANGED tells whether a byte was written. */
int pass_write(struct pass_ctx *p, const char *newfield, long lastchg, const char *what, int *changed);
/* Warnings about what will still stop USER's login. EMPTY: the password
 * is now empty (PAM nullok, PermitEmptyPasswords matter). LOCKED: it is
 * locked on purpose. AGING: report password aging (last change kept). */
void pass_report_login(struct pass_ctx *p, int empty, int locked, int aging);
/* Close the target (flushing offline ext4); returns RC or a failure. */
int pass_close(struct pass_ctx *p, int rc);

#endif
