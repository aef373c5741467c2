// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A pane (pane.h) as ttytop/1 JSON: the pane's header, one object per
 * thread and per goroutine, their frames named from the pane's table in the
 * shape of an event's frames (docs/json.md).
 */
#include <stdlib.h>

#include "json_out.h"
#include "json_pane.h"

/*
 * The frame's name, as tt_pane_frame_name() has it: not called, so that the
 * renderer does not pull the pane's reader (threads, goroutines) into every
 * program that renders a document.
 */
static const struct tt_pane_name *name_of(const struct tt_pane *p, const struct tt_pane_frame *f)
{
	return p->names && f->name < p->nnames ? &p->names[f->name] : NULL;
}

static int render_pframe(cJSON *a, const struct tt_pane *p, const struct tt_pane_frame *f)
{
	const struct tt_pane_name *n = name_of(p, f);

	if (!n)
		return jo_frame(a, f->addr, "", "", 0, "");
	return jo_frame(a, f->addr, n->func, n->file, n->line, n->module);
}

static int render_pframes(cJSON *o, const char *key, const struct tt_pane *p,
                          const struct tt_pane_stack *s)
{
	cJSON *a = cJSON_AddArrayToObject(o, key);

	if (!a)
		return -1;
	for (int i = 0; s && i < s->n && i < TT_PANE_DEPTH; i++)
		if (render_pframe(a, p, &s->f[i]) < 0)
			return -1;
	return 0;
}

/* u and k: a thread's user and kernel stacks; a goroutine has no kernel one (k NULL) */
static int render_pstack(cJSON *o, const struct tt_pane *p, const struct tt_pane_stack *u,
                         const struct tt_pane_stack *k)
{
	cJSON *x = cJSON_AddObjectToObject(o, "stack");
	unsigned fl = u->flags | (k ? k->flags : 0);

	if (!x || render_pframes(x, "user", p, u) < 0 || render_pframes(x, "kernel", p, k) < 0 ||
	    !cJSON_AddBoolToObject(x, "truncated", (fl & TT_PSTK_TRUNCATED) != 0) ||
	    !cJSON_AddBoolToObject(x, "changed", (fl & TT_PSTK_CHANGED) != 0))
		return -1;
	return 0;
}

