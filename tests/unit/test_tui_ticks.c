/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Ticks and Go pauses on the dashboard, from a hand-filled model: the
 * period and jitter cell, a late tick in the log with its cause, the stack
 * pane's sentence, the histogram's interval view and the header's GC field.
 * Panes are drawn into curses windows (output to /dev/null) and read back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../tui/actions.h"
#include "../../tui/ui.h"
#include "tui_screen.h"

#define MS 1000000ull
#define T0 (1795669200ull * 1000000000ull)

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
	if (ui) {
		free(ui->stack_ev);
		free(ui);
	}
	tt_model_free(&m);
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
	ui->sort = TT_SORT_WPS;
	ui->focus = TT_PANE_TERMINALS;
	m.filters.threshold_ms = 10;
	m.now_realtime_ns = T0;
	tt_layout_compute(40, 120, &ui->lay);
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

/* Rows 1..h-2 of w inside the frame, joined by single spaces: wrapped text reads whole. */
static char *body(WINDOW *w, int h)
{
	static char all[4096];
	char line[512];
	size_t o = 0;

	all[0] = '\0';
	for (int y = 1; y < h - 1; y++) {
		char *r = line;
		size_t n;

		memset(line, 0, sizeof(line));
		mvwinnstr(w, y, 1, line, getmaxx(w) - 2);
		while (*r == ' ')
			r++;
		n = strlen(r);
		while (n && r[n - 1] == ' ')
			r[--n] = '\0';
		if (n && o + n + 2 < sizeof(all))
			o += (size_t)snprintf(all + o, sizeof(all) - o, "%s%s", o ? " " : "", r);
	}
	return all;
}

/* strstr that says what it read when the text is not there */
static void has(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("'%s' not in '%s'", needle, hay);
}

static WINDOW *draw(const struct tt_pane_ops *p, int h, int wd)
{
	WINDOW *w = newwin(h, wd, 0, 0);

	assert_non_null(w);
	werase(w);
	p->draw(ui, w, h, wd);
	return w;
}

static struct tt_terminal *add_term(const char *name, uint32_t dev, double wps, uint32_t pid,
                                    const char *comm)
{
	struct tt_terminal *t = &m.terminals[m.nterminals++];

	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->dev = dev;
	t->class = TT_CLASS_PTY;
	t->writes_per_s = wps;
	if (pid) {
		t->writers[0].pid = pid;
		snprintf(t->writers[0].comm, sizeof(t->writers[0].comm), "%s", comm);
		t->nwriters = 1;
	}
	return t;
}

/*
 * marquee/4242 g18 on dev: a 100 ms period, 100 intervals on time, 3 of
 * 312 ms; jitter all in the 12 ms bucket, the largest 12 ms.
 */
static struct tt_model_ticker *add_ticker(uint32_t dev)
{
	struct tt_model_ticker *t = tt_model_ticker(&m, dev, 4242, 18, true);

	assert_non_null(t);
	snprintf(t->comm, sizeof(t->comm), "marquee");
	t->period_ns = 100 * MS;
	t->intervals = 103;
	t->late = 3;
	t->iv.counts[tt_hist_bucket(100 * MS)] = 100;
	t->iv.counts[tt_hist_bucket(312 * MS)] = 3;
	t->jitter.counts[tt_hist_bucket(12 * MS)] = 103;
	t->jitter_max_ns = 12 * MS;
	return t;
}

/* The Go process 4242 with two pauses: 1.2 ms long ago, and 298 ms at T0 - 400 ms. */
static struct tt_model_proc *add_proc(void)
{
	struct tt_model_proc *p = tt_model_proc(&m, 4242, true);
	struct tt_stw a = {T0 - 60000 * MS, 1200000, "GC sweep termination"};
	struct tt_stw b = {T0 - 400 * MS, 298 * MS, "GC mark termination"};

	assert_non_null(p);
	snprintf(p->comm, sizeof(p->comm), "marquee");
	p->instrumented = true;
	tt_model_proc_add_stw(p, &a);
	tt_model_proc_add_stw(p, &b);
	p->stw_count = 2;
	p->gc_cycles = 1;
	p->stw_max_ns = 298 * MS;
	return p;
}

