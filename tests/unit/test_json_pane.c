/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The goroutine/thread pane in ttytop/1 (json_pane.c, json_parse_pane.c) and
 * the panes a model keeps (model.c): round trip of a hand-filled pane, the
 * snapshot's bounds, hostile documents, and the schema.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers.h"

#include <cjson/cJSON.h>

#include "json.h"
#include "json_pane.h"
#include "pane.h"

#define PID 4100
#define T0 1764133359000000000ull

/* A pane's rows and table, allocated as pane.c does (not linked here: no reader). */
static struct tt_pane *pane_new(bool go)
{
	struct tt_pane *p = calloc(1, sizeof(*p));

	assert_non_null(p);
	p->threads = calloc(TT_PANE_THREADS, sizeof(*p->threads));
	p->names = calloc(TT_PANE_FRAMES, sizeof(*p->names));
	p->gs = go ? calloc(TT_PANE_GOROUTINES, sizeof(*p->gs)) : NULL;
	assert_true(p->threads && p->names && (!go || p->gs));
	return p;
}

static void pane_del(struct tt_pane *p)
{
	free(p->threads);
	free(p->gs);
	free(p->names);
	free(p);
}

static uint32_t add_name(struct tt_pane *p, const char *func, const char *file, int line,
                         const char *module)
{
	struct tt_pane_name *n = &p->names[p->nnames];

	snprintf(n->func, sizeof(n->func), "%s", func);
	snprintf(n->file, sizeof(n->file), "%s", file);
	n->line = line;
	snprintf(n->module, sizeof(n->module), "%s", module);
	return p->nnames++;
}

static void push(struct tt_pane_stack *s, uint64_t addr, uint32_t name, uint8_t flags)
{
	s->f[s->n++] = (struct tt_pane_frame){addr, name, flags};
}

/* marquee: two threads (one in a pty write), three goroutines */
static struct tt_pane *fill(void)
{
	struct tt_pane *p = pane_new(true);
	uint32_t ksched = add_name(p, "schedule", "", 0, "kernel");
	uint32_t kwrite = add_name(p, "tty_write", "", 0, "kernel");
	uint32_t gopark = add_name(p, "runtime.gopark", "/go/src/runtime/proc.go", 425, "marquee");
	uint32_t tick = add_name(p, "main.parkedOnChan", "/src/marquee.go", 88, "marquee");
	uint32_t wr = add_name(p, "syscall.write", "/go/src/syscall/zsyscall.go", 964, "marquee");
	struct tt_pane_thread *t;
	struct tt_pane_goroutine *g;

	p->pid = PID;
	snprintf(p->comm, sizeof(p->comm), "marquee");
	p->is_go = true;
	snprintf(p->go_version, sizeof(p->go_version), "go1.24.4");
	snprintf(p->gsrc, sizeof(p->gsrc), "symtab");
	p->read_ns = T0;
	p->read_cost_ns = 412000;
	p->nthreads = p->threads_total = 2;
	t = &p->threads[0];
	*t = (struct tt_pane_thread){.tid = PID,
	                             .state = 'S',
	                             .syscall = 202,
	                             .since_ns = 3000000000,
	                             .goid = -1,
	                             .read_ns = T0 + 10};
	snprintf(t->comm, sizeof(t->comm), "marquee");
	snprintf(t->blocked_on, sizeof(t->blocked_on), "futex_wait_queue");
	push(&t->kstack, 0, ksched, TT_PSTK_KERNEL);
	push(&t->ustack, 0x46a1c3, UINT32_MAX, 0); /* an address with no name */
	t = &p->threads[1];
	*t = (struct tt_pane_thread){.tid = PID + 3,
	                             .state = 'S',
	                             .syscall = 1,
	                             .since_ns = 700,
	                             .since_exact = true,
	                             .goid = 21,
	                             .read_ns = T0 + 20};
	snprintf(t->comm, sizeof(t->comm), "marquee");
	snprintf(t->blocked_on, sizeof(t->blocked_on), "n_tty_write");
	push(&t->kstack, 0, kwrite, TT_PSTK_KERNEL);
	push(&t->ustack, 0x47b000, wr, 0);
	t->ustack.flags = TT_PSTK_TRUNCATED;

