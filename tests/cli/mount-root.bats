#!/usr/bin/env bats
# mount-root and umount-root on loop devices and image files; the mount
# state is checked in /proc/self/mountinfo. Every test mounts on its own
# --target (never /mnt) and names its DEVICE (other loop devices may exist).
load ../helpers
bats_require_minimum_version 1.5.0

setup() {
	need_loop
	T=$BATS_TEST_TMPDIR
	M=$T/mnt
	mkdir -p "$M"
	track_mount "$M"
	SLEEPER=
}

teardown() {
	[ -n "$SLEEPER" ] && kill "$SLEEPER" 2>/dev/null
	cleanup_resources
}

# mounts under DIR (mount points, in mountinfo order)
under() { awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo; }
# "SOURCE FSTYPE" of the top mount at exactly PATH
mnt_at() {
	awk -v p="$1" '$5 == p { for (i = 7; i <= NF; i++) if ($i == "-") { r = $(i + 2) " " $(i + 1) } } END { print r }' /proc/self/mountinfo
}
# a mountinfo field of the top mount at PATH: 4 root, 6 mount options, super options last
mnt_field() {
	awk -v p="$1" -v f="$2" '$5 == p { r = (f == "super") ? $NF : $f } END { print r }' /proc/self/mountinfo
}

gpt_disk() {
	WITH_TRUE=1 mkimg "$T/disk.img" debian12 gpt
	DISK=$(attach "$T/disk.img")
}

@test "GPT disk: root, /boot from fstab, API filesystems; chroot works; again is a no-op; umount-root clears it" {
	gpt_disk
	run --separate-stderr "$RESCUECTL" mount-root --json --target "$M" "$DISK"p3
	[ "$status" -eq 0 ]
	[ "$(mnt_at "$M")" = "${DISK}p3 ext4" ]
	[ "$(mnt_at "$M/boot")" = "${DISK}p2 ext4" ]
	[[ "$(mnt_at "$M/proc")" == "proc proc" ]]
	[[ "$(mnt_at "$M/sys")" == "sysfs sysfs" ]]
	[[ "$(mnt_at "$M/dev")" == *" devtmpfs" ]]
	[[ "$(mnt_at "$M/dev/pts")" == *" devpts" ]]
	[[ "$(mnt_at "$M/run")" == *" tmpfs" ]]
	[[ "$(mnt_field "$M/sys" 6)" == ro,* ]]
	# the ESP: vfat where the kernel has it, else a warning with the reason
	if grep -qw vfat /proc/filesystems; then
		[[ "$(mnt_at "$M/boot/efi")" == "${DISK}p1 vfat" ]]
	else
		[ -z "$(mnt_at "$M/boot/efi")" ]
		jq -e '.mounts[] | select(.path == "/boot/efi") | .status == "failed" and (.reason | test("cannot mount vfat"))' <<<"$output"
		[[ "$stderr" == *"warning: ${DISK}p1 not mounted on $M/boot/efi: the rescue kernel cannot mount vfat"* ]]
	fi
	# path-length order; swap, tmpfs and network entries skipped with the reason
	jq -e '[.mounts[] | select(.kind == "fstab" and .status != "skipped") | .path] == ["/boot", "/boot/efi"]' <<<"$output"
	jq -e '.mounts[] | select(.path == "/srv/nfs") | .status == "skipped" and (.reason | test("network"))' <<<"$output"
	jq -e '.mounts[] | select(.path == "/tmp") | .status == "skipped"' <<<"$output"
	jq -e '.mounts[] | select(.spec == "/swapfile") | .status == "skipped" and .reason == "swap"' <<<"$output"
	jq -e --arg m "$M" '.root.device != null and .root.target == $m and .root.os.id == "debian" and .next == "chroot " + $m + " /bin/bash"' <<<"$output"
	run chroot "$M" /bin/true
	[ "$status" -eq 0 ]
	n=$(under "$M" | wc -l)
	# a second run mounts nothing twice
	run --separate-stderr "$RESCUECTL" mount-root --json --target "$M" "$DISK"p3
	[ "$status" -eq 0 ]
	[ "$(under "$M" | wc -l)" = "$n" ]
	jq -e '[.mounts[] | select(.status == "mounted")] == []' <<<"$output"
	jq -e '.mounts[] | select(.kind == "root") | .status == "already mounted"' <<<"$output"
	run "$RESCUECTL" umount-root --target "$M"
	[ "$status" -eq 0 ]
	[[ "$output" == *"unmounted          $M/dev/pts (devpts)"* ]]
	[ -z "$(under "$M")" ]
	# deepest first: dev/pts before dev, boot before the root
	pts=$(grep -n "$M/dev/pts " <<<"$output" | cut -d: -f1)
	dev=$(grep -n "$M/dev " <<<"$output" | cut -d: -f1)
	root=$(grep -n "$M (ext4)" <<<"$output" | cut -d: -f1)
	[ "$pts" -lt "$dev" ] && [ "$dev" -lt "$root" ]
	run "$RESCUECTL" umount-root --target "$M"
	[ "$status" -eq 0 ]
	[[ "$output" == *"nothing is mounted on $M"* ]]
}

