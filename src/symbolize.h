/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Turning addresses into names. Kernel frames from /proc/kallsyms; user frames
 * through /proc/PID/maps to the mapped file, then ELF .symtab/.dynsym, then
 * .gopclntab for Go. Every file parsed here may belong to another user and is
 * treated as hostile. Caches are bounded.
 */
#ifndef TTYTOP_SYMBOLIZE_H
#define TTYTOP_SYMBOLIZE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "model.h"

struct tt_symbolizer;

struct tt_symbolizer *tt_sym_new(void);
void tt_sym_free(struct tt_symbolizer *s);

/*
 * Fill ev->ustack / ev->kstack from raw kernel-captured addresses.
 * user_ret (if non-zero) is the frameless innermost caller's return address
 * and is inserted as frame 1. Sets TT_EVSTK_SYMBOLIZED, and TT_EVSTK_PROC_GONE
 * when the process has exited (frames keep their addresses, func stays "").
 */
int tt_sym_event(struct tt_symbolizer *s, struct tt_model_event *ev, const uint64_t *ustack,
		 int un, uint64_t user_ret, const uint64_t *kstack, int kn);

/* Single-frame lookups (also used by tests). 0 = resolved, -ENOENT, -ESRCH. */
int tt_sym_kernel(struct tt_symbolizer *s, uint64_t addr, struct tt_frame *out);
int tt_sym_user(struct tt_symbolizer *s, pid_t pid, uint64_t addr, bool is_return_addr,
		struct tt_frame *out);

/*
 * Cache a live process's maps and the symbols of its executable mappings now,
 * so its stacks can still be named after it exits. Returns mappings loaded.
 */
int tt_sym_prepare_pid(struct tt_symbolizer *s, pid_t pid);

/*
 * Frames without the process's maps (it exited before it was read). v is a
 * file offset, or with by_vaddr a link-time address, and must fall in an
 * executable segment. 0 and out's func/file/line/module set; -ENODATA: in
 * the file's code but no symbol covers it (module set); else -ENOENT.
 * The file open on fd (module: its path, whose base name is shown):
 */
int tt_sym_file_frame(struct tt_symbolizer *s, int fd, const char *module, uint64_t v,
                      bool by_vaddr, bool is_ret, struct tt_frame *out);
/* The file whose GNU build-id is id (TT_BUILD_ID_LEN bytes), found by buildid.h: */
int tt_sym_build_id(struct tt_symbolizer *s, const uint8_t *id, uint64_t off, bool is_ret,
                    struct tt_frame *out);

/*
 * tt_arch_follows_call for a process that may have exited: its code is then
 * read from the file its cached maps name (same inode), not from its memory.
 */
bool tt_sym_follows_call(struct tt_symbolizer *s, pid_t pid, uint64_t ret);

/* Drop per-process state (maps) of a pid; file caches stay. */
void tt_sym_forget_pid(struct tt_symbolizer *s, pid_t pid);

/* Kernel text addresses from /proc/kallsyms (0 when absent). */
int tt_ksym_lookup_addr(const char *name, uint64_t *addr);
/*
 * One pass over /proc/kallsyms for both kinds of lookup. names: exact text
 * symbols, their addresses in addrs (0 when absent). funcs: text ranges
 * [start, end) of kernel functions, a compiler clone of each
 * ("handle_softirqs.constprop.0") counting as the function; end is where the
 * next symbol begins; {0, 0} when not found or when the end is not seen.
 * Returns how many of both were found, or -errno.
 */
struct tt_ksym_query {
	const char *const *names;
	uint64_t *addrs;
	int naddrs;
	const char *const *funcs;
	uint64_t (*ranges)[2];
	int nfuncs;
};
int tt_ksym_query(const struct tt_ksym_query *q);
int tt_ksym_query_text(const char *text, size_t len, const struct tt_ksym_query *q);

#endif
