# Shared bats helpers: the binary, fixture builders, loop devices and mounts
# that are always cleaned up, also when a test fails.
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RESCUECTL=${RESCUECTL:-$TOP/rescuectl}
FIX=$TOP/tests/fixtures
export PATH=$TOP/build/helpers:$PATH

# Skip unless we can make loop devices (root, losetup, a loop-capable kernel).
need_loop() {
	[ "$(id -u)" = 0 ] || skip "needs root for loop devices and mounts"
	command -v losetup >/dev/null || skip "needs losetup (util-linux)"
	[ -e /dev/loop-control ] || modprobe loop 2>/dev/null || true
	[ -e /dev/loop-control ] || skip "no loop device support in this kernel"
}

need_root() {
	[ "$(id -u)" = 0 ] || skip "needs root"
}

# Resources to release in teardown, newest first.
_rc_res=${BATS_TEST_TMPDIR:-/tmp}/.rc-resources

# attach IMG -> prints /dev/loopN; partition nodes are created with BLKPG
# (partx -a), as the kernel here does not scan loop devices itself.
attach() {
	local l
	l=$(losetup -f --show "$1") || return 1
	echo "loop $l" >> "$_rc_res"
	# Partition nodes left by an earlier user of this loop device would
	# make partx -a fail and the test see the wrong geometry.
	partx -d "$l" 2>/dev/null || true
	# A disk without a partition table has nothing to add; one with a table
	# must get its nodes, or the test would run on the wrong geometry.
	if [ -n "$(partx -g -o NR "$l" 2>/dev/null)" ]; then
		partx -a "$l" || { echo "attach: cannot add the partitions of $l" >&2; return 1; }
	fi
	udevadm settle 2>/dev/null || true
	echo "$l"
}

# mount_tmp DEV DIR [OPTS]: a mount released in teardown.
mount_tmp() {
	mkdir -p "$2"
	mount ${3:+-o "$3"} "$1" "$2" && echo "mount $2" >> "$_rc_res"
}

# Remember a mount point made by the code under test, to unmount in teardown.
track_mount() {
	echo "mount $1" >> "$_rc_res"
}

# Mount points at or below DIR, deepest first (exact path prefix, no regex).
_mounts_below() {
	awk -v d="$1" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/self/mounts | sort -r
}

cleanup_resources() {
	[ -f "$_rc_res" ] || return 0
	tac "$_rc_res" | while read -r kind what; do
		# Never act on an empty or top-level path: that would be the machine's.
		case $what in "" | / | /dev | /proc | /sys | /run | /mnt | /tmp) continue ;; esac
		case $kind in
		mount)
			_mounts_below "$what" | while read -r m; do
				umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
			done ;;
		loop)
			awk -v d="$what" '$1 == d || index($1, d "p") == 1 { print $2 }' /proc/self/mounts |
				sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
			partx -d "$what" 2>/dev/null || true
			losetup -d "$what" 2>/dev/null || true ;;
		esac
	done
	rm -f "$_rc_res"
}

teardown() {
	cleanup_resources
}

# mkimg IMG FLAVOR [gpt|dos]: a whole disk image; sets the variables mkdisk prints.
mkimg() {
	local vars
	vars=$("$FIX/mkdisk.sh" "$@") || return 1
	eval "$vars"
}

# mkext4 IMG DIR [SIZE]: an ext4 image holding DIR, made without mounting.
mkext4() {
	mke2fs -q -F -t ext4 -d "$2" "$1" "${3:-64M}"
}

sha() { sha256sum "$1" | cut -d' ' -f1; }