@test "umount-root leaves mounts below a target that is no mount point alone" {
	mkdir -p "$M/other"
	mount -t tmpfs -o size=1m rescue-own "$M/other"
	run --separate-stderr "$RESCUECTL" umount-root --json --target "$M"
	[ "$status" -eq 0 ]
	jq -e '.unmounted == [] and .left_alone == 1' <<<"$output"
	[ "$(mnt_at "$M/other")" = "rescue-own tmpfs" ]
	umount "$M/other"
	# and never the whole rescue system
	run "$RESCUECTL" umount-root --target /
	[ "$status" -eq 3 ]
	run "$RESCUECTL" umount-root --target "$M/../../../../../../../../.."
	[ "$status" -eq 3 ]
}

@test "the human output lists what was mounted and the next step" {
	gpt_disk
	run "$RESCUECTL" mount-root --target "$M" "$DISK"p3
	[ "$status" -eq 0 ]
	[[ "$output" == *"mounted"*"${DISK}p3"*"$M "*ext4* ]]
	[[ "$output" == *"mounted"*"${DISK}p2"*"$M/boot "*ext4* ]]
	[[ "$output" == *"Debian GNU/Linux 12 (bookworm) is mounted on $M"* ]]
	[[ "$output" == *"chroot $M /bin/bash"* ]]
	[[ "$output" == *"rescuectl umount-root --target $M"* ]]
}

