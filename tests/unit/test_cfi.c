// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The .eh_frame parser against binutils: every row `readelf
 * --debug-dump=frames-interp` prints for the cthreads fixture and for libc
 * (CFA, rbp and return address rules, at both ends of each row) must be
 * what tt_cfi_find gives; the header's table and our own index must agree;
 * then a hand-built .eh_frame with known rules, a step through a small
 * memory, and hostile input (every truncation, flipped bytes, nesting
 * overflows) that must give errors, never a row read out of bounds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <elf.h>
#include <errno.h>
#include <gelf.h>
#include <libelf.h>

#include "cfi.h"
#include "helpers.h"

#define LIBC "/lib/x86_64-linux-gnu/libc.so.6"

/* One readelf cell against one of our rules: "u", "s", "c-16", "exp". */
static bool rule_matches(const char *cell, const struct tt_cfi_rule *r)
{
	if (!strcmp(cell, "u"))
		return r->how == TT_CFI_UNDEF || r->how == TT_CFI_SAME;
	if (!strcmp(cell, "s"))
		return r->how == TT_CFI_SAME;
	if (!strcmp(cell, "exp"))
		return r->how == TT_CFI_EXPR;
	if (cell[0] == 'c')
		return r->how == TT_CFI_AT && r->off == strtoll(cell + 1, NULL, 10);
	if (cell[0] == 'v' && cell[1] != 'e')
		return r->how == TT_CFI_VAL && r->off == strtoll(cell + 1, NULL, 10);
	return r->how == TT_CFI_INREG || r->how == TT_CFI_EXPR;
}

/* readelf's names of the stack and frame pointers: x86-64, or arm64 */
static const char *sp_name = "rsp", *fp_name = "rbp";

static bool cfa_matches(const char *cell, const struct tt_cfi_row *row)
{
	size_t ls = strlen(sp_name), lf = strlen(fp_name);

	if (!strcmp(cell, "exp"))
		return row->cfa_expr;
	if (!strncmp(cell, sp_name, ls) && cell[ls] == '+')
		return row->cfa_slot == TT_CFI_SP &&
		       row->cfa_off == strtoll(cell + ls + 1, NULL, 10);
	if (!strncmp(cell, fp_name, lf) && cell[lf] == '+')
		return row->cfa_slot == TT_CFI_FP &&
		       row->cfa_off == strtoll(cell + lf + 1, NULL, 10);
	return row->cfa_slot == -1 && !row->cfa_expr;
}

struct oracle {
	int fdes, rows, checked, mismatches;
};

static void check_one(const struct tt_cfi *c, uint64_t pc, const char *cfa, const char *fp,
                      const char *ra, struct oracle *o)
{
	struct tt_cfi_row row;
	int rc = tt_cfi_find(c, pc, &row);

	o->checked++;
	if (rc != 0 || !cfa_matches(cfa, &row) || !rule_matches(fp, &row.fp) ||
	    !rule_matches(ra, &row.ra)) {
		if (o->mismatches++ < 5)
			printf("  mismatch at %#llx: readelf %s %s %s, ours rc %d cfa %d%+lld fp "
			       "%d%+lld "
			       "ra %d%+lld\n",
			       (unsigned long long)pc, cfa, fp, ra, rc, rc ? 0 : row.cfa_slot,
			       rc ? 0LL : (long long)row.cfa_off, row.fp.how, (long long)row.fp.off,
			       row.ra.how, (long long)row.ra.off);
	}
}

/* readelf's rows (CFA, rbp, ra) of one CIE or FDE. */
struct cells {
	char c[3][32];
	bool have;
};

#define MAX_CIES 64

struct walkstate {
	const struct tt_cfi *c;
	struct oracle *o;
	int ifp, ira;
	bool in_fde, fde_rows;
	uint64_t fde_start, fde_end, fde_cie, prev_loc;
	struct cells prev;
	struct {
		uint64_t off;
		struct cells first;
	} cies[MAX_CIES];
	int ncies, cur_cie;
};

static void check_cells(struct walkstate *w, uint64_t pc, const struct cells *k)
{
	check_one(w->c, pc, k->c[0], k->c[1], k->c[2], w->o);
}

/* The FDE's last row up to its end; an FDE without rows has its CIE's. */
static void end_fde(struct walkstate *w)
{
	if (!w->in_fde)
		return;
	w->in_fde = false;
	if (w->fde_rows) {
		check_cells(w, w->fde_end - 1, &w->prev);
		return;
	}
	for (int i = 0; i < w->ncies; i++)
		if (w->cies[i].off == w->fde_cie && w->cies[i].first.have) {
			check_cells(w, w->fde_start, &w->cies[i].first);
			check_cells(w, w->fde_end - 1, &w->cies[i].first);
		}
}

/* "r9 (r9)" is one cell: a token in parentheses joins the one before. */
static int split_cells(char *line, char **tok, int max)
{
	int nt = 0;

	for (char *s = strtok(line, " \n"); s; s = strtok(NULL, " \n")) {
		if (s[0] == '(' && nt > 0)
			continue;
		if (nt < max)
			tok[nt++] = s;
	}
	return nt;
}

static void row_line(struct walkstate *w, char **tok, int nt, uint64_t loc)
{
	struct cells k = {.have = true};

	snprintf(k.c[0], sizeof(k.c[0]), "%s", tok[1]);
	snprintf(k.c[1], sizeof(k.c[1]), "%s", w->ifp > 0 && w->ifp < nt ? tok[w->ifp] : "u");
	snprintf(k.c[2], sizeof(k.c[2]), "%s", w->ira > 0 && w->ira < nt ? tok[w->ira] : "u");
	if (!w->in_fde) {
		if (w->cur_cie >= 0 && !w->cies[w->cur_cie].first.have)
			w->cies[w->cur_cie].first = k;
		return;
	}
	if (w->fde_rows && loc > w->prev_loc)
		check_cells(w, loc - 1, &w->prev);
	check_cells(w, loc, &k);
	w->prev = k;
	w->prev_loc = loc;
	w->fde_rows = true;
	w->o->rows++;
}

/* Walk readelf's table: each row from its LOC to the next one's (or the FDE's end). */
static void against_readelf(const struct tt_cfi *c, const char *path, struct oracle *o)
{
	char cmd[600], line[1024];
	struct walkstate *w = calloc(1, sizeof(*w));
	FILE *f;

	assert_non_null(w);
	snprintf(cmd, sizeof(cmd), "readelf --debug-dump=frames-interp '%s' 2>/dev/null", path);
	f = popen(cmd, "r");
	assert_non_null(f);
	memset(o, 0, sizeof(*o));
	w->c = c;
	w->o = o;
	w->cur_cie = -1;
	while (fgets(line, sizeof(line), f)) {
		char *tok[32], *pc;
		unsigned long long a, b, off, cie;
		int nt;

		if (strstr(line, " FDE ") && (pc = strstr(line, "cie=")) &&
		    sscanf(pc, "cie=%llx pc=%llx..%llx", &cie, &a, &b) == 3) {
			end_fde(w);
			w->cur_cie = -1;
			w->fde_rows = false;
			w->in_fde = true;
			w->fde_start = a;
			w->fde_end = b;
			w->fde_cie = cie;
			o->fdes++;
			continue;
		}
		if (strstr(line, " CIE") && sscanf(line, "%llx", &off) == 1) {
			end_fde(w);
			w->cur_cie = w->ncies < MAX_CIES ? w->ncies++ : -1;
			if (w->cur_cie >= 0)
				w->cies[w->cur_cie].off = off;
			continue;
		}
		if (strstr(line, "ZERO terminator")) {
			end_fde(w);
			continue;
		}
		nt = split_cells(line, tok, 32);
		if (nt >= 2 && !strcmp(tok[0], "LOC")) {
			w->ifp = w->ira = -1;
			for (int i = 1; i < nt; i++) {
				if (!strcmp(tok[i], fp_name))
					w->ifp = i;
				if (!strcmp(tok[i], "ra"))
					w->ira = i;
			}
			continue;
		}
		if (nt >= 2 && strlen(tok[0]) == 16 && sscanf(tok[0], "%llx", &a) == 1)
			row_line(w, tok, nt, a);
	}
	end_fde(w);
	pclose(f);
	free(w);
}

static struct tt_cfi *load_path(const char *p)
{
	struct tt_cfi *c = NULL;
	int fd = open(p, O_RDONLY);

	if (fd < 0)
		return NULL;
	assert_int_equal(tt_cfi_load_fd(fd, &c), 0);
	close(fd);
	return c;
}

static bool have_readelf(void)
{
	if (system("readelf --version >/dev/null 2>&1") != 0) {
		printf("SKIP: readelf (binutils) not installed\n");
		return false;
	}
	return true;
}

static void test_fixture_vs_readelf(void **state)
{
	char p[512];
	struct oracle o;

	(void)state;
	if (!tt_have_fixture("cthreads", p, sizeof(p), "run make fixtures") || !have_readelf())
		skip();
	struct tt_cfi *c = load_path(p);
	assert_non_null(c);
	assert_true(c->ntable > 5); /* gcc's binaries carry .eh_frame_hdr */
	against_readelf(c, p, &o);
	printf("  cthreads: %d FDEs, %d rows, %d addresses checked, %d mismatches\n", o.fdes,
	       o.rows, o.checked, o.mismatches);
	assert_true(o.fdes > 5 && o.rows > 20);
	assert_int_equal(o.mismatches, 0);

	/* reader_thread: push rbp; push rbx; sub $0x18: CFA rsp+8, +16, +24, +48 */
	struct tt_elfsyms *es = tt_load_syms("cthreads");
	uint64_t fn;
	struct tt_cfi_row row;
	assert_non_null(es);
	assert_int_equal(tt_elfsyms_find(es, "reader_thread", &fn), 0);
	assert_int_equal(tt_cfi_find(c, fn, &row), 0);
	assert_int_equal(row.cfa_slot, TT_CFI_SP);
	assert_int_equal(row.cfa_off, 8);
	assert_int_equal(row.ra.how, TT_CFI_AT);
	assert_int_equal(row.ra.off, -8);
	assert_int_equal(row.fp.how, TT_CFI_SAME);
	assert_int_equal(tt_cfi_find(c, fn + 1, &row), 0);
	assert_int_equal(row.cfa_off, 16);
	assert_int_equal(row.fp.how, TT_CFI_AT);
	assert_int_equal(row.fp.off, -16);
	assert_int_equal(row.start, fn);
	tt_elfsyms_free(es);
	/* outside every FDE */
	assert_int_equal(tt_cfi_find(c, 0x10, &row), -ENOENT);
	assert_int_equal(tt_cfi_find(c, UINT64_MAX, &row), -ENOENT);
	tt_cfi_free(c);
}

static void test_libc_vs_readelf(void **state)
{
	struct oracle o;

	(void)state;
	if (access(LIBC, R_OK) != 0 || !have_readelf())
		skip();
	struct tt_cfi *c = load_path(LIBC);
	assert_non_null(c);
	against_readelf(c, LIBC, &o);
	printf("  libc: %u FDEs in the header's table, readelf %d FDEs, %d rows, %d addresses "
	       "checked, %d mismatches\n",
	       c->ntable, o.fdes, o.rows, o.checked, o.mismatches);
	assert_true(o.fdes > 1000);
	assert_int_equal(o.mismatches, 0);
	tt_cfi_free(c);
}

/* arm64: x29 and x30 (readelf's "ra"), the CFA from sp; pointer authentication ops */
static void test_arm64_libc_vs_readelf(void **state)
{
	static const char arm_libc[] = "/usr/aarch64-linux-gnu/lib/libc.so.6";
	struct oracle o;

	(void)state;
	if (access(arm_libc, R_OK) != 0) {
		printf("SKIP: %s missing (libc6-arm64-cross)\n", arm_libc);
		skip();
	}
	if (!have_readelf())
		skip();
	struct tt_cfi *c = load_path(arm_libc);
	assert_non_null(c);
	assert_int_equal(c->machine, EM_AARCH64);
	sp_name = "sp";
	fp_name = "x29";
	against_readelf(c, arm_libc, &o);
	sp_name = "rsp";
	fp_name = "rbp";
	printf("  arm64 libc: readelf %d FDEs, %d rows, %d addresses checked, %d mismatches\n",
	       o.fdes, o.rows, o.checked, o.mismatches);
	assert_true(o.fdes > 1000);
	assert_int_equal(o.mismatches, 0);
	tt_cfi_free(c);
}

/* A file without section headers: PT_GNU_EH_FRAME finds the same rules. */
static void test_no_section_headers(void **state)
{
	char p[512], tmp[] = "/tmp/tt_cfi_noshdr_XXXXXX";
	Elf64_Ehdr eh;
	int in, out;
	char buf[65536];
	ssize_t n;

	(void)state;
	if (!tt_have_fixture("cthreads", p, sizeof(p), "run make fixtures"))
		skip();
	in = open(p, O_RDONLY);
	out = mkstemp(tmp);
	assert_true(in >= 0 && out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	close(in);
	assert_int_equal(pread(out, &eh, sizeof(eh), 0), sizeof(eh));
	eh.e_shoff = 0;
	eh.e_shnum = 0;
	eh.e_shstrndx = 0;
	assert_int_equal(pwrite(out, &eh, sizeof(eh), 0), sizeof(eh));
	close(out);
	struct tt_cfi *a = load_path(p), *b = load_path(tmp);
	unlink(tmp);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(b->ntable, a->ntable);
	assert_int_equal(b->eh_addr, a->eh_addr);
	assert_true(b->eh_len >= a->eh_len);
	int rows = 0;
	for (uint32_t i = 0; i < a->ntable; i++) {
		uint64_t start =
		    (uint64_t)(int64_t)(int32_t)(a->table[8 * i] | a->table[8 * i + 1] << 8 |
		                                 a->table[8 * i + 2] << 16 |
		                                 (uint32_t)a->table[8 * i + 3] << 24) +
		    a->hdr_addr;
		struct tt_cfi_row x, y;
		for (uint64_t pc = start; pc < start + 16; pc++) {
			int rx = tt_cfi_find(a, pc, &x), ry = tt_cfi_find(b, pc, &y);
			assert_int_equal(rx, ry);
			if (rx == 0) {
				assert_int_equal(x.cfa_off, y.cfa_off);
				assert_int_equal(x.ra.how, y.ra.how);
				rows++;
			}
		}
	}
	printf("  without section headers: %u FDEs, %d rows alike\n", b->ntable, rows);
	assert_true(rows > 50);
	tt_cfi_free(a);
	tt_cfi_free(b);
}

/* The header's table and an index built by walking the section find the same FDEs. */
static void test_hdr_and_index_agree(void **state)
{
	(void)state;
	if (access(LIBC, R_OK) != 0)
		skip();
	struct tt_cfi *a = load_path(LIBC), *b;
	assert_non_null(a);
	assert_true(a->ntable > 1000);
	assert_int_equal(tt_cfi_new(a->machine, a->eh, a->eh_len, a->eh_addr, NULL, 0, 0, &b), 0);
	assert_null(b->table);
	assert_int_equal(b->nindex, a->ntable);
	int same = 0, found = 0;
	for (uint64_t pc = a->eh_addr & ~0xfffull; pc > 0x1000; pc -= 97) {
		struct tt_cfi_row ra, rb;
		int x = tt_cfi_find(a, pc, &ra), y = tt_cfi_find(b, pc, &rb);
		assert_int_equal(x, y);
		if (x == 0) {
			found++;
			same += ra.start == rb.start && ra.cfa_off == rb.cfa_off &&
			        ra.cfa_slot == rb.cfa_slot && ra.ra.how == rb.ra.how;
		}
	}
	printf("  libc: %d addresses with a row, %d alike through both lookups\n", found, same);
	assert_true(found > 10000);
	assert_int_equal(same, found);
	tt_cfi_free(a);
	tt_cfi_free(b);
}

/* A hand-made .eh_frame: one "zR" CIE (pcrel|sdata4) and one FDE at 0x2000..0x2100. */
#define EH_ADDR 0x1000ull
static size_t build_eh(uint8_t *b, const uint8_t *prog, size_t plen)
{
	static const uint8_t cie[] = {
	    0x14, 0,    0,   0, 0, 0, 0, 0, /* length 20, CIE id 0 */
	    1,    'z',  'R', 0,             /* version 1, "zR" */
	    1,    0x78, 16,                 /* code 1, data -8, RA column 16 */
	    1,    0x1b,                     /* aug data: FDE encoding pcrel|sdata4 */
	    0x0c, 7,    8,                  /* def_cfa rsp+8 */
	    0x90, 1,                        /* offset r16 at cfa-8 */
	    0,    0,                        /* nop padding */
	};
	size_t n = sizeof(cie), at;
	uint32_t len = (uint32_t)(4 + 4 + 4 + 1 + plen), cie_ptr, begin;

	memcpy(b, cie, n);
	at = n;
	memcpy(b + at, &len, 4);
	cie_ptr = (uint32_t)(at + 4);
	memcpy(b + at + 4, &cie_ptr, 4);
	begin = (uint32_t)(0x2000 - (EH_ADDR + at + 8)); /* pcrel from the field */
	memcpy(b + at + 8, &begin, 4);
	uint32_t range = 0x100;
	memcpy(b + at + 12, &range, 4);
	b[at + 16] = 0; /* no augmentation data */
	memcpy(b + at + 17, prog, plen);
	at += 4 + len;
	memset(b + at, 0, 4); /* terminator */
	return at + 4;
}

static const uint8_t good_prog[] = {
    0x41,        /* advance 1 */
    0x0e, 16,    /* def_cfa_offset 16 */
    0x86, 2,     /* rbp at cfa-16 */
    0x43,        /* advance 3 -> 0x2004 */
    0x0d, 6,     /* def_cfa_register rbp */
    0x0a,        /* remember_state */
    0x48,        /* advance 8 -> 0x200c */
    0x0c, 7,  8, /* def_cfa rsp+8 */
    0xc6,        /* restore rbp */
    0x44,        /* advance 4 -> 0x2010 */
    0x0b,        /* restore_state */
    0x42,        /* advance 2 -> 0x2012 */
    0x07, 16,    /* undefined ra */
};

static void test_handmade_rows(void **state)
{
	uint8_t eh[256];
	size_t n = build_eh(eh, good_prog, sizeof(good_prog));
	struct tt_cfi *c;
	struct tt_cfi_row r;

	(void)state;
	assert_int_equal(tt_cfi_new(EM_X86_64, eh, n, EH_ADDR, NULL, 0, 0, &c), 0);
	assert_int_equal(c->nindex, 1);
	assert_int_equal(tt_cfi_find(c, 0x1fff, &r), -ENOENT);
	assert_int_equal(tt_cfi_find(c, 0x2100, &r), -ENOENT);
	assert_int_equal(tt_cfi_find(c, 0x2000, &r), 0);
	assert_true(r.cfa_slot == TT_CFI_SP && r.cfa_off == 8 && r.fp.how == TT_CFI_SAME);
	assert_true(r.ra.how == TT_CFI_AT && r.ra.off == -8 && r.start == 0x2000 &&
	            r.end == 0x2100);
	assert_int_equal(tt_cfi_find(c, 0x2003, &r), 0);
	assert_true(r.cfa_slot == TT_CFI_SP && r.cfa_off == 16);
	assert_true(r.fp.how == TT_CFI_AT && r.fp.off == -16);
	assert_int_equal(tt_cfi_find(c, 0x2004, &r), 0);
	assert_true(r.cfa_slot == TT_CFI_FP && r.cfa_off == 16);
	assert_int_equal(tt_cfi_find(c, 0x200c, &r), 0);
	assert_true(r.cfa_slot == TT_CFI_SP && r.cfa_off == 8 && r.fp.how == TT_CFI_SAME);
	assert_int_equal(tt_cfi_find(c, 0x2010, &r), 0); /* the remembered row again */
	assert_true(r.cfa_slot == TT_CFI_FP && r.cfa_off == 16 && r.fp.how == TT_CFI_AT);
	assert_int_equal(tt_cfi_find(c, 0x20ff, &r), 0);
	assert_int_equal(r.ra.how, TT_CFI_UNDEF);
	tt_cfi_free(c);
}

/* A memory of one stack page for tt_cfi_step. */
struct page {
	uint64_t base;
	uint8_t b[256];
};

static int page_read(void *ctx, uint64_t addr, void *buf, size_t n)
{
	struct page *p = ctx;

	if (addr < p->base || addr - p->base > sizeof(p->b) || n > sizeof(p->b) - (addr - p->base))
		return -EFAULT;
	memcpy(buf, p->b + (addr - p->base), n);
	return 0;
}

static void test_step(void **state)
{
	uint8_t eh[256];
	size_t n = build_eh(eh, good_prog, sizeof(good_prog));
	struct page pg = {.base = 0x7000};
	struct tt_mem m = {.read = page_read, .ctx = &pg};
	struct tt_cfi *c;
	struct tt_cfi_row r;
	uint64_t ra = 0x2abc, fp = 0x70f0;

	(void)state;
	assert_int_equal(tt_cfi_new(EM_X86_64, eh, n, EH_ADDR, NULL, 0, 0, &c), 0);
	/* at 0x2004, CFA = rbp+16: rbp known only from a callee's rules */
	memcpy(pg.b + 0x48, &fp, 8); /* saved rbp at CFA-16 */
	memcpy(pg.b + 0x50, &ra, 8); /* RA at CFA-8 */
	assert_int_equal(tt_cfi_find(c, 0x2005, &r), 0);
	struct tt_cfi_regs regs = {.v = {[TT_CFI_SP] = 0x7010, [TT_CFI_PC] = 0x2005},
	                           .known = 1 << TT_CFI_SP | 1 << TT_CFI_PC};
	assert_int_equal(tt_cfi_step(&r, EM_X86_64, &regs, &m), -ENOTSUP);
	regs.v[TT_CFI_FP] = 0x7048;
	regs.known |= 1 << TT_CFI_FP;
	assert_int_equal(tt_cfi_step(&r, EM_X86_64, &regs, &m), 0);
	assert_int_equal(regs.v[TT_CFI_SP], 0x7058);
	assert_int_equal(regs.v[TT_CFI_PC], 0x2abc);
	assert_int_equal(regs.v[TT_CFI_FP], 0x70f0);
	assert_true(regs.known & (1 << TT_CFI_FP));
	/* the stack pointer must move up */
	struct tt_cfi_regs back = {.v = {[TT_CFI_SP] = 0x7060, [TT_CFI_FP] = 0x7000},
	                           .known = 1 << TT_CFI_SP | 1 << TT_CFI_FP};
	assert_int_equal(tt_cfi_step(&r, EM_X86_64, &back, &m), -ELOOP);
	/* a read outside the memory */
	struct tt_cfi_regs far = {.v = {[TT_CFI_SP] = 0x9000, [TT_CFI_FP] = 0x9100},
	                          .known = 1 << TT_CFI_SP | 1 << TT_CFI_FP};
	assert_int_equal(tt_cfi_step(&r, EM_X86_64, &far, &m), -EFAULT);
	/* the outermost frame */
	assert_int_equal(tt_cfi_find(c, 0x2050, &r), 0);
	assert_int_equal(tt_cfi_step(&r, EM_X86_64, &regs, &m), 1);
	tt_cfi_free(c);
}

static void expect_prog_error(const uint8_t *prog, size_t plen, uint64_t pc, int want)
{
	uint8_t eh[512];
	size_t n = build_eh(eh, prog, plen);
	struct tt_cfi *c;
	struct tt_cfi_row r;

	assert_int_equal(tt_cfi_new(EM_X86_64, eh, n, EH_ADDR, NULL, 0, 0, &c), 0);
	assert_int_equal(tt_cfi_find(c, pc, &r), want);
	tt_cfi_free(c);
}

static void test_hostile_programs(void **state)
{
	uint8_t deep[40];

	(void)state;
	memset(deep, 0x0a, sizeof(deep)); /* remember_state past the nesting cap */
	expect_prog_error(deep, sizeof(deep), 0x2000, -EINVAL);
	static const uint8_t under[] = {0x0b}; /* restore_state, none remembered */
	expect_prog_error(under, sizeof(under), 0x2000, -EINVAL);
	static const uint8_t unknown[] = {0x3f}; /* no such opcode */
	expect_prog_error(unknown, sizeof(unknown), 0x2000, -EINVAL);
	static const uint8_t cut_leb[] = {0x0e, 0x80}; /* uleb cut by the FDE's end */
	expect_prog_error(cut_leb, sizeof(cut_leb), 0x2000, -EINVAL);
	static const uint8_t big_block[] = {0x0f, 0x7f, 1, 2}; /* expression longer than the FDE */
	expect_prog_error(big_block, sizeof(big_block), 0x2000, -EINVAL);
	static const uint8_t wrap[] = {0x04, 0xff, 0xff, 0xff, 0xff, 0x04, 0xff, 0xff, 0xff, 0xff};
	expect_prog_error(wrap, sizeof(wrap), 0x20ff, 0); /* advances past pc: the first row */
	static const uint8_t sparc[] = {0x2d};            /* window_save is not x86 */
	expect_prog_error(sparc, sizeof(sparc), 0x2000, -ENOTSUP);

	/* a CFA by expression is parsed and not followed */
	static const uint8_t cfa_exp[] = {0x0f, 2, 0x77, 8};
	uint8_t eh[256];
	size_t n = build_eh(eh, cfa_exp, sizeof(cfa_exp));
	struct tt_cfi *c;
	struct tt_cfi_row r;
	struct tt_mem m = {.read = page_read, .ctx = &(struct page){.base = 0}};
	struct tt_cfi_regs regs = {.v = {[TT_CFI_SP] = 0x10}, .known = 1 << TT_CFI_SP};
	assert_int_equal(tt_cfi_new(EM_X86_64, eh, n, EH_ADDR, NULL, 0, 0, &c), 0);
	assert_int_equal(tt_cfi_find(c, 0x2000, &r), 0);
	assert_true(r.cfa_expr);
	assert_int_equal(tt_cfi_step(&r, EM_X86_64, &regs, &m), -ENOTSUP);
	tt_cfi_free(c);
}

/* Every truncation and every single-byte change: an error or a row, never a crash. */
static void test_hostile_sections(void **state)
{
	uint8_t eh[256], bad[256];
	size_t n = build_eh(eh, good_prog, sizeof(good_prog));
	struct tt_cfi *c;
	struct tt_cfi_row r;
	int refused = 0, rows = 0;

	(void)state;
	assert_int_equal(tt_cfi_new(EM_386, eh, n, EH_ADDR, NULL, 0, 0, &c), -ENOTSUP);
	assert_int_equal(tt_cfi_new(EM_X86_64, eh, 4, EH_ADDR, NULL, 0, 0, &c), -EINVAL);
	for (size_t len = 8; len < n; len++) {
		/* the FDE cut short is not indexed: nothing covers its code */
		if (tt_cfi_new(EM_X86_64, eh, len, EH_ADDR, NULL, 0, 0, &c) != 0) {
			refused++;
			continue;
		}
		/* whole once only the terminator is cut */
		if (len < n - 4)
			assert_int_not_equal(tt_cfi_find(c, 0x2000, &r), 0);
		else
			assert_int_equal(tt_cfi_find(c, 0x2000, &r), 0);
		tt_cfi_free(c);
	}
	for (size_t i = 0; i < n; i++)
		for (int v = 0; v < 256; v += 17) {
			memcpy(bad, eh, n);
			bad[i] = (uint8_t)v;
			if (tt_cfi_new(EM_X86_64, bad, n, EH_ADDR, NULL, 0, 0, &c) != 0)
				continue;
			for (uint64_t pc = 0x1ff0; pc < 0x2110; pc += 3)
				rows += tt_cfi_find(c, pc, &r) == 0;
			tt_cfi_free(c);
		}
	printf("  truncations refused at load: %d; changed bytes: %d rows found\n", refused, rows);
	/* a header whose table points outside .eh_frame */
	uint8_t hdr[20] = {1, 0x1b, 0x03, 0x3b};
	uint32_t cnt = 1, start = (uint32_t)(0x2000 - 0x5000), fde = 0x7fffffff;
	memcpy(hdr + 8, &cnt, 4);
	memcpy(hdr + 12, &start, 4);
	memcpy(hdr + 16, &fde, 4);
	assert_int_equal(tt_cfi_new(EM_X86_64, eh, n, EH_ADDR, hdr, sizeof(hdr), 0x5000, &c), 0);
	assert_int_equal(c->ntable, 1);
	assert_int_equal(tt_cfi_find(c, 0x2000, &r), -EINVAL);
	tt_cfi_free(c);
	/* a count larger than the table */
	cnt = 1000;
	memcpy(hdr + 8, &cnt, 4);
	assert_int_equal(tt_cfi_new(EM_X86_64, eh, n, EH_ADDR, hdr, sizeof(hdr), 0x5000, &c), 0);
	assert_null(c->table); /* refused: our own index instead */
	assert_int_equal(tt_cfi_find(c, 0x2000, &r), 0);
	tt_cfi_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fixture_vs_readelf),
	    cmocka_unit_test(test_libc_vs_readelf),
	    cmocka_unit_test(test_arm64_libc_vs_readelf),
	    cmocka_unit_test(test_hdr_and_index_agree),
	    cmocka_unit_test(test_no_section_headers),
	    cmocka_unit_test(test_handmade_rows),
	    cmocka_unit_test(test_step),
	    cmocka_unit_test(test_hostile_programs),
	    cmocka_unit_test(test_hostile_sections),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
