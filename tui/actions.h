/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The dashboard's keys, each listed once: the key codes, the help screen's
 * line, the key bar's label and what runs. The help screen, the key bar, the
 * global key dispatch and the docs test (tests/unit/test_tui_keys.c) all read
 * this table, so a new key is added in one place (and in docs/dashboard.md,
 * which the test checks against it).
 */
#ifndef TTYTOP_TUI_ACTIONS_H
#define TTYTOP_TUI_ACTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "ui.h"

#define TT_ACTION_KEYS 6
#define TT_KEY_CTRL(c) ((c)&0x1f)

/*
 * A key of an action: a curses key code, or'ed with these. ncurses codes
 * stay below KEY_MAX (0777), so the flags never collide with one.
 */
#define TT_KEY_MASK 0xffff
#define TT_KPANE (1 << 16)  /* the focused pane takes it; listed, not run here */
#define TT_KQUIET (1 << 17) /* an alias the help screen and docs leave out */

struct tt_action {
	const char *name;      /* a stable word for the action, e.g. "quit" */
	const char *keys;      /* the help screen's key column: the names of its keys */
	const char *help;      /* the help screen's text */
	int k[TT_ACTION_KEYS]; /* 0 ends */
	/* Runs the keys without TT_KPANE, once the focused pane declined them:
	 * TT_* flags. NULL: every key of the line belongs to the panes. */
	int (*run)(struct tt_ui *ui, int ch);
	int bar;      /* place on the key bar, from 1; 0: not on it */
	int bar_code; /* what a click on it types; the bar shows its name */
	const char *bar_label;
	bool when_small; /* also works on the "terminal too small" screen */
};

extern const struct tt_action tt_actions[];
extern const int tt_nactions;

/* The action that runs ch (a key without TT_KPANE), or NULL. */
const struct tt_action *tt_action_find(int ch);
/* Run what ch is bound to: TT_* flags, 0 when nothing is. */
int tt_action_key(struct tt_ui *ui, int ch);
/* The action at key bar place pos (from 1), or NULL past the last. */
const struct tt_action *tt_action_bar(int pos);

/*
 * A key's name as the help screen writes it ("F5", "PgUp", "^C", "q"); with
 * doc, as docs/dashboard.md writes it ("Ctrl-C", "Shift-Tab"). buf holds a
 * computed name. NULL for a code with no name.
 */
const char *tt_key_name(int code, bool doc, char *buf, size_t len);

/* Panes that take the focus (Tab order) and step through them. */
bool tt_focusable(int pane);
void tt_focus_step(struct tt_ui *ui, int dir);

#endif
