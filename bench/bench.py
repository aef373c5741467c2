#!/usr/bin/env python3
"""ttytop bench: BPF cost per write, start-up, memory and wall-clock overhead of
ttytop against the bpftrace anchors, in one run of interleaved rounds.

Run through bench/run.sh (which checks prerequisites, enables and restores
kernel.bpf_stats_enabled and builds the workload). See bench/README.md.
"""
import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from paths import paths_phase, print_paths  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench", "out")
WR = os.path.join(OUT, "wr")
PIDFILE = os.path.join(OUT, "tracers.pid")


def env_int(name, default):
    try:
        v = int(os.environ.get(name, default))
    except ValueError:
        sys.exit("bench: %s must be an integer" % name)
    if v <= 0:
        sys.exit("bench: %s must be positive" % name)
    return v


ROUNDS = env_int("BENCH_ROUNDS", 5)
N_NULL = env_int("BENCH_N_NULL", 2000000)
N_PTY = env_int("BENCH_N_PTY", 200000)
PTY_SIZE = env_int("BENCH_PTY_SIZE", 16)
IDLE_S = env_int("BENCH_IDLE_S", 2)
BUDGET_S = env_int("BENCH_BUDGET_S", 540)  # whole-run watchdog
ANCHORS = os.environ.get("BENCH_ANCHORS", os.path.join(ROOT, "..", "shared", "anchors"))
TTYTOP_CMD = os.environ.get("TTYTOP_CMD", "./ttytop --json --interval 1 -T 10")
# The pty workloads of bench/wr.c: (key, wr mode, what it is)
PTY_WORKLOADS = (("pty", "pty", "cooked termios, a child process drains"),
                 ("ptyraw", "ptyraw", "raw termios, a thread of the writer drains"))
# BENCH_PHASES=pty,raw,...: only these parts of the run (default: all of them).
# null and pty are the rounds' workloads (the rounds run if either is chosen), idle
# the rounds' idle window; the others are the phases after the rounds.
PHASES = ("null", "pty", "idle", "scale", "tui", "stuck", "storm", "stw", "pane", "raw",
          "paths")
_sel = os.environ.get("BENCH_PHASES", "").replace(",", " ").split()
if any(p not in PHASES for p in _sel):
    sys.exit("bench: BENCH_PHASES: unknown phase in %r (known: %s)"
             % (" ".join(_sel), ",".join(PHASES)))
SELECTED = tuple(_sel) or PHASES


UNSELECTED = {"error": "not selected (BENCH_PHASES)"}


def phase_on(name):
    return name in SELECTED
START_TIMEOUT_S = 30
STOP_TIMEOUT_S = 10
WORK_TIMEOUT_S = 120
SETTLE_S = 0.5

# Programs that make up "the cost of a write" for each kind of tracer.
WRITE_PROGS = {
    "bpftrace": lambda name: name in ("sys_enter_write", "sys_exit_write"),
    "ttytop": lambda name: name.startswith("enter_write_") or name == "exit_write",
}
SCHED_PROGS = ("sched_switch_btf", "sched_waking_btf")

TRACERS = [
    {"key": "none", "label": "no tracer", "kind": None},
    {"key": "empty", "label": "A empty.bt (floor)", "kind": "bpftrace",
     "script": os.path.join(ANCHORS, "empty.bt")},
    {"key": "ttylat", "label": "B ttylat.bt (anchor)", "kind": "bpftrace",
     "script": os.path.join(ANCHORS, "ttylat.bt")},
    {"key": "ttytop", "label": "C ttytop", "kind": "ttytop"},
]

live = {}  # pid -> (Popen, kind) of running tracers, for cleanup


class BenchError(Exception):
    pass


def write_pidfile():
    with open(PIDFILE, "w") as f:
        for pid in live:
            f.write("%d\n" % pid)


def stop_tracer(p, kind):
    """SIGINT for bpftrace (prints its maps and detaches), SIGTERM for ttytop."""
    if p.poll() is None:
        try:
            p.send_signal(signal.SIGINT if kind == "bpftrace" else signal.SIGTERM)
            p.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=STOP_TIMEOUT_S)
    live.pop(p.pid, None)
    write_pidfile()


def stop_all():
    for pid, (p, kind) in list(live.items()):
        try:
            stop_tracer(p, kind)
        except Exception:  # cleanup must go on for the others
            pass


def bpftool_progs():
    r = subprocess.run(["bpftool", "prog", "show", "-j"], capture_output=True, text=True,
                       timeout=30)
    if r.returncode:
        raise BenchError("bpftool prog show failed: " + r.stderr.strip())
    return {p["id"]: p for p in json.loads(r.stdout or "[]")}


WRITE_TPS = ("sys_enter_write", "sys_exit_write")
QUIET_WAIT_S = env_int("BENCH_QUIET_WAIT_S", 5)


def foreign_write_tracers(mine):
    """Other processes with programs on write(2)'s tracepoints (teammates' tests on
    a shared machine): they do not change our programs' run_time_ns, but every
    write pays for them, so wall-clock samples taken meanwhile are disturbed."""
    r = subprocess.run(["bpftool", "perf", "show", "-j"], capture_output=True, text=True,
                       timeout=30)
    try:
        entries = json.loads(r.stdout or "[]")
    except ValueError:
        return []
    pids = sorted({e.get("pid") for e in entries
                   if e.get("tracepoint") in WRITE_TPS and e.get("pid") not in mine})
    out = []
    for pid in pids:
        try:
            with open("/proc/%d/comm" % pid) as f:
                out.append("%d/%s" % (pid, f.read().strip()))
        except OSError:
            out.append(str(pid))
    return out


def wait_quiet(mine):
    """Give other tracers a few seconds to go away; report those that stay."""
    deadline = time.monotonic() + QUIET_WAIT_S
    while True:
        f = foreign_write_tracers(mine)
        if not f or time.monotonic() > deadline:
            return f
        time.sleep(0.2)


def prog_ids_of(pid):
    """Programs a process holds: every bpf-prog fd's fdinfo names its prog_id."""
    ids = set()
    base = "/proc/%d/fdinfo" % pid
    try:
        fds = os.listdir(base)
    except OSError:
        return ids
    for fd in fds:
        try:
            with open(os.path.join(base, fd)) as f:
                for line in f:
                    if line.startswith("prog_id:"):
                        ids.add(int(line.split()[1]))
                        break
        except (OSError, ValueError):
            continue
    return ids


# kernel map types (include/uapi/linux/bpf.h) and what one entry costs
HASHES = {1: "hash", 9: "lru_hash"}
PERCPU_HASHES = {5: "percpu_hash", 10: "lru_percpu_hash"}
MAP_TYPES = {1: "hash", 2: "array", 5: "percpu_hash", 6: "percpu_array", 9: "lru_hash",
             10: "lru_percpu_hash", 12: "array_of_maps", 22: "queue", 27: "ringbuf"}
HTAB_ELEM = 48  # struct htab_elem before the key: hash node, hash, lru/freelist links


def r8(n):
    return (n + 7) & ~7


def map_bytes(m, ncpus):
    """(shared, per CPU) bytes of one map from its sizes, as the kernel lays it out."""
    t, k, v, n = m["type"], r8(m["key"]), r8(m["value"]), m["entries"]
    if t in HASHES:
        return (n * (HTAB_ELEM + k + v), 0) if not m["flags"] & 1 else (0, 0)
    if t in PERCPU_HASHES:
        return (n * (HTAB_ELEM + k + 8), n * v) if not m["flags"] & 1 else (0, 0)
    if t == 2:
        return n * v, 0
    if t == 6:
        return 0, n * v
    if t == 22:
        return (n + 1) * m["value"], 0
    if t == 27:
        return n, 0
    return n * (k + v), 0


