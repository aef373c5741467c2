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

#include "elfsym.h"

static const char *fixture(const char *name, char *buf, size_t len)
{
	const char *dir = getenv("TTYTOP_FIXTURES");

	snprintf(buf, len, "%s/%s", dir && *dir ? dir : "tests/fixtures/bin", name);
	return buf;
}

static struct tt_elfsyms *load(const char *name)
{
	char p[512];
	struct tt_elfsyms *es = NULL;
	int fd = open(fixture(name, p, sizeof(p)), O_RDONLY);

	if (fd < 0) {
		printf("SKIP: fixture %s missing (run make fixtures)\n", p);
		return NULL;
	}
	int r = tt_elfsyms_load_fd(fd, &es);
	close(fd);
	assert_int_equal(r, 0);
	return es;
}

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
	struct tt_elfsyms *es = load("cwriter");
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
	struct tt_elfsyms *full = load("cwriter"), *st = load("cwriter-stripped");
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
	int fd = open(fixture("cwriter", p, sizeof(p)), O_RDONLY);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cwriter_names),
	    cmocka_unit_test(test_stripped_never_wrong),
	    cmocka_unit_test(test_libc_dynsym),
	    cmocka_unit_test(test_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
