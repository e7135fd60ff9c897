/* os-release, *-release, fstab parsing and fstab spec matching. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <cmocka.h>
#include "../../lib/rootfs.h"

static void osrel_quotes_and_escapes(void **s)
{
	(void)s;
	struct osrel o;
	assert_int_equal(osrel_parse("# comment\nNAME=\"Debian GNU/Linux\"\nID=debian\n"
				     "VERSION_ID='12'\nPRETTY_NAME=\"Debian \\\"12\\\" (bookworm)\"\n  \nJUNK\n", &o), 0);
	assert_string_equal(o.id, "debian");
	assert_string_equal(o.version_id, "12");
	assert_string_equal(o.pretty_name, "Debian \"12\" (bookworm)");
	assert_string_equal(o.name, "Debian GNU/Linux");
}

static void osrel_pretty_from_name(void **s)
{
	(void)s;
	struct osrel o;
	assert_int_equal(osrel_parse("NAME=Alpine\nVERSION_ID=3.19.1", &o), 0);
	assert_string_equal(o.pretty_name, "Alpine 3.19.1");
	assert_int_equal(osrel_parse("nothing here\n", &o), -ENOENT);
}

static void release_lines(void **s)
{
	(void)s;
	struct osrel o;
	assert_int_equal(osrel_from_release_line("centos-release", "CentOS Linux release 7.9.2009 (Core)\n", &o), 0);
	assert_string_equal(o.id, "centos");
	assert_string_equal(o.version_id, "7");
	assert_int_equal(osrel_from_release_line("redhat-release", "Red Hat Enterprise Linux Server release 6.10 (Santiago)", &o), 0);
	assert_string_equal(o.id, "rhel");
	assert_string_equal(o.version_id, "6");
	assert_int_equal(osrel_from_release_line("debian_version", "10.13\n", &o), 0);
	assert_string_equal(o.id, "debian");
	assert_string_equal(o.version_id, "10");
}

static void fstab_basic(void **s)
{
	(void)s;
	struct fstab f;
	int bad;
	const char *t = "# /etc/fstab\n"
			"UUID=abcd / ext4 errors=remount-ro 0 1\n"
			"  LABEL=my\\040boot\t/boot ext4 defaults 0 2\n"
			"broken-line-with-one-field\n"
			"/dev/sda4 none swap sw\n"
			"tmpfs /tmp tmpfs\n"
			"UUID=new / ext4 defaults 0 1";  /* no trailing newline, last wins */
	assert_int_equal(fstab_parse(t, &f, &bad), 0);
	assert_int_equal(bad, 1);
	assert_int_equal(f.n, 5);
	assert_string_equal(f.e[1].spec, "LABEL=my boot");
	assert_string_equal(f.e[3].opts, "defaults");
	assert_int_equal(f.e[0].passno, 1);
	assert_string_equal(fstab_find(&f, "/")->spec, "UUID=new");
	assert_string_equal(fstab_find(&f, "/boot")->vfstype, "ext4");
	assert_null(fstab_find(&f, "/home"));
	fstab_free(&f);
}

static void fstab_options(void **s)
{
	(void)s;
	char v[64];
	assert_true(fstab_opt("rw,subvol=@root,noatime", "subvol", v, sizeof(v)));
	assert_string_equal(v, "@root");
	assert_true(fstab_opt("defaults,noauto", "noauto", v, sizeof(v)));
	assert_string_equal(v, "");
	assert_false(fstab_opt("defaults,noautofs", "noauto", v, sizeof(v)));
	assert_false(fstab_opt("", "ro", NULL, 0));
}

