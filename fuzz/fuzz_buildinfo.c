// srcs: src/gobuildinfo.c
// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The input is a .go.buildinfo blob; its pointer form is resolved against the
 * input itself (virtual address = offset + 0x1000), so pointers can land
 * anywhere, including outside. The same bytes go through the version scan.
 * A version handed out must look like one: "go1." and a digit, then only
 * digits, dots and lower-case letters (rc/beta), no "..", no trailing dot.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
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

static void check(const char *v, size_t cap, int scan)
{
	size_t n = strnlen(v, cap);

	if (n >= cap || n < 5 || memcmp(v, "go1.", 4) != 0 || v[4] < '0' || v[4] > '9')
		abort();
	for (size_t i = 4; i < n; i++) {
		char c = v[i];
		if (scan ? !((c >= '0' && c <= '9') || c == '.')
		         : !((c >= '0' && c <= '9') || c == '.' || (c >= 'a' && c <= 'z') ||
		             c == '-' || c == ':' || c == '=' || c == ',' || c == '+'))
			abort();
		if (scan && c == '.' && (v[i - 1] == '.' || i + 1 == n))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf b = {data, size};
	char v[64];

	if (tt_gobuildinfo_parse(data, size, rd, &b, v, sizeof(v)) == 0)
		check(v, sizeof(v), 0);
	if (tt_gobuildinfo_parse(data, size, NULL, NULL, v, 8) == 0)
		check(v, 8, 0);
	if (tt_go_scan_version(data, size, 0, v, sizeof(v)) == 0)
		check(v, sizeof(v), 1);
	if (tt_go_scan_version(data, size, 20, v, 6) == 0)
		check(v, 6, 1);
	return 0;
}
