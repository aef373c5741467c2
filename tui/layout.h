/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Where each pane goes for a given terminal size (pure; unit tested). */
#ifndef TTYTOP_TUI_LAYOUT_H
#define TTYTOP_TUI_LAYOUT_H

#include <stdbool.h>

#define TT_MIN_COLS 80
#define TT_MIN_ROWS 24

enum tt_pane_id {
	TT_PANE_HEADER = 0,
	TT_PANE_TERMINALS,
	TT_PANE_HIST,
	TT_PANE_LOG,
	TT_PANE_STACK,
	TT_PANE_KEYBAR, /* status line + function keys */
	TT_PANE_NR
};

struct tt_rect {
	int y, x, h, w;
};

struct tt_layout {
	int rows, cols;
	bool too_small;
	bool wide; /* two columns of panes */
	struct tt_rect r[TT_PANE_NR];
};

/* Returns 0; l->too_small when below TT_MIN_COLS x TT_MIN_ROWS. */
int tt_layout_compute(int rows, int cols, struct tt_layout *l);
/* The same with the goroutine/thread pane open (threads): it gets the log's rows and more. */
int tt_layout_compute_for(int rows, int cols, bool threads, struct tt_layout *l);
/* Pane under screen cell (y, x), or -1. */
int tt_layout_hit(const struct tt_layout *l, int y, int x);

#endif
