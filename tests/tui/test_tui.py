#!/usr/bin/env python3
"""Dashboard tests: drive the real ./ttytop in tmux and read the screen back.

Replay tests use a fixture snapshot (fixture.py) so they need neither root
nor BPF; live tests run against the collector and SKIP when
`./ttytop --check` says it cannot attach. A case fails by raising Fail (or
an assert) and skips by raising Skip; tests/lib/ttcase.py runs every @case
in the order defined and prints PASS name / FAIL name: why / SKIP name: reason.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, HERE)
import fixture  # noqa: E402
from ttcase import ROOT, Fail, Skip, case, report, run, summary  # noqa: E402
from tttmux import PROMPT, Session, exits, kill_server, last_lines, start_server, term_name  # noqa: E402
from ttpty import burst_ptys, drain, many_ptys, raise_nofile  # noqa: E402

BIN = os.environ.get("TTYTOP_BIN", os.path.join(ROOT, "ttytop"))
TITLES = ["Terminals", "Slow writes", "Latency:", "Stack"]


def schema_errors(path):
    """Validate a saved document against docs/ttytop-1.schema.json ("" if valid)."""
    p = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "tests", "validate_schema.py"),
                        path], capture_output=True, text=True)
    return "" if p.returncode == 0 else (p.stdout + p.stderr)[-600:]


def start_replay(path, w=120, h=40, extra="", env=None):
    s = Session(w, h, env)
    s.run("%s --replay %s %s" % (BIN, path, extra))
    got = s.wait(lambda x: "Terminals" in x and "Slow writes" in x and "F10Quit" in x, 6)
    return s, got


def quit_ok(s):
    s.send("q")
    return s.wait(lambda x: "EXIT=0" in x, 5) is not None


# --- replay tests -----------------------------------------------------------

@case("replay_rows_from_file")
def t_rows(fx):
    s, scr = start_replay(fx)
    try:
        if not scr:
            raise Fail("dashboard did not come up: " + last_lines(s.screen(), 5))
        for want in ("pts/3", "pts/7", "ttyS0", "marquee/4242", "REPLAY", "fixture-host"):
            if want not in scr:
                raise Fail("%r not on screen" % want)
        # writes/s desc by default: pts/3 (120/s) above pts/7 (4.5/s) above ttyS0.
        rows = [l for l in scr.splitlines() if re.search(r"│(pts/\d|ttyS0) ", l)]
        order = [re.search(r"│(\S+)", l).group(1) for l in rows[:3]]
        if order != ["pts/3", "pts/7", "ttyS0"]:
            raise Fail("unexpected default order %r" % order)
        if "drops 3" not in scr:
            raise Fail("drops counter not in the header")
        if not quit_ok(s):
            raise Fail("q did not exit")
    finally:
        s.close()


@case("replay_shows_in_flight")
def t_replay_inflight(fx, tmp):
    """A snapshot taken during a hang shows the hang: the header counts it, the
    log starts with it, its terminal is first and STUCK, and Enter names the
    reader holding the pty master."""
    path = os.path.join(tmp, "inflight.json")
    with open(path, "w") as f:
        json.dump(fixture.with_in_flight(fixture.document()), f)
    bad = schema_errors(path)
    if bad:
        raise Fail("the fixture does not validate: " + bad)
    s, scr = start_replay(path, 160, 50)
    try:
        if not scr:
            raise Fail("dashboard did not come up: " + last_lines(s.screen(), 5))
        if "IN FLIGHT 1" not in scr.splitlines()[1]:
            raise Fail("header does not count it: " + scr.splitlines()[1])
        log = scr.split("Slow writes", 1)[-1]
        rows = [l for l in log.splitlines() if re.match(r"│\S", l)]
        if "Slow writes (25 + 1 IN FLIGHT)" not in scr or not re.match(r"│(IN FLIGHT +)?[▶>]pts/7 +1300/1300 ", rows[1]):
            raise Fail("the log does not start with it: %r" % rows[:3])
        table = [l for l in scr.split("Slow writes")[0].splitlines() if re.match(r"│(pts|ttyS)", l)]
        if not table[0].startswith("│pts/7 ") or "STUCK 7.00s" not in table[0]:
            raise Fail("pts/7 not first and STUCK: %r" % table[:2])
        s.send("Tab")
        s.send("Enter")
        got = s.wait(lambda x: "IN FLIGHT: blocked 6.00s, buffer-full" in x
                     and "pty master held by tmux: server/3001" in x, 4)
        if not got:
            raise Fail("Enter did not open it: " + last_lines(s.screen(), 30))
        if not quit_ok(s):
            raise Fail("q did not exit")
    finally:
        s.close()


def ticks_fixture(tmp):
    """The marquee-case snapshot, or Skip while the JSON render does not carry ticks."""
    path = os.path.join(tmp, "ticks.json")
    doc = fixture.with_ticks()
    late = [e for e in doc["events"] if e.get("kind") == "late-tick"]
    ticks = [w.get("ticks") for t in doc["terminals"] for w in t["writers"] if w.get("ticks")]
    if not doc.get("processes") or len(late) != 4 or not ticks:
        raise Skip("the JSON render does not carry late ticks, ticks and processes yet")
    with open(path, "w") as f:
        json.dump(doc, f)
    return path, doc


def pane_text(scr, top, left, right):
    """The text of a pane from row top down, columns [left, right), its lines joined
    by one space (what the pane wraps reads whole)."""
    out = []
    for l in scr.splitlines()[top + 1:]:
        cell = l[left:right]
        if cell.startswith(("└", "m")):
            break
        out.append(cell.strip("│x ").strip())
    return " ".join(x for x in out if x)


@case("replay_late_ticks")
def t_late_ticks(fx, tmp):
    """The marquee case from a snapshot: the writer's period and jitter in the
    table, the late ticks in the log with their cause, the pause in the header,
    the interval view (b) with the period, and the cause in words (Enter)."""
    path, doc = ticks_fixture(tmp)
    bad = schema_errors(path)
    if bad:
        raise Fail("the fixture does not validate: " + bad)
    tk = [w["ticks"] for t in doc["terminals"] for w in t["writers"] if w.get("ticks")][0]
    p99 = tk["jitter_ns"]["p99"] / 1e6
    s, scr = start_replay(path, 120, 40)
    try:
        if not scr:
            raise Fail("dashboard did not come up: " + last_lines(s.screen(), 5))
        row = [l for l in scr.splitlines() if l.startswith("│pts/3 ")]
        want = "100ms \u00b1%.2fms" % p99
        if not row or want not in row[0]:
            raise Fail("pts/3's row lacks %r: %r" % (want, row[:1]))
        lines = scr.splitlines()
        if "GC max 298ms" not in lines[0] or "late ticks 4" not in lines[1]:
            raise Fail("header lacks the pause or the late ticks: %r" % lines[:2])
        log = scr.split("Slow writes", 1)[-1]
        if not log.startswith(" (25 + 4 late ticks)"):
            raise Fail("log title: %r" % log.splitlines()[0])
        rows = [l for l in log.splitlines() if re.match(r"│\S", l)][1:5]
        wants = ["late +212ms gc-stw 298ms", "late +150ms terminal-blocked 149ms",
                 "late +60.0ms run-queue 58.0ms", "late +30.0ms app"]
        for r, w in zip(rows, wants):
            if not re.match(r"│\S+ +\u25f7pts/3 +4242/4250 g18 +marquee +41.0us " + re.escape(w), r):
                raise Fail("late tick row %r is not %r" % (r, w))
        for _ in range(3):
            s.send("b")
        got = s.wait(lambda x: "Tick interval: pts/3 marquee/4242 g18" in x, 3)
        if not got:
            raise Fail("b did not reach the interval view: " + last_lines(s.screen(), 16))
        hist = [l[:48] for l in got.splitlines()[25:]]  # the histogram pane, lower left
        if not any("100ms jit p50 1.01ms p99 %.2fms max 212ms" % p99 in l for l in hist):
            raise Fail("interval stats: %r" % hist[:2])
        period = [l for l in hist if re.search(r"ms +1000 [\u2588]+ period", l)]
        late = [l for l in hist if re.search(r" +[12] [\u2588]+ late", l)]
        if not period or len(late) != 4:
            raise Fail("interval rows: period %r, late %r" % (period, late))
        s.send("Tab")
        s.send("Enter")
        sentence = ("Tick 212 ms late (interval 312 ms, period 100 ms): a Go stop-the-world "
                    "of 298 ms (GC mark termination) overlapped it")
        got = s.wait(lambda x: sentence in pane_text(x, 25, 48, 120), 3)
        if not got or "late 212ms" not in got.splitlines()[25]:
            raise Fail("stack pane lacks the cause: " + pane_text(s.screen(), 25, 48, 120))
        if not quit_ok(s):
            raise Fail("q did not exit")
    finally:
        s.close()


@case("late_ticks_ascii_mono")
def t_late_ticks_ascii(fx, tmp):
    """C locale and NO_COLOR: the same facts with ASCII marks and no colour escapes."""
    path, doc = ticks_fixture(tmp)
    s, scr = start_replay(path, 120, 40, env={"LC_ALL": "C", "LANG": "C", "NO_COLOR": "1"})
    try:
        if not scr:
            raise Fail("dashboard did not come up: " + last_lines(s.screen(), 5))
        if any(c in scr for c in "\u25f7\u00b1\u2588"):
            raise Fail("UTF-8 glyphs in a C locale")
        if not re.search(r"~pts/3 +4242/4250 g18 +marquee +41.0us late \+212ms gc-stw 298ms", scr):
            raise Fail("no ASCII late-tick mark: " + last_lines(scr, 30))
        if not re.search(r"100ms \+-\d", scr):
            raise Fail("no ASCII jitter: " + last_lines(scr, 40))
        if colour_params(s.screen(escapes=True)):
            raise Fail("colour escapes with NO_COLOR")
        if not quit_ok(s):
            raise Fail("q did not exit")
    finally:
        s.close()


@case("help_opens_and_closes")
def t_help(fx):
    s, scr = start_replay(fx)
    try:
        if not scr:
            raise Fail("dashboard did not come up")
        s.send("?")
        if not s.wait(lambda x: "ttytop help" in x and "snapshot" in x, 3):
            raise Fail("help overlay did not open")
        s.send("x")
        if not s.wait(lambda x: "ttytop help" not in x, 3):
            raise Fail("help did not close on a key")
        s.send("F1")
        if not s.wait(lambda x: "ttytop help" in x, 3):
            raise Fail("F1 did not open help")
        s.send("Escape")
        if not s.wait(lambda x: "ttytop help" not in x, 3):
            raise Fail("Esc did not close help")
        if not quit_ok(s):
            raise Fail("q did not exit")
    finally:
        s.close()


@case("stack_pane_fills_on_enter")
def t_stack(fx):
    s, scr = start_replay(fx)
    try:
        if not scr:
            raise Fail("dashboard did not come up")
        if "main.render" in scr:
            raise Fail("stack shown before any selection")
        s.send("Tab")
        s.send("Enter")
        wants = ("goroutine 18", "tid 4250", "main.render", "main.go:88", "n_tty_write",
                 "kernel", "212ms = on-CPU", "woken by tmux: server/3001")
        got = s.wait(lambda x: all(w in x for w in wants), 3)
        if not got:
            x = s.screen()
            raise Fail("stack pane lacks %r: %s" % ([w for w in wants if w not in x],
                                                last_lines(x, 14)))
        # The third event's process is gone: raw addresses and the note.
        s.send("BTab")
        s.send("Down")
        s.send("Down")
        s.send("Enter")
        got = s.wait(lambda x: "process exited: raw addresses" in x, 3)
        if not got or "0x55d0c0ffee00" not in got or "thread 1200" not in got:
            raise Fail("raw-address stack not shown")
        if not quit_ok(s):
            raise Fail("q did not exit")
    finally:
        s.close()


@case("space_pauses_log")
def t_pause(fx):
    s, scr = start_replay(fx)
    try:
        if not scr:
            raise Fail("dashboard did not come up")
        if "PAUSED" in scr:
            raise Fail("PAUSED before space")
        s.send("Space")
        if not s.wait(lambda x: "PAUSED" in x.splitlines()[1], 3):
            raise Fail("header does not say PAUSED")
        s.send("Space")
        if not s.wait(lambda x: "PAUSED" not in x, 3):
            raise Fail("space did not resume")
        if not quit_ok(s):
            raise Fail("q did not exit")
    finally:
        s.close()


@case("filter_log")
def t_filter(fx):
    s, scr = start_replay(fx)
    try:
        if not scr:
            raise Fail("dashboard did not come up")
        s.send("/")
        s.type("agetty")
        s.send("Enter")
        got = s.wait(lambda x: "filter /agetty/" in x, 3)
        if not got:
            raise Fail("filter not applied")
        log = got.split("Slow writes")[1]
        if "marquee" in log.split("Latency")[0] and "marquee" in log.split("└")[0]:
            raise Fail("filtered log still shows other processes")
        if "agetty" not in log:
            raise Fail("filtered log lost the matching rows")
        s.send("Escape")
        if not s.wait(lambda x: "filter /agetty/" not in x and "Slow writes (25)" in x, 3):
            raise Fail("Esc did not clear the filter")
        # pid and goid match too.
        s.send("/")
        s.type("g18")
        s.send("Enter")
        if not s.wait(lambda x: "Slow writes (1) filter /g18/" in x, 3):
            raise Fail("goid filter did not select exactly one event")
        if not quit_ok(s):
            raise Fail("q did not exit")
    finally:
        s.close()


@case("hostile_strings_are_inert")
def t_hostile(fx):
    s, scr = start_replay(fx)
    try:
        if not scr:
            raise Fail("dashboard did not come up")
        title = s.fmt("#{pane_title}")
        s.send("/")
        s.type("6666")
        s.send("Enter")
        got = s.wait(lambda x: "Slow writes (1)" in x, 3)
        if not got:
            raise Fail("filter by pid did not find the event")
        if "evil?]0;PWNED?" not in got:
            raise Fail("comm not shown sanitized")
        s.send("Tab")
        s.send("Enter")
        got = s.wait(lambda x: "f?[2Jclear" in x, 3)
        if not got:
            raise Fail("symbol name not shown sanitized: " + last_lines(s.screen(), 8))
        if "/x?[31m.c:1" not in got or "m?od" not in got:
            raise Fail("file or module not sanitized")
        if "PWNED" in s.fmt("#{pane_title}") and "PWNED" not in title:
            raise Fail("an escape sequence reached the terminal (title changed)")
        if "Slow writes" not in got:
            raise Fail("screen was cleared by an escape sequence")
        if not quit_ok(s):
            raise Fail("q did not exit")
    finally:
        s.close()


@case("hostile_terminal_name_is_inert")
def t_hostile_tty(fx, tmp):
    """A snapshot whose terminal is named by escape sequences (a title change,
    a screen clear, a bell): the name is shown with them made visible, in the
    table and the histogram's title, and none reaches the terminal."""
    with open(fx) as f:
        doc = json.load(f)
    doc["terminals"][0]["name"] = "pts/\u001b[2J\u001b]0;PWNED\u0007x"
    path = os.path.join(tmp, "evil-tty.json")
    with open(path, "w") as f:
        json.dump(doc, f)
    s, scr = start_replay(path)
    try:
        if not scr:
            raise Fail("dashboard did not come up: " + last_lines(s.screen(), 3))
        title = s.fmt("#{pane_title}")
        if "pts/?[2J" not in scr:
            raise Fail("terminal name not shown made visible: " + last_lines(scr, 30))
        s.send("Home")
        got = s.wait(lambda x: "pts/?[2J?]0;PWNED?x" in x, 3)
        if not got:
            raise Fail("the whole name is not in the histogram title: " + last_lines(s.screen(), 30))
        if "PWNED" in s.fmt("#{pane_title}") and "PWNED" not in title:
            raise Fail("an escape sequence reached the terminal (title changed)")
        if "Slow writes" not in got or "Terminals" not in got:
            raise Fail("screen was cleared by an escape sequence")
        if not quit_ok(s):
            raise Fail("q did not exit")
    finally:
        s.close()


