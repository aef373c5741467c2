// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Go detection for goroutine attribution: the toolchain version (from
 * .go.buildinfo or, failing that, a version string in read-only data), the
 * place of g decoded from the runtime's code (arch_<arch>.c: x86-64 TLS from
 * runtime.stackcheck, arm64 TLS or R28 from runtime.load_g), and the
 * struct offsets from the version table below, overridden by the binary's own
 * DWARF where it has one (goid_from_dwarf says whether goid came from it).
 */
/* goinfo.h pulls in bpf/ttytop.h, which expects the __u32 family already defined */
#include <linux/types.h>

#include "goinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch.h"
#include "elfsym.h"
#include "gobuildinfo.h"
#include "godwarf.h"

#define RODATA_SCAN_MAX (64u << 20)
#define BUILDINFO_MAX (64u << 10)
#define DWARF_MAX (256u << 20)

int tt_go_parse_version(const char *s, int *major, int *minor, int *patch)
{
	long v[3] = {0, 0, 0};
	int i = 0;
	const char *p;

	if (!s || strncmp(s, "go", 2) != 0)
		return -EINVAL;
	p = s + 2;
	while (i < 3) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		long n = 0;
		while (*p >= '0' && *p <= '9' && n < 100000)
			n = n * 10 + (*p++ - '0');
		if (*p >= '0' && *p <= '9')
			return -EINVAL;
		v[i++] = n;
		if (*p != '.')
			break;
		p++;
	}
	/* "go1.22rc1", "go1.21beta2", "go1.21.3 X:boringcrypto": pre-releases count as .0 */
	if (*p && *p != ' ' && strncmp(p, "rc", 2) != 0 && strncmp(p, "beta", 4) != 0)
		return -EINVAL;
	if (i < 2 || v[0] != 1)
		return -EINVAL;
	*major = (int)v[0];
	*minor = (int)v[1];
	*patch = (int)v[2];
	return 0;
}

/*
 * The one version table. Checked for 1.19 by laying out runtime2.go of
 * /usr/lib/go-1.19 by hand (amd64): g{stack 0, stackguard0 16, stackguard1 24,
 * _panic 32, _defer 40, m 48, sched gobuf(7 words) 56, syscallsp 112,
 * syscallpc 120, stktopsp 128, param 136, atomicstatus 144, stackLock 148,
 * goid 152}; m{g0 0, morebuf 8, divmod 64, _ 68, procid 72, gsignal 80,
 * goSigStack(40) 88, sigmask [2]uint32 128, tls [6]uintptr 136, mstartfn 184,
 * curg 192}. The other rows come from the team notes (go-runtime.md): goid
 * 160 in 1.23-1.24 (a field added before it) and 152 again from 1.25, m.curg
 * 184 from 1.25. Before 1.17 (no register ABI) the rows are not verified.
 */
int tt_go_offsets_for_version(int major, int minor, struct tt_go_proc *off)
{
	if (major != 1 || minor < 17 || minor > 99)
		return -ENOTSUP;
	memset(off, 0, sizeof(*off));
	off->goid_off = minor <= 22 ? 152 : minor <= 24 ? 160 : 152;
	off->g_m_off = 48;
	off->m_g0_off = 0;
	off->m_gsignal_off = 80;
	off->m_curg_off = minor >= 25 ? 184 : 192;
	/* func stopTheWorldWithSema(reason stwReason) from 1.21; go 1.19's has no
	 * argument (proc.go of golang-1.19-src; 1.23, 1.24, 1.26 checked too) */
	off->stw_reason_arg = minor >= 21;
	return 0;
}

/*
 * The goroutine reader's rows of the table, laid out by DWARF of the
 * fixture builds (tests/unit/test_goroutines.c compares them for go1.19,
 * go1.23 and go1.24): 1.23 added g.syscallbp after syscallpc, moving
 * atomicstatus, goid, waitsince and waitreason by 8. gobuf and m.procid did
 * not move. 1.20-1.22 are taken as 1.19 (syscallbp came in 1.23, as goid_off
 * above says) but were not checked; past 1.24 only DWARF is trusted.
 */
