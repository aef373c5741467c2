"""A storm: writers flooding ptys with one-byte writes as fast as they can
until told to stop, each counting its own writes, each pty drained by a reader
process of its own. Used by tests/integration/test_storm.py, the storm case of
tests/tui/test_tui.py and the storm phase of bench/bench.py."""
import mmap
import os
import pty
import signal
import time
import tty as ttymod


def _only_fds(keep):
    """Close every descriptor but keep's: a writer holding the test's other ptys
    (or a tracer's pipe) keeps them open past the test, and makes every /proc
    walk for a pty's readers longer."""
    lo = 3
    for fd in sorted(set(keep)):
        if fd >= lo:
            os.closerange(lo, fd)
            lo = fd + 1
    os.closerange(lo, 65536)


def _set_comm(comm):
    import ctypes
    ctypes.CDLL(None).prctl(15, comm, 0, 0, 0)  # PR_SET_NAME


def _child(fn, keep):
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        _only_fds(keep)
        code = fn()
    finally:
        os._exit(code)


class Storm:
    """n raw ptys, a reader process per pty master and a writer process (named
    comm) per slave that writes b"s", one byte a write, from start() to stop().
    counts() stops them and returns {pty name: writes its writer made}."""

    def __init__(self, n, comm):
        self.comm = comm.encode() if isinstance(comm, str) else comm
        self.ptys = []  # (master, slave, name)
        self.readers, self.writers = [], []  # pids
        self.pipes = {}  # writer pid -> (read end of its report, pty name)
        self.elapsed = {}  # pty name -> seconds its writer wrote
        self.pids = {}  # pty name -> its writer's pid
        self.started = None
        # one shared page: the writers look at its first byte every 32 writes
        self.flag = mmap.mmap(-1, mmap.PAGESIZE)
        self.go_r, self.go_w = os.pipe()
        for _ in range(n):
            m, s = pty.openpty()
            ttymod.setraw(s)
            self.ptys.append((m, s, os.ttyname(s).replace("/dev/", "")))
        for m, _, _ in self.ptys:
            self.readers.append(_child(lambda m=m: self._read(m), [m]))

    @staticmethod
    def _read(m):
        # EIO once every slave descriptor is closed: the storm is over
        try:
            while os.read(m, 65536):
                pass
        except OSError:
            pass
        return 0

    def _write(self, s, out):
        _set_comm(self.comm)
        os.read(self.go_r, 1)  # all writers start together
        t0, n, flag = time.monotonic(), 0, self.flag
        while not flag[0]:
            for _ in range(32):
                os.write(s, b"s")
            n += 32
        os.write(out, b"%d %.6f" % (n, time.monotonic() - t0))
        return 0

    def start(self):
        for _, s, name in self.ptys:
            r, w = os.pipe()
            pid = _child(lambda s=s, w=w: self._write(s, w), [s, w, self.go_r])
            os.close(w)
            self.writers.append(pid)
            self.pipes[pid] = (r, name)
            self.pids[name] = pid
        self.started = time.monotonic()
        os.write(self.go_w, b"g" * len(self.writers))
        return self

    def stop(self):
        self.flag[0] = 1

    def counts(self):
        """Stop the writers; {pty name: writes its writer made} once all have exited."""
        self.stop()
        out, bad = {}, []
        for pid in self.writers:
            _, st = os.waitpid(pid, 0)
            r, name = self.pipes.pop(pid)
            got = os.read(r, 64).split()
            os.close(r)
            if os.waitstatus_to_exitcode(st) != 0 or len(got) != 2:
                bad.append(name)
            else:
                out[name], self.elapsed[name] = int(got[0]), float(got[1])
        self.writers = []
        assert not bad, f"storm writers on {bad} failed"
        return out

    def rate(self, counts):
        """Writes per second per pty, each over its writer's own time."""
        rates = [n / self.elapsed[name] for name, n in counts.items() if self.elapsed.get(name)]
        return sum(rates) / len(rates) if rates else 0.0

    def seconds(self):
        """How long the writers wrote, the longest of them."""
        return max(self.elapsed.values(), default=0.0)

    def names(self):
        return [name for _, _, name in self.ptys]

    def close(self):
        if self.flag.closed:
            return
        self.stop()
        for pid in self.writers:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        self.writers = []
        for _, s, _ in self.ptys:
            os.close(s)
        # the slaves closed, each reader's read fails and it exits
        end = time.monotonic() + 5
        for pid in self.readers:
            while os.waitpid(pid, os.WNOHANG) == (0, 0):
                if time.monotonic() > end:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                    break
                time.sleep(0.02)
        self.readers = []
        for m, _, _ in self.ptys:
            os.close(m)
        for fd in [self.go_r, self.go_w] + [r for r, _ in self.pipes.values()]:
            os.close(fd)
        self.ptys, self.pipes = [], {}
        self.flag.close()
