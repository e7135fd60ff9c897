# shrink-root on a real md RAID1 (metadata 1.2) and a real LVM logical
# volume in the rescue VM (sourced after lib.sh, std.sh and the layout):
# every file reads back identical (sha256 before and after), e2fsck -fn is
# clean, the filesystem fills the shrunk array or LV exactly, mdadm/lvs
# report the new size, the array is not degraded and a check pass finds
# mismatch_cnt 0, and all of it holds after the array or VG is stopped and
# brought up again. Also: a failing mdadm is undone (the filesystem grown
# back), and metadata 1.0 is refused without a sector written. The md
# array has an internal write-intent bitmap, the LV's md array has none.

# json_doc NAME: the last run's JSON stdout to the host (a "JSON NAME EXIT
# {...}" line), which validates it against doc/schema/shrink-root.schema.json.
json_doc() { say "JSON $1 $RC $(printf '%s' "$OUT" | jq -c .)"; }

# sums DEV FILE: sha256 of every file on DEV, sorted by name.
sums() {
	ro_mount "$1" || { echo "cannot mount $1" > "$2"; return 1; }
	(cd /ro && find . -xdev -type f -exec sha256sum {} + | sort -k2) > "$2"
	ro_umount
}

# fill DEV: 8 top-level directories with a 6 MiB random file and 20 small
# ones each. A filler (allocated, never written: fallocate) takes the low
# blocks first and is removed at the end, so the files lie near the end of
# the filesystem and resize2fs must move them.
fill() {
	local i j free
	mkdir -p /mnt
	mount -t ext4 "$1" /mnt || return 1
	free=$(df -Pk /mnt | awk 'NR == 2 { print $4 }')
	mkdir /mnt/filler
	# in 4 MiB pieces: one big file may be placed high by ext4's allocator
	for j in $(seq 1 $(((free - 60 * 1024) / 4096))); do
		fallocate -l 4M /mnt/filler/$j || dd if=/dev/zero of=/mnt/filler/$j bs=1M count=4 2> /dev/null
	done
	for i in 1 2 3 4 5 6 7 8; do
		mkdir -p /mnt/d$i
		dd if=/dev/urandom of=/mnt/d$i/big bs=1M count=6 2> /dev/null
		for j in $(seq 1 20); do head -c $((j * 997)) /dev/urandom > /mnt/d$i/s$j; done
	done
	rm -r /mnt/filler
	umount /mnt
}

# past_end NAME DEV BYTES: some file data lies at or past BYTES (so the
# shrink had to move it; the test is not vacuous).
past_end() {
	local bs i b n=0 all=
	bs=$(dumpe2fs -h "$2" 2> /dev/null | awk -F: '/^Block size/ { print $2 + 0 }')
	for i in 1 2 3 4 5 6 7 8; do
		# the block 1000 KiB into the file (1000 of 1 KiB, 250 of 4 KiB)
		b=$(debugfs -R "bmap /d$i/big $((1024000 / bs))" "$2" 2> /dev/null | tail -n 1)
		all="$all $b"
		case $b in '' | *[!0-9]*) continue ;; esac
		[ $((b * bs)) -ge "$3" ] && n=$((n + 1))
	done
	if [ "$n" -gt 0 ]; then ok "$1 ($n of 8 big files have data past it)"; else notok "$1"; diag "no big file past $3 (block size $bs; blocks:$all)"; fi
}

# The filesystem's size in bytes (superblock), and the device's.
fs_bytes() { dumpe2fs -h "$1" 2> /dev/null | awk -F: '/^Block count/ { c = $2 } /^Block size/ { b = $2 } END { print c * b }'; }
dev_bytes() { blockdev --getsize64 "$1"; }

# files_same NAME DEV: the files on DEV are those of /tmp/sums.before.
files_same() {
	sums "$2" /tmp/sums.now
	# files the run is meant to add (SUMS_ADDED, an ERE) are not compared
	if [ -n "$SUMS_ADDED" ]; then grep -v -E "$SUMS_ADDED" /tmp/sums.now > /tmp/sums.f; mv /tmp/sums.f /tmp/sums.now; fi
	if cmp -s /tmp/sums.before /tmp/sums.now && [ "$(wc -l < /tmp/sums.now)" -gt 100 ]; then
		ok "$1 ($(wc -l < /tmp/sums.now) files)"
	else
		notok "$1"
		diag "$(diff /tmp/sums.before /tmp/sums.now | head -n 20)" "files: $(wc -l < /tmp/sums.now)"
	fi
}

md_state_ok() {
	local md=${1#/dev/}
	is "$2: $1 not degraded" "$(cat /sys/block/$md/md/degraded)" 0
	is "$2: $1 has 2 in_sync members" "$(cat /sys/block/$md/md/dev-*/state | grep -c in_sync)" 2
	has_state=$(mdadm --detail "$1" | awk -F' : ' '/ State :/ { print $2 }' | tr -d ' ')
	case $has_state in
	clean | active) ok "$2: mdadm --detail State is $has_state" ;;
	*) notok "$2: mdadm --detail State is '$has_state'" ;;
	esac
}

# A stub mdadm that fails --grow: the plan stops there and undoes resize2fs.
md_undo_test() {
	local old=$1 real
	real=$(command -v mdadm)
	mkdir -p /tmp/stub
	printf '#!/bin/sh\ncase "$*" in *--grow*) echo "mdadm: stub failure" >&2; exit 1 ;; esac\nexec %s "$@"\n' "$real" > /tmp/stub/mdadm
	chmod 755 /tmp/stub/mdadm
	run env PATH=/tmp/stub:$PATH rescuectl shrink-root --yes --json --free 64M "$ROOT"
	rc_is "md: mdadm --grow fails: shrink-root fails" 1
	json_doc md-grow-fails
	jqt "md: the failure names step 3 (mdadm --grow) and undid resize2fs (2); no member step ran" \
		'.error.step == 3 and (.error.undone | any(. == 2)) and ([.steps[0:3][].status] == ["done","undone","failed"]) and all(.steps[3:][]; .status == "todo")'
	is "md: after the undo the filesystem fills the array again" "$(fs_bytes "$ROOT")" "$old"
	is "md: the array kept its size" "$(dev_bytes "$ROOT")" "$old"
	check "md: e2fsck -fn clean after the undo" e2fsck -f -n "$ROOT"
	files_same "md: files identical after the undo" "$ROOT"
}

