// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Thread rows from /proc/PID/task/TID. The user stack starts from the sp
 * and pc /proc/TID/syscall gives (the kernel reads them only while the
 * thread is off the CPU, so the pair is consistent) and is walked through
 * the target's memory by the .eh_frame rules of the file mapped at each pc
 * (cfi.h), else by frame pointers where each return address follows a call.
 * The thread may run again at any moment: the syscall line and the context
 * switch count are read again after the walk, and a row whose thread moved
 * keeps only the frame the kernel gave.
 */
#include "clock.h"
#include "threads.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "arch.h"
#include "cfi.h"
#include "procmaps.h"

#define CFI_FILES 16              /* parsed files kept across reads, least recently used goes */
#define CFI_CACHE_MEM (96u << 20) /* and at most this much of their tables */
#define PROC_BUF 8192

/* A file's parsed CFI, by identity: a replaced file is another entry. */
struct cfi_file {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	struct tt_cfi *cfi; /* NULL: the file has none (Go, stripped of it) */
	uint64_t used;      /* 0: the slot is free */
};

static struct {
	pthread_mutex_t lock;
	struct cfi_file f[CFI_FILES];
	uint64_t tick;
} cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* One read's view of the process: its executable mappings and their files. */
struct walk {
	pid_t pid;
	struct tt_mem *mem;
	struct tt_map *maps;
	int nmaps;
	struct {
		bool tried, ok;
		struct stat st;
	} * ids; /* per mapping: the file's identity, looked up once */
};

/*
 * The mapping's file: map_files is the mapped file itself (*exact); root +
 * path else, which may name another file by now.
 */
static int open_map(const struct walk *w, const struct tt_map *m, bool *exact)
{
	char path[TT_MAP_PATH_LEN + 64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/map_files/%llx-%llx", (int)w->pid,
	         (unsigned long long)m->start, (unsigned long long)m->end);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	*exact = fd >= 0;
	if (fd >= 0 || m->deleted || m->path_truncated || m->path[0] != '/')
		return fd;
	snprintf(path, sizeof(path), "/proc/%d/root%s", (int)w->pid, m->path);
	return open(path, O_RDONLY | O_CLOEXEC);
}

