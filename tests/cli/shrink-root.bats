#!/usr/bin/env bats
# shrink-root on partitioned loop disks (GPT and MBR) whose ext4 root holds
# a Debian tree plus ~200 MB of random files. After a shrink, what a user
# checks: every file's checksum, e2fsck -fn, sfdisk --verify, the root's
# start/type/PARTUUID/name, the kernel's idea of every partition's size, the
# new partitions and their filesystems. Refusals change no byte.
load ../helpers
bats_require_minimum_version 1.5.0

setup() {
	need_loop
	command -v sfdisk >/dev/null || skip "needs sfdisk"
	command -v jq >/dev/null || skip "needs jq"
	W=$BATS_TEST_TMPDIR
	export ROOT_MB=600 ROOT_FILL_MB=200
	IMG=$W/disk.img
	export HOME=$W     # the default table backup lands here
}

# mkdisk LABEL: the image, attached (L, P = root partition node), file sums.
# SMALL=1: a 320 MiB root with little data, for refusals (faster to hash).
mkdisk() {
	[ -n "${SMALL:-}" ] && export ROOT_MB=320 ROOT_FILL_MB=8
	mkimg "$IMG" debian12 "$1"
	if [ -n "${DROP_SWAP:-}" ]; then
		sfdisk -q --delete "$IMG" 4
	fi
	L=$(attach "$IMG")
	P=${L}p3
	[ -b "$P" ]
	mount_tmp "$P" "$W/m" ro,noload
	(cd "$W/m" && find . -type f -print0 | xargs -0 sha256sum) > "$W/sums"
	[ "$(wc -l < "$W/sums")" -ge $((ROOT_FILL_MB + 5)) ]
	umount "$W/m"
	sfdisk -d "$L" > "$W/before.dump"
	sfdisk -J "$L" > "$W/before.json"
}

# field of partition N in sfdisk -J output FILE
pfield() { jq -r --arg n "$L"p"$2" ".partitiontable.partitions[] | select(.node==\$n) | .$3 // empty" "$1"; }

# What a user checks after a successful shrink.
check_shrunk() {
	sfdisk -J "$L" > "$W/after.json"
	sfdisk --verify "$L"
	run e2fsck -fn "$P"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	mount_tmp "$P" "$W/m" ro
	(cd "$W/m" && sha256sum -c --quiet "$W/sums")
	umount "$W/m"
	# the root kept its start, type, PARTUUID and name
	for f in start type uuid name; do
		[ "$(pfield "$W/before.json" 3 $f)" = "$(pfield "$W/after.json" 3 $f)" ] || { echo "root's $f changed"; false; }
	done
	[ "$(pfield "$W/after.json" 3 size)" -lt "$(pfield "$W/before.json" 3 size)" ]
	# blkid still finds it by its PARTUUID
	[ "$(blkid -s PARTUUID -o value "$P")" = "$ROOT_PARTUUID" ]
	# the kernel sees every partition as the table says (512-byte units)
	for node in $(jq -r '.partitiontable.partitions[].node' "$W/after.json"); do
		n=$(basename "$node")
		want=$(jq -r --arg n "$node" '.partitiontable.partitions[] | select(.node==$n) | .size' "$W/after.json")
		[ "$(cat /sys/class/block/$n/size)" = "$want" ] || { echo "$n: kernel $(cat /sys/class/block/$n/size) != table $want"; false; }
	done
	# the filesystem is whole blocks and fits its partition; the end is aligned
	bs=$(dumpe2fs -h "$P" 2>/dev/null | awk -F: '/^Block size/ {print $2+0}')
	bc=$(dumpe2fs -h "$P" 2>/dev/null | awk -F: '/^Block count/ {print $2+0}')
	psz=$(pfield "$W/after.json" 3 size)
	[ $((bc * bs)) -le $((psz * 512)) ]
	[ $((psz * 512 - bc * bs)) -lt "$bs" ]
	[ $(( ($(pfield "$W/after.json" 3 start) + psz) % 2048 )) -eq 0 ]
}

@test "GPT: --size with two new partitions and --mkfs: files intact, table valid, kernel agrees" {
	mkdisk gpt
	run "$RESCUECTL" shrink-root --yes --size 400M --new 100M:linux:data --new rest::more --mkfs ext4 "$P"
	echo "$output"
	[ "$status" -eq 0 ]
	out=$output
	check_shrunk
	[ "$(pfield "$W/after.json" 3 size)" -eq $((400 * 2048)) ]
	# new partitions: right after the root, aligned, named, with ext4 on them
	[ "$(pfield "$W/after.json" 5 start)" -eq $(( $(pfield "$W/after.json" 3 start) + 400 * 2048 )) ]
	[ "$(pfield "$W/after.json" 5 size)" -eq $((100 * 2048)) ]
	[ "$(pfield "$W/after.json" 5 name)" = data ]
	[ "$(pfield "$W/after.json" 6 name)" = more ]
	# "rest" reaches the swap partition that followed the root
	[ $(( $(pfield "$W/after.json" 6 start) + $(pfield "$W/after.json" 6 size) )) -eq "$(pfield "$W/after.json" 4 start)" ]
	[ "$(blkid -s TYPE -o value "${L}p5")" = ext4 ]
	[ "$(blkid -s TYPE -o value "${L}p6")" = ext4 ]
	e2fsck -fn "${L}p5"
	# the untouched partitions are byte-for-byte the same entries
	for n in 1 2 4; do
		[ "$(grep "p$n :" "$W/before.dump")" = "$(sfdisk -d "$L" | grep "p$n :")" ]
	done
	# the saved table is the old one, and sfdisk accepts it
	bk=$(ls "$HOME"/shrink-root-*.sfdisk)
	[ "$(grep -v '^device:' "$bk")" = "$(grep -v '^device:' "$W/before.dump")" ]
	[[ "$out" == *"sfdisk $L < $bk"* ]]
	sfdisk --no-act -q "$L" < "$bk"
}

@test "MBR: --free, a new primary partition with --mkfs, no free space left after the root" {
	DROP_SWAP=1 mkdisk dos
	run --separate-stderr "$RESCUECTL" shrink-root --yes --json --free 200M --new rest:83 --mkfs ext4 "$P"
	echo "$output $stderr"
	[ "$status" -eq 0 ]
	json=$output
	check_shrunk
	[ "$(pfield "$W/after.json" 3 size)" -eq $((400 * 2048)) ]
	[ "$(pfield "$W/after.json" 4 start)" -eq $(( $(pfield "$W/after.json" 3 start) + 400 * 2048 )) ]
	[ "$(blkid -s TYPE -o value "${L}p4")" = ext4 ]
	[ "$(echo "$json" | jq -r .growpart)" = "not needed" ]
	[ "$(echo "$json" | jq -r '.new_partitions[0].mkfs')" = ext4 ]
	[ "$(echo "$json" | jq -r .freed_bytes)" -eq $((200 * 1024 * 1024)) ]
}

@test "MBR with four primaries: --new is refused before anything is written" {
	SMALL=1 mkdisk dos
	before=$(sha "$IMG")
	run "$RESCUECTL" shrink-root --yes --free 40M --new rest "$P"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"primary"* ]]
	[ "$(sha "$IMG")" = "$before" ]
}

@test "--minimum: at least resize2fs's estimate plus the margin; growpart disabled in the target" {
	mkdisk gpt
	min=$(resize2fs -P "$P" 2>/dev/null | awk -F: '/minimum/ {print $2+0}')
	run --separate-stderr "$RESCUECTL" shrink-root --yes --json --minimum "$P"
	echo "$output $stderr"
	[ "$status" -eq 0 ]
	json=$output
	check_shrunk
	blocks=$(echo "$json" | jq -r .filesystem.blocks_after)
	safe=$(echo "$json" | jq -r .filesystem.safe_blocks)
	[ "$blocks" -ge "$safe" ]
	[ "$safe" -gt "$min" ]
	[ "$(dumpe2fs -h "$P" 2>/dev/null | awk -F: '/^Block count/ {print $2+0}')" -eq "$blocks" ]
	# free space follows the root: growpart is disabled in the target
	[ "$(echo "$json" | jq -r .growpart)" = disabled ]
	[ "$(echo "$json" | jq -r '.growpart_actions | length')" -ge 1 ]
	debugfs -R "cat /etc/cloud/cloud.cfg.d/zz-rescuectl-growpart.cfg" "$P" 2>/dev/null | grep -q "mode: 'off'"
	debugfs -R "stat /etc/growroot-disabled" "$P" 2>/dev/null | grep -q "Type: regular"
	run "$RESCUECTL" disable-growpart --status "$P"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "--keep-growpart leaves cloud-init alone and warns" {
	SMALL=1 mkdisk gpt
	run --separate-stderr "$RESCUECTL" shrink-root --yes --json --keep-growpart --free 40M "$P"
	echo "$output $stderr"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r .growpart)" = kept ]
	[[ "$stderr" == *"--keep-growpart"*"grow the root back"* ]]
	! debugfs -R "stat /etc/cloud/cloud.cfg.d/zz-rescuectl-growpart.cfg" "$P" 2>&1 | grep -q "Type: regular"
	! debugfs -R "stat /etc/growroot-disabled" "$P" 2>&1 | grep -q "Type: regular"
}

@test "--dry-run prints every step and changes no byte of the disk" {
	SMALL=1 mkdisk gpt
	before=$(sha "$IMG")
	run "$RESCUECTL" shrink-root --dry-run --free 40M --new rest:swap "$P"
	echo "$output"
	[ "$status" -eq 0 ]
	for s in "e2fsck -f -p $P" "resize2fs $P" "shrink partition 3" "add partition 5" "BLKPG" "e2fsck -f -n" "sfdisk $L <"; do
		[[ "$output" == *"$s"* ]] || { echo "missing step: $s"; false; }
	done
	# free space left after the root: the growpart step is planned, not done
	run "$RESCUECTL" shrink-root --dry-run --free 40M "$P"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"stop growpart growing the root back"* ]]
	[ "$(sha "$IMG")" = "$before" ]
	! ls "$HOME"/shrink-root-*.sfdisk 2>/dev/null
	[ "$(cat /sys/class/block/$(basename "$P")/size)" = "$(pfield "$W/before.json" 3 size)" ]
}

