# An NVMe server: the t1.small disk (tests/fixtures/mkdisk.sh) on QEMU's
# NVMe controller, so the root is nvme0n1p3 (partition names take a "p").
DISKS="nvme:disk0.img"

layout_host() {
	"$FIX/mkdisk.sh" disk0.img debian12 gpt > vars
}

layout_test() {
	ROOT=/dev/nvme0n1p3
	SUBMOUNTS="/mnt/boot=/dev/nvme0n1p2 /mnt/boot/efi=/dev/nvme0n1p1"
	FSCK_CMD="e2fsck -f -n /dev/nvme0n1p3"
	std_all
}
