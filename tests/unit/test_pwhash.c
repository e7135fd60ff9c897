/* Unit tests for lib/pwhash.c: method by target, hash, verify, --hashed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../lib/pwhash.h"
#include "../../lib/pam.h"
#include "../../lib/rootfs.h"
#include "../../lib/err.h"

static struct osrel os(const char *id, const char *ver)
{
	struct osrel o;
	memset(&o, 0, sizeof(o));
	snprintf(o.id, sizeof(o.id), "%s", id);
	snprintf(o.version_id, sizeof(o.version_id), "%s", ver);
	return o;
}

static enum pwm by_os(const char *id, const char *ver)
{
	struct osrel o = os(id, ver);
	struct pw_choice c;
	assert_int_equal(pwhash_from_os(&o, &c), 1);
	return c.method;
}

static void test_os_rules(void **s)
{
	(void)s;
	assert_int_equal(by_os("debian", "12"), PWM_YESCRYPT);
	assert_int_equal(by_os("debian", "11"), PWM_YESCRYPT);
	assert_int_equal(by_os("debian", "10"), PWM_SHA512);
	assert_int_equal(by_os("ubuntu", "20.04"), PWM_YESCRYPT);
	assert_int_equal(by_os("ubuntu", "22.04"), PWM_YESCRYPT);
	assert_int_equal(by_os("ubuntu", "18.04"), PWM_SHA512);
	assert_int_equal(by_os("ubuntu", "19.10"), PWM_SHA512);
	assert_int_equal(by_os("fedora", "35"), PWM_YESCRYPT);
	assert_int_equal(by_os("fedora", "34"), PWM_SHA512);
	assert_int_equal(by_os("rhel", "9.3"), PWM_YESCRYPT);
	assert_int_equal(by_os("rhel", "8.9"), PWM_SHA512);
	assert_int_equal(by_os("centos", "7"), PWM_SHA512);
	assert_int_equal(by_os("centos", "9"), PWM_YESCRYPT);
	assert_int_equal(by_os("rocky", "9.2"), PWM_YESCRYPT);
	assert_int_equal(by_os("almalinux", "8.8"), PWM_SHA512);
	assert_int_equal(by_os("ol", "9.1"), PWM_YESCRYPT);
	assert_int_equal(by_os("opensuse-leap", "15.5"), PWM_YESCRYPT);
	assert_int_equal(by_os("opensuse-leap", "42.3"), PWM_YESCRYPT);
	assert_int_equal(by_os("sles", "12.5"), PWM_SHA512);
	assert_int_equal(by_os("sles", "15.4"), PWM_YESCRYPT);
	assert_int_equal(by_os("arch", ""), PWM_SHA512);
	assert_int_equal(by_os("alpine", "3.19"), PWM_SHA512);
	assert_int_equal(by_os("debian", ""), PWM_SHA512);
	assert_int_equal(by_os("", ""), PWM_SHA512);
	struct pw_choice c;
	assert_int_equal(pwhash_from_os(NULL, &c), 1);
	assert_int_equal(c.method, PWM_SHA512);
	assert_non_null(strstr(c.source, "unknown"));
}

static void test_vercmp(void **s)
{
	(void)s;
	assert_true(pw_vercmp("20.04", "20.04") == 0);
	assert_true(pw_vercmp("20.10", "20.04") > 0);
	assert_true(pw_vercmp("20", "20.04") < 0);
	assert_true(pw_vercmp("9", "9.0") == 0);
	assert_true(pw_vercmp("10", "9") > 0);
}

static void test_logindefs(void **s)
{
	(void)s;
	struct pw_choice c;
	memset(&c, 0, sizeof(c));
	assert_int_equal(pwhash_from_logindefs("# ENCRYPT_METHOD YESCRYPT\nUMASK 022\n", &c), 0);
	assert_int_equal(pwhash_from_logindefs("ENCRYPT_METHOD SHA512\n", &c), 1);
	assert_int_equal(c.method, PWM_SHA512);
	assert_int_equal(c.count, 0);
	assert_non_null(strstr(c.source, "login.defs"));
	assert_int_equal(pwhash_from_logindefs("ENCRYPT_METHOD\tSHA512\nSHA_CRYPT_MIN_ROUNDS 6000\n"
					       "SHA_CRYPT_MAX_ROUNDS 9000\n", &c), 1);
	assert_int_equal(c.count, 6000);
	assert_int_equal(pwhash_from_logindefs("ENCRYPT_METHOD SHA256\nSHA_CRYPT_MAX_ROUNDS 7000\n", &c), 1);
	assert_int_equal(c.method, PWM_SHA256);
	assert_int_equal(c.count, 7000);
	assert_int_equal(pwhash_from_logindefs("ENCRYPT_METHOD SHA512\nSHA_CRYPT_MIN_ROUNDS 10\n", &c), 1);
	assert_int_equal(c.count, 1000);
	assert_int_equal(pwhash_from_logindefs("ENCRYPT_METHOD YESCRYPT\nYESCRYPT_COST_FACTOR 7\n", &c), 1);
	assert_int_equal(c.method, PWM_YESCRYPT);
	assert_int_equal(c.count, 7);
	assert_int_equal(pwhash_from_logindefs("ENCRYPT_METHOD YESCRYPT\nYESCRYPT_COST_FACTOR 99\n", &c), 1);
	assert_int_equal(c.count, 0);
	/* the last setting wins, as in shadow-utils */
	assert_int_equal(pwhash_from_logindefs("ENCRYPT_METHOD SHA512\nENCRYPT_METHOD YESCRYPT\n", &c), 1);
	assert_int_equal(c.method, PWM_YESCRYPT);
	/* weak or foreign methods are not a decision */
	assert_int_equal(pwhash_from_logindefs("ENCRYPT_METHOD MD5\n", &c), 0);
	assert_int_equal(pwhash_from_logindefs("ENCRYPT_METHOD DES\n", &c), 0);
	assert_int_equal(pwhash_from_logindefs(NULL, &c), 0);
}