	p->ngoroutines = 3;
	p->goroutines_total = 3;
	g = &p->gs[0];
	*g = (struct tt_pane_goroutine){
	    .goid = 18, .status = 4, .wait_ns = 2500000000, .read_ns = T0 + 30, .top = 1};
	snprintf(g->status_word, sizeof(g->status_word), "waiting");
	snprintf(g->wait_reason, sizeof(g->wait_reason), "chan receive");
	push(&g->stack, 0x43e5d2, gopark, 0);
	push(&g->stack, 0x4a0010, tick, 0);
	g = &p->gs[1];
	*g = (struct tt_pane_goroutine){.goid = 21,
	                                .status = 3,
	                                .thread = PID + 3,
	                                .top = 0,
	                                .read_ns = T0 + 40,
	                                .wait_exact = true};
	snprintf(g->status_word, sizeof(g->status_word), "syscall");
	push(&g->stack, 0x47b000, wr, 0);
	g->stack.flags = TT_PSTK_CHANGED;
	g = &p->gs[2];
	*g = (struct tt_pane_goroutine){.goid = 1, .status = 1, .top = -1, .read_ns = T0 + 50};
	snprintf(g->status_word, sizeof(g->status_word), "runnable");
	return p;
}

/* wall-clock ns (~2^60) come back through doubles to within 256 ns (docs/json.md) */
static bool near(uint64_t a, uint64_t b)
{
	return a > b ? a - b <= 256 : b - a <= 256;
}

static const struct tt_pane_name *nm(const struct tt_pane *p, const struct tt_pane_frame *f)
{
	return f->name < p->nnames ? &p->names[f->name] : NULL;
}

static void check_pane(const struct tt_pane *q)
{
	const struct tt_pane_thread *t;
	const struct tt_pane_goroutine *g;

	assert_non_null(q);
	assert_int_equal(q->pid, PID);
	assert_string_equal(q->comm, "marquee");
	assert_true(q->is_go && !q->gone);
	assert_string_equal(q->go_version, "go1.24.4");
	assert_string_equal(q->gsrc, "symtab");
	assert_true(q->read_ns == T0 && q->read_cost_ns == 412000);
	assert_int_equal(q->nthreads, 2);
	t = &q->threads[0];
	assert_true(t->tid == PID && t->state == 'S' && t->syscall == 202 && t->goid == -1);
	assert_true(t->since_ns == 3000000000 && !t->since_exact && near(t->read_ns, T0 + 10));
	assert_string_equal(t->blocked_on, "futex_wait_queue");
	assert_int_equal(t->kstack.n, 1);
	assert_string_equal(nm(q, &t->kstack.f[0])->func, "schedule");
	assert_string_equal(nm(q, &t->kstack.f[0])->module, "kernel");
	assert_true(t->kstack.f[0].flags & TT_PSTK_KERNEL);
	assert_int_equal(t->ustack.n, 1);
	assert_true(t->ustack.f[0].addr == 0x46a1c3 && !nm(q, &t->ustack.f[0]));
	t = &q->threads[1];
	assert_true(t->goid == 21 && t->since_exact && (t->ustack.flags & TT_PSTK_TRUNCATED));
	assert_string_equal(nm(q, &t->ustack.f[0])->file, "/go/src/syscall/zsyscall.go");
	assert_int_equal(nm(q, &t->ustack.f[0])->line, 964);
	assert_int_equal(q->ngoroutines, 3);
	g = &q->gs[0];
	assert_true(g->goid == 18 && g->status == 4 && g->wait_ns == 2500000000 && !g->thread);
	assert_string_equal(g->status_word, "waiting");
	assert_string_equal(g->wait_reason, "chan receive");
	assert_int_equal(g->top, 1);
	assert_string_equal(nm(q, &g->stack.f[g->top])->func, "main.parkedOnChan");
	g = &q->gs[1];
	assert_true(g->thread == PID + 3 && g->wait_exact && (g->stack.flags & TT_PSTK_CHANGED));
	/* one name for the frame both the thread and its goroutine have */
	assert_int_equal(g->stack.f[0].name, q->threads[1].ustack.f[0].name);
	g = &q->gs[2];
	assert_true(g->top == -1 && g->stack.n == 0 && g->status == 1);
}

static struct tt_model *parse_ok(const char *doc)
{
	struct tt_model *m = tt_model_new();
	char err[256];

	assert_non_null(m);
	if (tt_json_parse(doc, strlen(doc), m, err, sizeof(err)) != 0)
		fail_msg("parse: %s", err);
	return m;
}

