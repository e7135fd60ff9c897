#!/usr/bin/env bats
# doctor on the 197 damaged ext2/3/4 images of e2fsprogs' test suite,
# through the ASan+UBSan build: no crash, no sanitizer report, no hang
# (60 s each at most), no byte written, and one JSON document each.
load ../helpers
bats_require_minimum_version 1.5.0

CORPUS=${RESCUECTL_CORPUS:-$TOP/tests/corpus/e2fsprogs-f}
ASAN=$TOP/build/rescuectl-asan

setup() {
	[ -d "$CORPUS" ] || { echo "corpus not found at $CORPUS" >&2; return 1; }
	[ -x "$ASAN" ] || skip "build/rescuectl-asan not built (make helpers)"
}

@test "doctor reads all damaged images without a crash, a sanitizer report or a hang, and writes nothing" {
	n=0 roots=0
	for gz in "$CORPUS"/*.img.gz; do
		img=$BATS_TEST_TMPDIR/x.img
		gunzip -c "$gz" > "$img"
		before=$(sha "$img")
		run --separate-stderr timeout 60 env ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1 \
			RESCUECTL_SYSROOT=$BATS_TEST_TMPDIR/nosys "$ASAN" doctor --json "$img"
		case $status in
		0|1) roots=$((roots + 1)) ;;
		4|6) ;;
		*) echo "$(basename "$gz"): exit $status"; echo "$stderr" | tail -5; false ;;
		esac
		[[ "$stderr" != *"runtime error"* && "$stderr" != *"Sanitizer"* ]] || { echo "$gz: $stderr"; false; }
		echo "$output" | jq -e 'type == "object"' >/dev/null || { echo "$gz: not JSON: $output"; false; }
		[ "$(sha "$img")" = "$before" ] || { echo "$gz: image changed"; false; }
		n=$((n + 1))
	done
	echo "$n images, $roots read as installed roots"
	[ "$n" -ge 190 ]
}

@test "every check on every damaged image (RESCUECTL_DOCTOR_ANY_TREE: no root needed): no crash, no hang, nothing written" {
	n=0
	for gz in "$CORPUS"/*.img.gz; do
		img=$BATS_TEST_TMPDIR/x.img
		gunzip -c "$gz" > "$img"
		before=$(sha "$img")
		run --separate-stderr timeout 60 env ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1 \
			RESCUECTL_SYSROOT=$BATS_TEST_TMPDIR/nosys RESCUECTL_DOCTOR_ANY_TREE=1 "$ASAN" doctor --json "$img"
		case $status in
		0|1|4|6) ;;
		*) echo "$(basename "$gz"): exit $status"; echo "$stderr" | tail -5; false ;;
		esac
		[[ "$stderr" != *"runtime error"* && "$stderr" != *"Sanitizer"* ]] || { echo "$gz: $stderr"; false; }
		[ "$(sha "$img")" = "$before" ] || { echo "$gz: image changed"; false; }
		n=$((n + 1))
	done
	[ "$n" -ge 190 ]
}
