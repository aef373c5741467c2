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
 *                    and not a full buffer (default termios: cooked, OPOST)
 *   wr ptyraw N SIZE the same writes to a raw pty (cfmakeraw: no output
 *                    processing) drained by a thread of the writer's own
 *                    process: a terminal emulator or tmux-like program, whose
 *                    wake-ups of the reader stay inside one process
 *
 * Prints one JSON object on stdout: the number of write(2) calls actually
 * made (the denominator of every per-write figure), the elapsed time and,
 * for the pty workloads, the pty written ("tty": "pts/N").
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
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
                   unsigned long long drained, const char *tty)
{
	printf("{\"workload\":\"%s\",\"writes\":%ld,\"size\":%ld,\"elapsed_ns\":%llu,"
	       "\"ns_per_write\":%.2f,\"drained\":%llu,\"tty\":\"%s\"}\n",
	       kind, calls, size, ns, calls ? (double)ns / calls : 0.0, drained, tty);
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
	report("null", n, 1, t1 - t0, 0, "");
	return 0;
}

static int run_sys(long n)
{
	unsigned long long t0, t1;

	t0 = now_ns();
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid); /* not getppid(): no library may cache it */
	t1 = now_ns();
	report("sys", n, 0, t1 - t0, 0, "");
	return 0;
}

/* Read the master until the slave side is closed (EIO); the bytes read. */
static unsigned long long drain_master(int master)
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
		return total; /* EIO once every slave fd is closed */
	}
}

/* Child: drain, then the one write the reader makes goes to a pipe, after the workload. */
static void drain_child(int master, int result_fd)
{
	unsigned long long total = drain_master(master);

	if (write(result_fd, &total, sizeof(total)) != sizeof(total))
		_exit(1);
	_exit(0);
}

struct pty_pair {
	int master, slave;
	char name[32]; /* "pts/N" */
};

static int open_pty(struct pty_pair *p, bool raw)
{
	struct termios t;
	char *name;

	p->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (p->master < 0 || grantpt(p->master) || unlockpt(p->master) ||
	    !(name = ptsname(p->master))) {
		perror("wr: pty");
		return -1;
	}
	snprintf(p->name, sizeof(p->name), "%s", name + strlen("/dev/"));
	p->slave = open(name, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (p->slave < 0) {
		perror("wr: pty slave");
		return -1;
	}
	if (!raw)
		return 0;
	if (tcgetattr(p->slave, &t)) {
		perror("wr: tcgetattr");
		return -1;
	}
	cfmakeraw(&t);
	if (tcsetattr(p->slave, TCSANOW, &t)) {
		perror("wr: tcsetattr");
		return -1;
	}
	return 0;
}

/* n writes of size bytes (short writes finished by more calls): the calls made, or -1. */
static long write_loop(int fd, long n, long size, unsigned long long *ns)
{
	char payload[MAX_SIZE];
	unsigned long long t0;
	long calls = 0;

	/* printable text ending in a newline: what a program's output looks like */
	for (long i = 0; i < size; i++)
		payload[i] = (char)('a' + i % 26);
	payload[size - 1] = '\n';
	t0 = now_ns();
	for (long i = 0; i < n; i++) {
		long done = 0;

		while (done < size) {
			ssize_t w = write(fd, payload + done, size - done);

			calls++;
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				perror("wr: pty write");
				return -1;
			}
			done += w;
		}
	}
	*ns = now_ns() - t0;
	return calls;
}

static int run_pty(long n, long size)
{
	unsigned long long ns, drained = 0;
	struct pty_pair p;
	int res[2], status;
	long calls;
	pid_t pid;

	if (open_pty(&p, false))
		return 1;
	if (pipe(res)) {
		perror("wr: pipe");
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		perror("wr: fork");
		return 1;
	}
	if (pid == 0) {
		close(p.slave);
		close(res[0]);
		drain_child(p.master, res[1]);
	}
	close(res[1]);
	calls = write_loop(p.slave, n, size, &ns);
	if (calls < 0) {
		kill(pid, SIGKILL);
		return 1;
	}
	close(p.slave);
	close(p.master);
	if (read(res[0], &drained, sizeof(drained)) != sizeof(drained))
		drained = 0;
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "wr: reader failed\n");
		return 1;
	}
	report("pty", calls, size, ns, drained, p.name);
	return 0;
}

struct drainer {
	int master;
	unsigned long long total;
};

static void *drain_thread(void *arg)
{
	struct drainer *d = arg;

	d->total = drain_master(d->master);
	return NULL;
}

static int run_ptyraw(long n, long size)
{
	struct drainer d;
	struct pty_pair p;
	unsigned long long ns;
	pthread_t th;
	long calls;
	int err;

	if (open_pty(&p, true))
		return 1;
	d.master = p.master;
	err = pthread_create(&th, NULL, drain_thread, &d);
	if (err) {
		fprintf(stderr, "wr: pthread_create: %s\n", strerror(err));
		return 1;
	}
	calls = write_loop(p.slave, n, size, &ns);
	close(p.slave); /* the reader's next read past the data says EIO */
	pthread_join(th, NULL);
	close(p.master);
	if (calls < 0)
		return 1;
	if (d.total != (unsigned long long)n * (unsigned long long)size) {
		fprintf(stderr, "wr: reader drained %llu bytes of %lld\n", d.total,
		        (long long)n * size);
		return 1;
	}
	report("ptyraw", calls, size, ns, d.total, p.name);
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
	if (argc == 4 && !strcmp(argv[1], "ptyraw") && !parse_count(argv[2], MAX_N, &n) &&
	    !parse_count(argv[3], MAX_SIZE, &size))
		return run_ptyraw(n, size);
	fprintf(stderr, "usage: wr null N | wr sys N | wr pty N SIZE | wr ptyraw N SIZE\n");
	return 2;
}
