/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Saving a snapshot: the evidence must be complete or absent. Write a private
 * temporary file in the target directory, fsync it, rename it into place
 * without overwriting anything, then fsync the directory so the name survives
 * a crash too.
 */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "clock.h"
#include "json.h"
#include "snapshot.h"

#define MAX_SUFFIX 1000

static int fail(int e, char *err, size_t errlen, const char *what, const char *path)
{
	/* a failed call that left errno at 0 must still fail the save */
	if (e <= 0)
		e = EIO;
	if (err && errlen)
		snprintf(err, errlen, "cannot save snapshot %s %s: %s", what, path, strerror(e));
	return -e;
}

/* Host names are not file names: keep [A-Za-z0-9._-], never a leading dot. */
static void sanitize_host(const char *in, char *out, size_t len)
{
	size_t w = 0;

	for (size_t i = 0; in[i] && i < 64 && w + 1 < len; i++) {
		char c = in[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || (c == '.' && w > 0)))
			c = '_';
		out[w++] = c;
	}
	out[w] = '\0';
	if (w == 0)
		snprintf(out, len, "unknown");
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t r = write(fd, buf, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EIO;
		buf += r;
		len -= (size_t)r;
	}
	return 0;
}

/* Rename that never replaces an existing file (two saves in the same second). */
static int rename_noreplace(const char *from, const char *to)
{
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -errno;
	/* File systems without RENAME_NOREPLACE: link() fails on EEXIST too. */
	if (link(from, to) < 0)
		return -errno;
	unlink(from);
	return 0;
}

/* The file name carries the document's own time, so the two agree. */
static void snapshot_stamp(const struct tt_model *m, char *stamp, size_t len)
{
	uint64_t ns = m->now_realtime_ns;
	struct tm tm;
	time_t sec;

	if (ns == 0)
		ns = tt_real_ns();
	sec = (time_t)(ns / 1000000000ull);
	if (!gmtime_r(&sec, &tm) || strftime(stamp, len, "%Y%m%dT%H%M%SZ", &tm) == 0)
		snprintf(stamp, len, "19700101T000000Z");
}

/* The document, complete and on disk, in a new temporary file in dir. */
static int write_temp(const struct tt_model *m, const char *dir, char *tmp, size_t tmplen,
                      char *err, size_t errlen)
{
	char *doc;
	int fd, rc, n;

	n = snprintf(tmp, tmplen, "%s/.ttytop-XXXXXX", dir);
	if (n < 0 || (size_t)n >= tmplen)
		return fail(ENAMETOOLONG, err, errlen, "to", dir);

	doc = tt_json_render(m, 0, false);
	if (!doc)
		return fail(ENOMEM, err, errlen, "to", dir);

	fd = mkstemp(tmp);
	if (fd < 0) {
		rc = errno;
		free(doc);
		return fail(rc, err, errlen, "to", dir);
	}
	/* mkstemp already uses 0600, but say it explicitly: snapshots hold stacks and comms. */
	rc = fchmod(fd, 0600) < 0 ? -errno : 0;
	if (rc == 0)
		rc = write_all(fd, doc, strlen(doc));
	if (rc == 0)
		rc = write_all(fd, "\n", 1);
	free(doc);
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc < 0) {
		unlink(tmp);
		return fail(-rc, err, errlen, "to", dir);
	}
	return 0;
}

/* Rename tmp to the first free ttytop-HOST-STAMP[-N].json; tmp is gone after. */
static int publish(const char *tmp, const char *dir, const char *host, const char *stamp,
                   char *final, size_t finallen, char *err, size_t errlen)
{
	int i, n, rc = 0;

	for (i = 0; i < MAX_SUFFIX; i++) {
		if (i == 0)
			n = snprintf(final, finallen, "%s/ttytop-%s-%s.json", dir, host, stamp);
		else
			n = snprintf(final, finallen, "%s/ttytop-%s-%s-%d.json", dir, host, stamp,
			             i);
		if (n < 0 || (size_t)n >= finallen) {
			unlink(tmp);
			return fail(ENAMETOOLONG, err, errlen, "to", dir);
		}
		rc = rename_noreplace(tmp, final);
		if (rc != -EEXIST)
			break;
	}
	if (rc < 0) {
		unlink(tmp);
		return fail(-rc, err, errlen, "as", final);
	}
	return 0;
}

