/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Kernel text symbols from /proc/kallsyms: one sorted array, binary search. */
#ifndef TTYTOP_KSYMS_H
#define TTYTOP_KSYMS_H

#include <stddef.h>
#include <stdint.h>

#define TT_KSYMS_MAX (4u << 20)

struct tt_ksym {
	uint64_t addr;
	uint32_t name;   /* offset into names */
	uint32_t module; /* offset into names; 0 = the kernel itself */
};

struct tt_ksyms {
	struct tt_ksym *syms;
	size_t n;
	char *names;
	size_t names_len, names_cap;
};

/*
 * Load a kallsyms-format file (text symbols t/T/w/W only). 0 or -errno; a
 * table that could not be read whole (TT_KSYMS_MAX, memory) is refused, since
 * a missing symbol would hand its addresses to the one before it.
 */
int tt_ksyms_load(const char *path, struct tt_ksyms **out);
/* The same from text in memory (tests, the fuzzer). 0 or -errno. */
int tt_ksyms_parse(const char *text, size_t len, struct tt_ksyms **out);
void tt_ksyms_free(struct tt_ksyms *k);
/* Symbol containing addr: 0 and name/module ("kernel" or the module), or -ENOENT. */
int tt_ksyms_lookup(const struct tt_ksyms *k, uint64_t addr, const char **name,
                    const char **module);

#endif
