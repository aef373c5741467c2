/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Saving the evidence: atomic, private, never half-written. */
#ifndef TTYTOP_SNAPSHOT_H
#define TTYTOP_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "model.h"

/*
 * Write the model as ttytop/1 JSON to DIR/ttytop-HOST-YYYYmmddTHHMMSSZ.json
 * (temporary file, fsync, rename, mode 0600). Returns 0 and the final path,
 * or -errno and a one-line message in err.
 */
int tt_snapshot_save(const struct tt_model *m, const char *dir, char *path, size_t pathlen,
		     char *err, size_t errlen);

/*
 * The same, without stalling the caller: a forked child (a copy-on-write view
 * of the model at this instant) renders and writes while the caller keeps
 * running. Poll the job with tt_snapshot_finish(); job->fd becomes readable
 * when the child is done.
 */
struct tt_snapshot_job {
	pid_t pid; /* 0 = no job */
	int fd;	   /* child's report */
};

int tt_snapshot_start(const struct tt_model *m, const char *dir, struct tt_snapshot_job *job,
		      char *err, size_t errlen);
/*
 * 0 while the child still runs (unless wait); 1 when it is done: *rc is 0
 * with the path, or -errno with the message. Reaps the child.
 */
int tt_snapshot_finish(struct tt_snapshot_job *job, bool wait, int *rc, char *path,
		       size_t pathlen, char *err, size_t errlen);

#endif
