#!/usr/bin/env bats
# completions/ is generated from the binary by mk/completions.sh: it must be
# what the script makes from the current binary, and name every applet and
# option. After adding an applet or option: make completions.
load ../helpers
bats_require_minimum_version 1.5.0

@test "completions/ is what mk/completions.sh makes from this binary (run 'make completions' when this fails)" {
	sh "$TOP/mk/completions.sh" "$RESCUECTL" "$BATS_TEST_TMPDIR/c"
	for f in rescuectl.bash _rescuectl rescuectl.fish; do
		diff -u "$TOP/completions/$f" "$BATS_TEST_TMPDIR/c/$f"
	done
}

@test "completions name every applet and every option of every applet's --help" {
	for f in rescuectl.bash _rescuectl rescuectl.fish; do
		[ -s "$TOP/completions/$f" ]
	done
	bash -n "$TOP/completions/rescuectl.bash"
	for a in $("$RESCUECTL" --list); do
		for f in rescuectl.bash _rescuectl rescuectl.fish; do
			grep -q -- "$a" "$TOP/completions/$f" || { echo "$a missing from $f"; false; }
		done
		for o in $("$RESCUECTL" "$a" --help | sed -nE 's/^  (-[a-zA-Z], |    )(--[a-z][a-z0-9-]*).*/\2/p' | sort -u); do
			for f in rescuectl.bash _rescuectl rescuectl.fish; do
				if [ "$f" = rescuectl.fish ]; then
					grep -q -- "$a' -l ${o#--}\$" "$TOP/completions/$f" || { echo "$a $o missing from $f"; false; }
				else
					grep -- "$a)" "$TOP/completions/$f" | grep -q -- "$o" || { echo "$a $o missing from $f"; false; }
				fi
			done
		done
	done
}

@test "bash completion completes applets and options" {
	source "$TOP/completions/rescuectl.bash"
	COMP_WORDS=(rescuectl shr); COMP_CWORD=1; _rescuectl
	[ "${COMPREPLY[*]}" = "shrink-root" ]
	COMP_WORDS=(rescuectl shrink-root --dry); COMP_CWORD=2; _rescuectl
	[ "${COMPREPLY[*]}" = "--dry-run" ]
	COMP_WORDS=(detect-root --al); COMP_CWORD=1; _rescuectl
	[ "${COMPREPLY[*]}" = "--all" ]
}
