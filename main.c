// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ttytop: why are writes to this terminal slow? The composition root: it
 * picks the mode and wires the collector (src/) to a consumer, the dashboard
 * (tui/) or the --json loop here. Nothing in src/ knows the dashboard.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/utsname.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "collector.h"
#include "gostw.h"
#include "json.h"
#include "json_pane.h"
#include "model.h"
#include "opts.h"
#include "outq.h"
#include "pane.h"
#include "source.h"
#include "symbolize.h"
#include "tui/tui.h"

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
	(void)sig;
	g_stop = 1;
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

/* A failed write to stdout ends the run; a reader that went away (| head) quietly. */
static int out_failed(int e)
{
	char err[128];

	if (e == -EPIPE)
		return 0;
	snprintf(err, sizeof(err), "cannot write to standard output: %s", strerror(-e));
	return die(err, 1);
}

/*
 * Until `until` (or, with `idle`, until the document going out is out):
 * events into the model, the counters sampled every TT_SAMPLE_S, and the
 * document written as stdout takes it. Returns 0, or -errno from stdout.
 */
static int wait_io(struct tt_source *src, struct tt_collector *c, struct tt_outq *q, double until,
                   bool idle, double *sampled)
{
	double now;

	while (!g_stop && (now = tt_mono_s()) < until && !(idle && !tt_outq_busy(q))) {
		struct pollfd p[2] = {{.fd = src->ops->fd(src->ctx), .events = POLLIN},
		                      {.fd = q->fd, .events = POLLOUT}};
		/* at most 100 ms, so that sampling stays on time (until may be HUGE_VAL) */
		int ms = until - now > 0.1 ? 100 : (int)((until - now) * 1000) + 1;
		int r;

		r = poll(p, tt_outq_busy(q) ? 2 : 1, ms);
		if (r > 0 && p[0].revents)
			tt_collector_poll(c, 0);
		if (r > 0 && tt_outq_busy(q) && p[1].revents && (r = tt_outq_write(q)) < 0)
			return r;
		if (tt_mono_s() >= *sampled + TT_SAMPLE_S) {
			src->ops->sample(src->ctx);
			*sampled = tt_mono_s();
		}
	}
	return 0;
}

/*
 * NDJSON: one ttytop/1 object per interval on stdout. A reader slower than
 * the interval gets fewer documents, each with everything since the last
 * one it got; the collector keeps sampling meanwhile (slots of quiet
 * terminals are given back on time however slow the reader). Returns 0, 1
 * when a document could not be rendered (said on stderr), or -errno from
 * stdout.
 */
static int json_loop(const struct tt_opts *o, struct tt_model *m, struct tt_collector *c,
                     struct tt_source *src, struct tt_outq *q)
{
	struct tt_tick tk;
	double start, now, sampled;
	uint64_t since = 0;
	int r;

	start = sampled = tt_mono_s();
	tt_tick_init(&tk, m, start);
	for (;;) {
		double next = tk.last + o->interval_s;
		bool end;
		char *doc;

		if (o->duration_s > 0 && next > start + o->duration_s)
			next = start + o->duration_s;
		if ((r = wait_io(src, c, q, next, false, &sampled)) < 0)
			return r;
		now = tt_mono_s();
		end = g_stop || (o->duration_s > 0 && now - start >= o->duration_s - 1e-3);
		if (tt_outq_busy(q) && !end) {
			/* the reader is behind: this interval joins the next document */
			if ((r = wait_io(src, c, q, HUGE_VAL, true, &sampled)) < 0)
				return r;
			continue;
		}
		/* the last document goes out whole, after the one still going out */
		if ((r = tt_outq_flush(q, 10000)) < 0)
			return r;
		/* one drain is bounded (collector.c); the last document takes all the ring holds */
		while (end && src->ops->drain(src->ctx) > 0 && tt_mono_s() < now + 2.0)
			;
		tt_source_tick(src, m, &tk, now, 0);
		doc = tt_json_render(m, since, true);
		if (!doc || tt_outq_put(q, doc))
			return die("cannot render JSON (out of memory)", 1);
		since = m->ev_seq;
		if (end)
			return tt_outq_flush(q, 10000);
	}
}

static int run_json(const struct tt_opts *o, struct tt_model *m)
{
	struct tt_probe_report rep;
	struct tt_collector *c;
	struct tt_source src;
	struct tt_outq q;
	char err[512];
	int ret, r;

	ret = tt_collector_open(&c, o, m, &rep, err, sizeof(err));
	if (ret)
		return die(err, 1);
	src = tt_collector_source(c);
	tt_outq_init(&q, STDOUT_FILENO);
	install_stop_handlers();
	r = json_loop(o, m, c, &src, &q);
	if (r < 0)
		ret = r == -ETIMEDOUT ? die("standard output took no data for 10 s; stopping", 1)
		                      : out_failed(r);
	else
		ret = r;
	tt_outq_free(&q);
	tt_collector_close(c);
	return ret;
}

