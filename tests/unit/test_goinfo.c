// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Go detection and the offsets table (x86-64 fixtures; the decoders: test_arch_*.c). */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <linux/types.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"

#include "gobuildinfo.h"
#include "godwarf.h"
#include "goinfo.h"

static bool have(const char *name, char *p, size_t len)
{
	return tt_have_fixture(name, p, len, "make fixtures");
}

/*
 * The marquee as built by each of Debian's toolchains (tests/fixtures/build.sh,
 * bin/go1.NN/), with what runtime2.go of that version says: goid moved to 160
 * in 1.23 and 1.24 (checked against each build's DWARF below).
 */
static const struct toolchain {
	const char *dir;
	int minor, goid_off;
} toolchains[] = {{"go1.19", 19, 152}, {"go1.23", 23, 160}, {"go1.24", 24, 160}};
#define NTOOLCHAINS (sizeof(toolchains) / sizeof(toolchains[0]))

/* p = bin/go1.NN/bin; false (with a SKIP line naming the toolchain) when not built. */
static bool have_tc(const struct toolchain *tc, const char *bin, char *p, size_t len)
{
	char name[128];

	snprintf(name, sizeof(name), "%s/%s", tc->dir, bin);
	return tt_have_fixture(name, p, len,
	                       "make fixtures; tools/gotoolchain.sh could not fetch it?");
}

/* gi.version is "go1.NN" or "go1.NN.P", not "go1.NNN" */
static void assert_version(const struct tt_goinfo *gi, int minor)
{
	char want[16];
	size_t n = (size_t)snprintf(want, sizeof(want), "go1.%d", minor);

	assert_int_equal(strncmp(gi->version, want, n), 0);
	assert_true(gi->version[n] == 0 || gi->version[n] == '.');
}

static void check_go(const char *p, int minor, int goid_off, int dwarf)
{
	struct tt_goinfo gi;

	assert_int_equal(tt_goinfo_for_file(p, &gi), 1);
	printf("%s: %s goid@%d tls %d dwarf %d\n", p, gi.version, gi.off.goid_off, gi.off.tls_g_off,
	       gi.goid_from_dwarf);
	assert_int_equal(gi.major, 1);
	assert_int_equal(gi.minor, minor);
	assert_version(&gi, minor);
	assert_int_equal(gi.off.tls_g_off, -8);
	assert_int_equal(gi.off.g_in_reg, 0); /* amd64 always has g in TLS */
	assert_int_equal(gi.off.goid_off, goid_off);
	assert_int_equal(gi.off.g_m_off, 48);
	assert_int_equal(gi.off.m_curg_off, 192);
	assert_int_equal(gi.goid_from_dwarf, dwarf);
}

static void check_go119(const char *name, int dwarf)
{
	char p[512];

	if (!have(name, p, sizeof(p)))
		skip();
	check_go(p, 19, 152, dwarf);
}

/* Every toolchain's three builds: plain and cgo have DWARF, -s -w has none. */
static void test_toolchains(void **state)
{
	(void)state;
	static const struct {
		const char *bin;
		int dwarf;
	} bins[] = {{"marquee", 1}, {"marquee-stripped", 0}, {"marquee-cgo", 1}};
	char p[512];
	int ran = 0;

	for (size_t t = 0; t < NTOOLCHAINS; t++)
		for (size_t b = 0; b < 3; b++)
			if (have_tc(&toolchains[t], bins[b].bin, p, sizeof(p))) {
				check_go(p, toolchains[t].minor, toolchains[t].goid_off,
				         bins[b].dwarf);
				ran++;
			}
	if (!ran)
		skip();
}

static void test_marquee(void **state)
{
	(void)state;
	check_go119("marquee", 1); /* has DWARF */
}

static void test_marquee_stripped(void **state)
{
	(void)state;
	check_go119("marquee-stripped", 0); /* -w: no DWARF */
}

/* Dynamically linked cgo build: TLS slot must come from decoding, not the default. */
static void test_marquee_cgo(void **state)
{
	(void)state;
	check_go119("marquee-cgo", 1);
}

