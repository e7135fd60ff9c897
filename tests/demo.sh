#!/bin/bash
# make demo: a disk that looks like a provider's server (GPT: ESP, /boot, ext4
# root holding a Debian 12 tree, swap), attached to a loop device, and the
# applets run on it the way a person in a rescue SSH session would run them.
# Everything is cleaned up on exit, also when interrupted.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
RESCUECTL=${RESCUECTL:-$TOP/rescuectl}
WORK=$(mktemp -d /tmp/rescuectl-demo.XXXXXX)
DEMO_IMG=$WORK/server.img
DEMO_MNT=$WORK/mnt
DEMO_DISK=
export RESCUECTL DEMO_IMG DEMO_MNT WORK TOP

cleanup() {
	trap - EXIT INT TERM
	if [ -n "${DEMO_MNT:-}" ] && grep -q " $DEMO_MNT" /proc/self/mounts 2>/dev/null; then
		"$RESCUECTL" umount-root --target "$DEMO_MNT" -q 2>/dev/null ||
			grep -o " $DEMO_MNT[^ ]*" /proc/self/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null
	fi
	# also a loop device attached just before an interrupt set DEMO_DISK
	for d in $DEMO_DISK $(losetup -j "$DEMO_IMG" -O NAME -n 2>/dev/null); do
		partx -d "$d" 2>/dev/null
		losetup -d "$d" 2>/dev/null
	done
	rm -rf "$WORK"
	echo
	echo "demo: cleaned up (loop device detached, $WORK removed)"
}
trap cleanup EXIT
trap 'echo; echo "demo: interrupted"; exit 130' INT TERM

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; echo "(exit $?)"; }
export -f step show

if [ "$(id -u)" != 0 ]; then
	echo "demo: needs root (loop devices and mounts)" >&2
	exit 1
fi

step "Building a provider-style disk image (GPT: ESP, /boot, ext4 root with Debian 12, swap)"
WITH_TRUE=1 ROOT_MB=${ROOT_MB:-384} "$TOP/tests/fixtures/mkdisk.sh" "$DEMO_IMG" debian12 gpt >/dev/null || exit 1
DEMO_DISK=$(losetup -f --show "$DEMO_IMG") || exit 1
partx -d "$DEMO_DISK" 2>/dev/null
partx -a "$DEMO_DISK"
export DEMO_DISK
sfdisk -l "$DEMO_DISK" | sed -n '/^Device/,$p'
mkdir -p "$DEMO_MNT"

step "Which partition is the installed root? (reads ext4 through libext2fs: no mount, no journal replay)"
show "$RESCUECTL" detect-root

for f in "$TOP"/tests/demo.d/*.sh; do
	[ -e "$f" ] || continue
	# shellcheck disable=SC1090
	. "$f"
done
