/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Documents to a slow reader: never a blocked writer, never a lost or torn byte. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "outq.h"

#define DOC (300 * 1024) /* bigger than any pipe's buffer */

static char *make_doc(size_t n, char c)
{
	char *d = malloc(n + 1);

	memset(d, c, n);
	d[n] = 0;
	return d;
}

static bool writable(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLOUT};

	return poll(&p, 1, 0) == 1;
}

static size_t read_some(int fd, char *out, size_t max)
{
	ssize_t n = read(fd, out, max);

	return n > 0 ? (size_t)n : 0;
}

/* A reader that reads nothing: every write returns at once, the document waits. */
static void test_stalled_reader_never_blocks(void **state)
{
	struct tt_outq q;
	int p[2], fl;
	size_t got = 0;
	char *buf = malloc(DOC + 2);

	(void)state;
	assert_int_equal(pipe(p), 0);
	/* only the reader's end is non-blocking: the writer's stays as stdout would be */
	fl = fcntl(p[0], F_GETFL);
	fcntl(p[0], F_SETFL, fl | O_NONBLOCK);
	tt_outq_init(&q, p[1]);
	assert_int_equal(tt_outq_put(&q, make_doc(DOC, 'a')), 0);
	assert_true(tt_outq_busy(&q));
	assert_int_equal(tt_outq_put(&q, make_doc(10, 'b')), -EBUSY);
	for (int i = 0; i < 10000 && writable(p[1]); i++)
		assert_int_equal(tt_outq_write(&q), 0); /* would hang here if it blocked */
	assert_true(tt_outq_busy(&q));
	/* the reader catches up: the whole document, then the newline, in order */
	while (tt_outq_busy(&q)) {
		got += read_some(p[0], buf + got, DOC + 2 - got);
		if (writable(p[1]))
			assert_int_equal(tt_outq_write(&q), 0);
	}
	while (got < DOC + 1) {
		size_t n = read_some(p[0], buf + got, DOC + 2 - got);

		if (!n)
			break;
		got += n;
	}
	assert_int_equal(got, DOC + 1);
	for (size_t i = 0; i < DOC; i++)
		if (buf[i] != 'a')
			fail_msg("byte %zu is %c", i, buf[i]);
	assert_int_equal(buf[DOC], '\n');
	/* idle again: the next document is taken */
	assert_int_equal(tt_outq_put(&q, make_doc(3, 'c')), 0);
	assert_int_equal(tt_outq_flush(&q, 1000), 0);
	assert_int_equal(read_some(p[0], buf, 10), 4);
	assert_memory_equal(buf, "ccc\n", 4);
	tt_outq_free(&q);
	close(p[0]);
	close(p[1]);
	free(buf);
}

static void test_flush_times_out_on_a_stalled_reader(void **state)
{
	struct tt_outq q;
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	tt_outq_init(&q, p[1]);
	assert_int_equal(tt_outq_put(&q, make_doc(DOC, 'x')), 0);
	assert_int_equal(tt_outq_flush(&q, 200), -ETIMEDOUT);
	assert_true(tt_outq_busy(&q));
	tt_outq_free(&q);
	assert_false(tt_outq_busy(&q));
	close(p[0]);
	close(p[1]);
}

static void test_reader_gone_is_epipe(void **state)
{
	struct tt_outq q;
	int p[2];

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(pipe(p), 0);
	close(p[0]);
	tt_outq_init(&q, p[1]);
	assert_int_equal(tt_outq_put(&q, make_doc(100, 'x')), 0);
	assert_int_equal(tt_outq_flush(&q, 1000), -EPIPE);
	tt_outq_free(&q);
	close(p[1]);
}

/* A file takes the whole document in one go. */
static void test_regular_file_written_whole(void **state)
{
	char path[] = "/tmp/ttytop-outq-XXXXXX";
	int fd = mkstemp(path);
	struct tt_outq q;

	(void)state;
	assert_true(fd >= 0);
	unlink(path);
	tt_outq_init(&q, fd);
	assert_true(q.regular);
	assert_int_equal(tt_outq_put(&q, make_doc(DOC, 'f')), 0);
	assert_int_equal(tt_outq_write(&q), 0);
	assert_false(tt_outq_busy(&q));
	assert_int_equal(lseek(fd, 0, SEEK_END), DOC + 1);
	tt_outq_free(&q);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_stalled_reader_never_blocks),
	    cmocka_unit_test(test_flush_times_out_on_a_stalled_reader),
	    cmocka_unit_test(test_reader_gone_is_epipe),
	    cmocka_unit_test(test_regular_file_written_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
