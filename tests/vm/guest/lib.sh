# Guest-side test helpers (busybox sh), sourced by /test/run.sh in the
# rescue VM. Results go to fd 3 (the serial port ttyS1) as lines the host
# reads: "ok - NAME", "not ok - NAME", "# diagnostic", "MARK NAME", and a
# closing "DONE N failed". The host fails the test on any "not ok" or when
# DONE is missing (the guest died or hung).
FAILS=0
PW='Rescue-VM-pw-1'

say() { printf '%s\n' "$*" >&3; }
diag() { printf '%s\n' "$@" | tail -n 40 | sed 's/^/# /' >&3; }
mark() { say "MARK $*"; }
ok() { say "ok - $*"; }
notok() { FAILS=$((FAILS + 1)); say "not ok - $*"; }
done_tests() { say "DONE $FAILS failed"; }

# run CMD...: sets RC, OUT (stdout) and ERR (stderr); also logged on the console.
run() {
	"$@" < /dev/null > /tmp/run.out 2> /tmp/run.err
	RC=$?
	OUT=$(cat /tmp/run.out)
	ERR=$(cat /tmp/run.err)
	echo "+ [$(cut -d" " -f1 /proc/uptime)] $* -> $RC" >&2
	cat /tmp/run.out /tmp/run.err >&2
}

# is NAME GOT WANT
is() {
	if [ "$2" = "$3" ]; then ok "$1"; else notok "$1"; diag "got:  $2" "want: $3" "stdout: $OUT" "stderr: $ERR"; fi
}

# rc_is NAME WANT: the status of the last run
rc_is() { is "$1 (exit $2)" "$RC" "$2"; }

# jqt NAME FILTER: FILTER is true on the last run's stdout
jqt() {
	if printf '%s' "$OUT" | jq -e "$2" > /dev/null 2>&1; then
		ok "$1"
	else
		notok "$1"
		diag "jq -e '$2' is not true of:" "$OUT" "stderr: $ERR"
	fi
}

# has NAME TEXT: the last run's stdout+stderr holds TEXT
has() {
	case "$OUT$ERR" in
	*"$2"*) ok "$1" ;;
	*) notok "$1"; diag "no '$2' in:" "$OUT" "$ERR" ;;
	esac
}

# check NAME CMD...: ok when CMD exits 0
check() {
	local name=$1
	shift
	run "$@"
	if [ "$RC" = 0 ]; then ok "$name"; else notok "$name"; diag "$* -> $RC" "$OUT" "$ERR"; fi
}

# md_clean WHEN: every running md array reads back the same from every
# member: a "check" pass, then mismatch_cnt must be 0.
md_clean() {
	local d n i st
	for d in /sys/block/md*/md; do
		[ -e "$d/sync_action" ] || continue
		n=${d#/sys/block/}
		n=${n%/md}
		[ "$(cat "$d/level" 2>/dev/null)" = raid1 ] || continue
		if ! echo check > "$d/sync_action" 2> /tmp/md.err; then
			notok "$n: check started after $1"
			diag "$(cat /tmp/md.err)" "array_state: $(cat "$d/array_state")"
			continue
		fi
		i=0
		sleep 0.2
		while st=$(cat "$d/sync_action") && [ "$st" != idle ] && [ $i -lt 600 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		is "$n: mismatch_cnt 0 after $1" "$(cat "$d/mismatch_cnt")" 0
	done
}

# sha DEV: the sha256 of a whole device (small members only).
sha() { sha256sum "$1" | cut -d' ' -f1; }

# The root's files, read read-only (no journal replay for ext4).
ro_mount() {
	mkdir -p /ro
	case $(blkid -o value -s TYPE "$1") in
	ext*) mount -o ro,noload "$1" /ro ;;
	xfs) mount -o ro,norecovery "$1" /ro ;;
	btrfs) mount -o ro,rescue=nologreplay${2:+,subvol=$2} "$1" /ro ;;
	*) mount -o ro "$1" /ro ;;
	esac
}
ro_umount() { umount /ro; }

# pw_verifies NAME DEV USER PASSWORD [SUBVOL]
pw_verifies() {
	if ! ro_mount "$2" "${5:-}"; then notok "$1"; diag "cannot mount $2"; return; fi
	run sh -c "printf '%s\n' '$4' | cryptcheck /ro/etc/shadow $3"
	ro_umount
	rc_is "$1" 0
}

# field_is NAME DEV FILE USER FIELD WANT [SUBVOL]: a field of USER's line
field_is() {
	local got
	if ! ro_mount "$2" "${7:-}"; then notok "$1"; diag "cannot mount $2"; return; fi
	got=$(awk -F: -v u="$4" -v f="$5" '$1 == u { print $f }' "/ro$3")
	ro_umount
	is "$1" "$got" "$6"
}

# file_exists NAME DEV PATH [SUBVOL]
file_exists() {
	if ! ro_mount "$2" "${4:-}"; then notok "$1"; diag "cannot mount $2"; return; fi
	if [ -e "/ro$3" ]; then ok "$1"; else notok "$1"; diag "no $3 on $2"; fi
	ro_umount
}
