#!/bin/sh
# Install the Debian packages rescuectl needs to build, test and benchmark,
# but only those that are missing. Never touches the machine's apt sources.
set -eu
BUILD_PKGS="gcc make pkg-config libc6-dev libext2fs-dev comerr-dev libcrypt-dev
  libjson-c-dev libyaml-dev dpkg-dev xz-utils zlib1g-dev"
TEST_PKGS="libcmocka-dev bats e2fsprogs xfsprogs btrfs-progs fdisk util-linux
  file attr passwd dosfstools jq python3-yaml strace python3 acl libcap2-bin tar
  libarchive-tools zstd gzip cpio openssh-client systemd busybox-static"
case "${1:-all}" in
  build) PKGS=$BUILD_PKGS ;;
  bench) PKGS="os-prober hyperfine" ;;
  *) PKGS="$BUILD_PKGS $TEST_PKGS" ;;
esac
missing=
for p in $PKGS; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' \
    || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "deps: missing packages:$missing; run 'make deps' as root" >&2
  exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || true
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
