# shrink-root on a real md RAID1 (metadata 1.2) and a real LVM logical
# volume in the rescue VM (sourced after lib.sh, std.sh and the layout):
# every file reads back identical (sha256 before and after), e2fsck -fn is
# clean, the filesystem fills the shrunk array or LV exactly, mdadm/lvs
# report the new size, the array is not degraded and a check pass finds
# mismatch_cnt 0, and all of it holds after the array or VG is stopped and
# brought up again. Also: a failing mdadm is undone (the filesystem grown
# back), and metadata 1.0 is refused without a sector written. The md
# array has an internal write-intent bitmap, the LV's md array has none.

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
		b=$(debugfs -R "bmap /d$i/big 1000" "$2" 2> /dev/null | tail -n 1)
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
	jqt "md: the failure names step 3 (mdadm --grow) and undid resize2fs (2)" \
		'.error.step == 3 and (.error.undone | any(. == 2)) and ([.steps[].status] == ["done","undone","failed","todo"])'
	is "md: after the undo the filesystem fills the array again" "$(fs_bytes "$ROOT")" "$old"
	is "md: the array kept its size" "$(dev_bytes "$ROOT")" "$old"
	check "md: e2fsck -fn clean after the undo" e2fsck -f -n "$ROOT"
	files_same "md: files identical after the undo" "$ROOT"
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
	w0=$(writes_of /dev/sda3) w1=$(writes_of "$ROOT")
	run rescuectl shrink-root --dry-run --json --free 64M "$ROOT"
	rc_is "md: --dry-run --json" 0
	jqt "md: the plan: e2fsck, resize2fs, mdadm --grow, verify" \
		'[.steps[].kind] == ["fsck","resize-fs","shrink-array","verify"] and .volume.kind == "md" and .volume.metadata == "1.2" and .volume.level == "raid1"'
	new=$(printf '%s' "$OUT" | jq -r .volume.bytes_after)
	jqt "md: 64 MiB freed, members with a data offset" \
		".volume.bytes_before == $old and .freed_bytes == 67108864 and (.volume.members | length) == 2 and all(.volume.members[]; .data_offset > 0)"
	is "md: the dry run wrote nothing to $ROOT" "$(writes_of "$ROOT")" "$w1"
	is "md: the dry run wrote nothing to sda3" "$(writes_of /dev/sda3)" "$w0"
	past_end "md: file data lies past the new end before the shrink" "$ROOT" "$new"
	md_undo_test "$old"
	run rescuectl shrink-root --yes --free 64M "$ROOT"
	rc_is "md: shrink-root --free 64M $ROOT" 0
	has "md: says the member partitions are unchanged" "member partitions are unchanged"
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
	md_clean "re-assembly"
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
