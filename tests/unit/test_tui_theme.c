/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Theme files: parsing, errors with file:line, lookup order, colour mapping. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <limits.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "../../tui/theme.h"

static char err[512];

static int parse(const char *text, struct tt_theme *t)
{
	tt_theme_builtin(0, t);
	err[0] = '\0';
	return tt_theme_parse(text, strlen(text), "x.theme", t, err, sizeof(err));
}

static void test_builtins(void **state)
{
	static const char *names[] = {"default", "light", "mono", "high-contrast"};
	struct tt_theme t;
	int i;

	(void)state;
	assert_int_equal(tt_theme_builtin_count(), 4);
	for (i = 0; i < 4; i++) {
		assert_string_equal(tt_theme_builtin_name(i), names[i]);
		assert_int_equal(tt_theme_builtin_find(names[i]), i);
		assert_int_equal(tt_theme_builtin(i, &t), 0);
		assert_string_equal(t.name, names[i]);
	}
	assert_null(tt_theme_builtin_name(4));
	assert_int_equal(tt_theme_builtin(4, &t), -1);
	assert_int_equal(tt_theme_builtin_find("nope"), -1);
	/* the default really is coloured, mono really is not */
	tt_theme_builtin(0, &t);
	assert_int_equal(t.el[TT_EL_HEADER].bg, 4); /* blue */
	tt_theme_builtin(2, &t);
	for (i = 0; i < TT_EL_NR; i++) {
		assert_int_equal(t.el[i].fg, TT_COLOR_DEFAULT);
		assert_int_equal(t.el[i].bg, TT_COLOR_DEFAULT);
	}
	assert_true(t.el[TT_EL_ROW_SELECTED].attrs & TT_ATTR_REVERSE);
}

/* One source of truth: the compiled-in text is exactly the shipped file's. */
static void test_builtins_match_files(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < tt_theme_builtin_count(); i++) {
		char path[256], *buf;
		struct tt_theme a, b;
		FILE *f;
		long n;

		snprintf(path, sizeof(path), "themes/%s.theme", tt_theme_builtin_name(i));
		f = fopen(path, "r");
		if (!f)
			skip(); /* not run from the source tree */
		fseek(f, 0, SEEK_END);
		n = ftell(f);
		rewind(f);
		buf = calloc(1, (size_t)n + 1);
		assert_non_null(buf);
		assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
		fclose(f);
		tt_theme_builtin(0, &a);
		assert_int_equal(tt_theme_parse(buf, (size_t)n, path, &a, err, sizeof(err)), 0);
		tt_theme_builtin(i, &b);
		assert_memory_equal(a.el, b.el, sizeof(a.el));
		free(buf);
	}
}

static void test_parse_ok(void **state)
{
	struct tt_theme t;

	(void)state;
	assert_int_equal(parse("# comment\n\n  row = red   blue bold underline # trailing\r\n"
	                       "header=brightred 255 reverse dim\n"
	                       "spark = bright-green bright_cyan\n"
	                       "dim = grey none normal",
	                       &t),
	                 0);
	assert_int_equal(t.el[TT_EL_ROW].fg, 1);
	assert_int_equal(t.el[TT_EL_ROW].bg, 4);
	assert_int_equal(t.el[TT_EL_ROW].attrs, TT_ATTR_BOLD | TT_ATTR_UNDERLINE);
	assert_int_equal(t.el[TT_EL_HEADER].fg, 9);
	assert_int_equal(t.el[TT_EL_HEADER].bg, 255);
	assert_int_equal(t.el[TT_EL_HEADER].attrs, TT_ATTR_REVERSE | TT_ATTR_DIM);
	assert_int_equal(t.el[TT_EL_SPARK].fg, 10);
	assert_int_equal(t.el[TT_EL_SPARK].bg, 14);
	assert_int_equal(t.el[TT_EL_DIM].fg, 8);
	assert_int_equal(t.el[TT_EL_DIM].bg, TT_COLOR_DEFAULT);
	/* untouched elements keep the default theme's values */
	assert_int_equal(t.el[TT_EL_TABLE_HEAD].bg, 2);
	assert_int_equal(parse("", &t), 0);
}

