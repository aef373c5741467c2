/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ttytop/1 JSON -> model, for --replay. The file may come from anywhere: every
 * field is type- and range-checked, every string is cut to its fixed buffer,
 * every array to the model's limits, and the first problem is reported as
 * one line naming the field ("terminals[2].writes: expected ...").
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "json.h"
#include "json_go.h"
#include "json_in.h"
#include "json_pane.h"
#include "utf8.h"

/*
 * The largest document ttytop itself can write (full event ring, every frame
 * with maximum-length names, 1024 terminals and others with every bucket
 * filled, pretty-printed) is ~156 MiB, eight full panes add ~67 MiB (their
 * bounds in model.h and pane.h are chosen to fit); typical snapshots are a
 * few MiB. The limit must not refuse our own worst case.
 */
#define TT_JSON_MAX_BYTES (256u << 20)
/*
 * cJSON allocates ~64 bytes per value, so the byte limit alone would still let
 * "[0,0,0,..." cost gigabytes. The largest document ttytop itself writes (full
 * event ring with full stacks, full terminal table with full histograms) is
 * about 4.5 million values; this allows some room above it.
 */
#define TT_JSON_MAX_VALUES (8u << 20)
/*
 * attach.lost came with the kernel matrix: older ttytop/1 documents lack it
 * (nothing known lost), and names this reader does not know are skipped.
 */
static int get_lost(struct pc *c, const cJSON *o, const char *path, uint32_t *out)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "lost"), *it;

	*out = 0;
	if (!a)
		return 0;
	if (!cJSON_IsArray(a))
		return ji_fail(c, path, "lost", "expected an array");
	cJSON_ArrayForEach(it, a)
	{
		int l;

		if (!cJSON_IsString(it))
			return ji_fail(c, path, "lost", "expected an array of strings");
		l = tt_lost_from_name(it->valuestring);
		if (l >= 0)
			*out |= 1u << l;
	}
	return 0;
}
static const char *class_n(int i)
{
	return tt_class_name((enum tt_class)i);
}
static const char *reason_n(int i)
{
	return tt_reason_name((enum tt_reason)i);
}
static const char *syscall_n(int i)
{
	return tt_syscall_name((enum tt_syscall)i);
}
static const char *drop_n(int i)
{
	return tt_drop_name((enum tt_drop)i);
}
static const char *errslot_n(int i)
{
	return tt_errslot_name((enum tt_errslot)i);
}

/* Newest is last: keep the newest TT_SPARK_LEN points. */
static int parse_spark(struct pc *c, const cJSON *o, const char *p, struct tt_terminal *t)
{
	const cJSON *a, *it;
	char wp[PATH_LEN];
	int n, i = 0, skip;

	if (ji_arr(c, o, p, "spark_p99_ns", &a) < 0)
		return -1;
	n = cJSON_GetArraySize(a);
	skip = n > TT_SPARK_LEN ? n - TT_SPARK_LEN : 0;
	cJSON_ArrayForEach(it, a)
	{
		if (i >= skip) {
			ji_subpath(wp, p, "spark_p99_ns", i);
			if (ji_val_u64(c, it, wp, NULL, UINT64_MAX, &t->spark_p99[t->spark_len]) <
			    0)
				return -1;
			t->spark_len++;
		}
		i++;
	}
	return 0;
}

static int parse_writers(struct pc *c, const cJSON *o, const char *p, struct tt_model *m,
                         struct tt_terminal *t)
{
	const cJSON *a, *it;
	char wp[PATH_LEN];
	int i = 0;

	if (ji_arr(c, o, p, "writers", &a) < 0)
		return -1;
	cJSON_ArrayForEach(it, a)
	{
		struct tt_writer *w;

		if (t->nwriters >= TT_MODEL_MAX_WRITERS)
			break; /* sorted by writes: the rest are the smallest */
		ji_subpath(wp, p, "writers", i++);
		if (!cJSON_IsObject(it))
			return ji_fail(c, wp, NULL, "expected an object");
		w = &t->writers[t->nwriters];
		if (ji_u32(c, it, wp, "pid", &w->pid) < 0 ||
		    ji_str(c, it, wp, "comm", w->comm, sizeof(w->comm), false) < 0 ||
		    ji_u64(c, it, wp, "writes", &w->writes) < 0 ||
		    ji_u64(c, it, wp, "bytes", &w->bytes) < 0 ||
		    tt_json_parse_ticks(c, it, wp, m, t->dev, w->pid, w->comm) < 0)
			return -1;
		t->nwriters++;
	}
	return 0;
}

static int parse_terminal(struct pc *c, const cJSON *o, const char *p, struct tt_model *m,
                          struct tt_terminal *t)
{
	const cJSON *x;
	char q[PATH_LEN];
	int cls;

