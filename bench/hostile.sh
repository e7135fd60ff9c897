#!/bin/bash
# Hostile target files: how long rescuectl takes to refuse or report them
# (issue 10: each of these hung or took tens of seconds before the parsers
# had limits). Median of 5 runs each, wall time; nothing is written.
set -eu
cd "$(dirname "$0")/.."
RC=$PWD/rescuectl
W=$(mktemp -d /tmp/rc-bench-hostile.XXXXXX)
trap 'rm -rf "$W"' EXIT

median_ms() {  # median wall time of "$@" over 5 runs, in ms
	local t=() i s e
	for i in 1 2 3 4 5; do
		s=$(date +%s%N)
		"$@" >/dev/null 2>&1 </dev/null || true
		e=$(date +%s%N)
		t+=($(( (e - s) / 1000 )))
	done
	printf '%s\n' "${t[@]}" | sort -n | sed -n 3p | awk '{ printf "%.1f", $1 / 1000 }'
}

fresh() {
	rm -rf "$W/r"
	tests/fixtures/mkroot.sh "$W/r" ubuntu2204 >/dev/null
	cp tests/fixtures/cloud/ubuntu-22.04.cfg "$W/r/etc/cloud/cloud.cfg"
}

# sshd_config including itself three times (3^16 reads before)
fresh
sed -i '1i Include /etc/ssh/sshd_config /etc/ssh/sshd_config /etc/ssh/sshd_config' "$W/r/etc/ssh/sshd_config"
echo "sshd_config including itself x3, reset-pass --dry-run:    $(median_ms sh -c "echo pw-123456 | $RC reset-pass --dry-run --password-stdin --root $W/r") ms"
# each of 10 files including the next three times, no loop (3^10 files)
fresh
printf 'Include f0 f0 f0\n' > "$W/r/etc/ssh/sshd_config"
for i in 0 1 2 3 4 5 6 7 8 9; do printf 'Include f%d f%d f%d\n' $((i + 1)) $((i + 1)) $((i + 1)) > "$W/r/etc/ssh/f$i"; done
echo "Include fan-out 3^10 (stops at 256 files), reset-pass -n:  $(median_ms sh -c "echo pw-123456 | $RC reset-pass --dry-run --password-stdin --root $W/r") ms"

# cloud.cfg with nine levels of nine aliases (ran until killed before)
fresh
printf 'b0: &b0 [x, x, x, x, x, x, x, x, x]\n' >> "$W/r/etc/cloud/cloud.cfg"
for i in 1 2 3 4 5 6 7 8 9; do
	l=; for j in 1 2 3 4 5 6 7 8 9; do l="$l${l:+, }*b$((i - 1))"; done
	printf 'b%d: &b%d [%s]\n' "$i" "$i" "$l" >> "$W/r/etc/cloud/cloud.cfg"
done
echo "alias bomb in cloud.cfg, disable-growpart --edit-cloud-cfg -n: $(median_ms "$RC" disable-growpart --edit-cloud-cfg -n --root "$W/r") ms"
# a drop-in of 100,000 nested '[' (37 s before)
fresh
{ printf 'growpart: '; head -c 100000 /dev/zero | tr '\0' '['; head -c 100000 /dev/zero | tr '\0' ']'; echo; } \
	> "$W/r/etc/cloud/cloud.cfg.d/50-deep.cfg"
echo "100,000 nested '[' in a drop-in, disable-growpart --status: $(median_ms "$RC" disable-growpart --status --root "$W/r") ms"
# a 1 MB single-line sshd drop-in (the line limit is 64 KiB)
fresh
{ printf 'PermitRootLogin '; head -c 1000000 /dev/zero | tr '\0' y; echo; } > "$W/r/etc/ssh/sshd_config.d/long.conf"
echo "1 MB single-line sshd drop-in, reset-pass --dry-run:        $(median_ms sh -c "echo pw-123456 | $RC reset-pass --dry-run --password-stdin --root $W/r") ms"
