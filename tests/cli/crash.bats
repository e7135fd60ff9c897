#!/usr/bin/env bats
# The first law, proved by killing: rescuectl is SIGKILLed just before a
# write syscall (strace -e inject) or at a random instant, and every edited
# file must be wholly old or wholly new, e2fsck -fn clean, and a re-run must
# finish the job (tests/crash/lib.sh). make check runs a sample of every
# scenario; make check-slow runs every kill point and 500 random kills.
load ../helpers

setup() {
	need_loop
	command -v strace >/dev/null || skip "needs strace"
}

@test "kill points (every 3rd call of each write syscall, and the last): each file old or new, e2fsck clean" {
	run "$TOP/tests/crash/killpoints.sh" -s 3
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"killpoints: "*" passed, 0 failed"* ]]
}

@test "random kills (60, spread over every scenario): each file old or new, e2fsck clean" {
	run "$TOP/tests/crash/randomkill.sh" -n 60
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"randomkill: 60 passed, 0 failed"* ]]
}
