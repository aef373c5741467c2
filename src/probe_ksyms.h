/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The kernel symbols ttytop needs, read from /proc/kallsyms on a thread of
 * their own while the BPF programs load: the kernel takes 20-30 ms to list
 * ~120,000 symbols, a fifth of start-up, and nothing the load decides
 * depends on them (the programs read them from .bss, set before attaching).
 */
#ifndef TTYTOP_PROBE_KSYMS_H
#define TTYTOP_PROBE_KSYMS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tt_probe_report;

#define TT_KSYM_NAMES 6
#define TT_KSYM_IRQ_FNS 5

struct tt_ksyms_job {
	pthread_t thread;
	bool threaded; /* else tt_ksyms_job_finish reads them itself */
	int ret;       /* tt_ksym_query's */
	double ms;     /* how long the read took, wherever it ran */
	uint64_t addrs[TT_KSYM_NAMES];
	uint64_t ranges[TT_KSYM_IRQ_FNS][2];
};

/* Start reading; falls back to reading in tt_ksyms_job_finish without a thread. */
void tt_ksyms_job_start(struct tt_ksyms_job *j);

/*
 * Wait for the read and put what it found into rep (tty_write, irq_ranges,
 * what is lost without them). 0, or -ENOENT without tty_write (then a
 * sentence in err, when err is not NULL). Call it exactly once per start.
 */
int tt_ksyms_job_finish(struct tt_ksyms_job *j, struct tt_probe_report *rep, char *err,
                        size_t errlen);

#endif