	if (!cJSON_IsObject(o))
		return ji_fail(c, p, NULL, "expected an object");
	if (ji_str(c, o, p, "name", t->name, sizeof(t->name), false) < 0 ||
	    ji_enum(c, o, p, "class", TT_CLASS_NR, class_n, &cls) < 0 ||
	    ji_dev(c, o, p, "dev", &t->dev) < 0 ||
	    ji_str(c, o, p, "driver", t->driver, sizeof(t->driver), false) < 0 ||
	    ji_u64(c, o, p, "writes", &t->writes) < 0 || ji_u64(c, o, p, "bytes", &t->bytes) < 0 ||
	    ji_u64(c, o, p, "errors", &t->errors) < 0 ||
	    ji_u64(c, o, p, "short_writes", &t->short_writes) < 0 ||
	    ji_u64(c, o, p, "slow", &t->slow) < 0)
		return -1;
	t->class = (enum tt_class)cls;
	if (ji_named_counts(c, o, p, "errors_by_errno", TT_ERR_NR, errslot_n, t->errs) < 0)
		return -1;
	if (ji_obj(c, o, p, "latency_ns", &x, q) < 0 || ji_u64(c, x, q, "p50", &t->p50) < 0 ||
	    ji_u64(c, x, q, "p90", &t->p90) < 0 || ji_u64(c, x, q, "p99", &t->p99) < 0 ||
	    ji_u64(c, x, q, "max", &t->max_ns) < 0)
		return -1;
	if (ji_u64(c, o, p, "oncpu_ns", &t->oncpu_ns) < 0 ||
	    ji_u64(c, o, p, "blocked_ns", &t->blocked_ns) < 0 ||
	    ji_u64(c, o, p, "runq_ns", &t->runq_ns) < 0)
		return -1;
	if (ji_named_counts(c, o, p, "blocked_by_reason", TT_REASON_NR, reason_n, t->reasons) < 0)
		return -1;
	if (ji_double(c, o, p, "writes_per_s", 0, HUGE_VAL, &t->writes_per_s) < 0 ||
	    ji_double(c, o, p, "bytes_per_s", 0, HUGE_VAL, &t->bytes_per_s) < 0 ||
	    ji_double(c, o, p, "blocked_share", 0, 1, &t->blocked_share) < 0)
		return -1;
	if (ji_hist(c, o, p, "hist", &t->lat) < 0 ||
	    ji_hist(c, o, p, "hist_blocked", &t->blocked) < 0 ||
	    ji_hist(c, o, p, "hist_runq", &t->runq) < 0)
		return -1;

	if (parse_spark(c, o, p, t) < 0 || parse_writers(c, o, p, m, t) < 0)
		return -1;

	/* A tick after loading must see "nothing new", not the whole history. */
	t->prev_writes = t->writes;
	t->prev_bytes = t->bytes;
	t->prev_lat = t->lat;
	return 0;
}

static int parse_frames(struct pc *c, const cJSON *o, const char *path, const char *key,
                        struct tt_stack *s, int max)
{
	const cJSON *a, *f;
	char p[PATH_LEN];

	if (ji_arr(c, o, path, key, &a) < 0)
		return -1;
	s->n = 0;
	cJSON_ArrayForEach(f, a)
	{
		if (s->n >= max)
			break; /* innermost frames come first and matter most */
		ji_subpath(p, path, key, s->n);
		if (!cJSON_IsObject(f))
			return ji_fail(c, p, NULL, "expected an object");
		if (ji_frame(c, f, p, &s->frames[s->n]) < 0)
			return -1;
		s->n++;
	}
	return 0;
}

/* An event, or (inflight) a write in flight: elapsed_ns for latency_ns, no ret. */
/* goid (null outside Go) and goid_source, as TT_EV_GOID_* bits */
static int parse_goid(struct pc *c, const cJSON *o, const char *p, struct tt_model_event *e)
{
	/* the goid_source names json_render.c writes */
	static const struct {
		const char *name;
		uint32_t flags;
	} srcs[] = {{"tls", 0},
	            {"tls+r14", TT_EV_GOID_R14},
	            {"tls+r28", TT_EV_GOID_R28},
	            {"r28", TT_EV_GOID_REG | TT_EV_GOID_R28}};
	const cJSON *it = ji_get(c, o, p, "goid");
	size_t k = 0;

	if (!it)
		return -1;
	e->goid = -1;
	if (cJSON_IsNull(it))
		return 0;
	if (ji_i64(c, o, p, "goid", 0, INT64_MAX, &e->goid) < 0)
		return -1;
	e->flags |= TT_EV_GO | TT_EV_GOID;
	it = cJSON_GetObjectItemCaseSensitive(o, "goid_source");
	if (!it || cJSON_IsNull(it))
		return 0;
	while (k < sizeof(srcs) / sizeof(srcs[0]) &&
	       !(cJSON_IsString(it) && strcmp(it->valuestring, srcs[k].name) == 0))
		k++;
	if (k == sizeof(srcs) / sizeof(srcs[0]))
		return ji_fail(c, p, "goid_source",
		               "expected \"tls\", \"tls+r14\", \"tls+r28\", \"r28\" "
		               "or null");
	e->flags |= srcs[k].flags;
	return 0;
}

