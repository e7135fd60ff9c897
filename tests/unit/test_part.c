/* Unit tests for lib/part.c on image files (libfdisk opens regular files):
 * GPT and MBR tables built here with libfdisk, then shrunk, extended,
 * dumped and re-read. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <cmocka.h>
#include <libfdisk/libfdisk.h>
#include "../../lib/part.h"
#include "../../lib/err.h"

#define MiB (1024ULL * 1024)
static char img[64];

/* A 64 MiB image: partition 1 (8 MiB, named "boot"), partition 2 (the
 * "root", 40 MiB, named "root"), free space after it. */
static void make_image(const char *label)
{
	strcpy(img, "/tmp/test_part.XXXXXX");
	int fd = mkstemp(img);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 64 * MiB), 0);
	close(fd);
	struct fdisk_context *c = fdisk_new_context();
	assert_int_equal(fdisk_assign_device(c, img, 0), 0);
	assert_int_equal(fdisk_create_disklabel(c, label), 0);
	int gpt = !strcmp(label, "gpt");
	for (int i = 0; i < 2; i++) {
		struct fdisk_partition *pa = fdisk_new_partition();
		fdisk_partition_set_start(pa, i ? 2048 + 8 * 2048 : 2048);
		fdisk_partition_set_size(pa, (i ? 40 : 8) * 2048);
		fdisk_partition_set_partno(pa, (size_t)i);
		struct fdisk_parttype *t = fdisk_label_advparse_parttype(fdisk_get_label(c, NULL),
			i ? "linux" : "uefi", FDISK_PARTTYPE_PARSE_DEFAULT);
		assert_non_null(t);
		fdisk_partition_set_type(pa, t);
		fdisk_unref_parttype(t);
		if (gpt)
			fdisk_partition_set_name(pa, i ? "root" : "boot");
		assert_int_equal(fdisk_add_partition(c, pa, NULL), 0);
		fdisk_unref_partition(pa);
	}
	if (gpt)  /* an attribute to keep: legacy BIOS bootable */
		assert_int_equal(fdisk_gpt_set_partition_attrs(c, 1, 1ULL << 2), 0);
	assert_int_equal(fdisk_write_disklabel(c), 0);
	assert_int_equal(fdisk_deassign_device(c, 0), 0);
	fdisk_unref_context(c);
}

static int teardown(void **st)
{
	(void)st;
	if (img[0])
		unlink(img);
	img[0] = 0;
	return 0;
}

/* libfdisk's own verdict on the table (GPT: both headers, CRCs, overlaps). */
static int verify(void)
{
	struct fdisk_context *c = fdisk_new_context();
	assert_int_equal(fdisk_assign_device(c, img, 1), 0);
	int r = fdisk_verify_disklabel(c);
	fdisk_deassign_device(c, 1);
	fdisk_unref_context(c);
	return r;
}

static void read_root(const char *label)
{
	struct part_disk *d;
	struct part_geom g;
	struct part_info pi;
	make_image(label);
	assert_int_equal(part_open(img, 0, 0, &d), 0);
	assert_int_equal(part_geom(d, &g), 0);
	assert_string_equal(g.label, label);
	assert_int_equal(g.sector_size, 512);
	assert_int_equal(g.grain, 2048);
	assert_int_equal(g.nparts, 2);
	assert_int_equal(part_get(d, 2, &pi), 0);
	assert_int_equal(pi.partno, 2);
	assert_int_equal(pi.start, 2048 + 8 * 2048);
	assert_int_equal(pi.size, 40 * 2048);
	assert_true(pi.uuid[0]);
	if (!strcmp(label, "gpt")) {
		assert_string_equal(pi.type, "0FC63DAF-8483-4772-8E79-3D69D8477DE4");
		assert_string_equal(pi.name, "root");
		assert_non_null(strstr(pi.attrs, "LegacyBIOSBootable"));
	} else {
		assert_string_equal(pi.type, "83");
		/* the MBR PARTUUID the kernel shows: diskid-02 */
		assert_string_equal(pi.uuid + strlen(pi.uuid) - 3, "-02");
		assert_int_equal(strlen(pi.uuid), 11);
	}
	rc_clear();
	assert_true(part_get(d, 3, &pi) == -ENOENT);
	assert_int_equal(rc_exit_hint(), RC_EXIT_NOTFOUND);
	/* read-only: changes in memory (a plan), never written */
	assert_int_equal(part_shrink(d, 2, 2048), 0);
	assert_true(part_write(d) == -EROFS);
	assert_int_equal(part_close(d), 0);
}

