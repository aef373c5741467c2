/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Detaching BPF links off the event loop. Closing a uprobe waits for RCU
 * grace periods in the kernel (uprobe_unregister, perf_trace_event_unreg):
 * 0.7 s per probe measured in a PREEMPT_RT guest under emulation, which
 * stalled the documents of a Go process's exit by seconds. One worker
 * thread does the closing; the queue is bounded, and a full queue closes
 * in the caller, as before.
 */
#ifndef TTYTOP_LINKREAPER_H
#define TTYTOP_LINKREAPER_H

struct bpf_link;
struct tt_reaper;

#define TT_REAPER_QUEUE 256 /* links waiting: 64 processes' probes and more */

/* NULL when no thread could be started: tt_reaper_put then closes in place. */
struct tt_reaper *tt_reaper_new(void);
/* The link is destroyed, now or by the worker; r may be NULL. */
void tt_reaper_put(struct tt_reaper *r, struct bpf_link *l);
/* Waits until every link handed over is destroyed, then stops the worker. */
void tt_reaper_free(struct tt_reaper *r);
/* Links handed over and not destroyed yet (tests). */
int tt_reaper_pending(struct tt_reaper *r);

#endif
