// srcs: src/arch_x86.c
// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The input is one function's machine code, as src/gostw.c hands it to the
 * decoder that places the stop-the-world end probes. Every RET offset handed
 * out must be inside the input, in increasing order, and be a near RET (C3,
 * or C2 with its imm16 inside the input, after any prefixes); a partial
 * buffer is refused, never read past.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "arch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Legacy and REX prefixes: "rep ret" (F3 C3) and the like are RETs too. */
static int is_prefix(uint8_t b)
{
	return (b & 0xf0) == 0x40 || b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e ||
	       b == 0x64 || b == 0x65 || b == 0x66 || b == 0x67 || b == 0xf0 || b == 0xf2 ||
	       b == 0xf3;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t offs[16];
	int n = tt_arch_find_rets(data, size, offs, 16);

	if (n < 0 && n != -EILSEQ && n != -E2BIG)
		abort();
	for (int i = 0; i < n; i++) {
		if (offs[i] >= size || (i && offs[i] <= offs[i - 1]))
			abort();
		size_t j = offs[i];

		while (j < size && j - offs[i] < 15 && is_prefix(data[j]))
			j++;
		if (j >= size || (data[j] != 0xc3 && !(data[j] == 0xc2 && j + 3 <= size)))
			abort();
	}
	return 0;
}
