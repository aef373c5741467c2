/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ticks: the intervals between a writer's successive writes, its period and
 * its late ticks, with the cause the kernel can see inside a late interval.
 * Included once, by ttytop.bpf.c, after the maps and helpers it uses.
 *
 * Cost model: every tty write pays the go_procs and tickers lookups; a write
 * less than TT_TICK_MIN_NS after the writer's previous one (the rest of a
 * burst, a flood) stops there. Only a write that closes an interval reads
 * the process's sums. The scheduler hooks pay one inlined array load per
 * task (proc_hint) unless the task belongs to a process that ticks.
 */
#ifndef TTYTOP_TICKS_BPF_H
#define TTYTOP_TICKS_BPF_H

/* tgid of a process whose run-queue waits are summed, by tgid slot; 0 = none */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TT_HINT_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} proc_hint SEC(".maps");

/* Since when a thread of such a process has been runnable without a CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, TT_MAX_RUNNABLE);
	__type(key, __u32);
	__type(value, __u64);
} runnable SEC(".maps");

/* A zeroed ticker to create entries from: it is too big for the stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tt_ticker);
} zero_ticker SEC(".maps");

static __always_inline bool tracked_tgid(__u32 tgid)
{
	__u32 slot = tgid & (TT_HINT_SLOTS - 1);
	__u32 *h = bpf_map_lookup_elem(&proc_hint, &slot);

	return h && *h == tgid;
}

/* The process's sums, created on its first interval; its threads' waits are summed from then. */
static __always_inline struct tt_proc_state *proc_state(__u32 tgid)
{
	struct tt_proc_state init = {};
	__u32 slot = tgid & (TT_HINT_SLOTS - 1);
	struct tt_proc_state *ps = map_lookup_or_try_init(&procs, &tgid, &init);
	__u32 *h;

	if (!ps)
		return NULL;
	h = bpf_map_lookup_elem(&proc_hint, &slot);
	/* a slot another live process holds stays its: this one's waits go unsummed */
	if (h && !*h)
		*h = tgid;
	return ps;
}

static __always_inline bool within_tol(__u64 v, __u64 ref)
{
	__u64 d = v > ref ? v - ref : ref - v;

	return d * 100 <= ref * TT_TICK_TOL_PCT;
}

/*
 * The cause of a late tick: the first figure that covers half the lateness,
 * in the order (the terminal first: it is what ttytop is for).
 */
static __always_inline void late_cause(struct tt_inflight *s, struct tt_ticker *t,
                                       struct tt_proc_state *ps, __u64 iv)
{
	__u64 late = iv - t->period_ns, half = late / 2;
	__u64 stw = ps ? ps->stw_total_ns - t->stw_at_last : 0;
	__u64 rq = ps ? ps->runq_total_ns - t->runq_at_last : 0;

	s->kind = TT_KIND_LATE_TICK;
	s->interval_ns = iv;
	s->period_ns = t->period_ns;
	s->gc_overlap_ns = stw;
	if (t->prev_blocked_ns && t->prev_blocked_ns >= half) {
		s->cause = TT_CAUSE_TERMINAL_BLOCKED;
		s->cause_ns = t->prev_blocked_ns;
	} else if (stw && stw >= half) {
		s->cause = TT_CAUSE_GC_STW;
		s->cause_ns = stw;
	} else if (rq && rq >= half) {
		s->cause = TT_CAUSE_RUN_QUEUE;
		s->cause_ns = rq;
	} else {
		s->cause = TT_CAUSE_APP;
		s->cause_ns = late;
	}
	t->late++;
}

/*
 * The period is the mean of the current run of agreeing intervals once it
 * is TT_TICK_AGREE long; a late tick breaks the run but not the period,
 * which only moves when a new run is long enough. Only intervals the writer
 * spent mostly outside its writes make a run: a flood blocked on a full
 * buffer writes at a steady pace too (every ~1 ms on a pty), but it is no
 * ticker, and its "late ticks" would be noise.
 */
static __always_inline void follow_period(struct tt_ticker *t, __u64 iv, bool idle)
{
	if (!idle)
		return;
	if (t->run_n && within_tol(iv, t->run_first_ns)) {
		t->run_n++;
		t->run_sum_ns += iv;
	} else {
		t->run_first_ns = iv;
		t->run_sum_ns = iv;
		t->run_n = 1;
	}
	if (t->run_n >= TT_TICK_AGREE)
		t->period_ns = t->run_sum_ns / t->run_n;
}

