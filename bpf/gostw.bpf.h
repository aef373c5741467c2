/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Go stop-the-world pauses, from uprobes that user space (src/gostw.c)
 * attaches per process: the entry of runtime.stopTheWorldWithSema and every
 * RET of runtime.startTheWorldWithSema (a uretprobe rewrites the return
 * address on the goroutine stack, which Go's stack copying and traceback do
 * not survive). Before Go 1.21 stopTheWorldWithSema has no reason argument;
 * probes on the entries of runtime.gcStart and runtime.gcMarkDone tag the
 * goroutine that is about to stop the world instead.
 *
 * Included by ttytop.bpf.c after its maps (procs, go_procs, events) and
 * count_drop(); go_arg1() and g_register() come from arch.bpf.h.
 */
#ifndef TTYTOP_GOSTW_BPF_H
#define TTYTOP_GOSTW_BPF_H

/*
 * A tag older than this is stale: gcStart returns without stopping when
 * another goroutine started the cycle first (mgc.go, "if !trigger.test()"),
 * and gcMarkDone when marking is not done, leaving a tag behind.
 */
#define TT_STW_TAG_MAX_NS 1000000000ull
#define TT_STW_TAGS 1024

/*
 * Keyed by goroutine, not thread: gcStart may block in semacquire between
 * its entry and the stop and resume on another M (go 1.19 mgc.go gcStart:
 * semacquire(&work.startSema), semacquire(&worldsema), then
 * systemstack(stopTheWorldWithSema)). At the stop g is the M's g0 and
 * m.curg the goroutine that called it.
 */
struct tt_stw_tag_key {
	__u64 g;
	__u32 tgid;
	__u32 pad;
};

struct tt_stw_tag {
	__u64 ns;
	__u8 src; /* TT_STW_SRC_GCSTART or TT_STW_SRC_MARKDONE */
	__u8 pad[7];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, TT_STW_TAGS);
	__type(key, struct tt_stw_tag_key);
	__type(value, struct tt_stw_tag);
} stw_tags SEC(".maps");

static __always_inline int stw_tag(struct pt_regs *ctx, __u8 src)
{
	struct tt_stw_tag_key k = {.g = g_register(ctx), .tgid = bpf_get_current_pid_tgid() >> 32};
	struct tt_stw_tag t = {.ns = bpf_ktime_get_ns(), .src = src};

	/* gcStart and gcMarkDone are Go (ABIInternal) code: the g register is g */
	if (k.g)
		bpf_map_update_elem(&stw_tags, &k, &t, BPF_ANY);
	return 0;
}

SEC("uprobe")
int stw_tag_gcstart(struct pt_regs *ctx)
{
	return stw_tag(ctx, TT_STW_SRC_GCSTART);
}

SEC("uprobe")
int stw_tag_markdone(struct pt_regs *ctx)
{
	return stw_tag(ctx, TT_STW_SRC_MARKDONE);
}

/* The tag of the goroutine stopping the world now (Go < 1.21), taken once. */
static __always_inline __u8 stw_take_tag(struct pt_regs *ctx, const struct tt_go_proc *gp,
                                         __u32 tgid, __u64 now)
{
	struct tt_stw_tag_key k = {.tgid = tgid};
	struct tt_stw_tag *t;
	__u64 m = 0;
	__u8 src;

	/* on the system stack: the g register holds g0, whose m runs curg */
	if (bpf_probe_read_user(&m, sizeof(m), (void *)(g_register(ctx) + gp->g_m_off)) || !m ||
	    bpf_probe_read_user(&k.g, sizeof(k.g), (void *)(m + gp->m_curg_off)) || !k.g)
		return TT_STW_SRC_UNKNOWN;
	t = bpf_map_lookup_elem(&stw_tags, &k);
	if (!t)
		return TT_STW_SRC_UNKNOWN;
	src = now - t->ns < TT_STW_TAG_MAX_NS ? t->src : TT_STW_SRC_UNKNOWN;
	bpf_map_delete_elem(&stw_tags, &k);
	return src;
}

/*
 * Entry of runtime.stopTheWorldWithSema. Only one stop per process at a
 * time (the caller holds worldsema), so the pending start lives in the
 * process's procs entry.
 */
SEC("uprobe")
int stw_start(struct pt_regs *ctx)
{
	__u64 now = bpf_ktime_get_ns(), id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	struct tt_proc_state zero = {}, *ps;
	struct tt_go_proc *gp = bpf_map_lookup_elem(&go_procs, &tgid);
	__u8 reason = 0, src;

	if (!gp)
		return 0; /* pruned: the process is gone or was never registered */
	if (gp->stw_reason_arg) {
		/* func stopTheWorldWithSema(reason stwReason) worldStop; stwReason is uint8 */
		reason = go_arg1(ctx) & 0xff;
		src = TT_STW_SRC_ARG;
	} else {
		src = stw_take_tag(ctx, gp, tgid, now);
		if (src == TT_STW_SRC_GCSTART)
			reason = TT_GO_STW_SWEEP_TERM;
		else if (src == TT_STW_SRC_MARKDONE)
			reason = TT_GO_STW_MARK_TERM;
	}
	ps = map_lookup_or_try_init(&procs, &tgid, &zero);
	if (!ps)
		return 0;
	ps->stw_tid = (__u32)id;
	ps->stw_reason = reason;
	ps->stw_src = src;
	ps->stw_start_ns = now;
	return 0;
}

static __always_inline bool stw_is_sweep_term(__u8 reason, __u8 src)
{
	return src == TT_STW_SRC_GCSTART ||
	       (src == TT_STW_SRC_ARG && reason == TT_GO_STW_SWEEP_TERM);
}

/* Each RET of runtime.startTheWorldWithSema: the pause is over. */
SEC("uprobe")
int stw_end(struct pt_regs *ctx)
{
	__u64 now = bpf_ktime_get_ns();
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct tt_proc_state zero = {}, *ps = map_lookup_or_try_init(&procs, &tgid, &zero);
	struct tt_stw_rec *r;
	__u64 start, dur;

	if (!ps || !ps->stw_start_ns)
		return 0; /* attached between a stop and its start: not a whole pause */
	start = ps->stw_start_ns;
	dur = now > start ? now - start : 0;
	/* the sum first: a reader never sees the pause in neither place */
	ps->stw_total_ns += dur;
	ps->stw_start_ns = 0;
	ps->stw_count++;
	if (dur > ps->stw_max_ns)
		ps->stw_max_ns = dur;
	if (stw_is_sweep_term(ps->stw_reason, ps->stw_src))
		ps->gc_cycles++;
	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		count_drop(TT_DROP_RINGBUF_FULL);
		return 0;
	}
	r->hdr.kind = TT_REC_STW;
	r->hdr.size = sizeof(*r);
	r->start_ns = start;
	r->duration_ns = dur;
	r->tgid = tgid;
	r->tid = ps->stw_tid;
	r->reason = ps->stw_reason;
	r->src = ps->stw_src;
	__builtin_memset(r->pad, 0, sizeof(r->pad));
	bpf_ringbuf_submit(r, 0);
	return 0;
}

#endif
