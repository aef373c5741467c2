/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Where the model's data comes from, seen by the dashboard and the headless
 * loop: the live collector, or nothing (a replayed snapshot). The dashboard
 * only ever talks to this table, so it runs without BPF in --replay.
 */
#ifndef TTYTOP_SOURCE_H
#define TTYTOP_SOURCE_H

#include <stdint.h>

struct tt_model;

#define TT_SAMPLE_S 1.0

struct tt_symbolizer;

struct tt_source_ops {
	/* A file descriptor that becomes readable when events wait, or -1. */
	int (*fd)(void *ctx);
	/* Move waiting events into the model without blocking. Returns count or -errno. */
	int (*drain)(void *ctx);
	/* Read the counters into the model and close an interval of dt seconds. */
	int (*refresh)(void *ctx, double dt);
	/*
	 * Read the counters into the model without closing an interval. Callers
	 * call it at least every TT_SAMPLE_S whatever the refresh interval: the
	 * kernel's histogram buckets are 32 bits and must not wrap unseen.
	 * Optional.
	 */
	int (*sample)(void *ctx);
	/* Change the slow-write threshold while running (ms, 0 = every write). */
	int (*set_threshold)(void *ctx, double ms);
	/* Resolve stacks of events not yet symbolized (bounded per call). Optional: NULL
	 * when the source symbolizes events as they arrive. */
	int (*symbolize_pending)(void *ctx, int max_events);
	/*
	 * The source's own symbolizer, for other readers of the same processes
	 * (the goroutine/thread pane): one set of caches. Optional.
	 */
	struct tt_symbolizer *(*symbolizer)(void *ctx);
};

struct tt_source {
	const struct tt_source_ops *ops;
	void *ctx; /* NULL ops = replay: nothing changes */
};

/*
 * One consumer's intervals (the dashboard's or --json's): when the last one
 * closed, and the rates over it, so both close an interval the same way.
 */
struct tt_tick {
	double last; /* monotonic seconds */
	uint64_t prev_events, prev_dropped;
	double ev_rate, drop_rate; /* per second over the last interval */
};

void tt_tick_init(struct tt_tick *t, const struct tt_model *m, double now);

/*
 * Close the interval ending at now: waiting events into the model, the
 * counters read, pending stacks resolved (max_symbolize is passed on to
 * symbolize_pending; < 0 skips it), the rates updated. A source with no ops
 * (replay) only moves the clock. Returns 0, or the refresh's -errno.
 */
int tt_source_tick(const struct tt_source *src, struct tt_model *m, struct tt_tick *t, double now,
                   int max_symbolize);

#endif
