/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Everything that differs between the architectures ttytop runs on, for user
 * space: one src/arch_<arch>.c per architecture, chosen by the Makefile's ARCH.
 * The kernel side has the same seam in bpf/<arch>/arch.bpf.h. Each file
 * defines every name below and nothing else that is global, so a unit test
 * can compile another architecture's file for the host in place of its own.
 */
#ifndef TTYTOP_ARCH_H
#define TTYTOP_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* For --check and messages: "x86-64", "arm64". */
extern const char tt_arch_name[];

/*
 * The ELF e_machine of the programs this build can read goroutines from: the
 * kernel side reads the registers and thread pointer of its own architecture.
 */
extern const uint16_t tt_arch_elf_machine;

/*
 * Whether the kernel side finds the user registers on the kernel stack where
 * bpf_task_pt_regs (5.15) is missing (regs_on_stack in arch.bpf.h).
 */
extern const bool tt_arch_regs_on_stack;
/* How that fallback proves its guess, for --check. */
extern const char tt_arch_regs_on_stack_how[];

/*
 * Whether the instruction before return address ret in process pid is a call:
 * the frame-1 address read at syscall entry is shown only when it is one.
 */
bool tt_arch_follows_call(pid_t pid, uint64_t ret);

/*
 * Where a Go program keeps g for the kernel side, decoded from the code of the
 * runtime function that reads its TLS slot.
 */
struct tt_arch_go_tls {
	int32_t off;       /* g = *(thread pointer + off) */
	uint64_t iscgo_va; /* the runtime.iscgo that code tests (arm64), 0 if none */
};

/* The Go runtime functions to decode, tried in order; NULL ends the list. */
extern const char *const tt_arch_go_tls_funcs[];

/*
 * Decode the first n bytes of one of those functions, linked at address va
 * (for PC-relative operands). 0 and *out filled, or -ENOENT. The bytes come
 * from other users' binaries: every read stays inside code[0..n).
 */
int tt_arch_go_decode_tls(const uint8_t *code, size_t n, uint64_t va, struct tt_arch_go_tls *out);

/*
 * The TLS offset to assume when the code does not say and the program is not
 * cgo (the runtime then lays TLS out itself); false where there is none.
 */
bool tt_arch_go_tls_default(int32_t *off);

/*
 * Whether the kernel side takes g from the g register alone, for a Go program
 * that is (cgo) or is not linked with C: see g_register in arch.bpf.h.
 */
bool tt_arch_go_g_in_reg(bool cgo);

/*
 * The offsets (from code[0]) of every return instruction in the n bytes of
 * one function's machine code, decoded from its first byte, in order: where
 * the stop-the-world end probes go (src/gostw.c). Returns how many (at most
 * max; more is -E2BIG), -EILSEQ when the bytes do not decode as whole
 * instructions (a probe off an instruction boundary would corrupt the
 * program, so nothing is attached), -ENOTSUP without a decoder. The bytes
 * come from other users' binaries: every read stays inside code[0..n).
 */
int tt_arch_find_rets(const uint8_t *code, size_t n, uint32_t *offs, int max);

/*
 * The data addresses n bytes of code linked at va name PC-relatively (x86-64
 * RIP-relative operands, arm64 ADRP pairs), in order, each once: where a
 * stripped Go binary's runtime.allgs is found (goroutines.c). How many (at
 * most max). Every read stays inside code[0..n).
 */
int tt_arch_data_refs(const uint8_t *code, size_t n, uint64_t va, uint64_t *out, int max);

#endif
