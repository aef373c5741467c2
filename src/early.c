// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Why this exists: the kernel says "new writer" as the process first writes,
 * and user space reads /proc/PID a little later. A program that writes once
 * and exits (esbuild --version), or writes a burst in a few ms, is gone by
 * then. Its events carry g's words and build-id frames (struct tt_early);
 * this file finds the executable again from the first-write record (path
 * in the process's mount namespace, checked against the inode that ran) and
 * fills in what the ordinary path could not.
 */
#include "early.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "arch.h"
#include "buildid.h"
#include "goinfo.h"

#define NS_SCAN_MAX 4096 /* /proc entries looked at for a process in the same mount ns */
#define PHDRS_MAX 64
#define BID_CANDS 8 /* files of one stack learned from its build-id frames */

#if defined(__aarch64__)
#define GREG_FLAG TT_EV_GOID_R28
#else
#define GREG_FLAG TT_EV_GOID_R14
#endif

void tt_early_init(struct tt_early_tab *t)
{
	memset(t, 0, sizeof(*t));
	for (int i = 0; i < TT_EARLY_PROCS; i++)
		t->p[i].exe_fd = -1;
}

static void proc_clear(struct tt_early_proc *p)
{
	if (p->exe_fd >= 0)
		close(p->exe_fd);
	memset(p, 0, sizeof(*p));
	p->exe_fd = -1;
}

void tt_early_free(struct tt_early_tab *t)
{
	for (int i = 0; i < TT_EARLY_PROCS; i++)
		proc_clear(&t->p[i]);
}

static struct tt_early_proc *find(struct tt_early_tab *t, uint32_t tgid)
{
	for (int i = 0; i < TT_EARLY_PROCS; i++)
		if (t->p[i].used && t->p[i].tgid == tgid)
			return &t->p[i];
	return NULL;
}

/* tgid's entry, a new one replacing the oldest when it has none. */
static struct tt_early_proc *slot(struct tt_early_tab *t, uint32_t tgid)
{
	struct tt_early_proc *p = find(t, tgid), *old = &t->p[0];

	if (!p) {
		for (int i = 0; i < TT_EARLY_PROCS && old->used; i++)
			if (!t->p[i].used || t->p[i].stamp < old->stamp)
				old = &t->p[i];
		p = old;
	}
	proc_clear(p);
	p->used = true;
	p->tgid = tgid;
	p->stamp = ++t->clock;
	return p;
}

bool tt_early_exe_path(const struct tt_new_proc *r, char *out, size_t len)
{
	size_t at = 0;

	if (!r->exe.dev || r->exe.nparts == 0 || r->exe.nparts > TT_EXE_PARTS || len < 2)
		return false;
	for (int i = (int)r->exe.nparts - 1; i >= 0; i--) {
		size_t n = strnlen(r->exe.parts[i], TT_EXE_PART_LEN);

		/* a truncated component (no NUL) or a '/' inside one is not a path we trust */
		if (n == 0 || n >= TT_EXE_PART_LEN - 1 || memchr(r->exe.parts[i], '/', n) ||
		    at + 1 + n >= len)
			return false;
		out[at++] = '/';
		memcpy(out + at, r->exe.parts[i], n);
		at += n;
	}
	out[at] = 0;
	return true;
}

/*
 * The open file is the executable that ran: same inode and size (a replaced
 * file is a new inode, whose number may be the freed old one's), on the same
 * device unless the file system reports an anonymous one (major 0: btrfs
 * subvolumes, overlayfs), which differs from the superblock's.
 */
static bool same_exe(int fd, const struct tt_new_proc *r)
{
	struct stat st;

	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_ino != r->exe.ino ||
	    (uint64_t)st.st_size != r->exe.size)
		return false;
	return major(st.st_dev) == 0 || (major(st.st_dev) == (r->exe.dev >> TT_DEV_MINOR_BITS) &&
	                                 minor(st.st_dev) == (r->exe.dev & TT_DEV_MINOR_MASK));
}

static int open_checked(const char *path, const struct tt_new_proc *r)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd >= 0 && !same_exe(fd, r)) {
		close(fd); /* replaced on disk since, or another namespace's file */
		fd = -1;
	}
	return fd;
}

/* The mount namespace /proc/PID/ns/mnt names ("self" for ours), 0 if unknown. */
static uint64_t mnt_ns_of(const char *pid)
{
	char p[64], link[64];
	unsigned long long ino;
	ssize_t n;

	snprintf(p, sizeof(p), "/proc/%s/ns/mnt", pid);
	n = readlink(p, link, sizeof(link) - 1);
	if (n <= 0)
		return 0;
	link[n] = 0;
	return sscanf(link, "mnt:[%llu]", &ino) == 1 ? ino : 0;
}

