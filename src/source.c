// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The interval tick shared by the dashboard and the headless --json loop. */
#include "source.h"

#include "model.h"

void tt_tick_init(struct tt_tick *t, const struct tt_model *m, double now)
{
	t->last = now;
	t->prev_events = m->totals.events;
	t->prev_dropped = m->totals.dropped;
	t->ev_rate = t->drop_rate = 0;
}

int tt_source_tick(const struct tt_source *src, struct tt_model *m, struct tt_tick *t, double now,
                   int max_symbolize)
{
	const struct tt_source_ops *ops = src->ops;
	double dt = now - t->last;
	int rc = 0;

	t->last = now;
	if (!ops)
		return 0;
	if (ops->drain)
		ops->drain(src->ctx);
	if (ops->refresh)
		rc = ops->refresh(src->ctx, dt);
	if (ops->symbolize_pending && max_symbolize >= 0)
		ops->symbolize_pending(src->ctx, max_symbolize);
	if (dt > 0) {
		t->ev_rate = (double)(m->totals.events - t->prev_events) / dt;
		t->drop_rate = (double)(m->totals.dropped - t->prev_dropped) / dt;
	}
	t->prev_events = m->totals.events;
	t->prev_dropped = m->totals.dropped;
	return rc < 0 ? rc : 0;
}
