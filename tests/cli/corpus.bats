#!/usr/bin/env bats
# The damaged ext2/3/4 images of e2fsprogs' own test suite: anything that
# reads a filesystem must survive every one of them. Run through the
# ASan+UBSan build so a memory error fails the test, not just a crash.
load ../helpers
bats_require_minimum_version 1.5.0

CORPUS=${RESCUECTL_CORPUS:-$TOP/tests/corpus/e2fsprogs-f}
ASAN=$TOP/build/rescuectl-asan

setup() {
	[ -d "$CORPUS" ] || { echo "corpus not found at $CORPUS" >&2; return 1; }
	[ -x "$ASAN" ] || skip "build/rescuectl-asan not built (make helpers)"
}

@test "detect-root reads all damaged images without a crash or a sanitizer report, and writes nothing" {
	n=0
	for gz in "$CORPUS"/*.img.gz; do
		img=$BATS_TEST_TMPDIR/x.img
		gunzip -c "$gz" > "$img"
		before=$(sha "$img")
		run --separate-stderr env ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1 "$ASAN" detect-root --json "$img"
		if [ "$status" -ne 0 ] && [ "$status" -ne 4 ]; then
			echo "$(basename "$gz"): exit $status"; echo "$output" | tail -5; false
		fi
		[[ "$stderr" != *"runtime error"* && "$stderr" != *"Sanitizer"* ]] || { echo "$gz: $stderr"; false; }
		echo "$output" | jq -e .roots >/dev/null || { echo "$gz: not JSON: $output"; false; }
		[ "$(sha "$img")" = "$before" ] || { echo "$gz: image changed"; false; }
		n=$((n + 1))
	done
	[ "$n" -ge 190 ]
}

@test "disable-growpart --status on every damaged image: none is an installed root (exit 4, or 6 unreadable), never 0 or 1" {
	n=0
	for gz in "$CORPUS"/*.img.gz; do
		img=$BATS_TEST_TMPDIR/x.img
		gunzip -c "$gz" > "$img"
		run --separate-stderr env ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1 "$ASAN" disable-growpart --status --json "$img"
		case $status in
		4|6) ;;
		*) echo "$(basename "$gz"): exit $status"; echo "$output" | tail -5; false ;;
		esac
		[[ "$stderr" != *"runtime error"* && "$stderr" != *"Sanitizer"* ]] || { echo "$gz: $stderr"; false; }
		jq -e ".error.exit == $status" <<<"$output" >/dev/null || { echo "$gz: $output"; false; }
		n=$((n + 1))
	done
	[ "$n" -ge 190 ]
	# the root inode that is not a directory is named as such
	gunzip -c "$CORPUS/f_badroot.img.gz" > "$BATS_TEST_TMPDIR/badroot.img"
	run "$ASAN" disable-growpart --status "$BATS_TEST_TMPDIR/badroot.img"
	[ "$status" -eq 4 ]
	[[ "$output" == *"its root directory is not a directory"* ]]
}
