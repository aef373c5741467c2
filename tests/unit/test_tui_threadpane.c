/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The goroutine/thread pane (tui/threadpane.c, tui/threadstack.c) over a
 * pane filled by hand, drawn off-screen and read back: rows and the header
 * line, the sort keys, the filter (through the prompt), the cursor that
 * follows its goroutine across reads, the stack of the selected row with
 * its frames named and its flags said, the key that opens it, and narrow
 * or hostile panes that must not crash.
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

static struct tt_model m;
static struct tt_opts opts;
static struct tt_source src;
static struct tt_ui *ui;
static struct tt_pane pane;

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
	tt_pane_free(&pane);
	tt_model_free(&m);
	free(ui);
	return 0;
}

static uint32_t name(const char *func, const char *file, int line, const char *module)
{
	struct tt_pane_name n;

	memset(&n, 0, sizeof(n));
	snprintf(n.func, sizeof(n.func), "%s", func);
	snprintf(n.file, sizeof(n.file), "%s", file);
	snprintf(n.module, sizeof(n.module), "%s", module);
	n.line = line;
	return tt_pane_intern(&pane, &n);
}

static void frame(struct tt_pane_stack *s, uint64_t addr, uint32_t nm, bool kernel)
{
	struct tt_pane_frame *f = &s->f[s->n++];

	f->addr = addr;
	f->name = nm;
	f->flags = kernel ? TT_PSTK_KERNEL : 0;
}

static struct tt_pane_goroutine *gor(int64_t goid, const char *status, const char *why,
                                     uint64_t wait_ns, bool exact, uint32_t thread)
{
	struct tt_pane_goroutine *g = &pane.gs[pane.ngoroutines++];

	memset(g, 0, sizeof(*g));
	g->goid = goid;
	snprintf(g->status_word, sizeof(g->status_word), "%s", status);
	snprintf(g->wait_reason, sizeof(g->wait_reason), "%s", why);
	g->wait_ns = wait_ns;
	g->wait_exact = exact;
	g->thread = thread;
	g->read_ns = 1700000000ull * 1000000000ull;
	return g;
}

static struct tt_pane_thread *thr(uint32_t tid, char state, const char *on, int32_t sc,
                                  uint64_t since, int64_t goid)
{
	struct tt_pane_thread *t = &pane.threads[pane.nthreads++];

	memset(t, 0, sizeof(*t));
	t->tid = tid;
	snprintf(t->comm, sizeof(t->comm), "marquee");
	t->state = state;
	snprintf(t->blocked_on, sizeof(t->blocked_on), "%s", on);
	t->syscall = sc;
	t->since_ns = since;
	t->goid = goid;
	t->read_ns = 1700000000ull * 1000000000ull;
	return t;
}

/*
 * marquee/4242: main parked on a channel, two tickers asleep, one running
 * goroutine without a saved stack, one whose stack moved while read; three
 * threads, one in a futex, one in epoll, one running goroutine 18.
 */
