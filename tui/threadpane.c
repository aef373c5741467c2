// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The goroutine/thread pane (src/pane.h): what every thread and, for a Go
 * program, every goroutine of one process is doing, read live by app.c at
 * each refresh. The list takes the log's place while it is open; the stack
 * of the row under the cursor takes the stack pane's (threadstack.c). Rows
 * are followed by their id (tid, goid) across reads, as the table follows
 * a device, and everything shown comes from the target: sanitized.
 */
#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

/* Sort keys, the same four places in both lists. */
enum { S_ID, S_STATE, S_SINCE, S_ON, S_NR };

static const char *const sort_names[TT_TP_NLISTS][S_NR] = {
    {"tid", "state", "since", "blocked on"},
    {"goid", "status", "waited", "wait reason"},
};

/* Threads: TID STATE BLOCKED-ON SINCE SYSCALL GOID TOP. */
enum { T_TID, T_STATE, T_ON, T_SINCE, T_SYSCALL, T_GOID, T_TOP, T_NR };
static const char *const t_head[T_NR] = {"TID",     "STATE", "BLOCKED ON", "SINCE",
                                         "SYSCALL", "GOID",  "TOP"};
static const int t_w[T_NR] = {7, 7, 20, 8, 13, 6, 24};
/* Lower = kept longer: the top frame says more than the syscall's name. */
static const int t_prio[T_NR] = {0, 0, 1, 0, 3, 2, 1};
static const int t_sort[T_NR] = {S_ID, S_STATE, S_ON, S_SINCE, -1, -1, -1};
static const bool t_right[T_NR] = {true, false, false, true, false, true, false};

/* Goroutines: GOID STATUS WAIT-REASON WAITED THREAD TOP. */
enum { G_GOID, G_STATUS, G_REASON, G_WAITED, G_THREAD, G_TOP, G_NR };
static const char *const g_head[G_NR] = {"GOID",   "STATUS", "WAIT REASON",
                                         "WAITED", "THREAD", "TOP"};
static const int g_w[G_NR] = {7, 9, 20, 8, 7, 24};
static const int g_prio[G_NR] = {0, 0, 1, 0, 3, 1};
static const int g_sort[G_NR] = {S_ID, S_STATE, S_ON, S_SINCE, -1, -1};
static const bool g_right[G_NR] = {true, false, false, true, true, false};

/* Frame, header line, heading: the rows start below them. */
#define CHROME 4
#define ROW0 3

/* The syscalls a thread is usually found asleep in, by this build's numbers. */
static const struct {
	long nr;
	const char *name;
} syscalls[] = {
    {SYS_read, "read"},
    {SYS_write, "write"},
    {SYS_readv, "readv"},
    {SYS_writev, "writev"},
    {SYS_pread64, "pread64"},
    {SYS_pwrite64, "pwrite64"},
    {SYS_openat, "openat"},
    {SYS_close, "close"},
    {SYS_ioctl, "ioctl"},
    {SYS_futex, "futex"},
    {SYS_nanosleep, "nanosleep"},
    {SYS_clock_nanosleep, "clock_nanosleep"},
    {SYS_epoll_pwait, "epoll_pwait"},
    {SYS_ppoll, "ppoll"},
    {SYS_pselect6, "pselect6"},
    {SYS_wait4, "wait4"},
    {SYS_waitid, "waitid"},
    {SYS_accept, "accept"},
    {SYS_accept4, "accept4"},
    {SYS_connect, "connect"},
    {SYS_recvfrom, "recvfrom"},
    {SYS_recvmsg, "recvmsg"},
    {SYS_sendto, "sendto"},
    {SYS_sendmsg, "sendmsg"},
    {SYS_rt_sigsuspend, "rt_sigsuspend"},
    {SYS_rt_sigtimedwait, "rt_sigtimedwait"},
    {SYS_flock, "flock"},
    {SYS_fsync, "fsync"},
    {SYS_fdatasync, "fdatasync"},
    {SYS_io_getevents, "io_getevents"},
    {SYS_sched_yield, "sched_yield"},
#ifdef SYS_epoll_wait
    {SYS_epoll_wait, "epoll_wait"},
#endif
#ifdef SYS_epoll_pwait2
    {SYS_epoll_pwait2, "epoll_pwait2"},
#endif
#ifdef SYS_poll
    {SYS_poll, "poll"},
#endif
#ifdef SYS_select
    {SYS_select, "select"},
#endif
#ifdef SYS_pause
    {SYS_pause, "pause"},
#endif
#ifdef SYS_io_uring_enter
    {SYS_io_uring_enter, "io_uring_enter"},
#endif
};

