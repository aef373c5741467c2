/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * DWARF call frame information from an ELF file's .eh_frame (found through
 * .eh_frame_hdr's sorted table when it has one): for a code address, where
 * the caller's stack pointer (the CFA), frame pointer and return address
 * are. Enough of the CFA program for compiled code (x86-64 and arm64
 * register numbers); what it does not follow (expressions) it says so, and a
 * walk stops there. The sections come from other users' files: every read
 * stays inside the copies held here, every size is capped.
 */
#ifndef TTYTOP_CFI_H
#define TTYTOP_CFI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memread.h"

#define TT_CFI_MAX_SECTION (32u << 20) /* bytes of .eh_frame (or its header) kept */
#define TT_CFI_MAX_FDES (1u << 20)     /* entries of an index we build ourselves */
#define TT_CFI_MAX_SEGS 16

/* The registers a walk follows, whatever their DWARF numbers. */
enum { TT_CFI_SP, TT_CFI_FP, TT_CFI_RA, TT_CFI_PC, TT_CFI_NREGS };

enum tt_cfi_how {
	TT_CFI_UNDEF, /* not recoverable (for the return address: the outermost frame) */
	TT_CFI_SAME,  /* the caller's value is the callee's */
	TT_CFI_AT,    /* saved at CFA + off */
	TT_CFI_VAL,   /* is CFA + off */
	TT_CFI_INREG, /* in register slot (TT_CFI_*), -1: one not followed */
	TT_CFI_EXPR,  /* a DWARF expression: not followed */
};

struct tt_cfi_rule {
	uint8_t how;
	int8_t slot;
	int64_t off;
};

/* The unwind rules in force at one address. */
struct tt_cfi_row {
	uint64_t start, end; /* the FDE's range, link-time addresses */
	int8_t cfa_slot;     /* CFA = regs[cfa_slot] + cfa_off; -1: another register */
	bool cfa_expr;       /* the CFA is an expression: not followed */
	bool signal;         /* 'S': a signal trampoline, its RA is no return address */
	bool ra_signed;      /* arm64 pointer authentication: strip the RA's upper bits */
	int64_t cfa_off;
	struct tt_cfi_rule fp, ra;
};

struct tt_cfi_seg {
	uint64_t off, vaddr, filesz;
	uint32_t flags;
};

struct tt_cfi {
	uint16_t machine; /* EM_X86_64, EM_AARCH64 */
	uint8_t *eh, *hdr;
	size_t eh_len, hdr_len;
	uint64_t eh_addr, hdr_addr;
	/* .eh_frame_hdr's table (sdata4 datarel pairs) when it is usable */
	const uint8_t *table;
	uint32_t ntable;
	/* else an index of our own, sorted by start */
	struct tt_cfi_ent {
		uint64_t start;
		uint64_t off; /* of the FDE in eh */
	} * index;
	uint32_t nindex;
	struct tt_cfi_seg segs[TT_CFI_MAX_SEGS];
	int nsegs;
	size_t mem; /* heap bytes held */
};

/*
 * From the sections' bytes (copied) and link-time addresses; hdr may be
 * NULL. 0, -EINVAL (not CFI), -ENOTSUP (a machine other than x86-64/arm64),
 * -EFBIG or -ENOMEM.
 */
int tt_cfi_new(uint16_t machine, const uint8_t *eh, size_t eh_len, uint64_t eh_addr,
               const uint8_t *hdr, size_t hdr_len, uint64_t hdr_addr, struct tt_cfi **out);
/* From an open ELF file (fd not kept), with its PT_LOAD map. -ENOENT: no .eh_frame. */
int tt_cfi_load_fd(int fd, struct tt_cfi **out);
void tt_cfi_free(struct tt_cfi *c);

/* File offset -> link-time address through PT_LOAD. 0 or -ENOENT. */
int tt_cfi_off_to_vaddr(const struct tt_cfi *c, uint64_t off, uint64_t *vaddr);

/*
 * The rules at link-time address pc. 0, -ENOENT (no FDE covers it), -EINVAL
 * (malformed CIE/FDE/program) or -ENOTSUP (a construct not followed).
 */
int tt_cfi_find(const struct tt_cfi *c, uint64_t pc, struct tt_cfi_row *row);

/* Register values, bit TT_CFI_x of known set when regs[x] is. */
struct tt_cfi_regs {
	uint64_t v[TT_CFI_NREGS];
	uint8_t known;
};

/*
 * One frame up: regs (v[PC] the callee's pc) become the caller's, v[PC] its
 * return address. 0; 1 at the outermost frame (the return address is
 * undefined); -ENOTSUP (an expression, a register not known), -EFAULT (a
 * read failed), -ELOOP (the stack pointer did not move up).
 */
int tt_cfi_step(const struct tt_cfi_row *row, uint16_t machine, struct tt_cfi_regs *regs,
                struct tt_mem *mem);

#endif
