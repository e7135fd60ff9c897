#!/bin/sh
# Build static libfdisk, libblkid, libuuid and libsmartcols from Debian's
# util-linux source package, once, into build/ul/. Debian ships no libfdisk.a.
# The source comes through mk/apt-source.sh (a private apt configuration
# under build/apt; the machine's own sources are never edited).
set -eu
OUT=${1:-build/ul}
[ -f "$OUT/.done" ] && exit 0
top=$(pwd)
apt=$top/build/apt
mkdir -p "$OUT/lib" "$OUT/include"
src=$(sh "$top/mk/apt-source.sh" util-linux)
ver=$(cd "$apt/src" && ls util-linux_*.dsc | sed 's/util-linux_\(.*\)\.dsc/\1/')
cd "$src"
# Debian's patches leave configure.ac newer than its outputs; the generated
# files are current, so stop make from wanting autotools.
touch aclocal.m4; sleep 1; touch configure config/ltmain.sh; sleep 1
find . -name Makefile.in -exec touch {} +; touch config.h.in
[ -f Makefile ] || ./configure -q --disable-all-programs --enable-libfdisk --enable-libblkid \
  --enable-libuuid --enable-libsmartcols --enable-static --disable-shared \
  --without-python --disable-nls --disable-bash-completion --without-systemd \
  --without-udev --without-readline --without-ncursesw --without-econf >/dev/null
make -s -j"$(nproc)" ACLOCAL=: AUTOCONF=: AUTOMAKE=: AUTOHEADER=: libfdisk.la libblkid.la libuuid.la libsmartcols.la >/dev/null
cd "$top"
cp "$src"/.libs/libfdisk.a "$src"/.libs/libblkid.a "$src"/.libs/libuuid.a \
   "$src"/.libs/libsmartcols.a "$OUT/lib/"
mkdir -p "$OUT/include/libfdisk" "$OUT/include/blkid" "$OUT/include/uuid" "$OUT/include/libsmartcols"
cp "$src"/libfdisk/src/libfdisk.h "$OUT/include/libfdisk/"
cp "$src"/libblkid/src/blkid.h "$OUT/include/blkid/"
cp "$src"/libuuid/src/uuid.h "$OUT/include/uuid/"
cp "$src"/libsmartcols/src/libsmartcols.h "$OUT/include/libsmartcols/"
echo "$ver" > "$OUT/VERSION"
touch "$OUT/.done"
echo "util-linux $ver static libraries in $OUT"
