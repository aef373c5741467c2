// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Two header lines: where we are and how the collector is doing. */
#include "ui.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/*
 * Append one "label value" field; returns the new x. A field that does not
 * fit whole is left out: "attach tracepoin" or "thres" is noise, and a cut
 * number is worse (a "drops 12" that was "drops 123k").
 */
static int field(WINDOW *w, int y, int x, int wd, const char *s, unsigned long attr)
{
	if (x + (int)strlen(s) > wd)
		return x;
	x += tt_draw_text(w, y, x, wd - x, s, attr);
	if (x < wd)
		x += tt_draw_text(w, y, x, wd - x, "  ", tt_theme_attr(TT_EL_HEADER));
	return x;
}

/*
 * "GC marquee/4242: 14 pauses, last 298ms 1.70s ago, max 298ms": whether Go
 * pauses are there to blame for late ticks, before anyone opens an event.
 * The end of line 1, which has the room: the longest form that fits.
 */
static void gc_field(struct tt_ui *ui, WINDOW *w, int x, int wd)
{
	char buf[160];
	bool alert;

	tt_fmt_gc(ui->m, wd - x, &alert, buf, sizeof(buf));
	if (buf[0])
		field(w, 0, x, wd, buf, tt_theme_attr(alert ? TT_EL_HEADER_ALERT : TT_EL_HEADER));
}

static void draw_line1(struct tt_ui *ui, WINDOW *w, int wd)
{
	const struct tt_model *m = ui->m;
	unsigned long a = tt_theme_attr(TT_EL_HEADER);
	char buf[320], host[64], kern[64];
	const char *base;
	int x = 0;

	tt_fmt_sanitize(m->host.hostname, sizeof(m->host.hostname), host, sizeof(host));
	tt_fmt_sanitize(m->host.kernel, sizeof(m->host.kernel), kern, sizeof(kern));
	x = field(w, 0, x, wd, " ttytop", a | A_BOLD);
	if (ui->replay) {
		char file[96];

		base = ui->o ? strrchr(ui->o->replay_path, '/') : NULL;
		base = base ? base + 1 : (ui->o ? ui->o->replay_path : "");
		tt_fmt_sanitize(base, strlen(base), file, sizeof(file));
		snprintf(buf, sizeof(buf), "REPLAY %s", file);
		x = field(w, 0, x, wd, buf, tt_theme_attr(TT_EL_HEADER_ALERT));
	}
	snprintf(buf, sizeof(buf), "host %s", host[0] ? host : "?");
	x = field(w, 0, x, wd, buf, a);
	snprintf(buf, sizeof(buf), "kernel %s", kern[0] ? kern : "?");
	x = field(w, 0, x, wd, buf, a);
	if (m->attach.mode[0]) {
		char mode[32], prog[32];

		tt_fmt_sanitize(m->attach.mode, sizeof(m->attach.mode), mode, sizeof(mode));
		tt_fmt_sanitize(m->attach.enter_prog, sizeof(m->attach.enter_prog), prog,
		                sizeof(prog));
		snprintf(buf, sizeof(buf), "attach %s%s%s", mode, prog[0] ? "/" : "", prog);
		x = field(w, 0, x, wd, buf, a);
	}
	/* what this kernel cannot give: a missing piece must never look like a zero */
	if (m->attach.lost) {
		size_t n = (size_t)snprintf(buf, sizeof(buf), "lost");

		for (int i = 0; i < TT_LOST_NR && n < sizeof(buf); i++)
			if (m->attach.lost & 1u << i)
				n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
				                      n > 4 ? "," : " ", tt_lost_name(i));
		x = field(w, 0, x, wd, buf, tt_theme_attr(TT_EL_HEADER_ALERT));
	}
	gc_field(ui, w, x, wd);
}

/*
 * "drops 509k (134k/s ratelimit)": the total alone does not say whether it is
 * still happening, nor whether events (ratelimit, ringbuf_full) or counts
 * (inflight_full: writes not timed at all) were lost, which changes what
 * the other numbers on the screen mean.
 */
