// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The slow-write log, newest first. Rows are event sequence numbers, so a
 * paused log keeps showing the same events while the ring moves on. Writes
 * still in flight head it, by thread, their time counting at each refresh:
 * a hang is the first thing on screen, not something seen once it is over.
 * Late ticks (a writer's interval longer than its period, however fast the
 * write) are rows too, marked before the terminal, their lateness and its
 * cause written across the columns after LATENCY.
 */
#include "ui.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { C_TIME, C_TTY, C_PID, C_COMM, C_BYTES, C_LAT, C_CPU, C_BLK, C_RQ, C_REASON, C_WAKER, C_NR };

/*
 * Where the latency went, as times: a percentage of a 2 s write hides a
 * 40 ms run-queue wait behind "2%", and the eye compares times with the
 * LATENCY column directly.
 */
static const char *col_head[C_NR] = {"TIME",  "TERMINAL", "PID/TID GOID", "COMM",
                                     "BYTES", "LATENCY",  "ON-CPU",       "BLOCKED",
                                     "RUNQ",  "REASON",   "WAKER"};
static const int col_w[C_NR] = {12, 9, 17, 15, 6, 7, 7, 7, 7, 12, 18};
/*
 * Dropped from the highest number down as the pane narrows: at 120 columns
 * only ON-CPU (latency minus the other two); at ~96 (the wide layout's left
 * column) also bytes, run queue and time, keeping the waker, which names
 * the reader that does not drain; at 80 the waker too, keeping who, how
 * long, how long asleep and why. The stack pane repeats all of them.
 */
static const int col_prio[C_NR] = {2, 0, 1, 0, 4, 0, 4, 1, 3, 1, 1};
static const bool col_right[C_NR] = {false, false, false, false, true, true,
                                     true,  true,  true,  false, false};

/* Latency (or lateness) from which a row is drawn as log_slow. */
#define SLOW_ROW_NS (100ull * 1000 * 1000)
/* Before the terminal: a write in flight, a late tick (a clock face). */
#define MARK_INFLIGHT(utf8) ((utf8) ? "\xe2\x96\xb6" : ">")
#define MARK_LATE(utf8) ((utf8) ? "\xe2\x97\xb7" : "~")

static bool is_late(const struct tt_model_event *ev)
{
	return ev->kind == TT_KIND_LATE_TICK;
}

static uint64_t seq_top(const struct tt_model *m)
{
	/* A loader that did not count pushes still numbers its events. */
	return m->ev_seq >= m->ev_count ? m->ev_seq : m->ev_count;
}

struct tt_model_event *tt_eventlog_by_seq(struct tt_ui *ui, uint64_t seq)
{
	uint64_t top = seq_top(ui->m), i;
	uint32_t cnt = ui->m->ev_count;

	if (seq & TT_SEQ_INFLIGHT) {
		const struct tt_model_inflight *w =
		    tt_model_inflight_of(ui->m, (uint32_t)(seq & 0xffffffffu));

		return w ? (struct tt_model_event *)&w->ev : NULL;
	}
	if (!ui->m->events || seq >= top)
		return NULL;
	i = top - 1 - seq;
	if (cnt > TT_MODEL_EVENT_RING)
		cnt = TT_MODEL_EVENT_RING;
	if (i >= cnt)
		return NULL;
	return tt_model_event_at(ui->m, (uint32_t)i);
}

uint64_t tt_eventlog_seq_of(struct tt_ui *ui, uint32_t tid, uint64_t time_ns)
{
	uint64_t top = seq_top(ui->m);
	uint32_t cnt =
	    ui->m->ev_count < TT_MODEL_EVENT_RING ? ui->m->ev_count : TT_MODEL_EVENT_RING;

	for (uint32_t i = 0; ui->m->events && i < cnt; i++) {
		const struct tt_model_event *ev = tt_model_event_at(ui->m, i);

		if (ev && ev->tid == tid && ev->time_ns == time_ns)
			return top - 1 - i;
	}
	return UINT64_MAX;
}

static const char *reason_str(enum tt_reason r)
{
	const char *s = tt_reason_name(r);
	return s ? s : "?";
}

