// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The dashboard's event loop: terminal setup and restore, signals, layout,
 * key and mouse dispatch to the panes, and the refresh tick. Everything a
 * pane needs lives in struct tt_ui; this file is the only one that owns the
 * screen's lifetime.
 */
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
#include <time.h>
#include <unistd.h>

#include "snapshot.h"

#define SYMBOLIZE_PER_TICK 32
/* New events repaint the log at most this often: a busy ring must not turn
 * into a full log redraw per event on a 9600-baud console. */
#define LOG_REDRAW_GAP_S 0.2
#define RING_HOLD_S 0.02 /* at most 50 drains a second under a flood */
#define KEY_CTRL(c) ((c)&0x1f)

static const struct tt_pane_ops *const panes[TT_PANE_NR] = {
    [TT_PANE_HEADER] = &tt_header_pane,  [TT_PANE_TERMINALS] = &tt_terminals_pane,
    [TT_PANE_HIST] = &tt_histogram_pane, [TT_PANE_LOG] = &tt_eventlog_pane,
    [TT_PANE_STACK] = &tt_stack_pane,    [TT_PANE_KEYBAR] = &tt_keybar_pane,
};

/* Tab order: table, then its events, then why (stack), then the histogram. */
static const int focus_order[] = {TT_PANE_TERMINALS, TT_PANE_LOG, TT_PANE_STACK, TT_PANE_HIST};
#define NFOCUS ((int)(sizeof(focus_order) / sizeof(focus_order[0])))

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

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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
	tt_layout_compute(rows, cols, &ui->lay);
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
	panes[id]->draw(ui, w, ui->lay.r[id].h, ui->lay.r[id].w);
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

static void focus_step(struct tt_ui *ui, int dir)
{
	int i, cur = 0;

	for (i = 0; i < NFOCUS; i++)
		if (focus_order[i] == ui->focus)
			cur = i;
	ui->focus = focus_order[(cur + dir + NFOCUS) % NFOCUS];
}

