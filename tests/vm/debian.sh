#!/bin/bash
# debian.sh OUTDIR: a real Debian 12 to repair and boot (tests/vm/boot.bats),
# made with debootstrap from Debian's archive and cached: prints the
# directory holding root/ (the installed tree, with its own kernel and an
# initramfs made by its own initramfs-tools, mdadm hook included, with
# busybox as Debian's images have it: initramfs-tools recommends it and
# its mdadm script needs rm).
#
# What a provider's image has that matters here: systemd, cloud-init with
# cloud-guest-utils (growpart), mdadm, a serial getty (console=ttyS0), and
# a NoCloud seed so that cloud-init really runs its modules (growpart,
# resizefs) on every boot instead of finding no datasource and staying off.
# (python3-cffi-backend: debootstrap resolves no virtual packages, and
# python3-cryptography needs the one it provides.)
# root's password is locked ('*'): only reset-pass can make it log in.
set -euo pipefail
out=$1
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
pkgs=systemd-sysv,udev,busybox,cloud-init,python3-cffi-backend,cloud-guest-utils,linux-image-amd64,mdadm,kmod,e2fsprogs,login,passwd,procps,util-linux,fdisk
key=$( { cat "$0"; echo "$pkgs $mirror"; } | sha256sum | cut -c1-12)
dir=$out/debian12-$key
if [ -f "$dir/.done" ]; then echo "$dir"; exit 0; fi
rm -rf "$out"/debian12-*
mkdir -p "$dir"
log=$dir/debootstrap.log
if ! debootstrap --variant=minbase --include="$pkgs" bookworm "$dir/root" "$mirror" > "$log" 2>&1; then
	tail -n 30 "$log" >&2
	echo "debian.sh: debootstrap failed (log: $log)" >&2
	exit 1
fi
r=$dir/root
echo debian-vm > "$r/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 debian-vm\n' > "$r/etc/hosts"
# The root filesystem is named per layout by boot.bats (UUID=); no swap.
echo "# written by boot.bats per layout" > "$r/etc/fstab"
# cloud-init: a NoCloud seed, so it runs (growpart, resizefs) on every boot.
mkdir -p "$r/var/lib/cloud/seed/nocloud"
printf 'instance-id: rescuectl-vm-1\nlocal-hostname: debian-vm\n' > "$r/var/lib/cloud/seed/nocloud/meta-data"
printf '#cloud-config\n{}\n' > "$r/var/lib/cloud/seed/nocloud/user-data"
# The image has no en_US.UTF-8 locale: C.UTF-8, which glibc always has,
# or cloud-init's locale module fails and cloud-init ends in "error".
printf 'datasource_list: [ NoCloud, None ]\nlocale: C.UTF-8\n' > "$r/etc/cloud/cloud.cfg.d/95-vm-nocloud.cfg"
# No network in the VM: do not wait for it.
ln -sf /dev/null "$r/etc/systemd/system/systemd-networkd-wait-online.service"
# mdadm: no ARRAY lines, so the initramfs assembles every array it finds
# (a server's image does not know the arrays of the disks it is put on).
sed -i 's/^ARRAY/#ARRAY/' "$r/etc/mdadm/mdadm.conf" 2> /dev/null || true
# root stays locked: '*' in /etc/shadow.
sed -i 's/^root:[^:]*:/root:*:/' "$r/etc/shadow"
ls "$r"/boot/vmlinuz-* "$r"/boot/initrd.img-* > /dev/null
rm -rf "$r"/var/cache/apt/archives/*.deb
touch "$dir/.done"
echo "$dir"
