// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "probe_ksyms.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "collector.h"
#include "symbolize.h"
#include "clock.h"

static const char *const names[TT_KSYM_NAMES] = {
	"tty_write",		 "redirected_tty_write",	"__irqentry_text_start",
	"__irqentry_text_end", "__softirqentry_text_start", "__softirqentry_text_end",
};

/*
 * Interrupt work that runs in a task rather than on an interrupt stack, so
 * the entry text never shows in its waker's stack: threaded handlers (every
 * handler under PREEMPT_RT, some drivers and `threadirqs` elsewhere), the
 * softirq threads, and the softirq body itself, which kernels since ~6.8
 * (and 6.1-rt) run from handle_softirqs() outside the softirq entry text.
 */
static const char *const irq_thread_fns[TT_KSYM_IRQ_FNS] = {
	"irq_thread", "run_ksoftirqd", "run_timersd", "handle_softirqs", "__do_softirq"};

static void *read_ksyms(void *arg)
{
	struct tt_ksyms_job *j = arg;
	struct tt_ksym_query q = {names,	  j->addrs,	    TT_KSYM_NAMES,
				  irq_thread_fns, j->ranges, TT_KSYM_IRQ_FNS};
	uint64_t t = tt_mono_ns();

	j->ret = tt_ksym_query(&q);
	j->ms = (tt_mono_ns() - t) / 1e6;
	return NULL;
}

void tt_ksyms_job_start(struct tt_ksyms_job *j)
{
	memset(j, 0, sizeof(*j));
	j->threaded = pthread_create(&j->thread, NULL, read_ksyms, j) == 0;
}

static void add_irq_threads(struct tt_probe_report *rep, const uint64_t (*r)[2])
{
	int slot = 2;

	for (int i = 0; i < TT_KSYM_IRQ_FNS && slot < TT_IRQ_RANGES; i++)
		if (r[i][0]) {
			rep->irq_ranges[slot][0] = r[i][0];
			rep->irq_ranges[slot++][1] = r[i][1];
		}
	rep->irq_threads = r[0][0] != 0;
}

int tt_ksyms_job_finish(struct tt_ksyms_job *j, struct tt_probe_report *rep, char *err,
                        size_t errlen)
{
	if (j->threaded)
		pthread_join(j->thread, NULL);
	else
		read_ksyms(j);
	rep->ksyms_ms = j->ms;
	rep->tty_write = j->addrs[0];
	/* optional: /dev/console redirection; without it those writes are missed */
	rep->redirected_tty_write = j->addrs[1];
	/* optional: tells interrupt wake-ups from process wake-ups */
	rep->irq_ranges[0][0] = j->addrs[2];
	rep->irq_ranges[0][1] = j->addrs[3];
	rep->irq_ranges[1][0] = j->addrs[4];
	rep->irq_ranges[1][1] = j->addrs[5];
	add_irq_threads(rep, (const uint64_t(*)[2])j->ranges);
	rep->irq_detect = rep->irq_ranges[0][0] && rep->irq_ranges[0][1] > rep->irq_ranges[0][0];
	tt_probe_lost(rep);
	if (rep->tty_write)
		return 0;
	if (err && j->ret < 0)
		snprintf(err, errlen, "cannot read /proc/kallsyms: %s", strerror(-j->ret));
	else if (err)
		snprintf(err, errlen, "cannot find tty_write in /proc/kallsyms (kernel.kptr_restrict, "
		                      "or a kernel without the tty layer)");
	return -ENOENT;
}