static int set_theme(struct tt_ui *ui, int idx)
{
	struct tt_theme t;

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

/*
 * A full ring renders to tens of megabytes: a child writes it (a copy of the
 * model at the key press) while the dashboard keeps running.
 */
static int save_snapshot(struct tt_ui *ui)
{
	char err[256];
	const char *dir = ui->o->snapshot_dir[0] ? ui->o->snapshot_dir : ".";

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

static int change_interval(struct tt_ui *ui, int dir)
{
	char b[32];

	if (ui->replay) {
		tt_ui_status(ui, true, "replay: read-only");
		return TT_HANDLED | TT_REDRAW;
	}
	ui->interval = tt_fmt_interval_step(ui->interval, dir);
	ui->m->interval_s = ui->interval;
	tt_ui_status(ui, false, "refresh every %s", tt_fmt_interval(ui->interval, b, sizeof(b)));
	return TT_HANDLED | TT_REDRAW;
}

static int cycle_sort(struct tt_ui *ui, int dir)
{
	ui->sort = (ui->sort + dir + TT_SORT_NR) % TT_SORT_NR;
	tt_ui_status(ui, false, "sort by %s", tt_terminals_sort_name(ui->sort));
	return TT_HANDLED | TT_REDRAW;
}

static int global_key(struct tt_ui *ui, int ch)
{
	switch (ch) {
	case 'q':
	case KEY_F(10):
		return TT_QUIT;
	case '?':
	case KEY_F(1):
		ui->help = true;
		return TT_HANDLED | TT_REDRAW;
	case '\t':
		focus_step(ui, 1);
		return TT_HANDLED | TT_REDRAW;
	case KEY_BTAB:
		focus_step(ui, -1);
		return TT_HANDLED | TT_REDRAW;
	case ' ':
		tt_eventlog_set_paused(ui, !ui->paused);
		tt_ui_status(ui, false,
		             ui->paused ? "event log paused (Space resumes)" : "event log resumed");
		return TT_HANDLED | TT_REDRAW;
	case '/':
	case KEY_F(3):
		tt_prompt_start(ui, TT_PROMPT_FILTER);
		return TT_HANDLED | TT_REDRAW;
	case 27:
		if (ui->filter[0]) {
			ui->filter[0] = '\0';
			tt_ui_status(ui, false, "log filter cleared");
		}
		return TT_HANDLED | TT_REDRAW;
	case 't':
		if (ui->replay) {
			tt_ui_status(ui, true, "replay: read-only");
			return TT_HANDLED | TT_REDRAW;
		}
		tt_prompt_start(ui, TT_PROMPT_THRESHOLD);
		return TT_HANDLED | TT_REDRAW;
	case '+':
	case '=':
		return change_interval(ui, 1);
	case '-':
		return change_interval(ui, -1);
	case 's':
	case KEY_F(5):
		return save_snapshot(ui);
	case 'T':
	case KEY_F(2):
		return set_theme(ui, (ui->theme_idx + 1) % tt_theme_builtin_count());
	case '<':
		return cycle_sort(ui, -1);
	case '>':
	case KEY_F(6):
		return cycle_sort(ui, 1);
	case 'r':
		ui->sort_rev = !ui->sort_rev;
		return TT_HANDLED | TT_REDRAW;
	case 'o':
		return tt_eventlog_toggle_order(ui);
	case 'b':
		ui->hist_kind = (ui->hist_kind + 1) % TT_HK_NR;
		return TT_HANDLED | TT_REDRAW;
	case KEY_CTRL('l'):
		return TT_HANDLED | TT_REPAINT;
	case KEY_RESIZE:
		return TT_HANDLED | TT_RELAYOUT;
	}
	return 0;
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
	/* The wheel moves in the pane under the pointer, as its arrow keys do. */
	if (me.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
		if (p < 0 || p == TT_PANE_HEADER || p == TT_PANE_KEYBAR || !panes[p]->key)
			return TT_HANDLED;
		ui->focus = p;
		return panes[p]->key(ui, (me.bstate & BUTTON4_PRESSED) ? KEY_UP : KEY_DOWN) |
		       TT_HANDLED | TT_REDRAW;
	}
	if (!(me.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)))
		return TT_HANDLED;
	if (p == TT_PANE_KEYBAR && me.y == ui->lay.rows - 1) {
		int k = tt_keybar_key_at(me.x);

		return k ? global_key(ui, k) | TT_HANDLED : TT_HANDLED;
	}
	if (p < 0 || !panes[p]->mouse)
		return TT_HANDLED;
	ui->focus = p;
	return panes[p]->mouse(ui, me.y - ui->lay.r[p].y, me.x - ui->lay.r[p].x,
	                       (unsigned long)me.bstate) |
	       TT_REDRAW;
}

static int handle_key(struct tt_ui *ui, int ch)
{
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
	if (ui->lay.too_small)
		return (ch == 'q' || ch == KEY_F(10)) ? TT_QUIT : TT_HANDLED;
	if (panes[ui->focus]->key) {
		f = panes[ui->focus]->key(ui, ch);
		if (f)
			return f;
	}
	return global_key(ui, ch);
}

static void tick(struct tt_ui *ui, double dt)
{
	const struct tt_source_ops *ops = ui->src->ops;
	int rc;

	if (ui->replay)
		return;
	if (ops->drain)
		ops->drain(ui->src->ctx);
	if (ops->refresh) {
		/* Parenthesized: curses defines a refresh() macro. */
		rc = (ops->refresh)(ui->src->ctx, dt);
		if (rc < 0)
			tt_ui_status(ui, true, "refresh failed: %s", strerror(-rc));
	}
	if (ops->symbolize_pending && !(ui->o && ui->o->no_stacks))
		ops->symbolize_pending(ui->src->ctx, SYMBOLIZE_PER_TICK);
	if (dt > 0) {
		ui->ev_rate = (double)(ui->m->totals.events - ui->prev_events) / dt;
		ui->drop_rate = (double)(ui->m->totals.dropped - ui->prev_dropped) / dt;
	}
	ui->prev_events = ui->m->totals.events;
	ui->prev_dropped = ui->m->totals.dropped;
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
	ui->prev_events = m->totals.events;
	ui->prev_dropped = m->totals.dropped;
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

int tt_tui_run(struct tt_model *m, struct tt_source *src, const struct tt_opts *o, char *err,
               size_t errlen)
{
	static const struct tt_opts no_opts;
	struct tt_source none = {NULL, NULL};
	struct saved_signals saved;
	struct tt_ui *ui;
	SCREEN *scr = NULL;
	double next_tick, last_tick, start, t;
	bool src_quiet = false, log_pending = false;
	double ring_hold = 0;
	double last_log_draw = 0, sampled;
	int flags, ch, rc = 0;

	if (!m) {
		snprintf(err, errlen, "no model");
		return -1;
	}
	if (!src)
		src = &none;
	if (!o)
		o = &no_opts;
	ui = calloc(1, sizeof(*ui));
	if (!ui || !(ui->stack_ev = calloc(1, sizeof(*ui->stack_ev)))) {
		free(ui);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	setlocale(LC_CTYPE, ""); /* only CTYPE: numbers in JSON must keep their '.' */
	ui->utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
	ui_init(ui, m, src, o);
	quit_signal = 0;
	signals_install(&saved);
	if (screen_init(ui, &scr, err, errlen) < 0) {
		signals_restore(&saved);
		free(ui->stack_ev);
		free(ui);
		return -1;
	}
	relayout(ui);
	draw_all(ui);
	start = last_tick = sampled = now_s();
	next_tick = last_tick + ui->interval;
	while (!quit_signal) {
		struct pollfd pfd[3] = {{.fd = STDIN_FILENO, .events = POLLIN}, {.fd = -1}, {.fd = -1}};
		int timeout, n = 1, redraw = 0;
		double due;

		t = now_s();
		if (!ui->replay && src->ops->fd && !src_quiet && t >= ring_hold) {
			pfd[1].fd = src->ops->fd(src->ctx);
			pfd[1].events = POLLIN;
			if (pfd[1].fd >= 0)
				n = 2;
		}
		due = next_tick;
		if (log_pending && last_log_draw + LOG_REDRAW_GAP_S < due)
			due = last_log_draw + LOG_REDRAW_GAP_S;
		if (n == 1 && !src_quiet && ring_hold > t && ring_hold < due)
			due = ring_hold;
		if (src->ops && src->ops->sample && sampled + TT_SAMPLE_S < due)
			due = sampled + TT_SAMPLE_S;
		timeout = due > t ? (int)((due - t) * 1000) + 1 : 0;
		/* the snapshot child's report has a slot of its own, after the ring's */
		pfd[2].fd = ui->snap.pid ? ui->snap.fd : -1;
		pfd[2].events = POLLIN;
		if (poll(pfd, 3, timeout) < 0 && errno != EINTR) {
			snprintf(err, errlen, "poll: %s", strerror(errno));
			rc = -1;
			break;
		}
		/* Keys first, all of them, so input never waits behind data. */
		while ((ch = getch()) != ERR) {
			flags = handle_key(ui, ch);
			if (flags & TT_QUIT)
				goto out;
			if (flags & TT_RELAYOUT) {
				relayout(ui);
				flags |= TT_REDRAW;
			}
			if (flags & TT_REPAINT) {
				clearok(curscr, TRUE);
				flags |= TT_REDRAW;
			}
			redraw |= flags & TT_REDRAW;
		}
		if (ui->snap.pid && pfd[2].revents) {
			char msg[4200];
			bool failed;

			if (snapshot_done(ui, false, msg, sizeof(msg), &failed)) {
				tt_ui_status(ui, failed, "%s", msg);
				redraw = 1;
			}
		}
		if (n == 2 && (pfd[1].revents & (POLLIN | POLLERR | POLLHUP))) {
			int got = src->ops->drain ? src->ops->drain(src->ctx) : 0;

			if (got < 0)
				tt_ui_status(ui, true, "reading events: %s", strerror(-got));
			if (got <= 0) {
				src_quiet = true; /* readable but empty: wait for the tick */
			} else {
				log_pending = true;
				/*
				 * Under a flood every event wakes poll(): let them gather
				 * for a moment instead of draining a few at a time. Keys
				 * are still read at once (stdin stays in the set).
				 */
				ring_hold = now_s() + RING_HOLD_S;
			}
		}
		t = now_s();
		if (src->ops && src->ops->sample && t >= sampled + TT_SAMPLE_S) {
			src->ops->sample(src->ctx); /* between ticks: shown at the next one */
			sampled = t;
		}
		if (log_pending && !redraw && t >= last_log_draw + LOG_REDRAW_GAP_S) {
			log_pending = false;
			last_log_draw = t;
			if (!ui->help && !ui->lay.too_small) {
				draw_pane(ui, TT_PANE_LOG); /* only the log changes between ticks */
				doupdate();
			}
		}
		if (t >= next_tick) {
			tick(ui, t - last_tick);
			last_tick = t;
			next_tick = t + ui->interval;
			src_quiet = false;
			redraw = 1;
			if (o->duration_s > 0 && t - start >= o->duration_s)
				break;
		}
		if (redraw) {
			draw_all(ui);
			log_pending = false;
			last_log_draw = t;
		}
	}
out:
	windows_free(ui);
	endwin();
	delscreen(scr);
	signals_restore(&saved);
	if (ui->snap.pid) { /* never lose a snapshot: finish it, then say where it went */
		char msg[4200];
		bool failed;

		if (snapshot_done(ui, true, msg, sizeof(msg), &failed))
			fprintf(stderr, "ttytop: %s\n", msg);
	}
	free(ui->stack_ev);
	free(ui);
	return rc;
}
