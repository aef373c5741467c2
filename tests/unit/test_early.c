/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * First writes (early.c, buildid.c): the goroutine decoded from captured g
 * words, the executable's path rebuilt from the kernel's walk, build-ids read
 * from real and hostile ELF notes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <cmocka.h>

#include "buildid.h"
#include "early.h"

/* Go 1.23 amd64, no cgo: g at fs-8, goid at 160, m at 48, m.g0 0, m.gsignal 80. */
static const struct tt_go_proc go123 = {.tls_g_off = -8,
                                        .goid_off = 160,
                                        .g_m_off = 48,
                                        .m_g0_off = 0,
                                        .m_gsignal_off = 80,
                                        .m_curg_off = 192};

static void goroutine_words(struct tt_early *x, uint64_t g, uint64_t sp, int64_t goid)
{
	memset(x, 0, sizeof(*x));
	x->greg = g;
	x->sp = sp;
	x->flags = TT_EARLY_GWIN | TT_EARLY_MWIN | TT_EARLY_TLS;
	x->tlswin[TT_TLS_WIN_WORDS - 1] = g; /* fs-8 on x86-64 */
	x->gwin[0] = sp - 0x1000;            /* g.stack.lo */
	x->gwin[1] = sp + 0x1000;            /* g.stack.hi */
	x->gwin[6] = 0xc000100000;           /* g.m */
	x->gwin[160 / 8] = (uint64_t)goid;
	x->mwin[0] = 0xc000200000; /* m.g0: another g */
	x->mwin[80 / 8] = 0xc000300000;
}

static void test_goid_decoded(void **state)
{
	struct tt_early x;
	uint32_t fl = 0;

	(void)state;
	if (TT_TLS_WIN_BASE != -8 * TT_TLS_WIN_WORDS)
		skip(); /* the x86-64 layout below */
	goroutine_words(&x, 0xc000007000, 0xc000123400, 18);
	assert_int_equal(tt_early_goid(&go123, &x, &fl), 18);
	assert_true(fl & TT_EV_GOID);
	assert_true(fl & TT_EV_GOID_R14);
}

static void test_goid_refused(void **state)
{
	struct tt_early x;
	uint32_t fl = 0;

	(void)state;
	if (TT_TLS_WIN_BASE != -8 * TT_TLS_WIN_WORDS)
		skip();
	/* the syscall was not made on this g's stack: a stray register value */
	goroutine_words(&x, 0xc000007000, 0xc000123400, 18);
	x.gwin[1] = x.sp - 8;
	assert_int_equal(tt_early_goid(&go123, &x, &fl), -1);
	/* TLS and register disagree (C code of a cgo program) */
	goroutine_words(&x, 0xc000007000, 0xc000123400, 18);
	x.tlswin[TT_TLS_WIN_WORDS - 1] = 0xc000009000;
	assert_int_equal(tt_early_goid(&go123, &x, &fl), -1);
	/* on the thread's g0: the goroutine is m.curg, not captured */
	goroutine_words(&x, 0xc000007000, 0xc000123400, 0);
	x.mwin[0] = x.greg;
	assert_int_equal(tt_early_goid(&go123, &x, &fl), -1);
	/* g words not read */
	goroutine_words(&x, 0xc000007000, 0xc000123400, 18);
	x.flags &= ~TT_EARLY_GWIN;
	assert_int_equal(tt_early_goid(&go123, &x, &fl), -1);
	/* a layout whose goid lies past the words kept */
	goroutine_words(&x, 0xc000007000, 0xc000123400, 18);
	struct tt_go_proc far = go123;
	far.goid_off = 8 * TT_GWIN_WORDS;
	assert_int_equal(tt_early_goid(&far, &x, &fl), -1);
	assert_int_equal(fl, 0);
}

static void test_exe_path(void **state)
{
	struct tt_new_proc *r = calloc(1, sizeof(*r));
	char out[TT_EARLY_PATH_LEN];

	(void)state;
	r->exe.dev = 1;
	r->exe.nparts = 3;
	strcpy(r->exe.parts[0], "burst");
	strcpy(r->exe.parts[1], "bin");
	strcpy(r->exe.parts[2], "usr");
	assert_true(tt_early_exe_path(r, out, sizeof(out)));
	assert_string_equal(out, "/usr/bin/burst");
	/* too small a buffer, a component with '/', a truncated one, too deep */
	assert_false(tt_early_exe_path(r, out, 8));
	strcpy(r->exe.parts[1], "b/n");
	assert_false(tt_early_exe_path(r, out, sizeof(out)));
	memset(r->exe.parts[1], 'x', TT_EXE_PART_LEN);
	assert_false(tt_early_exe_path(r, out, sizeof(out)));
	strcpy(r->exe.parts[1], "bin");
	r->exe.nparts = TT_EXE_PARTS + 1;
	assert_false(tt_early_exe_path(r, out, sizeof(out)));
	r->exe.nparts = 0;
	assert_false(tt_early_exe_path(r, out, sizeof(out)));
	free(r);
}

/*
 * The kernel walks the path up to the mount namespace's root; ttytop may run
 * chrooted below it (a test VM's root is /new of the initramfs): a tail of the
 * path is the file, and only the very file that ran is taken.
 */