/*
 * The path is walked up to the root of the mount namespace, and the root the
 * file is opened from may be a directory below it (ttytop's or a process's
 * chroot: a test VM's root is the initramfs's /new): the file is then at one
 * of the path's tails. Each is checked to be the file that ran.
 */
static int open_tails(const char *prefix, const char *path, const struct tt_new_proc *r)
{
	char p[TT_EARLY_PATH_LEN + 64];
	int fd = -1;

	for (const char *s = path; fd < 0 && s; s = strchr(s + 1, '/')) {
		snprintf(p, sizeof(p), "%s%s", prefix, s);
		fd = open_checked(p, r);
	}
	return fd;
}

static int open_via(const char *pid, const char *path, const struct tt_new_proc *r)
{
	char root[64];

	if (snprintf(root, sizeof(root), "/proc/%s/root", pid) >= (int)sizeof(root))
		return -1;
	return open_tails(root, path, r);
}

/*
 * Through the root of a live process in the same mount namespace (a
 * container's): the one found last for that namespace, else a bounded scan.
 */
static int open_in_ns(struct tt_early_tab *t, const struct tt_new_proc *r, const char *path)
{
	struct tt_ns_hint *h = &t->ns_hint[r->exe.mnt_ns % TT_EARLY_NS_HINTS];
	char pid[16];
	DIR *d;
	struct dirent *de;
	int fd = -1, seen = 0;

	if (!r->exe.mnt_ns || r->exe.mnt_ns == mnt_ns_of("self"))
		return -1; /* our own namespace: the path was the answer */
	snprintf(pid, sizeof(pid), "%u", h->pid);
	if (h->mnt_ns == r->exe.mnt_ns && mnt_ns_of(pid) == r->exe.mnt_ns)
		return open_via(pid, path, r);
	d = opendir("/proc");
	if (!d)
		return -1;
	while (fd < 0 && seen++ < NS_SCAN_MAX && (de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9' ||
		    mnt_ns_of(de->d_name) != r->exe.mnt_ns)
			continue;
		h->mnt_ns = r->exe.mnt_ns;
		h->pid = (uint32_t)strtoul(de->d_name, NULL, 10);
		fd = open_via(de->d_name, path, r);
	}
	closedir(d);
	return fd;
}

/* The executable of r's process: alive through /proc/PID/exe, else by its path. */
static int open_exe(struct tt_early_tab *t, struct tt_early_proc *p, const struct tt_new_proc *r)
{
	char proc[64];
	int fd;

	snprintf(proc, sizeof(proc), "/proc/%u/exe", r->tgid);
	fd = open_checked(proc, r);
	if (!tt_early_exe_path(r, p->exe_path, sizeof(p->exe_path)))
		snprintf(p->exe_path, sizeof(p->exe_path), "%.*s", TT_COMM_LEN, r->comm);
	else if (fd < 0)
		fd = open_tails("", p->exe_path, r);
	if (fd < 0 && p->exe_path[0] == '/')
		fd = open_in_ns(t, r, p->exe_path);
	return fd;
}

/*
 * Load bias from mm->start_code, which binfmt_elf sets to the lowest
 * p_vaddr of the executable PT_LOAD segments plus the bias: 0 for ET_EXEC
 * (Go's default), the ASLR slide for PIE.
 */
static int exe_bias(int fd, uint64_t start_code, uint64_t *bias)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph[PHDRS_MAX];
	uint64_t lo = UINT64_MAX;
	size_t nph;

	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr))
		return -ENOEXEC;
	if (eh.e_type == ET_EXEC) {
		*bias = 0;
		return 0;
	}
	nph = eh.e_phnum < PHDRS_MAX ? eh.e_phnum : PHDRS_MAX;
	if (pread(fd, ph, nph * sizeof(ph[0]), (off_t)eh.e_phoff) != (ssize_t)(nph * sizeof(ph[0])))
		return -ENOEXEC;
	for (size_t i = 0; i < nph; i++)
		if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & PF_X) && ph[i].p_vaddr < lo)
			lo = ph[i].p_vaddr;
	if (lo == UINT64_MAX || start_code < lo)
		return -ENOEXEC;
	*bias = start_code - lo;
	return 0;
}

