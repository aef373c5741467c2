/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The TUI tests' replay fixture, written by the product's own JSON renderer
 * so that the fixture cannot drift from the format or the bucket maths.
 * Usage: mkfixture [--in-flight | --ticks] OUT.json
 * --ticks adds the marquee case: marquee/4242's 100 ms tick on pts/3, its
 * Go process with a 298 ms stop-the-world among its pauses, and four late
 * ticks, one per cause, the newest the one that pause made late.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define NS 1000000000ull
#define MS 1000000ull
/*
 * Wall clock of the snapshot: 2026-11-26T05:00:00Z. Its events are a day
 * older (the first fixture's, kept so that the screens stay the same).
 */
#define NOW_NS (1795669200ull * NS)
#define EVENT_NS (NOW_NS - 86400 * NS)
#define DEV(ma, mi) ((uint32_t)(ma) << 20 | (mi))

struct sample {
	uint64_t v, n;
};

struct wr {
	const char *comm;
	uint32_t pid;
	uint64_t writes, bytes;
};

struct term_spec {
	const char *name;
	enum tt_class class;
	uint32_t dev;
	const struct wr *w;
	int nw;
	double wps, bps;
	const struct sample *lat;
	int nlat;
	uint64_t p50, p99, max;
	double share;
	const uint64_t *spark;
	int nspark;
};

static void hist_put(struct tt_hist *h, uint64_t v, uint64_t n)
{
	h->counts[tt_hist_bucket(v)] += n;
}

/* The latency samples, and the blocked and run-queue histograms derived from them. */
static void term_hists(struct tt_terminal *t, const struct term_spec *s)
{
	for (int i = 0; i < s->nlat; i++) {
		hist_put(&t->lat, s->lat[i].v, s->lat[i].n);
		if (s->lat[i].v > 100000)
			hist_put(&t->blocked, s->lat[i].v * 4, s->lat[i].n / 3 + 1);
		if (i < 3)
			hist_put(&t->runq, s->lat[i].v / 10, s->lat[i].n);
	}
}

static int add_terminal(struct tt_model *m, const struct term_spec *s)
{
	struct tt_terminal *t = tt_model_terminal(m, s->dev);

	if (!t)
		return -1;
	snprintf(t->name, sizeof(t->name), "%s", s->name);
	t->class = s->class;
	snprintf(t->driver, sizeof(t->driver), "%s",
	         s->class == TT_CLASS_PTY ? "pty_slave" : "serial");
	for (int i = 0; i < s->nw && i < TT_MODEL_MAX_WRITERS; i++) {
		struct tt_writer *w = &t->writers[t->nwriters++];

		w->pid = s->w[i].pid;
		snprintf(w->comm, sizeof(w->comm), "%s", s->w[i].comm);
		w->writes = s->w[i].writes;
		w->bytes = s->w[i].bytes;
		t->writes += w->writes;
		t->bytes += w->bytes;
	}
	t->slow = 12;
	t->p50 = s->p50;
	t->p90 = s->p99 / 2;
	t->p99 = s->p99;
	t->max_ns = s->max;
	t->oncpu_ns = t->writes * 20000;
	t->blocked_ns = (uint64_t)((double)(t->writes * 20000) * s->share);
	t->runq_ns = t->writes * 1000;
	if (s->share > 0)
		t->reasons[TT_REASON_BUFFER_FULL] = 7;
	t->writes_per_s = s->wps;
	t->bytes_per_s = s->bps;
	t->blocked_share = s->share;
	term_hists(t, s);
	for (int i = 0; i < s->nspark && i < TT_SPARK_LEN; i++)
		t->spark_p99[t->spark_len++] = s->spark[i];
	return 0;
}

