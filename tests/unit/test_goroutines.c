// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The goroutine rows (goroutines.c): the offset and wait-reason tables
 * against each fixture build's own DWARF and runtime.waitReasonStrings, the
 * pcsp reader, memory images, and, as root, a live marquee -states of every
 * toolchain and build (plain, stripped, cgo): each named goroutine's goid as
 * the program printed it, its status and wait reason, and its function on
 * its stack; the same read replayed from a recorded image; 10,000
 * goroutines timed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <linux/types.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "helpers.h"

#include "arch.h"
#include "goinfo.h"
#include "goroutines.h"
#include "gowait.h"
#include "memread.h"

static const char *const builds[] = {
    "marquee",        "marquee-stripped",        "marquee-cgo",
    "go1.23/marquee", "go1.23/marquee-stripped", "go1.23/marquee-cgo",
    "go1.24/marquee", "go1.24/marquee-stripped", "go1.24/marquee-cgo",
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * The version of a fixture. goinfo may refuse a build for the BPF side (an
 * x86-64 PIE: no TLS slot it trusts) and still have read the version, which
 * is all the goroutine reader takes from it.
 */
static void go_version(const char *p, struct tt_goinfo *gi)
{
	int r = tt_goinfo_for_file(p, gi);

	assert_true(r == 1 || (r < 0 && gi->major == 1));
}

static void test_status_words(void **state)
{
	(void)state;
	assert_string_equal(tt_go_status_word(0), "idle");
	assert_string_equal(tt_go_status_word(2), "running");
	assert_string_equal(tt_go_status_word(3), "syscall");
	assert_string_equal(tt_go_status_word(4 | 0x1000), "waiting");
	assert_string_equal(tt_go_status_word(9), "preempted");
	assert_string_equal(tt_go_status_word(10), "???");
}

/* The file's bytes at link-time address va (non-PIE fixtures). */
static bool file_va(int fd, const struct tt_elfsyms *es, uint64_t va, void *buf, size_t n)
{
	uint64_t off;

	return tt_elfsyms_vaddr_to_off(es, va, &off) == 0 &&
	       pread(fd, buf, n, (off_t)off) == (ssize_t)n;
}

static bool object_sym(int fd, const char *name, uint64_t *addr, uint64_t *size)
{
	Elf *e;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	bool found = false;

	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	while (e && !found && (scn = elf_nextscn(e, scn)) != NULL) {
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && i < d->d_size / sh.sh_entsize; i++) {
			GElf_Sym s;
			const char *nm;
			if (gelf_getsym(d, (int)i, &s) &&
			    (nm = elf_strptr(e, sh.sh_link, s.st_name)) && !strcmp(nm, name)) {
				*addr = s.st_value;
				*size = s.st_size;
				found = true;
				break;
			}
		}
	}
	if (e)
		elf_end(e);
	return found;
}

/* gowait.c's table for each toolchain is the binary's own, string by string. */
static void test_wait_tables(void **state)
{
	static const char *const bins[] = {"marquee", "go1.23/marquee", "go1.24/marquee"};
	(void)state;
	for (size_t b = 0; b < 3; b++) {
		char p[512];
		struct tt_goinfo gi;
		if (!tt_have_fixture(bins[b], p, sizeof(p), "make fixtures"))
			continue;
		go_version(p, &gi);
		int fd = open(p, O_RDONLY);
		struct tt_elfsyms *es = tt_load_syms_path(p);
		uint64_t addr = 0, size = 0;
		assert_true(object_sym(fd, "runtime.waitReasonStrings", &addr, &size));
		int n = (int)(size / 16);
		assert_int_equal(n, tt_go_wait_reasons(gi.major, gi.minor));
		for (int i = 0; i < n; i++) {
			uint64_t hdr[2];
			char s[64] = "";
			assert_true(file_va(fd, es, addr + 16 * (uint64_t)i, hdr, 16));
			assert_true(hdr[1] < sizeof(s));
			if (hdr[1])
				assert_true(file_va(fd, es, hdr[0], s, hdr[1]));
			assert_string_equal(tt_go_wait_reason(gi.major, gi.minor, (unsigned)i), s);
		}
		printf("%s: %s, %d wait reasons match\n", bins[b], gi.version, n);
		tt_elfsyms_free(es);
		close(fd);
	}
}

