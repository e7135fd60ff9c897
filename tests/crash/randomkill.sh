#!/bin/bash
# randomkill.sh [-n RUNS] [SCENARIO...]
# Start rescuectl and SIGKILL it after a random delay within the time an
# uninterrupted run takes, RUNS times spread over the scenarios, and check
# after each kill what killpoints.sh checks (lib.sh). Bounded: each run is
# one applet call of well under a second. Ends with
# "randomkill: N passed, N failed (K killed mid-run)".
set -u
. "$(dirname "$0")/lib.sh"
in_private_namespace "$@"
runs=500
[ "${1:-}" = -n ] && { runs=$2; shift 2; }
[ $# -gt 0 ] || set -- $SCENARIOS
[ "$(id -u)" = 0 ] || die "needs root"
work=$(mktemp -d /tmp/rc-rkill.XXXXXX)
mnt=$work/mnt
mkdir -p "$mnt"
loop=
cleanup() {
	mountpoint -q "$mnt" && umount "$mnt"
	[ -n "$loop" ] && losetup -d "$loop" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

prepare() {
	rm -f "$work/work.img"  # a new inode: a loop device left on the old one cannot reach it
	cp --sparse=always "$work/$1.img" "$work/work.img"
	tgt=$work/work.img
	case $1 in *-root*)
		loop=$(losetup -f --show "$work/work.img") && mount "$loop" "$mnt" || die "cannot mount"
		tgt=$mnt ;;
	esac
}
release() {
	case $1 in *-root*) umount "$mnt" && losetup -d "$loop" && loop= ;; esac
	wait_free "$work/work.img"
}

# Per scenario: its image, the old and new versions, and how long a run takes (ms).
declare -A ms
for sc in "$@"; do
	base_image "$sc" "$work" >/dev/null 2>&1 || die "cannot build the $sc image"
	mv "$work/base.img" "$work/$sc.img"
	prepare "$sc"; snapshot "$sc" "$tgt" > "$work/$sc.before"
	t0=$(date +%s%N)
	run_cmd "$sc" "$tgt" >/dev/null 2>&1 || die "$sc: the uninterrupted run fails"
	ms[$sc]=$(( ($(date +%s%N) - t0) / 1000000 + 1 ))
	snapshot "$sc" "$tgt" > "$work/$sc.final"; release "$sc"
done

pass=0 fail=0 killed=0
scs=("$@")
for ((i = 0; i < runs; i++)); do
	sc=${scs[i % ${#scs[@]}]}
	prepare "$sc"
	delay=$(( RANDOM % ${ms[$sc]} ))
	# exec: the background job is rescuectl itself, so the kill reaches it
	run_cmd "$sc" "$tgt" exec >/dev/null 2>&1 &
	pid=$!
	sleep "$(printf '0.%03d' "$delay")"
	kill -KILL "$pid" 2>/dev/null && killed=$((killed + 1))
	wait "$pid" 2>/dev/null
	ok=0
	settle "$sc" "$work/work.img" || ok=1
	snapshot "$sc" "$tgt" > "$work/after-kill"
	check_between "$work/after-kill" "$work/$sc.before" "$work/$sc.final" || ok=1
	run_cmd "$sc" "$tgt" >/dev/null 2>&1 || { echo "  re-run failed" >&2; ok=1; }
	snapshot "$sc" "$tgt" > "$work/after-rerun"
	cmp -s "$work/after-rerun" "$work/$sc.final" || { echo "  re-run did not reach the new version" >&2; ok=1; }
	[ -z "$(strays "$tgt")" ] || { echo "  left behind: $(strays "$tgt")" >&2; ok=1; }
	after_rerun "$sc" "$tgt" "$work/$sc.before" || ok=1
	release "$sc" || ok=1
	e2fsck -fn "$work/work.img" >/dev/null 2>&1 || { echo "  e2fsck -fn is not clean" >&2; ok=1; }
	if [ $ok = 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "  ^ $sc killed after ${delay} ms" >&2; fi
done
echo "randomkill: $pass passed, $fail failed ($killed killed mid-run)"
[ $fail = 0 ]
