#!/usr/bin/python3
"""Runs inside a Debian kernel's guest (bench.py paths_phase boots it): the cost
of ttytop's two ways of timing writes on the same kernel in the same run.

  tty layer   fentry/fexit on tty_write (the default where it attaches)
  syscalls    the per-syscall tracepoints (TTYTOP_FENTRY=0)

For each: the BPF run time of ttytop's write programs per write (kernel BPF
stats), and the wall-clock time per write of a non-tty workload (/dev/null)
and of a drained pty, next to the same workloads with no tracer. Under
emulation the figures only compare within one run. Writes one JSON object
to OUT/paths.json."""
import json
import os
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
WR = os.path.join(ROOT, "bench", "out", "wr")
TTYTOP = os.path.join(ROOT, "ttytop")
STATS = "/proc/sys/kernel/bpf_stats_enabled"
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
from ttbpfobj import bpf_ids  # noqa: E402
N_NULL, N_PTY, ROUNDS = 200000, 20000, 3


def wr(*args):
    r = subprocess.run([WR] + [str(a) for a in args], capture_output=True, text=True,
                       timeout=600, check=True)
    w = json.loads(r.stdout)
    return w["elapsed_ns"] / w["writes"], w["writes"]


def prog_stats(ids):
    """name -> (run_time_ns, run_cnt) of ttytop's programs."""
    out = json.loads(subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True,
                                    text=True, check=True).stdout)
    return {p["name"]: (p.get("run_time_ns", 0), p.get("run_cnt", 0))
            for p in out if p["id"] in ids}


def write_progs(name):
    return name.startswith(("enter_", "exit_"))


def under(mode_env, workload):
    """Median per-write wall clock and BPF write-program time under ttytop."""
    env = dict(os.environ, TTYTOP_FENTRY=mode_env)
    p = subprocess.Popen([TTYTOP, "--json", "--interval", "1", "-T", "10"], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = json.loads(p.stdout.readline())
    ids = bpf_ids(p.pid)["prog_id"]
    walls, bpfs, alls = [], [], []
    try:
        for _ in range(ROUNDS):
            before = prog_stats(ids)
            wall, n = workload()
            after = prog_stats(ids)
            d = {k: after[k][0] - before.get(k, (0, 0))[0] for k in after}
            walls.append(wall)
            bpfs.append(sum(v for k, v in d.items() if write_progs(k)) / n)
            alls.append(sum(d.values()) / n)
    finally:
        p.send_signal(2)
        p.wait(60)
    med = lambda xs: sorted(xs)[len(xs) // 2]
    return {"mode": first["attach"]["mode"], "wall_ns": med(walls), "bpf_write_ns": med(bpfs),
            "bpf_all_ns": med(alls)}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "/vmout"
    with open(STATS) as f:
        old = f.read().strip()
    with open(STATS, "w") as f:
        f.write("1")
    try:
        workloads = {"null": lambda: wr("null", N_NULL), "pty": lambda: wr("pty", N_PTY, 64)}
        res = {"kernel": os.uname().release}
        for name, w in workloads.items():
            alone = sorted(w()[0] for _ in range(ROUNDS))[ROUNDS // 2]
            res[name] = {"alone_ns": alone, "fentry": under("1", w), "tracepoint": under("0", w)}
    finally:
        with open(STATS, "w") as f:
            f.write(old)
    with open(os.path.join(out, "paths.json"), "w") as f:
        json.dump(res, f)
    print(json.dumps(res))
    time.sleep(0.1)


if __name__ == "__main__":
    main()
