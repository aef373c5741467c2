/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Model -> ttytop/1 JSON (docs/json.md, docs/ttytop-1.schema.json).
 * Counters are JSON numbers; cJSON holds them as doubles, so values above
 * 2^53 lose their low bits. That is ~104 days of nanoseconds in one counter
 * and is documented as acceptable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "json.h"
#include "json_go.h"
#include "json_out.h"
#include "json_pane.h"

/* Named counters, present even when zero. */
static int terminal_counts(cJSON *o, const struct tt_terminal *t)
{
	cJSON *x;
	char dev[32];

	jo_fmt_dev(t->dev, dev, sizeof(dev));
	if (!jo_str(o, "name", t->name, sizeof(t->name)) ||
	    !cJSON_AddStringToObject(o, "class", tt_class_name(t->class)) ||
	    !cJSON_AddStringToObject(o, "dev", dev) ||
	    !jo_str(o, "driver", t->driver, sizeof(t->driver)) ||
	    !jo_u64(o, "writes", t->writes) || !jo_u64(o, "bytes", t->bytes) ||
	    !jo_u64(o, "errors", t->errors) || !jo_u64(o, "short_writes", t->short_writes) ||
	    !jo_u64(o, "slow", t->slow))
		return -1;

	if (!(x = cJSON_AddObjectToObject(o, "errors_by_errno")))
		return -1;
	for (int i = 0; i < TT_ERR_NR; i++)
		if (t->errs[i] && !jo_u64(x, tt_errslot_name(i), t->errs[i]))
			return -1;
	return 0;
}

/* Where the time went: percentiles, totals by state, reasons, rates, histograms. */
static int terminal_times(cJSON *o, const struct tt_terminal *t)
{
	cJSON *x;

	if (!(x = cJSON_AddObjectToObject(o, "latency_ns")) || !jo_u64(x, "p50", t->p50) ||
	    !jo_u64(x, "p90", t->p90) || !jo_u64(x, "p99", t->p99) ||
	    !jo_u64(x, "max", t->max_ns))
		return -1;
	if (!jo_u64(o, "oncpu_ns", t->oncpu_ns) || !jo_u64(o, "blocked_ns", t->blocked_ns) ||
	    !jo_u64(o, "runq_ns", t->runq_ns))
		return -1;

	if (!(x = cJSON_AddObjectToObject(o, "blocked_by_reason")))
		return -1;
	for (int i = TT_REASON_NONE + 1; i < TT_REASON_NR; i++)
		if (t->reasons[i] && !jo_u64(x, tt_reason_name(i), t->reasons[i]))
			return -1;

	if (!jo_num(o, "writes_per_s", t->writes_per_s) ||
	    !jo_num(o, "bytes_per_s", t->bytes_per_s) ||
	    !jo_num(o, "blocked_share", t->blocked_share))
		return -1;
	if (!jo_hist(o, "hist", &t->lat) || !jo_hist(o, "hist_blocked", &t->blocked) ||
	    !jo_hist(o, "hist_runq", &t->runq))
		return -1;
	return 0;
}

static int terminal_spark(cJSON *o, const struct tt_terminal *t)
{
	cJSON *x, *y;

	if (!(x = cJSON_AddArrayToObject(o, "spark_p99_ns")))
		return -1;
	for (int i = 0; i < t->spark_len && i < TT_SPARK_LEN; i++) {
		y = jo_u64_item(t->spark_p99[i]);
		if (!y || !cJSON_AddItemToArray(x, y))
			return cJSON_Delete(y), -1;
	}
	return 0;
}

