// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "strtab.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/*
 * Text lives in chunks that never move, so a name handed out stays valid
 * while others are added; ids index `names`, and `hash` (open addressing,
 * twice the ids) finds an existing name. Both arrays are static: their pages
 * are only made resident as names arrive.
 */
#define CHUNK_BYTES (64u << 10)
#define HASH_SLOTS (2 * TT_STRTAB_MAX)

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static const char *names[TT_STRTAB_MAX] = {""};
static uint32_t hash[HASH_SLOTS]; /* ids; 0 = empty */
static uint32_t nnames = 1;
static char *chunk;
static size_t chunk_used = CHUNK_BYTES, bytes;
static uint64_t refused;

static uint32_t fnv1a(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static char *store(const char *s, size_t n)
{
	char *p;

	if (bytes + n + 1 > TT_STRTAB_BYTES)
		return NULL;
	if (chunk_used + n + 1 > CHUNK_BYTES) {
		/* names are cut at TT_FILE_LEN, far below a chunk */
		if (n + 1 > CHUNK_BYTES || !(chunk = malloc(CHUNK_BYTES)))
			return NULL;
		chunk_used = 0;
	}
	p = chunk + chunk_used;
	memcpy(p, s, n);
	p[n] = 0;
	chunk_used += n + 1;
	bytes += n + 1;
	return p;
}

uint32_t tt_str_intern(const char *s, size_t maxlen)
{
	size_t n;
	uint32_t i, id = 0;

	if (!s || !maxlen || !(n = strnlen(s, maxlen - 1)))
		return 0;
	pthread_mutex_lock(&lock);
	for (i = fnv1a(s, n) % HASH_SLOTS;; i = (i + 1) % HASH_SLOTS) {
		uint32_t h = hash[i];

		if (!h)
			break;
		if (!strncmp(names[h], s, n) && !names[h][n]) {
			id = h;
			goto out;
		}
	}
	/* the table holds at most half its slots: an empty one is always found */
	if (nnames < TT_STRTAB_MAX && (names[nnames] = store(s, n))) {
		id = nnames++;
		hash[i] = id;
	} else {
		refused++;
	}
out:
	pthread_mutex_unlock(&lock);
	return id;
}

const char *tt_str(uint32_t id)
{
	const char *s = NULL;

	pthread_mutex_lock(&lock);
	if (id < nnames)
		s = names[id];
	pthread_mutex_unlock(&lock);
	return s ? s : "";
}

void tt_str_stats(struct tt_str_stats *st)
{
	pthread_mutex_lock(&lock);
	st->names = nnames;
	st->bytes = bytes;
	st->refused = refused;
	pthread_mutex_unlock(&lock);
}
