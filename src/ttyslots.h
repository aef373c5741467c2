/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The kernel's terminal slots seen from user space: what each slot gained
 * since the last refresh goes into the model, and slots of terminals that
 * went quiet are chosen to be given back. No BPF calls here (the collector
 * makes them), so the arithmetic and the policy are unit-tested on plain
 * memory.
 */
#ifndef TTYTOP_TTYSLOTS_H
#define TTYTOP_TTYSLOTS_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"

/* A slot quiet this long is given back; sooner when free slots run short. */
#define TT_SLOT_QUIET_NS (30ull * 1000000000ull)
#define TT_SLOT_QUIET_SHORT_NS (2ull * 1000000000ull)

struct tt_slot_track {
	struct tt_tty_stats prev; /* what is already in the model */
	uint64_t grew_ns;         /* CLOCK_MONOTONIC of the last growth */
	uint32_t dev;
	bool live;
};

/*
 * Makes slot i's memory readable (maps its part of the kernel's array);
 * 0 or a negative errno, and then the slot is left alone this time.
 */
typedef int (*tt_slot_reach_fn)(void *ctx, uint32_t i);

struct tt_slots {
	struct tt_tty_slot *mem; /* the kernel's array, n elements, mapped as reach() maps it */
	uint32_t n;
	struct tt_slot_track *track;
	uint32_t live; /* slots in use after the last collect, slot 0 aside */
	/*
	 * The kernel sets used[i] when it takes slot i, so that slots never
	 * taken are never touched (their pages never mapped); NULL: every
	 * slot's in_use flag is read, as on plain memory.
	 */
	volatile uint8_t *used;
	tt_slot_reach_fn reach; /* NULL: all of mem is readable */
	void *reach_ctx;
};

int tt_slots_init(struct tt_slots *s, struct tt_tty_slot *mem, uint32_t n);
void tt_slots_free(struct tt_slots *s);
/* Slot i, readable, or NULL (out of range, or reach failed). */
struct tt_tty_slot *tt_slots_at(const struct tt_slots *s, uint32_t i);

/* A copy taken with 8- and 4-byte loads: the kernel adds while we read. */
void tt_stats_read(const struct tt_tty_stats *src, struct tt_tty_stats *out);
/*
 * d = cur - prev: counters in 64 bits, histogram buckets modulo 2^32; max_ns
 * is cur's; reasons[TT_REASON_NONE] (not counted by the kernel) is derived.
 */
void tt_stats_delta(const struct tt_tty_stats *cur, const struct tt_tty_stats *prev,
                    struct tt_tty_stats *d);

/* Move slot i's growth into the model (slot 0 and rowless ones into others). */
void tt_slots_collect_one(struct tt_slots *s, uint32_t i, struct tt_model *m, uint64_t now_ns);
void tt_slots_collect(struct tt_slots *s, struct tt_model *m, uint64_t now_ns);

/*
 * Slots to give back, the longest quiet first, at most max: quiet for
 * TT_SLOT_QUIET_NS; for TT_SLOT_QUIET_SHORT_NS while fewer than half of the
 * slots are free; not grown since the read before now_ns while fewer than a
 * quarter are. Returns how many were written to out.
 */
int tt_slots_pick(const struct tt_slots *s, uint64_t now_ns, uint32_t *out, int max);

/* Forget slot i, zero it and clear used[i]: only once no BPF program can still hold it. */
void tt_slots_clear(struct tt_slots *s, uint32_t i);

#endif
