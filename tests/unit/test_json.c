/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ttytop/1: render -> parse round trip, and hostile documents. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "helpers.h"

#include <cjson/cJSON.h>

#include "json.h"

struct fx {
	struct tt_model *a, *b;
	char err[256];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->a = tt_model_new();
	f->b = tt_model_new();
	if (!f->a || !f->b)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	tt_model_delete(f->a);
	tt_model_delete(f->b);
	free(f);
	return 0;
}

static void fill_frame(struct tt_frame *fr, uint64_t addr, const char *func, const char *file,
                       int line, const char *mod)
{
	memset(fr, 0, sizeof(*fr));
	fr->addr = addr;
	tt_frame_set_func(fr, func);
	tt_frame_set_file(fr, file);
	fr->line = line;
	tt_frame_set_module(fr, mod);
}

/* Two writes in flight: a pty writer with its readers, a serial one behind a lock. */
static void fill_inflight(struct tt_model *m)
{
	struct tt_model_inflight *w = &m->inflight[0];

	memset(m->inflight, 0, 2 * sizeof(*m->inflight));
	w->ev.time_ns = 1764133358000000000ull;
	w->ev.pid = w->ev.tid = 4100;
	w->ev.goid = 9;
	snprintf(w->ev.comm, sizeof(w->ev.comm), "marquee");
	snprintf(w->ev.terminal, sizeof(w->ev.terminal), "pts/1");
	w->ev.dev = 136u << 20 | 1;
	w->ev.class = TT_CLASS_PTY;
	w->ev.count = 200000;
	w->ev.latency_ns = 5000000000ull;
	w->ev.oncpu_ns = 1000;
	w->ev.blocked_ns = 4999998000ull;
	w->ev.runq_ns = 1000;
	w->ev.nr_sleeps = 1;
	w->ev.reason = TT_REASON_BUFFER_FULL;
	w->ev.backlog.buf_used = 8960;
	w->ev.backlog.buf_limit = 8192;
	w->ev.kstack.n = 1;
	fill_frame(&w->ev.kstack.frames[0], 0xffffffff81000000ull, "n_tty_write", "", 0, "kernel");
	w->ev.stk_flags = TT_EVSTK_SYMBOLIZED;
	w->state = TT_W_BLOCKED;
	w->state_ns = 4999998000ull;
	w->nreaders = 2;
	w->readers[0].pid = 900;
	snprintf(w->readers[0].comm, sizeof(w->readers[0].comm), "tmux: server");
	w->readers[1].pid = 4100;
	snprintf(w->readers[1].comm, sizeof(w->readers[1].comm), "marquee");
	w = &m->inflight[1];
	w->ev.time_ns = 1764133358500000000ull;
	w->ev.pid = 4200;
	w->ev.tid = 4201;
	w->ev.goid = -1;
	snprintf(w->ev.comm, sizeof(w->ev.comm), "getty");
	snprintf(w->ev.terminal, sizeof(w->ev.terminal), "ttyS1");
	w->ev.dev = 4u << 20 | 65;
	w->ev.class = TT_CLASS_SERIAL;
	w->ev.count = 10;
	w->ev.latency_ns = 4500000000ull;
	w->ev.reason = TT_REASON_WRITE_LOCK;
	w->ev.has_waker = true;
	w->ev.waker_pid = 4100;
	snprintf(w->ev.waker_comm, sizeof(w->ev.waker_comm), "marquee");
	w->state = TT_W_RUNNABLE;
	w->state_ns = 12;
	w->nreaders = -1;
	w->has_lock_holder = true;
	w->lock_pid = 4100;
	w->lock_tid = 4100;
	w->has_line = true;
	w->line_speed = 115200;
	w->line_ixon = true;
	m->ninflight = 2;
	m->totals.in_flight = 5;
}

static void assert_frames_equal(const struct tt_stack *x, const struct tt_stack *y)
{
	assert_int_equal(x->n, y->n);
	for (int i = 0; i < x->n; i++) {
		assert_true(x->frames[i].addr == y->frames[i].addr);
		assert_string_equal(tt_str(x->frames[i].func), tt_str(y->frames[i].func));
		assert_string_equal(tt_str(x->frames[i].file), tt_str(y->frames[i].file));
		assert_int_equal(x->frames[i].line, y->frames[i].line);
		assert_string_equal(tt_str(x->frames[i].module), tt_str(y->frames[i].module));
	}
}

static void assert_inflight_equal(const struct tt_model *a, const struct tt_model *b)
{
	assert_int_equal(a->ninflight, b->ninflight);
	assert_true(a->totals.in_flight == b->totals.in_flight);
	for (int i = 0; i < a->ninflight; i++) {
		const struct tt_model_inflight *x = &a->inflight[i], *y = &b->inflight[i];

		assert_true(x->ev.time_ns - y->ev.time_ns + 256 <= 512);
		assert_int_equal(x->ev.pid, y->ev.pid);
		assert_int_equal(x->ev.tid, y->ev.tid);
		assert_true(x->ev.goid == y->ev.goid);
		assert_string_equal(x->ev.comm, y->ev.comm);
		assert_string_equal(x->ev.terminal, y->ev.terminal);
		assert_int_equal(x->ev.class, y->ev.class);
		assert_true(x->ev.latency_ns == y->ev.latency_ns);
		assert_true(x->ev.blocked_ns == y->ev.blocked_ns);
		assert_int_equal(x->ev.reason, y->ev.reason);
		assert_int_equal(x->ev.has_waker, y->ev.has_waker);
		assert_memory_equal(&x->ev.backlog, &y->ev.backlog, sizeof(x->ev.backlog));
		assert_frames_equal(&x->ev.kstack, &y->ev.kstack);
		assert_int_equal(x->state, y->state);
		assert_true(x->state_ns == y->state_ns);
		assert_int_equal(x->nreaders, y->nreaders);
		for (int r = 0; r < x->nreaders; r++) {
			assert_int_equal(x->readers[r].pid, y->readers[r].pid);
			assert_string_equal(x->readers[r].comm, y->readers[r].comm);
		}
		assert_int_equal(x->has_lock_holder, y->has_lock_holder);
		assert_int_equal(x->lock_pid, y->lock_pid);
		assert_int_equal(x->lock_tid, y->lock_tid);
		assert_int_equal(x->has_line, y->has_line);
		assert_int_equal(x->line_speed, y->line_speed);
		assert_int_equal(x->line_crtscts, y->line_crtscts);
		assert_int_equal(x->line_ixon, y->line_ixon);
	}
}

