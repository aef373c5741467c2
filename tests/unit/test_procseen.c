/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Processes inspected once: start times from /proc, hostile stat lines, pid reuse. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include "procseen.h"

static void test_parse_stat_start(void **state)
{
	(void)state;
	assert_int_equal(
	    tt_parse_stat_start("42 (sh) S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 "
	                        "1 0 123456 1000 50 18446744073709551615\n"),
	    123456);
	/* a comm with spaces and parentheses: fields count from the last ')' */
	assert_int_equal(tt_parse_stat_start("7 (a) b) (c) S 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 "
	                                     "99 0 0"),
	                 99);
	assert_int_equal(tt_parse_stat_start(""), 0);
	assert_int_equal(tt_parse_stat_start("1 (x) S 1 2 3"), 0); /* too short */
	assert_int_equal(tt_parse_stat_start("no parenthesis at all"), 0);
	assert_int_equal(tt_parse_stat_start("1 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 zz"),
	                 0);
}

static void test_own_start_time(void **state)
{
	(void)state;
	assert_true(tt_proc_start_time(getpid()) > 0);
	assert_int_equal(tt_proc_start_time(0x3fffffff), 0); /* no such process */
}

static void test_seen_once_per_process(void **state)
{
	struct tt_procseen *s = calloc(1, sizeof(*s));

	(void)state;
	assert_false(tt_procseen_check(s, 100, 5000, "python3"));
	for (int i = 0; i < 3000; i++) /* the same process, one terminal after another */
		assert_true(tt_procseen_check(s, 100, 5000, "python3"));
	assert_false(tt_procseen_check(s, 100, 7000, "python3")); /* pid reused */
	assert_false(tt_procseen_check(s, 100, 7000, "marquee")); /* exec()ed another program */
	assert_true(tt_procseen_check(s, 100, 7000, "marquee"));
	assert_false(tt_procseen_check(s, 101, 0, "x")); /* start unknown: never skipped */
	assert_false(tt_procseen_check(s, 101, 0, "x"));
	/* a comm that fills its field compares whole, without running past it */
	assert_false(tt_procseen_check(s, 102, 1, "0123456789abcdefXYZ"));
	assert_true(tt_procseen_check(s, 102, 1, "0123456789abcdeQ"));
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_stat_start),
	    cmocka_unit_test(test_own_start_time),
	    cmocka_unit_test(test_seen_once_per_process),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
