#!/usr/bin/env bats
# doctor: healthy trees of real distributions give no finding; planted
# faults give the right id and evidence; the diagnosis writes no byte;
# --fix safe leaves nothing fixable and --undo brings the tree back byte for
# byte, offline on an image and on a mounted tree; systemd-fstab-generator
# agrees that the fixed fstab no longer stops the boot.
load ../helpers
bats_require_minimum_version 1.5.0

ROOT_UUID=4a3f1c2e-8d5b-4e6f-9a1b-2c3d4e5f6a7b
BOOT_UUID=7e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b
GONE=11111111-2222-4333-8444-555555555555

setup() {
	need_root
	W=$BATS_TEST_TMPDIR/w
	mkdir -p "$W"
}

# healthy FLAVOR: $W/tree, $W/root.img (and boot.img), the ESP, /boot and the
# NIC the tree's network configuration brings up (virtio, PCI 0000:00:03.0,
# the MAC of mkhealthy's part_network) in a fake sysfs ($W/sys, exported as
# RESCUECTL_SYSROOT).
healthy() {
	local fl=$1 lab=()
	case $fl in ubuntu*) lab=(-L cloudimg-rootfs) ;; esac
	if [ "$fl" = fedora40 ]; then BOOT_DIR=$W/boot "$FIX/mkhealthy.sh" "$W/tree" "$fl"; else "$FIX/mkhealthy.sh" "$W/tree" "$fl"; fi
	rebuild "${lab[@]}"
	truncate -s 40M "$W/esp.img"
	mkfs.vfat -i 1A2B3C4D -n UEFI "$W/esp.img" >/dev/null
	"$FIX/mksysfs.sh" "$W/sys" disk sda "$W/esp.img"
	"$FIX/mksysfs.sh" "$W/sys" part sda15 "$W/esp.img" sda 15
	if [ "$fl" = fedora40 ]; then
		mke2fs -q -F -t ext4 -U $BOOT_UUID -d "$W/boot" "$W/boot.img" 64M 2>/dev/null
		"$FIX/mksysfs.sh" "$W/sys" part sda2 "$W/boot.img" sda 2
	fi
	"$FIX/mknetsys.sh" "$W/sys" eth0 52:54:00:12:34:56 0000:00:03.0 virtio_net virtio
	"$FIX/mknetsys.sh" "$W/sys" virtual lo
	export RESCUECTL_SYSROOT=$W/sys
}

# rebuild [MKE2FS ARGS]: root.img from $W/tree again (after planting a fault).
rebuild() {
	mke2fs -q -F -t ext4 -U $ROOT_UUID "$@" -d "$W/tree" "$W/root.img" 128M 2>/dev/null
}

# sig IMG: every path of the image with type, mode, owner, size, content hash and label.
sig() {
	local l m=$BATS_TEST_TMPDIR/sigmnt
	l=$(losetup -f --show -r "$1")
	mkdir -p "$m"
	mount -o ro,noload "$l" "$m"
	(cd "$m" && find . -printf '%p %y %m %U %G %s %l\n' | LC_ALL=C sort
	 find . -type f -exec sha256sum {} + | LC_ALL=C sort -k2
	 getfattr -R -h -d -m security.selinux . 2>/dev/null)
	umount "$m"
	losetup -d "$l"
}

doctor() { "$RESCUECTL" doctor "$@"; }

