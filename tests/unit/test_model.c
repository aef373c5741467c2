/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The model: terminal table, top writers, event ring, per-interval values. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers.h"

#include "model.h"

static int setup(void **state)
{
	struct tt_model *m = tt_model_new();

	if (!m)
		return -1;
	*state = m;
	return 0;
}

static int teardown(void **state)
{
	struct tt_model *m = *state;

	tt_model_free(m);
	assert_null(m->events);
	free(m);
	return 0;
}

static void test_init(void **state)
{
	struct tt_model *m = *state;

	assert_non_null(m->events);
	assert_true(strlen(m->host.hostname) > 0);
	assert_true(strlen(m->host.kernel) > 0);
	assert_int_equal(m->nterminals, 0);
	assert_int_equal(m->ev_count, 0);
	assert_false(m->replay);
	assert_true(m->start_realtime_ns > 1500000000ull * 1000000000ull);
}

static void test_terminal_find_or_add(void **state)
{
	struct tt_model *m = *state;
	struct tt_terminal *a, *b, *c;

	a = tt_model_terminal(m, 136u << 20 | 3);
	assert_non_null(a);
	assert_int_equal(a->dev, 136u << 20 | 3);
	b = tt_model_terminal(m, 4u << 20 | 64);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	c = tt_model_terminal(m, 136u << 20 | 3);
	assert_ptr_equal(a, c);
	assert_int_equal(m->nterminals, 2);
	/* insertion order kept */
	assert_ptr_equal(&m->terminals[0], a);
	assert_ptr_equal(&m->terminals[1], b);
	assert_ptr_equal(tt_model_find_terminal(m, 4u << 20 | 64), b);
	assert_null(tt_model_find_terminal(m, 1));
	snprintf(b->name, sizeof(b->name), "ttyS0");
	assert_ptr_equal(tt_model_find_terminal_name(m, "ttyS0"), b);
	assert_null(tt_model_find_terminal_name(m, "ttyS1"));
	assert_null(tt_model_find_terminal_name(m, NULL));
	/* placeholder name is the device number, never blank */
	assert_string_equal(a->name, "136:3");
}

static void test_terminal_table_full(void **state)
{
	struct tt_model *m = *state;

	for (uint32_t i = 0; i < TT_MODEL_MAX_TERMINALS; i++)
		assert_non_null(tt_model_terminal(m, 1000 + i));
	assert_int_equal(m->nterminals, TT_MODEL_MAX_TERMINALS);
	assert_null(tt_model_terminal(m, 99999));
	/* existing ones are still found when full */
	assert_non_null(tt_model_terminal(m, 1000));
	assert_int_equal(m->nterminals, TT_MODEL_MAX_TERMINALS);
}

static void test_add_stats(void **state)
{
	struct tt_model *m = *state;
	struct tt_tty_stats *s = calloc(1, sizeof(*s));
	struct tt_terminal *t = tt_model_terminal(m, 5);

	assert_non_null(s);
	s->writes = 10;
	s->bytes = 1000;
	s->errors = 2;
	s->short_writes = 1;
	s->slow = 3;
	s->oncpu_ns = 11;
	s->blocked_ns = 22;
	s->runq_ns = 33;
	s->max_ns = 44;
	s->errs[TT_ERR_EIO] = 2;
	s->reasons[TT_REASON_BUFFER_FULL] = 3;
	s->hist_lat[20] = 10;
	s->hist_blocked[21] = 3;
	s->hist_runq[22] = 4;
	m->now_realtime_ns = 123;
	tt_model_add_stats(m, t, s);
	assert_int_equal(t->last_write_ns, 123);
	assert_int_equal(t->writes, 10);
	assert_int_equal(t->bytes, 1000);
	assert_int_equal(t->errors, 2);
	assert_int_equal(t->short_writes, 1);
	assert_int_equal(t->slow, 3);
	assert_int_equal(t->oncpu_ns, 11);
	assert_int_equal(t->blocked_ns, 22);
	assert_int_equal(t->runq_ns, 33);
	assert_int_equal(t->max_ns, 44);
	assert_int_equal(t->errs[TT_ERR_EIO], 2);
	assert_int_equal(t->reasons[TT_REASON_BUFFER_FULL], 3);
	assert_int_equal(t->lat.counts[20], 10);
	assert_int_equal(t->blocked.counts[21], 3);
	assert_int_equal(t->runq.counts[22], 4);
	/* differences accumulate; the maximum stays a maximum */
	s->max_ns = 40;
	tt_model_add_stats(m, t, s);
	assert_int_equal(t->writes, 20);
	assert_int_equal(t->lat.counts[20], 20);
	assert_int_equal(t->max_ns, 44);
	free(s);
}

