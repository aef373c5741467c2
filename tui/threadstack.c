// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The stack of the goroutine or thread under the cursor of the
 * goroutine/thread pane (threadpane.c), in the stack pane's place: what the
 * row says in words, then its frames named as the stack pane names them
 * (tt_stack_frame_line). A read of a running program can catch a stack
 * mid-change: that is said where it happened, never drawn as frames.
 */
#include "ui.h"

#include <stdio.h>
#include <string.h>

/* Lines are numbered so the pane scrolls; only those in view are drawn. */
struct lines {
	struct tt_ui *ui;
	WINDOW *w;
	int wd, rows, n;
};

static int next_y(struct lines *l)
{
	int y = l->n - l->ui->tv.stack_top;

	l->n++;
	return y >= 0 && y < l->rows ? y + 1 : -1;
}

static void say(struct lines *l, const char *s, enum tt_el el)
{
	int y = next_y(l);

	if (y > 0)
		tt_draw_text(l->w, y, 2, l->wd - 3, s, tt_theme_attr(el));
}

static void rule(struct lines *l, const char *label)
{
	int y = next_y(l), x = 1;

	if (y <= 0)
		return;
	for (int k = 0; x < l->wd - 1; k++) {
		if (k == 2) {
			x += tt_draw_text(l->w, y, x, l->wd - 1 - x, label,
			                  tt_theme_attr(TT_EL_STACK_SEP));
			continue;
		}
		x += tt_draw_text(l->w, y, x, 1, tt_draw_hline_glyph(l->ui),
		                  tt_theme_attr(TT_EL_STACK_SEP));
	}
}

static int depth(const struct tt_pane_stack *s)
{
	return s->n > TT_PANE_DEPTH ? TT_PANE_DEPTH : s->n; /* n is the target's count: bounded */
}

/* The pane's frame as the stack pane's kind of frame, so both are drawn alike. */
static void to_frame(const struct tt_pane *p, const struct tt_pane_frame *pf, struct tt_frame *f)
{
	const struct tt_pane_name *n = tt_pane_frame_name(p, pf);

	memset(f, 0, sizeof(*f));
	f->addr = pf->addr;
	if (!n)
		return;
	/* the table's strings may lack their NUL: bounded copies */
	f->func = tt_str_intern(n->func, sizeof(n->func));
	f->file = tt_str_intern(n->file, sizeof(n->file));
	f->module = tt_str_intern(n->module, sizeof(n->module));
	f->line = n->line;
}

/* One decision for the whole stack, so paths do not change form line to line. */
static bool short_paths(const struct tt_pane *p, const struct tt_pane_stack *s, int wd)
{
	for (int i = 0; i < depth(s); i++) {
		const struct tt_pane_name *n = tt_pane_frame_name(p, &s->f[i]);

		if (n &&
		    (int)(strnlen(n->func, sizeof(n->func)) + strnlen(n->file, sizeof(n->file)) +
		          strnlen(n->module, sizeof(n->module)) + 20) > wd - 3)
			return true;
	}
	return false;
}

/* The frames, and what the flags say about the ones not there. */
static void frames(struct lines *l, const struct tt_pane_stack *s, const char *none)
{
	const struct tt_pane *p = l->ui->tv.pane;
	bool sp = short_paths(p, s, l->wd);
	struct tt_frame f;

	if (s->flags & TT_PSTK_NONE) {
		say(l, none, TT_EL_DIM);
		return;
	}
	if (!depth(s) && !(s->flags & TT_PSTK_CHANGED))
		say(l, "(no frames)", TT_EL_DIM);
	for (int i = 0; i < depth(s); i++) {
		int y = next_y(l);

		if (y <= 0)
			continue;
		to_frame(p, &s->f[i], &f);
		tt_stack_frame_line(l->ui, l->w, y, l->wd, &f, sp);
	}
	if (s->flags & TT_PSTK_CHANGED)
		say(l, "(changed while read: frames below not shown)", TT_EL_STATUS_ERROR);
	else if (s->flags & TT_PSTK_TRUNCATED)
		say(l, "(truncated)", TT_EL_DIM);
}

static void when_read(struct lines *l, uint64_t read_ns)
{
	char line[64], t[16];

	if (!read_ns) /* a reader that does not time rows: the pane's read */
		read_ns = l->ui->tv.pane->read_ns;
	snprintf(line, sizeof(line), "read at %s", tt_fmt_clock(read_ns, t, sizeof(t)));
	say(l, line, TT_EL_DIM);
}

static void time_words(const struct tt_ui *ui, uint64_t ns, bool exact, char *s, size_t len)
{
	char t[16];

	snprintf(s, len, " for %s%s",
	         exact      ? ""
	         : ui->utf8 ? "\xe2\x89\xa5"
	                    : ">=",
	         tt_fmt_ns(ns, t, sizeof(t)));
}

static const struct tt_pane_thread *thread_of(const struct tt_pane *p, uint32_t tid)
{
	for (int i = 0; tid && i < p->nthreads && i < TT_PANE_THREADS; i++)
		if (p->threads[i].tid == tid)
			return &p->threads[i];
	return NULL;
}

