// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * .gopclntab parser on real binaries: the marquee fixture (Go 1.19, plain and
 * stripped), cross-checked against its own .symtab, and Go 1.16 / 1.26
 * binaries from npm when present. Truncated tables must never give a wrong
 * name.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"

#include "elfsym.h"
#include "gopclntab.h"

/*
 * The marquee as built by each of Debian's toolchains (bin/go1.NN/,
 * tests/fixtures/build.sh): Go 1.20 changed the table's magic.
 */
static const struct toolchain {
	const char *dir;
	enum tt_pcln_ver ver;
} toolchains[] = {{"go1.19", TT_PCLN_118}, {"go1.23", TT_PCLN_120}, {"go1.24", TT_PCLN_120}};
#define NTOOLCHAINS (sizeof(toolchains) / sizeof(toolchains[0]))

/* name = "go1.NN/bin" when that build exists, else a SKIP line naming it and false. */
static bool have_tc(const struct toolchain *tc, const char *bin, char *name, size_t len)
{
	char p[512];

	snprintf(name, len, "%s/%s", tc->dir, bin);
	return tt_have_fixture(name, p, sizeof(p),
	                       "make fixtures; tools/gotoolchain.sh could not fetch it?");
}

/* Source lines of `func NAME(` and its closing brace in main.go. */
static void func_lines(const char *func, int *first, int *last)
{
	char p[512], line[512], want[64];
	const char *dir = getenv("TTYTOP_FIXTURES");
	int n = 0;
	size_t wl = (size_t)snprintf(want, sizeof(want), "func %s(", func);

	*first = *last = 0;
	snprintf(p, sizeof(p), "%s/../marquee/main.go", dir && *dir ? dir : "tests/fixtures/bin");
	FILE *f = fopen(p, "r");
	if (!f)
		f = fopen("tests/fixtures/marquee/main.go", "r");
	if (!f) {
		printf("SKIP: marquee/main.go not found next to the fixtures or in the cwd\n");
		skip();
	}
	while (fgets(line, sizeof(line), f)) {
		n++;
		if (!*first && strncmp(line, want, wl) == 0)
			*first = n;
		else if (*first && !*last && line[0] == '}')
			*last = n;
	}
	fclose(f);
	assert_true(*first > 0 && *last > *first);
}

/*
 * Every PC of func (main.tick, main.writer) is func's. Inlined callees
 * (bytes.Buffer methods) report their own file:line (no inline-tree
 * expansion), so only the PCs attributed to main.go are range-checked, and
 * they must be the majority; the entry is the `func` line itself.
 */
static void check_func(const char *bin, enum tt_pcln_ver ver, const char *func)
{
	struct tt_elfsyms *es = tt_load_syms(bin);
	uint64_t entry, end;
	struct tt_pcln_func fn;
	int first, last;
	char qual[64];

	if (!es)
		skip();
	snprintf(qual, sizeof(qual), "main.%s", func);
	assert_true(es->has_pcln);
	assert_int_equal(es->pcln.ver, ver);
	assert_int_equal(tt_pcln_find(&es->pcln, qual, &entry, &end), 0);
	assert_true(end > entry + 16);
	func_lines(func, &first, &last);
	size_t in_main = 0, total = 0;
	for (uint64_t pc = entry; pc < end; pc++) {
		assert_int_equal(tt_pcln_lookup(&es->pcln, pc, &fn), 0);
		assert_string_equal(fn.name, qual);
		assert_int_equal(fn.entry, entry);
		assert_int_equal(fn.end, end);
		total++;
		if (tt_ends_with(fn.file, "tests/fixtures/marquee/main.go")) {
			assert_true(fn.line >= first && fn.line <= last);
			in_main++;
		}
	}
	printf("%s %s [%#lx, %#lx) lines %d..%d: %zu of %zu PCs in main.go\n", bin, qual,
	       (unsigned long)entry, (unsigned long)end, first, last, in_main, total);
	assert_true(in_main * 2 > total);
	assert_int_equal(tt_pcln_lookup(&es->pcln, entry, &fn), 0);
	assert_true(tt_ends_with(fn.file, "tests/fixtures/marquee/main.go"));
	assert_int_equal(fn.line, first);
	/* the next PC belongs to someone else */
	if (tt_pcln_lookup(&es->pcln, end, &fn) == 0)
		assert_string_not_equal(fn.name, qual);
	/* the elfsyms front end gives the same answer */
	struct tt_elf_hit h;
	assert_int_equal(tt_elfsyms_lookup(es, entry + 1, &h), 0);
	assert_string_equal(h.func, qual);
	assert_true(tt_ends_with(h.file, "marquee/main.go"));
	tt_elfsyms_free(es);
}

