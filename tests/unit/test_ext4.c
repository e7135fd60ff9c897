/* The libext2fs tree is read-only: it reads files, ranges, link targets,
 * labels and free space (through symbolic links inside the tree) and
 * refuses every write, leaving the image byte for byte as it was. Needs
 * mke2fs and debugfs. */
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
#include "unit_sh.h"
#include "../../lib/tree.h"
#include "../../lib/ext4.h"
#include "../../lib/err.h"

static char dir[128], img[160];

static int setup(void **s)
{
	(void)s;
	if (unit_tmpdir(dir, sizeof(dir), "rc-ext4"))
		return -1;
	snprintf(img, sizeof(img), "%s/fs.img", dir);
	return sh("set -e; cd %s; mkdir -p t/etc t/bin; printf 'root:old:1::::::\\n' > t/etc/shadow; "
		  "chmod 640 t/etc/shadow; chown 0:42 t/etc/shadow; ln -s /etc/shadow t/etc/link; "
		  "ln -s /%0200d/%0200d/%0200d/x t/etc/longlink; "
		  "mke2fs -q -F -t ext4 -d t fs.img 16M >/dev/null; "
		  "debugfs -w -R 'ea_set /etc/shadow security.selinux system_u:object_r:shadow_t:s0' fs.img 2>/dev/null", dir, 0, 0, 0);
}

static int teardown(void **s)
{
	(void)s;
	return unit_rmdir(dir);
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
	assert_int_equal(tree_rmdir(t, "/etc"), -EROFS);
	assert_int_equal(tree_symlink(t, "x", "/l"), -EROFS);
	assert_int_equal(tree_set_owner_mode(t, "/etc/shadow", 0, 0, 0600), -EROFS);
	assert_int_equal(tree_set_label(t, "/etc/shadow", NULL, 0), -EROFS);
	assert_int_equal(tree_close(t), 0);
	assert_int_equal(sh("cd %s && sha256sum -c --quiet sum", dir), 0);
}

static void reads_beyond_whole_files(void **s)
{
	(void)s;
	struct tree *t;
	struct tree_stat st;
	char buf[700], *tail;
	size_t got, len;
	int cut;
	assert_int_equal(sh("sha256sum %s > %s/sum", img, dir), 0);
	assert_int_equal(tree_open_ext4(img, &t), 0);
	assert_int_equal(tree_stat(t, "/etc/link", TREE_FOLLOW | TREE_LABEL, &st), 0);
	assert_int_equal(st.type, 'f');
	assert_int_equal(st.gid, 42);
	assert_int_equal(st.has_label, 1);
	assert_memory_equal(st.label, "system_u:object_r:shadow_t:s0", 29);
	assert_int_equal(tree_stat(t, "/etc/link", TREE_LABEL, &st), 0);
	assert_int_equal(st.type, 'l');
	assert_int_equal(st.has_label, 0);
	assert_int_equal(tree_readlink(t, "/etc/link", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/etc/shadow");
	assert_int_equal(tree_readlink(t, "/etc/longlink", buf, sizeof(buf)), 0);   /* in a block of its own */
	assert_int_equal(strlen(buf), 3 * 201 + 2);
	assert_int_equal(tree_readlink(t, "/etc/longlink", buf, 100), -ENAMETOOLONG);
	assert_int_equal(tree_readlink(t, "/etc/shadow", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(tree_readlink(t, "/etc/none", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(tree_pread(t, "/etc/link", 5, buf, 3, &got), 0);
	assert_int_equal(got, 3);
	assert_memory_equal(buf, "old", 3);
	assert_int_equal(tree_pread(t, "/etc", 0, buf, 3, &got), -EINVAL);
	assert_int_equal(tree_read_tail(t, "/etc/shadow", 7, &tail, &len, &cut), 0);
	assert_string_equal(tail, "::::::\n");
	assert_int_equal(cut, 1);
	free(tail);
	struct tree_space sp;
	assert_int_equal(tree_space(t, "/", &sp), 0);
	assert_int_equal(sp.size, 16 << 20);
	assert_true(sp.avail > 0 && sp.avail < sp.size && sp.ffree < sp.files);
	assert_int_equal(tree_close(t), 0);
	assert_int_equal(sh("cd %s && sha256sum -c --quiet sum", dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(reads_and_refuses_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(reads_beyond_whole_files, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