static void goroutine_lines(struct lines *l, const struct tt_pane_goroutine *g)
{
	const struct tt_pane_thread *t = thread_of(l->ui->tv.pane, g->thread);
	char line[256], st[16], why[40], d[40] = "", on[32] = "";

	tt_fmt_sanitize(g->status_word, sizeof(g->status_word), st, sizeof(st));
	tt_fmt_sanitize(g->wait_reason, sizeof(g->wait_reason), why, sizeof(why));
	if (g->wait_ns)
		time_words(l->ui, g->wait_ns, g->wait_exact, d, sizeof(d));
	if (g->thread)
		snprintf(on, sizeof(on), ", on thread %u", g->thread);
	snprintf(line, sizeof(line), "%s%s%s%s%s", st[0] ? st : "?", why[0] ? ": " : "", why, d,
	         on);
	say(l, line, TT_EL_STACK_FUNC);
	when_read(l, g->read_ns);
	rule(l, " goroutine ");
	frames(l, &g->stack, "(running: no saved stack)");
	/* on a thread in the kernel: what that thread is doing there */
	if (t && depth(&t->kstack)) {
		snprintf(line, sizeof(line), " kernel (thread %u) ", t->tid);
		rule(l, line);
		frames(l, &t->kstack, "(no kernel stack)");
	}
}

static void thread_lines(struct lines *l, const struct tt_pane_thread *t)
{
	char line[256], on[64], comm[TT_COMM_LEN], d[40] = "", g[32] = "";

	tt_fmt_sanitize(t->blocked_on, sizeof(t->blocked_on), on, sizeof(on));
	tt_fmt_sanitize(t->comm, sizeof(t->comm), comm, sizeof(comm));
	if (t->since_ns)
		time_words(l->ui, t->since_ns, t->since_exact, d, sizeof(d));
	if (t->goid >= 0)
		snprintf(g, sizeof(g), ", goroutine %lld", (long long)t->goid);
	snprintf(line, sizeof(line), "%s state %c%s%s%s%s", comm, t->state ? t->state : '?',
	         on[0] ? " in " : "", on, d, g);
	say(l, line, TT_EL_STACK_FUNC);
	when_read(l, t->read_ns);
	rule(l, " user ");
	frames(l, &t->ustack, "(running: no saved stack)");
	rule(l, " kernel ");
	frames(l, &t->kstack, "(no kernel stack)");
}

static void draw_title(struct tt_ui *ui, WINDOW *w, int h, int wd, const struct tt_pane_thread *t,
                       const struct tt_pane_goroutine *g)
{
	const char *dot = ui->utf8 ? " \xc2\xb7 " : " - ";
	const struct tt_pane *p = ui->tv.pane;
	char title[160], comm[TT_COMM_LEN] = "";

	if (p)
		tt_fmt_sanitize(p->comm, sizeof(p->comm), comm, sizeof(comm));
	if (g)
		snprintf(title, sizeof(title), "goroutine %lld%s%s/%u", (long long)g->goid, dot,
		         comm, p->pid);
	else if (t)
		snprintf(title, sizeof(title), "thread %u%s%s/%u", t->tid, dot, comm, p->pid);
	else
		snprintf(title, sizeof(title), "Stack");
	tt_draw_frame(ui, w, h, wd, title, ui->focus == TT_PANE_STACK);
}

static void stack_draw(struct tt_ui *ui, WINDOW *w, int h, int wd)
{
	const struct tt_pane_thread *t;
	const struct tt_pane_goroutine *g;
	struct lines l = {ui, w, wd, h - 2, 0};
	bool any = tt_threads_cursor(ui, &t, &g);

	draw_title(ui, w, h, wd, t, g);
	if (h < 3 || wd < 10)
		return;
	if (!any) {
		tt_draw_text(w, 1, 2, wd - 4, "no row selected", tt_theme_attr(TT_EL_DIM));
		ui->tv.stack_lines = 0;
		return;
	}
	if (g)
		goroutine_lines(&l, g);
	else
		thread_lines(&l, t);
	ui->tv.stack_lines = l.n;
	tt_draw_frame_position(w, h, wd, ui->tv.stack_top, h - 2, l.n);
}

/* Scrolls; Esc or q goes back to the list. */
static int stack_key(struct tt_ui *ui, int ch)
{
	int page = tt_listnav_page(ui, TT_PANE_STACK, 2);

	if (ch == 27 || ch == 'q') {
		ui->focus = TT_PANE_LOG;
		return TT_HANDLED | TT_REDRAW;
	}
	return tt_listnav_key(ch, &ui->tv.stack_top, ui->tv.stack_lines - page + 1, page);
}

static int stack_mouse(struct tt_ui *ui, int y, int x, unsigned long bstate)
{
	(void)ui;
	(void)y;
	(void)x;
	(void)bstate;
	return TT_HANDLED | TT_REDRAW;
}

const struct tt_pane_ops tt_threads_stack_pane = {
    .name = "threadstack",
    .draw = stack_draw,
    .key = stack_key,
    .mouse = stack_mouse,
};