static void check_tick(const char *bin)
{
	check_func(bin, TT_PCLN_118, "tick");
}

static void test_marquee_tick(void **state)
{
	(void)state;
	check_tick("marquee");
}

/* main.tick and main.writer of every toolchain's builds, plain and stripped. */
static void test_toolchains_tick_writer(void **state)
{
	(void)state;
	static const char *const bins[] = {"marquee", "marquee-stripped", "marquee-cgo"};
	char name[128];
	int ran = 0;

	for (size_t t = 0; t < NTOOLCHAINS; t++)
		for (size_t b = 0; b < 3; b++) {
			if (!have_tc(&toolchains[t], bins[b], name, sizeof(name)))
				continue;
			check_func(name, toolchains[t].ver, "tick");
			check_func(name, toolchains[t].ver, "writer");
			ran++;
		}
	if (!ran)
		skip();
}

static void test_stripped_tick(void **state)
{
	(void)state;
	struct tt_elfsyms *es = tt_load_syms("marquee-stripped");
	if (!es)
		skip();
	assert_int_equal(es->nsyms, 0); /* really stripped: the names come from pclntab */
	tt_elfsyms_free(es);
	check_tick("marquee-stripped");
}

/*
 * cgo: C code comes first in .text, so Go's runtime.text (the base of 1.18+
 * tables) is past the section start; every entry must match .symtab.
 */
static void check_cgo_text_base(const char *bin)
{
	struct tt_elfsyms *es = tt_load_syms(bin);
	uint64_t entry, sym_addr = 0;

	if (!es)
		skip();
	assert_true(es->has_pcln);
	for (uint32_t i = 0; i < es->nsyms; i++)
		if (strcmp(es->strs + es->syms[i].name, "main.tick") == 0)
			sym_addr = es->syms[i].start;
	assert_true(sym_addr != 0);
	assert_int_equal(tt_pcln_find(&es->pcln, "main.tick", &entry, NULL), 0);
	assert_int_equal(entry, sym_addr);
	struct tt_elf_hit h;
	assert_int_equal(tt_elfsyms_lookup(es, sym_addr + 1, &h), 0);
	assert_string_equal(h.func, "main.tick");
	tt_elfsyms_free(es);
}

static void test_cgo_text_base(void **state)
{
	(void)state;
	char name[128];

	check_cgo_text_base("marquee-cgo");
	for (size_t t = 0; t < NTOOLCHAINS; t++)
		if (have_tc(&toolchains[t], "marquee-cgo", name, sizeof(name)))
			check_cgo_text_base(name);
}

/* Stripped and unstripped builds of the same source give identical answers. */
static void check_stripped_same_as_plain(const char *plain, const char *stripped)
{
	struct tt_elfsyms *a = tt_load_syms(plain), *b = tt_load_syms(stripped);
	uint64_t ea, eb;
	struct tt_pcln_func fa, fb;

	if (!a || !b)
		skip();
	assert_int_equal(tt_pcln_find(&a->pcln, "main.writer", &ea, NULL), 0);
	assert_int_equal(tt_pcln_find(&b->pcln, "main.writer", &eb, NULL), 0);
	assert_int_equal(tt_pcln_lookup(&a->pcln, ea + 20, &fa), 0);
	assert_int_equal(tt_pcln_lookup(&b->pcln, eb + 20, &fb), 0);
	assert_string_equal(fa.name, fb.name);
	assert_string_equal(fa.file, fb.file);
	assert_int_equal(fa.line, fb.line);
	tt_elfsyms_free(a);
	tt_elfsyms_free(b);
}

static void test_stripped_same_as_plain(void **state)
{
	(void)state;
	char a[128], b[128];

	check_stripped_same_as_plain("marquee", "marquee-stripped");
	for (size_t t = 0; t < NTOOLCHAINS; t++)
		if (have_tc(&toolchains[t], "marquee", a, sizeof(a)) &&
		    have_tc(&toolchains[t], "marquee-stripped", b, sizeof(b)))
			check_stripped_same_as_plain(a, b);
}

