# shrink-root --free 64M on the root md RAID1 (metadata 1.2, internal
# write-intent bitmap, as mdadm makes large arrays) of c1small-md12, with
# 48 MiB of files lying past the new end: e2fsck -f, resize2fs, mdadm
# --grow --size, e2fsck -fn. A write to either member counts as a cut
# point. The host kernel has no md: after each cut the disks are booted
# again and checked in the guest (cut_verify): the tables on the host
# (wholly old or new), then the members' superblocks agree and hold what
# the array uses, the array is whole, the filesystem is not larger than
# the array, e2fsck -fn clean after the journal replay, every file
# identical, and after the resync a check finds mismatch_cnt 0.
LAYOUT=c1small-md12
PART=3
SCRATCH=64M

cut_setup() {
	check "assemble" mdadm --assemble --scan
	resolve
	check "an internal write-intent bitmap" mdadm --grow "$ROOT" --bitmap=internal
	check "48 MiB of files written to the root" fill "$ROOT"
	past_end "file data lies past the new end" "$ROOT" $(($(dev_bytes "$ROOT") - 64 * 1048576))
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
}

cut_verify() {
	cut_scratch || return
	check "assemble after the cut" mdadm --assemble --scan
	resolve
	cut_md_checks "$ROOT" /dev/sda3 /dev/sdb3
	cut_fs_checks "$ROOT"
	md_clean "the cut, the resync and the checks"
}

cut_check() { shrink_check_vol "$@"; }