int tt_go_goff_for_version(int major, int minor, struct tt_go_goff *o)
{
	if (major != 1 || minor < 17 || minor > 24)
		return -ENOTSUP;
	uint16_t d = minor >= 23 ? 8 : 0;
	*o = (struct tt_go_goff){
	    .stack_lo = 0,
	    .stack_hi = 8,
	    .m = 48,
	    .sched = 56,
	    .syscallsp = 112,
	    .syscallpc = 120,
	    .atomicstatus = 144 + d,
	    .goid = 152 + d,
	    .waitsince = 168 + d,
	    .waitreason = 176 + d,
	    .gobuf_sp = 0,
	    .gobuf_pc = 8,
	    .gobuf_lr = 40,
	    .m_procid = 72,
	    /* checked in DWARF of 1.19 (189), 1.23 and 1.24 (199); others unknown */
	    .tracking_seq = minor == 19   ? 189
	                    : minor >= 23 ? 199
	                                  : 0,
	};
	return 0;
}

struct file_ctx {
	int fd;
	const struct tt_elfsyms *es;
};

static int read_va(void *ctx, uint64_t va, void *buf, size_t len)
{
	struct file_ctx *c = ctx;
	uint64_t off;

	if (len == 0 || va > UINT64_MAX - (len - 1) ||
	    tt_elfsyms_vaddr_to_off(c->es, va, &off) != 0)
		return -ENOENT;
	/* the whole range must lie inside the segment's file bytes */
	uint64_t end_off;
	if (tt_elfsyms_vaddr_to_off(c->es, va + len - 1, &end_off) != 0)
		return -ENOENT;
	if (end_off != off + len - 1)
		return -EINVAL;
	return pread(c->fd, buf, len, (off_t)off) == (ssize_t)len ? 0 : -EIO;
}

/*
 * Whether runtime.iscgo, the byte the TLS code tests, is set in the file: a
 * cgo program's is initialised data, anyone else's is zero (in .bss, past
 * the segment's file bytes). -ENOENT when va is in no segment.
 */
static int iscgo_byte(struct file_ctx *c, uint64_t va)
{
	for (int i = 0; i < c->es->nsegs; i++) {
		const struct tt_elf_seg *s = &c->es->segs[i];
		uint8_t b;

		if (va < s->vaddr || va - s->vaddr >= s->memsz)
			continue;
		if (va - s->vaddr >= s->filesz)
			return 0;
		return read_va(c, va, &b, 1) == 0 ? b != 0 : -ENOENT;
	}
	return -ENOENT;
}

static bool has_interp(Elf *e)
{
	size_t n;

	if (elf_getphdrnum(e, &n) != 0)
		return false;
	for (size_t i = 0; i < n && i < 256; i++) {
		GElf_Phdr ph;
		if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_INTERP)
			return true;
	}
	return false;
}

/* Copy a loaded segment's file bytes (at most max). */
static uint8_t *read_seg(const struct file_ctx *fc, const struct tt_elf_seg *sg, size_t max,
                         size_t *len)
{
	size_t n = sg->filesz < max ? (size_t)sg->filesz : max;
	uint8_t *buf = n ? malloc(n) : NULL;

	if (buf && pread(fc->fd, buf, n, (off_t)sg->off) != (ssize_t)n) {
		free(buf);
		buf = NULL;
	}
	*len = buf ? n : 0;
	return buf;
}

/*
 * Without section headers: the build info blob sits, 16-byte aligned, in a
 * writable segment; the version string in a read-only one.
 */
static int version_from_segments(struct file_ctx *fc, int min_minor, char *ver, size_t vlen)
{
	static const char magic[] = "\xff Go buildinf:";
	const struct tt_elfsyms *es = fc->es;
	size_t len;

	for (int i = 0; i < es->nsegs; i++) {
		if (!(es->segs[i].flags & PF_W))
			continue;
		uint8_t *buf = read_seg(fc, &es->segs[i], RODATA_SCAN_MAX, &len);
		for (size_t off = 0; buf && off + 32 <= len; off += 16) {
			if (memcmp(buf + off, magic, sizeof(magic) - 1) == 0 &&
			    tt_gobuildinfo_parse(buf + off, len - off, read_va, fc, ver, vlen) ==
			        0) {
				free(buf);
				return 0;
			}
		}
		free(buf);
	}
	for (int i = 0; i < es->nsegs; i++) {
		if (es->segs[i].flags & (PF_W | PF_X))
			continue;
		uint8_t *buf = read_seg(fc, &es->segs[i], RODATA_SCAN_MAX, &len);
		int r = buf ? tt_go_scan_version(buf, len, min_minor, ver, vlen) : -ENOENT;
		free(buf);
		if (r == 0)
			return 0;
	}
	return -ENOENT;
}

