#!/bin/sh
# fwd-pkg.sh DIR: Debian's firewalld package unpacked into DIR (once), for
# firewall-offline-cmd and the stock zones. Not installed: its daemon would
# start on this machine. Prints DIR when it is there.
set -eu
dir=$1
if [ ! -x "$dir/usr/bin/firewall-offline-cmd" ]; then
	tmp=$(mktemp -d)
	(cd "$tmp" && apt-get download firewalld >/dev/null 2>&1) || { rm -rf "$tmp"; exit 1; }
	mkdir -p "$dir"
	dpkg-deb -x "$tmp"/firewalld_*.deb "$dir"
	rm -rf "$tmp"
fi
echo "$dir"
