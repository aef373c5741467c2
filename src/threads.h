/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The thread rows of a pane (pane.h) from /proc/PID/task, without stopping
 * anything: state and context switches (stat, status), what it sleeps in
 * (wchan, syscall), the kernel stack by name (stack), and the user stack
 * unwound from the registers /proc/TID/syscall gives while it sleeps in a
 * syscall, through its memory (memread.h). Every file read is the
 * kernel's, but the memory and the binaries are the target's: hostile.
 */
#ifndef TTYTOP_THREADS_H
#define TTYTOP_THREADS_H

#include <sys/types.h>

#include "memread.h"
#include "pane.h"

/*
 * Fill p->threads (p->nthreads kept, p->threads_total seen) of pid: every
 * field of struct tt_pane_thread but since_ns/since_exact (pane.c) and
 * goid (from the goroutine rows). Kernel frames are named here (interned,
 * module "kernel", addr 0); user frames carry raw addresses with name
 * UINT32_MAX (pane.c names them). 0, or -ESRCH when the process is gone.
 */
int tt_threads_read(struct tt_pane *p, pid_t pid, struct tt_mem *mem);

/* Drop the parsed unwind tables kept across reads (tests, leak checks). */
void tt_threads_cache_free(void);

#endif