/* goinfo.c's version rows are what DWARF of each toolchain's build says. */
static void test_goff_table_vs_dwarf(void **state)
{
	static const char *const bins[] = {"marquee", "go1.23/marquee", "go1.24/marquee"};
	(void)state;
	for (size_t b = 0; b < 3; b++) {
		char p[512];
		struct tt_goinfo gi;
		struct tt_go_goff dw, tab;
		if (!tt_have_fixture(bins[b], p, sizeof(p), "make fixtures"))
			continue;
		go_version(p, &gi);
		int fd = open(p, O_RDONLY);
		assert_int_equal(tt_go_goff_for_fd(fd, gi.major, gi.minor, &dw), 1);
		close(fd);
		assert_int_equal(tt_go_goff_for_version(gi.major, gi.minor, &tab), 0);
		assert_int_equal(dw.goid, tab.goid);
		assert_int_equal(dw.atomicstatus, tab.atomicstatus);
		assert_int_equal(dw.waitreason, tab.waitreason);
		assert_int_equal(dw.waitsince, tab.waitsince);
		assert_int_equal(dw.m, tab.m);
		assert_int_equal(dw.sched, tab.sched);
		assert_int_equal(dw.syscallsp, tab.syscallsp);
		assert_int_equal(dw.syscallpc, tab.syscallpc);
		assert_int_equal(dw.gobuf_sp, tab.gobuf_sp);
		assert_int_equal(dw.gobuf_pc, tab.gobuf_pc);
		assert_int_equal(dw.gobuf_lr, tab.gobuf_lr);
		assert_int_equal(dw.m_procid, tab.m_procid);
		assert_int_equal(dw.stack_lo, tab.stack_lo);
		assert_int_equal(dw.stack_hi, tab.stack_hi);
		printf("%s: %s goid %u status %u waitreason %u from DWARF = table\n", bins[b],
		       gi.version, dw.goid, dw.atomicstatus, dw.waitreason);
	}
}

/* A function's entry has no frame yet; inside main.tick it has one. */
static void test_spdelta(void **state)
{
	char p[512];
	(void)state;
	if (!tt_have_fixture("marquee", p, sizeof(p), "make fixtures"))
		return;
	struct tt_elfsyms *es = tt_load_syms_path(p);
	uint64_t entry, end, e2;
	int32_t d;
	assert_true(es->has_pcln);
	assert_int_equal(tt_pcln_find(&es->pcln, "main.tick", &entry, &end), 0);
	assert_int_equal(tt_pcln_spdelta(&es->pcln, entry, &d, &e2), 0);
	assert_int_equal(d, 0);
	assert_int_equal(e2, entry);
	int32_t maxd = 0;
	for (uint64_t pc = entry; pc < end; pc++)
		if (tt_pcln_spdelta(&es->pcln, pc, &d, &e2) == 0 && d > maxd)
			maxd = d;
	assert_true(maxd >= 64 && maxd < 4096);
	assert_int_equal(tt_pcln_spdelta(&es->pcln, 1, &d, &e2), -ENOENT);
	tt_elfsyms_free(es);
}

static void test_image_parse(void **state)
{
	uint8_t img[12 + 8 + 12 + 4];
	struct tt_mem_image im;
	struct tt_mem m;
	uint64_t v = 0;
	(void)state;
	uint64_t a1 = 0x1000, a2 = 0x2000;
	uint32_t l1 = 8, l2 = 4;
	memcpy(img, &a1, 8);
	memcpy(img + 8, &l1, 4);
	memcpy(img + 12, "ABCDEFGH", 8);
	memcpy(img + 20, &a2, 8);
	memcpy(img + 28, &l2, 4);
	memcpy(img + 32, "wxyz", 4);
	assert_int_equal(tt_mem_image_parse(&im, img, sizeof(img)), 0);
	assert_int_equal(im.n, 2);
	tt_mem_of_image(&m, &im);
	assert_int_equal(tt_mem_read(&m, 0x1000, &v, 8), 0);
	assert_memory_equal(&v, "ABCDEFGH", 8);
	assert_int_equal(tt_mem_read(&m, 0x2002, &v, 2), 0);
	assert_int_equal(tt_mem_read(&m, 0x1004, &v, 8), -EFAULT); /* past its region */
	assert_int_equal(tt_mem_read(&m, 0x3000, &v, 1), -EFAULT);
	assert_int_equal(m.reads, 4);
	assert_int_equal(tt_mem_image_parse(&im, img, sizeof(img) - 1), -EINVAL);
	assert_int_equal(tt_mem_image_parse(&im, img, 11), -EINVAL);
}

/* ---- live ------------------------------------------------------------------ */

struct live {
	pid_t pid;
	int master, err;
	int64_t goid[4]; /* parkedOnChan sleeper lockWaiter termWriter */
};

static const char *const names[4] = {"parkedOnChan", "sleeper", "lockWaiter", "termWriter"};