static void test_threads_doc_round_trip(void **state)
{
	struct tt_model *a = tt_model_new(), *b;
	struct tt_pane *p = fill();
	char *doc = tt_json_render_pane(a, p, true);
	cJSON *root, *g;

	(void)state;
	assert_non_null(doc);
	assert_null(strchr(doc, '\n'));
	root = cJSON_Parse(doc);
	assert_string_equal(cJSON_GetObjectItem(root, "schema")->valuestring, "ttytop/1");
	assert_null(cJSON_GetObjectItem(root, "terminals")); /* header, pane, rows: no more */
	g = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "goroutines"), 0);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(g, "top"), "func")->valuestring,
	                    "main.parkedOnChan");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(g, "top"), "addr")->valuestring,
	                    "0x4a0010");
	g = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "goroutines"), 1);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(
	    cJSON_GetArrayItem(cJSON_GetObjectItem(root, "threads"), 0), "goid")));
	assert_int_equal(cJSON_GetObjectItem(g, "thread")->valuedouble, PID + 3);
	cJSON_Delete(root);
	b = parse_ok(doc);
	assert_int_equal(b->npanes, 1);
	check_pane(tt_model_pane(b, PID));
	assert_null(tt_model_pane(b, PID + 1));
	free(doc);
	pane_del(p);
	tt_model_delete(a);
	tt_model_delete(b);
}

static void test_snapshot_carries_panes(void **state)
{
	struct tt_model *a = tt_model_new(), *b;
	struct tt_pane *p = fill(), *c = pane_new(false);
	char *doc;

	(void)state;
	c->pid = 77;
	c->nthreads = c->threads_total = 1;
	c->threads[0] = (struct tt_pane_thread){.tid = 77, .state = 'R', .syscall = -1, .goid = -1};
	assert_int_equal(tt_model_keep_pane(a, p), 0);
	assert_int_equal(tt_model_keep_pane(a, c), 0);
	doc = tt_json_render(a, 0, false);
	assert_non_null(doc);
	b = parse_ok(doc);
	assert_int_equal(b->npanes, 2);
	check_pane(tt_model_pane(b, PID));
	assert_false(tt_model_pane(b, 77)->is_go);
	assert_null(tt_model_pane(b, 77)->gs);
	assert_int_equal(tt_model_pane(b, 77)->threads[0].state, 'R');
	assert_int_equal(tt_model_pane(b, 77)->threads[0].syscall, -1);
	/* a document without panes: none kept, the earlier ones gone */
	free(doc);
	tt_model_clear_panes(a);
	doc = tt_json_render(a, 0, true);
	assert_null(strstr(doc, "\"panes\""));
	assert_int_equal(tt_json_parse(doc, strlen(doc), b, NULL, 0), 0);
	assert_int_equal(b->npanes, 0);
	free(doc);
	pane_del(p);
	pane_del(c);
	tt_model_delete(a);
	tt_model_delete(b);
}

/* 300 goroutines, the running ones last: the kept 256 have all of those */
static void test_kept_pane_bounds(void **state)
{
	struct tt_model *m = tt_model_new();
	struct tt_pane *p = fill();
	const struct tt_pane *k;
	int running = 0, waiting = 0;

	(void)state;
	p->ngoroutines = p->goroutines_total = 300;
	for (int i = 0; i < 300; i++) {
		struct tt_pane_goroutine *g = &p->gs[i];

		*g = p->gs[0];
		g->goid = 100 + i;
		snprintf(g->status_word, sizeof(g->status_word), i >= 290 ? "running" : "waiting");
	}
	p->nthreads = 400;
	for (int i = 2; i < 400; i++)
		p->threads[i] = p->threads[0];
	add_name(p, "unused", "", 0, "x"); /* used by no row: not copied */
	assert_int_equal(tt_model_keep_pane(m, p), 0);
	k = tt_model_pane(m, PID);
	assert_int_equal(k->ngoroutines, TT_PANE_SNAP_GOROUTINES);
	assert_int_equal(k->goroutines_total, 300);
	assert_int_equal(k->nthreads, TT_MODEL_PANE_THREADS);
	assert_int_equal(k->threads_total, 2);
	assert_null(k->hash);
	for (int i = 0; i < k->ngoroutines; i++) {
		running += !strcmp(k->gs[i].status_word, "running");
		waiting += !strcmp(k->gs[i].status_word, "waiting");
		assert_true(i == 0 || k->gs[i].goid > k->gs[i - 1].goid); /* the read's order */
	}
	assert_int_equal(running, 10);
	assert_int_equal(waiting, TT_PANE_SNAP_GOROUTINES - 10);
	assert_int_equal(k->nnames, 5); /* all but "unused" */
	assert_string_equal(k->names[k->gs[0].stack.f[1].name].func, "main.parkedOnChan");
	pane_del(p);
	tt_model_delete(m);
}

