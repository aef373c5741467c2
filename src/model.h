/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The model: everything ttytop knows, independent of where it came from
 * (live BPF maps or a replayed snapshot) and of who shows it (the dashboard,
 * --json, a snapshot). All memory is bounded: a fixed terminal table, a fixed
 * event ring, fixed per-event stacks.
 */
#ifndef TTYTOP_MODEL_H
#define TTYTOP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "../bpf/ttytop.h"
#include "strtab.h"

#define TT_SCHEMA "ttytop/1"
#define TT_MODEL_MAX_TERMINALS 1024 /* rows kept; the rest are summed in "others" */
#define TT_MODEL_OTHERS_DEVS 8192    /* distinct terminals remembered in "others" */
#define TT_MODEL_FOLD_IDLE_NS (10ull * 1000000000ull) /* quiet rows may be folded */
#define TT_MODEL_MAX_WRITERS 8 /* top writers kept per terminal */
#define TT_MODEL_EVENT_RING 2048
#define TT_MODEL_MAX_INFLIGHT 64 /* writes in flight shown, the longest first */
#define TT_MODEL_MAX_READERS 4
#define TT_SPARK_LEN 32 /* p99 history points per terminal */
#define TT_MODEL_MAX_TICKERS 64  /* writers whose tick is shown, the most intervals first */
#define TT_MODEL_MAX_PROCS 64    /* Go processes shown */
#define TT_MODEL_STW_RING 32     /* newest stop-the-world pauses kept per process */
#define TT_STW_REASON_LEN 32
#define TT_FUNC_LEN 128
#define TT_FILE_LEN 160
#define TT_MODULE_LEN 96
/* threads a kept pane holds (its goroutines: pane.h); eight full panes fit a snapshot */
#define TT_MODEL_PANE_THREADS 128

/* One histogram in user space: counts indexed like tt_hist_bucket(). */
struct tt_hist {
	uint64_t counts[TT_HIST_BUCKETS];
};

/* Bucket bounds in ns: [min, max). */
void tt_hist_bounds(uint32_t idx, uint64_t *min, uint64_t *max);
uint64_t tt_hist_total(const struct tt_hist *h);
/* q in [0,1]; 0 when empty. Interpolates inside the bucket. */
uint64_t tt_hist_percentile(const struct tt_hist *h, double q);
void tt_hist_add(struct tt_hist *dst, const uint64_t *counts);

struct tt_writer {
	uint32_t pid;
	char comm[TT_COMM_LEN];
	uint64_t writes; /* cumulative */
	uint64_t bytes;
	uint64_t recent;      /* writes in the last closed interval */
	uint64_t tick_writes; /* writes at the last tick */
};

struct tt_terminal {
	uint32_t dev; /* kernel encoding: major << 20 | minor */
	enum tt_class class;
	char name[TT_TTY_NAME_LEN]; /* display name: "pts/3", "ptm/3", "tty1", "ttyS0" */
	char driver[16];

	/* cumulative since start */
	uint64_t writes, bytes, errors, short_writes, slow;
	uint64_t oncpu_ns, blocked_ns, runq_ns, max_ns;
	uint64_t errs[TT_ERR_NR];
	uint64_t reasons[TT_REASON_NR];
	struct tt_hist lat, blocked, runq;

	/* derived each tick */
	uint64_t p50, p90, p99;
	double writes_per_s, bytes_per_s;
	double blocked_share; /* blocked_ns / total latency ns, 0..1 */
	uint64_t spark_p99[TT_SPARK_LEN]; /* interval p99 history, newest last */
	int spark_len;

	/* the most active first: writes in the last interval, then writes since start */
	struct tt_writer writers[TT_MODEL_MAX_WRITERS];
	int nwriters;

	/* bookkeeping for rates and for folding quiet rows into others */
	uint64_t last_write_ns; /* CLOCK_REALTIME of the last growth seen */
	uint64_t prev_writes, prev_bytes;
	struct tt_hist prev_lat;
	bool seen_this_tick;
};

