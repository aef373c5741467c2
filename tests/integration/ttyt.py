"""Shared pieces of the integration tests: run the real ttytop in --json mode
around a real workload, and report results the way tests/run.sh counts them."""
import json
import os
import pty
import resource
import signal
import subprocess
import sys
import termios
import threading
import time
import traceback
import tty as ttymod

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TTYTOP = os.path.join(ROOT, "ttytop")
FIXTURES = os.environ.get("TTYTOP_FIXTURES", os.path.join(ROOT, "tests", "fixtures", "bin"))

results = {"pass": 0, "fail": 0, "skip": 0}


class Skip(Exception):
    pass


def case(fn):
    """Run one test case and print PASS/FAIL/SKIP for the runner."""
    short = fn.__name__.replace("test_", "", 1)
    name = os.environ.get("TTYTOP_CASE_PREFIX", "") + short
    only = os.environ.get("TTYTOP_ONLY")  # "a,b": run just these cases (to iterate)
    if only and short not in only.split(","):
        return fn
    t0 = time.monotonic()
    try:
        fn()
        print(f"PASS {name}", flush=True)
        results["pass"] += 1
    except Skip as e:
        print(f"SKIP {name}: {e}", flush=True)
        results["skip"] += 1
    except AssertionError as e:
        print(f"FAIL {name}: {e}", flush=True)
        results["fail"] += 1
    except Exception as e:  # a broken test is a failed test
        print(f"FAIL {name}: {type(e).__name__}: {e}", flush=True)
        traceback.print_exc()
        results["fail"] += 1
    # what to look at when make test gets slow (tests/run.sh sums these)
    print(f"# took {time.monotonic() - t0:.1f} s: {name}", flush=True)
    return fn


_btf_raw = None


class KernelBTF:
    """The running kernel's BTF as bpftool dumps it: an independent view of
    what the kernel offers, to check ttytop's own run-time probe against."""

    def __init__(self):
        out = subprocess.run(["bpftool", "btf", "dump", "file", "/sys/kernel/btf/vmlinux"],
                             capture_output=True, text=True).stdout
        self.types = {}  # id -> (kind, name, header line, member lines)
        cur = None
        for line in out.splitlines():
            if line.startswith("["):
                tid = int(line[1:line.index("]")])
                kind, rest = line.split("] ", 1)[1].split(" ", 1)
                name = rest.split("'")[1] if "'" in rest else ""
                cur = [kind, name, line, []]
                self.types[tid] = cur
            elif cur is not None:
                cur[3].append(line.strip())
        self.by_name = {}
        for tid, (kind, name, _, _) in self.types.items():
            self.by_name.setdefault((kind, name), tid)

    def has(self, kind, name):
        return (kind, name) in self.by_name

    def members(self, struct, kind="STRUCT"):
        tid = self.by_name.get((kind, struct))
        return [m.split("'")[1] for m in self.types[tid][3] if "'" in m] if tid else []

    def tp_args(self, tp):
        """Arguments of a tp_btf tracepoint (its prototype less the data pointer)."""
        tid = self.by_name.get(("TYPEDEF", "btf_trace_" + tp))
        if tid is None:
            return -1
        ptr = int(self.types[tid][2].split("type_id=")[1].split()[0])
        proto = int(self.types[ptr][2].split("type_id=")[1].split()[0])
        return int(self.types[proto][2].split("vlen=")[1].split()[0]) - 1


def kernel_btf():
    global _btf_raw
    if _btf_raw is None:
        _btf_raw = KernelBTF()
    return _btf_raw


def expected_flavour():
    """The entry programs ttytop must choose on this kernel."""
    if os.environ.get("TTYTOP_NO_RDONLY_CAST") or not kernel_btf().has("FUNC", "bpf_rdonly_cast"):
        return "probe_read"
    return "rdonly_cast"


def expected_hooks():
    """attach.mode: raw sys_enter/sys_exit on PREEMPT_RT (or when forced)."""
    force = os.environ.get("TTYTOP_RAW_SYSCALLS")
    if force in ("0", "1"):
        return "raw_syscalls" if force == "1" else "tracepoint"
    return "raw_syscalls" if "rtmutex" in kernel_btf().members("mutex") else "tracepoint"


def expected_lost():
    """What ttytop must report lost on this kernel (attach.lost), judged from
    /proc/kallsyms and the kernel's BTF rather than from ttytop's own probe."""
    syms = set()
    with open("/proc/kallsyms") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3 and parts[2] in ("redirected_tty_write", "__irqentry_text_start",
                                                "__irqentry_text_end"):
                syms.add(parts[2])
    regs = ("BPF_FUNC_task_pt_regs" in kernel_btf().members("bpf_func_id", kind="ENUM")
            or os.uname().machine == "x86_64")
    lost = [] if regs else ["r14-check", "frame-1"]
    if not {"__irqentry_text_start", "__irqentry_text_end"} <= syms:
        lost.append("irq-waker")
    if "redirected_tty_write" not in syms:
        lost.append("console-redirect")
    return lost


