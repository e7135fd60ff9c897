#!/usr/bin/env bats
# The JSON contract: every applet's --json document, on success and on each
# error path, validates against doc/schema/APPLET.schema.json (Debian's
# python3-jsonschema), is one object on stdout, has "schema", and has
# "error" exactly when the exit code says it failed (tests/schema/validate.py).
# Each case also asserts its exit code, so the path named is the path taken.
load ../helpers
bats_require_minimum_version 1.5.0

PY=/usr/bin/python3

setup() {
	T=$BATS_TEST_TMPDIR
	D=$T/docs
	mkdir -p "$D"
	JIN=/dev/null
}

# the document: stdout, or stderr for an applet whose stdout carries data
# (recover: then the document is all there is on stderr)
_keep() {  # _keep APPLET CASE EXIT
	if [ -s "$D/out" ] || [ ! -s "$D/err" ]; then
		mv "$D/out" "$D/$1@$2@$3.json"
	else
		cp "$D/err" "$D/$1@$2@$3.json"
	fi
}

# jdoc CASE EXIT APPLET ARGS...: run the applet with --json (stdin from
# $JIN), keep its document as $D/APPLET@CASE@EXIT.json, and insist on EXIT.
jdoc() {
	local case=$1 want=$2 applet=$3 st=0
	shift 3
	"$RESCUECTL" "$applet" --json "$@" < "$JIN" > "$D/out" 2> "$D/err" || st=$?
	_keep "$applet" "$case" "$st"
	if [ "$st" -ne "$want" ]; then
		echo "$applet $case: exit $st, expected $want; stderr:" >&2
		cat "$D/err" >&2
		return 1
	fi
}

validate() {
	run "$PY" "$TOP/tests/schema/validate.py" "$TOP/doc/schema" "$D"
	echo "$output"
	[ "$status" -eq 0 ]
}

tree() {  # tree DIR FLAVOR: an installed root as a directory
	"$FIX/mkroot.sh" "$1" "${2:-debian12}" >/dev/null
	printf '#!/bin/sh\n' > "$1/usr/bin/bash"
	chmod 755 "$1/usr/bin/bash"
}

@test "every applet has a schema, every schema is a valid JSON Schema, and every document says \"schema\": 1" {
	for a in $("$RESCUECTL" --list); do
		[ -f "$TOP/doc/schema/$a.schema.json" ] || { echo "no doc/schema/$a.schema.json" >&2; return 1; }
	done
	tree "$T/r"
	for a in $("$RESCUECTL" --list); do
		st=0
		"$RESCUECTL" "$a" --json --no-such-option > "$D/out" 2> "$D/err" || st=$?
		_keep "$a" usage "$st"
		[ "$(jq .schema "$D/$a@usage@$st.json")" = 1 ]
	done
	validate
}

@test "detect-root: one root, several, --all, none, a device that is not there" {
	tree "$T/a" debian12
	tree "$T/b" centos7
	mkext4 "$T/a.img" "$T/a" 32M
	mkext4 "$T/b.img" "$T/b" 32M
	mkdir -p "$T/e/data"
	mkext4 "$T/e.img" "$T/e" 16M
	jdoc one 0 detect-root "$T/a.img"
	[ "$(jq -r '.roots[0].os.id' "$D/detect-root@one@0.json")" = debian ]
	jdoc several 5 detect-root "$T/a.img" "$T/b.img"
	jdoc all 0 detect-root --all "$T/a.img" "$T/b.img"
	jdoc none 4 detect-root "$T/e.img"
	jdoc missing 4 detect-root "$T/not-there.img" || jdoc missing 1 detect-root "$T/not-there.img"
	validate
}

