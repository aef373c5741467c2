/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The first writes of a process: attributing the slow writes the kernel
 * reported before user space had read the process (TT_REC_WRITE_EARLY), whose
 * process may be gone when they are read. The Go layout and the executable
 * come from the file on disk, found through the kernel's record of the first
 * write (struct tt_new_proc) and checked to be the very file that ran; the
 * goroutine is decoded from the g words the event carries, and frames from
 * their build-ids or the executable's load address.
 */
#ifndef TTYTOP_EARLY_H
#define TTYTOP_EARLY_H

#include <linux/types.h>

#include <stdbool.h>
#include <stdint.h>

#include "../bpf/ttytop.h"
#include "buildid.h"
#include "model.h"
#include "symbolize.h"

#define TT_EARLY_PROCS 64 /* processes remembered; the oldest goes first */
#define TT_EARLY_PATH_LEN (TT_EXE_PARTS * TT_EXE_PART_LEN + 1)

struct tt_early_proc {
	uint32_t tgid;
	bool used;
	bool has_layout; /* off holds the Go layout */
	bool bias_known; /* the executable's load bias is known (exe_fd open) */
	uint64_t stamp;
	struct tt_go_proc off;
	int exe_fd;    /* the executable, -1 when not needed or not found */
	uint64_t bias; /* run-time address - link-time address in the executable */
	bool has_bid;  /* exe_bid holds the executable's GNU build-id */
	uint8_t exe_bid[TT_BUILD_ID_LEN];
	char exe_path[TT_EARLY_PATH_LEN];
};

#define TT_EARLY_STASH 32    /* records waiting for their event (other CPUs' records interleave) */
#define TT_EARLY_NS_HINTS 16 /* mount namespaces with a process known to live in them */

struct tt_ns_hint {
	uint64_t mnt_ns;
	uint32_t pid;
};

struct tt_early_tab {
	struct tt_early_proc p[TT_EARLY_PROCS];
	struct tt_early_rec stash[TT_EARLY_STASH];
	bool stash_used[TT_EARLY_STASH];
	int stash_next;
	struct tt_ns_hint ns_hint[TT_EARLY_NS_HINTS];
	uint64_t clock;
	uint64_t fixed_goids, fixed_frames; /* attributions made here (-v prints them) */
};

void tt_early_init(struct tt_early_tab *t);
void tt_early_free(struct tt_early_tab *t);
/*
 * A new writer as user space saw it: go is the result of tt_goinfo_for_pid
 * (1 Go with layout, 0 not Go, < 0 not read: the executable tells). Its
 * executable is found and kept for the frames its maps may not name.
 */
void tt_early_proc(struct tt_early_tab *t, const struct tt_new_proc *r, int go,
                   const struct tt_go_proc *layout);
/* Keep a TT_REC_EARLY record until its event arrives. */
void tt_early_stash(struct tt_early_tab *t, const struct tt_early_rec *r);
/* The record of the write (tid, start_ns), taken out of the stash; NULL when none. */
const struct tt_early *tt_early_take(struct tt_early_tab *t, uint32_t tid, uint64_t start_ns);
/* Fill what the normal path left out of ev (goid, unnamed user frames) from x. */
void tt_early_event(struct tt_early_tab *t, struct tt_symbolizer *sym, const struct tt_event *e,
                    const struct tt_early *x, struct tt_model_event *ev);

/* Parts of the kernel's path walk (leaf first) as a path; false when incomplete. */
bool tt_early_exe_path(const struct tt_new_proc *r, char *out, size_t len);
/* The goroutine from an event's g words under layout o, or -1; sets TT_EV_GOID* in *flags. */
int64_t tt_early_goid(const struct tt_go_proc *o, const struct tt_early *x, uint32_t *flags);

#endif
