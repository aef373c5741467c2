/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Dashboard internals shared by the panes: the state of one running
 * dashboard, and the small ops table every pane implements. Only app.c owns
 * the event loop; panes never call into app.c (unit tests link every tui
 * object except app.o).
 */
#ifndef TTYTOP_TUI_UI_H
#define TTYTOP_TUI_UI_H

#include <ncurses.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "format.h"
#include "layout.h"
#include "model.h"
#include "opts.h"
#include "pane.h"
#include "snapshot.h"
#include "source.h"
#include "theme.h"
#include "tickfmt.h"

/* What a handler did; app.c acts on the union of flags. */
enum {
	TT_HANDLED = 1 << 0,  /* key consumed */
	TT_REDRAW = 1 << 1,   /* redraw every pane */
	TT_QUIT = 1 << 2,     /* leave the loop */
	TT_RELAYOUT = 1 << 3, /* recompute rectangles and windows */
	TT_REPAINT = 1 << 4,  /* force a full repaint (theme change, Ctrl-L) */
};

enum tt_sort_col {
	TT_SORT_NAME = 0,
	TT_SORT_CLASS,
	TT_SORT_WRITER,
	TT_SORT_WPS,
	TT_SORT_BPS,
	TT_SORT_P50,
	TT_SORT_P99,
	TT_SORT_MAX,
	TT_SORT_BLOCKED,
	TT_SORT_REASON,
	TT_SORT_NR
};

/* What the histogram pane draws; TT_HK_INTERVAL: a writer's intervals between ticks. */
enum tt_hist_kind { TT_HK_LAT = 0, TT_HK_BLOCKED, TT_HK_RUNQ, TT_HK_INTERVAL, TT_HK_NR };

enum tt_prompt_kind {
	TT_PROMPT_NONE = 0,
	TT_PROMPT_FILTER,
	TT_PROMPT_THRESHOLD,
	TT_PROMPT_PANE_FILTER
};

#define TT_FILTER_LEN 64
/* A log row that is a write in flight, by its thread: TT_SEQ_INFLIGHT | tid. */
#define TT_SEQ_INFLIGHT (1ull << 63)

/* The goroutine/thread pane's two lists. */
enum tt_tp_list { TT_TP_THREADS = 0, TT_TP_GOROUTINES, TT_TP_NLISTS };

/*
 * The goroutine/thread pane (threadpane.c): while open, its list takes the
 * log's place and the selected row's stack the stack pane's. app.c does the
 * reading: it acts on want_pid after each key and puts every read in pane.
 */
struct tt_threadview {
	uint32_t want_pid; /* the process asked for (actions.c); 0 = closed */
	bool open;
	const struct tt_pane *pane; /* the newest read; NULL before the first */
	uint64_t gen;               /* bumped by app.c at each read: sort again */
	char why[160];              /* nothing to show yet: why */
	int list;                   /* enum tt_tp_list */
	int sort[TT_TP_NLISTS];
	bool rev[TT_TP_NLISTS];
	int sel[TT_TP_NLISTS], top[TT_TP_NLISTS];
	int64_t sel_id[TT_TP_NLISTS]; /* tid or goid under the cursor: followed across reads */
	bool sel_valid[TT_TP_NLISTS];
	char filter[TT_FILTER_LEN];
	int stack_top, stack_lines;
	/* the rows shown, filtered and sorted, and what they were computed from */
	int order[TT_PANE_GOROUTINES];
	int norder;
	struct {
		const struct tt_pane *pane;
		uint64_t gen;
		int list, sort;
		bool rev;
		char filter[TT_FILTER_LEN];
	} made;
	uint8_t name_match[TT_PANE_FRAMES]; /* frame names the filter matches */
};

struct tt_ui {
	struct tt_snapshot_job snap; /* a snapshot being written in the background */
	struct tt_model *m;
	struct tt_source *src;
	const struct tt_opts *o;
	bool replay; /* src->ops == NULL */
	bool utf8;
	bool color;

