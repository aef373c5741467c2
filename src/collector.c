// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Live collection: load and attach the BPF programs, then move ring-buffer
 * events and per-CPU counters into the model. Stacks are symbolized as
 * events arrive: writers to terminals are often short-lived, and once a
 * process is gone its mappings can no longer be read.
 */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "arch.h"
#include "clock.h"
#include "collector.h"
#include "early.h"
#include "goinfo.h"
#include "gostw.h"
#include "inflight.h"
#include "peers.h"
#include "probe_ksyms.h"
#include "procseen.h"
#include "ptyreaders.h"
#include "symbolize.h"
#include "tickread.h"
#include "ttyslots.h"
#include "ttytop.skel.h"

/* the slot array is mapped in chunks of this (a multiple of every page size) */
#define TT_SLOT_CHUNK_BYTES (64u * 1024)
#define TT_SLOT_CHUNKS ((TT_TTY_SLOTS * sizeof(struct tt_tty_slot)) / TT_SLOT_CHUNK_BYTES + 2)

/*
 * One drain of the event ring stops after this long, and the rest waits for
 * the next: libbpf consumes for as long as records keep coming, and in a
 * storm on a slow machine (a guest under emulation) they came as fast as
 * they were read, so the dashboard never redrew nor read a key.
 */
#define TT_DRAIN_BUDGET_NS (50ull * 1000000)
#define TT_DRAIN_CHECK_EVERY 32 /* records between clock reads */

struct tt_collector {
	struct ttytop_bpf *skel;
	struct ring_buffer *rb;
	struct tt_model *m;
	struct tt_symbolizer *sym;
	int ncpus;
	uint64_t mono_to_real_ns;
	bool verbose;
	bool no_stacks;
	struct tt_slots slots;
	void *slots_mem; /* reserved whole, mapped a chunk at a time (reach_slot) */
	size_t slots_len;
	uint8_t slot_chunk_mapped[TT_SLOT_CHUNKS];
	int grace_outer, grace_inner; /* see wait_for_programs() */
	uint64_t retired;             /* slots given back */
	struct tt_procseen seen;      /* processes inspected (on_new_proc) */
	struct tt_early_tab *early;   /* writers read too late for their first writes */
	struct tt_inflight_src inflight;
	struct tt_inflight_pick *picks; /* TT_MODEL_MAX_INFLIGHT */
	struct tt_ptyreaders readers;
	struct tt_gostw *gostw;        /* Go stop-the-world probes; NULL: none */
	struct bpf_link *sys_links[8]; /* the entry and exit programs on the other four syscalls */
	uint64_t peers_at;             /* when other instances were last pruned (mono ns) */
	uint64_t drain_until;          /* mono ns: the current drain's budget ends */
	int drained;                   /* records taken by the current drain */
};

/*
 * The five write syscalls' tracepoints share their record layouts
 * (syscall_trace_enter/exit, the call number in them) and one logic: one
 * entry and one exit program are verified and attached to all of them.
 * Verifying five copies of each cost ~250 ms of start-up here and many
 * seconds in an emulated guest.
 */
static const char *const other_writes[4] = {"writev", "pwrite64", "pwritev", "pwritev2"};

static bool g_verbose;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (!g_verbose && level != LIBBPF_WARN)
		return 0;
	if (!g_verbose)
		return 0; /* warnings become our own one-line errors */
	return vfprintf(stderr, fmt, ap);
}

/* "pts/3" -> "pts3": filters compare against the kernel's tty->name. */
static void tty_filter_kname(const char *in, char *out, size_t len)
{
	size_t j = 0;

	for (size_t i = 0; in[i] && j + 1 < len; i++)
		if (in[i] != '/')
			out[j++] = in[i];
	out[j] = 0;
}

/* A terminal's display name for an event: its row, else its slot's identity. */
static void name_for_dev(struct tt_collector *c, __u32 dev, char *out, size_t len)
{
	struct tt_terminal *t = tt_model_find_terminal(c->m, dev);
	__u32 idx;

	if (t) {
		snprintf(out, len, "%s", t->name);
		return;
	}
	if (!bpf_map__lookup_elem(c->skel->maps.tty_slot, &dev, sizeof(dev), &idx, sizeof(idx),
	                          0) &&
	    tt_slots_at(&c->slots, idx)) {
		const struct tt_tty_info *info = &c->slots.mem[idx].info;
		char kname[TT_TTY_NAME_LEN];

		memcpy(kname, info->name, sizeof(kname));
		kname[sizeof(kname) - 1] = 0;
		if (kname[0]) {
			tt_tty_display_name(
			    kname, info->class < TT_CLASS_NR ? info->class : TT_CLASS_OTHER, out,
			    len);
			return;
		}
	}
	snprintf(out, len, "%u:%u", dev >> 20, dev & 0xfffff);
}

