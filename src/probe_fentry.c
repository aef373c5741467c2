// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Can writes be timed inside tty_write? (probe_fentry.h says why it matters.) */
#include "probe_fentry.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>

/* tty_write's id when it takes (struct kiocb *, struct iov_iter *); else 0 */
static int tty_write_iocb(const struct btf *btf)
{
	int id = btf__find_by_name_kind(btf, "tty_write", BTF_KIND_FUNC);
	const struct btf_type *fn, *proto, *ptr, *st;
	const struct btf_param *p;

	if (id <= 0 || !(fn = btf__type_by_id(btf, id)) ||
	    !(proto = btf__type_by_id(btf, fn->type)))
		return 0;
	if (!btf_is_func_proto(proto) || btf_vlen(proto) != 2)
		return 0; /* before 5.11: (file, buf, count, ppos) */
	p = btf_params(proto);
	ptr = btf__type_by_id(btf, p[0].type);
	if (!ptr || !btf_is_ptr(ptr))
		return 0;
	st = btf__type_by_id(btf, ptr->type);
	return st && btf_is_struct(st) && !strcmp(btf__name_by_offset(btf, st->name_off), "kiocb")
	           ? id
	           : 0;
}

/* Load "return 0" as fentry on tty_write and attach it: the kernel's own answer. */
static int attach_test(int btf_id)
{
	const struct bpf_insn insns[] = {
	    {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
	    {.code = BPF_JMP | BPF_EXIT},
	};
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = BPF_TRACE_FENTRY,
	            .attach_btf_id = (__u32)btf_id);
	int prog, link;

	prog = bpf_prog_load(BPF_PROG_TYPE_TRACING, "tt_fentry_probe", "GPL", insns, 2, &o);
	if (prog < 0)
		return -errno;
	link = bpf_raw_tracepoint_open(NULL, prog);
	link = link < 0 ? -errno : (close(link), 0);
	close(prog);
	return link;
}

bool tt_probe_fentry(const struct btf *vmlinux, bool have_regs, bool preempt_rt, const char **why,
                     bool *forced)
{
	const char *e = getenv("TTYTOP_FENTRY");
	int id, r;

	*forced = e && !strcmp(e, "1");
	if (e && !strcmp(e, "0")) {
		*why = "TTYTOP_FENTRY=0";
		return false;
	}
	/*
	 * PREEMPT_RT runs tracing programs with migration, not preemption,
	 * disabled: a writer preempted inside one makes the kernel skip the
	 * next writer's run on that CPU (recursion_misses), which lost 15% of
	 * the writes of 400 fresh ptys on Debian's 6.12-rt. Tracepoints keep
	 * preemption off, so the syscall hooks lose none there.
	 */
	if (preempt_rt && !*forced) {
		*why = "PREEMPT_RT (fentry runs preemptibly and the kernel skips runs)";
		return false;
	}
	if (!(id = tty_write_iocb(vmlinux))) {
		*why = "tty_write takes no kiocb here (before 5.11)";
		return false;
	}
	if (!have_regs) {
		*why = "no bpf_task_pt_regs (before 5.15)";
		return false;
	}
	r = attach_test(id);
	if (r == -EPERM || r == -EACCES)
		*why = "the kernel refuses fentry programs (EPERM: lockdown?)";
	else if (r)
		*why = "the kernel cannot attach fentry to tty_write";
	return r == 0;
}
