/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Whether writes can be timed at the tty layer (fentry/fexit on tty_write)
 * instead of on the write syscalls, which every write on the machine pays
 * for. Proven by attaching a do-nothing program: many kernels refuse it
 * (lockdown, no ftrace direct calls, an architecture without trampolines).
 */
#ifndef TTYTOP_PROBE_FENTRY_H
#define TTYTOP_PROBE_FENTRY_H

#include <stdbool.h>

struct btf;

/*
 * True when the tty-layer programs can run here: tty_write(struct kiocb *,
 * struct iov_iter *) (5.11+) in vmlinux's BTF, bpf_task_pt_regs (have_regs)
 * and a test fentry program attached to it, on a kernel that is not
 * PREEMPT_RT (preempt_rt: see probe_fentry.c). Otherwise *why says what is
 * missing. TTYTOP_FENTRY=0 turns it off; with TTYTOP_FENTRY=1 a missing piece
 * is an error for the caller (*forced is set).
 */
bool tt_probe_fentry(const struct btf *vmlinux, bool have_regs, bool preempt_rt, const char **why,
                     bool *forced);

#endif
