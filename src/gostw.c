// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Go stop-the-world probes (bpf/gostw.bpf.h): where they go in an
 * executable, attaching them per process, and the pauses into the model.
 * Function addresses come from .symtab or, stripped, .gopclntab (elfsym.c);
 * the RETs of runtime.startTheWorldWithSema from the architecture's decoder
 * (tt_arch_find_rets). A probe off an instruction boundary would corrupt
 * the traced program, so any doubt means no probes at all.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "arch.h"
#include "elfsym.h"
#include "goinfo.h"
#include "goroutines.h"
#include "gostw.h"
#include "linkreaper.h"
#include "model.h"
#include "procseen.h"

static const char fn_stop[] = "runtime.stopTheWorldWithSema";
static const char fn_start[] = "runtime.startTheWorldWithSema";
static const char fn_gcstart[] = "runtime.gcStart";
static const char fn_markdone[] = "runtime.gcMarkDone";

const char *tt_gostw_src_name(enum tt_gostw_src src)
{
	return src == TT_GOSTW_SYMTAB ? "symtab" : src == TT_GOSTW_PCLN ? "gopclntab" : "none";
}

/*
 * runtime.stwReason's strings (the comments after each constant, which
 * `stringer -linecomment` makes String()), Go 1.21+. Checked identical in
 * runtime/proc.go of Debian's golang-1.23-src 1.23.5, golang-1.24-src 1.24.4
 * and golang-1.26-src 1.26.10 ("Avoid reusing reasons and add new ones
 * instead": values only ever get appended).
 */
static const char *const stw_reasons[] = {
    "unknown",
    "GC mark termination",
    "GC sweep termination",
    "write heap dump",
    "goroutine profile",
    "goroutine profile cleanup",
    "all goroutines stack trace",
    "read mem stats",
    "AllThreadsSyscall",
    "GOMAXPROCS",
    "start trace",
    "stop trace",
    "CountPagesInUse (test)",
    "ReadMetricsSlow (test)",
    "ReadMemStatsSlow (test)",
    "PageCachePagesLeaked (test)",
    "ResetDebugLog (test)",
};

const char *tt_gostw_reason(uint8_t reason, uint8_t src)
{
	if (src == TT_STW_SRC_ARG)
		return reason < sizeof(stw_reasons) / sizeof(stw_reasons[0]) ? stw_reasons[reason]
		                                                             : "unknown";
	/* Go < 1.21: the tagging probe's function says which stop it is */
	if (src == TT_STW_SRC_GCSTART)
		return stw_reasons[TT_GO_STW_SWEEP_TERM];
	if (src == TT_STW_SRC_MARKDONE)
		return stw_reasons[TT_GO_STW_MARK_TERM];
	return "unknown";
}

int tt_gostw_func(const struct tt_elfsyms *es, enum tt_gostw_src src, const char *name,
                  uint64_t *lo, uint64_t *hi)
{
	if (src == TT_GOSTW_PCLN)
		return es->has_pcln ? tt_pcln_find(&es->pcln, name, lo, hi) : -ENOENT;
	if (src != TT_GOSTW_SYMTAB || es->from_dynsym)
		return -ENOENT;
	for (uint32_t i = 0; i < es->nsyms; i++)
		if (es->syms[i].name < es->strs_len &&
		    strcmp(es->strs + es->syms[i].name, name) == 0) {
			*lo = es->syms[i].start;
			*hi = es->syms[i].end;
			return 0;
		}
	return -ENOENT;
}

/* Link-time address to file offset, through PT_LOAD. */
static int entry_off(const struct tt_elfsyms *es, enum tt_gostw_src src, const char *name,
                     uint64_t *off)
{
	uint64_t lo, hi;

	if (tt_gostw_func(es, src, name, &lo, &hi))
		return -ENOENT;
	return tt_elfsyms_vaddr_to_off(es, lo, off);
}