@test "a size below resize2fs's minimum is refused (exit 3), no byte changed" {
	SMALL=1 mkdisk gpt
	before=$(sha "$IMG")
	run "$RESCUECTL" shrink-root --yes --size 10M "$P"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"minimum"* ]]
	[ "$(sha "$IMG")" = "$before" ]
}

@test "a table that no longer matches the kernel's partition is refused (exit 3), no byte changed" {
	DROP_SWAP=1 SMALL=1 mkdisk gpt
	# partition 3 moved on disk (as by fdisk whose re-read failed); the
	# kernel's $P still has the old start, and e2fsck/resize2fs would use it
	start=$(pfield "$W/before.json" 3 start)
	size=$(pfield "$W/before.json" 3 size)
	echo "$((start + 2048)),$size" | sfdisk -q --no-reread --no-tell-kernel -N 3 "$L"
	[ "$(cat /sys/class/block/$(basename "$P")/start)" = "$start" ]
	before=$(sha "$IMG")
	run "$RESCUECTL" shrink-root --yes --free 40M "$P"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"kernel"* ]]
	[ "$(sha "$IMG")" = "$before" ]
}

@test "a mounted root is refused (exit 3), no byte changed" {
	SMALL=1 mkdisk gpt
	mount_tmp "$P" "$W/m" ro,noload
	before=$(sha "$IMG")
	run "$RESCUECTL" shrink-root --yes --free 40M "$P"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"mounted"*"$W/m"* ]]
	[ "$(sha "$IMG")" = "$before" ]
}

@test "a failing resize2fs leaves the table untouched and says what state the disk is in" {
	SMALL=1 mkdisk gpt
	mkdir -p "$W/bin"
	real=$(command -v resize2fs)
	cat > "$W/bin/resize2fs" <<EOF
#!/bin/sh
# the estimate is real; the resize fails
[ "\$1" = -P ] && exec $real "\$@"
echo "resize2fs: simulated failure" >&2
exit 1
EOF
	chmod +x "$W/bin/resize2fs"
	run env PATH="$W/bin:$PATH" "$RESCUECTL" shrink-root --yes --free 40M "$P"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"simulated failure"* ]]
	[[ "$output" == *"NOT touched"* ]]
	[[ "$output" == *"clean"* ]]
	[ "$(sfdisk -d "$L")" = "$(cat "$W/before.dump")" ]
	e2fsck -fn "$P"
}

@test "a filesystem with errors is refused without --yes and repaired with it" {
	SMALL=1 mkdisk gpt
	debugfs -w -R "ssv state 3" "$P" 2>/dev/null
	before=$(sha "$IMG")
	run "$RESCUECTL" shrink-root --free 40M "$P"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"--yes"* ]]
	[ "$(sha "$IMG")" = "$before" ]
	run "$RESCUECTL" shrink-root --yes --free 40M "$P"
	echo "$output"
	[ "$status" -eq 0 ]
	check_shrunk
}

@test "XFS is refused with the reason (it cannot shrink at all)" {
	command -v mkfs.xfs >/dev/null || skip "needs xfsprogs"
	SMALL=1 mkdisk gpt
	mkfs.xfs -q -f "$P"
	before=$(sha "$IMG")
	run "$RESCUECTL" shrink-root --yes --free 40M "$P"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"XFS"*"cannot be shrunk"* ]]
	[ "$(sha "$IMG")" = "$before" ]
}

@test "a disk locked by another partitioner is refused" {
	SMALL=1 mkdisk gpt
	flock -x "$L" sleep 60 &
	locker=$!
	sleep 0.3
	before=$(sha "$IMG")
	run timeout 30 "$RESCUECTL" shrink-root --yes --free 40M "$P"
	kill "$locker"; wait "$locker" 2>/dev/null || true
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"locked"* ]]
	[ "$(sha "$IMG")" = "$before" ]
}

@test "a whole disk and an image file are not partitions" {
	SMALL=1 mkdisk gpt
	run "$RESCUECTL" shrink-root --yes --free 40M "$L"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"whole disk"* ]]
	run "$RESCUECTL" shrink-root --yes --free 40M "$IMG"
	echo "$output"
	[ "$status" -eq 2 ]
	[[ "$output" == *"losetup"* ]]
}

@test "md RAID and LVM roots: metadata 1.0, a snapshot LV, a degraded array and XFS on an LV are refused before any write (fake sysfs)" {
	S=$W/sysroot
	mkdir -p "$S/sys/devices/virtual/block/md0/md/dev-sda3" "$S/sys/devices/virtual/block/md0/md/dev-sdb3" \
		"$S/sys/devices/virtual/block/dm-0/dm" "$S/sys/class/block" "$S/dev" "$W/bin"
	truncate -s 300M "$S/dev/md0"
	mkfs.ext4 -q -F "$S/dev/md0"
	cp "$S/dev/md0" "$S/dev/dm-0"
	echo 9:0 > "$S/sys/devices/virtual/block/md0/dev"
	echo 614400 > "$S/sys/devices/virtual/block/md0/size"
	md=$S/sys/devices/virtual/block/md0/md
	echo raid1 > "$md/level"; echo 1.0 > "$md/metadata_version"; echo 0 > "$md/degraded"
	echo idle > "$md/sync_action"; echo clean > "$md/array_state"; echo 2 > "$md/raid_disks"
	echo 307200 > "$md/component_size"
	for m in sda3 sdb3; do echo in_sync > "$md/dev-$m/state"; echo 0 > "$md/dev-$m/offset"; done
	echo 253:0 > "$S/sys/devices/virtual/block/dm-0/dev"
	echo 614400 > "$S/sys/devices/virtual/block/dm-0/size"
	echo vg0-root > "$S/sys/devices/virtual/block/dm-0/dm/name"
	echo LVM-abcdef > "$S/sys/devices/virtual/block/dm-0/dm/uuid"
	ln -s ../../devices/virtual/block/md0 "$S/sys/class/block/md0"
	ln -s ../../devices/virtual/block/dm-0 "$S/sys/class/block/dm-0"
	before=$(sha256sum "$S/dev/md0" "$S/dev/dm-0")
	run env RESCUECTL_SYSROOT="$S" "$RESCUECTL" shrink-root --yes --free 64M "$S/dev/md0"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"md metadata 1.0"*"superblock sits at the end"* ]]
	echo 1.2 > "$md/metadata_version"; echo 1 > "$md/degraded"
	run env RESCUECTL_SYSROOT="$S" "$RESCUECTL" shrink-root --yes --free 64M "$S/dev/md0"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"is degraded"* ]]
	# the LV's facts come from lvs: a snapshot is refused
	printf '#!/bin/sh\necho "  vg0|root|swi-a-s---|314572800|4194304|0|0"\n' > "$W/bin/lvs"
	printf '#!/bin/sh\nexit 0\n' > "$W/bin/lvreduce"
	cp "$W/bin/lvreduce" "$W/bin/lvextend"
	chmod 755 "$W/bin/"*
	run env PATH="$W/bin:$PATH" RESCUECTL_SYSROOT="$S" "$RESCUECTL" shrink-root --yes --free 64M "$S/dev/dm-0"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"is a snapshot"* ]]
	[ "$(sha256sum "$S/dev/md0" "$S/dev/dm-0")" = "$before" ]
	# An LV that holds XFS (RHEL's layout): XFS cannot shrink at all.
	mkdir -p "$S/sys/devices/virtual/block/dm-1/dm"
	echo 253:1 > "$S/sys/devices/virtual/block/dm-1/dev"
	echo rhel-root > "$S/sys/devices/virtual/block/dm-1/dm/name"
	echo LVM-fedcba > "$S/sys/devices/virtual/block/dm-1/dm/uuid"
	ln -s ../../devices/virtual/block/dm-1 "$S/sys/class/block/dm-1"
	truncate -s 300M "$S/dev/dm-1"
	mkfs.xfs -q "$S/dev/dm-1"
	run env RESCUECTL_SYSROOT="$S" "$RESCUECTL" shrink-root --yes --size 200M "$S/dev/dm-1"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"XFS, which cannot be shrunk at all"* ]]
	[[ "$output" != *"lvreduce"* ]]
}

@test "LVM root, dry run from a fake sysfs and lvs: the plan is e2fsck, resize2fs, lvreduce (no --resizefs), verify; JSON volume fields" {
	S=$W/sysroot
	mkdir -p "$S/sys/devices/virtual/block/dm-0/dm" "$S/sys/class/block" "$S/dev" "$W/bin"
	truncate -s 300M "$S/dev/dm-0"
	mkfs.ext4 -q -F "$S/dev/dm-0"
	echo 253:0 > "$S/sys/devices/virtual/block/dm-0/dev"
	echo 614400 > "$S/sys/devices/virtual/block/dm-0/size"
	echo vg0-root > "$S/sys/devices/virtual/block/dm-0/dm/name"
	echo LVM-abcdef > "$S/sys/devices/virtual/block/dm-0/dm/uuid"
	ln -s ../../devices/virtual/block/dm-0 "$S/sys/class/block/dm-0"
	printf '#!/bin/sh\necho "  vg0|root|-wi-a-----|314572800|4194304|8388608|0"\n' > "$W/bin/lvs"
	printf '#!/bin/sh\nexit 0\n' > "$W/bin/lvreduce"
	cp "$W/bin/lvreduce" "$W/bin/lvextend"
	chmod 755 "$W/bin/"*
	before=$(sha256sum < "$S/dev/dm-0")
	run env PATH="$W/bin:$PATH" RESCUECTL_SYSROOT="$S" "$RESCUECTL" shrink-root --dry-run --free 62M "$S/dev/dm-0"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"lvreduce --yes -L 241664k vg0/root"* ]]
	[[ "$output" == *"free extents in the volume group"* ]]
	output=$(env PATH="$W/bin:$PATH" RESCUECTL_SYSROOT="$S" "$RESCUECTL" shrink-root --dry-run --json --free 62M "$S/dev/dm-0" 2> /dev/null)
	echo "$output"
	echo "$output" | jq -e '[.steps[].kind] == ["fsck","resize-fs","shrink-lv","verify"]'
	echo "$output" | jq -e '.volume.kind == "lvm" and .volume.bytes_after == 247463936 and .volume.vg_free_after == 8388608 + 67108864'
	echo "$output" | jq -e '.filesystem.blocks_after * .filesystem.block_size == .volume.bytes_after'
	# the document validates against doc/schema/shrink-root.schema.json
	mkdir -p "$W/docs"
	printf '%s\n' "$output" > "$W/docs/shrink-root@lvm-dry@0.json"
	python3 "$TOP/tests/schema/validate.py" "$TOP/doc/schema" "$W/docs"
	[ "$(sha256sum < "$S/dev/dm-0")" = "$before" ]
}

