// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The frame-name table: one id per name, cut like the arrays it replaced, bounded. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "model.h"
#include "strtab.h"

static void test_same_name_same_id(void **state)
{
	(void)state;
	uint32_t a = tt_str_intern("n_tty_write", TT_FUNC_LEN);
	char copy[] = "n_tty_write";

	assert_true(a != 0);
	assert_int_equal(tt_str_intern(copy, TT_FUNC_LEN), a);
	assert_true(tt_str_intern("n_tty_writ", TT_FUNC_LEN) != a);
	assert_true(tt_str_intern("n_tty_write_x", TT_FUNC_LEN) != a);
	assert_string_equal(tt_str(a), "n_tty_write");
	assert_int_equal(tt_str_intern("", TT_FUNC_LEN), 0);
	assert_int_equal(tt_str_intern(NULL, TT_FUNC_LEN), 0);
	assert_string_equal(tt_str(0), "");
	assert_string_equal(tt_str(UINT32_MAX), ""); /* never handed out */
}

static void test_cut_like_the_arrays(void **state)
{
	(void)state;
	char big[TT_FILE_LEN * 2];
	struct tt_frame f = {0};

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	tt_frame_set_func(&f, big);
	tt_frame_set_file(&f, big);
	tt_frame_set_module(&f, big);
	assert_int_equal(strlen(tt_str(f.func)), TT_FUNC_LEN - 1);
	assert_int_equal(strlen(tt_str(f.file)), TT_FILE_LEN - 1);
	assert_int_equal(strlen(tt_str(f.module)), TT_MODULE_LEN - 1);
	/* a name without its NUL (a snapshot's fixed array) is read no further */
	char raw[4] = {'a', 'b', 'c', 'd'};
	assert_string_equal(tt_str(tt_str_intern(raw, sizeof(raw))), "abc");
	/* what was cut is the same name as the cut text */
	big[TT_FUNC_LEN - 1] = 0;
	assert_int_equal(tt_str_intern(big, TT_FUNC_LEN), f.func);
}

struct racer {
	uint32_t ids[512];
};

static void *race(void *arg)
{
	struct racer *r = arg;
	char name[32];

	for (int i = 0; i < 512; i++) {
		snprintf(name, sizeof(name), "race_%d", i);
		r->ids[i] = tt_str_intern(name, sizeof(name));
	}
	return NULL;
}

static void test_threads_agree(void **state)
{
	(void)state;
	static struct racer a, b;
	pthread_t ta, tb;

	assert_int_equal(pthread_create(&ta, NULL, race, &a), 0);
	assert_int_equal(pthread_create(&tb, NULL, race, &b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	for (int i = 0; i < 512; i++) {
		char name[32];

		snprintf(name, sizeof(name), "race_%d", i);
		assert_true(a.ids[i] != 0);
		assert_int_equal(a.ids[i], b.ids[i]);
		assert_string_equal(tt_str(a.ids[i]), name);
	}
}

/* Last: it fills the table for the rest of this process. */
static void test_full_table_refuses_and_keeps_the_rest(void **state)
{
	(void)state;
	uint32_t kept = tt_str_intern("kept_before_full", TT_FUNC_LEN), last = 0;
	struct tt_str_stats st;
	char name[32];
	int i;

	for (i = 0; i < 2 * TT_STRTAB_MAX; i++) {
		snprintf(name, sizeof(name), "filler_%d", i);
		if (!tt_str_intern(name, sizeof(name)))
			break;
		last = (uint32_t)i;
	}
	tt_str_stats(&st);
	assert_int_equal(st.names, TT_STRTAB_MAX);
	assert_true(st.refused >= 1);
	assert_true(st.bytes <= TT_STRTAB_BYTES);
	/* refused: a new name; still found: every name kept before */
	assert_int_equal(tt_str_intern("one_too_many", TT_FUNC_LEN), 0);
	assert_int_equal(tt_str_intern("kept_before_full", TT_FUNC_LEN), kept);
	snprintf(name, sizeof(name), "filler_%u", last);
	assert_string_equal(tt_str(tt_str_intern(name, sizeof(name))), name);
	tt_str_stats(&st);
	assert_true(st.refused >= 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_same_name_same_id),
	    cmocka_unit_test(test_cut_like_the_arrays),
	    cmocka_unit_test(test_threads_agree),
	    cmocka_unit_test(test_full_table_refuses_and_keeps_the_rest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
