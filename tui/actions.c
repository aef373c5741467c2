// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Every key of the dashboard and what it does (see actions.h). The handlers
 * change struct tt_ui and return TT_* flags; app.c acts on the flags.
 */
#include "actions.h"

#include <stdio.h>
#include <string.h>

/* Tab order: table, then its events, then why (stack), then the histogram. */
static const int focus_order[] = {TT_PANE_TERMINALS, TT_PANE_LOG, TT_PANE_STACK, TT_PANE_HIST};
#define NFOCUS ((int)(sizeof(focus_order) / sizeof(focus_order[0])))

bool tt_focusable(int pane)
{
	int i;

	for (i = 0; i < NFOCUS; i++)
		if (focus_order[i] == pane)
			return true;
	return false;
}

void tt_focus_step(struct tt_ui *ui, int dir)
{
	int i, cur = 0;

	for (i = 0; i < NFOCUS; i++)
		if (focus_order[i] == ui->focus)
			cur = i;
	ui->focus = focus_order[(cur + dir + NFOCUS) % NFOCUS];
}

static int act_quit(struct tt_ui *ui, int ch)
{
	(void)ui;
	(void)ch;
	return TT_QUIT;
}

static int act_help(struct tt_ui *ui, int ch)
{
	(void)ch;
	ui->help = true;
	return TT_HANDLED | TT_REDRAW;
}

static int act_focus(struct tt_ui *ui, int ch)
{
	tt_focus_step(ui, ch == KEY_BTAB ? -1 : 1);
	return TT_HANDLED | TT_REDRAW;
}

static int act_pause(struct tt_ui *ui, int ch)
{
	(void)ch;
	tt_eventlog_set_paused(ui, !ui->paused);
	tt_ui_status(ui, false,
	             ui->paused ? "event log paused (Space resumes)" : "event log resumed");
	return TT_HANDLED | TT_REDRAW;
}

/* `/` and F3 open the filter prompt; Esc clears the filter. */
static int act_filter(struct tt_ui *ui, int ch)
{
	if (ch != 27) {
		tt_prompt_start(ui, TT_PROMPT_FILTER);
		return TT_HANDLED | TT_REDRAW;
	}
	if (ui->filter[0]) {
		ui->filter[0] = '\0';
		tt_ui_status(ui, false, "log filter cleared");
	}
	return TT_HANDLED | TT_REDRAW;
}

static int act_order(struct tt_ui *ui, int ch)
{
	(void)ch;
	return tt_eventlog_toggle_order(ui);
}

static int act_sort(struct tt_ui *ui, int ch)
{
	int dir = ch == '<' ? -1 : 1;

	ui->sort = (ui->sort + dir + TT_SORT_NR) % TT_SORT_NR;
	tt_ui_status(ui, false, "sort by %s", tt_terminals_sort_name(ui->sort));
	return TT_HANDLED | TT_REDRAW;
}

static int act_reverse(struct tt_ui *ui, int ch)
{
	(void)ch;
	ui->sort_rev = !ui->sort_rev;
	return TT_HANDLED | TT_REDRAW;
}

static int act_hist_kind(struct tt_ui *ui, int ch)
{
	(void)ch;
	ui->hist_kind = (ui->hist_kind + 1) % TT_HK_NR;
	return TT_HANDLED | TT_REDRAW;
}

static int act_threshold(struct tt_ui *ui, int ch)
{
	(void)ch;
	if (ui->replay)
		tt_ui_status(ui, true, "replay: read-only");
	else
		tt_prompt_start(ui, TT_PROMPT_THRESHOLD);
	return TT_HANDLED | TT_REDRAW;
}

static int act_interval(struct tt_ui *ui, int ch)
{
	char b[32];

	if (ui->replay) {
		tt_ui_status(ui, true, "replay: read-only");
		return TT_HANDLED | TT_REDRAW;
	}
	ui->interval = tt_fmt_interval_step(ui->interval, ch == '-' ? -1 : 1);
	ui->m->interval_s = ui->interval;
	tt_ui_status(ui, false, "refresh every %s", tt_fmt_interval(ui->interval, b, sizeof(b)));
	return TT_HANDLED | TT_REDRAW;
}

/*
 * A full ring renders to tens of megabytes: a child writes it (a copy of the
 * model at the key press) while the dashboard keeps running.
 */
static int act_snapshot(struct tt_ui *ui, int ch)
{
	char err[256];
	const char *dir = ui->o->snapshot_dir[0] ? ui->o->snapshot_dir : ".";

	(void)ch;
	if (ui->snap.pid) {
		tt_ui_status(ui, false, "a snapshot is still being saved");
		return TT_HANDLED | TT_REDRAW;
	}
	if (tt_snapshot_start(ui->m, dir, &ui->snap, err, sizeof(err)) < 0)
		tt_ui_status(ui, true, "snapshot failed: %s", err);
	else
		tt_ui_status(ui, false, "saving snapshot...");
	return TT_HANDLED | TT_REDRAW;
}

