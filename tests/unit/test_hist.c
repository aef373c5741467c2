/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Histogram layout (shared with BPF) and percentile math. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "model.h"

static void check_value(uint64_t v)
{
	uint32_t idx = tt_hist_bucket(v);
	uint64_t lo, hi;

	assert_true(idx < TT_HIST_BUCKETS);
	tt_hist_bounds(idx, &lo, &hi);
	if (idx < TT_HIST_BUCKETS - 1) {
		if (!(lo <= v && v < hi))
			fail_msg("value %llu -> bucket %u [%llu, %llu)", (unsigned long long)v, idx,
			         (unsigned long long)lo, (unsigned long long)hi);
	} else {
		/* Top bucket is open-ended: only the lower bound holds. */
		assert_true(v >= lo);
	}
}

static void test_small_values_exact(void **state)
{
	(void)state;
	for (uint64_t v = 0; v < 16; v++) {
		uint64_t lo, hi;

		assert_int_equal(tt_hist_bucket(v), v);
		tt_hist_bounds((uint32_t)v, &lo, &hi);
		assert_int_equal(lo, v);
		assert_int_equal(hi, v + 1);
	}
	assert_int_equal(tt_hist_bucket(16), 16);
	assert_int_equal(tt_hist_bucket(17), 16);
	assert_int_equal(tt_hist_bucket(18), 17);
}

static void test_round_trip_many(void **state)
{
	(void)state;
	check_value(0);
	check_value(1);
	check_value(15);
	check_value(16);
	for (int k = 1; k < 64; k++) {
		uint64_t p = 1ull << k;

		check_value(p - 1);
		check_value(p);
		check_value(p + 1);
		check_value(p + p / 3);
	}
	check_value(UINT64_MAX);
	/* pseudo-random sweep */
	uint64_t x = 88172645463325252ull;
	for (int i = 0; i < 200000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		check_value(x >> (x & 63));
	}
}

static void test_bounds_contiguous_monotonic(void **state)
{
	uint64_t plo = 0, phi = 0;

	(void)state;
	for (uint32_t i = 0; i < TT_HIST_BUCKETS; i++) {
		uint64_t lo, hi;

		tt_hist_bounds(i, &lo, &hi);
		assert_true(lo < hi);
		if (i > 0) {
			assert_int_equal(lo, phi); /* no gaps, no overlaps */
			assert_true(lo > plo);
		}
		/* every bucket's lower bound maps back to itself */
		assert_int_equal(tt_hist_bucket(lo), i);
		if (i < TT_HIST_BUCKETS - 1)
			assert_int_equal(tt_hist_bucket(hi - 1), i);
		/* relative width at most 1/8 above the exact range */
		if (i >= 16)
			assert_true((hi - lo) * 8 <= lo);
		plo = lo;
		phi = hi;
	}
	/* top bucket reports a finite, sane bound */
	assert_int_equal(phi, 1ull << (TT_HIST_MAX_EXP + 1));
	/* out of range index folds into the top bucket */
	uint64_t lo, hi;
	tt_hist_bounds(TT_HIST_BUCKETS + 5, &lo, &hi);
	assert_int_equal(hi, phi);
	/* bucket index is monotonic in the value */
	uint32_t prev = 0;
	for (uint64_t v = 0; v < 1u << 20; v += 7) {
		uint32_t b = tt_hist_bucket(v);
		assert_true(b >= prev);
		prev = b;
	}
}

static void test_empty(void **state)
{
	struct tt_hist h;

	(void)state;
	memset(&h, 0, sizeof(h));
	assert_int_equal(tt_hist_total(&h), 0);
	assert_int_equal(tt_hist_percentile(&h, 0.5), 0);
	assert_int_equal(tt_hist_percentile(&h, 0.99), 0);
	assert_int_equal(tt_hist_percentile(&h, 1.0), 0);
}

static void add_value(struct tt_hist *h, uint64_t v, uint64_t n)
{
	h->counts[tt_hist_bucket(v)] += n;
}

static void assert_in_bucket_of(uint64_t got, uint64_t want)
{
	uint64_t lo, hi;

	tt_hist_bounds(tt_hist_bucket(want), &lo, &hi);
	if (!(got >= lo && got < hi))
		fail_msg("percentile %llu not in bucket of %llu [%llu, %llu)",
		         (unsigned long long)got, (unsigned long long)want, (unsigned long long)lo,
		         (unsigned long long)hi);
}

