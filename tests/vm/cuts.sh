#!/bin/bash
# cuts.sh [--full] [SCENARIO...]: power cuts in the middle of a repair.
# Prints TAP, one line per cut, and a table per scenario in
# build/vm/cuts/SCENARIO.tsv.
#
# A scenario is one file, tests/vm/cuts/NAME.sh (see README there): the
# layout it runs on, the files it edits (WATCH), which file must be whole
# before another may change (BEFORE), and the guest commands (cut_prepare,
# cut_run, cut_finish), and optionally cut_setup (guest, once: the base
# disks every run starts from), SCRATCH (a scratch disk that survives the
# cut, /dev/vda), cut_check (host: the scenario's own checks, e.g.
# shrink-root's in cuts-shrink.bash) and cut_verify (guest: checks run in a
# second boot of the cut disks, for md and device-mapper). For each scenario:
#  1. a run without a cut (the calibration) gives the new version of every
#     watched file, the number W of write requests all disks complete
#     between "MARK go" and "MARK done" (after cut_finish and a sync), and
#     the time D between them;
#  2. each cut boots a fresh copy of the base and kills QEMU (SIGKILL)
#     right after the disks completed K of those writes (K in 0..W), or T
#     seconds after MARK go (T random in 0..D). The disk is throttled to
#     VM_CUT_IOPS writes a second so the host sees every write boundary;
#  3. the host then checks the root partition copied out of the image:
#     after the journal is replayed (e2fsck -E journal_only on a copy),
#     e2fsck -fn is clean; every watched file is wholly its old or wholly
#     its new version (same bytes, same mode and owner), never empty or
#     mixed; for each "A:B" in BEFORE, B is new only when A is (a backup is
#     complete before the file it saves changes).
# The sample (default, make check-vm) runs three scenarios (VM_CUT_SAMPLE_SCEN:
# reset-pass offline, clear-pass on a mounted tree, disable-growpart) and
# cuts each after VM_CUT_SAMPLE (1) write count drawn at random from 1..W-1
# and at one random time (the seed is printed; VM_CUT_SEED repeats a run);
# --full (make check-vm-slow) runs every scenario and cuts at every K in
# 0..W when W <= VM_CUT_EVERY (60), else at VM_CUT_SPREAD (40) evenly spaced
# K, plus random times: at least 10, at least VM_CUT_MIN (50) points in all.
# VM_CUT_POINTS="w62 t3.5" cuts at those points only (to repeat a failing
# cut). Scenarios named on the command line run whatever the mode.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
RESCUECTL=${RESCUECTL:-$TOP/rescuectl}
. "$TOP/tests/vm/vm.bash"
. "$TOP/tests/vm/cuts-shrink.bash"
full=0
[ "${1:-}" = --full ] && { full=1; shift; }
[ "${VM_FULL:-0}" = 1 ] && full=1
IOPS=${VM_CUT_IOPS:-20}
SAMPLE=${VM_CUT_SAMPLE:-1}
MIN=${VM_CUT_MIN:-50}
EVERY=${VM_CUT_EVERY:-60}
SPREAD=${VM_CUT_SPREAD:-40}
SEED=${VM_CUT_SEED:-$(date +%s)}
RANDOM=$SEED
OUT=$VMB/cuts
mkdir -p "$OUT"
n=0 failed=0