static int act_theme(struct tt_ui *ui, int ch)
{
	int idx = (ui->theme_idx + 1) % tt_theme_builtin_count();
	struct tt_theme t;

	(void)ch;
	if (tt_theme_builtin(idx, &t) < 0) {
		tt_ui_status(ui, true, "theme %d is broken", idx);
		return TT_HANDLED | TT_REDRAW;
	}
	ui->theme = t;
	ui->theme_idx = idx;
	tt_theme_apply(&ui->theme, ui->color);
	tt_ui_status(ui, false, "theme: %s%s", t.name,
	             ui->color ? "" : " (no colour: attributes only)");
	return TT_HANDLED | TT_REPAINT;
}

/* Replay: which processes the snapshot has panes of, when not the one asked for. */
static int no_kept_pane(struct tt_ui *ui, uint32_t pid)
{
	char have[128] = "";
	size_t o = 0;

	for (int i = 0; ui->m->panes && i < ui->m->npanes && i < TT_PANE_MAX && o < sizeof(have);
	     i++)
		o += (size_t)snprintf(have + o, sizeof(have) - o, "%s%u", i ? ", " : "",
		                      ui->m->panes[i].pid);
	tt_ui_status(ui, true, "replay: no goroutine/thread pane of pid %u in this snapshot%s%s",
	             pid, have[0] ? "; panes of pid " : "", have);
	return TT_HANDLED | TT_REDRAW;
}

/*
 * The goroutine/thread pane of the process the selection stands for: the
 * table's top writer, or the selected event's process; again (from the
 * pane) closes it. A replay shows the pane the snapshot kept of it.
 */
static int act_threads(struct tt_ui *ui, int ch)
{
	uint32_t pid;

	(void)ch;
	if (ui->tv.open && (ui->focus == TT_PANE_LOG || ui->focus == TT_PANE_STACK))
		return tt_threads_open(ui, 0);
	pid = tt_threads_selected_pid(ui);
	if (!pid) {
		tt_ui_status(ui, true, "no process selected: pick a terminal or a slow write");
		return TT_HANDLED | TT_REDRAW;
	}
	if (ui->replay && !tt_model_pane(ui->m, pid))
		return no_kept_pane(ui, pid);
	return tt_threads_open(ui, pid);
}

static int act_repaint(struct tt_ui *ui, int ch)
{
	(void)ui;
	(void)ch;
	return TT_HANDLED | TT_REPAINT;
}

#define P TT_KPANE
#define Q TT_KQUIET