/* A late tick at T0 - 50 ms: the interval (312 ms) holds the 298 ms pause. */
static void late_event(struct tt_model_event *e, enum tt_cause cause, uint64_t cause_ns)
{
	memset(e, 0, sizeof(*e));
	e->kind = TT_KIND_LATE_TICK;
	e->time_ns = T0 - 50 * MS;
	e->pid = 4242;
	e->tid = 4250;
	e->goid = 18;
	snprintf(e->comm, sizeof(e->comm), "marquee");
	snprintf(e->terminal, sizeof(e->terminal), "pts/3");
	e->dev = 3;
	e->count = e->ret = 64;
	e->latency_ns = 40000;
	e->oncpu_ns = 39000;
	e->runq_ns = 1000;
	e->interval_ns = 312 * MS;
	e->period_ns = 100 * MS;
	e->late_ns = 212 * MS;
	e->cause = cause;
	e->cause_ns = cause_ns;
	e->gc_overlap_ns = cause == TT_CAUSE_GC_STW ? cause_ns : 0;
}

static void test_fmt_tick_cell(void **state)
{
	struct tt_model_ticker t;
	char b[32];

	(void)state;
	memset(&t, 0, sizeof(t));
	assert_string_equal(tt_fmt_tick(NULL, false, b, sizeof(b)), "-");
	t.intervals = 5; /* no period detected yet */
	assert_string_equal(tt_fmt_tick(&t, false, b, sizeof(b)), "-");
	t.period_ns = 100 * MS;
	assert_string_equal(tt_fmt_tick(&t, false, b, sizeof(b)), "100ms");
	t.jitter.counts[tt_hist_bucket(12 * MS)] = 50;
	t.jitter_max_ns = 12 * MS; /* the p99 interpolated past it is capped to it */
	assert_string_equal(tt_fmt_tick(&t, false, b, sizeof(b)), "100ms +-12.0ms");
	assert_string_equal(tt_fmt_tick(&t, true, b, sizeof(b)), "100ms \xc2\xb1"
	                                                         "12.0ms");
	/* a buffer too small is filled, not overrun */
	assert_int_equal(strlen(tt_fmt_tick(&t, false, b, 6)), 5);
	assert_string_equal(tt_fmt_ns_words(212 * MS, b, sizeof(b)), "212 ms");
	assert_string_equal(tt_fmt_ns_words(1200 * MS, b, sizeof(b)), "1.20 s");
	assert_string_equal(tt_fmt_ns_words(812, b, sizeof(b)), "812 ns");
}

static void test_fmt_late_forms(void **state)
{
	struct tt_model_event e;
	char b[64];

	(void)state;
	late_event(&e, TT_CAUSE_GC_STW, 298 * MS);
	assert_string_equal(tt_fmt_late(&e, 40, b, sizeof(b)), "late +212ms gc-stw 298ms");
	assert_string_equal(tt_fmt_late(&e, 19, b, sizeof(b)), "+212ms gc-stw 298ms");
	assert_string_equal(tt_fmt_late(&e, 18, b, sizeof(b)), "+212ms gc-stw");
	assert_string_equal(tt_fmt_late(&e, 8, b, sizeof(b)), "+212ms");
	late_event(&e, TT_CAUSE_TERMINAL_BLOCKED, 250 * MS);
	assert_string_equal(tt_fmt_late(&e, 40, b, sizeof(b)),
	                    "late +212ms terminal-blocked 250ms");
	late_event(&e, TT_CAUSE_APP, 0); /* nothing seen: no figure */
	assert_string_equal(tt_fmt_late(&e, 40, b, sizeof(b)), "late +212ms app");
	e.cause_ns = e.late_ns; /* what the kernel may say for app: the lateness again */
	assert_string_equal(tt_fmt_late(&e, 40, b, sizeof(b)), "late +212ms app");
	e.kind = TT_KIND_SLOW_WRITE;
	assert_string_equal(tt_fmt_late(&e, 40, b, sizeof(b)), "");
}

