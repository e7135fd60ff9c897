#!/usr/bin/env bats
# doctor's verdicts on sshd_config and sudoers lines, compared with the real
# checkers from Debian's packages (mk/oracles.sh unpacks them, never installs
# them): `sshd -t` (OpenSSH 9.2p1) and `visudo -c` (sudo 1.9.13). doctor
# must reject what they reject. The one way they may differ is known and
# wanted: a keyword only a newer OpenSSH has is accepted by doctor (the
# target's sshd may be newer than Debian 12's), never the other way round.
load ../helpers
bats_require_minimum_version 1.5.0

ORA=$TOP/build/oracle

setup() {
	need_root
	command -v unshare >/dev/null || skip "needs unshare"
	sh "$TOP/mk/oracles.sh" "$ORA" >/dev/null 2>&1 || skip "cannot fetch openssh-server and sudo (apt-get download)"
	export LD_LIBRARY_PATH=$ORA/lib/x86_64-linux-gnu:$ORA/usr/lib/x86_64-linux-gnu:$ORA/usr/libexec/sudo
	T=$BATS_TEST_TMPDIR/tree
	"$FIX/mkroot.sh" "$T" debian12 >/dev/null
	ssh-keygen -q -t ed25519 -N '' -f "$BATS_TEST_TMPDIR/hk" <<<y >/dev/null
	{ cat /etc/passwd; echo "sshd:x:105:65534::/run/sshd:/usr/sbin/nologin"; } > "$BATS_TEST_TMPDIR/passwd"
}

# sshd_t FILE: the real sshd -t (its privilege separation user and directory
# made in a mount namespace of its own: nothing on this machine changes).
sshd_t() {
	unshare -m sh -c "mount --bind '$BATS_TEST_TMPDIR/passwd' /etc/passwd && mount -t tmpfs none /run &&
		mkdir /run/sshd && '$ORA/usr/sbin/sshd' -t -f '$1' -h '$BATS_TEST_TMPDIR/hk'" >/dev/null 2>&1
}

# doctor_rejects CHECK FILE-IN-TREE: 0 when doctor reports CHECK for the tree.
doctor_rejects() {
	run --separate-stderr "$RESCUECTL" doctor --json --check "$1" --root "$T"
	jq -e --arg id "$1" '[.findings[] | select(.id == $id)] | length > 0' <<<"$output" >/dev/null
}

@test "sshd_config: doctor rejects exactly what sshd -t rejects (36 configurations)" {
	good=('Port 2222' 'PermitRootLogin prohibit-password' 'PermitRootLogin without-password' 'PasswordAuthentication no'
		$'Match User bob\n  X11Forwarding no' $'Match User bob Address 10.0.0.0/8\n  PasswordAuthentication yes\nMatch all\nPort 22'
		'UsePAM yes' 'AllowTcpForwarding local' 'Compression delayed' 'ClientAliveInterval 60' 'MaxAuthTries 3'
		'LogLevel VERBOSE' 'SyslogFacility AUTHPRIV' 'Ciphers aes256-gcm@openssh.com' 'Subsystem sftp internal-sftp'
		'KbdInteractiveAuthentication no' 'ChallengeResponseAuthentication no' 'AuthorizedKeysFile .ssh/authorized_keys'
		'UseDNS no' 'AcceptEnv LANG LC_*' 'Port ssh' 'Protocol 2' 'DebianBanner no' 'RequiredRSASize 2048' 'PermitRootLogin "yes"'
		'permitrootlogin=NO')
	bad=('FooBar yes' 'PermitRootLogin maybe' 'PasswordAuthentication true' 'Port 70000' $'Match User bob\n  Port 2222'
		'Match Usr bob' 'UsePAM' 'PermitRootLogin "yes' 'LogLevel LOUD' 'MaxAuthTries three')
	n=0
	for c in "${good[@]}" "${bad[@]}"; do
		printf '%s\n' "$c" > "$BATS_TEST_TMPDIR/sshd_config"
		cp "$BATS_TEST_TMPDIR/sshd_config" "$T/etc/ssh/sshd_config"
		if sshd_t "$BATS_TEST_TMPDIR/sshd_config"; then s=0; else s=1; fi
		if doctor_rejects sshd.config; then d=1; else d=0; fi
		[ "$s" = "$d" ] || { echo "differs on: $c (sshd -t: $s, doctor: $d)"; false; }
		n=$((n + 1))
	done
	[ "$n" -eq 36 ]
	# known, wanted: a newer OpenSSH's keyword, which sshd 9.2 does not know
	printf 'PerSourcePenalties no\n' > "$T/etc/ssh/sshd_config"
	! sshd_t "$T/etc/ssh/sshd_config"
	! doctor_rejects sshd.config
}

