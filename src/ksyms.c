// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * /proc/kallsyms reader. Only text symbols are kept: stacks hold code
 * addresses, and a data symbol placed between two functions would otherwise
 * end the preceding function's extent early or capture its addresses.
 * Without sizes, a symbol extends to the next one; the last one gets a small
 * fixed extent so that a wild address past the end is not named.
 */
#include "ksyms.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symbolize.h"

#define LAST_SYM_EXTENT 0x10000

static int is_text(char t)
{
	return t == 't' || t == 'T' || t == 'w' || t == 'W';
}

static int64_t add_name(struct tt_ksyms *k, const char *s, size_t len)
{
	if (k->names_len + len + 1 > k->names_cap) {
		size_t cap = k->names_cap ? k->names_cap * 2 : 1 << 20;
		while (cap < k->names_len + len + 1)
			cap *= 2;
		if (cap > (1u << 30))
			return -1;
		char *nn = realloc(k->names, cap);
		if (!nn)
			return -1;
		k->names = nn;
		k->names_cap = cap;
	}
	size_t at = k->names_len;
	memcpy(k->names + at, s, len);
	k->names[at + len] = 0;
	k->names_len += len + 1;
	return (int64_t)at;
}

static int ksym_cmp(const void *a, const void *b)
{
	const struct tt_ksym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* names are appended in file order: keep the first-listed alias first */
	return x->name < y->name ? -1 : x->name > y->name;
}

/* One kallsyms line: "ffffffff81000000 T _stext" or "... t fn\t[mod]". */
static int parse_line(char *line, uint64_t *addr, char *type, char **name, char **mod)
{
	char *end;

	*addr = strtoull(line, &end, 16);
	if (end == line || *end != ' ' || !end[1] || end[2] != ' ')
		return -1;
	*type = end[1];
	*name = end + 3;
	*mod = NULL;
	char *tab = strchr(*name, '\t');
	if (tab) {
		*tab = 0;
		char *m = tab + 1;
		if (*m == '[') {
			m++;
			char *close = strchr(m, ']');
			if (close)
				*close = 0;
			*mod = m;
		}
	}
	char *nl = strchr(*name, '\n');
	if (nl)
		*nl = 0;
	nl = *mod ? strchr(*mod, '\n') : NULL;
	if (nl)
		*nl = 0;
	return **name ? 0 : -1;
}

int tt_ksyms_load(const char *path, struct tt_ksyms **out)
{
	FILE *f;
	char line[512];
	size_t cap = 0;
	struct tt_ksyms *k;
	const char *last_mod = NULL;
	uint32_t last_mod_off = 0;

	*out = NULL;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	k = calloc(1, sizeof(*k));
	if (!k || add_name(k, "kernel", 6) != 0) {
		free(k);
		fclose(f);
		return -ENOMEM;
	}
	while (fgets(line, sizeof(line), f)) {
		uint64_t addr;
		char type, *name, *mod;
		if (!strchr(line, '\n') && !feof(f)) { /* overlong line: skip the rest */
			int c;
			while ((c = fgetc(f)) != EOF && c != '\n')
				;
			continue;
		}
		if (parse_line(line, &addr, &type, &name, &mod) || !is_text(type) || addr == 0)
			continue;
		if (k->n >= TT_KSYMS_MAX)
			break;
		if (k->n == cap) {
			size_t nc = cap ? cap * 2 : 65536;
			struct tt_ksym *ns = realloc(k->syms, nc * sizeof(*ns));
			if (!ns)
				break;
			k->syms = ns;
			cap = nc;
		}
		int64_t noff = add_name(k, name, strlen(name));
		if (noff < 0)
			break;
		uint32_t moff = 0;
		if (mod) {
			/* kallsyms lists a module's symbols together: reuse its name. */
			if (!last_mod || strcmp(k->names + last_mod_off, mod) != 0) {
				int64_t m = add_name(k, mod, strlen(mod));
				if (m < 0)
					break;
				last_mod_off = (uint32_t)m;
				last_mod = k->names + last_mod_off;
			}
			moff = last_mod_off;
		}
		k->syms[k->n++] = (struct tt_ksym){addr, (uint32_t)noff, moff};
	}
	fclose(f);
	if (k->n == 0) {
		tt_ksyms_free(k);
		return -ENOENT; /* e.g. kptr_restrict hides addresses (all zero) */
	}
	qsort(k->syms, k->n, sizeof(*k->syms), ksym_cmp);
	*out = k;
	return 0;
}

void tt_ksyms_free(struct tt_ksyms *k)
{
	if (!k)
		return;
	free(k->syms);
	free(k->names);
	free(k);
}

int tt_ksyms_lookup(const struct tt_ksyms *k, uint64_t addr, const char **name, const char **module)
{
	size_t lo = 0, hi;

	if (!k || k->n == 0)
		return -ENOENT;
	hi = k->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (k->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return -ENOENT;
	size_t i = lo - 1;
	/* Several names at one address: the first listed kernel one sorts first. */
	while (i > 0 && k->syms[i - 1].addr == k->syms[i].addr)
		i--;
	uint64_t limit = lo < k->n ? k->syms[lo].addr : k->syms[i].addr + LAST_SYM_EXTENT;
	if (addr >= limit)
		return -ENOENT;
	*name = k->names + k->syms[i].name;
	*module = k->names + k->syms[i].module;
	return 0;
}

int tt_ksym_lookup_addrs(const char *const *names, uint64_t *addrs, int n)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[512];
	int found = 0;

	for (int i = 0; i < n; i++)
		addrs[i] = 0;
	if (!f)
		return -errno;
	/* one pass: reading /proc/kallsyms costs tens of ms each time */
	while (found < n && fgets(line, sizeof(line), f)) {
		uint64_t a;
		char type, *name, *mod;

		if (parse_line(line, &a, &type, &name, &mod) || !is_text(type) || a == 0)
			continue;
		for (int i = 0; i < n; i++) {
			if (!addrs[i] && strcmp(name, names[i]) == 0) {
				addrs[i] = a;
				found++;
			}
		}
	}
	fclose(f);
	return found;
}

int tt_ksym_lookup_addr(const char *name, uint64_t *addr)
{
	return tt_ksym_lookup_addrs(&name, addr, 1) == 1 ? 0 : -ENOENT;
}
