// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * .eh_frame parser and CFA program interpreter (DWARF 4 section 6.4 with the
 * LSB's .eh_frame changes). Only three columns matter to a walk that starts
 * from a sleeping thread's sp and pc: the CFA, the frame pointer and the
 * return address; every other column's rules are parsed and dropped.
 */
#include "cfi.h"

#include <elf.h>
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elfsym.h"

#ifndef EM_AARCH64
#define EM_AARCH64 183
#endif

#define REMEMBER_MAX 16 /* nested DW_CFA_remember_state */
#define AUG_MAX 8       /* augmentation string bytes */

/* A bounded reader: any read past end sets err and yields 0. */
struct cur {
	const uint8_t *p, *end;
	bool err;
};

static uint64_t rd_n(struct cur *c, size_t n)
{
	uint64_t v = 0;

	if (c->err || (size_t)(c->end - c->p) < n) {
		c->err = true;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)c->p[i] << (8 * i);
	c->p += n;
	return v;
}

static uint64_t rd_uleb(struct cur *c)
{
	uint64_t v = 0;

	for (int shift = 0; shift < 70; shift += 7) {
		if (c->err || c->p >= c->end)
			break;
		uint8_t b = *c->p++;
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
	c->err = true;
	return 0;
}

static int64_t rd_sleb(struct cur *c)
{
	uint64_t v = 0;
	int shift = 0;

	for (; shift < 70; shift += 7) {
		if (c->err || c->p >= c->end)
			break;
		uint8_t b = *c->p++;
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			shift += 7;
			if (shift < 64 && (b & 0x40))
				v |= ~0ull << shift;
			return (int64_t)v;
		}
	}
	c->err = true;
	return 0;
}

/*
 * A pointer in encoding enc, the field being at link-time address at;
 * datarel is .eh_frame_hdr's address. Indirect and aligned forms are not
 * followed (they need the target's memory, and compilers do not use them
 * for code ranges).
 */
static uint64_t rd_enc(struct cur *c, uint8_t enc, uint64_t at, uint64_t datarel)
{
	uint64_t v, base = 0;

	if (enc == 0xff || (enc & 0x80)) {
		c->err = true;
		return 0;
	}
	switch (enc & 0x0f) {
	case 0x00:
		v = rd_n(c, 8);
		break;
	case 0x01:
		v = rd_uleb(c);
		break;
	case 0x02:
		v = rd_n(c, 2);
		break;
	case 0x03:
		v = rd_n(c, 4);
		break;
	case 0x04:
		v = rd_n(c, 8);
		break;
	case 0x09:
		v = (uint64_t)rd_sleb(c);
		break;
	case 0x0a:
		v = (uint64_t)(int64_t)(int16_t)rd_n(c, 2);
		break;
	case 0x0b:
		v = (uint64_t)(int64_t)(int32_t)rd_n(c, 4);
		break;
	case 0x0c:
		v = rd_n(c, 8);
		break;
	default:
		c->err = true;
		return 0;
	}
	switch (enc & 0x70) {
	case 0x00:
		break;
	case 0x10:
		base = at;
		break;
	case 0x30:
		base = datarel;
		break;
	default:
		c->err = true;
		return 0;
	}
	return v + base;
}

/* A factored offset (value times the CIE's data alignment); overflow is malformed. */
static int64_t factored(struct cur *k, int64_t v, int64_t align)
{
	int64_t r;

	if (__builtin_mul_overflow(v, align, &r)) {
		k->err = true;
		return 0;
	}
	return r;
}

static int64_t uleb_factored(struct cur *k, int64_t align, bool negate)
{
	uint64_t v = rd_uleb(k);

	if (v > INT64_MAX) {
		k->err = true;
		return 0;
	}
	return factored(k, negate ? -(int64_t)v : (int64_t)v, align);
}

struct cie {
	uint64_t code_align;
	int64_t data_align;
	uint64_t ra_col;
	uint8_t fde_enc;
	bool has_z, signal;
	const uint8_t *insns, *insns_end;
};

