// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The stack of one slow write: user frames, a separator, kernel frames. */
#include "ui.h"

#include <stdio.h>
#include <string.h>

void tt_stack_refresh(struct tt_ui *ui)
{
	struct tt_model_event *ev;

	if (!ui->stack_valid || !ui->stack_ev)
		return;
	/* Symbolization fills frames in later: re-copy while the event is in the ring. */
	ev = tt_eventlog_by_seq(ui, ui->stack_seq);
	if (ev && ev->pid == ui->stack_ev->pid && ev->time_ns == ui->stack_ev->time_ns) {
		*ui->stack_ev = *ev;
		return;
	}
	/* A write in flight that returned: follow it to its event. */
	if (ui->stack_seq & TT_SEQ_INFLIGHT) {
		uint64_t seq = tt_eventlog_seq_of(ui, ui->stack_ev->tid, ui->stack_ev->time_ns);

		if (seq != UINT64_MAX && (ev = tt_eventlog_by_seq(ui, seq))) {
			ui->stack_seq = seq;
			*ui->stack_ev = *ev;
		}
	}
}

/* A frame on one line: func (or raw address), file:line, module (ui.h: the thread pane too). */
void tt_stack_frame_line(struct tt_ui *ui, WINDOW *w, int y, int wd, const struct tt_frame *f,
                         bool short_paths)
{
	char buf[TT_FILE_LEN + 32], s[TT_FILE_LEN + 1];
	int x = 2, maxx = wd - 1;

	(void)ui;
	if (f->func) {
		tt_fmt_sanitize(tt_str(f->func), TT_FUNC_LEN, s, sizeof(s));
		x += tt_draw_text(w, y, x, maxx - x, s, tt_theme_attr(TT_EL_STACK_FUNC));
	} else {
		snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)f->addr);
		x += tt_draw_text(w, y, x, maxx - x, buf, tt_theme_attr(TT_EL_STACK_ADDR));
	}
	if (f->file && x + 2 < maxx) {
		const char *file = s, *slash;

		tt_fmt_sanitize(tt_str(f->file), TT_FILE_LEN, s, sizeof(s));
		/* Long paths: the basename and line are what identify the frame. */
		slash = strrchr(s, '/');
		if (slash && short_paths)
			file = slash + 1;
		if (f->line > 0)
			snprintf(buf, sizeof(buf), "  %s:%d", file, f->line);
		else
			snprintf(buf, sizeof(buf), "  %s", file);
		x += tt_draw_text(w, y, x, maxx - x, buf, tt_theme_attr(TT_EL_STACK_FILE));
	}
	if (f->module && x + 2 < maxx) {
		tt_fmt_sanitize(tt_str(f->module), TT_MODULE_LEN, s, sizeof(s));
		snprintf(buf, sizeof(buf), "  [%s]", s);
		/* Whole or not at all: a lone "[" at the border reads as garbage. */
		if ((int)strlen(buf) <= maxx - x)
			tt_draw_text(w, y, x, maxx - x, buf, tt_theme_attr(TT_EL_STACK_MODULE));
	}
}

/*
 * Lines are numbered virtually so the pane can scroll: notes first, then
 * user frames, separator, kernel frames. emit() draws only visible lines.
 */
struct emitter {
	struct tt_ui *ui;
	WINDOW *w;
	int wd, rows, n;
};

static int slot(struct emitter *e)
{
	int y = e->n - e->ui->stack_top;

	e->n++;
	return (y >= 0 && y < e->rows) ? y + 1 : -1;
}

static void note(struct emitter *e, const char *s, enum tt_el el)
{
	int y = slot(e);

	if (y > 0)
		tt_draw_text(e->w, y, 2, e->wd - 3, s, tt_theme_attr(el));
}

