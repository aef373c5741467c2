// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Goroutine rows read from outside a running Go program. What the binary
 * says (where runtime.allgs is, the struct offsets, .gopclntab) is resolved
 * once per executable file and cached; each read then walks allgs through
 * the process's memory: one read for the pointer array chunk, one per g for
 * the span of fields used, a few per stack. The program runs on meanwhile,
 * so every value is checked before it is followed, and a stack whose g
 * moved while it was unwound is marked changed rather than trusted.
 */
#include "goroutines.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <linux/types.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arch.h"

#ifndef EM_AARCH64
#define EM_AARCH64 183
#endif
#include "elfsym.h"
#include "clock.h"
#include "goinfo.h"
#include "gowait.h"
#include "procmaps.h"

#define G_SCAN 0x1000u
enum {
	G_IDLE,
	G_RUNNABLE,
	G_RUNNING,
	G_SYSCALL,
	G_WAITING,
	G_MORIBUND,
	G_DEAD,
	G_ENQUEUE,
	G_COPYSTACK,
	G_PREEMPTED,
	G_NSTATUS
};

#define ALLG_MAX (1u << 20)    /* g pointers examined; past that the rest count as live */
#define ALLG_CHUNK 1024        /* pointers read at once */
#define STACK_WINDOW 4096      /* stack bytes read at once while unwinding */
#define STACK_MAX (1ull << 30) /* the runtime's own maximum goroutine stack */
#define FRAME_MAX (1 << 20)    /* a frame larger than this is not believed */
#define GSPAN_MAX 1024         /* bytes of g read per goroutine */
#define MCACHE 64              /* m -> procid remembered per read */
#define BATCH 256              /* g's read in one batch */
#define FIRST_WINDOW 1024      /* stack bytes read with the batch: often a parked g's whole stack */

static const char *const status_words[G_NSTATUS] = {
    "idle", "runnable",       "running",   "syscall",   "waiting", "moribund_unused",
    "dead", "enqueue_unused", "copystack", "preempted",
};

const char *tt_go_status_word(uint32_t status)
{
	status &= ~G_SCAN;
	/* the runtime prints ??? for a value outside its table (traceback.go) */
	return status < G_NSTATUS ? status_words[status] : "???";
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8); /* amd64 and arm64: the target's order is ours */
	return v;
}

static uint32_t le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static void set_why(struct tt_pane *p, const char *fmt, const char *arg)
{
	snprintf(p->why_no_goroutines, sizeof(p->why_no_goroutines), fmt, arg);
}

/* ---- what the executable says -------------------------------------------- */

/* Link-time address of data symbols by name from .symtab (STT_OBJECT). */
static void data_syms(Elf *e, const char *const *names, uint64_t *out, uint64_t *size, int n)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(e, scn)) != NULL) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || sh.sh_entsize == 0 ||
		    sh.sh_size > TT_ELF_MAX_SECTION)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		size_t cnt = d ? d->d_size / sh.sh_entsize : 0;
		for (size_t i = 0; i < cnt; i++) {
			GElf_Sym s;
			const char *nm;
			if (!gelf_getsym(d, (int)i, &s) || GELF_ST_TYPE(s.st_info) != STT_OBJECT ||
			    s.st_value == 0 || !(nm = elf_strptr(e, sh.sh_link, s.st_name)))
				continue;
			for (int k = 0; k < n; k++)
				if (!out[k] && strcmp(nm, names[k]) == 0) {
					out[k] = s.st_value;
					size[k] = s.st_size;
				}
		}
		return;
	}
}

/* Functions a goroutine's stack ends in: the runtime's top frames. */
static const char *const stop_funcs[] = {
    "runtime.goexit",    "runtime.mstart",      "runtime.rt0_go",     "runtime.mcall",
    "runtime.morestack", "runtime.systemstack", "runtime.asmcgocall",
};

/*
 * Stripped (no .symtab): the runtime function that appends to allgs
 * references it PC-relatively; each data address its code names is a
 * candidate, checked later against the live memory (tt_gort_pick).
 */