@case("replay_is_read_only")
def t_readonly(fx):
    s, scr = start_replay(fx)
    try:
        if not scr:
            raise Fail("dashboard did not come up")
        for key in ("t", "+", "-"):
            s.send("Escape")
            s.send(key)
            if not s.wait(lambda x: "replay: read-only" in last_lines(x, 2), 3):
                raise Fail("%r did not say read-only" % key)
        if not quit_ok(s):
            raise Fail("q did not exit")
    finally:
        s.close()


@case("sort_and_histogram_kind")
def t_sort(fx):
    s, scr = start_replay(fx)
    try:
        if not scr:
            raise Fail("dashboard did not come up")
        s.send(">")
        if not s.wait(lambda x: "sorted by bytes/s" in x, 3):
            raise Fail("> did not change the sort column")
        s.send("<")
        s.send("<")
        s.send("<")
        got = s.wait(lambda x: "sorted by class" in x, 3)
        if not got:
            raise Fail("< did not move the sort column left")
        rows = [re.search(r"│(\S+)", l).group(1) for l in got.splitlines()
                if re.search(r"│(pts/\d|ttyS0) ", l)]
        if rows[:3] != ["pts/3", "pts/7", "ttyS0"]:
            raise Fail("class sort gave %r" % rows)
        s.send("b")
        if not s.wait(lambda x: "Blocked time: pts/3" in x, 3):
            raise Fail("b did not switch to the blocked histogram")
        s.send("b")
        if not s.wait(lambda x: "Run-queue wait: pts/3" in x, 3):
            raise Fail("b did not switch to the run-queue histogram")
        s.send("Down")
        if not s.wait(lambda x: "Run-queue wait: pts/7" in x, 3):
            raise Fail("histogram did not follow the selected terminal")
        if not quit_ok(s):
            raise Fail("q did not exit")
    finally:
        s.close()


