#!/bin/bash
# bench/recover.sh: rescuectl recover against what people do by hand to get
# files off an ext4 root, on the same image and the same tree of mixed files
# (many small ones, medium and large ones, a few sparse), in one run:
#   stream:    mount -o ro,noload + tar --xattrs --acls -cf -   vs   rescuectl recover
#   directory: debugfs -R 'rdump / DIR'                         vs   rescuectl recover --to DIR
# MB/s = bytes of file data (apparent sizes) / seconds, median of RUNS runs
# after a warm-up (page cache warm for every tool alike: no cache is dropped
# on a shared machine; dirty pages are synced before each run). Archives and
# directories are written to a tmpfs (GNU tar reads nothing when it writes
# to /dev/null, and a pipe measures the scheduler on a busy machine), so
# that the figures are the tools', not the shared disk's.
# Env: MB (tree size, default 2048), RUNS (default 3), KEEP=1. Needs root (loop mount).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
rc=${RESCUECTL:-$top/rescuectl}
MB=${MB:-2048} RUNS=${RUNS:-3}
[ "$(id -u)" = 0 ] || { echo "bench/recover.sh: needs root (loop mount)"; exit 0; }
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-recover.XXXXXX")
mnt=$work/mnt loop=
cleanup() {
	mountpoint -q "$mnt" 2>/dev/null && umount "$mnt"
	mountpoint -q "$work/out" 2>/dev/null && umount "$work/out"
	[ -n "$loop" ] && losetup -d "$loop" 2>/dev/null
	[ "${KEEP:-0}" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT
img=$work/disk.img

echo "# building a tree of about $MB MiB of mixed files ..."
python3 - "$work/tree" "$MB" <<'E'
import os, random, sys
top, mb = sys.argv[1], int(sys.argv[2])
rnd = random.Random(1)
TEXT = b''.join(b'%08d the quick brown fox jumps over the lazy dog\n' % k for k in range(1 << 14))
def blob(n):
    # half random, half text: compressible, and no zero blocks for mke2fs to leave out
    t = n - n // 2
    return os.urandom(n // 2) + (TEXT * (t // len(TEXT) + 1))[:t]
budget = mb << 20
# 25 % small files (1-16 KiB) in directories of 500, 35 % medium (256 KiB-4 MiB), 40 % large (64 MiB)
small, medium = budget // 4, budget * 35 // 100
i = 0
while small > 0:
    d = os.path.join(top, 'small', 'd%d' % (i // 500))
    os.makedirs(d, exist_ok=True)
    n = rnd.randint(1024, 16384)
    open(os.path.join(d, 'f%d' % i), 'wb').write(blob(n))
    small -= n; i += 1
os.makedirs(os.path.join(top, 'medium'))
j = 0
while medium > 0:
    n = rnd.randint(256 << 10, 4 << 20)
    open(os.path.join(top, 'medium', 'm%d' % j), 'wb').write(blob(n))
    medium -= n; j += 1
os.makedirs(os.path.join(top, 'large'))
for k in range(max(1, (budget * 40 // 100) >> 26)):
    with open(os.path.join(top, 'large', 'l%d' % k), 'wb') as f:
        for _ in range(64):
            f.write(blob(1 << 20))
os.makedirs(os.path.join(top, 'sparse'))
for k in range(2):
    with open(os.path.join(top, 'sparse', 's%d' % k), 'wb') as f:
        f.truncate(1 << 28); f.seek(1 << 27); f.write(b'x' * 4096)
print('# %d small, %d medium, %d large, 2 sparse (256 MiB each, 4 KiB of data)' % (i, j, max(1, (budget * 40 // 100) >> 26)))
E
data=$(du -sb --apparent-size "$work/tree" | cut -f1)
data=$((data - 2 * (1 << 28)))   # the sparse files' holes are not data
truncate -s $((MB * 2 + 1024))M "$img"
mke2fs -q -F -t ext4 -d "$work/tree" "$img"
rm -rf "$work/tree"
echo "# image: $(du -h "$img" | cut -f1) allocated, $((data >> 20)) MiB of file data; $(e2fsck -fn "$img" 2>&1 | tail -1)"
sum0=$(sha256sum < "$img")
mkdir -p "$mnt"

# secs CMD: median wall time of RUNS runs after one warm-up
secs() {
	local t=() i t0 t1
	sync
	bash -c "$1" >/dev/null 2>&1 || true
	for i in $(seq 1 "$RUNS"); do
		sync
		t0=$(date +%s%N)
		bash -c "$1" >/dev/null 2>&1 || true
		t1=$(date +%s%N)
		t+=("$(( (t1 - t0) / 1000000 ))")
	done
	printf '%s\n' "${t[@]}" | sort -n | awk '{a[NR] = $1} END {printf "%.2f", a[int((NR + 1) / 2)] / 1000}'
}
rate() { awk -v b="$data" -v s="$1" 'BEGIN {printf "%.0f", b / 1e6 / s}'; }
row() { printf '%-52s %7s s %7s MB/s\n' "$1" "$2" "$(rate "$2")"; }

out=$work/out
mkdir -p "$out"
mount -t tmpfs -o size=$((MB * 3 / 2 + 1024))m tmpfs "$out"
# by hand 1: the kernel mounts it (no journal replay) and tar reads it
tar_cmd="rm -rf $out/*; loop=\$(losetup -f --show -r $img); mount -o ro,noload \$loop $mnt; \
tar --xattrs --acls -cf $out/a.tar -C $mnt .; umount $mnt; losetup -d \$loop"
t_tar=$(secs "$tar_cmd")
t_rec=$(secs "rm -rf $out/*; $rc recover -q $img / -o $out/a.tar")
t_recz=$(secs "rm -rf $out/*; $rc recover -q --zstd $img / -o $out/a.tar.zst")
zsize=$(stat -c %s "$out/a.tar.zst" 2>/dev/null || echo 0)
t_dbg=$(secs "rm -rf $out/*; mkdir $out/d; debugfs -R 'rdump / $out/d' $img")
t_to=$(secs "rm -rf $out/*; mkdir $out/r; $rc recover -q --to $out/r $img /")
ok=$(ls "$out/r" 2>/dev/null | wc -l)
umount "$out"
echo "# $((data >> 20)) MiB of file data, median of $RUNS runs, $(nproc) cores shared"
row "mount -o ro,noload + tar --xattrs --acls -cf FILE" "$t_tar"
row "rescuectl recover IMG / -o FILE" "$t_rec"
row "rescuectl recover --zstd IMG / -o FILE ($((zsize >> 20)) MiB)" "$t_recz"
row "debugfs -R 'rdump / DIR' (no owners, no xattrs)" "$t_dbg"
row "rescuectl recover --to DIR IMG /" "$t_to"
awk -v a="$t_tar" -v b="$t_rec" -v c="$t_dbg" -v d="$t_to" \
	'BEGIN {printf "recover / tar: %.2fx the speed; recover --to / debugfs rdump: %.2fx\n", a / b, c / d}'
[ "$ok" -gt 0 ] || echo "# recover --to wrote nothing: its figure is void"
[ "$(sha256sum < "$img")" = "$sum0" ] && echo "# the image is unchanged (sha256)" || echo "# THE IMAGE CHANGED"
