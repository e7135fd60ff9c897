/* Unit tests: cloud-config analysis (parse, merge) and the surgical edit of
 * the module lists in lib/growpart.c. Run from the top of the tree (make unit). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../lib/growpart.h"
#include "../../lib/err.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc((size_t)n + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	b[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return b;
}

static struct gp_cfg parse(const char *s)
{
	struct gp_cfg c;
	assert_int_equal(gp_cfg_parse(s, strlen(s), &c), 0);
	return c;
}

/* Edit S and compare with WANT (NULL: nothing to remove). */
static void edit_is(const char *s, const char *want, int nrm)
{
	char *out = NULL;
	size_t len = 0;
	int removed = -1;
	int r = gp_edit_modules(s, strlen(s), &out, &len, &removed);
	if (r)
		fail_msg("edit failed: %s", rc_msg());
	if (!want) {
		assert_null(out);
		assert_int_equal(removed, 0);
		return;
	}
	assert_non_null(out);
	assert_string_equal(out, want);
	assert_int_equal(len, strlen(want));
	assert_int_equal(removed, nrm);
	/* the result no longer lists either module anywhere */
	struct gp_cfg c = parse(out);
	assert_true(c.valid);
	for (int i = 0; i < GP_NLISTS; i++) {
		assert_false(c.list_growpart[i]);
		assert_false(c.list_resizefs[i]);
	}
	free(out);
}

static void edit_refused(const char *s)
{
	char *out = (char *)1;
	size_t len = 0;
	int removed = -1;
	rc_clear();
	int r = gp_edit_modules(s, strlen(s), &out, &len, &removed);
	assert_true(r < 0);
	assert_null(out);
	assert_true(strlen(rc_msg()) > 0);
}

/* Remove each whole line equal to one of LINES from TEXT. */
static char *without_lines(const char *text, const char *const *lines)
{
	char *res = malloc(strlen(text) + 1), *o = res;
	for (const char *p = text; *p;) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) + 1 : strlen(p);
		int drop = 0;
		for (const char *const *x = lines; *x; x++)
			drop |= strlen(*x) == l && !memcmp(*x, p, l);
		if (!drop) {
			memcpy(o, p, l);
			o += l;
		}
		p += l;
	}
	*o = 0;
	return res;
}

static void t_module_kind(void **state)
{
	(void)state;
	assert_int_equal(gp_module_kind("growpart", 8), 1);
	assert_int_equal(gp_module_kind(" cc_growpart ", 13), 1);
	assert_int_equal(gp_module_kind("growpart.py", 11), 1);
	assert_int_equal(gp_module_kind("resizefs", 8), 2);
	assert_int_equal(gp_module_kind("cc_resizefs", 11), 2);
	assert_int_equal(gp_module_kind("resize-fs", 9), 0);   /* resize_fs is not a module */
	assert_int_equal(gp_module_kind("write-files", 11), 0);
	assert_int_equal(gp_module_kind("growpart2", 9), 0);
	assert_int_equal(gp_module_kind("", 0), 0);
}

static void t_parse_ubuntu(void **state)
{
	(void)state;
	size_t len;
	char *s = slurp("tests/fixtures/cloud/ubuntu-22.04.cfg", &len);
	struct gp_cfg c;
	assert_int_equal(gp_cfg_parse(s, len, &c), 0);
	assert_true(c.valid);
	assert_true(c.has_list[GP_INIT_MODULES]);
	assert_true(c.list_growpart[GP_INIT_MODULES]);
	assert_true(c.list_resizefs[GP_INIT_MODULES]);
	assert_true(c.has_list[GP_CONFIG_MODULES]);
	assert_false(c.list_growpart[GP_CONFIG_MODULES]);
	assert_false(c.list_growpart[GP_FINAL_MODULES]);
	assert_false(c.has_growpart);
	assert_false(c.has_resize);
	free(s);
}

static void t_parse_rhel(void **state)
{
	(void)state;
	size_t len;
	char *s = slurp("tests/fixtures/cloud/rhel-9.cfg", &len);
	struct gp_cfg c;
	assert_int_equal(gp_cfg_parse(s, len, &c), 0);
	assert_true(c.valid);
	assert_true(c.list_growpart[GP_INIT_MODULES]);
	assert_true(c.list_resizefs[GP_INIT_MODULES]);
	assert_false(c.has_resize);   /* resize_rootfs_tmp is another key */
	free(s);
}