/*
 * A terminal's number is matched whole: "pts/1" (what Enter in the table
 * sets) must not also list pts/10..pts/19. Letters still match anywhere.
 */
static bool terminal_match(const char *name, const char *f)
{
	size_t nl = strlen(f), i;

	if (!nl || !isdigit((unsigned char)f[nl - 1]))
		return tt_fmt_contains(name, f);
	for (i = 0; strlen(name + i) >= nl; i++)
		if (!strncasecmp(name + i, f, nl) && !isdigit((unsigned char)name[i + nl]))
			return true;
	return false;
}

bool tt_eventlog_match(const struct tt_model_event *ev, const char *f)
{
	char buf[TT_TTY_NAME_LEN + TT_COMM_LEN];

	if (!f || !*f)
		return true;
	tt_fmt_sanitize(ev->terminal, sizeof(ev->terminal), buf, sizeof(buf));
	if (terminal_match(buf, f))
		return true;
	tt_fmt_sanitize(ev->comm, sizeof(ev->comm), buf, sizeof(buf));
	if (tt_fmt_contains(buf, f))
		return true;
	if (tt_fmt_contains(reason_str(ev->reason), f))
		return true;
	/*
	 * What the row shows: "late" lists the late ticks, "gc-stw" those a pause
	 * made late and the writes it held up without a sleep (their REASON).
	 */
	if (is_late(ev) && (tt_fmt_contains(tt_kind_name(ev->kind), f) ||
	                    tt_fmt_contains(tt_cause_name(ev->cause), f)))
		return true;
	if (!is_late(ev) && ev->reason == TT_REASON_NONE && ev->gc_overlap_ns &&
	    tt_fmt_contains("gc-stw", f))
		return true;
	snprintf(buf, sizeof(buf), "%u", ev->pid);
	if (tt_fmt_contains(buf, f))
		return true;
	snprintf(buf, sizeof(buf), "%u", ev->tid);
	if (tt_fmt_contains(buf, f))
		return true;
	if (ev->goid >= 0) {
		snprintf(buf, sizeof(buf), "g%lld", (long long)ev->goid);
		if (tt_fmt_contains(buf, f))
			return true;
	}
	return false;
}

static void remember_sel(struct tt_ui *ui)
{
	if (ui->log_sel >= ui->nvis)
		ui->log_sel = ui->nvis - 1;
	if (ui->log_sel < 0)
		ui->log_sel = 0;
	ui->log_sel_valid = ui->nvis > 0;
	if (ui->log_sel_valid)
		ui->log_sel_seq = ui->vis[ui->log_sel];
}

static int by_latency(const void *pa, const void *pb, void *arg)
{
	struct tt_ui *ui = arg;
	uint64_t sa = *(const uint64_t *)pa, sb = *(const uint64_t *)pb;
	const struct tt_model_event *a = tt_eventlog_by_seq(ui, sa),
	                            *b = tt_eventlog_by_seq(ui, sb);
	/* a late tick ranks by how late it was: its write was fast, the tick was not */
	uint64_t la = !a ? 0 : is_late(a) ? a->late_ns : a->latency_ns;
	uint64_t lb = !b ? 0 : is_late(b) ? b->late_ns : b->latency_ns;

	if (la != lb)
		return la > lb ? -1 : 1;
	return sa > sb ? -1 : sa < sb ? 1 : 0; /* equal: newest first */
}

