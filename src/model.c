/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The in-memory model: terminal table, top writers, event ring, and the
 * per-interval derived values. Bounded by construction (fixed tables); the
 * only allocation is the event ring, done once at init.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>

#include "clock.h"
#include "model.h"
#include "pane.h"

int tt_model_init(struct tt_model *m)
{
	struct utsname u;

	/*
	 * All but the rows, which are zeroed when taken: they are most of the
	 * model, and pages never written stay out of the resident set.
	 */
	memset(m, 0, offsetof(struct tt_model, terminals));
	memset((char *)m + offsetof(struct tt_model, nterminals), 0,
	       sizeof(*m) - offsetof(struct tt_model, nterminals));
	m->events = calloc(TT_MODEL_EVENT_RING, sizeof(*m->events));
	m->inflight = calloc(TT_MODEL_MAX_INFLIGHT, sizeof(*m->inflight));
	m->tickers = calloc(TT_MODEL_MAX_TICKERS, sizeof(*m->tickers));
	m->procs = calloc(TT_MODEL_MAX_PROCS, sizeof(*m->procs));
	m->panes = calloc(TT_PANE_MAX, sizeof(*m->panes));
	if (!m->events || !m->inflight || !m->tickers || !m->procs || !m->panes) {
		tt_model_free(m);
		return -ENOMEM;
	}
	/* gethostname does not promise NUL termination on truncation. */
	if (gethostname(m->host.hostname, sizeof(m->host.hostname) - 1) != 0)
		snprintf(m->host.hostname, sizeof(m->host.hostname), "unknown");
	m->host.hostname[sizeof(m->host.hostname) - 1] = '\0';
	if (uname(&u) == 0)
		snprintf(m->host.kernel, sizeof(m->host.kernel), "%.*s",
		         (int)sizeof(m->host.kernel) - 1, u.release);
	m->interval_s = 1.0;
	m->filters.threshold_ms = 10.0;
	m->late_pct = TT_LATE_PCT_DEFAULT;
	m->start_realtime_ns = tt_real_ns();
	m->now_realtime_ns = m->start_realtime_ns;
	return 0;
}

void tt_model_free(struct tt_model *m)
{
	if (!m)
		return;
	free(m->events);
	m->events = NULL;
	m->ev_head = m->ev_count = 0;
	free(m->inflight);
	m->inflight = NULL;
	m->ninflight = 0;
	free(m->tickers);
	m->tickers = NULL;
	m->ntickers = 0;
	free(m->procs);
	m->procs = NULL;
	m->nprocs = 0;
	tt_model_clear_panes(m);
	free(m->panes);
	m->panes = NULL;
}

struct tt_terminal *tt_model_find_terminal(struct tt_model *m, uint32_t dev)
{
	for (int i = 0; i < m->nterminals; i++)
		if (m->terminals[i].dev == dev)
			return &m->terminals[i];
	return NULL;
}

struct tt_terminal *tt_model_find_terminal_name(struct tt_model *m, const char *name)
{
	if (!name)
		return NULL;
	for (int i = 0; i < m->nterminals; i++)
		if (strncmp(m->terminals[i].name, name, sizeof(m->terminals[i].name)) == 0)
			return &m->terminals[i];
	return NULL;
}

struct tt_terminal *tt_model_terminal(struct tt_model *m, uint32_t dev)
{
	struct tt_terminal *t = tt_model_find_terminal(m, dev);

	if (t)
		return t;
	if (m->nterminals >= TT_MODEL_MAX_TERMINALS)
		return NULL;
	t = &m->terminals[m->nterminals++];
	memset(t, 0, sizeof(*t));
	t->dev = dev;
	t->class = TT_CLASS_OTHER;
	/* Placeholder until the caller knows the tty's name: never show a blank row. */
	snprintf(t->name, sizeof(t->name), "%u:%u", dev >> 20, dev & 0xfffff);
	return t;
}

struct tt_terminal *tt_model_others(struct tt_model *m, uint32_t dev)
{
	struct tt_terminal *o = &m->others;