/* who the event ran for: fd, syscall, counts and the time split */
static int parse_write(struct pc *c, const cJSON *o, const char *p, struct tt_model_event *e,
                       bool inflight)
{
	int64_t v;
	int en;

	if (ji_str(c, o, p, "comm", e->comm, sizeof(e->comm), false) < 0 ||
	    ji_str(c, o, p, "terminal", e->terminal, sizeof(e->terminal), false) < 0 ||
	    ji_dev(c, o, p, "dev", &e->dev) < 0 ||
	    ji_enum(c, o, p, "class", TT_CLASS_NR, class_n, &en) < 0)
		return -1;
	e->class = (enum tt_class)en;
	if (ji_i64(c, o, p, "fd", INT32_MIN, INT32_MAX, &v) < 0)
		return -1;
	e->fd = (int)v;
	if (ji_enum(c, o, p, "syscall", TT_SYS_NR, syscall_n, &en) < 0)
		return -1;
	e->syscall = (enum tt_syscall)en;
	if (ji_u32(c, o, p, "bytes", &e->count) < 0 ||
	    (!inflight && ji_i64(c, o, p, "ret", INT64_MIN, INT64_MAX, &e->ret) < 0) ||
	    ji_u64(c, o, p, inflight ? "elapsed_ns" : "latency_ns", &e->latency_ns) < 0 ||
	    ji_u64(c, o, p, "oncpu_ns", &e->oncpu_ns) < 0 ||
	    ji_u64(c, o, p, "blocked_ns", &e->blocked_ns) < 0 ||
	    ji_u64(c, o, p, "runq_ns", &e->runq_ns) < 0 ||
	    ji_u32(c, o, p, "sleeps", &e->nr_sleeps) < 0 ||
	    ji_enum(c, o, p, "reason", TT_REASON_NR, reason_n, &en) < 0)
		return -1;
	e->reason = (enum tt_reason)en;
	return 0;
}

static int parse_waker(struct pc *c, const cJSON *o, const char *p, struct tt_model_event *e)
{
	const cJSON *it = ji_get(c, o, p, "waker");
	char q[PATH_LEN];
	bool b;

	if (!it)
		return -1;
	if (cJSON_IsNull(it))
		return 0;
	if (!cJSON_IsObject(it))
		return ji_fail(c, p, "waker", "expected an object or null");
	ji_subpath(q, p, "waker", -1);
	if (ji_bool(c, it, q, "irq", &b) < 0)
		return -1;
	if (b) {
		e->waker_irq = true;
		e->flags |= TT_EV_WAKER_IRQ;
		return 0;
	}
	if (ji_u32(c, it, q, "pid", &e->waker_pid) < 0 ||
	    ji_str(c, it, q, "comm", e->waker_comm, sizeof(e->waker_comm), false) < 0)
		return -1;
	e->has_waker = true;
	return 0;
}

static int parse_backlog(struct pc *c, const cJSON *o, const char *p, struct tt_model_event *e)
{
	const cJSON *x;
	char q[PATH_LEN];
	bool b[4];

	if (ji_obj(c, o, p, "backlog", &x, q) < 0 ||
	    ji_u32(c, x, q, "buf_used", &e->backlog.buf_used) < 0 ||
	    ji_u32(c, x, q, "buf_limit", &e->backlog.buf_limit) < 0 ||
	    ji_u32(c, x, q, "reader_unread", &e->backlog.reader_unread) < 0 ||
	    ji_bool(c, x, q, "stopped", &b[0]) < 0 || ji_bool(c, x, q, "tco_stopped", &b[1]) < 0 ||
	    ji_bool(c, x, q, "hw_stopped", &b[2]) < 0 || ji_bool(c, x, q, "opost", &b[3]) < 0)
		return -1;
	e->backlog.stopped = b[0];
	e->backlog.tco_stopped = b[1];
	e->backlog.hw_stopped = b[2];
	e->backlog.opost = b[3];
	return 0;
}

static int parse_stack(struct pc *c, const cJSON *o, const char *p, struct tt_model_event *e)
{
	const cJSON *x;
	char q[PATH_LEN];
	bool b;

	if (ji_obj(c, o, p, "stack", &x, q) < 0 ||
	    parse_frames(c, x, q, "user", &e->ustack, TT_USTACK_MAX) < 0 ||
	    parse_frames(c, x, q, "kernel", &e->kstack, TT_KSTACK_MAX) < 0)
		return -1;
	if (ji_bool(c, x, q, "symbolized", &b) < 0)
		return -1;
	if (b)
		e->stk_flags |= TT_EVSTK_SYMBOLIZED;
	if (ji_bool(c, x, q, "process_gone", &b) < 0)
		return -1;
	if (b)
		e->stk_flags |= TT_EVSTK_PROC_GONE;
	/* The dashboard reads these to explain a missing stack. */
	e->no_ustack = e->ustack.n == 0;
	e->no_kstack = e->kstack.n == 0;
	if (e->no_ustack)
		e->flags |= TT_EV_NO_USTACK;
	if (e->no_kstack)
		e->flags |= TT_EV_NO_KSTACK;
	return 0;
}