@test "LVM root --pv, dry run from a fake sysfs, pvs and a GPT image as the PV's disk: pvresize and the table steps, JSON (schema); refusals name pvmove and --pv; no byte changed" {
	S=$W/sysroot
	mkdir -p "$S/sys/devices/virtual/block/dm-0/dm" "$S/sys/devices/pci0/block/sda/sda3" "$S/sys/class/block" \
		"$S/dev" "$W/bin"
	truncate -s 256M "$S/dev/dm-0"
	mkfs.ext4 -q -F "$S/dev/dm-0"
	echo 253:0 > "$S/sys/devices/virtual/block/dm-0/dev"
	echo 524288 > "$S/sys/devices/virtual/block/dm-0/size"
	echo vg0-root > "$S/sys/devices/virtual/block/dm-0/dm/name"
	echo LVM-abcdef > "$S/sys/devices/virtual/block/dm-0/dm/uuid"
	ln -s ../../devices/virtual/block/dm-0 "$S/sys/class/block/dm-0"
	# the PV's disk: GPT, sda3 from sector 198656, 302 MiB (sfdisk aligns its end)
	truncate -s 400M "$S/dev/sda"
	printf 'label: gpt\nstart=2048, size=65536, type=uefi\nstart=67584, size=131072\nstart=198656, type=E6D6D379-F507-44C2-A23C-238F2A3DF928\n' |
		sfdisk -q "$S/dev/sda"
	echo 8:0 > "$S/sys/devices/pci0/block/sda/dev"
	echo 819200 > "$S/sys/devices/pci0/block/sda/size"
	echo 8:3 > "$S/sys/devices/pci0/block/sda/sda3/dev"
	echo 618496 > "$S/sys/devices/pci0/block/sda/sda3/size"
	echo 3 > "$S/sys/devices/pci0/block/sda/sda3/partition"
	echo 198656 > "$S/sys/devices/pci0/block/sda/sda3/start"
	ln -s ../../devices/pci0/block/sda "$S/sys/class/block/sda"
	ln -s ../../devices/pci0/block/sda/sda3 "$S/sys/class/block/sda3"
	printf '#!/bin/sh\necho "  vg0|root|-wi-a-----|268435456|4194304|44040192|0"\n' > "$W/bin/lvs"
	printf '#!/bin/sh\ncat "%s"\n' "$W/pvs.out" > "$W/bin/pvs"
	printf '#!/bin/sh\nexit 0\n' > "$W/bin/lvreduce"
	for b in lvextend pvresize; do cp "$W/bin/lvreduce" "$W/bin/$b"; done
	chmod 755 "$W/bin/"*
	f='/dev/sda3|vg0|316669952|314572800|1048576|75|1|1044480|4194304|1'
	printf '  %s|0|64|root|0\n  %s|64|11||0\n' "$f" "$f" > "$W/pvs.out"
	lv=$(sha256sum < "$S/dev/dm-0") disk=$(sha256sum < "$S/dev/sda")
	sr() { env PATH="$W/bin:$PATH" RESCUECTL_SYSROOT="$S" "$RESCUECTL" shrink-root "$@"; }
	run sr --dry-run --pv --keep-growpart --size 160M "$S/dev/dm-0"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"pvresize --yes --setphysicalvolumesize 209920k /dev/sda3 (51 extents"* ]]
	[[ "$output" == *"shrink partition 3 of $S/dev/sda to sectors 198656-618495"* ]]
	output=$(sr --dry-run --json --pv --keep-growpart --size 160M --new rest:linux:data "$S/dev/dm-0" 2> /dev/null)
	echo "$output"
	echo "$output" | jq -e '[.steps[].kind] == ["fsck","resize-fs","shrink-lv","shrink-pv","save-table","shrink-partition","add-partition","write-table","tell-kernel","verify"]'
	echo "$output" | jq -e '.volume.pv.pe_count_before == 75 and .volume.pv.pe_count_after == 51 and .volume.pv.bytes_after == 1048576 + 51 * 4194304 and .volume.vg_free_after == .volume.vg_free_before'
	echo "$output" | jq -e '.partno == 3 and .partition.start == 198656 and .partition.size_before == 618496 and .partition.size_after == 419840 and .new_partitions[0].partno == 4 and .new_partitions[0].start == 618496'
	mkdir -p "$W/docs"
	printf '%s\n' "$output" > "$W/docs/shrink-root@lvm-pv-dry@0.json"
	python3 "$TOP/tests/schema/validate.py" "$TOP/doc/schema" "$W/docs"
	# --new without --pv names --pv
	run sr --yes --size 160M --new rest "$S/dev/dm-0"
	[ "$status" -eq 3 ]
	[[ "$output" == *"add --pv"* ]]
	# another LV after the root on the PV: refused, naming it and the pvmove
	printf '  %s|0|64|root|0\n  %s|64|4|swap|0\n  %s|68|7||0\n' "$f" "$f" "$f" > "$W/pvs.out"
	run sr --yes --pv --size 160M "$S/dev/dm-0"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"vg0/swap"* && "$output" == *"pvmove --alloc anywhere /dev/sda3:64-67"* ]]
	# a PV that is a whole disk: no partition to shrink
	printf '  /dev/sda|vg0|419430400|314572800|1048576|75|1|1044480|4194304|1|0|64|root|0\n' > "$W/pvs.out"
	run sr --yes --pv --size 160M "$S/dev/dm-0"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"whole disk"* ]]
	[ "$(sha256sum < "$S/dev/dm-0")" = "$lv" ]
	[ "$(sha256sum < "$S/dev/sda")" = "$disk" ]
}

# fake_md: a fake sysfs in $S for md0 (RAID1, metadata 1.2) over sda3 and
# sdb3 of two GPT images (sda3/sdb3 from sector 198656, 302 MiB; data
# offset 2048) as a shrink to 200 MiB stopped right after 'mdadm --grow'
# left it: the array and its ext4 are 200 MiB, each member's md size
# (md/dev-*/size) and partition are still the old ones.
fake_md() {
	S=$W/sysroot
	local d m
	md=$S/sys/devices/virtual/block/md0/md
	mkdir -p "$md/dev-sda3" "$md/dev-sdb3" "$S/sys/class/block" "$S/dev" "$W/bin"
	truncate -s 200M "$S/dev/md0"
	mkfs.ext4 -q -F "$S/dev/md0"
	echo 9:0 > "$S/sys/devices/virtual/block/md0/dev"
	echo 409600 > "$S/sys/devices/virtual/block/md0/size"
	echo raid1 > "$md/level"; echo 1.2 > "$md/metadata_version"; echo 0 > "$md/degraded"
	echo idle > "$md/sync_action"; echo clean > "$md/array_state"; echo 2 > "$md/raid_disks"
	echo 204800 > "$md/component_size"
	ln -s ../../devices/virtual/block/md0 "$S/sys/class/block/md0"
	for d in sda sdb; do
		m=$d"3"
		echo in_sync > "$md/dev-$m/state"; echo 2048 > "$md/dev-$m/offset"; echo 308224 > "$md/dev-$m/size"
		truncate -s 400M "$S/dev/$d"
		printf 'label: gpt\nstart=2048, size=65536, type=uefi\nstart=67584, size=131072\nstart=198656, size=618496, type=A19D880F-05FC-4D3B-A006-743F0F84911E\n' |
			sfdisk -q "$S/dev/$d"
		mkdir -p "$S/sys/devices/pci0/block/$d/$m"
		echo 8:${#d} > "$S/sys/devices/pci0/block/$d/dev"
		echo 819200 > "$S/sys/devices/pci0/block/$d/size"
		echo 3 > "$S/sys/devices/pci0/block/$d/$m/partition"
		echo 198656 > "$S/sys/devices/pci0/block/$d/$m/start"
		echo 618496 > "$S/sys/devices/pci0/block/$d/$m/size"
		ln -s ../../devices/pci0/block/$d "$S/sys/class/block/$d"
		ln -s ../../devices/pci0/block/$d/$m "$S/sys/class/block/$m"
	done
	echo 8:0 > "$S/sys/devices/pci0/block/sda/dev"; echo 8:16 > "$S/sys/devices/pci0/block/sdb/dev"
	echo 8:3 > "$S/sys/devices/pci0/block/sda/sda3/dev"; echo 8:19 > "$S/sys/devices/pci0/block/sdb/sdb3/dev"
	printf '#!/bin/sh\nexit 0\n' > "$W/bin/mdadm"
	chmod 755 "$W/bin/mdadm"
}

@test "md root stopped after mdadm --grow (fake sysfs): a re-run with the same --size plans only the member sizes and partitions; then only the partition left; then nothing (already, exit 0); --free still shrinks more; no byte changed" {
	fake_md
	sr() { env PATH="$W/bin:$PATH" RESCUECTL_SYSROOT="$S" "$RESCUECTL" shrink-root "$@"; }
	sums() { sha256sum "$S/dev/md0" "$S/dev/sda" "$S/dev/sdb"; }
	before=$(sums)
	run --separate-stderr sr --dry-run --json --keep-growpart --size 200M "$S/dev/md0"
	echo "$output"; echo "$stderr"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.already == true'
	echo "$output" | jq -e '[.steps[].kind] == ["member-size","save-table","shrink-partition","write-table","tell-kernel","save-table","shrink-partition","write-table","tell-kernel","verify"]'
	echo "$output" | jq -e '.volume.bytes_before == 209715200 and .volume.bytes_after == 209715200 and .freed_bytes == 0'
	# start + data offset + the array's size, aligned up to 1 MiB: 198656 + 2048 + 409600 -> 411648 sectors
	echo "$output" | jq -e 'all(.volume.members[]; .bytes_before == 618496 * 512 and .bytes_after == 411648 * 512)'
	echo "$output" | jq -e '.steps[0].does | test("echo 204800 > /sys/block/md0/md/dev-\\{sda3, sdb3\\}/size")'
	[[ "$stderr" == *"is 200 MiB already"*"nothing to shrink; what is left"* ]]
	mkdir -p "$W/docs"
	printf '%s\n' "$output" > "$W/docs/shrink-root@md-resume-dry@0.json"
	python3 "$TOP/tests/schema/validate.py" "$TOP/doc/schema" "$W/docs"
	[ "$(sums)" = "$before" ]
	# the member sizes were written and sda3 shrunk, then the run stopped: only sdb's steps are left
	echo 204800 > "$md/dev-sda3/size"; echo 204800 > "$md/dev-sdb3/size"
	printf 'label: gpt\nstart=2048, size=65536, type=uefi\nstart=67584, size=131072\nstart=198656, size=411648, type=A19D880F-05FC-4D3B-A006-743F0F84911E\n' |
		sfdisk -q "$S/dev/sda"
	echo 411648 > "$S/sys/devices/pci0/block/sda/sda3/size"
	before=$(sums)
	output=$(sr --dry-run --json --keep-growpart --size 200M "$S/dev/md0" 2> /dev/null)
	echo "$output"
	echo "$output" | jq -e '.already == true and [.steps[].kind] == ["save-table","shrink-partition","write-table","tell-kernel","verify"]'
	echo "$output" | jq -e '.steps[0].does | test("/dev/sdb ")'
	[ "$(sums)" = "$before" ]
	# all done: only the verify is left; --minimum is "already" too when it lands on this size
	printf 'label: gpt\nstart=2048, size=65536, type=uefi\nstart=67584, size=131072\nstart=198656, size=411648, type=A19D880F-05FC-4D3B-A006-743F0F84911E\n' |
		sfdisk -q "$S/dev/sdb"
	echo 411648 > "$S/sys/devices/pci0/block/sdb/sdb3/size"
	before=$(sums)
	output=$(sr --dry-run --json --keep-growpart --size 200M "$S/dev/md0" 2> /dev/null)
	echo "$output"
	echo "$output" | jq -e '.already == true and [.steps[].kind] == ["verify"]'
	run sr --yes --keep-growpart --size 200M "$S/dev/md0"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"was 200 MiB already; nothing was shrunk"* ]]
	# --free stays relative: it shrinks more; --new keeps the usage error; a larger --size is a mistake
	output=$(sr --dry-run --json --keep-growpart --free 64M "$S/dev/md0" 2> /dev/null)
	echo "$output" | jq -e '.already == false and [.steps[0:3][].kind] == ["fsck","resize-fs","shrink-array"]'
	run sr --dry-run --size 200M --new rest "$S/dev/md0"
	[ "$status" -eq 2 ]
	[[ "$output" == *"nothing to shrink"* ]]
	run sr --dry-run --size 1G "$S/dev/md0"
	[ "$status" -eq 2 ]
	[ "$(sums)" = "$before" ]
}

