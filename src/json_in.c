// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Checked field readers for the ttytop/1 parsers: the document may come from
 * anywhere, so every value is type- and range-checked and every string cut to
 * its buffer; the first problem is reported as one line naming the field.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_in.h"
#include "utf8.h"

int ji_fail(struct pc *c, const char *path, const char *key, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!c->err || c->errlen == 0)
		return -1;
	if (path && path[0] && key)
		snprintf(c->err, c->errlen, "%s.%s: %s", path, key, msg);
	else if (path && path[0])
		snprintf(c->err, c->errlen, "%s: %s", path, msg);
	else if (key)
		snprintf(c->err, c->errlen, "%s: %s", key, msg);
	else
		snprintf(c->err, c->errlen, "%s", msg);
	return -1;
}

/* Build "path.key" / "path[i]" for nested error messages. */
void ji_subpath(char *out, const char *path, const char *key, int idx)
{
	const char *dot = path[0] ? "." : "";
	int n;

	/* Paths are short in practice; a cut one only shortens an error message. */
	if (idx >= 0 && key)
		n = snprintf(out, PATH_LEN, "%s%s%s[%d]", path, dot, key, idx);
	else if (idx >= 0)
		n = snprintf(out, PATH_LEN, "%s[%d]", path, idx);
	else
		n = snprintf(out, PATH_LEN, "%s%s%s", path, dot, key);
	if (n < 0)
		out[0] = '\0';
}

/* Printable, bounded rendering of a hostile string for an error message. */
void ji_quote(const char *s, char *out, size_t len)
{
	size_t w = 0;

	for (; s && *s && w + 4 < len; s++)
		out[w++] = (unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f ? *s : '?';
	if (s && *s && w + 3 < len)
		out[w++] = '.', out[w++] = '.', out[w++] = '.';
	out[w] = '\0';
}

/*
 * Copy into a fixed buffer. Cuts only between UTF-8 sequences, and turns
 * control characters and invalid bytes into '?': these strings end up on the
 * user's terminal in the dashboard, and a snapshot must not be able to send
 * escape sequences there.
 */
void ji_copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src), i = 0, w = 0, l;

	while (i < n) {
		unsigned char ch = (unsigned char)src[i];

		l = tt_utf8_seq_len((const unsigned char *)src + i, n - i);
		if (l == 0 || ch < 0x20 || ch == 0x7f)
			l = 1, ch = '?';
		else if (l == 1 && ch >= 0x80)
			ch = '?';
		if (w + l > cap - 1)
			break;
		if (l == 1)
			dst[w] = (char)ch;
		else
			memcpy(dst + w, src + i, l);
		w += l;
		i += l;
	}
	dst[w] = '\0';
}

const cJSON *ji_get(struct pc *c, const cJSON *o, const char *path, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!it)
		ji_fail(c, path, key, "missing");
	return it;
}

int ji_obj(struct pc *c, const cJSON *o, const char *path, const char *key, const cJSON **out,
           char *subp)
{
	const cJSON *it = ji_get(c, o, path, key);

	if (!it)
		return -1;
	if (!cJSON_IsObject(it))
		return ji_fail(c, path, key, "expected an object");
	*out = it;
	ji_subpath(subp, path, key, -1);
	return 0;
}

int ji_arr(struct pc *c, const cJSON *o, const char *path, const char *key, const cJSON **out)
{
	const cJSON *it = ji_get(c, o, path, key);

	if (!it)
		return -1;
	if (!cJSON_IsArray(it))
		return ji_fail(c, path, key, "expected an array");
	*out = it;
	return 0;
}