static void on_new_proc(struct tt_collector *c, const struct tt_new_proc *r)
{
	struct tt_goinfo gi;
	char comm[TT_COMM_LEN];

	/*
	 * Once per process, not per terminal it writes to: a pty churn from one
	 * process re-read its binary for each of 3000 terminals and stalled the
	 * loop for 19 s in a guest whose files are on 9p.
	 */
	memcpy(comm, r->comm, sizeof(comm));
	comm[sizeof(comm) - 1] = 0;
	if (tt_procseen_check(&c->seen, r->tgid, tt_proc_start_time(r->tgid), comm))
		return;
	int maps = c->no_stacks ? 1 : tt_sym_prepare_pid(c->sym, r->tgid);
	int gr = tt_goinfo_for_pid(r->tgid, &gi);
	if (gr == 1)
		bpf_map__update_elem(c->skel->maps.go_procs, &r->tgid, sizeof(r->tgid), &gi.off,
		                     sizeof(gi.off), BPF_ANY);
	/* read in time: its next writes need no early capture (struct tt_early) */
	__u8 one = 1;
	if (maps > 0 && gr >= 0)
		bpf_map__update_elem(c->skel->maps.read_procs, &r->tgid, sizeof(r->tgid), &one,
		                     sizeof(one), BPF_ANY);
	if (c->early)
		tt_early_proc(c->early, r, gr, gr == 1 ? &gi.off : NULL);
	/* after go_procs: the stop-the-world probes read it */
	if (gr == 1 || (gr < 0 && gi.version[0]))
		tt_gostw_on_go_proc(c->gostw, c->m, (pid_t)r->tgid, comm, &gi, gr);
	const struct tt_model_proc *mp = tt_model_proc(c->m, r->tgid, false);
	if (c->verbose && mp && (gr == 1 || gi.version[0]))
		fprintf(stderr, "ttytop: go process %u %s %s: %s%s\n", r->tgid, comm,
		        mp->go_version,
		        mp->instrumented ? "stop-the-world probes attached" : "not instrumented: ",
		        mp->instrumented ? "" : mp->why_not);
}

/*
 * A stack taken inside a tracepoint starts with the tracing machinery itself
 * (__bpf_trace_*, __traceiter_*, bpf_trace_run*): nobody waits there.
 */
static void drop_tracing_frames(struct tt_stack *k)
{
	int skip = 0;

	while (skip < k->n) {
		const char *f = tt_str(k->frames[skip].func);

		if (strncmp(f, "bpf_", 4) && strncmp(f, "__bpf_", 6) &&
		    strncmp(f, "__traceiter_", 12) && strncmp(f, "trace_call_bpf", 14) &&
		    strncmp(f, "perf_trace_", 11))
			break;
		skip++;
	}
	if (skip && skip < k->n) {
		memmove(k->frames, k->frames + skip, sizeof(k->frames[0]) * (k->n - skip));
		k->n -= skip;
	}
}

/* A kernel record, named and symbolized, as the model keeps it. */
static void event_to_model(struct tt_collector *c, const struct tt_event *e,
                           struct tt_model_event *ev)
{
	uint64_t user_ret;

	/* the frames are filled by the symbolizer up to n: clear only the rest */
	memset(ev, 0, offsetof(struct tt_model_event, ustack));
	ev->ustack.n = 0;
	ev->kstack.n = 0;
	ev->time_ns = e->start_ns + c->mono_to_real_ns;
	ev->pid = e->pid;
	ev->tid = e->tid;
	ev->goid = (e->flags & TT_EV_GOID) ? e->goid : -1;
	memcpy(ev->comm, e->comm, TT_COMM_LEN);
	ev->comm[TT_COMM_LEN - 1] = 0;
	ev->dev = e->dev;
	ev->class = e->class < TT_CLASS_NR ? e->class : TT_CLASS_OTHER;
	name_for_dev(c, e->dev, ev->terminal, sizeof(ev->terminal));
	ev->count = e->count;
	ev->ret = e->ret;
	ev->latency_ns = e->latency_ns;
	ev->oncpu_ns = e->oncpu_ns;
	ev->blocked_ns = e->blocked_ns;
	ev->runq_ns = e->runq_ns;
	ev->reason = e->reason < TT_REASON_NR ? e->reason : TT_REASON_OTHER;
	ev->syscall = e->syscall < TT_SYS_NR ? e->syscall : TT_SYS_WRITE;
	ev->fd = e->fd;
	ev->nr_sleeps = e->nr_sleeps;
	ev->waker_irq = e->flags & TT_EV_WAKER_IRQ;
	ev->has_waker = ev->waker_irq || e->waker_pid;
	ev->waker_pid = e->waker_pid;
	memcpy(ev->waker_comm, e->waker_comm, TT_COMM_LEN);
	ev->waker_comm[TT_COMM_LEN - 1] = 0;
	ev->backlog = e->backlog;
	ev->kind = e->kind < TT_KIND_NR ? e->kind : TT_KIND_SLOW_WRITE;
	ev->gc_overlap_ns = e->gc_overlap_ns;
	if (ev->kind == TT_KIND_LATE_TICK) {
		ev->interval_ns = e->interval_ns;
		ev->period_ns = e->period_ns;
		ev->late_ns = e->interval_ns > e->period_ns ? e->interval_ns - e->period_ns : 0;
		ev->cause =
		    e->cause > TT_CAUSE_NONE && e->cause < TT_CAUSE_NR ? e->cause : TT_CAUSE_APP;
		ev->cause_ns = e->cause_ns;
	}
	ev->no_ustack = e->flags & TT_EV_NO_USTACK;
	ev->no_kstack = e->flags & TT_EV_NO_KSTACK;
	ev->kstack_at_sleep = e->flags & TT_EV_KSTACK_AT_SLEEP;
	ev->flags = e->flags;

	user_ret = 0;
	if ((e->flags & TT_EV_USER_RET) && e->user_ret &&
	    (e->ustack_len < 2 || e->user_ret != e->ustack[1]) &&
	    tt_sym_follows_call(c->sym, e->pid, e->user_ret))
		user_ret = e->user_ret;
	tt_sym_event(c->sym, ev, (const uint64_t *)e->ustack,
	             e->ustack_len < TT_USTACK_MAX ? e->ustack_len : TT_USTACK_MAX, user_ret,
	             (const uint64_t *)e->kstack,
	             e->kstack_len < TT_KSTACK_MAX ? e->kstack_len : TT_KSTACK_MAX);
	drop_tracing_frames(&ev->kstack);
}

