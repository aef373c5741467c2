#!/usr/bin/env python3
"""The sanitized ttytop (make sanitize: build/san/ttytop, ASan + UBSan + LSan) in
the sessions a user has: the --replay dashboard in tmux driven through its keys
(and a snapshot's goroutine/thread pane), and as root --check, short live --json
runs stopped with SIGINT (drained ptys with a Python and a Go writer, a reader that
stops draining, --threads of a Go program) and the live dashboard with its pane.
A case passes only if ttytop exits 0, did what the workload says and left no
sanitizer report: ASan/LSan write theirs under log_path, UBSan on stderr, which
every run sends to a file. tests/sanitize/run.sh runs this after the unit tests.
Usage: sessions.py LOGDIR"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "tui"))
import fixture  # noqa: E402
from ttcase import ROOT, Fail, Skip, case, report, run, summary  # noqa: E402
from ttpty import drain, fork_writer, open_pty, wait_sleeping  # noqa: E402
from tttmux import Session, exits, kill_server, last_lines, start_server  # noqa: E402
from tttracer import FIXTURES  # noqa: E402

SAN = os.path.join(ROOT, "build", "san")
BIN = os.path.join(SAN, "ttytop")
MARQUEE = os.path.join(FIXTURES, "marquee")
# what sanitizers print: ASan/LSan reports, UBSan's runtime errors and summaries
REPORT = re.compile(r"^==\d+==ERROR: \w+Sanitizer|runtime error: |^SUMMARY: \w+Sanitizer", re.M)
LOGS = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "test-logs", "sanitize")


def san_env(d):
    """The options of tests/sanitize/run.sh, reports into directory d."""
    os.makedirs(d, exist_ok=True)
    return {"ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0:halt_on_error=1:log_path=%s/asan" % d,
            "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1:log_path=%s/ubsan" % d}


def reports(d, *texts):
    """Every sanitizer report of a check: the files under d and the reports in texts."""
    found = []
    for f in sorted(os.listdir(d)):
        if f.startswith(("asan", "ubsan")):
            body = open(os.path.join(d, f), errors="replace").read()
            m = REPORT.search(body)
            found.append("%s: %s" % (f, body[m.start():].splitlines()[0] if m else body[:200]))
    for t in texts:
        found += [l for l in t.splitlines() if REPORT.search(l)]
    return found


def assert_clean(d, *texts):
    r = reports(d, *texts)
    if r:
        raise Fail("%d sanitizer report(s), in %s: %s" % (len(r), d, " | ".join(r[:3])))


def check_dir(name):
    d = os.path.join(LOGS, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


# --- the dashboard on a snapshot (no root) -------------------------------------

def keys_until(s, keys, pred, what, timeout=4):
    for k in keys:
        s.send(k)
    got = s.wait(pred, timeout)
    if not got:
        raise Fail("%s: no effect of %r: %s" % (what, keys, last_lines(s.screen(), 6)))
    return got


def replay(path, d, tmp, w=120, h=40, extra=""):
    env = san_env(d)
    s = Session(w, h, env)
    s.run("%s --replay %s --snapshot-dir %s %s 2>%s/stderr" % (BIN, path, tmp, extra, d))
    # up, or exited (the typed line's "EXIT=$?" is no exit code)
    if not s.wait(lambda x: "Terminals" in x and "F10Quit" in x or exits(x), 20) or \
            exits(s.screen()):
        s.close()
        raise Fail("dashboard did not come up: " + last_lines(s.screen(), 5) +
                   " " + open(os.path.join(d, "stderr")).read()[-300:])
    return s


def quit_and_check(s, d):
    s.send("q")
    # LeakSanitizer scans the heap at exit: give it time
    got = s.wait(lambda x: exits(x), 20)
    rc = exits(got)[0] if got else None
    err = open(os.path.join(d, "stderr"), errors="replace").read()
    assert_clean(d, err, got or "")
    if rc != 0:
        raise Fail("exit %s: %s %s" % (rc, last_lines(s.screen(), 3), err[-300:]))


def sanitized_fixture(d, make):
    """make() of fixture.py, rendered by the sanitized mkfixture (reports in d)."""
    fixture.MKFIXTURE = os.path.join(SAN, "tests", "mkfixture")
    saved = dict(os.environ)
    os.environ.update(san_env(d))
    try:
        return make()
    finally:
        os.environ.clear()
        os.environ.update(saved)


@case("replay_dashboard")
def t_replay(tmp):
    """The marquee snapshot with a write in flight, every pane and overlay once."""
    d = check_dir("replay_dashboard")
    doc = sanitized_fixture(d, lambda: fixture.with_in_flight(fixture.with_ticks()))
    fx = os.path.join(tmp, "replay.json")
    with open(fx, "w") as f:
        json.dump(doc, f)
    snaps = os.path.join(tmp, "snaps")
    os.makedirs(snaps)
    s = replay(fx, d, snaps)
    try:
        keys_until(s, ["Down", "Down", "j", "Up", "k", "End", "Home"], lambda x: "pts/3" in x, "nav")
        keys_until(s, ["Tab", "Enter"], lambda x: "IN FLIGHT: blocked 6.00s" in x, "stack of the hang")
        keys_until(s, ["BTab", "Down", "Enter"], lambda x: "late 212ms" in x, "a late tick's stack")
        keys_until(s, ["?"], lambda x: "ttytop help" in x, "help")
        keys_until(s, ["x"], lambda x: "ttytop help" not in x, "help closes")
        keys_until(s, ["F1"], lambda x: "ttytop help" in x, "F1")
        keys_until(s, ["Escape"], lambda x: "ttytop help" not in x, "Esc")
        s.send("/")
        s.type("marquee")
        keys_until(s, ["Enter"], lambda x: "filter /marquee/" in x, "filter")
        keys_until(s, ["Escape"], lambda x: "filter /marquee/" not in x, "filter cleared")
        keys_until(s, ["o"], lambda x: "1 IN FLIGHT) slowest first" in x, "slowest first")
        keys_until(s, ["o"], lambda x: "1 IN FLIGHT) ──" in x, "newest first")
        for _ in range(3):
            s.send("b")
        keys_until(s, [], lambda x: "Tick interval:" in x, "interval view")
        keys_until(s, ["b", "BTab", "Space"], lambda x: "PAUSED" in x, "pause")
        keys_until(s, ["Space", ">", "<", "T"], lambda x: "PAUSED" not in x, "sort, theme")
        # the snapshot has no pane: the status line says so (replay_threads_pane has one)
        keys_until(s, ["p"], lambda x: re.search(r"no goroutine/thread pane of pid \d+", x), "p")
        s.resize(70, 20)
        s.wait(lambda x: len(x.splitlines()[0]) <= 70, 4)
        s.resize(120, 40)
        keys_until(s, [], lambda x: "Slow writes" in x and "F10Quit" in x, "resize back")
        keys_until(s, ["s"], lambda x: "snapshot saved:" in x or "snapshot failed" in x,
                   "snapshot", 10)
        if "snapshot saved:" not in s.screen():
            raise Fail("snapshot: " + last_lines(s.screen(), 2))
        quit_and_check(s, d)
    finally:
        s.close()
    files = os.listdir(snaps)
    if len(files) != 1:
        raise Fail("expected one snapshot, found %r" % files)
    saved = json.load(open(os.path.join(snaps, files[0])))
    names = sorted(t["name"] for t in saved["terminals"])
    want = sorted(t["name"] for t in doc["terminals"])
    if names != want or len(saved.get("in_flight", [])) != 1:
        raise Fail("snapshot holds %r and %d in flight, the replay %r and 1" %
                   (names, len(saved.get("in_flight", [])), want))
    return "every key had its effect; snapshot of %d terminals" % len(names)


# --- live --json as root ------------------------------------------------------

class Live:
    """The sanitized ttytop --json ARGS, its documents to a file, stopped by SIGINT."""

    def __init__(self, d, *args):
        self.d = d
        self.out = os.path.join(d, "stdout.ndjson")
        self.err = os.path.join(d, "stderr")
        env = dict(os.environ, **san_env(d))
        self.proc = subprocess.Popen([BIN, "--json"] + list(args), env=env,
                                     stdout=open(self.out, "w"), stderr=open(self.err, "w"))

    def lines(self):
        with open(self.out) as f:
            return f.read().splitlines()

    def wait_docs(self, n, timeout=30):
        """n complete documents (the program under ASan attaches in ~2 s)."""
        end = time.time() + timeout
        while time.time() < end:
            if len(self.lines()) >= n or self.proc.poll() is not None:
                break
            time.sleep(0.05)
        if len(self.lines()) < n:
            self.kill()
            raise Fail("%d of %d documents; stderr: %s" % (len(self.lines()), n, self.stderr()))

    def stderr(self):
        return open(self.err, errors="replace").read()[-400:]

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self, timeout=30):
        """SIGINT, then the exit (LSan's scan included); the documents, each parsed."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise Fail("no exit %d s after SIGINT" % timeout)
        assert_clean(self.d, open(self.err, errors="replace").read())
        if rc != 0:
            raise Fail("exit %d after SIGINT: %s" % (rc, self.stderr()))
        docs = []
        for i, l in enumerate(self.lines()):
            try:
                docs.append(json.loads(l))
            except ValueError as e:
                raise Fail("line %d is not JSON (%s): %r" % (i + 1, e, l[:120]))
        if not docs:
            raise Fail("no documents")
        bad = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "tests", "validate_schema.py"),
                              self.out], capture_output=True, text=True)
        if bad.returncode != 0:
            raise Fail("schema: " + (bad.stdout + bad.stderr)[-400:])
        return docs