static void allgs_candidates(int fd, struct tt_gort *rt)
{
	static const char *const funcs[] = {"runtime.allgadd", "runtime.forEachG"};
	uint8_t code[2048];

	for (size_t f = 0; f < sizeof(funcs) / sizeof(funcs[0]) && rt->ncand == 0; f++) {
		uint64_t entry, end, off;
		if (!rt->es->has_pcln || tt_pcln_find(&rt->es->pcln, funcs[f], &entry, &end) != 0 ||
		    tt_elfsyms_vaddr_to_off(rt->es, entry, &off) != 0)
			continue;
		size_t n = end - entry < sizeof(code) ? (size_t)(end - entry) : sizeof(code);
		if (pread(fd, code, n, (off_t)off) != (ssize_t)n)
			continue;
		int k = tt_arch_data_refs(code, n, entry, rt->cand, TT_GORT_CANDS);
		rt->ncand = k > 0 ? k : 0;
	}
}

void tt_gort_free(struct tt_gort *rt)
{
	tt_elfsyms_free(rt->es);
	memset(rt, 0, sizeof(*rt));
}

int tt_gort_load(struct tt_gort *rt, int fd, char *why, size_t whylen)
{
	struct tt_goinfo gi;
	static const char *const names[] = {"runtime.allgs", "runtime.waitReasonStrings"};
	uint64_t addr[2] = {0, 0}, size[2] = {0, 0};
	Elf *e;
	int r;

	memset(rt, 0, sizeof(*rt));
	if (whylen)
		why[0] = 0;
	r = tt_goinfo_for_fd(fd, &gi);
	if (r == 0 || gi.major == 0) {
		snprintf(why, whylen, r == 0 ? "not a Go program" : "Go version not found");
		return r == 0 ? -ENOEXEC : r < 0 ? r : -ENOENT;
	}
	rt->major = gi.major;
	rt->minor = gi.minor;
	r = tt_go_goff_for_fd(fd, gi.major, gi.minor, &rt->off);
	if (r < 0) {
		snprintf(why, whylen, "no struct g offsets for %s (no DWARF)", gi.version);
		return r;
	}
	rt->off_from_dwarf = r == 1;
	r = tt_elfsyms_load_fd(fd, &rt->es);
	if (r < 0) {
		snprintf(why, whylen, "executable not readable");
		return r;
	}
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	GElf_Ehdr eh;
	bool own_arch = false;
	if (e && gelf_getehdr(e, &eh)) {
		rt->lr_machine = eh.e_machine == EM_AARCH64;
		own_arch = eh.e_machine == tt_arch_elf_machine;
	}
	if (e) {
		data_syms(e, names, addr, size, 2);
		elf_end(e);
	}
	rt->pie = rt->es->e_type == ET_DYN;
	rt->wrs = addr[1];
	rt->nwrs = size[1] / 16 < TT_GORT_WAITS ? (int)(size[1] / 16) : TT_GORT_WAITS;
	if (addr[0]) {
		rt->allgs = addr[0];
		rt->src = "symtab";
	} else {
		if (own_arch) /* the decoder reads this machine's code only */
			allgs_candidates(fd, rt);
		if (rt->ncand == 0) {
			snprintf(why, whylen, "stripped: runtime.allgs not found");
			tt_gort_free(rt);
			return -ENOENT;
		}
		rt->src = "decoder";
	}
	for (size_t i = 0; rt->es->has_pcln && i < sizeof(stop_funcs) / sizeof(stop_funcs[0]) &&
	                   rt->nstop < TT_GORT_STOPS;
	     i++) {
		uint64_t entry;
		if (tt_pcln_find(&rt->es->pcln, stop_funcs[i], &entry, NULL) == 0)
			rt->stop[rt->nstop++] = entry;
	}
	return 0;
}

/* ---- reading the g's ----------------------------------------------------- */

