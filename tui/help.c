// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The help overlay: every key of the action table, in one centred window; any key closes it. */
#include "actions.h"
#include "ui.h"

#include <stdio.h>
#include <string.h>

void tt_help_draw(struct tt_ui *ui, int rows, int cols)
{
	int h = tt_nactions + 4, wd = 72, y0, x0, i;
	unsigned long a = tt_theme_attr(TT_EL_HELP);
	WINDOW *w;

	if (wd > cols - 2)
		wd = cols - 2;
	/* at 24 rows every line still fits: the overlay may cover the key bar */
	if (h > rows)
		h = rows;
	if (wd < 20 || h < 4)
		return;
	y0 = (rows - h) / 2;
	x0 = (cols - wd) / 2;
	w = newwin(h, wd, y0, x0);
	if (!w)
		return;
	wbkgdset(w, (chtype)a);
	werase(w);
	for (i = 0; i < h; i++)
		tt_draw_fill(w, i, 0, wd, a);
	wattrset(w, (attr_t)a);
	box(w, 0, 0);
	tt_draw_text(w, 0, 2, wd - 4, " ttytop help ", tt_theme_attr(TT_EL_HELP_KEY));
	for (i = 0; i < tt_nactions && i + 1 < h - 2; i++) {
		tt_draw_text(w, i + 1, 2, 14, tt_actions[i].keys, tt_theme_attr(TT_EL_HELP_KEY));
		tt_draw_text(w, i + 1, 17, wd - 19, tt_actions[i].help, a);
	}
	tt_draw_text(w, h - 2, 2, wd - 4,
	             ui->replay ? "replay mode: read-only (t + - do nothing)  --  press any key"
	                        : "press any key to close",
	             a | A_DIM);
	wnoutrefresh(w);
	delwin(w);
}