static void test_shadow_rule(void **s)
{
	(void)s;
	struct pw_choice c;
	const char *sh = "root:$6$a$b:1::::::\nu1:!$6$c$d:1::::::\nu2:$y$j9T$e$f:1::::::\nbin:*:1::::::\n";
	assert_int_equal(pwhash_from_shadow(sh, strlen(sh), &c), 1);
	assert_int_equal(c.method, PWM_SHA512);
	assert_non_null(strstr(c.source, "2 existing $6$ hashes"));
	const char *tie = "a:$5$a$b:1\nb:$y$j9T$e$f:1";
	assert_int_equal(pwhash_from_shadow(tie, strlen(tie), &c), 1);
	assert_int_equal(c.method, PWM_YESCRYPT);
	const char *none = "root:*:1::::::\nbin:!:1::::::\nx:$1$abc$def:1\n";
	assert_int_equal(pwhash_from_shadow(none, strlen(none), &c), 0);
}

static void test_choose_order(void **s)
{
	(void)s;
	struct pw_choice c;
	struct osrel deb = os("debian", "12");
	const char *sh = "root:$6$a$b:1::::::\n";
	/* --method first */
	assert_int_equal(pwhash_choose("sha256", NULL, "ENCRYPT_METHOD SHA512\n", sh, strlen(sh), &deb, &c), 0);
	assert_int_equal(c.method, PWM_SHA256);
	assert_true(pwhash_choose("md5", NULL, NULL, NULL, 0, NULL, &c) < 0);
	assert_int_equal(rc_exit_hint(), RC_EXIT_USAGE);
	/* login.defs before hashes */
	assert_int_equal(pwhash_choose(NULL, NULL, "ENCRYPT_METHOD YESCRYPT\n", sh, strlen(sh), NULL, &c), 0);
	assert_int_equal(c.method, PWM_YESCRYPT);
	/* hashes before os-release: a Debian 12 with $6$ hashes keeps $6$ */
	assert_int_equal(pwhash_choose(NULL, NULL, "", sh, strlen(sh), &deb, &c), 0);
	assert_int_equal(c.method, PWM_SHA512);
	/* os-release last */
	assert_int_equal(pwhash_choose(NULL, NULL, NULL, "root:*:1\n", 9, &deb, &c), 0);
	assert_int_equal(c.method, PWM_YESCRYPT);
}

