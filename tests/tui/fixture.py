#!/usr/bin/env python3
"""Write a small, valid ttytop/1 snapshot for the dashboard tests.

The layout mirrors src/json_render.c field for field, so a replay of this
file exercises the same parser a real snapshot does. Usage:
    fixture.py OUT.json
"""
import json
import sys

SUB_BITS = 3
SUB = 1 << SUB_BITS
MAX_EXP = 37
BUCKETS = (MAX_EXP - SUB_BITS + 2) * SUB

# Wall clock of the fixture: 2026-11-26T05:00:00Z.
NOW_NS = 1795582800 * 10**9


def bucket(v):
    if v < 2 * SUB:
        return v
    e = v.bit_length() - 1
    if e > MAX_EXP:
        return BUCKETS - 1
    idx = ((e - SUB_BITS + 1) << SUB_BITS) | ((v >> (e - SUB_BITS)) & (SUB - 1))
    return min(idx, BUCKETS - 1)


def bounds(i):
    if i < 2 * SUB:
        return i, i + 1
    e = (i >> SUB_BITS) + 2
    s = i & (SUB - 1)
    return (8 + s) << (e - 3), (9 + s) << (e - 3)


def hist(samples):
    """samples: list of (latency_ns, count) -> ttytop/1 bucket list."""
    counts = {}
    for v, n in samples:
        b = bucket(v)
        counts[b] = counts.get(b, 0) + n
    out = []
    for b in sorted(counts):
        lo, hi = bounds(b)
        out.append({"min": lo, "max": hi, "count": counts[b]})
    return out


