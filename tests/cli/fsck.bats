#!/usr/bin/env bats
# rescuectl fsck on ext4 images corrupted with debugfs, xfs and btrfs images,
# mounted filesystems, missing checkers, md members.
load ../helpers
bats_require_minimum_version 1.5.0

setup() {
	T=$BATS_TEST_TMPDIR
	mkdir -p "$T/tree/etc" "$T/tree/srv"
	for i in $(seq 1 40); do echo "file $i" > "$T/tree/etc/f$i"; done
	mkdir -p "$T/tree/srv/dir"
	echo data > "$T/tree/srv/dir/x"
}

# mkcorrupt IMG DEBUGFS-CMD...: a fresh ext4 image, then each command with debugfs -w
mkcorrupt() {
	local img=$1
	shift
	mkext4 "$img" "$T/tree" 32M
	for c in "$@"; do
		debugfs -w -R "$c" "$img" >/dev/null 2>&1
	done
}

@test "fsck --yes repairs a cleared inode, wrong free counts, a removed entry and the error flag; e2fsck -fn is clean after" {
	img=$T/a.img
	mkcorrupt "$img" 'clri /etc/f3' 'ssv free_blocks_count 123' 'unlink /srv/dir' 'ssv state 2'
	run e2fsck -fn "$img"
	[ "$status" -eq 4 ]
	run "$RESCUECTL" fsck --yes "$img"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"state"*"not clean, errors recorded"* ]]
	[[ "$output" == *"Running: e2fsck -f -y $img"* ]]
	[[ "$output" == *"Result: 1 = errors corrected"* ]]
	# the superblock changes are listed: state, free blocks
	[[ "$output" == *"Superblock changes:"* ]]
	echo "$output" | grep -E '^state +not clean, errors recorded +clean'
	echo "$output" | grep -E '^free_blocks +123 '
	run e2fsck -fn "$img"
	[ "$status" -eq 0 ]
}

@test "each debugfs corruption alone is found by --check-only and fixed by --yes" {
	for c in 'clri /etc/f5' 'ssv free_blocks_count 7' 'unlink /etc/f9' 'ssv state 2' 'ssv free_inodes_count 3'; do
		img=$T/one.img
		mkcorrupt "$img" "$c"
		run "$RESCUECTL" fsck --check-only "$img"
		echo "$c: $output"
		e2fsck -fn "$T/one.img" >/dev/null 2>&1 && want=0 || want=$?
		[ "$status" -eq "$want" ]
		run "$RESCUECTL" fsck -y "$img"
		[ "$status" -eq 1 ] || [ "$status" -eq 0 ]
		run e2fsck -fn "$img"
		[ "$status" -eq 0 ]
	done
}

@test "default mode repairs what is safe (-p) and sends the rest to --yes" {
	img=$T/p.img
	mkcorrupt "$img" 'ssv free_blocks_count 11'
	run "$RESCUECTL" fsck "$img"
	echo "$output"
	[[ "$output" == *"Running: e2fsck -f -p $img"* ]]
	[ "$status" -eq 1 ]
	run e2fsck -fn "$img"
	[ "$status" -eq 0 ]
	mkcorrupt "$img" 'clri /etc/f3'
	run "$RESCUECTL" fsck "$img"
	[ "$status" -eq 1 ]
	run e2fsck -fn "$img"
	[ "$status" -eq 0 ]
	# an unattached inode is beyond -p
	mkcorrupt "$img" 'unlink /etc/f9'
	run "$RESCUECTL" fsck "$img"
	echo "$output"
	[ "$status" -eq 4 ]
	[[ "$output" == *"rescuectl fsck --yes $img"* ]]
}

@test "--check-only and -n change no byte of the image" {
	img=$T/c.img
	mkcorrupt "$img" 'clri /etc/f3' 'ssv free_blocks_count 123' 'ssv state 2'
	before=$(sha "$img")
	run "$RESCUECTL" fsck --check-only "$img"
	echo "$output"
	[ "$status" -eq 4 ]
	[[ "$output" == *"e2fsck -f -n"* ]]
	[[ "$output" == *"Nothing was changed"* ]]
	[ "$(sha "$img")" = "$before" ]
	run --separate-stderr "$RESCUECTL" fsck -n --json "$img"
	[ "$status" -eq 4 ]
	[ "$(sha "$img")" = "$before" ]
	run "$RESCUECTL" fsck --dry-run -v "$img"
	[ "$status" -eq 4 ]
	[ "$(sha "$img")" = "$before" ]
}

