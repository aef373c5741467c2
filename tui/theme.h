/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Themes: a small text format (themes/README.md), parsed into a table of
 * colour + attribute per screen element. The four shipped themes are compiled
 * in from the files in themes/ (build/themes.h), so the binary needs none.
 */
#ifndef TTYTOP_TUI_THEME_H
#define TTYTOP_TUI_THEME_H

#include <stdbool.h>
#include <stddef.h>

enum tt_el {
	TT_EL_HEADER = 0,
	TT_EL_HEADER_ALERT,
	TT_EL_TITLE,
	TT_EL_TITLE_FOCUS,
	TT_EL_BORDER,
	TT_EL_BORDER_FOCUS,
	TT_EL_TABLE_HEAD,
	TT_EL_ROW,
	TT_EL_ROW_SELECTED,
	TT_EL_SPARK,
	TT_EL_BAR_LAT,
	TT_EL_BAR_P50,
	TT_EL_BAR_P99,
	TT_EL_HIST_LABEL,
	TT_EL_LOG_NORMAL,
	TT_EL_LOG_SLOW,
	TT_EL_STACK_FUNC,
	TT_EL_STACK_FILE,
	TT_EL_STACK_MODULE,
	TT_EL_STACK_ADDR,
	TT_EL_STACK_SEP,
	TT_EL_KEYBAR_KEY,
	TT_EL_KEYBAR_LABEL,
	TT_EL_STATUS,
	TT_EL_STATUS_ERROR,
	TT_EL_PROMPT,
	TT_EL_HELP,
	TT_EL_HELP_KEY,
	TT_EL_DIM,
	TT_EL_NR
};

/* Attribute bits, independent of curses so the parser is testable alone. */
#define TT_ATTR_BOLD (1u << 0)
#define TT_ATTR_DIM (1u << 1)
#define TT_ATTR_UNDERLINE (1u << 2)
#define TT_ATTR_REVERSE (1u << 3)

#define TT_COLOR_DEFAULT (-1)

struct tt_theme_entry {
	short fg, bg; /* -1 = terminal default, else 0..255 */
	unsigned attrs;
};

struct tt_theme {
	char name[64];
	struct tt_theme_entry el[TT_EL_NR];
};

/*
 * Parse theme text over *t (elements not named keep their value, so callers
 * start from the default theme). srcname is used in messages:
 * "themes/bad.theme:3: unknown colour 'purpel'". Returns 0 or -1.
 */
int tt_theme_parse(const char *text, size_t len, const char *srcname, struct tt_theme *t, char *err,
                   size_t errlen);

int tt_theme_builtin_count(void);
const char *tt_theme_builtin_name(int i);
/* Parsed built-in theme i (0 = default). 0 or -1. */
int tt_theme_builtin(int i, struct tt_theme *t);
/* Index of a built-in theme by name, -1 if none. */
int tt_theme_builtin_find(const char *name);

/*
 * NAME (./themes/NAME.theme, /usr/local/share/ttytop/themes/NAME.theme, then
 * built-ins) or PATH (contains '/' or ends in .theme). On error *t holds the
 * default theme and err says file:line. Returns 0 or -1.
 */
int tt_theme_load(const char *name_or_path, struct tt_theme *t, char *err, size_t errlen);
int tt_theme_check(const char *name_or_path, char *err, size_t errlen);

/* Colour index reduced to what a terminal with ncolors can show. */
short tt_theme_map_color(short c, int ncolors, bool *bold);

/* Curses side: install t's colour pairs (or only attributes when !color). */
void tt_theme_apply(const struct tt_theme *t, bool color);
/* The curses attribute for an element under the applied theme. */
unsigned long tt_theme_attr(enum tt_el e);

#endif
