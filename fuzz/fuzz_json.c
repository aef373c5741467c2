// srcs: src/json_parse.c src/json_parse_go.c src/json_parse_pane.c src/panetab.c src/json_in.c src/utf8.c src/model.c src/model_go.c src/hist.c src/names.c src/strtab.c
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
#include "pane.h"

static struct tt_model *model;

static void check_stack(const struct tt_pane *p, const struct tt_pane_stack *s)
{
	if (s->n > TT_PANE_DEPTH)
		abort();
	for (int i = 0; i < s->n; i++)
		if (s->f[i].name != UINT32_MAX && s->f[i].name >= p->nnames)
			abort();
}

/* A loaded pane stays inside what a model keeps, every name in its table. */
static void check_panes(const struct tt_model *m)
{
	if (m->npanes < 0 || m->npanes > TT_PANE_MAX)
		abort();
	for (int i = 0; i < m->npanes; i++) {
		const struct tt_pane *p = &m->panes[i];

		if (p->nthreads < 0 || p->nthreads > TT_MODEL_PANE_THREADS || p->ngoroutines < 0 ||
		    p->ngoroutines > TT_PANE_SNAP_GOROUTINES || p->nnames > TT_PANE_FRAMES ||
		    (p->ngoroutines && !p->gs) || memchr(p->comm, '\0', sizeof(p->comm)) == NULL)
			abort();
		for (int k = 0; k < p->nthreads; k++) {
			check_stack(p, &p->threads[k].ustack);
			check_stack(p, &p->threads[k].kstack);
		}
		for (int k = 0; k < p->ngoroutines; k++) {
			check_stack(p, &p->gs[k].stack);
			if (p->gs[k].top >= p->gs[k].stack.n)
				abort();
		}
	}
}

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
		check_panes(model);
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
