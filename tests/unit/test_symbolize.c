// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The symbolizer end to end on live fixture processes: a PIE C program (also
 * run from a deleted file), Go programs (plain and stripped), the event
 * frame order with user_ret, exited processes, and the cache bounds.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/types.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"

#include "elfsym.h"
#include "procmaps.h"
#include "symbolize.h"
#include "symcache.h"

/* Start a fixture with stdout on /dev/null and wait until it has mapped its code. */
static pid_t spawn(const char *path, char *const argv[])
{
	pid_t pid = tt_spawn_quiet(path, argv);
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	for (int i = 0; i < 200; i++) {
		static struct tt_map m[TT_MAPS_MAX];
		int n = tt_procmaps_read(pid, m, TT_MAPS_MAX, true);
		for (int k = 0; k < n; k++)
			if (strstr(m[k].path, base))
				return pid;
		usleep(10 * 1000);
	}
	fail_msg("fixture %s did not start", path);
	return -1;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* Runtime address of a link-time address in pid's mapping of `base`. */
static uint64_t runtime_addr(pid_t pid, const char *base, const struct tt_elfsyms *es,
                             uint64_t vaddr)
{
	static struct tt_map m[TT_MAPS_MAX];
	uint64_t off;
	int n = tt_procmaps_read(pid, m, TT_MAPS_MAX, true);

	assert_int_equal(tt_elfsyms_vaddr_to_off(es, vaddr, &off), 0);
	for (int k = 0; k < n; k++)
		if (strstr(m[k].path, base) && off >= m[k].off &&
		    off - m[k].off < m[k].end - m[k].start)
			return m[k].start + (off - m[k].off);
	fail_msg("no mapping of %s covers offset %llx", base, (unsigned long long)off);
	return 0;
}

static const struct tt_elfsym *sym(const struct tt_elfsyms *es, const char *name)
{
	for (uint32_t i = 0; i < es->nsyms; i++)
		if (strcmp(es->strs + es->syms[i].name, name) == 0)
			return &es->syms[i];
	fail_msg("symbol %s missing", name);
	return NULL;
}

static void check_cwriter(const char *path, const char *module)
{
	char *const argv[] = {(char *)path, "0", "64", "20", NULL};
	struct tt_elfsyms *es = tt_load_syms_path(path);
	struct tt_frame f;

	assert_non_null(es);
	pid_t pid = spawn(path, argv);
	struct tt_symbolizer *s = tt_sym_new();
	assert_non_null(s);
	const struct tt_elfsym *dw = sym(es, "do_write"), *l2 = sym(es, "level_two"),
	                       *l1 = sym(es, "level_one");
	uint64_t a_dw = runtime_addr(pid, module, es, dw->start + 2);
	uint64_t a_l2_end = runtime_addr(pid, module, es, l2->end - 1) + 1;
	uint64_t a_l1 = runtime_addr(pid, module, es, l1->start + 3);

	assert_int_equal(tt_sym_user(s, pid, a_dw, false, &f), 0);
	assert_string_equal(tt_str(f.func), "do_write");
	assert_string_equal(tt_str(f.module), module);
	assert_int_equal(f.addr, a_dw);
	/* a return address just past level_two's last byte is still level_two's call */
	assert_int_equal(tt_sym_user(s, pid, a_l2_end, true, &f), 0);
	assert_string_equal(tt_str(f.func), "level_two");
	if (tt_sym_user(s, pid, a_l2_end, false, &f) == 0)
		assert_string_not_equal(tt_str(f.func), "level_two");

	/* event: ustack[0], then user_ret, then the rest of the walk */
	static struct tt_model_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.pid = (uint32_t)pid;
	uint64_t us[2] = {a_dw, a_l1};
	uint64_t ks[2] = {0, 0};
	int kn = tt_ksym_lookup_addr("tty_write", &ks[0]) == 0 ? 2 : 0;
	ks[1] = ks[0] + 1; /* a return address right after tty_write's first byte */
	assert_int_equal(tt_sym_event(s, &ev, us, 2, a_l2_end, ks, kn), 0);
	assert_true(ev.stk_flags & TT_EVSTK_SYMBOLIZED);
	assert_false(ev.stk_flags & TT_EVSTK_PROC_GONE);
	assert_int_equal(ev.ustack.n, 3);
	assert_string_equal(tt_str(ev.ustack.frames[0].func), "do_write");
	assert_string_equal(tt_str(ev.ustack.frames[1].func), "level_two");
	assert_int_equal(ev.ustack.frames[1].addr, a_l2_end);
	assert_string_equal(tt_str(ev.ustack.frames[2].func), "level_one");
	assert_int_equal(ev.kstack.n, kn);
	if (kn) {
		assert_string_equal(tt_str(ev.kstack.frames[0].func), "tty_write");
		assert_string_equal(tt_str(ev.kstack.frames[1].func), "tty_write");
		assert_string_equal(tt_str(ev.kstack.frames[1].module), "kernel");
	}

	/*
	 * The process exits before its event is read: the maps and symbols
	 * cached while it lived still name its frames.
	 */
	reap(pid);
	memset(&ev, 0, sizeof(ev));
	ev.pid = (uint32_t)pid;
	assert_int_equal(tt_sym_event(s, &ev, us, 2, a_l2_end, NULL, 0), 0);
	assert_false(ev.stk_flags & TT_EVSTK_PROC_GONE);
	assert_string_equal(tt_str(ev.ustack.frames[0].func), "do_write");
	assert_string_equal(tt_str(ev.ustack.frames[1].func), "level_two");

	/* forgotten (or never seen): addresses stay, names go, the flag says why */
	tt_sym_forget_pid(s, pid);
	memset(&ev, 0, sizeof(ev));
	ev.pid = (uint32_t)pid;
	assert_int_equal(tt_sym_event(s, &ev, us, 2, a_l2_end, NULL, 0), 0);
	assert_true(ev.stk_flags & TT_EVSTK_PROC_GONE);
	assert_int_equal(ev.ustack.n, 3);
	assert_int_equal(ev.ustack.frames[0].addr, a_dw);
	assert_int_equal(ev.ustack.frames[1].addr, a_l2_end);
	assert_string_equal(tt_str(ev.ustack.frames[0].func), "");
	assert_int_equal(tt_sym_user(s, pid, a_dw, false, &f), -ESRCH);
	tt_sym_free(s);
	tt_elfsyms_free(es);
}

static void test_cwriter_live(void **state)
{
	(void)state;
	char p[512];

	if (access(tt_fixture("cwriter", p, sizeof(p)), X_OK) != 0) {
		printf("SKIP: fixture %s missing\n", p);
		skip();
	}
	check_cwriter(p, "cwriter");
}

/* The binary is deleted while running: map_files still opens it. */
static void test_deleted_binary(void **state)
{
	(void)state;
	char p[512], tmp[] = "/tmp/ttytop-cw-XXXXXX";

	if (access(tt_fixture("cwriter", p, sizeof(p)), X_OK) != 0)
		skip();
	int in = open(p, O_RDONLY), out = mkstemp(tmp);
	char buf[65536];
	ssize_t n;
	assert_true(in >= 0 && out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	close(in);
	fchmod(out, 0755);
	close(out);

	struct tt_elfsyms *es = tt_load_syms_path(tmp);
	char *const argv[] = {tmp, "0", "64", "20", NULL};
	pid_t pid = spawn(tmp, argv);
	const char *base = strrchr(tmp, '/') + 1;
	uint64_t a = runtime_addr(pid, base, es, sym(es, "level_two")->start + 1);
	unlink(tmp);
	struct tt_symbolizer *s = tt_sym_new();
	struct tt_frame f;
	assert_int_equal(tt_sym_user(s, pid, a, false, &f), 0);
	assert_string_equal(tt_str(f.func), "level_two");
	assert_string_equal(tt_str(f.module), base);
	reap(pid);
	tt_sym_free(s);
	tt_elfsyms_free(es);
}

/* Whether fixture name (may be "go1.NN/marquee") is built; a SKIP line if not. */
static bool have_go(const char *name, char *p, size_t len)
{
	if (access(tt_fixture(name, p, len), X_OK) != 0) {
		printf("SKIP: fixture %s missing (make fixtures)\n", p);
		return false;
	}
	return true;
}

/* The line of `func tick(` in the marquee's source (run from the repo root); 0 if unread. */
static int tick_line(void)
{
	char line[512];
	int n = 0;
	FILE *f = fopen("tests/fixtures/marquee/main.go", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		n++;
		if (strncmp(line, "func tick(", 10) == 0)
			break;
	}
	fclose(f);
	return n;
}

static void check_go(const char *name)
{
	char p[512];

	if (!have_go(name, p, sizeof(p)))
		skip();
	/* the module is the file's name; the path's tail picks its mapping */
	const char *mod = strrchr(p, '/') + 1;
	struct tt_elfsyms *es = tt_load_syms_path(p);
	uint64_t entry, end;
	assert_int_equal(tt_pcln_find(&es->pcln, "main.tick", &entry, &end), 0);
	char *const argv[] = {p, "-interval", "20", NULL};
	pid_t pid = spawn(p, argv);
	uint64_t a = runtime_addr(pid, name, es, entry + 4);
	struct tt_symbolizer *s = tt_sym_new();
	struct tt_frame f;
	assert_int_equal(tt_sym_user(s, pid, a, false, &f), 0);
	assert_string_equal(tt_str(f.func), "main.tick");
	assert_non_null(strstr(tt_str(f.file), "tests/fixtures/marquee/main.go"));
	assert_true(f.line > 0);
	if (tick_line()) /* the prologue: the `func` line itself */
		assert_int_equal(f.line, tick_line());
	assert_string_equal(tt_str(f.module), mod);
	printf("%s: main.tick+4 = %s:%d\n", name, tt_str(f.file), f.line);
	/* return address = end of main.tick: still main.tick's call site */
	a = runtime_addr(pid, name, es, end - 1) + 1;
	assert_int_equal(tt_sym_user(s, pid, a, true, &f), 0);
	assert_string_equal(tt_str(f.func), "main.tick");
	/* an address in no mapping at all */
	assert_int_equal(tt_sym_user(s, pid, 0x10, false, &f), -ENOENT);
	assert_int_equal(f.addr, 0x10);
	assert_string_equal(tt_str(f.func), "");
	reap(pid);
	tt_sym_free(s);
	tt_elfsyms_free(es);
}

static void test_go_live(void **state)
{
	(void)state;
	check_go("marquee");
}

static void test_go_stripped_live(void **state)
{
	(void)state;
	check_go("marquee-stripped");
}

/* The marquee as built by each of Debian's toolchains (bin/go1.NN/, tests/fixtures/build.sh). */
static void test_go_toolchains_live(void **state)
{
	(void)state;
	static const char *const tcs[] = {"go1.19", "go1.23", "go1.24"};
	static const char *const bins[] = {"marquee", "marquee-stripped", "marquee-cgo"};
	char name[128], p[512];
	int ran = 0;

	for (size_t t = 0; t < sizeof(tcs) / sizeof(tcs[0]); t++)
		for (size_t b = 0; b < 3; b++) {
			snprintf(name, sizeof(name), "%s/%s", tcs[t], bins[b]);
			if (!have_go(name, p, sizeof(p)))
				continue;
			check_go(name);
			ran++;
		}
	if (!ran)
		skip();
}

/* Garbage addresses do not re-read /proc/PID/maps every time. */
static void test_refresh_rate_limited(void **state)
{
	(void)state;
	struct tt_pidcache *c = tt_pidcache_new(4);
	int err;

	struct tt_pidmaps *p = tt_pidcache_get(c, getpid(), false, &err);
	assert_non_null(p);
	uint64_t t0 = p->read_ns;
	p = tt_pidcache_get(c, getpid(), true, &err);
	assert_non_null(p);
	assert_int_equal(p->read_ns, t0); /* too soon: served from the cache */
	usleep((TT_MAPS_REFRESH_NS / 1000) + 10000);
	p = tt_pidcache_get(c, getpid(), true, &err);
	assert_non_null(p);
	assert_true(p->read_ns > t0);
	/* bounded: more live processes than slots */
	pid_t kids[6];
	for (int i = 0; i < 6; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			pause();
			_exit(0);
		}
	}
	for (int i = 0; i < 6; i++) {
		assert_non_null(tt_pidcache_get(c, kids[i], false, &err));
		assert_true(tt_pidcache_count(c) <= 4);
	}
	assert_int_equal(tt_pidcache_count(c), 4);
	for (int i = 0; i < 6; i++)
		reap(kids[i]);
	/* a dead child's cached maps stay (its late events still get names) */
	p = tt_pidcache_get(c, kids[5], false, &err);
	assert_non_null(p);
	assert_true(p->gone);
	tt_pidcache_forget(c, kids[5]);
	assert_null(tt_pidcache_get(c, kids[5], false, &err));
	assert_int_equal(err, -ESRCH);
	assert_int_equal(tt_pidcache_count(c), 3);

	/* pid reuse: a cached entry whose start time is not the live process's */
	p = tt_pidcache_get(c, getpid(), false, &err);
	assert_non_null(p);
	uint64_t real_start = p->starttime;
	assert_true(real_start > 0);
	p->starttime = real_start + 12345; /* as if an older process had this pid */
	p->gone = true;
	p = tt_pidcache_get(c, getpid(), false, &err);
	assert_non_null(p);
	assert_false(p->gone);
	assert_int_equal(p->starttime, real_start); /* re-read for the new owner */
	assert_null(tt_pidcache_get(c, 0x7ffffff0, false, &err));
	assert_int_equal(err, -ESRCH);
	tt_pidcache_free(c);
}

static void test_stack_bounds(void **state)
{
	(void)state;
	static struct tt_model_event ev;
	uint64_t us[TT_USTACK_MAX + 10], ks[TT_KSTACK_MAX + 10];
	struct tt_symbolizer *s = tt_sym_new();

	for (size_t i = 0; i < TT_USTACK_MAX + 10; i++)
		us[i] = 0x1000 + i;
	for (size_t i = 0; i < TT_KSTACK_MAX + 10; i++)
		ks[i] = 0x10 + i; /* below any kernel symbol */
	memset(&ev, 0, sizeof(ev));
	ev.pid = (uint32_t)getpid();
	assert_int_equal(
	    tt_sym_event(s, &ev, us, TT_USTACK_MAX + 10, 0xdead, ks, TT_KSTACK_MAX + 10), 0);
	assert_int_equal(ev.ustack.n, TT_USTACK_MAX);
	assert_int_equal(ev.ustack.frames[1].addr, 0xdead);
	assert_int_equal(ev.ustack.frames[2].addr, 0x1001);
	assert_int_equal(ev.kstack.n, TT_KSTACK_MAX);
	assert_string_equal(tt_str(ev.kstack.frames[0].func), "");
	/* no user_ret: no inserted frame */
	memset(&ev, 0, sizeof(ev));
	ev.pid = (uint32_t)getpid();
	assert_int_equal(tt_sym_event(s, &ev, us, 3, 0, NULL, 0), 0);
	assert_int_equal(ev.ustack.n, 3);
	assert_int_equal(ev.ustack.frames[1].addr, 0x1001);
	tt_sym_free(s);
}

/* The file cache keeps at most N files and at most its byte budget. */
static void test_file_cache_bounds(void **state)
{
	(void)state;
	const char *files[] = {"/bin/ls", "/bin/cat", "/bin/sh", "/lib/x86_64-linux-gnu/libc.so.6"};
	struct tt_filecache *c = tt_filecache_new(2, 64u << 20);
	int err;

	for (size_t i = 0; i < 4; i++) {
		int fd = open(files[i], O_RDONLY);
		if (fd < 0)
			continue;
		struct tt_filekey k;
		const struct tt_elfsyms *es = tt_filecache_get_fd(c, fd, &k, &err);
		close(fd);
		assert_non_null(es);
		bool hit;
		assert_ptr_equal(tt_filecache_get_key(c, &k, &hit), es);
		assert_true(hit);
		assert_true(tt_filecache_count(c) <= 2);
	}
	tt_filecache_free(c);
	/* a byte cap smaller than libc's tables: libc is refused, not kept */
	c = tt_filecache_new(8, 4096);
	int fd = open("/lib/x86_64-linux-gnu/libc.so.6", O_RDONLY);
	if (fd >= 0) {
		assert_null(tt_filecache_get_fd(c, fd, NULL, &err));
		assert_int_equal(err, -EFBIG);
		close(fd);
	}
	assert_true(tt_filecache_bytes(c) <= 4096);
	tt_filecache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cwriter_live),
	    cmocka_unit_test(test_deleted_binary),
	    cmocka_unit_test(test_go_live),
	    cmocka_unit_test(test_go_stripped_live),
	    cmocka_unit_test(test_go_toolchains_live),
	    cmocka_unit_test(test_stack_bounds),
	    cmocka_unit_test(test_file_cache_bounds),
	    cmocka_unit_test(test_refresh_rate_limited),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