struct walk {
	const struct tt_gort *rt;
	struct tt_mem *mem;
	uint64_t bias;
	uint32_t span; /* bytes of g read */
	struct {
		uint64_t m;
		uint32_t tid;
	} mc[MCACHE];
	int nmc;
	uint8_t win[STACK_WINDOW];
	const uint8_t *winp; /* the window's bytes: win, or a batch's first window */
	uint64_t win_lo, win_len;
	/* one batch of g's: their spans, read again after the unwinds, and the
	 * first window of each stack */
	struct tt_mem_seg seg[BATCH];
	uint8_t g[BATCH][GSPAN_MAX], g2[BATCH][GSPAN_MAX], first[BATCH][FIRST_WINDOW];
	uint64_t gp[BATCH];
	struct tt_pane_goroutine *row[BATCH];
	struct {
		uint64_t pc, sp, lr, lo, hi;
	} ctx[BATCH];
	bool live[BATCH], unw[BATCH];
};

static uint32_t gspan(const struct tt_go_goff *o)
{
	uint32_t m = 0;
	uint16_t ends[] = {
	    (uint16_t)(o->stack_lo + 8),
	    (uint16_t)(o->stack_hi + 8),
	    (uint16_t)(o->goid + 8),
	    (uint16_t)(o->atomicstatus + 4),
	    (uint16_t)(o->waitreason + 1),
	    (uint16_t)(o->waitsince + 8),
	    (uint16_t)(o->m + 8),
	    (uint16_t)(o->sched + o->gobuf_sp + 8),
	    (uint16_t)(o->sched + o->gobuf_pc + 8),
	    (uint16_t)(o->sched + o->gobuf_lr + 8),
	    (uint16_t)(o->syscallsp + 8),
	    (uint16_t)(o->syscallpc + 8),
	    (uint16_t)(o->tracking_seq + 1),
	};
	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++)
		if (ends[i] > m)
			m = ends[i];
	return m;
}

/* A stack word at a, through a window of the stack read at once. */
static bool stack_word(struct walk *w, uint64_t a, uint64_t hi, uint64_t *v)
{
	if (a & 7 || a < w->win_lo || a - w->win_lo + 8 > w->win_len) {
		if (a & 7 || a >= hi || hi - a < 8)
			return false;
		uint64_t n = hi - a < STACK_WINDOW ? hi - a : STACK_WINDOW;
		w->win_len = 0;
		w->winp = w->win;
		if (tt_mem_read(w->mem, a, w->win, (size_t)n) != 0)
			return false;
		w->win_lo = a;
		w->win_len = n;
	}
	*v = le64(w->winp + (a - w->win_lo));
	return true;
}

static bool is_stop(const struct tt_gort *rt, uint64_t entry)
{
	for (int i = 0; i < rt->nstop; i++)
		if (rt->stop[i] == entry)
			return true;
	return false;
}

/*
 * Go's own unwinding (runtime/traceback.go): the frame's size at pc is the
 * pcsp value; on amd64 the return address sits just above the frame
 * (fp = sp + delta + 8, ret = *(fp - 8)); on arm64, an LR machine, a
 * function with a frame saved LR at *(sp) and fp = sp + delta, while a
 * frameless innermost one still has it in the saved lr. Only PCs the
 * pclntab knows are kept: anything else stops the walk, so a stack word
 * that is no return address is never named.
 */
static void unwind(struct walk *w, uint64_t pc, uint64_t sp, uint64_t lr, uint64_t lo, uint64_t hi,
                   struct tt_pane_stack *st)
{
	const struct tt_pcln *t = &w->rt->es->pcln;
	bool lr_machine = w->rt->lr_machine;

