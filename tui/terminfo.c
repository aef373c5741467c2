// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Terminal descriptions for a machine with no terminfo database. The dist
 * binary links ncurses statically, and ncurses only reads entries from files:
 * on a busybox system or a slim container there are none, and the dashboard
 * could not start on any terminal. The common terminals' compiled entries are
 * built in (build/terminfo.h, from the build machine's ncurses-base); only when
 * ncurses cannot find $TERM is the one entry written into a private directory
 * that TERMINFO names, until ncurses has read it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ui.h"

struct tt_builtin_terminfo {
	const char *name;
	const unsigned char *data;
	size_t len;
};

#include "terminfo.h"

#define NBUILTIN (sizeof(tt_builtin_terminfo) / sizeof(tt_builtin_terminfo[0]))

static struct {
	bool active;
	bool atexit_done;
	char dir[PATH_MAX];
	char sub[PATH_MAX];
	char file[PATH_MAX];
	char *old_terminfo; /* the caller's TERMINFO, restored on release */
	bool had_terminfo;
} ti;

static const struct tt_builtin_terminfo *find(const char *term)
{
	size_t i;

	for (i = 0; i < NBUILTIN; i++)
		if (!strcmp(tt_builtin_terminfo[i].name, term))
			return &tt_builtin_terminfo[i];
	return NULL;
}

const char *tt_terminfo_builtin_names(char *buf, size_t len)
{
	size_t i, off = 0;
	int n;

	if (!len)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < NBUILTIN; i++) {
		n = snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
		             tt_builtin_terminfo[i].name);
		if (n < 0 || (size_t)n >= len - off)
			break;
		off += (size_t)n;
	}
	return buf;
}

static int mkdir_private(void)
{
	const char *bases[] = {getenv("TMPDIR"), "/tmp", "/dev/shm", "/run"};
	size_t i;
	int n;

	for (i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		if (!bases[i] || bases[i][0] != '/')
			continue;
		n = snprintf(ti.dir, sizeof(ti.dir), "%s/ttytop-terminfo.XXXXXX", bases[i]);
		if (n < 0 || (size_t)n >= sizeof(ti.dir))
			continue;
		if (mkdtemp(ti.dir)) /* 0700: no other user can swap the entry */
			return 0;
	}
	ti.dir[0] = '\0';
	return -1;
}

static int write_all(int fd, const unsigned char *p, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

void tt_terminfo_release(void)
{
	if (!ti.active)
		return;
	if (ti.file[0])
		unlink(ti.file);
	if (ti.sub[0])
		rmdir(ti.sub);
	rmdir(ti.dir);
	ti.file[0] = ti.sub[0] = ti.dir[0] = '\0';
	if (ti.had_terminfo)
		setenv("TERMINFO", ti.old_terminfo, 1);
	else
		unsetenv("TERMINFO");
	free(ti.old_terminfo);
	ti.old_terminfo = NULL;
	ti.active = false;
}

int tt_terminfo_fallback(const char *term)
{
	const struct tt_builtin_terminfo *e = term ? find(term) : NULL;
	const char *old;
	int fd, n;

	if (!e)
		return -1;
	tt_terminfo_release();
	if (mkdir_private() < 0)
		return -1;
	ti.active = true;
	old = getenv("TERMINFO");
	ti.had_terminfo = old != NULL;
	ti.old_terminfo = old ? strdup(old) : NULL;
	if (old && !ti.old_terminfo)
		goto fail;
	/* ncurses' directory tree: the entry's first character, then its name */
	n = snprintf(ti.sub, sizeof(ti.sub), "%s/%c", ti.dir, term[0]);
	if (n < 0 || (size_t)n >= sizeof(ti.sub) || mkdir(ti.sub, 0700) < 0) {
		ti.sub[0] = '\0';
		goto fail;
	}
	n = snprintf(ti.file, sizeof(ti.file), "%s/%s", ti.sub, term);
	if (n < 0 || (size_t)n >= sizeof(ti.file)) {
		ti.file[0] = '\0';
		goto fail;
	}
	fd = open(ti.file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		ti.file[0] = '\0';
		goto fail;
	}
	if (write_all(fd, e->data, e->len) < 0) {
		close(fd);
		goto fail;
	}
	if (close(fd) < 0 || setenv("TERMINFO", ti.dir, 1) < 0)
		goto fail;
	/* an exit between here and the dashboard's start must not leave the directory */
	if (!ti.atexit_done && atexit(tt_terminfo_release) == 0)
		ti.atexit_done = true;
	return 0;
fail:
	tt_terminfo_release();
	return -1;
}
