/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Kernel terminal slots in user space: differences, identities, give-back policy. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers.h"

#include "ttyslots.h"

#define SEC 1000000000ull
#define NSLOTS 9

struct fx {
	struct tt_model *m;
	struct tt_tty_slot *mem;
	struct tt_slots s;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f || !(f->m = tt_model_new()) || !(f->mem = calloc(NSLOTS, sizeof(*f->mem))) ||
	    tt_slots_init(&f->s, f->mem, NSLOTS))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	tt_slots_free(&f->s);
	tt_model_delete(f->m);
	free(f->mem);
	free(f);
	return 0;
}

/* What take_slot() in the BPF program leaves behind. */
static void take(struct fx *f, uint32_t i, uint32_t dev, const char *kname, uint8_t cls)
{
	f->mem[i].info.dev = dev;
	f->mem[i].info.class = cls;
	snprintf(f->mem[i].info.name, sizeof(f->mem[i].info.name), "%s", kname);
	snprintf(f->mem[i].info.driver, sizeof(f->mem[i].info.driver), "pty_slave");
	f->mem[i].info.in_use = 1;
}

static void write_n(struct fx *f, uint32_t i, uint64_t n, uint32_t bucket)
{
	f->mem[i].st.writes += n;
	f->mem[i].st.bytes += 3 * n;
	f->mem[i].st.hist_lat[bucket] += (uint32_t)n;
}

/* Buckets wrap at 2^32 in the kernel; the difference is still right. */
static void test_delta_wraps_buckets(void **state)
{
	struct tt_tty_stats *cur = calloc(2, sizeof(*cur)), *prev = cur + 1, d;

	(void)state;
	prev->writes = 10;
	prev->hist_lat[40] = UINT32_MAX - 4;
	prev->reasons[TT_REASON_BUFFER_FULL] = 1;
	cur->writes = 20;
	cur->hist_lat[40] = 5; /* wrapped: 10 more */
	cur->reasons[TT_REASON_BUFFER_FULL] = 4;
	cur->max_ns = 77;
	tt_stats_delta(cur, prev, &d);
	assert_int_equal(d.writes, 10);
	assert_int_equal(d.hist_lat[40], 10);
	assert_int_equal(d.max_ns, 77);
	/* the kernel does not count writes that never slept: they are the rest */
	assert_int_equal(d.reasons[TT_REASON_BUFFER_FULL], 3);
	assert_int_equal(d.reasons[TT_REASON_NONE], 7);
	free(cur);
}

static void test_collect_adds_growth_to_rows(void **state)
{
	struct fx *f = *state;
	struct tt_terminal *t;

	take(f, 3, 136u << 20 | 4, "pts4", TT_CLASS_PTY);
	write_n(f, 3, 50, 30);
	/* taken but not yet named: skipped until the identity is complete */
	f->mem[4].info.dev = 136u << 20 | 5;
	write_n(f, 4, 7, 30);
	tt_slots_collect(&f->s, f->m, 1 * SEC);
	assert_int_equal(f->m->nterminals, 1);
	t = tt_model_find_terminal(f->m, 136u << 20 | 4);
	assert_non_null(t);
	assert_string_equal(t->name, "pts/4");
	assert_int_equal(t->class, TT_CLASS_PTY);
	assert_int_equal(t->writes, 50);
	assert_int_equal(t->lat.counts[30], 50);
	assert_int_equal(f->s.live, 1);

	f->mem[4].info.in_use = 1;
	write_n(f, 3, 5, 31);
	tt_slots_collect(&f->s, f->m, 2 * SEC);
	assert_int_equal(t->writes, 55);
	assert_int_equal(t->lat.counts[31], 5);
	assert_int_equal(f->m->nterminals, 2);
	assert_int_equal(f->s.live, 2);
	/* nothing new, nothing added */
	tt_slots_collect(&f->s, f->m, 3 * SEC);
	assert_int_equal(t->writes, 55);
	/* read between a write's adds: its bucket comes with the next read */
	f->mem[3].st.hist_lat[32]++;
	tt_slots_collect(&f->s, f->m, 4 * SEC);
	assert_int_equal(t->writes, 55);
	assert_int_equal(t->lat.counts[32], 1);
}

