// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "procseen.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

uint64_t tt_parse_stat_start(const char *line)
{
	/* comm may hold spaces and parentheses: the fields start after the last ')' */
	const char *p = strrchr(line, ')');
	char *end;
	uint64_t v;

	if (!p)
		return 0;
	p++;
	for (int field = 3; field <= 22; field++) {
		while (*p == ' ')
			p++;
		if (!*p)
			return 0;
		if (field == 22) {
			v = strtoull(p, &end, 10);
			return end != p && (*end == ' ' || *end == '\n' || !*end) ? v : 0;
		}
		while (*p && *p != ' ')
			p++;
	}
	return 0;
}

uint64_t tt_proc_start_time(pid_t pid)
{
	char path[32], buf[1024];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	return tt_parse_stat_start(buf);
}

bool tt_procseen_check(struct tt_procseen *s, uint32_t pid, uint64_t start, const char *comm)
{
	uint32_t i = (pid * 2654435761u) % TT_PROCSEEN_SLOTS;
	char c[sizeof(s->e[0].comm)] = {0};

	if (!start)
		return false;
	strncpy(c, comm, sizeof(c) - 1);
	if (s->e[i].pid == pid && s->e[i].start == start && !memcmp(s->e[i].comm, c, sizeof(c)))
		return true;
	s->e[i].pid = pid;
	s->e[i].start = start;
	memcpy(s->e[i].comm, c, sizeof(c));
	return false;
}
