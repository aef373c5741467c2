// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Installing a parsed theme into curses: colour pairs, or attributes only.
 * Kept apart from theme.c so the parser links (and fuzzes) without curses.
 */
#include "theme.h"

#include <ncurses.h>

static unsigned long attr_tab[TT_EL_NR];

static unsigned long to_curses(unsigned a)
{
	unsigned long r = A_NORMAL;

	if (a & TT_ATTR_BOLD)
		r |= A_BOLD;
	if (a & TT_ATTR_DIM)
		r |= A_DIM;
	if (a & TT_ATTR_UNDERLINE)
		r |= A_UNDERLINE;
	if (a & TT_ATTR_REVERSE)
		r |= A_REVERSE;
	return r;
}

void tt_theme_apply(const struct tt_theme *t, bool color)
{
	static int have_default = -1;
	struct tt_theme mono;
	int i, mi;

	if (color && COLOR_PAIRS < TT_EL_NR + 1)
		color = false;
	if (!color) {
		/* Attributes only: the mono theme knows which ones read well. */
		mi = tt_theme_builtin_find("mono");
		if (mi < 0 || tt_theme_builtin(mi, &mono) < 0)
			mono = *t;
		for (i = 0; i < TT_EL_NR; i++)
			attr_tab[i] = to_curses(mono.el[i].attrs);
		return;
	}
	if (have_default < 0)
		have_default = use_default_colors() == OK;
	for (i = 0; i < TT_EL_NR; i++) {
		bool b1 = false, b2 = false;
		short fg = tt_theme_map_color(t->el[i].fg, COLORS, &b1);
		short bg = tt_theme_map_color(t->el[i].bg, COLORS, &b2);

		if (!have_default) {
			if (fg < 0)
				fg = COLOR_WHITE;
			if (bg < 0)
				bg = COLOR_BLACK;
		}
		init_pair((short)(i + 1), fg, bg);
		attr_tab[i] = COLOR_PAIR(i + 1) | to_curses(t->el[i].attrs) | (b1 ? A_BOLD : 0);
	}
}

unsigned long tt_theme_attr(enum tt_el e)
{
	return (unsigned)e < TT_EL_NR ? attr_tab[e] : A_NORMAL;
}
