/* Password hashing for the target through libxcrypt. See pwhash.h. */
#include "pwhash.h"
#include "rootfs.h"
#include "pam.h"
#include "err.h"
#include <crypt.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

static const struct {
	enum pwm m;
	const char *name, *prefix;
} methods[] = {
	{ PWM_YESCRYPT, "yescrypt", "$y$" },
	{ PWM_SHA512, "sha512", "$6$" },
	{ PWM_SHA256, "sha256", "$5$" },
	{ PWM_GOST_YESCRYPT, "gost-yescrypt", "$gy$" },
	{ PWM_SCRYPT, "scrypt", "$7$" },
	{ PWM_BCRYPT, "bcrypt", "$2b$" },
	{ PWM_BCRYPT, "bcrypt", "$2y$" },
	{ PWM_BCRYPT, "bcrypt", "$2a$" },
	{ PWM_MD5, "md5", "$1$" },
};

const char *pwm_name(enum pwm m)
{
	if (m == PWM_DES)
		return "des";
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (methods[i].m == m)
			return methods[i].name;
	return "none";
}

static const char *pwm_prefix(enum pwm m)
{
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (methods[i].m == m)
			return methods[i].prefix;
	return NULL;
}

int pwm_parse(const char *name, enum pwm *m)
{
	if (!strcasecmp(name, "yescrypt"))
		*m = PWM_YESCRYPT;
	else if (!strcasecmp(name, "sha512") || !strcasecmp(name, "sha-512"))
		*m = PWM_SHA512;
	else if (!strcasecmp(name, "sha256") || !strcasecmp(name, "sha-256"))
		*m = PWM_SHA256;
	else
		return rc_failx(RC_EXIT_USAGE, EINVAL, "unknown method '%s': use yescrypt, sha512 or sha256", name);
	return 0;
}

static int is_b64(int ch)
{
	return isalnum(ch) || ch == '.' || ch == '/';
}

enum pwm pwm_of_hash(const char *h)
{
	while (*h == '!')
		h++;
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (!strncmp(h, methods[i].prefix, strlen(methods[i].prefix)))
			return methods[i].m;
	if (strlen(h) == 13 && is_b64((unsigned char)h[0]) && is_b64((unsigned char)h[1])) {
		for (int i = 0; i < 13; i++)
			if (!is_b64((unsigned char)h[i]))
				return PWM_NONE;
		return PWM_DES;
	}
	return PWM_NONE;
}

/* ---- choosing ------------------------------------------------------------ */

/* Value of KEY in login.defs text (the last setting wins, as in shadow-utils'
 * getdef.c). Copies it into VAL; 1 if found. */
static int defs_get(const char *text, const char *key, char *val, size_t vsz)
{
	size_t kl = strlen(key);
	int found = 0;
	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		const char *e = nl ? nl : p + strlen(p);
		const char *s = p;
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		if ((size_t)(e - s) > kl && !strncmp(s, key, kl) && (s[kl] == ' ' || s[kl] == '\t')) {
			const char *v = s + kl;
			while (v < e && (*v == ' ' || *v == '\t'))
				v++;
			const char *ve = v;
			while (ve < e && !isspace((unsigned char)*ve))
				ve++;
			if (*v == '"' && ve > v + 1 && ve[-1] == '"') {
				v++;
				ve--;
			}
			size_t n = (size_t)(ve - v);
			if (n >= vsz)
				n = vsz - 1;
			memcpy(val, v, n);
			val[n] = 0;
			found = 1;
		}
		p = nl ? nl + 1 : NULL;
	}
	return found;
}

static long defs_num(const char *text, const char *key)
{
	char v[64];
	if (!defs_get(text, key, v, sizeof(v)) || !*v)
		return -1;
	char *end;
	long n = strtol(v, &end, 10);
	return (*end || n < 0) ? -1 : n;
}

