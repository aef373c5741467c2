#!/usr/bin/env python3
"""Ticks and Go stop-the-world, end to end (issue 12): the marquee built by every
Go toolchain found (tests/fixtures/build.sh, tools/gotoolchain.sh) ticks on a pty
under ttytop; its period, its intervals and its GC cycles are compared with what
the marquee measured itself, and each injected cause of a late tick (a reader
that stalls, a stop-the-world stretched to 300 ms, a CPU hog of higher priority)
must be the one ttytop blames. Last, the marquee must not notice ttytop: same
output and exit status with and without it, and no uprobe left once it exits."""
import json
import os
import re
import select
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from ttcase import Skip, case, run  # noqa: E402
from ttgo import parse_marquee_stderr, read_intervals, toolchains  # noqa: E402
from ttpty import open_pty  # noqa: E402
from tttracer import Tracer, require_root  # noqa: E402

MS = 1_000_000


def each_toolchain():
    tcs = toolchains()
    if not tcs:
        raise Skip("no Go toolchain fixtures in tests/fixtures/bin/go1.NN (make fixtures; "
                   "tools/gotoolchain.sh fetches them)")
    return tcs


class Marquee:
    """One marquee on its own raw pty, read by a thread that can stall once:
    pause = (after_bytes, seconds); pause_ns is then the (start, end) of the
    stall, wall clock ns. cpu pins the marquee to one CPU."""

    def __init__(self, binary, args, env=None, pause=None, cpu=None):
        self.binary, self.args, self.pause = binary, [str(a) for a in args], pause
        self.env = dict(os.environ, **(env or {}))
        self.cpu = cpu
        self.master, self.slave, self.name = open_pty()
        self.out = bytearray()
        self.pause_ns = None
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._read, daemon=True)

    def _read(self):
        while not self._stop.is_set():
            if self.pause and self.pause_ns is None and len(self.out) >= self.pause[0]:
                t0 = time.time_ns()
                time.sleep(self.pause[1])
                self.pause_ns = (t0, time.time_ns())
            r, _, _ = select.select([self.master], [], [], 0.02)
            if r:
                try:
                    self.out.extend(os.read(self.master, 1 << 16))
                except OSError:
                    return

    def start(self):
        self._t.start()
        pin = (lambda: os.sched_setaffinity(0, {self.cpu})) if self.cpu is not None else None
        self.proc = subprocess.Popen([self.binary] + self.args, stdout=self.slave,
                                     stderr=subprocess.PIPE, env=self.env, preexec_fn=pin)
        self.pid = self.proc.pid
        return self

    def finish(self, timeout=60):
        """Waits for the exit and for the last output; returns self."""
        self.rc = self.proc.wait(timeout)
        self.err = self.proc.stderr.read().decode(errors="replace")
        self.said = parse_marquee_stderr(self.err)
        end = time.time() + 2
        while time.time() < end:  # the rest of the output still in the pty
            n = len(self.out)
            time.sleep(0.1)
            if len(self.out) == n:
                break
        self._stop.set()
        self._t.join(2)
        os.close(self.master)
        os.close(self.slave)
        return self


def traced(comm, marquees, *tracer_args, linger=0.6):
    """ttytop --json (filtered to comm) while the marquees run to their end;
    returns the stopped tracer. ttytop starts first: every write is seen."""
    tr = Tracer("-c", comm[:15], *tracer_args)
    try:
        for m in marquees:
            m.start()
        for m in marquees:
            m.finish()
        time.sleep(linger)  # the last interval's documents
        tr.wait_docs(2)
    finally:
        tr.stop()
    for m in marquees:
        assert m.rc == 0, f"{m.binary} exited {m.rc}: {m.err[-300:]}"
    return tr


def writer_ticks(doc, pid):
    """The ticks of pid's writer entry in doc (None when no period yet)."""
    for t in doc["terminals"]:
        for w in t.get("writers", []):
            if w["pid"] == pid:
                assert "ticks" in w, "writers[] without ticks: ttytop predates tick tracking"
                return w["ticks"]
    raise AssertionError(f"pid {pid} in no terminal's writers")


def process_in(docs, pid):
    """The newest processes[] entry of pid, or an AssertionError naming why."""
    for d in reversed(docs):
        assert "processes" in d, "no top-level processes: ttytop predates Go GC tracking"
        for p in d["processes"]:
            if p["pid"] == pid:
                return p
    raise AssertionError(f"pid {pid} in no document's processes")


