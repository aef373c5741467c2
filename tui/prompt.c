// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * One-line input in the status line for `/` (log filter) and `t`
 * (threshold). Modal for keys but not for the loop: data keeps flowing.
 */
#include "ui.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THRESHOLD_MAX_MS 3600000.0

/* The filter a prompt edits: the log's, or the goroutine/thread pane's. */
static char *prompt_filter(struct tt_ui *ui)
{
	return ui->prompt == TT_PROMPT_PANE_FILTER ? ui->tv.filter : ui->filter;
}

void tt_prompt_start(struct tt_ui *ui, int kind)
{
	ui->prompt = kind;
	if (kind == TT_PROMPT_FILTER || kind == TT_PROMPT_PANE_FILTER) {
		snprintf(ui->prompt_saved, sizeof(ui->prompt_saved), "%s", prompt_filter(ui));
		snprintf(ui->pbuf, sizeof(ui->pbuf), "%s", prompt_filter(ui));
	} else {
		snprintf(ui->pbuf, sizeof(ui->pbuf), "%g", ui->m->filters.threshold_ms);
	}
	ui->plen = (int)strlen(ui->pbuf);
}

int tt_prompt_apply_threshold(struct tt_ui *ui, const char *text)
{
	char *end;
	double ms;
	int rc;

	errno = 0;
	ms = strtod(text, &end);
	while (*end == ' ')
		end++;
	if (end == text || *end || errno || !isfinite(ms) || ms < 0 || ms > THRESHOLD_MAX_MS) {
		tt_ui_status(ui, true, "threshold: expected milliseconds between 0 and %.0f",
		             THRESHOLD_MAX_MS);
		return -1;
	}
	if (ui->replay || !ui->src || !ui->src->ops || !ui->src->ops->set_threshold) {
		tt_ui_status(ui, true, "replay: read-only");
		return -1;
	}
	rc = ui->src->ops->set_threshold(ui->src->ctx, ms);
	if (rc < 0) {
		tt_ui_status(ui, true, "threshold: %s", strerror(-rc));
		return -1;
	}
	ui->m->filters.threshold_ms = ms;
	tt_ui_status(ui, false, "threshold set to %g ms%s", ms, ms == 0 ? " (every write)" : "");
	return 0;
}

int tt_prompt_key(struct tt_ui *ui, int ch)
{
	switch (ch) {
	case 27: /* Esc: cancel, and undo the live filter */
		if (ui->prompt == TT_PROMPT_FILTER || ui->prompt == TT_PROMPT_PANE_FILTER)
			snprintf(prompt_filter(ui), TT_FILTER_LEN, "%s", ui->prompt_saved);
		ui->prompt = TT_PROMPT_NONE;
		return TT_HANDLED | TT_REDRAW;
	case '\n':
	case '\r':
	case KEY_ENTER:
		if (ui->prompt == TT_PROMPT_THRESHOLD)
			tt_prompt_apply_threshold(ui, ui->pbuf);
		else if (ui->prompt == TT_PROMPT_PANE_FILTER && ui->tv.filter[0])
			tt_ui_status(ui, false, "pane filter: %s (Esc clears)", ui->tv.filter);
		else if (ui->prompt == TT_PROMPT_PANE_FILTER)
			tt_ui_status(ui, false, "pane filter cleared");
		else if (ui->filter[0])
			tt_ui_status(ui, false, "log filter: %s (Esc clears)", ui->filter);
		else
			tt_ui_status(ui, false, "log filter cleared");
		ui->prompt = TT_PROMPT_NONE;
		return TT_HANDLED | TT_REDRAW;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (ui->plen > 0)
			ui->pbuf[--ui->plen] = '\0';
		break;
	case 21: /* Ctrl-U */
		ui->plen = 0;
		ui->pbuf[0] = '\0';
		break;
	default:
		if (ch < 0x20 || ch > 0x7e)
			return TT_HANDLED; /* keys we do not edit with are swallowed */
		if (ui->prompt == TT_PROMPT_THRESHOLD && !strchr("0123456789.", ch))
			return TT_HANDLED;
		if (ui->plen + 1 < (int)sizeof(ui->pbuf)) {
			ui->pbuf[ui->plen++] = (char)ch;
			ui->pbuf[ui->plen] = '\0';
		}
		break;
	}
	if (ui->prompt == TT_PROMPT_PANE_FILTER)
		snprintf(ui->tv.filter, sizeof(ui->tv.filter), "%s", ui->pbuf);
	if (ui->prompt == TT_PROMPT_FILTER) {
		/* Filter as you type: the log answers each key. */
		snprintf(ui->filter, sizeof(ui->filter), "%s", ui->pbuf);
		ui->log_sel = ui->log_top = 0;
		ui->log_sel_valid = false;
	}
	return TT_HANDLED | TT_REDRAW;
}