/*
 * --threads PID: no BPF, only /proc and the process's memory. 0 when it can
 * be read, else the exit code after saying why: 2 for a process that is not
 * there (a bad argument, as elsewhere), 1 when it may not be read.
 */
static int threads_readable(int pid)
{
	char path[64], err[256];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	if (access(path, R_OK | X_OK) != 0) {
		int e = errno;

		if (e == ENOENT)
			snprintf(err, sizeof(err), "no process %d", pid);
		else
			snprintf(err, sizeof(err), "cannot read %s: %s", path, strerror(e));
		return die(err, e == ENOENT ? 2 : 1);
	}
	/* what process_vm_readv needs too: ptrace access to it */
	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && (errno == EACCES || errno == EPERM)) {
		snprintf(err, sizeof(err),
		         "cannot read process %d (%s: %s): reading another user's process "
		         "needs root or ptrace access to it",
		         pid, path, strerror(errno));
		return die(err, 1);
	}
	if (fd >= 0)
		close(fd);
	return 0;
}

/* Until the monotonic time until, or a stop signal. */
static void sleep_until(double until)
{
	double now;

	while (!g_stop && (now = tt_mono_s()) < until)
		poll(NULL, 0, until - now > 0.1 ? 100 : (int)((until - now) * 1000) + 1);
}

/* 0 (the process is gone: ESRCH), or the exit code after saying why the read failed */
static int read_failed(int pid, int e)
{
	char err[128];

	if (!e || e == -ESRCH)
		return 0;
	snprintf(err, sizeof(err), "cannot read process %d: %s", pid, strerror(-e));
	return die(err, 1);
}

/*
 * One document per interval, each a fresh read of the pane, until
 * --duration, a stop signal, or the process is gone (that document says
 * so). A first read, not printed, is where "since" counts from. Returns 0,
 * an exit code (said on stderr), or -errno from stdout.
 */
static int threads_loop(const struct tt_opts *o, struct tt_model *m, struct tt_pane_reader *r,
                        struct tt_symbolizer *sym, struct tt_pane *p, struct tt_outq *q)
{
	double start = tt_mono_s(), next = start;
	int e;

	if ((e = read_failed(o->threads_pid, tt_pane_read(r, sym, p))))
		return e;
	for (;;) {
		bool end;
		char *doc;

		next += o->interval_s;
		if (o->duration_s > 0 && next > start + o->duration_s)
			next = start + o->duration_s;
		sleep_until(next);
		end = g_stop || (o->duration_s > 0 && tt_mono_s() - start >= o->duration_s - 1e-3);
		if ((e = read_failed(o->threads_pid, tt_pane_read(r, sym, p))))
			return e;
		m->now_realtime_ns = tt_real_ns();
		doc = tt_json_render_pane(m, p, true);
		if (!doc || tt_outq_put(q, doc))
			return die("cannot render JSON (out of memory)", 1);
		if ((e = tt_outq_flush(q, 10000)) < 0 || end || p->gone)
			return e;
	}
}

static int run_threads(const struct tt_opts *o, struct tt_model *m)
{
	struct tt_pane_reader *r = NULL;
	struct tt_symbolizer *sym = NULL;
	struct tt_pane p;
	struct tt_outq q;
	int ret;

	if ((ret = threads_readable(o->threads_pid)))
		return ret;
	if (tt_pane_alloc(&p, true))
		return die("out of memory", 1);
	r = tt_pane_reader_new(o->threads_pid);
	sym = tt_sym_new();
	m->interval_s = o->interval_s;
	tt_outq_init(&q, STDOUT_FILENO);
	install_stop_handlers();
	ret = !r || !sym ? die("out of memory", 1) : threads_loop(o, m, r, sym, &p, &q);
	if (ret < 0)
		ret = ret == -ETIMEDOUT ? die("standard output took no data for 10 s; stopping", 1)
		                        : out_failed(ret);
	tt_outq_free(&q);
	tt_sym_free(sym);
	tt_pane_reader_free(r);
	tt_pane_free(&p);
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
	printf("start-up:               probe %.1f ms (BTF, test programs), open %.1f ms, load "
	       "%.1f ms (CO-RE and the verifier), attach %.1f ms; kernel symbols %.1f ms "
	       "beside them\n",
	       rep.probe_ms, rep.open_ms, rep.load_ms, rep.attach_ms, rep.ksyms_ms);
	tt_gostw_check_print(stdout);
	printf("result:                 OK\n");
	tt_collector_close(c);
	return 0;
}

static int run_dashboard(const struct tt_opts *o, struct tt_model *m)
{
	struct tt_probe_report rep;
	struct tt_collector *c = NULL;
	struct tt_source src = {NULL, NULL};
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
		printf("ttytop %s (BPF ABI %d, schema %s)\n", TTYTOP_VERSION, TTYTOP_ABI,
		       TT_SCHEMA);
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
		ret = o.threads_pid ? run_threads(&o, m) : run_json(&o, m);
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