/* The length field at off: body [*body, *end) inside the section. */
static int entry_at(const struct tt_cfi *c, uint64_t off, uint64_t *body, uint64_t *end)
{
	struct cur k = {c->eh, c->eh + c->eh_len, false};
	uint64_t len;

	if (off >= c->eh_len)
		return -EINVAL;
	k.p += off;
	len = rd_n(&k, 4);
	if (len == 0xffffffffull)
		len = rd_n(&k, 8);
	if (k.err)
		return -EINVAL;
	*body = (uint64_t)(k.p - c->eh);
	if (len > c->eh_len - *body)
		return -EINVAL;
	*end = *body + len;
	return len == 0 ? -ENOENT : 0;
}

static int parse_aug(struct cur *k, const char *aug, struct cie *ci, uint64_t eh_addr,
                     const uint8_t *eh)
{
	if (aug[0] == 0)
		return 0;
	if (aug[0] != 'z')
		return -ENOTSUP; /* "eh" and other pre-'z' forms */
	uint64_t alen = rd_uleb(k);
	if (k->err || alen > (uint64_t)(k->end - k->p))
		return -EINVAL;
	struct cur a = {k->p, k->p + alen, false};
	ci->has_z = true;
	for (const char *s = aug + 1; *s; s++) {
		if (*s == 'R')
			ci->fde_enc = (uint8_t)rd_n(&a, 1);
		else if (*s == 'L')
			rd_n(&a, 1);
		else if (*s == 'P') {
			uint8_t pe = (uint8_t)rd_n(&a, 1);
			/* the personality may be indirect: only its size matters here */
			rd_enc(&a, pe & 0x7f, eh_addr + (uint64_t)(a.p - eh), 0);
		} else if (*s == 'S')
			ci->signal = true;
		else if (*s != 'B' && *s != 'G')
			break; /* unknown: the length says where the data ends */
		if (a.err)
			return -EINVAL;
	}
	k->p += alen;
	return 0;
}

static int parse_cie(const struct tt_cfi *c, uint64_t off, struct cie *ci)
{
	uint64_t body, end;
	char aug[AUG_MAX + 1];
	size_t i = 0;

	memset(ci, 0, sizeof(*ci));
	ci->fde_enc = 0x00;
	if (entry_at(c, off, &body, &end) != 0)
		return -EINVAL;
	struct cur k = {c->eh + body, c->eh + end, false};
	if (rd_n(&k, 4) != 0)
		return -EINVAL; /* not a CIE */
	uint8_t ver = (uint8_t)rd_n(&k, 1);
	if (k.err || (ver != 1 && ver != 3))
		return -EINVAL;
	for (;; i++) {
		if (k.p >= k.end || i > AUG_MAX)
			return -EINVAL;
		aug[i] = (char)*k.p++;
		if (!aug[i])
			break;
	}
	ci->code_align = rd_uleb(&k);
	ci->data_align = rd_sleb(&k);
	ci->ra_col = ver == 1 ? rd_n(&k, 1) : rd_uleb(&k);
	if (k.err)
		return -EINVAL;
	int rc = parse_aug(&k, aug, ci, c->eh_addr, c->eh);
	if (rc)
		return rc;
	ci->insns = k.p;
	ci->insns_end = k.end;
	return 0;
}

struct fde {
	struct cie cie;
	uint64_t start, range;
	const uint8_t *insns, *insns_end;
};

/* The FDE at off (its CIE parsed too); -ENOENT for a CIE or terminator. */
static int parse_fde(const struct tt_cfi *c, uint64_t off, struct fde *f)
{
	uint64_t body, end;
	int rc = entry_at(c, off, &body, &end);

	if (rc)
		return rc;
	struct cur k = {c->eh + body, c->eh + end, false};
	uint64_t id = rd_n(&k, 4);
	if (k.err)
		return -EINVAL;
	if (id == 0)
		return -ENOENT;
	if (id > body)
		return -EINVAL;
	rc = parse_cie(c, body - id, &f->cie);
	if (rc)
		return rc;
	uint64_t at = c->eh_addr + (uint64_t)(k.p - c->eh);
	f->start = rd_enc(&k, f->cie.fde_enc, at, c->hdr_addr);
	f->range = rd_enc(&k, f->cie.fde_enc & 0x0f, 0, 0);
	if (f->cie.has_z) {
		uint64_t alen = rd_uleb(&k);
		if (!k.err && alen > (uint64_t)(k.end - k.p))
			return -EINVAL;
		k.p += k.err ? 0 : alen;
	}
	if (k.err || f->start + f->range < f->start)
		return -EINVAL;
	f->insns = k.p;
	f->insns_end = k.end;
	return 0;
}