static void fill(void)
{
	uint32_t gopark, chanrecv, mainmain, sleep, tick, loop, writer, futex, epoll, ksched;
	struct tt_pane_goroutine *g;
	struct tt_pane_thread *t;

	tt_pane_free(&pane);
	assert_int_equal(tt_pane_alloc(&pane, true), 0);
	pane.pid = 4242;
	snprintf(pane.comm, sizeof(pane.comm), "marquee");
	pane.is_go = true;
	snprintf(pane.go_version, sizeof(pane.go_version), "go1.23.4");
	pane.read_ns = 1700000000ull * 1000000000ull;
	pane.read_cost_ns = 1200000;
	gopark = name("runtime.gopark", "/usr/lib/go/src/runtime/proc.go", 425, "marquee");
	chanrecv = name("runtime.chanrecv1", "/usr/lib/go/src/runtime/chan.go", 489, "marquee");
	mainmain = name("main.main", "/src/marquee/main.go", 250, "marquee");
	sleep = name("time.Sleep", "/usr/lib/go/src/runtime/time.go", 300, "marquee");
	tick = name("main.tick", "/src/marquee/main.go", 52, "marquee");
	loop = name("main.writerLoop", "/src/marquee/main.go", 170, "marquee");
	writer = name("main.(*logger).flush", "/src/marquee/log.go", 33, "marquee");
	futex = name("futex_wait_queue", "", 0, "kernel");
	epoll = name("do_epoll_wait", "", 0, "kernel");
	ksched = name("schedule", "", 0, "kernel");

	g = gor(1, "waiting", "chan receive", 5000000000ull, true, 0);
	frame(&g->stack, 0x43a000, gopark, false);
	frame(&g->stack, 0x405000, chanrecv, false);
	frame(&g->stack, 0x49a000, mainmain, false);
	g->top = 2;
	g = gor(18, "waiting", "sleep", 40000000ull, false, 0);
	frame(&g->stack, 0x43a000, gopark, false);
	frame(&g->stack, 0x46c000, sleep, false);
	frame(&g->stack, 0x499000, tick, false);
	frame(&g->stack, 0x499800, loop, false);
	g->top = 2;
	g = gor(19, "running", "", 0, false, 4251);
	g->stack.flags = TT_PSTK_NONE;
	g->top = -1;
	g = gor(7, "waiting", "sync.Mutex.Lock", 900000000ull, false, 0);
	frame(&g->stack, 0x43a000, gopark, false);
	frame(&g->stack, 0x49b000, writer, false);
	g->stack.flags = TT_PSTK_CHANGED;
	g->top = 1;
	g = gor(20, "waiting", "sleep", 2000000000ull, true, 0);
	frame(&g->stack, 0x43a000, gopark, false);
	frame(&g->stack, 0x46c000, sleep, false);
	frame(&g->stack, 0x499000, tick, false);
	g->stack.flags = TT_PSTK_TRUNCATED;
	g->top = 2;
	pane.goroutines_total = pane.ngoroutines;

	t = thr(4242, 'S', "futex_wait_queue", 202, 3000000000ull, -1);
	frame(&t->kstack, 0, futex, true);
	frame(&t->kstack, 0, ksched, true);
	frame(&t->ustack, 0x46e000, UINT32_MAX, false); /* an address no table names */
	t = thr(4250, 'S', "do_epoll_wait", 232, 1500000000ull, -1);
	frame(&t->kstack, 0, epoll, true);
	frame(&t->ustack, 0x43a000, gopark, false);
	t = thr(4251, 'R', "", -1, 0, 19);
	t->ustack.flags = TT_PSTK_NONE;
	pane.threads_total = pane.nthreads;
}

static void fresh(void)
{
	free(ui);
	tt_model_free(&m);
	assert_int_equal(tt_model_init(&m), 0);
	ui = calloc(1, sizeof(*ui));
	assert_non_null(ui);
	ui->m = &m;
	ui->o = &opts;
	ui->src = &src;
	ui->utf8 = false;
	ui->sort = TT_SORT_WPS;
	ui->focus = TT_PANE_TERMINALS;
	tt_layout_compute_for(40, 120, true, &ui->lay);
	fill();
	assert_int_equal(tt_threads_open(ui, 4242) & TT_RELAYOUT, TT_RELAYOUT);
	ui->tv.pane = &pane;
	ui->tv.gen = 1;
}

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

/* The first number on each list row (the id), top to bottom. */
static int ids(WINDOW *w, int h, long *out, int max)
{
	int n = 0;

	for (int y = 3; y < h - 1 && n < max; y++) {
		char *r = row(w, y);
		long v;

		if (sscanf(r + 1, "%ld", &v) == 1)
			out[n++] = v;
	}
	return n;
}

static bool screen_has(WINDOW *w, int h, const char *s)
{
	for (int y = 0; y < h; y++)
		if (strstr(row(w, y), s))
			return true;
	return false;
}

