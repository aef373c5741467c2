// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Reading the writes in flight. The table has one entry per thread that ever
 * wrote to a terminal (most of them idle), so it is read in batches of 256
 * and only the active, long-running entries are kept.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <asm/termbits.h>
#include <bpf/bpf.h>

#include "inflight.h"
#include "ptyreaders.h"

#define BATCH 256

struct cand {
	__u32 tid;
	struct tt_inflight w;
};

/* Keep c[] sorted by start time, the oldest (longest in flight) first; at most max. */
static void offer(struct cand *c, int max, int *n, __u32 tid, const struct tt_inflight *w)
{
	int i;

	if (*n == max) {
		if (w->start_ns >= c[max - 1].w.start_ns)
			return;
		(*n)--; /* the youngest gives way */
	}
	for (i = *n; i > 0 && c[i - 1].w.start_ns > w->start_ns; i--)
		c[i] = c[i - 1];
	c[i].tid = tid;
	c[i].w = *w;
	(*n)++;
}

static bool long_running(const struct tt_inflight *w, uint64_t now_ns, uint64_t min_ns)
{
	return w->active && now_ns > w->start_ns && now_ns - w->start_ns >= min_ns;
}

/* Every entry, by batches; -errno when the kernel cannot batch this map. */
static int scan_batched(int fd, uint64_t now_ns, uint64_t min_ns, struct cand *out, int max, int *n)
{
	__u32 *keys = malloc(BATCH * sizeof(*keys));
	struct tt_inflight *vals = malloc(BATCH * sizeof(*vals));
	__u64 token = 0;
	void *in = NULL;
	int total = 0, r = 0;

	if (!keys || !vals) {
		r = -ENOMEM;
		goto out;
	}
	for (;;) {
		__u32 got = BATCH;

		r = bpf_map_lookup_batch(fd, in, &token, keys, vals, &got, NULL);
		if (r < 0 && r != -ENOENT)
			goto out;
		for (__u32 i = 0; i < got && i < BATCH; i++)
			if (long_running(&vals[i], now_ns, min_ns)) {
				total++;
				offer(out, max, n, keys[i], &vals[i]);
			}
		if (r == -ENOENT)
			break;
		in = &token;
	}
	r = total;
out:
	free(keys);
	free(vals);
	return r;
}

/* The slow way, for a kernel without batch lookups of LRU hashes. */
static int scan_by_key(int fd, uint64_t now_ns, uint64_t min_ns, struct cand *out, int max, int *n)
{
	struct tt_inflight w;
	__u32 key, next;
	int total = 0;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &w))
			continue; /* gone meanwhile */
		if (long_running(&w, now_ns, min_ns)) {
			total++;
			offer(out, max, n, key, &w);
		}
	}
	return total;
}

/* The terminal's state now, through the program that reads it; false if gone. */
static bool read_now(const struct tt_inflight_src *src, struct tt_inflight_pick *p)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);

	if (src->now_prog_fd < 0 || !src->now)
		return true; /* cannot tell: keep it, without the state now */
	src->now->tid = p->tid;
	if (bpf_prog_test_run_opts(src->now_prog_fd, &opts) < 0)
		return true;
	if (!src->now->found || src->now->start_ns != p->w.start_ns)
		return false; /* it returned meanwhile: it is an event now */
	p->now = *src->now;
	p->has_now = true;
	return true;
}

int tt_inflight_read(const struct tt_inflight_src *src, uint64_t now_ns, uint64_t min_ns,
                     struct tt_inflight_pick *out, int max, int *npicked)
{
	struct cand *c;
	int n = 0, total, kept = 0;

	*npicked = 0;
	if (max <= 0)
		return 0;
	c = malloc((size_t)max * sizeof(*c));
	if (!c)
		return -ENOMEM;
	total = scan_batched(src->table_fd, now_ns, min_ns, c, max, &n);
	if (total == -EINVAL || total == -ENOTSUP || total == -EOPNOTSUPP) {
		n = 0;
		total = scan_by_key(src->table_fd, now_ns, min_ns, c, max, &n);
	}
	for (int i = 0; total >= 0 && i < n; i++) {
		struct tt_inflight_pick *p = &out[kept];

		memset(p, 0, offsetof(struct tt_inflight_pick, k));
		p->k.n = p->u.n = 0;
		p->tid = c[i].tid;
		p->w = c[i].w;
		if (p->w.nr_sleeps) {
			if (bpf_map_lookup_elem(src->kstack_fd, &p->tid, &p->k))
				p->k.n = 0;
			if (bpf_map_lookup_elem(src->ustack_fd, &p->tid, &p->u))
				p->u.n = 0;
		}
		if (p->k.n > TT_KSTACK_MAX)
			p->k.n = TT_KSTACK_MAX;
		if (p->u.n > TT_USTACK_MAX)
			p->u.n = TT_USTACK_MAX;
		/* last, so that the stacks of a write that ended are not kept */
		if (!read_now(src, p)) {
			total--;
			continue;
		}
		kept++;
	}
	free(c);
	*npicked = kept;
	return total;
}

