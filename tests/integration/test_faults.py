#!/usr/bin/env python3
"""Faults while attached: every way ttytop can be stopped leaves nothing of it
in the kernel (programs, links, maps, uprobes in a Go writer's file) and, for
the signals that can be caught, the terminal restored; several instances at
once each count the workload exactly and none counts another's output."""
import json
import os
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from ttbpfobj import bpf_ids, bpf_ids_alive, uprobe_events_of, uprobes_on  # noqa: E402
from ttcase import Fail, Skip, case, run  # noqa: E402
from ttgo import toolchains  # noqa: E402
from ttpty import drain, open_pty, set_comm  # noqa: E402
from tttmux import Session, exits, kill_server, start_server  # noqa: E402
from tttracer import TTYTOP, Tracer, require_root  # noqa: E402

IN_VM = bool(os.environ.get("TTYTOP_IN_VM"))
START_S = 90 if IN_VM else 15
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGKILL)


class GoWriter:
    """A Go marquee ticking on its own drained pty: ttytop puts its
    stop-the-world uprobes in this file, which must be gone afterwards."""

    def __init__(self):
        tcs = toolchains()
        if not tcs:
            raise Skip("no Go toolchain fixtures in tests/fixtures/bin/go1.NN (make fixtures)")
        self.path = os.path.join(tcs[0][1], "marquee")
        self.master, self.slave, self.name = open_pty()
        self.stop = threading.Event()
        threading.Thread(target=drain, args=(self.master, self.stop), daemon=True).start()
        self.proc = subprocess.Popen([self.path, "-interval", "20", "-count", "1000000"],
                                     stdout=self.slave, stderr=subprocess.DEVNULL)

    def close(self):
        self.proc.kill()
        self.proc.wait()
        self.stop.set()
        os.close(self.slave)


def wait_for(pred, timeout, step=0.1):
    end = time.time() + timeout
    while time.time() < end:
        got = pred()
        if got:
            return got
        time.sleep(step)
    return pred()


def json_instance():
    """(pid, stop(sig) -> exit status, restored() -> None or what is wrong, close)."""
    tr = Tracer("-T", "1000", interval=0.25)

    def stop(sig):
        os.kill(tr.proc.pid, sig)
        return tr.proc.wait(timeout=30)
    return tr.proc.pid, stop, lambda: None, lambda: None


def dashboard_instance():
    """The live dashboard in tmux: its pid, a stop, the terminal check, close."""
    start_server()
    s = Session(120, 40)
    s.run(f"{TTYTOP} -T 1000")
    if not s.wait(lambda x: "Terminals" in x and "F10Quit" in x, START_S):
        s.close()
        raise Fail("the dashboard did not come up")
    shell = int(s.fmt("#{pane_pid}"))
    kids = subprocess.run(["pgrep", "-P", str(shell)], capture_output=True,
                          text=True).stdout.split()
    if len(kids) != 1:
        s.close()
        raise Fail(f"cannot find the dashboard process ({kids})")

    def stop(sig):
        os.kill(int(kids[0]), sig)
        got = s.wait(lambda x: exits(x), 30)
        return exits(got)[-1] if got else None

    def restored():
        if s.fmt("#{alternate_on}") != "0" or s.fmt("#{cursor_flag}") != "1":
            return "terminal modes not restored"
        return None
    return int(kids[0]), stop, restored, s.close


def want_status(mode, sig):
    if sig == signal.SIGKILL:
        return -9 if mode == "json" else 137
    return 0


def stop_and_check(mode, sig, go):
    pid, stop, restored, close = (json_instance if mode == "json" else dashboard_instance)()
    try:
        probes = wait_for(lambda: uprobes_on(go.path, go.proc.pid, pid)[0], START_S, 0.5)
        if len(probes) < 2:
            raise Fail(f"{mode}: ttytop put {len(probes)} uprobes in the Go writer, want >= 2")
        ids = bpf_ids(pid)
        if not ids["prog_id"] or not ids["link_id"]:
            raise Fail(f"{mode}: no BPF programs or links held: {ids}")
        rc = stop(sig)
        if rc != want_status(mode, sig):
            raise Fail(f"{mode} {sig.name}: exit {rc}, want {want_status(mode, sig)}")
        if sig != signal.SIGKILL and restored():
            raise Fail(f"{mode} {sig.name}: {restored()}")
        # freeing a program is deferred past an RCU grace period: give it time
        left = wait_for(lambda: not any(bpf_ids_alive(ids).values()), 10, 0.5)
        if not left:
            raise Fail(f"{mode} {sig.name}: still in the kernel: {bpf_ids_alive(ids)}")
        own, other = uprobes_on(go.path, go.proc.pid, pid)
        if own or other or uprobe_events_of(pid):
            raise Fail(f"{mode} {sig.name}: uprobes left: {len(own)} + {len(other)}, "
                       f"uprobe_events {uprobe_events_of(pid)}")
        if go.proc.poll() is not None:
            raise Fail(f"{mode} {sig.name}: the Go writer died ({go.proc.returncode})")
        return len(ids["prog_id"]), len(ids["link_id"]), len(probes)
    finally:
        close()


