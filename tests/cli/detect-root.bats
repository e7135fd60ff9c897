#!/usr/bin/env bats
# detect-root on disk images and loop devices, and on fake md/LVM/NVMe
# topologies (RESCUECTL_SYSROOT). Other loop devices may exist on the test
# machine, so every scan here is restricted: DEVICE arguments, or a fake
# sysroot that holds only what the test built.
load ../helpers
bats_require_minimum_version 1.5.0

setup() {
	T=$BATS_TEST_TMPDIR
	SWAPDEV=
}

teardown() {
	[ -n "$SWAPDEV" ] && swapoff "$SWAPDEV" 2>/dev/null
	cleanup_resources
}

# root_img IMG FLAVOR [ROOT_SPEC]: an ext4 image holding an installed root.
root_img() {
	local d=$T/tree.$RANDOM
	"$FIX/mkroot.sh" "$d" "$2" "${3:-}" && mkext4 "$1" "$d" 64M
}

# md_members: two RAID1 member images (md v1.2 superblocks, array name server1:0).
md_members() {
	truncate -s 64M "$T/m0.img" "$T/m1.img"
	mkmdsb "$T/m0.img" 0 0123456789abcdef0123456789abcdef server1:0
	mkmdsb "$T/m1.img" 1 0123456789abcdef0123456789abcdef server1:0
}

# blank_disk IMG: a whole disk holding only an empty GPT.
blank_disk() {
	truncate -s 64M "$1"
	echo 'label: gpt' | sfdisk -q "$1" >/dev/null
}

@test "GPT disk (ESP, /boot, root, swap): one root, confirmed by fstab, exit 0" {
	need_loop
	mkimg "$T/disk.img" debian12 gpt
	DISK=$(attach "$T/disk.img")
	run --separate-stderr "$RESCUECTL" detect-root --json "$DISK" "$DISK"p1 "$DISK"p2 "$DISK"p3 "$DISK"p4
	[ "$status" -eq 0 ]
	[ "$(jq '.roots | length' <<<"$output")" = 1 ]
	jq -e --arg d "${DISK}p3" --arg u "$ROOT_UUID" '.roots[0] | .device == $d and .uuid == $u and
		.fstype == "ext4" and .fstab_confirms == true and .os.id == "debian" and .os.version_id == "12" and
		.os.pretty_name == "Debian GNU/Linux 12 (bookworm)" and .inspected_via == "libext2fs"' <<<"$output"
	jq -e '.roots[0].evidence | any(test("GPT partition type: Linux root \\(x86-64\\)"))' <<<"$output"
	jq -e --arg d "${DISK}p4" '.candidates[] | select(.device == $d) | .skipped == "swap"' <<<"$output"
	jq -e --arg d "${DISK}p2" '.candidates[] | select(.device == $d) | .is_root == false and (.why_not | test("no /etc"))' <<<"$output"
	jq -e --arg d "$DISK" '.candidates[] | select(.device == $d) | .skipped | test("partitioned \\(gpt\\)")' <<<"$output"
	# the table names the root and its OS; nothing was mounted to find it
	run "$RESCUECTL" detect-root "$DISK"p2 "$DISK"p3
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" == "${DISK}p3 "*"Debian GNU/Linux 12 (bookworm)"*high* ]]
	! grep -q "^$DISK" /proc/self/mounts
}

@test "MBR disk: the root partition, fstab confirms it, no GPT type evidence" {
	need_loop
	mkimg "$T/disk.img" centos7 dos
	DISK=$(attach "$T/disk.img")
	run --separate-stderr "$RESCUECTL" detect-root --json "$DISK"p1 "$DISK"p2 "$DISK"p3 "$DISK"p4
	[ "$status" -eq 0 ]
	jq -e --arg d "${DISK}p3" '.roots | length == 1 and .[0].device == $d and .[0].fstab_confirms and
		.[0].os.id == "centos" and .[0].os.version_id == "7"' <<<"$output"
	! jq -e '.roots[0].evidence | any(test("GPT"))' <<<"$output"
}