static void test_rows_and_header(void **state)
{
	long id[8];
	WINDOW *w;

	(void)state;
	fresh();
	w = draw(&tt_threads_pane, 14, 120);
	assert_non_null(strstr(row(w, 0), "Goroutines of pid 4242 (5) sorted by goid"));
	assert_non_null(
	    strstr(row(w, 1), "pid 4242 marquee - go1.23.4 - 3 threads / 5 goroutines"));
	assert_non_null(strstr(row(w, 1), "cost 1.20ms"));
	assert_non_null(strstr(row(w, 1), "read at "));
	assert_non_null(strstr(row(w, 2), "GOID STATUS"));
	assert_int_equal(ids(w, 14, id, 8), 5);
	assert_int_equal(id[0], 1);
	/* exact waits plain, lower bounds with >=; the own top frame with its line */
	assert_non_null(strstr(row(w, 3), "waiting   chan receive"));
	assert_non_null(strstr(row(w, 3), "5.00s"));
	assert_null(strstr(row(w, 3), ">=5.00s"));
	assert_non_null(strstr(row(w, 3), "main.main  main.go:250"));
	assert_non_null(strstr(row(w, 4), ">=900ms"));
	assert_non_null(strstr(row(w, 4), "main.(*logger).flush  log.go:33"));
	assert_non_null(strstr(row(w, 5), "main.tick  main.go:52"));
	assert_non_null(strstr(row(w, 6), "running"));
	assert_non_null(strstr(row(w, 6), "4251"));
	assert_non_null(strstr(row(w, 6), "(no saved stack)"));
	/* without colour the theme's attributes: the cursor reversed, a torn stack bold */
	assert_true(mvwinch(w, 3, 5) & A_REVERSE);
	assert_false(mvwinch(w, 5, 5) & A_REVERSE);
	assert_true(mvwinch(w, 4, 5) & A_BOLD);
	assert_false(mvwinch(w, 5, 5) & A_BOLD);
	delwin(w);

	/* the other list: threads with their state, wchan, syscall and goroutine */
	assert_int_equal(tt_threads_pane.key(ui, KEY_RIGHT), TT_HANDLED | TT_REDRAW);
	w = draw(&tt_threads_pane, 14, 120);
	assert_non_null(strstr(row(w, 0), "Threads of pid 4242 (3) sorted by tid"));
	assert_non_null(strstr(row(w, 2), "TID STATE   BLOCKED ON"));
	assert_non_null(strstr(row(w, 3), "4242 S sleep futex_wait_queue"));
	assert_non_null(strstr(row(w, 3), ">=3.00s"));
	assert_non_null(strstr(row(w, 3), "0x46e000")); /* unnamed: its address */
	assert_non_null(strstr(row(w, 4), "do_epoll_wait"));
	assert_non_null(strstr(row(w, 4), "runtime.gopark  proc.go:425"));
	assert_non_null(strstr(row(w, 5), "4251 R run"));
	assert_non_null(strstr(row(w, 5), "19"));
#ifdef __x86_64__
	assert_non_null(strstr(row(w, 3), "futex"));
	assert_non_null(strstr(row(w, 4), "epoll_wait"));
#endif
	delwin(w);

	/* a process that is gone keeps its rows and says so first */
	pane.gone = true;
	ui->tv.gen++;
	w = draw(&tt_threads_pane, 14, 120);
	assert_non_null(strstr(row(w, 1), "process gone  pid 4242"));
	delwin(w);
	/* Go, but the goroutines could not be read: its threads, and why */
	pane.gone = false;
	pane.ngoroutines = 0;
	snprintf(pane.why_no_goroutines, sizeof(pane.why_no_goroutines), "no runtime.allgs");
	ui->tv.list = TT_TP_GOROUTINES;
	ui->tv.gen++;
	w = draw(&tt_threads_pane, 14, 120);
	assert_non_null(strstr(row(w, 0), "Threads of pid 4242 (3)"));
	assert_non_null(strstr(row(w, 1), "3 threads - goroutines not read: no runtime.allgs"));
	delwin(w);
	tt_threads_pane.key(ui, KEY_RIGHT);
	assert_string_equal(ui->status, "goroutines not read: threads only");
	/* no read yet: why */
	ui->tv.pane = NULL;
	w = draw(&tt_threads_pane, 14, 120);
	assert_non_null(strstr(row(w, 1), "reading pid 4242..."));
	delwin(w);
}