static cJSON *add_row(cJSON *arr)
{
	cJSON *o = cJSON_CreateObject();

	if (!o || !cJSON_AddItemToArray(arr, o)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static int render_thread(cJSON *arr, const struct tt_pane *p, const struct tt_pane_thread *t)
{
	cJSON *o = add_row(arr);
	char state[2] = {t->state, 0};

	if (!o || !jo_u64(o, "tid", t->tid) || !jo_str(o, "comm", t->comm, sizeof(t->comm)) ||
	    !jo_str(o, "state", state[0] ? state : "?", sizeof(state)) ||
	    !jo_str_or_null(o, "blocked_on", t->blocked_on, sizeof(t->blocked_on)) ||
	    !(t->syscall >= 0 ? jo_i64(o, "syscall", t->syscall)
	                      : cJSON_AddNullToObject(o, "syscall")) ||
	    !jo_u64(o, "since_ns", t->since_ns) ||
	    !cJSON_AddBoolToObject(o, "since_exact", t->since_exact) ||
	    !(t->goid >= 0 ? jo_i64(o, "goid", t->goid) : cJSON_AddNullToObject(o, "goid")) ||
	    !jo_u64(o, "read_ns", t->read_ns) || render_pstack(o, p, &t->ustack, &t->kstack) < 0)
		return -1;
	return 0;
}

/* the first frame in the program's own code (else the first), or null */
static int render_top(cJSON *o, const struct tt_pane *p, const struct tt_pane_goroutine *g)
{
	const struct tt_pane_name *n;
	const struct tt_pane_frame *f;

	if (g->top < 0 || g->top >= g->stack.n || g->top >= TT_PANE_DEPTH)
		return cJSON_AddNullToObject(o, "top") ? 0 : -1;
	f = &g->stack.f[g->top];
	n = name_of(p, f);
	return jo_item(o, "top",
	               n ? jo_frame_obj(f->addr, n->func, n->file, n->line, n->module)
	                 : jo_frame_obj(f->addr, "", "", 0, ""))
	           ? 0
	           : -1;
}

static int render_goroutine(cJSON *arr, const struct tt_pane *p, const struct tt_pane_goroutine *g)
{
	cJSON *o = add_row(arr);
	const char *st = g->status_word[0] ? g->status_word : "unknown";

	if (!o || !jo_i64(o, "goid", g->goid) || !jo_str(o, "status", st, sizeof(g->status_word)) ||
	    !jo_str(o, "wait_reason", g->wait_reason, sizeof(g->wait_reason)) ||
	    !jo_u64(o, "wait_ns", g->wait_ns) ||
	    !cJSON_AddBoolToObject(o, "wait_exact", g->wait_exact) ||
	    !(g->thread ? jo_u64(o, "thread", g->thread) : cJSON_AddNullToObject(o, "thread")) ||
	    !jo_u64(o, "read_ns", g->read_ns) || render_top(o, p, g) < 0 ||
	    render_pstack(o, p, &g->stack, NULL) < 0)
		return -1;
	return 0;
}

static int render_head(cJSON *o, const struct tt_pane *p)
{
	if (!jo_u64(o, "pid", p->pid) || !jo_str(o, "comm", p->comm, sizeof(p->comm)) ||
	    !(p->is_go ? jo_str_or_null(o, "go_version", p->go_version, sizeof(p->go_version))
	               : cJSON_AddNullToObject(o, "go_version")) ||
	    !cJSON_AddBoolToObject(o, "go", p->is_go) || !jo_u64(o, "read_ns", p->read_ns) ||
	    !jo_u64(o, "read_cost_ns", p->read_cost_ns) ||
	    !cJSON_AddBoolToObject(o, "gone", p->gone) ||
	    !jo_u64(o, "threads_total", p->threads_total > 0 ? (uint64_t)p->threads_total : 0) ||
	    !jo_u64(o, "goroutines_total",
	            p->goroutines_total > 0 ? (uint64_t)p->goroutines_total : 0) ||
	    !jo_str_or_null(o, "why_no_goroutines", p->why_no_goroutines,
	                    sizeof(p->why_no_goroutines)) ||
	    !jo_str_or_null(o, "allgs_source", p->gsrc, sizeof(p->gsrc)))
		return -1;
	return 0;
}

/* "threads" and, for a Go process, "goroutines" added to o */
static int render_rows(cJSON *o, const struct tt_pane *p)
{
	cJSON *a = cJSON_AddArrayToObject(o, "threads");

	if (!a)
		return -1;
	for (int i = 0; p->threads && i < p->nthreads && i < TT_PANE_THREADS; i++)
		if (render_thread(a, p, &p->threads[i]) < 0)
			return -1;
	if (!p->is_go)
		return 0;
	if (!(a = cJSON_AddArrayToObject(o, "goroutines")))
		return -1;
	for (int i = 0; p->gs && i < p->ngoroutines && i < TT_PANE_GOROUTINES; i++)
		if (render_goroutine(a, p, &p->gs[i]) < 0)
			return -1;
	return 0;
}

int tt_json_pane(cJSON *o, const struct tt_pane *p)
{
	cJSON *h = cJSON_AddObjectToObject(o, "pane");

	if (!h || render_head(h, p) < 0)
		return -1;
	return render_rows(o, p);
}

/* In a snapshot each pane is one object: its header's members, then its rows. */
int tt_json_panes(cJSON *root, const struct tt_model *m)
{
	cJSON *a, *o;

	if (!m->panes || m->npanes <= 0)
		return 0;
	if (!(a = cJSON_AddArrayToObject(root, "panes")))
		return -1;
	for (int i = 0; i < m->npanes && i < TT_PANE_MAX; i++)
		if (!(o = add_row(a)) || render_head(o, &m->panes[i]) < 0 ||
		    render_rows(o, &m->panes[i]) < 0)
			return -1;
	return 0;
}

char *tt_json_render_pane(const struct tt_model *m, const struct tt_pane *p, bool compact)
{
	cJSON *root = cJSON_CreateObject();
	char *s = NULL;

	if (!root)
		return NULL;
	if (jo_header(root, m) == 0 && tt_json_pane(root, p) == 0)
		s = compact ? cJSON_PrintUnformatted(root) : cJSON_Print(root);
	cJSON_Delete(root);
	return s;
}
