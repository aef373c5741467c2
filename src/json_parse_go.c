// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The tick and Go parts of a ttytop/1 document, back into the model, for
 * --replay. All of them came within ttytop/1, so each is optional: a
 * document from before them loads with no ticks, slow writes only and no
 * processes. Present, every field is checked like the rest.
 */
#include <string.h>

#include "json_go.h"

static int parse_jitter(struct pc *c, const cJSON *o, const char *p, struct tt_model_ticker *t)
{
	const cJSON *j;
	char q[PATH_LEN];
	uint64_t p50, p99;

	if (ji_obj(c, o, p, "jitter_ns", &j, q) < 0 || ji_u64(c, j, q, "p50", &p50) < 0 ||
	    ji_u64(c, j, q, "p99", &p99) < 0 || ji_u64(c, j, q, "max", &t->jitter_max_ns) < 0)
		return -1;
	return 0;
}

int tt_json_parse_ticks(struct pc *c, const cJSON *w, const char *p, struct tt_model *m,
                        uint32_t dev, uint32_t pid, const char *comm)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(w, "ticks"), *g;
	struct tt_model_ticker *t, tmp = {0};
	char q[PATH_LEN];
	int64_t goid = -1;

	if (!o || cJSON_IsNull(o))
		return 0;
	if (!cJSON_IsObject(o))
		return ji_fail(c, p, "ticks", "expected an object or null");
	ji_subpath(q, p, "ticks", -1);
	if (!(g = ji_get(c, o, q, "goid")))
		return -1;
	if (!cJSON_IsNull(g) && ji_i64(c, o, q, "goid", 0, INT64_MAX, &goid) < 0)
		return -1;
	if (ji_u64(c, o, q, "period_ns", &tmp.period_ns) < 0 ||
	    ji_u64(c, o, q, "intervals", &tmp.intervals) < 0 ||
	    ji_u64(c, o, q, "late", &tmp.late) < 0 || parse_jitter(c, o, q, &tmp) < 0 ||
	    ji_hist(c, o, q, "interval_hist", &tmp.iv) < 0)
		return -1;
	if (cJSON_GetObjectItemCaseSensitive(o, "jitter_hist") &&
	    ji_hist(c, o, q, "jitter_hist", &tmp.jitter) < 0)
		return -1;
	/* the table is bounded: a document with more writers than it keeps loses the rest */
	t = tt_model_ticker(m, dev, pid, goid, true);
	if (!t)
		return 0;
	tmp.dev = dev;
	tmp.pid = pid;
	tmp.goid = goid;
	ji_copy_str(tmp.comm, sizeof(tmp.comm), comm);
	*t = tmp;
	return 0;
}

static const char *kind_n(int i)
{
	return tt_kind_name((enum tt_ev_kind)i);
}

static const char *cause_n(int i)
{
	/* index 0 (no cause) has no word and matches nothing */
	return i ? tt_cause_name((enum tt_cause)i) : "\x01";
}

static int parse_late(struct pc *c, const cJSON *o, const char *p, struct tt_model_event *e)
{
	int cause;

	if (ji_u64(c, o, p, "interval_ns", &e->interval_ns) < 0 ||
	    ji_u64(c, o, p, "period_ns", &e->period_ns) < 0 ||
	    ji_u64(c, o, p, "late_ns", &e->late_ns) < 0 ||
	    ji_enum(c, o, p, "cause", TT_CAUSE_NR, cause_n, &cause) < 0 ||
	    ji_u64(c, o, p, "cause_ns", &e->cause_ns) < 0)
		return -1;
	e->cause = (enum tt_cause)cause;
	return 0;
}

int tt_json_parse_event_kind(struct pc *c, const cJSON *o, const char *p, struct tt_model_event *e)
{
	int kind;

	e->kind = TT_KIND_SLOW_WRITE;
	if (!cJSON_GetObjectItemCaseSensitive(o, "kind"))
		return 0;
	if (ji_enum(c, o, p, "kind", TT_KIND_NR, kind_n, &kind) < 0 ||
	    ji_u64(c, o, p, "gc_overlap_ns", &e->gc_overlap_ns) < 0)
		return -1;
	e->kind = (enum tt_ev_kind)kind;
	return e->kind == TT_KIND_LATE_TICK ? parse_late(c, o, p, e) : 0;
}

