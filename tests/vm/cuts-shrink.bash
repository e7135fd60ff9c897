# Host-side checks of the shrink-root power cuts (sourced by cuts.sh). A
# cut can land anywhere in the plan -- table backup, e2fsck -f, resize2fs
# (which writes outside the journal, its undo log on the device itself),
# the table, growpart's files -- so the checks are about the disk as a
# whole, not a file's old or new version. First, in a boot of the cut disks,
# what a user runs after a power cut: 'shrink-root --rollback --yes DEV'
# (the scenario's cut_verify, guest/cutcheck.sh cut_rollback: a plain
# re-run refused first when an undo log is pending); then, on the disks
# as that left them:
#   (a) each disk's table is wholly the old one (the base's) or wholly the
#       new one (the calibration's): sfdisk -d compared;
#   (b) the filesystem is never larger than its partition;
#   (c) after the journal replay, e2fsck -fn is clean;
#   (d) every file reads back identical (sha256 of every regular file, read
#       with debugfs rdump; SUMS_SKIP: the files checked as WATCH);
#   (e) a table backup that exists is whole (the calibration's bytes), and
#       sfdisk restoring it on a copy of the disk gives the old table back
#       with a filesystem that fits and is clean.
# When (c) fails, what e2fsck -fn said is kept, and e2fsck -fy is run on a
# copy: whether every file is then identical goes into the diagnostics.

# norm_table IMG: sfdisk -d of IMG, its path replaced by DISK.
norm_table() { sfdisk -d "$1" 2> /dev/null | sed "s|$1|DISK|g"; }

# tables_keep DIR DISKDIR: every disk's table into DIR/table.NAME.
tables_keep() {
	local f
	mkdir -p "$1"
	for f in "$2"/disk*.img; do norm_table "$f" > "$1/table.$(basename "$f")"; done
}

# table_state DISKDIR: "old", "new", "mixed" (each disk wholly old or new, not
# all alike) or "bad:NAME" (a disk wholly neither).
table_state() {
	local f n t o=1 w=1
	for f in "$1"/disk*.img; do
		n=$(basename "$f")
		t=$(norm_table "$f")
		[ "$t" = "$(cat "$OLD/table.$n")" ] || o=0
		[ "$t" = "$(cat "$NEW/table.$n")" ] || w=0
		[ "$t" = "$(cat "$OLD/table.$n")" ] || [ "$t" = "$(cat "$NEW/table.$n")" ] || { echo "bad:$n"; return; }
	done
	# one disk's table new and another's old: shrink-root on md writes the
	# member disks one after the other, so a cut between them leaves that;
	# each table is whole, and the guest checks that every member still
	# holds what the array uses
	if [ $o = 1 ]; then echo old; elif [ $w = 1 ]; then echo new; else echo mixed; fi
}

# fs_blocks IMG: "BLOCKS BLOCKSIZE" of the ext4 in IMG (superblock).
fs_blocks() {
	dumpe2fs -h "$1" 2> /dev/null | awk -F: '/^Block count/ { c = $2 + 0 } /^Block size/ { b = $2 + 0 } END { print c, b }'
}

# file_sums IMG OUT: sha256 of every regular file of the ext4 IMG, sorted by
# name (as tests/vm/guest/shrink.sh's sums), without those in SUMS_SKIP.
file_sums() {
	local img=$1 out=$2 t
	t=$(mktemp -d "$(dirname "$out")/rdump.XXXXXX")
	# -c: without the bitmaps, which a cut in resize2fs may leave with bad checksums
	debugfs -c -R "rdump / $t" "$img" > /dev/null 2>&1
	(cd "$t" && find . -type f -exec sha256sum {} + | sort -k2) |
		grep -v -E "${SUMS_SKIP:-^$}" > "$out"
	rm -rf "$t"
}

