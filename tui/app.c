// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The dashboard's event loop: terminal setup and restore, signals, layout,
 * key and mouse dispatch to the panes and the action table (actions.c), and
 * the refresh tick. Everything a pane needs lives in struct tt_ui; this file
 * is the only one that owns the screen's lifetime.
 */
#include "actions.h"
#include "tui.h"
#include "ui.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <unistd.h>

#include "clock.h"
#include "pane.h"
#include "snapshot.h"
#include "symbolize.h"

#define SYMBOLIZE_PER_TICK 32
/* New events repaint the log at most this often: a busy ring must not turn
 * into a full log redraw per event on a 9600-baud console. */
#define LOG_REDRAW_GAP_S 0.2
#define RING_HOLD_S 0.02 /* at most 50 drains a second under a flood */

static const struct tt_pane_ops *const panes[TT_PANE_NR] = {
    [TT_PANE_HEADER] = &tt_header_pane,  [TT_PANE_TERMINALS] = &tt_terminals_pane,
    [TT_PANE_HIST] = &tt_histogram_pane, [TT_PANE_LOG] = &tt_eventlog_pane,
    [TT_PANE_STACK] = &tt_stack_pane,    [TT_PANE_KEYBAR] = &tt_keybar_pane,
};

/* While the goroutine/thread pane is open it takes the log's and the stack's places. */
static const struct tt_pane_ops *pane_ops(const struct tt_ui *ui, int id)
{
	if (ui->tv.open && id == TT_PANE_LOG)
		return &tt_threads_pane;
	if (ui->tv.open && id == TT_PANE_STACK)
		return &tt_threads_stack_pane;
	return panes[id];
}

static volatile sig_atomic_t quit_signal;

static void on_quit(int sig)
{
	quit_signal = sig;
}

/* A crash must not leave the user's terminal in raw mode with no cursor. */
static void on_crash(int sig)
{
	endwin();
	signal(sig, SIG_DFL);
	raise(sig);
}

static const int quit_sigs[] = {SIGINT, SIGTERM, SIGHUP};
static const int crash_sigs[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};
#define NQUIT ((int)(sizeof(quit_sigs) / sizeof(quit_sigs[0])))
#define NCRASH ((int)(sizeof(crash_sigs) / sizeof(crash_sigs[0])))

struct saved_signals {
	struct sigaction quit[NQUIT], crash[NCRASH];
};

static void signals_install(struct saved_signals *s)
{
	struct sigaction sa;
	int i;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_quit; /* no SA_RESTART: poll() must wake up */
	for (i = 0; i < NQUIT; i++)
		sigaction(quit_sigs[i], &sa, &s->quit[i]);
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	for (i = 0; i < NCRASH; i++)
		sigaction(crash_sigs[i], &sa, &s->crash[i]);
}

static void signals_restore(const struct saved_signals *s)
{
	int i;

	for (i = 0; i < NQUIT; i++)
		sigaction(quit_sigs[i], &s->quit[i], NULL);
	for (i = 0; i < NCRASH; i++)
		sigaction(crash_sigs[i], &s->crash[i], NULL);
}

bool tt_tui_usable(char *why, size_t len)
{
	const char *term = getenv("TERM");
	int e = 0;

	if (!isatty(STDOUT_FILENO)) {
		snprintf(why, len, "stdout is not a terminal; use --json");
		return false;
	}
	if (!isatty(STDIN_FILENO)) {
		snprintf(why, len, "stdin is not a terminal; use --json");
		return false;
	}
	if (!term || !*term) {
		snprintf(why, len, "TERM is not set; use --json");
		return false;
	}
	if (!strcmp(term, "dumb")) {
		snprintf(why, len, "TERM=dumb: use --json");
		return false;
	}
	/* no database here (a static binary on a busybox system): the built-in entry */
	if (setupterm(term, STDOUT_FILENO, &e) != OK &&
	    (tt_terminfo_fallback(term) < 0 || setupterm(term, STDOUT_FILENO, &e) != OK)) {
		char t[40], names[200];

		tt_terminfo_release();
		snprintf(why, len,
		         "unknown terminal type '%s': no terminfo entry for it on this machine "
		         "(built in: %s); use --json",
		         tt_fmt_sanitize(term, strlen(term), t, sizeof(t)),
		         tt_terminfo_builtin_names(names, sizeof(names)));
		return false;
	}
	del_curterm(cur_term);
	return true;
}

