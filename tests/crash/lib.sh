# Shared by killpoints.sh and randomkill.sh: the scenarios (a fixture image,
# a command, the files it edits), a snapshot of those files, and the checks
# a user would make after rescuectl died half-way:
#   - every edited file is wholly the old version or wholly the new one
#     (content, owner, group and mode; absent counts as a version);
#   - e2fsck -fn finds the filesystem clean;
#   - a second, uninterrupted run finishes the job: every file is then the
#     new version and no temporary file is left behind.
# Needs root (loop devices, mount), e2fsprogs, strace.
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RESCUECTL=${RESCUECTL:-$TOP/rescuectl}
FIX=$TOP/tests/fixtures
# A fixed hash makes the new version of /etc/shadow the same in every run.
HASH='$6$rescuectlkill$3n1mEqcnl7wTqQaS3B2cxXbXoZxfLDmE3RYxwDcnuKxBNQJ2v0y2v8bS0b4XMXfFO7DTNXVSbZBV2nE2cGxRq/'
WRITE_SYSCALLS=${RC_CRASH_SYSCALLS:-"write pwrite64 fsync fdatasync rename renameat renameat2 unlinkat linkat mkdirat fchown fchmod
  fsetxattr fsconfig fsmount ioctl flock fcntl"}

SCENARIOS="reset-offline reset-offline-5m reset-root reset-root-5m clear-offline clear-root
  growpart-offline growpart-root undo-offline undo-root doctor-fix-offline doctor-fix-root
  doctor-undo-offline doctor-undo-root doctor-net-offline doctor-net-root doctor-fwoff-offline
  doctor-fwoff-root"
# doctor sees no device of this machine: the same findings everywhere
export RESCUECTL_SYSROOT=${RESCUECTL_SYSROOT:-/nonexistent-rescuectl-sysroot}

die() { echo "crash: $*" >&2; exit 2; }

# Run the whole script in a mount namespace of its own: its test mounts are
# then never copied into a namespace another program makes meanwhile (a
# copy would keep the filesystem and its loop device busy after umount).
in_private_namespace() {
	[ -n "${RC_CRASH_NS:-}" ] && return 0
	command -v unshare >/dev/null || return 0
	RC_CRASH_NS=1 exec unshare -m --propagation private bash "$0" "$@"
}

# doctor_image DIR: a healthy Debian 12 with four faults doctor fixes safely:
# a gone disk in fstab, /etc/sudoers 0666, a host key 0644, a line sshd rejects;
# doctor-net-* and doctor-fwoff-*: also a NIC renamed and a firewall that drops ssh.
doctor_image() {
	local d=$1 r=$1/tree
	rm -rf "$r"
	"$FIX/mkhealthy.sh" "$r" debian12 >/dev/null
	echo "UUID=11111111-2222-4333-8444-555555555555 /srv ext4 defaults 0 2" >> "$r/etc/fstab"
	mkdir -p "$r/srv"
	chmod 0666 "$r/etc/sudoers"
	chmod 0644 "$r/etc/ssh/ssh_host_ed25519_key"
	echo "PermitRootLogin maybe" >> "$r/etc/ssh/sshd_config"
	case $sc in doctor-net-* | doctor-fwoff-*)
		# the network and firewall fixes: ifupdown's config names eth0 where
		# this hardware's NIC is enp0s3 ($NETSYS), nftables drops sshd's port
		sed -i 's/enp0s3/eth0/g' "$r/etc/network/interfaces.d/50-cloud-init"
		"$FIX/fw/mkfwroot.sh" "$r" nft "$FIX/fw/nft/08-established-only.nft"
		rm -rf "$d/sys"
		"$FIX/mknetsys.sh" "$d/sys" eth0 52:54:00:12:34:56 0000:00:03.0 virtio_net virtio
		NETSYS=$d/sys ;;
	esac
	mke2fs -q -F -t ext4 -d "$r" "$d/base.img" 128M 2>/dev/null
	case $sc in doctor-undo-*)
		"$RESCUECTL" doctor -q --fix safe -y "$d/base.img" >/dev/null 2>&1 || die "cannot prepare $sc" ;;
	esac
}

