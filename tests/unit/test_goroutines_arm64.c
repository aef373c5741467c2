// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The arm64 half of the stripped-binary search for runtime.allgs
 * (tt_arch_data_refs, goroutines.c): src/arch_arm64.c is included here, as
 * in test_arch_arm64.c, so its definitions take the place of the host's.
 * The ADRP-based references decoded from runtime.allgadd of each arm64
 * fixture build must hold the address its symbol table gives allgs.
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
#include "helpers.h"

static bool allgs_sym(int fd, uint64_t *addr)
{
	Elf *e;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	bool found = false;

	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	while (e && !found && (scn = elf_nextscn(e, scn)) != NULL) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && i < d->d_size / sh.sh_entsize && !found; i++) {
			GElf_Sym s;
			const char *nm;
			if (gelf_getsym(d, (int)i, &s) &&
			    (nm = elf_strptr(e, sh.sh_link, s.st_name)) &&
			    !strcmp(nm, "runtime.allgs")) {
				*addr = s.st_value;
				found = true;
			}
		}
	}
	if (e)
		elf_end(e);
	return found;
}

static void test_allgadd_refs(void **state)
{
	static const char *const bins[] = {"arm64/marquee", "arm64/marquee-pie",
	                                   "arm64/marquee-cgo", "arm64/marquee-cgo-dyn"};
	(void)state;
	for (size_t b = 0; b < sizeof(bins) / sizeof(bins[0]); b++) {
		char p[512];
		uint8_t code[2048];
		uint64_t refs[16], allgs = 0, entry, end, off;
		if (!tt_have_fixture(bins[b], p, sizeof(p), "make fixtures"))
			continue;
		int fd = open(p, O_RDONLY);
		assert_true(fd >= 0);
		assert_true(allgs_sym(fd, &allgs));
		struct tt_elfsyms *es = tt_load_syms_path(p);
		assert_true(es->has_pcln);
		assert_int_equal(tt_pcln_find(&es->pcln, "runtime.allgadd", &entry, &end), 0);
		assert_int_equal(tt_elfsyms_vaddr_to_off(es, entry, &off), 0);
		size_t n = end - entry < sizeof(code) ? (size_t)(end - entry) : sizeof(code);
		assert_int_equal(pread(fd, code, n, (off_t)off), (ssize_t)n);
		int k = tt_arch_data_refs(code, n, entry, refs, 16);
		bool hit = false;
		for (int i = 0; i < k; i++)
			hit |= refs[i] == allgs;
		printf("%s: runtime.allgadd names %d data addresses, allgs %#llx %s\n", bins[b], k,
		       (unsigned long long)allgs, hit ? "among them" : "MISSING");
		assert_true(hit);
		/* a truncated function: fewer, never a read past the end */
		assert_true(tt_arch_data_refs(code, 6, entry, refs, 16) <= 1);
		tt_elfsyms_free(es);
		close(fd);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_allgadd_refs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
