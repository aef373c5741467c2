// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * /proc/kallsyms reader. Only text symbols are kept: stacks hold code
 * addresses, and a data symbol placed between two functions would otherwise
 * end the preceding function's extent early or capture its addresses.
 * Without sizes, a symbol extends to the next one; the last one gets a small
 * fixed extent so that a wild address past the end is not named.
 *
 * Because extents come from the next symbol, a text line we cannot read in
 * full (overlong, odd bytes) must still end the previous extent: it is kept
 * as a nameless symbol, looked up as "unresolved" rather than dropped, which
 * would hand its addresses to its predecessor. For the same reason a table we
 * could not read completely (caps, memory) is refused as a whole.
 */
#include "ksyms.h"

#include <errno.h>
#include <malloc.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "symbolize.h"

#define LAST_SYM_EXTENT 0x10000
#define NAMES_MAX (1u << 30)
#define NO_NAME UINT32_MAX /* a text symbol whose name we could not read */
#define LINE_BUF 4096      /* KSYM_NAME_LEN (512) + module name fit easily */
#define MOD_NAME_MAX 255

static bool is_text(char t)
{
	return t == 't' || t == 'T' || t == 'w' || t == 'W';
}

static int64_t add_name(struct tt_ksyms *k, const char *s, size_t len)
{
	if (len >= NAMES_MAX || k->names_len > NAMES_MAX - len - 1)
		return -1;
	if (k->names_len + len + 1 > k->names_cap) {
		size_t cap = k->names_cap ? k->names_cap * 2 : 1 << 16;
		while (cap < k->names_len + len + 1)
			cap *= 2;
		if (cap > NAMES_MAX)
			cap = NAMES_MAX;
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
	/* names are appended in file order: keep the first-listed alias first
	 * (NO_NAME sorts after every real name) */
	return x->name < y->name ? -1 : x->name > y->name;
}

/* A symbol or module name as the kernel prints it: no blanks or control bytes. */
static bool clean_name(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return false;
	return true;
}

struct kline {
	uint64_t addr;
	char type;
	const char *name, *mod; /* not NUL-terminated; name NULL: unreadable */
	size_t name_len, mod_len;
};

/*
 * "ffffffff81000000 T _stext" or "... t fn\t[mod]" (s is not NUL-terminated).
 * cut: the line went on past len. -1 unless address and type parse; a name
 * that cannot be trusted is reported as NULL.
 */
static int parse_line(const char *s, size_t len, bool cut, struct kline *l)
{
	size_t i = 0;
	uint64_t a = 0;

	memset(l, 0, sizeof(*l));
	for (; i < len && i < 17; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9'   ? c - '0'
		        : c >= 'a' && c <= 'f' ? c - 'a' + 10
		        : c >= 'A' && c <= 'F' ? c - 'A' + 10
		                               : -1;
		if (d < 0)
			break;
		a = a << 4 | (uint64_t)d;
	}
	if (i == 0 || i > 16 || len - i < 3 || s[i] != ' ' || s[i + 2] != ' ')
		return -1;
	l->addr = a;
	l->type = s[i + 1];
	const char *p = s + i + 3, *end = s + len;
	const char *tab = memchr(p, '\t', (size_t)(end - p));
	const char *nend = tab ? tab : end;
	if ((!tab && cut) || !clean_name(p, (size_t)(nend - p)))
		return 0; /* the name ran past our buffer or is not a name */
	if (tab) {
		const char *m = tab + 1;
		const char *close = m < end ? memchr(m, ']', (size_t)(end - m)) : NULL;
		if (m >= end || *m != '[' || !close || (size_t)(close - m - 1) > MOD_NAME_MAX ||
		    !clean_name(m + 1, (size_t)(close - m - 1)))
			return 0; /* a module we cannot name: do not call it the kernel */
		l->mod = m + 1;
		l->mod_len = (size_t)(close - m - 1);
	}
	l->name = p;
	l->name_len = (size_t)(nend - p);
	return 0;
}

/* Called per line; nonzero stops the walk and is returned by it. */
typedef int (*line_fn)(void *ctx, const char *s, size_t len, bool cut);

struct text_src {
	int fd;          /* -1: read from mem */
	const char *mem; /* the fuzzer's / a test's text */
	size_t len, pos;
};

static ssize_t src_read(struct text_src *src, char *buf, size_t n)
{
	if (src->fd < 0) {
		size_t k = src->len - src->pos < n ? src->len - src->pos : n;
		memcpy(buf, src->mem + src->pos, k);
		src->pos += k;
		return (ssize_t)k;
	}
	for (;;) {
		ssize_t r = read(src->fd, buf, n);
		if (r >= 0 || errno != EINTR)
			return r;
	}
}

/*
 * Split the text into lines through a fixed buffer. A line longer than the
 * buffer is passed once, cut, and the rest of it is skipped: its tail must
 * not be read as a line of its own.
 */
static int for_each_line(struct text_src *src, line_fn fn, void *ctx)
{
	char buf[LINE_BUF];
	size_t have = 0;
	bool skipping = false;
	int rc = 0;

	for (;;) {
		ssize_t r = src_read(src, buf + have, sizeof(buf) - have);
		if (r < 0)
			return -errno;
		if (r == 0) {
			if (have && !skipping)
				rc = fn(ctx, buf, have, false);
			return rc;
		}
		have += (size_t)r;
		size_t start = 0;
		const char *nl;
		while ((nl = memchr(buf + start, '\n', have - start)) != NULL) {
			size_t l = (size_t)(nl - (buf + start));
			if (!skipping && (rc = fn(ctx, buf + start, l, false)) != 0)
				return rc;
			skipping = false;
			start += l + 1;
		}
		memmove(buf, buf + start, have - start);
		have -= start;
		if (have == sizeof(buf)) {
			if (!skipping && (rc = fn(ctx, buf, have, true)) != 0)
				return rc;
			skipping = true;
			have = 0;
		}
	}
}

struct load_ctx {
	struct tt_ksyms *k;
	size_t cap;
	bool have_mod;
	uint32_t last_mod_off;
};

static int load_line(void *ctx, const char *s, size_t len, bool cut)
{
	struct load_ctx *c = ctx;
	struct tt_ksyms *k = c->k;
	struct kline l;

	if (parse_line(s, len, cut, &l) != 0 || !is_text(l.type) || l.addr == 0)
		return 0;
	if (k->n >= TT_KSYMS_MAX)
		return -EFBIG;
	if (k->n == c->cap) {
		size_t nc = c->cap ? c->cap * 2 : 4096;
		struct tt_ksym *ns = realloc(k->syms, nc * sizeof(*ns));
		if (!ns)
			return -ENOMEM;
		k->syms = ns;
		c->cap = nc;
	}
	uint32_t noff = NO_NAME, moff = 0;
	/*
	 * Kernels built with call padding (x86 since 6.2, Debian's among them) list
	 * a __pfx_ symbol for the padding before each function: half the text
	 * symbols and 1.6 MiB of names here. Its name says no more than the
	 * function's after it, and no stack frame lands in the padding (a return
	 * address is looked up one byte back, in the caller), so it is kept only
	 * as the end of the previous function's extent, nameless.
	 */
	if (l.name && l.name_len > 6 && !memcmp(l.name, "__pfx_", 6))
		l.name = NULL;
	if (l.name) {
		int64_t o = add_name(k, l.name, l.name_len);
		if (o < 0)
			return -ENOMEM;
		noff = (uint32_t)o;
	}
	if (l.mod) {
		/* kallsyms lists a module's symbols together: reuse its name. */
		if (!c->have_mod || strlen(k->names + c->last_mod_off) != l.mod_len ||
		    memcmp(k->names + c->last_mod_off, l.mod, l.mod_len) != 0) {
			int64_t m = add_name(k, l.mod, l.mod_len);
			if (m < 0)
				return -ENOMEM;
			c->last_mod_off = (uint32_t)m;
			c->have_mod = true;
		}
		moff = c->last_mod_off;
	}
	k->syms[k->n++] = (struct tt_ksym){l.addr, noff, moff};
	return 0;
}

/*
 * The table is kept for the whole run: ~3.3 MiB on a distribution kernel. The
 * doubling left up to half of each array unused, and the growth and the sort
 * left freed holes in the heap that glibc keeps resident unless asked.
 */
static void shrink_to_fit(struct tt_ksyms *k)
{
	struct tt_ksym *s = realloc(k->syms, k->n * sizeof(*k->syms));
	char *n = realloc(k->names, k->names_len);

	if (s)
		k->syms = s;
	if (n) {
		k->names = n;
		k->names_cap = k->names_len;
	}
	malloc_trim(0);
}

static int load_src(struct text_src *src, struct tt_ksyms **out)
{
	struct tt_ksyms *k;
	int r;

	*out = NULL;
	k = calloc(1, sizeof(*k));
	if (!k || add_name(k, "kernel", 6) != 0) {
		free(k);
		return -ENOMEM;
	}
	struct load_ctx c = {k, 0, false, 0};
	r = for_each_line(src, load_line, &c);
	if (r == 0 && k->n == 0)
		r = -ENOENT; /* e.g. kptr_restrict hides addresses (all zero) */
	if (r != 0) {
		tt_ksyms_free(k);
		return r;
	}
	qsort(k->syms, k->n, sizeof(*k->syms), ksym_cmp);
	shrink_to_fit(k);
	*out = k;
	return 0;
}

int tt_ksyms_load(const char *path, struct tt_ksyms **out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*out = NULL;
	if (fd < 0)
		return -errno;
	struct text_src src = {fd, NULL, 0, 0};
	int r = load_src(&src, out);
	close(fd);
	return r;
}

int tt_ksyms_parse(const char *text, size_t len, struct tt_ksyms **out)
{
	*out = NULL;
	if (!text)
		return -EINVAL;
	struct text_src src = {-1, text, len, 0};
	return load_src(&src, out);
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
	uint64_t limit = lo < k->n ? k->syms[lo].addr
	                 : k->syms[i].addr > UINT64_MAX - LAST_SYM_EXTENT
	                     ? UINT64_MAX
	                     : k->syms[i].addr + LAST_SYM_EXTENT;
	if (addr >= limit || k->syms[i].name == NO_NAME)
		return -ENOENT;
	*name = k->names + k->syms[i].name;
	*module = k->names + k->syms[i].module;
	return 0;
}

struct addrs_ctx {
	const char *const *names;
	uint64_t *addrs;
	int n, found;
};

static int addrs_line(void *ctx, const char *s, size_t len, bool cut)
{
	struct addrs_ctx *c = ctx;
	struct kline l;

	if (parse_line(s, len, cut, &l) != 0 || !l.name || !is_text(l.type) || l.addr == 0)
		return 0;
	for (int i = 0; i < c->n; i++) {
		if (!c->addrs[i] && strlen(c->names[i]) == l.name_len &&
		    memcmp(l.name, c->names[i], l.name_len) == 0) {
			c->addrs[i] = l.addr;
			c->found++;
		}
	}
	return c->found >= c->n; /* all found: stop reading */
}

struct funcs_ctx {
	const char *const *names;
	uint64_t (*ranges)[2];
	int n, open, done;
};

/* "name" itself or a compiler clone of it ("name.constprop.0", "name.isra.0") */
static bool clone_of(const struct kline *l, const char *name)
{
	size_t n = strlen(name);

	return l->name_len >= n && memcmp(l->name, name, n) == 0 &&
	       (l->name_len == n || l->name[n] == '.');
}

static int funcs_line(void *ctx, const char *s, size_t len, bool cut)
{
	struct funcs_ctx *c = ctx;
	struct kline l;

	if (parse_line(s, len, cut, &l) != 0 || !l.name || l.mod || l.addr == 0)
		return 0;
	/* the core kernel is listed in address order: a function ends where the next begins */
	for (int i = 0; c->open && i < c->n; i++)
		if (c->ranges[i][0] && !c->ranges[i][1] && l.addr > c->ranges[i][0]) {
			c->ranges[i][1] = l.addr;
			c->open--;
			c->done++;
		}
	if (!is_text(l.type))
		return 0;
	for (int i = 0; i < c->n; i++)
		if (!c->ranges[i][0] && clone_of(&l, c->names[i])) {
			c->ranges[i][0] = l.addr;
			c->open++;
		}
	return c->done >= c->n;
}

/* Both lookups share one read of /proc/kallsyms: each read costs tens of ms. */
struct query_ctx {
	struct addrs_ctx a;
	struct funcs_ctx f;
};

static int query_line(void *ctx, const char *s, size_t len, bool cut)
{
	struct query_ctx *q = ctx;
	int a_done = q->a.found >= q->a.n, f_done = q->f.done >= q->f.n;

	if (!a_done)
		a_done = addrs_line(&q->a, s, len, cut);
	if (!f_done)
		f_done = funcs_line(&q->f, s, len, cut);
	return a_done && f_done;
}

static int query(struct text_src *src, const struct tt_ksym_query *q)
{
	struct query_ctx c = {{q->names, q->addrs, q->naddrs, 0}, {q->funcs, q->ranges, q->nfuncs, 0, 0}};
	int r;

	for (int i = 0; i < q->naddrs; i++)
		q->addrs[i] = 0;
	if (q->nfuncs > 0) /* ranges may be NULL then, and memset(NULL, 0, 0) is undefined */
		memset(q->ranges, 0, sizeof(*q->ranges) * (size_t)q->nfuncs);
	r = q->naddrs > 0 || q->nfuncs > 0 ? for_each_line(src, query_line, &c) : 0;
	if (r < 0)
		return r;
	for (int i = 0; i < q->nfuncs; i++)
		if (q->ranges[i][0] && !q->ranges[i][1])
			q->ranges[i][0] = 0; /* no end seen: better no range than a guessed one */
	return c.a.found + c.f.done;
}

int tt_ksym_query_text(const char *text, size_t len, const struct tt_ksym_query *q)
{
	struct text_src src = {-1, text, len, 0};

	return query(&src, q);
}

int tt_ksym_query(const struct tt_ksym_query *q)
{
	int fd = open("/proc/kallsyms", O_RDONLY | O_CLOEXEC), r;
	struct text_src src = {fd, NULL, 0, 0};

	if (fd < 0)
		return -errno;
	r = query(&src, q);
	close(fd);
	return r;
}

int tt_ksym_lookup_addr(const char *name, uint64_t *addr)
{
	struct tt_ksym_query q = {&name, addr, 1, NULL, NULL, 0};

	return tt_ksym_query(&q) == 1 ? 0 : -ENOENT;
}
