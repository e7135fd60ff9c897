/* Unit tests for lib/yamlbound.c: hostile YAML is refused at once and with
 * its place; ordinary YAML loads as libyaml loads it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../lib/yamlbound.h"

static int load(const char *text, size_t len, char *err, size_t esz)
{
	yaml_document_t d;
	err[0] = 0;
	int r = yb_load(text, len, &d, err, esz);
	if (r == YB_LOADED)
		yaml_document_delete(&d);
	return r;
}

static void test_ordinary(void **s)
{
	(void)s;
	char err[256];
	const char *t = "cloud_init_modules:\n - growpart\n - [resizefs, always]\n"
			"base: &b {mode: auto}\ngrowpart: *b\n";
	yaml_document_t d;
	assert_int_equal(yb_load(t, strlen(t), &d, err, sizeof(err)), YB_LOADED);
	yaml_node_t *root = yaml_document_get_root_node(&d);
	assert_non_null(root);
	assert_int_equal(root->type, YAML_MAPPING_NODE);
	yaml_document_delete(&d);
	/* empty text: loaded, no root */
	assert_int_equal(yb_load("", 0, &d, err, sizeof(err)), YB_LOADED);
	assert_null(yaml_document_get_root_node(&d));
	yaml_document_delete(&d);
}

/* 100,000 '[' in 200 KB: libyaml alone took 37 s */
static void test_deep(void **s)
{
	(void)s;
	char err[256];
	size_t n = 100000;
	char *b = malloc(2 * n + 16);
	assert_non_null(b);
	strcpy(b, "a: ");
	memset(b + 3, '[', n);
	memset(b + 3 + n, ']', n);
	b[3 + 2 * n] = 0;
	assert_int_equal(load(b, strlen(b), err, sizeof(err)), YB_TOO_BIG);
	/* the top mapping is level 1: the 64th '[' (column 67) is level 65 */
	assert_string_equal(err, "line 1 column 67: nested deeper than 64 levels");
	/* block style too */
	char *o = b;
	for (int i = 0; i < 70; i++)
		o += sprintf(o, "%*sk%d:\n", 2 * i, "", i);
	assert_int_equal(load(b, strlen(b), err, sizeof(err)), YB_TOO_BIG);
	assert_non_null(strstr(err, "nested deeper than 64 levels"));
	/* 64 levels are fine */
	memset(b, '[', 64);
	memset(b + 64, ']', 64);
	b[128] = 0;
	assert_int_equal(load(b, strlen(b), err, sizeof(err)), YB_LOADED);
	free(b);
}

/* Nine levels of nine aliases: 9^9 nodes for a walk of the tree. */
static void test_alias_bomb(void **s)
{
	(void)s;
	char err[256], *b = malloc(8192), *o = b;
	assert_non_null(b);
	o += sprintf(o, "a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
	for (int i = 1; i <= 9; i++) {
		o += sprintf(o, "a%d: &a%d [", i, i);
		for (int j = 0; j < 9; j++)
			o += sprintf(o, "*a%d%s", i - 1, j < 8 ? ", " : "]\n");
	}
	assert_int_equal(load(b, strlen(b), err, sizeof(err)), YB_TOO_BIG);
	assert_non_null(strstr(err, "aliases that expand to more than 100000 nodes"));
	/* a5 (line 6) is the first to expand past it: 9^5 */
	assert_int_equal(strncmp(err, "line 6 column", 13), 0);
	/* four levels are fine: 9^4 */
	o = strstr(b, "a5:");
	*o = 0;
	assert_int_equal(load(b, strlen(b), err, sizeof(err)), YB_LOADED);
	/* bytes: one long scalar aliased many times */
	size_t big = 1 << 20;
	char *t = malloc(big + 4096);
	assert_non_null(t);
	o = t + sprintf(t, "s: &s ");
	memset(o, 'x', big);
	o += big;
	o += sprintf(o, "\nl: [");
	for (int j = 0; j < 20; j++)
		o += sprintf(o, "*s, ");
	strcpy(o, "]\n");
	assert_int_equal(load(t, strlen(t), err, sizeof(err)), YB_TOO_BIG);
	assert_non_null(strstr(err, "more than 16 MiB of text"));
	free(t);
	free(b);
}

/* An alias inside the collection it names: a recursive structure. */
static void test_recursive(void **s)
{
	(void)s;
	char err[256];
	const char *t = "a: &r [x, *r, *r]\n";
	assert_int_equal(load(t, strlen(t), err, sizeof(err)), YB_TOO_BIG);
	assert_string_equal(err, "line 1 column 11: a recursive alias: *r inside the node &r names");
	/* libyaml refuses a name defined twice */
	t = "a: &r [&r x, *r]\n";
	assert_int_equal(load(t, strlen(t), err, sizeof(err)), YB_INVALID);
	assert_non_null(strstr(err, "found duplicate anchor"));
}

static void test_counts(void **s)
{
	(void)s;
	char err[256];
	size_t n = 100001;
	char *b = malloc(2 * n + 16);
	assert_non_null(b);
	char *o = b;
	*o++ = '[';
	for (size_t i = 0; i < n; i++) {
		*o++ = '1';
		*o++ = ',';
	}
	strcpy(o, "]");
	assert_int_equal(load(b, strlen(b), err, sizeof(err)), YB_TOO_BIG);
	assert_non_null(strstr(err, "more than 100000 nodes"));
	free(b);
	/* more than the size limit: refused before parsing */
	assert_int_equal(load("x", YB_MAX_BYTES + 1, err, sizeof(err)), YB_TOO_BIG);
	assert_non_null(strstr(err, "larger than 4194304 bytes"));
}

/* The reader's errors carry a byte offset; the message must say where. */
static void test_places(void **s)
{
	(void)s;
	char err[256];
	assert_int_equal(load("a: 1\nb: 2\nc: \x01x\n", 14, err, sizeof(err)), YB_INVALID);
	assert_string_equal(err, "line 3 column 4: control characters are not allowed (byte 0x01)");
	assert_int_equal(load("a: 1\nb: 2\nc: x\0y\n", 16, err, sizeof(err)), YB_INVALID);
	assert_string_equal(err, "line 3 column 5: control characters are not allowed (byte 0x00)");
	assert_int_equal(load("a: \xc3\xa9\nb: \xff\n", 12, err, sizeof(err)), YB_INVALID);
	assert_string_equal(err, "line 2 column 4: invalid leading UTF-8 octet (byte 0xff)");
	/* scanner and composer errors: libyaml's own marks */
	const char *t = "a: 1\nb: 2\n  c: [x\n";
	assert_int_equal(load(t, strlen(t), err, sizeof(err)), YB_INVALID);
	assert_string_equal(err, "line 3 column 4: mapping values are not allowed in this context");
	t = "a: 1\nb: *nope\n";
	assert_int_equal(load(t, strlen(t), err, sizeof(err)), YB_INVALID);
	assert_string_equal(err, "line 2 column 4: found undefined alias");
	size_t l, c;
	yb_place("ab\n\xc3\xa9x", 6, 5, &l, &c);
	assert_int_equal(l, 2);
	assert_int_equal(c, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ordinary),
		cmocka_unit_test(test_deep),
		cmocka_unit_test(test_alias_bomb),
		cmocka_unit_test(test_recursive),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_places),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