# A stub mdadm whose --examine fails: the member-size step (4) fails after
# its sysfs writes; they, mdadm --grow and resize2fs are undone, newest
# first, and no table is touched.
md_member_undo_test() {
	local old=$1 real m w0 w1
	real=$(command -v mdadm)
	mkdir -p /tmp/stub2
	printf '#!/bin/sh\ncase "$*" in *--examine*) echo "mdadm: stub failure" >&2; exit 1 ;; esac\nexec %s "$@"\n' "$real" > /tmp/stub2/mdadm
	chmod 755 /tmp/stub2/mdadm
	w0=$(writes_of /dev/sda) w1=$(writes_of /dev/sdb)
	run env PATH=/tmp/stub2:$PATH rescuectl shrink-root --yes --json --free 64M --backup /tmp/undo-tab "$ROOT"
	rc_is "md: member sizes fail (mdadm --examine): shrink-root fails" 1
	json_doc md-member-size-fails
	jqt "md: the undo ran newest first (4, then 3, then 2)" \
		'[.warnings[] | select(startswith("undoing step")) | capture("undoing step (?<n>[0-9]+)").n] == ["4","3","2"]'
	jqt "md: the failure names step 4 (member sizes); 4, 3 and 2 undone; no table step ran" \
		'.error.step == 4 and .error.undone == [2,3,4] and ([.steps[0:4][].status] == ["done","undone","undone","undone"]) and all(.steps[4:][]; .status == "todo")'
	is "md: after the undo the array kept its size" "$(dev_bytes "$ROOT")" "$old"
	is "md: after the undo the filesystem fills the array" "$(fs_bytes "$ROOT")" "$old"
	for m in sda3 sdb3; do
		is "md: after the undo $m's Avail Dev Size is its whole partition again" \
			"$(mdadm --examine /dev/$m | awk -F' : ' '/Avail Dev Size/ { print $2 + 0 }')" \
			$(($(blockdev --getsz /dev/$m) - $(cat /sys/block/${ROOT#/dev/}/md/dev-$m/offset)))
	done
	is "md: no table backup was written" "$(ls /tmp/undo-tab-* 2> /dev/null)" ""
	check "md: e2fsck -fn clean after the member undo" e2fsck -f -n "$ROOT"
	files_same "md: files identical after the member undo" "$ROOT"
	md_state_ok "$ROOT" "md: after the member undo"
}

shrink_md_test() {
	local old new md w0 w1
	check "assemble" rescuectl detect-root --assemble
	resolve
	md=${ROOT#/dev/}
	is "root array has metadata 1.2" "$(cat /sys/block/$md/md/metadata_version)" 1.2
	# as mdadm makes large arrays by default (and as a real server has it)
	check "md: add an internal write-intent bitmap" mdadm --grow "$ROOT" --bitmap=internal
	is "md: the bitmap is internal" "$(cat /sys/block/$md/md/bitmap/location)" +8
	old=$(dev_bytes "$ROOT")
	is "before: the filesystem fills $ROOT" "$(fs_bytes "$ROOT")" "$old"
	check "md: 48 MiB of files written to the root" fill "$ROOT"
	sums "$ROOT" /tmp/sums.before
	w0=$(writes_of /dev/sda3) w1=$(writes_of "$ROOT") w2=$(writes_of /dev/sdb3) w3=$(writes_of /dev/sda) w4=$(writes_of /dev/sdb)
	run rescuectl shrink-root --dry-run --json --free 64M "$ROOT"
	rc_is "md: --dry-run --json" 0
	json_doc md-dry
	jqt "md: the plan: e2fsck, resize2fs, mdadm --grow, member sizes, per disk save/shrink/write/tell, growpart, verify" \
		'[.steps[].kind | select(. != "growpart")] == ["fsck","resize-fs","shrink-array","member-size","save-table","shrink-partition","write-table","tell-kernel","save-table","shrink-partition","write-table","tell-kernel","verify"] and .steps[-2].kind == "growpart" and .growpart == "would disable" and .volume.kind == "md" and .volume.metadata == "1.2" and .volume.level == "raid1"'
	new=$(printf '%s' "$OUT" | jq -r .volume.bytes_after)
	jqt "md: 64 MiB freed, members with a data offset" \
		".volume.bytes_before == $old and .freed_bytes == 67108864 and (.volume.members | length) == 2 and all(.volume.members[]; .data_offset > 0)"
	jqt "md: each member partition planned at data offset + the array's size, aligned to 1 MiB, smaller than now" \
		"all(.volume.members[]; .bytes_after >= .data_offset * 512 + $new and .bytes_after < .data_offset * 512 + $new + 1048576 and .bytes_after < .bytes_before and ((.start * 512 + .bytes_after) % 1048576) == 0)"
	printf '%s' "$OUT" | jq -r '.volume.members[] | "\(.name) \(.bytes_before) \(.bytes_after)"' > /tmp/members.plan
	is "md: the dry run wrote nothing to $ROOT" "$(writes_of "$ROOT")" "$w1"
	is "md: the dry run wrote nothing to sda3" "$(writes_of /dev/sda3)" "$w0"
	is "md: the dry run wrote nothing to sdb3" "$(writes_of /dev/sdb3)" "$w2"
	is "md: the dry run wrote nothing to sda" "$(writes_of /dev/sda)" "$w3"
	is "md: the dry run wrote nothing to sdb" "$(writes_of /dev/sdb)" "$w4"
	past_end "md: file data lies past the new end before the shrink" "$ROOT" "$new"
	md_undo_test "$old"
	md_member_undo_test "$old"
	run rescuectl shrink-root --yes --free 64M --backup /tmp/mdtab "$ROOT"
	rc_is "md: shrink-root --free 64M $ROOT" 0
	has "md: says each member partition is shrunk" "each member partition is shrunk"
	check "md: growpart disabled in the target (free space follows the members)" \
		sh -c "debugfs -R 'stat /etc/growroot-disabled' $ROOT 2>&1 | grep -q '^Inode:'"
	SUMS_ADDED='(zz-rescuectl-growpart.cfg|/etc/growroot-disabled)$'
	members_shrunk "md: after the shrink" "$new"
	check "md: the table backup of sda restores (sfdisk --no-act)" sh -c 'sfdisk --no-act /dev/sda < /tmp/mdtab-sda'
	check "md: the table backup of sdb exists" test -s /tmp/mdtab-sdb
	has_old_size /tmp/mdtab-sda sda3
	is "md: $ROOT is the planned size" "$(dev_bytes "$ROOT")" "$new"
	is "md: mdadm --detail Array Size (KiB)" "$(mdadm --detail "$ROOT" | awk '/Array Size/ { print $4 }')" $((new / 1024))
	is "md: mdadm --detail Used Dev Size (KiB)" "$(mdadm --detail "$ROOT" | awk '/Used Dev Size/ { print $5 }')" $((new / 1024))
	is "md: the filesystem fills the array exactly" "$(fs_bytes "$ROOT")" "$new"
	check "md: e2fsck -fn clean" e2fsck -f -n "$ROOT"
	files_same "md: files identical" "$ROOT"
	md_state_ok "$ROOT" "md: after the shrink"
	md_clean "shrink-root on md"
	check "md: stop the arrays" mdadm --stop --scan
	check "md: assemble again" mdadm --assemble --scan
	resolve
	is "md: after re-assembly $ROOT is still the new size" "$(dev_bytes "$ROOT")" "$new"
	check "md: after re-assembly e2fsck -fn clean" e2fsck -f -n "$ROOT"
	files_same "md: after re-assembly files identical" "$ROOT"
	md_state_ok "$ROOT" "md: after re-assembly"
	members_shrunk "md: after re-assembly" "$new"
	md_clean "re-assembly"
}

# members_shrunk NAME NEW: each member partition has the size the plan
# (/tmp/members.plan) gave, on the disk (sfdisk -d) and in the kernel, and
# its superblock's Avail Dev Size is the array's new size.
members_shrunk() {
	local m b a sect
	while read -r m b a; do
		sect=$(sfdisk -d "/dev/${m%[0-9]*}" | awk -v p="/dev/$m" '$1 == p { for (i = 1; i <= NF; i++) if ($i == "size=") { gsub(",", "", $(i+1)); print $(i+1) } }')
		is "$1: $m in the table is $a bytes (was $b)" "$((sect * 512))" "$a"
		is "$1: the kernel sees $m at $a bytes" "$(blockdev --getsize64 "/dev/$m")" "$a"
		is "$1: $m's Avail Dev Size is the array's size" \
			"$(mdadm --examine "/dev/$m" | awk -F' : ' '/Avail Dev Size/ { print $2 + 0 }')" $(($2 / 512))
		check "$1: sfdisk --verify /dev/${m%[0-9]*}" sfdisk --verify "/dev/${m%[0-9]*}"
	done < /tmp/members.plan
}

# has_old_size FILE PART: the backup has PART at its old size.
has_old_size() {
	local b
	b=$(awk -v m="$2" '$1 == m { print $2 }' /tmp/members.plan)
	if grep -q "/dev/$2 .*size= *$((b / 512))," "$1"; then ok "md: $1 has $2 at its old size"; else notok "md: $1 has $2 at its old size"; diag "$(cat "$1")"; fi
}

# --new rest on md: the same new partition on both disks, joined into a new
# RAID1 (1.2), ext4 on it; all of it survives stop and assemble.
shrink_md_new_test() {
	local new w0 w1 w2 arr p4a p4b uuid
	check "assemble" rescuectl detect-root --assemble
	resolve
	check "md --new: 48 MiB of files written to the root" fill "$ROOT"
	sums "$ROOT" /tmp/sums.before
	run rescuectl shrink-root --yes --free 64M --new 1G "$ROOT"
	rc_is "md --new: a --new larger than the freed space is refused" 3
	w0=$(writes_of "$ROOT") w1=$(writes_of /dev/sda) w2=$(writes_of /dev/sdb)
	run rescuectl shrink-root --dry-run --json --free 64M --new rest --mkfs ext4 "$ROOT"
	rc_is "md --new: --dry-run --json" 0
	json_doc md-new-dry
	jqt "md --new: the plan ends in mdadm --create and mkfs on the new array" \
		'[.steps[-2:][].kind] == ["create-array","mkfs"] and (.volume.new_arrays | length) == 1 and all(.volume.members[]; (.new_partitions | length) == 1)'
	jqt "md --new: the new partitions are the same size on both disks" \
		'[.volume.members[].new_partitions[0].bytes] | (.[0] == .[1] and .[0] > 60000000)'
	is "md --new: the dry run wrote nothing to $ROOT" "$(writes_of "$ROOT")" "$w0"
	is "md --new: the dry run wrote nothing to sda" "$(writes_of /dev/sda)" "$w1"
	is "md --new: the dry run wrote nothing to sdb" "$(writes_of /dev/sdb)" "$w2"
	run rescuectl shrink-root --yes --json --free 64M --new rest --mkfs ext4 "$ROOT"
	rc_is "md --new: shrink-root --free 64M --new rest --mkfs ext4" 0
	json_doc md-new
	arr=$(printf '%s' "$OUT" | jq -r '.volume.new_arrays[0].device')
	p4a=$(printf '%s' "$OUT" | jq -r '.volume.members[] | select(.disk == "/dev/sda") | .new_partitions[0].device')
	p4b=$(printf '%s' "$OUT" | jq -r '.volume.members[] | select(.disk == "/dev/sdb") | .new_partitions[0].device')
	jqt "md --new: every step done" 'all(.steps[]; .status == "done") and .volume.new_arrays[0].created and .volume.new_arrays[0].mkfs == "ext4"'
	is "md --new: new partitions sda4 and sdb4" "$p4a $p4b" "/dev/sda4 /dev/sdb4"
	is "md --new: $arr is a RAID1" "$(cat /sys/block/${arr#/dev/}/md/level)" raid1
	is "md --new: $arr has metadata 1.2" "$(cat /sys/block/${arr#/dev/}/md/metadata_version)" 1.2
	is "md --new: $arr is over sda4 and sdb4" "$(ls -d /sys/block/${arr#/dev/}/md/dev-* | sed 's,.*/dev-,,' | sort | tr '\n' ' ')" "sda4 sdb4 "
	check "md --new: wait for the new mirror's initial resync" sh -c "mdadm --wait $arr; true"
	check "md --new: e2fsck -fn clean on $arr" e2fsck -f -n "$arr"
	is "md --new: $arr holds ext4" "$(blkid -o value -s TYPE "$arr")" ext4
	md_state_ok "$arr" "md --new: the new array"
	check "md --new: root e2fsck -fn clean" e2fsck -f -n "$ROOT"
	files_same "md --new: root files identical" "$ROOT"
	md_state_ok "$ROOT" "md --new: the root array"
	md_clean "shrink-root --new on md"
	uuid=$(mdadm --detail "$arr" | awk -F' : ' '/ UUID :/ { print $2 }' | tr -d ' ')
	check "md --new: stop the arrays" mdadm --stop --scan
	check "md --new: assemble again" mdadm --assemble --scan
	resolve
	arr=$(for m in /dev/md[0-9]*; do mdadm --detail "$m" 2> /dev/null | grep -q "UUID : $uuid" && echo "$m"; done | head -n 1)
	check "md --new: the new array assembled again ($arr)" test -n "$arr"
	check "md --new: after re-assembly e2fsck -fn clean on the new array" e2fsck -f -n "$arr"
	md_state_ok "$arr" "md --new: the new array after re-assembly"
	check "md --new: after re-assembly root e2fsck -fn clean" e2fsck -f -n "$ROOT"
	files_same "md --new: after re-assembly root files identical" "$ROOT"
	md_clean "re-assembly"
}

# --new-plain on md: the same plain partition on each disk, ext4 on each,
# no new array.
shrink_md_plain_test() {
	local n0 p
	check "assemble" rescuectl detect-root --assemble
	resolve
	n0=$(ls -d /sys/block/md* | wc -l)
	run rescuectl shrink-root --yes --json --free 64M --new rest --new-plain --mkfs ext4 "$ROOT"
	rc_is "md --new-plain: shrink-root --free 64M --new rest --new-plain --mkfs ext4" 0
	json_doc md-new-plain
	jqt "md --new-plain: mkfs on each disk's new partition, no create-array step, no new array" \
		'([.steps[] | select(.kind == "mkfs")] | length) == 2 and all(.steps[]; .kind != "create-array") and .volume.new_arrays == [] and all(.steps[]; .status == "done")'
	is "md --new-plain: no new md device" "$(ls -d /sys/block/md* | wc -l)" "$n0"
	for p in sda4 sdb4; do
		is "md --new-plain: $p holds ext4" "$(blkid -o value -s TYPE /dev/$p)" ext4
		check "md --new-plain: e2fsck -fn clean on $p" e2fsck -f -n /dev/$p
		is "md --new-plain: $p is typed Linux filesystem" "$(sfdisk --part-type /dev/${p%4} 4)" 0FC63DAF-8483-4772-8E79-3D69D8477DE4
	done
	is "md --new-plain: sda4 and sdb4 are the same size" "$(blockdev --getsize64 /dev/sda4)" "$(blockdev --getsize64 /dev/sdb4)"
	check "md --new-plain: root e2fsck -fn clean" e2fsck -f -n "$ROOT"
	md_state_ok "$ROOT" "md --new-plain: the root array"
	md_clean "shrink-root --new-plain on md"
}

shrink_lvm_test() {
	local old new free0
	check "assemble" rescuectl detect-root --assemble
	resolve
	old=$(dev_bytes "$ROOT")
	free0=$(vgs --noheadings --nosuffix --units b -o vg_free vgmd | tr -d ' ')
	check "lvm: 48 MiB of files written to the root" fill "$ROOT"
	sums "$ROOT" /tmp/sums.before
	run rescuectl shrink-root --dry-run --json --free 64M "$ROOT"
	rc_is "lvm: --dry-run --json" 0
	jqt "lvm: the plan: e2fsck, resize2fs, lvreduce, verify" \
		'[.steps[].kind] == ["fsck","resize-fs","shrink-lv","verify"] and .volume.kind == "lvm" and .volume.vg == "vgmd" and .volume.lv == "root"'
	new=$(printf '%s' "$OUT" | jq -r .volume.bytes_after)
	is "lvm: 64 MiB less" "$new" $((old - 67108864))
	past_end "lvm: file data lies past the new end before the shrink" "$ROOT" "$new"
	mount -o ro "$ROOT" /mnt
	run rescuectl shrink-root --yes --free 64M "$ROOT"
	rc_is "lvm: refused while the LV is mounted" 3
	has "lvm: the refusal says it is mounted" "mounted"
	umount /mnt
	is "lvm: the mounted refusal left the LV's size" "$(dev_bytes "$ROOT")" "$old"
	run rescuectl shrink-root --yes --free 64M "$ROOT"
	rc_is "lvm: shrink-root --free 64M $ROOT" 0
	has "lvm: says the space is free in the VG (lvcreate)" "free in volume group vgmd"
	is "lvm: lvs reports the new size" "$(lvs --noheadings --nosuffix --units b -o lv_size vgmd/root | tr -d ' ')" "$new"
	is "lvm: the VG has 64 MiB more free" "$(vgs --noheadings --nosuffix --units b -o vg_free vgmd | tr -d ' ')" $((free0 + 67108864))
	is "lvm: the filesystem fills the LV exactly" "$(fs_bytes "$ROOT")" "$new"
	check "lvm: e2fsck -fn clean" e2fsck -f -n "$ROOT"
	files_same "lvm: files identical" "$ROOT"
	md_clean "shrink-root on LVM on md"
	check "lvm: deactivate the VG" vgchange -an vgmd
	check "lvm: activate it again" vgchange -ay vgmd
	is "lvm: after re-activation the LV is the new size" "$(dev_bytes "$ROOT")" "$new"
	check "lvm: after re-activation e2fsck -fn clean" e2fsck -f -n "$ROOT"
	files_same "lvm: after re-activation files identical" "$ROOT"
	run rescuectl shrink-root --yes --free 8M --new 8M "$ROOT"
	rc_is "lvm: --new is refused" 3
}

shrink_md10_refused() {
	local m before
	check "assemble" rescuectl detect-root --assemble
	resolve
	before=$(writes_of "$ROOT")
	for m in /dev/sda3 /dev/sdb3; do eval "w_${m#/dev/}=\$(writes_of $m)"; done
	run rescuectl shrink-root --yes --free 64M "$ROOT"
	rc_is "md 1.0: refused" 3
	has "md 1.0: the reason names metadata 1.0" "md metadata 1.0"
	has "md 1.0: the refusal says the superblock is not moved" "not moved"
	has "md 1.0: the manual steps name member sda3" "/dev/sda3"
	has "md 1.0: the manual steps name member sdb3" "/dev/sdb3"
	has "md 1.0: the manual steps take one member out at a time" "mdadm $ROOT --fail M --remove M"
	has "md 1.0: and add it back (full resync)" "mdadm $ROOT --add M"
	has "md 1.0: --update=devicesize is said not to apply" "applies to 1.1 and 1.2 only"
	is "md 1.0: not a sector written to $ROOT" "$(writes_of "$ROOT")" "$before"
	is "md 1.0: not a sector written to sda3" "$(writes_of /dev/sda3)" "$w_sda3"
	is "md 1.0: not a sector written to sdb3" "$(writes_of /dev/sdb3)" "$w_sdb3"
	md_clean "the refusal"
}

# --pv on the lvm-pv layout (vg0 on sda3: root, then swap): the PV and
# sda3 shrink too. pv_facts NAME: pvs, vgck, the table (partx) and the
# kernel (/sys) agree with the plan in $PLAN (the dry run's JSON).
pv_facts() {
	local pe part
	pe=$(printf '%s' "$PLAN" | jq -r .volume.pv.pe_count_after)
	part=$(printf '%s' "$PLAN" | jq -r .partition.size_after)
	is "$1: pvs shows the PV's new extent count" "$(pvs --noheadings -o pv_pe_count /dev/sda3 | tr -d ' ')" "$pe"
	is "$1: pvs shows the PV's new size" "$(pvs --noheadings --nosuffix --units b -o pv_size /dev/sda3 | tr -d ' ')" \
		$((pe * 4194304))
	check "$1: vgck vg0 is clean" lvm vgck vg0
	is "$1: the table has sda3 at the planned size (partx)" "$(partx -g -o SECTORS -n 3 /dev/sda | tr -d ' ')" "$part"
	is "$1: the kernel sees sda3 at the planned size" "$(cat /sys/class/block/sda3/size)" "$part"
	is "$1: the LV is the planned size" "$(dev_bytes "$ROOT")" "$NEW"
	is "$1: the filesystem fills the LV exactly" "$(fs_bytes "$ROOT")" "$NEW"
	check "$1: e2fsck -fn clean" e2fsck -f -n "$ROOT"
	files_same "$1: files identical" "$ROOT"
}

# pv_setup: assemble, move swap out of the way (lvremove), fill the root,
# and plan --pv --size 160M ARGS... as a dry run into $PLAN and $NEW.
pv_setup() {
	local w
	check "assemble" rescuectl detect-root --assemble
	resolve
	check "pv: remove the swap LV that lies after root on the PV" lvremove -y vg0/swap
	check "pv: 48 MiB of files written to the root" fill "$ROOT"
	sums "$ROOT" /tmp/sums.before
	P0=$(cat /sys/class/block/sda3/size)
	w=$(writes_of /dev/sda)
	run rescuectl shrink-root --dry-run --json --pv --size 160M "$@" "$ROOT"
	rc_is "pv: --dry-run --json" 0
	PLAN=$OUT NEW=$(printf '%s' "$OUT" | jq -r .volume.bytes_after)
	is "pv: the LV is to be 160 MiB" "$NEW" 167772160
	is "pv: the dry run wrote nothing to sda" "$(writes_of /dev/sda)" "$w"
	jqt "pv: the plan: e2fsck, resize2fs, lvreduce, pvresize, the table's steps, verify" \
		'[.steps[].kind | select(. != "growpart" and . != "add-partition" and . != "mkfs")] == ["fsck","resize-fs","shrink-lv","shrink-pv","save-table","shrink-partition","write-table","tell-kernel","verify"] and .volume.pv.name == "/dev/sda3" and .volume.pv.pe_count_before == 75 and .volume.pv.pe_count_after == 51 and .partno == 3 and .partition.size_after < .partition.size_before'
	past_end "pv: file data lies past the new end before the shrink" "$ROOT" "$NEW"
}

shrink_pv_test() {
	pv_setup
	run rescuectl shrink-root --yes --pv --size 160M "$ROOT"
	rc_is "pv: shrink-root --pv --size 160M $ROOT" 0
	has "pv: says the partition is smaller" "and its partition are"
	# free space follows sda3 now: growpart is disabled in the target
	sums "$ROOT" /tmp/sums.gp
	is "pv: growpart disabled in the target (drop-in and /etc/growroot-disabled)" \
		"$(grep -c -E '(zz-rescuectl-growpart.cfg|/etc/growroot-disabled)$' /tmp/sums.gp)" 2
	SUMS_ADDED='(zz-rescuectl-growpart.cfg|/etc/growroot-disabled)$'
	pv_facts "pv"
	is "pv: sda3 is smaller than before" "$(( $(cat /sys/class/block/sda3/size) < P0 ))" 1
	check "pv: sfdisk --verify" sfdisk --verify /dev/sda
	check "pv: deactivate vg0" vgchange -an vg0
	check "pv: activate vg0 again" vgchange -ay vg0
	pv_facts "pv: after re-activation"
}

shrink_pv_new_test() {
	pv_setup --new rest --mkfs ext4
	jqt "pv --new: a new partition 4 after sda3, and mkfs" \
		'(.new_partitions | length) == 1 and .new_partitions[0].partno == 4 and .new_partitions[0].start > .partition.start + .partition.size_after - 1 and any(.steps[]; .kind == "mkfs")'
	run rescuectl shrink-root --yes --pv --size 160M --new rest --mkfs ext4 "$ROOT"
	rc_is "pv --new: shrink-root --pv --size 160M --new rest --mkfs ext4" 0
	pv_facts "pv --new"
	is "pv --new: sda4 holds ext4" "$(blkid -o value -s TYPE /dev/sda4)" ext4
	check "pv --new: e2fsck -fn on sda4 clean" e2fsck -f -n /dev/sda4
	is "pv --new: sda4 starts after sda3" \
		"$(( $(cat /sys/class/block/sda4/start) > $(cat /sys/class/block/sda3/start) + $(cat /sys/class/block/sda3/size) - 1 ))" 1
	check "pv --new: sfdisk --verify" sfdisk --verify /dev/sda
	check "pv --new: deactivate vg0" vgchange -an vg0
	check "pv --new: activate vg0 again" vgchange -ay vg0
	pv_facts "pv --new: after re-activation"
}

# The layout as made: swap lies at extents 64-67, past the PV's new end.
shrink_pv_refused() {
	local d p l size
	check "assemble" rescuectl detect-root --assemble
	resolve
	size=$(dev_bytes "$ROOT")
	d=$(writes_of /dev/sda) p=$(writes_of /dev/sda3) l=$(writes_of "$ROOT")
	run rescuectl shrink-root --yes --pv --size 160M "$ROOT"
	rc_is "pv: an extent past the new end is refused" 3
	has "pv: the refusal names the LV" "vg0/swap"
	has "pv: the refusal names the pvmove" "pvmove --alloc anywhere /dev/sda3:64-67"
	run rescuectl shrink-root --yes --size 160M --new rest "$ROOT"
	rc_is "pv: --new without --pv is refused" 3
	has "pv: the refusal names --pv" "add --pv"
	is "pv: not a sector written to sda" "$(writes_of /dev/sda)" "$d"
	is "pv: not a sector written to sda3" "$(writes_of /dev/sda3)" "$p"
	is "pv: not a sector written to $ROOT" "$(writes_of "$ROOT")" "$l"
	is "pv: the LV kept its size" "$(dev_bytes "$ROOT")" "$size"
	is "pv: the PV kept its extents" "$(pvs --noheadings -o pv_pe_count /dev/sda3 | tr -d ' ')" 75
}

# pv_undo NAME STUBBODY WHAT FILTER: a pvresize stub (--setphysicalvolumesize only) that
# fails; the plan stops at step 4 and undoes what is done, newest first.
pv_undo() {
	local real
	real=$(command -v pvresize)
	mkdir -p /tmp/stub
	printf '#!/bin/sh\ncase "$*" in *--setphysicalvolumesize*) %s ;; esac\nexec %s "$@"\n' "$2" "$real" > /tmp/stub/pvresize
	chmod 755 /tmp/stub/pvresize
	run env PATH=/tmp/stub:$PATH rescuectl shrink-root --yes --json --pv --size 160M "$ROOT"
	rc_is "$1: pvresize fails: shrink-root fails" 1
	jqt "$1: the failure names step 4 (pvresize) and undid lvreduce (3) and resize2fs (2)" \
		'.error.step == 4 and (.error.undone | any(. == 3)) and (.error.undone | any(. == 2)) and .steps[0].status == "done" and .steps[1].status == "undone" and .steps[2].status == "undone" and ([.steps[4:][].status] | all(. == "todo"))'
	jqt "$1: $3" "$4"
	is "$1: the LV has its old size" "$(dev_bytes "$ROOT")" "$OLD"
	is "$1: the filesystem fills it again" "$(fs_bytes "$ROOT")" "$OLD"
	is "$1: the PV has its 75 extents" "$(pvs --noheadings -o pv_pe_count /dev/sda3 | tr -d ' ')" 75
	is "$1: sda3 is unchanged" "$(cat /sys/class/block/sda3/size)" "$P0"
	is "$1: the table is unchanged" "$(sfdisk -d /dev/sda | sha256sum)" "$T0"
	check "$1: vgck vg0 is clean" lvm vgck vg0
	check "$1: e2fsck -fn clean after the undo" e2fsck -f -n "$ROOT"
	files_same "$1: files identical after the undo" "$ROOT"
}

shrink_pv_undo_test() {
	check "assemble" rescuectl detect-root --assemble
	resolve
	check "pv: remove the swap LV that lies after root on the PV" lvremove -y vg0/swap
	check "pv: 48 MiB of files written to the root" fill "$ROOT"
	sums "$ROOT" /tmp/sums.before
	OLD=$(dev_bytes "$ROOT") P0=$(cat /sys/class/block/sda3/size) T0=$(sfdisk -d /dev/sda | sha256sum)
	# another program holds the PV's disk (flock, as sfdisk --lock does; one
	# that opens the LV makes it 'open', refused before any lock): refused
	# after the wait, nothing written
	local w holder
	w=$(writes_of /dev/sda)
	flock -o -x /dev/sda sleep 60 &
	holder=$!
	sleep 1
	run rescuectl shrink-root --yes --pv --size 160M "$ROOT"
	rc_is "pv: the PV's disk locked by another program: refused" 3
	has "pv: the refusal says it is locked" "locked by another program"
	kill "$holder"
	wait "$holder" 2> /dev/null
	is "pv: the locked refusal wrote nothing to sda" "$(writes_of /dev/sda)" "$w"
	is "pv: the locked refusal left the LV's size" "$(dev_bytes "$ROOT")" "$OLD"
	pv_undo "pv undo (nothing changed)" 'echo "pvresize: stub failure" >&2; exit 1' \
		"pvresize failed untouched" '.steps[3].status == "failed"'
	pv_undo "pv undo (PV shrunk)" "$(command -v pvresize) \"\$@\"; echo 'pvresize: stub failure after the change' >&2; exit 1" \
		"pvresize undid itself" '.steps[3].status == "undone" and (.error.undone | any(. == 4))'
}

# A shrink stopped between the array and its members, as by a power cut or
# a kill there: a stub mdadm runs the real 'mdadm --grow' and then kills
# rescuectl (SIGKILL, its parent) before the member steps. The array and its
# filesystem are the new size, each member's md size and partition the old
# ones. The same command again (fleet automation) finishes: only the member
# sizes and partitions are planned (already), then done; a third run has
# nothing left; files identical, e2fsck clean, mismatch_cnt 0, the same
# member sizes as an uninterrupted run plans; and after re-assembly.
shrink_md_resume_test() {
	local old new size real w0 w1 m
	check "assemble" rescuectl detect-root --assemble
	resolve
	old=$(dev_bytes "$ROOT")
	check "md resume: 48 MiB of files written to the root" fill "$ROOT"
	sums "$ROOT" /tmp/sums.before
	size=$(((old - 67108864) / 1048576))M
	run rescuectl shrink-root --dry-run --json --size "$size" "$ROOT"
	rc_is "md resume: --dry-run --json --size $size" 0
	new=$(printf '%s' "$OUT" | jq -r .volume.bytes_after)
	printf '%s' "$OUT" | jq -r '.volume.members[] | "\(.name) \(.bytes_before) \(.bytes_after)"' > /tmp/members.plan
	jqt "md resume: a first run plans resize2fs and mdadm --grow (not already)" \
		'.already == false and any(.steps[]; .kind == "shrink-array")'
	real=$(command -v mdadm)
	mkdir -p /tmp/killstub
	printf '#!/bin/sh\ncase "$*" in *--grow*) %s "$@"; rc=$?; kill -9 $PPID; exit $rc ;; esac\nexec %s "$@"\n' \
		"$real" "$real" > /tmp/killstub/mdadm
	chmod 755 /tmp/killstub/mdadm
	run env PATH=/tmp/killstub:$PATH rescuectl shrink-root --yes --size "$size" "$ROOT"
	rc_is "md resume: the first run is killed right after mdadm --grow" 137
	is "md resume: after the kill the array is the new size" "$(dev_bytes "$ROOT")" "$new"
	is "md resume: after the kill the filesystem fills it" "$(fs_bytes "$ROOT")" "$new"
	while read -r m _ _; do
		is "md resume: after the kill $m keeps its old size in the table" \
			"$(blockdev --getsize64 "/dev/$m")" "$(awk -v m="$m" '$1 == m { print $2 }' /tmp/members.plan)"
		is "md resume: after the kill $m's md size is still the old one" \
			"$(( $(cat /sys/block/${ROOT#/dev/}/md/dev-$m/size) > new / 1024 ))" 1
	done < /tmp/members.plan
	check "md resume: after the kill e2fsck -fn clean" e2fsck -f -n "$ROOT"
	w0=$(writes_of /dev/sda) w1=$(writes_of /dev/sdb)
	run rescuectl shrink-root --dry-run --json --size "$size" "$ROOT"
	rc_is "md resume: the same --size again, dry run" 0
	json_doc md-resume-dry
	jqt "md resume: already, and only the member steps left (member sizes, each disk's table), growpart, verify" \
		'.already == true and [.steps[].kind | select(. != "growpart")] == ["member-size","save-table","shrink-partition","write-table","tell-kernel","save-table","shrink-partition","write-table","tell-kernel","verify"]'
	is "md resume: the member partitions planned as the uninterrupted run planned them" \
		"$(printf '%s' "$OUT" | jq -r '.volume.members[] | "\(.name) \(.bytes_after)"')" "$(awk '{ print $1, $3 }' /tmp/members.plan)"
	is "md resume: the dry run wrote nothing to sda" "$(writes_of /dev/sda)" "$w0"
	is "md resume: the dry run wrote nothing to sdb" "$(writes_of /dev/sdb)" "$w1"
	run rescuectl shrink-root --yes --json --size "$size" --backup /tmp/resumetab "$ROOT"
	rc_is "md resume: the same --size again finishes" 0
	json_doc md-resume
	jqt "md resume: every step done" '.already == true and all(.steps[]; .status == "done")'
	SUMS_ADDED='(zz-rescuectl-growpart.cfg|/etc/growroot-disabled)$'
	members_shrunk "md resume: after the re-run" "$new"
	check "md resume: the table backup of sda restores (sfdisk --no-act)" sh -c 'sfdisk --no-act /dev/sda < /tmp/resumetab-sda'
	is "md resume: the array is the new size" "$(dev_bytes "$ROOT")" "$new"
	check "md resume: e2fsck -fn clean" e2fsck -f -n "$ROOT"
	files_same "md resume: files identical" "$ROOT"
	md_state_ok "$ROOT" "md resume: after the re-run"
	md_clean "shrink-root resumed on md"
	w0=$(writes_of /dev/sda) w1=$(writes_of /dev/sdb)
	run rescuectl shrink-root --yes --json --size "$size" "$ROOT"
	rc_is "md resume: a third run has nothing left (exit 0)" 0
	jqt "md resume: the third run: already, only the verify" '.already == true and [.steps[].kind] == ["verify"]'
	is "md resume: the third run wrote nothing to sda" "$(writes_of /dev/sda)" "$w0"
	is "md resume: the third run wrote nothing to sdb" "$(writes_of /dev/sdb)" "$w1"
	run rescuectl shrink-root --dry-run --json --free 8M "$ROOT"
	jqt "md resume: --free stays relative (a shrink is planned)" '.already == false and any(.steps[]; .kind == "shrink-array")'
	check "md resume: stop the arrays" mdadm --stop --scan
	check "md resume: assemble again" mdadm --assemble --scan
	resolve
	is "md resume: after re-assembly $ROOT is still the new size" "$(dev_bytes "$ROOT")" "$new"
	check "md resume: after re-assembly e2fsck -fn clean" e2fsck -f -n "$ROOT"
	files_same "md resume: after re-assembly files identical" "$ROOT"
	md_state_ok "$ROOT" "md resume: after re-assembly"
	members_shrunk "md resume: after re-assembly" "$new"
	md_clean "re-assembly"
}

# --pv stopped between lvreduce and pvresize (a stub lvreduce runs the real
# one, then kills rescuectl): the LV and its filesystem are 160 MiB, the PV
# still has its 75 extents (35 free at its end), sda3 its old size. The same
# command again cuts the PV's free extents after the root's last one
# (pvresize to 40 extents: the swap LV was removed, so the 11 extents that
# were free at the end before go too) and shrinks sda3; a third run has
# nothing left; pvs, vgck, partx, files, e2fsck; after re-activation too.
shrink_pv_resume_test() {
	local real w
	check "assemble" rescuectl detect-root --assemble
	resolve
	check "pv resume: remove the swap LV that lies after root on the PV" lvremove -y vg0/swap
	check "pv resume: 48 MiB of files written to the root" fill "$ROOT"
	sums "$ROOT" /tmp/sums.before
	P0=$(cat /sys/class/block/sda3/size)
	real=$(command -v lvreduce)
	mkdir -p /tmp/killstub
	printf '#!/bin/sh\n%s "$@"; rc=$?; kill -9 $PPID; exit $rc\n' "$real" > /tmp/killstub/lvreduce
	chmod 755 /tmp/killstub/lvreduce
	run env PATH=/tmp/killstub:$PATH rescuectl shrink-root --yes --pv --size 160M "$ROOT"
	rc_is "pv resume: the first run is killed right after lvreduce" 137
	NEW=167772160
	is "pv resume: after the kill the LV is 160 MiB" "$(dev_bytes "$ROOT")" "$NEW"
	is "pv resume: after the kill the PV still has 75 extents" "$(pvs --noheadings -o pv_pe_count /dev/sda3 | tr -d ' ')" 75
	is "pv resume: after the kill sda3 is unchanged" "$(cat /sys/class/block/sda3/size)" "$P0"
	check "pv resume: after the kill e2fsck -fn clean" e2fsck -f -n "$ROOT"
	w=$(writes_of /dev/sda)
	run rescuectl shrink-root --dry-run --json --pv --size 160M "$ROOT"
	rc_is "pv resume: the same --size again, dry run" 0
	json_doc pv-resume-dry
	PLAN=$OUT
	jqt "pv resume: already; pvresize to the root's last extent (40), the table's steps, verify" \
		'.already == true and [.steps[].kind | select(. != "growpart")] == ["shrink-pv","save-table","shrink-partition","write-table","tell-kernel","verify"] and .volume.pv.pe_count_before == 75 and .volume.pv.pe_count_after == 40 and .partition.size_after < .partition.size_before'
	has "pv resume: the plan says which free extents go" "35 free extents at its end"
	is "pv resume: the dry run wrote nothing to sda" "$(writes_of /dev/sda)" "$w"
	run rescuectl shrink-root --yes --json --pv --size 160M "$ROOT"
	rc_is "pv resume: the same --size again finishes" 0
	json_doc pv-resume
	jqt "pv resume: every step done" '.already == true and all(.steps[]; .status == "done")'
	SUMS_ADDED='(zz-rescuectl-growpart.cfg|/etc/growroot-disabled)$'
	pv_facts "pv resume"
	check "pv resume: sfdisk --verify" sfdisk --verify /dev/sda
	w=$(writes_of /dev/sda)
	run rescuectl shrink-root --yes --json --pv --size 160M "$ROOT"
	rc_is "pv resume: a third run has nothing left (exit 0)" 0
	jqt "pv resume: the third run: already, only the verify" '.already == true and [.steps[].kind] == ["verify"]'
	is "pv resume: the third run wrote nothing to sda" "$(writes_of /dev/sda)" "$w"
	check "pv resume: deactivate vg0" vgchange -an vg0
	check "pv resume: activate vg0 again" vgchange -ay vg0
	pv_facts "pv resume: after re-activation"
}