	st->n = 0;
	for (;;) {
		int32_t d;
		uint64_t entry, ret, fp;

		if (st->n == TT_PANE_DEPTH) {
			st->flags |= TT_PSTK_TRUNCATED;
			return;
		}
		if (sp < lo || sp >= hi || tt_pcln_spdelta(t, pc - w->bias, &d, &entry) != 0 ||
		    d > FRAME_MAX) {
			st->flags |= TT_PSTK_TRUNCATED;
			return;
		}
		st->f[st->n++] = (struct tt_pane_frame){pc, UINT32_MAX, 0};
		if (is_stop(w->rt, entry))
			return;
		fp = sp + (uint64_t)d + (lr_machine ? 0 : 8);
		if (fp > hi) {
			st->flags |= TT_PSTK_TRUNCATED;
			return;
		}
		if (lr_machine && (st->n > 1 || d > 0 || lr == 0)) {
			if (!stack_word(w, sp, hi, &ret))
				ret = 0, st->flags |= TT_PSTK_TRUNCATED;
		} else if (lr_machine) {
			ret = lr;
		} else if (!stack_word(w, fp - 8, hi, &ret)) {
			ret = 0, st->flags |= TT_PSTK_TRUNCATED;
		}
		if (ret == 0)
			return;
		pc = ret;
		sp = fp;
	}
}

static uint32_t m_tid(struct walk *w, uint64_t m)
{
	uint8_t b[8];

	for (int i = 0; i < w->nmc; i++)
		if (w->mc[i].m == m)
			return w->mc[i].tid;
	uint64_t id = 0;
	if (!(m & 7) && tt_mem_read(w->mem, m + w->rt->off.m_procid, b, 8) == 0)
		id = le64(b);
	uint32_t tid = id > 0 && id < (1u << 30) ? (uint32_t)id : 0; /* PID_MAX_LIMIT */
	if (w->nmc < MCACHE) {
		w->mc[w->nmc].m = m;
		w->mc[w->nmc++].tid = tid;
	}
	return tid;
}

/* Where an unwind starts: the syscall's context in a syscall, else sched. */
static void start_ctx(const struct tt_go_goff *o, const uint8_t *g, uint32_t st, uint64_t *pc,
                      uint64_t *sp, uint64_t *lr)
{
	if (st == G_SYSCALL) {
		*pc = le64(g + o->syscallpc);
		*sp = le64(g + o->syscallsp);
		*lr = 0;
	} else {
		*pc = le64(g + o->sched + o->gobuf_pc);
		*sp = le64(g + o->sched + o->gobuf_sp);
		*lr = le64(g + o->sched + o->gobuf_lr);
	}
}

static void fill_wait(const struct tt_gort *rt, const uint8_t *g, uint32_t st, uint64_t now_mono,
                      struct tt_pane_goroutine *row)
{
	const struct tt_go_goff *o = &rt->off;
	const char *why = NULL;

	if (st == G_WAITING)
		why = tt_go_wait_reason(rt->major, rt->minor, g[o->waitreason]);
	if (st == G_WAITING && !why && g[o->waitreason] < rt->nwr)
		why = rt->wr[g[o->waitreason]];
	snprintf(row->wait_reason, sizeof(row->wait_reason), "%s", why ? why : "");
	/*
	 * waitsince is set by the first GC mark phase that finds the g
	 * waiting or in a syscall, to that GC's start (mgcmark.go), and
	 * cleared when it runs again: the wait began earlier than that, and
	 * with no GC since it began it is 0. So it is a lower bound at best,
	 * on the runtime's nanotime, which is CLOCK_MONOTONIC.
	 */
	uint64_t since = le64(g + o->waitsince);
	row->wait_ns = 0;
	row->wait_exact = false;
	if ((st == G_WAITING || st == G_SYSCALL) && since > 0 && since <= now_mono)
		row->wait_ns = now_mono - since;
}

/*
 * After the unwind: the g's status and saved context again (g2). Changed,
 * the stack words read may be of another wait; only the first frame, which
 * came with the g itself, is kept.
 */
static void recheck(const struct tt_go_goff *o, const uint8_t *g, const uint8_t *g2, int err,
                    struct tt_pane_goroutine *row)
{
	if (err || le32(g2 + o->atomicstatus) != le32(g + o->atomicstatus) ||
	    le64(g2 + o->sched + o->gobuf_sp) != le64(g + o->sched + o->gobuf_sp) ||
	    le64(g2 + o->sched + o->gobuf_pc) != le64(g + o->sched + o->gobuf_pc) ||
	    le64(g2 + o->syscallsp) != le64(g + o->syscallsp) ||
	    le64(g2 + o->syscallpc) != le64(g + o->syscallpc)) {
		row->stack.flags |= TT_PSTK_CHANGED;
		if (row->stack.n > 1)
			row->stack.n = 1;
	}
}

