// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Panes (pane.h) back from ttytop/1 JSON, for --replay: a snapshot's
 * "panes", or a --threads document. The file may come from anywhere: every
 * field is type- and range-checked, every string cut to its buffer, every
 * array to what a model keeps (TT_MODEL_PANE_THREADS threads,
 * TT_PANE_SNAP_GOROUTINES goroutines, TT_PANE_DEPTH frames a row, the first
 * ones), and the names are folded into one table as the reader makes it.
 */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "json_pane.h"

/* The pane being read, bounded like a kept one, and its names' index. */
struct pane_in {
	struct tt_pane p;
};

static void in_free(struct pane_in *in)
{
	free(in->p.threads);
	free(in->p.gs);
	free(in->p.names);
	free(in->p.hash);
	memset(in, 0, sizeof(*in));
}

static int in_alloc(struct pane_in *in)
{
	memset(in, 0, sizeof(*in));
	in->p.threads = calloc(TT_MODEL_PANE_THREADS, sizeof(*in->p.threads));
	in->p.gs = calloc(TT_PANE_SNAP_GOROUTINES, sizeof(*in->p.gs));
	if (tt_pane_names_alloc(&in->p) || !in->p.threads || !in->p.gs) {
		in_free(in);
		return -ENOMEM;
	}
	return 0;
}

/*
 * The frame's name in the table; UINT32_MAX for a frame without a function
 * (as the reader leaves it) or when the table is full.
 */
static uint32_t in_intern(struct pane_in *in, const struct tt_frame *fr)
{
	struct tt_pane_name n;

	if (!fr->func)
		return UINT32_MAX;
	memset(&n, 0, sizeof(n));
	snprintf(n.func, sizeof(n.func), "%s", tt_str(fr->func));
	snprintf(n.file, sizeof(n.file), "%s", tt_str(fr->file));
	snprintf(n.module, sizeof(n.module), "%s", tt_str(fr->module));
	n.line = fr->line;
	return tt_pane_intern(&in->p, &n);
}

/* Innermost first: the first TT_PANE_DEPTH stay, a longer stack is marked truncated. */
static int parse_pframes(struct pc *c, const cJSON *o, const char *path, const char *key,
                         struct pane_in *in, struct tt_pane_stack *s, uint8_t flag)
{
	const cJSON *a, *f;
	char p[PATH_LEN];
	struct tt_frame fr;

	if (ji_arr(c, o, path, key, &a) < 0)
		return -1;
	cJSON_ArrayForEach(f, a)
	{
		if (s->n >= TT_PANE_DEPTH) {
			s->flags |= TT_PSTK_TRUNCATED;
			break;
		}
		ji_subpath(p, path, key, s->n);
		if (ji_frame(c, f, p, &fr) < 0)
			return -1;
		s->f[s->n++] = (struct tt_pane_frame){fr.addr, in_intern(in, &fr), flag};
	}
	return 0;
}

/* u, k: a thread's user and kernel stacks; a goroutine's has no kernel part (k NULL) */
static int parse_pstack(struct pc *c, const cJSON *o, const char *p, struct pane_in *in,
                        struct tt_pane_stack *u, struct tt_pane_stack *k)
{
	const cJSON *x, *a;
	char q[PATH_LEN];
	bool trunc, changed;

	if (ji_obj(c, o, p, "stack", &x, q) < 0 || parse_pframes(c, x, q, "user", in, u, 0) < 0 ||
	    (k ? parse_pframes(c, x, q, "kernel", in, k, TT_PSTK_KERNEL)
	       : ji_arr(c, x, q, "kernel", &a)) < 0 ||
	    ji_bool(c, x, q, "truncated", &trunc) < 0 || ji_bool(c, x, q, "changed", &changed) < 0)
		return -1;
	u->flags |= (trunc ? TT_PSTK_TRUNCATED : 0) | (changed ? TT_PSTK_CHANGED : 0);
	return 0;
}

/* An integer or null (-1). */
static int get_id(struct pc *c, const cJSON *o, const char *p, const char *key, int64_t max,
                  int64_t *out)
{
	const cJSON *it = ji_get(c, o, p, key);

	if (!it)
		return -1;
	*out = -1;
	return cJSON_IsNull(it) ? 0 : ji_i64(c, o, p, key, 0, max, out);
}

