# tests/demo.d/10-detect-mount.sh, sourced by tests/demo.sh with DEMO_DISK
# (loop device, partitions added), DEMO_IMG, RESCUECTL and DEMO_MNT set, and
# its step/show helpers. detect-root, mount-root, a command in the chroot,
# umount-root: the real commands, their real output.

step "detect-root on the demo disk only, as JSON for scripts (roots, candidates, hints)"
show "$RESCUECTL" detect-root --json "$DEMO_DISK" "$DEMO_DISK"p1 "$DEMO_DISK"p2 "$DEMO_DISK"p3 "$DEMO_DISK"p4
DEMO_ROOT=$("$RESCUECTL" detect-root --json "$DEMO_DISK"p1 "$DEMO_DISK"p2 "$DEMO_DISK"p3 "$DEMO_DISK"p4 2>/dev/null |
	sed -n 's/^ *"device": "\(.*\)",$/\1/p' | head -1)

step "mount-root: the root, then its fstab (/boot; the ESP needs vfat, which this rescue kernel may lack), then proc, sys, dev, run"
show "$RESCUECTL" mount-root --target "$DEMO_MNT" "$DEMO_ROOT"

step "What is mounted now (from /proc/self/mountinfo)"
show findmnt -R -o TARGET,SOURCE,FSTYPE "$DEMO_MNT"

step "A command inside the installed system"
show chroot "$DEMO_MNT" cat /etc/os-release

step "mount-root again: nothing is mounted twice"
show "$RESCUECTL" mount-root --target "$DEMO_MNT" "$DEMO_ROOT"

step "umount-root while a shell sits in $DEMO_MNT/boot: it names the process and leaves the mount"
(cd "$DEMO_MNT/boot" && exec sleep 60) &
DEMO_SLEEPER=$!
sleep 0.3
show "$RESCUECTL" umount-root --target "$DEMO_MNT"
kill "$DEMO_SLEEPER" 2>/dev/null
wait "$DEMO_SLEEPER" 2>/dev/null

step "umount-root: everything under $DEMO_MNT, deepest first"
show "$RESCUECTL" umount-root --target "$DEMO_MNT"
show findmnt -R "$DEMO_MNT"