/* The same pid's newer read replaces it; a ninth process the one read longest ago. */
static void test_kept_pane_places(void **state)
{
	struct tt_model *m = tt_model_new();
	struct tt_pane *p = fill();

	(void)state;
	for (int i = 0; i < TT_PANE_MAX; i++) {
		p->pid = 1000 + i;
		p->read_ns = T0 + (uint64_t)i;
		assert_int_equal(tt_model_keep_pane(m, p), 0);
	}
	p->pid = 1003;
	p->read_ns = T0 + 100; /* 1000 is now the oldest read */
	p->nthreads = 1;
	assert_int_equal(tt_model_keep_pane(m, p), 0);
	assert_int_equal(m->npanes, TT_PANE_MAX);
	assert_int_equal(tt_model_pane(m, 1003)->nthreads, 1);
	p->pid = 2000;
	assert_int_equal(tt_model_keep_pane(m, p), 0);
	assert_int_equal(m->npanes, TT_PANE_MAX);
	assert_null(tt_model_pane(m, 1000));
	assert_non_null(tt_model_pane(m, 2000));
	assert_non_null(tt_model_pane(m, 1001));
	pane_del(p);
	tt_model_delete(m);
}

/* One change to a good document, by a path of keys and indices ("goroutines.0.top"). */
static cJSON *at(cJSON *o, const char *path, char *last, size_t len)
{
	char buf[128], *save, *tok, *next;

	snprintf(buf, sizeof(buf), "%s", path);
	tok = strtok_r(buf, ".", &save);
	while ((next = strtok_r(NULL, ".", &save))) {
		o = cJSON_IsArray(o) ? cJSON_GetArrayItem(o, atoi(tok))
		                     : cJSON_GetObjectItem(o, tok);
		assert_non_null(o);
		tok = next;
	}
	snprintf(last, len, "%s", tok);
	return o;
}

static void expect_reject(const char *good, const char *path, cJSON *val, const char *want)
{
	cJSON *root = cJSON_Parse(good), *o;
	struct tt_model *m = tt_model_new();
	char last[64], err[256], *doc;

	o = at(root, path, last, sizeof(last));
	if (val)
		cJSON_ReplaceItemInObject(o, last, val);
	else
		cJSON_DeleteItemFromObject(o, last);
	doc = cJSON_PrintUnformatted(root);
	assert_int_equal(tt_json_parse(doc, strlen(doc), m, err, sizeof(err)), -1);
	assert_null(strchr(err, '\n'));
	if (!strstr(err, want))
		fail_msg("%s: error \"%s\" lacks \"%s\"", path, err, want);
	assert_int_equal(m->npanes, 0);
	free(doc);
	cJSON_Delete(root);
	tt_model_delete(m);
}

static void test_hostile(void **state)
{
	struct tt_model *a = tt_model_new();
	struct tt_pane *p = fill();
	char *doc = tt_json_render_pane(a, p, true);

	(void)state;
	expect_reject(doc, "pane.pid", cJSON_CreateNumber(-1), "pane.pid: expected an integer");
	expect_reject(doc, "pane.go", NULL, "pane.go: missing");
	expect_reject(doc, "pane.go", cJSON_CreateFalse(), "goroutines: present for a process");
	expect_reject(doc, "pane.threads_total", cJSON_CreateNumber(1e12), "threads_total");
	expect_reject(doc, "threads", cJSON_CreateObject(), "threads: expected an array");
	expect_reject(doc, "threads.0.state", cJSON_CreateString("RS"), "threads[0].state");
	expect_reject(doc, "threads.0.state", cJSON_CreateString("\x1b"), "threads[0].state");
	expect_reject(doc, "threads.1.goid", cJSON_CreateString("21"), "threads[1].goid");
	expect_reject(doc, "threads.0.syscall", cJSON_CreateNumber(1.5), "threads[0].syscall");
	expect_reject(doc, "threads.0.stack.kernel.0.addr", cJSON_CreateString("0xzz"),
	              "threads[0].stack.kernel[0].addr");
	expect_reject(doc, "threads.0.stack.truncated", cJSON_CreateNumber(1), "truncated");
	expect_reject(doc, "goroutines.0.status", cJSON_CreateString(""), "goroutines[0].status");
	expect_reject(doc, "goroutines.0.status", cJSON_CreateString("Wait\n"), "status");
	expect_reject(doc, "goroutines.0.top.addr", cJSON_CreateString("0x1"), "not a frame of");
	expect_reject(doc, "goroutines.0.top", cJSON_CreateArray(), "goroutines[0].top");
	expect_reject(doc, "goroutines.1.thread", cJSON_CreateNumber(5e9), "goroutines[1].thread");
	expect_reject(doc, "goroutines.2.goid", cJSON_CreateNumber(-3), "goroutines[2].goid");
	expect_reject(doc, "goroutines.2.stack", cJSON_CreateNull(), "goroutines[2].stack");
	expect_reject(doc, "goroutines", NULL, "goroutines: missing");
	/* cut anywhere: an error, never a crash */
	for (size_t n = 1; n < strlen(doc); n += 7) {
		struct tt_model *m = tt_model_new();
		char err[256];

		assert_int_equal(tt_json_parse(doc, n, m, err, sizeof(err)), -1);
		assert_true(err[0] != '\0');
		tt_model_delete(m);
	}
	free(doc);
	pane_del(p);
	tt_model_delete(a);
}

