// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ELF symbol loading through libelf (gelf). The file may belong to another
 * user and be crafted: section sizes are capped, names are only read from a
 * string table that we NUL-terminate ourselves, and symbol extents are
 * computed so that a lookup outside every function gives no name at all.
 */
#include "elfsym.h"

#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void elf_init_once(void)
{
	static int done;

	if (!done) {
		elf_version(EV_CURRENT);
		done = 1;
	}
}

static Elf_Scn *find_section(Elf *e, const char *name, GElf_Shdr *sh)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(e, &shstrndx) != 0)
		return NULL;
	while ((scn = elf_nextscn(e, scn)) != NULL) {
		if (!gelf_getshdr(scn, sh))
			continue;
		const char *n = elf_strptr(e, shstrndx, sh->sh_name);
		if (n && strcmp(n, name) == 0)
			return scn;
	}
	return NULL;
}

bool tt_elf_has_section(struct Elf *e, const char *name)
{
	GElf_Shdr sh;

	return find_section(e, name, &sh) != NULL;
}

int tt_elf_section_copy(struct Elf *e, const char *name, uint8_t **buf, size_t *len, uint64_t *addr,
                        size_t max)
{
	GElf_Shdr sh;
	Elf_Scn *scn = find_section(e, name, &sh);
	Elf_Data *d;

	*buf = NULL;
	*len = 0;
	if (!scn || sh.sh_type == SHT_NOBITS)
		return -ENOENT;
	if (sh.sh_size > max)
		return -EFBIG;
	d = elf_getdata(scn, NULL);
	if (!d || !d->d_buf || d->d_size == 0 || d->d_size > max)
		return -ENOENT;
	*buf = malloc(d->d_size);
	if (!*buf)
		return -ENOMEM;
	memcpy(*buf, d->d_buf, d->d_size);
	*len = d->d_size;
	if (addr)
		*addr = sh.sh_addr;
	return 0;
}

int tt_elf_section_head(struct Elf *e, const char *name, uint8_t **buf, size_t *len, size_t max)
{
	GElf_Shdr sh;
	Elf_Scn *scn = find_section(e, name, &sh);
	Elf_Data *d;

	*buf = NULL;
	*len = 0;
	if (!scn || sh.sh_type == SHT_NOBITS || (sh.sh_flags & SHF_COMPRESSED) || max == 0 ||
	    sh.sh_size == 0)
		return -ENOENT;
	/* only the head is read from the file: elf_getdata would load it all */
	size_t n = sh.sh_size < max ? (size_t)sh.sh_size : max;
	d = elf_getdata_rawchunk(e, (int64_t)sh.sh_offset, n, ELF_T_BYTE);
	if (!d || !d->d_buf || d->d_size != n)
		return -ENOENT;
	*buf = malloc(n);
	if (!*buf)
		return -ENOMEM;
	memcpy(*buf, d->d_buf, n);
	*len = n;
	return 0;
}

static int rank(const GElf_Sym *s)
{
	int r = s->st_size ? 4 : 0;
	int b = GELF_ST_BIND(s->st_info);

	return r + (b == STB_GLOBAL ? 2 : b == STB_WEAK ? 1 : 0);
}

struct cand {
	uint64_t start, size, sec_end;
	uint32_t name;
	int rank;
};

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return y->rank - x->rank; /* best first */
}

/* A defined function in an executable section, named inside the string table. */
static bool func_sym(Elf *e, const GElf_Sym *s, size_t strs_size, GElf_Shdr *ssh)
{
	int type = GELF_ST_TYPE(s->st_info);
	Elf_Scn *sscn;

	if ((type != STT_FUNC && type != STT_GNU_IFUNC) || s->st_value == 0 ||
	    s->st_shndx == SHN_UNDEF || s->st_shndx >= SHN_LORESERVE || s->st_name >= strs_size)
		return false;
	sscn = elf_getscn(e, s->st_shndx);
	if (!sscn || !gelf_getshdr(sscn, ssh) || !(ssh->sh_flags & SHF_EXECINSTR))
		return false;
	return !(s->st_size > UINT64_MAX - s->st_value);
}