def require_live():
    if os.geteuid() != 0:
        raise Skip("needs root to load BPF programs")
    if not live_ok[0]:
        raise Skip("the sanitized ttytop --check did not pass (see sanitize/check)")


live_ok = [False]


@case("check")
def t_check():
    """--check loads and attaches every program and detaches them again."""
    if os.geteuid() != 0:
        raise Skip("needs root to load BPF programs")
    d = check_dir("check")
    r = subprocess.run([BIN, "--check"], env=dict(os.environ, **san_env(d)),
                       capture_output=True, text=True, timeout=120)
    # what it found, not its exit (a sanitizer's report changes that): the live
    # cases run even when this one reports, their own reports are theirs
    live_ok[0] = "result:                 OK" in r.stdout
    assert_clean(d, r.stderr, r.stdout)
    if r.returncode != 0 and live_ok[0]:
        raise Fail("--check said OK and exited %d: %s" % (r.returncode, r.stderr[-300:]))
    if not live_ok[0]:
        raise Skip("this kernel cannot run ttytop (--check exit %d): %s" %
                   (r.returncode, (r.stdout + r.stderr).strip().splitlines()[-1:]))


def terminal(doc, name):
    return next((t for t in doc["terminals"] if t["name"] == name), None)


@case("live_json_drained")
def t_live_drained():
    """Two drained ptys: a Python writer (300 writes of 40 bytes) and the Go marquee
    (2 goroutines x 20 writes of 80 bytes), counted exactly."""
    require_live()
    if not os.access(MARQUEE, os.X_OK):
        raise Skip("%s not built (make fixtures)" % MARQUEE)
    d = check_dir("live_json_drained")
    stop = threading.Event()
    ptys = [open_pty(), open_pty()]
    readers = [threading.Thread(target=drain, args=(m, stop), daemon=True) for m, _, _ in ptys]
    for r in readers:
        r.start()
    live = Live(d, "--interval", "0.5", "-T", "1")
    try:
        live.wait_docs(1)
        (_, py_slave, py_name), (_, go_slave, go_name) = ptys

        def writes():
            for _ in range(300):
                os.write(py_slave, b"x" * 39 + b"\n")
                time.sleep(0.003)
        pid = fork_writer(writes)
        go = subprocess.run([MARQUEE, "-count", "20", "-interval", "20", "-writers", "2"],
                            stdout=go_slave, stderr=subprocess.PIPE, timeout=30)
        rc = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        if rc != 0 or go.returncode != 0:
            raise Fail("workload exits %d and %d" % (rc, go.returncode))
        n = len(live.lines())
        live.wait_docs(n + 2)  # a whole interval after the last write
    except BaseException:
        live.kill()
        raise
    finally:
        stop.set()
        for m, s, _ in ptys:
            os.close(m)
            os.close(s)
    docs = live.stop()
    py, gt = terminal(docs[-1], py_name), terminal(docs[-1], go_name)
    if not py or (py["writes"], py["bytes"]) != (300, 12000):
        raise Fail("%s: %r, not 300 writes of 12000 bytes" %
                   (py_name, py and (py["writes"], py["bytes"])))
    # a write Go's preemption signal (SIGURG) interrupts before it wrote is restarted
    # by the kernel: two calls, the first an ERESTARTSYS error; one cut short: two calls
    restarts = gt and gt["errors_by_errno"].get("ERESTARTSYS", 0) + gt["short_writes"]
    if not gt or (gt["writes"] - restarts, gt["bytes"]) != (40, 3200) or \
            gt["errors"] != gt["errors_by_errno"].get("ERESTARTSYS", 0):
        raise Fail("%s: %r, not 40 writes of 3200 bytes" %
                   (go_name, gt and (gt["writes"], gt["bytes"], gt["errors_by_errno"])))
    return "%d documents, %s 300 writes, %s 40 Go writes" % (len(docs), py_name, go_name)


