// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Kernel symbols: the real /proc/kallsyms (tty_write) and a synthetic file. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ksyms.h"
#include "symbolize.h"

static void test_tty_write(void **state)
{
	(void)state;
	uint64_t a = 0, b = 0;
	struct tt_frame f;

	if (tt_ksym_lookup_addr("tty_write", &a) != 0) {
		printf("SKIP: tty_write not in /proc/kallsyms (not root, or kptr_restrict)\n");
		skip();
	}
	assert_true(a != 0);
	struct tt_symbolizer *s = tt_sym_new();
	assert_non_null(s);
	assert_int_equal(tt_sym_kernel(s, a, &f), 0);
	assert_string_equal(tt_str(f.func), "tty_write");
	assert_string_equal(tt_str(f.module), "kernel");
	assert_int_equal(f.addr, a);
	assert_int_equal(tt_sym_kernel(s, a + 4, &f), 0);
	assert_string_equal(tt_str(f.func), "tty_write");
	/* the byte before belongs to someone else */
	if (tt_sym_kernel(s, a - 1, &f) == 0)
		assert_string_not_equal(tt_str(f.func), "tty_write");
	/* redirected_tty_write exists on this kernel too (notes), and differs */
	if (tt_ksym_lookup_addr("redirected_tty_write", &b) == 0) {
		assert_true(b != a);
		assert_int_equal(tt_sym_kernel(s, b, &f), 0);
		assert_string_equal(tt_str(f.func), "redirected_tty_write");
	}
	assert_int_equal(tt_ksym_lookup_addr("no_such_symbol_hopefully", &b), -ENOENT);
	assert_int_equal(b, 0);
	tt_sym_free(s);
}

static void test_synthetic(void **state)
{
	(void)state;
	char path[] = "/tmp/ttytop-ksyms-XXXXXX";
	int fd = mkstemp(path);
	const char text[] = "ffffffff81000000 T _stext\n"
	                    "ffffffff81000100 t helper\n"
	                    "ffffffff81000180 D some_data\n" /* data: ignored */
	                    "ffffffff81000200 W weak_fn\n"
	                    "ffffffff81000200 T alias_after\n"
	                    "0000000000000000 T zeroed\n" /* hidden address */
	                    "bad line\n"
	                    "ffffffffc0001000 t mod_fn\t[mymod]\n"
	                    "ffffffffc0001100 T mod_fn2\t[mymod]\n"
	                    "ffffffffc0002000 t other_fn\t[other]\n";
	struct tt_ksyms *k;
	const char *name, *mod;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
	close(fd);
	assert_int_equal(tt_ksyms_load(path, &k), 0);
	unlink(path);
	assert_int_equal(k->n, 7);
	assert_int_equal(tt_ksyms_lookup(k, 0xffffffff81000000ull, &name, &mod), 0);
	assert_string_equal(name, "_stext");
	assert_string_equal(mod, "kernel");
	/* some_data is not text: helper extends to weak_fn */
	assert_int_equal(tt_ksyms_lookup(k, 0xffffffff81000190ull, &name, &mod), 0);
	assert_string_equal(name, "helper");
	/* two names at one address: the first listed */
	assert_int_equal(tt_ksyms_lookup(k, 0xffffffff81000200ull, &name, &mod), 0);
	assert_string_equal(name, "weak_fn");
	assert_int_equal(tt_ksyms_lookup(k, 0xffffffffc0001104ull, &name, &mod), 0);
	assert_string_equal(name, "mod_fn2");
	assert_string_equal(mod, "mymod");
	assert_int_equal(tt_ksyms_lookup(k, 0xffffffffc0002010ull, &name, &mod), 0);
	assert_string_equal(mod, "other");
	/* below the first symbol, and far past the last one */
	assert_int_equal(tt_ksyms_lookup(k, 0xffffffff80000000ull, &name, &mod), -ENOENT);
	assert_int_equal(tt_ksyms_lookup(k, 0xffffffffc0100000ull, &name, &mod), -ENOENT);
	tt_ksyms_free(k);
	assert_true(tt_ksyms_load("/nonexistent/kallsyms", &k) < 0);
}

/* Load kallsyms-format text through a real file, as the dashboard does. */
static struct tt_ksyms *load_text(const char *text, size_t len)
{
	char path[] = "/tmp/ttytop-ksyms-XXXXXX";
	int fd = mkstemp(path);
	struct tt_ksyms *k = NULL;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	assert_int_equal(tt_ksyms_load(path, &k), 0);
	unlink(path);
	return k;
}

