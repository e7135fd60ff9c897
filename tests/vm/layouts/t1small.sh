# t1.small: one disk on virtio-scsi (sda), GPT: ESP, /boot, root on sda3,
# swap; Debian 12; fstab by UUID. Built by tests/fixtures/mkdisk.sh as is.
DISKS="scsi:disk0.img"

layout_host() {
	"$FIX/mkdisk.sh" disk0.img debian12 gpt > vars
}

layout_test() {
	ROOT=/dev/sda3
	SUBMOUNTS="/mnt/boot=/dev/sda2 /mnt/boot/efi=/dev/sda1"
	FSCK_CMD="e2fsck -f -n /dev/sda3"
	std_all
}
