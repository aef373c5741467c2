/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Writes in flight: who holds a pty master (a /proc tree of our own), line speeds, the split. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <asm/termbits.h>

#include "inflight.h"
#include "ptyreaders.h"

static void test_fdinfo_tty_index(void **state)
{
	const char *ok = "pos:\t0\nflags:\t02100002\nmnt_id:\t24\nino:\t91\ntty-index:\t12\n";
	const char *last = "tty-index:\t7";

	(void)state;
	assert_int_equal(tt_fdinfo_tty_index(ok, strlen(ok)), 12);
	assert_int_equal(tt_fdinfo_tty_index(last, strlen(last)), 7);
	assert_int_equal(tt_fdinfo_tty_index("pos:\t0\n", 7), -1);
	assert_int_equal(tt_fdinfo_tty_index("tty-index:\t\n", 12), -1);
	assert_int_equal(tt_fdinfo_tty_index("tty-index:\tx1\n", 14), -1);
	/* only at the start of a line, and within a 20-bit minor */
	assert_int_equal(tt_fdinfo_tty_index("xtty-index:\t3\n", 14), -1);
	assert_int_equal(tt_fdinfo_tty_index("tty-index:\t99999999999999999999\n", 32), -1);
	/* the length is the bound, not a NUL */
	assert_int_equal(tt_fdinfo_tty_index("tty-index:\t45", 12), 4);
}

static void test_line_speed(void **state)
{
	(void)state;
	assert_int_equal(tt_line_speed(B9600 | CS8 | CREAD, 0), 9600);
	assert_int_equal(tt_line_speed(B115200 | CRTSCTS, 0), 115200);
	assert_int_equal(tt_line_speed(B4000000, 0), 4000000);
	assert_int_equal(tt_line_speed(B0, 0), 0);
	assert_int_equal(tt_line_speed(BOTHER | CS8, 250000), 250000);
}

static void test_split_adds_the_current_state(void **state)
{
	struct tt_inflight w = {0};
	__u64 c, b, r;

	(void)state;
	w.start_ns = 1000;
	w.last_ns = 5000;
	w.oncpu_ns = 100;
	w.blocked_ns = 3000;
	w.runq_ns = 900;
	w.state = TT_W_BLOCKED;
	tt_inflight_split(&w, 9000, &c, &b, &r);
	assert_true(c == 100 && b == 7000 && r == 900);
	assert_true(c + b + r == 9000 - w.start_ns);
	w.state = TT_W_RUNNABLE;
	tt_inflight_split(&w, 9000, &c, &b, &r);
	assert_true(c == 100 && b == 3000 && r == 4900);
	tt_inflight_split(&w, 10, &c, &b, &r); /* a clock read before last_ns adds nothing */
	assert_true(r == 900);
}

struct tree {
	char root[64];
};

static void put(const char *root, const char *rel, const char *text)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void sub(const char *root, const char *rel)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

static void fd(const char *root, const char *pid, const char *n, const char *target, int index)
{
	char p[256], rel[64], info[64];

	snprintf(p, sizeof(p), "%s/%s/fd/%s", root, pid, n);
	assert_int_equal(symlink(target, p), 0);
	snprintf(rel, sizeof(rel), "%s/fdinfo/%s", pid, n);
	snprintf(info, sizeof(info), "pos:\t0\nflags:\t02\n%s", index >= 0 ? "tty-index:\t" : "");
	if (index >= 0)
		snprintf(info + strlen(info), sizeof(info) - strlen(info), "%d\n", index);
	put(root, rel, info);
}

static void proc(const char *root, const char *pid, const char *comm)
{
	char rel[64];

	sub(root, pid);
	snprintf(rel, sizeof(rel), "%s/fd", pid);
	sub(root, rel);
	snprintf(rel, sizeof(rel), "%s/fdinfo", pid);
	sub(root, rel);
	snprintf(rel, sizeof(rel), "%s/comm", pid);
	put(root, rel, comm);
}

static int setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));

	snprintf(t->root, sizeof(t->root), "/tmp/ttytop-proc-XXXXXX");
	if (!mkdtemp(t->root))
		return -1;
	/* tmux holds the masters of pts/3 and pts/4; sshd that of pts/9; a shell none */
	proc(t->root, "100", "tmux: server\n");
	fd(t->root, "100", "5", "/dev/ptmx", 3);
	fd(t->root, "100", "6", "/dev/pts/ptmx", 4);
	fd(t->root, "100", "7", "/dev/null", -1);
	proc(t->root, "200", "sshd\n");
	fd(t->root, "200", "9", "/dev/ptmx", 9);
	proc(t->root, "300", "bash\n");
	fd(t->root, "300", "0", "/dev/pts/3", -1);
	/* a master that is not a pty master: a link elsewhere with a tty-index */
	fd(t->root, "300", "4", "/tmp/ptmx", 3);
	sub(t->root, "self"); /* not a pid */
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tree *t = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", t->root);
	if (system(cmd) != 0)
		return -1;
	free(t);
	return 0;
}

