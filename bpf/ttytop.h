/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The one contract between the kernel programs (ttytop.bpf.c) and user space.
 * Everything here is plain fixed-size data so that the same layout is seen by
 * clang -target bpf and by gcc on the host. Change a struct here and both
 * sides change together; bump TTYTOP_ABI when the layout moves.
 */
#ifndef TTYTOP_ABI_H
#define TTYTOP_ABI_H

#define TTYTOP_ABI 5

#ifndef __VMLINUX_H__ /* user space: the kernel side gets these from vmlinux.h */
#include <linux/types.h>
#endif

#define TT_COMM_LEN 16
#define TT_TTY_NAME_LEN 32
#define TT_USTACK_MAX 48 /* user frames kept per slow write */
#define TT_KSTACK_MAX 32 /* kernel frames kept per slow write */
#define TT_IRQ_RANGES 8  /* kernel text ranges that mean "woken by an interrupt" */
/*
 * Terminal slots in the kernel's statistics array, slot 0 included: slot 0
 * holds the writes of terminals that found every other slot taken (shown as
 * part of "others"). Preallocated and shared by all CPUs, so a terminal's
 * entry can neither fail to allocate nor grow with the CPU count.
 */
#define TT_TTY_SLOTS 2048
#define TT_SLOT_OTHERS 0
#define TT_MAX_WRITERS 4096
#define TT_MAX_INFLIGHT 16384
#define TT_HINT_SLOTS 65536 /* power of two: tid & (slots-1) */
#define TT_MAX_GO_PROCS 1024
/*
 * The event ring. The consumer maps it twice (wrap-around), so it costs twice
 * its size in RSS: 1 MiB holds ~1200 slow writes' events, plenty at a real
 * threshold; -T 0 (every write an event, rate limited) gets the larger one.
 */
#define TT_RINGBUF_BYTES (1u << 20)
#define TT_RINGBUF_BYTES_ALL (4u << 20)
#define TT_MAX_SLEEP_STACKS 1024 /* writes asleep at once whose stacks are kept */
#define TT_MAX_TICKERS 1024      /* writers whose write intervals are kept (LRU) */
#define TT_MAX_PROCS 4096        /* processes whose run-queue and GC time are summed (LRU) */
#define TT_MAX_RUNNABLE 16384    /* threads of those processes waiting runnable (LRU) */
#define TT_MAX_PEERS 64          /* ttytop instances that know of each other (src/peers.c) */

/*
 * Log-linear histogram: values below 2^(SUB_BITS+1) get one bucket each; above
 * that every power of two is cut into 2^SUB_BITS equal sub-buckets, so the
 * relative width of a bucket is at most 1/8 and percentiles are honest to
 * ~6% (midpoint). The top bucket collects everything from 2^TT_HIST_MAX_EXP
 * ns (~137 s) up. Bucket i < 16 is [i, i+1); above, e = (i >> 3) + 2,
 * s = i & 7 and the bucket is [(8 + s) << (e - 3), (9 + s) << (e - 3)).
 */
#define TT_HIST_SUB_BITS 3
#define TT_HIST_SUB (1u << TT_HIST_SUB_BITS)
#define TT_HIST_MAX_EXP 37
#define TT_HIST_BUCKETS ((TT_HIST_MAX_EXP - TT_HIST_SUB_BITS + 2) * TT_HIST_SUB)

/* What kind of terminal a write landed on. */
enum tt_class {
	TT_CLASS_OTHER = 0,
	TT_CLASS_PTY = 1,        /* pty slave, pts/N */
	TT_CLASS_PTY_MASTER = 2, /* writes into the master side (sshd, tmux) */
	TT_CLASS_CONSOLE = 3,    /* VT, ttyN */
	TT_CLASS_SERIAL = 4,     /* ttyS0, ttyUSB0, ttyAMA0, ... */
	TT_CLASS_NR
};

