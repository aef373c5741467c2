/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Struct member offsets from DWARF .debug_info/.debug_abbrev (versions 2-5,
 * 32-bit format), enough to read runtime.g.goid and friends from a Go
 * binary's own debug info. Pure function over buffers (fuzzed).
 */
#ifndef TTYTOP_GODWARF_H
#define TTYTOP_GODWARF_H

#include <stddef.h>
#include <stdint.h>

struct tt_dwarf_query {
	const char *type;   /* "runtime.g" */
	const char *member; /* "goid" */
	int64_t offset;     /* out: -1 when not found */
};

/*
 * Fill q[i].offset for each query. Returns how many were found, or -EINVAL
 * when the data is malformed before anything was found. Stops early once all
 * are found.
 */
int tt_dwarf_member_offsets(const uint8_t *info, size_t info_len, const uint8_t *abbrev,
                            size_t abbrev_len, struct tt_dwarf_query *q, int nq);

#endif