@case("live_json_paused_reader")
def t_live_paused():
    """A 200000-byte write to a pty nobody reads for 1.5 s: in flight with its
    stacks while it lasts (buffer-full), one slow event once the reader drains."""
    require_live()
    d = check_dir("live_json_paused_reader")
    master, slave, name = open_pty()
    live = Live(d, "--interval", "0.25", "-T", "50")
    stop = threading.Event()
    try:
        live.wait_docs(1)
        pid = fork_writer(lambda: os.write(slave, b"w" * 200000))
        wait_sleeping(pid)
        time.sleep(1.5)
        reader = threading.Thread(target=drain, args=(master, stop), daemon=True)
        reader.start()
        rc = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        if rc != 0:
            raise Fail("writer exit %d" % rc)
        n = len(live.lines())
        live.wait_docs(n + 2)
    except BaseException:
        live.kill()
        raise
    finally:
        stop.set()
        os.close(master)
        os.close(slave)
    docs = live.stop()
    fl = [w for doc in docs for w in doc.get("in_flight", []) if w["pid"] == pid]
    if not fl or fl[-1]["reason"] != "buffer-full" or fl[-1]["terminal"] != name:
        raise Fail("in flight: %r" % [(w["terminal"], w["reason"]) for w in fl][-2:])
    kfuncs = [f["func"] for f in fl[-1]["stack"]["kernel"]]
    if "n_tty_write" not in kfuncs:
        raise Fail("in-flight kernel stack %r lacks n_tty_write" % kfuncs)
    evs = [e for doc in docs for e in doc["events"] if e.get("pid") == pid]
    if len(evs) != 1 or evs[0]["reason"] != "buffer-full" or evs[0]["blocked_ns"] < 1.4e9:
        raise Fail("events of the writer: %r" %
                   [(e.get("reason"), e.get("blocked_ns")) for e in evs])
    return "in flight in %d documents, then one event blocked %.2f s" % (
        len(fl), evs[0]["blocked_ns"] / 1e9)