@test "LVM root --pv stopped after lvreduce (fake sysfs, lvs, pvs): a re-run with the same --size plans pvresize to the LV's last extent and the partition; after pvresize only the partition; then nothing (already); free extents followed by another LV are refused; no byte changed" {
	S=$W/sysroot
	mkdir -p "$S/sys/devices/virtual/block/dm-0/dm" "$S/sys/devices/pci0/block/sda/sda3" "$S/sys/class/block" \
		"$S/dev" "$W/bin"
	# as a --pv --size 160M of a 256 MiB LV (64 extents of 4 MiB at the start of a 75-extent PV) left it
	# when stopped after lvreduce: the LV and its ext4 are 160 MiB, extents 40-74 free, sda3 302 MiB
	truncate -s 160M "$S/dev/dm-0"
	mkfs.ext4 -q -F "$S/dev/dm-0"
	echo 253:0 > "$S/sys/devices/virtual/block/dm-0/dev"
	echo 327680 > "$S/sys/devices/virtual/block/dm-0/size"
	echo vg0-root > "$S/sys/devices/virtual/block/dm-0/dm/name"
	echo LVM-abcdef > "$S/sys/devices/virtual/block/dm-0/dm/uuid"
	ln -s ../../devices/virtual/block/dm-0 "$S/sys/class/block/dm-0"
	truncate -s 400M "$S/dev/sda"
	table() { printf 'label: gpt\nstart=2048, size=65536, type=uefi\nstart=67584, size=131072\nstart=198656, size=%s, type=E6D6D379-F507-44C2-A23C-238F2A3DF928\n' "$1" | sfdisk -q "$S/dev/sda"; echo "$1" > "$S/sys/devices/pci0/block/sda/sda3/size"; }
	table 618496
	echo 8:0 > "$S/sys/devices/pci0/block/sda/dev"
	echo 819200 > "$S/sys/devices/pci0/block/sda/size"
	echo 8:3 > "$S/sys/devices/pci0/block/sda/sda3/dev"
	echo 3 > "$S/sys/devices/pci0/block/sda/sda3/partition"
	echo 198656 > "$S/sys/devices/pci0/block/sda/sda3/start"
	ln -s ../../devices/pci0/block/sda "$S/sys/class/block/sda"
	ln -s ../../devices/pci0/block/sda/sda3 "$S/sys/class/block/sda3"
	printf '#!/bin/sh\necho "  vg0|root|-wi-a-----|167772160|4194304|146800640|0"\n' > "$W/bin/lvs"
	printf '#!/bin/sh\ncat "%s"\n' "$W/pvs.out" > "$W/bin/pvs"
	printf '#!/bin/sh\nexit 0\n' > "$W/bin/lvreduce"
	for b in lvextend pvresize; do cp "$W/bin/lvreduce" "$W/bin/$b"; done
	chmod 755 "$W/bin/"*
	f='/dev/sda3|vg0|316669952|314572800|1048576|75|1|1044480|4194304|1'
	printf '  %s|0|40|root|0\n  %s|40|35||0\n' "$f" "$f" > "$W/pvs.out"
	sr() { env PATH="$W/bin:$PATH" RESCUECTL_SYSROOT="$S" "$RESCUECTL" shrink-root "$@"; }
	sums() { sha256sum "$S/dev/dm-0" "$S/dev/sda"; }
	before=$(sums)
	run --separate-stderr sr --dry-run --json --pv --keep-growpart --size 160M "$S/dev/dm-0"
	echo "$output"; echo "$stderr"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.already == true and [.steps[].kind] == ["shrink-pv","save-table","shrink-partition","write-table","tell-kernel","verify"]'
	# the PV keeps up to the LV's last extent: 1 MiB + 40 extents = 164864 KiB; sda3's end aligned up: 329728 sectors
	echo "$output" | jq -e '.volume.pv.pe_count_before == 75 and .volume.pv.pe_count_after == 40 and .volume.pv.bytes_after == 1048576 + 40 * 4194304'
	echo "$output" | jq -e '.partition.size_before == 618496 and .partition.size_after == 329728 and .freed_bytes == 0'
	echo "$output" | jq -e '.steps[0].does | test("pvresize --yes --setphysicalvolumesize 164864k /dev/sda3")'
	[[ "$stderr" == *"is 160 MiB already"*"35 free extents at its end"* ]]
	mkdir -p "$W/docs"
	printf '%s\n' "$output" > "$W/docs/shrink-root@lvm-pv-resume-dry@0.json"
	python3 "$TOP/tests/schema/validate.py" "$TOP/doc/schema" "$W/docs"
	[ "$(sums)" = "$before" ]
	# stopped after pvresize: only the partition's steps are left
	f='/dev/sda3|vg0|316669952|168820736|1048576|40|1|1044480|4194304|1'
	printf '  %s|0|40|root|0\n' "$f" > "$W/pvs.out"
	output=$(sr --dry-run --json --pv --keep-growpart --size 160M "$S/dev/dm-0" 2> /dev/null)
	echo "$output"
	echo "$output" | jq -e '.already == true and [.steps[].kind] == ["save-table","shrink-partition","write-table","tell-kernel","verify"] and .partition.size_after == 329728'
	[ "$(sums)" = "$before" ]
	# all done: only the verify; the real run ends with exit 0 and writes nothing
	table 329728
	f='/dev/sda3|vg0|168820736|168820736|1048576|40|1|1044480|4194304|1'
	printf '  %s|0|40|root|0\n' "$f" > "$W/pvs.out"
	before=$(sums)
	output=$(sr --dry-run --json --pv --keep-growpart --size 160M "$S/dev/dm-0" 2> /dev/null)
	echo "$output"
	echo "$output" | jq -e '.already == true and [.steps[].kind] == ["verify"]'
	run sr --yes --pv --keep-growpart --size 160M "$S/dev/dm-0"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"was 160 MiB already; nothing was shrunk"* ]]
	[ "$(sums)" = "$before" ]
	# free extents after the LV, then another LV's: not at the PV's end, refused naming the pvmove
	table 618496
	f='/dev/sda3|vg0|316669952|314572800|1048576|75|1|1044480|4194304|1'
	printf '  %s|0|40|root|0\n  %s|40|24||0\n  %s|64|4|swap|0\n  %s|68|7||0\n' "$f" "$f" "$f" "$f" > "$W/pvs.out"
	before=$(sums)
	run sr --yes --pv --size 160M "$S/dev/dm-0"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"vg0/swap"* && "$output" == *"pvmove --alloc anywhere /dev/sda3:64-67"* ]]
	# without --pv the LV at its size is "already" too: only the verify
	output=$(sr --dry-run --json --size 160M "$S/dev/dm-0" 2> /dev/null)
	echo "$output" | jq -e '.already == true and [.steps[].kind] == ["verify"]'
	# --free stays relative
	output=$(sr --dry-run --json --free 40M "$S/dev/dm-0" 2> /dev/null)
	echo "$output" | jq -e '.already == false and [.steps[].kind] == ["fsck","resize-fs","shrink-lv","verify"]'
	[ "$(sums)" = "$before" ]
}