tap() { # tap ok|not-ok TEXT [DIAG]
	n=$((n + 1))
	if [ "$1" = ok ]; then echo "ok $n $2"; else echo "not ok $n $2"; failed=$((failed + 1)); fi
	[ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/# /'
	return 0
}

# part_out DISK N OUT: partition N of DISK copied to OUT (sparse).
part_out() {
	local s c
	read -r s c < <(partx -g -o START,SECTORS -n "$2" "$1")
	dd if="$1" of="$3" bs=1M iflag=skip_bytes,count_bytes skip=$((s * 512)) count=$((c * 512)) \
		conv=sparse status=none
}

# snapshot IMG DIR: every watched file of the ext4 IMG into DIR/files/PATH
# (absent: no file) and its "mode uid gid" into DIR/meta/PATH.
snapshot() {
	local img=$1 dir=$2 f cmds
	rm -rf "$dir/files" "$dir/meta"
	mkdir -p "$dir/files" "$dir/meta"
	cmds=$dir/debugfs.cmd
	: > "$cmds"
	for f in $WATCH; do
		mkdir -p "$(dirname "$dir/files$f")" "$(dirname "$dir/meta$f")"
		echo "dump $f $dir/files$f" >> "$cmds"
	done
	debugfs -f "$cmds" "$img" > /dev/null 2>&1
	for f in $WATCH; do
		[ -e "$dir/files$f" ] || continue
		debugfs -R "stat $f" "$img" 2> /dev/null |
			awk '/^Inode:/ { for (i = 1; i <= NF; i++) if ($i == "Mode:") m = $(i + 1) }
			     /^User:/ { u = $2; g = $4 } END { print m, u, g }' > "$dir/meta$f"
	done
}

# state F DIR: old, new, absent (when old or new is absent too) or "bad: why"
state() {
	local f=$1 got=$2/files$1 gm=$2/meta$1
	if [ ! -e "$got" ]; then
		if [ ! -e "$OLD/files$f" ] || [ ! -e "$NEW/files$f" ]; then echo absent; else echo "bad: missing"; fi
		return
	fi
	# bytes and mode/owner both old, or both new (a fix may change only the mode)
	if [ -e "$OLD/files$f" ] && cmp -s "$got" "$OLD/files$f" && cmp -s "$gm" "$OLD/meta$f"; then
		echo old
		return
	fi
	if [ -e "$NEW/files$f" ] && same_new "$f" "$got" "$NEW/files$f"; then
		cmp -s "$gm" "$NEW/meta$f" && echo new || echo "bad: new bytes, mode/owner $(cat "$gm")"
		return
	fi
	if [ -e "$OLD/files$f" ] && cmp -s "$got" "$OLD/files$f"; then
		echo "bad: old bytes, mode/owner $(cat "$gm")"
		return
	fi
	if [ ! -s "$got" ]; then echo "bad: empty"; else echo "bad: neither old nor new ($(wc -c < "$got") bytes)"; fi
}

# Default: the new version is byte for byte the calibration's.
same_new() { cmp -s "$2" "$3"; }

# shadow_same_but_hash FILE GOT NEW USER...: GOT is NEW except for the
# password field of USER, which holds a hash of $PW (reset-pass salts anew).
shadow_same_but_hash() {
	local got=$2 new=$3 u
	shift 3
	local norm='BEGIN { FS = OFS = ":"; n = split(users, a, " "); for (i = 1; i <= n; i++) u[a[i]] = 1 }
		($1 in u) { $2 = "HASH" } 1'
	cmp -s <(awk -v users="$*" "$norm" "$got") <(awk -v users="$*" "$norm" "$new") || return 1
	for u in "$@"; do
		printf '%s\n' "$PW" | "$TOP/build/helpers/cryptcheck" "$got" "$u" > /dev/null || return 1
	done
}

# check_disk RUNDIR LABEL: the checks of one cut; prints the TAP line.
check_disk() {
	local d=$1 label=$2 why="" states="" f s a b fsck
	part_out "$d/disks/disk0.img" "$PART" "$d/part.img" || { tap not-ok "$label" "cannot copy partition $PART"; return; }
	e2fsck -E journal_only -y "$d/part.img" > "$d/replay.log" 2>&1
	fsck=$(e2fsck -fn "$d/part.img" 2>&1)
	[ $? = 0 ] || why="e2fsck -fn after the journal replay is not clean"
	snapshot "$d/part.img" "$d"
	for f in $WATCH; do
		s=$(state "$f" "$d")
		states="$states $f=${s%%:*}"
		case $s in bad*) why="${why:+$why; }$f: $s" ;; esac
		eval "st_$(echo "$f" | tr -c 'a-zA-Z0-9\n' _)=\${s%%:*}"
	done
	for f in $BEFORE; do
		a=$(echo "${f%%:*}" | tr -c 'a-zA-Z0-9\n' _) b=$(echo "${f#*:}" | tr -c 'a-zA-Z0-9\n' _)
		if [ "$(eval echo "\$st_$b")" = new ] && [ "$(eval echo "\$st_$a")" != new ]; then
			why="${why:+$why; }${f#*:} is new but ${f%%:*} is not (the backup was not whole first)"
		fi
	done
	[ -n "$why" ] && why="$why"$'\n'"$(echo "$fsck" | grep -v -e '^Pass ' -e '^e2fsck [0-9]' -e '^Fix? no' -e '^$' | head -n 8)"
	result "$d" "$label" "$states" "$why"
}

