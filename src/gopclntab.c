// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * .gopclntab reader. The layout follows Go's runtime/symtab.go and
 * debug/gosym; only little-endian tables (amd64, arm64) are accepted. The
 * input may be a hostile file: each read goes through rd_*() which checks
 * bounds, every loop is capped, and a function record whose entry PC does not
 * match its functab slot is treated as corrupt rather than trusted, so a
 * damaged table never yields a wrong name.
 */
#include "gopclntab.h"

#include <errno.h>
#include <string.h>

#define PCVALUE_MAX_STEPS (1u << 20)
#define SCAN_FUNC_CHECKS 16
#define SCAN_FULL_CHECKS 8

static bool rd_u32(const struct tt_pcln *t, size_t off, uint32_t *v)
{
	if (off > t->len || t->len - off < 4)
		return false;
	const uint8_t *p = t->data + off;
	*v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	return true;
}

static bool rd_u64(const struct tt_pcln *t, size_t off, uint64_t *v)
{
	uint32_t lo, hi;

	if (!rd_u32(t, off, &lo) || off > SIZE_MAX - 4 || !rd_u32(t, off + 4, &hi))
		return false;
	*v = (uint64_t)hi << 32 | lo;
	return true;
}

/* A pointer-sized or 4-byte unsigned word. */
static bool rd_word(const struct tt_pcln *t, size_t off, uint32_t size, uint64_t *v)
{
	uint32_t u;

	if (size == 8)
		return rd_u64(t, off, v);
	if (!rd_u32(t, off, &u))
		return false;
	*v = u;
	return true;
}

/* Add two offsets without wrapping; false when the result leaves the buffer. */
static bool off_add(const struct tt_pcln *t, uint64_t a, uint64_t b, size_t *out)
{
	if (a > t->len || b > t->len - a)
		return false;
	*out = (size_t)(a + b);
	return true;
}

/* Copy the NUL-terminated string at off; false if it does not end in bounds. */
static bool rd_str(const struct tt_pcln *t, size_t off, char *dst, size_t dstlen)
{
	if (off >= t->len)
		return false;
	const uint8_t *s = t->data + off;
	const uint8_t *nul = memchr(s, 0, t->len - off);
	if (!nul)
		return false;
	size_t n = (size_t)(nul - s);
	if (dstlen == 0)
		return true;
	if (n >= dstlen)
		n = dstlen - 1;
	memcpy(dst, s, n);
	dst[n] = 0;
	return true;
}

static bool ft_pc(const struct tt_pcln *t, uint32_t i, uint64_t *pc);

/*
 * Lookups binary-search the functab, and a function's end is the next
 * slot's PC: both are only meaningful on a sorted table. An unsorted one
 * (corrupt or crafted) lets a slot's [pc, next pc) cover another function's
 * code, so it is refused once here rather than trusted per lookup. PCs are
 * compared after text_start is added, so a base that wraps is refused too.
 */
static bool functab_sorted(const struct tt_pcln *t)
{
	uint64_t prev = 0, pc;

	for (uint32_t i = 0; i <= t->nfunc; i++) {
		if (!ft_pc(t, i, &pc) || (i && pc < prev))
			return false;
		prev = pc;
	}
	return true;
}

/* The header checks; the O(nfunc) order check is left to the callers. */
/* Header words after the magic: nfunc, then (1.16+) the table offsets. */
static const struct {
	uint32_t magic;
	enum tt_pcln_ver ver;
	int nwords;
} pcln_magics[] = {
    {0xfffffffbu, TT_PCLN_12, 1},
    {0xfffffffau, TT_PCLN_116, 7},
    {0xfffffff0u, TT_PCLN_118, 8},
    {0xfffffff1u, TT_PCLN_120, 8},
};

/* How many header words a table with this magic has; 0 if it is not one we know. */
static int pcln_magic_words(uint32_t magic, enum tt_pcln_ver *ver)
{
	for (size_t i = 0; i < sizeof(pcln_magics) / sizeof(pcln_magics[0]); i++)
		if (pcln_magics[i].magic == magic) {
			*ver = pcln_magics[i].ver;
			return pcln_magics[i].nwords;
		}
	return 0;
}

/* 1.16+: funcnametab, cutab, filetab, pctab, functab, each inside the table. */
static int pcln_set_offsets(struct tt_pcln *t, const uint64_t *o, size_t len)
{
	for (int i = 0; i < 5; i++)
		if (o[i] > len)
			return -EINVAL;
	t->funcnametab = o[0];
	t->cutab = o[1];
	t->filetab = o[2];
	t->pctab = o[3];
	t->funcdata = t->functab = o[4];
	return 0;
}

