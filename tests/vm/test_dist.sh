#!/usr/bin/env bash
# The x86-64 dist binary on a system that has nothing else: a guest whose root is
# an initramfs holding busybox and that one file (no /lib, no libc, no terminfo).
# There it must attach (--check) and count a pty workload exactly: a script run by
# busybox telnetd on a pty (telnetd is busybox's one way to open a pty) makes N
# writes of 1 byte each, and ttytop --json, filtered on its name, must have seen
# exactly N writes and N bytes on that pty, from it alone.
#   tests/vm/test_dist.sh [KERNEL-NAME]      (default 6.1, from kernels.list)
# Prints PASS/FAIL/SKIP dist/... lines and "# dist: N passed, N failed, N skipped".
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
kernel=${1:-6.1}
n=${TTYTOP_DIST_WRITES:-500}
version=$(sed -n 's/^VERSION := //p' "$root/Makefile")
bin=$root/dist/ttytop-$version-linux-x86_64
pass=0 fail=0 skip=0
report() { # KIND NAME [WHY]
	echo "$1 dist/$2${3:+: $3}"
	case $1 in PASS) pass=$((pass + 1)) ;; FAIL) fail=$((fail + 1)) ;; SKIP) skip=$((skip + 1)) ;; esac
}
finish() {
	echo "# dist: $pass passed, $fail failed, $skip skipped"
	exit 0
}

if [ ! -x "$bin" ]; then
	report FAIL built "$bin is missing (make dist)"
	finish
fi
# a static executable: no program interpreter, no library to load
if interp=$(readelf -lW "$bin" 2>&1 | grep -i 'interpreter'); then
	report FAIL static "$bin asks for a program interpreter: $interp"
elif needed=$(readelf -dW "$bin" 2>&1 | grep '(NEEDED)'); then
	report FAIL static "$bin needs shared libraries: $(echo "$needed" | tr -s ' \n' ' ')"
elif ! readelf -hW "$bin" | grep -q 'Machine:.*X86-64'; then
	report FAIL static "$bin is not an x86-64 executable"
else
	report PASS static
fi

out=$(mktemp -d /tmp/ttytop-dist.XXXXXX)
trap 'rm -rf "$out"' EXIT
echo "$bin /bin/ttytop" >"$out/initrd.files"
# the writer is a script of its own name, so that --comm picks out its writes alone
cat >"$out/ttwriter" <<EOF
#!/bin/sh
tty >/tmp/writer-tty
i=0
while [ \$i -lt $n ]; do echo -n x; i=\$((i + 1)); done
echo done >/tmp/writer-done
sleep 2
EOF
cat >"$out/cmd.sh" <<EOF
# busybox sh, in a guest of busybox and ttytop alone
echo "# guest: \$(uname -r), \$(nproc) CPUs"
echo "LIBS: \$(find / -xdev \( -name 'ld-linux*' -o -name 'libc.so*' -o -name '*.so' -o -name '*.so.*' \) 2>/dev/null | tr '\n' ' ')"
echo "TERMINFO-DIRS: \$(ls -d /usr/share/terminfo /lib/terminfo /etc/terminfo 2>/dev/null | tr '\n' ' ')"
ttytop --check >/tmp/check.out 2>&1
echo "CHECK-RC: \$?"
sed 's/^/# check: /' /tmp/check.out
cp /vmout/ttwriter /bin/ttwriter && chmod 0755 /bin/ttwriter
ip link set lo up
telnetd -F -K -b 127.0.0.1 -p 2323 -l /bin/ttwriter &
telnetd=\$!
ttytop --json -c ttwriter -d 1 >/tmp/doc.ndjson 2>/tmp/ttytop.err &
tt=\$!
# the first document says tracing is attached
i=0
while [ ! -s /tmp/doc.ndjson ] && [ \$i -lt 600 ] && kill -0 \$tt 2>/dev/null; do sleep 0.2; i=\$((i + 1)); done
[ -s /tmp/doc.ndjson ] || echo "NO-DOCUMENT: \$(cat /tmp/ttytop.err)"
# nc is the telnet peer: it reads the pty's output so the writer never waits for room
(sleep 8) | nc 127.0.0.1 2323 >/tmp/peer.out &
peer=\$!
i=0
while [ ! -f /tmp/writer-done ] && [ \$i -lt 300 ]; do sleep 0.2; i=\$((i + 1)); done
sleep 3 # two more documents: everything the writer did has been counted
kill -INT \$tt
wait \$tt
echo "TTYTOP-RC: \$?"
kill \$telnetd \$peer 2>/dev/null
echo "WRITER-TTY: \$(cat /tmp/writer-tty 2>/dev/null)"
echo "WRITER-DONE: \$(cat /tmp/writer-done 2>/dev/null)"
echo "PEER-X: \$(tr -cd x </tmp/peer.out | wc -c)"
sed 's/^/# ttytop: /' /tmp/ttytop.err
echo "JSON: \$(tail -n 1 /tmp/doc.ndjson)"
EOF

