#!/bin/bash
# reset-pass offline on an ext4 image versus what people do by hand:
# mount the image, `chpasswd -R`, unmount. Same image, same method
# (yescrypt, cost 5, what the target's passwd makes: pam_unix in common-password), one run, a ratio.
set -eu
cd "$(dirname "$0")/.."
RC=$PWD/rescuectl
RUNS=${RUNS:-20}
[ "$(id -u)" = 0 ] || { echo "reset-pass bench: needs root (loop mounts)"; exit 0; }
command -v chpasswd >/dev/null || { echo "reset-pass bench: chpasswd (passwd package) missing"; exit 0; }
W=$(mktemp -d /tmp/rc-bench-pass.XXXXXX)
trap 'umount "$W/mnt" 2>/dev/null || true; rm -rf "$W"' EXIT
tests/fixtures/mkroot.sh "$W/root" debian12 >/dev/null
mke2fs -q -F -t ext4 -d "$W/root" "$W/img" 256M >/dev/null
mkdir -p "$W/mnt"

# yescrypt as the target's PAM says; then SHA-512 for both, where the
# hash costs little and the way to the file shows.
offline="printf 'bench pw\n' | $RC reset-pass -q --password-stdin $W/img"
byhand="mount -o loop $W/img $W/mnt && printf 'root:bench pw\n' | chpasswd -R $W/mnt -c YESCRYPT && umount $W/mnt"
offline6="printf 'bench pw\n' | $RC reset-pass -q --password-stdin --method sha512 $W/img"
byhand6="mount -o loop $W/img $W/mnt && printf 'root:bench pw\n' | chpasswd -R $W/mnt -c SHA512 && umount $W/mnt"

# Both must really set the password: check once each.
eval "$offline"
debugfs -R 'cat /etc/shadow' "$W/img" 2>/dev/null | head -1 | grep -q '^root:\$y\$' || { echo "offline run did not write yescrypt"; exit 1; }
eval "$byhand"
debugfs -R 'cat /etc/shadow' "$W/img" 2>/dev/null | head -1 | grep -q '^root:\$y\$' || { echo "chpasswd did not write yescrypt"; exit 1; }

names=("rescuectl reset-pass IMG (yescrypt)" "mount + chpasswd -R + umount (yescrypt)"
       "rescuectl reset-pass IMG (sha512)" "mount + chpasswd -R + umount (sha512)")
cmds=("$offline" "$byhand" "$offline6" "$byhand6")
if command -v hyperfine >/dev/null; then
	args=()
	for i in 0 1 2 3; do args+=(-n "${names[$i]}" "${cmds[$i]}"); done
	hyperfine --warmup 2 --runs "$RUNS" --export-json "$W/h.json" "${args[@]}" >/dev/null 2>&1
	mapfile -t mean < <(jq '.results[].mean' "$W/h.json")
	mapfile -t sd < <(jq '.results[].stddev' "$W/h.json")
else
	mean=(); sd=()
	for i in 0 1 2 3; do
		s=$(date +%s%N)
		for _ in $(seq "$RUNS"); do eval "${cmds[$i]}" >/dev/null 2>&1; done
		e=$(date +%s%N)
		mean+=("$(awk -v s="$s" -v e="$e" -v n="$RUNS" 'BEGIN { print (e - s) / n / 1e9 }')"); sd+=(0)
	done
fi
echo "reset-pass, $RUNS runs each, 256 MiB ext4 image of a Debian 12 root:"
for i in 0 1 2 3; do
	awk -v n="${names[$i]}" -v m="${mean[$i]}" -v s="${sd[$i]}" 'BEGIN { printf "  %-42s %7.1f ms +- %.1f\n", n, m * 1000, s * 1000 }'
done
awk -v a="${mean[0]}" -v b="${mean[1]}" -v c="${mean[2]}" -v d="${mean[3]}" 'BEGIN {
	printf "ratio by hand / rescuectl: yescrypt %.2fx, sha512 %.2fx\n", b / a, d / c
	printf "(rescuectl hashes twice: once to make the hash, once to verify it before writing)\n"
}'