/* 1.2: offsets are from the start of the table */
static int pcln12_offsets(struct tt_pcln *t, size_t len, uint32_t fsz)
{
	uint32_t fileoff;

	t->functab = 8 + t->ptrsize;
	size_t ftsize = ((size_t)t->nfunc * 2 + 1) * fsz;
	if (ftsize > len - t->functab || !rd_u32(t, t->functab + ftsize, &fileoff) ||
	    fileoff >= len)
		return -EINVAL;
	t->filetab = fileoff;
	return 0;
}

static int pcln_init_header(struct tt_pcln *t, const uint8_t *data, size_t len, uint64_t text_start)
{
	uint32_t magic;
	uint64_t w[8];
	int nw, rc;

	memset(t, 0, sizeof(*t));
	t->data = data;
	t->len = len;
	if (!data || len < 16 || !rd_u32(t, 0, &magic))
		return -EINVAL;
	if (data[4] != 0 || data[5] != 0 || (data[6] != 1 && data[6] != 2 && data[6] != 4) ||
	    (data[7] != 4 && data[7] != 8))
		return -EINVAL;
	t->quantum = data[6];
	t->ptrsize = data[7];
	nw = pcln_magic_words(magic, &t->ver);
	if (nw == 0)
		return -EINVAL;
	for (int i = 0; i < nw; i++)
		if (!rd_word(t, 8 + (size_t)i * t->ptrsize, t->ptrsize, &w[i]))
			return -EINVAL;
	if (w[0] == 0 || w[0] > len)
		return -EINVAL; /* each function needs more than a byte */
	t->nfunc = (uint32_t)w[0];

	uint32_t fsz = t->ver >= TT_PCLN_118 ? 4 : t->ptrsize;
	switch (t->ver) {
	case TT_PCLN_118:
	case TT_PCLN_120:
		t->text_start = text_start ? text_start : w[2];
		rc = pcln_set_offsets(t, &w[3], len);
		break;
	case TT_PCLN_116:
		rc = pcln_set_offsets(t, &w[2], len);
		break;
	default:
		rc = pcln12_offsets(t, len, fsz);
		break;
	}
	if (rc < 0)
		return rc;
	/* The functab holds nfunc (pc, funcoff) pairs plus the end PC. */
	if (t->functab > len || ((uint64_t)t->nfunc * 2 + 1) * fsz > len - t->functab)
		return -EINVAL;
	return 0;
}

int tt_pcln_init(struct tt_pcln *t, const uint8_t *data, size_t len, uint64_t text_start)
{
	int r = pcln_init_header(t, data, len, text_start);

	if (r == 0 && !functab_sorted(t))
		r = -EINVAL;
	return r;
}

static uint32_t ft_size(const struct tt_pcln *t)
{
	return t->ver >= TT_PCLN_118 ? 4 : t->ptrsize;
}

static bool ft_pc(const struct tt_pcln *t, uint32_t i, uint64_t *pc)
{
	uint32_t sz = ft_size(t);

	if (!rd_word(t, t->functab + (size_t)2 * i * sz, sz, pc))
		return false;
	if (t->ver >= TT_PCLN_118)
		*pc += t->text_start;
	return true;
}

static bool ft_funcoff(const struct tt_pcln *t, uint32_t i, size_t *off)
{
	uint32_t sz = ft_size(t);
	uint64_t fo;

	if (!rd_word(t, t->functab + ((size_t)2 * i + 1) * sz, sz, &fo))
		return false;
	return off_add(t, t->funcdata, fo, off);
}

/* Field n (1..9) of the _func record at off: 4-byte fields after the entry. */
static bool fn_field(const struct tt_pcln *t, size_t off, uint32_t n, uint32_t *v)
{
	size_t sz0 = t->ver >= TT_PCLN_118 ? 4 : t->ptrsize;
	size_t at;

	return off_add(t, off, sz0 + (size_t)(n - 1) * 4, &at) && rd_u32(t, at, v);
}

static bool fn_entry(const struct tt_pcln *t, size_t off, uint64_t *entry)
{
	if (t->ver >= TT_PCLN_118) {
		uint32_t e;
		if (!rd_u32(t, off, &e))
			return false;
		*entry = e + t->text_start;
		return true;
	}
	return rd_word(t, off, t->ptrsize, entry);
}

static bool rd_varint(const struct tt_pcln *t, size_t *pos, uint32_t *v)
{
	uint32_t r = 0;

	for (uint32_t shift = 0; shift < 35; shift += 7) {
		if (*pos >= t->len)
			return false;
		uint8_t b = t->data[(*pos)++];
		r |= (uint32_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = r;
			return true;
		}
	}
	return false;
}