static void test_not_go(void **state)
{
	(void)state;
	char p[512];
	struct tt_goinfo gi;

	if (!have("cwriter", p, sizeof(p)))
		skip();
	assert_int_equal(tt_goinfo_for_file(p, &gi), 0);
	assert_int_equal(tt_goinfo_for_file("/etc/hostname", &gi), 0);
	assert_int_equal(tt_goinfo_for_file("/nonexistent/x", &gi), -ENOENT);
}

static void test_npm_versions(void **state)
{
	(void)state;
	char p[512];
	struct tt_goinfo gi;

	if (!have("esbuild-go1.26", p, sizeof(p)) || !have("esbuild-go1.16", p, sizeof(p))) {
		printf("SKIP: npm fixtures absent\n");
		skip();
	}
	tt_fixture("esbuild-go1.26", p, sizeof(p));
	assert_int_equal(tt_goinfo_for_file(p, &gi), 1);
	assert_string_equal(gi.version, "go1.26.5");
	assert_int_equal(gi.off.goid_off, 152);
	assert_int_equal(gi.off.m_curg_off, 184);
	assert_int_equal(gi.off.tls_g_off, -8);
	/* Go 1.16 predates the offsets table: detected, version known, refused */
	tt_fixture("esbuild-go1.16", p, sizeof(p));
	assert_int_equal(tt_goinfo_for_file(p, &gi), -ENOTSUP);
	assert_string_equal(gi.version, "go1.16.3");
}

static void check_for_pid(char *p, int minor, int goid_off)
{
	struct tt_goinfo gi;
	char *argv[] = {p, "-interval", "50", "-count", "200", NULL};
	pid_t pid = tt_spawn_quiet(p, argv);

	usleep(200 * 1000);
	int r = tt_goinfo_for_pid(pid, &gi);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	assert_int_equal(r, 1);
	assert_int_equal(gi.minor, minor);
	assert_int_equal(gi.off.tls_g_off, -8);
	assert_int_equal(gi.off.goid_off, goid_off);
	assert_int_equal(tt_goinfo_for_pid(pid, &gi), -ESRCH);
}

static void test_for_pid(void **state)
{
	(void)state;
	char p[512];

	if (!have("marquee", p, sizeof(p)))
		skip();
	check_for_pid(p, 19, 152);
}

/* The running marquee of every toolchain, plain and cgo (dynamically linked). */
static void test_for_pid_toolchains(void **state)
{
	(void)state;
	static const char *const bins[] = {"marquee", "marquee-cgo"};
	char p[512];
	int ran = 0;

	for (size_t t = 0; t < NTOOLCHAINS; t++)
		for (size_t b = 0; b < 2; b++)
			if (have_tc(&toolchains[t], bins[b], p, sizeof(p))) {
				check_for_pid(p, toolchains[t].minor, toolchains[t].goid_off);
				ran++;
			}
	if (!ran)
		skip();
}

/*
 * The version table's rows against each binary's own DWARF, read with
 * readelf (binutils), not with goinfo's own DWARF parser: q[i].offset is
 * q[i].type's member q[i].member, -1 when absent. One readelf run a binary.
 */
static void dwarf_members(const char *bin, struct tt_dwarf_query *q, int n)
{
	char cmd[600], line[512], type[128] = "", cur[128] = "";
	int struct_name = 0, left = n;

	for (int i = 0; i < n; i++)
		q[i].offset = -1;
	snprintf(cmd, sizeof(cmd), "readelf --debug-dump=info '%s' 2>/dev/null", bin);
	FILE *f = popen(cmd, "r");
	assert_non_null(f);
	while (left > 0 && fgets(line, sizeof(line), f)) {
		/* a top-level entry: the name that follows is its own */
		if (strstr(line, " <1><")) {
			struct_name = strstr(line, "(DW_TAG_structure_type)") != NULL;
			type[0] = 0;
			continue;
		}
		const char *nm = strstr(line, "DW_AT_name        : ");
		if (nm) {
			char *dst = struct_name ? type : cur;
			snprintf(dst, sizeof(cur), "%s", nm + 20);
			dst[strcspn(dst, "\n")] = 0;
			struct_name = 0;
			continue;
		}
		const char *l = strstr(line, "DW_AT_data_member_location: ");
		for (int i = 0; l && type[0] && i < n; i++)
			if (q[i].offset == -1 && strcmp(type, q[i].type) == 0 &&
			    strcmp(cur, q[i].member) == 0) {
				q[i].offset = atoi(l + 28);
				left--;
			}
	}
	/* not read to the end once all are found: readelf stops on SIGPIPE */
	pclose(f);
}

