/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One ELF file's function symbols (.symtab, else .dynsym), its PT_LOAD map
 * (file offset <-> virtual address) and, for Go, its .gopclntab. Loaded once
 * per file into plain memory (no mmap: a file truncated under us must not
 * SIGBUS the dashboard) with every size capped.
 */
#ifndef TTYTOP_ELFSYM_H
#define TTYTOP_ELFSYM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gopclntab.h"

#define TT_ELF_MAX_SEGS 16
#define TT_ELF_MAX_SECTION (128u << 20) /* bytes copied from one section */
#define TT_ELF_MAX_SYMS (4u << 20)

struct tt_elf_seg {
	uint64_t off, vaddr, filesz, memsz;
	uint32_t flags; /* PF_X | PF_W | PF_R */
};

struct tt_elfsym {
	uint64_t start, end; /* [start, end) */
	uint32_t name;       /* offset into strs */
};

struct tt_elfsyms {
	struct tt_elfsym *syms;
	uint32_t nsyms;
	char *strs;
	size_t strs_len;
	struct tt_elf_seg segs[TT_ELF_MAX_SEGS];
	int nsegs;
	uint8_t *pcln_buf;
	size_t pcln_len;
	struct tt_pcln pcln;
	bool has_pcln;
	bool from_dynsym;
	bool is_go; /* .gopclntab, .go.buildinfo or .note.go.buildid present */
	uint16_t e_type;
	uint64_t text_addr, text_size; /* .text, 0 if no section headers */
	size_t mem;                    /* heap bytes held, for the cache's cap */
};

struct tt_elf_hit {
	char func[128];
	char file[160];
	int line;
};

/* Load from an open file (fd is not kept) or from memory (the fuzzer). */
int tt_elfsyms_load_fd(int fd, struct tt_elfsyms **out);
int tt_elfsyms_load_mem(const void *buf, size_t len, struct tt_elfsyms **out);
void tt_elfsyms_free(struct tt_elfsyms *es);

/* File offset -> link-time virtual address through PT_LOAD. 0 or -ENOENT. */
int tt_elfsyms_off_to_vaddr(const struct tt_elfsyms *es, uint64_t off, uint64_t *vaddr);
int tt_elfsyms_vaddr_to_off(const struct tt_elfsyms *es, uint64_t vaddr, uint64_t *off);

/*
 * Function (and for Go, file:line) containing a link-time address. A name is
 * given only when the address is inside the symbol's extent. 0 or -ENOENT.
 */
int tt_elfsyms_lookup(const struct tt_elfsyms *es, uint64_t vaddr, struct tt_elf_hit *hit);
/* Address of a function by name (symbols, then pclntab). 0 or -ENOENT. */
int tt_elfsyms_find(const struct tt_elfsyms *es, const char *name, uint64_t *addr);

/* Does the file have a section of that name? */
struct Elf;
bool tt_elf_has_section(struct Elf *e, const char *name);
/* Copy a named section (at most max bytes) into a new buffer. 0 or -errno. */
struct Elf;
int tt_elf_section_copy(struct Elf *e, const char *name, uint8_t **buf, size_t *len, uint64_t *addr,
                        size_t max);
/* The first (at most max) bytes of a named section, for headers. 0 or -errno. */
int tt_elf_section_head(struct Elf *e, const char *name, uint8_t **buf, size_t *len, size_t max);

#endif