/* A JSON number that is a whole value in [0, max]. */
int ji_num_to_u64(const cJSON *it, uint64_t max, uint64_t *out)
{
	double v;

	if (!cJSON_IsNumber(it))
		return -1;
	v = it->valuedouble;
	if (!isfinite(v) || v < 0 || v != floor(v))
		return -1;
	/* 2^64 is what UINT64_MAX becomes as a double: accept it as the max. */
	if (v >= 18446744073709551616.0) {
		if (v > 18446744073709551616.0 || max != UINT64_MAX)
			return -1;
		*out = UINT64_MAX;
		return 0;
	}
	if ((uint64_t)v > max)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

int ji_val_u64(struct pc *c, const cJSON *it, const char *path, const char *key, uint64_t max,
               uint64_t *out)
{
	if (ji_num_to_u64(it, max, out) < 0) {
		if (max == UINT64_MAX)
			return ji_fail(c, path, key, "expected a non-negative integer");
		return ji_fail(c, path, key, "expected an integer in 0..%llu",
		               (unsigned long long)max);
	}
	return 0;
}

int ji_u64(struct pc *c, const cJSON *o, const char *path, const char *key, uint64_t *out)
{
	const cJSON *it = ji_get(c, o, path, key);

	return it ? ji_val_u64(c, it, path, key, UINT64_MAX, out) : -1;
}

int ji_u32(struct pc *c, const cJSON *o, const char *path, const char *key, uint32_t *out)
{
	const cJSON *it = ji_get(c, o, path, key);
	uint64_t v;

	if (!it || ji_val_u64(c, it, path, key, UINT32_MAX, &v) < 0)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int ji_i64(struct pc *c, const cJSON *o, const char *path, const char *key, int64_t min,
           int64_t max, int64_t *out)
{
	const cJSON *it = ji_get(c, o, path, key);
	double v;

	if (!it)
		return -1;
	if (!cJSON_IsNumber(it))
		return ji_fail(c, path, key, "expected an integer");
	v = it->valuedouble;
	/* INT64_MAX becomes 2^63 as a double (as UINT64_MAX does in num_to_u64). */
	if (v == 9223372036854775808.0 && max == INT64_MAX) {
		*out = INT64_MAX;
		return 0;
	}
	/* Compare as doubles against bounds that are exact powers of two. */
	if (!isfinite(v) || v != floor(v) || v < (double)min || v >= 9223372036854775808.0 ||
	    (int64_t)v > max)
		return ji_fail(c, path, key, "expected an integer in %lld..%lld", (long long)min,
		               (long long)max);
	*out = (int64_t)v;
	return 0;
}

int ji_double(struct pc *c, const cJSON *o, const char *path, const char *key, double min,
              double max, double *out)
{
	const cJSON *it = ji_get(c, o, path, key);

	if (!it)
		return -1;
	if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble))
		return ji_fail(c, path, key, "expected a number");
	if (it->valuedouble < min || it->valuedouble > max)
		return ji_fail(c, path, key, "expected a number in %g..%g", min, max);
	*out = it->valuedouble;
	return 0;
}

int ji_bool(struct pc *c, const cJSON *o, const char *path, const char *key, bool *out)
{
	const cJSON *it = ji_get(c, o, path, key);

	if (!it)
		return -1;
	if (!cJSON_IsBool(it))
		return ji_fail(c, path, key, "expected true or false");
	*out = cJSON_IsTrue(it);
	return 0;
}

/* nullable: JSON null gives "" (the model's "unknown"). */
int ji_str(struct pc *c, const cJSON *o, const char *path, const char *key, char *buf, size_t cap,
           bool nullable)
{
	const cJSON *it = ji_get(c, o, path, key);

	if (!it)
		return -1;
	if (nullable && cJSON_IsNull(it)) {
		buf[0] = '\0';
		return 0;
	}
	if (!cJSON_IsString(it) || !it->valuestring)
		return ji_fail(c, path, key,
		               nullable ? "expected a string or null" : "expected a string");
	ji_copy_str(buf, cap, it->valuestring);
	return 0;
}

int ji_name_index(const char *s, int n, const char *(*fn)(int))
{
	for (int i = 0; i < n; i++)
		if (strcmp(fn(i), s) == 0)
			return i;
	return -1;
}

int ji_enum(struct pc *c, const cJSON *o, const char *path, const char *key, int n, name_fn fn,
            int *out)
{
	const cJSON *it = ji_get(c, o, path, key);
	char q[48];
	int v;

	if (!it)
		return -1;
	if (!cJSON_IsString(it) || !it->valuestring)
		return ji_fail(c, path, key, "expected a string");
	v = ji_name_index(it->valuestring, n, fn);
	if (v < 0) {
		ji_quote(it->valuestring, q, sizeof(q));
		return ji_fail(c, path, key, "unknown value \"%s\"", q);
	}
	*out = v;
	return 0;
}

/* "MAJOR:MINOR" in decimal -> kernel encoding. */
int ji_dev(struct pc *c, const cJSON *o, const char *path, const char *key, uint32_t *out)
{
	const cJSON *it = ji_get(c, o, path, key);
	unsigned long maj, min;
	const char *s;
	char *end;

	if (!it)
		return -1;
	if (!cJSON_IsString(it) || !it->valuestring)
		return ji_fail(c, path, key, "expected a \"MAJOR:MINOR\" string");
	s = it->valuestring;
	if (!isdigit((unsigned char)s[0]))
		goto bad;
	errno = 0;
	maj = strtoul(s, &end, 10);
	if (errno || *end != ':' || !isdigit((unsigned char)end[1]) || maj > 0xfff)
		goto bad;
	min = strtoul(end + 1, &end, 10);
	if (errno || *end || min > 0xfffff)
		goto bad;
	*out = (uint32_t)(maj << 20 | min);
	return 0;
bad:
	return ji_fail(c, path, key, "expected \"MAJOR:MINOR\" (major <= 4095, minor <= 1048575)");
}

