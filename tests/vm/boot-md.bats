#!/usr/bin/env bats
# Boot after repair on md RAID1 (make check-vm-slow; boot.bats explains the
# rig): a Debian 12 whose root is an md RAID1 over two disks is repaired in
# the rescue VM (reset-pass, disable-growpart on the array found by
# detect-root --assemble), then booted from those disks with its own kernel
# and initramfs, which assembles the array. root logs in with the new
# password; the array is whole and consistent; cloud-init did not grow it.
load ../helpers
load vm
load boot

setup_file() {
	boot_setup_file
}

@test "Debian 12 boots from a repaired md RAID1 root (its initramfs assembles the array): root logs in with reset-pass's password; cloud-init does not grow it" {
	need_debian
	local t=$BATS_TEST_TMPDIR
	deb_image md
	. "$BOOTDIR/vars"
	if [ ! -f "$BOOTDIR/.md" ]; then
		md_create_script > "$BOOTDIR/create.sh"
		vm_boot "$BOOTDIR/create" "$BOOTDIR/create.sh" --disk "scsi:$BOOTDIR/disk0.img" \
			--disk "scsi:$BOOTDIR/disk1.img" || true
		vm_assert "$BOOTDIR/create"
		touch "$BOOTDIR/.md"
	fi
	mkdir -p "$t/disks"
	cp --sparse=always "$BOOTDIR/disk0.img" "$BOOTDIR/disk1.img" "$t/disks/"
	cat > "$t/repair.sh" <<-E
	#!/bin/sh
	. ./lib.sh
	run rescuectl detect-root --assemble --json
	rc_is "detect-root --assemble" 0
	jqt "the root is the array" '.roots[0].device | test("^/dev/md")'
	run sh -c "printf '%s\n' '$BOOT_PW' | rescuectl reset-pass --password-stdin --yes"
	rc_is "reset-pass on the array (found by detect-root)" 0
	md_clean reset-pass
	# cloud-init's resizefs would grow the ext4 to fill the array (it does:
	# 512000 -> 512256 blocks here without this)
	run rescuectl disable-growpart --yes
	rc_is "disable-growpart on the array" 0
	md_clean disable-growpart
	md=\$(ls -d /sys/block/md* | head -n 1)
	say "# sectors=\$(cat \$md/size) blocks=\$(dumpe2fs -h /dev/\${md##*/} 2>/dev/null | sed -n 's/^Block count: *//p')"
	check "stop the array" mdadm --stop /dev/\${md##*/}
	done_tests
	E
	vm_boot "$t/rescue" "$t/repair.sh" --disk "scsi:$t/disks/disk0.img" --disk "scsi:$t/disks/disk1.img" || true
	vm_assert "$t/rescue"
	local sectors blocks
	sectors=$(sed -n 's/^# sectors=\([0-9]*\) .*/\1/p' "$t/rescue/results.log")
	blocks=$(sed -n 's/.* blocks=\([0-9]*\).*/\1/p' "$t/rescue/results.log")
	[ -n "$sectors" ] && [ -n "$blocks" ]
	boot_debian "$t/boot" "--disk scsi:$t/disks/disk0.img --disk scsi:$t/disks/disk1.img" \
		"root=UUID=$FS_UUID ro" "$sectors $blocks md"
	vm_assert "$t/boot"
	vm_count boot-md "$t/boot"
}
