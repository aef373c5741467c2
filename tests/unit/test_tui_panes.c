/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Dashboard panes drawn into curses windows (output to /dev/null) and read
 * back cell by cell: histogram merging and percentile marks, sorting with a
 * selection that follows the device, a paused log that stays put, filters,
 * and stacks with unresolved frames.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../tui/ui.h"
#include "tui_screen.h"

static struct tt_model m;
static struct tt_opts opts;
static struct tt_source src;
static struct tt_ui *ui;

static int setup(void **state)
{
	(void)state;
	tt_test_screen_open();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tt_test_screen_close();
	return 0;
}

static void fresh(void)
{
	if (ui) {
		free(ui->stack_ev);
		free(ui);
	}
	tt_model_free(&m);
	assert_int_equal(tt_model_init(&m), 0);
	ui = calloc(1, sizeof(*ui));
	assert_non_null(ui);
	ui->stack_ev = calloc(1, sizeof(*ui->stack_ev));
	assert_non_null(ui->stack_ev);
	ui->m = &m;
	ui->o = &opts;
	ui->src = &src;
	ui->replay = true;
	ui->utf8 = false;
	ui->sort = TT_SORT_WPS;
	ui->focus = TT_PANE_TERMINALS;
	tt_layout_compute(40, 120, &ui->lay);
}

static struct tt_terminal *add_term(const char *name, uint32_t dev, double wps)
{
	struct tt_terminal *t = &m.terminals[m.nterminals++];

	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->dev = dev;
	t->class = TT_CLASS_PTY;
	t->writes_per_s = wps;
	return t;
}

/* Text of row y of w, trailing blanks cut. */
static char *row(WINDOW *w, int y)
{
	static char buf[512];
	int n;

	memset(buf, 0, sizeof(buf));
	mvwinnstr(w, y, 0, buf, (int)sizeof(buf) - 1);
	n = (int)strlen(buf);
	while (n > 0 && buf[n - 1] == ' ')
		buf[--n] = '\0';
	return buf;
}

static WINDOW *draw(const struct tt_pane_ops *p, int h, int wd)
{
	WINDOW *w = newwin(h, wd, 0, 0);

	assert_non_null(w);
	werase(w);
	p->draw(ui, w, h, wd);
	return w;
}

static void test_histogram_merges_everything(void **state)
{
	struct tt_terminal *t;
	uint64_t shown = 0, lo, hi;
	int y, rows = 0, m50 = 0, m99 = 0;
	WINDOW *w;

	(void)state;
	fresh();
	t = add_term("pts/1", 1, 10);
	/* 40 non-empty buckets, one of them heavy */
	for (y = 0; y < 40; y++)
		t->lat.counts[20 + 3 * y] = 1;
	t->lat.counts[50] += 1000;
	ui->sel_dev = 1;
	ui->have_sel = true;
	w = draw(&tt_histogram_pane, 12, 60);
	assert_non_null(strstr(row(w, 0), "Latency: pts/1"));
	assert_non_null(strstr(row(w, 1), "n=1040"));
	/* 9 bar rows for 40 buckets: 5 per row, 8 rows, nothing lost */
	for (y = 2; y < 11; y++) {
		char *r = row(w, y);
		unsigned long long c;
		char a[32], b[32];

		if (sscanf(r, "%*[^0-9]%31[^-]-%31s %llu", a, b, &c) != 3)
			continue;
		rows++;
		shown += c;
		m50 += strstr(r, "p50") != NULL;
		m99 += strstr(r, "p99") != NULL;
	}
	assert_int_equal(rows, 8);
	assert_int_equal(shown, 1040);
	assert_int_equal(m50, 1);
	assert_int_equal(m99, 1);
	/* the first row starts at the first non-empty bucket's lower bound */
	tt_hist_bounds(20, &lo, &hi);
	assert_non_null(strstr(row(w, 2), lo < 1000 ? "ns-" : "us-"));
	delwin(w);

	/* a count wider than its column is abbreviated, never cut */
	t->lat.counts[50] = 12345678;
	w = draw(&tt_histogram_pane, 12, 60);
	{
		bool abbrev = false;

		for (y = 2; y < 11; y++) {
			assert_null(strstr(row(w, y), "1234567"));
			abbrev |= strstr(row(w, y), " 12M ") != NULL;
		}
		assert_true(abbrev);
	}
	delwin(w);
	t->lat.counts[50] = 1001;

	/* in the histogram pane, Right/Left change the kind, Down the terminal */
	add_term("pts/5", 5, 1);
	assert_int_equal(tt_histogram_pane.key(ui, KEY_RIGHT), TT_HANDLED | TT_REDRAW);
	assert_int_equal(ui->hist_kind, TT_HK_BLOCKED);
	tt_histogram_pane.key(ui, KEY_LEFT);
	tt_histogram_pane.key(ui, KEY_LEFT);
	assert_int_equal(ui->hist_kind, TT_HK_INTERVAL); /* the fourth kind, then back */
	tt_histogram_pane.key(ui, KEY_LEFT);
	assert_int_equal(ui->hist_kind, TT_HK_RUNQ);
	ui->hist_kind = TT_HK_LAT;
	assert_string_equal(tt_terminals_selected(ui)->name, "pts/1");
	assert_true(tt_histogram_pane.key(ui, KEY_DOWN) & TT_HANDLED);
	assert_string_equal(tt_terminals_selected(ui)->name, "pts/5");
	assert_int_equal(tt_histogram_pane.key(ui, '\n'), 0);
	tt_histogram_pane.key(ui, KEY_UP);
	m.nterminals--;

	/* b cycles the kind; an empty histogram says so */
	ui->hist_kind = TT_HK_RUNQ;
	w = draw(&tt_histogram_pane, 12, 60);
	assert_non_null(strstr(row(w, 0), "Run-queue wait: pts/1"));
	assert_non_null(strstr(row(w, 2), "(empty)"));
	delwin(w);
}

