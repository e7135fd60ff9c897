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

# cut_fs_checks DEV: the filesystem on the array or LV after a cut: not
# larger than DEV; after the journal replay e2fsck -fn clean (if not: its
# text, then what e2fsck -fy brings back); every file identical. Prints
# "# state: fs=old|shrunk|N".
cut_fs_checks() {
	local dev=$1 fsb devb
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