static void syscall_str(int32_t nr, char *s, size_t len)
{
	if (nr < 0) {
		snprintf(s, len, "-");
		return;
	}
	for (size_t i = 0; i < sizeof(syscalls) / sizeof(syscalls[0]); i++)
		if (syscalls[i].nr == nr) {
			snprintf(s, len, "%s", syscalls[i].name);
			return;
		}
	snprintf(s, len, "#%d", (int)nr);
}

static const char *state_word(char st)
{
	switch (st) {
	case 'R':
		return "R run";
	case 'S':
		return "S sleep";
	case 'D':
		return "D disk";
	case 'T':
		return "T stop";
	case 't':
		return "t trace";
	case 'Z':
		return "Z zomb";
	case 'X':
		return "X dead";
	case 'I':
		return "I idle";
	default:
		return "?";
	}
}

/* --- the rows shown ------------------------------------------------------------ */

static bool go_list(const struct tt_ui *ui)
{
	const struct tt_pane *p = ui->tv.pane;

	/* goroutines not read (why_no_goroutines): their threads are what there is */
	return ui->tv.list == TT_TP_GOROUTINES && p && p->is_go && p->gs &&
	       !(p->why_no_goroutines[0] && !p->ngoroutines);
}

static int list_of(const struct tt_ui *ui)
{
	return go_list(ui) ? TT_TP_GOROUTINES : TT_TP_THREADS;
}

static int nrows(const struct tt_pane *p, int list)
{
	int n = list == TT_TP_GOROUTINES ? p->ngoroutines : p->nthreads;
	int max = list == TT_TP_GOROUTINES ? TT_PANE_GOROUTINES : TT_PANE_THREADS;

	if (list == TT_TP_GOROUTINES && !p->gs)
		return 0;
	return n < 0 ? 0 : n > max ? max : n;
}

static int64_t row_id(const struct tt_pane *p, int list, int i)
{
	return list == TT_TP_GOROUTINES ? p->gs[i].goid : (int64_t)p->threads[i].tid;
}

static bool frame_matches(const struct tt_ui *ui, const struct tt_pane_stack *s)
{
	int n = s->n > TT_PANE_DEPTH ? TT_PANE_DEPTH : s->n;

	for (int i = 0; i < n; i++)
		if (s->f[i].name < ui->tv.pane->nnames && s->f[i].name < TT_PANE_FRAMES &&
		    ui->tv.name_match[s->f[i].name])
			return true;
	return false;
}

static bool has(const char *field, size_t len, const char *f)
{
	char buf[TT_FUNC_LEN + TT_FILE_LEN];

	return tt_fmt_contains(tt_fmt_sanitize(field, len, buf, sizeof(buf)), f);
}

static bool thread_matches(const struct tt_ui *ui, const struct tt_pane_thread *t, const char *f)
{
	char b[32];

	snprintf(b, sizeof(b), "%u", t->tid);
	if (tt_fmt_contains(b, f) || has(t->comm, sizeof(t->comm), f) ||
	    tt_fmt_contains(state_word(t->state), f) ||
	    has(t->blocked_on, sizeof(t->blocked_on), f))
		return true;
	syscall_str(t->syscall, b, sizeof(b));
	if (t->syscall >= 0 && tt_fmt_contains(b, f))
		return true;
	snprintf(b, sizeof(b), "g%lld", (long long)t->goid);
	if (t->goid >= 0 && tt_fmt_contains(b, f))
		return true;
	return frame_matches(ui, &t->ustack) || frame_matches(ui, &t->kstack);
}

