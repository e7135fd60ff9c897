#!/usr/bin/env bats
# The network analysis (lib/nics.c, nicname.c, netcfg*.c, netcheck.c,
# netfix.c): fake NICs from a RESCUECTL_SYSROOT sysfs, installed roots set up
# as each distribution's cloud image sets them up (cloud-init's own output
# formats), one fault planted at a time, its finding with its evidence, the
# fix, and no finding after it. The predictable names are checked against
# udev's own net_id on this machine's real NICs; netplan YAML against
# netplan's own generator. The test driver build/helpers/netfw prints the
# analysis below doctor (names, configurations, plans); the last test goes
# through doctor itself.
load ../helpers
bats_require_minimum_version 1.5.0

MKROOT=$FIX/net/mknetroot.sh
MKNET=$FIX/mknetsys.sh

setup() {
	SYS=$BATS_TEST_TMPDIR/sys R=$BATS_TEST_TMPDIR/root
	"$MKNET" "$SYS" eth0 52:54:00:12:34:56 0000:00:03.0 virtio_net virtio
	"$MKNET" "$SYS" virtual lo
	export RESCUECTL_SYSROOT=$SYS
}

teardown() {
	[ -z "${NETNS:-}" ] || ip netns del "$NETNS" 2>/dev/null || true
	cleanup_resources
}

findings() {   # the finding ids of R
	netfw net --root "$R" "$@" | sed -n 's/^finding: \([^ ]*\) .*/\1/p' | sort | tr '\n' ' '
}

@test "network: healthy cloud images of six distributions give no finding" {
	for fl in debian12 ubuntu2204 rhel9 rhel8 alpine networkd; do
		rm -rf "$R"
		"$MKROOT" "$R" "$fl"
		run netfw net --root "$R" --dns
		echo "$fl: $output"
		[ "$status" = 0 ]
		[[ $output != *finding:* ]]
	done
}

@test "network: the names: predictable (systemd), net.ifnames=0 (RHEL images), OpenRC, a udev rule by MAC" {
	"$MKROOT" "$R" debian12
	run netfw net --root "$R"
	[[ $output == *"nic: eth0 mac 52:54:00:12:34:56 driver virtio_net pci 0000:00:03.0 -> enp0s3 guess (systemd's path name (NamePolicy from /lib/systemd/network/99-default.link)"* ]]
	rm -rf "$R" && "$MKROOT" "$R" rhel9
	run netfw net --root "$R"
	[[ $output == *"-> eth0 guess (the kernel's name (/etc/default/grub:6: net.ifnames=0)"* ]]
	mkdir -p "$R/etc/udev/rules.d"
	echo 'SUBSYSTEM=="net", ACTION=="add", DRIVERS=="?*", ATTR{address}=="52:54:00:12:34:56", ATTR{type}=="1", KERNEL=="eth*", NAME="lan0"' \
		> "$R/etc/udev/rules.d/70-persistent-net.rules"
	run netfw net --root "$R"
	[[ $output == *"-> lan0 (udev rule /etc/udev/rules.d/70-persistent-net.rules:1, by MAC)"* ]]
	[[ $output != *"finding:"* ]]   # a keyfile that matches by MAC follows the NIC, whatever its name
	rm -rf "$R" && "$MKROOT" "$R" rhel8
	mkdir -p "$R/etc/udev/rules.d"
	echo 'SUBSYSTEM=="net", ACTION=="add", ATTR{address}=="52:54:00:12:34:56", NAME="lan0"' > "$R/etc/udev/rules.d/70-persistent-net.rules"
	run netfw net --root "$R"
	[[ $output == *"finding: net.iface-missing /etc/sysconfig/network-scripts/ifcfg-eth0:4: ifcfg configures eth0, which this machine will not have; lan0"* ]]
	rm -rf "$R" && "$MKROOT" "$R" alpine
	run netfw net --root "$R"
	[[ $output == *"-> eth0 guess (the kernel's name (no renaming rule applies)"* ]]
	[[ $output != *" alt "* ]]   # no udev renaming, no alternative names
}