# result RUNDIR LABEL STATES [WHY]: one cut's TAP line and table row; WHY
# (its first line in the table) empty means it passed.
result() {
	local d=$1 label=$2 states=$3 why=${4:-}
	printf '%s\t%s\t%s\t%s\n' "$label" "$(printf '%s' "${why:-ok}" | head -n 1)" "$states" "$(jq -r '
		([.marks[] | select(.name == "go")][0].writes | add) as $g
		| if .cut then "killed at \(.cut.t) s, \((.cut.writes | add) - $g) writes after go" else .end end' \
		"$d/summary.json" 2> /dev/null)" >> "$TSV"
	if [ -z "$why" ]; then
		tap ok "$label:$states"
	else
		tap not-ok "$label:$states" "$why"
	fi
}

# guest_head: the start of every guest script: the rig's shell libraries,
# the layout's facts and the scenario.
guest_head() {
	cat <<-'E'
	#!/bin/sh
	. ./lib.sh
	. ./std.sh
	. ./shrink.sh
	. ./cutcheck.sh
	. ./layout.sh
	[ -f vars ] && . ./vars
	. ./cut.sh
	E
}

# guest_check RUNDIR: boot the cut disks again (no throttle, no cut) and
# run the scenario's cut_verify in the guest: for what the host kernel
# cannot read (md, device-mapper). Sets GSTATES (the guest's "# state: X"
# lines) and GWHY (its "not ok" lines with their diagnostics; empty: all ok).
guest_check() {
	local d=$1
	{
		guest_head
		printf '%s\n' cut_verify done_tests
	} > "$d/verify.sh"
	VM_EXTRA=$d/extra vm_boot "$d/verify" "$d/verify.sh" $(disk_args "$d/disks") > /dev/null 2>&1
	GSTATES=$(sed -n 's/^# state: //p' "$d/verify/results.log" | tr -d '\r' | tr '\n' ' ')
	GWHY=
	if ! grep -q '^DONE 0 failed' "$d/verify/results.log"; then
		GWHY="the check VM: $(grep -A 6 '^not ok' "$d/verify/results.log" | tr -d '\r' | head -n 30)"
		# the whole guest report of a failing cut is kept (the TAP shows its start)
		mkdir -p "$OUT/failed"
		tr -d '\r' < "$d/verify/results.log" > "$OUT/failed/$(basename "$SCEN" .sh).$(jq -r '
			if .cut then (.cut.writes | add) else "end" end' "$d/summary.json" 2> /dev/null)-$(date +%H%M%S).log"
		grep -q '^DONE' "$d/verify/results.log" ||
			GWHY="$GWHY"$'\n'"the check VM did not finish: $(tail -n 10 "$d/verify/console.log" | tr -d '\r')"
	fi
}

# guest script of a cut run
guest_script() {
	guest_head > "$1"
	cat >> "$1" <<-'E'
	cut_prepare
	sync
	sleep 0.2
	mark go
	sleep 0.3
	cut_run > /tmp/cut.out 2>&1
	say "# applet exit $?"
	cat /tmp/cut.out >&2
	cut_finish
	sync
	sleep 0.3
	mark done
	sleep 0.3
	done_tests
	E
}

# disk_args DIR: --disk options for the layout's disks in DIR, and the
# scratch disk (virtio: /dev/vda in the guest) when the scenario has one.
disk_args() {
	vm_disk_args "$1"
	[ -n "$SCRATCH" ] && echo "--disk virtio:$1/scratch.img"
}

