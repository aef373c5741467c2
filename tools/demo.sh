#!/usr/bin/env bash
# `make demo`: the marquee case live. tmux with ttytop on the left and, on the
# right, the marquee fixture (a Go LED ticker, 100 ms ticks, a runtime.GC()
# now and then and a stop-the-world stretched to 300 ms) writing through a pty
# that a small reader drains to the pane. The reader can be paused (nobody
# drains: the writer blocks on a full buffer, `terminal-blocked`) or slowed
# (a slow link), so every cause of a late tick can be made on purpose.
#
#   sudo tools/demo.sh [MARQUEE-ARGS...]    (make demo ARGS="..."; default: MARQUEE_ARGS below)
#
# Keys, whichever pane has the focus:
#   Alt-p  pause / resume the reader      Alt-s  slow / normal reader
#   Alt-q  end the demo
# and ttytop's own (b: the tick interval view, Tab + Enter: why a tick was late).
#
# DEMO_DETACH=1 starts it without attaching (tmux -L ttytop-demo attach);
# DEMO_SECONDS=N ends it after N seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

SOCK=ttytop-demo
MARQUEE=tests/fixtures/bin/marquee
MARQUEE_ARGS=(-interval 100 -writers 2 -size 64 -heavy 2 -gc-every 20 -stw-stretch 300 -stretch-every 50)
[ $# -gt 0 ] && MARQUEE_ARGS=("$@")

die() { echo "demo: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root for BPF: sudo make demo"
command -v tmux >/dev/null || die "tmux missing (make deps)"
command -v python3 >/dev/null || die "python3 missing (make deps)"
[ -x ./ttytop ] || die "build ./ttytop first (make)"
[ -x "$MARQUEE" ] || die "build the fixtures first (make fixtures)"
./ttytop --check >/dev/null 2>&1 || die "ttytop --check fails here: $(./ttytop --check 2>&1 | tail -1)"

# The reader: runs the marquee on a pty's slave (GODEBUG=asyncpreemptoff=1,
# which -stw-stretch needs) and copies the master to its own stdout, the tmux
# pane. Keys on stdin: p stops reading (the pty's buffer fills and the
# writer blocks), s reads 256 bytes every 100 ms, q ends it.
READER='
import os, pty, select, signal, sys, termios, time, tty
argv = sys.argv[1:]
pid, master = pty.fork()
if pid == 0:
    os.environ["GODEBUG"] = "asyncpreemptoff=1"
    os.execv(argv[0], argv)
fd = sys.stdin.fileno()
old = termios.tcgetattr(fd)
tty.setcbreak(fd)
paused = slow = False
def say(msg):
    os.write(1, ("\r\n\x1b[7m[reader] %s\x1b[0m\r\n" % msg).encode())
say("draining; Alt-p pauses, Alt-s slows, Alt-q ends the demo")
try:
    while True:
        want = [fd] + ([] if paused else [master])
        r, _, _ = select.select(want, [], [], 0.1 if slow else 1.0)
        if fd in r:
            k = os.read(fd, 1)
            if k == b"p":
                paused = not paused
                say("PAUSED: nobody drains the pty; once its buffer is full (a few s) writes block: terminal-blocked" if paused
                    else "draining again")
            elif k == b"s":
                slow = not slow
                say("SLOW: 256 bytes every 100 ms (a slow link)" if slow else "full speed")
            elif k == b"q":
                break
        if master in r:
            try:
                data = os.read(master, 256 if slow else 65536)
            except OSError:
                break
            if not data:
                break
            os.write(1, data)
            if slow:
                time.sleep(0.1)
finally:
    termios.tcsetattr(fd, termios.TCSADRAIN, old)
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
'

tm() { tmux -L "$SOCK" -f /dev/null "$@"; }
tm kill-server 2>/dev/null || true
term=screen-256color
infocmp tmux-256color >/dev/null 2>&1 && term=tmux-256color
cols=$(tput cols 2>/dev/null || echo 200)
rows=$(tput lines 2>/dev/null || echo 50)
[ "$cols" -lt 150 ] && cols=200
[ "$rows" -lt 40 ] && rows=50

# ttytop first (it takes a while to load its programs), then the workload.
tm new-session -d -s demo -x "$cols" -y "$rows" -n demo \
	"cd '$ROOT' && ./ttytop -c marquee -T 5; echo 'ttytop exited; Alt-q ends the demo'; sleep 86400"
tm set-option -g default-terminal "$term"
tm set-option -g status on
tm set-option -g status-left "[ttytop demo] "
tm set-option -g status-right "Alt-p pause reader  Alt-s slow reader  Alt-q quit "
tm set-option -g status-right-length 60
tm split-window -h -l 34% -t demo:0 \
	"cd '$ROOT' && python3 -c '$READER' '$ROOT/$MARQUEE' ${MARQUEE_ARGS[*]}; sleep 86400"
tm select-pane -t demo:0.0
tm bind-key -n M-p send-keys -t demo:0.1 p
tm bind-key -n M-s send-keys -t demo:0.1 s
tm bind-key -n M-q kill-server

if [ -n "${DEMO_SECONDS:-}" ]; then
	(sleep "$DEMO_SECONDS"; tm kill-server 2>/dev/null) &
fi
if [ "${DEMO_DETACH:-0}" = 1 ] || [ ! -t 0 ]; then
	echo "demo: running; attach with: tmux -L $SOCK attach   (end: tmux -L $SOCK kill-server)"
	exit 0
fi
tm attach -t demo
