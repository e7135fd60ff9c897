# make demo: fsck with a preflight and the result in words.
step "fsck --check-only on the root: preflight from the superblock, then e2fsck -fn (changes nothing)"
show "$RESCUECTL" fsck --check-only "${DEMO_DISK}p3"
step "Damage /boot the way a crash does (wrong free counts, error flag) and repair it"
debugfs -w -R 'ssv free_blocks_count 12' "${DEMO_DISK}p2" 2>/dev/null
debugfs -w -R 'ssv state 2' "${DEMO_DISK}p2" 2>/dev/null
show "$RESCUECTL" fsck --yes "${DEMO_DISK}p2"
step "And again: clean"
show "$RESCUECTL" fsck --check-only -q "${DEMO_DISK}p2"
step "A rescue system without e2fsprogs (hidden here in a mount namespace): rescuectl carries its own e2fsck"
debugfs -w -R 'ssv free_blocks_count 12' "${DEMO_DISK}p2" 2>/dev/null
# (the namespace script runs sh, which does not pass on bash's exported functions)
"$TOP/tests/fixtures/no-e2fsprogs.sh" bash -c "$(declare -f show)"'
show ls /sbin/e2fsck /usr/sbin/e2fsck /sbin/resize2fs /sbin/mke2fs
show "$RESCUECTL" fsck --yes "$1"' _ "${DEMO_DISK}p2"