/* Whether g (its span read) is a live goroutine: not dead, not nonsense. */
static bool g_live(const struct tt_go_goff *o, const uint8_t *g)
{
	uint32_t raw = le32(g + o->atomicstatus), st = raw & ~G_SCAN;

	/*
	 * dead g's are kept in allgs for reuse: no goroutine, not counted. Nor
	 * is an idle one: newproc makes a g dead before allgadd lists it, so an
	 * idle g in allgs is memory that is no g (zeroed, or freed and reused)
	 * -- as is one without a goid, which starts at 1.
	 */
	return st < G_NSTATUS && st != G_DEAD && st != G_IDLE && !(raw & ~(G_SCAN | 0xffu)) &&
	       (int64_t)le64(g + o->goid) > 0;
}

/* A row from g's span; true when its stack is to be unwound from ctx. */
static bool fill_row(struct walk *w, const uint8_t *g, uint64_t now_mono, uint64_t now_real,
                     struct tt_pane_goroutine *row, int j)
{
	const struct tt_go_goff *o = &w->rt->off;
	uint32_t st = le32(g + o->atomicstatus) & ~G_SCAN;

	memset(row, 0, offsetof(struct tt_pane_goroutine, stack));
	row->stack.n = 0;
	row->stack.flags = 0;
	row->goid = (int64_t)le64(g + o->goid);
	row->status = st;
	snprintf(row->status_word, sizeof(row->status_word), "%s", tt_go_status_word(st));
	fill_wait(w->rt, g, st, now_mono, row);
	uint64_t m = le64(g + o->m);
	row->thread = m ? m_tid(w, m) : 0;
	row->sched_pc = le64(g + o->sched + o->gobuf_pc);
	row->sched_sp = le64(g + o->sched + o->gobuf_sp);
	row->parks = o->tracking_seq ? 0x100u | g[o->tracking_seq] : 0;
	row->read_ns = now_real;
	row->top = -1;

	uint64_t lo = le64(g + o->stack_lo), hi = le64(g + o->stack_hi);
	start_ctx(o, g, st, &w->ctx[j].pc, &w->ctx[j].sp, &w->ctx[j].lr);
	w->ctx[j].lo = lo;
	w->ctx[j].hi = hi;
	if (st == G_RUNNING || !w->rt->es || !w->rt->es->has_pcln || w->ctx[j].pc == 0 ||
	    w->ctx[j].sp < lo || w->ctx[j].sp >= hi || hi - lo > STACK_MAX) {
		row->stack.flags = TT_PSTK_NONE;
		return false;
	}
	return true;
}

/* The seg reading n bytes at addr into buf; an address that cannot be is no read. */
static void set_seg(struct tt_mem_seg *sg, uint64_t addr, void *buf, uint32_t n, bool ok)
{
	sg->addr = addr;
	sg->buf = buf;
	sg->len = ok ? n : 0;
	sg->err = ok ? 0 : -EFAULT;
}

/*
 * One batch of k g pointers, in three batched reads: the g's, the first
 * window of each stack to unwind, the g's again after the unwinds. Returns
 * how many were live goroutines.
 */