static void test_histogram_keeps_tail_apart(void **state)
{
	struct tt_terminal *t;
	uint64_t lo, hi;
	int y, tail_row = -1, gap_row = -1, body_rows = 0;
	WINDOW *w;

	(void)state;
	fresh();
	t = add_term("pts/2", 2, 10);
	/* a dense fast body (~2-60 us) and two slow outliers near 250 ms */
	/* 44 + 1 non-empty buckets: merging 5 neighbours per row would fold the tail in */
	for (y = 0; y < 44; y++)
		t->lat.counts[90 + y] = 50;
	t->lat.counts[tt_hist_bucket(250000000ull)] = 2;
	ui->sel_dev = 2;
	ui->have_sel = true;
	w = draw(&tt_histogram_pane, 12, 60);
	for (y = 2; y < 11; y++) {
		char *r = row(w, y);
		unsigned long long c;
		char a[32], b[32];

		if (sscanf(r, "%*[^0-9]%31[^-]-%31s %llu", a, b, &c) != 3)
			continue;
		if (c == 0) {
			/* a spare line says nothing lies between the body and the tail */
			gap_row = y;
			assert_non_null(strstr(a, "us"));
			assert_non_null(strstr(b, "ms"));
		} else if (c == 2) {
			/* the outliers' row lies entirely in the slow range */
			tail_row = y;
			assert_non_null(strstr(a, "ms"));
			assert_non_null(strstr(b, "ms"));
		} else {
			/* no body row reaches into the tail */
			body_rows++;
			assert_non_null(strstr(b, "us"));
		}
	}
	assert_true(tail_row > 0);
	assert_int_equal(gap_row, tail_row - 1);
	assert_true(body_rows >= 4);
	tt_hist_bounds(tt_hist_bucket(250000000ull), &lo, &hi);
	assert_true(lo <= 250000000ull && 250000000ull < hi);
	delwin(w);
}

static void test_sort_keeps_selection(void **state)
{
	WINDOW *w;

	(void)state;
	fresh();
	add_term("pts/1", 1, 5)->p99 = 900;
	add_term("pts/2", 2, 50)->p99 = 100;
	add_term("ttyS0", 3, 0.5)->p99 = 5000;
	w = draw(&tt_terminals_pane, 10, 120);
	assert_non_null(strstr(row(w, 2), "pts/2"));
	assert_non_null(strstr(row(w, 3), "pts/1"));
	assert_non_null(strstr(row(w, 4), "ttyS0"));
	delwin(w);
	/* the first row is selected; move down to pts/1 */
	assert_int_equal(tt_terminals_pane.key(ui, KEY_DOWN), TT_HANDLED | TT_REDRAW);
	assert_string_equal(tt_terminals_selected(ui)->name, "pts/1");
	/* re-sort by p99: the selection stays on pts/1, now the second row */
	ui->sort = TT_SORT_P99;
	tt_terminals_sort(ui);
	assert_string_equal(tt_terminals_selected(ui)->name, "pts/1");
	assert_string_equal(m.terminals[ui->order[0]].name, "ttyS0");
	assert_string_equal(m.terminals[ui->order[1]].name, "pts/1");
	ui->sort = TT_SORT_NAME;
	tt_terminals_sort(ui);
	assert_string_equal(m.terminals[ui->order[0]].name, "pts/1");
	ui->sort_rev = true;
	tt_terminals_sort(ui);
	assert_string_equal(m.terminals[ui->order[0]].name, "ttyS0");
	/* a mouse click on the third data row selects it */
	ui->sort_rev = false;
	tt_terminals_pane.mouse(ui, 4, 3, 0);
	assert_string_equal(tt_terminals_selected(ui)->name, "ttyS0");
	/* a click on a heading sorts by that column; a second click reverses it */
	w = draw(&tt_terminals_pane, 10, 120);
	{
		int px = (int)(strstr(row(w, 1), "P99 ") - row(w, 1));

		tt_terminals_pane.mouse(ui, 1, px + 1, 0);
		assert_int_equal(ui->sort, TT_SORT_P99);
		assert_false(ui->sort_rev);
		tt_terminals_pane.mouse(ui, 1, px + 1, 0);
		assert_true(ui->sort_rev);
		px = (int)(strstr(row(w, 1), "TOP WRITER") - row(w, 1));
		tt_terminals_pane.mouse(ui, 1, px + 2, 0);
		assert_int_equal(ui->sort, TT_SORT_WRITER);
		assert_false(ui->sort_rev);
	}
	delwin(w);
}

static void push(uint32_t pid, const char *comm, const char *tty, int64_t goid, enum tt_reason r)
{
	struct tt_model_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.pid = ev.tid = pid;
	ev.goid = goid;
	snprintf(ev.comm, sizeof(ev.comm), "%s", comm);
	snprintf(ev.terminal, sizeof(ev.terminal), "%s", tty);
	ev.reason = r;
	ev.latency_ns = 20000000;
	assert_non_null(tt_model_push_event(&m, &ev));
}