@test "root found without DEVICE (fake md sysroot): the md image goes through a loop device released by umount-root" {
	WITH_TRUE=1 "$FIX/mkroot.sh" "$T/tree" debian12 /dev/md0
	mkext4 "$T/md.img" "$T/tree" 60M
	truncate -s 64M "$T/m0.img" "$T/m1.img"
	mkmdsb "$T/m0.img" 0 0123456789abcdef0123456789abcdef server1:0
	mkmdsb "$T/m1.img" 1 0123456789abcdef0123456789abcdef server1:0
	truncate -s 1M "$T/sda.img" "$T/sdb.img"
	SR=$T/sysroot
	"$FIX/mksysfs.sh" "$SR" disk sda "$T/sda.img"
	"$FIX/mksysfs.sh" "$SR" part sda1 "$T/m0.img" sda 1
	"$FIX/mksysfs.sh" "$SR" disk sdb "$T/sdb.img"
	"$FIX/mksysfs.sh" "$SR" part sdb1 "$T/m1.img" sdb 1
	"$FIX/mksysfs.sh" "$SR" md md127 "$T/md.img" raid1 sda1 sdb1
	RESCUECTL_SYSROOT=$SR run --separate-stderr "$RESCUECTL" mount-root --json --target "$M"
	[ "$status" -eq 0 ]
	loopdev=$(losetup -n -O NAME -j "$T/md.img")
	[ -n "$loopdev" ]
	jq -e --arg l "$loopdev" --arg i "$T/md.img" '.root.device == $l and .root.image == $i' <<<"$output"
	[ "$(mnt_at "$M")" = "$loopdev ext4" ]
	[ "$(losetup -n -O AUTOCLEAR "$loopdev" | tr -d ' ')" = 1 ]
	run chroot "$M" /bin/true
	[ "$status" -eq 0 ]
	# again: the same loop device, nothing mounted twice
	n=$(under "$M" | wc -l)
	RESCUECTL_SYSROOT=$SR run "$RESCUECTL" mount-root --target "$M"
	[ "$status" -eq 0 ]
	[ "$(under "$M" | wc -l)" = "$n" ]
	[ "$(losetup -n -O NAME -j "$T/md.img" | wc -l)" = 1 ]
	run "$RESCUECTL" umount-root --target "$M"
	[ "$status" -eq 0 ]
	[ -z "$(under "$M")" ]
	sleep 0.2
	[ -z "$(losetup -n -O NAME -j "$T/md.img")" ]
}

@test "--read-only replays no journal: an ext4 image that needs recovery keeps its checksum" {
	"$FIX/mkroot.sh" "$T/tree" rhel9
	mkext4 "$T/root.img" "$T/tree" 64M
	debugfs -w -R "feature needs_recovery" "$T/root.img" >/dev/null 2>&1
	before=$(sha "$T/root.img")
	run --separate-stderr "$RESCUECTL" mount-root --json --read-only --no-bind --target "$M" "$T/root.img"
	[ "$status" -eq 0 ]
	[[ "$(mnt_field "$M" 6)" == ro,* ]]
	loopdev=$(losetup -n -O NAME -j "$T/root.img")
	[ "$(losetup -n -O RO "$loopdev" | tr -d ' ')" = 1 ]
	jq -e '.mounts[0].options == "noload" and .root.read_only' <<<"$output"
	[ "$(cat "$M/etc/hostname")" = server1 ]
	run "$RESCUECTL" umount-root --target "$M"
	[ "$status" -eq 0 ]
	[ "$(sha "$T/root.img")" = "$before" ]
	dumpe2fs -h "$T/root.img" 2>/dev/null | grep -q needs_recovery
}

@test "--no-fstab --no-bind mounts only the root" {
	gpt_disk
	run "$RESCUECTL" mount-root --no-fstab --no-bind --target "$M" "$DISK"p3
	[ "$status" -eq 0 ]
	[ "$(under "$M")" = "$M" ]
}

@test "--dry-run mounts nothing and says what it would mount" {
	gpt_disk
	run "$RESCUECTL" mount-root --dry-run --target "$M" "$DISK"p3
	[ "$status" -eq 0 ]
	[[ "$output" == *"would mount"*"${DISK}p3"* ]]
	[[ "$output" == *"would mount"*"${DISK}p2"*"$M/boot"* ]]
	[[ "$output" == *"dry run: nothing was mounted"* ]]
	[ -z "$(under "$M")" ]
}

@test "refuses a non-empty target and a target holding another filesystem (exit 3, nothing mounted)" {
	gpt_disk
	touch "$M/precious"
	run "$RESCUECTL" mount-root --target "$M" "$DISK"p3
	[ "$status" -eq 3 ]
	[[ "$output" == *"not empty"* ]]
	[ -z "$(under "$M")" ]
	rm "$M/precious"
	mount_tmp "$DISK"p2 "$M"
	run "$RESCUECTL" mount-root --target "$M" "$DISK"p3
	[ "$status" -eq 3 ]
	[[ "$output" == *"already has ${DISK}p2 (ext4) mounted"* ]]
	[ "$(under "$M")" = "$M" ]
}

