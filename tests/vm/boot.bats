#!/usr/bin/env bats
# Boot after repair: a real Debian 12 (debootstrap: systemd, cloud-init,
# mdadm, its own kernel and initramfs; tests/vm/debian.sh) is repaired in
# the rescue VM, then booted from the repaired disk with its own kernel and
# initramfs (-kernel/-initrd, root=PARTUUID= or root=UUID=, console=ttyS0).
# root logs in on the serial console with the password reset-pass set:
# that goes through the target's own login, PAM (pam_unix) and shadow. The
# check script in the image (vm-check) reports on ttyS1. This file (the plain
# disk, after reset-pass and shrink-root) is in make check-vm; boot-md.bats
# (an md RAID1 root) and boot-control.bats are in make check-vm-slow.
load ../helpers
load vm
load boot

setup_file() {
	boot_setup_file
}

@test "Debian 12 boots from the repaired plain disk: root logs in with reset-pass's password; cloud-init does not grow the shrunk root back" {
	need_debian
	boot_plain "$BATS_TEST_TMPDIR"
	vm_assert "$BATS_TEST_TMPDIR/boot"
	vm_count boot-plain "$BATS_TEST_TMPDIR/boot"
}
