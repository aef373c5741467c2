/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Human units for a dashboard cell. Pure functions (no curses) so they can be
 * unit tested; every result fits the buffer it is given, and the short forms
 * are at most 7 columns so table columns never jitter.
 */
#ifndef TTYTOP_TUI_FORMAT_H
#define TTYTOP_TUI_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 812ns, 12.3us, 4.56ms, 1.23s, 95.0s, 12.5m, 3.20h */
char *tt_fmt_ns(uint64_t ns, char *buf, size_t len);
/* 512B, 1.2K, 34.5M, 1.0G (powers of 1024) */
char *tt_fmt_bytes(double bytes, char *buf, size_t len);
/* 0, 0.5, 12.3, 812, 1.2k, 34.5M (powers of 1000), no unit */
char *tt_fmt_count(double v, char *buf, size_t len);
/* a running total: exact up to 99999, then like tt_fmt_count (123k, 4.5M) */
char *tt_fmt_total(uint64_t v, char *buf, size_t len);
/* uptime-like: 45s, 12m05s, 3h04m, 2d03h */
char *tt_fmt_duration(double seconds, char *buf, size_t len);
/* interval: 0.1s, 2s, 1.5s, 10m, 1h */
char *tt_fmt_interval(double seconds, char *buf, size_t len);
/* HH:MM:SS.mmm in local time from CLOCK_REALTIME ns */
char *tt_fmt_clock(uint64_t realtime_ns, char *buf, size_t len);

/*
 * Copy src into dst keeping printable ASCII only: anything else (control
 * bytes, escape sequences, stray high bytes from other processes' comm or
 * symbol names) becomes '?', so nothing we print can drive the terminal.
 */
char *tt_fmt_sanitize(const char *src, size_t srclen, char *dst, size_t dstlen);

/*
 * Which of n columns (widths w[], priority prio[]: lower = more important)
 * fit in avail cells with one space between shown columns. Drops the least
 * important until they fit, then puts back any dropped column that still
 * fits (priorities 0..100); returns the width used.
 */
int tt_fmt_fit_columns(const int *w, const int *prio, int n, int avail, bool *shown);
/*
 * The shown column under x, counted from the first column's left edge, the
 * columns laid out as above; -1 in a gap between columns or past the last.
 */
int tt_fmt_column_at(const int *w, const bool *shown, int n, int x);

/*
 * "comm/pid" in at most width columns: the comm is shortened, never the pid
 * (a cut pid is a different, wrong pid). comm is sanitized like above.
 */
char *tt_fmt_comm_pid(const char *comm, size_t commlen, uint32_t pid, int width, char *buf,
                      size_t len);
/* "pid/tid gGOID" (goid < 0: none) in at most width columns: the tid goes first, then the goid. */
char *tt_fmt_pid_tid(uint32_t pid, uint32_t tid, int64_t goid, int width, char *buf, size_t len);

/* Case-insensitive substring test (empty needle matches everything). */
bool tt_fmt_contains(const char *hay, const char *needle);

/* Interval steps for +/-: the next larger or smaller sensible value. */
double tt_fmt_interval_step(double cur, int dir);
#define TT_INTERVAL_MIN 0.1
#define TT_INTERVAL_MAX 3600.0

#endif
