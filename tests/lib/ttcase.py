"""Case registration and reporting for every Python test script.

A script marks its cases with @case and calls run() once at its end: cases
run in the order they were defined, each printing one line tests/run.sh and
tests/vm/guest.sh count (PASS name [(note)] / FAIL name: why / SKIP name:
reason), then "# took N.N s: name", and run() ends with
"# N passed, N failed, N skipped". A case fails by raising (assert, Fail),
skips by raising Skip, and may return a string to say what it measured.
TTYTOP_ONLY=a,b runs only the cases so named; TTYTOP_CASE_PREFIX prefixes
every reported name (guest.sh: "6.1/")."""
import atexit
import inspect
import os
import sys
import time
import traceback

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

results = {"pass": 0, "fail": 0, "skip": 0}
_cases = []  # (name, function), in definition order
_ran = []


class Skip(Exception):
    pass


class Fail(AssertionError):
    pass


def case(arg):
    """@case (named after the function, less "test_") or @case("name")."""
    def register(fn, name):
        if any(n == name for n, _ in _cases):
            raise RuntimeError(f"two cases named {name}")
        _cases.append((name, fn))
        return fn
    if callable(arg):
        return register(arg, arg.__name__.replace("test_", "", 1))
    return lambda fn: register(fn, arg)


def _say(kind, name, why=""):
    print(f"{kind} {name}" + (f": {why}" if why else ""), flush=True)
    results[kind.lower()] += 1


def report(kind, name, why=""):
    """A result a script judges outside any case (tmux missing, no binary)."""
    _say(kind, os.environ.get("TTYTOP_CASE_PREFIX", "") + name, why)


def _call(fn, args):
    """fn with the run() arguments its parameters name."""
    params = inspect.signature(fn).parameters
    return fn(**{p: args[p] for p in params})


def _run_one(name, fn, args):
    t0 = time.monotonic()
    try:
        note = _call(fn, args)
        print(f"PASS {name}" + (f" ({note})" if isinstance(note, str) and note else ""),
              flush=True)
        results["pass"] += 1
    except Skip as e:
        _say("SKIP", name, str(e))
    except AssertionError as e:
        _say("FAIL", name, str(e))
    except Exception as e:  # a broken test is a failed test
        _say("FAIL", name, f"{type(e).__name__}: {e}")
        traceback.print_exc()
    # what to look at when make test gets slow (tests/run.sh sums these)
    print(f"# took {time.monotonic() - t0:.1f} s: {name}", flush=True)


def run(args=None, prefix=None, exit=True):
    """Every registered case in order; args: values for the cases' parameters
    by name; prefix: for the reported names (default $TTYTOP_CASE_PREFIX)."""
    _ran.append(True)
    if prefix is None:
        prefix = os.environ.get("TTYTOP_CASE_PREFIX", "")
    only = os.environ.get("TTYTOP_ONLY")  # "a,b": run just these cases (to iterate)
    for name, fn in _cases:
        if only and name not in only.split(","):
            continue
        _run_one(prefix + name, fn, args or {})
    summary()
    if exit:
        sys.exit(0)


def summary():
    print(f"# {results['pass']} passed, {results['fail']} failed, {results['skip']} skipped",
          flush=True)


@atexit.register
def _never_run():
    # cases that were registered but never run must not pass silently
    if _cases and not _ran:
        print(f"FAIL {os.path.basename(sys.argv[0])}: {len(_cases)} cases registered, "
              "ttcase.run() never called", flush=True)


def within(value, expect, tol):
    return abs(value - expect) <= expect * tol
