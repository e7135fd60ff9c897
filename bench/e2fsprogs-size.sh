#!/bin/bash
# bench/e2fsprogs-size.sh: what carrying e2fsck, resize2fs and mke2fs costs in
# the stripped binary, measured for the ways issue 17 names:
#   (a) hidden applets sharing libext2fs and libc with the rest (what is built)
#   (b) the three as static programs, each xz-compressed inside the binary
#       and run from memory (memfd_create + fexecve), plus an xz decoder
#   (b') one static program holding the three, xz-compressed, plus the decoder
# Needs `make rescuectl` first (its objects and build/e2fs). xz -9e, liblzma.
set -eu
cd "$(dirname "$0")/.."
E2=build/e2fs UL=build/ul LA=build/la
w=$(mktemp -d "${TMPDIR:-/tmp}/bench-e2size.XXXXXX")
trap 'rm -rf "$w"' EXIT
size() { strip -o "$w/s" "$1" && stat -c %s "$w/s"; }
libs="$UL/lib/libfdisk.a $UL/lib/libsmartcols.a $UL/lib/libblkid.a $UL/lib/libuuid.a $LA/lib/libarchive.a $LA/lib/libzstd.a $E2/lib/libext2fs.a $E2/lib/libe2p.a $E2/lib/libcom_err.a"
e2libs="$E2/lib/libsupport.a $E2/lib/libext2fs.a $E2/lib/libe2p.a $E2/lib/libcom_err.a $UL/lib/libblkid.a $UL/lib/libuuid.a"
lds="-static -Wl,--gc-sections"

# rescuectl without the three programs: their mains replaced by stubs
printf 'int e2fsck_main(int c, char **v) { (void)c; (void)v; return 8; }\n
int resize2fs_main(int c, char **v) { (void)c; (void)v; return 1; }\n
int mke2fs_main(int c, char **v) { (void)c; (void)v; return 1; }\n' > "$w/stub.c"
gcc -Os -c -o "$w/stub.o" "$w/stub.c"
# shellcheck disable=SC2046,SC2086
gcc $lds -o "$w/without" $(for f in lib/*.c applets/*.c; do echo "build/obj/${f%.c}.o"; done) "$w/stub.o" \
	$libs -lcrypt -ljson-c -lyaml -lz 2>/dev/null
without=$(size "$w/without")
with=$(size rescuectl)

# (b): the static programs, compressed
total_b=0
for p in e2fsck resize2fs mke2fs; do
	printf '#include <string.h>\nint %s_main(int, char **);\nint main(int c, char **v) { return %s_main(c, v); }\n' "$p" "$p" > "$w/m.c"
	gcc -Os -c -o "$w/m.o" "$w/m.c"
	# shellcheck disable=SC2086
	gcc $lds -o "$w/$p" "$w/m.o" "$E2/obj/$p.o" $e2libs 2>/dev/null
	strip "$w/$p"
	xz -9e -T1 -k "$w/$p"
	printf '  %-10s static %9d bytes, xz %8d\n' "$p" "$(stat -c %s "$w/$p")" "$(stat -c %s "$w/$p.xz")"
	total_b=$((total_b + $(stat -c %s "$w/$p.xz")))
done
printf '#include <string.h>\nint e2fsck_main(int, char **); int resize2fs_main(int, char **); int mke2fs_main(int, char **);\nint main(int c, char **v) { return !strcmp(v[0], "e2fsck") ? e2fsck_main(c, v) : !strcmp(v[0], "resize2fs") ? resize2fs_main(c, v) : mke2fs_main(c, v); }\n' > "$w/mc.c"
gcc -Os -c -o "$w/mc.o" "$w/mc.c"
# shellcheck disable=SC2086
gcc $lds -o "$w/multi" "$w/mc.o" "$E2/obj/e2fsck.o" "$E2/obj/resize2fs.o" "$E2/obj/mke2fs.o" $e2libs 2>/dev/null
strip "$w/multi"
xz -9e -T1 -k "$w/multi"
# the decoder: a static program with and without lzma_stream_buffer_decode
printf '#include <lzma.h>\nint main(int c, char **v) { uint64_t m = UINT64_MAX; size_t i = 0, o = 0; static uint8_t b[1 << 16];\nreturn lzma_stream_buffer_decode(&m, 0, NULL, (uint8_t *)v[0], &i, (size_t)c, b, &o, sizeof(b)); }\n' > "$w/d.c"
printf 'int main(int c, char **v) { return c + v[0][0]; }\n' > "$w/n.c"
gcc -Os $lds -o "$w/d" "$w/d.c" -llzma
gcc -Os $lds -o "$w/n" "$w/n.c"
dec=$(( $(size "$w/d") - $(size "$w/n") ))

printf 'rescuectl stripped, with the three programs    %9d bytes\n' "$with"
printf 'rescuectl stripped, without them               %9d bytes\n' "$without"
printf '(a) hidden applets, sharing libext2fs and libc  +%8d bytes\n' "$((with - without))"
printf '(b) three compressed static programs + decoder  +%8d bytes (xz %d + decoder %d)\n' "$((total_b + dec))" "$total_b" "$dec"
printf "(b') one compressed static program + decoder     +%8d bytes (static %d, xz %d)\n" \
	"$(( $(stat -c %s "$w/multi.xz") + dec ))" "$(stat -c %s "$w/multi")" "$(stat -c %s "$w/multi.xz")"