static struct pam_hash pamh(const char *hash, long rounds)
{
	struct pam_hash h = { .found = 1, .rounds = rounds, .line = 25 };
	snprintf(h.module, sizeof(h.module), "pam_unix.so");
	snprintf(h.hash, sizeof(h.hash), "%s", hash);
	snprintf(h.file, sizeof(h.file), "/etc/pam.d/common-password");
	return h;
}

/* pam_unix's hash option and its cost, as pam_unix takes them. */
static void test_pam_rule(void **s)
{
	(void)s;
	struct pw_choice c;
	struct pam_hash h = pamh("yescrypt", -1);
	assert_int_equal(pwhash_from_pam(&h, "ENCRYPT_METHOD SHA512\n", &c), 1);
	assert_int_equal(c.method, PWM_YESCRYPT);
	assert_int_equal(c.count, 5);
	assert_string_equal(c.source, "pam_unix.so yescrypt in the target's /etc/pam.d/common-password line 25, "
			    "which its passwd uses");
	h = pamh("yescrypt", 11);
	pwhash_from_pam(&h, NULL, &c);
	assert_int_equal(c.count, 11);
	h = pamh("yescrypt", 12);  /* out of pam_unix's 3..11: its default */
	pwhash_from_pam(&h, NULL, &c);
	assert_int_equal(c.count, 5);
	h = pamh("sha512", 999);   /* below 1000: the default */
	pwhash_from_pam(&h, NULL, &c);
	assert_int_equal(c.method, PWM_SHA512);
	assert_int_equal(c.count, 0);
	h = pamh("sha512", 20000000);
	pwhash_from_pam(&h, NULL, &c);
	assert_int_equal(c.count, 9999999);
	assert_non_null(strstr(c.source, "sha512 rounds=20000000 in"));
	/* no rounds=: pam_unix takes SHA_CRYPT_MAX_ROUNDS of a SHA ENCRYPT_METHOD */
	h = pamh("sha256", -1);
	pwhash_from_pam(&h, "ENCRYPT_METHOD SHA512\nSHA_CRYPT_MIN_ROUNDS 6000\nSHA_CRYPT_MAX_ROUNDS 7000\n", &c);
	assert_int_equal(c.method, PWM_SHA256);
	assert_int_equal(c.count, 7000);
	pwhash_from_pam(&h, "ENCRYPT_METHOD YESCRYPT\nSHA_CRYPT_MAX_ROUNDS 7000\n", &c);
	assert_int_equal(c.count, 0);
	/* not decisions: no option (pam_unix goes by login.defs), weak or foreign ones */
	const char *no[] = { "", "md5", "bigcrypt", "blowfish", "gost_yescrypt" };
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		h = pamh(no[i], -1);
		assert_int_equal(pwhash_from_pam(&h, NULL, &c), 0);
	}
	h.found = 0;
	assert_int_equal(pwhash_from_pam(&h, NULL, &c), 0);
	assert_int_equal(pwhash_from_pam(NULL, NULL, &c), 0);
	/* the order: PAM before login.defs, --method before PAM */
	struct osrel deb = os("debian", "12");
	const char *sh = "root:$6$a$b:1::::::\n";
	h = pamh("yescrypt", -1);
	assert_int_equal(pwhash_choose(NULL, &h, "ENCRYPT_METHOD SHA512\n", sh, strlen(sh), &deb, &c), 0);
	assert_int_equal(c.method, PWM_YESCRYPT);
	assert_int_equal(pwhash_choose("sha512", &h, NULL, NULL, 0, NULL, &c), 0);
	assert_int_equal(c.method, PWM_SHA512);
	h = pamh("", -1);
	assert_int_equal(pwhash_choose(NULL, &h, "ENCRYPT_METHOD SHA512\n", NULL, 0, NULL, &c), 0);
	assert_non_null(strstr(c.source, "login.defs"));
}

static void make_verify(enum pwm m, unsigned long count, const char *prefix)
{
	struct pw_choice c = { .method = m, .count = count };
	char *h = NULL;
	assert_int_equal(pwhash_make(&c, "correct horse", &h), 0);
	assert_non_null(h);
	assert_memory_equal(h, prefix, strlen(prefix));
	assert_int_equal(pwhash_verify("correct horse", h), 1);
	assert_int_equal(pwhash_verify("correct horsf", h), 0);
	enum pwm got;
	assert_int_equal(pwhash_check(h, &got), 0);
	assert_int_equal(got, m);
	assert_int_equal(pwm_of_hash(h), m);
	/* two hashes of one password differ: fresh salt */
	char *h2 = NULL;
	assert_int_equal(pwhash_make(&c, "correct horse", &h2), 0);
	assert_string_not_equal(h, h2);
	free(h);
	free(h2);
}