static int parse_event(struct pc *c, const cJSON *o, const char *p, struct tt_model_event *e,
                       bool inflight)
{
	char tbuf[40];

	if (!cJSON_IsObject(o))
		return ji_fail(c, p, NULL, "expected an object");
	if (ji_u64(c, o, p, "time_ns", &e->time_ns) < 0 ||
	    ji_str(c, o, p, "time", tbuf, sizeof(tbuf), false) < 0 ||
	    ji_u32(c, o, p, "pid", &e->pid) < 0 || ji_u32(c, o, p, "tid", &e->tid) < 0 ||
	    parse_goid(c, o, p, e) < 0 || parse_write(c, o, p, e, inflight) < 0 ||
	    parse_waker(c, o, p, e) < 0 || parse_backlog(c, o, p, e) < 0 ||
	    parse_stack(c, o, p, e) < 0 || (!inflight && tt_json_parse_event_kind(c, o, p, e) < 0))
		return -1;
	return 0;
}

static const char *wstate_n(int i)
{
	return tt_wstate_name(i);
}

static int parse_readers(struct pc *c, const cJSON *o, const char *p, struct tt_model_inflight *w)
{
	const cJSON *a = ji_get(c, o, p, "reader"), *it;
	char q[PATH_LEN];
	int i = 0;

	if (!a)
		return -1;
	w->nreaders = -1;
	if (cJSON_IsNull(a))
		return 0;
	if (!cJSON_IsArray(a))
		return ji_fail(c, p, "reader", "expected an array or null");
	w->nreaders = 0;
	cJSON_ArrayForEach(it, a)
	{
		struct tt_proc_ref *r = &w->readers[w->nreaders];

		ji_subpath(q, p, "reader", i++);
		if (w->nreaders >= TT_MODEL_MAX_READERS)
			break; /* extra ones are dropped, like extra frames */
		if (!cJSON_IsObject(it))
			return ji_fail(c, q, NULL, "expected an object");
		if (ji_u32(c, it, q, "pid", &r->pid) < 0 ||
		    ji_str(c, it, q, "comm", r->comm, sizeof(r->comm), false) < 0)
			return -1;
		w->nreaders++;
	}
	return 0;
}

/* lock_holder and line: an object or null each. */
static int parse_blame(struct pc *c, const cJSON *o, const char *p, struct tt_model_inflight *w)
{
	const cJSON *x = ji_get(c, o, p, "lock_holder"), *sp;
	char q[PATH_LEN];

	if (!x)
		return -1;
	if (!cJSON_IsNull(x)) {
		if (!cJSON_IsObject(x))
			return ji_fail(c, p, "lock_holder", "expected an object or null");
		ji_subpath(q, p, "lock_holder", -1);
		if (ji_u32(c, x, q, "pid", &w->lock_pid) < 0 ||
		    ji_u32(c, x, q, "tid", &w->lock_tid) < 0)
			return -1;
		w->has_lock_holder = true;
	}
	if (!(x = ji_get(c, o, p, "line")))
		return -1;
	if (cJSON_IsNull(x))
		return 0;
	if (!cJSON_IsObject(x))
		return ji_fail(c, p, "line", "expected an object or null");
	ji_subpath(q, p, "line", -1);
	if (!(sp = ji_get(c, x, q, "speed")))
		return -1;
	if (!cJSON_IsNull(sp) && ji_u32(c, x, q, "speed", &w->line_speed) < 0)
		return -1;
	if (ji_bool(c, x, q, "crtscts", &w->line_crtscts) < 0 ||
	    ji_bool(c, x, q, "ixon", &w->line_ixon) < 0)
		return -1;
	w->has_line = true;
	return 0;
}

static int parse_inflight(struct pc *c, const cJSON *o, const char *p, struct tt_model_inflight *w)
{
	int en;

	if (parse_event(c, o, p, &w->ev, true) < 0 ||
	    ji_enum(c, o, p, "state", TT_W_NR, wstate_n, &en) < 0 ||
	    ji_u64(c, o, p, "state_ns", &w->state_ns) < 0 || parse_readers(c, o, p, w) < 0 ||
	    parse_blame(c, o, p, w) < 0)
		return -1;
	w->state = (enum tt_wstate)en;
	return 0;
}