@test "network: onboard and slot names, a function suffix, a PCI domain" {
	"$MKNET" "$SYS" eth1 00:1b:21:aa:bb:01 0000:00:19.0 e1000e acpi=1
	"$MKNET" "$SYS" eth2 00:1b:21:aa:bb:02 0000:04:00.1 ixgbe slot=6
	"$MKNET" "$SYS" eth3 00:1b:21:aa:bb:03 0000:04:00.0 ixgbe slot=6
	"$MKNET" "$SYS" eth4 00:1b:21:aa:bb:04 0001:02:00.0 mlx5_core
	"$MKROOT" "$R" networkd
	run netfw net --root "$R"
	echo "$output"
	[[ $output == *"pci 0000:00:19.0 -> eno1 guess"* ]]
	[[ $output == *"pci 0000:04:00.1 -> ens6f1 guess"*"alt enp4s0f1"* ]]
	[[ $output == *"pci 0000:04:00.0 -> ens6f0 guess"* ]]
	[[ $output == *"pci 0001:02:00.0 -> P1enp2s0 guess"* ]]
}

@test "network: the predictable names equal udev's own net_id on this machine's real NICs" {
	command -v udevadm >/dev/null || skip "needs udevadm"
	unset RESCUECTL_SYSROOT
	"$MKROOT" "$R" networkd
	local n=0
	for d in /sys/class/net/*; do
		[ -e "$d/device" ] || continue
		local k=${d##*/} ours want
		ours=$(netfw net --root "$R" | grep "^nic: $k ")
		for key in ONBOARD SLOT PATH MAC; do
			want=$(udevadm test-builtin net_id "$d" 2>/dev/null | sed -n "s/^ID_NET_NAME_$key=//p")
			[ -z "$want" ] || [[ $ours == *"$want"* ]] || { echo "$k: udev says $key $want; rescuectl: $ours"; false; }
		done
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || skip "this machine has no physical NIC"
}

@test "network: veth interfaces in a namespace are no NICs" {
	need_root
	NETNS=rcnet-$$-$RANDOM
	unset RESCUECTL_SYSROOT
	ip netns add "$NETNS"
	ip -n "$NETNS" link add rcnv0 type veth peer name rcnv1
	ip -n "$NETNS" link add rcnv2 type veth peer name rcnv3
	"$MKROOT" "$R" networkd
	run ip netns exec "$NETNS" netfw net --root "$R"
	[[ $output != *"nic:"* ]]
	[[ $output != *"finding: net.no-config"* ]]   # no NIC: nothing to configure
}

# ---- one fault at a time: the finding, its evidence, the fix, nothing after --

# fix_clean ARGS...: apply a fix to R; then R has no finding.
fix_clean() {
	run netfw net --root "$R" "$@" --apply
	echo "$output"
	[[ $output == *"step: "* ]]
	run netfw net --root "$R" --dns
	echo "$output"
	[[ $output != *"finding:"* ]]
}