/* Why a write went to sleep (from the tty's state as it slept; of its longest sleep). */
enum tt_reason {
	TT_REASON_NONE = 0,         /* never slept */
	TT_REASON_BUFFER_FULL = 1,  /* output room exhausted: reader not draining */
	TT_REASON_WRITE_LOCK = 2,   /* atomic_write_lock held by another writer */
	TT_REASON_FLOW_STOPPED = 3, /* XOFF / ^S / hardware flow control */
	TT_REASON_OTHER = 4,        /* ldisc change, termios, memory, ... */
	TT_REASON_NR
};

/* Which syscall the write came through. */
enum tt_syscall {
	TT_SYS_WRITE = 0,
	TT_SYS_WRITEV = 1,
	TT_SYS_PWRITE64 = 2,
	TT_SYS_PWRITEV = 3,
	TT_SYS_PWRITEV2 = 4,
	TT_SYS_NR
};

/* What an event is about. */
enum tt_ev_kind {
	TT_KIND_SLOW_WRITE = 0, /* the write took longer than the threshold */
	TT_KIND_LATE_TICK = 1,  /* the interval before the write was late, however fast the write */
	TT_KIND_NR
};

/*
 * Why a tick was late: the first of these whose figure covers at least half
 * of the lateness, in this order; TT_CAUSE_APP when none does.
 */
enum tt_cause {
	TT_CAUSE_NONE = 0,             /* not a late tick */
	TT_CAUSE_TERMINAL_BLOCKED = 1, /* the interval's first write blocked */
	TT_CAUSE_GC_STW = 2,           /* a Go stop-the-world overlapped the interval */
	TT_CAUSE_RUN_QUEUE = 3,        /* the process's threads waited runnable */
	TT_CAUSE_APP = 4,              /* none of these: the program itself was late */
	TT_CAUSE_NR
};

/*
 * Tick detection (kernel side): a period is the mean of at least
 * TT_TICK_AGREE consecutive intervals each within TT_TICK_TOL_PCT % of the
 * run's first; intervals under TT_TICK_MIN_NS are bursts, never ticks.
 */
#define TT_TICK_AGREE 8
#define TT_TICK_TOL_PCT 5
#define TT_TICK_MIN_NS 1000000ull
#define TT_LATE_PCT_DEFAULT 5

/* tt_*.dev: the kernel's MKDEV encoding, major << 20 | minor */
#define TT_DEV_MINOR_BITS 20
#define TT_DEV_MINOR_MASK ((1u << TT_DEV_MINOR_BITS) - 1)

/* Event flags. */
#define TT_EV_WAKER_IRQ (1u << 0)       /* woken from interrupt context: waker unknown */
#define TT_EV_NO_KSTACK (1u << 1)       /* kernel stack storage full or capture failed */
#define TT_EV_NO_USTACK (1u << 2)       /* user stack capture failed */
#define TT_EV_KSTACK_AT_SLEEP (1u << 3) /* kstack taken at the first sleep */
#define TT_EV_GO (1u << 4)              /* writer registered as a Go process */
#define TT_EV_GOID (1u << 5)            /* goid field is valid */
/* (1u << 6) is free */
#define TT_EV_USER_RET (1u << 7)  /* user_ret holds the frameless caller's return addr */
#define TT_EV_GOID_R14 (1u << 8)  /* the ABIInternal g register agrees with the TLS g */
#define TT_EV_GOID_R28 (1u << 9)  /* arm64: the g register R28 agrees with the TLS g */
#define TT_EV_GOID_REG (1u << 10) /* g read from the register alone (arm64 without cgo) */
/* Everything that says how goid was read, carried together. */
#define TT_EV_GOID_BITS (TT_EV_GOID | TT_EV_GOID_R14 | TT_EV_GOID_R28 | TT_EV_GOID_REG)

