#!/usr/bin/env python3
"""The goroutine/thread pane, headless (issue 13): `ttytop --json --threads PID`
over programs whose goroutines and threads sit in known states, each named by
the program itself (its own goids and tids), compared row by row: status, wait
reason, the top frame in the program's own code, the kernel function a thread
sleeps in, the user frames of its stack. Then that reading disturbs nothing
(no ptrace, the program's period unchanged) and that a process which exits or
execs under the reader ends the run cleanly."""
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from ttcase import Skip, case, run  # noqa: E402
from ttgo import toolchains  # noqa: E402
from ttpty import drain, open_pty  # noqa: E402
from tttracer import FIXTURES, TTYTOP, require_root  # noqa: E402

IN_VM = bool(os.environ.get("TTYTOP_IN_VM"))


def threads_docs(pid, duration=1.2, interval=0.4, timeout=60):
    """The documents of one `ttytop --json --threads PID` run."""
    p = subprocess.run([TTYTOP, "--json", "--threads", str(pid), "--duration", str(duration),
                        "--interval", str(interval)], capture_output=True, text=True,
                       timeout=timeout)
    assert p.returncode == 0, f"ttytop --threads exited {p.returncode}: {p.stderr[-500:]}"
    docs = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
    assert docs, f"no document: {p.stderr[-300:]!r}"
    return docs


def funcs(stack, key):
    return [f.get("func") or "" for f in (stack or {}).get(key) or []]


class Program:
    """A fixture on its own pty, whose master nobody reads (writers block on
    it); its stdout lines `KIND NAME key=N` name its rows."""

    def __init__(self, argv, kind, names, env=None):
        self.master, self.slave, self.name = open_pty()
        self.err = tempfile.TemporaryFile()
        if kind == "thread":  # cthreads PTY: names on stdout, writes to the pty
            self.p = subprocess.Popen(argv + [f"/dev/{self.name}"], stdin=subprocess.DEVNULL,
                                      stdout=subprocess.PIPE, stderr=self.err)
            said = self.p.stdout
        else:  # marquee -states: names on stderr, the terminal writer on stdout
            self.p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.slave,
                                      stderr=subprocess.PIPE, env=dict(os.environ, **(env or {})))
            said = self.p.stderr
        self.ids = {}
        deadline = time.time() + (60 if IN_VM else 15)
        while set(self.ids) != set(names):
            line = said.readline(4096).decode(errors="replace")
            if not line:
                self.err.seek(0)
                raise AssertionError(f"{argv[0]} said only {self.ids}: {self.err.read()[-300:]!r}")
            m = re.match(r"%s (\w+) \w+=(\d+)" % kind, line)
            if m:
                self.ids[m.group(1)] = int(m.group(2))
            assert time.time() < deadline, f"{argv[0]} named only {self.ids} of {names}"

    def close(self):
        self.p.kill()
        self.p.wait()
        os.close(self.master)
        os.close(self.slave)


def marquee_states(binary):
    # the terminal writer writes to the pty whose master nobody reads: it blocks
    prog = Program([binary, "-states", "-writers", "0"], "state",
                   ["parkedOnChan", "sleeper", "lockWaiter", "termWriter", "napper"])
    return prog