@test "healthy Debian 12, Ubuntu 22.04/24.04, RHEL/Alma/Rocky 9, Fedora 40 (separate /boot), Alpine 3.20: no finding, no byte written" {
	for fl in debian12 ubuntu2204 ubuntu2404 rhel9 alma9 rocky9 fedora40 alpine320; do
		rm -rf "$W"; mkdir -p "$W"
		healthy $fl
		before=$(sha "$W/root.img")
		run doctor --json "$W/root.img"
		echo "$fl: $output"
		[ "$status" -eq 0 ]
		jq -e '.findings == [] and .not_checked == [] and (.os | length > 0)' <<<"$output" >/dev/null
		[ "$(sha "$W/root.img")" = "$before" ]
		# the network checks did look: on other hardware (Alpine: with its
		# NIC's stanza gone) the tree's configuration brings nothing up
		local sys2=$W/sys2
		"$FIX/mknetsys.sh" "$sys2" eth0 52:54:00:aa:bb:cc 0000:00:04.0 e1000 >/dev/null
		[ $fl != alpine320 ] || { sed -i '/eth0/d' "$W/tree/etc/network/interfaces"; sys2=$W/sys; }
		run env RESCUECTL_SYSROOT="$sys2" "$RESCUECTL" doctor --check net --json --root "$W/tree"
		echo "$fl, other hardware: $output"
		[ "$status" -eq 1 ]
		jq -e '[.findings[].id] | index("net.no-config") or index("net.mac-pin-stale") or index("net.iface-missing")' <<<"$output" >/dev/null
	done
}

@test "healthy trees mounted (--root): no finding either" {
	need_loop
	for fl in debian12 rhel9; do
		rm -rf "$W"; mkdir -p "$W"
		healthy $fl
		loop=$(attach "$W/root.img")
		mount_tmp "$loop" "$W/mnt"
		run doctor --json --root "$W/mnt"
		echo "$fl: $output"
		[ "$status" -eq 0 ]
		jq -e '.findings == []' <<<"$output" >/dev/null
		umount "$W/mnt"
	done
}

@test "an fstab line for a gone disk: fstab.missing-device with the line as evidence, exit 1, the image unchanged" {
	healthy debian12
	echo "UUID=$GONE /srv ext4 defaults 0 2" >> "$W/tree/etc/fstab"
	mkdir -p "$W/tree/srv"
	rebuild
	before=$(sha "$W/root.img")
	run doctor --json "$W/root.img"
	[ "$status" -eq 1 ]
	jq -e --arg g "$GONE" '.findings[0] | .id == "fstab.missing-device" and .severity == "blocks boot" and
		.file == "/etc/fstab" and .line == 11 and (.seen | contains($g)) and .fixable' <<<"$output" >/dev/null
	jq -e '.counts.blocks_boot == 1 and .fixable == 1' <<<"$output" >/dev/null
	run doctor "$W/root.img"
	[[ "$output" == *"BLOCKS BOOT   fstab.missing-device"* ]]
	[[ "$output" == *"/etc/fstab:11: UUID=$GONE /srv ext4 defaults 0 2"* ]]
	[[ "$output" == *"fix: rescuectl doctor --fix fstab.missing-device"* ]]
	[ "$(sha "$W/root.img")" = "$before" ]
}

# plant_many: a fault of each kind that has a safe fix.
plant_many() {
	echo "UUID=$GONE /srv ext4 defaults 0 2" >> "$W/tree/etc/fstab"
	mkdir -p "$W/tree/srv"
	chmod 0666 "$W/tree/etc/sudoers"
	chmod 0644 "$W/tree/etc/ssh/ssh_host_ed25519_key"
	echo "PermitRootLogin maybe" >> "$W/tree/etc/ssh/sshd_config"
	chmod 0777 "$W/tree/home/debian/.ssh"
}

@test "offline: --dry-run writes nothing; --fix safe leaves nothing fixable; --undo gives the tree back byte for byte" {
	need_loop
	healthy debian12
	plant_many
	rebuild
	before=$(sig "$W/root.img")
	sum=$(sha "$W/root.img")
	run doctor --fix safe --dry-run "$W/root.img"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Dry run: nothing was written."* ]]
	[ "$(sha "$W/root.img")" = "$sum" ]
	run doctor --fix safe "$W/root.img" </dev/null
	[ "$status" -eq 3 ]                       # no terminal, no --yes: refused
	[ "$(sha "$W/root.img")" = "$sum" ]
	run doctor --fix safe --yes "$W/root.img"
	echo "$output"
	[ "$status" -eq 0 ]
	run doctor --json "$W/root.img"
	jq -e '.fixable == 0 and .findings == []' <<<"$output" >/dev/null
	e2fsck -fn "$W/root.img" >/dev/null
	run doctor --undo --yes "$W/root.img"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(sig "$W/root.img")" = "$before" ]
	e2fsck -fn "$W/root.img" >/dev/null
}