static __always_inline void close_interval(struct tt_inflight *s, struct tt_ticker *t, __u32 tgid,
                                           __u64 iv)
{
	/* the thread's own previous write: for a Go writer, whichever goroutine made it */
	__u64 gap = s->prev_end_ns && s->prev_end_ns < s->start_ns ? s->start_ns - s->prev_end_ns
	                                                            : iv;
	struct tt_proc_state *ps = proc_state(tgid);

	t->intervals++;
	ADD(&t->hist_iv[bucket(iv)], 1);
	if (t->period_ns) {
		__u64 jit = iv > t->period_ns ? iv - t->period_ns : t->period_ns - iv;

		ADD(&t->hist_jit[bucket(jit)], 1);
		if (jit > t->jitter_max_ns)
			t->jitter_max_ns = jit;
		if (iv * 100 > t->period_ns * (100 + late_pct))
			late_cause(s, t, ps, iv);
	}
	follow_period(t, iv, gap * 2 >= iv);
	t->prev_blocked_ns = 0;
	t->runq_at_last = ps ? ps->runq_total_ns : 0;
	t->stw_at_last = ps ? ps->stw_total_ns : 0;
}

static __always_inline struct tt_ticker *new_ticker(struct tt_ticker_key *k, __u32 tgid, __u64 now)
{
	struct tt_ticker *z = map_first(&zero_ticker), *t;
	struct tt_proc_state *ps;

	if (!z)
		return NULL;
	t = map_reset_elem(&tickers, k, z);
	if (!t)
		return NULL;
	t->last_start_ns = now;
	bpf_get_current_comm(t->comm, sizeof(t->comm));
	ps = proc_state(tgid);
	if (ps) {
		t->runq_at_last = ps->runq_total_ns;
		t->stw_at_last = ps->stw_total_ns;
	}
	return t;
}

/*
 * At a write's entry (s already started): the writer's goroutine, its
 * ticker, and whether the interval this write closes was late.
 */
static __always_inline void tick_enter(struct tt_inflight *s, __u32 tgid, __u8 sys)
{
	struct tt_ticker_key k = {.dev = s->dev, .tgid = tgid, .goid = -1};
	struct tt_go_proc *gp = bpf_map_lookup_elem(&go_procs, &tgid);
	struct tt_ticker *t;
	__u64 now = s->start_ns, iv;

	s->kind = TT_KIND_SLOW_WRITE;
	s->cause = TT_CAUSE_NONE;
	s->interval_ns = s->period_ns = s->cause_ns = s->gc_overlap_ns = 0;
	s->stw_at_start = 0;
	if (gp) {
		struct task_struct *task = (struct task_struct *)bpf_get_current_task();
		struct tt_proc_state *ps = bpf_map_lookup_elem(&procs, &tgid);
		__u32 fl = 0;
		__s64 g = current_goid(task, user_regs(task, syscall_nr(sys)), gp, &fl);

		if (fl & TT_EV_GOID)
			k.goid = g;
		if (ps)
			s->stw_at_start = ps->stw_total_ns;
	}
	s->tick_goid = k.goid;
	t = bpf_map_lookup_elem(&tickers, &k);
	if (!t) {
		new_ticker(&k, tgid, now);
		return;
	}
	iv = now - t->last_start_ns;
	/* the rest of a burst belongs to the tick it started */
	if (iv < TT_TICK_MIN_NS)
		return;
	close_interval(s, t, tgid, iv);
	t->last_start_ns = now;
}

/* At a write's exit: what the next interval's cause and a slow write's GC share need. */
static __always_inline void tick_exit(struct tt_inflight *s, __u32 tgid)
{
	if (s->blocked_ns) {
		struct tt_ticker_key k = {.dev = s->dev, .tgid = tgid, .goid = s->tick_goid};
		struct tt_ticker *t = bpf_map_lookup_elem(&tickers, &k);

		if (t)
			t->prev_blocked_ns += s->blocked_ns;
	}
	if (s->kind == TT_KIND_SLOW_WRITE && s->stw_at_start) {
		struct tt_proc_state *ps = bpf_map_lookup_elem(&procs, &tgid);

		if (ps)
			s->gc_overlap_ns = ps->stw_total_ns - s->stw_at_start;
	}
}

/* A thread of a ticking process leaves the CPU still runnable, or comes back to it. */
static __always_inline void runq_switch(bool preempt, struct task_struct *prev,
                                        struct task_struct *next, __u64 prev_state)
{
	__u32 ptgid = prev->tgid, ntgid = next->tgid, tid;
	__u64 now, *since;

	if (tracked_tgid(ptgid) && (preempt || !prev_state)) {
		now = bpf_ktime_get_ns();
		tid = prev->pid;
		bpf_map_update_elem(&runnable, &tid, &now, BPF_ANY);
	}
	if (!tracked_tgid(ntgid))
		return;
	tid = next->pid;
	since = bpf_map_lookup_elem(&runnable, &tid);
	if (!since || !*since)
		return;
	now = bpf_ktime_get_ns();
	if (now > *since) {
		struct tt_proc_state *ps = bpf_map_lookup_elem(&procs, &ntgid);

		if (ps)
			ADD(&ps->runq_total_ns, now - *since);
	}
	*since = 0;
}

/* A sleeping thread of a ticking process is woken: runnable from now. */
static __always_inline void runq_waking(struct task_struct *p)
{
	__u32 tid = p->pid;
	__u64 now;

	if (!tracked_tgid(p->tgid))
		return;
	now = bpf_ktime_get_ns();
	bpf_map_update_elem(&runnable, &tid, &now, BPF_ANY);
}

#endif
