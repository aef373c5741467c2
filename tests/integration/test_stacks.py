#!/usr/bin/env python3
"""Stacks that name the culprit: goroutine IDs compared with what the Go
fixtures say about themselves, Go frames with file:line checked against the
source, C frames in order, stripped binaries never named wrongly."""
import collections
import fcntl
import filecmp
import functools
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
IN_VM = bool(os.environ.get("TTYTOP_IN_VM"))
from ttcase import ROOT, Skip, case, run  # noqa: E402
from ttgo import (MARQUEE_SRC, func_lines, goroutines_by_length, match_goids,  # noqa: E402
                  toolchains)
from ttpty import drain, open_pty  # noqa: E402
from tttracer import FIXTURES, Tracer, require_root  # noqa: E402


def fixture(name, where=FIXTURES):
    p = os.path.join(where, name)
    if not os.path.exists(p):
        raise Skip(f"fixture {os.path.relpath(p, FIXTURES)} not built (make fixtures)")
    return p


# the marquee built by each Go toolchain found (tests/fixtures/build.sh), and the
# toolchains it is meant to be built with (tools/gotoolchain.sh --list)
TOOLCHAINS = toolchains()
WANTED = ["go" + v for v in subprocess.run(
    [os.path.join(ROOT, "tools", "gotoolchain.sh"), "--list"],
    capture_output=True, text=True).stdout.split()]


# In a guest the kernel is what varies: the Go cases run with the newest
# toolchain only, which keeps the matrix within make test's time; the host
# runs them with every toolchain.
if IN_VM and TOOLCHAINS:
    print(f"# in a guest the Go cases run with {TOOLCHAINS[-1][0]} only (every toolchain: the host)")
    TOOLCHAINS = TOOLCHAINS[-1:]


def missing(tc):
    raise Skip(f"bin/{tc}/ not built (make fixtures; tools/gotoolchain.sh could not fetch {tc}?)")


def go_case(name):
    """Registers the case body(where) as `name` for the default build in bin/ and as
    `name_go1.NN` for each toolchain's build in bin/go1.NN/ (a SKIP for each listed
    toolchain not built). The default build is made by one of those toolchains (the
    system's go) and is then not run twice."""
    def default(body, binary):
        p = fixture(binary)
        for tc, d in TOOLCHAINS:
            q = os.path.join(d, binary)
            if filecmp.cmp(p, q, shallow=False):
                raise Skip(f"bin/{binary} is bin/{tc}/{binary}: run as {name}_{tc}")
        return body(FIXTURES)

    def register(body, binary="marquee"):
        if not (IN_VM and TOOLCHAINS):
            case(name)(functools.partial(default, body, binary))
        for tc, d in TOOLCHAINS:
            case(f"{name}_{tc}")(functools.partial(body, d))
        for tc in [] if IN_VM else sorted(set(WANTED) - {tc for tc, _ in TOOLCHAINS}):
            case(f"{name}_{tc}")(functools.partial(missing, tc))
        return body
    return register


def check_go_version(tr, pid, where):
    """ttytop read the version of the toolchain that built the binary."""
    m = re.fullmatch(r"go1\.\d+", os.path.basename(where))
    procs = [p for d in tr.docs for p in d.get("processes") or [] if p["pid"] == pid]
    assert procs, f"pid {pid} not among the JSON's processes"
    v = procs[-1]["go_version"] or ""
    if m:
        assert v.startswith(m.group(0) + "."), f"go_version {v!r}, built by {m.group(0)}"
    return v


def run_marquee(binary, extra_tracer=(), writers=3, count=30, size=200, interval=40,
                pause=None):
    """Run a marquee build on a pty under ttytop (filtered to its comm).
    Returns (tracer, output text, pid, pts name)."""
    master, slave, name = open_pty()
    out = bytearray()
    stop = threading.Event()

    def reader():
        import select
        paused = False
        while not stop.is_set():
            if pause and not paused and len(out) >= pause[0]:
                time.sleep(pause[1])
                paused = True
            r, _, _ = select.select([master], [], [], 0.05)
            if r:
                try:
                    out.extend(os.read(master, 65536))
                except OSError:
                    return
    # other terminals on the machine must not use up the event budget
    tr = Tracer("-c", os.path.basename(binary)[:15], *extra_tracer)
    th = threading.Thread(target=reader, daemon=True)
    th.start()
    p = subprocess.Popen([binary, "-interval", str(interval), "-count", str(count), "-size",
                          str(size), "-writers", str(writers), "-vary"],
                         stdout=slave, stderr=subprocess.PIPE)
    p.wait(60)
    time.sleep(0.3)
    tr.wait_docs(2)
    tr.stop()
    stop.set()
    th.join(2)
    os.close(master)
    os.close(slave)
    assert p.returncode == 0, p.stderr.read()
    return tr, out.decode(errors="replace"), p.pid, name