/* marquee -states with stdout a pty nobody reads; false if it did not get ready. */
static const char *interp; /* run the fixture under this (qemu-user), or NULL */

static bool live_start(const char *bin, int extra, struct live *l)
{
	int errp[2], slave;
	char arg[32];

	memset(l, 0, sizeof(*l));
	if (openpty(&l->master, &slave, NULL, NULL, NULL) != 0 || pipe(errp) != 0)
		return false;
	snprintf(arg, sizeof(arg), "%d", extra);
	l->pid = fork();
	if (l->pid == 0) {
		dup2(slave, 1);
		dup2(errp[1], 2);
		if (interp)
			execl(interp, interp, bin, "-states", "-goroutines", arg, (char *)NULL);
		execl(bin, bin, "-states", "-goroutines", arg, (char *)NULL);
		_exit(127);
	}
	close(slave);
	close(errp[1]);
	FILE *f = fdopen(errp[0], "r");
	char line[256];
	bool ready = false;
	while (f && fgets(line, sizeof(line), f)) {
		char nm[32];
		long long id;
		if (sscanf(line, "state %31s goid=%lld", nm, &id) == 2)
			for (int i = 0; i < 4; i++)
				if (!strcmp(nm, names[i]))
					l->goid[i] = id;
		if (!strncmp(line, "states ready", 12)) {
			ready = true;
			break;
		}
	}
	l->err = f ? dup(fileno(f)) : -1;
	if (f)
		fclose(f);
	usleep(100 * 1000);
	return ready;
}

static void live_stop(struct live *l)
{
	kill(l->pid, SIGKILL);
	waitpid(l->pid, NULL, 0);
	close(l->master);
	close(l->err);
}

static struct tt_pane *pane_new(void)
{
	struct tt_pane *p = calloc(1, sizeof(*p));
	assert_non_null(p);
	p->gs = calloc(TT_PANE_GOROUTINES, sizeof(*p->gs));
	assert_non_null(p->gs);
	return p;
}

static void pane_del(struct tt_pane *p)
{
	free(p->gs);
	free(p);
}

static const struct tt_pane_goroutine *find_goid(const struct tt_pane *p, int64_t goid)
{
	for (int i = 0; i < p->ngoroutines; i++)
		if (p->gs[i].goid == goid)
			return &p->gs[i];
	return NULL;
}

/* Whether main.<fn> is on the stack, named through the build's own pclntab. */
static uint64_t bias; /* of the process read (PIE) */

static bool on_stack(const struct tt_elfsyms *es, const struct tt_pane_stack *st, const char *fn)
{
	char want[64];

	snprintf(want, sizeof(want), "main.%s", fn);
	for (int i = 0; i < st->n; i++) {
		struct tt_pcln_func f;
		uint64_t pc = st->f[i].addr - bias - (i > 0); /* a return address: its call */
		if (tt_pcln_lookup(&es->pcln, pc, &f) == 0 && !strcmp(f.name, want))
			return true;
	}
	return false;
}

/*
 * The four named rows against what the program printed; "" when right,
 * else what is wrong (in why).
 */
static const char *live_wrong(const struct tt_goinfo *gi, const struct tt_pane *p,
                              const struct live *l, const struct tt_elfsyms *es, char *why,
                              size_t len)
{
	const char *mutex_wait = gi->minor >= 23 ? "sync.Mutex.Lock" : "semacquire";
	const char *want_status[4] = {"waiting", "waiting", "waiting", "syscall"};
	const char *want_reason[4] = {"chan receive", "sleep", mutex_wait, ""};

	int idle = 0;
	for (int i = 0; i < p->ngoroutines; i++)
		idle += on_stack(es, &p->gs[i].stack, "idle") &&
		        !strcmp(p->gs[i].wait_reason, "chan receive");
	why[0] = 0;
	if (idle != 10)
		snprintf(why, len, "%d goroutines parked in main.idle, want 10", idle);
	for (int i = 0; i < 4 && !why[0]; i++) {
		const struct tt_pane_goroutine *g = find_goid(p, l->goid[i]);
		if (!g)
			snprintf(why, len, "goid %lld (%s) not read", (long long)l->goid[i],
			         names[i]);
		else if (strcmp(g->status_word, want_status[i]) ||
		         strcmp(g->wait_reason, want_reason[i]))
			snprintf(why, len, "%s is %s/%s, want %s/%s", names[i], g->status_word,
			         g->wait_reason, want_status[i], want_reason[i]);
		else if (!on_stack(es, &g->stack, names[i]))
			snprintf(why, len, "main.%s not on its stack (%d frames, flags %#x)",
			         names[i], g->stack.n, g->stack.flags);
		/* whole: down to runtime.goexit, nothing cut or changed */
		else if (g->stack.flags)
			snprintf(why, len, "%s stack flags %#x", names[i], g->stack.flags);
		else if (g->sched_sp == 0 || (i == 3 && g->thread == 0)) /* in a syscall on its m */
			snprintf(why, len, "%s: sp %#llx thread %u", names[i],
			         (unsigned long long)g->sched_sp, g->thread);
	}
	return why;
}

