// srcs: src/procmaps.c
// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The input is /proc/PID/maps text (a path can hold any byte but a newline).
 * Besides memory safety, check what the symbolizer relies on: entries are
 * sorted and disjoint, paths are terminated inside their field, and
 * tt_procmaps_find() returns exactly the entry that contains an address.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "procmaps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct tt_map maps[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (int exec_only = 0; exec_only < 2; exec_only++) {
		int n = tt_procmaps_parse((const char *)data, size, maps, 64, exec_only);
		if (n < 0 || n > 64)
			abort();
		for (int i = 0; i < n; i++) {
			const struct tt_map *m = &maps[i];
			if (m->start >= m->end || (i && maps[i - 1].end > m->start))
				abort();
			if (strnlen(m->path, sizeof(m->path)) >= sizeof(m->path) ||
			    strnlen(m->perms, sizeof(m->perms)) != 4)
				abort();
			if (exec_only && m->perms[2] != 'x')
				abort();
			if (tt_procmaps_find(maps, n, m->start) != m ||
			    tt_procmaps_find(maps, n, m->end - 1) != m)
				abort();
			const struct tt_map *f = tt_procmaps_find(maps, n, m->end);
			if (f && (m->end < f->start || m->end >= f->end))
				abort();
		}
	}
	return 0;
}
