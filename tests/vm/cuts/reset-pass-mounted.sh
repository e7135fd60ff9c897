# reset-pass on a mounted tree (--root /mnt): temp file, fsync, rename,
# directory fsync, through the guest kernel's ext4 and its journal; the
# cut can also land in the umount after it.
LAYOUT=t1small
PART=3
WATCH="/etc/shadow /etc/shadow-"
BEFORE="/etc/shadow-:/etc/shadow"
PW='Cut-pw-2'

cut_prepare() {
	mount /dev/sda3 /mnt
}

cut_run() {
	printf '%s\n' "$PW" | rescuectl reset-pass --password-stdin --yes --root /mnt
}

cut_finish() {
	umount /mnt
}

same_new() {
	case $1 in
	/etc/shadow) shadow_same_but_hash "$@" root ;;
	*) cmp -s "$2" "$3" ;;
	esac
}