int pwhash_from_logindefs(const char *text, struct pw_choice *c)
{
	char v[64];
	if (!text || !defs_get(text, "ENCRYPT_METHOD", v, sizeof(v)))
		return 0;
	enum pwm m;
	if (!strcasecmp(v, "YESCRYPT"))
		m = PWM_YESCRYPT;
	else if (!strcasecmp(v, "SHA512"))
		m = PWM_SHA512;
	else if (!strcasecmp(v, "SHA256"))
		m = PWM_SHA256;
	else
		return 0;   /* DES, MD5, BCRYPT: not something we write */
	c->method = m;
	c->count = 0;
	if (m == PWM_YESCRYPT) {
		long f = defs_num(text, "YESCRYPT_COST_FACTOR");
		if (f >= 1 && f <= 11)
			c->count = (unsigned long)f;
	} else {
		/* shadow-utils: a missing bound takes the other's value; the rounds
		 * are clamped to what glibc accepts. We take the lower bound. */
		long mn = defs_num(text, "SHA_CRYPT_MIN_ROUNDS");
		long mx = defs_num(text, "SHA_CRYPT_MAX_ROUNDS");
		if (mn < 0)
			mn = mx;
		if (mx >= 0 && mn > mx)
			mn = mx;
		if (mn >= 0) {
			if (mn < 1000)
				mn = 1000;
			if (mn > 999999999)
				mn = 999999999;
			c->count = (unsigned long)mn;
		}
	}
	snprintf(c->source, sizeof(c->source), "ENCRYPT_METHOD %s in the target's /etc/login.defs", v);
	return 1;
}

/* pam_unix's bounds for a SHA rounds count: below 1000 means its default. */
static unsigned long pam_sha_rounds(long r)
{
	if (r < 1000)
		return 0;
	return r >= 10000000 ? 9999999 : (unsigned long)r;
}

int pwhash_from_pam(const struct pam_hash *h, const char *logindefs, struct pw_choice *c)
{
	if (!h || !h->found || !h->hash[0])
		return 0;
	enum pwm m;
	if (!strcmp(h->hash, "yescrypt"))
		m = PWM_YESCRYPT;
	else if (!strcmp(h->hash, "sha512"))
		m = PWM_SHA512;
	else if (!strcmp(h->hash, "sha256"))
		m = PWM_SHA256;
	else
		return 0;  /* md5, bigcrypt, blowfish, gost_yescrypt: not something we write */
	c->method = m;
	long r = h->rounds;
	if (m == PWM_YESCRYPT) {
		c->count = (r >= 3 && r <= 11) ? (unsigned long)r : 5;
	} else if (r >= 0) {
		c->count = pam_sha_rounds(r);
	} else {
		/* pam_unix >= 1.4 presets the rounds from login.defs when its
		 * ENCRYPT_METHOD is a SHA one. */
		char v[64];
		long mx = logindefs ? defs_num(logindefs, "SHA_CRYPT_MAX_ROUNDS") : -1;
		int sha = logindefs && defs_get(logindefs, "ENCRYPT_METHOD", v, sizeof(v)) && !strncasecmp(v, "sha", 3);
		c->count = sha && mx >= 0 ? pam_sha_rounds(mx) : 0;
	}
	char rounds[40] = "";
	if (h->rounds >= 0)
		snprintf(rounds, sizeof(rounds), " rounds=%ld", h->rounds);
	snprintf(c->source, sizeof(c->source), "%s %s%s in the target's %s line %d, which its passwd uses",
		 h->module, h->hash, rounds, h->file, h->line);
	return 1;
}

int pwhash_from_shadow(const char *text, size_t len, struct pw_choice *c)
{
	unsigned n[3] = { 0, 0, 0 };  /* yescrypt, sha512, sha256 */
	if (!text)
		return 0;
	for (size_t s = 0; s < len;) {
		const char *nl = memchr(text + s, '\n', len - s);
		size_t e = nl ? (size_t)(nl - text) : len;
		const char *colon = memchr(text + s, ':', e - s);
		if (colon) {
			const char *pw = colon + 1;
			while (pw < text + e && *pw == '!')
				pw++;
			size_t rest = (size_t)(text + e - pw);
			if (rest > 3 && !memcmp(pw, "$y$", 3))
				n[0]++;
			else if (rest > 3 && !memcmp(pw, "$6$", 3))
				n[1]++;
			else if (rest > 3 && !memcmp(pw, "$5$", 3))
				n[2]++;
		}
		s = e + 1;
	}
	/* Most used wins; on a tie the stronger one. */
	int best = -1;
	for (int i = 0; i < 3; i++)
		if (n[i] && (best < 0 || n[i] > n[best]))
			best = i;
	if (best < 0)
		return 0;
	static const enum pwm ms[3] = { PWM_YESCRYPT, PWM_SHA512, PWM_SHA256 };
	c->method = ms[best];
	c->count = 0;
	snprintf(c->source, sizeof(c->source), "%u existing %s hash%s in the target's /etc/shadow",
		 n[best], pwm_prefix(ms[best]), n[best] == 1 ? "" : "es");
	return 1;
}