/* Room for one more candidate: 0, -EFBIG past the cap or -ENOMEM. */
static int cand_reserve(struct cand **c, size_t nc, size_t *cap)
{
	if (nc < *cap)
		return 0;
	if (*cap >= TT_ELF_MAX_SYMS)
		return -EFBIG;
	size_t ncap = *cap ? *cap * 2 : 1024;
	if (ncap > TT_ELF_MAX_SYMS)
		ncap = TT_ELF_MAX_SYMS;
	struct cand *nc2 = realloc(*c, ncap * sizeof(**c));
	if (!nc2)
		return -ENOMEM;
	*c = nc2;
	*cap = ncap;
	return 0;
}

/*
 * Every entry is read (the section size is capped): a table cut short
 * would lose functions and let an unsized one before the cut grow over
 * their code. Only the function candidates are capped, and past that
 * cap the whole table is refused for the same reason.
 */
static int collect_cands(Elf *e, Elf_Data *d, size_t strs_size, size_t entsize, struct cand **out,
                         size_t *nout)
{
	size_t n = d->d_size / entsize, nc = 0, cap = 0;
	struct cand *c = NULL;

	for (size_t i = 0; i < n; i++) {
		GElf_Sym s;
		GElf_Shdr ssh;
		int rc;

		if (!gelf_getsym(d, (int)i, &s))
			break;
		if (!func_sym(e, &s, strs_size, &ssh))
			continue;
		rc = cand_reserve(&c, nc, &cap);
		if (rc) {
			free(c);
			return rc;
		}
		c[nc].start = s.st_value;
		c[nc].size = s.st_size;
		c[nc].sec_end =
		    ssh.sh_addr > UINT64_MAX - ssh.sh_size ? UINT64_MAX : ssh.sh_addr + ssh.sh_size;
		c[nc].name = (uint32_t)s.st_name;
		c[nc].rank = rank(&s);
		nc++;
	}
	*out = c;
	*nout = nc;
	return 0;
}

/* Where candidate i's code ends; c is sorted by start, best alias first. */
static uint64_t cand_end(const struct cand *c, size_t nc, size_t i, bool dynamic)
{
	uint64_t end;

	if (c[i].size)
		return c[i].start + c[i].size;
	if (dynamic) {
		/*
		 * .dynsym does not list static functions, so the code up to
		 * the next exported symbol is not known to be this one's:
		 * only its first byte is.
		 */
		return c[i].start + 1;
	}
	/* Unsized (hand-written asm): up to the next symbol, never past its
	 * section. */
	end = c[i].sec_end > c[i].start ? c[i].sec_end : c[i].start + 1;
	for (size_t j = i + 1; j < nc; j++)
		if (c[j].start > c[i].start) {
			if (c[j].start < end)
				end = c[j].start;
			break;
		}
	return end;
}

/* Sorted candidates to symbols; returns how many. */
static uint32_t fill_syms(struct tt_elfsym *syms, const struct cand *c, size_t nc, bool dynamic)
{
	uint32_t k = 0;

	for (size_t i = 0; i < nc; i++) {
		if (k && syms[k - 1].start == c[i].start)
			continue; /* aliases: the best-ranked one sorted first */
		syms[k].start = c[i].start;
		syms[k].end = cand_end(c, nc, i, dynamic);
		syms[k].name = c[i].name;
		k++;
	}
	return k;
}

/*
 * Collect function symbols of one symbol table; 0, -ENOENT or -errno.
 * dynamic: .dynsym, which lists exported functions only.
 */
