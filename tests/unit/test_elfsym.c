// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ELF symbol tables: the cwriter fixture with and without symbols, and garbage. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"

#include <elf.h>

#include "elfsym.h"

static const struct tt_elfsym *sym(const struct tt_elfsyms *es, const char *name)
{
	for (uint32_t i = 0; i < es->nsyms; i++)
		if (strcmp(es->strs + es->syms[i].name, name) == 0)
			return &es->syms[i];
	return NULL;
}

static void test_cwriter_names(void **state)
{
	(void)state;
	struct tt_elfsyms *es = tt_load_syms("cwriter");
	struct tt_elf_hit h;

	if (!es)
		skip();
	assert_false(es->from_dynsym);
	assert_false(es->is_go);
	assert_false(es->has_pcln);
	assert_int_equal(es->e_type, 3 /* ET_DYN: PIE */);
	const char *chain[] = {"do_write", "level_two", "level_one", "main"};
	for (size_t i = 0; i < 4; i++) {
		const struct tt_elfsym *s = sym(es, chain[i]);
		assert_non_null(s);
		assert_true(s->end > s->start);
		uint64_t addr;
		assert_int_equal(tt_elfsyms_find(es, chain[i], &addr), 0);
		assert_int_equal(addr, s->start);
		for (uint64_t a = s->start; a < s->end; a++) {
			assert_int_equal(tt_elfsyms_lookup(es, a, &h), 0);
			assert_string_equal(h.func, chain[i]);
			assert_string_equal(h.file, "");
		}
		/* file offset <-> vaddr round trip through PT_LOAD */
		uint64_t off, va;
		assert_int_equal(tt_elfsyms_vaddr_to_off(es, s->start, &off), 0);
		assert_int_equal(tt_elfsyms_off_to_vaddr(es, off, &va), 0);
		assert_int_equal(va, s->start);
	}
	assert_int_equal(tt_elfsyms_lookup(es, 0, &h), -ENOENT);
	assert_int_equal(tt_elfsyms_lookup(es, UINT64_MAX, &h), -ENOENT);
	tt_elfsyms_free(es);
}

/*
 * Stripped: every address in the unstripped file's .text either stays
 * unresolved or gets the same name the full symbol table gives.
 */
static void test_stripped_never_wrong(void **state)
{
	(void)state;
	struct tt_elfsyms *full = tt_load_syms("cwriter"), *st = tt_load_syms("cwriter-stripped");
	struct tt_elf_hit hf, hs;
	size_t resolved = 0;

	if (!full || !st)
		skip();
	assert_true(st->nsyms == 0 || st->from_dynsym);
	assert_true(full->text_size > 0);
	for (uint64_t a = full->text_addr; a < full->text_addr + full->text_size; a++) {
		if (tt_elfsyms_lookup(st, a, &hs) != 0)
			continue;
		resolved++;
		assert_int_equal(tt_elfsyms_lookup(full, a, &hf), 0);
		assert_string_equal(hs.func, hf.func);
	}
	const struct tt_elfsym *s = sym(full, "do_write");
	assert_non_null(s);
	assert_int_equal(tt_elfsyms_lookup(st, s->start + 1, &hs), -ENOENT);
	printf("stripped cwriter: %zu text bytes resolved through .dynsym\n", resolved);
	tt_elfsyms_free(full);
	tt_elfsyms_free(st);
}

/* A shared library resolves through .dynsym when that is all it has. */
static void test_libc_dynsym(void **state)
{
	(void)state;
	const char *libc = "/lib/x86_64-linux-gnu/libc.so.6";
	struct tt_elfsyms *es = NULL;
	struct tt_elf_hit h;
	uint64_t addr;
	int fd = open(libc, O_RDONLY);

	if (fd < 0)
		skip();
	assert_int_equal(tt_elfsyms_load_fd(fd, &es), 0);
	close(fd);
	assert_false(es->from_dynsym == false && es->nsyms == 0);
	/* aliases at one address are folded to the best-ranked name */
	assert_true(tt_elfsyms_find(es, "__write", &addr) == 0 ||
	            tt_elfsyms_find(es, "write", &addr) == 0 ||
	            tt_elfsyms_find(es, "__libc_write", &addr) == 0);
	assert_int_equal(tt_elfsyms_lookup(es, addr + 2, &h), 0);
	/* write has aliases (__write, __libc_write): any of them is the same function */
	assert_non_null(strstr(h.func, "write"));
	tt_elfsyms_free(es);
}