static void test_sort_keys(void **state)
{
	long id[8];
	WINDOW *w;

	(void)state;
	fresh();
	/* > : by status (running first, then the waiting ones by goid) */
	tt_threads_pane.key(ui, '>');
	w = draw(&tt_threads_pane, 14, 120);
	assert_non_null(strstr(row(w, 0), "sorted by status"));
	assert_int_equal(ids(w, 14, id, 8), 5);
	assert_int_equal(id[0], 19);
	assert_int_equal(id[1], 1);
	delwin(w);
	/* > : by waited, longest first */
	tt_threads_pane.key(ui, '>');
	w = draw(&tt_threads_pane, 14, 120);
	assert_non_null(strstr(row(w, 0), "sorted by waited"));
	ids(w, 14, id, 8);
	assert_int_equal(id[0], 1);
	assert_int_equal(id[1], 20);
	assert_int_equal(id[2], 7);
	assert_int_equal(id[3], 18);
	assert_int_equal(id[4], 19);
	delwin(w);
	/* r reverses */
	tt_threads_pane.key(ui, 'r');
	w = draw(&tt_threads_pane, 14, 120);
	assert_non_null(strstr(row(w, 0), "(reversed)"));
	ids(w, 14, id, 8);
	assert_int_equal(id[0], 19);
	assert_int_equal(id[4], 1);
	delwin(w);
	/* by id reversed: the largest goid first */
	tt_threads_pane.key(ui, '<');
	tt_threads_pane.key(ui, '<');
	w = draw(&tt_threads_pane, 14, 120);
	ids(w, 14, id, 8);
	assert_int_equal(id[0], 20);
	assert_int_equal(id[4], 1);
	delwin(w);
	/* the threads keep their own order: by since after two steps */
	tt_threads_pane.key(ui, 'l');
	tt_threads_pane.key(ui, KEY_F(6));
	tt_threads_pane.key(ui, KEY_F(6));
	w = draw(&tt_threads_pane, 14, 120);
	assert_non_null(strstr(row(w, 0), "Threads of pid 4242 (3) sorted by since"));
	ids(w, 14, id, 8);
	assert_int_equal(id[0], 4242);
	assert_int_equal(id[1], 4250);
	assert_int_equal(id[2], 4251);
	delwin(w);
	/* a click on a heading sorts by it */
	tt_threads_pane.mouse(ui, 2, 2, 0); /* TID */
	w = draw(&tt_threads_pane, 14, 120);
	assert_non_null(strstr(row(w, 0), "sorted by tid"));
	delwin(w);
}

static void test_filter_narrows(void **state)
{
	long id[8];
	WINDOW *w;

	(void)state;
	fresh();
	snprintf(ui->filter, sizeof(ui->filter), "pts/3"); /* the log's: left alone */
	assert_int_equal(tt_threads_pane.key(ui, '/'), TT_HANDLED | TT_REDRAW);
	assert_int_equal(ui->prompt, TT_PROMPT_PANE_FILTER);
	tt_prompt_key(ui, 't');
	tt_prompt_key(ui, 'i');
	tt_prompt_key(ui, 'c');
	tt_prompt_key(ui, 'k');
	assert_string_equal(ui->tv.filter, "tick");
	assert_string_equal(ui->filter, "pts/3");
	/* any frame's function: both tickers, not the others */
	w = draw(&tt_threads_pane, 14, 120);
	assert_int_equal(ids(w, 14, id, 8), 2);
	assert_int_equal(id[0], 18);
	assert_int_equal(id[1], 20);
	assert_non_null(strstr(row(w, 0), "(2)"));
	assert_non_null(strstr(row(w, 0), "filter /tick/"));
	delwin(w);
	tt_prompt_key(ui, '\n');
	assert_int_equal(ui->prompt, TT_PROMPT_NONE);
	assert_string_equal(ui->status, "pane filter: tick (Esc clears)");
	/* a wait reason; g<goid> */
	snprintf(ui->tv.filter, sizeof(ui->tv.filter), "mutex");
	w = draw(&tt_threads_pane, 14, 120);
	assert_int_equal(ids(w, 14, id, 8), 1);
	assert_int_equal(id[0], 7);
	delwin(w);
	snprintf(ui->tv.filter, sizeof(ui->tv.filter), "g19");
	w = draw(&tt_threads_pane, 14, 120);
	assert_int_equal(ids(w, 14, id, 8), 1);
	assert_int_equal(id[0], 19);
	delwin(w);
	/* nothing: says so; Esc clears the filter and leaves the pane open */
	snprintf(ui->tv.filter, sizeof(ui->tv.filter), "nosuchthing");
	w = draw(&tt_threads_pane, 14, 120);
	assert_int_equal(ids(w, 14, id, 8), 0);
	assert_non_null(strstr(row(w, 3), "no rows match the filter"));
	delwin(w);
	tt_threads_pane.key(ui, 27);
	assert_string_equal(ui->tv.filter, "");
	assert_true(ui->tv.open);
	/* threads by wchan and by a kernel frame */
	tt_threads_pane.key(ui, KEY_LEFT);
	snprintf(ui->tv.filter, sizeof(ui->tv.filter), "epoll");
	w = draw(&tt_threads_pane, 14, 120);
	assert_int_equal(ids(w, 14, id, 8), 1);
	assert_int_equal(id[0], 4250);
	delwin(w);
	snprintf(ui->tv.filter, sizeof(ui->tv.filter), "schedule");
	w = draw(&tt_threads_pane, 14, 120);
	assert_int_equal(ids(w, 14, id, 8), 1);
	assert_int_equal(id[0], 4242);
	delwin(w);
	/* Esc in the prompt undoes what was typed */
	tt_threads_pane.key(ui, '/');
	tt_prompt_key(ui, 'x');
	tt_prompt_key(ui, 27);
	assert_string_equal(ui->tv.filter, "schedule");
}

