/* Unit tests for lib/pam.c: the password stack of passwd followed as libpam
 * follows it (@include, include, substack, /usr/lib/pam.d, "other",
 * symbolic links inside the tree), the hash options of pam_unix, libpam's
 * line syntax (comments, continuations, [...] tokens), and the limits:
 * include depth, files, a line, a NUL byte, a missing include. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../lib/pam.h"
#include "../../lib/err.h"

static char top[256];

static void put(const char *rel, const char *text)
{
	char p[512], cmd[600];
	snprintf(p, sizeof(p), "%s/%s", top, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", p);
	assert_int_equal(system(cmd), 0);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **s)
{
	(void)s;
	snprintf(top, sizeof(top), "/tmp/rc-pam-XXXXXX");
	return mkdtemp(top) ? 0 : -1;
}

static int teardown(void **s)
{
	(void)s;
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	return system(cmd) == 0 ? 0 : -1;
}

static int walk(struct pam_hash *h)
{
	struct tree *t = NULL;
	assert_int_equal(tree_open_dir(top, 0, &t), 0);
	rc_clear();
	int r = pam_passwd_hash(t, h);
	tree_close(t);
	return r;
}

/* Debian: passwd -> @include common-password, the first pam_unix line. */
static void test_debian(void **s)
{
	(void)s;
	struct pam_hash h;
	put("etc/pam.d/passwd", "#\n# The PAM configuration file for the Shadow `passwd' service\n#\n\n@include common-password\n\n");
	put("etc/pam.d/common-password",
	    "# here are the per-package modules (the \"Primary\" block)\n"
	    "password\t[success=1 default=ignore]\tpam_unix.so obscure yescrypt\n"
	    "password\trequisite\t\t\tpam_deny.so\n"
	    "password\t[success=1 default=ignore]\tpam_unix.so sha512\n");
	assert_int_equal(walk(&h), 0);
	assert_true(h.found);
	assert_string_equal(h.module, "pam_unix.so");
	assert_string_equal(h.hash, "yescrypt");
	assert_int_equal(h.rounds, -1);
	assert_string_equal(h.file, "/etc/pam.d/common-password");
	assert_int_equal(h.line, 2);
	assert_string_equal(h.service, "/etc/pam.d/passwd");
	assert_int_equal(h.files, 2);
}

/* RHEL: password substack system-auth, an absolute symbolic link that
 * must resolve inside the tree; auth and account lines are not followed. */
static void test_rhel_substack_link(void **s)
{
	(void)s;
	struct pam_hash h;
	put("etc/pam.d/passwd", "#%PAM-1.0\nauth       include\tno-such-auth\n"
	    "password   substack\tsystem-auth\n-password   optional\tpam_gnome_keyring.so use_authtok\n");
	put("etc/authselect/system-auth",
	    "auth        sufficient                                   pam_unix.so nullok\n"
	    "password    requisite                                    pam_pwquality.so local_users_only\n"
	    "password    sufficient                                   pam_unix.so sha512 shadow nullok use_authtok rounds=65536\n");
	char p[512];
	snprintf(p, sizeof(p), "%s/etc/pam.d/system-auth", top);
	assert_int_equal(symlink("/etc/authselect/system-auth", p), 0);
	assert_int_equal(walk(&h), 0);
	assert_true(h.found);
	assert_string_equal(h.hash, "sha512");
	assert_int_equal(h.rounds, 65536);
	assert_string_equal(h.file, "/etc/pam.d/system-auth");
	assert_int_equal(h.line, 3);
}

/* libpam's syntax: continuation lines, comments, [..] with blanks, -type,
 * a module path with directories, pam_unix2, the last hash option wins. */
static void test_syntax(void **s)
{
	(void)s;
	struct pam_hash h;
	put("etc/pam.d/passwd",
	    "password [success=2 new_authtok_reqd=done default=ignore] pam_krb5.so # pam_unix.so md5\n"
	    "#password required pam_unix.so md5\n"
	    "-password [default=ignore \\\n"
	    "   success=ok] /lib/security/pam_unix.so \\\n"
	    "   md5 yescrypt sha256 rounds=9000\n");
	assert_int_equal(walk(&h), 0);
	assert_true(h.found);
	assert_string_equal(h.hash, "sha256");
	assert_int_equal(h.rounds, 9000);
	assert_int_equal(h.line, 3);
	put("etc/pam.d/passwd", "PASSWORD include common\n");
	put("etc/pam.d/common", "password required pam_unix2.so nullok\n");
	assert_int_equal(walk(&h), 0);
	assert_string_equal(h.module, "pam_unix2.so");
	assert_string_equal(h.hash, "");
	/* no pam_unix line at all: found = 0, not an error */
	put("etc/pam.d/common", "password required pam_sss.so\n");
	assert_int_equal(walk(&h), 0);
	assert_false(h.found);
}

