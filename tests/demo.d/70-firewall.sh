# make demo: a server that firewalled itself out -- its nftables.conf was
# edited to drop everything new, so sshd runs but nobody gets in. doctor
# says which rule of which file drops sshd's port, adds an accept rule in
# the same file and format, and the real kernel (two network namespaces made
# here, addresses only inside them) shows the connection dropped before and
# accepted after.
F=$WORK/firewall
mkdir -p "$F"
"$TOP/tests/fixtures/mkhealthy.sh" "$F/tree" debian12 >/dev/null || exit 1
sed -i '/\/boot\/efi/d' "$F/tree/etc/fstab"
"$TOP/tests/fixtures/fw/mkfwroot.sh" "$F/tree" nft "$TOP/tests/fixtures/fw/nft/08-established-only.nft"
mke2fs -q -F -t ext4 -U 5b4e2d3f-9e6c-4f70-8b2c-3d4e5f6a7b8c -d "$F/tree" "$F/server3.img" 256M 2>/dev/null || exit 1
IMG3=$F/server3.img
kernel_says() {   # load the image's /etc/nftables.conf into a fresh namespace; connect to port 22
	debugfs -R "dump /etc/nftables.conf $F/nftables.conf" "$IMG3" 2>/dev/null
	(. "$TOP/tests/netfw/kernel.bash"
	 netfw_ns_up && netfw_listen 22 && ip netns exec "$NS_S" nft -f "$F/nftables.conf" &&
		echo "kernel: a new connection to port 22 from 10.200.0.2: $(netfw_connect 22)"
	 netfw_ns_down)
}

step "A third server answers ping but not SSH: what does its firewall do at boot? (offline, nothing written)"
show "$RESCUECTL" doctor --check fw "$IMG3"
if command -v nft >/dev/null && [ -x /usr/bin/python3 ]; then
	step "The same rules in the real kernel (a network namespace made for the demo)"
	kernel_says
fi
step "Fix: an accept rule for sshd's port at the top of the input chain, in nftables.conf itself"
show "$RESCUECTL" doctor --fix fw.ssh-dropped --yes "$IMG3"
debugfs -R "cat /etc/nftables.conf" "$IMG3" 2>/dev/null | sed -n '3,8p'
if command -v nft >/dev/null && [ -x /usr/bin/python3 ]; then
	step "The kernel again, with the fixed file"
	kernel_says
fi
show "$RESCUECTL" doctor --check fw "$IMG3"
step "Undo: nftables.conf is back, byte for byte"
show "$RESCUECTL" doctor --undo --yes "$IMG3"
