/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Several ttytop instances at once: each must not count the others' output
 * (a dashboard's screen updates are tty writes like any other). Every
 * instance's BPF programs skip the writers in its own ttytop_peers map. A
 * newcomer finds every other instance's map through the kernel's map ids,
 * copies their owners into its own map and writes itself into theirs. Of two
 * instances starting together at least one sees the other's map (each map
 * exists before its instance looks), so both learn of each other without a
 * lock or a pinned file, and nothing outlives the instances.
 */
#ifndef TTYTOP_PEERS_H
#define TTYTOP_PEERS_H

/*
 * Make this process known to the other instances and them to it, before any
 * program is attached. own_fd: this instance's ttytop_peers map. Returns the
 * number of other instances found (>= 0), or -errno when this process could
 * not even enter its own map.
 */
int tt_peers_join(int own_fd);

/* Forget peers that have exited (their pid gone or reused); returns how many remain. */
int tt_peers_prune(int own_fd);

#endif