# base_image SCENARIO DIR: DIR/base.img for the scenario.
base_image() {
	local sc=$1 d=$2 r=$2/tree
	case $sc in doctor-*) doctor_image "$d"; return ;; esac
	rm -rf "$r"
	"$FIX/mkroot.sh" "$r" debian12 >/dev/null
	printf '#!/bin/sh\n' > "$r/usr/bin/bash"
	chmod 755 "$r/usr/bin/bash"
	cp "$FIX/cloud/ubuntu-22.04.cfg" "$r/etc/cloud/cloud.cfg"
	cp "$r/etc/shadow" "$r/etc/shadow-"
	case $sc in *-5m)
		# a 5 MB /etc/shadow: 70,000 accounts after root's line
		awk 'BEGIN { for (i = 0; i < 70000; i++) printf "user%06d:$6$saltsalt$%s:19000:0:99999:7:::\n", i, \
			"0123456789012345678901234567890123456789012" }' >> "$r/etc/shadow"
		awk 'BEGIN { for (i = 0; i < 70000; i++) printf "user%06d:x:%d:100::/home/u:/usr/sbin/nologin\n", i, 10000 + i }' \
			>> "$r/etc/passwd" ;;
	esac
	mke2fs -q -F -t ext4 -d "$r" "$d/base.img" 128M
	case $sc in undo-*)
		# the state a disable-growpart --edit-cloud-cfg left behind
		"$RESCUECTL" disable-growpart -q --edit-cloud-cfg -y "$d/base.img" >/dev/null 2>&1 ||
			die "cannot prepare $sc" ;;
	esac
}

# files SCENARIO: the files the scenario edits.
files() {
	case $1 in
	reset-* | clear-*) echo /etc/shadow /etc/shadow- ;;
	doctor-net-* | doctor-fwoff-*) echo /etc/network/interfaces.d/50-cloud-init /etc/network/interfaces.d \
		/etc/nftables.conf /etc/systemd/system/sysinit.target.wants/nftables.service \
		/etc/systemd/system/sysinit.target.wants ;;
	doctor-*) echo /etc/fstab /etc/sudoers /etc/ssh/ssh_host_ed25519_key /etc/ssh/sshd_config /etc/ssh ;;
	*) echo /etc/cloud/cloud.cfg.d/zz-rescuectl-growpart.cfg /etc/growroot-disabled \
		/etc/cloud/cloud.cfg /etc/cloud/cloud.cfg.rescuectl-orig /etc/cloud/cloud.cfg.d ;;
	esac
}

# run_cmd SCENARIO TARGET [PREFIX...]: the applet, on an image (offline) or a mounted tree.
run_cmd() {
	local sc=$1 tgt=$2
	shift 2
	local where=("$tgt")
	case $sc in *-root*) where=(--root "$tgt") ;; esac
	case $sc in
	reset-*) "$@" "$RESCUECTL" reset-pass -q --hashed "${where[@]}" <<<"$HASH" ;;
	clear-*) "$@" "$RESCUECTL" clear-pass -q "${where[@]}" </dev/null ;;
	growpart-*) "$@" "$RESCUECTL" disable-growpart -q --edit-cloud-cfg -y "${where[@]}" </dev/null ;;
	undo-*) "$@" "$RESCUECTL" disable-growpart -q --undo -y "${where[@]}" </dev/null ;;
	doctor-fix-*) "$@" "$RESCUECTL" doctor -q --fix safe -y "${where[@]}" </dev/null ;;
	doctor-undo-*) "$@" "$RESCUECTL" doctor -q --undo -y "${where[@]}" </dev/null ;;
	doctor-net-*) RESCUECTL_SYSROOT=$NETSYS "$@" "$RESCUECTL" doctor -q --fix net.iface-missing,fw.ssh-dropped -y \
		"${where[@]}" </dev/null ;;
	doctor-fwoff-*) RESCUECTL_SYSROOT=$NETSYS "$@" "$RESCUECTL" doctor -q --fix fw.ssh-dropped --disable-firewall -y \
		"${where[@]}" </dev/null ;;
	esac
}

# after_rerun SCENARIO TARGET BEFORE: what else must hold once the re-run
# finished the job. doctor: the journal is whole -- an undo brings every file
# back as it was before the fix (doctor-fix-*), or the journal is gone (doctor-undo-*).
after_rerun() {
	local sc=$1 tgt=$2 where=("$2")
	case $sc in *-root*) where=(--root "$2") ;; esac
	case $sc in
	doctor-fix-* | doctor-net-* | doctor-fwoff-*)
		"$RESCUECTL" doctor -q --undo -y "${where[@]}" </dev/null >/dev/null 2>&1 || { echo "  undo failed" >&2; return 1; }
		snapshot "$sc" "$tgt" | cmp -s - "$3" || { echo "  undo did not bring back the old version" >&2; return 1; } ;;
	doctor-undo-*)
		[ "$(snapshot_path "$tgt" /var/lib/rescuectl)" = absent ] || { echo "  the journal is left" >&2; return 1; } ;;
	esac
	return 0
}