/* In the help screen's order; the key bar's order is .bar. */
const struct tt_action tt_actions[] = {
    {.name = "help",
     .keys = "F1 ?",
     .help = "this help (any key closes)",
     .k = {KEY_F(1), '?'},
     .run = act_help,
     .bar = 1,
     .bar_code = KEY_F(1),
     .bar_label = "Help"},
    /* ^C is SIGINT in cbreak mode and never reaches getch(); listed for the help */
    {.name = "quit",
     .keys = "q F10 ^C",
     .help = "quit",
     .k = {'q', KEY_F(10), TT_KEY_CTRL('c')},
     .run = act_quit,
     .bar = 6,
     .bar_code = KEY_F(10),
     .bar_label = "Quit",
     .when_small = true},
    {.name = "focus",
     .keys = "Tab S-Tab",
     .help = "next / previous pane",
     .k = {'\t', KEY_BTAB},
     .run = act_focus},
    {.name = "move",
     .keys = "Up Down j k",
     .help = "move in the focused pane",
     .k = {KEY_UP | P, KEY_DOWN | P, 'j' | P, 'k' | P}},
    {.name = "page",
     .keys = "PgUp PgDn",
     .help = "page up / down",
     .k = {KEY_PPAGE | P, KEY_NPAGE | P}},
    {.name = "ends",
     .keys = "Home End g G",
     .help = "first / last row (first row: follow new data)",
     .k = {KEY_HOME | P, KEY_END | P, 'g' | P, 'G' | P}},
    {.name = "open",
     .keys = "Enter",
     .help = "log: open the stack; table: filter the log by it",
     .k = {'\n' | P, '\r' | P, KEY_ENTER | P}},
    {.name = "pause",
     .keys = "Space",
     .help = "pause / resume the event log (counts keep updating)",
     .k = {' '},
     .run = act_pause,
     .bar = 7,
     .bar_code = ' ',
     .bar_label = "Pause"},
    {.name = "filter",
     .keys = "/ F3  Esc",
     .help = "filter the log (Esc clears): tty comm reason pid goid",
     .k = {'/', KEY_F(3), 27},
     .run = act_filter,
     .bar = 3,
     .bar_code = KEY_F(3),
     .bar_label = "Filter"},
    {.name = "order",
     .keys = "o",
     .help = "log order: newest first / slowest first",
     .k = {'o'},
     .run = act_order},
    {.name = "sort",
     .keys = "< > F6",
     .help = "sort column left / right (F6 cycles)",
     .k = {'<', '>', KEY_F(6)},
     .run = act_sort,
     .bar = 5,
     .bar_code = KEY_F(6),
     .bar_label = "Sort"},
    {.name = "reverse",
     .keys = "r",
     .help = "reverse the sort order",
     .k = {'r'},
     .run = act_reverse},
    {.name = "histogram",
     .keys = "b Left Right",
     .help = "histogram: latency / blocked / run-queue / tick interval",
     .k = {'b', KEY_LEFT | P, KEY_RIGHT | P, 'h' | P | Q, 'l' | P | Q},
     .run = act_hist_kind},
    {.name = "threshold",
     .keys = "t",
     .help = "set the slow-write threshold (ms)",
     .k = {'t'},
     .run = act_threshold},
    {.name = "interval",
     .keys = "+ -",
     .help = "refresh interval longer / shorter",
     .k = {'+', '-', '=' | Q},
     .run = act_interval},
    {.name = "snapshot",
     .keys = "s F5",
     .help = "save a snapshot (ttytop/1 JSON)",
     .k = {'s', KEY_F(5)},
     .run = act_snapshot,
     .bar = 4,
     .bar_code = KEY_F(5),
     .bar_label = "Snapshot"},
    {.name = "theme",
     .keys = "T F2",
     .help = "next colour theme",
     .k = {'T', KEY_F(2)},
     .run = act_theme,
     .bar = 2,
     .bar_code = KEY_F(2),
     .bar_label = "Theme"},
    {.name = "threads",
     .keys = "p",
     .help = "goroutines/threads of the selected process (Esc back)",
     .k = {'p'},
     .run = act_threads},
    {.name = "repaint",
     .keys = "Ctrl-L",
     .help = "redraw the screen",
     .k = {TT_KEY_CTRL('l')},
     .run = act_repaint},
    {.name = "mouse",
     .keys = "mouse",
     .help = "click: select row/pane, heading: sort; wheel: scroll",
     .k = {KEY_MOUSE | P}},
};
const int tt_nactions = (int)(sizeof(tt_actions) / sizeof(tt_actions[0]));

#undef P
#undef Q

const struct tt_action *tt_action_find(int ch)
{
	int i, j, k;

	for (i = 0; i < tt_nactions; i++)
		for (j = 0; j < TT_ACTION_KEYS && (k = tt_actions[i].k[j]); j++)
			if (!(k & TT_KPANE) && (k & TT_KEY_MASK) == ch)
				return &tt_actions[i];
	return NULL;
}

int tt_action_key(struct tt_ui *ui, int ch)
{
	const struct tt_action *a = tt_action_find(ch);

	return a && a->run ? a->run(ui, ch) : 0;
}

const struct tt_action *tt_action_bar(int pos)
{
	int i;

	for (i = 0; i < tt_nactions; i++)
		if (tt_actions[i].bar == pos)
			return &tt_actions[i];
	return NULL;
}

static const struct {
	int code;
	const char *name, *doc; /* doc: NULL when the docs write it as name */
} key_names[] = {
    {' ', "Space", NULL},
    {'\t', "Tab", NULL},
    {KEY_BTAB, "S-Tab", "Shift-Tab"},
    {27, "Esc", NULL},
    {'\n', "Enter", NULL},
    {'\r', "Enter", NULL},
    {KEY_ENTER, "Enter", NULL},
    {KEY_UP, "Up", NULL},
    {KEY_DOWN, "Down", NULL},
    {KEY_LEFT, "Left", NULL},
    {KEY_RIGHT, "Right", NULL},
    {KEY_PPAGE, "PgUp", NULL},
    {KEY_NPAGE, "PgDn", NULL},
    {KEY_HOME, "Home", NULL},
    {KEY_END, "End", NULL},
    {KEY_MOUSE, "mouse", NULL},
    {TT_KEY_CTRL('c'), "^C", "Ctrl-C"},
    {TT_KEY_CTRL('l'), "Ctrl-L", NULL},
};

const char *tt_key_name(int code, bool doc, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(key_names) / sizeof(key_names[0]); i++)
		if (key_names[i].code == code)
			return doc && key_names[i].doc ? key_names[i].doc : key_names[i].name;
	if (code >= KEY_F(1) && code <= KEY_F(63)) {
		snprintf(buf, len, "F%d", code - KEY_F(0));
		return buf;
	}
	if (code > ' ' && code < 0x7f) {
		snprintf(buf, len, "%c", code);
		return buf;
	}
	return NULL;
}
