#!/bin/sh
# apt-source.sh PKG: fetch and unpack Debian's source package PKG (for the
# suite this machine runs) under build/apt/src, once, and print the path of
# the unpacked tree. A private apt configuration under build/apt holds the
# deb-src entry; the machine's own sources are never edited. The .dsc's
# version is in build/apt/src/PKG_VERSION.dsc.
set -eu
pkg=$1
top=$(pwd)
apt=$top/build/apt
mkdir -p "$apt/lists/partial" "$apt/src"
if [ ! -f "$apt/rescuectl-src.sources" ]; then
	# Reuse the archive and keyring the machine already uses.
	uri=$(grep -rhs '^URIs:.*debian$' /etc/apt/sources.list.d/*.sources | head -n1 | awk '{print $2}')
	[ -n "$uri" ] || uri=$(grep -hs '^deb .*debian ' /etc/apt/sources.list | head -n1 | awk '{print $2}')
	[ -n "$uri" ] || uri=http://deb.debian.org/debian
	suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
	cat > "$apt/rescuectl-src.sources" <<EOS
Types: deb-src
URIs: $uri
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOS
fi
APTOPT="-o Dir::Etc::SourceParts=$apt -o Dir::Etc::SourceList=/dev/null -o Dir::State::Lists=$apt/lists"
cd "$apt/src"
if [ -z "$(ls -d "$pkg"-[0-9]*/ 2>/dev/null)" ]; then
	# shellcheck disable=SC2086
	ls "$apt"/lists/*_Sources* >/dev/null 2>&1 || apt-get $APTOPT update -qq >&2
	# shellcheck disable=SC2086
	apt-get $APTOPT source -qq "$pkg" >&2 2>/dev/null || {
		# shellcheck disable=SC2086
		apt-get $APTOPT update -qq >&2
		# shellcheck disable=SC2086
		apt-get $APTOPT source -qq "$pkg" >&2
	}
fi
ls -d "$apt/src/$pkg"-[0-9]*/ | head -n1 | sed 's|/$||'
