/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Dashboard cell formatting, column fitting and pane layout (pure code). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../tui/format.h"
#include "../../tui/layout.h"

static char b[64];

static void test_ns(void **state)
{
	(void)state;
	assert_string_equal(tt_fmt_ns(0, b, sizeof(b)), "0ns");
	assert_string_equal(tt_fmt_ns(812, b, sizeof(b)), "812ns");
	assert_string_equal(tt_fmt_ns(999, b, sizeof(b)), "999ns");
	assert_string_equal(tt_fmt_ns(1000, b, sizeof(b)), "1.00us");
	assert_string_equal(tt_fmt_ns(12345, b, sizeof(b)), "12.3us");
	assert_string_equal(tt_fmt_ns(999499, b, sizeof(b)), "999us");
	/* rounding up across a unit boundary moves to the next unit */
	assert_string_equal(tt_fmt_ns(999600, b, sizeof(b)), "1.00ms");
	assert_string_equal(tt_fmt_ns(4560000, b, sizeof(b)), "4.56ms");
	assert_string_equal(tt_fmt_ns(212000000, b, sizeof(b)), "212ms");
	assert_string_equal(tt_fmt_ns(1230000000ull, b, sizeof(b)), "1.23s");
	assert_string_equal(tt_fmt_ns(95000000000ull, b, sizeof(b)), "95.0s");
	assert_string_equal(tt_fmt_ns(750000000000ull, b, sizeof(b)), "12.5m");
	assert_string_equal(tt_fmt_ns(UINT64_MAX, b, sizeof(b)), "5124096h");
	/* a tiny buffer is truncated, never overrun */
	memset(b, 'X', sizeof(b));
	tt_fmt_ns(4560000, b, 3);
	assert_string_equal(b, "4.");
	assert_int_equal(b[3], 'X');
}

static void test_bytes_count(void **state)
{
	(void)state;
	assert_string_equal(tt_fmt_bytes(0, b, sizeof(b)), "0B");
	assert_string_equal(tt_fmt_bytes(512, b, sizeof(b)), "512B");
	assert_string_equal(tt_fmt_bytes(1024, b, sizeof(b)), "1.0K");
	assert_string_equal(tt_fmt_bytes(48000, b, sizeof(b)), "47K");
	assert_string_equal(tt_fmt_bytes(3.5 * 1024 * 1024, b, sizeof(b)), "3.5M");
	assert_string_equal(tt_fmt_bytes(-5, b, sizeof(b)), "0B");
	assert_string_equal(tt_fmt_count(0, b, sizeof(b)), "0");
	assert_string_equal(tt_fmt_count(0.5, b, sizeof(b)), "0.5");
	assert_string_equal(tt_fmt_count(120, b, sizeof(b)), "120");
	assert_string_equal(tt_fmt_count(1234, b, sizeof(b)), "1.2k");
	assert_string_equal(tt_fmt_count(34500000, b, sizeof(b)), "34M");
	assert_string_equal(tt_fmt_count(0.0 / 0.0, b, sizeof(b)), "0");
}

static void test_duration_interval(void **state)
{
	(void)state;
	assert_string_equal(tt_fmt_duration(45, b, sizeof(b)), "45s");
	assert_string_equal(tt_fmt_duration(725, b, sizeof(b)), "12m05s");
	assert_string_equal(tt_fmt_duration(3 * 3600 + 4 * 60, b, sizeof(b)), "3h04m");
	assert_string_equal(tt_fmt_duration(2 * 86400 + 3 * 3600, b, sizeof(b)), "2d03h");
	assert_string_equal(tt_fmt_interval(0.1, b, sizeof(b)), "0.1s");
	assert_string_equal(tt_fmt_interval(2, b, sizeof(b)), "2s");
	assert_string_equal(tt_fmt_interval(600, b, sizeof(b)), "10m");
	assert_string_equal(tt_fmt_interval(3600, b, sizeof(b)), "1h");
}