static void windows_free(struct tt_ui *ui)
{
	int i;

	for (i = 0; i < TT_PANE_NR; i++) {
		if (ui->win[i])
			delwin(ui->win[i]);
		ui->win[i] = NULL;
	}
}

static void relayout(struct tt_ui *ui)
{
	int i, rows, cols;

	getmaxyx(stdscr, rows, cols);
	windows_free(ui);
	tt_layout_compute_for(rows, cols, ui->tv.open, &ui->lay);
	werase(stdscr);
	wnoutrefresh(stdscr);
	if (ui->lay.too_small)
		return;
	for (i = 0; i < TT_PANE_NR; i++) {
		const struct tt_rect *r = &ui->lay.r[i];

		ui->win[i] = newwin(r->h, r->w, r->y, r->x);
		if (ui->win[i])
			keypad(ui->win[i], TRUE);
	}
}

static void draw_pane(struct tt_ui *ui, int id)
{
	WINDOW *w = ui->win[id];

	if (!w)
		return;
	werase(w);
	pane_ops(ui, id)->draw(ui, w, ui->lay.r[id].h, ui->lay.r[id].w);
	wnoutrefresh(w);
}

static void draw_too_small(struct tt_ui *ui)
{
	char msg[96];
	int len;

	snprintf(msg, sizeof(msg), "terminal too small (need %dx%d, have %dx%d)", TT_MIN_COLS,
	         TT_MIN_ROWS, ui->lay.cols, ui->lay.rows);
	len = (int)strlen(msg);
	werase(stdscr);
	tt_draw_text(stdscr, ui->lay.rows / 2, len < ui->lay.cols ? (ui->lay.cols - len) / 2 : 0,
	             ui->lay.cols, msg, A_BOLD);
	tt_draw_text(stdscr, ui->lay.rows / 2 + 1, 0, ui->lay.cols, "q quits", A_NORMAL);
	wnoutrefresh(stdscr);
}

static void draw_all(struct tt_ui *ui)
{
	int i;

	if (ui->lay.too_small) {
		draw_too_small(ui);
	} else {
		for (i = 0; i < TT_PANE_NR; i++)
			draw_pane(ui, i);
		if (ui->help)
			tt_help_draw(ui, ui->lay.rows, ui->lay.cols);
	}
	doupdate();
}

/* Report a finished background save; with wait, block until it is done. */
static bool snapshot_done(struct tt_ui *ui, bool wait, char *msg, size_t len, bool *failed)
{
	char path[4096], err[512];
	int rc;

	if (!tt_snapshot_finish(&ui->snap, wait, &rc, path, sizeof(path), err, sizeof(err)))
		return false;
	*failed = rc < 0;
	if (rc < 0)
		snprintf(msg, len, "snapshot failed: %s", err);
	else
		snprintf(msg, len, "snapshot saved: %s", path);
	return true;
}

/* The wheel moves in the pane under the pointer, as its arrow keys do. */
static int mouse_wheel(struct tt_ui *ui, int p, unsigned long bstate)
{
	if (p < 0 || !tt_focusable(p) || !pane_ops(ui, p)->key)
		return TT_HANDLED;
	ui->focus = p;
	return pane_ops(ui, p)->key(ui, (bstate & BUTTON4_PRESSED) ? KEY_UP : KEY_DOWN) |
	       TT_HANDLED | TT_REDRAW;
}