static int parse_gc(struct pc *c, const cJSON *o, const char *p, struct tt_model_proc *pr)
{
	const cJSON *g;
	char q[PATH_LEN];

	if (ji_obj(c, o, p, "gc", &g, q) < 0 || ji_u64(c, g, q, "cycles", &pr->gc_cycles) < 0 ||
	    ji_u64(c, g, q, "stw_count", &pr->stw_count) < 0 ||
	    ji_u64(c, g, q, "stw_total_ns", &pr->stw_total_ns) < 0 ||
	    ji_u64(c, g, q, "stw_max_ns", &pr->stw_max_ns) < 0 ||
	    ji_hist(c, g, q, "stw_hist", &pr->stw_hist) < 0)
		return -1;
	return 0;
}

/* newest first in the document; the ring is filled oldest first, its newest kept */
static int parse_stw(struct pc *c, const cJSON *o, const char *p, struct tt_model_proc *pr)
{
	const cJSON *a, *it;
	char q[PATH_LEN];
	int n, skip;

	if (ji_arr(c, o, p, "stw", &a) < 0)
		return -1;
	n = cJSON_GetArraySize(a);
	skip = n > TT_MODEL_STW_RING ? n - TT_MODEL_STW_RING : 0;
	for (int i = n - 1 - skip; i >= 0; i--) {
		struct tt_stw s = {0};

		it = cJSON_GetArrayItem(a, i);
		ji_subpath(q, p, "stw", i);
		if (!cJSON_IsObject(it))
			return ji_fail(c, q, NULL, "expected an object");
		if (ji_u64(c, it, q, "time_ns", &s.time_ns) < 0 ||
		    ji_u64(c, it, q, "duration_ns", &s.duration_ns) < 0 ||
		    ji_str(c, it, q, "reason", s.reason, sizeof(s.reason), false) < 0)
			return -1;
		pr->stw[pr->stw_head] = s;
		pr->stw_head = (pr->stw_head + 1) % TT_MODEL_STW_RING;
		if (pr->stw_n < TT_MODEL_STW_RING)
			pr->stw_n++;
	}
	return 0;
}

static int parse_proc(struct pc *c, const cJSON *o, const char *p, struct tt_model_proc *pr)
{
	uint32_t pid = pr->pid;

	if (!cJSON_IsObject(o))
		return ji_fail(c, p, NULL, "expected an object");
	if (ji_u32(c, o, p, "pid", &pid) < 0 ||
	    ji_str(c, o, p, "comm", pr->comm, sizeof(pr->comm), false) < 0 ||
	    ji_str(c, o, p, "go_version", pr->go_version, sizeof(pr->go_version), true) < 0 ||
	    ji_bool(c, o, p, "instrumented", &pr->instrumented) < 0 ||
	    ji_str(c, o, p, "why_not", pr->why_not, sizeof(pr->why_not), true) < 0 ||
	    ji_bool(c, o, p, "exited", &pr->exited) < 0 || parse_gc(c, o, p, pr) < 0 ||
	    parse_stw(c, o, p, pr) < 0)
		return -1;
	pr->pid = pid;
	return 0;
}

int tt_json_parse_processes(struct pc *c, const cJSON *root, struct tt_model *m)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(root, "processes"), *it;
	char q[PATH_LEN];
	int i = 0;

	if (!a)
		return 0;
	if (!cJSON_IsArray(a))
		return ji_fail(c, "", "processes", "expected an array");
	cJSON_ArrayForEach(it, a)
	{
		struct tt_model_proc tmp = {0};

		if (m->nprocs >= TT_MODEL_MAX_PROCS)
			break;
		ji_subpath(q, "", "processes", i++);
		if (parse_proc(c, it, q, &tmp) < 0)
			return -1;
		/* two entries of one pid: the first wins, as a live model keeps one */
		if (!tt_model_proc(m, tmp.pid, false))
			m->procs[m->nprocs++] = tmp;
	}
	return 0;
}