static void test_garbage(void **state)
{
	(void)state;
	struct tt_elfsyms *es;
	uint8_t junk[256];

	memset(junk, 0x41, sizeof(junk));
	assert_int_equal(tt_elfsyms_load_mem(junk, sizeof(junk), &es), -ENOEXEC);
	assert_null(es);
	assert_int_equal(tt_elfsyms_load_mem(NULL, 0, &es), -ENOEXEC);
	/* a real ELF header cut short */
	char p[512];
	int fd = open(tt_fixture("cwriter", p, sizeof(p)), O_RDONLY);
	if (fd < 0)
		skip();
	struct stat st;
	fstat(fd, &st);
	uint8_t *buf = malloc((size_t)st.st_size);
	assert_int_equal(read(fd, buf, (size_t)st.st_size), st.st_size);
	close(fd);
	for (size_t cut = 16; cut < (size_t)st.st_size; cut += 997) {
		if (tt_elfsyms_load_mem(buf, cut, &es) == 0) {
			struct tt_elf_hit h;
			/* whatever survived must still not invent names */
			const char *name = "do_write";
			uint64_t a;
			if (tt_elfsyms_find(es, name, &a) == 0 && tt_elfsyms_lookup(es, a, &h) == 0)
				assert_string_equal(h.func, name);
			tt_elfsyms_free(es);
		}
	}
	free(buf);
}

/* ---- hand-built ELF files ------------------------------------------------ */

struct tsym {
	const char *name;
	uint64_t value, size;
};

/*
 * A minimal ET_DYN file: .text [0x1000, 0x4000) (AX), one symbol table
 * (.symtab or .dynsym) of FUNC symbols, with `njunk` empty entries inserted
 * after the first `junk_at` symbols.
 */
static uint8_t *build_elf(const struct tsym *ts, int n, int junk_at, size_t njunk, bool dyn,
                          size_t *len)
{
	const char shstr[] = "\0.text\0.symtab\0.strtab\0.dynsym\0.dynstr\0.shstrtab";
	enum {
		SH_TEXT = 1,
		SH_SYMTAB = 7,
		SH_STRTAB = 15,
		SH_DYNSYM = 23,
		SH_DYNSTR = 31,
		SH_SHSTRTAB = 39
	};
	char strtab[1024] = {0};
	size_t strl = 1;
	size_t nsym = 1 + (size_t)n + njunk;
	size_t text_off = 0x1000, text_size = 0x3000;
	size_t shstr_off = text_off + text_size;
	size_t str_off = shstr_off + sizeof(shstr);
	size_t sym_off = (str_off + sizeof(strtab) + 7) & ~(size_t)7;
	size_t sh_off = sym_off + nsym * sizeof(Elf64_Sym);
	size_t total = sh_off + 5 * sizeof(Elf64_Shdr);
	uint8_t *b = calloc(1, total);

	assert_non_null(b);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)b;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_DYN;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_shoff = sh_off;
	eh->e_shentsize = sizeof(Elf64_Shdr);
	eh->e_shnum = 5;
	eh->e_shstrndx = 4;
	memcpy(b + shstr_off, shstr, sizeof(shstr));
	Elf64_Sym *sym = (Elf64_Sym *)(b + sym_off);
	size_t k = 1;
	for (int i = 0; i < n; i++) {
		if (i == junk_at)
			k += njunk;
		size_t l = strlen(ts[i].name);
		assert_true(strl + l + 1 <= sizeof(strtab));
		memcpy(strtab + strl, ts[i].name, l + 1);
		sym[k].st_name = (uint32_t)strl;
		strl += l + 1;
		sym[k].st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC);
		sym[k].st_shndx = 1;
		sym[k].st_value = ts[i].value;
		sym[k].st_size = ts[i].size;
		k++;
	}
	memcpy(b + str_off, strtab, sizeof(strtab));
	Elf64_Shdr *sh = (Elf64_Shdr *)(b + sh_off);
	sh[1] = (Elf64_Shdr){.sh_name = SH_TEXT,
	                     .sh_type = SHT_PROGBITS,
	                     .sh_flags = SHF_ALLOC | SHF_EXECINSTR,
	                     .sh_addr = 0x1000,
	                     .sh_offset = text_off,
	                     .sh_size = text_size,
	                     .sh_addralign = 16};
	sh[2] = (Elf64_Shdr){.sh_name = dyn ? SH_DYNSYM : SH_SYMTAB,
	                     .sh_type = dyn ? SHT_DYNSYM : SHT_SYMTAB,
	                     .sh_offset = sym_off,
	                     .sh_size = nsym * sizeof(Elf64_Sym),
	                     .sh_link = 3,
	                     .sh_info = 1,
	                     .sh_addralign = 8,
	                     .sh_entsize = sizeof(Elf64_Sym)};
	sh[3] = (Elf64_Shdr){.sh_name = dyn ? SH_DYNSTR : SH_STRTAB,
	                     .sh_type = SHT_STRTAB,
	                     .sh_offset = str_off,
	                     .sh_size = sizeof(strtab),
	                     .sh_addralign = 1};
	sh[4] = (Elf64_Shdr){.sh_name = SH_SHSTRTAB,
	                     .sh_type = SHT_STRTAB,
	                     .sh_offset = shstr_off,
	                     .sh_size = sizeof(shstr),
	                     .sh_addralign = 1};
	*len = total;
	return b;
}

