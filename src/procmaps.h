/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Parsing /proc/PID/maps into a bounded array. */
#ifndef TTYTOP_PROCMAPS_H
#define TTYTOP_PROCMAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define TT_MAPS_MAX 4096 /* mappings kept per process */
#define TT_MAP_PATH_LEN 256

struct tt_map {
	uint64_t start, end, off;
	uint64_t inode;
	uint32_t dev_major, dev_minor;
	char perms[5];
	bool deleted;               /* path ended in " (deleted)" (suffix removed) */
	bool path_truncated;        /* longer than TT_MAP_PATH_LEN-1: open via map_files only */
	char path[TT_MAP_PATH_LEN]; /* "" for anonymous, "[vdso]" etc. */
};

/*
 * Parse maps text. Lines that do not parse are skipped. exec_only keeps only
 * mappings with 'x'. Returns the number stored (at most max).
 */
int tt_procmaps_parse(const char *text, size_t len, struct tt_map *out, int max, bool exec_only);
/* Read and parse /proc/PID/maps. Count, or -errno (-ESRCH: process gone). */
int tt_procmaps_read(pid_t pid, struct tt_map *out, int max, bool exec_only);
/* The same from an open maps file (tests). */
int tt_procmaps_read_fd(int fd, struct tt_map *out, int max, bool exec_only);
/* Mapping containing addr (maps are sorted by the kernel), or NULL. */
const struct tt_map *tt_procmaps_find(const struct tt_map *maps, int n, uint64_t addr);

#endif
