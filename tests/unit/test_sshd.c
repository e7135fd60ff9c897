/* Unit tests for lib/sshd.c: sshd_config first-match, quotes as OpenSSH
 * splits them, Include (order, Match state, loops, fan-out, depth and size
 * limits over a real tree), Match; PAM nullok and its limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "../../lib/sshd.h"
#include "../../lib/err.h"

static int parse(const char *text, const char *file, struct sshd_conf *c)
{
	memset(c, 0, sizeof(*c));
	return sshd_parse(text, strlen(text), file, c, NULL, NULL);
}

static void test_defaults(void **s)
{
	(void)s;
	struct sshd_conf c;
	parse("# PermitRootLogin yes\nPort 22\n", "/etc/ssh/sshd_config", &c);
	assert_string_equal(sshd_permit_root_login(&c), "prohibit-password");
	assert_true(sshd_password_auth(&c));
	assert_false(sshd_permit_empty(&c));
}

static void test_first_match(void **s)
{
	(void)s;
	struct sshd_conf c;
	parse("  permitrootlogin=No\nPermitRootLogin yes\nPasswordAuthentication  no # x\n"
	      "PermitEmptyPasswords = yes\r\n", "f", &c);
	assert_string_equal(sshd_permit_root_login(&c), "no");
	assert_int_equal(c.permit_root_login.line, 1);
	assert_string_equal(c.permit_root_login.file, "f");
	assert_false(sshd_password_auth(&c));
	assert_int_equal(c.password_auth.line, 3);
	assert_true(sshd_permit_empty(&c));
	parse("PermitRootLogin without-password\n", "f", &c);
	assert_string_equal(sshd_permit_root_login(&c), "prohibit-password");
}

/* OpenSSH splits arguments with argv_split: quotes and escapes go. */
static void test_quotes(void **s)
{
	(void)s;
	struct sshd_conf c;
	const char *yes[] = {
		"PermitRootLogin \"yes\"\n", "PermitRootLogin 'yes'\n", "PermitRootLogin=\"yes\"\n",
		"PermitRootLogin \"yes\" # say so\n", "\"PermitRootLogin\" yes\n", "PermitRootLogin y\"es\"\n",
		"PermitRootLogin = 'YES'\f\n",
	};
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		assert_int_equal(parse(yes[i], "f", &c), 0);
		assert_string_equal(sshd_permit_root_login(&c), "yes");
		assert_int_equal(c.include_errors, 0);
	}
	parse("PasswordAuthentication \"no\"\n", "f", &c);
	assert_false(sshd_password_auth(&c));
	/* an open quote or a missing value: sshd refuses to start */
	parse("Port 22\nPermitRootLogin \"yes\n", "/etc/ssh/sshd_config", &c);
	assert_int_equal(c.include_errors, 1);
	assert_true(c.sshd_refuses);
	assert_string_equal(c.problem, "/etc/ssh/sshd_config line 2: invalid quotes");
	assert_string_equal(sshd_permit_root_login(&c), "prohibit-password");
	parse("PermitRootLogin\n", "f", &c);
	assert_true(c.sshd_refuses);
	assert_non_null(strstr(c.problem, "no argument after keyword"));
	/* a '#' inside an argument is not a comment */
	parse("PermitRootLogin yes#no\n", "f", &c);
	assert_string_equal(sshd_permit_root_login(&c), "yes#no");
}

static void test_match(void **s)
{
	(void)s;
	struct sshd_conf c;
	parse("Match User admin\n  PasswordAuthentication no\nMatch all\nPermitRootLogin yes\n", "f", &c);
	assert_true(sshd_password_auth(&c));
	assert_string_equal(sshd_permit_root_login(&c), "yes");
	assert_int_equal(c.match_blocks, 1);
	assert_string_equal(c.first_match, "f:1");
}

struct inc {
	char *pattern_seen[4];
	int n;
};

