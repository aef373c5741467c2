"""Driving a program in tmux and reading its screen back: a private tmux
server (one socket per test process) with one session per case."""
import os
import re
import subprocess
import time

from ttcase import ROOT

SOCK = "ttytop-tui-%d" % os.getpid()
PROMPT = "TTPROMPT$ "


def tmux(*args, check=False):
    r = subprocess.run(["tmux", "-L", SOCK, "-f", "/dev/null"] + list(args),
                       capture_output=True, text=True, timeout=20)
    if check and r.returncode != 0:
        raise RuntimeError("tmux %s: %s" % (" ".join(args), r.stderr.strip()))
    return r.stdout


def term_name():
    for t in ("tmux-256color", "screen-256color"):
        if subprocess.run(["infocmp", t], capture_output=True).returncode == 0:
            return t
    return "screen"


class Session:
    """One tmux session running an interactive shell."""

    count = 0

    def __init__(self, w=120, h=40, env=None):
        Session.count += 1
        self.name = "s%d" % Session.count
        envs = " ".join("%s=%s" % kv for kv in (env or {}).items())
        cmd = "env PS1='%s' %s bash --norc --noprofile -i" % (PROMPT, envs)
        tmux("new-session", "-d", "-s", self.name, "-x", str(w), "-y", str(h), cmd, check=True)
        tmux("set-option", "-t", self.name, "status", "off")
        self.wait(lambda s: PROMPT in s, 5)

    def send(self, *keys):
        tmux("send-keys", "-t", self.name, *keys)

    def type(self, text):
        tmux("send-keys", "-t", self.name, "-l", text)

    def run(self, cmdline):
        self.type("cd %s && %s; echo EXIT=$?" % (ROOT, cmdline))
        self.send("Enter")

    def screen(self, escapes=False):
        args = ["capture-pane", "-p", "-J", "-t", self.name]
        if escapes:
            args.insert(1, "-e")
        return tmux(*args)

    def wait(self, pred, timeout=5.0, escapes=False):
        end = time.time() + timeout
        s = ""
        while time.time() < end:
            s = self.screen(escapes)
            if pred(s):
                # The screen may be mid-update: take it again once it has settled.
                time.sleep(0.1)
                s = self.screen(escapes)
                if pred(s):
                    return s
            time.sleep(0.1)
        return None

    def resize(self, w, h):
        tmux("resize-window", "-t", self.name, "-x", str(w), "-y", str(h))

    def fmt(self, f):
        return tmux("display-message", "-p", "-t", self.name, f).strip()

    def close(self):
        tmux("kill-session", "-t", self.name)


def exits(s):
    """Exit codes printed by run(); the typed command line shows "EXIT=$?", not a number."""
    return [int(c) for c in re.findall(r"EXIT=(\d+)", s)]


def last_lines(s, n=3):
    lines = [l for l in s.splitlines() if l.strip()]
    return "\n".join(lines[-n:])


def start_server():
    """The private server, its sessions on the best 256-colour terminfo entry
    here; a keepalive session holds it up between cases."""
    os.environ["TERM"] = term_name()
    tmux("start-server")
    tmux("set-option", "-g", "default-terminal", term_name())
    tmux("new-session", "-d", "-s", "keepalive")
    tmux("set-option", "-g", "default-terminal", term_name())


def kill_server():
    tmux("kill-server")
