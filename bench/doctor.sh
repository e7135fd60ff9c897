#!/bin/bash
# doctor: the time of a whole diagnosis (45 checks) on healthy trees, read
# offline from an image (Debian 12; Fedora 40 with /boot on a second
# filesystem), against a mounted tree, and the time of --fix safe + --undo
# of four faults. There is no tool to compare with: the peers (ec2rl, ALAR)
# run on the live system or in an Azure chroot. Each command's result is
# checked once (exit 0 on a healthy tree, the fix and the undo done).
set -eu
cd "$(dirname "$0")/.."
RC=$PWD/rescuectl
RUNS=${RUNS:-20}
[ "$(id -u)" = 0 ] || { echo "doctor bench: needs root (loop mounts)"; exit 0; }
W=$(mktemp -d /tmp/rc-bench-doctor.XXXXXX)
trap 'umount "$W/mnt" 2>/dev/null || true; rm -rf "$W"' EXIT
export RESCUECTL_SYSROOT=$W/sys
F=tests/fixtures
"$F/mkhealthy.sh" "$W/deb" debian12 >/dev/null
sed -i '/boot\/efi/d' "$W/deb/etc/fstab"
mke2fs -q -F -t ext4 -U 4a3f1c2e-8d5b-4e6f-9a1b-2c3d4e5f6a7b -d "$W/deb" "$W/deb.img" 256M 2>/dev/null
BOOT_DIR=$W/fboot "$F/mkhealthy.sh" "$W/fed" fedora40 >/dev/null
sed -i '/boot\/efi/d' "$W/fed/etc/fstab"   # sed -i makes a new file: give it its label back
setfattr -n security.selinux -v system_u:object_r:etc_t:s0 "$W/fed/etc/fstab"
mke2fs -q -F -t ext4 -U 4a3f1c2e-8d5b-4e6f-9a1b-2c3d4e5f6a7b -d "$W/fed" "$W/fed.img" 256M 2>/dev/null
mke2fs -q -F -t ext4 -U 7e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b -d "$W/fboot" "$W/fboot.img" 64M 2>/dev/null
"$F/mksysfs.sh" "$W/sys" disk sda "$W/fboot.img" && "$F/mksysfs.sh" "$W/sys" part sda2 "$W/fboot.img" sda 2
cp "$W/deb.img" "$W/mnt.img"
mkdir -p "$W/mnt"
mount -o loop "$W/mnt.img" "$W/mnt"
cp -a "$W/deb" "$W/bad"
echo "UUID=11111111-2222-4333-8444-555555555555 /srv ext4 defaults 0 2" >> "$W/bad/etc/fstab"
chmod 0666 "$W/bad/etc/sudoers"; chmod 0644 "$W/bad/etc/ssh/ssh_host_ed25519_key"
echo "PermitRootLogin maybe" >> "$W/bad/etc/ssh/sshd_config"
mke2fs -q -F -t ext4 -U 4a3f1c2e-8d5b-4e6f-9a1b-2c3d4e5f6a7b -d "$W/bad" "$W/bad.img" 256M 2>/dev/null

$RC doctor -q "$W/deb.img" && $RC doctor -q "$W/fed.img" && $RC doctor -q --root "$W/mnt" ||
	{ echo "doctor bench: a healthy tree has findings"; exit 1; }
fixundo="$RC doctor -q --fix safe -y $W/bad.img && $RC doctor -q --undo -y $W/bad.img"
eval "$fixundo" || { echo "doctor bench: fix + undo failed"; exit 1; }

names=("doctor IMG, Debian 12 (offline)" "doctor IMG, Fedora 40, /boot separate" "doctor --root DIR (mounted)"
       "doctor --fix safe + --undo, 4 faults")
cmds=("$RC doctor -q $W/deb.img" "$RC doctor -q $W/fed.img" "$RC doctor -q --root $W/mnt" "$fixundo")
mean=()
for i in 0 1 2 3; do
	n=$RUNS; [ $i = 3 ] && n=$(( RUNS / 4 + 1 ))
	s=$(date +%s%N)
	for _ in $(seq "$n"); do eval "${cmds[$i]}" >/dev/null 2>&1; done
	e=$(date +%s%N)
	mean+=("$(awk -v s="$s" -v e="$e" -v n="$n" 'BEGIN { print (e - s) / n / 1e6 }')")
done
echo "doctor, mean wall time of $RUNS runs (fix + undo: $(( RUNS / 4 + 1 ))), 256 MiB ext4 images:"
for i in 0 1 2 3; do printf '  %-42s %7.1f ms\n' "${names[$i]}" "${mean[$i]}"; done
