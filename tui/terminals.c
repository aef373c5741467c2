// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The terminals table: one row per tty, sortable, with a p99 sparkline. */
#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	C_NAME,
	C_CLASS,
	C_WRITER,
	C_WPS,
	C_BPS,
	C_P50,
	C_P99,
	C_MAX,
	C_BLK,
	C_REASON,
	C_SPARK,
	C_TICK,
	C_NR
};

/*
 * SLEEP REASON: what the terminal's writers slept on most often, so BLK%
 * comes with its cause ("a reader not draining" and "someone pressed ^S"
 * call for different people) without opening events one by one.
 */
static const char *col_head[C_NR] = {"TERMINAL", "CLASS",        "TOP WRITER",  "WRITES/s",
                                     "BYTES/s",  "P50",          "P99",         "MAX",
                                     "BLK%",     "SLEEP REASON", "P99 HISTORY", "TICK JITTER"};
static const int col_w[C_NR] = {10, 10, 20, 8, 8, 7, 7, 7, 5, 12, 8, 14};
/*
 * Lower = kept longer when the pane is narrow. MAX goes before the
 * sparkline: the histogram's last row shows the worst writes, nothing else
 * shows whether it is still happening. TICK JITTER (the top writer's period
 * and jitter p99) goes after CLASS and just before MAX (equal priority, the
 * later column first): at 120 columns it takes the place of the class,
 * which the name says anyway (pts/N, ttyS0); the interval view of the
 * histogram shows it in any width.
 */
static const int col_prio[C_NR] = {0, 6, 3, 0, 2, 2, 0, 5, 1, 4, 4, 5};
/* Which sort key a column header stands for. */
static const int col_sort[C_NR] = {
    TT_SORT_NAME, TT_SORT_CLASS, TT_SORT_WRITER,  TT_SORT_WPS,    TT_SORT_BPS, TT_SORT_P50,
    TT_SORT_P99,  TT_SORT_MAX,   TT_SORT_BLOCKED, TT_SORT_REASON, -1,          -1};

static const char *sort_names[TT_SORT_NR] = {"terminal", "class", "writer", "writes/s", "bytes/s",
                                             "p50",      "p99",   "max",    "blocked",  "reason"};

/* The reason most sleeps had, or NULL when the terminal's writers never slept. */
static const char *top_reason(const struct tt_terminal *t)
{
	uint64_t most = 0;
	int r, best = -1;

	for (r = TT_REASON_NONE + 1; r < TT_REASON_NR; r++)
		if (t->reasons[r] > most) {
			most = t->reasons[r];
			best = r;
		}
	return best < 0 ? NULL : tt_reason_name((enum tt_reason)best);
}

const char *tt_terminals_sort_name(int col)
{
	return (col >= 0 && col < TT_SORT_NR) ? sort_names[col] : "?";
}

static const char *class_str(enum tt_class c)
{
	const char *s = tt_class_name(c);
	return s ? s : "?";
}

static int cmp_num(double a, double b)
{
	return a < b ? -1 : a > b ? 1 : 0;
}

/* How long the longest write on t has been stuck; 0 when none is in flight. */
static uint64_t stuck_ns(const struct tt_ui *ui, const struct tt_terminal *t)
{
	const struct tt_model_inflight *w = tt_model_inflight_on(ui->m, t->dev);

	return w ? w->ev.latency_ns : 0;
}

