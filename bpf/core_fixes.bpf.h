/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel quirks, one small accessor each, named after the change behind it
 * (the libbpf-tools core_fixes.bpf.h way). vmlinux.h is the newest layout;
 * every older one is a local ___flavour struct that CO-RE matches by name,
 * and each accessor branches on bpf_core_field_exists() so that, once libbpf
 * has relocated the program, the verifier only ever sees the branch that fits
 * the running kernel (the other one is dead code with poisoned relocations).
 *
 * Checked against the BTF of Debian's 5.10, 6.1, 6.1-rt, 6.12 and 6.12-rt
 * kernels and the 6.18 host (tests/vm boots them all).
 *
 * `fast` is the entry-program flavour: true means the pointer came through
 * bpf_rdonly_cast() and may be dereferenced directly; false means every read
 * goes through bpf_probe_read_kernel(). It is a constant in every caller.
 */
#ifndef TTYTOP_CORE_FIXES_BPF_H
#define TTYTOP_CORE_FIXES_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>

#include "arch.bpf.h"

#define RD(fast, p, field) ((fast) ? (p)->field : BPF_CORE_READ(p, field))

/*
 * Syscall tracepoint records are the kernel's struct syscall_trace_enter and
 * syscall_trace_exit (trace_entry, int nr, then the arguments or ret), not the
 * trace_event_raw_sys_enter/exit that BTF also describes with a `long id`.
 * They agree only while trace_entry is 8 bytes: PREEMPT_RT 6.1 adds
 * preempt_lazy_count to it, and CO-RE on the raw_sys_* types then reads the
 * arguments 8 bytes too far (the kernel refuses to attach: EACCES). The
 * programs take the real record types, which CO-RE places right everywhere.
 */

/*
 * Linux 6.15 ("tty: convert TTY_DRIVER_TYPE_* to an enum") turned
 * tty_driver.type/subtype from short into 4-byte enums and renumbered type
 * from 0 (SYSTEM=0 CONSOLE=1 SERIAL=2 PTY=3; before SYSTEM=1 .. PTY=4).
 * Subtypes kept their values. Returns the pre-6.15 numbering on every kernel:
 * the TT_DRV_TYPE_* below (vmlinux.h may carry either set of TTY_DRIVER_TYPE_*).
 */
#define TT_DRV_TYPE_CONSOLE 2
#define TT_DRV_TYPE_SERIAL 3
#define TT_DRV_TYPE_PTY 4
#define TT_PTY_TYPE_MASTER 1 /* subtype of a PTY driver */

struct tty_driver___pre615 {
	short type;
	short subtype;
} __attribute__((preserve_access_index));

/*
 * The 6.15 form, spelled here rather than taken from vmlinux.h: CO-RE matches an
 * enum field only to an enum (of the same name), never to a short, so this
 * flavour exists exactly on 6.15+ whichever kernel a vmlinux.h came from
 * (bpf/x86's is 6.18, with the enums; bpf/arm64's is 6.12, with the shorts).
 */
enum tty_driver_type___v615 { TTY_DRIVER_TYPE_SYSTEM___v615 };
enum tty_driver_subtype___v615 { SYSTEM_TYPE_TTY___v615 };
struct tty_driver___v615 {
	enum tty_driver_type___v615 type;
	enum tty_driver_subtype___v615 subtype;
} __attribute__((preserve_access_index));

static __always_inline void tty_driver_type(struct tty_driver *drv, bool fast, int *type,
                                            int *subtype)
{
	struct tty_driver___v615 *n = (void *)drv;

	if (bpf_core_field_exists(n->type)) {
		*type = (int)RD(fast, n, type) + 1; /* 6.15 counts from 0 */
		*subtype = RD(fast, n, subtype);
	} else {
		struct tty_driver___pre615 *o = (void *)drv;

		*type = RD(fast, o, type);
		*subtype = RD(fast, o, subtype);
	}
}

/*
 * The tty cleanups of ~5.14 moved stopped/tco_stopped into tty_struct.flow as
 * bools; before, they were bitfields `stopped:1, flow_stopped:1` directly in
 * tty_struct (seen: 5.10 has the bitfields, 6.1 the struct).
 */
struct tty_struct___pre514 {
	unsigned long stopped : 1;
	unsigned long flow_stopped : 1;
} __attribute__((preserve_access_index));

