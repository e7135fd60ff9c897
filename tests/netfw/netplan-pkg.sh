#!/bin/sh
# netplan-pkg.sh DIR: Debian's netplan.io and libnetplan0 unpacked into DIR
# (once), for netplan's own generator as the syntax checker of netplan YAML.
# Not installed: its systemd generator would act on this machine.
# Prints the generator's path when it is there (run it with
# LD_LIBRARY_PATH=DIR/usr/lib/x86_64-linux-gnu or the multiarch dir).
set -eu
dir=$1
gen=$dir/usr/libexec/netplan/generate
if [ ! -x "$gen" ]; then
	tmp=$(mktemp -d)
	(cd "$tmp" && apt-get download netplan.io libnetplan0 >/dev/null 2>&1) || { rm -rf "$tmp"; exit 1; }
	mkdir -p "$dir"
	for d in "$tmp"/*.deb; do dpkg-deb -x "$d" "$dir"; done
	rm -rf "$tmp"
fi
echo "$gen"