/* Drop / loss counters, one slot each in the per-CPU "drops" array. */
enum tt_drop {
	TT_DROP_RINGBUF_FULL = 0,   /* bpf_ringbuf_reserve failed */
	TT_DROP_RATELIMIT = 1,      /* threshold 0: over the per-CPU event budget */
	TT_DROP_INFLIGHT_FULL = 2,  /* no room to track a write: not timed */
	TT_DROP_KSTACK_FULL = 3,    /* sleep-stack storage full: event has no kstack */
	TT_DROP_TTY_TABLE_FULL = 4, /* no terminal slot free: counted in slot 0 (others) */
	TT_DROP_WRITERS_FULL = 5,   /* per-writer table full */
	TT_DROP_NR
};

/* Errno slots kept per terminal; everything else lands in OTHER. */
enum tt_errslot {
	TT_ERR_EAGAIN = 0,
	TT_ERR_EIO = 1,
	TT_ERR_EINTR = 2,
	TT_ERR_ERESTARTSYS = 3, /* seen only if interrupted and not restarted */
	TT_ERR_ENOSPC = 4,
	TT_ERR_EPIPE = 5,
	TT_ERR_OTHER = 6,
	TT_ERR_NR
};

/* Terminal backlog read at write entry. Zero where not applicable. */
struct tt_backlog {
	__u32 buf_used;      /* pty: peer flip-buffer bytes in use; serial: xmit fifo fill */
	__u32 buf_limit;     /* pty: peer flip-buffer limit; serial: fifo size */
	__u32 reader_unread; /* pty: bytes in the peer's n_tty read buffer not yet read */
	__u8 stopped;        /* tty->flow.stopped (XOFF) */
	__u8 tco_stopped;    /* tty->flow.tco_stopped (tcflow) */
	__u8 hw_stopped;     /* tty->hw_stopped (CTS) */
	__u8 opost;          /* output post-processing on */
};

/* Identity of a terminal, written into its slot when the slot is taken. */
struct tt_tty_info {
	__u32 dev;   /* real tty dev: major << 20 | minor (kernel encoding) */
	__u8 class;  /* enum tt_class */
	__u8 in_use; /* set last: the slot's identity is complete */
	__u8 pad[2];
	char name[TT_TTY_NAME_LEN]; /* tty->name: "pts0", "ptm3", "tty1", "ttyS0" */
	char driver[16];            /* tty->driver->name */
};

/*
 * Per-terminal counters, shared by all CPUs and updated with atomic adds
 * (a terminal's writes are serialised by its write lock, so the cache line
 * rarely moves). Histogram buckets are 32 bits and wrap: user space reads
 * every slot at each refresh and accumulates the differences in 64 bits,
 * which stays exact below 2^32 writes into one bucket between two reads.
 * max_ns is a plain store: two CPUs finishing writes on one terminal in
 * the same instant may keep the smaller of the two.
 */
struct tt_tty_stats {
	__u64 writes;
	__u64 bytes; /* bytes actually written (positive returns) */
	__u64 errors;
	__u64 short_writes; /* 0 <= ret < requested */
	__u64 slow;         /* writes over the threshold */
	__u64 oncpu_ns;
	__u64 blocked_ns;
	__u64 runq_ns;
	__u64 max_ns;
	__u64 errs[TT_ERR_NR];
	__u64 reasons[TT_REASON_NR]; /* writes that slept, by their longest sleep's reason */
	__u32 hist_lat[TT_HIST_BUCKETS];
	__u32 hist_blocked[TT_HIST_BUCKETS]; /* only writes with blocked > 0 */
	__u32 hist_runq[TT_HIST_BUCKETS];    /* only writes with runq > 0 */
};

/* One element of the "slots" array (mmapped by user space). */
struct tt_tty_slot {
	struct tt_tty_info info;
	struct tt_tty_stats st;
};

struct tt_writer_key {
	__u32 dev;
	__u32 tgid;
};

struct tt_writer_val {
	__u64 writes;
	__u64 bytes;
	char comm[TT_COMM_LEN];
};