@test "a target's /boot -> /etc link mounts nothing over /etc, the rescue system's or the target's" {
	gpt_disk
	debugfs -w -R "rmdir /boot" "$DISK"p3 >/dev/null 2>&1
	debugfs -w -R "symlink /boot /etc" "$DISK"p3 >/dev/null 2>&1
	[ "$(debugfs -R "stat /boot" "$DISK"p3 2>/dev/null | grep -o 'Type: symlink')" = "Type: symlink" ]
	etc_before=$(mnt_at /etc)
	run --separate-stderr "$RESCUECTL" mount-root --json --target "$M" "$DISK"p3
	[ "$status" -eq 0 ]
	jq -e '.mounts[] | select(.path == "/boot") | .status == "failed" and (.reason | test("symbolic link inside the target \\(/boot -> /etc\\)"))' <<<"$output"
	[[ "$stderr" == *"symbolic link"* ]]
	[ "$(mnt_at /etc)" = "$etc_before" ]
	[ -z "$(mnt_at "$M/etc")" ]
	! grep -q "^${DISK}p2 " /proc/self/mounts
	[ "$(mnt_at "$M")" = "${DISK}p3 ext4" ]
}

@test "the root failing is a failure and leaves nothing mounted (and no loop device)" {
	"$FIX/mkroot.sh" "$T/tree" debian12
	mkext4 "$T/root.img" "$T/tree" 64M
	# a read-only-compatible feature this kernel does not know: it refuses rw
	debugfs -w -R "feature FEATURE_R31" "$T/root.img" >/dev/null 2>&1
	run --separate-stderr "$RESCUECTL" mount-root --json --target "$M" "$T/root.img"
	[ "$status" -eq 1 ]
	jq -e '.error.exit == 1 and (.error.message | test("cannot mount the root"))' <<<"$output"
	[ -z "$(under "$M")" ]
	sleep 0.2
	[ -z "$(losetup -n -O NAME -j "$T/root.img")" ]
	# read-only it mounts
	run "$RESCUECTL" mount-root --read-only --target "$M" "$T/root.img"
	[ "$status" -eq 0 ]
	run "$RESCUECTL" umount-root --target "$M"
	[ "$status" -eq 0 ]
}

@test "umount-root names a busy mount's process and exits 1; --lazy detaches it" {
	gpt_disk
	run "$RESCUECTL" mount-root --target "$M" "$DISK"p3
	[ "$status" -eq 0 ]
	(cd "$M/boot" && exec sleep 300) &
	SLEEPER=$!
	sleep 0.3
	run --separate-stderr "$RESCUECTL" umount-root --json --target "$M"
	[ "$status" -eq 1 ]
	jq -e --arg m "$M/boot" --argjson p "$SLEEPER" '.busy[] | select(.mountpoint == $m) | .holders | any(.pid == $p and .command == "sleep" and .how == "cwd")' <<<"$output"
	[[ "$stderr" == *"$M/boot stays mounted"*"sleep[$SLEEPER] (cwd $M/boot)"* ]]
	[[ "$stderr" == *"$M stays mounted"*"a mount below it stays mounted"* ]]
	# the API filesystems went; the busy /boot and the root stayed
	[ "$(under "$M")" = "$(printf '%s\n%s' "$M" "$M/boot")" ]
	run "$RESCUECTL" umount-root --lazy --target "$M"
	[ "$status" -eq 0 ]
	[[ "$output" == *"detached (lazy)"*"$M/boot"* ]]
	[ -z "$(under "$M")" ]
}