/* A model with every field set to something distinguishable. */
static void fill_model(struct tt_model *m)
{
	struct tt_model_event *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	snprintf(m->host.hostname, sizeof(m->host.hostname), "büild-01");
	snprintf(m->host.kernel, sizeof(m->host.kernel), "6.18.0-1-amd64");
	snprintf(m->attach.mode, sizeof(m->attach.mode), "tracepoint");
	snprintf(m->attach.enter_prog, sizeof(m->attach.enter_prog), "rdonly_cast");
	snprintf(m->attach.sched, sizeof(m->attach.sched), "tp_btf");
	m->attach.tty_write_found = true;
	m->attach.redirected_found = false;
	m->attach.attach_us = 123456;
	m->attach.lost = 1u << TT_LOST_R14_CHECK | 1u << TT_LOST_CONSOLE_REDIRECT;
	m->filters.pid = 4242;
	snprintf(m->filters.comm, sizeof(m->filters.comm), "yes");
	snprintf(m->filters.tty, sizeof(m->filters.tty), "pts/3");
	m->filters.threshold_ms = 2.5;
	m->interval_s = 0.5;
	m->now_realtime_ns = 1764133359123000000ull; /* ms aligned */
	m->start_realtime_ns = m->now_realtime_ns - 12500000000ull;
	m->totals.events = 77;
	for (int i = 0; i < TT_DROP_NR; i++)
		m->totals.drops[i] = (uint64_t)i * 3;
	m->totals.dropped = 45;
	m->totals.no_stack = 2;
	m->totals.writes = 1ull << 50;

	for (int k = 0; k < 3; k++) {
		struct tt_terminal *t = tt_model_terminal(m, (136u << 20) | (uint32_t)k);

		t->class = k == 2 ? TT_CLASS_SERIAL : TT_CLASS_PTY;
		snprintf(t->name, sizeof(t->name), k == 2 ? "ttyS%d" : "pts/%d", k);
		snprintf(t->driver, sizeof(t->driver), k == 2 ? "serial" : "pty_slave");
		t->writes = 1000 + (uint64_t)k;
		t->bytes = 900000 + (uint64_t)k;
		t->errors = 3;
		t->short_writes = 4;
		t->slow = 5 + (uint64_t)k;
		t->oncpu_ns = 111;
		t->blocked_ns = 222;
		t->runq_ns = 333;
		t->max_ns = 9000000000ull;
		t->errs[TT_ERR_EIO] = 2;
		t->errs[TT_ERR_OTHER] = 1;
		t->reasons[TT_REASON_BUFFER_FULL] = 7;
		t->reasons[TT_REASON_FLOW_STOPPED] = 1;
		t->lat.counts[3] = 10;
		t->lat.counts[100] = 20;
		t->lat.counts[TT_HIST_BUCKETS - 1] = 1; /* top bucket */
		t->blocked.counts[150] = 6;
		t->runq.counts[40] = 9;
		t->p50 = 1234;
		t->p90 = 56789;
		t->p99 = 8000000000ull;
		t->writes_per_s = 12.25;
		t->bytes_per_s = 0.1; /* not exact in binary: must still round trip */
		t->blocked_share = 0.3333333333333333;
		t->spark_len = 5;
		for (int i = 0; i < 5; i++)
			t->spark_p99[i] = (uint64_t)i * 1000;
		for (uint32_t p = 1; p <= 3; p++)
			tt_model_offer_writer(t, 100 + p, "writer", p * 10, p * 1000);
		t->prev_writes = t->writes;
		t->prev_bytes = t->bytes;
		t->prev_lat = t->lat;
	}

	for (int i = 0; i < 5; i++) {
		memset(e, 0, sizeof(*e));
		e->time_ns = 1764133350000000000ull + (uint64_t)i * 1000001;
		e->pid = 200 + (uint32_t)i;
		e->tid = 300 + (uint32_t)i;
		e->goid = i == 1 ? 17 : -1;
		if (i == 1)
			e->flags |= TT_EV_GOID_R14;
		snprintf(e->comm, sizeof(e->comm), "cat-%d", i);
		snprintf(e->terminal, sizeof(e->terminal), "pts/1");
		e->dev = 136u << 20 | 1;
		e->class = TT_CLASS_PTY;
		e->count = 4096;
		e->ret = i == 3 ? -5 : 4096;
		e->latency_ns = 15000000 + (uint64_t)i;
		e->oncpu_ns = 10000;
		e->blocked_ns = 14000000;
		e->runq_ns = 990000;
		e->reason = i == 2 ? TT_REASON_WRITE_LOCK : TT_REASON_BUFFER_FULL;
		e->syscall = i == 4 ? TT_SYS_PWRITEV2 : TT_SYS_WRITE;
		e->fd = i == 0 ? -1 : 1;
		e->nr_sleeps = 3;
		if (i == 0) {
			e->waker_irq = true;
			e->flags |= TT_EV_WAKER_IRQ;
		} else if (i != 4) {
			e->has_waker = true;
			e->waker_pid = 999;
			snprintf(e->waker_comm, sizeof(e->waker_comm), "sshd");
		}
		e->backlog.buf_used = 8192;
		e->backlog.buf_limit = 8192;
		e->backlog.reader_unread = 4095;
		e->backlog.stopped = i == 1;
		e->backlog.tco_stopped = 0;
		e->backlog.hw_stopped = i == 2;
		e->backlog.opost = 1;
		if (i != 3) {
			e->ustack.n = 3;
			fill_frame(&e->ustack.frames[0], 0x7f0012345678ull, "__GI___libc_write", "",
			           0, "libc.so.6");
			fill_frame(&e->ustack.frames[1], 0x401234, "main.main", "/src/main.go", 42,
			           "app");
			fill_frame(&e->ustack.frames[2], 0xdeadbeef, "", "", 0, "");
			e->kstack.n = 2;
			fill_frame(&e->kstack.frames[0], 0xffffffff81000000ull, "n_tty_write", "",
			           0, "kernel");
			fill_frame(&e->kstack.frames[1], 0xffffffff81000100ull, "file_tty_write",
			           "", 0, "kernel");
			e->stk_flags = TT_EVSTK_SYMBOLIZED;
		} else {
			e->stk_flags = TT_EVSTK_SYMBOLIZED | TT_EVSTK_PROC_GONE;
		}
		tt_model_push_event(m, e);
	}
	free(e);
	fill_inflight(m);
}