/*
 * A text symbol whose line is too long to read (KSYM_NAME_LEN is 512 on new
 * kernels, plus a module) must still end its predecessor's extent: dropping
 * it named its addresses after the function before it.
 */
static void test_overlong_line_ends_extent(void **state)
{
	(void)state;
	char text[8192];
	int n = snprintf(text, sizeof(text), "ffffffff81000000 T first\nffffffff81000100 t ");
	memset(text + n, 'a', 5000); /* past any line buffer */
	n += 5000;
	n += snprintf(text + n, sizeof(text) - (size_t)n, "\nffffffff81000200 T third\n");
	struct tt_ksyms *k = load_text(text, (size_t)n);
	const char *name, *mod;

	assert_int_equal(tt_ksyms_lookup(k, 0xffffffff81000010ull, &name, &mod), 0);
	assert_string_equal(name, "first");
	/* inside the unreadable symbol: unresolved, never "first" */
	assert_int_equal(tt_ksyms_lookup(k, 0xffffffff81000150ull, &name, &mod), -ENOENT);
	assert_int_equal(tt_ksyms_lookup(k, 0xffffffff81000200ull, &name, &mod), 0);
	assert_string_equal(name, "third");
	tt_ksyms_free(k);
}

/* Call padding: __pfx_ symbols end the function before them but keep no name. */
static void test_padding_symbols_nameless(void **state)
{
	(void)state;
	static const char text[] = "ffffffff81000000 T first\n"
	                           "ffffffff81000030 t __pfx_second\n"
	                           "ffffffff81000040 t second\n"
	                           "ffffffff81000070 T __pfx_\n"; /* no function after the prefix */
	struct tt_ksyms *k = load_text(text, sizeof(text) - 1);
	const char *name, *mod;

	assert_int_equal(k->n, 4);
	assert_int_equal(tt_ksyms_lookup(k, 0xffffffff8100002full, &name, &mod), 0);
	assert_string_equal(name, "first");
	/* the padding is not "first", and is not named at all */
	assert_int_equal(tt_ksyms_lookup(k, 0xffffffff81000038ull, &name, &mod), -ENOENT);
	assert_int_equal(tt_ksyms_lookup(k, 0xffffffff81000044ull, &name, &mod), 0);
	assert_string_equal(name, "second");
	/* a bare "__pfx_" is an ordinary name */
	assert_int_equal(tt_ksyms_lookup(k, 0xffffffff81000070ull, &name, &mod), 0);
	assert_string_equal(name, "__pfx_");
	/* no padding name was stored: "kernel", "first", "second", "__pfx_" */
	assert_int_equal(k->names_len, sizeof("kernel") + sizeof("first") + sizeof("second") +
	                                   sizeof("__pfx_"));
	tt_ksyms_free(k);
}

/*
 * A NUL inside a line once made the reader skip the following line (the
 * overlong-line check could not see the newline), so the next symbol was
 * lost and the bad line's name covered its addresses.
 */
static void test_nul_in_line(void **state)
{
	(void)state;
	const char text[] = "ffffffff81000000 T first\n"
	                    "ffffffff81000100 t bad\0name\n"
	                    "ffffffff81000200 T third\n";
	struct tt_ksyms *k = load_text(text, sizeof(text) - 1);
	const char *name, *mod;

	assert_int_equal(tt_ksyms_lookup(k, 0xffffffff81000204ull, &name, &mod), 0);
	assert_string_equal(name, "third");
	assert_int_equal(tt_ksyms_lookup(k, 0xffffffff81000104ull, &name, &mod), -ENOENT);
	tt_ksyms_free(k);
}

/* Only the kernel's own format: 1-16 hex digits at the start of the line. */
static void test_strict_address(void **state)
{
	(void)state;
	const char text[] = "-1 T negative\n"
	                    "0x1000 T prefixed\n"
	                    " 2000 T leading_space\n"
	                    "+3000 T plus\n"
	                    "12345678901234567 T seventeen_digits\n"
	                    "ffffffff81000000 T good\n";
	struct tt_ksyms *k = load_text(text, sizeof(text) - 1);
	const char *name, *mod;

	assert_int_equal(k->n, 1);
	assert_int_equal(tt_ksyms_lookup(k, 0x1000, &name, &mod), -ENOENT);
	assert_int_equal(tt_ksyms_lookup(k, UINT64_MAX, &name, &mod), -ENOENT);
	assert_int_equal(tt_ksyms_lookup(k, 0xffffffff81000000ull, &name, &mod), 0);
	assert_string_equal(name, "good");
	tt_ksyms_free(k);
}

