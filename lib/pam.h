/* The installed system's PAM configuration, read the way libpam reads it
 * (pam_handlers.c): a logical line is a physical line with '#' comments cut
 * off and a trailing backslash joining the next one; "[...]" keeps blanks
 * inside one token; a leading '-' on the type only makes a missing module
 * silent.
 *
 * Two questions are asked of it:
 *  - pam_scan: does pam_unix's auth line in common-auth (Debian, Ubuntu,
 *    SUSE), system-auth or password-auth (RHEL) accept an empty password
 *    (nullok)?
 *  - pam_passwd_hash: which hash does the target's own passwd(1) make? It
 *    is the hash option of the first pam_unix (pam_unix2) line of the
 *    "password" stack of the passwd service, reached through "@include
 *    FILE", "password include FILE" and "password substack FILE" lines in
 *    file order, as libpam loads them. The service file is
 *    /etc/pam.d/passwd, else /usr/lib/pam.d/passwd, else "other" (libpam's
 *    fallback service); a relative name is looked up in /etc/pam.d, then
 *    /usr/lib/pam.d.
 *
 * Every read is bounded so that a broken or hostile target cannot hang a
 * rescue: PAM_MAX_DEPTH include levels (libpam's own PAM_SUBSTACK_MAX_LEVEL),
 * PAM_MAX_FILES files, PAM_MAX_FILE a file, PAM_MAX_BYTES in all,
 * PAM_MAX_LINE a logical line; a NUL byte stops the reading with the file
 * and line. Contract: 0 or -errno with a recorded message (err.h). */
#ifndef RC_PAM_H
#define RC_PAM_H
#include <stddef.h>
#include "tree.h"

#define PAM_MAX_DEPTH 16                   /* include/substack levels */
#define PAM_MAX_FILES 64                   /* files read for one stack */
#define PAM_MAX_FILE  ((size_t)1 << 20)    /* one file */
#define PAM_MAX_BYTES ((size_t)4 << 20)    /* all files of one stack */
#define PAM_MAX_LINE  ((size_t)64 << 10)   /* one logical line */

/* ---- nullok ---------------------------------------------------------------- */

/* Does the file's auth stack let pam_unix accept an empty password? */
struct pam_file {
	const char *path;     /* /etc/pam.d/common-auth ... */
	int exists;
	int unix_auth;        /* has an auth line with pam_unix.so */
	int nullok;           /* that line has nullok (or nullok_secure) */
	int line;             /* its line number */
	char arg[16];         /* "nullok" or "nullok_secure" */
};
/* Pure: look at one PAM file's text (LEN bytes). 0, or -EINVAL with a
 * message for a NUL byte or a line longer than PAM_MAX_LINE. */
int pam_parse(const char *text, size_t len, struct pam_file *p);
#define PAM_FILES 3
/* common-auth (Debian, Ubuntu, SUSE), system-auth and password-auth (RHEL). */
int pam_scan(struct tree *t, struct pam_file out[PAM_FILES]);

/* ---- the hash passwd makes --------------------------------------------------- */

struct pam_hash {
	int found;            /* a pam_unix/pam_unix2 line of the password stack was reached */
	char module[32];      /* its module, without directories: "pam_unix.so" */
	char hash[16];        /* its hash option, the last one as pam_unix takes it:
			       * "yescrypt", "sha512", "sha256", "gost_yescrypt",
			       * "blowfish", "md5", "bigcrypt"; "" when it has none */
	long rounds;          /* its rounds=N; -1 when absent */
	char file[256];       /* the file and line of that module line */
	int line;
	char service[64];     /* the service file the stack starts at */
	int files;            /* files read */
};

/* Pure: the hash options of one pam_unix argument list (ARGV, ARGC). */
void pam_hash_args(char **argv, int argc, struct pam_hash *h);
/* Follow the passwd service's password stack in tree T. 0 with H filled
 * (H->found = 0: no service file, or no pam_unix line in its stack), or
 * -errno with a message naming the file and line: an include that names
 * no file (passwd itself would fail), a limit, a NUL byte. */
int pam_passwd_hash(struct tree *t, struct pam_hash *h);

#endif
