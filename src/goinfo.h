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
	char version[32];	 /* "go1.19.8" */
	struct tt_go_proc off;	 /* what the BPF side needs */
	int goid_from_dwarf;	 /* 1 if goid_off came from DWARF */
};

/*
 * 1 and *out filled if /proc/PID/exe (through /proc/PID/root for containers)
 * is a Go binary we can read goroutines from, 0 if it is not Go, -errno on error.
 */
int tt_goinfo_for_pid(pid_t pid, struct tt_goinfo *out);
/* Same, for a file path (used by tests and the fuzzers' harness). */
int tt_goinfo_for_file(const char *path, struct tt_goinfo *out);
/* Same, for an open file (the executable of a process that is gone: early.c). */
int tt_goinfo_for_fd(int fd, struct tt_goinfo *out);

/* Parse a version string "go1.21.3" / "go1.22rc1"; 0 on success. */
int tt_go_parse_version(const char *s, int *major, int *minor, int *patch);

/* Offsets for a Go version from the one version table (no DWARF). */
int tt_go_offsets_for_version(int major, int minor, struct tt_go_proc *off);

#endif