@test "reset-pass: set, dry run, --keep-same, --generate, --hashed; usage, refused, no account, not a root" {
	tree "$T/r"
	mkext4 "$T/r.img" "$T/r" 32M
	echo 'pw one' > "$T/pw"
	JIN=$T/pw jdoc set 0 reset-pass --password-stdin "$T/r.img"
	JIN=$T/pw jdoc dry 0 reset-pass --password-stdin --dry-run "$T/r.img"
	JIN=$T/pw jdoc same 0 reset-pass --password-stdin --keep-same "$T/r.img"
	jdoc generate 0 reset-pass --generate --root "$T/r"
	[ -n "$(jq -r .password "$D/reset-pass@generate@0.json")" ]
	printf '%s\n' '$6$saltsalt$aJf1OFWb4gIqSZqHfYJmPC8q0NIuyBKxh6TwAnq4ENzHwSsFc4lTKQy0JzwMBq6c0KIZb6Q2ZD.RwQeGpXeCq/' > "$T/hash"
	JIN=$T/hash jdoc hashed 0 reset-pass --hashed --root "$T/r"
	jdoc empty-stdin 2 reset-pass --password-stdin --root "$T/r"
	jdoc no-terminal 2 reset-pass --root "$T/r"
	JIN=$T/pw jdoc no-account 4 reset-pass --password-stdin --user nosuchuser --root "$T/r"
	mkdir -p "$T/e/data"
	mkext4 "$T/e.img" "$T/e" 16M
	JIN=$T/pw jdoc not-a-root 4 reset-pass --password-stdin "$T/e.img"
	tree "$T/l"
	mv "$T/l/etc/shadow" "$T/l/etc/shadow.real"
	ln -s shadow.real "$T/l/etc/shadow"
	JIN=$T/pw jdoc link 3 reset-pass --password-stdin --root "$T/l"
	validate
}

@test "clear-pass: clear, lock, nothing to change; unlock refused, options that exclude each other, no account" {
	tree "$T/r"
	jdoc clear 0 clear-pass --root "$T/r"
	jdoc again 0 clear-pass --root "$T/r"
	jdoc lock 0 clear-pass --lock --root "$T/r"
	jdoc unlock-bare 3 clear-pass --unlock --root "$T/r"
	jdoc exclusive 2 clear-pass --lock --unlock --root "$T/r"
	jdoc no-account 4 clear-pass --user nosuchuser --root "$T/r"
	validate
}

@test "disable-growpart: status, disable, again, undo, dry run; no cloud-init, not a root, a link, cannot tell, usage" {
	tree "$T/r"
	jdoc status-grows 1 disable-growpart --status --root "$T/r"
	jdoc dry 0 disable-growpart --dry-run --root "$T/r"
	jdoc disable 0 disable-growpart --yes --root "$T/r"
	[ "$(jq .changed "$D/disable-growpart@disable@0.json")" = true ]
	jdoc again 0 disable-growpart --yes --root "$T/r"
	[ "$(jq .changed "$D/disable-growpart@again@0.json")" = false ]
	jdoc status-off 0 disable-growpart --status --root "$T/r"
	jdoc undo 0 disable-growpart --undo --yes --root "$T/r"
	tree "$T/n"; rm -rf "$T/n/etc/cloud"
	jdoc no-cloud-init 4 disable-growpart --yes --root "$T/n"
	mkdir -p "$T/notroot/data"
	jdoc not-a-root 4 disable-growpart --yes --root "$T/notroot"
	tree "$T/l"
	ln -s /etc/passwd "$T/l/etc/cloud/cloud.cfg.d/zz-rescuectl-growpart.cfg"
	jdoc link 3 disable-growpart --yes --root "$T/l"
	tree "$T/deep"
	{ printf 'growpart: '; head -c 100000 /dev/zero | tr '\0' '['; head -c 100000 /dev/zero | tr '\0' ']'; echo; } \
		> "$T/deep/etc/cloud/cloud.cfg.d/50-deep.cfg"
	jdoc cannot-tell 6 disable-growpart --status --root "$T/deep"
	jdoc usage 2 disable-growpart --status --undo --root "$T/r"
	validate
}