# sums_diff SUMS: how SUMS differs from SUMS_OLD, in one line: the files
# changed, gone and new (up to 4 names each).
sums_diff() {
	join -j 2 -o 1.1,2.1,0 <(sort -k2 "$SUMS_OLD") <(sort -k2 "$1") | awk '$1 != $2 { print $3 }' > "$1.chg"
	printf 'files differ: %s changed (%s), %s gone (%s), %s new (%s)' \
		"$(wc -l < "$1.chg")" "$(head -n 4 "$1.chg" | tr '\n' ' ')" \
		"$(join -v 1 -j 2 <(sort -k2 "$SUMS_OLD") <(sort -k2 "$1") | wc -l)" \
		"$(join -v 1 -j 2 -o 0 <(sort -k2 "$SUMS_OLD") <(sort -k2 "$1") | head -n 4 | tr '\n' ' ')" \
		"$(join -v 2 -j 2 <(sort -k2 "$SUMS_OLD") <(sort -k2 "$1") | wc -l)" \
		"$(join -v 2 -j 2 -o 0 <(sort -k2 "$SUMS_OLD") <(sort -k2 "$1") | head -n 4 | tr '\n' ' ')"
	rm -f "$1.chg"
}

# fs_verdict IMG PARTBYTES LABEL: checks (b), (c), (d) on a partition copy
# whose journal is already replayed; appends to WHY, sets FSTATE.
fs_verdict() {
	local img=$1 pbytes=$2 what=$3 c b out fy
	read -r c b < <(fs_blocks "$img")
	if [ -z "$c" ] || [ -z "$b" ] || [ "$c" = 0 ]; then
		WHY="${WHY:+$WHY; }$what: no ext4 superblock"
		FSTATE=none
		return
	fi
	if [ "$c" = "$FS_OLD" ]; then FSTATE=big; elif [ "$c" = "$FS_NEW" ]; then FSTATE=small; else FSTATE="$c-blocks"; fi
	[ $((c * b)) -le "$pbytes" ] ||
		WHY="${WHY:+$WHY; }$what: the filesystem ($c blocks of $b = $((c * b)) bytes) is larger than its partition ($pbytes bytes)"
	if ! out=$(e2fsck -fn "$img" 2>&1); then
		FSCK_BAD=1
		WHY="${WHY:+$WHY; }$what: e2fsck -fn after the journal replay is not clean (the superblock says: $(dumpe2fs -h "$img" 2> /dev/null |
			sed -n 's/^Filesystem state: *//p'), $c blocks):"$'\n'"$(echo "$out" |
			grep -v -e '^Pass ' -e '^e2fsck [0-9]' -e '^$' -e '^Fix? no$' | awk '!seen[$0]++' | head -n 25)"
		file_sums "$img" "$img.sums"
		cmp -s "$img.sums" "$SUMS_OLD" && WHY="$WHY"$'\n'"(the files read back identical before any repair)" ||
			WHY="$WHY"$'\n'"(before any repair, $(sums_diff "$img.sums"))"
		cp --sparse=always "$img" "$img.fy"
		fy=$(e2fsck -fy "$img.fy" 2>&1; echo "exit $?")
		file_sums "$img.fy" "$img.sums"
		WHY="$WHY"$'\n'"e2fsck -fy: $(echo "$fy" | tail -n 1); then e2fsck -fn $(e2fsck -fn "$img.fy" > /dev/null 2>&1 && echo clean || echo 'NOT clean'); files $(cmp -s "$img.sums" "$SUMS_OLD" && echo identical || sums_diff "$img.sums")"
		rm -f "$img.fy"
		return
	fi
	file_sums "$img" "$img.sums"
	if ! cmp -s "$img.sums" "$SUMS_OLD"; then
		WHY="${WHY:+$WHY; }$what: $(sums_diff "$img.sums")"
	fi
	[ "$(wc -l < "$img.sums")" -gt 100 ] || WHY="${WHY:+$WHY; }$what: only $(wc -l < "$img.sums") files read back"
}

# part_bytes DISK N: partition N's size in bytes (0: no such partition).
part_bytes() {
	local c
	c=$(partx -g -o SECTORS -n "$2" "$1" 2> /dev/null | tr -d ' ')
	echo $((${c:-0} * 512))
}

