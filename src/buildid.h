/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * GNU build-ids: read from ELF files, and a bounded index from build-id to a
 * file that has it, so that a stack frame the kernel gave as (build-id, file
 * offset) can be named without the maps of its process, which may be gone.
 */
#ifndef TTYTOP_BUILDID_H
#define TTYTOP_BUILDID_H

#include <stdbool.h>
#include <stdint.h>

#define TT_BUILD_ID_LEN 20 /* the kernel's BUILD_ID_SIZE_MAX; shorter ids are zero-padded */
#define TT_BUILDID_SLOTS 512
#define TT_BUILDID_PATH_LEN 256
#define TT_BUILDID_SCAN_MAX 8192 /* files read by one scan of the library directories */

/* The build-id of the ELF file open on fd, zero-padded: 0, or -ENOENT / -errno. */
int tt_buildid_of_fd(int fd, uint8_t id[TT_BUILD_ID_LEN]);

struct tt_buildid_index {
	struct {
		uint8_t id[TT_BUILD_ID_LEN];
		char path[TT_BUILDID_PATH_LEN];
	} e[TT_BUILDID_SLOTS];
	int n, next;         /* entries used; the next to replace once full */
	/*
	 * Scanning is budgeted: at most SCAN_TIME_NS of it in any RESCAN_NS
	 * window, found or not, however many build-ids are missing.
	 */
	uint64_t window_ns; /* CLOCK_MONOTONIC start of the window, 0 = none yet */
	uint64_t spent_ns;  /* scanning done in it */
};

/* Remember that path (in ttytop's own mount namespace) has build-id id. */
void tt_buildid_note(struct tt_buildid_index *x, const uint8_t id[TT_BUILD_ID_LEN],
                     const char *path);
/*
 * A file with build-id id, opened read-only: from the index (checked again,
 * the file may have been replaced), else after one scan of the usual library
 * directories (at most once a minute). An fd and *path_out, or -ENOENT.
 */
int tt_buildid_open(struct tt_buildid_index *x, const uint8_t id[TT_BUILD_ID_LEN],
                    const char **path_out);

#endif
