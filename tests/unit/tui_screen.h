/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The off-screen ncurses terminal the TUI unit tests draw on: 120x40 xterm
 * written to /dev/null, the default theme applied. Included after <cmocka.h>.
 */
#ifndef TTYTOP_TEST_TUI_SCREEN_H
#define TTYTOP_TEST_TUI_SCREEN_H

#include <stdio.h>
#include <stdlib.h>

#include "../../tui/ui.h"

static SCREEN *tt_test_scr;
static FILE *tt_test_devnull;

static inline void tt_test_screen_open(void)
{
	struct tt_theme t;

	setenv("LINES", "40", 1);
	setenv("COLUMNS", "120", 1);
	tt_test_devnull = fopen("/dev/null", "w+");
	assert_non_null(tt_test_devnull);
	tt_test_scr = newterm("xterm", tt_test_devnull, tt_test_devnull);
	assert_non_null(tt_test_scr);
	tt_theme_builtin(0, &t);
	tt_theme_apply(&t, false);
}

static inline void tt_test_screen_close(void)
{
	endwin();
	delscreen(tt_test_scr);
	fclose(tt_test_devnull);
}

#endif