/*
 * Names are ids of src/strtab.h (tt_str reads them, tt_frame_set_* write
 * them): 24 bytes a frame instead of 400, in every event of the log.
 */
struct tt_frame {
	uint64_t addr;
	uint32_t func;	 /* "" = unresolved; at most TT_FUNC_LEN - 1 bytes */
	uint32_t file;	 /* "" = unknown; TT_FILE_LEN */
	uint32_t module; /* basename of the mapped file, or "kernel"; TT_MODULE_LEN */
	int line;	 /* 0 = unknown */
};

static inline void tt_frame_set_func(struct tt_frame *f, const char *s)
{
	f->func = tt_str_intern(s, TT_FUNC_LEN);
}

static inline void tt_frame_set_file(struct tt_frame *f, const char *s)
{
	f->file = tt_str_intern(s, TT_FILE_LEN);
}

static inline void tt_frame_set_module(struct tt_frame *f, const char *s)
{
	f->module = tt_str_intern(s, TT_MODULE_LEN);
}

struct tt_stack {
	int n;
	struct tt_frame frames[TT_USTACK_MAX];
};

#define TT_EVSTK_SYMBOLIZED (1u << 0) /* symbolization was attempted */
#define TT_EVSTK_PROC_GONE (1u << 1)  /* process exited: raw addresses only */

struct tt_model_event {
	enum tt_ev_kind kind;
	uint64_t time_ns; /* CLOCK_REALTIME ns of the write's start */
	uint32_t pid, tid;
	int64_t goid; /* -1 = not Go / unknown */
	char comm[TT_COMM_LEN];
	char terminal[TT_TTY_NAME_LEN];
	uint32_t dev;
	enum tt_class class;
	uint32_t count;
	int64_t ret;
	uint64_t latency_ns, oncpu_ns, blocked_ns, runq_ns;
	enum tt_reason reason;
	enum tt_syscall syscall;
	int fd;
	uint32_t nr_sleeps;
	bool has_waker;
	bool waker_irq; /* woken from interrupt context: no waker task to name */
	uint32_t waker_pid;
	char waker_comm[TT_COMM_LEN];
	struct tt_backlog backlog;
	/* late ticks (kind TT_KIND_LATE_TICK): the interval and why it was late */
	uint64_t interval_ns, period_ns, late_ns;
	enum tt_cause cause;
	uint64_t cause_ns;
	uint64_t gc_overlap_ns; /* stop-the-world inside the write (slow) or the interval (late) */
	/*
	 * What the kernel said of the stacks, as plain fields so that readers
	 * of the model (the dashboard) need not know the kernel's bits.
	 */
	bool no_ustack;       /* the user stack could not be captured */
	bool no_kstack;       /* the kernel stack could not be captured */
	bool kstack_at_sleep; /* the kernel stack is the first sleep's, not the write's entry */
	/* TT_EV_* as the kernel sent them: the JSON's goid_source reads them */
	uint32_t flags;
	uint32_t stk_flags; /* TT_EVSTK_* */
	struct tt_stack ustack;
	struct tt_stack kstack; /* n <= TT_KSTACK_MAX */
};

/*
 * One writer's tick: the intervals between its successive writes (between
 * tick bursts: writes under TT_TICK_MIN_NS apart are one tick). goid -1 for
 * a process that is not Go or whose goroutine is unknown.
 */
struct tt_model_ticker {
	uint32_t dev, pid;
	int64_t goid;
	char comm[TT_COMM_LEN];
	uint64_t period_ns; /* 0: no period detected yet */
	uint64_t intervals, late;
	uint64_t jitter_max_ns;
	struct tt_hist iv;     /* intervals */
	struct tt_hist jitter; /* |interval - period| while a period was known */
	bool seen;             /* still in the kernel's table at the last refresh */
};

struct tt_stw {
	uint64_t time_ns;     /* CLOCK_REALTIME of the stop's start */
	uint64_t duration_ns;
	char reason[TT_STW_REASON_LEN]; /* the runtime's own words: "GC sweep termination" */
};

