// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Go toolchain version: .go.buildinfo (inline and pointer forms) and the rodata scan. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"

#include "elfsym.h"
#include "gobuildinfo.h"

struct bin {
	int fd;
	Elf *e;
	struct tt_elfsyms *es;
};

static bool open_bin(const char *name, struct bin *b)
{
	char p[512];

	b->fd = open(tt_fixture(name, p, sizeof(p)), O_RDONLY);
	if (b->fd < 0) {
		printf("SKIP: fixture %s missing\n", p);
		return false;
	}
	elf_version(EV_CURRENT);
	b->e = elf_begin(b->fd, ELF_C_READ, NULL);
	assert_non_null(b->e);
	assert_int_equal(tt_elfsyms_load_fd(b->fd, &b->es), 0);
	return true;
}

static void close_bin(struct bin *b)
{
	elf_end(b->e);
	tt_elfsyms_free(b->es);
	close(b->fd);
}

static int rd_file(void *ctx, uint64_t va, void *buf, size_t len)
{
	struct bin *b = ctx;
	uint64_t off;

	if (tt_elfsyms_vaddr_to_off(b->es, va, &off) != 0)
		return -ENOENT;
	return pread(b->fd, buf, len, (off_t)off) == (ssize_t)len ? 0 : -EIO;
}

/* A toolchain's own version, e.g. "go1.19.8", from GOROOT/VERSION's first line. */
static void toolchain_version(const char *goroot, char *v, size_t n)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/VERSION", goroot);
	FILE *f = fopen(p, "r");
	assert_non_null(f);
	assert_non_null(fgets(v, (int)n, f));
	v[strcspn(v, "\n")] = 0;
	fclose(f);
}

/* The .go.buildinfo of a fixture names want, and every truncation fails or agrees. */
static void check_inline_form(const char *name, const char *want)
{
	struct bin b;
	uint8_t *buf;
	size_t len;
	char v[32];

	if (!open_bin(name, &b))
		skip();
	assert_int_equal(tt_elf_section_copy(b.e, ".go.buildinfo", &buf, &len, NULL, 1 << 16), 0);
	assert_true(buf[15] & 2); /* Go 1.18+: inline strings */
	assert_int_equal(tt_gobuildinfo_parse(buf, len, NULL, NULL, v, sizeof(v)), 0);
	printf("%s: %s\n", name, v);
	assert_string_equal(v, want);
	/* every truncation fails cleanly or still parses the same */
	for (size_t cut = 0; cut < len; cut++) {
		char w[32];
		if (tt_gobuildinfo_parse(buf, cut, NULL, NULL, w, sizeof(w)) == 0)
			assert_string_equal(w, want);
	}
	assert_int_equal(tt_gobuildinfo_parse(buf, len, NULL, NULL, v, 4), -ENOSPC);
	free(buf);
	close_bin(&b);
}

static void test_inline_form(void **state)
{
	(void)state;
	char want[32];

	toolchain_version("/usr/lib/go-1.19", want, sizeof(want));
	check_inline_form("marquee-stripped", want);
}

/*
 * The marquee as built by each of Debian's toolchains (bin/go1.NN/,
 * tests/fixtures/build.sh, which leaves the GOROOT it used in bin/go1.NN/goroot):
 * all three builds name that toolchain's own VERSION.
 */
static void test_inline_form_toolchains(void **state)
{
	(void)state;
	static const char *const tcs[] = {"go1.19", "go1.23", "go1.24"};
	static const char *const bins[] = {"marquee", "marquee-stripped", "marquee-cgo"};
	char p[512], goroot[400], name[128], want[32];
	int ran = 0;

	for (size_t t = 0; t < sizeof(tcs) / sizeof(tcs[0]); t++) {
		snprintf(name, sizeof(name), "%s/goroot", tcs[t]);
		FILE *f = fopen(tt_fixture(name, p, sizeof(p)), "r");
		if (!f) {
			printf("SKIP: %s not built (make fixtures; tools/gotoolchain.sh could not "
			       "fetch it?)\n",
			       tcs[t]);
			continue;
		}
		assert_non_null(fgets(goroot, sizeof(goroot), f));
		fclose(f);
		goroot[strcspn(goroot, "\n")] = 0;
		toolchain_version(goroot, want, sizeof(want));
		assert_int_equal(strncmp(want, tcs[t], strlen(tcs[t])), 0);
		for (size_t b = 0; b < 3; b++) {
			snprintf(name, sizeof(name), "%s/%s", tcs[t], bins[b]);
			check_inline_form(name, want);
			ran++;
		}
	}
	if (!ran)
		skip();
}