SGR = re.compile(r"\x1b\[([0-9;]*)m")


def colour_params(s):
    out = set()
    for m in SGR.finditer(s):
        ps = m.group(1).split(";")
        i = 0
        while i < len(ps):
            p = ps[i]
            if p in ("38", "48") and i + 2 < len(ps) and ps[i + 1] == "5":
                out.add(";".join(ps[i:i + 3]))
                i += 3
                continue
            if p.isdigit() and (30 <= int(p) <= 37 or 40 <= int(p) <= 47 or
                                90 <= int(p) <= 97 or 100 <= int(p) <= 107):
                out.add(p)
            i += 1
    return out


def click(s, y, x):
    """An X10 mouse press + release at screen cell (y, x), as a terminal sends it."""
    for cb in (0x20, 0x23):
        s.send("-H", "1b", "5b", "4d", "%x" % cb, "%x" % (33 + x), "%x" % (33 + y))


def wheel(s, y, x, down):
    """An X10 wheel event (button 4 up, 5 down) at screen cell (y, x)."""
    s.send("-H", "1b", "5b", "4d", "%x" % (0x61 if down else 0x60), "%x" % (33 + x),
           "%x" % (33 + y))


@case("mouse_selects_rows_and_panes")
def t_mouse(fx):
    s, scr = start_replay(fx)
    try:
        if not scr:
            raise Fail("dashboard did not come up")
        lines = scr.splitlines()
        ys = [i for i, l in enumerate(lines) if l.startswith("│ttyS0 ")]
        if not ys:
            raise Fail("no ttyS0 row to click")
        click(s, ys[0], 3)
        if not s.wait(lambda x: "Latency: ttyS0" in x, 3):
            raise Fail("click on a table row did not select it")
        # The third row of the log is the pts/7 write whose process is gone.
        head = [i for i, l in enumerate(lines) if "TIME" in l and "TERMINAL" in l]
        if not head:
            raise Fail("no log heading")
        click(s, head[0] + 3, 20)
        s.send("Enter")
        if not s.wait(lambda x: "thread 1200" in x and "process exited" in x, 3):
            raise Fail("click on a log row did not focus and select it")
        bar = s.screen().splitlines()[-1]
        click(s, 39, bar.index("F1Help") + 1)
        if not s.wait(lambda x: "ttytop help" in x, 3):
            raise Fail("click on F1Help did not open help")
        s.send("x")
        s.wait(lambda x: "ttytop help" not in x, 3)
        click(s, 39, bar.index("F10Quit") + 2)
        if not s.wait(lambda x: "EXIT=0" in x, 5):
            raise Fail("click on F10Quit did not quit")
    finally:
        s.close()


@case("mouse_wheel_scrolls_pane_under_pointer")
def t_wheel(fx):
    s, scr = start_replay(fx)
    try:
        if not scr:
            raise Fail("dashboard did not come up")
        lines = scr.splitlines()
        head = [i for i, l in enumerate(lines) if "TIME" in l and "TERMINAL" in l]
        if not head:
            raise Fail("no log heading")
        # Three notches down over the log: its fourth event (pts/3, goroutine 103).
        for _ in range(3):
            wheel(s, head[0] + 4, 30, True)
            time.sleep(0.1)
        s.send("Enter")
        if not s.wait(lambda x: "goroutine 103" in x, 3):
            raise Fail("wheel did not move the log cursor: " + last_lines(s.screen(), 14))
        wheel(s, head[0] + 4, 30, False)
        time.sleep(0.1)
        s.send("Enter")  # focus went back to the log with the wheel
        if not s.wait(lambda x: "thread 1200" in x, 3):
            raise Fail("wheel up did not move the log cursor back")
        if not quit_ok(s):
            raise Fail("q did not exit")
    finally:
        s.close()


@case("theme_cycle_changes_colours")
def t_theme(fx):
    s, scr = start_replay(fx)
    try:
        if not scr:
            raise Fail("dashboard did not come up")
        before = s.screen(escapes=True)
        if not colour_params(before):
            raise Fail("default theme shows no colours")
        s.send("T")
        if not s.wait(lambda x: "theme: light" in x, 3):
            raise Fail("status does not name the light theme")
        after = s.screen(escapes=True)
        if colour_params(after) == colour_params(before):
            raise Fail("colour escapes unchanged after T")
        for name in ("mono", "high-contrast", "default"):
            s.send("T")
            if not s.wait(lambda x: "theme: " + name in x, 3):
                raise Fail("T did not cycle to %s" % name)
        if not quit_ok(s):
            raise Fail("q did not exit")
    finally:
        s.close()


@case("no_color_is_monochrome")
def t_nocolor(fx):
    s, scr = start_replay(fx, env={"NO_COLOR": "1"})
    try:
        if not scr:
            raise Fail("dashboard did not come up")
        esc = s.screen(escapes=True)
        if colour_params(esc):
            raise Fail("colour escapes with NO_COLOR: %r" % sorted(colour_params(esc))[:5])
        if "\x1b[7m" not in esc and not re.search(r"\x1b\[[0-9;]*\b7\b[0-9;]*m", esc):
            raise Fail("no reverse video at all in monochrome")
        if not quit_ok(s):
            raise Fail("q did not exit")
    finally:
        s.close()


@case("eight_colour_terminal")
def t_eight(fx):
    if subprocess.run(["infocmp", "screen"], capture_output=True).returncode != 0:
        raise Skip("no terminfo entry for 'screen'")
    s, scr = start_replay(fx, env={"TERM": "screen"})
    try:
        if not scr:
            raise Fail("dashboard did not come up with TERM=screen")
        ps = colour_params(s.screen(escapes=True))
        if not ps:
            raise Fail("no colours on an 8-colour terminal")
        extra = sorted(p for p in ps if not (p.isdigit() and (30 <= int(p) <= 37 or
                                                             40 <= int(p) <= 47)))
        if extra:
            raise Fail("colours beyond the basic 8: %r" % extra)
        s.send("T")  # the light theme uses 256-colour indices: must map down too
        if not s.wait(lambda x: "theme: light" in x, 3):
            raise Fail("T did not switch theme")
        ps = colour_params(s.screen(escapes=True))
        extra = sorted(p for p in ps if not (p.isdigit() and (30 <= int(p) <= 37 or
                                                             40 <= int(p) <= 47)))
        if extra:
            raise Fail("light theme beyond the basic 8: %r" % extra)
        if not quit_ok(s):
            raise Fail("q did not exit")
    finally:
        s.close()


@case("ascii_locale")
def t_ascii(fx):
    s, scr = start_replay(fx, env={"LC_ALL": "C", "LANG": "C"})
    try:
        if not scr:
            raise Fail("dashboard did not come up with LC_ALL=C")
        row = [l for l in scr.splitlines() if "marquee/4242" in l]
        # BLK%, SLEEP REASON (a name or "-"), then the sparkline.
        if not row or not re.search(r"%\s+\S+\s+[_.\-=#]{8}\s", row[0]):
            raise Fail("no ASCII sparkline: %r" % (row[:1],))
        if any(c in scr for c in "\u2581\u2588\u00b7"):
            raise Fail("UTF-8 glyphs in a C locale")
        if not quit_ok(s):
            raise Fail("q did not exit")
    finally:
        s.close()


@case("resize_keeps_titles")
def t_resize(fx):
    s, scr = start_replay(fx)
    try:
        if not scr:
            raise Fail("dashboard did not come up")
        for w, h in ((80, 24), (200, 60), (120, 40)):
            s.resize(w, h)
            got = s.wait(lambda x: all(t in x for t in TITLES) and
                         len(x.splitlines()[0]) <= w and "F10Quit" in x, 4)
            if not got:
                missing = [t for t in TITLES if t not in s.screen()]
                raise Fail("at %dx%d missing %r" % (w, h, missing))
        if not quit_ok(s):
            raise Fail("q did not exit")
    finally:
        s.close()


@case("too_small_message")
def t_small(fx):
    s, scr = start_replay(fx)
    try:
        if not scr:
            raise Fail("dashboard did not come up")
        s.resize(60, 20)
        if not s.wait(lambda x: "terminal too small (need 80x24" in x, 4):
            raise Fail("no too-small message at 60x20")
        s.resize(120, 40)
        if not s.wait(lambda x: all(t in x for t in TITLES), 4):
            raise Fail("panes did not come back after growing")
        if not quit_ok(s):
            raise Fail("q did not exit")
    finally:
        s.close()


