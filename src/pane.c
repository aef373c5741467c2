// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The goroutine/thread pane (pane.h): rows from threads.c and goroutines.c,
 * their user frames named once into the pane's table, the goroutine's own
 * top frame, and how long each row has been as it is, carried from the
 * reader's earlier reads.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "clock.h"
#include "goinfo.h"
#include "goroutines.h"
#include "pane.h"
#include "procseen.h"
#include "symbolize.h"
#include "threads.h"

/* Rows and names go; the allocations stay for the next read. */
static void pane_clear(struct tt_pane *p)
{
	struct tt_pane keep = *p;

	memset(p, 0, sizeof(*p));
	p->threads = keep.threads;
	p->gs = keep.gs;
	p->names = keep.names;
	p->hash = keep.hash;
	tt_pane_names_reset(p);
}

/* --- naming ---------------------------------------------------------------------- */

static void name_stack(struct tt_pane *p, struct tt_symbolizer *sym, struct tt_pane_stack *s)
{
	for (int i = 0; i < s->n; i++) {
		struct tt_pane_frame *f = &s->f[i];
		struct tt_frame fr;
		struct tt_pane_name n;

		if (f->flags & TT_PSTK_KERNEL || f->name != UINT32_MAX)
			continue;
		memset(&fr, 0, sizeof(fr));
		/* callers are return addresses: named by the call before them */
		if (tt_sym_user(sym, (pid_t)p->pid, f->addr, i > 0, &fr) || !fr.func)
			continue;
		memset(&n, 0, sizeof(n));
		snprintf(n.func, sizeof(n.func), "%s", tt_str(fr.func));
		snprintf(n.file, sizeof(n.file), "%s", tt_str(fr.file));
		n.line = fr.line;
		snprintf(n.module, sizeof(n.module), "%s", tt_str(fr.module));
		f->name = tt_pane_intern(p, &n);
	}
}

/*
 * The program's own code: package main, or a package whose path starts
 * with a domain ("github.com/..."): the standard library's never has a dot
 * in its first element. Names without a package (C, through cgo) count too.
 */
bool tt_go_func_is_own(const char *func)
{
	const char *slash = strrchr(func, '/');
	const char *pkg_end = strchr(slash ? slash : func, '.');
	const char *first_end = strpbrk(func, "/.");

	if (!pkg_end)
		return true;
	if (!strncmp(func, "main.", 5))
		return true;
	if (!slash)
		return false; /* "runtime.gopark", "sync.(*Mutex).Lock" */
	/* "github.com/x/y.F": the first element ends at a '.' before the first '/' */
	return *first_end == '.' && first_end < slash;
}

static int16_t own_top(const struct tt_pane *p, const struct tt_pane_stack *s)
{
	for (int i = 0; i < s->n; i++) {
		const struct tt_pane_name *n = tt_pane_frame_name(p, &s->f[i]);

		if (n && tt_go_func_is_own(n->func))
			return (int16_t)i;
	}
	return s->n ? 0 : -1; /* none of the program's own: the first frame */
}

/* --- what earlier reads saw -------------------------------------------------------- */

struct seen {
	int64_t id;        /* tid or goid */
	uint64_t a, b, c;  /* what must be unchanged for the row to be the same */
	uint64_t first_ns; /* CLOCK_MONOTONIC of the first read that saw it so */
};

/* This read's rows (v) and the last read's (prev), swapped at each read: no allocation. */
struct seen_set {
	struct seen *v, *prev;
	int n, nprev, cap;
};

struct tt_pane_reader {
	pid_t pid;
	/* the process read: its start (pid reuse) and its executable (exec) */
	uint64_t start_time;
	dev_t exe_dev;
	ino_t exe_ino;
	struct seen_set threads, gs;
};

static void exe_id(pid_t pid, dev_t *dev, ino_t *ino)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	if (stat(path, &st))
		memset(&st, 0, sizeof(st));
	*dev = st.st_dev;
	*ino = st.st_ino;
}