def expect_go(version, doc, ids):
    """Each named goroutine as the runtime has it, for this Go version."""
    minor = int(re.match(r"go1\.(\d+)", version).group(1))
    want = {
        "parkedOnChan": ("waiting", "chan receive"),
        "sleeper": ("waiting", "sleep"),
        # Go 1.20 gave mutex waits their own reason (runtime2.go waitReasonSyncMutexLock)
        "lockWaiter": ("waiting", "sync.Mutex.Lock" if minor >= 20 else "semacquire"),
        "termWriter": ("syscall", ""),
    }
    gs = {g["goid"]: g for g in doc["goroutines"]}
    tids = {t["tid"]: t for t in doc["threads"]}
    for name, (status, reason) in want.items():
        g = gs.get(ids[name])
        assert g, f"{name}: goroutine {ids[name]} not listed (of {len(gs)})"
        assert g["status"] == status, f"{name}: status {g['status']}, want {status}"
        assert g["wait_reason"] == reason, f"{name}: wait reason {g['wait_reason']!r}, want {reason!r}"
        top = (g.get("top") or {}).get("func")
        assert top == f"main.{name}", f"{name}: top frame {top}, stack {funcs(g['stack'], 'user')}"
    # how long: a goroutine that never ran since ttytop's first read (1.2 s before
    # the last) has waited at least that long; one that re-parks every 20 ms has not
    parked, napper = gs[ids["parkedOnChan"]], gs[ids.get("napper")]
    assert parked["wait_ns"] >= 1.0e9, f"parkedOnChan waited only {parked['wait_ns']} ns"
    assert napper["status"] == "waiting" and napper["wait_ns"] < 0.5e9, \
        f"napper (20 ms naps) said to wait {napper['wait_ns'] / 1e6:.0f} ms"
    # the writer's thread: asleep in the tty's write path
    w = gs[ids["termWriter"]]
    assert w["thread"] in tids, f"termWriter's thread {w['thread']} not among {sorted(tids)}"
    t = tids[w["thread"]]
    assert t["goid"] == ids["termWriter"], f"thread {t['tid']} says goroutine {t['goid']}"
    k = funcs(t["stack"], "kernel")
    assert any("tty_write" in f for f in k), f"termWriter's thread kernel stack {k}"
    return len(gs)


def check_says_decoder(pid):
    """--check says where a stripped program's goroutine list was found."""
    p = subprocess.run([TTYTOP, "--check"], capture_output=True, text=True, timeout=120)
    line = next((x for x in p.stdout.splitlines() if x.startswith("go goroutines:")
                 and f" {pid} " in x), None)
    assert line and re.search(r": \d+ from runtime.allgs \(decoder\)$", line), \
        f"--check on the stripped build: {line!r}"


def go_case(variant):
    require_root()
    tcs = toolchains()
    if not tcs:
        raise Skip("no Go toolchain fixtures (make fixtures)")
    if IN_VM:
        tcs = tcs[-1:]
    said = []
    for tc, d in tcs:
        prog = marquee_states(os.path.join(d, variant))
        try:
            doc = threads_docs(prog.p.pid)[-1]
            if variant.endswith("stripped"):
                check_says_decoder(prog.p.pid)
        finally:
            prog.close()
        assert doc["pane"]["go_version"], f"{tc}: not seen as Go"
        assert not doc["pane"]["why_no_goroutines"], f"{tc}: {doc['pane']['why_no_goroutines']}"
        n = expect_go(tc, doc, prog.ids)
        said.append(f"{tc}: {n} goroutines, {doc['pane']['read_cost_ns'] / 1e6:.1f} ms")
    return "; ".join(said)


@case
def test_goroutines_in_known_states():
    return go_case("marquee")


@case
def test_goroutines_in_known_states_stripped():
    return go_case("marquee-stripped")


@case
def test_goroutines_in_known_states_cgo():
    return go_case("marquee-cgo")


@case
def test_c_threads_kernel_and_user_stacks():
    require_root()
    binary = os.path.join(FIXTURES, "cthreads")
    if not os.path.exists(binary):
        raise Skip("fixture cthreads not built (make fixtures)")
    want = {  # thread: (kernel function family, user function)
        "reader": (("pipe_read",), "reader_thread"),
        "sleeper": (("nanosleep",), "sleeper_thread"),
        "ptywriter": (("tty_write",), "pty_writer_thread"),
    }
    prog = Program([binary], "thread", list(want))
    try:
        time.sleep(0.2)  # the pty writer fills the buffer, then blocks
        doc = threads_docs(prog.p.pid)[-1]
    finally:
        prog.close()
    tids = {t["tid"]: t for t in doc["threads"]}
    for name, (kfam, ufunc) in want.items():
        t = tids.get(prog.ids[name])
        assert t, f"{name}: thread {prog.ids[name]} not listed"
        assert t["state"] == "S", f"{name}: state {t['state']}"
        k, u = funcs(t["stack"], "kernel"), funcs(t["stack"], "user")
        assert any(any(f in x for f in kfam) for x in k), f"{name}: kernel stack {k}"
        assert ufunc in u, f"{name}: user stack {u}"
    return f"{len(tids)} threads, {doc['pane']['read_cost_ns'] / 1e6:.1f} ms"