@test "mounted tree: --fix safe and --undo the same way" {
	need_loop
	healthy debian12
	plant_many
	rebuild
	before=$(sig "$W/root.img")
	loop=$(attach "$W/root.img")
	mount_tmp "$loop" "$W/mnt"
	run doctor --fix safe --yes --root "$W/mnt"
	[ "$status" -eq 0 ]
	run doctor --json --root "$W/mnt"
	jq -e '.fixable == 0' <<<"$output" >/dev/null
	grep -q "nofail" "$W/mnt/etc/fstab"
	[ "$(stat -c %a "$W/mnt/etc/sudoers")" = 440 ]
	run doctor --undo --yes --root "$W/mnt"
	[ "$status" -eq 0 ]
	[ ! -e "$W/mnt/var/lib/rescuectl" ]
	umount "$W/mnt"
	[ "$(sig "$W/root.img")" = "$before" ]
}

@test "the SELinux label of an edited file is kept, and put back by --undo" {
	need_loop
	healthy rhel9
	echo "UUID=$GONE /srv xfs defaults 0 0" >> "$W/tree/etc/fstab"
	mkdir -p "$W/tree/srv"
	setfattr -n security.selinux -v system_u:object_r:etc_t:s0 "$W/tree/srv"
	rebuild
	before=$(sig "$W/root.img")
	run doctor --fix fstab.missing-device --yes "$W/root.img"
	[ "$status" -eq 0 ]
	[ "$(debugfs -R 'ea_get /etc/fstab security.selinux' "$W/root.img" 2>/dev/null)" = 'security.selinux (27) = "system_u:object_r:etc_t:s0\000"' ] ||
		debugfs -R 'ea_list /etc/fstab' "$W/root.img" 2>/dev/null | grep -q 'etc_t'
	run doctor --json "$W/root.img"
	jq -e '[.findings[] | select(.id == "selinux.unlabeled")] == []' <<<"$output" >/dev/null
	run doctor --undo --yes "$W/root.img"
	[ "$(sig "$W/root.img")" = "$before" ]
}

# generator FSTAB OUT: what systemd-fstab-generator makes of FSTAB.
generator() {
	local g=/lib/systemd/system-generators/systemd-fstab-generator
	[ -x $g ] || g=/usr/lib/systemd/system-generators/systemd-fstab-generator
	[ -x $g ] || skip "systemd-fstab-generator not installed"
	rm -rf "$2"; mkdir -p "$2"
	SYSTEMD_FSTAB=$1 SYSTEMD_PROC_CMDLINE="" SYSTEMD_IN_INITRD=0 SYSTEMD_LOG_LEVEL=err $g "$2" "$2" "$2"
}

@test "systemd-fstab-generator: the gone disk is required by local-fs.target before the fix, only wanted after it" {
	need_loop
	healthy debian12
	echo "UUID=$GONE /srv ext4 defaults 0 2" >> "$W/tree/etc/fstab"
	mkdir -p "$W/tree/srv"
	rebuild
	generator "$W/tree/etc/fstab" "$W/gen"
	[ -e "$W/gen/local-fs.target.requires/srv.mount" ]
	run doctor --fix fstab.missing-device --yes "$W/root.img"
	[ "$status" -eq 0 ]
	debugfs -R "dump /etc/fstab $W/fstab.fixed" "$W/root.img" 2>/dev/null
	generator "$W/fstab.fixed" "$W/gen"
	[ ! -e "$W/gen/local-fs.target.requires/srv.mount" ]
	[ -e "$W/gen/local-fs.target.wants/srv.mount" ]
	grep -qx "Options=defaults,nofail" "$W/gen/srv.mount"
	# --comment-out: no unit at all
	run doctor --undo --yes "$W/root.img"
	run doctor --fix fstab.missing-device --comment-out --yes "$W/root.img"
	[ "$status" -eq 0 ]
	debugfs -R "dump /etc/fstab $W/fstab.commented" "$W/root.img" 2>/dev/null
	grep -q "^#UUID=$GONE /srv ext4 defaults 0 2$" "$W/fstab.commented"
	generator "$W/fstab.commented" "$W/gen"
	[ ! -e "$W/gen/srv.mount" ]
}