@test "a disk locked by another program (sfdisk --lock, a second rescuectl) is not repaired; --check-only shares a reader's lock" {
	command -v flock >/dev/null || skip "needs flock"
	img=$T/l.img
	mkcorrupt "$img" 'clri /etc/f3'
	before=$(sha "$img")
	flock -o "$img" sleep 30 &
	holder=$!
	sleep 0.3
	run "$RESCUECTL" fsck --yes "$img"
	echo "$output"
	[ "$status" -eq 8 ]
	[[ "$output" == *"locked by another program"* ]]
	[ "$(sha "$img")" = "$before" ]
	pkill -P $holder sleep || true
	wait $holder || true
	flock -s -o "$img" sleep 30 &
	holder=$!
	sleep 0.3
	run "$RESCUECTL" fsck --check-only "$img"
	[ "$status" -eq 4 ]
	pkill -P $holder sleep || true
	wait $holder || true
	run "$RESCUECTL" fsck --yes "$img"
	[ "$status" -eq 1 ]
	e2fsck -fn "$img"
}

@test "a journal that needs recovery is reported in the preflight; --yes replays it" {
	img=$T/j.img
	mkext4 "$img" "$T/tree" 32M
	debugfs -w -R 'feature needs_recovery' "$img" >/dev/null 2>&1
	before=$(sha "$img")
	run "$RESCUECTL" fsck -n "$img"
	echo "$output"
	[[ "$output" == *"journal"*"needs recovery"* ]]
	[[ "$output" == *"--check-only cannot do"* ]]
	[ "$(sha "$img")" = "$before" ]
	run --separate-stderr "$RESCUECTL" fsck --json -n "$img"
	[ "$(echo "$output" | jq .preflight.needs_recovery)" = true ]
	run "$RESCUECTL" fsck --yes "$img"
	echo "$output"
	[ "$status" -le 1 ]
	echo "$output" | grep -E '^needs_recovery +yes +no'
	run dumpe2fs -h "$img"
	[[ "$output" != *needs_recovery* ]]
	run e2fsck -fn "$img"
	[ "$status" -eq 0 ]
}

@test "recorded errors (first/last: time, function, inode, block) are shown from the superblock" {
	img=$T/e.img
	mkext4 "$img" "$T/tree" 32M
	for c in 'ssv state 3' 'ssv error_count 2' 'ssv first_error_time 20240102030405' \
		 'ssv first_error_func ext4_lookup' 'ssv first_error_ino 12' 'ssv first_error_block 345' \
		 'ssv first_error_line 1850' 'ssv last_error_time 20240103030405' 'ssv last_error_func ext4_iget' \
		 'ssv last_error_ino 13'; do
		debugfs -w -R "$c" "$img" >/dev/null 2>&1
	done
	run "$RESCUECTL" fsck -n "$img"
	echo "$output"
	[[ "$output" == *"errors recorded"* ]]
	echo "$output" | grep -E 'first error +2024-01-02 03:04:05 UTC, in ext4_lookup:1850, inode 12, block 345'
	echo "$output" | grep -E 'last error +2024-01-03 03:04:05 UTC, in ext4_iget:0, inode 13'
	run --separate-stderr "$RESCUECTL" fsck -n --json "$img"
	[ "$(echo "$output" | jq -r .preflight.first_error.function)" = ext4_lookup ]
	[ "$(echo "$output" | jq -r .preflight.first_error.inode)" = 12 ]
	[ "$(echo "$output" | jq -r .preflight.first_error.time)" = 2024-01-02T03:04:05Z ]
	[ "$(echo "$output" | jq -r .preflight.error_count)" = 2 ]
}