static int terminal_writers(cJSON *o, const struct tt_model *m, const struct tt_terminal *t)
{
	cJSON *x, *y;

	if (!(x = cJSON_AddArrayToObject(o, "writers")))
		return -1;
	for (int i = 0; i < t->nwriters && i < TT_MODEL_MAX_WRITERS; i++) {
		const struct tt_writer *w = &t->writers[i];

		y = cJSON_CreateObject();
		if (!y || !cJSON_AddItemToArray(x, y))
			return cJSON_Delete(y), -1;
		if (!jo_u64(y, "pid", w->pid) || !jo_str(y, "comm", w->comm, sizeof(w->comm)) ||
		    !jo_u64(y, "writes", w->writes) || !jo_u64(y, "bytes", w->bytes) ||
		    tt_json_ticks(y, m, t->dev, w->pid) < 0)
			return -1;
	}
	return 0;
}

/* others_n < 0: a terminal; else the others row, which says how many it holds */
static int render_terminal(cJSON *arr, const struct tt_model *m, const struct tt_terminal *t,
                           int64_t others_n)
{
	cJSON *o = cJSON_CreateObject();

	if (!o || !cJSON_AddItemToArray(arr, o))
		return cJSON_Delete(o), -1;
	if (others_n >= 0 && !jo_u64(o, "others", (uint64_t)others_n))
		return -1;
	if (terminal_counts(o, t) < 0 || terminal_times(o, t) < 0 || terminal_spark(o, t) < 0 ||
	    terminal_writers(o, m, t) < 0)
		return -1;
	return 0;
}

static int render_frames(cJSON *o, const char *key, const struct tt_stack *s, int max)
{
	cJSON *a = cJSON_AddArrayToObject(o, key);

	if (!a)
		return -1;
	for (int i = 0; i < s->n && i < max; i++) {
		const struct tt_frame *f = &s->frames[i];

		if (jo_frame(a, f->addr, tt_str(f->func), tt_str(f->file), f->line, tt_str(f->module)) < 0)
			return -1;
	}
	return 0;
}

/*
 * Where the goroutine was read (the kernel side's TT_EV_GOID_* bits): the
 * thread's TLS g, confirmed (+) by the g register Go code keeps it in (amd64
 * R14, arm64 R28), or the register alone (arm64 without cgo).
 */
static const char *goid_source(uint32_t flags)
{
	if (flags & TT_EV_GOID_REG) /* arm64 alone reads it so */
		return "r28";
	if (flags & TT_EV_GOID_R14)
		return "tls+r14";
	if (flags & TT_EV_GOID_R28)
		return "tls+r28";
	return "tls";
}

/* Who wrote where: the fields an event and an in-flight write share first. */
static int event_who(cJSON *o, const struct tt_model_event *e)
{
	char buf[40];

	jo_fmt_time(e->time_ns, buf, sizeof(buf));
	if (!jo_u64(o, "time_ns", e->time_ns) || !cJSON_AddStringToObject(o, "time", buf) ||
	    !jo_u64(o, "pid", e->pid) || !jo_u64(o, "tid", e->tid) ||
	    !(e->goid >= 0 ? jo_i64(o, "goid", e->goid) : cJSON_AddNullToObject(o, "goid")) ||
	    !(e->goid >= 0 ? cJSON_AddStringToObject(o, "goid_source", goid_source(e->flags))
			   : cJSON_AddNullToObject(o, "goid_source")) ||
	    !jo_str(o, "comm", e->comm, sizeof(e->comm)) ||
	    !jo_str(o, "terminal", e->terminal, sizeof(e->terminal)))
		return -1;
	jo_fmt_dev(e->dev, buf, sizeof(buf));
	if (!cJSON_AddStringToObject(o, "dev", buf) ||
	    !cJSON_AddStringToObject(o, "class", tt_class_name(e->class)) ||
	    !jo_i64(o, "fd", e->fd) ||
	    !cJSON_AddStringToObject(o, "syscall", tt_syscall_name(e->syscall)) ||
	    !jo_u64(o, "bytes", e->count))
		return -1;
	return 0;
}

static int event_split(cJSON *o, const struct tt_model_event *e)
{
	if (!jo_u64(o, "oncpu_ns", e->oncpu_ns) || !jo_u64(o, "blocked_ns", e->blocked_ns) ||
	    !jo_u64(o, "runq_ns", e->runq_ns) || !jo_u64(o, "sleeps", e->nr_sleeps) ||
	    !cJSON_AddStringToObject(o, "reason", tt_reason_name(e->reason)))
		return -1;
	return 0;
}