static void test_readers_found_in_one_walk(void **state)
{
	struct tree *t = *state;
	struct tt_ptyreaders *pr = calloc(1, sizeof(*pr));
	struct tt_proc_ref r[TT_MODEL_MAX_READERS];
	uint32_t want[] = {3, 9, 5};

	assert_non_null(pr);
	tt_ptyreaders_init(pr, t->root);
	assert_int_equal(tt_ptyreaders_get(pr, want, 3, 3, 1000, r, TT_MODEL_MAX_READERS), 1);
	assert_int_equal(r[0].pid, 100);
	assert_string_equal(r[0].comm, "tmux: server");
	/* the same walk answered for pts/9 and pts/5 (nobody): no second walk needed */
	put(t->root, "200/comm", "changed\n");
	assert_int_equal(tt_ptyreaders_get(pr, want, 3, 9, 2000, r, TT_MODEL_MAX_READERS), 1);
	assert_string_equal(r[0].comm, "sshd");
	assert_int_equal(tt_ptyreaders_get(pr, want, 3, 5, 2000, r, TT_MODEL_MAX_READERS), 0);
	/* past the time to live, walked again */
	assert_int_equal(
	    tt_ptyreaders_get(pr, want, 3, 9, 1000 + TT_PTYREADERS_TTL_NS, r, TT_MODEL_MAX_READERS),
	    1);
	assert_string_equal(r[0].comm, "changed");
	/* asked alone, pts/4 is found too */
	assert_int_equal(tt_ptyreaders_get(pr, NULL, 0, 4, 3000, r, TT_MODEL_MAX_READERS), 1);
	assert_int_equal(r[0].pid, 100);
	free(pr);
}

/* Between whole walks only the processes that held masters are looked at. */
static void test_quick_walks_look_at_known_holders(void **state)
{
	struct tree *t = *state;
	struct tt_ptyreaders *pr = calloc(1, sizeof(*pr));
	struct tt_proc_ref r[TT_MODEL_MAX_READERS];
	uint64_t ttl = TT_PTYREADERS_TTL_NS, s = 1000000000ull;

	assert_non_null(pr);
	tt_ptyreaders_init(pr, t->root);
	assert_int_equal(tt_ptyreaders_get(pr, NULL, 0, 3, s, r, TT_MODEL_MAX_READERS), 1);
	assert_int_equal(pr->nholders, 2); /* tmux and sshd, not the shell */
	/* a second holder of pts/3 appears: the quick walk (tmux, sshd) does not see it */
	proc(t->root, "500", "screen\n");
	fd(t->root, "500", "3", "/dev/ptmx", 3);
	assert_int_equal(tt_ptyreaders_get(pr, NULL, 0, 3, s + ttl, r, TT_MODEL_MAX_READERS), 1);
	assert_int_equal(r[0].pid, 100);
	/* a pty none of the known holders has: every process is walked again */
	proc(t->root, "400", "sshd\n");
	fd(t->root, "400", "8", "/dev/ptmx", 11);
	assert_int_equal(tt_ptyreaders_get(pr, NULL, 0, 11, s + ttl, r, TT_MODEL_MAX_READERS), 1);
	assert_int_equal(r[0].pid, 400);
	assert_int_equal(pr->nholders, 4);
	/* and once the holders are old, a whole walk finds both of pts/3 */
	assert_int_equal(tt_ptyreaders_get(pr, NULL, 0, 3, s + 2 * ttl + TT_PTYREADERS_HOLDERS_TTL_NS,
	                                   r, TT_MODEL_MAX_READERS),
	                 2);
	free(pr);
}

static void test_no_proc(void **state)
{
	struct tt_ptyreaders *pr = calloc(1, sizeof(*pr));
	struct tt_proc_ref r[TT_MODEL_MAX_READERS];
	uint32_t want[] = {3};

	(void)state;
	assert_non_null(pr);
	tt_ptyreaders_init(pr, "/nonexistent/proc");
	assert_int_equal(tt_ptyreaders_get(pr, want, 1, 3, 1000, r, TT_MODEL_MAX_READERS), -1);
	free(pr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fdinfo_tty_index),
	    cmocka_unit_test(test_line_speed),
	    cmocka_unit_test(test_split_adds_the_current_state),
	    cmocka_unit_test_setup_teardown(test_readers_found_in_one_walk, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_quick_walks_look_at_known_holders, setup,
	                                    teardown),
	    cmocka_unit_test(test_no_proc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
