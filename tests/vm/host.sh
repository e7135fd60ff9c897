# Helpers for a layout's host part (layout_host), sourced before the layout
# file; the current directory is the layout's cache directory. Partition
# tables and vfat are made here, on the image files; md, LVM, LUKS and the
# filesystems on them are made by the layout's setup VM (layout_setup).

# Partition types (GPT).
T_ESP=C12A7328-F81F-11D2-BA4B-00A0C93EC93B
T_LINUX=0FC63DAF-8483-4772-8E79-3D69D8477DE4
T_ROOT=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709
T_RAID=A19D880F-05FC-4D3B-A006-743F0F84911E
T_LVM=E6D6D379-F507-44C2-A23C-238F2A3DF928
T_SWAP=0657FD6D-A4AB-43C4-84E5-0933C84B4F4F
T_BOOT=BC13C2FF-59E6-4262-A352-B275FD6F7172

uuid() { cat /proc/sys/kernel/random/uuid; }

# gpt IMG "SIZE TYPE NAME" ...: a GPT with those partitions (SIZE in MiB, - = rest).
gpt() {
	local img=$1 p size type name
	shift
	{
		echo "label: gpt"
		for p in "$@"; do
			set -- $p
			size=$1 type=$2 name=$3
			if [ "$size" = - ]; then echo "type=$type, name=\"$name\""
			else echo "size=${size}MiB, type=$type, name=\"$name\""; fi
		done
	} | sfdisk -q "$img" > /dev/null
}

# vfat_part IMG N ID: a vfat ESP on partition N (ID as XXXX-XXXX).
vfat_part() {
	local s n
	s=$(partx -g -o START -n "$2" "$1" | tr -d ' ')
	n=$(partx -g -o SECTORS -n "$2" "$1" | tr -d ' ')
	mkfs.vfat -F 16 --offset "$s" -i "${3/-/}" -n EFI "$1" $((n / 2)) > /dev/null
}

# tree DIR FLAVOR ROOT_SPEC [BOOT_SPEC] [ESP_SPEC]: an installed system's
# root (tests/fixtures/mkroot.sh) and, when BOOT_SPEC is given, DIR.boot.
tree() {
	"$FIX/mkroot.sh" "$@"
	if [ -n "${4:-}" ]; then
		mkdir -p "$1.boot/grub"
		echo "set default=0" > "$1.boot/grub/grub.cfg"
	fi
}

# fstab_type DIR MOUNTPOINT TYPE [OPTIONS]: change an fstab line's type/options.
fstab_type() {
	awk -v m="$2" -v t="$3" -v o="${4:-}" '$2 == m { $3 = t; if (o != "") $4 = o } { print }' \
		"$1/etc/fstab" > "$1/etc/fstab.new" && mv "$1/etc/fstab.new" "$1/etc/fstab"
}
