// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Bench workloads: a known number of write(2) calls, timed from inside so the
 * wall-clock figure excludes fork/exec and the tracer's own start-up.
 *
 *   wr null N        N one-byte writes to /dev/null (the non-tty path every
 *                    write on the machine pays)
 *   wr sys N         N getppid(2) calls: what a system call that is not a write
 *                    pays (raw sys_enter/sys_exit hooks run on every one)
 *   wr pty N SIZE    N SIZE-byte writes to a pty slave while a child process
 *                    drains the master, so the writer measures the tty path
 *                    and not a full buffer
 *
 * Prints one JSON object on stdout: the number of write(2) calls actually
 * made (the denominator of every per-write figure) and the elapsed time.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_N 100000000L
#define MAX_SIZE 4096

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int parse_count(const char *s, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v <= 0 || v > max)
		return -1;
	*out = v;
	return 0;
}

static void report(const char *kind, long calls, long size, unsigned long long ns,
                   unsigned long long drained)
{
	printf("{\"workload\":\"%s\",\"writes\":%ld,\"size\":%ld,\"elapsed_ns\":%llu,"
	       "\"ns_per_write\":%.2f,\"drained\":%llu}\n",
	       kind, calls, size, ns, calls ? (double)ns / calls : 0.0, drained);
}

static int run_null(long n)
{
	unsigned long long t0, t1;
	char c = 'x';
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (fd < 0) {
		perror("wr: /dev/null");
		return 1;
	}
	t0 = now_ns();
	for (long i = 0; i < n; i++)
		if (write(fd, &c, 1) != 1) {
			perror("wr: write");
			return 1;
		}
	t1 = now_ns();
	close(fd);
	report("null", n, 1, t1 - t0, 0);
	return 0;
}

static int run_sys(long n)
{
	unsigned long long t0, t1;

	t0 = now_ns();
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid); /* not getppid(): no library may cache it */
	t1 = now_ns();
	report("sys", n, 0, t1 - t0, 0);
	return 0;
}

/* Child: read the master until the slave side is closed (EIO), count bytes. */
static void drain(int master, int result_fd)
{
	static char buf[65536];
	unsigned long long total = 0;

	for (;;) {
		ssize_t r = read(master, buf, sizeof(buf));

		if (r > 0) {
			total += (unsigned long long)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		break; /* EIO once every slave fd is closed */
	}
	/* the one write the reader makes goes to a pipe, after the workload */
	if (write(result_fd, &total, sizeof(total)) != sizeof(total))
		_exit(1);
	_exit(0);
}

static int run_pty(long n, long size)
{
	unsigned long long t0, t1, drained = 0;
	char payload[MAX_SIZE];
	int master, slave, res[2], status;
	long calls = 0;
	char *name;
	pid_t pid;

	/* printable text ending in a newline: what a program's output looks like */
	for (long i = 0; i < size; i++)
		payload[i] = (char)('a' + i % 26);
	payload[size - 1] = '\n';

	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0 || grantpt(master) || unlockpt(master) || !(name = ptsname(master))) {
		perror("wr: pty");
		return 1;
	}
	slave = open(name, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (slave < 0 || pipe(res)) {
		perror("wr: pty slave");
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		perror("wr: fork");
		return 1;
	}
	if (pid == 0) {
		close(slave);
		close(res[0]);
		drain(master, res[1]);
	}
	close(res[1]);

	t0 = now_ns();
	for (long i = 0; i < n; i++) {
		long done = 0;

		while (done < size) {
			ssize_t w = write(slave, payload + done, size - done);

			calls++;
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				perror("wr: pty write");
				kill(pid, SIGKILL);
				return 1;
			}
			done += w;
		}
	}
	t1 = now_ns();
	close(slave);
	close(master);
	if (read(res[0], &drained, sizeof(drained)) != sizeof(drained))
		drained = 0;
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "wr: reader failed\n");
		return 1;
	}
	report("pty", calls, size, t1 - t0, drained);
	return 0;
}

int main(int argc, char **argv)
{
	long n, size;

	if (argc == 3 && !strcmp(argv[1], "null") && !parse_count(argv[2], MAX_N, &n))
		return run_null(n);
	if (argc == 3 && !strcmp(argv[1], "sys") && !parse_count(argv[2], MAX_N, &n))
		return run_sys(n);
	if (argc == 4 && !strcmp(argv[1], "pty") && !parse_count(argv[2], MAX_N, &n) &&
	    !parse_count(argv[3], MAX_SIZE, &size))
		return run_pty(n, size);
	fprintf(stderr, "usage: wr null N | wr sys N | wr pty N SIZE\n");
	return 2;
}