static void assert_models_equal(struct tt_model *a, struct tt_model *b)
{
	assert_string_equal(a->host.hostname, b->host.hostname);
	assert_string_equal(a->host.kernel, b->host.kernel);
	assert_string_equal(a->attach.mode, b->attach.mode);
	assert_string_equal(a->attach.enter_prog, b->attach.enter_prog);
	assert_string_equal(a->attach.sched, b->attach.sched);
	assert_int_equal(a->attach.tty_write_found, b->attach.tty_write_found);
	assert_int_equal(a->attach.redirected_found, b->attach.redirected_found);
	assert_int_equal(a->attach.attach_us, b->attach.attach_us);
	assert_int_equal(a->attach.lost, b->attach.lost);
	assert_int_equal(a->filters.pid, b->filters.pid);
	assert_string_equal(a->filters.comm, b->filters.comm);
	assert_string_equal(a->filters.tty, b->filters.tty);
	assert_true(a->filters.threshold_ms == b->filters.threshold_ms);
	assert_true(a->interval_s == b->interval_s);
	assert_true(a->now_realtime_ns == b->now_realtime_ns);
	assert_true(a->start_realtime_ns == b->start_realtime_ns);
	assert_true(memcmp(&a->totals, &b->totals, sizeof(a->totals)) == 0);

	assert_int_equal(a->nterminals, b->nterminals);
	for (int k = 0; k < a->nterminals; k++) {
		struct tt_terminal *x = &a->terminals[k], *y = &b->terminals[k];

		assert_int_equal(x->dev, y->dev);
		assert_int_equal(x->class, y->class);
		assert_string_equal(x->name, y->name);
		assert_string_equal(x->driver, y->driver);
		assert_true(x->writes == y->writes && x->bytes == y->bytes);
		assert_true(x->errors == y->errors && x->short_writes == y->short_writes);
		assert_true(x->slow == y->slow && x->max_ns == y->max_ns);
		assert_true(x->oncpu_ns == y->oncpu_ns && x->blocked_ns == y->blocked_ns &&
		            x->runq_ns == y->runq_ns);
		assert_memory_equal(x->errs, y->errs, sizeof(x->errs));
		/* "none" is not emitted; everything else is */
		for (int r = TT_REASON_NONE + 1; r < TT_REASON_NR; r++)
			assert_true(x->reasons[r] == y->reasons[r]);
		assert_memory_equal(&x->lat, &y->lat, sizeof(x->lat));
		assert_memory_equal(&x->blocked, &y->blocked, sizeof(x->blocked));
		assert_memory_equal(&x->runq, &y->runq, sizeof(x->runq));
		assert_true(x->p50 == y->p50 && x->p90 == y->p90 && x->p99 == y->p99);
		assert_true(x->writes_per_s == y->writes_per_s);
		assert_true(x->bytes_per_s == y->bytes_per_s);
		assert_true(x->blocked_share == y->blocked_share);
		assert_int_equal(x->spark_len, y->spark_len);
		assert_memory_equal(x->spark_p99, y->spark_p99,
		                    sizeof(x->spark_p99[0]) * (size_t)x->spark_len);
		assert_int_equal(x->nwriters, y->nwriters);
		for (int w = 0; w < x->nwriters; w++) {
			assert_int_equal(x->writers[w].pid, y->writers[w].pid);
			assert_string_equal(x->writers[w].comm, y->writers[w].comm);
			assert_true(x->writers[w].writes == y->writers[w].writes);
			assert_true(x->writers[w].bytes == y->writers[w].bytes);
		}
		assert_true(x->prev_writes == y->prev_writes);
		assert_memory_equal(&x->prev_lat, &y->prev_lat, sizeof(x->prev_lat));
	}

	assert_int_equal(a->ev_count, b->ev_count);
	for (uint32_t i = 0; i < a->ev_count; i++) {
		struct tt_model_event *x = tt_model_event_at(a, i), *y = tt_model_event_at(b, i);

		/* ~1.8e18 ns: cJSON reads it as a double, exact to 256 ns only */
		assert_true(x->time_ns - y->time_ns + 256 <= 512);
		assert_int_equal(x->pid, y->pid);
		assert_int_equal(x->tid, y->tid);
		assert_true(x->goid == y->goid);
		assert_int_equal(x->flags & (TT_EV_GOID_R14 | TT_EV_GOID_R28 | TT_EV_GOID_REG),
		                 y->flags & (TT_EV_GOID_R14 | TT_EV_GOID_R28 | TT_EV_GOID_REG));
		assert_string_equal(x->comm, y->comm);
		assert_string_equal(x->terminal, y->terminal);
		assert_int_equal(x->dev, y->dev);
		assert_int_equal(x->class, y->class);
		assert_int_equal(x->count, y->count);
		assert_true(x->ret == y->ret);
		assert_true(x->latency_ns == y->latency_ns && x->oncpu_ns == y->oncpu_ns &&
		            x->blocked_ns == y->blocked_ns && x->runq_ns == y->runq_ns);
		assert_int_equal(x->reason, y->reason);
		assert_int_equal(x->syscall, y->syscall);
		assert_int_equal(x->fd, y->fd);
		assert_int_equal(x->nr_sleeps, y->nr_sleeps);
		assert_int_equal(x->has_waker, y->has_waker);
		assert_int_equal(x->waker_irq, y->waker_irq);
		if (x->has_waker) {
			assert_int_equal(x->waker_pid, y->waker_pid);
			assert_string_equal(x->waker_comm, y->waker_comm);
		}
		assert_memory_equal(&x->backlog, &y->backlog, sizeof(x->backlog));
		assert_int_equal(x->stk_flags, y->stk_flags);
		assert_int_equal(x->flags & TT_EV_WAKER_IRQ, y->flags & TT_EV_WAKER_IRQ);
		assert_frames_equal(&x->ustack, &y->ustack);
		assert_frames_equal(&x->kstack, &y->kstack);
	}
	assert_inflight_equal(a, b);
}

static void round_trip(struct fx *f, bool compact)
{
	char *s;

	fill_model(f->a);
	s = tt_json_render(f->a, 0, compact);
	assert_non_null(s);
	if (compact)
		assert_null(strchr(s, '\n'));
	if (tt_json_parse(s, strlen(s), f->b, f->err, sizeof(f->err)) != 0)
		fail_msg("parse: %s", f->err);
	assert_true(f->b->replay);
	assert_models_equal(f->a, f->b);
	free(s);
}

static void test_round_trip_compact(void **state)
{
	round_trip(*state, true);
}

static void test_round_trip_pretty(void **state)
{
	round_trip(*state, false);
}

/* The others row: rendered last with its count, read back into m->others. */
static void test_others_row_round_trip(void **state)
{
	struct fx *f = *state;
	struct tt_terminal *o;
	cJSON *root, *a, *last;
	char *s;

	fill_model(f->a);
	o = tt_model_others(f->a, 136u << 20 | 77);
	tt_model_others(f->a, 136u << 20 | 78);
	o->writes = 100;
	o->bytes = 1600;
	o->lat.counts[40] = 100;
	f->a->totals.lost_writes = 3;
	f->a->totals.lost_by[TT_DROP_INFLIGHT_FULL] = 3;
	f->a->totals.slots_size = 2047;
	f->a->totals.slots_used = 12;
	f->a->totals.slots_retired = 5;
	s = tt_json_render(f->a, 0, true);
	assert_non_null(s);
	root = cJSON_Parse(s);
	a = cJSON_GetObjectItem(root, "terminals");
	last = cJSON_GetArrayItem(a, cJSON_GetArraySize(a) - 1);
	assert_string_equal(cJSON_GetObjectItem(last, "name")->valuestring, "others");
	assert_true(cJSON_GetObjectItem(last, "others")->valuedouble == 2);
	assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(a, 0), "others"));
	cJSON_Delete(root);
	assert_int_equal(tt_json_parse(s, strlen(s), f->b, f->err, sizeof(f->err)), 0);
	assert_int_equal(f->b->nterminals, f->a->nterminals);
	assert_int_equal(f->b->others_n, 2);
	assert_int_equal(f->b->others.writes, 100);
	assert_int_equal(f->b->others.lat.counts[40], 100);
	assert_int_equal(f->b->totals.lost_writes, 3);
	assert_int_equal(f->b->totals.lost_by[TT_DROP_INFLIGHT_FULL], 3);
	assert_int_equal(f->b->totals.slots_used, 12);
	assert_int_equal(f->b->totals.slots_retired, 5);
	free(s);
}

static void m_second_others(cJSON *r)
{
	cJSON *a = cJSON_GetObjectItem(r, "terminals");
	cJSON *o = cJSON_Duplicate(cJSON_GetArrayItem(a, 0), 1);

	cJSON_AddNumberToObject(o, "others", 1);
	cJSON_AddItemToArray(a, cJSON_Duplicate(o, 1));
	cJSON_AddItemToArray(a, o);
}

