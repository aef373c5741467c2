// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Small fixed-size LRU tables: linear scans over a few dozen slots are
 * cheaper and simpler than hashing at these sizes, and the bounds are what
 * matter (ttytop may watch thousands of short-lived processes).
 */
#include "symcache.h"
#include "procseen.h"
#include "clock.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

struct file_ent {
	bool used;
	struct tt_filekey key;
	struct tt_elfsyms *es; /* NULL: not loadable (err) */
	int err;
	uint64_t stamp;
};

struct tt_filecache {
	int max;
	size_t max_bytes, bytes;
	uint64_t clock;
	struct file_ent *ents;
};

struct tt_filecache *tt_filecache_new(int max_files, size_t max_bytes)
{
	struct tt_filecache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->max = max_files > 0 ? max_files : TT_SYMCACHE_FILES;
	c->max_bytes = max_bytes ? max_bytes : TT_SYMCACHE_BYTES;
	c->ents = calloc((size_t)c->max, sizeof(*c->ents));
	if (!c->ents) {
		free(c);
		return NULL;
	}
	return c;
}

static void drop(struct tt_filecache *c, struct file_ent *e)
{
	if (e->es)
		c->bytes -= e->es->mem;
	tt_elfsyms_free(e->es);
	memset(e, 0, sizeof(*e));
}

void tt_filecache_free(struct tt_filecache *c)
{
	if (!c)
		return;
	for (int i = 0; i < c->max; i++)
		drop(c, &c->ents[i]);
	free(c->ents);
	free(c);
}

static bool key_eq(const struct tt_filekey *a, const struct tt_filekey *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_sec == b->mtime_sec && a->mtime_nsec == b->mtime_nsec;
}

static struct file_ent *lookup(struct tt_filecache *c, const struct tt_filekey *key)
{
	for (int i = 0; i < c->max; i++)
		if (c->ents[i].used && key_eq(&c->ents[i].key, key)) {
			c->ents[i].stamp = ++c->clock;
			return &c->ents[i];
		}
	return NULL;
}

const struct tt_elfsyms *tt_filecache_get_key(struct tt_filecache *c, const struct tt_filekey *key,
                                              bool *hit)
{
	struct file_ent *e = lookup(c, key);

	*hit = e != NULL;
	return e ? e->es : NULL;
}

/* Evict least recently used entries until `need` more bytes and a slot fit. */
static struct file_ent *make_room(struct tt_filecache *c, size_t need)
{
	for (;;) {
		struct file_ent *victim = NULL, *free_slot = NULL;
		for (int i = 0; i < c->max; i++) {
			struct file_ent *e = &c->ents[i];
			if (!e->used) {
				if (!free_slot)
					free_slot = e;
			} else if (!victim || e->stamp < victim->stamp) {
				victim = e;
			}
		}
		if (free_slot && c->bytes + need <= c->max_bytes)
			return free_slot;
		if (!victim)
			return free_slot;
		drop(c, victim);
	}
}

const struct tt_elfsyms *tt_filecache_get_fd(struct tt_filecache *c, int fd, struct tt_filekey *key,
                                             int *err)
{
	struct stat st;
	struct tt_filekey k;
	struct file_ent *e;
	struct tt_elfsyms *es = NULL;
	int r;

	*err = 0;
	if (fstat(fd, &st) != 0) {
		*err = -errno;
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		*err = -ENOEXEC;
		return NULL;
	}
	k = (struct tt_filekey){(uint64_t)st.st_dev, (uint64_t)st.st_ino, (uint64_t)st.st_size,
	                        (int64_t)st.st_mtim.tv_sec, (int64_t)st.st_mtim.tv_nsec};
	if (key)
		*key = k;
	e = lookup(c, &k);
	if (e) {
		*err = e->err;
		return e->es;
	}
	r = tt_elfsyms_load_fd(fd, &es);
	if (r == -ENOMEM) { /* transient: do not remember */
		*err = r;
		return NULL;
	}
	size_t need = es ? es->mem : 0;
	if (need > c->max_bytes) { /* a single file above the cap is not kept */
		tt_elfsyms_free(es);
		*err = -EFBIG;
		es = NULL;
		need = 0;
		r = -EFBIG;
	}
	e = make_room(c, need);
	if (!e) {
		tt_elfsyms_free(es);
		*err = -ENOMEM;
		return NULL;
	}
	e->used = true;
	e->key = k;
	e->es = es;
	e->err = r;
	e->stamp = ++c->clock;
	c->bytes += need;
	*err = r;
	return es;
}

