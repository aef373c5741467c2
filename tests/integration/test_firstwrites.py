#!/usr/bin/env python3
"""The first writes of a process are attributed like the later ones: a Go and
a C program that write a burst and exit within a few milliseconds, before
ttytop can have read /proc/PID, still get their goroutine ID and named user
frames (the executable's and libc's) on every event from the first write on,
and so does `esbuild --version` (one write, then exit)."""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from ttcase import Skip, case, run  # noqa: E402
from ttpty import drain, open_pty  # noqa: E402
from tttracer import FIXTURES, Tracer, require_root  # noqa: E402

IN_VM = bool(os.environ.get("TTYTOP_IN_VM"))


def fixture(name):
    p = os.path.join(FIXTURES, name)
    if not os.path.exists(p):
        raise Skip(f"fixture {name} not built (make fixtures)")
    return p


def run_burst(argv, comm, frozen=False, while_frozen=None, by_comm=False):
    """Run argv on a fresh pty under `ttytop -T 0 -c comm`, the program started
    only once ttytop samples; returns (its output, pid, exit time - start, events).
    frozen: ttytop is stopped (SIGSTOP) from before the program starts until it
    has exited, so that every record waits in the ring buffer and the process
    is gone, maps and memory, when ttytop first hears of it."""
    master, slave, _ = open_pty()
    out = bytearray()
    stop = threading.Event()

    def reader():
        import select
        while not stop.is_set():
            r, _, _ = select.select([master], [], [], 0.05)
            if r:
                try:
                    out.extend(os.read(master, 65536))
                except OSError:
                    return
    th = threading.Thread(target=reader, daemon=True)
    th.start()
    tr = Tracer("-T", "0", "-c", comm[:15])
    tr.wait_docs(1)
    if frozen:
        os.kill(tr.proc.pid, signal.SIGSTOP)
    t0 = time.monotonic()
    try:
        p = subprocess.Popen(argv, stdout=slave, stderr=subprocess.DEVNULL)
        p.wait(30)
        took = time.monotonic() - t0
        if frozen:
            assert not os.path.exists(f"/proc/{p.pid}"), "the workload is still there"
        if while_frozen:
            while_frozen()
    finally:
        if frozen:
            os.kill(tr.proc.pid, signal.SIGCONT)
    time.sleep(0.5)
    tr.wait_docs(2)
    tr.stop()
    stop.set()
    th.join(2)
    os.close(master)
    os.close(slave)
    assert p.returncode == 0, f"{argv} exited {p.returncode}"
    evs = tr.events(comm=comm[:15]) if by_comm else tr.events(pid=p.pid)
    return out.decode(errors="replace"), p.pid, took, evs


def named(e, module=None):
    """The named user frames of an event, [(func, module)]."""
    return [(f["func"], f["module"]) for f in e["stack"]["user"]
            if f.get("func") and (module is None or f["module"] == module)]


def first_miss(evs, ok):
    """None when ok(e) holds for every event, else how many it held for and the first miss."""
    bad = [i for i, e in enumerate(evs) if not ok(e)]
    if not bad:
        return None
    e = evs[bad[0]]
    return f"{len(evs) - len(bad)}/{len(evs)} attributed; first miss event {bad[0]}: " \
        f"goid {e.get('goid')}, frames {named(e)} of " \
        f"{[(f['module'], f['addr']) for f in e['stack']['user']]}"


def go_burst(frozen):
    binary = fixture("burst")
    count = 300
    text, pid, took, evs = run_burst([binary, str(count), "64"], "burst", frozen)
    goids = set(int(g) for g in re.findall(r"burst goid=(\d+) ", text))
    assert len(goids) == 1, f"the burst printed goids {goids}"
    goid = goids.pop()
    assert goid > 1, f"the burst runs on its own goroutine, printed {goid}"
    assert len(evs) == count, f"{len(evs)} events for {count} writes"
    want = {"main.emit", "main.burst"}

    def ok(e):
        funcs = {f for f, _ in named(e, "burst")}
        return e.get("goid") == goid and want <= funcs
    miss = first_miss(evs, ok)
    assert miss is None, f"goid {goid}, want {sorted(want)}: {miss}"
    return f"{len(evs)}/{count} events with goid {goid} and main.emit/main.burst, " \
        f"process lived {took * 1000:.1f} ms"


@case
def test_go_burst_attributed():
    require_root()
    return go_burst(False)


@case
def test_go_burst_gone_before_read():
    require_root()
    return go_burst(True)