static int add_terminals(struct tt_model *m)
{
	static const struct wr w3[] = {{"marquee", 4242, 1500, 600000}, {"bash", 977, 12, 300}};
	static const struct wr w7[] = {{"bash", 1200, 450, 9000}};
	static const struct wr ws[] = {{"agetty", 612, 165, 20000}};
	static const struct sample la[] = {
	    {3000, 900}, {12000, 300}, {250000, 40}, {2 * MS, 10}, {212 * MS, 2}};
	static const struct sample lb[] = {{2500, 400}, {9000, 50}};
	static const struct sample lc[] = {{80000, 100}, {1500000, 60}, {40 * MS, 5}};
	static const uint64_t s3[] = {1000, 2000, 150000, 2100000, 900000, 50000, 2100000, 4000};
	static const uint64_t s7[] = {9000, 9500, 9400};
	static const uint64_t ss[] = {38000000, 1000000};
	const struct term_spec t[] = {
	    {"pts/3", TT_CLASS_PTY, DEV(136, 3), w3, 2, 120.0, 48000.0, la, 5, 3100, 2100000,
	     212000000, 0.62, s3, 8},
	    {"pts/7", TT_CLASS_PTY, DEV(136, 7), w7, 1, 4.5, 900.0, lb, 2, 2600, 9500, 11000, 0.0,
	     s7, 3},
	    {"ttyS0", TT_CLASS_SERIAL, DEV(4, 64), ws, 1, 1.5, 300.0, lc, 3, 90000, 38000000,
	     41000000, 0.4, ss, 2},
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (add_terminal(m, &t[i]) < 0)
			return -1;
	return 0;
}

static void frame(struct tt_stack *s, uint64_t addr, const char *func, const char *file, int line,
                  const char *module)
{
	struct tt_frame *f;

	if (s->n >= TT_USTACK_MAX)
		return;
	f = &s->frames[s->n++];
	f->addr = addr;
	tt_frame_set_func(f, func);
	tt_frame_set_file(f, file);
	f->line = line;
	tt_frame_set_module(f, module);
}

static void kernel_stack(struct tt_stack *s)
{
	frame(s, 0xffffffff81a2c3d0, "n_tty_write", NULL, 0, "kernel");
	frame(s, 0xffffffff81a25e10, "file_tty_write.isra.0", NULL, 0, "kernel");
	frame(s, 0xffffffff8136f2a4, "vfs_write", NULL, 0, "kernel");
	frame(s, 0xffffffff8136f6c2, "ksys_write", NULL, 0, "kernel");
	frame(s, 0xffffffff81e6a1b8, "do_syscall_64", NULL, 0, "kernel");
}

static void go_stack(struct tt_stack *s)
{
	frame(s, 0x4a1f20, "syscall.write", "/usr/lib/go-1.19/src/syscall/zsyscall_linux_amd64.go",
	      924, "marquee");
	frame(s, 0x4b2c11, "os.(*File).Write", "/usr/lib/go-1.19/src/os/file.go", 176, "marquee");
	frame(s, 0x4d3e02, "main.render", "/src/marquee/main.go", 88, "marquee");
	frame(s, 0x4d3a77, "main.main", "/src/marquee/main.go", 41, "marquee");
}

/* Event i (0 = the newest) by one writer; what all the fixture's events share. */
static void event_base(struct tt_model_event *e, int i, const char *term, uint32_t dev,
                       enum tt_class class, uint32_t pid, uint32_t tid, const char *comm,
                       uint64_t lat, enum tt_reason reason)
{
	memset(e, 0, sizeof(*e));
	e->time_ns = EVENT_NS - (uint64_t)i * 250 * MS;
	e->pid = pid;
	e->tid = tid;
	e->goid = -1;
	snprintf(e->comm, sizeof(e->comm), "%s", comm);
	snprintf(e->terminal, sizeof(e->terminal), "%s", term);
	e->dev = dev;
	e->class = class;
	e->fd = 1;
	e->syscall = TT_SYS_WRITE;
	e->count = 4096;
	e->ret = 4096;
	e->latency_ns = lat;
	e->blocked_ns = reason != TT_REASON_NONE ? lat * 8 / 10 : 0;
	e->runq_ns = 1000;
	e->oncpu_ns = lat - e->blocked_ns - 1000;
	e->nr_sleeps = e->blocked_ns ? 1 : 0;
	e->reason = reason;
	e->backlog = (struct tt_backlog){
	    .buf_used = 8192, .buf_limit = 8192, .reader_unread = 4000, .opost = 1};
	kernel_stack(&e->kstack);
	e->stk_flags = TT_EVSTK_SYMBOLIZED;
}

static void tmux_waker(struct tt_model_event *e)
{
	e->has_waker = true;
	e->waker_pid = 3001;
	snprintf(e->waker_comm, sizeof(e->waker_comm), "tmux: server");
}

/* Event i of the repeating three: marquee on pts/3, agetty on ttyS0, bash on pts/7. */
static void event_cycle(struct tt_model_event *e, int i)
{
	switch (i % 3) {
	case 0:
		event_base(e, i, "pts/3", DEV(136, 3), TT_CLASS_PTY, 4242, 4243, "marquee",
		           (uint64_t)(i + 1) * MS, TT_REASON_BUFFER_FULL);
		e->goid = 100 + i;
		go_stack(&e->ustack);
		tmux_waker(e);
		break;
	case 1:
		event_base(e, i, "ttyS0", DEV(4, 64), TT_CLASS_SERIAL, 612, 612, "agetty", 38 * MS,
		           TT_REASON_FLOW_STOPPED);
		e->waker_irq = true;
		frame(&e->ustack, 0x7f3a12345678, NULL, NULL, 0, NULL);
		frame(&e->ustack, 0x55aa00001234, "write_line", "/src/agetty.c", 310, "agetty");
		break;
	default:
		event_base(e, i, "pts/7", DEV(136, 7), TT_CLASS_PTY, 1200, 1200, "bash", 11 * MS,
		           TT_REASON_WRITE_LOCK);
		e->stk_flags |= TT_EVSTK_PROC_GONE;
		frame(&e->ustack, 0x55d0c0ffee00, NULL, NULL, 0, NULL);
		frame(&e->ustack, 0x55d0c0ffee80, NULL, NULL, 0, NULL);
		break;
	}
}

/* Pushed oldest first, so that the ring renders them newest first. */
static int add_events(struct tt_model *m)
{
	struct tt_model_event e;

	/*
	 * Hostile strings, as another user's process or ELF file can make them:
	 * terminal escapes in comm and in a symbol name must be shown inert.
	 */
	event_base(&e, 24, "pts/7", DEV(136, 7), TT_CLASS_PTY, 6666, 6666, "evil\x1b]0;PWNED\x07",
	           12 * MS, TT_REASON_OTHER);
	frame(&e.ustack, 0x401000, "f\x1b[2Jclear", "/x\x1b[31m.c", 1, "m\x07od");
	if (!tt_model_push_event(m, &e))
		return -1;
	for (int i = 23; i >= 1; i--) {
		event_cycle(&e, i);
		if (!tt_model_push_event(m, &e))
			return -1;
	}
	/* The newest is the Go write with a goroutine id. */
	event_base(&e, 0, "pts/3", DEV(136, 3), TT_CLASS_PTY, 4242, 4250, "marquee", 212 * MS,
	           TT_REASON_BUFFER_FULL);
	e.goid = 18;
	go_stack(&e.ustack);
	tmux_waker(&e);
	if (!tt_model_push_event(m, &e))
		return -1;
	m->totals.events = m->ev_count;
	return 0;
}

/* bash on pts/7 stuck for 7 s on a full buffer, the master held by tmux. */
static void add_in_flight(struct tt_model *m)
{
	struct tt_model_inflight *w = &m->inflight[0];

	memset(w, 0, sizeof(*w));
	w->ev = *tt_model_event_at(m, 2);
	w->ev.pid = w->ev.tid = 1300;
	snprintf(w->ev.comm, sizeof(w->ev.comm), "bash");
	snprintf(w->ev.terminal, sizeof(w->ev.terminal), "pts/7");
	w->ev.dev = DEV(136, 7);
	w->ev.latency_ns = 7 * NS;
	w->ev.oncpu_ns = MS;
	w->ev.blocked_ns = 7 * NS - 2 * MS;
	w->ev.runq_ns = MS;
	w->ev.nr_sleeps = 1;
	w->ev.reason = TT_REASON_BUFFER_FULL;
	w->ev.has_waker = w->ev.waker_irq = false;
	w->state = TT_W_BLOCKED;
	w->state_ns = 6 * NS;
	w->nreaders = 1;
	w->readers[0].pid = 3001;
	snprintf(w->readers[0].comm, sizeof(w->readers[0].comm), "tmux: server");
	m->ninflight = 1;
	m->totals.in_flight = 1;
}

/* marquee/4242 g18 on pts/3: 100 ms, 1196 intervals, 4 of them late. */
static int add_ticker(struct tt_model *m)
{
	static const struct sample iv[] = {{96 * MS, 180},  {99 * MS, 420}, {100 * MS, 400},
	                                   {103 * MS, 190}, {130 * MS, 2},  {160 * MS, 2},
	                                   {250 * MS, 1},   {312 * MS, 1}};
	struct tt_model_ticker *t = tt_model_ticker(m, DEV(136, 3), 4242, 18, true);

	if (!t)
		return -1;
	snprintf(t->comm, sizeof(t->comm), "marquee");
	t->period_ns = 100 * MS;
	t->late = 4;
	t->seen = true;
	for (size_t i = 0; i < sizeof(iv) / sizeof(iv[0]); i++) {
		uint64_t j =
		    iv[i].v > t->period_ns ? iv[i].v - t->period_ns : t->period_ns - iv[i].v;

		hist_put(&t->iv, iv[i].v, iv[i].n);
		hist_put(&t->jitter, j, iv[i].n);
		t->intervals += iv[i].n;
		if (j > t->jitter_max_ns)
			t->jitter_max_ns = j;
	}
	return 0;
}

/* Go process 4242: 7 GC cycles, 14 pauses, the newest the 298 ms one (at NOW - 1.7 s). */
static int add_proc(struct tt_model *m)
{
	struct tt_model_proc *p = tt_model_proc(m, 4242, true);

	if (!p)
		return -1;
	snprintf(p->comm, sizeof(p->comm), "marquee");
	snprintf(p->go_version, sizeof(p->go_version), "go1.19.8");
	p->instrumented = true;
	p->gc_cycles = 7;
	for (int i = 13; i >= 0; i--) {
		struct tt_stw s = {NOW_NS - 1700 * MS - (uint64_t)i * 2 * NS, 310000, ""};

		snprintf(s.reason, sizeof(s.reason), "%s",
		         i % 2 ? "GC sweep termination" : "GC mark termination");
		if (i == 0)
			s.duration_ns = 298 * MS;
		tt_model_proc_add_stw(p, &s);
		p->stw_count++;
		p->stw_total_ns += s.duration_ns;
		if (s.duration_ns > p->stw_max_ns)
			p->stw_max_ns = s.duration_ns;
	}
	return 0;
}

/* A late tick of marquee's on pts/3, at NOW - ago; interval = 100 ms + late. */
static int push_late(struct tt_model *m, uint64_t ago, uint64_t late, enum tt_cause cause,
                     uint64_t cause_ns)
{
	struct tt_model_event e;

	event_base(&e, 0, "pts/3", DEV(136, 3), TT_CLASS_PTY, 4242, 4250, "marquee", 41000,
	           TT_REASON_NONE);
	e.kind = TT_KIND_LATE_TICK;
	e.time_ns = NOW_NS - ago;
	e.goid = 18;
	e.count = e.ret = 64;
	e.backlog = (struct tt_backlog){.buf_used = 64, .buf_limit = 8192, .opost = 1};
	e.period_ns = 100 * MS;
	e.late_ns = late;
	e.interval_ns = e.period_ns + late;
	e.cause = cause;
	e.cause_ns = cause_ns;
	e.gc_overlap_ns = cause == TT_CAUSE_GC_STW ? cause_ns : 0;
	go_stack(&e.ustack);
	return tt_model_push_event(m, &e) ? 0 : -1;
}

/* The marquee case: its tick, its pauses, a late tick per cause, the GC one newest. */
static int add_ticks(struct tt_model *m)
{
	if (add_ticker(m) < 0 || add_proc(m) < 0 ||
	    push_late(m, 9 * NS, 30 * MS, TT_CAUSE_APP, 0) < 0 ||
	    push_late(m, 7 * NS, 60 * MS, TT_CAUSE_RUN_QUEUE, 58 * MS) < 0 ||
	    push_late(m, 5 * NS, 150 * MS, TT_CAUSE_TERMINAL_BLOCKED, 149 * MS) < 0 ||
	    /* the interval ends 7 ms after the 298 ms pause that began 305 ms into it */
	    push_late(m, 1700 * MS - 298 * MS - 7 * MS, 212 * MS, TT_CAUSE_GC_STW, 298 * MS) < 0)
		return -1;
	m->totals.events = m->ev_count;
	return 0;
}

static void header(struct tt_model *m)
{
	snprintf(m->host.hostname, sizeof(m->host.hostname), "fixture-host");
	snprintf(m->host.kernel, sizeof(m->host.kernel), "6.18.0-test");
	m->interval_s = 1;
	m->now_realtime_ns = NOW_NS;
	m->start_realtime_ns = NOW_NS - 185 * NS;
	snprintf(m->attach.mode, sizeof(m->attach.mode), "tracepoint");
	snprintf(m->attach.enter_prog, sizeof(m->attach.enter_prog), "rdonly_cast");
	snprintf(m->attach.sched, sizeof(m->attach.sched), "tp_btf");
	m->attach.tty_write_found = m->attach.redirected_found = true;
	m->attach.attach_us = 41000;
	m->filters.threshold_ms = 10;
	m->totals.dropped = m->totals.drops[TT_DROP_RINGBUF_FULL] = 3;
	m->totals.writes = 2127;
}

static int write_doc(const struct tt_model *m, const char *path)
{
	char *s = tt_json_render(m, 0, false);
	FILE *f;
	int rc = 0;

	if (!s)
		return fprintf(stderr, "mkfixture: render failed\n"), -1;
	f = fopen(path, "w");
	if (!f || fputs(s, f) < 0 || fputc('\n', f) < 0)
		rc = -1;
	if (f && fclose(f) != 0)
		rc = -1;
	if (rc < 0)
		perror(path);
	free(s);
	return rc;
}

int main(int argc, char **argv)
{
	static struct tt_model m;
	bool in_flight = argc == 3 && strcmp(argv[1], "--in-flight") == 0;
	bool ticks = argc == 3 && strcmp(argv[1], "--ticks") == 0;
	int rc = 1;

	if (argc != 2 + (in_flight || ticks)) {
		fprintf(stderr, "usage: mkfixture [--in-flight | --ticks] OUT.json\n");
		return 2;
	}
	if (tt_model_init(&m) < 0)
		return fprintf(stderr, "mkfixture: out of memory\n"), 1;
	header(&m);
	if (add_terminals(&m) == 0 && add_events(&m) == 0) {
		if (in_flight)
			add_in_flight(&m);
		if (ticks && add_ticks(&m) < 0) {
			fprintf(stderr, "mkfixture: tick tables full\n");
			tt_model_free(&m);
			return 1;
		}
		rc = write_doc(&m, argv[argc - 1]) < 0;
	}
	tt_model_free(&m);
	return rc;
}
