// srcs: src/procseen.c
// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The input is a /proc/PID/stat line, whose comm (field 2) another user
 * chooses: any bytes but NUL, parentheses and spaces included. Besides memory
 * safety: the start time is read after the last ')' only, so text inside the
 * comm can never pose as field 22.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "procseen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1);
	const char *close;
	uint64_t v;

	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = 0;
	v = tt_parse_stat_start(line);
	close = strrchr(line, ')');
	if (v && !close)
		abort();
	/* the same fields after any comm give the same answer */
	if (close) {
		size_t tail = strlen(close);
		char *other = malloc(tail + 8);

		if (other) {
			memcpy(other, "1 (x", 4);
			memcpy(other + 4, close, tail + 1);
			if (tt_parse_stat_start(other) != v)
				abort();
			free(other);
		}
	}
	free(line);
	return 0;
}