/* Registered by user space for Go processes; read at exit of slow writes. */
struct tt_go_proc {
	__s32 tls_g_off; /* g = *(thread pointer + tls_g_off), unless g_in_reg */
	__u16 goid_off;  /* offsetof(g, goid) */
	__u16 g_m_off;   /* offsetof(g, m) */
	__u16 m_g0_off;
	__u16 m_gsignal_off;
	__u16 m_curg_off;
	/*
	 * 1: g is the g register at syscall entry (arm64 without cgo, whose
	 * TLS slot is never written), checked against its m; 0: g is the TLS
	 * slot and the register only confirms it.
	 */
	__u8 g_in_reg;
	/*
	 * 1 from Go 1.21: stopTheWorldWithSema's first argument is the
	 * stwReason; before, the reason comes from a gcStart / gcMarkDone
	 * probe on the stopping thread.
	 */
	__u8 stw_reason_arg;
};

/* runtime.stwReason values the kernel counts (Go 1.21+; same through 1.24) */
#define TT_GO_STW_MARK_TERM 1
#define TT_GO_STW_SWEEP_TERM 2

/* Where a stop-the-world's reason came from (tt_stw_rec.reason_src). */
enum tt_stw_src {
	TT_STW_SRC_UNKNOWN = 0, /* Go < 1.21 with no tagging probe seen */
	TT_STW_SRC_ARG = 1,     /* reason is runtime.stwReason, from the argument */
	TT_STW_SRC_GCSTART = 2, /* tagged by runtime.gcStart: GC sweep termination */
	TT_STW_SRC_MARKDONE = 3 /* tagged by runtime.gcMarkDone: GC mark termination */
};

/*
 * Per process that writes to a terminal ("procs", keyed by tgid): the time
 * its threads waited runnable and, for Go processes with probes attached,
 * its stop-the-world pauses. Sums only grow: a late tick's causes are the
 * differences since the interval's first write.
 */
struct tt_proc_state {
	__u64 runq_total_ns; /* runnable waits of all its threads, ended */
	__u64 stw_total_ns;  /* stop-the-world pauses, ended */
	__u64 stw_start_ns;  /* of the pause in progress, 0 = none */
	__u64 stw_max_ns;
	__u32 stw_count;
	__u32 gc_cycles; /* GC sweep-termination stops: one per cycle */
	__u32 stw_tid;   /* thread that stopped the world */
	__u8 stw_reason; /* of the pause in progress */
	__u8 stw_src;    /* enum tt_stw_src */
	__u8 pad[2];
};

/*
 * One writer's tick (keyed by terminal, process and goroutine; goid -1 when
 * the process is not Go or the goroutine is unknown). Intervals are between
 * the entries of successive writes.
 */
struct tt_ticker_key {
	__u32 dev;
	__u32 tgid;
	__s64 goid;
};

struct tt_ticker {
	__u64 last_start_ns;   /* entry of the previous write */
	__u64 prev_blocked_ns; /* blocked time of the previous write (set at its exit) */
	__u64 runq_at_last;    /* tt_proc_state sums at the previous write's entry */
	__u64 stw_at_last;
	__u64 period_ns;    /* 0 = no period detected yet */
	__u64 run_first_ns; /* first interval of the run of agreeing ones */
	__u64 run_sum_ns;   /* their sum */
	__u64 intervals;    /* intervals seen */
	__u64 late;         /* late ticks */
	__u64 jitter_max_ns;
	__u32 run_n; /* length of the run */
	__u32 pad;
	char comm[TT_COMM_LEN];
	__u32 hist_iv[TT_HIST_BUCKETS];  /* intervals */
	__u32 hist_jit[TT_HIST_BUCKETS]; /* |interval - period| while a period is known */
};

/* Ring-buffer record kinds. */
enum tt_rec_kind {
	TT_REC_WRITE = 1,    /* a slow write */
	TT_REC_NEW_PROC = 2, /* first tty write of a tgid: user space may register it */
	TT_REC_STW = 3,      /* a Go stop-the-world ended */
	/* precedes the TT_REC_WRITE of a process user space has not read yet */
	TT_REC_EARLY = 4,
};