/* Interpreter state: the CFA and the two columns followed. */
struct state {
	int64_t cfa_col; /* DWARF number; -1 by expression */
	int64_t cfa_off;
	struct tt_cfi_rule fp, ra;
	bool ra_signed;
};

struct cols {
	uint64_t sp, fp, ra;
};

static int8_t slot_of(const struct cols *cl, uint64_t col)
{
	if (col == cl->sp)
		return TT_CFI_SP;
	if (col == cl->fp)
		return TT_CFI_FP;
	if (col == cl->ra)
		return TT_CFI_RA;
	return -1;
}

static struct tt_cfi_rule *rule_of(struct state *s, const struct cols *cl, uint64_t col)
{
	if (col == cl->fp)
		return &s->fp;
	if (col == cl->ra)
		return &s->ra;
	return NULL;
}

struct prog {
	const struct cie *cie;
	const struct cols *cl;
	uint16_t machine;
	uint64_t pc, loc;
	const struct state *init; /* after the CIE's program: for restore */
	struct state stack[REMEMBER_MAX];
	int depth;
};

static void set_rule(struct state *s, const struct cols *cl, uint64_t col, uint8_t how, int64_t off)
{
	struct tt_cfi_rule *r = rule_of(s, cl, col);

	if (r)
		*r = (struct tt_cfi_rule){how, -1, off};
}

/* Advance the location; true when pc lies before the new one (stop here). */
static bool advance(struct prog *g, uint64_t delta, bool *err)
{
	if (g->cie->code_align && delta > UINT64_MAX / g->cie->code_align) {
		*err = true;
		return true;
	}
	uint64_t nl = g->loc + delta * g->cie->code_align;
	if (nl < g->loc) {
		*err = true;
		return true;
	}
	if (g->pc < nl)
		return true;
	g->loc = nl;
	return false;
}

static void restore_col(struct prog *g, struct state *s, uint64_t col)
{
	struct tt_cfi_rule *r = rule_of(s, g->cl, col);

	if (r && g->init)
		*r = *rule_of((struct state *)g->init, g->cl, col);
	else if (r)
		*r = (struct tt_cfi_rule){TT_CFI_SAME, -1, 0};
}

#define NOT_MINE 2 /* an opcode helper's answer: another one decodes it */

/* The location opcodes; 1 when the row at pc is reached, <0 on error. */
static int op_loc(struct prog *g, struct cur *k, uint8_t op)
{
	const struct cie *ci = g->cie;
	uint64_t v;
	bool err = false;

	switch (op) {
	case 0x00:
		return 0; /* nop */
	case 0x01: {      /* set_loc */
		uint64_t nl = rd_enc(k, ci->fde_enc, 0, 0);
		if (k->err || (ci->fde_enc & 0x70))
			return -ENOTSUP;
		if (g->pc < nl)
			return 1;
		g->loc = nl;
		return 0;
	}
	case 0x02:
		v = rd_n(k, 1);
		goto adv;
	case 0x03:
		v = rd_n(k, 2);
		goto adv;
	case 0x04:
		v = rd_n(k, 4);
	adv:
		if (k->err)
			return -EINVAL;
		if (advance(g, v, &err))
			return err ? -EINVAL : 1;
		return 0;
	default:
		return NOT_MINE;
	}
}

