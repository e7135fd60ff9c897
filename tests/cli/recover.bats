#!/usr/bin/env bats
# rescuectl recover: files out of an installed system as a pax archive (or
# into --to DIR), ext4 read without a mount. The archive is unpacked with
# GNU tar and bsdtar and compared with the source by a program
# (tests/helpers/treecmp.py), never by eye; the image must not change.
load ../helpers
bats_require_minimum_version 1.5.0

CMP="python3 $TOP/tests/helpers/treecmp.py"

setup() {
	T=$BATS_TEST_TMPDIR
}

# The realistic root (tests/fixtures/mkrecover.sh) is built once per file,
# under a temporary name: a half-made fixture never passes for a whole one.
setup_file() {
	export RIMG=$BATS_FILE_TMPDIR/root.img
	[ "$(id -u)" = 0 ] || return 0
	"$TOP/tests/fixtures/mkrecover.sh" "$RIMG.part" "$BATS_FILE_TMPDIR/mk" > "$BATS_FILE_TMPDIR/mk.log" 2>&1 &&
		mv "$RIMG.part" "$RIMG"
}

# The fixture, or skip without root; a fixture that failed as root is a failure.
fixture() {
	[ "$(id -u)" = 0 ] || skip "needs root for the fixture (loop mount)"
	[ -f "$RIMG" ] || { echo "mkrecover.sh failed:"; cat "$BATS_FILE_TMPDIR/mk.log"; false; }
}

# srcmount IMG DIR: the image as the kernel sees it, read-only, for comparing.
srcmount() {
	mount_tmp "$1" "$2" ro,noload
}

@test "recover: the archive of a realistic root unpacks with GNU tar and bsdtar to the same tree; the image is unchanged" {
	need_loop
	fixture
	before=$(sha "$RIMG")
	run --separate-stderr "$RESCUECTL" recover "$RIMG" / -o "$T/a.tar"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$(sha "$RIMG")" = "$before" ]
	# the socket is the only thing left out, and it is said
	[[ "$stderr" == *"sockets left out"* ]]
	# a 1 GiB sparse file and 23 MiB of data: the archive holds the data, not the holes
	[ "$(stat -c %s "$T/a.tar")" -lt $((30 << 20)) ]
	srcmount "$RIMG" "$T/src"
	mkdir "$T/gnu" "$T/bsd"
	tar --xattrs --xattrs-include='*' --acls --selinux --numeric-owner -xpf "$T/a.tar" -C "$T/gnu"
	bsdtar --numeric-owner -xpf "$T/a.tar" -C "$T/bsd"
	# GNU tar sets no atime: the archive's m/a/ctimes are checked against the source instead
	run $CMP "$T/src" "$T/gnu" --no-atime --archive "$T/a.tar"
	echo "$output"
	[ "$status" -eq 0 ]
	run $CMP "$T/src" "$T/bsd"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"0 differences"* ]]
}

@test "recover: owner names are the target's (its /etc/passwd), numbers stay numbers; names with a newline and non-UTF-8 bytes are one entry each" {
	fixture
	"$RESCUECTL" recover "$RIMG" /root/demo > "$T/a.tar"
	tar -tvf "$T/a.tar" 2>/dev/null > "$T/list"
	# uid 1000 is 'admin' in the target, whatever this machine calls it
	# (with an ACL, the header's group bits are the owning group's, the mask is in the ACL)
	grep -E '^-rw-r--r-- admin/admin +19 .* root/demo/notes.txt$' "$T/list"
	python3 - "$T/a.tar" <<'E'
import sys, tarfile
names = [m.name for m in tarfile.open(sys.argv[1])]
assert 'root/demo/new\nline.txt' in names, names
assert 'root/demo/caf\udce9-\udcff\udcfe.txt' in names, names
assert all(not n.startswith('/') and '..' not in n.split('/') for n in names), names
m = {x.name: x for x in tarfile.open(sys.argv[1])}
assert m['root/demo/big.hard'].islnk() and m['root/demo/big.hard'].linkname == 'root/demo/big.bin'
assert m['root/demo/sub/notes.link'].islnk()
assert m['root/demo/outside'].issym() and m['root/demo/outside'].linkname == '../../../../../../etc/shadow'
assert m['root/demo/sparse.img'].size == 1 << 30
E
}