/* Every sized Go function symbol in .symtab agrees with pclntab. */
static void check_agrees_with_symtab(const char *bin)
{
	struct tt_elfsyms *es = tt_load_syms(bin);
	int checked = 0;

	if (!es)
		skip();
	assert_true(es->nsyms > 1000);
	for (uint32_t i = 0; i < es->nsyms; i++) {
		const struct tt_elfsym *s = &es->syms[i];
		const char *name = es->strs + s->name;
		struct tt_pcln_func fn;
		if (strncmp(name, "runtime.", 8) && strncmp(name, "main.", 5) &&
		    strncmp(name, "fmt.", 4))
			continue;
		if (tt_pcln_lookup(&es->pcln, s->start, &fn) != 0)
			continue; /* e.g. C or linker-generated code without pcln */
		char want[128];
		snprintf(want, sizeof(want), "%s", name);
		char *abi = strstr(want, ".abi0");
		if (abi && abi[5] == 0)
			*abi = 0;
		assert_string_equal(fn.name, want);
		assert_int_equal(fn.entry, s->start);
		checked++;
	}
	printf("%s: %d symbols agree with pclntab\n", bin, checked);
	assert_true(checked > 500);
	tt_elfsyms_free(es);
}

static void test_agrees_with_symtab(void **state)
{
	(void)state;
	static const char *const bins[] = {"marquee", "marquee-cgo"};
	char name[128];

	check_agrees_with_symtab("marquee");
	for (size_t t = 0; t < NTOOLCHAINS; t++)
		for (size_t b = 0; b < 2; b++)
			if (have_tc(&toolchains[t], bins[b], name, sizeof(name)))
				check_agrees_with_symtab(name);
}

static void test_out_of_range(void **state)
{
	(void)state;
	struct tt_elfsyms *es = tt_load_syms("marquee");
	struct tt_pcln_func fn;

	if (!es)
		skip();
	assert_int_equal(tt_pcln_lookup(&es->pcln, 0, &fn), -ENOENT);
	assert_int_equal(tt_pcln_lookup(&es->pcln, es->pcln.text_start - 1, &fn), -ENOENT);
	assert_int_equal(tt_pcln_lookup(&es->pcln, UINT64_MAX, &fn), -ENOENT);
	uint64_t e;
	assert_int_equal(tt_pcln_find(&es->pcln, "no.such.function", &e, NULL), -ENOENT);
	tt_elfsyms_free(es);
}

/* Cut the table anywhere: lookups either fail or still name main.tick. */
static void check_truncated_never_wrong(const char *bin)
{
	struct tt_elfsyms *es = tt_load_syms(bin);
	uint64_t entry;

	if (!es)
		skip();
	assert_int_equal(tt_pcln_find(&es->pcln, "main.tick", &entry, NULL), 0);
	size_t len = es->pcln_len, ok = 0, fail = 0;
	for (size_t cut = 0; cut < len; cut += len / 97 + 1) {
		uint8_t *copy = malloc(cut ? cut : 1);
		memcpy(copy, es->pcln_buf, cut);
		struct tt_pcln t;
		struct tt_pcln_func fn;
		if (tt_pcln_init(&t, copy, cut, es->text_addr) == 0 &&
		    tt_pcln_lookup(&t, entry + 8, &fn) == 0) {
			assert_string_equal(fn.name, "main.tick");
			ok++;
		} else {
			fail++;
		}
		free(copy);
	}
	assert_true(fail > 0);
	/* corrupt one functab slot: the record's own entry no longer matches */
	uint8_t *copy = malloc(len);
	memcpy(copy, es->pcln_buf, len);
	struct tt_pcln t;
	assert_int_equal(tt_pcln_init(&t, copy, len, es->text_addr), 0);
	for (uint32_t i = 0; i < t.nfunc; i++) {
		uint32_t off;
		memcpy(&off, copy + t.functab + (size_t)i * 8, 4);
		if (off + t.text_start == entry) {
			uint32_t bad = off + 4;
			memcpy(copy + t.functab + (size_t)i * 8, &bad, 4);
		}
	}
	struct tt_pcln_func fn;
	assert_int_equal(tt_pcln_lookup(&t, entry + 8, &fn), -ENOENT);
	free(copy);
	tt_elfsyms_free(es);
}

static void test_truncated_never_wrong(void **state)
{
	(void)state;
	char name[128];

	check_truncated_never_wrong("marquee");
	for (size_t t = 0; t < NTOOLCHAINS; t++)
		if (have_tc(&toolchains[t], "marquee", name, sizeof(name)))
			check_truncated_never_wrong(name);
}