static void t_parse_variants(void **state)
{
	(void)state;
	size_t len;
	char *s = slurp("tests/fixtures/cloud/variants.cfg", &len);
	struct gp_cfg c;
	assert_int_equal(gp_cfg_parse(s, len, &c), 0);
	assert_true(c.valid);
	assert_true(c.list_growpart[GP_INIT_MODULES]);
	assert_true(c.list_resizefs[GP_INIT_MODULES]);
	assert_true(c.list_growpart[GP_CONFIG_MODULES]);
	assert_false(c.list_resizefs[GP_CONFIG_MODULES]);
	assert_true(c.list_resizefs[GP_FINAL_MODULES]);
	assert_true(c.has_growpart && c.growpart_map && c.has_mode);
	assert_false(c.mode_off);
	assert_string_equal(c.mode, "auto");
	assert_true(c.has_ignore);
	assert_false(c.ignore_growroot_disabled);
	assert_true(c.has_resize && c.resize_on);   /* noblock still resizes */
	free(s);
}

static void t_parse_values(void **state)
{
	(void)state;
	struct gp_cfg c;
	c = parse("growpart: {mode: 'off'}\nresize_rootfs: false\n");
	assert_true(c.mode_off);
	assert_false(c.resize_on);
	assert_string_equal(c.mode, "off");
	c = parse("growpart:\n  mode: off\n");          /* YAML 1.1 boolean False, deprecated */
	assert_true(c.mode_off);
	c = parse("growpart: {mode: \"No\"}\n");
	assert_true(c.mode_off);
	c = parse("growpart: {mode: growpart}\n");
	assert_false(c.mode_off);
	c = parse("growpart: {mode: auto, devices: []}\n");
	assert_true(c.has_devices && c.devices_empty);
	c = parse("growpart: false\n");                  /* not a mapping: cloud-init skips */
	assert_true(c.has_growpart);
	assert_false(c.growpart_map);
	c = parse("growpart: {ignore_growroot_disabled: true}\n");
	assert_true(c.has_ignore && c.ignore_growroot_disabled);
	assert_false(c.has_mode);
	c = parse("resize_rootfs: True\n");
	assert_true(c.resize_on);
	c = parse("resize_rootfs: 'noblock'\n");
	assert_true(c.resize_on);
	c = parse("resize_rootfs: ~\n");                 /* str(None) is not true */
	assert_true(c.has_resize);
	assert_false(c.resize_on);
	c = parse("resize_rootfs: false\nresize_rootfs: yes\n");  /* later duplicate wins */
	assert_true(c.resize_on);
	c = parse("");
	assert_true(c.valid);
	c = parse("# only a comment\n");
	assert_true(c.valid);
	assert_false(c.has_growpart);
}

static void t_parse_invalid(void **state)
{
	(void)state;
	struct gp_cfg c = parse("growpart:\n  mode: 'off\nresize_rootfs: false\n");
	assert_false(c.valid);
	assert_non_null(strstr(c.error, "line "));
	c = parse("- just\n- a list\n");
	assert_false(c.valid);
	c = parse("key: [unclosed\n");
	assert_false(c.valid);
}

static void t_merge(void **state)
{
	(void)state;
	struct gp_cfg acc = { 0 }, a, b, z;
	a = parse("cloud_init_modules: [growpart, resizefs]\ngrowpart: {mode: auto, devices: [/]}\n");
	b = parse(gp_dropin_text());
	z = parse("growpart: {mode: auto}\ncloud_init_modules: [ssh]\n");
	gp_cfg_merge(&acc, &a);
	assert_false(acc.mode_off);
	gp_cfg_merge(&acc, &b);
	assert_true(acc.mode_off);
	assert_true(acc.has_devices);          /* nested keys merge */
	assert_false(acc.resize_on);
	assert_true(acc.list_growpart[GP_INIT_MODULES]);
	gp_cfg_merge(&acc, &z);
	assert_false(acc.mode_off);            /* the later file wins */
	assert_false(acc.list_growpart[GP_INIT_MODULES]);   /* lists are replaced */
	assert_false(acc.resize_on);
	/* an invalid file changes nothing */
	struct gp_cfg bad = parse("growpart: [\n");
	struct gp_cfg before = acc;
	gp_cfg_merge(&acc, &bad);
	assert_memory_equal(&before, &acc, sizeof(acc));
	/* a non-mapping replaces the mapping as a whole */
	struct gp_cfg nm = parse("growpart: ~\n");
	gp_cfg_merge(&acc, &nm);
	assert_false(acc.growpart_map);
	assert_false(acc.has_devices);
}