static int fake_include(void *ctx, const char *pattern, struct sshd_conf *c)
{
	struct inc *in = ctx;
	if (in->n < 4)
		in->pattern_seen[in->n++] = strdup(pattern);
	/* a cloud-init drop-in */
	const char *t = "PasswordAuthentication no\nPermitRootLogin prohibit-password\n";
	return sshd_parse(t, strlen(t), "/etc/ssh/sshd_config.d/50-cloud-init.conf", c, NULL, NULL);
}

static void test_include_order(void **s)
{
	(void)s;
	struct sshd_conf c;
	struct inc in = { { 0 }, 0 };
	/* Debian 12: Include at the top, so the drop-in wins over later lines */
	const char *t = "Include /etc/ssh/sshd_config.d/*.conf\nPasswordAuthentication yes\nPermitRootLogin yes\n";
	memset(&c, 0, sizeof(c));
	sshd_parse(t, strlen(t), "/etc/ssh/sshd_config", &c, fake_include, &in);
	assert_int_equal(in.n, 1);
	assert_string_equal(in.pattern_seen[0], "/etc/ssh/sshd_config.d/*.conf");
	assert_false(sshd_password_auth(&c));
	assert_string_equal(c.password_auth.file, "/etc/ssh/sshd_config.d/50-cloud-init.conf");
	assert_string_equal(sshd_permit_root_login(&c), "prohibit-password");
	free(in.pattern_seen[0]);
	/* Include after the setting: the main file's line wins; quoted patterns */
	in.n = 0;
	t = "PasswordAuthentication yes\nInclude \"a.conf\" 'b c.conf'\n";
	memset(&c, 0, sizeof(c));
	sshd_parse(t, strlen(t), "/etc/ssh/sshd_config", &c, fake_include, &in);
	assert_int_equal(in.n, 2);
	assert_string_equal(in.pattern_seen[1], "b c.conf");
	assert_true(sshd_password_auth(&c));
	for (int i = 0; i < in.n; i++)
		free(in.pattern_seen[i]);
	/* an Include inside a Match block: its settings are conditional too */
	in.n = 0;
	t = "Match User x\nInclude /etc/ssh/sshd_config.d/*.conf\nMatch all\n";
	memset(&c, 0, sizeof(c));
	sshd_parse(t, strlen(t), "/etc/ssh/sshd_config", &c, fake_include, &in);
	assert_true(sshd_password_auth(&c));
	free(in.pattern_seen[0]);
}

/* ---- over a real tree ---------------------------------------------------- */

static char top[256];

static void put(const char *rel, const char *text)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", top, rel);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **s)
{
	(void)s;
	char p[512];
	snprintf(top, sizeof(top), "/tmp/rc-sshd-XXXXXX");
	if (!mkdtemp(top))
		return -1;
	snprintf(p, sizeof(p), "mkdir -p '%s/etc/ssh/sshd_config.d'", top);
	return system(p) == 0 ? 0 : -1;
}

static int teardown(void **s)
{
	(void)s;
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	return system(cmd) == 0 ? 0 : -1;
}

static int scan(struct sshd_conf *c)
{
	struct tree *t = NULL;
	assert_int_equal(tree_open_dir(top, 0, &t), 0);
	rc_clear();
	int r = sshd_scan(t, c);
	tree_close(t);
	return r;
}

/* sshd_config including itself three times on one line: 3^16 reads before;
 * now the loop is seen at the first nested read. */