@case("broken_theme_file_line_error")
def t_bad_theme(fx, tmp):
    bad = os.path.join(tmp, "bad.theme")
    with open(bad, "w") as f:
        f.write("# a theme with a typo\nheader = white blue bold\nrow = purpel default\n")
    s = Session()
    try:
        s.run("%s --replay %s --theme %s" % (BIN, fx, bad))
        got = s.wait(lambda x: len(exits(x)) >= 1, 5)
        if not got:
            raise Fail("did not exit")
        if "bad.theme:3: unknown colour 'purpel'" not in got:
            raise Fail("no file:line error: " + last_lines(got, 3))
        if exits(got)[0] == 0:
            raise Fail("exit status 0 for a broken theme")
        s.run("%s --replay %s --theme no-such-theme" % (BIN, fx))
        got = s.wait(lambda x: len(exits(x)) >= 2, 5)
        if not got or "unknown theme 'no-such-theme'" not in got or exits(got)[1] == 0:
            raise Fail("unknown theme name not rejected: " + last_lines(s.screen(), 3))
    finally:
        s.close()


@case("theme_file_loads")
def t_theme_file(fx, tmp):
    good = os.path.join(tmp, "custom.theme")
    with open(good, "w") as f:
        f.write("row_selected = 201 22 bold underline\n")
    s, scr = start_replay(fx, extra="--theme " + good)
    try:
        if not scr:
            raise Fail("dashboard did not come up with a valid theme file")
        esc = s.screen(escapes=True)
        ps = colour_params(esc)
        if not any(p.startswith("38;5;201") or p.startswith("48;5;22") for p in ps) and \
                not ("35" in ps or "95" in ps):
            raise Fail("custom colours not used: %r" % sorted(ps))
        if not quit_ok(s):
            raise Fail("q did not exit")
    finally:
        s.close()


@case("corrupt_snapshot_rejected")
def t_corrupt(fx, tmp):
    s = Session()
    try:
        cases = {
            "trunc.json": open(fx).read()[:400],
            "schema.json": json.dumps({"schema": "ttytop/9"}),
            "empty.json": "",
        }
        n = 0
        for name, text in cases.items():
            p = os.path.join(tmp, name)
            with open(p, "w") as f:
                f.write(text)
            n += 1
            s.type("clear")
            s.send("Enter")
            s.wait(lambda x: not exits(x) and PROMPT in x, 3)
            s.run("%s --replay %s" % (BIN, p))
            got = s.wait(lambda x: len(exits(x)) >= 1, 5)
            if not got:
                raise Fail("%s: no exit" % name)
            if exits(got)[0] == 0:
                raise Fail("%s: accepted (exit 0)" % name)
            msg = [l for l in got.splitlines() if l.startswith("ttytop: ")]
            if not msg:
                raise Fail("%s: no 'ttytop: ...' error line: %r" % (name, last_lines(got, 3)))
    finally:
        s.close()


@case("snapshot_key_saves_json")
def t_snapshot(fx, tmp):
    d = tempfile.mkdtemp(dir=tmp)
    s, scr = start_replay(fx, extra="--snapshot-dir " + d)
    try:
        if not scr:
            raise Fail("dashboard did not come up")
        s.send("s")
        got = s.wait(lambda x: "snapshot saved:" in x or "snapshot failed" in x, 5)
        if not got or "snapshot saved:" not in got:
            raise Fail("no snapshot status: " + last_lines(s.screen(), 2))
        files = [f for f in os.listdir(d) if f.endswith(".json")]
        if len(files) != 1:
            raise Fail("expected one snapshot file, found %r" % files)
        doc = json.load(open(os.path.join(d, files[0])))
        bad = schema_errors(os.path.join(d, files[0]))
        if bad:
            raise Fail("snapshot does not validate: " + bad)
        names = sorted(t["name"] for t in doc["terminals"])
        if names != ["pts/3", "pts/7", "ttyS0"]:
            raise Fail("snapshot terminals %r" % names)
        if not quit_ok(s):
            raise Fail("q did not exit")
    finally:
        s.close()
    s2, scr = start_replay(os.path.join(d, files[0]))
    try:
        if not scr or not all(n in scr for n in ("pts/3", "pts/7", "ttyS0")):
            raise Fail("re-replay of the saved snapshot lacks rows")
        quit_ok(s2)
    finally:
        s2.close()


@case("replay_without_root")
def t_replay_unprivileged(fx, tmp):
    """A colleague opens the evidence on another machine: no root, no BPF."""
    if os.geteuid() != 0:
        s, scr = start_replay(fx)
    else:
        pub = tempfile.mkdtemp(prefix="ttytop-pub-")
        os.chmod(pub, 0o755)
        path = os.path.join(pub, "snap.json")
        shutil.copy(fx, path)
        os.chmod(path, 0o644)
        s = Session(120, 40)
        s.run("setpriv --reuid=65534 --regid=65534 --clear-groups %s --replay %s" % (BIN, path))
        scr = s.wait(lambda x: "Terminals" in x and "Slow writes" in x and "F10Quit" in x, 6)
    try:
        if not scr:
            raise Fail("replay as an unprivileged user did not come up: " + last_lines(s.screen(), 4))
        if "pts/3" not in scr or "REPLAY" not in scr:
            raise Fail("replay rows missing")
        if not quit_ok(s):
            raise Fail("q did not exit")
    finally:
        s.close()
    return None


@case("snapshot_error_keeps_running")
def t_snapshot_err(fx, tmp):
    s, scr = start_replay(fx, extra="--snapshot-dir " + os.path.join(tmp, "no", "such", "dir"))
    try:
        if not scr:
            raise Fail("dashboard did not come up")
        s.send("s")
        got = s.wait(lambda x: "snapshot failed:" in x, 5)
        if not got:
            raise Fail("no error in the status line: " + last_lines(s.screen(), 2))
        s.send("?")
        if not s.wait(lambda x: "ttytop help" in x, 3):
            raise Fail("dashboard stopped answering after the error")
        s.send("x")
        if not quit_ok(s):
            raise Fail("q did not exit")
    finally:
        s.close()


@case("refuses_non_terminals")
def t_usable(fx):
    r = subprocess.run([BIN, "--replay", fx], stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=10)
    if r.returncode == 0 or "not a terminal" not in r.stderr or "--json" not in r.stderr:
        raise Fail("piped stdout: rc=%d stderr=%r" % (r.returncode, r.stderr.strip()))
    s = Session(env={"TERM": "dumb"})
    try:
        s.run("%s --replay %s" % (BIN, fx))
        got = s.wait(lambda x: len(exits(x)) >= 1, 5)
        if not got or exits(got)[0] == 0 or "TERM=dumb" not in got:
            raise Fail("TERM=dumb not refused: " + last_lines(s.screen(), 3))
    finally:
        s.close()
    s = Session(env={"TERM": "no-such-term"})
    try:
        s.run("%s --replay %s" % (BIN, fx))
        got = s.wait(lambda x: len(exits(x)) >= 1, 5)
        if not got or exits(got)[0] == 0 or "unknown terminal type 'no-such-term'" not in got:
            raise Fail("unknown TERM not refused: " + last_lines(s.screen(), 3))
    finally:
        s.close()


def dist_bin():
    """The static dist binary for this machine when built, else the one under test."""
    m = re.search(r'^VERSION := (\S+)', open(os.path.join(ROOT, "Makefile")).read(), re.M)
    p = os.path.join(ROOT, "dist", "ttytop-%s-linux-%s" % (m.group(1) if m else "?", os.uname().machine))
    return p if os.access(p, os.X_OK) else BIN


