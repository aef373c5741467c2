/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm64 (AArch64) behind the kernel-side arch seam: found through
 * -Ibpf/arm64, as vmlinux.h is, so bpf/ttytop.bpf.c names no architecture.
 * The user-space half of the seam is src/arch_arm64.c. Kernel-version quirks
 * stay in core_fixes.bpf.h.
 */
#ifndef TTYTOP_ARCH_BPF_H
#define TTYTOP_ARCH_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "ttytop.h"

/* The event flag that says the g register agreed with the TLS g. */
#define TT_EV_GOID_GREG TT_EV_GOID_R28

/* The architecture's number of a write syscall, as the user registers hold it. */
static __always_inline long syscall_nr(__u8 sys)
{
	switch (sys) { /* include/uapi/asm-generic/unistd.h */
	case TT_SYS_WRITE:
		return 64;
	case TT_SYS_PWRITE64:
		return 68;
	case TT_SYS_WRITEV:
		return 66;
	case TT_SYS_PWRITEV:
		return 70;
	default:
		return 286; /* pwritev2 */
	}
}

#define TT_PSR_MODE32_BIT 0x10 /* arch/arm64/include/uapi/asm/ptrace.h */

/* A system call of the native ABI: AArch32 callers have numbers of their own. */
static __always_inline bool native_syscall(struct pt_regs *regs)
{
	return !(BPF_CORE_READ(regs, pstate) & TT_PSR_MODE32_BIT);
}

/* The number of the system call the user registers were saved for. */
static __always_inline long regs_syscall_nr(struct pt_regs *regs)
{
	return BPF_CORE_READ(regs, syscallno);
}

/*
 * Before bpf_task_pt_regs (5.15) the user registers are where task_pt_regs()
 * says: at the top of the task's kernel stack, THREAD_SIZE above task->stack
 * (16 KiB; 32 KiB under KASAN; 64 KiB with 64 KiB pages and VMAP_STACK). The
 * guess is proven, not trusted: in a write syscall the saved syscallno is that
 * syscall's number, so a layout that disagrees is refused. Returns a kernel
 * pointer for BPF_CORE_READ, or NULL.
 */
#define TT_THREAD_ORDER_MIN 14 /* log2 THREAD_SIZE: 16 KiB */
#define TT_THREAD_ORDER_MAX 16 /* 64 KiB pages with VMAP_STACK */

static __always_inline struct pt_regs *regs_on_stack(struct task_struct *task, long sysnr)
{
	__u64 stack = (__u64)BPF_CORE_READ(task, stack);
	__u64 sz = bpf_core_type_size(struct pt_regs);

#pragma unroll
	for (int order = TT_THREAD_ORDER_MIN; order <= TT_THREAD_ORDER_MAX; order++) {
		struct pt_regs *r = (void *)(stack + (1ull << order) - sz);

		if (stack && BPF_CORE_READ(r, syscallno) == sysnr)
			return r;
	}
	return NULL;
}

/*
 * The user thread pointer TLS hangs off: TPIDR_EL0 as the kernel saved it.
 * The kernel copies the register there when the task is switched out (and
 * sets it at clone with CLONE_SETTLS), so a thread that set TPIDR_EL0 itself
 * shows the new value only after its next switch: libc sets it once, at
 * thread start, long before any write of interest.
 */
static __always_inline __u64 thread_pointer(struct task_struct *task)
{
	return BPF_CORE_READ(task, thread.uw.tp_value);
}

/*
 * Go's register for g (REGG, R28). Unlike amd64's R14 it holds g in all Go
 * code, ABI0 assembly too, so without cgo it is the only source: such a
 * program never writes its TLS slot (runtime.save_g tests runtime.iscgo) and
 * never sets TPIDR_EL0. C frames (cgo) may hold anything in it.
 */
static __always_inline __u64 g_register(struct pt_regs *regs)
{
	return BPF_CORE_READ(regs, regs[28]);
}

/*
 * The first integer argument of a Go ABIInternal (1.17+) function at its
 * entry: R0 (cmd/compile/abi-internal.md, arm64 integer registers R0-R15).
 * regs are the user registers of a uprobe.
 */
static __always_inline __u64 go_arg1(struct pt_regs *regs)
{
	return BPF_CORE_READ(regs, regs[0]);
}

/*
 * The return address into the caller of a frameless syscall wrapper, which
 * the frame-record walk skips: BL left it in the link register, which a
 * function without a frame does not save. 0 on success.
 */
static __always_inline long frame1_ret(struct pt_regs *regs, __u64 *ret)
{
	*ret = BPF_CORE_READ(regs, regs[30]);
	return *ret ? 0 : -1;
}

#endif