size_t tt_filecache_bytes(const struct tt_filecache *c)
{
	return c->bytes;
}

int tt_filecache_count(const struct tt_filecache *c)
{
	int n = 0;

	for (int i = 0; i < c->max; i++)
		n += c->ents[i].used;
	return n;
}

/* ---- per-process maps ---------------------------------------------------- */

struct tt_pidcache {
	int max;
	uint64_t clock;
	struct tt_pidmaps *ents;
	struct tt_map *scratch; /* TT_MAPS_MAX entries for reading */
};

struct tt_pidcache *tt_pidcache_new(int max_pids)
{
	struct tt_pidcache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->max = max_pids > 0 ? max_pids : TT_SYMCACHE_PIDS;
	c->ents = calloc((size_t)c->max, sizeof(*c->ents));
	c->scratch = calloc(TT_MAPS_MAX, sizeof(*c->scratch));
	if (!c->ents || !c->scratch) {
		tt_pidcache_free(c);
		return NULL;
	}
	return c;
}

static void pm_clear(struct tt_pidmaps *p)
{
	if (p->has_pidfd)
		close(p->pidfd);
	free(p->maps);
	free(p->keys);
	free(p->have_key);
	memset(p, 0, sizeof(*p));
}

void tt_pidcache_free(struct tt_pidcache *c)
{
	if (!c)
		return;
	if (c->ents)
		for (int i = 0; i < c->max; i++)
			pm_clear(&c->ents[i]);
	free(c->ents);
	free(c->scratch);
	free(c);
}

/*
 * A pidfd becomes readable when its process exits. Asked at most every 20 ms:
 * one event's stack asks for every frame, and a pid cannot be handed to a
 * new process that fast (the whole pid space would have to wrap).
 */
#define TT_ALIVE_RECHECK_NS 20000000ull

static bool exited(struct tt_pidmaps *p, uint64_t now)
{
	struct pollfd pfd = {.fd = p->pidfd, .events = POLLIN};

	if (!p->has_pidfd || now - p->alive_ns < TT_ALIVE_RECHECK_NS)
		return false;
	if (poll(&pfd, 1, 0) > 0)
		return true;
	p->alive_ns = now;
	return false;
}

/* pid's cached entry, and in *victim the slot a new entry would take (a free
 * one first, else the least recently used). */
static struct tt_pidmaps *pc_find(struct tt_pidcache *c, pid_t pid, struct tt_pidmaps **victim)
{
	struct tt_pidmaps *oldest = NULL;

	for (int i = 0; i < c->max; i++) {
		struct tt_pidmaps *p = &c->ents[i];
		if (p->pid == pid && p->maps) {
			*victim = oldest;
			return p;
		}
		if (!p->maps) {
			if (!oldest || oldest->maps)
				oldest = p;
		} else if (!oldest || (oldest->maps && p->stamp < oldest->stamp)) {
			oldest = p;
		}
	}
	*victim = oldest;
	return NULL;
}

static struct tt_pidmaps *pc_use(struct tt_pidcache *c, struct tt_pidmaps *slot)
{
	slot->stamp = ++c->clock;
	return slot;
}

/*
 * A cached entry of a process that has exited: its own maps stay right for
 * it (its late events still symbolize). NULL when the pid now belongs to
 * another process: the entry is cleared and becomes the victim.
 */
static struct tt_pidmaps *pc_reuse_if_gone(struct tt_pidcache *c, struct tt_pidmaps **slot,
                                           struct tt_pidmaps **victim, pid_t pid)
{
	struct tt_pidmaps *s = *slot;

	if (!s->gone && exited(s, tt_mono_ns()))
		s->gone = true;
	if (!s->gone)
		return NULL;
	uint64_t st = tt_proc_start_time(pid);
	if (st && st != s->starttime) { /* another process has this pid now */
		pm_clear(s);
		*victim = s;
		*slot = NULL;
		return NULL;
	}
	return pc_use(c, s);
}