static int event_waker(cJSON *o, const struct tt_model_event *e)
{
	cJSON *x;

	if (e->waker_irq) {
		/* Woken from an interrupt: whoever was interrupted is not the waker. */
		if (!(x = cJSON_AddObjectToObject(o, "waker")) ||
		    !cJSON_AddNullToObject(x, "pid") || !cJSON_AddNullToObject(x, "comm") ||
		    !cJSON_AddTrueToObject(x, "irq"))
			return -1;
	} else if (e->has_waker) {
		if (!(x = cJSON_AddObjectToObject(o, "waker")) ||
		    !jo_u64(x, "pid", e->waker_pid) ||
		    !jo_str(x, "comm", e->waker_comm, sizeof(e->waker_comm)) ||
		    !cJSON_AddFalseToObject(x, "irq"))
			return -1;
	} else if (!cJSON_AddNullToObject(o, "waker")) {
		return -1;
	}
	return 0;
}

/* The terminal's backlog and the stacks. */
static int event_state(cJSON *o, const struct tt_model_event *e)
{
	cJSON *x;

	if (!(x = cJSON_AddObjectToObject(o, "backlog")) ||
	    !jo_u64(x, "buf_used", e->backlog.buf_used) ||
	    !jo_u64(x, "buf_limit", e->backlog.buf_limit) ||
	    !jo_u64(x, "reader_unread", e->backlog.reader_unread) ||
	    !cJSON_AddBoolToObject(x, "stopped", e->backlog.stopped != 0) ||
	    !cJSON_AddBoolToObject(x, "tco_stopped", e->backlog.tco_stopped != 0) ||
	    !cJSON_AddBoolToObject(x, "hw_stopped", e->backlog.hw_stopped != 0) ||
	    !cJSON_AddBoolToObject(x, "opost", e->backlog.opost != 0))
		return -1;

	if (!(x = cJSON_AddObjectToObject(o, "stack")) ||
	    render_frames(x, "user", &e->ustack, TT_USTACK_MAX) < 0 ||
	    render_frames(x, "kernel", &e->kstack, TT_KSTACK_MAX) < 0 ||
	    !cJSON_AddBoolToObject(x, "symbolized", (e->stk_flags & TT_EVSTK_SYMBOLIZED) != 0) ||
	    !cJSON_AddBoolToObject(x, "process_gone", (e->stk_flags & TT_EVSTK_PROC_GONE) != 0))
		return -1;
	return 0;
}

static int render_event(cJSON *arr, const struct tt_model_event *e)
{
	cJSON *o = cJSON_CreateObject();

	if (!o || !cJSON_AddItemToArray(arr, o))
		return cJSON_Delete(o), -1;
	if (event_who(o, e) < 0 || tt_json_event_kind(o, e) < 0 || !jo_i64(o, "ret", e->ret) ||
	    !jo_u64(o, "latency_ns", e->latency_ns) || event_split(o, e) < 0 ||
	    event_waker(o, e) < 0 || event_state(o, e) < 0)
		return -1;
	return 0;
}

