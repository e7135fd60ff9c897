# Guest half of the shrink-root power cuts on md and LVM (tests/vm/cuts.sh,
# sourced after lib.sh, std.sh, shrink.sh and the layout): the host kernel
# has neither md nor device-mapper, so the disks a cut left are booted
# again and checked here. The scenario's cut_setup saved on the scratch
# disk (/dev/vda) what the checks compare with: every file's sha256
# (sums.before) and the sizes before (facts.before: FS0 filesystem bytes,
# VOL0 array or LV bytes).

# cut_base_save DEV: after the files are written: sums and sizes to /scratch.
cut_base_save() {
	mkdir -p /scratch
	mount /dev/vda /scratch || return 1
	sums "$1" /scratch/sums.before
	printf 'FS0=%s\nVOL0=%s\n' "$(fs_bytes "$1")" "$(dev_bytes "$1")" > /scratch/facts.before
	sync
	umount /scratch
}

# cut_scratch: mount the scratch disk and read facts.before.
cut_scratch() {
	mkdir -p /scratch
	mount /dev/vda /scratch || { notok "the scratch disk mounts"; return 1; }
	. /scratch/facts.before
	cp /scratch/sums.before /tmp/sums.before
}

# added_report DEV: for each file of ADDED (files the run adds to the
# target, e.g. growpart's drop-in and marker), "# added: PATH SHA256 MODE
# UID GID" or "# added: PATH absent": the host compares them with the
# calibration's (tests/vm/cuts-shrink.bash added_states), as it does the
# plain scenario's WATCH files. The other files are compared without them.
added_report() {
	local f
	[ -n "${ADDED:-}" ] || return 0
	ro_mount "$1" || { notok "mount $1 read-only for the added files"; return 1; }
	for f in $ADDED; do
		if [ -f "/ro$f" ]; then
			say "# added: $f $(sha256sum "/ro$f" | cut -d' ' -f1) $(stat -c '%a %u %g' "/ro$f")"
		elif [ -e "/ro$f" ] || [ -L "/ro$f" ]; then
			say "# added: $f not-a-file"
		else
			say "# added: $f absent"
		fi
	done
	ro_umount
}

# cut_fs_checks DEV: the filesystem on the array or LV after a cut: not
# larger than DEV; after the journal replay e2fsck -fn clean (if not: its
# text, then what e2fsck -fy brings back); every file identical (but the
# files in ADDED, reported for the host instead). Prints
# "# state: fs=old|shrunk|N".
cut_fs_checks() {
	local dev=$1 fsb devb
	[ -n "${ADDED:-}" ] && SUMS_ADDED="($(echo $ADDED | sed 's/ /|/g'))\$"
	fsb=$(fs_bytes "$dev") devb=$(dev_bytes "$dev")
	if [ "$fsb" = "$FS0" ]; then say "# state: fs=old"; elif [ "$fsb" -lt "$FS0" ]; then say "# state: fs=shrunk"; else say "# state: fs=$fsb"; fi
	if [ "$devb" = "$VOL0" ]; then say "# state: vol=old"; else say "# state: vol=shrunk"; fi
	if [ -n "$fsb" ] && [ "$fsb" -gt 0 ] && [ "$fsb" -le "$devb" ]; then
		ok "the filesystem ($fsb bytes) is not larger than $dev ($devb)"
	else
		notok "the filesystem ($fsb bytes) is not larger than $dev ($devb)"
	fi
	run e2fsck -E journal_only -y "$dev"
	say "# journal replay: exit $RC"
	run e2fsck -f -n "$dev"
	if [ "$RC" = 0 ]; then
		ok "e2fsck -fn clean after the journal replay"
		added_report "$dev"
		files_same "every file identical" "$dev"
		return
	fi
	notok "e2fsck -fn clean after the journal replay (exit $RC)"
	diag "$(printf '%s\n%s\n' "$OUT" "$ERR" | grep -v -e '^Pass ' -e '^e2fsck [0-9]' -e '^$' | head -n 25)"
	files_same "every file identical (before any repair)" "$dev"
	run e2fsck -f -y "$dev"
	say "# e2fsck -fy: exit $RC"
	run e2fsck -f -n "$dev"
	say "# e2fsck -fn after -fy: exit $RC"
	files_same "every file identical after e2fsck -fy" "$dev"
}