static int find_version(Elf *e, struct file_ctx *fc, char *ver, size_t vlen)
{
	uint8_t *buf;
	size_t len, nsec = 0;
	int r = -ENOENT;

	/*
	 * Only the header and version are read: with -ldflags and many modules
	 * the blob passes any cap, and refusing it sent us to the guesswork of
	 * the read-only data scan below.
	 */
	if (tt_elf_section_head(e, ".go.buildinfo", &buf, &len, BUILDINFO_MAX) == 0) {
		r = tt_gobuildinfo_parse(buf, len, read_va, fc, ver, vlen);
		free(buf);
		if (r == 0)
			return 0;
	}
	/* No build info (some stripped static builds): scan read-only data. */
	int min_minor = 0;
	if (fc->es->has_pcln)
		min_minor = fc->es->pcln.ver == TT_PCLN_120   ? 20
		            : fc->es->pcln.ver == TT_PCLN_118 ? 18
		            : fc->es->pcln.ver == TT_PCLN_116 ? 16
		                                              : 2;
	if (tt_elf_section_copy(e, ".rodata", &buf, &len, NULL, RODATA_SCAN_MAX) == 0) {
		r = tt_go_scan_version(buf, len, min_minor, ver, vlen);
		free(buf);
		return r;
	}
	if (elf_getshdrnum(e, &nsec) != 0 || nsec == 0)
		return version_from_segments(fc, min_minor, ver, vlen);
	return r;
}

/* Decompressed contents of a debug section, at most max bytes (zip bombs). */
static const uint8_t *debug_section(Elf *e, const char *name, size_t max, size_t *len)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	if (elf_getshdrstrndx(e, &shstrndx) != 0)
		return NULL;
	while ((scn = elf_nextscn(e, scn)) != NULL) {
		const char *n;
		if (!gelf_getshdr(scn, &sh) || !(n = elf_strptr(e, shstrndx, sh.sh_name)) ||
		    strcmp(n, name) != 0)
			continue;
		if (sh.sh_type == SHT_NOBITS)
			return NULL;
		/* checked before elf_getdata, which reads (and allocates) it all */
		if (sh.sh_size > max)
			return NULL;
		if (sh.sh_flags & SHF_COMPRESSED) {
			GElf_Chdr ch;
			if (!gelf_getchdr(scn, &ch) || ch.ch_size > max ||
			    elf_compress(scn, 0, 0) < 0)
				return NULL;
		}
		Elf_Data *d = elf_getdata(scn, NULL);
		if (!d || !d->d_buf || d->d_size > max)
			return NULL;
		*len = d->d_size;
		return d->d_buf;
	}
	return NULL;
}

/*
 * The binary's own DWARF, when it has one (not -w / -s): the offsets it
 * states win over the version table. 1 if goid came from it, 0 if not.
 */
static int offsets_from_dwarf(Elf *e, struct tt_go_proc *off, int *nfound)
{
	size_t ilen = 0, alen = 0;
	const uint8_t *info = debug_section(e, ".debug_info", DWARF_MAX, &ilen);
	const uint8_t *abbrev = info ? debug_section(e, ".debug_abbrev", DWARF_MAX, &alen) : NULL;
	struct tt_dwarf_query q[] = {
	    {"runtime.g", "goid", -1},    {"runtime.g", "m", -1},    {"runtime.m", "g0", -1},
	    {"runtime.m", "gsignal", -1}, {"runtime.m", "curg", -1},
	};

	*nfound = 0;
	if (!info || !abbrev)
		return 0;
	/* elf_compress may have moved .debug_info: fetch it again */
	info = debug_section(e, ".debug_info", DWARF_MAX, &ilen);
	if (!info || tt_dwarf_member_offsets(info, ilen, abbrev, alen, q, 5) <= 0)
		return 0;
	uint16_t *dst[] = {&off->goid_off, &off->g_m_off, &off->m_g0_off, &off->m_gsignal_off,
	                   &off->m_curg_off};
	for (int i = 0; i < 5; i++) {
		if (q[i].offset >= 0 && q[i].offset < 0x10000) {
			*dst[i] = (uint16_t)q[i].offset;
			(*nfound)++;
		}
	}
	return q[0].offset >= 0 && q[0].offset < 0x10000;
}

