/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The ttytop/1 JSON document: one object per --json interval and the
 * dashboard's snapshot. docs/ttytop-1.schema.json is the contract.
 */
#ifndef TTYTOP_JSON_H
#define TTYTOP_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "model.h"

/*
 * Serialize m. Events with seq >= since_seq only (0 = the whole ring).
 * Returns a malloc'd, NUL-terminated string (one line when compact), or NULL.
 */
char *tt_json_render(const struct tt_model *m, uint64_t since_seq, bool compact);

/*
 * Load a ttytop/1 document into m (which must be tt_model_init'ed). Every
 * field is bounds-checked; on error returns -1 and a one-line reason in err.
 */
int tt_json_parse(const char *text, size_t len, struct tt_model *m, char *err, size_t errlen);
int tt_json_load_file(const char *path, struct tt_model *m, char *err, size_t errlen);

#endif