static int load_symtab(Elf *e, Elf_Scn *scn, const GElf_Shdr *sh, struct tt_elfsyms *es,
                       bool dynamic)
{
	Elf_Scn *strscn = elf_getscn(e, sh->sh_link);
	GElf_Shdr strsh;
	Elf_Data *d, *sd;
	size_t nc;
	struct cand *c;
	int rc;

	if (!strscn || !gelf_getshdr(strscn, &strsh) || strsh.sh_type != SHT_STRTAB)
		return -ENOENT;
	if (sh->sh_size > TT_ELF_MAX_SECTION || strsh.sh_size > TT_ELF_MAX_SECTION)
		return -EFBIG;
	d = elf_getdata(scn, NULL);
	sd = elf_getdata(strscn, NULL);
	if (!d || !sd || !d->d_buf || !sd->d_buf || sh->sh_entsize == 0)
		return -ENOENT;
	rc = collect_cands(e, d, sd->d_size, sh->sh_entsize, &c, &nc);
	if (rc)
		return rc;
	if (nc == 0) {
		free(c);
		return -ENOENT;
	}
	qsort(c, nc, sizeof(*c), cand_cmp);
	es->syms = calloc(nc, sizeof(*es->syms));
	es->strs = malloc(sd->d_size + 1);
	if (!es->syms || !es->strs) {
		free(c);
		return -ENOMEM;
	}
	memcpy(es->strs, sd->d_buf, sd->d_size);
	es->strs[sd->d_size] = 0; /* names cannot run past the table */
	es->strs_len = sd->d_size + 1;
	es->nsyms = fill_syms(es->syms, c, nc, dynamic);
	es->mem += (size_t)es->nsyms * sizeof(*es->syms) + es->strs_len;
	free(c);
	return 0;
}

/* Where the raw file bytes come from: an fd (pread) or the fuzzer's buffer. */
struct raw_src {
	int fd;
	const uint8_t *mem;
	size_t len;
};

static int raw_read(const struct raw_src *src, uint64_t off, void *buf, size_t n)
{
	if (src->mem) {
		if (off > src->len || n > src->len - off)
			return -EIO;
		memcpy(buf, src->mem + off, n);
		return 0;
	}
	size_t done = 0;
	while (done < n) {
		ssize_t r = pread(src->fd, (char *)buf + done, n - done, (off_t)(off + done));
		if (r <= 0)
			return -EIO;
		done += (size_t)r;
	}
	return 0;
}

/*
 * A table is used only if the code it describes lies inside one executable
 * segment: a misplaced text base would otherwise shift every name.
 */
static bool pcln_fits_text(const struct tt_elfsyms *es, const struct tt_pcln *t)
{
	uint64_t lo, hi;

	if (tt_pcln_range(t, &lo, &hi) != 0)
		return false;
	if (es->nsegs == 0)
		return true; /* nothing to check against (fuzzer inputs) */
	for (int i = 0; i < es->nsegs; i++) {
		const struct tt_elf_seg *s = &es->segs[i];
		if ((s->flags & PF_X) && lo >= s->vaddr && hi - s->vaddr <= s->memsz)
			return true;
	}
	return false;
}

static void load_pcln(Elf *e, struct tt_elfsyms *es)
{
	static const char *const names[] = {".gopclntab", ".data.rel.ro.gopclntab"};
	uint64_t addr;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (tt_elf_section_copy(e, names[i], &es->pcln_buf, &es->pcln_len, &addr,
		                        TT_ELF_MAX_SECTION) != 0)
			continue;
		es->is_go = true;
		/*
		 * 1.18+ tables are relative to runtime.text. The header's textStart
		 * holds it wherever the linker filled it in, including cgo builds
		 * where C code puts runtime.text after the start of .text. PIE and
		 * some static builds leave it 0 for the loader; there Go's text
		 * starts the .text section. Without either we do not guess.
		 */
		int rc = tt_pcln_init(&es->pcln, es->pcln_buf, es->pcln_len, 0);
		if (rc == 0 && es->pcln.ver >= TT_PCLN_118 && es->pcln.text_start == 0)
			rc = tt_pcln_init(&es->pcln, es->pcln_buf, es->pcln_len, es->text_addr);
		if (rc == 0 && (es->pcln.ver < TT_PCLN_118 || es->pcln.text_start != 0) &&
		    pcln_fits_text(es, &es->pcln)) {
			es->has_pcln = true;
			es->mem += es->pcln_len;
			return;
		}
		free(es->pcln_buf);
		es->pcln_buf = NULL;
		es->pcln_len = 0;
	}
}

/*
 * No section headers at all (some stripped builds): look for the table in
 * the non-executable loaded segments by its magic and a sane header. Here
 * the header's own text start is all there is, so the range check decides.
 */