static __always_inline bool tty_output_stopped(struct tty_struct *tty, bool fast, bool *tco)
{
	if (bpf_core_field_exists(tty->flow)) {
		*tco = RD(fast, tty, flow.tco_stopped);
		return RD(fast, tty, flow.stopped);
	} else {
		struct tty_struct___pre514 *o = (void *)tty;

		/* probe reads suit both flavours; bitfields cannot be loaded directly */
		*tco = BPF_CORE_READ_BITFIELD_PROBED(o, flow_stopped);
		return BPF_CORE_READ_BITFIELD_PROBED(o, stopped);
	}
}

/*
 * PREEMPT_RT builds struct mutex on an rt_mutex ("locking/rtmutex: Add mutex
 * variant for RT", 5.15): the owner is rtmutex.owner, a task pointer whose
 * bit 0 flags waiters; elsewhere it is owner.counter with three flag bits.
 * Returns the owning task, or 0.
 */
struct mutex___rt {
	struct rt_mutex_base rtmutex;
} __attribute__((preserve_access_index));

#define TT_MUTEX_FLAGS 0x07ull       /* kernel/locking/mutex.c MUTEX_FLAGS */
#define TT_RT_MUTEX_HAS_WAITERS 1ull /* kernel/locking/rtmutex.c */

static __always_inline __u64 mutex_owner(struct mutex *m)
{
	if (bpf_core_field_exists(m->owner))
		return BPF_CORE_READ(m, owner.counter) & ~TT_MUTEX_FLAGS;
	else {
		struct mutex___rt *rt = (void *)m;

		return (__u64)BPF_CORE_READ(rt, rtmutex.owner) & ~TT_RT_MUTEX_HAS_WAITERS;
	}
}

/*
 * Linux 5.14 ("sched: Change task_struct::state") renamed task_struct.state
 * (volatile long) to __state (unsigned int). Only read where the sched_switch
 * tracepoint has no prev_state argument (before 5.18).
 */
struct task_struct___pre514 {
	volatile long state;
} __attribute__((preserve_access_index));

static __always_inline __u64 task_state(struct task_struct *t)
{
	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	else {
		struct task_struct___pre514 *o = (void *)t;

		return BPF_CORE_READ(o, state);
	}
}

/*
 * Linux 6.10 ("serial: core: use a kfifo for the transmit buffer") replaced
 * uart_state.xmit (a circ_buf of UART_XMIT_SIZE = PAGE_SIZE bytes) with the
 * tty_port's xmit_fifo. tty_port had an xmit_fifo before too (used by a few
 * non-uart drivers), so the test is whether uart_state still has xmit.
 * Only serial_core ttys have a uart_state, as driver_data with the tty_port
 * as its first member: driver_data == port says this is one (USB serial
 * keeps a usb_serial_port there, whose tty_port is not first).
 */
struct circ_buf___pre610 {
	char *buf;
	int head;
	int tail;
} __attribute__((preserve_access_index));

struct uart_state___pre610 {
	struct tty_port port;
	struct circ_buf___pre610 xmit;
} __attribute__((preserve_access_index));

#define TT_UART_XMIT_SIZE 4096 /* PAGE_SIZE on every kernel the matrix runs (x86, arm64 4K) */

static __always_inline void serial_backlog(struct tty_struct *tty, bool fast, __u32 *used,
                                           __u32 *limit)
{
	struct tty_port *port = RD(fast, tty, port);

	if (!port)
		return;
	if (bpf_core_field_exists(struct uart_state___pre610, xmit)) {
		struct uart_state___pre610 *us = (void *)RD(fast, tty, driver_data);
		int head, tail;

		if ((void *)us != (void *)port ||
		    bpf_core_field_offset(struct uart_state___pre610, port) != 0)
			return;
		/* probe reads suit both flavours: no cast to a local struct needed */
		head = BPF_CORE_READ(us, xmit.head);
		tail = BPF_CORE_READ(us, xmit.tail);
		*used = (head - tail) & (TT_UART_XMIT_SIZE - 1);
		*limit = TT_UART_XMIT_SIZE;
	} else if (bpf_core_field_exists(port->xmit_fifo)) {
		*used = RD(fast, port, xmit_fifo.kfifo.in) - RD(fast, port, xmit_fifo.kfifo.out);
		*limit = RD(fast, port, xmit_fifo.kfifo.mask) + 1;
	}
}

/*
 * The user registers saved at syscall entry. bpf_task_pt_regs() came in 5.15;
 * before it, each architecture finds them on the task's kernel stack, checked
 * against the syscall number (regs_on_stack, bpf/<arch>/arch.bpf.h).
 * Returns a kernel pointer for BPF_CORE_READ, or NULL.
 */
static __always_inline struct pt_regs *user_regs(struct task_struct *task, long sysnr)
{
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_task_pt_regs))
		return (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	return regs_on_stack(task, sysnr);
}

#endif
