// srcs: src/goroutines.c src/memread.c src/gowait.c src/goinfo.c src/arch_x86.c src/elfsym.c src/gopclntab.c src/gobuildinfo.c src/godwarf.c src/procmaps.c
// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The input is a memory image (memread.h's format) standing for a Go
 * process's memory: the allgs walk, each g, and the unwinding of its stack
 * through the marquee fixture's .gopclntab run over it as they would over
 * a corrupted or changing process. The executable is
 * ../tests/fixtures/bin/marquee (or $TT_FUZZ_GOBIN), the build the seeds in
 * corpus/fuzz_goroutines were recorded from (tests/unit/test_goroutines.c
 * writes build/goroutines.img); without it allgs is taken to be region 0's
 * first bytes and stacks are not unwound. Every row must be bounded and
 * every frame a PC the pclntab knows.
 */
#include <linux/types.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elfsym.h"
#include "goroutines.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct tt_gort rt;
static bool have_rt;
static struct tt_pane pane;

static void init(void)
{
	const char *bin = getenv("TT_FUZZ_GOBIN");
	char why[96];
	int fd = open(bin ? bin : "../tests/fixtures/bin/marquee", O_RDONLY);

	if (fd >= 0 && tt_gort_load(&rt, fd, why, sizeof(why)) == 0 && rt.allgs)
		have_rt = true;
	else if (tt_go_goff_for_version(1, 19, &rt.off) != 0)
		abort();
	if (fd >= 0)
		close(fd);
	pane.gs = calloc(TT_PANE_GOROUTINES, sizeof(*pane.gs));
	if (!pane.gs)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool inited;
	struct tt_mem_image im;
	struct tt_mem m;

	if (!inited) {
		init();
		inited = true;
	}
	if (tt_mem_image_parse(&im, data, size) != 0 || im.n == 0)
		return 0;
	tt_mem_of_image(&m, &im);
	if (!have_rt)
		rt.allgs = im.r[0].addr;
	if (tt_goroutines_walk(&pane, &rt, 0, &m, 1ull << 40) != 0)
		return 0;
	if (pane.ngoroutines < 0 || pane.ngoroutines > TT_PANE_GOROUTINES ||
	    pane.goroutines_total < pane.ngoroutines)
		abort();
	for (int i = 0; i < pane.ngoroutines; i++) {
		const struct tt_pane_goroutine *g = &pane.gs[i];
		if (g->stack.n > TT_PANE_DEPTH || g->status > 9 || !memchr(g->wait_reason, 0, 40))
			abort();
		for (int k = 0; have_rt && k < g->stack.n; k++) {
			struct tt_pcln_func f;
			if (g->stack.f[k].name != UINT32_MAX ||
			    tt_pcln_lookup(&rt.es->pcln, g->stack.f[k].addr, &f) != 0)
				abort();
		}
	}
	return 0;
}