	struct tt_layout lay;
	WINDOW *win[TT_PANE_NR];
	int focus; /* a TT_PANE_* that takes keys */

	/* terminals table: selection follows the device, not the row */
	int sort;
	bool sort_rev;
	uint32_t sel_dev;
	bool have_sel;
	bool sel_picked; /* the user chose a row; until then the top row is selected */
	int term_top;
	int order[TT_MODEL_MAX_TERMINALS + 1]; /* TT_ROW_OTHERS: the others row, last */
	int norder;

	int hist_kind;

	/* event log: rows are event sequence numbers (newest first) */
	bool paused;
	uint64_t frozen_seq; /* events with seq >= this are hidden while paused */
	char filter[TT_FILTER_LEN];
	int log_sel, log_top;
	/*
	 * The event under the cursor, by sequence number: new events arrive at
	 * the top, and a row index alone would slide the cursor onto another
	 * event. Only the newest row follows new events, and only while the
	 * log does not have the focus (see tt_eventlog_update).
	 */
	uint64_t log_sel_seq;
	bool log_sel_valid;
	bool log_slowest; /* order: slowest first instead of newest first */
	/* writes in flight head the log: TT_SEQ_INFLIGHT | tid (events count from 0) */
	uint64_t vis[TT_MODEL_MAX_INFLIGHT + TT_MODEL_EVENT_RING];
	int nvis;
	int nvis_inflight; /* the first rows of vis */

	/* stack pane: a copy so it survives the event leaving the ring */
	bool stack_valid;
	uint64_t stack_seq;
	struct tt_model_event *stack_ev;
	int stack_top;
	int stack_lines; /* lines the last draw produced, for scrolling */

	bool help;

	int prompt; /* enum tt_prompt_kind */
	char pbuf[TT_FILTER_LEN];
	int plen;
	char prompt_saved[TT_FILTER_LEN]; /* filter before the prompt, for Esc */

	char status[256];
	bool status_err;

	struct tt_theme theme;
	int theme_idx; /* built-in index, or -1 for a theme file */

	struct tt_threadview tv;

	double interval;
	struct tt_tick tick; /* the refresh loop's intervals: event and drop rates over the last */
};

struct tt_pane_ops {
	const char *name;
	/* Draw into w (h x wd, including the frame). */
	void (*draw)(struct tt_ui *ui, WINDOW *w, int h, int wd);
	/* A key while this pane has focus: TT_* flags, 0 = not mine. */
	int (*key)(struct tt_ui *ui, int ch);
	/* A click at pane-relative (y, x). */
	int (*mouse)(struct tt_ui *ui, int y, int x, unsigned long bstate);
};

extern const struct tt_pane_ops tt_header_pane;
extern const struct tt_pane_ops tt_terminals_pane;
extern const struct tt_pane_ops tt_histogram_pane;
extern const struct tt_pane_ops tt_eventlog_pane;
extern const struct tt_pane_ops tt_stack_pane;
extern const struct tt_pane_ops tt_keybar_pane;
/* threadpane.c: in the log's and the stack pane's places while ui->tv.open */
extern const struct tt_pane_ops tt_threads_pane;
extern const struct tt_pane_ops tt_threads_stack_pane;

/* draw.c: frames and clipped text that never overrun a window */
void tt_draw_frame(struct tt_ui *ui, WINDOW *w, int h, int wd, const char *title, bool focus);
/* Print at most maxw columns of s (UTF-8 aware for our own glyphs); returns columns used. */
int tt_draw_text(WINDOW *w, int y, int x, int maxw, const char *s, unsigned long attr);
void tt_draw_fill(WINDOW *w, int y, int x, int n, unsigned long attr);
/* "first-last of total" in the bottom border when not everything fits. */
void tt_draw_frame_position(WINDOW *w, int h, int wd, int first, int shown, int total);
const char *tt_draw_hline_glyph(const struct tt_ui *ui);
/* Print s in a column wd wide, flush right when right; returns columns used. */
int tt_draw_cell(WINDOW *w, int y, int x, int wd, const char *s, bool right, unsigned long attr);

