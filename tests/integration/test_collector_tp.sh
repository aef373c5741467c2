#!/usr/bin/env bash
# The collector suite again with the tty-layer path turned off (TTYTOP_FENTRY=0):
# where the kernel lets fentry attach, ttytop times writes inside tty_write by
# default, and the syscall tracepoints (raw ones on PREEMPT_RT) that every other
# kernel takes must keep working there too. Where there is no tty-layer path
# the plain run already is the tracepoint one.
root=$(cd "$(dirname "$0")/../.." && pwd)
if ! "$root/ttytop" --check 2>/dev/null | grep -q '^syscall hooks: *none: fentry'; then
	echo "SKIP ${TTYTOP_CASE_PREFIX:-}tp/collector: no tty-layer path on this kernel ($(uname -r)): test_collector.py ran on the syscall tracepoints already"
	exit 0
fi
export TTYTOP_FENTRY=0 TTYTOP_CASE_PREFIX=${TTYTOP_CASE_PREFIX:-}tp/
exec "$root/tests/integration/test_collector.py"
