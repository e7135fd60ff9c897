#!/usr/bin/env bats
# Exclusive access and damaged input: what the first law asks of every
# write. Two runs at once never lose an update; a filesystem mounted in any
# mount namespace, or behind a second loop device, is refused before a byte
# is written; a damaged /etc/shadow is never edited and its good backup is
# kept. (Kill points: crash.bats.)
load ../helpers
bats_require_minimum_version 1.5.0

setup() {
	T=$BATS_TEST_TMPDIR
}

mkroot() {
	"$FIX/mkroot.sh" "$1" "${2:-debian12}" >/dev/null
	printf '#!/bin/sh\n' > "$1/usr/bin/bash"
	chmod 755 "$1/usr/bin/bash"
}

img_cat() { debugfs -R "cat $2" "$1" 2>/dev/null; }

# verifies SHADOWFILE USER PASSWORD
verifies() { printf '%s\n' "$3" | cryptcheck "$1" "$2" >/dev/null; }

setpw() {  # setpw USER PASSWORD TARGET... (image/device or --root DIR)
	local u=$1 pw=$2
	shift 2
	printf '%s\n' "$pw" | "$RESCUECTL" reset-pass -q --user "$u" --password-stdin "$@"
}

@test "inline_data ext4 with a small /etc/shadow: the password is set, e2fsck clean (once left an empty file)" {
	mkroot "$T/r"
	# a shadow of 59-75 bytes lives inside the inode
	printf 'root:$6$abc$def:19000:0:99999:7:::\nadmin:*:19000:0:99999:7:::\n' > "$T/r/etc/shadow"
	mke2fs -q -F -t ext4 -O inline_data -I 256 -d "$T/r" "$T/img" 32M
	debugfs -R 'stat /etc/shadow' "$T/img" 2>/dev/null | grep -q 'Size of inline data'
	run setpw root 'inline pw' "$T/img"
	[ "$status" -eq 0 ]
	img_cat "$T/img" /etc/shadow > "$T/after"
	verifies "$T/after" root 'inline pw'
	[ "$(sed -n 2p "$T/after")" = 'admin:*:19000:0:99999:7:::' ]
	e2fsck -fn "$T/img"
}

# two users at once, N times: every run that says it is done is done
concurrent() {  # concurrent TRIES TARGET...
	local tries=$1 i
	shift
	for i in $(seq "$tries"); do
		setpw root "root-$i" "$@" & p1=$!
		setpw admin "admin-$i" "$@" & p2=$!
		wait $p1; s1=$?
		wait $p2; s2=$?
		# done, or refused because the other run holds the lock: never a failure
		[[ $s1 == 0 || $s1 == 3 ]] && [[ $s2 == 0 || $s2 == 3 ]]
		get_shadow > "$T/now"
		[ $s1 != 0 ] || verifies "$T/now" root "root-$i"
		[ $s2 != 0 ] || verifies "$T/now" admin "admin-$i"
	done
}

@test "two offline runs on one image file at once: never a lost update or a damaged filesystem (10 tries)" {
	need_loop
	mkroot "$T/r"
	mkext4 "$T/img" "$T/r"
	get_shadow() { img_cat "$T/img" /etc/shadow; }
	concurrent 10 "$T/img"
	e2fsck -fn "$T/img"
}

@test "two runs on one block device at once: never a lost update or a damaged filesystem (10 tries)" {
	need_loop
	mkroot "$T/r"
	mkext4 "$T/img" "$T/r"
	loop=$(attach "$T/img")
	get_shadow() { img_cat "$loop" /etc/shadow; }
	concurrent 10 "$loop"
	e2fsck -fn "$loop"
}

@test "two --root runs on one mounted tree at once: the target's /etc/.pwd.lock keeps both updates (20 tries)" {
	mkroot "$T/r"
	get_shadow() { cat "$T/r/etc/shadow"; }
	for i in $(seq 20); do
		setpw root "root-$i" --root "$T/r" & p1=$!
		setpw admin "admin-$i" --root "$T/r" & p2=$!
		wait $p1
		wait $p2
		verifies "$T/r/etc/shadow" root "root-$i"
		verifies "$T/r/etc/shadow" admin "admin-$i"
	done
}

@test "--root waits for the target's password lock held by another program (lckpwdf: fcntl on /etc/.pwd.lock)" {
	mkroot "$T/r"
	: > "$T/r/etc/.pwd.lock"
	python3 - "$T/r/etc/.pwd.lock" "$T/released" <<'E' &
import fcntl, sys, time, os
f = open(sys.argv[1], "w")
fcntl.lockf(f, fcntl.LOCK_EX)
open(sys.argv[2] + ".held", "w").close()
time.sleep(2)
open(sys.argv[2], "w").close()
fcntl.lockf(f, fcntl.LOCK_UN)
time.sleep(1)
E
	holder=$!
	while [ ! -e "$T/released.held" ]; do sleep 0.05; done
	run setpw root 'after the lock' --root "$T/r"
	[ "$status" -eq 0 ]
	# it finished only after the holder let go
	[ -e "$T/released" ]
	wait $holder
	verifies "$T/r/etc/shadow" root 'after the lock'
}