	if (!o->name[0]) {
		snprintf(o->name, sizeof(o->name), "others");
		o->class = TT_CLASS_OTHER;
	}
	if (!dev)
		return o;
	for (uint32_t k = 0, h = dev * 2654435761u; k < TT_MODEL_OTHERS_DEVS; k++) {
		uint32_t *e = &m->others_devs[(h + k) % TT_MODEL_OTHERS_DEVS];

		if (*e == dev)
			return o;
		if (!*e) {
			*e = dev;
			m->others_n++;
			return o;
		}
	}
	m->others_n++; /* past the set: the count becomes a lower bound */
	return o;
}

static void hist_merge(struct tt_hist *dst, const struct tt_hist *src)
{
	for (uint32_t i = 0; i < TT_HIST_BUCKETS; i++)
		dst->counts[i] += src->counts[i];
}

void tt_terminal_merge(struct tt_terminal *dst, const struct tt_terminal *src)
{
	dst->writes += src->writes;
	dst->bytes += src->bytes;
	dst->errors += src->errors;
	dst->short_writes += src->short_writes;
	dst->slow += src->slow;
	dst->oncpu_ns += src->oncpu_ns;
	dst->blocked_ns += src->blocked_ns;
	dst->runq_ns += src->runq_ns;
	if (src->max_ns > dst->max_ns)
		dst->max_ns = src->max_ns;
	for (int i = 0; i < TT_ERR_NR; i++)
		dst->errs[i] += src->errs[i];
	for (int i = 0; i < TT_REASON_NR; i++)
		dst->reasons[i] += src->reasons[i];
	hist_merge(&dst->lat, &src->lat);
	hist_merge(&dst->blocked, &src->blocked);
	hist_merge(&dst->runq, &src->runq);
	if (src->last_write_ns > dst->last_write_ns)
		dst->last_write_ns = src->last_write_ns;
	/* rates keep working: what the folded row had is not new growth */
	dst->prev_writes += src->prev_writes;
	dst->prev_bytes += src->prev_bytes;
	hist_merge(&dst->prev_lat, &src->prev_lat);
}

void tt_model_fold(struct tt_model *m, int i)
{
	if (i < 0 || i >= m->nterminals)
		return;
	tt_terminal_merge(tt_model_others(m, m->terminals[i].dev), &m->terminals[i]);
	m->nterminals--;
	if (i != m->nterminals)
		m->terminals[i] = m->terminals[m->nterminals];
}

struct tt_terminal *tt_model_row(struct tt_model *m, uint32_t dev)
{
	struct tt_terminal *t = tt_model_find_terminal(m, dev);
	uint64_t oldest = UINT64_MAX;
	int victim = -1;

	if (t)
		return t;
	if (m->nterminals < (m->row_cap > 0 && m->row_cap < TT_MODEL_MAX_TERMINALS
	                         ? m->row_cap
	                         : TT_MODEL_MAX_TERMINALS)) {
		t = tt_model_terminal(m, dev);
		t->last_write_ns = m->now_realtime_ns;
		return t;
	}
	for (int i = 0; i < m->nterminals; i++) {
		uint64_t last = m->terminals[i].last_write_ns;

		if (last < oldest && m->now_realtime_ns >= last + TT_MODEL_FOLD_IDLE_NS) {
			oldest = last;
			victim = i;
		}
	}
	if (victim < 0)
		return NULL;
	tt_model_fold(m, victim);
	t = tt_model_terminal(m, dev);
	if (t) /* new, not quiet: the next fold must not pick it before it grows */
		t->last_write_ns = m->now_realtime_ns;
	return t;
}

void tt_model_add_stats(struct tt_model *m, struct tt_terminal *t, const struct tt_tty_stats *d)
{
	t->writes += d->writes;
	t->bytes += d->bytes;
	t->errors += d->errors;
	t->short_writes += d->short_writes;
	t->slow += d->slow;
	t->oncpu_ns += d->oncpu_ns;
	t->blocked_ns += d->blocked_ns;
	t->runq_ns += d->runq_ns;
	if (d->max_ns > t->max_ns)
		t->max_ns = d->max_ns;
	for (int i = 0; i < TT_ERR_NR; i++)
		t->errs[i] += d->errs[i];
	for (int i = 0; i < TT_REASON_NR; i++)
		t->reasons[i] += d->reasons[i];
	for (uint32_t i = 0; i < TT_HIST_BUCKETS; i++) {
		t->lat.counts[i] += d->hist_lat[i];
		t->blocked.counts[i] += d->hist_blocked[i];
		t->runq.counts[i] += d->hist_runq[i];
	}
	if (d->writes)
		t->last_write_ns = m->now_realtime_ns;
}

