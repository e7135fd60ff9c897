#!/usr/bin/env bats
# The control for boot.bats (make check-slow): the same repair of the plain
# disk but with shrink-root --keep-growpart, so cloud-init's growpart and
# resizefs run on the booted Debian as in any cloud image. They must grow
# the root back: proof that boot.bats's size check can fail.
load ../helpers
load vm
load boot

setup_file() {
	boot_setup_file
}

@test "control: with growpart left on, cloud-init grows the shrunk root back at boot" {
	need_debian
	boot_plain "$BATS_TEST_TMPDIR" --keep-growpart
	cat "$BATS_TEST_TMPDIR/boot/results.log"
	grep -q '^ok - logged in as root' "$BATS_TEST_TMPDIR/boot/results.log"
	grep -q '^not ok - the root partition was not grown back' "$BATS_TEST_TMPDIR/boot/results.log"
	grep -q '^not ok - nor its filesystem' "$BATS_TEST_TMPDIR/boot/results.log"
}