@test "an image mounted in another mount namespace is refused (exit 3), naming the namespace; nothing written" {
	need_loop
	command -v unshare >/dev/null || skip "needs unshare"
	mkroot "$T/r"
	mkext4 "$T/img" "$T/r"
	mkdir -p "$T/ns"
	unshare -m --propagation private sh -c "mount -o loop '$T/img' '$T/ns' && touch '$T/up' && sleep 60" &
	holder=$!
	while [ ! -e "$T/up" ]; do sleep 0.05; done
	before=$(img_cat "$T/img" /etc/shadow | sha256sum)
	run setpw root 'behind its back' "$T/img"
	[ "$status" -eq 3 ]
	[[ "$output" == *"another mount namespace"* ]]
	[[ "$output" == *"PID"* ]]
	# the same through the loop device the other namespace mounted
	loop=$(losetup -j "$T/img" | cut -d: -f1)
	run setpw root 'behind its back' "$loop"
	[ "$status" -eq 3 ]
	[[ "$output" == *"another mount namespace"* ]]
	kill $holder
	wait $holder || true
	for i in $(seq 50); do [ -z "$(losetup -j "$T/img")" ] && break; sleep 0.1; done
	[ "$(img_cat "$T/img" /etc/shadow | sha256sum)" = "$before" ]
	e2fsck -fn "$T/img"
}

@test "an image attached to another loop device is refused, and so is a loop device whose file has a second one" {
	need_loop
	mkroot "$T/r"
	mkext4 "$T/img" "$T/r"
	sum=$(sha "$T/img")
	a=$(losetup -f --show "$T/img"); echo "loop $a" >> "$_rc_res"
	run setpw root pw "$T/img"
	[ "$status" -eq 3 ]
	[[ "$output" == *"attached to $a"* ]]
	b=$(losetup -f --show "$T/img"); echo "loop $b" >> "$_rc_res"
	run setpw root pw "$a"
	[ "$status" -eq 3 ]
	[[ "$output" == *"also attached to $b"* ]]
	[ "$(sha "$T/img")" = "$sum" ]
}

@test "a disk locked by another program (flock, as sfdisk and udev use) is refused after a short wait" {
	need_loop
	command -v flock >/dev/null || skip "needs flock"
	mkroot "$T/r"
	mkext4 "$T/img" "$T/r"
	sum=$(sha "$T/img")
	flock -o "$T/img" sleep 30 &
	holder=$!
	sleep 0.3
	run setpw root pw "$T/img"
	[ "$status" -eq 3 ]
	[[ "$output" == *"locked by another program"* ]]
	pkill -P $holder sleep || true
	wait $holder || true
	[ "$(sha "$T/img")" = "$sum" ]
	run setpw root pw "$T/img"
	[ "$status" -eq 0 ]
}

@test "a shadow cut short is not edited and its good backup is kept (a re-run once copied the damage into shadow-)" {
	mkroot "$T/r"
	cp -p "$T/r/etc/shadow" "$T/r/etc/shadow-"
	good=$(sha "$T/r/etc/shadow-")
	# the last line lost its end, as an interrupted in-place rewrite left it
	head -c -20 "$T/r/etc/shadow-" > "$T/r/etc/shadow"
	cut=$(sha "$T/r/etc/shadow")
	for args in clear-pass "reset-pass --password-stdin"; do
		run $RESCUECTL $args --root "$T/r" <<<"pw"
		[ "$status" -eq 3 ]
		[[ "$output" == *"looks damaged"* ]]
		[[ "$output" == *"/etc/shadow-, which looks whole, was kept"* ]]
		[ "$(sha "$T/r/etc/shadow-")" = "$good" ]
		[ "$(sha "$T/r/etc/shadow")" = "$cut" ]
	done
	# a file cut at a line end: admin is in passwd and the backup, not in shadow
	grep -v '^admin:' "$T/r/etc/shadow-" > "$T/r/etc/shadow"
	run "$RESCUECTL" clear-pass --root "$T/r"
	[ "$status" -eq 3 ]
	[[ "$output" == *"no line for 'admin'"* ]]
	[ "$(sha "$T/r/etc/shadow-")" = "$good" ]
}

@test "NUL bytes in shadow: the refusal names the good backup" {
	mkroot "$T/r"
	cp -p "$T/r/etc/shadow" "$T/r/etc/shadow-"
	printf 'root:!:19000:0:99999:7:::\n\0\0\0\0\0\0\n' > "$T/r/etc/shadow"
	run "$RESCUECTL" reset-pass --root "$T/r" --password-stdin <<<"pw"
	[ "$status" -eq 3 ]
	[[ "$output" == *"NUL byte (line 2"* ]]
	[[ "$output" == *"/etc/shadow-, which looks whole"* ]]
}

@test "a backup name that is a symbolic link is refused before anything is written" {
	mkroot "$T/r"
	echo precious > "$T/elsewhere"
	ln -s "$T/elsewhere" "$T/r/etc/shadow-"
	sum=$(sha "$T/r/etc/shadow")
	run setpw root pw --root "$T/r"
	[ "$status" -eq 3 ]
	[[ "$output" == *"/etc/shadow- in $T/r is a symbolic link"* ]]
	[ "$(sha "$T/r/etc/shadow")" = "$sum" ]
	[ "$(cat "$T/elsewhere")" = precious ]
	[ -L "$T/r/etc/shadow-" ]
}

@test "a run right after a killed one is not refused while the kernel still tears the killed run's mount down" {
	need_loop
	command -v strace >/dev/null || skip "needs strace"
	mkroot "$T/r"
	mkext4 "$T/img" "$T/r"
	for i in $(seq 8); do
		run strace -f -qq -o /dev/null -e trace=fsync -e inject=fsync:signal=KILL:when=1 \
			"$RESCUECTL" reset-pass -q --password-stdin "$T/img" <<<"pw$i"
		[ "$status" -eq 137 ]
		# at once, no waiting: the autoclear loop device may still be bound
		run setpw root "pw$i" "$T/img"
		[ "$status" -eq 0 ]
		verifies <(img_cat "$T/img" /etc/shadow) root "pw$i"
	done
	e2fsck -fn "$T/img"
}