/*
 * How active a writer is: its writes in the last closed interval, or, before
 * the next tick, what it has written since the last one if that is more. A
 * writer seen for the first time counts all its writes: it is writing now.
 */
static uint64_t writer_activity(const struct tt_writer *w)
{
	uint64_t pending = w->writes > w->tick_writes ? w->writes - w->tick_writes : 0;

	return pending > w->recent ? pending : w->recent;
}

static bool writer_before(const struct tt_writer *a, const struct tt_writer *b)
{
	uint64_t x = writer_activity(a), y = writer_activity(b);

	return x != y ? x > y : a->writes > b->writes;
}

/* At most 8 entries, nearly sorted: insertion sort, stable so ties keep their place. */
static void sort_writers(struct tt_terminal *t)
{
	for (int i = 1; i < t->nwriters; i++) {
		struct tt_writer w = t->writers[i];
		int j = i;

		while (j > 0 && writer_before(&w, &t->writers[j - 1])) {
			t->writers[j] = t->writers[j - 1];
			j--;
		}
		t->writers[j] = w;
	}
}

void tt_model_offer_writer(struct tt_terminal *t, uint32_t pid, const char *comm, uint64_t writes,
                           uint64_t bytes)
{
	struct tt_writer cand;
	int i;

	for (i = 0; i < t->nwriters; i++)
		if (t->writers[i].pid == pid)
			break;
	if (i == t->nwriters) {
		memset(&cand, 0, sizeof(cand));
		cand.pid = pid;
		cand.writes = writes;
		if (t->nwriters < TT_MODEL_MAX_WRITERS) {
			t->writers[t->nwriters++] = cand;
		} else {
			/* Ties keep the incumbent: the list must not flap between refreshes. */
			if (!writer_before(&cand, &t->writers[t->nwriters - 1]))
				return;
			i = t->nwriters - 1;
			t->writers[i] = cand;
		}
	}
	t->writers[i].pid = pid;
	t->writers[i].writes = writes;
	t->writers[i].bytes = bytes;
	snprintf(t->writers[i].comm, sizeof(t->writers[i].comm), "%.*s", TT_COMM_LEN - 1,
	         comm ? comm : "");
	sort_writers(t);
}

static void copy_stack(struct tt_stack *dst, const struct tt_stack *src)
{
	int n = src->n < 0 ? 0 : src->n > TT_USTACK_MAX ? TT_USTACK_MAX : src->n;

	dst->n = n;
	memcpy(dst->frames, src->frames, sizeof(src->frames[0]) * (size_t)n);
}

/*
 * Only the frames in use: a slot holds 96 frames (38 KiB) and typical stacks
 * use a fifth of them, so the ring's untouched pages are never mapped.
 * Readers stop at n.
 */
static void copy_event(struct tt_model_event *dst, const struct tt_model_event *src)
{
	memcpy(dst, src, offsetof(struct tt_model_event, ustack));
	copy_stack(&dst->ustack, &src->ustack);
	copy_stack(&dst->kstack, &src->kstack);
}

struct tt_model_event *tt_model_push_event(struct tt_model *m, const struct tt_model_event *ev)
{
	struct tt_model_event *slot;

	if (!m->events)
		return NULL;
	slot = &m->events[m->ev_head];
	if (slot != ev)
		copy_event(slot, ev);
	m->ev_head = (m->ev_head + 1) % TT_MODEL_EVENT_RING;
	if (m->ev_count < TT_MODEL_EVENT_RING)
		m->ev_count++;
	m->ev_seq++;
	return slot;
}

struct tt_model_event *tt_model_event_at(struct tt_model *m, uint32_t i)
{
	if (!m->events || i >= m->ev_count)
		return NULL;
	return &m->events[(m->ev_head + TT_MODEL_EVENT_RING - 1 - i) % TT_MODEL_EVENT_RING];
}

/* p99 of the writes that completed during the interval just closed. */
static uint64_t interval_p99(const struct tt_terminal *t)
{
	struct tt_hist d;
	uint64_t any = 0;

	for (uint32_t i = 0; i < TT_HIST_BUCKETS; i++) {
		/* A counter that went backwards (map reset) counts as a fresh start. */
		uint64_t cur = t->lat.counts[i], prev = t->prev_lat.counts[i];

		d.counts[i] = cur >= prev ? cur - prev : cur;
		any |= d.counts[i];
	}
	return any ? tt_hist_percentile(&d, 0.99) : 0;
}

