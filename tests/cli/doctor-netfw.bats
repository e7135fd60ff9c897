#!/usr/bin/env bats
# The firewall verdicts (lib/fw*.c) against the real kernel: every rule set
# is checked with its own tool (nft -c, iptables-restore --test), loaded
# into a fresh network namespace, and a connection is made to the port
# from a second namespace over a veth pair, from two source addresses.
# What the analysis says (accepted, dropped, rejected, uncertain) must be
# what the kernel did: "uncertain" only where the kernel's answer depends
# on the source address. The test driver build/helpers/netfw prints the
# analysis below doctor (verdicts, deciding rules, plans); the last tests go
# through doctor itself.
load ../helpers
load ../netfw/kernel
bats_require_minimum_version 1.5.0

FW=$FIX/fw

need_netns() {
	need_root
	command -v nft >/dev/null || skip "needs nft (nftables)"
	command -v iptables-restore >/dev/null || skip "needs iptables-restore (iptables)"
	[ -x /usr/bin/python3 ] || skip "needs /usr/bin/python3"
}

teardown() {
	netfw_ns_down
	cleanup_resources
}

# verdict_of KIND FILE PORT: the analysis's verdict line.
verdict_of() {
	netfw "$1" "$2" --port "$3" | sed -n 's/^verdict: //p'
}

# check_one KIND FILE: the analysis against the kernel; prints a line on a mismatch.
check_one() {
	local kind=$1 f=$2 v out
	v=$(verdict_of "$kind" "$f" 22)
	netfw_ns_up || { echo "$f: cannot make namespaces"; return 1; }
	netfw_listen 22 || { echo "$f: no listener"; netfw_ns_down; return 1; }
	if [ "$kind" = nft ]; then
		ip netns exec "$NS_S" nft -f "$f" || { echo "$f: nft -f failed"; netfw_ns_down; return 1; }
	else
		ip netns exec "$NS_S" iptables-restore < "$f" || { echo "$f: iptables-restore failed"; netfw_ns_down; return 1; }
	fi
	out=$(netfw_oracle "$v" 22) || echo "MISMATCH $(basename "$f"): rescuectl says '$v', $out"
	netfw_ns_down
}

