# shrink-root --free 64M on the root LV vg0/root of lvm-pv (a PV on sda3),
# its ext4 made again with 4 KiB blocks (resize2fs's undo log then goes on
# the LV itself, past the new end), with 16 MiB of files lying past the
# new end: e2fsck -f, resize2fs, lvreduce, e2fsck -fn. The host kernel has
# no device-mapper: after each cut the disk is booted again and checked in
# the guest (cut_verify): the table on the host (wholly old or new), then
# vgck, activated, what a user runs first, 'shrink-root --rollback --yes'
# on the LV (a plain re-run refused first, writing nothing, when an undo
# log is pending), the LV not smaller than the filesystem, the PV not
# larger than its partition, e2fsck -fn clean after the journal replay,
# every file identical.
LAYOUT=lvm-pv
PART=3
SCRATCH=64M

cut_setup() {
	check "activate" vgchange -ay vg0
	resolve
	check "the root made again with 4 KiB blocks (same UUID and label)" to_4k "$ROOT"
	check "18 MiB of files written to the root, just past the new end" fill_at "$ROOT" $(($(dev_bytes "$ROOT") - 64 * 1048576)) 20
	past_end "file data lies past the new end" "$ROOT" $(($(dev_bytes "$ROOT") - 64 * 1048576))
	run rescuectl shrink-root --dry-run --free 64M "$ROOT"
	rc_is "the plan (--dry-run)" 0
	say "# plan: $(printf '%s\n' "$OUT" | grep 'resize2fs ')"
	undo_on_dev "the plan" "$ROOT"
	check "sums and sizes saved on the scratch disk" cut_base_save "$ROOT"
	check "deactivate" vgchange -an vg0
}

cut_prepare() {
	mkdir -p /scratch
	mount /dev/vda /scratch
	vgchange -ay vg0 > /dev/null 2>&1
	resolve
}

cut_run() {
	rescuectl shrink-root --yes --free 64M "$ROOT"
}

cut_finish() {
	vgchange -an vg0
	umount /scratch
	undo_ran_on_dev "$ROOT"
}

cut_verify() {
	local pv pvdev
	cut_scratch || return
	check "vgck vg0 after the cut" lvm vgck vg0
	check "activate after the cut" vgchange -ay vg0
	resolve
	cut_rollback "$ROOT" rescuectl shrink-root --yes --free 64M "$ROOT"
	run lvs --noheadings --nosuffix --units b -o lv_size vg0/root
	say "# lvs: $(echo $OUT)"
	is "lvs and the kernel agree on the LV's size" "$(echo $OUT)" "$(dev_bytes "$ROOT")"
	pv=$(pvs --noheadings --nosuffix --units b -o pv_size /dev/sda3 | tr -d ' ')
	pvdev=$(dev_bytes /dev/sda3)
	if [ -n "$pv" ] && [ "$pv" -le "$pvdev" ]; then ok "the PV ($pv) fits its partition ($pvdev)"; else notok "the PV ($pv) fits its partition ($pvdev)"; fi
	cut_fs_checks "$ROOT"
}

cut_check() { shrink_check_vol "$@"; }
