#!/usr/bin/env bats
# The Ansible collection (contrib/ansible) against three servers in rescue
# mode made on this machine (tests/fleet/hosts.bash): sshd on 127.0.0.1 at
# high ports, key authentication, a dedicated known_hosts with strict host
# key checking, each chrooted into busybox alone -- no Python -- with a
# loop-device disk. The example playbooks run detect-root, reset-pass and
# disable-growpart there. What a user checks: the results come back as
# data, a second run changes nothing, check mode writes no byte, the
# password is in no output and no log, the first failure stops a serial play.
load ../helpers
load ../fleet/hosts
bats_require_minimum_version 1.5.0

COLL=$TOP/contrib/ansible/ansible_collections/rescuectl/rescue
PB=$COLL/playbooks

setup_file() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	command -v ansible-playbook >/dev/null && [ -x /usr/sbin/sshd ] || skip "needs ansible-core and openssh-server (make deps)"
	export BASE DISKS
	BASE=$(fleet_base)
	_rc_res=$BASE/resources
	local i d
	DISKS=
	for i in 1 2 3; do
		ESP_MB=8 BOOT_MB=16 ROOT_MB=64 SWAP_MB=8 mkimg "$BATS_FILE_TMPDIR/d$i.img" debian12 gpt
		d=$(attach "$BATS_FILE_TMPDIR/d$i.img")
		DISKS="$DISKS $d"
	done
	# shellcheck disable=SC2086
	fleet_up "$BASE" $DISKS
}

teardown_file() {
	[ -n "${BASE:-}" ] || return 0
	local h
	for h in "$BASE"/h*/; do
		ssh -o ControlPath="$BASE/cp-%C" -O exit -p "$(cat "$h/port")" root@127.0.0.1 2>/dev/null || true
	done
	fleet_down "$BASE"
	_rc_res=$BASE/resources cleanup_resources
	case $BASE in /run/rescuectl-fleet.*) rm -rf "$BASE" ;; esac
}

setup() {
	export LC_ALL=C.UTF-8 ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0
	export ANSIBLE_COLLECTIONS_PATH=$TOP/contrib/ansible ANSIBLE_HOME=$BASE/ansible
	export ANSIBLE_LOCAL_TEMP=$BASE/ansible/tmp ANSIBLE_RETRY_FILES_ENABLED=0
	export ANSIBLE_LOG_PATH=$BASE/ansible.log
	# one ssh connection per host for a whole run, closed in teardown_file
	export ANSIBLE_SSH_ARGS="-o ControlMaster=auto -o ControlPersist=60s -o ControlPath=$BASE/cp-%C"
	export ANSIBLE_HOST_KEY_CHECKING=True ANSIBLE_DEPRECATION_WARNINGS=0
	unset RESCUECTL_BINARY
	T=$BATS_TEST_TMPDIR
	PW='Fleet-Pass 7x!q'
	printf 'root_password: "%s"\n' "$PW" > "$T/pw.yml"
}

teardown() { :; }

play() {  # play PLAYBOOK [ansible-playbook options]: output in $T/out, kept in $BASE/all.out
	local pb=$1 st=0
	shift
	ansible-playbook -i "$BASE/inventory" "$PB/$pb" "$@" > "$T/out" 2>&1 || st=$?
	cat "$T/out" >> "$BASE/all.out"
	cat "$T/out"
	return "$st"
}

# recap HOST FIELD: a number from the PLAY RECAP line of HOST
recap() {
	sed -n "s/^$1 *:.* $2=\([0-9]*\).*/\1/p" "$T/out" | tail -1
}

disk() { echo "$DISKS" | awk -v n="$1" '{ print $n }'; }
sums() { for i in 1 2 3; do sha256sum < "$(disk "$i")"; done; }
shadow_of() { debugfs -R 'cat /etc/shadow' "$(disk "$1")p3" 2>/dev/null; }
verifies() {  # verifies HOSTNO USER PASSWORD
	shadow_of "$1" > "$T/shadow.$1"
	printf '%s\n' "$3" | cryptcheck "$T/shadow.$1" "$2" >/dev/null
}

# reset-pass, then disable-growpart, in one ansible-playbook run
both() {
	printf -- '- import_playbook: %s\n- import_playbook: %s\n' "$PB/reset_root.yml" "$PB/disable_growpart.yml" > "$T/both.yml"
	local st=0
	ansible-playbook -i "$BASE/inventory" "$T/both.yml" -e @"$T/pw.yml" "$@" > "$T/out" 2>&1 || st=$?
	cat "$T/out" >> "$BASE/all.out"
	cat "$T/out"
	return "$st"
}

