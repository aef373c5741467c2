// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Bottom two lines: status (messages, prompt) and the function-key bar. */
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

static const struct {
	const char *key, *label;
	int code; /* what a click on it types */
} keys[] = {
    {"F1", "Help", KEY_F(1)},     {"F2", "Theme", KEY_F(2)}, {"F3", "Filter", KEY_F(3)},
    {"F5", "Snapshot", KEY_F(5)}, {"F6", "Sort", KEY_F(6)},  {"F10", "Quit", KEY_F(10)},
    {"Space", "Pause", ' '},
};

int tt_keybar_key_at(int x)
{
	int i, start = 0;

	for (i = 0; i < (int)(sizeof(keys) / sizeof(keys[0])); i++) {
		int end = start + (int)strlen(keys[i].key) + (int)strlen(keys[i].label) + 1;

		if (x >= start && x < end)
			return keys[i].code;
		start = end;
	}
	return 0;
}

static void keybar_draw(struct tt_ui *ui, WINDOW *w, int h, int wd)
{
	int x = 0, i, y = h - 1;

	if (h >= 2) {
		if (ui->prompt) {
			char buf[TT_FILTER_LEN + 48], p[TT_FILTER_LEN];

			tt_fmt_sanitize(ui->pbuf, sizeof(ui->pbuf), p, sizeof(p));
			snprintf(
			    buf, sizeof(buf), "%s%s_",
			    ui->prompt == TT_PROMPT_FILTER ? "filter: " : "threshold (ms): ", p);
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
	for (i = 0; i < (int)(sizeof(keys) / sizeof(keys[0])) && x < wd; i++) {
		x += tt_draw_text(w, y, x, wd - x, keys[i].key, tt_theme_attr(TT_EL_KEYBAR_KEY));
		x +=
		    tt_draw_text(w, y, x, wd - x, keys[i].label, tt_theme_attr(TT_EL_KEYBAR_LABEL));
		x += tt_draw_text(w, y, x, wd - x, " ", tt_theme_attr(TT_EL_KEYBAR_LABEL));
	}
}

const struct tt_pane_ops tt_keybar_pane = {
    .name = "keybar",
    .draw = keybar_draw,
};
