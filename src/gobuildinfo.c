// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * .go.buildinfo layout (cmd/go, runtime/debug): 16-byte magic-bearing header
 * "\xff Go buildinf:", byte 14 pointer size, byte 15 flags (bit 0 big
 * endian, bit 1 strings inline). Inline (Go 1.18+): at 32, uvarint length +
 * version bytes, then the module info. Pointer form: at 16, two pointers to
 * Go string headers {ptr, len}.
 */
#include "gobuildinfo.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#define VERSION_MAX 64

static const uint8_t magic[14] = {0xff, ' ', 'G', 'o', ' ', 'b', 'u',
                                  'i',  'l', 'd', 'i', 'n', 'f', ':'};

static bool is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

/* A toolchain version string is "go1." then digits, dots, letters (rc/beta). */
static bool valid_version(const uint8_t *s, size_t n)
{
	if (n < 5 || n >= VERSION_MAX || memcmp(s, "go1.", 4) != 0 || !is_digit(s[4]))
		return false;
	for (size_t i = 4; i < n; i++)
		if (!is_digit(s[i]) && s[i] != '.' && !(s[i] >= 'a' && s[i] <= 'z') &&
		    s[i] != '-' && s[i] != ' ' && s[i] != ':' && s[i] != '=' && s[i] != ',' &&
		    s[i] != '+')
			return false;
	return true;
}

/* Keep "go1.21.3" of "go1.21.3 X:boringcrypto" style strings. */
static int emit(const uint8_t *s, size_t n, char *out, size_t olen)
{
	size_t k = 0;

	while (k < n && s[k] != ' ')
		k++;
	if (olen == 0 || k >= olen)
		return -ENOSPC;
	memcpy(out, s, k);
	out[k] = 0;
	return 0;
}

static int rd_ptr(const uint8_t *p, unsigned psz, uint64_t *v)
{
	uint64_t r = 0;

	for (unsigned i = 0; i < psz; i++)
		r |= (uint64_t)p[i] << (8 * i);
	*v = r;
	return 0;
}

int tt_gobuildinfo_parse(const uint8_t *buf, size_t len, tt_readva_fn rd, void *ctx, char *version,
                         size_t vlen)
{
	if (!buf || len < 32 || memcmp(buf, magic, sizeof(magic)) != 0)
		return -EINVAL;
	unsigned psz = buf[14], flags = buf[15];
	if (psz != 4 && psz != 8)
		return -EINVAL;
	if (flags & 1)
		return -ENOTSUP; /* big-endian targets are not watched by ttytop */
	if (flags & 2) {
		uint64_t n = 0;
		size_t pos = 32;
		for (unsigned shift = 0;; shift += 7) {
			if (pos >= len || shift > 63)
				return -EINVAL;
			uint8_t b = buf[pos++];
			n |= (uint64_t)(b & 0x7f) << shift;
			if (!(b & 0x80))
				break;
		}
		if (n > len - pos || !valid_version(buf + pos, (size_t)n))
			return -EINVAL;
		return emit(buf + pos, (size_t)n, version, vlen);
	}
	if (!rd)
		return -ENOTSUP;
	uint64_t hdr_va, sptr, slen;
	uint8_t hdr[16], s[VERSION_MAX];
	rd_ptr(buf + 16, psz, &hdr_va);
	if (rd(ctx, hdr_va, hdr, 2 * psz) != 0)
		return -EINVAL;
	rd_ptr(hdr, psz, &sptr);
	rd_ptr(hdr + psz, psz, &slen);
	if (slen == 0 || slen >= VERSION_MAX || rd(ctx, sptr, s, (size_t)slen) != 0 ||
	    !valid_version(s, (size_t)slen))
		return -EINVAL;
	return emit(s, (size_t)slen, version, vlen);
}

static int minor_of(const uint8_t *p, size_t n)
{
	int m = 0;

	for (size_t i = 4; i < n && is_digit(p[i]) && m < 100000; i++)
		m = m * 10 + (p[i] - '0');
	return m;
}

int tt_go_scan_version(const uint8_t *buf, size_t len, int min_minor, char *version, size_t vlen)
{
	const uint8_t *best = NULL;
	size_t best_len = 0;

	if (!buf)
		return -ENOENT;
	for (size_t i = 0; i + 5 <= len; i++) {
		const uint8_t *p = memchr(buf + i, 'g', len - i);
		if (!p)
			break;
		i = (size_t)(p - buf);
		if (len - i < 5 || memcmp(p, "go1.", 4) != 0 || !is_digit(p[4]))
			continue;
		/* go1.MINOR[.PATCH] or go1.MINORrcN / betaN */
		size_t n = 4, dots = 1;
		while (i + n < len && n < 16 && (is_digit(p[n]) || p[n] == '.')) {
			if (p[n] == '.') {
				if (p[n - 1] == '.')
					break;
				dots++;
			}
			n++;
		}
		if (p[n - 1] == '.')
			n--, dots--;
		if (dots > 2 || n >= 16 || minor_of(p, n) < min_minor)
			continue;
		/* a three-part version is the toolchain's own; "go1.13" may be a doc string */
		if (dots == 2) {
			best = p;
			best_len = n;
			break;
		}
		if (!best) {
			best = p;
			best_len = n;
		}
	}
	if (!best)
		return -ENOENT;
	/* copy exactly what was judged above, not a re-scan of the bytes */
	if (best_len >= vlen)
		return -ENOSPC;
	memcpy(version, best, best_len);
	version[best_len] = 0;
	return 0;
}
