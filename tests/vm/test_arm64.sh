#!/usr/bin/env bash
# The arm64 suite: every kernel of tests/vm/kernels.list whose ARCH is arm64 boots
# under qemu-system-aarch64 (TCG) with an initramfs of busybox, the aarch64 dist
# binary and static workloads (tests/vm/arm64/), runs tests/vm/arm64/guest.sh there
# and is judged here on the host by tests/vm/arm64/check.py. Run on the host, not in
# a guest: tests/vm/run.sh's guests run this machine's own (x86) root, which an arm64
# guest cannot.
#   tests/vm/test_arm64.sh [NAME...]    the arm64 kernels of the list, or those named
# Prints "PASS 6.1-arm64/case" lines and "# 6.1-arm64: N passed, N failed, N skipped
# in S s" per kernel. TTYTOP_ARM64=FILE picks the binary (default: the newest
# dist/ttytop-*-linux-aarch64); without one the ttytop cases SKIP and the workloads
# still run (the harness case).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
fx=${TTYTOP_FIXTURES:-$root/tests/fixtures/bin}/arm64

TTYTOP_NO_NPM=1 "$root/tests/fixtures/build.sh" >/dev/null || echo "# arm64: tests/fixtures/build.sh failed"
tt=${TTYTOP_ARM64:-$(ls -t "$root"/dist/ttytop-*-linux-aarch64 2>/dev/null | head -1)}

want=" $* "
status=0
while read -r name _ arch _ _; do
	case $name in '' | \#*) continue ;; esac
	[ "$arch" = arm64 ] || continue
	[ $# -gt 0 ] && [[ $want != *" $name "* ]] && continue
	start=$(date +%s)
	if [ ! -x "$fx/ptywork" ]; then
		echo "SKIP $name/all: no arm64 workloads in $fx (aarch64-linux-gnu-gcc missing?)"
		continue
	fi
	if ! command -v qemu-system-aarch64 >/dev/null; then
		echo "SKIP $name/all: qemu-system-aarch64 not installed (qemu-system-arm)"
		continue
	fi
	out=$(mktemp -d /tmp/ttytop-arm64.XXXXXX)
	{
		echo "$fx/ptywork /bin/ptywork"
		for g in marquee marquee-cgo; do
			[ -x "$fx/$g" ] && echo "$fx/$g /bin/$g"
		done
		[ -n "$tt" ] && echo "$tt /bin/ttytop"
	} >"$out/initrd.files"
	[ -n "$tt" ] && echo "$tt" >"$out/ttytop.present"
	cp "$here/arm64/guest.sh" "$out/cmd.sh"
	# four cases of a few seconds each; the limit only catches a hung guest
	"$here/boot.sh" "$name" "$out" 900 2>"$out/boot.err"
	rc=$?
	booted=$(date +%s)
	if [ $rc -eq 3 ]; then
		echo "SKIP $name/all: $(tail -1 "$out/boot.err")"
		rm -rf "$out"
		continue
	fi
	if [ ! -f "$out/rc" ]; then
		echo "FAIL $name/boot: the guest ran nothing (boot.sh $rc): $(tail -3 "$out/boot.err" | tr '\n' ' ')"
		res="0 passed, 1 failed, 0 skipped"
	else
		[ $rc -eq 124 ] && echo "FAIL $name/boot: the guest did not finish within the limit"
		python3 "$here/arm64/check.py" "$out" "$name" >"$out/check.out" 2>"$out/check.err"
		grep -E '^(PASS|FAIL|SKIP) ' "$out/check.out"
		res=$(sed -n 's/^# \(.*\)$/\1/p' "$out/check.out" | tail -1)
		[ -n "$res" ] || { echo "FAIL $name/check: check.py: $(tail -1 "$out/check.err")"; res="0 passed, 1 failed, 0 skipped"; }
		[ $rc -eq 124 ] && res=$(echo "$res" | awk '{ $3 = $3 + 1; print }')
		# when the kernel was up and how long each case took, from the guest
		up=$(grep -m1 'Run /init' "$out/console.log" | sed 's/^\[ *\([0-9.]*\)\].*/\1/')
		echo "# $name: kernel up at ${up:-?} s (guest clock); $(grep '^# ' "$out/log" | sed 's/^# //' | tr '\n' ';')"
	fi
	echo "# $name: $res in $((booted - start)) s"
	if [[ $res != *" 0 failed"* ]]; then
		status=1
		mkdir -p "$root/build/test-logs/vm-$name"
		cp "$out"/*.log "$out"/log "$out"/*.ndjson "$out"/*.meta "$out"/*.err "$out"/check.* \
			"$root/build/test-logs/vm-$name/" 2>/dev/null
		echo "# $name: guest logs in build/test-logs/vm-$name/"
	fi
	rm -rf "$out"
done <"$here/kernels.list"
# the FAIL lines carry the verdict (tests/run.sh counts them); the status repeats it
exit $status
