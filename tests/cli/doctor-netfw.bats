#!/usr/bin/env bats
# The firewall verdicts (lib/fw*.c) against the real kernel: every rule set
# is checked with its own tool (nft -c, iptables-restore --test), loaded
# into a fresh network namespace, and a connection is made to the port
# from a second namespace over a veth pair, from two source addresses.
# What the analysis says (accepted, dropped, rejected, uncertain) must be
# what the kernel did: "uncertain" only where the kernel's answer depends
# on the source address. Until doctor runs these checks, the test driver
# build/helpers/netfw prints the analysis.
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
