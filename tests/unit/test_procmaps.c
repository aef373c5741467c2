// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* /proc/PID/maps parsing on synthetic text, including hostile lines. */
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

#include "procmaps.h"

static const char maps[] =
    "00400000-00401000 r--p 00000000 fd:01 1234                               /usr/bin/app\n"
    "00401000-00480000 r-xp 00001000 fd:01 1234                               /usr/bin/app\n"
    "7f0000000000-7f0000021000 rw-p 00000000 00:00 0 \n"
    "7f1000000000-7f1000100000 r-xp 00028000 08:02 99 /tmp/my lib with spaces.so (deleted)\n"
    "7f2000000000-7f2000001000 r-xp 00000000 00:00 0                          [vdso]\n"
    "garbage line\n"
    "7f3000000000-7f2000000000 r-xp 00000000 00:00 0 /inverted/range\n"
    "7f4000000000-7f4000001000 rwzp 00000000 00:00 0 /bad/perms\n"
    "7f5000000000-7f5000002000 r-xp 0000000000001000 103:0a 18446744073709551615 /x\n"
    "11111111111111111-7f6000001000 r-xp 00000000 00:00 0 /too/long/hex\n"
    "7f7000000000-7f7000001000 r-xp 00000000 00:00 5 /proc/self/(deleted)";

static void test_parse_all(void **state)
{
	(void)state;
	struct tt_map m[16];
	int n = tt_procmaps_parse(maps, sizeof(maps) - 1, m, 16, false);

	assert_int_equal(n, 7);
	assert_int_equal(m[0].start, 0x400000);
	assert_int_equal(m[0].end, 0x401000);
	assert_string_equal(m[0].perms, "r--p");
	assert_string_equal(m[0].path, "/usr/bin/app");
	assert_int_equal(m[0].dev_major, 0xfd);
	assert_int_equal(m[0].dev_minor, 1);
	assert_int_equal(m[0].inode, 1234);
	assert_int_equal(m[1].off, 0x1000);
	assert_string_equal(m[2].path, ""); /* anonymous */
	assert_string_equal(m[3].path, "/tmp/my lib with spaces.so");
	assert_true(m[3].deleted);
	assert_int_equal(m[3].off, 0x28000);
	assert_false(m[1].deleted);
	assert_string_equal(m[4].path, "[vdso]");
	assert_int_equal(m[5].dev_major, 0x103);
	assert_int_equal(m[5].dev_minor, 0xa);
	assert_int_equal(m[5].inode, UINT64_MAX);
	assert_int_equal(m[5].off, 0x1000);
	/* "(deleted)" without the leading space is part of the name */
	assert_string_equal(m[6].path, "/proc/self/(deleted)");
	assert_false(m[6].deleted);
}

static void test_exec_only_and_find(void **state)
{
	(void)state;
	struct tt_map m[16];
	int n = tt_procmaps_parse(maps, sizeof(maps) - 1, m, 16, true);

	assert_int_equal(n, 5);
	assert_ptr_equal(tt_procmaps_find(m, n, 0x401000), &m[0]);
	assert_ptr_equal(tt_procmaps_find(m, n, 0x47ffff), &m[0]);
	assert_null(tt_procmaps_find(m, n, 0x480000)); /* end is exclusive */
	assert_null(tt_procmaps_find(m, n, 0x400500)); /* not executable */
	assert_ptr_equal(tt_procmaps_find(m, n, 0x7f1000000010), &m[1]);
	assert_null(tt_procmaps_find(m, n, 0));
}

static void test_bounds(void **state)
{
	(void)state;
	struct tt_map m[2];
	char longpath[1024];

	/* at most `max` entries */
	assert_int_equal(tt_procmaps_parse(maps, sizeof(maps) - 1, m, 2, false), 2);
	/* a path longer than the field is cut and flagged */
	int k = snprintf(longpath, sizeof(longpath), "1000-2000 r-xp 00000000 00:00 1 /");
	memset(longpath + k, 'a', 600);
	longpath[k + 600] = 0;
	assert_int_equal(tt_procmaps_parse(longpath, strlen(longpath), m, 2, false), 1);
	assert_true(m[0].path_truncated);
	assert_int_equal(strlen(m[0].path), TT_MAP_PATH_LEN - 1);
	/* an embedded NUL makes the line invalid, not a shorter path */
	const char nul[] = "1000-2000 r-xp 00000000 00:00 1 /a\0b\n";
	assert_int_equal(tt_procmaps_parse(nul, sizeof(nul) - 1, m, 2, false), 0);
	/* text cut in the middle of a line */
	assert_int_equal(tt_procmaps_parse(maps, 20, m, 2, false), 0);
	assert_int_equal(tt_procmaps_parse(NULL, 10, m, 2, false), 0);
	assert_int_equal(tt_procmaps_parse("", 0, m, 2, false), 0);
}

static void test_read_self(void **state)
{
	(void)state;
	static struct tt_map m[TT_MAPS_MAX];
	int n = tt_procmaps_read(getpid(), m, TT_MAPS_MAX, true);

	assert_true(n > 0);
	const struct tt_map *f = tt_procmaps_find(m, n, (uint64_t)(uintptr_t)&test_read_self);
	assert_non_null(f);
	assert_true(strstr(f->path, "test_procmaps") != NULL);
	assert_int_equal(tt_procmaps_read(0x7ffffff0, m, TT_MAPS_MAX, true), -ESRCH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_all),
	    cmocka_unit_test(test_exec_only_and_find),
	    cmocka_unit_test(test_bounds),
	    cmocka_unit_test(test_read_self),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
