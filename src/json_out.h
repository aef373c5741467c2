/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The cJSON building blocks of the ttytop/1 renderers; NULL when out of memory. */
#ifndef TTYTOP_JSON_OUT_H
#define TTYTOP_JSON_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "model.h"

/* s (at most cap bytes) with invalid UTF-8 bytes as '?' */
cJSON *jo_str(cJSON *o, const char *key, const char *s, size_t cap);
/* "" means unknown: null */
cJSON *jo_str_or_null(cJSON *o, const char *key, const char *s, size_t cap);
cJSON *jo_num(cJSON *o, const char *key, double v);
cJSON *jo_u64_item(uint64_t v);
/* adds it, or frees it */
cJSON *jo_item(cJSON *o, const char *key, cJSON *it);
cJSON *jo_u64(cJSON *o, const char *key, uint64_t v);
cJSON *jo_i64(cJSON *o, const char *key, int64_t v);
/* RFC 3339 UTC with milliseconds */
void jo_fmt_time(uint64_t ns, char *buf, size_t len);
void jo_fmt_dev(uint32_t dev, char *buf, size_t len);
/* the non-empty buckets as [{"min","max","count"}] */
cJSON *jo_hist(cJSON *o, const char *key, const struct tt_hist *h);
/* a frame {"addr","func","file","line","module"}; "" and line 0 are null */
cJSON *jo_frame_obj(uint64_t addr, const char *func, const char *file, int line,
                    const char *module);
/* the same, appended to arr */
int jo_frame(cJSON *arr, uint64_t addr, const char *func, const char *file, int line,
             const char *module);
/* schema, time, host, interval_s, uptime_s: what every document starts with */
int jo_header(cJSON *root, const struct tt_model *m);

#endif