/* The last symbol's fixed extent must not wrap at the top of the address space. */
static void test_last_symbol_at_top(void **state)
{
	(void)state;
	const char text[] = "ffffffffffffff00 T top\n";
	struct tt_ksyms *k = load_text(text, sizeof(text) - 1);
	const char *name, *mod;

	assert_int_equal(tt_ksyms_lookup(k, 0xffffffffffffff10ull, &name, &mod), 0);
	assert_string_equal(name, "top");
	tt_ksyms_free(k);
}

/*
 * Function ranges end where the next symbol begins (of any type), clones count
 * as the function, a name that is only a prefix does not, module symbols are
 * skipped, and a function whose end is never seen gets no range at all.
 */
static void test_func_ranges(void **state)
{
	static const char text[] = "ffffffff81000000 T _stext\n"
				   "ffffffff81000100 t run_ksoftirqd\n"
				   "ffffffff81000180 d some_data\n"
				   "ffffffff81000200 t handle_softirqs.constprop.0\n"
				   "ffffffff81000200 t handle_softirqs_alias\n"
				   "ffffffff81000300 t irq_thread_fn\n"
				   "ffffffff81000400 t irq_thread\n"
				   "ffffffff81000500 t irq_thread_dtor\n"
				   "ffffffffc0000000 t run_timersd\t[somemod]\n"
				   "ffffffff81000600 t last_one\n";
	const char *names[] = {"run_ksoftirqd", "handle_softirqs", "irq_thread", "run_timersd",
			       "last_one"};
	uint64_t r[5][2];

	(void)state;
	struct tt_ksym_query q = {NULL, NULL, 0, names, r, 5};

	assert_int_equal(tt_ksym_query_text(text, sizeof(text) - 1, &q), 3);
	assert_true(r[0][0] == 0xffffffff81000100ull && r[0][1] == 0xffffffff81000180ull);
	assert_true(r[1][0] == 0xffffffff81000200ull && r[1][1] == 0xffffffff81000300ull);
	/* irq_thread_fn is not irq_thread; irq_thread ends at irq_thread_dtor */
	assert_true(r[2][0] == 0xffffffff81000400ull && r[2][1] == 0xffffffff81000500ull);
	assert_true(r[3][0] == 0 && r[3][1] == 0); /* a module's symbol */
	assert_true(r[4][0] == 0 && r[4][1] == 0); /* no end: no range */
	assert_int_equal(tt_ksym_query_text("", 0, &q), 0);
	assert_true(r[0][0] == 0);
}

/* Exact names and function ranges from the same single pass. */
static void test_query_both(void **state)
{
	static const char text[] = "ffffffff81000000 T _stext\n"
				   "ffffffff81000100 t tty_write.cold\n"
				   "ffffffff81000200 T tty_write\n"
				   "ffffffff81000300 t irq_thread\n"
				   "ffffffff81000400 T __irqentry_text_start\n"
				   "ffffffff81000500 t next\n";
	const char *names[] = {"tty_write", "__irqentry_text_start", "absent"};
	const char *funcs[] = {"irq_thread"};
	uint64_t addrs[3], r[1][2];
	struct tt_ksym_query q = {names, addrs, 3, funcs, r, 1};

	(void)state;
	assert_int_equal(tt_ksym_query_text(text, sizeof(text) - 1, &q), 3);
	assert_true(addrs[0] == 0xffffffff81000200ull); /* the exact name, not the .cold part */
	assert_true(addrs[1] == 0xffffffff81000400ull);
	assert_true(addrs[2] == 0);
	assert_true(r[0][0] == 0xffffffff81000300ull && r[0][1] == 0xffffffff81000400ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tty_write),
	    cmocka_unit_test(test_synthetic),
	    cmocka_unit_test(test_overlong_line_ends_extent),
	    cmocka_unit_test(test_padding_symbols_nameless),
	    cmocka_unit_test(test_nul_in_line),
	    cmocka_unit_test(test_strict_address),
	    cmocka_unit_test(test_last_symbol_at_top),
	    cmocka_unit_test(test_func_ranges),
	    cmocka_unit_test(test_query_both),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