@test "sudoers: doctor rejects exactly what visudo -c rejects (22 files)" {
	good=('root ALL=(ALL:ALL) ALL' '%sudo ALL=(ALL:ALL) NOPASSWD: ALL' 'Defaults env_reset' 'Defaults:bob !requiretty'
		$'User_Alias ADMINS = alice, bob\nADMINS ALL=(ALL) ALL' $'Cmnd_Alias SHUTDOWN = /sbin/shutdown\n%ops ALL = SHUTDOWN'
		'#includedir /etc/sudoers.d' '@includedir /etc/sudoers.d' '#1000 ALL=(ALL) ALL'
		'bob server1=(root) /usr/bin/systemctl restart nginx' 'Defaults secure_path="/usr/sbin:/usr/bin"'
		$'bob ALL = \\\n  /bin/ls' '# just a comment' 'Defaults    env_keep += "MAIL QTDIR"')
	bad=('foo bar' 'root ALL=(ALL ALL' 'root ALL' 'User_Alias admins = bob' 'bob ALL=(ALL) ALL)'
		'"unterminated ALL=ALL' 'ALL' 'Defaults')
	n=0
	for c in "${good[@]}" "${bad[@]}"; do
		printf '%s\n' "$c" > "$T/etc/sudoers"
		chmod 0440 "$T/etc/sudoers"
		if "$ORA/usr/sbin/visudo" -c -q -f "$T/etc/sudoers" >/dev/null 2>&1; then s=0; else s=1; fi
		if doctor_rejects login.sudoers-syntax; then d=1; else d=0; fi
		[ "$s" = "$d" ] || { echo "differs on: $c (visudo -c: $s, doctor: $d)"; false; }
		n=$((n + 1))
	done
	[ "$n" -eq 22 ]
}

# journal FILE MESSAGE...: a real systemd journal of one boot, written by
# systemd-journal-remote from journalctl's export format.
journal() {
	local out=$1 t=1732000000000000 bid=0123456789abcdef0123456789abcdef i=0
	shift
	for m in "Linux version 6.1.0-27-amd64 (debian-kernel@lists.debian.org)" "$@"; do
		i=$((i + 1))
		printf '__CURSOR=s=%d\n__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n_BOOT_ID=%s\n_HOSTNAME=server1\nPRIORITY=3\nSYSLOG_IDENTIFIER=systemd\nMESSAGE=%s\n\n' \
			$i $((t + i)) $((i * 1000)) $bid "$m"
	done | "$ORA/lib/systemd/systemd-journal-remote" -o "$out" - 2>/dev/null
}

@test "the systemd journal, read with journalctl -D (offline: copied out first; mounted: in place)" {
	command -v journalctl >/dev/null || skip "no journalctl"
	H=$BATS_TEST_TMPDIR/h
	"$FIX/mkhealthy.sh" "$H" debian12 >/dev/null
	sed -i '/boot\/efi/d' "$H/etc/fstab"
	mkdir -p "$H/var/log/journal/$(cat "$H/etc/machine-id")"
	journal "$H/var/log/journal/$(cat "$H/etc/machine-id")/system.journal" \
		"Timed out waiting for device /dev/disk/by-uuid/11111111-2222-4333-8444-555555555555." \
		"You are in emergency mode. After logging in, type \"journalctl -xb\" to view system logs."
	mke2fs -q -F -t ext4 -U 4a3f1c2e-8d5b-4e6f-9a1b-2c3d4e5f6a7b -d "$H" "$BATS_TEST_TMPDIR/j.img" 128M 2>/dev/null
	export RESCUECTL_SYSROOT=$BATS_TEST_TMPDIR/nosys
	run --separate-stderr "$RESCUECTL" doctor --json "$BATS_TEST_TMPDIR/j.img"
	[ "$status" -eq 1 ]
	jq -e '.findings[] | select(.id == "logs.emergency") | .file == "journal (journalctl -b 0)" and (.seen | contains("emergency mode"))' <<<"$output" >/dev/null
	jq -e '[.findings[] | select(.id == "logs.device-timeout")] | length == 1' <<<"$output" >/dev/null
	jq -e '.not_checked == []' <<<"$output" >/dev/null
	[ -z "$(ls /tmp | grep rescuectl-journal)" ]     # the copy is gone
	run --separate-stderr "$RESCUECTL" doctor --json --root "$H"
	jq -e '[.findings[] | select(.id == "logs.emergency")] | length == 1' <<<"$output" >/dev/null
}