static void m_others_negative(cJSON *r)
{
	cJSON *o = cJSON_Duplicate(cJSON_GetArrayItem(cJSON_GetObjectItem(r, "terminals"), 0), 1);

	cJSON_AddNumberToObject(o, "others", -4);
	cJSON_AddItemToArray(cJSON_GetObjectItem(r, "terminals"), o);
}

static void m_lost_by_unknown(cJSON *r)
{
	cJSON *t = cJSON_GetObjectItem(r, "totals"), *x = cJSON_CreateObject();

	cJSON_AddNumberToObject(x, "gremlins", 1);
	cJSON_ReplaceItemInObject(t, "lost_by_reason", x);
}

/* The document's shape as others (jq, python) see it. */
static void test_document_shape(void **state)
{
	struct fx *f = *state;
	cJSON *root, *t, *e, *x;
	char *s;

	fill_model(f->a);
	s = tt_json_render(f->a, 0, true);
	root = cJSON_Parse(s);
	assert_non_null(root);
	assert_string_equal(cJSON_GetObjectItem(root, "schema")->valuestring, "ttytop/1");
	assert_string_equal(cJSON_GetObjectItem(root, "time")->valuestring,
	                    "2025-11-26T05:02:39.123Z");
	assert_true(cJSON_GetObjectItem(root, "uptime_s")->valuedouble == 12.5);
	t = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "terminals"), 0);
	assert_string_equal(cJSON_GetObjectItem(t, "dev")->valuestring, "136:0");
	assert_string_equal(cJSON_GetObjectItem(t, "class")->valuestring, "pty");
	x = cJSON_GetObjectItem(t, "errors_by_errno");
	assert_int_equal(cJSON_GetArraySize(x), 2); /* non-zero only */
	assert_true(cJSON_GetObjectItem(x, "EIO")->valuedouble == 2);
	x = cJSON_GetObjectItem(t, "blocked_by_reason");
	assert_int_equal(cJSON_GetArraySize(x), 2);
	assert_null(cJSON_GetObjectItem(x, "none"));
	x = cJSON_GetObjectItem(t, "hist");
	assert_int_equal(cJSON_GetArraySize(x), 3); /* non-empty buckets only */
	x = cJSON_GetArrayItem(x, 2);
	assert_true(cJSON_GetObjectItem(x, "max")->valuedouble ==
	            (double)(1ull << (TT_HIST_MAX_EXP + 1)));
	x = cJSON_GetObjectItem(cJSON_GetObjectItem(root, "filters"), "pid");
	assert_true(x->valuedouble == 4242);

	/* events newest first */
	e = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "events"), 0);
	assert_true(cJSON_GetObjectItem(e, "pid")->valuedouble == 204);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(e, "waker")));
	assert_string_equal(cJSON_GetObjectItem(e, "syscall")->valuestring, "pwritev2");
	e = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "events"), 4);
	x = cJSON_GetObjectItem(e, "waker");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(x, "irq")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(x, "pid")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(e, "goid")));
	x = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "stack"), "user"), 2);
	assert_string_equal(cJSON_GetObjectItem(x, "addr")->valuestring, "0xdeadbeef");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(x, "func")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(x, "line")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(x, "module")));
	e = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "events"), 3);
	assert_true(cJSON_GetObjectItem(e, "goid")->valuedouble == 17);
	assert_string_equal(cJSON_GetObjectItem(e, "goid_source")->valuestring, "tls+r14");
	e = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "events"), 4);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(e, "goid_source")));
	cJSON_Delete(root);
	free(s);

	/* large counters are plain integers in the text, never "1e+15" */
	f->a->terminals[0].bytes = 1000000000000000ull;
	f->a->terminals[1].bytes = UINT64_MAX;
	tt_model_event_at(f->a, 0)->ret = INT64_MIN;
	s = tt_json_render(f->a, 0, true);
	assert_non_null(strstr(s, "\"bytes\":1000000000000000,"));
	assert_non_null(strstr(s, "\"bytes\":18446744073709551615,"));
	assert_non_null(strstr(s, "\"ret\":-9223372036854775808,"));
	assert_non_null(strstr(s, "\"writes\":1125899906842624,")); /* totals.writes = 2^50 */
	assert_null(strstr(s, "e+"));
	assert_int_equal(tt_json_parse(s, strlen(s), f->b, f->err, sizeof(f->err)), 0);
	assert_true(f->b->terminals[1].bytes == UINT64_MAX);
	assert_true(tt_model_event_at(f->b, 0)->ret == INT64_MIN);
	free(s);

	/* empty filters are null */
	memset(&f->a->filters, 0, sizeof(f->a->filters));
	s = tt_json_render(f->a, 0, true);
	root = cJSON_Parse(s);
	x = cJSON_GetObjectItem(root, "filters");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(x, "pid")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(x, "comm")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(x, "tty")));
	cJSON_Delete(root);
	free(s);
}

/* Each way the kernel side read a goroutine has its name, and parses back to the same bits. */
static void test_goid_sources(void **state)
{
	struct fx *f = *state;
	static const struct {
		uint32_t flags;
		const char *name;
	} cases[] = {{0, "tls"},
	             {TT_EV_GOID_R14, "tls+r14"},
	             {TT_EV_GOID_R28, "tls+r28"},
	             {TT_EV_GOID_REG | TT_EV_GOID_R28, "r28"}};

	struct tt_model_event *e = NULL;

	fill_model(f->a);
	for (uint32_t i = 0; (e = tt_model_event_at(f->a, i)) && e->goid != 17; i++)
		;
	assert_non_null(e);
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct tt_model_event *back = NULL;
		char *s, want[64];

		e->flags = (e->flags & ~TT_EV_GOID_BITS) | TT_EV_GO | TT_EV_GOID | cases[c].flags;
		s = tt_json_render(f->a, 0, true);
		assert_non_null(s);
		snprintf(want, sizeof(want), "\"goid\":17,\"goid_source\":\"%s\"", cases[c].name);
		assert_non_null(strstr(s, want));
		assert_int_equal(tt_json_parse(s, strlen(s), f->b, f->err, sizeof(f->err)), 0);
		for (uint32_t i = 0; (back = tt_model_event_at(f->b, i)) && back->goid != 17; i++)
			;
		assert_non_null(back);
		assert_int_equal(back->flags & TT_EV_GOID_BITS, TT_EV_GOID | cases[c].flags);
		free(s);
	}
}

static void test_since_seq(void **state)
{
	struct fx *f = *state;
	cJSON *root;
	char *s;

	fill_model(f->a); /* 5 events, seq 0..4 */
	s = tt_json_render(f->a, 3, true);
	root = cJSON_Parse(s);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(root, "events")), 2);
	cJSON_Delete(root);
	free(s);
	s = tt_json_render(f->a, 5, true);
	root = cJSON_Parse(s);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(root, "events")), 0);
	cJSON_Delete(root);
	free(s);
}

static void test_invalid_utf8_and_controls(void **state)
{
	struct fx *f = *state;
	char *s;

	fill_model(f->a);
	/* comm is whatever prctl set: invalid UTF-8 and an escape sequence */
	struct tt_model_event *e = tt_model_event_at(f->a, 0);
	memcpy(e->comm, "a\xff\x1b[2Jb", 8);
	s = tt_json_render(f->a, 0, true);
	assert_non_null(s);
	assert_int_equal(tt_json_parse(s, strlen(s), f->b, f->err, sizeof(f->err)), 0);
	/* invalid byte became '?', ESC (escaped as \u001b in JSON) is defused on load */
	assert_string_equal(tt_model_event_at(f->b, 0)->comm, "a??[2Jb");
	free(s);
}

