/* Pure edits of passwd(5) and shadow(5) text: find an account's line and
 * change its password field (and, in shadow, its last-change field); every
 * other byte of the file stays as it was. Binary-safe: the text may lack a
 * final newline, use CRLF, contain very long lines; NUL bytes are refused. */
#ifndef RC_SHADOW_H
#define RC_SHADOW_H
#include <stddef.h>

enum pwkind { PW_SHADOW = 1, PW_PASSWD = 2 };

#define PWL_MAXF 9  /* fields remembered: shadow has 9, passwd 7 */

/* One account's line located in a buffer. */
struct pwline {
	size_t start;        /* first byte of the line */
	size_t end;          /* end of the content (before "\r\n" or "\n") */
	size_t eol;          /* end including the line terminator */
	int lineno;          /* 1-based */
	int nfields;         /* fields on the line (colons + 1) */
	int crlf;            /* the line ends with "\r\n" */
	int dups;            /* further lines for the same account (ignored by libc) */
	size_t fs[PWL_MAXF], fe[PWL_MAXF];  /* field i is [fs[i], fe[i]) */
};

/* Is NAME usable as an account name here (non-empty, no ':', newline, NUL,
 * not a NIS "+"/"-" entry)? 0 or -EINVAL with a message. */
int pw_check_name(const char *name);
/* Can VALUE be written as a password field (no ':', CR, LF)? */
int pw_check_field(const char *value);

/* Find USER's first line in BUF (LEN bytes). FILE names the file in
 * messages. 0 when found; -ENOENT when there is no line (no message);
 * -EINVAL with a message (exit hint 3) when the text has a NUL byte. */
int pw_find(const char *buf, size_t len, const char *user, const char *file, struct pwline *l);

/* Copy field IDX of line L into a new string (NULL if the line has fewer
 * fields). */
char *pw_field(const char *buf, const struct pwline *l, int idx);

/* Notes pw_edit reports about what it saw and did. */
#define PWE_PADDED  0x1  /* shadow line had too few fields: completed to 9 */
#define PWE_CRLF    0x2  /* the line ends with CR LF (kept as it was) */
#define PWE_NOEOL   0x4  /* the file does not end with a newline (kept) */
#define PWE_DUPS    0x8  /* more lines for the account follow (left alone) */
#define PWE_NOCHANGE 0x10 /* the result is byte-for-byte the input */

/* Build the new text: USER's line with its password field set to PASSWORD
 * and, for PW_SHADOW with LASTCHG >= 0, its last-change field set to
 * LASTCHG (days since 1970). A shadow line with fewer than 5 fields (or 6-8)
 * is completed to 9 fields with empty ones, which glibc needs to accept it;
 * a passwd line with fewer than 7 fields is refused. *OUT is malloc'd and
 * NUL-terminated (not counted in *OUTLEN). */
int pw_edit(const char *buf, size_t len, enum pwkind kind, const char *file,
	    const char *user, const char *password, long lastchg,
	    char **out, size_t *outlen, unsigned *notes);

/* The password field for --lock / --unlock: OLD with one "!" added in front
 * (LOCK, as passwd -l and usermod -L do), or every leading "!" removed
 * (libuser's passwd -u: "!!" is the lock it writes; shadow-utils removes one,
 * which would leave "!!$y$..." locked). *OUT is malloc'd. Returns 0, or 1
 * when nothing changes (already locked / not locked); -EPERM (exit hint 3,
 * message) when OLD is nothing but "!", which would unlock to an empty
 * password: passwd -u and usermod -U refuse that as well. */
int pw_lock_field(const char *old, int lock, char **out);

/* Numbers of a shadow line; -1 where a field is empty or absent, -2 where it
 * is not a number. */
struct spnums {
	long lastchg, min, max, warn, inact, expire;
};
void pw_shadow_nums(const char *buf, const struct pwline *l, struct spnums *n);

/* Does CUR (the password file about to be edited, LEN bytes) look damaged
 * next to BAK (its backup "file-", may be NULL) and PASSWD (/etc/passwd,
 * may be NULL)? Damaged: a NUL byte; a last line cut short (no final
 * newline where the backup ends with one); or an account line the backup
 * has and CUR lacks while /etc/passwd still lists the account (a file cut
 * at a line boundary). Then the edit must be refused and the backup kept:
 * returns 1 with the reason in WHY (and BAK_OK says the backup itself has
 * none of these defects); 0 when CUR looks whole. Pure. */
int pw_damaged(const char *cur, size_t len, const char *bak, size_t blen, const char *passwd,
	       size_t plen, char *why, size_t wsz, int *bak_ok);

/* Today in days since 1970-01-01 (UTC), as shadow counts. */
long pw_today(void);
/* "2026-11-24" for a day number. */
void pw_day_str(long day, char *buf, size_t sz);

/* Is SHELL one that refuses logins (nologin, false)? */
int pw_shell_refuses(const char *shell);

#endif