static void test_stack_of_selection(void **state)
{
	WINDOW *w;

	(void)state;
	fresh();
	/* goroutine 18: its words, its frames named, the own frame among them */
	tt_threads_pane.key(ui, KEY_DOWN);
	tt_threads_pane.key(ui, KEY_DOWN); /* 1, 7, 18 */
	assert_int_equal(tt_threads_pane.key(ui, '\n'), TT_HANDLED | TT_REDRAW);
	assert_int_equal(ui->focus, TT_PANE_STACK);
	w = draw(&tt_threads_stack_pane, 16, 72);
	assert_non_null(strstr(row(w, 0), "goroutine 18 - marquee/4242"));
	assert_non_null(strstr(row(w, 1), "waiting: sleep for >=40.0ms"));
	assert_non_null(strstr(row(w, 2), "read at "));
	assert_non_null(strstr(row(w, 3), " goroutine "));
	assert_non_null(strstr(row(w, 4), "runtime.gopark  proc.go:425  [marquee]"));
	assert_non_null(strstr(row(w, 5), "time.Sleep"));
	assert_non_null(strstr(row(w, 6), "main.tick  main.go:52  [marquee]"));
	assert_non_null(strstr(row(w, 7), "main.writerLoop"));
	assert_false(screen_has(w, 16, "(changed while read"));
	assert_false(screen_has(w, 16, "(truncated)"));
	delwin(w);
	/* Esc goes back to the list, the cursor where it was */
	tt_threads_stack_pane.key(ui, 27);
	assert_int_equal(ui->focus, TT_PANE_LOG);
	/* goroutine 7 moved while read: said after the frames it had */
	tt_threads_pane.key(ui, KEY_UP);
	w = draw(&tt_threads_stack_pane, 16, 72);
	assert_non_null(strstr(row(w, 0), "goroutine 7"));
	assert_non_null(strstr(row(w, 5), "main.(*logger).flush  log.go:33"));
	assert_non_null(strstr(row(w, 6), "(changed while read: frames below not shown)"));
	delwin(w);
	/* 19 runs: no saved stack, and the kernel side of its thread is empty */
	tt_threads_pane.key(ui, KEY_DOWN);
	tt_threads_pane.key(ui, KEY_DOWN);
	w = draw(&tt_threads_stack_pane, 16, 72);
	assert_non_null(strstr(row(w, 0), "goroutine 19"));
	assert_non_null(strstr(row(w, 1), "running, on thread 4251"));
	assert_non_null(strstr(row(w, 4), "(running: no saved stack)"));
	delwin(w);
	/* 20: truncated */
	tt_threads_pane.key(ui, KEY_END);
	w = draw(&tt_threads_stack_pane, 16, 72);
	assert_non_null(strstr(row(w, 0), "goroutine 20"));
	assert_non_null(strstr(row(w, 1), "waiting: sleep for 2.00s"));
	assert_non_null(strstr(row(w, 7), "(truncated)"));
	delwin(w);
	/* a thread: user frames, then kernel frames named "kernel" */
	tt_threads_pane.key(ui, KEY_RIGHT);
	tt_threads_pane.key(ui, KEY_HOME);
	w = draw(&tt_threads_stack_pane, 16, 72);
	assert_non_null(strstr(row(w, 0), "thread 4242 - marquee/4242"));
	assert_non_null(strstr(row(w, 1), "marquee state S in futex_wait_queue for >=3.00s"));
	assert_non_null(strstr(row(w, 3), " user "));
	assert_non_null(strstr(row(w, 4), "0x46e000"));
	assert_non_null(strstr(row(w, 5), " kernel "));
	assert_non_null(strstr(row(w, 6), "futex_wait_queue  [kernel]"));
	assert_non_null(strstr(row(w, 7), "schedule  [kernel]"));
	delwin(w);
	/* the running thread says whose goroutine it runs and that it has no stack */
	tt_threads_pane.key(ui, KEY_END);
	w = draw(&tt_threads_stack_pane, 16, 72);
	assert_non_null(strstr(row(w, 1), "state R, goroutine 19"));
	assert_non_null(strstr(row(w, 4), "(running: no saved stack)"));
	delwin(w);
}