def require_root():
    if os.geteuid() != 0:
        raise Skip("needs root to load BPF programs")


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
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
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
        for t in self.last()["terminals"]:
            if t["name"] == name:
                return t
        return None

    def events(self, **match):
        out = []
        for d in self.docs:
            for e in d["events"]:
                if all(e.get(k) == v for k, v in match.items()):
                    out.append(e)
        return out


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


def open_pty(raw=True):
    master, slave = pty.openpty()
    if raw:
        ttymod.setraw(slave)
    name = os.ttyname(slave).replace("/dev/", "")  # "pts/3"
    return master, slave, name


def open_pty_ixon():
    """A pty whose slave honours ^S/^Q (IXON), non-canonical, no echo."""
    master, slave, name = open_pty(raw=False)
    a = termios.tcgetattr(slave)
    a[0] |= termios.IXON
    a[3] &= ~(termios.ICANON | termios.ECHO)
    termios.tcsetattr(slave, termios.TCSANOW, a)
    return master, slave, name


def drain(fd, stop_evt, pause=None):
    """Read fd until stop_evt; pause = (after_bytes, seconds) stops reading once.

    Reads a duplicate of fd: tests close fd right after stop_evt.set(), while
    this thread may still be in select() for up to 50 ms, and the number is then
    reused by the next open() or pipe(). Reading the number itself stole the
    output of a `ttytop --check` run through subprocess (exit 0, empty stdout)
    and a read of /proc/sys/kernel/pid_max (an empty string) in earlier runs."""
    total = 0
    paused = False
    import select
    own = os.dup(fd)
    try:
        while not stop_evt.is_set():
            if pause and not paused and total >= pause[0]:
                time.sleep(pause[1])
                paused = True
            r, _, _ = select.select([own], [], [], 0.05)
            if r:
                try:
                    total += len(os.read(own, 65536))
                except OSError:
                    break
    finally:
        os.close(own)
    return total


def fork_writer(fn):
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            fn()
        except BaseException:
            traceback.print_exc()
            code = 1
        os._exit(code)
    return pid


def set_comm(comm):
    import ctypes
    ctypes.CDLL(None).prctl(15, comm, 0, 0, 0)  # PR_SET_NAME


def raise_nofile(need):
    """At least need descriptors if root may raise the hard limit, else the hard limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard < need:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (need, need))
            return need
        except (ValueError, OSError):
            pass
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def many_ptys(n, writes, comm):
    """n fresh raw ptys, all written `writes` one-byte writes by one child named
    comm (a process per pty, as burst_ptys makes, does not fit a 2 GiB guest
    beside a dashboard: 1,000 of them were OOM-killed); returns their names."""
    pairs = []
    for _ in range(n):
        m, s = pty.openpty()
        ttymod.setraw(s)
        pairs.append((m, s, os.ttyname(s).replace("/dev/", "")))
    pid = os.fork()
    if pid == 0:
        set_comm(comm)
        for _ in range(writes):
            for _, s, _ in pairs:
                os.write(s, b"x")
        os._exit(0)
    rc = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    for m, s, _ in pairs:
        os.close(m)
        os.close(s)
    assert rc == 0, f"the writer exited with {rc}"
    return [name for _, _, name in pairs]


def burst_ptys(n, writes, comm):
    """n fresh raw ptys, one child named comm each, all writing `writes` one-byte
    writes at once; returns the ptys' names once every child is done."""
    pairs = []
    for _ in range(n):
        m, s = pty.openpty()
        ttymod.setraw(s)
        pairs.append((m, s, os.ttyname(s).replace("/dev/", "")))
    go_r, go_w = os.pipe()
    pids = []
    for m, s, _ in pairs:
        pid = os.fork()
        if pid == 0:
            set_comm(comm)
            os.read(go_r, 1)  # all start together: the first writes are a burst
            for _ in range(writes):
                os.write(s, b"x")
            os._exit(0)
        pids.append(pid)
    os.write(go_w, b"g" * n)
    bad = [p for p in pids if os.waitstatus_to_exitcode(os.waitpid(p, 0)[1]) != 0]
    for m, s, _ in pairs:
        os.close(m)
        os.close(s)
    os.close(go_r)
    os.close(go_w)
    assert not bad, f"{len(bad)} writers failed"
    return [name for _, _, name in pairs]


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


def within(value, expect, tol):
    return abs(value - expect) <= expect * tol


def finish():
    print(f"# {results['pass']} passed, {results['fail']} failed, {results['skip']} skipped",
          flush=True)
    sys.exit(0)
