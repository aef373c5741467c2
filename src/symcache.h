/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Bounded caches for the symbolizer: parsed ELF files keyed by file identity
 * (LRU, by count and by heap bytes) and per-process executable mappings (LRU
 * by count).
 */
#ifndef TTYTOP_SYMCACHE_H
#define TTYTOP_SYMCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "elfsym.h"
#include "procmaps.h"

#define TT_SYMCACHE_FILES 32
#define TT_SYMCACHE_BYTES (256u << 20)
#define TT_SYMCACHE_PIDS 64

struct tt_filekey {
	uint64_t dev, ino, size;
	int64_t mtime_sec, mtime_nsec;
};

struct tt_filecache;
struct tt_filecache *tt_filecache_new(int max_files, size_t max_bytes);
void tt_filecache_free(struct tt_filecache *c);
/*
 * Symbols of the open file fd (loaded on a miss). Files that are not ELF are
 * remembered too, so they are not parsed again: NULL with *err set. The
 * pointer is valid until the next call on this cache.
 */
const struct tt_elfsyms *tt_filecache_get_fd(struct tt_filecache *c, int fd, struct tt_filekey *key,
                                             int *err);
/* A cached entry by key, without opening anything; NULL on a miss. */
const struct tt_elfsyms *tt_filecache_get_key(struct tt_filecache *c, const struct tt_filekey *key,
                                              bool *hit);
size_t tt_filecache_bytes(const struct tt_filecache *c);
int tt_filecache_count(const struct tt_filecache *c);

struct tt_pidmaps {
	pid_t pid;
	int n;
	struct tt_map *maps; /* executable mappings, sorted */
	struct tt_filekey *keys;
	bool *have_key; /* keys[i] valid: the file was opened once */
	uint64_t stamp;
	uint64_t read_ns; /* CLOCK_MONOTONIC of the last maps read */
	int pidfd;        /* this very process (pid reuse safe) */
	bool has_pidfd;
	bool gone;          /* the process exited; maps kept, never re-read */
	uint64_t alive_ns;  /* CLOCK_MONOTONIC when the pidfd last said "running" */
	uint64_t starttime; /* /proc/PID/stat field 22: identity across pid reuse */
};

#define TT_MAPS_REFRESH_NS (200ull * 1000 * 1000) /* min spacing of re-reads */

struct tt_pidcache;
struct tt_pidcache *tt_pidcache_new(int max_pids);
void tt_pidcache_free(struct tt_pidcache *c);
/*
 * Cached maps of pid, (re)read when absent or when refresh is set (at most
 * every TT_MAPS_REFRESH_NS: garbage addresses must not cost a read each).
 * After the process exits (seen through a pidfd) its cached maps stay usable,
 * so stacks of writers that exited before their event was read still get
 * names, until the pid is reused by another process (start time differs),
 * which drops them. Nothing cached and no process: NULL, *err -ESRCH.
 */
struct tt_pidmaps *tt_pidcache_get(struct tt_pidcache *c, pid_t pid, bool refresh, int *err);
void tt_pidcache_forget(struct tt_pidcache *c, pid_t pid);
int tt_pidcache_count(const struct tt_pidcache *c);

#endif
