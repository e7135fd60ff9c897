/* Unit tests for lib/shadow.c: edits change only the two fields of one line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../lib/shadow.h"
#include "../../lib/err.h"

static char *edit(const char *in, size_t len, enum pwkind k, const char *user, const char *pw,
		  long lastchg, size_t *outlen, unsigned *notes, int *ret)
{
	char *out = NULL;
	*ret = pw_edit(in, len, k, "/etc/shadow", user, pw, lastchg, &out, outlen, notes);
	return out;
}

static void check(const char *in, const char *user, const char *pw, long lastchg, const char *want,
		  unsigned want_notes)
{
	size_t ol;
	unsigned notes;
	int r;
	char *out = edit(in, strlen(in), PW_SHADOW, user, pw, lastchg, &ol, &notes, &r);
	assert_int_equal(r, 0);
	assert_non_null(out);
	assert_int_equal(ol, strlen(want));
	assert_string_equal(out, want);
	assert_int_equal(notes & ~PWE_NOCHANGE, want_notes);
	free(out);
}

static void test_basic(void **s)
{
	(void)s;
	check("root:$6$old$xyz:19000:0:99999:7:::\nbin:*:19000:0:99999:7:::\n", "root", "$y$j9T$a$b", 20000,
	      "root:$y$j9T$a$b:20000:0:99999:7:::\nbin:*:19000:0:99999:7:::\n", 0);
	/* only the named account, not a prefix of it */
	check("rootx:!:1::::::\nroot:!:1::::::\n", "root", "H", 5, "rootx:!:1::::::\nroot:H:5::::::\n", 0);
	/* a locked password is replaced */
	check("a:!$6$q$w:1:0:99999:7:::\n", "a", "$6$n$m", 2, "a:$6$n$m:2:0:99999:7:::\n", 0);
	/* lastchg -1 keeps the field */
	check("a:x:123:0:99999:7:::\n", "a", "", -1, "a::123:0:99999:7:::\n", 0);
	/* lastchg 0 forces a change */
	check("a:x:123:0:99999:7:::\n", "a", "h", 0, "a:h:0:0:99999:7:::\n", 0);
}

static void test_no_trailing_newline(void **s)
{
	(void)s;
	check("bin:*:1::::::\nroot:old:1:0:99999:7:::", "root", "new", 9,
	      "bin:*:1::::::\nroot:new:9:0:99999:7:::", PWE_NOEOL);
	check("root:old:1:0:99999:7:::\nbin:*:1::::::", "root", "new", 9,
	      "root:new:9:0:99999:7:::\nbin:*:1::::::", PWE_NOEOL);
}

static void test_crlf(void **s)
{
	(void)s;
	check("root:old:1:0:99999:7:::\r\nbin:*:1::::::\r\n", "root", "new", 9,
	      "root:new:9:0:99999:7:::\r\nbin:*:1::::::\r\n", PWE_CRLF);
	/* CR kept after padding, not swallowed into a field */
	check("root:old\r\n", "root", "new", 9, "root:new:9::::::\r\n", PWE_CRLF | PWE_PADDED);
	check("root\r\n", "root", "new", 9, "root:new:9::::::\r\n", PWE_CRLF | PWE_PADDED);
}

static void test_missing_fields(void **s)
{
	(void)s;
	check("root:old\n", "root", "new", 9, "root:new:9::::::\n", PWE_PADDED);
	check("root\n", "root", "new", 9, "root:new:9::::::\n", PWE_PADDED);
	check("root", "root", "new", 9, "root:new:9::::::", PWE_PADDED | PWE_NOEOL);
	check("root:old:1\n", "root", "new", 9, "root:new:9::::::\n", PWE_PADDED);
	/* the old 5-field form is valid: left at 5 */
	check("root:old:1:0:99999\n", "root", "new", 9, "root:new:9:0:99999\n", 0);
	/* a 9-field line stays 9 fields */
	check("root:::::::::\n", "root", "new", 9, "root:new:9:::::::\n", 0);
}