@test "recover --gzip and --zstd: compressed archives list the same entries" {
	fixture
	"$RESCUECTL" recover "$RIMG" /etc /root/demo > "$T/p.tar"
	"$RESCUECTL" recover --gzip "$RIMG" /etc /root/demo > "$T/p.tar.gz"
	"$RESCUECTL" recover --zstd "$RIMG" /etc /root/demo > "$T/p.tar.zst"
	gzip -t "$T/p.tar.gz"
	zstd -tq "$T/p.tar.zst"
	tar -tvf "$T/p.tar" 2>/dev/null > "$T/l0"
	tar -tvzf "$T/p.tar.gz" 2>/dev/null > "$T/l1"
	zstd -dc "$T/p.tar.zst" | tar -tvf - 2>/dev/null > "$T/l2"
	[ -s "$T/l0" ]
	cmp "$T/l0" "$T/l1"
	cmp "$T/l0" "$T/l2"
	# random data does not shrink, but the archive is not larger than the tree's data
	[ "$(stat -c %s "$T/p.tar.gz")" -lt $((30 << 20)) ]
}

@test "recover: never writes a binary archive to a terminal; bad combinations and PATHs are usage errors; a missing PATH is exit 4" {
	fixture
	command -v script >/dev/null || skip "no script(1) for a terminal"
	run script -qec "$RESCUECTL recover $RIMG /etc" /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"refusing to write a binary archive to a terminal"* ]]
	run "$RESCUECTL" recover --gzip --zstd "$RIMG" /etc
	[ "$status" -eq 2 ]
	run "$RESCUECTL" recover --to "$T" --gzip "$RIMG" /etc
	[ "$status" -eq 2 ]
	run "$RESCUECTL" recover --force "$RIMG" /etc
	[ "$status" -eq 2 ]
	run "$RESCUECTL" recover "$RIMG" /etc/../root -o "$T/x.tar"
	[ "$status" -eq 2 ]
	[[ "$output" == *"'..'"* ]]
	run "$RESCUECTL" recover "$RIMG" etc -o "$T/x.tar"
	[ "$status" -eq 2 ]
	run --separate-stderr "$RESCUECTL" recover "$RIMG" /etc /nonexistent -o "$T/x.tar"
	[ "$status" -eq 4 ]
	[[ "$stderr" == *"/nonexistent: no such file or directory in the target"* ]]
	# checked before anything was written
	[ ! -s "$T/x.tar" ]
}

@test "recover --list: an ls -l-like table and JSON, as many entries as the archive" {
	fixture
	run --separate-stderr "$RESCUECTL" recover --list "$RIMG" /root/demo
	[ "$status" -eq 0 ]
	echo "$output" | grep -E '^-rw-rw-r--\+ admin/admin +19 [0-9-]+ [0-9:]+ root/demo/notes.txt$'
	echo "$output" | grep -F 'root/demo/new\nline.txt'
	echo "$output" | grep -F 'root/demo/caf\xe9-\xff\xfe.txt'
	echo "$output" | grep -F 'root/demo/rel-link -> notes.txt'
	echo "$output" | grep -F 'root/demo/big.hard link to root/demo/big.bin'
	"$RESCUECTL" recover "$RIMG" /root/demo > "$T/a.tar"
	[ "$(echo "$output" | wc -l)" -eq "$(python3 -c 'import sys,tarfile; print(len(tarfile.open(sys.argv[1]).getmembers()))' "$T/a.tar")" ]
	run --separate-stderr "$RESCUECTL" recover --list --json "$RIMG" /root/demo
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.entries | length > 20'
	echo "$output" | jq -e '.entries[] | select(.path == "root/demo/notes.txt") | .user == "admin" and .mtime == "2021-03-04T05:06:07.123456789Z" and (.xattrs | index("system.posix_acl_access"))'
	echo "$output" | jq -e '.entries[] | select(.path == "root/demo/sparse.img") | .size == 1073741824 and .data_bytes < 100000'
	echo "$output" | jq -e '.complete == true and .lost == 0'
}

@test "recover --json: the summary is one document on stderr (stdout is the archive), or in --json-file" {
	fixture
	run --separate-stderr "$RESCUECTL" recover --json "$RIMG" /root/demo -o "$T/a.tar"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	echo "$stderr" | jq -e '.files > 10 and .hardlinks == 2 and .symlinks == 5 and .complete == true'
	"$RESCUECTL" recover --json-file "$T/s.json" "$RIMG" /root/demo > "$T/b.tar" 2>/dev/null
	jq -e '.files > 10 and .bytes > 20000000 and .sparse_bytes > 1000000000' "$T/s.json"
	tar -tf "$T/b.tar" >/dev/null 2>&1
}

