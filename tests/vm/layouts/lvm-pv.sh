# LVM root on a PV partition, as Debian's "guided, use LVM" makes it: GPT
# with ESP, /boot (ext4), and a PV holding VG vg0 with LVs root (ext4) and
# swap; fstab says /dev/mapper/vg0-root. The rescue system starts with the
# VG inactive: detect-root names vgchange -ay, --assemble runs it.
DISKS="scsi:disk0.img:400M"

layout_host() {
	local esp boot
	esp=$(printf '%04X-%04X' $RANDOM $RANDOM) boot=$(uuid)
	gpt disk0.img "32 $T_ESP EFI" "64 $T_LINUX boot" "- $T_LVM lvm"
	vfat_part disk0.img 1 "$esp"
	tree fix/root debian12 /dev/mapper/vg0-root "UUID=$boot" "UUID=$esp"
	printf 'BOOT_UUID=%s\n' "$boot" > vars
}

layout_setup() {
	check "mkfs boot" mkfs.ext4 -q -L boot -U "$BOOT_UUID" -d fix/root.boot /dev/sda2
	check "pvcreate" pvcreate -y /dev/sda3
	check "vgcreate vg0" vgcreate vg0 /dev/sda3
	check "lvcreate root" lvcreate -y -L 256M -n root vg0
	check "lvcreate swap" lvcreate -y -L 16M -n swap vg0
	check "mkfs root" mkfs.ext4 -q -L root -d fix/root /dev/vg0/root
	check "mkswap" mkswap /dev/vg0/swap
	check "deactivate vg0" vgchange -an vg0
}

resolve() {
	ROOT=/dev/mapper/vg0-root
	SUBMOUNTS="/mnt/boot=/dev/sda2 /mnt/boot/efi=/dev/sda1"
	FSCK_CMD="e2fsck -f -n $ROOT"
}

layout_test() {
	ASSEMBLE=lvm
	MEMBERS="/dev/sda3"
	std_all
}