# netplan's own generator accepts R's YAML; prints what it renders.
netplan_ok() {
	local gen lib
	gen=$("$TOP/tests/netfw/netplan-pkg.sh" "$TOP/build/netplan") || skip "cannot unpack Debian's netplan.io"
	lib=$(dirname "$(find "$TOP/build/netplan/usr/lib" -name 'libnetplan.so*' | head -1)")
	rm -rf "$BATS_TEST_TMPDIR/np" && cp -a "$R" "$BATS_TEST_TMPDIR/np"
	LD_LIBRARY_PATH=$lib "$gen" --root-dir "$BATS_TEST_TMPDIR/np" 2>&1 | grep -v 'too open' || true
	cat "$BATS_TEST_TMPDIR"/np/run/systemd/network/*.network
}

@test "network: eth0 in ifupdown's config, enp0s3 on this hardware: net.iface-missing, renamed" {
	"$MKROOT" "$R" debian12 eth0
	run netfw net --root "$R"
	[[ $output == *"finding: net.iface-missing /etc/network/interfaces.d/50-cloud-init:10: ifupdown configures eth0, which this machine will not have; enp0s3 (MAC 52:54:00:12:34:56, virtio_net at PCI 0000:00:03.0;"*"has no configuration."*"written by cloud-init, which may write it again"* ]]
	[ "$(findings)" = "net.iface-missing " ]
	fix_clean --fix net.iface-missing
	grep -qx 'iface enp0s3 inet dhcp' "$R/etc/network/interfaces.d/50-cloud-init"
	grep -qx 'auto enp0s3' "$R/etc/network/interfaces.d/50-cloud-init"
}

@test "network: netplan written for ens3 on a machine whose NIC is enp0s3: renamed, and netplan accepts it" {
	"$MKROOT" "$R" ubuntu2204 ens3 52:54:00:12:34:56
	sed -i '/match:/d; /macaddress:/d; /set-name:/d' "$R/etc/netplan/50-cloud-init.yaml"
	[ "$(findings)" = "net.iface-missing " ]
	fix_clean --fix net.iface-missing
	run netplan_ok
	echo "$output"
	[[ $output == *"Name=enp0s3"* ]]
}

@test "network: an ifcfg HWADDR of gone hardware: net.mac-pin-stale, the MAC replaced" {
	"$MKROOT" "$R" rhel8 eth0 52:54:00:99:99:99
	run netfw net --root "$R"
	[[ $output == *"finding: net.mac-pin-stale /etc/sysconfig/network-scripts/ifcfg-eth0:5: ifcfg configuration of eth0 is pinned to MAC 52:54:00:99:99:99, which no NIC of this machine has"* ]]
	[[ $output == *"NetworkManager still brings the NICs without a configuration up with DHCP"* ]]
	fix_clean --fix net.mac-pin-stale
	grep -qx 'HWADDR=52:54:00:12:34:56' "$R/etc/sysconfig/network-scripts/ifcfg-eth0"
}

@test "network: netplan matched by a MAC no NIC has: pinned, fixed, netplan renders it for this NIC" {
	"$MKROOT" "$R" ubuntu2204 enp0s3 52:54:00:99:99:99
	[ "$(findings)" = "net.mac-pin-stale " ]
	fix_clean --fix net.mac-pin-stale
	grep -q 'macaddress: 52:54:00:12:34:56' "$R/etc/netplan/50-cloud-init.yaml"
	run netplan_ok
	[[ $output == *"PermanentMACAddress=52:54:00:12:34:56"* ]]
}

@test "network: a persistent-net rule for gone hardware: commented out" {
	"$MKROOT" "$R" debian12
	mkdir -p "$R/etc/udev/rules.d"
	printf '# PCI device 0x1af4:0x1000 (virtio-pci)\nSUBSYSTEM=="net", ACTION=="add", DRIVERS=="?*", ATTR{address}=="52:54:00:99:99:99", ATTR{dev_id}=="0x0", ATTR{type}=="1", KERNEL=="eth*", NAME="eth0"\n' \
		> "$R/etc/udev/rules.d/70-persistent-net.rules"
	run netfw net --root "$R"
	[[ $output == *"finding: net.persistent-net-stale /etc/udev/rules.d/70-persistent-net.rules:2:"* ]]
	fix_clean --fix net.persistent-net-stale
	grep -q '^# rescuectl doctor 2026-11-29: no NIC has this MAC: SUBSYSTEM=="net"' "$R/etc/udev/rules.d/70-persistent-net.rules"
}

@test "network: a gateway outside the subnet, no default route, no resolver" {
	"$MKROOT" "$R" debian12
	printf 'auto enp0s3\niface enp0s3 inet static\n    address 192.0.2.10/24\n    gateway 198.51.100.1\n' > "$R/etc/network/interfaces.d/50-cloud-init"
	run netfw net --root "$R"
	[[ $output == *"finding: net.gateway-outside /etc/network/interfaces.d/50-cloud-init:4: the gateway 198.51.100.1 of enp0s3 is outside its subnet 192.0.2.10/24"* ]]
	printf 'auto enp0s3\niface enp0s3 inet static\n    address 192.0.2.10\n    netmask 255.255.255.0\n' > "$R/etc/network/interfaces.d/50-cloud-init"
	: > "$R/etc/resolv.conf"
	[ "$(findings)" = "net.no-default-route " ]
	[ "$(findings --dns)" = "net.no-default-route net.no-resolver " ]
}

@test "network: two managers on one NIC; a manager that does not start; a missing bond member" {
	"$MKROOT" "$R" ubuntu2204
	mkdir -p "$R/etc/network" "$R/etc/systemd/system/multi-user.target.wants"
	printf 'auto enp0s3\niface enp0s3 inet dhcp\n' > "$R/etc/network/interfaces"
	run netfw net --root "$R"   # ifupdown's networking.service does not start: no fight, a note
	[[ $output == *"finding: net.not-enabled /etc/network/interfaces:2: /etc/network/interfaces configures enp0s3 for ifupdown, which does not start at boot (not installed); another configuration brings it up"* ]]
	: > "$R/lib/systemd/system/networking.service"
	ln -s /lib/systemd/system/networking.service "$R/etc/systemd/system/multi-user.target.wants/"
	run netfw net --root "$R"
	[[ $output == *"finding: net.two-managers /etc/network/interfaces:2: enp0s3 is configured by both systemd-networkd (/etc/netplan/50-cloud-init.yaml:8) and ifupdown (/etc/network/interfaces:2)"* ]]
	rm -rf "$R" && "$MKROOT" "$R" rhel8
	rm "$R/etc/systemd/system/multi-user.target.wants/NetworkManager.service"
	run netfw net --root "$R"
	[[ $output == *"finding: net.not-enabled /etc/sysconfig/network-scripts/ifcfg-eth0:1: /etc/sysconfig/network-scripts/ifcfg-eth0 configures eth0 for NetworkManager, which does not start at boot"* ]]
	rm -rf "$R" && "$MKROOT" "$R" debian12
	printf 'auto bond0\niface bond0 inet dhcp\n    bond-slaves enp0s3 enp0s9\n    bond-mode active-backup\n\nauto enp0s3\niface enp0s3 inet manual\n    bond-master bond0\n' \
		> "$R/etc/network/interfaces.d/50-cloud-init"
	run netfw net --root "$R"
	[[ $output == *"finding: net.missing-member /etc/network/interfaces.d/50-cloud-init:3: bond bond0 needs enp0s9, which this machine will not have"* ]]
	[ "$(findings)" = "net.missing-member " ]
}

@test "network: no configuration at all: --dhcp NIC for the manager that starts (five formats)" {
	for fl in networkd ubuntu2204 debian12 rhel9 alpine; do
		rm -rf "$R" && "$MKROOT" "$R" "$fl"
		find "$R/etc/netplan" "$R/etc/NetworkManager/system-connections" "$R/etc/network/interfaces.d" \
			"$R/etc/systemd/network" -type f -delete 2>/dev/null || true
		[ "$fl" != alpine ] || printf 'auto lo\niface lo inet loopback\n' > "$R/etc/network/interfaces"
		local nic
		nic=$(netfw net --root "$R" | sed -n 's/^nic: eth0 .* -> \([^ ]*\) .*/\1/p')
		if [ "$fl" = rhel9 ]; then   # NetworkManager's own default brings it up
			[ "$(findings)" = "" ]
			run netfw net --root "$R" --dhcp "$nic" --apply
			[[ $output == *"rescuectl-dhcp-eth0.nmconnection"* ]]
			[ "$(stat -c %a "$R/etc/NetworkManager/system-connections/rescuectl-dhcp-eth0.nmconnection")" = 600 ]
			continue
		fi
		[ "$(findings)" = "net.no-config " ]
		fix_clean --dhcp "$nic"
	done
	run netplan_ok   # the last netplan one is ubuntu2204's: check it
}

