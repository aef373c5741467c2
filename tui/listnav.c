// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Moving in a list, once for every pane that scrolls (htop's Panel_onKey):
 * the keys mean the same everywhere, and each pane keeps only what its
 * position stands for (a device, an event, a first line).
 */
#include "ui.h"

int tt_listnav_page(const struct tt_ui *ui, int pane, int chrome)
{
	int page = ui->lay.r[pane].h - chrome;

	return page < 1 ? 1 : page;
}

int tt_listnav_key(int ch, int *pos, int n, int page)
{
	int p = *pos;

	if (page < 1)
		page = 1;
	switch (ch) {
	case KEY_UP:
	case 'k':
		p--;
		break;
	case KEY_DOWN:
	case 'j':
		p++;
		break;
	case KEY_PPAGE:
		p -= page;
		break;
	case KEY_NPAGE:
		p += page;
		break;
	case KEY_HOME:
	case 'g':
		p = 0;
		break;
	case KEY_END:
	case 'G':
		p = n - 1;
		break;
	default:
		return 0;
	}
	if (p > n - 1)
		p = n - 1;
	*pos = p < 0 ? 0 : p;
	return TT_HANDLED | TT_REDRAW;
}

bool tt_listnav_is_key(int ch)
{
	int pos = 0;

	return tt_listnav_key(ch, &pos, 1, 1) != 0;
}

int tt_listnav_top(int top, int sel, int n, int rows)
{
	if (sel >= 0) {
		if (sel < top)
			top = sel;
		if (sel >= top + rows)
			top = sel - rows + 1;
	}
	if (top > n - rows)
		top = n - rows;
	return top < 0 ? 0 : top;
}

int tt_listnav_row_at(int top, int n, int row)
{
	return row >= 0 && top + row < n ? top + row : -1;
}
