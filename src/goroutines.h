/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The goroutine rows of a pane (pane.h): the runtime's list of all g's
 * (runtime.allgs), each g's goid, status, wait reason and saved context,
 * unwound through .gopclntab, read from outside while the program runs.
 * The g's may change under the reader: every pointer is checked, every
 * count bounded, and a row that does not add up is marked, never named
 * wrongly.
 */
#ifndef TTYTOP_GOROUTINES_H
#define TTYTOP_GOROUTINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* goinfo.h pulls in bpf/ttytop.h, which expects the __u32 family already defined */
#include <linux/types.h>

#include "goinfo.h"
#include "memread.h"
#include "pane.h"

/*
 * Fill p->gs (p->ngoroutines kept, p->goroutines_total the runtime's
 * count) for a Go process: every field of struct tt_pane_goroutine but
 * top (pane.c) and the frames' names (raw PCs, name UINT32_MAX). Also sets
 * p->gsrc. 0, or -errno with p->why_no_goroutines set.
 */
int tt_goroutines_read(struct tt_pane *p, pid_t pid, struct tt_mem *mem);

/*
 * --check's words for one process: "12 from runtime.allgs (decoder)", or
 * why its goroutines cannot be read.
 */
void tt_goroutines_check_line(pid_t pid, char *out, size_t len);

/*
 * The layers under it, for the recorded-image tests and the fuzzer: what
 * one executable says (resolved once per file, link-time addresses), and
 * the walk over a memory given the load bias (runtime - link-time address).
 */
#define TT_GORT_CANDS 16
#define TT_GORT_STOPS 8
#define TT_GORT_WAITS 64
struct tt_elfsyms;
struct tt_gort {
	int major, minor;      /* Go version */
	struct tt_go_goff off; /* struct g offsets (goinfo.h) */
	bool off_from_dwarf;
	bool pie;        /* ET_DYN: the load bias comes from /proc/PID/maps */
	bool lr_machine; /* arm64 (the file's e_machine): return address in LR, saved at 0(SP) */
	uint64_t allgs;  /* &runtime.allgs, link-time; 0 until picked */
	uint64_t cand[TT_GORT_CANDS]; /* stripped: addresses the decoder found */
	int ncand;
	uint64_t stop[TT_GORT_STOPS]; /* entries of the functions a stack ends in */
	int nstop;
	const char *src; /* "symtab", "decoder" */
	uint64_t wrs;    /* &runtime.waitReasonStrings, link-time; 0 = none */
	int nwrs;        /* its length, from the symbol's size */
	bool wr_tried;
	int nwr; /* wait reasons read from the process (no table) */
	char wr[TT_GORT_WAITS][40];
	struct tt_elfsyms *es; /* owned; its .gopclntab unwinds */
};
/* From an open executable. 0, or -errno with why filled. */
int tt_gort_load(struct tt_gort *rt, int fd, char *why, size_t whylen);
void tt_gort_free(struct tt_gort *rt);
/* The load bias of pid running that executable (0 unless PIE). 0 or -errno. */
int tt_gort_bias(const struct tt_gort *rt, pid_t pid, uint64_t *bias);
/*
 * For a version without a wait-reason table (gowait.c) and with symbols:
 * the program's own strings, read once. 0 (also when not needed) or -errno.
 */
int tt_gort_wait_strings(struct tt_gort *rt, uint64_t bias, struct tt_mem *mem);
/* Stripped: the one decoder candidate that is allgs in this memory. 0 or -ENOENT. */
int tt_gort_pick(struct tt_gort *rt, uint64_t bias, struct tt_mem *mem);
/* Fill p->gs from mem; now_mono: CLOCK_MONOTONIC of the read (wait_ns). 0 or -errno. */
int tt_goroutines_walk(struct tt_pane *p, const struct tt_gort *rt, uint64_t bias,
                       struct tt_mem *mem, uint64_t now_mono);

#endif