static void test_read_gpt(void **st) { (void)st; read_root("gpt"); }
static void test_read_dos(void **st) { (void)st; read_root("dos"); }

static void shrink_and_add(const char *label)
{
	struct part_disk *d;
	struct part_info before, after, np;
	uint64_t fs, fe, start, size;
	size_t pn;
	int gpt = !strcmp(label, "gpt");

	make_image(label);
	assert_int_equal(part_open(img, PART_RW, 0, &d), 0);
	assert_int_equal(part_get(d, 2, &before), 0);
	/* the free area after the root: from its end to the disk end */
	assert_int_equal(part_free_after(d, 2, &fs, &fe), 0);
	assert_int_equal(fs, before.start + before.size);
	assert_true(fe > fs);

	/* not a shrink */
	assert_true(part_shrink(d, 2, before.size) < 0);
	assert_true(part_shrink(d, 2, before.size + 2048) < 0);
	/* shrink to 20 MiB */
	assert_int_equal(part_shrink(d, 2, 20 * 2048), 0);
	assert_int_equal(part_get(d, 2, &after), 0);
	assert_int_equal(after.start, before.start);
	assert_int_equal(after.size, 20 * 2048);
	assert_string_equal(after.type, before.type);
	assert_string_equal(after.uuid, before.uuid);
	assert_string_equal(after.name, before.name);
	assert_string_equal(after.attrs, before.attrs);

	/* the freed space now follows the root */
	assert_int_equal(part_free_after(d, 2, &fs, &fe), 0);
	assert_int_equal(fs, after.start + after.size);

	/* 5 MiB named swap, then the rest */
	struct part_new n;
	assert_int_equal(part_new_parse(gpt ? "5M:swap:myswap" : "5M:swap", &n), 0);
	assert_int_equal(part_add(d, &n, fs, &pn, &start, &size), 0);
	assert_int_equal(pn, 3);
	assert_int_equal(start, fs);
	assert_int_equal(start % 2048, 0);
	assert_int_equal(size, 5 * 2048);
	assert_int_equal(part_get(d, 3, &np), 0);
	if (gpt) {
		assert_string_equal(np.name, "myswap");
		assert_string_equal(np.type, "0657FD6D-A4AB-43C4-84E5-0933C84B4F4F");
	} else {
		assert_string_equal(np.type, "82");
	}
	assert_int_equal(part_new_parse("rest", &n), 0);
	assert_int_equal(part_add(d, &n, start + size, &pn, &start, &size), 0);
	assert_int_equal(pn, 4);
	assert_int_equal(start % 2048, 0);
	assert_true(start >= np.start + np.size);
	assert_int_equal(part_free_after(d, 4, &fs, &fe), 0);
	/* nothing left after "rest" (GPT: up to the backup entries) */
	assert_true(fs > fe);

	/* names on MBR are refused; so are unknown types */
	if (!gpt) {
		assert_int_equal(part_new_parse("1M:linux:x", &n), 0);
		assert_true(part_add(d, &n, 2048, &pn, &start, &size) < 0);
	}
	assert_int_equal(part_new_parse("1M:nosuchtype", &n), 0);
	assert_true(part_add(d, &n, 2048, &pn, &start, &size) < 0);

	assert_int_equal(part_write(d), 0);
	assert_int_equal(part_tell_kernel(d), 0);  /* image file: nothing to tell */
	assert_int_equal(part_close(d), 0);
	assert_int_equal(verify(), 0);

	/* re-read from disk: the same */
	assert_int_equal(part_open(img, 0, 0, &d), 0);
	assert_int_equal(part_get(d, 2, &np), 0);
	assert_int_equal(np.start, before.start);
	assert_int_equal(np.size, 20 * 2048);
	assert_string_equal(np.uuid, before.uuid);
	assert_string_equal(np.type, before.type);
	assert_string_equal(np.name, before.name);
	assert_string_equal(np.attrs, before.attrs);
	assert_int_equal(part_get(d, 4, &np), 0);
	assert_int_equal(part_close(d), 0);
}

