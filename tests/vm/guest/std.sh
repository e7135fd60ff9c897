# The applets, one after the other, on a layout's installed system, as an
# admin in rescue mode would run them (sourced after lib.sh). A layout sets:
#   ROOT       the root device detect-root must report (/dev/md127, /dev/dm-0 ...)
#   MEMBERS    RAID members / PVs under it: skipped, refused, never written
#   ASSEMBLE   md | lvm | md+lvm | "" : what detect-root --assemble must bring up
#   SUBMOUNTS  "MOUNTPOINT=DEVICE ..." mount-root must mount from the target's fstab
#   FSCK_CMD   the checker line fsck must announce ("e2fsck -f -n /dev/md127")
#   SUBVOL     btrfs: the root subvolume
# and may define resolve(), run after assembly, to set what depends on the
# names the rescue system gave (md126 or md127).
# After every applet every md array is checked: mismatch_cnt must stay 0.

# dev_of PATH: major:minor of a block device (follows /dev/mapper links)
dev_of() { stat -L -c '%t:%T' "$1" 2>/dev/null || echo "no device '$1'"; }

# A device's writes so far (sectors, field 7 of /sys/dev/block/MAJ:MIN/stat;
# by number, as /dev/mapper/NAME is a node of its own without udev). When it
# cannot be read the text differs on every call, so no comparison passes.
writes_of() {
	local t m f
	t=$(stat -L -c '%t' "$1" 2> /dev/null) && m=$(stat -L -c '%T' "$1" 2> /dev/null) &&
		f=/sys/dev/block/$((0x$t)):$((0x$m))/stat && [ -r "$f" ] &&
		awk '{ print $7 }' "$f" && return
	echo "no write count for $1 at $(cut -d' ' -f1 /proc/uptime)"
}

std_detect() {
	local m
	if [ -n "$ASSEMBLE" ]; then
		run rescuectl detect-root --json
		rc_is "detect-root before assembly: nothing found" 4
		case $ASSEMBLE in
		*md*) jqt "detect-root: hint names mdadm --assemble --scan" '.hints | any(test("mdadm --assemble --scan"))' ;;
		esac
		for m in $MEMBERS; do
			jqt "detect-root before assembly: $m skipped, not a root" \
				"[.candidates[] | select(.device == \"$m\") | .skipped | test(\"RAID member|LVM physical volume\")] == [true]"
		done
		case $ASSEMBLE in
		lvm) jqt "detect-root: hint names vgchange -ay" '.hints | any(test("vgchange -ay"))' ;;
		esac
		run rescuectl detect-root --assemble --json
		rc_is "detect-root --assemble finds one root" 0
	else
		run rescuectl detect-root --json
		rc_is "detect-root finds one root" 0
	fi
	command -v resolve > /dev/null && resolve
	jqt "detect-root: the root is $ROOT" ".roots | length == 1 and .[0].device == \"$ROOT\""
	jqt "detect-root: fstab confirms it" '.roots[0].fstab_confirms == true and .roots[0].sure == "high"'
	[ -n "$SUBVOL" ] && jqt "detect-root: btrfs subvolume $SUBVOL" ".roots[0].subvol == \"$SUBVOL\""
	for m in $MEMBERS; do
		jqt "detect-root: member $m skipped" \
			"[.candidates[] | select(.device == \"$m\") | .skipped | test(\"RAID member of|LVM physical volume\")] == [true]"
	done
	md_clean detect-root
}