def check_goids(tr, text, pid):
    """Each goroutine writes lines of its own length (-vary), so the byte count
    of a write names the goroutine that made it: compare goids event by event."""
    by_len = goroutines_by_length(text)
    assert len(set(by_len.values())) >= 2, f"marquee printed too little: {by_len}"
    evs = tr.events(pid=pid)
    assert evs, "no events from the marquee"
    checked, missing = match_goids(evs, by_len)
    # Go code enters the syscall with g in R14 as well: the cross-check agrees
    sources = collections.Counter(e["goid_source"] for e in evs if e["goid"] is not None)
    assert sources["tls+r14"] >= 0.9 * sum(sources.values()), f"goid sources {dict(sources)}"
    assert checked >= 0.9 * len(evs) - missing, f"only {checked} of {len(evs)} events checked"
    return evs, f"{checked} of {len(evs)} goids checked, {missing} before registration"


def check_go_frames(evs):
    lo, hi = func_lines(MARQUEE_SRC, "tick")
    good = 0
    for e in evs:
        frames = e["stack"]["user"]
        funcs = [f["func"] for f in frames]
        if "main.tick" not in funcs:
            continue
        f = frames[funcs.index("main.tick")]
        assert f["file"] and f["file"].endswith("tests/fixtures/marquee/main.go"), f
        assert lo <= f["line"] <= hi, f"main.tick line {f['line']} outside {lo}..{hi}"
        i = funcs.index("main.tick")
        assert "main.writer" in funcs[i + 1:], f"caller main.writer missing after main.tick: {funcs}"
        assert any(x and x.startswith("os.(*File).Write") for x in funcs[:i]), funcs
        good += 1
    assert good >= len(evs) * 0.8, f"main.tick named in only {good} of {len(evs)} stacks"


def go_goids_and_frames(binary, where):
    require_root()
    tr, text, pid, _ = run_marquee(fixture(binary, where), ("-T", "0"))
    evs, note = check_goids(tr, text, pid)
    check_go_frames(evs)
    return f"{check_go_version(tr, pid, where)}: {note}"


go_case("go_goroutine_ids_and_frames")(functools.partial(go_goids_and_frames, "marquee"))
go_case("go_stripped")(functools.partial(go_goids_and_frames, "marquee-stripped"),
                       "marquee-stripped")
go_case("go_cgo")(functools.partial(go_goids_and_frames, "marquee-cgo"), "marquee-cgo")


@go_case("buffer_full_kernel_frames")
def buffer_full_kernel_frames(where):
    require_root()
    tr, text, pid, name = run_marquee(fixture("marquee", where), ("-T", "100"), writers=2,
                                      count=100, size=1000, interval=10, pause=(4000, 0.4))
    evs = [e for e in tr.events(pid=pid) if e["reason"] == "buffer-full"]
    assert evs, "no buffer-full event while the reader paused 400 ms"
    k = [f["func"] for f in evs[0]["stack"]["kernel"]]
    assert "n_tty_write" in k, f"kernel stack lacks n_tty_write: {k}"
    # GCC clones get suffixes that differ per build (.isra.0 here, .constprop.0 on 6.1)
    base = [re.sub(r"\.(constprop|isra|part|cold)(\.\d+)*$", "", f or "") for f in k]
    assert any(f in base for f in ("file_tty_write", "tty_write")), k
    assert k[0] and not k[0].startswith(("__bpf", "bpf_", "__traceiter")), f"tracing frames kept: {k[:3]}"
    assert evs[0]["goid"] is not None, "goid missing on the blocked Go write"


