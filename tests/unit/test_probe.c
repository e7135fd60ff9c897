/* The probe cache gives exactly what probe_device gives (libblkid alone),
 * though it reads each disk's partition table once instead of once per
 * partition: a GPT disk and an MBR disk with an extended partition and
 * logical ones, on loop devices with their partitions added by partx, as
 * bench/detect-root.sh does (needs root, sfdisk, partx, mkfs.ext4, mkswap).
 * Also: which md array an fstab path means (md_spec_names). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "unit_sh.h"
#include "../../lib/probe.h"

static char dir[128], gpt[32], dos[32];
static int ready, broken;   /* set up; or needed and failed (the tests then fail) */

/* Attach IMG with its partitions; the loop device's name into DEV. */
static int attach(const char *img, char *dev, size_t sz)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "losetup -f --show '%s'", img);
	FILE *f = popen(cmd, "r");
	if (!f)
		return -1;
	int ok = fgets(dev, (int)sz, f) != NULL;
	pclose(f);
	dev[strcspn(dev, "\n")] = 0;
	if (!ok || dev[0] != '/') {
		dev[0] = 0;
		return -1;
	}
	/* partitions a previous user of this loop device left (partx -a, then
	 * losetup -d without partx -d) make partx -a fail: they are stale */
	if (sh("partx -d %s 2>/dev/null; partx -a %s && udevadm settle 2>/dev/null; test -b %sp1", dev, dev, dev)) {
		fprintf(stderr, "test_probe: cannot add the partitions of %s (%s)\n", dev, img);
		return -1;
	}
	return 0;
}

static int make_disks(void)
{
	if (sh("set -e; cd %s; truncate -s 40M gpt.img dos.img\n"
	       "printf 'label: gpt\\nsize=8MiB, name=\"EFI System\", type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\\n"
	       "size=16MiB, name=root, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, attrs=\"LegacyBIOSBootable\"\\n"
	       "size=4MiB, type=0657FD6D-A4AB-43C4-84E5-0933C84B4F4F\\n' | sfdisk -q gpt.img >/dev/null\n"
	       "printf 'label: dos\\nsize=8MiB, type=83\\ntype=5\\nsize=12MiB, type=83\\nsize=8MiB, type=82\\n' "
	       "| sfdisk -q dos.img >/dev/null", dir))
		return -1;
	char img[192];
	snprintf(img, sizeof(img), "%s/gpt.img", dir);
	if (attach(img, gpt, sizeof(gpt)))
		return -1;
	snprintf(img, sizeof(img), "%s/dos.img", dir);
	if (attach(img, dos, sizeof(dos)))
		return -1;
	if (sh("set -e; mkfs.ext4 -q -L root %sp2 >/dev/null; mkswap -q %sp3 >/dev/null; "
		  "mkfs.ext4 -q -L logical %sp5 >/dev/null; mkswap -q %sp6 >/dev/null", gpt, gpt, dos, dos)) {
		fprintf(stderr, "test_probe: mkfs/mkswap on %s, %s failed\n", gpt, dos);
		return -1;
	}
	return 0;
}

static int setup(void **s)
{
	(void)s;
	if (geteuid() != 0 || sh("command -v sfdisk partx mkfs.ext4 mkswap >/dev/null"))
		return 0;
	snprintf(dir, sizeof(dir), "/tmp/rc-probe-XXXXXX");
	if (!mkdtemp(dir)) {
		dir[0] = 0;
		broken = 1;
		return 0;
	}
	ready = make_disks() == 0;
	broken = !ready;
	return 0;
}

static int teardown(void **s)
{
	(void)s;
	if (gpt[0])
		sh("partx -d %s; losetup -d %s", gpt, gpt);
	if (dos[0])
		sh("partx -d %s; losetup -d %s", dos, dos);
	return dir[0] ? sh("rm -rf %s", dir) : 0;
}

static void same(const struct devid *a, const struct devid *b)
{
	assert_string_equal(a->path, b->path);
	assert_string_equal(a->name, b->name);
	assert_string_equal(a->fstype, b->fstype);
	assert_string_equal(a->usage, b->usage);
	assert_string_equal(a->uuid, b->uuid);
	assert_string_equal(a->label, b->label);
	assert_string_equal(a->version, b->version);
	assert_string_equal(a->partuuid, b->partuuid);
	assert_string_equal(a->partlabel, b->partlabel);
	assert_string_equal(a->parttype, b->parttype);
	assert_string_equal(a->pttype, b->pttype);
	assert_int_equal(a->nparts, b->nparts);
	assert_int_equal(a->size, b->size);
	assert_int_equal(a->part_flags, b->part_flags);
}

