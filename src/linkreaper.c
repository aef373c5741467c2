// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Detaching BPF links on a worker thread: see linkreaper.h. */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include <bpf/libbpf.h>

#include "linkreaper.h"

struct tt_reaper {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t more;
	struct bpf_link *q[TT_REAPER_QUEUE];
	int head, n;
	bool busy, stop;
};

static void *reap(void *arg)
{
	struct tt_reaper *r = arg;

	pthread_mutex_lock(&r->lock);
	for (;;) {
		struct bpf_link *l;

		while (!r->n && !r->stop)
			pthread_cond_wait(&r->more, &r->lock);
		if (!r->n)
			break; /* stopping, and nothing left */
		l = r->q[r->head];
		r->head = (r->head + 1) % TT_REAPER_QUEUE;
		r->n--;
		r->busy = true;
		pthread_mutex_unlock(&r->lock);
		bpf_link__destroy(l); /* the slow part, without the lock */
		pthread_mutex_lock(&r->lock);
		r->busy = false;
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

struct tt_reaper *tt_reaper_new(void)
{
	struct tt_reaper *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->more, NULL);
	if (pthread_create(&r->thread, NULL, reap, r)) {
		pthread_cond_destroy(&r->more);
		pthread_mutex_destroy(&r->lock);
		free(r);
		return NULL;
	}
	return r;
}

void tt_reaper_put(struct tt_reaper *r, struct bpf_link *l)
{
	if (!l)
		return;
	if (r) {
		pthread_mutex_lock(&r->lock);
		if (r->n < TT_REAPER_QUEUE) {
			r->q[(r->head + r->n) % TT_REAPER_QUEUE] = l;
			r->n++;
			pthread_cond_signal(&r->more);
			pthread_mutex_unlock(&r->lock);
			return;
		}
		pthread_mutex_unlock(&r->lock);
	}
	bpf_link__destroy(l);
}

int tt_reaper_pending(struct tt_reaper *r)
{
	int n;

	if (!r)
		return 0;
	pthread_mutex_lock(&r->lock);
	n = r->n + (r->busy ? 1 : 0);
	pthread_mutex_unlock(&r->lock);
	return n;
}

void tt_reaper_free(struct tt_reaper *r)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	r->stop = true;
	pthread_cond_signal(&r->more);
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->thread, NULL);
	pthread_cond_destroy(&r->more);
	pthread_mutex_destroy(&r->lock);
	free(r);
}