/* The opcodes that give one column a rule. */
static int op_rule(struct prog *g, struct state *s, struct cur *k, uint8_t op)
{
	const struct cie *ci = g->cie;
	uint64_t col, v;

	switch (op) {
	case 0x05: /* offset_extended */
		col = rd_uleb(k);
		set_rule(s, g->cl, col, TT_CFI_AT, uleb_factored(k, ci->data_align, false));
		return 0;
	case 0x11: /* offset_extended_sf */
		col = rd_uleb(k);
		set_rule(s, g->cl, col, TT_CFI_AT, factored(k, rd_sleb(k), ci->data_align));
		return 0;
	case 0x2f: /* GNU_negative_offset_extended */
		col = rd_uleb(k);
		set_rule(s, g->cl, col, TT_CFI_AT, uleb_factored(k, ci->data_align, true));
		return 0;
	case 0x14: /* val_offset */
		col = rd_uleb(k);
		set_rule(s, g->cl, col, TT_CFI_VAL, uleb_factored(k, ci->data_align, false));
		return 0;
	case 0x15: /* val_offset_sf */
		col = rd_uleb(k);
		set_rule(s, g->cl, col, TT_CFI_VAL, factored(k, rd_sleb(k), ci->data_align));
		return 0;
	case 0x06: /* restore_extended */
		restore_col(g, s, rd_uleb(k));
		return 0;
	case 0x07: /* undefined */
		set_rule(s, g->cl, rd_uleb(k), TT_CFI_UNDEF, 0);
		return 0;
	case 0x08: /* same_value */
		set_rule(s, g->cl, rd_uleb(k), TT_CFI_SAME, 0);
		return 0;
	case 0x09: { /* register */
		col = rd_uleb(k);
		uint64_t r2 = rd_uleb(k);
		struct tt_cfi_rule *r = rule_of(s, g->cl, col);
		if (r)
			*r = (struct tt_cfi_rule){TT_CFI_INREG, slot_of(g->cl, r2), 0};
		return 0;
	}
	case 0x10: /* expression */
	case 0x16: /* val_expression */
		col = rd_uleb(k);
		v = rd_uleb(k);
		if (k->err || v > (uint64_t)(k->end - k->p))
			return -EINVAL;
		k->p += v;
		set_rule(s, g->cl, col, TT_CFI_EXPR, 0);
		return 0;
	default:
		return NOT_MINE;
	}
}

/* The CFA's opcodes and the row stack. */
static int op_cfa(struct prog *g, struct state *s, struct cur *k, uint8_t op)
{
	const struct cie *ci = g->cie;
	uint64_t v;

	switch (op) {
	case 0x0a: /* remember_state */
		if (g->depth == REMEMBER_MAX)
			return -EINVAL;
		g->stack[g->depth++] = *s;
		return 0;
	case 0x0b: /* restore_state: the CFA rule is part of the row, as in libgcc */
		if (g->depth == 0)
			return -EINVAL;
		g->depth--;
		s->fp = g->stack[g->depth].fp;
		s->ra = g->stack[g->depth].ra;
		s->ra_signed = g->stack[g->depth].ra_signed;
		s->cfa_col = g->stack[g->depth].cfa_col;
		s->cfa_off = g->stack[g->depth].cfa_off;
		return 0;
	case 0x0c: /* def_cfa */
		s->cfa_col = (int64_t)rd_uleb(k);
		s->cfa_off = (int64_t)rd_uleb(k);
		return 0;
	case 0x12: /* def_cfa_sf */
		s->cfa_col = (int64_t)rd_uleb(k);
		s->cfa_off = factored(k, rd_sleb(k), ci->data_align);
		return 0;
	case 0x0d: /* def_cfa_register */
		s->cfa_col = (int64_t)rd_uleb(k);
		return 0;
	case 0x0e: /* def_cfa_offset */
		s->cfa_off = (int64_t)rd_uleb(k);
		return 0;
	case 0x13: /* def_cfa_offset_sf */
		s->cfa_off = factored(k, rd_sleb(k), ci->data_align);
		return 0;
	case 0x0f: /* def_cfa_expression */
		v = rd_uleb(k);
		if (k->err || v > (uint64_t)(k->end - k->p))
			return -EINVAL;
		k->p += v;
		s->cfa_col = -1;
		return 0;
	case 0x2e: /* GNU_args_size */
		rd_uleb(k);
		return 0;
	case 0x2d: /* AARCH64_negate_ra_state (SPARC's window_save elsewhere) */
		if (g->machine != EM_AARCH64)
			return -ENOTSUP;
		s->ra_signed = !s->ra_signed;
		return 0;
	default:
		return -EINVAL;
	}
}

