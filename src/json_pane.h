/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The goroutine/thread pane (pane.h) in ttytop/1: the --json --threads
 * document, and the "panes" a snapshot carries (docs/json.md). The frames
 * have the shape of an event's. Neither side calls the pane's reader, so the
 * JSON code links (and fuzzes) without /proc or process memory.
 */
#ifndef TTYTOP_JSON_PANE_H
#define TTYTOP_JSON_PANE_H

#include <stdbool.h>
#include <cjson/cJSON.h>

#include "json_in.h"
#include "model.h"
#include "pane.h"

/* render: 0, or -1 when out of memory */
/* "pane", "threads" and (Go) "goroutines" members added to o */
int tt_json_pane(cJSON *o, const struct tt_pane *p);
/* the top-level "panes" array, when the model keeps any */
int tt_json_panes(cJSON *root, const struct tt_model *m);
/* The --threads document: the header of m (time, host, interval, uptime) and p. */
char *tt_json_render_pane(const struct tt_model *m, const struct tt_pane *p, bool compact);

/*
 * parse: 0, or -1 with the field named in c. Optional, like every part
 * added within ttytop/1: a document without "panes" loads with none.
 */
int tt_json_parse_panes(struct pc *c, const cJSON *root, struct tt_model *m);
/* A --threads document (it has "pane"): its pane kept in m. */
int tt_json_parse_pane_doc(struct pc *c, const cJSON *root, struct tt_model *m);

#endif
