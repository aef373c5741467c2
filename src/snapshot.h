/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Saving the evidence: atomic, private, never half-written. */
#ifndef TTYTOP_SNAPSHOT_H
#define TTYTOP_SNAPSHOT_H

#include <stddef.h>

#include "model.h"

/*
 * Write the model as ttytop/1 JSON to DIR/ttytop-HOST-YYYYmmddTHHMMSSZ.json
 * (temporary file, fsync, rename, mode 0600). Returns 0 and the final path,
 * or -errno and a one-line message in err.
 */
int tt_snapshot_save(const struct tt_model *m, const char *dir, char *path, size_t pathlen,
		     char *err, size_t errlen);

#endif
