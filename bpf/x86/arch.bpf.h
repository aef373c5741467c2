/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86-64 behind the kernel-side arch seam: found through -Ibpf/x86, as
 * vmlinux.h is, so bpf/ttytop.bpf.c names no architecture. The user-space
 * half of the seam is src/arch_x86.c. Kernel-version quirks stay in
 * core_fixes.bpf.h.
 */
#ifndef TTYTOP_ARCH_BPF_H
#define TTYTOP_ARCH_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "ttytop.h"

/* The event flag that says the g register agreed with the TLS g. */
#define TT_EV_GOID_GREG TT_EV_GOID_R14

/* The architecture's number of a write syscall, as the user registers hold it. */
static __always_inline long syscall_nr(__u8 sys)
{
	switch (sys) { /* arch/x86/entry/syscalls/syscall_64.tbl */
	case TT_SYS_WRITE:
		return 1;
	case TT_SYS_PWRITE64:
		return 18;
	case TT_SYS_WRITEV:
		return 20;
	case TT_SYS_PWRITEV:
		return 296;
	default:
		return 328; /* pwritev2 */
	}
}

#define TT_TS_COMPAT 0x0002 /* arch/x86/include/asm/thread_info.h */

/* A system call of the native ABI: ia32 callers have numbers of their own. */
static __always_inline bool native_syscall(struct pt_regs *regs)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();

	(void)regs;
	return !(BPF_CORE_READ(t, thread_info.status) & TT_TS_COMPAT);
}

/* The number of the system call the user registers were saved for. */
static __always_inline long regs_syscall_nr(struct pt_regs *regs)
{
	return BPF_CORE_READ(regs, orig_ax);
}

/*
 * Before bpf_task_pt_regs (5.15) the user registers are where task_pt_regs()
 * says: at the top of the task's kernel stack, THREAD_SIZE (16 KiB; 32 KiB
 * under KASAN) above task->stack. The guess is proven, not trusted: in a
 * write syscall the saved orig_ax is that syscall's number, so a layout that
 * disagrees is refused. Returns a kernel pointer for BPF_CORE_READ, or NULL.
 */
#define TT_THREAD_ORDER_MIN 14 /* log2 THREAD_SIZE: 16 KiB */
#define TT_THREAD_ORDER_MAX 15 /* 32 KiB, KASAN */

static __always_inline struct pt_regs *regs_on_stack(struct task_struct *task, long sysnr)
{
	__u64 stack = (__u64)BPF_CORE_READ(task, stack);
	__u64 sz = bpf_core_type_size(struct pt_regs);

#pragma unroll
	for (int order = TT_THREAD_ORDER_MIN; order <= TT_THREAD_ORDER_MAX; order++) {
		struct pt_regs *r = (void *)(stack + (1ull << order) - sz);

		if (stack && BPF_CORE_READ(r, orig_ax) == sysnr)
			return r;
	}
	return NULL;
}

/* The user thread pointer TLS hangs off: FS's base, saved by the kernel. */
static __always_inline __u64 thread_pointer(struct task_struct *task)
{
	return BPF_CORE_READ(task, thread.fsbase);
}

/*
 * Go's ABIInternal (1.17+) register for g. Go code holds g there, but ABI0
 * assembly and C (cgo) frames use R14 freely: a cross-check only.
 */
static __always_inline __u64 g_register(struct pt_regs *regs)
{
	return BPF_CORE_READ(regs, r14);
}

/*
 * The first integer argument of a Go ABIInternal (1.17+) function at its
 * entry: RAX (cmd/compile/abi-internal.md, amd64 integer registers RAX, RBX,
 * RCX, RDI, RSI, R8-R11). regs are the user registers of a uprobe.
 */
static __always_inline __u64 go_arg1(struct pt_regs *regs)
{
	return BPF_CORE_READ(regs, ax);
}

/*
 * The return address into the caller of a frameless syscall wrapper, which
 * the frame-pointer walk skips: the CALL left it at the top of the stack.
 * 0 on success.
 */
static __always_inline long frame1_ret(struct pt_regs *regs, __u64 *ret)
{
	return bpf_probe_read_user(ret, sizeof(*ret), (void *)PT_REGS_SP_CORE(regs));
}

#endif
