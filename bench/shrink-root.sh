#!/bin/bash
# bench/shrink-root.sh: rescuectl shrink-root against the same job done by
# hand (e2fsck -f, resize2fs, sfdisk -N, partx -u) on copies of one image
# whose root has its files spread over the disk, so resize2fs has blocks to
# move. Prints the medians and the ratios. Needs root (loop devices).
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
RESCUECTL=${RESCUECTL:-$TOP/rescuectl}
RUNS=${RUNS:-5}
ROOT_MB=${ROOT_MB:-3072} FILL_MB=${FILL_MB:-200} SPREAD_MB=${SPREAD_MB:-320} NEW_MB=${NEW_MB:-1200}
[ "$(id -u)" = 0 ] || { echo "bench/shrink-root: needs root"; exit 1; }
W=$(mktemp -d /tmp/rescuectl-bench.XXXXXX)
L=
cleanup() {
	[ -n "$L" ] && { partx -d "$L" 2>/dev/null; losetup -d "$L" 2>/dev/null; }
	mountpoint -q "$W/m" 2>/dev/null && umount "$W/m"
	rm -rf "$W"
}
trap cleanup EXIT

# stale partition nodes of an earlier user of the same loop device go first
attach() {
	L=$(losetup -f --show "$1")
	partx -d "$L" 2>/dev/null || true
	partx -a "$L"
	udevadm settle 2>/dev/null || true
	for _ in 1 2 3 4 5 6 7 8 9 10; do [ -b "${L}p3" ] && return 0; sleep 0.1; done
	echo "bench/shrink-root: ${L}p3 did not appear" >&2; return 1
}
detach() { partx -d "$L" 2>/dev/null || true; losetup -d "$L"; L=; }

# The master image: root of ROOT_MB with FILL_MB of files, half of them
# deleted; a filler file preallocated over the low blocks, SPREAD_MB of files
# written after it into 8 new directories, the filler deleted: those files
# sit past the new end and resize2fs has to move them.
ROOT_MB=$ROOT_MB ROOT_FILL_MB=$FILL_MB "$TOP/tests/fixtures/mkdisk.sh" "$W/master.img" debian12 gpt >/dev/null
attach "$W/master.img"
mkdir -p "$W/m"
mount "${L}p3" "$W/m"
rm -f "$W"/m/srv/data/blob*[02468]
fallocate -l "${NEW_MB}M" "$W/m/filler"
for d in 1 2 3 4 5 6 7 8; do
	mkdir -p "$W/m/new$d"
	for i in $(seq 1 $((SPREAD_MB / 8))); do head -c 1048576 /dev/urandom > "$W/m/new$d/f$i"; done
done
rm "$W/m/filler"
umount "$W/m"
sync
min=$(resize2fs -P "${L}p3" 2>&1 | awk -F: '/minimum/ {print $2+0}')
[ -n "$min" ] || { echo "bench/shrink-root: resize2fs -P ${L}p3 failed:"; resize2fs -P "${L}p3"; e2fsck -fn "${L}p3" | tail -3; exit 1; }
beyond=0
for d in 1 2 3 4 5 6 7 8; do
	blk=$(debugfs -R "stat /new$d/f1" "${L}p3" 2>/dev/null | sed -n 's/.*(0-[0-9]*):\([0-9]*\).*/\1/p' | head -1)
	[ -n "$blk" ] && [ $((blk * 4096)) -gt $((NEW_MB * 1048576)) ] && beyond=$((beyond + 1))
done
bs=$(dumpe2fs -h "${L}p3" 2>/dev/null | awk -F: '/^Block size/ {print $2+0}')
start=$(partx -g -o START -n 3 "$L" | tr -d ' ')
detach
new_sectors=$((NEW_MB * 2048))
echo "image: root ${ROOT_MB} MiB, $((FILL_MB / 2 + SPREAD_MB)) MiB of files, $beyond of 8 directories past the new end;" \
     "resize2fs -P: $((min * bs / 1048576)) MiB; shrinking to $NEW_MB MiB, $RUNS runs each"

