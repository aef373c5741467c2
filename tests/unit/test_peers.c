/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Instances meeting through their peer maps: real BPF hash maps (root only),
 * a foreign map's owner learnt, this process written into it, and dead or
 * reused pids pruned. Maps that only look alike are left alone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <cmocka.h>
#include <sys/wait.h>

#include "peers.h"
#include "procseen.h"
#include "ttytop.h"

static int peers_map(const char *name, __u32 value_size)
{
	return bpf_map_create(BPF_MAP_TYPE_HASH, name, 4, value_size, TT_MAX_PEERS, NULL);
}

static int maps_or_skip(int *a, int *b)
{
	*a = peers_map("ttytop_peers", sizeof(struct tt_peer));
	*b = peers_map("ttytop_peers", sizeof(struct tt_peer));
	if (*a < 0 || *b < 0)
		return -1;
	return 0;
}

/* A pid that existed and is gone: a reaped child. */
static __u32 dead_pid(void)
{
	pid_t p = fork();

	if (p == 0)
		_exit(0);
	waitpid(p, NULL, 0);
	return (__u32)p;
}

static void test_newcomer_and_owner_learn_each_other(void **state)
{
	__u32 self = (__u32)getpid(), parent = (__u32)getppid();
	struct tt_peer p, owner = {.start = tt_proc_start_time(getppid()), .owner = 1};
	int own, other;

	(void)state;
	if (maps_or_skip(&own, &other) < 0)
		skip(); /* not root: no BPF maps */
	/* the other instance (played by our parent, alive) owns its map */
	assert_int_equal(bpf_map_update_elem(other, &parent, &owner, BPF_ANY), 0);
	/* >=: a ttytop running on this machine meanwhile is met too */
	assert_true(tt_peers_join(own) >= 1);
	assert_int_equal(bpf_map_lookup_elem(own, &parent, &p), 0);
	assert_int_equal(p.owner, 0);
	assert_int_equal(p.start, owner.start);
	assert_int_equal(bpf_map_lookup_elem(own, &self, &p), 0);
	assert_int_equal(p.owner, 1);
	assert_int_equal(bpf_map_lookup_elem(other, &self, &p), 0);
	assert_int_equal(p.owner, 0);
	assert_int_equal(p.start, tt_proc_start_time(getpid()));
	close(own);
	close(other);
}

static void test_dead_and_reused_pids_pruned(void **state)
{
	__u32 dead = dead_pid(), parent = (__u32)getppid();
	struct tt_peer gone = {.start = 12345, .owner = 0}, p;
	struct tt_peer reused = {.start = tt_proc_start_time(getppid()) + 1, .owner = 0};
	struct tt_peer live = {.start = tt_proc_start_time(getppid()), .owner = 0};
	__u32 self = (__u32)getpid();
	int own, spare;

	(void)state;
	if (maps_or_skip(&own, &spare) < 0)
		skip();
	close(spare);
	assert_int_equal(bpf_map_update_elem(own, &dead, &gone, BPF_ANY), 0);
	assert_int_equal(bpf_map_update_elem(own, &parent, &reused, BPF_ANY), 0);
	assert_int_equal(tt_peers_prune(own), 0);
	assert_int_not_equal(bpf_map_lookup_elem(own, &dead, &p), 0);
	assert_int_not_equal(bpf_map_lookup_elem(own, &parent, &p), 0);
	assert_int_equal(bpf_map_update_elem(own, &parent, &live, BPF_ANY), 0);
	live.owner = 1;
	live.start = tt_proc_start_time(getpid());
	assert_int_equal(bpf_map_update_elem(own, &self, &live, BPF_ANY), 0);
	assert_int_equal(tt_peers_prune(own), 1); /* the owner is not counted */
	close(own);
}

static void test_lookalike_maps_left_alone(void **state)
{
	__u32 self = (__u32)getpid(), parent = (__u32)getppid();
	struct tt_peer owner = {.start = tt_proc_start_time(getppid()), .owner = 1}, p;
	int own, named_else, sized_else;
	char big[sizeof(struct tt_peer) + 8] = {0};

	(void)state;
	own = peers_map("ttytop_peers", sizeof(struct tt_peer));
	named_else = peers_map("other_peers", sizeof(struct tt_peer));
	sized_else = peers_map("ttytop_peers", sizeof(big));
	if (own < 0 || named_else < 0 || sized_else < 0)
		skip();
	memcpy(big, &owner, sizeof(owner));
	assert_int_equal(bpf_map_update_elem(named_else, &parent, &owner, BPF_ANY), 0);
	assert_int_equal(bpf_map_update_elem(sized_else, &parent, big, BPF_ANY), 0);
	assert_true(tt_peers_join(own) >= 0);
	assert_int_not_equal(bpf_map_lookup_elem(own, &parent, &p), 0);
	assert_int_not_equal(bpf_map_lookup_elem(named_else, &self, &p), 0);
	assert_int_not_equal(bpf_map_lookup_elem(sized_else, &self, big), 0);
	close(own);
	close(named_else);
	close(sized_else);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_newcomer_and_owner_learn_each_other),
	    cmocka_unit_test(test_dead_and_reused_pids_pruned),
	    cmocka_unit_test(test_lookalike_maps_left_alone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