# cut_md_checks ROOT MEMBERS: both members' superblocks agree (array
# UUID, events, used size) and each member partition holds what the array
# uses; after the resync the array is whole (the scenario's md_clean then
# checks mismatch_cnt).
cut_md_checks() {
	local root=$1 m used avail off uuids evs i
	shift
	uuids= evs=
	for m in "$@"; do
		mdadm --examine "$m" > /tmp/ex 2>&1
		# Used Dev Size is left out when it is all that is available; a
		# RAID1 member then holds the Array Size (KiB)
		used=$(awk -F: '/Used Dev Size/ { u = $2 + 0 } /Array Size/ { a = ($2 + 0) * 2 } END { print u ? u : a }' /tmp/ex)
		off=$(awk -F: '/Data Offset/ { print $2 + 0 }' /tmp/ex)
		avail=$(($(blockdev --getsz "$m") - ${off:-0}))
		uuids="$uuids $(awk '/Array UUID/ { print $4 }' /tmp/ex)"
		evs="$evs $(awk '/Events/ { print $3 }' /tmp/ex)"
		if [ -n "$used" ] && [ -n "$avail" ] && [ "$used" -le "$avail" ]; then
			ok "$m holds what the array uses (used $used <= $avail sectors past the data offset $off)"
		else
			notok "$m holds what the array uses (used $used, $avail sectors past the data offset $off)"
			diag "$(cat /tmp/ex)"
		fi
	done
	say "# examine: uuids$uuids events$evs"
	set -- $uuids
	is "the members' superblocks name one array" "$1" "${2:-$1}"
	# a cut leaves the array dirty: the resync runs once it is writable
	mdadm --readwrite "$root" 2> /dev/null
	i=0
	sleep 0.2
	while [ "$(cat /sys/block/${root#/dev/}/md/sync_action)" != idle ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
	say "# resync: $i tenths of a second"
	md_state_ok "$root" "after the cut and the resync"
}

# to_4k DEV: the root made again with 4 KiB blocks, as a real server's root
# is (mke2fs makes 1 KiB blocks under 512 MiB, where shrink-root's resize2fs
# gets no undo log at all): its files copied out to RAM, mkfs.ext4 -b 4096
# with the same UUID and label (the target's fstab and detect-root still
# name it), the files put back by mkfs.ext4 -d (e2fsprogs; the
# rescue system's mke2fs is busybox's).
to_4k() {
	local dev=$1 uuid label
	uuid=$(blkid -o value -s UUID "$dev") label=$(blkid -o value -s LABEL "$dev")
	[ -n "$uuid" ] || { echo "no UUID on $dev"; return 1; }
	mkdir -p /mnt /tmp/tree
	mount -o ro -t ext4 "$dev" /mnt || return 1
	cp -a /mnt/. /tmp/tree/ || { umount /mnt; return 1; }
	umount /mnt || return 1
	rm -rf /tmp/tree/lost+found
	mkfs.ext4 -q -F -b 4096 -U "$uuid" ${label:+-L "$label"} -d /tmp/tree "$dev" || return 1
	rm -rf /tmp/tree
	dumpe2fs -h "$dev" 2> /dev/null | grep -q '^Block size: *4096$' || { echo "not 4 KiB blocks"; return 1; }
	dumpe2fs -h "$dev" 2> /dev/null | grep -q '^Filesystem features:.* resize_inode' || { echo "no resize inode"; return 1; }
	[ "$(blkid -o value -s UUID "$dev")" = "$uuid" ] || { echo "the UUID changed"; return 1; }
}

# undo_on_dev NAME DEV: the last run's output (a plan: --dry-run or a
# run) says resize2fs keeps its undo log on DEV itself, past the new end,
# and not that it cannot: the power cuts must test the power-safe path,
# not fall back to an undo file in RAM.
undo_on_dev() {
	case "$OUT$ERR" in
	*"undo log cannot go on"* | *"without an undo file"* | *"runs without one"*)
		notok "$1: resize2fs's undo log is on $2 itself"; diag "$OUT" "$ERR"; return ;;
	esac
	has "$1: resize2fs's undo log is on $2 itself" "its undo log on $2 itself, past the new end"
}

# undo_ran_on_dev DEV: cut_finish's half of undo_on_dev, on the run's
# output (/tmp/cut.out): the calibration fails when the log was elsewhere.
undo_ran_on_dev() {
	OUT=$(cat /tmp/cut.out 2> /dev/null) ERR=
	undo_on_dev "the run" "$1"
	has "the run finished" "Done: "
}

# disk_writes DEV: the write count of DEV and of every disk of the layout
# (sd*; not the scratch disk, which cut_verify mounts).
disk_writes() {
	local d
	printf '%s=%s ' "$1" "$(writes_of "$1")"
	for d in /sys/block/sd*; do printf '%s=%s ' "${d##*/}" "$(writes_of /dev/${d##*/})"; done
}