now() { date +%s.%N; }
tool=() hand=() verify=()
run_tool() {
	# rescuectl: plan, e2fsck -f -y, resize2fs, libfdisk + BLKPG, e2fsck -fn
	cp --sparse=always "$W/master.img" "$W/run.img"
	attach "$W/run.img"
	sync
	t0=$(now)
	"$RESCUECTL" shrink-root --yes -q --backup "$W/bk" --size "${NEW_MB}M" "${L}p3" >/dev/null 2>&1
	t1=$(now)
	tool+=("$(echo "$t1 - $t0" | bc)")
	detach
	rm -f "$W/bk"
}
run_hand() {
	# by hand, as a careful person types it
	cp --sparse=always "$W/master.img" "$W/run.img"
	attach "$W/run.img"
	sync
	t0=$(now)
	e2fsck -f -y "${L}p3" >/dev/null 2>&1
	resize2fs "${L}p3" "${NEW_MB}M" >/dev/null 2>&1
	echo "$start, $new_sectors" | sfdisk -q -N 3 --no-reread "$L" >/dev/null 2>&1
	partx -u -n 3 "$L"
	t1=$(now)
	e2fsck -fn "${L}p3" >/dev/null 2>&1
	t2=$(now)
	hand+=("$(echo "$t1 - $t0" | bc)")
	verify+=("$(echo "$t2 - $t0" | bc)")
	detach
}
run_hand_undo() {
	# by hand with e2fsprogs' own undo file (resize2fs -z), which the
	# careful person keeps for a failed resize: the fairer comparison for
	# rescuectl's undo log (that file is not flushed: it undoes a killed
	# resize2fs, not a power cut)
	cp --sparse=always "$W/master.img" "$W/run.img"
	attach "$W/run.img"
	sync
	rm -f "$W/undo"
	t0=$(now)
	e2fsck -f -y "${L}p3" >/dev/null 2>&1
	resize2fs -z "$W/undo" "${L}p3" "${NEW_MB}M" >/dev/null 2>&1
	echo "$start, $new_sectors" | sfdisk -q -N 3 --no-reread "$L" >/dev/null 2>&1
	partx -u -n 3 "$L"
	e2fsck -fn "${L}p3" >/dev/null 2>&1
	t1=$(now)
	handz+=("$(echo "$t1 - $t0" | bc)")
	detach
	rm -f "$W/undo"
}
handz=()
# alternate which goes first, so page-cache and writeback effects even out
for r in $(seq 1 "$RUNS"); do
	if [ $((r % 2)) = 1 ]; then run_tool; run_hand; run_hand_undo; else run_hand_undo; run_hand; run_tool; fi
done
med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "samples (s): rescuectl ${tool[*]}; by hand ${hand[*]}; by hand with -z ${handz[*]}"
T=$(med "${tool[@]}") H=$(med "${hand[@]}") V=$(med "${verify[@]}")
printf 'rescuectl shrink-root (plan, resize2fs -P x2, growpart drop-in, e2fsck -fn): %.2f s\n' "$T"
printf 'by hand: e2fsck -f + resize2fs + sfdisk -N + partx -u:                    %.2f s  ratio %.2f\n' "$H" "$(echo "$T / $H" | bc -l)"
printf 'by hand plus the same e2fsck -fn verification:                           %.2f s  ratio %.2f\n' "$V" "$(echo "$T / $V" | bc -l)"
Z=$(med "${handz[@]}")
printf 'by hand with resize2fs -z FILE (e2fsprogs undo file) and e2fsck -fn:     %.2f s  ratio %.2f\n' "$Z" "$(echo "$T / $Z" | bc -l)"
echo "(rescuectl's undo log is flushed before every write it protects, so it survives a power cut; the others do not)"
