// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "format.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Three significant digits: the eye reads magnitude first, then two digits. */
static void sig3(char *buf, size_t len, double v, const char *unit)
{
	if (v < 9.995)
		snprintf(buf, len, "%.2f%s", v, unit);
	else if (v < 99.95)
		snprintf(buf, len, "%.1f%s", v, unit);
	else
		snprintf(buf, len, "%.0f%s", v, unit);
}

char *tt_fmt_ns(uint64_t ns, char *buf, size_t len)
{
	double v = (double)ns;

	if (!buf || !len)
		return buf;
	if (ns < 1000)
		snprintf(buf, len, "%uns", (unsigned)ns);
	else if (v < 999.5e3)
		sig3(buf, len, v / 1e3, "us");
	else if (v < 999.5e6)
		sig3(buf, len, v / 1e6, "ms");
	else if (v < 99.95e9)
		sig3(buf, len, v / 1e9, "s");
	else if (v < 99.95 * 60e9)
		sig3(buf, len, v / 60e9, "m");
	else
		sig3(buf, len, v / 3600e9, "h");
	return buf;
}

/*
 * v in units of base (units[0] = base, units[1] = base^2, ...): one decimal
 * below 10, none above. A value that would round up to base moves to the
 * next unit ("1.0K", not "1024B").
 */
static char *scaled(double v, double base, const char *const *units, int nunits, char *buf,
                    size_t len)
{
	int u = -1;

	while (v >= base - 0.5 && u < nunits - 1) {
		v /= base;
		u++;
	}
	if (v < 9.95)
		snprintf(buf, len, "%.1f%s", v, units[u]);
	else
		snprintf(buf, len, "%.0f%s", v, units[u]);
	return buf;
}

char *tt_fmt_bytes(double b, char *buf, size_t len)
{
	static const char *const units[] = {"K", "M", "G", "T", "P"};

	if (!buf || !len)
		return buf;
	if (!(b >= 0) || isinf(b))
		b = 0;
	if (b < 1023.5) {
		snprintf(buf, len, "%.0fB", b);
		return buf;
	}
	return scaled(b, 1024, units, 5, buf, len);
}

char *tt_fmt_count(double v, char *buf, size_t len)
{
	static const char *const units[] = {"k", "M", "G", "T"};

	if (!buf || !len)
		return buf;
	if (!(v >= 0) || isinf(v))
		v = 0;
	if (v == 0) {
		snprintf(buf, len, "0");
		return buf;
	}
	if (v < 9.995) {
		snprintf(buf, len, "%.1f", v);
		return buf;
	}
	if (v < 999.5) {
		snprintf(buf, len, "%.0f", v);
		return buf;
	}
	return scaled(v, 1000, units, 4, buf, len);
}

char *tt_fmt_total(uint64_t v, char *buf, size_t len)
{
	if (!buf || !len)
		return buf;
	/* Exact while it is short: a small total is read digit by digit. */
	if (v < 100000)
		snprintf(buf, len, "%llu", (unsigned long long)v);
	else
		tt_fmt_count((double)v, buf, len);
	return buf;
}

char *tt_fmt_duration(double s, char *buf, size_t len)
{
	unsigned long long t;

	if (!buf || !len)
		return buf;
	if (!(s >= 0) || s > 1e12)
		s = 0;
	t = (unsigned long long)s;
	if (t < 60)
		snprintf(buf, len, "%llus", t);
	else if (t < 3600)
		snprintf(buf, len, "%llum%02llus", t / 60, t % 60);
	else if (t < 86400)
		snprintf(buf, len, "%lluh%02llum", t / 3600, (t % 3600) / 60);
	else
		snprintf(buf, len, "%llud%02lluh", t / 86400, (t % 86400) / 3600);
	return buf;
}

char *tt_fmt_interval(double s, char *buf, size_t len)
{
	if (!buf || !len)
		return buf;
	if (s < 60) {
		snprintf(buf, len, "%gs", s);
	} else if (s < 3600) {
		snprintf(buf, len, "%gm", s / 60);
	} else {
		snprintf(buf, len, "%gh", s / 3600);
	}
	return buf;
}

