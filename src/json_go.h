/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The tick and Go parts of a ttytop/1 document, rendered and parsed. */
#ifndef TTYTOP_JSON_GO_H
#define TTYTOP_JSON_GO_H

#include <cjson/cJSON.h>

#include "json_in.h"
#include "model.h"

/* render: 0, or -1 when out of memory */
int tt_json_ticks(cJSON *writer, const struct tt_model *m, uint32_t dev, uint32_t pid);
int tt_json_event_kind(cJSON *event, const struct tt_model_event *e);
int tt_json_processes(cJSON *root, const struct tt_model *m);

/* parse: 0, or -1 with the field named in c; every part is optional (older documents) */
int tt_json_parse_ticks(struct pc *c, const cJSON *writer, const char *path, struct tt_model *m,
                        uint32_t dev, uint32_t pid, const char *comm);
int tt_json_parse_event_kind(struct pc *c, const cJSON *event, const char *path,
                             struct tt_model_event *e);
int tt_json_parse_processes(struct pc *c, const cJSON *root, struct tt_model *m);

#endif