@case("live_dashboard")
def t_live_dashboard(tmp):
    """The dashboard live on the marquee's drained pty (--tty, -T 0: every write an
    event): a write's stack, the marquee's goroutines and threads read live (p), a
    snapshot holding that pane (s), q."""
    require_live()
    if not os.access(MARQUEE, os.X_OK):
        raise Skip("%s not built (make fixtures)" % MARQUEE)
    d = check_dir("live_dashboard")
    snaps = os.path.join(tmp, "live-snaps")
    os.makedirs(snaps)
    master, slave, name = open_pty()
    stop = threading.Event()
    threading.Thread(target=drain, args=(master, stop), daemon=True).start()
    go = subprocess.Popen([MARQUEE, "-interval", "20", "-writers", "2"], stdout=slave,
                          stderr=subprocess.DEVNULL)
    s = Session(140, 40, san_env(d))
    try:
        s.run("%s --tty %s -T 0 --snapshot-dir %s 2>%s/stderr" % (BIN, name, snaps, d))
        keys_until(s, [], lambda x: "marquee/%d" % go.pid in x, "the marquee's row", 30)
        keys_until(s, ["Tab", "Enter"], lambda x: "── user" in x and "os.(*File).Write" in x,
                   "a write's stack", 6)
        keys_until(s, ["p"], lambda x: "Goroutines of pid %d" % go.pid in x and
                   re.search(r"│ *\d+ +(waiting|runnable|running|syscall) .*main\.", x),
                   "goroutines", 10)
        keys_until(s, ["Enter"], lambda x: "── goroutine" in x, "goroutine stack")
        keys_until(s, ["Escape", "Left"], lambda x: "Threads of pid %d" % go.pid in x, "threads")
        keys_until(s, ["Enter"], lambda x: "── user" in x, "thread stack")
        keys_until(s, ["Escape", "s"], lambda x: "snapshot saved:" in x or "snapshot failed" in x,
                   "snapshot", 10)
        if "snapshot saved:" not in s.screen():
            raise Fail("snapshot: " + last_lines(s.screen(), 2))
        keys_until(s, ["Escape"], lambda x: "Threads of pid" not in x, "pane closes")
        quit_and_check(s, d)
    finally:
        s.close()
        go.kill()
        go.wait()
        stop.set()
        os.close(master)
        os.close(slave)
    files = os.listdir(snaps)
    if len(files) != 1:
        raise Fail("expected one snapshot, found %r" % files)
    snap = json.load(open(os.path.join(snaps, files[0])))
    t = terminal(snap, name)
    panes = [p for p in snap.get("panes", []) if p["pid"] == go.pid]
    if not t or not any(w["pid"] == go.pid for w in t["writers"]) or not panes:
        raise Fail("snapshot: %s %r, panes of %r" % (
            name, t and [w["pid"] for w in t["writers"]], [p["pid"] for p in snap.get("panes", [])]))
    return "%d writes seen, pane of %d goroutines in the snapshot" % (
        t["writes"], len(panes[0]["goroutines"]))


