# clear-pass on the unmounted root (DEVICE): root's password field emptied
# offline by libext2fs, the old file kept as /etc/shadow-.
LAYOUT=t1small
PART=3
WATCH="/etc/shadow /etc/shadow-"
BEFORE="/etc/shadow-:/etc/shadow"

cut_run() {
	rescuectl clear-pass --yes /dev/sda3
}
