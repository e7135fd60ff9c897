# c1.small with metadata 1.0, as many installers make /boot and / mirrors:
# the superblock sits at the end of each member, so every member also
# starts with a whole, valid ext4. fstab names both arrays by UUID=.
# Before assembly the members must be skipped as RAID members, never taken
# for the root; fsck and the editors must refuse them.
DISKS="scsi:disk0.img:400M scsi:disk1.img:400M"

layout_host() {
	local d esp root boot
	esp=$(printf '%04X-%04X' $RANDOM $RANDOM) root=$(uuid) boot=$(uuid)
	for d in disk0.img disk1.img; do
		gpt "$d" "32 $T_ESP EFI" "64 $T_RAID boot" "- $T_RAID root"
	done
	vfat_part disk0.img 1 "$esp"
	tree fix/root debian12 "UUID=$root" "UUID=$boot" "UUID=$esp"
	printf 'ROOT_UUID=%s\nBOOT_UUID=%s\nESP_UUID=%s\n' "$root" "$boot" "$esp" > vars
}

layout_setup() {
	check "create md0 (root, 1.0)" mdadm --create /dev/md0 --run --level=1 --raid-devices=2 --metadata=1.0 \
		--homehost=server1 --name=0 --assume-clean --bitmap=none /dev/sda3 /dev/sdb3
	check "create md1 (/boot, 1.0)" mdadm --create /dev/md1 --run --level=1 --raid-devices=2 --metadata=1.0 \
		--homehost=server1 --name=1 --assume-clean --bitmap=none /dev/sda2 /dev/sdb2
	check "mkfs root" mkfs.ext4 -q -L root -U "$ROOT_UUID" -d fix/root /dev/md0
	check "mkfs boot" mkfs.ext4 -q -L boot -U "$BOOT_UUID" -d fix/root.boot /dev/md1
	check "stop arrays" mdadm --stop /dev/md0 /dev/md1
	run blkid -p -o value -s TYPE /dev/sda3
	is "a 1.0 member is probed as a RAID member" "$OUT" linux_raid_member
	check "and it starts with an ext4 superblock (magic 53ef at 1080)" \
		sh -c "[ \"\$(dd if=/dev/sda3 bs=1 skip=1080 count=2 2>/dev/null | od -An -tx1 | tr -d ' ')\" = 53ef ]"
}

resolve() {
	ROOT=$(readlink -f "/dev/disk/by-uuid/$ROOT_UUID" 2> /dev/null)
	[ -b "$ROOT" ] || ROOT=$(blkid -U "$ROOT_UUID")
	BOOT=$(blkid -U "$BOOT_UUID")
	SUBMOUNTS="/mnt/boot=$BOOT /mnt/boot/efi=$(blkid -U "$ESP_UUID")"
	FSCK_CMD="e2fsck -f -n $ROOT"
}

layout_test() {
	ASSEMBLE=md
	MEMBERS="/dev/sda2 /dev/sdb2 /dev/sda3 /dev/sdb3"
	std_all
}
