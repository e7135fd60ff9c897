# make demo: a server that does not boot -- its fstab still mounts a data
# disk that is gone, so the last boot waited 90 s and stopped in emergency
# mode. doctor says why, fixes it reversibly, and takes the fix back.
D=$WORK/doctor
GONE=9b2e4c1a-7d3f-4e8b-a6c5-0f1e2d3c4b5a
mkdir -p "$D"
"$TOP/tests/fixtures/mkhealthy.sh" "$D/tree" debian12 >/dev/null || exit 1
sed -i '/\/boot\/efi/d' "$D/tree/etc/fstab"                # a BIOS server: no ESP
echo "UUID=$GONE /srv/data ext4 defaults 0 2" >> "$D/tree/etc/fstab"
mkdir -p "$D/tree/srv/data"
cat >> "$D/tree/var/log/syslog" <<E
2024-11-19T03:12:01.000000+00:00 server1 kernel: [    0.000000] Linux version 6.1.0-27-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.115-1 (2024-11-01)
2024-11-19T03:13:33.520000+00:00 server1 systemd[1]: Timed out waiting for device /dev/disk/by-uuid/$GONE.
2024-11-19T03:13:33.521000+00:00 server1 systemd[1]: Dependency failed for srv-data.mount - /srv/data.
2024-11-19T03:13:33.521000+00:00 server1 systemd[1]: Dependency failed for local-fs.target - Local File Systems.
2024-11-19T03:13:33.650000+00:00 server1 systemd[1]: Started emergency.service - Emergency Shell.
2024-11-19T03:13:33.651000+00:00 server1 systemd[1]: Reached target emergency.target - Emergency Mode.
E
mke2fs -q -F -t ext4 -U 4a3f1c2e-8d5b-4e6f-9a1b-2c3d4e5f6a7b -d "$D/tree" "$D/server2.img" 256M 2>/dev/null || exit 1
IMG2=$D/server2.img

step "Another server is dark: why? (doctor reads it offline and writes nothing; exit 1 = something found)"
show "$RESCUECTL" doctor "$IMG2"
step "The safe, reversible fix, as a plan (--dry-run writes nothing)"
show "$RESCUECTL" doctor --fix safe --dry-run "$IMG2"
step "Fix it: each change is journaled in the target's /var/lib/rescuectl first"
show "$RESCUECTL" doctor --fix safe --yes "$IMG2"
debugfs -R "cat /etc/fstab" "$IMG2" 2>/dev/null | tail -n 3
gen=/lib/systemd/system-generators/systemd-fstab-generator
if [ -x $gen ]; then
	step "systemd-fstab-generator on the fixed fstab: /srv/data is only wanted now, so boot no longer waits for it"
	debugfs -R "dump /etc/fstab $D/fstab" "$IMG2" 2>/dev/null
	mkdir -p "$D/gen"
	SYSTEMD_FSTAB=$D/fstab SYSTEMD_PROC_CMDLINE="" SYSTEMD_IN_INITRD=0 $gen "$D/gen" "$D/gen" "$D/gen" 2>/dev/null
	(cd "$D/gen" && ls -d local-fs.target.*/srv-data.mount)
fi
step "Diagnose fstab and the boot chain again: nothing left (the log still tells how the last boot ended)"
show "$RESCUECTL" doctor --check fstab,boot "$IMG2"
step "Undo: every file doctor touched is back, byte for byte, owner, mode and label"
show "$RESCUECTL" doctor --undo --yes "$IMG2"
show "$RESCUECTL" doctor --check fstab "$IMG2"
