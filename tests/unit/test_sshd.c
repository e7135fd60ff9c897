/* Unit tests for lib/sshd.c: sshd_config first-match, Include, Match; PAM nullok. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../lib/sshd.h"

static void test_defaults(void **s)
{
	(void)s;
	struct sshd_conf c;
	memset(&c, 0, sizeof(c));
	sshd_parse("# PermitRootLogin yes\nPort 22\n", "/etc/ssh/sshd_config", &c, NULL, NULL, 0);
	assert_string_equal(sshd_permit_root_login(&c), "prohibit-password");
	assert_true(sshd_password_auth(&c));
	assert_false(sshd_permit_empty(&c));
}

static void test_first_match(void **s)
{
	(void)s;
	struct sshd_conf c;
	memset(&c, 0, sizeof(c));
	sshd_parse("  permitrootlogin=No\nPermitRootLogin yes\nPasswordAuthentication  no # x\n"
		   "PermitEmptyPasswords = yes\r\n", "f", &c, NULL, NULL, 0);
	assert_string_equal(sshd_permit_root_login(&c), "no");
	assert_int_equal(c.permit_root_login.line, 1);
	assert_string_equal(c.permit_root_login.file, "f");
	assert_false(sshd_password_auth(&c));
	assert_int_equal(c.password_auth.line, 3);
	assert_true(sshd_permit_empty(&c));
	memset(&c, 0, sizeof(c));
	sshd_parse("PermitRootLogin without-password\n", "f", &c, NULL, NULL, 0);
	assert_string_equal(sshd_permit_root_login(&c), "prohibit-password");
}

static void test_match(void **s)
{
	(void)s;
	struct sshd_conf c;
	memset(&c, 0, sizeof(c));
	sshd_parse("Match User admin\n  PasswordAuthentication no\nMatch all\nPermitRootLogin yes\n",
		   "f", &c, NULL, NULL, 0);
	assert_true(sshd_password_auth(&c));
	assert_string_equal(sshd_permit_root_login(&c), "yes");
	assert_int_equal(c.match_blocks, 1);
	assert_string_equal(c.first_match, "f:1");
}

struct inc {
	const char *pattern_seen[4];
	int n;
};

static int fake_include(void *ctx, const char *pattern, struct sshd_conf *c, int depth)
{
	struct inc *in = ctx;
	if (in->n < 4)
		in->pattern_seen[in->n++] = strdup(pattern);
	/* a cloud-init drop-in */
	return sshd_parse("PasswordAuthentication no\nPermitRootLogin prohibit-password\n",
			  "/etc/ssh/sshd_config.d/50-cloud-init.conf", c, NULL, NULL, depth);
}

static void test_include_order(void **s)
{
	(void)s;
	struct sshd_conf c;
	struct inc in = { { 0 }, 0 };
	memset(&c, 0, sizeof(c));
	/* Debian 12: Include at the top, so the drop-in wins over later lines */
	sshd_parse("Include /etc/ssh/sshd_config.d/*.conf\nPasswordAuthentication yes\nPermitRootLogin yes\n",
		   "/etc/ssh/sshd_config", &c, fake_include, &in, 0);
	assert_int_equal(in.n, 1);
	assert_string_equal(in.pattern_seen[0], "/etc/ssh/sshd_config.d/*.conf");
	assert_false(sshd_password_auth(&c));
	assert_string_equal(c.password_auth.file, "/etc/ssh/sshd_config.d/50-cloud-init.conf");
	assert_string_equal(sshd_permit_root_login(&c), "prohibit-password");
	free((void *)in.pattern_seen[0]);
	/* Include after the setting: the main file's line wins */
	memset(&c, 0, sizeof(c));
	in.n = 0;
	sshd_parse("PasswordAuthentication yes\nInclude a.conf b.conf\n", "/etc/ssh/sshd_config", &c,
		   fake_include, &in, 0);
	assert_int_equal(in.n, 2);
	assert_true(sshd_password_auth(&c));
	for (int i = 0; i < in.n; i++)
		free((void *)in.pattern_seen[i]);
}

static void test_pam(void **s)
{
	(void)s;
	struct pam_file p;
	memset(&p, 0, sizeof(p));
	pam_parse("# here are the per-package modules\n"
		  "auth\t[success=1 default=ignore]\tpam_unix.so nullok\n"
		  "auth\trequisite\t\t\tpam_deny.so\n", &p);
	assert_true(p.unix_auth);
	assert_true(p.nullok);
	assert_int_equal(p.line, 2);
	assert_string_equal(p.arg, "nullok");
	pam_parse("auth        required      pam_env.so\n"
		  "auth        sufficient    pam_unix.so try_first_pass\n"
		  "password    sufficient    pam_unix.so sha512 shadow nullok use_authtok\n", &p);
	assert_true(p.unix_auth);
	assert_false(p.nullok);  /* nullok on the password line does not count */
	assert_int_equal(p.line, 2);
	pam_parse("auth [success=2 default=ignore] /lib/security/pam_unix.so nullok_secure # x\n", &p);
	assert_true(p.nullok);
	assert_string_equal(p.arg, "nullok_secure");
	pam_parse("#auth sufficient pam_unix.so nullok\n", &p);
	assert_false(p.unix_auth);
	assert_false(p.nullok);
	pam_parse("-auth sufficient pam_unix.so nullok\n", &p);
	assert_true(p.nullok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_first_match),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_include_order),
		cmocka_unit_test(test_pam),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