void tt_eventlog_update(struct tt_ui *ui)
{
	uint64_t top = seq_top(ui->m), limit = ui->paused ? ui->frozen_seq : top, i;
	uint32_t cnt = ui->m->ev_count;
	/* Glance mode (cursor on the newest row, focus elsewhere) follows new events. */
	bool sticky = ui->log_sel_valid && (ui->focus == TT_PANE_LOG || ui->log_sel > 0);
	int k;

	if (cnt > TT_MODEL_EVENT_RING)
		cnt = TT_MODEL_EVENT_RING;
	ui->nvis = 0;
	for (k = 0; ui->m->inflight && k < ui->m->ninflight && k < TT_MODEL_MAX_INFLIGHT; k++)
		if (tt_eventlog_match(&ui->m->inflight[k].ev, ui->filter))
			ui->vis[ui->nvis++] = TT_SEQ_INFLIGHT | ui->m->inflight[k].ev.tid;
	ui->nvis_inflight = ui->nvis;
	for (i = 0; i < cnt && ui->m->events; i++) {
		uint64_t seq = top - 1 - i;
		struct tt_model_event *ev;

		if (seq >= limit)
			continue;
		ev = tt_model_event_at(ui->m, (uint32_t)i);
		if (ev && tt_eventlog_match(ev, ui->filter))
			ui->vis[ui->nvis++] = seq;
	}
	/* The worst writes of the last TT_MODEL_EVENT_RING, for "what hurt most?". */
	if (ui->log_slowest && ui->nvis - ui->nvis_inflight > 1)
		qsort_r(ui->vis + ui->nvis_inflight, (size_t)(ui->nvis - ui->nvis_inflight),
		        sizeof(ui->vis[0]), by_latency, ui);
	for (k = 0; sticky && k < ui->nvis; k++)
		if (ui->vis[k] == ui->log_sel_seq) {
			/* Scroll with it: the row stays where it was on the screen. */
			ui->log_top += k - ui->log_sel;
			ui->log_sel = k;
			break;
		}
	remember_sel(ui);
}

int tt_eventlog_toggle_order(struct tt_ui *ui)
{
	ui->log_slowest = !ui->log_slowest;
	/* A new order starts at its top: the newest, or the slowest. */
	ui->log_sel = ui->log_top = 0;
	ui->log_sel_valid = false;
	tt_ui_status(ui, false, "slow writes: %s first", ui->log_slowest ? "slowest" : "newest");
	return TT_HANDLED | TT_REDRAW;
}

void tt_eventlog_set_paused(struct tt_ui *ui, bool paused)
{
	ui->paused = paused;
	if (paused)
		ui->frozen_seq = seq_top(ui->m);
}

int tt_eventlog_open_selected(struct tt_ui *ui)
{
	struct tt_model_event *ev;

	tt_eventlog_update(ui);
	if (!ui->nvis) {
		tt_ui_status(ui, true, "no event selected");
		return TT_HANDLED | TT_REDRAW;
	}
	ev = tt_eventlog_by_seq(ui, ui->vis[ui->log_sel]);
	if (!ev || !ui->stack_ev)
		return TT_HANDLED | TT_REDRAW;
	*ui->stack_ev = *ev;
	ui->stack_seq = ui->vis[ui->log_sel];
	ui->stack_valid = true;
	ui->stack_top = 0;
	ui->focus = TT_PANE_STACK;
	return TT_HANDLED | TT_REDRAW;
}

static void ns_or_dash(uint64_t ns, char *s, size_t len)
{
	if (ns)
		tt_fmt_ns(ns, s, len);
	else
		snprintf(s, len, "-");
}

/* REASON and WAKER: why it slept and who ended the sleep. */
static void why_cell(const struct tt_model_event *ev, int c, char *s, size_t len)
{
	if (c == C_REASON && ev->reason != TT_REASON_NONE)
		snprintf(s, len, "%s", reason_str(ev->reason));
	else if (c == C_REASON)
		/* "none" (never slept) is the common case: keep the column quiet; a
		 * write that never slept but a Go pause held up says so */
		snprintf(s, len, "%s", ev->gc_overlap_ns ? "gc-stw" : "-");
	else if (ev->waker_irq)
		snprintf(s, len, "irq");
	else if (ev->has_waker)
		tt_fmt_comm_pid(ev->waker_comm, sizeof(ev->waker_comm), ev->waker_pid,
		                col_w[C_WAKER], s, len);
	else
		snprintf(s, len, "-");
}

