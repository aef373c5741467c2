#!/usr/bin/env python3
"""Soak (issue 14): ttytop under mixed load for a while, in --json mode and in
the dashboard (live, in tmux) at once, watched from outside.

The load, all on ptys this script opens and drains:
  - floods: FLOODS processes each writing 64-byte lines to its own pty at about
    FLOOD_RATE writes/s; the first one's reader stops for 300 ms every 5 s, so
    writes block and become slow-write events with stacks;
  - short-lived writers: 20,000 per 10 minutes (scaled with the duration), run by
    the forkwriters fixture in one batch a second, each batch on a fresh pty
    (terminal slots are taken and, once quiet for 30 s, given back);
  - a Go marquee ticking every 50 ms with a runtime.GC() every 10 ticks,
    replaced by a fresh one every minute (a tenth of the run, at most a minute),
    so ttytop instruments a new Go process and lets the old one go;
  - a snapshot every minute (a fifth of a shorter run): the `s` key in the
    dashboard, the newest document in --json mode; each is checked by
    tests/validate_schema.py.

Sampled every few seconds for each ttytop: VmRSS, open descriptors and the
entries of each of its BPF hash maps (BPF_MAP_LOOKUP_BATCH on the maps its
descriptors name; arrays, the queue and the ring buffer have a fixed size).

Checks (the warm-up is the first minute, or a quarter of a shorter run: by its
end every kind of work above has happened at least once):
  - ttytop alive at the end;
  - RSS at the end at most 10 % over RSS at the end of the warm-up;
  - descriptors: ttytop's own (BPF objects, perf events, pipes, terminals) no
    more over the last quarter of the run (the fewest there: a Go process being
    instrumented holds a few dozen for a moment) than the most in the warm-up;
    pidfds and open executables, which ttytop caches, within the caches' sizes
    (TT_SYMCACHE_PIDS, TT_EARLY_PROCS, read from the tree's headers);
  - hash maps the kernel does not evict from: at the end at most the most seen
    in the warm-up plus a quarter (and 32 entries). LRU hashes are bounded by
    eviction: their counts are printed, not judged; no write lost to a full
    table (totals.lost_writes, drops inflight_full, tty_table_full, writers_full);
  - every snapshot valid; after the load stops, each flood pty's write count in
    a last snapshot equals the writes the flood made.

Usage: soak.py [--duration S] [--mode json|tui|both]   (root; make ttytop fixtures)
Prints the counts over time and PASS/FAIL lines; exits 1 on a failure.
"""
import argparse
import ctypes
import json
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import tty as ttymod

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from ttbpfobj import fdinfo  # noqa: E402
from tttracer import interrupt  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TTYTOP = os.environ.get("TTYTOP_BIN", os.path.join(ROOT, "ttytop"))
FIXTURES = os.environ.get("TTYTOP_FIXTURES", os.path.join(ROOT, "tests", "fixtures", "bin"))
VALIDATE = os.path.join(ROOT, "tests", "validate_schema.py")
FLOOD_KINDS = ("stall", "fast", "fast") + ("slow",) * 6
FLOOD_RATE = 4000  # writes/s each: a few % of a CPU, the machine is shared
WRITERS_PER_600S = 20000
THRESHOLD_MS = 10
HASH_TYPES = (1, 9)  # BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_LRU_HASH
LRU_NAMES = set()  # filled by sample(): the LRU hashes, bounded by the kernel's eviction
# drop reasons that mean a table was full (docs/json.md)
FULL_DROPS = ("inflight_full", "tty_table_full", "writers_full")


class SoakError(Exception):
    pass


# --- what a process holds ----------------------------------------------------

def vm_rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise SoakError("no VmRSS for %d" % pid)


def fds_of(pid):
    """Open descriptors by kind: "pidfd" (src/symcache.c's process cache),
    "file" (regular files: the executables src/early.c keeps open), "own"
    (the rest: BPF objects, perf events, pipes, terminals, /dev/null)."""
    out = {"pidfd": 0, "file": 0, "own": 0}
    base = "/proc/%d/fd" % pid
    for fd in os.listdir(base):
        try:
            t = os.readlink(os.path.join(base, fd))
        except OSError:
            continue  # closed meanwhile
        if t == "anon_inode:[pidfd]":
            out["pidfd"] += 1
        elif t.startswith("/") and not t.startswith("/dev/"):
            out["file"] += 1
        else:
            out["own"] += 1
    return out


