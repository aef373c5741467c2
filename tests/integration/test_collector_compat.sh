#!/usr/bin/env bash
# The collector suite again with the fallback entry programs (bpf_probe_read
# instead of bpf_rdonly_cast), the path kernels without the kfunc take.
export TTYTOP_NO_RDONLY_CAST=1 TTYTOP_CASE_PREFIX=compat/
exec "$(dirname "$0")/test_collector.py"