@case("live_json_threads")
def t_live_threads(tmp):
    """--threads of the marquee (-states: goroutines in known states) for 2 s; its
    last document is replayed by replay_threads_pane."""
    require_live()
    if not os.access(MARQUEE, os.X_OK):
        raise Skip("%s not built (make fixtures)" % MARQUEE)
    d = check_dir("live_json_threads")
    master, slave, _ = open_pty()
    stop = threading.Event()
    threading.Thread(target=drain, args=(master, stop), daemon=True).start()
    go = subprocess.Popen([MARQUEE, "-states"], stdout=slave, stderr=subprocess.PIPE)
    try:
        time.sleep(0.5)  # its goroutines started and parked
        live = Live(d, "--threads", str(go.pid), "--interval", "0.5", "--duration", "2")
        try:
            live.proc.wait(60)  # --duration ends it
        except subprocess.TimeoutExpired:
            pass
        docs = live.stop()
    finally:
        go.kill()
        go.wait()
        stop.set()
        os.close(master)
        os.close(slave)
    last = docs[-1]
    if last["pane"]["pid"] != go.pid or not last["threads"] or not last.get("goroutines"):
        raise Fail("pane %r, %d threads, %d goroutines" % (
            last["pane"], len(last["threads"]), len(last.get("goroutines") or [])))
    named = [g for g in last["goroutines"] if g.get("top", {}) and
             str(g["top"].get("func", "")).startswith("main.")]
    if not named:
        raise Fail("no goroutine's top frame is in main: %r" % last["goroutines"][:2])
    with open(os.path.join(tmp, "threads.json"), "w") as f:
        json.dump(last, f)
    return "%d documents, %d threads, %d goroutines, %d in main" % (
        len(docs), len(last["threads"]), len(last["goroutines"]), len(named))


@case("replay_threads_pane")
def t_replay_threads(tmp):
    """The marquee's threads and goroutines read by live_json_threads, as a snapshot
    keeps them (panes), under the fixture's marquee/4242: both lists and a stack of each."""
    path = os.path.join(tmp, "threads.json")
    if not os.path.exists(path):
        raise Skip("live_json_threads made no document")
    d = check_dir("replay_threads_pane")
    doc = sanitized_fixture(d, fixture.document)
    t = json.load(open(path))
    # the fixture's process stands for the one read: it is the top writer of pts/3
    doc["panes"] = [dict(t["pane"], pid=4242, threads=t["threads"], goroutines=t["goroutines"])]
    fx = os.path.join(tmp, "panes.json")
    with open(fx, "w") as f:
        json.dump(doc, f)
    s = replay(fx, d, tmp)
    try:
        keys_until(s, ["p"], lambda x: "Goroutines of pid 4242 (%d)" % len(t["goroutines"]) in x,
                   "goroutines")
        keys_until(s, ["Down", "Enter"], lambda x: "── goroutine" in x, "goroutine stack")
        keys_until(s, ["Escape", "Right"], lambda x: "Threads of pid 4242 (%d)" % len(t["threads"])
                   in x, "threads")
        keys_until(s, ["Enter"], lambda x: "── user" in x, "thread stack")
        keys_until(s, ["Escape", "Escape"], lambda x: "Slow writes" in x, "pane closes")
        quit_and_check(s, d)
    finally:
        s.close()
    return "%d threads, %d goroutines" % (len(t["threads"]), len(t["goroutines"]))


def main():
    if not os.access(BIN, os.X_OK):
        report("FAIL", "sanitize/sessions", "%s not built (make sanitize)" % BIN)
        summary()
        return 0
    tmp = tempfile.mkdtemp(prefix="ttytop-san-")
    have_tmux = shutil.which("tmux") is not None
    if have_tmux:
        start_server()
    try:
        if not have_tmux:
            report("SKIP", "sanitize/replay", "tmux not installed")
            os.environ["TTYTOP_ONLY"] = "check,live_json_drained,live_json_paused_reader"
        run({"tmp": tmp}, prefix="sanitize/", exit=False)
    finally:
        if have_tmux:
            kill_server()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