static void test_log_pause_and_filter(void **state)
{
	WINDOW *w;
	int i;

	(void)state;
	fresh();
	for (i = 0; i < 5; i++)
		push(100 + i, "bash", "pts/1", -1, TT_REASON_BUFFER_FULL);
	tt_eventlog_update(ui);
	assert_int_equal(ui->nvis, 5);
	assert_int_equal(tt_eventlog_by_seq(ui, ui->vis[0])->pid, 104); /* newest first */
	tt_eventlog_set_paused(ui, true);
	push(200, "marquee", "pts/2", 18, TT_REASON_WRITE_LOCK);
	tt_eventlog_update(ui);
	assert_int_equal(ui->nvis, 5); /* frozen */
	assert_int_equal(tt_eventlog_by_seq(ui, ui->vis[0])->pid, 104);
	tt_eventlog_set_paused(ui, false);
	tt_eventlog_update(ui);
	assert_int_equal(ui->nvis, 6);
	assert_int_equal(tt_eventlog_by_seq(ui, ui->vis[0])->pid, 200);

	/* substring filters: terminal, comm, reason, pid, goid, case-insensitively */
	snprintf(ui->filter, sizeof(ui->filter), "PTS/2");
	tt_eventlog_update(ui);
	assert_int_equal(ui->nvis, 1);
	snprintf(ui->filter, sizeof(ui->filter), "write-lock");
	tt_eventlog_update(ui);
	assert_int_equal(ui->nvis, 1);
	snprintf(ui->filter, sizeof(ui->filter), "g18");
	tt_eventlog_update(ui);
	assert_int_equal(ui->nvis, 1);
	snprintf(ui->filter, sizeof(ui->filter), "10");
	tt_eventlog_update(ui);
	assert_int_equal(ui->nvis, 5); /* pids 100..104 */
	/* a terminal number is matched whole: pts/1 is not pts/10 */
	push(400, "x", "pts/10", -1, TT_REASON_NONE);
	snprintf(ui->filter, sizeof(ui->filter), "pts/1");
	tt_eventlog_update(ui);
	assert_int_equal(ui->nvis, 5); /* the five bash writes on pts/1 */
	snprintf(ui->filter, sizeof(ui->filter), "pts/10");
	tt_eventlog_update(ui);
	assert_int_equal(ui->nvis, 1);
	snprintf(ui->filter, sizeof(ui->filter), "PTS");
	tt_eventlog_update(ui);
	assert_int_equal(ui->nvis, 7);
	snprintf(ui->filter, sizeof(ui->filter), "nomatch");
	ui->focus = TT_PANE_LOG;
	w = draw(&tt_eventlog_pane, 8, 120);
	assert_non_null(strstr(row(w, 0), "Slow writes (0) filter /nomatch/"));
	assert_non_null(strstr(row(w, 2), "no slow writes match"));
	delwin(w);

	/* Enter opens the selected event's stack and moves the focus there */
	ui->filter[0] = '\0';
	ui->log_sel = 0;
	assert_true(tt_eventlog_pane.key(ui, '\n') & TT_HANDLED);
	assert_true(ui->stack_valid);
	assert_int_equal(ui->stack_ev->pid, 400); /* the newest */
	assert_int_equal(ui->focus, TT_PANE_STACK);

	/* the ring wraps: old sequence numbers stop resolving */
	for (i = 0; i < TT_MODEL_EVENT_RING; i++)
		push(300, "x", "pts/3", -1, TT_REASON_NONE);
	assert_null(tt_eventlog_by_seq(ui, 0));
	assert_non_null(tt_eventlog_by_seq(ui, m.ev_seq - 1));
	assert_null(tt_eventlog_by_seq(ui, m.ev_seq));
}

static void push_split(uint32_t pid, uint64_t cpu, uint64_t blk, uint64_t rq, enum tt_reason r)
{
	struct tt_model_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.pid = ev.tid = pid;
	ev.goid = -1;
	snprintf(ev.comm, sizeof(ev.comm), "w%u", pid);
	snprintf(ev.terminal, sizeof(ev.terminal), "pts/1");
	ev.reason = r;
	ev.oncpu_ns = cpu;
	ev.blocked_ns = blk;
	ev.runq_ns = rq;
	ev.latency_ns = cpu + blk + rq;
	assert_non_null(tt_model_push_event(&m, &ev));
}

/* The selected event stays selected (and on the same screen row) while new ones arrive. */
static void test_log_selection_sticks(void **state)
{
	int i, row_before;

	(void)state;
	fresh();
	for (i = 0; i < 10; i++)
		push(100 + i, "bash", "pts/1", -1, TT_REASON_BUFFER_FULL);
	/* glance mode: focus elsewhere, cursor on the newest row, follows new events */
	ui->focus = TT_PANE_TERMINALS;
	tt_eventlog_update(ui);
	push(110, "bash", "pts/1", -1, TT_REASON_BUFFER_FULL);
	tt_eventlog_update(ui);
	assert_int_equal(ui->log_sel, 0);
	assert_int_equal(tt_eventlog_by_seq(ui, ui->vis[ui->log_sel])->pid, 110);

	/* the user moves to the third row (pid 108) in the focused log */
	ui->focus = TT_PANE_LOG;
	tt_eventlog_pane.key(ui, KEY_DOWN);
	tt_eventlog_pane.key(ui, KEY_DOWN);
	assert_int_equal(tt_eventlog_by_seq(ui, ui->vis[ui->log_sel])->pid, 108);
	row_before = ui->log_sel - ui->log_top;
	push(111, "bash", "pts/1", -1, TT_REASON_BUFFER_FULL);
	push(112, "bash", "pts/1", -1, TT_REASON_BUFFER_FULL);
	tt_eventlog_update(ui);
	assert_int_equal(tt_eventlog_by_seq(ui, ui->vis[ui->log_sel])->pid, 108);
	assert_int_equal(ui->log_sel - ui->log_top, row_before);
	/* Enter opens the event under the cursor, not whatever slid into its row */
	assert_true(tt_eventlog_pane.key(ui, '\n') & TT_HANDLED);
	assert_int_equal(ui->stack_ev->pid, 108);

	/* even on the newest row, a focused log keeps its event */
	ui->focus = TT_PANE_LOG;
	tt_eventlog_pane.key(ui, KEY_HOME);
	assert_int_equal(tt_eventlog_by_seq(ui, ui->vis[ui->log_sel])->pid, 112);
	push(113, "bash", "pts/1", -1, TT_REASON_BUFFER_FULL);
	tt_eventlog_update(ui);
	assert_int_equal(tt_eventlog_by_seq(ui, ui->vis[ui->log_sel])->pid, 112);
	assert_int_equal(ui->log_sel, 1);

	/* clearing a filter keeps the event found with it */
	snprintf(ui->filter, sizeof(ui->filter), "105");
	ui->log_sel_valid = false;
	tt_eventlog_update(ui);
	assert_int_equal(ui->nvis, 1);
	ui->filter[0] = '\0';
	tt_eventlog_update(ui);
	assert_int_equal(tt_eventlog_by_seq(ui, ui->vis[ui->log_sel])->pid, 105);
}