def run_cwriter(binary):
    master, slave, name = open_pty()
    stop = threading.Event()
    threading.Thread(target=drain, args=(master, stop), daemon=True).start()
    tr = Tracer("-T", "0", "-c", os.path.basename(binary)[:15])
    # The frame-1 check reads the caller's instruction from the live process: the
    # writer starts once ttytop is sampling and stays until it has read every event
    # (in the 6.12 guest the events of a writer that had exited were read after it:
    # do_write missing from 29 of 30 stacks). A writer gone first loses frame 1 only.
    tr.wait_docs(1)
    p = subprocess.Popen([binary, "30", "64", "20", "3000" if IN_VM else "500"], stdout=slave)
    p.wait(30)
    time.sleep(0.3)
    tr.wait_docs(2)
    tr.stop()
    stop.set()
    os.close(master)
    os.close(slave)
    evs = tr.events(pid=p.pid)
    assert evs, "no events from cwriter"
    return evs


@case
def test_c_frame_pointer_chain():
    require_root()
    evs = run_cwriter(fixture("cwriter"))
    want = ["do_write", "level_two", "level_one", "main"]
    ok = 0
    for e in evs:
        funcs = [f["func"] for f in e["stack"]["user"] if f["module"] == "cwriter"]
        if funcs[:4] == want:
            ok += 1
    assert ok >= len(evs) * 0.9, f"chain {want} in {ok}/{len(evs)}; e.g. " + \
        str([(f['func'], f['module']) for f in evs[0]['stack']['user']])


@case
def test_c_stripped_never_wrong():
    """strip --strip-all leaves no names for the local functions: a frame in the
    stripped binary may be unnamed or carry a .dynsym name, never a local one."""
    require_root()
    evs = run_cwriter(fixture("cwriter-stripped"))
    frames = 0
    for e in evs:
        for f in e["stack"]["user"]:
            if f["module"] != "cwriter-stripped":
                continue
            frames += 1
            assert f["func"] not in ("level_one", "level_two", "do_write", "main"), \
                f"stripped binary named a local function: {f}"
    assert frames >= len(evs) * 3, f"only {frames} frames in the stripped binary"


def pending(fd):
    """Bytes waiting to be read on fd (FIONREAD)."""
    return struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0]


@case
def test_debian_go_program():
    require_root()
    gofmt = fixture("deb-gofmt")
    master, slave, name = open_pty()
    tr = Tracer("-T", "50", "-c", "deb-gofmt")
    # Two files: the first one's short output registers gofmt as a Go program (a
    # process's writes before that carry no goid), formatting the second gives that
    # time, and its output then blocks on the pty nobody reads.
    work = tempfile.mkdtemp(prefix="ttyt-gofmt.")
    small, big = os.path.join(work, "a.go"), os.path.join(work, "b.go")
    with open(small, "w") as f:
        f.write("package p\n")
    with open(big, "w") as f:
        f.write("package p\n" + "".join("func f%d() { println(%d) }\n" % (i, i) for i in range(3000)))
    p = subprocess.Popen([gofmt, small, big], stdout=slave, stderr=slave)
    # the reader starts once the second output has stood still 0.4 s: gofmt is blocked
    end, prev, since = time.time() + 60, -1, time.time()
    while time.time() < end and p.poll() is None:
        n = pending(master)
        if n != prev:
            prev, since = n, time.time()
        elif n > 1024 and time.time() - since >= 0.4:
            break
        time.sleep(0.01)
    stop = threading.Event()
    threading.Thread(target=drain, args=(master, stop), daemon=True).start()
    p.wait(60)
    time.sleep(0.2)
    tr.wait_docs(2)
    tr.stop()
    stop.set()
    os.close(master)
    os.close(slave)
    shutil.rmtree(work, ignore_errors=True)
    evs = tr.events(pid=p.pid)
    assert evs, "no slow write from gofmt"
    e = max(evs, key=lambda e: e["blocked_ns"])
    assert e["blocked_ns"] >= 300e6, f"blocked {e['blocked_ns'] / 1e6:.0f} ms"
    assert e["goid"] is not None and e["goid"] > 0, f"goid {e['goid']}"
    funcs = [f["func"] for f in e["stack"]["user"] if f["func"]]
    assert any(f.startswith("os.(*File).Write") for f in funcs), funcs
    assert any(f.startswith("main.") for f in funcs), funcs


run()