static void test_single_value(void **state)
{
	struct tt_hist h;

	(void)state;
	memset(&h, 0, sizeof(h));
	add_value(&h, 5, 100);
	assert_int_equal(tt_hist_total(&h), 100);
	assert_int_equal(tt_hist_percentile(&h, 0.0), 5);
	assert_int_equal(tt_hist_percentile(&h, 0.5), 5);
	assert_int_equal(tt_hist_percentile(&h, 1.0), 5);

	memset(&h, 0, sizeof(h));
	add_value(&h, 3000000, 10); /* 3 ms */
	for (double q = 0; q <= 1.0; q += 0.05)
		assert_in_bucket_of(tt_hist_percentile(&h, q), 3000000);
}

static void test_uniform_distribution(void **state)
{
	struct tt_hist h;

	(void)state;
	memset(&h, 0, sizeof(h));
	/* 1..100000 ns, one each */
	for (uint64_t v = 1; v <= 100000; v++)
		add_value(&h, v, 1);
	assert_int_equal(tt_hist_total(&h), 100000);
	assert_in_bucket_of(tt_hist_percentile(&h, 0.5), 50000);
	assert_in_bucket_of(tt_hist_percentile(&h, 0.9), 90000);
	assert_in_bucket_of(tt_hist_percentile(&h, 0.99), 99000);
	/* interpolation inside the bucket keeps uniform data close, not just in-bucket */
	uint64_t p50 = tt_hist_percentile(&h, 0.5), p90 = tt_hist_percentile(&h, 0.9);
	if (p50 < 49950 || p50 > 50050 || p90 < 89950 || p90 > 90050)
		fail_msg("uniform 1..100000: p50 %llu p90 %llu, want ~50000 ~90000",
		         (unsigned long long)p50, (unsigned long long)p90);
	/* monotonic in q */
	uint64_t prev = 0;
	for (double q = 0; q <= 1.0; q += 0.01) {
		uint64_t p = tt_hist_percentile(&h, q);
		assert_true(p >= prev);
		prev = p;
	}
	/* out-of-range q is clamped */
	assert_int_equal(tt_hist_percentile(&h, 2.0), tt_hist_percentile(&h, 1.0));
	assert_int_equal(tt_hist_percentile(&h, -1.0), tt_hist_percentile(&h, 0.0));
}

static void test_bimodal(void **state)
{
	struct tt_hist h;

	(void)state;
	memset(&h, 0, sizeof(h));
	add_value(&h, 20000, 980);    /* 20 us: most writes */
	add_value(&h, 250000000, 20); /* 250 ms: the stalls */
	assert_in_bucket_of(tt_hist_percentile(&h, 0.5), 20000);
	assert_in_bucket_of(tt_hist_percentile(&h, 0.9), 20000);
	assert_in_bucket_of(tt_hist_percentile(&h, 0.99), 250000000);
	assert_in_bucket_of(tt_hist_percentile(&h, 0.98), 20000);
}

static void test_top_bucket_finite(void **state)
{
	struct tt_hist h;
	uint64_t p;

	(void)state;
	memset(&h, 0, sizeof(h));
	add_value(&h, UINT64_MAX, 3);
	p = tt_hist_percentile(&h, 0.99);
	assert_true(p >= 1ull << TT_HIST_MAX_EXP);
	assert_true(p < 1ull << (TT_HIST_MAX_EXP + 1));
}

static void test_add_saturates(void **state)
{
	struct tt_hist h;
	uint64_t c[TT_HIST_BUCKETS];

	(void)state;
	memset(&h, 0, sizeof(h));
	memset(c, 0, sizeof(c));
	c[3] = 7;
	c[200] = 1;
	tt_hist_add(&h, c);
	tt_hist_add(&h, c);
	assert_int_equal(h.counts[3], 14);
	assert_int_equal(h.counts[200], 2);
	assert_int_equal(tt_hist_total(&h), 16);
	c[3] = UINT64_MAX;
	tt_hist_add(&h, c);
	assert_true(h.counts[3] == UINT64_MAX);
	assert_true(tt_hist_total(&h) == UINT64_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_small_values_exact),
	    cmocka_unit_test(test_round_trip_many),
	    cmocka_unit_test(test_bounds_contiguous_monotonic),
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_single_value),
	    cmocka_unit_test(test_uniform_distribution),
	    cmocka_unit_test(test_bimodal),
	    cmocka_unit_test(test_top_bucket_finite),
	    cmocka_unit_test(test_add_saturates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