# base DIR: the disks every run of the scenario starts from: the layout's,
# the scratch disk (ext4, label scratch), then the scenario's cut_setup run
# once in the guest (no throttle), e.g. files written for a shrink to move.
base() {
	local b=$1
	rm -rf "$b"
	mkdir -p "$b/extra"
	vm_layout_copy "$LAYOUT" "$b/disks" || return 1
	if [ -n "$SCRATCH" ]; then
		truncate -s "$SCRATCH" "$b/disks/scratch.img"
		mke2fs -q -F -t ext4 -L scratch "$b/disks/scratch.img" || return 1
	fi
	declare -F cut_setup > /dev/null || return 0
	extra "$b/extra"
	printf '#!/bin/sh\n. ./lib.sh\n. ./std.sh\n. ./shrink.sh\n. ./cutcheck.sh\n. ./layout.sh\n[ -f vars ] && . ./vars\n. ./cut.sh\ncut_setup\nsync\ndone_tests\n' > "$b/setup.sh"
	VM_EXTRA=$b/extra vm_boot "$b/setup" "$b/setup.sh" $(disk_args "$b/disks") > /dev/null
	vm_assert "$b/setup" > "$b/setup.log" 2>&1
}

# extra DIR: the files a guest script of the scenario needs besides the rig's.
extra() {
	mkdir -p "$1"
	cp "$SCEN" "$1/cut.sh"
	cp "$VM/guest/shrink.sh" "$VM/guest/cutcheck.sh" "$1/"
}