@test "fleet: the hosts have no Python: a module fails, raw and the plugin work" {
	run env ANSIBLE_SSH_TRANSFER_METHOD=piped ansible -i "$BASE/inventory" rescue -m ansible.builtin.ping \
		-e ansible_python_interpreter=/usr/bin/python3
	[ "$status" -ne 0 ]
	[[ "$output" == *"h1 | FAILED"* ]]
	[[ "$output" == *"/usr/bin/python3: not found"* ]]
	run ansible -i "$BASE/inventory" h2 -m ansible.builtin.raw -a 'ls /usr/bin/python3 /usr/bin/python /usr/libexec/platform-python'
	[ "$status" -ne 0 ]
	# the binary is not on the hosts yet
	for i in 1 2 3; do [ ! -e "$BASE/h$i/root/usr/local/bin/rescuectl" ]; done
}

@test "fleet: detect-root report: structured results as CSV and HTML, the binary copied once, a second run changes nothing" {
	play fleet_report.yml -e report_dir="$T/r1"
	for h in h1 h2 h3; do [ "$(recap $h failed)" = 0 ]; done
	for i in 1 2 3; do
		grep -q "^\"h$i\",\"ok\",\"$(disk "$i")p3\",\"ext4\",\"Debian GNU/Linux 12 (bookworm)\",\"high\"," "$T/r1/report.csv"
		cmp "$TOP/rescuectl" "$BASE/h$i/root/usr/local/bin/rescuectl"
	done
	[ "$(wc -l < "$T/r1/report.csv")" = 4 ]
	grep -q '<td>h3</td><td class="result">ok</td>' "$T/r1/report.html"
	grep -q '3 servers, 3 with one installed root found' "$T/r1/report.html"
	ino=$(stat -c %i "$BASE/h1/root/usr/local/bin/rescuectl")
	cp "$T/r1/report.csv" "$T/first.csv"
	play fleet_report.yml -e report_dir="$T/r1"
	for h in h1 h2 h3; do [ "$(recap $h changed)" = 0 ]; done
	cmp "$T/first.csv" "$T/r1/report.csv"
	# the checksum matched: not copied again (a copy is renamed into place)
	[ "$(stat -c %i "$BASE/h1/root/usr/local/bin/rescuectl")" = "$ino" ]
	# the plugin's result is the applet's JSON document, valid against its schema
	mkdir -p "$T/docs"
	ansible -i "$BASE/inventory" h2 -m rescuectl.rescue.run -a "applet=detect-root args={{ [rescuectl_device] }}" \
		-o > "$T/adhoc"
	sed -n 's/^h2 | SUCCESS => //p' "$T/adhoc" | jq '{roots, candidates, hints, schema}' \
		> "$T/docs/detect-root@adhoc@0.json"
	/usr/bin/python3 "$TOP/tests/schema/validate.py" "$TOP/doc/schema" "$T/docs"
}

@test "fleet: check mode: reset-pass and disable-growpart report what they would change and write no byte" {
	before=$(sums)
	both --check
	for h in h1 h2 h3; do [ "$(recap $h changed)" = 2 ]; [ "$(recap $h failed)" = 0 ]; done
	[ "$(sums)" = "$before" ]
	# nothing left behind on the rescue systems either (no binary in /tmp,
	# no ~/.ansible/tmp directory)
	for i in 1 2 3; do
		[ -z "$(ls -A "$BASE/h$i/root/tmp")" ]
		[ -z "$(ls -A "$BASE/h$i/root/root/.ansible/tmp" 2>/dev/null)" ]
	done
}

@test "fleet: reset-pass and disable-growpart change each host once; the second run reports changed=0; the password verifies" {
	both
	# reset-pass and disable-growpart each changed the host; --status then found nothing to grow
	for h in h1 h2 h3; do [ "$(recap $h changed)" = 2 ]; [ "$(recap $h failed)" = 0 ]; done
	for i in 1 2 3; do verifies "$i" root "$PW"; done
	before=$(sums)
	both -vvv
	for h in h1 h2 h3; do [ "$(recap $h changed)" = 0 ]; [ "$(recap $h failed)" = 0 ]; done
	[ "$(sums)" = "$before" ]
}

@test "fleet: generated passwords land in a vault-encrypted file only; each verifies on its host" {
	echo 'vault pass for the test' > "$T/vaultpw"
	play reset_root.yml -e passwords_file="$T/passwords.yml" -e passwords_vault_password_file="$T/vaultpw"
	# one password set on each host; h1 also wrote the file (run_once)
	[ "$(recap h1 changed)" = 2 ] && [ "$(recap h2 changed)" = 1 ] && [ "$(recap h3 changed)" = 1 ]
	head -1 "$T/passwords.yml" | grep -q '^\$ANSIBLE_VAULT;'
	[ "$(stat -c %a "$T/passwords.yml")" = 600 ]
	ansible-vault view --vault-password-file "$T/vaultpw" "$T/passwords.yml" > "$T/clear.yml"
	for i in 1 2 3; do
		p=$(/usr/bin/python3 -c 'import sys,yaml; print(yaml.safe_load(open(sys.argv[1]))[sys.argv[2]]["password"])' "$T/clear.yml" "h$i")
		[ "${#p}" -ge 16 ]
		verifies "$i" root "$p"
		echo "$p" >> "$BASE/generated"
	done
	# an existing file is never replaced: refused before any password changes
	before=$(sums)
	run play reset_root.yml -e passwords_file="$T/passwords.yml" -e passwords_vault_password_file="$T/vaultpw"
	[ "$status" -ne 0 ]
	[[ "$output" == *"exists; name a new file"* ]]
	[ "$(sums)" = "$before" ]
}

