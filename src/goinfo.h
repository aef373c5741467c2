/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Is a process Go, which version, and where its goroutine pointer lives. */
#ifndef TTYTOP_GOINFO_H
#define TTYTOP_GOINFO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../bpf/ttytop.h"

struct tt_goinfo {
	int major, minor, patch; /* 1, 19, 8 */
	char version[32];        /* "go1.19.8" */
	struct tt_go_proc off;   /* what the BPF side needs */
	int goid_from_dwarf;     /* 1 if goid_off came from DWARF */
};

/*
 * 1 and *out filled if /proc/PID/exe (through /proc/PID/root for containers)
 * is a Go binary we can read goroutines from, 0 if it is not Go, -errno on error.
 */
int tt_goinfo_for_pid(pid_t pid, struct tt_goinfo *out);
/*
 * /proc/PID/exe opened (through /proc/PID/root when the link does not
 * open: another mount namespace), never a deleted file's namesake. fd or
 * -errno (-ESRCH: no such process).
 */
int tt_proc_open_exe(pid_t pid);
/* Same, for a file path (used by tests and the fuzzers' harness). */
int tt_goinfo_for_file(const char *path, struct tt_goinfo *out);
/* Same, for an open file (the executable of a process that is gone: early.c). */
int tt_goinfo_for_fd(int fd, struct tt_goinfo *out);

/* Parse a version string "go1.21.3" / "go1.22rc1"; 0 on success. */
int tt_go_parse_version(const char *s, int *major, int *minor, int *patch);

/* Offsets for a Go version from the one version table (no DWARF). */
int tt_go_offsets_for_version(int major, int minor, struct tt_go_proc *off);

/*
 * The offsets in runtime.g, gobuf, stack and m that the goroutine reader
 * (goroutines.c) needs beyond what the BPF side does.
 */
struct tt_go_goff {
	uint16_t stack_lo, stack_hi; /* g.stack.lo, g.stack.hi */
	uint16_t goid, atomicstatus, waitreason, waitsince;
	uint16_t m, sched, syscallsp, syscallpc;
	uint16_t gobuf_sp, gobuf_pc, gobuf_lr; /* inside g.sched */
	uint16_t m_procid;
	/*
	 * g.trackingSeq (one byte, Go 1.17+): moves each time the goroutine
	 * stops running, so two reads with the same value saw one wait, not two
	 * alike. 0 = unknown (a version neither DWARF nor the table covers).
	 */
	uint16_t tracking_seq;
};

/* The same version table's rows for them. 0 or -ENOTSUP. */
int tt_go_goff_for_version(int major, int minor, struct tt_go_goff *o);
/*
 * From the binary's own DWARF when it states every one (1), else the
 * version table (0), else -ENOTSUP.
 */
int tt_go_goff_for_fd(int fd, int major, int minor, struct tt_go_goff *o);

#endif
