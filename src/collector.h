/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The live data source: loads the BPF programs, chooses among them by what
 * this kernel offers, and moves their counters and events into the model.
 */
#ifndef TTYTOP_COLLECTOR_H
#define TTYTOP_COLLECTOR_H

#include <stdbool.h>
#include <stdio.h>

#include "model.h"
#include "opts.h"
#include "source.h"

struct tt_collector;

/* What start-up found; printed by --check and kept in the model's attach info. */
struct tt_probe_report {
	bool root;
	bool btf;
	bool ringbuf;
	bool tracefs;
	bool tracefs_mounted_by_us;
	bool syscall_tps;
	bool rdonly_cast;
	bool tp_btf;
	bool sched_prev_state; /* sched_switch passes prev_state (5.18+) */
	bool task_pt_regs;     /* bpf_task_pt_regs (5.15+) */
	bool regs_on_stack;    /* else found at the top of the kernel stack (x86-64) */
	bool preempt_rt;       /* struct mutex is an rt_mutex */
	bool raw_syscalls;     /* hooks on raw sys_enter/sys_exit (PREEMPT_RT) */
	bool fentry;           /* writes timed in tty_write itself (fentry/fexit) */
	const char *fentry_why; /* why not, when !fentry */
	/* where start-up went (--check prints it): ms */
	double probe_ms, open_ms, load_ms, attach_ms;
	double ksyms_ms; /* /proc/kallsyms, read beside the others (src/probe_ksyms.c) */
	bool uart_circ_buf;    /* serial TX buffer in uart_state.xmit (before 6.10) */
	unsigned tty_slots;    /* terminal entries the kernel tables hold */
	bool irq_detect;
	unsigned lost; /* 1 << enum tt_lost */
	unsigned long long tty_write, redirected_tty_write;
	/* [start, end) of the text that means an interrupt woke a writer; 0 = absent */
	uint64_t irq_ranges[TT_IRQ_RANGES][2];
	bool irq_threads; /* threaded handlers and softirq threads are among them */
};

/*
 * Open, load and attach. On failure returns -errno and writes one sentence
 * for a human into err (no libbpf dump unless opts->verbose).
 */
int tt_collector_open(struct tt_collector **out, const struct tt_opts *o, struct tt_model *m,
		      struct tt_probe_report *rep, char *err, size_t errlen);
void tt_collector_close(struct tt_collector *c);

/* Wait up to timeout_ms for events and move them into the model. */
int tt_collector_poll(struct tt_collector *c, int timeout_ms);

/* The dashboard's view of the collector. */
struct tt_source tt_collector_source(struct tt_collector *c);

/*
 * Probe only (no load): fills rep but for the kernel symbols (tty_write, irq
 * ranges: src/probe_ksyms.h); 0 when everything needed is present.
 */
int tt_collector_probe(struct tt_probe_report *rep, char *err, size_t errlen);
/* rep->lost, from what the probe and the kernel symbols found */
void tt_probe_lost(struct tt_probe_report *rep);
void tt_probe_report_print(const struct tt_probe_report *rep, FILE *f);

#endif
