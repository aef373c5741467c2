// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Histogram of the selected terminal: one bar per non-empty bucket range,
 * adjacent buckets merged so the whole range fits the pane's height. The
 * interval view draws the terminal's ticker (its writer's intervals between
 * ticks) the same way, with the period and the jitter.
 */
#include "ui.h"

#include <stdio.h>
#include <string.h>

static const char *kind_title[TT_HK_NR] = {"Latency", "Blocked time", "Run-queue wait",
                                           "Tick interval"};

static const struct tt_hist *kind_hist(const struct tt_terminal *t, int kind)
{
	switch (kind) {
	case TT_HK_BLOCKED:
		return &t->blocked;
	case TT_HK_RUNQ:
		return &t->runq;
	default:
		return &t->lat;
	}
}

/*
 * Rows coarsen the buckets in log space: a row is r consecutive buckets (r =
 * 1, 2, 4, ...: a power of two never straddles an octave's sub-buckets), the
 * finest r whose non-empty rows fit the pane. Equal widths in log space keep
 * a sparse slow tail on rows of its own instead of folding it into the fast
 * body, and the tail is what an on-call engineer is looking for.
 */
struct hrow {
	uint32_t first, last;  /* bucket range of the row */
	uint32_t lo_nz, hi_nz; /* its first and last non-empty bucket: the label */
	uint64_t count;
};

static int histogram_rows(const struct tt_hist *hs, int max_rows, struct hrow *out)
{
	uint32_t r;
	int n = 0;

	for (r = 1; r <= TT_HIST_BUCKETS; r *= 2) {
		uint32_t prev = UINT32_MAX;

		n = 0;
		for (uint32_t i = 0; i < TT_HIST_BUCKETS; i++)
			if (hs->counts[i] && i / r != prev) {
				prev = i / r;
				n++;
			}
		if (n <= max_rows)
			break;
	}
	if (n > max_rows)
		return 0;
	n = 0;
	for (uint32_t i = 0; i < TT_HIST_BUCKETS; i++) {
		if (!hs->counts[i])
			continue;
		if (!n || i / r != out[n - 1].first / r) {
			out[n].first = i / r * r;
			out[n].last = out[n].first + r - 1;
			if (out[n].last >= TT_HIST_BUCKETS)
				out[n].last = TT_HIST_BUCKETS - 1;
			out[n].count = 0;
			out[n].lo_nz = i;
			n++;
		}
		out[n - 1].count += hs->counts[i];
		out[n - 1].hi_nz = i;
	}
	return n;
}

/* Column widths of the bars, shared by every row. */
struct hgeom {
	int labw, cntw, barw;
	uint64_t maxc;
};

/* "n=... p50 ... p99 ...": a narrow pane keeps the percentiles; never cut a number. */
static void draw_stats(WINDOW *w, int wd, uint64_t total, uint64_t p50, uint64_t p99)
{
	char buf[128], a[16], b[16];

	snprintf(buf, sizeof(buf), "n=%llu  p50 %s  p99 %s", (unsigned long long)total,
	         tt_fmt_ns(p50, a, sizeof(a)), tt_fmt_ns(p99, b, sizeof(b)));
	if ((int)strlen(buf) > wd - 4)
		snprintf(buf, sizeof(buf), "p50 %s p99 %s", a, b);
	if ((int)strlen(buf) > wd - 4)
		snprintf(buf, sizeof(buf), "p99 %s", b);
	tt_draw_text(w, 1, 2, wd - 4, buf, tt_theme_attr(TT_EL_HIST_LABEL));
}

/*
 * Adjacent rows read as a continuous range: where a spare line allows, say
 * so when nothing lies between two rows for more than two octaves (the fast
 * body and a slow tail). Returns whether it took line y.
 */
