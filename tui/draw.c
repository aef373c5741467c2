// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Window helpers shared by the panes. */
#include "ui.h"

#include <stdio.h>
#include <string.h>

/* Byte length of the UTF-8 sequence starting with c (1 for ASCII/garbage). */
static int u8len(unsigned char c)
{
	if (c >= 0xf0 && c < 0xf8)
		return 4;
	if (c >= 0xe0)
		return c < 0xf0 ? 3 : 1;
	if (c >= 0xc0)
		return 2;
	return 1;
}

int tt_draw_text(WINDOW *w, int y, int x, int maxw, const char *s, unsigned long attr)
{
	int cols = 0, maxy, maxx;
	size_t i = 0, n;

	if (!w || !s || maxw <= 0)
		return 0;
	getmaxyx(w, maxy, maxx);
	if (y < 0 || y >= maxy || x < 0 || x >= maxx)
		return 0;
	if (maxw > maxx - x)
		maxw = maxx - x;
	/* Our strings are either sanitized ASCII or our own glyphs (1 column each). */
	while (s[i] && cols < maxw) {
		n = (size_t)u8len((unsigned char)s[i]);
		if (strnlen(s + i, n) < n)
			break;
		i += n;
		cols++;
	}
	wattrset(w, (attr_t)attr);
	mvwaddnstr(w, y, x, s, (int)i);
	wattrset(w, A_NORMAL);
	return cols;
}

void tt_draw_fill(WINDOW *w, int y, int x, int n, unsigned long attr)
{
	int maxy, maxx;

	getmaxyx(w, maxy, maxx);
	if (y < 0 || y >= maxy || x < 0 || x >= maxx)
		return;
	if (n > maxx - x)
		n = maxx - x;
	if (n <= 0)
		return;
	wattrset(w, (attr_t)attr);
	mvwhline(w, y, x, ' ', n);
	wattrset(w, A_NORMAL);
}

const char *tt_draw_hline_glyph(const struct tt_ui *ui)
{
	return ui->utf8 ? "\xe2\x94\x80" : "-";
}

void tt_draw_frame(struct tt_ui *ui, WINDOW *w, int h, int wd, const char *title, bool focus)
{
	unsigned long battr = tt_theme_attr(focus ? TT_EL_BORDER_FOCUS : TT_EL_BORDER);
	unsigned long tattr = tt_theme_attr(focus ? TT_EL_TITLE_FOCUS : TT_EL_TITLE);
	char t[256];

	(void)ui;
	if (h < 2 || wd < 4)
		return;
	wattrset(w, (attr_t)battr);
	box(w, 0, 0);
	wattrset(w, A_NORMAL);
	if (title && *title) {
		snprintf(t, sizeof(t), " %s ", title);
		tt_draw_text(w, 0, 2, wd - 4, t, tattr);
	}
}

void tt_draw_frame_position(WINDOW *w, int h, int wd, int first, int shown, int total)
{
	char buf[64];
	int len;

	if (h < 3 || total <= shown || shown <= 0)
		return;
	snprintf(buf, sizeof(buf), " %d-%d of %d ", first + 1,
	         first + shown < total ? first + shown : total, total);
	len = (int)strlen(buf);
	if (len + 4 > wd)
		return;
	tt_draw_text(w, h - 1, wd - 2 - len, len, buf, tt_theme_attr(TT_EL_TITLE));
}

int tt_draw_cell(WINDOW *w, int y, int x, int wd, const char *s, bool right, unsigned long attr)
{
	int len = (int)strlen(s);

	if (right && len < wd)
		x += wd - len;
	return tt_draw_text(w, y, x, wd, s, attr);
}
