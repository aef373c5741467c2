"""What of ttytop is in the kernel: its BPF programs, links and maps (from
the fds a process holds) and the uprobes it put in other programs' files."""
import json
import os
import subprocess


def fdinfo(pid):
    """The fdinfo fields ({key: value} of strings) of every BPF object fd pid holds."""
    out = []
    d = f"/proc/{pid}/fdinfo"
    for fd in os.listdir(d):
        info = {}
        try:
            with open(os.path.join(d, fd)) as f:
                for line in f:
                    k, _, v = line.partition(":")
                    info[k.strip()] = v.strip()
        except OSError:
            continue  # closed meanwhile
        if {"prog_id", "link_id", "map_id"} & info.keys():
            out.append(info)
    return out


def bpf_ids(pid):
    """The ids of the BPF programs, links and maps process pid holds fds of."""
    ids = {"prog_id": set(), "link_id": set(), "map_id": set()}
    for info in fdinfo(pid):
        for k in ids:
            if k in info:
                ids[k].add(int(info[k]))
    return ids


def bpf_ids_alive(ids):
    """Those of ids (as bpf_ids gives them) the kernel still has."""
    left = {}
    for kind, what in (("prog_id", "prog"), ("link_id", "link"), ("map_id", "map")):
        out = subprocess.run(["bpftool", "-j", what, "show"], capture_output=True, text=True,
                             timeout=60)
        assert out.returncode == 0, f"bpftool {what} show: {out.stderr[-200:]}"
        now = {x["id"] for x in json.loads(out.stdout or "[]")}
        left[kind] = sorted(ids[kind] & now)
    return left


def _same_file(name, path, pid):
    """Whether a uprobe's file name (as its holder gave it: a path, or
    /proc/PID/exe) is the marquee's executable."""
    if name == f"/proc/{pid}/exe":
        return True
    try:
        a, b = os.stat(name), os.stat(path)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return None


def uprobes_on(path, pid, mine):
    """bpftool perf's uprobes in the marquee's executable: (held by ttytop pid
    mine, held by anyone else but another ttytop: another test's instance may
    instrument every marquee on the machine)."""
    out = subprocess.run(["bpftool", "-j", "perf"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, f"bpftool perf: {out.stderr[-200:]}"
    ps = [p for p in json.loads(out.stdout or "[]")
          if p.get("fd_type") in ("uprobe", "uretprobe") and _same_file(p.get("filename", ""), path, pid)]
    own = [p for p in ps if p["pid"] == mine]
    other = [p for p in ps if p["pid"] != mine and _comm(p["pid"]) != "ttytop"]
    return own, other


def uprobe_events_of(ttytop_pid):
    """Legacy uprobes (tracefs uprobe_events, named libbpf_PID_...) left by ttytop."""
    try:
        with open("/sys/kernel/tracing/uprobe_events") as f:
            return [line for line in f if f"libbpf_{ttytop_pid}_" in line or "ttytop" in line]
    except OSError:
        return []  # no tracefs: nothing can be left there
