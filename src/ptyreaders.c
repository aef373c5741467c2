// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ptyreaders.h"

void tt_ptyreaders_init(struct tt_ptyreaders *pr, const char *proc)
{
	memset(pr, 0, sizeof(*pr));
	pr->proc = proc ? proc : "/proc";
}

long tt_fdinfo_tty_index(const char *text, size_t len)
{
	static const char key[] = "tty-index:";
	size_t k = sizeof(key) - 1;

	for (size_t i = 0; i + k <= len; i++) {
		unsigned long v = 0;
		size_t j;

		if ((i && text[i - 1] != '\n') || memcmp(text + i, key, k))
			continue;
		for (j = i + k; j < len && (text[j] == ' ' || text[j] == '\t'); j++)
			;
		if (j >= len || !isdigit((unsigned char)text[j]))
			return -1;
		for (; j < len && isdigit((unsigned char)text[j]); j++) {
			v = v * 10 + (unsigned long)(text[j] - '0');
			if (v > 0xfffff) /* a 20-bit minor */
				return -1;
		}
		return (long)v;
	}
	return -1;
}

static struct tt_ptyreaders_entry *find(struct tt_ptyreaders *pr, uint32_t index)
{
	for (int i = 0; i < TT_PTYREADERS_CACHE; i++)
		if (pr->e[i].at_ns && pr->e[i].index == index)
			return &pr->e[i];
	return NULL;
}

static bool fresh(const struct tt_ptyreaders_entry *e, uint64_t now_ns)
{
	return e && e->at_ns && now_ns - e->at_ns < TT_PTYREADERS_TTL_NS;
}

/* A slot for index: its own, an empty one, or the oldest. */
static struct tt_ptyreaders_entry *slot(struct tt_ptyreaders *pr, uint32_t index)
{
	struct tt_ptyreaders_entry *e = find(pr, index), *old = &pr->e[0];

	if (e)
		return e;
	for (int i = 0; i < TT_PTYREADERS_CACHE; i++) {
		if (!pr->e[i].at_ns)
			return &pr->e[i];
		if (pr->e[i].at_ns < old->at_ns)
			old = &pr->e[i];
	}
	return old;
}

static ssize_t read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return n;
}

static void add_holder(struct tt_ptyreaders_entry *e, uint32_t pid, const char *proc,
                       const char *pidname)
{
	char path[64 + 256], comm[TT_COMM_LEN + 2];
	ssize_t n;

	for (int i = 0; i < e->n; i++)
		if (e->r[i].pid == pid)
			return;
	if (e->n >= TT_MODEL_MAX_READERS)
		return;
	snprintf(path, sizeof(path), "%s/%s/comm", proc, pidname);
	n = read_small(path, comm, sizeof(comm));
	if (n > 0 && comm[n - 1] == '\n')
		comm[--n] = 0;
	e->r[e->n].pid = pid;
	snprintf(e->r[e->n].comm, sizeof(e->r[e->n].comm), "%.*s", TT_COMM_LEN - 1,
	         n > 0 ? comm : "");
	e->n++;
}

/* One process's descriptors: its pty masters that somebody asked about. True if it holds any. */
static bool walk_pid(struct tt_ptyreaders *pr, const char *pidname,
                     struct tt_ptyreaders_entry **want, int nwant, long *budget)
{
	bool holds = false;
	char path[64 + 256], link[64], info[1024];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/%s/fd", pr->proc, pidname);
	dir = opendir(path);
	if (!dir)
		return false; /* gone, or a kernel thread */
	while ((d = readdir(dir)) && (*budget)-- > 0) {
		ssize_t n = readlinkat(dirfd(dir), d->d_name, link, sizeof(link) - 1);
		long idx;

		if (n <= 0)
			continue;
		link[n] = 0;
		if (strcmp(link, "/dev/ptmx") && strcmp(link, "/dev/pts/ptmx"))
			continue;
		holds = true;
		snprintf(path, sizeof(path), "%s/%s/fdinfo/%s", pr->proc, pidname, d->d_name);
		n = read_small(path, info, sizeof(info));
		idx = n > 0 ? tt_fdinfo_tty_index(info, (size_t)n) : -1;
		for (int i = 0; idx >= 0 && i < nwant; i++)
			if (want[i]->index == (uint32_t)idx)
				add_holder(want[i], (uint32_t)strtoul(pidname, NULL, 10), pr->proc,
				           pidname);
	}
	closedir(dir);
	return holds;
}

