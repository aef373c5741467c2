// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Ticks and Go pauses in words and cells (see tickfmt.h). */
#include "tickfmt.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "format.h"

char *tt_fmt_ns_words(uint64_t ns, char *buf, size_t len)
{
	char t[16];
	size_t i = 0;

	if (!buf || !len)
		return buf;
	tt_fmt_ns(ns, t, sizeof(t));
	while (t[i] && (isdigit((unsigned char)t[i]) || t[i] == '.'))
		i++;
	snprintf(buf, len, "%.*s %s", (int)i, t, t + i);
	return buf;
}

char *tt_fmt_tick(const struct tt_model_ticker *t, bool utf8, char *buf, size_t len)
{
	char p[16], j[16];

	if (!buf || !len)
		return buf;
	if (!t || !t->period_ns) {
		snprintf(buf, len, "-");
		return buf;
	}
	tt_fmt_ns(t->period_ns, p, sizeof(p));
	if (!tt_hist_total(&t->jitter))
		snprintf(buf, len, "%s", p);
	else
		snprintf(buf, len, "%s %s%s", p, utf8 ? "\xc2\xb1" : "+-",
		         tt_fmt_ns(tt_ticker_jitter(t, 0.99), j, sizeof(j)));
	return buf;
}

/* The figure behind a cause; 0 for app (nothing ttytop saw: its figure is the lateness). */
static uint64_t cause_figure(const struct tt_model_event *ev)
{
	if (ev->cause == TT_CAUSE_APP)
		return 0;
	if (ev->cause_ns)
		return ev->cause_ns;
	return ev->cause == TT_CAUSE_GC_STW ? ev->gc_overlap_ns : 0;
}

char *tt_fmt_late(const struct tt_model_event *ev, int width, char *buf, size_t len)
{
	const char *cause = tt_cause_name(ev->cause);
	uint64_t fig = cause_figure(ev);
	char l[16], c[16];

	if (!buf || !len)
		return buf;
	buf[0] = '\0';
	if (ev->kind != TT_KIND_LATE_TICK)
		return buf;
	tt_fmt_ns(ev->late_ns, l, sizeof(l));
	if (fig)
		tt_fmt_ns(fig, c, sizeof(c));
	else
		c[0] = '\0';
	/* most words first; a number is never cut: a shorter form drops it whole */
	snprintf(buf, len, "late +%s %s%s%s", l, cause, c[0] ? " " : "", c);
	if ((int)strlen(buf) > width)
		snprintf(buf, len, "+%s %s%s%s", l, cause, c[0] ? " " : "", c);
	if ((int)strlen(buf) > width)
		snprintf(buf, len, "+%s %s", l, cause);
	if ((int)strlen(buf) > width)
		snprintf(buf, len, "+%s", l);
	return buf;
}

/* What the cause was, as the end of the sentence. */
static void cause_clause(const struct tt_model_event *ev, const char *stw_reason, char *out,
                         size_t len)
{
	char a[24], r[TT_STW_REASON_LEN + 4] = "";

	tt_fmt_ns_words(cause_figure(ev), a, sizeof(a));
	switch (ev->cause) {
	case TT_CAUSE_GC_STW:
		if (stw_reason && stw_reason[0]) {
			char s[TT_STW_REASON_LEN];

			tt_fmt_sanitize(stw_reason, TT_STW_REASON_LEN, s, sizeof(s));
			snprintf(r, sizeof(r), " (%s)", s);
		}
		snprintf(out, len, "a Go stop-the-world of %s%s overlapped it", a, r);
		break;
	case TT_CAUSE_TERMINAL_BLOCKED:
		snprintf(out, len, "the write before it was blocked %s in the terminal", a);
		break;
	case TT_CAUSE_RUN_QUEUE:
		snprintf(out, len, "the process's threads waited %s runnable without a CPU", a);
		break;
	default:
		snprintf(out, len,
		         "no blocked write, stop-the-world or CPU wait explains it: "
		         "the program itself was late");
		break;
	}
}

char *tt_fmt_late_cause(const struct tt_model_event *ev, const char *stw_reason, char *buf,
                        size_t len)
{
	char l[24], iv[24], p[24], clause[160], extra[96] = "";

	if (!buf || !len)
		return buf;
	buf[0] = '\0';
	if (ev->kind != TT_KIND_LATE_TICK)
		return buf;
	cause_clause(ev, stw_reason, clause, sizeof(clause));
	/* a pause that was not the first cause found still delayed the tick */
	if (ev->cause != TT_CAUSE_GC_STW && ev->gc_overlap_ns)
		snprintf(extra, sizeof(extra), "; a Go stop-the-world of %s also overlapped it",
		         tt_fmt_ns_words(ev->gc_overlap_ns, p, sizeof(p)));
	snprintf(buf, len, "Tick %s late (interval %s, period %s): %s%s",
	         tt_fmt_ns_words(ev->late_ns, l, sizeof(l)),
	         tt_fmt_ns_words(ev->interval_ns, iv, sizeof(iv)),
	         tt_fmt_ns_words(ev->period_ns, p, sizeof(p)), clause, extra);
	return buf;
}