struct tt_rec_hdr {
	__u32 kind;
	__u32 size;
};

struct tt_stw_rec {
	struct tt_rec_hdr hdr;
	__u64 start_ns; /* CLOCK_MONOTONIC at runtime.stopTheWorldWithSema's entry */
	__u64 duration_ns; /* to a RET of runtime.startTheWorldWithSema */
	__u32 tgid;
	__u32 tid;
	__u8 reason; /* runtime.stwReason when src is TT_STW_SRC_ARG */
	__u8 src;    /* enum tt_stw_src */
	__u8 pad[6];
};

/*
 * The executable of a new writer, for when the process is gone before user
 * space reads it: its identity (to refuse a file replaced on disk since), the
 * load address of its text (PIE without a build-id) and its path, walked up
 * from the dentry to the root of the process's mount namespace at exec time
 * ("exes", keyed by tgid; no path for processes that exec'd before ttytop).
 */
#define TT_EXE_PARTS 12    /* path components kept; deeper paths are not found */
#define TT_EXE_PART_LEN 64 /* bytes per component, NUL included; longer ones truncated */
#define TT_MAX_EXES 1024   /* executions remembered (LRU) */

/*
 * The ttytop_peers map: the ttytop instances on the machine whose writes this
 * one must not count. Every instance has its own; a newcomer finds the others'
 * by name and type (src/peers.c) and writes itself into them, so nothing is
 * pinned and nothing outlives the last instance.
 */
struct tt_peer {
	__u64 start; /* /proc/PID/stat starttime: a reused pid is not a peer */
	__u32 owner; /* 1: the instance whose map this is */
	__u32 _pad;
};

struct tt_exe_info {
	__u32 dev;    /* kernel encoding, major << 20 | minor; 0 = no executable */
	__u32 nparts; /* components in parts; 0 = unknown, > TT_EXE_PARTS: too deep */
	__u64 ino;
	__u64 size;
	__u64 start_code; /* mm->start_code */
	__u64 mnt_ns;     /* inode number of the process's mount namespace */
	char parts[TT_EXE_PARTS][TT_EXE_PART_LEN]; /* leaf first */
};

struct tt_new_proc {
	struct tt_rec_hdr hdr;
	__u32 tgid;
	char comm[TT_COMM_LEN];
	__u32 pad;
	struct tt_exe_info exe;
};

/*
 * What a write needs to be attributed when user space had not read its
 * process before it wrote (the process may be gone when the event is read):
 * the words of its g, to decode the goroutine once the Go layout is learned
 * from the executable, and the user stack as (build-id, file offset) pairs,
 * which name frames in libraries without the process's maps.
 */
#define TT_GWIN_WORDS 24 /* g from 0: stack bounds, m at 48, goid at 152-160 (Go 1.17-1.26) */
#define TT_MWIN_WORDS 12 /* m from 0: g0 at 0, gsignal at 80 */
#define TT_EARLY_GWIN (1u << 0)    /* gwin was read */
#define TT_EARLY_MWIN (1u << 1)    /* mwin was read (from gwin[6], g.m) */
#define TT_EARLY_RETCODE (1u << 2) /* ret_code holds the 8 bytes before user_ret */

/* struct bpf_stack_build_id, spelled out for user space's headers */
struct tt_build_id_frame {
	__s32 status; /* 0 empty, 1 valid (offset), 2 ip only */
	__u8 build_id[20];
	__u64 off_or_ip;
};

/*
 * Thread-pointer words kept, from tp + TT_TLS_WIN_BASE: Go's TLS g slot is at
 * tp-8 (x86-64, -88 in static cgo links) or a small positive offset (arm64).
 */
