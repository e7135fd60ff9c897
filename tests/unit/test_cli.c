/* Common option parsing and the generated help. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>
#include <cmocka.h>
#include "../../lib/cli.h"

static int dummy_main(int argc, char **argv) { (void)argc; (void)argv; return 0; }
static const struct applet ap = { "demo", dummy_main, AP_WRITES | AP_TARGET, "[DEVICE]", "Do a demo", "" };
static const struct cli_opt extra[] = {
	{ "size", required_argument, 's', "SIZE", "new size" },
	{ "lock", no_argument, 300, NULL, "lock it" },
	{ NULL, 0, 0, NULL, NULL },
};

struct seen { const char *size; int lock; };
static int on_opt(struct cli *c, void *p, int id, const char *arg)
{
	(void)c;
	struct seen *s = p;
	if (id == 's')
		s->size = arg;
	else if (id == 300)
		s->lock++;
	return 0;
}

static int parse(struct cli *c, struct seen *s, int *done, int n, ...)
{
	char *argv[16];
	va_list ap_;
	va_start(ap_, n);
	for (int i = 0; i < n; i++)
		argv[i] = va_arg(ap_, char *);
	va_end(ap_);
	argv[n] = NULL;
	memset(s, 0, sizeof(*s));
	return cli_parse(c, &ap, n, argv, extra, on_opt, s, 0, 1, done);
}

static void common_and_extra(void **st)
{
	(void)st;
	struct cli c;
	struct seen s;
	int done;
	assert_int_equal(parse(&c, &s, &done, 7, "demo", "-J", "-n", "--yes", "--size", "20G", "--lock"), 0);
	assert_false(done);
	assert_true(c.json && c.dry_run && c.yes);
	assert_string_equal(s.size, "20G");
	assert_int_equal(s.lock, 1);
	assert_int_equal(c.nargs, 0);
	assert_int_equal(parse(&c, &s, &done, 4, "demo", "-s1G", "-qv", "/dev/sda3"), 0);
	assert_string_equal(s.size, "1G");
	assert_true(c.quiet);
	assert_int_equal(c.verbose, 1);
	assert_int_equal(c.nargs, 1);
	assert_string_equal(c.args[0], "/dev/sda3");
	/* GNU order: options may follow DEVICE; "--" ends them */
	assert_int_equal(parse(&c, &s, &done, 4, "demo", "/dev/sda3", "-n", "--lock"), 0);
	assert_true(c.dry_run);
	assert_int_equal(c.nargs, 1);
	assert_string_equal(c.args[0], "/dev/sda3");
	assert_int_equal(parse(&c, &s, &done, 3, "demo", "--", "-weird-file"), 0);
	assert_string_equal(c.args[0], "-weird-file");
}

static void usage_errors(void **st)
{
	(void)st;
	struct cli c;
	struct seen s;
	int done;
	assert_int_equal(parse(&c, &s, &done, 2, "demo", "--nope"), RC_EXIT_USAGE);
	assert_true(done);
	assert_int_equal(parse(&c, &s, &done, 2, "demo", "--size"), RC_EXIT_USAGE);
	assert_int_equal(parse(&c, &s, &done, 3, "demo", "a", "b"), RC_EXIT_USAGE);
	assert_int_equal(parse(&c, &s, &done, 4, "demo", "--root", "/mnt", "/dev/sda"), RC_EXIT_USAGE);
}

static void help_lists_everything(void **st)
{
	(void)st;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	cli_help(&ap, extra, f);
	fclose(f);
	const char *want[] = { "Usage: rescuectl demo [OPTIONS] [DEVICE]", "-s, --size SIZE", "--lock",
			       "--root DIR", "-n, --dry-run", "-y, --yes", "-J, --json", "-q, --quiet",
			       "-v, --verbose", "-h, --help", "Exit codes:" };
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_non_null(strstr(buf, want[i]));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(common_and_extra), cmocka_unit_test(usage_errors),
		cmocka_unit_test(help_lists_everything),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