/* One of the 0x00-0x3f opcodes; 1 when the row at pc is reached, <0 on error. */
static int op_ext(struct prog *g, struct state *s, struct cur *k, uint8_t op)
{
	int rc = op_loc(g, k, op);

	if (rc == NOT_MINE)
		rc = op_rule(g, s, k, op);
	if (rc == NOT_MINE)
		rc = op_cfa(g, s, k, op);
	return rc;
}

static int run(struct prog *g, struct state *s, const uint8_t *p, const uint8_t *end)
{
	struct cur k = {p, end, false};
	bool err = false;

	while (k.p < k.end) {
		uint8_t op = *k.p++;
		int rc = 0;

		switch (op & 0xc0) {
		case 0x40: /* advance_loc */
			if (advance(g, op & 0x3f, &err))
				return err ? -EINVAL : 1;
			break;
		case 0x80: /* offset */
			set_rule(s, g->cl, op & 0x3f, TT_CFI_AT,
			         uleb_factored(&k, g->cie->data_align, false));
			break;
		case 0xc0: /* restore */
			restore_col(g, s, op & 0x3f);
			break;
		default:
			rc = op_ext(g, s, &k, op);
			break;
		}
		if (rc)
			return rc;
		if (k.err)
			return -EINVAL;
	}
	return 0;
}

static int machine_cols(uint16_t machine, uint64_t ra_col, struct cols *cl)
{
	if (machine == EM_X86_64)
		*cl = (struct cols){7, 6, ra_col};
	else if (machine == EM_AARCH64)
		*cl = (struct cols){31, 29, ra_col};
	else
		return -ENOTSUP;
	return ra_col == cl->sp || ra_col == cl->fp ? -EINVAL : 0;
}

/* The row at pc of one parsed FDE. */
static int fde_row(const struct tt_cfi *c, const struct fde *f, uint64_t pc, struct tt_cfi_row *row)
{
	struct cols cl;
	struct state init, s;
	int rc = machine_cols(c->machine, f->cie.ra_col, &cl);

	if (rc)
		return rc;
	memset(&init, 0, sizeof(init));
	init.cfa_col = -2; /* none yet */
	init.fp = init.ra = (struct tt_cfi_rule){TT_CFI_SAME, -1, 0};
	struct prog g = {
	    .cie = &f->cie, .cl = &cl, .machine = c->machine, .pc = pc, .loc = f->start};
	g.pc = UINT64_MAX; /* the CIE's program describes the entry: run all of it */
	rc = run(&g, &init, f->cie.insns, f->cie.insns_end);
	if (rc < 0)
		return rc;
	g.depth = 0;
	g.init = &init;
	g.pc = pc;
	g.loc = f->start;
	s = init;
	rc = run(&g, &s, f->insns, f->insns_end);
	if (rc < 0)
		return rc;
	if (s.cfa_col == -2)
		return -EINVAL;
	memset(row, 0, sizeof(*row));
	row->start = f->start;
	row->end = f->start + f->range;
	row->cfa_expr = s.cfa_col == -1;
	row->cfa_slot = s.cfa_col < 0 ? -1 : slot_of(&cl, (uint64_t)s.cfa_col);
	row->cfa_off = s.cfa_off;
	row->fp = s.fp;
	row->ra = s.ra;
	row->ra_signed = s.ra_signed;
	row->signal = f->cie.signal;
	return 0;
}

/* .eh_frame_hdr: version 1, sdata4 datarel table, wholly inside the section. */
static void use_hdr(struct tt_cfi *c)
{
	if (!c->hdr || c->hdr_len < 4 || c->hdr[0] != 1 || c->hdr[3] != 0x3b)
		return;
	struct cur k = {c->hdr + 4, c->hdr + c->hdr_len, false};
	rd_enc(&k, c->hdr[1], c->hdr_addr + 4, c->hdr_addr);
	uint64_t n = rd_enc(&k, c->hdr[2], c->hdr_addr + (uint64_t)(k.p - c->hdr), c->hdr_addr);
	if (k.err || n == 0 || n > (uint64_t)(k.end - k.p) / 8)
		return;
	c->table = k.p;
	c->ntable = (uint32_t)n;
}

