// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What this kernel offers, found at run time: the choice of programs depends
 * on it, and `ttytop --check` prints it so an on-call engineer can tell at a
 * glance why ttytop will or will not run on a device.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "collector.h"
#include "probe_fentry.h"

#include "arch.h"

static bool path_exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0;
}

/* libbpf finds tracepoint ids through tracefs; mount it where it is missing. */
static bool ensure_tracefs(bool *mounted_by_us)
{
	*mounted_by_us = false;
	if (path_exists("/sys/kernel/tracing/events/syscalls") ||
	    path_exists("/sys/kernel/debug/tracing/events/syscalls"))
		return true;
	if (mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) == 0) {
		*mounted_by_us = true;
		return path_exists("/sys/kernel/tracing/events/syscalls");
	}
	return false;
}

static bool btf_has(const struct btf *btf, const char *name, int kind)
{
	return btf && btf__find_by_name_kind(btf, name, kind) > 0;
}

/* Does the kernel's struct (or enum) `type` have a member (or value) called `part`? */
static bool btf_has_part(const struct btf *btf, int kind, const char *type, const char *part)
{
	int id = btf__find_by_name_kind(btf, type, kind);
	const struct btf_type *t = id > 0 ? btf__type_by_id(btf, id) : NULL;

	for (int i = 0; t && i < btf_vlen(t); i++) {
		__u32 off = kind == BTF_KIND_ENUM ? btf_enum(t)[i].name_off : btf_members(t)[i].name_off;

		if (!strcmp(btf__name_by_offset(btf, off), part))
			return true;
	}
	return false;
}

/* Arguments of a tp_btf tracepoint, from its btf_trace_NAME typedef; -1 if absent. */
static int btf_tp_args(const struct btf *btf, const char *tp)
{
	char name[96];
	const struct btf_type *t;
	int id;

	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
	if (id <= 0)
		return -1;
	t = btf__type_by_id(btf, btf__resolve_type(btf, id)); /* the pointer's target */
	if (!t || !btf_is_ptr(t))
		return -1;
	t = btf__type_by_id(btf, t->type);
	/* the first parameter is the tracepoint's void *data, not an argument */
	return t && btf_is_func_proto(t) ? btf_vlen(t) - 1 : -1;
}

/*
 * The raw sys_enter/sys_exit hooks on PREEMPT_RT, where the per-syscall
 * tracepoints skip programs while another task's BPF map call is preempted
 * (bpf/ttytop.bpf.c, enter_raw). TTYTOP_RAW_SYSCALLS=1 or 0 decides instead,
 * so tests run both sets on any kernel.
 */
static bool raw_syscalls_wanted(bool preempt_rt)
{
	const char *e = getenv("TTYTOP_RAW_SYSCALLS");

	if (e && (!strcmp(e, "0") || !strcmp(e, "1")))
		return e[0] == '1';
	return preempt_rt;
}

