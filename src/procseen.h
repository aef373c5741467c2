/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Processes already inspected (maps, Go runtime layout). The kernel says
 * "new writer" once per process and terminal, so a process that writes to
 * thousands of terminals would otherwise be inspected thousands of times; a
 * pid reused by another process is told apart by its start time, and a
 * process that exec()ed another program (same pid and start time) by its comm.
 */
#ifndef TTYTOP_PROCSEEN_H
#define TTYTOP_PROCSEEN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define TT_PROCSEEN_SLOTS 4096 /* direct-mapped: a collision only costs a repeat */

struct tt_procseen {
	struct {
		uint32_t pid;
		uint64_t start; /* /proc/PID/stat starttime, clock ticks since boot */
		char comm[16];
	} e[TT_PROCSEEN_SLOTS];
};

/* The start time of pid from /proc, or 0 when it is gone or unreadable. */
uint64_t tt_proc_start_time(pid_t pid);

/*
 * True when (pid, start, comm) was seen before; else records it and returns
 * false. start 0 (unknown) is never "seen": such a process is inspected each
 * time.
 */
bool tt_procseen_check(struct tt_procseen *s, uint32_t pid, uint64_t start, const char *comm);

/* Parse the starttime field (22) of a /proc/PID/stat line; 0 if malformed. */
uint64_t tt_parse_stat_start(const char *line);

#endif
