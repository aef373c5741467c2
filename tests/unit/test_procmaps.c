// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* /proc/PID/maps parsing on synthetic text, including hostile lines. */
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

/*
 * More maps text than we read (a process with tens of thousands of
 * mappings): the line cut at the read cap must not be taken whole, or its
 * cut path ("/usr/lib/libfo") names a different file.
 */
static void test_cut_at_read_cap(void **state)
{
	(void)state;
	char path[] = "/tmp/ttytop-maps-XXXXXX";
	int fd = mkstemp(path);
	FILE *f;
	size_t len = 0;
	uint64_t a = 0x10000;
	const size_t cap = 8u << 20; /* MAPS_READ_MAX */
	static struct tt_map m[8];

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	/* non-executable lines up to just before the cap, then an executable one across it */
	while (len + 200 < cap) {
		len += (size_t)fprintf(f, "%llx-%llx r--p 00000000 08:01 7 /usr/lib/data.bin\n",
		                       (unsigned long long)a, (unsigned long long)(a + 0x1000));
		a += 0x1000;
	}
	int pad =
	    (int)(cap - len) - (int)strlen("000000-000000 r-xp 00000000 08:01 9 /usr/lib/libfo");
	assert_true(pad > 0);
	len += (size_t)fprintf(f, "%llx-%llx r-xp 00000000 08:01 9 %*s/usr/lib/libfoo.so.1\n",
	                       (unsigned long long)a, (unsigned long long)(a + 0x1000), pad, "");
	assert_true(len > cap);
	fclose(f);
	fd = open(path, O_RDONLY);
	unlink(path);
	assert_true(fd >= 0);
	int n = tt_procmaps_read_fd(fd, m, 8, true);
	close(fd);
	for (int i = 0; i < n; i++)
		assert_string_not_equal(m[i].path, "/usr/lib/libfo");
	assert_int_equal(n, 0);
}

/* strchr() matches the terminating NUL: a NUL in the perms is not a perm. */
static void test_nul_in_perms(void **state)
{
	(void)state;
	struct tt_map m[2];
	const char t[] = "1000-2000 r\0xp 00000000 00:00 1 /a\n";

	assert_int_equal(tt_procmaps_parse(t, sizeof(t) - 1, m, 2, false), 0);
}

/*
 * tt_procmaps_find() binary-searches: a line that is out of order or
 * overlaps the previous one (never from the kernel) is dropped so the
 * search stays exact.
 */
static void test_order_enforced(void **state)
{
	(void)state;
	struct tt_map m[8];
	const char t[] = "5000-6000 r-xp 00000000 00:00 1 /c\n"
	                 "1000-2000 r-xp 00000000 00:00 1 /a\n"
	                 "5800-7000 r-xp 00000000 00:00 1 /overlap\n"
	                 "7000-8000 r-xp 00000000 00:00 1 /d\n";
	int n = tt_procmaps_parse(t, sizeof(t) - 1, m, 8, false);

	assert_int_equal(n, 2);
	assert_string_equal(m[0].path, "/c");
	assert_string_equal(m[1].path, "/d");
	assert_null(tt_procmaps_find(m, n, 0x1800));
	assert_ptr_equal(tt_procmaps_find(m, n, 0x5900), &m[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_all),    cmocka_unit_test(test_exec_only_and_find),
	    cmocka_unit_test(test_bounds),       cmocka_unit_test(test_cut_at_read_cap),
	    cmocka_unit_test(test_nul_in_perms), cmocka_unit_test(test_order_enforced),
	    cmocka_unit_test(test_read_self),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