/* Optional (added within ttytop/1): the longest TT_MODEL_MAX_INFLIGHT are kept. */
static int get_in_flight(struct pc *c, const cJSON *root, struct tt_model *m)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(root, "in_flight"), *it;
	char q[PATH_LEN];

	if (!a)
		return 0;
	if (!cJSON_IsArray(a))
		return ji_fail(c, "", "in_flight", "expected an array");
	cJSON_ArrayForEach(it, a)
	{
		struct tt_model_inflight *w;

		if (m->ninflight >= TT_MODEL_MAX_INFLIGHT)
			break;
		w = &m->inflight[m->ninflight];
		memset(w, 0, sizeof(*w));
		ji_subpath(q, "", "in_flight", m->ninflight);
		if (parse_inflight(c, it, q, w) < 0)
			return -1;
		m->ninflight++;
	}
	return 0;
}

/* RFC 3339 "YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|-hh:mm)" -> ns since the epoch. */
static int parse_rfc3339(const char *s, uint64_t *out)
{
	struct tm tm = {0};
	int64_t secs, frac_ns = 0, scale = 100000000, off = 0;
	const char *p;
	time_t t;

	if (strlen(s) < 20)
		return -1;
	for (int i = 0; i < 19; i++) {
		static const char pat[] = "dddd-dd-ddTdd:dd:dd";

		if (pat[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != pat[i])
			return -1;
	}
	tm.tm_year = atoi(s) - 1900;
	tm.tm_mon = atoi(s + 5) - 1;
	tm.tm_mday = atoi(s + 8);
	tm.tm_hour = atoi(s + 11);
	tm.tm_min = atoi(s + 14);
	tm.tm_sec = atoi(s + 17);
	if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	p = s + 19;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		for (; isdigit((unsigned char)*p); p++) {
			frac_ns += (*p - '0') * scale;
			scale /= 10;
		}
	}
	if (*p == 'Z' && p[1] == '\0') {
		off = 0;
	} else if ((*p == '+' || *p == '-') && isdigit((unsigned char)p[1]) &&
	           isdigit((unsigned char)p[2]) && p[3] == ':' && isdigit((unsigned char)p[4]) &&
	           isdigit((unsigned char)p[5]) && p[6] == '\0') {
		off = ((p[1] - '0') * 10 + (p[2] - '0')) * 3600 +
		      ((p[4] - '0') * 10 + (p[5] - '0')) * 60;
		if (*p == '-')
			off = -off;
	} else {
		return -1;
	}
	t = timegm(&tm);
	secs = (int64_t)t - off;
	if (t == (time_t)-1 || secs < 0)
		return -1;
	*out = (uint64_t)secs * 1000000000ull + (uint64_t)frac_ns;
	return 0;
}

/* Totals added with the others row: absent from older documents. */
static int get_totals_since_v2(struct pc *c, const cJSON *x, const char *p, struct tt_totals *t)
{
	const cJSON *y;
	char q[PATH_LEN];

	if (cJSON_GetObjectItemCaseSensitive(x, "lost_writes") &&
	    (ji_u64(c, x, p, "lost_writes", &t->lost_writes) < 0 ||
	     ji_named_counts(c, x, p, "lost_by_reason", TT_DROP_NR, drop_n, t->lost_by) < 0))
		return -1;
	if (cJSON_GetObjectItemCaseSensitive(x, "skipped_runs") &&
	    ji_u64(c, x, p, "skipped_runs", &t->skipped_runs) < 0)
		return -1;
	if (cJSON_GetObjectItemCaseSensitive(x, "in_flight") &&
	    ji_u64(c, x, p, "in_flight", &t->in_flight) < 0)
		return -1;
	if (!cJSON_GetObjectItemCaseSensitive(x, "tty_slots"))
		return 0;
	if (ji_obj(c, x, p, "tty_slots", &y, q) < 0 ||
	    ji_u64(c, y, q, "size", &t->slots_size) < 0 ||
	    ji_u64(c, y, q, "used", &t->slots_used) < 0 ||
	    ji_u64(c, y, q, "retired", &t->slots_retired) < 0)
		return -1;
	return 0;
}

/* The terminal rows, and at most one "others" row (the one with an "others" count). */
static int get_terminals(struct pc *c, const cJSON *a, struct tt_model *m)
{
	const cJSON *it;
	char p[PATH_LEN];
	bool have_others = false;
	int i = 0, k, n = cJSON_GetArraySize(a);

	/* Our writer cannot produce more: a bigger table is not our document. */
	if (n > TT_MODEL_MAX_TERMINALS + 1)
		return ji_fail(c, NULL, "terminals", "%d entries, at most %d (and an others row)",
		               n, TT_MODEL_MAX_TERMINALS);
	cJSON_ArrayForEach(it, a)
	{
		struct tt_terminal *t;
		uint64_t on;

		ji_subpath(p, "", "terminals", i);
		if (cJSON_IsObject(it) && cJSON_GetObjectItemCaseSensitive(it, "others")) {
			if (have_others)
				return ji_fail(c, p, "others", "a second others row");
			if (ji_u64(c, it, p, "others", &on) < 0)
				return -1;
			if (on > UINT32_MAX)
				return ji_fail(c, p, "others", "at most %u terminals", UINT32_MAX);
			if (parse_terminal(c, it, p, m, &m->others) < 0)
				return -1;
			m->others_n = (uint32_t)on;
			have_others = true;
			i++;
			continue;
		}
		if (m->nterminals >= TT_MODEL_MAX_TERMINALS)
			return ji_fail(c, NULL, "terminals", "more than %d entries besides others",
			               TT_MODEL_MAX_TERMINALS);
		t = &m->terminals[m->nterminals];
		memset(t, 0, sizeof(*t));
		if (parse_terminal(c, it, p, m, t) < 0)
			return -1;
		/* Lookups by dev must be unambiguous. */
		for (k = 0; k < m->nterminals; k++)
			if (m->terminals[k].dev == t->dev)
				return ji_fail(c, p, "dev", "duplicate of terminals[%d]", k);
		m->nterminals++;
		i++;
	}
	return 0;
}

