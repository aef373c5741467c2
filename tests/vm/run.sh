#!/usr/bin/env bash
# The kernel matrix: every kernel of tests/vm/kernels.list boots under qemu over this
# machine's root and runs its test set there (guest.sh). Prints the cases as
# "PASS 6.1/name", "FAIL 6.12-rt/name: why", "SKIP 5.10/name: why" for tests/run.sh to
# count, and one "# 6.1: N passed, N failed, N skipped" line per kernel.
#   tests/vm/run.sh [NAME...]      all kernels of the list, or the ones named
# A kernel that cannot be fetched is one SKIP with the reason; one whose guest does not
# come up, or on which ttytop does not load, is a FAIL.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

# the suites kernels.list names, in the order a guest runs them
declare -A suite_script=(
	[collector]=tests/integration/test_collector.py
	[inflight]=tests/integration/test_inflight.py
	[compat]=tests/integration/test_collector_compat.sh
	[tracepoint]=tests/integration/test_collector_tp.sh
	[schema]=tests/integration/test_schema.py
	[stacks]=tests/integration/test_stacks.py
	[serial]=tests/vm/test_serial.py
	[scale]=tests/integration/test_scale.py
	[tui]=tests/tui/test_tui.py
	[ticks]=tests/integration/test_ticks.py
	[firstwrites]=tests/integration/test_firstwrites.py
	[threads]=tests/integration/test_threads.py
	[faults]=tests/integration/test_faults.py
)
suite_order=(collector tracepoint inflight compat schema stacks firstwrites threads faults ticks serial scale tui)

# Boot one prepared kernel and report on it (stdout is its part of the summary).
boot_one() {
	local name=$1 out=$2 kdir=$3 rc start bad p f s
	start=$(date +%s)
	# a full set takes ~10 min under emulation, a core one ~5; the limit only catches hangs
	"$here/boot.sh" "$name" "$out" 1500 2>"$out/boot.err"
	rc=$?
	grep -E '^(PASS|FAIL|SKIP) ' "$out/log" 2>/dev/null
	if ! grep -q "^[A-Z]* $name/check" "$out/log" 2>/dev/null; then
		echo "FAIL $name/boot: the guest ran no test (boot.sh $rc): $(tail -3 "$out/boot.err" | tr '\n' ' ')"
	elif [ $rc -eq 124 ]; then
		echo "FAIL $name/boot: the guest did not finish within the limit"
	fi
	# ttytop must not hurt the kernel it runs on: any lockup, stall or oops fails it
	bad=$(grep -E 'soft lockup|hard LOCKUP|rcu: INFO|self-detected stall|BUG:|Oops|WARNING: CPU|general protection|Kernel panic' \
		"$out/console.log" 2>/dev/null | head -3 | sed 's/^\[ *[0-9.]*\] //' | tr '\n' ';')
	p=$(grep -c '^PASS ' "$out/log" 2>/dev/null)
	f=$(grep -c '^FAIL ' "$out/log" 2>/dev/null)
	if [ -n "$bad" ]; then
		echo "FAIL $name/kernel_health: the guest kernel reported: $bad"
		f=$((${f:-0} + 1))
	else
		echo "PASS $name/kernel_health"
		p=$((${p:-0} + 1))
	fi
	s=$(grep -c '^SKIP ' "$out/log" 2>/dev/null)
	# how long each suite took there: what to look at when make test gets slow
	sed -n "s|^# \(test_[^:]*\): \([0-9]* s\)$|# $name/\1: \2|p" "$out/log" 2>/dev/null
	echo "# $name ($(awk '{print $4}' "$kdir/kernel")): ${p:-0} passed, ${f:-0} failed, ${s:-0} skipped in $(($(date +%s) - start)) s"
	# keep the guest's logs of a failed kernel where the host's logs are
	if [ "${f:-0}" -gt 0 ] || [ $rc -ne 0 ]; then
		mkdir -p "$root/build/test-logs/vm-$name"
		cp "$out"/*.log "$out"/log "$root/build/test-logs/vm-$name/" 2>/dev/null
		[ -s "$out/hang.log" ] && cp "$out/kallsyms.txt" "$root/build/test-logs/vm-$name/"
		echo "# $name: guest logs in build/test-logs/vm-$name/"
	fi
}

# Kernels are fetched one after the other (kernels of one suite share its apt
# lists), then booted TTYTOP_VM_JOBS at a time: a guest under emulation spends
# most of its time waiting in the tests' sleeps and timeouts, so two overlap well
# on two host CPUs. Reports are printed in the list's order.
jobs=${TTYTOP_VM_JOBS:-2}
outs=()
want=" $* "
while read -r name suite arch meta tests; do
	case $name in '' | \#*) continue ;; esac
	[ $# -gt 0 ] && [[ $want != *" $name "* ]] && continue
	out=$(mktemp -d /tmp/ttytop-vm.XXXXXX)
	outs+=("$out")
	if [ "$arch" != amd64 ]; then
		echo "SKIP $name/all: $arch guests run static programs only, not this suite" >"$out/report"
		continue
	fi
	kdir=$("$here/kernel.sh" "$name" 2>"$out/fetch.err")
	rc=$?
	if [ $rc -ne 0 ]; then
		if [ $rc -eq 3 ]; then
			echo "SKIP $name/all: cannot fetch $meta from $suite: $(tail -1 "$out/fetch.err")"
		else
			echo "FAIL $name/all: preparing the kernel failed: $(tail -1 "$out/fetch.err")"
		fi >"$out/report"
		continue
	fi
	set_=()
	for t in "${suite_order[@]}"; do
		[[ ",$tests," == *",$t,"* ]] && set_+=("${suite_script[$t]}")
	done
	for t in ${tests//,/ }; do
		[ -n "${suite_script[$t]:-}" ] || echo "FAIL $name/kernels.list: unknown suite '$t'"
	done >"$out/report.pre"
	printf '#!/bin/bash\nexec %q/tests/vm/guest.sh %q' "$root" "$name" >"$out/cmd.sh"
	printf ' %q' "${set_[@]/#/$root/}" >>"$out/cmd.sh"
	echo >>"$out/cmd.sh"
	printf '%s\n' "$name" "$kdir" >"$out/job"
done <"$here/kernels.list"

running=0
for out in "${outs[@]}"; do
	[ -f "$out/job" ] || continue
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
	{ mapfile -t job <"$out/job"; cat "$out/report.pre"; boot_one "${job[0]}" "$out" "${job[1]}"; } \
		>"$out/report" 2>&1 &
	running=$((running + 1))
done
wait
for out in "${outs[@]}"; do
	cat "$out/report" 2>/dev/null
	rm -rf "$out"
done
exit 0