/* /proc's state letter */
static int get_state(struct pc *c, const cJSON *o, const char *p, char *out)
{
	char s[4];

	if (ji_str(c, o, p, "state", s, sizeof(s), false) < 0)
		return -1;
	if (!((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z')) || s[1])
		return ji_fail(c, p, "state", "expected one letter (R, S, D, ...)");
	*out = s[0];
	return 0;
}

static int parse_thread(struct pc *c, const cJSON *o, const char *p, struct pane_in *in,
                        struct tt_pane_thread *t)
{
	int64_t sc;

	if (!cJSON_IsObject(o))
		return ji_fail(c, p, NULL, "expected an object");
	if (ji_u32(c, o, p, "tid", &t->tid) < 0 ||
	    ji_str(c, o, p, "comm", t->comm, sizeof(t->comm), false) < 0 ||
	    get_state(c, o, p, &t->state) < 0 ||
	    ji_str(c, o, p, "blocked_on", t->blocked_on, sizeof(t->blocked_on), true) < 0 ||
	    get_id(c, o, p, "syscall", INT32_MAX, &sc) < 0 ||
	    ji_u64(c, o, p, "since_ns", &t->since_ns) < 0 ||
	    ji_bool(c, o, p, "since_exact", &t->since_exact) < 0 ||
	    get_id(c, o, p, "goid", INT64_MAX, &t->goid) < 0 ||
	    ji_u64(c, o, p, "read_ns", &t->read_ns) < 0 ||
	    parse_pstack(c, o, p, in, &t->ustack, &t->kstack) < 0)
		return -1;
	t->syscall = (int32_t)sc;
	return 0;
}

/*
 * The runtime's _G* value of a status word, as goroutines.c writes them
 * (runtime2.go's order); a word this table lacks (a newer Go's, or "???")
 * is kept as a word only.
 */
static uint32_t status_value(const char *w)
{
	static const char *const words[] = {
	    "idle", "runnable",       "running",   "syscall",   "waiting", "moribund_unused",
	    "dead", "enqueue_unused", "copystack", "preempted",
	};

	for (uint32_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(words[i], w))
			return i;
	return UINT32_MAX;
}

static int get_status(struct pc *c, const cJSON *o, const char *p, struct tt_pane_goroutine *g)
{
	if (ji_str(c, o, p, "status", g->status_word, sizeof(g->status_word), false) < 0)
		return -1;
	/* "???": the runtime's own word for a value outside its table */
	if (strcmp(g->status_word, "???") &&
	    (!g->status_word[0] ||
	     strspn(g->status_word, "abcdefghijklmnopqrstuvwxyz_") != strlen(g->status_word)))
		return ji_fail(c, p, "status", "expected a status word (\"waiting\", ...)");
	g->status = status_value(g->status_word);
	return 0;
}

/* "top" is one of the stack's frames: the first that is the same frame */
static int get_top(struct pc *c, const cJSON *o, const char *p, struct pane_in *in,
                   struct tt_pane_goroutine *g)
{
	const cJSON *it = ji_get(c, o, p, "top");
	char q[PATH_LEN];
	struct tt_frame fr;
	uint32_t name;

	g->top = -1;
	if (!it || cJSON_IsNull(it))
		return it ? 0 : -1;
	ji_subpath(q, p, "top", -1);
	if (ji_frame(c, it, q, &fr) < 0)
		return -1;
	name = in_intern(in, &fr);
	for (int i = 0; i < g->stack.n && g->top < 0; i++)
		if (g->stack.f[i].addr == fr.addr && g->stack.f[i].name == name)
			g->top = (int16_t)i;
	return g->top < 0 ? ji_fail(c, p, "top", "not a frame of its stack") : 0;
}

static int parse_goroutine(struct pc *c, const cJSON *o, const char *p, struct pane_in *in,
                           struct tt_pane_goroutine *g)
{
	int64_t tid;

	if (!cJSON_IsObject(o))
		return ji_fail(c, p, NULL, "expected an object");
	if (ji_i64(c, o, p, "goid", 0, INT64_MAX, &g->goid) < 0 || get_status(c, o, p, g) < 0 ||
	    ji_str(c, o, p, "wait_reason", g->wait_reason, sizeof(g->wait_reason), false) < 0 ||
	    ji_u64(c, o, p, "wait_ns", &g->wait_ns) < 0 ||
	    ji_bool(c, o, p, "wait_exact", &g->wait_exact) < 0 ||
	    get_id(c, o, p, "thread", UINT32_MAX, &tid) < 0 ||
	    ji_u64(c, o, p, "read_ns", &g->read_ns) < 0 ||
	    parse_pstack(c, o, p, in, &g->stack, NULL) < 0 || get_top(c, o, p, in, g) < 0)
		return -1;
	g->thread = tid > 0 ? (uint32_t)tid : 0;
	return 0;
}

static int get_count(struct pc *c, const cJSON *o, const char *p, const char *key, int *out)
{
	const cJSON *it = ji_get(c, o, p, key);
	uint64_t v;

	if (!it || ji_val_u64(c, it, p, key, INT32_MAX, &v) < 0)
		return -1;
	*out = (int)v;
	return 0;
}

static int parse_head(struct pc *c, const cJSON *o, const char *p, struct tt_pane *t)
{
	if (ji_u32(c, o, p, "pid", &t->pid) < 0 ||
	    ji_str(c, o, p, "comm", t->comm, sizeof(t->comm), false) < 0 ||
	    ji_bool(c, o, p, "go", &t->is_go) < 0 ||
	    ji_str(c, o, p, "go_version", t->go_version, sizeof(t->go_version), true) < 0 ||
	    ji_u64(c, o, p, "read_ns", &t->read_ns) < 0 ||
	    ji_u64(c, o, p, "read_cost_ns", &t->read_cost_ns) < 0 ||
	    ji_bool(c, o, p, "gone", &t->gone) < 0 ||
	    get_count(c, o, p, "threads_total", &t->threads_total) < 0 ||
	    get_count(c, o, p, "goroutines_total", &t->goroutines_total) < 0 ||
	    ji_str(c, o, p, "why_no_goroutines", t->why_no_goroutines, sizeof(t->why_no_goroutines),
	           true) < 0 ||
	    ji_str(c, o, p, "allgs_source", t->gsrc, sizeof(t->gsrc), true) < 0)
		return -1;
	return 0;
}

static int parse_threads(struct pc *c, const cJSON *o, const char *p, struct pane_in *in)
{
	const cJSON *a, *it;
	char q[PATH_LEN];

	if (ji_arr(c, o, p, "threads", &a) < 0)
		return -1;
	cJSON_ArrayForEach(it, a)
	{
		if (in->p.nthreads >= TT_MODEL_PANE_THREADS)
			break; /* the first ones stay, as a kept pane has them */
		ji_subpath(q, p, "threads", in->p.nthreads);
		if (parse_thread(c, it, q, in, &in->p.threads[in->p.nthreads]) < 0)
			return -1;
		in->p.nthreads++;
	}
	return 0;
}

/* Go processes only: a pane that is not Go has no "goroutines". */
static int parse_goroutines(struct pc *c, const cJSON *o, const char *p, struct pane_in *in)
{
	const cJSON *a, *it;
	char q[PATH_LEN];

	if (!in->p.is_go)
		return cJSON_GetObjectItemCaseSensitive(o, "goroutines")
		           ? ji_fail(c, p, "goroutines", "present for a process that is not Go")
		           : 0;
	if (ji_arr(c, o, p, "goroutines", &a) < 0)
		return -1;
	cJSON_ArrayForEach(it, a)
	{
		if (in->p.ngoroutines >= TT_PANE_SNAP_GOROUTINES)
			break;
		ji_subpath(q, p, "goroutines", in->p.ngoroutines);
		if (parse_goroutine(c, it, q, in, &in->p.gs[in->p.ngoroutines]) < 0)
			return -1;
		in->p.ngoroutines++;
	}
	return 0;
}

/* head: the pane's header fields; rows: where its threads and goroutines are */
static int parse_pane(struct pc *c, const cJSON *head, const char *hp, const cJSON *rows,
                      const char *rp, struct tt_model *m)
{
	struct pane_in in;
	int r;

	if (!cJSON_IsObject(head))
		return ji_fail(c, hp, NULL, "expected an object");
	if (in_alloc(&in) < 0)
		return ji_fail(c, hp, NULL, "out of memory");
	r = parse_head(c, head, hp, &in.p) < 0 || parse_threads(c, rows, rp, &in) < 0 ||
	            parse_goroutines(c, rows, rp, &in) < 0
	        ? -1
	        : 0;
	if (!r && tt_model_keep_pane(m, &in.p) < 0)
		r = ji_fail(c, hp, NULL, "out of memory");
	in_free(&in);
	return r;
}

int tt_json_parse_panes(struct pc *c, const cJSON *root, struct tt_model *m)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(root, "panes"), *it;
	char q[PATH_LEN];
	int i = 0;

	if (!a)
		return 0;
	if (!cJSON_IsArray(a))
		return ji_fail(c, "", "panes", "expected an array");
	cJSON_ArrayForEach(it, a)
	{
		if (i >= TT_PANE_MAX)
			break; /* a model keeps no more */
		ji_subpath(q, "", "panes", i++);
		if (parse_pane(c, it, q, it, q, m) < 0)
			return -1;
	}
	return 0;
}

int tt_json_parse_pane_doc(struct pc *c, const cJSON *root, struct tt_model *m)
{
	return parse_pane(c, cJSON_GetObjectItemCaseSensitive(root, "pane"), "pane", root, "", m);
}