static void test_fmt_late_cause_words(void **state)
{
	struct tt_model_event e;
	char b[384];

	(void)state;
	late_event(&e, TT_CAUSE_GC_STW, 298 * MS);
	assert_string_equal(tt_fmt_late_cause(&e, "GC mark termination", b, sizeof(b)),
	                    "Tick 212 ms late (interval 312 ms, period 100 ms): a Go "
	                    "stop-the-world of 298 ms (GC mark termination) overlapped it");
	assert_string_equal(tt_fmt_late_cause(&e, NULL, b, sizeof(b)),
	                    "Tick 212 ms late (interval 312 ms, period 100 ms): a Go "
	                    "stop-the-world of 298 ms overlapped it");
	/* the runtime's words come from another process's memory: inert */
	tt_fmt_late_cause(&e, "GC\x1b[2J", b, sizeof(b));
	assert_null(strchr(b, '\x1b'));
	late_event(&e, TT_CAUSE_TERMINAL_BLOCKED, 250 * MS);
	assert_non_null(strstr(tt_fmt_late_cause(&e, NULL, b, sizeof(b)),
	                       "): the write before it was blocked 250 ms in the terminal"));
	late_event(&e, TT_CAUSE_RUN_QUEUE, 180 * MS);
	e.gc_overlap_ns = 2 * MS; /* a pause that was not the cause is still said */
	assert_string_equal(tt_fmt_late_cause(&e, NULL, b, sizeof(b)),
	                    "Tick 212 ms late (interval 312 ms, period 100 ms): the process's "
	                    "threads waited 180 ms runnable without a CPU; a Go stop-the-world "
	                    "of 2.00 ms also overlapped it");
	late_event(&e, TT_CAUSE_APP, 0);
	assert_non_null(
	    strstr(tt_fmt_late_cause(&e, NULL, b, sizeof(b)), "the program itself was late"));
}

/* The pause named for an event is one inside its span, the longest. */
static void test_event_stw_lookup(void **state)
{
	struct tt_model_event e;
	const struct tt_stw *s;

	(void)state;
	fresh();
	add_proc();
	late_event(&e, TT_CAUSE_GC_STW, 298 * MS);
	s = tt_event_stw(&m, &e);
	assert_non_null(s);
	assert_int_equal(s->duration_ns, 298 * MS);
	assert_string_equal(s->reason, "GC mark termination");
	e.time_ns = T0 + 10000 * MS; /* an interval after both pauses */
	assert_null(tt_event_stw(&m, &e));
	e.pid = 1; /* not a Go process */
	e.time_ns = T0 - 50 * MS;
	assert_null(tt_event_stw(&m, &e));
}

static void test_terminals_tick_column(void **state)
{
	WINDOW *w;

	(void)state;
	fresh();
	add_term("pts/3", 3, 100, 4242, "marquee");
	add_term("pts/7", 7, 10, 1200, "bash");
	add_ticker(3);
	w = draw(&tt_terminals_pane, 6, 120);
	has(row(w, 1), "TICK JITTER");
	has(row(w, 2), "pts/3");
	has(row(w, 2), "100ms +-12.0ms");
	/* no ticker: a dash, never a zero period */
	has(row(w, 3), "pts/7");
	has(row(w, 3), " -");
	assert_null(strstr(row(w, 3), "ms +-"));
	delwin(w);
	/* the wide layout's ~96 columns keep the older columns (see docs/dashboard.md) */
	w = draw(&tt_terminals_pane, 6, 96);
	assert_null(strstr(row(w, 1), "TICK"));
	has(row(w, 1), "SLEEP REASON P99 HIST");
	delwin(w);
}

static void test_histogram_interval_view(void **state)
{
	WINDOW *w;
	int y, period_row = -1, late_row = -1;

	(void)state;
	fresh();
	add_term("pts/3", 3, 100, 4242, "marquee");
	add_ticker(3);
	ui->hist_kind = TT_HK_RUNQ;
	assert_true(tt_action_key(ui, 'b') & TT_HANDLED); /* b: the fourth kind */
	assert_int_equal(ui->hist_kind, TT_HK_INTERVAL);
	w = draw(&tt_histogram_pane, 12, 72);
	has(row(w, 0), "Tick interval: pts/3 marquee/4242 g18");
	has(row(w, 1), "period 100ms  jitter p50 12.0ms p99 12.0ms max 12.0ms  late 3 of 103");
	for (y = 2; y < 11; y++) {
		unsigned long long c;
		char *r = row(w, y);

		if (sscanf(r, "%*[^0-9]%*[^-]-%*s %llu", &c) != 1)
			continue;
		if (strstr(r, "period")) {
			period_row = y;
			assert_int_equal(c, 100);
		}
		if (strstr(r, "late")) {
			late_row = y;
			assert_int_equal(c, 3);
		}
	}
	assert_true(period_row > 0);
	assert_true(late_row > period_row);
	delwin(w);
	/* a narrow pane keeps the period and the p99 and max */
	w = draw(&tt_histogram_pane, 12, 36);
	has(row(w, 1), "100ms p99 12.0ms max 12.0ms");
	delwin(w);
	/* b again: back to latency */
	tt_action_key(ui, 'b');
	assert_int_equal(ui->hist_kind, TT_HK_LAT);
	/* a terminal without a ticker says so */
	fresh();
	add_term("pts/7", 7, 10, 1200, "bash");
	ui->hist_kind = TT_HK_INTERVAL;
	w = draw(&tt_histogram_pane, 12, 72);
	has(row(w, 0), "Tick interval: pts/7");
	has(row(w, 1), "no writer with a tick on this terminal");
	delwin(w);
}

