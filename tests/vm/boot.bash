# Shared by boot.bats and boot-control.bats (loaded after ../helpers and vm).
BOOT_PW='Booted-after-rescue-1'

boot_setup_file() {
	vm_init
	[ -n "${VM_SKIP:-}" ] && return 0
	if ! DEB=$("$VM/debian.sh" "$VMB" 2> "$VMB/debian.err"); then
		export DEB_FAIL="debootstrap of Debian 12 failed (no access to Debian's archive?): $(tail -n 3 "$VMB/debian.err")"
		return 0
	fi
	export DEB
}

need_debian() {
	need_vm
	[ -z "${DEB_FAIL:-}" ] || { echo "$DEB_FAIL"; return 1; }
}

# The check run inside the booted Debian after login (root's shell).
# vm-check PART_SECTORS FS_BLOCKS [md]
vm_check_script() {
	cat <<-'E'
	#!/bin/sh
	r=/dev/ttyS1
	f=0
	say() { echo "$*" > $r; }
	ok() { say "ok - $*"; }
	no() { say "not ok - $*"; f=$((f + 1)); }
	is() { if [ "$2" = "$3" ]; then ok "$1"; else no "$1"; say "# got '$2', want '$3'"; fi; }
	stty -F $r raw -echo 2> /dev/null
	ok "logged in as root on the serial console (login, PAM, shadow of the target)"
	src=$(findmnt -n -o SOURCE /)
	dev=$(readlink -f "$src")
	say "# / is $src ($dev)"
	st=$(cloud-init status --wait 2> /dev/null | sed -n 's/^status: //p')
	is "cloud-init ran its modules to the end" "$st" done
	grep -q 'Running module growpart' /var/log/cloud-init.log && ok "cloud-init ran its growpart module" ||
		no "cloud-init ran its growpart module"
	part=$dev
	if [ "${3:-}" = md ]; then
		case $dev in /dev/md*) ok "root is on md ($dev)" ;; *) no "root is on md ($dev)" ;; esac
		is "the array is whole" "$(cat /sys/block/${dev#/dev/}/md/degraded)" 0
		echo check > /sys/block/${dev#/dev/}/md/sync_action
		sleep 1
		while [ "$(cat /sys/block/${dev#/dev/}/md/sync_action)" != idle ]; do sleep 1; done
		is "mismatch_cnt 0 after booting" "$(cat /sys/block/${dev#/dev/}/md/mismatch_cnt)" 0
	fi
	is "the root partition was not grown back ($1 sectors)" "$(cat /sys/class/block/${part#/dev/}/size)" "$1"
	is "nor its filesystem ($2 blocks)" "$(dumpe2fs -h "$dev" 2> /dev/null | sed -n 's/^Block count: *//p')" "$2"
	if [ "${3:-}" != md ]; then
		grep -q '^UUID=5e1f0c2a-7b3d-4c8e-9f10-a2b3c4d5e6f7 .*nofail' /etc/fstab && ok "fstab: doctor's nofail on the gone disk's line" ||
			no "fstab: doctor's nofail on the gone disk's line"
		mountpoint -q /srv/data && no "the gone disk is not mounted" || ok "the gone disk is not mounted"
	fi
	sys=$(systemctl is-system-running --wait 2> /dev/null)
	case $sys in running|degraded) ok "systemd is up: $sys" ;; *) no "systemd is up: $sys" ;; esac
	[ "$sys" = degraded ] && say "# failed units: $(systemctl --failed --no-legend --plain | cut -d' ' -f1 | tr '\n' ' ')"
	say "DONE $f failed"
	systemctl poweroff
	E
}

# deb_image NAME LAYOUT: the Debian tree as an ext4 image file, cached per
# tree and layout. plain: one disk, GPT, p1 = root (2000 MiB) then free
# space (3 GiB disk) as in a cloud image. md: two disks, p1 of each a RAID1
# member (metadata 1.2, data at 1 MiB) holding the same ext4.
deb_image() {
	local name=$1 dir key fsimg uuid size
	key=$( { echo "$DEB"; sed -n '/^deb_image()/,/^}/p;/^vm_check_script()/,/^}/p' "$VM/boot.bash"; } |
		sha256sum | cut -c1-12)
	dir=$VMB/boot-$name-$key
	BOOTDIR=$dir
	[ -f "$dir/.done" ] && return 0
	rm -rf "$VMB/boot-$name"-*
	mkdir -p "$dir"
	uuid=$(cat /proc/sys/kernel/random/uuid)
	echo "UUID=$uuid / ext4 errors=remount-ro 0 1" > "$DEB/root/etc/fstab"
	vm_check_script > "$DEB/root/usr/local/sbin/vm-check"
	chmod 755 "$DEB/root/usr/local/sbin/vm-check"
	fsimg=$dir/root.ext4
	size=2000
	mke2fs -q -F -t ext4 -U "$uuid" -L root -d "$DEB/root" "$fsimg" "${size}M"
	echo "FS_UUID=$uuid" > "$dir/vars"
	truncate -s 3G "$dir/disk0.img"
	if [ "$name" = plain ]; then
		printf 'label: gpt\nsize=%sMiB, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, name="root"\n' "$size" |
			sfdisk -q "$dir/disk0.img" > /dev/null
		dd if="$fsimg" of="$dir/disk0.img" bs=1M seek=1 conv=notrunc,sparse status=none
		# lower case, as udev names /dev/disk/by-partuuid (initramfs-tools looks there)
		echo "PARTUUID=$(sfdisk --part-uuid "$dir/disk0.img" 1 | tr A-F a-f)" >> "$dir/vars"
	else
		truncate -s 3G "$dir/disk1.img"
		local d
		for d in disk0.img disk1.img; do
			printf 'label: gpt\nsize=%sMiB, type=A19D880F-05FC-4D3B-A006-743F0F84911E, name="raid"\n' $((size + 2)) |
				sfdisk -q "$dir/$d" > /dev/null
			# partition at 1 MiB, md data 1 MiB into it
			dd if="$fsimg" of="$dir/$d" bs=1M seek=2 conv=notrunc,sparse status=none
		done
	fi
	rm -f "$fsimg"
	touch "$dir/.done"
}

