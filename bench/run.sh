#!/bin/bash
# make bench: every bench/*.sh, each printing its own comparison (ratios
# measured in one run against the tools people use by hand). Results are
# also written to build/bench.txt for the README.
set -u
cd "$(dirname "$0")/.."
out=build/bench.txt
mkdir -p build
{
	echo "# rescuectl bench, $(date -u +%Y-%m-%d), $(nproc) cores, $(uname -r)"
	echo "binary: $(stat -c %s rescuectl) bytes, stripped $(strip -o /tmp/rc.stripped rescuectl && stat -c %s /tmp/rc.stripped) bytes"
	for b in bench/[a-z]*.sh; do
		[ "$b" = bench/run.sh ] && continue
		echo
		echo "## $b"
		bash "$b" || echo "($b failed: exit $?)"
	done
} 2>&1 | tee "$out"
