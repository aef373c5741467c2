// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Thread rows of a live process: the cthreads fixture on a pty from
 * openpty(), its threads asleep in read, nanosleep and a pty write. Each
 * row's state, wchan, syscall, kernel frames (by name) and user frames
 * (named here through the ELF symbols of the mapped files) are checked.
 * Root only: /proc/TID/stack, syscall and map_files need it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <pty.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "buildid.h"
#include "helpers.h"
#include "pane.h"
#include "procmaps.h"
#include "threads.h"

static bool is_root(void)
{
	if (geteuid() == 0)
		return true;
	printf("SKIP: not root (/proc/TID/stack, syscall and map_files need it)\n");
	return false;
}

struct fix {
	pid_t pid;
	int out, master, slave;
	uint32_t reader, sleeper, writer;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* One line of the fixture's stdout, waiting up to 5 s. */
static bool read_line(int fd, char *buf, size_t len)
{
	size_t n = 0;

	while (n + 1 < len) {
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, 5000) <= 0 || read(fd, buf + n, 1) != 1)
			return false;
		if (buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = 0;
	return true;
}

/* Start cthreads (extra idle threads) and learn its threads' tids; false: skip. */
static bool start_fixture(struct fix *f, int extra)
{
	char path[512], name[128], line[128], n[16];
	int pfd[2];

	memset(f, 0, sizeof(*f));
	if (!is_root())
		return false;
	if (!tt_have_fixture("cthreads", path, sizeof(path), "run make fixtures"))
		return false;
	assert_int_equal(openpty(&f->master, &f->slave, name, NULL, NULL), 0);
	assert_int_equal(pipe(pfd), 0);
	snprintf(n, sizeof(n), "%d", extra);
	f->pid = fork();
	assert_true(f->pid >= 0);
	if (f->pid == 0) {
		dup2(pfd[1], 1);
		execl(path, path, name, n, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	f->out = pfd[0];
	for (int i = 0; i < 3 + (extra > 0); i++) {
		unsigned tid = 0;
		char who[32];
		assert_true(read_line(f->out, line, sizeof(line)));
		if (sscanf(line, "thread %31s tid=%u", who, &tid) != 2)
			continue;
		if (!strcmp(who, "reader"))
			f->reader = tid;
		else if (!strcmp(who, "sleeper"))
			f->sleeper = tid;
		else if (!strcmp(who, "ptywriter"))
			f->writer = tid;
	}
	assert_true(f->reader && f->sleeper && f->writer);
	return true;
}

static void stop_fixture(struct fix *f)
{
	kill(f->pid, SIGKILL);
	waitpid(f->pid, NULL, 0);
	close(f->out);
	close(f->master);
	close(f->slave);
}

static const struct tt_pane_thread *row_of(const struct tt_pane *p, uint32_t tid)
{
	for (int i = 0; i < p->nthreads; i++)
		if (p->threads[i].tid == tid)
			return &p->threads[i];
	return NULL;
}

/* Asleep where the fixture puts it, with a user stack at least min deep. */
static bool settled(const struct tt_pane_thread *t, const char *wchan_part, int min)
{
	return t && t->state == 'S' && strstr(t->blocked_on, wchan_part) && t->ustack.n >= min;
}

static struct tt_mem the_mem;

/* Read until each named thread is asleep in its place (the writer fills the pty first). */
static void read_until(struct tt_pane *p, const struct fix *f)
{
	uint64_t t0 = mono_ns();

	for (;;) {
		tt_mem_of_pid(&the_mem, f->pid);
		assert_int_equal(tt_threads_read(p, f->pid, &the_mem), 0);
		const struct tt_pane_thread *w = row_of(p, f->writer);
		if (settled(row_of(p, f->reader), "pipe_read", 3) &&
		    settled(row_of(p, f->sleeper), "nanosleep", 3) && w && w->state == 'S' &&
		    (strstr(w->blocked_on, "wait_woken") || strstr(w->blocked_on, "tty_write")) &&
		    w->ustack.n >= 3)
			return;
		assert_true(mono_ns() - t0 < 5000000000ull);
		usleep(20000);
	}
}

static bool kstack_has(const struct tt_pane *p, const struct tt_pane_thread *t, const char *fn)
{
	for (int i = 0; i < t->kstack.n; i++) {
		const struct tt_pane_name *n = tt_pane_frame_name(p, &t->kstack.f[i]);
		assert_true(t->kstack.f[i].flags & TT_PSTK_KERNEL);
		assert_int_equal(t->kstack.f[i].addr, 0);
		if (n && strstr(n->func, fn) && !strcmp(n->module, "kernel"))
			return true;
	}
	return false;
}

/* A user frame's function by the ELF symbols of the file mapped there ("" if none). */
static void user_name(pid_t pid, uint64_t addr, bool ret, char *out, size_t len)
{
	static struct tt_map maps[TT_MAPS_MAX];
	int n = tt_procmaps_read(pid, maps, TT_MAPS_MAX, true);
	uint64_t look = ret ? addr - 1 : addr, va;
	const struct tt_map *m = tt_procmaps_find(maps, n, look);
	struct tt_elfsyms *es, *dbg = NULL;
	struct tt_elf_hit hit;
	char path[128], dpath[128];
	uint8_t id[TT_BUILD_ID_LEN];
	int fd;

	out[0] = 0;
	if (!m)
		return;
	snprintf(path, sizeof(path), "/proc/%d/map_files/%llx-%llx", (int)pid,
	         (unsigned long long)m->start, (unsigned long long)m->end);
	es = tt_load_syms_path(path);
	if (!es)
		return;
	/* Debian's libc has no .symtab: its static functions are in libc6-dbg's file */
	if ((fd = open(path, O_RDONLY)) >= 0 && tt_buildid_of_fd(fd, id) == 0) {
		int at = snprintf(dpath, sizeof(dpath), "/usr/lib/debug/.build-id/%02x/", id[0]);
		for (int i = 1; i < TT_BUILD_ID_LEN; i++)
			at += snprintf(dpath + at, sizeof(dpath) - (size_t)at, "%02x", id[i]);
		snprintf(dpath + at, sizeof(dpath) - (size_t)at, ".debug");
		if (access(dpath, R_OK) == 0)
			dbg = tt_load_syms_path(dpath);
	}
	if (fd >= 0)
		close(fd);
	if (tt_elfsyms_off_to_vaddr(es, look - m->start + m->off, &va) == 0 &&
	    tt_elfsyms_lookup(dbg ? dbg : es, va, &hit) == 0)
		snprintf(out, len, "%s", hit.func);
	tt_elfsyms_free(es);
	tt_elfsyms_free(dbg);
}

/* The user stack, named, as one line: "__libc_read reader_thread start_thread clone3". */
static void ustack_names(pid_t pid, const struct tt_pane_thread *t, char *out, size_t len)
{
	size_t at = 0;

	out[0] = 0;
	for (int i = 0; i < t->ustack.n && at + 1 < len; i++) {
		char fn[128];
		assert_int_equal(t->ustack.f[i].name, UINT32_MAX);
		user_name(pid, t->ustack.f[i].addr, i > 0, fn, sizeof(fn));
		at += (size_t)snprintf(out + at, len - at, "%s%s", i ? " " : "", fn[0] ? fn : "?");
	}
}

/* blocked_on is what /proc/TID/wchan says (taken from the kernel stack's first frame) */
static void check_wchan(pid_t pid, const struct tt_pane_thread *t)
{
	char path[64], buf[128] = {0};
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%u/wchan", (int)pid, t->tid);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_true(read(fd, buf, sizeof(buf) - 1) > 0);
	close(fd);
	assert_string_equal(t->blocked_on, buf);
}

static void check_user(pid_t pid, const struct tt_pane_thread *t, const char *fn)
{
	char line[2048];

	ustack_names(pid, t, line, sizeof(line));
	printf("  tid %u %-9s sys %3d wchan %-18s user: %s%s\n", t->tid, t->comm, t->syscall,
	       t->blocked_on, line, t->ustack.flags & TT_PSTK_TRUNCATED ? " (truncated)" : "");
	assert_non_null(strstr(line, fn));
	assert_non_null(strstr(line, " start_thread "));
	assert_true(tt_ends_with(line, "clone3") || tt_ends_with(line, "clone"));
	/* the walk ended at the thread's entry, not by giving up */
	assert_false(t->ustack.flags & (TT_PSTK_TRUNCATED | TT_PSTK_NONE | TT_PSTK_CHANGED));
}

static void test_named_threads(void **state)
{
	struct fix f;
	struct tt_pane p = {0};

	(void)state;
	if (!start_fixture(&f, 0))
		skip();
	assert_int_equal(tt_pane_alloc(&p, false), 0);
	read_until(&p, &f);
	assert_int_equal(p.nthreads, 4);
	assert_int_equal(p.threads_total, 4);

	const struct tt_pane_thread *r = row_of(&p, f.reader), *s = row_of(&p, f.sleeper),
	                            *w = row_of(&p, f.writer);
	assert_string_equal(r->comm, "reader");
	assert_string_equal(s->comm, "sleeper");
	assert_string_equal(w->comm, "ptywriter");
	assert_int_equal(r->syscall, SYS_read);
	assert_int_equal(s->syscall, SYS_clock_nanosleep);
	assert_int_equal(w->syscall, SYS_write);
	assert_true(kstack_has(&p, r, "pipe_read"));
	assert_true(kstack_has(&p, s, "nanosleep"));
	assert_true(kstack_has(&p, w, "n_tty_write"));
	assert_true(r->switches > 0 && r->read_ns > 1600000000ull * 1000000000ull);
	assert_int_equal(r->goid, -1);
	check_wchan(f.pid, r);
	check_wchan(f.pid, s);
	check_wchan(f.pid, w);
	check_user(f.pid, r, "reader_thread");
	check_user(f.pid, s, "sleeper_thread");
	check_user(f.pid, w, "pty_writer_thread");
	/* the innermost frame is the syscall's pc in libc's wrapper */
	char fn[128];
	user_name(f.pid, r->ustack.f[0].addr, false, fn, sizeof(fn));
	assert_true(tt_ends_with(fn, "read") && strcmp(fn, "reader_thread"));
	user_name(f.pid, s->ustack.f[0].addr, false, fn, sizeof(fn));
	assert_non_null(strstr(fn, "nanosleep"));
	user_name(f.pid, w->ustack.f[0].addr, false, fn, sizeof(fn));
	assert_true(tt_ends_with(fn, "write") && strcmp(fn, "pty_writer_thread"));

	stop_fixture(&f);
	/* gone: -ESRCH */
	assert_int_equal(tt_threads_read(&p, f.pid, &the_mem), -ESRCH);
	tt_pane_free(&p);
	tt_threads_cache_free();
}

/* 100 threads: what one read costs, cold (files parsed) and warm. */
static void test_many_threads(void **state)
{
	struct fix f;
	struct tt_pane p = {0};

	(void)state;
	if (!start_fixture(&f, 100))
		skip();
	assert_int_equal(tt_pane_alloc(&p, false), 0);
	read_until(&p, &f);
	tt_threads_cache_free();
	uint64_t t0 = mono_ns();
	assert_int_equal(tt_threads_read(&p, f.pid, &the_mem), 0);
	uint64_t cold = mono_ns() - t0, best = UINT64_MAX, sum = 0;
	struct timespec c0, c1;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	for (int i = 0; i < 10; i++) {
		t0 = mono_ns();
		assert_int_equal(tt_threads_read(&p, f.pid, &the_mem), 0);
		uint64_t d = mono_ns() - t0;
		sum += d;
		best = d < best ? d : best;
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
	double cpu_ms = ((c1.tv_sec - c0.tv_sec) * 1e9 + (c1.tv_nsec - c0.tv_nsec)) / 10 / 1e6;
	assert_int_equal(p.nthreads, 104);
	int idle_walked = 0;
	for (int i = 0; i < p.nthreads; i++)
		if (!strcmp(p.threads[i].comm, "idle") && p.threads[i].ustack.n >= 3 &&
		    !(p.threads[i].ustack.flags & TT_PSTK_TRUNCATED))
			idle_walked++;
	printf("  104 threads: cold %.2f ms, warm best %.2f ms, mean %.2f ms (CPU %.2f ms); %d/100 "
	       "idle walked to their entry; %llu memory reads\n",
	       cold / 1e6, best / 1e6, sum / 10 / 1e6, cpu_ms, idle_walked,
	       (unsigned long long)the_mem.reads);
	assert_int_equal(idle_walked, 100);
	stop_fixture(&f);
	tt_pane_free(&p);
	tt_threads_cache_free();
}

/* Our own process: the test's thread is running (reading), no user stack for it. */
static void test_self(void **state)
{
	struct tt_pane p = {0};
	struct tt_mem m;

	(void)state;
	if (!is_root())
		skip();
	assert_int_equal(tt_pane_alloc(&p, false), 0);
	tt_mem_of_pid(&m, getpid());
	assert_int_equal(tt_threads_read(&p, getpid(), &m), 0);
	assert_int_equal(p.nthreads, 1);
	assert_int_equal(p.threads[0].state, 'R');
	assert_int_equal(p.threads[0].tid, (uint32_t)getpid());
	assert_int_equal(p.threads[0].syscall, -1);
	assert_true(p.threads[0].ustack.flags & TT_PSTK_NONE);
	assert_string_equal(p.threads[0].blocked_on, "");
	assert_int_equal(tt_threads_read(&p, 0x3fffffff, &m), -ESRCH);
	tt_pane_free(&p);
}

static volatile int churning;

static void *short_lived(void *arg)
{
	return arg;
}

static void *churner(void *arg)
{
	while (churning) {
		pthread_t t;
		if (pthread_create(&t, NULL, short_lived, NULL) == 0)
			pthread_join(t, NULL);
	}
	return arg;
}

/* Threads that exit while read are left out; every read succeeds. */
static void test_threads_exit_while_read(void **state)
{
	struct tt_pane p = {0};
	struct tt_mem m;
	pthread_t ch[3];
	int reads = 0, max_rows = 0;

	(void)state;
	if (!is_root())
		skip();
	assert_int_equal(tt_pane_alloc(&p, false), 0);
	tt_mem_of_pid(&m, getpid());
	churning = 1;
	for (int i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&ch[i], NULL, churner, NULL), 0);
	for (uint64_t t0 = mono_ns(); mono_ns() - t0 < 1000000000ull; reads++) {
		assert_int_equal(tt_threads_read(&p, getpid(), &m), 0);
		assert_true(p.nthreads >= 1 && p.nthreads <= p.threads_total + 0);
		for (int i = 0; i < p.nthreads; i++) {
			const struct tt_pane_thread *t = &p.threads[i];
			assert_true(t->tid > 0 && t->state && t->ustack.n <= TT_PANE_DEPTH);
			assert_true(t->kstack.n <= TT_PANE_DEPTH);
		}
		max_rows = p.nthreads > max_rows ? p.nthreads : max_rows;
	}
	churning = 0;
	for (int i = 0; i < 3; i++)
		pthread_join(ch[i], NULL);
	printf("  %d reads in 1 s while threads came and went, up to %d rows\n", reads, max_rows);
	assert_true(reads > 10 && max_rows >= 4);
	tt_pane_free(&p);
}

static volatile int napping;

/* Wakes every 100 us: reads often catch it between two sleeps */
__attribute__((noinline)) void *busy_sleeper(void *arg)
{
	struct timespec ts = {0, 100000};

	*(volatile uint32_t *)arg = (uint32_t)gettid();
	while (napping)
		nanosleep(&ts, NULL);
	return arg;
}

/*
 * A thread that wakes all the time: a row read while it moved says so
 * (TT_PSTK_CHANGED, one frame); any other row with a user stack walked to
 * its entry through the function it sleeps in. Never a wrong frame.
 */
static void test_moving_thread(void **state)
{
	struct tt_pane p = {0};
	struct tt_mem m;
	pthread_t t;
	volatile uint32_t tid = 0;
	int changed = 0, whole = 0, other = 0, checked = 0;

	(void)state;
	if (!is_root())
		skip();
	assert_int_equal(tt_pane_alloc(&p, false), 0);
	tt_mem_of_pid(&m, getpid());
	napping = 1;
	assert_int_equal(pthread_create(&t, NULL, busy_sleeper, (void *)&tid), 0);
	while (!tid)
		usleep(1000);
	for (int i = 0; i < 3000; i++) {
		assert_int_equal(tt_threads_read(&p, getpid(), &m), 0);
		const struct tt_pane_thread *r = row_of(&p, tid);
		if (!r || (r->ustack.flags & TT_PSTK_NONE)) {
			other++;
			continue;
		}
		if (r->ustack.flags & TT_PSTK_CHANGED) {
			assert_int_equal(r->ustack.n, 1);
			changed++;
			continue;
		}
		assert_false(r->ustack.flags & TT_PSTK_TRUNCATED);
		whole++;
		if (checked < 20) { /* naming reloads the files: a sample */
			char line[2048];
			ustack_names(getpid(), r, line, sizeof(line));
			assert_non_null(strstr(line, " busy_sleeper start_thread "));
			checked++;
		}
	}
	napping = 0;
	pthread_join(t, NULL);
	printf("  a thread waking every 100 us, 3000 reads: %d walked whole (%d named), %d moved "
	       "while read, %d running\n",
	       whole, checked, changed, other);
	assert_true(whole > 0);
	tt_pane_free(&p);
}

/* A process that exits while read: 0 until it is gone, then -ESRCH, never a crash. */
static void test_process_exits_while_read(void **state)
{
	struct fix f;
	struct tt_pane p = {0};
	int ok = 0, gone = 0;

	(void)state;
	if (!start_fixture(&f, 50))
		skip();
	assert_int_equal(tt_pane_alloc(&p, false), 0);
	tt_mem_of_pid(&the_mem, f.pid);
	kill(f.pid, SIGTERM);
	for (int i = 0; i < 200 && !gone; i++) {
		int rc = tt_threads_read(&p, f.pid, &the_mem);
		assert_true(rc == 0 || rc == -ESRCH);
		ok += rc == 0;
		if (rc == -ESRCH)
			gone = 1;
		if (i == 5)
			waitpid(f.pid, NULL, 0); /* reaped: /proc/PID goes away */
	}
	printf("  %d reads returned rows before the process was gone\n", ok);
	assert_true(gone);
	f.pid = 0x3ffffff0; /* already reaped: stop_fixture only closes */
	stop_fixture(&f);
	tt_pane_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_named_threads), cmocka_unit_test(test_many_threads),
	    cmocka_unit_test(test_self),          cmocka_unit_test(test_threads_exit_while_read),
	    cmocka_unit_test(test_moving_thread), cmocka_unit_test(test_process_exits_while_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
