/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The kernel's tick tables into the model, once per refresh. */
#ifndef TTYTOP_TICKREAD_H
#define TTYTOP_TICKREAD_H

#include "model.h"

/*
 * Every ticker of the kernel's "tickers" map (fd) into m->tickers. The
 * model keeps the TT_MODEL_MAX_TICKERS with the most intervals; one that
 * the kernel evicted keeps its last figures. 0, or -errno.
 */
int tt_tickers_read(int tickers_fd, struct tt_model *m);

/*
 * Forget processes that exited: their "procs" entries and the proc_hint
 * slots (fd) they hold, so that a new process on the slot is summed.
 */
void tt_procs_prune(int procs_fd, int hint_fd);

#endif