/* Longer than the model keeps: cut, the cut stack marked, names bounded. */
static void test_oversized_cut(void **state)
{
	cJSON *root, *th, *st, *u, *f;
	struct tt_model *a = tt_model_new(), *b;
	struct tt_pane *p = fill();
	char *doc = tt_json_render_pane(a, p, true), *big;
	const struct tt_pane *k;

	(void)state;
	root = cJSON_Parse(doc);
	th = cJSON_GetObjectItem(root, "threads");
	st = cJSON_GetObjectItem(cJSON_GetArrayItem(th, 1), "stack");
	u = cJSON_GetObjectItem(st, "user");
	f = cJSON_GetArrayItem(u, 0);
	for (int i = 0; i < 40; i++)
		cJSON_AddItemToArray(u, cJSON_Duplicate(f, true));
	cJSON_ReplaceItemInObject(st, "truncated", cJSON_CreateFalse());
	for (int i = 0; i < 300; i++)
		cJSON_AddItemToArray(th, cJSON_Duplicate(cJSON_GetArrayItem(th, 0), true));
	big = cJSON_PrintUnformatted(root);
	b = parse_ok(big);
	k = tt_model_pane(b, PID);
	assert_int_equal(k->nthreads, TT_MODEL_PANE_THREADS);
	assert_int_equal(k->threads[1].ustack.n, TT_PANE_DEPTH);
	assert_true(k->threads[1].ustack.flags & TT_PSTK_TRUNCATED);
	assert_true(k->nnames <= 5);
	free(big);
	free(doc);
	cJSON_Delete(root);
	pane_del(p);
	tt_model_delete(a);
	tt_model_delete(b);
}

static void fill_max(char *s, size_t n, char c)
{
	memset(s, c, n - 1);
	s[n - 1] = '\0';
}

/* Every row and frame a kept pane holds, every name at its longest. */
static struct tt_pane *fill_worst(uint32_t pid)
{
	struct tt_pane *p = pane_new(true);

	p->pid = pid;
	p->is_go = true;
	p->read_ns = p->read_cost_ns = UINT64_MAX;
	fill_max(p->comm, sizeof(p->comm), 'c');
	fill_max(p->go_version, sizeof(p->go_version), 'v');
	fill_max(p->why_no_goroutines, sizeof(p->why_no_goroutines), 'w');
	fill_max(p->gsrc, sizeof(p->gsrc), 's');
	for (uint32_t i = 0; i < TT_PANE_FRAMES; i++) {
		struct tt_pane_name *n = &p->names[i];

		fill_max(n->func, sizeof(n->func), 'f');
		fill_max(n->file, sizeof(n->file), 'p');
		fill_max(n->module, sizeof(n->module), 'm');
		n->line = INT32_MAX - (int)i; /* all distinct */
	}
	p->nnames = TT_PANE_FRAMES;
	p->nthreads = TT_MODEL_PANE_THREADS;
	p->ngoroutines = TT_PANE_SNAP_GOROUTINES;
	for (int i = 0; i < p->nthreads; i++) {
		struct tt_pane_thread *t = &p->threads[i];

		*t = (struct tt_pane_thread){.tid = UINT32_MAX,
		                             .state = 'D',
		                             .syscall = INT32_MAX,
		                             .since_ns = UINT64_MAX,
		                             .goid = INT64_MAX,
		                             .read_ns = UINT64_MAX};
		fill_max(t->comm, sizeof(t->comm), 'c');
		fill_max(t->blocked_on, sizeof(t->blocked_on), 'b');
		for (int j = 0; j < TT_PANE_DEPTH; j++) {
			push(&t->ustack, UINT64_MAX, (uint32_t)(i * 64 + j) % TT_PANE_FRAMES, 0);
			push(&t->kstack, UINT64_MAX, (uint32_t)(i * 64 + 32 + j) % TT_PANE_FRAMES,
			     TT_PSTK_KERNEL);
		}
	}
	for (int i = 0; i < p->ngoroutines; i++) {
		struct tt_pane_goroutine *g = &p->gs[i];

		*g = (struct tt_pane_goroutine){.goid = INT64_MAX,
		                                .wait_ns = UINT64_MAX,
		                                .thread = UINT32_MAX,
		                                .read_ns = UINT64_MAX,
		                                .top = TT_PANE_DEPTH - 1};
		fill_max(g->status_word, sizeof(g->status_word), 's');
		fill_max(g->wait_reason, sizeof(g->wait_reason), 'r');
		for (int j = 0; j < TT_PANE_DEPTH; j++)
			push(&g->stack, UINT64_MAX, (uint32_t)(i * 32 + j) % TT_PANE_FRAMES, 0);
	}
	return p;
}