static void drops_field(struct tt_ui *ui, char *buf, size_t len)
{
	const struct tt_totals *t = &ui->m->totals;
	char n[16], r[16];
	const char *cause = NULL;
	uint64_t most = 0;
	int i;

	tt_fmt_total(t->dropped, n, sizeof(n));
	for (i = 0; i < TT_DROP_NR; i++)
		if (t->drops[i] > most) {
			most = t->drops[i];
			cause = tt_drop_name((enum tt_drop)i);
		}
	if (!t->dropped)
		snprintf(buf, len, "drops 0");
	else if (!ui->replay && ui->tick.drop_rate > 0)
		snprintf(buf, len, "drops %s (%s/s %s)", n,
		         tt_fmt_count(ui->tick.drop_rate, r, sizeof(r)), cause ? cause : "?");
	else
		snprintf(buf, len, "drops %s (%s)", n, cause ? cause : "?");
}

/* How long, and when: "up 5m" and the refresh, or a snapshot's span and time taken. */
static int time_fields(struct tt_ui *ui, WINDOW *w, int x, int wd)
{
	const struct tt_model *m = ui->m;
	unsigned long a = tt_theme_attr(TT_EL_HEADER);
	char buf[256], t1[32], t2[32];

	if (m->now_realtime_ns > m->start_realtime_ns && m->start_realtime_ns) {
		tt_fmt_duration((double)(m->now_realtime_ns - m->start_realtime_ns) / 1e9, t1,
		                sizeof(t1));
		snprintf(buf, sizeof(buf), "%s %s", ui->replay ? "span" : "up", t1);
		x = field(w, 1, x, wd, buf, a);
	}
	if (ui->replay && m->now_realtime_ns) {
		time_t s = (time_t)(m->now_realtime_ns / 1000000000ull);
		struct tm tm;

		if (localtime_r(&s, &tm) && strftime(t2, sizeof(t2), "%Y-%m-%d %H:%M:%S", &tm)) {
			snprintf(buf, sizeof(buf), "taken %s", t2);
			x = field(w, 1, x, wd, buf, a);
		}
	} else {
		snprintf(buf, sizeof(buf), "every %s",
		         tt_fmt_interval(ui->interval, t1, sizeof(t1)));
		x = field(w, 1, x, wd, buf, a);
	}
	return x;
}

/* "label N" in the alert colour, only when N is not zero. */
static int alert_count(WINDOW *w, int x, int wd, const char *label, uint64_t n)
{
	char buf[64], t[32];

	if (!n)
		return x;
	tt_fmt_total(n, t, sizeof(t));
	snprintf(buf, sizeof(buf), "%s %s", label, t);
	return field(w, 1, x, wd, buf, tt_theme_attr(TT_EL_HEADER_ALERT));
}

/* Late ticks the writers' tickers counted: later than their period allows. */
static uint64_t late_ticks(const struct tt_model *m)
{
	uint64_t late = 0;

	for (int i = 0; m->tickers && i < m->ntickers && i < TT_MODEL_MAX_TICKERS; i++)
		late += m->tickers[i].late;
	return late;
}

