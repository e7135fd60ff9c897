#!/usr/bin/env bats
# The first law, proved by killing: rescuectl is SIGKILLed just before a
# write syscall (strace -e inject) or at a random instant, and every edited
# file must be wholly old or wholly new, e2fsck -fn clean, and a re-run must
# finish the job (tests/crash/lib.sh). shrink-root (tests/crash/shrinkkill.sh)
# is killed at its own write syscalls and inside resize2fs: the table old or
# new, the filesystem no larger than its partition, e2fsck clean, every file
# identical, a re-run finishes. make check runs a sample of every scenario;
# make check-slow runs every kill point and 500 random kills.
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

@test "shrink-root killed (every 100th call of each of its write syscalls, and 2 points inside resize2fs): table old or new, filesystem fits, e2fsck clean, every file identical, a re-run finishes" {
	run "$TOP/tests/crash/shrinkkill.sh" -s 100 -r 2
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"shrinkkill: "*" passed, 0 failed"* ]]
}
