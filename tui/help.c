// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The help overlay: every key, in one centred window; any key closes it. */
#include "ui.h"

#include <stdio.h>
#include <string.h>

const struct tt_help_line tt_help_lines[] = {
    {"F1 ?", "this help (any key closes)"},
    {"q F10 ^C", "quit"},
    {"Tab S-Tab", "next / previous pane"},
    {"Up Down j k", "move in the focused pane"},
    {"PgUp PgDn", "page up / down"},
    {"Home End g G", "first / last row (first row: follow new data)"},
    {"Enter", "log: open the stack; table: filter the log by it"},
    {"Space", "pause / resume the event log (counts keep updating)"},
    {"/ F3  Esc", "filter the log (Esc clears): tty comm reason pid goid"},
    {"o", "log order: newest first / slowest first"},
    {"< > F6", "sort column left / right (F6 cycles)"},
    {"r", "reverse the sort order"},
    {"b Left Right", "histogram: latency / blocked / run-queue"},
    {"t", "set the slow-write threshold (ms)"},
    {"+ -", "refresh interval longer / shorter"},
    {"s F5", "save a snapshot (ttytop/1 JSON)"},
    {"T F2", "next colour theme"},
    {"Ctrl-L", "redraw the screen"},
    {"mouse", "click: select row/pane, heading: sort; wheel: scroll"},
};
const int tt_help_nlines = (int)(sizeof(tt_help_lines) / sizeof(tt_help_lines[0]));

void tt_help_draw(struct tt_ui *ui, int rows, int cols)
{
	int h = tt_help_nlines + 4, wd = 72, y0, x0, i;
	unsigned long a = tt_theme_attr(TT_EL_HELP);
	WINDOW *w;

	if (wd > cols - 2)
		wd = cols - 2;
	if (h > rows - 2)
		h = rows - 2;
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
	for (i = 0; i < tt_help_nlines && i + 1 < h - 2; i++) {
		tt_draw_text(w, i + 1, 2, 14, tt_help_lines[i].keys, tt_theme_attr(TT_EL_HELP_KEY));
		tt_draw_text(w, i + 1, 17, wd - 19, tt_help_lines[i].what, a);
	}
	tt_draw_text(w, h - 2, 2, wd - 4,
	             ui->replay ? "replay mode: read-only (t + - do nothing)  --  press any key"
	                        : "press any key to close",
	             a | A_DIM);
	wnoutrefresh(w);
	delwin(w);
}
