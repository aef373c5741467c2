/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Ticks and Go pauses in words and cells: the writers' period and jitter,
 * late ticks and their cause, the newest stop-the-world. Pure functions of
 * the model (no curses) so the unit tests check the text itself; every
 * result fits the buffer it is given.
 */
#ifndef TTYTOP_TUI_TICKFMT_H
#define TTYTOP_TUI_TICKFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* "212 ms", "1.20 s": tt_fmt_ns with a space, for sentences. */
char *tt_fmt_ns_words(uint64_t ns, char *buf, size_t len);

/*
 * A ticker's cell: "100ms ±12.0ms" (period, jitter p99; "+-" without UTF-8),
 * "100ms" when it has no jitter yet, "-" when t is NULL or has no period.
 */
char *tt_fmt_tick(const struct tt_model_ticker *t, bool utf8, char *buf, size_t len);

/*
 * A late tick in at most width columns, the longest form that fits:
 * "late +212ms gc-stw 298ms", "+212ms gc-stw 298ms", "+212ms gc-stw",
 * "+212ms". "" for an event that is not a late tick.
 */
char *tt_fmt_late(const struct tt_model_event *ev, int width, char *buf, size_t len);

/*
 * The cause in words: "Tick 212 ms late (interval 312 ms, period 100 ms): a
 * Go stop-the-world of 298 ms (GC mark termination) overlapped it".
 * stw_reason may be NULL or "" (the runtime's words unknown).
 */
char *tt_fmt_late_cause(const struct tt_model_event *ev, const char *stw_reason, char *buf,
                        size_t len);

/*
 * The stop-the-world of ev's process that overlapped ev (a late tick's
 * interval, a slow write's own time), the longest of them; NULL when the
 * process's ring holds none.
 */
const struct tt_stw *tt_event_stw(const struct tt_model *m, const struct tt_model_event *ev);

/*
 * The ticker the dashboard shows for a terminal: its top writer's busiest,
 * else the busiest of any writer on it (a detected period first, then the
 * most intervals); NULL when none.
 */
const struct tt_model_ticker *tt_terminal_ticker(const struct tt_model *m,
                                                 const struct tt_terminal *t);

/*
 * The header's GC field for the Go process with the longest pause (the
 * newest pause breaking ties), its newest pause and its count, the longest
 * form within width: "GC marquee/4242: 12 pauses, last 1.20ms 3.0s
 * ago, max 298ms", "GC 12 pauses, last 1.20ms, max 298ms", "GC max 298ms".
 * "" when no process has paused. *alert: its worst pause reached the slow
 * threshold (a pause that long delays every write of the process).
 */
char *tt_fmt_gc(const struct tt_model *m, int width, bool *alert, char *buf, size_t len);

#endif