static int walk_batch(struct walk *w, struct tt_pane *p, const uint64_t *gps, int k,
                      uint64_t now_mono, uint64_t now_real)
{
	const struct tt_go_goff *o = &w->rt->off;
	int live = 0;

	for (int j = 0; j < k; j++) {
		bool ok = gps[j] && !(gps[j] & 7) && gps[j] <= UINT64_MAX - w->span;
		set_seg(&w->seg[j], gps[j], w->g[j], w->span, ok);
	}
	tt_mem_readv(w->mem, w->seg, k);
	for (int j = 0; j < k; j++) {
		w->live[j] = !w->seg[j].err && w->seg[j].len && g_live(o, w->g[j]);
		w->unw[j] = false;
		w->row[j] = NULL;
		if (!w->live[j])
			continue;
		live++;
		if (p->ngoroutines >= TT_PANE_GOROUTINES)
			continue;
		w->row[j] = &p->gs[p->ngoroutines++];
		w->unw[j] = fill_row(w, w->g[j], now_mono, now_real, w->row[j], j);
	}
	for (int j = 0; j < k; j++) {
		uint64_t sp = w->ctx[j].sp, room = w->unw[j] ? w->ctx[j].hi - sp : 0;
		set_seg(&w->seg[j], sp, w->first[j],
		        (uint32_t)(room < FIRST_WINDOW ? room : FIRST_WINDOW), w->unw[j]);
	}
	tt_mem_readv(w->mem, w->seg, k);
	for (int j = 0; j < k; j++) {
		if (!w->unw[j])
			continue;
		/* the batch's window when it was read, else the first word reads one */
		w->winp = w->first[j];
		w->win_lo = w->ctx[j].sp;
		w->win_len = w->seg[j].err ? 0 : w->seg[j].len;
		unwind(w, w->ctx[j].pc, w->ctx[j].sp, w->ctx[j].lr, w->ctx[j].lo, w->ctx[j].hi,
		       &w->row[j]->stack);
		if (w->row[j]->stack.n == 0)
			w->row[j]->stack.flags |= TT_PSTK_NONE;
	}
	for (int j = 0; j < k; j++)
		set_seg(&w->seg[j], gps[j], w->g2[j], w->span, w->unw[j]);
	tt_mem_readv(w->mem, w->seg, k);
	for (int j = 0; j < k; j++)
		if (w->unw[j])
			recheck(o, w->g[j], w->g2[j], w->seg[j].err, w->row[j]);
	return live;
}

/* The slice header of allgs: {ptr, len, cap}, believed only if it adds up. */
static int read_allgs(struct tt_mem *mem, uint64_t addr, uint64_t *ptr, uint64_t *len)
{
	uint8_t b[24];

	if (tt_mem_read(mem, addr, b, sizeof(b)) != 0)
		return -EFAULT;
	*ptr = le64(b);
	*len = le64(b + 8);
	uint64_t cap = le64(b + 16);
	if (*len > cap || cap > (1ull << 32) || (*len && (*ptr == 0 || *ptr & 7)))
		return -EINVAL;
	return 0;
}

/*
 * A version gowait.c has no table for, with symbols: the binary's own
 * runtime.waitReasonStrings ([N]string), read from the process once. The
 * strings are Go string headers {ptr, len}; any that does not read or does
 * not fit leaves the whole table unused rather than shifted.
 */
int tt_gort_wait_strings(struct tt_gort *rt, uint64_t bias, struct tt_mem *mem)
{
	uint8_t hdr[TT_GORT_WAITS * 16];

	if (rt->wr_tried || !rt->wrs || rt->nwrs < 2 ||
	    tt_go_wait_reasons(rt->major, rt->minor) > 0)
		return 0;
	rt->wr_tried = true;
	/* the symbol's size gives the count */
	if (tt_mem_read(mem, rt->wrs + bias, hdr, (size_t)rt->nwrs * 16) != 0)
		return -EFAULT;
	int n = 0;
	for (; n < rt->nwrs; n++) {
		uint64_t sp = le64(hdr + 16 * n), sl = le64(hdr + 16 * n + 8);
		if (sl >= sizeof(rt->wr[0]) || (sl && !sp) || (n > 0 && sl == 0))
			return -EINVAL;
		if (sl && tt_mem_read(mem, sp, rt->wr[n], (size_t)sl) != 0)
			return -EFAULT;
		rt->wr[n][sl] = 0;
		for (uint64_t i = 0; i < sl; i++)
			if (rt->wr[n][i] < 0x20 || rt->wr[n][i] > 0x7e)
				return -EINVAL;
	}
	/* the first is waitReasonZero, "" */
	if (n < 2 || rt->wr[0][0])
		return -EINVAL;
	rt->nwr = n;
	return 0;
}

