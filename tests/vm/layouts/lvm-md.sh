# LVM on md: two disks, a RAID1 (metadata 1.2, "server1:0") as the only PV
# of VG vgmd, LV root (ext4); fstab says /dev/vgmd/root (the /dev/VG/LV
# form). --assemble must bring up the array, then the VG.
DISKS="scsi:disk0.img:400M scsi:disk1.img:400M"

layout_host() {
	local d esp
	esp=$(printf '%04X-%04X' $RANDOM $RANDOM)
	for d in disk0.img disk1.img; do
		gpt "$d" "32 $T_ESP EFI" "- $T_RAID raid"
	done
	vfat_part disk0.img 1 "$esp"
	tree fix/root debian12 /dev/vgmd/root "" "UUID=$esp"
	echo "ESP_UUID=$esp" > vars
}

layout_setup() {
	check "create md0 (1.2)" mdadm --create /dev/md0 --run --level=1 --raid-devices=2 --metadata=1.2 \
		--homehost=server1 --name=0 --assume-clean --bitmap=none /dev/sda2 /dev/sdb2
	check "pvcreate on md0" pvcreate -y /dev/md0
	check "vgcreate vgmd" vgcreate vgmd /dev/md0
	check "lvcreate root" lvcreate -y -L 256M -n root vgmd
	check "mkfs root" mkfs.ext4 -q -L root -d fix/root /dev/vgmd/root
	check "deactivate vgmd" vgchange -an vgmd
	md_clean setup
	check "stop md0" mdadm --stop /dev/md0
}

resolve() {
	ROOT=/dev/mapper/vgmd-root
	MD=$(basename "$(ls -d /sys/block/md*/holders/dm-* | head -n 1 | cut -d/ -f4)")
	MEMBERS="/dev/sda2 /dev/sdb2 /dev/$MD"
	SUBMOUNTS="/mnt/boot/efi=$(blkid -U "$ESP_UUID")"
	FSCK_CMD="e2fsck -f -n $ROOT"
}

layout_test() {
	ASSEMBLE=md+lvm
	MEMBERS="/dev/sda2 /dev/sdb2"
	std_all
}
