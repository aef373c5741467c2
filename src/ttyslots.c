// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Differences, not copies: a terminal's slot may be given back and taken
 * again, and one terminal may briefly hold two slots (its old one in its
 * grace period), so the model accumulates what each slot gained.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ttyslots.h"

#define NCOUNTERS (offsetof(struct tt_tty_stats, hist_lat) / sizeof(__u64))

int tt_slots_init(struct tt_slots *s, struct tt_tty_slot *mem, uint32_t n)
{
	memset(s, 0, sizeof(*s));
	s->track = calloc(n, sizeof(*s->track));
	if (!s->track)
		return -ENOMEM;
	s->mem = mem;
	s->n = n;
	return 0;
}

struct tt_tty_slot *tt_slots_at(const struct tt_slots *s, uint32_t i)
{
	if (i >= s->n || (s->reach && s->reach(s->reach_ctx, i)))
		return NULL;
	return &s->mem[i];
}

void tt_slots_free(struct tt_slots *s)
{
	free(s->track);
	s->track = NULL;
	s->n = 0;
}

void tt_stats_read(const struct tt_tty_stats *src, struct tt_tty_stats *out)
{
	const __u64 *c = (const __u64 *)src;
	__u64 *o = (__u64 *)out;

	for (size_t i = 0; i < NCOUNTERS; i++)
		o[i] = __atomic_load_n(&c[i], __ATOMIC_RELAXED);
	for (uint32_t i = 0; i < TT_HIST_BUCKETS; i++) {
		out->hist_lat[i] = __atomic_load_n(&src->hist_lat[i], __ATOMIC_RELAXED);
		out->hist_blocked[i] = __atomic_load_n(&src->hist_blocked[i], __ATOMIC_RELAXED);
		out->hist_runq[i] = __atomic_load_n(&src->hist_runq[i], __ATOMIC_RELAXED);
	}
}

void tt_stats_delta(const struct tt_tty_stats *cur, const struct tt_tty_stats *prev,
                    struct tt_tty_stats *d)
{
	const __u64 *c = (const __u64 *)cur, *p = (const __u64 *)prev;
	__u64 *o = (__u64 *)d, slept = 0;

	for (size_t i = 0; i < NCOUNTERS; i++)
		o[i] = c[i] - p[i];
	d->max_ns = cur->max_ns;
	for (uint32_t i = 0; i < TT_HIST_BUCKETS; i++) {
		d->hist_lat[i] = cur->hist_lat[i] - prev->hist_lat[i];
		d->hist_blocked[i] = cur->hist_blocked[i] - prev->hist_blocked[i];
		d->hist_runq[i] = cur->hist_runq[i] - prev->hist_runq[i];
	}
	for (int r = TT_REASON_NONE + 1; r < TT_REASON_NR; r++)
		slept += d->reasons[r];
	d->reasons[TT_REASON_NONE] = d->writes > slept ? d->writes - slept : 0;
}

static struct tt_terminal *row_for(struct tt_model *m, const struct tt_tty_info *info)
{
	struct tt_terminal *t = tt_model_row(m, info->dev);
	char kname[TT_TTY_NAME_LEN];

	if (!t)
		return tt_model_others(m, info->dev);
	memcpy(kname, info->name, sizeof(kname));
	kname[sizeof(kname) - 1] = 0;
	t->class = info->class < TT_CLASS_NR ? info->class : TT_CLASS_OTHER;
	tt_tty_display_name(kname, t->class, t->name, sizeof(t->name));
	snprintf(t->driver, sizeof(t->driver), "%.*s", (int)sizeof(info->driver) - 1, info->driver);
	return t;
}

void tt_slots_collect_one(struct tt_slots *s, uint32_t i, struct tt_model *m, uint64_t now_ns)
{
	struct tt_slot_track *tr;
	struct tt_tty_slot *sl;
	struct tt_tty_stats cur, d;
	struct tt_tty_info info;

	if (i >= s->n)
		return;
	tr = &s->track[i];
	/* a slot the kernel never took is not touched: its pages stay unmapped */
	if (i && s->used && !s->used[i] && !tr->live)
		return;
	sl = tt_slots_at(s, i);
	if (!sl || (i && !__atomic_load_n(&sl->info.in_use, __ATOMIC_ACQUIRE)))
		return;
	memcpy(&info, &sl->info, sizeof(info));
	if (!tr->live) {
		memset(&tr->prev, 0, sizeof(tr->prev));
		tr->live = true;
		tr->dev = info.dev;
		tr->grew_ns = now_ns;
	}
	tt_stats_read(&sl->st, &cur);
	/*
	 * All of it, not just writes: a read in the middle of a write's adds
	 * sees writes grown and a bucket not yet, and a test on writes alone
	 * would never collect that bucket.
	 */
	if (!memcmp(&cur, &tr->prev, sizeof(cur)))
		return;
	tt_stats_delta(&cur, &tr->prev, &d);
	tt_model_add_stats(m, i ? row_for(m, &info) : tt_model_others(m, 0), &d);
	tr->prev = cur;
	tr->grew_ns = now_ns;
}

void tt_slots_collect(struct tt_slots *s, struct tt_model *m, uint64_t now_ns)
{
	uint32_t live = 0;

	for (uint32_t i = 0; i < s->n; i++) {
		tt_slots_collect_one(s, i, m, now_ns);
		live += i && s->track[i].live;
	}
	s->live = live;
}

static const struct tt_slots *g_sort;

static int by_quiet(const void *a, const void *b)
{
	uint64_t x = g_sort->track[*(const uint32_t *)a].grew_ns;
	uint64_t y = g_sort->track[*(const uint32_t *)b].grew_ns;

	return x < y ? -1 : x > y;
}

int tt_slots_pick(const struct tt_slots *s, uint64_t now_ns, uint32_t *out, int max)
{
	uint32_t usable = s->n ? s->n - 1 : 0;
	uint32_t nfree = usable > s->live ? usable - s->live : 0;
	/*
	 * The closer the table is to full, the less quiet a slot must be: a pty
	 * churn at 500 new terminals a second filled 2047 slots that waited for
	 * 2 s of quiet at a read a second. Giving back costs little (a terminal
	 * that writes again takes another slot, its row keeps its counts).
	 */
	uint64_t quiet = nfree < usable / 4   ? 1 /* not grown in the latest read */
	                 : nfree < usable / 2 ? TT_SLOT_QUIET_SHORT_NS
	                                      : TT_SLOT_QUIET_NS;
	uint32_t *cand;
	int n = 0;

	if (max <= 0 || !usable)
		return 0;
	cand = malloc(sizeof(*cand) * usable);
	if (!cand)
		return 0;
	for (uint32_t i = 1; i < s->n; i++)
		if (s->track[i].live && now_ns >= s->track[i].grew_ns + quiet)
			cand[n++] = i;
	g_sort = s;
	qsort(cand, n, sizeof(*cand), by_quiet);
	if (n > max)
		n = max;
	memcpy(out, cand, sizeof(*cand) * n);
	free(cand);
	return n;
}

void tt_slots_clear(struct tt_slots *s, uint32_t i)
{
	struct tt_tty_slot *sl;

	if (!i || !(sl = tt_slots_at(s, i)))
		return;
	memset(sl, 0, sizeof(*sl));
	memset(&s->track[i], 0, sizeof(s->track[i]));
	if (s->used)
		s->used[i] = 0;
}