/* Counters keyed by enum names, e.g. {"EIO": 3}. Absent names are zero. */
int ji_named_counts(struct pc *c, const cJSON *o, const char *path, const char *key, int n,
                    name_fn fn, uint64_t *counts)
{
	const cJSON *obj, *it;
	char p[PATH_LEN], q[48];
	int idx;

	if (ji_obj(c, o, path, key, &obj, p) < 0)
		return -1;
	cJSON_ArrayForEach(it, obj)
	{
		idx = ji_name_index(it->string ? it->string : "", n, fn);
		if (idx < 0) {
			ji_quote(it->string, q, sizeof(q));
			return ji_fail(c, p, NULL, "unknown key \"%s\"", q);
		}
		if (ji_val_u64(c, it, p, it->string, UINT64_MAX, &counts[idx]) < 0)
			return -1;
	}
	return 0;
}

int ji_hist(struct pc *c, const cJSON *o, const char *path, const char *key, struct tt_hist *h)
{
	const cJSON *a, *b;
	char p[PATH_LEN];
	uint64_t min, max, cnt, lo, hi;
	uint32_t idx;
	int i = 0;

	if (ji_arr(c, o, path, key, &a) < 0)
		return -1;
	/* Our writer emits each bucket at most once. */
	if (cJSON_GetArraySize(a) > (int)TT_HIST_BUCKETS)
		return ji_fail(c, path, key, "more than %d buckets", TT_HIST_BUCKETS);
	cJSON_ArrayForEach(b, a)
	{
		ji_subpath(p, path, key, i++);
		if (!cJSON_IsObject(b))
			return ji_fail(c, p, NULL, "expected an object");
		if (ji_u64(c, b, p, "min", &min) < 0 || ji_u64(c, b, p, "max", &max) < 0 ||
		    ji_u64(c, b, p, "count", &cnt) < 0)
			return -1;
		idx = tt_hist_bucket(min);
		tt_hist_bounds(idx, &lo, &hi);
		/* Bounds that are not ours mean another bucket layout: refuse, don't guess. */
		if (lo != min || hi != max)
			return ji_fail(c, p, NULL, "[%llu, %llu) is not a ttytop/1 bucket",
			               (unsigned long long)min, (unsigned long long)max);
		h->counts[idx] =
		    h->counts[idx] > UINT64_MAX - cnt ? UINT64_MAX : h->counts[idx] + cnt;
	}
	return 0;
}

/* "0x" and 1..16 hex digits. */
static int parse_addr(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	int n = 0;

	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return -1;
	for (s += 2; *s; s++, n++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return -1;
		if (n >= 16)
			return -1;
		v = v << 4 | (uint64_t)d;
	}
	if (n == 0)
		return -1;
	*out = v;
	return 0;
}

int ji_frame(struct pc *c, const cJSON *f, const char *p, struct tt_frame *fr)
{
	char func[TT_FUNC_LEN], file[TT_FILE_LEN], module[TT_MODULE_LEN];
	const cJSON *it;
	int64_t line;

	if (!cJSON_IsObject(f))
		return ji_fail(c, p, NULL, "expected an object");
	memset(fr, 0, sizeof(*fr));
	it = ji_get(c, f, p, "addr");
	if (!it)
		return -1;
	if (!cJSON_IsString(it) || !it->valuestring || parse_addr(it->valuestring, &fr->addr))
		return ji_fail(c, p, "addr", "expected a \"0x...\" hex string");
	if (ji_str(c, f, p, "func", func, sizeof(func), true) < 0 ||
	    ji_str(c, f, p, "file", file, sizeof(file), true) < 0 ||
	    ji_str(c, f, p, "module", module, sizeof(module), true) < 0)
		return -1;
	tt_frame_set_func(fr, func);
	tt_frame_set_file(fr, file);
	tt_frame_set_module(fr, module);
	it = ji_get(c, f, p, "line");
	if (!it)
		return -1;
	if (!cJSON_IsNull(it)) {
		if (ji_i64(c, f, p, "line", 0, INT32_MAX, &line) < 0)
			return -1;
		fr->line = (int)line;
	}
	return 0;
}
