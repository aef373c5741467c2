/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Command-line options, parsed once in cli.c and read everywhere else. */
#ifndef TTYTOP_OPTS_H
#define TTYTOP_OPTS_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "model.h"

enum tt_mode {
	TT_MODE_TUI = 0,
	TT_MODE_JSON,
	TT_MODE_CHECK,
	TT_MODE_REPLAY,
	TT_MODE_HELP,
	TT_MODE_VERSION,
};

struct tt_opts {
	enum tt_mode mode;
	bool verbose;	     /* -v: forward libbpf's log */
	double interval_s;   /* -d/--interval, default 1 */
	double duration_s;   /* --duration, 0 = forever */
	double threshold_ms; /* -T/--threshold, default 10; 0 = every write (rate limited) */
	int pid;	     /* -p/--pid, 0 = any */
	char comm[TT_COMM_LEN];	  /* -c/--comm */
	char tty[TT_TTY_NAME_LEN]; /* --tty NAME|CLASS */
	bool no_stacks;		   /* --no-stacks */
	int max_terminals;	   /* --max-terminals, 0 = TT_MODEL_MAX_TERMINALS */
	int late_pct;		   /* --late, 0 = TT_LATE_PCT_DEFAULT */
	char theme[PATH_MAX];	   /* --theme NAME|PATH */
	char snapshot_dir[PATH_MAX]; /* --snapshot-dir */
	char replay_path[PATH_MAX];  /* --replay FILE */
	int threads_pid;	     /* --threads PID (with --json): its pane, no BPF; 0 = none */
};

/* Fills o from argv. Returns 0, or -1 with a one-line message in err. */
int tt_cli_parse(int argc, char **argv, struct tt_opts *o, char *err, size_t errlen);
void tt_cli_usage(FILE *f);

#endif
