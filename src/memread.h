/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Reading another process's memory without stopping it: process_vm_readv
 * behind one callback, so the parsers over it (goroutines.c, the unwinders)
 * also run over a recorded image in the tests and fuzzers. Every read can
 * fail or return bytes that changed a moment ago: callers check both.
 */
#ifndef TTYTOP_MEMREAD_H
#define TTYTOP_MEMREAD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* One piece of a batched read: err is 0 when all len bytes were read. */
struct tt_mem_seg {
	uint64_t addr;
	void *buf;
	uint32_t len;
	int err;
};

struct tt_mem {
	/* 0 when all n bytes at addr were read, else -errno (-EFAULT: unmapped) */
	int (*read)(void *ctx, uint64_t addr, void *buf, size_t n);
	void *ctx;
	uint64_t reads, bytes; /* what it cost: counted by tt_mem_read */
	/*
	 * Optional (NULL: one read per piece): many pieces in one go, each
	 * seg's err set; process_vm_readv takes up to 1024 at once.
	 */
	void (*readv)(void *ctx, struct tt_mem_seg *segs, int n);
};

static inline int tt_mem_read(struct tt_mem *m, uint64_t addr, void *buf, size_t n)
{
	m->reads++;
	m->bytes += n;
	return m->read(m->ctx, addr, buf, n);
}

/* Read every piece, through readv when there is one. */
static inline void tt_mem_readv(struct tt_mem *m, struct tt_mem_seg *segs, int n)
{
	for (int i = 0; i < n; i++) {
		m->bytes += segs[i].len;
		if (!m->readv)
			segs[i].err = tt_mem_read(m, segs[i].addr, segs[i].buf, segs[i].len);
	}
	if (m->readv) {
		m->reads++;
		m->readv(m->ctx, segs, n);
	}
}

/* A live process's memory (ctx is the pid, cast). */
void tt_mem_of_pid(struct tt_mem *m, pid_t pid);

/*
 * A recorded image: regions of (address, bytes), for tests and fuzzers.
 * File format (little-endian): repeated { u64 addr; u32 len; u8 bytes[len] }.
 */
struct tt_mem_image {
	int n;
	struct {
		uint64_t addr;
		const uint8_t *p;
		uint32_t len;
	} r[64];
};
/* Parse an image (data kept, not copied). 0 or -EINVAL. */
int tt_mem_image_parse(struct tt_mem_image *im, const uint8_t *data, size_t len);
void tt_mem_of_image(struct tt_mem *m, struct tt_mem_image *im);

#endif
