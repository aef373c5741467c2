// srcs: src/ksyms.c
// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The input is kallsyms-format text. Besides memory safety, check the
 * promises the symbolizer relies on: the table is sorted, and a lookup names
 * a symbol only with a non-empty, blank-free name at or below the address;
 * a function range (the interrupt-waker test in BPF) is never empty or
 * reversed, and is all zero when not found.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ksyms.h"
#include "symbolize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_lookup(const struct tt_ksyms *k, uint64_t addr)
{
	const char *name, *mod;

	if (tt_ksyms_lookup(k, addr, &name, &mod) != 0)
		return;
	if (!name[0] || !mod[0])
		abort();
	for (const char *p = name; *p; p++)
		if ((unsigned char)*p <= ' ')
			abort();
}

static void check_ranges(const uint8_t *data, size_t size)
{
	static const char *const fns[] = {"irq_thread", "run_ksoftirqd", "handle_softirqs", "a"};
	static const char *const names[] = {"tty_write", "b"};
	uint64_t r[4][2], addrs[2];
	struct tt_ksym_query q = {names, addrs, 2, fns, r, 4};
	int n = tt_ksym_query_text((const char *)data, size, &q);

	if (n < 0 || n > 6)
		abort();
	for (int i = 0; i < 4; i++)
		if ((r[i][0] || r[i][1]) && !(r[i][0] && r[i][1] > r[i][0]))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tt_ksyms *k;

	check_ranges(data, size);
	if (tt_ksyms_parse((const char *)data, size, &k) != 0)
		return 0;
	for (size_t i = 0; i < k->n; i++) {
		if (i && k->syms[i - 1].addr > k->syms[i].addr)
			abort();
		uint64_t a = k->syms[i].addr;
		check_lookup(k, a);
		check_lookup(k, a - 1);
		check_lookup(k, a + 1);
		check_lookup(k, a + 0x10000);
		if (i >= 64)
			break;
	}
	check_lookup(k, 0);
	check_lookup(k, UINT64_MAX);
	tt_ksyms_free(k);
	return 0;
}