# one_run NAME DIR [vm.py cut options]: boot a fresh copy of the base.
one_run() {
	local d=$2 f
	shift 2
	rm -rf "$d"
	mkdir -p "$d/disks"
	for f in "$BASE/disks"/*.img; do cp --sparse=always "$f" "$d/disks/"; done
	extra "$d/extra"
	guest_script "$d/run.sh"
	VM_EXTRA=$d/extra vm_boot "$d" "$d/run.sh" \
		$(disk_args "$d/disks" | sed "s|\$|:throttle=$IOPS|") "$@"
}

# check RUNDIR LABEL: the scenario's own check (cut_check), else the
# file-level one.
check() {
	if declare -F cut_check > /dev/null; then cut_check "$@"; else check_disk "$@"; fi
}

# points W D: the cut points of a run of W writes lasting D seconds, as
# "wK" (after K writes) and "tS" (S seconds after go). The sample: SAMPLE
# write counts drawn from 1..W-1 and one random time. --full: every K in
# 0..W when W <= VM_CUT_EVERY (60), else VM_CUT_SPREAD (40) evenly spaced
# K in 0..W; then random times, at least 10 and up to VM_CUT_MIN (50) points.
points() {
	local w=$1 dur=$2 k i pts="" n
	rtime() { awk -v r=$RANDOM -v d="$dur" 'BEGIN { printf "t%.3f", r / 32768 * d }'; }
	if [ $full = 1 ]; then
		if [ "$w" -le "$EVERY" ]; then
			for ((k = 0; k <= w; k++)); do pts="$pts w$k"; done
			n=$((w + 1))
		else
			pts=$(for ((i = 0; i < SPREAD; i++)); do echo "w$((i * w / (SPREAD - 1)))"; done | uniq | tr '\n' ' ')
			n=$SPREAD
		fi
		i=0
		while [ $((n + i)) -lt "$MIN" ] || [ $i -lt 10 ]; do
			pts="$pts $(rtime)"
			i=$((i + 1))
		done
	else
		pts=$(for ((k = 1; k < w; k++)); do echo "$RANDOM w$k"; done | sort -n | head -n "$SAMPLE" |
			cut -d' ' -f2 | sort -t w -k2 -n | tr '\n' ' ')
		pts="$pts $(rtime)"
	fi
	echo "$pts"
}

scenario() {
	local name=$1 d k w t dur
	SCEN=$TOP/tests/vm/cuts/$name.sh
	unset -f cut_setup cut_prepare cut_run cut_finish cut_check cut_verify same_new
	same_new() { cmp -s "$2" "$3"; }
	cut_prepare() { :; }
	cut_finish() { :; }
	PART=3 BEFORE="" WATCH="" SCRATCH="" BACKUP="" SUMS_SKIP="" SUMS_OLD="" ADDED=""
	. "$SCEN"
	TSV=$OUT/$name.tsv
	printf 'cut\tresult\tstates\tqemu\n' > "$TSV"
	vm_layout_build "$LAYOUT" > "$OUT/$name.build.log" 2>&1 || {
		tap not-ok "$name: layout $LAYOUT" "$(tail -n 20 "$OUT/$name.build.log")"; return; }
	d=$OUT/$name.work
	mkdir -p "$d"
	BASE=$d/base
	base "$BASE" || { tap not-ok "$name: the scenario's base disks (cut_setup)" "$(tail -n 30 "$BASE/setup.log")"; return; }
	OLD=$d/old NEW=$d/new
	part_out "$BASE/disks/disk0.img" "$PART" "$d/old.img"
	snapshot "$d/old.img" "$OLD"
	tables_keep "$OLD" "$BASE/disks"
	# 1. calibration: the whole run, no cut
	one_run "$name" "$d/cal"
	if ! grep -q '^MARK done' "$d/cal/results.log" || [ -z "$(jq -r '.marks[] | select(.name == "done") | .writes.d0' \
		"$d/cal/summary.json")" ]; then
		tap not-ok "$name: the run without a cut finishes" "$(tail -n 20 "$d/cal/console.log")"
		return
	fi
	# the scenario's own guest checks of the run (e.g. shrink-root's undo
	# log on the device): a calibration that did not test what it should
	# fails the scenario
	if grep -q '^not ok' "$d/cal/results.log"; then
		tap not-ok "$name: the run without a cut passes its guest checks" \
			"$(grep -A 8 '^not ok' "$d/cal/results.log" | tr -d '\r' | head -n 30)"
		return
	fi
	part_out "$d/cal/disks/disk0.img" "$PART" "$d/new.img"
	e2fsck -E journal_only -y "$d/new.img" > /dev/null 2>&1
	snapshot "$d/new.img" "$NEW"
	tables_keep "$NEW" "$d/cal/disks"
	# W: the writes of every drive (both halves of a mirror, the scratch disk)
	read -r w dur < <(jq -r '[.marks[] | select(.name == "go" or .name == "done")] |
		"\((.[1].writes | add) - (.[0].writes | add)) \(.[1].t - .[0].t)"' "$d/cal/summary.json")
	check "$d/cal" "$name: no cut (W=$w writes in $(printf %.1f "$dur") s)"
	# 2. the cut points
	for k in ${VM_CUT_POINTS:-$(points "$w" "$dur")}; do
		case $k in
		w*) one_run "$name" "$d/cut" --cut-mark go --cut-writes "all:${k#w}"; t="cut after ${k#w} of $w writes" ;;
		t*) one_run "$name" "$d/cut" --cut-mark go --cut-delay "${k#t}"; t="cut ${k#t}s after go" ;;
		esac
		if [ "$(jq -r .end "$d/cut/summary.json" 2> /dev/null)" != cut ]; then
			# the run ended before the cut point: that is a cut at the end
			t="$t (ran to the end)"
		fi
		check "$d/cut" "$name: $t"
	done
}

if ! vm_init; then
	echo "not ok 1 the VM rig could not be set up (base initramfs)"
	echo "1..1"
	exit 1
fi
if [ -n "$VM_SKIP" ]; then
	echo "1..0 # skip $VM_SKIP"
	exit 0
fi
if [ -n "$VM_FAIL" ]; then
	echo "not ok 1 $VM_FAIL"
	echo "1..1"
	exit 1
fi
echo "# power cuts: seed $SEED (VM_CUT_SEED), ${IOPS} writes/s, $([ $full = 1 ] && echo "every point" || echo "sample of $SAMPLE + 1")"
if [ $# -gt 0 ]; then
	names=$*
elif [ $full = 1 ]; then
	names=$(ls "$TOP/tests/vm/cuts/"*.sh | xargs -n1 basename | sed 's/\.sh$//')
else
	names=${VM_CUT_SAMPLE_SCEN:-reset-pass-offline clear-pass-mounted disable-growpart}
fi
for s in $names; do
	scenario "$s"
done
echo "1..$n"
[ $failed = 0 ]