@test "fsck: clean, errors corrected, errors found by --check-only, a device that is not there, usage" {
	tree "$T/r"
	mkext4 "$T/a.img" "$T/r" 32M
	cp "$T/a.img" "$T/b.img"
	jdoc clean 0 fsck "$T/a.img"
	debugfs -w -R "ssv free_blocks_count 11" "$T/a.img" >/dev/null 2>&1
	jdoc corrected 1 fsck "$T/a.img"
	for c in 'clri /etc/os-release' 'ssv state 2'; do debugfs -w -R "$c" "$T/b.img" >/dev/null 2>&1; done
	jdoc check-only 4 fsck --check-only "$T/b.img"
	jdoc repaired 1 fsck --yes "$T/b.img"
	jdoc missing 8 fsck "$T/not-there.img"
	jdoc usage 16 fsck --superblock x "$T/a.img"
	# the bundled e2fsck: the rescue system has none (only PATH is searched,
	# and e2fsck is in sbin), or it is asked for; the system's, asked for, missing
	RESCUECTL_NO_SBIN=1 PATH=/usr/bin:/bin jdoc bundled 0 fsck "$T/a.img"
	[ "$(jq -r .checker.why "$D/fsck@bundled@0.json")" = "the rescue system has none" ]
	jdoc forced-bundled 0 fsck --checker bundled "$T/a.img"
	RESCUECTL_NO_SBIN=1 PATH=/usr/bin:/bin jdoc forced-system 8 fsck --checker system "$T/a.img"
	validate
}

@test "mount-root and umount-root: dry run, mounted, again, busy with its holder, unmounted; none found, usage" {
	need_loop
	mkdir -p "$T/mnt"
	track_mount "$T/mnt"
	WITH_TRUE=1 mkimg "$T/disk.img" debian12 gpt
	disk=$(attach "$T/disk.img")
	jdoc dry 0 mount-root --dry-run --target "$T/mnt" "${disk}p3"
	jdoc mounted 0 mount-root --target "$T/mnt" "${disk}p3"
	jdoc again 0 mount-root --target "$T/mnt" "${disk}p3"
	jdoc dry 0 umount-root --dry-run --target "$T/mnt"
	(cd "$T/mnt/root" && exec sleep 60) &
	holder=$!
	sleep 0.2
	jdoc busy 1 umount-root --target "$T/mnt"
	kill "$holder"; wait "$holder" 2>/dev/null || true
	jdoc unmounted 0 umount-root --target "$T/mnt"
	jdoc nothing 0 umount-root --target "$T/mnt"
	mkdir -p "$T/e/data"
	mkext4 "$T/e.img" "$T/e" 16M
	jdoc none 4 mount-root --target "$T/mnt" "$T/e.img"
	jdoc usage 2 mount-root --target "$T/mnt" a b
	validate
}

@test "shrink-root: dry run, done; usage, refused below the minimum, a step that fails part-way (undone)" {
	need_loop
	mkimg "$T/disk.img" debian12 gpt
	disk=$(attach "$T/disk.img")
	jdoc dry 0 shrink-root --dry-run --size 128M "${disk}p3"
	jdoc usage 2 shrink-root "${disk}p3"
	jdoc too-small 3 shrink-root --yes --size 1M "${disk}p3"
	# resize2fs that estimates (-P) but fails to resize: the plan stops at its step
	mkdir -p "$T/bin"
	printf '#!/bin/sh\ncase "$1" in -P) exec %s "$@";; esac\necho "resize2fs: simulated failure" >&2\nexit 1\n' \
		"$(command -v resize2fs)" > "$T/bin/resize2fs"
	chmod 755 "$T/bin/resize2fs"
	# (--checker system: the resize runs the rescue system's, this one)
	PATH=$T/bin:$PATH jdoc failed 1 shrink-root --yes --checker system --backup "$T/t1.sfdisk" --size 128M "${disk}p3"
	jdoc rollback-none 0 shrink-root --rollback "${disk}p3"
	[ "$(jq '.error.step > 0' "$D/shrink-root@failed@1.json")" = true ]
	jdoc done 0 shrink-root --yes --backup "$T/t2.sfdisk" --size 128M "${disk}p3"
	validate
}

