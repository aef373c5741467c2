// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * /proc/PID/maps parser. The path field is the rest of the line and may hold
 * spaces (and, for a hostile file name, anything but a newline, which the
 * kernel escapes as \012), so it is taken verbatim after the inode column.
 */
#include "procmaps.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAPS_READ_MAX (8u << 20) /* a process with more maps text is cut here */

static bool parse_hex(const char **p, const char *end, uint64_t *v)
{
	uint64_t r = 0;
	int n = 0;

	while (*p < end && n < 17) {
		char c = **p;
		int d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			break;
		if (n == 16)
			return false; /* more than 64 bits */
		r = r << 4 | (uint64_t)d;
		(*p)++;
		n++;
	}
	*v = r;
	return n > 0;
}

static bool parse_dec(const char **p, const char *end, uint64_t *v)
{
	uint64_t r = 0;
	int n = 0;

	while (*p < end && **p >= '0' && **p <= '9') {
		uint64_t d = (uint64_t)(**p - '0');
		if (r > (UINT64_MAX - d) / 10)
			return false;
		r = r * 10 + d;
		(*p)++;
		n++;
	}
	*v = r;
	return n > 0;
}

static bool expect(const char **p, const char *end, char c)
{
	if (*p >= end || **p != c)
		return false;
	(*p)++;
	return true;
}

static void skip_spaces(const char **p, const char *end)
{
	while (*p < end && **p == ' ')
		(*p)++;
}

static bool parse_line(const char *p, const char *end, struct tt_map *m)
{
	uint64_t maj, min;

	memset(m, 0, sizeof(*m));
	if (!parse_hex(&p, end, &m->start) || !expect(&p, end, '-') ||
	    !parse_hex(&p, end, &m->end) || !expect(&p, end, ' ') || m->end <= m->start)
		return false;
	if (end - p < 5)
		return false;
	for (int i = 0; i < 4; i++) {
		if (!p[i] || !strchr("rwxps-", p[i])) /* strchr finds the NUL too */
			return false;
		m->perms[i] = p[i];
	}
	p += 4;
	if (!expect(&p, end, ' ') || !parse_hex(&p, end, &m->off) || !expect(&p, end, ' ') ||
	    !parse_hex(&p, end, &maj) || !expect(&p, end, ':') || !parse_hex(&p, end, &min) ||
	    !expect(&p, end, ' ') || !parse_dec(&p, end, &m->inode))
		return false;
	m->dev_major = (uint32_t)maj;
	m->dev_minor = (uint32_t)min;
	if (p < end && *p != ' ')
		return false;
	skip_spaces(&p, end);
	size_t plen = (size_t)(end - p);
	static const char del[] = " (deleted)";
	if (plen >= sizeof(del) - 1 && memcmp(end - (sizeof(del) - 1), del, sizeof(del) - 1) == 0) {
		m->deleted = true;
		plen -= sizeof(del) - 1;
	}
	if (plen >= sizeof(m->path)) {
		m->path_truncated = true;
		plen = sizeof(m->path) - 1;
	}
	memcpy(m->path, p, plen);
	m->path[plen] = 0;
	if (memchr(m->path, 0, plen)) /* an embedded NUL: not a real maps line */
		return false;
	return true;
}

int tt_procmaps_parse(const char *text, size_t len, struct tt_map *out, int max, bool exec_only)
{
	const char *p = text, *end = text + len;
	int n = 0;

	if (!text || !out || max <= 0)
		return 0;
	uint64_t prev_end = 0;
	while (p < end && n < max) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		/*
		 * The kernel lists mappings sorted and disjoint, which is what
		 * tt_procmaps_find()'s binary search needs; a line breaking that
		 * order is not believed (checked before the exec filter so that
		 * a dropped line never lets a later one overlap it).
		 */
		if (parse_line(p, le, &out[n]) && out[n].start >= prev_end) {
			prev_end = out[n].end;
			if (!exec_only || out[n].perms[2] == 'x')
				n++;
		}
		p = nl ? nl + 1 : end;
	}
	return n;
}

int tt_procmaps_read_fd(int fd, struct tt_map *out, int max, bool exec_only)
{
	size_t cap = 64 * 1024, len = 0;
	char *buf;
	int n;

	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (len == cap) {
			if (cap >= MAPS_READ_MAX)
				break;
			char *nb = realloc(buf, cap * 2);
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + len, cap - len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			n = errno == ESRCH ? -ESRCH : -errno;
			free(buf);
			return n;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len == cap) {
		/* cut at the cap: the last line may be partial (a cut path names
		 * another file), so parse whole lines only */
		const char *nl = memrchr(buf, '\n', len);
		len = nl ? (size_t)(nl - buf) + 1 : 0;
	}
	n = tt_procmaps_parse(buf, len, out, max, exec_only);
	free(buf);
	return n;
}

int tt_procmaps_read(pid_t pid, struct tt_map *out, int max, bool exec_only)
{
	char path[64];
	int fd, n;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	n = tt_procmaps_read_fd(fd, out, max, exec_only);
	close(fd);
	return n;
}

const struct tt_map *tt_procmaps_find(const struct tt_map *maps, int n, uint64_t addr)
{
	int lo = 0, hi = n;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (addr < maps[mid].start)
			hi = mid;
		else if (addr >= maps[mid].end)
			lo = mid + 1;
		else
			return &maps[mid];
	}
	return NULL;
}