/* The split is shown as times (a zero as "-"), and "none" as "-". */
static void test_log_split_times(void **state)
{
	WINDOW *w;
	char *r;

	(void)state;
	fresh();
	/* empty: a snapshot will never fill, a live log still may */
	w = draw(&tt_eventlog_pane, 8, 120);
	assert_non_null(strstr(row(w, 2), "no slow writes in this snapshot"));
	delwin(w);
	ui->replay = false;
	w = draw(&tt_eventlog_pane, 8, 120);
	assert_non_null(strstr(row(w, 2), "no slow writes yet"));
	delwin(w);
	push_split(7, 12000, 2490000000ull, 40000000, TT_REASON_FLOW_STOPPED);
	push_split(8, 3500, 0, 0, TT_REASON_NONE);
	w = draw(&tt_eventlog_pane, 8, 140);
	r = row(w, 1);
	assert_non_null(strstr(r, "ON-CPU"));
	assert_non_null(strstr(r, "BLOCKED"));
	assert_non_null(strstr(r, "RUNQ"));
	assert_null(strstr(r, "%"));
	/* newest first: pid 8 never slept */
	r = row(w, 2);
	assert_non_null(strstr(r, "3.50us"));
	assert_non_null(strstr(r, "3.50us       -       -"));
	assert_null(strstr(r, "none"));
	r = row(w, 3);
	assert_non_null(strstr(r, "2.53s"));
	assert_non_null(strstr(r, "12.0us   2.49s  40.0ms flow-stopped"));
	delwin(w);
	/* at 120 columns ON-CPU goes first; blocked and run queue stay */
	w = draw(&tt_eventlog_pane, 8, 120);
	assert_null(strstr(row(w, 1), "ON-CPU"));
	assert_non_null(strstr(row(w, 3), "2.49s  40.0ms flow-stopped"));
	delwin(w);
	/* the wide layout's ~96 column log keeps the waker (names the reader) over the time */
	w = draw(&tt_eventlog_pane, 8, 96);
	assert_non_null(strstr(row(w, 1), "WAKER"));
	assert_null(strstr(row(w, 1), "TIME"));
	delwin(w);
	/* at 80 columns blocked time and reason are still there */
	w = draw(&tt_eventlog_pane, 8, 80);
	assert_non_null(strstr(row(w, 3), "2.49s flow-stopped"));
	delwin(w);
}

/* o (or a click on LATENCY) lists the slowest first; a click on TIME goes back. */
static void test_log_slowest_first(void **state)
{
	WINDOW *w;
	int lx;

	(void)state;
	fresh();
	push_split(1, 0, 5000000, 0, TT_REASON_BUFFER_FULL);
	push_split(2, 0, 900000000, 0, TT_REASON_FLOW_STOPPED);
	push_split(3, 0, 20000000, 0, TT_REASON_WRITE_LOCK);
	push_split(4, 0, 20000000, 0, TT_REASON_WRITE_LOCK);
	tt_eventlog_update(ui);
	assert_int_equal(tt_eventlog_by_seq(ui, ui->vis[0])->pid, 4);
	tt_eventlog_toggle_order(ui);
	tt_eventlog_update(ui);
	assert_int_equal(tt_eventlog_by_seq(ui, ui->vis[0])->pid, 2);
	assert_int_equal(tt_eventlog_by_seq(ui, ui->vis[1])->pid, 4); /* ties: newest first */
	assert_int_equal(tt_eventlog_by_seq(ui, ui->vis[2])->pid, 3);
	assert_int_equal(tt_eventlog_by_seq(ui, ui->vis[3])->pid, 1);
	w = draw(&tt_eventlog_pane, 8, 120);
	assert_non_null(strstr(row(w, 0), "Slow writes (4) slowest first"));
	delwin(w);
	tt_eventlog_toggle_order(ui);
	tt_eventlog_update(ui);
	assert_int_equal(tt_eventlog_by_seq(ui, ui->vis[0])->pid, 4);
	/* the same by mouse on the headings */
	w = draw(&tt_eventlog_pane, 8, 120);
	lx = (int)(strstr(row(w, 1), "LATENCY") - row(w, 1));
	delwin(w);
	tt_eventlog_pane.mouse(ui, 1, lx + 1, 0);
	assert_true(ui->log_slowest);
	tt_eventlog_pane.mouse(ui, 1, 3, 0);
	assert_false(ui->log_slowest);
}