static void on_write_event(struct tt_collector *c, const struct tt_event *e)
{
	struct tt_model *m = c->m;
	struct tt_model_event ev;

	event_to_model(c, e, &ev);
	/* a write of a process not read yet: what the kernel captured fills the gaps */
	const struct tt_early *x = c->early ? tt_early_take(c->early, e->tid, e->start_ns) : NULL;
	if (x)
		tt_early_event(c->early, c->no_stacks ? NULL : c->sym, e, x, &ev);
	if (!ev.ustack.n || !ev.kstack.n)
		m->totals.no_stack++;
	if (tt_model_push_event(m, &ev))
		m->totals.events++;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct tt_collector *c = ctx;
	const struct tt_rec_hdr *h = data;

	if (size < sizeof(*h))
		return 0;
	if (h->kind == TT_REC_WRITE && size >= sizeof(struct tt_event))
		on_write_event(c, data);
	else if (h->kind == TT_REC_EARLY && size >= sizeof(struct tt_early_rec) && c->early)
		tt_early_stash(c->early, data);
	else if (h->kind == TT_REC_NEW_PROC && size >= sizeof(struct tt_new_proc))
		on_new_proc(c, data);
	else if (h->kind == TT_REC_STW && size >= sizeof(struct tt_stw_rec))
		tt_gostw_on_rec(c->m, data, c->mono_to_real_ns);
	/* the record is consumed either way: a negative return only stops libbpf */
	if (++c->drained % TT_DRAIN_CHECK_EVERY == 0 && tt_mono_ns() >= c->drain_until)
		return -EAGAIN;
	return 0;
}

/* Records taken, or -errno; a drain stopped by its budget is no error. */
static int drained(struct tt_collector *c, int n)
{
	if (n == -EAGAIN || n == -EINTR || n >= 0)
		return c->drained;
	return n;
}

int tt_collector_poll(struct tt_collector *c, int timeout_ms)
{
	c->drained = 0;
	c->drain_until = tt_mono_ns() + TT_DRAIN_BUDGET_NS + (uint64_t)timeout_ms * 1000000;
	return drained(c, ring_buffer__poll(c->rb, timeout_ms));
}

static int src_fd(void *ctx)
{
	struct tt_collector *c = ctx;

	return ring_buffer__epoll_fd(c->rb);
}

static int src_drain(void *ctx)
{
	struct tt_collector *c = ctx;

	c->drained = 0;
	c->drain_until = tt_mono_ns() + TT_DRAIN_BUDGET_NS;
	return drained(c, ring_buffer__consume(c->rb));
}

/*
 * Wait until no BPF program that started before this call still runs: an
 * update of a map-in-map returns only after an RCU grace period (the kernel
 * waits so that user space knows the old inner map is unused), and every
 * program of ours runs inside an RCU read-side section.
 */
static int wait_for_programs(struct tt_collector *c)
{
	__u32 zero = 0;

	if (c->grace_outer < 0)
		return -ENOSYS;
	return bpf_map_update_elem(c->grace_outer, &zero, &c->grace_inner, BPF_ANY) ? -errno : 0;
}

/*
 * Give the slots of quiet terminals back: unmap them (new writes take a new
 * slot), wait out the programs that may still add to them, take their last
 * growth, zero them and return them to the free queue.
 */
static void retire_slots(struct tt_collector *c, uint64_t now)
{
	/*
	 * All at once: the grace period is paid per batch, and a cap per call
	 * once let a slow refresh (a guest under emulation) fall behind a
	 * pty churn until every slot was taken.
	 */
	uint32_t pick[TT_TTY_SLOTS];
	int n = tt_slots_pick(&c->slots, now, pick, (int)(sizeof(pick) / sizeof(pick[0])));
	struct bpf_map *map = c->skel->maps.tty_slot;

	if (n <= 0)
		return;
	for (int i = 0; i < n; i++) {
		__u32 dev = c->slots.track[pick[i]].dev, idx;

		if (!bpf_map__lookup_elem(map, &dev, sizeof(dev), &idx, sizeof(idx), 0) &&
		    idx == pick[i])
			bpf_map__delete_elem(map, &dev, sizeof(dev), 0);
	}
	if (wait_for_programs(c))
		return; /* slots stay unmapped, still read, and are picked again next time */
	for (int i = 0; i < n; i++) {
		tt_slots_collect_one(&c->slots, pick[i], c->m, now);
		tt_slots_clear(&c->slots, pick[i]);
		bpf_map__update_elem(c->skel->maps.free_slots, NULL, 0, &pick[i], sizeof(pick[i]),
		                     0);
	}
	c->retired += n;
}

static void read_terminals(struct tt_collector *c)
{
	uint64_t now = tt_mono_ns();

	tt_slots_collect(&c->slots, c->m, now);
	retire_slots(c, now);
}

static bool proc_gone(__u32 tgid)
{
	return kill((pid_t)tgid, 0) && errno == ESRCH;
}

/*
 * The kernel-side tables are bounded; a long-running dashboard sees every
 * short shell command as a new writer. Entries of processes that have exited
 * are read one last time (the model keeps their totals) and then deleted.
 */