/* The version table's row for minor against the DWARF of a build by that toolchain. */
static void table_matches_dwarf(const char *p, int minor, int goid_off)
{
	struct tt_go_proc o;
	struct tt_dwarf_query q[] = {{"runtime.g", "goid", 0}, {"runtime.g", "m", 0},
	                             {"runtime.m", "g0", 0},   {"runtime.m", "gsignal", 0},
	                             {"runtime.m", "curg", 0}, {"runtime.g", "no_such_member", 0}};

	assert_int_equal(tt_go_offsets_for_version(1, minor, &o), 0);
	dwarf_members(p, q, 6);
	printf("%s DWARF: g.goid %d g.m %d m.g0 %d m.gsignal %d m.curg %d\n", p, (int)q[0].offset,
	       (int)q[1].offset, (int)q[2].offset, (int)q[3].offset, (int)q[4].offset);
	assert_int_equal(q[0].offset, o.goid_off);
	assert_int_equal(q[0].offset, goid_off);
	assert_int_equal(q[1].offset, o.g_m_off);
	assert_int_equal(q[2].offset, o.m_g0_off);
	assert_int_equal(q[3].offset, o.m_gsignal_off);
	assert_int_equal(q[4].offset, o.m_curg_off);
	assert_int_equal(q[5].offset, -1);
}

static void test_table_matches_dwarf(void **state)
{
	(void)state;
	char p[512];
	int ran = 0;

	if (system("readelf --version >/dev/null 2>&1") != 0) {
		printf("SKIP: readelf not installed\n");
		skip();
	}
	if (have("marquee", p, sizeof(p))) {
		table_matches_dwarf(p, 19, 152);
		ran++;
	}
	for (size_t t = 0; t < NTOOLCHAINS; t++)
		if (have_tc(&toolchains[t], "marquee", p, sizeof(p))) {
			table_matches_dwarf(p, toolchains[t].minor, toolchains[t].goid_off);
			ran++;
		}
	if (!ran)
		skip();
}

