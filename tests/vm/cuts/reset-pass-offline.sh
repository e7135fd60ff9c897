# reset-pass on the unmounted root, named as DEVICE: libext2fs edits
# /etc/shadow offline and keeps the old file as /etc/shadow-.
LAYOUT=t1small
PART=3
WATCH="/etc/shadow /etc/shadow-"
BEFORE="/etc/shadow-:/etc/shadow"
PW='Cut-pw-1'

cut_run() {
	printf '%s\n' "$PW" | rescuectl reset-pass --password-stdin --yes /dev/sda3
}

# The new shadow differs from the calibration's in root's salt and hash.
same_new() {
	case $1 in
	/etc/shadow) shadow_same_but_hash "$@" root ;;
	*) cmp -s "$2" "$3" ;;
	esac
}
