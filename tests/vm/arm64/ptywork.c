/*
 * ptywork: the pty workloads of the arm64 guests, which have busybox and static
 * programs alone (no python to open a pty). Each mode opens a fresh raw pty, does
 * its work, writes what it did as one JSON object to META (the host compares that
 * with ttytop's documents) and keeps the pty open HOLD ms more, so that ttytop's
 * last documents still list the terminal.
 *   ptywork [-h HOLD] exact META N SIZE    N writes of SIZE bytes and a writev of
 *                                          10+20+30, read as fast as they come
 *   ptywork [-h HOLD] paused META MS       a child writes 64 x 1024 bytes; this
 *                                          process, the reader, reads nothing for MS
 *   ptywork [-h HOLD] run META OUT PROG... PROG with its stdout on the pty; what it
 *                                          writes there is copied to OUT
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static int master = -1, slave = -1;
static char pts[64];

static int die(const char *what)
{
	fprintf(stderr, "ptywork: %s: %s\n", what, strerror(errno));
	exit(2);
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void open_pty(void)
{
	struct termios t;
	const char *name;

	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0)
		die("posix_openpt");
	name = ptsname(master);
	if (!name || strncmp(name, "/dev/", 5) != 0 || strlen(name + 5) >= sizeof(pts))
		die("ptsname");
	snprintf(pts, sizeof(pts), "%s", name + 5);
	slave = open(name, O_RDWR | O_NOCTTY);
	if (slave < 0 || tcgetattr(slave, &t) < 0)
		die(name);
	/* raw: the bytes read are the bytes written, no ONLCR doubling */
	cfmakeraw(&t);
	if (tcsetattr(slave, TCSANOW, &t) < 0)
		die("tcsetattr");
}

/* Reads the master until `want` bytes (want < 0: until the writer is gone and the
 * pty empty); copies them to out_fd when it is >= 0. Returns the bytes read. */
/* when the first read of drain() returned: the writer was woken by then */
static long long first_read_ns;

static long long drain(long long want, pid_t writer, int out_fd, int *status)
{
	static char buf[65536];
	long long total = 0;
	int done = 0;

	while (want < 0 || total < want) {
		struct pollfd p = {master, POLLIN, 0};
		int r = poll(&p, 1, 100);

		if (r < 0 && errno != EINTR)
			die("poll");
		if (r > 0 && (p.revents & POLLIN)) {
			ssize_t n = read(master, buf, sizeof(buf));

			if (!first_read_ns)
				first_read_ns = now_ns();
			if (n < 0 && errno != EINTR && errno != EAGAIN)
				die("read");
			if (n > 0) {
				total += n;
				if (out_fd >= 0 && write(out_fd, buf, (size_t)n) != n)
					die("write OUT");
			}
			continue;
		}
		if (done)
			break; /* gone, and 100 ms without data since */
		if (writer > 0 && waitpid(writer, status, WNOHANG) == writer)
			done = 1;
	}
	if (!done && writer > 0 && waitpid(writer, status, 0) < 0)
		die("waitpid");
	return total;
}

static void write_all(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = write(fd, buf, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			_exit(3);
		buf += w;
		n -= (size_t)w;
	}
}

static int meta_fd(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		die(path);
	return fd;
}

static int exited_ok(int status)
{
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int mode_exact(const char *meta, long n, long size)
{
	static char buf[65536];
	long long written = 0, got;
	int status = 0, fd;
	pid_t pid;

	if (n < 1 || size < 1 || size > (long)sizeof(buf))
		return fprintf(stderr, "ptywork: exact: N >= 1, 1 <= SIZE <= 65536\n"), 2;
	memset(buf, 'x', sizeof(buf));
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		struct iovec iov[3] = {{buf, 10}, {buf, 20}, {buf, 30}};

		close(master);
		for (long i = 0; i < n; i++)
			write_all(slave, buf, (size_t)size);
		/* a writev of three pieces is one write with all their bytes */
		if (writev(slave, iov, 3) != 60)
			_exit(3);
		_exit(0);
	}
	written = (long long)n * size + 60;
	got = drain(written, pid, -1, &status);
	fd = meta_fd(meta);
	dprintf(fd,
	        "{\"mode\":\"exact\",\"pts\":\"%s\",\"writer_pid\":%d,\"reader_pid\":%d,"
	        "\"writes\":%ld,\"bytes\":%lld,\"read\":%lld,\"writer_ok\":%s}\n",
	        pts, pid, getpid(), n + 1, written, got, exited_ok(status) ? "true" : "false");
	close(fd);
	return 0;
}

