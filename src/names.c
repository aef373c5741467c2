/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Names of the ABI enums as they appear in the UI and in ttytop/1 JSON, and
 * the kernel-tty-name -> display-name mapping. The strings here are part of
 * the JSON contract (docs/json.md): renaming one is a schema change.
 */
#include <stdio.h>
#include <string.h>

#include "model.h"

static const char *const class_names[TT_CLASS_NR] = {
    [TT_CLASS_OTHER] = "other",           [TT_CLASS_PTY] = "pty",
    [TT_CLASS_PTY_MASTER] = "pty-master", [TT_CLASS_CONSOLE] = "console",
    [TT_CLASS_SERIAL] = "serial",
};

static const char *const reason_names[TT_REASON_NR] = {
    [TT_REASON_NONE] = "none",
    [TT_REASON_BUFFER_FULL] = "buffer-full",
    [TT_REASON_WRITE_LOCK] = "write-lock",
    [TT_REASON_FLOW_STOPPED] = "flow-stopped",
    [TT_REASON_OTHER] = "other",
};

static const char *const syscall_names[TT_SYS_NR] = {
    [TT_SYS_WRITE] = "write",     [TT_SYS_WRITEV] = "writev",     [TT_SYS_PWRITE64] = "pwrite64",
    [TT_SYS_PWRITEV] = "pwritev", [TT_SYS_PWRITEV2] = "pwritev2",
};

static const char *const wstate_names[TT_W_NR] = {
    [TT_W_RUNNING] = "running", [TT_W_BLOCKED] = "blocked", [TT_W_RUNNABLE] = "runnable",
};

static const char *const drop_names[TT_DROP_NR] = {
    [TT_DROP_RINGBUF_FULL] = "ringbuf_full",     [TT_DROP_RATELIMIT] = "ratelimit",
    [TT_DROP_INFLIGHT_FULL] = "inflight_full",   [TT_DROP_KSTACK_FULL] = "kstack_full",
    [TT_DROP_TTY_TABLE_FULL] = "tty_table_full", [TT_DROP_WRITERS_FULL] = "writers_full",
};

static const char *const errslot_names[TT_ERR_NR] = {
    [TT_ERR_EAGAIN] = "EAGAIN", [TT_ERR_EIO] = "EIO",
    [TT_ERR_EINTR] = "EINTR",   [TT_ERR_ERESTARTSYS] = "ERESTARTSYS",
    [TT_ERR_ENOSPC] = "ENOSPC", [TT_ERR_EPIPE] = "EPIPE",
    [TT_ERR_OTHER] = "other",
};

static const char *const lost_names[TT_LOST_NR] = {
    [TT_LOST_R14_CHECK] = "r14-check",
    [TT_LOST_FRAME1] = "frame-1",
    [TT_LOST_IRQ_WAKER] = "irq-waker",
    [TT_LOST_CONSOLE_REDIRECT] = "console-redirect",
    [TT_LOST_INFLIGHT_NOW] = "inflight-now",
    [TT_LOST_REFUSED_WRITES] = "refused-writes",
};

static const char *const lost_help[TT_LOST_NR] = {
    [TT_LOST_R14_CHECK] = "goroutine IDs come from TLS alone, without the R14 cross-check "
			  "(no bpf_task_pt_regs before 5.15, none found on the stack)",
    [TT_LOST_FRAME1] = "user stacks miss the caller of the frameless syscall wrapper "
		       "(no bpf_task_pt_regs before 5.15, none found on the stack)",
    [TT_LOST_IRQ_WAKER] = "interrupt wake-ups are blamed on the interrupted task "
			  "(no __irqentry_text in kallsyms)",
    [TT_LOST_CONSOLE_REDIRECT] = "writes through /dev/console redirection (TIOCCONS) are not "
				 "seen (no redirected_tty_write in kallsyms, or writes timed "
				 "inside tty_write)",
    [TT_LOST_INFLIGHT_NOW] = "writes in flight show the terminal's backlog at their entry and "
			     "no write-lock holder (BPF_PROG_TEST_RUN of raw tracepoint "
			     "programs refused)",
    [TT_LOST_REFUSED_WRITES] = "write calls refused before they reach the terminal (a "
			       "positioned write's ESPIPE, a bad buffer) are not counted: writes "
			       "are timed inside tty_write (TTYTOP_FENTRY=0 times the syscalls)",
};

