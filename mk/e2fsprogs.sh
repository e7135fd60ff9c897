#!/bin/sh
# e2fsprogs.sh OUT UL: build e2fsprogs from Debian's source package, once,
# into OUT (build/e2fs):
#   lib/      libext2fs.a libe2p.a libcom_err.a libsupport.a (rescuectl links
#             these, not Debian's -dev archives: one libext2fs for all)
#   include/  their headers, and rescuectl-e2fsprogs.h (the version)
#   obj/      e2fsck.o resize2fs.o mke2fs.o e2undo.o: each program partially linked
#             into one object whose only global symbol is its main, renamed
#             e2fsck_main, resize2fs_main, mke2fs_main, e2undo_main (applets/main.c runs
#             them as hidden applets; their other symbols cannot clash)
#   VERSION   the Debian version, e.g. 1.47.0-2
# libblkid and libuuid come from UL (build/ul, util-linux's, as rescuectl's).
# E2FS_SRC=DIR builds from an unpacked e2fsprogs source instead of Debian's
# (e.g. on Alpine: the distribution's e2fsprogs source).
set -eu
OUT=${1:-build/e2fs}
UL=${2:-build/ul}
# .done holds a checksum of this script: a changed script builds again. An
# unchanged one only makes .done newer than the script (a checkout touched
# it), so that make does not come back here and relink every time.
stamp=$(cat "$0" mk/apt-source.sh mk/e2fsprogs-undo-sync.patch 2>/dev/null | cksum | cut -d' ' -f1)
if [ "$(cat "$OUT/.done" 2>/dev/null)" = "$stamp" ]; then
	touch "$OUT/.done"
	exit 0
