/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* UTF-8 checks for text that comes from outside (comms, paths, snapshot strings). */
#ifndef TTYTOP_UTF8_H
#define TTYTOP_UTF8_H

#include <stddef.h>

/*
 * Length of the well-formed UTF-8 sequence at s (at most n bytes available),
 * or 0 when it is not one: overlongs, surrogates and code points above
 * U+10FFFF are not UTF-8.
 */
size_t tt_utf8_seq_len(const unsigned char *s, size_t n);

#endif
