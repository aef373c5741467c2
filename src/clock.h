/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The clocks every part reads. Monotonic time measures intervals and
 * deadlines (it never jumps); realtime only stamps what a person reads
 * (documents, file names). A clock that cannot be read gives 0, which callers
 * already treat as "no time" rather than as garbage from an unset timespec.
 */
#ifndef TTYTOP_CLOCK_H
#define TTYTOP_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t tt_clock_ns(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline uint64_t tt_mono_ns(void)
{
	return tt_clock_ns(CLOCK_MONOTONIC);
}

static inline uint64_t tt_real_ns(void)
{
	return tt_clock_ns(CLOCK_REALTIME);
}

/* Seconds as a double, for loops that schedule in fractions of a second. */
static inline double tt_mono_s(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