static bool same_file(const struct cfi_file *f, const struct stat *st)
{
	return f->used && f->dev == st->st_dev && f->ino == st->st_ino && f->size == st->st_size &&
	       f->mtime.tv_sec == st->st_mtim.tv_sec && f->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

/* Evict the least recently used tables until the new one (keep) fits the cap. */
static void trim_cache(struct cfi_file *keep)
{
	for (;;) {
		size_t total = 0;
		struct cfi_file *lru = NULL;

		for (int k = 0; k < CFI_FILES; k++) {
			struct cfi_file *f = &cache.f[k];
			total += f->cfi ? f->cfi->mem : 0;
			if (f != keep && f->cfi && (!lru || f->used < lru->used))
				lru = f;
		}
		if (total <= CFI_CACHE_MEM || !lru)
			break;
		tt_cfi_free(lru->cfi);
		memset(lru, 0, sizeof(*lru));
	}
}

/* The parsed CFI of mapping i (NULL: none); valid until the next call. Cache locked. */
static struct tt_cfi *map_cfi(struct walk *w, int i)
{
	const struct tt_map *m = &w->maps[i];
	struct cfi_file *slot = NULL;
	int fd = -1;
	bool exact;

	if (!w->ids[i].tried) {
		w->ids[i].tried = true;
		fd = open_map(w, m, &exact);
		/*
		 * A path must still name the inode the kernel maps. map_files needs
		 * no such check, and on 9p (the test guests' root) the inode in
		 * /proc/PID/maps is not the one stat gives on 5.10.
		 */
		w->ids[i].ok = fd >= 0 && fstat(fd, &w->ids[i].st) == 0 &&
		               (exact || ((uint64_t)w->ids[i].st.st_ino == m->inode &&
		                          major(w->ids[i].st.st_dev) == m->dev_major &&
		                          minor(w->ids[i].st.st_dev) == m->dev_minor));
	}
	if (!w->ids[i].ok)
		goto out;
	for (int k = 0; k < CFI_FILES; k++)
		if (same_file(&cache.f[k], &w->ids[i].st)) {
			cache.f[k].used = ++cache.tick;
			if (fd >= 0)
				close(fd);
			return cache.f[k].cfi;
		}
	if (fd < 0 && (fd = open_map(w, m, &exact)) < 0)
		goto out;
	for (int k = 0; k < CFI_FILES; k++)
		if (!slot || cache.f[k].used < slot->used)
			slot = &cache.f[k];
	tt_cfi_free(slot->cfi);
	slot->cfi = NULL;
	if (tt_cfi_load_fd(fd, &slot->cfi) != 0)
		slot->cfi = NULL;
	else
		trim_cache(slot);
	slot->dev = w->ids[i].st.st_dev;
	slot->ino = w->ids[i].st.st_ino;
	slot->size = w->ids[i].st.st_size;
	slot->mtime = w->ids[i].st.st_mtim;
	slot->used = ++cache.tick;
	close(fd);
	return slot->cfi;
out:
	if (fd >= 0)
		close(fd);
	return NULL;
}

void tt_threads_cache_free(void)
{
	pthread_mutex_lock(&cache.lock);
	for (int k = 0; k < CFI_FILES; k++) {
		tt_cfi_free(cache.f[k].cfi);
		memset(&cache.f[k], 0, sizeof(cache.f[k]));
	}
	pthread_mutex_unlock(&cache.lock);
}

/*
 * No CFI for this pc: frame pointers, but only from a frame pointer a
 * callee's rules restored (the syscall line gives none), and only to a
 * return address that follows a call. x86-64 and arm64 frame records are
 * alike ({saved fp, return address} at fp); only on x86-64 is the caller's
 * stack pointer then known (fp + 16): arm64 puts the record anywhere in the
 * frame, so there the walk goes on by frame pointers alone. 0 or -1 (stop).
 */
static int fp_step(struct walk *w, struct tt_cfi_regs *r)
{
	const uint8_t sp = 1u << TT_CFI_SP, fpk = 1u << TT_CFI_FP;
	uint64_t fr[2], fp = r->v[TT_CFI_FP];

	if (!(r->known & fpk) || ((r->known & sp) && fp <= r->v[TT_CFI_SP]) || (fp & 7) ||
	    tt_mem_read(w->mem, fp, fr, sizeof(fr)))
		return -1;
	if (!tt_procmaps_find(w->maps, w->nmaps, fr[1]) || !tt_arch_follows_call(w->pid, fr[1]))
		return -1;
	r->v[TT_CFI_SP] = fp + 16;
	r->v[TT_CFI_PC] = r->v[TT_CFI_RA] = fr[1];
	r->v[TT_CFI_FP] = fr[0];
	/* the saved frame pointer must lead up the stack, or it is no chain */
	r->known = (uint8_t)(1u << TT_CFI_PC | 1u << TT_CFI_RA | (fr[0] > fp ? fpk : 0) |
	                     (tt_arch_elf_machine == EM_X86_64 ? sp : 0));
	return 0;
}

/* One frame up from r (its pc a return address unless first). 0, 1 (the end) or -1. */
static int step(struct walk *w, struct tt_cfi_regs *r, bool first)
{
	uint64_t pc = r->v[TT_CFI_PC], look = first ? pc : pc - 1, vaddr;
	const struct tt_map *m = tt_procmaps_find(w->maps, w->nmaps, look);
	struct tt_cfi_row row;
	struct tt_cfi *cfi;
	int rc, found;

	if (!m)
		return -1;
	cfi = map_cfi(w, (int)(m - w->maps));
	if (!cfi)
		return fp_step(w, r);
	if (tt_cfi_off_to_vaddr(cfi, look - m->start + m->off, &vaddr) != 0)
		return -1;
	found = tt_cfi_find(cfi, vaddr, &row);
	if (found == -ENOENT)
		return fp_step(w, r);
	if (found != 0 || row.signal)
		return -1;
	/* the rules are in link-time addresses; only their offsets reach memory */
	rc = tt_cfi_step(&row, cfi->machine, r, w->mem);
	if (rc == 1)
		return 1;
	if (rc != 0 || r->v[TT_CFI_PC] == 0)
		return rc == 0 ? 1 : -1;
	return tt_procmaps_find(w->maps, w->nmaps, r->v[TT_CFI_PC]) ? 0 : -1;
}

static void walk_user(struct walk *w, uint64_t sp, uint64_t pc, struct tt_pane_stack *st)
{
	struct tt_cfi_regs r = {.v = {[TT_CFI_SP] = sp, [TT_CFI_PC] = pc},
	                        .known = 1u << TT_CFI_SP | 1u << TT_CFI_PC};

	st->n = 0;
	st->flags = 0;
	st->f[st->n++] = (struct tt_pane_frame){pc, UINT32_MAX, 0};
	pthread_mutex_lock(&cache.lock);
	for (;;) {
		int rc = step(w, &r, st->n == 1);
		if (rc == 1)
			break;
		if (rc < 0 || st->n == TT_PANE_DEPTH) {
			st->flags |= TT_PSTK_TRUNCATED;
			break;
		}
		st->f[st->n++] = (struct tt_pane_frame){r.v[TT_CFI_PC], UINT32_MAX, 0};
	}
	pthread_mutex_unlock(&cache.lock);
}

/* A whole small /proc file into buf (NUL-terminated). Length or -errno. */
static ssize_t read_at(int dir, const char *name, char *buf, size_t size)
{
	int fd = openat(dir, name, O_RDONLY | O_CLOEXEC);
	size_t len = 0;

	if (fd < 0)
		return -errno;
	while (len < size - 1) {
		ssize_t r = read(fd, buf + len, size - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			close(fd);
			return -e;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	buf[len] = 0;
	return (ssize_t)len;
}

/* stat: "tid (comm) S ...", comm may hold anything but is cut at 16 bytes. */
static int parse_stat(const char *s, struct tt_pane_thread *t)
{
	const char *open = strchr(s, '('), *close = strrchr(s, ')');

	if (!open || !close || close < open || close[1] != ' ' || !close[2])
		return -EINVAL;
	size_t n = (size_t)(close - open - 1);
	if (n >= sizeof(t->comm))
		n = sizeof(t->comm) - 1;
	memcpy(t->comm, open + 1, n);
	t->comm[n] = 0;
	t->state = close[2];
	return 0;
}

static uint64_t status_field(const char *s, const char *key)
{
	const char *p = strstr(s, key);

	return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

static uint64_t switches(int dir)
{
	char buf[4096];

	if (read_at(dir, "status", buf, sizeof(buf)) <= 0)
		return 0;
	return status_field(buf, "\nvoluntary_ctxt_switches:") +
	       status_field(buf, "\nnonvoluntary_ctxt_switches:");
}

/* syscall: "running", "-1 sp pc", or "nr a1 .. a6 sp pc". true when in one. */
static bool parse_syscall(const char *s, int32_t *nr, uint64_t *sp, uint64_t *pc)
{
	uint64_t v[9];
	char *end;
	int n = 0;
	long first;

	*nr = -1;
	first = strtol(s, &end, 10);
	if (end == s || first < -1 || first > INT32_MAX)
		return false;
	*nr = (int32_t)first;
	for (const char *p = end; n < 9;) {
		while (*p == ' ')
			p++;
		if (*p == '\n' || !*p)
			break;
		v[n] = strtoull(p, &end, 16);
		if (end == p)
			return false;
		n++;
		p = end;
	}
	if (first == -1 || n != 8)
		return false;
	*sp = v[6];
	*pc = v[7];
	return true;
}

/* stack: "[<0>] n_tty_write+0x28d/0x4a0" or "... [module]" per line. */
static void parse_kstack(struct tt_pane *p, const char *s, struct tt_pane_stack *st)
{
	st->n = 0;
	st->flags = 0;
	for (const char *l = s; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l)) {
		const char *f = strstr(l, "] "), *nl = strchr(l, '\n');
		struct tt_pane_name nm = {.line = 0};
		size_t n = 0;

		if (!nl)
			nl = l + strlen(l);
		if (!f || f > nl)
			continue;
		if (st->n == TT_PANE_DEPTH) {
			st->flags |= TT_PSTK_TRUNCATED;
			break;
		}
		f += 2;
		while (f + n < nl && f[n] != '+' && f[n] != ' ' && n < sizeof(nm.func) - 1)
			n++;
		if (n == 0)
			continue;
		memcpy(nm.func, f, n);
		const char *mod = memchr(f, '[', (size_t)(nl - f)), *me;
		if (mod && (me = memchr(mod, ']', (size_t)(nl - mod))) &&
		    (size_t)(me - mod - 1) < sizeof(nm.module) && me > mod + 1)
			memcpy(nm.module, mod + 1, (size_t)(me - mod - 1));
		else
			strcpy(nm.module, "kernel");
		st->f[st->n++] = (struct tt_pane_frame){0, tt_pane_intern(p, &nm), TT_PSTK_KERNEL};
	}
	if (st->n == 0)
		st->flags |= TT_PSTK_NONE;
}

static void read_wchan(int dir, char *out, size_t len)
{
	char buf[128];
	ssize_t n = read_at(dir, "wchan", buf, sizeof(buf));

	out[0] = 0;
	if (n <= 0 || !strcmp(buf, "0"))
		return;
	n = (ssize_t)strcspn(buf, "\n");
	if ((size_t)n >= len)
		n = (ssize_t)len - 1;
	memcpy(out, buf, (size_t)n);
	out[n] = 0;
}

/*
 * How often the thread was put on a CPU (schedstat's third field, counted
 * at every switch in, so also while it still runs); 0 when not kept.
 */
static uint64_t run_count(int dir)
{
	char buf[128];
	unsigned long long run, wait, n;

	if (read_at(dir, "schedstat", buf, sizeof(buf)) <= 0 ||
	    sscanf(buf, "%llu %llu %llu", &run, &wait, &n) != 3)
		return 0;
	return n;
}

/*
 * What it sleeps in: the kernel stack's first frame is wchan's function
 * (both skip the scheduler's own), and the wchan file costs 70 us a read
 * here against 7-15 for the others; the file only when there is no stack.
 */
static void blocked_on(struct tt_pane *p, int dir, struct tt_pane_thread *t)
{
	const struct tt_pane_name *n = t->kstack.n ? tt_pane_frame_name(p, &t->kstack.f[0]) : NULL;

	if (t->state == 'R')
		t->blocked_on[0] = 0;
	else if (n && n->func[0])
		snprintf(t->blocked_on, sizeof(t->blocked_on), "%.*s",
		         (int)sizeof(t->blocked_on) - 1, n->func);
	else
		read_wchan(dir, t->blocked_on, sizeof(t->blocked_on));
}

/* Did the thread run since the syscall line was read (before == 0: not known)? */
static bool moved(int dir, const struct tt_pane_thread *t, uint64_t before, const char *sys)
{
	char again[256];

	if (before)
		return run_count(dir) != before;
	return read_at(dir, "syscall", again, sizeof(again)) <= 0 || strcmp(again, sys) ||
	       switches(dir) != t->switches;
}

/* One thread's row; -ESRCH when it exited while read. */
static int read_thread(struct tt_pane *p, struct walk *w, int dir, uint32_t tid,
                       struct tt_pane_thread *t, char *buf)
{
	char sys[256];
	uint64_t sp = 0, pc = 0, runs;

	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->goid = -1;
	t->syscall = -1;
	t->read_ns = tt_real_ns();
	if (read_at(dir, "stat", buf, PROC_BUF) <= 0 || parse_stat(buf, t))
		return -ESRCH;
	/* before the syscall line: a run after it changes the count */
	runs = run_count(dir);
	/* the calling thread is running: its own syscall line would name this read */
	bool in_sys = tid != (uint32_t)gettid() && read_at(dir, "syscall", sys, sizeof(sys)) > 0 &&
	              parse_syscall(sys, &t->syscall, &sp, &pc);
	t->switches = switches(dir);
	if (read_at(dir, "stack", buf, PROC_BUF) >= 0)
		parse_kstack(p, buf, &t->kstack);
	else
		t->kstack.flags = TT_PSTK_NONE;
	blocked_on(p, dir, t);
	if (!in_sys) {
		t->ustack.flags = TT_PSTK_NONE;
		return 0;
	}
	walk_user(w, sp, pc, &t->ustack);
	/* woke up while read: the walk may mix two stacks, keep what the kernel gave */
	if (moved(dir, t, runs, sys)) {
		t->ustack.n = 1;
		t->ustack.flags = TT_PSTK_CHANGED;
	}
	return 0;
}

static int tid_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The tids, in order: up to TT_PANE_THREADS kept, all counted. */
static int list_tids(pid_t pid, uint32_t *tids, int *total)
{
	char path[64];
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if (!(d = opendir(path)))
		return errno == ENOENT ? -ESRCH : -errno;
	*total = 0;
	while ((de = readdir(d)) != NULL) {
		char *end;
		unsigned long v = strtoul(de->d_name, &end, 10);
		if (*end || end == de->d_name || v == 0 || v > INT32_MAX)
			continue;
		(*total)++;
		if (n < TT_PANE_THREADS)
			tids[n++] = (uint32_t)v;
	}
	closedir(d);
	qsort(tids, (size_t)n, sizeof(*tids), tid_cmp);
	return n;
}

int tt_threads_read(struct tt_pane *p, pid_t pid, struct tt_mem *mem)
{
	struct walk w = {.pid = pid, .mem = mem};
	uint32_t *tids = malloc(TT_PANE_THREADS * sizeof(*tids));
	char *buf = malloc(PROC_BUF);
	int n, rc = 0;

	p->nthreads = p->threads_total = 0;
	w.maps = malloc(TT_MAPS_MAX * sizeof(*w.maps));
	if (!tids || !buf || !w.maps) {
		rc = -ENOMEM;
		goto out;
	}
	n = list_tids(pid, tids, &p->threads_total);
	if (n < 0) {
		rc = n;
		goto out;
	}
	w.nmaps = tt_procmaps_read(pid, w.maps, TT_MAPS_MAX, true);
	if (w.nmaps < 0)
		w.nmaps = 0; /* no user stacks, the rest still reads */
	w.ids = calloc((size_t)w.nmaps + 1, sizeof(*w.ids));
	if (!w.ids) {
		rc = -ENOMEM;
		goto out;
	}
	for (int i = 0; i < n; i++) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/task/%u", (int)pid, tids[i]);
		int dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dir < 0 || read_thread(p, &w, dir, tids[i], &p->threads[p->nthreads], buf)) {
			p->threads_total--; /* exited while read */
		} else
			p->nthreads++;
		if (dir >= 0)
			close(dir);
	}
	if (p->nthreads == 0) {
		snprintf(buf, PROC_BUF, "/proc/%d/stat", (int)pid);
		if (access(buf, F_OK) != 0)
			rc = -ESRCH; /* every thread gone: the process is */
	}
out:
	free(w.ids);
	free(w.maps);
	free(buf);
	free(tids);
	return rc;
}
