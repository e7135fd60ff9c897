#!/bin/sh
# kernel.sh OUTDIR: Debian's own kernel for the rescue VM, unpacked (not
# installed: nothing lands in /boot, no initramfs hook runs on this machine).
# Fetches the package linux-image-amd64 points at with apt-get download,
# unpacks it with dpkg-deb -x and runs depmod on the copy. Cached: a second
# call with the same package version does nothing. Prints the directory,
# OUTDIR/KVER, holding vmlinuz and lib/modules/KVER.
set -eu
out=$1
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/ { print $2; exit }')
[ -n "$pkg" ] || { echo "kernel.sh: apt-cache knows no linux-image-amd64 (apt-get update?)" >&2; exit 1; }
kver=${pkg#linux-image-}
dir=$out/$kver
if [ ! -f "$dir/.done" ]; then
	rm -rf "$dir"
	mkdir -p "$dir/deb"
	(cd "$dir/deb" && apt-get download -q "$pkg" >/dev/null 2>&1) ||
		{ echo "kernel.sh: apt-get download $pkg failed" >&2; exit 1; }
	dpkg-deb -x "$dir"/deb/*.deb "$dir/root"
	cp "$dir/root/boot/vmlinuz-$kver" "$dir/vmlinuz"
	mkdir -p "$dir/lib"
	mv "$dir/root/lib/modules" "$dir/lib/modules"
	depmod -b "$dir" "$kver"
	rm -rf "$dir/root" "$dir/deb"
	touch "$dir/.done"
fi
echo "$dir"