static bool draw_gap(WINDOW *w, int y, const struct hgeom *g, const struct hrow *prev,
                     const struct hrow *row)
{
	uint64_t plo, phi, dummy;
	char buf[64], a[16], c[16];

	tt_hist_bounds(prev->hi_nz, &dummy, &phi);
	tt_hist_bounds(row->lo_nz, &plo, &dummy);
	if (plo / 4 < phi)
		return false;
	snprintf(buf, sizeof(buf), "%s-%s", tt_fmt_ns(phi, a, sizeof(a)),
	         tt_fmt_ns(plo, c, sizeof(c)));
	tt_draw_cell(w, y, 2, g->labw, buf, true, tt_theme_attr(TT_EL_DIM));
	tt_draw_text(w, y, 2 + g->labw + 1 + g->cntw - 1, 1, "0", tt_theme_attr(TT_EL_DIM));
	return true;
}

/* What a row is marked with: the percentiles (or the period) in it, and its colour. */
struct hmark {
	const char *tag; /* NULL: nothing */
	enum tt_el el;
};

/*
 * One bucket row: its range, count, bar, and its mark. The label is where
 * the row's writes are, not the row's full range: a coarse row of two
 * 210 ms writes reads "201ms-218ms", not "67.1ms-17.2s", which would
 * suggest writes of seconds.
 */
static void draw_bar(struct tt_ui *ui, WINDOW *w, int y, int wd, const struct hgeom *g,
                     const struct hrow *row, struct hmark mk)
{
	unsigned long ba = tt_theme_attr(mk.el);
	uint64_t lo, hi, dummy, s = row->count;
	char buf[64], a[16], c[16];
	int x = 2;

	tt_hist_bounds(row->lo_nz, &lo, &dummy);
	tt_hist_bounds(row->hi_nz, &dummy, &hi);
	snprintf(buf, sizeof(buf), "%s-%s", tt_fmt_ns(lo, a, sizeof(a)),
	         tt_fmt_ns(hi, c, sizeof(c)));
	tt_draw_cell(w, y, x, g->labw, buf, true, tt_theme_attr(TT_EL_HIST_LABEL));
	x += g->labw + 1;
	/* 12345678 in a 7-wide column would be cut to a wrong number: 12M. */
	tt_fmt_total(s, buf, sizeof(buf));
	tt_draw_cell(w, y, x, g->cntw, buf, true, tt_theme_attr(TT_EL_HIST_LABEL));
	x += g->cntw + 1;
	if (g->barw > 0) {
		int n = g->maxc ? (int)((double)s * g->barw / (double)g->maxc + 0.5) : 0;

		if (s && n < 1)
			n = 1;
		for (int k = 0; k < n; k++)
			tt_draw_text(w, y, x + k, 1, ui->utf8 ? "\xe2\x96\x88" : "#", ba);
		x += n + 1;
	}
	if (mk.tag)
		tt_draw_text(w, y, x, wd - 1 - x, mk.tag, ba);
}

/* tagw: columns kept after the bars for a row's mark (the longest that must fit whole). */
static struct hgeom geometry(int wd, const struct hrow *rows, int nrows, int tagw)
{
	struct hgeom g = {15, 7, 0, 0};

	for (int i = 0; i < nrows; i++)
		if (rows[i].count > g.maxc)
			g.maxc = rows[i].count;
	if (wd < 50) { /* narrow pane: tighter label columns leave room for bars */
		g.labw = 13;
		g.cntw = 5;
	}
	g.barw = wd - 2 - 1 - g.labw - 1 - g.cntw - 1 - tagw;
	return g;
}

/*
 * How rows are marked: the rows holding p50 and p99, or, for intervals, the
 * row holding the period and the rows that are late (past period + --late).
 */
struct hmarks {
	uint64_t p50, p99;
	uint64_t period, late_from; /* intervals only; 0: none */
};

/* prev_hi: the top of the previous row; a value in the gap belongs to this row. */
static struct hmark row_mark(const struct hmarks *k, uint64_t prev_hi, uint64_t lo, uint64_t hi,
                             bool first)
{
	bool in50 = k->p50 < hi && (first || k->p50 >= prev_hi);
	bool in99 = k->p99 < hi && (first || k->p99 >= prev_hi);
	struct hmark mk = {NULL, TT_EL_BAR_LAT};

	if (k->period) {
		if (k->period < hi && (first || k->period >= prev_hi))
			mk = (struct hmark){"period", TT_EL_BAR_P50};
		else if (k->late_from && lo >= k->late_from)
			mk = (struct hmark){"late", TT_EL_BAR_P99};
		return mk;
	}
	if (in50 || in99)
		mk = (struct hmark){in50 && in99 ? "p50 p99"
		                    : in50       ? "p50"
		                                 : "p99",
		                    in99 ? TT_EL_BAR_P99 : TT_EL_BAR_P50};
	return mk;
}

