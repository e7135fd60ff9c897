# Shared by shrink.bats and shrink-more.bats: one guest function of
# tests/vm/guest/shrink.sh on a fresh copy of a layout, and the check of
# the --json documents it printed.
# vm_json_valid OUT: the guest's --json documents ("JSON NAME EXIT {...}"
# lines) validate against doc/schema/shrink-root.schema.json.
vm_json_valid() {
	local name code doc n=0
	mkdir -p "$1/docs"
	while read -r _ name code doc; do
		printf '%s\n' "$doc" > "$1/docs/shrink-root@$name@$code.json"
		n=$((n + 1))
	done < <(grep '^JSON ' "$1/results.log" | tr -d '\r')
	[ "$n" -eq 0 ] || python3 "$TOP/tests/schema/validate.py" "$TOP/doc/schema" "$1/docs"
}

# vm_shrink_test LAYOUT FUNCTION: FUNCTION of guest/shrink.sh on fresh
# copies of the layout's disks.
vm_shrink_test() {
	need_vm
	local t=$BATS_TEST_TMPDIR
	vm_layout_copy "$1" "$t/disks"
	mkdir -p "$t/extra"
	cp "$VM/guest/shrink.sh" "$t/extra/"
	printf '#!/bin/sh\n. ./lib.sh\n. ./std.sh\n. ./layout.sh\n[ -f vars ] && . ./vars\n. ./shrink.sh\n%s\ndone_tests\n' "$2" > "$t/run.sh"
	VM_EXTRA=$t/extra vm_boot "$t/out" "$t/run.sh" $(vm_disk_args "$t/disks") || true
	vm_assert "$t/out" || return 1
	vm_json_valid "$t/out"
	vm_count "shrink-${3:-$1}" "$t/out"
}