/* Parse text, expect failure with msg containing want. */
static void expect_err(struct fx *f, const char *text, const char *want)
{
	int rc = tt_json_parse(text, strlen(text), f->b, f->err, sizeof(f->err));

	if (rc == 0)
		fail_msg("parse of <%.80s> unexpectedly succeeded", text);
	assert_int_equal(rc, -1);
	assert_null(strchr(f->err, '\n'));
	if (!strstr(f->err, want))
		fail_msg("error \"%s\" does not mention \"%s\"", f->err, want);
	/* failed parse leaves an empty model, not a half-filled one */
	assert_int_equal(f->b->nterminals, 0);
	assert_int_equal(f->b->ev_count, 0);
	assert_false(f->b->replay);
}

static void test_not_ours(void **state)
{
	struct fx *f = *state;

	expect_err(f, "{\"schema\":\"ttytop/2\"}",
	           "a ttytop/2 snapshot, written by a newer ttytop; this one reads ttytop/1 only");
	expect_err(f, "{\"schema\":\"ttytop/17\",\"terminals\":7}", "a ttytop/17 snapshot");
	expect_err(f, "{\"schema\":\"ttytop/2x\"}", "not a ttytop/1 snapshot (schema \"ttytop/2x\")");
	expect_err(f, "{\"schema\":\"ttytop/ 2\"}", "not a ttytop/1 snapshot");
	expect_err(f, "{\"schema\":\"ttytop/0\"}", "not a ttytop/1 snapshot (schema \"ttytop/0\")");
	expect_err(f, "{\"schema\":\"other\\u001b\"}", "schema \"other?\"");
	expect_err(f, "{\"foo\":1}", "no \"schema\"");
	expect_err(f, "{\"schema\":1}", "schema is not a string");
	expect_err(f, "[1,2,3]", "top level is not an object");
	expect_err(f, "\"ttytop/1\"", "top level is not an object");
	expect_err(f, "", "empty");
	expect_err(f, "   ", "invalid JSON");
	expect_err(f, "{\"schema\":\"ttytop/1\"", "truncated");
	expect_err(f,
	           "\x7f"
	           "ELF\x02\x01\x01",
	           "invalid JSON");
	expect_err(f, "{\"schema\":\"ttytop/1\"} {}", "unexpected data after the document");
	expect_err(f, "{\"schema\":\"ttytop/1\"}", "time: missing");
}

/* Render f->a, apply a change to the cJSON tree, expect an error mentioning want. */
typedef void (*mutator)(cJSON *root);

static void mutate_expect(struct fx *f, mutator mut, const char *want)
{
	cJSON *root;
	char *s, *t;

	fill_model(f->a);
	s = tt_json_render(f->a, 0, true);
	root = cJSON_Parse(s);
	assert_non_null(root);
	mut(root);
	t = cJSON_PrintUnformatted(root);
	expect_err(f, t, want);
	free(t);
	free(s);
	cJSON_Delete(root);
	/* reset a for the next mutation */
	tt_model_free(f->a);
	assert_int_equal(tt_model_init(f->a), 0);
}

static cJSON *term(cJSON *root, int i)
{
	return cJSON_GetArrayItem(cJSON_GetObjectItem(root, "terminals"), i);
}

static cJSON *event(cJSON *root, int i)
{
	return cJSON_GetArrayItem(cJSON_GetObjectItem(root, "events"), i);
}

static void m_writes_string(cJSON *r)
{
	cJSON_ReplaceItemInObject(term(r, 2), "writes", cJSON_CreateString("12"));
}
static void m_writes_negative(cJSON *r)
{
	cJSON_ReplaceItemInObject(term(r, 1), "writes", cJSON_CreateNumber(-1));
}
static void m_writes_fraction(cJSON *r)
{
	cJSON_ReplaceItemInObject(term(r, 1), "bytes", cJSON_CreateNumber(1.5));
}
static void m_writes_huge(cJSON *r)
{
	cJSON_ReplaceItemInObject(term(r, 1), "bytes", cJSON_CreateNumber(1e30));
}
static void m_missing_name(cJSON *r)
{
	cJSON_DeleteItemFromObject(term(r, 0), "name");
}
static void m_bad_class(cJSON *r)
{
	cJSON_ReplaceItemInObject(term(r, 0), "class", cJSON_CreateString("modem"));
}
static void m_bad_dev(cJSON *r)
{
	cJSON_ReplaceItemInObject(term(r, 0), "dev", cJSON_CreateString("136:"));
}
static void m_dev_overflow(cJSON *r)
{
	cJSON_ReplaceItemInObject(term(r, 0), "dev", cJSON_CreateString("5000:1"));
}
static void m_dup_dev(cJSON *r)
{
	cJSON_ReplaceItemInObject(term(r, 1), "dev", cJSON_CreateString("136:0"));
}
static void m_share_range(cJSON *r)
{
	cJSON_ReplaceItemInObject(term(r, 0), "blocked_share", cJSON_CreateNumber(1.5));
}
static void m_hist_bad_bound(cJSON *r)
{
	cJSON *b = cJSON_GetArrayItem(cJSON_GetObjectItem(term(r, 0), "hist"), 1);
	cJSON_ReplaceItemInObject(b, "min", cJSON_CreateNumber(1001));
}
static void m_hist_not_array(cJSON *r)
{
	cJSON_ReplaceItemInObject(term(r, 0), "hist_runq", cJSON_CreateObject());
}
static void m_unknown_errno(cJSON *r)
{
	cJSON_AddNumberToObject(cJSON_GetObjectItem(term(r, 0), "errors_by_errno"), "EFOO", 1);
}
static void m_writer_pid(cJSON *r)
{
	cJSON *w = cJSON_GetArrayItem(cJSON_GetObjectItem(term(r, 0), "writers"), 1);
	cJSON_ReplaceItemInObject(w, "pid", cJSON_CreateNumber(5e9));
}
static void m_event_goid(cJSON *r)
{
	cJSON_ReplaceItemInObject(event(r, 3), "goid", cJSON_CreateString("17"));
}
static void m_event_goid_source(cJSON *r)
{
	cJSON_ReplaceItemInObject(event(r, 3), "goid_source", cJSON_CreateString("r15"));
}
static cJSON *inflight(cJSON *r, int i)
{
	return cJSON_GetArrayItem(cJSON_GetObjectItem(r, "in_flight"), i);
}
static void m_inflight_state(cJSON *r)
{
	cJSON_ReplaceItemInObject(inflight(r, 0), "state", cJSON_CreateString("sleepy"));
}
static void m_inflight_reader(cJSON *r)
{
	cJSON_ReplaceItemInObject(inflight(r, 0), "reader", cJSON_CreateString("tmux"));
}
static void m_inflight_reader_pid(cJSON *r)
{
	cJSON *rd = cJSON_GetArrayItem(cJSON_GetObjectItem(inflight(r, 0), "reader"), 1);
	cJSON_ReplaceItemInObject(rd, "pid", cJSON_CreateNumber(-3));
}
static void m_inflight_lock(cJSON *r)
{
	cJSON_ReplaceItemInObject(inflight(r, 1), "lock_holder", cJSON_CreateTrue());
}
static void m_inflight_line(cJSON *r)
{
	cJSON_DeleteItemFromObject(cJSON_GetObjectItem(inflight(r, 1), "line"), "ixon");
}
static void m_inflight_no_elapsed(cJSON *r)
{
	cJSON_DeleteItemFromObject(inflight(r, 1), "elapsed_ns");
}
static void m_inflight_not_array(cJSON *r)
{
	cJSON_ReplaceItemInObject(r, "in_flight", cJSON_CreateObject());
}
static void m_event_waker(cJSON *r)
{
	cJSON_ReplaceItemInObject(event(r, 1), "waker", cJSON_CreateNumber(1));
}
static void m_event_frame_addr(cJSON *r)
{
	cJSON *fr = cJSON_GetArrayItem(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(event(r, 0), "stack"), "kernel"), 1);
	cJSON_ReplaceItemInObject(fr, "addr", cJSON_CreateString("0xZZ"));
}
static void m_event_frame_line(cJSON *r)
{
	cJSON *fr = cJSON_GetArrayItem(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(event(r, 0), "stack"), "user"), 1);
	cJSON_ReplaceItemInObject(fr, "line", cJSON_CreateString("42"));
}
static void m_event_backlog(cJSON *r)
{
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(event(r, 2), "backlog"), "stopped",
	                          cJSON_CreateNumber(1));
}
static void m_events_not_array(cJSON *r)
{
	cJSON_ReplaceItemInObject(r, "events", cJSON_CreateNull());
}
static void m_time_bad(cJSON *r)
{
	cJSON_ReplaceItemInObject(r, "time", cJSON_CreateString("yesterday"));
}
static void m_drops_unknown(cJSON *r)
{
	cJSON_AddNumberToObject(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "totals"), "drops"),
	                        "cosmic_rays", 1);
}
static void m_too_many_terminals(cJSON *r)
{
	cJSON *a = cJSON_GetObjectItem(r, "terminals");
	for (int i = 0; i < TT_MODEL_MAX_TERMINALS; i++)
		cJSON_AddItemToArray(a, cJSON_Duplicate(cJSON_GetArrayItem(a, 0), 1));
}
static void m_too_many_buckets(cJSON *r)
{
	cJSON *a = cJSON_GetObjectItem(term(r, 0), "hist");
	for (int i = 0; i < (int)TT_HIST_BUCKETS; i++)
		cJSON_AddItemToArray(a, cJSON_Duplicate(cJSON_GetArrayItem(a, 0), 1));
}
static void m_filters_pid(cJSON *r)
{
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(r, "filters"), "pid",
	                          cJSON_CreateString("any"));
}