static void spec_matching(void **s)
{
	(void)s;
	struct devid id;
	memset(&id, 0, sizeof(id));
	strcpy(id.name, "sda3");
	strcpy(id.uuid, "0f1e2d3c-aaaa-bbbb-cccc-000000000001");
	strcpy(id.label, "root");
	strcpy(id.partuuid, "91a835e7-cbe1-4c5c-abaa-1012e739efb5");
	strcpy(id.partlabel, "linux");
	assert_true(fstab_spec_matches("UUID=0F1E2D3C-AAAA-BBBB-CCCC-000000000001", &id));
	assert_true(fstab_spec_matches("UUID=\"0f1e2d3c-aaaa-bbbb-cccc-000000000001\"", &id));
	assert_false(fstab_spec_matches("UUID=0f1e2d3c-aaaa-bbbb-cccc-000000000002", &id));
	assert_true(fstab_spec_matches("LABEL=root", &id));
	assert_false(fstab_spec_matches("LABEL=ROOT", &id));
	assert_true(fstab_spec_matches("PARTUUID=91a835e7-cbe1-4c5c-abaa-1012e739efb5", &id));
	assert_true(fstab_spec_matches("PARTLABEL=linux", &id));
	assert_true(fstab_spec_matches("/dev/disk/by-uuid/0f1e2d3c-aaaa-bbbb-cccc-000000000001", &id));
	assert_true(fstab_spec_matches("/dev/sda3", &id));
	assert_false(fstab_spec_matches("/dev/sda", &id));
	assert_false(fstab_spec_matches("LABEL=", &id));
	strcpy(id.name, "vg0-root");
	assert_true(fstab_spec_matches("/dev/mapper/vg0-root", &id));
	memset(&id, 0, sizeof(id));
	assert_false(fstab_spec_matches("UUID=", &id));
}

/* Hostile os-release and fstab: a 10 MB line, NUL bytes, too many entries;
 * each finishes at once with bounded results. */
static void hostile(void **s)
{
	(void)s;
	size_t n = 10u << 20;
	char *b = malloc(n + 64);
	assert_non_null(b);
	char *o = b + sprintf(b, "ID=debian\nPRETTY_NAME=\"");
	memset(o, 'x', n);
	strcpy(o + n, "\"\n");
	struct osrel r;
	assert_int_equal(osrel_parse(b, &r), 0);
	assert_string_equal(r.id, "debian");
	assert_int_equal(strlen(r.pretty_name), sizeof(r.pretty_name) - 1);
	/* a NUL byte ends the text: what follows is not read */
	const char nul[] = "ID=debian\0\nID=evil\n";
	assert_int_equal(osrel_parse(nul, &r), 0);
	assert_string_equal(r.id, "debian");
	/* fstab: one 10 MB line is one entry */
	o = b + sprintf(b, "UUID=x / ext4 ");
	memset(o, 'o', n);
	strcpy(o + n, " 0 1\n");
	struct fstab f;
	int bad;
	assert_int_equal(fstab_parse(b, &f, &bad), 0);
	assert_int_equal(f.n, 1);
	assert_int_equal(strlen(f.e[0].opts), n);
	fstab_free(&f);
	free(b);
	/* more entries than any real fstab: refused, nothing kept */
	size_t cnt = FSTAB_MAX_ENTRIES + 1;
	b = malloc(cnt * 8 + 1);
	assert_non_null(b);
	for (size_t i = 0; i < cnt; i++)
		memcpy(b + 8 * i, "a /bb c\n", 8);
	b[8 * cnt] = 0;
	assert_int_equal(fstab_parse(b, &f, &bad), -E2BIG);
	assert_int_equal(f.n, 0);
	assert_null(f.e);
	b[8 * (cnt - 1)] = 0;  /* exactly the limit */
	assert_int_equal(fstab_parse(b, &f, &bad), 0);
	assert_int_equal(f.n, FSTAB_MAX_ENTRIES);
	fstab_free(&f);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(osrel_quotes_and_escapes), cmocka_unit_test(osrel_pretty_from_name),
		cmocka_unit_test(release_lines), cmocka_unit_test(fstab_basic),
		cmocka_unit_test(fstab_options), cmocka_unit_test(spec_matching),
		cmocka_unit_test(hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