static void test_interval_step(void **state)
{
	(void)state;
	assert_true(tt_fmt_interval_step(1, 1) == 2);
	assert_true(tt_fmt_interval_step(1, -1) == 0.5);
	assert_true(tt_fmt_interval_step(0.1, -1) == TT_INTERVAL_MIN);
	assert_true(tt_fmt_interval_step(3600, 1) == TT_INTERVAL_MAX);
	/* an odd value from the command line snaps to the next step */
	assert_true(tt_fmt_interval_step(1.7, 1) == 2);
	assert_true(tt_fmt_interval_step(1.7, -1) == 1);
}

static void test_sanitize_contains(void **state)
{
	const char evil[] = "ab\x1b[2Jc\xff\x07";

	(void)state;
	assert_string_equal(tt_fmt_sanitize(evil, sizeof(evil), b, sizeof(b)), "ab?[2Jc??");
	/* not NUL-terminated within srclen: stops at srclen */
	assert_string_equal(tt_fmt_sanitize("abcdef", 3, b, sizeof(b)), "abc");
	assert_string_equal(tt_fmt_sanitize("abcdef", 6, b, 4), "abc");
	assert_true(tt_fmt_contains("pts/3", "PTS"));
	assert_true(tt_fmt_contains("anything", ""));
	assert_false(tt_fmt_contains("marquee", "bash"));
	assert_false(tt_fmt_contains(NULL, "x"));
}

static void test_fit_columns(void **state)
{
	const int w[4] = {10, 20, 8, 8};
	const int prio[4] = {0, 3, 0, 1};
	bool shown[4];

	(void)state;
	/* everything fits: 10+20+8+8 + 3 spaces */
	assert_int_equal(tt_fmt_fit_columns(w, prio, 4, 49, shown), 49);
	assert_true(shown[0] && shown[1] && shown[2] && shown[3]);
	/* one short: the least important (prio 3) goes first */
	assert_int_equal(tt_fmt_fit_columns(w, prio, 4, 48, shown), 28);
	assert_true(shown[0] && !shown[1] && shown[2] && shown[3]);
	/* then prio 1 */
	assert_int_equal(tt_fmt_fit_columns(w, prio, 4, 20, shown), 19);
	assert_true(shown[0] && !shown[1] && shown[2] && !shown[3]);
	/* never drops below one column */
	tt_fmt_fit_columns(w, prio, 4, 1, shown);
	assert_int_equal(shown[0] + shown[1] + shown[2] + shown[3], 1);
	{
		/* a narrow column dropped before a wide one comes back if it then fits */
		const int w2[3] = {10, 30, 5}, prio2[3] = {0, 1, 2};
		bool sh2[3];

		assert_int_equal(tt_fmt_fit_columns(w2, prio2, 3, 20, sh2), 16);
		assert_true(sh2[0] && !sh2[1] && sh2[2]);
	}
}

/* Header clicks: the column under x, with the gaps and dropped columns as laid out above. */
static void test_column_at(void **state)
{
	const int w[4] = {10, 20, 8, 8};
	const bool shown[4] = {true, false, true, true};

	(void)state;
	assert_int_equal(tt_fmt_column_at(w, shown, 4, 0), 0);
	assert_int_equal(tt_fmt_column_at(w, shown, 4, 9), 0);
	assert_int_equal(tt_fmt_column_at(w, shown, 4, 10), -1); /* the gap */
	/* column 1 is not shown: column 2 follows column 0 */
	assert_int_equal(tt_fmt_column_at(w, shown, 4, 11), 2);
	assert_int_equal(tt_fmt_column_at(w, shown, 4, 18), 2);
	assert_int_equal(tt_fmt_column_at(w, shown, 4, 19), -1);
	assert_int_equal(tt_fmt_column_at(w, shown, 4, 20), 3);
	assert_int_equal(tt_fmt_column_at(w, shown, 4, 27), 3);
	assert_int_equal(tt_fmt_column_at(w, shown, 4, 28), -1); /* past the last */
	assert_int_equal(tt_fmt_column_at(w, shown, 4, -1), -1);
}