/* A new read reorders the rows: the cursor stays on its goroutine. */
static void test_cursor_follows_goroutine(void **state)
{
	const struct tt_pane_thread *t;
	const struct tt_pane_goroutine *g;
	struct tt_pane_goroutine tmp;

	(void)state;
	fresh();
	tt_threads_pane.key(ui, KEY_DOWN);
	tt_threads_pane.key(ui, KEY_DOWN);
	assert_true(tt_threads_cursor(ui, &t, &g));
	assert_null(t);
	assert_int_equal(g->goid, 18);
	/* the next read: 18 first in the runtime's list, 1 gone */
	tmp = pane.gs[1];
	pane.gs[1] = pane.gs[0];
	pane.gs[0] = tmp;
	pane.gs[1] = pane.gs[--pane.ngoroutines];
	ui->tv.gen++;
	assert_true(tt_threads_cursor(ui, &t, &g));
	assert_int_equal(g->goid, 18);
	assert_int_equal(ui->tv.sel[TT_TP_GOROUTINES], 1); /* 7, 18, 19, 20 */
	/* its row gone: the cursor keeps its place */
	pane.gs[0].goid = 99;
	for (int i = 0; i < pane.ngoroutines; i++)
		if (pane.gs[i].goid == 18)
			pane.gs[i].goid = 98;
	ui->tv.gen++;
	assert_true(tt_threads_cursor(ui, &t, &g));
	assert_int_equal(ui->tv.sel[TT_TP_GOROUTINES], 1);
}

