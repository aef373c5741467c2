// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Address -> name for slow-write stacks. User addresses go through the
 * process's executable mappings to the mapped file (opened via
 * /proc/PID/map_files so deleted and container files work), then to a
 * link-time address through the file's PT_LOAD headers (PIE and shared
 * libraries), then to .gopclntab or ELF symbols. Caller frames hold return
 * addresses, which may already point at the next function after a call that
 * does not return, so those are looked up at addr-1.
 */
#include "symbolize.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/sysmacros.h>
#include <sys/stat.h>

#include "arch.h"
#include "buildid.h"
#include "ksyms.h"
#include "symcache.h"

#define BID_RECENT 8 /* build-ids named lately, whose file needs no new open */

struct tt_symbolizer {
	pthread_mutex_t lock;
	struct tt_ksyms *ksyms;
	bool ksyms_tried;
	struct tt_filecache *files;
	struct tt_pidcache *pids;
	struct tt_buildid_index *bids; /* files seen, by build-id: frames of gone processes */
	struct {
		uint8_t id[TT_BUILD_ID_LEN];
		struct tt_filekey key;
		char module[TT_MODULE_LEN];
		bool used;
	} recent[BID_RECENT];
	int recent_next;
};

#define OWN_MAPS_MAX 256

/*
 * The libraries ttytop itself runs with are, in the same root, those of most
 * processes it watches: knowing their build-ids up front names the frames of
 * a process gone before its maps were read without scanning the library
 * directories (2,000+ files: ttytop missed a 10 s exit deadline doing it over
 * 9p in an emulated 5.10 guest).
 */
static void note_own_files(struct tt_symbolizer *s)
{
	struct tt_map *m = calloc(OWN_MAPS_MAX, sizeof(*m));
	uint8_t id[TT_BUILD_ID_LEN];
	int n = m ? tt_procmaps_read(getpid(), m, OWN_MAPS_MAX, true) : 0;

	for (int i = 0; i < n; i++) {
		int fd;

		if (m[i].deleted || m[i].path_truncated || m[i].path[0] != '/' ||
		    (i > 0 && !strcmp(m[i].path, m[i - 1].path)))
			continue;
		fd = open(m[i].path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd < 0)
			continue;
		if (!tt_buildid_of_fd(fd, id))
			tt_buildid_note(s->bids, id, m[i].path);
		close(fd);
	}
	free(m);
}

struct tt_symbolizer *tt_sym_new(void)
{
	struct tt_symbolizer *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	pthread_mutex_init(&s->lock, NULL);
	s->files = tt_filecache_new(TT_SYMCACHE_FILES, TT_SYMCACHE_BYTES);
	s->pids = tt_pidcache_new(TT_SYMCACHE_PIDS);
	s->bids = calloc(1, sizeof(*s->bids));
	if (!s->files || !s->pids || !s->bids) {
		tt_sym_free(s);
		return NULL;
	}
	note_own_files(s);
	return s;
}

