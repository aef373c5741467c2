#!/usr/bin/env bash
# Runs inside a test VM (tests/vm/boot.sh starts it as /vmout/cmd.sh): the test
# scripts named on the command line, each case prefixed with the kernel's name
# ("6.1/paused_reader_blocks_300ms"), after a first case that ttytop loads at all.
#   guest.sh KERNEL-NAME SCRIPT...
set -u
name=$1
shift
cd "$(dirname "$0")/../.."
export TTYTOP_CASE_PREFIX="$name/"
echo "# $name: $(uname -r), $(nproc) CPUs"
if out=$(./ttytop --check 2>&1); then
	echo "PASS ${name}/check"
else
	echo "FAIL ${name}/check: $(echo "$out" | grep '^result' | sed 's/^result: *//')"
fi
echo "$out" | sed 's/^/# /'
for s in "$@"; do
	start=$(date +%s)
	timeout 900 "$s" 2>&1
	rc=$?
	[ $rc -ne 0 ] && echo "FAIL ${name}/$(basename "$s"): exited with $rc"
	echo "# $(basename "$s"): $(($(date +%s) - start)) s"
done