static int parse_schema(struct pc *c, const cJSON *root)
{
	const cJSON *it;
	char sq[48];

	if (!cJSON_IsObject(root))
		return ji_fail(c, NULL, NULL,
		               "not a ttytop/1 snapshot (top level is not an object)");
	it = cJSON_GetObjectItemCaseSensitive(root, "schema");
	if (!it)
		return ji_fail(c, NULL, NULL, "not a ttytop/1 snapshot (no \"schema\" field)");
	if (!cJSON_IsString(it) || !it->valuestring)
		return ji_fail(c, NULL, NULL, "not a ttytop/1 snapshot (schema is not a string)");
	if (strcmp(it->valuestring, TT_SCHEMA) != 0) {
		const char *v = it->valuestring;
		char *end = NULL;
		unsigned long n = strncmp(v, "ttytop/", 7) || !isdigit((unsigned char)v[7])
		                      ? 0
		                      : strtoul(v + 7, &end, 10);

		/* a later version says so: the user needs a newer ttytop, not a new file */
		if (n > 1 && *end == '\0')
			return ji_fail(c, NULL, NULL,
			               "a ttytop/%lu snapshot, written by a newer ttytop; this one "
			               "reads ttytop/1 only (upgrade ttytop to replay it)",
			               n);
		ji_quote(it->valuestring, sq, sizeof(sq));
		return ji_fail(c, NULL, NULL, "not a ttytop/1 snapshot (schema \"%s\")", sq);
	}
	return 0;
}

/* time, host, interval and uptime: when and where the document was taken */
static int parse_when(struct pc *c, const cJSON *root, struct tt_model *m)
{
	const cJSON *x;
	char p[PATH_LEN], tbuf[64];
	double up;

	if (ji_str(c, root, "", "time", tbuf, sizeof(tbuf), false) < 0)
		return -1;
	/* A cut string must not turn into a valid time. */
	if (strlen(tbuf) == sizeof(tbuf) - 1 || parse_rfc3339(tbuf, &m->now_realtime_ns) < 0)
		return ji_fail(c, NULL, "time", "expected an RFC 3339 UTC time");
	if (ji_obj(c, root, "", "host", &x, p) < 0 ||
	    ji_str(c, x, p, "hostname", m->host.hostname, sizeof(m->host.hostname), false) < 0 ||
	    ji_str(c, x, p, "kernel", m->host.kernel, sizeof(m->host.kernel), false) < 0)
		return -1;
	if (ji_double(c, root, "", "interval_s", 0, 1e9, &m->interval_s) < 0 ||
	    ji_double(c, root, "", "uptime_s", 0, 1e10, &up) < 0)
		return -1;
	m->start_realtime_ns = up * 1e9 < (double)m->now_realtime_ns
	                           ? m->now_realtime_ns - (uint64_t)llround(up * 1e9)
	                           : 0;
	return 0;
}

static int parse_attach_filters(struct pc *c, const cJSON *root, struct tt_model *m)
{
	const cJSON *x, *it;
	char p[PATH_LEN];
	int64_t pid;

	if (ji_obj(c, root, "", "attach", &x, p) < 0 ||
	    ji_str(c, x, p, "mode", m->attach.mode, sizeof(m->attach.mode), false) < 0 ||
	    ji_str(c, x, p, "enter_prog", m->attach.enter_prog, sizeof(m->attach.enter_prog),
	           false) < 0 ||
	    ji_str(c, x, p, "sched", m->attach.sched, sizeof(m->attach.sched), false) < 0 ||
	    ji_bool(c, x, p, "tty_write_found", &m->attach.tty_write_found) < 0 ||
	    ji_bool(c, x, p, "redirected_found", &m->attach.redirected_found) < 0 ||
	    ji_u64(c, x, p, "attach_us", &m->attach.attach_us) < 0 ||
	    get_lost(c, x, p, &m->attach.lost) < 0)
		return -1;
	if (ji_obj(c, root, "", "filters", &x, p) < 0)
		return -1;
	if (!(it = ji_get(c, x, p, "pid")))
		return -1;
	if (!cJSON_IsNull(it)) {
		if (ji_i64(c, x, p, "pid", 0, INT32_MAX, &pid) < 0)
			return -1;
		m->filters.pid = (int)pid;
	}
	if (ji_str(c, x, p, "comm", m->filters.comm, sizeof(m->filters.comm), true) < 0 ||
	    ji_str(c, x, p, "tty", m->filters.tty, sizeof(m->filters.tty), true) < 0 ||
	    ji_double(c, x, p, "threshold_ms", 0, 1e9, &m->filters.threshold_ms) < 0)
		return -1;
	/* came with ticks: absent, the default */
	if (cJSON_GetObjectItemCaseSensitive(x, "late_pct") &&
	    ji_u32(c, x, p, "late_pct", &m->late_pct) < 0)
		return -1;
	return 0;
}

