# xfs root as RHEL 9 installs it: GPT with ESP, /boot (xfs), and a PV with
# VG rhel, LVs root (xfs) and swap; fstab says /dev/mapper/rhel-root, SELinux
# enforcing. xfs cannot be edited offline: the editors mount it privately.
DISKS="scsi:disk0.img:700M"

layout_host() {
	local esp boot
	esp=$(printf '%04X-%04X' $RANDOM $RANDOM) boot=$(uuid)
	gpt disk0.img "32 $T_ESP EFI" "320 $T_LINUX boot" "- $T_LVM lvm"
	vfat_part disk0.img 1 "$esp"
	tree fix/root rhel9 /dev/mapper/rhel-root "UUID=$boot" "UUID=$esp"
	fstab_type fix/root / xfs defaults
	fstab_type fix/root /boot xfs defaults
	printf 'BOOT_UUID=%s\n' "$boot" > vars
}

# populate DEV DIR: copy DIR into the fresh filesystem on DEV
populate() {
	mkdir -p /new && mount "$1" /new && cp -a "$2"/. /new/ && umount /new
}

layout_setup() {
	check "mkfs.xfs boot" mkfs.xfs -q -L boot -m uuid="$BOOT_UUID" /dev/sda2
	check "fill boot" populate /dev/sda2 fix/root.boot
	check "pvcreate" pvcreate -y /dev/sda3
	check "vgcreate rhel" vgcreate rhel /dev/sda3
	check "lvcreate root" lvcreate -y -L 320M -n root rhel
	check "lvcreate swap" lvcreate -y -L 16M -n swap rhel
	check "mkfs.xfs root" mkfs.xfs -q -L root /dev/rhel/root
	check "fill root" populate /dev/rhel/root fix/root
	check "mkswap" mkswap /dev/rhel/swap
	check "deactivate rhel" vgchange -an rhel
}

resolve() {
	ROOT=/dev/mapper/rhel-root
	SUBMOUNTS="/mnt/boot=/dev/sda2 /mnt/boot/efi=/dev/sda1"
	FSCK_CMD="xfs_repair -n $ROOT"
}

layout_test() {
	ASSEMBLE=lvm
	MEMBERS="/dev/sda3"
	std_all
}