static void push_slow(uint32_t pid, const char *tty, uint64_t gc)
{
	struct tt_model_event e;

	memset(&e, 0, sizeof(e));
	e.time_ns = T0 - 900 * MS;
	e.pid = e.tid = pid;
	e.goid = -1;
	snprintf(e.comm, sizeof(e.comm), "bash");
	snprintf(e.terminal, sizeof(e.terminal), "%s", tty);
	e.latency_ns = e.oncpu_ns = 15 * MS;
	e.gc_overlap_ns = gc;
	tt_model_push_event(&m, &e);
}

static void test_log_late_tick_row(void **state)
{
	struct tt_model_event e;
	WINDOW *w;

	(void)state;
	fresh();
	push_slow(1200, "pts/7", 0);
	late_event(&e, TT_CAUSE_GC_STW, 298 * MS);
	tt_model_push_event(&m, &e);
	w = draw(&tt_eventlog_pane, 8, 120);
	has(row(w, 0), "Slow writes (1 + 1 late tick)");
	/* newest first: the late tick, marked, its lateness and cause after LATENCY */
	has(row(w, 2), "~pts/3");
	has(row(w, 2), "40.0us late +212ms gc-stw 298ms");
	has(row(w, 3), "pts/7");
	assert_null(strstr(row(w, 3), "~pts/7"));
	delwin(w);
	/* 80 columns: the short form, never a cut number */
	w = draw(&tt_eventlog_pane, 8, 80);
	has(row(w, 2), "+212ms gc-stw 298ms");
	delwin(w);
	/* the filter finds them by kind and by cause */
	snprintf(ui->filter, sizeof(ui->filter), "gc-stw");
	tt_eventlog_update(ui);
	assert_int_equal(ui->nvis, 1);
	snprintf(ui->filter, sizeof(ui->filter), "late");
	tt_eventlog_update(ui);
	assert_int_equal(ui->nvis, 1);
	ui->filter[0] = '\0';
	/* slowest first: the late tick by its lateness (212 ms), above the 15 ms write */
	ui->log_slowest = true;
	w = draw(&tt_eventlog_pane, 8, 120);
	has(row(w, 2), "~pts/3");
	delwin(w);
	push_slow(1400, "pts/9", 0);
	m.events[(m.ev_head + TT_MODEL_EVENT_RING - 1) % TT_MODEL_EVENT_RING].latency_ns = 300 * MS;
	w = draw(&tt_eventlog_pane, 8, 120);
	has(row(w, 2), "pts/9");
	has(row(w, 3), "~pts/3");
	delwin(w);
	ui->log_slowest = false;
	/* a slow write that never slept but a pause held up says so in REASON */
	push_slow(1300, "pts/8", 3 * MS);
	w = draw(&tt_eventlog_pane, 8, 120);
	has(row(w, 2), "pts/8");
	has(row(w, 2), "gc-stw");
	delwin(w);
	snprintf(ui->filter, sizeof(ui->filter), "gc-stw");
	tt_eventlog_update(ui);
	assert_int_equal(ui->nvis, 2); /* the late tick and the write a pause held up */
	ui->filter[0] = '\0';
}

static void open_newest(void)
{
	ui->focus = TT_PANE_LOG;
	ui->log_sel = 0;
	ui->log_sel_valid = false; /* the newest row, not the one opened before */
	assert_true(tt_eventlog_open_selected(ui) & TT_HANDLED);
	assert_true(ui->stack_valid);
}