/* Newest first: keep the first TT_MODEL_EVENT_RING, store oldest first. */
static int parse_events(struct pc *c, const cJSON *a, struct tt_model *m)
{
	const cJSON *it;
	char q[PATH_LEN];
	int n = cJSON_GetArraySize(a), k, i = 0;

	k = n < TT_MODEL_EVENT_RING ? n : TT_MODEL_EVENT_RING;
	cJSON_ArrayForEach(it, a)
	{
		struct tt_model_event *e;

		if (i >= k)
			break;
		e = &m->events[k - 1 - i];
		memset(e, 0, sizeof(*e));
		ji_subpath(q, "", "events", i);
		if (parse_event(c, it, q, e, false) < 0)
			return -1;
		i++;
	}
	m->ev_count = (uint32_t)k;
	m->ev_head = (uint32_t)k % TT_MODEL_EVENT_RING;
	m->ev_seq = (uint64_t)k;
	return 0;
}

static int parse_doc(struct pc *c, const cJSON *root, struct tt_model *m)
{
	const cJSON *x, *a;
	char p[PATH_LEN];

	if (parse_schema(c, root) < 0 || parse_when(c, root, m) < 0)
		return -1;
	/* a --threads document: its header and one pane */
	if (cJSON_GetObjectItemCaseSensitive(root, "pane"))
		return tt_json_parse_pane_doc(c, root, m);
	if (parse_attach_filters(c, root, m) < 0)
		return -1;
	if (ji_obj(c, root, "", "totals", &x, p) < 0 ||
	    ji_u64(c, x, p, "events", &m->totals.events) < 0 ||
	    ji_u64(c, x, p, "dropped", &m->totals.dropped) < 0 ||
	    ji_named_counts(c, x, p, "drops", TT_DROP_NR, drop_n, m->totals.drops) < 0 ||
	    ji_u64(c, x, p, "no_stack", &m->totals.no_stack) < 0 ||
	    ji_u64(c, x, p, "writes", &m->totals.writes) < 0 ||
	    get_totals_since_v2(c, x, p, &m->totals) < 0)
		return -1;
	if (ji_arr(c, root, "", "terminals", &a) < 0 || get_terminals(c, a, m) < 0)
		return -1;
	if (get_in_flight(c, root, m) < 0 || ji_arr(c, root, "", "events", &a) < 0 ||
	    parse_events(c, a, m) < 0)
		return -1;
	if (tt_json_parse_processes(c, root, m) < 0)
		return -1;
	return tt_json_parse_panes(c, root, m);
}

/* Clear everything but keep the event ring allocation. */
static void model_reset(struct tt_model *m)
{
	struct tt_model_event *ev = m->events;
	struct tt_model_inflight *inf = m->inflight;
	struct tt_model_ticker *tk = m->tickers;
	struct tt_model_proc *pr = m->procs;
	struct tt_pane *pn = m->panes;

	tt_model_clear_panes(m);
	/* not the rows: taken rows are zeroed, and untouched pages stay unmapped */
	memset(m, 0, offsetof(struct tt_model, terminals));
	memset((char *)m + offsetof(struct tt_model, nterminals), 0,
	       sizeof(*m) - offsetof(struct tt_model, nterminals));
	m->events = ev;
	m->inflight = inf;
	m->tickers = tk;
	m->procs = pr;
	m->panes = pn;
	m->late_pct = TT_LATE_PCT_DEFAULT;
}

/* Upper bound on the number of values cJSON would allocate for text. */
static size_t count_values(const char *s, size_t len)
{
	size_t n = 1;
	bool in_str = false;

	for (size_t i = 0; i < len; i++) {
		char ch = s[i];

		if (in_str) {
			if (ch == '\\')
				i++;
			else if (ch == '"')
				in_str = false;
		} else if (ch == '"') {
			in_str = true;
		} else if (ch == ',' || ch == '[' || ch == '{') {
			n++;
		}
	}
	return n;
}

