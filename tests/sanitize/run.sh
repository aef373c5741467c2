#!/usr/bin/env bash
# ttytop under AddressSanitizer, UndefinedBehaviorSanitizer and LeakSanitizer
# (make sanitize builds build/san/): every unit test, then the dashboard and live
# --json sessions of sessions.py. A check passes only when the program did what
# it should and no sanitizer reported anything: ASan and LSan write their reports
# under log_path, UBSan (with ASan in the process) on stderr, so both are read.
# Prints PASS/FAIL/SKIP lines for tests/run.sh; logs in build/test-logs/sanitize/.
set -u
cd "$(dirname "$0")/../.."
san=build/san
logs=${TTYTOP_SAN_LOGS:-build/test-logs/sanitize}
report_re='^==[0-9]+==ERROR: [A-Za-z]+Sanitizer|runtime error: |^SUMMARY: [A-Za-z]+Sanitizer'

if [ ! -x "$san/ttytop" ] || ! ls "$san"/tests/test_* >/dev/null 2>&1; then
	echo "FAIL sanitize: $san not built (make sanitize)"
	exit 0
fi
rm -rf "$logs"
mkdir -p "$logs"

# san_run DIR CMD...: CMD with the sanitizers' options, reports in DIR
san_run() {
	local d=$1
	shift
	mkdir -p "$d"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1:log_path=$d/asan \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$d/ubsan "$@"
}

# reports DIR OUTPUT: the first line of each report, one a line
reports() {
	local f
	for f in "$1"/asan* "$1"/ubsan*; do
		[ -e "$f" ] || continue
		echo "$(basename "$f"): $(grep -m1 -E "$report_re" "$f" || head -c 200 "$f")"
	done
	grep -E "$report_re" "$2" | head -5
}

for t in "$san"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	d=$logs/unit/$name
	out=$d/output
	mkdir -p "$d"
	san_run "$d" timeout 300 "$t" >"$out" 2>&1
	rc=$?
	rep=$(reports "$d" "$out")
	p=$(grep -Eo '^\[  PASSED  \] [0-9]+' "$out" | grep -Eo '[0-9]+$' | tail -1)
	s=$(grep -Eo '^\[  SKIPPED \] [0-9]+' "$out" | grep -Eo '[0-9]+$' | tail -1)
	failed=$(grep -E '^\[  FAILED  \] [a-z_]' "$out" | sed 's/^\[  FAILED  \] //' | sort -u | tr '\n' ' ')
	if [ -n "$rep" ]; then
		echo "FAIL sanitize/unit/$name: $(echo "$rep" | wc -l) sanitizer report(s), see $d: $(echo "$rep" | head -2 | tr '\n' ' ')"
	elif [ -n "$failed" ]; then
		echo "FAIL sanitize/unit/$name: cmocka failed ${failed% }, see $out"
	elif [ $rc -ne 0 ] || ! grep -q '^\[==========\] [0-9]* test(s) run' "$out"; then
		echo "FAIL sanitize/unit/$name: exit $rc before cmocka's summary, see $out"
	else
		echo "PASS sanitize/unit/$name (${p:-0} passed, ${s:-0} skipped, no reports)"
	fi
done

./tests/sanitize/sessions.py "$logs"
