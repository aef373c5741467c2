/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Command line -> struct tt_opts. Strict: a typo in a number or an unknown
 * option is an error with a one-line message, never a silently different run.
 * Re-entrant enough for tests: getopt's global state is reset on every call.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"

#ifndef TTYTOP_VERSION
#define TTYTOP_VERSION "unknown"
#endif

#define PID_LIMIT 4194304 /* PID_MAX_LIMIT on 64-bit Linux */

enum {
	OPT_JSON = 256,
	OPT_CHECK,
	OPT_REPLAY,
	OPT_DURATION,
	OPT_TTY,
	OPT_NO_STACKS,
	OPT_MAX_TERMINALS,
	OPT_THEME,
	OPT_SNAPSHOT_DIR,
	OPT_LATE,
	OPT_THREADS,
};

static const struct option long_opts[] = {
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {"verbose", no_argument, NULL, 'v'},
    {"json", no_argument, NULL, OPT_JSON},
    {"check", no_argument, NULL, OPT_CHECK},
    {"replay", required_argument, NULL, OPT_REPLAY},
    {"interval", required_argument, NULL, 'd'},
    {"duration", required_argument, NULL, OPT_DURATION},
    {"threshold", required_argument, NULL, 'T'},
    {"pid", required_argument, NULL, 'p'},
    {"comm", required_argument, NULL, 'c'},
    {"tty", required_argument, NULL, OPT_TTY},
    {"no-stacks", no_argument, NULL, OPT_NO_STACKS},
    {"max-terminals", required_argument, NULL, OPT_MAX_TERMINALS},
    {"theme", required_argument, NULL, OPT_THEME},
    {"snapshot-dir", required_argument, NULL, OPT_SNAPSHOT_DIR},
    {"late", required_argument, NULL, OPT_LATE},
    {"threads", required_argument, NULL, OPT_THREADS},
    {NULL, 0, NULL, 0},
};

/* '+': stop at the first non-option instead of permuting the caller's argv. */
static const char short_opts[] = "+:hVvd:T:p:c:";

static int errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* No "ttytop: " prefix: the caller prints messages from every module with it. */
static int errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Plain decimal only: no hex, no inf/nan, no sign, no spaces. */
static int parse_decimal(const char *s, double *out)
{
	const char *p = s;
	char *end;
	bool digits = false;
	double v;

	while (isdigit((unsigned char)*p))
		p++, digits = true;
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p))
			p++, digits = true;
	}
	if (!digits)
		return -1;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

static int opt_double(const char *name, const char *arg, double min, double max, double *out,
                      char *err, size_t errlen)
{
	double v;

	if (parse_decimal(arg, &v) < 0 || v < min || v > max)
		return errf(err, errlen, "invalid %s '%s': expected a number from %g to %g", name,
		            arg, min, max);
	*out = v;
	return 0;
}

static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

static int opt_string(const char *name, const char *arg, char *dst, size_t cap, char *err,
                      size_t errlen)
{
	size_t n = strlen(arg);

	if (n == 0)
		return errf(err, errlen, "%s must not be empty", name);
	if (n >= cap)
		return errf(err, errlen, "%s is too long (at most %zu characters)", name, cap - 1);
	/* every string option may be echoed on a terminal: in a message, a title, a status line */
	if (!printable(arg))
		return errf(err, errlen, "%s: control characters not allowed", name);
	memcpy(dst, arg, n + 1);
	return 0;
}

static int set_mode(struct tt_opts *o, enum tt_mode m, const char *name, char *err, size_t errlen)
{
	static const char *const names[] = {
	    [TT_MODE_JSON] = "--json", [TT_MODE_CHECK] = "--check", [TT_MODE_REPLAY] = "--replay"};

	if (o->mode != TT_MODE_TUI && o->mode != m)
		return errf(err, errlen, "%s cannot be combined with %s", name, names[o->mode]);
	o->mode = m;
	return 0;
}

