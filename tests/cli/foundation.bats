#!/usr/bin/env bats
# The multi-call binary itself: dispatch, links, help, exit codes, JSON on
# failure, static linking (completions: completions.bats).
load ../helpers
bats_require_minimum_version 1.5.0

@test "rescuectl --list prints every applet, one a line" {
	run "$RESCUECTL" --list
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 10 ]
	for a in detect-root mount-root umount-root reset-pass clear-pass fsck shrink-root disable-growpart recover doctor; do
		printf '%s\n' "${lines[@]}" | grep -qx "$a"
	done
}

@test "no arguments and --help list the applets and the exit codes" {
	run "$RESCUECTL"
	[ "$status" -eq 0 ]
	[[ "$output" == *"shrink-root"* ]]
	[[ "$output" == *"127  unknown applet"* ]]
	run "$RESCUECTL" --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"3    refused by a safety check"* ]]
}

@test "an unknown applet exits 127 with a suggestion" {
	run -127 "$RESCUECTL" detect-rot
	[ "$status" -eq 127 ]
	[[ "$output" == *"did you mean 'detect-root'?"* ]]
	run -127 "$RESCUECTL" frobnicate
	[ "$status" -eq 127 ]
	[[ "$output" != *"did you mean"* ]]
}

@test "a usage error is one line plus the hint, exit 2" {
	run "$RESCUECTL" detect-root --no-such-option
	[ "$status" -eq 2 ]
	[[ "${lines[0]}" == *"unknown option: '--no-such-option'"* ]]
	[[ "${lines[1]}" == "Try 'rescuectl detect-root --help'" ]]
}

@test "--json usage errors still print one JSON document" {
	run --separate-stderr "$RESCUECTL" reset-pass --json --bogus
	[ "$status" -eq 2 ]
	[ "$(echo "$output" | jq -r .error.exit)" = 2 ]
}

@test "help APPLET equals APPLET --help, and a link named after the applet works" {
	a=$("$RESCUECTL" help fsck)
	b=$("$RESCUECTL" fsck --help)
	[ "$a" = "$b" ]
	ln -s "$RESCUECTL" "$BATS_TEST_TMPDIR/detect-root"
	c=$("$BATS_TEST_TMPDIR/detect-root" --help)
	d=$("$RESCUECTL" detect-root --help)
	[ "$c" = "$d" ]
	# a login-shell style leading dash is ignored
	ln -s "$RESCUECTL" "$BATS_TEST_TMPDIR/-fsck"
	e=$("$BATS_TEST_TMPDIR/-fsck" --help)
	[ "$e" = "$b" ]
}

@test "every applet's --help shows usage, the common options and exits 0" {
	for a in $("$RESCUECTL" --list); do
		run "$RESCUECTL" "$a" --help
		[ "$status" -eq 0 ]
		[[ "${lines[0]}" == "Usage: rescuectl $a"* ]]
		[[ "$output" == *"--json"* && "$output" == *"--quiet"* && "$output" == *"--verbose"* ]]
	done
	for a in reset-pass clear-pass fsck shrink-root disable-growpart; do
		run "$RESCUECTL" "$a" --help
		[[ "$output" == *"--dry-run"* && "$output" == *"--yes"* && "$output" == *"--root DIR"* ]]
	done
}

@test "--version names the linked libraries" {
	run "$RESCUECTL" --version
	[ "$status" -eq 0 ]
	for l in libext2fs libblkid libfdisk libxcrypt json-c libyaml; do
		[[ "$output" == *"$l "* ]]
	done
}

@test "--install makes links; right links are kept and other files left alone" {
	d=$BATS_TEST_TMPDIR/bin
	mkdir -p "$d"
	echo "not ours" > "$d/fsck"
	run "$RESCUECTL" --install -s "$d"
	[ "$status" -eq 0 ]
	[[ "$output" == *"$d/fsck exists and is not a link"* ]]
	[ "$(cat "$d/fsck")" = "not ours" ]
	[ "$(readlink "$d/shrink-root")" = "$(readlink -f "$RESCUECTL")" ]
	run "$RESCUECTL" --install -s "$d"
	[ "$status" -eq 0 ]
	run "$d/detect-root" --help
	[ "$status" -eq 0 ]
	h=$BATS_TEST_TMPDIR/hard
	mkdir -p "$h"
	cp "$RESCUECTL" "$h/rescuectl"
	"$h/rescuectl" --install "$h"
	[ "$(stat -c %i "$h/rescuectl")" = "$(stat -c %i "$h/mount-root")" ]
	run "$h/rescuectl" --install "$h"
	[ "$status" -eq 0 ]
	[[ "$output" != *warning* ]]
}

