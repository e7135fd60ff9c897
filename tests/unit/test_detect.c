/* detect_find_root, the one way to find the root, with its policy; and the
 * probe cache it shares: ext4 image files made with mke2fs -d (read
 * through libext2fs, nothing mounted). Needs mke2fs and tune2fs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "unit_sh.h"
#include "../../lib/detect.h"
#include "../../lib/err.h"

static char dir[128], a[160], b[160], c[160];

/* a.img and c.img: roots (Debian, RHEL); b.img: a data disk with /etc only. */
static int setup(void **s)
{
	(void)s;
	if (unit_tmpdir(dir, sizeof(dir), "rc-detect"))
		return -1;
	snprintf(a, sizeof(a), "%s/a.img", dir);
	snprintf(b, sizeof(b), "%s/b.img", dir);
	snprintf(c, sizeof(c), "%s/c.img", dir);
	return sh("set -e; cd %s; for t in a c; do mkdir -p $t/etc $t/bin; echo 'LABEL=x / ext4 defaults 0 1' > $t/etc/fstab; "
		  "done; echo 'PRETTY_NAME=\"Debian 12\"' > a/etc/os-release; echo 'PRETTY_NAME=\"RHEL 9\"' > c/etc/os-release; "
		  "mkdir -p b/etc; for t in a b c; do mke2fs -q -F -t ext4 -L first -d $t $t.img 8M >/dev/null; done", dir);
}

static int teardown(void **s)
{
	(void)s;
	return unit_rmdir(dir);
}

static int find(char **devs, int n, struct detect_policy *p, struct detect *d, const struct cand **root)
{
	p->devices = devs;
	p->ndev = n;
	rc_clear();
	return detect_find_root(p, d, root);
}

static void one_root(void **s)
{
	(void)s;
	struct detect d;
	const struct cand *root;
	struct detect_policy p = { .want = DETECT_ONE };
	char *devs[] = { a, b };
	assert_int_equal(find(devs, 2, &p, &d, &root), 0);
	assert_string_equal(root->id.path, a);
	assert_string_equal(root->ri.os.pretty_name, "Debian 12");
	assert_int_equal(d.n, 2);
	detect_free(&d);
}

static void none_explained_or_not(void **s)
{
	(void)s;
	struct detect d;
	const struct cand *root;
	struct detect_policy p = { .want = DETECT_ONE };
	char *devs[] = { b };
	assert_true(find(devs, 1, &p, &d, &root) < 0);
	assert_int_equal(rc_exit_hint(), RC_EXIT_NOTFOUND);
	assert_non_null(strstr(rc_msg(), "no installed Linux root found: if the root is on RAID"));
	assert_true(d.scanned);
	detect_free(&d);
	p.listed = 1;
	assert_true(find(devs, 1, &p, &d, &root) < 0);
	assert_string_equal(rc_msg(), "no installed Linux root found");
	detect_free(&d);
	/* one DEVICE named, and why it is no root */
	p.listed = 0;
	p.explain = 1;
	assert_true(find(devs, 1, &p, &d, &root) < 0);
	assert_int_equal(rc_exit_hint(), RC_EXIT_NOTFOUND);
	assert_non_null(strstr(rc_msg(), "b.img holds no installed Linux root (no /bin directory)"));
	detect_free(&d);
	/* a DEVICE that is not there: the scan itself fails */
	char *gone[] = { "/nonexistent/disk.img" };
	assert_true(find(gone, 1, &p, &d, &root) < 0);
	assert_false(d.scanned);
	assert_int_equal(rc_exit_hint(), RC_EXIT_NOTFOUND);
	detect_free(&d);
}

static void several(void **s)
{
	(void)s;
	struct detect d;
	const struct cand *root;
	struct detect_policy p = { .want = DETECT_ONE };
	char *devs[] = { a, c };
	assert_true(find(devs, 2, &p, &d, &root) < 0);
	assert_int_equal(rc_exit_hint(), RC_EXIT_AMBIGUOUS);
	char want[512];
	snprintf(want, sizeof(want), "2 roots found: %s (Debian 12), %s (RHEL 9); name one as DEVICE", a, c);
	assert_string_equal(rc_msg(), want);
	detect_free(&d);
	p.listed = 1;
	assert_true(find(devs, 2, &p, &d, &root) < 0);
	assert_string_equal(rc_msg(), "2 roots found; name one as DEVICE");
	detect_free(&d);
	p.want = DETECT_SOME;
	assert_int_equal(find(devs, 2, &p, &d, &root), 0);
	assert_string_equal(root->id.path, a);
	assert_int_equal(d.nroots, 2);
	detect_free(&d);
}

/* Each device is probed once per run: a second look through the same
 * cache reads nothing again -- not even a label changed meanwhile -- and a
 * look without it does. */
static void probed_once(void **s)
{
	(void)s;
	struct detect d;
	const struct cand *root;
	struct probe_cache pc = { 0 };
	struct detect_policy p = { .want = DETECT_ONE, .probes = &pc };
	char *devs[] = { a, b };
	assert_int_equal(find(devs, 2, &p, &d, &root), 0);
	detect_free(&d);
	assert_int_equal(pc.probed, 2);
	assert_int_equal(sh("tune2fs -L second %s >/dev/null", a), 0);
	assert_int_equal(find(devs, 2, &p, &d, &root), 0);
	assert_int_equal(pc.probed, 2);
	assert_string_equal(root->id.label, "first");
	detect_free(&d);
	struct devid id;
	assert_int_equal(probe_cached(&pc, a, &id), 0);
	assert_string_equal(id.label, "first");
	assert_int_equal(probe_cached(NULL, a, &id), 0);
	assert_string_equal(id.label, "second");
	/* the same file by another path: a hit, named as asked */
	char other[200];
	snprintf(other, sizeof(other), "%s/./a.img", dir);
	assert_int_equal(probe_cached(&pc, other, &id), 0);
	assert_int_equal(pc.probed, 2);
	assert_string_equal(id.path, other);
	assert_string_equal(id.name, "a.img");
	probe_cache_free(&pc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_root),
		cmocka_unit_test(none_explained_or_not),
		cmocka_unit_test(several),
		cmocka_unit_test(probed_once),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