@test "xfs root: looked at through a ro,norecovery mount that is gone afterwards" {
	need_loop
	truncate -s 320M "$T/xfs.img"
	mkfs.xfs -q -f "$T/xfs.img"
	X=$(attach "$T/xfs.img")
	u=$(blkid -o value -s UUID "$X")
	mount_tmp "$X" "$T/m"
	"$FIX/mkroot.sh" "$T/m" rhel9 "UUID=$u"
	umount "$T/m"
	run --separate-stderr "$RESCUECTL" detect-root --json "$X"
	[ "$status" -eq 0 ]
	jq -e --arg d "$X" --arg u "$u" '.roots[0] | .device == $d and .fstype == "xfs" and .uuid == $u and
		.inspected_via == "ro-mount" and .fstab_confirms and .os.id == "rhel" and .os.version_id == "9.4"' <<<"$output"
	! grep -q "^$X " /proc/self/mounts
	# gone in every mount namespace, not only this one: an exclusive open
	# fails (EBUSY) while any mount holds the device
	python3 -c 'import os, sys; os.close(os.open(sys.argv[1], os.O_RDONLY | os.O_EXCL))' "$X"
	# an xfs image file is not mounted behind the user's back: it says how
	run --separate-stderr "$RESCUECTL" detect-root --json "$T/xfs.img"
	[ "$status" -eq 4 ]
	jq -e '.candidates[0].why_not | test("losetup")' <<<"$output"
}

@test "nothing is written: ext4 needing journal recovery and xfs with a dirty log keep their checksums" {
	need_loop
	root_img "$T/ext.img" debian12
	debugfs -w -R "feature needs_recovery" "$T/ext.img" >/dev/null 2>&1
	dumpe2fs -h "$T/ext.img" 2>/dev/null | grep -q needs_recovery
	truncate -s 320M "$T/xfs.img"
	mkfs.xfs -q -f "$T/xfs.img"
	X=$(attach "$T/xfs.img")
	mount_tmp "$X" "$T/m"
	"$FIX/mkroot.sh" "$T/m" ubuntu2204
	# the tree reaches the disk (freeze checkpoints the log), the last change
	# stays in the log only: shut down without a clean unmount record
	xfs_freeze -f "$T/m"
	xfs_freeze -u "$T/m"
	touch "$T/m/etc/marker"
	sync -f "$T/m/etc/marker"
	xfs_io -x -c shutdown "$T/m"
	umount "$T/m"
	# the log needs replaying: a plain mount would write
	run xfs_repair -n "$X"
	[[ "$output" == *"valuable metadata changes in a log"* ]]
	e=$(sha "$T/ext.img") x=$(sha "$T/xfs.img")
	run --separate-stderr "$RESCUECTL" detect-root --json "$T/ext.img" "$X"
	[ "$status" -eq 5 ]
	jq -e '[.roots[].os.id] | sort == ["debian", "ubuntu"]' <<<"$output"
	[ "$(sha "$T/ext.img")" = "$e" ]
	[ "$(sha "$T/xfs.img")" = "$x" ]
	run xfs_repair -n "$X"
	[[ "$output" == *"valuable metadata changes in a log"* ]]
	dumpe2fs -h "$T/ext.img" 2>/dev/null | grep -q needs_recovery
}

@test "GPT disk image checksum is unchanged by detect-root" {
	need_loop
	mkimg "$T/disk.img" rhel9 gpt
	before=$(sha "$T/disk.img")
	DISK=$(attach "$T/disk.img")
	run "$RESCUECTL" detect-root "$DISK" "$DISK"p1 "$DISK"p2 "$DISK"p3 "$DISK"p4
	[ "$status" -eq 0 ]
	[ "$(sha "$T/disk.img")" = "$before" ]
}

@test "an image file is accepted as DEVICE" {
	root_img "$T/root.img" debian12
	run --separate-stderr "$RESCUECTL" detect-root --json "$T/root.img"
	[ "$status" -eq 0 ]
	jq -e --arg d "$T/root.img" '.roots[0].device == $d and .roots[0].os.id == "debian"' <<<"$output"
}

