// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The kernel keeps every writer's intervals (bpf/ticks.bpf.h); the model
 * shows the busiest. Read in full each refresh: there are at most
 * TT_MAX_TICKERS entries and a tick is a human-scale event, so the table is
 * small in practice.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "tickread.h"

/* The slot a new ticker takes when the table is full: the least busy, if less busy. */
static struct tt_model_ticker *slot_for(struct tt_model *m, const struct tt_ticker_key *k,
                                        const struct tt_ticker *v)
{
	struct tt_model_ticker *t = tt_model_ticker(m, k->dev, k->tgid, k->goid, true), *low;

	if (t)
		return t;
	low = &m->tickers[0];
	for (int i = 1; i < m->ntickers; i++)
		if (m->tickers[i].intervals < low->intervals)
			low = &m->tickers[i];
	if (low->intervals >= v->intervals)
		return NULL;
	memset(low, 0, sizeof(*low));
	low->dev = k->dev;
	low->pid = k->tgid;
	low->goid = k->goid;
	return low;
}

static void copy_ticker(struct tt_model_ticker *t, const struct tt_ticker *v)
{
	memcpy(t->comm, v->comm, sizeof(t->comm));
	t->comm[sizeof(t->comm) - 1] = 0;
	t->period_ns = v->period_ns;
	t->intervals = v->intervals;
	t->late = v->late;
	t->jitter_max_ns = v->jitter_max_ns;
	/* the kernel's counts are absolute: 2^32 intervals of one writer are not reached */
	for (unsigned i = 0; i < TT_HIST_BUCKETS; i++) {
		t->iv.counts[i] = v->hist_iv[i];
		t->jitter.counts[i] = v->hist_jit[i];
	}
	t->seen = true;
}

int tt_tickers_read(int fd, struct tt_model *m)
{
	struct tt_ticker_key key, next, *prev = NULL;
	struct tt_ticker *v = malloc(sizeof(*v));
	int n = 0;

	if (!v)
		return -ENOMEM;
	for (int i = 0; i < m->ntickers; i++)
		m->tickers[i].seen = false;
	/* bounded by the map's size even if entries churn while it is walked */
	while (n++ < TT_MAX_TICKERS && bpf_map_get_next_key(fd, prev, &next) == 0) {
		struct tt_model_ticker *t;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, v) || !v->intervals)
			continue;
		t = slot_for(m, &key, v);
		if (t)
			copy_ticker(t, v);
	}
	free(v);
	return 0;
}

void tt_procs_prune(int procs_fd, int hint_fd)
{
	__u32 key, next, *prev = NULL, gone[256];
	int ngone = 0, n = 0;

	while (n++ < TT_MAX_PROCS && bpf_map_get_next_key(procs_fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (ngone < (int)(sizeof(gone) / sizeof(gone[0])) && kill((pid_t)key, 0) &&
		    errno == ESRCH)
			gone[ngone++] = key;
	}
	for (int i = 0; i < ngone; i++) {
		__u32 slot = gone[i] & (TT_HINT_SLOTS - 1), cur = 0, zero = 0;

		bpf_map_delete_elem(procs_fd, &gone[i]);
		if (!bpf_map_lookup_elem(hint_fd, &slot, &cur) && cur == gone[i])
			bpf_map_update_elem(hint_fd, &slot, &zero, BPF_ANY);
	}
}
