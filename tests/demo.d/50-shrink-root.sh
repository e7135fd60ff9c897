# make demo: make room for a data partition behind the root.
ROOTDEV=${DEMO_DISK}p3
BACKUP=$WORK/table.sfdisk
step "shrink-root --dry-run: the plan, every step, nothing written"
show "$RESCUECTL" shrink-root --dry-run --size 200M --new rest:linux:data "$ROOTDEV"
step "The same for real: e2fsck, resize2fs, the partition through libfdisk (start, type, PARTUUID kept), a new partition, BLKPG, e2fsck -fn"
show "$RESCUECTL" shrink-root --yes --size 200M --new rest:linux:data --mkfs ext4 --backup "$BACKUP" "$ROOTDEV"
step "The table now: same root start and PARTUUID, a new ext4 data partition in the freed space"
show sfdisk -l "$DEMO_DISK"
show blkid -o full "${DEMO_DISK}p3" "${DEMO_DISK}p5"
step "The old table, saved before anything was written (restore with: sfdisk $DEMO_DISK < $BACKUP)"
show head -n 12 "$BACKUP"
step "Nothing will grow the root back into the gap"
show "$RESCUECTL" disable-growpart --status "$ROOTDEV"