static void read_writers(struct tt_collector *c)
{
	struct bpf_map *w = c->skel->maps.writers;
	struct tt_writer_key key, next, *prev = NULL, gone[256];
	struct tt_writer_val v;
	int ngone = 0;

	while (bpf_map__get_next_key(w, prev, &next, sizeof(next)) == 0) {
		struct tt_terminal *t;

		bool dead;

		key = next;
		prev = &key;
		/* asked first: a process already gone cannot write again, so what
		 * is read next is its final count */
		dead = proc_gone(key.tgid);
		if (bpf_map__lookup_elem(w, &key, sizeof(key), &v, sizeof(v), 0))
			continue;
		t = tt_model_find_terminal(c->m, key.dev);
		if (t) {
			v.comm[TT_COMM_LEN - 1] = 0;
			tt_model_offer_writer(t, key.tgid, v.comm, v.writes, v.bytes);
		}
		if (dead && ngone < (int)(sizeof(gone) / sizeof(gone[0])))
			gone[ngone++] = key;
	}
	/* deleting while iterating would restart the walk: collect, then delete */
	for (int i = 0; i < ngone; i++)
		bpf_map__delete_elem(w, &gone[i], sizeof(gone[i]), 0);
}

static void prune_procs_map(struct bpf_map *g)
{
	__u32 key, next, *prev = NULL, gone[256];
	int ngone = 0;

	while (bpf_map__get_next_key(g, prev, &next, sizeof(next)) == 0) {
		key = next;
		prev = &key;
		if (ngone < (int)(sizeof(gone) / sizeof(gone[0])) && proc_gone(key))
			gone[ngone++] = key;
	}
	/* the symbolizer keeps its own bounded per-pid cache: late events need it */
	for (int i = 0; i < ngone; i++)
		bpf_map__delete_elem(g, &gone[i], sizeof(gone[i]), 0);
}

static void prune_go_procs(struct tt_collector *c)
{
	prune_procs_map(c->skel->maps.go_procs);
	prune_procs_map(c->skel->maps.read_procs);
}

/* What the kernel says it skipped of the loaded syscall programs. */
static uint64_t skipped_runs(struct tt_collector *c)
{
	struct bpf_program *p;
	uint64_t sum = 0;

	bpf_object__for_each_program(p, c->skel->obj)
	{
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		const char *name = bpf_program__name(p);
		int fd = bpf_program__fd(p);

		if (fd < 0 || (strncmp(name, "enter_", 6) && strncmp(name, "exit_", 5)))
			continue;
		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(fd, &info, &len))
			sum += info.recursion_misses;
	}
	return sum;
}

static void read_drops(struct tt_collector *c)
{
	struct tt_totals *tot = &c->m->totals;
	__u64 vals[c->ncpus];

	tot->dropped = 0;
	for (__u32 k = 0; k < TT_DROP_NR; k++) {
		uint64_t sum = 0;

		if (bpf_map__lookup_elem(c->skel->maps.drops, &k, sizeof(k), vals, sizeof(vals), 0))
			continue;
		for (int i = 0; i < c->ncpus; i++)
			sum += vals[i];
		tot->drops[k] = sum;
		tot->dropped += sum;
	}
	tot->writes = c->m->others.writes;
	for (int i = 0; i < c->m->nterminals; i++)
		tot->writes += c->m->terminals[i].writes;
	/* the only drop that loses a write from every row: it was never timed */
	memset(tot->lost_by, 0, sizeof(tot->lost_by));
	tot->lost_by[TT_DROP_INFLIGHT_FULL] = tot->drops[TT_DROP_INFLIGHT_FULL];
	tot->lost_writes = tot->lost_by[TT_DROP_INFLIGHT_FULL];
	tot->skipped_runs = skipped_runs(c);
	tot->slots_size = c->slots.n ? c->slots.n - 1 : 0;
	tot->slots_used = c->slots.live;
	tot->slots_retired = c->retired;
}

/*
 * A terminal whose first write is stuck has no row yet (rows come from the
 * kernel's slots, taken as writes return): give it one, or it could not be
 * marked, and it is the one terminal that matters.
 */
static void row_for_stuck(struct tt_model *m, const struct tt_inflight_pick *p)
{
	char kname[TT_TTY_NAME_LEN];
	struct tt_terminal *t;

	if (!p->has_now || !p->now.name[0] || tt_model_find_terminal(m, p->w.dev))
		return;
	t = tt_model_row(m, p->w.dev);
	if (!t)
		return;
	snprintf(kname, sizeof(kname), "%.*s", TT_TTY_NAME_LEN - 1, p->now.name);
	t->class = p->w.class < TT_CLASS_NR ? p->w.class : TT_CLASS_OTHER;
	tt_tty_display_name(kname, t->class, t->name, sizeof(t->name));
}

/*
 * Naming who holds each pty master can walk /proc, which takes a second in a
 * slow guest on a first walk: the writes went on meanwhile, in the state they
 * were read in, so their times are brought up to when the document is stamped.
 */
static void age_in_flight(struct tt_model *m, uint64_t late)
{
	for (int i = 0; i < m->ninflight; i++) {
		struct tt_model_inflight *mi = &m->inflight[i];

		mi->ev.latency_ns += late;
		mi->state_ns += late;
		if (mi->state == TT_W_BLOCKED)
			mi->ev.blocked_ns += late;
		else if (mi->state == TT_W_RUNNABLE)
			mi->ev.runq_ns += late;
		else
			mi->ev.oncpu_ns += late;
	}
}