/* Who should unblock it: the pty's reader, the write lock's holder, the line. */
static int inflight_blame(cJSON *o, const struct tt_model_inflight *w)
{
	cJSON *x, *r;

	if (w->nreaders < 0) {
		if (!cJSON_AddNullToObject(o, "reader"))
			return -1;
	} else {
		if (!(x = cJSON_AddArrayToObject(o, "reader")))
			return -1;
		for (int i = 0; i < w->nreaders && i < TT_MODEL_MAX_READERS; i++)
			if (!(r = cJSON_CreateObject()) || !cJSON_AddItemToArray(x, r) ||
			    !jo_u64(r, "pid", w->readers[i].pid) ||
			    !jo_str(r, "comm", w->readers[i].comm, sizeof(w->readers[i].comm)))
				return -1;
	}
	if (w->has_lock_holder) {
		if (!(x = cJSON_AddObjectToObject(o, "lock_holder")) ||
		    !jo_u64(x, "pid", w->lock_pid) || !jo_u64(x, "tid", w->lock_tid))
			return -1;
	} else if (!cJSON_AddNullToObject(o, "lock_holder")) {
		return -1;
	}
	if (w->has_line) {
		if (!(x = cJSON_AddObjectToObject(o, "line")) ||
		    !(w->line_speed ? jo_u64(x, "speed", w->line_speed)
				    : cJSON_AddNullToObject(x, "speed")) ||
		    !cJSON_AddBoolToObject(x, "crtscts", w->line_crtscts) ||
		    !cJSON_AddBoolToObject(x, "ixon", w->line_ixon))
			return -1;
	} else if (!cJSON_AddNullToObject(o, "line")) {
		return -1;
	}
	return 0;
}

static int render_inflight(cJSON *arr, const struct tt_model_inflight *w)
{
	const struct tt_model_event *e = &w->ev;
	cJSON *o = cJSON_CreateObject();

	if (!o || !cJSON_AddItemToArray(arr, o))
		return cJSON_Delete(o), -1;
	if (event_who(o, e) < 0 || !jo_u64(o, "elapsed_ns", e->latency_ns) ||
	    event_split(o, e) < 0 ||
	    !cJSON_AddStringToObject(o, "state", tt_wstate_name(w->state)) ||
	    !jo_u64(o, "state_ns", w->state_ns) || event_waker(o, e) < 0 ||
	    inflight_blame(o, w) < 0 || event_state(o, e) < 0)
		return -1;
	return 0;
}

/* attach.lost: what this kernel cannot give, by name */
static int add_lost(cJSON *o, uint32_t lost)
{
	cJSON *a = cJSON_AddArrayToObject(o, "lost");

	if (!a)
		return -1;
	for (int i = 0; i < TT_LOST_NR; i++)
		if (lost & 1u << i) {
			cJSON *s = cJSON_CreateString(tt_lost_name(i));

			if (!s || !cJSON_AddItemToArray(a, s)) {
				cJSON_Delete(s);
				return -1;
			}
		}
	return 0;
}

static int render_attach(cJSON *root, const struct tt_model *m)
{
	cJSON *x;

	if (!(x = cJSON_AddObjectToObject(root, "attach")) ||
	    !jo_str(x, "mode", m->attach.mode, sizeof(m->attach.mode)) ||
	    !jo_str(x, "enter_prog", m->attach.enter_prog, sizeof(m->attach.enter_prog)) ||
	    !jo_str(x, "sched", m->attach.sched, sizeof(m->attach.sched)) ||
	    !cJSON_AddBoolToObject(x, "tty_write_found", m->attach.tty_write_found) ||
	    !cJSON_AddBoolToObject(x, "redirected_found", m->attach.redirected_found) ||
	    !jo_u64(x, "attach_us", m->attach.attach_us) || add_lost(x, m->attach.lost) < 0)
		return -1;
	return 0;
}

static int render_filters(cJSON *root, const struct tt_model *m)
{
	cJSON *x;

	if (!(x = cJSON_AddObjectToObject(root, "filters")) ||
	    !(m->filters.pid ? jo_i64(x, "pid", m->filters.pid)
	                     : cJSON_AddNullToObject(x, "pid")) ||
	    !(m->filters.comm[0] ? jo_str(x, "comm", m->filters.comm, sizeof(m->filters.comm))
	                         : cJSON_AddNullToObject(x, "comm")) ||
	    !(m->filters.tty[0] ? jo_str(x, "tty", m->filters.tty, sizeof(m->filters.tty))
	                        : cJSON_AddNullToObject(x, "tty")) ||
	    !jo_num(x, "threshold_ms", m->filters.threshold_ms) ||
	    !jo_u64(x, "late_pct", m->late_pct))
		return -1;
	return 0;
}

