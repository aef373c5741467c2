// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The model's tick and Go tables: writers' intervals (tickers) and Go
 * processes with their stop-the-world pauses. Fixed tables, like the rest
 * of the model: a full table refuses new entries rather than growing.
 */
#include <string.h>

#include "model.h"

struct tt_model_ticker *tt_model_ticker(struct tt_model *m, uint32_t dev, uint32_t pid,
                                        int64_t goid, bool add)
{
	struct tt_model_ticker *t;

	for (int i = 0; i < m->ntickers; i++) {
		t = &m->tickers[i];
		if (t->dev == dev && t->pid == pid && t->goid == goid)
			return t;
	}
	if (!add || m->ntickers >= TT_MODEL_MAX_TICKERS)
		return NULL;
	t = &m->tickers[m->ntickers++];
	memset(t, 0, sizeof(*t));
	t->dev = dev;
	t->pid = pid;
	t->goid = goid;
	return t;
}

const struct tt_model_ticker *tt_model_writer_ticker(const struct tt_model *m, uint32_t dev,
                                                     uint32_t pid)
{
	const struct tt_model_ticker *best = NULL;

	for (int i = 0; i < m->ntickers; i++) {
		const struct tt_model_ticker *t = &m->tickers[i];

		if (t->dev != dev || t->pid != pid)
			continue;
		/* a detected period beats a longer history without one */
		if (!best || (t->period_ns && !best->period_ns) ||
		    (!t->period_ns == !best->period_ns && t->intervals > best->intervals))
			best = t;
	}
	return best;
}

uint64_t tt_ticker_jitter(const struct tt_model_ticker *t, double q)
{
	uint64_t v = tt_hist_percentile(&t->jitter, q);

	/* a percentile interpolated past the largest value seen means the max */
	return t->jitter_max_ns && v > t->jitter_max_ns ? t->jitter_max_ns : v;
}

struct tt_model_proc *tt_model_proc(struct tt_model *m, uint32_t pid, bool add)
{
	struct tt_model_proc *p;

	for (int i = 0; i < m->nprocs; i++)
		if (m->procs[i].pid == pid)
			return &m->procs[i];
	if (!add || m->nprocs >= TT_MODEL_MAX_PROCS)
		return NULL;
	p = &m->procs[m->nprocs++];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	return p;
}

void tt_model_proc_add_stw(struct tt_model_proc *p, const struct tt_stw *s)
{
	p->stw[p->stw_head] = *s;
	p->stw[p->stw_head].reason[TT_STW_REASON_LEN - 1] = 0;
	p->stw_head = (p->stw_head + 1) % TT_MODEL_STW_RING;
	if (p->stw_n < TT_MODEL_STW_RING)
		p->stw_n++;
	p->stw_hist.counts[tt_hist_bucket(s->duration_ns)]++;
}

const struct tt_stw *tt_model_proc_stw_at(const struct tt_model_proc *p, uint32_t i)
{
	if (i >= p->stw_n)
		return NULL;
	return &p->stw[(p->stw_head + TT_MODEL_STW_RING - 1 - i) % TT_MODEL_STW_RING];
}