/* TOP WRITER is who writes now: a writer that went quiet gives way. */
static void test_writers_follow_activity(void **state)
{
	struct tt_model *m = *state;
	struct tt_terminal *t = tt_model_terminal(m, 136u << 20 | 5);
	char comm[16];

	assert_non_null(t);
	/* eight old writers with large totals, then they all stop */
	for (uint32_t pid = 1; pid <= 8; pid++) {
		snprintf(comm, sizeof(comm), "old%u", pid);
		tt_model_offer_writer(t, pid, comm, 10000 + pid, 1);
	}
	tt_model_tick(m, 1.0);
	for (uint32_t pid = 1; pid <= 8; pid++)
		tt_model_offer_writer(t, pid, "old", 10000 + pid, 1); /* no new writes */
	tt_model_tick(m, 1.0);
	assert_int_equal(t->writers[0].pid, 8); /* all idle: the biggest total leads */

	/* a new writer with few writes still gets in, and leads once it is the active one */
	tt_model_offer_writer(t, 42, "marquee", 20, 1);
	tt_model_tick(m, 1.0);
	tt_model_offer_writer(t, 42, "marquee", 40, 1);
	tt_model_tick(m, 1.0);
	assert_int_equal(t->nwriters, TT_MODEL_MAX_WRITERS);
	assert_int_equal(t->writers[0].pid, 42);
	assert_int_equal(t->writers[0].recent, 20);
	/* the quietest old writer (smallest total) was the one to leave */
	for (int i = 0; i < t->nwriters; i++)
		assert_int_not_equal(t->writers[i].pid, 1);

	/* when it stops and an old one resumes, the order follows */
	tt_model_offer_writer(t, 42, "marquee", 40, 1);
	tt_model_offer_writer(t, 3, "old3", 10003 + 5, 1);
	tt_model_tick(m, 1.0);
	assert_int_equal(t->writers[0].pid, 3);
}

static void test_writers_top_n(void **state)
{
	struct tt_model *m = *state;
	struct tt_terminal *t = tt_model_terminal(m, 7);
	char comm[16];

	/* offer 20 writers with writes = pid * 10 */
	for (uint32_t pid = 1; pid <= 20; pid++) {
		snprintf(comm, sizeof(comm), "w%u", pid);
		tt_model_offer_writer(t, pid, comm, pid * 10, pid * 100);
	}
	assert_int_equal(t->nwriters, TT_MODEL_MAX_WRITERS);
	for (int i = 0; i < t->nwriters; i++) {
		assert_int_equal(t->writers[i].pid, 20 - i);
		assert_int_equal(t->writers[i].writes, (20 - i) * 10);
	}
	/* update an existing pid in place: pid 13 jumps to the top */
	tt_model_offer_writer(t, 13, "w13-new", 1000, 1);
	assert_int_equal(t->nwriters, TT_MODEL_MAX_WRITERS);
	assert_int_equal(t->writers[0].pid, 13);
	assert_string_equal(t->writers[0].comm, "w13-new");
	int seen13 = 0;
	for (int i = 0; i < t->nwriters; i++) {
		seen13 += t->writers[i].pid == 13;
		if (i > 0)
			assert_true(t->writers[i - 1].writes >= t->writers[i].writes);
	}
	assert_int_equal(seen13, 1);
	/* too small: ignored */
	tt_model_offer_writer(t, 99, "small", 1, 1);
	for (int i = 0; i < t->nwriters; i++)
		assert_int_not_equal(t->writers[i].pid, 99);
	/* an existing writer dropping in count moves down */
	tt_model_offer_writer(t, 13, "w13", 0, 0);
	assert_int_equal(t->writers[t->nwriters - 1].pid, 13);
	/* long comm is truncated safely */
	tt_model_offer_writer(t, 500, "a-very-long-command-name", 5000, 1);
	assert_int_equal(t->writers[0].pid, 500);
	assert_int_equal(strlen(t->writers[0].comm), TT_COMM_LEN - 1);
}