def maps_of(pid):
    """The maps a process holds, from /proc/PID/fdinfo, named by bpftool."""
    out, base = {}, "/proc/%d/fdinfo" % pid
    for fd in os.listdir(base):
        info = {}
        try:
            with open(os.path.join(base, fd)) as f:
                for line in f:
                    k, _, v = line.partition(":")
                    info[k.strip()] = v.strip()
        except OSError:
            continue
        if "map_id" not in info:
            continue
        out[int(info["map_id"])] = {
            "type": int(info["map_type"]), "key": int(info["key_size"]),
            "value": int(info["value_size"]), "entries": int(info["max_entries"]),
            "flags": int(info.get("map_flags", "0"), 16), "memlock": int(info.get("memlock", 0))}
    r = subprocess.run(["bpftool", "-j", "map", "show"], capture_output=True, text=True)
    try:
        for m in json.loads(r.stdout or "[]"):
            if m.get("id") in out:
                out[m["id"]]["name"] = m.get("name", "?")
    except ValueError:
        pass
    return sorted(out.values(), key=lambda m: m.get("name", ""))


def snapshot(ids):
    progs = bpftool_progs()
    return {i: (progs[i].get("name", ""), progs[i].get("run_time_ns", 0),
                progs[i].get("run_cnt", 0)) for i in ids if i in progs}


def deltas(before, after):
    """name -> (delta run_time_ns, delta run_cnt), summed over same-named programs."""
    d = {}
    for i, (name, rt, cnt) in after.items():
        if i not in before:
            continue
        o = d.get(name, (0, 0))
        d[name] = (o[0] + rt - before[i][1], o[1] + cnt - before[i][2])
    return d


def status_kb(pid, field):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def vm_hwm_kb(pid):
    """Peak RSS: for ttytop the start-up, while libbpf holds the kernel's BTF."""
    return status_kb(pid, "VmHWM")


def vm_rss_kb(pid):
    return status_kb(pid, "VmRSS")


class RssSampler(threading.Thread):
    """The largest VmRSS of pid, sampled every 0.2 s from after skip_s."""

    def __init__(self, pid, skip_s=1.0):
        super().__init__(daemon=True)
        self.pid, self.skip, self.max_kb, self.stop = pid, skip_s, None, threading.Event()
        self.start()

    def run(self):
        t0 = time.monotonic()
        while not self.stop.wait(0.2):
            v = vm_rss_kb(self.pid)
            if v is not None and time.monotonic() - t0 >= self.skip:
                self.max_kb = max(self.max_kb or 0, v)

    def result(self):
        self.stop.set()
        self.join()
        return self.max_kb


def tail(path, n=5):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:]).strip()
    except OSError:
        return ""


def start_tracer(t, rnd):
    kind = t["kind"]
    if kind == "bpftrace":
        out = os.path.join(OUT, "%s-r%d.txt" % (t["key"], rnd))
        err = out
        # bpftrace 0.17 wants RLIMIT_MEMLOCK raised; where the container forbids
        # it, bpftrace warns and still loads (memcg accounting), so carry on.
        cmd = ["bash", "-c", 'ulimit -l unlimited 2>/dev/null; exec bpftrace "$0"', t["script"]]
        want = {"sys_enter_write", "sys_exit_write"}
    else:
        out = os.path.join(OUT, "ttytop-r%d.ndjson" % rnd)
        err = os.path.join(OUT, "ttytop-r%d.err" % rnd)
        cmd = ["bash", "-c", "exec " + TTYTOP_CMD]
        want = None
    fo = open(out, "w")
    fe = fo if err == out else open(err, "w")
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=fo, stderr=fe,
                         start_new_session=True)  # our Ctrl-C handling stops it, not the tty
    live[p.pid] = (p, kind)
    write_pidfile()
    fo.close()
    if fe is not fo:
        fe.close()

    res = {"out": out, "err": err}
    try:
        t_first = t_attaching = t_live = None
        deadline = t0 + START_TIMEOUT_S
        while True:
            now = time.monotonic()
            if p.poll() is not None:
                raise BenchError("%s exited during start-up (status %s): %s"
                                 % (t["label"], p.returncode, tail(err)))
            if now > deadline:
                raise BenchError("%s not attached after %d s: %s"
                                 % (t["label"], START_TIMEOUT_S, tail(err)))
            if kind == "bpftrace" and t_attaching is None:
                with open(out, errors="replace") as f:
                    if "Attaching" in f.read():
                        t_attaching = now
            mine = prog_ids_of(p.pid)
            progs = bpftool_progs()
            now = time.monotonic()
            tp = {i: progs[i] for i in mine
                  if i in progs and progs[i].get("type") in ("tracepoint", "tracing")}
            if tp and t_first is None:
                t_first = now
            names = {v.get("name", ""): v for v in tp.values()}
            if kind == "ttytop":
                enter = [n for n in names if n.startswith("enter_write_")]
                want = set(enter[:1]) | {"exit_write"} | set(SCHED_PROGS) if enter else None
            # live: every program we measure is attached and has run at least once
            if want and want <= set(names) and all(names[n].get("run_cnt", 0) > 0 for n in want):
                if kind != "bpftrace" or t_attaching is not None:
                    t_live = now
                    break
            time.sleep(0.005)
    except BaseException:
        stop_tracer(p, kind)  # a tracer that failed to start must not linger attached
        raise
    res["first_prog_ms"] = (t_first - t0) * 1000
    res["live_ms"] = (t_live - t0) * 1000
    if t_attaching is not None:
        res["attaching_ms"] = (t_attaching - t0) * 1000
    res["prog_ids"] = sorted(i for i in prog_ids_of(p.pid))
    return p, res


def run_wr(args, mine=()):
    foreign = wait_quiet(mine)
    r = subprocess.run([WR] + args, capture_output=True, text=True, timeout=WORK_TIMEOUT_S)
    if r.returncode:
        raise BenchError("workload %s failed: %s" % (" ".join(args), r.stderr.strip()))
    w = json.loads(r.stdout)
    foreign = sorted(set(foreign) | set(foreign_write_tracers(mine)))
    w["disturbed_by"] = foreign
    return w


def measure(ids, args, mine):
    before = snapshot(ids)
    t0 = time.monotonic()
    w = run_wr(args, mine)
    window = time.monotonic() - t0
    d = deltas(before, snapshot(ids))
    return w, d, window


def write_cost(d, kind, n):
    sel = {k: v for k, v in d.items() if WRITE_PROGS[kind](k)}
    rt = sum(v[0] for v in sel.values())
    cnt = sum(v[1] for v in sel.values())
    if len(sel) < 2 or any(v[1] < n for v in sel.values()):
        # a zero here would read as "free": BPF stats were off, or a program missed writes
        raise BenchError("write programs ran %s times for %d writes (BPF stats off?)"
                         % ({k: v[1] for k, v in sel.items()}, n))
    return {
        "ns_per_write": rt / n,
        # per program average over every invocation, including other processes' writes
        "ns_per_call_sum": sum(v[0] / v[1] for v in sel.values() if v[1]),
        # >1 means other processes wrote during the window (shared machine)
        "calls_per_write": cnt / (n * max(len(sel), 1)),
        # where the cost goes: entry side vs exit side
        "enter_ns_per_write": sum(v[0] for k, v in sel.items() if "enter" in k) / n,
        "exit_ns_per_write": sum(v[0] for k, v in sel.items() if "exit" in k) / n,
        "progs": {k: {"run_time_ns": v[0], "run_cnt": v[1]} for k, v in sel.items()},
    }


def sched_cost(d, window):
    r = {}
    for name in SCHED_PROGS:
        rt, cnt = d.get(name, (0, 0))
        r[name] = {"ns_per_call": rt / cnt if cnt else None, "ns_per_s": rt / window,
                   "calls_per_s": cnt / window, "run_time_ns": rt, "run_cnt": cnt,
                   "window_s": window}
    return r


