// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Histogram of the selected terminal: one bar per non-empty bucket range,
 * adjacent buckets merged so the whole range fits the pane's height.
 */
#include "ui.h"

#include <stdio.h>
#include <string.h>

static const char *kind_title[TT_HK_NR] = {"Latency", "Blocked time", "Run-queue wait"};

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
 * Rows are runs of non-empty buckets: empty ranges carry no information, and
 * merging k neighbours (k = ceil(non-empty / rows)) keeps every sample on
 * screen however tall the pane is.
 */
static void histogram_draw(struct tt_ui *ui, WINDOW *w, int h, int wd)
{
	struct tt_terminal *t = tt_terminals_selected(ui);
	const struct tt_hist *hs;
	char title[96], name[TT_TTY_NAME_LEN], buf[128], a[16], b[16], c[16];
	int nz[TT_HIST_BUCKETS], nnz = 0, i, rows, group, ngroups, g, barw, labw = 15, cntw = 7;
	uint64_t total, p50, p99, maxc = 0;

	if (!t) {
		snprintf(title, sizeof(title), "%s histogram", kind_title[ui->hist_kind]);
		tt_draw_frame(ui, w, h, wd, title, ui->focus == TT_PANE_HIST);
		tt_draw_text(w, 1, 2, wd - 4, "no terminal selected", tt_theme_attr(TT_EL_DIM));
		return;
	}
	tt_fmt_sanitize(t->name, sizeof(t->name), name, sizeof(name));
	snprintf(title, sizeof(title), "%s: %s", kind_title[ui->hist_kind], name);
	tt_draw_frame(ui, w, h, wd, title, ui->focus == TT_PANE_HIST);
	if (h < 4 || wd < 20)
		return;
	hs = kind_hist(t, ui->hist_kind);
	total = tt_hist_total(hs);
	for (i = 0; i < (int)TT_HIST_BUCKETS; i++)
		if (hs->counts[i])
			nz[nnz++] = i;
	p50 = tt_hist_percentile(hs, 0.5);
	p99 = tt_hist_percentile(hs, 0.99);
	snprintf(buf, sizeof(buf), "n=%llu  p50 %s  p99 %s", (unsigned long long)total,
	         tt_fmt_ns(p50, a, sizeof(a)), tt_fmt_ns(p99, b, sizeof(b)));
	tt_draw_text(w, 1, 2, wd - 4, buf, tt_theme_attr(TT_EL_HIST_LABEL));
	if (!nnz) {
		tt_draw_text(w, 2, 2, wd - 4, "(empty)", tt_theme_attr(TT_EL_DIM));
		return;
	}
	rows = h - 3;
	if (rows < 1)
		return;
	group = (nnz + rows - 1) / rows;
	ngroups = (nnz + group - 1) / group;
	for (g = 0; g < ngroups; g++) {
		uint64_t s = 0;

		for (i = g * group; i < (g + 1) * group && i < nnz; i++)
			s += hs->counts[nz[i]];
		if (s > maxc)
			maxc = s;
	}
	if (wd < 50) { /* narrow pane: tighter label columns leave room for bars */
		labw = 13;
		cntw = 5;
	}
	barw = wd - 2 - 1 - labw - 1 - cntw - 1 - (wd < 50 ? 4 : 8);
	for (g = 0; g < ngroups && g < rows; g++) {
		int lo_i = g * group, hi_i = lo_i + group - 1, len, x = 2, y = 2 + g;
		uint64_t lo, hi, dummy, s = 0;
		bool has50, has99;
		unsigned long ba;

		if (hi_i >= nnz)
			hi_i = nnz - 1;
		for (i = lo_i; i <= hi_i; i++)
			s += hs->counts[nz[i]];
		tt_hist_bounds((uint32_t)nz[lo_i], &lo, &dummy);
		tt_hist_bounds((uint32_t)nz[hi_i], &dummy, &hi);
		/* A percentile in the gap before this row's range belongs to this row. */
		has50 = total && p50 < hi;
		has99 = total && p99 < hi;
		if (g > 0) {
			uint64_t prev_hi;

			tt_hist_bounds((uint32_t)nz[lo_i - 1], &dummy, &prev_hi);
			has50 = has50 && p50 >= prev_hi;
			has99 = has99 && p99 >= prev_hi;
		}
		snprintf(buf, sizeof(buf), "%s-%s", tt_fmt_ns(lo, a, sizeof(a)),
		         tt_fmt_ns(hi, c, sizeof(c)));
		len = (int)strlen(buf);
		tt_draw_text(w, y, x + (len < labw ? labw - len : 0), labw, buf,
		             tt_theme_attr(TT_EL_HIST_LABEL));
		x += labw + 1;
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)s);
		len = (int)strlen(buf);
		tt_draw_text(w, y, x + (len < cntw ? cntw - len : 0), cntw, buf,
		             tt_theme_attr(TT_EL_HIST_LABEL));
		x += cntw + 1;
		ba = tt_theme_attr(has99 ? TT_EL_BAR_P99 : has50 ? TT_EL_BAR_P50 : TT_EL_BAR_LAT);
		if (barw > 0) {
			int n = maxc ? (int)((double)s * barw / (double)maxc + 0.5) : 0;
			int k;

			if (s && n < 1)
				n = 1;
			for (k = 0; k < n; k++)
				tt_draw_text(w, y, x + k, 1, ui->utf8 ? "\xe2\x96\x88" : "#", ba);
			x += n + 1;
		}
		if (has50 || has99)
			tt_draw_text(w, y, x, wd - 1 - x,
			             has50 && has99 ? "p50 p99"
			             : has50        ? "p50"
			                            : "p99",
			             ba);
	}
}

static int histogram_key(struct tt_ui *ui, int ch)
{
	(void)ui;
	(void)ch;
	return 0;
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
