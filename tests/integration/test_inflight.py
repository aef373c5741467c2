#!/usr/bin/env python3
"""Writes in flight: a writer stuck right now is in every document while it
lasts (in_flight), named with who should unblock it, and becomes one ordinary
event when it returns. Asserted against what the workload did."""
import os
import re
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from ttcase import Skip, case, run  # noqa: E402
from ttpty import drain, fork_writer, open_pty, open_pty_ixon  # noqa: E402
from tttracer import Tracer, in_flight, require_root, wait_in_flight  # noqa: E402

IN_VM = bool(os.environ.get("TTYTOP_IN_VM"))
# a guest under emulation beside another can fall seconds behind
SEEN_WITHIN_S = 5.0 if IN_VM else 1.0
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def split_adds_up(w):
    parts = w["oncpu_ns"] + w["blocked_ns"] + w["runq_ns"]
    assert abs(parts - w["elapsed_ns"]) <= 0.01 * w["elapsed_ns"] + 1e6, (parts, w["elapsed_ns"])


def validate(doc_line_docs):
    path = "/tmp/ttytop-inflight-%d.json" % os.getpid()
    import json
    with open(path, "w") as f:
        f.write(json.dumps(doc_line_docs) + "\n")
    r = subprocess.run([sys.executable, os.path.join(ROOT, "tests", "validate_schema.py"), path],
                       capture_output=True, text=True)
    os.unlink(path)
    assert r.returncode == 0, (r.stdout + r.stderr)[-800:]


@case
def test_stalled_reader_in_flight_while_it_lasts():
    """Nobody reads the pty for 5 s: the writer is in flight within a second,
    buffer-full, with this process named as the reader that holds the master,
    its elapsed time growing with the wall clock; afterwards one event."""
    require_root()
    master, slave, name = open_pty()
    tr = Tracer("-T", "100")
    t0 = time.monotonic()
    pid = fork_writer(lambda: os.write(slave, b"w" * 200000))
    w, t_seen, i = wait_in_flight(tr, pid, lambda w: w["elapsed_ns"] >= 100e6)
    first_s = time.monotonic() - t0 - (time.time() - t_seen)
    assert first_s <= 0.1 + SEEN_WITHIN_S, f"first in flight {first_s:.2f} s into the stall"
    assert w["terminal"] == name and w["class"] == "pty", (w["terminal"], w["class"])
    assert w["bytes"] == 200000, w["bytes"]
    assert w["state"] == "blocked" and w["reason"] == "buffer-full", (w["state"], w["reason"])
    readers = {r["pid"] for r in w["reader"] or []}
    assert os.getpid() in readers, f"reader {w['reader']} lacks this process {os.getpid()}"
    assert "n_tty_write" in [f["func"] for f in w["stack"]["kernel"]], w["stack"]["kernel"]
    split_adds_up(w)
    validate(tr.docs[i])
    time.sleep(2.0)
    w2, t2, i2 = wait_in_flight(tr, pid, lambda x: x["elapsed_ns"] > w["elapsed_ns"] + 1.5e9)
    # the wall clock between the two samples is the documents' own (uptime_s)
    grew = (w2["elapsed_ns"] - w["elapsed_ns"]) / 1e9
    wall = tr.docs[i2]["uptime_s"] - tr.docs[i]["uptime_s"]
    why = f"elapsed grew {grew:.2f} s in {wall:.2f} s (arrivals {t2 - t_seen:.2f} s apart)"
    # (in guests the first walk of /proc naming the readers took most of a second
    # after the writes were read; the collector now ages them to the document's time)
    assert abs(grew - wall) <= 0.1 * wall + 0.3, why
    assert w2["state_ns"] >= w["state_ns"], "the sleep got shorter"
    while time.monotonic() - t0 < 5.0:
        time.sleep(0.05)
    stop = threading.Event()
    threading.Thread(target=drain, args=(master, stop), daemon=True).start()
    os.waitpid(pid, 0)
    assert tr.wait_until(lambda d: not in_flight(d, pid)), "still in flight after it returned"
    tr.wait_docs(2)
    tr.stop()
    stop.set()
    evs = tr.events(pid=pid)
    assert len({e["time_ns"] for e in evs}) == 1, f"{len(evs)} events for one write"
    assert evs[0]["blocked_ns"] >= 4.5e9, evs[0]["blocked_ns"]
    os.close(master)
    os.close(slave)


@case
def test_xoff_in_flight_flow_stopped():
    """^S held 3 s: the writer is in flight, flow-stopped, the backlog says
    stopped, for as long as it lasts."""
    require_root()
    master, slave, name = open_pty_ixon()
    stop = threading.Event()
    threading.Thread(target=drain, args=(master, stop), daemon=True).start()
    tr = Tracer("-T", "100")
    os.write(master, b"\x13")  # ^S
    time.sleep(0.1)
    pid = fork_writer(lambda: os.write(slave, b"z" * 100))
    w, t1, _ = wait_in_flight(tr, pid, lambda w: w["elapsed_ns"] >= 0.5e9)
    assert w["reason"] == "flow-stopped" and w["state"] == "blocked", (w["reason"], w["state"])
    assert w["backlog"]["stopped"], w["backlog"]
    w2, t2, _ = wait_in_flight(tr, pid, lambda x: x["state_ns"] >= w["state_ns"] + 1e9)
    assert w2["reason"] == "flow-stopped", w2["reason"]
    time.sleep(max(0.0, 3.0 - w2["elapsed_ns"] / 1e9))
    os.write(master, b"\x11")  # ^Q
    os.waitpid(pid, 0)
    assert tr.wait_until(lambda d: not in_flight(d, pid)), "still in flight after ^Q"
    tr.stop()
    stop.set()
    evs = tr.events(pid=pid)
    assert evs and evs[0]["reason"] == "flow-stopped", evs
    os.close(master)
    os.close(slave)