static void separator(struct emitter *e, const char *label)
{
	int y = slot(e), x, k;

	if (y <= 0)
		return;
	for (x = 1, k = 0; x < e->wd - 1; x++, k++) {
		if (k == 2) {
			x += tt_draw_text(e->w, y, x, e->wd - 1 - x, label,
			                  tt_theme_attr(TT_EL_STACK_SEP)) -
			     1;
			continue;
		}
		tt_draw_text(e->w, y, x, 1, tt_draw_hline_glyph(e->ui),
		             tt_theme_attr(TT_EL_STACK_SEP));
	}
}

/*
 * A sentence over as many lines as it takes, broken at spaces: the cause of
 * a late tick is read, not scanned, and a cut-off figure would be the one
 * that matters.
 */
static void note_wrapped(struct emitter *e, const char *s, enum tt_el el)
{
	int width = e->wd - 3;
	char line[256];

	if (width < 8)
		width = 8;
	while (*s) {
		int n = (int)strlen(s), cut = n;

		if (n > width) {
			for (cut = width; cut > 0 && s[cut] != ' '; cut--)
				;
			if (cut == 0)
				cut = width; /* one word longer than the pane */
		}
		if (cut > (int)sizeof(line) - 1)
			cut = (int)sizeof(line) - 1;
		snprintf(line, sizeof(line), "%.*s", cut, s);
		note(e, line, el);
		s += cut;
		while (*s == ' ')
			s++;
	}
}

/*
 * Why a tick was late, in words with its figures; for a slow write, the Go
 * pause that held it up. The runtime's own words for the pause come from the
 * process's ring of pauses, which the event does not carry.
 */
static void gc_and_tick(struct emitter *e, const struct tt_model_event *ev)
{
	const struct tt_stw *stw = tt_event_stw(e->ui->m, ev);
	char line[384], a[24], r[TT_STW_REASON_LEN + 4] = "";

	if (ev->kind == TT_KIND_LATE_TICK) {
		tt_fmt_late_cause(ev, stw ? stw->reason : NULL, line, sizeof(line));
		note_wrapped(e, line, TT_EL_STATUS_ERROR);
		return;
	}
	if (!ev->gc_overlap_ns)
		return;
	if (stw && stw->reason[0]) {
		char t[TT_STW_REASON_LEN];

		snprintf(r, sizeof(r), " (%s)",
		         tt_fmt_sanitize(stw->reason, sizeof(stw->reason), t, sizeof(t)));
	}
	snprintf(line, sizeof(line), "a Go stop-the-world of %s%s overlapped this write",
	         tt_fmt_ns_words(ev->gc_overlap_ns, a, sizeof(a)), r);
	note_wrapped(e, line, TT_EL_STATUS_ERROR);
}

/* Who should unblock a write in flight, and how long it has waited for them. */
static void inflight_details(struct emitter *e, const struct tt_model_inflight *w)
{
	char line[256], a[16], cm[TT_COMM_LEN];
	size_t o;

	snprintf(line, sizeof(line), "IN FLIGHT: %s %s, %s",
	         w->state == TT_W_BLOCKED    ? "blocked"
	         : w->state == TT_W_RUNNABLE ? "waiting for a CPU"
	                                     : "on CPU",
	         tt_fmt_ns(w->state_ns, a, sizeof(a)),
	         w->state == TT_W_BLOCKED ? tt_reason_name(w->ev.reason) : "has not returned");
	note(e, line, TT_EL_STATUS_ERROR);
	line[0] = '\0';
	if (w->nreaders > 0) {
		o = (size_t)snprintf(line, sizeof(line), "pty master held by");
		for (int i = 0; i < w->nreaders && i < TT_MODEL_MAX_READERS && o < sizeof(line);
		     i++)
			o += (size_t)snprintf(line + o, sizeof(line) - o, "%s %s/%u", i ? "," : "",
			                      tt_fmt_sanitize(w->readers[i].comm,
			                                      sizeof(w->readers[i].comm), cm,
			                                      sizeof(cm)),
			                      w->readers[i].pid);
	} else if (w->nreaders == 0) {
		snprintf(line, sizeof(line), "nobody holds the pty master open");
	}
	if (line[0])
		note(e, line, TT_EL_STACK_FUNC);
	if (w->has_lock_holder) {
		snprintf(line, sizeof(line), "write lock held by pid %u tid %u", w->lock_pid,
		         w->lock_tid);
		note(e, line, TT_EL_STACK_FUNC);
	}
	if (w->has_line) {
		if (w->line_speed)
			o = (size_t)snprintf(line, sizeof(line), "line %u baud", w->line_speed);
		else
			o = (size_t)snprintf(line, sizeof(line), "line speed unknown");
		snprintf(line + o, sizeof(line) - o, ", %s%s",
		         w->line_crtscts ? "RTS/CTS" : "no RTS/CTS",
		         w->line_ixon ? ", XON/XOFF" : "");
		note(e, line, TT_EL_STACK_FUNC);
	}
}