/* A Go process seen writing to a terminal, and its stop-the-world pauses. */
struct tt_model_proc {
	uint32_t pid;
	char comm[TT_COMM_LEN];
	char go_version[32]; /* "go1.19.8", "" = unknown */
	bool instrumented;   /* stop-the-world probes attached */
	char why_not[64];    /* when not instrumented: why */
	bool exited;
	/* cumulative since ttytop started */
	uint64_t gc_cycles, stw_count, stw_total_ns, stw_max_ns;
	struct tt_hist stw_hist;
	struct tt_stw stw[TT_MODEL_STW_RING]; /* ring, stw_head = next slot */
	uint32_t stw_head, stw_n;
};

struct tt_proc_ref {
	uint32_t pid;
	char comm[TT_COMM_LEN];
};

/*
 * A write that had not returned at the last refresh and had been in flight
 * longer than the threshold. ev holds what an event would: latency_ns is
 * the time so far, reason that of the sleep it is in (none while it runs),
 * the waker that of its longest sleep so far, backlog the terminal's state
 * now, the stacks those of its first sleep; ret means nothing yet.
 */
struct tt_model_inflight {
	struct tt_model_event ev;
	enum tt_wstate state;
	uint64_t state_ns; /* in that state for this long: the sleep so far */
	int nreaders;	   /* -1: not known (no pty, or /proc unreadable) */
	struct tt_proc_ref readers[TT_MODEL_MAX_READERS]; /* holding the pty master */
	bool has_lock_holder;
	uint32_t lock_pid, lock_tid; /* the task holding the terminal's write lock */
	bool has_line;		     /* a serial line's settings */
	uint32_t line_speed;	     /* baud, 0 = unknown */
	bool line_crtscts, line_ixon;
};

struct tt_totals {
	uint64_t events;     /* slow-write events received */
	uint64_t dropped;    /* sum of drops[] */
	uint64_t drops[TT_DROP_NR];
	uint64_t no_stack;   /* events without a kernel or user stack */
	uint64_t writes;     /* all tty writes counted, others included */
	uint64_t lost_writes; /* tty writes counted in no row: sum of lost_by[] */
	uint64_t lost_by[TT_DROP_NR]; /* by the drop that lost them */
	/*
	 * Runs of the write programs the kernel skipped because another BPF
	 * program or map call held the CPU (bpf_prog_info.recursion_misses,
	 * kept for tracepoint programs since 6.8): writes among them are in no
	 * row. Counts every write syscall skipped, tty or not.
	 */
	uint64_t skipped_runs;
	uint64_t in_flight; /* writes in flight over the threshold at the last refresh */
	/* the kernel's terminal slots (live only; 0 in older snapshots) */
	uint64_t slots_size, slots_used, slots_retired;
};

/*
 * What the running kernel cannot give, so ttytop goes without it; each is
 * named by --check, the dashboard header and attach.lost in the JSON.
 * Counts, bytes, histograms, the split, the sleep reason and the waker are
 * exact on every supported kernel: nothing here touches them.
 */
enum tt_lost {
	TT_LOST_R14_CHECK,	  /* no bpf_task_pt_regs (< 5.15): goid from TLS, unconfirmed */
	TT_LOST_FRAME1,		  /* no bpf_task_pt_regs: the syscall wrapper's caller */
	TT_LOST_IRQ_WAKER,	  /* no interrupt entry text: IRQ wake-ups blamed on a task */
	TT_LOST_CONSOLE_REDIRECT, /* no redirected_tty_write: /dev/console writes unseen */
	TT_LOST_INFLIGHT_NOW,	  /* no BPF_PROG_TEST_RUN of raw_tp: in-flight state at entry */
	TT_LOST_REFUSED_WRITES,	  /* tty-layer path: write calls refused before tty_write unseen */
	TT_LOST_NR,
};

struct tt_attach {
	char mode[32];	       /* "tracepoint" */
	char enter_prog[32];   /* "rdonly_cast" or "probe_read" */
	char sched[32];	       /* "tp_btf" or "raw_tp" */
	bool tty_write_found;
	bool redirected_found;
	uint64_t attach_us;    /* start-up to attached */
	uint32_t lost;	       /* 1 << enum tt_lost */
};