/* No /etc/pam.d/passwd: /usr/lib/pam.d/passwd (vendor), else "other";
 * a relative include is looked up in /etc/pam.d, then /usr/lib/pam.d. */
static void test_fallbacks(void **s)
{
	(void)s;
	struct pam_hash h;
	assert_int_equal(walk(&h), 0);  /* nothing at all */
	assert_false(h.found);
	put("etc/pam.d/other", "@include common-password\n");
	put("usr/lib/pam.d/common-password", "password required pam_unix.so yescrypt\n");
	assert_int_equal(walk(&h), 0);
	assert_string_equal(h.service, "/etc/pam.d/other");
	assert_string_equal(h.file, "/usr/lib/pam.d/common-password");
	put("usr/lib/pam.d/passwd", "password include common-password\n");
	put("etc/pam.d/common-password", "password required pam_unix.so sha512\n");
	assert_int_equal(walk(&h), 0);
	assert_string_equal(h.service, "/usr/lib/pam.d/passwd");
	assert_string_equal(h.hash, "sha512");
}

/* The limits: a stack including itself stops at libpam's 16 levels; a
 * fan-out at 64 files; a missing include; a NUL byte; a 100 KB line. */
static void test_limits(void **s)
{
	(void)s;
	struct pam_hash h;
	put("etc/pam.d/passwd", "password substack passwd\n");
	assert_int_equal(walk(&h), -ELOOP);
	assert_non_null(strstr(rc_msg(), "/etc/pam.d/passwd line 1: password substack passwd: includes nested 16 levels deep"));
	char *many = malloc(100 * 20);
	many[0] = 0;
	for (int i = 0; i < 100; i++)
		strcat(many, "@include empty\n");
	put("etc/pam.d/passwd", many);
	put("etc/pam.d/empty", "# nothing\n");
	assert_int_equal(walk(&h), -E2BIG);
	assert_non_null(strstr(rc_msg(), "more than 64 PAM files"));
	free(many);
	put("etc/pam.d/passwd", "password required pam_deny.so\n@include gone\npassword required pam_unix.so\n");
	assert_int_equal(walk(&h), -ENOENT);
	assert_string_equal(rc_msg(), "/etc/pam.d/passwd line 2: @include gone: no such file in the target "
			    "(its passwd cannot load this PAM stack)");
	char nul[] = "password required pam_deny.so\npassword required pam_unix.so\0 md5\n";
	char p[512];
	snprintf(p, sizeof(p), "%s/etc/pam.d/passwd", top);
	FILE *f = fopen(p, "w");
	fwrite(nul, 1, sizeof(nul) - 1, f);
	fclose(f);
	assert_int_equal(walk(&h), -EINVAL);
	assert_string_equal(rc_msg(), "/etc/pam.d/passwd line 2: a NUL byte: the file is damaged; not read further");
	char *longl = malloc(100 * 1024 + 64);
	memset(longl, 'x', 100 * 1024);
	strcpy(longl + 100 * 1024, "\npassword required pam_unix.so\n");
	put("etc/pam.d/passwd", longl);
	free(longl);
	assert_int_equal(walk(&h), -E2BIG);
	assert_non_null(strstr(rc_msg(), "line 1: the line is longer than 65536 bytes"));
}

static void test_hash_args(void **s)
{
	(void)s;
	struct pam_hash h = { .rounds = -1 };
	char a0[] = "obscure", a1[] = "yescrypt", a2[] = "rounds=x", a3[] = "blowfish";
	char *av[] = { a0, a1, a2, a3 };
	pam_hash_args(av, 2, &h);
	assert_string_equal(h.hash, "yescrypt");
	assert_int_equal(h.rounds, -1);
	pam_hash_args(av, 4, &h);
	assert_string_equal(h.hash, "blowfish");
	assert_int_equal(h.rounds, 0);  /* unreadable: pam_unix's strtol gives 0 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_debian, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rhel_substack_link, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syntax, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fallbacks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
		cmocka_unit_test(test_hash_args),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
