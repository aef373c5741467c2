// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What several unit tests need alike: where the built fixtures are (make
 * fixtures, or $TTYTOP_FIXTURES), a fixture's symbol table, and a model set
 * up as the program sets it up. Included after <cmocka.h>.
 */
#ifndef TTYTOP_TEST_HELPERS_H
#define TTYTOP_TEST_HELPERS_H

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "elfsym.h"
#include "model.h"

/* buf = the fixture's path: name may hold a directory ("arm64/marquee"). */
static inline const char *tt_fixture(const char *name, char *buf, size_t len)
{
	const char *dir = getenv("TTYTOP_FIXTURES");

	snprintf(buf, len, "%s/%s", dir && *dir ? dir : "tests/fixtures/bin", name);
	return buf;
}

/* Whether the fixture is there to read; if not, the SKIP line says how to build it. */
static inline bool tt_have_fixture(const char *name, char *p, size_t len, const char *how)
{
	tt_fixture(name, p, len);
	if (access(p, R_OK) != 0) {
		printf("SKIP: fixture %s missing (%s)\n", p, how);
		return false;
	}
	return true;
}

static inline bool tt_ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* The symbol table of the file at p; NULL when it cannot be opened. */
static inline struct tt_elfsyms *tt_load_syms_path(const char *p)
{
	struct tt_elfsyms *es = NULL;
	int fd = open(p, O_RDONLY);

	if (fd < 0)
		return NULL;
	int r = tt_elfsyms_load_fd(fd, &es);
	close(fd);
	assert_int_equal(r, 0);
	return es;
}

/* A fixture's symbol table; NULL (with a SKIP line) when it is not built. */
static inline struct tt_elfsyms *tt_load_syms(const char *name)
{
	char p[512];
	struct tt_elfsyms *es = tt_load_syms_path(tt_fixture(name, p, sizeof(p)));

	if (!es)
		printf("SKIP: fixture %s missing (run make fixtures)\n", p);
	return es;
}

/* Start path with argv, its stdout and stderr on /dev/null; the child's pid. */
static inline pid_t tt_spawn_quiet(const char *path, char *const argv[])
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		dup2(fd, 2);
		execv(path, argv);
		_exit(127);
	}
	return pid;
}

/* A model on the heap, initialised; NULL when either step fails. */
static inline struct tt_model *tt_model_new(void)
{
	struct tt_model *m = calloc(1, sizeof(*m));

	if (m && tt_model_init(m) != 0) {
		free(m);
		return NULL;
	}
	return m;
}

static inline void tt_model_delete(struct tt_model *m)
{
	if (!m)
		return;
	tt_model_free(m);
	free(m);
}

#endif
