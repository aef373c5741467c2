/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One document at a time to an output that may be slow (a pipe into a busy
 * reader, an ssh session): written in pieces as the descriptor takes them, so
 * that a reader that falls behind delays documents, never the sampling of the
 * kernel's counters around them.
 */
#ifndef TTYTOP_OUTQ_H
#define TTYTOP_OUTQ_H

#include <stdbool.h>
#include <stddef.h>

struct tt_outq {
	int fd;
	bool regular; /* a file: written whole, it never waits on a reader */
	char *buf;    /* the document going out (owned), NULL when idle */
	size_t len, off;
};

void tt_outq_init(struct tt_outq *q, int fd);
static inline bool tt_outq_busy(const struct tt_outq *q)
{
	return q->buf != NULL;
}
/* Take doc (malloc'd, NUL-terminated; owned from here) and a newline after it.
 * -EBUSY while the previous one is still going out, -ENOMEM. */
int tt_outq_put(struct tt_outq *q, char *doc);
/*
 * Write what the descriptor takes now without waiting (call it when poll()
 * says POLLOUT). 0 when something or nothing was written, -errno on failure.
 */
int tt_outq_write(struct tt_outq *q);
/* Wait until the document is out or timeout_ms passed (-ETIMEDOUT), -errno. */
int tt_outq_flush(struct tt_outq *q, int timeout_ms);
void tt_outq_free(struct tt_outq *q);

#endif
