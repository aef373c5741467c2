/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ttytop/1's tick and Go parts: round trip, older documents, hostile ones. */
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

#define DEV_PTS1 (136u << 20 | 1)

/* One terminal with a Go writer ticking every 100 ms, one late tick, one GC'd process. */
static void fill(struct tt_model *m)
{
	struct tt_terminal *t = tt_model_terminal(m, DEV_PTS1);
	struct tt_model_ticker *k;
	struct tt_model_proc *p;
	struct tt_model_event ev = {0};
	struct tt_stw s = {0};

	assert_non_null(t);
	snprintf(t->name, sizeof(t->name), "pts/1");
	t->class = TT_CLASS_PTY;
	tt_model_offer_writer(t, 4100, "marquee", 50, 4000);
	k = tt_model_ticker(m, DEV_PTS1, 4100, 18, true);
	assert_non_null(k);
	k->period_ns = 100000000;
	k->intervals = 49;
	k->late = 1;
	k->jitter_max_ns = 212000000;
	k->iv.counts[tt_hist_bucket(100000000)] = 48;
	k->iv.counts[tt_hist_bucket(312000000)] = 1;
	k->jitter.counts[tt_hist_bucket(40000)] = 48;
	k->jitter.counts[tt_hist_bucket(212000000)] = 1;
	p = tt_model_proc(m, 4100, true);
	snprintf(p->comm, sizeof(p->comm), "marquee");
	snprintf(p->go_version, sizeof(p->go_version), "go1.24.4");
	p->instrumented = true;
	p->gc_cycles = 3;
	p->stw_count = 6;
	p->stw_total_ns = 301000000;
	p->stw_max_ns = 298000000;
	for (int i = 0; i < 40; i++) { /* more than the ring: the newest 32 stay */
		s.time_ns = 1764133358000000000ull + (uint64_t)i * 1000000;
		s.duration_ns = 1000 + (uint64_t)i;
		snprintf(s.reason, sizeof(s.reason),
		         i % 2 ? "GC mark termination" : "GC sweep termination");
		tt_model_proc_add_stw(p, &s);
	}
	ev.kind = TT_KIND_LATE_TICK;
	ev.time_ns = 1764133359000000000ull;
	ev.pid = ev.tid = 4100;
	ev.goid = 18;
	snprintf(ev.comm, sizeof(ev.comm), "marquee");
	snprintf(ev.terminal, sizeof(ev.terminal), "pts/1");
	ev.dev = DEV_PTS1;
	ev.class = TT_CLASS_PTY;
	ev.interval_ns = 312000000;
	ev.period_ns = 100000000;
	ev.late_ns = 212000000;
	ev.cause = TT_CAUSE_GC_STW;
	ev.cause_ns = 298000000;
	ev.gc_overlap_ns = 298000000;
	tt_model_push_event(m, &ev);
}

static char *render_parse(struct tt_model *a, struct tt_model *b, char *err, size_t len)
{
	char *doc = tt_json_render(a, 0, true);

	assert_non_null(doc);
	if (tt_json_parse(doc, strlen(doc), b, err, len) != 0)
		fail_msg("parse: %s", err);
	return doc;
}