static void print_stack(const char *name, const struct tt_pane *p, int64_t goid,
                        const struct tt_elfsyms *es)
{
	const struct tt_pane_goroutine *g = find_goid(p, goid);

	printf("%s termWriter:", name);
	for (int i = 0; i < g->stack.n; i++) {
		struct tt_pcln_func f;
		if (tt_pcln_lookup(&es->pcln, g->stack.f[i].addr - bias - (i > 0), &f) == 0)
			printf(" %s", f.name);
	}
	printf("\n");
}

static void test_live_builds(void **state)
{
	(void)state;
	if (geteuid() != 0) {
		printf("SKIP: live goroutine reads need root\n");
		return;
	}
	for (size_t b = 0; b < sizeof(builds) / sizeof(builds[0]); b++) {
		char p[512];
		struct tt_goinfo gi;
		struct live l;
		struct tt_mem mem;
		if (!tt_have_fixture(builds[b], p, sizeof(p), "make fixtures"))
			continue;
		go_version(p, &gi);
		assert_true(live_start(p, 10, &l));
		struct tt_pane *pane = pane_new();
		tt_mem_of_pid(&mem, l.pid);
		int r = tt_goroutines_read(pane, l.pid, &mem);
		struct tt_gort rt;
		char ewhy[96];
		int fd = open(p, O_RDONLY);
		assert_int_equal(tt_gort_load(&rt, fd, ewhy, sizeof(ewhy)), 0);
		close(fd);
		assert_int_equal(tt_gort_bias(&rt, l.pid, &bias), 0);
		assert_true(rt.pie || bias == 0);
		tt_gort_free(&rt);
		if (r != 0)
			fail_msg("%s: %d %s", builds[b], r, pane->why_no_goroutines);
		assert_string_equal(pane->gsrc,
		                    strstr(builds[b], "stripped") ? "decoder" : "symtab");
		assert_true(pane->ngoroutines >= 15 && pane->ngoroutines == pane->goroutines_total);
		struct tt_elfsyms *es = tt_load_syms_path(p);
		/* lockWaiter spins before it parks, the writer has a pty to fill: a
		 * few reads, 100 ms apart, for them to settle */
		char why[160];
		for (int t = 0; t < 30 && live_wrong(&gi, pane, &l, es, why, sizeof(why))[0]; t++) {
			usleep(100 * 1000);
			assert_int_equal(tt_goroutines_read(pane, l.pid, &mem), 0);
		}
		if (why[0])
			fail_msg("%s: %s", builds[b], why);
		print_stack(builds[b], pane, l.goid[3], es);
		printf("%s (%s): %d goroutines (%d live), src %s, 4 named rows right\n", builds[b],
		       gi.version, pane->ngoroutines, pane->goroutines_total, pane->gsrc);
		tt_elfsyms_free(es);
		pane_del(pane);
		live_stop(&l);
	}
}

/*
 * arm64 builds under qemu-user (qemu-user-static), where a static guest's
 * addresses are the host's: the LR-machine unwinding and the arm64 decoder
 * for the stripped build, read from this x86-64 host. The reader proper
 * cannot be used (/proc/PID/exe is qemu), so the layers under it are.
 */