static int plan_fail(struct tt_gostw_plan *p, int err, const char *why)
{
	snprintf(p->why_not, sizeof(p->why_not), "%s", why);
	return err;
}

/* The RETs of startTheWorldWithSema, decoded from the file's own bytes. */
static int plan_rets(int fd, const struct tt_elfsyms *es, struct tt_gostw_plan *p)
{
	uint64_t lo, hi, off, last;
	uint32_t offs[TT_GOSTW_MAX_RETS];
	uint8_t *code;
	int n;

	if (tt_gostw_func(es, p->src, fn_start, &lo, &hi) || hi <= lo)
		return plan_fail(p, -ENOENT, "runtime.startTheWorldWithSema not found");
	/* the whole function inside one segment, in the file */
	if (hi - lo > TT_GOSTW_MAX_CODE || tt_elfsyms_vaddr_to_off(es, lo, &off) ||
	    tt_elfsyms_vaddr_to_off(es, hi - 1, &last) || last - off != hi - 1 - lo)
		return plan_fail(p, -ERANGE, "startTheWorldWithSema's code is not in the file");
	code = malloc(hi - lo);
	if (!code)
		return plan_fail(p, -ENOMEM, "out of memory");
	if (pread(fd, code, hi - lo, (off_t)off) != (ssize_t)(hi - lo)) {
		free(code);
		return plan_fail(p, -EIO, "cannot read startTheWorldWithSema's code");
	}
	n = tt_arch_find_rets(code, hi - lo, offs, TT_GOSTW_MAX_RETS);
	free(code);
	if (n < 0)
		return plan_fail(p, n,
		                 n == -E2BIG ? "too many RETs in startTheWorldWithSema"
		                             : "startTheWorldWithSema does not decode");
	if (n == 0)
		return plan_fail(p, -ENOENT, "no RET in startTheWorldWithSema");
	for (int i = 0; i < n; i++)
		p->rets[i] = off + offs[i];
	p->nrets = n;
	return 0;
}

static int plan_es(int fd, const struct tt_elfsyms *es, bool tags, struct tt_gostw_plan *p)
{
	uint64_t lo, hi;

	p->src = tt_gostw_func(es, TT_GOSTW_SYMTAB, fn_stop, &lo, &hi) == 0 ? TT_GOSTW_SYMTAB
	         : tt_gostw_func(es, TT_GOSTW_PCLN, fn_stop, &lo, &hi) == 0 ? TT_GOSTW_PCLN
	                                                                    : TT_GOSTW_NONE;
	if (p->src == TT_GOSTW_NONE)
		return plan_fail(p, -ENOENT, "runtime.stopTheWorldWithSema not found");
	if (tt_elfsyms_vaddr_to_off(es, lo, &p->stop_off))
		return plan_fail(p, -ERANGE, "stopTheWorldWithSema is not in the file");
	if (tags && (entry_off(es, p->src, fn_gcstart, &p->gcstart_off) ||
	             entry_off(es, p->src, fn_markdone, &p->markdone_off)))
		return plan_fail(p, -ENOENT, "runtime.gcStart or gcMarkDone not found");
	return plan_rets(fd, es, p);
}

int tt_gostw_plan_fd(int fd, bool tags, struct tt_gostw_plan *p)
{
	struct tt_elfsyms *es = NULL;
	int r;

	memset(p, 0, sizeof(*p));
	r = tt_elfsyms_load_fd(fd, &es);
	if (r)
		return plan_fail(p, r, "cannot read the executable's symbols");
	r = plan_es(fd, es, tags, p);
	tt_elfsyms_free(es);
	return r;
}

int tt_gostw_plan_file(const char *path, bool tags, struct tt_gostw_plan *p)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0) {
		memset(p, 0, sizeof(*p));
		return plan_fail(p, -errno, "cannot open the executable");
	}
	r = tt_gostw_plan_fd(fd, tags, p);
	close(fd);
	return r;
}