def first_attach_us(path):
    try:
        with open(path, errors="replace") as f:
            for line in f:
                try:
                    v = json.loads(line).get("attach", {}).get("attach_us")
                except (ValueError, AttributeError):
                    continue
                if isinstance(v, (int, float)):
                    return v
    except OSError:
        pass
    return None


def ttytop_seen(path):
    """Write counts by terminal name in ttytop's last JSON line: the bench ptys
    should be there with every write, or the tracer was cheap by missing them."""
    last = None
    try:
        with open(path, errors="replace") as f:
            for line in f:
                try:
                    d = json.loads(line)
                except ValueError:
                    continue
                if isinstance(d, dict) and isinstance(d.get("terminals"), list):
                    last = d
    except OSError:
        return None
    if not last:
        return None
    out = {}
    for t in last["terminals"]:
        if isinstance(t, dict) and isinstance(t.get("writes"), int):
            out[t.get("name")] = out.get(t.get("name"), 0) + t["writes"]
    return out


def bpftrace_seen(path):
    """Counts by terminal in ttylat.bt's @lat_ns[major, minor] histograms (printed
    at exit), named as ttytop names ptys (major 136-143: pts/N)."""
    out, cur = None, None
    hist_line = re.compile(r"^\[[^\]]*[\])]\s+(\d+)\s+\|")
    key = re.compile(r"^@lat_ns\[(\d+), (\d+)\]")
    try:
        with open(path, errors="replace") as f:
            for line in f:
                k = key.match(line)
                if k:
                    out = out or {}
                    maj, mnr = int(k.group(1)), int(k.group(2))
                    cur = ("pts/%d" % ((maj - 136) * 256 + mnr) if 136 <= maj <= 143
                           else "%d:%d" % (maj, mnr))
                elif cur is not None:
                    m = hist_line.match(line)
                    if m:
                        out[cur] = out.get(cur, 0) + int(m.group(1))
                    elif not line.strip():
                        cur = None
    except OSError:
        return None
    return out


def one_run(t, rnd):
    r = {"tracer": t["key"], "round": rnd}
    if t["kind"] is None:
        if phase_on("null"):
            r["null"] = run_wr(["null", str(N_NULL)])
        if phase_on("pty"):
            for key, mode, _ in PTY_WORKLOADS:
                r[key] = run_wr([mode, str(N_PTY), str(PTY_SIZE)])
        return r
    p, st = start_tracer(t, rnd)
    try:
        r["startup"] = st
        ids = set(st["prog_ids"])
        time.sleep(SETTLE_S)
        mine = (p.pid,)
        if phase_on("null"):
            w, d, _ = measure(ids, ["null", str(N_NULL)], mine)
            r["null"] = w
            r["null_bpf"] = write_cost(d, t["kind"], w["writes"])
        for key, mode, _ in PTY_WORKLOADS if phase_on("pty") else ():
            w, d, window = measure(ids, [mode, str(N_PTY), str(PTY_SIZE)], mine)
            r[key] = w
            r[key + "_bpf"] = write_cost(d, t["kind"], w["writes"])
            if t["kind"] == "ttytop":
                r[key + "_sched"] = sched_cost(d, window)
        if t["kind"] == "ttytop" and phase_on("idle"):
            before = snapshot(ids)
            t0 = time.monotonic()
            time.sleep(IDLE_S)
            window = time.monotonic() - t0
            r["idle_sched"] = sched_cost(deltas(before, snapshot(ids)), window)
        r["vm_hwm_kb"] = vm_hwm_kb(p.pid)
        r["vm_rss_kb"] = vm_rss_kb(p.pid)
        if t["kind"] == "ttytop" and rnd == 1:
            r["maps"] = maps_of(p.pid)
    finally:
        stop_tracer(p, t["kind"])
    if p.returncode not in (0, -signal.SIGINT, -signal.SIGTERM):
        r["exit_status"] = p.returncode
    if t["kind"] == "ttytop":
        r["startup"]["attach_us"] = first_attach_us(st["out"])
        seen = ttytop_seen(st["out"])
    else:
        seen = bpftrace_seen(st["out"]) if t["key"] == "ttylat" else None
    if seen is not None:
        # per pty the workloads wrote (two may share a number, one after the other):
        # the share of their writes the tracer recorded on it
        made = {}
        for key, _, _ in PTY_WORKLOADS:
            if key in r:
                made[r[key]["tty"]] = made.get(r[key]["tty"], 0) + r[key]["writes"]
        if made:
            r["pty_seen_ratio"] = sum(seen.get(n, 0) for n in made) / sum(made.values())
    return r


# --- summary -----------------------------------------------------------------

def get(d, path):
    for k in path:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return d


def stats(vals):
    vals = [v for v in vals if isinstance(v, (int, float))]
    if not vals:
        return None
    return {"median": statistics.median(vals), "min": min(vals), "max": max(vals),
            "n": len(vals)}


def summarize(runs):
    keys = [t["key"] for t in TRACERS]
    paths = {
        "null_bpf_ns_per_write": ("null_bpf", "ns_per_write"),
        "null_bpf_ns_per_call_sum": ("null_bpf", "ns_per_call_sum"),
        "null_calls_per_write": ("null_bpf", "calls_per_write"),
        "null_enter_ns_per_write": ("null_bpf", "enter_ns_per_write"),
        "null_exit_ns_per_write": ("null_bpf", "exit_ns_per_write"),
        "null_wall_ns_per_write": ("null", "ns_per_write"),
        "startup_first_prog_ms": ("startup", "first_prog_ms"),
        "startup_live_ms": ("startup", "live_ms"),
        "startup_attaching_ms": ("startup", "attaching_ms"),
        "startup_attach_us": ("startup", "attach_us"),
        "vm_hwm_kb": ("vm_hwm_kb",),
        "vm_rss_kb": ("vm_rss_kb",),
        "pty_seen_ratio": ("pty_seen_ratio",),
    }
    for key, _, _ in PTY_WORKLOADS:
        for name, m in (("enter_ns_per_write",) * 2, ("exit_ns_per_write",) * 2,
                        ("bpf_ns_per_write", "ns_per_write"),
                        ("bpf_ns_per_call_sum", "ns_per_call_sum"), ("calls_per_write",) * 2):
            paths["%s_%s" % (key, name)] = (key + "_bpf", m)
        paths["%s_wall_ns_per_write" % key] = (key, "ns_per_write")
    for phase in [k + "_sched" for k, _, _ in PTY_WORKLOADS] + ["idle_sched"]:
        for prog in SCHED_PROGS:
            for m in ("ns_per_call", "ns_per_s", "calls_per_s"):
                paths["%s.%s.%s" % (phase, prog, m)] = (phase, prog, m)
    s = {}
    for k in keys:
        mine = [r for r in runs if r["tracer"] == k]
        s[k] = {}
        for name, path in paths.items():
            v = stats([get(r, path) for r in mine])
            if v:
                s[k][name] = v
        # wall clock: only samples no other write(2) tracer disturbed, if any
        for wl in ("null",) + tuple(k for k, _, _ in PTY_WORKLOADS):
            samples = [r[wl] for r in mine if wl in r]
            clean = [x for x in samples if not x.get("disturbed_by")]
            v = stats([x["ns_per_write"] for x in (clean or samples)])
            if v:
                v["disturbed"] = len(samples) - len(clean)
                v["disturbed_included"] = not clean
                s[k]["%s_wall_ns_per_write" % wl] = v
    base = get(s, ("none", "null_wall_ns_per_write", "median"))
    for k in keys:
        v = get(s, (k, "null_wall_ns_per_write", "median"))
        if base and v is not None and k != "none":
            s[k]["null_wall_overhead_ns"] = v - base
    return s


def med(s, k, name):
    return get(s, (k, name, "median"))