def terminal(name, cls, dev, writers, wps, bps, lat, p50, p99, mx, share, spark):
    writes = sum(w[2] for w in writers)
    return {
        "name": name, "class": cls, "dev": dev, "driver": "pty_slave" if cls == "pty" else "serial",
        "writes": writes, "bytes": sum(w[3] for w in writers), "errors": 0,
        "short_writes": 0, "slow": 12, "errors_by_errno": {},
        "latency_ns": {"p50": p50, "p90": p99 // 2, "p99": p99, "max": mx},
        "oncpu_ns": writes * 20000, "blocked_ns": int(writes * 20000 * share),
        "runq_ns": writes * 1000, "blocked_by_reason": {"buffer-full": 7} if share else {},
        "writes_per_s": wps, "bytes_per_s": bps, "blocked_share": share,
        "hist": hist(lat), "hist_blocked": hist([(v * 4, n // 3 + 1) for v, n in lat if v > 100000]),
        "hist_runq": hist([(v // 10, n) for v, n in lat[:3]]),
        "spark_p99_ns": spark,
        "writers": [{"pid": p, "comm": c, "writes": w, "bytes": b} for c, p, w, b in writers],
    }


def frame(addr, func=None, file=None, line=None, module=None):
    return {"addr": "0x%x" % addr, "func": func, "file": file, "line": line, "module": module}


KERNEL = [
    frame(0xffffffff81a2c3d0, "n_tty_write", None, None, "kernel"),
    frame(0xffffffff81a25e10, "file_tty_write.isra.0", None, None, "kernel"),
    frame(0xffffffff8136f2a4, "vfs_write", None, None, "kernel"),
    frame(0xffffffff8136f6c2, "ksys_write", None, None, "kernel"),
    frame(0xffffffff81e6a1b8, "do_syscall_64", None, None, "kernel"),
]

GO_USER = [
    frame(0x4a1f20, "syscall.write", "/usr/lib/go-1.19/src/syscall/zsyscall_linux_amd64.go", 924, "marquee"),
    frame(0x4b2c11, "os.(*File).Write", "/usr/lib/go-1.19/src/os/file.go", 176, "marquee"),
    frame(0x4d3e02, "main.render", "/src/marquee/main.go", 88, "marquee"),
    frame(0x4d3a77, "main.main", "/src/marquee/main.go", 41, "marquee"),
]


def event(i, term, dev, cls, pid, tid, comm, lat, goid=None, reason="buffer-full", user=None,
          gone=False, waker=None):
    blocked = lat * 8 // 10 if reason != "none" else 0
    return {
        "time_ns": NOW_NS - i * 250 * 10**6, "time": "", "pid": pid, "tid": tid, "goid": goid,
        "comm": comm, "terminal": term, "dev": dev, "class": cls, "fd": 1, "syscall": "write",
        "bytes": 4096, "ret": 4096, "latency_ns": lat, "oncpu_ns": lat - blocked - 1000,
        "blocked_ns": blocked, "runq_ns": 1000, "sleeps": 1 if blocked else 0, "reason": reason,
        "waker": waker,
        "backlog": {"buf_used": 8192, "buf_limit": 8192, "reader_unread": 4000,
                    "stopped": False, "tco_stopped": False, "hw_stopped": False, "opost": True},
        "stack": {"user": user if user is not None else [], "kernel": KERNEL,
                  "symbolized": True, "process_gone": gone},
    }


def with_in_flight(doc):
    """doc with bash on pts/7 stuck for 7 s on a full buffer, the master held by tmux."""
    w = dict(doc["events"][2])
    del w["ret"], w["latency_ns"]
    w.update({"pid": 1300, "tid": 1300, "comm": "bash", "terminal": "pts/7", "dev": "136:7",
              "elapsed_ns": 7 * 10**9, "oncpu_ns": 10**6, "blocked_ns": 7 * 10**9 - 2 * 10**6,
              "runq_ns": 10**6, "sleeps": 1, "reason": "buffer-full", "state": "blocked",
              "state_ns": 6 * 10**9, "waker": None, "lock_holder": None, "line": None,
              "reader": [{"pid": 3001, "comm": "tmux: server"}]})
    doc["in_flight"] = [w]
    doc["totals"]["in_flight"] = 1
    return doc


def document():
    lat_a = [(3000, 900), (12000, 300), (250000, 40), (2 * 10**6, 10), (212 * 10**6, 2)]
    lat_b = [(2500, 400), (9000, 50)]
    lat_c = [(80000, 100), (1500000, 60), (40 * 10**6, 5)]
    terms = [
        terminal("pts/3", "pty", "136:3", [("marquee", 4242, 1500, 600000), ("bash", 977, 12, 300)],
                 120.0, 48000.0, lat_a, 3100, 2100000, 212000000, 0.62,
                 [1000, 2000, 150000, 2100000, 900000, 50000, 2100000, 4000]),
        terminal("pts/7", "pty", "136:7", [("bash", 1200, 450, 9000)], 4.5, 900.0, lat_b,
                 2600, 9500, 11000, 0.0, [9000, 9500, 9400]),
        terminal("ttyS0", "serial", "4:64", [("agetty", 612, 165, 20000)], 1.5, 300.0, lat_c,
                 90000, 38000000, 41000000, 0.4, [38000000, 1000000]),
    ]
    waker = {"pid": 3001, "comm": "tmux: server", "irq": False}
    evs = []
    # Newest first, like the renderer: the newest is the Go write with a goroutine id.
    evs.append(event(0, "pts/3", "136:3", "pty", 4242, 4250, "marquee", 212 * 10**6, goid=18,
                     user=GO_USER, waker=waker))
    for i in range(1, 24):
        k = i % 3
        if k == 0:
            evs.append(event(i, "pts/3", "136:3", "pty", 4242, 4243, "marquee", (i + 1) * 10**6,
                             goid=100 + i, user=GO_USER, waker=waker))
        elif k == 1:
            evs.append(event(i, "ttyS0", "4:64", "serial", 612, 612, "agetty", 38 * 10**6,
                             reason="flow-stopped",
                             waker={"pid": None, "comm": None, "irq": True},
                             user=[frame(0x7f3a12345678), frame(0x55aa00001234, "write_line",
                                                                "/src/agetty.c", 310, "agetty")]))
        else:
            evs.append(event(i, "pts/7", "136:7", "pty", 1200, 1200, "bash", 11 * 10**6,
                             reason="write-lock", gone=True,
                             user=[frame(0x55d0c0ffee00), frame(0x55d0c0ffee80)]))
    # Hostile strings, as another user's process or ELF file can make them:
    # terminal escapes in comm and in a symbol name must be shown inert.
    evs.append(event(24, "pts/7", "136:7", "pty", 6666, 6666, "evil\x1b]0;PWNED\x07",
                     12 * 10**6, reason="other",
                     user=[frame(0x401000, "f\x1b[2Jclear", "/x\x1b[31m.c", 1, "m\x07od")]))
    from datetime import datetime, timezone
    for e in evs:
        t = datetime.fromtimestamp(e["time_ns"] // 10**9, tz=timezone.utc)
        e["time"] = t.strftime("%Y-%m-%dT%H:%M:%S") + ".%03dZ" % ((e["time_ns"] // 10**6) % 1000)
    return {
        "schema": "ttytop/1", "time": "2026-11-26T05:00:00.000Z",
        "host": {"hostname": "fixture-host", "kernel": "6.18.0-test"},
        "interval_s": 1, "uptime_s": 185.0,
        "attach": {"mode": "tracepoint", "enter_prog": "rdonly_cast", "sched": "tp_btf",
                   "tty_write_found": True, "redirected_found": True, "attach_us": 41000},
        "filters": {"pid": None, "comm": None, "tty": None, "threshold_ms": 10},
        "totals": {"events": len(evs), "dropped": 3,
                   "drops": {"ringbuf_full": 3, "ratelimit": 0, "inflight_full": 0,
                             "kstack_full": 0, "tty_table_full": 0, "writers_full": 0},
                   "no_stack": 0, "writes": 2127},
        "terminals": terms,
        "events": evs,
    }


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: fixture.py OUT.json\n")
        return 2
    with open(sys.argv[1], "w") as f:
        json.dump(document(), f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
