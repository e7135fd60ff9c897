/* What on the installed system will still stop a password login after the
 * password is right: sshd's settings (sshd_config and the files it
 * includes, first match wins) and PAM's nullok for empty passwords. */
#ifndef RC_SSHD_H
#define RC_SSHD_H
#include "tree.h"

struct sshd_opt {
	char value[64];    /* lower-cased; "" when not set */
	char file[256];    /* where it was set */
	int line;
};

struct sshd_conf {
	int exists;                      /* /etc/ssh/sshd_config is there */
	struct sshd_opt permit_root_login, password_auth, permit_empty, kbd_interactive, use_pam;
	int match_blocks;                /* Match blocks seen (conditional, not evaluated) */
	char first_match[300];           /* "FILE:LINE" of the first one */
	int include_errors;              /* Include targets that could not be read */
};

/* The keyword sshd_conf tracks, or -1. */
/* Feed one file's text (pure). FILE names it in the result. INCLUDE is
 * called for "Include PATTERN..." lines (each pattern) with DEPTH + 1;
 * it may be NULL. Lines inside Match blocks are counted, not applied. */
typedef int (*sshd_include_fn)(void *ctx, const char *pattern, struct sshd_conf *c, int depth);
int sshd_parse(const char *text, const char *file, struct sshd_conf *c,
	       sshd_include_fn include, void *ctx, int depth);
/* Read /etc/ssh/sshd_config of the tree with its Include files
 * (relative patterns are under /etc/ssh; globs in the last component). */
int sshd_scan(struct tree *t, struct sshd_conf *c);

/* Effective values with OpenSSH's defaults applied. */
const char *sshd_permit_root_login(const struct sshd_conf *c);  /* default prohibit-password */
int sshd_password_auth(const struct sshd_conf *c);              /* default yes */
int sshd_permit_empty(const struct sshd_conf *c);               /* default no */

/* PAM: does the file's auth stack let pam_unix accept an empty password? */
struct pam_file {
	const char *path;     /* /etc/pam.d/common-auth ... */
	int exists;
	int unix_auth;        /* has an auth line with pam_unix.so */
	int nullok;           /* that line has nullok (or nullok_secure) */
	int line;             /* its line number */
	char arg[16];         /* "nullok" or "nullok_secure" */
};
/* Pure: look at one PAM file's text. */
void pam_parse(const char *text, struct pam_file *p);
#define PAM_FILES 3
/* common-auth (Debian, Ubuntu, SUSE), system-auth and password-auth (RHEL). */
int pam_scan(struct tree *t, struct pam_file out[PAM_FILES]);

/* SELinux state of the target from /etc/selinux/config: "enforcing",
 * "permissive", "disabled", or "" when there is no config. */
int selinux_state(struct tree *t, char *buf, size_t sz);

#endif