def targets(s):
    out = []
    c, a = med(s, "ttytop", "null_bpf_ns_per_write"), med(s, "empty", "null_bpf_ns_per_write")
    if c is not None and a:
        out.append({"name": "non-tty cost <= 1.25x empty floor", "ok": c <= 1.25 * a,
                    "value": c, "limit": 1.25 * a, "ratio": c / a})
    for key, _, what in PTY_WORKLOADS:
        name = key + "_bpf_ns_per_write"
        c, b = med(s, "ttytop", name), med(s, "ttylat", name)
        if c is not None and b:
            out.append({"name": "%s cost (%s) <= 0.5x bpftrace anchor" % (key, what),
                        "ok": c <= 0.5 * b, "value": c, "limit": 0.5 * b, "ratio": c / b})
    return out


def targets_expected():
    """How many targets the chosen phases measure: non-tty and one per pty workload."""
    return int(phase_on("null")) + (len(PTY_WORKLOADS) if phase_on("pty") else 0)


def fmt(st, scale=1.0, prec=0):
    if not st:
        return "-"
    f = "%%.%df" % prec
    return (f + " [" + f + ".." + f + "]") % (st["median"] * scale, st["min"] * scale,
                                             st["max"] * scale)


def print_table(s, tg, meta):
    cols = [t["key"] for t in TRACERS]
    heads = {"none": "none", "empty": "A empty.bt", "ttylat": "B ttylat.bt", "ttytop": "C ttytop"}
    rows = [
        ("BPF ns/write, non-tty (N=%d)" % N_NULL, "null_bpf_ns_per_write", 1, 1),
        ("  of which enter program", "null_enter_ns_per_write", 1, 1),
        ("  of which exit program", "null_exit_ns_per_write", 1, 1),
        ("  (sum of per-call averages)", "null_bpf_ns_per_call_sum", 1, 1),
        ("  (prog calls per write)", "null_calls_per_write", 1, 3),
    ]
    for key, _, what in PTY_WORKLOADS:
        rows += [
            ("BPF ns/write, %s (N=%d x %dB)" % (key, N_PTY, PTY_SIZE),
             key + "_bpf_ns_per_write", 1, 1),
            ("  (%s)" % what, None, 1, 1),
            ("  of which enter program", key + "_enter_ns_per_write", 1, 1),
            ("  of which exit program", key + "_exit_ns_per_write", 1, 1),
            ("  (sum of per-call averages)", key + "_bpf_ns_per_call_sum", 1, 1),
            ("  (prog calls per write)", key + "_calls_per_write", 1, 3),
        ]
    rows += [("wall ns/write, non-tty loop", "null_wall_ns_per_write", 1, 1)]
    rows += [("wall ns/write, %s writer" % key, key + "_wall_ns_per_write", 1, 0)
             for key, _, _ in PTY_WORKLOADS]
    rows += [
        ("start: exec -> first prog (ms)", "startup_first_prog_ms", 1, 0),
        ("start: exec -> 'Attaching' (ms)", "startup_attaching_ms", 1, 0),
        ("start: exec -> all progs live (ms)", "startup_live_ms", 1, 0),
        ("start: attach_us from JSON (ms)", "startup_attach_us", 0.001, 0),
        ("peak RSS VmHWM (MiB)", "vm_hwm_kb", 1 / 1024, 1),
        ("RSS after the workloads VmRSS (MiB)", "vm_rss_kb", 1 / 1024, 1),
        ("pty writes the tracer recorded (%)", "pty_seen_ratio", 100, 1),
    ]
    w0 = 40
    wc = 24
    print()
    print("ttytop bench: %d interleaved rounds, median [min..max]  (%s, %s, %d CPUs)"
          % (ROUNDS, meta["kernel"], meta["date"], meta["cpus"]))
    if SELECTED != PHASES:
        print("phases (BENCH_PHASES): %s" % ",".join(SELECTED))
    print("tree %s; ttytop built %s, sha256 %s" % (meta.get("git_head"), meta.get("ttytop_mtime"),
                                                 (meta.get("ttytop_sha256") or "?")[:12]))
    print("-" * (w0 + wc * len(cols)))
    print("%-*s" % (w0, "") + "".join("%-*s" % (wc, heads[c]) for c in cols))
    shown = None  # the key of the last figure printed: a description row follows it
    for label, key, scale, prec in rows:
        if key is None:
            if shown:
                print(label)
            continue
        cells = [fmt(s.get(c, {}).get(key), scale, prec) for c in cols]
        shown = None if all(x == "-" for x in cells) else key
        if shown:
            print("%-*s" % (w0, label) + "".join("%-*s" % (wc, x) for x in cells))
    wls = ("null",) + tuple(k for k, _, _ in PTY_WORKLOADS)
    dist = []
    for c in cols:
        v = [s.get(c, {}).get("%s_wall_ns_per_write" % wl) for wl in wls]
        dist.append("-" if not any(v) else " / ".join(
            "-" if not x else "%d%s" % (x["disturbed"], "(kept)" if x["disturbed_included"] else "")
            for x in v))
    print("  wall samples disturbed, excluded (%s)" % "/".join(wls))
    print("%-*s" % (w0, "") + "".join("%-*s" % (wc, x) for x in dist))
    ov = [("%+.1f" % s[c]["null_wall_overhead_ns"]) if "null_wall_overhead_ns" in s.get(c, {})
          else "-" for c in cols]
    print("%-*s" % (w0, "wall overhead vs none (ns/write)") + "".join("%-*s" % (wc, x) for x in ov))
    print()
    print("ttytop scheduler hooks, median [min..max] (BPF ns per s / 1e7 = % of one CPU):")
    print("%-*s%-24s%-24s%-30s" % (w0, "", "ns/call", "calls/s", "BPF ns per s of run"))
    for phase, label in [(k + "_sched", k + " workload") for k, _, _ in PTY_WORKLOADS] + \
            [("idle_sched", "idle")]:
        for prog in SCHED_PROGS:
            st = s.get("ttytop", {})
            if "%s.%s.ns_per_s" % (phase, prog) not in st:
                continue
            print("%-*s%-24s%-24s%-30s" % (
                w0, "%s, %s" % (prog, label),
                fmt(st.get("%s.%s.ns_per_call" % (phase, prog)), 1, 1),
                fmt(st.get("%s.%s.calls_per_s" % (phase, prog)), 1, 0),
                fmt(st.get("%s.%s.ns_per_s" % (phase, prog)), 1, 0)))
    print()
    for t in tg:
        print("%s ttytop %s: %.1f ns vs limit %.1f ns (%.2fx)"
              % ("PASS" if t["ok"] else "FAIL", t["name"], t["value"], t["limit"], t["ratio"]))
    if len(tg) < targets_expected():
        print("FAIL targets: not all figures were measured (see errors above)")


SCALE_TTYS = env_int("BENCH_SCALE_TTYS", 1000)
SCALE_S = 6


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        parts = f.read().rsplit(")", 1)[1].split()
    return int(parts[11]) + int(parts[12])  # utime + stime


def scale_phase():
    """ttytop with SCALE_TTYS live terminals: what one refresh costs in user space
    (slot reads, model, a JSON document of them all) and how big the document is."""
    import pty
    import resource
    need = 2 * SCALE_TTYS + 64
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard < need:
        return {"error": "RLIMIT_NOFILE %d < %d" % (hard, need)}
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    out = os.path.join(OUT, "ttytop-scale.ndjson")
    argv = shlex.split(TTYTOP_CMD)
    with open(out, "w") as f:
        p = subprocess.Popen(argv, stdout=f, stderr=subprocess.DEVNULL)
    pairs = []
    try:
        time.sleep(1.5)
        for _ in range(SCALE_TTYS):
            m, sl = pty.openpty()
            os.write(sl, b"x")
            pairs.append((m, sl))
        time.sleep(1.5)  # every terminal has its row
        t0, c0 = time.monotonic(), cpu_ticks(p.pid)
        time.sleep(SCALE_S)
        t1, c1 = time.monotonic(), cpu_ticks(p.pid)
        hz = os.sysconf("SC_CLK_TCK")
        with open(out) as f:
            lines = f.readlines()
        last = json.loads(lines[-1]) if lines else {}
        rows = len(last.get("terminals", []))
        return {"ttys": SCALE_TTYS, "rows": rows, "cpu_pct": 100.0 * (c1 - c0) / hz / (t1 - t0),
                "doc_kib": len(lines[-1]) / 1024 if lines else 0,
                "vm_hwm_kb": vm_hwm_kb(p.pid)}
    finally:
        p.send_signal(signal.SIGINT)
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
        for m, sl in pairs:
            os.close(m)
            os.close(sl)


