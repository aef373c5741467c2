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

/*
 * How each form is encoded, by form code (DWARF 5, 7.5.6). A table rather
 * than a switch so that the size of every form can be checked at a glance;
 * a code past the end or left at F_UNKNOWN has a size we cannot know.
 */
enum form_kind {
	F_UNKNOWN = 0,
	F_FIXED,    /* skip size bytes */
	F_ADDR,     /* skip addr_size bytes */
	F_REF_ADDR, /* addr_size bytes in DWARF 2, 4 after */
	F_BLOCK,    /* length of size bytes (0: ULEB128), then that many bytes */
	F_DATA,     /* unsigned constant of size bytes */
	F_SDATA,    /* SLEB128 constant */
	F_UDATA,    /* ULEB128 constant */
	F_IMPLICIT, /* constant held in the abbreviation */
	F_ULEB,     /* skip one ULEB128 */
	F_PRESENT,  /* no bytes at all */
	F_STRING,   /* inline NUL-terminated string */
	F_INDIRECT, /* the form itself follows as ULEB128 */
	F_EXPRLOC,  /* ULEB128 length, then an expression */
};

struct form_desc {
	uint8_t kind, size;
};

static const struct form_desc forms[] = {
    [0x01] = {F_ADDR, 0},     /* addr */
    [0x03] = {F_BLOCK, 2},    /* block2 */
    [0x04] = {F_BLOCK, 4},    /* block4 */
    [0x05] = {F_DATA, 2},     /* data2 */
    [0x06] = {F_DATA, 4},     /* data4 */
    [0x07] = {F_DATA, 8},     /* data8 */
    [0x08] = {F_STRING, 0},   /* string */
    [0x09] = {F_BLOCK, 0},    /* block */
    [0x0a] = {F_BLOCK, 1},    /* block1 */
    [0x0b] = {F_DATA, 1},     /* data1 */
    [0x0c] = {F_FIXED, 1},    /* flag */
    [0x0d] = {F_SDATA, 0},    /* sdata */
    [0x0e] = {F_FIXED, 4},    /* strp */
    [0x0f] = {F_UDATA, 0},    /* udata */
    [0x10] = {F_REF_ADDR, 0}, /* ref_addr */
    [0x11] = {F_FIXED, 1},    /* ref1 */
    [0x12] = {F_FIXED, 2},    /* ref2 */
    [0x13] = {F_FIXED, 4},    /* ref4 */
    [0x14] = {F_FIXED, 8},    /* ref8 */
    [0x15] = {F_ULEB, 0},     /* ref_udata */
    [0x16] = {F_INDIRECT, 0}, /* indirect */
    [0x17] = {F_FIXED, 4},    /* sec_offset */
    [0x18] = {F_EXPRLOC, 0},  /* exprloc */
    [0x19] = {F_PRESENT, 0},  /* flag_present */
    [0x1a] = {F_ULEB, 0},     /* strx */
    [0x1b] = {F_ULEB, 0},     /* addrx */
    [0x1c] = {F_FIXED, 4},    /* ref_sup4 */
    [0x1d] = {F_FIXED, 4},    /* strp_sup */
    [0x1e] = {F_FIXED, 16},   /* data16 */
    [0x1f] = {F_FIXED, 4},    /* line_strp */
    [0x20] = {F_FIXED, 8},    /* ref_sig8 */
    [0x21] = {F_IMPLICIT, 0}, /* implicit_const */
    [0x22] = {F_ULEB, 0},     /* loclistx */
    [0x23] = {F_ULEB, 0},     /* rnglistx */
    [0x24] = {F_FIXED, 8},    /* ref_sup8 */
    [0x25] = {F_FIXED, 1},    /* strx1 */
    [0x26] = {F_FIXED, 2},    /* strx2 */
    [0x27] = {F_FIXED, 3},    /* strx3 */
    [0x28] = {F_FIXED, 4},    /* strx4 */
    [0x29] = {F_FIXED, 1},    /* addrx1 */
    [0x2a] = {F_FIXED, 2},    /* addrx2 */
    [0x2b] = {F_FIXED, 3},    /* addrx3 */
    [0x2c] = {F_FIXED, 4},    /* addrx4 */
};