/* Where the time went; shorter words before cutting a number off at the border. */
static void time_split(struct emitter *e, const struct tt_model_event *ev)
{
	char line[256], a[16], b[16], c[16], d[16];

	snprintf(line, sizeof(line), "%s = on-CPU %s + blocked %s + run queue %s",
	         tt_fmt_ns(ev->latency_ns, a, sizeof(a)), tt_fmt_ns(ev->oncpu_ns, b, sizeof(b)),
	         tt_fmt_ns(ev->blocked_ns, c, sizeof(c)), tt_fmt_ns(ev->runq_ns, d, sizeof(d)));
	if ((int)strlen(line) > e->wd - 3)
		snprintf(line, sizeof(line), "%s: cpu %s, blocked %s, runq %s", a, b, c, d);
	if ((int)strlen(line) > e->wd - 3)
		snprintf(line, sizeof(line), "cpu %s blk %s rq %s", b, c, d);
	note(e, line, TT_EL_STACK_FUNC);
}

/* Why and until whom it slept. */
static void sleeps(struct emitter *e, const struct tt_model_event *ev)
{
	char line[256], who[TT_COMM_LEN + 16], cm[TT_COMM_LEN];

	if (ev->waker_irq)
		snprintf(who, sizeof(who), "an interrupt");
	else if (ev->has_waker)
		snprintf(who, sizeof(who), "%s/%u",
		         tt_fmt_sanitize(ev->waker_comm, sizeof(ev->waker_comm), cm, sizeof(cm)),
		         ev->waker_pid);
	else
		snprintf(who, sizeof(who), "?");
	if (ev->reason != TT_REASON_NONE || ev->nr_sleeps)
		snprintf(line, sizeof(line), "slept %u time%s: %s, woken by %s", ev->nr_sleeps,
		         ev->nr_sleeps == 1 ? "" : "s",
		         tt_reason_name(ev->reason) ? tt_reason_name(ev->reason) : "?", who);
	else
		snprintf(line, sizeof(line), "never slept");
	note(e, line, TT_EL_DIM);
}

/* The call and its result, with the time too: a narrow log drops its TIME column first. */
static void call(struct emitter *e, const struct tt_model_event *ev, bool inflight)
{
	char line[256], a[16], b[16], c[16];
	const char *sc = tt_syscall_name(ev->syscall);

	tt_fmt_clock(ev->time_ns, c, sizeof(c));
	if (inflight)
		snprintf(line, sizeof(line), "%s %s(fd %d, %s) has not returned", c,
		         sc ? sc : "write", ev->fd, tt_fmt_bytes((double)ev->count, a, sizeof(a)));
	else if (ev->ret < 0)
		snprintf(line, sizeof(line), "%s %s(fd %d, %s): error %lld", c, sc ? sc : "write",
		         ev->fd, tt_fmt_bytes((double)ev->count, a, sizeof(a)),
		         (long long)-ev->ret);
	else
		snprintf(line, sizeof(line), "%s %s(fd %d, %s) wrote %s", c, sc ? sc : "write",
		         ev->fd, tt_fmt_bytes((double)ev->count, a, sizeof(a)),
		         tt_fmt_bytes((double)ev->ret, b, sizeof(b)));
	note(e, line, TT_EL_DIM);
}