static void test_include_loop(void **s)
{
	(void)s;
	struct sshd_conf c;
	put("etc/ssh/sshd_config", "PermitRootLogin yes\n"
	    "Include /etc/ssh/sshd_config /etc/ssh/sshd_config /etc/ssh/sshd_config\n");
	assert_true(scan(&c) < 0);
	assert_int_equal(c.files, 1);
	assert_true(c.exists);
	assert_true(c.sshd_refuses);
	assert_non_null(strstr(rc_msg(), "/etc/ssh/sshd_config line 2: Include /etc/ssh/sshd_config: an Include loop"));
	assert_non_null(strstr(rc_msg(), "; sshd will not start with this configuration"));
	/* what came before is known */
	assert_string_equal(sshd_permit_root_login(&c), "yes");

	/* drop-ins that include *.conf of their own directory */
	put("etc/ssh/sshd_config", "Include sshd_config.d/*.conf\n");
	put("etc/ssh/sshd_config.d/10-a.conf", "Include /etc/ssh/sshd_config.d/*.conf\n");
	put("etc/ssh/sshd_config.d/20-b.conf", "Include /etc/ssh/sshd_config.d/*.conf\n");
	assert_true(scan(&c) < 0);
	assert_true(c.files <= 3);
	assert_non_null(strstr(rc_msg(), "/etc/ssh/sshd_config.d/10-a.conf line 1: Include "
				"/etc/ssh/sshd_config.d/*.conf: an Include loop: /etc/ssh/sshd_config.d/10-a.conf"));
	char p[512];
	snprintf(p, sizeof(p), "rm -f %s/etc/ssh/sshd_config.d/*", top);
	assert_int_equal(system(p), 0);
}

/* No loop, but each file includes the next one three times: 3^10 files. */
static void test_include_fanout(void **s)
{
	(void)s;
	struct sshd_conf c;
	char name[64], text[256];
	put("etc/ssh/sshd_config", "Include f0 f0 f0\n");
	for (int i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "etc/ssh/f%d", i);
		snprintf(text, sizeof(text), "Include f%d f%d f%d\n", i + 1, i + 1, i + 1);
		put(name, text);
	}
	assert_true(scan(&c) < 0);
	assert_int_equal(c.files, SSHD_MAX_FILES);
	assert_false(c.sshd_refuses);
	assert_non_null(strstr(rc_msg(), "more than 256 files to read through Include"));
	assert_non_null(strstr(rc_msg(), " line 1: Include f"));
}

/* 20 distinct files, each including the next: sshd stops past 16 levels. */
static void test_include_depth(void **s)
{
	(void)s;
	struct sshd_conf c;
	char name[64], text[256];
	put("etc/ssh/sshd_config", "Include d1\n");
	for (int i = 1; i < 20; i++) {
		snprintf(name, sizeof(name), "etc/ssh/d%d", i);
		snprintf(text, sizeof(text), "Include d%d\n", i + 1);
		put(name, text);
	}
	put("etc/ssh/d16", "PasswordAuthentication no\nInclude d17\n");
	assert_true(scan(&c) < 0);
	assert_int_equal(c.files, 17);  /* sshd_config and d1..d16 */
	assert_true(c.sshd_refuses);
	assert_false(sshd_password_auth(&c));
	assert_non_null(strstr(rc_msg(), "/etc/ssh/d16 line 2: Include d17: Include nested deeper than 16"));
	/* exactly 16 levels is what sshd accepts */
	put("etc/ssh/d16", "PasswordAuthentication no\n");
	assert_int_equal(scan(&c), 0);
	assert_int_equal(c.include_errors, 0);
}

static void test_include_misc(void **s)
{
	(void)s;
	struct sshd_conf c;
	/* a literal that is not there, a glob matching nothing: fine for sshd */
	put("etc/ssh/sshd_config", "Include /etc/ssh/nothere.conf /etc/ssh/none.d/*.conf\nPermitRootLogin yes\n");
	assert_int_equal(scan(&c), 0);
	assert_string_equal(sshd_permit_root_login(&c), "yes");
	/* a glob in a directory name is not followed: said, and what follows is still read */
	put("etc/ssh/sshd_config", "Include /etc/*/x.conf\nPermitRootLogin yes\n");
	assert_true(scan(&c) < 0);
	assert_string_equal(sshd_permit_root_login(&c), "yes");
	assert_non_null(strstr(rc_msg(), "/etc/ssh/sshd_config line 1: Include /etc/*/x.conf: globs in directory"));
	/* a drop-in larger than the file limit */
	size_t big = SSHD_MAX_FILE + 1;
	char *b = malloc(big + 1);
	assert_non_null(b);
	memset(b, '#', big);
	b[big] = 0;
	put("etc/ssh/sshd_config.d/big.conf", b);
	free(b);
	put("etc/ssh/sshd_config", "Include sshd_config.d/*.conf\n");
	assert_true(scan(&c) < 0);
	assert_non_null(strstr(rc_msg(), "/etc/ssh/sshd_config line 1: Include sshd_config.d/*.conf: "));
	assert_non_null(strstr(rc_msg(), "larger than 1048576 bytes"));
	char p[512];
	snprintf(p, sizeof(p), "%s/etc/ssh/sshd_config.d/big.conf", top);
	remove(p);
	/* no sshd_config at all */
	snprintf(p, sizeof(p), "%s/etc/ssh/sshd_config", top);
	remove(p);
	assert_int_equal(scan(&c), 0);
	assert_false(c.exists);
}