@test "netfw: every nft fixture passes nft -c" {
	need_netns
	for f in "$FW"/nft/*.nft; do
		run nft -c -f "$f"
		[ "$status" = 0 ] || { echo "$f: $output"; false; }
	done
}

@test "netfw: every iptables-save fixture passes iptables-restore --test" {
	need_netns
	for f in "$FW"/ipt/*.v4; do
		run iptables-restore --test "$f"
		[ "$status" = 0 ] || { echo "$f: $output"; false; }
	done
}

@test "netfw: nftables verdicts equal what the kernel does (every fixture)" {
	need_netns
	local n=0 bad=
	for f in "$FW"/nft/*.nft; do
		bad+=$(check_one nft "$f")
		n=$((n + 1))
	done
	echo "$n nft rule sets"
	[ -z "$bad" ] || { echo "$bad"; false; }
	[ "$n" -ge 30 ]
}

@test "netfw: iptables verdicts equal what the kernel does (every fixture)" {
	need_netns
	local n=0 bad=
	for f in "$FW"/ipt/*.v4; do
		bad+=$(check_one ipt "$f")
		n=$((n + 1))
	done
	echo "$n iptables rule sets"
	[ -z "$bad" ] || { echo "$bad"; false; }
	[ "$n" -ge 12 ]
}

@test "netfw: uncertain names the rule that depends on the source address" {
	run netfw nft "$FW/nft/13-saddr-subnet.nft" --port 22
	[[ $output == *"verdict: uncertain"* ]]
	[[ $output == *"depends on the source address"*"ip saddr 10.200.0.0/24 tcp dport 22 accept"* ]]
	[[ $output == *"verdict-at: $FW/nft/13-saddr-subnet.nft:6"* ]]
}

@test "netfw: the port is sshd's: a rule set that accepts 2222 drops 22 and accepts 2222" {
	need_netns
	[ "$(verdict_of nft "$FW/nft/17-wrong-port.nft" 22)" = dropped ]
	[ "$(verdict_of nft "$FW/nft/17-wrong-port.nft" 2222)" = accepted ]
	netfw_ns_up
	netfw_listen 2222
	ip netns exec "$NS_S" nft -f "$FW/nft/17-wrong-port.nft"
	[ "$(netfw_connect 2222)" = accepted ]
}

# ---- installed roots: what is loaded at boot, the verdict, the fix ----------

MK=$FIX/fw/mkfwroot.sh

need_fwd() {
	need_netns
	/usr/bin/python3 -c 'import firewall.core.fw' 2>/dev/null || skip "needs python3-firewall and python3-nftables"
	FWD=$("$TOP/tests/netfw/fwd-pkg.sh" "$TOP/build/fwd") || skip "cannot unpack Debian's firewalld package"
}

offline_cmd() {   # firewall-offline-cmd on ROOT's configuration
	local root=$1
	shift
	/usr/bin/python3 "$FWD/usr/bin/firewall-offline-cmd" --system-config "$root/etc/firewalld" \
		--default-config "$root/usr/lib/firewalld" "$@" >/dev/null
}

# tree_check KIND ROOT [PORT]: the analysis of ROOT against the kernel after
# ROOT's firewall is loaded as at boot. Sets $V to the verdict.
tree_check() {
	local kind=$1 root=$2 port=${3:-22} out
	run netfw fw --root "$root"
	echo "$output"
	V=$(sed -n 's/^verdict: //p' <<< "$output")
	netfw_ns_up
	netfw_listen "$port"
	netfw_boot_load "$kind" "$root" || { echo "loading as at boot failed"; return 1; }
	out=$(netfw_oracle "$V" "$port") || { echo "MISMATCH: rescuectl says '$V', $out"; return 1; }
	if [ "$kind" = fwd ]; then   # firewalld's rendering, read back as nft rules, says the same
		ip netns exec "$NS_S" nft list ruleset > "$BATS_TEST_TMPDIR/fwd.nft"
		out=$(netfw nft "$BATS_TEST_TMPDIR/fwd.nft" --port "$port" | sed -n 's/^verdict: //p')
		[ "$out" = "$V" ] || { echo "firewalld's nft rules read as '$out', its zones as '$V'"; return 1; }
	fi
	netfw_ns_down
}

# fix_check KIND ROOT HOW NAME [PORT]: plan and apply the fix, then the
# analysis says accepted and the kernel accepts.
fix_check() {
	local kind=$1 root=$2 how=$3 name=$4 port=${5:-22}
	run netfw fix --root "$root" "$how" "$name" --apply
	echo "$output"
	[[ $output == *"after: accepted"* || $output == *"after: no rules"* ]]
	tree_check "$kind" "$root" "$port"
	[ "$V" = accepted ] || [ "$V" = "no rules" ]
}

@test "netfw tree: nftables that drops ssh at boot, the finding, the fix, the kernel after it" {
	need_netns
	local r=$BATS_TEST_TMPDIR/root
	"$MK" "$r" base && "$MK" "$r" nft "$FW/nft/08-established-only.nft"
	tree_check nft "$r"
	[ "$V" = dropped ]
	[[ $output == *"finding: fw.ssh-dropped /etc/nftables.conf:4: At boot, nftables will drop new TCP connections to port 22 (/etc/nftables.conf:4, chain input, policy drop; no accept rule matches)"* ]]
	fix_check nft "$r" accept nftables
	nft -c -f "$r/etc/nftables.conf"
	grep -q '^		tcp dport 22 accept$' "$r/etc/nftables.conf"
}

@test "netfw tree: nftables written as commands gets an insert rule line; the kernel accepts" {
	need_netns
	local r=$BATS_TEST_TMPDIR/root
	"$MK" "$r" base && "$MK" "$r" nft "$FW/nft/27-commands.nft"
	tree_check nft "$r"
	[ "$V" = dropped ]
	fix_check nft "$r" accept nftables
	tail -1 "$r/etc/nftables.conf" | grep -qx 'insert rule inet filter input tcp dport 22 accept'
}

@test "netfw tree: the chain that drops lives in an included file: that file is fixed" {
	need_netns
	local r=$BATS_TEST_TMPDIR/root
	"$MK" "$r" base && "$MK" "$r" nft "$FW/nft/01-debian-default.nft"
	mkdir -p "$r/etc/nftables.d"
	printf 'flush ruleset\ninclude "/etc/nftables.d/*.nft"\n' > "$r/etc/nftables.conf"
	cp "$FW/nft/03-accept-22.nft" "$r/etc/nftables.d/10-base.nft"
	sed -i '/flush ruleset/d; /tcp dport 22 accept/d' "$r/etc/nftables.d/10-base.nft"
	tree_check nft "$r"
	[ "$V" = dropped ]
	[[ $output == *"verdict-at: /etc/nftables.d/10-base.nft:"* ]]
	fix_check nft "$r" accept nftables
	grep -q 'tcp dport 22 accept' "$r/etc/nftables.d/10-base.nft"
	! grep -q 'tcp dport' "$r/etc/nftables.conf"
}

@test "netfw tree: an nftables.conf that drops but is not enabled at boot is not loaded" {
	need_netns
	local r=$BATS_TEST_TMPDIR/root
	"$MK" "$r" base && "$MK" "$r" nft-off "$FW/nft/08-established-only.nft"
	tree_check none "$r"
	[ "$V" = "no rules" ]
	[[ $output == *"nftables: not loaded: nftables is not enabled at boot"* ]]
	[[ $output != *finding:* ]]
}

@test "netfw tree: disabling nftables at boot removes its wants link" {
	need_netns
	local r=$BATS_TEST_TMPDIR/root
	"$MK" "$r" base && "$MK" "$r" nft "$FW/nft/08-established-only.nft"
	run netfw fix --root "$r" disable nftables --apply
	echo "$output"
	[[ $output == *"step: /etc/systemd/system/sysinit.target.wants/nftables.service: remove the link"* ]]
	[ ! -e "$r/etc/systemd/system/sysinit.target.wants/nftables.service" ]
	[ -f "$r/etc/nftables.conf" ]
	tree_check none "$r"
	[ "$V" = "no rules" ]
}

@test "netfw tree: iptables-persistent (Debian) and iptables-services (RHEL, sshd on 2222)" {
	need_netns
	local r=$BATS_TEST_TMPDIR/deb
	"$MK" "$r" base && "$MK" "$r" ipt "$FW/ipt/02-policy-drop.v4"
	tree_check ipt "$r"
	[ "$V" = dropped ]
	[[ $output == *"finding: fw.ssh-dropped /etc/iptables/rules.v4:3:"* ]]
	fix_check ipt "$r" accept iptables
	iptables-restore --test "$r/etc/iptables/rules.v4"
	r=$BATS_TEST_TMPDIR/rhel
	PORT=2222 "$MK" "$r" base && "$MK" "$r" ipt-rhel "$FW/ipt/01-rhel-default.v4"
	tree_check ipt-rhel "$r" 2222
	[ "$V" = "dropped (rejected)" ]
	[[ $output == *"port: 2222 (/etc/ssh/sshd_config:2)"* ]]
	fix_check ipt-rhel "$r" accept iptables 2222
}

@test "netfw tree: ufw's chains, as the real ufw writes and starts them" {
	need_netns
	command -v ufw >/dev/null && [ -x /lib/ufw/ufw-init ] || skip "needs ufw"
	local r=$BATS_TEST_TMPDIR/ufw
	"$MK" "$r" base && "$MK" "$r" ufw - DROP no
	netfw_ufw "$r" allow 22/tcp
	sed -i 's/^ENABLED=no/ENABLED=yes/' "$r/etc/ufw/ufw.conf"
	tree_check ufw "$r"
	[ "$V" = accepted ]
	netfw_ufw "$r" delete allow 22/tcp
	netfw_ufw "$r" limit OpenSSH
	tree_check ufw "$r"
	[ "$V" = accepted ]
	netfw_ufw "$r" delete limit OpenSSH
	netfw_ufw "$r" allow from 10.200.0.0/24 to any port 22 proto tcp
	tree_check ufw "$r"
	[ "$V" = uncertain ]
	[[ $output == *"depends on the source address"*"-s 10.200.0.0/24"* ]]
}

@test "netfw tree: ufw enabled with no rule drops ssh; the fix is ufw's own rule; ENABLED=no is not loaded" {
	need_netns
	command -v ufw >/dev/null && [ -x /lib/ufw/ufw-init ] || skip "needs ufw"
	local r=$BATS_TEST_TMPDIR/ufw
	"$MK" "$r" base && "$MK" "$r" ufw - DROP yes
	tree_check ufw "$r"
	[ "$V" = dropped ]
	[[ $output == *"policy drop (DEFAULT_INPUT_POLICY=DROP)"* ]]
	fix_check ufw "$r" accept ufw
	grep -qx '### tuple ### allow tcp 22 0.0.0.0/0 any 0.0.0.0/0 in' "$r/etc/ufw/user.rules"
	r=$BATS_TEST_TMPDIR/ufw2
	"$MK" "$r" base && "$MK" "$r" ufw - REJECT yes
	tree_check ufw "$r"
	[ "$V" = "dropped (rejected)" ]
	fix_check none "$r" disable ufw
	grep -qx 'ENABLED=no' "$r/etc/ufw/ufw.conf"
	[[ $output == *"ufw: not loaded: ENABLED=no in /etc/ufw/ufw.conf"* ]]
}

@test "netfw tree: firewalld zones rendered by firewall-offline-cmd, loaded by firewalld's own code" {
	need_fwd
	local r=$BATS_TEST_TMPDIR/fwd
	"$MK" "$r" base && "$MK" "$r" fwd
	tree_check fwd "$r"
	[ "$V" = accepted ]
	[[ $output == *'<service name="ssh"'* ]]
	offline_cmd "$r" --zone=public --remove-service-from-zone=ssh
	tree_check fwd "$r"
	[ "$V" = "dropped (rejected)" ]
	offline_cmd "$r" --zone=public --add-rich-rule='rule family="ipv4" source address="10.200.0.0/24" service name="ssh" accept'
	tree_check fwd "$r"
	[ "$V" = uncertain ]
	offline_cmd "$r" --zone=public --remove-rich-rule='rule family="ipv4" source address="10.200.0.0/24" service name="ssh" accept'
	fix_check fwd "$r" accept firewalld
	offline_cmd "$r" --check-config
}

@test "netfw tree: firewalld with the drop zone as default; a port instead of the service for sshd on 2222" {
	need_fwd
	local r=$BATS_TEST_TMPDIR/fwd
	"$MK" "$r" base && "$MK" "$r" fwd
	offline_cmd "$r" --set-default-zone=drop
	tree_check fwd "$r"
	[ "$V" = dropped ]
	[[ $output == *"zone target DROP"* ]]
	fix_check fwd "$r" accept firewalld
	[ -f "$r/etc/firewalld/zones/drop.xml" ]
	r=$BATS_TEST_TMPDIR/fwd2
	PORT=2222 "$MK" "$r" base && "$MK" "$r" fwd
	tree_check fwd "$r" 2222
	[ "$V" = "dropped (rejected)" ]
	fix_check fwd "$r" accept firewalld 2222
	grep -q '<port protocol="tcp" port="2222"/>' "$r/etc/firewalld/zones/public.xml"
}

# ---- through doctor itself: the finding, --fix, the kernel, --undo ------------

# tree_sig DIR: every path with type, mode, size and content hash.
tree_sig() {
	(cd "$1" && find . -printf '%p %y %m %s %l\n' | LC_ALL=C sort && find . -type f -exec sha256sum {} + | LC_ALL=C sort -k2)
}

@test "doctor: fw.ssh-dropped with its evidence, --fix, the kernel accepts, --undo puts every byte back (tree and offline ext4)" {
	need_netns
	local r=$BATS_TEST_TMPDIR/root before
	"$MK" "$r" base && "$MK" "$r" nft "$FW/nft/08-established-only.nft"
	before=$(tree_sig "$r")
	run "$RESCUECTL" doctor --check fw --root "$r"
	echo "$output"
	[ "$status" = 1 ]
	[[ $output == *"BLOCKS LOGIN  fw.ssh-dropped"*"/etc/nftables.conf:4: policy drop"*"At boot, nftables will drop new TCP connections to port 22 (/etc/nftables.conf:4, chain input, policy drop; no accept rule matches)"* ]]
	run "$RESCUECTL" doctor --check fw --json --root "$r"
	[ "$(jq -r '.findings[0].id' <<< "$output")" = fw.ssh-dropped ]
	run "$RESCUECTL" doctor --check fw --fix fw.ssh-dropped --yes --root "$r"
	[ "$status" = 0 ]
	nft -c -f "$r/etc/nftables.conf"
	tree_check nft "$r"
	[ "$V" = accepted ]
	run "$RESCUECTL" doctor --undo --yes --root "$r"
	[ "$status" = 0 ]
	[ "$(tree_sig "$r")" = "$before" ]
	# the same offline, on an ext4 image doctor reads through libext2fs
	mke2fs -q -F -t ext4 -d "$r" "$BATS_TEST_TMPDIR/img" 64M
	run "$RESCUECTL" doctor --check fw --fix fw.ssh-dropped --yes "$BATS_TEST_TMPDIR/img"
	[ "$status" = 0 ]
	debugfs -R "dump /etc/nftables.conf $BATS_TEST_TMPDIR/fixed.conf" "$BATS_TEST_TMPDIR/img" 2>/dev/null
	grep -qx '		tcp dport 22 accept' "$BATS_TEST_TMPDIR/fixed.conf"
	e2fsck -fn "$BATS_TEST_TMPDIR/img" >/dev/null
}

@test "doctor: --disable-firewall removes ufw's ENABLED and firewalld's wants link; --undo makes them again" {
	local r=$BATS_TEST_TMPDIR/root before
	"$MK" "$r" base && "$MK" "$r" ufw - DROP yes
	before=$(tree_sig "$r")
	run "$RESCUECTL" doctor --check fw --fix fw.ssh-dropped --disable-firewall --yes --root "$r"
	echo "$output"
	grep -qx 'ENABLED=no' "$r/etc/ufw/ufw.conf"
	run "$RESCUECTL" doctor --check fw --root "$r"
	[ "$status" = 0 ]
	"$RESCUECTL" doctor --undo --yes --root "$r"
	[ "$(tree_sig "$r")" = "$before" ]
	r=$BATS_TEST_TMPDIR/fwd
	"$MK" "$r" base && "$MK" "$r" fwd "$FW/pkg/firewalld/zones/drop.xml" && "$MK" "$r" fwd-default drop
	before=$(tree_sig "$r")
	run "$RESCUECTL" doctor --check fw --fix fw.ssh-dropped --disable-firewall --yes --root "$r"
	echo "$output"
	[ ! -e "$r/etc/systemd/system/multi-user.target.wants/firewalld.service" ]
	"$RESCUECTL" doctor --undo --yes --root "$r"
	[ -L "$r/etc/systemd/system/multi-user.target.wants/firewalld.service" ]
	[ "$(tree_sig "$r")" = "$before" ]
}