/* What a Go process's probes would be, for --check and for attaching. */
static int plan_pid(pid_t pid, const struct tt_goinfo *gi, struct tt_gostw_plan *p)
{
	char exe[64];

	snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)pid);
	return tt_gostw_plan_file(exe, !gi->off.stw_reason_arg, p);
}

/* --- --check ----------------------------------------------------------------- */

/* fd 0, 1 or 2 of pid is a terminal: the processes whose output ttytop times. */
static bool has_tty(pid_t pid)
{
	char p[64], t[256];

	for (int fd = 0; fd <= 2; fd++) {
		ssize_t n;

		snprintf(p, sizeof(p), "/proc/%d/fd/%d", (int)pid, fd);
		n = readlink(p, t, sizeof(t) - 1);
		if (n <= 0)
			continue;
		t[n] = 0;
		if (!strncmp(t, "/dev/pts/", 9) || !strncmp(t, "/dev/tty", 8) ||
		    !strcmp(t, "/dev/console"))
			return true;
	}
	return false;
}

/* One line for a Go process; false when pid is not Go. */
static bool check_one(FILE *f, pid_t pid)
{
	struct tt_goinfo gi;
	struct tt_gostw_plan p;
	int r = tt_goinfo_for_pid(pid, &gi);
	char gs[TT_PANE_WHY_LEN + 32];

	if (r == 0 || (r < 0 && !gi.version[0]))
		return false;
	/* the goroutine pane's reader is its own: it reads PIE and cgo builds too */
	tt_goroutines_check_line(pid, gs, sizeof(gs));
	fprintf(f, "go goroutines:          %d %s: %s\n", (int)pid, gi.version, gs);
	fprintf(f, "go process:             %d %s: ", (int)pid, gi.version[0] ? gi.version : "go?");
	if (r < 0) {
		fprintf(f, "not instrumented: goroutines not readable (%s)\n", strerror(-r));
		return true;
	}
	if (plan_pid(pid, &gi, &p)) {
		fprintf(f, "not instrumented: %s\n", p.why_not);
		return true;
	}
	fprintf(f, "stop-the-world probes from %s, %d RET%s, reason from %s\n",
	        tt_gostw_src_name(p.src), p.nrets, p.nrets == 1 ? "" : "s",
	        gi.off.stw_reason_arg ? "the argument" : "gcStart/gcMarkDone");
	return true;
}

void tt_gostw_check_print(FILE *f)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int shown = 0;

	if (!d)
		return;
	while ((e = readdir(d)) && shown < TT_GOSTW_MAX_PROCS) {
		pid_t pid;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		pid = (pid_t)atoi(e->d_name);
		if (pid != getpid() && has_tty(pid) && check_one(f, pid))
			shown++;
	}
	closedir(d);
	if (!shown)
		fprintf(f, "go processes:           none with a terminal on fd 0-2\n");
}

/* --- live ---------------------------------------------------------------------- */

#define TT_GOSTW_MAX_LINKS (TT_GOSTW_MAX_RETS + 3)

struct gostw_proc {
	pid_t pid; /* 0: a free slot */
	uint64_t start_time;
	struct tt_proc_state base; /* the procs entry when attached: pid reuse */
	struct bpf_link *links[TT_GOSTW_MAX_LINKS];
	int nlinks;
};

struct tt_gostw {
	struct bpf_program *stop, *end, *gcstart, *markdone;
	struct bpf_map *procs;
	struct gostw_proc p[TT_GOSTW_MAX_PROCS];
	struct tt_reaper *reaper; /* closes the links of exited processes */
};

struct tt_gostw *tt_gostw_new(struct bpf_object *obj, int *err)
{
	struct tt_gostw *g = calloc(1, sizeof(*g));

