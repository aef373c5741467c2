/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The pane's frame table (each distinct frame once, bounded) and the Go "own code" rule. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "pane.h"

static struct tt_pane_name nm(const char *func, const char *module, int line)
{
	struct tt_pane_name n;

	memset(&n, 0, sizeof(n));
	snprintf(n.func, sizeof(n.func), "%s", func);
	snprintf(n.module, sizeof(n.module), "%s", module);
	n.line = line;
	return n;
}

static void test_intern_dedupes(void **state)
{
	struct tt_pane p;
	struct tt_pane_name a = nm("main.tick", "marquee", 10), b = nm("main.tick", "marquee", 11);
	struct tt_pane_frame f = {0};

	(void)state;
	assert_int_equal(tt_pane_alloc(&p, false), 0);
	assert_int_equal(tt_pane_intern(&p, &a), 0);
	assert_int_equal(tt_pane_intern(&p, &b), 1); /* another line: another frame */
	assert_int_equal(tt_pane_intern(&p, &a), 0);
	assert_int_equal(p.nnames, 2);
	f.name = 1;
	assert_int_equal(tt_pane_frame_name(&p, &f)->line, 11);
	f.name = UINT32_MAX;
	assert_null(tt_pane_frame_name(&p, &f));
	f.name = 2; /* past the table */
	assert_null(tt_pane_frame_name(&p, &f));
	tt_pane_free(&p);
}

static void test_intern_is_bounded(void **state)
{
	struct tt_pane p;
	char fn[32];

	(void)state;
	assert_int_equal(tt_pane_alloc(&p, false), 0);
	for (int i = 0; i < TT_PANE_FRAMES; i++) {
		struct tt_pane_name n;

		snprintf(fn, sizeof(fn), "f%d", i);
		n = nm(fn, "m", i);
		assert_int_equal(tt_pane_intern(&p, &n), (uint32_t)i);
	}
	{
		struct tt_pane_name n = nm("one.more", "m", 0), old = nm("f7", "m", 7);

		assert_int_equal(tt_pane_intern(&p, &n), UINT32_MAX); /* full: unnamed */
		assert_int_equal(tt_pane_intern(&p, &old), 7);        /* old ones still found */
	}
	tt_pane_free(&p);
}

static void test_own_code(void **state)
{
	(void)state;
	assert_true(tt_go_func_is_own("main.tick"));
	assert_true(tt_go_func_is_own("main.(*ticker).run.func1"));
	assert_true(tt_go_func_is_own("github.com/acme/led.(*Panel).Draw"));
	assert_true(tt_go_func_is_own("write")); /* C, through cgo */
	assert_false(tt_go_func_is_own("runtime.gopark"));
	assert_false(tt_go_func_is_own("sync.(*Mutex).Lock"));
	assert_false(tt_go_func_is_own("internal/poll.(*FD).Write"));
	assert_false(tt_go_func_is_own("runtime/internal/syscall.Syscall6"));
	assert_false(tt_go_func_is_own("time.Sleep"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_intern_dedupes),
	    cmocka_unit_test(test_intern_is_bounded),
	    cmocka_unit_test(test_own_code),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