@test "fleet: recover through the plugin: files copied on the host, its document (on stderr) as the result; check mode skips it" {
	ansible -i "$BASE/inventory" h3 -m ansible.builtin.raw -a 'mkdir -p /root/saved' >/dev/null
	run ansible -i "$BASE/inventory" h3 -m rescuectl.rescue.run -o \
		-a "applet=recover args={{ ['--to', '/root/saved', rescuectl_device, '/etc'] }}"
	echo "$output"
	[ "$status" -eq 0 ]
	doc=$(sed -n 's/^h3 | CHANGED => //p' <<<"$output")
	[ "$(jq -r '.output, .complete, .files > 0' <<<"$doc" | tr '\n' ' ')" = "/root/saved true true " ]
	cmp <(debugfs -R 'cat /etc/os-release' "$(disk 3)p3" 2>/dev/null) "$BASE/h3/root/root/saved/etc/os-release"
	run ansible -i "$BASE/inventory" h3 -m rescuectl.rescue.run -o --check \
		-a "applet=recover args={{ ['--to', '/root/saved2', rescuectl_device, '/etc'] }}"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"h3 | SKIPPED"* ]]
	[ ! -e "$BASE/h3/root/root/saved2" ]
}

@test "fleet: no password appears in any output or in ANSIBLE_LOG_PATH" {
	[ -s "$BASE/all.out" ]
	[ -s "$BASE/ansible.log" ]
	[ -s "$BASE/generated" ]
	! grep -F -- "$PW" "$BASE/all.out" "$BASE/ansible.log"
	while read -r p; do
		! grep -F -- "$p" "$BASE/all.out" "$BASE/ansible.log"
	done < "$BASE/generated"
	# and the runs did say what they did
	grep -q 'TASK \[Set a generated password\]' "$BASE/ansible.log"
}

@test "fleet: shrink + disable-growpart with serial: 1 stops at the first failure; the other hosts are not touched" {
	# h1's root is mounted (read-only, as someone may have left it): refused
	# before the first write (exit 3). (Its rescue system has no e2fsck, but
	# that is no refusal: rescuectl brings its own.)
	# (released in teardown_file, should a check below fail)
	_rc_res=$BASE/resources mount_tmp "$(disk 1)p3" "$T/m1" ro,noload
	before=$(sums)
	run play shrink_root.yml -e shrink_size=48M
	umount "$T/m1"
	[ "$status" -ne 0 ]
	[[ "$output" == *"fatal: [h1]"* ]]
	[[ "$output" == *"is mounted"* ]]
	[[ "$output" != *"[h2]"* && "$output" != *"[h3]"* ]]
	[ "$(sums)" = "$before" ]
}

@test "fleet: the plugin's unit tests pass; the collection builds, ansible-doc reads it, ansible-test sanity (offline tests) and ansible-lint pass" {
	cp -a "$COLL" "$T/coll"
	(cd "$T/coll" && ansible-galaxy collection build --output-path "$T" >/dev/null)
	[ -f "$T/rescuectl-rescue-0.1.0.tar.gz" ]
	# the plugin's decisions per applet and exit code, without a host
	(cd "$COLL" && PYTHONPATH=$TOP/contrib/ansible /usr/bin/python3 tests/unit/plugins/action/test_run.py)
	ansible-doc rescuectl.rescue.run > "$T/doc"
	grep -q 'fail_on' "$T/doc"
	# ansible-test sanity, on a copy (it writes tests/output), without the
	# tests whose tools it would fetch from PyPI (pylint, validate-modules,
	# import, yamllint, pep8 ...): those are not in Debian's ansible-core
	mkdir -p "$T/ac/ansible_collections/rescuectl"
	cp -a "$COLL" "$T/ac/ansible_collections/rescuectl/rescue"
	py=$(/usr/bin/python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
	(cd "$T/ac/ansible_collections/rescuectl/rescue" && PATH=/usr/bin:/bin:/usr/sbin:/sbin \
		ansible-test sanity --local --python "$py" --skip-test ansible-doc --skip-test import \
		--skip-test pylint --skip-test validate-modules --skip-test yamllint --skip-test pslint \
		--skip-test changelog --skip-test runtime-metadata --skip-test pep8 --skip-test shellcheck)
	command -v ansible-lint >/dev/null || skip "ansible-lint is not installed"
	(cd "$COLL" && ANSIBLE_HOME=$BASE/lint ansible-lint --offline -q playbooks plugins)
}
