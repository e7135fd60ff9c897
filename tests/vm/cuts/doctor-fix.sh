# doctor --fix on the unmounted root (DEVICE), two fixes of two kinds:
# nofail added to an fstab line for a disk that is gone (boot.bash's
# line) and a line sshd -t rejects commented out in sshd_config. Each file
# is journaled first: /var/lib/rescuectl/doctor-00000N.journal (the old and
# the new file in full) must be whole before the file it records changes.
LAYOUT=t1small
PART=3
J=/var/lib/rescuectl
WATCH="/etc/fstab /etc/ssh/sshd_config $J/doctor-000001.journal $J/doctor-000002.journal"
BEFORE="$J/doctor-000001.journal:/etc/fstab $J/doctor-000002.journal:/etc/ssh/sshd_config"

# Once, before the scenario's old state is taken (the base disks).
cut_setup() {
	check "plant the problems" sh -c "mount -t ext4 /dev/sda3 /mnt &&
		echo 'UUID=5e1f0c2a-7b3d-4c8e-9f10-a2b3c4d5e6f7 /srv/data ext4 defaults 0 2' >> /mnt/etc/fstab &&
		echo 'PermitRootLogin maybe-not' >> /mnt/etc/ssh/sshd_config &&
		mkdir -p /mnt/srv/data /mnt/var/lib && umount /mnt"
	run rescuectl doctor --json /dev/sda3
	jqt "doctor finds the fstab line and the sshd_config line" \
		'([.findings[] | select(.id == "fstab.missing-device" or .id == "sshd.config")] | length) == 2'
}

cut_run() {
	rescuectl doctor --fix fstab.missing-device,sshd.config --yes /dev/sda3
}

# A journal records the time of the fix: the new one is the calibration's
# but for its "date" line.
same_new() {
	case $1 in
	*.journal) cmp -s <(grep -v '^date ' "$2") <(grep -v '^date ' "$3") ;;
	*) cmp -s "$2" "$3" ;;
	esac
}
