/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Snapshot saving: atomic, private, named predictably, nothing left behind on error. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "helpers.h"

#include "json.h"
#include "snapshot.h"

struct fx {
	char dir[64];
	struct tt_model *m, *r;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/tt-snap-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	f->m = tt_model_new();
	f->r = tt_model_new();
	if (!f->m || !f->r)
		return -1;
	snprintf(f->m->host.hostname, sizeof(f->m->host.hostname), "web-01");
	f->m->now_realtime_ns = 1764133359123000000ull; /* 2025-11-26T05:02:39.123Z */
	f->m->start_realtime_ns = f->m->now_realtime_ns - 1000000000ull;
	struct tt_terminal *t = tt_model_terminal(f->m, 136u << 20 | 4);
	snprintf(t->name, sizeof(t->name), "pts/4");
	t->class = TT_CLASS_PTY;
	t->writes = 42;
	*state = f;
	return 0;
}

/* Remove whatever a test left; also proves which files existed. */
static int count_entries(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	DIR *d = opendir(f->dir);
	struct dirent *de;
	char p[512];

	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.' && (!de->d_name[1] || !strcmp(de->d_name, "..")))
			continue;
		snprintf(p, sizeof(p), "%s/%s", f->dir, de->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(f->dir);
	tt_model_delete(f->m);
	tt_model_delete(f->r);
	free(f);
	return 0;
}

static void test_save_and_reload(void **state)
{
	struct fx *f = *state;
	char path[4096], err[256], want[256];
	struct stat st;

	if (tt_snapshot_save(f->m, f->dir, path, sizeof(path), err, sizeof(err)) != 0)
		fail_msg("save: %s", err);
	snprintf(want, sizeof(want), "%s/ttytop-web-01-20251126T050239Z.json", f->dir);
	assert_string_equal(path, want);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	/* no temporary left */
	assert_int_equal(count_entries(f->dir, ".ttytop-"), 0);
	/* content is a ttytop/1 document that loads back */
	if (tt_json_load_file(path, f->r, err, sizeof(err)) != 0)
		fail_msg("load: %s", err);
	assert_int_equal(f->r->nterminals, 1);
	assert_string_equal(f->r->terminals[0].name, "pts/4");
	assert_int_equal(f->r->terminals[0].writes, 42);
	assert_string_equal(f->r->host.hostname, "web-01");
	assert_true(f->r->replay);
	/* pretty, not one line */
	FILE *fp = fopen(path, "r");
	int lines = 0, c;
	while ((c = fgetc(fp)) != EOF)
		lines += c == '\n';
	fclose(fp);
	assert_true(lines > 10);
}

static void test_same_second_suffix(void **state)
{
	struct fx *f = *state;
	char p1[4096], p2[4096], p3[4096], err[256];

	assert_int_equal(tt_snapshot_save(f->m, f->dir, p1, sizeof(p1), err, sizeof(err)), 0);
	assert_int_equal(tt_snapshot_save(f->m, f->dir, p2, sizeof(p2), err, sizeof(err)), 0);
	assert_int_equal(tt_snapshot_save(f->m, f->dir, p3, sizeof(p3), err, sizeof(err)), 0);
	assert_string_not_equal(p1, p2);
	assert_non_null(strstr(p2, "Z-1.json"));
	assert_non_null(strstr(p3, "Z-2.json"));
	assert_int_equal(count_entries(f->dir, "ttytop-web-01-"), 3);
	assert_int_equal(count_entries(f->dir, ".ttytop-"), 0);
}

static void test_hostname_sanitized(void **state)
{
	struct fx *f = *state;
	char path[4096], err[256];

	snprintf(f->m->host.hostname, sizeof(f->m->host.hostname), "../../etc/x y");
	assert_int_equal(tt_snapshot_save(f->m, f->dir, path, sizeof(path), err, sizeof(err)), 0);
	/* stays in dir, no slash in the name */
	assert_true(strncmp(path, f->dir, strlen(f->dir)) == 0);
	assert_null(strchr(path + strlen(f->dir) + 1, '/'));
	assert_non_null(strstr(path, "ttytop-_._.._etc_x_y-"));

	f->m->host.hostname[0] = '\0';
	assert_int_equal(tt_snapshot_save(f->m, f->dir, path, sizeof(path), err, sizeof(err)), 0);
	assert_non_null(strstr(path, "ttytop-unknown-"));
}

static void test_missing_dir_error(void **state)
{
	struct fx *f = *state;
	char path[4096] = "untouched", err[256], bad[256];
	int rc;

	/* Tests run as root, which ignores mode bits: use a directory that does not exist. */
	snprintf(bad, sizeof(bad), "%s/no/such/dir", f->dir);
	rc = tt_snapshot_save(f->m, bad, path, sizeof(path), err, sizeof(err));
	assert_int_equal(rc, -ENOENT);
	assert_string_equal(path, "untouched");
	assert_non_null(strstr(err, "cannot save snapshot to "));
	assert_non_null(strstr(err, bad));
	assert_non_null(strstr(err, strerror(ENOENT)));
	assert_null(strchr(err, '\n'));
}

static void test_file_as_dir_error(void **state)
{
	struct fx *f = *state;
	char path[4096], err[256], file[256];
	int fd;

	snprintf(file, sizeof(file), "%s/plainfile", f->dir);
	fd = open(file, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(tt_snapshot_save(f->m, file, path, sizeof(path), err, sizeof(err)),
	                 -ENOTDIR);
	assert_non_null(strstr(err, strerror(ENOTDIR)));
	/* nothing but the plain file in the directory */
	assert_int_equal(count_entries(f->dir, ".ttytop-"), 0);
	assert_int_equal(count_entries(f->dir, "ttytop-"), 0);
}

static void test_readonly_fs_error(void **state)
{
	struct fx *f = *state;
	char path[4096], err[256];
	int rc;

	(void)f;
	/* /proc is read-only for file creation even for root */
	rc = tt_snapshot_save(f->m, "/proc", path, sizeof(path), err, sizeof(err));
	assert_true(rc < 0);
	assert_non_null(strstr(err, "cannot save snapshot to /proc: "));
}

/* A failure after the temporary exists (here: the write) must remove it. */
static void test_write_failure_leaves_nothing(void **state)
{
	struct fx *f = *state;
	char path[4096] = "untouched", err[256];
	struct rlimit old, small;
	int rc;

	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small = old;
	small.rlim_cur = 64; /* bytes: the document is far bigger */
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	rc = tt_snapshot_save(f->m, f->dir, path, sizeof(path), err, sizeof(err));
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	assert_int_equal(rc, -EFBIG);
	assert_string_equal(path, "untouched");
	assert_non_null(strstr(err, f->dir));
	assert_non_null(strstr(err, strerror(EFBIG)));
	assert_int_equal(count_entries(f->dir, ".ttytop-"), 0);
	assert_int_equal(count_entries(f->dir, "ttytop-"), 0);
}

static void test_default_dir(void **state)
{
	struct fx *f = *state;
	char path[4096], err[256], cwd[4096];

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(f->dir), 0);
	assert_int_equal(tt_snapshot_save(f->m, "", path, sizeof(path), err, sizeof(err)), 0);
	assert_int_equal(chdir(cwd), 0);
	assert_true(strncmp(path, "./ttytop-web-01-", 16) == 0);
	assert_int_equal(count_entries(f->dir, "ttytop-web-01-"), 1);
}

/* The dashboard's way: a child saves while the caller goes on. */
static void test_background_save(void **state)
{
	struct fx *f = *state;
	struct tt_snapshot_job job;
	char path[4096] = "", err[256] = "", bad[256];
	int rc = 1, polls = 0;

	assert_int_equal(tt_snapshot_start(f->m, f->dir, &job, err, sizeof(err)), 0);
	assert_true(job.pid > 0);
	/* the model can change right away: the child saves the state at start */
	f->m->terminals[0].writes = 999;
	while (!tt_snapshot_finish(&job, false, &rc, path, sizeof(path), err, sizeof(err))) {
		assert_true(++polls < 5000);
		usleep(1000);
	}
	assert_int_equal(job.pid, 0);
	assert_int_equal(rc, 0);
	if (tt_json_load_file(path, f->r, err, sizeof(err)) != 0)
		fail_msg("load: %s", err);
	assert_int_equal(f->r->terminals[0].writes, 42);

	/* an error comes back as the message the synchronous save gives */
	snprintf(bad, sizeof(bad), "%s/no/such/dir", f->dir);
	assert_int_equal(tt_snapshot_start(f->m, bad, &job, err, sizeof(err)), 0);
	assert_int_equal(tt_snapshot_finish(&job, true, &rc, path, sizeof(path), err, sizeof(err)),
	                 1);
	assert_int_equal(rc, -ENOENT);
	assert_non_null(strstr(err, "cannot save snapshot to "));

	/* no job: nothing to report */
	assert_int_equal(tt_snapshot_finish(&job, true, &rc, path, sizeof(path), err, sizeof(err)),
	                 0);
}

/* A saver that dies is reported, not waited for forever. */
static void test_background_save_child_dies(void **state)
{
	struct fx *f = *state;
	struct tt_snapshot_job job;
	char path[4096], err[256];
	int rc;

	assert_int_equal(tt_snapshot_start(f->m, f->dir, &job, err, sizeof(err)), 0);
	kill(job.pid, SIGKILL);
	assert_int_equal(tt_snapshot_finish(&job, true, &rc, path, sizeof(path), err, sizeof(err)),
	                 1);
	/* killed before it reported (the usual case) or just after: both are fine answers */
	if (rc < 0)
		assert_non_null(strstr(err, "died"));
	assert_int_equal(job.pid, 0);
}

int main(void)
{
#define T(x) cmocka_unit_test_setup_teardown(x, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_save_and_reload),
	    T(test_same_second_suffix),
	    T(test_hostname_sanitized),
	    T(test_missing_dir_error),
	    T(test_file_as_dir_error),
	    T(test_readonly_fs_error),
	    T(test_write_failure_leaves_nothing),
	    T(test_default_dir),
	    T(test_background_save),
	    T(test_background_save_child_dies),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
