#!/usr/bin/env bats
# rescuectl fsck over e2fsprogs' 197 damaged f_* images: it never crashes
# (no signal, no sanitizer report with the ASan build, build/rescuectl-asan from `make helpers`), and its
# exit status is e2fsck's own on a copy of the same image -- with the
# system's e2fsck, with the bundled one (--checker bundled), and with an
# e2fsck 1.42 on PATH (the bundled one runs where the image needs newer).
# Differences that are meant are listed in fsck-corpus.allow ("NAME REASON",
# one a line).
load ../helpers
bats_require_minimum_version 1.5.0

setup() {
	CORPUS=${RESCUECTL_CORPUS:-$TOP/tests/corpus/e2fsprogs-f}
	[ -f "$CORPUS/MANIFEST.tsv" ] || { echo "corpus not found at $CORPUS" >&2; return 1; }
	# prefer the sanitizer build when it exists and is current
	BIN=$RESCUECTL
	if [ -x "$TOP/build/rescuectl-asan" ] && [ "$TOP/build/rescuectl-asan" -nt "$TOP/applets/fsck.c" ]; then
		BIN=$TOP/build/rescuectl-asan
	fi
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1
}

allowed() {
	grep -q "^$1 " "$TOP/tests/cli/fsck-corpus.allow" 2>/dev/null
}

# corpus_compare LABEL [ENV...] -- [FSCK-ARGS...]: rescuectl fsck --yes
# (with ENV and FSCK-ARGS) against e2fsck -fy on a copy of every image.
# Sets n, same, diff, checked (how many said "Checker: e2fsck ..." before
# running it; not those refused first) and bundled (of those, "(bundled").
corpus_compare() {
	local label=$1
	shift
	local envs=()
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	T=$BATS_TEST_TMPDIR
	n=0 same=0 diff=0 allowed_n=0 bundled=0 checked=0
	: > "$T/report"
	for gz in "$CORPUS"/*.img.gz; do
		name=$(basename "$gz" .img.gz)
		gunzip -c "$gz" > "$T/ref.img"
		cp "$T/ref.img" "$T/ours.img"
		timeout 60 e2fsck -fy "$T/ref.img" >/dev/null 2>&1 && want=0 || want=$?
		timeout 120 env "${envs[@]}" "$BIN" fsck --yes "$@" "$T/ours.img" > "$T/out" 2>&1 && got=0 || got=$?
		n=$((n + 1))
		if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$T/out"; then
			echo "$name: sanitizer report"; cat "$T/out"; false
		fi
		# 124: timeout; 129..: killed by a signal (run_cmd's 128+N is not
		# e2fsck's: e2fsck never combines 128 with other bits)
		if [ "$got" -eq 124 ] || [ "$got" -gt 128 ]; then
			echo "$name: exit $got (crash or hang)"; cat "$T/out"; false
		fi
		! grep -q '^Checker: e2fsck ' "$T/out" || checked=$((checked + 1))
		! grep -q '^Checker: e2fsck [0-9.]* (bundled' "$T/out" || bundled=$((bundled + 1))
		if [ "$got" -eq "$want" ]; then
			same=$((same + 1))
		elif allowed "$name"; then
			allowed_n=$((allowed_n + 1))
			echo "$name: e2fsck $want, rescuectl $got (allowed: $(grep "^$name " "$TOP/tests/cli/fsck-corpus.allow" | cut -d' ' -f2-))" >> "$T/report"
		else
			diff=$((diff + 1))
			echo "$name: e2fsck -fy $want, rescuectl fsck --yes $* $got" >> "$T/report"
			sed 's/^/    /' "$T/out" | grep -E 'rescuectl fsck|Checker' >> "$T/report" || true
		fi
	done
	echo "# $label: $n images: $same same status, $allowed_n allowed differences, $diff unexpected," \
		"$bundled of $checked checked with the bundled e2fsck ($BIN)" >&3
	sed 's/^/# /' "$T/report" >&3
}

@test "corpus: fsck --yes matches e2fsck -fy on every damaged image, never crashes" {
	corpus_compare "the system's e2fsck" --
	[ "$n" -ge 190 ]
	[ "$diff" -eq 0 ]
	[ "$bundled" -eq 0 ]
}

@test "corpus: with --checker bundled, fsck --yes matches the system's e2fsck -fy on every image but those in fsck-corpus.allow" {
	corpus_compare "--checker bundled" -- --checker bundled
	[ "$n" -ge 190 ]
	[ "$diff" -eq 0 ]
	[ "$checked" -ge $((n - 3)) ]
	[ "$bundled" -eq "$checked" ]
}

@test "corpus: with an e2fsck 1.42 on PATH, the bundled one runs on the images that need a newer one; statuses match e2fsck 1.47's but those in fsck-corpus.allow" {
	T=$BATS_TEST_TMPDIR
	mkdir -p "$T/bin"
	# says 1.42.9; otherwise it is the real e2fsck (1.47.0)
	cat > "$T/bin/e2fsck" <<EOF
#!/bin/sh
if [ "\$1" = -V ]; then echo "e2fsck 1.42.9 (28-Dec-2013)" >&2; echo "	Using EXT2FS Library version 1.42.9, 28-Dec-2013" >&2; exit 0; fi
exec $(command -v e2fsck) "\$@"
EOF
	chmod +x "$T/bin/e2fsck"
	corpus_compare "an e2fsck 1.42 on PATH" RESCUECTL_NO_SBIN=1 PATH="$T/bin:/usr/bin:/bin" --
	[ "$n" -ge 190 ]
	[ "$diff" -eq 0 ]
	# images with 64bit-era and newer features (metadata_csum, inline_data,
	# encrypt, casefold ...) go to the bundled e2fsck, the old ones do not
	[ "$bundled" -ge 20 ]
	[ "$bundled" -lt "$checked" ]
}

@test "corpus: --check-only changes no byte and --json stays one valid document on every image" {
	T=$BATS_TEST_TMPDIR
	hangs=0
	for gz in "$CORPUS"/*.img.gz; do
		name=$(basename "$gz" .img.gz)
		gunzip -c "$gz" > "$T/img"
		before=$(sha "$T/img")
		timeout 20 "$BIN" fsck --json --check-only "$T/img" > "$T/json" 2> "$T/err" && got=0 || got=$?
		if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$T/err"; then
			echo "$name: sanitizer report"; cat "$T/err"; false
		fi
		[ "$(sha "$T/img")" = "$before" ] || { echo "$name: --check-only changed the image"; false; }
		if [ "$got" -eq 124 ]; then
			# e2fsck 1.47.0 -n restarts without end on a few images
			# (f_illitable_flexbg, f_misstable): then e2fsck alone must hang too
			cp "$T/img" "$T/ref"
			timeout 20 e2fsck -fn "$T/ref" >/dev/null 2>&1 && st=0 || st=$?
			[ "$st" -eq 124 ] || { echo "$name: rescuectl hung, e2fsck -fn alone exits $st"; false; }
			echo "# $name: e2fsck -fn itself does not finish (known e2fsck loop)" >&3
			hangs=$((hangs + 1))
			continue
		fi
		[ "$got" -le 128 ] || { echo "$name: exit $got"; cat "$T/err"; false; }
		jq -e . "$T/json" >/dev/null || { echo "$name: not JSON"; cat "$T/json"; false; }
		[ "$(jq -r '.exit_status // .error.exit' "$T/json")" = "$got" ] || { echo "$name: JSON exit != $got"; false; }
	done
	[ "$hangs" -le 3 ]
}
