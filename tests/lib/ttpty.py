"""Workloads on ptys: fresh ptys, readers that drain or stall, forked writers."""
import os
import pty
import resource
import select
import subprocess
import termios
import time
import traceback
import tty as ttymod


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


def drain(fd, stop_evt, pause=None, first_read=None):
    """Read fd until stop_evt; pause = (after_bytes, seconds) stops reading once;
    first_read, a list, gets the time (monotonic) of the first read.

    Reads a duplicate of fd: tests close fd right after stop_evt.set(), while
    this thread may still be in select() for up to 50 ms, and the number is then
    reused by the next open() or pipe(). Reading the number itself stole the
    output of a `ttytop --check` run through subprocess (exit 0, empty stdout)
    and a read of /proc/sys/kernel/pid_max (an empty string) in earlier runs."""
    total = 0
    paused = False
    own = os.dup(fd)
    try:
        while not stop_evt.is_set():
            if pause and not paused and total >= pause[0]:
                time.sleep(pause[1])
                paused = True
            r, _, _ = select.select([own], [], [], 0.05)
            if r:
                if first_read is not None and not first_read:
                    first_read.append(time.monotonic())
                try:
                    total += len(os.read(own, 65536))
                except OSError:
                    break
    finally:
        os.close(own)
    return total


def wait_sleeping(pid, timeout=10.0):
    """When (monotonic) pid was first seen asleep (state S): a writer blocked on
    its terminal. What a test times a pause from, rather than from the fork,
    which can take tens of ms in a guest under emulation."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "S":
                    return time.monotonic()
        except (OSError, IndexError):
            pass
        time.sleep(0.001)
    raise AssertionError(f"writer {pid} did not block within {timeout} s")


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
    writes at once; returns the ptys' names once every child is done. The
    fixture ptyburst makes them: forks of a test's Python process take a minute
    for hundreds under emulation, and do not fit a 2 GiB guest by the thousand."""
    from tttracer import FIXTURES
    exe = os.path.join(FIXTURES, "ptyburst")
    if not os.path.exists(exe):
        raise AssertionError("fixture ptyburst not built (make fixtures)")
    comm = comm.decode() if isinstance(comm, bytes) else comm
    r = subprocess.run([exe, str(n), str(writes), comm], capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, f"ptyburst exited {r.returncode}: {r.stderr[-300:]}"
    names = r.stdout.split()
    assert len(names) == n, f"ptyburst made {len(names)} ptys of {n}"
    return names
