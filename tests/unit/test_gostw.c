// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Where the Go stop-the-world probes go (src/gostw.c), on real binaries:
 * the marquee fixture (Go 1.19; plain, stripped, cgo; arm64 builds), Debian's
 * stripped gofmt and esbuild built by Go 1.26. The symbol table and
 * .gopclntab must name the same functions, a stripped build the same file
 * offsets as its unstripped twin, and every RET found must be one: checked
 * against the file's own bytes, not against the decoder that found it.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "arch.h"
#include "elfsym.h"
#include "goinfo.h"
#include "gostw.h"
#include "helpers.h"

static const char *const funcs[] = {"runtime.stopTheWorldWithSema", "runtime.startTheWorldWithSema",
                                    "runtime.gcStart", "runtime.gcMarkDone"};

static void read_at(const char *path, uint64_t off, uint8_t *buf, size_t n)
{
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, buf, n, (off_t)off), (ssize_t)n);
	close(fd);
}

static uint16_t machine_of(const char *path)
{
	uint8_t h[20];

	read_at(path, 0, h, sizeof(h));
	return (uint16_t)(h[18] | h[19] << 8);
}

/* Unstripped: every function is in both tables, at the same [lo, hi). */
static void symtab_and_pclntab_agree(const char *name)
{
	char p[512];
	struct tt_elfsyms *es;

	if (!tt_have_fixture(name, p, sizeof(p), "make fixtures"))
		skip();
	es = tt_load_syms_path(p);
	assert_non_null(es);
	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++) {
		uint64_t slo, shi, plo, phi;

		assert_int_equal(tt_gostw_func(es, TT_GOSTW_SYMTAB, funcs[i], &slo, &shi), 0);
		assert_int_equal(tt_gostw_func(es, TT_GOSTW_PCLN, funcs[i], &plo, &phi), 0);
		assert_int_equal(slo, plo);
		/* pclntab's end is the next function's entry: it may include padding */
		assert_true(shi <= phi && shi > slo);
		printf("%s %s [%#lx, %#lx) pclntab end %#lx\n", name, funcs[i], (unsigned long)slo,
		       (unsigned long)shi, (unsigned long)phi);
	}
	tt_elfsyms_free(es);
}

/*
 * The marquee as built by each of Debian's toolchains (bin/go1.NN/,
 * tests/fixtures/build.sh); from 1.21 the reason is the argument and the
 * tagging probes are not planned (tags as the collector sets them).
 */
static const char *const toolchains[] = {"go1.19", "go1.23", "go1.24"};
#define NTOOLCHAINS (sizeof(toolchains) / sizeof(toolchains[0]))

/* name = "go1.NN/bin"; whether that build is there (a SKIP line naming it if not). */
static bool have_tc(size_t t, const char *bin, char *name, size_t len)
{
	char p[512];

	snprintf(name, len, "%s/%s", toolchains[t], bin);
	return tt_have_fixture(name, p, sizeof(p),
	                       "make fixtures; tools/gotoolchain.sh could not fetch it?");
}

/* Whether the collector plans the Go < 1.21 tagging probes for toolchain t. */
static bool tags_for(size_t t)
{
	struct tt_go_proc off;
	int minor = atoi(toolchains[t] + 4);

	assert_int_equal(tt_go_offsets_for_version(1, minor, &off), 0);
	return !off.stw_reason_arg;
}

static void test_agree_x86(void **state)
{
	char name[128];

	symtab_and_pclntab_agree("marquee");
	symtab_and_pclntab_agree("marquee-cgo");
	for (size_t t = 0; t < NTOOLCHAINS; t++) {
		if (have_tc(t, "marquee", name, sizeof(name)))
			symtab_and_pclntab_agree(name);
		if (have_tc(t, "marquee-cgo", name, sizeof(name)))
			symtab_and_pclntab_agree(name);
	}
}

static void test_agree_arm64(void **state)
{
	symtab_and_pclntab_agree("arm64/marquee");
}

/* Every RET of a plan is a RET in the file's bytes: C3 / C2 imm16 on x86-64. */
static void rets_are_rets(const char *path, const struct tt_gostw_plan *pl)
{
	uint16_t mach = machine_of(path);

	assert_true(pl->nrets > 0);
	for (int i = 0; i < pl->nrets; i++) {
		uint8_t b[4];

		read_at(path, pl->rets[i], b, sizeof(b));
		if (mach == EM_X86_64) {
			assert_true(b[0] == 0xc3 || b[0] == 0xc2);
		} else {
			uint32_t w = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
			             (uint32_t)b[3] << 24;
			assert_int_equal(w, 0xd65f03c0u); /* Go emits RET (X30) only */
		}
	}
}