/* Value of the pc-value table at off for targetpc; false if absent/corrupt. */
static bool pcvalue(const struct tt_pcln *t, uint32_t off, uint64_t entry, uint64_t target,
                    int32_t *out)
{
	size_t pos;
	int32_t val = -1;
	uint64_t pc = entry;

	if (off == 0 || !off_add(t, t->pctab, off, &pos))
		return false;
	for (uint32_t step = 0; step < PCVALUE_MAX_STEPS; step++) {
		uint32_t uv, pcd;
		bool first = pc == entry;

		if (!rd_varint(t, &pos, &uv))
			return false;
		if (uv == 0 && !first)
			return false;
		uv = (uv & 1) ? ~(uv >> 1) : uv >> 1;
		if (!rd_varint(t, &pos, &pcd))
			return false;
		pc += (uint64_t)pcd * t->quantum;
		val = (int32_t)((uint32_t)val + uv); /* wraps on hostile input, no UB */
		if (target < pc) {
			*out = val;
			return true;
		}
	}
	return false;
}

static void fill_file(const struct tt_pcln *t, size_t foff, uint64_t entry, uint64_t pc,
                      struct tt_pcln_func *out)
{
	uint32_t pcfile, cuoff, fnoff;
	int32_t fno;

	if (!fn_field(t, foff, 5, &pcfile) || !pcvalue(t, pcfile, entry, pc, &fno))
		return;
	if (t->ver == TT_PCLN_12) {
		uint32_t nfiles;
		size_t at;
		if (fno <= 0 || !rd_u32(t, t->filetab, &nfiles) || (uint32_t)fno >= nfiles ||
		    !off_add(t, t->filetab, (uint64_t)fno * 4, &at) || !rd_u32(t, at, &fnoff))
			return;
		if (!rd_str(t, fnoff, out->file, sizeof(out->file)))
			out->file[0] = 0;
		return;
	}
	size_t at, s;
	if (fno < 0 || !fn_field(t, foff, 8, &cuoff) ||
	    !off_add(t, t->cutab, ((uint64_t)cuoff + (uint32_t)fno) * 4, &at) ||
	    !rd_u32(t, at, &fnoff) || fnoff == 0xffffffffu || !off_add(t, t->filetab, fnoff, &s))
		return;
	if (!rd_str(t, s, out->file, sizeof(out->file)))
		out->file[0] = 0;
}

/* Name, file, line of function i at pc; false if the record is corrupt. */
static bool fill_func(const struct tt_pcln *t, uint32_t i, uint64_t pc, struct tt_pcln_func *out)
{
	size_t foff, noff;
	uint64_t entry, end;
	uint32_t nameoff, pcln;
	int32_t line;

	memset(out, 0, sizeof(*out));
	if (!ft_pc(t, i, &entry) || !ft_pc(t, i + 1, &end) || !ft_funcoff(t, i, &foff))
		return false;
	uint64_t rec_entry;
	if (!fn_entry(t, foff, &rec_entry) || rec_entry != entry || end <= entry)
		return false;
	if (!fn_field(t, foff, 1, &nameoff) ||
	    !off_add(t, t->ver == TT_PCLN_12 ? 0 : t->funcnametab, nameoff, &noff) ||
	    !rd_str(t, noff, out->name, sizeof(out->name)) || !out->name[0])
		return false;
	out->entry = entry;
	out->end = end;
	fill_file(t, foff, entry, pc, out);
	if (fn_field(t, foff, 6, &pcln) && pcvalue(t, pcln, entry, pc, &line) && line > 0)
		out->line = line;
	return true;
}

int tt_pcln_lookup(const struct tt_pcln *t, uint64_t pc, struct tt_pcln_func *out)
{
	uint64_t lo_pc, hi_pc;

	if (!t || t->ver == TT_PCLN_NONE || t->nfunc == 0)
		return -ENOENT;
	if (!ft_pc(t, 0, &lo_pc) || !ft_pc(t, t->nfunc, &hi_pc) || pc < lo_pc || pc >= hi_pc)
		return -ENOENT;
	/* Largest i with pc(i) <= pc; the functab is sorted (checked in init). */
	uint32_t lo = 0, hi = t->nfunc;
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		uint64_t mpc;
		if (!ft_pc(t, mid, &mpc))
			return -ENOENT;
		if (mpc <= pc)
			lo = mid;
		else
			hi = mid;
	}
	if (!fill_func(t, lo, pc, out) || pc < out->entry || pc >= out->end) {
		memset(out, 0, sizeof(*out));
		return -ENOENT;
	}
	return 0;
}