static const char *name_at(const struct tt_elfsyms *es, uint64_t a, struct tt_elf_hit *h)
{
	return tt_elfsyms_lookup(es, a, h) == 0 ? h->func : NULL;
}

/*
 * More raw entries than TT_ELF_MAX_SYMS (most of them not functions): the
 * table was cut at that many entries, so "b" past the cut was lost and the
 * unsized "a" before it grew over b's code.
 */
static void test_symtab_cut_never_wrong(void **state)
{
	(void)state;
	const struct tsym ts[] = {{"a", 0x1000, 0}, {"b", 0x2000, 0x100}};
	size_t len;
	uint8_t *b = build_elf(ts, 2, 1, TT_ELF_MAX_SYMS, false, &len);
	struct tt_elfsyms *es;
	struct tt_elf_hit h;

	assert_int_equal(tt_elfsyms_load_mem(b, len, &es), 0);
	free(b);
	const char *n = name_at(es, 0x2010, &h);
	assert_true(n == NULL || strcmp(n, "b") == 0);
	assert_string_equal(name_at(es, 0x2010, &h), "b");
	tt_elfsyms_free(es);
}

/*
 * .dynsym lists only exported functions: an unsized one there must not
 * extend over the static functions after it (they are not in the table),
 * while in .symtab, which lists them all, it extends to the next symbol.
 */
static void test_dynsym_unsized(void **state)
{
	(void)state;
	const struct tsym ts[] = {{"exported_asm", 0x1000, 0}, {"sized", 0x3000, 0x10}};
	size_t len;
	struct tt_elfsyms *es;
	struct tt_elf_hit h;
	uint8_t *b = build_elf(ts, 2, -1, 0, true, &len);

	assert_int_equal(tt_elfsyms_load_mem(b, len, &es), 0);
	free(b);
	assert_true(es->from_dynsym);
	assert_string_equal(name_at(es, 0x1000, &h), "exported_asm");
	assert_null(name_at(es, 0x2000, &h));
	assert_string_equal(name_at(es, 0x3004, &h), "sized");
	assert_null(name_at(es, 0x3010, &h));
	tt_elfsyms_free(es);

	b = build_elf(ts, 2, -1, 0, false, &len);
	assert_int_equal(tt_elfsyms_load_mem(b, len, &es), 0);
	free(b);
	assert_false(es->from_dynsym);
	assert_string_equal(name_at(es, 0x2000, &h), "exported_asm");
	assert_string_equal(name_at(es, 0x3004, &h), "sized");
	tt_elfsyms_free(es);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cwriter_names),
	    cmocka_unit_test(test_stripped_never_wrong),
	    cmocka_unit_test(test_libc_dynsym),
	    cmocka_unit_test(test_garbage),
	    cmocka_unit_test(test_symtab_cut_never_wrong),
	    cmocka_unit_test(test_dynsym_unsized),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