@case("terminfo_builtin_without_database")
def t_no_terminfo(fx, tmp):
    # A machine with no terminfo database at all (busybox, a slim container): a
    # mount namespace hides every system directory behind an empty tmpfs, TERMINFO
    # names an empty directory. The common terminals still draw from the built-in
    # entries, whose private directory is gone once ncurses has read it; an unknown
    # one is refused with its name, never a crash.
    if os.geteuid() != 0 or not shutil.which("unshare"):
        raise Skip('hiding the terminfo database needs root and unshare')
    if subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode != 0:
        raise Skip('unshare -m is not permitted here')
    empty = os.path.join(tmp, "terminfo-empty")
    private = os.path.join(tmp, "terminfo-tmp")
    os.makedirs(empty, exist_ok=True)
    os.makedirs(private, exist_ok=True)
    hide = ("for d in /usr/share/terminfo /lib/terminfo /etc/terminfo; do "
            "[ -d $d ] && mount -t tmpfs -o size=1m tmpfs $d; done; ")
    for term in (term_name(), "xterm-256color", "no-such-term"):
        s = Session(env={"TERM": term, "TERMINFO": empty, "TMPDIR": private, "HOME": empty})
        try:
            s.run("unshare -m sh -c '%s"
                  "if command -v infocmp >/dev/null && infocmp $TERM >/dev/null 2>&1; then "
                  "echo DATABASE-STILL-VISIBLE; exit 9; fi; exec %s --replay %s'"
                  % (hide, dist_bin(), fx))
            if term == "no-such-term":
                got = s.wait(lambda x: len(exits(x)) >= 1, 6)
                if not got or exits(got)[0] != 2 or "unknown terminal type 'no-such-term'" not in got \
                        or "built in:" not in got:
                    raise Fail("unknown TERM without a database: " + last_lines(s.screen(), 4))
                continue
            got = s.wait(lambda x: ("Terminals" in x and "Slow writes" in x and "F10Quit" in x)
                         or len(exits(x)) >= 1, 8)
            if not got or exits(got):
                raise Fail("TERM=%s without a database: no dashboard: %s" % (term, last_lines(s.screen(), 4)))
            left = os.listdir(private)
            if left:
                raise Fail("TERM=%s: the private terminfo directory outlived ncurses' read: %s" % (term, left))
            if not quit_ok(s):
                raise Fail("TERM=%s: q did not exit 0: %s" % (term, last_lines(s.screen(), 3)))
        finally:
            s.close()
    if os.listdir(private):
        raise Fail("private terminfo directories left behind: %s" % os.listdir(private))


@case("quit_restores_terminal")
def t_restore(fx):
    for how in ("q", "F10", "C-c"):
        s, scr = start_replay(fx)
        try:
            if not scr:
                raise Fail("dashboard did not come up")
            if s.fmt("#{alternate_on}") != "1":
                raise Fail("dashboard not on the alternate screen")
            s.send(how)
            got = s.wait(lambda x: exits(x) and x.rstrip().endswith(PROMPT.strip()), 5)
            if not got:
                raise Fail("%s: shell prompt not back: %r" % (how, last_lines(s.screen(), 2)))
            if exits(got) != [0]:
                raise Fail("%s: non-zero exit %r" % (how, last_lines(got, 2)))
            if s.fmt("#{alternate_on}") != "0" or s.fmt("#{cursor_flag}") != "1":
                raise Fail("%s: terminal modes not restored" % how)
        finally:
            s.close()


@case("crash_signal_restores_terminal")
def t_crash(fx):
    s, scr = start_replay(fx)
    try:
        if not scr:
            raise Fail("dashboard did not come up")
        shell = int(s.fmt("#{pane_pid}"))
        kids = subprocess.run(["pgrep", "-P", str(shell)], capture_output=True,
                              text=True).stdout.split()
        if len(kids) != 1:
            raise Fail("cannot find the dashboard process (%r)" % kids)
        os.kill(int(kids[0]), signal.SIGSEGV)
        got = s.wait(lambda x: "EXIT=139" in x, 5)
        if not got:
            raise Fail("no SIGSEGV exit: " + last_lines(s.screen(), 2))
        if s.fmt("#{alternate_on}") != "0" or s.fmt("#{cursor_flag}") != "1":
            raise Fail("terminal not restored after SIGSEGV")
    finally:
        s.close()


@case("sigterm_sighup_restore_terminal")
def t_term_signals(fx):
    for sig in (signal.SIGTERM, signal.SIGHUP):
        s, scr = start_replay(fx)
        try:
            if not scr:
                raise Fail("dashboard did not come up")
            shell = int(s.fmt("#{pane_pid}"))
            kids = subprocess.run(["pgrep", "-P", str(shell)], capture_output=True,
                                  text=True).stdout.split()
            if len(kids) != 1:
                raise Fail("cannot find the dashboard process (%r)" % kids)
            os.kill(int(kids[0]), sig)
            got = s.wait(lambda x: exits(x), 5)
            if not got:
                raise Fail("%s: dashboard did not leave" % sig.name)
            if exits(got) != [0]:
                raise Fail("%s: exit %r, want a clean 0" % (sig.name, exits(got)))
            if s.fmt("#{alternate_on}") != "0" or s.fmt("#{cursor_flag}") != "1":
                raise Fail("%s: terminal not restored" % sig.name)
        finally:
            s.close()


@case("one_write_per_refresh")
def t_writes(fx, tmp):
    """A refresh must reach the terminal as one write(2), not one per cursor move:
    ncurses 6.4 flushes after every move until the screen has been suspended once."""
    if not shutil.which("strace"):
        raise Skip('strace not installed')
    log = os.path.join(tmp, "writes.strace")
    s = Session(120, 40)
    try:
        s.run("strace -qq -e trace=write -o %s %s --replay %s" % (log, BIN, fx))
        if not s.wait(lambda x: "Slow writes" in x and "F10Quit" in x, 8):
            raise Fail("dashboard did not come up under strace")
        with open(log) as f:
            before = sum(1 for l in f if l.startswith("write(1,"))
        # Each key redraws rows all over the screen (selection, histogram, title).
        for k in ("Down", "Down", "Down", "Up", "Up", "Up") * 2:
            s.send(k)
            time.sleep(0.05)
        s.send("b")
        time.sleep(0.5)
        with open(log) as f:
            after = sum(1 for l in f if l.startswith("write(1,"))
        if not quit_ok(s):
            raise Fail("q did not exit")
        n = after - before
        # 13 keys, each at most one doupdate (two if a read splits an escape).
        if n > 26:
            raise Fail("%d writes for 13 key presses: output is not batched" % n)
    finally:
        s.close()


# --- live tests (the real collector) ----------------------------------------

