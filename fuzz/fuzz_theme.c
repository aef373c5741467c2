// srcs: tui/theme.c
/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Theme files come from --theme PATH and ./themes: any bytes. The parser must
 * reject or accept without reading out of bounds, and an error message must
 * be printable text only.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tui/theme.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tt_theme t;
	char err[256];
	size_t i;
	int rc, e;

	if (tt_theme_builtin(0, &t) < 0)
		abort();
	err[0] = '\0';
	rc = tt_theme_parse((const char *)data, size, "fuzz.theme", &t, err, sizeof(err));
	if (rc < 0) {
		if (strncmp(err, "fuzz.theme", 10) != 0)
			abort(); /* every error names the file */
		for (i = 0; err[i]; i++)
			if ((unsigned char)err[i] < 0x20 || (unsigned char)err[i] >= 0x7f)
				abort(); /* hostile bytes must not reach the terminal */
		return 0;
	}
	for (e = 0; e < TT_EL_NR; e++) {
		if (t.el[e].fg < -1 || t.el[e].fg > 255 || t.el[e].bg < -1 || t.el[e].bg > 255)
			abort();
		if (t.el[e].attrs & ~0xfu)
			abort();
	}
	return 0;
}
