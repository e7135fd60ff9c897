# c1.small: two disks (sda, sdb), each GPT: ESP, md member for /boot, md
# member for the root. Two RAID1 arrays, metadata 1.2, made as md1 (/boot)
# and md0 (/) on host "server1"; the target's fstab says /dev/md0 and
# /dev/md1. The rescue system assembles them under other names (md126,
# md127): the root must be found, mounted and checked by its array name.
DISKS="scsi:disk0.img:400M scsi:disk1.img:400M"

layout_host() {
	local d esp
	esp=$(printf '%04X-%04X' $RANDOM $RANDOM)
	for d in disk0.img disk1.img; do
		gpt "$d" "32 $T_ESP EFI" "64 $T_RAID boot" "- $T_RAID root"
	done
	vfat_part disk0.img 1 "$esp"
	tree fix/root debian12 /dev/md0 /dev/md1 "UUID=$esp"
	echo "ESP_UUID=$esp" > vars
}

layout_setup() {
	check "create md0 (root, 1.2)" mdadm --create /dev/md0 --run --level=1 --raid-devices=2 --metadata=1.2 \
		--homehost=server1 --name=0 --assume-clean --bitmap=none /dev/sda3 /dev/sdb3
	check "create md1 (/boot, 1.2)" mdadm --create /dev/md1 --run --level=1 --raid-devices=2 --metadata=1.2 \
		--homehost=server1 --name=1 --assume-clean --bitmap=none /dev/sda2 /dev/sdb2
	check "mkfs root" mkfs.ext4 -q -L root -d fix/root /dev/md0
	check "mkfs boot" mkfs.ext4 -q -L boot -d fix/root.boot /dev/md1
	md_clean setup
	check "stop arrays" mdadm --stop /dev/md0 /dev/md1
}

# md_named NAME: the md device whose array name is NAME.
md_named() {
	local m
	for m in /dev/md[0-9]*; do
		mdadm --detail "$m" 2> /dev/null | grep -qE "Name : $1( |$)" && echo "$m" && return
	done
}

resolve() {
	ROOT=$(md_named server1:0)
	BOOT=$(md_named server1:1)
	SUBMOUNTS="/mnt/boot=$BOOT /mnt/boot/efi=$(blkid -U "$ESP_UUID")"
	FSCK_CMD="e2fsck -f -n $ROOT"
	case $ROOT in
	/dev/md0) notok "the rescue system named the root array md0: the layout proves nothing" ;;
	*) ok "root array server1:0 is $ROOT here, md0 in the target's fstab" ;;
	esac
}

layout_test() {
	ASSEMBLE=md
	MEMBERS="/dev/sda2 /dev/sdb2 /dev/sda3 /dev/sdb3"
	std_all
}