static int term_cmp(const void *pa, const void *pb, void *arg)
{
	struct tt_ui *ui = arg;
	const struct tt_terminal *a = &ui->m->terminals[*(const int *)pa];
	const struct tt_terminal *b = &ui->m->terminals[*(const int *)pb];
	int r = 0;

	/* In the default order a terminal with a writer stuck now comes first. */
	if (ui->sort == TT_SORT_WPS && !ui->sort_rev) {
		r = -cmp_num((double)stuck_ns(ui, a), (double)stuck_ns(ui, b));
		if (r)
			return r;
	}
	switch (ui->sort) {
	case TT_SORT_NAME:
		r = strncmp(a->name, b->name, sizeof(a->name));
		break;
	case TT_SORT_CLASS:
		r = strcmp(class_str(a->class), class_str(b->class));
		break;
	case TT_SORT_WRITER:
		r = strncmp(a->nwriters ? a->writers[0].comm : "",
		            b->nwriters ? b->writers[0].comm : "", TT_COMM_LEN);
		break;
	/* Numbers sort biggest first: the interesting rows at the top. */
	case TT_SORT_WPS:
		r = -cmp_num(a->writes_per_s, b->writes_per_s);
		break;
	case TT_SORT_BPS:
		r = -cmp_num(a->bytes_per_s, b->bytes_per_s);
		break;
	case TT_SORT_P50:
		r = -cmp_num((double)a->p50, (double)b->p50);
		break;
	case TT_SORT_P99:
		r = -cmp_num((double)a->p99, (double)b->p99);
		break;
	case TT_SORT_MAX:
		r = -cmp_num((double)a->max_ns, (double)b->max_ns);
		break;
	case TT_SORT_BLOCKED:
		r = -cmp_num(a->blocked_share, b->blocked_share);
		break;
	case TT_SORT_REASON: { /* A-Z, terminals that never slept last */
		const char *ra = top_reason(a), *rb = top_reason(b);

		r = (!ra || !rb) ? (ra ? -1 : rb ? 1 : 0) : strcmp(ra, rb);
		break;
	}
	}
	if (!r) /* stable, and busy terminals first among equals */
		r = -cmp_num((double)a->writes, (double)b->writes);
	if (!r)
		r = strncmp(a->name, b->name, sizeof(a->name));
	return ui->sort_rev ? -r : r;
}

#define TT_ROW_OTHERS TT_MODEL_MAX_TERMINALS

static void others_count(const struct tt_ui *ui, char *s, size_t n)
{
	snprintf(s, n, "%u tty%s", ui->m->others_n, ui->m->others_n == 1 ? "" : "s");
}

static struct tt_terminal *term_at(struct tt_ui *ui, int idx)
{
	return idx == TT_ROW_OTHERS ? &ui->m->others : &ui->m->terminals[idx];
}

void tt_terminals_sort(struct tt_ui *ui)
{
	int i, n = ui->m->nterminals;
	bool found = false;

	if (n < 0)
		n = 0;
	if (n > TT_MODEL_MAX_TERMINALS)
		n = TT_MODEL_MAX_TERMINALS;
	for (i = 0; i < n; i++)
		ui->order[i] = i;
	ui->norder = n;
	qsort_r(ui->order, (size_t)n, sizeof(int), term_cmp, ui);
	/* not ranked with the rest: it is many terminals, so it would always win */
	if (ui->m->others_n || ui->m->others.writes) {
		ui->order[n++] = TT_ROW_OTHERS;
		ui->norder = n;
	}
	for (i = 0; i < n && ui->have_sel; i++)
		if (term_at(ui, ui->order[i])->dev == ui->sel_dev)
			found = true;
	/*
	 * Until the user picks a row, the histogram shows the top row (the
	 * busiest, in the default order): the first terminal ever seen is an
	 * accident of start-up. Once picked, the selection follows the device.
	 */
	if ((!found || !ui->sel_picked) && n) {
		ui->sel_dev = term_at(ui, ui->order[0])->dev;
		ui->have_sel = true;
	}
}

static int sel_row(struct tt_ui *ui)
{
	int i;

	for (i = 0; i < ui->norder; i++)
		if (term_at(ui, ui->order[i])->dev == ui->sel_dev)
			return i;
	return -1;
}

struct tt_terminal *tt_terminals_selected(struct tt_ui *ui)
{
	int r;

	tt_terminals_sort(ui);
	r = sel_row(ui);
	return r < 0 ? NULL : term_at(ui, ui->order[r]);
}