void tt_early_proc(struct tt_early_tab *t, const struct tt_new_proc *r, int go,
                   const struct tt_go_proc *layout)
{
	struct tt_early_proc *p = slot(t, r->tgid);
	struct tt_goinfo gi;
	int fd;

	if (layout) {
		p->off = *layout;
		p->has_layout = true;
	}
	/*
	 * Even when its maps were read in time, the process may have exited
	 * before the files they name were opened: the executable is kept.
	 */
	fd = open_exe(t, p, r);
	if (fd < 0)
		return;
	if (go < 0 && tt_goinfo_for_fd(fd, &gi) == 1) {
		p->off = gi.off;
		p->has_layout = true;
	}
	if (exe_bias(fd, r->exe.start_code, &p->bias)) {
		close(fd);
		return;
	}
	p->exe_fd = fd;
	p->bias_known = true;
	p->has_bid = !tt_buildid_of_fd(fd, p->exe_bid);
}

/*
 * The executable's own frames are named from exe_fd: looking its build-id up
 * instead would scan the library directories for a file that is not there.
 */
static bool exe_id(const struct tt_early_proc *p, const uint8_t *id)
{
	return p && p->bias_known && p->has_bid && !memcmp(p->exe_bid, id, TT_BUILD_ID_LEN);
}

int64_t tt_early_goid(const struct tt_go_proc *o, const struct tt_early *x, uint32_t *flags)
{
	uint64_t g = x->greg;
	int64_t rel = (int64_t)o->tls_g_off - TT_TLS_WIN_BASE;
	bool on_stack;

	if (!(x->flags & TT_EARLY_GWIN) || !g || o->goid_off % 8 ||
	    o->goid_off / 8 >= TT_GWIN_WORDS)
		return -1;
	/* g from TLS, confirmed by the register, as the kernel reads it for registered ones */
	if (!o->g_in_reg && (!(x->flags & TT_EARLY_TLS) || rel < 0 || rel % 8 ||
	                     rel / 8 >= TT_TLS_WIN_WORDS || x->tlswin[rel / 8] != g))
		return -1;
	/* g.stack holds the stack the syscall was made on: a real g, not a stray value */
	on_stack = x->gwin[0] <= x->sp && x->sp < x->gwin[1];
	if (!on_stack)
		return -1;
	/* on the thread's g0 or gsignal the goroutine is m.curg, which is not captured */
	if (o->g_m_off == 48 && (x->flags & TT_EARLY_MWIN)) {
		if (o->m_g0_off % 8 == 0 && o->m_g0_off / 8 < TT_MWIN_WORDS &&
		    x->mwin[o->m_g0_off / 8] == g)
			return -1;
		if (o->m_gsignal_off % 8 == 0 && o->m_gsignal_off / 8 < TT_MWIN_WORDS &&
		    x->mwin[o->m_gsignal_off / 8] == g)
			return -1;
	} else if (o->g_in_reg) {
		return -1; /* the register alone is believed only when its m agrees */
	}
	*flags |= TT_EV_GOID | GREG_FLAG | (o->g_in_reg ? TT_EV_GOID_REG : 0);
	return (int64_t)x->gwin[o->goid_off / 8];
}

/* A file of this stack known by its build-id, and where the process had it mapped. */
struct bid_cand {
	const uint8_t *id;
	uint64_t delta; /* address - file offset */
};

/* Each distinct file of the build-id walk, with the delta its frames show. */
static int learn_cands(const struct tt_early_proc *p, const struct tt_event *e,
                       const struct tt_early *x, struct bid_cand *c)
{
	uint32_t n = x->nbuild < e->ustack_len ? x->nbuild : e->ustack_len;
	int nc = 0;

	if (n > TT_USTACK_MAX)
		n = TT_USTACK_MAX;
	for (uint32_t i = 0; i < n && nc < BID_CANDS; i++) {
		const struct tt_build_id_frame *b = &x->build[i];
		bool dup = false;

		if (b->status != 1 || e->ustack[i] < b->off_or_ip || exe_id(p, b->build_id))
			continue;
		for (int k = 0; k < nc && !dup; k++)
			dup = !memcmp(c[k].id, b->build_id, TT_BUILD_ID_LEN);
		if (!dup)
			c[nc++] = (struct bid_cand){b->build_id, e->ustack[i] - b->off_or_ip};
	}
	return nc;
}

/* 0 named, -ENODATA placed in a file without a name, else not placed: t gets the result. */
static int try_frame(int r, struct tt_frame *f, const struct tt_frame *t)
{
	if (r == 0 || r == -ENODATA) {
		*f = *t;
		return r;
	}
	return -ENOENT;
}

/*
 * One frame the maps could not place: its own build-id entry, a file of the
 * same stack, the executable. True when named.
 */