int tt_gort_pick(struct tt_gort *rt, uint64_t bias, struct tt_mem *mem)
{
	/*
	 * allgs[0] is the main goroutine, goid 1, from the first newproc; a
	 * candidate whose first g says so is the slice. More than one that
	 * passes is ambiguous: none is taken.
	 */
	uint64_t found = 0;
	int nfound = 0;

	for (int i = 0; i < rt->ncand; i++) {
		uint64_t ptr, len, g0;
		uint8_t b[8];
		if (read_allgs(mem, rt->cand[i] + bias, &ptr, &len) != 0 || len == 0 ||
		    tt_mem_read(mem, ptr, b, 8) != 0 || (g0 = le64(b)) == 0 ||
		    tt_mem_read(mem, g0 + rt->off.goid, b, 8) != 0 || le64(b) != 1)
			continue;
		if (found != rt->cand[i]) {
			found = rt->cand[i];
			nfound++;
		}
	}
	if (nfound != 1)
		return -ENOENT;
	rt->allgs = found;
	return 0;
}

int tt_goroutines_walk(struct tt_pane *p, const struct tt_gort *rt, uint64_t bias,
                       struct tt_mem *mem, uint64_t now_mono)
{
	struct walk *w = calloc(1, sizeof(*w));
	uint64_t ptr, len, now_real = tt_real_ns();
	uint64_t chunk[ALLG_CHUNK];
	int r;

	p->ngoroutines = p->goroutines_total = 0;
	snprintf(p->gsrc, sizeof(p->gsrc), "%s", rt->src ? rt->src : "");
	if (!w)
		return -ENOMEM;
	w->rt = rt;
	w->mem = mem;
	w->bias = bias;
	w->span = gspan(&rt->off);
	r = w->span > GSPAN_MAX ? -EINVAL : read_allgs(mem, rt->allgs + bias, &ptr, &len);
	if (r) {
		set_why(p, "%s", "runtime.allgs unreadable");
		free(w);
		return r;
	}
	/* a list that grows while walked: the length read first bounds the walk */
	uint64_t n = len < ALLG_MAX ? len : ALLG_MAX;
	int live = 0;
	for (uint64_t i = 0; i < n; i += ALLG_CHUNK) {
		size_t k = n - i < ALLG_CHUNK ? (size_t)(n - i) : ALLG_CHUNK;
		if (tt_mem_read(mem, ptr + i * 8, chunk, k * 8) != 0) {
			n = i; /* the array moved (grown and freed): what was read stands */
			break;
		}
		for (size_t j = 0; j < k; j += BATCH)
			live += walk_batch(w, p, chunk + j, k - j < BATCH ? (int)(k - j) : BATCH,
			                   now_mono, now_real);
	}
	/* goroutines_total: the live ones (dead g's in allgs are not goroutines), plus
	 * any past ALLG_MAX, not examined, counted as live */
	p->goroutines_total =
	    live + (int)(len > n ? (len - n > INT32_MAX / 2 ? INT32_MAX / 2 : len - n) : 0);
	free(w);
	return 0;
}

/* ---- the cache and the live entry point ----------------------------------- */

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	bool valid;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	int err;
	char why[TT_PANE_WHY_LEN];
	struct tt_gort rt;
} cache;

/*
 * runtime address - link-time address. A PIE's mapping of file offset off
 * at start holds the segment whose file bytes contain off.
 */
static int load_bias(pid_t pid, const struct tt_gort *rt, const struct stat *st, uint64_t *bias)
{
	static struct tt_map maps[TT_MAPS_MAX];
	static pthread_mutex_t maps_lock = PTHREAD_MUTEX_INITIALIZER;
	int n, r = -ENOENT;

	*bias = 0;
	if (!rt->pie)
		return 0;
	pthread_mutex_lock(&maps_lock);
	n = tt_procmaps_read(pid, maps, TT_MAPS_MAX, false);
	for (int i = 0; i < n && r; i++) {
		if (maps[i].inode != st->st_ino)
			continue;
		for (int s = 0; s < rt->es->nsegs; s++) {
			const struct tt_elf_seg *sg = &rt->es->segs[s];
			if (maps[i].off >= (sg->off & ~0xfffull) &&
			    maps[i].off < sg->off + sg->filesz) {
				*bias = maps[i].start - maps[i].off + sg->off - sg->vaddr;
				r = 0;
				break;
			}
		}
	}
	pthread_mutex_unlock(&maps_lock);
	return n < 0 ? n : r;
}