static void test_narrow_and_hostile(void **state)
{
	static const int sizes[][2] = {{20, 80}, {9, 80}, {5, 40}, {3, 10}, {2, 6}, {40, 200}};
	struct tt_pane_goroutine *g;
	WINDOW *w;

	(void)state;
	fresh();
	/* out-of-range counts and names from a torn read */
	g = &pane.gs[1];
	g->stack.n = 200;
	g->top = 150;
	g->stack.f[0].name = pane.nnames + 5;
	memset(g->wait_reason, 'x', sizeof(g->wait_reason)); /* no NUL */
	memset(g->status_word, '\x1b', sizeof(g->status_word));
	memset(pane.threads[0].blocked_on, 'y', sizeof(pane.threads[0].blocked_on));
	pane.threads[0].syscall = 99999;
	ui->tv.gen++;
	for (int list = 0; list < 2; list++) {
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			int h = sizes[i][0], wd = sizes[i][1];

			tt_layout_compute_for(h < 24 ? 24 : h, wd < 80 ? 80 : wd, true, &ui->lay);
			w = draw(&tt_threads_pane, h, wd);
			for (int y = 0; y < h; y++)
				assert_null(strchr(row(w, y), '\x1b'));
			delwin(w);
			w = draw(&tt_threads_stack_pane, h, wd);
			delwin(w);
		}
		tt_threads_pane.key(ui, KEY_DOWN);
		tt_threads_pane.key(ui, KEY_RIGHT);
	}
	/* at 80 columns the list keeps its ids, times and top frames */
	ui->tv.list = TT_TP_GOROUTINES;
	w = draw(&tt_threads_pane, 12, 80);
	assert_non_null(strstr(row(w, 2), "GOID"));
	assert_non_null(strstr(row(w, 2), "WAITED"));
	assert_non_null(strstr(row(w, 2), "TOP"));
	assert_non_null(strstr(row(w, 3), "main.main"));
	delwin(w);
	ui->tv.list = TT_TP_THREADS;
	w = draw(&tt_threads_pane, 12, 80);
	assert_non_null(strstr(row(w, 2), "SINCE"));
	assert_non_null(strstr(row(w, 2), "TOP"));
	assert_non_null(strstr(row(w, 3), "yyyyy"));
	delwin(w);
	/* the stack of a row whose frames point past the table: addresses, no crash */
	ui->tv.list = TT_TP_GOROUTINES;
	tt_threads_pane.key(ui, KEY_HOME);
	tt_threads_pane.key(ui, KEY_DOWN);
	tt_threads_pane.key(ui, KEY_DOWN); /* 1, 7, 18 */
	w = draw(&tt_threads_stack_pane, 40, 80);
	assert_non_null(strstr(row(w, 0), "goroutine 18"));
	assert_non_null(strstr(row(w, 1), "??????"));     /* the escapes, made inert */
	assert_non_null(strstr(row(w, 4), "0x43a000"));   /* a name past the table */
	assert_non_null(strstr(row(w, 5), "time.Sleep")); /* the rest still named */
	/* 32 frames at most, whatever the count said */
	assert_non_null(strstr(row(w, 35), "runtime.gopark"));
	assert_int_equal(strspn(row(w, 36), "x "), strlen(row(w, 36)));
	delwin(w);
}

/* The layout with the pane open: the list gets more rows, nothing overlaps. */
static void test_layout_with_pane(void **state)
{
	static const int sizes[][2] = {{24, 80}, {40, 120}, {50, 160}, {60, 250}};
	struct tt_layout a, b;

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		int rows = sizes[i][0], cols = sizes[i][1], cells = 0;

		tt_layout_compute(rows, cols, &a);
		tt_layout_compute_for(rows, cols, true, &b);
		assert_true(b.r[TT_PANE_LOG].h > a.r[TT_PANE_LOG].h);
		assert_true(b.r[TT_PANE_TERMINALS].h >= 5);
		assert_true(b.r[TT_PANE_STACK].h >= a.r[TT_PANE_STACK].h);
		for (int p = 0; p < TT_PANE_NR; p++)
			cells += b.r[p].h * b.r[p].w;
		assert_int_equal(cells, rows * cols); /* every cell once */
		for (int y = 0; y < rows; y++)
			for (int x = 0; x < cols; x++)
				assert_true(tt_layout_hit(&b, y, x) >= 0);
	}
}