@test "umount-root names a loop device whose backing file lies in the target" {
	"$FIX/mkroot.sh" "$T/tree" debian12
	mkext4 "$T/root.img" "$T/tree" 64M
	run "$RESCUECTL" mount-root --no-bind --no-fstab --target "$M" "$T/root.img"
	[ "$status" -eq 0 ]
	truncate -s 8M "$M/root/inner.img"
	inner=$(attach "$M/root/inner.img")
	run --separate-stderr "$RESCUECTL" umount-root --target "$M"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"held by the kernel: $M/root/inner.img is the backing file of $inner (losetup -d it)"* ]]
	losetup -d "$inner"
	run "$RESCUECTL" umount-root --target "$M"
	[ "$status" -eq 0 ]
	[ -z "$(under "$M")" ]
}

@test "xfs root --read-only mounts with norecovery; btrfs root mounts fstab's subvolume" {
	truncate -s 320M "$T/xfs.img"
	mkfs.xfs -q -f "$T/xfs.img"
	X=$(attach "$T/xfs.img")
	mount_tmp "$X" "$T/m"
	"$FIX/mkroot.sh" "$T/m" rhel9
	umount "$T/m"
	run "$RESCUECTL" mount-root --read-only --no-bind --target "$M" "$X"
	[ "$status" -eq 0 ]
	[ "$(mnt_at "$M")" = "$X xfs" ]
	[[ "$(mnt_field "$M" super)" == *norecovery* ]]
	run "$RESCUECTL" umount-root --target "$M"
	[ "$status" -eq 0 ]
	truncate -s 256M "$T/btrfs.img"
	mkfs.btrfs -q -f "$T/btrfs.img" >/dev/null
	B=$(attach "$T/btrfs.img")
	u=$(blkid -o value -s UUID "$B")
	mount_tmp "$B" "$T/b"
	btrfs -q subvolume create "$T/b/@" >/dev/null
	mkdir "$T/b/decoy"
	"$FIX/mkroot.sh" "$T/b/@" debian12 "UUID=$u"
	sed -i 's|^UUID=[^ ]* / ext4 [^ ]*|UUID='"$u"' / btrfs subvol=@|' "$T/b/@/etc/fstab"
	umount "$T/b"
	run "$RESCUECTL" mount-root --no-bind --target "$M" "$B"
	[ "$status" -eq 0 ]
	[ "$(mnt_field "$M" 4)" = "/@" ]
	[ -f "$M/etc/os-release" ]
	run "$RESCUECTL" mount-root --no-bind --target "$M" "$B"
	[ "$status" -eq 0 ]
	[ "$(under "$M")" = "$M" ]
}

@test "on a rescue system whose / is shared, nothing mount-root mounts under the target propagates elsewhere, and umount-root restores the mount table" {
	command -v unshare >/dev/null || skip "needs unshare (util-linux)"
	gpt_disk
	# A private mount namespace (nothing reaches the machine's own), in which
	# every mount is made shared as systemd does, and the target's parent has
	# a peer elsewhere ($T/peer).
	run unshare -m --propagation private bash -c '
		set -e
		T=$1 R=$2 D=$3
		mount --make-rshared /
		mkdir -p "$T/sh" "$T/peer"
		mount -t tmpfs -o size=1m rc-shared "$T/sh"
		mount --make-shared "$T/sh"
		mount --bind "$T/sh" "$T/peer"
		mkdir "$T/sh/t"
		outside() { awk -v d="$T/sh/t" -v p="$T/peer/t" "\$5 != d && index(\$5, d \"/\") != 1 && \$5 != p { print \$5, \$9 }" /proc/self/mountinfo | sort; }
		before=$(outside)
		"$R" mount-root -q --target "$T/sh/t" "$D"
		mountpoint -q "$T/sh/t/proc"
		mountpoint -q "$T/sh/t/dev/pts"
		# the peer of the target directory may see the root itself, nothing below it
		if awk -v p="$T/peer/t/" "index(\$5, p) == 1" /proc/self/mountinfo | grep -q .; then
			echo "propagated below the target: $(awk -v p="$T/peer/t/" "index(\$5, p) == 1 { print \$5 }" /proc/self/mountinfo)"; exit 1
		fi
		[ "$(outside)" = "$before" ] || { echo "mounts outside the target changed"; diff <(echo "$before") <(outside); exit 1; }
		"$R" umount-root -q --target "$T/sh/t"
		[ "$(outside)" = "$before" ] || { echo "umount-root changed mounts outside the target"; exit 1; }
		! mountpoint -q "$T/sh/t"
		! mountpoint -q "$T/peer/t"
		echo ok
	' _ "$T" "$RESCUECTL" "${DISK}p3"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = ok ]
}