int tt_gort_bias(const struct tt_gort *rt, pid_t pid, uint64_t *bias)
{
	struct stat st;
	int fd = tt_proc_open_exe(pid), r;

	if (fd < 0)
		return fd;
	r = fstat(fd, &st) == 0 ? load_bias(pid, rt, &st, bias) : -errno;
	close(fd);
	return r;
}

int tt_goroutines_read(struct tt_pane *p, pid_t pid, struct tt_mem *mem)
{
	struct stat st;
	uint64_t bias;
	int fd, r;

	p->ngoroutines = p->goroutines_total = 0;
	p->why_no_goroutines[0] = 0;
	p->gsrc[0] = 0;
	if (!p->gs) {
		set_why(p, "%s", "no goroutine rows");
		return -EINVAL;
	}
	fd = tt_proc_open_exe(pid);
	if (fd < 0) {
		set_why(p, "%s", "executable not readable");
		return fd;
	}
	if (fstat(fd, &st) != 0) {
		r = -errno;
		close(fd);
		return r;
	}
	pthread_mutex_lock(&cache_lock);
	if (!cache.valid || cache.dev != st.st_dev || cache.ino != st.st_ino ||
	    cache.size != st.st_size || cache.mtime.tv_sec != st.st_mtim.tv_sec ||
	    cache.mtime.tv_nsec != st.st_mtim.tv_nsec) {
		if (cache.valid)
			tt_gort_free(&cache.rt);
		cache.err = tt_gort_load(&cache.rt, fd, cache.why, sizeof(cache.why));
		cache.valid = true;
		cache.dev = st.st_dev;
		cache.ino = st.st_ino;
		cache.size = st.st_size;
		cache.mtime = st.st_mtim;
	}
	close(fd);
	r = cache.err;
	if (r) {
		set_why(p, "%s", cache.why);
		goto out;
	}
	r = load_bias(pid, &cache.rt, &st, &bias);
	if (r) {
		set_why(p, "%s", "load address not found");
		goto out;
	}
	/* found by the decoder: a candidate is picked against this process's memory */
	if (cache.rt.ncand && (r = tt_gort_pick(&cache.rt, bias, mem)) != 0) {
		set_why(p, "%s", "stripped: runtime.allgs not found");
		snprintf(p->gsrc, sizeof(p->gsrc), "decoder");
		goto out;
	}
	tt_gort_wait_strings(&cache.rt, bias, mem); /* "" reasons when it cannot */
	r = tt_goroutines_walk(p, &cache.rt, bias, mem, tt_mono_ns());
out:
	pthread_mutex_unlock(&cache_lock);
	return r;
}

void tt_goroutines_check_line(pid_t pid, char *out, size_t len)
{
	struct tt_pane p;
	struct tt_mem mem;
	int r;

	/* rows only: raw PCs, no names (and no dependency on pane.c for the fuzzer) */
	memset(&p, 0, sizeof(p));
	p.gs = calloc(TT_PANE_GOROUTINES, sizeof(*p.gs));
	if (!p.gs) {
		snprintf(out, len, "not read: out of memory");
		return;
	}
	tt_mem_of_pid(&mem, pid);
	r = tt_goroutines_read(&p, pid, &mem);
	if (r)
		snprintf(out, len, "not readable: %s",
		         p.why_no_goroutines[0] ? p.why_no_goroutines : strerror(-r));
	else
		snprintf(out, len, "%d from runtime.allgs (%s)", p.goroutines_total,
		         p.gsrc[0] ? p.gsrc : "?");
	free(p.gs);
}