@test "the binary is static: it runs in a chroot that holds nothing else" {
	need_root
	file "$RESCUECTL" | grep -q 'statically linked'
	d=$BATS_TEST_TMPDIR/empty
	mkdir -p "$d"
	cp "$RESCUECTL" "$d/rescuectl"
	run chroot "$d" /rescuectl --list
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 10 ]
}

@test "the binary, stripped, stays under the 4 MB the project promises (e2fsprogs and libarchive included)" {
	s=$BATS_TEST_TMPDIR/stripped
	strip -o "$s" "$RESCUECTL"
	size=$(stat -c %s "$s")
	echo "stripped: $size bytes"
	[ "$size" -lt 4194304 ]
}

@test "the bundled e2fsck, resize2fs and mke2fs are hidden applets: run as 'rescuectl e2fsck' or by name, never listed, installed or completed" {
	run "$RESCUECTL" e2fsck -V
	[ "$status" -eq 0 ]
	[[ "$output" == *"e2fsck 1.47.0 ("* ]]
	run "$RESCUECTL" resize2fs
	[ "$status" -eq 1 ]
	[[ "$output" == "resize2fs 1.47.0 ("*"Usage: resize2fs "* ]]
	run "$RESCUECTL" --version
	[[ "$output" == *"e2fsck, resize2fs, mke2fs 1.47.0-"*"(bundled, from Debian's e2fsprogs source)"* ]]
	# a link named mkfs.ext4 makes an ext4 with mkfs.ext4's defaults
	d=$BATS_TEST_TMPDIR/l
	mkdir -p "$d"
	ln -s "$(readlink -f "$RESCUECTL")" "$d/mkfs.ext4"
	truncate -s 64M "$d/a.img" "$d/b.img"
	run "$d/mkfs.ext4" -q -F "$d/a.img"
	[ "$status" -eq 0 ]
	mkfs.ext4 -q -F "$d/b.img"
	[ "$(dumpe2fs -h "$d/a.img" 2>/dev/null | grep '^Filesystem features:')" = "$(dumpe2fs -h "$d/b.img" 2>/dev/null | grep '^Filesystem features:')" ]
	e2fsck -fn "$d/a.img"
	# MKE2FS_CONFIG still chooses another profile
	printf '[fs_types]\n\text4 = {\n\t\tfeatures = has_journal,extent,^metadata_csum\n\t}\n' > "$d/conf"
	MKE2FS_CONFIG=$d/conf run "$RESCUECTL" mke2fs -q -F -t ext4 "$d/a.img"
	[ "$status" -eq 0 ]
	[[ "$(dumpe2fs -h "$d/a.img" 2>/dev/null | grep '^Filesystem features:')" != *metadata_csum* ]]
	# hidden
	for n in e2fsck resize2fs mke2fs mkfs.ext4; do
		! "$RESCUECTL" --list | grep -qx "$n"
		! "$RESCUECTL" --help | grep -q "^  $n "
		! grep -qw -- "$n" "$TOP/completions/rescuectl.bash" "$TOP/completions/_rescuectl" "$TOP/completions/rescuectl.fish"
	done
	i=$BATS_TEST_TMPDIR/inst
	mkdir -p "$i"
	"$RESCUECTL" --install -s "$i"
	[ "$(ls "$i" | wc -l)" -eq "$("$RESCUECTL" --list | wc -l)" ]
	[ ! -e "$i/e2fsck" ]
	# and no "did you mean" leads to them
	run -127 "$RESCUECTL" e2fsk
	[[ "$output" != *"did you mean 'e2fsck'"* ]]
}
