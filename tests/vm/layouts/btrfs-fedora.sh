# btrfs as Fedora lays it out: ESP, /boot (ext4), one btrfs (label fedora)
# with subvolumes root and home; fstab mounts / with subvol=root and /home
# with subvol=home, compress=zstd:1. Fedora's os-release, SELinux enforcing.
DISKS="scsi:disk0.img:400M"

layout_host() {
	local esp boot fs
	esp=$(printf '%04X-%04X' $RANDOM $RANDOM) boot=$(uuid) fs=$(uuid)
	gpt disk0.img "32 $T_ESP EFI" "64 $T_LINUX boot" "- $T_LINUX fedora"
	vfat_part disk0.img 1 "$esp"
	tree fix/root rhel9 "UUID=$fs" "UUID=$boot" "UUID=$esp"
	cat > fix/root/etc/os-release <<-'E'
	NAME="Fedora Linux"
	VERSION="40 (Server Edition)"
	ID=fedora
	VERSION_ID=40
	PRETTY_NAME="Fedora Linux 40 (Server Edition)"
	VARIANT_ID=server
	E
	fstab_type fix/root / btrfs subvol=root,compress=zstd:1
	echo "UUID=$fs /home btrfs subvol=home,compress=zstd:1 0 0" >> fix/root/etc/fstab
	mkdir -p fix/home/admin
	echo "# admin's" > fix/home/admin/.bashrc
	printf 'FS_UUID=%s\nBOOT_UUID=%s\nESP_UUID=%s\n' "$fs" "$boot" "$esp" > vars
}

layout_setup() {
	check "mkfs boot" mkfs.ext4 -q -L boot -U "$BOOT_UUID" -d fix/root.boot /dev/sda2
	check "mkfs.btrfs" mkfs.btrfs -q -L fedora -U "$FS_UUID" /dev/sda3
	mkdir -p /new
	check "mount" mount /dev/sda3 /new
	check "subvolume root" btrfs -q subvolume create /new/root
	check "subvolume home" btrfs -q subvolume create /new/home
	check "fill root" cp -a fix/root/. /new/root/
	check "fill home" cp -a fix/home/. /new/home/
	check "umount" umount /new
}

layout_test() {
	ROOT=/dev/sda3
	SUBVOL=root
	SUBMOUNTS="/mnt/boot=/dev/sda2 /mnt/boot/efi=/dev/sda1 /mnt/home=/dev/sda3"
	FSCK_CMD="btrfs check --readonly /dev/sda3"
	std_all
}
