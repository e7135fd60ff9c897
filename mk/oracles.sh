#!/bin/sh
# The real checkers doctor's verdicts are compared with, from Debian's own
# packages, unpacked (never installed: no daemon is started) into OUT:
#   sshd -t (openssh-server, with libwrap0) and visudo -c (sudo); and
#   systemd-journal-remote (with libmicrohttpd12), which writes real journal
#   files from journalctl's export format for the tests of the logs checks.
# apt-get download needs no root; the machine's apt state is read, not changed.
set -eu
OUT=${1:-build/oracle}
[ -f "$OUT/.done" ] && exit 0
mkdir -p "$OUT/debs"
cd "$OUT/debs"
apt-get download -qq openssh-server libwrap0 sudo systemd-journal-remote libmicrohttpd12 2>/dev/null
for d in *.deb; do dpkg-deb -x "$d" ..; done
cd ..
[ -x usr/sbin/sshd ] && [ -x usr/sbin/visudo ] && [ -x lib/systemd/systemd-journal-remote ]
touch .done
