# clear-pass on a mounted tree (--root /mnt), then umount.
LAYOUT=t1small
PART=3
WATCH="/etc/shadow /etc/shadow-"
BEFORE="/etc/shadow-:/etc/shadow"

cut_prepare() {
	mount /dev/sda3 /mnt
}

cut_run() {
	rescuectl clear-pass --yes --root /mnt
}

cut_finish() {
	umount /mnt
}