static int ent_cmp(const void *a, const void *b)
{
	const struct tt_cfi_ent *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* No usable header table: walk the section once and sort its FDEs. */
static int build_index(struct tt_cfi *c)
{
	uint64_t off = 0, body, end;
	uint32_t cap = 0;

	while (off < c->eh_len) {
		int rc = entry_at(c, off, &body, &end);
		if (rc == -ENOENT)
			break; /* the terminator */
		if (rc)
			return c->nindex ? 0 : rc;
		struct fde f;
		if (parse_fde(c, off, &f) == 0) {
			if (c->nindex == cap) {
				if (cap >= TT_CFI_MAX_FDES)
					return -EFBIG;
				uint32_t ncap = cap ? cap * 2 : 256;
				struct tt_cfi_ent *ni = realloc(c->index, ncap * sizeof(*ni));
				if (!ni)
					return -ENOMEM;
				c->index = ni;
				cap = ncap;
			}
			c->index[c->nindex++] = (struct tt_cfi_ent){f.start, off};
		}
		off = end;
	}
	if (c->nindex)
		qsort(c->index, c->nindex, sizeof(*c->index), ent_cmp);
	c->mem += (size_t)cap * sizeof(*c->index);
	return 0;
}

static uint8_t *dup_bytes(const uint8_t *p, size_t n)
{
	uint8_t *d = malloc(n ? n : 1);

	if (d && n)
		memcpy(d, p, n);
	return d;
}

int tt_cfi_new(uint16_t machine, const uint8_t *eh, size_t eh_len, uint64_t eh_addr,
               const uint8_t *hdr, size_t hdr_len, uint64_t hdr_addr, struct tt_cfi **out)
{
	struct tt_cfi *c;
	int rc;

	*out = NULL;
	if (machine != EM_X86_64 && machine != EM_AARCH64)
		return -ENOTSUP;
	if (!eh || eh_len < 8)
		return -EINVAL;
	if (eh_len > TT_CFI_MAX_SECTION || hdr_len > TT_CFI_MAX_SECTION)
		return -EFBIG;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->machine = machine;
	c->eh = dup_bytes(eh, eh_len);
	c->eh_len = eh_len;
	c->eh_addr = eh_addr;
	if (hdr && hdr_len) {
		c->hdr = dup_bytes(hdr, hdr_len);
		c->hdr_len = hdr_len;
		c->hdr_addr = hdr_addr;
	}
	if (!c->eh || (hdr && hdr_len && !c->hdr)) {
		tt_cfi_free(c);
		return -ENOMEM;
	}
	c->mem = sizeof(*c) + eh_len + hdr_len;
	use_hdr(c);
	if (!c->table && (rc = build_index(c)) != 0) {
		tt_cfi_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

void tt_cfi_free(struct tt_cfi *c)
{
	if (!c)
		return;
	free(c->eh);
	free(c->hdr);
	free(c->index);
	free(c);
}

static void load_segs(Elf *e, struct tt_cfi *c)
{
	size_t nph;

	if (elf_getphdrnum(e, &nph) != 0)
		return;
	for (size_t i = 0; i < nph && c->nsegs < TT_CFI_MAX_SEGS; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD ||
		    ph.p_offset > UINT64_MAX - ph.p_filesz || ph.p_vaddr > UINT64_MAX - ph.p_filesz)
			continue;
		c->segs[c->nsegs++] =
		    (struct tt_cfi_seg){ph.p_offset, ph.p_vaddr, ph.p_filesz, ph.p_flags};
	}
}

static int pread_all(int fd, uint8_t *buf, size_t n, uint64_t off)
{
	for (size_t done = 0; done < n;) {
		ssize_t r = pread(fd, buf + done, n - done, (off_t)(off + done));
		if (r <= 0)
			return -EIO;
		done += (size_t)r;
	}
	return 0;
}

static uint8_t *read_range(int fd, uint64_t off, size_t n)
{
	uint8_t *b = malloc(n ? n : 1);

	if (b && pread_all(fd, b, n, off)) {
		free(b);
		return NULL;
	}
	return b;
}

/*
 * No section headers (a stripped-to-the-bone file): PT_GNU_EH_FRAME is the
 * header, its eh_frame_ptr the section, which runs at most to the end of
 * the loaded segment holding it (the parser stops at its terminator).
 */
static int from_phdrs(Elf *e, int fd, const struct tt_cfi *segs, uint8_t **eh, size_t *eh_len,
                      uint64_t *eh_addr, uint8_t **hdr, size_t *hdr_len, uint64_t *hdr_addr)
{
	size_t nph;
	GElf_Phdr ph;
	int i, n;

	if (elf_getphdrnum(e, &nph) != 0)
		return -ENOENT;
	for (n = 0; n < (int)nph; n++)
		if (gelf_getphdr(e, n, &ph) && ph.p_type == PT_GNU_EH_FRAME)
			break;
	if (n == (int)nph || ph.p_filesz < 12 || ph.p_filesz > TT_CFI_MAX_SECTION)
		return -ENOENT;
	*hdr_len = (size_t)ph.p_filesz;
	*hdr_addr = ph.p_vaddr;
	if (!(*hdr = read_range(fd, ph.p_offset, *hdr_len)))
		return -EIO;
	struct cur k = {*hdr + 4, *hdr + *hdr_len, false};
	if ((*hdr)[0] != 1)
		return -EINVAL;
	*eh_addr = rd_enc(&k, (*hdr)[1], *hdr_addr + 4, *hdr_addr);
	for (i = 0; !k.err && i < segs->nsegs; i++) {
		const struct tt_cfi_seg *sg = &segs->segs[i];
		if (*eh_addr < sg->vaddr || *eh_addr - sg->vaddr >= sg->filesz)
			continue;
		*eh_len = (size_t)(sg->filesz - (*eh_addr - sg->vaddr));
		if (*eh_len > TT_CFI_MAX_SECTION)
			*eh_len = TT_CFI_MAX_SECTION;
		*eh = read_range(fd, sg->off + (*eh_addr - sg->vaddr), *eh_len);
		return *eh ? 0 : -EIO;
	}
	return -ENOENT;
}

int tt_cfi_load_fd(int fd, struct tt_cfi **out)
{
	uint8_t *eh = NULL, *hdr = NULL;
	size_t eh_len = 0, hdr_len = 0, nsec = 0;
	uint64_t eh_addr = 0, hdr_addr = 0;
	struct tt_cfi segs = {0};
	GElf_Ehdr eh_hdr;
	Elf *e;
	int rc;

	*out = NULL;
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e)
		return -ENOEXEC;
	if (elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh_hdr)) {
		elf_end(e);
		return -ENOEXEC;
	}
	load_segs(e, &segs);
	if (elf_getshdrnum(e, &nsec) == 0 && nsec > 0) {
		rc =
		    tt_elf_section_copy(e, ".eh_frame", &eh, &eh_len, &eh_addr, TT_CFI_MAX_SECTION);
		if (rc == 0 && tt_elf_section_copy(e, ".eh_frame_hdr", &hdr, &hdr_len, &hdr_addr,
		                                   TT_CFI_MAX_SECTION))
			hdr = NULL, hdr_len = 0;
	} else
		rc = from_phdrs(e, fd, &segs, &eh, &eh_len, &eh_addr, &hdr, &hdr_len, &hdr_addr);
	if (rc == 0)
		rc = tt_cfi_new(eh_hdr.e_machine, eh, eh_len, eh_addr, hdr, hdr_len, hdr_addr, out);
	if (rc == 0) {
		memcpy((*out)->segs, segs.segs, sizeof(segs.segs));
		(*out)->nsegs = segs.nsegs;
	}
	free(eh);
	free(hdr);
	elf_end(e);
	return rc;
}

