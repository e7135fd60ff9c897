#!/usr/bin/env bats
# shrink-root on a real md RAID1 (metadata 1.2) and a real LVM logical
# volume (on md) in the rescue VM, and its refusal of metadata 1.0: the
# checks are in tests/vm/guest/shrink.sh. The layouts are those of
# layouts.bats / layouts-more.bats (cached in build/vm/layouts).
load ../helpers
load vm

setup_file() {
	vm_init
}

# vm_json_valid OUT: the guest's --json documents ("JSON NAME EXIT {...}"
# lines) validate against doc/schema/shrink-root.schema.json.
vm_json_valid() {
	local name code doc n=0
	mkdir -p "$1/docs"
	while read -r _ name code doc; do
		printf '%s\n' "$doc" > "$1/docs/shrink-root@$name@$code.json"
		n=$((n + 1))
	done < <(grep '^JSON ' "$1/results.log" | tr -d '\r')
	[ "$n" -eq 0 ] || python3 "$TOP/tests/schema/validate.py" "$TOP/doc/schema" "$1/docs"
}

# vm_shrink_test LAYOUT FUNCTION: FUNCTION of guest/shrink.sh on fresh
# copies of the layout's disks.
vm_shrink_test() {
	need_vm
	local t=$BATS_TEST_TMPDIR
	vm_layout_copy "$1" "$t/disks"
	mkdir -p "$t/extra"
	cp "$VM/guest/shrink.sh" "$t/extra/"
	printf '#!/bin/sh\n. ./lib.sh\n. ./std.sh\n. ./layout.sh\n[ -f vars ] && . ./vars\n. ./shrink.sh\n%s\ndone_tests\n' "$2" > "$t/run.sh"
	VM_EXTRA=$t/extra vm_boot "$t/out" "$t/run.sh" $(vm_disk_args "$t/disks") || true
	vm_assert "$t/out" || return 1
	vm_json_valid "$t/out"
	vm_count "shrink-${3:-$1}" "$t/out"
}

@test "shrink-root on md RAID1 1.2 (c1.small): files identical, e2fsck clean, array and member partitions shrunk, in sync; a failing mdadm is undone" {
	vm_shrink_test c1small-md12 shrink_md_test
}

@test "shrink-root --new rest --mkfs ext4 on md RAID1 1.2: a new RAID1 over the new partition of each disk, clean, survives stop+assemble" {
	vm_shrink_test c1small-md12 shrink_md_new_test c1small-md12-new
}

@test "shrink-root --new rest --new-plain --mkfs ext4 on md RAID1 1.2: ext4 on the same plain partition of each disk, no new array" {
	vm_shrink_test c1small-md12 shrink_md_plain_test c1small-md12-plain
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

@test "shrink-root --pv --new rest --mkfs ext4: a new sda4 in the space the PV freed, clean" {
	vm_shrink_test lvm-pv shrink_pv_new_test
}

@test "shrink-root --pv refuses an LV extent past the PV's new end (naming the pvmove) without writing a sector" {
	vm_shrink_test lvm-pv shrink_pv_refused
}

@test "shrink-root --pv: the PV's disk locked elsewhere is refused; a failing pvresize (with and without shrinking the PV) is undone newest first: PV, LV, filesystem back, files identical" {
	vm_shrink_test lvm-pv shrink_pv_undo_test
}
