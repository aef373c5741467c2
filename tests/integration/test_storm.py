#!/usr/bin/env python3
"""Storms: four writers flooding four ptys with one-byte writes as fast as
they can, each counting its own writes, under ./ttytop --json -T 0 (every
write an event, rate limited: events dropped by the million). Every count
exact at the end, every dropped event counted: the writes of all rows plus
totals.lost_writes equal the writes made, each terminal's histogram holds
its writer's writes, and each write is an event received or a counted drop."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from ttcase import case, run  # noqa: E402
from ttstorm import Storm  # noqa: E402
from tttracer import Tracer, kernel_skips, require_root, terminal_in  # noqa: E402

IN_VM = bool(os.environ.get("TTYTOP_IN_VM"))
COMM = "ttyt-storm"
SECONDS = 5 if IN_VM else 30  # guests are emulated


def accounted(doc):
    """Events received plus the event drops a write makes (-T 0: each write is
    one or the other), the rows' writes and the writes lost from every row."""
    tot = doc["totals"]
    return (tot["events"] + tot["drops"]["ratelimit"] + tot["drops"]["ringbuf_full"],
            sum(t["writes"] for t in doc["terminals"]), tot["lost_writes"])


@case
def test_four_ptys_flooded_exact():
    require_root()
    tr = Tracer("-T", "0", "-c", COMM, interval=1)
    storm = None
    try:
        storm = Storm(4, COMM).start()
        time.sleep(SECONDS)
        counts = storm.counts()
        made = sum(counts.values())
        # the counters are read each document; events may still be queued in the ring
        end = time.time() + (120 if IN_VM else 30)
        while time.time() < end:
            tr.wait_docs(1, timeout=5)
            ev, rows, lost = accounted(tr.last())
            if rows + lost >= made and ev >= made:
                break
        skipped = kernel_skips()  # while its programs are loaded
        tr.stop()
        d = tr.last()  # the one SIGINT makes, whole
        ev, rows, lost = accounted(d)
        tot = d["totals"]
        assert rows + lost == made and lost == 0, \
            f"rows {rows} + lost {lost} != {made} written; {tot['lost_by_reason']}; " \
            f"skipped_runs {tot['skipped_runs']}, {skipped}"
        for name, n in counts.items():
            t = terminal_in(d, name)
            assert t, f"no row for {name}"
            h = sum(b["count"] for b in t["hist"])
            assert t["writes"] == n and h == n and t["slow"] == n, \
                f"{name}: writes {t['writes']}, histogram {h}, slow {t['slow']}, its writer made {n}"
            w = [(x["pid"], x["comm"], x["writes"]) for x in t["writers"]]
            assert w == [(storm.pids[name], COMM, n)], f"{name}: writers {w}"
        # counters only grow, document after document, storm or not
        for name in counts:
            seen = [t["writes"] for x in tr.docs if (t := terminal_in(x, name))]
            assert seen == sorted(seen), f"{name}'s writes went back: {seen}"
        assert tot["dropped"] == sum(tot["drops"].values()), tot["drops"]
        assert tot["drops"]["tty_table_full"] == 0 and tot["drops"]["inflight_full"] == 0, \
            tot["drops"]
        assert tot["drops"]["ratelimit"] > 0, f"no rate-limit drops in a storm: {tot['drops']}"
        # a process's first write also sends a record that a full ring drops as ringbuf_full
        assert made <= ev <= made + len(counts), \
            f"events {tot['events']} + dropped {ev - tot['events']} != {made} writes; {tot['drops']}"
        gap = max((b - a for a, b in zip(tr.times, tr.times[1:])), default=0)
        return (f"{storm.rate(counts):.0f} writes/s per pty for {storm.seconds():.1f} s; "
                f"{tot['events']} events, drops {tot['dropped']} (ratelimit {tot['drops']['ratelimit']}, ringbuf_full "
                f"{tot['drops']['ringbuf_full']}); longest gap between documents {gap:.1f} s")
    finally:
        tr.stop()
        if storm:
            storm.close()


run()