#define TT_TLS_WIN_WORDS 16
#if defined(__TARGET_ARCH_arm64) || defined(__aarch64__)
#define TT_TLS_WIN_BASE 0
#else
#define TT_TLS_WIN_BASE (-8 * TT_TLS_WIN_WORDS)
#endif
#define TT_EARLY_TLS (1u << 3) /* tlswin was read */

struct tt_early {
	__u64 greg; /* the g register at syscall entry (R14, R28) */
	__u64 sp;   /* user stack pointer at syscall entry */
	__u64 tlswin[TT_TLS_WIN_WORDS];
	__u64 gwin[TT_GWIN_WORDS];
	__u64 mwin[TT_MWIN_WORDS];
	__u8 ret_code[8]; /* code before the frame-1 return address: is it a call */
	__u32 flags;      /* TT_EARLY_* */
	__u32 nbuild;     /* frames in build (the same walk as the event's ustack) */
	struct tt_build_id_frame build[TT_USTACK_MAX];
};

struct tt_event {
	struct tt_rec_hdr hdr;
	__u64 start_ns; /* CLOCK_MONOTONIC (bpf_ktime_get_ns) at entry */
	__u64 latency_ns;
	__u64 oncpu_ns;
	__u64 blocked_ns;
	__u64 runq_ns;
	__s64 ret;
	__s64 goid;
	__u64 user_ret; /* return address at the user sp: frame 1 of the user stack */
	__u32 pid;      /* tgid */
	__u32 tid;
	__u32 dev;
	__u32 count; /* bytes requested */
	__u32 waker_pid;
	__u32 flags; /* TT_EV_* */
	__u32 nr_sleeps;
	__s32 fd;
	__u8 syscall; /* enum tt_syscall */
	__u8 reason;  /* enum tt_reason, of the longest sleep */
	__u8 class;
	__u8 kind; /* enum tt_ev_kind */
	__u16 ustack_len; /* frames */
	__u16 kstack_len;
	__u8 cause; /* enum tt_cause, late ticks only */
	__u8 pad[3];
	__u64 interval_ns;   /* late ticks: since the writer's previous write */
	__u64 period_ns;     /* late ticks: the writer's period */
	__u64 cause_ns;      /* late ticks: the figure behind the cause */
	__u64 gc_overlap_ns; /* stop-the-world time inside the write (slow) or the interval (late) */
	char comm[TT_COMM_LEN];
	char waker_comm[TT_COMM_LEN];
	struct tt_backlog backlog;
	__u64 ustack[TT_USTACK_MAX];
	__u64 kstack[TT_KSTACK_MAX];
};

/* TT_REC_EARLY: what the TT_REC_WRITE of (tid, start_ns) that follows it needs */
struct tt_early_rec {
	struct tt_rec_hdr hdr;
	__u32 tid;
	__u32 pad;
	__u64 start_ns;
	struct tt_early x;
};

/* Where an in-flight write is: the split of its time follows these. */
enum tt_wstate { TT_W_RUNNING = 0, TT_W_BLOCKED = 1, TT_W_RUNNABLE = 2, TT_W_NR };

/*
 * One entry per thread that ever wrote to a terminal, reused from write to
 * write: an LRU hash ("inflight", keyed by tid) keeps them bounded, and
 * reusing them spares every tty write a hash update and a delete. User space
 * reads the active ones to show writes that have not returned yet.
 */