@test "--json: preflight, command, exit status and summary in one document" {
	img=$T/js.img
	mkcorrupt "$img" 'ssv free_blocks_count 5'
	run --separate-stderr "$RESCUECTL" fsck --yes --json "$img"
	[ "$status" -eq 1 ]
	echo "$output" | jq -e . >/dev/null
	[ "$(echo "$output" | jq -r .mode)" = repair-all ]
	[ "$(echo "$output" | jq -r .command)" = "e2fsck -f -y $img" ]
	[ "$(echo "$output" | jq -r .exit_status)" = 1 ]
	[ "$(echo "$output" | jq -r .summary)" = "errors corrected" ]
	[ "$(echo "$output" | jq -r '.status_flags[0]')" = corrected ]
	[ "$(echo "$output" | jq -r .preflight.free_blocks)" = 5 ]
	[ "$(echo "$output" | jq -r '.changes[] | select(.field=="free_blocks") | .before')" = 5 ]
	[ "$(echo "$output" | jq -r .checker.version)" = "$(e2fsck -V 2>&1 | sed -n 's/^e2fsck \([0-9.]*\).*/\1/p')" ]
	# exit 1 (corrected) is not an error
	[ "$(echo "$output" | jq -r .error)" = null ]
	# the checker's report went to stderr, not into the JSON on stdout
	[[ "$stderr" == *"FILE SYSTEM WAS MODIFIED"* ]]
	[[ "$output" != *"FILE SYSTEM WAS MODIFIED"* ]]
}

@test "a mounted filesystem is refused with exit 8, naming the mount point and umount-root; --check-only runs on a read-only mount" {
	need_loop
	img=$T/m.img
	mkext4 "$img" "$T/tree" 32M
	mount_tmp "$img" "$T/mnt" || skip "cannot loop-mount ext4 here"
	run "$RESCUECTL" fsck --yes "$img"
	echo "$output"
	[ "$status" -eq 8 ]
	[[ "$output" == *"mounted on $T/mnt"* ]]
	[[ "$output" == *"rescuectl umount-root"* ]]
	run "$RESCUECTL" fsck --check-only "$img"
	[ "$status" -eq 8 ]
	run --separate-stderr "$RESCUECTL" fsck --json -y "$img"
	[ "$status" -eq 8 ]
	[ "$(echo "$output" | jq -r .error.exit)" = 8 ]
	[ "$(echo "$output" | jq -r .mounted_on)" = "$T/mnt" ]
	# --root DIR names the device mounted there: refused the same way
	run "$RESCUECTL" fsck -y --root "$T/mnt"
	[ "$status" -eq 8 ]
	[[ "$output" == *"is mounted on $T/mnt"* ]]
	# through the loop device as well
	loopdev=$(awk -v m="$T/mnt" '$2==m {print $1}' /proc/self/mounts)
	run "$RESCUECTL" fsck -y "$loopdev"
	[ "$status" -eq 8 ]
	umount "$T/mnt"
	mount_tmp "$img" "$T/mnt" ro,noload
	before=$(sha "$img")
	run "$RESCUECTL" fsck --check-only "$img"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"mounted read-only"* ]]
	run "$RESCUECTL" fsck "$img"
	[ "$status" -eq 8 ]
	[ "$(sha "$img")" = "$before" ]
}

@test "no e2fsck installed: the bundled one runs; --checker system names the package (exit 8); no xfs_repair: exit 8" {
	img=$T/n.img
	mkcorrupt "$img" 'ssv free_blocks_count 5'
	mkdir -p "$T/bin"
	run env RESCUECTL_NO_SBIN=1 PATH="$T/bin" "$RESCUECTL" fsck -y "$img"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"Checker: e2fsck 1.47.0 (bundled; the rescue system has none)"* ]]
	[[ "$output" == *"Running: e2fsck -f -y $img"* ]]
	[[ "$output" == *"FILE SYSTEM WAS MODIFIED"* ]]
	run e2fsck -fn "$img"
	[ "$status" -eq 0 ]
	run --separate-stderr env RESCUECTL_NO_SBIN=1 PATH="$T/bin" "$RESCUECTL" fsck --json -n "$img"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r .checker.bundled)" = true ]
	[ "$(echo "$output" | jq -r .checker.version)" = 1.47.0 ]
	[ "$(echo "$output" | jq -r .checker.why)" = "the rescue system has none" ]
	[ "$(echo "$output" | jq -r .checker.system_version)" = null ]
	[ "$(echo "$output" | jq -r .command)" = "e2fsck -f -n $img" ]
	# the rescue system's e2fsck, when asked for, must be there
	run env RESCUECTL_NO_SBIN=1 PATH="$T/bin" "$RESCUECTL" fsck -y --checker system "$img"
	echo "$output"
	[ "$status" -eq 8 ]
	[[ "$output" == *"e2fsck not found"*"e2fsprogs"* ]]
	[[ "$output" == *"apt-get install e2fsprogs"* || "$output" == *"apk add e2fsprogs"* ]]
	# a checker that is present on PATH is used
	cp "$(command -v e2fsck)" "$T/bin/"
	run env RESCUECTL_NO_SBIN=1 PATH="$T/bin" "$RESCUECTL" fsck -y "$img"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Checker: e2fsck 1.47.0 (the rescue system's $T/bin/e2fsck)"* ]]
	[[ "$output" == *"Running: e2fsck"* ]]
	# xfs too
	command -v mkfs.xfs >/dev/null || skip "no mkfs.xfs"
	truncate -s 300M "$T/x.img"
	mkfs.xfs -q "$T/x.img"
	run env RESCUECTL_NO_SBIN=1 PATH="$T/bin" "$RESCUECTL" fsck "$T/x.img"
	[ "$status" -eq 8 ]
	[[ "$output" == *"xfs_repair not found"*"xfsprogs"* ]]
}