static void t_dropin(void **state)
{
	(void)state;
	struct gp_cfg c = parse(gp_dropin_text());
	assert_true(c.valid && c.has_growpart && c.growpart_map && c.has_mode && c.mode_off);
	assert_string_equal(c.mode, "off");
	assert_true(c.has_resize);
	assert_false(c.resize_on);
	assert_true(gp_is_ours(gp_dropin_text()));
	assert_false(gp_is_ours("growpart: {mode: 'off'}\n"));
	assert_false(gp_is_ours(NULL));
	/* it sorts after the usual provider files, in C locale */
	const char *others[] = { "05_logging.cfg", "10-azure-kvp.cfg", "50-curtin-networking.cfg",
				 "90_dpkg.cfg", "90-hetznercloud.cfg", "91-gce-system.cfg", "99-installer.cfg",
				 "99_pve.cfg", "99_zz.cfg", "99-zz-rescuectl-growpart.cfg",
				 "curtin-preserve-sources.cfg", "subiquity-disable-cloudinit-networking.cfg",
				 "Z-upper.cfg", "ubuntu-advantage.cfg", NULL };
	for (const char **o = others; *o; o++)
		assert_true(strcmp(GP_DROPIN_NAME, *o) > 0);
}

static void t_edit_ubuntu(void **state)
{
	(void)state;
	size_t len;
	char *s = slurp("tests/fixtures/cloud/ubuntu-22.04.cfg", &len);
	const char *drop[] = { " - growpart\n", " - resizefs\n", NULL };
	char *want = without_lines(s, drop);
	assert_int_equal(strlen(want), len - strlen(drop[0]) - strlen(drop[1]));
	edit_is(s, want, 2);
	free(want);
	free(s);
}

static void t_edit_rhel(void **state)
{
	(void)state;
	size_t len;
	char *s = slurp("tests/fixtures/cloud/rhel-9.cfg", &len);
	const char *drop[] = { " - growpart\n", " - resizefs\n", NULL };
	char *want = without_lines(s, drop);
	edit_is(s, want, 2);
	/* a second edit finds nothing */
	edit_is(want, NULL, 0);
	free(want);
	free(s);
}

static void t_edit_variants(void **state)
{
	(void)state;
	size_t len;
	char *s = slurp("tests/fixtures/cloud/variants.cfg", &len);
	const char *want =
		"# cloud.cfg with every list form cloud-init accepts for a module entry.\n"
		"# Comments stay: café, naïve (UTF-8 in a comment).\n"
		"users: [default]\n"
		"growpart:\n"
		"  mode: auto\n"
		"  devices: ['/']   # the root\n"
		"  ignore_growroot_disabled: false\n"
		"resize_rootfs: noblock\n"
		"\n"
		"cloud_init_modules:\n"
		" - migrator\n"
		" # growpart runs on every boot:\n"
		" - bootcmd\n"
		" - {name: resize-fs-not-a-module}\n"
		" - ssh\n"
		"\n"
		"cloud_config_modules: [ 'ntp', \"runcmd\" ]\n"
		"cloud_final_modules: [scripts-user,\n"
		"    final-message]\n";
	edit_is(s, want, 5);
	free(s);
}

static void t_edit_flow(void **state)
{
	(void)state;
	edit_is("cloud_init_modules: [a, growpart, b]\n", "cloud_init_modules: [a, b]\n", 1);
	edit_is("cloud_init_modules: [a, growpart]\n", "cloud_init_modules: [a]\n", 1);
	edit_is("cloud_init_modules: [growpart, a]\n", "cloud_init_modules: [a]\n", 1);
	edit_is("cloud_init_modules: [growpart, resizefs]\n", "cloud_init_modules: []\n", 2);
	edit_is("cloud_init_modules: [a, growpart, resizefs]\n", "cloud_init_modules: [a]\n", 2);
	edit_is("cloud_init_modules: [growpart, a, resizefs, b]\n", "cloud_init_modules: [a, b]\n", 2);
	edit_is("cloud_init_modules: [ 'é', [growpart, always], b ]  # ü\n",
		"cloud_init_modules: [ 'é', b ]  # ü\n", 1);
	edit_is("x: 1\ncloud_final_modules: [a,\n  growpart,\n  b]\ny: 2\n",
		"x: 1\ncloud_final_modules: [a,\n  b]\ny: 2\n", 1);
	/* the same key elsewhere (not at the top) is not a module list */
	edit_is("system_info:\n  cloud_init_modules: [growpart]\n", NULL, 0);
	edit_is("cloud_init_modules: [a, b]\n", NULL, 0);
}