fi
top=$(pwd)
case $OUT in /*) ;; *) OUT=$top/$OUT ;; esac
case $UL in /*) ;; *) UL=$top/$UL ;; esac
if [ -n "${E2FS_SRC:-}" ]; then
	src=$E2FS_SRC
	ver=$(sed -n 's/^#define E2FSPROGS_VERSION "\(.*\)"/\1/p' "$src/version.h")
else
	src=$(sh mk/apt-source.sh e2fsprogs)
	ver=$(cd "$src/.." && ls e2fsprogs_*.dsc | sed 's/e2fsprogs_\(.*\)\.dsc/\1/' | tail -n1)
fi
[ -n "$ver" ] || { echo "e2fsprogs.sh: cannot tell the version of $src" >&2; exit 1; }
# rescuectl's one change to e2fsprogs: resize2fs's undo file flushed before
# each write it protects, and kept on the device being shrunk when asked
# (the patch's comment and lib/undo_log.h say why). Applied to the
# unpatched file, kept beside it, every time this runs: a changed patch
# replaces the old one (a tree patched before the copy was kept gets it
# from the upstream tarball next to it).
u=$src/lib/ext2fs/undo_io.c
if [ ! -f "$u.rescuectl-orig" ]; then
	if grep -q RESCUECTL_UNDO_AT "$u"; then
		tgz=$(ls "$src"/../e2fsprogs_*.orig.tar.* 2>/dev/null | grep -v '\.asc$' | head -n1)
		[ -n "$tgz" ] || { echo "e2fsprogs.sh: $u is patched and no unpatched copy is left; unpack the source again" >&2; exit 1; }
		tar -xOf "$tgz" "$(basename "$src")/lib/ext2fs/undo_io.c" > "$u.rescuectl-orig.tmp"
		mv "$u.rescuectl-orig.tmp" "$u.rescuectl-orig"
	else
		cp "$u" "$u.rescuectl-orig"
	fi
fi
cp "$u.rescuectl-orig" "$u"
patch -s -p1 -d "$src" < "$top/mk/e2fsprogs-undo-sync.patch"
grep -q RESCUECTL_UNDO_AT "$u"
bld=$OUT/build
rm -rf "$bld" "$OUT/lib" "$OUT/include" "$OUT/obj" "$OUT/root"
mkdir -p "$bld" "$OUT/lib" "$OUT/obj" "$OUT/pkgconfig"

# libblkid and libuuid: util-linux's static archives from UL, through
# pkg-config files made here (configure asks pkg-config for them).
pcpath=
if [ -f "$UL/lib/libblkid.a" ]; then
	for l in blkid uuid; do
		printf 'Name: %s\nDescription: lib%s from %s\nVersion: 0\nLibs: %s/lib/lib%s.a\nCflags: -I%s/include\n' \
			"$l" "$l" "$UL" "$UL" "$l" "$UL" > "$OUT/pkgconfig/$l.pc"
	done
	pcpath=$OUT/pkgconfig
fi

cd "$bld"
# No libmagic (mke2fs would dlopen it), no NLS, only what rescuectl runs.
[ -f Makefile ] || env PKG_CONFIG_PATH="$pcpath" ${pcpath:+PKG_CONFIG_LIBDIR="$pcpath"} \
	"$src/configure" -q --prefix=/usr \
	CFLAGS="-Os -g -ffunction-sections -fdata-sections" CPPFLAGS="-I$UL/include" LDFLAGS="-L$UL/lib" \
	ac_cv_lib_magic_magic_file=no ac_cv_header_magic_h=no \
	--disable-libblkid --disable-libuuid --disable-nls --disable-fuse2fs \
	--disable-debugfs --disable-imager --disable-defrag --disable-uuidd \
	--disable-e2initrd-helper --disable-backtrace --disable-elf-shlibs \
	--without-udev-rules-dir --without-crond-dir --without-systemd-unit-dir >/dev/null
j=$(nproc 2>/dev/null || echo 1)
make -s -j"$j" libs >/dev/null
make -s -j"$j" -C e2fsck e2fsck >/dev/null
make -s -j"$j" -C resize resize2fs >/dev/null
make -s -j"$j" -C misc mke2fs e2undo >/dev/null
make -s install-libs DESTDIR="$OUT/root" >/dev/null

# The objects each program is made of, as its Makefile lists them.
printf 'print-%%:\n\t@echo $($*)\n' > "$OUT/print.mk"
objs() { (cd "$1" && for o in $(make -s -f Makefile -f "$OUT/print.mk" "print-$2"); do echo "$1/$o"; done); }
for p in e2fsck:e2fsck:OBJS resize2fs:resize:RESIZE_OBJS mke2fs:misc:MKE2FS_OBJS e2undo:misc:E2UNDO_OBJS; do
	name=${p%%:*} rest=${p#*:}
	dir=${rest%%:*} var=${rest#*:}
	# shellcheck disable=SC2046
	ld -r -o "$OUT/obj/$name.r.o" $(objs "$dir" "$var")
	objcopy --redefine-sym main="${name}_main" --keep-global-symbol="${name}_main" \
		"$OUT/obj/$name.r.o" "$OUT/obj/$name.o"
	rm -f "$OUT/obj/$name.r.o"
	nm "$OUT/obj/$name.o" | grep -q " T ${name}_main\$"
done
cd "$top"
cp "$bld"/lib/libsupport.a "$OUT/lib/"
cp "$OUT"/root/usr/lib/libext2fs.a "$OUT"/root/usr/lib/libe2p.a "$OUT"/root/usr/lib/libcom_err.a "$OUT/lib/"
mv "$OUT/root/usr/include" "$OUT/include"
rm -rf "$OUT/root" "$OUT/print.mk"
cat > "$OUT/include/rescuectl-e2fsprogs.h" <<EOH
/* Written by mk/e2fsprogs.sh: the e2fsprogs linked into rescuectl. */
#define RC_E2FSPROGS_VERSION "$ver"
EOH
echo "$ver" > "$OUT/VERSION"
echo "$stamp" > "$OUT/.done"
echo "e2fsprogs $ver: libraries and e2fsck, resize2fs, mke2fs, e2undo objects in $OUT"
