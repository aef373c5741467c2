// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "theme.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct tt_builtin_theme {
	const char *name;
	const char *text;
};

/* Generated from themes/ by tools/gen-themes.sh (Makefile rule). */
#include "themes.h"

#define NBUILTIN ((int)(sizeof(tt_builtin_themes) / sizeof(tt_builtin_themes[0])))
#define THEME_MAX_BYTES (64 * 1024)
#define THEME_MAX_LINE 512
/* the Makefile passes $(prefix)/share/ttytop/themes, where `make install` puts them */
#ifndef TTYTOP_THEMEDIR
#define TTYTOP_THEMEDIR "/usr/local/share/ttytop/themes"
#endif
#define THEME_SYSDIR TTYTOP_THEMEDIR

static const char *el_names[TT_EL_NR] = {
    [TT_EL_HEADER] = "header",
    [TT_EL_HEADER_ALERT] = "header_alert",
    [TT_EL_TITLE] = "title",
    [TT_EL_TITLE_FOCUS] = "title_focus",
    [TT_EL_BORDER] = "border",
    [TT_EL_BORDER_FOCUS] = "border_focus",
    [TT_EL_TABLE_HEAD] = "table_head",
    [TT_EL_ROW] = "row",
    [TT_EL_ROW_SELECTED] = "row_selected",
    [TT_EL_SPARK] = "spark",
    [TT_EL_BAR_LAT] = "bar_lat",
    [TT_EL_BAR_P50] = "bar_p50",
    [TT_EL_BAR_P99] = "bar_p99",
    [TT_EL_HIST_LABEL] = "hist_label",
    [TT_EL_LOG_NORMAL] = "log_normal",
    [TT_EL_LOG_SLOW] = "log_slow",
    [TT_EL_STACK_FUNC] = "stack_func",
    [TT_EL_STACK_FILE] = "stack_file",
    [TT_EL_STACK_MODULE] = "stack_module",
    [TT_EL_STACK_ADDR] = "stack_addr",
    [TT_EL_STACK_SEP] = "stack_sep",
    [TT_EL_KEYBAR_KEY] = "keybar_key",
    [TT_EL_KEYBAR_LABEL] = "keybar_label",
    [TT_EL_STATUS] = "status",
    [TT_EL_STATUS_ERROR] = "status_error",
    [TT_EL_PROMPT] = "prompt",
    [TT_EL_HELP] = "help",
    [TT_EL_HELP_KEY] = "help_key",
    [TT_EL_DIM] = "dim",
};

static const char *color_names[8] = {"black", "red",     "green", "yellow",
                                     "blue",  "magenta", "cyan",  "white"};

static int parse_color(const char *s, short *out)
{
	const char *base = s;
	int i, off = 0;

	if (!strcmp(s, "default") || !strcmp(s, "none")) {
		*out = TT_COLOR_DEFAULT;
		return 0;
	}
	if (isdigit((unsigned char)s[0])) {
		char *end;
		long v;

		errno = 0;
		v = strtol(s, &end, 10);
		if (errno || *end || v < 0 || v > 255 || end - s > 3)
			return -1;
		*out = (short)v;
		return 0;
	}
	if (!strncmp(s, "bright", 6)) {
		base = s + 6;
		if (*base == '-' || *base == '_')
			base++;
		off = 8;
	}
	for (i = 0; i < 8; i++) {
		if (!strcmp(base, color_names[i])) {
			*out = (short)(i + off);
			return 0;
		}
	}
	if (!strcmp(s, "gray") || !strcmp(s, "grey")) {
		*out = 8;
		return 0;
	}
	return -1;
}

static int parse_attr(const char *s, unsigned *out)
{
	if (!strcmp(s, "bold"))
		*out |= TT_ATTR_BOLD;
	else if (!strcmp(s, "dim"))
		*out |= TT_ATTR_DIM;
	else if (!strcmp(s, "underline"))
		*out |= TT_ATTR_UNDERLINE;
	else if (!strcmp(s, "reverse"))
		*out |= TT_ATTR_REVERSE;
	else if (!strcmp(s, "normal") || !strcmp(s, "none"))
		;
	else
		return -1;
	return 0;
}

/* Split on blanks into at most max tokens; returns count, or max+1 if more. */
static int tokenize(char *s, char **tok, int max)
{
	int n = 0;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			return n;
		if (n == max)
			return max + 1;
		tok[n++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
		if (*s)
			*s++ = '\0';
	}
}

/* Printable copy of a token for an error message: the file is not trusted. */
static const char *safe_tok(const char *s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < len && i < 32; i++)
		buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}