@test "usage errors: no size, two sizes, bad size, rest not last" {
	run "$RESCUECTL" shrink-root /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"--size"* ]]
	run "$RESCUECTL" shrink-root --size 1G --minimum /dev/null
	[ "$status" -eq 2 ]
	run "$RESCUECTL" shrink-root --size 20GB /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"decimal"* ]]
	run "$RESCUECTL" shrink-root --size 1G --new rest --new 1G /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"last"* ]]
	run "$RESCUECTL" shrink-root --size 1G --new-plain /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"--new-plain"*"give --new"* ]]
}

# A disk built here by hand: LABEL script for sfdisk, root partition ROOTNO
# made ext4 from a small tree; SECTOR=4096 for a 4K-sector loop device.
handdisk() {
	local script=$1 rootno=$2
	truncate -s 800M "$IMG"
	L=$(losetup -f --show ${SECTOR:+-b "$SECTOR"} "$IMG")
	echo "loop $L" >> "$_rc_res"
	printf '%b' "$script" | sfdisk -q --no-reread "$L" >/dev/null 2>&1 || true
	partx -d "$L" 2>/dev/null || true
	partx -a "$L"
	P=${L}p$rootno
	for _ in 1 2 3 4 5 6 7 8 9 10; do [ -b "$P" ] && break; sleep 0.1; done
	mkdir -p "$W/tree/d"
	for i in $(seq 1 40); do head -c 1048576 /dev/urandom > "$W/tree/d/f$i"; done
	(cd "$W/tree" && sha256sum d/*) > "$W/sums"
	mke2fs -q -F -t ext4 -d "$W/tree" "$P"
	sfdisk -J "$L" > "$W/before.json"
}

check_generic() {
	sfdisk --verify "$L"
	e2fsck -fn "$P"
	mount_tmp "$P" "$W/m" ro
	(cd "$W/m" && sha256sum -c --quiet "$W/sums")
	umount "$W/m"
	sfdisk -J "$L" > "$W/after.json"
	ss=$(jq -r '.partitiontable.sectorsize // 512' "$W/after.json")
	for node in $(jq -r '.partitiontable.partitions[] | select(.type != "5") | .node' "$W/after.json"); do
		want=$(jq -r --arg n "$node" '.partitiontable.partitions[] | select(.node==$n) | .size' "$W/after.json")
		[ "$(cat /sys/class/block/$(basename "$node")/size)" = $((want * ss / 512)) ] || { echo "$node: kernel/table differ"; false; }
	done
}

@test "4K-sector disk: sizes in 4 KiB sectors, kernel told in 512-byte units, swap made on a new swap partition" {
	SECTOR=4096 handdisk 'label: gpt\nsize=32MiB,type=U\nsize=500MiB,type=L,name=root\nsize=100MiB,type=S\n' 2
	[ "$(blockdev --getss "$L")" = 4096 ]
	run "$RESCUECTL" shrink-root --yes --size 200M --new rest:swap:sw --mkfs ext4 "$P"
	echo "$output"
	[ "$status" -eq 0 ]
	check_generic
	[ "$(pfield "$W/after.json" 2 size)" -eq $((200 * 256)) ]
	[ "$(pfield "$W/after.json" 2 start)" = "$(pfield "$W/before.json" 2 start)" ]
	[ "$(pfield "$W/after.json" 2 uuid)" = "$(pfield "$W/before.json" 2 uuid)" ]
	[ "$(blkid -s TYPE -o value "${L}p4")" = swap ]
}

@test "MBR logical root: shrunk inside the extended partition, a new logical partition after it" {
	handdisk 'label: dos\nstart=2048,size=65536,type=83\nstart=67584,size=1433600,type=5\nstart=69632,size=819200,type=83\nstart=890880,size=204800,type=82\n' 5
	run "$RESCUECTL" shrink-root --yes --free 100M --new rest --mkfs ext4 "$P"
	echo "$output"
	[ "$status" -eq 0 ]
	check_generic
	[ "$(pfield "$W/after.json" 5 size)" -eq $((300 * 2048)) ]
	[ "$(pfield "$W/after.json" 5 start)" = 69632 ]
	# the old logical partition 6 keeps its number and place
	[ "$(pfield "$W/after.json" 6 start)" = 890880 ]
	[ "$(blkid -s TYPE -o value "${L}p7")" = ext4 ]
}

@test "a root held open exclusively by another program is refused before e2fsck runs" {
	command -v python3 >/dev/null || skip "needs python3"
	SMALL=1 mkdisk gpt
	python3 -c 'import os, sys, time; os.open(sys.argv[1], os.O_RDONLY | os.O_EXCL); time.sleep(60)' "$P" &
	holder=$!
	sleep 0.5
	before=$(sha "$IMG")
	run "$RESCUECTL" shrink-root --yes --free 40M "$P"
	kill "$holder"; wait "$holder" 2>/dev/null || true
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"open exclusively by another program"* ]]
	[[ "$output" != *"==> e2fsck"* ]]
	[ "$(sha "$IMG")" = "$before" ]
}

# ---- every check before the first write (issue 10, item 10) ---------------

# unchanged: the image, the table and no backup written
assert_untouched() {
	[ "$(sha "$IMG")" = "$before" ] || { echo "the image changed"; false; }
	[ "$(sfdisk -d "$L")" = "$(cat "$W/before.dump")" ]
	! ls "$HOME"/shrink-root-*.sfdisk 2>/dev/null
}

@test "--new larger than the freed space is refused (exit 3), not made smaller; no byte changed" {
	SMALL=1 mkdisk gpt
	before=$(sha "$IMG")
	# 56 MiB freed before the swap partition: libfdisk alone made a 55 MiB partition
	run "$RESCUECTL" shrink-root --yes --free 56M --new 100M "$P"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"--new 1: a partition of 100 MiB does not fit: only 56 MiB is free"* ]]
	assert_untouched
	# the second of two --new that do not fit together
	run "$RESCUECTL" shrink-root --yes --free 56M --new 30M --new 30M "$P"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"--new 2: a partition of 30 MiB does not fit: only 26 MiB is free"* ]]
	assert_untouched
}

@test "--mkfs: an unknown type is a usage error, a missing mkfs program a refusal; no byte changed" {
	SMALL=1 mkdisk gpt
	before=$(sha "$IMG")
	run "$RESCUECTL" shrink-root --yes --free 40M --new rest --mkfs nosuchfs "$P"
	echo "$output"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--mkfs nosuchfs"*"ext4"* ]]
	assert_untouched
	# a rescue system with e2fsck and resize2fs but no mkfs.xfs, no mkswap
	mkdir -p "$W/tools"
	for t in e2fsck resize2fs mkfs.ext4; do ln -s "$(command -v $t)" "$W/tools/$t"; done
	run env RESCUECTL_NO_SBIN=1 PATH="$W/tools:/usr/bin:/bin" "$RESCUECTL" shrink-root --yes --free 40M --new rest --mkfs xfs "$P"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"mkfs.xfs not found"*"xfsprogs"* ]]
	assert_untouched
	# mkswap for a swap-typed new partition
	run env RESCUECTL_NO_SBIN=1 PATH="$W/tools:/usr/bin:/bin" "$RESCUECTL" shrink-root --yes --free 40M --new 20M --new rest:swap --mkfs ext4 "$P"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"mkswap not found"* ]]
	assert_untouched
}

@test "a missing e2fsck is no refusal: the bundled one is planned, and said before anything runs" {
	SMALL=1 mkdisk gpt
	before=$(sha "$IMG")
	mkdir -p "$W/tools"
	ln -s "$(command -v resize2fs)" "$W/tools/resize2fs"
	run env RESCUECTL_NO_SBIN=1 PATH="$W/tools:/usr/bin:/bin" "$RESCUECTL" shrink-root --dry-run --free 40M "$P"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Tools: e2fsck 1.47.0 (bundled; the rescue system has none), resize2fs 1.47.0 (the rescue system's $W/tools/resize2fs)"* ]]
	assert_untouched
}

@test "--backup naming an existing file is refused before anything is written (exit 3)" {
	SMALL=1 mkdisk gpt
	before=$(sha "$IMG")
	echo keep > "$W/old.sfdisk"
	run "$RESCUECTL" shrink-root --yes --free 40M --backup "$W/old.sfdisk" "$P"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"exists"*"never overwritten"* ]]
	[ "$(cat "$W/old.sfdisk")" = keep ]
	run "$RESCUECTL" shrink-root --yes --free 40M --backup "$W/no/such/dir/t.sfdisk" "$P"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"cannot create the table backup"* ]]
	assert_untouched
}

# ---- one plan: the listing, --dry-run, JSON and the failure message --------

@test "--dry-run, --dry-run --json and the real run's JSON list the same steps" {
	SMALL=1 mkdisk gpt
	args=(--yes --free 60M --new 20M:linux:data --new rest:swap --mkfs ext4 --backup "$W/t.sfdisk")
	run --separate-stderr "$RESCUECTL" shrink-root --dry-run "${args[@]}" "$P"
	[ "$status" -eq 0 ]
	human=$(echo "$output" | sed -n 's/^  \([0-9]*\)\. /\1 /p')
	run --separate-stderr "$RESCUECTL" shrink-root --dry-run --json "${args[@]}" "$P"
	[ "$status" -eq 0 ]
	dry=$(echo "$output" | jq -r '.steps[] | "\(.n) \(.does)"')
	[ "$(echo "$output" | jq -r '[.steps[].status] | unique | join(",")')" = todo ]
	run --separate-stderr "$RESCUECTL" shrink-root --json "${args[@]}" "$P"
	echo "$output $stderr"
	[ "$status" -eq 0 ]
	real=$(echo "$output" | jq -r '.steps[] | "\(.n) \(.does)"')
	echo "human:"; echo "$human"; echo "json:"; echo "$real"
	[ "$(echo "$human" | wc -l)" -ge 10 ]
	[ "$human" = "$dry" ]
	[ "$dry" = "$real" ]
	[ "$(echo "$output" | jq -r '[.steps[].status] | unique | join(",")')" = done ]
	# every step says what it changes and what the disk looks like after it
	[ "$(echo "$output" | jq '[.steps[] | select(.changes == "")] | length')" -eq 0 ]
	[ "$(echo "$output" | jq '[.steps[] | select(.after == "" and .kind != "shrink-partition" and .kind != "add-partition")] | length')" -eq 0 ]
	[ "$(echo "$output" | jq -r '.steps[] | select(.kind == "write-table") | .undo')" = "'sfdisk $L < $W/t.sfdisk' puts the old table back (the filesystem fits the old partition too)" ]
	check_shrunk
}

# fake PROG PATTERN CODE: a script in $W/bin that runs the real PROG unless
# its arguments (" ARGS ") contain PATTERN; then it says so and exits CODE.
fake() {
	local prog=$1 pattern=$2 code=$3 real
	real=$(command -v "$prog")
	mkdir -p "$W/bin"
	cat > "$W/bin/$prog" <<EOS
#!/bin/sh
case " \$* " in
*"$pattern"*) echo "$prog: simulated failure" >&2; exit $code ;;
esac
exec $real "\$@"
EOS
	chmod +x "$W/bin/$prog"
}

@test "failure messages come from the plan: resize2fs fails (steps done, the disk's state, what to run)" {
	SMALL=1 mkdisk gpt
	fake resize2fs "K " 1     # the resize, not the estimate (resize2fs -P)
	run --separate-stderr env PATH="$W/bin:$PATH" "$RESCUECTL" shrink-root --yes --json --free 40M --backup "$W/t.sfdisk" "$P"
	echo "$output"; echo "$stderr"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"step 3 of "*" failed: resize2fs $P "*"simulated failure"* ]]
	[[ "$stderr" == *"done: 1 save the table, 2 e2fsck"$'\n'* ]]
	[[ "$stderr" == *"not run: 4-"* ]]
	[[ "$stderr" == *"the disk now: resize2fs stopped partway (without an undo file); the partition table was NOT touched"*"'e2fsck -fn' now says it is clean"* ]]
	[[ "$stderr" == *"next: run 'e2fsck -fn $P' to see its state"* ]]
	[[ "$stderr" == *"to undo what is done: 'resize2fs $P' grows the filesystem back"* ]]
	[ "$(echo "$output" | jq -r .error.step)" = 3 ]
	[ "$(echo "$output" | jq -r '.steps[2].status')" = failed ]
	[ "$(echo "$output" | jq -r '.steps[3].status')" = todo ]   # in memory: goes with the write
	[ "$(echo "$output" | jq -r '.steps[4].status')" = todo ]
	[[ "$(echo "$output" | jq -r .error.state)" == *"NOT touched"* ]]
	# what the message says is true
	[ "$(sfdisk -d "$L")" = "$(cat "$W/before.dump")" ]
	e2fsck -fn "$P"
}

@test "failure messages come from the plan: e2fsck fails (table unchanged, nothing resized)" {
	SMALL=1 mkdisk gpt
	fake e2fsck " -y " 4
	run env PATH="$W/bin:$PATH" "$RESCUECTL" shrink-root --yes --free 40M --backup "$W/t.sfdisk" "$P"
	echo "$output"
	[ "$status" -eq 1 ]
	# e2fsck talks to the terminal (live): its words come before the message
	[[ "$output" == *"e2fsck: simulated failure"*"step 2 of "*" failed: e2fsck -f -y $P: e2fsck failed on $P (exit 4)"* ]]
	[[ "$output" == *"done: 1 save the table"$'\n'* ]]
	[[ "$output" == *"the disk now: e2fsck stopped (it may have made repairs); the filesystem was not resized and the partition table is unchanged"* ]]
	[[ "$output" == *"next: run 'e2fsck -f $P' yourself, then shrink-root again"* ]]
	[ "$(sfdisk -d "$L")" = "$(cat "$W/before.dump")" ]
}

@test "failure messages come from the plan: the verify fails after the table is written" {
	SMALL=1 mkdisk gpt
	fake e2fsck " -n " 4
	run env PATH="$W/bin:$PATH" "$RESCUECTL" shrink-root --yes --free 40M --backup "$W/t.sfdisk" "$P"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"failed: e2fsck -f -n $P (verify): 'e2fsck -fn $P' reports problems"* ]]
	[[ "$output" == *"done: 1 save the table, 2 e2fsck, 3 resize2fs, 4 shrink partition 3, 5 write the table, 6 tell the kernel"* ]]
	[[ "$output" == *"the disk now: $P is 280 MiB and its filesystem 280 MiB; the old table is in $W/t.sfdisk"* ]]
	[[ "$output" == *"next: run 'e2fsck -f $P'"* ]]
	# true: the new table is on the disk, the old one in the backup
	[ "$(sfdisk -d "$L" | grep "p3 :")" != "$(grep "p3 :" "$W/before.dump")" ]
	[ "$(grep -v '^device:' "$W/t.sfdisk")" = "$(grep -v '^device:' "$W/before.dump")" ]
	e2fsck -fn "$P"
}

@test "failure messages come from the plan: mkfs fails on a new partition, the shrink stands (exit 1)" {
	SMALL=1 mkdisk gpt
	fake mkfs.ext4 "p6 " 1
	run --separate-stderr env PATH="$W/bin:$PATH" "$RESCUECTL" shrink-root --yes --json --free 60M --new 20M --new rest --mkfs ext4 "$P"
	echo "$output"; echo "$stderr"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"step 11 of 11 failed: make a filesystem on new partition 6: mkfs.ext4 -F"*"simulated failure"* ]]
	[[ "$stderr" == *"the disk now: the shrink is done and verified; new partition 5 holds ext4"*"; but new partition 6 has no ext4 yet"* ]]
	[[ "$stderr" == *"next: run 'mkfs.ext4' on new partition 6 yourself"* ]]
	[ "$(echo "$output" | jq -r '.new_partitions[0].mkfs')" = ext4 ]
	[ "$(echo "$output" | jq -r '.new_partitions[1].mkfs')" = null ]
	[ "$(echo "$output" | jq -r .error.step)" = 11 ]
	check_shrunk
	[ "$(blkid -s TYPE -o value "${L}p5")" = ext4 ]
}

@test "a rescue system without e2fsprogs (hidden in a mount namespace): the bundled e2fsck, resize2fs and mkfs.ext4 shrink and make the new filesystem, writing no file in /tmp, /dev/shm or the binary's directory" {
	command -v unshare >/dev/null || skip "needs unshare"
	SMALL=1 mkdisk gpt
	mkdir -p "$W/bin"
	cp "$RESCUECTL" "$W/bin/rescuectl"
	run --separate-stderr "$FIX/no-e2fsprogs.sh" "$W/bin/rescuectl" shrink-root --dry-run --json --free 40M --new rest --mkfs ext4 "$P"
	echo "$output $stderr"
	[[ "$stderr" == *"Tools: e2fsck 1.47.0, resize2fs 1.47.0, mke2fs 1.47.0 (bundled; the rescue system has none)"* ]]
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r '[.tools[] | .program] | join(" ")')" = "e2fsck resize2fs mke2fs" ]
	[ "$(echo "$output" | jq -r '[.tools[] | select(.bundled and .version == "1.47.0" and .why == "the rescue system has none")] | length')" = 3 ]
	cat > "$W/inside.sh" <<'EOF'
snap() { find /tmp /dev/shm -xdev | sort; stat -c '%n %s %Y' /tmp /dev/shm "$1" "$1"/*; }
bin=$1
shift
snap "$bin" > "$bin/../before"
"$bin/rescuectl" "$@"; st=$?
snap "$bin" > "$bin/../after"
exit $st
EOF
	run "$FIX/no-e2fsprogs.sh" --fresh-tmp "$W" sh "$W/inside.sh" "$W/bin" shrink-root --yes --free 40M --new rest --mkfs ext4 "$P"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Tools: e2fsck 1.47.0, resize2fs 1.47.0, mke2fs 1.47.0 (bundled; the rescue system has none)"* ]]
	[[ "$output" == *"==> resize2fs"* ]]
	[[ "$output" == *"==> make a filesystem on new partition 5: mkfs.ext4 -F"* ]]
	diff "$W/before" "$W/after"
	[ "$(ls "$W/bin")" = rescuectl ]
	check_shrunk
	# the new filesystem has mkfs.ext4's defaults (Debian's mke2fs.conf), as the system's makes it
	e2fsck -fn "${L}p5"
	truncate -s "$(blockdev --getsize64 "${L}p5")" "$W/ref.img"
	mkfs.ext4 -q -F "$W/ref.img"
	for f in "Filesystem features" "Block size" "Inode size" "Inode count" "Reserved block count" "Default mount options"; do
		[ "$(dumpe2fs -h "${L}p5" 2>/dev/null | grep "^$f:")" = "$(dumpe2fs -h "$W/ref.img" 2>/dev/null | grep "^$f:")" ] ||
			{ echo "$f differs"; false; }
	done
}

@test "an e2fsprogs 1.42 on the rescue system is too old for metadata_csum: the bundled e2fsck and resize2fs run instead" {
	SMALL=1 mkdisk gpt
	mkdir -p "$W/bin"
	for p in e2fsck resize2fs; do
		# says 1.42.9 (-V, or without arguments); leaves a mark if it runs
		cat > "$W/bin/$p" <<EOF
#!/bin/sh
echo "$p 1.42.9 (28-Dec-2013)" >&2
[ "\$1" = -V ] || [ \$# -eq 0 ] || touch "$W/ran-$p"
exit 0
EOF
		chmod +x "$W/bin/$p"
	done
	run env RESCUECTL_NO_SBIN=1 PATH="$W/bin:/usr/bin:/bin" "$RESCUECTL" shrink-root --dry-run --free 40M "$P"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Tools: e2fsck 1.47.0 (bundled; the rescue system's e2fsck 1.42.9 is too old for metadata_csum), resize2fs 1.47.0 (bundled; the rescue system's resize2fs 1.42.9 is too old for metadata_csum)"* ]]
	[[ "$output" == *"resize2fs's minimum estimate is"* ]]
	! ls "$W"/ran-* 2>/dev/null
}

@test "--checker bundled runs rescuectl's own where the system's would do; --checker system with an e2fsprogs 1.42 is refused before anything runs (exit 3)" {
	SMALL=1 mkdisk gpt
	run "$RESCUECTL" shrink-root --dry-run --checker bundled --free 40M "$P"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Tools: e2fsck 1.47.0, resize2fs 1.47.0 (bundled, as asked)"* ]]
	run --separate-stderr "$RESCUECTL" shrink-root --json --dry-run --checker bundled --free 40M "$P"
	[ "$status" -eq 0 ]
	[ "$(jq -r '[.tools[] | select(.bundled)] | length' <<< "$output")" = 2 ]
	# the machine's own, as asked: not rescuectl's
	run "$RESCUECTL" shrink-root --dry-run --checker system --free 40M "$P"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Tools: e2fsck "*"(the rescue system's "* ]]
	[[ "$output" != *bundled* ]]
	mkdir -p "$W/bin"
	for p in e2fsck resize2fs; do
		cat > "$W/bin/$p" <<EOF2
#!/bin/sh
echo "$p 1.42.9 (28-Dec-2013)" >&2
[ "\$1" = -V ] || [ \$# -eq 0 ] || touch "$W/ran-$p"
exit 0
EOF2
		chmod +x "$W/bin/$p"
	done
	before=$(sha256sum < "$L")
	run env RESCUECTL_NO_SBIN=1 PATH="$W/bin:/usr/bin:/bin" "$RESCUECTL" shrink-root --yes --checker system --free 40M "$P"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"the rescue system's e2fsck 1.42.9 is too old for metadata_csum (--checker system). Nothing was changed; run without --checker system to use rescuectl's own e2fsck 1.47.0"* ]]
	! ls "$W"/ran-* 2>/dev/null
	[ "$(sha256sum < "$L")" = "$before" ]
}

# killed_resize2fs N [PARENT]: a resize2fs in $W/bin that runs the real one
# (-z: the resize itself, not a version or estimate query) under strace, SIGKILLed just before its Nth pwrite64 (partway through
# moving data); with PARENT, it then SIGKILLs its parent (rescuectl) too, as
# if the whole session had died there.
killed_resize2fs() {
	local real
	real=$(command -v resize2fs)
	mkdir -p "$W/bin"
	cat > "$W/bin/resize2fs" <<EOS
#!/bin/sh
case " \$* " in *" -z "*) ;; *) exec $real "\$@" ;; esac
strace -f -qq -o /dev/null -e trace=pwrite64 -e inject=pwrite64:signal=KILL:when=$1 $real "\$@"
rc=\$?
[ -n "${2:-}" ] && kill -KILL \$PPID
exit \$rc
EOS
	chmod +x "$W/bin/resize2fs"
}

# sums_now: the checksums of every file on the root, as mkdisk took them.
same_files() {
	mount_tmp "$P" "$W/m" ro
	(cd "$W/m" && sha256sum -c --quiet "$W/sums")
	umount "$W/m"
}

@test "--undo-file FILE and the rescue system's resize2fs killed partway: e2undo puts the filesystem back at once; every file identical, e2fsck clean, table untouched" {
	command -v strace >/dev/null || skip "needs strace"
	mkdisk gpt
	blocks=$(dumpe2fs -h "$P" 2>/dev/null | awk -F: '/^Block count/ {print $2+0}')
	[ "$(dumpe2fs -h "$P" 2>/dev/null | awk -F: '/^Block size/ {print $2+0}')" = 4096 ]
	killed_resize2fs 40
	run --separate-stderr env PATH="$W/bin:$PATH" "$RESCUECTL" shrink-root --yes --undo-file "$W/u.e2undo" --size 400M "$P"
	echo "$output"; echo "$stderr"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"resize2fs stopped (exit 137"*"e2undo put the filesystem back as it was"* ]]
	[[ "$stderr" == *"'e2fsck -fn' now says it is clean; its size is unchanged ($blocks blocks)"* ]]
	# what the message says is true: every file, e2fsck, the table, no leftover
	run e2fsck -fn "$P"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	same_files
	[ "$(dumpe2fs -h "$P" 2>/dev/null | awk -F: '/^Block count/ {print $2+0}')" = "$blocks" ]
	[ "$(sfdisk -d "$L")" = "$(cat "$W/before.dump")" ]
	[ ! -e "$W/u.e2undo" ]
}

@test "--undo-file FILE, rescuectl killed inside resize2fs: a re-run refuses (exit 3, no byte changed) and says e2undo; after 'rescuectl e2undo' every file is back and the shrink goes through" {
	command -v strace >/dev/null || skip "needs strace"
	mkdisk gpt
	killed_resize2fs 40 parent
	undo=$W/u.e2undo
	run env PATH="$W/bin:$PATH" "$RESCUECTL" shrink-root --yes --undo-file "$undo" --size 400M "$P"
	[ "$status" -eq 137 ]
	[ -s "$undo" ]
	before=$(sha256sum < "$P")
	run "$RESCUECTL" shrink-root --yes --undo-file "$undo" --size 400M "$P"
	echo "$output"
	[ "$status" -eq 3 ]
	# the locator on the disk names the file
	[[ "$output" == *"stopped inside resize2fs"*"while its undo file was $undo"*"'rescuectl shrink-root --rollback $P'"*"Do NOT run 'e2fsck -y' first"* ]]
	[ "$(sha256sum < "$P")" = "$before" ]
	# another --undo-file does not hide it
	run "$RESCUECTL" shrink-root --undo-file "$W/other.e2undo" --size 400M "$P"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"while its undo file was $undo"* ]]
	[ "$(sha256sum < "$P")" = "$before" ]
	# without the locator (a disk whose last 4 KiB were in use), the file
	# alone: the refusal names e2undo, and without --yes the errors rule too
	sz=$(blockdev --getsize64 "$P")
	dd if=/dev/zero of="$P" bs=4096 seek=$((sz / 4096 - 1)) count=1 conv=notrunc,fsync 2>/dev/null
	before=$(sha256sum < "$P")
	run "$RESCUECTL" shrink-root --yes --undo-file "$undo" --size 400M "$P"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"$undo is the undo file of an earlier resize2fs of $P that did not finish"* ]]
	[[ "$output" == *"Run 'rescuectl e2undo $undo $P'"*"Do NOT run 'e2fsck -y' first"* ]]
	run "$RESCUECTL" shrink-root --undo-file "$W/other.e2undo" --size 400M "$P"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"errors recorded"*"interrupted inside resize2fs"*"rescuectl e2undo FILE $P"* ]]
	[ "$(sha256sum < "$P")" = "$before" ]
	"$RESCUECTL" e2undo "$undo" "$P"
	run e2fsck -fn "$P"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	same_files
	rm "$undo"
	run "$RESCUECTL" shrink-root --yes --size 400M "$P"
	echo "$output"
	[ "$status" -eq 0 ]
	check_shrunk
	! ls "$HOME"/shrink-root-*.e2undo 2>/dev/null
}

# no_locator: the last 4 KiB of the root are not a rescuectl undo-log locator.
no_locator() {
	local sz
	sz=$(blockdev --getsize64 "$P")
	! dd if="$P" bs=4096 skip=$((sz / 4096 - 1)) count=1 2>/dev/null | head -c 15 | grep -q rescuectl-undo
}

@test "the undo log goes on the disk itself: the plan says so, resize2fs killed partway is put back from it at once; files identical, e2fsck clean, table untouched, no log left" {
	command -v strace >/dev/null || skip "needs strace"
	mkdisk gpt
	blocks=$(dumpe2fs -h "$P" 2>/dev/null | awk -F: '/^Block count/ {print $2+0}')
	run "$RESCUECTL" shrink-root --dry-run --size 400M "$P"
	[[ "$output" == *"resize2fs 1.47.0 (bundled; its undo log on the disk survives a power cut)"* ]]
	[[ "$output" == *"its undo log on $P itself, past the new end"* ]]
	[[ "$output" != *"undo log cannot go on"* ]]
	# strace -f: the process making the 200th write to the root is killed
	# (resize2fs: rescuectl makes one, e2fsck -p none on a clean root)
	run --separate-stderr strace -f -qq -o /dev/null -P "$P" -e trace=pwrite64 \
		-e inject=pwrite64:signal=KILL:when=200 "$RESCUECTL" shrink-root --yes --size 400M "$P"
	echo "$output"; echo "$stderr"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"resize2fs stopped"*"rescuectl put back the "*" blocks it had written from its undo log on $P: the filesystem is as it was before resize2fs"* ]]
	run e2fsck -fn "$P"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	same_files
	[ "$(dumpe2fs -h "$P" 2>/dev/null | awk -F: '/^Block count/ {print $2+0}')" = "$blocks" ]
	[ "$(sfdisk -d "$L")" = "$(cat "$W/before.dump")" ]
	no_locator
	! ls "$HOME"/shrink-root-*.e2undo 2>/dev/null
}

@test "the whole session killed inside resize2fs (as by a power cut): the re-run refuses (exit 3, no byte changed) naming --rollback; --rollback puts every file back; the shrink then goes through" {
	command -v strace >/dev/null || skip "needs strace"
	mkdisk gpt
	dd if="$P" of="$W/root.orig" bs=1M 2>/dev/null
	# how many writes to the root one whole run makes
	run strace -f -qq -c -o "$W/count" -P "$P" -e trace=pwrite64 "$RESCUECTL" shrink-root --yes --size 400M "$P"
	[ "$status" -eq 0 ]
	w=$(awk '$NF == "pwrite64" { print $4 }' "$W/count")
	[ "${w:-0}" -gt 100 ]
	sfdisk -q "$L" < "$W/before.dump"
	partx -u "$L"
	[ "$(blockdev --getsize64 "$P")" = "$(stat -c %s "$W/root.orig")" ]
	# killed late in resize2fs, where the filesystem is half moved; try a
	# few points until e2fsck -fn shows one (the state --rollback repairs)
	broken=
	for k in $((w * 19 / 20)) $((w * 9 / 10)) $((w * 17 / 20)) $((w * 4 / 5)); do
		dd if="$W/root.orig" of="$P" bs=1M conv=fsync 2>/dev/null
		run "$BATS_TEST_DIRNAME/../crash/killat.sh" "$k" "$P" "$RESCUECTL" shrink-root --yes --size 400M "$P"
		[ "$status" -eq 0 ]
		e2fsck -fn "$P" > /dev/null 2>&1 || { broken=$k; break; }
	done
	[ -n "$broken" ]
	before=$(sha256sum < "$P")
	run "$RESCUECTL" shrink-root --yes --size 400M "$P"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"stopped inside resize2fs"*"'rescuectl shrink-root --rollback $P'"*"Do NOT run 'e2fsck -y'"* ]]
	[ "$(sha256sum < "$P")" = "$before" ]
	# nor does rescuectl fsck repair it: e2fsck -y would throw the moved files away
	run "$RESCUECTL" fsck --yes "$P"
	echo "$output"
	[ "$status" -eq 8 ]
	[[ "$output" == *"half moved"*"'rescuectl shrink-root --rollback $P' instead"* ]]
	[ "$(sha256sum < "$P")" = "$before" ]
	# nor does mount-root mount it read-write: the kernel and the chroot
	# would write into it and into the free space holding the log
	run "$RESCUECTL" mount-root --yes --no-fstab --no-bind --target "$W/mnt" "$P"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"half moved"*"'rescuectl shrink-root --rollback $P' first"*"--read-only"* ]]
	! mountpoint -q "$W/mnt"
	[ "$(sha256sum < "$P")" = "$before" ]
	run --separate-stderr "$RESCUECTL" shrink-root --rollback --dry-run --json "$P"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r .rollback.pending)" = true ]
	[ "$(echo "$output" | jq -r '[.steps[].kind] | join(" ")')" = "replay-undo forget-undo verify" ]
	[ "$(sha256sum < "$P")" = "$before" ]
	run "$RESCUECTL" shrink-root --rollback --yes "$P"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"blocks put back"* ]]
	run e2fsck -fn "$P"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	same_files
	[ "$(sfdisk -d "$L")" = "$(cat "$W/before.dump")" ]
	no_locator
	# again: nothing to do, nothing written
	before=$(sha256sum < "$P")
	run "$RESCUECTL" shrink-root --rollback --yes "$P"
	[ "$status" -eq 0 ]
	[[ "$output" == *"nothing to roll back"* ]]
	[ "$(sha256sum < "$P")" = "$before" ]
	run "$RESCUECTL" shrink-root --yes --size 400M "$P"
	echo "$output"
	[ "$status" -eq 0 ]
	check_shrunk
}

# kill_late K ARGS...: the root back to root.orig, then shrink-root ARGS
# --yes --size 400M killed as a whole session before write K to the root.
kill_late() {
	local k=$1
	shift
	dd if="$W/root.orig" of="$P" bs=1M conv=fsync 2>/dev/null
	"$BATS_TEST_DIRNAME/../crash/killat.sh" "$k" "$P" "$RESCUECTL" shrink-root --yes "$@" --size 400M "$P"
}

@test "an undo file instead of the log on the disk (--undo-file): the session killed inside resize2fs; a re-run without --undo-file and fsck --yes still refuse, naming --rollback, which applies the file; with the file gone it says nothing can be put back" {
	command -v strace >/dev/null || skip "needs strace"
	mkdisk gpt
	dd if="$P" of="$W/root.orig" bs=1M 2>/dev/null
	u=$W/u.e2undo
	run strace -f -qq -c -o "$W/count" -P "$P" -e trace=pwrite64 "$RESCUECTL" shrink-root --yes --undo-file "$u" --size 400M "$P"
	[ "$status" -eq 0 ]
	[ ! -e "$u" ]
	no_locator
	w=$(awk '$NF == "pwrite64" { print $4 }' "$W/count")
	sfdisk -q "$L" < "$W/before.dump"
	partx -u "$L"
	broken=
	for k in $((w * 19 / 20)) $((w * 9 / 10)) $((w * 17 / 20)) $((w * 4 / 5)); do
		rm -f "$u"
		run kill_late "$k" --undo-file "$u"
		[ "$status" -eq 0 ]
		e2fsck -fn "$P" > /dev/null 2>&1 || { broken=$k; break; }
	done
	[ -n "$broken" ]
	[ -s "$u" ]
	before=$(sha256sum < "$P")
	# the re-run does not name the file: the locator on the disk does
	run "$RESCUECTL" shrink-root --yes --size 400M "$P"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"while its undo file was $u"*"'rescuectl shrink-root --rollback $P'"* ]]
	run "$RESCUECTL" fsck --yes "$P"
	[ "$status" -eq 8 ]
	[ "$(sha256sum < "$P")" = "$before" ]
	# as after a reboot of the rescue system: the file is gone
	mv "$u" "$W/u.away"
	run "$RESCUECTL" shrink-root --rollback --dry-run "$P"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"$u that resize2fs wrote is gone"*"nothing can be put back"* ]]
	[[ "$output" != *"1. e2undo"* ]]
	[ "$(sha256sum < "$P")" = "$before" ]
	mv "$W/u.away" "$u"
	run "$RESCUECTL" shrink-root --rollback --yes "$P"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"e2undo $u $P"* ]]
	run e2fsck -fn "$P"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	same_files
	no_locator
	rm -f "$u"
	run "$RESCUECTL" shrink-root --yes --size 400M "$P"
	[ "$status" -eq 0 ]
	check_shrunk
}

@test "resize2fs fails (I/O errors) and putting its blocks back fails too: its log on the disk is not taken for a finished one; the re-run refuses naming --rollback, which puts every file back" {
	command -v strace >/dev/null || skip "needs strace"
	mkdisk gpt
	# from resize2fs's 60th fsync of the root on, every one fails (EIO):
	# it stops at the next block it saves, and its error path closes the
	# log; then rescuectl's second fdatasync of the root (its put-back's;
	# the first was the locator's) fails too
	run --separate-stderr strace -f -qq -o /dev/null -P "$P" -e trace=fsync,fdatasync \
		-e inject=fsync:error=EIO:when=60+ -e inject=fdatasync:error=EIO:when=2 \
		"$RESCUECTL" shrink-root --yes --size 400M "$P"
	echo "$output"; echo "$stderr"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"resize2fs stopped"*"putting back what it wrote from its undo log failed: cannot flush"*"'rescuectl shrink-root --rollback $P'"* ]]
	[[ "$stderr" != *"unknown error"* ]]
	before=$(sha256sum < "$P")
	run "$RESCUECTL" shrink-root --yes --size 400M "$P"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"stopped inside resize2fs"*"'rescuectl shrink-root --rollback $P'"* ]]
	[ "$(sha256sum < "$P")" = "$before" ]
	run "$RESCUECTL" shrink-root --rollback --yes "$P"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"blocks put back"* ]]
	run e2fsck -fn "$P"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	same_files
	[ "$(sfdisk -d "$L")" = "$(cat "$W/before.dump")" ]
	no_locator
}

@test "--rollback: usage errors with shrink options; a root with no undo log has nothing to roll back (exit 0, no byte changed)" {
	SMALL=1 mkdisk gpt
	run "$RESCUECTL" shrink-root --rollback --size 200M "$P"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--rollback takes no other shrink option"* ]]
	before=$(sha256sum < "$L")
	run "$RESCUECTL" shrink-root --rollback --yes "$P"
	[ "$status" -eq 0 ]
	[[ "$output" == *"nothing to roll back"* ]]
	[ "$(sha256sum < "$L")" = "$before" ]
}

@test "a re-run with the same --size is idempotent: exit 0, nothing shrunk, no byte changed; one stopped before growpart's step finishes it" {
	SMALL=1 mkdisk gpt
	run "$RESCUECTL" shrink-root --yes --size 200M "$P"
	[ "$status" -eq 0 ]
	after=$(sfdisk -d "$L")
	before=$(sha256sum < "$L")
	run --separate-stderr "$RESCUECTL" shrink-root --yes --json --size 200M "$P"
	echo "$output"; echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r .already)" = true ]
	[ "$(echo "$output" | jq -r '[.steps[].kind] | join(" ")')" = verify ]
	[[ "$stderr" == *"is 200 MiB already"*"nothing to shrink"* ]]
	[ "$(sha256sum < "$L")" = "$before" ]
	# as if the first run had been killed after its table write: growpart's
	# files are not there yet, and the re-run puts them there
	debugfs -w -R "rm /etc/growroot-disabled" "$P"
	run "$RESCUECTL" shrink-root --yes --size 200M "$P"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"stop growpart growing the root back"* ]]
	debugfs -R "stat /etc/growroot-disabled" "$P" 2>&1 | grep -q '^Inode:'
	[ "$(sfdisk -d "$L")" = "$after" ]
	e2fsck -fn "$P"
	# an undo file left by a resize2fs that finished is stale: refused, never to be applied
	uuid=$(blkid -s UUID -o value "$P")
	printf 'E2UNDO02' > "$HOME/shrink-root-$uuid.e2undo"
	run "$RESCUECTL" shrink-root --yes --size 200M "$P"
	[ "$status" -eq 3 ]
	[[ "$output" == *"it is stale"*"Remove it"* ]]
	rm "$HOME/shrink-root-$uuid.e2undo"
	# a size larger than the partition is a mistake, not "already done"
	run "$RESCUECTL" shrink-root --yes --size 1T "$P"
	[ "$status" -eq 2 ]
	[[ "$output" == *"nothing to shrink"* ]]
	# --free is relative: a re-run frees more, as asked (not idempotent by nature)
	run "$RESCUECTL" shrink-root --dry-run --free 20M "$P"
	[ "$status" -eq 0 ]
	[[ "$output" == *"200 MiB -> 180 MiB"* ]]
}