/* Enum values arrive from the kernel and from files: never index blindly. */
const char *tt_class_name(enum tt_class c)
{
	return (unsigned)c < TT_CLASS_NR ? class_names[c] : "other";
}

static int lookup(const char *const *names, int n, const char *s)
{
	if (!s)
		return -1;
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

int tt_class_from_name(const char *s)
{
	return lookup(class_names, TT_CLASS_NR, s);
}

const char *tt_reason_name(enum tt_reason r)
{
	return (unsigned)r < TT_REASON_NR ? reason_names[r] : "other";
}

int tt_reason_from_name(const char *s)
{
	return lookup(reason_names, TT_REASON_NR, s);
}

const char *tt_syscall_name(enum tt_syscall s)
{
	return (unsigned)s < TT_SYS_NR ? syscall_names[s] : "write";
}

const char *tt_wstate_name(enum tt_wstate s)
{
	return (unsigned)s < TT_W_NR ? wstate_names[s] : "running";
}

int tt_wstate_from_name(const char *s)
{
	return lookup(wstate_names, TT_W_NR, s);
}

static const char *const kind_names[TT_KIND_NR] = {"slow-write", "late-tick"};
/* TT_CAUSE_NONE has no word: an event that is not a late tick has no cause */
static const char *const cause_names[TT_CAUSE_NR] = {"", "terminal-blocked", "gc-stw",
                                                     "run-queue", "app"};

const char *tt_kind_name(enum tt_ev_kind k)
{
	return (unsigned)k < TT_KIND_NR ? kind_names[k] : "slow-write";
}

int tt_kind_from_name(const char *s)
{
	return lookup(kind_names, TT_KIND_NR, s);
}

const char *tt_cause_name(enum tt_cause c)
{
	return (unsigned)c < TT_CAUSE_NR ? cause_names[c] : "";
}

int tt_cause_from_name(const char *s)
{
	int i = s && *s ? lookup(cause_names, TT_CAUSE_NR, s) : -1;

	return i > 0 ? i : -1;
}

const char *tt_drop_name(enum tt_drop d)
{
	return (unsigned)d < TT_DROP_NR ? drop_names[d] : "unknown";
}

const char *tt_errslot_name(enum tt_errslot e)
{
	return (unsigned)e < TT_ERR_NR ? errslot_names[e] : "other";
}

const char *tt_lost_name(enum tt_lost l)
{
	return (unsigned)l < TT_LOST_NR ? lost_names[l] : "unknown";
}

int tt_lost_from_name(const char *s)
{
	return lookup(lost_names, TT_LOST_NR, s);
}

const char *tt_lost_help(enum tt_lost l)
{
	return (unsigned)l < TT_LOST_NR ? lost_help[l] : "";
}

/* Length of the run of decimal digits at s (0 if none). */
static size_t digits_at(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	return i;
}

/*
 * The kernel names devpts ttys "pts3" / "ptm3"; users know them as /dev/pts/3.
 * A pty master is shown as ptm/N whatever the kernel called it, since from
 * user space it is only ever reached through /dev/ptmx. Legacy BSD ptys
 * ("ttyp0", "ptyp0") and everything else keep the kernel's name.
 */
void tt_tty_display_name(const char *kname, enum tt_class class, char *out, size_t outlen)
{
	size_t n, d;

	if (!out || outlen == 0)
		return;
	out[0] = '\0';
	if (!kname)
		return;
	n = strnlen(kname, TT_TTY_NAME_LEN);

	if ((class == TT_CLASS_PTY || class == TT_CLASS_PTY_MASTER) && n > 3 &&
	    (strncmp(kname, "pts", 3) == 0 || strncmp(kname, "ptm", 3) == 0)) {
		d = digits_at(kname + 3, n - 3);
		if (d > 0 && d == n - 3) {
			const char *prefix = class == TT_CLASS_PTY_MASTER ? "ptm" : "pts";

			/* A slave named "ptm3" would be a kernel oddity: keep it verbatim. */
			if (class == TT_CLASS_PTY && kname[2] == 'm')
				goto verbatim;
			snprintf(out, outlen, "%s/%.*s", prefix, (int)d, kname + 3);
			return;
		}
	}
verbatim:
	snprintf(out, outlen, "%.*s", (int)n, kname);
}
