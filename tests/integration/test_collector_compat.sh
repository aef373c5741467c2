#!/usr/bin/env bash
# The collector suite again with the fallback entry programs (bpf_probe_read
# instead of bpf_rdonly_cast), the path kernels without the kfunc take.
prefix=${TTYTOP_CASE_PREFIX:-}compat/
if ! bpftool btf dump file /sys/kernel/btf/vmlinux 2>/dev/null | grep -q "] FUNC 'bpf_rdonly_cast'"; then
	echo "SKIP ${prefix}collector: this kernel has no bpf_rdonly_cast, so the default run already took the probe_read path"
	exit 0
fi
export TTYTOP_NO_RDONLY_CAST=1 TTYTOP_CASE_PREFIX=$prefix
exec "$(dirname "$0")/test_collector.py"