/* Every sort key orders by its own column (numbers biggest first, names A-Z). */
static void test_sort_every_column(void **state)
{
	struct tt_terminal *a, *b;
	/* which terminal must come first for each key: a = "ttyS0", b = "pts/9" */
	static const struct {
		int key;
		const char *top;
	} want[] = {
	    {TT_SORT_NAME, "pts/9"},   {TT_SORT_CLASS, "pts/9"}, {TT_SORT_WRITER, "ttyS0"},
	    {TT_SORT_WPS, "ttyS0"},    {TT_SORT_BPS, "pts/9"},   {TT_SORT_P50, "ttyS0"},
	    {TT_SORT_P99, "pts/9"},    {TT_SORT_MAX, "ttyS0"},   {TT_SORT_BLOCKED, "pts/9"},
	    {TT_SORT_REASON, "ttyS0"},
	};
	size_t i;

	(void)state;
	fresh();
	a = add_term("ttyS0", 1, 50);
	b = add_term("pts/9", 2, 5);
	a->class = TT_CLASS_SERIAL;
	b->class = TT_CLASS_PTY; /* "pty" < "serial" */
	a->nwriters = b->nwriters = 1;
	snprintf(a->writers[0].comm, TT_COMM_LEN, "agetty");
	snprintf(b->writers[0].comm, TT_COMM_LEN, "marquee");
	a->bytes_per_s = 10;
	b->bytes_per_s = 1000;
	a->p50 = 900;
	b->p50 = 100;
	a->p99 = 1000;
	b->p99 = 5000;
	a->max_ns = 90000;
	b->max_ns = 6000;
	a->blocked_share = 0.1;
	b->blocked_share = 0.9;
	/* SLEEP REASON: the most frequent one; "buffer-full" < "flow-stopped" */
	a->reasons[TT_REASON_BUFFER_FULL] = 3;
	a->reasons[TT_REASON_WRITE_LOCK] = 1;
	b->reasons[TT_REASON_FLOW_STOPPED] = 5;
	b->reasons[TT_REASON_NONE] = 500; /* never slept: not a reason */
	assert_int_equal(TT_SORT_NR, (int)(sizeof(want) / sizeof(want[0])));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		ui->sort = want[i].key;
		ui->sort_rev = false;
		tt_terminals_sort(ui);
		assert_string_equal(m.terminals[ui->order[0]].name, want[i].top);
		ui->sort_rev = true;
		tt_terminals_sort(ui);
		assert_string_not_equal(m.terminals[ui->order[0]].name, want[i].top);
	}
	{
		WINDOW *w = draw(&tt_terminals_pane, 6, 140);

		assert_non_null(strstr(row(w, 1), "SLEEP REASON"));
		delwin(w);
		/* the wide layout's ~96 columns: sparkline kept over MAX, heading not cut */
		w = draw(&tt_terminals_pane, 6, 96);
		assert_null(strstr(row(w, 1), "MAX"));
		assert_non_null(strstr(row(w, 1), "SLEEP REASON P99 HIST"));
		assert_null(strstr(row(w, 1), "HISTO"));
		ui->sort = TT_SORT_NAME;
		ui->sort_rev = false;
		delwin(w);
		w = draw(&tt_terminals_pane, 6, 140);
		assert_non_null(strstr(row(w, 2), "pts/9"));
		assert_non_null(strstr(row(w, 2), "flow-stopped"));
		assert_non_null(strstr(row(w, 3), "buffer-full"));
		delwin(w);
	}
}

/* Until a row is picked the histogram shows the top row; Home goes back to that. */
static void test_selection_follows_top_until_picked(void **state)
{
	struct tt_terminal *a, *b;

	(void)state;
	fresh();
	a = add_term("pts/0", 10, 1); /* seen first, quiet */
	b = add_term("pts/1", 11, 60);
	assert_string_equal(tt_terminals_selected(ui)->name, "pts/1");
	/* the busy one changes: the selection goes with the top row */
	a->writes_per_s = 500;
	assert_string_equal(tt_terminals_selected(ui)->name, "pts/0");
	/* picked: it stays on pts/1 whatever the order */
	tt_terminals_pane.key(ui, KEY_DOWN);
	assert_string_equal(tt_terminals_selected(ui)->name, "pts/1");
	b->writes_per_s = 1000;
	a->writes_per_s = 2000;
	assert_string_equal(tt_terminals_selected(ui)->name, "pts/1");
	b->writes_per_s = 3000; /* now on top, still picked */
	tt_terminals_pane.key(ui, KEY_DOWN);
	assert_string_equal(tt_terminals_selected(ui)->name, "pts/0");
	tt_terminals_pane.key(ui, KEY_HOME);
	assert_string_equal(tt_terminals_selected(ui)->name, "pts/1");
	a->writes_per_s = 9000; /* following the top again */
	assert_string_equal(tt_terminals_selected(ui)->name, "pts/0");
}

/* Drops say how many, how fast and why; a field that does not fit is left out whole. */
static void test_header_drops(void **state)
{
	WINDOW *w;

	(void)state;
	fresh();
	ui->replay = false;
	ui->interval = 1;
	m.filters.threshold_ms = 0;
	m.totals.events = 18568;
	m.totals.drops[TT_DROP_RATELIMIT] = 509308;
	m.totals.drops[TT_DROP_RINGBUF_FULL] = 12;
	m.totals.dropped = 509320;
	ui->tick.drop_rate = 133500;
	w = draw(&tt_header_pane, 2, 140);
	assert_non_null(strstr(row(w, 1), "slow writes 18568 (0/s)"));
	assert_non_null(strstr(row(w, 1), "drops 509k (134k/s ratelimit)"));
	delwin(w);
	/* 72 columns: the threshold field does not fit and is not cut */
	w = draw(&tt_header_pane, 2, 72);
	assert_non_null(strstr(row(w, 1), "drops 509k"));
	assert_null(strstr(row(w, 1), "thres"));
	delwin(w);
	ui->tick.drop_rate = 0;
	w = draw(&tt_header_pane, 2, 140);
	assert_non_null(strstr(row(w, 1), "drops 509k (ratelimit)"));
	delwin(w);
}

