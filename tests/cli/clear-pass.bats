#!/usr/bin/env bats
# clear-pass: empty, lock and unlock a password; say whether PAM (nullok)
# and sshd (PermitEmptyPasswords) will accept an empty one.
load ../helpers
bats_require_minimum_version 1.5.0

setup() {
	T=$BATS_TEST_TMPDIR
	TODAY=$(( $(date -u +%s) / 86400 ))
}

mkroot() {
	"$FIX/mkroot.sh" "$1" "$2" >/dev/null
	printf '#!/bin/sh\n' > "$1/usr/bin/bash"
	chmod 755 "$1/usr/bin/bash"
}

@test "Debian 12: the password field is emptied, last change today, every other byte kept; nullok reported" {
	mkroot "$T/r" debian12
	cp -p "$T/r/etc/shadow" "$T/before"
	run --separate-stderr "$RESCUECTL" clear-pass --json --root "$T/r"
	[ "$status" -eq 0 ]
	[ "$(head -1 "$T/r/etc/shadow")" = "root::$TODAY:0:99999:7:::" ]
	diff <(sed 1d "$T/before") <(sed 1d "$T/r/etc/shadow")
	cmp "$T/before" "$T/r/etc/shadow-"
	[ "$(stat -c %u:%g:%a "$T/r/etc/shadow")" = "$(stat -c %u:%g:%a "$T/before")" ]
	echo "$output" | jq -e '.action == "clear" and .changed == true and .new_state == "empty (no password)"'
	echo "$output" | jq -e '.login.pam[0].file == "/etc/pam.d/common-auth" and .login.pam[0].nullok == true'
	# sshd never takes it without PermitEmptyPasswords
	[[ "$(echo "$output" | jq -r '.warnings[]')" == *"PermitEmptyPasswords no (OpenSSH's default)"* ]]
	[ "$(echo "$output" | jq -r .login.ssh.permit_empty_passwords.value)" = no ]
}

@test "PAM without nullok: a warning that names the files; RHEL files checked both" {
	mkroot "$T/r" centos7
	sed -i 's/ nullok//' "$T/r/etc/pam.d/password-auth"
	run "$RESCUECTL" clear-pass --root "$T/r"
	[ "$status" -eq 0 ]
	[[ "$output" == *"yes in /etc/pam.d/system-auth, no in /etc/pam.d/password-auth"* ]]
	sed -i 's/ nullok//' "$T/r/etc/pam.d/system-auth"
	run "$RESCUECTL" clear-pass --root "$T/r" --user admin
	[ "$status" -eq 0 ]
	[[ "$output" == *"PAM will refuse an empty password: pam_unix has no nullok in /etc/pam.d/system-auth, /etc/pam.d/password-auth"* ]]
	# PermitEmptyPasswords yes in a drop-in that is included first: no sshd warning
	printf 'PermitEmptyPasswords yes\nPermitRootLogin yes\n' > "$T/r/etc/ssh/sshd_config.d/10-empty.conf"
	run --separate-stderr "$RESCUECTL" clear-pass --json --root "$T/r"
	[[ "$(echo "$output" | jq -r '.warnings[]')" != *PermitEmptyPasswords* ]]
	[ "$(echo "$output" | jq -r .login.ssh.permit_empty_passwords.set_in)" = /etc/ssh/sshd_config.d/10-empty.conf:1 ]
}

@test "--lock then --unlock gives back the very same file; locking twice changes nothing" {
	mkroot "$T/r" centos7
	orig=$(sha "$T/r/etc/shadow")
	run "$RESCUECTL" clear-pass --lock --root "$T/r"
	[ "$status" -eq 0 ]
	[ "$(head -1 "$T/r/etc/shadow" | cut -d: -f2 | cut -c1-4)" = '!$6$' ]
	[ "$(head -1 "$T/r/etc/shadow" | cut -d: -f3)" = 19000 ]
	locked=$(sha "$T/r/etc/shadow")
	run "$RESCUECTL" clear-pass --lock --root "$T/r"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Nothing to change"* ]]
	[ "$(sha "$T/r/etc/shadow")" = "$locked" ]
	run "$RESCUECTL" clear-pass --unlock --root "$T/r"
	[ "$status" -eq 0 ]
	[ "$(sha "$T/r/etc/shadow")" = "$orig" ]
	run "$RESCUECTL" clear-pass --lock --unlock --root "$T/r"
	[ "$status" -eq 2 ]
}

@test "offline ext4: cleared in the image, e2fsck clean; --dry-run leaves the image as it was" {
	mkroot "$T/r" debian12
	mkext4 "$T/img" "$T/r"
	isum=$(sha "$T/img")
	run "$RESCUECTL" clear-pass --dry-run "$T/img"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Would empty the password of 'root'"* ]]
	[ "$(sha "$T/img")" = "$isum" ]
	run "$RESCUECTL" clear-pass "$T/img"
	[ "$status" -eq 0 ]
	[ "$(debugfs -R 'cat /etc/shadow' "$T/img" 2>/dev/null | head -1)" = "root::$TODAY:0:99999:7:::" ]
	e2fsck -fn "$T/img"
}

@test "a symlinked /etc/shadow is refused; no account is a clear error" {
	mkroot "$T/r" debian12
	mkdir -p "$T/outside"
	mv "$T/r/etc/shadow" "$T/outside/shadow"
	before=$(sha "$T/outside/shadow")
	ln -s "$T/outside/shadow" "$T/r/etc/shadow"
	run "$RESCUECTL" clear-pass --root "$T/r"
	[ "$status" -eq 3 ]
	[ "$(sha "$T/outside/shadow")" = "$before" ]
	rm "$T/r/etc/shadow"
	cp "$T/outside/shadow" "$T/r/etc/shadow"
	run "$RESCUECTL" clear-pass --root "$T/r" --user ghost
	[ "$status" -eq 4 ]
	[[ "$output" == *"no account 'ghost'"* ]]
}

@test "--unlock on a libuser '!!' lock unlocks it; on a field of only '!' it refuses and writes nothing" {
	mkroot "$T/r" rhel9
	# passwd -l on RHEL (libuser) locks with "!!"
	sed -i '1s/^root:/root:!!/' "$T/r/etc/shadow"
	hash=$(head -1 "$T/r/etc/shadow" | cut -d: -f2 | sed 's/^!!//')
	run --separate-stderr "$RESCUECTL" clear-pass --unlock --json --root "$T/r"
	[ "$status" -eq 0 ]
	[ "$(head -1 "$T/r/etc/shadow" | cut -d: -f2)" = "$hash" ]
	echo "$output" | jq -e '.action == "unlock" and .changed == true and .new_state == "sha512 hash"'
	# nothing but the lock: an empty password would follow; refused like passwd -u
	sed -i '1s/^root:[^:]*:/root:!!:/' "$T/r/etc/shadow"
	before=$(sha "$T/r/etc/shadow")
	rm -f "$T/r/etc/shadow-"
	run "$RESCUECTL" clear-pass --unlock --root "$T/r"
	[ "$status" -eq 3 ]
	[[ "$output" == *"unlocking would leave an empty password"* ]]
	[ "$(sha "$T/r/etc/shadow")" = "$before" ]
	[ ! -e "$T/r/etc/shadow-" ]
}