/* The option as the user typed it, for messages ("--foo", "-x"). */
static void opt_shown(int argc, char **argv, int idx, int opt, char *buf, size_t len)
{
	const char *a = idx > 0 && idx <= argc ? argv[idx - 1] : NULL;

	if (a && a[0] == '-' && a[1] == '-') {
		size_t n = strcspn(a, "=");

		snprintf(buf, len, "%.*s", (int)(n < 64 ? n : 64), a);
	} else if (opt > 0 && opt < 256 && isprint(opt)) {
		snprintf(buf, len, "-%c", opt);
	} else if (a) {
		snprintf(buf, len, "%.64s", a);
	} else {
		snprintf(buf, len, "?");
	}
}

/* getopt said '?': work out which of its several reasons it was. */
static int bad_option(int argc, char **argv, char *err, size_t errlen)
{
	const char *a = optind > 0 && optind <= argc ? argv[optind - 1] : NULL;
	char shown[80];
	size_t n;
	int matches = 0, hit = -1;

	/* For long options optopt is the option's value or 0; short ones are in optopt. */
	if (!a || a[0] != '-' || a[1] != '-') {
		if (optopt > 0 && optopt < 256 && isprint(optopt))
			snprintf(shown, sizeof(shown), "-%c", optopt);
		else
			opt_shown(argc, argv, optind, 0, shown, sizeof(shown));
		return errf(err, errlen, "unknown option '%s' (see --help)", shown);
	}
	opt_shown(argc, argv, optind, 0, shown, sizeof(shown));
	n = strcspn(a + 2, "=");
	for (int i = 0; long_opts[i].name; i++) {
		if (strncmp(long_opts[i].name, a + 2, n) != 0)
			continue;
		if (strlen(long_opts[i].name) == n) { /* exact match wins over prefixes */
			matches = 1, hit = i;
			break;
		}
		matches++, hit = i;
	}
	if (matches > 1)
		return errf(err, errlen, "ambiguous option '%s' (see --help)", shown);
	if (matches == 1 && a[2 + n] == '=' && long_opts[hit].has_arg == no_argument)
		return errf(err, errlen, "option '--%s' does not take an argument",
		            long_opts[hit].name);
	return errf(err, errlen, "unknown option '%s' (see --help)", shown);
}

static void set_defaults(struct tt_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->mode = TT_MODE_TUI;
	o->interval_s = 1.0;
	o->threshold_ms = 10.0;
	snprintf(o->snapshot_dir, sizeof(o->snapshot_dir), ".");
}

