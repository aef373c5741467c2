// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The two memories behind struct tt_mem: a live process through
 * process_vm_readv (no ptrace, no stop: the target runs on while we read,
 * so a read may see a torn value, never a fault of ours), and a recorded
 * image for the tests and fuzzers, whose regions are as hostile as the
 * process they came from.
 */
#include "memread.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/uio.h>

static int pid_read(void *ctx, uint64_t addr, void *buf, size_t n)
{
	pid_t pid = (pid_t)(intptr_t)ctx;
	size_t done = 0;

	if (n == 0)
		return 0;
	if (addr > UINT64_MAX - (n - 1))
		return -EFAULT;
	/* a read across an unmapped page stops short there: that is a fault */
	while (done < n) {
		struct iovec local = {(char *)buf + done, n - done};
		struct iovec remote = {(void *)(uintptr_t)(addr + done), n - done};
		ssize_t r = process_vm_readv(pid, &local, 1, &remote, 1, 0);
		if (r < 0)
			return errno == EINTR ? -EINTR : -errno;
		if (r == 0)
			return -EFAULT;
		done += (size_t)r;
	}
	return 0;
}

#define IOV_BATCH 1024 /* the kernel's UIO_MAXIOV */

/*
 * process_vm_readv stops at the first piece it cannot read and says only
 * how many bytes it got: the pieces before are whole, the one it stopped in
 * is read again alone for its error, and the batch goes on after it.
 */
static void pid_readv(void *ctx, struct tt_mem_seg *segs, int n)
{
	pid_t pid = (pid_t)(intptr_t)ctx;
	struct iovec local[IOV_BATCH], remote[IOV_BATCH];
	int i = 0;

	while (i < n) {
		int k = n - i < IOV_BATCH ? n - i : IOV_BATCH;
		for (int j = 0; j < k; j++) {
			local[j] = (struct iovec){segs[i + j].buf, segs[i + j].len};
			remote[j] =
			    (struct iovec){(void *)(uintptr_t)segs[i + j].addr, segs[i + j].len};
		}
		ssize_t r =
		    process_vm_readv(pid, local, (unsigned long)k, remote, (unsigned long)k, 0);
		size_t got = r > 0 ? (size_t)r : 0;
		int j = 0;
		for (; j < k && got >= segs[i + j].len; j++) {
			got -= segs[i + j].len;
			segs[i + j].err = 0;
		}
		if (j < k) { /* the piece it stopped in */
			segs[i + j].err =
			    pid_read(ctx, segs[i + j].addr, segs[i + j].buf, segs[i + j].len);
			j++;
		}
		i += j;
	}
}

void tt_mem_of_pid(struct tt_mem *m, pid_t pid)
{
	memset(m, 0, sizeof(*m));
	m->read = pid_read;
	m->readv = pid_readv;
	m->ctx = (void *)(intptr_t)pid;
}

static uint64_t rd_le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

int tt_mem_image_parse(struct tt_mem_image *im, const uint8_t *data, size_t len)
{
	size_t pos = 0;

	im->n = 0;
	if (!data && len)
		return -EINVAL;
	while (pos < len) {
		if (len - pos < 12 || im->n >= (int)(sizeof(im->r) / sizeof(im->r[0])))
			return -EINVAL;
		uint64_t addr = rd_le(data + pos, 8);
		uint32_t n = (uint32_t)rd_le(data + pos + 8, 4);
		pos += 12;
		if (n > len - pos || (n && addr > UINT64_MAX - (n - 1)))
			return -EINVAL;
		im->r[im->n].addr = addr;
		im->r[im->n].p = data + pos;
		im->r[im->n].len = n;
		im->n++;
		pos += n;
	}
	return 0;
}

/*
 * A read must lie inside one region, as a process_vm_readv across a hole
 * would fail; overlapping regions are allowed (the first that holds all
 * of it wins) so a recorder may store a g twice.
 */
static int image_read(void *ctx, uint64_t addr, void *buf, size_t n)
{
	const struct tt_mem_image *im = ctx;

	if (n == 0)
		return 0;
	for (int i = 0; i < im->n; i++) {
		uint64_t a = im->r[i].addr, l = im->r[i].len;
		if (addr >= a && addr - a <= l && n <= l - (addr - a)) {
			memcpy(buf, im->r[i].p + (addr - a), n);
			return 0;
		}
	}
	return -EFAULT;
}

void tt_mem_of_image(struct tt_mem *m, struct tt_mem_image *im)
{
	memset(m, 0, sizeof(*m));
	m->read = image_read;
	m->ctx = im;
}
