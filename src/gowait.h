/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The Go runtime's waitReason strings per version (gowait.c). */
#ifndef TTYTOP_GOWAIT_H
#define TTYTOP_GOWAIT_H

/* The runtime's string for g.waitreason, or NULL for a version or value not in the tables. */
const char *tt_go_wait_reason(int major, int minor, unsigned reason);
/* How many reasons the table of that version has; 0 when there is none. */
int tt_go_wait_reasons(int major, int minor);

#endif
