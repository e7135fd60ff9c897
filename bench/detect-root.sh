#!/bin/bash
# bench/detect-root.sh: detect-root against os-prober on the same disks.
# A provider-style GPT disk (ESP, /boot, ext4 root, swap) is attached to a
# loop device. os-prober always examines every block device of the machine
# (mounting each partition it does not recognise otherwise); detect-root with
# no DEVICE scans the same set, reading ext4 through libext2fs without a
# mount. Also timed: both restricted to the demo disk (os-prober in a mount
# namespace whose /sys/block holds only that disk: it takes its partitions
# from there), a comparison that does not depend on the other block devices
# the machine has at the time.
# Prints median times and the ratios (hyperfine, one run). Needs root.
# BEFORE=path/to/an/older/rescuectl times that one too, in the same run
# (the machine may be shared: before and after are then compared under the
# same load).
set -u
cd "$(dirname "$0")/.."
R=$PWD/rescuectl
for t in os-prober hyperfine jq unshare; do
	command -v "$t" >/dev/null || { echo "detect-root bench: $t not installed (sh mk/deps.sh bench)"; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "detect-root bench: needs root (loop devices)"; exit 1; }
W=$(mktemp -d /tmp/rescuectl-bench.XXXXXX)
L=
cleanup() {
	[ -n "$L" ] && { partx -d "$L" 2>/dev/null; losetup -d "$L" 2>/dev/null; }
	rm -rf "$W"
}
trap cleanup EXIT
# WITH_TRUE: os-prober only calls it Linux when it sees /lib*/ld*.so*
WITH_TRUE=1 tests/fixtures/mkdisk.sh "$W/disk.img" debian12 gpt >/dev/null
L=$(losetup -f --show "$W/disk.img")
# partitions a previous user of this loop device left (partx -a, then
# losetup -d without partx -d) would hide ours: they are stale
partx -d "$L" 2>/dev/null
partx -a "$L"
udevadm settle 2>/dev/null
sleep 0.5
devs="$L ${L}p1 ${L}p2 ${L}p3 ${L}p4"
echo "disk: GPT, 4 partitions (ESP, /boot ext4, root ext4, swap) on $L"
echo "os-prober finds:   $(os-prober 2>/dev/null | grep "^${L}" | tr '\n' ' ')"
echo "detect-root finds: $("$R" detect-root --json $devs | jq -r '.roots[] | .device + " " + .os.pretty_name')"
echo "block devices on this machine: $(ls /sys/class/block | wc -l)"
sum=$(sha256sum "$W/disk.img")
before=()
if [ -n "${BEFORE:-}" ]; then
	before=(-n "before: detect-root (all devices)" "$BEFORE detect-root --all"
		-n "before: detect-root (the disk's devices)" "$BEFORE detect-root --all $devs")
fi
disk=${L#/dev/}
only="unshare -m sh -c 'mount -t tmpfs rescuectl-bench /sys/block && ln -s $(readlink -f /sys/block/$disk) /sys/block/$disk && exec os-prober'"
echo "os-prober on the disk alone finds: $(sh -c "$only" 2>/dev/null | tr '\n' ' ')"
hyperfine -N -i -w 3 -r "${RUNS:-15}" --export-json "$W/h.json" \
	-n os-prober "os-prober" \
	-n "os-prober (the disk's partitions)" "$only" \
	-n "detect-root (all devices)" "$R detect-root --all" \
	-n "detect-root (the disk's devices)" "$R detect-root --all $devs" "${before[@]}" >/dev/null 2>&1
# medians: the machine may be shared, and a mean follows its hiccups
jq -r '.results[] | "\(.command)\tmedian \(.median * 1000 | . * 10 | round / 10) ms (mean \(.mean * 1000 | . * 10 | round / 10) ± \(.stddev * 1000 | . * 10 | round / 10))"' "$W/h.json" |
	awk -F'\t' '{ printf "  %-42s %s\n", $1, $2 }'
jq -r '.results as $r | $r[2:][] | (if (.command | test("all devices")) then $r[0] else $r[1] end) as $o |
	"ratio \($o.command) / \(.command): \($o.median / .median | round)x"' "$W/h.json"
[ "$sum" = "$(sha256sum "$W/disk.img")" ] && echo "disk image unchanged by both (sha256)" ||
	echo "disk image CHANGED during the bench (os-prober mounts partitions: a read-only ext4 mount may replay a journal)"
