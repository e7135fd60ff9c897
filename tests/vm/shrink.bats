#!/usr/bin/env bats
# shrink-root on a real md RAID1 (metadata 1.2), a real LVM logical volume
# (on md) and with --pv (on a PV partition) in the rescue VM, and its
# refusal of metadata 1.0: the checks are in tests/vm/guest/shrink.sh.
# check-vm runs these; shrink-more.bats (check-vm-slow) the rest. The
# layouts are those of layouts.bats / layouts-more.bats (cached in
# build/vm/layouts).
load ../helpers
load vm
load shrink

setup_file() {
	vm_init
}

@test "shrink-root on md RAID1 1.2 (c1.small): files identical, e2fsck clean, array and member partitions shrunk, in sync; a failing mdadm is undone" {
	vm_shrink_test c1small-md12 shrink_md_test
}

@test "shrink-root --new rest --mkfs ext4 on md RAID1 1.2: a new RAID1 over the new partition of each disk, clean, survives stop+assemble" {
	vm_shrink_test c1small-md12 shrink_md_new_test c1small-md12-new
}

@test "shrink-root on an LVM LV on md RAID1: files identical, e2fsck clean, lvs and vgs agree, md in sync" {
	vm_shrink_test lvm-md shrink_lvm_test
}

@test "shrink-root refuses md metadata 1.0 (superblock at the end) without writing a sector" {
	vm_shrink_test c1small-md10 shrink_md10_refused
}

@test "shrink-root --pv on an LVM root on a PV partition: fs, LV, PV and sda3 shrunk; pvs, vgck, partx agree; files identical, e2fsck clean, after re-activation too" {
	vm_shrink_test lvm-pv shrink_pv_test
}
