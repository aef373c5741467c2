// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The arm64 side of the arch seam, compiled for whatever host runs the unit
 * tests: src/arch_arm64.c is included here, so its tt_arch_* definitions take
 * the place of the host's (the library's arch object is then never linked,
 * and goinfo.c, pulled from the library, runs with arm64's seam). The code
 * decoded is real: runtime.load_g of arm64 builds of the marquee fixture
 * (tests/fixtures/build.sh), checked against what the same binaries' symbol
 * tables and PT_TLS say, which the decoder never reads.
 */
#include <linux/types.h>

#include "../../src/arch_arm64.c"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "elfsym.h"
#include "goinfo.h"
#include "helpers.h"

/* The arm64 build of a fixture (tests/fixtures/build.sh). */
static bool have(const char *name, char *p, size_t len)
{
	char sub[128];

	snprintf(sub, sizeof(sub), "arm64/%s", name);
	return tt_have_fixture(sub, p, len, "make fixtures: needs go and aarch64-linux-gnu-gcc");
}

/* What the ELF itself says, read with libelf alone. */
struct elf_facts {
	bool has_tls_g, has_iscgo, has_pt_tls;
	uint64_t tls_g, iscgo, tls_align;
	uint16_t machine;
};

static void elf_facts(const char *path, struct elf_facts *f)
{
	int fd = open(path, O_RDONLY);
	Elf *e;
	GElf_Ehdr eh;
	Elf_Scn *scn = NULL;
	size_t n;

	memset(f, 0, sizeof(*f));
	assert_true(fd >= 0);
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	assert_non_null(e);
	assert_non_null(gelf_getehdr(e, &eh));
	f->machine = eh.e_machine;
	assert_int_equal(elf_getphdrnum(e, &n), 0);
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_TLS) {
			f->has_pt_tls = true;
			f->tls_align = ph.p_align;
		}
	}
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB ||
		    !(d = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym s;
			const char *nm;

			if (!gelf_getsym(d, (int)i, &s) ||
			    !(nm = elf_strptr(e, sh.sh_link, s.st_name)))
				continue;
			if (!strcmp(nm, "runtime.tls_g")) {
				f->has_tls_g = true;
				f->tls_g = s.st_value;
			} else if (!strcmp(nm, "runtime.iscgo")) {
				f->has_iscgo = true;
				f->iscgo = s.st_value;
			}
		}
	}
	elf_end(e);
	close(fd);
}

/*
 * AArch64 TLS variant I: the thread pointer points at a 16-byte TCB and the
 * executable's block follows it, aligned to PT_TLS's p_align.
 */
static int32_t tls_le_offset(const struct elf_facts *f)
{
	uint64_t a = f->tls_align > 16 ? f->tls_align : 16;

	return (int32_t)(((16 + a - 1) & ~(a - 1)) + f->tls_g);
}

/* Decode the first of tt_arch_go_tls_funcs the binary has, as goinfo does. */
static int decode_file(const char *path, struct tt_arch_go_tls *out, uint64_t *at)
{
	struct tt_elfsyms *es = NULL;
	uint8_t code[64];
	uint64_t off;
	int fd = open(path, O_RDONLY), r = -ENOENT;

	assert_true(fd >= 0);
	assert_int_equal(tt_elfsyms_load_fd(fd, &es), 0);
	for (int i = 0; r && tt_arch_go_tls_funcs[i]; i++) {
		if (tt_elfsyms_find(es, tt_arch_go_tls_funcs[i], at) != 0 ||
		    tt_elfsyms_vaddr_to_off(es, *at, &off) != 0 ||
		    pread(fd, code, sizeof(code), (off_t)off) != (ssize_t)sizeof(code))
			continue;
		r = tt_arch_go_decode_tls(code, sizeof(code), *at, out);
	}
	tt_elfsyms_free(es);
	close(fd);
	return r;
}

/* The decoded slot and iscgo address agree with the symbols the code names. */
static void check_decode(const char *name, bool cgo_tls)
{
	char p[512];
	struct elf_facts f;
	struct tt_arch_go_tls t;
	uint64_t at;

	if (!have(name, p, sizeof(p)))
		skip();
	elf_facts(p, &f);
	assert_int_equal(f.machine, EM_AARCH64);
	assert_int_equal(decode_file(p, &t, &at), 0);
	assert_true(f.has_iscgo);
	assert_true(t.iscgo_va == f.iscgo);
	if (cgo_tls)
		assert_true(f.has_tls_g && f.has_pt_tls);
	if (f.has_tls_g && f.has_pt_tls)
		assert_int_equal(t.off, tls_le_offset(&f));
	else /* no TLS segment: the linker's offset is the bare TCB size */
		assert_int_equal(t.off, 16);
	printf("arm64/%s: load_g at %#llx: g = *(tpidr_el0 + %#x), iscgo at %#llx\n", name,
	       (unsigned long long)at, (unsigned)t.off, (unsigned long long)t.iscgo_va);
}