/* A pidfd for pid (the cached one when the process is the same): 0, or
 * -ESRCH when it has exited, or 1 when pidfds are not available. */
static int pc_open(struct tt_pidmaps *slot, pid_t pid, int *pidfd)
{
	if (slot && slot->has_pidfd) { /* same process: keep its pidfd */
		*pidfd = slot->pidfd;
		slot->has_pidfd = false;
		return 0;
	}
	*pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (*pidfd >= 0)
		return 0;
	return errno == ESRCH ? -ESRCH : 1;
}

/* Fill slot from c->scratch (n maps read at now). */
static int pc_store(struct tt_pidcache *c, struct tt_pidmaps *slot, pid_t pid, int n,
                    int pidfd, bool has_pidfd, uint64_t st, uint64_t now)
{
	pm_clear(slot);
	slot->pidfd = pidfd;
	slot->has_pidfd = has_pidfd;
	slot->maps = malloc(sizeof(*slot->maps) * (size_t)(n ? n : 1));
	slot->keys = calloc((size_t)(n ? n : 1), sizeof(*slot->keys));
	slot->have_key = calloc((size_t)(n ? n : 1), sizeof(*slot->have_key));
	if (!slot->maps || !slot->keys || !slot->have_key) {
		pm_clear(slot);
		return -ENOMEM;
	}
	memcpy(slot->maps, c->scratch, sizeof(*slot->maps) * (size_t)n);
	slot->n = n;
	slot->pid = pid;
	slot->read_ns = now;
	slot->starttime = st;
	pc_use(c, slot);
	return 0;
}

/*
 * Read pid's maps into slot (or the victim). When the process exited
 * meanwhile, a cached entry of that same process is kept (marked gone).
 */
static struct tt_pidmaps *pc_read(struct tt_pidcache *c, struct tt_pidmaps *slot,
                                  struct tt_pidmaps *victim, pid_t pid, int *err)
{
	uint64_t now = tt_mono_ns();
	int pidfd = -1;
	int o = pc_open(slot, pid, &pidfd);
	bool has_pidfd = o == 0;

	if (o == -ESRCH) {
		if (slot) { /* exited since: keep its maps (see gone above) */
			slot->gone = true;
			return pc_use(c, slot);
		}
		*err = -ESRCH;
		return NULL;
	}
	uint64_t st = tt_proc_start_time(pid);
	int n = st ? tt_procmaps_read(pid, c->scratch, TT_MAPS_MAX, true) : -ESRCH;
	struct tt_pidmaps probe = {.pidfd = pidfd, .has_pidfd = has_pidfd};
	if (n >= 0 && exited(&probe, now))
		n = -ESRCH; /* what we read may already be another process's */
	if (n < 0) {
		if (slot && n == -ESRCH && (!st || st == slot->starttime)) {
			/* exited since the maps were cached: they still describe it */
			slot->pidfd = pidfd;
			slot->has_pidfd = has_pidfd;
			slot->gone = true;
			return pc_use(c, slot);
		}
		if (has_pidfd)
			close(pidfd);
		*err = n;
		if (slot)
			pm_clear(slot);
		return NULL;
	}
	slot = slot ? slot : victim;
	*err = pc_store(c, slot, pid, n, pidfd, has_pidfd, st, now);
	return *err ? NULL : slot;
}

struct tt_pidmaps *tt_pidcache_get(struct tt_pidcache *c, pid_t pid, bool refresh, int *err)
{
	struct tt_pidmaps *victim, *slot = pc_find(c, pid, &victim), *r;

	*err = 0;
	if (slot && (r = pc_reuse_if_gone(c, &slot, &victim, pid)))
		return r;
	if (slot && (!refresh || tt_mono_ns() - slot->read_ns < TT_MAPS_REFRESH_NS))
		return pc_use(c, slot);
	return pc_read(c, slot, victim, pid, err);
}

void tt_pidcache_forget(struct tt_pidcache *c, pid_t pid)
{
	for (int i = 0; i < c->max; i++)
		if (c->ents[i].pid == pid && c->ents[i].maps)
			pm_clear(&c->ents[i]);
}

int tt_pidcache_count(const struct tt_pidcache *c)
{
	int n = 0;

	for (int i = 0; i < c->max; i++)
		n += c->ents[i].maps != NULL;
	return n;
}
