#!/bin/bash
# killpoints.sh [-s STEP] [SCENARIO...]
# Kill rescuectl with SIGKILL just before its Nth call of each write
# syscall (strace -e inject=SYSCALL:signal=KILL:when=N), for N = 1, 2, ...
# until a run ends on its own, and after every kill check what a user would
# (lib.sh): each edited file wholly old or wholly new, e2fsck -fn clean, and
# a re-run that finishes the job and leaves no temporary file.
# -s STEP tries only every STEP-th N of each syscall (a sample; the first
# and the last are always tried). Prints one line per scenario and a total:
# "killpoints: N passed, N failed".
set -u
. "$(dirname "$0")/lib.sh"
in_private_namespace "$@"
step=1
[ "${1:-}" = -s ] && { step=$2; shift 2; }
[ $# -gt 0 ] || set -- $SCENARIOS
command -v strace >/dev/null || die "needs strace"
[ "$(id -u)" = 0 ] || die "needs root"
work=$(mktemp -d /tmp/rc-kill.XXXXXX)
mnt=$work/mnt
mkdir -p "$mnt"
cleanup() {
	mountpoint -q "$mnt" && umount "$mnt"
	[ -n "${loop:-}" ] && losetup -d "$loop" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
loop=

# prepare SCENARIO: work.img fresh; for *-root*, mounted on $mnt. Sets tgt.
prepare() {
	rm -f "$work/work.img"  # a new inode: a loop device left on the old one cannot reach it
	cp --sparse=always "$work/base.img" "$work/work.img"
	tgt=$work/work.img
	case $1 in *-root*)
		loop=$(losetup -f --show "$work/work.img") && mount "$loop" "$mnt" || die "cannot mount"
		tgt=$mnt ;;
	esac
}

# release SCENARIO: unmount and detach, so that the image can be checked.
release() {
	case $1 in *-root*)
		umount "$mnt" && losetup -d "$loop" && loop= ;;
	esac
	wait_free "$work/work.img"
}

# One kill point. Returns 0 checked fine, 1 failed, 3 the run was not killed
# (N is past the last call of that syscall).
one() {
	local sc=$1 sys=$2 n=$3 rc ok=0
	prepare "$sc"
	run_cmd "$sc" "$tgt" strace -f -qq -o /dev/null -e trace="$sys" \
		-e inject="$sys":signal=KILL:when="$n" >/dev/null 2>"$work/run.err"
	rc=$?
	if [ $rc -ne 137 ]; then
		release "$sc"
		[ $rc -eq 0 ] || { echo "  $sc $sys#$n: not killed, exit $rc: $(tail -n 2 "$work/run.err" | tr "\n" " ")" >&2; return 1; }
		return 3
	fi
	settle "$sc" "$work/work.img" || ok=1
	snapshot "$sc" "$tgt" > "$work/after-kill"
	check_between "$work/after-kill" "$work/before" "$work/final" || ok=1
	run_cmd "$sc" "$tgt" >/dev/null 2>&1 || { echo "  re-run failed" >&2; ok=1; }
	snapshot "$sc" "$tgt" > "$work/after-rerun"
	cmp -s "$work/after-rerun" "$work/final" || { echo "  re-run did not reach the new version" >&2; ok=1; }
	[ -z "$(strays "$tgt")" ] || { echo "  left behind: $(strays "$tgt")" >&2; ok=1; }
	after_rerun "$sc" "$tgt" "$work/before" || ok=1
	release "$sc" || ok=1
	e2fsck -fn "$work/work.img" >/dev/null 2>&1 || { echo "  e2fsck -fn is not clean" >&2; ok=1; }
	[ $ok = 0 ] || echo "  ^ $sc: killed before call $n of $sys" >&2
	return $ok
}

total_pass=0 total_fail=0
for sc in "$@"; do
	base_image "$sc" "$work" || die "cannot build the $sc image"
	# the old and the new version of every file, from one uninterrupted run
	prepare "$sc"; snapshot "$sc" "$tgt" > "$work/before"
	run_cmd "$sc" "$tgt" >/dev/null 2>&1 || die "$sc: the uninterrupted run fails"
	snapshot "$sc" "$tgt" > "$work/final"; release "$sc"
	cmp -s "$work/before" "$work/final" && die "$sc: the run changes nothing"
	pass=0 fail=0 points=""
	for sys in $WRITE_SYSCALLS; do
		n=1 last=0
		while :; do
			one "$sc" "$sys" "$n"; st=$?
			[ $st = 3 ] && break
			[ $st = 0 ] && pass=$((pass + 1)) || fail=$((fail + 1))
			last=$n
			if [ "$step" -gt 1 ] && [ $n -eq 1 ]; then n=$step; else n=$((n + step)); fi
		done
		# with a sample, make sure the last call of the syscall is tried too
		if [ "$step" -gt 1 ] && [ $n -gt $((last + 1)) ]; then
			for ((k = n - 1; k > last; k--)); do
				one "$sc" "$sys" "$k"; st=$?
				[ $st = 3 ] && continue
				[ $st = 0 ] && pass=$((pass + 1)) || fail=$((fail + 1))
				break
			done
		fi
		[ $last -gt 0 ] && points="$points $sys"
	done
	echo "killpoints: $sc: $pass kill points checked, $fail failed (syscalls:$points)"
	total_pass=$((total_pass + pass)); total_fail=$((total_fail + fail))
done
echo "killpoints: $total_pass passed, $total_fail failed"
[ $total_fail = 0 ]