struct tt_inflight {
	__u64 start_ns; /* CLOCK_MONOTONIC at entry */
	__u64 last_ns;  /* last state change */
	__u64 oncpu_ns; /* so far, up to last_ns */
	__u64 blocked_ns;
	__u64 runq_ns;
	__u64 longest_sleep_ns; /* the sleep whose reason and waker are reported */
	__u64 tty;              /* struct tty_struct *, only for reads in the kernel */
	__s64 goid;             /* at the first sleep, when goid_flags has TT_EV_GOID */
	__u32 dev;
	__u32 count;
	__u32 waker_pid;
	__u32 nr_sleeps;
	__u32 flags;
	__s32 fd;
	__u8 state;        /* enum tt_wstate */
	__u8 reason;       /* of the longest sleep so far */
	__u8 sleep_reason; /* of the sleep in progress (or the last one) */
	__u8 class;
	__u8 syscall;
	__u8 active; /* a write is in flight */
	__u8 pad[2];
	__u32 last_dev;   /* (terminal, process) of the previous write: */
	__u32 last_tgid;  /* when unchanged, the writer entry exists; the writer's tgid */
	__u32 goid_flags; /* the TT_EV_GOID_BITS of goid */
	__u8 kind;        /* enum tt_ev_kind, decided at entry */
	__u8 cause;       /* enum tt_cause of a late tick */
	__u8 pad2[2];
	__s64 tick_goid;  /* the ticker this write belongs to (its key's goid) */
	__u64 stw_at_start; /* the process's stop-the-world sum at entry */
	__u64 interval_ns;  /* late ticks: as in tt_event */
	__u64 period_ns;
	__u64 cause_ns;
	__u64 gc_overlap_ns;
	/*
	 * When the thread's previous tty write returned: an interval it spent
	 * mostly inside writes (a flood on a full buffer) is no tick.
	 */
	__u64 prev_end_ns;
	char waker_comm[TT_COMM_LEN];
	struct tt_backlog backlog; /* at entry */
};

/* Kernel stack at a write's first sleep ("sleep_stacks", keyed by tid). */
struct tt_sleep_stack {
	__u32 n;
	__u32 pad;
	__u64 ip[TT_KSTACK_MAX];
};

/* User stack at a write's first sleep ("sleep_ustacks", keyed by tid). */
struct tt_sleep_ustack {
	__u32 n;
	__u32 flags;    /* TT_EV_USER_RET: user_ret is valid */
	__u64 user_ret; /* as tt_event.user_ret */
	__u64 ip[TT_USTACK_MAX];
};

/*
 * The terminal's state now, for one in-flight write: user space writes tid,
 * runs the inflight_now program (BPF_PROG_TEST_RUN) and reads the rest.
 */
struct tt_inflight_now {
	__u32 tid;      /* in */
	__u32 found;    /* a write of tid is in flight */
	__u64 start_ns; /* of that write: tells a new write of the same thread apart */
	__u32 lock_pid; /* the task holding the terminal's write lock, 0 = none */
	__u32 lock_tid;
	__u32 c_iflag; /* termios of the terminal */
	__u32 c_cflag;
	__u32 c_ospeed;
	__u32 pad;
	struct tt_backlog backlog;
	char name[TT_TTY_NAME_LEN]; /* tty->name: a terminal not yet in a slot has no row */
};

/* Bucket index of a value; shared by the BPF side and user space. */
static inline __u32 tt_log2_u64(__u64 v)
{
	__u32 r = 0, s;

	s = (v > 0xFFFFFFFFull) << 5;
	v >>= s;
	r |= s;
	s = (v > 0xFFFF) << 4;
	v >>= s;
	r |= s;
	s = (v > 0xFF) << 3;
	v >>= s;
	r |= s;
	s = (v > 0xF) << 2;
	v >>= s;
	r |= s;
	s = (v > 0x3) << 1;
	v >>= s;
	r |= s;
	r |= (v >> 1);
	return r;
}

static inline __u32 tt_hist_bucket(__u64 v)
{
	__u32 e, idx;

	if (v < (2ull * TT_HIST_SUB))
		return (__u32)v;
	e = tt_log2_u64(v);
	if (e > TT_HIST_MAX_EXP)
		return TT_HIST_BUCKETS - 1;
	idx = ((e - TT_HIST_SUB_BITS + 1) << TT_HIST_SUB_BITS) |
	      (__u32)((v >> (e - TT_HIST_SUB_BITS)) & (TT_HIST_SUB - 1));
	return idx < TT_HIST_BUCKETS ? idx : TT_HIST_BUCKETS - 1;
}

#endif /* TTYTOP_ABI_H */
