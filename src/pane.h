/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The goroutine/thread pane: one live, unsynchronised read of what every
 * thread (and, for Go, every goroutine) of one process is doing, without
 * stopping it: no ptrace, no signals, only /proc and process_vm_readv.
 *
 * Readers fill rows with raw addresses (threads.c, goroutines.c); the
 * stacks are then named once into the pane's own frame table (pane.c), so
 * that JSON, snapshots, --replay and the TUI all show the same names, and a
 * replayed pane (which has names and no process) looks like a live one.
 * Everything is bounded: a process with more rows than fit says how many
 * there were.
 */
#ifndef TTYTOP_PANE_H
#define TTYTOP_PANE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "model.h"

#define TT_PANE_THREADS 1024        /* threads kept per read */
#define TT_PANE_GOROUTINES 12288    /* goroutines kept per read (10,000 measured) */
#define TT_PANE_DEPTH 32            /* frames per row */
#define TT_PANE_FRAMES 8192         /* distinct named frames per pane */
#define TT_PANE_SNAP_GOROUTINES 256 /* goroutines a snapshot keeps per process */
#define TT_PANE_MAX 8               /* panes a session remembers for its snapshot */
#define TT_PANE_WHY_LEN 96

/* Row stack flags. */
#define TT_PSTK_TRUNCATED (1u << 0) /* deeper than TT_PANE_DEPTH, or the walk stopped */
#define TT_PSTK_CHANGED (1u << 1)   /* the row moved while read: frames past this are gone */
#define TT_PSTK_NONE (1u << 2)      /* no stack: running on a CPU, or not readable */
#define TT_PSTK_KERNEL (1u << 3)    /* (frame flag) a kernel frame */

/* One frame of a row: its address and its name in the pane's table. */
struct tt_pane_frame {
	uint64_t addr; /* 0 for kernel frames read by name only */
	uint32_t name; /* index into tt_pane.names; UINT32_MAX = unnamed */
	uint8_t flags; /* TT_PSTK_KERNEL */
};

struct tt_pane_stack {
	uint16_t n;
	uint8_t flags; /* TT_PSTK_* */
	struct tt_pane_frame f[TT_PANE_DEPTH];
};

struct tt_pane_thread {
	uint32_t tid;
	char comm[TT_COMM_LEN];
	char state;          /* /proc's letter: R S D T t Z X I */
	char blocked_on[64]; /* the kernel function it sleeps in (wchan); "" running */
	int32_t syscall;     /* the syscall it is in, -1 none / running */
	uint64_t since_ns;   /* in this state at least this long; 0 = unknown */
	bool since_exact;    /* false: a lower bound (seen so since the pane opened) */
	int64_t goid;        /* goroutine running on it, -1 none / not Go */
	uint64_t switches;   /* context switches so far: unchanged = the same sleep */
	uint64_t read_ns;    /* CLOCK_REALTIME of this row's read */
	struct tt_pane_stack ustack, kstack;
};

struct tt_pane_goroutine {
	int64_t goid;
	uint32_t status;             /* the runtime's _G* value, _Gscan bit cleared */
	char status_word[16];        /* the runtime's word: "waiting", "runnable", "syscall" */
	char wait_reason[40];        /* the runtime's string: "chan receive", "sleep"; "" */
	uint64_t wait_ns;            /* how long it has waited; 0 = not waiting / unknown */
	bool wait_exact;             /* false: a lower bound (seen waiting since the pane opened) */
	uint32_t thread;             /* tid it runs on (m.procid), 0 = none */
	uint64_t sched_pc, sched_sp; /* its saved context: unchanged = the same wait */
	uint32_t parks;              /* 0x100 | g.trackingSeq, moving with each stop; 0 = unknown */
	int16_t top; /* index in stack of the first frame in the program's own code */
	uint64_t read_ns;
	struct tt_pane_stack stack;
};

/* A named frame: the pane's table holds each distinct one once. */
struct tt_pane_name {
	char func[TT_FUNC_LEN];
	char file[TT_FILE_LEN];
	int line;
	char module[TT_MODULE_LEN];
};

struct tt_pane {
	uint32_t pid;
	char comm[TT_COMM_LEN];
	bool is_go;
	char go_version[32];
	bool gone;                   /* the process exited (or exec'd) during or before the read */
	uint64_t read_ns;            /* CLOCK_REALTIME of the read's start */
	uint64_t read_cost_ns;       /* wall time the read took */
	int nthreads, threads_total; /* kept, and seen */
	int ngoroutines, goroutines_total;       /* kept, and the runtime's count */
	char why_no_goroutines[TT_PANE_WHY_LEN]; /* Go, but goroutines not read: why */
	char gsrc[24];                  /* where runtime.allgs came from: "symtab", "decoder", "" */
	struct tt_pane_thread *threads; /* TT_PANE_THREADS, owned */
	struct tt_pane_goroutine *gs;   /* TT_PANE_GOROUTINES, owned; NULL if not Go */
	struct tt_pane_name *names;     /* TT_PANE_FRAMES, owned */
	uint32_t nnames;
	void *hash; /* pane.c's index of names, owned */
};

/* Allocate / free a pane's rows (go: also the goroutine rows). 0 or -ENOMEM. */
int tt_pane_alloc(struct tt_pane *p, bool go);
void tt_pane_free(struct tt_pane *p);
/* The name table alone (names and its index; rows are the caller's). 0 or -ENOMEM. */
int tt_pane_names_alloc(struct tt_pane *p);
/* Empty the name table for the next read, keeping its memory. */
void tt_pane_names_reset(struct tt_pane *p);
/* FNV-1a of a string, continuing from h (2166136261 to start). */
uint32_t tt_pane_str_hash(uint32_t h, const char *s);
/* Index of a name in the pane's table, added if new; UINT32_MAX when full. */
uint32_t tt_pane_intern(struct tt_pane *p, const struct tt_pane_name *n);
/* The frame's name, or NULL when it has none. */
const struct tt_pane_name *tt_pane_frame_name(const struct tt_pane *p,
                                              const struct tt_pane_frame *f);

/* The runtime's words for a goroutine status (_Gidle .. _Gpreempted). */
const char *tt_go_status_word(uint32_t status);
/* Is a Go function the program's own (not the runtime's or the standard library's)? */
bool tt_go_func_is_own(const char *func);

/*
 * Reading a pane (pane.c): one reader per process followed, remembering
 * what its earlier reads saw, so a row unchanged since then can say it has
 * been so "at least" that long. The readers proper:
 *   threads.c     /proc/PID/task: state, wchan, kernel stack, user stack
 *   goroutines.c  runtime.allgs through process_vm_readv
 * then user frames named through the symbolizer into the pane's table.
 */
struct tt_symbolizer;
struct tt_pane_reader;

struct tt_pane_reader *tt_pane_reader_new(pid_t pid);
void tt_pane_reader_free(struct tt_pane_reader *r);
/* p allocated by the caller (tt_pane_alloc). 0, or -ESRCH when the process is gone. */
int tt_pane_read(struct tt_pane_reader *r, struct tt_symbolizer *sym, struct tt_pane *p);

#endif