@test "root on an md array (fake sysroot, md127 while fstab says /dev/md0): found through its members" {
	md_members
	"$FIX/mkroot.sh" "$T/tree" debian12 /dev/md0
	mkext4 "$T/md.img" "$T/tree" 60M
	blank_disk "$T/sda.img"
	blank_disk "$T/sdb.img"
	SR=$T/sysroot
	"$FIX/mksysfs.sh" "$SR" disk sda "$T/sda.img"
	"$FIX/mksysfs.sh" "$SR" part sda1 "$T/m0.img" sda 1
	"$FIX/mksysfs.sh" "$SR" disk sdb "$T/sdb.img"
	"$FIX/mksysfs.sh" "$SR" part sdb1 "$T/m1.img" sdb 1
	"$FIX/mksysfs.sh" "$SR" md md127 "$T/md.img" raid1 sda1 sdb1
	before=$(sha "$T/md.img")
	RESCUECTL_SYSROOT=$SR run --separate-stderr "$RESCUECTL" detect-root --json
	[ "$status" -eq 0 ]
	jq -e --arg d "$SR/dev/md127" '.roots | length == 1 and .[0].device == $d and .[0].fstab_confirms' <<<"$output"
	jq -e '.roots[0].evidence | any(test("md array raid1 over (sda1, sdb1|sdb1, sda1)"))' <<<"$output"
	jq -e '.roots[0].evidence | any(test("/dev/md0: this array, its members are named server1:0 \\(md127 here\\)"))' <<<"$output"
	jq -e '[.candidates[] | select(.fstype == "linux_raid_member") | .skipped] == ["RAID member of md127", "RAID member of md127"]' <<<"$output"
	jq -e '.hints | length == 0' <<<"$output"
	[ "$(sha "$T/md.img")" = "$before" ]
}

@test "LVM LV and NVMe names (fake sysroot): fstab's /dev/VG/LV and /dev/nvme0n1p2 confirm" {
	"$FIX/mkroot.sh" "$T/lv" rhel9 /dev/vg0/root
	mkext4 "$T/lv.img" "$T/lv" 60M
	"$FIX/mkroot.sh" "$T/nv" ubuntu2204 /dev/nvme0n1p2
	mkext4 "$T/nv.img" "$T/nv" 60M
	blank_disk "$T/n0.img"
	truncate -s 64M "$T/pv.img"
	mkpvlabel "$T/pv.img" abcdefABCDEF0123456789ghijklmnop
	SR=$T/sysroot
	"$FIX/mksysfs.sh" "$SR" disk nvme0n1 "$T/n0.img"
	"$FIX/mksysfs.sh" "$SR" part nvme0n1p1 "$T/pv.img" nvme0n1 1
	"$FIX/mksysfs.sh" "$SR" part nvme0n1p2 "$T/nv.img" nvme0n1 2
	"$FIX/mksysfs.sh" "$SR" dm dm-0 "$T/lv.img" vg0-root nvme0n1p1
	RESCUECTL_SYSROOT=$SR run --separate-stderr "$RESCUECTL" detect-root --json --all
	[ "$status" -eq 0 ]
	jq -e --arg d "$SR/dev/dm-0" '.roots[] | select(.device == $d) | .fstab_confirms and .os.id == "rhel"' <<<"$output"
	jq -e --arg d "$SR/dev/nvme0n1p2" '.roots[] | select(.device == $d) | .fstab_confirms and .os.id == "ubuntu"' <<<"$output"
	# the PV under the active LV is a member, not a candidate, and wants no vgchange
	jq -e --arg d "$SR/dev/nvme0n1p1" '.candidates[] | select(.device == $d) | .fstype == "LVM2_member" and .skipped == "LVM physical volume"' <<<"$output"
	jq -e '.hints | length == 0' <<<"$output"
	# without --all two roots are ambiguous
	RESCUECTL_SYSROOT=$SR run --separate-stderr "$RESCUECTL" detect-root
	[ "$status" -eq 5 ]
}

@test "a data disk holding a copy of /etc is no root (exit 4, says why)" {
	"$FIX/mkroot.sh" "$T/tree" debian12
	mkdir -p "$T/data/backup"
	cp -a "$T/tree/etc" "$T/data/etc"
	mkext4 "$T/data.img" "$T/data" 32M
	run --separate-stderr "$RESCUECTL" detect-root --json "$T/data.img"
	[ "$status" -eq 4 ]
	jq -e '.roots == [] and (.candidates[0].why_not == "no /bin directory")' <<<"$output"
	run "$RESCUECTL" detect-root "$T/data.img"
	[ "$status" -eq 4 ]
	[[ "$output" == *"not a root: no /bin directory"* ]]
	[[ "$output" == *"no installed Linux root found"* ]]
}

