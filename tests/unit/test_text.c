/* Unit tests for lib/text.c: what a hostile disk's text looks like on the terminal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../lib/text.h"

static void test_escapes(void **s)
{
	(void)s;
	char b[256];
	/* ANSI colour, OSC title with BEL, CR: what libsmartcols shows in detect-root */
	assert_string_equal(text_escape("Evil \033[31mRED\033]0;t\007 \r x", NULL, b, sizeof(b)),
			    "Evil \\x1b[31mRED\\x1b]0;t\\x07 \\x0d x");
	assert_string_equal(text_escape("Debian GNU/Linux 12 (bookworm)", NULL, b, sizeof(b)),
			    "Debian GNU/Linux 12 (bookworm)");
	/* bytes >= 0x80 (C locale) and DEL; a literal "\x" stays unambiguous */
	assert_string_equal(text_escape("D\xc3\xa9" "b\x7f" "a\\xb\\n", NULL, b, sizeof(b)),
			    "D\\xc3\\xa9b\\x7fa\\x5cxb\\n");
	/* kept control characters */
	assert_string_equal(text_escape("a\nb\tc\033", "\n\t", b, sizeof(b)), "a\nb\tc\\x1b");
	assert_string_equal(text_escape("a\nb", NULL, b, sizeof(b)), "a\\x0ab");
	assert_int_equal(text_escaped_len("a\033b", NULL), 6);
}

static void test_cut(void **s)
{
	(void)s;
	char b[8];
	/* never half an escape */
	assert_string_equal(text_escape("abcd\033", NULL, b, sizeof(b)), "abcd");
	assert_string_equal(text_escape("ab\033cd", NULL, b, sizeof(b)), "ab\\x1bc");
	assert_string_equal(text_escape("abcdefghij", NULL, b, sizeof(b)), "abcdefg");
	assert_string_equal(text_escape("x", NULL, b, 1), "");
}

static void test_fputs_long(void **s)
{
	(void)s;
	/* 10 MB of escapes through the stream, no length limit */
	size_t n = 10u << 20;
	char *in = malloc(n + 1);
	assert_non_null(in);
	memset(in, '\033', n);
	in[n] = 0;
	char *out = NULL;
	size_t olen = 0;
	FILE *f = open_memstream(&out, &olen);
	assert_non_null(f);
	assert_true(text_fputs(in, NULL, f) >= 0);
	fclose(f);
	assert_int_equal(olen, 4 * n);
	assert_memory_equal(out, "\\x1b\\x1b", 8);
	free(in);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_fputs_long),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