static void test_round_trip(void **state)
{
	struct tt_model *a = tt_model_new(), *b = tt_model_new();
	const struct tt_model_ticker *k;
	const struct tt_model_event *e;
	const struct tt_model_proc *p;
	char err[256];

	(void)state;
	fill(a);
	a->late_pct = 7;
	free(render_parse(a, b, err, sizeof(err)));
	assert_int_equal(b->late_pct, 7);
	k = tt_model_writer_ticker(b, DEV_PTS1, 4100);
	assert_non_null(k);
	assert_int_equal(k->goid, 18);
	assert_true(k->period_ns == 100000000 && k->intervals == 49 && k->late == 1);
	assert_true(k->jitter_max_ns == 212000000);
	assert_memory_equal(&k->iv, &a->tickers[0].iv, sizeof(k->iv));
	assert_memory_equal(&k->jitter, &a->tickers[0].jitter, sizeof(k->jitter));
	e = tt_model_event_at(b, 0);
	assert_non_null(e);
	assert_int_equal(e->kind, TT_KIND_LATE_TICK);
	assert_int_equal(e->cause, TT_CAUSE_GC_STW);
	assert_true(e->interval_ns == 312000000 && e->late_ns == 212000000 &&
	            e->period_ns == 100000000 && e->cause_ns == 298000000 &&
	            e->gc_overlap_ns == 298000000);
	p = tt_model_proc(b, 4100, false);
	assert_non_null(p);
	assert_string_equal(p->go_version, "go1.24.4");
	assert_true(p->instrumented && p->gc_cycles == 3 && p->stw_count == 6);
	assert_int_equal(p->stw_n, TT_MODEL_STW_RING);
	/* newest first, and the newest is the 40th */
	assert_true(tt_model_proc_stw_at(p, 0)->duration_ns == 1039);
	assert_true(tt_model_proc_stw_at(p, TT_MODEL_STW_RING - 1)->duration_ns == 1008);
	assert_string_equal(tt_model_proc_stw_at(p, 0)->reason, "GC mark termination");
	tt_model_delete(a);
	tt_model_delete(b);
}

/* A writer without a period has "ticks": null; a slow write has no late-tick fields. */
static void test_shape(void **state)
{
	struct tt_model *a = tt_model_new();
	struct tt_model_event ev = {0};
	cJSON *root, *w, *e;
	char *doc;

	(void)state;
	fill(a);
	a->tickers[0].period_ns = 0;
	ev.kind = TT_KIND_SLOW_WRITE;
	ev.goid = -1;
	tt_model_push_event(a, &ev);
	doc = tt_json_render(a, 0, true);
	root = cJSON_Parse(doc);
	assert_non_null(root);
	w = cJSON_GetArrayItem(
	    cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(root, "terminals"), 0),
	                        "writers"),
	    0);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(w, "ticks")));
	e = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "events"), 0);
	assert_string_equal(cJSON_GetObjectItem(e, "kind")->valuestring, "slow-write");
	assert_non_null(cJSON_GetObjectItem(e, "gc_overlap_ns"));
	assert_null(cJSON_GetObjectItem(e, "cause"));
	assert_null(cJSON_GetObjectItem(e, "interval_ns"));
	assert_true(cJSON_IsArray(cJSON_GetObjectItem(root, "processes")));
	cJSON_Delete(root);
	free(doc);
	tt_model_delete(a);
}

/* Documents from before ticks: no kind, no ticks, no processes. They load as slow writes. */
static void test_older_document(void **state)
{
	struct tt_model *a = tt_model_new(), *b = tt_model_new();
	cJSON *root, *e;
	char *doc, *old, err[256];

	(void)state;
	fill(a);
	doc = tt_json_render(a, 0, true);
	root = cJSON_Parse(doc);
	cJSON_DeleteItemFromObject(root, "processes");
	e = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "events"), 0);
	for (const char *const *k =
	         (const char *const[]){"kind", "gc_overlap_ns", "interval_ns", "period_ns",
	                               "late_ns", "cause", "cause_ns", NULL};
	     *k; k++)
		cJSON_DeleteItemFromObject(e, *k);
	cJSON_DeleteItemFromObject(cJSON_GetObjectItem(root, "filters"), "late_pct");
	old = cJSON_PrintUnformatted(root);
	assert_int_equal(tt_json_parse(old, strlen(old), b, err, sizeof(err)), 0);
	assert_int_equal(tt_model_event_at(b, 0)->kind, TT_KIND_SLOW_WRITE);
	assert_int_equal(b->nprocs, 0);
	assert_int_equal(b->late_pct, TT_LATE_PCT_DEFAULT);
	cJSON_Delete(root);
	free(doc);
	free(old);
	tt_model_delete(a);
	tt_model_delete(b);
}