/* Without this the rename itself may not survive a crash. */
static int sync_dir(const char *dir, const char *final, char *err, size_t errlen)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (dfd < 0 || (fsync(dfd) < 0 && errno != EINVAL)) {
		rc = errno;
		if (dfd >= 0)
			close(dfd);
		rc = rc > 0 ? rc : EIO;
		if (err && errlen)
			snprintf(err, errlen, "saved %s but could not sync %s: %s", final, dir,
			         strerror(rc));
		return -rc;
	}
	close(dfd);
	return 0;
}

int tt_snapshot_save(const struct tt_model *m, const char *dir, char *path, size_t pathlen,
                     char *err, size_t errlen)
{
	char tmp[PATH_MAX], final[PATH_MAX], host[72], stamp[32];
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!dir || !dir[0])
		dir = ".";
	snapshot_stamp(m, stamp, sizeof(stamp));
	sanitize_host(m->host.hostname, host, sizeof(host));

	rc = write_temp(m, dir, tmp, sizeof(tmp), err, errlen);
	if (rc == 0)
		rc = publish(tmp, dir, host, stamp, final, sizeof(final), err, errlen);
	if (rc == 0)
		rc = sync_dir(dir, final, err, errlen);
	if (rc < 0)
		return rc;

	if (path && pathlen)
		snprintf(path, pathlen, "%s", final);
	return 0;
}

int tt_snapshot_start(const struct tt_model *m, const char *dir, struct tt_snapshot_job *job,
		      char *err, size_t errlen)
{
	int pfd[2];
	pid_t pid;

	job->pid = 0;
	job->fd = -1;
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "cannot save snapshot: %s", strerror(errno));
		return -errno;
	}
	pid = fork();
	if (pid < 0) {
		int e = errno;

		close(pfd[0]);
		close(pfd[1]);
		snprintf(err, errlen, "cannot save snapshot: %s", strerror(e));
		return -e;
	}
	if (pid == 0) {
		char path[PATH_MAX], msg[512], line[PATH_MAX + 600];
		int rc, n;

		close(pfd[0]);
		rc = tt_snapshot_save(m, dir, path, sizeof(path), msg, sizeof(msg));
		n = snprintf(line, sizeof(line), "%d %s\n", rc, rc < 0 ? msg : path);
		if (n > 0 && write(pfd[1], line, (size_t)n) < 0)
			_exit(2);
		_exit(0); /* no atexit handlers: the parent owns the screen and BPF */
	}
	close(pfd[1]);
	job->pid = pid;
	job->fd = pfd[0];
	return 0;
}

int tt_snapshot_finish(struct tt_snapshot_job *job, bool wait, int *rc, char *path,
		       size_t pathlen, char *err, size_t errlen)
{
	char buf[PATH_MAX + 600];
	struct pollfd p = {.fd = job->fd, .events = POLLIN};
	size_t got = 0;
	char *sp;
	int st;

	if (!job->pid)
		return 0;
	if (!wait && poll(&p, 1, 0) <= 0)
		return 0;
	/* the report is one short line followed by EOF */
	for (;;) {
		ssize_t n = read(job->fd, buf + got, sizeof(buf) - 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
		if (got == sizeof(buf) - 1)
			break;
	}
	buf[got] = 0;
	close(job->fd);
	while (waitpid(job->pid, &st, 0) < 0 && errno == EINTR)
		;
	job->pid = 0;
	job->fd = -1;
	sp = strchr(buf, ' ');
	if (!got || !sp || buf[got - 1] != '\n') {
		*rc = -EIO;
		snprintf(err, errlen, "cannot save snapshot: the saving process died");
		return 1;
	}
	buf[got - 1] = 0;
	*sp = 0;
	*rc = atoi(buf);
	if (*rc < 0)
		snprintf(err, errlen, "%s", sp + 1);
	else
		snprintf(path, pathlen, "%s", sp + 1);
	return 1;
}
