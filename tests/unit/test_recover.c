/* recover's library: the pure helpers (paths, escapes, ACLs, target names)
 * and the ext4 walk on real images made by mke2fs -d, on the layouts
 * installed systems have, intact and damaged. Needs mke2fs and debugfs. */
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
#include "../../lib/ext4_walk.h"
#include "../../lib/idmap.h"
#include "../../lib/recover.h"
#include "../../lib/err.h"

static char dir[128], img[160];

static int setup(void **s)
{
	(void)s;
	if (unit_tmpdir(dir, sizeof(dir), "rc-recover"))
		return -1;
	snprintf(img, sizeof(img), "%s/fs.img", dir);
	/* a tree: a big directory (htree), links, a sparse file, hard links */
	return sh("set -e; cd %s; mkdir -p t/etc t/a/many t/b; printf 'hello\\n' > t/a/f; "
		  "for i in $(seq 1 300); do echo $i > t/a/many/file-$i; done; "
		  "ln -s /b t/a/abs; ln -s ../a t/b/up; "
		  "ln -s $(printf 'x%%.0s' $(seq 1 100)) t/a/long; "
		  "truncate -s 8M t/a/sparse; printf data | dd of=t/a/sparse bs=1M seek=4 conv=notrunc status=none; "
		  "ln t/a/f t/b/hard; "
		  "printf 'root:x:0:0::/root:/bin/sh\\nadmin:x:1000:1000::/home/admin:/bin/sh\\n' > t/etc/passwd", dir);
}

static int teardown(void **s)
{
	(void)s;
	return unit_rmdir(dir);
}

