# Host side of the VM rig, loaded by tests/vm/*.bats after ../helpers.
# A layout (tests/vm/layouts/NAME.sh) is built once and cached under
# build/vm/layouts/; every test boots a fresh copy of its disks in the
# rescue VM with the rescuectl under test and a guest script, and asserts
# on the result lines the guest printed on its second serial port.
VM=$TOP/tests/vm
VMB=${VMB:-$TOP/build/vm}
VM_TIMEOUT=${VM_TIMEOUT:-400}

# vm_init: once per file (setup_file). Fetches the kernel, builds the base
# initramfs, or records why QEMU cannot run here (VM_SKIP: the tests skip)
# or why the rig failed to set up (VM_FAIL: the tests fail). Only a missing
# QEMU is a skip; a kernel that cannot be fetched is a failure.
vm_init() {
	export VM_SKIP= VM_FAIL=
	if ! command -v qemu-system-x86_64 > /dev/null; then
		VM_SKIP="qemu-system-x86_64 is not installed and could not be (make check-vm runs 'sh mk/deps.sh vm' as root)"
		return 0
	fi
	mkdir -p "$VMB"
	if ! VM_KDIR=$("$VM/kernel.sh" "$VMB/kernel" 2> "$VMB/kernel.err"); then
		VM_FAIL="Debian's kernel package could not be fetched (apt-get download linux-image-amd64): $(tail -n 3 "$VMB/kernel.err")"
		return 0
	fi
	VM_BASE=$("$VM/initrd.sh" base "$VM_KDIR" "$VMB") || return 1
	export VM_KDIR VM_BASE
}

need_vm() {
	[ -z "${VM_SKIP:-}" ] || skip "$VM_SKIP"
	[ -z "${VM_FAIL:-}" ] || { echo "$VM_FAIL"; return 1; }
	[ -n "${VM_BASE:-}" ] || { echo "the VM rig was not initialised (vm_init in setup_file)"; return 1; }
}

# vm_stage DIR SCRIPT: the overlay's tree: rescuectl and its applet links,
# cryptcheck, the guest helpers, the layout (VM_LAYOUT_FILE, VM_LAYOUT_DIR/fix)
# and SCRIPT as /test/run.sh.
vm_stage() {
	local st=$1 script=$2 a lib
	rm -rf "$st"
	mkdir -p "$st/test" "$st/usr/local/sbin" "$st/usr/local/bin"
	cp "$RESCUECTL" "$st/usr/local/sbin/rescuectl"
	for a in $("$RESCUECTL" --list); do ln -s rescuectl "$st/usr/local/sbin/$a"; done
	cp "$TOP/build/helpers/cryptcheck" "$st/usr/local/bin/"
	for lib in $(ldd "$TOP/build/helpers/cryptcheck" | grep -o '/[^ ]*'); do
		mkdir -p "$st$(dirname "$lib")"
		cp -L "$lib" "$st$lib"
	done
	cp "$VM/guest/lib.sh" "$VM/guest/std.sh" "$st/test/"
	if [ -n "${VM_LAYOUT_FILE:-}" ]; then
		cp "$VM_LAYOUT_FILE" "$st/test/layout.sh"
		[ -d "$VM_LAYOUT_DIR/fix" ] && cp -a "$VM_LAYOUT_DIR/fix" "$st/test/fix"
		[ -f "$VM_LAYOUT_DIR/vars" ] && cp "$VM_LAYOUT_DIR/vars" "$st/test/vars"
	fi
	[ -n "${VM_EXTRA:-}" ] && cp -a "$VM_EXTRA"/. "$st/test/"
	cp "$script" "$st/test/run.sh"
	chmod 755 "$st/test/run.sh"
}

# vm_boot OUT SCRIPT [vm.py options: --disk BUS:FILE ..., --cut-...]
vm_boot() {
	local out=$1 script=$2
	shift 2
	mkdir -p "$out"
	vm_stage "$out/overlay" "$script"
	"$VM/initrd.sh" overlay "$out/overlay" "$out/overlay.cpio"
	cat "$VM_BASE" "$out/overlay.cpio" > "$out/initrd"
	rm -rf "$out/overlay"
	python3 "$VM/vm.py" --kernel "$VM_KDIR/vmlinuz" --initrd "$out/initrd" --out "$out" \
		--cache-dir "$VMB" --timeout "$VM_TIMEOUT" "$@" > /dev/null
	local st=$?
	rm -f "$out/initrd" "$out/overlay.cpio"
	return $st
}

