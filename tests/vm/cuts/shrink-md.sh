# shrink-root --free 64M on the root md RAID1 (metadata 1.2, internal
# write-intent bitmap, as mdadm makes large arrays) of c1small-md12, its
# ext4 made again with 4 KiB blocks (resize2fs's undo log then goes on the
# array itself, past the new end), with 16 MiB of files lying past the new
# end: e2fsck -f, resize2fs, mdadm --grow --size, e2fsck -fn. A write to
# either member counts as a cut point. The host kernel has no md: after
# each cut the disks are booted again and checked in the guest
# (cut_verify): the tables on the host (wholly old or new); assembled, then
# what a user runs first, 'shrink-root --rollback --yes' on the array (a
# plain re-run refused first, writing nothing, when an undo log is
# pending); then the members' superblocks agree and hold what the array
# uses, the array is whole, the filesystem is not larger than the array,
# e2fsck -fn clean after the journal replay, every file identical, and
# after the resync a check finds mismatch_cnt 0.
LAYOUT=c1small-md12
PART=3
SCRATCH=64M
# growpart disabled in the target (free space follows the shrunk members):
# each file absent or the calibration's, compared on the host
ADDED="/etc/cloud/cloud.cfg.d/zz-rescuectl-growpart.cfg /etc/growroot-disabled"

cut_setup() {
	check "assemble" mdadm --assemble --scan
	resolve
	check "an internal write-intent bitmap" mdadm --grow "$ROOT" --bitmap=internal
	check "the root made again with 4 KiB blocks (same UUID and label)" to_4k "$ROOT"
	check "18 MiB of files written to the root, just past the new end" fill_at "$ROOT" $(($(dev_bytes "$ROOT") - 64 * 1048576)) 20
	past_end "file data lies past the new end" "$ROOT" $(($(dev_bytes "$ROOT") - 64 * 1048576))
	run rescuectl shrink-root --dry-run --free 64M "$ROOT"
	rc_is "the plan (--dry-run)" 0
	say "# plan: $(printf '%s\n' "$OUT" | grep 'resize2fs ')"
	undo_on_dev "the plan" "$ROOT"
	check "sums and sizes saved on the scratch disk" cut_base_save "$ROOT"
	md_clean setup
	check "stop" mdadm --stop --scan
}

cut_prepare() {
	mkdir -p /scratch
	mount /dev/vda /scratch
	mdadm --assemble --scan > /dev/null 2>&1
	resolve > /dev/null 3>&1
}

cut_run() {
	rescuectl shrink-root --yes --free 64M "$ROOT"
}

cut_finish() {
	mdadm --stop --scan
	umount /scratch
	undo_ran_on_dev "$ROOT"
}

cut_verify() {
	cut_scratch || return
	check "assemble after the cut" mdadm --assemble --scan
	resolve
	cut_rollback "$ROOT" rescuectl shrink-root --yes --free 64M "$ROOT"
	cut_md_checks "$ROOT" /dev/sda3 /dev/sdb3
	cut_fs_checks "$ROOT"
	md_clean "the cut, the resync and the checks"
}

cut_check() { shrink_check_vol "$@"; }
