#!/bin/bash
# killat.sh N PATH CMD...: run CMD in a session of its own and SIGKILL the
# whole session -- CMD and every child it started -- just before the Nth
# pwrite64 any of them makes to PATH, as a power cut or a dead SSH session
# would stop them. (strace's inject=...:signal=KILL kills only the process
# making the call; here the call is held -- delay_enter -- while the whole
# session is killed, so a child's write never runs and its parent gets no
# chance to clean up.)
# Exit 0: killed there; 3: CMD ended before its Nth write (its output is in
# $KILLAT_LOG when set); 1: it could not be done.
set -u
n=$1 path=$2
shift 2
log=${KILLAT_LOG:-/dev/null}
sidf=$(mktemp /tmp/killat.XXXXXX)
# bash reports the killed job on stderr: ours go to fd 3
exec 3>&2 2> /dev/null
trap 'rm -f "$sidf"' EXIT
setsid bash -c 'echo $$ > "$0"; shift; exec "$@"' "$sidf" x \
	strace -f -qq -o /dev/null -P "$path" -e trace=pwrite64 \
	-e inject=pwrite64:delay_enter=60000000:when="$n" "$@" > "$log" 2>&1 &
bg=$!
for _ in $(seq 1 50); do [ -s "$sidf" ] && break; sleep 0.05; done
sid=$(cat "$sidf")
[ -n "$sid" ] || { echo "killat: no session" >&3; exit 1; }
# held: a process of the session in a tracing stop (t) at two looks 1 s apart
held() {
	local p
	for p in $(pgrep -s "$sid"); do
		[ "$(awk '{ print $3 }' "/proc/$p/stat" 2> /dev/null)" = t ] && echo "$p"
	done
}
for _ in $(seq 1 1200); do
	if ! kill -0 "$bg" 2> /dev/null; then
		wait "$bg"
		exit 3
	fi
	a=$(held)
	if [ -n "$a" ]; then
		sleep 1
		b=$(held)
		if [ -n "$b" ] && [ "$a" = "$b" ]; then
			pkill -KILL -s "$sid"
			for _ in $(seq 1 100); do pgrep -s "$sid" > /dev/null || break; sleep 0.05; done
			{ wait "$bg"; } 2> /dev/null
			exit 0
		fi
	fi
	sleep 0.1
done
pkill -KILL -s "$sid"
echo "killat: CMD neither ended nor reached write $n in 2 minutes" >&3
exit 1
