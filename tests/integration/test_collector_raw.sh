#!/usr/bin/env bash
# The collector suite again on the raw sys_enter/sys_exit hooks, the set that
# PREEMPT_RT kernels take (the RT guests of tests/vm run it by default; this
# proves it on the kernel at hand too).
export TTYTOP_RAW_SYSCALLS=1 TTYTOP_CASE_PREFIX=${TTYTOP_CASE_PREFIX:-}raw/
exec "$(dirname "$0")/test_collector.py"