static void test_not_found(void **s)
{
	(void)s;
	size_t ol;
	unsigned notes;
	int r;
	const char *in = "bin:*:1::::::\nroots:x:1::::::\n";
	char *out = edit(in, strlen(in), PW_SHADOW, "root", "x", 1, &ol, &notes, &r);
	assert_int_equal(r, -ENOENT);
	assert_null(out);
	out = edit("", 0, PW_SHADOW, "root", "x", 1, &ol, &notes, &r);
	assert_int_equal(r, -ENOENT);
}

static void test_nul_refused(void **s)
{
	(void)s;
	size_t ol;
	unsigned notes;
	int r;
	const char in[] = "bin:*:1::::::\nroot:x:1::::::\n\0\0\0\0";
	char *out = edit(in, sizeof(in) - 1, PW_SHADOW, "root", "x", 1, &ol, &notes, &r);
	assert_int_equal(r, -EINVAL);
	assert_null(out);
	assert_int_equal(rc_exit_hint(), RC_EXIT_REFUSED);
	assert_non_null(strstr(rc_msg(), "NUL byte (line 3, byte offset 29)"));
}

static void test_long_line(void **s)
{
	(void)s;
	size_t n = 10u << 20;
	size_t ol;
	unsigned notes;
	int r;
	char *out;
	/* a 10 MB line for the account itself: linear, no line buffer to overflow */
	char *big = malloc(n + 100);
	strcpy(big, "root:");
	memset(big + 5, 'p', n);
	strcpy(big + 5 + n, ":1:0:99999:7:::\n");
	out = edit(big, strlen(big), PW_SHADOW, "root", "h", 7, &ol, &notes, &r);
	assert_int_equal(r, 0);
	assert_string_equal(out, "root:h:7:0:99999:7:::\n");
	free(out);
	free(big);
}

static void test_long_line_exact(void **s)
{
	(void)s;
	/* Everything but the edited line is byte-identical. */
	size_t n = 100 * 1024;
	char *in = calloc(1, 2 * n + 200);
	char *p = in;
	p += sprintf(p, "a:");
	memset(p, 'x', n);
	p += n;
	p += sprintf(p, ":1::::::\nroot:old:1:0:99999:7:::\nb:");
	memset(p, 'y', n);
	p += n;
	p += sprintf(p, ":2::::::");
	size_t inlen = (size_t)(p - in);
	size_t ol;
	unsigned notes;
	int r;
	char *out = edit(in, inlen, PW_SHADOW, "root", "HASH", 55, &ol, &notes, &r);
	assert_int_equal(r, 0);
	size_t pre = 2 + n + 9;
	assert_memory_equal(out, in, pre);
	assert_memory_equal(out + pre, "root:HASH:55:0:99999:7:::\n", 26);
	assert_memory_equal(out + pre + 26, in + pre + 24, inlen - pre - 24);
	assert_int_equal(ol, inlen + 2);
	free(out);
	free(in);
}

static void test_duplicates(void **s)
{
	(void)s;
	check("root:a:1::::::\nroot:b:1::::::\n", "root", "n", 2, "root:n:2::::::\nroot:b:1::::::\n", PWE_DUPS);
}

static void test_passwd(void **s)
{
	(void)s;
	size_t ol;
	unsigned notes;
	int r;
	const char *in = "root:$6$a$b:0:0:root:/root:/bin/bash\n";
	char *out = edit(in, strlen(in), PW_PASSWD, "root", "$6$c$d", 100, &ol, &notes, &r);
	assert_int_equal(r, 0);
	assert_string_equal(out, "root:$6$c$d:0:0:root:/root:/bin/bash\n");
	free(out);
	const char *bad = "root:x:0:0\n";
	out = edit(bad, strlen(bad), PW_PASSWD, "root", "h", 1, &ol, &notes, &r);
	assert_int_equal(r, -EINVAL);
	assert_null(out);
	assert_non_null(strstr(rc_msg(), "4 fields"));
}

static void test_bad_input(void **s)
{
	(void)s;
	size_t ol;
	unsigned notes;
	int r;
	const char *in = "root:x:1::::::\n";
	assert_null(edit(in, strlen(in), PW_SHADOW, "root", "a:b", 1, &ol, &notes, &r));
	assert_int_equal(r, -EINVAL);
	assert_null(edit(in, strlen(in), PW_SHADOW, "root", "a\nb", 1, &ol, &notes, &r));
	assert_int_equal(r, -EINVAL);
	assert_null(edit(in, strlen(in), PW_SHADOW, "ro:ot", "h", 1, &ol, &notes, &r));
	assert_int_equal(r, -EINVAL);
	assert_null(edit(in, strlen(in), PW_SHADOW, "", "h", 1, &ol, &notes, &r));
	assert_int_equal(r, -EINVAL);
	assert_null(edit(in, strlen(in), PW_SHADOW, "+root", "h", 1, &ol, &notes, &r));
	assert_int_equal(r, -EINVAL);
}