def header_int(path, name):
    """A bound ttytop's source sets (the soak checks against the tree it runs)."""
    with open(os.path.join(ROOT, path)) as f:
        m = re.search(r"#define %s (\d+)" % name, f.read())
    if not m:
        raise SoakError("%s not in %s" % (name, path))
    return int(m.group(1))


def cpu_s(pid):
    with open("/proc/%d/stat" % pid) as f:
        parts = f.read().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")


def maps_of(pid):
    """{map_id: fdinfo fields} of the BPF maps pid holds."""
    return {int(i["map_id"]): {"type": int(i["map_type"]), "key": int(i["key_size"]),
                               "value": int(i["value_size"]), "max": int(i["max_entries"])}
            for i in fdinfo(pid) if "map_id" in i}


def map_names():
    r = subprocess.run(["bpftool", "-j", "map", "show"], capture_output=True, text=True,
                       timeout=60)
    try:
        return {m["id"]: m.get("name", "?") for m in json.loads(r.stdout or "[]")}
    except ValueError:
        return {}


_libc = ctypes.CDLL(None, use_errno=True)
_NR_BPF = {"x86_64": 321, "aarch64": 280}.get(os.uname().machine)


def _bpf(cmd, attr):
    _libc.syscall.restype = ctypes.c_long
    r = _libc.syscall(_NR_BPF, cmd, ctypes.byref(attr), ctypes.sizeof(attr))
    return r, ctypes.get_errno()


class _GetFd(ctypes.Structure):
    _fields_ = [("map_id", ctypes.c_uint32), ("next_id", ctypes.c_uint32),
                ("open_flags", ctypes.c_uint32), ("pad", ctypes.c_uint8 * 52)]


class _Batch(ctypes.Structure):
    _fields_ = [("in_batch", ctypes.c_uint64), ("out_batch", ctypes.c_uint64),
                ("keys", ctypes.c_uint64), ("values", ctypes.c_uint64),
                ("count", ctypes.c_uint32), ("map_fd", ctypes.c_uint32),
                ("elem_flags", ctypes.c_uint64), ("flags", ctypes.c_uint64),
                ("pad", ctypes.c_uint8 * 16)]


BPF_MAP_GET_FD_BY_ID, BPF_MAP_LOOKUP_BATCH = 14, 24
BATCH = 256


def hash_entries(map_id, m):
    """Entries of one hash map now, by batches (unlike get_next_key, a batch walk
    does not restart when the key it stands on is deleted meanwhile)."""
    a = _GetFd(map_id=map_id, open_flags=1 << 3)  # BPF_F_RDONLY
    fd, err = _bpf(BPF_MAP_GET_FD_BY_ID, a)
    if fd < 0:
        raise SoakError("map %d: %s" % (map_id, os.strerror(err)))
    try:
        keys = ctypes.create_string_buffer(m["key"] * BATCH)
        vals = ctypes.create_string_buffer(m["value"] * BATCH)
        token = ctypes.create_string_buffer(max(m["key"], 8))
        total, first = 0, True
        while True:
            b = _Batch(in_batch=0 if first else ctypes.addressof(token),
                       out_batch=ctypes.addressof(token), keys=ctypes.addressof(keys),
                       values=ctypes.addressof(vals), count=BATCH, map_fd=fd)
            r, err = _bpf(BPF_MAP_LOOKUP_BATCH, b)
            if r < 0 and err != 2:  # ENOENT: the walk is over
                raise SoakError("map %d batch lookup: %s" % (map_id, os.strerror(err)))
            total += b.count
            if r < 0 or total > m["max"]:
                return total
            first = False
    finally:
        os.close(fd)


def sample(pid, names):
    ents = {}
    maps = maps_of(pid)
    if any(mid not in names for mid in maps):
        names.update(map_names())
    for mid, m in maps.items():
        if m["type"] in HASH_TYPES:
            name = names.get(mid, str(mid))
            ents[name] = (hash_entries(mid, m), m["max"])
            if m["type"] == 9:
                LRU_NAMES.add(name)
    return {"rss_kb": vm_rss_kb(pid), "fds": fds_of(pid), "maps": ents, "cpu_s": cpu_s(pid),
            "mono": time.monotonic()}


