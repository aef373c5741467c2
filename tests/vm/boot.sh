#!/usr/bin/env bash
# Boot one kernel of kernels.list under qemu (software emulation) with this machine's
# root shared read-only over 9p, run OUTDIR/cmd.sh inside as root, and power off.
#   boot.sh NAME OUTDIR [TIMEOUT-SECONDS]
# The guest writes OUTDIR/log (cmd.sh's output) and OUTDIR/rc; the console goes to
# OUTDIR/console.log. The guest gets two more UARTs: ttyS1, whose far end is
# serial_peer.py here on the host (it drains, stalls or sends XOFF into it), and ttyS2,
# the line on which the test inside tells serial_peer.py what to do.
# Exit: cmd.sh's status; 3 when the kernel cannot be fetched; 124 on timeout.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
name=$1 out=$2 limit=${3:-900}
dir=$("$here/kernel.sh" "$name") || exit $?
read -r _ _ arch _ <"$dir/kernel"
# OUTDIR/initrd.files (lines "SRC DST") puts programs into the initramfs; such a guest
# gets no host root and runs cmd.sh with busybox sh alone (static programs only)
extra=()
if [ -f "$out/initrd.files" ]; then
	while read -r src dst; do
		[ -n "$src" ] && extra+=("$src:$dst")
	done <"$out/initrd.files"
fi
"$here/mkinitrd.sh" image "$dir/modules" "$arch" "$out/initrd.cpio.gz" "${extra[@]}" || exit 1
rm -f "$out/rc" "$out/log" "$out/console.log" "$out"/ttyS[12].{in,out}
for f in ttyS1.in ttyS1.out ttyS2.in ttyS2.out; do mkfifo "$out/$f"; done
"$here/serial_peer.py" "$out" 2>"$out/serial_peer.log" &
peer=$!
trap 'kill $peer 2>/dev/null; rm -f "$out"/ttyS[12].{in,out}' EXIT
case $arch in
amd64)
	# one host thread for both vCPUs: with multi-threaded TCG a 5.10 guest froze twice
	# in 2 runs with one CPU in asm_exc_int3 (the breakpoint of the kernel's live text
	# patching, as a tracepoint is attached or detached) and the other spinning on a
	# lock with interrupts off; cross-modifying code between vCPU threads is where
	# parallel TCG is weakest. Slower, and still two CPUs to the guest.
	qemu=(qemu-system-x86_64 -machine q35 -accel tcg,thread=single -cpu max)
	console=ttyS0
	;;
arm64)
	qemu=(qemu-system-aarch64 -machine virt -accel tcg,thread=single -cpu max)
	console=ttyAMA0
	;;
esac
# 9p of the host root: only when there is something to run from it (amd64 guests)
share=()
[ "$arch" = amd64 ] && [ ! -f "$out/initrd.files" ] && share=(-virtfs "local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap")
timeout --foreground -k 10 "$limit" "${qemu[@]}" -m "${TTYTOP_VM_MEM:-2G}" -smp "${TTYTOP_VM_CPUS:-2}" \
	-display none -monitor "unix:$out/monitor.sock,server=on,wait=off" -no-reboot -nodefaults \
	-kernel "$dir/vmlinuz" -initrd "$out/initrd.cpio.gz" \
	-append "console=$console panic=-1 loglevel=7 softlockup_all_cpu_backtrace=1 nokaslr ${TTYTOP_VM_APPEND:-}" \
	-serial "file:$out/console.log" \
	-chardev "pipe,id=s1,path=$out/ttyS1" -serial chardev:s1 \
	-chardev "pipe,id=s2,path=$out/ttyS2" -serial chardev:s2 \
	"${share[@]}" \
	-virtfs "local,path=$out,mount_tag=out,security_model=none,multidevs=remap" \
	</dev/null >"$out/qemu.log" 2>&1 &
qemu=$!
# a guest that stops making progress (its log unchanged for `stall` seconds) has its
# CPUs' state dumped to hang.log through the monitor, then is stopped: a hang must
# say where it was, not just time out (nokaslr + the guest's kallsyms.txt name the RIPs)
stall=${TTYTOP_VM_STALL:-300}
last=$(date +%s) size=-1
while kill -0 $qemu 2>/dev/null; do
	sleep 5
	now=$(date +%s) cur=$(stat -c %s "$out/log" 2>/dev/null || echo 0)
	if [ "$cur" != "$size" ]; then
		size=$cur last=$now
	elif [ $((now - last)) -ge "$stall" ]; then
		{
			echo "no output for ${stall}s; CPU state:"
			printf 'info cpus\ninfo registers -a\n' |
				timeout 10 python3 -c 'import socket,sys,time; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(sys.stdin.read().encode()); time.sleep(3); s.settimeout(2); print(s.recv(1<<20).decode(errors="replace"))' "$out/monitor.sock"
		} >"$out/hang.log" 2>&1
		kill $qemu
		break
	fi
done
wait $qemu
rc=$?
[ -s "$out/hang.log" ] && { echo "boot.sh: $name made no progress for ${stall}s (CPU state in hang.log)" >&2; exit 124; }
[ $rc -eq 124 ] && { echo "boot.sh: $name did not power off within ${limit}s" >&2; exit 124; }
[ -f "$out/rc" ] || { echo "boot.sh: $name: the guest ran nothing (qemu $rc); console:" >&2; tail -20 "$out/console.log" >&2; exit 1; }
exit "$(cat "$out/rc")"
