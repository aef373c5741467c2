/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The action table (tui/actions.c) against itself, the dispatch, the key
 * bar and docs/dashboard.md: a key added to the table but not to the docs'
 * Keys section (or documented there but missing from the table) fails here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <unistd.h>
#include <ctype.h>
#include <cmocka.h>

#include "../../tui/actions.h"

#define MAX_DOC (256 * 1024)

static const char *argv0;

static int code_of(int k)
{
	return k & TT_KEY_MASK;
}

/* Does the action's help key column hold tok as one of its words? */
static bool label_has(const char *label, const char *tok)
{
	size_t n = strlen(tok);
	const char *p = label;

	while ((p = strstr(p, tok))) {
		if ((p == label || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
		p++;
	}
	return false;
}

/* Every word of the help column names a listed key, and every listed key is named. */
static void test_labels_match_keys(void **state)
{
	char b[16], lab[64], *tok, *save;
	int i, j;

	(void)state;
	for (i = 0; i < tt_nactions; i++) {
		const struct tt_action *a = &tt_actions[i];

		for (j = 0; j < TT_ACTION_KEYS && a->k[j]; j++) {
			const char *n = tt_key_name(code_of(a->k[j]), false, b, sizeof(b));

			assert_non_null(n);
			if (!(a->k[j] & TT_KQUIET) && !label_has(a->keys, n))
				fail_msg("action %s: key %s is not in its help line '%s'", a->name,
				         n, a->keys);
		}
		snprintf(lab, sizeof(lab), "%s", a->keys);
		for (tok = strtok_r(lab, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			bool found = false;

			for (j = 0; j < TT_ACTION_KEYS && a->k[j]; j++) {
				const char *n = tt_key_name(code_of(a->k[j]), false, b, sizeof(b));

				found |= !(a->k[j] & TT_KQUIET) && n && !strcmp(n, tok);
			}
			if (!found)
				fail_msg("action %s: '%s' in its help line is none of its keys",
				         a->name, tok);
		}
	}
}

/* One key, one action; a handler exactly where some key is not the pane's. */
static void test_each_key_once(void **state)
{
	int i, j, i2, j2;

	(void)state;
	for (i = 0; i < tt_nactions; i++) {
		const struct tt_action *a = &tt_actions[i];
		bool global = false;

		for (j = 0; j < TT_ACTION_KEYS && a->k[j]; j++) {
			global |= !(a->k[j] & TT_KPANE);
			for (i2 = 0; i2 < tt_nactions; i2++)
				for (j2 = 0; j2 < TT_ACTION_KEYS && tt_actions[i2].k[j2]; j2++)
					if ((i2 != i || j2 != j) &&
					    code_of(tt_actions[i2].k[j2]) == code_of(a->k[j]))
						fail_msg("key %#x is bound by %s and %s",
						         code_of(a->k[j]), a->name,
						         tt_actions[i2].name);
		}
		if (global != (a->run != NULL))
			fail_msg("action %s: handler %s but %s keys of its own", a->name,
			         a->run ? "set" : "NULL", global ? "has" : "no");
		assert_non_null(a->help);
	}
}

/* The bar: places 1..n, each showing a key its action runs. */
static void test_keybar(void **state)
{
	char bar[256] = "", b[16];
	int pos, x, n = 0;

	(void)state;
	for (pos = 1; tt_action_bar(pos); pos++) {
		const struct tt_action *a = tt_action_bar(pos);
		const char *name = tt_key_name(a->bar_code, false, b, sizeof(b));

		assert_ptr_equal(tt_action_find(a->bar_code), a);
		assert_non_null(a->bar_label);
		strcat(bar, name);
		strcat(bar, a->bar_label);
		strcat(bar, " ");
		n++;
	}
	for (pos = 0; pos < tt_nactions; pos++)
		if (tt_actions[pos].bar)
			n--;
	assert_int_equal(n, 0); /* no action placed twice or past a gap */
	/* a click anywhere on a label types that label's key */
	for (x = 0, pos = 1; bar[x]; x++) {
		const struct tt_action *a = tt_action_bar(pos);

		assert_int_equal(tt_keybar_key_at(x), a->bar_code);
		if (bar[x] == ' ')
			pos++;
	}
	assert_int_equal(tt_keybar_key_at(x), 0);
	assert_string_equal(bar, "F1Help F2Theme F3Filter F5Snapshot F6Sort F10Quit SpacePause ");
}

static struct tt_model model;

static struct tt_ui *new_ui(void)
{
	static const struct tt_opts o;
	struct tt_ui *ui = calloc(1, sizeof(*ui));

	assert_non_null(ui);
	ui->m = &model;
	ui->o = &o;
	ui->focus = TT_PANE_TERMINALS;
	ui->interval = 1.0;
	return ui;
}

static void test_dispatch(void **state)
{
	struct tt_ui *ui = new_ui();

	(void)state;
	assert_int_equal(tt_action_key(ui, 'q'), TT_QUIT);
	assert_int_equal(tt_action_key(ui, KEY_F(10)), TT_QUIT);
	assert_true(tt_action_find('q')->when_small);
	assert_false(tt_action_find('?')->when_small);
	tt_action_key(ui, KEY_F(1));
	assert_true(ui->help);
	tt_action_key(ui, '\t');
	assert_int_equal(ui->focus, TT_PANE_LOG);
	tt_action_key(ui, KEY_BTAB);
	tt_action_key(ui, KEY_BTAB);
	assert_int_equal(ui->focus, TT_PANE_HIST); /* wraps */
	assert_int_equal(tt_action_key(ui, 'r'), TT_HANDLED | TT_REDRAW);
	assert_true(ui->sort_rev);
	tt_action_key(ui, '<');
	assert_int_equal(ui->sort, TT_SORT_NR - 1);
	tt_action_key(ui, KEY_F(6));
	assert_int_equal(ui->sort, 0);
	tt_action_key(ui, 'b');
	assert_int_equal(ui->hist_kind, TT_HK_BLOCKED);
	snprintf(ui->filter, sizeof(ui->filter), "pts/1");
	tt_action_key(ui, 27);
	assert_string_equal(ui->filter, "");
	tt_action_key(ui, '=');
	assert_true(ui->interval > 1.0);
	tt_action_key(ui, '-');
	assert_true(ui->interval == 1.0);
	assert_int_equal(tt_action_key(ui, TT_KEY_CTRL('l')), TT_HANDLED | TT_REPAINT);
	/* the panes' keys are theirs: the table runs nothing for them */
	assert_int_equal(tt_action_key(ui, 'j'), 0);
	assert_int_equal(tt_action_key(ui, KEY_LEFT), 0);
	assert_int_equal(tt_action_key(ui, 'h'), 0);
	assert_int_equal(tt_action_key(ui, 'x'), 0);
	ui->replay = true;
	tt_action_key(ui, 't');
	assert_int_equal(ui->prompt, TT_PROMPT_NONE);
	assert_string_equal(ui->status, "replay: read-only");
	free(ui);
}

/* The source tree: up from the test binary, else up from the working directory. */
static bool find_tree(char *dir, size_t len)
{
	char path[PATH_MAX + 32];
	int pass, up;

	for (pass = 0; pass < 2; pass++) {
		if (pass == 0 ? !realpath(argv0, dir) : !getcwd(dir, len))
			continue;
		if (pass == 0 && strrchr(dir, '/'))
			*strrchr(dir, '/') = '\0';
		for (up = 0; up < 8 && dir[0]; up++) {
			snprintf(path, sizeof(path), "%s/tui/actions.c", dir);
			if (access(path, R_OK) == 0)
				return true;
			if (!strrchr(dir, '/'))
				break;
			*strrchr(dir, '/') = '\0';
		}
	}
	return false;
}

/* docs/dashboard.md's "## Keys" section, up to the next heading, NUL-terminated. */
static char *read_keys_section(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 32], *buf, *start, *end;
	size_t n;
	FILE *f;

	if (!find_tree(dir, sizeof(dir)))
		fail_msg("cannot find the source tree (tui/actions.c) above %s or the cwd", argv0);
	snprintf(path, sizeof(path), "%s/docs/dashboard.md", dir);
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s", path);
	buf = calloc(1, MAX_DOC + 1);
	assert_non_null(buf);
	n = fread(buf, 1, MAX_DOC, f);
	fclose(f);
	buf[n] = '\0';
	start = strstr(buf, "\n## Keys\n");
	if (!start)
		fail_msg("%s has no '## Keys' section", path);
	start += strlen("\n## Keys\n");
	end = strstr(start, "\n## ");
	if (end)
		*end = '\0';
	memmove(buf, start, strlen(start) + 1);
	return buf;
}

/* `c` for one character, else the word with no letter, digit or '-' touching it. */
static bool doc_mentions(const char *doc, const char *name)
{
	size_t n = strlen(name);
	const char *p = doc;
	char tick[8];

	if (n == 1) {
		snprintf(tick, sizeof(tick), "`%s`", name);
		return strstr(doc, tick) != NULL;
	}
	while ((p = strstr(p, name))) {
		bool before = p == doc || !(isalnum((unsigned char)p[-1]) || p[-1] == '-');
		bool after = !(isalnum((unsigned char)p[n]) || p[n] == '-');

		if (before && after)
			return true;
		p++;
	}
	return false;
}

static void test_docs_mention_every_key(void **state)
{
	char *doc = read_keys_section(), b[16];
	int i, j, missing = 0;

	(void)state;
	for (i = 0; i < tt_nactions; i++)
		for (j = 0; j < TT_ACTION_KEYS && tt_actions[i].k[j]; j++) {
			int k = tt_actions[i].k[j];
			const char *n = tt_key_name(code_of(k), true, b, sizeof(b));

			if (!(k & TT_KQUIET) && !doc_mentions(doc, n)) {
				print_error("docs/dashboard.md Keys: no %s (action %s)\n", n,
				            tt_actions[i].name);
				missing++;
			}
		}
	free(doc);
	assert_int_equal(missing, 0);
}

static bool table_has_doc_name(const char *tok)
{
	char b[16];
	int i, j;

	for (i = 0; i < tt_nactions; i++)
		for (j = 0; j < TT_ACTION_KEYS && tt_actions[i].k[j]; j++) {
			int k = tt_actions[i].k[j];
			const char *n = tt_key_name(code_of(k), true, b, sizeof(b));

			if (!(k & TT_KQUIET) && !strcmp(n, tok))
				return true;
		}
	return false;
}

/* The key column of the docs' table names only keys the table has. */
static void test_docs_keys_exist(void **state)
{
	char *doc = read_keys_section(), *line, *save, *tok, *save2, *col;
	int rows = 0, unknown = 0;

	(void)state;
	for (line = strtok_r(doc, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] != '|' || !(col = strchr(line + 1, '|')))
			continue;
		*col = '\0';
		col = line + 1;
		if (strspn(col, " -") == strlen(col) || !strcmp(col, " key "))
			continue; /* the heading and its rule */
		rows++;
		for (tok = strtok_r(col, " ,`", &save2); tok; tok = strtok_r(NULL, " ,`", &save2))
			if (!table_has_doc_name(tok)) {
				print_error("docs/dashboard.md Keys: '%s' is no key of the table\n",
				            tok);
				unknown++;
			}
	}
	free(doc);
	assert_true(rows >= tt_nactions / 2); /* the table was read at all */
	assert_int_equal(unknown, 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_labels_match_keys),
	    cmocka_unit_test(test_each_key_once),
	    cmocka_unit_test(test_keybar),
	    cmocka_unit_test(test_dispatch),
	    cmocka_unit_test(test_docs_mention_every_key),
	    cmocka_unit_test(test_docs_keys_exist),
	};

	(void)argc;
	argv0 = argv[0];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