# --- the load ----------------------------------------------------------------

FLOOD_CODE = r"""
import os, select, sys, time
rate, size = int(sys.argv[1]), int(sys.argv[2])
burst = max(1, rate // 100); line = b"f" * (size - 1) + b"\n"; n = 0
while not select.select([0], [], [], 0)[0]:
    t = time.monotonic()
    for _ in range(burst):
        os.write(1, line); n += 1
    time.sleep(max(0.0, 0.01 - (time.monotonic() - t)))
sys.stderr.write("%d\n" % n)
"""


class Reader(threading.Thread):
    """Drains a pty master; pause=(every, for) stops reading for a while now and
    then; trickle=(bytes, every) reads no more than bytes each every seconds."""

    def __init__(self, master, pause=None, trickle=None):
        super().__init__(daemon=True)
        self.fd, self.pause, self.trickle, self.total = os.dup(master), pause, trickle, 0
        self.stop = threading.Event()

    def run(self):
        nxt = time.monotonic() + (self.pause[0] if self.pause else 1e9)
        while not self.stop.is_set():
            if time.monotonic() >= nxt:
                time.sleep(self.pause[1])
                nxt = time.monotonic() + self.pause[0]
            if select.select([self.fd], [], [], 0.05)[0]:
                try:
                    self.total += len(os.read(self.fd, self.trickle[0] if self.trickle
                                              else 65536))
                except OSError:
                    break
                if self.trickle:
                    time.sleep(self.trickle[1])
        os.close(self.fd)


def raw_pty():
    m, s = pty.openpty()
    ttymod.setraw(s)
    return m, s, os.ttyname(s).replace("/dev/", "")