int pw_vercmp(const char *a, const char *b)
{
	while (*a || *b) {
		char *ea, *eb;
		long x = strtol(a, &ea, 10), y = strtol(b, &eb, 10);
		if (ea == a)
			x = 0;
		if (eb == b)
			y = 0;
		if (x != y)
			return x < y ? -1 : 1;
		a = ea;
		b = eb;
		while (*a && !isdigit((unsigned char)*a))
			a++;
		while (*b && !isdigit((unsigned char)*b))
			b++;
	}
	return 0;
}

int pwhash_from_os(const struct osrel *o, struct pw_choice *c)
{
	static const struct {
		const char *id, *min;
	} yes[] = {
		{ "debian", "11" }, { "ubuntu", "20.04" }, { "fedora", "35" },
		{ "rhel", "9" }, { "centos", "9" }, { "rocky", "9" }, { "almalinux", "9" }, { "ol", "9" },
		{ "opensuse", "15" }, { "opensuse-leap", "15" }, { "opensuse-tumbleweed", "15" },
		{ "sles", "15" }, { "sled", "15" }, { "sles_sap", "15" },
	};
	c->count = 0;
	if (o && o->id[0] && o->version_id[0] && isdigit((unsigned char)o->version_id[0])) {
		for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
			if (strcmp(o->id, yes[i].id))
				continue;
			if (pw_vercmp(o->version_id, yes[i].min) >= 0) {
				c->method = PWM_YESCRYPT;
				snprintf(c->source, sizeof(c->source), "os-release: %s %s (yescrypt since %s)",
					 o->id, o->version_id, yes[i].min);
				return 1;
			}
			break;
		}
	}
	c->method = PWM_SHA512;
	if (o && o->id[0])
		snprintf(c->source, sizeof(c->source), "os-release: %s %s (SHA-512, which every glibc since 2008 verifies)",
			 o->id, o->version_id[0] ? o->version_id : "(no version)");
	else
		snprintf(c->source, sizeof(c->source), "unknown system: SHA-512, which every glibc since 2008 verifies");
	return 1;
}

int pwhash_choose(const char *override, const struct pam_hash *pam, const char *logindefs,
		  const char *shadow, size_t shadowlen, const struct osrel *o, struct pw_choice *c)
{
	memset(c, 0, sizeof(*c));
	if (override) {
		int r = pwm_parse(override, &c->method);
		if (r)
			return r;
		snprintf(c->source, sizeof(c->source), "--method %s", override);
		return 0;
	}
	if (pwhash_from_pam(pam, logindefs, c) || pwhash_from_logindefs(logindefs, c) ||
	    pwhash_from_shadow(shadow, shadowlen, c))
		return 0;
	pwhash_from_os(o, c);
	return 0;
}

/* ---- hashing ------------------------------------------------------------- */

/* Characters a crypt(5) string of the methods above is made of. */
static int pw_check_hash_chars(const char *h)
{
	for (; *h; h++)
		if (!is_b64((unsigned char)*h) && *h != '$' && *h != '=' && *h != ',')
			return -1;
	return 0;
}

int pwhash_verify(const char *phrase, const char *hash)
{
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	if (!cd)
		return rc_fail(ENOMEM, "out of memory");
	const char *h = crypt_rn(phrase, hash, cd, sizeof(*cd));
	int r = h && h[0] != '*' && !strcmp(h, hash);
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return r;
}

int pwhash_check_phrase(const char *phrase)
{
	if (strlen(phrase) >= CRYPT_MAX_PASSPHRASE_SIZE)
		return rc_failx(RC_EXIT_USAGE, E2BIG, "the password is longer than %d bytes, which crypt cannot hash",
				CRYPT_MAX_PASSPHRASE_SIZE - 1);
	return 0;
}

