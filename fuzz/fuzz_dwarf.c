// srcs: src/godwarf.c
// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Input: u32 little-endian length of .debug_abbrev, the abbrev bytes, then
 * .debug_info bytes. Looks up the members goinfo asks for, and checks that
 * the count returned is the number of offsets found, each one >= 0.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "godwarf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t alen;
	struct tt_dwarf_query q[] = {
	    {"runtime.g", "goid", 0},    {"runtime.g", "m", 0},    {"runtime.m", "g0", 0},
	    {"runtime.m", "gsignal", 0}, {"runtime.m", "curg", 0},
	};

	if (size < 4)
		return 0;
	memcpy(&alen, data, 4);
	if (alen > size - 4)
		alen = (uint32_t)(size - 4);
	int r = tt_dwarf_member_offsets(data + 4 + alen, size - 4 - alen, data + 4, alen, q, 5);
	int found = 0;
	for (int i = 0; i < 5; i++) {
		if (q[i].offset < -1)
			abort();
		found += q[i].offset >= 0;
	}
	if (r >= 0 && r != found)
		abort();
	return 0;
}
