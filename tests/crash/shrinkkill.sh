#!/bin/bash
# shrinkkill.sh [-s STEP] [-r N]: shrink-root killed part-way, then what a
# user would check. The disk: a provider-style GPT image (mkdisk.sh) whose
# 600 MiB ext4 root (4 KiB blocks) holds a Debian tree and 60 MiB of files
# placed near its end (resize2fs must move them); the shrink: --size 400M.
#
# Two sweeps:
#  own     rescuectl itself SIGKILLed just before its Nth call of each write
#          syscall (strace without -f: its children run untraced), for N =
#          1, 2, ... until a run ends on its own (-s STEP: every STEPth N,
#          the last one always);
#  resize  the Nth pwrite64 to the root (resize2fs's but for rescuectl's
#          one undo-log locator: rescuectl's own resize2fs keeps its undo
#          log on the root itself), at N points (-r, default 8) spread
#          evenly over the writes one uninterrupted run makes: at odd
#          points the whole session is SIGKILLed there (killat.sh: as a
#          power cut or a dead SSH session would stop it), at even points
#          only the process making the write (resize2fs: rescuectl then
#          puts the blocks back at once and fails, exit 1).
# After every kill, on a fresh view of the disk (detached and attached
# again, as after a reboot):
#  - when an undo log was left on the root, a re-run refuses (exit 3),
#    changes no byte and names 'shrink-root --rollback', which is run;
#  - when an undo file was left, a re-run refuses (exit 3) and changes no
#    byte; it names 'rescuectl e2undo', which is run, or (resize2fs had
#    finished) calls the file stale, which is removed;
#  - the partition table is wholly the old one or wholly the new one;
#  - the filesystem is no larger than its partition;
#  - e2fsck -fn is clean and every file reads back identical;
#  - a re-run finishes the job: the new table, e2fsck clean, every file
#    identical, no undo file left.
# Prints one line per kill point that fails, and a total:
# "shrinkkill: N passed, N failed".
set -u
. "$(dirname "$0")/lib.sh"
in_private_namespace "$@"
unset RESCUECTL_SYSROOT   # lib.sh sets it for doctor; shrink-root reads this machine's /sys
step=1 rpoints=8
while [ $# -gt 0 ]; do
	case $1 in
	-s) step=$2; shift 2 ;;
	-r) rpoints=$2; shift 2 ;;
	*) die "usage: shrinkkill.sh [-s STEP] [-r N]" ;;
	esac
done
command -v strace >/dev/null || die "needs strace"
[ "$(id -u)" = 0 ] || die "needs root"
work=$(mktemp -d /tmp/rc-shrinkkill.XXXXXX)
export HOME=$work/home
mkdir -p "$HOME" "$work/m" "$work/bin"
L=
cleanup() {
	mountpoint -q "$work/m" && umount "$work/m"
	detach
	rm -rf "$work"
}
trap cleanup EXIT