/* Everything the kernel's own BTF says about it; 0, or -ENOTSUP without BTF. */
static int probe_btf(struct tt_probe_report *rep, char *err, size_t errlen)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	bool forced;

	rep->btf = vmlinux != NULL;
	if (!rep->btf) {
		snprintf(err, errlen,
			 "this kernel has no BTF (/sys/kernel/btf/vmlinux): ttytop needs "
			 "CONFIG_DEBUG_INFO_BTF=y");
		return -ENOTSUP;
	}
	/* TTYTOP_NO_RDONLY_CAST=1 forces the fallback flavour, so tests cover it too */
	rep->rdonly_cast = btf_has(vmlinux, "bpf_rdonly_cast", BTF_KIND_FUNC) &&
			   !getenv("TTYTOP_NO_RDONLY_CAST");
	/* tp_btf needs the raw tracepoint's BTF type, present since 5.5 */
	rep->tp_btf = btf_has(vmlinux, "btf_trace_sched_switch", BTF_KIND_TYPEDEF);
	/* 5.18 appended prev_state to sched_switch; before, the task's state is read */
	rep->sched_prev_state = btf_tp_args(vmlinux, "sched_switch") >= 4;
	/* 5.15: the user registers of a task (g register, frame-1 return address) */
	rep->task_pt_regs =
		btf_has_part(vmlinux, BTF_KIND_ENUM, "bpf_func_id", "BPF_FUNC_task_pt_regs");
	rep->preempt_rt = btf_has_part(vmlinux, BTF_KIND_STRUCT, "mutex", "rtmutex");
	rep->fentry = tt_probe_fentry(vmlinux, rep->task_pt_regs, rep->preempt_rt, &rep->fentry_why,
	                              &forced);
	if (forced && !rep->fentry) {
		snprintf(err, errlen, "TTYTOP_FENTRY=1, but writes cannot be timed in tty_write: %s",
			 rep->fentry_why);
		btf__free(vmlinux);
		return -ENOTSUP;
	}
	rep->raw_syscalls = raw_syscalls_wanted(rep->preempt_rt);
	rep->uart_circ_buf = btf_has_part(vmlinux, BTF_KIND_STRUCT, "uart_state", "xmit");
	btf__free(vmlinux);
	return 0;
}

void tt_probe_lost(struct tt_probe_report *rep)
{
	rep->lost = (rep->task_pt_regs || rep->regs_on_stack
			 ? 0
			 : 1u << TT_LOST_R14_CHECK | 1u << TT_LOST_FRAME1) |
		    (rep->irq_detect ? 0 : 1u << TT_LOST_IRQ_WAKER) |
		    (rep->redirected_tty_write && !rep->fentry ? 0 : 1u << TT_LOST_CONSOLE_REDIRECT) |
		    (rep->fentry ? 1u << TT_LOST_REFUSED_WRITES : 0);
}

int tt_collector_probe(struct tt_probe_report *rep, char *err, size_t errlen)
{
	int ret;

	memset(rep, 0, sizeof(*rep));
	rep->root = geteuid() == 0;
	if (!rep->root) {
		snprintf(err, errlen,
			 "needs root (CAP_BPF, CAP_PERFMON and kernel symbol access) to trace "
			 "terminal writes; run it with sudo, or use --replay FILE");
		return -EPERM;
	}
	ret = probe_btf(rep, err, errlen);
	if (ret)
		return ret;
	/* events reach user space through a BPF ring buffer (5.8) */
	rep->ringbuf = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) > 0;
	if (!rep->ringbuf) {
		snprintf(err, errlen,
			 "this kernel has no BPF ring buffer (BPF_MAP_TYPE_RINGBUF, Linux 5.8+)");
		return -ENOTSUP;
	}
	rep->tracefs = ensure_tracefs(&rep->tracefs_mounted_by_us);
	rep->syscall_tps = path_exists("/sys/kernel/tracing/events/syscalls/sys_enter_write") ||
			   path_exists("/sys/kernel/debug/tracing/events/syscalls/sys_enter_write");
	if (!rep->tracefs || !rep->syscall_tps) {
		snprintf(err, errlen,
			 "syscall tracepoints are not available (tracefs missing or "
			 "CONFIG_FTRACE_SYSCALLS=n)");
		return -ENOTSUP;
	}
	/* the architecture may find the registers on the kernel stack instead (arch.bpf.h) */
	rep->regs_on_stack = !rep->task_pt_regs && tt_arch_regs_on_stack;
	if (!rep->tp_btf) {
		snprintf(err, errlen, "this kernel lacks BTF tracepoints (tp_btf, Linux 5.5+)");
		return -ENOTSUP;
	}
	return 0;
}

static const char *yes(bool b)
{
	return b ? "yes" : "no";
}