static void test_arm64_qemu(void **state)
{
	static const char *const bins[] = {"arm64/marquee", "arm64/marquee-stripped",
	                                   "arm64/marquee-cgo"};
	const char *q = "/usr/bin/qemu-aarch64-static";
	(void)state;
	if (geteuid() != 0 || access(q, X_OK) != 0) {
		printf("SKIP: needs root and %s (qemu-user-static)\n", q);
		return;
	}
	for (size_t b = 0; b < sizeof(bins) / sizeof(bins[0]); b++) {
		char p[512], why[160];
		struct tt_gort rt;
		struct tt_goinfo gi;
		struct live l;
		struct tt_mem mem;
		if (!tt_have_fixture(bins[b], p, sizeof(p), "make fixtures"))
			continue;
		go_version(p, &gi);
		int fd = open(p, O_RDONLY);
		int r = tt_gort_load(&rt, fd, why, sizeof(why));
		close(fd);
		if (r != 0 && strstr(bins[b], "stripped")) {
			/* this host's decoder reads x86-64 code: test_goroutines_arm64 covers it */
			assert_string_equal(why, "stripped: runtime.allgs not found");
			printf("%s: %s, as expected on %s\n", bins[b], why, tt_arch_name);
			continue;
		}
		assert_int_equal(r, 0);
		assert_true(rt.lr_machine);
		interp = q;
		bool up = live_start(p, 10, &l);
		interp = NULL;
		assert_true(up);
		tt_mem_of_pid(&mem, l.pid);
		if (rt.ncand && tt_gort_pick(&rt, 0, &mem) != 0) {
			printf("SKIP: %s: allgs not at its own address (qemu guest base)\n",
			       bins[b]);
			live_stop(&l);
			tt_gort_free(&rt);
			continue;
		}
		struct tt_pane *pane = pane_new();
		bias = 0;
		for (int t = 0; t < 30; t++) {
			assert_int_equal(tt_goroutines_walk(pane, &rt, 0, &mem, mono_ns()), 0);
			if (!live_wrong(&gi, pane, &l, rt.es, why, sizeof(why))[0])
				break;
			usleep(100 * 1000);
		}
		if (why[0])
			fail_msg("%s: %s", bins[b], why);
		print_stack(bins[b], pane, l.goid[3], rt.es);
		printf("%s under qemu: %d goroutines, src %s, 4 named rows right\n", bins[b],
		       pane->ngoroutines, rt.src);
		pane_del(pane);
		tt_gort_free(&rt);
		live_stop(&l);
	}
}

/* ---- hostile memory ------------------------------------------------------------ */

#define A_ALLGS 0x10000ull
#define A_ARRAY 0x20000ull
#define A_G 0x30000ull
#define A_STACK 0x40000ull
#define STACK_LEN 0x4000u

struct synth {
	uint8_t allgs[24], array[24], g[512], stack[STACK_LEN];
	uint8_t img[4 * 12 + 24 + 24 + 512 + STACK_LEN];
	size_t len;
};

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static void synth_image(struct synth *sy)
{
	const struct {
		uint64_t a;
		const uint8_t *p;
		uint32_t n;
	} r[] = {{A_ALLGS, sy->allgs, 24},
	         {A_ARRAY, sy->array, 24},
	         {A_G, sy->g, 512},
	         {A_STACK, sy->stack, STACK_LEN}};
	sy->len = 0;
	for (int i = 0; i < 4; i++) {
		memcpy(sy->img + sy->len, &r[i].a, 8);
		memcpy(sy->img + sy->len + 8, &r[i].n, 4);
		memcpy(sy->img + sy->len + 12, r[i].p, r[i].n);
		sy->len += 12 + r[i].n;
	}
}

/*
 * One waiting g among two bad pointers, parked at pc in main.tick with its
 * frame at sp; ret is the word where its return address goes.
 */
static void synth_setup(struct synth *sy, const struct tt_gort *rt, uint64_t pc, int32_t d,
                        uint64_t ret)
{
	const struct tt_go_goff *o = &rt->off;
	uint64_t sp = A_STACK + 0x100;

	memset(sy, 0, sizeof(*sy));
	put64(sy->allgs, A_ARRAY);
	put64(sy->allgs + 8, 3);
	put64(sy->allgs + 16, 3);
	put64(sy->array, A_G);
	put64(sy->array + 8, 0x1234);      /* unaligned */
	put64(sy->array + 16, 0x99990000); /* unmapped */
	put64(sy->g + o->stack_lo, A_STACK);
	put64(sy->g + o->stack_hi, A_STACK + STACK_LEN);
	put64(sy->g + o->goid, 77);
	uint32_t st = 4 | 0x1000; /* waiting, being scanned */
	memcpy(sy->g + o->atomicstatus, &st, 4);
	sy->g[o->waitreason] = 14; /* chan receive */
	put64(sy->g + o->sched + o->gobuf_pc, pc);
	put64(sy->g + o->sched + o->gobuf_sp, sp);
	put64(sy->stack + (sp - A_STACK) + (uint64_t)d, ret);
	synth_image(sy);
}

/* A pc in main.tick where its frame is set up, and the frame's size. */
static void tick_pc(const struct tt_gort *rt, uint64_t *pc, int32_t *d)
{
	uint64_t entry, end, e2;

	assert_int_equal(tt_pcln_find(&rt->es->pcln, "main.tick", &entry, &end), 0);
	for (*pc = entry + 32; *pc < end; (*pc)++)
		if (tt_pcln_spdelta(&rt->es->pcln, *pc, d, &e2) == 0 && *d > 0)
			return;
	fail();
}