/* The plan of a fixture for this host's decoder; false (SKIP) when absent. */
static bool plan_of(const char *name, bool tags, struct tt_gostw_plan *pl, char *p, size_t len)
{
	int r;

	if (!tt_have_fixture(name, p, len, "make fixtures"))
		return false;
	if (machine_of(p) != tt_arch_elf_machine) {
		printf("SKIP: %s is not for this host's decoder (%s)\n", name, tt_arch_name);
		return false;
	}
	r = tt_gostw_plan_file(p, tags, pl);
	if (r)
		printf("%s: %s (%d)\n", name, pl->why_not, r);
	assert_int_equal(r, 0);
	printf("%s: %s, stop at %#lx, %d RETs, first %#lx\n", name, tt_gostw_src_name(pl->src),
	       (unsigned long)pl->stop_off, pl->nrets, (unsigned long)pl->rets[0]);
	rets_are_rets(p, pl);
	return true;
}

static void same_offsets(const struct tt_gostw_plan *a, const struct tt_gostw_plan *b)
{
	assert_int_equal(a->stop_off, b->stop_off);
	assert_int_equal(a->gcstart_off, b->gcstart_off);
	assert_int_equal(a->markdone_off, b->markdone_off);
	assert_int_equal(a->nrets, b->nrets);
	for (int i = 0; i < a->nrets; i++)
		assert_int_equal(a->rets[i], b->rets[i]);
}

static void test_stripped_same_offsets(void **state)
{
	struct tt_gostw_plan a, b;
	char p[512];

	if (!plan_of("marquee", true, &a, p, sizeof(p)) ||
	    !plan_of("marquee-stripped", true, &b, p, sizeof(p)))
		skip();
	assert_int_equal(a.src, TT_GOSTW_SYMTAB);
	assert_int_equal(b.src, TT_GOSTW_PCLN);
	assert_true(a.gcstart_off && a.markdone_off);
	same_offsets(&a, &b);
}

/* Each toolchain: plain and stripped plan alike, with and without the tagging probes. */
static void test_toolchains_stripped_same_offsets(void **state)
{
	struct tt_gostw_plan a, b;
	char plain[128], stripped[128], p[512];
	int ran = 0;

	for (size_t t = 0; t < NTOOLCHAINS; t++) {
		if (!have_tc(t, "marquee", plain, sizeof(plain)) ||
		    !have_tc(t, "marquee-stripped", stripped, sizeof(stripped)))
			continue;
		bool tags = tags_for(t);
		assert_true(plan_of(plain, tags, &a, p, sizeof(p)));
		assert_true(plan_of(stripped, tags, &b, p, sizeof(p)));
		assert_int_equal(a.src, TT_GOSTW_SYMTAB);
		assert_int_equal(b.src, TT_GOSTW_PCLN);
		assert_int_equal(a.gcstart_off != 0, tags);
		assert_int_equal(a.markdone_off != 0, tags);
		same_offsets(&a, &b);
		/* the functions the tags need are still there in 1.21+ */
		assert_true(plan_of(plain, true, &a, p, sizeof(p)));
		assert_true(plan_of(stripped, true, &b, p, sizeof(p)));
		assert_true(a.gcstart_off && a.markdone_off);
		same_offsets(&a, &b);
		ran++;
	}
	if (!ran)
		skip();
}

static void test_cgo_and_foreign_builds(void **state)
{
	struct tt_gostw_plan pl;
	char p[512];
	bool any = false;

	if (plan_of("marquee-cgo", true, &pl, p, sizeof(p))) {
		assert_int_equal(pl.src, TT_GOSTW_SYMTAB);
		any = true;
	}
	for (size_t t = 0; t < NTOOLCHAINS; t++) {
		char name[128];
		if (have_tc(t, "marquee-cgo", name, sizeof(name)) &&
		    plan_of(name, tags_for(t), &pl, p, sizeof(p))) {
			assert_int_equal(pl.src, TT_GOSTW_SYMTAB);
			assert_int_equal(pl.gcstart_off != 0, tags_for(t));
			any = true;
		}
	}
	/* Debian's gofmt is stripped: .gopclntab only */
	if (plan_of("deb-gofmt", true, &pl, p, sizeof(p))) {
		assert_int_equal(pl.src, TT_GOSTW_PCLN);
		any = true;
	}
	/* Go 1.26: the reason is the argument, no tagging probes */
	if (plan_of("esbuild-go1.26", false, &pl, p, sizeof(p))) {
		assert_int_equal(pl.gcstart_off, 0);
		any = true;
	}
	if (!any)
		skip();
}

/* arm64 builds: this host's decoder is x86's, so the words are checked here. */
static void arm64_rets(const char *name, uint64_t *stop_off, uint32_t *rets, int *n)
{
	char p[512];
	struct tt_elfsyms *es;
	uint64_t lo, hi, off;
	uint8_t code[4096];

	es = tt_load_syms_path(tt_fixture(name, p, sizeof(p)));
	assert_non_null(es);
	assert_int_equal(tt_gostw_func(es, TT_GOSTW_PCLN, funcs[0], &lo, &hi), 0);
	assert_int_equal(tt_elfsyms_vaddr_to_off(es, lo, stop_off), 0);
	assert_int_equal(tt_gostw_func(es, TT_GOSTW_PCLN, funcs[1], &lo, &hi), 0);
	assert_true(hi - lo <= sizeof(code) && (hi - lo) % 4 == 0);
	assert_int_equal(tt_elfsyms_vaddr_to_off(es, lo, &off), 0);
	read_at(p, off, code, hi - lo);
	*n = 0;
	for (uint64_t i = 0; i < hi - lo; i += 4)
		if (code[i] == 0xc0 && code[i + 1] == 0x03 && code[i + 2] == 0x5f &&
		    code[i + 3] == 0xd6)
			rets[(*n)++] = (uint32_t)(off + i);
	assert_true(*n > 0 && *n <= TT_GOSTW_MAX_RETS);
	tt_elfsyms_free(es);
}