static int parse_line(char *line, struct tt_theme *t, char *msg, size_t msglen)
{
	char *eq, *key, *k_end, *tok[8];
	struct tt_theme_entry e = {TT_COLOR_DEFAULT, TT_COLOR_DEFAULT, 0};
	char sb[40];
	int el, i, n;

	eq = strchr(line, '=');
	if (!eq) {
		snprintf(msg, msglen, "expected 'element = fg bg [attrs...]'");
		return -1;
	}
	*eq = '\0';
	key = line;
	while (*key == ' ' || *key == '\t')
		key++;
	k_end = key + strlen(key);
	while (k_end > key && (k_end[-1] == ' ' || k_end[-1] == '\t'))
		*--k_end = '\0';
	for (el = 0; el < TT_EL_NR; el++)
		if (!strcmp(key, el_names[el]))
			break;
	if (el == TT_EL_NR) {
		snprintf(msg, msglen, "unknown element '%s'", safe_tok(key, sb, sizeof(sb)));
		return -1;
	}
	n = tokenize(eq + 1, tok, 6);
	if (n > 6) {
		snprintf(msg, msglen, "too many words for '%s'", el_names[el]);
		return -1;
	}
	if (n < 2) {
		snprintf(msg, msglen, "'%s' needs a foreground and a background colour",
		         el_names[el]);
		return -1;
	}
	for (i = 0; i < 2; i++) {
		if (parse_color(tok[i], i ? &e.bg : &e.fg) < 0) {
			snprintf(msg, msglen, "unknown colour '%s'",
			         safe_tok(tok[i], sb, sizeof(sb)));
			return -1;
		}
	}
	for (i = 2; i < n; i++) {
		if (parse_attr(tok[i], &e.attrs) < 0) {
			snprintf(msg, msglen, "unknown attribute '%s'",
			         safe_tok(tok[i], sb, sizeof(sb)));
			return -1;
		}
	}
	t->el[el] = e;
	return 0;
}

int tt_theme_parse(const char *text, size_t len, const char *srcname, struct tt_theme *t, char *err,
                   size_t errlen)
{
	char line[THEME_MAX_LINE + 2], msg[160];
	size_t pos = 0;
	int lineno = 0;

	if (!srcname)
		srcname = "theme";
	if (len > THEME_MAX_BYTES) {
		snprintf(err, errlen, "%s: file too large (max %d bytes)", srcname,
		         THEME_MAX_BYTES);
		return -1;
	}
	while (pos < len) {
		size_t n = 0;
		char *hash;

		lineno++;
		while (pos < len && text[pos] != '\n') {
			if (text[pos] == '\0') {
				snprintf(err, errlen, "%s:%d: NUL byte in theme", srcname, lineno);
				return -1;
			}
			if (n > THEME_MAX_LINE) {
				snprintf(err, errlen, "%s:%d: line too long", srcname, lineno);
				return -1;
			}
			line[n++] = text[pos++];
		}
		pos++; /* the newline */
		line[n] = '\0';
		if (n && line[n - 1] == '\r')
			line[--n] = '\0';
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		if (line[strspn(line, " \t")] == '\0')
			continue;
		if (parse_line(line, t, msg, sizeof(msg)) < 0) {
			snprintf(err, errlen, "%s:%d: %s", srcname, lineno, msg);
			return -1;
		}
	}
	return 0;
}

int tt_theme_builtin_count(void)
{
	return NBUILTIN;
}

const char *tt_theme_builtin_name(int i)
{
	return (i >= 0 && i < NBUILTIN) ? tt_builtin_themes[i].name : NULL;
}

int tt_theme_builtin_find(const char *name)
{
	int i;

	for (i = 0; i < NBUILTIN; i++)
		if (!strcmp(name, tt_builtin_themes[i].name))
			return i;
	return -1;
}

static void theme_blank(struct tt_theme *t)
{
	int i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < TT_EL_NR; i++) {
		t->el[i].fg = TT_COLOR_DEFAULT;
		t->el[i].bg = TT_COLOR_DEFAULT;
	}
}

int tt_theme_builtin(int i, struct tt_theme *t)
{
	char err[256];

	if (i < 0 || i >= NBUILTIN)
		return -1;
	theme_blank(t);
	/* Elements a non-default built-in leaves out come from the default. */
	if (i != 0 && tt_theme_parse(tt_builtin_themes[0].text, strlen(tt_builtin_themes[0].text),
	                             "built-in default", t, err, sizeof(err)) < 0)
		return -1;
	if (tt_theme_parse(tt_builtin_themes[i].text, strlen(tt_builtin_themes[i].text),
	                   tt_builtin_themes[i].name, t, err, sizeof(err)) < 0)
		return -1;
	snprintf(t->name, sizeof(t->name), "%s", tt_builtin_themes[i].name);
	return 0;
}

