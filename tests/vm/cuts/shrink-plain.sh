# shrink-root --size 160M on the unmounted root partition sda3 (256 MiB)
# of a plain GPT disk, with 48 MiB of files lying past the new end, so that
# resize2fs moves them: save the table (--backup on a scratch disk that
# survives the cut: the rescue system's RAM does not, as on a real server
# whose power fails), e2fsck -f, resize2fs, the new table, growpart
# disabled in the target, e2fsck -fn. Checked on the host after every cut
# (cut_check): (a) the table is wholly the old one or wholly the new one;
# (b) the filesystem is never larger than its partition; (c) after the
# journal replay e2fsck -fn is clean; (d) every file reads back identical
# (growpart's files: old or new); (e) a backup that exists is whole, and
# sfdisk restoring it on a copy of the disk gives back the old table with
# a clean filesystem that fits.
LAYOUT=t1small
PART=3
SCRATCH=64M
# disable-growpart's edits in the target, checked as files (old or new)
WATCH="/etc/cloud/cloud.cfg.d/zz-rescuectl-growpart.cfg /etc/growroot-disabled"

# Once: the files, then the filler removed so they lie near the end.
cut_setup() {
	check "48 MiB of files written to the root" fill /dev/sda3
	past_end "file data lies past 160 MiB" /dev/sda3 $((160 * 1048576))
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
}

cut_check() { shrink_check_plain "$@"; }
BACKUP=/table.sfdisk   # on the scratch disk
SUMS_SKIP='/etc/cloud/cloud.cfg.d/zz-rescuectl-growpart.cfg$|/etc/growroot-disabled$'
