/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Names of stack frames (functions, files, modules), each kept once for the
 * whole process and named by a 32-bit id. A frame that held its three names
 * in arrays was 400 bytes, an event with its two stacks 38 KiB, and the
 * event log of a storm grew by that for every slow write; the same few
 * hundred names recur in every stack of a program. Bounded: once the table
 * is full a new name is not kept (its frames show their address alone) and
 * tt_str_stats counts it. Thread-safe.
 */
#ifndef TTYTOP_STRTAB_H
#define TTYTOP_STRTAB_H

#include <stddef.h>
#include <stdint.h>

#define TT_STRTAB_MAX 65536		  /* names kept, id 0 ("") among them */
#define TT_STRTAB_BYTES (4u << 20) /* and their bytes at most */

/*
 * The id of s, cut to its first maxlen - 1 bytes as the arrays it replaces cut
 * it (TT_FUNC_LEN and the like); 0 for "" or NULL, and when the table is full.
 */
uint32_t tt_str_intern(const char *s, size_t maxlen);

/* The name of id: "" for 0 and for an id that was never handed out. */
const char *tt_str(uint32_t id);

struct tt_str_stats {
	uint32_t names;	  /* kept */
	size_t bytes;	  /* of text kept */
	uint64_t refused; /* names not kept: the table was full */
};
void tt_str_stats(struct tt_str_stats *st);

#endif
