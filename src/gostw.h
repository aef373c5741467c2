/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Go stop-the-world pauses: where the probes of bpf/gostw.bpf.h go in one
 * executable (a plan: pure, over the file), and the per-process probes of a
 * live collector, bounded, detached when the process exits or ttytop stops.
 */
#ifndef TTYTOP_GOSTW_H
#define TTYTOP_GOSTW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "../bpf/ttytop.h"

#define TT_GOSTW_MAX_PROCS 64         /* processes instrumented at once */
#define TT_GOSTW_MAX_RETS 16          /* RETs of startTheWorldWithSema (2-3 seen) */
#define TT_GOSTW_MAX_CODE (64u << 10) /* bytes of one function decoded */

struct tt_elfsyms;
struct tt_goinfo;
struct tt_model;
struct bpf_object;

/* Where a plan's function addresses came from. */
enum tt_gostw_src {
	TT_GOSTW_NONE = 0,
	TT_GOSTW_SYMTAB = 1, /* the ELF .symtab */
	TT_GOSTW_PCLN = 2,   /* .gopclntab: stripped binaries */
};

struct tt_gostw_plan {
	enum tt_gostw_src src;
	uint64_t stop_off; /* file offset of runtime.stopTheWorldWithSema's entry */
	/* Go < 1.21: entries of runtime.gcStart / runtime.gcMarkDone; 0 = not used */
	uint64_t gcstart_off, markdone_off;
	uint64_t rets[TT_GOSTW_MAX_RETS]; /* file offsets of startTheWorldWithSema's RETs */
	int nrets;
	char why_not[64]; /* set when the plan fails */
};

/* "symtab", "gopclntab", "none". */
const char *tt_gostw_src_name(enum tt_gostw_src src);

/* [lo, hi) of a function by exact name, from one source only. 0 or -ENOENT. */
int tt_gostw_func(const struct tt_elfsyms *es, enum tt_gostw_src src, const char *name,
                  uint64_t *lo, uint64_t *hi);

/*
 * The probes' places in an open executable (fd is not kept): the symbol
 * table first, else .gopclntab. tags: also the Go < 1.21 tagging probes.
 * 0, or -errno with why_not set.
 */
int tt_gostw_plan_fd(int fd, bool tags, struct tt_gostw_plan *p);
int tt_gostw_plan_file(const char *path, bool tags, struct tt_gostw_plan *p);

/* The runtime's own words for a stop (reason and src of struct tt_stw_rec). */
const char *tt_gostw_reason(uint8_t reason, uint8_t src);

/* --check: the Go processes with a terminal on fd 0-2 and what their probes would be. */
void tt_gostw_check_print(FILE *f);

/* --- live: the collector's probes ------------------------------------------------- */
struct tt_gostw;

/* The programs and the procs map of a loaded object. NULL and -errno when absent. */
struct tt_gostw *tt_gostw_new(struct bpf_object *obj, int *err);
/* Detaches everything. */
void tt_gostw_free(struct tt_gostw *g);

/*
 * A Go process's first terminal write (gi_ret: what tt_goinfo_for_pid said;
 * go_procs must already hold gi->off when it is 1): its model entry, and
 * its probes if there is room.
 */
void tt_gostw_on_go_proc(struct tt_gostw *g, struct tt_model *m, pid_t pid, const char *comm,
                         const struct tt_goinfo *gi, int gi_ret);
/* Each refresh: sums into the model; exited processes detached. */
void tt_gostw_refresh(struct tt_gostw *g, struct tt_model *m);
/* A TT_REC_STW record, into its process's pauses. */
void tt_gostw_on_rec(struct tt_model *m, const struct tt_stw_rec *r, uint64_t mono_to_real_ns);

#endif