TUI_SOCK = "ttytop-bench-%d" % os.getpid()


def tmux(*args):
    return subprocess.run(["tmux", "-L", TUI_SOCK, "-f", "/dev/null"] + list(args),
                          capture_output=True, text=True, timeout=20).stdout


def tui_unfit():
    """Why the dashboard phases cannot run here, or None (raises the fd limit)."""
    import resource
    if not shutil.which("tmux"):
        return "tmux not installed"
    need = 2 * SCALE_TTYS + 64
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard < need:
        return "RLIMIT_NOFILE %d < %d" % (hard, need)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return None


def start_dashboard(args="-T 1000 --interval 1"):
    """ttytop's dashboard (args) in a fresh 160x50 tmux window; its pid."""
    binary = os.path.abspath(shlex.split(TTYTOP_CMD)[0])
    tmux("kill-server")
    tmux("new-session", "-d", "-s", "b", "-x", "160", "-y", "50",
         "env TERM=tmux-256color %s %s" % (shlex.quote(binary), args))
    pid = int(tmux("display-message", "-p", "-t", "b", "#{pane_pid}").strip() or 0)
    deadline = time.monotonic() + START_TIMEOUT_S
    while "Terminals" not in tmux("capture-pane", "-p", "-t", "b"):
        if time.monotonic() > deadline or not pid:
            raise BenchError("the dashboard did not come up in tmux")
        time.sleep(0.1)
    return pid


def key_to_redraw_ms(samples=20):
    """Down in the terminals pane until the screen tmux holds has changed:
    the dashboard's key handling and redraw, plus tmux's own capture (a few ms)."""
    lat = []
    for i in range(samples):
        before = tmux("capture-pane", "-p", "-t", "b")
        t = time.monotonic()
        tmux("send-keys", "-t", "b", "Up" if i % 2 else "Down")
        while tmux("capture-pane", "-p", "-t", "b") == before:
            if time.monotonic() - t > 5:
                raise BenchError("the dashboard did not redraw within 5 s of a key")
        lat.append((time.monotonic() - t) * 1e3)
    return lat


