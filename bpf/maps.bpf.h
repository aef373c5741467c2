/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Map idioms the programs repeat, in the libbpf-tools maps.bpf.h way. The
 * verifier checks each expansion on its own (they are inlined), so a helper
 * here costs no instructions over writing the calls out.
 */
#ifndef TTYTOP_MAPS_BPF_H
#define TTYTOP_MAPS_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
/* vmlinux.h has no macros; the uapi errno values are the same on every arch */
#include <asm-generic/errno-base.h>

/*
 * The value of key, created from init when there is none. NULL when the map
 * is full (or refuses the entry): the caller counts the loss. An entry that
 * another CPU creates in between is taken as found, not as an error.
 */
static __always_inline void *map_lookup_or_try_init(void *map, const void *key, const void *init)
{
	void *val = bpf_map_lookup_elem(map, key);
	long err;

	if (val)
		return val;
	err = bpf_map_update_elem(map, key, init, BPF_NOEXIST);
	if (err && err != -EEXIST)
		return NULL;
	return bpf_map_lookup_elem(map, key);
}

/*
 * The value of key, (re)set to init first, so that an entry left over from an
 * earlier use starts afresh. NULL when the map is full (or refuses the entry).
 */
static __always_inline void *map_reset_elem(void *map, const void *key, const void *init)
{
	if (bpf_map_update_elem(map, key, init, BPF_ANY))
		return NULL;
	return bpf_map_lookup_elem(map, key);
}

/* Element 0 of a one-element (per-CPU) array: scratch space and templates. */
static __always_inline void *map_first(void *map)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(map, &zero);
}

#endif