/* The writes in flight longer than the threshold (and 1 ms), the longest first. */
static void read_in_flight(struct tt_collector *c)
{
	uint64_t now = tt_mono_ns(), min = c->skel->data->threshold_ns;
	uint32_t ptys[TT_MODEL_MAX_INFLIGHT];
	struct tt_model *m = c->m;
	int total, n = 0, nptys = 0;
	struct tt_event e;

	if (min < TT_INFLIGHT_MIN_NS)
		min = TT_INFLIGHT_MIN_NS;
	total = tt_inflight_read(&c->inflight, now, min, c->picks, TT_MODEL_MAX_INFLIGHT, &n);
	m->ninflight = 0;
	m->totals.in_flight = total > 0 ? (uint64_t)total : 0;
	for (int i = 0; i < n; i++)
		if (c->picks[i].w.class == TT_CLASS_PTY)
			ptys[nptys++] = c->picks[i].w.dev & 0xfffff;
	for (int i = 0; i < n; i++) {
		struct tt_model_inflight *mi = &m->inflight[m->ninflight++];
		const struct tt_inflight_pick *p = &c->picks[i];

		tt_inflight_event(p, now, &e);
		row_for_stuck(m, p);
		event_to_model(c, &e, &mi->ev);
		mi->state = p->w.state < TT_W_NR ? p->w.state : TT_W_RUNNING;
		mi->state_ns = now > p->w.last_ns ? now - p->w.last_ns : 0;
		mi->has_lock_holder = mi->has_line = false;
		tt_inflight_blame(&c->readers, p, ptys, nptys, now, mi);
	}
	age_in_flight(m, tt_mono_ns() - now);
}

static int src_refresh(void *ctx, double dt)
{
	struct tt_collector *c = ctx;

	read_terminals(c);
	read_writers(c);
	prune_go_procs(c);
	tt_gostw_refresh(c->gostw, c->m); /* exited Go processes: probes detached */
	read_drops(c);
	read_in_flight(c);
	tt_tickers_read(bpf_map__fd(c->skel->maps.tickers), c->m);
	tt_model_tick(c->m, dt); /* also stamps the model's time */
	/* last: the sums of processes that exited were read above */
	tt_procs_prune(bpf_map__fd(c->skel->maps.procs), bpf_map__fd(c->skel->maps.proc_hint));
	return 0;
}

static int src_sample(void *ctx)
{
	struct tt_collector *c = ctx;
	uint64_t now = tt_mono_ns();

	read_terminals(c); /* slots are given back on this schedule, whatever -d is */
	if (now - c->peers_at > 2000000000ull) {
		c->peers_at = now;
		tt_peers_prune(bpf_map__fd(c->skel->maps.ttytop_peers));
	}
	return 0;
}

static int src_set_threshold(void *ctx, double ms)
{
	struct tt_collector *c = ctx;

	if (ms < 0 || ms > 600000)
		return -EINVAL;
	c->skel->data->threshold_ns = (uint64_t)(ms * 1e6);
	c->m->filters.threshold_ms = ms;
	return 0;
}

static struct tt_symbolizer *src_symbolizer(void *ctx)
{
	return ((struct tt_collector *)ctx)->sym;
}

static const struct tt_source_ops collector_ops = {
    .fd = src_fd,
    .drain = src_drain,
    .refresh = src_refresh,
    .sample = src_sample,
    .set_threshold = src_set_threshold,
    .symbolize_pending = NULL, /* stacks are symbolized on arrival */
    .symbolizer = src_symbolizer,
};

struct tt_source tt_collector_source(struct tt_collector *c)
{
	struct tt_source s = {&collector_ops, c};

	return s;
}

static void set_filters(struct ttytop_bpf *skel, const struct tt_opts *o)
{
	skel->rodata->self_tgid = getpid();
	skel->rodata->filter_tgid = o->pid > 0 ? (__u32)o->pid : 0;
	if (o->comm[0]) {
		skel->rodata->filter_comm_on = true;
		memcpy((char *)skel->rodata->filter_comm, o->comm,
		       strnlen(o->comm, TT_COMM_LEN - 1));
	}
	if (o->tty[0]) {
		int cls = tt_class_from_name(o->tty);

		if (cls >= 0) {
			skel->rodata->filter_class = cls;
		} else {
			skel->rodata->filter_tty_on = true;
			tty_filter_kname(o->tty, (char *)skel->rodata->filter_tty, TT_TTY_NAME_LEN);
		}
	}
	skel->rodata->capture_stacks = !o->no_stacks;
	skel->rodata->late_pct = o->late_pct > 0 ? (__u32)o->late_pct : TT_LATE_PCT_DEFAULT;
	skel->data->threshold_ns = (uint64_t)(o->threshold_ms * 1e6);
}

/*
 * Keep exactly one set of write hooks (fentry/fexit in the tty layer where
 * the kernel allows them, else per-syscall tracepoints, or the raw
 * sys_enter/sys_exit), one flavour of the entry programs and of sched_switch.
 */
