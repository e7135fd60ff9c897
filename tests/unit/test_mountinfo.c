/* /proc/self/mountinfo parsing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <cmocka.h>
#include "../../lib/mountinfo.h"

static void parse_lines(void **s)
{
	(void)s;
	struct mounts ms;
	const char *t =
		"22 1 8:3 / / rw,relatime shared:1 - ext4 /dev/sda3 rw,errors=remount-ro\n"
		"35 22 7:1 / /mnt/with\\040space rw master:2 unbindable - xfs /dev/loop1p2 rw,attr2\n"
		"garbage line\n"
		"40 22 0:5 /sub /srv/bind rw - tmpfs tmpfs rw\n"
		"41 22 0:6 / /x rw - proc proc";
	assert_int_equal(mountinfo_parse(t, &ms), 0);
	assert_int_equal(ms.n, 4);
	assert_int_equal(ms.m[0].dev, makedev(8, 3));
	assert_string_equal(ms.m[1].target, "/mnt/with space");
	assert_string_equal(ms.m[1].fstype, "xfs");
	assert_string_equal(ms.m[1].source, "/dev/loop1p2");
	assert_string_equal(ms.m[2].root, "/sub");
	assert_string_equal(ms.m[3].super_opts, "");
	size_t from = 0;
	assert_non_null(mountinfo_by_dev(&ms, makedev(7, 1), &from));
	assert_null(mountinfo_by_dev(&ms, makedev(7, 1), &from));
	assert_string_equal(mountinfo_by_target(&ms, "/")->source, "/dev/sda3");
	mountinfo_free(&ms);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(parse_lines) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