static void read_string(struct rd *r, struct val *v)
{
	const uint8_t *s = r->p + r->pos;
	const uint8_t *nul = r->pos < r->len ? memchr(s, 0, r->len - r->pos) : NULL;

	if (!nul) {
		r->bad = true;
		return;
	}
	v->is_str = true;
	v->str = (const char *)s;
	v->str_len = (size_t)(nul - s);
	r->pos += v->str_len + 1;
}

/* DW_OP_plus_uconst n is how a member offset is written as an expression */
static void read_exprloc(struct rd *r, struct val *v)
{
	uint64_t n = rd_uleb(r);

	if (!r->bad && n >= 2 && n <= r->len - r->pos && r->p[r->pos] == 0x23) {
		struct rd sub = {r->p + r->pos + 1, (size_t)n - 1, 0, false};
		v->num = (int64_t)rd_uleb(&sub);
		v->is_int = !sub.bad;
	}
	skip(r, n);
}

static void set_int(struct val *v, int64_t num)
{
	v->num = num;
	v->is_int = true;
}

/* Read (or skip) one attribute value; false on an unknown form. */
static bool read_form(struct rd *r, unsigned form, unsigned addr_size, int version,
                      int64_t implicit, struct val *v, int depth)
{
	memset(v, 0, sizeof(*v));
	if (form >= sizeof(forms) / sizeof(forms[0]))
		return false;
	const struct form_desc *d = &forms[form];
	switch (d->kind) {
	case F_FIXED:
		skip(r, d->size);
		break;
	case F_ADDR:
		skip(r, addr_size);
		break;
	case F_REF_ADDR:
		skip(r, version <= 2 ? addr_size : 4);
		break;
	case F_BLOCK:
		skip(r, d->size ? rd_n(r, d->size) : rd_uleb(r));
		break;
	case F_DATA:
		set_int(v, (int64_t)rd_n(r, d->size));
		break;
	case F_SDATA:
		set_int(v, rd_sleb(r));
		break;
	case F_UDATA:
		set_int(v, (int64_t)rd_uleb(r));
		break;
	case F_IMPLICIT:
		set_int(v, implicit);
		break;
	case F_ULEB:
		rd_uleb(r);
		break;
	case F_PRESENT:
		break;
	case F_STRING:
		read_string(r, v);
		break;
	case F_INDIRECT: {
		uint64_t f = rd_uleb(r);
		if (r->bad || depth > 2 || f == 0x16)
			return false;
		return read_form(r, (unsigned)f, addr_size, version, implicit, v, depth + 1);
	}
	case F_EXPRLOC:
		read_exprloc(r, v);
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

/* Index of the query whose type a structure_type DIE named name is, or -1. */
static int wanted_struct(const struct tt_dwarf_query *q, int nq, const struct val *name)
{
	if (!name->is_str)
		return -1;
	for (int i = 0; i < nq; i++)
		if (str_eq(name, q[i].type))
			return i;
	return -1;
}

/* A member of struct type at offset: fill every query still open for it. */
static void record_member(struct tt_dwarf_query *q, int nq, const char *type,
                          const struct val *name, int64_t offset, int *found)
{
	for (int i = 0; i < nq; i++)
		if (q[i].offset < 0 && strcmp(q[i].type, type) == 0 && str_eq(name, q[i].member)) {
			q[i].offset = offset;
			(*found)++;
		}
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
		int this_struct = a->tag == 0x13 ? wanted_struct(q, nq, &name) : -1;
		/* member of a wanted struct; a negative location (sdata, or udata
		 * past INT64_MAX) is no offset and must not count as found */
		if (a->tag == 0x0d && depth > 0 && struct_at[depth] >= 0 && name.is_str &&
		    loc.is_int && loc.num >= 0) {
			record_member(q, nq, q[struct_at[depth]].type, &name, loc.num, found);
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
