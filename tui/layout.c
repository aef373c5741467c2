// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "layout.h"

#include <string.h>

/* At this width the event log still gets ~90 columns beside the stack pane. */
#define WIDE_COLS 150

static struct tt_rect rect(int y, int x, int h, int w)
{
	struct tt_rect r = {y, x, h, w};
	return r;
}

int tt_layout_compute(int rows, int cols, struct tt_layout *l)
{
	return tt_layout_compute_for(rows, cols, false, l);
}

/*
 * The thread pane lists hundreds of rows where the log was: the table above
 * it keeps its heading and the selected writer's rows, the stack below its
 * size (the right column, when wide, favours the stack).
 */
static void layout_threads(struct tt_layout *l, int body_y, int body_h)
{
	int cols = l->cols, top = body_h * 15 / 100, rtop, left, low;

	if (top < 5)
		top = 5;
	if (l->wide) {
		left = cols * 60 / 100;
		rtop = body_h * 30 / 100 < 7 ? 7 : body_h * 30 / 100;
		l->r[TT_PANE_TERMINALS] = rect(body_y, 0, top, left);
		l->r[TT_PANE_LOG] = rect(body_y + top, 0, body_h - top, left);
		l->r[TT_PANE_HIST] = rect(body_y, left, rtop, cols - left);
		l->r[TT_PANE_STACK] = rect(body_y + rtop, left, body_h - rtop, cols - left);
		return;
	}
	low = l->r[TT_PANE_STACK].h; /* histogram and stack keep their row */
	l->r[TT_PANE_TERMINALS] = rect(body_y, 0, top, cols);
	l->r[TT_PANE_LOG] = rect(body_y + top, 0, body_h - top - low, cols);
}

int tt_layout_compute_for(int rows, int cols, bool threads, struct tt_layout *l)
{
	int body_y = 2, body_h, top, mid, left;

	memset(l, 0, sizeof(*l));
	l->rows = rows;
	l->cols = cols;
	if (rows < TT_MIN_ROWS || cols < TT_MIN_COLS) {
		l->too_small = true;
		return 0;
	}
	body_h = rows - 4;
	l->r[TT_PANE_HEADER] = rect(0, 0, 2, cols);
	l->r[TT_PANE_KEYBAR] = rect(rows - 2, 0, 2, cols);
	if (cols >= WIDE_COLS) {
		/* Two columns: what (table, log) on the left, why (histogram, stack) right. */
		l->wide = true;
		top = body_h * 45 / 100;
		left = cols * 60 / 100;
		l->r[TT_PANE_TERMINALS] = rect(body_y, 0, top, left);
		l->r[TT_PANE_HIST] = rect(body_y, left, top, cols - left);
		l->r[TT_PANE_LOG] = rect(body_y + top, 0, body_h - top, left);
		l->r[TT_PANE_STACK] = rect(body_y + top, left, body_h - top, cols - left);
		if (threads)
			layout_threads(l, body_y, body_h);
		return 0;
	}
	/* Narrow: the two wide tables get full rows, histogram and stack share one. */
	top = body_h * 32 / 100;
	if (top < 7)
		top = 7;
	mid = body_h * 34 / 100;
	if (mid < 7)
		mid = 7;
	left = cols * 40 / 100;
	l->r[TT_PANE_TERMINALS] = rect(body_y, 0, top, cols);
	l->r[TT_PANE_LOG] = rect(body_y + top, 0, mid, cols);
	l->r[TT_PANE_HIST] = rect(body_y + top + mid, 0, body_h - top - mid, left);
	l->r[TT_PANE_STACK] = rect(body_y + top + mid, left, body_h - top - mid, cols - left);
	if (threads)
		layout_threads(l, body_y, body_h);
	return 0;
}

int tt_layout_hit(const struct tt_layout *l, int y, int x)
{
	int i;

	if (l->too_small)
		return -1;
	for (i = 0; i < TT_PANE_NR; i++) {
		const struct tt_rect *r = &l->r[i];

		if (y >= r->y && y < r->y + r->h && x >= r->x && x < r->x + r->w)
			return i;
	}
	return -1;
}