static void draw_rows(struct tt_ui *ui, WINDOW *w, int h, int wd, const struct hmarks *k,
                      const struct hrow *rows, int nrows)
{
	/* "p50 p99" may be cut to "p50" in a narrow pane; "period" and "late" never */
	struct hgeom g = geometry(wd, rows, nrows, k->period ? 8 : wd < 50 ? 4 : 8);
	int spare = h - 3 - nrows, i, y;
	uint64_t prev_hi = 0, lo, hi, dummy;

	for (i = 0, y = 2; i < nrows; i++, y++) {
		if (i > 0 && spare > 0 && draw_gap(w, y, &g, &rows[i - 1], &rows[i])) {
			spare--;
			y++;
		}
		tt_hist_bounds(rows[i].last, &dummy, &hi); /* the top of the row's range */
		tt_hist_bounds(rows[i].lo_nz, &lo, &dummy);
		draw_bar(ui, w, y, wd, &g, &rows[i], row_mark(k, prev_hi, lo, hi, i == 0));
		prev_hi = hi;
	}
}

/* The bars of hs under the stats line; "(empty)" when there are none. */
static void draw_body(struct tt_ui *ui, WINDOW *w, int h, int wd, const struct tt_hist *hs,
                      const struct hmarks *k)
{
	struct hrow rows[TT_HIST_BUCKETS];
	int nrows = h - 3 > 0 ? histogram_rows(hs, h - 3, rows) : 0;

	if (!tt_hist_total(hs) || !nrows) {
		tt_draw_text(w, 2, 2, wd - 4, "(empty)", tt_theme_attr(TT_EL_DIM));
		return;
	}
	draw_rows(ui, w, h, wd, k, rows, nrows);
}

/* "period 100ms  jitter p50 1.2ms p99 12ms max 212ms  late 3 of 120", narrower forms. */
static void draw_tick_stats(WINDOW *w, int wd, const struct tt_model_ticker *tk)
{
	char buf[160], p[16], j50[16], j99[16], jmx[16];

	if (!tk->period_ns) {
		snprintf(buf, sizeof(buf), "no period yet (%llu intervals)",
		         (unsigned long long)tk->intervals);
		tt_draw_text(w, 1, 2, wd - 4, buf, tt_theme_attr(TT_EL_HIST_LABEL));
		return;
	}
	tt_fmt_ns(tk->period_ns, p, sizeof(p));
	tt_fmt_ns(tt_ticker_jitter(tk, 0.5), j50, sizeof(j50));
	tt_fmt_ns(tt_ticker_jitter(tk, 0.99), j99, sizeof(j99));
	tt_fmt_ns(tk->jitter_max_ns, jmx, sizeof(jmx));
	snprintf(buf, sizeof(buf), "period %s  jitter p50 %s p99 %s max %s  late %llu of %llu", p,
	         j50, j99, jmx, (unsigned long long)tk->late, (unsigned long long)tk->intervals);
	if ((int)strlen(buf) > wd - 4)
		snprintf(buf, sizeof(buf), "period %s  jitter p50 %s p99 %s max %s", p, j50, j99,
		         jmx);
	if ((int)strlen(buf) > wd - 4)
		snprintf(buf, sizeof(buf), "%s jit p50 %s p99 %s max %s", p, j50, j99, jmx);
	if ((int)strlen(buf) > wd - 4)
		snprintf(buf, sizeof(buf), "%s p99 %s max %s", p, j99, jmx);
	tt_draw_text(w, 1, 2, wd - 4, buf, tt_theme_attr(TT_EL_HIST_LABEL));
}