# scratch_file RUNDIR PATH OUT: PATH from the scratch disk (journal replayed
# on a copy), or no OUT when it is not there.
scratch_file() {
	rm -f "$3"
	cp --sparse=always "$1/disks/scratch.img" "$1/scratch.copy"
	e2fsck -E journal_only -y "$1/scratch.copy" > /dev/null 2>&1
	debugfs -R "stat $2" "$1/scratch.copy" 2> /dev/null | grep -q '^Inode:' &&
		debugfs -R "dump $2 $3" "$1/scratch.copy" > /dev/null 2>&1
	rm -f "$1/scratch.copy"
}

# backup_verdict RUNDIR BACKUP: check (e). Sets BSTATE (absent, whole).
backup_verdict() {
	local d=$1 bk=$2 r
	scratch_file "$d" "$bk" "$d/backup"
	if [ ! -e "$d/backup" ]; then BSTATE=absent; return; fi
	if ! cmp -s "$d/backup" "$BACKUP_NEW"; then
		BSTATE=bad
		WHY="${WHY:+$WHY; }the table backup exists but is not whole ($(wc -c < "$d/backup") bytes, whole: $(wc -c < "$BACKUP_NEW"))"
		return
	fi
	BSTATE=whole
	cp --sparse=always "$d/disks/disk0.img" "$d/restore.img"
	if ! r=$(sfdisk -q --no-reread --no-tell-kernel "$d/restore.img" < "$d/backup" 2>&1); then
		WHY="${WHY:+$WHY; }sfdisk restoring the backup failed: $r"
	elif [ "$(norm_table "$d/restore.img" | sed 's|restore.img|disk0.img|g')" != "$(cat "$OLD/table.disk0.img")" ]; then
		WHY="${WHY:+$WHY; }the restored table is not the old one: $(diff <(norm_table "$d/restore.img") "$OLD/table.disk0.img" | head -n 4 | tr '\n' ' ')"
	elif [ "$FSCK_BAD" = 1 ]; then
		# the filesystem is not clean on the disk as cut (said above): the
		# restored table only has to hold it
		local c b
		read -r c b < <(fs_blocks "$d/part.img")
		[ $((c * b)) -le "$(part_bytes "$d/restore.img" "$PART")" ] || {
			BSTATE=whole-restore-bad
			WHY="${WHY:+$WHY; }with the backup restored the filesystem is larger than its partition"; }
	else
		part_out "$d/restore.img" "$PART" "$d/restore.part"
		e2fsck -E journal_only -y "$d/restore.part" > /dev/null 2>&1
		local w0=$WHY fs0=$FSTATE
		fs_verdict "$d/restore.part" "$(part_bytes "$d/restore.img" "$PART")" "with the backup restored"
		FSTATE=$fs0
		[ "$WHY" = "$w0" ] || BSTATE=whole-restore-bad
	fi
	rm -f "$d/restore.img" "$d/restore.part" "$d/restore.part.sums"
}

# rolled_back_old STATES: a log that was rolled back (or forgotten: its
# header had not reached the disk) gives the filesystem back at its old
# size in its old container and table; appends to WHY.
rolled_back_old() {
	local s=" $1 "
	case $s in *" undo=rolled-back "* | *" undo=forgotten "*) ;; *) return 0 ;; esac
	case $s in *" table=old "*) ;; *) s=bad ;; esac
	case $s in *" fs=big "* | *" fs=old "*) ;; *) s=bad ;; esac
	case $s in *" vol="*) case $s in *" vol=old "*) ;; *) s=bad ;; esac ;; esac
	[ "$s" = bad ] && WHY="${WHY:+$WHY; }after the rollback the filesystem, its container or the table is not the old one ($1)"
	return 0
}