std_mount() {
	local sub mp want got
	run rescuectl mount-root --json
	rc_is "mount-root" 0
	got=$(awk '$2 == "/mnt" { print $1 }' /proc/mounts | tail -n 1)
	is "mount-root: /mnt is $ROOT" "$(dev_of "$got")" "$(dev_of "$ROOT")"
	for sub in $SUBMOUNTS; do
		mp=${sub%%=*}
		want=${sub#*=}
		got=$(awk -v m="$mp" '$2 == m { print $1 }' /proc/mounts | tail -n 1)
		is "mount-root: $mp from $want (target's fstab)" "$(dev_of "${got:-/nonexistent}")" "$(dev_of "$want")"
	done
	run rescuectl umount-root
	rc_is "umount-root" 0
	is "umount-root: nothing left under /mnt" "$(awk '$2 ~ "^/mnt(/|$)"' /proc/mounts)" ""
	md_clean mount-root
}

std_fsck() {
	local m
	run rescuectl fsck -n
	rc_is "fsck -n (the root found as detect-root finds it)" 0
	has "fsck runs: $FSCK_CMD" "Running: $FSCK_CMD"
	run rescuectl fsck --yes
	rc_is "fsck --yes (repairs allowed) on the root" 0
	has "fsck --yes runs ${FSCK_CMD%% -n *}" "Running: ${FSCK_CMD%% -n *}"
	has "fsck --yes runs on $ROOT" " $ROOT"
	for m in $MEMBERS; do
		run rescuectl fsck -n "$m"
		rc_is "fsck $m: refused, a member" 8
	done
	md_clean fsck
}

std_passwords() {
	local m before
	run sh -c "printf '%s\n' '$PW' | rescuectl reset-pass --password-stdin --yes"
	rc_is "reset-pass offline (found root)" 0
	pw_verifies "reset-pass: root's new password verifies" "$ROOT" root "$PW" "$SUBVOL"
	md_clean reset-pass
	run rescuectl clear-pass --yes --user admin
	rc_is "clear-pass --user admin" 0
	field_is "clear-pass: admin's password field is empty" "$ROOT" /etc/shadow admin 2 "" "$SUBVOL"
	md_clean clear-pass
	run rescuectl disable-growpart --yes
	rc_is "disable-growpart" 0
	file_exists "disable-growpart: drop-in written" "$ROOT" /etc/cloud/cloud.cfg.d/zz-rescuectl-growpart.cfg "$SUBVOL"
	md_clean disable-growpart
	run rescuectl mount-root
	rc_is "mount-root again" 0
	run sh -c "printf '%s\n' 'Admin-2nd-pw' | rescuectl reset-pass --password-stdin --yes --user admin --root /mnt"
	rc_is "reset-pass --root /mnt (mounted tree)" 0
	run rescuectl umount-root
	rc_is "umount-root" 0
	pw_verifies "reset-pass --root: admin's password verifies" "$ROOT" admin 'Admin-2nd-pw' "$SUBVOL"
	md_clean "reset-pass --root"
	for m in $MEMBERS; do
		before=$(writes_of "$m")
		run sh -c "printf '%s\n' x | rescuectl reset-pass --password-stdin --yes $m"
		rc_is "reset-pass $m: refused, a member" 3
		is "reset-pass $m: not a sector written to it" "$(writes_of "$m")" "$before"
	done
}

# Both halves of every RAID1 got the same number of sectors: nothing wrote
# to one member behind md's back.
std_members_even() {
	local d n a b
	for d in /sys/block/md*/md; do
		[ -e "$d/level" ] && [ "$(cat "$d/level")" = raid1 ] || continue
		n=${d#/sys/block/}
		n=${n%/md}
		set -- $(ls "/sys/block/$n/slaves")
		[ $# = 2 ] || continue
		a=$(awk '{ print $7 }' "/sys/class/block/$1/stat")
		b=$(awk '{ print $7 }' "/sys/class/block/$2/stat")
		is "$n: $1 and $2 received the same writes" "$a" "$b"
	done
}

# shrink-root refuses what it cannot shrink on the real devices (exit 3),
# with the reason or the manual steps, and writes not a sector to the root
# or to any member: md metadata 0.90/1.0, a LUKS mapping, xfs. An md 1.2
# array or an ext4 LV it can shrink (tests/vm/shrink.bats does): here
# 8 MiB, below resize2fs's minimum, is refused the same way.
std_shrink_refused() {
	local want m before md
	case $ROOT in
	/dev/md*)
		md=/sys/block/${ROOT#/dev/}/md
		case $(cat "$md/metadata_version") in
		1.2) want="minimum" ;;
		*) want="mdadm --grow" ;;
		esac ;;
	/dev/mapper/*crypt*) want="cryptsetup resize" ;;
	/dev/mapper/*) want="minimum" ;;
	*) return 0 ;;
	esac
	[ "$FSCK_CMD" = "${FSCK_CMD#xfs}" ] || want="XFS, which cannot be shrunk"
	before=$(writes_of "$ROOT")
	run rescuectl shrink-root --yes --size 8M "$ROOT"
	rc_is "shrink-root $ROOT: refused" 3
	has "shrink-root $ROOT: the manual steps name '$want'" "$want"
	is "shrink-root $ROOT: not a sector written to it" "$(writes_of "$ROOT")" "$before"
	for m in $MEMBERS; do
		before=$(writes_of "$m")
		run rescuectl shrink-root --yes --size 64M "$m"
		rc_is "shrink-root $m: refused, a member" 3
		is "shrink-root $m: not a sector written to it" "$(writes_of "$m")" "$before"
	done
	md_clean shrink-root
}

std_all() {
	std_detect
	std_mount
	std_fsck
	std_passwords
	std_shrink_refused
	std_members_even
}
