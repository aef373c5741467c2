// SPDX-License-Identifier: GPL-2.0
/* arm64 (AArch64) behind the arch seam (arch.h): instruction checks on traced programs, Go's TLS.
 */
#include <elf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "arch.h"

#ifndef EM_AARCH64
#define EM_AARCH64 183
#endif

const char tt_arch_name[] = "arm64";
const uint16_t tt_arch_elf_machine = EM_AARCH64;
const bool tt_arch_regs_on_stack = true;
const char tt_arch_regs_on_stack_how[] = "checked against syscallno";

static uint32_t insn_at(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * A call leaves the link register pointing just past itself, and every
 * instruction is 4 bytes: the word at ret-4 is BL, BLR or, with pointer
 * authentication, BLRAA/BLRAB/BLRAAZ/BLRABZ -- or ret is no return address.
 */
static bool is_call(uint32_t w)
{
	return (w & 0xfc000000u) == 0x94000000u || /* BL imm26 */
	       (w & 0xfffffc1fu) == 0xd63f0000u || /* BLR Xn */
	       (w & 0xfffff81fu) == 0xd63f081fu || /* BLRAAZ / BLRABZ Xn */
	       (w & 0xfffff800u) == 0xd73f0800u;   /* BLRAA / BLRAB Xn, Xm */
}

bool tt_arch_follows_call(pid_t pid, uint64_t ret)
{
	uint8_t b[4];
	struct iovec local = {b, sizeof(b)}, remote = {(void *)(ret - 4), sizeof(b)};

	if (ret < 4 || (ret & 3) || process_vm_readv(pid, &local, 1, &remote, 1, 0) != sizeof(b))
		return false;
	return is_call(insn_at(b));
}

/*
 * runtime.load_g (and save_g, its twin) is the one place the runtime reaches
 * g's TLS slot; .gopclntab names it in stripped binaries too ("load_g", no
 * ABI suffix there).
 */
const char *const tt_arch_go_tls_funcs[] = {"runtime.load_g.abi0", "runtime.load_g",
                                            "runtime.save_g.abi0", "runtime.save_g", NULL};

/*
 * Go 1.19 links load_g as (checked with objdump on the marquee fixture, plain,
 * PIE, cgo and static cgo builds):
 *
 *	adrp x27, runtime.iscgo ; add x27, x27, :lo12: ; ldrsb x0, [x27]
 *	cbz x0, ret		; g lives in TLS only for cgo programs
 *	mrs x0, tpidr_el0
 *	movz x27, #off		; PIE: movz x27, #hi, lsl #16 ; movk x27, #lo
 *	ldr x28, [x0, x27]	; save_g: str
 *
 * off is the linker's TLS-LE offset from the thread pointer: 16 (the TCB)
 * plus runtime.tls_g in PT_TLS, so 0x10 alone, 0x30 under a static libc.
 * Also taken: ldr/str [xtp, #imm], a linker folding the offset in.
 */
/* What the instructions seen so far left in the registers. */
struct tls_scan {
	uint64_t val[32]; /* what adrp/add/movz/movk left in each register */
	uint32_t known;   /* bit r: val[r] is known */
	uint64_t iscgo;
	int tp; /* register holding TPIDR_EL0, or -1 */
};

/* Follow an instruction that builds an address or constant; false if w is none. */
static bool track_regs(struct tls_scan *s, uint32_t w, uint64_t pc)
{
	unsigned rd = w & 31, rn = (w >> 5) & 31;

	if ((w & 0x9f000000u) == 0x90000000u) { /* ADRP Xd, label */
		uint64_t imm = ((uint64_t)((w >> 5) & 0x7ffff) << 2 | ((w >> 29) & 3)) << 12;

		if (imm & (1ull << 32)) /* 21-bit signed page count */
			imm |= ~((1ull << 33) - 1);
		s->val[rd] = (pc & ~0xfffull) + imm;
		s->known |= 1u << rd;
	} else if ((w & 0xff800000u) == 0x91000000u) { /* ADD Xd, Xn, #imm{, lsl 12} */
		uint64_t imm = (uint64_t)((w >> 10) & 0xfff) << ((w >> 22) & 1 ? 12 : 0);

		if (s->known & (1u << rn) && rn != 31) {
			s->val[rd] = s->val[rn] + imm;
			s->known |= 1u << rd;
		} else {
			s->known &= ~(1u << rd);
		}
	} else if ((w & 0xffc00000u) == 0x39800000u || (w & 0xffc00000u) == 0x39400000u) {
		/* LDRSB Xt / LDRB Wt, [Xn, #imm]: the iscgo test */
		if (s->tp < 0 && s->known & (1u << rn) && rn != 31)
			s->iscgo = s->val[rn] + ((w >> 10) & 0xfff);
	} else if ((w & 0xffffffe0u) == 0xd53bd040u) { /* MRS Xt, TPIDR_EL0 */
		s->tp = (int)rd;
		s->known &= ~(1u << rd);
	} else if ((w & 0xff800000u) == 0xd2800000u) { /* MOVZ Xd, #imm, lsl #hw */
		s->val[rd] = (uint64_t)((w >> 5) & 0xffff) << (16 * ((w >> 21) & 3));
		s->known |= 1u << rd;
	} else if ((w & 0xff800000u) == 0xf2800000u) { /* MOVK Xd, #imm, lsl #hw */
		unsigned sh = 16 * ((w >> 21) & 3);

		s->val[rd] = (s->val[rd] & ~(0xffffull << sh)) | (uint64_t)((w >> 5) & 0xffff)
		                                                     << sh;
	} else {
		return false;
	}
	return true;
}

/* Any other instruction: 0 with the slot in out, -ENOENT to give up, 1 to go on. */
static int tls_access(const struct tls_scan *s, uint32_t w, struct tt_arch_go_tls *out)
{
	unsigned rd = w & 31, rn = (w >> 5) & 31, rm = (w >> 16) & 31;

	if (s->tp >= 0 && ((w & 0xffe0fc00u) == 0xf8606800u || (w & 0xffe0fc00u) == 0xf8206800u)) {
		/* LDR / STR Xt, [Xn, Xm]: thread pointer plus the offset register */
		unsigned off_reg = rn == (unsigned)s->tp ? rm : rm == (unsigned)s->tp ? rn : 32;

		if (off_reg == 32 || off_reg == 31 || !(s->known & (1u << off_reg)) ||
		    s->val[off_reg] > INT32_MAX)
			return -ENOENT;
		out->off = (int32_t)s->val[off_reg];
		out->iscgo_va = s->iscgo;
		return 0;
	} else if (s->tp >= 0 &&
	           ((w & 0xffc00000u) == 0xf9400000u || (w & 0xffc00000u) == 0xf9000000u)) {
		/* LDR / STR Xt, [Xn, #imm*8] */
		if (rn != (unsigned)s->tp)
			return -ENOENT;
		out->off = (int32_t)(((w >> 10) & 0xfff) * 8);
		out->iscgo_va = s->iscgo;
		return 0;
	} else if (w == 0xd65f03c0u) { /* RET: the function ended without the load */
		return -ENOENT;
	} else if (s->tp >= 0 && rd == (unsigned)s->tp) {
		/* anything else may overwrite the thread pointer copy: stay strict */
		return -ENOENT;
	}
	return 1;
}

int tt_arch_go_decode_tls(const uint8_t *code, size_t n, uint64_t va, struct tt_arch_go_tls *out)
{
	struct tls_scan s = {.tp = -1};

	for (size_t i = 0; i + 4 <= n; i += 4) {
		uint32_t w = insn_at(code + i);
		int r;

		if (track_regs(&s, w, va + i))
			continue;
		r = tls_access(&s, w, out);
		if (r <= 0)
			return r;
	}
	return -ENOENT;
}

/* Every arm64 Go program that has g in TLS is a cgo one: the C side lays it out. */
bool tt_arch_go_tls_default(int32_t *off)
{
	(void)off;
	return false;
}

/*
 * Without cgo the runtime never sets TPIDR_EL0 nor writes the slot (save_g
 * returns at the iscgo test): g is in R28 only, which all Go code, ABI0
 * assembly too, keeps it in. With cgo a C frame may hold anything in R28, and
 * save_g keeps TLS current at every g switch: TLS first.
 */
bool tt_arch_go_g_in_reg(bool cgo)
{
	return !cgo;
}

/*
 * A64 instructions are fixed 4-byte words, so every word of a function is an
 * instruction boundary. RET Xn is 0xd65f0000 | n << 5 (Go emits RET, i.e.
 * X30: 0xd65f03c0); RETAA 0xd65f0bff and RETAB 0xd65f0fff return too (Arm
 * ARM C6.2, "RET", "RETAA, RETAB").
 */
int tt_arch_find_rets(const uint8_t *code, size_t n, uint32_t *offs, int max)
{
	int k = 0;

	if (n % 4 || n > UINT32_MAX)
		return -EILSEQ;
	for (size_t i = 0; i < n; i += 4) {
		uint32_t w = (uint32_t)code[i] | (uint32_t)code[i + 1] << 8 |
		             (uint32_t)code[i + 2] << 16 | (uint32_t)code[i + 3] << 24;

		if ((w & 0xfffffc1fu) != 0xd65f0000u && w != 0xd65f0bffu && w != 0xd65f0fffu)
			continue;
		if (k == max)
			return -E2BIG;
		offs[k++] = (uint32_t)i;
	}
	return k;
}

static int add_ref(uint64_t *out, int k, int max, uint64_t a)
{
	for (int i = 0; i < k; i++)
		if (out[i] == a)
			return k;
	if (k < max)
		out[k++] = a;
	return k;
}

/*
 * Go reaches a global as ADRP Xn, page then ADD Xd, Xn, #lo12 (its
 * address) or LDR/STR Xt, [Xn, #imm] (a load or store of it): the register
 * tracking of the TLS decoder gives both.
 */
int tt_arch_data_refs(const uint8_t *code, size_t n, uint64_t va, uint64_t *out, int max)
{
	struct tls_scan s = {.tp = -1};
	int k = 0;

	for (size_t i = 0; i + 4 <= n; i += 4) {
		uint32_t w = insn_at(code + i);
		unsigned rd = w & 31, rn = (w >> 5) & 31;

		/* LDR / STR (immediate, unsigned offset), any size, scaled by it */
		if ((w & 0x3b000000u) == 0x39000000u && rn != 31 && s.known & (1u << rn))
			k = add_ref(out, k, max,
			            s.val[rn] + ((uint64_t)((w >> 10) & 0xfff) << (w >> 30)));
		if (track_regs(&s, w, va + i)) {
			if ((w & 0xff800000u) == 0x91000000u && s.known & (1u << rd))
				k = add_ref(out, k, max, s.val[rd]);
		} else if (rd != 31) {
			s.known &= ~(1u << rd); /* most other instructions write Rd */
		}
	}
	return k;
}