@case
def test_second_writer_in_flight_on_write_lock():
    """The first writer is stuck on a full pty holding the write lock: the
    second is in flight on write-lock, with the first named as the holder."""
    require_root()
    master, slave, name = open_pty()
    tr = Tracer("-T", "100")
    first = fork_writer(lambda: os.write(slave, b"L" * 100000))
    time.sleep(0.2)
    second = fork_writer(lambda: os.write(slave, b"S" * 100))
    w2, _, i = wait_in_flight(tr, second, lambda w: w["elapsed_ns"] >= 0.2e9)
    assert w2["reason"] == "write-lock", w2["reason"]
    assert w2["lock_holder"] == {"pid": first, "tid": first}, w2["lock_holder"]
    w1 = in_flight(tr.docs[i], first)
    assert w1 and w1[0]["reason"] == "buffer-full" and w1[0]["lock_holder"] is None, w1
    assert w1[0]["elapsed_ns"] > w2["elapsed_ns"], "the longest is not first"
    order = [x["pid"] for x in tr.docs[i]["in_flight"]]
    assert order.index(first) < order.index(second), order
    stop = threading.Event()
    threading.Thread(target=drain, args=(master, stop), daemon=True).start()
    os.waitpid(first, 0)
    os.waitpid(second, 0)
    tr.stop()
    stop.set()
    os.close(master)
    os.close(slave)


@case
def test_killed_writer_leaves_in_flight():
    """SIGKILL to a stuck writer: it leaves the in-flight list, and its
    terminal counts the one write it made, cut short (n_tty_write returns what
    it had written when the signal came) or failed."""
    require_root()
    master, slave, name = open_pty()
    tr = Tracer("-T", "100")
    pid = fork_writer(lambda: os.write(slave, b"k" * 200000))
    wait_in_flight(tr, pid, lambda w: w["elapsed_ns"] >= 0.3e9)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    assert tr.wait_until(lambda d: not in_flight(d, pid)), "a killed writer is still in flight"
    tr.wait_docs(2)
    tr.stop()
    t = tr.terminal(name)
    assert t, f"{name} has no row"
    assert t["writes"] == 1 and t["errors"] + t["short_writes"] == 1, t
    assert tr.last()["totals"]["in_flight"] == len(tr.last()["in_flight"]), tr.last()["totals"]
    os.close(master)
    os.close(slave)


@case
def test_go_writer_in_flight_names_its_goroutine():
    """A Go program whose pty stops being read: its stuck write carries the
    goroutine that made it, the one the program says wrote its lines. The
    goroutine is read as the write first sleeps, so the reader keeps up until
    ttytop has registered the process as Go (its events carry goids)."""
    require_root()
    binary = os.path.join(ROOT, "tests", "fixtures", "bin", "marquee")
    if not os.path.exists(binary):
        raise Skip("fixture marquee not built (make fixtures)")
    master, slave, name = open_pty()
    tr = Tracer("-T", "0", "-c", "marquee")
    reading, stop, out = threading.Event(), threading.Event(), bytearray()
    reading.set()

    def read():
        import select
        own = os.dup(master)  # not the number itself: see ttyt.drain
        while not stop.is_set():
            if not reading.is_set():
                time.sleep(0.01)
                continue
            if select.select([own], [], [], 0.05)[0]:
                try:
                    out.extend(os.read(own, 65536))
                except OSError:
                    break
        os.close(own)
    th = threading.Thread(target=read, daemon=True)
    th.start()
    p = subprocess.Popen([binary, "-interval", "10", "-count", "400", "-size", "4000",
                          "-writers", "1"], stdout=slave, stderr=subprocess.PIPE)
    try:
        assert tr.wait_until(lambda d: any(e["pid"] == p.pid and e["goid"] is not None
                                           for e in d["events"])), "never registered as Go"
        reading.clear()
        w, _, _ = wait_in_flight(tr, p.pid, lambda w: w["elapsed_ns"] >= 0.3e9)
        assert w["goid"] is not None, f"stuck Go write without a goid: {w}"
        assert w["goid_source"] in ("tls", "tls+r14"), w["goid_source"]
        funcs = [f["func"] or "" for f in w["stack"]["user"]]
        assert "main.tick" in funcs, funcs
        reading.set()
        p.wait(120)
        time.sleep(0.3)
        gids = {int(g) for g in re.findall(r"gid=(\d+) seq=", out.decode(errors="replace"))}
        assert gids == {w["goid"]}, f"the program's writer goroutine {gids}, in flight {w['goid']}"
    finally:
        stop.set()
        th.join(2)
        if p.poll() is None:
            p.kill()
            p.wait()
        tr.stop()
        os.close(master)
        os.close(slave)


@case
def test_short_writes_never_in_flight():
    """A reader that keeps up: writes return in microseconds and none is ever
    listed, however low the threshold."""
    require_root()
    master, slave, name = open_pty()
    stop = threading.Event()
    threading.Thread(target=drain, args=(master, stop), daemon=True).start()
    tr = Tracer("-T", "0", interval=0.1)
    pid = fork_writer(lambda: [os.write(slave, b"s") for _ in range(20000)])
    os.waitpid(pid, 0)
    tr.wait_docs(2)
    tr.stop()
    stop.set()
    listed = [w for d in tr.docs for w in in_flight(d, pid)]
    assert all(w["elapsed_ns"] >= 1e6 for w in listed), [w["elapsed_ns"] for w in listed]
    os.close(master)
    os.close(slave)


run()
