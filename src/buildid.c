// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Build-ids come from other users' files: every header is bounds-checked and
 * at most a few KiB of notes are read per file.
 */
#include "buildid.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"

#define NOTES_MAX 4096
#define PHDRS_MAX 64
#define RESCAN_NS (60ull * 1000 * 1000 * 1000)
/*
 * A scan stops after this long: it runs on the event loop, and reading every
 * library's notes over 9p in an emulated guest took longer than ttytop may
 * stall (the libraries ttytop maps itself are indexed up front, symbolize.c).
 */
#define SCAN_TIME_NS (1000ull * 1000 * 1000)

/* The GNU build-id note in buf[0..len), zero-padded into id. */
static int note_build_id(const uint8_t *buf, size_t len, uint8_t id[TT_BUILD_ID_LEN])
{
	size_t p = 0;

	while (p + sizeof(Elf64_Nhdr) <= len) {
		Elf64_Nhdr nh;
		size_t name, desc;

		memcpy(&nh, buf + p, sizeof(nh));
		name = (nh.n_namesz + 3u) & ~3u;
		desc = (nh.n_descsz + 3u) & ~3u;
		if (nh.n_namesz > len || nh.n_descsz > len || name + desc > len - p - sizeof(nh))
			return -ENOENT;
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
		    !memcmp(buf + p + sizeof(nh), "GNU", 4) && nh.n_descsz > 0 &&
		    nh.n_descsz <= TT_BUILD_ID_LEN) {
			memset(id, 0, TT_BUILD_ID_LEN);
			memcpy(id, buf + p + sizeof(nh) + name, nh.n_descsz);
			return 0;
		}
		p += sizeof(nh) + name + desc;
	}
	return -ENOENT;
}

int tt_buildid_of_fd(int fd, uint8_t id[TT_BUILD_ID_LEN])
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph[PHDRS_MAX];
	uint8_t notes[NOTES_MAX];
	size_t nph;

	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr))
		return -ENOENT;
	nph = eh.e_phnum < PHDRS_MAX ? eh.e_phnum : PHDRS_MAX;
	if (pread(fd, ph, nph * sizeof(ph[0]), (off_t)eh.e_phoff) != (ssize_t)(nph * sizeof(ph[0])))
		return -ENOENT;
	for (size_t i = 0; i < nph; i++) {
		size_t len = ph[i].p_filesz < NOTES_MAX ? ph[i].p_filesz : NOTES_MAX;
		ssize_t got;

		if (ph[i].p_type != PT_NOTE || ph[i].p_offset > INT64_MAX)
			continue;
		got = pread(fd, notes, len, (off_t)ph[i].p_offset);
		if (got > 0 && !note_build_id(notes, (size_t)got, id))
			return 0;
	}
	return -ENOENT;
}

void tt_buildid_note(struct tt_buildid_index *x, const uint8_t id[TT_BUILD_ID_LEN],
                     const char *path)
{
	int i;

	if (strlen(path) >= TT_BUILDID_PATH_LEN)
		return;
	for (i = 0; i < x->n; i++)
		if (!memcmp(x->e[i].id, id, TT_BUILD_ID_LEN))
			break;
	if (i == x->n) {
		if (x->n < TT_BUILDID_SLOTS) {
			i = x->n++;
		} else {
			i = x->next;
			x->next = (x->next + 1) % TT_BUILDID_SLOTS;
		}
	}
	memcpy(x->e[i].id, id, TT_BUILD_ID_LEN);
	snprintf(x->e[i].path, sizeof(x->e[i].path), "%s", path);
}

/* path opened when it still has build-id id; else -1. */
static int open_if_id(const char *path, const uint8_t id[TT_BUILD_ID_LEN])
{
	uint8_t got[TT_BUILD_ID_LEN];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return -1;
	if (tt_buildid_of_fd(fd, got) || memcmp(got, id, TT_BUILD_ID_LEN)) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool shared_object(const struct dirent *d)
{
	return (d->d_type == DT_REG || d->d_type == DT_UNKNOWN) && strstr(d->d_name, ".so");
}

/*
 * Index the build-ids of the shared objects in dir until want is found (more
 * libraries than slots would replace it again); the count of files read.
 */
static int scan_dir(struct tt_buildid_index *x, const char *dir, int budget, uint64_t until,
                    const uint8_t *want, bool *found)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while (!*found && n < budget && tt_mono_ns() < until && (de = readdir(d))) {
		char path[TT_BUILDID_PATH_LEN];
		uint8_t id[TT_BUILD_ID_LEN];
		int fd;

		if (!shared_object(de) ||
		    snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd < 0)
			continue;
		n++;
		if (!tt_buildid_of_fd(fd, id)) {
			tt_buildid_note(x, id, path);
			*found = !memcmp(id, want, TT_BUILD_ID_LEN);
		}
		close(fd);
	}
	closedir(d);
	return n;
}

/* True when want was found, the scan cut short there; stops at until. */
static bool scan_libs(struct tt_buildid_index *x, const uint8_t *want, uint64_t until)
{
	static const char *const dirs[] = {"/lib/x86_64-linux-gnu",
	                                   "/usr/lib/x86_64-linux-gnu",
	                                   "/lib/aarch64-linux-gnu",
	                                   "/usr/lib/aarch64-linux-gnu",
	                                   "/lib64",
	                                   "/usr/lib64",
	                                   "/lib",
	                                   "/usr/lib",
	                                   "/usr/local/lib"};
	int budget = TT_BUILDID_SCAN_MAX;
	bool found = false;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && budget > 0 && !found; i++)
		budget -= scan_dir(x, dirs[i], budget, until, want, &found);
	return found;
}

static int lookup(struct tt_buildid_index *x, const uint8_t id[TT_BUILD_ID_LEN],
                  const char **path_out)
{
	for (int i = 0; i < x->n; i++) {
		int fd;

		if (memcmp(x->e[i].id, id, TT_BUILD_ID_LEN))
			continue;
		fd = open_if_id(x->e[i].path, id);
		if (fd >= 0)
			*path_out = x->e[i].path;
		return fd;
	}
	return -1;
}

int tt_buildid_open(struct tt_buildid_index *x, const uint8_t id[TT_BUILD_ID_LEN],
                    const char **path_out)
{
	uint64_t now = tt_mono_ns();
	int fd = lookup(x, id, path_out);

	if (fd >= 0)
		return fd;
	/*
	 * Each missing build-id may start a scan, but a burst of new processes
	 * with several libraries each must not stall the event loop: in a guest
	 * over 9p, one-second scans one after another held it 7 s.
	 */
	if (!x->window_ns || now - x->window_ns >= RESCAN_NS) {
		x->window_ns = now;
		x->spent_ns = 0;
	}
	if (x->spent_ns >= SCAN_TIME_NS)
		return -ENOENT;
	scan_libs(x, id, now + (SCAN_TIME_NS - x->spent_ns));
	x->spent_ns += tt_mono_ns() - now;
	fd = lookup(x, id, path_out);
	return fd >= 0 ? fd : -ENOENT;
}