static bool goroutine_matches(const struct tt_ui *ui, const struct tt_pane_goroutine *g,
                              const char *f)
{
	char b[32];

	snprintf(b, sizeof(b), "g%lld", (long long)g->goid);
	if (tt_fmt_contains(b, f) || has(g->status_word, sizeof(g->status_word), f) ||
	    has(g->wait_reason, sizeof(g->wait_reason), f))
		return true;
	snprintf(b, sizeof(b), "%u", g->thread);
	if (g->thread && tt_fmt_contains(b, f))
		return true;
	return frame_matches(ui, &g->stack);
}

/* Which names the filter finds (in the function or the file): once per filter and read. */
static void match_names(struct tt_ui *ui, const char *f)
{
	const struct tt_pane *p = ui->tv.pane;
	uint32_t n = p->nnames > TT_PANE_FRAMES ? TT_PANE_FRAMES : p->nnames;

	for (uint32_t i = 0; i < n; i++)
		ui->tv.name_match[i] =
		    p->names && (has(p->names[i].func, sizeof(p->names[i].func), f) ||
		                 has(p->names[i].file, sizeof(p->names[i].file), f));
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

/* Empty strings last: "not blocked" is not the first thing to read. */
static int cmp_word(const char *a, size_t alen, const char *b, size_t blen)
{
	bool ea = !a[0], eb = !b[0];

	if (ea || eb)
		return ea - eb;
	return strncmp(a, b, alen < blen ? alen : blen);
}

static int thread_cmp(const struct tt_pane_thread *a, const struct tt_pane_thread *b, int key)
{
	switch (key) {
	case S_STATE:
		return strcmp(state_word(a->state), state_word(b->state));
	case S_SINCE:
		return -cmp_u64(a->since_ns, b->since_ns); /* longest first */
	case S_ON:
		return cmp_word(a->blocked_on, sizeof(a->blocked_on), b->blocked_on,
		                sizeof(b->blocked_on));
	}
	return 0;
}

static int goroutine_cmp(const struct tt_pane_goroutine *a, const struct tt_pane_goroutine *b,
                         int key)
{
	switch (key) {
	case S_STATE:
		return strncmp(a->status_word, b->status_word, sizeof(a->status_word));
	case S_SINCE:
		return -cmp_u64(a->wait_ns, b->wait_ns);
	case S_ON:
		return cmp_word(a->wait_reason, sizeof(a->wait_reason), b->wait_reason,
		                sizeof(b->wait_reason));
	}
	return 0;
}

static int row_cmp(const void *pa, const void *pb, void *arg)
{
	const struct tt_ui *ui = arg;
	const struct tt_pane *p = ui->tv.pane;
	int list = ui->tv.made.list, key = ui->tv.made.sort, i = *(const int *)pa,
	    j = *(const int *)pb, r;

	if (list == TT_TP_GOROUTINES)
		r = goroutine_cmp(&p->gs[i], &p->gs[j], key);
	else
		r = thread_cmp(&p->threads[i], &p->threads[j], key);
	if (!r) {
		int64_t a = row_id(p, list, i), b = row_id(p, list, j);

		r = a < b ? -1 : a > b;
		if (key != S_ID)
			return r; /* ids ascending among equals, whatever the direction */
	}
	return ui->tv.made.rev ? -r : r;
}

static bool order_stale(const struct tt_ui *ui, int list)
{
	const struct tt_threadview *v = &ui->tv;

	return v->made.pane != v->pane || v->made.gen != v->gen || v->made.list != list ||
	       v->made.sort != v->sort[list] || v->made.rev != v->rev[list] ||
	       strcmp(v->made.filter, v->filter);
}

/* The cursor on the row with the id it had; its index kept when that row went. */
static void follow_cursor(struct tt_ui *ui, int list)
{
	struct tt_threadview *v = &ui->tv;

	for (int k = 0; v->sel_valid[list] && k < v->norder; k++)
		if (row_id(v->pane, list, v->order[k]) == v->sel_id[list]) {
			v->sel[list] = k;
			break;
		}
	if (v->sel[list] >= v->norder)
		v->sel[list] = v->norder - 1;
	if (v->sel[list] < 0)
		v->sel[list] = 0;
	v->sel_valid[list] = v->norder > 0;
	if (v->norder)
		v->sel_id[list] = row_id(v->pane, list, v->order[v->sel[list]]);
}

/* Filter and sort the rows of the list shown, when what they come from changed. */
static void make_order(struct tt_ui *ui)
{
	struct tt_threadview *v = &ui->tv;
	int list = list_of(ui), n;
	bool key_only;

	if (!v->pane) {
		v->norder = 0;
		return;
	}
	if (!order_stale(ui, list))
		return;
	key_only = v->made.pane == v->pane && v->made.gen == v->gen;
	if (v->filter[0] && (!key_only || strcmp(v->made.filter, v->filter)))
		match_names(ui, v->filter);
	v->made.pane = v->pane;
	v->made.gen = v->gen;
	v->made.list = list;
	v->made.sort = v->sort[list] >= 0 && v->sort[list] < S_NR ? v->sort[list] : S_ID;
	v->made.rev = v->rev[list];
	snprintf(v->made.filter, sizeof(v->made.filter), "%s", v->filter);
	n = nrows(v->pane, list);
	v->norder = 0;
	for (int i = 0; i < n; i++)
		if (!v->filter[0] || (list == TT_TP_GOROUTINES
		                          ? goroutine_matches(ui, &v->pane->gs[i], v->filter)
		                          : thread_matches(ui, &v->pane->threads[i], v->filter)))
			v->order[v->norder++] = i;
	qsort_r(v->order, (size_t)v->norder, sizeof(v->order[0]), row_cmp, ui);
	follow_cursor(ui, list);
}

bool tt_threads_cursor(struct tt_ui *ui, const struct tt_pane_thread **t,
                       const struct tt_pane_goroutine **g)
{
	struct tt_threadview *v = &ui->tv;
	int list;

	*t = NULL;
	*g = NULL;
	make_order(ui);
	list = list_of(ui);
	if (!v->pane || !v->norder)
		return false;
	if (list == TT_TP_GOROUTINES)
		*g = &v->pane->gs[v->order[v->sel[list]]];
	else
		*t = &v->pane->threads[v->order[v->sel[list]]];
	return true;
}

/* --- drawing ------------------------------------------------------------------ */

/* Columns, not bytes: "≥" is one column in three bytes. */
static int text_cols(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void cell(WINDOW *w, int y, int x, int wd, const char *s, bool right, unsigned long a)
{
	int n = text_cols(s);

	tt_draw_text(w, y, right && n < wd ? x + wd - n : x, wd, s, a);
}

/* A time; "≥" when it is a lower bound (the row was seen so since the pane opened). */
static void since_str(const struct tt_ui *ui, uint64_t ns, bool exact, char *s, size_t len)
{
	char t[16];

	if (!ns) {
		snprintf(s, len, "-");
		return;
	}
	tt_fmt_ns(ns, t, sizeof(t));
	snprintf(s, len, "%s%s", exact ? "" : ui->utf8 ? "\xe2\x89\xa5" : ">=", t);
}

/* "func  file:line" of a frame, the file by its base name. */
static void frame_str(const struct tt_pane *p, const struct tt_pane_frame *f, char *s, size_t len)
{
	const struct tt_pane_name *n = tt_pane_frame_name(p, f);
	char fn[TT_FUNC_LEN], file[TT_FILE_LEN];
	const char *base;

	if (!n) {
		snprintf(s, len, "0x%llx", (unsigned long long)f->addr);
		return;
	}
	tt_fmt_sanitize(n->func, sizeof(n->func), fn, sizeof(fn));
	tt_fmt_sanitize(n->file, sizeof(n->file), file, sizeof(file));
	base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	if (file[0] && n->line > 0)
		snprintf(s, len, "%s  %s:%d", fn[0] ? fn : "?", base, n->line);
	else
		snprintf(s, len, "%s", fn[0] ? fn : "?");
}

static void top_str(const struct tt_pane *p, const struct tt_pane_stack *st, int top, char *s,
                    size_t len)
{
	int n = st->n > TT_PANE_DEPTH ? TT_PANE_DEPTH : st->n;

	if (n <= 0)
		snprintf(s, len, "%s", st->flags & TT_PSTK_NONE ? "(no saved stack)" : "-");
	else
		frame_str(p, &st->f[top >= 0 && top < n ? top : 0], s, len);
}

static void thread_cell(const struct tt_ui *ui, const struct tt_pane_thread *t, int c, char *s,
                        size_t len)
{
	switch (c) {
	case T_TID:
		snprintf(s, len, "%u", t->tid);
		break;
	case T_STATE:
		snprintf(s, len, "%s", state_word(t->state));
		break;
	case T_ON:
		tt_fmt_sanitize(t->blocked_on, sizeof(t->blocked_on), s, len);
		if (!s[0])
			snprintf(s, len, "-");
		break;
	case T_SINCE:
		since_str(ui, t->since_ns, t->since_exact, s, len);
		break;
	case T_SYSCALL:
		syscall_str(t->syscall, s, len);
		break;
	case T_GOID:
		if (t->goid >= 0)
			snprintf(s, len, "%lld", (long long)t->goid);
		else
			snprintf(s, len, "-");
		break;
	case T_TOP:
		top_str(ui->tv.pane, &t->ustack, 0, s, len);
		break;
	}
}

static void goroutine_cell(const struct tt_ui *ui, const struct tt_pane_goroutine *g, int c,
                           char *s, size_t len)
{
	switch (c) {
	case G_GOID:
		snprintf(s, len, "%lld", (long long)g->goid);
		break;
	case G_STATUS:
		tt_fmt_sanitize(g->status_word, sizeof(g->status_word), s, len);
		break;
	case G_REASON:
		tt_fmt_sanitize(g->wait_reason, sizeof(g->wait_reason), s, len);
		if (!s[0])
			snprintf(s, len, "-");
		break;
	case G_WAITED:
		since_str(ui, g->wait_ns, g->wait_exact, s, len);
		break;
	case G_THREAD:
		if (g->thread)
			snprintf(s, len, "%u", g->thread);
		else
			snprintf(s, len, "-");
		break;
	case G_TOP:
		top_str(ui->tv.pane, &g->stack, g->top, s, len);
		break;
	}
}

/* The list's columns for a pane wd wide: shared by drawing and clicks. */
struct cols {
	int n;
	const char *const *head;
	const int *sort;
	const bool *right;
	int w[T_NR];
	bool shown[T_NR];
};

static void columns(int list, int wd, struct cols *c)
{
	const int *w = list == TT_TP_GOROUTINES ? g_w : t_w;
	int used;

	c->n = list == TT_TP_GOROUTINES ? G_NR : T_NR;
	c->head = list == TT_TP_GOROUTINES ? g_head : t_head;
	c->sort = list == TT_TP_GOROUTINES ? g_sort : t_sort;
	c->right = list == TT_TP_GOROUTINES ? g_right : t_right;
	memcpy(c->w, w, sizeof(int) * (size_t)c->n);
	used = tt_fmt_fit_columns(c->w, list == TT_TP_GOROUTINES ? g_prio : t_prio, c->n, wd - 2,
	                          c->shown);
	if (c->shown[c->n - 1] && used < wd - 2) /* the top frame takes what is left */
		c->w[c->n - 1] += wd - 2 - used;
}

static void draw_title(struct tt_ui *ui, WINDOW *w, int h, int wd)
{
	const struct tt_threadview *v = &ui->tv;
	int list = list_of(ui);
	char title[200], f[TT_FILTER_LEN];

	snprintf(title, sizeof(title), "%s of pid %u (%d) sorted by %s%s%s%s%s",
	         list == TT_TP_GOROUTINES ? "Goroutines" : "Threads", v->want_pid, v->norder,
	         sort_names[list][v->made.sort], v->rev[list] ? " (reversed)" : "",
	         v->filter[0] ? " filter /" : "",
	         v->filter[0] ? tt_fmt_sanitize(v->filter, sizeof(v->filter), f, sizeof(f)) : "",
	         v->filter[0] ? "/" : "");
	tt_draw_frame(ui, w, h, wd, title, ui->focus == TT_PANE_LOG);
}

/* pid, comm, Go version, counts, when read and what it cost; "process gone" first. */
static void draw_header(struct tt_ui *ui, WINDOW *w, int wd)
{
	const struct tt_pane *p = ui->tv.pane;
	const char *dot = ui->utf8 ? " \xc2\xb7 " : " - ";
	char line[400], comm[TT_COMM_LEN], ver[32], at[16], cost[16], counts[64], go[160] = "";
	int x;

	tt_fmt_sanitize(p->comm, sizeof(p->comm), comm, sizeof(comm));
	tt_fmt_sanitize(p->go_version, sizeof(p->go_version), ver, sizeof(ver));
	tt_fmt_clock(p->read_ns, at, sizeof(at));
	at[8] = '\0'; /* HH:MM:SS */
	tt_fmt_ns(p->read_cost_ns, cost, sizeof(cost));
	if (p->threads_total > p->nthreads)
		snprintf(counts, sizeof(counts), "%d of %d threads", p->nthreads, p->threads_total);
	else
		snprintf(counts, sizeof(counts), "%d thread%s", p->nthreads,
		         p->nthreads == 1 ? "" : "s");
	if (p->is_go && p->why_no_goroutines[0]) {
		char why[TT_PANE_WHY_LEN];

		snprintf(go, sizeof(go), "%sgoroutines not read: %s", dot,
		         tt_fmt_sanitize(p->why_no_goroutines, sizeof(p->why_no_goroutines), why,
		                         sizeof(why)));
	} else if (p->is_go && p->ngoroutines != p->goroutines_total) {
		snprintf(go, sizeof(go), " / %d goroutines (of %d)", p->ngoroutines,
		         p->goroutines_total);
	} else if (p->is_go) {
		snprintf(go, sizeof(go), " / %d goroutines", p->ngoroutines);
	}
	snprintf(line, sizeof(line), "pid %u %s%s%s%s%s%s%sread at %s%scost %s", p->pid, comm,
	         p->is_go ? dot : "", p->is_go ? (ver[0] ? ver : "Go") : "", dot, counts, go, dot,
	         at, dot, cost);
	x = 2;
	if (p->gone)
		x += tt_draw_text(w, 1, x, wd - 2 - x, "process gone  ",
		                  tt_theme_attr(TT_EL_STATUS_ERROR));
	tt_draw_text(w, 1, x, wd - 2 - x, line, tt_theme_attr(TT_EL_ROW));
}

static void draw_heading(struct tt_ui *ui, WINDOW *w, int wd, const struct cols *c)
{
	tt_draw_fill(w, 2, 1, wd - 2, tt_theme_attr(TT_EL_TABLE_HEAD));
	for (int i = 0, x = 1; i < c->n; i++) {
		if (!c->shown[i])
			continue;
		cell(w, 2, x, c->w[i], c->head[i], c->right[i],
		     tt_theme_attr(TT_EL_TABLE_HEAD) |
		         (c->sort[i] == ui->tv.made.sort && c->sort[i] >= 0 ? A_BOLD | A_UNDERLINE
		                                                            : 0));
		x += c->w[i] + 1;
	}
}

static unsigned long row_attr(const struct tt_ui *ui, int k, bool notable)
{
	int list = list_of(ui);
	bool sel = k == ui->tv.sel[list];
	unsigned long a;

	a = tt_theme_attr(sel && ui->focus == TT_PANE_LOG ? TT_EL_ROW_SELECTED
	                  : notable                       ? TT_EL_LOG_SLOW
	                                                  : TT_EL_ROW);
	/* the row whose stack is shown stays marked when the stack has the focus */
	if (sel && ui->focus != TT_PANE_LOG)
		a |= A_UNDERLINE;
	return a;
}

static void draw_row(struct tt_ui *ui, WINDOW *w, int y, int wd, int k, const struct cols *c)
{
	const struct tt_pane *p = ui->tv.pane;
	int list = list_of(ui), i = ui->tv.order[k];
	/* asleep uninterruptibly, or a stack that moved while read: worth a look */
	bool notable = list == TT_TP_GOROUTINES ? (p->gs[i].stack.flags & TT_PSTK_CHANGED) != 0
	                                        : p->threads[i].state == 'D';
	unsigned long a = row_attr(ui, k, notable);

	tt_draw_fill(w, y, 1, wd - 2, a);
	for (int col = 0, x = 1; col < c->n; col++) {
		char s[TT_FUNC_LEN + TT_FILE_LEN + 32];

		if (!c->shown[col])
			continue;
		if (list == TT_TP_GOROUTINES)
			goroutine_cell(ui, &p->gs[i], col, s, sizeof(s));
		else
			thread_cell(ui, &p->threads[i], col, s, sizeof(s));
		cell(w, y, x, c->w[col], s, c->right[col], a);
		x += c->w[col] + 1;
	}
}

static void threads_draw(struct tt_ui *ui, WINDOW *w, int h, int wd)
{
	struct tt_threadview *v = &ui->tv;
	int list, rows;
	struct cols c;

	make_order(ui);
	list = list_of(ui);
	draw_title(ui, w, h, wd);
	if (h < 3 || wd < 10)
		return;
	if (!v->pane) {
		tt_draw_text(w, 1, 2, wd - 4, v->why[0] ? v->why : "reading...",
		             tt_theme_attr(TT_EL_DIM));
		return;
	}
	draw_header(ui, w, wd);
	if (h < CHROME + 1)
		return;
	columns(list, wd, &c);
	draw_heading(ui, w, wd, &c);
	rows = h - CHROME;
	v->top[list] = tt_listnav_top(v->top[list], v->sel[list], v->norder, rows);
	tt_draw_frame_position(w, h, wd, v->top[list], rows, v->norder);
	if (!v->norder)
		tt_draw_text(w, ROW0, 2, wd - 4,
		             v->filter[0] ? "no rows match the filter (Esc clears)" : "no rows",
		             tt_theme_attr(TT_EL_DIM));
	for (int i = 0; i < rows && v->top[list] + i < v->norder; i++)
		draw_row(ui, w, ROW0 + i, wd, v->top[list] + i, &c);
}

/* --- keys ---------------------------------------------------------------------- */

int tt_threads_open(struct tt_ui *ui, uint32_t pid)
{
	struct tt_threadview *v = &ui->tv;

	if (!pid) {
		v->open = false;
		v->want_pid = 0;
		v->pane = NULL;
		v->made.pane = NULL;
		if (ui->focus == TT_PANE_STACK)
			ui->focus = TT_PANE_LOG;
		tt_ui_status(ui, false, "goroutine/thread pane closed");
		return TT_HANDLED | TT_REDRAW | TT_RELAYOUT;
	}
	if (!v->open || v->want_pid != pid) {
		v->pane = NULL;
		v->made.pane = NULL;
		v->list = TT_TP_GOROUTINES; /* threads when it is no Go program */
		memset(v->sel, 0, sizeof(v->sel));
		memset(v->top, 0, sizeof(v->top));
		memset(v->sel_valid, 0, sizeof(v->sel_valid));
		v->filter[0] = '\0';
		v->stack_top = 0;
		snprintf(v->why, sizeof(v->why), "reading pid %u...", pid);
	}
	v->want_pid = pid;
	v->open = true;
	if (ui->replay) { /* what the snapshot kept: nothing reads it again */
		v->pane = tt_model_pane(ui->m, pid);
		v->gen++;
		snprintf(v->why, sizeof(v->why), "no pane of pid %u in this snapshot", pid);
	}
	ui->focus = TT_PANE_LOG;
	tt_ui_status(
	    ui, false,
	    "pid %u: Left/Right threads/goroutines, </> sort, / filter, Enter stack, Esc back",
	    pid);
	return TT_HANDLED | TT_REDRAW | TT_RELAYOUT;
}

uint32_t tt_threads_selected_pid(struct tt_ui *ui)
{
	const struct tt_model_event *ev;
	const struct tt_terminal *t;

	if (ui->focus == TT_PANE_LOG && !ui->tv.open) {
		tt_eventlog_update(ui);
		ev = ui->nvis ? tt_eventlog_by_seq(ui, ui->vis[ui->log_sel]) : NULL;
		return ev ? ev->pid : 0;
	}
	if (ui->focus == TT_PANE_STACK && !ui->tv.open)
		return ui->stack_valid && ui->stack_ev ? ui->stack_ev->pid : 0;
	t = tt_terminals_selected(ui);
	return t && t->nwriters > 0 ? t->writers[0].pid : 0;
}

static int switch_list(struct tt_ui *ui)
{
	const struct tt_pane *p = ui->tv.pane;

	if (!p || !p->is_go || !p->gs || (p->why_no_goroutines[0] && !p->ngoroutines)) {
		tt_ui_status(ui, false, "%s: threads only",
		             p && p->is_go ? "goroutines not read" : "not a Go program");
		return TT_HANDLED | TT_REDRAW;
	}
	ui->tv.list = ui->tv.list == TT_TP_GOROUTINES ? TT_TP_THREADS : TT_TP_GOROUTINES;
	return TT_HANDLED | TT_REDRAW;
}

static int sort_step(struct tt_ui *ui, int dir)
{
	int list = list_of(ui);

	ui->tv.sort[list] = (ui->tv.sort[list] + dir + S_NR) % S_NR;
	tt_ui_status(ui, false, "%s sorted by %s",
	             list == TT_TP_GOROUTINES ? "goroutines" : "threads",
	             sort_names[list][ui->tv.sort[list]]);
	return TT_HANDLED | TT_REDRAW;
}

/* The cursor moved to sel: it follows that row now, and its stack starts at the top. */
static void picked(struct tt_ui *ui, int list)
{
	struct tt_threadview *v = &ui->tv;

	if (!v->norder)
		return;
	v->sel_id[list] = row_id(v->pane, list, v->order[v->sel[list]]);
	v->sel_valid[list] = true;
	v->stack_top = 0;
}

static int threads_key(struct tt_ui *ui, int ch)
{
	struct tt_threadview *v = &ui->tv;
	int list, ret;

	make_order(ui);
	list = list_of(ui);
	switch (ch) {
	case 'q':
		return tt_threads_open(ui, 0);
	case 27: /* Esc: the filter first, then the pane */
		if (!v->filter[0])
			return tt_threads_open(ui, 0);
		v->filter[0] = '\0';
		tt_ui_status(ui, false, "pane filter cleared");
		return TT_HANDLED | TT_REDRAW;
	case '\n':
	case '\r':
	case KEY_ENTER:
		ui->focus = TT_PANE_STACK;
		v->stack_top = 0;
		return TT_HANDLED | TT_REDRAW;
	case KEY_LEFT:
	case KEY_RIGHT:
	case 'h':
	case 'l':
		return switch_list(ui);
	case '<':
	case '>':
	case KEY_F(6):
		return sort_step(ui, ch == '<' ? -1 : 1);
	case 'r':
		v->rev[list] = !v->rev[list];
		return TT_HANDLED | TT_REDRAW;
	case '/':
	case KEY_F(3):
		tt_prompt_start(ui, TT_PROMPT_PANE_FILTER);
		return TT_HANDLED | TT_REDRAW;
	}
	ret =
	    tt_listnav_key(ch, &v->sel[list], v->norder, tt_listnav_page(ui, TT_PANE_LOG, CHROME));
	if (ret)
		picked(ui, list);
	return ret;
}

static int threads_mouse(struct tt_ui *ui, int y, int x, unsigned long bstate)
{
	struct tt_threadview *v = &ui->tv;
	int list, r, col;
	struct cols c;

	(void)bstate;
	make_order(ui);
	list = list_of(ui);
	if (y == ROW0 - 1) { /* a heading sorts by it; again reverses */
		columns(list, ui->lay.r[TT_PANE_LOG].w, &c);
		col = tt_fmt_column_at(c.w, c.shown, c.n, x - 1);
		if (col < 0 || c.sort[col] < 0)
			return TT_HANDLED | TT_REDRAW;
		v->rev[list] = v->sort[list] == c.sort[col] && !v->rev[list];
		v->sort[list] = c.sort[col];
		return TT_HANDLED | TT_REDRAW;
	}
	r = tt_listnav_row_at(v->top[list], v->norder, y - ROW0);
	if (r >= 0) {
		v->sel[list] = r;
		picked(ui, list);
	}
	return TT_HANDLED | TT_REDRAW;
}

const struct tt_pane_ops tt_threads_pane = {
    .name = "threads",
    .draw = threads_draw,
    .key = threads_key,
    .mouse = threads_mouse,
};