@test "two OS disks: ambiguous (exit 5, both listed); --all makes it a success" {
	root_img "$T/a.img" debian12
	root_img "$T/b.img" rhel9
	run --separate-stderr "$RESCUECTL" detect-root --json "$T/a.img" "$T/b.img"
	[ "$status" -eq 5 ]
	jq -e '[.roots[].os.id] == ["debian", "rhel"] and .error.exit == 5' <<<"$output"
	run "$RESCUECTL" detect-root "$T/a.img" "$T/b.img"
	[ "$status" -eq 5 ]
	[[ "$output" == *"Debian GNU/Linux 12"* && "$output" == *"Red Hat Enterprise Linux 9.4"* ]]
	[[ "$output" == *"2 roots found"* ]]
	run "$RESCUECTL" detect-root --all "$T/a.img" "$T/b.img"
	[ "$status" -eq 0 ]
}

@test "members of an unassembled md array: exit 4, the command to assemble it; --assemble runs it" {
	md_members
	run --separate-stderr "$RESCUECTL" detect-root --json "$T/m0.img" "$T/m1.img"
	[ "$status" -eq 4 ]
	jq -e '[.candidates[].skipped] == ["RAID member (array not assembled)", "RAID member (array not assembled)"]' <<<"$output"
	jq -e '.candidates[0].fstype == "linux_raid_member" and .candidates[0].label == "server1:0"' <<<"$output"
	jq -e '.hints | any(test("mdadm --assemble --scan"))' <<<"$output"
	# --assemble runs mdadm where it exists (a stand-in records its arguments)
	mkdir -p "$T/bin"
	printf '#!/bin/sh\necho "$@" > %s/mdadm.args\n' "$T" > "$T/bin/mdadm"
	chmod +x "$T/bin/mdadm"
	PATH=$T/bin:$PATH run "$RESCUECTL" detect-root --assemble --dry-run "$T/m0.img"
	[[ "$output" == *"would run: mdadm --assemble --scan"* ]]
	[ ! -e "$T/mdadm.args" ]
	PATH=$T/bin:$PATH run "$RESCUECTL" detect-root --assemble "$T/m0.img"
	[ "$status" -eq 4 ]
	[[ "$output" == *"running: mdadm --assemble --scan"* ]]
	[ "$(cat "$T/mdadm.args")" = "--assemble --scan" ]
}

@test "an LVM physical volume of an inactive volume group: exit 4, the command to activate it" {
	truncate -s 32M "$T/pv.img"
	mkpvlabel "$T/pv.img" abcdefABCDEF0123456789ghijklmnop
	run --separate-stderr "$RESCUECTL" detect-root --json "$T/pv.img"
	[ "$status" -eq 4 ]
	jq -e '.candidates[0] | .fstype == "LVM2_member" and .skipped == "LVM physical volume (volume group not active)"' <<<"$output"
	jq -e '.hints | any(test("vgchange -ay"))' <<<"$output"
}

@test "a LUKS container is reported as needing to be opened first" {
	"$FIX/mkluks.sh" "$T/luks.img" 16M > "$T/luks.vars"
	run --separate-stderr "$RESCUECTL" detect-root --json "$T/luks.img"
	[ "$status" -eq 4 ]
	jq -e '.candidates[0] | .fstype == "crypto_LUKS" and .skipped == "encrypted (LUKS)"' <<<"$output"
	jq -e --arg f "$T/luks.img" '.hints | any(test("cryptsetup open " + $f))' <<<"$output"
}

@test "an empty disk: nothing found, exit 4" {
	truncate -s 32M "$T/empty.img"
	run --separate-stderr "$RESCUECTL" detect-root --json "$T/empty.img"
	[ "$status" -eq 4 ]
	jq -e '.roots == [] and .candidates[0].skipped == "no filesystem found" and .error.exit == 4' <<<"$output"
}

