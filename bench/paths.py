"""make bench's paths phase: ttytop's tty-layer path (fentry/fexit on
tty_write) against its syscall-tracepoint path, on a stock Debian kernel that
allows both (this machine refuses fentry). A 6.1 guest boots under qemu
(tests/vm/boot.sh) and runs bench/paths_guest.py; emulated figures only
compare within one run."""
import json
import os
import subprocess
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
KERNEL = os.environ.get("BENCH_PATHS_KERNEL", "6.1")


def paths_phase():
    if subprocess.run([os.path.join(ROOT, "tests", "vm", "kernel.sh"), KERNEL],
                      capture_output=True, text=True, timeout=900).returncode:
        return {"error": f"kernel {KERNEL} cannot be fetched (tests/vm/kernel.sh)"}
    d = tempfile.mkdtemp(prefix="ttbench-paths.")
    with open(os.path.join(d, "cmd.sh"), "w") as f:
        f.write("#!/bin/bash\nexec /usr/bin/python3 %s /vmout\n"
                % os.path.join(ROOT, "bench", "paths_guest.py"))
    os.chmod(os.path.join(d, "cmd.sh"), 0o755)
    subprocess.run([os.path.join(ROOT, "tests", "vm", "boot.sh"), KERNEL, d, "900"],
                   capture_output=True, text=True, timeout=1000)
    try:
        with open(os.path.join(d, "paths.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {"error": "the guest wrote no result; see %s/log" % d}


def print_paths(p):
    print("\n== tty-layer (fentry) vs syscall-tracepoint path, %s guest under emulation "
          "(compare within this run)" % KERNEL)
    if not p or "error" in p:
        print("  not measured: %s" % (p or {}).get("error", "skipped"))
        return
    print("  kernel %s" % p["kernel"])
    print("  %-26s %10s %12s %12s %14s" % ("workload, per write", "no tracer", "wall",
                                          "BPF writes", "BPF all progs"))
    for w, label in (("null", "non-tty (/dev/null)"), ("pty", "drained pty, 64 B")):
        r = p[w]
        for mode in ("fentry", "tracepoint"):
            m = r[mode]
            print("  %-26s %8.0f ns %9.0f ns %9.1f ns %11.1f ns" % (
                "%s, %s" % (label, m["mode"]), r["alone_ns"], m["wall_ns"], m["bpf_write_ns"],
                m["bpf_all_ns"]))
    nt = p["null"]["fentry"]["bpf_write_ns"]
    print("  %s non-tty writes run no ttytop program on the tty-layer path (%.1f ns each)"
          % ("PASS" if nt == 0 else "FAIL", nt))
    f, t = p["pty"]["fentry"]["bpf_write_ns"], p["pty"]["tracepoint"]["bpf_write_ns"]
    print("  %s pty writes: tty-layer programs %.1f ns vs syscall programs %.1f ns (%.2fx)"
          % ("PASS" if f <= t * 1.1 else "FAIL", f, t, f / t if t else 0))
