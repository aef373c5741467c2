// srcs: src/elfsym.c src/gopclntab.c
// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The input is a whole ELF file: load its symbols, PT_LOAD map and pclntab
 * from memory, then look up addresses around every symbol and segment.
 * A name handed out must be non-empty and terminated inside its field, and
 * come from a symbol (or pclntab function) whose extent holds the address.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "elfsym.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void look(const struct tt_elfsyms *es, uint64_t a)
{
	struct tt_elf_hit h;

	if (tt_elfsyms_lookup(es, a, &h) != 0)
		return;
	if (!h.func[0] || strnlen(h.func, sizeof(h.func)) == sizeof(h.func) ||
	    strnlen(h.file, sizeof(h.file)) == sizeof(h.file))
		abort();
	if (es->has_pcln) {
		struct tt_pcln_func f;
		if (tt_pcln_lookup(&es->pcln, a, &f) == 0) {
			if (a < f.entry || a >= f.end || strcmp(f.name, h.func) != 0)
				abort();
			return;
		}
	}
	for (uint32_t i = 0; i < es->nsyms; i++)
		if (a >= es->syms[i].start && a < es->syms[i].end)
			return;
	abort(); /* a name for an address no symbol covers */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tt_elfsyms *es;
	struct tt_elf_hit h;
	uint64_t a;

	if (tt_elfsyms_load_mem(data, size, &es) != 0)
		return 0;
	for (uint32_t i = 0; i < es->nsyms && i < 256; i++) {
		if (i && es->syms[i - 1].start >= es->syms[i].start)
			abort(); /* sorted, aliases folded */
		look(es, es->syms[i].start);
		look(es, es->syms[i].end);
		look(es, es->syms[i].end - 1);
	}
	for (int i = 0; i < es->nsegs; i++) {
		tt_elfsyms_off_to_vaddr(es, es->segs[i].off, &a);
		tt_elfsyms_vaddr_to_off(es, es->segs[i].vaddr + es->segs[i].filesz, &a);
		look(es, es->segs[i].vaddr + 16);
	}
	look(es, es->text_addr);
	(void)h;
	tt_elfsyms_find(es, "main", &a);
	tt_elfsyms_find(es, "runtime.stackcheck", &a);
	tt_elfsyms_free(es);
	return 0;
}