/* Probe DISK's devices (SUFFIXES after its name) in that order through one
 * cache, each compared with probe_device. Returns the cache's tables. */
static size_t probe_all(const char *disk, const char *const *suffixes, int n)
{
	struct probe_cache pc = { 0 };
	for (int i = 0; i < n; i++) {
		char path[64];
		struct devid want, got;
		snprintf(path, sizeof(path), "%s%s", disk, suffixes[i]);
		assert_int_equal(probe_device(path, &want), 0);
		assert_int_equal(probe_cached(&pc, path, &got), 0);
		same(&want, &got);
		/* a hit gives the same again */
		assert_int_equal(probe_cached(&pc, path, &got), 0);
		same(&want, &got);
	}
	size_t npt = pc.npt;
	probe_cache_free(&pc);
	return npt;
}

static void gpt_disk(void **s)
{
	(void)s;
	assert_false(broken);
	if (!ready)
		skip();
	const char *disk_first[] = { "", "p1", "p2", "p3" }, *parts_first[] = { "p3", "p1", "p2", "" };
	/* one table read for the whole disk and its three partitions */
	assert_int_equal(probe_all(gpt, disk_first, 4), 1);
	assert_int_equal(probe_all(gpt, parts_first, 4), 1);
	struct devid id;
	char path[64];
	snprintf(path, sizeof(path), "%sp2", gpt);
	assert_int_equal(probe_device(path, &id), 0);
	assert_string_equal(id.partlabel, "root");
	assert_string_equal(id.parttype, "4f68bce3-e8cd-4db1-96e7-fbcaf984b709");
	assert_int_equal(id.part_flags, 4);  /* LegacyBIOSBootable: bit 2 */
}

/* The extended partition's device is 1 KiB: libblkid matches it by start. */
static void dos_disk(void **s)
{
	(void)s;
	assert_false(broken);
	if (!ready)
		skip();
	const char *disk_first[] = { "", "p1", "p2", "p5", "p6" }, *parts_first[] = { "p6", "p2", "p5", "", "p1" };
	assert_int_equal(probe_all(dos, disk_first, 5), 1);
	assert_int_equal(probe_all(dos, parts_first, 5), 1);
	struct devid id;
	char path[64];
	snprintf(path, sizeof(path), "%sp2", dos);
	assert_int_equal(probe_device(path, &id), 0);
	assert_string_equal(id.parttype, "0x5");
	snprintf(path, sizeof(path), "%sp5", dos);
	assert_int_equal(probe_device(path, &id), 0);
	assert_string_equal(id.label, "logical");
	assert_true(!strncmp(id.partuuid + strlen(id.partuuid) - 3, "-05", 3));
}

static void test_md_spec_names(void **st)
{
	(void)st;
	/* fstab's /dev/md0 is the array named host:0, whatever it is called here */
	assert_true(md_spec_names("/dev/md0", "server1:0"));
	assert_true(md_spec_names("/dev/md/0", "server1:0"));
	assert_true(md_spec_names("/dev/md/server1:0", "server1:0"));
	assert_true(md_spec_names("/dev/md/root", "server1:root"));
	assert_true(md_spec_names("/dev/md1", "1"));              /* a name without a host */
	assert_false(md_spec_names("/dev/md1", "server1:0"));
	assert_false(md_spec_names("/dev/md10", "server1:1"));
	assert_false(md_spec_names("/dev/md/server2:0", "server1:0"));
	assert_false(md_spec_names("/dev/md0p1", "server1:0"));   /* a partition of an array */
	assert_false(md_spec_names("/dev/md0", ""));              /* 0.90 members carry no name */
	assert_false(md_spec_names("/dev/md/", "server1:"));
	assert_false(md_spec_names("/dev/sda3", "server1:0"));
	assert_false(md_spec_names("UUID=0123", "server1:0"));
	assert_false(md_spec_names("/dev/mdx", "server1:x"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gpt_disk),
		cmocka_unit_test(dos_disk),
		cmocka_unit_test(test_md_spec_names),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