static int read_file(const char *path, char **out, size_t *outlen, char *err, size_t errlen)
{
	struct stat st;
	ssize_t r;
	size_t got = 0;
	char *buf;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	if (st.st_size > THEME_MAX_BYTES) {
		snprintf(err, errlen, "%s: file too large (max %d bytes)", path, THEME_MAX_BYTES);
		close(fd);
		return -1;
	}
	buf = malloc(THEME_MAX_BYTES + 1);
	if (!buf) {
		snprintf(err, errlen, "%s: out of memory", path);
		close(fd);
		return -1;
	}
	/* Read up to the cap even if the file grew since fstat. */
	while (got < THEME_MAX_BYTES + 1) {
		r = read(fd, buf + got, THEME_MAX_BYTES + 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			free(buf);
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	*out = buf;
	*outlen = got;
	return 0;
}

static bool valid_name(const char *s)
{
	size_t i;

	if (!*s || strlen(s) >= 64)
		return false;
	for (i = 0; s[i]; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return false;
	return true;
}

static int load_path(const char *path, const char *display, struct tt_theme *t, char *err,
                     size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (read_file(path, &text, &len, err, errlen) < 0)
		return -1;
	rc = tt_theme_parse(text, len, display, t, err, errlen);
	free(text);
	return rc;
}

int tt_theme_load(const char *spec, struct tt_theme *t, char *err, size_t errlen)
{
	static const char *dirs[] = {"themes", THEME_SYSDIR};
	char path[4096];
	const char *base;
	size_t sl, bl;
	int i, b;

	if (tt_theme_builtin(0, t) < 0) {
		snprintf(err, errlen, "built-in default theme is broken");
		return -1;
	}
	if (!spec || !*spec || !strcmp(spec, "default"))
		spec = "default";
	sl = strlen(spec);
	if (strchr(spec, '/') || (sl > 6 && !strcmp(spec + sl - 6, ".theme"))) {
		struct tt_theme tmp = *t;

		if (load_path(spec, spec, &tmp, err, errlen) < 0)
			return -1; /* *t stays the default */
		*t = tmp;
		base = strrchr(spec, '/');
		base = base ? base + 1 : spec;
		bl = strlen(base);
		if (bl > 6 && !strcmp(base + bl - 6, ".theme"))
			bl -= 6; /* "themes/x.theme" is called "x" */
		snprintf(t->name, sizeof(t->name), "%.*s", (int)(bl < 63 ? bl : 63), base);
		return 0;
	}
	if (!valid_name(spec)) {
		snprintf(err, errlen, "invalid theme name (letters, digits, '-', '_')");
		return -1;
	}
	for (i = 0; i < 2; i++) {
		struct tt_theme tmp = *t;

		snprintf(path, sizeof(path), "%s/%s.theme", dirs[i], spec);
		if (access(path, F_OK) < 0)
			continue;
		if (load_path(path, path, &tmp, err, errlen) < 0)
			return -1;
		*t = tmp;
		snprintf(t->name, sizeof(t->name), "%s", spec);
		return 0;
	}
	b = tt_theme_builtin_find(spec);
	if (b >= 0 && tt_theme_builtin(b, t) == 0)
		return 0;
	tt_theme_builtin(0, t);
	snprintf(err, errlen, "unknown theme '%s' (not in ./themes, %s, or built-in)", spec,
	         THEME_SYSDIR);
	return -1;
}

int tt_theme_check(const char *spec, char *err, size_t errlen)
{
	struct tt_theme t;

	return tt_theme_load(spec, &t, err, errlen);
}

/* xterm's palette, to pick the nearest colour a smaller terminal has. */
static void rgb_of(int c, int *r, int *g, int *b)
{
	static const unsigned char base16[16][3] = {
	    {0, 0, 0},       {205, 0, 0},   {0, 205, 0},   {205, 205, 0},
	    {0, 0, 238},     {205, 0, 205}, {0, 205, 205}, {229, 229, 229},
	    {127, 127, 127}, {255, 0, 0},   {0, 255, 0},   {255, 255, 0},
	    {92, 92, 255},   {255, 0, 255}, {0, 255, 255}, {255, 255, 255},
	};
	static const int lvl[6] = {0, 95, 135, 175, 215, 255};

	if (c < 16) {
		*r = base16[c][0];
		*g = base16[c][1];
		*b = base16[c][2];
	} else if (c < 232) {
		c -= 16;
		*r = lvl[c / 36];
		*g = lvl[(c / 6) % 6];
		*b = lvl[c % 6];
	} else {
		*r = *g = *b = 8 + 10 * (c - 232);
	}
}

static short nearest(int c, int limit)
{
	int r, g, b, i, best = 0;
	long bestd = -1;

	rgb_of(c, &r, &g, &b);
	for (i = 0; i < limit; i++) {
		int r2, g2, b2;
		long d;

		rgb_of(i, &r2, &g2, &b2);
		d = (long)(r - r2) * (r - r2) + (long)(g - g2) * (g - g2) +
		    (long)(b - b2) * (b - b2);
		if (bestd < 0 || d < bestd) {
			bestd = d;
			best = i;
		}
	}
	return (short)best;
}

short tt_theme_map_color(short c, int ncolors, bool *bold)
{
	if (bold)
		*bold = false;
	if (c < 0 || ncolors < 8)
		return TT_COLOR_DEFAULT;
	if (c < ncolors && (ncolors >= 256 || c < 16))
		return c;
	if (c >= 16)
		c = nearest(c, ncolors >= 16 ? 16 : 16);
	if (c >= 8 && ncolors < 16) {
		/* 8-colour terminals show the bright half as bold. */
		if (bold)
			*bold = true;
		c -= 8;
	}
	return c;
}
