#!/bin/bash
# initrd.sh base KDIR OUTDIR   -> prints the base initramfs (cpio), built once
# initrd.sh overlay DIR OUT    -> OUT: a cpio of DIR, to append to the base
#
# The base is the rescue system without the code under test: static
# busybox, mdadm, lvm2, cryptsetup, e2fsprogs, xfsprogs, btrfs-progs,
# util-linux's disk tools and jq, each with the shared libraries ldd names,
# the kernel modules of KDIR (from kernel.sh) in dependency order, and
# tests/vm/guest/init as /init. It is cached under OUTDIR by a key made of
# this script, the guest files, the kernel and the host packages' versions.
# The kernel unpacks concatenated cpio archives in order, so the overlay
# (rescuectl, the test script) is appended per boot without rebuilding this.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

BINS="mdadm lvm dmsetup cryptsetup e2fsck mke2fs debugfs dumpe2fs tune2fs resize2fs e2label
  mkfs.xfs xfs_repair xfs_db xfs_admin xfs_growfs xfs_io btrfs mkfs.btrfs
  sfdisk blkid wipefs partx losetup findmnt lsblk jq flock"
PKGS="busybox-static mdadm lvm2 dmsetup cryptsetup-bin e2fsprogs xfsprogs btrfs-progs fdisk
  util-linux mount jq libc6"
# md, device-mapper, the disk controllers, the filesystems a server root
# uses, vfat for the ESP, and what dm-crypt needs for aes-xts.
MODS="virtio_pci virtio_blk virtio_scsi sd_mod nvme md_mod raid1 raid0 dm_mod dm_crypt
  dm_log_writes ext4 xfs btrfs vfat nls_cp437 nls_ascii nls_utf8 xts ecb cbc
  algif_skcipher algif_hash af_alg loop"

base() {
	local kdir out=$2 kver key
	kdir=$(cd "$1" && pwd)
	kver=$(basename "$kdir")
	key=$( { cat "$0" "$here/guest/init" "$here/guest/probe"; echo "$kver";
		dpkg-query -W -f='${Package} ${Version}\n' $PKGS 2>/dev/null; } | sha256sum | cut -c1-16)
	local cpio=$out/base-$key.cpio
	if [ -f "$cpio" ]; then echo "$cpio"; return; fi
	mkdir -p "$out"
	stage=$(mktemp -d "$out/stage.XXXXXX")
	trap 'rm -rf "${stage:-}"' EXIT
	mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,etc,proc,sys,dev,run,tmp,mnt,root,var/lock}
	chmod 1777 "$stage/tmp"
	cp /bin/busybox "$stage/bin/busybox"
	local b
	for b in $(busybox --list-full); do
		[ -e "$stage/$b" ] || [ -L "$stage/$b" ] || ln -s /bin/busybox "$stage/$b"
	done
	local p lib
	for b in $BINS; do
		p=$(command -v "$b") || { echo "initrd.sh: $b not installed (make deps: mk/deps.sh vm)" >&2; exit 1; }
		p=$(readlink -f "$p")
		rm -f "$stage/usr/sbin/$b"
		cp "$p" "$stage/usr/sbin/$b"
		for lib in $(ldd "$p" 2>/dev/null | grep -o '/[^ ]*'); do
			[ -e "$stage$lib" ] && continue
			mkdir -p "$stage$(dirname "$lib")"
			cp -L "$lib" "$stage$lib"
		done
	done
	for b in vgchange vgscan vgs pvs lvs pvcreate vgcreate lvcreate lvremove vgremove pvremove \
		lvreduce lvextend lvresize pvresize vgdisplay lvdisplay pvdisplay lvchange vgcfgbackup; do
		ln -sf lvm "$stage/usr/sbin/$b"
	done
	ln -sf mke2fs "$stage/usr/sbin/mkfs.ext4"
	ln -sf e2fsck "$stage/usr/sbin/fsck.ext4"
	cp /etc/mke2fs.conf "$stage/etc/"
	mkdir -p "$stage/etc/lvm"
	cat > "$stage/etc/lvm/lvm.conf" <<-'E'
	# No udev in the rescue VM: LVM makes its own device nodes.
	devices { obtain_device_list_from_udev = 0 use_devicesfile = 0 }
	activation { udev_sync = 0 udev_rules = 0 monitoring = 0 }
	global { use_lvmpolld = 0 }
	backup { backup = 0 archive = 0 }
	E
	printf 'root:x:0:0:root:/root:/bin/sh\n' > "$stage/etc/passwd"
	printf 'root:x:0:\n' > "$stage/etc/group"
	# Modules: modprobe's order (dependencies first), options of our own only.
	local m path seen=" " list=
	for m in $MODS; do
		while read -r _ path _; do
			[ -n "$path" ] || continue
			case $seen in *" $path "*) continue ;; esac
			seen="$seen$path "
			list="$list${path#"$kdir/lib/modules/"}"$'\n'
		done < <(modprobe -C /dev/null -d "$kdir" -S "$kver" --show-depends "$m" 2>/dev/null | grep '^insmod ')
	done
	while read -r path; do
		[ -n "$path" ] || continue
		mkdir -p "$stage/lib/modules/$(dirname "$path")"
		cp "$kdir/lib/modules/$path" "$stage/lib/modules/$path"
	done <<< "$list"
	printf '%s' "$list" > "$stage/etc/vm-modules"
	install -m 755 "$here/guest/init" "$stage/init"
	install -m 755 "$here/guest/probe" "$stage/probe"
	(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) > "$cpio.tmp"
	mv "$cpio.tmp" "$cpio"
	rm -rf "$stage"
	trap - EXIT
	echo "$cpio"
}

overlay() {
	local dir=$1 out=$2
	(cd "$dir" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) > "$out"
}

case ${1:-} in
	base) base "$2" "$3" ;;
	overlay) overlay "$2" "$3" ;;
	*) echo "usage: initrd.sh base KDIR OUTDIR | overlay DIR OUT" >&2; exit 2 ;;
esac
