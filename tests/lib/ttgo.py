"""What the Go marquee fixture says about itself (tests/fixtures/README.md),
to compare ttytop's goroutine ids and frames with."""
import os
import re

from ttcase import ROOT

MARQUEE_SRC = os.path.join(ROOT, "tests", "fixtures", "marquee", "main.go")


def func_lines(path, name):
    """First and last line of `func name(` in a Go or C source file."""
    lines = open(path).read().splitlines()
    for i, l in enumerate(lines):
        if re.match(r"^func %s\(" % re.escape(name), l):
            for j in range(i + 1, len(lines)):
                if lines[j] == "}":
                    return i + 1, j + 1
    raise AssertionError(f"{name} not found in {path}")


def goroutines_by_length(text):
    """marquee -vary: goroutine i writes lines of its own length, so a write's
    byte count names its goroutine: {line length with newline: goroutine}."""
    by_len = {}
    for line in text.splitlines():
        m = re.match(r"gid=(\d+) seq=", line)
        if m:
            g = int(m.group(1))
            assert by_len.setdefault(len(line) + 1, g) == g, "two goroutines, one line length"
    return by_len


def match_goids(evs, by_len):
    """Compare goids event by event with the writer the byte count names;
    returns (events checked, events before ttytop registered the process as Go)."""
    # the goid is read as a write returns: order by when writes ended
    def end(e):
        return e["time_ns"] + e["latency_ns"]
    first = min((end(e) for e in evs if e["goid"] is not None), default=None)
    assert first is not None, f"no write of {len(evs)} had a goid"
    checked = missing = 0
    for e in evs:
        want = by_len.get(e["bytes"])
        if want is None:
            continue  # the rest of a short write: its length names nobody
        if e["goid"] is None:
            # only before ttytop registered the process as Go (how many that is
            # depends on the machine's speed: more under emulation)
            assert end(e) < first, "a write without a goid after registration"
            missing += 1
            continue
        assert e["goid"] == want, f"write of {e['bytes']} bytes by goroutine {want} reported as {e['goid']}"
        checked += 1
    return checked, missing


def toolchains():
    """The Go toolchains the marquee was built with (tests/fixtures/build.sh,
    tools/gotoolchain.sh): [("go1.19", dir of marquee, marquee-stripped,
    marquee-cgo), ...], oldest first; only those whose three builds exist."""
    from tttracer import FIXTURES
    found = []
    try:
        names = os.listdir(FIXTURES)
    except OSError:
        return found
    for n in names:
        m = re.fullmatch(r"go1\.(\d+)", n)
        d = os.path.join(FIXTURES, n)
        if m and all(os.access(os.path.join(d, b), os.X_OK)
                     for b in ("marquee", "marquee-stripped", "marquee-cgo")):
            found.append((int(m.group(1)), n, d))
    return [(n, d) for _, n, d in sorted(found)]


def parse_marquee_stderr(text):
    """What the marquee said about itself on stderr: {"pid", "gc": {numgc_start,
    numgc_end, gc_calls, stretches} or None, "stretches": [{seq, spin_ns, stw_ns,
    gc_ns}], "armed": the seq that saw the first SIGUSR1 (-on-signal) or None}
    (tests/fixtures/README.md)."""
    out = {"pid": None, "gc": None, "stretches": [], "armed": None}
    for line in text.splitlines():
        m = re.match(r"marquee pid=(\d+) ", line)
        if m:
            out["pid"] = int(m.group(1))
        fields = dict(kv.split("=", 1) for kv in line.split()[2:] if "=" in kv)
        if line.startswith("marquee gc "):
            out["gc"] = {k: int(v) for k, v in fields.items()}
        elif line.startswith("marquee armed "):
            out["armed"] = int(fields["seq"])
        elif line.startswith("marquee stretch "):
            out["stretches"].append({k: int(v) for k, v in fields.items()})
    return out


def read_intervals(path):
    """-log-intervals FILE: the writer's own tick-to-tick intervals, ns."""
    with open(path) as f:
        return [int(x) for x in f.read().split()]
