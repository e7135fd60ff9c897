#!/usr/bin/env bats
# The server layouts of issue 13, each booted in the rescue VM (a real
# kernel with md, device-mapper and NVMe): detect-root, mount-root, fsck,
# reset-pass, clear-pass and disable-growpart on the real devices, with an
# md consistency check (mismatch_cnt 0) after every applet, and shrink-root
# refusing arrays, volumes and their members without writing a sector.
# The other seven layouts (make check-vm-slow; layouts.bats has the three
# make check-vm runs).
load ../helpers
load vm

setup_file() {
	vm_init
}

@test "c1.small, metadata 1.0: members that start with a whole ext4 are never taken for the root; fstab by UUID=" {
	vm_layout_test c1small-md10
}

@test "c1.small, metadata 0.90 (superblock at the end, no array name): assembled under its preferred minor, md0" {
	vm_layout_test c1small-md090
}

@test "LVM root on a PV partition (vg0-root), VG inactive until --assemble" {
	vm_layout_test lvm-pv
}

@test "xfs root on LVM as RHEL 9 installs it (rhel-root, /boot xfs)" {
	vm_layout_test xfs-rhel
}

@test "NVMe: root on /dev/nvme0n1p3" {
	vm_layout_test nvme
}

@test "LUKS2 root: detected, with the cryptsetup command; found once opened" {
	vm_layout_test luks
}

@test "btrfs with Fedora's subvolumes (root, home)" {
	vm_layout_test btrfs-fedora
}