@test "recover: an inode cleared with debugfs -w is listed as lost (both its links), everything else is intact (exit 7)" {
	need_loop
	fixture
	cp "$RIMG" "$T/d.img"
	debugfs -w -R 'clri /root/demo/notes.txt' "$T/d.img" >/dev/null 2>&1
	before=$(sha "$T/d.img")
	run --separate-stderr "$RESCUECTL" recover --json-file "$T/s.json" "$T/d.img" /root/demo -o "$T/d.tar"
	echo "$stderr"
	[ "$status" -eq 7 ]
	[ "$(sha "$T/d.img")" = "$before" ]
	[[ "$stderr" == *"lost: root/demo/notes.txt: skipped: inode "*" is cleared"* ]]
	[[ "$stderr" == *"lost: root/demo/sub/notes.link: skipped"* ]]
	jq -e '.complete == false and .lost == 2 and ([.losses[].path] | sort == ["root/demo/notes.txt", "root/demo/sub/notes.link"])' "$T/s.json"
	# everything else is as in the undamaged image
	srcmount "$RIMG" "$T/src"
	mkdir "$T/x"
	bsdtar --numeric-owner -xpf "$T/d.tar" -C "$T/x"
	run $CMP "$T/src/root/demo" "$T/x/root/demo" --ignore notes.txt --ignore notes.link
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "recover: a journal that needs recovery is reported; the image is not replayed or changed" {
	need_loop
	fixture
	cp "$RIMG" "$T/j0.img"
	l=$(attach "$T/j0.img")
	mount_tmp "$l" "$T/m"
	echo fresh > "$T/m/root/demo/fresh.txt"
	sync
	# the disk as a power cut leaves it: mounted, journal live
	cp "$T/j0.img" "$T/j.img"
	dumpe2fs -h "$T/j.img" 2>/dev/null | grep -q needs_recovery
	before=$(sha "$T/j.img")
	run --separate-stderr "$RESCUECTL" recover --json "$T/j.img" /root/demo -o "$T/j.tar"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"needs recovery"*"NOT in what is recovered"* ]]
	echo "$stderr" | jq -e '.journal_needs_recovery == true and (.warnings | length) >= 1'
	[ "$(sha "$T/j.img")" = "$before" ]
	dumpe2fs -h "$T/j.img" 2>/dev/null | grep -q needs_recovery
}

@test "recover: a truncated image (a partial dd) loses the files beyond its end; --partial keeps their readable part, marked" {
	fixture
	cp "$RIMG" "$T/t.img"
	truncate -s 20M "$T/t.img"
	run --separate-stderr "$RESCUECTL" recover --json-file "$T/s1.json" "$T/t.img" /root/demo -o "$T/t1.tar"
	[ "$status" -eq 7 ]
	[[ "$stderr" == *"lost: root/demo/mid.bin: skipped: bytes 0-3145727 (read error) unreadable"* ]]
	jq -e '.lost > 3' "$T/s1.json"
	! tar -tf "$T/t1.tar" 2>/dev/null | grep -qx root/demo/mid.bin
	run --separate-stderr "$RESCUECTL" recover --partial "$T/t.img" /root/demo -o "$T/t2.tar"
	[ "$status" -eq 7 ]
	[[ "$stderr" == *"partial: root/demo/mid.bin: kept partly"* ]]
	mkdir "$T/x"
	bsdtar -xpf "$T/t2.tar" -C "$T/x"
	[ "$(getfattr --only-values -n user.rescuectl.lost "$T/x/root/demo/mid.bin")" = "bytes 0-3145727 (read error)" ]
	# a large file that broke part-way keeps what was read, byte for byte
	n=$(echo "$stderr" | sed -n 's/.*root\/demo\/big.bin: kept partly: bytes \([0-9]*\)-.*/\1/p')
	[ -n "$n" ] && [ "$n" -gt 0 ]
	debugfs -R 'cat /root/demo/big.bin' "$RIMG" 2>/dev/null | head -c "$n" | cmp - <(head -c "$n" "$T/x/root/demo/big.bin")
}