/* Slot 0 is the kernel's overflow: straight into others. */
static void test_slot0_is_others(void **state)
{
	struct fx *f = *state;

	write_n(f, 0, 12, 20);
	tt_slots_collect(&f->s, f->m, 1 * SEC);
	assert_int_equal(f->m->nterminals, 0);
	assert_int_equal(f->m->others.writes, 12);
	assert_int_equal(f->s.live, 0);
}

/* One terminal, two slots (the old one in its grace period): one row, summed. */
static void test_two_slots_one_terminal(void **state)
{
	struct fx *f = *state;

	take(f, 1, 136u << 20 | 9, "pts9", TT_CLASS_PTY);
	take(f, 2, 136u << 20 | 9, "pts9", TT_CLASS_PTY);
	write_n(f, 1, 4, 20);
	write_n(f, 2, 6, 20);
	tt_slots_collect(&f->s, f->m, 1 * SEC);
	assert_int_equal(f->m->nterminals, 1);
	assert_int_equal(f->m->terminals[0].writes, 10);
}

/* Given back, zeroed and taken again by another terminal: no carry-over. */
static void test_clear_then_retake(void **state)
{
	struct fx *f = *state;

	take(f, 5, 136u << 20 | 1, "pts1", TT_CLASS_PTY);
	write_n(f, 5, 100, 20);
	tt_slots_collect(&f->s, f->m, 1 * SEC);
	tt_slots_clear(&f->s, 5);
	assert_int_equal(f->mem[5].st.writes, 0);
	assert_int_equal(f->mem[5].info.in_use, 0);
	take(f, 5, 4u << 20 | 1, "tty1", TT_CLASS_CONSOLE);
	write_n(f, 5, 3, 20);
	tt_slots_collect(&f->s, f->m, 2 * SEC);
	assert_int_equal(tt_model_find_terminal(f->m, 136u << 20 | 1)->writes, 100);
	assert_int_equal(tt_model_find_terminal(f->m, 4u << 20 | 1)->writes, 3);
	/* slot 0 is never given back */
	write_n(f, 0, 1, 20);
	tt_slots_clear(&f->s, 0);
	assert_int_equal(f->mem[0].st.writes, 1);
}

static void test_pick_quiet_slots(void **state)
{
	struct fx *f = *state;
	uint32_t out[NSLOTS];

	take(f, 1, 1, "a", 0);
	take(f, 2, 2, "b", 0);
	take(f, 3, 3, "c", 0);
	write_n(f, 1, 1, 20);
	write_n(f, 2, 1, 20);
	write_n(f, 3, 1, 20);
	tt_slots_collect(&f->s, f->m, 10 * SEC);
	write_n(f, 1, 1, 20);
	tt_slots_collect(&f->s, f->m, 20 * SEC); /* 1 grew; 2 and 3 quiet since 10 s */
	/* plenty free (3 of 8 used): only 30 s of quiet counts */
	assert_int_equal(tt_slots_pick(&f->s, 39 * SEC, out, NSLOTS), 0);
	assert_int_equal(tt_slots_pick(&f->s, 40 * SEC, out, NSLOTS), 2);
	assert_int_equal(tt_slots_pick(&f->s, 50 * SEC, out, NSLOTS), 3);
	assert_int_equal(out[0], 2); /* the longest quiet first */
	assert_int_equal(out[2], 1);
	assert_int_equal(tt_slots_pick(&f->s, 50 * SEC, out, 1), 1);
	assert_int_equal(out[0], 2);
}

static void test_pick_sooner_when_short(void **state)
{
	struct fx *f = *state;
	uint32_t out[NSLOTS];

	for (uint32_t i = 1; i <= 5; i++) {
		take(f, i, i, "x", 0);
		write_n(f, i, 1, 20);
	}
	tt_slots_collect(&f->s, f->m, 10 * SEC);
	assert_int_equal(f->s.live, 5);
	/* 3 of 8 free, fewer than half: quiet for 2 s is enough */
	assert_int_equal(tt_slots_pick(&f->s, 11 * SEC, out, NSLOTS), 0);
	assert_int_equal(tt_slots_pick(&f->s, 12 * SEC, out, NSLOTS), 5);
}