static void choose_programs(struct ttytop_bpf *skel, const struct tt_probe_report *rep)
{
	bool raw = !rep->fentry && rep->raw_syscalls, tp = !rep->fentry && !rep->raw_syscalls;
	bool fast = rep->rdonly_cast, prev_state = rep->sched_prev_state;

	/* one entry and one exit program serve all five write syscalls (attach_syscalls) */
	bpf_program__set_autoload(skel->progs.enter_write_fast, tp && fast);
	bpf_program__set_autoload(skel->progs.enter_write_compat, tp && !fast);
	bpf_program__set_autoload(skel->progs.exit_write, tp);
	bpf_program__set_autoload(skel->progs.enter_raw_fast, raw && fast);
	bpf_program__set_autoload(skel->progs.enter_raw_compat, raw && !fast);
	bpf_program__set_autoload(skel->progs.exit_raw, raw);
	/* or none of those: the tty layer's own functions (bpf/ttytop.bpf.c, tty_layer_enter) */
	bpf_program__set_autoload(skel->progs.enter_tty_write, rep->fentry);
	bpf_program__set_autoload(skel->progs.exit_tty_write, rep->fentry);
	bpf_program__set_autoload(skel->progs.sched_switch_btf, prev_state);
	bpf_program__set_autoload(skel->progs.sched_switch_btf_pre518, !prev_state);
}

/*
 * A mapping of a BPF array is resident in full from the start (the kernel
 * maps every page at mmap), and the slot array is 7 MiB. So its address
 * range is reserved, and a chunk of it is mapped the first time a slot in
 * it is read: the slots in use stay the lowest (free_slots is a stack).
 */
static int reach_slot(void *ctx, uint32_t i)
{
	struct tt_collector *c = ctx;
	size_t lo = (size_t)i * sizeof(struct tt_tty_slot);
	size_t hi = lo + sizeof(struct tt_tty_slot);

	if (hi > c->slots_len)
		return -ERANGE;
	for (size_t k = lo / TT_SLOT_CHUNK_BYTES; k <= (hi - 1) / TT_SLOT_CHUNK_BYTES; k++) {
		size_t off = k * TT_SLOT_CHUNK_BYTES;
		size_t len = c->slots_len - off < TT_SLOT_CHUNK_BYTES ? c->slots_len - off
		                                                      : TT_SLOT_CHUNK_BYTES;

		if (k >= TT_SLOT_CHUNKS)
			return -ERANGE;
		if (c->slot_chunk_mapped[k])
			continue;
		if (mmap((char *)c->slots_mem + off, len, PROT_READ | PROT_WRITE,
		         MAP_SHARED | MAP_FIXED, bpf_map__fd(c->skel->maps.slots),
		         (off_t)off) == MAP_FAILED)
			return -errno;
		c->slot_chunk_mapped[k] = 1;
	}
	return 0;
}

/*
 * After load, before attach: reserve the slot array's addresses, stack every
 * slot but the others slot as free (1 on top), and make the map-in-map that
 * wait_for_programs uses.
 */
static int setup_slots(struct tt_collector *c, char *err, size_t errlen)
{
	struct bpf_map *map = c->skel->maps.slots;
	uint32_t n = bpf_map__max_entries(map);
	long page = sysconf(_SC_PAGESIZE);
	LIBBPF_OPTS(bpf_map_create_opts, o);
	int r;

	c->slots_len = ((size_t)n * sizeof(struct tt_tty_slot) + page - 1) / page * page;
	if (TT_SLOT_CHUNK_BYTES % page || c->slots_len > TT_SLOT_CHUNKS * TT_SLOT_CHUNK_BYTES) {
		snprintf(err, errlen, "terminal slots: page size %ld unsupported", page);
		return -ENOTSUP;
	}
	c->slots_mem =
	    mmap(NULL, c->slots_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (c->slots_mem == MAP_FAILED) {
		c->slots_mem = NULL;
		snprintf(err, errlen, "cannot map the terminal statistics: %s", strerror(errno));
		return -errno;
	}
	if (tt_slots_init(&c->slots, c->slots_mem, n)) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	c->slots.used = c->skel->bss->slot_used;
	c->slots.reach = reach_slot;
	c->slots.reach_ctx = c;
	if ((r = reach_slot(c, TT_SLOT_OTHERS))) {
		snprintf(err, errlen, "cannot map the terminal statistics: %s", strerror(-r));
		return r;
	}
	for (__u32 i = n - 1; i >= 1; i--)
		if (bpf_map__update_elem(c->skel->maps.free_slots, NULL, 0, &i, sizeof(i), 0)) {
			snprintf(err, errlen, "cannot fill the free terminal slots: %s",
			         strerror(errno));
			return -errno;
		}
	c->grace_inner = bpf_map_create(BPF_MAP_TYPE_ARRAY, "tt_grace_in", 4, 4, 1, NULL);
	o.inner_map_fd = c->grace_inner;
	c->grace_outer = c->grace_inner < 0
	                     ? -1
	                     : bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, "tt_grace", 4, 4, 1, &o);
	return 0;
}

/*
 * The in-flight table and what reads the terminal's state now. Without
 * BPF_PROG_TEST_RUN for raw tracepoint programs (5.10+) in-flight writes are
 * still shown, with the backlog of their entry and no lock holder.
 */
static int setup_inflight(struct tt_collector *c, struct tt_probe_report *rep, char *err,
                          size_t errlen)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	struct tt_inflight_src *s = &c->inflight;

	c->picks = calloc(TT_MODEL_MAX_INFLIGHT, sizeof(*c->picks));
	if (!c->picks) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	s->table_fd = bpf_map__fd(c->skel->maps.inflight);
	s->kstack_fd = bpf_map__fd(c->skel->maps.sleep_stacks);
	s->ustack_fd = bpf_map__fd(c->skel->maps.sleep_ustacks);
	s->now = &c->skel->bss->inflight_now;
	s->now_prog_fd = bpf_program__fd(c->skel->progs.inflight_now_read);
	s->now->tid = 0;
	if (s->now_prog_fd >= 0 && bpf_prog_test_run_opts(s->now_prog_fd, &opts) < 0) {
		if (c->verbose)
			fprintf(stderr,
			        "ttytop: the terminal's state of writes in flight is not read "
			        "(BPF_PROG_TEST_RUN: %s)\n",
			        strerror(errno));
		s->now_prog_fd = -1;
		rep->lost |= 1u << TT_LOST_INFLIGHT_NOW;
	}
	tt_ptyreaders_init(&c->readers, NULL);
	return 0;
}

