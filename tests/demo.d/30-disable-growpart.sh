# make demo: would cloud-init grow the root back? Then stop it, offline.
ROOTDEV=${DEMO_DISK}p3
step "Would anything grow the root at next boot? (exit 1 = yes)"
show "$RESCUECTL" disable-growpart --status "$ROOTDEV"
step "Stop cloud-init's growpart/resizefs and the initramfs growroot"
show "$RESCUECTL" disable-growpart --yes "$ROOTDEV"
step "Again: nothing would grow it now; a second run changes nothing"
show "$RESCUECTL" disable-growpart --status "$ROOTDEV"
show "$RESCUECTL" disable-growpart --yes "$ROOTDEV"