static int count_fields(struct tt_ui *ui, WINDOW *w, int x, int wd)
{
	const struct tt_model *m = ui->m;
	unsigned long a = tt_theme_attr(TT_EL_HEADER);
	char buf[256], t1[32], t2[32];
	uint64_t late = late_ticks(m);
	/*
	 * Named like the log pane: "events" alone did not say which events. Once
	 * ticks are late the events are of both kinds, and the total says so; the
	 * late ticks follow it.
	 */
	const char *what = late ? "events" : "slow writes";

	tt_fmt_total(m->totals.events, t1, sizeof(t1));
	if (!ui->replay)
		snprintf(buf, sizeof(buf), "%s %s (%s/s)", what, t1,
		         tt_fmt_count(ui->tick.ev_rate, t2, sizeof(t2)));
	else
		snprintf(buf, sizeof(buf), "%s %s", what, t1);
	x = field(w, 1, x, wd, buf, a);
	/* however fast their writes: the marquee case */
	x = alert_count(w, x, wd, "late ticks", late);
	/* right after the slow writes: the ones that have not returned */
	x = alert_count(w, x, wd, "IN FLIGHT", m->totals.in_flight);
	drops_field(ui, buf, sizeof(buf));
	x = field(w, 1, x, wd, buf, m->totals.dropped ? tt_theme_attr(TT_EL_HEADER_ALERT) : a);
	/* not counted in any row, others included: the figure that breaks the sums */
	x = alert_count(w, x, wd, "lost writes", m->totals.lost_writes);
	x = alert_count(w, x, wd, "kernel skipped", m->totals.skipped_runs);
	if (m->others_n) {
		snprintf(buf, sizeof(buf), "%u terminal%s in others", m->others_n,
		         m->others_n == 1 ? "" : "s");
		x = field(w, 1, x, wd, buf, a);
	}
	return x;
}

/* "filter pid=1 comm=x tty=pts/3 log=/y/": the collector's filters and the log's. */
static void filter_field(struct tt_ui *ui, WINDOW *w, int x, int wd)
{
	const struct tt_filters *fl = &ui->m->filters;
	char f[200], s1[TT_COMM_LEN], s2[TT_TTY_NAME_LEN], s3[TT_FILTER_LEN];
	size_t o = 0;

	if (!fl->pid && !fl->comm[0] && !fl->tty[0] && !ui->filter[0])
		return;
	o += (size_t)snprintf(f + o, sizeof(f) - o, "filter");
	if (fl->pid && o < sizeof(f))
		o += (size_t)snprintf(f + o, sizeof(f) - o, " pid=%d", fl->pid);
	if (fl->comm[0] && o < sizeof(f))
		o += (size_t)snprintf(f + o, sizeof(f) - o, " comm=%s",
		                      tt_fmt_sanitize(fl->comm, sizeof(fl->comm), s1, sizeof(s1)));
	if (fl->tty[0] && o < sizeof(f))
		o += (size_t)snprintf(f + o, sizeof(f) - o, " tty=%s",
		                      tt_fmt_sanitize(fl->tty, sizeof(fl->tty), s2, sizeof(s2)));
	if (ui->filter[0] && o < sizeof(f))
		snprintf(f + o, sizeof(f) - o, " log=/%s/",
		         tt_fmt_sanitize(ui->filter, sizeof(ui->filter), s3, sizeof(s3)));
	field(w, 1, x, wd, f, tt_theme_attr(TT_EL_HEADER));
}

static void draw_line2(struct tt_ui *ui, WINDOW *w, int wd)
{
	const struct tt_model *m = ui->m;
	char buf[256], t2[32];
	int x = 1;

	/* First, so a narrow terminal never cuts it off. */
	if (ui->paused)
		x = field(w, 1, x, wd, "PAUSED", tt_theme_attr(TT_EL_HEADER_ALERT));
	x = time_fields(ui, w, x, wd);
	x = count_fields(ui, w, x, wd);
	tt_fmt_ns((uint64_t)(m->filters.threshold_ms * 1e6), t2, sizeof(t2));
	snprintf(buf, sizeof(buf), "threshold %s", m->filters.threshold_ms > 0 ? t2 : "0 (all)");
	x = field(w, 1, x, wd, buf, tt_theme_attr(TT_EL_HEADER));
	filter_field(ui, w, x, wd);
}

static void header_draw(struct tt_ui *ui, WINDOW *w, int h, int wd)
{
	int y;

	for (y = 0; y < h; y++)
		tt_draw_fill(w, y, 0, wd, tt_theme_attr(TT_EL_HEADER));
	draw_line1(ui, w, wd);
	if (h > 1)
		draw_line2(ui, w, wd);
}

const struct tt_pane_ops tt_header_pane = {
    .name = "header",
    .draw = header_draw,
};
