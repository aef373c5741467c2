// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ttytop: why are writes to this terminal slow? Mode dispatch only. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/utsname.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector.h"
#include "json.h"
#include "model.h"
#include "opts.h"
#include "../tui/tui.h"
#include "../tui/theme.h"

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
	(void)sig;
	g_stop = 1;
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void install_stop_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: poll() must return */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int die(const char *msg, int code)
{
	fprintf(stderr, "ttytop: %s\n", msg);
	return code;
}

/* NDJSON: one ttytop/1 object per interval on stdout. */
static int run_json(const struct tt_opts *o, struct tt_model *m)
{
	struct tt_probe_report rep;
	struct tt_collector *c;
	struct tt_source src;
	char err[512];
	double start, last, now, sampled;
	uint64_t since = 0;
	int ret;

	ret = tt_collector_open(&c, o, m, &rep, err, sizeof(err));
	if (ret)
		return die(err, 1);
	src = tt_collector_source(c);
	install_stop_handlers();
	start = last = sampled = mono_s();
	while (!g_stop) {
		double next = last + o->interval_s;
		char *doc;

		if (o->duration_s > 0 && next > start + o->duration_s)
			next = start + o->duration_s;
		while (!g_stop && (now = mono_s()) < next) {
			int ms = (int)((next - now) * 1000) + 1;

			tt_collector_poll(c, ms > 100 ? 100 : ms);
			if (mono_s() >= sampled + TT_SAMPLE_S) {
				src.ops->sample(src.ctx);
				sampled = mono_s();
			}
		}
		now = mono_s();
		src.ops->drain(src.ctx);
		src.ops->refresh(src.ctx, now - last);
		if (src.ops->symbolize_pending)
			src.ops->symbolize_pending(src.ctx, 0);
		last = now;
		doc = tt_json_render(m, since, true);
		if (!doc) {
			ret = die("cannot render JSON (out of memory)", 1);
			break;
		}
		since = m->ev_seq;
		if (puts(doc) == EOF || fflush(stdout) == EOF) {
			int e = errno;

			free(doc);
			/* a reader that went away (| head) is the normal end of a pipe */
			if (e != EPIPE) {
				snprintf(err, sizeof(err), "cannot write to standard output: %s",
				         strerror(e));
				ret = die(err, 1);
			}
			break;
		}
		free(doc);
		if (o->duration_s > 0 && now - start >= o->duration_s - 1e-3)
			break;
	}
	tt_collector_close(c);
	return ret;
}

static int run_check(const struct tt_opts *o, struct tt_model *m)
{
	struct tt_probe_report rep;
	struct utsname u;
	struct tt_collector *c;
	char err[512];
	int ret;

	printf("ttytop %s capability check\n", TTYTOP_VERSION);
	if (uname(&u) == 0)
		printf("kernel:                 %s %s\n", u.release, u.machine);
	ret = tt_collector_open(&c, o, m, &rep, err, sizeof(err));
	tt_probe_report_print(&rep, stdout);
	if (ret) {
		printf("result:                 FAIL: %s\n", err);
		return 1;
	}
	printf("load + attach:          ok in %.1f ms\n", m->attach.attach_us / 1000.0);
	printf("result:                 OK\n");
	tt_collector_close(c);
	return 0;
}

static int run_dashboard(const struct tt_opts *o, struct tt_model *m)
{
	struct tt_probe_report rep;
	struct tt_collector *c = NULL;
	struct tt_source src = { NULL, NULL };
	char err[512];
	int ret;

	if (!tt_tui_usable(err, sizeof(err)))
		return die(err, 2);
	if (o->theme[0] && tt_theme_check(o->theme, err, sizeof(err)))
		return die(err, 2);
	if (o->mode == TT_MODE_REPLAY) {
		if (tt_json_load_file(o->replay_path, m, err, sizeof(err)))
			return die(err, 2);
	} else {
		ret = tt_collector_open(&c, o, m, &rep, err, sizeof(err));
		if (ret)
			return die(err, 1);
		src = tt_collector_source(c);
	}
	ret = tt_tui_run(m, &src, o, err, sizeof(err));
	tt_collector_close(c);
	if (ret)
		return die(err, 1);
	return 0;
}

/*
 * What stdio still holds is written at exit, where a failure is silent:
 * --check once exited 0 with an empty stdout in a test guest. A run that
 * already failed has said why; a reader that went away (| head) is no error.
 */
static int flushed(int ret)
{
	if ((fflush(stdout) != 0 || ferror(stdout)) && !ret && errno != EPIPE) {
		fprintf(stderr, "ttytop: cannot write to standard output: %s\n", strerror(errno));
		return 1;
	}
	return ret;
}

int main(int argc, char **argv)
{
	struct tt_opts o;
	struct tt_model *m;
	char err[512];
	int ret;

	if (tt_cli_parse(argc, argv, &o, err, sizeof(err)))
		return die(err, 2);
	switch (o.mode) {
	case TT_MODE_HELP:
		tt_cli_usage(stdout);
		return flushed(0);
	case TT_MODE_VERSION:
		printf("ttytop %s (BPF ABI %d, schema %s)\n", TTYTOP_VERSION, TTYTOP_ABI, TT_SCHEMA);
		return flushed(0);
	default:
		break;
	}
	/* ~10 MiB of rows at the most, too big for the stack; touched as used */
	m = calloc(1, sizeof(*m));
	if (!m || tt_model_init(m)) {
		free(m);
		return die("out of memory", 1);
	}
	switch (o.mode) {
	case TT_MODE_JSON:
		ret = run_json(&o, m);
		break;
	case TT_MODE_CHECK:
		ret = run_check(&o, m);
		break;
	default:
		ret = run_dashboard(&o, m);
		break;
	}
	tt_model_free(m);
	free(m);
	return flushed(ret);
}