static void spark(struct tt_ui *ui, const struct tt_terminal *t, char *out, size_t outlen,
                  int width)
{
	static const char *blocks[8] = {"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83",
	                                "\xe2\x96\x84", "\xe2\x96\x85", "\xe2\x96\x86",
	                                "\xe2\x96\x87", "\xe2\x96\x88"};
	static const char ascii[5] = {'_', '.', '-', '=', '#'};
	int n = t->spark_len, i, start, levels = ui->utf8 ? 8 : 5;
	uint64_t mx = 0;
	size_t o = 0;

	if (n > TT_SPARK_LEN)
		n = TT_SPARK_LEN;
	if (n < 0)
		n = 0;
	start = n > width ? n - width : 0;
	for (i = start; i < n; i++)
		if (t->spark_p99[i] > mx)
			mx = t->spark_p99[i];
	out[0] = '\0';
	for (i = start; i < n && o + 4 < outlen; i++) {
		int lv = mx ? (int)((double)t->spark_p99[i] * (levels - 1) / (double)mx + 0.5) : 0;

		if (lv < 0)
			lv = 0;
		if (lv >= levels)
			lv = levels - 1;
		if (ui->utf8) {
			memcpy(out + o, blocks[lv], 3);
			o += 3;
		} else {
			out[o++] = ascii[lv];
		}
		out[o] = '\0';
	}
}

/* Which columns a pane wd wide shows, and how wide: shared by drawing and clicks. */
static void columns(int wd, bool *shown, int *widths)
{
	int used;

	memcpy(widths, col_w, sizeof(col_w));
	used = tt_fmt_fit_columns(widths, col_prio, C_NR, wd - 2, shown);
	if (shown[C_SPARK]) { /* the sparkline takes what is left, up to its history */
		widths[C_SPARK] += wd - 2 - used;
		if (widths[C_SPARK] > TT_SPARK_LEN)
			widths[C_SPARK] = TT_SPARK_LEN;
	}
}

static void draw_title(struct tt_ui *ui, WINDOW *w, int h, int wd)
{
	char title[96];

	if (ui->m->others_n)
		snprintf(title, sizeof(title), "Terminals (%d + %u in others) sorted by %s%s",
		         ui->m->nterminals, ui->m->others_n, sort_names[ui->sort],
		         ui->sort_rev ? " (reversed)" : "");
	else
		snprintf(title, sizeof(title), "Terminals (%d) sorted by %s%s", ui->m->nterminals,
		         sort_names[ui->sort], ui->sort_rev ? " (reversed)" : "");
	tt_draw_frame(ui, w, h, wd, title, ui->focus == TT_PANE_TERMINALS);
}

static bool right_aligned(int c)
{
	return c >= C_WPS && c <= C_BLK;
}

static void draw_heading(struct tt_ui *ui, WINDOW *w, int wd, const bool *shown, const int *widths)
{
	int c, x;

	tt_draw_fill(w, 1, 1, wd - 2, tt_theme_attr(TT_EL_TABLE_HEAD));
	for (c = 0, x = 1; c < C_NR; c++) {
		if (!shown[c])
			continue;
		/* The sort column is marked by attribute: no width to spare for a glyph. */
		tt_draw_cell(w, 1, x, widths[c],
		             /* a cut "P99 HISTO" reads as a typo; the short form fits col_w */
		             c == C_SPARK && widths[c] < (int)strlen(col_head[c]) ? "P99 HIST"
		                                                                  : col_head[c],
		             right_aligned(c),
		             tt_theme_attr(TT_EL_TABLE_HEAD) |
		                 (col_sort[c] == ui->sort ? A_BOLD | A_UNDERLINE : 0));
		x += widths[c] + 1;
	}
}

/* One row being drawn: what its cells need besides the column. */
struct trow {
	struct tt_ui *ui;
	const struct tt_terminal *t;
	bool others, is_sel;
	const bool *shown;
	const int *widths;
};