static void test_parse_errors(void **state)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
	    {"# c\nheader = white blue\nrow = purpel default\n",
	     "x.theme:3: unknown colour 'purpel'"},
	    {"rowz = red blue\n", "x.theme:1: unknown element 'rowz'"},
	    {"\n\nrow red blue\n", "x.theme:3: expected 'element = fg bg [attrs...]'"},
	    {"row = red\n", "x.theme:1: 'row' needs a foreground and a background colour"},
	    {"row = red blue blink\n", "x.theme:1: unknown attribute 'blink'"},
	    {"row = 256 blue\n", "x.theme:1: unknown colour '256'"},
	    {"row = -1 blue\n", "x.theme:1: unknown colour '-1'"},
	    {"row = 0012 blue\n", "x.theme:1: unknown colour '0012'"},
	    {"row = red blue bold bold bold bold bold\n", "x.theme:1: too many words for 'row'"},
	    {"row = \x1b[31m blue\n", "x.theme:1: unknown colour '?[31m'"},
	    {"row = brightpurple blue\n", "x.theme:1: unknown colour 'brightpurple'"},
	};
	struct tt_theme t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i].text, &t), -1);
		assert_string_equal(err, bad[i].msg);
	}
	/* NUL inside and an overlong line */
	tt_theme_builtin(0, &t);
	assert_int_equal(tt_theme_parse("row = red\0 blue\n", 16, "n.theme", &t, err, sizeof(err)),
	                 -1);
	assert_string_equal(err, "n.theme:1: NUL byte in theme");
	{
		char *longl = malloc(2000);

		assert_non_null(longl);
		memset(longl, ' ', 1999);
		longl[1999] = '\0';
		memcpy(longl + 1000, "row = red blue", 14);
		assert_int_equal(parse(longl, &t), -1);
		assert_string_equal(err, "x.theme:1: line too long");
		free(longl);
	}
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_load_lookup(void **state)
{
	char dir[] = "/tmp/tt-theme-XXXXXX", old[PATH_MAX], path[PATH_MAX + 32];
	struct tt_theme t;

	(void)state;
	assert_non_null(getcwd(old, sizeof(old)));
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chdir(dir), 0);

	/* built-in by name when ./themes has nothing */
	assert_int_equal(tt_theme_load("light", &t, err, sizeof(err)), 0);
	assert_string_equal(t.name, "light");
	/* ./themes/NAME.theme wins over the built-in */
	assert_int_equal(mkdir("themes", 0700), 0);
	write_file("themes/light.theme", "row = 201 22\n");
	assert_int_equal(tt_theme_load("light", &t, err, sizeof(err)), 0);
	assert_int_equal(t.el[TT_EL_ROW].fg, 201);
	/* a path, with a broken line: error names file and line, *t is the default */
	write_file("bad.theme", "row = red blue\n\nheader = white purpel\n");
	assert_int_equal(tt_theme_load("./bad.theme", &t, err, sizeof(err)), -1);
	assert_string_equal(err, "./bad.theme:3: unknown colour 'purpel'");
	assert_int_equal(t.el[TT_EL_ROW].fg, TT_COLOR_DEFAULT);
	assert_int_equal(tt_theme_check("bad.theme", err, sizeof(err)), -1);
	assert_int_equal(tt_theme_check("./themes/light.theme", err, sizeof(err)), 0);
	assert_int_equal(tt_theme_load("./themes/light.theme", &t, err, sizeof(err)), 0);
	assert_string_equal(t.name, "light");
	write_file("x.theme.old", "row = red blue\n");
	assert_int_equal(tt_theme_load("./x.theme.old", &t, err, sizeof(err)), 0);
	assert_string_equal(t.name, "x.theme.old");
	unlink("x.theme.old");
	/* unknown names, odd names, missing files, directories */
	assert_int_equal(tt_theme_check("nosuch", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown theme 'nosuch'"));
	assert_int_equal(tt_theme_check("a b", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "invalid theme name"));
	assert_int_equal(tt_theme_check("./missing.theme", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "./missing.theme"));
	assert_int_equal(tt_theme_check("./themes/", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a regular file"));
	/* empty / NULL = default */
	assert_int_equal(tt_theme_load("", &t, err, sizeof(err)), 0);
	assert_string_equal(t.name, "default");

	unlink("themes/light.theme");
	rmdir("themes");
	unlink("bad.theme");
	assert_int_equal(chdir(old), 0);
	snprintf(path, sizeof(path), "%s", dir);
	rmdir(path);
}

static void test_map_color(void **state)
{
	bool bold;

	(void)state;
	assert_int_equal(tt_theme_map_color(-1, 256, &bold), -1);
	assert_int_equal(tt_theme_map_color(200, 256, &bold), 200);
	assert_false(bold);
	assert_int_equal(tt_theme_map_color(12, 16, &bold), 12);
	assert_int_equal(tt_theme_map_color(231, 16, &bold), 15); /* cube white */
	assert_int_equal(tt_theme_map_color(196, 16, &bold), 9);  /* pure red */
	/* 8 colours: bright half is base colour + bold */
	assert_int_equal(tt_theme_map_color(9, 8, &bold), 1);
	assert_true(bold);
	assert_int_equal(tt_theme_map_color(2, 8, &bold), 2);
	assert_false(bold);
	assert_int_equal(tt_theme_map_color(232, 8, &bold), 0); /* near-black grey */
	assert_int_equal(tt_theme_map_color(21, 8, &bold), 4);  /* blue, bright: bold */
	/* no colours at all */
	assert_int_equal(tt_theme_map_color(3, 2, &bold), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_builtins),    cmocka_unit_test(test_builtins_match_files),
	    cmocka_unit_test(test_parse_ok),    cmocka_unit_test(test_parse_errors),
	    cmocka_unit_test(test_load_lookup), cmocka_unit_test(test_map_color),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