def tracer_pid(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"TracerPid:\s*(\d+)", f.read()).group(1))


def ticker_intervals(binary, reading):
    """A 100 ms ticker for 4 s, its pane read each second when reading; its own
    intervals (ns), and the TracerPid seen while it was read."""
    master, slave, _ = open_pty()
    stop = threading.Event()
    threading.Thread(target=drain, args=(master, stop), daemon=True).start()
    with tempfile.NamedTemporaryFile() as log:
        p = subprocess.Popen([binary, "-interval", "100", "-count", "40", "-writers", "1",
                              "-log-intervals", log.name], stdout=slave,
                             stderr=subprocess.DEVNULL)
        traced = []
        if reading:
            r = subprocess.Popen([TTYTOP, "--json", "--threads", str(p.pid), "--duration", "3.5",
                                  "--interval", "1"], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE)
            for _ in range(6):
                time.sleep(0.5)
                traced.append(tracer_pid(p.pid))
            r.wait(30)
            assert r.returncode == 0, r.stderr.read()[-300:]
        p.wait(30)
        stop.set()
        os.close(master)
        os.close(slave)
        iv = [int(x) for x in open(log.name).read().split()]
    return iv, traced


@case
def test_reading_disturbs_nothing():
    require_root()
    tcs = toolchains()
    if not tcs:
        raise Skip("no Go toolchain fixtures (make fixtures)")
    binary = os.path.join(tcs[-1][1], "marquee")
    base, _ = ticker_intervals(binary, False)
    seen, traced = ticker_intervals(binary, True)
    assert not any(traced), f"the program was traced: TracerPid {traced}"

    def period(iv):
        s = sorted(iv)
        return s[len(s) // 2]
    pb, ps = period(base), period(seen)
    assert len(seen) >= 30, f"{len(seen)} intervals"
    # within 1% of its own period unread (an emulated guest's 100 ms ticker runs at 101)
    assert abs(ps - pb) <= 0.01 * pb, f"period {ps / 1e6:.2f} ms while read, {pb / 1e6:.2f} ms alone"
    return f"period {ps / 1e6:.2f} ms read, {pb / 1e6:.2f} ms alone"


@case
def test_process_that_exits_or_execs_under_the_reader():
    require_root()
    for what, argv in (("exits", ["/bin/sh", "-c", "sleep 0.6"]),
                       ("execs", ["/bin/sh", "-c", "sleep 0.6; exec sleep 5"])):
        p = subprocess.Popen(argv)
        t0 = time.monotonic()
        try:
            docs = threads_docs(p.pid, duration=4, interval=0.2)
        finally:
            p.kill()
            p.wait()
        took = time.monotonic() - t0
        assert docs[-1]["pane"]["gone"], f"{what}: the last document is not 'gone'"
        assert not any(d["pane"]["gone"] for d in docs[:-1]), f"{what}: gone before the end"
        assert took < 3.5, f"{what}: ran {took:.1f} s after the process was gone"
    return "both end with gone"


@case
def test_no_such_process():
    p = subprocess.run([TTYTOP, "--json", "--threads", "4194303", "--duration", "1"],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode != 0 and p.stderr.strip(), (p.returncode, p.stderr)
    assert "4194303" in p.stderr and len(p.stderr.splitlines()) <= 2, p.stderr
    return p.stderr.strip()


run()