	if (!g) {
		*err = -ENOMEM;
		return NULL;
	}
	g->stop = bpf_object__find_program_by_name(obj, "stw_start");
	g->end = bpf_object__find_program_by_name(obj, "stw_end");
	g->gcstart = bpf_object__find_program_by_name(obj, "stw_tag_gcstart");
	g->markdone = bpf_object__find_program_by_name(obj, "stw_tag_markdone");
	g->procs = bpf_object__find_map_by_name(obj, "procs");
	if (!g->stop || !g->end || !g->gcstart || !g->markdone || !g->procs) {
		free(g);
		*err = -ENOENT;
		return NULL;
	}
	g->reaper = tt_reaper_new(); /* NULL: links are closed in place */
	return g;
}

static void detach(struct tt_gostw *g, struct gostw_proc *s)
{
	for (int i = 0; i < s->nlinks; i++)
		tt_reaper_put(g->reaper, s->links[i]);
	memset(s, 0, sizeof(*s));
}

void tt_gostw_free(struct tt_gostw *g)
{
	if (!g)
		return;
	for (int i = 0; i < TT_GOSTW_MAX_PROCS; i++)
		if (g->p[i].pid)
			detach(g, &g->p[i]);
	tt_reaper_free(g->reaper);
	free(g);
}

static int attach_one(struct gostw_proc *s, struct bpf_program *prog, const char *exe, uint64_t off)
{
	LIBBPF_OPTS(bpf_uprobe_opts, o, .retprobe = false);
	struct bpf_link *l;

	if (s->nlinks >= TT_GOSTW_MAX_LINKS)
		return -E2BIG;
	/* pid-filtered: the kernel plants the breakpoint in this process only */
	l = bpf_program__attach_uprobe_opts(prog, s->pid, exe, (size_t)off, &o);
	if (!l)
		return -errno;
	s->links[s->nlinks++] = l;
	return 0;
}

/*
 * The ends first: a start seen is then always followed by its end. 0 or
 * -errno (everything attached so far is detached by the caller).
 */
static int attach_plan(struct tt_gostw *g, struct gostw_proc *s, const struct tt_gostw_plan *p)
{
	char exe[64];
	int r = 0;

	snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)s->pid);
	for (int i = 0; !r && i < p->nrets; i++)
		r = attach_one(s, g->end, exe, p->rets[i]);
	if (!r && p->gcstart_off)
		r = attach_one(s, g->gcstart, exe, p->gcstart_off);
	if (!r && p->markdone_off)
		r = attach_one(s, g->markdone, exe, p->markdone_off);
	if (!r)
		r = attach_one(s, g->stop, exe, p->stop_off);
	return r;
}

static struct gostw_proc *free_slot(struct tt_gostw *g)
{
	for (int i = 0; i < TT_GOSTW_MAX_PROCS; i++)
		if (!g->p[i].pid)
			return &g->p[i];
	return NULL;
}

static struct gostw_proc *slot_of(struct tt_gostw *g, pid_t pid)
{
	for (int i = 0; i < TT_GOSTW_MAX_PROCS; i++)
		if (g->p[i].pid == pid)
			return &g->p[i];
	return NULL;
}

/* Probes for one process; false and why_not set when not. */
static bool instrument(struct tt_gostw *g, struct tt_model_proc *mp, const struct tt_goinfo *gi)
{
	struct tt_gostw_plan plan;
	struct gostw_proc *s = slot_of(g, (pid_t)mp->pid);
	int r;

	if (s)
		detach(g, s); /* an earlier process with this pid */
	s = free_slot(g);
	if (!s) {
		snprintf(mp->why_not, sizeof(mp->why_not), "%d Go processes already instrumented",
		         TT_GOSTW_MAX_PROCS);
		return false;
	}
	if (plan_pid((pid_t)mp->pid, gi, &plan)) {
		snprintf(mp->why_not, sizeof(mp->why_not), "%s", plan.why_not);
		return false;
	}
	s->pid = (pid_t)mp->pid;
	s->start_time = tt_proc_start_time(s->pid);
	bpf_map__lookup_elem(g->procs, &mp->pid, sizeof(mp->pid), &s->base, sizeof(s->base), 0);
	r = attach_plan(g, s, &plan);
	if (r) {
		detach(g, s);
		snprintf(mp->why_not, sizeof(mp->why_not), "uprobe attach failed: %s",
		         strerror(-r));
		return false;
	}
	return true;
}