@test "an e2fsck too old for the filesystem's features is not run: the bundled one is; --checker system refuses before it runs" {
	img=$T/o.img
	mke2fs -q -F -t ext4 -O orphan_file,metadata_csum "$img" 32M
	# a stand-in e2fsck that reports 1.46.5 and would leave a mark if run
	mkdir -p "$T/bin"
	cat > "$T/bin/e2fsck" <<EOF
#!/bin/sh
if [ "\$1" = -V ]; then echo "e2fsck 1.46.5 (30-Dec-2021)" >&2; echo "	Using EXT2FS Library version 1.46.5, 30-Dec-2021" >&2; exit 0; fi
touch "$T/ran"
exit 0
EOF
	chmod +x "$T/bin/e2fsck"
	run env RESCUECTL_NO_SBIN=1 PATH="$T/bin:/usr/bin:/bin" "$RESCUECTL" fsck -y "$img"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Checker: e2fsck 1.47.0 (bundled; the rescue system's e2fsck 1.46.5 is too old for orphan_file)"* ]]
	[ ! -e "$T/ran" ]
	run --separate-stderr env RESCUECTL_NO_SBIN=1 PATH="$T/bin:/usr/bin:/bin" "$RESCUECTL" fsck --json -y "$img"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r .checker.bundled)" = true ]
	[ "$(echo "$output" | jq -r .checker.system_version)" = 1.46.5 ]
	[ "$(echo "$output" | jq -r '.preflight.features_unknown_to_e2fsck | length')" = 0 ]
	[ ! -e "$T/ran" ]
	# forced: the old refusal, before it runs
	run env RESCUECTL_NO_SBIN=1 PATH="$T/bin:/usr/bin:/bin" "$RESCUECTL" fsck -y --checker system "$img"
	echo "$output"
	[ "$status" -eq 8 ]
	[[ "$output" == *"e2fsck 1.46.5 does not know"*"orphan_file (e2fsprogs 1.47.0)"* ]]
	[[ "$output" == *"Run without --checker system to use rescuectl's own e2fsck 1.47.0"* ]]
	[ ! -e "$T/ran" ]
	run --separate-stderr env RESCUECTL_NO_SBIN=1 PATH="$T/bin:/usr/bin:/bin" "$RESCUECTL" fsck --json -y --checker system "$img"
	[ "$status" -eq 8 ]
	[ "$(echo "$output" | jq -r '.preflight.features_unknown_to_e2fsck[0].feature')" = orphan_file ]
	[ "$(echo "$output" | jq -r '.preflight.features_unknown_to_e2fsck[0].needs_e2fsck')" = 1.47.0 ]
	[ ! -e "$T/ran" ]
	# the real one (1.47) runs
	run "$RESCUECTL" fsck -y "$img"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Checker: e2fsck 1.47.0 (the rescue system's "* ]]
}

@test "an e2fsck 1.42 on the rescue system: the bundled one checks metadata_csum_seed and orphan_file as e2fsck 1.47 does; the old one keeps an old filesystem" {
	mkdir -p "$T/bin"
	# says 1.42.9; otherwise the real e2fsck, and a mark that it ran
	cat > "$T/bin/e2fsck" <<EOF
#!/bin/sh
if [ "\$1" = -V ]; then echo "e2fsck 1.42.9 (28-Dec-2013)" >&2; echo "	Using EXT2FS Library version 1.42.9, 28-Dec-2013" >&2; exit 0; fi
touch "$T/ran"
exec $(command -v e2fsck) "\$@"
EOF
	chmod +x "$T/bin/e2fsck"
	img=$T/new.img
	mke2fs -q -F -t ext4 -O metadata_csum_seed,orphan_file -d "$T/tree" "$img" 32M
	for c in 'clri /etc/f3' 'ssv free_blocks_count 77' 'ssv state 2'; do debugfs -w -R "$c" "$img" >/dev/null 2>&1; done
	cp "$img" "$T/ref.img"
	e2fsck -fy "$T/ref.img" >/dev/null 2>&1 && want=0 || want=$?
	[ "$want" -eq 1 ]
	run env RESCUECTL_NO_SBIN=1 PATH="$T/bin:/usr/bin:/bin" "$RESCUECTL" fsck -y "$img"
	echo "$output"
	[[ "$output" == *"Checker: e2fsck 1.47.0 (bundled; the rescue system's e2fsck 1.42.9 is too old for orphan_file, metadata_csum_seed, metadata_csum)"* ]]
	[ "$status" -eq "$want" ]
	[ ! -e "$T/ran" ]
	run e2fsck -fn "$img"
	[ "$status" -eq 0 ]
	# an ext3 without newer features: the rescue system's 1.42 is new enough and runs
	mke2fs -q -F -t ext3 -d "$T/tree" "$T/old.img" 32M
	run env RESCUECTL_NO_SBIN=1 PATH="$T/bin:/usr/bin:/bin" "$RESCUECTL" fsck -y "$T/old.img"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Checker: e2fsck 1.42.9 (the rescue system's $T/bin/e2fsck)"* ]]
	[ -e "$T/ran" ]
}

@test "a damaged primary superblock is reported with the valid backups; --superblock uses one" {
	img=$T/s.img
	mke2fs -q -F -t ext4 -b 1024 -d "$T/tree" "$img" 32M
	dd if=/dev/zero of="$img" bs=1024 seek=1 count=1 conv=notrunc status=none
	run "$RESCUECTL" fsck -n "$img"
	echo "$output"
	[[ "$output" == *"from a backup"* ]]
	[[ "$output" == *"primary superblock of $img is damaged"* ]]
	[[ "$output" == *"8193, 24577"* ]]
	[[ "$output" == *"--superblock 8193 --block-size 1024"* ]]
	run --separate-stderr "$RESCUECTL" fsck --json -n "$img"
	[ "$(echo "$output" | jq -r .preflight.primary_superblock_ok)" = false ]
	[ "$(echo "$output" | jq -r '.preflight.backup_superblocks[0]')" = 8193 ]
	[ "$(echo "$output" | jq -r '.preflight.backup_superblocks | length')" = "$(truncate -s 32M "$T/dummy"; mke2fs -n -F -t ext4 -b 1024 "$T/dummy" 2>/dev/null | sed -n '/Superblock backups/{n;p}' | tr ',' '\n' | grep -c .)" ]
	run "$RESCUECTL" fsck -y --superblock 24577 "$img"
	echo "$output"
	[[ "$output" == *"e2fsck -f -y -b 24577 -B 1024 $img"* ]]
	[ "$status" -eq 1 ]
	run e2fsck -fn "$img"
	[ "$status" -eq 0 ]
}

@test "nothing recognisable on the device: exit 8; --superblock with a wrong place: exit 8" {
	truncate -s 8M "$T/z.img"
	run "$RESCUECTL" fsck "$T/z.img"
	[ "$status" -eq 8 ]
	[[ "$output" == *"no filesystem found"* ]]
	mkext4 "$T/g.img" "$T/tree" 32M
	run "$RESCUECTL" fsck -n --superblock 12345 "$T/g.img"
	[ "$status" -eq 8 ]
	[[ "$output" == *"no ext2/3/4 superblock at block 12345"* ]]
}

@test "usage errors exit 16 (fsck(8)), also in JSON" {
	run "$RESCUECTL" fsck --no-such-option
	[ "$status" -eq 16 ]
	run --separate-stderr "$RESCUECTL" fsck --json --bogus
	[ "$status" -eq 16 ]
	[ "$(echo "$output" | jq -r .error.exit)" = 16 ]
	run "$RESCUECTL" fsck a b
	[ "$status" -eq 16 ]
	run "$RESCUECTL" fsck --superblock x "$T/none"
	[ "$status" -eq 16 ]
	mkext4 "$T/u.img" "$T/tree" 32M
	run "$RESCUECTL" fsck --repair "$T/u.img"
	[ "$status" -eq 16 ]
	[[ "$output" == *"--repair is for btrfs only"* ]]
	# --quiet: nothing on stdout, the status says it
	mkcorrupt "$T/q.img" 'ssv free_blocks_count 5' 'clri /etc/f2'
	run --separate-stderr "$RESCUECTL" fsck -q -y "$T/q.img"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	run "$RESCUECTL" fsck --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"-n/--dry-run is the same as --check-only"* ]]
	[[ "$output" == *"8    operational error; also every refusal"* ]]
}