static bool load_rt(struct tt_gort *rt)
{
	char p[512], why[96];

	if (!tt_have_fixture("marquee", p, sizeof(p), "make fixtures"))
		return false;
	int fd = open(p, O_RDONLY);
	assert_int_equal(tt_gort_load(rt, fd, why, sizeof(why)), 0);
	close(fd);
	rt->allgs = A_ALLGS;
	return true;
}

/* A return address outside the pclntab stops the walk: kept, the frame before it. */
static void test_corrupt_g(void **state)
{
	struct tt_gort rt;
	struct synth *sy = calloc(1, sizeof(*sy));
	struct tt_mem_image im;
	struct tt_mem m;
	uint64_t pc;
	int32_t d;
	(void)state;
	if (!load_rt(&rt))
		return;
	tick_pc(&rt, &pc, &d);
	synth_setup(sy, &rt, pc, d, 0xdeadbeef);
	assert_int_equal(tt_mem_image_parse(&im, sy->img, sy->len), 0);
	tt_mem_of_image(&m, &im);
	struct tt_pane *p = pane_new();
	assert_int_equal(tt_goroutines_walk(p, &rt, 0, &m, 1000), 0);
	assert_int_equal(p->ngoroutines, 1);
	assert_int_equal(p->goroutines_total, 1);
	assert_int_equal(p->gs[0].goid, 77);
	assert_string_equal(p->gs[0].status_word, "waiting");
	assert_string_equal(p->gs[0].wait_reason, "chan receive");
	assert_int_equal(p->gs[0].stack.n, 1);
	assert_int_equal(p->gs[0].stack.f[0].addr, pc);
	assert_int_equal(p->gs[0].stack.flags, TT_PSTK_TRUNCATED);
	FILE *f = fopen("build/goroutines-synth.img", "w"); /* a fuzzer seed */
	if (f) {
		fwrite(sy->img, 1, sy->len, f);
		fclose(f);
	}

	/* its own pc as return address: a loop, bounded by the depth */
	synth_setup(sy, &rt, pc, d, pc);
	assert_int_equal(tt_mem_image_parse(&im, sy->img, sy->len), 0);
	for (int i = 1; i < TT_PANE_DEPTH + 2; i++)
		put64((uint8_t *)im.r[3].p + 0x100 + (uint64_t)i * (uint64_t)(d + 8) + (uint64_t)d,
		      pc);
	assert_int_equal(tt_goroutines_walk(p, &rt, 0, &m, 1000), 0);
	assert_int_equal(p->gs[0].stack.n, TT_PANE_DEPTH);
	assert_true(p->gs[0].stack.flags & TT_PSTK_TRUNCATED);

	/* allgs that does not add up (len > cap): nothing, and said so */
	put64((uint8_t *)im.r[0].p + 16, 1);
	assert_int_equal(tt_goroutines_walk(p, &rt, 0, &m, 1000), -EINVAL);
	assert_int_equal(p->ngoroutines, 0);
	assert_true(p->why_no_goroutines[0] != 0);
	pane_del(p);
	tt_gort_free(&rt);
	free(sy);
}

/* A g whose saved context moves between the read and the re-read. */
struct torn {
	struct tt_mem img;
	uint64_t g_pc_addr, new_pc;
	int g_reads;
};

static int torn_read(void *ctx, uint64_t addr, void *buf, size_t n)
{
	struct torn *t = ctx;
	int r = tt_mem_read(&t->img, addr, buf, n);

	if (r == 0 && addr == A_G && ++t->g_reads == 2) /* the re-read: it ran meanwhile */
		put64((uint8_t *)buf + (t->g_pc_addr - A_G), t->new_pc);
	return r;
}

static void test_torn_g(void **state)
{
	struct tt_gort rt;
	struct synth *sy = calloc(1, sizeof(*sy));
	struct tt_mem_image im;
	uint64_t pc, entry;
	int32_t d;
	(void)state;
	if (!load_rt(&rt))
		return;
	tick_pc(&rt, &pc, &d);
	/* a return address into runtime.goexit: a whole two-frame stack */
	assert_int_equal(tt_pcln_find(&rt.es->pcln, "runtime.goexit", &entry, NULL), 0);
	synth_setup(sy, &rt, pc, d, entry + 1);
	assert_int_equal(tt_mem_image_parse(&im, sy->img, sy->len), 0);
	struct torn t = {.g_pc_addr = A_G + rt.off.sched + rt.off.gobuf_pc, .new_pc = pc + 1};
	tt_mem_of_image(&t.img, &im);
	struct tt_mem m = {.read = torn_read, .ctx = &t};
	struct tt_pane *p = pane_new();
	assert_int_equal(tt_goroutines_walk(p, &rt, 0, &t.img, 1000), 0);
	assert_int_equal(p->gs[0].stack.n, 2);
	assert_int_equal(p->gs[0].stack.flags, 0);
	assert_int_equal(tt_goroutines_walk(p, &rt, 0, &m, 1000), 0);
	assert_int_equal(t.g_reads, 2);
	assert_int_equal(p->gs[0].stack.n, 1);
	assert_int_equal(p->gs[0].stack.flags, TT_PSTK_CHANGED);
	pane_del(p);
	tt_gort_free(&rt);
	free(sy);
}