/* Interval view: the terminal's ticker, its period and jitter, the intervals' histogram. */
static void draw_intervals(struct tt_ui *ui, WINDOW *w, int h, int wd, const struct tt_terminal *t,
                           const char *name)
{
	const struct tt_model_ticker *tk = tt_terminal_ticker(ui->m, t);
	char title[128], who[40], g[24] = "";
	struct hmarks k = {0};

	if (!tk) {
		snprintf(title, sizeof(title), "Tick interval: %s", name);
		tt_draw_frame(ui, w, h, wd, title, ui->focus == TT_PANE_HIST);
		tt_draw_text(w, 1, 2, wd - 4, "no writer with a tick on this terminal",
		             tt_theme_attr(TT_EL_DIM));
		return;
	}
	tt_fmt_comm_pid(tk->comm, sizeof(tk->comm), tk->pid, 24, who, sizeof(who));
	if (tk->goid >= 0)
		snprintf(g, sizeof(g), " g%lld", (long long)tk->goid);
	snprintf(title, sizeof(title), "Tick interval: %s %s%s", name, who, g);
	tt_draw_frame(ui, w, h, wd, title, ui->focus == TT_PANE_HIST);
	if (h < 4 || wd < 20)
		return;
	draw_tick_stats(w, wd, tk);
	k.period = tk->period_ns;
	if (k.period)
		k.late_from = k.period + k.period * (ui->m->late_pct ? ui->m->late_pct : 5) / 100;
	draw_body(ui, w, h, wd, &tk->iv, &k);
}

static void histogram_draw(struct tt_ui *ui, WINDOW *w, int h, int wd)
{
	struct tt_terminal *t = tt_terminals_selected(ui);
	const struct tt_hist *hs;
	char title[96], name[TT_TTY_NAME_LEN];
	struct hmarks k = {0};

	if (!t) {
		snprintf(title, sizeof(title), "%s histogram", kind_title[ui->hist_kind]);
		tt_draw_frame(ui, w, h, wd, title, ui->focus == TT_PANE_HIST);
		tt_draw_text(w, 1, 2, wd - 4, "no terminal selected", tt_theme_attr(TT_EL_DIM));
		return;
	}
	tt_fmt_sanitize(t->name, sizeof(t->name), name, sizeof(name));
	if (ui->hist_kind == TT_HK_INTERVAL) {
		draw_intervals(ui, w, h, wd, t, name);
		return;
	}
	snprintf(title, sizeof(title), "%s: %s", kind_title[ui->hist_kind], name);
	tt_draw_frame(ui, w, h, wd, title, ui->focus == TT_PANE_HIST);
	if (h < 4 || wd < 20)
		return;
	hs = kind_hist(t, ui->hist_kind);
	k.p50 = tt_hist_percentile(hs, 0.5);
	k.p99 = tt_hist_percentile(hs, 0.99);
	draw_stats(w, wd, tt_hist_total(hs), k.p50, k.p99);
	draw_body(ui, w, h, wd, hs, &k);
}

/*
 * The pane has nothing to scroll, and "move in the focused pane" must not be
 * a dead key: Up/Down walk the terminals it shows, Left/Right its kinds.
 */
static int histogram_key(struct tt_ui *ui, int ch)
{
	switch (ch) {
	case KEY_LEFT:
	case 'h':
		ui->hist_kind = (ui->hist_kind + TT_HK_NR - 1) % TT_HK_NR;
		return TT_HANDLED | TT_REDRAW;
	case KEY_RIGHT:
	case 'l':
		ui->hist_kind = (ui->hist_kind + 1) % TT_HK_NR;
		return TT_HANDLED | TT_REDRAW;
	case '\n':
	case '\r':
	case KEY_ENTER:
		return 0; /* not "filter the log", which Enter means in the table */
	}
	return tt_terminals_pane.key(ui, ch);
}

static int histogram_mouse(struct tt_ui *ui, int y, int x, unsigned long bstate)
{
	(void)y;
	(void)x;
	(void)bstate;
	(void)ui;
	return TT_HANDLED | TT_REDRAW;
}

const struct tt_pane_ops tt_histogram_pane = {
    .name = "histogram",
    .draw = histogram_draw,
    .key = histogram_key,
    .mouse = histogram_mouse,
};