/* What the kernel cannot give is in the header by name; nothing lost, nothing said. */
static void test_header_lost(void **state)
{
	WINDOW *w;

	(void)state;
	fresh();
	snprintf(m.host.hostname, sizeof(m.host.hostname), "dev");
	snprintf(m.host.kernel, sizeof(m.host.kernel), "5.10.0-32-arm64");
	snprintf(m.attach.mode, sizeof(m.attach.mode), "tracepoint");
	snprintf(m.attach.enter_prog, sizeof(m.attach.enter_prog), "probe_read");
	w = draw(&tt_header_pane, 2, 140);
	assert_null(strstr(row(w, 0), "lost"));
	delwin(w);
	m.attach.lost = 1u << TT_LOST_R14_CHECK | 1u << TT_LOST_FRAME1;
	w = draw(&tt_header_pane, 2, 140);
	assert_non_null(strstr(row(w, 0), "attach tracepoint/probe_read  lost r14-check,frame-1"));
	delwin(w);
	m.attach.lost = 0;
}

/* The stack pane opens with the event in words: split, why, waker, backlog. */
static void test_stack_details(void **state)
{
	struct tt_model_event ev;
	WINDOW *w;
	int y;
	bool split = false, slept = false, sys = false, entry = false;

	(void)state;
	fresh();
	memset(&ev, 0, sizeof(ev));
	ev.pid = 4242;
	ev.tid = 4250;
	ev.goid = 18;
	snprintf(ev.terminal, sizeof(ev.terminal), "pts/3");
	ev.oncpu_ns = 42000;
	ev.blocked_ns = 170000000;
	ev.runq_ns = 1000;
	ev.latency_ns = 170043000;
	ev.reason = TT_REASON_FLOW_STOPPED;
	ev.nr_sleeps = 2;
	ev.has_waker = true;
	ev.waker_pid = 19001;
	snprintf(ev.waker_comm, sizeof(ev.waker_comm), "kworker/u8:7");
	ev.fd = 1;
	ev.count = 81;
	ev.ret = 81;
	ev.backlog.stopped = 1;
	ev.stk_flags = TT_EVSTK_SYMBOLIZED;
	tt_model_push_event(&m, &ev);
	/* before Enter: the hint names the next key for where the focus is */
	w = draw(&tt_stack_pane, 14, 80);
	assert_non_null(strstr(row(w, 1), "Tab to Slow writes, pick one, Enter"));
	delwin(w);
	ui->focus = TT_PANE_LOG;
	w = draw(&tt_stack_pane, 14, 80);
	assert_non_null(strstr(row(w, 1), "Enter opens the selected slow write"));
	delwin(w);
	ui->stack_valid = true;
	ui->stack_seq = m.ev_seq - 1;
	*ui->stack_ev = *tt_eventlog_by_seq(ui, ui->stack_seq);
	w = draw(&tt_stack_pane, 14, 80);
	assert_non_null(strstr(row(w, 0), "goroutine 18 - tid 4250 - pts/3 - 170ms"));
	for (y = 1; y < 13; y++) {
		char *r = row(w, y);

		split |=
		    strstr(r, "170ms = on-CPU 42.0us + blocked 170ms + run queue 1.00us") != NULL;
		slept |=
		    strstr(r, "slept 2 times: flow-stopped, woken by kworker/u8:7/19001") != NULL;
		sys |= strstr(r, "write(fd 1, 81B) wrote 81B") != NULL;
		entry |= strstr(r, "at entry: output stopped (XOFF)") != NULL;
	}
	assert_true(split && slept && sys && entry);
	delwin(w);
	/* a narrow pane shortens the words, never the numbers */
	w = draw(&tt_stack_pane, 14, 44);
	assert_non_null(strstr(row(w, 1), "cpu 42.0us blk 170ms rq 1.00us"));
	delwin(w);
}

static void test_stack_raw_addresses(void **state)
{
	struct tt_model_event *ev = NULL;
	WINDOW *w;
	int y;
	bool addr = false, sep = false, gone = false;

	(void)state;
	fresh();
	ev = calloc(1, sizeof(*ev));
	assert_non_null(ev);
	ev->pid = ev->tid = 77;
	ev->goid = -1;
	snprintf(ev->terminal, sizeof(ev->terminal), "pts/9");
	ev->latency_ns = 212000000;
	ev->stk_flags = TT_EVSTK_SYMBOLIZED | TT_EVSTK_PROC_GONE;
	ev->ustack.n = 1;
	ev->ustack.frames[0].addr = 0x55d0c0ffee00ull;
	ev->kstack.n = 1;
	tt_frame_set_func(&ev->kstack.frames[0], "n_tty_write");
	tt_frame_set_module(&ev->kstack.frames[0], "kernel");
	tt_model_push_event(&m, ev);
	free(ev);
	ui->stack_valid = true;
	ui->stack_seq = m.ev_seq - 1;
	*ui->stack_ev = *tt_eventlog_by_seq(ui, ui->stack_seq);
	w = draw(&tt_stack_pane, 12, 70);
	assert_non_null(strstr(row(w, 0), "thread 77 - pts/9 - 212ms"));
	for (y = 1; y < 11; y++) {
		gone |= strstr(row(w, y), "process exited: raw addresses") != NULL;
		addr |= strstr(row(w, y), "0x55d0c0ffee00") != NULL;
		sep |= strstr(row(w, y), " kernel ") != NULL;
	}
	assert_true(gone && addr && sep);
	delwin(w);
}