/* Every offset of struct tt_go_goff from DWARF; false unless all were there. */
static bool goff_from_dwarf(Elf *e, struct tt_go_goff *o)
{
	struct tt_dwarf_query q[] = {
	    {"runtime.stack", "lo", -1},     {"runtime.stack", "hi", -1},
	    {"runtime.g", "goid", -1},       {"runtime.g", "atomicstatus", -1},
	    {"runtime.g", "waitreason", -1}, {"runtime.g", "waitsince", -1},
	    {"runtime.g", "m", -1},          {"runtime.g", "sched", -1},
	    {"runtime.g", "syscallsp", -1},  {"runtime.g", "syscallpc", -1},
	    {"runtime.gobuf", "sp", -1},     {"runtime.gobuf", "pc", -1},
	    {"runtime.gobuf", "lr", -1},     {"runtime.m", "procid", -1},
	    {"runtime.g", "stack", -1},
	};
	enum { NQ = sizeof(q) / sizeof(q[0]) };
	uint16_t *dst[NQ - 1] = {&o->stack_lo,   &o->stack_hi,  &o->goid,     &o->atomicstatus,
	                         &o->waitreason, &o->waitsince, &o->m,        &o->sched,
	                         &o->syscallsp,  &o->syscallpc, &o->gobuf_sp, &o->gobuf_pc,
	                         &o->gobuf_lr,   &o->m_procid};
	size_t ilen = 0, alen = 0;
	const uint8_t *info = debug_section(e, ".debug_info", DWARF_MAX, &ilen);
	const uint8_t *abbrev = info ? debug_section(e, ".debug_abbrev", DWARF_MAX, &alen) : NULL;

	if (!info || !abbrev)
		return false;
	info = debug_section(e, ".debug_info", DWARF_MAX, &ilen);
	if (!info || tt_dwarf_member_offsets(info, ilen, abbrev, alen, q, NQ) != NQ)
		return false;
	for (int i = 0; i < NQ; i++)
		if (q[i].offset < 0 || q[i].offset >= 0x8000)
			return false;
	for (int i = 0; i < NQ - 1; i++)
		*dst[i] = (uint16_t)q[i].offset;
	/* the stack's words are given inside runtime.stack: g.stack holds it */
	o->stack_lo += (uint16_t)q[NQ - 1].offset;
	o->stack_hi += (uint16_t)q[NQ - 1].offset;
	return true;
}

/* g.trackingSeq from DWARF, 0 when absent (it is optional: see goinfo.h). */
static uint16_t tracking_seq_from_dwarf(Elf *e)
{
	struct tt_dwarf_query q[] = {{"runtime.g", "trackingSeq", -1}};
	size_t ilen = 0, alen = 0;
	const uint8_t *info = debug_section(e, ".debug_info", DWARF_MAX, &ilen);
	const uint8_t *abbrev = info ? debug_section(e, ".debug_abbrev", DWARF_MAX, &alen) : NULL;

	if (!info || !abbrev)
		return 0;
	info = debug_section(e, ".debug_info", DWARF_MAX, &ilen);
	if (!info || tt_dwarf_member_offsets(info, ilen, abbrev, alen, q, 1) != 1)
		return 0;
	return q[0].offset > 0 && q[0].offset < 0x8000 ? (uint16_t)q[0].offset : 0;
}

int tt_go_goff_for_fd(int fd, int major, int minor, struct tt_go_goff *o)
{
	Elf *e;
	bool ok;

	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e)
		return -ENOEXEC;
	ok = elf_kind(e) == ELF_K_ELF && goff_from_dwarf(e, o);
	if (ok)
		o->tracking_seq = tracking_seq_from_dwarf(e);
	elf_end(e);
	if (ok)
		return 1;
	return tt_go_goff_for_version(major, minor, o);
}

/*
 * Every new tty writer comes through here: rule out the common non-Go
 * program by its section names before loading any symbol table.
 */
static bool may_be_go(Elf *e)
{
	size_t nsec = 0;

	return !(
	    elf_getshdrnum(e, &nsec) == 0 && nsec > 0 && !tt_elf_has_section(e, ".gopclntab") &&
	    !tt_elf_has_section(e, ".data.rel.ro.gopclntab") &&
	    !tt_elf_has_section(e, ".go.buildinfo") && !tt_elf_has_section(e, ".note.go.buildid"));
}

/* The Go version, and the struct offsets for it (from DWARF where it has them). */
static int go_version_offsets(Elf *e, struct file_ctx *fc, struct tt_goinfo *out)
{
	int r = find_version(e, fc, out->version, sizeof(out->version));

	if (r == 0)
		r = tt_go_parse_version(out->version, &out->major, &out->minor, &out->patch);
	if (r == 0) {
		r = tt_go_offsets_for_version(out->major, out->minor, &out->off);
		int n;
		out->goid_from_dwarf = offsets_from_dwarf(e, &out->off, &n);
		/* a version outside the table is fine when DWARF gave every offset */
		if (r == -ENOTSUP && out->major == 1 && n == 5)
			r = 0;
	}
	return r;
}