def c_burst(frozen):
    binary = fixture("burstc")
    count = 300
    text, pid, took, evs = run_burst([binary, str(count), "64"], "burstc", frozen)
    assert text.count("burstc seq=") == count, "burstc printed too little"
    assert len(evs) == count, f"{len(evs)} events for {count} writes"
    want_exe = ["emit_line", "burst", "main"]
    libc_write = ("write", "__write", "__GI___libc_write", "__libc_write")

    def ok(e):
        frames = e["stack"]["user"]
        exe = [f for f, _ in named(e, "burstc")]
        libc = [f for f, m in named(e) if (m or "").startswith("libc")]
        # libc's start frames are local symbols: named only where libc's .symtab is
        return (exe[-3:] == want_exe and any(f in libc_write for f in libc) and
                (frames[-1]["module"] or "").startswith("libc"))
    miss = first_miss(evs, ok)
    assert miss is None, f"want {want_exe} in burstc, write in libc: {miss}"
    e = evs[0]
    return f"{len(evs)}/{count} events named ({', '.join(f for f, _ in named(e))}), " \
        f"process lived {took * 1000:.1f} ms"


@case
def test_c_burst_attributed():
    require_root()
    return c_burst(False)


@case
def test_c_burst_gone_before_read():
    require_root()
    return c_burst(True)


def esbuild_version(frozen):
    binary = fixture("esbuild-go1.26")
    text, pid, took, evs = run_burst([binary, "--version"], "esbuild-go1.26", frozen)
    assert re.match(r"\d+\.\d+\.\d+", text.strip()), f"esbuild printed {text!r}"
    assert len(evs) == 1, f"{len(evs)} events for esbuild's one write"
    e = evs[0]
    funcs = [f for f, _ in named(e)]
    assert e.get("goid") == 1, f"goid {e.get('goid')} (the version is printed by main)"
    assert "main.main" in funcs, f"frames {funcs}"
    return f"goid 1, {len(funcs)} named frames ({funcs[0]} .. main.main), " \
        f"process lived {took * 1000:.1f} ms"


@case
def test_replaced_binary_never_named_wrongly():
    """The Go burst exits, then its file is replaced (a new inode at the same
    path: a rebuild, a package upgrade) before ttytop reads anything: the new
    file's symbols and Go layout must not be applied to the old program."""
    require_root()
    d = tempfile.mkdtemp(prefix="ttfirst")
    try:
        exe = os.path.join(d, "burstrep")
        shutil.copy(fixture("burst"), exe)

        def replace():
            shutil.copy(fixture("burstc"), exe + ".new")
            os.rename(exe + ".new", exe)
        text, pid, took, evs = run_burst([exe, "50", "64"], "burstrep", True, replace)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    assert len(evs) == 50, f"{len(evs)} events for 50 writes"
    for e in evs:
        funcs = [f for f, m in named(e) if m == "burstrep"]
        assert not set(funcs) & {"emit_line", "burst", "main"}, f"named from the new file: {funcs}"
        assert e.get("goid") is None, f"goid {e.get('goid')} without the program's layout"
    return f"{len(evs)} events, none named from the replacement, no goid"


@case
def test_container_binary_found_through_its_namespace():
    """The burst runs from a tmpfs mounted in a mount namespace of its own (a
    container's root), a file the host has no path to; it exits before ttytop
    reads it. Its path is looked up through a live process of that namespace."""
    require_root()
    if not shutil.which("unshare"):
        raise Skip("unshare (util-linux) missing")
    binary = fixture("burst")
    count = 50
    inner = ("mount -t tmpfs ttfirst /mnt && cp %s /mnt/ctrburst && "
             "{ sleep 10 & } && exec /mnt/ctrburst %d 64" % (binary, count))
    # the burst is a child of unshare: its events are found by name
    text, pid, took, evs = run_burst(["unshare", "--mount", "--fork", "sh", "-c", inner],
                                     "ctrburst", True, by_comm=True)
    goids = set(int(g) for g in re.findall(r"burst goid=(\d+) ", text))
    assert len(goids) == 1, f"the burst printed goids {goids}"
    goid = goids.pop()
    assert len(evs) == count, f"{len(evs)} events for {count} writes"

    def ok(e):
        funcs = {f for f, _ in named(e, "ctrburst")}
        return e.get("goid") == goid and {"main.emit", "main.burst"} <= funcs
    miss = first_miss(evs, ok)
    assert miss is None, f"goid {goid}: {miss}"
    return f"{len(evs)}/{count} events with goid {goid} and main.* frames"


@case
def test_esbuild_version():
    """npm's esbuild (Go 1.26, static, no DWARF): one write, then exit."""
    require_root()
    return esbuild_version(False)


@case
def test_esbuild_version_gone_before_read():
    require_root()
    return esbuild_version(True)


run()