static void test_pick_at_once_when_nearly_full(void **state)
{
	struct fx *f = *state;
	uint32_t out[NSLOTS];

	for (uint32_t i = 1; i < NSLOTS; i++) {
		take(f, i, i, "x", 0);
		write_n(f, i, 1, 20);
	}
	tt_slots_collect(&f->s, f->m, 10 * SEC);
	/* all 8 taken: whatever did not grow in the latest read goes, at once */
	assert_int_equal(tt_slots_pick(&f->s, 10 * SEC, out, NSLOTS), 0);
	write_n(f, 3, 1, 20);
	tt_slots_collect(&f->s, f->m, 10 * SEC + SEC / 4);
	assert_int_equal(tt_slots_pick(&f->s, 10 * SEC + SEC / 4, out, NSLOTS), NSLOTS - 2);
	for (int i = 0; i < NSLOTS - 2; i++)
		assert_int_not_equal(out[i], 3);
}

struct reach_log {
	uint32_t reached[NSLOTS];
	uint32_t refuse; /* reach fails for this slot */
};

static int reach_spy(void *ctx, uint32_t i)
{
	struct reach_log *r = ctx;

	r->reached[i]++;
	return i == r->refuse ? -ENOMEM : 0;
}

/*
 * With the kernel's used flags, a slot it never took is not touched (its
 * pages are never mapped), a taken one is reached before it is read, one
 * whose mapping fails is left for the next read, and giving a slot back
 * clears its flag.
 */
static void test_used_flags_and_reach(void **state)
{
	struct fx *f = *state;
	uint8_t used[NSLOTS] = {0};
	struct reach_log r = {.refuse = 6};

	f->s.used = used;
	f->s.reach = reach_spy;
	f->s.reach_ctx = &r;
	take(f, 2, 136u << 20 | 2, "pts2", TT_CLASS_PTY);
	write_n(f, 2, 4, 20);
	used[2] = 1;
	take(f, 3, 136u << 20 | 3, "pts3", TT_CLASS_PTY); /* in_use, flag not yet seen */
	write_n(f, 3, 5, 20);
	take(f, 6, 136u << 20 | 6, "pts6", TT_CLASS_PTY);
	write_n(f, 6, 6, 20);
	used[6] = 1;
	tt_slots_collect(&f->s, f->m, 1 * SEC);
	assert_int_equal(r.reached[0], 1); /* others: always read */
	assert_int_equal(r.reached[1], 0);
	assert_int_equal(r.reached[2], 1);
	assert_int_equal(r.reached[3], 0);
	assert_int_equal(r.reached[6], 1);
	assert_int_equal(tt_model_find_terminal(f->m, 136u << 20 | 2)->writes, 4);
	assert_null(tt_model_find_terminal(f->m, 136u << 20 | 3));
	assert_null(tt_model_find_terminal(f->m, 136u << 20 | 6));
	used[3] = 1;
	r.refuse = NSLOTS;
	tt_slots_collect(&f->s, f->m, 2 * SEC);
	assert_int_equal(tt_model_find_terminal(f->m, 136u << 20 | 3)->writes, 5);
	assert_int_equal(tt_model_find_terminal(f->m, 136u << 20 | 6)->writes, 6);
	assert_null(tt_slots_at(&f->s, NSLOTS));
	tt_slots_clear(&f->s, 2);
	assert_int_equal(used[2], 0);
	assert_int_equal(used[3], 1);
	assert_int_equal(f->mem[2].info.in_use, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_delta_wraps_buckets),
	    cmocka_unit_test_setup_teardown(test_collect_adds_growth_to_rows, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_slot0_is_others, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_two_slots_one_terminal, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_clear_then_retake, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pick_quiet_slots, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pick_sooner_when_short, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pick_at_once_when_nearly_full, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_used_flags_and_reach, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