static void test_pointer_form_go116(void **state)
{
	(void)state;
	struct bin b;
	uint8_t *buf;
	size_t len;
	char v[32];

	if (!open_bin("esbuild-go1.16", &b)) {
		printf("SKIP: npm fixture absent\n");
		skip();
	}
	assert_int_equal(tt_elf_section_copy(b.e, ".go.buildinfo", &buf, &len, NULL, 1 << 16), 0);
	assert_false(buf[15] & 2);
	assert_int_equal(tt_gobuildinfo_parse(buf, len, NULL, NULL, v, sizeof(v)), -ENOTSUP);
	assert_int_equal(tt_gobuildinfo_parse(buf, len, rd_file, &b, v, sizeof(v)), 0);
	/* esbuild 0.12.0 on npm was built with go1.16.3 (`go version` on it says so) */
	assert_string_equal(v, "go1.16.3");
	free(buf);
	close_bin(&b);
}

/* No .go.buildinfo at all: the version is found by scanning .rodata. */
static void test_scan_go126(void **state)
{
	(void)state;
	struct bin b;
	uint8_t *buf;
	size_t len;
	char v[32];

	if (!open_bin("esbuild-go1.26", &b)) {
		printf("SKIP: npm fixture absent\n");
		skip();
	}
	assert_int_equal(tt_elf_section_copy(b.e, ".go.buildinfo", &buf, &len, NULL, 1 << 16),
	                 -ENOENT);
	assert_int_equal(tt_elf_section_copy(b.e, ".rodata", &buf, &len, NULL, 64u << 20), 0);
	assert_int_equal(tt_go_scan_version(buf, len, 20, v, sizeof(v)), 0);
	assert_string_equal(v, "go1.26.5");
	free(buf);
	close_bin(&b);
}

static void test_synthetic_inline(void **state)
{
	(void)state;
	uint8_t b[64] = {0xff, ' ', 'G', 'o', ' ', 'b', 'u', 'i',
	                 'l',  'd', 'i', 'n', 'f', ':', 8,   2};
	char v[32];

	b[32] = 9;
	memcpy(b + 33, "go1.22rc1", 9);
	assert_int_equal(tt_gobuildinfo_parse(b, sizeof(b), NULL, NULL, v, sizeof(v)), 0);
	assert_string_equal(v, "go1.22rc1");
	b[32] = 60; /* length past the end */
	assert_int_equal(tt_gobuildinfo_parse(b, sizeof(b), NULL, NULL, v, sizeof(v)), -EINVAL);
	b[32] = 0x80; /* unterminated varint */
	memset(b + 33, 0x80, 31);
	assert_int_equal(tt_gobuildinfo_parse(b, sizeof(b), NULL, NULL, v, sizeof(v)), -EINVAL);
	b[32] = 5;
	memcpy(b + 33, "hello", 5); /* not a version */
	assert_int_equal(tt_gobuildinfo_parse(b, sizeof(b), NULL, NULL, v, sizeof(v)), -EINVAL);
	b[1] = 'x';
	assert_int_equal(tt_gobuildinfo_parse(b, sizeof(b), NULL, NULL, v, sizeof(v)), -EINVAL);
}

static void test_scan_synthetic(void **state)
{
	(void)state;
	const char data[] = "requires go1.13 or later\0xgo1.abc go1.21.10internal/abi";
	char v[32];

	assert_int_equal(tt_go_scan_version((const uint8_t *)data, sizeof(data), 0, v, sizeof(v)),
	                 0);
	assert_string_equal(v, "go1.21.10");
	/* only a two-part one: taken when nothing better exists */
	const char two[] = "built by go1.22 toolchain";
	assert_int_equal(tt_go_scan_version((const uint8_t *)two, sizeof(two), 0, v, sizeof(v)), 0);
	assert_string_equal(v, "go1.22");
	/* an old version mentioned in a string is not mistaken for a 1.20+ toolchain */
	const char old[] = "go1.12.5 compatibility";
	assert_int_equal(tt_go_scan_version((const uint8_t *)old, sizeof(old), 20, v, sizeof(v)),
	                 -ENOENT);
	assert_int_equal(tt_go_scan_version((const uint8_t *)"go1.", 4, 0, v, sizeof(v)), -ENOENT);
	/*
	 * The version written is the one judged: "go1.20..5" was accepted as
	 * "go1.20" and then copied out again without the ".." stop.
	 */
	const char dd[] = "x go1.20..5 y";
	assert_int_equal(tt_go_scan_version((const uint8_t *)dd, sizeof(dd), 0, v, sizeof(v)), 0);
	assert_string_equal(v, "go1.20");
	/* nor may a version too long to judge be cut into a shorter one */
	const char lng[] = "go1.2222222222222222 go1.19.3";
	assert_int_equal(tt_go_scan_version((const uint8_t *)lng, sizeof(lng), 0, v, sizeof(v)), 0);
	assert_string_equal(v, "go1.19.3");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_inline_form),
	    cmocka_unit_test(test_inline_form_toolchains),
	    cmocka_unit_test(test_pointer_form_go116),
	    cmocka_unit_test(test_scan_go126),
	    cmocka_unit_test(test_synthetic_inline),
	    cmocka_unit_test(test_scan_synthetic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
