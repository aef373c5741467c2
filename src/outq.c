// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "outq.h"
#include "clock.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void tt_outq_init(struct tt_outq *q, int fd)
{
	struct stat st;

	memset(q, 0, sizeof(*q));
	q->fd = fd;
	q->regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

int tt_outq_put(struct tt_outq *q, char *doc)
{
	size_t n = strlen(doc);
	char *b;

	if (q->buf) {
		free(doc); /* owned from here, as on -ENOMEM (outq.h) */
		return -EBUSY;
	}
	b = realloc(doc, n + 2);
	if (!b) {
		free(doc);
		return -ENOMEM;
	}
	b[n] = '\n';
	b[n + 1] = 0;
	q->buf = b;
	q->len = n + 1;
	q->off = 0;
	return 0;
}

static void done(struct tt_outq *q)
{
	free(q->buf);
	q->buf = NULL;
	q->len = q->off = 0;
}

int tt_outq_write(struct tt_outq *q)
{
	while (q->buf && q->off < q->len) {
		/*
		 * After POLLOUT a pipe has room for at least PIPE_BUF bytes, so a
		 * piece that size cannot block; a larger one could wait on the reader.
		 */
		size_t n = q->len - q->off;
		ssize_t w;

		if (!q->regular && n > PIPE_BUF)
			n = PIPE_BUF;
		w = write(q->fd, q->buf + q->off, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			return -errno;
		}
		q->off += (size_t)w;
		if (!q->regular)
			break; /* one piece per POLLOUT */
	}
	if (q->buf && q->off >= q->len)
		done(q);
	return 0;
}

static long long ms_now(void)
{
	return (long long)(tt_mono_ns() / 1000000);
}

int tt_outq_flush(struct tt_outq *q, int timeout_ms)
{
	long long end = ms_now() + timeout_ms;

	while (q->buf) {
		struct pollfd p = {.fd = q->fd, .events = POLLOUT};
		long long left = end - ms_now();
		int r;

		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&p, 1, (int)left);
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r > 0 && (r = tt_outq_write(q)) < 0)
			return r;
	}
	return 0;
}

void tt_outq_free(struct tt_outq *q)
{
	done(q);
}