@test "--chroot: the target's own update-initramfs rebuilds a cut-short initramfs in a mount-root tree; --undo puts the old one back" {
	need_loop
	command -v busybox >/dev/null && [ -z "$(ldd "$(command -v busybox)" 2>/dev/null | grep '=>')" ] || skip "needs a static busybox"
	healthy debian12
	k=6.1.0-27-amd64
	cp "$(command -v busybox)" "$W/tree/usr/bin/busybox"
	for p in sh cp; do rm -f "$W/tree/usr/bin/$p"; ln -s busybox "$W/tree/usr/bin/$p"; done
	mkdir -p "$W/tree/usr/share"
	cp "$W/tree/boot/initrd.img-$k" "$W/tree/usr/share/good-initrd"
	printf '#!/bin/sh\n[ "$1" = -u ] && [ "$2" = -k ] || exit 2\ncp /usr/share/good-initrd "/boot/initrd.img-$3"\n' \
		> "$W/tree/usr/sbin/update-initramfs"
	truncate -s 3000 "$W/tree/boot/initrd.img-$k"
	rebuild
	before=$(sig "$W/root.img")
	loop=$(attach "$W/root.img")
	mount_tmp "$loop" "$W/mnt"
	# not offered without --chroot: the exact command is printed instead
	run doctor --json --root "$W/mnt"
	jq -e --arg k "$k" '.findings[] | select(.id == "boot.initramfs") | (.fixable | not) and
		(.fix | contains("update-initramfs -u -k " + $k))' <<<"$output" >/dev/null
	run doctor --chroot --fix boot.initramfs --yes --root "$W/mnt"
	[ "$status" -eq 3 ]                           # no /proc in the tree: not a mount-root tree
	[[ "$output" == *"mount-root"* ]]
	mount -t proc proc "$W/mnt/proc" && track_mount "$W/mnt/proc"
	mount --bind /dev "$W/mnt/dev" && track_mount "$W/mnt/dev"
	run doctor --chroot --fix boot.initramfs --yes --root "$W/mnt"
	echo "$output"
	[ "$status" -eq 0 ]
	cmp "$W/mnt/boot/initrd.img-$k" "$W/mnt/usr/share/good-initrd"
	run doctor --json --root "$W/mnt"
	jq -e '.findings == []' <<<"$output" >/dev/null
	run doctor --undo --yes --root "$W/mnt"
	[ "$status" -eq 0 ]
	umount "$W/mnt/dev" "$W/mnt/proc" "$W/mnt"
	[ "$(sig "$W/root.img")" = "$before" ]
}

