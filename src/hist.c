/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * User-space side of the log-linear latency histogram whose bucket index is
 * computed by tt_hist_bucket() in bpf/ttytop.h (shared with the BPF side).
 */
#include "model.h"

void tt_hist_bounds(uint32_t idx, uint64_t *min, uint64_t *max)
{
	uint64_t lo, hi;
	uint32_t e, s;

	/* Out-of-range indexes come from files: fold them into the top bucket. */
	if (idx >= TT_HIST_BUCKETS)
		idx = TT_HIST_BUCKETS - 1;
	if (idx < 2 * TT_HIST_SUB) {
		lo = idx;
		hi = (uint64_t)idx + 1;
	} else {
		e = (idx >> TT_HIST_SUB_BITS) + TT_HIST_SUB_BITS - 1;
		s = idx & (TT_HIST_SUB - 1);
		lo = (uint64_t)(TT_HIST_SUB + s) << (e - TT_HIST_SUB_BITS);
		hi = (uint64_t)(TT_HIST_SUB + s + 1) << (e - TT_HIST_SUB_BITS);
	}
	/*
	 * The top bucket really is open-ended (everything >= 2^TT_HIST_MAX_EXP
	 * lands there), but an infinite bound is useless in JSON and in a
	 * percentile; its computed bound (2^(MAX_EXP+1), ~275 s) is the honest
	 * finite stand-in, documented in docs/json.md.
	 */
	if (min)
		*min = lo;
	if (max)
		*max = hi;
}

uint64_t tt_hist_total(const struct tt_hist *h)
{
	uint64_t t = 0;

	for (uint32_t i = 0; i < TT_HIST_BUCKETS; i++) {
		/* Saturate: a hostile snapshot can carry counts that would wrap. */
		if (h->counts[i] > UINT64_MAX - t)
			return UINT64_MAX;
		t += h->counts[i];
	}
	return t;
}

uint64_t tt_hist_percentile(const struct tt_hist *h, double q)
{
	uint64_t total = tt_hist_total(h), lo, hi;
	double target, cum = 0, frac, v;
	uint32_t last = 0;

	if (total == 0)
		return 0;
	if (!(q >= 0)) /* also catches NaN */
		q = 0;
	if (q > 1)
		q = 1;
	target = q * (double)total;
	for (uint32_t i = 0; i < TT_HIST_BUCKETS; i++) {
		double c = (double)h->counts[i];

		if (c == 0)
			continue;
		last = i;
		if (cum + c >= target) {
			tt_hist_bounds(i, &lo, &hi);
			frac = (target - cum) / c;
			if (frac < 0)
				frac = 0;
			if (frac > 1)
				frac = 1;
			v = (double)lo + frac * (double)(hi - lo);
			/* hi is exclusive: the largest value the bucket can hold is hi - 1. */
			if (v >= (double)(hi - 1))
				return hi - 1;
			return (uint64_t)v;
		}
		cum += c;
	}
	/* Rounding left target just above the sum: the answer is the top value. */
	tt_hist_bounds(last, &lo, &hi);
	return hi - 1;
}

void tt_hist_add(struct tt_hist *dst, const uint64_t *counts)
{
	for (uint32_t i = 0; i < TT_HIST_BUCKETS; i++) {
		uint64_t c = counts[i];

		dst->counts[i] = dst->counts[i] > UINT64_MAX - c ? UINT64_MAX : dst->counts[i] + c;
	}
}