char *tt_fmt_clock(uint64_t ns, char *buf, size_t len)
{
	time_t sec = (time_t)(ns / 1000000000ull);
	unsigned ms = (unsigned)((ns / 1000000ull) % 1000);
	struct tm tm;

	if (!buf || !len)
		return buf;
	if (!localtime_r(&sec, &tm)) {
		snprintf(buf, len, "??:??:??.???");
		return buf;
	}
	snprintf(buf, len, "%02d:%02d:%02d.%03u", tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
	return buf;
}

char *tt_fmt_sanitize(const char *src, size_t srclen, char *dst, size_t dstlen)
{
	size_t i, o = 0;

	if (!dst || !dstlen)
		return dst;
	for (i = 0; src && i < srclen && src[i] && o + 1 < dstlen; i++) {
		unsigned char c = (unsigned char)src[i];
		dst[o++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	dst[o] = '\0';
	return dst;
}

int tt_fmt_fit_columns(const int *w, const int *prio, int n, int avail, bool *shown)
{
	int used, i;

	for (i = 0; i < n; i++)
		shown[i] = true;
	for (;;) {
		int worst = -1, k = 0;

		used = 0;
		for (i = 0; i < n; i++) {
			if (!shown[i])
				continue;
			used += w[i] + (k ? 1 : 0);
			k++;
		}
		if (used <= avail)
			break;
		for (i = 0; i < n; i++)
			if (shown[i] && (worst < 0 || prio[i] >= prio[worst]))
				worst = i;
		if (worst < 0 || k == 1)
			return used; /* the most important column alone is clipped */
		shown[worst] = false;
	}
	/*
	 * Dropping a wide column can leave room for a narrower, less important
	 * one: give it back rather than leave the space blank (most important
	 * first, then left to right).
	 */
	for (int p = 0; p <= 100; p++)
		for (i = 0; i < n; i++)
			if (!shown[i] && prio[i] == p && used + 1 + w[i] <= avail) {
				shown[i] = true;
				used += 1 + w[i];
			}
	return used;
}

int tt_fmt_column_at(const int *w, const bool *shown, int n, int x)
{
	int i, cx = 0;

	for (i = 0; i < n; i++) {
		if (!shown[i])
			continue;
		if (x >= cx && x < cx + w[i])
			return i;
		cx += w[i] + 1;
	}
	return -1;
}

char *tt_fmt_comm_pid(const char *comm, size_t commlen, uint32_t pid, int width, char *buf,
                      size_t len)
{
	char c[64], p[16];
	int keep;

	if (!buf || !len)
		return buf;
	tt_fmt_sanitize(comm, commlen, c, sizeof(c));
	snprintf(p, sizeof(p), "/%u", pid);
	keep = width - (int)strlen(p);
	if (keep < 1) /* no room for both: the pid identifies, the comm does not */
		snprintf(buf, len, "%s", p + 1);
	else
		snprintf(buf, len, "%.*s%s", keep, c, p);
	return buf;
}

char *tt_fmt_pid_tid(uint32_t pid, uint32_t tid, int64_t goid, int width, char *buf, size_t len)
{
	if (!buf || !len)
		return buf;
	if (goid >= 0) {
		snprintf(buf, len, "%u/%u g%lld", pid, tid, (long long)goid);
		if ((int)strlen(buf) > width)
			snprintf(buf, len, "%u g%lld", pid, (long long)goid);
	} else {
		snprintf(buf, len, "%u/%u", pid, tid);
	}
	if ((int)strlen(buf) > width)
		snprintf(buf, len, "%u", pid);
	return buf;
}

bool tt_fmt_contains(const char *hay, const char *needle)
{
	size_t nl, i;

	if (!needle || !*needle)
		return true;
	if (!hay)
		return false;
	nl = strlen(needle);
	for (i = 0; hay[i]; i++) {
		size_t j;

		for (j = 0; j < nl && hay[i + j]; j++)
			if (tolower((unsigned char)hay[i + j]) != tolower((unsigned char)needle[j]))
				break;
		if (j == nl)
			return true;
	}
	return false;
}

double tt_fmt_interval_step(double cur, int dir)
{
	static const double steps[] = {0.1, 0.2, 0.5, 1,   2,   3,   5,    10,  15,
	                               30,  60,  120, 300, 600, 900, 1800, 3600};
	const int n = (int)(sizeof(steps) / sizeof(steps[0]));
	int i;

	if (dir > 0) {
		for (i = 0; i < n; i++)
			if (steps[i] > cur + 1e-9)
				return steps[i];
		return TT_INTERVAL_MAX;
	}
	for (i = n - 1; i >= 0; i--)
		if (steps[i] < cur - 1e-9)
			return steps[i];
	return TT_INTERVAL_MIN;
}
