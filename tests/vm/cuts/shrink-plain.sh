# shrink-root --size 160M on the unmounted root partition sda3 (256 MiB)
# of a plain GPT disk, its ext4 made again with 4 KiB blocks (a real
# server's: resize2fs then keeps its undo log on sda3 itself, past the new
# end, which a power cut does not lose), with 8 x 2 MiB of files lying past
# the new end, so that resize2fs moves them: save the table (--backup on a
# scratch disk that survives the cut: the rescue system's RAM does not, as
# on a real server whose power fails), e2fsck -f, resize2fs, the new table,
# growpart disabled in the target, e2fsck -fn. After every cut, the cut
# disks are booted again and what a user runs first is run
# (cut_verify: 'shrink-root --rollback --yes /dev/sda3'; when the cut left
# an undo log, a plain re-run must refuse first, writing nothing). Then on
# the host (cut_check): (a) the table is wholly the old one or wholly the
# new one; (b) the filesystem is never larger than its partition; (c)
# after the journal replay e2fsck -fn is clean; (d) every file reads back
# identical (growpart's files: old or new); (e) a backup that exists is
# whole, and sfdisk restoring it on a copy of the disk gives back the old
# table with a clean filesystem that fits.
LAYOUT=t1small
PART=3
SCRATCH=64M
# disable-growpart's edits in the target, checked as files (old or new)
WATCH="/etc/cloud/cloud.cfg.d/zz-rescuectl-growpart.cfg /etc/growroot-disabled"

# Once: 4 KiB blocks, the files, then the filler removed so they lie near
# the end; the plan must put the undo log on sda3 (else the base fails).
cut_setup() {
	check "the root made again with 4 KiB blocks (same UUID and label)" to_4k /dev/sda3
	check "18 MiB of files written to the root, just past 160 MiB" fill_at /dev/sda3 $((160 * 1048576)) 20
	past_end "file data lies past 160 MiB" /dev/sda3 $((160 * 1048576))
	run rescuectl shrink-root --dry-run --size 160M /dev/sda3
	rc_is "the plan (--dry-run)" 0
	say "# plan: $(printf '%s\n' "$OUT" | grep 'resize2fs ')"
	undo_on_dev "the plan" /dev/sda3
}

cut_prepare() {
	mkdir -p /scratch
	mount /dev/vda /scratch
}

cut_run() {
	rescuectl shrink-root --yes --size 160M --backup /scratch/table.sfdisk /dev/sda3
}

cut_finish() {
	umount /scratch
	undo_ran_on_dev /dev/sda3
}

# In a boot of the cut disks, before the host's checks.
cut_verify() {
	cut_rollback /dev/sda3 rescuectl shrink-root --yes --size 160M --backup /tmp/rerun.sfdisk /dev/sda3
}

cut_check() { shrink_check_plain "$@"; }
BACKUP=/table.sfdisk   # on the scratch disk
SUMS_SKIP='/etc/cloud/cloud.cfg.d/zz-rescuectl-growpart.cfg$|/etc/growroot-disabled$'
