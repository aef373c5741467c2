#!/usr/bin/env python3
"""Hostile input from the machine ttytop watches: a writer whose name is an
escape sequence, a running program whose file is replaced on disk, a snapshot
of a newer schema, control characters on the command line. None may corrupt
the JSON or give a wrong name; each gets a clear message where one is due."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from ttcase import case, run  # noqa: E402
from ttpty import drain, open_pty, set_comm  # noqa: E402
from tttracer import FIXTURES, TTYTOP, Tracer, require_root  # noqa: E402

IN_VM = bool(os.environ.get("TTYTOP_IN_VM"))
# 15 bytes, the longest comm: a title change, a screen clear, a bell
EVIL = b"\x1b]0;PWN\x07\x1b[2J\r\n\t"


@case
def test_escape_sequence_comm_exact_in_json():
    """A writer named by control characters and escape sequences: every
    document stays one valid JSON line and carries the name byte for byte."""
    require_root()
    master, slave, name = open_pty()
    stop = threading.Event()
    threading.Thread(target=drain, args=(master, stop), daemon=True).start()
    tr = Tracer("-T", "0", interval=0.25)
    try:
        pid = os.fork()
        if pid == 0:
            set_comm(EVIL)
            for _ in range(20):
                os.write(slave, b"e")
                time.sleep(0.01)
            os._exit(0)
        os.waitpid(pid, 0)
        tr.wait_docs(3)
    finally:
        tr.stop()
        stop.set()
        os.close(slave)
    want = EVIL.decode()
    writers = [w for t in tr.last()["terminals"] if t["name"] == name for w in t.get("writers", [])]
    assert [w["comm"] for w in writers if w["pid"] == pid] == [want], \
        f"writers of {name}: {[(w['pid'], w['comm']) for w in writers]}"
    evs = tr.events(pid=pid)
    assert len(evs) == 20 and all(e["comm"] == want for e in evs), \
        f"{len(evs)} events, comms {set(e['comm'] for e in evs)}"
    return f"{len(tr.docs)} documents, the name exact in {len(evs)} events"


@case
def test_binary_replaced_while_it_runs():
    """A C writer's file is replaced on disk (a new inode at the same path, as
    a package upgrade does) while it runs, before ttytop starts: its stacks
    are named from the file it runs, never from the one now at its path."""
    require_root()
    d = tempfile.mkdtemp(prefix="tthostile")
    master, slave, name = open_pty()
    stop = threading.Event()
    threading.Thread(target=drain, args=(master, stop), daemon=True).start()
    try:
        exe = os.path.join(d, "cwrun")
        shutil.copy(os.path.join(FIXTURES, "cwriter"), exe)
        p = subprocess.Popen([exe, "0", "64", "50", "0"], stdout=slave)
        time.sleep(0.3)
        shutil.copy(os.path.join(FIXTURES, "burstc"), exe + ".new")
        os.rename(exe + ".new", exe)
        tr = Tracer("-T", "0", "-c", "cwrun", interval=0.25)
        time.sleep(2.0 if IN_VM else 1.0)
        tr.wait_docs(2)
        tr.stop()
        p.kill()
        p.wait()
    finally:
        stop.set()
        os.close(slave)
        shutil.rmtree(d, ignore_errors=True)
    evs = tr.events(pid=p.pid)
    assert len(evs) >= 5, f"{len(evs)} events from the running writer"
    want = ["do_write", "level_two", "level_one", "main"]
    ok = 0
    for e in evs:
        funcs = [f["func"] for f in e["stack"]["user"] if f["module"] == "cwrun"]
        assert not set(funcs) & {"emit_line", "burst"}, f"named from the new file: {funcs}"
        ok += funcs[:4] == want
    assert ok >= len(evs) * 0.9, f"chain {want} in {ok}/{len(evs)}: " + \
        str([(f["func"], f["module"]) for f in evs[0]["stack"]["user"]])
    return f"{ok}/{len(evs)} stacks named from the running file"


def replay_err(path):
    """--replay under a terminal (script(1)): exit status and what it said."""
    r = subprocess.run(["script", "-qec", f"{TTYTOP} --replay {path}", "/dev/null"],
                       capture_output=True, text=True, timeout=20)
    return r.returncode, r.stdout + r.stderr


@case
def test_newer_schema_refused_clearly():
    """A ttytop/2 snapshot (a newer ttytop's) is refused with a message that
    says so, exit 2, the screen untouched; an unknown schema is named, quoted."""
    d = tempfile.mkdtemp(prefix="tthostile")
    try:
        newer, other = os.path.join(d, "newer.json"), os.path.join(d, "other.json")
        with open(newer, "w") as f:
            json.dump({"schema": "ttytop/2", "terminals": [{"shape": "unknown"}]}, f)
        with open(other, "w") as f:
            json.dump({"schema": "sometool/1\u001b[2J"}, f)
        rc, out = replay_err(newer)
        assert rc == 2, f"exit {rc}: {out!r}"
        assert "a ttytop/2 snapshot, written by a newer ttytop" in out and "upgrade" in out, out
        assert "\x1b[?1049h" not in out, "the dashboard started on a file it cannot read"
        rc, out = replay_err(other)
        assert rc == 2 and 'schema "sometool/1?[2J"' in out, f"exit {rc}: {out!r}"
        assert "\x1b[2J" not in out, "the file's escape sequence reached the terminal"
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return "ttytop/2 and an unknown schema refused"


@case
def test_control_characters_on_the_command_line():
    """Filters with control characters are refused by name, never echoed raw."""
    for args in (["--tty", "\x1b[2Jpts/1"], ["--comm", "a\x07b"], ["--snapshot-dir", "/tmp/\x1b]0;x\x07"]):
        r = subprocess.run([TTYTOP, "--json", "--duration", "1"] + args, capture_output=True,
                           text=True, timeout=20)
        assert r.returncode == 2, f"{args!r}: exit {r.returncode}"
        assert "\x1b" not in r.stderr and "\x07" not in r.stderr, f"{args!r}: raw bytes in {r.stderr!r}"
        assert args[0] in r.stderr, f"{args!r}: {r.stderr!r}"
    return "3 refused"


run()