/* Section headers wiped: version from the segments, TLS via the scanned pclntab. */
static void check_no_section_headers(const char *p, int minor, int goid_off)
{
	char tmp[] = "/tmp/ttytop-gi-noshdr-XXXXXX", buf[65536], want[16];
	struct tt_goinfo gi;
	ssize_t n;

	int in = open(p, O_RDONLY), out = mkstemp(tmp);
	assert_true(in >= 0 && out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	close(in);
	uint8_t zero[8] = {0};
	assert_int_equal(pwrite(out, zero, 8, 0x28), 8); /* e_shoff */
	assert_int_equal(pwrite(out, zero, 2, 0x3c), 2); /* e_shnum */
	assert_int_equal(pwrite(out, zero, 2, 0x3e), 2); /* e_shstrndx */
	close(out);
	int r = tt_goinfo_for_file(tmp, &gi);
	unlink(tmp);
	assert_int_equal(r, 1);
	assert_int_equal(gi.minor, minor);
	snprintf(want, sizeof(want), "go1.%d", minor);
	assert_int_equal(strncmp(gi.version, want, strlen(want)), 0);
	assert_version(&gi, minor);
	assert_int_equal(gi.off.tls_g_off, -8);
	assert_int_equal(gi.off.goid_off, goid_off);
}

static void test_no_section_headers(void **state)
{
	(void)state;
	char p[512];
	int ran = 0;

	if (have("marquee-stripped", p, sizeof(p))) {
		check_no_section_headers(p, 19, 152);
		ran++;
	}
	for (size_t t = 0; t < NTOOLCHAINS; t++)
		if (have_tc(&toolchains[t], "marquee-stripped", p, sizeof(p))) {
			check_no_section_headers(p, toolchains[t].minor, toolchains[t].goid_off);
			ran++;
		}
	if (!ran)
		skip();
}

/*
 * Hand-made DWARF 4: one unit with struct runtime.g { m @48 (data1),
 * goid @999 (udata) } and struct other { goid @7 }, so the value can only
 * come from the parser, and from the right struct.
 */
static void test_dwarf_synthetic(void **state)
{
	(void)state;
	const uint8_t abbrev[] = {
	    1, 0x11, 1, 0x03, 0x08, 0,    0,          /* 1: compile_unit, children, name string */
	    2, 0x13, 1, 0x03, 0x08, 0,    0,          /* 2: structure_type, children, name */
	    3, 0x0d, 0, 0x03, 0x08, 0x38, 0x0b, 0, 0, /* 3: member, name, loc data1 */
	    4, 0x0d, 0, 0x03, 0x08, 0x38, 0x0f, 0, 0, /* 4: member, name, loc udata */
	    0};
	uint8_t info[256];
	size_t n = 11;
	const uint8_t body[] = {1,   'c', 'u', 0,   2,   'o', 't', 'h',  'e',  'r', 0,
	                        3,   'g', 'o', 'i', 'd', 0,   7,   0,    2,    'r', 'u',
	                        'n', 't', 'i', 'm', 'e', '.', 'g', 0,    3,    'm', 0,
	                        48,  4,   'g', 'o', 'i', 'd', 0,   0xe7, 0x07, /* 999 */
	                        0,   0};
	memcpy(info + n, body, sizeof(body));
	n += sizeof(body);
	uint32_t ulen = (uint32_t)(n - 4);
	memcpy(info, &ulen, 4);
	info[4] = 4; /* version 4 */
	info[5] = 0;
	memset(info + 6, 0, 4); /* abbrev offset 0 */
	info[10] = 8;           /* address size */
	struct tt_dwarf_query q[] = {
	    {"runtime.g", "goid", 0}, {"runtime.g", "m", 0}, {"runtime.m", "curg", 0}};
	assert_int_equal(tt_dwarf_member_offsets(info, n, abbrev, sizeof(abbrev), q, 3), 2);
	assert_int_equal(q[0].offset, 999);
	assert_int_equal(q[1].offset, 48);
	assert_int_equal(q[2].offset, -1);
	/* truncated anywhere: never a wrong value */
	for (size_t cut = 0; cut < n; cut++) {
		tt_dwarf_member_offsets(info, cut, abbrev, sizeof(abbrev), q, 3);
		assert_true(q[0].offset == -1 || q[0].offset == 999);
		assert_true(q[1].offset == -1 || q[1].offset == 48);
	}
	/* an unknown form stops the walk instead of guessing its size */
	uint8_t bad_abbrev[sizeof(abbrev)];
	memcpy(bad_abbrev, abbrev, sizeof(abbrev));
	bad_abbrev[4] = 0x7f; /* compile_unit name form */
	assert_int_equal(tt_dwarf_member_offsets(info, n, bad_abbrev, sizeof(abbrev), q, 3), 0);
}

/*
 * A member location that is negative (sdata -5) or does not fit int64_t
 * (udata 2^64-1) is no offset: it was stored as "found" with a value that
 * reads as "not found" (-1), counted twice when the member came again, and
 * the walk could stop before the other members were seen.
 */
static void test_dwarf_negative_offset(void **state)
{
	(void)state;
	const uint8_t abbrev[] = {
	    1, 0x11, 1, 0x03, 0x08, 0,    0,          /* 1: compile_unit, children, name string */
	    2, 0x13, 1, 0x03, 0x08, 0,    0,          /* 2: structure_type, children, name */
	    3, 0x0d, 0, 0x03, 0x08, 0x38, 0x0b, 0, 0, /* 3: member, name, loc data1 */
	    4, 0x0d, 0, 0x03, 0x08, 0x38, 0x0f, 0, 0, /* 4: member, name, loc udata */
	    5, 0x0d, 0, 0x03, 0x08, 0x38, 0x0d, 0, 0, /* 5: member, name, loc sdata */
	    0};
	uint8_t info[256];
	size_t n = 11;
	const uint8_t body[] = {
	    1,    'c',  'u',  0,    2,   'r', 'u',  'n',  't',  'i',  'm',  'e',
	    '.',  'g',  0,    5,    'g', 'o', 'i',  'd',  0,    0x7b, /* sdata -5 */
	    4,    'g',  'o',  'i',  'd', 0,   0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0x01, 4,   'g', 'o',  'i',  'd',  0,    0x98, 0x01, /* 152 */
	    3,    'm',  0,    48,   0,   0};
	memcpy(info + n, body, sizeof(body));
	n += sizeof(body);
	uint32_t ulen = (uint32_t)(n - 4);
	memcpy(info, &ulen, 4);
	info[4] = 4;
	info[5] = 0;
	memset(info + 6, 0, 4);
	info[10] = 8;
	struct tt_dwarf_query q[] = {{"runtime.g", "goid", 0}, {"runtime.g", "m", 0}};
	assert_int_equal(tt_dwarf_member_offsets(info, n, abbrev, sizeof(abbrev), q, 2), 2);
	assert_int_equal(q[0].offset, 152);
	assert_int_equal(q[1].offset, 48);
	/* only the bad ones: not found, and not counted */
	struct tt_dwarf_query q1[] = {{"runtime.g", "goid", 0}};
	size_t cut = 11 + 15 + 7 + 16; /* the 152 member becomes a null entry */
	info[cut] = 0;
	assert_int_equal(tt_dwarf_member_offsets(info, n, abbrev, sizeof(abbrev), q1, 1), 0);
	assert_int_equal(q1[0].offset, -1);
}

struct tsec {
	const char *name;
	uint32_t type;
	uint64_t flags, addr;
	const void *data;
	size_t size;
};

/* Write an ET_EXEC x86-64 file with the given sections (no segments). */
static void write_elf(const char *path, const struct tsec *secs, int n)
{
	char shstr[256] = {0};
	size_t shl = 1, off = sizeof(Elf64_Ehdr);
	uint32_t names[16];
	Elf64_Shdr sh[16];
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_true(n + 2 <= 16);
	memset(sh, 0, sizeof(sh));
	Elf64_Ehdr eh = {0};
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_ehsize = sizeof(Elf64_Ehdr);
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = (uint16_t)(n + 2);
	eh.e_shstrndx = (uint16_t)(n + 1);
	assert_int_equal(fwrite(&eh, sizeof(eh), 1, f), 1);
	for (int i = 0; i <= n; i++) {
		const char *nm = i < n ? secs[i].name : ".shstrtab";
		names[i] = (uint32_t)shl;
		memcpy(shstr + shl, nm, strlen(nm) + 1);
		shl += strlen(nm) + 1;
	}
	for (int i = 0; i < n; i++) {
		sh[i + 1] = (Elf64_Shdr){.sh_name = names[i],
		                         .sh_type = secs[i].type,
		                         .sh_flags = secs[i].flags,
		                         .sh_addr = secs[i].addr,
		                         .sh_offset = off,
		                         .sh_size = secs[i].size,
		                         .sh_addralign = 1};
		assert_int_equal(fwrite(secs[i].data, 1, secs[i].size, f), secs[i].size);
		off += secs[i].size;
	}
	sh[n + 1] = (Elf64_Shdr){.sh_name = names[n],
	                         .sh_type = SHT_STRTAB,
	                         .sh_offset = off,
	                         .sh_size = shl,
	                         .sh_addralign = 1};
	assert_int_equal(fwrite(shstr, 1, shl, f), shl);
	off += shl;
	size_t pad = (8 - off % 8) % 8;
	assert_int_equal(fwrite("\0\0\0\0\0\0\0", 1, pad, f), pad);
	off += pad;
	assert_int_equal(fwrite(sh, sizeof(Elf64_Shdr), (size_t)n + 2, f), (size_t)n + 2);
	eh.e_shoff = off;
	assert_int_equal(fseek(f, 0, SEEK_SET), 0);
	assert_int_equal(fwrite(&eh, sizeof(eh), 1, f), 1);
	fclose(f);
}

/*
 * A .go.buildinfo larger than the 64 KiB we copy (-ldflags, many modules:
 * the build settings follow the version) was refused whole, and the version
 * then came from a scan of .rodata, which here mentions an older Go first.
 */
static void test_large_buildinfo(void **state)
{
	(void)state;
	static uint8_t bi[70000];
	static const uint8_t magic[14] = {0xff, ' ', 'G', 'o', ' ', 'b', 'u',
	                                  'i',  'l', 'd', 'i', 'n', 'f', ':'};
	const char rodata[] = "needs go1.18.2 or later\0";
	char tmp[] = "/tmp/ttytop-gi-bigbi-XXXXXX";
	struct tt_goinfo gi;

	memset(bi, 'x', sizeof(bi));
	memcpy(bi, magic, sizeof(magic));
	bi[14] = 8;
	bi[15] = 2; /* inline strings */
	memset(bi + 16, 0, 16);
	bi[32] = 8;
	memcpy(bi + 33, "go1.21.3", 8);
	const struct tsec secs[] = {
	    {".rodata", SHT_PROGBITS, SHF_ALLOC, 0x500000, rodata, sizeof(rodata)},
	    {".go.buildinfo", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 0x600000, bi, sizeof(bi)},
	};
	int fd = mkstemp(tmp);
	assert_true(fd >= 0);
	close(fd);
	write_elf(tmp, secs, 2);
	int r = tt_goinfo_for_file(tmp, &gi);
	unlink(tmp);
	assert_int_equal(r, 1);
	assert_string_equal(gi.version, "go1.21.3");
	assert_int_equal(gi.minor, 21);
}

static void test_parse_version(void **state)
{
	(void)state;
	int a, b, c;

	assert_int_equal(tt_go_parse_version("go1.21.3", &a, &b, &c), 0);
	assert_true(a == 1 && b == 21 && c == 3);
	assert_int_equal(tt_go_parse_version("go1.22rc1", &a, &b, &c), 0);
	assert_true(b == 22 && c == 0);
	assert_int_equal(tt_go_parse_version("go1.21.3 X:boringcrypto", &a, &b, &c), 0);
	assert_true(b == 21 && c == 3);
	assert_int_equal(tt_go_parse_version("go1.20", &a, &b, &c), 0);
	assert_true(b == 20 && c == 0);
	assert_int_equal(tt_go_parse_version("devel +abc", &a, &b, &c), -EINVAL);
	assert_int_equal(tt_go_parse_version("go2.1", &a, &b, &c), -EINVAL);
	assert_int_equal(tt_go_parse_version("go1.", &a, &b, &c), -EINVAL);
	assert_int_equal(tt_go_parse_version("go1.19x", &a, &b, &c), -EINVAL);
	assert_int_equal(tt_go_parse_version("go1.99999999999", &a, &b, &c), -EINVAL);
	assert_int_equal(tt_go_parse_version(NULL, &a, &b, &c), -EINVAL);
}

static void test_offsets_table(void **state)
{
	(void)state;
	struct tt_go_proc o;
	static const struct {
		int minor, goid, curg;
	} rows[] = {{17, 152, 192}, {19, 152, 192}, {22, 152, 192}, {23, 160, 192},
	            {24, 160, 192}, {25, 152, 184}, {26, 152, 184}};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_int_equal(tt_go_offsets_for_version(1, rows[i].minor, &o), 0);
		assert_int_equal(o.goid_off, rows[i].goid);
		assert_int_equal(o.m_curg_off, rows[i].curg);
		assert_int_equal(o.g_m_off, 48);
		assert_int_equal(o.m_g0_off, 0);
		assert_int_equal(o.m_gsignal_off, 80);
	}
	assert_int_equal(tt_go_offsets_for_version(1, 16, &o), -ENOTSUP);
	assert_int_equal(tt_go_offsets_for_version(2, 0, &o), -ENOTSUP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_marquee),
	    cmocka_unit_test(test_marquee_stripped),
	    cmocka_unit_test(test_marquee_cgo),
	    cmocka_unit_test(test_toolchains),
	    cmocka_unit_test(test_not_go),
	    cmocka_unit_test(test_npm_versions),
	    cmocka_unit_test(test_for_pid),
	    cmocka_unit_test(test_for_pid_toolchains),
	    cmocka_unit_test(test_parse_version),
	    cmocka_unit_test(test_offsets_table),
	    cmocka_unit_test(test_table_matches_dwarf),
	    cmocka_unit_test(test_dwarf_synthetic),
	    cmocka_unit_test(test_dwarf_negative_offset),
	    cmocka_unit_test(test_large_buildinfo),
	    cmocka_unit_test(test_no_section_headers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