static void test_sparkline_ascii(void **state)
{
	struct tt_terminal *t;
	WINDOW *w;
	const char *r, *p;
	int i;

	(void)state;
	fresh();
	t = add_term("pts/1", 1, 1);
	for (i = 0; i < 10; i++)
		t->spark_p99[i] = (uint64_t)i * 1000;
	t->spark_len = 10;
	w = draw(&tt_terminals_pane, 6, 140);
	r = row(w, 2);
	p = strstr(r, "_.");
	assert_non_null(p);
	assert_int_equal(strncmp(p, "_.", 2), 0);
	assert_non_null(strchr(p, '#'));
	for (; *p && *p != ' ' && *p != '|'; p++)
		assert_non_null(strchr("_.-=#", *p));
	delwin(w);
}

static double set_ms = -1;
static int set_rc;

static int fake_set_threshold(void *ctx, double ms)
{
	(void)ctx;
	set_ms = ms;
	return set_rc;
}

/* The list keys alone: every move stays inside the list; other keys are not its. */
static void test_listnav_keys(void **state)
{
	static const int others[] = {'q', KEY_LEFT, KEY_RIGHT, '\n', 'h', 'l', ' '};
	int pos = 5;

	(void)state;
	assert_int_equal(tt_listnav_key('j', &pos, 30, 10), TT_HANDLED | TT_REDRAW);
	assert_int_equal(pos, 6);
	tt_listnav_key(KEY_UP, &pos, 30, 10);
	tt_listnav_key('k', &pos, 30, 10);
	assert_int_equal(pos, 4);
	tt_listnav_key(KEY_NPAGE, &pos, 30, 10);
	assert_int_equal(pos, 14);
	tt_listnav_key(KEY_NPAGE, &pos, 30, 10);
	tt_listnav_key(KEY_NPAGE, &pos, 30, 10);
	assert_int_equal(pos, 29);
	tt_listnav_key(KEY_PPAGE, &pos, 30, 10);
	assert_int_equal(pos, 19);
	tt_listnav_key('g', &pos, 30, 10);
	assert_int_equal(pos, 0);
	tt_listnav_key(KEY_UP, &pos, 30, 10);
	assert_int_equal(pos, 0);
	tt_listnav_key('G', &pos, 30, 10);
	assert_int_equal(pos, 29);
	tt_listnav_key(KEY_DOWN, &pos, 30, 10);
	assert_int_equal(pos, 29);
	tt_listnav_key(KEY_HOME, &pos, 30, 10);
	tt_listnav_key(KEY_END, &pos, 30, 10);
	assert_int_equal(pos, 29);
	/* a page of less than one row still moves */
	tt_listnav_key(KEY_PPAGE, &pos, 30, 0);
	assert_int_equal(pos, 28);
	/* an empty list: the position is 0 */
	tt_listnav_key(KEY_END, &pos, 0, 10);
	assert_int_equal(pos, 0);
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		pos = 3;
		assert_int_equal(tt_listnav_key(others[i], &pos, 30, 10), 0);
		assert_int_equal(pos, 3);
		assert_false(tt_listnav_is_key(others[i]));
	}
	assert_true(tt_listnav_is_key('G') && tt_listnav_is_key(KEY_NPAGE));
	/* the first row shown follows the selection, and never leaves rows unused */
	assert_int_equal(tt_listnav_top(0, 12, 30, 10), 3);
	assert_int_equal(tt_listnav_top(8, 2, 30, 10), 2);
	assert_int_equal(tt_listnav_top(25, -1, 30, 10), 20);
	assert_int_equal(tt_listnav_top(5, -1, 4, 10), 0);
	assert_int_equal(tt_listnav_row_at(3, 10, 2), 5);
	assert_int_equal(tt_listnav_row_at(3, 10, 7), -1);
	assert_int_equal(tt_listnav_row_at(3, 10, -1), -1);
}

/* The same keys in each scrolling pane: the log and table select, the stack scrolls. */
static void test_listnav_panes(void **state)
{
	int i;

	(void)state;
	fresh();
	for (i = 0; i < 40; i++)
		push(100 + i, "bash", "pts/1", -1, TT_REASON_BUFFER_FULL);
	ui->focus = TT_PANE_LOG;
	tt_eventlog_update(ui);
	assert_int_equal(tt_eventlog_pane.key(ui, 'G'), TT_HANDLED | TT_REDRAW);
	assert_int_equal(ui->log_sel, 39);
	assert_int_equal(tt_eventlog_by_seq(ui, ui->log_sel_seq)->pid, 100);
	tt_eventlog_pane.key(ui, KEY_PPAGE);
	assert_int_equal(ui->log_sel, 39 - (ui->lay.r[TT_PANE_LOG].h - 3));
	assert_int_equal(tt_eventlog_pane.key(ui, 'x'), 0);

	for (i = 0; i < 5; i++)
		add_term("pts/9", 90 + (uint32_t)i, 10 - i);
	tt_terminals_pane.key(ui, 'G');
	assert_int_equal(tt_terminals_selected(ui)->dev, 94);
	tt_terminals_pane.key(ui, 'k');
	assert_int_equal(tt_terminals_selected(ui)->dev, 93);
	assert_true(ui->sel_picked);
	tt_terminals_pane.key(ui, 'g');
	assert_false(ui->sel_picked); /* back to following the top row */

	/* the stack's last page ends at its last line */
	ui->stack_lines = 50;
	tt_stack_pane.key(ui, KEY_END);
	assert_int_equal(ui->stack_top, 50 - (ui->lay.r[TT_PANE_STACK].h - 2));
	tt_stack_pane.key(ui, 'g');
	assert_int_equal(ui->stack_top, 0);
	ui->stack_lines = 3; /* shorter than the pane: nothing to scroll */
	tt_stack_pane.key(ui, 'j');
	assert_int_equal(ui->stack_top, 0);
}