static void test_exe_below_root(void **state)
{
	struct tt_new_proc *r = calloc(1, sizeof(*r));
	struct tt_early_tab *t = calloc(1, sizeof(*t));
	char dir[] = "/tmp/tt_rootXXXXXX", path[64];
	Elf64_Ehdr eh = {0};
	struct stat st;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/prog", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0755);
	assert_true(fd >= 0);
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_type = ET_EXEC;
	eh.e_phentsize = sizeof(Elf64_Phdr);
	assert_int_equal(write(fd, &eh, sizeof(eh)), sizeof(eh));
	assert_int_equal(fstat(fd, &st), 0);
	close(fd);
	r->tgid = 0xfffffff0u; /* no such process: no /proc/PID/exe */
	r->exe.dev = (uint32_t)(major(st.st_dev) << TT_DEV_MINOR_BITS | minor(st.st_dev));
	r->exe.ino = st.st_ino;
	r->exe.size = (uint64_t)st.st_size;
	r->exe.nparts = 4;
	strcpy(r->exe.parts[0], "prog");
	strcpy(r->exe.parts[1], dir + 5);
	strcpy(r->exe.parts[2], "tmp");
	strcpy(r->exe.parts[3], "tt-no-such-root");
	tt_early_init(t);
	tt_early_proc(t, r, 0, NULL);
	assert_true(t->p[0].used && t->p[0].exe_fd >= 0 && t->p[0].bias_known);
	/* another inode at that path is not the program */
	r->exe.ino++;
	tt_early_proc(t, r, 0, NULL);
	assert_true(t->p[0].used && t->p[0].exe_fd < 0 && !t->p[0].bias_known);
	tt_early_free(t);
	unlink(path);
	rmdir(dir);
	free(t);
	free(r);
}

/* An ELF64 header, one PT_NOTE and a note body written to a temporary file. */
static int elf_with_note(const void *note, size_t len)
{
	char path[] = "/tmp/tt_bidXXXXXX";
	int fd = mkstemp(path);
	Elf64_Ehdr eh = {0};
	Elf64_Phdr ph = {0};

	assert_true(fd >= 0);
	unlink(path);
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_phoff = sizeof(eh);
	eh.e_phentsize = sizeof(ph);
	eh.e_phnum = 1;
	ph.p_type = PT_NOTE;
	ph.p_offset = sizeof(eh) + sizeof(ph);
	ph.p_filesz = len;
	assert_int_equal(write(fd, &eh, sizeof(eh)), sizeof(eh));
	assert_int_equal(write(fd, &ph, sizeof(ph)), sizeof(ph));
	assert_int_equal(write(fd, note, len), (ssize_t)len);
	return fd;
}

static void test_build_id_notes(void **state)
{
	struct {
		Elf64_Nhdr nh;
		char name[4];
		uint8_t desc[20];
	} n = {{4, 20, NT_GNU_BUILD_ID}, "GNU", {0}};
	uint8_t id[TT_BUILD_ID_LEN];
	int fd;

	(void)state;
	for (int i = 0; i < 20; i++)
		n.desc[i] = (uint8_t)(i + 1);
	fd = elf_with_note(&n, sizeof(n));
	assert_int_equal(tt_buildid_of_fd(fd, id), 0);
	assert_memory_equal(id, n.desc, 20);
	close(fd);
	/* a descriptor size that runs past the note segment */
	n.nh.n_descsz = 4000;
	fd = elf_with_note(&n, sizeof(n));
	assert_int_not_equal(tt_buildid_of_fd(fd, id), 0);
	close(fd);
	/* not a GNU note */
	n.nh.n_descsz = 20;
	memcpy(n.name, "Go\0\0", 4);
	fd = elf_with_note(&n, sizeof(n));
	assert_int_not_equal(tt_buildid_of_fd(fd, id), 0);
	close(fd);
}

static void test_build_id_index(void **state)
{
	uint8_t id[TT_BUILD_ID_LEN], again[TT_BUILD_ID_LEN], zero[TT_BUILD_ID_LEN] = {0};
	struct tt_buildid_index *x = calloc(1, sizeof(*x));
	const char *path = NULL;
	int fd = open("/proc/self/exe", O_RDONLY);

	(void)state;
	assert_true(fd >= 0);
	if (tt_buildid_of_fd(fd, id)) {
		close(fd);
		free(x);
		skip(); /* this test binary was linked without a build-id */
	}
	close(fd);
	assert_memory_not_equal(id, zero, sizeof(id));
	tt_buildid_note(x, id, "/proc/self/exe");
	fd = tt_buildid_open(x, id, &path);
	assert_true(fd >= 0);
	assert_string_equal(path, "/proc/self/exe");
	assert_int_equal(tt_buildid_of_fd(fd, again), 0);
	assert_memory_equal(id, again, sizeof(id));
	close(fd);
	free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_goid_decoded),   cmocka_unit_test(test_goid_refused),
	    cmocka_unit_test(test_exe_path),       cmocka_unit_test(test_exe_below_root),
	    cmocka_unit_test(test_build_id_notes), cmocka_unit_test(test_build_id_index),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