@test "the rescue system's own devices are skipped: mounted elsewhere, active swap" {
	need_loop
	root_img "$T/own.img" debian12
	O=$(attach "$T/own.img")
	mount_tmp "$O" "$T/rescue-data"
	truncate -s 16M "$T/swap.img"
	mkswap -q "$T/swap.img" >/dev/null
	S=$(attach "$T/swap.img")
	swapon "$S" || skip "swapon does not work here"
	SWAPDEV=$S
	run --separate-stderr "$RESCUECTL" detect-root --json "$O" "$S"
	[ "$status" -eq 4 ]
	jq -e --arg d "$O" --arg m "$T/rescue-data" '.candidates[] | select(.device == $d) | .skipped == "used by the rescue system (mounted on " + $m + ")"' <<<"$output"
	jq -e --arg d "$S" '.candidates[] | select(.device == $d) | .skipped == "used by the rescue system (active swap)"' <<<"$output"
	# but a root mounted under the target directory (/mnt: mount-root's) is the installed system
	swapoff "$S"
	SWAPDEV=
}

@test "btrfs root in a subvolume: found, with fstab's subvol= confirmed" {
	need_loop
	truncate -s 256M "$T/btrfs.img"
	mkfs.btrfs -q -f "$T/btrfs.img" >/dev/null
	B=$(attach "$T/btrfs.img")
	u=$(blkid -o value -s UUID "$B")
	mount_tmp "$B" "$T/m"
	btrfs -q subvolume create "$T/m/@" >/dev/null
	"$FIX/mkroot.sh" "$T/m/@" debian12 "UUID=$u"
	sed -i 's|^UUID=[^ ]* / ext4 [^ ]*|UUID='"$u"' / btrfs subvol=@|' "$T/m/@/etc/fstab"
	umount "$T/m"
	before=$(sha "$T/btrfs.img")
	run --separate-stderr "$RESCUECTL" detect-root --json "$B"
	[ "$status" -eq 0 ]
	jq -e '.roots[0] | .fstype == "btrfs" and .subvol == "@" and .fstab_confirms' <<<"$output"
	jq -e '.roots[0].evidence | any(test("btrfs subvolume @, as fstab"))' <<<"$output"
	[ "$(sha "$T/btrfs.img")" = "$before" ]
}

@test "a btrfs the rescue system has mounted is skipped too (its mountinfo device is anonymous, 0:N)" {
	need_loop
	truncate -s 256M "$T/btrfs.img"
	mkfs.btrfs -q -f "$T/btrfs.img" >/dev/null
	B=$(attach "$T/btrfs.img")
	mount_tmp "$B" "$T/rescue-btrfs"
	"$FIX/mkroot.sh" "$T/rescue-btrfs" debian12
	run --separate-stderr "$RESCUECTL" detect-root --json "$B"
	[ "$status" -eq 4 ]
	jq -e --arg d "$B" --arg m "$T/rescue-btrfs" '.candidates[] | select(.device == $d) | .skipped == "used by the rescue system (mounted on " + $m + ")"' <<<"$output"
}

@test "a btrfs mounted read-write in another mount namespace is not mounted again (ours would share its live superblock)" {
	need_loop
	command -v unshare >/dev/null || skip "needs unshare (util-linux)"
	truncate -s 256M "$T/btrfs.img"
	mkfs.btrfs -q -f "$T/btrfs.img" >/dev/null
	B=$(attach "$T/btrfs.img")
	mount_tmp "$B" "$T/m"
	"$FIX/mkroot.sh" "$T/m" debian12
	umount "$T/m"
	# another program's private mount, invisible in our mountinfo; it ends
	# by itself within 30 s should this test fail before it is told to
	timeout 30 unshare -m --propagation private sh -c \
		'mount "$1" "$2" && touch "$2.up" && while [ ! -e "$2.done" ]; do sleep 0.1; done; umount "$2"' \
		_ "$B" "$T/m" >/dev/null 2>&1 3>&- &
	for _ in $(seq 100); do [ -e "$T/m.up" ] && break; sleep 0.1; done
	[ -e "$T/m.up" ]
	! grep -q "^$B " /proc/self/mounts
	run --separate-stderr "$RESCUECTL" detect-root --json "$B"
	touch "$T/m.done"
	wait
	[ "$status" -eq 4 ]
	jq -e --arg d "$B" '.candidates[] | select(.device == $d) | .why_not | test("another mount namespace")' <<<"$output"
	# and with it gone, the same device is looked into
	run --separate-stderr "$RESCUECTL" detect-root --json "$B"
	[ "$status" -eq 0 ]
	jq -e '.roots[0].inspected_via == "ro-mount" and .roots[0].os.id == "debian"' <<<"$output"
}