start=$(date +%s)
"$here/boot.sh" "$kernel" "$out" 600 2>"$out/boot.err"
rc=$?
if [ $rc -eq 3 ]; then
	report SKIP check "kernel $kernel cannot be fetched: $(tail -1 "$out/boot.err")"
	finish
fi
grep '^#' "$out/log" 2>/dev/null | grep -v '^# check: ' | head -5
if [ ! -s "$out/log" ]; then
	report FAIL check "the guest ran nothing (boot.sh $rc): $(tail -3 "$out/boot.err" | tr '\n' ' ')"
	finish
fi

libs=$(sed -n 's/^LIBS: *//p' "$out/log")
tidirs=$(sed -n 's/^TERMINFO-DIRS: *//p' "$out/log")
if [ -n "${libs// /}" ] || [ -n "${tidirs// /}" ]; then
	report FAIL guest_has_nothing_else "the guest holds libraries or terminfo: $libs $tidirs"
else
	report PASS guest_has_nothing_else
fi

if [ "$(sed -n 's/^CHECK-RC: *//p' "$out/log")" = 0 ] && grep -q '^# check: result: *OK' "$out/log"; then
	report PASS check
else
	report FAIL check "ttytop --check: $(grep '^# check: ' "$out/log" | tail -3 | tr '\n' ' ')"
fi

why=$(python3 - "$out/log" "$n" <<'EOF'
import json, sys
log, n = sys.argv[1], int(sys.argv[2])
v = {}
for line in open(log, errors="replace"):
    k, sep, rest = line.partition(": ")
    if sep and k.replace("-", "").isalpha() and k.isupper():
        v.setdefault(k, rest.rstrip("\n"))
if v.get("WRITER-DONE") != "done":
    sys.exit(print("the writer did not finish its %d writes" % n))
tty = v.get("WRITER-TTY", "")
if not tty.startswith("/dev/pts/"):
    sys.exit(print("the writer's stdout is not a pty: %r" % tty))
if v.get("TTYTOP-RC") != "0":
    sys.exit(print("ttytop --json exited with %s" % v.get("TTYTOP-RC")))
try:
    doc = json.loads(v.get("JSON", ""))
except ValueError as e:
    sys.exit(print("no JSON document: %s (%r)" % (e, v.get("JSON", "")[:200])))
name = tty[len("/dev/"):]
rows = [t for t in doc.get("terminals", []) if t.get("name") == name]
if len(rows) != 1:
    sys.exit(print("%s is not one row of %s" % (name, [t.get("name") for t in doc.get("terminals", [])])))
t = rows[0]
got = (t.get("writes"), t.get("bytes"), t.get("errors"), t.get("short_writes"))
if got != (n, n, 0, 0):
    sys.exit(print("%s: writes, bytes, errors, short writes = %s, expected (%d, %d, 0, 0)" % (name, got, n, n)))
w = [(x.get("comm"), x.get("writes"), x.get("bytes")) for x in t.get("writers", [])]
if w != [("ttwriter", n, n)]:
    sys.exit(print("%s: writers %s, expected ttwriter alone with %d" % (name, w, n)))
if v.get("PEER-X") != str(n):
    sys.exit(print("the pty's reader got %s bytes of x, not %d" % (v.get("PEER-X"), n)))
if doc["totals"].get("writes") != n or doc["totals"].get("lost_writes", 0) != 0:
    sys.exit(print("totals: %s writes, %s lost; expected %d, 0" % (
        doc["totals"].get("writes"), doc["totals"].get("lost_writes"), n)))
EOF
)
if [ -z "$why" ]; then
	report PASS pty_counted_exactly
else
	report FAIL pty_counted_exactly "$why"
	grep -v '^JSON: ' "$out/log" | sed 's/^/#   /' | tail -20
fi
[ $rc -eq 124 ] && report FAIL boot "the guest did not power off within the limit"
echo "# dist: guest ($kernel) took $(($(date +%s) - start)) s"
finish