int tt_cfi_off_to_vaddr(const struct tt_cfi *c, uint64_t off, uint64_t *vaddr)
{
	for (int i = 0; i < c->nsegs; i++) {
		const struct tt_cfi_seg *s = &c->segs[i];
		if (off >= s->off && off - s->off < s->filesz) {
			*vaddr = off - s->off + s->vaddr;
			return 0;
		}
	}
	return -ENOENT;
}

/* The FDE offset whose start is the last at or below pc, from either table. */
static int lookup_off(const struct tt_cfi *c, uint64_t pc, uint64_t *off)
{
	uint32_t lo = 0, hi = c->table ? c->ntable : c->nindex;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		uint64_t start;
		if (c->table) {
			struct cur k = {c->table + (size_t)mid * 8, c->table + (size_t)mid * 8 + 4,
			                false};
			start = rd_enc(&k, 0x3b, 0, c->hdr_addr);
		} else
			start = c->index[mid].start;
		if (start <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return -ENOENT;
	if (c->table) {
		struct cur k = {c->table + (size_t)(lo - 1) * 8 + 4, c->table + (size_t)lo * 8,
		                false};
		uint64_t a = rd_enc(&k, 0x3b, 0, c->hdr_addr);
		if (a < c->eh_addr || a - c->eh_addr >= c->eh_len)
			return -EINVAL;
		*off = a - c->eh_addr;
	} else
		*off = c->index[lo - 1].off;
	return 0;
}

int tt_cfi_find(const struct tt_cfi *c, uint64_t pc, struct tt_cfi_row *row)
{
	struct fde f;
	uint64_t off;
	int rc = lookup_off(c, pc, &off);

	if (rc)
		return rc;
	rc = parse_fde(c, off, &f);
	if (rc)
		return rc == -ENOENT ? -EINVAL : rc;
	if (pc < f.start || pc - f.start >= f.range)
		return -ENOENT;
	return fde_row(c, &f, pc, row);
}

/* A register the row names, if known. */
static bool reg_val(const struct tt_cfi_regs *r, int slot, uint64_t *v)
{
	if (slot < 0 || slot >= TT_CFI_NREGS || !(r->known & (1u << slot)))
		return false;
	*v = r->v[slot];
	return true;
}

/* A caller's register by its rule; false when it cannot be known. */
static int apply(const struct tt_cfi_rule *rl, const struct tt_cfi_regs *r, int self, uint64_t cfa,
                 struct tt_mem *mem, uint64_t *v)
{
	switch (rl->how) {
	case TT_CFI_SAME:
		return reg_val(r, self, v) ? 0 : -ENOTSUP;
	case TT_CFI_INREG:
		return reg_val(r, rl->slot, v) ? 0 : -ENOTSUP;
	case TT_CFI_VAL:
		*v = cfa + (uint64_t)rl->off;
		return 0;
	case TT_CFI_AT:
		return tt_mem_read(mem, cfa + (uint64_t)rl->off, v, 8) ? -EFAULT : 0;
	case TT_CFI_UNDEF:
		return 1;
	default:
		return -ENOTSUP;
	}
}

int tt_cfi_step(const struct tt_cfi_row *row, uint16_t machine, struct tt_cfi_regs *regs,
                struct tt_mem *mem)
{
	uint64_t cfa, base, ra, fp = 0;
	int rc;

	if (row->cfa_expr || !reg_val(regs, row->cfa_slot, &base))
		return -ENOTSUP;
	cfa = base + (uint64_t)row->cfa_off;
	rc = apply(&row->ra, regs, TT_CFI_RA, cfa, mem, &ra);
	if (rc)
		return rc;
	/* a lost frame pointer ends nothing: a later CFA may not need it */
	bool fp_known = apply(&row->fp, regs, TT_CFI_FP, cfa, mem, &fp) == 0;
	if (!(regs->known & (1u << TT_CFI_SP)) || cfa <= regs->v[TT_CFI_SP])
		return -ELOOP;
	if (machine == EM_AARCH64 && row->ra_signed)
		ra &= (1ull << 48) - 1;
	regs->v[TT_CFI_SP] = cfa;
	regs->v[TT_CFI_FP] = fp;
	regs->v[TT_CFI_RA] = ra;
	regs->v[TT_CFI_PC] = ra;
	regs->known = (uint8_t)(1u << TT_CFI_SP | 1u << TT_CFI_RA | 1u << TT_CFI_PC |
	                        (fp_known ? 1u << TT_CFI_FP : 0));
	return 0;
}