static void test_shrink_gpt(void **st) { (void)st; shrink_and_add("gpt"); }
static void test_shrink_dos(void **st) { (void)st; shrink_and_add("dos"); }

static void test_script(void **st)
{
	(void)st;
	struct part_disk *d;
	struct part_info pi;
	char *text = NULL, path[128];
	make_image("gpt");
	assert_int_equal(part_open(img, 0, 0, &d), 0);
	assert_int_equal(part_get(d, 2, &pi), 0);
	assert_int_equal(part_script_text(d, &text), 0);
	assert_non_null(strstr(text, "label: gpt"));
	assert_non_null(strstr(text, pi.uuid));
	assert_non_null(strstr(text, "name=\"root\""));
	snprintf(path, sizeof(path), "%s.sfdisk", img);
	unlink(path);
	/* a change in memory: the saved dump is still the table as read */
	assert_int_equal(part_shrink(d, 2, 2048), 0);
	char *changed = NULL;
	assert_int_equal(part_script_text(d, &changed), 0);
	assert_string_not_equal(changed, text);
	free(changed);
	assert_int_equal(part_save_script(d, path), 0);
	/* never overwritten */
	assert_true(part_save_script(d, path) == -EEXIST);
	assert_int_equal(part_close(d), 0);

	/* the saved file is the dump, and libfdisk reads it back */
	FILE *f = fopen(path, "r");
	char buf[8192];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	assert_string_equal(buf, text);
	struct fdisk_context *c = fdisk_new_context();
	f = fopen(path, "r");
	struct fdisk_script *s = fdisk_new_script(c);
	assert_int_equal(fdisk_script_read_file(s, f), 0);
	fclose(f);
	assert_int_equal(fdisk_table_get_nents(fdisk_script_get_table(s)), 2);
	fdisk_unref_script(s);
	fdisk_unref_context(c);
	unlink(path);
	free(text);
}

/* A --new larger than the free area is refused (libfdisk alone would make
 * it smaller); a written table can be put back as it was read. */
static void fit_and_restore(const char *label)
{
	struct part_disk *d;
	struct part_new n;
	struct part_geom g;
	uint64_t fs, fe, start, size;
	size_t pn;
	char *orig = NULL, *now = NULL;

	make_image(label);
	assert_int_equal(part_open(img, PART_RW, 0, &d), 0);
	assert_int_equal(part_script_text(d, &orig), 0);
	assert_int_equal(part_shrink(d, 2, 20 * 2048), 0);
	assert_int_equal(part_free_after(d, 2, &fs, &fe), 0);
	uint64_t free_mib = (fe - fs + 1) / 2048;   /* 20 MiB freed + what followed */
	assert_true(free_mib > 30 && free_mib < 40);
	rc_clear();
	assert_int_equal(part_new_parse("100M", &n), 0);
	assert_int_equal(part_add(d, &n, fs, &pn, &start, &size), -ENOSPC);
	assert_int_equal(rc_exit_hint(), RC_EXIT_REFUSED);
	assert_non_null(strstr(rc_msg(), "does not fit"));
	part_geom(d, &g);
	assert_int_equal(g.nparts, 2);   /* nothing was added */
	/* the free area with its end aligned fits; half a MiB more does not
	 * (libfdisk would have made that 1 MiB smaller than the free area) */
	uint64_t whole = (fe + 1) / 2048 * 2048 - fs;
	char spec[32];
	snprintf(spec, sizeof(spec), "%" PRIu64 "K", whole / 2 + 512);
	assert_int_equal(part_new_parse(spec, &n), 0);
	assert_int_equal(part_add(d, &n, fs, &pn, &start, &size), -ENOSPC);
	snprintf(spec, sizeof(spec), "%" PRIu64 "K", whole / 2);
	assert_int_equal(part_new_parse(spec, &n), 0);
	assert_int_equal(part_add(d, &n, fs, &pn, &start, &size), 0);
	assert_int_equal(size, whole);

	assert_int_equal(part_write(d), 0);
	assert_int_equal(part_restore(d), 0);
	assert_int_equal(part_close(d), 0);
	assert_int_equal(verify(), 0);
	assert_int_equal(part_open(img, 0, 0, &d), 0);
	assert_int_equal(part_script_text(d, &now), 0);
	assert_string_equal(now, orig);
	assert_int_equal(part_close(d), 0);
	free(orig);
	free(now);
}