@test "umount-root refuses a target that holds no installed root (the rescue system's /dev, /proc)" {
	# --dry-run: even a regression here must not unmount the machine's own /dev
	for t in /dev /proc /sys; do
		run "$RESCUECTL" umount-root --dry-run --target "$t"
		[ "$status" -eq 3 ]
		[[ "$output" == *"not an installed system's root filesystem"* ]]
	done
}

@test "terminal escapes in the target's os-release are shown escaped, as detect-root shows them" {
	"$FIX/mkroot.sh" "$T/tree" debian12
	printf 'PRETTY_NAME="Evil \033[31mRED\033]0;title\007 \r x"\nID=debian\n' > "$T/tree/etc/os-release"
	mkext4 "$T/root.img" "$T/tree" 64M
	run "$RESCUECTL" mount-root --no-bind --no-fstab --target "$M" "$T/root.img"
	[ "$status" -eq 0 ]
	[[ "$output" != *$'\033'* && "$output" != *$'\007'* && "$output" != *$'\r'* ]]
	[[ "$output" == *'Evil \x1b[31mRED\x1b]0;title\x07 \x0d x is mounted on'* ]]
	run "$RESCUECTL" detect-root "$T/root.img"
	[[ "$output" == *'Evil \x1b[31mRED\x1b]0;title\x07 \x0d x'* ]]
	# JSON keeps the value as it is (JSON escapes it its own way)
	run --separate-stderr "$RESCUECTL" detect-root --json "$T/root.img"
	[ "$(jq -r '.roots[0].os.pretty_name' <<<"$output")" = $'Evil \033[31mRED\033]0;title\007 \r x' ]
	run "$RESCUECTL" umount-root --target "$M"
	[ "$status" -eq 0 ]
}

@test "an ext4 with blocks larger than the page size: the message says so and names the offline applets" {
	"$FIX/mkroot.sh" "$T/tree" debian12
	mke2fs -q -F -t ext4 -b 16384 -d "$T/tree" "$T/root.img" 128M 2>/dev/null
	[ "$(getconf PAGESIZE)" -lt 16384 ] || skip "the page size is 16 KiB or more here"
	for ro in "" --read-only; do
		run --separate-stderr "$RESCUECTL" mount-root $ro --json --no-bind --target "$M" "$T/root.img"
		[ "$status" -eq 1 ]
		jq -e '.error.message | test("block size \\(16384 bytes\\) is larger than the page size")' <<<"$output"
		jq -e '.error.message | test("reset-pass, clear-pass, disable-growpart and fsck")' <<<"$output"
		[ -z "$(under "$M")" ]
	done
}

@test "--json carries the plan: a missing target is made first, the fstab read from the mounted root adds its mounts" {
	gpt_disk
	run --separate-stderr "$RESCUECTL" mount-root --json --target "$M/new" "$DISK"p3
	[ "$status" -eq 0 ]
	[ "$(mnt_at "$M/new/boot")" = "${DISK}p2 ext4" ]
	jq -e '[.steps[0:4][].kind] == ["make-target", "mount-root", "make-private", "read-fstab"]' <<<"$output"
	jq -e '.steps[3].result == "9 mounts planned" or .steps[3].result == "8 mounts planned"' <<<"$output"
	# one mount step per row that was to be mounted, in the table's order
	jq -e '[.steps[] | select(.kind == "mount") | .does | capture("on (?<w>[^ ]+)").w] ==
	       [.mounts[] | select(.kind != "root" and .status != "skipped") | .mountpoint]' <<<"$output"
	jq -e '.mounts[0].reason == "created the target directory " + .root.target' <<<"$output"
	# the dry run of the same shows the same plan, nothing run
	run "$RESCUECTL" umount-root --target "$M/new"
	[ "$status" -eq 0 ]
	rmdir "$M/new"
	run --separate-stderr "$RESCUECTL" mount-root --json --dry-run --target "$M/new" "$DISK"p3
	[ "$status" -eq 0 ]
	[ ! -e "$M/new" ]
	jq -e '[.steps[].status] | unique == ["todo"]' <<<"$output"
	jq -e '.mounts[0].reason | test("would create the target directory")' <<<"$output"
}

