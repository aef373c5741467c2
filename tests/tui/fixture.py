#!/usr/bin/env python3
"""The dashboard tests' replay snapshot, written by the product's own JSON
renderer: build/tests/mkfixture (tests/tools/mkfixture.c, built by `make unit`)
fills a model and renders it, so the fixture follows src/json_render.c and the
bucket maths by construction. Usage:
    fixture.py [--ticks] OUT.json
"""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MKFIXTURE = os.environ.get("TTYTOP_MKFIXTURE", os.path.join(ROOT, "build", "tests", "mkfixture"))


def _render(*args):
    if not os.access(MKFIXTURE, os.X_OK):
        raise RuntimeError("%s not built (make unit)" % MKFIXTURE)
    with tempfile.TemporaryDirectory(prefix="ttfixture.") as tmp:
        out = os.path.join(tmp, "fixture.json")
        subprocess.run([MKFIXTURE, *args, out], check=True)
        with open(out) as f:
            return json.load(f)


def document():
    """Three terminals, 25 events (the newest a Go write), nothing in flight."""
    return _render()


def with_in_flight(doc):
    """doc with bash on pts/7 stuck for 7 s on a full buffer, the master held by tmux."""
    full = _render("--in-flight")
    doc["in_flight"] = full["in_flight"]
    doc["totals"]["in_flight"] = full["totals"]["in_flight"]
    return doc


def with_ticks():
    """The marquee case: document() plus marquee/4242's 100 ms tick on pts/3, its Go
    process (14 pauses, the newest 298 ms "GC mark termination") and four late
    ticks, one per cause, the newest +212 ms made late by that pause."""
    return _render("--ticks")


def main():
    args = sys.argv[1:]
    ticks = args[:1] == ["--ticks"]
    if ticks:
        args = args[1:]
    if len(args) != 1:
        sys.stderr.write("usage: fixture.py [--ticks] OUT.json\n")
        return 2
    with open(args[0], "w") as f:
        json.dump(with_ticks() if ticks else document(), f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