@case
def test_signals_leave_nothing_attached():
    """SIGINT, SIGTERM, SIGHUP and SIGKILL, to --json and to the dashboard,
    each while attached to the syscalls, the scheduler and a Go writer's
    runtime: afterwards none of the programs, links, maps or uprobes it held
    is left, the Go writer runs on, and the terminal is restored (not after
    SIGKILL, which cannot be caught)."""
    require_root()
    if subprocess.run(["which", "tmux"], capture_output=True).returncode != 0:
        raise Skip("tmux is not installed (make deps-test)")
    go = GoWriter()
    try:
        seen = []
        for mode in ("json", "dashboard"):
            for sig in SIGNALS:
                progs, links, probes = stop_and_check(mode, sig, go)
                seen.append(f"{mode}/{sig.name[3:]}")
        return f"{progs} programs, {links} links, {probes} uprobes gone after each of {' '.join(seen)}"
    finally:
        go.close()
        kill_server()


class PtyTracer:
    """ttytop --json whose output is a terminal: each of its documents is a
    tty write that another instance must not count."""

    def __init__(self):
        self.master, self.slave, self.name = open_pty()
        self.buf = bytearray()
        self.proc = subprocess.Popen([TTYTOP, "--json", "--interval", "0.2", "-T", "1000"],
                                     stdout=self.slave, stderr=subprocess.PIPE)
        self._stop = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        if not wait_for(lambda: self.docs() > 0, START_S):
            self.close()
            raise Fail(f"ttytop on a pty produced no JSON in {START_S} s")

    def _read(self):
        while not self._stop.is_set():
            try:
                self.buf.extend(os.read(self.master, 1 << 16))
            except OSError:
                return

    def docs(self):
        return self.buf.count(b"\n")

    def last(self):
        lines = bytes(self.buf).split(b"\n")
        return json.loads(lines[-2])

    def close(self):
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=30)
        self._stop.set()
        os.close(self.slave)


def writes_to(doc, name):
    return sum(t["writes"] for t in doc["terminals"] if t["name"] == name)


@case
def test_instances_never_count_each_other():
    """Three instances, two of them writing their documents to terminals and
    started before the third: every one counts the workload's pty exactly, and
    none counts a write to the other instances' terminals (their own output is
    skipped by each; the others' by the peer map each newcomer fills in)."""
    require_root()
    per = 500 if IN_VM else 3000
    a = PtyTracer()
    b = PtyTracer()
    c = Tracer("-T", "1000", interval=0.25)
    master, slave, name = open_pty()
    stop = threading.Event()
    threading.Thread(target=drain, args=(master, stop), daemon=True).start()
    try:
        pid = os.fork()
        if pid == 0:
            set_comm(b"ttyt-peers")
            for _ in range(per):
                os.write(slave, b"p")
            os._exit(0)
        os.waitpid(pid, 0)
        docs_before = (a.docs(), b.docs())
        time.sleep(1.0)  # a few documents from a and b: tty writes, after every one started
        c.wait_docs(2)
        last = {"a": a.last(), "b": b.last(), "c": c.last()}
        if a.docs() - docs_before[0] < 2 or b.docs() - docs_before[1] < 2:
            raise Fail("the instances on terminals wrote no documents meanwhile")
        for who, d in last.items():
            got = writes_to(d, name)
            if got != per:
                raise Fail(f"instance {who}: {name} {got} writes, want {per}")
            for other, tty in (("a", a.name), ("b", b.name)):
                n = writes_to(d, tty)
                if n:
                    raise Fail(f"instance {who} counted {n} writes of instance {other} ({tty})")
        return f"{per} writes counted by each; {a.docs()} + {b.docs()} documents on terminals uncounted"
    finally:
        c.stop()
        b.close()
        a.close()
        stop.set()
        os.close(slave)


if __name__ == "__main__":
    run()
