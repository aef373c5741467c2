# The arm64 guest's part of tests/vm/test_arm64.sh, run by busybox sh as cmd.sh
# (no bash, no python: the initramfs holds busybox and static programs alone).
# Each case runs ttytop --json around one workload and leaves in /vmout:
#   CASE.ndjson   ttytop's documents      CASE.err  its stderr   CASE.ttrc  its exit
#   CASE.meta     what the workload did (ptywork's JSON)
#   CASE.out      what a program wrote to its pty (run cases)
# The host judges them (check.py). Without /bin/ttytop the workloads run alone, so
# the harness itself is proven before the dist binary exists.
# O and BIN can be given to try this script on the host with host-built programs.
O=${O:-/vmout} BIN=${BIN:-/bin}
tt=$BIN/ttytop
[ -x $tt ] || tt=
echo "# guest: $(uname -r) $(uname -m), ttytop ${tt:-absent}"
[ -n "$tt" ] && $tt --version

# start_tt CASE ARGS...: ttytop in the background, back once its first document is
# out (an old verifier under emulation takes long: up to 120 s)
start_tt() {
	c=$1
	shift
	ttpid=
	[ -n "$tt" ] || return 0
	$tt --json --interval 0.25 "$@" >$O/$c.ndjson 2>$O/$c.err &
	ttpid=$!
	i=0
	while [ ! -s $O/$c.ndjson ]; do
		if ! kill -0 $ttpid 2>/dev/null; then
			wait $ttpid
			echo $? >$O/$c.ttrc
			ttpid=
			return 1
		fi
		i=$((i + 1))
		[ $i -gt 1200 ] && break
		usleep 100000
	done
	echo "# $c: ttytop up after $((i / 10)).$((i % 10)) s"
}

stop_tt() {
	[ -n "$ttpid" ] || return 0
	kill -INT $ttpid
	wait $ttpid
	echo $? >$O/$c.ttrc
}

# wait_file F SECONDS: F has been written
wait_file() {
	i=0
	while [ ! -s "$1" ] && [ $i -lt $(($2 * 10)) ]; do
		usleep 100000
		i=$((i + 1))
	done
	[ -s "$1" ]
}

# run_case CASE "TTYTOP ARGS" PTYWORK-ARGS...: the workload keeps its pty 4 s past
# its META, and ttytop is stopped 1.5 s into that (six documents more)
run_case() {
	c=$1 targs=$2
	shift 2
	t0=$(date +%s)
	rm -f $O/$c.*
	# shellcheck disable=SC2086 # the ttytop arguments are words
	start_tt $c $targs || {
		echo "# $c: ttytop exited before its first document"
		return
	}
	$BIN/ptywork -h 4000 "$@" &
	pw=$!
	wait_file $O/$c.meta 240 || echo "# $c: no META within 240 s"
	sleep 1.5
	stop_tt
	wait $pw
	echo "# $c: ptywork $?, $(($(date +%s) - t0)) s"
}

run_case exact_counts "-T 1000" exact $O/exact_counts.meta 200 100
run_case paused_reader_blocks_300ms "-T 50" paused $O/paused_reader_blocks_300ms.meta 300
for m in marquee marquee-cgo; do
	[ -x $BIN/$m ] || continue
	run_case go_$m "-T 0 -c $m" run $O/go_$m.meta $O/go_$m.out \
		$BIN/$m -interval 40 -count 30 -size 200 -writers 3 -vary
done
echo "# guest: done at $(cut -d' ' -f1 /proc/uptime) s of uptime"