static void test_stack_late_tick_words(void **state)
{
	struct tt_model_event e;
	WINDOW *w;

	(void)state;
	fresh();
	add_proc();
	late_event(&e, TT_CAUSE_GC_STW, 298 * MS);
	tt_model_push_event(&m, &e);
	open_newest();
	w = draw(&tt_stack_pane, 14, 60);
	has(row(w, 0), "goroutine 18 - tid 4250 - pts/3 - late 212ms");
	/* wrapped at spaces over the pane's lines, whole once joined */
	has(body(w, 14), "Tick 212 ms late (interval 312 ms, period 100 ms): a "
	                 "Go stop-the-world of 298 ms (GC mark termination) "
	                 "overlapped it");
	for (int y = 1; y < 13; y++)
		assert_true(strlen(row(w, y)) <= 60);
	/* the write's own split follows */
	has(body(w, 14), "40.0us = on-CPU 39.0us");
	delwin(w);
	/* a short pane still says why */
	w = draw(&tt_stack_pane, 6, 60);
	has(body(w, 6), "Tick 212 ms late");
	delwin(w);
	/* a slow write a pause overlapped: the pause named in words */
	push_slow(4242, "pts/3", 298 * MS);
	m.events[(m.ev_head + TT_MODEL_EVENT_RING - 1) % TT_MODEL_EVENT_RING].time_ns =
	    T0 - 300 * MS; /* inside the 298 ms pause */
	open_newest();
	w = draw(&tt_stack_pane, 14, 100);
	has(body(w, 14), "a Go stop-the-world of 298 ms (GC mark termination) "
	                 "overlapped this write");
	delwin(w);
}

static void test_header_gc_field(void **state)
{
	WINDOW *w;

	(void)state;
	fresh();
	w = draw(&tt_header_pane, 2, 160);
	assert_null(strstr(row(w, 0), "GC "));
	assert_null(strstr(row(w, 1), "late ticks"));
	delwin(w);
	add_proc();
	add_ticker(3);
	w = draw(&tt_header_pane, 2, 160);
	has(row(w, 1), "events 0  late ticks 3");
	has(row(w, 0), "GC marquee/4242: 2 pauses, last 298ms 400ms ago, max 298ms");
	delwin(w);
	/* a busier process with short pauses does not hide the 298 ms one */
	{
		struct tt_model_proc *q = tt_model_proc(&m, 5307, true);
		struct tt_stw st = {T0 - 10 * MS, 31700, "GC sweep termination"};

		snprintf(q->comm, sizeof(q->comm), "gcloop");
		for (int i = 0; i < 12; i++)
			tt_model_proc_add_stw(q, &st);
		q->stw_count = 12;
		q->stw_max_ns = 242000;
		w = draw(&tt_header_pane, 2, 160);
		has(row(w, 0), "GC marquee/4242: 2 pauses");
		delwin(w);
		q->stw_max_ns = 400 * MS; /* now it is the worst */
		w = draw(&tt_header_pane, 2, 160);
		has(row(w, 0), "GC gcloop/5307: 12 pauses, last 31.7us 10.0ms ago, max 400ms");
		delwin(w);
		m.nprocs--;
	}
	/* narrower: a shorter form, whole */
	{
		char b[128];
		bool alert;

		tt_fmt_gc(&m, 40, &alert, b, sizeof(b));
		assert_string_equal(b, "GC 2 pauses, last 298ms, max 298ms");
		assert_true(alert); /* 298 ms against a 10 ms threshold */
		tt_fmt_gc(&m, 20, &alert, b, sizeof(b));
		assert_string_equal(b, "GC max 298ms");
		m.filters.threshold_ms = 500;
		tt_fmt_gc(&m, 20, &alert, b, sizeof(b));
		assert_false(alert);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fmt_tick_cell),
	    cmocka_unit_test(test_fmt_late_forms),
	    cmocka_unit_test(test_fmt_late_cause_words),
	    cmocka_unit_test(test_event_stw_lookup),
	    cmocka_unit_test(test_terminals_tick_column),
	    cmocka_unit_test(test_histogram_interval_view),
	    cmocka_unit_test(test_log_late_tick_row),
	    cmocka_unit_test(test_stack_late_tick_words),
	    cmocka_unit_test(test_header_gc_field),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
