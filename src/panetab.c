// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A pane's rows and its table of named frames (pane.h): each distinct
 * frame once, found again through an open-addressing index. Apart from the
 * reader (pane.c) so that the JSON parser and the fuzzers fill panes the
 * same way without linking /proc and process-memory code.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pane.h"

#define HASH_SLOTS (TT_PANE_FRAMES * 2) /* open addressing, half full at most */

struct pane_hash {
	uint32_t slot[HASH_SLOTS]; /* index + 1 into names; 0 = empty */
};

uint32_t tt_pane_str_hash(uint32_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u; /* FNV-1a */
	return h;
}

int tt_pane_names_alloc(struct tt_pane *p)
{
	p->names = calloc(TT_PANE_FRAMES, sizeof(*p->names));
	p->hash = calloc(1, sizeof(struct pane_hash));
	p->nnames = 0;
	return p->names && p->hash ? 0 : -ENOMEM;
}

void tt_pane_names_reset(struct tt_pane *p)
{
	p->nnames = 0;
	if (p->hash)
		memset(p->hash, 0, sizeof(struct pane_hash));
}

int tt_pane_alloc(struct tt_pane *p, bool go)
{
	memset(p, 0, sizeof(*p));
	p->threads = calloc(TT_PANE_THREADS, sizeof(*p->threads));
	if (go)
		p->gs = calloc(TT_PANE_GOROUTINES, sizeof(*p->gs));
	if (tt_pane_names_alloc(p) || !p->threads || (go && !p->gs)) {
		tt_pane_free(p);
		return -ENOMEM;
	}
	return 0;
}

void tt_pane_free(struct tt_pane *p)
{
	free(p->threads);
	free(p->gs);
	free(p->names);
	free(p->hash);
	memset(p, 0, sizeof(*p));
}

static uint32_t name_hash(const struct tt_pane_name *n)
{
	uint32_t h = tt_pane_str_hash(2166136261u, n->func);

	h = tt_pane_str_hash(h, n->file);
	return (tt_pane_str_hash(h, n->module) ^ (uint32_t)n->line) * 16777619u;
}

static bool name_eq(const struct tt_pane_name *a, const struct tt_pane_name *b)
{
	return a->line == b->line && !strcmp(a->func, b->func) && !strcmp(a->module, b->module) &&
	       !strcmp(a->file, b->file);
}

uint32_t tt_pane_intern(struct tt_pane *p, const struct tt_pane_name *n)
{
	struct pane_hash *h = p->hash;
	uint32_t i;

	if (!h || !p->names)
		return UINT32_MAX;
	i = name_hash(n) % HASH_SLOTS;
	for (int probe = 0; probe < HASH_SLOTS; probe++, i = (i + 1) % HASH_SLOTS) {
		uint32_t k = h->slot[i];

		if (!k)
			break;
		if (name_eq(&p->names[k - 1], n))
			return k - 1;
	}
	if (p->nnames >= TT_PANE_FRAMES || h->slot[i])
		return UINT32_MAX;
	p->names[p->nnames] = *n;
	h->slot[i] = ++p->nnames;
	return p->nnames - 1;
}

const struct tt_pane_name *tt_pane_frame_name(const struct tt_pane *p,
                                              const struct tt_pane_frame *f)
{
	if (!p->names || f->name >= p->nnames)
		return NULL;
	return &p->names[f->name];
}