/* The terminal's state at entry (or now, for a write in flight). */
static void backlog(struct emitter *e, const struct tt_model_event *ev, bool inflight)
{
	const char *when = inflight ? "now: " : "at entry: ";
	char line[256], c[16], d[16];

	line[0] = '\0';
	if (ev->backlog.buf_limit)
		snprintf(line, sizeof(line), "%sbuffer %s of %s", when,
		         tt_fmt_bytes(ev->backlog.buf_used, c, sizeof(c)),
		         tt_fmt_bytes(ev->backlog.buf_limit, d, sizeof(d)));
	if (ev->backlog.reader_unread) {
		size_t o = strlen(line);

		snprintf(line + o, sizeof(line) - o, "%sreader %s behind", o ? ", " : when,
		         tt_fmt_bytes(ev->backlog.reader_unread, c, sizeof(c)));
	}
	if (ev->backlog.stopped || ev->backlog.tco_stopped || ev->backlog.hw_stopped) {
		size_t o = strlen(line);

		snprintf(line + o, sizeof(line) - o, "%soutput stopped (%s)", o ? ", " : when,
		         ev->backlog.stopped       ? "XOFF"
		         : ev->backlog.tco_stopped ? "tcflow"
		                                   : "CTS");
	}
	if (line[0])
		note(e, line, TT_EL_DIM);
}

/*
 * What the event log row abbreviates, in words, above the frames: where the
 * time went, why and until whom it slept, and the terminal's state at entry.
 */
static void details(struct emitter *e, const struct tt_model_event *ev, bool inflight)
{
	gc_and_tick(e, ev);
	time_split(e, ev);
	/* A short pane keeps the one line the log row cannot show, for the frames. */
	if (e->rows < 10)
		return;
	sleeps(e, ev);
	call(e, ev, inflight);
	backlog(e, ev, inflight);
}

/* The pane shows a write in flight that has not returned yet. */
static const struct tt_model_inflight *still_in_flight(struct tt_ui *ui,
                                                       const struct tt_model_event *ev)
{
	const struct tt_model_inflight *fl;

	if (!(ui->stack_seq & TT_SEQ_INFLIGHT))
		return NULL;
	fl = tt_model_inflight_of(ui->m, ev->tid);
	return fl && fl->ev.time_ns == ev->time_ns ? fl : NULL;
}

static void draw_title(struct tt_ui *ui, WINDOW *w, int h, int wd, const struct tt_model_event *ev)
{
	const char *dot = ui->utf8 ? " \xc2\xb7 " : " - ";
	char title[200], tty[TT_TTY_NAME_LEN], lat[24];

	tt_fmt_sanitize(ev->terminal, sizeof(ev->terminal), tty, sizeof(tty));
	tt_fmt_ns(ev->latency_ns, lat, sizeof(lat));
	/* a late tick's figure is how late it was, not its (fast) write */
	if (ev->kind == TT_KIND_LATE_TICK) {
		char l[16];

		snprintf(lat, sizeof(lat), "late %s", tt_fmt_ns(ev->late_ns, l, sizeof(l)));
	}
	if (ev->goid >= 0)
		snprintf(title, sizeof(title), "goroutine %lld%stid %u%s%s%s%s",
		         (long long)ev->goid, dot, ev->tid, dot, tty, dot, lat);
	else
		snprintf(title, sizeof(title), "thread %u%s%s%s%s", ev->tid, dot, tty, dot, lat);
	tt_draw_frame(ui, w, h, wd, title, ui->focus == TT_PANE_STACK);
}

