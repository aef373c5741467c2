// srcs: src/gopclntab.c
// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The input is a .gopclntab section. Look up PCs taken from the table's own
 * functab (the interesting ones), around them, and from the input's tail;
 * also exercise the by-name search and the magic scanner. A function handed
 * out must contain the PC asked for and have a terminated, non-empty name.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gopclntab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void look(const struct tt_pcln *t, uint64_t pc)
{
	struct tt_pcln_func fn;

	if (tt_pcln_lookup(t, pc, &fn) != 0)
		return;
	if (pc < fn.entry || pc >= fn.end || !fn.name[0] ||
	    strnlen(fn.name, sizeof(fn.name)) == sizeof(fn.name) ||
	    strnlen(fn.file, sizeof(fn.file)) == sizeof(fn.file) || fn.line < 0)
		abort();
	/* the unwinder's view of the same function (goroutines.c) */
	int32_t d;
	uint64_t e;
	if (tt_pcln_spdelta(t, pc, &d, &e) == 0 && (e != fn.entry || d < 0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tt_pcln t;
	struct tt_pcln_func fn;
	uint64_t entry, end;

	if (tt_pcln_init(&t, data, size, 0x401000) == 0) {
		uint32_t n = t.nfunc < 64 ? t.nfunc : 64;
		for (uint32_t i = 0; i <= n; i++) {
			uint32_t sz = t.ver >= TT_PCLN_118 ? 4 : t.ptrsize;
			size_t at = t.functab + (size_t)2 * i * sz;
			uint64_t pc = 0;
			if (at + sz <= size)
				memcpy(&pc, data + at, sz);
			if (t.ver >= TT_PCLN_118)
				pc += t.text_start;
			look(&t, pc);
			look(&t, pc + 1);
			look(&t, pc - 1);
		}
		if (size >= 8) {
			uint64_t pc;
			memcpy(&pc, data + size - 8, 8);
			look(&t, pc);
		}
		if (tt_pcln_find(&t, "main.main", &entry, &end) == 0 &&
		    (end <= entry ||
		     (tt_pcln_lookup(&t, entry, &fn) == 0 && strcmp(fn.name, "main.main") != 0)))
			abort();
		tt_pcln_find(&t, "runtime.stackcheck", &entry, &end);
	}
	enum tt_pcln_ver ver;
	tt_pcln_scan(data, size, &ver);
	return 0;
}