static void check_scan_finds_table(const char *bin, enum tt_pcln_ver want)
{
	struct tt_elfsyms *es = tt_load_syms(bin);
	enum tt_pcln_ver ver;

	if (!es)
		skip();
	size_t pad = 4096;
	uint8_t *buf = calloc(1, es->pcln_len + 2 * pad);
	memset(buf, 0xff, pad); /* decoy bytes that look like magic prefixes */
	memcpy(buf + pad, es->pcln_buf, es->pcln_len);
	assert_int_equal(tt_pcln_scan(buf, es->pcln_len + 2 * pad, &ver), (long)pad);
	assert_int_equal(ver, want);
	assert_int_equal(tt_pcln_scan(buf, pad, &ver), -ENOENT);
	free(buf);
	tt_elfsyms_free(es);
}

static void test_scan_finds_table(void **state)
{
	(void)state;
	char name[128];

	check_scan_finds_table("marquee-stripped", TT_PCLN_118);
	for (size_t t = 0; t < NTOOLCHAINS; t++)
		if (have_tc(&toolchains[t], "marquee-stripped", name, sizeof(name)))
			check_scan_finds_table(name, toolchains[t].ver);
}

/* Section headers wiped (e_shoff/e_shnum = 0): the table is found by scanning. */
static void check_no_section_headers(const char *bin)
{
	char p[512], tmp[] = "/tmp/ttytop-noshdr-XXXXXX";
	int in = open(tt_fixture(bin, p, sizeof(p)), O_RDONLY);

	if (in < 0) {
		printf("SKIP: fixture %s missing\n", p);
		skip();
	}
	int out = mkstemp(tmp);
	char buf[65536];
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	close(in);
	/* ELF64 header: e_shoff at 0x28 (8 bytes), e_shnum 0x3c, e_shstrndx 0x3e */
	uint8_t zero[8] = {0};
	assert_int_equal(pwrite(out, zero, 8, 0x28), 8);
	assert_int_equal(pwrite(out, zero, 2, 0x3c), 2);
	assert_int_equal(pwrite(out, zero, 2, 0x3e), 2);
	struct tt_elfsyms *es = NULL, *ref = tt_load_syms(bin);
	assert_int_equal(tt_elfsyms_load_fd(out, &es), 0);
	close(out);
	unlink(tmp);
	assert_int_equal(es->text_addr, 0); /* really no sections */
	assert_true(es->has_pcln);
	uint64_t entry, e2;
	assert_int_equal(tt_pcln_find(&ref->pcln, "main.tick", &entry, NULL), 0);
	assert_int_equal(tt_elfsyms_find(es, "main.tick", &e2), 0);
	assert_int_equal(e2, entry);
	struct tt_elf_hit h;
	assert_int_equal(tt_elfsyms_lookup(es, entry + 3, &h), 0);
	assert_string_equal(h.func, "main.tick");
	assert_true(tt_ends_with(h.file, "tests/fixtures/marquee/main.go"));
	tt_elfsyms_free(es);
	tt_elfsyms_free(ref);
}

static void test_no_section_headers(void **state)
{
	(void)state;
	char name[128];

	check_no_section_headers("marquee-stripped");
	for (size_t t = 0; t < NTOOLCHAINS; t++)
		if (have_tc(&toolchains[t], "marquee-stripped", name, sizeof(name)))
			check_no_section_headers(name);
}

