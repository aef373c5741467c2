// SPDX-License-Identifier: GPL-2.0
/* x86-64 behind the arch seam (arch.h): instruction checks on traced programs, Go's TLS. */
#include <elf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <Zydis/Zydis.h>

#include "arch.h"

const char tt_arch_name[] = "x86-64";
const uint16_t tt_arch_elf_machine = EM_X86_64;
const bool tt_arch_regs_on_stack = true;
const char tt_arch_regs_on_stack_how[] = "checked against orig_ax";

/* The instruction before a return address must be a call, or it is not one. */
bool tt_arch_follows_call(pid_t pid, uint64_t ret)
{
	unsigned char b[7];
	struct iovec local = {b, sizeof(b)}, remote = {(void *)(ret - 7), sizeof(b)};

	if (ret < 7 || process_vm_readv(pid, &local, 1, &remote, 1, 0) != sizeof(b))
		return false;
	if (b[2] == 0xe8) /* call rel32 */
		return true;
	/* call *reg / call *(reg) / call *disp8(reg) / call *disp32(reg), with REX */
	for (int len = 2; len <= 7; len++) {
		const unsigned char *p = b + 7 - len;
		int i = 0;

		if ((p[0] & 0xf0) == 0x40 && len > 2)
			i = 1;
		if (p[i] == 0xff && ((p[i + 1] >> 3) & 7) == 2) {
			int mod = p[i + 1] >> 6, want = i + 2;

			if ((p[i + 1] & 7) == 4 && mod != 3)
				want++; /* SIB */
			want += mod == 1 ? 1 : mod == 2 ? 4 : 0;
			if (mod == 0 && (p[i + 1] & 7) == 5)
				want += 4; /* rip-relative */
			if (want == len)
				return true;
		}
	}
	return false;
}

/*
 * runtime.stackcheck begins by loading g from TLS: every build has it, its
 * symbol or its .gopclntab entry, and its first load names the slot.
 */
const char *const tt_arch_go_tls_funcs[] = {"runtime.stackcheck.abi0", "runtime.stackcheck", NULL};

/*
 * MOVQ FS:off, reg, encoded as 64 REX.W 8B modrm(mod=00,rm=100) sib(0x25)
 * disp32. The offset is -8 in plain builds and moves with the C TLS layout
 * in static cgo links (-88 seen).
 */
int tt_arch_go_decode_tls(const uint8_t *code, size_t n, uint64_t va, struct tt_arch_go_tls *out)
{
	(void)va;
	for (size_t i = 0; i + 9 <= n; i++) {
		if (code[i] == 0x64 && (code[i + 1] & 0xf8) == 0x48 && code[i + 2] == 0x8b &&
		    (code[i + 3] & 0xc7) == 0x04 && code[i + 4] == 0x25) {
			uint32_t d = (uint32_t)code[i + 5] | (uint32_t)code[i + 6] << 8 |
			             (uint32_t)code[i + 7] << 16 | (uint32_t)code[i + 8] << 24;
			out->off = (int32_t)d;
			out->iscgo_va = 0;
			return 0;
		}
	}
	return -ENOENT;
}

/* Without C in the process the runtime's own TLS block puts g just below FS. */
bool tt_arch_go_tls_default(int32_t *off)
{
	*off = -8;
	return true;
}

/*
 * amd64 Go sets FS and writes g to TLS in every build; R14 holds g only in
 * ABIInternal code, so it is never the source.
 */
bool tt_arch_go_g_in_reg(bool cgo)
{
	(void)cgo;
	return false;
}

/*
 * x86 instructions have lengths from 1 to 15 bytes: only a decoder walking
 * from the function's first byte knows where each one starts (a C3 byte
 * inside an immediate or a displacement is no RET). Zydis 4 (Debian's
 * libzydis-dev) in 64-bit mode; Go pads between functions with INT3, which
 * decodes, so any failure means these are not the bytes we think.
 */
int tt_arch_find_rets(const uint8_t *code, size_t n, uint32_t *offs, int max)
{
	ZydisDecoder dec;
	ZydisDecodedInstruction insn;
	int k = 0;

	if (n > UINT32_MAX ||
	    ZYAN_FAILED(ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64)))
		return -EILSEQ;
	for (size_t i = 0; i < n; i += insn.length) {
		if (ZYAN_FAILED(
		        ZydisDecoderDecodeInstruction(&dec, NULL, code + i, n - i, &insn)) ||
		    insn.length == 0)
			return -EILSEQ;
		/* near returns only (C3, C2 imm16): a far one (CB, CA) leaves Go's code */
		if (insn.mnemonic != ZYDIS_MNEMONIC_RET ||
		    (insn.opcode != 0xc3 && insn.opcode != 0xc2))
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

/* Decoded from the first byte, as in tt_arch_find_rets; a byte that does not
 * decode ends the scan (the refs so far stand, to be checked by the caller). */
int tt_arch_data_refs(const uint8_t *code, size_t n, uint64_t va, uint64_t *out, int max)
{
	ZydisDecoder dec;
	ZydisDecodedInstruction insn;
	ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
	int k = 0;

	if (ZYAN_FAILED(ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64)))
		return 0;
	for (size_t i = 0; i < n; i += insn.length) {
		if (ZYAN_FAILED(ZydisDecoderDecodeFull(&dec, code + i, n - i, &insn, ops)) ||
		    insn.length == 0)
			break;
		/*
		 * RIP-relative: the next instruction's address plus the
		 * displacement, computed here (ZydisCalcAbsoluteAddress is in
		 * Zydis's utils, which the static decoder-only build of
		 * tools/zydis.sh leaves out).
		 */
		for (unsigned o = 0; o < insn.operand_count_visible; o++)
			if (ops[o].type == ZYDIS_OPERAND_TYPE_MEMORY &&
			    ops[o].mem.base == ZYDIS_REGISTER_RIP &&
			    ops[o].mem.index == ZYDIS_REGISTER_NONE &&
			    ops[o].mem.disp.has_displacement)
				k = add_ref(out, k, max,
				            va + i + insn.length + (uint64_t)ops[o].mem.disp.value);
	}
	return k;
}