static void test_event_ring(void **state)
{
	struct tt_model *m = *state;
	struct tt_model_event *ev = calloc(1, sizeof(*ev));
	uint32_t total = TT_MODEL_EVENT_RING + 100;

	assert_null(tt_model_event_at(m, 0));
	for (uint32_t i = 0; i < 3; i++) {
		ev->pid = i;
		assert_non_null(tt_model_push_event(m, ev));
	}
	assert_int_equal(m->ev_count, 3);
	assert_int_equal(tt_model_event_at(m, 0)->pid, 2);
	assert_int_equal(tt_model_event_at(m, 2)->pid, 0);
	assert_null(tt_model_event_at(m, 3));

	for (uint32_t i = 3; i < total; i++) {
		ev->pid = i;
		struct tt_model_event *slot = tt_model_push_event(m, ev);
		assert_int_equal(slot->pid, i);
	}
	assert_int_equal(m->ev_count, TT_MODEL_EVENT_RING);
	assert_int_equal(m->ev_seq, total);
	/* newest first, oldest overwritten */
	for (uint32_t i = 0; i < TT_MODEL_EVENT_RING; i++)
		assert_int_equal(tt_model_event_at(m, i)->pid, total - 1 - i);
	assert_null(tt_model_event_at(m, TT_MODEL_EVENT_RING));
	free(ev);
}

static void test_tick_rates_and_percentiles(void **state)
{
	struct tt_model *m = *state;
	struct tt_terminal *t = tt_model_terminal(m, 9);
	uint32_t b20us = tt_hist_bucket(20000), b5ms = tt_hist_bucket(5000000);

	t->writes = 100;
	t->bytes = 10000;
	t->lat.counts[b20us] = 100;
	t->oncpu_ns = 600;
	t->blocked_ns = 300;
	t->runq_ns = 100;
	tt_model_tick(m, 2.0);
	assert_true(t->writes_per_s == 50.0);
	assert_true(t->bytes_per_s == 5000.0);
	assert_true(t->blocked_share > 0.2999 && t->blocked_share < 0.3001);
	assert_int_equal(tt_hist_bucket(t->p50), b20us);
	assert_int_equal(tt_hist_bucket(t->p99), b20us);
	assert_int_equal(t->spark_len, 1);
	assert_int_equal(tt_hist_bucket(t->spark_p99[0]), b20us);
	assert_int_equal(t->prev_writes, 100);

	/* next interval: 10 slow writes only; cumulative p99 still 20us-ish, interval p99 5 ms */
	t->writes = 110;
	t->bytes = 10100;
	t->lat.counts[b5ms] = 10;
	tt_model_tick(m, 1.0);
	assert_true(t->writes_per_s == 10.0);
	assert_true(t->bytes_per_s == 100.0);
	assert_int_equal(t->spark_len, 2);
	assert_int_equal(tt_hist_bucket(t->spark_p99[1]), b5ms);
	assert_int_equal(tt_hist_bucket(t->p50), b20us);

	/* idle interval: rates 0, sparkline point 0 */
	tt_model_tick(m, 1.0);
	assert_true(t->writes_per_s == 0.0);
	assert_int_equal(t->spark_len, 3);
	assert_int_equal(t->spark_p99[2], 0);

	/* no time at all: share 0 not NaN */
	struct tt_terminal *u = tt_model_terminal(m, 10);
	tt_model_tick(m, 1.0);
	assert_true(u->blocked_share == 0.0);
	assert_int_equal(u->p99, 0);
	/* dt 0 does not divide by zero */
	t->writes += 5;
	tt_model_tick(m, 0);
	assert_true(t->writes_per_s == 0.0);
}

/* The sparkline is the interval's p99, not the cumulative one. */
static void test_spark_is_interval_p99(void **state)
{
	struct tt_model *m = *state;
	struct tt_terminal *t = tt_model_terminal(m, 13);
	uint32_t slow = tt_hist_bucket(5000000), fast = tt_hist_bucket(20000);

	t->lat.counts[slow] = 1000;
	t->writes = 1000;
	tt_model_tick(m, 1.0);
	t->lat.counts[fast] = 10;
	t->writes = 1010;
	tt_model_tick(m, 1.0);
	assert_int_equal(tt_hist_bucket(t->p99), slow); /* cumulative: still slow */
	assert_int_equal(t->spark_len, 2);
	assert_int_equal(tt_hist_bucket(t->spark_p99[0]), slow);
	assert_int_equal(tt_hist_bucket(t->spark_p99[1]), fast); /* this interval: fast */
	assert_memory_equal(&t->prev_lat, &t->lat, sizeof(t->lat));
}

static void test_tick_percentile_capped_by_max(void **state)
{
	struct tt_model *m = *state;
	struct tt_terminal *t = tt_model_terminal(m, 9);

	t->lat.counts[tt_hist_bucket(1000000)] = 10;
	t->max_ns = 1000001; /* interpolation would go up to the bucket's top */
	t->writes = 10;
	tt_model_tick(m, 1.0);
	assert_true(t->p99 <= t->max_ns);
	assert_true(t->p50 <= t->max_ns);
}

