// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A minimal DWARF reader: walk the DIEs of every unit, remembering the
 * innermost named structure type, and record DW_AT_data_member_location of
 * the members asked for. Every attribute form is skipped by its encoded size
 * so that unknown attributes cost nothing; an unknown form ends the walk of
 * that unit (we cannot know its size) rather than guess. All reads are
 * bounds-checked and loops are bounded by the input size.
 */
#include "godwarf.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ABBREVS 1024
#define MAX_ATTRS 40
#define MAX_DEPTH 64

struct rd {
	const uint8_t *p;
	size_t len, pos;
	bool bad;
};

static uint64_t rd_n(struct rd *r, unsigned n)
{
	uint64_t v = 0;

	if (r->bad || n > 8 || r->pos > r->len || r->len - r->pos < n) {
		r->bad = true;
		return 0;
	}
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)r->p[r->pos + i] << (8 * i);
	r->pos += n;
	return v;
}

static uint64_t rd_uleb(struct rd *r)
{
	uint64_t v = 0;

	for (unsigned shift = 0; !r->bad; shift += 7) {
		if (r->pos >= r->len || shift > 63) {
			r->bad = true;
			break;
		}
		uint8_t b = r->p[r->pos++];
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
	return 0;
}

static int64_t rd_sleb(struct rd *r)
{
	uint64_t v = 0;
	unsigned shift = 0;
	uint8_t b = 0;

	do {
		if (r->bad || r->pos >= r->len || shift > 63) {
			r->bad = true;
			return 0;
		}
		b = r->p[r->pos++];
		v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	} while (b & 0x80);
	if (shift < 64 && (b & 0x40))
		v |= ~0ull << shift;
	return (int64_t)v;
}

static void skip(struct rd *r, uint64_t n)
{
	if (r->bad || r->pos > r->len || n > r->len - r->pos)
		r->bad = true;
	else
		r->pos += (size_t)n;
}

struct attr {
	uint16_t name, form;
	int64_t implicit;
};

struct abbrev {
	uint64_t code;
	uint16_t tag;
	bool children;
	uint16_t nattr;
	struct attr attrs[MAX_ATTRS];
};

/* Abbreviation table of one unit; false if malformed. */
static bool load_abbrevs(const uint8_t *p, size_t len, uint64_t off, struct abbrev *tab, int *n)
{
	struct rd r = {p, len, 0, false};

	*n = 0;
	if (off >= len)
		return false;
	r.pos = (size_t)off;
	while (*n < MAX_ABBREVS) {
		uint64_t code = rd_uleb(&r);
		if (r.bad)
			return false;
		if (code == 0)
			return true;
		struct abbrev *a = &tab[(*n)++];
		a->code = code;
		uint64_t tag = rd_uleb(&r);
		if (tag > 0xffff)
			return false; /* not a tag we could match: do not alias a real one */
		a->tag = (uint16_t)tag;
		a->children = rd_n(&r, 1) != 0;
		a->nattr = 0;
		for (;;) {
			uint64_t name = rd_uleb(&r), form = rd_uleb(&r);
			if (r.bad)
				return false;
			if (name == 0 && form == 0)
				break;
			int64_t imp = form == 0x21 ? rd_sleb(&r) : 0;
			if (a->nattr >= MAX_ATTRS || name > 0xffff || form > 0xffff)
				return false;
			a->attrs[a->nattr++] = (struct attr){(uint16_t)name, (uint16_t)form, imp};
		}
	}
	return false;
}

static const struct abbrev *find_abbrev(const struct abbrev *tab, int n, uint64_t code)
{
	if (code >= 1 && code <= (uint64_t)n && tab[code - 1].code == code)
		return &tab[code - 1]; /* the usual dense numbering */
	for (int i = 0; i < n; i++)
		if (tab[i].code == code)
			return &tab[i];
	return NULL;
}

struct val {
	bool is_str, is_int;
	const char *str;
	size_t str_len;
	int64_t num;
};

/* Read (or skip) one attribute value; false on an unknown form. */
static bool read_form(struct rd *r, unsigned form, unsigned addr_size, int version,
                      int64_t implicit, struct val *v, int depth)
{
	memset(v, 0, sizeof(*v));
	switch (form) {
	case 0x01:
		skip(r, addr_size);
		break; /* addr */
	case 0x03:
		skip(r, rd_n(r, 2));
		break; /* block2 */
	case 0x04:
		skip(r, rd_n(r, 4));
		break; /* block4 */
	case 0x05:
		v->num = (int64_t)rd_n(r, 2), v->is_int = true;
		break; /* data2 */
	case 0x06:
		v->num = (int64_t)rd_n(r, 4), v->is_int = true;
		break; /* data4 */
	case 0x07:
		v->num = (int64_t)rd_n(r, 8), v->is_int = true;
		break; /* data8 */
	case 0x08: {   /* string */
		const uint8_t *s = r->p + r->pos;
		const uint8_t *nul = r->pos < r->len ? memchr(s, 0, r->len - r->pos) : NULL;
		if (!nul) {
			r->bad = true;
			break;
		}
		v->is_str = true;
		v->str = (const char *)s;
		v->str_len = (size_t)(nul - s);
		r->pos += v->str_len + 1;
		break;
	}
	case 0x09:
		skip(r, rd_uleb(r));
		break; /* block */
	case 0x0a:
		skip(r, rd_n(r, 1));
		break; /* block1 */
	case 0x0b:
		v->num = (int64_t)rd_n(r, 1), v->is_int = true;
		break; /* data1 */
	case 0x0c:
		skip(r, 1);
		break; /* flag */
	case 0x0d:
		v->num = rd_sleb(r), v->is_int = true;
		break; /* sdata */
	case 0x0e:
		skip(r, 4);
		break; /* strp */
	case 0x0f:
		v->num = (int64_t)rd_uleb(r), v->is_int = true;
		break; /* udata */
	case 0x10:
		skip(r, version <= 2 ? addr_size : 4);
		break; /* ref_addr */
	case 0x11:
		skip(r, 1);
		break;
	case 0x12:
		skip(r, 2);
		break;
	case 0x13:
		skip(r, 4);
		break;
	case 0x14:
		skip(r, 8);
		break;
	case 0x15:
		rd_uleb(r);
		break; /* ref_udata */
	case 0x16: {   /* indirect */
		uint64_t f = rd_uleb(r);
		if (r->bad || depth > 2 || f == 0x16)
			return false;
		return read_form(r, (unsigned)f, addr_size, version, implicit, v, depth + 1);
	}
	case 0x17:
		skip(r, 4);
		break; /* sec_offset */
	case 0x18: {   /* exprloc: DW_OP_plus_uconst n is a member offset */
		uint64_t n = rd_uleb(r);
		if (!r->bad && n >= 2 && n <= r->len - r->pos && r->p[r->pos] == 0x23) {
			struct rd sub = {r->p + r->pos + 1, (size_t)n - 1, 0, false};
			v->num = (int64_t)rd_uleb(&sub);
			v->is_int = !sub.bad;
		}
		skip(r, n);
		break;
	}
	case 0x19:
		break; /* flag_present */
	case 0x1a:
		rd_uleb(r);
		break; /* strx */
	case 0x1b:
		rd_uleb(r);
		break; /* addrx */
	case 0x1c:
		skip(r, 4);
		break; /* ref_sup4 */
	case 0x1d:
		skip(r, 4);
		break; /* strp_sup */
	case 0x1e:
		skip(r, 16);
		break; /* data16 */
	case 0x1f:
		skip(r, 4);
		break; /* line_strp */
	case 0x20:
		skip(r, 8);
		break; /* ref_sig8 */
	case 0x21:
		v->num = implicit, v->is_int = true;
		break; /* implicit_const */
	case 0x22:
		rd_uleb(r);
		break; /* loclistx */
	case 0x23:
		rd_uleb(r);
		break; /* rnglistx */
	case 0x24:
		skip(r, 8);
		break; /* ref_sup8 */
	case 0x25:
		skip(r, 1);
		break; /* strx1 */
	case 0x26:
		skip(r, 2);
		break;
	case 0x27:
		skip(r, 3);
		break;
	case 0x28:
		skip(r, 4);
		break;
	case 0x29:
		skip(r, 1);
		break; /* addrx1 */
	case 0x2a:
		skip(r, 2);
		break;
	case 0x2b:
		skip(r, 3);
		break;
	case 0x2c:
		skip(r, 4);
		break;
	default:
		return false;
	}
	return !r->bad;
}

static bool str_eq(const struct val *v, const char *s)
{
	return v->is_str && strlen(s) == v->str_len && memcmp(v->str, s, v->str_len) == 0;
}

/* Walk one unit's DIEs. Returns false if the unit could not be parsed. */
static bool walk_unit(struct rd *r, unsigned addr_size, int version, const struct abbrev *tab,
                      int ntab, struct tt_dwarf_query *q, int nq, int *found)
{
	/* per depth: which query type (index into q, or -1) the open struct is */
	int struct_at[MAX_DEPTH];
	int depth = 0;

	struct_at[0] = -1;
	while (r->pos < r->len && !r->bad) {
		uint64_t code = rd_uleb(r);
		if (r->bad)
			return false;
		if (code == 0) {
			if (depth == 0)
				continue; /* padding */
			depth--;
			continue;
		}
		const struct abbrev *a = find_abbrev(tab, ntab, code);
		if (!a)
			return false;
		struct val name = {0}, loc = {0};
		for (int i = 0; i < a->nattr; i++) {
			struct val v;
			if (!read_form(r, a->attrs[i].form, addr_size, version,
			               a->attrs[i].implicit, &v, 0))
				return false;
			if (a->attrs[i].name == 0x03)
				name = v;
			else if (a->attrs[i].name == 0x38)
				loc = v;
		}
		int this_struct = -1;
		if (a->tag == 0x13 && name.is_str) { /* structure_type */
			for (int i = 0; i < nq; i++)
				if (str_eq(&name, q[i].type)) {
					this_struct = i;
					break;
				}
		}
		/* member of a wanted struct; a negative location (sdata, or udata
		 * past INT64_MAX) is no offset and must not count as found */
		if (a->tag == 0x0d && depth > 0 && struct_at[depth] >= 0 && name.is_str &&
		    loc.is_int && loc.num >= 0) {
			const char *type = q[struct_at[depth]].type;
			for (int i = 0; i < nq; i++)
				if (q[i].offset < 0 && strcmp(q[i].type, type) == 0 &&
				    str_eq(&name, q[i].member)) {
					q[i].offset = loc.num;
					(*found)++;
				}
			if (*found == nq)
				return true;
		}
		if (a->children) {
			if (depth + 1 >= MAX_DEPTH)
				return false;
			depth++;
			struct_at[depth] = this_struct;
		}
	}
	return !r->bad;
}

int tt_dwarf_member_offsets(const uint8_t *info, size_t info_len, const uint8_t *abbrev,
                            size_t abbrev_len, struct tt_dwarf_query *q, int nq)
{
	struct abbrev *tab;
	size_t pos = 0;
	int found = 0;

	for (int i = 0; i < nq; i++)
		q[i].offset = -1;
	if (!info || !abbrev || nq <= 0)
		return -EINVAL;
	tab = malloc(sizeof(*tab) * MAX_ABBREVS);
	if (!tab)
		return -ENOMEM;
	while (pos + 11 <= info_len && found < nq) {
		struct rd h = {info, info_len, pos, false};
		uint64_t unit_len = rd_n(&h, 4);
		if (unit_len >= 0xfffffff0u || unit_len > info_len - h.pos || unit_len < 7)
			break; /* 64-bit DWARF or garbage */
		size_t unit_end = h.pos + (size_t)unit_len;
		int version = (int)rd_n(&h, 2);
		uint64_t abbrev_off;
		unsigned addr_size;
		if (version >= 2 && version <= 4) {
			abbrev_off = rd_n(&h, 4);
			addr_size = (unsigned)rd_n(&h, 1);
		} else if (version == 5) {
			unsigned type = (unsigned)rd_n(&h, 1);
			addr_size = (unsigned)rd_n(&h, 1);
			abbrev_off = rd_n(&h, 4);
			if (type == 0x02 || type == 0x06) /* type / split type units */
				skip(&h, 12);
			else if (type == 0x04 || type == 0x05) /* skeleton / split compile */
				skip(&h, 8);
		} else {
			pos = unit_end;
			continue;
		}
		int ntab;
		if (!h.bad && (addr_size == 4 || addr_size == 8) &&
		    load_abbrevs(abbrev, abbrev_len, abbrev_off, tab, &ntab)) {
			struct rd body = {info, unit_end, h.pos, false};
			walk_unit(&body, addr_size, version, tab, ntab, q, nq, &found);
		}
		pos = unit_end;
	}
	free(tab);
	return found;
}