# The rescue VM's part: (md) create the array over the prepared members
# once, then the repair itself on a copy.
md_create_script() {
	cat <<-'E'
	#!/bin/sh
	. ./lib.sh
	check "create the array (1.2, data at 1 MiB) over the members the host filled" \
		mdadm --create /dev/md0 --run --level=1 --raid-devices=2 --metadata=1.2 --data-offset=1M \
		--homehost=debian-vm --name=0 --assume-clean --bitmap=none /dev/sda1 /dev/sdb1
	run blkid -o value -s TYPE /dev/md0
	is "the array holds the ext4" "$OUT" ext4
	md_clean create
	check "stop" mdadm --stop /dev/md0
	done_tests
	E
}

# boot_debian OUT DISKS-ARGS APPEND EXPECT-ARGS...: boot the repaired disk
# with the target's own kernel and initramfs and log in on the console.
boot_debian() {
	local out=$1 disks=$2 append=$3 args=$4 kver
	kver=$(ls "$DEB/root/boot" | sed -n 's/^vmlinuz-//p' | sort -V | tail -n 1)
	mkdir -p "$out"
	printf 'login: \troot\nPassword: \t%s\n# \tvm-check %s\n' "$BOOT_PW" "$args" > "$out/typed"
	python3 "$VM/vm.py" --kernel "$DEB/root/boot/vmlinuz-$kver" --initrd "$DEB/root/boot/initrd.img-$kver" \
		--mem 1024 --out "$out" --cache-dir "$VMB" --timeout "${VM_BOOT_TIMEOUT:-600}" \
		--append "$append" --serial-in "$out/typed" $disks > /dev/null || true
}


# boot_plain DIR [SHRINK-OPTION]: the plain disk repaired in the rescue VM
# (doctor --fix for a gone disk in fstab, reset-pass, shrink-root to
# 1600 MiB) and booted; results in DIR/boot.
GONE_UUID=5e1f0c2a-7b3d-4c8e-9f10-a2b3c4d5e6f7
boot_plain() {
	local t=$1 opt=${2:-} sectors blocks
	deb_image plain
	. "$BOOTDIR/vars"
	mkdir -p "$t/disks"
	cp --sparse=always "$BOOTDIR/disk0.img" "$t/disks/"
	# The emergency-mode case of doctor (issue 14): an fstab line for a disk
	# that is gone, without nofail, stops a systemd boot in emergency mode
	# (boot-control.bats shows it). doctor names it and --fix makes it
	# nofail; the boot below must then reach login.
	cat > "$t/repair.sh" <<-E
	#!/bin/sh
	. ./lib.sh
	check "plant an fstab line for a disk that is gone" sh -c "mount -t ext4 /dev/sda1 /mnt &&
		echo 'UUID=$GONE_UUID /srv/data ext4 defaults 0 2' >> /mnt/etc/fstab && mkdir -p /mnt/srv/data && umount /mnt"
	run rescuectl doctor --json /dev/sda1
	rc_is "doctor finds something" 1
	jqt "doctor: fstab.missing-device, blocks boot" '[.findings[] | select(.id == "fstab.missing-device" and .severity == "blocks boot")] | length == 1'
	run rescuectl doctor --fix fstab.missing-device --yes /dev/sda1
	rc_is "doctor --fix fstab.missing-device" 0
	run rescuectl doctor --json /dev/sda1
	jqt "doctor: the line is fixed" '[.findings[] | select(.id == "fstab.missing-device")] | length == 0'
	run sh -c "printf '%s\n' '$BOOT_PW' | rescuectl reset-pass --password-stdin --yes"
	rc_is "reset-pass (root found by detect-root)" 0
	run rescuectl shrink-root --yes --size 1600M $opt /dev/sda1
	rc_is "shrink-root to 1600 MiB $opt" 0
	say "# sectors=\$(cat /sys/class/block/sda1/size) blocks=\$(dumpe2fs -h /dev/sda1 2>/dev/null | sed -n 's/^Block count: *//p')"
	run rescuectl disable-growpart --status /dev/sda1
	rc_is "disable-growpart --status: $([ -n "$opt" ] && echo "something would grow the root" || echo "nothing would grow the root")" $([ -n "$opt" ] && echo 1 || echo 0)
	done_tests
	E
	vm_boot "$t/rescue" "$t/repair.sh" --disk "scsi:$t/disks/disk0.img" || true
	vm_assert "$t/rescue" || return 1
	sectors=$(sed -n 's/^# sectors=\([0-9]*\) .*/\1/p' "$t/rescue/results.log")
	blocks=$(sed -n 's/.* blocks=\([0-9]*\).*/\1/p' "$t/rescue/results.log")
	[ -n "$sectors" ] && [ -n "$blocks" ] || return 1
	boot_debian "$t/boot" "--disk scsi:$t/disks/disk0.img" "root=PARTUUID=$PARTUUID ro" "$sectors $blocks"
}