@test "recover: an archive (document on stderr), --list (on stdout), --to; incomplete, not found, refused, usage" {
	tree "$T/r"
	mkext4 "$T/r.img" "$T/r" 32M
	jdoc archive 0 recover -o "$T/a.tar" "$T/r.img" /etc
	[ "$(jq .files "$D/recover@archive@0.json")" -gt 0 ]
	jdoc list 0 recover --list "$T/r.img" /etc
	[ "$(jq '.entries | length > 0' "$D/recover@list@0.json")" = true ]
	mkdir "$T/out"
	jdoc to 0 recover --to "$T/out" "$T/r.img" /etc
	jdoc exists 3 recover --to "$T/out" "$T/r.img" /etc
	jdoc not-found 4 recover --list "$T/r.img" /no/such/path
	jdoc usage 2 recover -o "$T/b.tar" "$T/r.img" ../etc
	debugfs -w -R 'clri /etc/os-release' "$T/r.img" >/dev/null 2>&1
	jdoc incomplete 7 recover -o "$T/c.tar" "$T/r.img" /etc
	[ "$(jq '.losses | length' "$D/recover@incomplete@7.json")" -ge 1 ]
	validate
}

@test "doctor: findings, none to read, --list-checks, --fix --dry-run, --fix, --undo; refused, not a root, usage" {
	tree "$T/r"
	jdoc refused 3 doctor --fix safe --yes --root "$T/r"     # no /var/lib for the journal
	mkdir -p "$T/r/var/lib"
	jdoc findings 1 doctor --root "$T/r"
	[ "$(jq '.findings | length > 0' "$D/doctor@findings@1.json")" = true ]
	jdoc list 0 doctor --list-checks
	jdoc dry 0 doctor --fix fstab.missing-swap --dry-run --root "$T/r"
	jdoc fix 0 doctor --fix fstab.missing-swap --yes --root "$T/r"
	[ "$(jq '.steps | length > 0' "$D/doctor@fix@0.json")" = true ]
	jdoc undo 0 doctor --undo --yes --root "$T/r"
	mkdir "$T/empty"
	jdoc not-root 4 doctor --root "$T/empty"
	jdoc usage 2 doctor --fix nosuch --root "$T/r"
	validate
}

@test "doctor: firewall and network findings, their fixes (an edited rule set, a removed wants link, a renamed NIC) and undo" {
	local r=$T/fw
	"$FIX/fw/mkfwroot.sh" "$r" base
	"$FIX/fw/mkfwroot.sh" "$r" nft "$FIX/fw/nft/08-established-only.nft"
	"$FIX/mknetsys.sh" "$T/sys" eth0 52:54:00:12:34:56 0000:00:03.0 virtio_net virtio
	export RESCUECTL_SYSROOT=$T/sys
	jdoc fw-findings 1 doctor --check fw --root "$r"
	[ "$(jq -r '.findings[0].id' "$D/doctor@fw-findings@1.json")" = fw.ssh-dropped ]
	jdoc fw-fix 0 doctor --check fw --fix fw.ssh-dropped --yes --root "$r"
	jdoc fw-undo 0 doctor --undo --yes --root "$r"
	jdoc fw-off 0 doctor --check fw --fix fw.ssh-dropped --disable-firewall --yes --root "$r"
	[ ! -e "$r/etc/systemd/system/sysinit.target.wants/nftables.service" ]
	jdoc fw-off-undo 0 doctor --undo --yes --root "$r"
	r=$T/net
	"$FIX/net/mknetroot.sh" "$r" debian12 eth0
	jdoc net-findings 1 doctor --check net --dns --root "$r"
	[ "$(jq -r '.findings[0].id' "$D/doctor@net-findings@1.json")" = net.iface-missing ]
	jdoc net-fix 0 doctor --check net --fix net.iface-missing --yes --root "$r"
	jdoc net-dhcp 0 doctor --check net --dhcp enp0s3 --fix net.dhcp --yes --root "$r"
	jdoc net-usage 2 doctor --disable-firewall --root "$r"
	validate
}