static void norm_path(void **s)
{
	(void)s;
	char out[64];
	assert_int_equal(recover_norm_path("/root//demo/", out, sizeof(out)), 0);
	assert_string_equal(out, "root/demo");
	assert_int_equal(recover_norm_path("/", out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(recover_norm_path("/./etc/./x", out, sizeof(out)), 0);
	assert_string_equal(out, "etc/x");
	assert_int_equal(recover_norm_path("/etc/../root", out, sizeof(out)), -EINVAL);
	assert_int_equal(recover_norm_path("/..", out, sizeof(out)), -EINVAL);
	/* a name that only starts with two dots is a name */
	assert_int_equal(recover_norm_path("/..x/y..", out, sizeof(out)), 0);
	assert_string_equal(out, "..x/y..");
	assert_int_equal(recover_norm_path("/aaaaaaaaaa/bbbbbbbbbb", out, 8), -ENAMETOOLONG);
}

static void escape(void **s)
{
	(void)s;
	char out[64];
	assert_string_equal(recover_escape("plain ütf8", out, sizeof(out)), "plain ütf8");
	assert_string_equal(recover_escape("new\nline\ttab\\", out, sizeof(out)), "new\\nline\\ttab\\\\");
	assert_string_equal(recover_escape("caf\xe9-\xff", out, sizeof(out)), "caf\\xe9-\\xff");
	/* an overlong encoding and a lone continuation byte are not UTF-8 */
	assert_string_equal(recover_escape("\xc0\xaf\x80", out, sizeof(out)), "\\xc0\\xaf\\x80");
	/* cut at a whole escape */
	assert_string_equal(recover_escape("\xff\xff\xff", out, 9), "\\xff\\xff");
}

static void posix_acl(void **s)
{
	(void)s;
	/* user::rw- user:1000:r-- group::r-- mask::r-- other::--- */
	unsigned char v[4 + 5 * 8] = { 2, 0, 0, 0,
		1, 0, 6, 0, 0xff, 0xff, 0xff, 0xff,
		2, 0, 4, 0, 0xe8, 3, 0, 0,
		4, 0, 4, 0, 0xff, 0xff, 0xff, 0xff,
		0x10, 0, 4, 0, 0xff, 0xff, 0xff, 0xff,
		0x20, 0, 0, 0, 0xff, 0xff, 0xff, 0xff };
	struct pacl_ent e[8];
	assert_int_equal(pacl_parse(v, sizeof(v), e, 8), 5);
	assert_int_equal(e[1].tag, PACL_USER);
	assert_int_equal(e[1].id, 1000);
	assert_int_equal(e[1].perm, 4);
	assert_int_equal(pacl_parse(v, sizeof(v), e, 4), -EINVAL);      /* more than MAX */
	assert_int_equal(pacl_parse(v, sizeof(v) - 1, e, 8), -EINVAL);  /* torn entry */
	v[0] = 1;
	assert_int_equal(pacl_parse(v, sizeof(v), e, 8), -EINVAL);      /* ext4's on-disk version */
	v[0] = 2;
	v[12] = 0x40;
	assert_int_equal(pacl_parse(v, sizeof(v), e, 8), -EINVAL);      /* unknown tag */
}

static void target_names(void **s)
{
	(void)s;
	struct idmap m;
	char longline[IDMAP_MAX_LINE + 40];
	memset(longline, 'x', sizeof(longline));
	memcpy(longline, "long:x:7:", 9);
	longline[sizeof(longline) - 1] = '\n';
	char buf[8192];
	int n = snprintf(buf, sizeof(buf), "root:x:0:0::/root:/bin/sh\n+nis::::\nadmin:x:1000:1000::/h:/bin/sh\n"
			 "dup:x:1000:1000::/h:/bin/sh\nnonum:x:abc:1::/:/bin/sh\n%.*sbig:x:4294967296:0::/:\n"
			 "last:x:65534:65534::/:", (int)sizeof(longline), longline);
	assert_int_equal(idmap_parse(&m, buf, (size_t)n), 3);
	assert_string_equal(idmap_name(&m, 0), "root");
	assert_string_equal(idmap_name(&m, 1000), "admin");   /* the first line wins */
	assert_string_equal(idmap_name(&m, 65534), "last");    /* no final newline */
	assert_null(idmap_name(&m, 7));                        /* its line is too long */
	assert_null(idmap_name(&m, 5));
	idmap_free(&m);
}

struct names {
	int n;
	char seen[400][32];
};

static int collect(const char *name, size_t len, uint32_t ino, void *arg)
{
	(void)ino;
	struct names *c = arg;
	if (c->n < 400 && len < 32) {
		memcpy(c->seen[c->n], name, len);
		c->seen[c->n][len] = 0;
	}
	c->n++;
	return 0;
}

static int nlost;
static void count_lost(uint64_t lblk, const char *why, void *arg)
{
	(void)lblk, (void)why, (void)arg;
	nlost++;
}

/* Lookup, listing, links, map and content on one layout. */
static void walk_layout(const char *mkfs)
{
	struct ew *w;
	uint32_t ino, ino2;
	struct ew_inode in;
	assert_int_equal(sh("cd %s && mke2fs -q -F %s -d t fs.img 32M >/dev/null 2>&1", dir, mkfs), 0);
	assert_int_equal(ew_open(img, &w), 0);
	/* links in the middle are followed inside the filesystem; the last is not */
	assert_int_equal(ew_lookup(w, "/b/up/f", &ino), 0);
	assert_int_equal(ew_lookup(w, "/a/f", &ino2), 0);
	assert_int_equal(ino, ino2);
	assert_int_equal(ew_lookup(w, "/a/abs/up/f", &ino), 0);
	assert_int_equal(ino, ino2);
	assert_int_equal(ew_lookup(w, "/../../a/f", &ino), 0);
	assert_int_equal(ino, ino2);
	assert_int_equal(ew_lookup(w, "/a/abs", &ino), 0);
	assert_int_equal(ew_inode(w, ino, &in), 0);
	assert_true((in.mode & 0170000) == 0120000);
	char t[4096];
	assert_int_equal(ew_readlink(w, &in, t, sizeof(t)), 0);
	assert_string_equal(t, "/b");
	assert_int_equal(ew_lookup(w, "/a/long", &ino), 0);
	assert_int_equal(ew_inode(w, ino, &in), 0);
	assert_int_equal(ew_readlink(w, &in, t, sizeof(t)), 0);
	assert_int_equal(strlen(t), 100);
	assert_int_equal(ew_readlink(w, &in, t, 50), -ENAMETOOLONG);
	assert_int_equal(ew_lookup(w, "/a/nothing", &ino), -ENOENT);
	assert_int_equal(ew_lookup(w, "/a/f/x", &ino), -ENOTDIR);
	/* a directory of 300 entries, htree or not */
	assert_int_equal(ew_lookup(w, "/a/many", &ino), 0);
	assert_int_equal(ew_inode(w, ino, &in), 0);
	struct names *c = calloc(1, sizeof(*c));
	nlost = 0;
	assert_int_equal(ew_readdir(w, &in, collect, count_lost, c), 0);
	assert_int_equal(c->n, 300);
	assert_int_equal(nlost, 0);
	free(c);
	/* the sparse file: 8 MiB, only the block at 4 MiB mapped (mke2fs 1.47.0
	 * -d cuts sparse files short on inline_data: nothing to check there) */
	if (strstr(mkfs, "inline_data")) {
		ew_close(w);
		return;
	}
	assert_int_equal(ew_lookup(w, "/a/sparse", &ino), 0);
	assert_int_equal(ew_inode(w, ino, &in), 0);
	assert_int_equal(in.size, 8 << 20);
	struct ew_map m;
	assert_int_equal(ew_map(w, &in, &m), 0);
	struct ew_fsinfo fi;
	ew_fsinfo(w, &fi);
	assert_int_equal(m.n, 1);
	assert_int_equal(m.nlost, 0);
	assert_int_equal(m.seg[0].lblk * fi.block_size, 4 << 20);
	char *b = malloc(fi.block_size);
	assert_int_equal(ew_read_blocks(w, m.seg[0].pblk, 1, b), 0);
	assert_memory_equal(b, "data", 4);
	free(b);
	ew_map_free(&m);
	/* a hard link: one inode, two links */
	assert_int_equal(ew_lookup(w, "/b/hard", &ino), 0);
	assert_int_equal(ino, ino2);
	assert_int_equal(ew_inode(w, ino, &in), 0);
	assert_int_equal(in.nlink, 2);
	ew_close(w);
}

static void walk_layouts(void **s)
{
	(void)s;
	static const char *const layouts[] = {
		"-t ext2 -b 1024", "-t ext3 -b 4096", "-t ext4 -b 1024", "-t ext4 -b 4096", "-t ext4 -O inline_data",
		"-t ext4 -O ^dir_index", "-t ext4 -I 128",
	};
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		print_message("layout %s\n", layouts[i]);
		walk_layout(layouts[i]);
	}
	/* and nothing was written */
	assert_int_equal(sh("cd %s && sha256sum fs.img > sum && chmod 444 fs.img", dir), 0);
	struct ew *w;
	assert_int_equal(ew_open(img, &w), 0);
	ew_close(w);
	assert_int_equal(sh("cd %s && chmod 644 fs.img && sha256sum -c --quiet sum", dir), 0);
}

/* An extent tree with an index block: zeroing the leaf block loses exactly
 * the range it mapped, nothing else. */
static void damaged_extent_leaf(void **s)
{
	(void)s;
	/* 40 one-block pieces, 2 blocks apart: more extents than the inode holds */
	assert_int_equal(sh("set -e; cd %s; rm -rf u; mkdir u; truncate -s 100K u/frag; "
			    "for i in $(seq 0 39); do printf x | dd of=u/frag bs=2048 seek=$i conv=notrunc status=none; done; "
			    "printf tail >> u/frag; mke2fs -q -F -t ext4 -b 1024 -d u fs.img 8M >/dev/null 2>&1", dir), 0);
	struct ew *w;
	uint32_t ino;
	struct ew_inode in;
	struct ew_map m;
	assert_int_equal(ew_open(img, &w), 0);
	assert_int_equal(ew_lookup(w, "/frag", &ino), 0);
	assert_int_equal(ew_inode(w, ino, &in), 0);
	assert_int_equal(ew_map(w, &in, &m), 0);
	assert_int_equal(m.nlost, 0);
	assert_true(m.n >= 40);
	ew_map_free(&m);
	ew_close(w);
	/* the leaf block is the one debugfs shows at level 0 of a depth-1 tree */
	assert_int_equal(sh("set -e; cd %s; b=$(debugfs -R 'ex /frag' fs.img 2>/dev/null | awk '$1 == \"0/\" && $2 == \"1\" {print $8; exit}'); "
			    "test -n \"$b\"; dd if=/dev/zero of=fs.img bs=1024 seek=$b count=1 conv=notrunc status=none", dir), 0);
	assert_int_equal(ew_open(img, &w), 0);
	assert_int_equal(ew_inode(w, ino, &in), 0);
	assert_int_equal(ew_map(w, &in, &m), 0);
	assert_int_equal(m.n, 0);
	assert_int_equal(m.nlost, 1);
	assert_int_equal(m.lost[0].lblk, 0);
	assert_int_equal(m.lost[0].count, (in.size + 1023) / 1024);
	assert_string_equal(m.lost[0].why, "extent tree node damaged");
	ew_map_free(&m);
	ew_close(w);
}

/* The walk over a source, with a sink that counts: hard links once, a
 * cleared inode and a directory loop as losses. */
struct seen {
	int files, links, dirs;
};

static int sink(void *arg, struct recover *rc, const struct rentry *e)
{
	(void)rc;
	struct seen *c = arg;
	if (e->hardlink)
		c->links++;
	else if (S_ISDIR(e->n->mode))
		c->dirs++;
	else if (S_ISREG(e->n->mode))
		c->files++;
	return 0;
}

static void walk_with_damage(void **s)
{
	(void)s;
	assert_int_equal(sh("cd %s && mke2fs -q -F -t ext4 -d t fs.img 32M >/dev/null 2>&1 && "
			    "debugfs -w -R 'clri /a/many/file-7' fs.img >/dev/null 2>&1 && "
			    "debugfs -w -R 'link /a /a/many/loop' fs.img >/dev/null 2>&1", dir), 0);
	struct rsrc *src;
	struct recover rc;
	struct seen c = { 0 };
	assert_int_equal(rsrc_open_ext4(img, &src), 0);
	assert_int_equal(recover_init(&rc, src), 0);
	rc.sink = (struct rsink){ sink, NULL, &c };
	rc.list_only = 1;
	assert_int_equal(recover_path(&rc, "/"), 0);
	/* 300 - 1 cleared + f + sparse + passwd; b/hard is a link */
	assert_int_equal(c.files, 299 + 3);
	assert_int_equal(c.links, 1);
	assert_int_equal(rc.st.lost, 2);
	assert_string_equal(rc.loss[0].path, "a/many/file-7");
	assert_non_null(strstr(rc.loss[0].what, "cleared"));
	assert_string_equal(rc.loss[1].path, "a/many/loop");
	assert_non_null(strstr(rc.loss[1].what, "directory loop"));
	assert_int_equal(recover_path(&rc, "/nothing"), -ENOENT);
	recover_free(&rc);
	rsrc_close(src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(norm_path),
		cmocka_unit_test(escape),
		cmocka_unit_test(posix_acl),
		cmocka_unit_test(target_names),
		cmocka_unit_test(walk_layouts),
		cmocka_unit_test(damaged_extent_leaf),
		cmocka_unit_test(walk_with_damage),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