/* An integer option parsed as a decimal: "1e3" and "1.0" are not integers. */
static int opt_int(const char *arg, int max, int *out)
{
	double v;

	if (parse_decimal(arg, &v) < 0 || strpbrk(arg, ".eE") || v < 1 || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

static int number_option(int c, struct tt_opts *o, char *err, size_t errlen)
{
	switch (c) {
	case 'd':
		return opt_double("interval", optarg, 0.1, 3600, &o->interval_s, err, errlen);
	case OPT_DURATION:
		/* Bounded so that seconds -> ns conversions cannot overflow. */
		return opt_double("duration", optarg, 0, 1e9, &o->duration_s, err, errlen);
	case 'T':
		return opt_double("threshold", optarg, 0, 600000, &o->threshold_ms, err, errlen);
	case OPT_LATE:
		if (opt_int(optarg, 1000, &o->late_pct) < 0)
			return errf(err, errlen,
			            "invalid --late '%s': expected a percentage from 1 to 1000",
			            optarg);
		return 0;
	case OPT_THREADS:
		if (opt_int(optarg, PID_LIMIT, &o->threads_pid) < 0)
			return errf(err, errlen,
			            "invalid --threads pid '%s': expected an integer from 1 to %d",
			            optarg, PID_LIMIT);
		return 0;
	case 'p':
		if (opt_int(optarg, PID_LIMIT, &o->pid) < 0)
			return errf(err, errlen,
			            "invalid pid '%s': expected an integer from 1 to %d", optarg,
			            PID_LIMIT);
		return 0;
	default: /* OPT_MAX_TERMINALS */
		if (opt_int(optarg, TT_MODEL_MAX_TERMINALS, &o->max_terminals) < 0)
			return errf(err, errlen,
			            "invalid --max-terminals '%s': expected an integer from 1 "
			            "to %d",
			            optarg, TT_MODEL_MAX_TERMINALS);
		return 0;
	}
}

static int string_option(int c, struct tt_opts *o, char *err, size_t errlen)
{
	const char *t;

	switch (c) {
	case 'c':
		return opt_string("--comm", optarg, o->comm, sizeof(o->comm), err, errlen);
	case OPT_TTY:
		/* "/dev/pts/3" is how users know it; the model says "pts/3". */
		t = strncmp(optarg, "/dev/", 5) == 0 ? optarg + 5 : optarg;
		return opt_string("--tty", t, o->tty, sizeof(o->tty), err, errlen);
	case OPT_THEME:
		return opt_string("--theme", optarg, o->theme, sizeof(o->theme), err, errlen);
	default: /* OPT_SNAPSHOT_DIR */
		return opt_string("--snapshot-dir", optarg, o->snapshot_dir,
		                  sizeof(o->snapshot_dir), err, errlen);
	}
}

/* One option from getopt: -1 on error, 1 when parsing stops (--help), else 0. */
static int apply_option(int c, int argc, char **argv, struct tt_opts *o, char *err, size_t errlen)
{
	char shown[80];

	switch (c) {
	case 'h':
		o->mode = TT_MODE_HELP;
		return 1;
	case 'V':
		o->mode = TT_MODE_VERSION;
		return 1;
	case 'v':
		o->verbose = true;
		return 0;
	case OPT_JSON:
		return set_mode(o, TT_MODE_JSON, "--json", err, errlen);
	case OPT_CHECK:
		return set_mode(o, TT_MODE_CHECK, "--check", err, errlen);
	case OPT_REPLAY:
		if (set_mode(o, TT_MODE_REPLAY, "--replay", err, errlen) < 0)
			return -1;
		return opt_string("--replay FILE", optarg, o->replay_path, sizeof(o->replay_path),
		                  err, errlen);
	case 'd':
	case OPT_DURATION:
	case 'T':
	case 'p':
	case OPT_MAX_TERMINALS:
	case OPT_LATE:
	case OPT_THREADS:
		return number_option(c, o, err, errlen);
	case 'c':
	case OPT_TTY:
	case OPT_THEME:
	case OPT_SNAPSHOT_DIR:
		return string_option(c, o, err, errlen);
	case OPT_NO_STACKS:
		o->no_stacks = true;
		return 0;
	case ':':
		opt_shown(argc, argv, optind, optopt, shown, sizeof(shown));
		return errf(err, errlen, "option '%s' requires an argument (see --help)", shown);
	case '?':
	default:
		return bad_option(argc, argv, err, errlen);
	}
}

/* --threads reads one process's pane, headless: what does not apply to it is an error. */
static int check_threads(const struct tt_opts *o, char *err, size_t errlen)
{
	if (!o->threads_pid)
		return 0;
	if (o->mode == TT_MODE_REPLAY || o->mode == TT_MODE_CHECK)
		return errf(err, errlen, "--threads cannot be combined with %s",
		            o->mode == TT_MODE_REPLAY ? "--replay" : "--check");
	if (o->mode != TT_MODE_JSON)
		return errf(err, errlen, "--threads needs --json (it prints JSON documents only)");
	if (o->pid || o->comm[0] || o->tty[0])
		return errf(err, errlen,
		            "--threads reads one process: --pid, --comm and --tty do not apply");
	return 0;
}

int tt_cli_parse(int argc, char **argv, struct tt_opts *o, char *err, size_t errlen)
{
	int c, r;

	set_defaults(o);
	if (err && errlen)
		err[0] = '\0';

	/* optind = 0 makes glibc re-initialise completely (also the '+' handling). */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
		r = apply_option(c, argc, argv, o, err, errlen);
		if (r < 0)
			return -1;
		if (r > 0)
			return 0;
	}
	if (optind < argc)
		return errf(err, errlen, "unexpected argument '%.64s' (see --help)", argv[optind]);
	return check_threads(o, err, errlen);
}

void tt_cli_usage(FILE *f)
{
	fprintf(f,
	        "Usage: ttytop [OPTION]...\n"
	        "       ttytop --json [OPTION]...\n"
	        "       ttytop --json --threads PID [--interval S] [--duration S]\n"
	        "       ttytop --replay FILE\n"
	        "\n"
	        "Show, live, why writes to terminals are slow: for every write(2)-family call\n"
	        "that lands on a tty, the time spent on the CPU, blocked (on a full buffer, on\n"
	        "another writer's lock, on XOFF) and waiting for a CPU, who woke the writer,\n"
	        "and the user and kernel stacks of the slow ones. Needs root (BPF), except\n"
	        "for --replay.\n"
	        "\n"
	        "Modes:\n"
	        "      --json              no dashboard: print one ttytop/1 JSON document per\n"
	        "                          interval on stdout (NDJSON, one line each)\n"
	        "      --check             check that tracing can attach on this kernel, print\n"
	        "                          what was found, and exit (0 = usable)\n"
	        "      --replay FILE       open a saved snapshot in the dashboard; no root, no\n"
	        "                          BPF, nothing changes\n"
	        "      --threads PID       with --json: each interval, what every thread and\n"
	        "                          goroutine of process PID is doing, read without\n"
	        "                          stopping it; no BPF, but root or ptrace access to PID\n"
	        "  -h, --help              show this help and exit\n"
	        "  -V, --version           show the version and exit\n"
	        "\n"
	        "Options:\n"
	        "  -d, --interval S        refresh every S seconds, 0.1 to 3600 (default 1)\n"
	        "      --duration S        stop after S seconds; 0 runs until quit (default 0)\n"
	        "  -T, --threshold MS      record writes slower than MS milliseconds as events,\n"
	        "                          0 to 600000 (default 10); 0 records every write,\n"
	        "                          rate limited\n"
	        "  -p, --pid PID           only writes from process PID\n"
	        "  -c, --comm NAME         only writes from processes named NAME (at most 15\n"
	        "                          characters, as in /proc/PID/comm)\n"
	        "      --tty NAME|CLASS    only one terminal (pts/3, ttyS0, tty1, /dev/pts/3)\n"
	        "                          or one class (pty, pty-master, console, serial, other)\n"
	        "      --late PCT          a tick is late when the interval since the writer's\n"
	        "                          previous write is PCT %% over its period, 1 to 1000\n"
	        "                          (default 5); late ticks are events however fast\n"
	        "                          their write was\n"
	        "      --no-stacks         do not capture or symbolize stacks (cheaper)\n"
	        "      --max-terminals N   terminal rows kept, 1 to 1024 (default 1024); the\n"
	        "                          rest are summed in one \"others\" row\n"
	        "      --theme NAME|PATH   colour theme: a built-in name or a theme file\n"
	        "      --snapshot-dir DIR  where 's' in the dashboard saves snapshots\n"
	        "                          (default: the current directory); files are\n"
	        "                          ttytop-HOST-YYYYmmddTHHMMSSZ.json, mode 0600\n"
	        "  -v, --verbose           also print libbpf's log on stderr\n"
	        "\n"
	        "Numbers are plain decimals (1, 0.5, 2e3); anything else is an error.\n"
	        "\n"
	        "The JSON format is described in docs/json.md and docs/ttytop-1.schema.json.\n"
	        "\n"
	        "ttytop %s\n",
	        TTYTOP_VERSION);
}