static void test_decode_plain(void **state)
{
	(void)state;
	check_decode("marquee", false);
}

static void test_decode_pie(void **state) /* movz #0, lsl 16 ; movk #0x10 */
{
	(void)state;
	check_decode("marquee-pie", false);
}

static void test_decode_cgo_dynamic(void **state)
{
	(void)state;
	check_decode("marquee-cgo-dyn", true);
}

static void test_decode_cgo_static(void **state) /* libc's TLS first: 0x30 */
{
	(void)state;
	check_decode("marquee-cgo", true);
}

/* Stripped: load_g is found through .gopclntab, and decodes as unstripped. */
static void test_decode_stripped(void **state)
{
	(void)state;
	char p[512], q[512];
	struct tt_arch_go_tls t, u;
	struct elf_facts f;
	uint64_t at;

	if (!have("marquee-stripped", p, sizeof(p)) || !have("marquee", q, sizeof(q)))
		skip();
	elf_facts(p, &f);
	assert_false(f.has_iscgo); /* no symbol table left */
	assert_int_equal(decode_file(p, &t, &at), 0);
	assert_int_equal(decode_file(q, &u, &at), 0);
	assert_int_equal(t.off, u.off);
	assert_true(t.iscgo_va != 0);
}

/* Hand-made variants: what the decoder accepts and what it must refuse. */
static void put(uint8_t *b, int i, uint32_t w)
{
	b[4 * i] = w & 0xff;
	b[4 * i + 1] = (w >> 8) & 0xff;
	b[4 * i + 2] = (w >> 16) & 0xff;
	b[4 * i + 3] = w >> 24;
}

static void test_decode_synthetic(void **state)
{
	(void)state;
	uint8_t b[32];
	struct tt_arch_go_tls t;

	/* mrs x1, tpidr_el0 ; ldr x28, [x1, #0x18]: an immediate offset */
	memset(b, 0, sizeof(b));
	put(b, 0, 0xd53bd041);
	put(b, 1, 0xf9400c3c);
	assert_int_equal(tt_arch_go_decode_tls(b, 8, 0x1000, &t), 0);
	assert_int_equal(t.off, 0x18);
	assert_true(t.iscgo_va == 0);
	/* cut before the load: nothing */
	assert_int_equal(tt_arch_go_decode_tls(b, 4, 0x1000, &t), -ENOENT);
	/* mrs x0 ; movz x27, #0x10 ; ret: no load */
	put(b, 0, 0xd53bd040);
	put(b, 1, 0xd280021b);
	put(b, 2, 0xd65f03c0);
	assert_int_equal(tt_arch_go_decode_tls(b, 12, 0x1000, &t), -ENOENT);
	/* mrs x0 ; ldr x28, [x0, x27] with x27 never set: unknown offset */
	put(b, 1, 0xf87b681c);
	assert_int_equal(tt_arch_go_decode_tls(b, 8, 0x1000, &t), -ENOENT);
	/* mrs x0 ; movz x27, #0x10 ; ldr x28, [x2, x27]: not the thread pointer */
	put(b, 1, 0xd280021b);
	put(b, 2, 0xf87b685c);
	assert_int_equal(tt_arch_go_decode_tls(b, 12, 0x1000, &t), -ENOENT);
	/* adrp x27 of a page below: negative page counts sign-extend */
	memset(b, 0, sizeof(b));
	put(b, 0, 0x90fffffb); /* adrp x27, 4 pages down (immhi all ones, immlo 0) */
	put(b, 1, 0x9104af7b); /* add x27, x27, #0x12b */
	put(b, 2, 0x39800360); /* ldrsb x0, [x27] */
	put(b, 3, 0xd53bd040);
	put(b, 4, 0xd280021b);
	put(b, 5, 0xf87b681c);
	assert_int_equal(tt_arch_go_decode_tls(b, 24, 0x200000, &t), 0);
	assert_true(t.iscgo_va == 0x200000 - 0x4000 + 0x12b);
	assert_int_equal(t.off, 0x10);
	/* garbage of every length never reads past n */
	for (size_t n = 0; n <= sizeof(b); n++)
		tt_arch_go_decode_tls((const uint8_t[32]){0xff}, n, 0, &t);
}

/*
 * goinfo end to end with arm64's seam: where g comes from for each kind of
 * build, and the offsets table against the binaries' own DWARF (the notes
 * said amd64 = arm64 for 1.19; this checks it).
 */