@test "a root that cannot be made private is unmounted again, and the target it made removed (the plan's undo)" {
	command -v strace >/dev/null || skip "needs strace"
	"$FIX/mkroot.sh" "$T/tree" debian12
	mkext4 "$T/root.img" "$T/tree" 64M
	# the second mount(2) is MS_PRIVATE on the target (ext4 is looked at through libext2fs)
	run --separate-stderr strace -f -qq -o /dev/null -e trace=mount -e inject=mount:error=EPERM:when=2 \
		"$RESCUECTL" mount-root --json --no-fstab --no-bind --target "$M/new" "$T/root.img"
	[ "$status" -eq 1 ]
	jq -e '.error.message | test("cannot make .* a private mount")' <<<"$output"
	jq -e --arg t "$(realpath -m "$M/new")" '.error.undone == [1, 2] and .error.state == "nothing is mounted on " + $t' <<<"$output"
	[[ "$stderr" == *"undoing step 2 (mount the root)"* ]]
	[ -z "$(under "$M")" ]
	[ ! -e "$M/new" ]
	sleep 0.2
	[ -z "$(losetup -n -O NAME -j "$T/root.img")" ]
}

@test "each device is probed once: the fstab's specs are resolved from detect's probes (fake md sysroot)" {
	command -v strace >/dev/null || skip "needs strace"
	WITH_TRUE=1 "$FIX/mkroot.sh" "$T/tree" debian12 /dev/md0 LABEL=nosuch
	mkext4 "$T/md.img" "$T/tree" 60M
	truncate -s 64M "$T/m0.img" "$T/m1.img"
	mkmdsb "$T/m0.img" 0 0123456789abcdef0123456789abcdef server1:0
	mkmdsb "$T/m1.img" 1 0123456789abcdef0123456789abcdef server1:0
	truncate -s 1M "$T/sda.img" "$T/sdb.img"
	SR=$T/sysroot
	"$FIX/mksysfs.sh" "$SR" disk sda "$T/sda.img"
	"$FIX/mksysfs.sh" "$SR" part sda1 "$T/m0.img" sda 1
	"$FIX/mksysfs.sh" "$SR" disk sdb "$T/sdb.img"
	"$FIX/mksysfs.sh" "$SR" part sdb1 "$T/m1.img" sdb 1
	"$FIX/mksysfs.sh" "$SR" md md127 "$T/md.img" raid1 sda1 sdb1
	# a probe is libblkid's look through an O_NONBLOCK open of the node
	RESCUECTL_SYSROOT=$SR run strace -f -qq -o "$T/trace" -e trace=openat \
		"$RESCUECTL" mount-root --dry-run --target "$M"
	[ "$status" -eq 0 ]
	# the fstab's LABEL= entry made mount-root look at every device
	[[ "$output" == *"no device found for LABEL=nosuch"* ]]
	for d in sda sda1 sdb sdb1 md127; do
		echo "$d: $(grep -c "$SR/dev/$d\", O_RDONLY|O_NONBLOCK" "$T/trace")"
		[ "$(grep -c "$SR/dev/$d\", O_RDONLY|O_NONBLOCK" "$T/trace")" = 1 ]
	done
}