/*
 * listnav.c: the keys that move in a list of n rows, page of them shown
 * (htop's Panel_onKey). key(): Up/k, Down/j, PgUp, PgDn, Home/g, End/G move
 * *pos, left in [0, n) (0 when n is 0); TT_HANDLED | TT_REDRAW for those
 * keys, 0 (pos untouched) for any other.
 */
int tt_listnav_key(int ch, int *pos, int n, int page);
bool tt_listnav_is_key(int ch);
/* Rows a pane shows at once: its height less chrome (frame, heading), at least 1. */
int tt_listnav_page(const struct tt_ui *ui, int pane, int chrome);
/* The first of rows shown rows, moved so that sel (-1: none) is among them. */
int tt_listnav_top(int top, int sel, int n, int rows);
/* The list index on shown row row (0 = first) when top is first, or -1. */
int tt_listnav_row_at(int top, int n, int row);

/* terminals.c */
void tt_terminals_sort(struct tt_ui *ui);
struct tt_terminal *tt_terminals_selected(struct tt_ui *ui);
const char *tt_terminals_sort_name(int col);

/* eventlog.c */
void tt_eventlog_update(struct tt_ui *ui);      /* recompute ui->vis */
int tt_eventlog_toggle_order(struct tt_ui *ui); /* newest first <-> slowest first */
struct tt_model_event *tt_eventlog_by_seq(struct tt_ui *ui, uint64_t seq);
/* The event of thread tid's write that began at time_ns; UINT64_MAX when not in the ring. */
uint64_t tt_eventlog_seq_of(struct tt_ui *ui, uint32_t tid, uint64_t time_ns);
bool tt_eventlog_match(const struct tt_model_event *ev, const char *filter);
void tt_eventlog_set_paused(struct tt_ui *ui, bool paused);
int tt_eventlog_open_selected(struct tt_ui *ui); /* Enter: fill the stack pane */

/* stackview.c */
void tt_stack_refresh(struct tt_ui *ui); /* re-copy the shown event if still in the ring */
/* A frame on one line from column 2: func (or raw address), file:line, module. */
void tt_stack_frame_line(struct tt_ui *ui, WINDOW *w, int y, int wd, const struct tt_frame *f,
                         bool short_paths);

/* threadpane.c */
/* Open the pane on pid (0: close it); app.c reads it. TT_* flags. */
int tt_threads_open(struct tt_ui *ui, uint32_t pid);
/* The process the selection stands for: the table's writer, or the event's; 0 = none. */
uint32_t tt_threads_selected_pid(struct tt_ui *ui);
/* The row under the pane's cursor: *t or *g set; false when there is none. */
bool tt_threads_cursor(struct tt_ui *ui, const struct tt_pane_thread **t,
                       const struct tt_pane_goroutine **g);

/* help.c: the lines come from the action table (actions.h) */
void tt_help_draw(struct tt_ui *ui, int rows, int cols);

/* prompt.c */
void tt_prompt_start(struct tt_ui *ui, int kind);
int tt_prompt_key(struct tt_ui *ui, int ch);
int tt_prompt_apply_threshold(struct tt_ui *ui, const char *text);

/* terminfo.c: built-in entries for when ncurses finds no $TERM on this machine.
 * fallback() writes the entry for term into a private directory and points
 * TERMINFO there (-1: none built in, or it cannot be written); release()
 * removes it and restores TERMINFO once ncurses has read it. */
int tt_terminfo_fallback(const char *term);
void tt_terminfo_release(void);
const char *tt_terminfo_builtin_names(char *buf, size_t len);

/* keybar.c */
int tt_keybar_key_at(int x); /* key code of the function-key label at column x, or 0 */
void tt_ui_status(struct tt_ui *ui, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
