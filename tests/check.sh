#!/bin/sh
# The README's test command runs this (make check): unit tests under ASan and
# UBSan, then the integration tests against the real binary. Ends with one
# summary line: "check: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
# The tests mount images. In a mount namespace of their own, a namespace
# some other program creates meanwhile (unshare, ip netns exec) cannot copy
# those mounts and keep a test's filesystem busy after its umount: rescuectl
# looks for mounts in every namespace and would rightly call it in use.
if [ -z "${RC_CHECK_NS:-}" ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	RC_CHECK_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi
log=build/check.log
mkdir -p build
: > "$log"
fail=0 pass=0
if ! make -s rescuectl unit-bin helpers >>"$log" 2>&1; then
	cat "$log"
	echo "check: build failed"
	echo "0 passed, 1 failed"
	exit 1
fi
for t in build/unit/test_*; do
	[ -x "$t" ] || continue
	out=$("$t" 2>&1); st=$?
	echo "$out"
	p=$(echo "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
	f=$(echo "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
	[ "$st" != 0 ] && [ "$f" = 0 ] && f=1
	pass=$((pass + p)); fail=$((fail + f))
done
tap=build/cli.tap
bats --tap tests/cli > "$tap" 2>&1; st=$?
cat "$tap"
p=$(grep -c '^ok ' "$tap"); f=$(grep -c '^not ok ' "$tap")
[ "$st" != 0 ] && [ "$f" = 0 ] && f=1
pass=$((pass + p)); fail=$((fail + f))
echo
echo "check: $pass passed, $fail failed"
[ "$fail" = 0 ]