# cut_rollback DEV CMD...: what a user runs after the power cut, before any
# check or repair: 'rescuectl shrink-root --rollback --yes DEV'. When the
# cut left an undo log that resize2fs did not close, a plain re-run first
# (CMD: the scenario's shrink-root --yes) must refuse (exit 3), name
# --rollback and write not a sector to any disk; the rollback then puts the
# saved blocks back, and a second --rollback finds nothing to do (exit 0,
# not a sector written). Without such a log, --rollback says "nothing to
# roll back" and writes nothing. Prints "# state: undo=rolled-back" (or
# "undo=forgotten": the log's header had not reached the disk, so resize2fs
# had written nothing and only the locator is cleared) or "undo=none".
cut_rollback() {
	local dev=$1 pending replay w0 n
	shift
	run rescuectl shrink-root --rollback --dry-run --json "$dev"
	rc_is "after the cut: shrink-root --rollback --dry-run --json $dev" 0
	pending=$(printf '%s' "$OUT" | jq -r '.rollback.pending' 2> /dev/null)
	replay=$(printf '%s' "$OUT" | jq -r '[.steps[]?.kind] | any(. == "replay-undo")' 2> /dev/null)
	case $pending in
	true | false) ;;
	*) notok "after the cut: --rollback --dry-run --json says whether a log is pending"; diag "$OUT" "$ERR"; return 1 ;;
	esac
	# (an md array is still read-only here, start_ro: md writes nothing of
	# its own to the members yet)
	w0=$(disk_writes "$dev")
	if [ "$pending" = true ]; then
		run "$@"
		rc_is "after the cut: a re-run of shrink-root refuses the half-moved filesystem" 3
		has "after the cut: the refusal names 'shrink-root --rollback $dev'" "shrink-root --rollback $dev"
		is "after the cut: the refused re-run wrote not a sector" "$(disk_writes "$dev")" "$w0"
	fi
	run rescuectl shrink-root --rollback --yes "$dev"
	rc_is "after the cut: shrink-root --rollback --yes $dev" 0
	if [ "$pending" = false ]; then
		has "after the cut: --rollback says there is nothing to roll back" "nothing to roll back"
		is "after the cut: --rollback with nothing to roll back wrote not a sector" "$(disk_writes "$dev")" "$w0"
		say "# state: undo=none"
		return 0
	fi
	if [ "$replay" = true ]; then
		has "after the cut: --rollback put $dev back" "is as it was before the interrupted shrink"
		n=$(printf '%s\n%s\n' "$OUT" "$ERR" | sed -n 's/.* \([0-9][0-9]*\) blocks put back.*/\1/p' | head -n 1)
		say "# rollback: ${n:-no} blocks put back"
		say "# state: undo=rolled-back"
	else
		has "after the cut: --rollback only forgot the log (its header was not on the disk)" "nothing was put back"
		say "# state: undo=forgotten"
	fi
	# the rollback's writes made an md array writable: from now on md
	# writes its superblock and bitmap to the members on its own, so
	# there it is the array itself whose write count must not move
	case $dev in /dev/md*) wr() { writes_of "$dev"; } ;; *) wr() { disk_writes "$dev"; } ;; esac
	w0=$(wr)
	run rescuectl shrink-root --rollback --yes "$dev"
	rc_is "after the rollback: a second --rollback" 0
	has "after the rollback: a second --rollback finds nothing to roll back" "nothing to roll back"
	is "after the rollback: a second --rollback wrote not a sector" "$(wr)" "$w0"
}

# fill_at DEV FROM MIB: 8 top-level directories with a 2 MiB random file
# and 20 small ones each, placed in about MIB MiB of free space at byte
# FROM (the new end) and up, so that resize2fs must move them and the rest
# of what lies past the new end is free for its undo log. ext4's allocator
# puts a small filesystem's files in its lowest free blocks: so a filler
# (fallocate, never written) takes every free block in 4 MiB pieces, the
# pieces that begin at FROM and up (lowest first, MIB worth) are removed,
# the files are written into that room, and the filler goes.
fill_at() {
	local dev=$1 from=$2 mib=$3 bs i j n
	mkdir -p /mnt
	mount -t ext4 "$dev" /mnt || return 1
	mkdir /mnt/filler
	n=0
	while fallocate -l 4M /mnt/filler/$((n + 1)) 2> /dev/null; do n=$((n + 1)); done
	rm -f /mnt/filler/$((n + 1))
	umount /mnt || return 1
	bs=$(dumpe2fs -h "$dev" 2> /dev/null | awk -F: '/^Block size/ { print $2 + 0 }')
	for i in $(seq 1 "$n"); do
		echo "$i $(debugfs -R "bmap /filler/$i 0" "$dev" 2> /dev/null | tail -n 1)"
	done | sort -k2 -n | awk -v f=$((from / bs)) -v k=$((mib / 4)) '$2 ~ /^[0-9]+$/ && $2 >= f && k > 0 { print $1; k-- }' > /tmp/room
	[ "$(wc -l < /tmp/room)" -eq $((mib / 4)) ] || { echo "only $(wc -l < /tmp/room) filler pieces past $from"; return 1; }
	mount -t ext4 "$dev" /mnt || return 1
	for i in $(cat /tmp/room); do rm /mnt/filler/$i; done
	sync
	for i in 1 2 3 4 5 6 7 8; do
		mkdir -p /mnt/d$i
		dd if=/dev/urandom of=/mnt/d$i/big bs=1M count=2 2> /dev/null
		for j in $(seq 1 20); do head -c $((j * 997)) /dev/urandom > /mnt/d$i/s$j; done
	done
	rm -r /mnt/filler
	umount /mnt
}