static void m_lost_not_array(cJSON *r)
{
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(r, "attach"), "lost",
	                          cJSON_CreateString("r14-check"));
}

static void m_lost_number(cJSON *r)
{
	cJSON_AddItemToArray(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "attach"), "lost"),
	                     cJSON_CreateNumber(3));
}

/*
 * attach.lost: rendered by name in enum order; a document from before it
 * existed parses as "nothing lost"; a name from a newer ttytop is skipped.
 */
static void test_attach_lost(void **state)
{
	struct fx *f = *state;
	cJSON *root, *lost, *attach;
	char *s, *t;

	fill_model(f->a);
	s = tt_json_render(f->a, 0, true);
	root = cJSON_Parse(s);
	assert_non_null(root);
	attach = cJSON_GetObjectItem(root, "attach");
	lost = cJSON_GetObjectItem(attach, "lost");
	assert_int_equal(cJSON_GetArraySize(lost), 2);
	assert_string_equal(cJSON_GetArrayItem(lost, 0)->valuestring, "r14-check");
	assert_string_equal(cJSON_GetArrayItem(lost, 1)->valuestring, "console-redirect");

	cJSON_AddItemToArray(lost, cJSON_CreateString("warp-drive"));
	t = cJSON_PrintUnformatted(root);
	if (tt_json_parse(t, strlen(t), f->b, f->err, sizeof(f->err)) != 0)
		fail_msg("parse: %s", f->err);
	assert_int_equal(f->b->attach.lost, f->a->attach.lost);
	free(t);
	tt_model_free(f->b);
	assert_int_equal(tt_model_init(f->b), 0);

	cJSON_DeleteItemFromObject(attach, "lost");
	t = cJSON_PrintUnformatted(root);
	if (tt_json_parse(t, strlen(t), f->b, f->err, sizeof(f->err)) != 0)
		fail_msg("parse without lost: %s", f->err);
	assert_int_equal(f->b->attach.lost, 0);
	free(t);
	free(s);
	cJSON_Delete(root);
}

static void test_wrong_types(void **state)
{
	struct fx *f = *state;

	mutate_expect(f, m_writes_string, "terminals[2].writes: expected a non-negative integer");
	mutate_expect(f, m_writes_negative, "terminals[1].writes: expected");
	mutate_expect(f, m_writes_fraction, "terminals[1].bytes: expected");
	mutate_expect(f, m_writes_huge, "terminals[1].bytes: expected");
	mutate_expect(f, m_missing_name, "terminals[0].name: missing");
	mutate_expect(f, m_bad_class, "terminals[0].class: unknown value \"modem\"");
	mutate_expect(f, m_bad_dev, "terminals[0].dev: expected \"MAJOR:MINOR\"");
	mutate_expect(f, m_dev_overflow, "terminals[0].dev");
	mutate_expect(f, m_dup_dev, "terminals[1].dev: duplicate of terminals[0]");
	mutate_expect(f, m_share_range, "terminals[0].blocked_share");
	mutate_expect(f, m_hist_bad_bound, "terminals[0].hist[1]: ");
	mutate_expect(f, m_hist_not_array, "terminals[0].hist_runq: expected an array");
	mutate_expect(f, m_unknown_errno, "terminals[0].errors_by_errno: unknown key \"EFOO\"");
	mutate_expect(f, m_writer_pid, "terminals[0].writers[1].pid: expected an integer");
	mutate_expect(f, m_event_goid, "events[3].goid: expected an integer");
	mutate_expect(f, m_event_goid_source, "events[3].goid_source: expected");
	mutate_expect(f, m_event_waker, "events[1].waker: expected an object or null");
	mutate_expect(f, m_event_frame_addr, "events[0].stack.kernel[1].addr");
	mutate_expect(f, m_event_frame_line, "events[0].stack.user[1].line");
	mutate_expect(f, m_event_backlog, "events[2].backlog.stopped: expected true or false");
	mutate_expect(f, m_events_not_array, "events: expected an array");
	mutate_expect(f, m_time_bad, "time: expected an RFC 3339");
	mutate_expect(f, m_drops_unknown, "totals.drops: unknown key \"cosmic_rays\"");
	mutate_expect(f, m_too_many_terminals,
	              "terminals: 1027 entries, at most 1024 (and an others row)");
	mutate_expect(f, m_too_many_buckets, "terminals[0].hist: more than 288 buckets");
	mutate_expect(f, m_second_others, "a second others row");
	mutate_expect(f, m_others_negative, "others");
	mutate_expect(f, m_lost_by_unknown, "unknown key \"gremlins\"");
	mutate_expect(f, m_filters_pid, "filters.pid: expected an integer");
	mutate_expect(f, m_lost_not_array, "attach.lost: expected an array");
	mutate_expect(f, m_lost_number, "attach.lost: expected an array of strings");
	mutate_expect(f, m_inflight_state, "in_flight[0].state: unknown value \"sleepy\"");
	mutate_expect(f, m_inflight_reader, "in_flight[0].reader: expected an array or null");
	mutate_expect(f, m_inflight_reader_pid, "in_flight[0].reader[1].pid: expected");
	mutate_expect(f, m_inflight_lock, "in_flight[1].lock_holder: expected an object or null");
	mutate_expect(f, m_inflight_line, "in_flight[1].line.ixon: missing");
	mutate_expect(f, m_inflight_no_elapsed, "in_flight[1].elapsed_ns: missing");
	mutate_expect(f, m_inflight_not_array, "in_flight: expected an array");
}