detach() {
	[ -n "$L" ] || return 0
	partx -d "$L" 2> /dev/null
	losetup -d "$L" 2> /dev/null
	L=
}
attach() {
	L=$(losetup -f --show "$1") || die "cannot attach $1"
	partx -d "$L" 2> /dev/null
	partx -a "$L" || die "cannot add the partitions of $L"
	udevadm settle 2> /dev/null
	P=${L}p3
}
# The table as sfdisk dumps it, partitions named by number alone (a dump
# of the image file and one of its loop device name them differently).
dump() { sfdisk -d "$1" | grep -v '^device:' | sed -E 's|^[^ ]*[^0-9]([0-9]+) :|\1 :|'; }
# session CMD...: run CMD in a session of its own and wait, also for the
# children a killed rescuectl leaves running (an e2fsck, a resize2fs),
# as their writes are part of what the kill left. Returns CMD's status.
session() {
	setsid bash -c 'echo $$ > "$0"; exec "$@"' "$work/sid" "$@"
	local rc=$? sid i
	sid=$(cat "$work/sid")
	for ((i = 0; i < 600; i++)); do
		pgrep -s "$sid" > /dev/null || break
		sleep 0.1
	done
	return $rc
}
# sums: the checksum of every file; same_files: every file of the list taken
# before is there with the same bytes (the shrink adds growpart's files).
sums() {
	mount -o ro "$P" "$work/m" || return 1
	(cd "$work/m" && find . -type f -print0 | xargs -0 sha256sum | sort -k2)
	umount "$work/m"
}
same_files() {
	mount -o ro "$P" "$work/m" || return 1
	(cd "$work/m" && sha256sum -c --quiet "$work/sums" > /dev/null 2>&1)
	local rc=$?
	umount "$work/m"
	return $rc
}
shrink() { "$RESCUECTL" shrink-root --yes --size 400M "$P"; }
fresh() {
	detach
	rm -f "$work/disk.img" "$HOME"/*
	cp --sparse=always "$work/base.img" "$work/disk.img"
	attach "$work/disk.img"
}

# The disk, its files, its table before and after one uninterrupted run.
ROOT_MB=600 ROOT_FILL_MB=60 "$FIX/mkdisk.sh" "$work/base.img" debian12 gpt > /dev/null ||
	die "cannot build the disk"
dump "$work/base.img" > "$work/old.dump"
fresh
sums > "$work/sums" || die "cannot read the files"
shrink > "$work/cal.log" 2>&1 || die "the uninterrupted run fails: $(tail -n 3 "$work/cal.log")"
detach
dump "$work/disk.img" > "$work/new.dump"
cmp -s "$work/old.dump" "$work/new.dump" && die "the run changes no table"

# check LABEL: the checks after a kill; 0 when all hold.
check() {
	local why="" u t bs bc psz out
	detach
	cp --sparse=always "$work/disk.img" "$work/killed.img"
	attach "$work/disk.img"
	t=$(sha256sum < "$P")
	out=$(shrink 2>&1)
	if [ $? = 3 ] && [[ $out == *"stopped inside resize2fs"* ]]; then
		[ "$(sha256sum < "$P")" = "$t" ] || why="$why; the refused re-run changed the root"
		[[ $out == *"rescuectl shrink-root --rollback $P"* ]] || why="$why; the refusal does not name --rollback"
		"$RESCUECTL" shrink-root --rollback --yes "$P" > "$work/rb.log" 2>&1 ||
			why="$why; --rollback failed: $(tail -n 2 "$work/rb.log" | tr '\n' ' ')"
	else
		# it ran: put the disk back as the kill left it
		cp --sparse=always "$work/killed.img" "$work/disk.img"
		detach
		attach "$work/disk.img"
	fi
	u=$(ls "$HOME"/*.e2undo 2> /dev/null | head -n 1)
	if [ -n "$u" ]; then
		t=$(sha256sum < "$P")
		out=$(shrink 2>&1)
		[ $? = 3 ] || why="$why; a re-run with $u left did not refuse"
		[ "$(sha256sum < "$P")" = "$t" ] || why="$why; the refused re-run changed the root"
		if [[ $out == *"rescuectl e2undo $u $P"* ]]; then
			# resize2fs did not finish: the e2undo it names puts it back
			"$RESCUECTL" e2undo "$u" "$P" > /dev/null 2>&1 || why="$why; e2undo failed"
		elif [[ $out != *"it is stale"* ]]; then
			# else resize2fs finished before the kill: the file is stale
			why="$why; the refusal names neither e2undo nor a stale file"
		fi
		rm -f "$u"
	fi
	dump "$L" > "$work/now.dump"
	cmp -s "$work/now.dump" "$work/old.dump" || cmp -s "$work/now.dump" "$work/new.dump" ||
		why="$why; the table is neither the old nor the new one"
	bs=$(dumpe2fs -h "$P" 2> /dev/null | awk -F: '/^Block size/ { print $2 + 0 }')
	bc=$(dumpe2fs -h "$P" 2> /dev/null | awk -F: '/^Block count/ { print $2 + 0 }')
	psz=$(blockdev --getsize64 "$P")
	[ -n "$bc" ] && [ $((bc * bs)) -le "$psz" ] || why="$why; the filesystem ($bc x $bs) is larger than its partition ($psz)"
	e2fsck -fn "$P" > "$work/fsck.log" 2>&1 || why="$why; e2fsck -fn: $(grep -v -e '^Pass' -e '^e2fsck' "$work/fsck.log" | head -n 3 | tr '\n' ' ')"
	same_files || why="$why; files differ"
	shrink > "$work/rerun.log" 2>&1 || why="$why; the re-run failed: $(tail -n 2 "$work/rerun.log" | tr '\n' ' ')"
	detach
	attach "$work/disk.img"
	dump "$L" | cmp -s - "$work/new.dump" || why="$why; after the re-run the table is not the new one"
	e2fsck -fn "$P" > /dev/null 2>&1 || why="$why; after the re-run e2fsck -fn is not clean"
	same_files || why="$why; after the re-run files differ"
	ls "$HOME"/*.e2undo > /dev/null 2>&1 && why="$why; an undo file is left after the re-run"
	[ -z "$why" ] && return 0
	echo "  $1:${why#;}" >&2
	return 1
}

pass=0 fail=0
tally() { if [ "$1" = 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi; }

# own: rescuectl's own write syscalls. 0 killed and checked, 1 failed, 3 not killed.
own_one() {
	fresh
	session strace -qq -o /dev/null -e trace="$1" -e inject="$1":signal=KILL:when="$2" \
		"$RESCUECTL" shrink-root --yes --size 400M "$P" > /dev/null 2> "$work/run.err"
	local rc=$?
	if [ $rc != 137 ]; then
		[ $rc = 0 ] && return 3
		echo "  $1#$2: not killed, exit $rc: $(tail -n 2 "$work/run.err" | tr '\n' ' ')" >&2
		return 1
	fi
	check "rescuectl killed before its call $2 of $1"
}
for sys in $WRITE_SYSCALLS; do
	n=1 last=0
	while :; do
		own_one "$sys" "$n"; st=$?
		[ $st = 3 ] && break
		tally $st
		last=$n
		if [ "$step" -gt 1 ] && [ $n = 1 ]; then n=$step; else n=$((n + step)); fi
	done
	if [ "$step" -gt 1 ] && [ $n -gt $((last + 1)) ]; then
		for ((k = n - 1; k > last; k--)); do
			own_one "$sys" "$k"; st=$?
			[ $st = 3 ] && continue
			tally $st
			break
		done
	fi
done
own=$((pass + fail))

# resize: the Nth pwrite64 to the root, counted over one whole run.
fresh
strace -f -qq -c -o "$work/count" -P "$P" -e trace=pwrite64 "$RESCUECTL" shrink-root --yes --size 400M "$P" \
	> /dev/null 2>&1 || die "the counting run fails"
w=$(awk '$NF == "pwrite64" { print $4 }' "$work/count")
[ "${w:-0}" -gt 1 ] || die "the run made no pwrite64 calls to $P to count"
for ((i = 1; i <= rpoints; i++)); do
	k=$(( (w * i) / (rpoints + 1) ))
	[ $k -ge 1 ] || k=1
	fresh
	if [ $((i % 2)) = 1 ]; then
		"$(dirname "$0")/killat.sh" "$k" "$P" "$RESCUECTL" shrink-root --yes --size 400M "$P"
		rc=$?
		what="the whole session killed before write $k of $w to the root"
		[ $rc = 0 ] || { echo "  $what: killat.sh says $rc" >&2; tally 1; continue; }
	else
		strace -f -qq -o /dev/null -P "$P" -e trace=pwrite64 -e inject=pwrite64:signal=KILL:when=$k \
			"$RESCUECTL" shrink-root --yes --size 400M "$P" > /dev/null 2> "$work/run.err"
		rc=$?
		what="the process making write $k of $w to the root killed"
		if [ $rc != 1 ] || ! grep -q "put back the .* blocks it had written" "$work/run.err"; then
			echo "  $what: rescuectl did not put the blocks back (exit $rc: $(tail -n 2 "$work/run.err" | tr '\n' ' '))" >&2
			tally 1
			continue
		fi
	fi
	check "$what"
	tally $?
done
echo "shrinkkill: own write syscalls $own points, $rpoints of the $w writes to the root"
echo "shrinkkill: $pass passed, $fail failed"
[ $fail = 0 ]