@test "recover: a directory loop in a damaged tree is detected; nothing hangs" {
	fixture
	cp "$RIMG" "$T/l.img"
	debugfs -w -R 'link /root/demo /root/demo/sub/loop' "$T/l.img" >/dev/null 2>&1
	debugfs -w -R 'link /root /root/demo/sub/deeper/up' "$T/l.img" >/dev/null 2>&1
	run --separate-stderr timeout 60 "$RESCUECTL" recover "$T/l.img" / -o "$T/l.tar"
	echo "$stderr"
	[ "$status" -eq 7 ]
	[[ "$stderr" == *"root/demo/sub/loop: skipped: the same directory"*"root/demo: a directory loop"* ]]
	[[ "$stderr" == *"root/demo/sub/deeper/up: skipped: the same directory"* ]]
	tar -tf "$T/l.tar" 2>/dev/null | grep -qx 'root/demo/notes.txt'
}

@test "recover --to DIR: the same tree with every attribute; a second run refuses, --force replaces" {
	need_loop
	fixture
	mkdir "$T/to" "$T/to2"
	run "$RESCUECTL" recover --to "$T/to" "$RIMG" /root/demo /dev /usr
	echo "$output"
	[ "$status" -eq 0 ]
	run "$RESCUECTL" recover --to "$T/to" "$RIMG" /root/demo
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *"to/root/demo exists; recover does not overwrite without --force"* ]]
	echo changed > "$T/to/root/demo/notes.txt"
	run "$RESCUECTL" recover --force --to "$T/to" "$RIMG" /root/demo
	[ "$status" -eq 0 ]
	# the whole tree needs an empty DIR (or --force)
	"$RESCUECTL" recover --to "$T/to2" "$RIMG" / 2>/dev/null
	run "$RESCUECTL" recover --to "$T/to2" "$RIMG" /
	[ "$status" -eq 3 ]
	srcmount "$RIMG" "$T/src"
	for p in root/demo dev usr; do
		run $CMP "$T/src/$p" "$T/to/$p"
		echo "$output"
		[ "$status" -eq 0 ]
	done
	run $CMP "$T/src" "$T/to2"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "recover --to never leaves DIR: a planted symbolic link in DIR, and hostile links and duplicate names in the target" {
	fixture
	mkdir -p "$T/outside" "$T/to1"
	ln -s "$T/outside" "$T/to1/root"
	run "$RESCUECTL" recover --to "$T/to1" "$RIMG" /root/demo
	[ "$status" -eq 3 ]
	[[ "$output" == *"is a symbolic link; recover never writes through it"* ]]
	# a damaged directory holding a symbolic link and a directory of the same name
	cp "$RIMG" "$T/h.img"
	debugfs -w -R "symlink /root/demo/evil $T/outside" "$T/h.img" >/dev/null 2>&1
	debugfs -w -R 'link /root/demo/sub /root/demo/evil' "$T/h.img" >/dev/null 2>&1
	debugfs -w -R "symlink /root/demo/sub/deeper/x $T/outside/planted" "$T/h.img" >/dev/null 2>&1
	for force in "" --force; do
		rm -rf "$T/to2"
		mkdir "$T/to2"
		run timeout 60 "$RESCUECTL" recover $force --to "$T/to2" "$T/h.img" /root
		echo "$output"
		[ "$status" -eq 0 ] || [ "$status" -eq 7 ]
		[ -z "$(ls -A "$T/outside")" ]
		# links are recreated as links, never followed
		[ "$(readlink "$T/to2/root/demo/outside")" = "../../../../../../etc/shadow" ]
	done
}

@test "recover --to a full disk stops with a clear error and leaves no half-written file" {
	need_root
	fixture
	mkdir -p "$T/small"
	mount -t tmpfs -o size=4m tmpfs "$T/small" && track_mount "$T/small"
	run --separate-stderr "$RESCUECTL" recover --to "$T/small" "$RIMG" /root/demo
	echo "$stderr"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"is full: "*" was removed half-written; the copy stops here"* ]]
	f=$(echo "$stderr" | sed -n 's/.* is full: \(.*\) was removed half-written.*/\1/p')
	[ -n "$f" ]
	[ ! -e "$T/small/$f" ]
}

@test "recover --root DIR reads a mounted tree the same way; output inside the target is refused" {
	need_loop
	fixture
	srcmount "$RIMG" "$T/src"
	run --separate-stderr "$RESCUECTL" recover --root "$T/src" /root/demo -o "$T/r.tar"
	echo "$stderr"
	[ "$status" -eq 0 ]
	mkdir "$T/x"
	bsdtar --numeric-owner -xpf "$T/r.tar" -C "$T/x"
	run $CMP "$T/src/root/demo" "$T/x/root/demo"
	echo "$output"
	[ "$status" -eq 0 ]
	# a read-only applet: nothing goes into the target
	l=$(attach "$RIMG")
	mount_tmp "$l" "$T/rw"
	run "$RESCUECTL" recover --root "$T/rw" /etc -o "$T/rw/root/x.tar"
	[ "$status" -eq 3 ]
	[ ! -e "$T/rw/root/x.tar" ]
}