static struct tt_collector *collector_new(const struct tt_opts *o, struct tt_model *m, char *err,
                                          size_t errlen, int *ret)
{
	struct tt_collector *c = calloc(1, sizeof(*c));

	if (!c) {
		snprintf(err, errlen, "out of memory");
		*ret = -ENOMEM;
		return NULL;
	}
	c->m = m;
	c->verbose = o->verbose;
	c->no_stacks = o->no_stacks;
	c->grace_outer = c->grace_inner = -1;
	c->ncpus = libbpf_num_possible_cpus();
	if (c->ncpus <= 0) {
		snprintf(err, errlen, "cannot count CPUs");
		*ret = -EINVAL;
		return c;
	}
	c->sym = tt_sym_new();
	c->early = malloc(sizeof(*c->early));
	if (c->early)
		tt_early_init(c->early);
	if (!c->sym || !c->early) {
		snprintf(err, errlen, "out of memory");
		*ret = -ENOMEM;
	}
	return c;
}

/* Open the BPF object, give it what the probe found and the filters, and
 * choose the programs this kernel takes. */
static int open_programs(struct tt_collector *c, const struct tt_opts *o,
                         const struct tt_probe_report *rep, char *err, size_t errlen)
{
	int ret;

	c->skel = ttytop_bpf__open();
	if (!c->skel) {
		ret = -errno;
		snprintf(err, errlen, "cannot open the BPF object: %s", strerror(-ret));
		return ret;
	}
	set_filters(c->skel, o);
	ret = bpf_map__set_max_entries(
	    c->skel->maps.events, o->threshold_ms > 0 ? TT_RINGBUF_BYTES : TT_RINGBUF_BYTES_ALL);
	if (ret) {
		snprintf(err, errlen, "cannot size the event ring: %s", strerror(-ret));
		return ret;
	}
	choose_programs(c->skel, rep);
	bpf_program__set_autoattach(c->skel->progs.inflight_now_read, false);
	return 0;
}

/* Load, size the tables, attach, and open the ring buffer. */
static int attach_syscalls(struct tt_collector *c)
{
	struct bpf_program *enter = bpf_program__autoload(c->skel->progs.enter_write_fast)
	                                ? c->skel->progs.enter_write_fast
	                                : c->skel->progs.enter_write_compat;
	struct bpf_program *exit = c->skel->progs.exit_write;
	char tp[32];

	if (!bpf_program__autoload(exit))
		return 0; /* the raw sys_enter/sys_exit hooks are in use */
	for (int i = 0; i < 4; i++) {
		snprintf(tp, sizeof(tp), "sys_enter_%s", other_writes[i]);
		c->sys_links[2 * i] = bpf_program__attach_tracepoint(enter, "syscalls", tp);
		if (!c->sys_links[2 * i])
			return -errno;
		snprintf(tp, sizeof(tp), "sys_exit_%s", other_writes[i]);
		c->sys_links[2 * i + 1] = bpf_program__attach_tracepoint(exit, "syscalls", tp);
		if (!c->sys_links[2 * i + 1])
			return -errno;
	}
	return 0;
}

static int load_programs(struct tt_collector *c, struct tt_probe_report *rep, char *err,
                         size_t errlen)
{
	uint64_t t = tt_mono_ns();
	int ret = ttytop_bpf__load(c->skel);

	rep->load_ms = (tt_mono_ns() - t) / 1e6;
	if (ret)
		snprintf(err, errlen,
		         ret == -EPERM ? "the kernel refused to load the BPF programs (EPERM): "
		                         "needs CAP_BPF and CAP_PERFMON"
		                       : "the kernel rejected the BPF programs: %s (run with -v "
		                         "for the verifier log)",
		         strerror(-ret));
	return ret;
}

/* The kernel symbols the programs compare against, once they are read. */
static void set_ksyms(struct tt_collector *c, const struct tt_probe_report *rep)
{
	struct ttytop_bpf__bss *b = c->skel->bss;

	b->tty_write_addr = rep->tty_write;
	b->redirected_tty_write_addr = rep->redirected_tty_write;
	b->nr_irq_ranges = 0;
	for (int i = 0; rep->irq_detect && i < TT_IRQ_RANGES; i++)
		if (rep->irq_ranges[i][0])
			memcpy(b->irq_ranges[b->nr_irq_ranges++], rep->irq_ranges[i],
			       sizeof(rep->irq_ranges[i]));
}