static void scan_pcln(const struct raw_src *src, struct tt_elfsyms *es)
{
	for (int i = 0; i < es->nsegs && !es->has_pcln; i++) {
		const struct tt_elf_seg *s = &es->segs[i];
		if ((s->flags & PF_X) || s->filesz < 16 || s->filesz > TT_ELF_MAX_SECTION)
			continue;
		uint8_t *buf = malloc(s->filesz);
		if (!buf)
			return;
		if (raw_read(src, s->off, buf, s->filesz) != 0) {
			free(buf);
			continue;
		}
		long at = tt_pcln_scan(buf, s->filesz, NULL);
		if (at >= 0) {
			size_t n = s->filesz - (size_t)at;
			memmove(buf, buf + at, n);
			/* 1.18+ need the header's text start; older tables hold absolute PCs */
			if (tt_pcln_init(&es->pcln, buf, n, 0) == 0 &&
			    (es->pcln.ver < TT_PCLN_118 || es->pcln.text_start != 0) &&
			    pcln_fits_text(es, &es->pcln)) {
				es->pcln_buf = buf;
				es->pcln_len = n;
				es->has_pcln = es->is_go = true;
				es->mem += n;
				return;
			}
			memset(&es->pcln, 0, sizeof(es->pcln));
		}
		free(buf);
	}
}

/* PT_LOAD segments whose extents do not wrap, up to TT_ELF_MAX_SEGS. */
static void load_segments(Elf *e, struct tt_elfsyms *es)
{
	size_t nph;

	if (elf_getphdrnum(e, &nph) != 0)
		return;
	for (size_t i = 0; i < nph && es->nsegs < TT_ELF_MAX_SEGS; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (ph.p_offset > UINT64_MAX - ph.p_filesz || ph.p_vaddr > UINT64_MAX - ph.p_memsz)
			continue;
		es->segs[es->nsegs++] = (struct tt_elf_seg){ph.p_offset, ph.p_vaddr, ph.p_filesz,
		                                            ph.p_memsz, ph.p_flags};
	}
}

/* The first section of a type, or NULL. */
static Elf_Scn *first_of_type(Elf *e, GElf_Word type, GElf_Shdr *sh)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(e, scn)) != NULL)
		if (gelf_getshdr(scn, sh) && sh->sh_type == type)
			return scn;
	return NULL;
}

/* .symtab, or .dynsym when .symtab is missing or has no functions. */
static int load_symbols(Elf *e, struct tt_elfsyms *es)
{
	GElf_Shdr sh;
	Elf_Scn *scn = first_of_type(e, SHT_SYMTAB, &sh);
	int err;

	if (scn) {
		err = load_symtab(e, scn, &sh, es, false);
		if (err != -ENOENT)
			return err;
	}
	scn = first_of_type(e, SHT_DYNSYM, &sh);
	if (!scn)
		return -ENOENT;
	err = load_symtab(e, scn, &sh, es, true);
	es->from_dynsym = err == 0;
	return err;
}

static int load_elf(Elf *e, const struct raw_src *src, struct tt_elfsyms **out)
{
	GElf_Ehdr eh;
	GElf_Shdr sh;
	struct tt_elfsyms *es;
	int err;

	*out = NULL;
	if (elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh))
		return -ENOEXEC;
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
		return -ENOEXEC;
	es = calloc(1, sizeof(*es));
	if (!es)
		return -ENOMEM;
	es->e_type = eh.e_type;
	es->mem = sizeof(*es);
	load_segments(e, es);
	if (find_section(e, ".text", &sh) && sh.sh_type == SHT_PROGBITS) {
		es->text_addr = sh.sh_addr;
		es->text_size = sh.sh_size;
	}
	if (find_section(e, ".go.buildinfo", &sh) || find_section(e, ".note.go.buildid", &sh))
		es->is_go = true;
	load_pcln(e, es);
	size_t nsec = 0;
	if (!es->has_pcln && (elf_getshdrnum(e, &nsec) != 0 || nsec == 0))
		scan_pcln(src, es);

	err = load_symbols(e, es);
	if (err == -ENOMEM) {
		tt_elfsyms_free(es);
		return err;
	}
	if (err != 0) { /* no usable table: keep what we have (pclntab, segments) */
		free(es->syms);
		free(es->strs);
		es->syms = NULL;
		es->strs = NULL;
		es->nsyms = 0;
	}
	*out = es;
	return 0;
}