/* Still the process the reader began with: not exited, not another, not exec'd. */
static bool same_process(const struct tt_pane_reader *r)
{
	dev_t dev;
	ino_t ino;

	if (tt_proc_start_time(r->pid) != r->start_time)
		return false;
	exe_id(r->pid, &dev, &ino);
	return dev == r->exe_dev && ino == r->exe_ino;
}

static int seen_cmp(const void *a, const void *b)
{
	const struct seen *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* The first time a row was seen as it is now (now when new or changed). */
static uint64_t seen_since(struct seen_set *s, int64_t id, uint64_t a, uint64_t b, uint64_t c,
                           uint64_t now)
{
	struct seen key = {.id = id}, *o;
	uint64_t first = now;

	o = s->nprev ? bsearch(&key, s->prev, (size_t)s->nprev, sizeof(*o), seen_cmp) : NULL;
	if (o && o->a == a && o->b == b && o->c == c)
		first = o->first_ns;
	if (s->n < s->cap)
		s->v[s->n++] = (struct seen){id, a, b, c, first};
	return first;
}

static void seen_begin(struct seen_set *s)
{
	struct seen *t = s->prev;

	s->prev = s->v;
	s->nprev = s->n;
	s->v = t;
	s->n = 0;
}

/* Sorted by id for the next read's lookups. */
static void seen_end(struct seen_set *s)
{
	qsort(s->v, (size_t)s->n, sizeof(*s->v), seen_cmp);
}

static int seen_init(struct seen_set *s, int cap)
{
	s->v = calloc((size_t)cap, sizeof(*s->v));
	s->prev = calloc((size_t)cap, sizeof(*s->prev));
	s->n = s->nprev = 0;
	s->cap = cap;
	return s->v && s->prev ? 0 : -ENOMEM;
}

struct tt_pane_reader *tt_pane_reader_new(pid_t pid)
{
	struct tt_pane_reader *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->pid = pid;
	r->start_time = tt_proc_start_time(pid);
	exe_id(pid, &r->exe_dev, &r->exe_ino);
	if (seen_init(&r->threads, TT_PANE_THREADS) || seen_init(&r->gs, TT_PANE_GOROUTINES)) {
		tt_pane_reader_free(r);
		return NULL;
	}
	return r;
}

void tt_pane_reader_free(struct tt_pane_reader *r)
{
	if (!r)
		return;
	free(r->threads.v);
	free(r->threads.prev);
	free(r->gs.v);
	free(r->gs.prev);
	free(r);
}

/*
 * A thread asleep whose context switches did not move has slept since the
 * first read that saw it so: a lower bound, as the sleep may be older.
 */
static void thread_since(struct tt_pane_reader *r, struct tt_pane *p, uint64_t now)
{
	seen_begin(&r->threads);
	for (int i = 0; i < p->nthreads; i++) {
		struct tt_pane_thread *t = &p->threads[i];
		uint64_t first = seen_since(&r->threads, t->tid, (uint64_t)t->state, t->switches,
		                            tt_pane_str_hash(2166136261u, t->blocked_on), now);

		t->since_ns = now - first;
		t->since_exact = false;
	}
	seen_end(&r->threads);
}

/* A goroutine waiting with the same saved context: the same wait. */
static void goroutine_since(struct tt_pane_reader *r, struct tt_pane *p, uint64_t now)
{
	seen_begin(&r->gs);
	for (int i = 0; i < p->ngoroutines; i++) {
		struct tt_pane_goroutine *g = &p->gs[i];
		uint64_t first = seen_since(&r->gs, g->goid, g->status | (uint64_t)g->parks << 32,
		                            g->sched_pc, g->sched_sp, now);

		/*
		 * Seen waiting since an earlier read: only where the runtime says
		 * it did not run in between (parks); a ticker re-parks with the
		 * same context every tick. The runtime's own figure when larger.
		 */
		if (g->parks && !strcmp(g->status_word, "waiting") && now - first > g->wait_ns)
			g->wait_ns = now - first;
		g->top = own_top(p, &g->stack);
	}
	seen_end(&r->gs);
}

/*
 * A Go thread in a syscall: threads.c has only its pc (Go code has no
 * .eh_frame, and /proc gives no frame pointer), but its goroutine's saved
 * context is the rest of the same stack, unwound from where the goroutine
 * entered the syscall (a line or two above the call the thread is in).
 */
static void thread_from_goroutine(struct tt_pane_thread *t, const struct tt_pane_goroutine *g)
{
	int n = t->ustack.n ? 1 : 0;

	if (t->ustack.n > 1 || !g->stack.n || (g->stack.flags & TT_PSTK_NONE))
		return;
	for (int i = 0; i < g->stack.n && n < TT_PANE_DEPTH; i++) {
		if (n == 1 && g->stack.f[i].name == t->ustack.f[0].name)
			continue; /* the syscall wrapper the thread's pc already names */
		t->ustack.f[n++] = g->stack.f[i];
	}
	t->ustack.n = (uint16_t)n;
	t->ustack.flags = g->stack.flags;
}

/* Each thread's goroutine: the one that says it runs there (running or in a syscall). */
static void thread_goids(struct tt_pane *p)
{
	for (int i = 0; i < p->nthreads; i++) {
		struct tt_pane_thread *t = &p->threads[i];

		t->goid = -1;
		for (int j = 0; p->gs && j < p->ngoroutines; j++) {
			const struct tt_pane_goroutine *g = &p->gs[j];
			bool sys = !strcmp(g->status_word, "syscall");

			if (g->thread != t->tid || (!sys && strcmp(g->status_word, "running")))
				continue;
			t->goid = g->goid;
			if (sys)
				thread_from_goroutine(t, g);
		}
	}
}

static void read_comm(pid_t pid, char *out, size_t len)
{
	char path[64];
	FILE *f;

	out[0] = 0;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if (!(f = fopen(path, "re")))
		return;
	if (fgets(out, (int)len, f))
		out[strcspn(out, "\n")] = 0;
	fclose(f);
}

static void read_goroutines(struct tt_pane *p, struct tt_mem *mem)
{
	struct tt_goinfo gi;
	int r = tt_goinfo_for_pid((pid_t)p->pid, &gi);

	/*
	 * Go whenever the version was read: a layout the write path refuses
	 * (the TLS slot of a PIE or cgo build) does not matter to the reader
	 * of runtime.allgs, which has its own checks.
	 */
	if (r != 1 && !(r < 0 && gi.version[0]))
		return; /* not Go (or not readable): a thread pane */
	p->is_go = true;
	snprintf(p->go_version, sizeof(p->go_version), "%s", gi.version);
	if (!p->gs) {
		snprintf(p->why_no_goroutines, sizeof(p->why_no_goroutines),
		         "pane allocated without goroutine rows");
		return;
	}
	tt_goroutines_read(p, (pid_t)p->pid, mem); /* why_no_goroutines set on failure */
}

int tt_pane_read(struct tt_pane_reader *r, struct tt_symbolizer *sym, struct tt_pane *p)
{
	uint64_t t0 = tt_mono_ns();
	struct tt_mem mem;
	int err;

	pane_clear(p);
	p->pid = (uint32_t)r->pid;
	p->read_ns = tt_real_ns();
	if (!same_process(r)) {
		p->gone = true; /* exited, exec'd, or the pid is another process now */
		return -ESRCH;
	}
	read_comm(r->pid, p->comm, sizeof(p->comm));
	tt_mem_of_pid(&mem, r->pid);
	err = tt_threads_read(p, r->pid, &mem);
	if (err) {
		p->gone = err == -ESRCH;
		return err;
	}
	read_goroutines(p, &mem);
	for (int i = 0; i < p->nthreads; i++)
		name_stack(p, sym, &p->threads[i].ustack);
	for (int i = 0; p->gs && i < p->ngoroutines; i++)
		name_stack(p, sym, &p->gs[i].stack);
	thread_goids(p);
	thread_since(r, p, t0);
	goroutine_since(r, p, t0);
	/* exec'd or exited while read: the rows may be of another program */
	p->gone = !same_process(r);
	p->read_cost_ns = tt_mono_ns() - t0;
	return p->gone ? -ESRCH : 0;
}
