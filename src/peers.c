// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Other ttytop instances, made known to each other (peers.h says why and how). */
#include "peers.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "procseen.h"
#include "ttytop.h"

#define PEERS_MAP_NAME "ttytop_peers"

/* A map is another instance's ttytop_peers only if everything about it matches. */
static bool is_peers_map(int fd, __u32 own_id)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return false;
	return info.id != own_id && info.type == BPF_MAP_TYPE_HASH && info.key_size == 4 &&
	       info.value_size == sizeof(struct tt_peer) && info.max_entries == TT_MAX_PEERS &&
	       strcmp(info.name, PEERS_MAP_NAME) == 0;
}

/* The keys of a peers map; bounded by its size. */
static int peer_keys(int fd, __u32 keys[TT_MAX_PEERS])
{
	__u32 k, *prev = NULL;
	int n = 0;

	while (n < TT_MAX_PEERS && bpf_map_get_next_key(fd, prev, &k) == 0) {
		keys[n++] = k;
		prev = &keys[n - 1];
	}
	return n;
}

static bool alive(__u32 pid, __u64 start)
{
	return start && tt_proc_start_time((pid_t)pid) == start;
}

/* The owner of a foreign map becomes our peer; we become a peer in its map. */
static void meet(int own_fd, int fd, __u32 self, const struct tt_peer *me)
{
	struct tt_peer them, as_peer = {.start = me->start, .owner = 0};
	__u32 keys[TT_MAX_PEERS];
	int n = peer_keys(fd, keys);

	for (int i = 0; i < n; i++) {
		if (bpf_map_lookup_elem(fd, &keys[i], &them) || !them.owner ||
		    !alive(keys[i], them.start))
			continue;
		them.owner = 0;
		bpf_map_update_elem(own_fd, &keys[i], &them, BPF_ANY);
	}
	/* a full map (dead peers not yet pruned by its owner) costs only that instance's count */
	bpf_map_update_elem(fd, &self, &as_peer, BPF_ANY);
}

static __u32 map_id(int fd)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

int tt_peers_join(int own_fd)
{
	__u32 self = (__u32)getpid(), id = 0, own_id = map_id(own_fd);
	struct tt_peer me = {.start = tt_proc_start_time(getpid()), .owner = 1};
	int fd;

	if (bpf_map_update_elem(own_fd, &self, &me, BPF_ANY))
		return -errno;
	while (bpf_map_get_next_id(id, &id) == 0) {
		fd = bpf_map_get_fd_by_id(id);
		if (fd < 0)
			continue; /* gone between the two calls */
		if (is_peers_map(fd, own_id))
			meet(own_fd, fd, self, &me);
		close(fd);
	}
	return tt_peers_prune(own_fd);
}

int tt_peers_prune(int own_fd)
{
	__u32 keys[TT_MAX_PEERS];
	struct tt_peer p;
	int n = peer_keys(own_fd, keys), left = 0;

	for (int i = 0; i < n; i++) {
		if (bpf_map_lookup_elem(own_fd, &keys[i], &p) || p.owner)
			continue;
		if (alive(keys[i], p.start))
			left++;
		else
			bpf_map_delete_elem(own_fd, &keys[i]);
	}
	return left;
}