def tui_phase():
    """The dashboard (not --json) in tmux, 160x50, over SCALE_TTYS ptys that keep
    writing (each every 100 ms, from one process): its CPU while they do, and how
    long a key takes to show."""
    import pty
    why = tui_unfit()
    if why:
        return {"error": why}
    pairs = []
    try:
        pid = start_dashboard()
        for _ in range(SCALE_TTYS):
            m, sl = pty.openpty()
            pairs.append((m, sl))
        period, end = 0.1, time.monotonic() + 2 + SCALE_S
        t0 = c0 = None
        while time.monotonic() < end:
            start = time.monotonic()
            for _, sl in pairs:
                os.write(sl, b"x")
            if t0 is None and start > end - SCALE_S:  # rows exist: measure from here
                t0, c0 = time.monotonic(), cpu_ticks(pid)
            time.sleep(max(0.0, period - (time.monotonic() - start)))
        t1, c1 = time.monotonic(), cpu_ticks(pid)
        title = re.search(r"Terminals \(([^)]*)\)", tmux("capture-pane", "-p", "-t", "b"))
        lat = sorted(key_to_redraw_ms())
        return {"ttys": SCALE_TTYS, "title": title.group(1) if title else None,
                "cpu_pct": 100.0 * (c1 - c0) / os.sysconf("SC_CLK_TCK") / (t1 - t0),
                "writes_per_s": SCALE_TTYS / period, "vm_hwm_kb": vm_hwm_kb(pid),
                "key_ms_median": lat[len(lat) // 2], "key_ms_max": lat[-1]}
    finally:
        tmux("kill-server")
        for m, sl in pairs:
            os.close(m)
            os.close(sl)


STORM_S = env_int("BENCH_STORM_S", 30)
STORM_KEYS = env_int("BENCH_STORM_KEYS", 20)
STORM_TARGET_MS = 200
STORM_COMM = "ttyt-storm"


def wait_for(pred, timeout, what):
    end = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > end:
            raise BenchError("no sign of %s in %d s" % (what, timeout))
        time.sleep(0.05)


def wait_screen(pred, timeout, what):
    end = time.monotonic() + timeout
    while True:
        scr = tmux("capture-pane", "-p", "-t", "b")
        if pred(scr):
            return scr
        if time.monotonic() > end:
            raise BenchError("the dashboard did not show %s in %d s" % (what, timeout))
        time.sleep(0.05)


def storm_keys(order, storm):
    """STORM_KEYS presses of Down/Up in the terminals table (sorted by name), spread
    over STORM_S of the storm: from each until the histogram's title names the terminal the
    press selected. The screen changes every refresh in a storm, so a change alone
    would time the refresh, not the key."""
    lat = []
    for i in range(STORM_KEYS):
        key, want = ("Down", order[1]) if i % 2 == 0 else ("Up", order[0])
        shown = re.compile(r"Latency: %s(?!\d)" % re.escape(want))
        t = time.monotonic()
        tmux("send-keys", "-t", "b", key)
        while not shown.search(tmux("capture-pane", "-p", "-t", "b")):
            if time.monotonic() - t > 5:
                raise BenchError("a key press was not on the screen 5 s later")
        now = time.monotonic()
        lat.append((now - t) * 1e3)
        time.sleep(max(0.0, (storm.started + STORM_S - 1 - now) / (STORM_KEYS - i) - 0.05))
    return lat


def storm_phase():
    """The dashboard in tmux (-T 0: every write an event, rate limited) while four
    writers flood four ptys with one-byte writes as fast as they can for STORM_S:
    how long a key takes to show, its CPU, the writes per second and the drops.
    tests/tui/test_tui.py (storm_keys_and_exact_counts) checks that the counts are
    exact and every press shows; the timings live here."""
    if not shutil.which("tmux"):
        return {"error": "tmux not installed"}
    sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
    from ttstorm import Storm
    storm = js = None
    try:
        storm = Storm(4, STORM_COMM)
        # beside it, a --json instance at the default threshold: its RSS in the storm
        js_out = os.path.join(OUT, "ttytop-storm-json.ndjson")
        with open(js_out, "w") as fo:
            js = subprocess.Popen([shlex.split(TTYTOP_CMD)[0], "--json", "--interval", "1"],
                                  stdout=fo, stderr=subprocess.DEVNULL)
        pid = start_dashboard("-T 0 -c %s --interval 1" % STORM_COMM)
        order = sorted(storm.names())  # the table's order by name (strncmp)
        storm.start()
        wait_screen(lambda x: "Terminals (4)" in x, 10, "the storm's 4 terminals")
        # from its first document on: before it, the RSS is start-up's (libbpf's
        # copy of the kernel's BTF, 16-17 MiB here), reported as VmHWM, not the
        # storm's; the dashboard can be up before it when both load at once
        wait_for(lambda: os.path.getsize(js_out) > 0, 10, "the --json instance's first document")
        js_rss = RssSampler(js.pid, 0)
        for _ in range(3):  # writes/s -> writer -> class -> terminal
            tmux("send-keys", "-t", "b", "<")
        wait_screen(lambda x: "sorted by terminal" in x and
                    re.search(r"Latency: %s(?!\d)" % re.escape(order[0]), x), 10,
                    "the table sorted by terminal")
        t0, c0 = time.monotonic(), cpu_ticks(pid)
        lat = storm_keys(order, storm)
        time.sleep(max(0.0, storm.started + STORM_S - time.monotonic()))
        t1, c1 = time.monotonic(), cpu_ticks(pid)
        counts = storm.counts()
        head = tmux("capture-pane", "-p", "-t", "b").splitlines()
        drops = re.search(r"drops (\S+ \([^)]*\))", head[1] if len(head) > 1 else "")
        lat.sort()
        json_rss = js_rss.result()
        return {"seconds": storm.seconds(), "ptys": len(counts), "keys": len(lat),
                "json_rss_kb": json_rss if js.poll() is None else None,
                "writes_per_s_per_pty": storm.rate(counts),
                "key_ms": lat, "key_ms_p50": lat[len(lat) // 2],
                "key_ms_p99": lat[min(len(lat) - 1, int(len(lat) * 0.99))],
                "cpu_pct": 100.0 * (c1 - c0) / os.sysconf("SC_CLK_TCK") / (t1 - t0),
                "drops": drops.group(1) if drops else None, "vm_hwm_kb": vm_hwm_kb(pid)}
    finally:
        tmux("kill-server")
        if js:
            js.kill()
            js.wait()
        if storm:
            storm.close()


def print_storm(st):
    if not st:
        return
    if "error" in st:
        print("dashboard in a storm: not measured (%s)" % st["error"])
        return
    print("dashboard (tmux 160x50, -T 0) while %d writers flood %d ptys for %.0f s "
          "(%.0f writes/s per pty, header 'drops %s'): key to screen p50 %.0f ms, p99 %.0f ms "
          "over %d presses; %.1f%% of one CPU, peak RSS %.1f MiB"
          % (st["ptys"], st["ptys"], st["seconds"], st["writes_per_s_per_pty"], st["drops"],
             st["key_ms_p50"], st["key_ms_p99"], st["keys"], st["cpu_pct"],
             (st["vm_hwm_kb"] or 0) / 1024))
    print("%s dashboard storm key to screen p99 <= %d ms: %.0f ms"
          % ("PASS" if st["key_ms_p99"] <= STORM_TARGET_MS else "FAIL", STORM_TARGET_MS,
             st["key_ms_p99"]))
    print()


RSS_TARGET_MIB = 12


def print_memory(s, storm):
    """The RSS target: ttytop --json idle (after the workloads, -T 10) and at the
    default threshold through the storm, its largest VmRSS sampled every 0.2 s.
    Not the start-up peak (VmHWM): libbpf holds the kernel's BTF while it loads."""
    idle = med(s, "ttytop", "vm_rss_kb")
    inst = (storm or {}).get("json_rss_kb")
    figs = [("idle", idle), ("storm", inst)]
    shown = ", ".join("%s %s" % (k, "-" if v is None else "%.1f MiB" % (v / 1024)) for k, v in figs)
    ok = all(v is not None and v / 1024 <= RSS_TARGET_MIB for _, v in figs)
    print("%s ttytop RSS <= %d MiB, idle and in the storm (--json, default threshold): %s; "
          "start-up peak VmHWM %s" % ("PASS" if ok else "FAIL", RSS_TARGET_MIB, shown,
                                      fmt(get(s, ("ttytop", "vm_hwm_kb")), 1 / 1024, 1)))
    print()


def stuck_phase():
    """The dashboard in tmux over SCALE_TTYS writers stuck at once (each blocked
    writing to its own pty, which nobody reads): its CPU while they are in
    flight, with the in-flight list read and shown every second."""
    import pty
    why = tui_unfit()
    if why:
        return {"error": why}
    pairs, pids = [], []
    try:
        pid = start_dashboard()
        for _ in range(SCALE_TTYS):
            pairs.append(pty.openpty())
        for m, sl in pairs:
            w = os.fork()
            if w == 0:
                # a writer holds its own terminal, not the bench's 2,000 descriptors
                # (which would make every /proc walk for the pty readers 1,000 times longer)
                os.closerange(3, sl)
                os.closerange(sl + 1, 65536)
                os.write(sl, b"s" * 200000)  # blocks: nobody reads m
                os._exit(0)
            pids.append(w)
        time.sleep(3)  # all in flight longer than the 1 s threshold
        t0, c0 = time.monotonic(), cpu_ticks(pid)
        time.sleep(SCALE_S)
        t1, c1 = time.monotonic(), cpu_ticks(pid)
        head = tmux("capture-pane", "-p", "-t", "b").splitlines()
        shown = re.search(r"IN FLIGHT ([\d.]+k?)", head[1] if len(head) > 1 else "")
        return {"stuck": SCALE_TTYS, "shown": shown.group(1) if shown else None,
                "cpu_pct": 100.0 * (c1 - c0) / os.sysconf("SC_CLK_TCK") / (t1 - t0),
                "vm_hwm_kb": vm_hwm_kb(pid)}
    finally:
        tmux("kill-server")
        for w in pids:
            os.kill(w, signal.SIGKILL)
        for w in pids:
            os.waitpid(w, 0)
        for m, sl in pairs:
            os.close(m)
            os.close(sl)


def print_stuck(st):
    if not st:
        return
    if "error" in st:
        print("dashboard over stuck writers: not measured (%s)" % st["error"])
        return
    print("dashboard (tmux 160x50) with %d writers stuck at once (header: IN FLIGHT %s): "
          "%.1f%% of one CPU, peak RSS %.1f MiB"
          % (st["stuck"], st["shown"], st["cpu_pct"], (st["vm_hwm_kb"] or 0) / 1024))
    print()


def print_tui(tu):
    if not tu:
        return
    if "error" in tu:
        print("dashboard at scale: not measured (%s)" % tu["error"])
        return
    print("dashboard (tmux 160x50) over %d ptys writing %.0f writes/s, title 'Terminals (%s)': "
          "%.1f%% of one CPU, peak RSS %.1f MiB, key to redraw median %.0f ms, max %.0f ms"
          % (tu["ttys"], tu["writes_per_s"], tu["title"], tu["cpu_pct"],
             (tu["vm_hwm_kb"] or 0) / 1024, tu["key_ms_median"], tu["key_ms_max"]))
    print()


N_SYS = env_int("BENCH_N_SYS", 2000000)


def raw_phase():
    """The PREEMPT_RT path (raw sys_enter/sys_exit, forced here): what every
    system call pays, the writes and the rest, against the same calls untraced
    and with the per-syscall tracepoints."""
    res = {}
    for key, env in (("none", None), ("tp", "0"), ("raw", "1")):
        p = None
        if env is not None:
            out = os.path.join(OUT, "ttytop-raw%s.ndjson" % env)
            with open(out, "w") as f:
                p = subprocess.Popen(shlex.split(TTYTOP_CMD), cwd=ROOT, stdout=f,
                                     stderr=subprocess.DEVNULL,
                                     env=dict(os.environ, TTYTOP_RAW_SYSCALLS=env))
            live[p.pid] = (p, "ttytop")
        try:
            if p:
                deadline = time.monotonic() + START_TIMEOUT_S
                while os.path.getsize(out) == 0:  # the first document: attached
                    if time.monotonic() > deadline or p.poll() is not None:
                        raise BenchError("ttytop (TTYTOP_RAW_SYSCALLS=%s) did not start" % env)
                    time.sleep(0.05)
            ids = set(prog_ids_of(p.pid)) if p else set()
            before = snapshot(ids)
            w = run_wr(["sys", str(N_SYS)], (p.pid,) if p else ())
            d = deltas(before, snapshot(ids))
            hooks = {k: v for k, v in d.items() if k.startswith(("enter_raw", "exit_raw"))}
            res[key] = {"wall_ns": w["ns_per_write"],
                        "bpf_ns": sum(v[0] for v in hooks.values()) / N_SYS if hooks else 0.0}
        finally:
            if p:
                stop_tracer(p, "ttytop")
    return res


def print_raw(rw):
    if not rw or "error" in rw:
        print("raw syscall hooks: not measured (%s)" % (rw or {}).get("error", "skipped"))
        return
    print("a system call that is not a write (getppid, N=%d), wall ns: untraced %.1f, "
          "ttytop per-syscall tracepoints %.1f, ttytop raw sys_enter/sys_exit (PREEMPT_RT) "
          "%.1f (of which BPF %.1f)"
          % (N_SYS, rw["none"]["wall_ns"], rw["tp"]["wall_ns"], rw["raw"]["wall_ns"],
             rw["raw"]["bpf_ns"]))
    print()

N_STW = env_int("BENCH_N_STW", 5000)


def stwloop_bin():
    """bench/stwloop.go built with the machine's Go (make deps installs it)."""
    out = os.path.join(OUT, "stwloop")
    src = os.path.join(ROOT, "bench", "stwloop.go")
    if not shutil.which("go"):
        raise BenchError("go not installed (sudo make deps)")
    if not os.path.exists(out) or os.path.getmtime(src) > os.path.getmtime(out):
        env = dict(os.environ, GOCACHE=os.path.join(OUT, "gocache"), GOFLAGS="-mod=mod",
                   GO111MODULE="off", CGO_ENABLED="0", HOME=OUT, GOTOOLCHAIN="local")
        r = subprocess.run(["go", "build", "-o", out, src], env=env, capture_output=True,
                           text=True, timeout=300)
        if r.returncode:
            raise BenchError("building stwloop: " + r.stderr.strip()[-300:])
    return out


def stw_once(exe):
    """ns per ReadMemStats of one stwloop run on a fresh pty."""
    import pty
    import threading
    m, s = pty.openpty()
    stop = threading.Event()

    def drain():
        while not stop.is_set():
            try:
                if not os.read(m, 4096):
                    return
            except OSError:
                return
    th = threading.Thread(target=drain, daemon=True)
    th.start()
    try:
        r = subprocess.run([exe, str(N_STW)], stdout=s, stderr=subprocess.PIPE, text=True,
                           timeout=WORK_TIMEOUT_S)
    finally:
        stop.set()
        os.close(s)
        os.close(m)
    if r.returncode:
        raise BenchError("stwloop failed: " + r.stderr.strip())
    return float(r.stderr.strip().splitlines()[-1])


def stw_phase():
    """What a Go stop-the-world costs the program with ttytop's probes on it:
    ReadMemStats (one stop each) timed with and without ttytop, and the BPF
    run time of the two probe programs per stop."""
    exe = stwloop_bin()
    res = {"n": N_STW, "none": [], "ttytop": [], "bpf_ns": []}
    for _ in range(ROUNDS):
        res["none"].append(stw_once(exe))
        out = os.path.join(OUT, "ttytop-stw.ndjson")
        with open(out, "w") as f:
            p = subprocess.Popen(shlex.split(TTYTOP_CMD), cwd=ROOT, stdout=f,
                                 stderr=subprocess.DEVNULL)
        live[p.pid] = (p, "ttytop")
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while os.path.getsize(out) == 0:
                if time.monotonic() > deadline or p.poll() is not None:
                    raise BenchError("ttytop did not start")
                time.sleep(0.05)
            ids = set(prog_ids_of(p.pid))
            before = snapshot(ids)
            res["ttytop"].append(stw_once(exe))
            d = deltas(before, snapshot(ids))
            probes = [v for k, v in d.items() if k.startswith(("stw_start", "stw_end"))]
            res["bpf_ns"].append(sum(v[0] for v in probes) / N_STW if probes else 0.0)
        finally:
            stop_tracer(p, "ttytop")
    return res


N_PANE_G = env_int("BENCH_PANE_GOROUTINES", 10000)


def pane_phase():
    """Reading the goroutine/thread pane of a Go program with N_PANE_G
    goroutines (marquee -states -goroutines N): the read's own wall time, as
    each document says (read_cost_ns), and the CPU ttytop spent per read
    (user + system, of the whole `--threads` run, divided by its reads)."""
    import pty
    exe = os.path.join(ROOT, "tests", "fixtures", "bin", "marquee")
    if not os.path.exists(exe):
        raise BenchError("tests/fixtures/bin/marquee not built (make fixtures)")
    m, s = pty.openpty()
    # the terminal writer writes to the pty nobody reads; what it says goes to stderr
    g = subprocess.Popen([exe, "-states", "-writers", "0", "-goroutines", str(N_PANE_G)],
                         stdout=s, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    live[g.pid] = (g, "marquee")
    try:
        for line in iter(lambda: g.stderr.readline(4096), b""):
            if line.startswith(b"states ready"):  # every goroutine started
                break
        argv = shlex.split(TTYTOP_CMD)[:1] + ["--json", "--threads", str(g.pid),
                                                "--interval", "0.5", "--duration", "5"]
        with tempfile.TemporaryFile() as err:
            t = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=err)
            out = t.stdout.read()
            # its own rusage, before Popen reaps it: what this one run cost
            _, status, ru = os.wait4(t.pid, 0)
            t.returncode = os.waitstatus_to_exitcode(status)
            err.seek(0)
            if t.returncode:
                raise BenchError("ttytop --threads: " + err.read().decode(errors="replace")[-300:])
    finally:
        g.kill()
        g.wait()
        live.pop(g.pid, None)
        os.close(s)
        os.close(m)
    docs = [json.loads(x) for x in out.splitlines() if x.strip()]
    if not docs:
        raise BenchError("ttytop --threads wrote no document")
    costs = sorted(d["pane"]["read_cost_ns"] for d in docs)
    return {"goroutines": N_PANE_G, "read": len(docs),
            "seen": docs[-1]["pane"]["goroutines_total"],
            "read_ms_median": costs[len(costs) // 2] / 1e6, "read_ms_max": costs[-1] / 1e6,
            "cpu_s": ru.ru_utime + ru.ru_stime}


def print_pane(pa):
    if not pa or "error" in pa:
        print("goroutine/thread pane: not measured (%s)" % (pa or {}).get("error", "skipped"))
        return
    print("goroutine/thread pane of a Go program with %d goroutines (%d seen): %.1f ms per "
          "read (median of %d, max %.1f ms); ttytop's CPU %.1f ms per read"
          % (pa["goroutines"], pa["seen"], pa["read_ms_median"], pa["read"], pa["read_ms_max"],
             pa["cpu_s"] * 1e3 / pa["read"]))
    print()


def print_stw(st):
    if not st or "error" in st:
        print("Go stop-the-world probes: not measured (%s)" % (st or {}).get("error", "skipped"))
        return
    none, tt = min(st["none"]), min(st["ttytop"])
    print("Go stop-the-world (runtime.ReadMemStats, N=%d, best of %d): %.1f us per stop "
          "untraced, %.1f us with ttytop's probes (+%.1f us; BPF run time of the two probes "
          "%.0f ns per stop)" % (st["n"], len(st["none"]), none / 1e3, tt / 1e3,
                                  (tt - none) / 1e3, min(st["bpf_ns"])))
    print()


def print_scale(sc):
    if not sc:
        return
    if "error" in sc:
        print("ttytop at scale: not measured (%s)" % sc["error"])
        return
    print("ttytop at %d live terminals (%d rows, --interval 1): %.1f%% of one CPU in user "
          "space and the kernel on its behalf, %.0f KiB per JSON document, peak RSS %.1f MiB"
          % (sc["ttys"], sc["rows"], sc["cpu_pct"], sc["doc_kib"], (sc["vm_hwm_kb"] or 0) / 1024))
    print()


def print_maps(runs):
    maps = next((r["maps"] for r in runs if r.get("maps")), None)
    if not maps:
        return
    print("ttytop kernel maps, computed from their sizes (memlock: the kernel's own figure here):")
    print("  %-14s %-16s %8s %8s %12s %12s %12s %12s" % (
        "map", "type", "entries", "value", "shared", "per CPU", "at 2 CPUs", "at 64 CPUs"))
    tot = [0, 0]
    for m in maps:
        sh, pc = map_bytes(m, 1)
        tot[0] += sh
        tot[1] += pc
        print("  %-14s %-16s %8d %8d %12s %12s %12s %12s" % (
            m.get("name", "?")[:14], MAP_TYPES.get(m["type"], str(m["type"])), m["entries"],
            m["value"], kib(sh), kib(pc), kib(sh + 2 * pc), kib(sh + 64 * pc)))
    print("  %-14s %-16s %8s %8s %12s %12s %12s %12s   (memlock here, %d CPUs: %s)" % (
        "total", "", "", "", kib(tot[0]), kib(tot[1]), kib(tot[0] + 2 * tot[1]),
        kib(tot[0] + 64 * tot[1]), os.cpu_count(), kib(sum(m["memlock"] for m in maps))))
    print()


def kib(n):
    return "%.1f MiB" % (n / 1048576) if n >= 1048576 else "%.1f KiB" % (n / 1024)


def on_signal(sig, frame):
    # One stop request is enough: a second one (the shell wrapper forwards
    # Ctrl-C too) must not interrupt the cleanup of the first.
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, signal.SIG_IGN)
    raise KeyboardInterrupt("signal %d" % sig)


def on_alarm(sig, frame):
    raise BenchError("whole-run budget of %d s exceeded" % BUDGET_S)


def hold_bpf_stats():
    """BPF_ENABLE_STATS: a reference on run-time statistics held by an fd, so that
    someone else writing 0 to kernel.bpf_stats_enabled mid-run cannot zero our
    numbers. Best effort: run.sh has set the sysctl anyway."""
    import ctypes
    nr = {"x86_64": 321, "aarch64": 280}.get(os.uname().machine)
    if nr is None:
        return None
    libc = ctypes.CDLL(None, use_errno=True)
    attr = ctypes.create_string_buffer(8)  # union bpf_attr { __u32 type; } = BPF_STATS_RUN_TIME
    fd = libc.syscall(nr, 32, attr, 4)  # BPF_ENABLE_STATS
    return fd if fd >= 0 else None


def pin_ttytop(meta):
    """Run a private copy of the binary under test: teammates rebuild ./ttytop
    while the bench runs, and every round must measure the same build."""
    global TTYTOP_CMD
    argv = shlex.split(TTYTOP_CMD)
    if not argv or "/" not in argv[0]:
        return
    src = os.path.join(ROOT, argv[0])
    dst = os.path.join(OUT, "ttytop")
    shutil.copy2(src, dst)
    with open(dst, "rb") as f:
        meta["ttytop_sha256"] = hashlib.sha256(f.read()).hexdigest()
    meta["ttytop_mtime"] = time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                         time.gmtime(os.stat(src).st_mtime))
    TTYTOP_CMD = " ".join(shlex.quote(a) for a in [dst] + argv[1:])


def main():
    os.makedirs(OUT, exist_ok=True)
    stats_fd = hold_bpf_stats()
    # run.sh starts us in the background, where SIGINT arrives ignored
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(BUDGET_S)
    meta = {"kernel": os.uname().release, "cpus": os.cpu_count(), "phases": list(SELECTED),
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "rounds": ROUNDS, "n_null": N_NULL, "n_pty": N_PTY, "pty_size": PTY_SIZE,
            "idle_s": IDLE_S, "ttytop_cmd": TTYTOP_CMD, "anchors": os.path.abspath(ANCHORS)}
    r = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                       text=True)
    meta["git_head"] = r.stdout.strip() or None
    pin_ttytop(meta)
    meta["ttytop_run"] = TTYTOP_CMD
    runs, errors = [], []
    t_start = time.monotonic()
    rounds = ROUNDS if phase_on("null") or phase_on("pty") or phase_on("idle") else 0
    try:
        for rnd in range(1, rounds + 1):
            for t in TRACERS:
                try:
                    runs.append(one_run(t, rnd))
                except (BenchError, subprocess.TimeoutExpired, ValueError) as e:
                    if isinstance(e, BenchError) and "budget" in str(e):
                        raise
                    msg = "round %d %s: %s" % (rnd, t["label"], e)
                    errors.append(msg)
                    print("bench: " + msg, file=sys.stderr)
            print("bench: round %d/%d done (%.0f s)" % (rnd, ROUNDS, time.monotonic() - t_start),
                  file=sys.stderr)
    except (KeyboardInterrupt, BenchError) as e:
        errors.append("stopped early: %s" % (e or "interrupted"))
        print("bench: stopped early (%s); summarizing what was measured"
              % (e or "interrupted"), file=sys.stderr)
    scale = raw = tui = stuck = storm = stw = pane = paths = None
    try:
        if not errors:
            scale = scale_phase() if phase_on("scale") else dict(UNSELECTED)
    except (OSError, ValueError, BenchError) as e:
        scale = {"error": str(e)}
    try:
        if not errors:
            tui = tui_phase() if phase_on("tui") else dict(UNSELECTED)
    except (OSError, ValueError, BenchError, subprocess.TimeoutExpired) as e:
        tui = {"error": str(e)}
    try:
        if not errors:
            stuck = stuck_phase() if phase_on("stuck") else dict(UNSELECTED)
    except (OSError, ValueError, BenchError, subprocess.TimeoutExpired) as e:
        stuck = {"error": str(e)}
    try:
        if not errors:
            storm = storm_phase() if phase_on("storm") else dict(UNSELECTED)
    except (OSError, ValueError, AssertionError, BenchError, subprocess.TimeoutExpired) as e:
        storm = {"error": str(e)}
    try:
        if not errors:
            stw = stw_phase() if phase_on("stw") else dict(UNSELECTED)
    except (OSError, ValueError, BenchError, subprocess.TimeoutExpired) as e:
        stw = {"error": str(e)}
    try:
        if not errors:
            pane = pane_phase() if phase_on("pane") else dict(UNSELECTED)
    except (OSError, ValueError, KeyError, BenchError, subprocess.TimeoutExpired) as e:
        pane = {"error": str(e)}
    try:
        if not errors and os.environ.get("BENCH_PATHS", "1") != "0":
            paths = paths_phase() if phase_on("paths") else dict(UNSELECTED)
    except (OSError, ValueError, KeyError, subprocess.TimeoutExpired) as e:
        paths = {"error": str(e)}
    try:
        if not errors:
            raw = raw_phase() if phase_on("raw") else dict(UNSELECTED)
    except (OSError, ValueError, BenchError, subprocess.TimeoutExpired) as e:
        raw = {"error": str(e)}
    finally:
        signal.alarm(0)
        stop_all()
        if stats_fd is not None:
            os.close(stats_fd)
    meta["elapsed_s"] = time.monotonic() - t_start
    s = summarize(runs)
    tg = targets(s)
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump({"meta": meta, "summary": s, "targets": tg, "errors": errors, "runs": runs,
                   "scale": scale, "tui": tui, "stuck": stuck, "storm": storm, "raw_hooks": raw,
                   "stw": stw, "pane": pane, "paths": paths}, f, indent=1)
    print_table(s, tg, meta)
    print_maps(runs)
    print_scale(scale)
    print_tui(tui)
    print_stuck(stuck)
    print_storm(storm)
    print_memory(s, storm)
    print_raw(raw)
    print_stw(stw)
    print_pane(pane)
    print_paths(paths)
    for e in errors:
        print("ERROR " + e)
    print("\nraw data: bench/out/results.json (%.0f s)" % meta["elapsed_s"], flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