/*
 * Wait until pid sleeps (state S in /proc/pid/stat): the writer does so only once
 * the pty is full, so the pause is timed from its block, not from its start (under
 * emulation filling the buffer alone can take a good part of the pause). *awake_ns:
 * when it was last seen awake, so the block began between that and now.
 */
static int wait_sleeping(pid_t pid, long long *awake_ns)
{
	char path[64], st[512];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (int i = 0; i < 20000; i++) {
		long long t = now_ns();
		int fd = open(path, O_RDONLY);
		ssize_t n = fd < 0 ? -1 : read(fd, st, sizeof(st) - 1);
		char *p;

		if (fd >= 0)
			close(fd);
		if (n <= 0)
			return -1;
		st[n] = 0;
		p = strrchr(st, ')');
		if (p && p[1] == ' ' && p[2] == 'S')
			return 0;
		*awake_ns = t;
		sleep_ms(1);
	}
	return -1;
}

static int mode_paused(const char *meta, long ms)
{
	static char buf[1024];
	long long t0, t1, got, awake = 0;
	int go[2], status = 0, fd;
	char c;
	pid_t pid;

	if (ms < 1 || ms > 60000)
		return fprintf(stderr, "ptywork: paused: 1 <= MS <= 60000\n"), 2;
	if (pipe(go) < 0)
		die("pipe");
	memset(buf, 'y', sizeof(buf));
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(master);
		/* started: the parent now waits for it to block on the full pty */
		write_all(go[1], "g", 1);
		for (int i = 0; i < 64; i++)
			write_all(slave, buf, sizeof(buf));
		_exit(0);
	}
	close(go[1]);
	if (read(go[0], &c, 1) != 1)
		die("the writer did not start");
	awake = now_ns();
	if (wait_sleeping(pid, &awake) < 0)
		die("the writer never blocked");
	t0 = now_ns();
	sleep_ms(ms);
	t1 = now_ns();
	got = drain(64 * 1024, pid, -1, &status);
	fd = meta_fd(meta);
	dprintf(fd,
	        "{\"mode\":\"paused\",\"pts\":\"%s\",\"writer_pid\":%d,\"reader_pid\":%d,"
	        "\"writes\":64,\"bytes\":65536,\"read\":%lld,\"pause_ns\":%lld,"
	        "\"pause_max_ns\":%lld,\"writer_ok\":%s}\n",
	        pts, pid, getpid(), got, t1 - t0, first_read_ns - awake,
	        exited_ok(status) ? "true" : "false");
	close(fd);
	return 0;
}

static int mode_run(const char *meta, const char *out, char **argv)
{
	long long got;
	int status = 0, fd, ofd;
	pid_t pid;

	ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (ofd < 0)
		die(out);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(master);
		if (dup2(slave, 1) < 0)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	got = drain(-1, pid, ofd, &status);
	close(ofd);
	fd = meta_fd(meta);
	dprintf(fd,
	        "{\"mode\":\"run\",\"pts\":\"%s\",\"pid\":%d,\"read\":%lld,\"status\":%d,"
	        "\"ok\":%s}\n",
	        pts, pid, got, status, exited_ok(status) ? "true" : "false");
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	long hold = 0;
	int rc;

	if (argc > 2 && strcmp(argv[1], "-h") == 0) {
		hold = strtol(argv[2], NULL, 10);
		argv += 2, argc -= 2;
	}
	if (argc < 3)
		return fprintf(stderr, "usage: ptywork [-h HOLD] exact|paused|run META ...\n"), 2;
	open_pty();
	if (strcmp(argv[1], "exact") == 0 && argc == 5)
		rc = mode_exact(argv[2], strtol(argv[3], NULL, 10), strtol(argv[4], NULL, 10));
	else if (strcmp(argv[1], "paused") == 0 && argc == 4)
		rc = mode_paused(argv[2], strtol(argv[3], NULL, 10));
	else if (strcmp(argv[1], "run") == 0 && argc >= 5)
		rc = mode_run(argv[2], argv[3], argv + 4);
	else
		return fprintf(stderr, "ptywork: bad arguments for %s\n", argv[1]), 2;
	if (hold > 0)
		sleep_ms(hold);
	close(slave);
	close(master);
	return rc;
}
