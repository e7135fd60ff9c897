# Servers in rescue mode, made on this machine for the fleet tests: each is
# an OpenSSH sshd on 127.0.0.1 at a free high port, key authentication only,
# chrooted (ChrootDirectory) into a tree that holds busybox and nothing else
# -- no Python, no sftp subsystem -- plus the nodes of its own loop-device
# disk. /proc and /sys are mounted in a mount namespace of the sshd's own
# (unshare -m), so they vanish with it and no other process sees them.
#
# fleet_up BASE DISK...   one host per disk: h1, h2 ... Writes BASE/inventory
#                         (ansible_port, rescuectl_device = DISK's partition 3)
#                         and BASE/known_hosts with the hosts' own keys.
# fleet_down BASE         stops the sshd processes it started (by pid).

# The chroot must sit on a path of root-owned directories nobody else can
# write (sshd refuses /tmp): a directory of our own under /run.
fleet_base() {
	mktemp -d /run/rescuectl-fleet.XXXXXX
}

_free_port() {
	local p used
	used=$(ss -Htln 2>/dev/null | awk '{ print $4 }')
	while :; do
		p=$((20000 + RANDOM % 40000))
		grep -q ":$p\$" <<<"$used" || { echo "$p"; return; }
	done
}

# _tree ROOT DISK: busybox, a login shell, /dev nodes of DISK and its partitions
_tree() {
	local r=$1 disk=$2 a shell
	mkdir -p "$r"/{bin,dev,proc,sys,root,usr/local/bin,etc}
	mkdir -m 1777 "$r/tmp"
	cp /bin/busybox "$r/bin/busybox"
	for a in $(/bin/busybox --list); do
		[ -e "$r/bin/$a" ] || ln -s busybox "$r/bin/$a"
	done
	# sshd runs commands with root's login shell from the machine's passwd
	shell=$(getent passwd root | cut -d: -f7)
	if [ -n "$shell" ] && [ ! -e "$r$shell" ]; then
		mkdir -p "$r$(dirname "$shell")"
		printf '#!/bin/sh\nexec /bin/sh "$@"\n' > "$r$shell"
		chmod 755 "$r$shell"
	fi
	mknod -m 666 "$r/dev/null" c 1 3
	mknod -m 666 "$r/dev/zero" c 1 5
	mknod -m 444 "$r/dev/urandom" c 1 9
	cp -a "$disk" "$disk"p* "$r/dev/"
	echo 'root:x:0:0:root:/root:/bin/sh' > "$r/etc/passwd"
}

_sshd_config() {  # _sshd_config HOSTDIR PORT ROOT BASE
	cat <<C
ListenAddress 127.0.0.1:$2
HostKey $1/host_ed25519
PidFile $1/sshd.pid
AuthorizedKeysFile $4/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
ChrootDirectory $3
StrictModes yes
PrintMotd no
PrintLastLog no
X11Forwarding no
AllowTcpForwarding no
LogLevel ERROR
C
}

fleet_up() {
	local base=$1 i=0 disk h port
	shift
	ssh-keygen -q -t ed25519 -N '' -C fleet-test -f "$base/id"
	cp "$base/id.pub" "$base/authorized_keys"
	: > "$base/known_hosts"
	printf '[rescue]\n' > "$base/inventory"
	# sshd wants its privilege separation directory (made by ssh.service
	# when the system runs one)
	[ -d /run/sshd ] || mkdir -m 755 /run/sshd
	for disk in "$@"; do
		i=$((i + 1))
		h=$base/h$i
		mkdir -p "$h"
		_tree "$h/root" "$disk"
		ssh-keygen -q -t ed25519 -N '' -C "h$i" -f "$h/host_ed25519"
		port=$(_free_port)
		_sshd_config "$h" "$port" "$h/root" "$base" > "$h/sshd_config"
		unshare -m --propagation private sh -c '
			mount -t proc proc "$1/proc" && mount -t sysfs sysfs "$1/sys" &&
			exec /usr/sbin/sshd -D -e -f "$2"' sh "$h/root" "$h/sshd_config" \
			> "$h/sshd.log" 2>&1 &
		echo $! > "$h/pid"
		echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$h/host_ed25519.pub")" >> "$base/known_hosts"
		printf 'h%d ansible_host=127.0.0.1 ansible_port=%d rescuectl_device=%sp3\n' "$i" "$port" "$disk" \
			>> "$base/inventory"
		echo "$port" > "$h/port"
	done
	cat >> "$base/inventory" <<I

[rescue:vars]
ansible_user=root
ansible_ssh_private_key_file=$base/id
ansible_ssh_common_args='-o UserKnownHostsFile=$base/known_hosts -o StrictHostKeyChecking=yes -o ControlMaster=no'
ansible_shell_executable=/bin/sh
I
	for h in "$base"/h*/; do
		for _ in $(seq 50); do
			ss -Htln | grep -q "127.0.0.1:$(cat "$h/port") " && break
			sleep 0.1
		done
	done
}

fleet_down() {
	local h pid
	for h in "$1"/h*/; do
		[ -f "$h/pid" ] || continue
		pid=$(cat "$h/pid")
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		rm -f "$h/pid"
	done
}
