/* The libext2fs tree is read-only: it reads files (through symbolic links
 * inside the tree) and refuses every write, leaving the image byte for
 * byte as it was. Needs mke2fs and debugfs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "../../lib/tree.h"
#include "../../lib/ext4.h"
#include "../../lib/err.h"

static char dir[128], img[160];

static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static int setup(void **s)
{
	(void)s;
	snprintf(dir, sizeof(dir), "/tmp/rc-ext4-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(img, sizeof(img), "%s/fs.img", dir);
	return sh("set -e; cd %s; mkdir -p t/etc t/bin; printf 'root:old:1::::::\\n' > t/etc/shadow; "
		  "chmod 640 t/etc/shadow; chown 0:42 t/etc/shadow; ln -s /etc/shadow t/etc/link; "
		  "mke2fs -q -F -t ext4 -d t fs.img 16M >/dev/null; "
		  "debugfs -w -R 'ea_set /etc/shadow security.selinux system_u:object_r:shadow_t:s0' fs.img 2>/dev/null", dir);
}

static int teardown(void **s)
{
	(void)s;
	return sh("rm -rf %s", dir);
}


static void reads_and_refuses_writes(void **s)
{
	(void)s;
	struct tree *t;
	char *buf;
	size_t len;
	assert_int_equal(sh("sha256sum %s > %s/sum", img, dir), 0);
	assert_int_equal(tree_open_ext4(img, &t), 0);
	assert_int_equal(tree_writable(t), 0);
	assert_int_equal(tree_read(t, "/etc/link", &buf, &len, 1 << 20), 0);
	assert_string_equal(buf, "root:old:1::::::\n");
	free(buf);
	assert_int_equal(tree_read(t, "/etc/shadow", &buf, &len, 4), -EFBIG);
	assert_int_equal(tree_replace(t, "/etc/shadow", "x\n", 2, "/etc/shadow-", NULL), -EROFS);
	assert_int_equal(tree_create(t, "/new", "x\n", 2, 0644, 0, 0, 0), -EROFS);
	assert_int_equal(tree_unlink(t, "/etc/shadow"), -EROFS);
	assert_int_equal(tree_mkdir(t, "/d", 0755, 0, 0), -EROFS);
	assert_int_equal(tree_close(t), 0);
	assert_int_equal(sh("cd %s && sha256sum -c --quiet sum", dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(reads_and_refuses_writes, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
