/* Password hashing for the TARGET system through libxcrypt: choose the
 * method the installed system can verify (never the rescue system's
 * preference), make a salt with crypt_gensalt_ra, hash, and verify the hash
 * with crypt before anyone writes it. */
#ifndef RC_PWHASH_H
#define RC_PWHASH_H
#include <stddef.h>

struct osrel;
struct pam_hash;

enum pwm {
	PWM_NONE = 0,
	PWM_YESCRYPT,   /* $y$ */
	PWM_SHA512,     /* $6$ */
	PWM_SHA256,     /* $5$ */
	/* Recognised in --hashed input and existing hashes, never chosen: */
	PWM_GOST_YESCRYPT, PWM_SCRYPT, PWM_BCRYPT, PWM_MD5, PWM_DES,
};

const char *pwm_name(enum pwm m);        /* "yescrypt", "sha512" ... */
/* "yescrypt", "sha512" (also "sha-512", "SHA512"), "sha256": 0, else -EINVAL. */
int pwm_parse(const char *name, enum pwm *m);
/* The method of a crypt(5) string (leading "!" lock marks skipped);
 * PWM_NONE for "", "*", "x" and anything unrecognised. */
enum pwm pwm_of_hash(const char *hash);

struct pw_choice {
	enum pwm method;
	unsigned long count;   /* crypt_gensalt count: SHA rounds or yescrypt cost; 0 = default */
	char source[512];      /* why this method, for the user */
};

/* The rules, each pure (unit-tested). Each returns 1 when it decided. */
/* The hash option of the pam_unix line the target's passwd reaches (pam.h),
 * with its cost as pam_unix takes it: rounds= (yescrypt 3..11, else 5;
 * SHA 1000..9999999, else the default), for SHA without rounds= the
 * SHA_CRYPT_MAX_ROUNDS of a SHA ENCRYPT_METHOD in LOGINDEFS (may be NULL),
 * as pam_unix reads it. No hash option (pam_unix then takes login.defs'
 * ENCRYPT_METHOD), md5, bigcrypt, blowfish and gost_yescrypt: 0. */
int pwhash_from_pam(const struct pam_hash *h, const char *logindefs, struct pw_choice *c);
/* ENCRYPT_METHOD (+ SHA_CRYPT_MIN/MAX_ROUNDS, YESCRYPT_COST_FACTOR) in
 * login.defs text; DES, MD5 and BCRYPT are not decisions (0). */
int pwhash_from_logindefs(const char *text, struct pw_choice *c);
/* The method most of the strong ($y$, $6$, $5$) hashes in shadow text use. */
int pwhash_from_shadow(const char *text, size_t len, struct pw_choice *c);
/* By os-release: yescrypt for Debian >= 11, Ubuntu >= 20.04, Fedora >= 35,
 * rhel/centos/rocky/almalinux/ol >= 9, openSUSE/SLES >= 15; SHA-512 for
 * everything else, unknown included. Always decides. O may be NULL. */
int pwhash_from_os(const struct osrel *o, struct pw_choice *c);
/* All rules in order: OVERRIDE (--method, may be NULL), the PAM password
 * stack of passwd (PAM may be NULL: unknown), login.defs text, shadow text,
 * os-release. Any text may be NULL (absent). */
int pwhash_choose(const char *override, const struct pam_hash *pam, const char *logindefs,
		  const char *shadow, size_t shadowlen, const struct osrel *o, struct pw_choice *c);

/* Compare dotted version strings numerically: <0, 0, >0. Pure. */
int pw_vercmp(const char *a, const char *b);

/* Can PHRASE be hashed at all? libxcrypt takes at most
 * CRYPT_MAX_PASSPHRASE_SIZE - 1 (511) bytes. 0, or -E2BIG with a message
 * (exit hint 2). pwhash_make checks it too; a dry run checks it alone. */
int pwhash_check_phrase(const char *phrase);
/* Hash PHRASE with a fresh salt for choice C and verify the result with
 * crypt before returning it. *HASH is malloc'd. */
int pwhash_make(const struct pw_choice *c, const char *phrase, char **hash);
/* Does PHRASE verify against HASH? 1 yes, 0 no, <0 error. */
int pwhash_verify(const char *phrase, const char *hash);
/* Check a ready crypt(5) string (--hashed): a known method, well formed
 * (libxcrypt accepts it as a setting and a hash made with it has the same
 * shape). 0 and the method, or -EINVAL with a message. */
int pwhash_check(const char *hash, enum pwm *m);

/* A random password of LEN characters from [A-Za-z0-9] (getrandom). BUF
 * must hold LEN + 1 bytes. */
int pw_generate(char *buf, size_t len);

#endif
