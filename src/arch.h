/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Everything that differs between the architectures ttytop runs on, for user
 * space: one src/arch_<arch>.c per architecture, chosen by the Makefile's ARCH.
 * The kernel side has the same seam in bpf/<arch>/arch.bpf.h.
 */
#ifndef TTYTOP_ARCH_H
#define TTYTOP_ARCH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Whether the instruction before return address ret in process pid is a call:
 * the frame-1 address read at syscall entry is shown only when it is one.
 */
bool tt_arch_follows_call(pid_t pid, uint64_t ret);

#endif
