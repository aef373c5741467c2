// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Bottom two lines: status (messages, prompt) and the function-key bar. */
#include "actions.h"
#include "ui.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void tt_ui_status(struct tt_ui *ui, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ui->status, sizeof(ui->status), fmt, ap);
	va_end(ap);
	ui->status_err = error;
}

/* "F5" then "Snapshot", for the actions on the bar in their order. */
static const char *bar_key(const struct tt_action *a, char *buf, size_t len)
{
	const char *n = tt_key_name(a->bar_code, false, buf, len);

	return n ? n : "?";
}

int tt_keybar_key_at(int x)
{
	const struct tt_action *a;
	int pos, start = 0;
	char b[16];

	for (pos = 1; (a = tt_action_bar(pos)); pos++) {
		int end =
		    start + (int)strlen(bar_key(a, b, sizeof(b))) + (int)strlen(a->bar_label) + 1;

		if (x >= start && x < end)
			return a->bar_code;
		start = end;
	}
	return 0;
}

static void keybar_draw(struct tt_ui *ui, WINDOW *w, int h, int wd)
{
	const struct tt_action *a;
	int x = 0, pos, y = h - 1;
	char b[16];

	if (h >= 2) {
		if (ui->prompt) {
			char buf[TT_FILTER_LEN + 48], p[TT_FILTER_LEN];

			tt_fmt_sanitize(ui->pbuf, sizeof(ui->pbuf), p, sizeof(p));
			snprintf(buf, sizeof(buf), "%s%s_",
			         ui->prompt == TT_PROMPT_FILTER        ? "filter: "
			         : ui->prompt == TT_PROMPT_PANE_FILTER ? "pane filter: "
			                                               : "threshold (ms): ",
			         p);
			tt_draw_fill(w, 0, 0, wd, tt_theme_attr(TT_EL_PROMPT));
			tt_draw_text(w, 0, 1, wd - 2, buf, tt_theme_attr(TT_EL_PROMPT));
		} else {
			enum tt_el el = ui->status_err ? TT_EL_STATUS_ERROR : TT_EL_STATUS;
			char s[sizeof(ui->status)];

			tt_fmt_sanitize(ui->status, sizeof(ui->status), s, sizeof(s));
			tt_draw_fill(w, 0, 0, wd, tt_theme_attr(TT_EL_STATUS));
			if (s[0])
				tt_draw_text(w, 0, 1, wd - 2, s, tt_theme_attr(el));
		}
	}
	tt_draw_fill(w, y, 0, wd, tt_theme_attr(TT_EL_KEYBAR_LABEL));
	for (pos = 1; (a = tt_action_bar(pos)) && x < wd; pos++) {
		x += tt_draw_text(w, y, x, wd - x, bar_key(a, b, sizeof(b)),
		                  tt_theme_attr(TT_EL_KEYBAR_KEY));
		x += tt_draw_text(w, y, x, wd - x, a->bar_label, tt_theme_attr(TT_EL_KEYBAR_LABEL));
		x += tt_draw_text(w, y, x, wd - x, " ", tt_theme_attr(TT_EL_KEYBAR_LABEL));
	}
}

const struct tt_pane_ops tt_keybar_pane = {
    .name = "keybar",
    .draw = keybar_draw,
};