/* p opens the top writer's pane from the table, the event's from the log; p again closes. */
static void test_key_opens_and_closes(void **state)
{
	struct tt_terminal *t;
	struct tt_model_event ev;

	(void)state;
	fresh();
	tt_threads_open(ui, 0);
	assert_false(ui->tv.open);
	t = &m.terminals[m.nterminals++];
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "pts/3");
	t->dev = 3;
	t->nwriters = 1;
	t->writers[0].pid = 4242;
	ui->focus = TT_PANE_TERMINALS;
	ui->replay = true;
	tt_action_key(ui, 'p');
	assert_false(ui->tv.open);
	assert_string_equal(ui->status,
	                    "replay: no goroutine/thread pane of pid 4242 in this snapshot");
	ui->replay = false;
	assert_int_equal(tt_action_key(ui, 'p'), TT_HANDLED | TT_REDRAW | TT_RELAYOUT);
	assert_true(ui->tv.open);
	assert_int_equal(ui->tv.want_pid, 4242);
	assert_int_equal(ui->focus, TT_PANE_LOG);
	/* p again, in the pane: closed */
	tt_action_key(ui, 'p');
	assert_false(ui->tv.open);
	assert_int_equal(ui->tv.want_pid, 0);
	/* from the log: the selected event's process */
	memset(&ev, 0, sizeof(ev));
	ev.pid = 777;
	ev.tid = 778;
	snprintf(ev.terminal, sizeof(ev.terminal), "pts/3");
	tt_model_push_event(&m, &ev);
	ui->focus = TT_PANE_LOG;
	tt_action_key(ui, 'p');
	assert_int_equal(ui->tv.want_pid, 777);
	/* q in the list closes it; Esc in the stack goes back first */
	ui->focus = TT_PANE_STACK;
	tt_threads_stack_pane.key(ui, 'q');
	assert_int_equal(ui->focus, TT_PANE_LOG);
	assert_true(ui->tv.open);
	tt_threads_pane.key(ui, 'q');
	assert_false(ui->tv.open);
	/* a terminal without writers: nothing to open */
	t->nwriters = 0;
	ui->focus = TT_PANE_TERMINALS;
	tt_action_key(ui, 'p');
	assert_false(ui->tv.open);
	assert_true(ui->status_err);
}

/*
 * What a snapshot kept, replayed: the model's compact copy (no goroutine
 * rows past its bound, its own name table) shows as the live read did.
 */
static void test_replay_shows_kept_pane(void **state)
{
	struct tt_terminal *t;
	long id[8];
	WINDOW *w;

	(void)state;
	fresh();
	tt_threads_open(ui, 0);
	pane.pid = 4243; /* another process's pane first: named when 4242 has none */
	assert_int_equal(tt_model_keep_pane(&m, &pane), 0);
	t = &m.terminals[m.nterminals++];
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "pts/3");
	t->nwriters = 1;
	t->writers[0].pid = 4242;
	ui->focus = TT_PANE_TERMINALS;
	ui->replay = true;
	tt_action_key(ui, 'p');
	assert_false(ui->tv.open);
	assert_string_equal(
	    ui->status,
	    "replay: no goroutine/thread pane of pid 4242 in this snapshot; panes of pid 4243");
	pane.pid = 4242;
	assert_int_equal(tt_model_keep_pane(&m, &pane), 0);
	tt_pane_free(&pane); /* the model's copy is all there is now */
	tt_action_key(ui, 'p');
	assert_true(ui->tv.open);
	assert_ptr_equal(ui->tv.pane, tt_model_pane(&m, 4242));
	w = draw(&tt_threads_pane, 14, 120);
	assert_non_null(strstr(row(w, 0), "Goroutines of pid 4242 (5)"));
	assert_non_null(strstr(row(w, 1), "3 threads / 5 goroutines"));
	assert_int_equal(ids(w, 14, id, 8), 5);
	assert_non_null(strstr(row(w, 3), "main.main  main.go:250"));
	delwin(w);
	tt_threads_pane.key(ui, KEY_END);
	w = draw(&tt_threads_stack_pane, 16, 72);
	assert_non_null(strstr(row(w, 0), "goroutine 20"));
	assert_non_null(strstr(row(w, 6), "main.tick  main.go:52  [marquee]"));
	delwin(w);
	fill(); /* teardown frees it */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rows_and_header),
	    cmocka_unit_test(test_sort_keys),
	    cmocka_unit_test(test_filter_narrows),
	    cmocka_unit_test(test_stack_of_selection),
	    cmocka_unit_test(test_cursor_follows_goroutine),
	    cmocka_unit_test(test_narrow_and_hostile),
	    cmocka_unit_test(test_layout_with_pane),
	    cmocka_unit_test(test_key_opens_and_closes),
	    cmocka_unit_test(test_replay_shows_kept_pane),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