/* Hand-built tables of every format (fuzz/corpus, made by fuzz/mkseeds.py). */
static void test_synthetic_formats(void **state)
{
	(void)state;
	static const struct {
		const char *file;
		enum tt_pcln_ver ver;
	} tabs[] = {{"synthetic-12", TT_PCLN_12},
	            {"synthetic-116", TT_PCLN_116},
	            {"synthetic-118", TT_PCLN_118},
	            {"synthetic-120", TT_PCLN_120}};

	for (size_t i = 0; i < 4; i++) {
		char p[256];
		uint8_t buf[4096];
		snprintf(p, sizeof(p), "fuzz/corpus/fuzz_gopclntab/%s", tabs[i].file);
		FILE *f = fopen(p, "rb");
		if (!f) {
			printf("SKIP: %s missing (run from the repo root)\n", p);
			skip();
		}
		size_t n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		struct tt_pcln t;
		struct tt_pcln_func fn;
		uint64_t e, x;
		assert_int_equal(tt_pcln_init(&t, buf, n, 0x401000), 0);
		assert_int_equal(t.ver, tabs[i].ver);
		assert_int_equal(t.nfunc, 3);
		/* layout from mkseeds.py: main.main [0,0x60) main.go:10/11, main.tick
		 * [0x60,0xe0) main.go:20/21, runtime.main [0xe0,0x120) proc.go:30 */
		assert_int_equal(tt_pcln_find(&t, "main.tick", &e, &x), 0);
		assert_int_equal(e, 0x401060);
		assert_int_equal(x, 0x4010e0);
		assert_int_equal(tt_pcln_lookup(&t, 0x401061, &fn), 0);
		assert_string_equal(fn.name, "main.tick");
		assert_string_equal(fn.file, "/src/main.go");
		assert_int_equal(fn.line, 20);
		assert_int_equal(tt_pcln_lookup(&t, 0x4010e0 + 0x10, &fn), 0);
		assert_string_equal(fn.name, "runtime.main");
		assert_string_equal(fn.file, "/src/runtime/proc.go");
		assert_int_equal(fn.line, 30);
		if (tabs[i].ver != TT_PCLN_12) {
			assert_int_equal(tt_pcln_lookup(&t, 0x401000 + 0x5f, &fn), 0);
			assert_int_equal(fn.line, 11); /* second half of main.main */
		}
		assert_int_equal(tt_pcln_lookup(&t, 0x401120, &fn), -ENOENT);
		assert_int_equal(tt_pcln_lookup(&t, 0x400fff, &fn), -ENOENT);
	}
}

static void check_npm(const char *bin, enum tt_pcln_ver ver, const char *func, const char *file)
{
	struct tt_elfsyms *es = tt_load_syms(bin);
	uint64_t entry, end;
	struct tt_pcln_func fn;

	if (!es) {
		printf("SKIP: %s comes from npm (registry unreachable when fixtures were built?)\n",
		       bin);
		skip();
	}
	assert_true(es->has_pcln);
	assert_int_equal(es->pcln.ver, ver);
	assert_int_equal(tt_pcln_find(&es->pcln, func, &entry, &end), 0);
	assert_true(entry >= es->text_addr && entry < es->text_addr + es->text_size);
	assert_int_equal(tt_pcln_lookup(&es->pcln, entry + (end - entry) / 2, &fn), 0);
	assert_string_equal(fn.name, func);
	assert_true(tt_ends_with(fn.file, file));
	assert_true(fn.line > 0);
	struct tt_elf_hit h;
	assert_int_equal(tt_elfsyms_lookup(es, entry + 1, &h), 0);
	assert_string_equal(h.func, func);
	tt_elfsyms_free(es);
}

static void test_npm_go116(void **state)
{
	(void)state;
	check_npm("esbuild-go1.16", TT_PCLN_116, "runtime.main", "runtime/proc.go");
	check_npm("esbuild-go1.16", TT_PCLN_116, "main.main", ".go");
}

static void test_npm_go126(void **state)
{
	(void)state;
	check_npm("esbuild-go1.26", TT_PCLN_120, "runtime.main", "runtime/proc.go");
	check_npm("esbuild-go1.26", TT_PCLN_120, "main.main", ".go");
}

static void test_debian_gofmt(void **state)
{
	(void)state;
	check_npm("deb-gofmt", TT_PCLN_118, "main.main", "gofmt.go");
}

/*
 * The binary search needs a sorted functab. With main.tick's and
 * runtime.main's slots swapped, a PC in runtime.main found main.tick's slot,
 * whose record matched and whose "end" (the next slot's PC) covered it: a
 * wrong name. Unsorted tables are corrupt and refused.
 */
static void test_unsorted_functab(void **state)
{
	(void)state;
	uint8_t buf[4096];
	FILE *f = fopen("fuzz/corpus/fuzz_gopclntab/synthetic-118", "rb");

	if (!f) {
		printf("SKIP: synthetic-118 missing (run from the repo root)\n");
		skip();
	}
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	struct tt_pcln t;
	struct tt_pcln_func fn;
	assert_int_equal(tt_pcln_init(&t, buf, n, 0x401000), 0);
	assert_int_equal(tt_pcln_lookup(&t, 0x4010e5, &fn), 0);
	assert_string_equal(fn.name, "runtime.main");
	/* swap the (pc, funcoff) pairs of slots 1 and 2 */
	uint8_t tmp[8];
	memcpy(tmp, buf + t.functab + 8, 8);
	memmove(buf + t.functab + 8, buf + t.functab + 16, 8);
	memcpy(buf + t.functab + 16, tmp, 8);
	if (tt_pcln_init(&t, buf, n, 0x401000) == 0) {
		int r = tt_pcln_lookup(&t, 0x4010e5, &fn);
		if (r == 0)
			assert_string_equal(fn.name, "runtime.main");
	}
	assert_int_equal(tt_pcln_init(&t, buf, n, 0x401000), -EINVAL);
	/* the fuzzer's find: main.main's slot and a later one both start at its entry */
	f = fopen("fuzz/corpus/fuzz_gopclntab/regress-unsorted-functab", "rb");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_int_equal(tt_pcln_init(&t, buf, n, 0x401000), -EINVAL);
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4); /* little-endian host, as the tables */
}

