#!/bin/sh
# Build a small static libarchive from Debian's source package, once, into
# build/la/: only what recover needs (the pax writer, gzip through zlib,
# zstd). Debian's libarchive.a is built with every format, filter, ACL
# backend and crypto library and pulls them all into a static link.
# zstd comes from Debian's libzstd source package too, compression only and
# built for size (-Os, no BMI2 copies, no decompressor, dictionary builder or
# legacy formats): 340 KB less in the binary than Debian's libzstd.a, and
# still some 250 MB/s at level 3, more than the link it feeds.
# The sources come through mk/apt-source.sh (a private apt configuration
# under build/apt; the machine's sources are never edited).
set -eu
OUT=${1:-build/la}
[ -f "$OUT/.done" ] && exit 0
top=$(pwd)
case $OUT in /*) ;; *) OUT=$top/$OUT ;; esac
apt=$top/build/apt
mkdir -p "$OUT/lib" "$OUT/include"
zsrc=$(sh "$top/mk/apt-source.sh" libzstd)
make -s -C "$zsrc/lib" libzstd.a ZSTD_LIB_DECOMPRESSION=0 ZSTD_LIB_DICTBUILDER=0 ZSTD_LIB_DEPRECATED=0 \
  ZSTD_LEGACY_SUPPORT=0 CFLAGS="-Os -ffunction-sections -fdata-sections" \
  CPPFLAGS="-DDYNAMIC_BMI2=0 -DZSTD_NO_INLINE -DZSTD_STRIP_ERROR_STRINGS" >/dev/null
cp "$zsrc/lib/libzstd.a" "$OUT/lib/"
cp "$zsrc/lib/zstd.h" "$zsrc/lib/zstd_errors.h" "$OUT/include/"
src=$(sh "$top/mk/apt-source.sh" libarchive)
ver=$(cd "$apt/src" && ls libarchive_*.dsc | sed 's/libarchive_\(.*\)\.dsc/\1/')
cd "$src"
# Debian's patches may leave configure.ac newer than configure; the shipped
# configure is current, so stop make from wanting autotools.
touch aclocal.m4; sleep 1; touch configure build/autoconf/ltmain.sh; sleep 1
find . -name Makefile.in -exec touch {} +; touch build/autoconf/config.h.in 2>/dev/null || true
[ -f Makefile ] || ./configure -q --enable-static --disable-shared \
  --disable-bsdtar --disable-bsdcpio --disable-bsdcat \
  --disable-acl --disable-xattr --without-iconv --without-bz2lib \
  --without-libb2 --without-lz4 --without-lzma --without-cng --without-openssl \
  --without-xml2 --without-expat --without-mbedtls --without-nettle \
  --with-zlib --with-zstd CFLAGS="-Os -ffunction-sections -fdata-sections" \
  CPPFLAGS="-I$OUT/include" LDFLAGS="-L$OUT/lib" >/dev/null
grep -q 'define HAVE_LIBZSTD_COMPRESSOR 1' config.h || { echo "libarchive.sh: zstd not found by configure" >&2; exit 1; }
make -s -j"$(nproc)" ACLOCAL=: AUTOCONF=: AUTOMAKE=: AUTOHEADER=: libarchive.la >/dev/null
cd "$top"
cp "$src"/.libs/libarchive.a "$OUT/lib/"
cp "$src"/libarchive/archive.h "$src"/libarchive/archive_entry.h "$OUT/include/"
echo "$ver, zstd $(basename "$zsrc" | sed 's/libzstd-//')" > "$OUT/VERSION"
touch "$OUT/.done"
echo "libarchive $ver and libzstd (compression only) static libraries in $OUT (pax writer, gzip, zstd)"