# vm_assert OUT: the guest finished (DONE) and reported no "not ok".
vm_assert() {
	local out=$1
	cat "$out/results.log" | tr -d '\r'
	if ! grep -q '^DONE 0 failed' "$out/results.log"; then
		echo "--- console (last 40 lines) ---"
		tail -n 40 "$out/console.log" | tr -d '\r'
		echo "--- $(cat "$out/summary.json" 2>/dev/null)"
		return 1
	fi
	! grep -q '^not ok' "$out/results.log"
}

# The layout's cache key: its recipe, the fixtures, the guest helpers, the base.
vm_layout_key() {
	cat "$VM/layouts/$1.sh" "$TOP/tests/fixtures/mkroot.sh" "$TOP/tests/fixtures/mkdisk.sh" \
		"$VM/guest/lib.sh" "$VM/host.sh" | { cat; echo "$VM_BASE"; } | sha256sum | cut -c1-12
}

# vm_layout_build NAME: build the layout's disks once (host part, then the
# setup VM if the layout has one); sets VM_LAYOUT_DIR and VM_LAYOUT_FILE.
vm_layout_build() {
	local name=$1 key dir
	key=$(vm_layout_key "$name")
	dir=$VMB/layouts/$name-$key
	VM_LAYOUT_FILE=$VM/layouts/$name.sh
	VM_LAYOUT_DIR=$dir
	[ -f "$dir/.done" ] && return 0
	rm -rf "$VMB/layouts/$name"-*
	mkdir -p "$dir/fix"
	TOP=$TOP FIX=$TOP/tests/fixtures bash -e -c '
		cd "$1"
		. "$3"
		. "$2"
		for spec in $DISKS; do
			f=$(echo "$spec" | cut -d: -f2)
			size=$(echo "$spec" | cut -d: -f3)
			[ -n "$size" ] && truncate -s "$size" "$f"
		done
		layout_host' _ "$dir" "$VM_LAYOUT_FILE" "$VM/host.sh" > "$dir/host.log" 2>&1 ||
		{ cat "$dir/host.log"; echo "layout $name: host part failed"; return 1; }
	if grep -q '^layout_setup()' "$VM_LAYOUT_FILE"; then
		printf '#!/bin/sh\n. ./lib.sh\n. ./layout.sh\n[ -f vars ] && . ./vars\nlayout_setup\ndone_tests\n' > "$dir/setup.sh"
		vm_boot "$dir/setup" "$dir/setup.sh" $(vm_disk_args "$dir") || true
		vm_assert "$dir/setup" > "$dir/setup.log" || { cat "$dir/setup.log"; echo "layout $name: setup VM failed"; return 1; }
	fi
	touch "$dir/.done"
}

# vm_disk_args DIR: --disk options for the layout's disks inside DIR.
vm_disk_args() {
	local spec
	(
		# shellcheck source=/dev/null
		. "$VM_LAYOUT_FILE"
		for spec in $DISKS; do
			echo "--disk $(echo "$spec" | cut -d: -f1):$1/$(echo "$spec" | cut -d: -f2)"
		done
	)
}

# vm_layout_copy NAME DIR: fresh (sparse) copies of the layout's disks in DIR.
vm_layout_copy() {
	vm_layout_build "$1" || return 1
	mkdir -p "$2"
	local f
	for f in "$VM_LAYOUT_DIR"/*.img; do
		cp --sparse=always "$f" "$2/"
	done
}

# vm_layout_test NAME: the layout's guest test on fresh copies of its disks.
vm_layout_test() {
	need_vm
	local t=$BATS_TEST_TMPDIR
	vm_layout_copy "$1" "$t/disks"
	printf '#!/bin/sh\n. ./lib.sh\n. ./std.sh\n. ./layout.sh\n[ -f vars ] && . ./vars\nlayout_test\ndone_tests\n' > "$t/run.sh"
	vm_boot "$t/out" "$t/run.sh" $(vm_disk_args "$t/disks") || true
	vm_assert "$t/out" || return 1
	vm_count "$1" "$t/out"
}

# vm_count NAME OUT: how many guest checks passed, and the VM's seconds
# (build/vm/counts.txt, for the README's figures).
vm_count() {
	printf '%s\t%s checks\t%s s\n' "$1" "$(grep -c '^ok - ' "$2/results.log")" \
		"$(jq -r .seconds "$2/summary.json" 2> /dev/null)" >> "$VMB/counts.txt"
}
