// srcs: src/gobuildinfo.c
// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The input is a .go.buildinfo blob; its pointer form is resolved against the
 * input itself (virtual address = offset + 0x1000), so pointers can land
 * anywhere, including outside. The same bytes go through the version scan.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "gobuildinfo.h"

struct buf {
	const uint8_t *p;
	size_t n;
};

static int rd(void *ctx, uint64_t va, void *out, size_t len)
{
	const struct buf *b = ctx;

	if (va < 0x1000 || va - 0x1000 > b->n || len > b->n - (va - 0x1000))
		return -ENOENT;
	memcpy(out, b->p + (va - 0x1000), len);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf b = {data, size};
	char v[64];

	tt_gobuildinfo_parse(data, size, rd, &b, v, sizeof(v));
	tt_gobuildinfo_parse(data, size, NULL, NULL, v, 8);
	tt_go_scan_version(data, size, 0, v, sizeof(v));
	tt_go_scan_version(data, size, 20, v, 6);
	return 0;
}