static void test_arm64_stripped(void **state)
{
	char p[512];
	uint64_t s1, s2;
	uint32_t r1[64], r2[64];
	int n1, n2;

	if (!tt_have_fixture("arm64/marquee", p, sizeof(p), "make fixtures") ||
	    !tt_have_fixture("arm64/marquee-stripped", p, sizeof(p), "make fixtures"))
		skip();
	arm64_rets("arm64/marquee", &s1, r1, &n1);
	arm64_rets("arm64/marquee-stripped", &s2, r2, &n2);
	printf("arm64/marquee: stop at %#lx, %d RETs\n", (unsigned long)s1, n1);
	assert_int_equal(s1, s2);
	assert_int_equal(n1, n2);
	assert_memory_equal(r1, r2, (size_t)n1 * sizeof(r1[0]));
}

/* The decoder on hostile bytes: nothing read past n, partial code refused. */
static void test_find_rets_bounds(void **state)
{
	uint32_t offs[4];
	/* x86: mov eax, 0xc3c3c3c3 ; ret  -- the C3s in the immediate are no RETs */
	static const uint8_t x86[] = {0xb8, 0xc3, 0xc3, 0xc3, 0xc3, 0xc3};
	/* arm64: nop ; ret */
	static const uint8_t a64[] = {0x1f, 0x20, 0x03, 0xd5, 0xc0, 0x03, 0x5f, 0xd6};

	if (tt_arch_elf_machine == EM_X86_64) {
		assert_int_equal(tt_arch_find_rets(x86, sizeof(x86), offs, 4), 1);
		assert_int_equal(offs[0], 5);
		/* cut inside the immediate */
		assert_int_equal(tt_arch_find_rets(x86, 3, offs, 4), -EILSEQ);
		/* more RETs than room */
		static const uint8_t many[] = {0xc3, 0xc3, 0xc3};
		assert_int_equal(tt_arch_find_rets(many, sizeof(many), offs, 2), -E2BIG);
	} else {
		assert_int_equal(tt_arch_find_rets(a64, sizeof(a64), offs, 4), 1);
		assert_int_equal(offs[0], 4);
		assert_int_equal(tt_arch_find_rets(a64, 6, offs, 4), -EILSEQ);
	}
}

static void test_reasons(void **state)
{
	assert_string_equal(tt_gostw_reason(TT_GO_STW_SWEEP_TERM, TT_STW_SRC_ARG),
	                    "GC sweep termination");
	assert_string_equal(tt_gostw_reason(TT_GO_STW_MARK_TERM, TT_STW_SRC_ARG),
	                    "GC mark termination");
	assert_string_equal(tt_gostw_reason(7, TT_STW_SRC_ARG), "read mem stats");
	assert_string_equal(tt_gostw_reason(9, TT_STW_SRC_ARG), "GOMAXPROCS");
	assert_string_equal(tt_gostw_reason(200, TT_STW_SRC_ARG), "unknown");
	assert_string_equal(tt_gostw_reason(0, TT_STW_SRC_GCSTART), "GC sweep termination");
	assert_string_equal(tt_gostw_reason(0, TT_STW_SRC_MARKDONE), "GC mark termination");
	assert_string_equal(tt_gostw_reason(2, TT_STW_SRC_UNKNOWN), "unknown");
}

/* Which kind of probe each Go version gets: the argument from 1.21. */
static void test_reason_arg_by_version(void **state)
{
	struct tt_go_proc off;

	assert_int_equal(tt_go_offsets_for_version(1, 19, &off), 0);
	assert_int_equal(off.stw_reason_arg, 0);
	assert_int_equal(tt_go_offsets_for_version(1, 20, &off), 0);
	assert_int_equal(off.stw_reason_arg, 0);
	assert_int_equal(tt_go_offsets_for_version(1, 21, &off), 0);
	assert_int_equal(off.stw_reason_arg, 1);
	assert_int_equal(tt_go_offsets_for_version(1, 26, &off), 0);
	assert_int_equal(off.stw_reason_arg, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_agree_x86),
	    cmocka_unit_test(test_agree_arm64),
	    cmocka_unit_test(test_stripped_same_offsets),
	    cmocka_unit_test(test_toolchains_stripped_same_offsets),
	    cmocka_unit_test(test_cgo_and_foreign_builds),
	    cmocka_unit_test(test_arm64_stripped),
	    cmocka_unit_test(test_find_rets_bounds),
	    cmocka_unit_test(test_reasons),
	    cmocka_unit_test(test_reason_arg_by_version),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
