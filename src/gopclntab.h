/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Go's .gopclntab: PC -> function, file, line without any symbol table, so
 * that stripped Go programs still symbolize. Pure functions over a byte
 * buffer (fuzzed): every offset is checked, corrupt tables give "not found".
 */
#ifndef TTYTOP_GOPCLNTAB_H
#define TTYTOP_GOPCLNTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tt_pcln_ver {
	TT_PCLN_NONE = 0,
	TT_PCLN_12 = 12,   /* 0xfffffffb: Go 1.2 - 1.15 */
	TT_PCLN_116 = 116, /* 0xfffffffa: Go 1.16 - 1.17 */
	TT_PCLN_118 = 118, /* 0xfffffff0: Go 1.18 - 1.19 */
	TT_PCLN_120 = 120, /* 0xfffffff1: Go 1.20+ */
};

struct tt_pcln {
	const uint8_t *data; /* not owned */
	size_t len;
	enum tt_pcln_ver ver;
	uint32_t quantum, ptrsize;
	uint32_t nfunc;
	uint64_t text_start; /* PCs in the functab are relative to this (1.18+) */
	/* offsets into data; each region runs to the end of data */
	size_t funcnametab, cutab, filetab, pctab, funcdata, functab;
};

struct tt_pcln_func {
	uint64_t entry, end; /* [entry, end) */
	char name[128];
	char file[160];
	int line; /* 0 = unknown */
};

/*
 * Check the header. text_start: the address of .text when known (1.18+ tables
 * store an unrelocated copy; 0 = take the header's). 0 or -EINVAL.
 */
int tt_pcln_init(struct tt_pcln *t, const uint8_t *data, size_t len, uint64_t text_start);
/* Function containing pc, with file:line at pc. 0 or -ENOENT. */
int tt_pcln_lookup(const struct tt_pcln *t, uint64_t pc, struct tt_pcln_func *out);
/* [lo, hi): the PCs the table covers. 0 or -ENOENT. */
int tt_pcln_range(const struct tt_pcln *t, uint64_t *lo, uint64_t *hi);
/* Entry PC of a function by exact name (linear scan). 0 or -ENOENT. */
int tt_pcln_find(const struct tt_pcln *t, const char *name, uint64_t *entry, uint64_t *end);
/*
 * The stack pointer's offset from its value at entry (the frame size so far)
 * at pc, from the function's pcsp table, as Go's traceback reads it
 * (funcspdelta); *entry is the function's entry PC. 0, or -ENOENT when pc is
 * in no function or the table is absent, corrupt or negative there.
 */
int tt_pcln_spdelta(const struct tt_pcln *t, uint64_t pc, int32_t *delta, uint64_t *entry);
/*
 * Find a pclntab inside an arbitrary buffer (a stripped binary without
 * section headers) by its magic and a sane header. Offset or -ENOENT.
 */
long tt_pcln_scan(const uint8_t *buf, size_t len, enum tt_pcln_ver *ver);

#endif