@test "xfs: xfs_repair -n for --check-only (no byte changes), xfs_repair -e to repair" {
	command -v mkfs.xfs >/dev/null && command -v xfs_repair >/dev/null || skip "no xfsprogs"
	img=$T/x.img
	truncate -s 300M "$img"
	mkfs.xfs -q "$img"
	before=$(sha "$img")
	run "$RESCUECTL" fsck --check-only "$img"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Running: xfs_repair -n $img"* ]]
	[ "$(sha "$img")" = "$before" ]
	run --separate-stderr "$RESCUECTL" fsck --json -y "$img"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r .command)" = "xfs_repair -e $img" ]
	[ "$(echo "$output" | jq -r .fstype)" = xfs ]
	# damage: zero the AGF of AG 1; -n finds it (4), the repair fixes it (1), then clean
	agblocks=$(xfs_db -r -c 'sb 0' -c 'p agblocks' "$img" | awk '{print $3}')
	bsize=$(xfs_db -r -c 'sb 0' -c 'p blocksize' "$img" | awk '{print $3}')
	sect=$(xfs_db -r -c 'sb 0' -c 'p sectsize' "$img" | awk '{print $3}')
	dd if=/dev/zero of="$img" bs="$sect" seek=$(( agblocks * bsize / sect + 1 )) count=1 conv=notrunc status=none
	run "$RESCUECTL" fsck -n "$img"
	[ "$status" -eq 4 ]
	run "$RESCUECTL" fsck "$img"
	echo "$output"
	[ "$status" -eq 1 ]
	run xfs_repair -n "$img"
	[ "$status" -eq 0 ]
}

