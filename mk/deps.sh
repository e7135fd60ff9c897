#!/bin/sh
# Install the Debian packages rescuectl needs to build, test and benchmark,
# but only those that are missing. Never touches the machine's apt sources.
set -eu
# e2fsprogs and util-linux are built from their Debian source packages
# (mk/e2fsprogs.sh, mk/util-linux.sh): no libext2fs-dev, no libfdisk-dev.
BUILD_PKGS="gcc binutils make pkg-config libc6-dev libcrypt-dev
  libjson-c-dev libyaml-dev dpkg-dev xz-utils zlib1g-dev"
TEST_PKGS="libcmocka-dev bats e2fsprogs xfsprogs btrfs-progs fdisk util-linux
  file attr passwd dosfstools jq python3-yaml strace python3 acl libcap2-bin tar
  libarchive-tools zstd gzip cpio openssh-client systemd procps
  ansible-core ansible-lint python3-jsonschema openssh-server busybox-static
  nftables iptables ufw python3-firewall python3-nftables iproute2 udev"
# make check-vm (tests/vm): QEMU, and the tools copied into the guest's
# initramfs. Their services are never started here: invoke-rc.d asks
# policy-rc.d, which forbids every start while we install (see below). The
# guest kernel is not installed: tests/vm/kernel.sh unpacks its package.
VM_PKGS="qemu-system-x86 busybox-static mdadm lvm2 cryptsetup-bin cpio kmod
  debootstrap debian-archive-keyring e2fsprogs xfsprogs btrfs-progs fdisk python3"
case "${1:-all}" in
  build) PKGS=$BUILD_PKGS ;;
  bench) PKGS="os-prober hyperfine liblzma-dev xz-utils" ;;
  vm) PKGS=$VM_PKGS ;;
  *) PKGS="$BUILD_PKGS $TEST_PKGS $VM_PKGS" ;;
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
# The fleet tests start their own sshd instances on 127.0.0.1 at high ports.
# Installing openssh-server must not leave a system sshd on port 22 behind:
# when we are the ones installing it (so nothing relied on a system sshd),
# Debian's own switch keeps the service from starting, now and at boot
# (ssh.service and /etc/init.d/ssh honour it); sshd started by hand is not
# affected. Remove the file to run the system's sshd.
case " $missing " in
*" openssh-server "*)
  if [ ! -e /etc/ssh/sshd_not_to_be_run ]; then
    mkdir -p /etc/ssh
    echo "created by rescuectl's make deps (mk/deps.sh): the system sshd stays off" \
      > /etc/ssh/sshd_not_to_be_run
  fi ;;
esac
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || true
# No package may start a daemon on this machine (mdadm's monitor, lvm2's
# dmeventd, udev): a policy-rc.d that denies every start, unless one exists.
policy=
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  policy=/usr/sbin/policy-rc.d
fi
st=0
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null || st=$?
[ -n "$policy" ] && rm -f "$policy"
exit $st
