/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The checked readers of the ttytop/1 parsers (json_parse.c, json_parse_go.c):
 * each gets one field, checks its type and range, and on a problem writes one
 * line naming the field ("terminals[2].writes: expected ...") and returns -1.
 */
#ifndef TTYTOP_JSON_IN_H
#define TTYTOP_JSON_IN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "model.h"

#define PATH_LEN 96

struct pc {
	char *err;
	size_t errlen;
};

typedef const char *(*name_fn)(int);

int ji_fail(struct pc *c, const char *path, const char *key, const char *fmt, ...);
void ji_subpath(char *out, const char *path, const char *key, int idx);
void ji_quote(const char *s, char *out, size_t len);
void ji_copy_str(char *dst, size_t cap, const char *src);
const cJSON *ji_get(struct pc *c, const cJSON *o, const char *path, const char *key);
int ji_obj(struct pc *c, const cJSON *o, const char *path, const char *key, const cJSON **out,
           char *subp);
int ji_arr(struct pc *c, const cJSON *o, const char *path, const char *key, const cJSON **out);
int ji_num_to_u64(const cJSON *it, uint64_t max, uint64_t *out);
int ji_val_u64(struct pc *c, const cJSON *it, const char *path, const char *key, uint64_t max,
               uint64_t *out);
int ji_u64(struct pc *c, const cJSON *o, const char *path, const char *key, uint64_t *out);
int ji_u32(struct pc *c, const cJSON *o, const char *path, const char *key, uint32_t *out);
int ji_i64(struct pc *c, const cJSON *o, const char *path, const char *key, int64_t min,
           int64_t max, int64_t *out);
int ji_double(struct pc *c, const cJSON *o, const char *path, const char *key, double min,
              double max, double *out);
int ji_bool(struct pc *c, const cJSON *o, const char *path, const char *key, bool *out);
int ji_str(struct pc *c, const cJSON *o, const char *path, const char *key, char *buf, size_t cap,
           bool nullable);
int ji_name_index(const char *s, int n, const char *(*fn)(int));
int ji_enum(struct pc *c, const cJSON *o, const char *path, const char *key, int n, name_fn fn,
            int *out);
int ji_dev(struct pc *c, const cJSON *o, const char *path, const char *key, uint32_t *out);
int ji_named_counts(struct pc *c, const cJSON *o, const char *path, const char *key, int n,
                    name_fn fn, uint64_t *counts);
int ji_hist(struct pc *c, const cJSON *o, const char *path, const char *key, struct tt_hist *h);
/* One frame {"addr": "0x...", "func", "file", "line", "module"} (nulls: ""/0) into fr. */
int ji_frame(struct pc *c, const cJSON *f, const char *path, struct tt_frame *fr);

#endif