/* The SLEEP REASON cell: a writer stuck now says more than the past. */
static void reason_cell(const struct trow *r, char *s, size_t len, unsigned long *ca)
{
	const char *rs = top_reason(r->t);
	uint64_t st = r->others ? 0 : stuck_ns(r->ui, r->t);
	char d[16];

	if (st) {
		snprintf(s, len, "STUCK %s", tt_fmt_ns(st, d, sizeof(d)));
		if (!r->is_sel)
			*ca = tt_theme_attr(TT_EL_LOG_SLOW) | A_BOLD;
	} else {
		snprintf(s, len, "%s", rs ? rs : "-");
	}
}

static void who_cell(const struct trow *r, int c, char *s, size_t len)
{
	const struct tt_terminal *t = r->t;

	if (c == C_NAME && r->others)
		snprintf(s, len, "others");
	else if (c == C_NAME)
		tt_fmt_sanitize(t->name, sizeof(t->name), s, len);
	/* too wide for the name column: the class's, or the writer's where that gives way */
	else if (r->others && (c == C_CLASS || !r->shown[C_CLASS]))
		others_count(r->ui, s, len);
	else if (c == C_CLASS)
		snprintf(s, len, "%s", class_str(t->class));
	else if (t->nwriters > 0)
		tt_fmt_comm_pid(t->writers[0].comm, TT_COMM_LEN, t->writers[0].pid, r->widths[c], s,
		                len);
	else
		snprintf(s, len, "-");
}

static void fmt_cell(const struct trow *r, int c, char *s, size_t len, unsigned long *ca)
{
	const struct tt_terminal *t = r->t;

	s[0] = '\0';
	switch (c) {
	case C_NAME:
	case C_CLASS:
	case C_WRITER:
		who_cell(r, c, s, len);
		break;
	case C_WPS:
		tt_fmt_count(t->writes_per_s, s, len);
		break;
	case C_BPS:
		tt_fmt_bytes(t->bytes_per_s, s, len);
		break;
	case C_P50:
	case C_P99:
	case C_MAX:
		tt_fmt_ns(c == C_P50 ? t->p50 : c == C_P99 ? t->p99 : t->max_ns, s, len);
		break;
	case C_BLK:
		snprintf(s, len, "%.0f%%",
		         t->blocked_share >= 0 && t->blocked_share <= 1 ? t->blocked_share * 100
		                                                        : 0.0);
		break;
	case C_REASON:
		reason_cell(r, s, len, ca);
		break;
	case C_SPARK:
		spark(r->ui, t, s, len, r->widths[c]);
		if (!r->is_sel)
			*ca = tt_theme_attr(TT_EL_SPARK);
		break;
	case C_TICK:
		tt_fmt_tick(r->others ? NULL : tt_terminal_ticker(r->ui->m, t), r->ui->utf8, s,
		            len);
		break;
	}
}

static void draw_row(const struct trow *r, WINDOW *w, int y, int wd)
{
	unsigned long a = tt_theme_attr(r->is_sel ? TT_EL_ROW_SELECTED : TT_EL_ROW);
	int c, x;

	tt_draw_fill(w, y, 1, wd - 2, a);
	for (c = 0, x = 1; c < C_NR; c++) {
		char s[160];
		unsigned long ca = a;

		if (!r->shown[c])
			continue;
		fmt_cell(r, c, s, sizeof(s), &ca);
		tt_draw_cell(w, y, x, r->widths[c], s, right_aligned(c), ca);
		x += r->widths[c] + 1;
	}
}

