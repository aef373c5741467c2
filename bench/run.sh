#!/usr/bin/env bash
# make bench: BPF cost, start-up, memory and wall-clock overhead of ttytop next
# to the bpftrace anchors (../shared/anchors). See bench/README.md.
# Reports PASS/FAIL against the targets but exits 0 whatever they say; exits
# non-zero only when it cannot measure (missing prerequisites).
set -u
cd "$(dirname "$0")/.."
OUT=bench/out
PIDFILE=$OUT/tracers.pid
SYSCTL=/proc/sys/kernel/bpf_stats_enabled
ANCHORS=${BENCH_ANCHORS:-../shared/anchors}
TTYTOP_CMD=${TTYTOP_CMD:-./ttytop --json --interval 1 -T 10}
export BENCH_ANCHORS=$ANCHORS TTYTOP_CMD

missing=()
[ "$(id -u)" -eq 0 ] || missing+=("root (run: sudo make bench)")
for tool in bpftrace bpftool python3 cc; do
	command -v "$tool" >/dev/null 2>&1 || missing+=("$tool (sudo make deps)")
done
[ -w "$SYSCTL" ] || [ "$(id -u)" -ne 0 ] || missing+=("writable $SYSCTL (kernel without BPF stats?)")
for f in empty.bt ttylat.bt; do
	[ -r "$ANCHORS/$f" ] || missing+=("anchor $ANCHORS/$f")
done
set -- $TTYTOP_CMD
[ -x "$1" ] || command -v "$1" >/dev/null 2>&1 || missing+=("tracer under test '$1' (make ttytop)")
if [ ${#missing[@]} -gt 0 ]; then
	echo "bench: cannot run, missing:" >&2
	printf '  - %s\n' "${missing[@]}" >&2
	exit 1
fi

mkdir -p "$OUT"
if [ ! -x "$OUT/wr" ] || [ bench/wr.c -nt "$OUT/wr" ]; then
	cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -o "$OUT/wr" bench/wr.c || exit 1
fi

old_stats=$(cat "$SYSCTL")
bench_pid=
cleanup() {
	trap - EXIT INT TERM HUP
	[ -n "$bench_pid" ] && kill -INT "$bench_pid" 2>/dev/null && wait "$bench_pid" 2>/dev/null
	# Tracers the python driver could not stop itself (it was killed): only
	# pids it recorded, and only if they are still a tracer we started.
	if [ -s "$PIDFILE" ]; then
		while read -r pid; do
			case "$(cat /proc/"$pid"/comm 2>/dev/null)" in
			bpftrace | ttytop) kill -KILL "$pid" 2>/dev/null ;;
			esac
		done <"$PIDFILE"
		: >"$PIDFILE"
	fi
	sysctl -qw kernel.bpf_stats_enabled="$old_stats" ||
		echo "bench: could not restore kernel.bpf_stats_enabled=$old_stats" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

sysctl -qw kernel.bpf_stats_enabled=1 || { echo "bench: cannot enable kernel.bpf_stats_enabled" >&2; exit 1; }
python3 bench/bench.py &
bench_pid=$!
wait "$bench_pid"
rc=$?
bench_pid=
exit "$rc"
