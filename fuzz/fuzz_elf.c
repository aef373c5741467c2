// srcs: src/elfsym.c src/gopclntab.c
// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The input is a whole ELF file: load its symbols, PT_LOAD map and pclntab
 * from memory, then look up addresses around every symbol and segment.
 */
#include <stddef.h>
#include <stdint.h>

#include "elfsym.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tt_elfsyms *es;
	struct tt_elf_hit h;
	uint64_t a;

	if (tt_elfsyms_load_mem(data, size, &es) != 0)
		return 0;
	for (uint32_t i = 0; i < es->nsyms && i < 256; i++) {
		tt_elfsyms_lookup(es, es->syms[i].start, &h);
		tt_elfsyms_lookup(es, es->syms[i].end, &h);
		tt_elfsyms_lookup(es, es->syms[i].end - 1, &h);
	}
	for (int i = 0; i < es->nsegs; i++) {
		tt_elfsyms_off_to_vaddr(es, es->segs[i].off, &a);
		tt_elfsyms_vaddr_to_off(es, es->segs[i].vaddr + es->segs[i].filesz, &a);
		tt_elfsyms_lookup(es, es->segs[i].vaddr + 16, &h);
	}
	tt_elfsyms_lookup(es, es->text_addr, &h);
	tt_elfsyms_find(es, "main", &a);
	tt_elfsyms_find(es, "runtime.stackcheck", &a);
	tt_elfsyms_free(es);
	return 0;
}