static void test_fit_restore_gpt(void **st) { (void)st; fit_and_restore("gpt"); }
static void test_fit_restore_dos(void **st) { (void)st; fit_and_restore("dos"); }

static void test_lock(void **st)
{
	(void)st;
	struct part_disk *d;
	make_image("gpt");
	int fd = open(img, O_RDONLY);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	rc_clear();
	assert_true(part_open(img, PART_RW, 0, &d) == -EBUSY);
	assert_int_equal(rc_exit_hint(), RC_EXIT_REFUSED);
	assert_non_null(strstr(rc_msg(), "locked"));
	assert_true(part_open(img, 0, 0, &d) == -EBUSY);
	flock(fd, LOCK_UN);
	/* a reader shares; a writer excludes readers */
	assert_int_equal(flock(fd, LOCK_SH), 0);
	assert_int_equal(part_open(img, 0, 0, &d), 0);
	assert_int_equal(part_close(d), 0);
	close(fd);
	assert_int_equal(part_open(img, PART_RW, 0, &d), 0);
	fd = open(img, O_RDONLY);
	assert_int_equal(flock(fd, LOCK_SH | LOCK_NB), -1);
	close(fd);
	assert_int_equal(part_close(d), 0);
}

static void test_no_table(void **st)
{
	(void)st;
	struct part_disk *d;
	strcpy(img, "/tmp/test_part.XXXXXX");
	int fd = mkstemp(img);
	assert_int_equal(ftruncate(fd, 8 * MiB), 0);
	close(fd);
	rc_clear();
	assert_true(part_open(img, 0, 0, &d) < 0);
	assert_int_equal(rc_exit_hint(), RC_EXIT_NOTFOUND);
	assert_true(part_open("/nonexistent/disk", 0, 0, &d) == -ENOENT);
}

static void test_new_parse(void **st)
{
	(void)st;
	struct part_new n;
	assert_int_equal(part_new_parse("10G", &n), 0);
	assert_int_equal(n.bytes, 10ULL << 30);
	assert_string_equal(n.type, "");
	assert_string_equal(n.name, "");
	assert_int_equal(part_new_parse("512M:swap", &n), 0);
	assert_int_equal(n.bytes, 512 * MiB);
	assert_string_equal(n.type, "swap");
	assert_int_equal(part_new_parse("rest:linux:data disk", &n), 0);
	assert_int_equal(n.bytes, 0);
	assert_string_equal(n.type, "linux");
	assert_string_equal(n.name, "data disk");
	assert_int_equal(part_new_parse("1G::home", &n), 0);
	assert_string_equal(n.type, "");
	assert_string_equal(n.name, "home");
	assert_int_equal(part_new_parse("1G:0FC63DAF-8483-4772-8E79-3D69D8477DE4", &n), 0);
	assert_int_equal(part_new_parse("1G:8e", &n), 0);

	const char *bad[] = { "", "0", "0M", "10GB", "abc", "1G:li;nux", "1G:linux:a\"b",
			      "1G:linux:0123456789012345678901234567890123456789", NULL };
	for (int i = 0; bad[i]; i++) {
		rc_clear();
		if (part_new_parse(bad[i], &n) >= 0)
			fail_msg("accepted '%s'", bad[i]);
		assert_int_equal(rc_exit_hint(), RC_EXIT_USAGE);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_read_gpt, teardown),
		cmocka_unit_test_teardown(test_read_dos, teardown),
		cmocka_unit_test_teardown(test_shrink_gpt, teardown),
		cmocka_unit_test_teardown(test_shrink_dos, teardown),
		cmocka_unit_test_teardown(test_script, teardown),
		cmocka_unit_test_teardown(test_fit_restore_gpt, teardown),
		cmocka_unit_test_teardown(test_fit_restore_dos, teardown),
		cmocka_unit_test_teardown(test_lock, teardown),
		cmocka_unit_test_teardown(test_no_table, teardown),
		cmocka_unit_test(test_new_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