/* A click focuses the pane under it, whether or not the pane acts on clicks. */
static int mouse_click(struct tt_ui *ui, const MEVENT *me, int p)
{
	int flags = TT_HANDLED;

	if (p == TT_PANE_KEYBAR && me->y == ui->lay.rows - 1) {
		const struct tt_pane_ops *fp = pane_ops(ui, ui->focus);
		int k = tt_keybar_key_at(me->x), f = 0;

		/* as if typed: the focused pane first (the thread pane filters and sorts its rows)
		 */
		if (k && fp->key)
			f = fp->key(ui, k);
		return k && !f ? tt_action_key(ui, k) | TT_HANDLED : f | TT_HANDLED;
	}
	if (p < 0)
		return TT_HANDLED;
	if (tt_focusable(p)) {
		ui->focus = p;
		flags |= TT_REDRAW;
	}
	if (pane_ops(ui, p)->mouse)
		flags |= pane_ops(ui, p)->mouse(ui, me->y - ui->lay.r[p].y, me->x - ui->lay.r[p].x,
		                                (unsigned long)me->bstate) |
		         TT_REDRAW;
	return flags;
}

static int mouse_event(struct tt_ui *ui)
{
	MEVENT me;
	int p;

	if (getmouse(&me) != OK)
		return TT_HANDLED;
	if (ui->help) {
		ui->help = false;
		return TT_HANDLED | TT_REDRAW;
	}
	p = tt_layout_hit(&ui->lay, me.y, me.x);
	if (me.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED))
		return mouse_wheel(ui, p, (unsigned long)me.bstate);
	if (!(me.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)))
		return TT_HANDLED;
	return mouse_click(ui, &me, p);
}

/* The focused pane sees a key first; what it declines goes to the action table. */
static int handle_key(struct tt_ui *ui, int ch)
{
	const struct tt_action *a;
	int f;

	if (ch == KEY_RESIZE)
		return TT_RELAYOUT;
	if (ch == KEY_MOUSE)
		return mouse_event(ui);
	if (ui->prompt)
		return tt_prompt_key(ui, ch);
	if (ui->help) { /* any key closes help */
		ui->help = false;
		return TT_HANDLED | TT_REDRAW;
	}
	if (ui->lay.too_small) {
		a = tt_action_find(ch);
		return a && a->when_small ? a->run(ui, ch) : TT_HANDLED;
	}
	if (pane_ops(ui, ui->focus)->key && (f = pane_ops(ui, ui->focus)->key(ui, ch)))
		return f;
	return tt_action_key(ui, ch);
}

/*
 * The goroutine/thread pane's reads, into two buffers in turn: a read that
 * finds the process gone keeps the last rows on screen, marked gone.
 */
struct live_pane {
	uint32_t pid; /* 0: none open */
	struct tt_pane_reader *r;
	struct tt_pane buf[2];
	int cur; /* buf[cur] is shown; -1 before the first read */
	/* the source's (the collector's caches), else made with the first pane and kept */
	struct tt_symbolizer *sym;
	bool own_sym;
};

/* The loop's state between its steps; one round is wait, keys, source, redraw, tick. */
struct loop {
	struct tt_ui *ui;
	const struct tt_source *src;
	const struct tt_opts *o;
	/* stdin, the source's ring, the snapshot child's report */
	struct pollfd pfd[3];
	bool ring_polled; /* pfd[1] is in this round's set */
	double start, next_tick, sampled;
	double ring_hold; /* the ring is not polled before this: a flood gathers */
	double last_log_draw;
	bool src_quiet;   /* the ring was readable but empty: wait for the tick */
	bool log_pending; /* events arrived since the log was drawn */
	bool redraw;
	bool quit;
	struct live_pane pane;
};

static void pane_close(struct live_pane *lp)
{
	tt_pane_reader_free(lp->r);
	tt_pane_free(&lp->buf[0]);
	tt_pane_free(&lp->buf[1]);
	lp->r = NULL;
	lp->pid = 0;
	lp->cur = -1;
}

static int pane_open(struct live_pane *lp, const struct tt_source *src, uint32_t pid)
{
	if (!lp->sym && src->ops && src->ops->symbolizer)
		lp->sym = src->ops->symbolizer(src->ctx);
	if (!lp->sym) {
		if (!(lp->sym = tt_sym_new()))
			return -ENOMEM;
		lp->own_sym = true;
	}
	lp->pid = pid;
	if (!(lp->r = tt_pane_reader_new((pid_t)pid)) || tt_pane_alloc(&lp->buf[0], true) < 0 ||
	    tt_pane_alloc(&lp->buf[1], true) < 0) {
		pane_close(lp);
		return -ENOMEM;
	}
	return 0;
}