def late_ticks(tr, pid):
    evs = [e for e in tr.events(pid=pid) if e.get("kind") == "late-tick"]
    for e in evs:
        for k in ("interval_ns", "late_ns", "period_ns", "cause", "cause_ns", "gc_overlap_ns"):
            assert k in e, f"late tick without {k}: {e}"
    return evs


def overlapping(evs, window):
    """The late ticks whose interval (ending at the write that ended it) overlaps window."""
    a, b = window
    return [e for e in evs if min(b, e["time_ns"]) - max(a, e["time_ns"] - e["interval_ns"]) > 0]


def blamed(evs, windows, cause, what):
    """Each injection window must have a late tick over it, and every late tick
    over a window that is late by at least a third of the window must be blamed
    on cause. Returns the blamed ticks, one list per window."""
    out = []
    for w in windows:
        over = overlapping(evs, w)
        big = [e for e in over if e["late_ns"] >= (w[1] - w[0]) / 3]
        assert big, (f"{what} of {(w[1] - w[0]) / MS:.0f} ms: no late tick over it "
                     f"({len(evs)} late ticks: {[(e['late_ns'] // MS, e['cause']) for e in evs]})")
        wrong = [(e["late_ns"] // MS, e["cause"], e["cause_ns"] // MS) for e in big
                 if e["cause"] != cause]
        assert not wrong, f"{what}: late ticks blamed on something else (late ms, cause, ms): {wrong}"
        out.append(big)
    return out


# --- bucket arithmetic of ttytop/1's histograms (docs/json.md, Histograms) ----
def bucket(v):
    """Index of v's bucket: 0..15 one each, then 8 per power of two."""
    v = int(v)
    if v < 16:
        return v
    e = v.bit_length() - 1
    return 16 + (e - 4) * 8 + ((v >> (e - 3)) & 7)


def quantile_buckets(counts, qs):
    """counts: {bucket index: n}; the bucket holding each quantile q."""
    total = sum(counts.values())
    out = []
    for q in qs:
        want, acc = q * total, 0
        for i in sorted(counts):
            acc += counts[i]
            if acc >= want:
                out.append(i)
                break
    return out


def compare_hist(hist, app):
    """ttytop's interval histogram against the app's own intervals: the same
    number of intervals (within 2) and each decile in the same bucket or the next."""
    mine = {}
    for b in hist:
        i = bucket(b["min"])
        assert bucket(b["max"] - 1) == i, f"{b} is not one bucket of ttytop/1's layout"
        mine[i] = mine.get(i, 0) + b["count"]
    theirs = {}
    for v in app:
        theirs[bucket(v)] = theirs.get(bucket(v), 0) + 1
    n = sum(mine.values())
    assert abs(n - len(app)) <= 2, f"histogram holds {n} intervals, the app measured {len(app)}"
    qs = [0.0001, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0]
    a, b = quantile_buckets(mine, qs), quantile_buckets(theirs, qs)
    off = [(q, x, y) for q, x, y in zip(qs, a, b) if abs(x - y) > 1]
    assert not off, f"quantile buckets differ by more than one (q, ttytop, app): {off}"


@case
def test_period_100ms():
    """30 ticks of 100 ms (every toolchain's marquee at once, each on its own
    pty): period within 1%, histogram within one bucket of the app's own intervals."""
    require_root()
    tcs = each_toolchain()
    with tempfile.TemporaryDirectory(prefix="tt-ticks-") as tmp:
        ms = [Marquee(os.path.join(d, "marquee"),
                      ["-interval", 100, "-count", 30, "-writers", 1, "-ticker",
                       "-log-intervals", os.path.join(tmp, tc)]) for tc, d in tcs]
        tr = traced("marquee", ms)
        apps = [read_intervals(os.path.join(tmp, tc)) for tc, _ in tcs]
    notes = []
    for (tc, _), m, app in zip(tcs, ms, apps):
        assert len(app) == 29, f"{tc}: the marquee logged {len(app)} intervals"
        ticks = writer_ticks(tr.last(), m.pid)
        assert ticks is not None, f"{tc}: no period detected after 30 ticks of 100 ms"
        p = ticks["period_ns"]
        assert abs(p - 100 * MS) <= MS, f"{tc}: period {p / MS:.3f} ms, not 100 ms within 1%"
        compare_hist(ticks["interval_hist"], app)
        notes.append(f"{tc} {p / MS:.2f} ms")
    return ", ".join(notes)


@case
def test_gc_cycles():
    """runtime.GC() every 8 ticks: processes[].gc.cycles equals the app's NumGC delta (±1),
    with symbols and stripped (every toolchain's marquee at once)."""
    require_root()
    tcs = each_toolchain()
    notes = []
    for variant in ("marquee", "marquee-stripped"):
        ms = [Marquee(os.path.join(d, variant),
                      ["-interval", 40, "-count", 64, "-writers", 1, "-gc-every", 8]) for _, d in tcs]
        tr = traced(variant, ms)
        for (tc, _), m in zip(tcs, ms):
            gc = m.said["gc"]
            assert gc and gc["gc_calls"] == 8, f"{tc}/{variant} said {m.err!r}"
            want = gc["numgc_end"] - gc["numgc_start"]
            p = process_in(tr.docs, m.pid)
            assert p["instrumented"], f"{tc}/{variant}: not instrumented: {p.get('why_not')}"
            assert (p["go_version"] or "").startswith(tc + "."), \
                f"{tc}/{variant}: go_version {p['go_version']}"
            got = p["gc"]["cycles"]
            assert abs(got - want) <= 1, f"{tc}/{variant}: gc.cycles {got}, the app counted {want}"
            assert p["gc"]["stw_count"] >= got, f"{tc}/{variant}: {p['gc']}"
            notes.append(f"{tc}/{variant[8:] or 'plain'} {got}/{want}")
    return ", ".join(notes)


@case
def test_late_terminal_blocked():
    """The reader stalls 300 ms while the marquee writes 32 KB every 50 ms: the
    late tick over the stall is blamed on terminal-blocked."""
    require_root()
    notes = []
    for tc, d in each_toolchain():
        m = Marquee(os.path.join(d, "marquee"),
                    ["-interval", 50, "-count", 30, "-writers", 1, "-size", 32000],
                    pause=(14 * 32000, 0.3))  # a period first: 8 intervals and more
        tr = traced("marquee", [m])
        assert m.pause_ns, f"{tc}: the reader never paused ({len(m.out)} bytes read)"
        assert len(m.out) == 30 * 32000, f"{tc}: read {len(m.out)} bytes of {30 * 32000}"
        (big,) = blamed(late_ticks(tr, m.pid), [m.pause_ns], "terminal-blocked", f"{tc}: reader stall")
        worst = max(big, key=lambda e: e["late_ns"])
        assert worst["cause_ns"] <= 350 * MS, f"{tc}: blocked {worst['cause_ns'] / MS:.0f} ms in a 300 ms stall"
        notes.append(f"{tc} late {worst['late_ns'] / MS:.0f} ms, blocked {worst['cause_ns'] / MS:.0f} ms")
    return ", ".join(notes)


@case
def test_late_gc_stw():
    """Two stops-the-world stretched to 300 ms: each late tick over one is
    blamed on gc-stw with the stop's length (within 10% of what the app
    measured), and the kernel's record of the stop agrees."""
    require_root()
    notes = []
    for tc, d in each_toolchain():
        m = Marquee(os.path.join(d, "marquee"),
                    ["-interval", 50, "-count", 25, "-writers", 1, "-stw-stretch", 300,
                     "-stretch-every", 10], env={"GODEBUG": "asyncpreemptoff=1"})
        tr = traced("marquee", [m])
        st = m.said["stretches"]
        assert len(st) == 2, f"{tc}: the marquee stretched {len(st)} times: {m.err!r}"
        for s in st:  # what the app measured: the stop could last this long at most
            assert abs(s["stw_ns"] - 300 * MS) <= 30 * MS, f"{tc}: spin of {s}"
        windows = [(s["t_ns"], s["t_ns"] + s["stw_ns"]) for s in st]
        proc = process_in(tr.docs, m.pid)
        assert proc["instrumented"], f"{tc}: not instrumented: {proc.get('why_not')}"
        stws = {(x["time_ns"], x["duration_ns"]) for dd in tr.docs for p in dd.get("processes", [])
                if p["pid"] == m.pid for x in p["stw"]}
        blames = blamed(late_ticks(tr, m.pid), windows, "gc-stw", f"{tc}: stretched STW")
        for s, big, w in zip(st, blames, windows):
            e = max(big, key=lambda e: e["cause_ns"])
            assert abs(e["cause_ns"] - s["stw_ns"]) <= 0.1 * s["stw_ns"], \
                f"{tc}: gc-stw {e['cause_ns'] / MS:.1f} ms, the app's stop {s['stw_ns'] / MS:.1f} ms"
            assert e["gc_overlap_ns"] >= 0.9 * e["cause_ns"], f"{tc}: gc_overlap_ns {e['gc_overlap_ns']}"
            # the kernel's record of that stop: starts within 20 ms of the GC call
            k = [dur for t, dur in stws if abs(t - w[0]) <= 20 * MS]
            assert k, f"{tc}: no stop recorded near the stretch: {sorted(stws)[-4:]}"
            assert abs(max(k) - s["stw_ns"]) <= 0.1 * s["stw_ns"], \
                f"{tc}: the kernel recorded {max(k) / MS:.1f} ms, the app {s['stw_ns'] / MS:.1f} ms"
        assert abs(proc["gc"]["stw_max_ns"] - max(s["stw_ns"] for s in st)) <= 30 * MS, proc["gc"]
        notes.append(f"{tc} " + "/".join(f"{max(e['cause_ns'] for e in b) / MS:.0f}" for b in blames)
                     + " ms")
    return ", ".join(notes)


HOG = r"""
import os, sys, time
cpu, bursts, burst, gap = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
os.sched_setaffinity(0, {cpu})
os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(10))
time.sleep(gap)
for _ in range(bursts):
    t0 = time.time_ns()
    end = time.monotonic() + burst
    while time.monotonic() < end:
        pass
    print(t0, time.time_ns(), flush=True)
    time.sleep(gap)
"""


@case
def test_late_run_queue():
    """The marquee pinned to one CPU; three 200 ms bursts of a SCHED_FIFO busy
    loop on that CPU, 700 ms apart: the late ticks over them are blamed on run-queue."""
    require_root()
    cpu = max(os.sched_getaffinity(0))
    notes = []
    for tc, d in each_toolchain():
        m = Marquee(os.path.join(d, "marquee"), ["-interval", 50, "-count", 56, "-writers", 1],
                    cpu=cpu)
        tr = Tracer("-c", "marquee")
        try:
            m.start()
            hog = subprocess.run([sys.executable, "-c", HOG, str(cpu), "3", "0.2", "0.7"],
                                 capture_output=True, text=True, timeout=30)
            m.finish()
            time.sleep(0.6)
            tr.wait_docs(2)
        finally:
            tr.stop()
        assert hog.returncode == 0, f"busy loop: {hog.stderr[-300:]}"
        assert m.rc == 0, m.err
        windows = [tuple(map(int, line.split())) for line in hog.stdout.strip().splitlines()]
        assert len(windows) == 3, hog.stdout
        big = blamed(late_ticks(tr, m.pid), windows, "run-queue", f"{tc}: CPU hog")
        notes.append(f"{tc} " + "/".join(f"{max(e['late_ns'] for e in b) / MS:.0f}" for b in big)
                     + " ms late")
    return ", ".join(notes)


def marquee_line(line):
    """(seq, whether the line is exactly what main.tick writes for its gid and seq)."""
    g = re.match(r"gid=(\d+) seq=(\d+) ", line)
    if not g:
        return None, False
    seq = int(g.group(2))
    pad = len(line) - len(g.group(0))
    return seq, line == g.group(0) + "".join(chr(97 + (seq + i) % 26) for i in range(pad))


def normalized(m):
    """What the marquee did, free of what differs run to run by design: lines
    grouped by writer (-vary: the length names it) in order, as (seq, intact);
    the goroutine IDs are left out (the runtime hands them out per P, in
    batches: 18 in one run, 8 in the next, with or without ttytop), and with
    them the padding's length; the exit status; stderr without the pid line."""
    by_len = {}
    for line in bytes(m.out).decode(errors="replace").splitlines():
        by_len.setdefault(len(line), []).append(marquee_line(line))
    err = [line for line in m.err.splitlines() if not line.startswith("marquee pid=")]
    return by_len, m.rc, err


def _same_file(name, path, pid):
    """Whether a uprobe's file name (as its holder gave it: a path, or
    /proc/PID/exe) is the marquee's executable."""
    if name == f"/proc/{pid}/exe":
        return True
    try:
        a, b = os.stat(name), os.stat(path)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return None


def uprobes_on(path, pid, mine):
    """bpftool perf's uprobes in the marquee's executable: (held by ttytop pid
    mine, held by anyone else but another ttytop: another test's instance may
    instrument every marquee on the machine)."""
    out = subprocess.run(["bpftool", "-j", "perf"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, f"bpftool perf: {out.stderr[-200:]}"
    ps = [p for p in json.loads(out.stdout or "[]")
          if p.get("fd_type") in ("uprobe", "uretprobe") and _same_file(p.get("filename", ""), path, pid)]
    own = [p for p in ps if p["pid"] == mine]
    other = [p for p in ps if p["pid"] != mine and _comm(p["pid"]) != "ttytop"]
    return own, other


def uprobe_events_of(ttytop_pid):
    """Legacy uprobes (tracefs uprobe_events, named libbpf_PID_...) left by ttytop."""
    try:
        with open("/sys/kernel/tracing/uprobe_events") as f:
            return [line for line in f if f"libbpf_{ttytop_pid}_" in line or "ttytop" in line]
    except OSError:
        return []  # no tracefs: nothing can be left there


# 4 s: ttytop is stopped after 1 s, and bpftool and ttytop's exit take a second or two
TICKS = 160
MARQUEE_ARGS = ["-interval", 25, "-count", TICKS, "-writers", 2, "-vary", "-gc-every", 8]


def run_variant(variant, tcs, with_ttytop):
    """The variant of every toolchain at once, under ttytop or not. Under
    ttytop, ttytop is stopped halfway: the marquees must go on untouched, and
    no uprobe may be left in their files."""
    ms = [Marquee(os.path.join(d, variant), MARQUEE_ARGS) for _, d in tcs]
    if not with_ttytop:
        for m in ms:
            m.start()
        return [m.finish() for m in ms], None
    tr = Tracer("-c", variant[:15])
    attached = {}
    try:
        for m in ms:
            m.start()
        time.sleep(1.0)  # ttytop instruments each on its first write
        for (tc, d), m in zip(tcs, ms):
            attached[tc] = len(uprobes_on(os.path.join(d, variant), m.pid, tr.proc.pid)[0])
    finally:
        tr.stop()
    alive = all(m.proc.poll() is None for m in ms)
    left = {}
    for (tc, d), m in zip(tcs, ms):
        own, other = uprobes_on(os.path.join(d, variant), m.pid, tr.proc.pid)
        left[tc] = len(own) + len(other)
    left["uprobe_events"] = len(uprobe_events_of(tr.proc.pid))
    assert alive, "a marquee ended before ttytop was stopped"
    return [m.finish() for m in ms], (tr, attached, left)


@case
def test_not_disturbed():
    """Same output, stderr and exit status with and without ttytop (stopped
    while the marquees run), stripped and not, cgo and not, every toolchain;
    no uprobe left in the marquees' files once ttytop has exited."""
    require_root()
    tcs = each_toolchain()
    probes = []
    for variant in ("marquee", "marquee-stripped", "marquee-cgo"):
        alone, _ = run_variant(variant, tcs, False)
        under, (tr, attached, left) = run_variant(variant, tcs, True)
        for (tc, _), a, u in zip(tcs, alone, under):
            na, nu = normalized(a), normalized(u)
            assert na[1] == 0 and nu[1] == 0, f"{tc}/{variant}: exit {na[1]} alone, {nu[1]} under ttytop"
            for n, lines in na[0].items():  # the marquee itself: every tick, intact, in order
                assert lines == [(i, True) for i in range(TICKS)], f"{tc}/{variant}: writer of {n}: {lines[:3]}"
            assert len(na[0]) == 2, f"{tc}/{variant}: writers of lengths {sorted(na[0])}"
            assert na == nu, f"{tc}/{variant}: output differs under ttytop: {nu[2]} vs {na[2]}"
        assert not any(left.values()), f"{variant}: uprobes left after ttytop exited: {left}"
        probes.append(f"{variant[8:] or 'plain'}:{sum(attached.values())}")
    return f"{len(tcs)} toolchains; uprobes seen while attached {' '.join(probes)}"


@case
def test_uprobes_attached():
    """While ttytop runs, each marquee build carries its stop-the-world uprobes
    (the not-disturbed comparison only means something with them in place)."""
    require_root()
    tcs = each_toolchain()
    missing = []
    for variant in ("marquee", "marquee-stripped", "marquee-cgo"):
        _, (tr, attached, left) = run_variant(variant, tcs, True)
        assert not any(left.values()), f"{variant}: uprobes left after ttytop exited: {left}"
        for (tc, _), n in zip(tcs, [attached[tc] for tc, _ in tcs]):
            if n < 2:  # the entry of stopTheWorldWithSema and at least one RET
                missing.append(f"{tc}/{variant}: {n}")
    assert not missing, f"no stop-the-world uprobes while ttytop ran: {missing}"
    return "every build probed"


run()
