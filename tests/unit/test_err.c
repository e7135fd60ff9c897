/* Unit tests for lib/err.c: a message formatted from the recorded message
 * itself (rc_fail(e, "%s", rc_msg()), as detect.c does, and rc_context)
 * comes out whole, never formatted into itself; long messages are cut. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "../../lib/err.h"

static void test_self_format(void **s)
{
	(void)s;
	rc_clear();
	assert_string_equal(rc_msg(), "unknown error");
	assert_int_equal(rc_fail(EIO, "cannot read %s", "/dev/sda3"), -EIO);
	/* the pattern of detect.c: the recorded message as an argument */
	assert_int_equal(rc_fail(ENOENT, "%s", rc_msg()), -ENOENT);
	assert_string_equal(rc_msg(), "cannot read /dev/sda3");
	/* before: "no root: no root: no root: ..." (vsnprintf over its own source) */
	assert_int_equal(rc_failx(RC_EXIT_NOTFOUND, ENOENT, "no root: %s (%s)", rc_msg(), rc_msg()), -ENOENT);
	assert_string_equal(rc_msg(), "no root: cannot read /dev/sda3 (cannot read /dev/sda3)");
	assert_int_equal(rc_exit_hint(), RC_EXIT_NOTFOUND);
	rc_context(-ENOENT, "%s", rc_msg());
	assert_string_equal(rc_msg(), "no root: cannot read /dev/sda3 (cannot read /dev/sda3): "
			    "no root: cannot read /dev/sda3 (cannot read /dev/sda3)");
}

static void test_context_and_cut(void **s)
{
	(void)s;
	rc_clear();
	assert_int_equal(rc_context(-EACCES, "open %s", "/etc/shadow"), -EACCES);
	assert_string_equal(rc_msg(), "open /etc/shadow: Permission denied");
	char big[3000];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	rc_fail(E2BIG, "%s", big);
	assert_int_equal(strlen(rc_msg()), 2047);
	rc_fail(E2BIG, "x%s", rc_msg());
	assert_int_equal(strlen(rc_msg()), 2047);
	assert_int_equal(rc_msg()[0], 'x');
	assert_int_equal(rc_msg()[1], 'a');
	assert_int_equal(rc_fail(0, "zero"), -EIO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_self_format),
		cmocka_unit_test(test_context_and_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
