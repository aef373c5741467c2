"""The real ./ttytop --json in the background, and reading its documents."""
import json
import os
import signal
import subprocess
import threading
import time

from ttcase import ROOT, Skip

TTYTOP = os.path.join(ROOT, "ttytop")
FIXTURES = os.environ.get("TTYTOP_FIXTURES", os.path.join(ROOT, "tests", "fixtures", "bin"))


def require_root():
    if os.geteuid() != 0:
        raise Skip("needs root to load BPF programs")


def interrupt(proc, timeout):
    """SIGINT (ttytop's last document, its terminal restored), SIGKILL after timeout s."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Tracer:
    """./ttytop --json in the background; collects the NDJSON documents."""

    def __init__(self, *args, interval=0.25, stdout=None):
        self.docs = []
        self.times = []  # when each document arrived (time.time())
        self.err = b""
        cmd = [TTYTOP, "--json", "--interval", str(interval)] + list(args)
        self.proc = subprocess.Popen(cmd, stdout=stdout or subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self._first = threading.Event()
        self._reading = threading.Event()  # cleared by hold(): a reader that stalls
        self._reading.set()
        if stdout is None:
            self._t = threading.Thread(target=self._read, daemon=True)
            self._t.start()
            # under emulation (tests/vm) an old kernel's verifier alone can take 15 s
            limit = 90 if os.environ.get("TTYTOP_IN_VM") else 15
            if not self._first.wait(limit):
                self.stop()
                raise AssertionError("ttytop produced no JSON in %d s: %r" % (limit, self.err[-500:]))

    def _read(self):
        for line in self.proc.stdout:
            self._reading.wait()
            doc = json.loads(line)
            # times first: a reader that sees docs[i] may index times[i] at once
            self.times.append(time.time())
            self.docs.append(doc)
            self._first.set()

    def wait_docs(self, n, timeout=10):
        end = time.time() + timeout
        target = len(self.docs) + n
        while len(self.docs) < target and time.time() < end:
            time.sleep(0.05)

    def hold(self):
        """Stop reading ttytop's output (a slow reader: the pipe fills)."""
        self._reading.clear()

    def release(self):
        self._reading.set()

    def wait_until(self, pred, timeout=None):
        """Documents until pred(latest document) holds or timeout (15 s, 60 s under
        emulation, where a guest sharing the host with another can fall seconds
        behind); returns whether it held."""
        if timeout is None:
            timeout = 60 if os.environ.get("TTYTOP_IN_VM") else 15
        end = time.time() + timeout
        while time.time() < end:
            if self.docs and pred(self.docs[-1]):
                return True
            time.sleep(0.05)
        return bool(self.docs) and pred(self.docs[-1])

    def stop(self):
        self.release()
        interrupt(self.proc, 10)
        if self.proc.stderr:
            self.err = self.proc.stderr.read()
        if hasattr(self, "_t"):
            self._t.join(5)
        return self

    def flavour(self):
        return self.docs[0]["attach"]["enter_prog"] if self.docs else None

    def last(self):
        assert self.docs, "no JSON documents"
        return self.docs[-1]

    def terminal(self, name):
        return terminal_in(self.last(), name)

    def events(self, **match):
        return events_in(self.docs, **match)


def terminal_in(doc, name):
    """The terminal called name in doc, or None."""
    for t in doc["terminals"]:
        if t["name"] == name:
            return t
    return None


def events_in(docs, **match):
    """The events of all docs whose fields equal match's."""
    return [e for d in docs for e in d["events"] if all(e.get(k) == v for k, v in match.items())]


def in_flight(doc, pid):
    return [w for w in doc.get("in_flight", []) if w["pid"] == pid]


def wait_in_flight(tr, pid, pred=lambda w: True, timeout=None):
    """pid's entry in the first document that lists it in flight with pred true,
    when that document arrived (time.time()) and its index in tr.docs."""
    if timeout is None:
        timeout = 30 if os.environ.get("TTYTOP_IN_VM") else 10
    end = time.time() + timeout
    seen = 0
    while time.time() < end:
        for i in range(seen, len(tr.docs)):
            ws = [w for w in in_flight(tr.docs[i], pid) if pred(w)]
            if ws:
                return ws[0], tr.times[i], i
        seen = len(tr.docs)
        time.sleep(0.02)
    last = tr.docs[-1].get("in_flight") if tr.docs else None
    raise AssertionError(f"{pid} not in flight as expected; last in_flight: {last}")


def kernel_skips():
    """Runs of ttytop's programs the kernel skipped (bpf_prog_info.recursion_misses:
    another BPF program, or a map operation, held that CPU; counted since 6.8)."""
    try:
        out = subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True,
                             text=True, timeout=60).stdout
        progs = json.loads(out)
    except (OSError, ValueError, subprocess.TimeoutExpired) as e:
        return f"bpftool: {e}"
    miss = {}
    for p in progs:
        if p.get("recursion_misses"):
            miss[p.get("name")] = miss.get(p.get("name"), 0) + p["recursion_misses"]
    return f"programs skipped by the kernel: {miss or 'none'}"