@test "recover: xfs and btrfs through a private no-replay mount that nobody else sees" {
	need_loop
	command -v mkfs.xfs >/dev/null && command -v mkfs.btrfs >/dev/null || skip "needs xfsprogs and btrfs-progs"
	mkdir -p "$T/tree/root/demo"
	printf 'on xfs and btrfs\n' > "$T/tree/root/demo/file"
	ln -s file "$T/tree/root/demo/link"
	for fs in xfs btrfs; do
		truncate -s 320M "$T/$fs.img"
		if [ $fs = xfs ]; then mkfs.xfs -q "$T/$fs.img"; else mkfs.btrfs -q --rootdir "$T/tree" "$T/$fs.img"; fi
		l=$(attach "$T/$fs.img")
		if [ $fs = xfs ]; then
			mount_tmp "$l" "$T/m$fs"
			cp -a "$T/tree/." "$T/m$fs/"
			setfattr -n user.fs -v $fs "$T/m$fs/root/demo/file"
			umount "$T/m$fs"
		fi
		run --separate-stderr "$RESCUECTL" recover "$l" /root/demo -o "$T/$fs.tar"
		echo "$stderr"
		[ "$status" -eq 0 ]
		tar -tvf "$T/$fs.tar" | grep -E 'root/demo/link -> file$'
		[ "$(tar -xOf "$T/$fs.tar" root/demo/file)" = "on xfs and btrfs" ]
		# the private mount is gone and was never in our namespace
		! grep -q rescuectl-root /proc/self/mountinfo
	done
}

@test "recover: the static binary writes and lists archives in a chroot that holds nothing else (no gconv, no NSS)" {
	need_root
	d=$T/empty
	mkdir -p "$d/tmp" "$T/s/root/demo"
	printf 'caf\351\n' > "$T/s/root/demo/$(printf 'caf\351')"
	mke2fs -q -F -t ext4 -d "$T/s" "$d/tmp/i.img" 8M
	cp "$RESCUECTL" "$d/rescuectl"
	run chroot "$d" /rescuectl recover --zstd /tmp/i.img /root/demo -o /tmp/a.tar.zst
	[ "$status" -eq 0 ]
	[ "$(zstd -dc "$d/tmp/a.tar.zst" | tar -xOf - "$(printf 'root/demo/caf\351')" 2>/dev/null)" = "$(printf 'caf\351')" ]
	run chroot "$d" /rescuectl recover --list /tmp/i.img /root/demo
	[ "$status" -eq 0 ]
	[[ "$output" == *'root/demo/caf\xe9'* ]]
}

@test "corpus: all damaged e2fsprogs images go through recover and recover --list under ASan+UBSan: no crash, no hang, nothing written" {
	CORPUS=${RESCUECTL_CORPUS:-$TOP/tests/corpus/e2fsprogs-f}
	[ -d "$CORPUS" ] || { echo "corpus not found at $CORPUS" >&2; return 1; }
	ASAN=$TOP/build/rescuectl-asan
	[ -x "$ASAN" ] || skip "build/rescuectl-asan not built (make helpers)"
	n=0
	for gz in "$CORPUS"/*.img.gz; do
		name=$(basename "$gz" .img.gz)
		gunzip -c "$gz" > "$T/x.img"
		before=$(sha "$T/x.img")
		for mode in --partial --list; do
			timeout 60 env ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 \
				"$ASAN" recover $mode --json "$T/x.img" > "$T/out" 2> "$T/err" && st=0 || st=$?
			if grep -qE 'Sanitizer|runtime error' "$T/err"; then
				echo "$name $mode: sanitizer report"; cat "$T/err"; false
			fi
			# 0 done, 7 incomplete; 1 (cannot open), 3 (not a filesystem recover reads), 4 (none) are refusals; 124 a hang;
			# never 5: an image that does not probe is still the DEVICE, no root is looked for elsewhere
			case $st in 0|1|3|4|7) ;; *) echo "$name $mode: exit $st"; tail -5 "$T/err"; false ;; esac
		done
		[ "$(sha "$T/x.img")" = "$before" ] || { echo "$name: image changed"; false; }
		n=$((n + 1))
	done
	[ "$n" -ge 190 ]
}