/* Nothing opened yet: say the next key to press ("select" did not say how). */
static void draw_empty(struct tt_ui *ui, WINDOW *w, int h, int wd)
{
	tt_draw_frame(ui, w, h, wd, "Stack", ui->focus == TT_PANE_STACK);
	tt_draw_text(w, 1, 2, wd - 4,
	             ui->focus == TT_PANE_LOG ? "Enter opens the selected slow write"
	                                      : "Tab to Slow writes, pick one, Enter",
	             tt_theme_attr(TT_EL_DIM));
	ui->stack_lines = 0;
}

static int frames_n(const struct tt_stack *s, int max)
{
	return s->n < 0 ? 0 : s->n > max ? max : s->n;
}

/* One decision for the whole pane, so paths do not change form line to line. */
static bool want_short_paths(const struct tt_stack *u, int un, int wd)
{
	for (int i = 0; i < un; i++) {
		const struct tt_frame *f = &u->frames[i];

		if ((int)(strlen(tt_str(f->func)) + strlen(tt_str(f->file)) +
		          strlen(tt_str(f->module)) + 20) > wd - 3)
			return true;
	}
	return false;
}

static void frames(struct emitter *e, const struct tt_stack *s, int n, bool short_paths)
{
	for (int i = 0; i < n; i++) {
		int y = slot(e);

		if (y > 0)
			tt_stack_frame_line(e->ui, e->w, y, e->wd, &s->frames[i], short_paths);
	}
}

/* Notes, then user frames, separator, kernel frames. */
static void draw_stacks(struct emitter *e, const struct tt_model_event *ev)
{
	int un = frames_n(&ev->ustack, TT_USTACK_MAX), kn = frames_n(&ev->kstack, TT_KSTACK_MAX);
	bool short_paths = want_short_paths(&ev->ustack, un, e->wd);
	const struct tt_model_inflight *fl = still_in_flight(e->ui, ev);

	if (fl)
		inflight_details(e, fl);
	details(e, ev, fl != NULL);
	if (ev->stk_flags & TT_EVSTK_PROC_GONE)
		note(e, "process exited: raw addresses", TT_EL_STATUS_ERROR);
	else if (!(ev->stk_flags & TT_EVSTK_SYMBOLIZED) && (un || kn))
		note(e, "(not symbolized yet)", TT_EL_DIM);
	separator(e, " user ");
	if (!un)
		note(e, ev->no_ustack ? "(user stack not captured)" : "(no user frames)",
		     TT_EL_DIM);
	frames(e, &ev->ustack, un, short_paths);
	separator(e, ev->kstack_at_sleep ? " kernel (at first sleep) " : " kernel ");
	if (!kn)
		note(e, ev->no_kstack ? "(kernel stack not captured)" : "(no kernel frames)",
		     TT_EL_DIM);
	frames(e, &ev->kstack, kn, short_paths);
}

static void stack_draw(struct tt_ui *ui, WINDOW *w, int h, int wd)
{
	const struct tt_model_event *ev = ui->stack_ev;
	struct emitter e = {ui, w, wd, h - 2, 0};

	if (!ui->stack_valid || !ev) {
		draw_empty(ui, w, h, wd);
		return;
	}
	tt_stack_refresh(ui);
	draw_title(ui, w, h, wd, ev);
	if (h < 3 || wd < 10)
		return;
	draw_stacks(&e, ev);
	ui->stack_lines = e.n;
	tt_draw_frame_position(w, h, wd, ui->stack_top, h - 2, e.n);
}

/* The position is the first line shown: the last page ends at the last line. */
static int stack_key(struct tt_ui *ui, int ch)
{
	int page = tt_listnav_page(ui, TT_PANE_STACK, 2);

	return tt_listnav_key(ch, &ui->stack_top, ui->stack_lines - page + 1, page);
}

static int stack_mouse(struct tt_ui *ui, int y, int x, unsigned long bstate)
{
	(void)ui;
	(void)y;
	(void)x;
	(void)bstate;
	return TT_HANDLED | TT_REDRAW;
}

const struct tt_pane_ops tt_stack_pane = {
    .name = "stack",
    .draw = stack_draw,
    .key = stack_key,
    .mouse = stack_mouse,
};