void tt_sym_free(struct tt_symbolizer *s)
{
	if (!s)
		return;
	tt_ksyms_free(s->ksyms);
	tt_filecache_free(s->files);
	tt_pidcache_free(s->pids);
	free(s->bids);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static void copy_str(char *dst, size_t n, const char *src)
{
	size_t l = strnlen(src, n - 1);

	memcpy(dst, src, l);
	dst[l] = 0;
}

static int kernel_locked(struct tt_symbolizer *s, uint64_t addr, bool is_ret, struct tt_frame *out)
{
	const char *name, *mod;

	memset(out, 0, sizeof(*out));
	out->addr = addr;
	if (!s->ksyms_tried) {
		s->ksyms_tried = true;
		tt_ksyms_load("/proc/kallsyms", &s->ksyms);
	}
	if (tt_ksyms_lookup(s->ksyms, is_ret && addr ? addr - 1 : addr, &name, &mod) != 0)
		return -ENOENT;
	tt_frame_set_func(out, name);
	tt_frame_set_module(out, mod);
	return 0;
}

int tt_sym_kernel(struct tt_symbolizer *s, uint64_t addr, struct tt_frame *out)
{
	pthread_mutex_lock(&s->lock);
	int r = kernel_locked(s, addr, false, out);
	pthread_mutex_unlock(&s->lock);
	return r;
}

static bool proc_alive(pid_t pid)
{
	char p[32];

	snprintf(p, sizeof(p), "/proc/%d", (int)pid);
	return access(p, F_OK) == 0;
}

static int open_mapped(pid_t pid, const struct tt_map *m)
{
	char p[TT_MAP_PATH_LEN + 64];
	int fd;

	/* map_files works for deleted files and across mount namespaces. */
	snprintf(p, sizeof(p), "/proc/%d/map_files/%llx-%llx", (int)pid,
	         (unsigned long long)m->start, (unsigned long long)m->end);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	/* a deleted file's path now names another file (or none): never guess */
	if (fd >= 0 || m->path_truncated || m->path[0] != '/' || m->deleted)
		return fd;
	snprintf(p, sizeof(p), "/proc/%d/root%s", (int)pid, m->path);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		struct stat st;

		/* the path may have been replaced since it was mapped (package upgrade) */
		if (fstat(fd, &st) || st.st_ino != m->inode || major(st.st_dev) != m->dev_major ||
		    minor(st.st_dev) != m->dev_minor) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

/* A mapped file's build-id, for naming frames once its process is gone. */
static void note_build_id(struct tt_symbolizer *s, int fd, const struct tt_map *m)
{
	uint8_t id[TT_BUILD_ID_LEN];

	/* the path as the process sees it: tt_buildid_open checks it names this file */
	if (!m->deleted && !m->path_truncated && m->path[0] == '/' && !tt_buildid_of_fd(fd, id))
		tt_buildid_note(s->bids, id, m->path);
}

static int user_locked(struct tt_symbolizer *s, pid_t pid, uint64_t addr, bool is_ret,
                       struct tt_frame *out)
{
	struct tt_pidmaps *pm;
	const struct tt_map *m = NULL;
	const struct tt_elfsyms *es = NULL;
	int err;

	memset(out, 0, sizeof(*out));
	out->addr = addr;
	pm = tt_pidcache_get(s->pids, pid, false, &err);
	if (pm)
		m = tt_procmaps_find(pm->maps, pm->n, addr);
	if (!m) { /* new mapping since we cached (dlopen, exec): read again */
		pm = tt_pidcache_get(s->pids, pid, true, &err);
		if (!pm)
			return err == -ESRCH || !proc_alive(pid) ? -ESRCH : err;
		m = tt_procmaps_find(pm->maps, pm->n, addr);
		if (!m)
			return -ENOENT;
	}
	const char *base = strrchr(m->path, '/');
	tt_frame_set_module(out, base ? base + 1 : m->path);
	if (m->path[0] != '/')
		return -ENOENT; /* [vdso], anonymous JIT code */

	size_t idx = (size_t)(m - pm->maps);
	bool hit = false;
	if (pm->have_key[idx])
		es = tt_filecache_get_key(s->files, &pm->keys[idx], &hit);
	if (!hit) {
		int fd = open_mapped(pid, m);
		if (fd < 0)
			return proc_alive(pid) ? -ENOENT : -ESRCH;
		es = tt_filecache_get_fd(s->files, fd, &pm->keys[idx], &err);
		note_build_id(s, fd, m);
		close(fd);
		pm->have_key[idx] = err != -ENOMEM;
	}
	if (!es)
		return -ENOENT;

	uint64_t vaddr, off = addr - m->start + m->off;
	struct tt_elf_hit h;
	if (tt_elfsyms_off_to_vaddr(es, off, &vaddr) != 0)
		return -ENOENT;
	if (is_ret && vaddr)
		vaddr--;
	if (tt_elfsyms_lookup(es, vaddr, &h) != 0)
		return -ENOENT;
	tt_frame_set_func(out, h.func);
	tt_frame_set_file(out, h.file);
	out->line = h.line;
	return 0;
}

int tt_sym_user(struct tt_symbolizer *s, pid_t pid, uint64_t addr, bool is_return_addr,
                struct tt_frame *out)
{
	pthread_mutex_lock(&s->lock);
	int r = user_locked(s, pid, addr, is_return_addr, out);
	pthread_mutex_unlock(&s->lock);
	return r;
}

int tt_sym_event(struct tt_symbolizer *s, struct tt_model_event *ev, const uint64_t *ustack, int un,
                 uint64_t user_ret, const uint64_t *kstack, int kn)
{
	uint64_t addrs[TT_USTACK_MAX];
	bool ret[TT_USTACK_MAX];
	int n = 0;
	bool gone = false;

	if (!s || !ev)
		return -EINVAL;
	if (un < 0 || !ustack)
		un = 0;
	if (kn < 0 || !kstack)
		kn = 0;
	/* ustack[0], the frameless caller's return address, then the walk. */
	for (int i = 0; i < un && n < TT_USTACK_MAX; i++) {
		addrs[n] = ustack[i];
		ret[n++] = i > 0;
		if (i == 0 && user_ret && n < TT_USTACK_MAX) {
			addrs[n] = user_ret;
			ret[n++] = true;
		}
	}
	if (un == 0 && user_ret) {
		addrs[n] = user_ret;
		ret[n++] = true;
	}

	pthread_mutex_lock(&s->lock);
	ev->ustack.n = n;
	for (int i = 0; i < n; i++) {
		struct tt_frame *f = &ev->ustack.frames[i];
		if (gone) {
			memset(f, 0, sizeof(*f));
			f->addr = addrs[i];
			continue;
		}
		if (user_locked(s, (pid_t)ev->pid, addrs[i], ret[i], f) == -ESRCH)
			gone = true;
	}
	if (kn > TT_KSTACK_MAX)
		kn = TT_KSTACK_MAX;
	ev->kstack.n = kn;
	for (int i = 0; i < kn; i++)
		kernel_locked(s, kstack[i], i > 0, &ev->kstack.frames[i]);
	pthread_mutex_unlock(&s->lock);

	ev->stk_flags |= TT_EVSTK_SYMBOLIZED;
	if (gone)
		ev->stk_flags |= TT_EVSTK_PROC_GONE;
	return 0;
}

int tt_sym_prepare_pid(struct tt_symbolizer *s, pid_t pid)
{
	struct tt_pidmaps *pm;
	struct tt_frame f;
	int err, n = 0;

	pthread_mutex_lock(&s->lock);
	pm = tt_pidcache_get(s->pids, pid, true, &err);
	/*
	 * Looking up the first address of each executable mapping opens its
	 * file and caches the symbols under the file's identity; later lookups
	 * then work even when the process is a zombie or gone.
	 */
	for (int i = 0; pm && i < pm->n; i++) {
		if (pm->maps[i].path[0] != '/')
			continue;
		user_locked(s, pid, pm->maps[i].start, false, &f);
		n++;
		pm = tt_pidcache_get(s->pids, pid, false, &err); /* may have been refreshed */
	}
	pthread_mutex_unlock(&s->lock);
	return pm ? n : err;
}

void tt_sym_forget_pid(struct tt_symbolizer *s, pid_t pid)
{
	pthread_mutex_lock(&s->lock);
	tt_pidcache_forget(s->pids, pid);
	pthread_mutex_unlock(&s->lock);
}

/* The segment of es holding file offset off (by_vaddr: address off), executable only. */
static bool in_text(const struct tt_elfsyms *es, uint64_t v, bool by_vaddr)
{
	for (int i = 0; i < es->nsegs; i++) {
		const struct tt_elf_seg *sg = &es->segs[i];
		uint64_t lo = by_vaddr ? sg->vaddr : sg->off;

		if ((sg->flags & PF_X) && v >= lo && v - lo < sg->filesz)
			return true;
	}
	return false;
}

/* Name v, a file offset or a link-time address, in the symbols es. */
static int file_frame(const struct tt_elfsyms *es, uint64_t v, bool by_vaddr, bool is_ret,
                      struct tt_frame *out)
{
	struct tt_elf_hit h;
	uint64_t vaddr = v;

	if (!es || !in_text(es, v, by_vaddr))
		return -ENOENT;
	if (!by_vaddr && tt_elfsyms_off_to_vaddr(es, v, &vaddr) != 0)
		return -ENOENT;
	if (is_ret && vaddr)
		vaddr--;
	if (tt_elfsyms_lookup(es, vaddr, &h) != 0)
		return -ENODATA; /* this file's code, no symbol for it */
	tt_frame_set_func(out, h.func);
	tt_frame_set_file(out, h.file);
	out->line = h.line;
	return 0;
}

static const char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');

	return b ? b + 1 : path;
}

int tt_sym_file_frame(struct tt_symbolizer *s, int fd, const char *module, uint64_t v,
                      bool by_vaddr, bool is_ret, struct tt_frame *out)
{
	const struct tt_elfsyms *es;
	int err, r;

	pthread_mutex_lock(&s->lock);
	es = tt_filecache_get_fd(s->files, fd, NULL, &err);
	r = file_frame(es, v, by_vaddr, is_ret, out);
	if (!r || r == -ENODATA)
		tt_frame_set_module(out, base_name(module));
	pthread_mutex_unlock(&s->lock);
	return r;
}

/* The symbols of the file with build-id id: a recent one, else opened by its path. */
static const struct tt_elfsyms *by_build_id(struct tt_symbolizer *s, const uint8_t *id,
                                            const char **module)
{
	const struct tt_elfsyms *es;
	const char *path;
	bool hit;
	int fd, err, i;

	for (i = 0; i < BID_RECENT; i++) {
		if (!s->recent[i].used || memcmp(s->recent[i].id, id, TT_BUILD_ID_LEN))
			continue;
		es = tt_filecache_get_key(s->files, &s->recent[i].key, &hit);
		if (hit) {
			*module = s->recent[i].module;
			return es;
		}
		break;
	}
	fd = tt_buildid_open(s->bids, id, &path);
	if (fd < 0)
		return NULL;
	i = s->recent_next;
	s->recent_next = (i + 1) % BID_RECENT;
	es = tt_filecache_get_fd(s->files, fd, &s->recent[i].key, &err);
	close(fd);
	memcpy(s->recent[i].id, id, TT_BUILD_ID_LEN);
	copy_str(s->recent[i].module, sizeof(s->recent[i].module), base_name(path));
	s->recent[i].used = err != -ENOMEM;
	*module = s->recent[i].module;
	return es;
}

int tt_sym_build_id(struct tt_symbolizer *s, const uint8_t *id, uint64_t off, bool is_ret,
                    struct tt_frame *out)
{
	const struct tt_elfsyms *es;
	const char *module = "";
	int r;

	pthread_mutex_lock(&s->lock);
	es = by_build_id(s, id, &module);
	r = file_frame(es, off, false, is_ret, out);
	if (!r || r == -ENODATA)
		tt_frame_set_module(out, module);
	pthread_mutex_unlock(&s->lock);
	return r;
}

/* The n bytes before addr from the file pid had mapped there, checked to be that file. */
static bool file_code_before(struct tt_symbolizer *s, pid_t pid, uint64_t addr, uint8_t *out,
                             size_t n)
{
	struct tt_pidmaps *pm;
	const struct tt_map *m;
	struct stat st;
	bool ok = false;
	int err, fd;

	pm = tt_pidcache_get(s->pids, pid, false, &err);
	m = pm ? tt_procmaps_find(pm->maps, pm->n, addr - 1) : NULL;
	if (!m || addr - m->start < n || m->deleted || m->path_truncated || m->path[0] != '/')
		return false;
	fd = open(m->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return false;
	if (!fstat(fd, &st) && st.st_ino == m->inode && major(st.st_dev) == m->dev_major &&
	    minor(st.st_dev) == m->dev_minor)
		ok = pread(fd, out, n, (off_t)(addr - n - m->start + m->off)) == (ssize_t)n;
	close(fd);
	return ok;
}

bool tt_sym_follows_call(struct tt_symbolizer *s, pid_t pid, uint64_t ret)
{
	_Alignas(8) uint8_t code[16] = {0};
	bool ok;

	if (tt_arch_follows_call(pid, ret))
		return true;
	if (!s || proc_alive(pid))
		return false;
	/* gone: the same check on the bytes of the file, copied into our own memory */
	pthread_mutex_lock(&s->lock);
	ok = file_code_before(s, pid, ret, code, 8);
	pthread_mutex_unlock(&s->lock);
	return ok && tt_arch_follows_call(getpid(), (uint64_t)(uintptr_t)(code + 8));
}
