/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Writes that have not returned yet, read from the kernel's per-thread table
 * ("inflight") each refresh: the longest first, with the stacks of their
 * first sleep and the terminal's state now. A write blocked for minutes, or
 * for ever, never reaches the ring buffer; this is how it is seen.
 */
#ifndef TTYTOP_INFLIGHT_H
#define TTYTOP_INFLIGHT_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>

#include "../bpf/ttytop.h"

#define TT_INFLIGHT_MIN_NS 1000000ull /* shorter writes are not "stuck", whatever -T says */

struct tt_inflight_src {
	int table_fd;                /* "inflight" */
	int kstack_fd;               /* "sleep_stacks" */
	int ustack_fd;               /* "sleep_ustacks" */
	int now_prog_fd;             /* "inflight_now_read", -1 when it cannot run */
	struct tt_inflight_now *now; /* that program's input and output (mapped .bss) */
};

struct tt_inflight_pick {
	uint32_t tid;
	struct tt_inflight w;
	bool has_now; /* now holds the terminal's state at this refresh */
	struct tt_inflight_now now;
	struct tt_sleep_stack k; /* n = 0: none */
	struct tt_sleep_ustack u;
};

/*
 * Up to max of the writes in flight for at least min_ns at now_ns (CLOCK_MONOTONIC),
 * the longest first, into out. Returns how many are in flight that long in
 * all (more than max when some were left out) and sets *npicked, or -errno.
 */
int tt_inflight_read(const struct tt_inflight_src *src, uint64_t now_ns, uint64_t min_ns,
                     struct tt_inflight_pick *out, int max, int *npicked);

/*
 * A write's time so far, split as the kernel keeps it plus the part since
 * its last change of state.
 */
void tt_inflight_split(const struct tt_inflight *w, uint64_t now_ns, __u64 *oncpu, __u64 *blocked,
                       __u64 *runq);

struct tt_ptyreaders;
struct tt_model_inflight;

/* A write in flight as the record it will become when it returns, so far. */
void tt_inflight_event(const struct tt_inflight_pick *p, uint64_t now, struct tt_event *e);

/*
 * Who should unblock it: the processes holding its pty's master (ptys: every
 * pty asked about this refresh, found in one walk), the write lock's holder,
 * a serial line's settings. Fills mi's readers, lock holder and line.
 */
void tt_inflight_blame(struct tt_ptyreaders *readers, const struct tt_inflight_pick *p,
                       const uint32_t *ptys, int nptys, uint64_t now, struct tt_model_inflight *mi);

/* Baud rate from termios: the CBAUD code, or c_ospeed for BOTHER; 0 = unknown. */
uint32_t tt_line_speed(uint32_t c_cflag, uint32_t c_ospeed);

#endif
