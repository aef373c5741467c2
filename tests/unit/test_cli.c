/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Command-line parsing: defaults, every option, and strict rejection. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "opts.h"

#define MAXARGS 16

static struct tt_opts o;
static char err[256];

/* Parse a NULL-terminated list of arguments (argv[0] added). */
static int parse(const char *first, ...)
{
	char *argv[MAXARGS + 2];
	int argc = 0;
	va_list ap;
	const char *a;

	argv[argc++] = (char *)"ttytop";
	va_start(ap, first);
	for (a = first; a && argc < MAXARGS; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	memset(err, 0, sizeof(err));
	return tt_cli_parse(argc, argv, &o, err, sizeof(err));
}

static void expect_fail(const char *want, int rc)
{
	assert_int_equal(rc, -1);
	assert_null(strchr(err, '\n'));
	if (!strstr(err, want))
		fail_msg("error \"%s\" lacks \"%s\"", err, want);
	/* main() adds the "ttytop: " prefix to every module's message */
	assert_true(strncmp(err, "ttytop", 6) != 0);
}

static void test_defaults(void **state)
{
	(void)state;
	assert_int_equal(parse(NULL), 0);
	assert_int_equal(o.mode, TT_MODE_TUI);
	assert_true(o.interval_s == 1.0);
	assert_true(o.threshold_ms == 10.0);
	assert_true(o.duration_s == 0.0);
	assert_int_equal(o.pid, 0);
	assert_string_equal(o.comm, "");
	assert_string_equal(o.tty, "");
	assert_string_equal(o.snapshot_dir, ".");
	assert_string_equal(o.theme, "");
	assert_false(o.verbose);
	assert_false(o.no_stacks);
}

static void test_all_options(void **state)
{
	(void)state;
	assert_int_equal(parse("-v", "--json", "-d", "0.5", "--duration", "30", "-T", "2.5", "-p",
	                       "1234", "-c", "yes", "--tty", "/dev/pts/3", "--no-stacks", NULL),
	                 0);
	assert_int_equal(o.mode, TT_MODE_JSON);
	assert_true(o.verbose);
	assert_true(o.interval_s == 0.5);
	assert_true(o.duration_s == 30);
	assert_true(o.threshold_ms == 2.5);
	assert_int_equal(o.pid, 1234);
	assert_string_equal(o.comm, "yes");
	assert_string_equal(o.tty, "pts/3");
	assert_true(o.no_stacks);

	assert_int_equal(parse("--interval=2", "--threshold=0", "--pid=1", "--comm=bash",
	                       "--tty=serial", "--theme", "mono", "--snapshot-dir", "/var/tmp",
	                       "--verbose", NULL),
	                 0);
	assert_true(o.interval_s == 2);
	assert_true(o.threshold_ms == 0);
	assert_int_equal(o.pid, 1);
	assert_string_equal(o.comm, "bash");
	assert_string_equal(o.tty, "serial");
	assert_string_equal(o.theme, "mono");
	assert_string_equal(o.snapshot_dir, "/var/tmp");

	/* unique prefixes are accepted, as everywhere with getopt_long ("--thr": --threads too) */
	assert_int_equal(parse("--thres", "3", "--no-s", NULL), 0);
	assert_true(o.threshold_ms == 3);
	assert_true(o.no_stacks);

	assert_int_equal(parse("--replay", "snap.json", NULL), 0);
	assert_int_equal(o.mode, TT_MODE_REPLAY);
	assert_string_equal(o.replay_path, "snap.json");

	assert_int_equal(parse("--check", NULL), 0);
	assert_int_equal(o.mode, TT_MODE_CHECK);

	/* short options clustered and attached */
	assert_int_equal(parse("-vd3", "-T1e2", NULL), 0);
	assert_true(o.verbose);
	assert_true(o.interval_s == 3);
	assert_true(o.threshold_ms == 100);

	/* boundaries are inclusive */
	assert_int_equal(parse("-d", "0.1", "-T", "600000", NULL), 0);
	assert_int_equal(parse("-d", "3600", NULL), 0);
	assert_int_equal(parse("-c", "123456789012345", NULL), 0); /* 15 chars */
}

static void test_help_version(void **state)
{
	(void)state;
	assert_int_equal(parse("-h", NULL), 0);
	assert_int_equal(o.mode, TT_MODE_HELP);
	assert_int_equal(parse("--help", "--bogus", NULL), 0); /* help wins, stops early */
	assert_int_equal(o.mode, TT_MODE_HELP);
	assert_int_equal(parse("-V", NULL), 0);
	assert_int_equal(o.mode, TT_MODE_VERSION);
	assert_int_equal(parse("--version", NULL), 0);
	assert_int_equal(o.mode, TT_MODE_VERSION);
}

static void test_bad_numbers(void **state)
{
	(void)state;
	expect_fail("invalid interval '1x'", parse("-d", "1x", NULL));
	expect_fail("invalid interval ''", parse("--interval=", NULL));
	expect_fail("invalid interval", parse("-d", "0.05", NULL));
	expect_fail("invalid interval", parse("-d", "3601", NULL));
	expect_fail("invalid interval", parse("-d", "nan", NULL));
	expect_fail("invalid interval", parse("-d", "inf", NULL));
	expect_fail("invalid interval", parse("-d", "-1", NULL));
	expect_fail("invalid interval", parse("-d", "0x10", NULL));
	expect_fail("invalid interval", parse("-d", " 1", NULL));
	expect_fail("invalid interval", parse("-d", "1e", NULL));
	expect_fail("invalid interval", parse("-d", ".", NULL));
	expect_fail("invalid threshold", parse("-T", "-5", NULL));
	expect_fail("invalid threshold", parse("-T", "600001", NULL));
	expect_fail("invalid threshold", parse("-T", "1e400", NULL));
	expect_fail("invalid duration", parse("--duration", "-1", NULL));
	expect_fail("invalid duration", parse("--duration", "forever", NULL));
	expect_fail("invalid pid", parse("-p", "0", NULL));
	expect_fail("invalid pid", parse("-p", "-3", NULL));
	expect_fail("invalid pid", parse("-p", "12.5", NULL));
	expect_fail("invalid pid", parse("-p", "1e3", NULL));
	expect_fail("invalid pid", parse("-p", "99999999999", NULL));
	expect_fail("invalid pid", parse("-p", "abc", NULL));
}

static void test_bad_strings(void **state)
{
	(void)state;
	expect_fail("--comm is too long", parse("-c", "1234567890123456", NULL));
	expect_fail("--comm must not be empty", parse("-c", "", NULL));
	expect_fail("control characters", parse("-c", "a\x1b[2J", NULL));
	expect_fail("--tty is too long", parse("--tty", "pts/12345678901234567890123456789", NULL));
	expect_fail("--tty must not be empty", parse("--tty", "/dev/", NULL));
	expect_fail("--replay FILE must not be empty", parse("--replay", "", NULL));
	expect_fail("--snapshot-dir must not be empty", parse("--snapshot-dir", "", NULL));

	char *longp = malloc(PATH_MAX + 10);
	assert_non_null(longp);
	memset(longp, 'a', PATH_MAX + 9);
	longp[PATH_MAX + 9] = '\0';
	expect_fail("--theme is too long", parse("--theme", longp, NULL));
	free(longp);
}

static void test_unknown_and_extra(void **state)
{
	(void)state;
	expect_fail("unknown option '--foo' (see --help)", parse("--foo", NULL));
	expect_fail("unknown option '--foo'", parse("--foo=1", NULL));
	expect_fail("unknown option '-x'", parse("-x", NULL));
	expect_fail("unknown option '-x'", parse("-vx", NULL));
	expect_fail("option '--help' does not take an argument", parse("--help=1", NULL));
	expect_fail("option '--json' does not take an argument", parse("--js=1", NULL));
	expect_fail("ambiguous option '--t'", parse("--t", "1", NULL));
	expect_fail("unexpected argument 'extra'", parse("extra", NULL));
	expect_fail("unexpected argument 'extra'", parse("-v", "extra", "-d", "1", NULL));
	expect_fail("option '--interval' requires an argument", parse("--interval", NULL));
	expect_fail("option '-d' requires an argument", parse("-d", NULL));
	expect_fail("option '--replay' requires an argument", parse("--replay", NULL));
	expect_fail("cannot be combined", parse("--json", "--check", NULL));
	expect_fail("cannot be combined", parse("--replay", "x", "--json", NULL));
	/* "--" ends options; anything after is still an extra argument */
	expect_fail("unexpected argument", parse("--", "x", NULL));
	assert_int_equal(parse("--", NULL), 0);
}

static void test_threads(void **state)
{
	(void)state;
	assert_int_equal(o.threads_pid, 0);
	assert_int_equal(parse("--json", "--threads", "1234", "--duration", "2", "-d", "0.5", NULL),
	                 0);
	assert_int_equal(o.mode, TT_MODE_JSON);
	assert_int_equal(o.threads_pid, 1234);
	assert_true(o.duration_s == 2 && o.interval_s == 0.5);
	/* order does not matter; the limit is PID_MAX_LIMIT */
	assert_int_equal(parse("--threads=4194304", "--json", NULL), 0);
	assert_int_equal(o.threads_pid, 4194304);
	assert_int_equal(parse("--json", NULL), 0);
	assert_int_equal(o.threads_pid, 0);
	expect_fail("invalid --threads pid '0'", parse("--json", "--threads", "0", NULL));
	expect_fail("invalid --threads pid", parse("--json", "--threads", "-1", NULL));
	expect_fail("invalid --threads pid", parse("--json", "--threads", "12.5", NULL));
	expect_fail("invalid --threads pid", parse("--json", "--threads", "4194305", NULL));
	expect_fail("invalid --threads pid", parse("--json", "--threads", "1e3", NULL));
	expect_fail("invalid --threads pid", parse("--json", "--threads", "abc", NULL));
	expect_fail("option '--threads' requires an argument", parse("--json", "--threads", NULL));
	expect_fail("--threads needs --json", parse("--threads", "5", NULL));
	expect_fail("--threads cannot be combined with --replay",
	            parse("--replay", "x", "--threads", "5", NULL));
	expect_fail("--threads cannot be combined with --check",
	            parse("--threads", "5", "--check", NULL));
	expect_fail("--pid, --comm and --tty do not apply",
	            parse("--json", "--threads", "5", "-p", "6", NULL));
	expect_fail("do not apply", parse("--json", "--threads", "5", "--tty", "pts/1", NULL));
	expect_fail("do not apply", parse("--json", "--threads", "5", "-c", "bash", NULL));
	expect_fail("ambiguous option '--thr'", parse("--thr", "5", NULL));
}

static void test_repeatable(void **state)
{
	(void)state;
	/* getopt state must not leak between calls */
	for (int i = 0; i < 3; i++) {
		expect_fail("unknown option", parse("-v", "--nope", NULL));
		assert_int_equal(parse("-v", "-d", "2", NULL), 0);
		assert_true(o.interval_s == 2);
	}
	/* a previous call's values do not survive */
	assert_int_equal(parse(NULL), 0);
	assert_false(o.verbose);
	assert_true(o.interval_s == 1);
}

static void test_usage(void **state)
{
	static const char *const opts[] = {
	    "--help",   "--version",  "--verbose",   "--json",      "--check",
	    "--replay", "--interval", "--duration",  "--threshold", "--pid",
	    "--comm",   "--tty",      "--no-stacks", "--theme",     "--snapshot-dir",
	    "-h",       "-V",         "-v",          "-d",          "-T",
	    "-p",       "-c",         "--threads",
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	tt_cli_usage(f);
	fclose(f);
	assert_true(len > 500);
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (!strstr(buf, opts[i]))
			fail_msg("usage lacks %s", opts[i]);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),     cmocka_unit_test(test_all_options),
	    cmocka_unit_test(test_help_version), cmocka_unit_test(test_bad_numbers),
	    cmocka_unit_test(test_bad_strings),  cmocka_unit_test(test_unknown_and_extra),
	    cmocka_unit_test(test_repeatable),   cmocka_unit_test(test_usage),
	    cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