static void t_edit_block(void **state)
{
	(void)state;
	edit_is("cloud_init_modules:\n- growpart\n- ssh\n", "cloud_init_modules:\n- ssh\n", 1);
	edit_is("# c1\ncloud_init_modules:  # c2\n  # c3\n  - growpart   # c4\n  # c5\n  - ssh\n# c6\n",
		"# c1\ncloud_init_modules:  # c2\n  # c3\n  # c5\n  - ssh\n# c6\n", 1);
	edit_is("cloud_init_modules:\n - [ growpart, once-per-instance ]\n - x\n", "cloud_init_modules:\n - x\n", 1);
	edit_is("cloud_init_modules:\n - name: growpart\n   frequency: always\n - x\nz: 1\n",
		"cloud_init_modules:\n - x\nz: 1\n", 1);
	edit_is("cloud_init_modules:\n -\n   growpart\n - x\n", "cloud_init_modules:\n - x\n", 1);
	edit_is("cloud_init_modules:\r\n - growpart\r\n - x\r\n", "cloud_init_modules:\r\n - x\r\n", 1);
	edit_is("cloud_init_modules:\n - x\n - resizefs", "cloud_init_modules:\n - x\n", 1);
	/* the whole list: the key stays, its value becomes null (no modules) */
	edit_is("cloud_init_modules:\n - growpart\nb: 2\n", "cloud_init_modules:\nb: 2\n", 1);
	edit_is("cloud_init_modules:\n - [growpart,\n    always]\n - x\n", "cloud_init_modules:\n - x\n", 1);
	edit_is("cloud_init_modules:\n - x\n - - growpart\n   - always\n", "cloud_init_modules:\n - x\n", 1);
}

static void t_edit_refused(void **state)
{
	(void)state;
	/* an alias used in another list: removing the anchor line breaks it */
	edit_refused("cloud_init_modules:\n - &g growpart\ncloud_final_modules:\n - *g\n");
	edit_refused("cloud_init_modules: [growpart\n");   /* not YAML */
	/* an alias in a flow list points back at its anchor elsewhere */
	edit_refused("a: &g growpart\ncloud_init_modules: [*g, b]\n");
}

/* Hostile cloud-config: over lib/yamlbound.h's limits, parse and edit
 * refuse at once with the place and the limit (before: dump() walked 9^9
 * nodes and --edit-cloud-cfg ran until killed). */
static void t_limits(void **state)
{
	(void)state;
	char *b = malloc(8192), *o = b;
	assert_non_null(b);
	o += sprintf(o, "cloud_init_modules:\n - growpart\n - resizefs\n");
	o += sprintf(o, "b0: &b0 [x, x, x, x, x, x, x, x, x]\n");
	for (int i = 1; i <= 9; i++) {
		o += sprintf(o, "b%d: &b%d [", i, i);
		for (int j = 0; j < 9; j++)
			o += sprintf(o, "*b%d%s", i - 1, j < 8 ? ", " : "]\n");
	}
	struct gp_cfg c;
	rc_clear();
	assert_int_equal(gp_cfg_parse(b, strlen(b), &c), -E2BIG);
	assert_false(c.valid);
	assert_non_null(strstr(rc_msg(), "line 9 column 10: aliases that expand to more than 100000 nodes"));
	char *out = (char *)1;
	size_t len;
	int removed;
	rc_clear();
	assert_int_equal(gp_edit_modules(b, strlen(b), &out, &len, &removed), -E2BIG);
	assert_null(out);
	assert_non_null(strstr(rc_msg(), "alias bomb"));
	/* 100,000 '[' */
	free(b);
	size_t n = 100000;
	b = malloc(2 * n + 16);
	assert_non_null(b);
	o = b + sprintf(b, "growpart: ");
	memset(o, '[', n);
	memset(o + n, ']', n);
	o[2 * n] = 0;
	rc_clear();
	assert_int_equal(gp_cfg_parse(b, strlen(b), &c), -E2BIG);
	assert_non_null(strstr(rc_msg(), "line 1 column 74: nested deeper than 64 levels"));
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_module_kind),
		cmocka_unit_test(t_parse_ubuntu),
		cmocka_unit_test(t_parse_rhel),
		cmocka_unit_test(t_parse_variants),
		cmocka_unit_test(t_parse_values),
		cmocka_unit_test(t_parse_invalid),
		cmocka_unit_test(t_merge),
		cmocka_unit_test(t_dropin),
		cmocka_unit_test(t_edit_ubuntu),
		cmocka_unit_test(t_edit_rhel),
		cmocka_unit_test(t_edit_variants),
		cmocka_unit_test(t_edit_flow),
		cmocka_unit_test(t_edit_block),
		cmocka_unit_test(t_edit_refused),
		cmocka_unit_test(t_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
