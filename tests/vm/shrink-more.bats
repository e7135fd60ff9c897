#!/usr/bin/env bats
# The rest of shrink-root's VM tests (make check-vm-slow; shrink.bats is in
# check-vm's sample): --new-plain on md, and --pv with --new, refusing an
# extent past the PV's new end, a locked disk and failing pvresize undone;
# a shrink stopped after mdadm --grow (or lvreduce) finished by a re-run.
load ../helpers
load vm
load shrink

setup_file() {
	vm_init
}

@test "shrink-root --new rest --new-plain --mkfs ext4 on md RAID1 1.2: ext4 on the same plain partition of each disk, no new array" {
	vm_shrink_test c1small-md12 shrink_md_plain_test c1small-md12-plain
}

@test "shrink-root --pv --new rest --mkfs ext4: a new sda4 in the space the PV freed, clean" {
	vm_shrink_test lvm-pv shrink_pv_new_test
}

@test "shrink-root --pv refuses an LV extent past the PV's new end (naming the pvmove) without writing a sector" {
	vm_shrink_test lvm-pv shrink_pv_refused
}

@test "shrink-root --pv: the PV's disk locked elsewhere is refused; a failing pvresize (with and without shrinking the PV) is undone newest first: PV, LV, filesystem back, files identical" {
	vm_shrink_test lvm-pv shrink_pv_undo_test
}

@test "shrink-root on md RAID1 killed right after mdadm --grow: the same --size again shrinks the member sizes and partitions (already), a third run has nothing left; files identical, e2fsck clean, mismatch_cnt 0, after re-assembly too" {
	vm_shrink_test c1small-md12 shrink_md_resume_test c1small-md12-resume
}

@test "shrink-root --pv killed right after lvreduce: the same --size again cuts the PV's free extents at its end and shrinks sda3 (already), a third run has nothing left; pvs, vgck, partx agree, files identical, e2fsck clean, after re-activation too" {
	vm_shrink_test lvm-pv shrink_pv_resume_test lvm-pv-resume
}
