#!/usr/bin/env bash
# The whole suite: cmocka unit tests, integration tests against the real BPF
# programs, TUI tests in tmux, and a short fuzz run. Ends with the line
# "N passed, N failed, N skipped" and a non-zero exit when anything failed.
set -u
cd "$(dirname "$0")/.."

pass=0
fail=0
skip=0
failed_names=()
log_dir=build/test-logs
t_start=$(date +%s)
t_phase=$t_start
phases=()
prep=""
# make test's start (Makefile: test-clock), when this run is part of one
t0_make=$(cat build/.test-start 2>/dev/null || echo "")
if [ -n "$t0_make" ] && [ "$t0_make" -le "$t_start" ] && [ $((t_start - t0_make)) -lt 7200 ]; then
	prep="packages, build, dist, fixtures (make test) $((t_start - t0_make)) s"
	t_start=$t0_make
fi
# phase NAME: close the phase before (its time goes in the summary) and say the next
phase() {
	local now
	now=$(date +%s)
	[ ${#phases[@]} -gt 0 ] && phases[-1]="${phases[-1]} $((now - t_phase)) s"
	t_phase=$now
	phases+=("$1")
	echo "== $1"
}
mkdir -p "$log_dir"

count_cmocka() { # $1 = name, $2 = log
	local p f s
	p=$(grep -Eo '^\[  PASSED  \] [0-9]+' "$2" | grep -Eo '[0-9]+$' | tail -1)
	f=$(grep -Eo '^\[  FAILED  \] [0-9]+' "$2" | grep -Eo '[0-9]+$' | tail -1)
	s=$(grep -Eo '^\[  SKIPPED \] [0-9]+' "$2" | grep -Eo '[0-9]+$' | tail -1)
	pass=$((pass + ${p:-0}))
	fail=$((fail + ${f:-0}))
	skip=$((skip + ${s:-0}))
	grep -E '^\[  (FAILED|SKIPPED) \] [a-z_]' "$2" | sed "s|^|  $1: |"
	[ -n "${f:-}" ] && [ "${f:-0}" -gt 0 ] && failed_names+=("$1")
}

phase "unit tests (cmocka)"
for t in build/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	log="$log_dir/$name.log"
	timeout 120 "$t" >"$log" 2>&1
	rc=$?
	if ! grep -q '^\[==========\]' "$log"; then
		echo "  $name: crashed or timed out (rc=$rc), see $log"
		fail=$((fail + 1))
		failed_names+=("$name")
		continue
	fi
	count_cmocka "$name" "$log"
	printf '  %-28s %s\n' "$name" "$(grep -E '^\[  PASSED  \]' "$log" | tail -1)"
done

run_script() { # $1 = script printing PASS/FAIL/SKIP lines, $2 = time limit (s)
	local s=$1 name log rc
	name=$(basename "$s"); name=${name%.*}
	[ "$name" = run ] && name=$(basename "$(dirname "$s")")
	log="$log_dir/$name.log"
	timeout "${2:-600}" "$s" >"$log" 2>&1
	rc=$?
	sed -n -E 's/^(PASS|FAIL|SKIP) /  \1 /p' "$log"
	pass=$((pass + $(grep -c '^PASS ' "$log")))
	local f
	f=$(grep -c '^FAIL ' "$log")
	fail=$((fail + f))
	skip=$((skip + $(grep -c '^SKIP ' "$log")))
	[ "$f" -gt 0 ] && failed_names+=("$name")
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "  $name: exited with $rc, see $log"
		tail -5 "$log" | sed 's/^/    /'
		fail=$((fail + 1))
		failed_names+=("$name")
	fi
}

phase "integration tests (real BPF, real ptys)"
for s in tests/integration/test_*; do
	[ -x "$s" ] && run_script "$s"
done

phase "TUI tests (tmux)"
for s in tests/tui/test_*; do
	[ -x "$s" ] && run_script "$s"
done

phase "sanitizers (ASan, UBSan, LSan)"
run_script tests/sanitize/run.sh 420

phase "kernels of tests/vm/kernels.list, booted under qemu"
if [ -n "${TTYTOP_SKIP_VM:-}" ]; then
	echo "  SKIP vm: TTYTOP_SKIP_VM is set (the kernel matrix is part of make test)"
	skip=$((skip + 1))
else
	# ~2 min per core kernel and ~5 min for the full one under emulation
	run_script tests/vm/run.sh 2700
	sed -n 's/^# \(.*passed.*\)/  \1/p' "$log_dir/vm.log"
	phase "the dist binaries alone: x86-64 in a busybox guest, aarch64 on Debian's arm64 kernels"
	run_script tests/vm/test_dist.sh 600
	sed -n 's/^# \(.*passed.*\)/  \1/p' "$log_dir/test_dist.log"
	run_script tests/vm/test_arm64.sh 1500
	sed -n 's/^# \(.*passed.*\)/  \1/p' "$log_dir/test_arm64.log"
fi

phase "fuzz (short run; make fuzz for a longer one)"
if [ -f fuzz/Makefile ]; then
	if make -s -C fuzz run FUZZ_SECONDS="${FUZZ_SECONDS:-40}" >"$log_dir/fuzz.log" 2>&1; then
		echo "  PASS fuzz"
		pass=$((pass + 1))
	else
		echo "  FAIL fuzz (see $log_dir/fuzz.log)"
		tail -5 "$log_dir/fuzz.log" | sed 's/^/    /'
		fail=$((fail + 1))
		failed_names+=("fuzz")
	fi
fi

phase "summary"
unset 'phases[-1]'
# the end of a long log is what a CI page shows: the times, and every failure again
echo "time: $(($(date +%s) - t_start)) s in all"
[ -n "$prep" ] && echo "  $prep"
printf '  %s\n' "${phases[@]}"
if [ ${#failed_names[@]} -gt 0 ]; then
	echo "failed: ${failed_names[*]}"
	cat "$log_dir"/*.log 2>/dev/null | grep -E '^(FAIL |\[  FAILED  \] [a-z_])' | cut -c1-300 | head -40 |
		sed 's/^/  /'
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