@test "GRUB's default moved to the newest whole kernel (RHEL: grubenv's saved_entry), and back" {
	need_loop
	healthy rhel9
	k=5.14.0-503.14.1.el9_5.x86_64 o=5.14.0-427.13.1.el9_4.x86_64 mid=5f1d3c2b9a8e4f7d6c5b4a3928171615
	cp "$W/tree/boot/vmlinuz-$k" "$W/tree/boot/vmlinuz-$o"
	cp "$W/tree/boot/initramfs-$k.img" "$W/tree/boot/initramfs-$o.img"
	mkdir -p "$W/tree/usr/lib/modules/$o"
	sed "s/$k/$o/g" "$W/tree/boot/loader/entries/$mid-$k.conf" > "$W/tree/boot/loader/entries/$mid-$o.conf"
	truncate -s 70000 "$W/tree/boot/initramfs-$k.img"
	rebuild
	before=$(sig "$W/root.img")
	run doctor --json "$W/root.img"
	jq -e --arg m "$mid-$k" '.findings[] | select(.id == "boot.default") | .file == "/boot/grub2/grubenv" and .seen == $m
		and .fixable' <<<"$output" >/dev/null
	run doctor --fix boot.default --yes "$W/root.img"
	[ "$status" -eq 0 ]
	debugfs -R "cat /boot/grub2/grubenv" "$W/root.img" 2>/dev/null | grep -qx "saved_entry=$mid-$o"
	[ "$(debugfs -R 'cat /boot/grub2/grubenv' "$W/root.img" 2>/dev/null | wc -c)" = 1024 ]
	run doctor --json "$W/root.img"
	jq -e '[.findings[] | select(.id == "boot.default")] == [] and ([.findings[] | .id] | index("boot.initramfs"))' <<<"$output" >/dev/null
	run doctor --undo --yes "$W/root.img"
	[ "$(sig "$W/root.img")" = "$before" ]
}

@test "evidence for a fault of each family (sshd, login, SELinux, boot, last boot's log)" {
	healthy rhel9
	t=$W/tree
	echo "FooBar yes" >> "$t/etc/ssh/sshd_config.d/50-redhat.conf"
	echo "ghost:x:1001:1001::/home/ghost:/bin/bash" >> "$t/etc/passwd"
	setfattr -x security.selinux "$t/etc/shadow"
	sed -i "s/root=UUID=$ROOT_UUID/root=UUID=$GONE/" "$t"/boot/loader/entries/*.conf
	printf 'Nov 18 10:21:40 server1 systemd[1]: Failed to start OpenSSH server daemon.\n' >> "$t/var/log/messages"
	rebuild
	run doctor --json "$W/root.img"
	[ "$status" -eq 1 ]
	jq -e '.findings[] | select(.id == "sshd.config") | .file == "/etc/ssh/sshd_config.d/50-redhat.conf" and .line == 22 and .seen == "FooBar yes"' <<<"$output" >/dev/null
	jq -e '.findings[] | select(.id == "login.disagree") | .line == 8 and (.seen | startswith("ghost:"))' <<<"$output" >/dev/null
	jq -e '.findings[] | select(.id == "selinux.unlabeled") | .file == "/etc/shadow"' <<<"$output" >/dev/null
	jq -e --arg g "$GONE" '.findings[] | select(.id == "boot.root-mismatch") | .severity == "blocks boot" and
		(.file | startswith("/boot/loader/entries/")) and (.what | contains($g))' <<<"$output" >/dev/null
	jq -e '.findings[] | select(.id == "logs.sshd-failed") | .file == "/var/log/messages" and .line == 5 and .related == "sshd.config"' <<<"$output" >/dev/null
	# most serious first
	jq -e '[.findings[].severity] | .[0] == "blocks boot"' <<<"$output" >/dev/null
}

@test "not an installed root: exit 4; usage errors: exit 2; --list-checks names every check" {
	mkdir -p "$W/empty"
	run doctor --root "$W/empty"
	[ "$status" -eq 4 ]
	run doctor --fix nosuch --root "$W/empty"
	[ "$status" -eq 2 ]
	[[ "$output" == *'no check or family "nosuch"'* ]]
	run doctor --undo --fix safe --root "$W/empty"
	[ "$status" -eq 2 ]
	run doctor --chroot --fix safe "$W/x.img"
	[ "$status" -eq 2 ]
	run --separate-stderr doctor --list-checks --json
	[ "$status" -eq 0 ]
	jq -e '[.checks[].id] | index("fstab.missing-device") and index("sshd.config") and index("logs.emergency")' <<<"$output" >/dev/null
	jq -e '[.checks[] | select(.fix)] | length >= 10' <<<"$output" >/dev/null
}