int pwhash_make(const struct pw_choice *c, const char *phrase, char **hash)
{
	*hash = NULL;
	const char *prefix = pwm_prefix(c->method);
	if (!prefix || c->method > PWM_SHA256)
		return rc_fail(EINVAL, "no hash method chosen");
	int r = pwhash_check_phrase(phrase);
	if (r)
		return r;
	char *setting = crypt_gensalt_ra(prefix, c->count, NULL, 0);
	if (!setting)
		return rc_fail(errno ? errno : EINVAL, "libxcrypt cannot make a %s salt (count %lu): %s",
			       pwm_name(c->method), c->count, strerror(errno ? errno : EINVAL));
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	if (!cd) {
		free(setting);
		return rc_fail(ENOMEM, "out of memory");
	}
	const char *h = crypt_rn(phrase, setting, cd, sizeof(*cd));
	if (!h || h[0] == '*') {
		r = rc_fail(errno ? errno : EINVAL, "libxcrypt could not hash the password with %s", pwm_name(c->method));
	} else if (strncmp(h, prefix, strlen(prefix)) || pw_check_hash_chars(h)) {
		r = rc_fail(EINVAL, "libxcrypt returned an unexpected %s hash", pwm_name(c->method));
	} else if (!(*hash = strdup(h))) {
		r = rc_fail(ENOMEM, "out of memory");
	}
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	free(setting);
	if (r)
		return r;
	/* Verify before anyone writes it: the phrase must give the same hash. */
	int v = pwhash_verify(phrase, *hash);
	if (v != 1) {
		free(*hash);
		*hash = NULL;
		return v < 0 ? v : rc_fail(EINVAL, "the new %s hash did not verify; nothing written", pwm_name(c->method));
	}
	return 0;
}

int pwhash_check(const char *hash, enum pwm *m)
{
	*m = pwm_of_hash(hash);
	if (!*hash)
		return rc_failx(RC_EXIT_USAGE, EINVAL, "--hashed: the hash is empty (to empty a password use clear-pass)");
	if (hash[0] == '!')
		return rc_failx(RC_EXIT_USAGE, EINVAL, "--hashed: the hash starts with '!' (locked); give the hash "
				"itself, and lock with 'clear-pass --lock'");
	if (pw_check_hash_chars(hash))
		return rc_failx(RC_EXIT_USAGE, EINVAL, "--hashed: the hash contains characters no crypt(5) "
				"hash has (only A-Z a-z 0-9 . / $ = , are possible)");
	if (*m == PWM_NONE)
		return rc_failx(RC_EXIT_USAGE, EINVAL, "--hashed: not a crypt(5) hash of a known method "
				"(expected $y$ yescrypt, $6$ SHA-512, $5$ SHA-256, $gy$, $7$, $2b$ bcrypt or $1$ MD5)");
	if (*m == PWM_DES)
		return rc_failx(RC_EXIT_USAGE, EINVAL, "--hashed: a traditional DES hash uses only 8 characters "
				"of a password; refusing it. Give a $6$ or $y$ hash");
	if (crypt_checksalt(hash) == CRYPT_SALT_INVALID)
		return rc_failx(RC_EXIT_USAGE, EINVAL, "--hashed: libxcrypt does not accept the %s hash's "
				"parameters or salt", pwm_name(*m));
	/* Well formed: a hash made with it as the setting has the same setting
	 * part and the same length, and the checksum part is base64. */
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	if (!cd)
		return rc_fail(ENOMEM, "out of memory");
	int r = 0;
	const char *h = crypt_rn("rescuectl-probe", hash, cd, sizeof(*cd));
	size_t setlen;
	if (*m == PWM_BCRYPT) {
		setlen = 29;
	} else {
		const char *last = strrchr(hash, '$');
		setlen = (size_t)(last - hash) + 1;
	}
	if (!h || h[0] == '*' || strlen(h) != strlen(hash) || strlen(hash) <= setlen ||
	    strncmp(h, hash, setlen)) {
		r = rc_failx(RC_EXIT_USAGE, EINVAL, "--hashed: the %s hash is not well formed (wrong length "
			     "or damaged salt); copy the whole string", pwm_name(*m));
	} else {
		for (const char *p = hash + setlen; *p; p++)
			if (!is_b64((unsigned char)*p)) {
				r = rc_failx(RC_EXIT_USAGE, EINVAL, "--hashed: the %s hash's checksum part "
					     "has a character outside ./0-9A-Za-z", pwm_name(*m));
				break;
			}
	}
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return r;
}

int pw_generate(char *buf, size_t len)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	const unsigned n = sizeof(set) - 1;  /* 62 */
	size_t i = 0;
	unsigned char rnd[64];
	while (i < len) {
		ssize_t got = getrandom(rnd, sizeof(rnd), 0);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			return rc_fail(errno, "cannot get random bytes: %s", strerror(errno));
		}
		for (ssize_t j = 0; j < got && i < len; j++)
			if (rnd[j] < 248)  /* 248 = 4 * 62: no modulo bias */
				buf[i++] = set[rnd[j] % n];
	}
	buf[len] = 0;
	explicit_bzero(rnd, sizeof(rnd));
	return 0;
}
