#!/usr/bin/env python3
"""The soak of tests/soak/soak.py (issue 14), one minute of it, in make test:
ttytop in --json mode and in the dashboard at once under floods, short-lived
writers, a Go marquee with GC and a snapshot every 12 s. One PASS/FAIL line per
check (RSS, descriptors, map entries, snapshots, counts, alive); `make soak`
runs the same for ten minutes. TTYTOP_SOAK_S changes the length here."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "soak"))
from ttcase import report, summary  # noqa: E402
import soak  # noqa: E402


def main():
    if os.environ.get("TTYTOP_IN_VM"):
        # a minute of floods and 2,000 forks under emulation measures the emulator
        report("SKIP", "soak", "not in a guest: the host runs it on the real kernel")
    elif os.geteuid() != 0:
        report("SKIP", "soak", "needs root to load BPF programs")
    else:
        try:
            checks = soak.soak(float(os.environ.get("TTYTOP_SOAK_S", "60")))
        except soak.SoakError as e:
            report("FAIL", "soak", str(e))
        else:
            for name, ok, why in checks:
                report({True: "PASS", False: "FAIL", None: "SKIP"}[ok], "soak/" + name, why)
    summary()
    return 0


if __name__ == "__main__":
    sys.exit(main())
