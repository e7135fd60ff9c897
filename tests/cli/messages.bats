#!/usr/bin/env bats
# What a user reads, word for word, as util-linux's tests/expected does: the
# --help of rescuectl and of every applet, and the main messages of each
# applet (success and the usual refusals), compared with the golden files in
# tests/expected/APPLET/CASE. Volatile parts are scrubbed first: temporary
# paths, loop devices, UUIDs, dates and day numbers, the e2fsck version (and
# the rescue system's e2fsck named on the Checker: line),
# block and inode counts (they follow mke2fs and the fixtures).
# An intended change of wording: regenerate with
#   RESCUECTL_UPDATE_EXPECTED=1 bats tests/cli/messages.bats
# and review the diff; an unintended one fails here.
load ../helpers
bats_require_minimum_version 1.5.0

EXP=$TOP/tests/expected

setup() {
	T=$BATS_TEST_TMPDIR
	TODAY=$(( $(date -u +%s) / 86400 ))
}

scrub() {
	sed -E -e "s|$T|TMP|g" \
	    -e 's|/dev/loop[0-9]+|/dev/loopN|g' \
	    -e 's/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/UUID/g' \
	    -e 's/20[0-9]{6}-[0-9]{6}/DATE/g' \
	    -e 's/20[0-9]{2}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}/DATETIME/g' \
	    -e 's/20[0-9]{2}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}Z)?/DATETIME/g' \
	    -e '/^  free  /s/[0-9]+/N/g' -e '/: [0-9]+\/[0-9]+ files /s/[0-9]+/N/g' \
	    -e "s/\\b$TODAY\\b/TODAY/g" \
	    -e 's/^e2fsck [0-9.]+ \([^)]*\)$/e2fsck VERSION/' \
	    -e "s/^(Checker: e2fsck|Tools: e2fsck) [0-9.]+ \\(the rescue system's [^)]*\\)/\\1 VERSION (the rescue system's PATH)/"
}

# golden APPLET/CASE CMD...: run CMD (stdin from $STDIN, else nothing);
# stdout, stderr and the exit status, scrubbed, must equal the golden file.
golden() {
	local name=$1
	shift
	local out=$T/out err=$T/err st=0
	"$@" <"${STDIN:-/dev/null}" >"$out" 2>"$err" || st=$?
	{
		echo "\$ rescuectl ${*:2}" | scrub
		echo "--- stdout"
		scrub <"$out"
		echo "--- stderr"
		scrub <"$err"
		echo "--- exit $st"
	} >"$T/got"
	if [ -n "${RESCUECTL_UPDATE_EXPECTED:-}" ]; then
		mkdir -p "$(dirname "$EXP/$name")"
		cp "$T/got" "$EXP/$name"
	fi
	diff -u "$EXP/$name" "$T/got"
}

mkroot() {
	"$FIX/mkroot.sh" "$1" "$2" >/dev/null
}

@test "--help of rescuectl and of every applet" {
	golden rescuectl/help "$RESCUECTL" --help
	for a in $("$RESCUECTL" --list); do
		[ -e "$EXP/$a/help" ] || [ -n "${RESCUECTL_UPDATE_EXPECTED:-}" ] || { echo "no golden file for $a --help"; false; }
		golden "$a/help" "$RESCUECTL" "$a" --help
	done
	golden rescuectl/unknown-applet "$RESCUECTL" detect-rot
}

@test "detect-root: a root found, nothing found, a usage error" {
	mkroot "$T/r" debian12
	mkext4 "$T/root.img" "$T/r"
	mkdir -p "$T/e"
	mkext4 "$T/empty.img" "$T/e"
	cd "$T"
	golden detect-root/found "$RESCUECTL" detect-root root.img
	golden detect-root/nothing "$RESCUECTL" detect-root empty.img
	golden detect-root/usage "$RESCUECTL" detect-root --bogus
}

@test "reset-pass: done, dry run, a symbolic-link shadow refused, an unknown method" {
	mkroot "$T/r" debian12
	cd "$T"
	STDIN=<(echo 'new pw') golden reset-pass/done "$RESCUECTL" reset-pass --root r --password-stdin
	golden reset-pass/dry-run "$RESCUECTL" reset-pass --root r --dry-run
	mkroot "$T/c7" centos7
	STDIN=<(echo 'new pw') golden reset-pass/done-centos7 "$RESCUECTL" reset-pass --root c7 --password-stdin --user admin
	ln -sfn /elsewhere "$T/r/etc/shadow"
	STDIN=<(echo 'new pw') golden reset-pass/symlink "$RESCUECTL" reset-pass --root r --password-stdin
	golden reset-pass/method "$RESCUECTL" reset-pass --root r --method md5
}

@test "clear-pass: emptied, locked, an unlock that would leave no password refused" {
	mkroot "$T/r" rhel9
	cd "$T"
	golden clear-pass/done "$RESCUECTL" clear-pass --root r
	golden clear-pass/lock "$RESCUECTL" clear-pass --root r --lock --user admin
	sed -i 's/^daemon:\*:/daemon:!:/' "$T/r/etc/shadow"
	golden clear-pass/unlock-refused "$RESCUECTL" clear-pass --root r --unlock --user daemon
}

@test "disable-growpart: status, dry run, done, undo" {
	mkroot "$T/r" ubuntu2204
	cd "$T"
	golden disable-growpart/status "$RESCUECTL" disable-growpart --status --root r
	golden disable-growpart/dry-run "$RESCUECTL" disable-growpart --dry-run --root r
	golden disable-growpart/done "$RESCUECTL" disable-growpart --yes --root r
	golden disable-growpart/undo "$RESCUECTL" disable-growpart --undo --yes --root r
}

@test "fsck: a clean image checked, a device that does not exist" {
	mkdir -p "$T/e"
	mkext4 "$T/root.img" "$T/e"
	cd "$T"
	golden fsck/check-only "$RESCUECTL" fsck --check-only root.img
	golden fsck/missing "$RESCUECTL" fsck /dev/no-such-disk
}

@test "shrink-root and mount-root/umount-root: the usual refusals" {
	mkroot "$T/r" debian12
	mkext4 "$T/root.img" "$T/r"
	mkdir -p "$T/empty"
	cd "$T"
	golden shrink-root/image-file "$RESCUECTL" shrink-root --dry-run --size 40M root.img
	golden shrink-root/usage "$RESCUECTL" shrink-root --dry-run root.img
	golden mount-root/missing "$RESCUECTL" mount-root --target empty /dev/no-such-disk
	golden umount-root/nothing "$RESCUECTL" umount-root --target empty
}

@test "doctor: nothing found, a gone disk found, the fix planned, made and undone" {
	export RESCUECTL_SYSROOT=$T/nosys
	"$FIX/mkhealthy.sh" "$T/r" debian12 >/dev/null
	sed -i '/boot\/efi/d' "$T/r/etc/fstab"
	cd "$T"
	golden doctor/nothing "$RESCUECTL" doctor --root r
	echo "UUID=11111111-2222-4333-8444-555555555555 /srv ext4 defaults 0 2" >> "$T/r/etc/fstab"
	mkdir -p "$T/r/srv"
	golden doctor/found "$RESCUECTL" doctor --root r
	golden doctor/dry-run "$RESCUECTL" doctor --fix safe --dry-run --root r
	golden doctor/fix "$RESCUECTL" doctor --fix safe --yes --root r
	golden doctor/undo "$RESCUECTL" doctor --undo --yes --root r
	golden doctor/usage "$RESCUECTL" doctor --fix nosuch --root r
}