class Flood:
    """A writer on a pty opened before ttytop starts, so that no earlier holder of
    its number can have written to it during ttytop's life: its count is the
    writer's alone. kind: "fast" (64-byte lines at FLOOD_RATE), "stall" (the same,
    the reader stops for 300 ms every 5 s), "slow" (1 KiB writes as fast as a
    reader taking 1 KiB every 25 ms lets them: each blocks, a slow-write event)."""

    def __init__(self, kind):
        self.master, self.slave, self.name = raw_pty()
        self.kind = kind
        self.reader = Reader(self.master, pause=(5.0, 0.3) if kind == "stall" else None,
                             trickle=(1024, 0.025) if kind == "slow" else None)
        self.proc, self.writes = None, None

    def start(self):
        self.reader.start()
        rate, size = (FLOOD_RATE, 64) if self.kind != "slow" else (100, 1024)
        self.proc = subprocess.Popen([sys.executable, "-c", FLOOD_CODE, str(rate), str(size)],
                                     stdin=subprocess.PIPE, stdout=self.slave,
                                     stderr=subprocess.PIPE)

    def finish(self):
        self.proc.stdin.close()  # EOF: the flood stops and says how many it wrote
        err = self.proc.stderr.read().decode()
        rc = self.proc.wait(30)
        if rc != 0:
            raise SoakError("flood on %s exited %d: %s" % (self.name, rc, err[-300:]))
        self.writes = int(err.split()[-1])

    def close(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.reader.stop.set()
        if self.reader.is_alive():
            self.reader.join(2)
        os.close(self.slave)
        os.close(self.master)


class Load:
    """Everything above, run by threads until stop()."""

    def __init__(self, duration, floods):
        self.duration = duration
        self.stop_evt = threading.Event()
        self.errors = []
        self.writers = 0  # short-lived writers run
        self.writer_ptys = 0
        self.marquees = 0
        # a batch a second, sized so that the run ends at its share of the 20,000
        # however long the batches take on a busy machine
        self.target = round(WRITERS_PER_600S * duration / 600)
        self.t0 = time.monotonic()
        self.marquee_life = min(60.0, max(10.0, duration / 10))
        for exe in ("forkwriters", "marquee"):
            if not os.access(os.path.join(FIXTURES, exe), os.X_OK):
                raise SoakError("fixture %s not built (make fixtures)" % exe)
        self.floods = floods
        for f in floods:
            f.start()
        self.threads = [threading.Thread(target=self._guard, args=(f,), daemon=True)
                        for f in (self._writers, self._marquee)]
        for t in self.threads:
            t.start()

    def _guard(self, fn):
        try:
            fn()
        except Exception as e:  # reported by stop(); the soak goes on to its checks
            self.errors.append("%s: %s" % (fn.__name__, e))

    def _writers(self):
        exe = os.path.join(FIXTURES, "forkwriters")
        while not self.stop_evt.wait(max(0.0, 1.0 - self._batch_once(exe))):
            pass

    def _batch_once(self, exe):
        t0 = time.monotonic()
        left = max(1.0, self.duration - (t0 - self.t0))
        n = max(1, -(-(self.target - self.writers) // int(left)))
        m, s, _ = raw_pty()
        try:
            r = subprocess.run([exe, str(n)], stdout=s, stderr=subprocess.PIPE, timeout=60)
            if r.returncode:
                raise SoakError("forkwriters exited %d: %s" % (r.returncode, r.stderr[-200:]))
            got = b""
            while select.select([m], [], [], 0.2)[0] and len(got) < n:
                got += os.read(m, 4096)
            if len(got) != n:
                raise SoakError("%d writers wrote %d bytes" % (n, len(got)))
            self.writers += n
            self.writer_ptys += 1
        finally:
            os.close(s)
            os.close(m)
        return time.monotonic() - t0

    def _marquee(self):
        exe = os.path.join(FIXTURES, "marquee")
        m, s, self.marquee_pty = raw_pty()
        reader = Reader(m)
        reader.start()
        try:
            while not self.stop_evt.is_set():
                p = subprocess.Popen([exe, "-interval", "50", "-writers", "2", "-gc-every", "10"],
                                     stdout=s, stderr=subprocess.DEVNULL,
                                     stdin=subprocess.DEVNULL)
                self.marquees += 1
                self.stop_evt.wait(self.marquee_life)
                if p.poll() is not None:
                    raise SoakError("marquee exited %d on its own" % p.returncode)
                p.kill()
                p.wait()
        finally:
            reader.stop.set()
            reader.join(2)
            os.close(s)
            os.close(m)

    def stop(self):
        self.stop_evt.set()
        for t in self.threads:
            t.join(90)
        for f in self.floods:
            f.finish()
        return self.errors


# --- ttytop, both ways ---------------------------------------------------------

def schema_errors(path):
    r = subprocess.run([sys.executable, VALIDATE, path], capture_output=True, text=True,
                       timeout=300)
    return None if r.returncode == 0 else (r.stdout + r.stderr).strip()[-400:]


class JsonTtytop:
    kind = "json"

    def __init__(self, tmp):
        self.dir = tmp
        self.proc = subprocess.Popen([TTYTOP, "--json", "--interval", "1", "-T",
                                      str(THRESHOLD_MS)], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.pid, self.last, self.docs, self.bad = self.proc.pid, None, 0, None
        self.snaps = 0
        self._t = threading.Thread(target=self._read, daemon=True)
        self._t.start()
        end = time.monotonic() + 30
        while self.last is None:
            if time.monotonic() > end or self.proc.poll() is not None:
                raise SoakError("ttytop --json gave no document: %r"
                                % self.proc.stderr.read()[-300:])
            time.sleep(0.1)

    def _read(self):
        for line in self.proc.stdout:
            try:
                self.last = line
                json.loads(line)
                self.docs += 1
            except ValueError as e:
                self.bad = self.bad or "document %d: %s" % (self.docs + 1, e)

    def snapshot(self):
        """The newest document, as the next one arrives: what a reader of the stream has."""
        n = self.docs
        end = time.monotonic() + 10
        while self.docs == n and time.monotonic() < end:
            time.sleep(0.05)
        if self.docs == n:
            raise SoakError("no --json document for 10 s")
        self.snaps += 1
        path = os.path.join(self.dir, "json-%03d.json" % self.snaps)
        with open(path, "wb") as f:
            f.write(self.last)
        return path

    def alive(self):
        return self.proc.poll() is None

    def shown(self):
        """Rows and taken slots in the newest document."""
        try:
            d = json.loads(self.last)
            return {"terminals": "%d/%d" % (len(d["terminals"]),
                                            d["totals"]["tty_slots"]["used"]),
                    "events": d["totals"]["events"]}
        except (ValueError, KeyError, TypeError):
            return {}

    def stop(self):
        interrupt(self.proc, 15)
        self._t.join(5)


class TuiTtytop:
    kind = "tui"

    def __init__(self, tmp):
        if not shutil.which("tmux"):
            raise SoakError("tmux not installed")
        self.sock = "ttytop-soak-%d" % os.getpid()
        self.dir = os.path.join(tmp, "tui")
        os.makedirs(self.dir)
        self.tmux("kill-server")
        self.tmux("new-session", "-d", "-s", "soak", "-x", "160", "-y", "50",
                  "exec env TERM=tmux-256color %s -T %d --snapshot-dir %s"
                  % (TTYTOP, THRESHOLD_MS, self.dir))
        self.tmux("set-option", "-t", "soak", "remain-on-exit", "on")
        self.pid = int(self.tmux("display-message", "-p", "-t", "soak", "#{pane_pid}")
                       .strip() or 0)
        end = time.monotonic() + 60  # verifier and attach on a loaded machine
        while "Terminals" not in self.screen():
            if time.monotonic() > end or not self.alive():
                raise SoakError("the dashboard did not come up (pane dead %s, status %s): %s"
                                % (self.fmt("#{pane_dead}"), self.fmt("#{pane_dead_status}"),
                                   self.screen()[-400:]))
            time.sleep(0.2)

    def tmux(self, *args):
        return subprocess.run(["tmux", "-L", self.sock, "-f", "/dev/null"] + list(args),
                              capture_output=True, text=True, timeout=20).stdout

    def screen(self):
        return self.tmux("capture-pane", "-p", "-t", "soak")

    def fmt(self, f):
        return self.tmux("display-message", "-p", "-t", "soak", f).strip()

    def alive(self):
        try:
            with open("/proc/%d/comm" % self.pid) as f:
                return f.read().strip() == "ttytop"
        except OSError:
            return False

    def shown(self):
        """The terminals pane's title (rows shown) and the header's event total
        ("slow writes N" or "events N", exact below 100,000, then 123k)."""
        scr, out = self.screen(), {}
        m = re.search(r"Terminals \(([^)]*)\)", scr)
        if m:
            out["terminals"] = m.group(1).replace(" ", "")[:9]
        m = re.search(r"(?:slow writes|events) (\d+(?:\.\d+)?)([kMG]?) \(", scr)
        if m:
            out["events"] = int(float(m.group(1)) * {"": 1, "k": 1e3, "M": 1e6, "G": 1e9}[
                m.group(2)])
        return out

    def snapshot(self):
        """`s`, then the file the dashboard's child wrote once the status line says so."""
        before = set(os.listdir(self.dir))
        self.tmux("send-keys", "-t", "soak", "s")
        end = time.monotonic() + 30
        while time.monotonic() < end:
            new = set(os.listdir(self.dir)) - before
            if new and "snapshot saved:" in self.screen():
                return os.path.join(self.dir, sorted(new)[0])
            if "snapshot failed" in self.screen():
                raise SoakError("snapshot failed: %s" % self.screen().splitlines()[-1:])
            time.sleep(0.2)
        raise SoakError("no snapshot 30 s after s: %s" % self.screen().splitlines()[-1:])

    def stop(self):
        if self.alive():
            self.tmux("send-keys", "-t", "soak", "q")
            end = time.monotonic() + 15
            while self.alive() and time.monotonic() < end:
                time.sleep(0.2)
        if self.alive():
            os.kill(self.pid, signal.SIGKILL)
        self.tmux("kill-server")


# --- the run -----------------------------------------------------------------

def terminal_writes(path, name):
    with open(path) as f:
        doc = json.load(f)
    return sum(t["writes"] for t in doc["terminals"] if t["name"] == name)


def soak(duration, modes=("json", "tui"), sample_s=None, log=print):
    """Runs the soak; prints the series; returns [(check name, ok, detail)]."""
    if os.geteuid() != 0:
        raise SoakError("needs root (BPF)")
    sample_s = sample_s or (10 if duration >= 300 else 5)
    warm = min(60.0, max(15.0, duration / 4))
    snap_every = min(60.0, duration / 5)
    tmp = tempfile.mkdtemp(prefix="ttytop-soak-")
    tops, series, snaps, checks = [], {m: [] for m in modes}, {m: [] for m in modes}, []
    floods, load, names = [], None, {}
    try:
        floods = [Flood(k) for k in FLOOD_KINDS]
        for m in modes:
            tops.append(JsonTtytop(tmp) if m == "json" else TuiTtytop(tmp))
        time.sleep(2)  # attached and refreshed once before the load starts
        pre = {t.kind: sample(t.pid, names) for t in tops}
        load = Load(duration, floods)
        t0 = time.monotonic()
        next_sample, next_snap = 0.0, snap_every / 2
        while True:
            now = time.monotonic() - t0
            if next_snap <= now < duration:
                for t in tops:
                    snaps[t.kind].append((round(now), t.snapshot()))
                next_snap += snap_every
            if now >= next_sample or now >= duration:
                for t in tops:
                    if not t.alive():
                        raise SoakError("ttytop (%s) died at %.0f s" % (t.kind, now))
                    series[t.kind].append(dict(sample(t.pid, names), t=round(now),
                                               **t.shown()))
                next_sample += sample_s
                if now >= duration:
                    break
            time.sleep(min(0.2, max(0.0, duration - now)))
        errs = load.stop()
        checks.append(("load", not errs, "; ".join(errs) or
                       "%d short-lived writers on %d fresh ptys, %d marquees, %d floods "
                       "writing %s" % (load.writers, load.writer_ptys, load.marquees, len(floods),
                                       [f.writes for f in floods])))
        time.sleep(2.5)  # the floods' last writes in a refresh
        for t in tops:
            checks += judge(t, pre[t.kind], series[t.kind], snaps[t.kind], floods, warm, log)
    finally:
        for t in tops:
            t.stop()
        if load:
            load.stop_evt.set()
        for f in floods:
            f.close()
    shutil.rmtree(tmp, ignore_errors=True)
    return checks


def judge(t, pre, ser, snaps, floods, warm, log):
    k = t.kind
    out = [("%s alive" % k, t.alive(), "pid %d after %d s" % (t.pid, ser[-1]["t"]))]
    print_series(k, pre, ser, log)
    # the warm-up lasts until the dashboard's event log has filled, too: each event
    # keeps its stacks and words (some 10 kB), and RSS follows the log until it wraps
    ring = header_int("src/model.h", "TT_MODEL_EVENT_RING")
    # (a quarter of the run at least is left to judge)
    full = next((x["t"] for x in ser if x.get("events", 0) >= ring), None)
    base = [x for x in ser if x["t"] <= max(warm, full or 0)]
    b, e = base[-1], ser[-1]
    grow = (e["rss_kb"] - b["rss_kb"]) / b["rss_kb"]
    say = "VmRSS %d kB at %d s, %d kB at %d s (%+.1f %%, limit +10 %%)" % (
        b["rss_kb"], b["t"], e["rss_kb"], e["t"], 100 * grow)
    if full is None or full > 0.75 * e["t"]:
        out.append(("%s rss" % k, None, "the event log (%d) filled %s: RSS still follows it "
                    "(%s)" % (ring, "at %d s" % full if full else "never", say)))
    else:
        out.append(("%s rss" % k, grow <= 0.10, say))
    out.append(fd_check(k, pre, base, ser))
    bad, lru = [], []
    for name, (n, cap) in sorted(e["maps"].items()):
        if name in LRU_NAMES:
            lru.append("%s %d/%d" % (name, n, cap))
            continue
        wmax = max(x["maps"].get(name, (0, 0))[0] for x in base)
        if n > max(wmax * 1.25, wmax + 32):
            bad.append("%s %d (warm-up at most %d, max_entries %d)" % (name, n, wmax, cap))
    out.append(("%s map entries" % k, not bad, "; ".join(bad) or
                "hash maps within a quarter of the warm-up; LRU (the kernel evicts): "
                + ", ".join(lru)))
    invalid = [(ts, schema_errors(p)) for ts, p in snaps]
    invalid = ["at %d s: %s" % (ts, why) for ts, why in invalid if why]
    if getattr(t, "bad", None):
        invalid.append(t.bad)
    out.append(("%s snapshots" % k, bool(snaps) and not invalid,
                "; ".join(invalid) or "%d snapshots valid" % len(snaps)))
    out += final_checks(t, floods)
    return out


def fd_check(k, pre, base, ser):
    """Own descriptors: the fewest over the last quarter no more than the most in the
    warm-up. A Go process being instrumented holds a few dozen for a moment (99 at
    one sample of ten minutes, 75 at the others), so a peak says nothing; a leak
    raises the floor. The two caches within their sizes, at every sample."""
    pids = header_int("src/symcache.h", "TT_SYMCACHE_PIDS")
    exes = header_int("src/early.h", "TT_EARLY_PROCS")
    own_max = max(x["fds"]["own"] for x in base)
    late = [x["fds"]["own"] for x in ser if x["t"] >= 0.75 * ser[-1]["t"]]
    pid_max = max(x["fds"]["pidfd"] for x in ser)
    file_max = max(x["fds"]["file"] for x in ser)
    ok = min(late) <= own_max and pid_max <= pids and file_max <= exes + 4
    return ("%s fds" % k, ok,
            "before the load %d; own %d..%d in the last quarter (the fewest at most %d, the "
            "most in the warm-up), %d at the end; pidfds at most %d (cache %d), files at most "
            "%d (limit %d)" % (sum(pre["fds"].values()), min(late), max(late), own_max,
                               ser[-1]["fds"]["own"], pid_max, pids, file_max, exes + 4))


def final_checks(t, floods):
    """A snapshot once the load has stopped: the floods' exact counts, and no write
    lost to a full table over the whole run."""
    k = t.kind
    try:
        final = t.snapshot()
        why = schema_errors(final)
        with open(final) as f:
            doc = json.load(f)
    except (SoakError, OSError, ValueError) as e:
        return [("%s counts" % k, False, str(e))]
    got = [sum(x["writes"] for x in doc["terminals"] if x["name"] == f.name) for f in floods]
    want = [f.writes for f in floods]
    tot = doc["totals"]
    full = {r: tot["drops"].get(r, 0) for r in FULL_DROPS}
    return [("%s counts" % k, not why and got == want,
             why or "flood writes in the last snapshot %s, made %s" % (got, want)),
            ("%s no table full" % k, tot["lost_writes"] == 0 and not any(full.values()),
             "lost_writes %d, drops %s; events %d, dropped %d (%s)"
             % (tot["lost_writes"], full, tot["events"], tot["dropped"], tot["drops"]))]


def print_series(kind, pre, ser, log):
    names = sorted(ser[-1]["maps"])
    log("# ttytop %s (fds: own+pidfd+file; cpu: %% of one CPU since the sample before)" % kind)
    log("#   t(s) VmRSS(kB)  fds         cpu  terms  events  %s" % " ".join(names))
    step = max(1, len(ser) // 12)  # about a dozen rows, and the last
    prev = pre
    for i, x in enumerate([pre] + ser):
        if i and (i - 1) % step and i != len(ser):
            continue
        cpu = 100 * (x["cpu_s"] - prev["cpu_s"]) / max(1e-9, x["mono"] - prev["mono"]) \
            if i else 0.0
        prev = x
        f = x["fds"]
        log("#   %4s %8d  %3d+%2d+%2d  %5.1f  %5s  %6s  %s" % (
            x.get("t", "pre"), x["rss_kb"], f["own"], f["pidfd"], f["file"], cpu,
            x.get("terminals", "-"), x.get("events", "-"), " ".join("%d" % x["maps"].get(n, (0, 0))[0]
                                             for n in names)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--duration", type=float, default=600, help="seconds of load (600)")
    ap.add_argument("--mode", choices=("json", "tui", "both"), default="both")
    a = ap.parse_args()
    if a.duration < 30:
        sys.exit("soak: --duration must be at least 30 s")
    modes = ("json", "tui") if a.mode == "both" else (a.mode,)
    try:
        checks = soak(a.duration, modes)
    except SoakError as e:
        print("FAIL soak: %s" % e, flush=True)
        return 1
    for name, ok, why in checks:
        print("%s soak/%s: %s" % ({True: "PASS", False: "FAIL", None: "SKIP"}[ok], name, why),
              flush=True)
    return 0 if all(ok is not False for _, ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
