/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Who holds a pty's master open: the reader that a writer blocked on a full
 * pty is waiting for (the tmux server, sshd, a terminal emulator). Found in
 * /proc (a master's fdinfo names its pty: "tty-index:"), which costs a walk
 * of every process's descriptors, so answers are kept for a few seconds, one
 * walk serves every pty asked about, and the walks in between look only at
 * the processes that held masters at the last whole one (a master held by
 * none of them sends it back to every process).
 */
#ifndef TTYTOP_PTYREADERS_H
#define TTYTOP_PTYREADERS_H

#include <stdint.h>

#include "model.h"

#define TT_PTYREADERS_CACHE 64
#define TT_PTYREADERS_TTL_NS (5ull * 1000000000ull)
#define TT_PTYREADERS_MAX_FDS 200000 /* descriptors looked at per walk, at most */
#define TT_PTYREADERS_HOLDERS 256    /* processes holding pty masters, remembered */
#define TT_PTYREADERS_HOLDERS_TTL_NS (60ull * 1000000000ull)

struct tt_ptyreaders_entry {
	uint32_t index; /* pts/N */
	uint64_t at_ns; /* when found; 0 = empty */
	int n;          /* -1: /proc could not tell */
	struct tt_proc_ref r[TT_MODEL_MAX_READERS];
};

struct tt_ptyreaders {
	const char *proc; /* "/proc"; tests point it elsewhere */
	struct tt_ptyreaders_entry e[TT_PTYREADERS_CACHE];
	/* who held any pty master at the last walk of every process, and when */
	uint32_t holders[TT_PTYREADERS_HOLDERS];
	int nholders;
	uint64_t holders_at; /* 0 = never */
};

void tt_ptyreaders_init(struct tt_ptyreaders *pr, const char *proc);

/*
 * The holders of pts/index's master as of at most TT_PTYREADERS_TTL_NS ago:
 * walks /proc when the answer for any of want[0..nwant) is missing or old,
 * finding them all at once. Returns how many were copied to out (at most
 * max), or -1 when /proc could not tell.
 */
int tt_ptyreaders_get(struct tt_ptyreaders *pr, const uint32_t *want, int nwant, uint32_t index,
                      uint64_t now_ns, struct tt_proc_ref *out, int max);

/* Parse a /proc/PID/fdinfo/FD text: the pty index of a master, or -1. */
long tt_fdinfo_tty_index(const char *text, size_t len);

#endif
