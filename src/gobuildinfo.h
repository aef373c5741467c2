/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Which Go toolchain built a binary: .go.buildinfo, else a version string scan. */
#ifndef TTYTOP_GOBUILDINFO_H
#define TTYTOP_GOBUILDINFO_H

#include <stddef.h>
#include <stdint.h>

/* Reads len bytes at a link-time virtual address of the same file; 0 or -errno. */
typedef int (*tt_readva_fn)(void *ctx, uint64_t va, void *buf, size_t len);

/*
 * Parse a .go.buildinfo blob (buf = section contents). The pre-1.18 pointer
 * form needs rd to follow pointers (may be NULL: then -ENOTSUP). Writes the
 * NUL-terminated version ("go1.19.8"). 0 or -errno.
 */
int tt_gobuildinfo_parse(const uint8_t *buf, size_t len, tt_readva_fn rd, void *ctx, char *version,
                         size_t vlen);
/*
 * Find a "go1.N[.P]" toolchain version in read-only data, N >= min_minor
 * (the pclntab format bounds the era, and libraries mention older versions
 * in strings). Prefers a full three-part version; 0 or -ENOENT.
 */
int tt_go_scan_version(const uint8_t *buf, size_t len, int min_minor, char *version, size_t vlen);

/* g's TLS slot is decoded behind the arch seam: tt_arch_go_decode_tls in arch.h. */

#endif
