/* mount-root's pure parts: fstab options to mount(2) flags and data, which
 * fstab entries are mounted, unmount order; and the LVM /dev/VG/LV
 * spelling of fstab_spec_matches. (Path containment: test_chase.c.) */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <sys/mount.h>
#include <cmocka.h>
#include "../../lib/mount_fstab.h"
#include "../../lib/mount_opts.h"
#include "../../lib/umount.h"

static void opts_flags_and_data(void **s)
{
	(void)s;
	unsigned long fl;
	char data[64];
	assert_int_equal(mount_opts_parse("defaults,noatime,errors=remount-ro,nofail,x-systemd.device-timeout=5,"
					  "_netdev,nodev,comment=foo,umask=0077", &fl, data, sizeof(data)), 0);
	assert_true(fl & MS_NOATIME);
	assert_true(fl & MS_NODEV);
	assert_false(fl & MS_RDONLY);
	assert_string_equal(data, "errors=remount-ro,umask=0077");
	assert_int_equal(mount_opts_parse("ro,rw", &fl, data, sizeof(data)), 0);
	assert_false(fl & MS_RDONLY);
	assert_int_equal(mount_opts_parse("rw,ro,relatime,noatime", &fl, data, sizeof(data)), 0);
	assert_true(fl & MS_RDONLY);
	assert_true(fl & MS_NOATIME);
	assert_false(fl & MS_RELATIME);
	assert_string_equal(data, "");
	assert_int_equal(mount_opts_parse("", &fl, data, sizeof(data)), 0);
	assert_int_equal(fl, 0);
	assert_int_equal(mount_opts_parse(NULL, &fl, data, sizeof(data)), 0);
	assert_int_equal(mount_opts_parse("subvol=@home,compress=zstd:3", &fl, data, sizeof(data)), 0);
	assert_string_equal(data, "subvol=@home,compress=zstd:3");
	char small[8];
	assert_int_equal(mount_opts_parse("subvol=@home", &fl, small, sizeof(small)), -ENOSPC);
}

static int mountable(const char *spec, const char *file, const char *type, const char *opts, char *why)
{
	struct fstab_entry e = { (char *)spec, (char *)file, (char *)type, (char *)opts, 0, 0, 1 };
	return fstab_entry_mountable(&e, why, 128);
}

static void which_entries(void **s)
{
	(void)s;
	char why[128];
	assert_int_equal(mountable("UUID=abcd", "/boot", "ext4", "defaults", why), 1);
	assert_int_equal(mountable("UUID=ABCD-1234", "/boot/efi", "vfat", "umask=0077", why), 1);
	assert_int_equal(mountable("/dev/mapper/vg-home", "/home", "xfs", "defaults", why), 1);
	assert_int_equal(mountable("PARTLABEL=var", "/var", "auto", "defaults", why), 1);
	assert_int_equal(mountable("UUID=abcd", "/", "ext4", "defaults", why), 0);
	assert_string_equal(why, "the root itself");
	assert_int_equal(mountable("/swapfile", "none", "swap", "sw", why), 0);
	assert_string_equal(why, "swap");
	assert_int_equal(mountable("UUID=abcd", "/data", "ext4", "noauto,nofail", why), 0);
	assert_string_equal(why, "noauto");
	assert_int_equal(mountable("/srv/a", "/srv/b", "none", "bind", why), 0);
	assert_string_equal(why, "bind mount");
	assert_int_equal(mountable("/srv/a", "/srv/b", "ext4", "rbind", why), 0);
	assert_int_equal(mountable("tmpfs", "/tmp", "tmpfs", "nosuid", why), 0);
	assert_int_equal(mountable("nas:/export", "/srv/nfs", "nfs", "defaults", why), 0);
	assert_non_null(strstr(why, "network"));
	assert_int_equal(mountable("//nas/share", "/srv/smb", "cifs", "defaults", why), 0);
	assert_int_equal(mountable("UUID=abcd", "/srv/iscsi", "ext4", "_netdev", why), 0);
	assert_int_equal(mountable("sshfs#u@h:", "/srv/s", "fuse.sshfs", "defaults", why), 0);
	assert_int_equal(mountable("proc", "/proc", "proc", "defaults", why), 0);
	assert_int_equal(mountable("overlay", "/srv/o", "overlay", "lowerdir=/a", why), 0);
}

static void noreplay(void **s)
{
	(void)s;
	assert_string_equal(mount_noreplay_opt("ext4"), "noload");
	assert_string_equal(mount_noreplay_opt("ext3"), "noload");
	assert_string_equal(mount_noreplay_opt("ext2"), "");
	assert_string_equal(mount_noreplay_opt("xfs"), "norecovery");
	assert_string_equal(mount_noreplay_opt("btrfs"), "rescue=nologreplay");
	assert_string_equal(mount_noreplay_opt("vfat"), "");
}

static void order_deepest_first(void **s)
{
	(void)s;
	const char *p[] = { "/mnt", "/mnt/boot", "/mnt/proc", "/mnt/boot/efi", "/mnt/dev", "/mnt/dev/pts", "/mnt" };
	size_t idx[7];
	umount_order(p, idx, 7);
	/* boot/efi and dev/pts (depth 3) first, the two stacked /mnt last, the top one (6) first */
	assert_int_equal(idx[0] == 5 || idx[0] == 3, 1);
	assert_int_equal(idx[1] == 5 || idx[1] == 3, 1);
	assert_int_equal(idx[5], 6);
	assert_int_equal(idx[6], 0);
	for (size_t i = 2; i < 5; i++)
		assert_true(idx[i] == 1 || idx[i] == 2 || idx[i] == 4);
	/* the same depth keeps the later mount first */
	assert_true(idx[2] > idx[3] && idx[3] > idx[4]);
}

static void lvm_spelling(void **s)
{
	(void)s;
	struct devid id;
	memset(&id, 0, sizeof(id));
	strcpy(id.name, "vg0-root");
	assert_true(fstab_spec_matches("/dev/vg0/root", &id));
	assert_true(fstab_spec_matches("/dev/mapper/vg0-root", &id));
	assert_false(fstab_spec_matches("/dev/vg0/home", &id));
	strcpy(id.name, "my--vg-my--root");
	assert_true(fstab_spec_matches("/dev/my-vg/my-root", &id));
	assert_false(fstab_spec_matches("/dev/my/vg-my-root", &id));
	strcpy(id.name, "md127");
	assert_false(fstab_spec_matches("/dev/md/0", &id));
	assert_true(fstab_spec_matches("/dev/md127", &id));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(opts_flags_and_data),
		cmocka_unit_test(which_entries),
		cmocka_unit_test(noreplay),
		cmocka_unit_test(order_deepest_first),
		cmocka_unit_test(lvm_spelling),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
