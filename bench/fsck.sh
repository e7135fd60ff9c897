#!/bin/bash
# bench/fsck.sh: the cost of rescuectl fsck over running e2fsck by hand on the
# same image: a sparse multi-GB ext4 with many files. Prints the ratios; the
# last rows run the bundled e2fsck (--checker bundled).
# Env: SIZE (default 8G), FILES (default 300000, about a server root), RUNS (default 10), KEEP=1.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
rc=${RESCUECTL:-$top/rescuectl}
SIZE=${SIZE:-8G} FILES=${FILES:-300000} RUNS=${RUNS:-10}
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-fsck.XXXXXX")
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
img=$work/disk.img

echo "# building a $SIZE sparse ext4 image with $FILES files ..."
mkdir -p "$work/tree"
per=1000
d=0
while [ $((d * per)) -lt "$FILES" ]; do
	mkdir -p "$work/tree/d$d"
	(cd "$work/tree/d$d" && seq 1 "$per" | split -l 1 -a 4 - f)
	d=$((d + 1))
done
# some bigger files too, so that there are extents to walk
for i in $(seq 1 20); do head -c 4M /dev/urandom > "$work/tree/big$i"; done
truncate -s "$SIZE" "$img"
mke2fs -q -F -t ext4 -d "$work/tree" "$img"
rm -rf "$work/tree"
echo "# $(du -h --apparent-size "$img" | cut -f1) apparent, $(du -h "$img" | cut -f1) allocated; $(e2fsck -fn "$img" 2>&1 | tail -1)"

# ms: mean in milliseconds of a command, RUNS runs after a warm-up
ms() {
	if command -v hyperfine >/dev/null; then
		hyperfine -N -w 1 -r "$RUNS" -i --export-json "$work/h.json" "$1" >/dev/null 2>&1
		sed -n 's/.*"mean": *\([0-9.e-]*\).*/\1/p' "$work/h.json" | head -1 | awk '{printf "%.1f", $1 * 1000}'
	else
		local t0 t1 i
		eval "$1" >/dev/null 2>&1 || true
		t0=$(date +%s%N)
		for i in $(seq 1 "$RUNS"); do eval "$1" >/dev/null 2>&1 || true; done
		t1=$(date +%s%N)
		awk -v a="$t0" -v b="$t1" -v n="$RUNS" 'BEGIN {printf "%.1f", (b - a) / n / 1e6}'
	fi
}

row() {
	local name=$1 base=$2 ours=$3 b o
	b=$(ms "$base")
	o=$(ms "$ours")
	printf '%-34s %10s ms %10s ms %8s\n' "$name" "$b" "$o" "$(awk -v b="$b" -v o="$o" 'BEGIN {printf "%.3f", o / b}')"
}

printf '%-34s %13s %13s %8s\n' "case ($RUNS runs each)" "e2fsck" "rescuectl" "ratio"
row "check-only (e2fsck -fn)" "e2fsck -fn $img" "$rc fsck -n $img"
row "repair-all on a clean fs (-fy)" "e2fsck -fy $img" "$rc fsck -y $img"
row "repair-safe on a clean fs (-fp)" "e2fsck -fp $img" "$rc fsck $img"
row "check-only, JSON" "e2fsck -fn $img" "$rc fsck -n --json $img"
# the e2fsck built into rescuectl (-Os, static) against Debian's (-O2, dynamic)
row "check-only, bundled e2fsck" "e2fsck -fn $img" "$rc fsck -n --checker bundled $img"
row "repair-all, bundled e2fsck" "e2fsck -fy $img" "$rc fsck -y --checker bundled $img"

# CPU time (user + sys) per run: what the two e2fsck cost, less disturbed
# than wall time by other work on the machine
cpu() {
	local TIMEFORMAT='%U %S' i
	{ time for i in $(seq 1 "$RUNS"); do "$@" >/dev/null 2>&1; done; } 2> "$work/cpu"
	awk -v n="$RUNS" '{printf "%.1f", ($1 + $2) * 1000 / n}' "$work/cpu"
}
printf '\n%-34s %13s %13s %8s\n' "CPU time per run ($RUNS runs each)" "Debian's" "bundled" "ratio"
for mode in -fn -fy; do
	b=$(cpu e2fsck "$mode" "$img")
	o=$(cpu "$rc" e2fsck "$mode" "$img")
	printf '%-34s %10s ms %10s ms %8s\n' "e2fsck $mode" "$b" "$o" "$(awk -v b="$b" -v o="$o" 'BEGIN {printf "%.3f", o / b}')"
done