/*
 * A version with no table in gowait.c (1.23 taken for one, minor 99): the
 * program's own strings are read and give the same words.
 */
static void test_wait_from_binary(void **state)
{
	char p[512], why[96];
	struct live l;
	struct tt_gort rt;
	struct tt_mem mem;
	(void)state;
	if (geteuid() != 0) {
		printf("SKIP: live goroutine reads need root\n");
		return;
	}
	if (!tt_have_fixture("go1.23/marquee", p, sizeof(p), "make fixtures"))
		return;
	int fd = open(p, O_RDONLY);
	assert_int_equal(tt_gort_load(&rt, fd, why, sizeof(why)), 0);
	close(fd);
	assert_true(rt.wrs != 0);
	assert_int_equal(rt.nwrs, 38);
	rt.minor = 99;
	assert_true(live_start(p, 0, &l));
	tt_mem_of_pid(&mem, l.pid);
	assert_int_equal(tt_gort_wait_strings(&rt, 0, &mem), 0);
	assert_int_equal(rt.nwr, 38);
	assert_string_equal(rt.wr[14], "chan receive");
	struct tt_pane *pane = pane_new();
	const struct tt_pane_goroutine *g = NULL;
	for (int t = 0; t < 30; t++) {
		assert_int_equal(tt_goroutines_walk(pane, &rt, 0, &mem, mono_ns()), 0);
		g = find_goid(pane, l.goid[2]);
		if (g && !strcmp(g->wait_reason, "sync.Mutex.Lock"))
			break;
		usleep(100 * 1000);
	}
	assert_non_null(g);
	assert_string_equal(g->wait_reason, "sync.Mutex.Lock");
	assert_string_equal(find_goid(pane, l.goid[1])->wait_reason, "sleep");
	pane_del(pane);
	tt_gort_free(&rt);
	live_stop(&l);
}

/* ---- recorded image ------------------------------------------------------------ */

/* Records every read a walk makes, merged into at most 64 regions. */
struct rec {
	struct tt_mem live;
	struct {
		uint64_t lo, hi;
	} r[64];
	int n;
	bool full;
};

static int rec_read(void *ctx, uint64_t addr, void *buf, size_t n)
{
	struct rec *rc = ctx;
	int r = tt_mem_read(&rc->live, addr, buf, n);

	if (r != 0 || n == 0)
		return r;
	uint64_t lo = addr, hi = addr + n;
	for (int i = 0; i < rc->n; i++)
		if (lo <= rc->r[i].hi + 4096 && rc->r[i].lo <= hi + 4096) {
			rc->r[i].lo = lo < rc->r[i].lo ? lo : rc->r[i].lo;
			rc->r[i].hi = hi > rc->r[i].hi ? hi : rc->r[i].hi;
			return 0;
		}
	if (rc->n < 64) {
		rc->r[rc->n].lo = lo;
		rc->r[rc->n++].hi = hi;
	} else {
		rc->full = true;
	}
	return 0;
}

/* The regions' bytes read again into the image format; its length. */
static size_t rec_image(struct rec *rc, uint8_t **out)
{
	size_t len = 0, cap = 0;
	uint8_t *img = NULL;

	for (int i = 0; i < rc->n; i++) {
		uint32_t n = (uint32_t)(rc->r[i].hi - rc->r[i].lo);
		if (len + 12 + n > cap) {
			cap = (len + 12 + n) * 2;
			img = realloc(img, cap);
			assert_non_null(img);
		}
		memcpy(img + len, &rc->r[i].lo, 8);
		memcpy(img + len + 8, &n, 4);
		assert_int_equal(tt_mem_read(&rc->live, rc->r[i].lo, img + len + 12, n), 0);
		len += 12 + n;
	}
	*out = img;
	return len;
}

/*
 * A live read recorded, then replayed from the image with the same
 * executable: the same rows. The image is left in build/ for the fuzzer's
 * seeds (fuzz/corpus/fuzz_goroutines).
 */