@test "an xfs external log device is still named (its prober runs only where nothing else was found)" {
	command -v mkfs.xfs >/dev/null || skip "needs mkfs.xfs"
	truncate -s 300M "$T/xfs.img"
	truncate -s 80M "$T/xlog.img"
	mkfs.xfs -q -f -l logdev="$T/xlog.img",size=64m "$T/xfs.img" >/dev/null 2>&1 || skip "mkfs.xfs cannot make an external log here"
	run --separate-stderr "$RESCUECTL" detect-root --json "$T/xlog.img"
	[ "$status" -eq 4 ]
	jq -e '.candidates[0].fstype == "xfs_external_log"' <<<"$output"
}

@test "--assemble --json: the programs it runs inherit no descriptor beyond stdin, stdout and stderr" {
	mkdir -p "$T/bin"
	for p in mdadm vgchange; do
		printf '#!/bin/sh\nls /proc/$$/fd > "%s/%s.fds"\n' "$T" "$p" > "$T/bin/$p"
		chmod +x "$T/bin/$p"
	done
	truncate -s 16M "$T/empty.img"
	# started with nothing open beyond 0-2 (bats keeps descriptors of its own)
	run --separate-stderr perl -e 'use POSIX (); POSIX::close($_) for 3 .. 1023; exec @ARGV or die' \
		env RESCUECTL_NO_SBIN=1 PATH="$T/bin:/usr/bin:/bin" "$RESCUECTL" detect-root --assemble --json "$T/empty.img"
	[ "$status" -eq 4 ]
	jq -e . <<<"$output" >/dev/null
	# the shell itself may hold its script open (fd 10 and up); below that only 0, 1, 2
	for p in mdadm vgchange; do
		cat "$T/$p.fds"
		[ "$(awk '$1 < 10' "$T/$p.fds" | sort -n | tr '\n' ' ')" = "0 1 2 " ]
	done
}

@test "a stale whole-disk ext4 behind an MBR is never taken for the root, mounted, checked or edited" {
	need_loop
	img=$BATS_TEST_TMPDIR/stale.img
	"$FIX/mkroot.sh" "$BATS_TEST_TMPDIR/tree" debian12 >/dev/null
	truncate -s 300M "$img"
	mke2fs -q -F -t ext4 -d "$BATS_TEST_TMPDIR/tree" "$img" >/dev/null
	# partitioned afterwards without wiping: the old superblock at 1 KiB survives the MBR
	printf 'label: dos\nsize=100MiB, type=83\nsize=100MiB, type=83\n' | sfdisk -q --wipe never "$img" >/dev/null
	blkid -p "$img" | grep -q 'TYPE="ext4"'
	before=$(sha "$img")
	L=$(attach "$img")
	run "$RESCUECTL" detect-root "$L"
	[ "$status" -eq 4 ]
	run "$RESCUECTL" detect-root -v "$L"
	[[ "$output" == *"one of them is stale"* ]]
	mkdir -p "$BATS_TEST_TMPDIR/m"
	run "$RESCUECTL" mount-root --target "$BATS_TEST_TMPDIR/m" "$L"
	[ "$status" -eq 3 ]
	! grep -q " $BATS_TEST_TMPDIR/m " /proc/self/mounts
	run "$RESCUECTL" fsck --yes "$L"
	[ "$status" -eq 8 ]
	run "$RESCUECTL" reset-pass --password-stdin "$L" <<<"pw"
	[ "$status" -eq 3 ]
	[ "$(sha "$img")" = "$before" ]
}

@test "no block device list (empty sysroot): the reason is named, never 'unknown error'" {
	mkdir -p "$BATS_TEST_TMPDIR/emptysys"
	RESCUECTL_SYSROOT="$BATS_TEST_TMPDIR/emptysys" run "$RESCUECTL" detect-root
	[ "$status" -eq 1 ]
	[[ "$output" == *"cannot list $BATS_TEST_TMPDIR/emptysys/sys/class/block: is /sys mounted?"* ]]
	[[ "$output" != *"unknown error"* ]]
}