/* Largest i with pc(i) <= pc, for a pc inside the table; false otherwise. */
static bool func_index(const struct tt_pcln *t, uint64_t pc, uint32_t *idx)
{
	uint64_t lo_pc, hi_pc;

	if (!t || t->ver == TT_PCLN_NONE || t->nfunc == 0)
		return false;
	if (!ft_pc(t, 0, &lo_pc) || !ft_pc(t, t->nfunc, &hi_pc) || pc < lo_pc || pc >= hi_pc)
		return false;
	uint32_t lo = 0, hi = t->nfunc;
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		uint64_t mpc;
		if (!ft_pc(t, mid, &mpc))
			return false;
		if (mpc <= pc)
			lo = mid;
		else
			hi = mid;
	}
	*idx = lo;
	return true;
}

int tt_pcln_spdelta(const struct tt_pcln *t, uint64_t pc, int32_t *delta, uint64_t *entry)
{
	uint32_t i, pcsp;
	size_t foff;
	uint64_t e, end, rec;
	int32_t v;

	/* the same record checks as a lookup: a damaged slot names nothing */
	if (!func_index(t, pc, &i) || !ft_pc(t, i, &e) || !ft_pc(t, i + 1, &end) ||
	    !ft_funcoff(t, i, &foff) || !fn_entry(t, foff, &rec) || rec != e || end <= e ||
	    pc < e || pc >= end)
		return -ENOENT;
	if (!fn_field(t, foff, 4, &pcsp) || !pcvalue(t, pcsp, e, pc, &v) || v < 0)
		return -ENOENT;
	*delta = v;
	*entry = e;
	return 0;
}

int tt_pcln_range(const struct tt_pcln *t, uint64_t *lo, uint64_t *hi)
{
	if (!t || t->ver == TT_PCLN_NONE || t->nfunc == 0 || !ft_pc(t, 0, lo) ||
	    !ft_pc(t, t->nfunc, hi) || *hi <= *lo)
		return -ENOENT;
	return 0;
}

int tt_pcln_find(const struct tt_pcln *t, const char *name, uint64_t *entry, uint64_t *end)
{
	char buf[128];

	if (!t || t->ver == TT_PCLN_NONE || !name)
		return -ENOENT;
	for (uint32_t i = 0; i < t->nfunc; i++) {
		size_t foff, noff;
		uint32_t nameoff;
		if (!ft_funcoff(t, i, &foff) || !fn_field(t, foff, 1, &nameoff) ||
		    !off_add(t, t->ver == TT_PCLN_12 ? 0 : t->funcnametab, nameoff, &noff) ||
		    !rd_str(t, noff, buf, sizeof(buf)))
			continue;
		if (strcmp(buf, name) == 0) {
			uint64_t e, x, rec;
			if (!ft_pc(t, i, &e) || !ft_pc(t, i + 1, &x) || !fn_entry(t, foff, &rec) ||
			    rec != e || x <= e)
				return -ENOENT;
			*entry = e;
			if (end)
				*end = x;
			return 0;
		}
	}
	return -ENOENT;
}

/* A candidate table is believed when its first functions look consistent. */
static bool plausible(const struct tt_pcln *t)
{
	uint64_t prev = 0;
	uint32_t n = t->nfunc < SCAN_FUNC_CHECKS ? t->nfunc : SCAN_FUNC_CHECKS;

	for (uint32_t i = 0; i < n; i++) {
		struct tt_pcln_func f;
		if (!fill_func(t, i, 0, &f) || f.entry < prev)
			return false;
		prev = f.entry;
	}
	return n > 0;
}

long tt_pcln_scan(const uint8_t *buf, size_t len, enum tt_pcln_ver *ver)
{
	if (!buf || len < 16 || len > (size_t)0x7fffffff)
		return -ENOENT;
	/*
	 * Candidates may all share one long functab, so the O(nfunc) order
	 * check runs only for those that look right, and only a few times:
	 * a crafted segment must not make the scan quadratic.
	 */
	int full_checks = SCAN_FULL_CHECKS;
	for (size_t off = 0; off + 16 <= len && full_checks > 0; off += 4) {
		if (buf[off + 1] != 0xff || buf[off + 2] != 0xff || buf[off + 3] != 0xff ||
		    (buf[off] & 0xf0) != 0xf0 || buf[off + 4] || buf[off + 5])
			continue;
		struct tt_pcln t;
		if (pcln_init_header(&t, buf + off, len - off, 0) == 0 && plausible(&t) &&
		    full_checks-- > 0 && functab_sorted(&t)) {
			if (ver)
				*ver = t.ver;
			return (long)off;
		}
	}
	return -ENOENT;
}