static void terminals_draw(struct tt_ui *ui, WINDOW *w, int h, int wd)
{
	bool shown[C_NR];
	int widths[C_NR], i, rows, sel;

	draw_title(ui, w, h, wd);
	if (h < 4 || wd < 10)
		return;
	columns(wd, shown, widths);
	draw_heading(ui, w, wd, shown, widths);
	tt_terminals_sort(ui);
	rows = h - 3;
	sel = sel_row(ui);
	ui->term_top = tt_listnav_top(ui->term_top, sel, ui->norder, rows);
	tt_draw_frame_position(w, h, wd, ui->term_top, rows, ui->norder);
	if (!ui->norder)
		tt_draw_text(w, 2, 2, wd - 4,
		             ui->replay ? "no terminals in this snapshot"
		                        : "no terminal writes seen yet",
		             tt_theme_attr(TT_EL_DIM));
	for (i = 0; i < rows && ui->term_top + i < ui->norder; i++) {
		int idx = ui->order[ui->term_top + i];
		struct trow r = {.ui = ui,
		                 .t = term_at(ui, idx),
		                 .others = idx == TT_ROW_OTHERS,
		                 .is_sel = ui->term_top + i == sel,
		                 .shown = shown,
		                 .widths = widths};

		draw_row(&r, w, 2 + i, wd);
	}
}

/* Select list row r; the top row (Home) goes back to following whatever is on top. */
static void pick_row(struct tt_ui *ui, int r)
{
	ui->sel_dev = term_at(ui, ui->order[r])->dev;
	ui->have_sel = true;
	ui->sel_picked = r > 0;
}

/* Enter: show only this terminal's slow writes in the log. */
static int filter_log_to_selected(struct tt_ui *ui)
{
	struct tt_terminal *t = tt_terminals_selected(ui);

	if (t) {
		tt_fmt_sanitize(t->name, sizeof(t->name), ui->filter, sizeof(ui->filter));
		ui->log_sel = ui->log_top = 0;
		ui->log_sel_valid = false; /* start at the newest of that terminal */
		ui->focus = TT_PANE_LOG;
		tt_ui_status(ui, false, "log filtered to %s (Esc clears)", ui->filter);
		/* a writer stuck there heads the log: open it */
		if (stuck_ns(ui, t))
			return tt_eventlog_open_selected(ui);
	}
	return TT_HANDLED | TT_REDRAW;
}

static int terminals_key(struct tt_ui *ui, int ch)
{
	int r, ret;

	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER)
		return filter_log_to_selected(ui);
	if (!tt_listnav_is_key(ch))
		return 0;
	tt_terminals_sort(ui);
	r = sel_row(ui);
	if (r < 0)
		r = 0;
	ret = tt_listnav_key(ch, &r, ui->norder, tt_listnav_page(ui, TT_PANE_TERMINALS, 3));
	if (ret && ui->norder)
		pick_row(ui, r);
	return ret;
}

/* A click on the heading sorts by the column clicked; a second click reverses. */
static void sort_by_click(struct tt_ui *ui, int x)
{
	bool shown[C_NR];
	int widths[C_NR], c;

	columns(ui->lay.r[TT_PANE_TERMINALS].w, shown, widths);
	c = tt_fmt_column_at(widths, shown, C_NR, x - 1);
	if (c < 0 || col_sort[c] < 0)
		return;
	if (ui->sort == col_sort[c]) {
		ui->sort_rev = !ui->sort_rev;
	} else {
		ui->sort = col_sort[c];
		ui->sort_rev = false;
	}
	tt_ui_status(ui, false, "sort by %s%s", sort_names[ui->sort],
	             ui->sort_rev ? " (reversed)" : "");
}

static int terminals_mouse(struct tt_ui *ui, int y, int x, unsigned long bstate)
{
	int r;

	(void)bstate;
	if (y == 1) {
		sort_by_click(ui, x);
		return TT_HANDLED | TT_REDRAW;
	}
	tt_terminals_sort(ui);
	r = tt_listnav_row_at(ui->term_top, ui->norder, y - 2);
	if (r >= 0)
		pick_row(ui, r);
	return TT_HANDLED | TT_REDRAW;
}

const struct tt_pane_ops tt_terminals_pane = {
    .name = "terminals",
    .draw = terminals_draw,
    .key = terminals_key,
    .mouse = terminals_mouse,
};