/* Hostile text: a 10 MB line, a NUL byte. */
static void test_hostile_text(void **s)
{
	(void)s;
	struct sshd_conf c;
	size_t n = 10u << 20;
	char *b = malloc(n + 32);
	assert_non_null(b);
	memcpy(b, "Port 22\nPermitRootLogin ", 24);
	memset(b + 24, 'y', n);
	memcpy(b + 24 + n, "\n", 2);
	memset(&c, 0, sizeof(c));
	assert_int_equal(sshd_parse(b, n + 25, "f", &c, NULL, NULL), -E2BIG);
	assert_string_equal(c.problem, "f line 2: the line is longer than 65536 bytes; not read further");
	assert_string_equal(sshd_permit_root_login(&c), "prohibit-password");
	struct pam_file p = { .path = "/etc/pam.d/common-auth" };
	assert_int_equal(pam_parse(b, n + 25, &p), -E2BIG);
	free(b);
	const char nul[] = "PermitRootLogin no\nPasswordAuthentication yes\0no\nPort 2\n";
	memset(&c, 0, sizeof(c));
	assert_true(sshd_parse(nul, sizeof(nul) - 1, "f", &c, NULL, NULL) < 0);
	assert_string_equal(c.problem, "f line 2: a NUL byte: the file is damaged; not read further");
	assert_string_equal(sshd_permit_root_login(&c), "no");
	rc_clear();
	assert_int_equal(pam_parse("auth sufficient pam_unix.so\0 nullok\n", 36, &p), -EINVAL);
	assert_non_null(strstr(rc_msg(), "/etc/pam.d/common-auth line 1: a NUL byte"));
}

static void pam(const char *t, struct pam_file *p)
{
	memset(p, 0, sizeof(*p));
	assert_int_equal(pam_parse(t, strlen(t), p), 0);
}

static void test_pam(void **s)
{
	(void)s;
	struct pam_file p;
	pam("# here are the per-package modules\n"
	    "auth\t[success=1 default=ignore]\tpam_unix.so nullok\n"
	    "auth\trequisite\t\t\tpam_deny.so\n", &p);
	assert_true(p.unix_auth);
	assert_true(p.nullok);
	assert_int_equal(p.line, 2);
	assert_string_equal(p.arg, "nullok");
	pam("auth        required      pam_env.so\n"
	    "auth        sufficient    pam_unix.so try_first_pass\n"
	    "password    sufficient    pam_unix.so sha512 shadow nullok use_authtok\n", &p);
	assert_true(p.unix_auth);
	assert_false(p.nullok);  /* nullok on the password line does not count */
	assert_int_equal(p.line, 2);
	pam("auth [success=2 default=ignore] /lib/security/pam_unix.so nullok_secure # x\n", &p);
	assert_true(p.nullok);
	assert_string_equal(p.arg, "nullok_secure");
	pam("#auth sufficient pam_unix.so nullok\n", &p);
	assert_false(p.unix_auth);
	assert_false(p.nullok);
	pam("-auth sufficient pam_unix.so nullok\n", &p);
	assert_true(p.nullok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_first_match),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_include_order),
		cmocka_unit_test_setup_teardown(test_include_loop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_include_fanout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_include_depth, setup, teardown),
		cmocka_unit_test_setup_teardown(test_include_misc, setup, teardown),
		cmocka_unit_test(test_hostile_text),
		cmocka_unit_test(test_pam),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
