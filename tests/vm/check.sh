#!/bin/sh
# make check-vm / make check-vm-slow: the VM rig (tests/vm). Installs its
# packages (mk/deps.sh vm), builds what the guest runs, then runs the bats
# files one at a time (one VM at a time: QEMU under TCG takes a core).
# make check-vm (CI's second step) runs a sample: three layouts
# (layouts.bats), shrink-root on md, LVM and --pv (shrink.bats), three power-cut scenarios with two cuts each, one boot
# after repair (boot.bats). VM_FULL=1 (check-vm-slow, also run by
# check-slow) adds the other layouts, every power-cut point of every
# scenario, the rest of shrink-root (shrink-more.bats), the md boot and the control boot. VM_PARTS picks the parts.
# Ends with "check-vm: N passed, N failed, N skipped" and the seconds taken.
set -u
cd "$(dirname "$0")/../.."
start=$(date +%s)
sh mk/deps.sh vm || echo "check-vm: could not install the vm packages; tests that need them skip"
make -s rescuectl build/helpers/cryptcheck || { echo "check-vm: build failed"; exit 1; }
mkdir -p build/vm
tap=build/vm/check.tap
: > "$tap"
st=0
parts="tests/vm/layouts.bats tests/vm/shrink.bats tests/vm/cuts.sh tests/vm/boot.bats"
[ "${VM_FULL:-0}" = 1 ] && parts="tests/vm/layouts.bats tests/vm/layouts-more.bats tests/vm/shrink.bats tests/vm/shrink-more.bats tests/vm/cuts.sh
	tests/vm/boot.bats tests/vm/boot-md.bats tests/vm/boot-control.bats"
for f in ${VM_PARTS:-$parts}; do
	[ -f "$f" ] || continue
	t0=$(date +%s)
	case $f in
	*.bats) bats --tap "$f" > "$tap.one" 2>&1 || st=1 ;;
	*) bash "$f" > "$tap.one" 2>&1 || st=1 ;;
	esac
	cat "$tap.one"
	cat "$tap.one" >> "$tap"
	echo "# $f: $(( $(date +%s) - t0 )) s" | tee -a build/vm/timings.txt
done
p=$(grep -c '^ok ' "$tap" | tr -d ' '); f=$(grep -c '^not ok ' "$tap" | tr -d ' ')
s=$(grep -c '^ok .* # skip' "$tap" | tr -d ' ')
[ "$st" != 0 ] && [ "$f" = 0 ] && f=1
echo
echo "check-vm: $((p - s)) passed, $f failed, $s skipped in $(( $(date +%s) - start )) s"
[ "$f" = 0 ]