static void line_col(const char *s, size_t off, size_t *line, size_t *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (s[i] == '\n')
			(*line)++, *col = 1;
		else
			(*col)++;
	}
}

int tt_json_parse(const char *text, size_t len, struct tt_model *m, char *err, size_t errlen)
{
	struct pc c = {err, errlen};
	const char *end = NULL;
	size_t off, line, col;
	cJSON *root;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!m || !m->events)
		return ji_fail(&c, NULL, NULL, "internal error: model not initialized");
	model_reset(m);
	if (!text || len == 0)
		return ji_fail(&c, NULL, NULL, "empty document");
	if (len > TT_JSON_MAX_BYTES)
		return ji_fail(&c, NULL, NULL, "document larger than %u MiB",
		               TT_JSON_MAX_BYTES >> 20);
	if (count_values(text, len) > TT_JSON_MAX_VALUES)
		return ji_fail(&c, NULL, NULL, "document has more than %u values",
		               TT_JSON_MAX_VALUES);

	root = cJSON_ParseWithLengthOpts(text, len, &end, false);
	if (!root) {
		off = end && end >= text && end <= text + len ? (size_t)(end - text) : 0;
		line_col(text, off, &line, &col);
		if (off + 1 >= len)
			return ji_fail(&c, NULL, NULL,
			               "invalid JSON: truncated at line %zu, column %zu", line,
			               col);
		return ji_fail(&c, NULL, NULL, "invalid JSON at line %zu, column %zu", line, col);
	}
	/* One document only; whitespace (and a final NUL from a C string) may follow. */
	off = (size_t)(end - text);
	while (off < len && (isspace((unsigned char)text[off]) || text[off] == '\0'))
		off++;
	if (off < len) {
		cJSON_Delete(root);
		line_col(text, off, &line, &col);
		return ji_fail(&c, NULL, NULL,
		               "unexpected data after the document at line %zu, column %zu", line,
		               col);
	}

	rc = parse_doc(&c, root, m);
	cJSON_Delete(root);
	if (rc < 0) {
		model_reset(m);
		return -1;
	}
	m->replay = true;
	return 0;
}

/* path opened for reading, refused when it is a directory or too large */
static int open_snapshot(struct pc *c, const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY), rc;

	if (fd < 0)
		return ji_fail(c, NULL, NULL, "cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		rc = errno;
		close(fd);
		return ji_fail(c, NULL, NULL, "cannot stat %s: %s", path, strerror(rc));
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return ji_fail(c, NULL, NULL, "%s: is a directory, not a snapshot file", path);
	}
	if (S_ISREG(st.st_mode) && st.st_size > (off_t)TT_JSON_MAX_BYTES) {
		close(fd);
		return ji_fail(c, NULL, NULL, "%s: larger than %u MiB, not a ttytop snapshot", path,
		               TT_JSON_MAX_BYTES >> 20);
	}
	return fd;
}

/* All of fd into *buf (*len bytes). Pipes have no size: read in growing
 * chunks, never past the limit + 1. */
static int read_snapshot(struct pc *c, int fd, const char *path, char **buf, size_t *len)
{
	size_t cap = 0;
	char *nb;
	ssize_t r;
	int rc;

	for (;;) {
		if (*len == cap) {
			size_t ncap = cap ? cap * 2 : 65536;

			if (ncap > TT_JSON_MAX_BYTES + 1)
				ncap = TT_JSON_MAX_BYTES + 1;
			if (ncap == cap)
				return ji_fail(c, NULL, NULL,
				               "%s: larger than %u MiB, not a ttytop snapshot",
				               path, TT_JSON_MAX_BYTES >> 20);
			nb = realloc(*buf, ncap);
			if (!nb)
				return ji_fail(c, NULL, NULL, "%s: out of memory", path);
			*buf = nb;
			cap = ncap;
		}
		r = read(fd, *buf + *len, cap - *len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = errno;
			return ji_fail(c, NULL, NULL, "cannot read %s: %s", path, strerror(rc));
		}
		if (r == 0)
			return 0;
		*len += (size_t)r;
	}
}

int tt_json_load_file(const char *path, struct tt_model *m, char *err, size_t errlen)
{
	struct pc c = {err, errlen};
	char msg[200];
	size_t len = 0;
	char *buf = NULL;
	int fd, rc;

	if (err && errlen)
		err[0] = '\0';
	fd = open_snapshot(&c, path);
	if (fd < 0)
		return fd;
	rc = read_snapshot(&c, fd, path, &buf, &len);
	close(fd);
	if (rc < 0) {
		free(buf);
		return rc;
	}
	if (len == 0) {
		free(buf);
		return ji_fail(&c, NULL, NULL, "%s: empty file, not a ttytop snapshot", path);
	}
	rc = tt_json_parse(buf, len, m, msg, sizeof(msg));
	free(buf);
	if (rc < 0)
		return ji_fail(&c, NULL, NULL, "%s: %s", path, msg);
	return 0;
}
