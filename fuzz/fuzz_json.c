// srcs: src/json_parse.c src/json_parse_go.c src/json_in.c src/utf8.c src/model.c src/model_go.c src/hist.c src/names.c
/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * libFuzzer target: --replay opens files from anywhere, so tt_json_parse must
 * never crash, hang or write out of bounds, whatever the bytes. Besides not
 * crashing, a successful parse must leave the model inside its own limits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

static struct tt_model *model;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];

	/* The model is ~2.5 MiB plus the event ring: set it up once, the parser resets it. */
	if (!model) {
		model = calloc(1, sizeof(*model));
		if (!model || tt_model_init(model) != 0)
			abort();
	}
	if (tt_json_parse((const char *)data, size, model, err, sizeof(err)) == 0) {
		if (model->nterminals < 0 || model->nterminals > TT_MODEL_MAX_TERMINALS ||
		    model->ev_count > TT_MODEL_EVENT_RING || !model->replay)
			abort();
		for (int i = 0; i < model->nterminals; i++) {
			const struct tt_terminal *t = &model->terminals[i];

			if (t->spark_len < 0 || t->spark_len > TT_SPARK_LEN || t->nwriters < 0 ||
			    t->nwriters > TT_MODEL_MAX_WRITERS ||
			    memchr(t->name, '\0', sizeof(t->name)) == NULL)
				abort();
		}
		for (uint32_t i = 0; i < model->ev_count; i++) {
			const struct tt_model_event *e = tt_model_event_at(model, i);

			if (e->ustack.n < 0 || e->ustack.n > TT_USTACK_MAX || e->kstack.n < 0 ||
			    e->kstack.n > TT_KSTACK_MAX || (unsigned)e->class >= TT_CLASS_NR ||
			    (unsigned)e->reason >= TT_REASON_NR ||
			    (unsigned)e->syscall >= TT_SYS_NR)
				abort();
		}
	} else if (err[0] == '\0' || memchr(err, '\n', strnlen(err, sizeof(err)))) {
		abort(); /* every failure explains itself on one line */
	}
	return 0;
}
