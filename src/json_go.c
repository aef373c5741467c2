// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The tick and Go parts of a ttytop/1 document: a writer's "ticks", an
 * event's kind and late-tick cause, and the top-level "processes" with their
 * stop-the-world pauses (docs/json.md).
 */
#include "json_go.h"
#include "json_out.h"

int tt_json_ticks(cJSON *w, const struct tt_model *m, uint32_t dev, uint32_t pid)
{
	const struct tt_model_ticker *t = tt_model_writer_ticker(m, dev, pid);
	cJSON *o, *j;

	/* no period, no tick: the contract says null, not a guess */
	if (!t || !t->period_ns)
		return cJSON_AddNullToObject(w, "ticks") ? 0 : -1;
	if (!(o = cJSON_AddObjectToObject(w, "ticks")))
		return -1;
	if (!(t->goid >= 0 ? jo_i64(o, "goid", t->goid) : cJSON_AddNullToObject(o, "goid")) ||
	    !jo_u64(o, "period_ns", t->period_ns) || !jo_u64(o, "intervals", t->intervals) ||
	    !jo_u64(o, "late", t->late) || !(j = cJSON_AddObjectToObject(o, "jitter_ns")) ||
	    !jo_u64(j, "p50", tt_ticker_jitter(t, 0.50)) ||
	    !jo_u64(j, "p99", tt_ticker_jitter(t, 0.99)) || !jo_u64(j, "max", t->jitter_max_ns) ||
	    !jo_hist(o, "interval_hist", &t->iv) || !jo_hist(o, "jitter_hist", &t->jitter))
		return -1;
	return 0;
}

int tt_json_event_kind(cJSON *o, const struct tt_model_event *e)
{
	if (!cJSON_AddStringToObject(o, "kind", tt_kind_name(e->kind)) ||
	    !jo_u64(o, "gc_overlap_ns", e->gc_overlap_ns))
		return -1;
	if (e->kind != TT_KIND_LATE_TICK)
		return 0;
	if (!jo_u64(o, "interval_ns", e->interval_ns) || !jo_u64(o, "period_ns", e->period_ns) ||
	    !jo_u64(o, "late_ns", e->late_ns) ||
	    !cJSON_AddStringToObject(o, "cause", tt_cause_name(e->cause)) ||
	    !jo_u64(o, "cause_ns", e->cause_ns))
		return -1;
	return 0;
}

static int render_gc(cJSON *o, const struct tt_model_proc *p)
{
	cJSON *g = cJSON_AddObjectToObject(o, "gc");

	if (!g || !jo_u64(g, "cycles", p->gc_cycles) || !jo_u64(g, "stw_count", p->stw_count) ||
	    !jo_u64(g, "stw_total_ns", p->stw_total_ns) || !jo_u64(g, "stw_max_ns", p->stw_max_ns) ||
	    !jo_hist(g, "stw_hist", &p->stw_hist))
		return -1;
	return 0;
}

/* the ring, newest first */
static int render_stw(cJSON *o, const struct tt_model_proc *p)
{
	cJSON *a = cJSON_AddArrayToObject(o, "stw");
	const struct tt_stw *s;

	if (!a)
		return -1;
	for (uint32_t i = 0; (s = tt_model_proc_stw_at(p, i)); i++) {
		cJSON *x = cJSON_CreateObject();

		if (!x || !cJSON_AddItemToArray(a, x))
			return cJSON_Delete(x), -1;
		if (!jo_u64(x, "time_ns", s->time_ns) || !jo_u64(x, "duration_ns", s->duration_ns) ||
		    !jo_str(x, "reason", s->reason, sizeof(s->reason)))
			return -1;
	}
	return 0;
}

static int render_proc(cJSON *arr, const struct tt_model_proc *p)
{
	cJSON *o = cJSON_CreateObject();

	if (!o || !cJSON_AddItemToArray(arr, o))
		return cJSON_Delete(o), -1;
	if (!jo_u64(o, "pid", p->pid) || !jo_str(o, "comm", p->comm, sizeof(p->comm)) ||
	    !jo_str_or_null(o, "go_version", p->go_version, sizeof(p->go_version)) ||
	    !cJSON_AddBoolToObject(o, "instrumented", p->instrumented) ||
	    !jo_str_or_null(o, "why_not", p->why_not, sizeof(p->why_not)) ||
	    !cJSON_AddBoolToObject(o, "exited", p->exited) || render_gc(o, p) < 0 ||
	    render_stw(o, p) < 0)
		return -1;
	return 0;
}

int tt_json_processes(cJSON *root, const struct tt_model *m)
{
	cJSON *a = cJSON_AddArrayToObject(root, "processes");

	if (!a)
		return -1;
	for (int i = 0; m->procs && i < m->nprocs && i < TT_MODEL_MAX_PROCS; i++)
		if (render_proc(a, &m->procs[i]) < 0)
			return -1;
	return 0;
}
