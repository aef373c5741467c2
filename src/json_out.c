// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The cJSON building blocks of the ttytop/1 renderers (json_render.c,
 * json_go.c): strings made valid UTF-8, unknowns as null, integers exact
 * past 2^53, histograms as non-empty buckets.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "json_out.h"
#include "utf8.h"

/*
 * Strings come from the kernel (comm is whatever prctl set) and from ELF
 * files of other users: a stray byte must not make the whole document
 * invalid UTF-8. Invalid bytes become '?'; cJSON escapes control characters.
 */
cJSON *jo_str(cJSON *o, const char *key, const char *s, size_t cap)
{
	char buf[512];
	size_t n = strnlen(s, cap), i = 0, w = 0, l;

	if (n > sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	while (i < n) {
		l = tt_utf8_seq_len((const unsigned char *)s + i, n - i);
		if (l == 0) {
			buf[w++] = '?';
			i++;
			continue;
		}
		memcpy(buf + w, s + i, l);
		w += l;
		i += l;
	}
	buf[w] = '\0';
	return cJSON_AddStringToObject(o, key, buf);
}

/* A string field whose empty value means "unknown": null, never "". */
cJSON *jo_str_or_null(cJSON *o, const char *key, const char *s, size_t cap)
{
	if (strnlen(s, cap) == 0)
		return cJSON_AddNullToObject(o, key);
	return jo_str(o, key, s, cap);
}

cJSON *jo_num(cJSON *o, const char *key, double v)
{
	/* cJSON prints NaN/inf as null, which would break the schema. */
	return cJSON_AddNumberToObject(o, key, isfinite(v) ? v : 0);
}

/*
 * Above 2^53 a double cannot hold every integer (realtime ns timestamps are
 * ~2^60), and from 1e15 up cJSON prints doubles as "1e+15", which many
 * readers take for a float. Large values are therefore written as plain
 * decimal digits, so readers with 64-bit integers (Python, Go, jq 1.7+) get
 * them exactly; readers that use doubles, cJSON included, round them.
 */
#define EXACT_MAX 999999999999999ull

cJSON *jo_u64_item(uint64_t v)
{
	char buf[24];

	if (v <= EXACT_MAX)
		return cJSON_CreateNumber((double)v);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	return cJSON_CreateRaw(buf);
}

cJSON *jo_item(cJSON *o, const char *key, cJSON *it)
{
	if (!it || !cJSON_AddItemToObject(o, key, it)) {
		cJSON_Delete(it);
		return NULL;
	}
	return it;
}

cJSON *jo_u64(cJSON *o, const char *key, uint64_t v)
{
	return jo_item(o, key, jo_u64_item(v));
}

cJSON *jo_i64(cJSON *o, const char *key, int64_t v)
{
	char buf[24];

	if (v >= -(int64_t)EXACT_MAX && v <= (int64_t)EXACT_MAX)
		return cJSON_AddNumberToObject(o, key, (double)v);
	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	return jo_item(o, key, cJSON_CreateRaw(buf));
}

void jo_fmt_time(uint64_t ns, char *buf, size_t len)
{
	time_t sec = (time_t)(ns / 1000000000ull);
	unsigned ms = (unsigned)((ns / 1000000ull) % 1000);
	struct tm tm;
	size_t n;

	if (!gmtime_r(&sec, &tm)) {
		snprintf(buf, len, "1970-01-01T00:00:00.000Z");
		return;
	}
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%03uZ", ms);
}

void jo_fmt_dev(uint32_t dev, char *buf, size_t len)
{
	snprintf(buf, len, "%u:%u", dev >> 20, dev & 0xfffff);
}

cJSON *jo_hist(cJSON *o, const char *key, const struct tt_hist *h)
{
	cJSON *a = cJSON_AddArrayToObject(o, key);
	uint64_t lo, hi;

	if (!a)
		return NULL;
	for (uint32_t i = 0; i < TT_HIST_BUCKETS; i++) {
		cJSON *b;

		if (!h->counts[i])
			continue;
		b = cJSON_CreateObject();
		if (!b || !cJSON_AddItemToArray(a, b))
			return cJSON_Delete(b), NULL;
		tt_hist_bounds(i, &lo, &hi);
		if (!jo_u64(b, "min", lo) || !jo_u64(b, "max", hi) ||
		    !jo_u64(b, "count", h->counts[i]))
			return NULL;
	}
	return a;
}

cJSON *jo_frame_obj(uint64_t addr, const char *func, const char *file, int line, const char *module)
{
	cJSON *fo = cJSON_CreateObject();
	char buf[24];

	if (!fo)
		return NULL;
	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)addr);
	if (!cJSON_AddStringToObject(fo, "addr", buf) ||
	    !jo_str_or_null(fo, "func", func, TT_FUNC_LEN) ||
	    !jo_str_or_null(fo, "file", file, TT_FILE_LEN) ||
	    !(line > 0 ? jo_i64(fo, "line", line) : cJSON_AddNullToObject(fo, "line")) ||
	    !jo_str_or_null(fo, "module", module, TT_MODULE_LEN)) {
		cJSON_Delete(fo);
		return NULL;
	}
	return fo;
}

int jo_frame(cJSON *arr, uint64_t addr, const char *func, const char *file, int line,
             const char *module)
{
	cJSON *fo = jo_frame_obj(addr, func, file, line, module);

	if (!fo || !cJSON_AddItemToArray(arr, fo))
		return cJSON_Delete(fo), -1;
	return 0;
}

int jo_header(cJSON *root, const struct tt_model *m)
{
	cJSON *x;
	char buf[40];
	uint64_t up;

	jo_fmt_time(m->now_realtime_ns, buf, sizeof(buf));
	up = m->now_realtime_ns > m->start_realtime_ns ? m->now_realtime_ns - m->start_realtime_ns
	                                               : 0;
	if (!cJSON_AddStringToObject(root, "schema", TT_SCHEMA) ||
	    !cJSON_AddStringToObject(root, "time", buf))
		return -1;
	if (!(x = cJSON_AddObjectToObject(root, "host")) ||
	    !jo_str(x, "hostname", m->host.hostname, sizeof(m->host.hostname)) ||
	    !jo_str(x, "kernel", m->host.kernel, sizeof(m->host.kernel)))
		return -1;
	if (!jo_num(root, "interval_s", m->interval_s) || !jo_num(root, "uptime_s", up / 1e9))
		return -1;
	return 0;
}
