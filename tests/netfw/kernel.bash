# The real kernel as the oracle of the firewall verdicts: two network
# namespaces made here, joined by a veth pair that carries addresses only
# inside them (10.200.0.0/24 and 10.201.0.0/24), a listener on the server
# side, and a bounded connect from the client side. Nothing leaves the
# namespaces; every namespace made here is deleted by netfw_ns_down.
#   netfw_ns_up                make the pair (NS_S, NS_C)
#   netfw_listen PORT          a listener in NS_S
#   netfw_connect PORT [SRC]   prints accepted | refused | timeout
#   netfw_ns_down              delete both namespaces (and the listener)
NS_S= NS_C= NETFW_LPID=

netfw_ns_up() {
	NS_S=rcfw-s-$$-$RANDOM NS_C=rcfw-c-$$-$RANDOM
	ip netns add "$NS_S" && ip netns add "$NS_C" || return 1
	ip -n "$NS_S" link add rcfwv-s type veth peer name rcfwv-c netns "$NS_C" || return 1
	ip -n "$NS_S" link set lo up && ip -n "$NS_C" link set lo up
	ip -n "$NS_S" addr add 10.200.0.1/24 dev rcfwv-s && ip -n "$NS_S" addr add 10.201.0.1/24 dev rcfwv-s
	ip -n "$NS_C" addr add 10.200.0.2/24 dev rcfwv-c && ip -n "$NS_C" addr add 10.201.0.2/24 dev rcfwv-c
	ip -n "$NS_S" link set rcfwv-s up && ip -n "$NS_C" link set rcfwv-c up
}

netfw_ns_down() {
	if [ -n "$NETFW_LPID" ]; then
		kill "$NETFW_LPID" 2>/dev/null || true
		wait "$NETFW_LPID" 2>/dev/null || true
	fi
	NETFW_LPID=
	[ -n "$NS_S" ] && ip netns del "$NS_S" 2>/dev/null
	[ -n "$NS_C" ] && ip netns del "$NS_C" 2>/dev/null
	NS_S= NS_C=
	return 0
}

# A listener that completes handshakes (the kernel does that for a listening
# socket) and stops by itself after 120 s.
netfw_listen() {
	ip netns exec "$NS_S" /usr/bin/python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1]))); s.listen(64); s.settimeout(0.2)
end = time.time() + 120
while time.time() < end:
    try:
        c, _ = s.accept(); c.close()
    except OSError:
        pass
' "$1" &
	NETFW_LPID=$!
	for _ in $(seq 50); do
		ip netns exec "$NS_S" ss -Htln "sport = :$1" 2>/dev/null | grep -q . && return 0
		sleep 0.05
	done
	return 1
}

# One connection from SRC (default 10.200.0.2) to 10.200.0.1:PORT, 0.7 s at most.
netfw_connect() {
	ip netns exec "$NS_C" /usr/bin/python3 -c '
import socket, sys
s = socket.socket(); s.settimeout(0.7); s.bind((sys.argv[2], 0))
try:
    s.connect(("10.200.0.1", int(sys.argv[1]))); print("accepted")
except ConnectionRefusedError:
    print("refused")
except socket.timeout:
    print("timeout")
except OSError:
    print("unreachable")
' "$1" "${2:-10.200.0.2}"
}

# netfw_oracle VERDICT PORT: does what the kernel did from both client
# addresses agree with VERDICT (accepted, dropped, "dropped (rejected)",
# uncertain, "no rules")? Prints the kernel's answers; 0 when they agree.
netfw_oracle() {
	local a b
	a=$(netfw_connect "$2" 10.200.0.2) b=$(netfw_connect "$2" 10.201.0.2)
	echo "kernel: from 10.200.0.2 $a, from 10.201.0.2 $b"
	case $1 in
	accepted|"no rules") [ "$a" = accepted ] && [ "$b" = accepted ] ;;
	"dropped (rejected)") [ "$a" = refused ] || [ "$a" = unreachable ] && { [ "$b" = refused ] || [ "$b" = unreachable ]; } ;;
	dropped) [ "$a" = timeout ] && [ "$b" = timeout ] ;;
	uncertain) [ "$a" != "$b" ] ;;
	*) return 1 ;;
	esac
}

# netfw_boot_load KIND ROOT: load ROOT's firewall into NS_S the way its boot
# does: nft -f of its nftables.conf (absolute includes read inside ROOT),
# iptables-restore of its rules file, ufw's own ufw-init (from the ufw
# package, with --rootdir/--datadir), or firewalld's own core (python3-firewall).
netfw_boot_load() {
	local kind=$1 root=$2 load
	load=$(mktemp -d "${BATS_TEST_TMPDIR:-/tmp}/load.XXXXXX")
	cp -a "$root/." "$load/"
	case $kind in
	nft)
		find "$load/etc" -name '*.nft' -o -name 'nftables.conf' | while read -r f; do
			sed -i "s|include \"/|include \"$load/|" "$f"
		done
		ip netns exec "$NS_S" nft -f "$load/etc/nftables.conf" ;;
	ipt) ip netns exec "$NS_S" iptables-restore < "$load/etc/iptables/rules.v4" ;;
	ipt-rhel) ip netns exec "$NS_S" iptables-restore < "$load/etc/sysconfig/iptables" ;;
	ufw)
		mkdir -p "$load/lib/ufw"
		cp /lib/ufw/ufw-init /lib/ufw/ufw-init-functions "$load/lib/ufw/"
		sed -i 's/^IPT_SYSCTL=.*/IPT_SYSCTL=/' "$load/etc/default/ufw"   # sysctls stay the machine's
		ip netns exec "$NS_S" sh "$load/lib/ufw/ufw-init" --rootdir "$load" --datadir "$load" start ;;
	fwd)
		mkdir -p "$load/.run"
		ip netns exec "$NS_S" /usr/bin/python3 "$TOP/tests/netfw/fwd-start.py" "$load" "$load/.run" ;;
	none) : ;;
	esac
}

# netfw_ufw ROOT ARGS...: run the real ufw on ROOT (its rules files only: ROOT's
# ufw is not enabled while this runs, and it runs in a namespace of its own).
netfw_ufw() {
	local root=$1 ns=rcfw-u-$$-$RANDOM rc
	shift
	mkdir -p "$root/lib/ufw"   # an installed ufw has them; ufw --rootdir wants them there
	cp /lib/ufw/ufw-init /lib/ufw/ufw-init-functions "$root/lib/ufw/"
	ip netns add "$ns" || return 1
	rc=0
	cp -p "$root/etc/ufw/ufw.conf" "$root.ufw.conf"
	sed -i 's/^ENABLED=.*/ENABLED=no/' "$root/etc/ufw/ufw.conf"   # rules files only, no kernel
	ip netns exec "$ns" ufw --rootdir="$root" --datadir="$root" "$@" > "$root.ufw.log" 2>&1 || rc=$?
	cp -p "$root.ufw.conf" "$root/etc/ufw/ufw.conf"
	ip netns del "$ns"
	[ $rc = 0 ] || cat "$root.ufw.log"
	return $rc
}