static void test_nochange(void **s)
{
	(void)s;
	size_t ol;
	unsigned notes;
	int r;
	const char *in = "root:h:5::::::\n";
	char *out = edit(in, strlen(in), PW_SHADOW, "root", "h", 5, &ol, &notes, &r);
	assert_int_equal(r, 0);
	assert_true(notes & PWE_NOCHANGE);
	free(out);
}

static void test_lock(void **s)
{
	(void)s;
	char *o;
	assert_int_equal(pw_lock_field("$6$a$b", 1, &o), 0);
	assert_string_equal(o, "!$6$a$b");
	free(o);
	assert_int_equal(pw_lock_field("!$6$a$b", 1, &o), 1);
	assert_string_equal(o, "!$6$a$b");
	free(o);
	assert_int_equal(pw_lock_field("", 1, &o), 0);
	assert_string_equal(o, "!");
	free(o);
	assert_int_equal(pw_lock_field("!$6$a$b", 0, &o), 0);
	assert_string_equal(o, "$6$a$b");
	free(o);
	/* "!!" is the lock libuser's passwd -l (RHEL, Fedora) writes: every
	 * leading '!' goes, or the hash stays locked */
	assert_int_equal(pw_lock_field("!!$y$j9T$salt$hash", 0, &o), 0);
	assert_string_equal(o, "$y$j9T$salt$hash");
	free(o);
	/* nothing but '!': unlocking would leave an empty password, which
	 * passwd -u and usermod -U refuse too */
	rc_clear();
	o = (char *)1;
	assert_int_equal(pw_lock_field("!!", 0, &o), -EPERM);
	assert_null(o);
	assert_int_equal(rc_exit_hint(), RC_EXIT_REFUSED);
	assert_non_null(strstr(rc_msg(), "empty password"));
	assert_int_equal(pw_lock_field("!", 0, &o), -EPERM);
	assert_null(o);
	assert_int_equal(pw_lock_field("$6$a$b", 0, &o), 1);
	assert_string_equal(o, "$6$a$b");
	free(o);
}

static void test_fields_and_nums(void **s)
{
	(void)s;
	const char *in = "x:y:1\nroot:pw:19000:0:99999:7::20000:\n";
	struct pwline l;
	assert_int_equal(pw_find(in, strlen(in), "root", "f", &l), 0);
	assert_int_equal(l.lineno, 2);
	assert_int_equal(l.nfields, 9);
	char *f = pw_field(in, &l, 1);
	assert_string_equal(f, "pw");
	free(f);
	assert_null(pw_field(in, &l, 9));
	struct spnums n;
	pw_shadow_nums(in, &l, &n);
	assert_int_equal(n.lastchg, 19000);
	assert_int_equal(n.min, 0);
	assert_int_equal(n.max, 99999);
	assert_int_equal(n.inact, -1);
	assert_int_equal(n.expire, 20000);
	const char *in2 = "root:pw:abc\n";
	assert_int_equal(pw_find(in2, strlen(in2), "root", "f", &l), 0);
	pw_shadow_nums(in2, &l, &n);
	assert_int_equal(n.lastchg, -2);
	assert_int_equal(n.expire, -1);
	char day[32];
	pw_day_str(0, day, sizeof(day));
	assert_string_equal(day, "1970-01-01");
	pw_day_str(20416, day, sizeof(day));
	assert_string_equal(day, "2025-11-24");
	assert_true(pw_shell_refuses("/usr/sbin/nologin"));
	assert_true(pw_shell_refuses("/bin/false"));
	assert_false(pw_shell_refuses("/bin/bash"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_no_trailing_newline),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_missing_fields),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_nul_refused),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_long_line_exact),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_passwd),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_nochange),
		cmocka_unit_test(test_lock),
		cmocka_unit_test(test_fields_and_nums),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