static int attach_programs(struct tt_collector *c, struct tt_probe_report *rep, char *err,
                           size_t errlen)
{
	uint64_t t;
	int ret;

	set_ksyms(c, rep);
	if ((ret = setup_slots(c, err, errlen)) || (ret = setup_inflight(c, rep, err, errlen)))
		return ret;
	rep->tty_slots = c->slots.n - 1;
	t = tt_mono_ns();
	/* before the first program runs: no write of another instance is ever timed */
	ret = tt_peers_join(bpf_map__fd(c->skel->maps.ttytop_peers));
	if (ret < 0) {
		snprintf(err, errlen, "cannot enter ttytop's own peer map: %s", strerror(-ret));
		return ret;
	}
	if (c->verbose)
		fprintf(stderr, "ttytop: %d other ttytop instance(s) running\n", ret);
	ret = ttytop_bpf__attach(c->skel);
	if (!ret)
		ret = attach_syscalls(c);
	if (ret) {
		snprintf(err, errlen, "cannot attach to the tracepoints: %s", strerror(-ret));
		return ret;
	}
	rep->attach_ms = (tt_mono_ns() - t) / 1e6;
	c->gostw = tt_gostw_new(c->skel->obj, &ret); /* attached per Go process later */
	if (!c->gostw && c->verbose)
		fprintf(stderr, "ttytop: no Go stop-the-world probes: %s\n", strerror(-ret));
	c->rb = ring_buffer__new(bpf_map__fd(c->skel->maps.events), on_record, c, NULL);
	if (!c->rb) {
		ret = -errno;
		snprintf(err, errlen, "cannot open the event ring buffer: %s", strerror(-ret));
		return ret;
	}
	return 0;
}

/* What the documents and the header say about how ttytop is attached. */
static void describe_attach(struct tt_model *m, const struct tt_opts *o,
                            const struct tt_probe_report *rep, uint64_t t0)
{
	snprintf(m->attach.mode, sizeof(m->attach.mode), "%s",
	         rep->fentry         ? "fentry"
	         : rep->raw_syscalls ? "raw_syscalls"
	                             : "tracepoint");
	snprintf(m->attach.enter_prog, sizeof(m->attach.enter_prog), "%s",
	         rep->rdonly_cast && !rep->fentry ? "rdonly_cast" : "probe_read");
	snprintf(m->attach.sched, sizeof(m->attach.sched), "%s",
	         rep->sched_prev_state ? "tp_btf" : "tp_btf-task-state");
	m->attach.tty_write_found = rep->tty_write != 0;
	m->attach.lost = rep->lost;
	m->attach.redirected_found = rep->redirected_tty_write != 0;
	m->attach.attach_us = (tt_mono_ns() - t0) / 1000;
	m->filters.pid = o->pid;
	snprintf(m->filters.comm, sizeof(m->filters.comm), "%s", o->comm);
	snprintf(m->filters.tty, sizeof(m->filters.tty), "%s", o->tty);
	m->filters.threshold_ms = o->threshold_ms;
	m->start_realtime_ns = tt_real_ns();
	m->now_realtime_ns = m->start_realtime_ns;
	m->interval_s = o->interval_s;
	m->row_cap = o->max_terminals;
	m->late_pct = o->late_pct > 0 ? (uint32_t)o->late_pct : TT_LATE_PCT_DEFAULT;
}

int tt_collector_open(struct tt_collector **out, const struct tt_opts *o, struct tt_model *m,
                      struct tt_probe_report *rep, char *err, size_t errlen)
{
	uint64_t t0 = tt_mono_ns();
	struct tt_ksyms_job ksyms;
	struct tt_collector *c = NULL;
	int ret, kret;

	*out = NULL;
	g_verbose = o->verbose;
	libbpf_set_print(libbpf_print);
	tt_ksyms_job_start(&ksyms);
	ret = tt_collector_probe(rep, err, errlen);
	rep->probe_ms = (tt_mono_ns() - t0) / 1e6;
	if (!ret)
		c = collector_new(o, m, err, errlen, &ret);
	if (c && !ret)
		ret = open_programs(c, o, rep, err, errlen);
	rep->open_ms = (tt_mono_ns() - t0) / 1e6 - rep->probe_ms;
	if (c && !ret)
		ret = load_programs(c, rep, err, errlen);
	kret = tt_ksyms_job_finish(&ksyms, rep, ret ? NULL : err, errlen);
	if (!ret)
		ret = kret;
	if (!ret)
		ret = attach_programs(c, rep, err, errlen);
	if (ret) {
		tt_collector_close(c);
		return ret;
	}
	c->mono_to_real_ns = tt_real_ns() - tt_mono_ns();
	describe_attach(m, o, rep, t0);
	/*
	 * Loading parsed the kernel's BTF (several MiB) and freed it; glibc keeps
	 * freed heap pages resident until asked to give them back.
	 */
	malloc_trim(0);
	*out = c;
	return 0;
}

void tt_collector_close(struct tt_collector *c)
{
	if (!c)
		return;
	ring_buffer__free(c->rb);
	tt_gostw_free(c->gostw); /* its uprobes, before the programs they run */
	for (int i = 0; i < 8; i++)
		bpf_link__destroy(c->sys_links[i]);
	ttytop_bpf__destroy(c->skel);
	tt_sym_free(c->sym);
	if (c->early && c->verbose)
		fprintf(stderr,
		        "ttytop: first writes: %llu goroutines, %llu frames from kernel captures\n",
		        (unsigned long long)c->early->fixed_goids,
		        (unsigned long long)c->early->fixed_frames);
	if (c->verbose) {
		struct tt_str_stats st;

		tt_str_stats(&st);
		fprintf(stderr, "ttytop: frame names: %u kept (%zu KiB), %llu refused (table full)\n",
		        st.names - 1, st.bytes >> 10, (unsigned long long)st.refused);
	}
	if (c->early)
		tt_early_free(c->early);
	free(c->early);
	tt_slots_free(&c->slots);
	free(c->picks);
	if (c->slots_mem)
		munmap(c->slots_mem, c->slots_len);
	if (c->grace_outer >= 0)
		close(c->grace_outer);
	if (c->grace_inner >= 0)
		close(c->grace_inner);
	free(c);
}