void tt_probe_report_print(const struct tt_probe_report *r, FILE *f)
{
	fprintf(f, "architecture:           %s\n", tt_arch_name);
	fprintf(f, "root:                   %s\n", yes(r->root));
	fprintf(f, "kernel BTF:             %s\n", yes(r->btf));
	if (r->btf)
		fprintf(f, "BPF ring buffer:        %s\n", yes(r->ringbuf));
	fprintf(f, "tracefs:                %s%s\n", yes(r->tracefs),
		r->tracefs_mounted_by_us ? " (mounted by ttytop)" : "");
	fprintf(f, "syscall tracepoints:    %s (write, writev, pwrite64, pwritev, pwritev2)\n",
		yes(r->syscall_tps));
	if (r->btf && r->fentry)
		fprintf(f, "syscall hooks:          none: fentry/fexit on tty_write (only terminal "
			   "writes run ttytop's programs)\n");
	else if (r->btf)
		fprintf(f, "syscall hooks:          %s\n",
			r->raw_syscalls
			    ? "raw sys_enter/sys_exit: on PREEMPT_RT the per-syscall tracepoints skip "
			      "writes while a BPF map call is preempted (every syscall pays the check)"
			    : "per-syscall tracepoints (other syscalls pay nothing)");
	fprintf(f, "tty_write:              %#llx\n", r->tty_write);
	fprintf(f, "redirected_tty_write:   %#llx%s\n", r->redirected_tty_write,
		r->redirected_tty_write ? "" : " (absent: /dev/console redirection not seen)");
	fprintf(f, "entry programs:         %s\n",
		r->rdonly_cast ? "rdonly_cast (bpf_rdonly_cast kfunc: BTF loads, fastest)"
			       : "probe_read (no bpf_rdonly_cast, or TTYTOP_NO_RDONLY_CAST set)");
	fprintf(f, "scheduler hooks:        %s\n",
		!r->tp_btf ? "unavailable"
		: r->sched_prev_state
		    ? "tp_btf sched_switch + sched_waking"
		    : "tp_btf sched_switch (3 arguments: state read from the task, before 5.18) "
		      "+ sched_waking");
	if (r->tty_slots)
		fprintf(f, "terminal table:         %u slots + others, preallocated (%.1f MiB, "
			"shared by all CPUs)\n",
			r->tty_slots, (r->tty_slots + 1) * (double)sizeof(struct tt_tty_slot) / (1 << 20));
	fprintf(f, "write lock:             %s\n",
		r->preempt_rt ? "rt_mutex owner (PREEMPT_RT)" : "mutex owner");
	fprintf(f, "serial backlog:         %s\n",
		r->uart_circ_buf ? "uart_state.xmit (circ_buf, before 6.10)" : "tty_port.xmit_fifo");
	if (r->task_pt_regs)
		fprintf(f, "user registers:         bpf_task_pt_regs\n");
	else if (r->regs_on_stack)
		fprintf(f, "user registers:         top of the kernel stack, %s "
			   "(no bpf_task_pt_regs before 5.15)\n",
			tt_arch_regs_on_stack_how);
	else
		fprintf(f, "user registers:         unavailable (no bpf_task_pt_regs before 5.15)\n");
	fprintf(f, "irq waker detection:    %s\n",
		!r->irq_detect ? "unavailable: interrupt wake-ups are blamed on the interrupted task"
		: r->irq_threads
		    ? "waker stack vs interrupt entry text, threaded handlers and softirq threads"
		    : "waker stack vs interrupt entry text");
	if (r->btf && !r->fentry)
		fprintf(f, "tty-layer hooks:        not used: %s\n", r->fentry_why);
	fprintf(f, "probes not used:        kprobes (not needed; refused on many locked-down "
		   "kernels)\n");
	if (!r->btf || !r->ringbuf || !r->tracefs || !r->syscall_tps || !r->tty_write)
		return; /* what is lost only means something once ttytop can run */
	if (!r->lost)
		fprintf(f, "lost on this kernel:    nothing\n");
	for (int i = 0; i < TT_LOST_NR; i++)
		if (r->lost & 1u << i)
			fprintf(f, "lost on this kernel:    %s: %s\n", tt_lost_name(i), tt_lost_help(i));
}