int tt_elfsyms_load_fd(int fd, struct tt_elfsyms **out)
{
	Elf *e;
	int r;

	elf_init_once();
	*out = NULL;
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e)
		return -ENOEXEC;
	struct raw_src src = {fd, NULL, 0};
	r = load_elf(e, &src, out);
	elf_end(e);
	return r;
}

int tt_elfsyms_load_mem(const void *buf, size_t len, struct tt_elfsyms **out)
{
	Elf *e;
	char *copy;
	int r;

	elf_init_once();
	*out = NULL;
	if (!buf || len == 0)
		return -ENOEXEC;
	copy = malloc(len); /* elf_memory wants writable memory */
	if (!copy)
		return -ENOMEM;
	memcpy(copy, buf, len);
	e = elf_memory(copy, len);
	if (!e) {
		free(copy);
		return -ENOEXEC;
	}
	struct raw_src src = {-1, buf, len};
	r = load_elf(e, &src, out);
	elf_end(e);
	free(copy);
	return r;
}

void tt_elfsyms_free(struct tt_elfsyms *es)
{
	if (!es)
		return;
	free(es->syms);
	free(es->strs);
	free(es->pcln_buf);
	free(es);
}

int tt_elfsyms_off_to_vaddr(const struct tt_elfsyms *es, uint64_t off, uint64_t *vaddr)
{
	for (int i = 0; i < es->nsegs; i++) {
		const struct tt_elf_seg *s = &es->segs[i];
		if (off >= s->off && off - s->off < s->filesz) {
			*vaddr = off - s->off + s->vaddr;
			return 0;
		}
	}
	return -ENOENT;
}

int tt_elfsyms_vaddr_to_off(const struct tt_elfsyms *es, uint64_t vaddr, uint64_t *off)
{
	for (int i = 0; i < es->nsegs; i++) {
		const struct tt_elf_seg *s = &es->segs[i];
		if (vaddr >= s->vaddr && vaddr - s->vaddr < s->filesz) {
			*off = vaddr - s->vaddr + s->off;
			return 0;
		}
	}
	return -ENOENT;
}

static void copy_str(char *dst, size_t n, const char *src)
{
	size_t l = strnlen(src, n - 1);

	memcpy(dst, src, l);
	dst[l] = 0;
}

int tt_elfsyms_lookup(const struct tt_elfsyms *es, uint64_t vaddr, struct tt_elf_hit *hit)
{
	memset(hit, 0, sizeof(*hit));
	if (es->has_pcln) {
		struct tt_pcln_func f;
		if (tt_pcln_lookup(&es->pcln, vaddr, &f) == 0) {
			copy_str(hit->func, sizeof(hit->func), f.name);
			copy_str(hit->file, sizeof(hit->file), f.file);
			hit->line = f.line;
			return 0;
		}
	}
	if (es->nsyms == 0)
		return -ENOENT;
	/* Last symbol starting at or below vaddr, then a few before it in case of nesting. */
	uint32_t lo = 0, hi = es->nsyms;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (es->syms[mid].start <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (uint32_t i = lo, tries = 0; i > 0 && tries < 8; i--, tries++) {
		const struct tt_elfsym *s = &es->syms[i - 1];
		if (vaddr >= s->start && vaddr < s->end && s->name < es->strs_len) {
			copy_str(hit->func, sizeof(hit->func), es->strs + s->name);
			return hit->func[0] ? 0 : -ENOENT;
		}
	}
	return -ENOENT;
}

int tt_elfsyms_find(const struct tt_elfsyms *es, const char *name, uint64_t *addr)
{
	for (uint32_t i = 0; i < es->nsyms; i++) {
		if (es->syms[i].name < es->strs_len &&
		    strcmp(es->strs + es->syms[i].name, name) == 0) {
			*addr = es->syms[i].start;
			return 0;
		}
	}
	if (es->has_pcln)
		return tt_pcln_find(&es->pcln, name, addr, NULL);
	return -ENOENT;
}