static bool name_frame(const struct tt_early_proc *p, struct tt_symbolizer *sym,
                       const struct tt_event *e, const struct tt_early *x, const struct bid_cand *c,
                       int nc, struct tt_frame *f, bool is_ret)
{
	uint32_t n = x->nbuild < e->ustack_len ? x->nbuild : e->ustack_len;
	struct tt_frame t = {.addr = f->addr};
	int r = -ENOENT;

	for (uint32_t i = 0; i < n && i < TT_USTACK_MAX && r == -ENOENT; i++) {
		const struct tt_build_id_frame *b = &x->build[i];

		if (e->ustack[i] == f->addr && b->status == 1 && !exe_id(p, b->build_id))
			r = try_frame(tt_sym_build_id(sym, b->build_id, b->off_or_ip, is_ret, &t),
			              f, &t);
	}
	for (int k = 0; k < nc && r == -ENOENT; k++)
		if (f->addr >= c[k].delta)
			r = try_frame(
			    tt_sym_build_id(sym, c[k].id, f->addr - c[k].delta, is_ret, &t), f, &t);
	if (r == -ENOENT && p && p->bias_known && f->addr >= p->bias)
		r = try_frame(tt_sym_file_frame(sym, p->exe_fd, p->exe_path, f->addr - p->bias,
		                                true, is_ret, &t),
		              f, &t);
	return r == 0;
}

/*
 * Frame 1, the frameless syscall wrapper's caller, is shown only when the
 * code before it is a call. The collector asks the live process; for one
 * that is gone the arch check reads the bytes the kernel copied, from here.
 */
static void insert_user_ret(const struct tt_event *e, const struct tt_early *x,
                            struct tt_model_event *ev)
{
	uint32_t raw = e->ustack_len < TT_USTACK_MAX ? e->ustack_len : TT_USTACK_MAX;
	_Alignas(8) uint8_t code[16] = {0};
	struct tt_stack *u = &ev->ustack;

	if (!(e->flags & TT_EV_USER_RET) || !e->user_ret || !(x->flags & TT_EARLY_RETCODE) ||
	    (raw >= 2 && e->user_ret == e->ustack[1]) || raw == 0 || raw >= TT_USTACK_MAX ||
	    u->n != (int)raw)
		return;
	memcpy(code, x->ret_code, sizeof(x->ret_code));
	if (!tt_arch_follows_call(getpid(), (uint64_t)(uintptr_t)(code + sizeof(x->ret_code))))
		return;
	memmove(&u->frames[2], &u->frames[1], sizeof(u->frames[0]) * (size_t)(u->n - 1));
	memset(&u->frames[1], 0, sizeof(u->frames[1]));
	u->frames[1].addr = e->user_ret;
	u->n++;
}

void tt_early_stash(struct tt_early_tab *t, const struct tt_early_rec *r)
{
	int i = t->stash_next;

	t->stash_next = (i + 1) % TT_EARLY_STASH;
	t->stash[i] = *r;
	t->stash_used[i] = true;
}

const struct tt_early *tt_early_take(struct tt_early_tab *t, uint32_t tid, uint64_t start_ns)
{
	/* newest first: its event follows it closely in the ring */
	for (int k = 1; k <= TT_EARLY_STASH; k++) {
		int i = (t->stash_next - k + TT_EARLY_STASH) % TT_EARLY_STASH;

		if (t->stash_used[i] && t->stash[i].tid == tid &&
		    t->stash[i].start_ns == start_ns) {
			t->stash_used[i] = false;
			return &t->stash[i].x;
		}
	}
	return NULL;
}

void tt_early_event(struct tt_early_tab *t, struct tt_symbolizer *sym, const struct tt_event *e,
                    const struct tt_early *x, struct tt_model_event *ev)
{
	struct tt_early_proc *p = find(t, ev->pid);
	struct bid_cand c[BID_CANDS];
	int nc;

	if (ev->goid < 0 && p && p->has_layout) {
		uint32_t fl = 0;
		int64_t goid = tt_early_goid(&p->off, x, &fl);

		if (goid >= 0) {
			ev->goid = goid;
			ev->flags = (ev->flags & ~TT_EV_GOID_BITS) | fl | TT_EV_GO;
			t->fixed_goids++;
		}
	}
	if (!sym || ev->no_ustack)
		return;
	insert_user_ret(e, x, ev);
	nc = learn_cands(p, e, x, c);
	for (int i = 0; i < ev->ustack.n; i++) {
		struct tt_frame *f = &ev->ustack.frames[i], keep = *f;

		if (f->func)
			continue;
		bool named = name_frame(p, sym, e, x, c, nc, f, i > 0);

		/* the maps placed it in another file: they know better */
		if (keep.module && keep.module != f->module)
			*f = keep;
		else if (named)
			t->fixed_frames++;
	}
}
