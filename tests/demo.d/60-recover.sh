# make demo: get a folder off the server as a tar stream, without mounting
# its root, and unpack it "on the laptop side" with owners and xattrs kept.
ROOTDEV=${DEMO_DISK}p3
LAPTOP=$WORK/laptop
mkdir -p "$LAPTOP" "$WORK/scene"

step "(Setting the scene: the admin's work in /root/demo on the server, owned by uid 1000 with an SELinux label, an xattr and an ACL)"
mount "$ROOTDEV" "$WORK/scene"
mkdir -p "$WORK/scene/root/demo/reports"
printf 'quarterly numbers\n' > "$WORK/scene/root/demo/reports/q3.txt"
head -c 3M /dev/urandom > "$WORK/scene/root/demo/dataset.bin"
truncate -s 1G "$WORK/scene/root/demo/vm-disk.img"
ln -s reports/q3.txt "$WORK/scene/root/demo/latest"
chown -R 1000:1000 "$WORK/scene/root/demo"
setfattr -n security.selinux -v 'unconfined_u:object_r:admin_home_t:s0' "$WORK/scene/root/demo/reports/q3.txt"
setfattr -n user.origin -v 'rescue demo' "$WORK/scene/root/demo/reports/q3.txt"
setfacl -m u:daemon:r-- "$WORK/scene/root/demo/reports/q3.txt" 2>/dev/null
umount "$WORK/scene"

step "What would come out (reads no contents; owner names from the server's own /etc/passwd)"
show "$RESCUECTL" recover --list "$ROOTDEV" /root/demo

step "On the laptop: ssh root@SERVER rescuectl recover --zstd /root/demo > server.tar.zst (no mount, no journal replay)"
echo "$ rescuectl recover --zstd $ROOTDEV /root/demo > $LAPTOP/server.tar.zst"
"$RESCUECTL" recover --zstd "$ROOTDEV" /root/demo > "$LAPTOP/server.tar.zst"
echo "(exit $?)"
show ls -l "$LAPTOP/server.tar.zst"

step "Unpacked on the laptop: owners by number, the 1 GiB sparse disk image still sparse, xattrs and the ACL kept"
mkdir -p "$LAPTOP/restore"
show tar --zstd --xattrs --xattrs-include='*' --acls --numeric-owner -xpf "$LAPTOP/server.tar.zst" -C "$LAPTOP/restore"
show ls -ln "$LAPTOP/restore/root/demo" "$LAPTOP/restore/root/demo/reports"
show du -h --apparent-size "$LAPTOP/restore/root/demo/vm-disk.img"
show du -h "$LAPTOP/restore/root/demo/vm-disk.img"
show getfattr -d -m - "$LAPTOP/restore/root/demo/reports/q3.txt"
show getfacl -n "$LAPTOP/restore/root/demo/reports/q3.txt"

step "Damage does not stop it: an inode cleared with debugfs -w is listed as lost, the rest comes out (exit 7)"
debugfs -w -R 'clri /root/demo/dataset.bin' "$ROOTDEV" >/dev/null 2>&1
echo "$ rescuectl recover $ROOTDEV /root/demo > $LAPTOP/damaged.tar"
"$RESCUECTL" recover "$ROOTDEV" /root/demo > "$LAPTOP/damaged.tar"
echo "(exit $?)"
show tar -tvf "$LAPTOP/damaged.tar"
# give the root back its file: fsck repairs the cleared inode
e2fsck -fy "$ROOTDEV" >/dev/null 2>&1 || true
