// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The x86-64 side of the arch seam, compiled for whatever host runs the unit
 * tests: src/arch_x86.c is included here, so its tt_arch_* definitions take
 * the place of the host's (see test_arch_arm64.c).
 */
#include <linux/types.h>

#include "../../src/arch_x86.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static void test_decode_tls(void **state)
{
	(void)state;
	struct tt_arch_go_tls t;
	/* MOVQ FS:0xfffffff8, AX (Go 1.19 runtime.stackcheck) */
	const uint8_t plain[] = {0x64, 0x48, 0x8b, 0x04, 0x25, 0xf8, 0xff, 0xff, 0xff, 0x48};
	/* a static cgo link: mov %fs:-88, %r14 after some other instruction */
	const uint8_t cgo[] = {0x90, 0x45, 0x0f, 0x57, 0xff, 0x64, 0x4c,
	                       0x8b, 0x34, 0x25, 0xa8, 0xff, 0xff, 0xff};
	/* mov -8(%rax) with no FS prefix is not a TLS load */
	const uint8_t other[] = {0x48, 0x8b, 0x40, 0xf8, 0xc3, 0x90, 0x90, 0x90, 0x90, 0x90};

	assert_int_equal(tt_arch_go_decode_tls(plain, sizeof(plain), 0x401000, &t), 0);
	assert_int_equal(t.off, -8);
	assert_true(t.iscgo_va == 0);
	assert_int_equal(tt_arch_go_decode_tls(cgo, sizeof(cgo), 0x401000, &t), 0);
	assert_int_equal(t.off, -88);
	assert_int_equal(tt_arch_go_decode_tls(other, sizeof(other), 0x401000, &t), -ENOENT);
	/* cut displacement */
	assert_int_equal(tt_arch_go_decode_tls(plain, 8, 0x401000, &t), -ENOENT);
}

/* amd64 Go has g in TLS in every build: never from R14, -8 when the code is silent. */
static void test_go_policy(void **state)
{
	(void)state;
	int32_t off = 0;

	assert_false(tt_arch_go_g_in_reg(false));
	assert_false(tt_arch_go_g_in_reg(true));
	assert_true(tt_arch_go_tls_default(&off));
	assert_int_equal(off, -8);
	assert_int_equal(tt_arch_elf_machine, EM_X86_64);
}

/* The bytes before a return address, read from this process as from a traced one. */
static void test_follows_call(void **state)
{
	(void)state;
	static const uint8_t pre_text[] = {
	    0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, /* -7: nops, so that every ret has 7 before */
	    0xe8, 0x10, 0x00, 0x00, 0x00,             /* 0: call rel32 */
	    0x90,                                     /* 5: nop */
	    0xff, 0xd0,                               /* 6: call *%rax */
	    0x41, 0xff, 0x54, 0x24, 0x08,             /* 8: call *0x8(%r12) */
	    0xff, 0x15, 0x00, 0x00, 0x00, 0x00,       /* 13: call *0(%rip) */
	    0xff, 0xe0,                               /* 19: jmp *%rax: not a call */
	    0xc3,                                     /* 21: ret */
	};
	uint64_t base = (uint64_t)(uintptr_t)pre_text + 7;
	pid_t me = getpid();

	assert_true(tt_arch_follows_call(me, base + 5));   /* after call rel32 */
	assert_false(tt_arch_follows_call(me, base + 6));  /* after nop */
	assert_true(tt_arch_follows_call(me, base + 8));   /* after call *%rax */
	assert_true(tt_arch_follows_call(me, base + 13));  /* after call *8(%r12) */
	assert_true(tt_arch_follows_call(me, base + 19));  /* after call *(%rip) */
	assert_false(tt_arch_follows_call(me, base + 21)); /* after jmp *%rax */
	assert_false(tt_arch_follows_call(me, base + 22)); /* after ret */
	assert_false(tt_arch_follows_call(me, 3));
	assert_false(tt_arch_follows_call(me, 4096 + 7)); /* unmapped */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decode_tls),
	    cmocka_unit_test(test_go_policy),
	    cmocka_unit_test(test_follows_call),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