static void test_truncated_everywhere(void **state)
{
	struct fx *f = *state;
	char *s;
	size_t len;

	fill_model(f->a);
	s = tt_json_render(f->a, 0, true);
	len = strlen(s);
	/* every proper prefix is rejected (the closing brace is the last byte) */
	for (size_t cut = 0; cut < len; cut += (cut < 200 || len - cut < 200) ? 1 : 37) {
		int rc = tt_json_parse(s, cut, f->b, f->err, sizeof(f->err));

		if (rc != -1)
			fail_msg("prefix of %zu/%zu bytes accepted", cut, len);
		assert_true(f->err[0] != '\0');
	}
	assert_int_equal(tt_json_parse(s, len, f->b, f->err, sizeof(f->err)), 0);
	free(s);
}

static void test_huge_arrays_bounded(void **state)
{
	struct fx *f = *state;
	cJSON *root, *a, *fr;
	char *s, *t;

	fill_model(f->a);
	s = tt_json_render(f->a, 0, true);
	root = cJSON_Parse(s);
	/* 3000 events: the newest TT_MODEL_EVENT_RING are kept */
	a = cJSON_GetObjectItem(root, "events");
	for (int i = 5; i < 3000; i++) {
		cJSON *e = cJSON_Duplicate(cJSON_GetArrayItem(a, 0), 1);

		cJSON_ReplaceItemInObject(e, "pid", cJSON_CreateNumber(10000 + i));
		cJSON_AddItemToArray(a, e);
	}
	/* 100 user frames and 100 kernel frames on the newest event */
	fr = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(a, 0), "stack"), "user");
	for (int i = 0; i < 100; i++)
		cJSON_AddItemToArray(fr, cJSON_Duplicate(cJSON_GetArrayItem(fr, 0), 1));
	fr = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(a, 0), "stack"), "kernel");
	for (int i = 0; i < 100; i++)
		cJSON_AddItemToArray(fr, cJSON_Duplicate(cJSON_GetArrayItem(fr, 0), 1));
	/* 100 spark points, 50 writers */
	a = cJSON_GetObjectItem(term(root, 0), "spark_p99_ns");
	for (int i = 0; i < 100; i++)
		cJSON_AddItemToArray(a, cJSON_CreateNumber(7000 + i));
	a = cJSON_GetObjectItem(term(root, 0), "writers");
	for (int i = 0; i < 50; i++)
		cJSON_AddItemToArray(a, cJSON_Duplicate(cJSON_GetArrayItem(a, 0), 1));
	/* strings longer than every buffer */
	char longs[1000];
	memset(longs, 'x', sizeof(longs));
	longs[sizeof(longs) - 1] = '\0';
	cJSON_ReplaceItemInObject(term(root, 0), "name", cJSON_CreateString(longs));
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(root, "host"), "hostname",
	                          cJSON_CreateString(longs));
	t = cJSON_PrintUnformatted(root);
	if (tt_json_parse(t, strlen(t), f->b, f->err, sizeof(f->err)) != 0)
		fail_msg("parse: %s", f->err);
	assert_int_equal(f->b->ev_count, TT_MODEL_EVENT_RING);
	assert_int_equal(tt_model_event_at(f->b, 0)->pid, 204); /* newest kept */
	assert_int_equal(tt_model_event_at(f->b, TT_MODEL_EVENT_RING - 1)->pid,
	                 10000 + TT_MODEL_EVENT_RING - 1);
	assert_int_equal(tt_model_event_at(f->b, 0)->ustack.n, TT_USTACK_MAX);
	assert_int_equal(tt_model_event_at(f->b, 0)->kstack.n, TT_KSTACK_MAX);
	assert_int_equal(f->b->terminals[0].spark_len, TT_SPARK_LEN);
	assert_true(f->b->terminals[0].spark_p99[TT_SPARK_LEN - 1] == 7099); /* newest kept */
	assert_int_equal(f->b->terminals[0].nwriters, TT_MODEL_MAX_WRITERS);
	assert_int_equal(strlen(f->b->terminals[0].name), TT_TTY_NAME_LEN - 1);
	assert_int_equal(strlen(f->b->host.hostname), sizeof(f->b->host.hostname) - 1);
	free(t);
	free(s);
	cJSON_Delete(root);
}

static void test_utf8_truncation_boundary(void **state)
{
	struct fx *f = *state;
	cJSON *root;
	char name[80] = "", *s, *t;

	fill_model(f->a);
	s = tt_json_render(f->a, 0, true);
	root = cJSON_Parse(s);
	/* 30 ASCII + a 3-byte char crosses the 31-byte limit: it must go whole */
	memset(name, 'a', 30);
	strcat(name, "\xe2\x82\xac");
	cJSON_ReplaceItemInObject(term(root, 1), "name", cJSON_CreateString(name));
	t = cJSON_PrintUnformatted(root);
	assert_int_equal(tt_json_parse(t, strlen(t), f->b, f->err, sizeof(f->err)), 0);
	assert_int_equal(strlen(f->b->terminals[1].name), 30);
	free(t);
	free(s);
	cJSON_Delete(root);
}

static void test_value_count_limit(void **state)
{
	struct fx *f = *state;
	size_t n = 9u << 20;
	char *s = malloc(2 * n + 3);

	assert_non_null(s);
	s[0] = '[';
	for (size_t i = 0; i < n; i++)
		s[1 + 2 * i] = '0', s[2 + 2 * i] = ',';
	s[2 * n] = ']';
	s[2 * n + 1] = '\0';
	expect_err(f, s, "more than");
	free(s);
}

static void test_nesting(void **state)
{
	struct fx *f = *state;
	size_t n = 100000;
	char *s = malloc(n + 1);

	assert_non_null(s);
	memset(s, '[', n);
	s[n] = '\0';
	expect_err(f, s, "invalid JSON");
	free(s);
}