@test "btrfs: read-only check by default; --repair asks first and warns" {
	command -v mkfs.btrfs >/dev/null && command -v btrfs >/dev/null || skip "no btrfs-progs"
	img=$T/b.img
	truncate -s 300M "$img"
	mkfs.btrfs -q "$img" >/dev/null
	before=$(sha "$img")
	run "$RESCUECTL" fsck -y "$img"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Running: btrfs check --readonly $img"* ]]
	[ "$(sha "$img")" = "$before" ]
	run "$RESCUECTL" fsck --repair "$img" </dev/null
	echo "$output"
	[ "$status" -eq 8 ]
	[[ "$output" == *"last resort"* ]]
	[ "$(sha "$img")" = "$before" ]
}

@test "an md member is refused with the mdadm hint; an assembled array's member names the array" {
	img=$T/member.img
	truncate -s 8M "$img"
	mkmdsb "$img" 0 00112233445566778899aabbccddeeff server1:0
	run "$RESCUECTL" fsck -y "$img"
	echo "$output"
	[ "$status" -eq 8 ]
	[[ "$output" == *"member of an md RAID array"*"mdadm --assemble --scan"* ]]
	# a fake sysfs where the array is assembled as md127 holding sdb1
	sr=$T/sysroot
	mkdir -p "$sr/dev" "$sr/sys/class/block/sdb1/holders/md127" "$sr/sys/class/block/md127/slaves/sdb1" \
		 "$sr/sys/class/block/md127/md"
	echo 8:17 > "$sr/sys/class/block/sdb1/dev"
	echo 1 > "$sr/sys/class/block/sdb1/partition"
	echo 9:127 > "$sr/sys/class/block/md127/dev"
	echo raid1 > "$sr/sys/class/block/md127/md/level"
	cp "$img" "$sr/dev/sdb1"
	mkext4 "$sr/dev/md127" "$T/tree" 32M
	run env RESCUECTL_SYSROOT="$sr" "$RESCUECTL" fsck -y "$sr/dev/sdb1"
	echo "$output"
	[ "$status" -eq 8 ]
	[[ "$output" == *"member of the md array $sr/dev/md127"*"rescuectl fsck $sr/dev/md127"* ]]
	run env RESCUECTL_SYSROOT="$sr" "$RESCUECTL" fsck -y "$sr/dev/md127"
	[ "$status" -eq 0 ]
}

