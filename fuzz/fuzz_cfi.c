// srcs: src/cfi.c src/elfsym.c src/gopclntab.c
// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * .eh_frame (and .eh_frame_hdr) bytes as a target's file would hold them.
 * Input: u8 flags (bit 0 arm64, bit 1 a header), u32 .eh_frame address,
 * u32 header address, u16 header length, the header, then .eh_frame. Every
 * FDE found is queried at its start, inside and at its end, and a row found
 * is stepped over a memory made of the input itself. Besides memory safety:
 * a row is only given for a pc inside its FDE, and a step never moves the
 * stack pointer down. Seeds (fuzz/corpus/fuzz_cfi/) are the sections of
 * the cthreads fixture and small system programs, in this format.
 */
#include <elf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cfi.h"

#define MEM_BASE 0x10000u

struct buf {
	const uint8_t *p;
	size_t n;
};

static int buf_read(void *ctx, uint64_t addr, void *out, size_t n)
{
	const struct buf *b = ctx;

	if (addr < MEM_BASE || addr - MEM_BASE > b->n || n > b->n - (addr - MEM_BASE))
		return -14;
	memcpy(out, b->p + (addr - MEM_BASE), n);
	return 0;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void query(const struct tt_cfi *c, uint64_t pc, struct buf *mem)
{
	struct tt_cfi_row row;
	struct tt_mem m = {buf_read, mem, 0, 0};

	if (tt_cfi_find(c, pc, &row) != 0)
		return;
	if (pc < row.start || pc >= row.end)
		abort();
	struct tt_cfi_regs r = {.v = {MEM_BASE + 64, MEM_BASE + 128, 0, pc},
	                        .known = 1u << TT_CFI_SP | 1u << TT_CFI_FP | 1u << TT_CFI_PC};
	uint64_t sp = r.v[TT_CFI_SP];
	if (tt_cfi_step(&row, c->machine, &r, &m) == 0 && r.v[TT_CFI_SP] <= sp)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tt_cfi *c;
	struct buf mem = {data, size};

	if (size < 11)
		return 0;
	uint16_t machine = (data[0] & 1) ? EM_AARCH64 : EM_X86_64;
	uint64_t eh_addr = le32(data + 1), hdr_addr = le32(data + 5);
	size_t hdr_len = (size_t)data[9] | (size_t)data[10] << 8, at = 11;
	if (!(data[0] & 2) || hdr_len > size - at)
		hdr_len = 0;
	const uint8_t *hdr = hdr_len ? data + at : NULL;
	at += hdr_len;
	if (tt_cfi_new(machine, data + at, size - at, eh_addr, hdr, hdr_len, hdr_addr, &c) != 0)
		return 0;
	uint32_t n = c->table ? c->ntable : c->nindex;
	for (uint32_t i = 0; i < n && i < 256; i++) {
		uint64_t start =
		    c->table ? (uint64_t)(int64_t)(int32_t)le32(c->table + 8 * (size_t)i) + hdr_addr
		             : c->index[i].start;
		query(c, start, &mem);
		query(c, start + 1, &mem);
		query(c, start + 7, &mem);
		query(c, start + 0x40, &mem);
	}
	tt_cfi_free(c);
	return 0;
}