# snapshot_path IMG|ROOT PATH: its state.
snapshot_path() {
	if [ -d "$1" ]; then state_dir "$1" "$2"; else state_img "$1" "$2"; fi
}

# state_img IMG PATH: "absent", or mode:uid:gid:type:sha256 of a file in an unmounted image.
state_img() {
	local st
	st=$(debugfs -R "stat $2" "$1" 2>&1) || true
	case $st in *"File not found"*) echo absent; return ;; esac
	local mode uid gid
	mode=$(sed -n 's/.*Mode: *\([0-7]*\).*/\1/p' <<<"$st" | head -n1)
	uid=$(sed -n 's/^User: *\([0-9]*\) *Group: *\([0-9]*\).*/\1/p' <<<"$st" | head -n1)
	gid=$(sed -n 's/^User: *\([0-9]*\) *Group: *\([0-9]*\).*/\2/p' <<<"$st" | head -n1)
	local type
	type=$(sed -n 's/.*Type: *\([a-z]*\).*/\1/p' <<<"$st" | head -n1)
	if [ "$type" = regular ]; then
		echo "$mode:$uid:$gid:$type:$(debugfs -R "cat $2" "$1" 2>/dev/null | sha256sum | cut -c1-16)"
	else
		echo "$mode:$uid:$gid:$type"
	fi
}

# state_dir ROOT PATH: the same, for a mounted tree.
state_dir() {
	local p=$1$2 type
	[ -e "$p" ] || [ -L "$p" ] || { echo absent; return; }
	case $(stat -c %F "$p") in
	"regular file"|"regular empty file") type=regular ;;
	directory) type=directory ;;
	"symbolic link") type=symlink ;;
	*) type=other ;;
	esac
	if [ $type = regular ]; then
		echo "$(stat -c '%a:%u:%g' "$p"):$type:$(sha256sum < "$p" | cut -c1-16)"
	else
		echo "$(stat -c '%a:%u:%g' "$p"):$type"
	fi
}

# snapshot SCENARIO IMG|ROOT OUT: one line per file.
snapshot() {
	local f
	for f in $(files "$1"); do
		if [ -d "$2" ]; then
			echo "$f $(state_dir "$2" "$f")"
		else
			echo "$f $(state_img "$2" "$f" | sed 's/^0*\([0-7]\)/\1/')"
		fi
	done
}

# strays IMG|ROOT: temporary files of rescuectl in the edited directories.
strays() {
	local d
	for d in /etc /etc/cloud /etc/cloud/cloud.cfg.d /etc/ssh /var/lib/rescuectl /etc/network/interfaces.d \
		/etc/systemd/system/sysinit.target.wants; do
		if [ -d "$1" ]; then
			ls -A "$1$d" 2>/dev/null | grep -E '^\..*\.rescuectl-[0-9]+-[0-9]+$' | sed "s|^|$d/|"
		else
			debugfs -R "ls -l $d" "$1" 2>/dev/null | grep -oE '\.[^ ]*\.rescuectl-[0-9]+-[0-9]+' | sed "s|^|$d/|"
		fi
	done
}

# wait_free IMG: the kernel detaches an autoclear loop device asynchronously.
wait_free() {
	local i
	for i in $(seq 100); do
		[ -z "$(losetup -j "$1" 2>/dev/null)" ] && return 0
		sleep 0.1
	done
	echo "crash: $1 is still attached: $(losetup -j "$1")" >&2
	return 1
}

# settle SCENARIO IMG: after a kill, the kernel tears the killed run's
# private mount and its autoclear loop device down asynchronously (Linux
# 5.19+ clears an autoclear loop device in a work queue). Until then the
# image is busy and its superblock still says "mounted": look at it, and run
# again, only once the kernel has let go of it, as a person would seconds later.
settle() {
	case $1 in *-root*) return 0 ;; esac
	wait_free "$2"
}

# check_between SNAP BEFORE FINAL: each file's line is in BEFORE or FINAL.
check_between() {
	local f s ok=0
	while read -r f s; do
		if ! grep -qxF "$f $s" "$2" && ! grep -qxF "$f $s" "$3"; then
			echo "  $f is neither old nor new: $s" >&2
			echo "    old: $(grep "^$f " "$2")" >&2
			echo "    new: $(grep "^$f " "$3")" >&2
			ok=1
		fi
	done < "$1"
	return $ok
}
