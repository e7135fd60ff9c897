#!/bin/bash
# bench/detect-root.sh: detect-root against os-prober on the same disks.
# A provider-style GPT disk (ESP, /boot, ext4 root, swap) is attached to a
# loop device; both tools look at that disk alone: detect-root given its
# devices, os-prober in a mount namespace whose /sys/block holds only that
# disk (it takes its partitions from there). detect-root reads ext4 through
# libext2fs without a mount; os-prober grub-mounts every partition.
# ALL=1 also times both over every block device of the machine, as they run
# without arguments. That depends on what else is attached at the time and
# reaches into other users' devices (detect-root mounts each xfs/btrfs it
# finds, read-only, in a private namespace; os-prober grub-mounts them), so
# it is not the default: on a shared machine it made other sessions' tests
# fail.
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
disk=${L#/dev/}
only="unshare -m sh -c 'mount -t tmpfs rescuectl-bench /sys/block && ln -s $(readlink -f /sys/block/$disk) /sys/block/$disk && exec os-prober'"
echo "os-prober on the disk alone finds: $(sh -c "$only" 2>/dev/null | tr '\n' ' ')"
echo "detect-root finds: $("$R" detect-root --json $devs | jq -r '.roots[] | .device + " " + .os.pretty_name')"
sum=$(sha256sum "$W/disk.img")
cmds=(-n "os-prober (the disk's partitions)" "$only"
	-n "detect-root (the disk's devices)" "$R detect-root --all $devs")
[ -n "${BEFORE:-}" ] && cmds+=(-n "before: detect-root (the disk's devices)" "$BEFORE detect-root --all $devs")
if [ -n "${ALL:-}" ]; then
	echo "block devices on this machine: $(ls /sys/class/block | wc -l)"
	cmds+=(-n "os-prober (all devices)" "os-prober" -n "detect-root (all devices)" "$R detect-root --all")
	[ -n "${BEFORE:-}" ] && cmds+=(-n "before: detect-root (all devices)" "$BEFORE detect-root --all")
fi
hyperfine -N -i -w 3 -r "${RUNS:-15}" --export-json "$W/h.json" "${cmds[@]}" >/dev/null 2>&1
# medians: the machine may be shared, and a mean follows its hiccups
jq -r '.results[] | "\(.command)\tmedian \(.median * 1000 | . * 10 | round / 10) ms (mean \(.mean * 1000 | . * 10 | round / 10) ± \(.stddev * 1000 | . * 10 | round / 10))"' "$W/h.json" |
	awk -F'\t' '{ printf "  %-42s %s\n", $1, $2 }'
jq -r '.results as $r | ($r[] | select(.command | startswith("os-prober"))) as $o |
	$r[] | select((.command | test("detect-root")) and (.command | test("all devices")) == ($o.command | test("all devices"))) |
	"ratio \($o.command) / \(.command): \($o.median / .median | . * 10 | round / 10)x"' "$W/h.json"
[ "$sum" = "$(sha256sum "$W/disk.img")" ] && echo "disk image unchanged by both (sha256)" ||
	echo "disk image CHANGED during the bench (os-prober mounts partitions: a read-only ext4 mount may replay a journal)"