static double rate(uint64_t cur, uint64_t prev, double dt)
{
	uint64_t d = cur >= prev ? cur - prev : cur;

	return dt > 0 ? (double)d / dt : 0;
}

static void tick_terminal(struct tt_terminal *t, double dt)
{
	uint64_t total = t->oncpu_ns + t->blocked_ns + t->runq_ns;

	t->writes_per_s = rate(t->writes, t->prev_writes, dt);
	t->bytes_per_s = rate(t->bytes, t->prev_bytes, dt);
	t->p50 = tt_hist_percentile(&t->lat, 0.50);
	t->p90 = tt_hist_percentile(&t->lat, 0.90);
	t->p99 = tt_hist_percentile(&t->lat, 0.99);
	/*
	 * Bucket interpolation can overshoot the true maximum in the top
	 * bucket; a percentile above the observed max is never right.
	 */
	if (t->max_ns) {
		if (t->p50 > t->max_ns)
			t->p50 = t->max_ns;
		if (t->p90 > t->max_ns)
			t->p90 = t->max_ns;
		if (t->p99 > t->max_ns)
			t->p99 = t->max_ns;
	}
	t->blocked_share = total ? (double)t->blocked_ns / (double)total : 0;

	if (t->spark_len < 0 || t->spark_len > TT_SPARK_LEN)
		t->spark_len = 0;
	if (t->spark_len == TT_SPARK_LEN) {
		memmove(t->spark_p99, t->spark_p99 + 1, (TT_SPARK_LEN - 1) * sizeof(t->spark_p99[0]));
		t->spark_len--;
	}
	t->spark_p99[t->spark_len++] = interval_p99(t);

	t->prev_writes = t->writes;
	t->prev_bytes = t->bytes;
	t->prev_lat = t->lat;

	for (int k = 0; k < t->nwriters; k++) {
		struct tt_writer *w = &t->writers[k];

		w->recent = w->writes > w->tick_writes ? w->writes - w->tick_writes : 0;
		w->tick_writes = w->writes;
	}
	sort_writers(t);
}

void tt_model_tick(struct tt_model *m, double dt)
{
	/* A replayed snapshot is frozen evidence: its derived values stay as saved. */
	if (m->replay)
		return;
	m->now_realtime_ns = tt_real_ns();
	for (int i = 0; i < m->nterminals; i++)
		tick_terminal(&m->terminals[i], dt);
	if (m->others_n || m->others.writes)
		tick_terminal(tt_model_others(m, 0), dt);
}

/* The list is kept longest first, so the first match is the longest. */
const struct tt_model_inflight *tt_model_inflight_on(const struct tt_model *m, uint32_t dev)
{
	for (int i = 0; m->inflight && i < m->ninflight && i < TT_MODEL_MAX_INFLIGHT; i++)
		if (m->inflight[i].ev.dev == dev)
			return &m->inflight[i];
	return NULL;
}

const struct tt_model_inflight *tt_model_inflight_of(const struct tt_model *m, uint32_t tid)
{
	for (int i = 0; m->inflight && i < m->ninflight && i < TT_MODEL_MAX_INFLIGHT; i++)
		if (m->inflight[i].ev.tid == tid)
			return &m->inflight[i];
	return NULL;
}

/* --- kept panes (pane.h) ------------------------------------------------------------ */

static void pane_drop(struct tt_pane *p)
{
	free(p->threads);
	free(p->gs);
	free(p->names);
	memset(p, 0, sizeof(*p));
}

void tt_model_clear_panes(struct tt_model *m)
{
	for (int i = 0; m->panes && i < m->npanes && i < TT_PANE_MAX; i++)
		pane_drop(&m->panes[i]);
	m->npanes = 0;
}

const struct tt_pane *tt_model_pane(const struct tt_model *m, uint32_t pid)
{
	for (int i = 0; m->panes && i < m->npanes; i++)
		if (m->panes[i].pid == pid)
			return &m->panes[i];
	return NULL;
}