static void test_image_replay(void **state)
{
	char p[512];
	struct live l;
	struct tt_gort rt;
	char why[96];
	(void)state;
	if (geteuid() != 0) {
		printf("SKIP: recording a live image needs root\n");
		return;
	}
	if (!tt_have_fixture("marquee", p, sizeof(p), "make fixtures"))
		return;
	assert_true(live_start(p, 4, &l));
	int fd = open(p, O_RDONLY);
	assert_int_equal(tt_gort_load(&rt, fd, why, sizeof(why)), 0);
	close(fd);
	struct rec rc = {.n = 0};
	tt_mem_of_pid(&rc.live, l.pid);
	struct tt_mem recm = {.read = rec_read, .ctx = &rc};
	struct tt_pane *a = pane_new(), *b = pane_new();
	assert_int_equal(tt_gort_bias(&rt, l.pid, &bias), 0);
	if (rt.ncand)
		assert_int_equal(tt_gort_pick(&rt, bias, &rc.live), 0);
	kill(l.pid, SIGSTOP); /* the image must be one moment's */
	uint64_t now = mono_ns();
	assert_int_equal(tt_goroutines_walk(a, &rt, bias, &recm, now), 0);
	uint8_t *img;
	size_t len = rec_image(&rc, &img);
	kill(l.pid, SIGCONT);
	assert_false(rc.full);
	struct tt_mem_image im;
	struct tt_mem m;
	assert_int_equal(tt_mem_image_parse(&im, img, len), 0);
	tt_mem_of_image(&m, &im);
	assert_int_equal(tt_goroutines_walk(b, &rt, bias, &m, now), 0);
	assert_int_equal(a->ngoroutines, b->ngoroutines);
	for (int i = 0; i < a->ngoroutines; i++) {
		assert_int_equal(a->gs[i].goid, b->gs[i].goid);
		assert_string_equal(a->gs[i].wait_reason, b->gs[i].wait_reason);
		assert_int_equal(a->gs[i].stack.n, b->gs[i].stack.n);
		assert_memory_equal(a->gs[i].stack.f, b->gs[i].stack.f,
		                    a->gs[i].stack.n * sizeof(a->gs[i].stack.f[0]));
	}
	FILE *f = fopen("build/goroutines.img", "w");
	if (f) {
		fwrite(img, 1, len, f);
		fclose(f);
	}
	printf("image: %d regions, %zu bytes, %d goroutines replayed alike\n", im.n, len,
	       b->ngoroutines);
	free(img);
	pane_del(a);
	pane_del(b);
	tt_gort_free(&rt);
	live_stop(&l);
}

/* 10,000 parked goroutines: what one read costs, the executable already cached. */
static void test_ten_thousand(void **state)
{
	char p[512];
	struct live l;
	struct tt_mem mem;
	(void)state;
	if (geteuid() != 0) {
		printf("SKIP: live goroutine reads need root\n");
		return;
	}
	if (!tt_have_fixture("marquee", p, sizeof(p), "make fixtures"))
		return;
	assert_true(live_start(p, 10000, &l));
	struct tt_pane *pane = pane_new();
	tt_mem_of_pid(&mem, l.pid);
	uint64_t t0 = mono_ns();
	assert_int_equal(tt_goroutines_read(pane, l.pid, &mem), 0);
	uint64_t t1 = mono_ns();
	uint64_t best = UINT64_MAX;
	for (int i = 0; i < 5; i++) {
		uint64_t s = mono_ns();
		mem.reads = mem.bytes = 0;
		assert_int_equal(tt_goroutines_read(pane, l.pid, &mem), 0);
		uint64_t d = mono_ns() - s;
		best = d < best ? d : best;
	}
	assert_true(pane->ngoroutines >= 10000);
	printf("10,000 goroutines: first read %.1f ms (executable loaded), then %.1f ms, "
	       "%d rows, %llu reads, %llu bytes\n",
	       (t1 - t0) / 1e6, best / 1e6, pane->ngoroutines, (unsigned long long)mem.reads,
	       (unsigned long long)mem.bytes);
	/* no time limit here: make bench reports the cost (a loaded machine is no failure) */
	pane_del(pane);
	live_stop(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_status_words),        cmocka_unit_test(test_wait_tables),
	    cmocka_unit_test(test_goff_table_vs_dwarf), cmocka_unit_test(test_spdelta),
	    cmocka_unit_test(test_image_parse),         cmocka_unit_test(test_live_builds),
	    cmocka_unit_test(test_wait_from_binary),    cmocka_unit_test(test_arm64_qemu),
	    cmocka_unit_test(test_corrupt_g),           cmocka_unit_test(test_torn_g),
	    cmocka_unit_test(test_image_replay),        cmocka_unit_test(test_ten_thousand),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