# shrink_check_plain RUNDIR LABEL: (a)-(e) for a plain partition; the
# watched files (growpart's) old or new as in the file-level scenarios.
shrink_check_plain() {
	local d=$1 label=$2 f s tstate states
	WHY= FSCK_BAD=0 GSTATES=
	if [ -z "${SUMS_OLD:-}" ]; then
		# once per scenario (the first call is the calibration's)
		SUMS_OLD=$(dirname "$d")/sums.old
		file_sums "$(dirname "$d")/old.img" "$SUMS_OLD"
		FS_OLD=$(fs_blocks "$(dirname "$d")/old.img" | cut -d' ' -f1)
		FS_NEW=$(fs_blocks "$(dirname "$d")/new.img" | cut -d' ' -f1)
		BACKUP_NEW=$(dirname "$d")/backup.new
		scratch_file "$(dirname "$d")/cal" "${BACKUP:-/table.sfdisk}" "$BACKUP_NEW"
	fi
	# first what a user runs after the cut, in a boot of the cut disks: the
	# scenario's cut_verify (shrink-root --rollback; a re-run refused first
	# when an undo log is pending); the checks below are of the disks after it
	if declare -F cut_verify > /dev/null; then
		guest_check "$d"
		[ -n "$GWHY" ] && WHY=$GWHY
	fi
	tstate=$(table_state "$d/disks")
	case $tstate in bad*) WHY="${WHY:+$WHY; }the table is neither wholly old nor wholly new (${tstate#bad:})" ;; esac
	part_out "$d/disks/disk0.img" "$PART" "$d/part.img"
	e2fsck -E journal_only -y "$d/part.img" > "$d/replay.log" 2>&1
	fs_verdict "$d/part.img" "$(part_bytes "$d/disks/disk0.img" "$PART")" "the root"
	states="table=$tstate fs=$FSTATE${GSTATES:+ ${GSTATES% }}"
	rolled_back_old "$states"
	snapshot "$d/part.img" "$d"
	for f in $WATCH; do
		s=$(state "$f" "$d")
		states="$states $(basename "$f")=${s%%:*}"
		case $s in bad*) WHY="${WHY:+$WHY; }$f: $s" ;; esac
	done
	backup_verdict "$d" "${BACKUP:-/table.sfdisk}"
	states="$states backup=$BSTATE"
	rm -f "$d/part.img" "$d/part.img.sums"
	result "$d" "$label" " $states" "$WHY"
}

# added_states RUNDIR: the check boot's "# added: PATH ..." lines (the
# files the run adds to the target, which the guest leaves out of its
# every-file comparison: guest/cutcheck.sh added_report) against the
# calibration's, whose are kept as the new versions: each file absent (as
# before the run) or wholly the calibration's (bytes, mode, owner). Sets
# ASTATES ("NAME=absent|new|bad ..."); appends to WHY.
added_states() {
	local d=$1 new f rest want st
	new=$(dirname "$d")/added.new
	ASTATES=
	[ -f "$d/verify/results.log" ] || return 0
	tr -d '\r' < "$d/verify/results.log" | sed -n 's/^# added: //p' > "$d/added"
	[ -s "$d/added" ] || return 0
	case $d in */cal) cp "$d/added" "$new" ;; esac
	while read -r f rest; do
		want=$(awk -v f="$f" '$1 == f { $1 = ""; sub(/^ /, ""); print }' "$new" 2> /dev/null)
		if [ "$rest" = absent ]; then
			st=absent
		elif [ -n "$want" ] && [ "$rest" = "$want" ]; then
			st=new
		else
			st=bad
			WHY="${WHY:+$WHY; }$f is neither absent nor the calibration's ($rest; the calibration's: ${want:-none})"
		fi
		ASTATES="$ASTATES $(basename "$f")=$st"
	done < "$d/added"
}

# shrink_check_vol RUNDIR LABEL: md or LVM: (a) on the host, the rest in a
# second boot of the cut disks (the scenario's cut_verify, guest_check).
shrink_check_vol() {
	local d=$1 label=$2 tstate
	WHY=
	tstate=$(table_state "$d/disks")
	case $tstate in bad*) WHY="the table is neither wholly old nor wholly new (${tstate#bad:})" ;; esac
	guest_check "$d"
	[ -n "$GWHY" ] && WHY="${WHY:+$WHY; }$GWHY"
	added_states "$d"
	rolled_back_old "table=$tstate $GSTATES"
	result "$d" "$label" " table=$tstate ${GSTATES% }$ASTATES" "$WHY"
}
