"""Kernel facts from the running kernel's BTF and /proc/kallsyms, read
independently of ttytop, to check what ttytop says it chose."""
import os
import subprocess

_btf_raw = None


class KernelBTF:
    """The running kernel's BTF as bpftool dumps it: an independent view of
    what the kernel offers, to check ttytop's own run-time probe against."""

    def __init__(self):
        out = subprocess.run(["bpftool", "btf", "dump", "file", "/sys/kernel/btf/vmlinux"],
                             capture_output=True, text=True).stdout
        self.types = {}  # id -> (kind, name, header line, member lines)
        cur = None
        for line in out.splitlines():
            if line.startswith("["):
                tid = int(line[1:line.index("]")])
                kind, rest = line.split("] ", 1)[1].split(" ", 1)
                name = rest.split("'")[1] if "'" in rest else ""
                cur = [kind, name, line, []]
                self.types[tid] = cur
            elif cur is not None:
                cur[3].append(line.strip())
        self.by_name = {}
        for tid, (kind, name, _, _) in self.types.items():
            self.by_name.setdefault((kind, name), tid)

    def has(self, kind, name):
        return (kind, name) in self.by_name

    def members(self, struct, kind="STRUCT"):
        tid = self.by_name.get((kind, struct))
        return [m.split("'")[1] for m in self.types[tid][3] if "'" in m] if tid else []

    def tp_args(self, tp):
        """Arguments of a tp_btf tracepoint (its prototype less the data pointer)."""
        tid = self.by_name.get(("TYPEDEF", "btf_trace_" + tp))
        if tid is None:
            return -1
        ptr = int(self.types[tid][2].split("type_id=")[1].split()[0])
        proto = int(self.types[ptr][2].split("type_id=")[1].split()[0])
        return int(self.types[proto][2].split("vlen=")[1].split()[0]) - 1


def kernel_btf():
    global _btf_raw
    if _btf_raw is None:
        _btf_raw = KernelBTF()
    return _btf_raw


_fentry = None


def fentry_usable():
    """Whether writes can be timed inside tty_write here, judged without
    ttytop: tty_write takes (iocb, from) (5.11+), bpf_task_pt_regs exists
    (5.15+), bpftrace can attach a kfunc probe to it (the kernel may refuse
    fentry: lockdown) and the kernel is not PREEMPT_RT (whose preemptible
    fentry runs the kernel skips). TTYTOP_FENTRY=0 or 1 decides instead."""
    global _fentry
    force = os.environ.get("TTYTOP_FENTRY")
    if force in ("0", "1"):
        return force == "1"
    if _fentry is None:
        b = kernel_btf()
        fid = b.by_name.get(("FUNC", "tty_write"))
        proto = int(b.types[fid][2].split("type_id=")[1].split()[0]) if fid else None
        params = b.types[proto][3] if proto in b.types else []
        regs = "BPF_FUNC_task_pt_regs" in b.members("bpf_func_id", kind="ENUM")
        _fentry = (bool(params) and params[0].startswith("'iocb'") and regs and not preempt_rt()
                   and _bpftrace_kfunc())
    return _fentry


def _bpftrace_kfunc():
    try:
        r = subprocess.run(["bpftrace", "-e", "kfunc:tty_write { exit(); } interval:ms:100 { exit(); }"],
                           capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return r.returncode == 0 and "Attaching" in r.stdout


def expected_flavour():
    """The entry programs ttytop must choose on this kernel (the tty-layer
    programs are of the probe_read flavour: 6.1 has fentry, no rdonly_cast)."""
    if expected_hooks() == "fentry":
        return "probe_read"
    if os.environ.get("TTYTOP_NO_RDONLY_CAST") or not kernel_btf().has("FUNC", "bpf_rdonly_cast"):
        return "probe_read"
    return "rdonly_cast"


def expected_hooks():
    """attach.mode: the tty layer where fentry works (not PREEMPT_RT); else raw sys_enter/sys_exit
    on PREEMPT_RT (or when forced), else the per-syscall tracepoints."""
    if fentry_usable():
        return "fentry"
    force = os.environ.get("TTYTOP_RAW_SYSCALLS")
    if force in ("0", "1"):
        return "raw_syscalls" if force == "1" else "tracepoint"
    return "raw_syscalls" if preempt_rt() else "tracepoint"


def preempt_rt():
    """PREEMPT_RT: its mutex is an rtmutex."""
    return "rtmutex" in kernel_btf().members("mutex")


def expected_lost():
    """What ttytop must report lost on this kernel (attach.lost), judged from
    /proc/kallsyms and the kernel's BTF rather than from ttytop's own probe."""
    syms = set()
    with open("/proc/kallsyms") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3 and parts[2] in ("redirected_tty_write", "__irqentry_text_start",
                                                "__irqentry_text_end"):
                syms.add(parts[2])
    regs = ("BPF_FUNC_task_pt_regs" in kernel_btf().members("bpf_func_id", kind="ENUM")
            or os.uname().machine == "x86_64")
    lost = [] if regs else ["r14-check", "frame-1"]
    if not {"__irqentry_text_start", "__irqentry_text_end"} <= syms:
        lost.append("irq-waker")
    if "redirected_tty_write" not in syms or expected_hooks() == "fentry":
        lost.append("console-redirect")
    if expected_hooks() == "fentry":
        lost.append("refused-writes")
    return lost