/* The panes explain a missing stack and an IRQ waker from the event's plain fields. */
static void test_stack_plain_fields(void **state)
{
	struct tt_model_event ev;
	bool u = false, k = false, sleep = false, irq = false;
	WINDOW *w;
	int y;

	(void)state;
	fresh();
	memset(&ev, 0, sizeof(ev));
	ev.pid = ev.tid = 31;
	ev.goid = -1;
	ev.latency_ns = 30000000;
	ev.nr_sleeps = 1;
	ev.reason = TT_REASON_BUFFER_FULL;
	ev.waker_irq = true;
	ev.no_ustack = ev.no_kstack = ev.kstack_at_sleep = true;
	tt_model_push_event(&m, &ev);
	ui->stack_valid = true;
	ui->stack_seq = m.ev_seq - 1;
	*ui->stack_ev = *tt_eventlog_by_seq(ui, ui->stack_seq);
	w = draw(&tt_stack_pane, 16, 80);
	for (y = 1; y < 15; y++) {
		u |= strstr(row(w, y), "(user stack not captured)") != NULL;
		k |= strstr(row(w, y), "(kernel stack not captured)") != NULL;
		sleep |= strstr(row(w, y), " kernel (at first sleep) ") != NULL;
		irq |= strstr(row(w, y), "woken by an interrupt") != NULL;
	}
	assert_true(u && k && sleep && irq);
	delwin(w);
	ui->focus = TT_PANE_LOG;
	w = draw(&tt_eventlog_pane, 10, 160);
	assert_non_null(strstr(row(w, 2), " irq"));
	delwin(w);
	/* without them: no frames, and no claim that capture failed (the pane re-reads the ring) */
	ev.no_ustack = ev.no_kstack = ev.kstack_at_sleep = false;
	*tt_eventlog_by_seq(ui, ui->stack_seq) = ev;
	w = draw(&tt_stack_pane, 16, 80);
	u = k = sleep = false;
	for (y = 1; y < 15; y++) {
		u |= strstr(row(w, y), "(no user frames)") != NULL;
		k |= strstr(row(w, y), "(no kernel frames)") != NULL;
		sleep |= strstr(row(w, y), "at first sleep") != NULL;
	}
	assert_true(u && k && !sleep);
	delwin(w);
}

static void test_prompt_threshold_and_filter(void **state)
{
	static const struct tt_source_ops ops = {.set_threshold = fake_set_threshold};
	const char *bad[] = {"", "abc", "-1", "5x", "1e99", "nan", "3600001"};
	size_t i;

	(void)state;
	fresh();
	/* replay: nothing is called */
	assert_int_equal(tt_prompt_apply_threshold(ui, "5"), -1);
	assert_string_equal(ui->status, "replay: read-only");
	assert_true(set_ms < 0);

	src.ops = &ops;
	ui->replay = false;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(tt_prompt_apply_threshold(ui, bad[i]), -1);
		assert_true(ui->status_err);
		assert_true(set_ms < 0);
	}
	assert_int_equal(tt_prompt_apply_threshold(ui, "2.5"), 0);
	assert_true(set_ms == 2.5);
	assert_true(m.filters.threshold_ms == 2.5);
	assert_false(ui->status_err);
	set_rc = -22;
	assert_int_equal(tt_prompt_apply_threshold(ui, "7"), -1);
	assert_non_null(strstr(ui->status, "Invalid argument"));
	assert_true(m.filters.threshold_ms == 2.5); /* unchanged on failure */
	set_rc = 0;

	/* the prompt edits a line; only digits and '.' for the threshold */
	tt_prompt_start(ui, TT_PROMPT_THRESHOLD);
	tt_prompt_key(ui, 21); /* Ctrl-U */
	tt_prompt_key(ui, '1');
	tt_prompt_key(ui, 'x');
	tt_prompt_key(ui, '2');
	tt_prompt_key(ui, KEY_BACKSPACE);
	tt_prompt_key(ui, '0');
	assert_string_equal(ui->pbuf, "10");
	tt_prompt_key(ui, '\n');
	assert_int_equal(ui->prompt, TT_PROMPT_NONE);
	assert_true(set_ms == 10);

	/* the filter applies as you type; Esc restores the previous one */
	snprintf(ui->filter, sizeof(ui->filter), "old");
	tt_prompt_start(ui, TT_PROMPT_FILTER);
	tt_prompt_key(ui, 'z');
	assert_string_equal(ui->filter, "oldz");
	tt_prompt_key(ui, 27);
	assert_string_equal(ui->filter, "old");
	tt_prompt_start(ui, TT_PROMPT_FILTER);
	for (i = 0; i < 200; i++) /* bounded */
		tt_prompt_key(ui, 'a');
	assert_int_equal(strlen(ui->filter), TT_FILTER_LEN - 1);
	src.ops = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_histogram_merges_everything),
	    cmocka_unit_test(test_histogram_keeps_tail_apart),
	    cmocka_unit_test(test_sort_keeps_selection),
	    cmocka_unit_test(test_log_pause_and_filter),
	    cmocka_unit_test(test_stack_raw_addresses),
	    cmocka_unit_test(test_sparkline_ascii),
	    cmocka_unit_test(test_prompt_threshold_and_filter),
	    cmocka_unit_test(test_log_selection_sticks),
	    cmocka_unit_test(test_log_split_times),
	    cmocka_unit_test(test_sort_every_column),
	    cmocka_unit_test(test_log_slowest_first),
	    cmocka_unit_test(test_selection_follows_top_until_picked),
	    cmocka_unit_test(test_header_drops),
	    cmocka_unit_test(test_header_lost),
	    cmocka_unit_test(test_stack_details),
	    cmocka_unit_test(test_listnav_keys),
	    cmocka_unit_test(test_listnav_panes),
	    cmocka_unit_test(test_stack_plain_fields),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