static void test_make(void **s)
{
	(void)s;
	make_verify(PWM_YESCRYPT, 0, "$y$");
	make_verify(PWM_SHA512, 0, "$6$");
	make_verify(PWM_SHA512, 6000, "$6$rounds=6000$");
	make_verify(PWM_SHA256, 0, "$5$");
	make_verify(PWM_YESCRYPT, 7, "$y$jBT$");
	struct pw_choice c = { .method = PWM_SHA512 };
	char *h = NULL;
	char big[600];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	assert_true(pwhash_make(&c, big, &h) < 0);
	assert_null(h);
}

static void test_check_hashed(void **s)
{
	(void)s;
	enum pwm m;
	char *good = crypt("pw", "$6$saltsalt$");
	assert_int_equal(pwhash_check(good, &m), 0);
	assert_int_equal(m, PWM_SHA512);
	char trunc[200];
	snprintf(trunc, sizeof(trunc), "%s", good);
	trunc[strlen(trunc) - 3] = 0;
	assert_true(pwhash_check(trunc, &m) < 0);
	assert_non_null(strstr(rc_msg(), "not well formed"));
	assert_true(pwhash_check("", &m) < 0);
	assert_true(pwhash_check("!$6$a$b", &m) < 0);
	assert_true(pwhash_check("hello world", &m) < 0);
	assert_true(pwhash_check("$9$abc$def", &m) < 0);
	assert_true(pwhash_check("abJnggxhB/yWI", &m) < 0);  /* DES */
	assert_int_equal(pwm_of_hash("abJnggxhB/yWI"), PWM_DES);
	assert_true(pwhash_check("$6$a:b$c", &m) < 0);
	assert_true(pwhash_check("$y$j9T$", &m) < 0);
	char *y = crypt("pw", "$y$j9T$saltsaltsaltsalt$");
	assert_non_null(y);
	assert_int_equal(pwhash_check(y, &m), 0);
	assert_int_equal(m, PWM_YESCRYPT);
	char ybad[200];
	snprintf(ybad, sizeof(ybad), "%s", y);
	ybad[strlen(ybad) - 1] = '*';
	assert_true(pwhash_check(ybad, &m) < 0);
	char *b = crypt("pw", "$2b$05$abcdefghijklmnopqrstuu");
	assert_int_equal(pwhash_check(b, &m), 0);
	assert_int_equal(m, PWM_BCRYPT);
	assert_int_equal(pwm_of_hash("*"), PWM_NONE);
	assert_int_equal(pwm_of_hash("!"), PWM_NONE);
	assert_int_equal(pwm_of_hash(""), PWM_NONE);
	assert_int_equal(pwm_of_hash("x"), PWM_NONE);
}

static void test_generate(void **s)
{
	(void)s;
	char a[21], b[21];
	assert_int_equal(pw_generate(a, 20), 0);
	assert_int_equal(pw_generate(b, 20), 0);
	assert_int_equal(strlen(a), 20);
	assert_string_not_equal(a, b);
	for (int i = 0; i < 20; i++)
		assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", a[i]));
}

static void test_names(void **s)
{
	(void)s;
	enum pwm m;
	assert_int_equal(pwm_parse("SHA-512", &m), 0);
	assert_int_equal(m, PWM_SHA512);
	assert_int_equal(pwm_parse("yescrypt", &m), 0);
	assert_int_equal(m, PWM_YESCRYPT);
	assert_true(pwm_parse("bcrypt", &m) < 0);
	assert_string_equal(pwm_name(PWM_SHA256), "sha256");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_os_rules),
		cmocka_unit_test(test_vercmp),
		cmocka_unit_test(test_logindefs),
		cmocka_unit_test(test_shadow_rule),
		cmocka_unit_test(test_choose_order),
		cmocka_unit_test(test_pam_rule),
		cmocka_unit_test(test_make),
		cmocka_unit_test(test_check_hashed),
		cmocka_unit_test(test_generate),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