/* The span the event covers: a late tick's interval, a write's own time. */
static void event_span(const struct tt_model_event *ev, uint64_t *from, uint64_t *to)
{
	uint64_t d = ev->kind == TT_KIND_LATE_TICK ? ev->interval_ns : ev->latency_ns;

	if (ev->kind == TT_KIND_LATE_TICK) {
		/* the interval ends where the late write starts */
		*to = ev->time_ns;
		*from = ev->time_ns > d ? ev->time_ns - d : 0;
	} else {
		*from = ev->time_ns;
		*to = ev->time_ns + d;
	}
}

const struct tt_stw *tt_event_stw(const struct tt_model *m, const struct tt_model_event *ev)
{
	const struct tt_model_proc *p = NULL;
	const struct tt_stw *best = NULL, *s;
	uint64_t from, to;

	for (int i = 0; m->procs && i < m->nprocs && i < TT_MODEL_MAX_PROCS; i++)
		if (m->procs[i].pid == ev->pid)
			p = &m->procs[i];
	if (!p)
		return NULL;
	event_span(ev, &from, &to);
	for (uint32_t i = 0; (s = tt_model_proc_stw_at(p, i)); i++)
		if (s->time_ns < to && s->time_ns + s->duration_ns > from &&
		    (!best || s->duration_ns > best->duration_ns))
			best = s;
	return best;
}

/* Better to show: a detected period first, then the longer history. */
static bool ticker_better(const struct tt_model_ticker *a, const struct tt_model_ticker *b)
{
	if (!b)
		return true;
	if (!a->period_ns != !b->period_ns)
		return a->period_ns != 0;
	return a->intervals > b->intervals;
}

const struct tt_model_ticker *tt_terminal_ticker(const struct tt_model *m,
                                                 const struct tt_terminal *t)
{
	const struct tt_model_ticker *best = NULL;

	if (!m->tickers || !t)
		return NULL;
	if (t->nwriters > 0) {
		best = tt_model_writer_ticker(m, t->dev, t->writers[0].pid);
		if (best && best->period_ns)
			return best;
	}
	for (int i = 0; i < m->ntickers && i < TT_MODEL_MAX_TICKERS; i++)
		if (m->tickers[i].dev == t->dev && ticker_better(&m->tickers[i], best))
			best = &m->tickers[i];
	return best;
}

/* A process's longest pause: the counters', or its ring's when they lag. */
static uint64_t worst_pause(const struct tt_model_proc *p)
{
	uint64_t w = p->stw_max_ns;
	const struct tt_stw *s;

	for (uint32_t i = 0; (s = tt_model_proc_stw_at(p, i)); i++)
		if (s->duration_ns > w)
			w = s->duration_ns;
	return w;
}

/*
 * The Go process to name: the one with the longest pause (a busy program's
 * many short pauses must not hide another's 300 ms one), the newest pause
 * breaking ties. *newest: its newest pause.
 */
static const struct tt_model_proc *worst_pauser(const struct tt_model *m,
                                                const struct tt_stw **newest)
{
	const struct tt_model_proc *best = NULL;
	uint64_t bw = 0;

	*newest = NULL;
	for (int i = 0; m->procs && i < m->nprocs && i < TT_MODEL_MAX_PROCS; i++) {
		const struct tt_stw *s = tt_model_proc_stw_at(&m->procs[i], 0);
		uint64_t w = worst_pause(&m->procs[i]);

		if (s && (!best || w > bw || (w == bw && s->time_ns > (*newest)->time_ns))) {
			*newest = s;
			best = &m->procs[i];
			bw = w;
		}
	}
	return best;
}

char *tt_fmt_gc(const struct tt_model *m, int width, bool *alert, char *buf, size_t len)
{
	const struct tt_stw *s;
	const struct tt_model_proc *p = worst_pauser(m, &s);
	char who[40], last[16], mx[16], ago[16] = "";
	uint64_t n, worst;

	*alert = false;
	if (!buf || !len)
		return buf;
	buf[0] = '\0';
	if (!p)
		return buf;
	n = p->stw_count > p->stw_n ? p->stw_count : p->stw_n;
	worst = worst_pause(p);
	*alert = m->filters.threshold_ms > 0 && (double)worst >= m->filters.threshold_ms * 1e6;
	tt_fmt_comm_pid(p->comm, sizeof(p->comm), p->pid, 20, who, sizeof(who));
	tt_fmt_ns(s->duration_ns, last, sizeof(last));
	tt_fmt_ns(worst, mx, sizeof(mx));
	if (m->now_realtime_ns > s->time_ns)
		tt_fmt_ns(m->now_realtime_ns - s->time_ns, ago, sizeof(ago));
	snprintf(buf, len, "GC %s: %llu pause%s, last %s%s%s%s, max %s", who, (unsigned long long)n,
	         n == 1 ? "" : "s", last, ago[0] ? " " : "", ago, ago[0] ? " ago" : "", mx);
	if ((int)strlen(buf) > width)
		snprintf(buf, len, "GC %llu pause%s, last %s, max %s", (unsigned long long)n,
		         n == 1 ? "" : "s", last, mx);
	if ((int)strlen(buf) > width)
		snprintf(buf, len, "GC max %s", mx);
	return buf;
}