struct tt_host {
	char hostname[64];
	char kernel[64];
};

struct tt_filters {
	int pid;	/* 0 = any */
	char comm[TT_COMM_LEN];
	char tty[TT_TTY_NAME_LEN]; /* name ("pts/3") or class ("serial"); "" = any */
	double threshold_ms;
};

struct tt_model {
	struct tt_host host;
	struct tt_attach attach;
	struct tt_filters filters;
	struct tt_totals totals;
	double interval_s;
	uint64_t start_realtime_ns;
	uint64_t now_realtime_ns;
	bool replay; /* loaded from a snapshot: read-only */

	int row_cap; /* rows kept live (--max-terminals); 0 = TT_MODEL_MAX_TERMINALS */
	struct tt_terminal terminals[TT_MODEL_MAX_TERMINALS];
	int nterminals;
	/*
	 * Every terminal beyond the rows kept, summed: rows folded when the table
	 * was full and quiet, terminals that found no row, and the kernel's own
	 * overflow slot. others_n counts the distinct terminals (devices) in it
	 * (a lower bound past TT_MODEL_OTHERS_DEVS of them).
	 */
	struct tt_terminal others;
	uint32_t others_n;
	uint32_t others_devs[TT_MODEL_OTHERS_DEVS]; /* open addressing, 0 = empty */

	/* ring of the most recent slow writes; head = next slot to write */
	struct tt_model_event *events; /* TT_MODEL_EVENT_RING entries */
	uint32_t ev_head;
	uint32_t ev_count;
	uint64_t ev_seq; /* events ever pushed (to slice "this interval") */

	/* writes in flight at the last refresh, the longest first */
	struct tt_model_inflight *inflight; /* TT_MODEL_MAX_INFLIGHT entries */
	int ninflight;

	/* ticks of writers, the most intervals first */
	struct tt_model_ticker *tickers; /* TT_MODEL_MAX_TICKERS entries */
	int ntickers;
	/* Go processes, in order of first appearance */
	struct tt_model_proc *procs; /* TT_MODEL_MAX_PROCS entries */
	int nprocs;
	uint32_t late_pct; /* --late: an interval this much over the period is late */
	/*
	 * The goroutine/thread panes read this session (pane.h), for the
	 * snapshot and --replay: the newest read of each process, compact
	 * copies the model owns (tt_model_keep_pane).
	 */
	struct tt_pane *panes; /* TT_PANE_MAX entries */
	int npanes;
};

int tt_model_init(struct tt_model *m);
void tt_model_free(struct tt_model *m);

/* Display name and class from the kernel's view of a tty. */
void tt_tty_display_name(const char *kname, enum tt_class class, char *out, size_t outlen);
const char *tt_class_name(enum tt_class c);
int tt_class_from_name(const char *s); /* -1 when not a class name */
const char *tt_reason_name(enum tt_reason r);
int tt_reason_from_name(const char *s);
const char *tt_syscall_name(enum tt_syscall s);
const char *tt_wstate_name(enum tt_wstate s);
int tt_wstate_from_name(const char *s);
const char *tt_drop_name(enum tt_drop d);
const char *tt_errslot_name(enum tt_errslot e);
const char *tt_lost_name(enum tt_lost l);
int tt_lost_from_name(const char *s); /* -1 when unknown */
const char *tt_lost_help(enum tt_lost l); /* one line for --check */

/* Find or add a terminal; NULL when the table is full. */
struct tt_terminal *tt_model_terminal(struct tt_model *m, uint32_t dev);
struct tt_terminal *tt_model_find_terminal(struct tt_model *m, uint32_t dev);
struct tt_terminal *tt_model_find_terminal_name(struct tt_model *m, const char *name);

/*
 * The row that dev's growth goes to: found, created, or made by folding the
 * longest-quiet row (quiet for TT_MODEL_FOLD_IDLE_NS) into others. NULL when
 * every row is busy: the caller adds to tt_model_others(m, dev).
 */