def live_reason():
    if os.geteuid() != 0:
        return "not root"
    r = subprocess.run([BIN, "--check"], capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        lines = (r.stdout + r.stderr).strip().splitlines()
        return "./ttytop --check failed: " + (lines[-1] if lines else "rc=%d" % r.returncode)
    return None


# A live dashboard is up once its programs are verified and attached: under
# emulation the verifier alone takes many seconds (the tick, exec and uprobe
# programs of issue 12 roughly doubled it), so a guest waits longer.
START_S = 30 if os.environ.get("TTYTOP_IN_VM") else 10


@case("live_dashboard")
def t_live(tmp):
    why = live_reason()
    if why:
        raise Skip(why)
    work = Session(80, 24)
    d = tempfile.mkdtemp(dir=tmp)
    s = Session(140, 40)
    try:
        tty = work.fmt("#{pane_tty}")
        name = tty.replace("/dev/", "")
        work.type("while true; do echo x; sleep 0.05; done")
        work.send("Enter")
        s.run("%s -T 0 --snapshot-dir %s" % (BIN, d))
        row = re.compile(r"│%s\s" % re.escape(name))
        got = s.wait(lambda x: row.search(x) is not None, START_S)
        if not got:
            raise Fail("no %s row: %s" % (name, last_lines(s.screen(), 40)))

        def events(x):
            m = re.search(r"(?:slow writes|events) (\d+)", x)  # "events" once ticks are late
            return int(m.group(1)) if m else -1
        e1 = events(got)
        got = s.wait(lambda x: events(x) > e1 > 0 or (e1 <= 0 and events(x) > 0), 6)
        if not got:
            raise Fail("event counter does not rise")

        def log_rows(x):
            part = x.split("Slow writes", 1)[-1]
            return [l for l in part.splitlines() if re.search(r"\d\d:\d\d:\d\d\.\d{3}", l)]
        s.send("Space")
        got = s.wait(lambda x: "PAUSED" in x, 3)
        if not got:
            raise Fail("Space did not pause")
        frozen, e1 = log_rows(got)[:3], events(got)
        got = s.wait(lambda x: events(x) > e1, 6)
        if not got:
            raise Fail("counters stopped while paused")
        if log_rows(got)[:3] != frozen:
            raise Fail("paused log still scrolls")
        s.send("Space")
        if not s.wait(lambda x: "PAUSED" not in x and log_rows(x)[:1] != frozen[:1], 6):
            raise Fail("log did not resume")
        s.send("Tab")
        s.send("Enter")
        got = s.wait(lambda x: re.search(r"(thread|goroutine) \d+ . tid|thread \d+ . ", x)
                     and "kernel" in x, 6)
        if not got:
            raise Fail("stack pane did not fill: " + last_lines(s.screen(), 12))
        s.send("t")
        if not s.wait(lambda x: "threshold (ms):" in x, 3):
            raise Fail("t did not prompt for the threshold")
        s.send("C-u")
        s.type("5")
        s.send("Enter")
        if not s.wait(lambda x: "threshold set to 5 ms" in x and "threshold 5.00ms" in x, 4):
            raise Fail("threshold not applied: " + last_lines(s.screen(), 2))
        s.send("+")
        if not s.wait(lambda x: "every 2s" in x, 3):
            raise Fail("+ did not lengthen the interval")
        s.send("-")
        s.send("-")
        if not s.wait(lambda x: "every 0.5s" in x, 3):
            raise Fail("- did not shorten the interval")
        s.send("s")
        got = s.wait(lambda x: "snapshot saved:" in x or "snapshot failed" in x, 6)
        if not got or "snapshot saved:" not in got:
            raise Fail("snapshot not saved: " + last_lines(s.screen(), 2))
        files = [f for f in os.listdir(d) if f.endswith(".json")]
        if len(files) != 1:
            raise Fail("expected one snapshot, found %r" % files)
        doc = json.load(open(os.path.join(d, files[0])))
        bad = schema_errors(os.path.join(d, files[0]))
        if bad:
            raise Fail("live snapshot does not validate: " + bad)
        names = {t["name"] for t in doc["terminals"]}
        if name not in names:
            raise Fail("snapshot lacks %s: %r" % (name, names))
        shown = set(re.findall(r"│(\S+)\s+(?:pty|pty-master|console|serial|other)\s", got))
        if shown and not shown <= names:
            raise Fail("shown terminals %r not all in the snapshot %r" % (shown, names))
        if not quit_ok(s):
            raise Fail("q did not exit")
        s2, scr = start_replay(os.path.join(d, files[0]))
        try:
            if not scr or not row.search(scr):
                raise Fail("replay of the live snapshot lacks %s" % name)
            quit_ok(s2)
        finally:
            s2.close()
    finally:
        work.send("C-c")
        s.close()
        work.close()


@case("live_flow_control_and_drops")
def t_live_flow(tmp):
    """On-call scenarios: ^S in the writer's terminal shows up as a flow-stopped
    write with XOFF in its details; -T 0 under a flood shows rate-limit drops."""
    why = live_reason()
    if why:
        raise Skip(why)
    work = Session(80, 24)
    s = Session(140, 40)
    try:
        name = work.fmt("#{pane_tty}").replace("/dev/", "")
        work.type("while true; do echo tick; sleep 0.05; done")
        work.send("Enter")
        s.run("%s -T 300" % BIN)
        if not s.wait(lambda x: "Slow writes" in x and "F10Quit" in x, START_S):
            raise Fail("dashboard did not come up")
        time.sleep(0.5)
        # the stop as tmux carried it out: in a slow guest a send-keys can take most
        # of a second, so the write's sleep is bounded by when each key was sent
        t_s0 = time.monotonic()
        work.send("C-s")
        t_s1 = time.monotonic()
        time.sleep(1.2)
        t_q0 = time.monotonic()
        work.send("C-q")
        t_q1 = time.monotonic()
        s.send("/")
        s.type("flow-stopped")
        s.send("Enter")
        # LATENCY, ON-CPU (shown at this width), BLOCKED: about 1.2 s asleep (the
        # loop writes every 0.05 s, so it is asleep from its first tick after ^S)
        lo, hi = t_q0 - t_s1 - 0.15, t_q1 - t_s0 + 0.02
        row = re.compile(r"%s .*\b(\d+\.\d\d)s +\S+ +(\d+\.\d\d)s .*flow-stopped" % re.escape(name))

        def stopped_row(x):
            m = row.search(x)
            return m and all(lo <= float(v) <= hi + 0.01 for v in m.groups())
        got = s.wait(stopped_row, 6)
        if not got:
            raise Fail("no flow-stopped write on %s of %.2f-%.2f s (latency and blocked): %s" % (
                name, lo, hi, last_lines(s.screen(), 30)))
        s.send("Tab")
        s.send("Enter")
        got = s.wait(lambda x: "output stopped (XOFF)" in x and "slept" in x, 4)
        if not got:
            raise Fail("stack details lack the XOFF state: " + last_lines(s.screen(), 14))
        if not quit_ok(s):
            raise Fail("q did not exit")
        # The tick loop must be gone before the flood is typed, or the flood's
        # command line is read by nothing and the header shows the ticks (a
        # slow guest once kept the loop alive past a single ^C).
        if not stop_loop(work):
            raise Fail("the tick loop in the writer's pane did not stop on ^C")
        # A flood of 1-byte writes is far over the -T 0 event budget.
        s.run("%s -T 0" % BIN)
        if not s.wait(lambda x: "Slow writes" in x and "F10Quit" in x, START_S):
            raise Fail("dashboard (-T 0) did not come up")
        work.type("timeout 4 dd if=/dev/zero bs=1 count=3000000 status=none | "
                  "tr '\\0' x | dd bs=1 status=none")
        work.send("Enter")
        got = s.wait(lambda x: re.search(r"drops \d+k? \([\d.]+k?/s ratelimit\)",
                                         x.splitlines()[1]), 8)
        if not got:
            raise Fail("no rate-limit drops in the header: " + s.screen().splitlines()[1])
        if not quit_ok(s):
            raise Fail("q did not exit")
    finally:
        work.send("C-c")
        s.close()
        work.close()


def fmt_total(v):
    """A count as the dashboard prints it (tui/format.c, tt_fmt_total): exact
    below 100,000, else 3 significant figures and a unit."""
    if v < 100000:
        return "%d" % v
    u, units = -1, ("k", "M", "G", "T")
    while v >= 999.5 and u < len(units) - 1:
        v /= 1000.0
        u += 1
    return ("%.1f%s" if v < 9.95 else "%.0f%s") % (v, units[u])


def hist_n(x, name):
    """The n= of the histogram pane while it shows name's latency, or None."""
    m = re.search(r"Latency: %s(?!\d).*\n.*?\bn=(\d+)\b" % re.escape(name), x)
    return int(m.group(1)) if m else None


@case("storm_keys_and_exact_counts")
def t_storm(tmp):
    """Four writers flood four ptys with one-byte writes as fast as they can
    (30 s, 5 s in a guest, and until the last press has shown) under a live
    dashboard at -T 0, so that events are dropped by the million: 20 key
    presses (Down/Up in the terminals table, sorted by name) each reach the
    screen while the storm runs, and once it is over every terminal's
    histogram shows exactly the writes its writer counted, as does a
    snapshot, and the header's drops are the snapshot's. How fast a press
    shows is printed here; the 200 ms target is make bench's storm phase."""
    why = live_reason()
    if why:
        raise Skip(why)
    from ttstorm import Storm
    in_vm = bool(os.environ.get("TTYTOP_IN_VM"))
    seconds, presses = (5, 20) if in_vm else (30, 20)
    bound = 5.0 if in_vm else 2.0  # a press not on the screen by then is lost
    d = tempfile.mkdtemp(dir=tmp)
    s = Session(160, 50)
    storm = None
    try:
        storm = Storm(4, "ttyt-storm")
        s.run("%s -T 0 -c ttyt-storm --snapshot-dir %s" % (BIN, d))
        if not s.wait(lambda x: "Slow writes" in x and "F10Quit" in x, START_S):
            raise Fail("dashboard did not come up: " + last_lines(s.screen(), 5))
        storm.start()
        order = sorted(storm.names())  # strncmp's order, as the table sorts by name
        if not s.wait(lambda x: "Terminals (4)" in x, START_S):
            raise Fail("the storm's 4 terminals are not listed: " + last_lines(s.screen(), 50))
        for _ in range(3):  # writes/s -> writer -> class -> terminal
            s.send("<")
        if not s.wait(lambda x: "sorted by terminal" in x
                      and re.search(r"Latency: %s(?!\d)" % re.escape(order[0]), x), 10):
            raise Fail("not sorted by terminal with %s selected: %s" % (
                order[0], last_lines(s.screen(), 50)))
        lat = []
        for i in range(presses):
            key, want = ("Down", order[1]) if i % 2 == 0 else ("Up", order[0])
            shown = re.compile(r"Latency: %s(?!\d)" % re.escape(want))
            t0 = time.monotonic()
            s.send(key)
            while not shown.search(s.screen()):
                if time.monotonic() - t0 > bound:
                    raise Fail("press %d (%s) not on the screen %.1f s later: %s" % (
                        i + 1, key, bound, last_lines(s.screen(), 50)))
            now = time.monotonic()
            lat.append((now - t0) * 1e3)
            # spread over the storm, which goes on until the last press has shown
            time.sleep(max(0.0, (storm.started + seconds - 1 - now) / (presses - i) - 0.05))
        time.sleep(max(0.0, storm.started + seconds - time.monotonic()))
        counts = storm.counts()
        for i, name in enumerate(order):
            s.send("Home")
            for _ in range(i):
                s.send("Down")
            if not s.wait(lambda x: hist_n(x, name) == counts[name], 60 if in_vm else 15):
                raise Fail("%s: histogram n=%s, its writer made %d writes: %s" % (
                    name, hist_n(s.screen(), name), counts[name], last_lines(s.screen(), 30)))
        s.send("s")
        got = s.wait(lambda x: "snapshot saved:" in x or "snapshot failed" in x, 20)
        if not got or "snapshot saved:" not in got:
            raise Fail("snapshot not saved: " + last_lines(s.screen(), 2))
        files = [f for f in os.listdir(d) if f.endswith(".json")]
        doc = json.load(open(os.path.join(d, files[0])))
        tot = doc["totals"]
        rows = {t["name"]: t for t in doc["terminals"]}
        for name in order:
            t = rows.get(name)
            if not t or t["writes"] != counts[name] or \
                    sum(b["count"] for b in t["hist"]) != counts[name]:
                raise Fail("snapshot: %s writes %s, histogram %s, its writer made %d" % (
                    name, t and t["writes"], t and sum(b["count"] for b in t["hist"]),
                    counts[name]))
        made = sum(counts.values())
        allrows = sum(t["writes"] for t in doc["terminals"])
        if allrows + tot["lost_writes"] != made or tot["lost_writes"]:
            raise Fail("snapshot: rows %d + lost %d != %d written" % (
                allrows, tot["lost_writes"], made))
        if tot["dropped"] != sum(tot["drops"].values()) or not tot["drops"]["ratelimit"]:
            raise Fail("snapshot drops: %d in all, by cause %r" % (tot["dropped"], tot["drops"]))
        cause, most = None, 0
        for k, v in tot["drops"].items():  # the header names the biggest, first of equals
            if v > most:
                cause, most = k, v
        want = re.compile(r"drops %s \((?:[\d.]+[kMGT]?/s )?%s\)" % (
            re.escape(fmt_total(tot["dropped"])), cause))
        got = s.wait(lambda x: want.search(x.splitlines()[1]), 5)
        if not got:
            raise Fail("header %r, the snapshot dropped %d (%s)" % (
                s.screen().splitlines()[1], tot["dropped"], cause))
        if not quit_ok(s):
            raise Fail("q did not exit")
        lat.sort()
        p50, p99 = lat[len(lat) // 2], lat[min(len(lat) - 1, int(len(lat) * 0.99))]
        return ("key to screen p50 %.0f ms p99 %.0f ms over %d presses; %.0f writes/s per pty "
                "for %.1f s; drops %d (ratelimit %d, ringbuf_full %d)" % (
                    p50, p99, len(lat), storm.rate(counts), storm.seconds(), tot["dropped"],
                    tot["drops"]["ratelimit"], tot["drops"]["ringbuf_full"]))
    finally:
        if storm:
            storm.close()
        s.close()


@case("others_row_beyond_max_terminals")
def t_others_row(tmp):
    """More terminals than rows kept: the top ones listed, the rest summed in
    one others row, and the header and title say how many."""
    why = live_reason()
    if why:
        raise Skip(why)
    s = Session(140, 40)
    try:
        s.run("%s -T 1000 -c ttyt-many --max-terminals 5" % BIN)
        if not s.wait(lambda x: "Slow writes" in x and "F10Quit" in x, 30):
            raise Fail("dashboard did not come up")
        names = burst_ptys(30, 40, b"ttyt-many")
        got = s.wait(lambda x: re.search(r"│others +25 ttys ", x) and "25 terminals in others" in x
                     and "Terminals (5 + 25 in others)" in x, 10)
        if not got:
            raise Fail("no others row for 25 terminals: " + last_lines(s.screen(), 40))
        rows = re.findall(r"│(pts/\d+)\s+pty\s", got)
        if len(rows) != 5 or not set(rows) <= set(names):
            raise Fail("expected 5 of the burst's ptys listed, got %r" % rows)
        if not quit_ok(s):
            raise Fail("q did not exit")
    finally:
        s.close()


def thousand_ptys(tmp, max_terminals):
    """1,000 fresh ptys written 20 times each under a live dashboard: the title,
    the others row, navigation to the last row and a snapshot's counts."""
    why = live_reason()
    if why:
        raise Skip(why)
    n, writes = 1000, 20
    if raise_nofile(2 * n + 64) < 2 * n + 64:
        raise Fail("RLIMIT_NOFILE too small for %d ptys" % n)
    d = tempfile.mkdtemp(dir=tmp)
    s = Session(160, 50)
    try:
        extra = " --max-terminals %d" % max_terminals if max_terminals else ""
        s.run("%s -T 1000 -c ttyt-many --snapshot-dir %s%s" % (BIN, d, extra))
        if not s.wait(lambda x: "Slow writes" in x and "F10Quit" in x, 30):
            raise Fail("dashboard did not come up")
        names = set(many_ptys(n, writes, b"ttyt-many"))
        kept = max_terminals or n
        title = "Terminals (%d)" % n if kept == n else \
            "Terminals (%d + %d in others)" % (kept, n - kept)
        # the whole list, others row included, is counted in the pane's footer
        footer = " of %d " % (kept + (kept < n))
        got = s.wait(lambda x: title in x and footer in x, 60)
        if not got:
            raise Fail("no %r with %r: %s" % (title, footer, last_lines(s.screen(), 50)))
        if kept < n and "%d terminals in others" % (n - kept) not in got:
            raise Fail("header does not count others: " + got.splitlines()[1])
        rows = re.findall(r"│(pts/\d+)\s+ttyt-many/\d+\s", got)
        if len(rows) < 10 or not set(rows) <= names:
            raise Fail("expected a screenful of the burst's ptys, got %r" % rows)
        sel = re.compile(r"Latency: (pts/\d+) .*\n.* n=%d " % writes)
        # every terminal is listed before all its writes are in: a guest showed n=8
        got = s.wait(lambda x: sel.search(x), 30) or got
        first = sel.search(got)
        if not first:
            raise Fail("selected row's histogram is not n=%d: %s" % (writes, last_lines(got, 50)))
        s.send("End")
        if kept == n:
            got = s.wait(lambda x: (m := sel.search(x)) is not None and m.group(1) != first.group(1), 6)
        else:
            got = s.wait(lambda x: re.search(r"│others +%d ttys " % (n - kept), x)
                         and "Latency: others" in x, 6)
        if not got:
            raise Fail("End did not reach the last row: %s" % s.screen())
        s.send("s")
        got = s.wait(lambda x: "snapshot saved:" in x or "snapshot failed" in x, 20)
        if not got or "snapshot saved:" not in got:
            raise Fail("snapshot not saved: " + last_lines(s.screen(), 2))
        files = [f for f in os.listdir(d) if f.endswith(".json")]
        doc = json.load(open(os.path.join(d, files[0])))
        bad = schema_errors(os.path.join(d, files[0]))
        if bad:  # the schema once said 256 terminals at most
            raise Fail("the snapshot does not validate: " + bad)
        listed = [t for t in doc["terminals"] if "others" not in t]
        others = [t for t in doc["terminals"] if "others" in t]
        total = sum(t["writes"] for t in doc["terminals"])
        if len(listed) != kept or total != n * writes or {t["name"] for t in listed} - names:
            raise Fail("snapshot: %d rows of the burst, %d writes (expected %d rows, %d writes)" % (
                len(listed), total, kept, n * writes))
        if kept < n and (len(others) != 1 or others[0]["writes"] != (n - kept) * writes):
            raise Fail("snapshot's others row: %r" % [(t["name"], t["writes"]) for t in others])
        if not quit_ok(s):
            raise Fail("q did not exit")
    finally:
        s.close()


@case("thousand_fresh_ptys_listed")
def t_thousand(tmp):
    thousand_ptys(tmp, 0)


@case("thousand_fresh_ptys_beyond_max_terminals")
def t_thousand_others(tmp):
    thousand_ptys(tmp, 300)


@case("stuck_writer_heads_the_dashboard")
def t_stuck(tmp):
    """A pty nobody reads: while its writer is stuck the header counts it, the
    log's first row is it (IN FLIGHT, its time counting), its terminal row
    says STUCK and comes first, Enter there opens it with the reader named,
    and a snapshot taken meanwhile holds it. Once drained it is an event."""
    why = live_reason()
    if why:
        raise Skip(why)
    import pty
    import threading
    import tty as ttymod
    master, slave = pty.openpty()
    ttymod.setraw(slave)
    name = os.ttyname(slave).replace("/dev/", "")
    d = tempfile.mkdtemp(dir=tmp)
    s = Session(160, 50)
    pid = None
    try:
        s.run("%s -T 100 --interval 0.5 --snapshot-dir %s" % (BIN, d))
        if not s.wait(lambda x: "Slow writes" in x and "F10Quit" in x, 30):
            raise Fail("dashboard did not come up")
        t0 = time.monotonic()
        pid = os.fork()
        if pid == 0:
            os.write(slave, b"w" * 200000)
            os._exit(0)
        # the TIME column (IN FLIGHT) is dropped at this width; the mark stays
        row = re.compile(r"│(?:IN FLIGHT +)?[▶>]%s +%d/%d +\S+ +(\d+(?:\.\d+)?)(ms|s) " % (
            re.escape(name), pid, pid))
        # at least ours: a guest's console writes can be in flight too
        got = s.wait(lambda x: row.search(x) and re.search(r"IN FLIGHT [1-9]", x.splitlines()[1]),
                     30 if os.environ.get("TTYTOP_IN_VM") else 15)
        if not got:
            raise Fail("no in-flight row for %s/%d: %s" % (name, pid, last_lines(s.screen(), 50)))
        # past the 100 ms threshold, at the next refresh (0.5 s), read back from tmux
        # (the wait's own polling and settling take up to 0.2 s of it)
        seen = time.monotonic() - t0
        if seen > (5.0 if os.environ.get("TTYTOP_IN_VM") else 1.0):
            raise Fail("the stuck write showed %.2f s into the stall" % seen)
        first = [l for l in got.splitlines() if row.search(l)]
        if len(first) != 1:
            raise Fail("expected one in-flight row: %r" % first)
        table = [l for l in got.split("Slow writes")[0].splitlines() if re.match(r"│pts/\d+ ", l)]
        if not table or not table[0].startswith("│%s " % name) or "STUCK " not in table[0]:
            raise Fail("%s not first and STUCK in the terminals table: %r" % (name, table[:3]))

        def latency(x):
            m = row.search(x)
            return float(m.group(1)) * (1e-3 if m.group(2) == "ms" else 1) if m else -1
        l1 = latency(got)
        got = s.wait(lambda x: latency(x) >= l1 + 1.0, 6)
        if not got:
            raise Fail("the in-flight time does not count: %.2f s, then %s" % (l1, last_lines(s.screen(), 30)))
        s.send("Enter")  # on the terminals table: its row is selected, first
        got = s.wait(lambda x: "IN FLIGHT: blocked" in x and "buffer-full" in x
                     and "pty master held by" in x and "has not returned" in x, 6)
        if not got:
            raise Fail("Enter did not open the stuck write: " + last_lines(s.screen(), 30))
        s.send("s")
        got = s.wait(lambda x: "snapshot saved:" in x or "snapshot failed" in x, 10)
        if not got or "snapshot saved:" not in got:
            raise Fail("snapshot not saved: " + last_lines(s.screen(), 2))
        files = [f for f in os.listdir(d) if f.endswith(".json")]
        doc = json.load(open(os.path.join(d, files[0])))
        bad = schema_errors(os.path.join(d, files[0]))
        if bad:
            raise Fail("snapshot does not validate: " + bad)
        mine = [w for w in doc.get("in_flight", []) if w["pid"] == pid]
        if not mine or mine[0]["reason"] != "buffer-full" or mine[0]["elapsed_ns"] < 1e9:
            raise Fail("snapshot's in_flight lacks the stuck writer: %r" % doc.get("in_flight"))
        stop = threading.Event()
        threading.Thread(target=drain, args=(master, stop), daemon=True).start()
        os.waitpid(pid, 0)
        done = pid
        pid = None
        got = s.wait(lambda x: "IN FLIGHT" not in x and re.search(
            r"│%s +%d/%d " % (re.escape(name), done, done), x) and ") wrote " in x
                     and "has not returned" not in x, 10)
        stop.set()
        if not got:
            raise Fail("the write did not become an event: " + last_lines(s.screen(), 30))
        if not quit_ok(s):
            raise Fail("q did not exit")
    finally:
        if pid:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        s.close()
        os.close(master)
        os.close(slave)


MARQUEE = os.path.join(ROOT, "tests", "fixtures", "bin", "marquee")


@case("thread_pane_live")
def t_thread_pane(tmp):
    """The goroutine/thread pane of a live Go writer: the marquee on a pty,
    its terminal the table's top row, `p` opens the pane on its pid with its
    goroutines, the program's own frames (main.) among their top frames;
    Left shows its threads, Enter a stack, Esc twice closes it. A snapshot
    taken meanwhile holds the pane, and its replay shows it on `p`."""
    why = live_reason()
    if why:
        raise Skip(why)
    if not os.access(MARQUEE, os.X_OK):
        raise Skip("%s not built (make fixtures)" % MARQUEE)
    work = Session(80, 24)
    s = Session(140, 40)
    d = tempfile.mkdtemp(dir=tmp)
    try:
        work.type("exec %s -interval 100 -writers 3" % MARQUEE)
        work.send("Enter")
        if not work.wait(lambda x: "gid=" in x, 5):
            raise Fail("the marquee did not start: " + last_lines(work.screen(), 3))
        pid = int(work.fmt("#{pane_pid}"))  # exec: the shell's pid is the marquee's
        s.run("%s -T 1000 -c marquee --snapshot-dir %s" % (BIN, d))
        if not s.wait(lambda x: re.search(r"marquee/%d" % pid, x), START_S):
            raise Fail("no marquee/%d in the table: %s" % (pid, last_lines(s.screen(), 40)))
        s.send("p")
        title = "Goroutines of pid %d" % pid
        got = s.wait(lambda x: title in x and "pid %d marquee" % pid in x
                     and re.search(r"│ *\d+ +(waiting|runnable|running|syscall) .*main\.", x),
                     START_S)
        if not got:
            scr = s.screen()
            head = [l for l in scr.splitlines() if "pid %d marquee" % pid in l]
            raise Fail("no goroutines of %d with main. frames (%s): %s" % (
                pid, head[0].strip("│ ") if head else "no pane header",
                last_lines(scr, 30)))
        m = re.search(r"(\d+) threads? / (\d+) goroutines", got)
        if not m or int(m.group(2)) < 4:  # main and three writers at least
            raise Fail("goroutine count: %r" % (m.group(0) if m else got.splitlines()[2:6]))
        s.send("Left")
        if not s.wait(lambda x: "Threads of pid %d" % pid in x
                      and re.search(r"│ *%d +[RSD] " % pid, x), 4):
            raise Fail("Left did not show the threads: " + last_lines(s.screen(), 30))
        s.send("Right")
        s.send("Enter")
        if not s.wait(lambda x: re.search(r"goroutine \d+ . marquee/%d" % pid, x)
                      and "read at" in x, 4):
            raise Fail("Enter did not show a goroutine's stack: " + last_lines(s.screen(), 20))
        s.send("s")
        got = s.wait(lambda x: "snapshot saved:" in x or "snapshot failed" in x, 10)
        if not got or "snapshot saved:" not in got:
            raise Fail("snapshot not saved: " + last_lines(s.screen(), 2))
        s.send("Escape")
        s.send("Escape")
        if not s.wait(lambda x: title not in x and "Slow writes" in x, 4):
            raise Fail("Esc did not close the pane: " + last_lines(s.screen(), 30))
        if not quit_ok(s):
            raise Fail("q did not exit")
        files = [f for f in os.listdir(d) if f.endswith(".json")]
        if len(files) != 1:
            raise Fail("expected one snapshot, found %r" % files)
        doc = json.load(open(os.path.join(d, files[0])))
        if pid not in [p.get("pid") for p in doc.get("panes", [])]:
            raise Fail("the snapshot holds no pane of %d: %r" % (pid, list(doc)))
        bad = schema_errors(os.path.join(d, files[0]))
        if bad:
            raise Fail("the snapshot does not validate: " + bad)
        s2, scr = start_replay(os.path.join(d, files[0]), 140, 40)
        try:
            if not scr:
                raise Fail("replay of the snapshot did not come up")
            s2.send("p")
            if not s2.wait(lambda x: title in x and re.search(r"│ *\d+ +\w+ .*main\.", x), 4):
                raise Fail("the replay does not show the pane: " + last_lines(s2.screen(), 30))
            quit_ok(s2)
        finally:
            s2.close()
        return "%s threads, %s goroutines" % m.groups()
    finally:
        work.send("C-c")
        s.close()
        work.close()


def stop_loop(work, tries=3):
    """^C until the shell prints a marker of its own: proof that it is back at
    its prompt rather than still running a loop."""
    for i in range(tries):
        work.send("C-c")
        time.sleep(0.3)
        mark = "loop-stopped-%d" % i
        work.type("echo %s-$((6*7))" % mark)
        work.send("Enter")
        if work.wait(lambda x: (mark + "-42") in x, 5):
            work.type("clear")
            work.send("Enter")
            return True
    return False


def main():
    if not shutil.which("tmux"):
        report("SKIP", "tui", "tmux not installed")
        summary()
        return 0
    if not os.access(BIN, os.X_OK):
        report("FAIL", "tui", "%s not built" % BIN)
        summary()
        return 0
    tmp = tempfile.mkdtemp(prefix="ttytop-tui-")
    fx = os.path.join(tmp, "fixture.json")
    with open(fx, "w") as f:
        json.dump(fixture.document(), f)
    start_server()
    try:
        run({"fx": fx, "tmp": tmp}, exit=False)
    finally:
        kill_server()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