static void fmt_cell(struct tt_ui *ui, const struct tt_model_event *ev, bool inflight, int c,
                     char *s, size_t len)
{
	char t[TT_TTY_NAME_LEN];

	s[0] = '\0';
	switch (c) {
	case C_TIME:
		if (inflight)
			snprintf(s, len, "IN FLIGHT");
		else
			tt_fmt_clock(ev->time_ns, s, len);
		break;
	case C_TTY:
		/* the mark stays when a narrow pane drops the TIME column */
		tt_fmt_sanitize(ev->terminal, sizeof(ev->terminal), t, sizeof(t));
		snprintf(s, len, "%s%s",
		         inflight      ? MARK_INFLIGHT(ui->utf8)
		         : is_late(ev) ? MARK_LATE(ui->utf8)
		                       : "",
		         t);
		break;
	case C_PID:
		tt_fmt_pid_tid(ev->pid, ev->tid, ev->goid, col_w[C_PID], s, len);
		break;
	case C_COMM:
		tt_fmt_sanitize(ev->comm, sizeof(ev->comm), s, len);
		break;
	case C_BYTES:
		if (!inflight && ev->ret < 0)
			snprintf(s, len, "err%lld", (long long)-ev->ret);
		else
			tt_fmt_bytes((double)ev->count, s, len);
		break;
	case C_LAT:
		tt_fmt_ns(ev->latency_ns, s, len);
		break;
	/* A zero is "-": the column then reads as "did not happen" at a glance. */
	case C_CPU:
	case C_BLK:
	case C_RQ:
		ns_or_dash(c == C_CPU   ? ev->oncpu_ns
		           : c == C_BLK ? ev->blocked_ns
		                        : ev->runq_ns,
		           s, len);
		break;
	case C_REASON:
	case C_WAKER:
		why_cell(ev, c, s, len);
		break;
	}
}

/* Late ticks among the rows shown (not those in flight). */
static int late_rows(struct tt_ui *ui)
{
	int n = 0;

	for (int i = ui->nvis_inflight; i < ui->nvis; i++) {
		const struct tt_model_event *ev = tt_eventlog_by_seq(ui, ui->vis[i]);

		n += ev && is_late(ev);
	}
	return n;
}

static void draw_title(struct tt_ui *ui, WINDOW *w, int h, int wd)
{
	char title[192], f[TT_FILTER_LEN], inf[32] = "", late[32] = "";
	int nlate = late_rows(ui);

	if (ui->nvis_inflight)
		snprintf(inf, sizeof(inf), " + %d IN FLIGHT", ui->nvis_inflight);
	if (nlate)
		snprintf(late, sizeof(late), " + %d late tick%s", nlate, nlate == 1 ? "" : "s");
	snprintf(title, sizeof(title), "Slow writes (%d%s%s)%s%s%s%s%s",
	         ui->nvis - ui->nvis_inflight - nlate, late, inf,
	         ui->log_slowest ? " slowest first" : "", ui->filter[0] ? " filter /" : "",
	         ui->filter[0] ? tt_fmt_sanitize(ui->filter, sizeof(ui->filter), f, sizeof(f)) : "",
	         ui->filter[0] ? "/" : "", ui->paused ? " PAUSED" : "");
	tt_draw_frame(ui, w, h, wd, title, ui->focus == TT_PANE_LOG);
}

static void draw_heading(WINDOW *w, int wd, const bool *shown)
{
	int c, x;

	tt_draw_fill(w, 1, 1, wd - 2, tt_theme_attr(TT_EL_TABLE_HEAD));
	for (c = 0, x = 1; c < C_NR; c++) {
		if (!shown[c])
			continue;
		tt_draw_cell(w, 1, x, col_w[c], col_head[c], col_right[c],
		             tt_theme_attr(TT_EL_TABLE_HEAD));
		x += col_w[c] + 1;
	}
}

static unsigned long row_attr(const struct tt_ui *ui, const struct tt_model_event *ev, int idx,
                              bool inflight)
{
	bool sel = idx == ui->log_sel && ui->focus == TT_PANE_LOG;
	bool slow = inflight || ev->latency_ns >= SLOW_ROW_NS ||
	            (is_late(ev) && ev->late_ns >= SLOW_ROW_NS);
	unsigned long a;

	a = tt_theme_attr(sel ? TT_EL_ROW_SELECTED : slow ? TT_EL_LOG_SLOW : TT_EL_LOG_NORMAL);
	/* a write that has not returned: bold, whatever the theme makes of slow rows */
	if (inflight)
		a |= A_BOLD;
	/* The selection stays visible (underlined) when another pane has focus. */
	if (idx == ui->log_sel && !sel)
		a |= A_UNDERLINE;
	return a;
}