struct tt_terminal *tt_model_row(struct tt_model *m, uint32_t dev);
/* The others row, noting dev (0: none known) among the terminals in it. */
struct tt_terminal *tt_model_others(struct tt_model *m, uint32_t dev);
/* Fold row i into others and drop it from the table. */
void tt_model_fold(struct tt_model *m, int i);
/* Add a difference of the kernel's counters (see tt_stats_delta) to a row. */
void tt_model_add_stats(struct tt_model *m, struct tt_terminal *t, const struct tt_tty_stats *d);
/* Add all of src's counters and histograms into dst (others, folding). */
void tt_terminal_merge(struct tt_terminal *dst, const struct tt_terminal *src);
/*
 * Offer a writer's cumulative counts; keeps the TT_MODEL_MAX_WRITERS most
 * active. A writer that went quiet gives its place to one writing now.
 */
void tt_model_offer_writer(struct tt_terminal *t, uint32_t pid, const char *comm,
			   uint64_t writes, uint64_t bytes);

/* Push a copy of ev into the ring (oldest overwritten). Returns the stored slot. */
struct tt_model_event *tt_model_push_event(struct tt_model *m, const struct tt_model_event *ev);
/* i = 0 is the newest event; NULL past the end. */
struct tt_model_event *tt_model_event_at(struct tt_model *m, uint32_t i);

/* The longest write in flight on dev, or by thread tid; NULL when none. */
const struct tt_model_inflight *tt_model_inflight_on(const struct tt_model *m, uint32_t dev);
const struct tt_model_inflight *tt_model_inflight_of(const struct tt_model *m, uint32_t tid);

const char *tt_kind_name(enum tt_ev_kind k);
int tt_kind_from_name(const char *s); /* -1 when unknown */
const char *tt_cause_name(enum tt_cause c);
int tt_cause_from_name(const char *s); /* -1 when unknown */

/* The ticker of (dev, pid, goid); with add, created (NULL when full). */
struct tt_model_ticker *tt_model_ticker(struct tt_model *m, uint32_t dev, uint32_t pid,
					int64_t goid, bool add);
/* The busiest ticker of a writer (most intervals), NULL when none. */
const struct tt_model_ticker *tt_model_writer_ticker(const struct tt_model *m, uint32_t dev,
						     uint32_t pid);
/* Jitter percentile of a ticker; 0 when it has none. */
uint64_t tt_ticker_jitter(const struct tt_model_ticker *t, double q);
/* The Go process pid; with add, created (NULL when full). */
struct tt_model_proc *tt_model_proc(struct tt_model *m, uint32_t pid, bool add);
/* Append a stop-the-world to a process's ring and counters' histogram. */
void tt_model_proc_add_stw(struct tt_model_proc *p, const struct tt_stw *s);
/* i = 0 is the newest pause; NULL past the end. */
const struct tt_stw *tt_model_proc_stw_at(const struct tt_model_proc *p, uint32_t i);

/*
 * Keep a copy of pane p: it replaces the one of the same pid, else takes a
 * free place, else that of the pane read longest ago. The copy holds at most
 * TT_MODEL_PANE_THREADS threads and TT_PANE_SNAP_GOROUTINES goroutines (those
 * not waiting first, then the waiting ones, each in the read's order), and
 * only the names its rows use; it has no index (tt_pane_intern() refuses).
 * 0, or -ENOMEM with the model unchanged.
 */
struct tt_pane;
int tt_model_keep_pane(struct tt_model *m, const struct tt_pane *p);
/* The kept pane of pid, or NULL. */
const struct tt_pane *tt_model_pane(const struct tt_model *m, uint32_t pid);
/* Forget every kept pane. */
void tt_model_clear_panes(struct tt_model *m);

/* Close an interval of dt seconds: rates, percentiles, sparklines. */
void tt_model_tick(struct tt_model *m, double dt);

#endif /* TTYTOP_MODEL_H */
