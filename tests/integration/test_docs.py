#!/usr/bin/env python3
"""docs/ttytop.8 cannot drift from the program: its OPTIONS are exactly the
options of `ttytop --help`, its KEYS exactly the keys of docs/dashboard.md
(which tests/unit/test_tui_keys.c ties to the dashboard's action table), and
it renders without warnings. Needs no root."""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from ttcase import ROOT, Skip, case, run  # noqa: E402

MAN = os.path.join(ROOT, "docs", "ttytop.8")
DASHBOARD = os.path.join(ROOT, "docs", "dashboard.md")
TTYTOP = os.environ.get("TTYTOP", os.path.join(ROOT, "ttytop"))
SECTIONS = ["NAME", "SYNOPSIS", "DESCRIPTION", "MODES", "OPTIONS", "KEYS", "FILES",
            "EXIT STATUS", "EXAMPLES", "SEE ALSO"]
OPTION = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*)")


def ttytop(*args):
    if not os.access(TTYTOP, os.X_OK):
        raise Skip(f"{TTYTOP} not built (make ttytop)")
    return subprocess.run([TTYTOP, *args], capture_output=True, text=True, timeout=10,
                          check=True).stdout


def roff_text(s):
    """A roff line's words: font escapes dropped, \\- as the ASCII minus."""
    return re.sub(r"\\f[BIRP]", "", s).replace("\\-", "-")


def man_sections():
    """{section name: [source lines]} of the man page."""
    sections, name = {}, None
    with open(MAN, encoding="utf-8") as f:
        for line in f.read().splitlines():
            if line.startswith(".SH "):
                name = line[4:].strip().strip('"')
                sections[name] = []
            elif name:
                sections[name].append(line)
    return sections


def tags(lines):
    """The tag line of every .TP (the term a paragraph describes)."""
    return [lines[i + 1] for i, line in enumerate(lines[:-1]) if line.strip() == ".TP"]


def tag_words(tag):
    """A tag's words: macro dropped, quoted arguments kept whole, then split on
    blanks and commas (`.BR q ", " Ctrl\\-C` is q and Ctrl-C)."""
    rest = tag.split(None, 1)[1] if tag.startswith(".") and " " in tag else tag
    words = []
    for quoted, bare in re.findall(r'"([^"]*)"|(\S+)', rest):
        words += [w for w in re.split(r"[\s,]+", roff_text(quoted or bare)) if w]
    return words


def help_options():
    """Every -x and --long at the head of an option line of --help."""
    opts = set()
    for line in ttytop("--help").splitlines():
        indent = len(line) - len(line.lstrip())
        if line.strip().startswith("-") and indent <= 8:
            opts.update(OPTION.findall(re.split(r"\s{2,}", line.strip())[0]))
    if not opts:
        raise AssertionError("no option found in ttytop --help")
    return opts


def man_options():
    return {o for t in tags(man_sections().get("OPTIONS", []))
            for o in OPTION.findall(roff_text(t))}


def dashboard_keys():
    """The first column of the table under docs/dashboard.md's "## Keys"."""
    with open(DASHBOARD, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"^## Keys\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    if not m:
        raise AssertionError("docs/dashboard.md has no ## Keys section")
    keys = set()
    rows = [r for r in m.group(1).splitlines() if r.startswith("|")]
    for row in rows[2:]:  # the heading and its |---| line
        cell = row.strip("|").split("|")[0]
        keys.update(w for w in re.split(r"[\s,]+", cell.replace("`", "")) if w)
    if not keys:
        raise AssertionError("no key found in docs/dashboard.md's key table")
    return keys


def man_keys():
    return {w for t in tags(man_sections().get("KEYS", [])) for w in tag_words(t)}


def differ(what, have, want, have_name, want_name):
    missing, extra = sorted(want - have), sorted(have - want)
    msg = []
    if missing:
        msg.append(f"{what} of {want_name} missing from {have_name}: {' '.join(missing)}")
    if extra:
        msg.append(f"{what} in {have_name} but not in {want_name}: {' '.join(extra)}")
    return "; ".join(msg)


@case
def test_man_has_sections():
    have = list(man_sections())
    missing = [s for s in SECTIONS if s not in have]
    assert not missing, f"sections missing from docs/ttytop.8: {missing}"
    return f"{len(have)} sections"


@case
def test_man_options_match_help():
    helpo, mano = help_options(), man_options()
    diff = differ("options", mano, helpo, "the man page's OPTIONS", "ttytop --help")
    assert not diff, diff
    return f"{len(helpo)} options"


@case
def test_man_keys_match_dashboard_md():
    docs, man = dashboard_keys(), man_keys()
    diff = differ("keys", man, docs, "the man page's KEYS", "docs/dashboard.md")
    assert not diff, diff
    return f"{len(docs)} keys"


@case
def test_man_version_matches_binary():
    th = next(line for line in open(MAN, encoding="utf-8") if line.startswith(".TH "))
    m = re.search(r'"ttytop ([^"]+)"', th)
    assert m, f"no \"ttytop VERSION\" in the .TH line: {th.strip()}"
    version = ttytop("--version").split()[1]
    assert m.group(1) == version, f".TH says {m.group(1)}, ttytop --version says {version}"
    return version


@case
def test_man_renders_without_warnings():
    if not shutil.which("groff"):
        raise Skip("groff not installed")
    r = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", MAN], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 0 and not r.stderr.strip(), f"groff: rc {r.returncode}: {r.stderr}"


@case
def test_man_l_renders_without_warnings():
    if not shutil.which("man"):
        raise Skip("man not installed")
    env = dict(os.environ, MANWIDTH="80", MAN_KEEP_FORMATTING="", LC_ALL="C.UTF-8")
    r = subprocess.run(["man", "--warnings", "-l", MAN], capture_output=True, text=True,
                       timeout=30, env=env)
    assert r.returncode == 0 and not r.stderr.strip(), f"man -l: rc {r.returncode}: {r.stderr}"
    # every option made it into the rendered text, not only the source
    missing = [o for o in man_options() if o not in r.stdout.replace("\u2010", "-")]
    assert not missing, f"options not in the rendered page: {missing}"


run()
