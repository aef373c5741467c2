/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The dashboard, as seen by main.c. */
#ifndef TTYTOP_TUI_H
#define TTYTOP_TUI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h> /* opts.h uses FILE without including it */

#include "model.h"
#include "opts.h"
#include "source.h"

/*
 * Run the dashboard until the user quits or SIGINT/SIGTERM/SIGHUP arrives.
 * src->ops == NULL means replay: read-only, nothing refreshes. The terminal is
 * restored on every way out. Returns 0, or -1 with a one-line message in err.
 */
int tt_tui_run(struct tt_model *m, struct tt_source *src, const struct tt_opts *o, char *err,
               size_t errlen);

/* Can a dashboard run here (stdin/stdout are terminals, TERM usable)? */
bool tt_tui_usable(char *why, size_t len);

/*
 * Validate --theme before the screen starts: 0, or -1 with
 * "FILE:LINE: problem" / "unknown theme 'x'" in err.
 */
int tt_theme_check(const char *name_or_path, char *err, size_t errlen);

#endif