# ---- through doctor itself -------------------------------------------------------

@test "doctor: net.iface-missing with --fix, and --undo; --dhcp NIC --fix net.dhcp; --dns" {
	"$MKROOT" "$R" debian12 eth0
	local before
	before=$(cd "$R" && find . -type f -exec sha256sum {} + | sort -k2)
	run "$RESCUECTL" doctor --check net --root "$R"
	echo "$output"
	[ "$status" = 1 ]
	[[ $output == *"net.iface-missing"*"/etc/network/interfaces.d/50-cloud-init:10: eth0"* ]]
	run "$RESCUECTL" doctor --check net --fix net.iface-missing --yes --root "$R"
	[ "$status" = 0 ]
	run "$RESCUECTL" doctor --check net --root "$R"
	[ "$status" = 0 ]
	"$RESCUECTL" doctor --undo --yes --root "$R"
	[ "$(cd "$R" && find . -type f -exec sha256sum {} + | sort -k2)" = "$before" ]
	run "$RESCUECTL" doctor --check net --dhcp enp0s3 --fix net.dhcp --yes --root "$R"
	echo "$output"
	[ -f "$R/etc/network/interfaces.d/rescuectl-dhcp-enp0s3" ]
	"$RESCUECTL" doctor --undo --yes --root "$R"
	[ ! -e "$R/etc/network/interfaces.d/rescuectl-dhcp-enp0s3" ]
	: > "$R/etc/resolv.conf"
	run "$RESCUECTL" doctor --check net --root "$R" --dns
	[[ $output == *"net.no-resolver"* ]]
}