static void test_comm_pid_fit(void **state)
{
	char b[64];

	(void)state;
	assert_string_equal(tt_fmt_comm_pid("tmux: server", 16, 3001, 18, b, sizeof(b)),
	                    "tmux: server/3001");
	/* a long comm is shortened, the pid never */
	assert_string_equal(tt_fmt_comm_pid("systemd-journald", 16, 4194304, 18, b, sizeof(b)),
	                    "systemd-jo/4194304");
	assert_string_equal(tt_fmt_comm_pid("x\033[2J", 16, 7, 18, b, sizeof(b)), "x?[2J/7");
	assert_string_equal(tt_fmt_comm_pid("bash", 16, 4194304, 6, b, sizeof(b)), "4194304");
	/* pid/tid goid: the tid goes before the goid, the goid before the pid */
	assert_string_equal(tt_fmt_pid_tid(4242, 4250, 18, 17, b, sizeof(b)), "4242/4250 g18");
	assert_string_equal(tt_fmt_pid_tid(4194303, 4194304, 123456, 17, b, sizeof(b)),
	                    "4194303 g123456");
	assert_string_equal(tt_fmt_pid_tid(4194303, 4194304, -1, 17, b, sizeof(b)),
	                    "4194303/4194304");
	assert_string_equal(tt_fmt_pid_tid(4194303, 4194304, -1, 12, b, sizeof(b)), "4194303");
}

static void rect_inside(const struct tt_layout *l, int i)
{
	const struct tt_rect *r = &l->r[i];

	assert_true(r->h >= 2 && r->w >= 20);
	assert_true(r->y >= 0 && r->x >= 0);
	assert_true(r->y + r->h <= l->rows && r->x + r->w <= l->cols);
}

static void check_layout(int rows, int cols)
{
	struct tt_layout l;
	long area = 0;
	int i, j;

	tt_layout_compute(rows, cols, &l);
	assert_false(l.too_small);
	for (i = 0; i < TT_PANE_NR; i++) {
		rect_inside(&l, i);
		area += (long)l.r[i].h * l.r[i].w;
		for (j = 0; j < i; j++) { /* no overlap */
			const struct tt_rect *a = &l.r[i], *c = &l.r[j];

			assert_true(a->x + a->w <= c->x || c->x + c->w <= a->x ||
			            a->y + a->h <= c->y || c->y + c->h <= a->y);
		}
	}
	/* and no holes: the panes tile the screen */
	assert_int_equal(area, (long)rows * cols);
	/* tables have room for a heading and at least 3 rows */
	assert_true(l.r[TT_PANE_TERMINALS].h >= 6);
	assert_true(l.r[TT_PANE_LOG].h >= 6);
	assert_int_equal(tt_layout_hit(&l, 0, 0), TT_PANE_HEADER);
	assert_int_equal(tt_layout_hit(&l, rows - 1, cols - 1), TT_PANE_KEYBAR);
	assert_int_equal(tt_layout_hit(&l, l.r[TT_PANE_STACK].y + 1, l.r[TT_PANE_STACK].x + 1),
	                 TT_PANE_STACK);
	assert_int_equal(tt_layout_hit(&l, rows, 0), -1);
}

static void test_layout(void **state)
{
	struct tt_layout l;

	(void)state;
	check_layout(24, 80);
	check_layout(40, 120);
	check_layout(60, 200);
	check_layout(500, 1000);
	tt_layout_compute(23, 80, &l);
	assert_true(l.too_small);
	assert_int_equal(tt_layout_hit(&l, 0, 0), -1);
	tt_layout_compute(24, 79, &l);
	assert_true(l.too_small);
	tt_layout_compute(60, 200, &l);
	assert_true(l.wide);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ns),
	    cmocka_unit_test(test_bytes_count),
	    cmocka_unit_test(test_duration_interval),
	    cmocka_unit_test(test_interval_step),
	    cmocka_unit_test(test_sanitize_contains),
	    cmocka_unit_test(test_fit_columns),
	    cmocka_unit_test(test_column_at),
	    cmocka_unit_test(test_comm_pid_fit),
	    cmocka_unit_test(test_layout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