/* Every process; remembers those holding a pty master for the quick walks after. */
static void walk_all(struct tt_ptyreaders *pr, struct tt_ptyreaders_entry **want, int nwant,
                     uint64_t now_ns)
{
	long budget = TT_PTYREADERS_MAX_FDS;
	struct dirent *d;
	DIR *dir = opendir(pr->proc);

	pr->nholders = 0;
	if (!dir) {
		for (int i = 0; i < nwant; i++)
			want[i]->n = -1;
		return;
	}
	while ((d = readdir(dir)) && budget > 0)
		if (isdigit((unsigned char)d->d_name[0]) && strlen(d->d_name) < 16 &&
		    walk_pid(pr, d->d_name, want, nwant, &budget) &&
		    pr->nholders < TT_PTYREADERS_HOLDERS)
			pr->holders[pr->nholders++] = (uint32_t)strtoul(d->d_name, NULL, 10);
	closedir(dir);
	pr->holders_at = now_ns ? now_ns : 1;
}

/*
 * The processes that held pty masters at the last whole walk (the tmux
 * servers, sshd sessions, terminal emulators) are nearly always the ones
 * asked about: look at them alone, and walk everything only when one of the
 * ptys asked about is held by none of them, or that knowledge is old.
 */
static void walk(struct tt_ptyreaders *pr, struct tt_ptyreaders_entry **want, int nwant,
                 uint64_t now_ns)
{
	long budget = TT_PTYREADERS_MAX_FDS;
	char pidname[16];
	int kept = 0;

	if (!pr->holders_at || now_ns - pr->holders_at >= TT_PTYREADERS_HOLDERS_TTL_NS)
		goto all;
	for (int i = 0; i < pr->nholders; i++) {
		snprintf(pidname, sizeof(pidname), "%u", pr->holders[i]);
		if (walk_pid(pr, pidname, want, nwant, &budget))
			pr->holders[kept++] = pr->holders[i];
	}
	pr->nholders = kept;
	for (int i = 0; i < nwant; i++)
		if (want[i]->n == 0)
			goto all;
	return;
all:
	for (int i = 0; i < nwant; i++)
		want[i]->n = 0;
	walk_all(pr, want, nwant, now_ns);
}

int tt_ptyreaders_get(struct tt_ptyreaders *pr, const uint32_t *want, int nwant, uint32_t index,
                      uint64_t now_ns, struct tt_proc_ref *out, int max)
{
	struct tt_ptyreaders_entry *stale[TT_PTYREADERS_CACHE], *e;
	int n = 0;

	if (!fresh(find(pr, index), now_ns)) {
		/* index first, then the others asked about that are missing or old */
		for (int i = -1; i < nwant && n < TT_PTYREADERS_CACHE; i++) {
			uint32_t x = i < 0 ? index : want[i];

			e = slot(pr, x);
			if (e->index == x && fresh(e, now_ns))
				continue; /* fresh, or taken in this very call */
			e->index = x;
			e->at_ns = now_ns ? now_ns : 1;
			e->n = 0;
			stale[n++] = e;
		}
		walk(pr, stale, n, now_ns);
	}
	e = find(pr, index);
	if (!e || e->n < 0)
		return -1;
	n = e->n < max ? e->n : max;
	memcpy(out, e->r, (size_t)n * sizeof(*out));
	return n;
}