/* One read, shown at once; a process gone is not read again. */
static void pane_read(struct tt_ui *ui, struct live_pane *lp)
{
	int next = lp->cur == 0 ? 1 : 0, rc;

	if (!lp->r || (lp->cur >= 0 && lp->buf[lp->cur].gone))
		return;
	rc = tt_pane_read(lp->r, lp->sym, &lp->buf[next]);
	if (rc == 0 || lp->buf[next].nthreads > 0 || lp->cur < 0)
		lp->cur = next;
	else
		lp->buf[lp->cur].gone = lp->buf[next].gone;
	if (rc < 0 && rc != -ESRCH)
		tt_ui_status(ui, true, "reading pid %u: %s", lp->pid, strerror(-rc));
	ui->tv.pane = &lp->buf[lp->cur];
	ui->tv.gen++;
	/* the newest read of each process opened goes into snapshots (bounded copies) */
	if (tt_model_keep_pane(ui->m, ui->tv.pane) < 0)
		tt_ui_status(ui, true, "pid %u: no memory to keep its pane for snapshots", lp->pid);
}

/* After a key: open, change or close the pane the keys asked for. */
static void pane_sync(struct loop *l)
{
	struct tt_ui *ui = l->ui;
	struct live_pane *lp = &l->pane;
	int rc;

	if (lp->pid == ui->tv.want_pid || ui->replay)
		return;
	pane_close(lp);
	ui->tv.pane = NULL;
	if (!ui->tv.want_pid)
		return;
	rc = pane_open(lp, l->src, ui->tv.want_pid);
	if (rc < 0)
		snprintf(ui->tv.why, sizeof(ui->tv.why), "cannot read pid %u: %s", ui->tv.want_pid,
		         strerror(-rc));
	else
		pane_read(ui, lp);
}

/* The earliest of: the tick, the log's next redraw, the ring's hold, the next sample. */
static double loop_due(const struct loop *l, double t)
{
	double due = l->next_tick;

	if (l->log_pending && l->last_log_draw + LOG_REDRAW_GAP_S < due)
		due = l->last_log_draw + LOG_REDRAW_GAP_S;
	if (!l->ring_polled && !l->src_quiet && l->ring_hold > t && l->ring_hold < due)
		due = l->ring_hold;
	if (l->src->ops && l->src->ops->sample && l->sampled + TT_SAMPLE_S < due)
		due = l->sampled + TT_SAMPLE_S;
	return due;
}