static int render_totals(cJSON *root, const struct tt_model *m)
{
	cJSON *x, *y;
	int i;

	if (!(x = cJSON_AddObjectToObject(root, "totals")) ||
	    !jo_u64(x, "events", m->totals.events) || !jo_u64(x, "dropped", m->totals.dropped) ||
	    !(y = cJSON_AddObjectToObject(x, "drops")))
		return -1;
	/* Every drop counter, zero or not: a reader should see the zeros too. */
	for (i = 0; i < TT_DROP_NR; i++)
		if (!jo_u64(y, tt_drop_name(i), m->totals.drops[i]))
			return -1;
	if (!jo_u64(x, "no_stack", m->totals.no_stack) ||
	    !jo_u64(x, "writes", m->totals.writes) ||
	    !jo_u64(x, "in_flight", m->totals.in_flight) ||
	    !jo_u64(x, "lost_writes", m->totals.lost_writes) ||
	    !jo_u64(x, "skipped_runs", m->totals.skipped_runs) ||
	    !(y = cJSON_AddObjectToObject(x, "lost_by_reason")))
		return -1;
	for (i = 0; i < TT_DROP_NR; i++)
		if (m->totals.lost_by[i] && !jo_u64(y, tt_drop_name(i), m->totals.lost_by[i]))
			return -1;
	if (m->totals.slots_size && (!(y = cJSON_AddObjectToObject(x, "tty_slots")) ||
	                             !jo_u64(y, "size", m->totals.slots_size) ||
	                             !jo_u64(y, "used", m->totals.slots_used) ||
	                             !jo_u64(y, "retired", m->totals.slots_retired)))
		return -1;
	return 0;
}

/* terminals, then in_flight, then events newest first (only those past since_seq) */
static int render_rows(cJSON *root, const struct tt_model *m, uint64_t since_seq)
{
	cJSON *x;
	int i;

	if (!(x = cJSON_AddArrayToObject(root, "terminals")))
		return -1;
	for (i = 0; i < m->nterminals && i < TT_MODEL_MAX_TERMINALS; i++)
		if (render_terminal(x, m, &m->terminals[i], -1) < 0)
			return -1;
	if ((m->others_n || m->others.writes) && render_terminal(x, m, &m->others, m->others_n) < 0)
		return -1;

	if (!(x = cJSON_AddArrayToObject(root, "in_flight")))
		return -1;
	for (i = 0; m->inflight && i < m->ninflight && i < TT_MODEL_MAX_INFLIGHT; i++)
		if (render_inflight(x, &m->inflight[i]) < 0)
			return -1;

	if (!(x = cJSON_AddArrayToObject(root, "events")))
		return -1;
	for (uint32_t k = 0; m->events && k < m->ev_count; k++) {
		/* Event k (0 = newest) was the (ev_seq - 1 - k)-th ever pushed. */
		if (since_seq && m->ev_seq - 1 - k < since_seq)
			break;
		uint32_t slot = (m->ev_head + TT_MODEL_EVENT_RING - 1 - k) % TT_MODEL_EVENT_RING;

		if (render_event(x, &m->events[slot]) < 0)
			return -1;
	}
	return 0;
}

static int render_doc(cJSON *root, const struct tt_model *m, uint64_t since_seq)
{
	if (jo_header(root, m) < 0 || render_attach(root, m) < 0 ||
	    render_filters(root, m) < 0 || render_totals(root, m) < 0)
		return -1;
	if (render_rows(root, m, since_seq) < 0)
		return -1;
	if (tt_json_processes(root, m) < 0)
		return -1;
	return tt_json_panes(root, m);
}

char *tt_json_render(const struct tt_model *m, uint64_t since_seq, bool compact)
{
	cJSON *root = cJSON_CreateObject();
	char *s = NULL;

	if (!root)
		return NULL;
	if (render_doc(root, m, since_seq) == 0)
		s = compact ? cJSON_PrintUnformatted(root) : cJSON_Print(root);
	cJSON_Delete(root);
	return s;
}