void tt_inflight_split(const struct tt_inflight *w, uint64_t now_ns, __u64 *oncpu, __u64 *blocked,
                       __u64 *runq)
{
	uint64_t d = now_ns > w->last_ns ? now_ns - w->last_ns : 0;

	*oncpu = w->oncpu_ns + (w->state == TT_W_RUNNING ? d : 0);
	*blocked = w->blocked_ns + (w->state == TT_W_BLOCKED ? d : 0);
	*runq = w->runq_ns + (w->state == TT_W_RUNNABLE ? d : 0);
}

uint32_t tt_line_speed(uint32_t c_cflag, uint32_t c_ospeed)
{
	static const uint32_t low[16] = {0,   50,   75,   110,  134,  150,  200,   300,
	                                 600, 1200, 1800, 2400, 4800, 9600, 19200, 38400};
	static const uint32_t high[16] = {0,       57600,   115200,  230400,  460800,  500000,
	                                  576000,  921600,  1000000, 1152000, 1500000, 2000000,
	                                  2500000, 3000000, 3500000, 4000000};
	uint32_t code = c_cflag & CBAUD;

	if (code == BOTHER)
		return c_ospeed;
	if (code & CBAUDEX)
		return high[code & 0xf];
	return low[code & 0xf];
}

/* A write in flight, as the kernel record it will become, so far. */
void tt_inflight_event(const struct tt_inflight_pick *p, uint64_t now, struct tt_event *e)
{
	const struct tt_inflight *w = &p->w;
	char path[48], comm[TT_COMM_LEN + 2] = "";
	FILE *f;

	memset(e, 0, offsetof(struct tt_event, ustack));
	e->start_ns = w->start_ns;
	e->latency_ns = now - w->start_ns;
	tt_inflight_split(w, now, &e->oncpu_ns, &e->blocked_ns, &e->runq_ns);
	e->goid = w->goid;
	e->pid = w->last_tgid;
	e->tid = p->tid;
	e->dev = w->dev;
	e->count = w->count;
	e->waker_pid = w->waker_pid;
	e->flags = (w->flags & ~TT_EV_GOID_BITS) | w->goid_flags;
	e->nr_sleeps = w->nr_sleeps;
	e->fd = w->fd;
	e->syscall = w->syscall;
	e->reason = w->state == TT_W_BLOCKED ? w->sleep_reason : TT_REASON_NONE;
	e->class = w->class;
	memcpy(e->waker_comm, w->waker_comm, sizeof(e->waker_comm));
	e->backlog = p->has_now ? p->now.backlog : w->backlog;
	snprintf(path, sizeof(path), "/proc/%u/task/%u/comm", e->pid, e->tid);
	f = fopen(path, "re");
	if (f) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = 0;
		fclose(f);
	}
	snprintf(e->comm, sizeof(e->comm), "%.*s", TT_COMM_LEN - 1, comm);
	/* the walk ends where the frame pointers do */
	for (__u32 i = 0; i < p->u.n && p->u.ip[i]; i++) {
		e->ustack[i] = p->u.ip[i];
		e->ustack_len = i + 1;
	}
	if (p->u.flags & TT_EV_USER_RET) {
		e->user_ret = p->u.user_ret;
		e->flags |= TT_EV_USER_RET;
	}
	e->kstack_len = p->k.n;
	memcpy(e->kstack, p->k.ip, sizeof(e->kstack[0]) * p->k.n);
	if (p->k.n)
		e->flags |= TT_EV_KSTACK_AT_SLEEP;
	if (!p->u.n)
		e->flags |= TT_EV_NO_USTACK;
	if (!p->k.n)
		e->flags |= TT_EV_NO_KSTACK;
}

/* Who should unblock it: the pty's reader, the lock holder, the line's settings. */
void tt_inflight_blame(struct tt_ptyreaders *readers, const struct tt_inflight_pick *p,
                       const uint32_t *ptys, int nptys, uint64_t now, struct tt_model_inflight *mi)
{
	const struct tt_inflight *w = &p->w;

	mi->nreaders = -1;
	if (w->class == TT_CLASS_PTY)
		mi->nreaders = tt_ptyreaders_get(readers, ptys, nptys, w->dev & 0xfffff, now,
		                                 mi->readers, TT_MODEL_MAX_READERS);
	if (p->has_now && p->now.lock_tid && p->now.lock_tid != p->tid) {
		mi->has_lock_holder = true;
		mi->lock_pid = p->now.lock_pid;
		mi->lock_tid = p->now.lock_tid;
	}
	if (p->has_now && w->class == TT_CLASS_SERIAL) {
		mi->has_line = true;
		mi->line_speed = tt_line_speed(p->now.c_cflag, p->now.c_ospeed);
		mi->line_crtscts = p->now.c_cflag & CRTSCTS;
		mi->line_ixon = p->now.c_iflag & IXON;
	}
}