typedef void (*mutator)(cJSON *root);

static cJSON *ev0(cJSON *r)
{
	return cJSON_GetArrayItem(cJSON_GetObjectItem(r, "events"), 0);
}

static cJSON *proc0(cJSON *r)
{
	return cJSON_GetArrayItem(cJSON_GetObjectItem(r, "processes"), 0);
}

static cJSON *ticks0(cJSON *r)
{
	cJSON *t = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "terminals"), 0);

	return cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(t, "writers"), 0),
	                           "ticks");
}

static void m_kind(cJSON *r)
{
	cJSON_ReplaceItemInObject(ev0(r), "kind", cJSON_CreateString("slow-tick"));
}
static void m_cause(cJSON *r)
{
	cJSON_ReplaceItemInObject(ev0(r), "cause", cJSON_CreateString("gc"));
}
static void m_cause_missing(cJSON *r)
{
	cJSON_DeleteItemFromObject(ev0(r), "cause_ns");
}
static void m_ticks_type(cJSON *r)
{
	cJSON *t = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "terminals"), 0);
	cJSON *w = cJSON_GetArrayItem(cJSON_GetObjectItem(t, "writers"), 0);

	cJSON_ReplaceItemInObject(w, "ticks", cJSON_CreateNumber(3));
}
static void m_ticks_period(cJSON *r)
{
	cJSON_ReplaceItemInObject(ticks0(r), "period_ns", cJSON_CreateNumber(-1));
}
static void m_ticks_hist(cJSON *r)
{
	cJSON *b = cJSON_GetArrayItem(cJSON_GetObjectItem(ticks0(r), "interval_hist"), 0);

	cJSON_ReplaceItemInObject(b, "min", cJSON_CreateNumber(12345));
}
static void m_procs_type(cJSON *r)
{
	cJSON_ReplaceItemInObject(r, "processes", cJSON_CreateObject());
}
static void m_proc_gc(cJSON *r)
{
	cJSON_DeleteItemFromObject(proc0(r), "gc");
}
static void m_stw_reason(cJSON *r)
{
	cJSON *s = cJSON_GetArrayItem(cJSON_GetObjectItem(proc0(r), "stw"), 3);

	cJSON_ReplaceItemInObject(s, "reason", cJSON_CreateNumber(1));
}
static void m_late_pct(cJSON *r)
{
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(r, "filters"), "late_pct",
	                          cJSON_CreateString("5"));
}

static void expect(mutator mut, const char *want)
{
	struct tt_model *a = tt_model_new(), *b = tt_model_new();
	char *doc, *bad, err[256];
	cJSON *root;

	fill(a);
	doc = tt_json_render(a, 0, true);
	root = cJSON_Parse(doc);
	mut(root);
	bad = cJSON_PrintUnformatted(root);
	assert_int_equal(tt_json_parse(bad, strlen(bad), b, err, sizeof(err)), -1);
	if (!strstr(err, want))
		fail_msg("error \"%s\" does not name \"%s\"", err, want);
	cJSON_Delete(root);
	free(doc);
	free(bad);
	tt_model_delete(a);
	tt_model_delete(b);
}

static void test_hostile(void **state)
{
	(void)state;
	expect(m_kind, "events[0].kind: unknown value \"slow-tick\"");
	expect(m_cause, "events[0].cause: unknown value \"gc\"");
	expect(m_cause_missing, "events[0].cause_ns");
	expect(m_ticks_type, "writers[0].ticks: expected an object or null");
	expect(m_ticks_period, "ticks.period_ns");
	expect(m_ticks_hist, "is not a ttytop/1 bucket");
	expect(m_procs_type, "processes: expected an array");
	expect(m_proc_gc, "processes[0].gc");
	expect(m_stw_reason, "processes[0].stw[3].reason");
	expect(m_late_pct, "filters.late_pct");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_shape),
	    cmocka_unit_test(test_older_document),
	    cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
