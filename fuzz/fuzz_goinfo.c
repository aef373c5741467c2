// srcs: src/goinfo.c src/arch_x86.c src/elfsym.c src/gopclntab.c src/gobuildinfo.c src/godwarf.c
// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The input is a whole executable, run through the Go detection that
 * ttytop (as root) applies to every new tty writer's binary: build info,
 * read-only data scan, pointer chasing through PT_LOAD, DWARF (possibly
 * compressed), the TLS decode. The file goes through a memfd because
 * goinfo reads by file descriptor. A "Go" answer must carry a version that
 * parses and offsets that fit the BPF side's fields.
 */
#include <linux/types.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "goinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	char path[64];
	struct tt_goinfo gi;

	if (fd < 0) {
		fd = memfd_create("fuzz_goinfo", MFD_CLOEXEC);
		if (fd < 0)
			abort();
	}
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	int r = tt_goinfo_for_file(path, &gi);
	if (r == 1) {
		int a, b, c;
		if (tt_go_parse_version(gi.version, &a, &b, &c) != 0 || a != 1 || b != gi.minor)
			abort();
	} else if (r > 1) {
		abort();
	}
	return 0;
}