static void test_sparkline_wraps(void **state)
{
	struct tt_model *m = *state;
	struct tt_terminal *t = tt_model_terminal(m, 11);

	for (int i = 0; i < TT_SPARK_LEN + 5; i++) {
		/* interval i has writes of ~ (i+1) ms */
		t->lat.counts[tt_hist_bucket((uint64_t)(i + 1) * 1000000)] += 1;
		t->writes++;
		tt_model_tick(m, 1.0);
	}
	assert_int_equal(t->spark_len, TT_SPARK_LEN);
	/* newest last */
	assert_int_equal(tt_hist_bucket(t->spark_p99[TT_SPARK_LEN - 1]),
	                 tt_hist_bucket((uint64_t)(TT_SPARK_LEN + 5) * 1000000));
	assert_int_equal(tt_hist_bucket(t->spark_p99[0]), tt_hist_bucket(6ull * 1000000));
}

static void test_tick_replay_frozen(void **state)
{
	struct tt_model *m = *state;
	struct tt_terminal *t = tt_model_terminal(m, 12);

	m->replay = true;
	t->writes = 100;
	t->writes_per_s = 42;
	tt_model_tick(m, 1.0);
	assert_true(t->writes_per_s == 42);
	assert_int_equal(t->spark_len, 0);
}

/* A full table folds its longest-quiet row into others to make room. */
static void test_full_table_folds_quiet_row(void **state)
{
	struct tt_model *m = *state;
	struct tt_terminal *t;
	int i;

	m->now_realtime_ns = 100ull * 1000000000ull;
	for (i = 0; i < TT_MODEL_MAX_TERMINALS; i++) {
		t = tt_model_row(m, 1000 + i);
		assert_non_null(t);
		t->writes = 1;
		t->lat.counts[30] = 1;
		/* row 7 went quiet first, row 9 later, the rest are writing now */
		t->last_write_ns = i == 7   ? 50ull * 1000000000ull
		                   : i == 9 ? 60ull * 1000000000ull
		                            : m->now_realtime_ns;
	}
	t = tt_model_row(m, 5000);
	assert_non_null(t);
	assert_int_equal(t->dev, 5000);
	assert_null(tt_model_find_terminal(m, 1007));
	assert_non_null(tt_model_find_terminal(m, 1009));
	assert_int_equal(m->nterminals, TT_MODEL_MAX_TERMINALS);
	assert_int_equal(m->others_n, 1);
	assert_int_equal(m->others.writes, 1);
	assert_int_equal(m->others.lat.counts[30], 1);
	assert_string_equal(m->others.name, "others");
	t->last_write_ns = m->now_realtime_ns;
	assert_non_null(tt_model_row(m, 5001)); /* 1009 goes */
	assert_null(tt_model_find_terminal(m, 1009));
	/* every row busy: none is folded, the caller counts into others */
	assert_null(tt_model_row(m, 5002));
	assert_int_equal(m->others_n, 2);
}

/* others_n counts distinct terminals, however often each lands there. */
static void test_others_counts_distinct_terminals(void **state)
{
	struct tt_model *m = *state;

	tt_model_others(m, 0);
	assert_int_equal(m->others_n, 0);
	for (int k = 0; k < 3; k++)
		for (uint32_t d = 1; d <= 100; d++)
			tt_model_others(m, d << 20 | d);
	assert_int_equal(m->others_n, 100);
	/* past the set it keeps counting: a lower bound, never a wrap */
	for (uint32_t d = 1; d <= TT_MODEL_OTHERS_DEVS + 10; d++)
		tt_model_others(m, 7u << 20 | d);
	assert_true(m->others_n >= TT_MODEL_OTHERS_DEVS);
}

/* Folding keeps rates: what the row had is not new growth of others. */
static void test_fold_keeps_rates(void **state)
{
	struct tt_model *m = *state;
	struct tt_terminal *t = tt_model_terminal(m, 42);

	t->writes = 100;
	t->lat.counts[25] = 100;
	tt_model_tick(m, 1.0);
	tt_model_fold(m, 0);
	assert_int_equal(m->nterminals, 0);
	tt_model_tick(m, 1.0);
	assert_true(m->others.writes_per_s == 0.0);
	assert_int_equal(m->others.writes, 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_init, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_terminal_find_or_add, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_terminal_table_full, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_add_stats, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_writers_top_n, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_full_table_folds_quiet_row, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_others_counts_distinct_terminals, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fold_keeps_rates, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_writers_follow_activity, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_event_ring, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tick_rates_and_percentiles, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tick_percentile_capped_by_max, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sparkline_wraps, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_spark_is_interval_p99, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tick_replay_frozen, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
