#!/usr/bin/env bats
# The server layouts of issue 13, each booted in the rescue VM (a real
# kernel with md, device-mapper and NVMe): detect-root, mount-root, fsck,
# reset-pass, clear-pass and disable-growpart on the real devices, with an
# md consistency check (mismatch_cnt 0) after every applet, and shrink-root
# refusing arrays, volumes and their members without writing a sector.
# make check-vm runs these three (plain disk, md RAID1, LVM on md);
# layouts-more.bats holds the other seven (make check-vm-slow).
load ../helpers
load vm

setup_file() {
	vm_init
}

@test "t1.small: GPT, root on /dev/sda3 (virtio-scsi)" {
	vm_layout_test t1small
}

@test "c1.small: root on md RAID1 (1.2) named md0 in fstab, md12x here; /boot on a second array" {
	vm_layout_test c1small-md12
}

@test "LVM on md RAID1: --assemble brings up the array, then the VG" {
	vm_layout_test lvm-md
}