static void check_goinfo(const char *name, bool cgo, int dwarf, const char *twin)
{
	char p[512], q[512];
	struct tt_goinfo gi;
	struct tt_go_proc tab;
	struct elf_facts f;

	if (!have(name, p, sizeof(p)))
		skip();
	elf_facts(p, &f);
	assert_int_equal(tt_goinfo_for_file(p, &gi), 1);
	assert_int_equal(gi.minor, 19);
	assert_int_equal(gi.off.g_in_reg, cgo ? 0 : 1);
	if (cgo && f.has_tls_g)
		assert_int_equal(gi.off.tls_g_off, tls_le_offset(&f));
	else if (cgo) { /* stripped: where its unstripped twin's symbols say */
		struct elf_facts tf;

		if (!have(twin, q, sizeof(q)))
			skip();
		elf_facts(q, &tf);
		assert_true(tf.has_tls_g);
		assert_int_equal(gi.off.tls_g_off, tls_le_offset(&tf));
	}
	assert_int_equal(gi.goid_from_dwarf, dwarf);
	assert_int_equal(tt_go_offsets_for_version(gi.major, gi.minor, &tab), 0);
	assert_int_equal(gi.off.goid_off, tab.goid_off);
	assert_int_equal(gi.off.g_m_off, tab.g_m_off);
	assert_int_equal(gi.off.m_g0_off, tab.m_g0_off);
	assert_int_equal(gi.off.m_gsignal_off, tab.m_gsignal_off);
	assert_int_equal(gi.off.m_curg_off, tab.m_curg_off);
	printf("arm64/%s: %s, g %s, goid@%u m@%u curg@%u (%s)\n", name, gi.version,
	       gi.off.g_in_reg ? "from R28" : "from TLS", gi.off.goid_off, gi.off.g_m_off,
	       gi.off.m_curg_off, dwarf ? "DWARF" : "table");
}

static void test_goinfo_plain(void **state)
{
	(void)state;
	check_goinfo("marquee", false, 1, NULL);
}

static void test_goinfo_stripped(void **state)
{
	(void)state;
	check_goinfo("marquee-stripped", false, 0, NULL);
}

static void test_goinfo_cgo_dynamic(void **state)
{
	(void)state;
	check_goinfo("marquee-cgo-dyn", true, 1, NULL);
}

static void test_goinfo_cgo_static(void **state)
{
	(void)state;
	check_goinfo("marquee-cgo", true, 1, NULL);
}

/* Static, stripped cgo: no PT_INTERP, no symbols; the iscgo byte alone says cgo. */
static void test_goinfo_cgo_stripped(void **state)
{
	(void)state;
	check_goinfo("marquee-cgo-stripped", true, 0, "marquee-cgo");
}

/* An x86-64 Go binary is not one this build's kernel side can read. */
static void test_goinfo_foreign(void **state)
{
	(void)state;
	char p[512];
	struct tt_goinfo gi;

	if (!tt_have_fixture("marquee", p, sizeof(p), "make fixtures"))
		skip();
	struct elf_facts f;
	elf_facts(p, &f);
	if (f.machine == EM_AARCH64) {
		printf("SKIP: %s is an arm64 build here\n", p);
		skip();
	}
	assert_int_equal(tt_goinfo_for_file(p, &gi), -ENOTSUP);
}

/* The word before a return address, read from this process as from a traced one. */
static void test_follows_call(void **state)
{
	(void)state;
	static uint32_t text[] = {
	    0x94000010, /* bl .+0x40 */
	    0xd503201f, /* nop */
	    0xd63f0100, /* blr x8 */
	    0xd503201f, /* nop */
	    0xd63f091f, /* blraaz x8 */
	    0xd503201f, /* nop */
	    0xd73f0d01, /* blrab x8, x1 */
	    0xd65f03c0, /* ret */
	    0xd61f0100, /* br x8: a jump, not a call */
	    0xd503201f,
	};
	uint64_t base = (uint64_t)(uintptr_t)text;
	pid_t me = getpid();

	assert_true(tt_arch_follows_call(me, base + 4));
	assert_false(tt_arch_follows_call(me, base + 8));
	assert_true(tt_arch_follows_call(me, base + 12));
	assert_true(tt_arch_follows_call(me, base + 20));
	assert_true(tt_arch_follows_call(me, base + 28));
	assert_false(tt_arch_follows_call(me, base + 32)); /* after ret */
	assert_false(tt_arch_follows_call(me, base + 36)); /* after br */
	assert_false(tt_arch_follows_call(me, base + 6));  /* not aligned */
	assert_false(tt_arch_follows_call(me, 2));
	assert_false(tt_arch_follows_call(me, 4)); /* unmapped */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decode_plain),        cmocka_unit_test(test_decode_pie),
	    cmocka_unit_test(test_decode_cgo_dynamic),  cmocka_unit_test(test_decode_cgo_static),
	    cmocka_unit_test(test_decode_stripped),     cmocka_unit_test(test_decode_synthetic),
	    cmocka_unit_test(test_goinfo_plain),        cmocka_unit_test(test_goinfo_stripped),
	    cmocka_unit_test(test_goinfo_cgo_dynamic),  cmocka_unit_test(test_goinfo_cgo_static),
	    cmocka_unit_test(test_goinfo_cgo_stripped), cmocka_unit_test(test_goinfo_foreign),
	    cmocka_unit_test(test_follows_call),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