/*
 * A segment packed with table headers that all share one long functab,
 * sorted except at its very end, must not make tt_pcln_scan() walk that
 * functab once per header (quadratic in the segment size).
 */
static void test_scan_not_quadratic(void **state)
{
	(void)state;
	const uint32_t nfunc = 1u << 19, ncand = 20000;
	const size_t hdr = 72, names = (size_t)ncand * hdr, ft = names + 16;
	const size_t len = ft + ((size_t)nfunc * 2 + 1) * 4 + 16 * 8;
	const size_t recs = ft + ((size_t)nfunc * 2 + 1) * 4;
	uint8_t *b = calloc(1, len);

	assert_non_null(b);
	memcpy(b + names, "f", 2);
	for (uint32_t i = 0; i <= nfunc; i++) {
		/* sorted PCs, except that the end PC goes backwards */
		put32(b + ft + (size_t)i * 8, i == nfunc ? 0 : 0x10 * (i + 1));
		if (i < 16 && i < nfunc) { /* the records plausible() reads */
			put32(b + ft + (size_t)i * 8 + 4, (uint32_t)(recs - ft + i * 8));
			put32(b + recs + (size_t)i * 8, 0x10 * (i + 1));
			put32(b + recs + (size_t)i * 8 + 4, 0); /* name "f" */
		}
	}
	for (uint32_t c = 0; c < ncand; c++) {
		uint8_t *h = b + (size_t)c * hdr;
		size_t at = (size_t)c * hdr;
		put32(h, 0xfffffff0u);
		h[6] = 1;
		h[7] = 8;
		uint64_t w[8] = {nfunc,      1,          0x400000,   names - at,
		                 names - at, names - at, names - at, ft - at};
		memcpy(h + 8, w, sizeof(w));
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(tt_pcln_scan(b, len, NULL), -ENOENT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("scan of %zu bytes, %u candidates: %.3f s\n", len, ncand, secs);
	assert_true(secs < 2.0); /* quadratic: minutes */
	free(b);
}

static void test_rejects_garbage(void **state)
{
	(void)state;
	struct tt_pcln t;
	uint8_t hdr[64] = {0xf1, 0xff, 0xff, 0xff, 0, 0, 1, 8};

	assert_int_equal(tt_pcln_init(&t, hdr, 8, 0), -EINVAL);
	assert_int_equal(tt_pcln_init(&t, NULL, 0, 0), -EINVAL);
	/* nfunc far beyond the buffer */
	hdr[8] = 0xff;
	hdr[9] = 0xff;
	assert_int_equal(tt_pcln_init(&t, hdr, sizeof(hdr), 0x1000), -EINVAL);
	hdr[6] = 3; /* bad quantum */
	hdr[8] = 1;
	hdr[9] = 0;
	assert_int_equal(tt_pcln_init(&t, hdr, sizeof(hdr), 0x1000), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_marquee_tick),
	    cmocka_unit_test(test_toolchains_tick_writer),
	    cmocka_unit_test(test_stripped_tick),
	    cmocka_unit_test(test_stripped_same_as_plain),
	    cmocka_unit_test(test_cgo_text_base),
	    cmocka_unit_test(test_agrees_with_symtab),
	    cmocka_unit_test(test_out_of_range),
	    cmocka_unit_test(test_truncated_never_wrong),
	    cmocka_unit_test(test_scan_finds_table),
	    cmocka_unit_test(test_no_section_headers),
	    cmocka_unit_test(test_synthetic_formats),
	    cmocka_unit_test(test_npm_go116),
	    cmocka_unit_test(test_npm_go126),
	    cmocka_unit_test(test_debian_gofmt),
	    cmocka_unit_test(test_rejects_garbage),
	    cmocka_unit_test(test_unsorted_functab),
	    cmocka_unit_test(test_scan_not_quadratic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