@test "--verbose passes -v through; not on a terminal there is no progress bar" {
	mkext4 "$T/v.img" "$T/tree" 32M
	run "$RESCUECTL" fsck -n -v "$T/v.img"
	[[ "$output" == *"e2fsck -f -n -v $T/v.img"* ]]
	[[ "$output" != *"-C 0"* ]]
	command -v script >/dev/null || skip "no script(1) for a terminal"
	run script -qec "$RESCUECTL fsck -n $T/v.img" /dev/null
	[[ "$output" == *"e2fsck -f -n -C 0 $T/v.img"* ]]
}

# fakeblk SYSROOT NAME MAJ:MIN SECTORS [partition]: a /sys/class/block entry
fakeblk() {
	mkdir -p "$1/sys/class/block/$2" "$1/dev"
	echo "$3" > "$1/sys/class/block/$2/dev"
	echo "$4" > "$1/sys/class/block/$2/size"
	[ -z "${5:-}" ] || echo 1 > "$1/sys/class/block/$2/partition"
}

@test "without DEVICE the installed root is found as detect-root finds it (here on md127), never a member" {
	sr=$T/sysroot
	fakeblk "$sr" md127 9:127 131072
	mkdir -p "$sr/sys/class/block/md127/md"
	echo raid1 > "$sr/sys/class/block/md127/md/level"
	"$FIX/mkroot.sh" "$T/root" debian12 >/dev/null
	mke2fs -q -F -t ext4 -d "$T/root" "$sr/dev/md127" 64M
	debugfs -w -R 'ssv free_blocks_count 17' "$sr/dev/md127" >/dev/null 2>&1
	fakeblk "$sr" sdb1 8:17 16384 partition
	truncate -s 8M "$sr/dev/sdb1"
	mkmdsb "$sr/dev/sdb1" 0 00112233445566778899aabbccddeeff server1:0
	member=$(sha "$sr/dev/sdb1")
	run env RESCUECTL_SYSROOT="$sr" "$RESCUECTL" fsck -y
	echo "$output"
	[[ "$output" == *"Installed root: $sr/dev/md127"* ]]
	[[ "$output" == *"Running: e2fsck -f -y $sr/dev/md127"* ]]
	[ "$status" -le 1 ]
	run e2fsck -fn "$sr/dev/md127"
	[ "$status" -eq 0 ]
	[ "$(sha "$sr/dev/sdb1")" = "$member" ]
	# the array not assembled: only its member is there
	rm -rf "$sr/sys/class/block/md127" "$sr/dev/md127"
	run env RESCUECTL_SYSROOT="$sr" "$RESCUECTL" fsck -y
	echo "$output"
	[ "$status" -eq 8 ]
	[[ "$output" == *"no array is assembled"*"mdadm --assemble --scan"* ]]
	[ "$(sha "$sr/dev/sdb1")" = "$member" ]
}

@test "Ctrl-C while the checker runs: the checker is cancelled, rescuectl stays to report it (exit 32)" {
	img=$T/c.img
	mkext4 "$img" "$T/tree" 32M
	mkdir -p "$T/bin"
	cat > "$T/bin/e2fsck" <<EOF
#!/bin/sh
if [ "\$1" = -V ]; then echo "e2fsck 1.47.0 (5-Feb-2023)" >&2; echo "	Using EXT2FS Library version 1.47.0, 5-Feb-2023" >&2; exit 0; fi
trap 'echo "e2fsck: cancelled" >&2; exit 32' INT
touch "$T/started"
while :; do sleep 0.1; done
EOF
	chmod +x "$T/bin/e2fsck"
	# its own process group, as a terminal's foreground job: ^C reaches all
	# of it (and SIGINT at its default: bash ignores it in background jobs)
	setsid perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV or die' env RESCUECTL_NO_SBIN=1 PATH="$T/bin:/usr/bin:/bin" "$RESCUECTL" fsck -y "$img" >"$T/out" 2>&1 &
	pid=$!
	for i in $(seq 100); do [ -e "$T/started" ] && break; sleep 0.05; done
	[ -e "$T/started" ] || { kill -KILL -- "-$pid"; false; }
	kill -INT -- "-$pid"
	st=0
	wait "$pid" || st=$?
	cat "$T/out"
	[ "$st" -eq 32 ]
	grep -q "cancelled" "$T/out"
}