void tt_gostw_on_go_proc(struct tt_gostw *g, struct tt_model *m, pid_t pid, const char *comm,
                         const struct tt_goinfo *gi, int gi_ret)
{
	struct tt_model_proc *mp = tt_model_proc(m, (uint32_t)pid, true);

	if (!mp)
		return;   /* the model's table is full */
	if (mp->exited) { /* the pid was reused */
		memset(mp, 0, sizeof(*mp));
		mp->pid = (uint32_t)pid;
	}
	snprintf(mp->comm, sizeof(mp->comm), "%s", comm);
	snprintf(mp->go_version, sizeof(mp->go_version), "%s", gi->version);
	mp->why_not[0] = 0;
	if (gi_ret != 1)
		snprintf(mp->why_not, sizeof(mp->why_not), "goroutines not readable (%s)",
		         strerror(gi_ret < 0 ? -gi_ret : EINVAL));
	else if (!g)
		snprintf(mp->why_not, sizeof(mp->why_not), "no stop-the-world programs");
	mp->instrumented = gi_ret == 1 && g && instrument(g, mp, gi);
}

static bool gone(pid_t pid, const struct gostw_proc *s)
{
	if (kill(pid, 0) && errno == ESRCH)
		return true;
	return s && s->start_time && tt_proc_start_time(pid) != s->start_time;
}

/* The kernel's sums since attach into the model. */
static void read_sums(struct tt_gostw *g, struct gostw_proc *s, struct tt_model_proc *mp)
{
	struct tt_proc_state v;

	if (bpf_map__lookup_elem(g->procs, &mp->pid, sizeof(mp->pid), &v, sizeof(v), 0))
		return;
	/* the LRU map dropped and remade the entry: its sums start again from 0 */
	if (v.stw_count < s->base.stw_count || v.stw_total_ns < s->base.stw_total_ns)
		memset(&s->base, 0, sizeof(s->base));
	mp->gc_cycles = v.gc_cycles - s->base.gc_cycles;
	mp->stw_count = v.stw_count - s->base.stw_count;
	mp->stw_total_ns = v.stw_total_ns - s->base.stw_total_ns;
	/* the max of the pauses since attach is not kept apart: the largest seen */
	mp->stw_max_ns = v.stw_max_ns;
}

void tt_gostw_refresh(struct tt_gostw *g, struct tt_model *m)
{
	for (int i = 0; i < m->nprocs; i++) {
		struct tt_model_proc *mp = &m->procs[i];
		struct gostw_proc *s = g ? slot_of(g, (pid_t)mp->pid) : NULL;
		bool dead;

		if (mp->exited)
			continue;
		/* asked first: a process already gone adds nothing to what is read next */
		dead = gone((pid_t)mp->pid, s);
		if (s && mp->instrumented)
			read_sums(g, s, mp);
		if (!dead)
			continue;
		mp->exited = true;
		if (s)
			detach(g, s);
	}
}

void tt_gostw_on_rec(struct tt_model *m, const struct tt_stw_rec *r, uint64_t mono_to_real_ns)
{
	struct tt_model_proc *mp = tt_model_proc(m, r->tgid, false);
	struct tt_stw s;

	/* an exited process's last pauses are still its own */
	if (!mp)
		return;
	memset(&s, 0, sizeof(s));
	s.time_ns = r->start_ns + mono_to_real_ns;
	s.duration_ns = r->duration_ns;
	snprintf(s.reason, sizeof(s.reason), "%s", tt_gostw_reason(r->reason, r->src));
	tt_model_proc_add_stw(mp, &s);
}
