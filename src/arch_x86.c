// SPDX-License-Identifier: GPL-2.0
/* x86-64 behind the arch seam (arch.h): instruction checks on traced programs. */
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "arch.h"

/* The instruction before a return address must be a call, or it is not one. */
bool tt_arch_follows_call(pid_t pid, uint64_t ret)
{
	unsigned char b[7];
	struct iovec local = {b, sizeof(b)}, remote = {(void *)(ret - 7), sizeof(b)};

	if (ret < 7 || process_vm_readv(pid, &local, 1, &remote, 1, 0) != sizeof(b))
		return false;
	if (b[2] == 0xe8) /* call rel32 */
		return true;
	/* call *reg / call *(reg) / call *disp8(reg) / call *disp32(reg), with REX */
	for (int len = 2; len <= 7; len++) {
		const unsigned char *p = b + 7 - len;
		int i = 0;

		if ((p[0] & 0xf0) == 0x40 && len > 2)
			i = 1;
		if (p[i] == 0xff && ((p[i + 1] >> 3) & 7) == 2) {
			int mod = p[i + 1] >> 6, want = i + 2;

			if ((p[i + 1] & 7) == 4 && mod != 3)
				want++; /* SIB */
			want += mod == 1 ? 1 : mod == 2 ? 4 : 0;
			if (mod == 0 && (p[i + 1] & 7) == 5)
				want += 4; /* rip-relative */
			if (want == len)
				return true;
		}
	}
	return false;
}