/* The copy's frames name entries of its own table, taken as first used. */
static void pane_remap(struct tt_pane_stack *s, const struct tt_pane *src, struct tt_pane *dst,
                       uint32_t *map)
{
	if (s->n > TT_PANE_DEPTH)
		s->n = TT_PANE_DEPTH;
	for (int i = 0; i < s->n; i++) {
		uint32_t k = s->f[i].name;

		if (k >= src->nnames) {
			s->f[i].name = UINT32_MAX;
			continue;
		}
		if (map[k] == UINT32_MAX) {
			map[k] = dst->nnames;
			dst->names[dst->nnames++] = src->names[k];
		}
		s->f[i].name = map[k];
	}
}

static bool g_waiting(const struct tt_pane_goroutine *g)
{
	return !strcmp(g->status_word, "waiting");
}

/*
 * The goroutines kept: all of them if they fit, else those doing something
 * (running, runnable, in a syscall) first and the waiting ones in what room
 * is left, each in the read's order.
 */
static void pane_pick_gs(struct tt_pane *d, const struct tt_pane *s, int n, uint32_t *map)
{
	int active = 0, room;

	for (int i = 0; i < n; i++)
		active += !g_waiting(&s->gs[i]);
	room = active < TT_PANE_SNAP_GOROUTINES ? TT_PANE_SNAP_GOROUTINES - active : 0;
	for (int i = 0; i < n && d->ngoroutines < TT_PANE_SNAP_GOROUTINES; i++) {
		bool w = g_waiting(&s->gs[i]);

		if (n > TT_PANE_SNAP_GOROUTINES && w && room-- <= 0)
			continue;
		d->gs[d->ngoroutines] = s->gs[i];
		pane_remap(&d->gs[d->ngoroutines++].stack, s, d, map);
	}
}

static int pane_copy(struct tt_pane *d, const struct tt_pane *s)
{
	int nt = s->threads && s->nthreads > 0 ? s->nthreads : 0;
	int ng = s->gs && s->ngoroutines > 0 ? s->ngoroutines : 0;
	uint32_t nn = s->names ? s->nnames : 0, *map;

	nt = nt < TT_MODEL_PANE_THREADS ? nt : TT_MODEL_PANE_THREADS;
	ng = ng < TT_PANE_GOROUTINES ? ng : TT_PANE_GOROUTINES;
	nn = nn < TT_PANE_FRAMES ? nn : TT_PANE_FRAMES;
	*d = *s;
	d->threads = calloc((size_t)nt + 1, sizeof(*d->threads));
	d->gs = ng ? calloc(ng < TT_PANE_SNAP_GOROUTINES ? (size_t)ng : TT_PANE_SNAP_GOROUTINES,
	                    sizeof(*d->gs))
	           : NULL;
	d->names = calloc((size_t)nn + 1, sizeof(*d->names));
	d->hash = NULL;
	d->nthreads = d->ngoroutines = 0;
	d->nnames = 0;
	map = malloc(((size_t)nn + 1) * sizeof(*map));
	if (!d->threads || (ng && !d->gs) || !d->names || !map) {
		free(map);
		pane_drop(d);
		return -ENOMEM;
	}
	memset(map, 0xff, ((size_t)nn + 1) * sizeof(*map));
	for (int i = 0; i < nt; i++) {
		struct tt_pane_thread *t = &d->threads[d->nthreads++];

		*t = s->threads[i];
		pane_remap(&t->ustack, s, d, map);
		pane_remap(&t->kstack, s, d, map);
	}
	pane_pick_gs(d, s, ng, map);
	free(map);
	return 0;
}

int tt_model_keep_pane(struct tt_model *m, const struct tt_pane *p)
{
	struct tt_pane copy;
	int slot = -1, old = 0;

	if (!m->panes)
		return -ENOMEM;
	for (int i = 0; i < m->npanes && slot < 0; i++) {
		if (m->panes[i].pid == p->pid)
			slot = i;
		else if (m->panes[i].read_ns < m->panes[old].read_ns)
			old = i;
	}
	if (slot < 0)
		slot = m->npanes < TT_PANE_MAX ? m->npanes : old;
	if (pane_copy(&copy, p) < 0)
		return -ENOMEM;
	if (slot == m->npanes)
		m->npanes++;
	else
		pane_drop(&m->panes[slot]);
	m->panes[slot] = copy;
	return 0;
}
