/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Enum names (part of the JSON contract) and tty display names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "model.h"

static void test_class_names(void **state)
{
	(void)state;
	assert_string_equal(tt_class_name(TT_CLASS_PTY), "pty");
	assert_string_equal(tt_class_name(TT_CLASS_PTY_MASTER), "pty-master");
	assert_string_equal(tt_class_name(TT_CLASS_CONSOLE), "console");
	assert_string_equal(tt_class_name(TT_CLASS_SERIAL), "serial");
	assert_string_equal(tt_class_name(TT_CLASS_OTHER), "other");
	assert_string_equal(tt_class_name((enum tt_class)99), "other");
	for (int i = 0; i < TT_CLASS_NR; i++)
		assert_int_equal(tt_class_from_name(tt_class_name(i)), i);
	assert_int_equal(tt_class_from_name("PTY"), -1);
	assert_int_equal(tt_class_from_name(""), -1);
	assert_int_equal(tt_class_from_name(NULL), -1);
}

static void test_reason_names(void **state)
{
	(void)state;
	assert_string_equal(tt_reason_name(TT_REASON_NONE), "none");
	assert_string_equal(tt_reason_name(TT_REASON_BUFFER_FULL), "buffer-full");
	assert_string_equal(tt_reason_name(TT_REASON_WRITE_LOCK), "write-lock");
	assert_string_equal(tt_reason_name(TT_REASON_FLOW_STOPPED), "flow-stopped");
	assert_string_equal(tt_reason_name(TT_REASON_OTHER), "other");
	assert_string_equal(tt_reason_name((enum tt_reason)200), "other");
	for (int i = 0; i < TT_REASON_NR; i++)
		assert_int_equal(tt_reason_from_name(tt_reason_name(i)), i);
	assert_int_equal(tt_reason_from_name("buffer_full"), -1);
}

static void test_other_names(void **state)
{
	static const char *const sys[] = {"write", "writev", "pwrite64", "pwritev", "pwritev2"};
	static const char *const drops[] = {"ringbuf_full", "ratelimit",      "inflight_full",
	                                    "kstack_full",  "tty_table_full", "writers_full"};
	static const char *const errs[] = {"EAGAIN", "EIO",   "EINTR", "ERESTARTSYS",
	                                   "ENOSPC", "EPIPE", "other"};

	(void)state;
	for (int i = 0; i < TT_SYS_NR; i++)
		assert_string_equal(tt_syscall_name(i), sys[i]);
	for (int i = 0; i < TT_DROP_NR; i++)
		assert_string_equal(tt_drop_name(i), drops[i]);
	for (int i = 0; i < TT_ERR_NR; i++)
		assert_string_equal(tt_errslot_name(i), errs[i]);
	/* out of range never crashes, never NULL */
	assert_non_null(tt_syscall_name((enum tt_syscall)77));
	assert_non_null(tt_drop_name((enum tt_drop)77));
	assert_string_equal(tt_errslot_name((enum tt_errslot)77), "other");
}

static void check_disp(const char *k, enum tt_class c, const char *want)
{
	char out[TT_TTY_NAME_LEN];

	memset(out, 'X', sizeof(out));
	tt_tty_display_name(k, c, out, sizeof(out));
	assert_string_equal(out, want);
}

static void test_display_names(void **state)
{
	(void)state;
	check_disp("pts3", TT_CLASS_PTY, "pts/3");
	check_disp("pts0", TT_CLASS_PTY, "pts/0");
	check_disp("pts12345", TT_CLASS_PTY, "pts/12345");
	check_disp("ptm3", TT_CLASS_PTY_MASTER, "ptm/3");
	check_disp("pts7", TT_CLASS_PTY_MASTER, "ptm/7"); /* master is always ptm */
	check_disp("ttyp0", TT_CLASS_PTY, "ttyp0");       /* legacy BSD pty */
	check_disp("ptyp0", TT_CLASS_PTY_MASTER, "ptyp0");
	check_disp("tty1", TT_CLASS_CONSOLE, "tty1");
	check_disp("ttyS0", TT_CLASS_SERIAL, "ttyS0");
	check_disp("ttyUSB0", TT_CLASS_SERIAL, "ttyUSB0");
	check_disp("ttyAMA0", TT_CLASS_SERIAL, "ttyAMA0");
	check_disp("console", TT_CLASS_CONSOLE, "console");
	/* class decides, not the name */
	check_disp("pts3", TT_CLASS_OTHER, "pts3");
	/* not a plain number after the prefix */
	check_disp("pts", TT_CLASS_PTY, "pts");
	check_disp("pts3a", TT_CLASS_PTY, "pts3a");
	check_disp("pts/3", TT_CLASS_PTY, "pts/3"); /* already a display name */
	check_disp("", TT_CLASS_PTY, "");
}

static void test_display_truncation(void **state)
{
	char small[4], one[1], big[TT_TTY_NAME_LEN];
	char longname[100];

	(void)state;
	memset(small, 'X', sizeof(small));
	tt_tty_display_name("pts123", TT_CLASS_PTY, small, sizeof(small));
	assert_int_equal(small[3], '\0');
	assert_string_equal(small, "pts");

	one[0] = 'X';
	tt_tty_display_name("tty1", TT_CLASS_CONSOLE, one, sizeof(one));
	assert_int_equal(one[0], '\0');

	/* zero-length output must not be written at all */
	tt_tty_display_name("tty1", TT_CLASS_CONSOLE, NULL, 0);

	/* a kernel name that fills its buffer without a NUL is read only up to the limit */
	memset(longname, 'a', sizeof(longname));
	longname[sizeof(longname) - 1] = '\0';
	tt_tty_display_name(longname, TT_CLASS_SERIAL, big, sizeof(big));
	assert_int_equal(strlen(big), TT_TTY_NAME_LEN - 1);

	tt_tty_display_name(NULL, TT_CLASS_PTY, big, sizeof(big));
	assert_string_equal(big, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_class_names),        cmocka_unit_test(test_reason_names),
	    cmocka_unit_test(test_other_names),        cmocka_unit_test(test_display_names),
	    cmocka_unit_test(test_display_truncation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