/* Where g lives: a register, or a TLS slot read from the runtime's own code. */
static int go_g_location(Elf *e, struct file_ctx *fc, struct tt_goinfo *out)
{
	uint64_t addr, dummy;
	uint8_t code[64];
	struct tt_arch_go_tls tls = {0, 0};
	bool found = false;

	for (int i = 0; !found && tt_arch_go_tls_funcs[i]; i++)
		found = tt_elfsyms_find(fc->es, tt_arch_go_tls_funcs[i], &addr) == 0 &&
		        read_va(fc, addr, code, sizeof(code)) == 0 &&
		        tt_arch_go_decode_tls(code, sizeof(code), addr, &tls) == 0;
	bool cgo = has_interp(e) || tt_elfsyms_find(fc->es, "_cgo_init", &dummy) == 0 ||
	           tt_elfsyms_find(fc->es, "x_cgo_init", &dummy) == 0 ||
	           (found && tls.iscgo_va && iscgo_byte(fc, tls.iscgo_va) == 1);
	out->off.g_in_reg = tt_arch_go_g_in_reg(cgo);
	if (found)
		out->off.tls_g_off = tls.off;
	else if (cgo)
		return -ENOTSUP; /* the slot moves with the C TLS layout: never guess */
	else if (!out->off.g_in_reg && !tt_arch_go_tls_default(&out->off.tls_g_off))
		return -ENOTSUP;
	return 0;
}

static int goinfo_fd(int fd, struct tt_goinfo *out)
{
	struct tt_elfsyms *es = NULL;
	Elf *e;
	GElf_Ehdr eh;
	int r;

	memset(out, 0, sizeof(*out));
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh)) {
		if (e)
			elf_end(e);
		return 0;
	}
	if (!may_be_go(e)) {
		elf_end(e);
		return 0;
	}
	r = tt_elfsyms_load_fd(fd, &es);
	if (r != 0 || !es->is_go) {
		elf_end(e);
		tt_elfsyms_free(es);
		return r == 0 || r == -ENOEXEC ? 0 : r;
	}
	struct file_ctx fc = {fd, es};
	r = go_version_offsets(e, &fc, out);
	/* the kernel side reads the registers and thread pointer of its own machine */
	if (r == 0 && eh.e_machine != tt_arch_elf_machine)
		r = -ENOTSUP;
	if (r == 0)
		r = go_g_location(e, &fc, out);
	elf_end(e);
	tt_elfsyms_free(es);
	return r == 0 ? 1 : r;
}

int tt_goinfo_for_fd(int fd, struct tt_goinfo *out)
{
	return goinfo_fd(fd, out);
}

int tt_goinfo_for_file(const char *path, struct tt_goinfo *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		memset(out, 0, sizeof(*out));
		return -errno;
	}
	int r = goinfo_fd(fd, out);
	close(fd);
	return r;
}

int tt_proc_open_exe(pid_t pid)
{
	char p[64], target[4096], rp[4096 + 64];
	static const char del[] = " (deleted)";
	ssize_t n;
	int fd;

	/* The exe link opens the running file even if deleted or in another mount ns. */
	snprintf(p, sizeof(p), "/proc/%d/exe", (int)pid);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	n = readlink(p, target, sizeof(target) - 1);
	if (n <= 0)
		return errno == ENOENT ? -ESRCH : -errno;
	target[n] = 0;
	/* a deleted exe's link names whatever is at that path now, if anything */
	if ((size_t)n >= sizeof(del) - 1 && strcmp(target + n - (sizeof(del) - 1), del) == 0)
		return -ENOENT;
	snprintf(rp, sizeof(rp), "/proc/%d/root%s", (int)pid, target);
	fd = open(rp, O_RDONLY | O_CLOEXEC);
	return fd >= 0 ? fd : -errno;
}

int tt_goinfo_for_pid(pid_t pid, struct tt_goinfo *out)
{
	int fd = tt_proc_open_exe(pid);

	if (fd < 0) {
		memset(out, 0, sizeof(*out));
		return fd;
	}
	int r = goinfo_fd(fd, out);
	close(fd);
	return r;
}