static void draw_row(struct tt_ui *ui, WINDOW *w, int y, int wd, int idx, const bool *shown)
{
	struct tt_model_event *ev = tt_eventlog_by_seq(ui, ui->vis[idx]);
	bool inflight = idx < ui->nvis_inflight;
	unsigned long a;
	int c, x;

	if (!ev)
		return;
	a = row_attr(ui, ev, idx, inflight);
	tt_draw_fill(w, y, 1, wd - 2, a);
	for (c = 0, x = 1; c < C_NR; c++) {
		char s[64];

		if (!shown[c])
			continue;
		/* A late tick's split and waker are its write's: the cause says more. */
		if (c > C_LAT && is_late(ev) && !inflight) {
			tt_fmt_late(ev, wd - 1 - x, s, sizeof(s));
			tt_draw_text(w, y, x, wd - 1 - x, s, a);
			break;
		}
		fmt_cell(ui, ev, inflight, c, s, sizeof(s));
		tt_draw_cell(w, y, x, col_w[c], s, col_right[c], a);
		x += col_w[c] + 1;
	}
}

static void eventlog_draw(struct tt_ui *ui, WINDOW *w, int h, int wd)
{
	bool shown[C_NR];
	int rows, i;

	tt_eventlog_update(ui);
	draw_title(ui, w, h, wd);
	if (h < 4 || wd < 10)
		return;
	tt_fmt_fit_columns(col_w, col_prio, C_NR, wd - 2, shown);
	draw_heading(w, wd, shown);
	rows = h - 3;
	ui->log_top = tt_listnav_top(ui->log_top, ui->log_sel, ui->nvis, rows);
	tt_draw_frame_position(w, h, wd, ui->log_top, rows, ui->nvis);
	if (!ui->nvis)
		tt_draw_text(w, 2, 2, wd - 4,
		             ui->filter[0] ? "no slow writes match the filter (Esc clears)"
		             : ui->replay  ? "no slow writes in this snapshot"
		                           : "no slow writes yet",
		             tt_theme_attr(TT_EL_DIM));
	for (i = 0; i < rows && ui->log_top + i < ui->nvis; i++)
		draw_row(ui, w, 2 + i, wd, ui->log_top + i, shown);
}

static int eventlog_key(struct tt_ui *ui, int ch)
{
	int ret;

	tt_eventlog_update(ui);
	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER)
		return tt_eventlog_open_selected(ui);
	ret = tt_listnav_key(ch, &ui->log_sel, ui->nvis, tt_listnav_page(ui, TT_PANE_LOG, 3));
	if (ret)
		remember_sel(ui);
	return ret;
}

/* Heading: LATENCY orders slowest first, TIME newest first. */
static int order_by_click(struct tt_ui *ui, int x)
{
	bool shown[C_NR];
	int c;

	tt_fmt_fit_columns(col_w, col_prio, C_NR, ui->lay.r[TT_PANE_LOG].w - 2, shown);
	c = tt_fmt_column_at(col_w, shown, C_NR, x - 1);
	if ((c == C_LAT && !ui->log_slowest) || (c == C_TIME && ui->log_slowest))
		return tt_eventlog_toggle_order(ui);
	return TT_HANDLED | TT_REDRAW;
}

static int eventlog_mouse(struct tt_ui *ui, int y, int x, unsigned long bstate)
{
	int r;

	(void)bstate;
	if (y == 1)
		return order_by_click(ui, x);
	tt_eventlog_update(ui);
	r = tt_listnav_row_at(ui->log_top, ui->nvis, y - 2);
	if (r >= 0)
		ui->log_sel = r;
	remember_sel(ui);
	return TT_HANDLED | TT_REDRAW;
}

const struct tt_pane_ops tt_eventlog_pane = {
    .name = "eventlog",
    .draw = eventlog_draw,
    .key = eventlog_key,
    .mouse = eventlog_mouse,
};