/*
 * Eight full panes must fit beside the rest of the worst-case snapshot
 * (test_json.c: ~156 MiB of the reader's 256 MiB) and load back.
 */
static void test_worst_case_panes(void **state)
{
	struct tt_model *a = tt_model_new(), *b;
	char *doc;

	(void)state;
	for (uint32_t k = 0; k < TT_PANE_MAX; k++) {
		struct tt_pane *p = fill_worst(100 + k);

		assert_int_equal(tt_model_keep_pane(a, p), 0);
		pane_del(p);
	}
	doc = tt_json_render(a, 0, false);
	assert_non_null(doc);
	assert_true(strlen(doc) > (48u << 20));
	assert_true(strlen(doc) < (96u << 20));
	b = parse_ok(doc);
	assert_int_equal(b->npanes, TT_PANE_MAX);
	assert_int_equal(b->panes[7].nthreads, TT_MODEL_PANE_THREADS);
	assert_int_equal(b->panes[7].ngoroutines, TT_PANE_SNAP_GOROUTINES);
	assert_int_equal(b->panes[7].gs[3].top, TT_PANE_DEPTH - 1);
	assert_int_equal(b->panes[7].threads[1].kstack.n, TT_PANE_DEPTH);
	free(doc);
	tt_model_delete(a);
	tt_model_delete(b);
}

static bool have_jsonschema(void)
{
	return system("python3 -c 'import jsonschema' >/dev/null 2>&1") == 0;
}

static void validate(const char *doc)
{
	char path[] = "/tmp/ttytop-pane-XXXXXX", cmd[256];
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_true(write(fd, doc, strlen(doc)) == (ssize_t)strlen(doc));
	close(fd);
	snprintf(cmd, sizeof(cmd), "python3 tests/validate_schema.py %s", path);
	assert_int_equal(system(cmd), 0);
	unlink(path);
}

/* Run from the repository's top (as the other unit tests are). */
static void test_schema(void **state)
{
	struct tt_model *a = tt_model_new();
	struct tt_pane *p = fill(), *c = pane_new(false);
	char *doc;

	(void)state;
	if (!have_jsonschema() || access("tests/validate_schema.py", R_OK)) {
		printf("SKIP: python3-jsonschema or tests/validate_schema.py missing\n");
		goto out;
	}
	c->pid = 77;
	p->gone = true;
	doc = tt_json_render_pane(a, p, true);
	validate(doc);
	free(doc);
	doc = tt_json_render_pane(a, c, true); /* not Go: no goroutines */
	validate(doc);
	free(doc);
	tt_model_keep_pane(a, p);
	tt_model_keep_pane(a, c);
	doc = tt_json_render(a, 0, false);
	validate(doc);
	free(doc);
out:
	pane_del(p);
	pane_del(c);
	tt_model_delete(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_threads_doc_round_trip),
	    cmocka_unit_test(test_snapshot_carries_panes),
	    cmocka_unit_test(test_kept_pane_bounds),
	    cmocka_unit_test(test_kept_pane_places),
	    cmocka_unit_test(test_hostile),
	    cmocka_unit_test(test_oversized_cut),
	    cmocka_unit_test(test_worst_case_panes),
	    cmocka_unit_test(test_schema),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