@test "a rescue system without e2fsprogs (hidden in a mount namespace): the bundled e2fsck repairs as e2fsck does and writes no file in /tmp, /dev/shm or the binary's directory" {
	need_root
	command -v unshare >/dev/null || skip "needs unshare"
	img=$T/d.img
	mkcorrupt "$img" 'clri /etc/f3' 'ssv free_blocks_count 123' 'unlink /srv/dir' 'ssv state 2'
	cp "$img" "$T/ref.img"
	e2fsck -fy "$T/ref.img" >/dev/null 2>&1 && want=0 || want=$?
	mkdir -p "$T/bin"
	cp "$RESCUECTL" "$T/bin/rescuectl"
	# inside: /tmp and /dev/shm are fresh (all but $T), so anything new shows
	cat > "$T/inside.sh" <<'EOF'
snap() { find /tmp /dev/shm -xdev | sort; stat -c '%n %s %Y' /tmp /dev/shm "$1" "$1"/*; }
snap "$1" > "$1/../before"
"$1/rescuectl" fsck -y "$2"; st=$?
snap "$1" > "$1/../after"
exit $st
EOF
	run "$FIX/no-e2fsprogs.sh" --fresh-tmp "$T" sh "$T/inside.sh" "$T/bin" "$img"
	echo "$output"
	[ "$status" -eq "$want" ]
	[[ "$output" == *"Checker: e2fsck 1.47.0 (bundled; the rescue system has none)"* ]]
	[[ "$output" == *"Running: e2fsck -f -y $img"* ]]
	diff "$T/before" "$T/after"
	grep -q "^/tmp$" "$T/after"
	[ "$(ls "$T/bin")" = rescuectl ]
	run e2fsck -fn "$img"
	[ "$status" -eq 0 ]
	# a checker rescuectl does not carry is still named with its package
	command -v mkfs.xfs >/dev/null || skip "no mkfs.xfs"
	truncate -s 300M "$T/x.img"
	mkfs.xfs -q "$T/x.img"
	run "$RESCUECTL" fsck --checker bundled "$T/x.img"
	[ "$status" -eq 16 ]
	[[ "$output" == *"carries e2fsck only"*"xfs_repair (xfsprogs package)"* ]]
}

@test "the bundled e2fsck: progress (-C 0) on a terminal, and Ctrl-C cancels it (exit 32)" {
	command -v script >/dev/null || skip "no script(1) for a terminal"
	# no uninit_bg: e2fsck reads every inode table, long enough to be caught
	img=$T/big.img
	truncate -s 32G "$img"
	mke2fs -q -F -t ext4 -O ^metadata_csum,^uninit_bg -N 8000000 "$img"
	run script -qec "$RESCUECTL fsck -n --checker bundled $img" /dev/null
	echo "$output" | tr '\r' '\n' | tail -5
	[ "$status" -eq 0 ]
	[[ "$output" == *"Checker: e2fsck 1.47.0 (bundled, as asked)"* ]]
	[[ "$output" == *"Running: e2fsck -f -n -C 0 $img"* ]]
	[[ "$output" == *"$img: |="* ]]
	# ^C: its own process group, as a terminal's foreground job. The bundled
	# e2fsck is caught and held still (SIGSTOP) while ^C reaches the whole
	# group. Caught too late (it had finished, or was past its last check
	# for a cancel), it exits 0: then try again, 3 times in all
	st=
	for attempt in 1 2 3; do
		setsid perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV or die' "$RESCUECTL" fsck -n --checker bundled "$img" >"$T/out" 2>&1 &
		pid=$!
		child=
		for i in $(seq 500); do child=$(pgrep -g "$pid" -x e2fsck) && break; sleep 0.01; done
		if [ -n "$child" ] && kill -STOP "$child" 2>/dev/null; then
			# ps shows it as e2fsck, with its arguments
			args=$(ps -o args= -p "$child")
			kill -INT -- "-$pid"
			kill -CONT "$child"
		fi
		st=0
		wait "$pid" || st=$?
		echo "attempt $attempt: exit $st; ps: ${args:-}"
		[ "$st" -ne 32 ] || break
	done
	cat "$T/out"
	[ "$args" = "e2fsck -f -n $img" ]
	[ "$st" -eq 32 ]
	grep -q "e2fsck canceled" "$T/out"
	grep -q "Result: 32 = cancelled by request" "$T/out"
}