static void test_load_file(void **state)
{
	struct fx *f = *state;
	char dir[] = "/tmp/tt-json-XXXXXX", p[256];
	char *s;
	int fd;

	assert_non_null(mkdtemp(dir));
	/* missing */
	snprintf(p, sizeof(p), "%s/nope.json", dir);
	assert_int_equal(tt_json_load_file(p, f->b, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "No such file"));
	/* directory */
	assert_int_equal(tt_json_load_file(dir, f->b, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "directory"));
	/* empty */
	snprintf(p, sizeof(p), "%s/empty.json", dir);
	fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	close(fd);
	assert_int_equal(tt_json_load_file(p, f->b, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "empty"));
	unlink(p);
	/* binary garbage */
	snprintf(p, sizeof(p), "%s/garbage.json", dir);
	fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	unsigned char junk[4096];
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(i * 131 + 7);
	assert_int_equal(write(fd, junk, sizeof(junk)), sizeof(junk));
	close(fd);
	assert_int_equal(tt_json_load_file(p, f->b, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "invalid JSON"));
	assert_non_null(strstr(f->err, p));
	unlink(p);
	/* too big (sparse) */
	snprintf(p, sizeof(p), "%s/big.json", dir);
	fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	assert_int_equal(ftruncate(fd, (256 << 20) + 1), 0);
	close(fd);
	assert_int_equal(tt_json_load_file(p, f->b, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "256 MiB"));
	unlink(p);
	/* a good one */
	snprintf(p, sizeof(p), "%s/good.json", dir);
	fill_model(f->a);
	s = tt_json_render(f->a, 0, false);
	fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
	close(fd);
	if (tt_json_load_file(p, f->b, f->err, sizeof(f->err)) != 0)
		fail_msg("load: %s", f->err);
	assert_models_equal(f->a, f->b);
	free(s);
	unlink(p);
	rmdir(dir);
}

/* The reader's size and value limits must accept the largest document we write. */
static void test_worst_case_document_loads(void **state)
{
	struct fx *f = *state;
	struct tt_model *m = f->a;
	struct tt_model_event *e = calloc(1, sizeof(*e));
	struct tt_frame fr0 = {0};
	char longest[TT_FILE_LEN];
	char *s;

	assert_non_null(e);
	for (uint32_t k = 0; k < TT_MODEL_MAX_TERMINALS; k++) {
		struct tt_terminal *t = tt_model_terminal(m, k + 1);

		assert_non_null(t);
		memset(t->name, 'n', sizeof(t->name) - 1);
		memset(t->driver, 'd', sizeof(t->driver) - 1);
		for (uint32_t i = 0; i < TT_HIST_BUCKETS; i++)
			t->lat.counts[i] = t->blocked.counts[i] = t->runq.counts[i] = UINT64_MAX;
		for (int i = 0; i < TT_ERR_NR; i++)
			t->errs[i] = UINT64_MAX;
		for (int i = 0; i < TT_REASON_NR; i++)
			t->reasons[i] = UINT64_MAX;
		t->spark_len = TT_SPARK_LEN;
		for (int i = 0; i < TT_SPARK_LEN; i++)
			t->spark_p99[i] = UINT64_MAX;
		for (uint32_t i = 0; i < TT_MODEL_MAX_WRITERS; i++)
			tt_model_offer_writer(t, 4000000 + i, "123456789012345", UINT64_MAX - i,
			                      UINT64_MAX);
	}
	e->goid = INT64_MAX;
	e->ret = INT64_MIN;
	e->time_ns = UINT64_MAX;
	memset(e->comm, 'c', sizeof(e->comm) - 1);
	memset(e->terminal, 't', sizeof(e->terminal) - 1);
	e->has_waker = true;
	memset(e->waker_comm, 'w', sizeof(e->waker_comm) - 1);
	e->ustack.n = TT_USTACK_MAX;
	e->kstack.n = TT_KSTACK_MAX;
	memset(longest, 'f', TT_FUNC_LEN - 1);
	longest[TT_FUNC_LEN - 1] = 0;
	fr0.func = tt_str_intern(longest, sizeof(longest));
	memset(longest, 'p', TT_FILE_LEN - 1);
	longest[TT_FILE_LEN - 1] = 0;
	fr0.file = tt_str_intern(longest, sizeof(longest));
	memset(longest, 'm', TT_MODULE_LEN - 1);
	longest[TT_MODULE_LEN - 1] = 0;
	fr0.module = tt_str_intern(longest, sizeof(longest));
	for (int i = 0; i < TT_USTACK_MAX; i++) {
		struct tt_frame *fr = &e->ustack.frames[i];

		*fr = fr0;
		fr->addr = UINT64_MAX;
		fr->line = INT32_MAX;
		if (i < TT_KSTACK_MAX)
			e->kstack.frames[i] = *fr;
	}
	for (int i = 0; i < TT_MODEL_EVENT_RING; i++)
		tt_model_push_event(m, e);
	for (int i = 0; i < TT_MODEL_MAX_INFLIGHT; i++) {
		struct tt_model_inflight *w = &m->inflight[i];

		w->ev = *e;
		w->nreaders = TT_MODEL_MAX_READERS;
		for (int r = 0; r < TT_MODEL_MAX_READERS; r++) {
			w->readers[r].pid = UINT32_MAX;
			memset(w->readers[r].comm, 'r', sizeof(w->readers[r].comm) - 1);
		}
		w->has_lock_holder = w->has_line = true;
		w->lock_pid = w->lock_tid = w->line_speed = UINT32_MAX;
		w->state_ns = UINT64_MAX;
	}
	m->ninflight = TT_MODEL_MAX_INFLIGHT;
	free(e);

	s = tt_json_render(m, 0, false);
	assert_non_null(s);
	assert_true(strlen(s) > (128u << 20)); /* why the limit is not 128 MiB */
	if (tt_json_parse(s, strlen(s), f->b, f->err, sizeof(f->err)) != 0)
		fail_msg("our own worst-case document was refused: %s", f->err);
	assert_int_equal(f->b->nterminals, TT_MODEL_MAX_TERMINALS);
	assert_int_equal(f->b->ev_count, TT_MODEL_EVENT_RING);
	assert_int_equal(f->b->ninflight, TT_MODEL_MAX_INFLIGHT);
	assert_true(f->b->terminals[5].lat.counts[TT_HIST_BUCKETS - 1] == UINT64_MAX);
	assert_true(tt_model_event_at(f->b, 0)->ret == INT64_MIN);
	assert_int_equal(tt_model_event_at(f->b, 7)->ustack.frames[47].line, INT32_MAX);
	free(s);
}

static void test_parse_requires_init(void **state)
{
	struct tt_model *m = calloc(1, sizeof(*m));
	char err[128];

	(void)state;
	assert_non_null(m);
	assert_int_equal(tt_json_parse("{}", 2, m, err, sizeof(err)), -1);
	/* tiny error buffers are respected */
	struct fx *f = *state;
	char tiny[8];
	assert_int_equal(tt_json_parse("[]", 2, f->b, tiny, sizeof(tiny)), -1);
	assert_int_equal(strlen(tiny), 7);
	free(m);
}

int main(void)
{
#define T(x) cmocka_unit_test_setup_teardown(x, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_round_trip_compact),
	    T(test_round_trip_pretty),
	    T(test_document_shape),
	    T(test_others_row_round_trip),
	    T(test_goid_sources),
	    T(test_since_seq),
	    T(test_invalid_utf8_and_controls),
	    T(test_not_ours),
	    T(test_wrong_types),
	    T(test_attach_lost),
	    T(test_truncated_everywhere),
	    T(test_huge_arrays_bounded),
	    T(test_utf8_truncation_boundary),
	    T(test_value_count_limit),
	    T(test_nesting),
	    T(test_load_file),
	    T(test_worst_case_document_loads),
	    T(test_parse_requires_init),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