static int loop_wait(struct loop *l, char *err, size_t errlen)
{
	const struct tt_source_ops *ops = l->src->ops;
	double t = tt_mono_s(), due;
	int timeout;

	l->pfd[0] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
	l->pfd[1] = (struct pollfd){.fd = -1};
	l->ring_polled = false;
	if (!l->ui->replay && ops->fd && !l->src_quiet && t >= l->ring_hold) {
		l->pfd[1].fd = ops->fd(l->src->ctx);
		l->pfd[1].events = POLLIN;
		l->ring_polled = l->pfd[1].fd >= 0;
	}
	due = loop_due(l, t);
	timeout = due > t ? (int)((due - t) * 1000) + 1 : 0;
	/* the snapshot child's report has a slot of its own, after the ring's */
	l->pfd[2] = (struct pollfd){.fd = l->ui->snap.pid ? l->ui->snap.fd : -1, .events = POLLIN};
	if (poll(l->pfd, 3, timeout) < 0 && errno != EINTR) {
		snprintf(err, errlen, "poll: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Keys first, all of them, so input never waits behind data. */
static void loop_keys(struct loop *l)
{
	int ch, flags;

	while ((ch = getch()) != ERR) {
		flags = handle_key(l->ui, ch);
		if (flags & TT_QUIT) {
			l->quit = true;
			return;
		}
		if (flags & TT_RELAYOUT) {
			relayout(l->ui);
			flags |= TT_REDRAW;
		}
		if (flags & TT_REPAINT) {
			clearok(curscr, TRUE);
			flags |= TT_REDRAW;
		}
		if (flags & TT_REDRAW)
			l->redraw = true;
		pane_sync(l);
	}
}

static void loop_snapshot(struct loop *l)
{
	char msg[4200];
	bool failed;

	if (l->ui->snap.pid && l->pfd[2].revents &&
	    snapshot_done(l->ui, false, msg, sizeof(msg), &failed)) {
		tt_ui_status(l->ui, failed, "%s", msg);
		l->redraw = true;
	}
}

static void loop_source(struct loop *l)
{
	const struct tt_source_ops *ops = l->src->ops;
	int got;

	if (!l->ring_polled || !(l->pfd[1].revents & (POLLIN | POLLERR | POLLHUP)))
		return;
	got = ops->drain ? ops->drain(l->src->ctx) : 0;
	if (got < 0)
		tt_ui_status(l->ui, true, "reading events: %s", strerror(-got));
	if (got <= 0) {
		l->src_quiet = true;
		return;
	}
	l->log_pending = true;
	/*
	 * Under a flood every event wakes poll(): let them gather for a moment
	 * instead of draining a few at a time. Keys are still read at once
	 * (stdin stays in the set).
	 */
	l->ring_hold = tt_mono_s() + RING_HOLD_S;
}

/* Between ticks: counters sampled (shown at the next tick), and only the log redrawn. */
static void loop_between(struct loop *l, double t)
{
	const struct tt_source_ops *ops = l->src->ops;
	struct tt_ui *ui = l->ui;

	if (ops && ops->sample && t >= l->sampled + TT_SAMPLE_S) {
		ops->sample(l->src->ctx);
		l->sampled = t;
	}
	if (l->log_pending && !l->redraw && t >= l->last_log_draw + LOG_REDRAW_GAP_S) {
		l->log_pending = false;
		l->last_log_draw = t;
		if (!ui->help && !ui->lay.too_small && !ui->tv.open) {
			draw_pane(ui, TT_PANE_LOG);
			doupdate();
		}
	}
}

static void loop_tick(struct loop *l, double t)
{
	struct tt_ui *ui = l->ui;
	int rc;

	if (t < l->next_tick)
		return;
	if (!ui->replay) {
		rc = tt_source_tick(l->src, ui->m, &ui->tick, t,
		                    l->o->no_stacks ? -1 : SYMBOLIZE_PER_TICK);
		if (rc < 0)
			tt_ui_status(ui, true, "refresh failed: %s", strerror(-rc));
		pane_read(ui, &l->pane); /* the goroutine/thread pane refreshes with the rest */
	}
	ui->tick.last = t;
	l->next_tick = t + ui->interval;
	l->src_quiet = false;
	l->redraw = true;
	if (l->o->duration_s > 0 && t - l->start >= l->o->duration_s)
		l->quit = true; /* before the redraw, as a key's quit */
}

static int loop_run(struct loop *l, char *err, size_t errlen)
{
	double t;

	l->start = l->sampled = tt_mono_s();
	tt_tick_init(&l->ui->tick, l->ui->m, l->start);
	l->next_tick = l->start + l->ui->interval;
	while (!quit_signal) {
		if (loop_wait(l, err, errlen) < 0)
			return -1;
		l->redraw = false;
		loop_keys(l);
		if (l->quit)
			break;
		loop_snapshot(l);
		loop_source(l);
		t = tt_mono_s();
		loop_between(l, t);
		loop_tick(l, t);
		if (l->quit)
			break;
		if (l->redraw) {
			draw_all(l->ui);
			l->log_pending = false;
			l->last_log_draw = t;
		}
	}
	return 0;
}

static void ui_init(struct tt_ui *ui, struct tt_model *m, struct tt_source *src,
                    const struct tt_opts *o)
{
	char err[256];
	double iv;

	ui->m = m;
	ui->src = src;
	ui->o = o;
	ui->replay = !src->ops || m->replay;
	ui->focus = TT_PANE_TERMINALS;
	ui->sort = TT_SORT_WPS;
	iv = o->interval_s > 0 ? o->interval_s : m->interval_s > 0 ? m->interval_s : 1.0;
	if (iv < TT_INTERVAL_MIN)
		iv = TT_INTERVAL_MIN;
	if (iv > TT_INTERVAL_MAX)
		iv = TT_INTERVAL_MAX;
	ui->interval = iv;
	if (tt_theme_load(o->theme, &ui->theme, err, sizeof(err)) < 0)
		tt_ui_status(ui, true, "%s (using the default theme)", err);
	else if (ui->replay)
		tt_ui_status(ui, false, "replay: read-only view of the snapshot; ? for help");
	else
		tt_ui_status(ui, false, "? for help");
	ui->theme_idx = tt_theme_builtin_find(ui->theme.name);
	if (ui->theme_idx < 0)
		ui->theme_idx = tt_theme_builtin_count() - 1; /* T goes to the first built-in */
}

static int screen_init(struct tt_ui *ui, SCREEN **scr, char *err, size_t errlen)
{
	const char *nc = getenv("NO_COLOR");

	*scr = newterm(NULL, stdout, stdin);
	tt_terminfo_release(); /* ncurses has read a built-in entry, if it used one */
	if (!*scr) {
		snprintf(err, errlen, "cannot initialise the terminal (check TERM); use --json");
		return -1;
	}
	set_term(*scr);
	/*
	 * ncurses 6.4 flushes after every cursor movement until the screen has
	 * been through one endwin()/doupdate() cycle (its mvcur treats a never
	 * suspended screen as "used from a low-level terminfo program"): one
	 * write(2) per changed run of cells, dozens per refresh. One cycle now
	 * makes every later doupdate() a single write, which is what a slow link
	 * (and the terminal we are measuring) needs.
	 */
	endwin();
	doupdate();
	set_escdelay(25);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	mouseinterval(0);
	ui->color = has_colors() && !(nc && *nc);
	if (ui->color && start_color() != OK)
		ui->color = false;
	tt_theme_apply(&ui->theme, ui->color);
	return 0;
}

static void ui_free(struct tt_ui *ui)
{
	if (!ui)
		return;
	free(ui->stack_ev);
	free(ui);
}

static struct tt_ui *ui_new(struct tt_model *m, struct tt_source *src, const struct tt_opts *o)
{
	struct tt_ui *ui = calloc(1, sizeof(*ui));

	if (!ui || !(ui->stack_ev = calloc(1, sizeof(*ui->stack_ev)))) {
		free(ui);
		return NULL;
	}
	setlocale(LC_CTYPE, ""); /* only CTYPE: numbers in JSON must keep their '.' */
	ui->utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
	ui_init(ui, m, src, o);
	return ui;
}

/* Never lose a snapshot: finish it, then say where it went. */
static void snapshot_wait(struct tt_ui *ui)
{
	char msg[4200];
	bool failed;

	if (ui->snap.pid && snapshot_done(ui, true, msg, sizeof(msg), &failed))
		fprintf(stderr, "ttytop: %s\n", msg);
}

int tt_tui_run(struct tt_model *m, struct tt_source *src, const struct tt_opts *o, char *err,
               size_t errlen)
{
	static const struct tt_opts no_opts;
	struct tt_source none = {NULL, NULL};
	struct saved_signals saved;
	struct loop l = {0};
	SCREEN *scr = NULL;
	int rc;

	if (!m) {
		snprintf(err, errlen, "no model");
		return -1;
	}
	if (!src)
		src = &none;
	l.src = src;
	l.o = o ? o : &no_opts;
	l.ui = ui_new(m, src, l.o);
	if (!l.ui) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	quit_signal = 0;
	signals_install(&saved);
	if (screen_init(l.ui, &scr, err, errlen) < 0) {
		signals_restore(&saved);
		ui_free(l.ui);
		return -1;
	}
	l.pane.cur = -1;
	relayout(l.ui);
	draw_all(l.ui);
	rc = loop_run(&l, err, errlen);
	pane_close(&l.pane);
	if (l.pane.own_sym)
		tt_sym_free(l.pane.sym);
	windows_free(l.ui);
	endwin();
	delscreen(scr);
	signals_restore(&saved);
	snapshot_wait(l.ui);
	ui_free(l.ui);
	return rc;
}
