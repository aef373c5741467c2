#!/usr/bin/env bash
# Screenshots of the real dashboard for the README: drive ./ttytop in tmux,
# capture the pane with its colours (tmux capture-pane -e), turn that into
# HTML (aha) and the HTML into PNG (headless chromium).
#
#   tools/screenshots.sh [--replay FILE] [OUTDIR]
#
# Live (root, ./ttytop --check passes): a demo workload (marquee, else a shell
# loop) writes to its own tmux pane, which is stopped with ^S now and then so
# there are slow writes to look at. Otherwise, or with --replay, the dashboard
# shows a snapshot (the TUI tests' fixture when no FILE is given).
# Writes OUTDIR/{dashboard,stack,help,dashboard-light,late-tick}.png (default
# screenshots/). late-tick.png: a tick a Go stop-the-world made late, in the
# tick interval view (b) with its cause in words (Enter): live, the marquee
# stretches a stop-the-world to 300 ms every 40 ticks (-stw-stretch); in replay,
# the TUI tests' marquee-case fixture (fixture.py --ticks).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

replay=""
if [ "${1:-}" = "--replay" ]; then
	replay=$2
	shift 2
fi
out=${1:-screenshots}
mkdir -p "$out"
out=$(cd "$out" && pwd)

for tool in tmux aha chromium; do
	command -v "$tool" >/dev/null || {
		echo "screenshots: $tool missing; run 'make deps-shots' (tools/deps.sh aha chromium fonts-dejavu-core)" >&2
		exit 1
	}
done
[ -x ./ttytop ] || { echo "screenshots: build ./ttytop first (make)" >&2; exit 1; }

COLS=160
ROWS=44
sock="ttytop-shots-$$"
work=$(mktemp -d)
profile=$(mktemp -d)
toggler=""

tm() { tmux -L "$sock" -f /dev/null "$@"; }

cleanup() {
	[ -n "$toggler" ] && kill "$toggler" 2>/dev/null || true
	tm kill-server 2>/dev/null || true
	rm -rf "$work" "$profile"
}
trap cleanup EXIT

# The dashboard needs a colour terminal inside tmux.
term=screen-256color
infocmp tmux-256color >/dev/null 2>&1 && term=tmux-256color
tm new-session -d -s shots -x "$COLS" -y "$ROWS" "sleep 86400"
tm set-option -g default-terminal "$term"
tm set-option -g status off

wait_for() { # wait_for TEXT [seconds]
	local i
	for ((i = 0; i < ${2:-10} * 10; i++)); do
		tm capture-pane -p -t shots:dash | grep -qF -- "$1" && return 0
		sleep 0.1
	done
	echo "screenshots: timed out waiting for '$1'" >&2
	tm capture-pane -p -t shots:dash | tail -5 >&2
	return 1
}

if [ -z "$replay" ] && [ "$(id -u)" -eq 0 ] && ./ttytop --check >/dev/null 2>&1; then
	mode=live
	# Workload in its own pane: a Go program if the fixtures are built.
	if [ -x tests/fixtures/bin/marquee ]; then
		wl="tests/fixtures/bin/marquee -interval 20 -writers 3 -size 200"
		# a GC now and then, and a stop-the-world stretched to 300 ms: late ticks by gc-stw
		if tests/fixtures/bin/marquee -h 2>&1 | grep -q stw-stretch; then
			wl="GODEBUG=asyncpreemptoff=1 $wl -gc-every 25 -stw-stretch 300 -stretch-every 40"
		fi
	else
		wl="while true; do echo \"demo \$(date +%T.%N)\"; sleep 0.02; done"
	fi
	tm new-session -d -s work -x 100 -y 30 "cd '$ROOT' && $wl"
	# ^S / ^Q on the workload's terminal: writes block while output is stopped.
	(
		while true; do
			sleep 0.7
			tm send-keys -t work: C-s 2>/dev/null || exit 0
			sleep 0.25
			tm send-keys -t work: C-q 2>/dev/null || exit 0
		done
	) &
	toggler=$!
	cmd="./ttytop -T 1 -d 1"
else
	mode=replay
	if [ -z "$replay" ]; then
		replay=$work/demo.json
		python3 tests/tui/fixture.py "$replay"
	fi
	cmd="./ttytop --replay '$replay'"
fi
echo "screenshots: $mode mode" >&2

tm new-window -d -t shots -n dash "cd '$ROOT' && $cmd; sleep 3600"
sleep 0.3
wait_for "Slow writes" 15
[ "$mode" = live ] && sleep 6 # a few intervals of data

shoot() { # shoot NAME BG(black|white)
	local name=$1 bg=$2 html=$work/$1.html w h
	tm capture-pane -e -N -p -t shots:dash >"$work/$name.ans"
	if [ "$bg" = black ]; then
		aha --black --title "ttytop" <"$work/$name.ans" >"$html"
	else
		aha --title "ttytop" <"$work/$name.ans" >"$html"
	fi
	# A monospace font that has the box and block characters, no gaps between lines.
	sed -i 's|</head>|<meta charset="utf-8"/><style>body{margin:8px}pre{font-family:"DejaVu Sans Mono",monospace;font-size:14px;line-height:17px;margin:0}</style></head>|' "$html"
	w=$((COLS * 85 / 10 + 16))
	h=$((ROWS * 17 + 16))
	chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$profile" --hide-scrollbars \
		--screenshot="$out/$name.png" --window-size="$w,$h" "file://$html" \
		>/dev/null 2>&1
	[ -s "$out/$name.png" ] || { echo "screenshots: chromium wrote no $name.png" >&2; return 1; }
	echo "$out/$name.png"
}

key() { tm send-keys -t shots:dash "$@"; sleep 0.4; }

shoot dashboard black
# The slowest write's stack (o: slowest first), with its details: focus the log, open it.
key o
key Tab
key Enter
[ "$mode" = live ] && sleep 1.5 # symbolization happens on the next tick
shoot stack black
key '?'
wait_for "ttytop help" 5
shoot help black
key q # closes help
key T # light theme
wait_for "theme: light" 5
shoot dashboard-light white
key q

# A late tick caused by GC, in a dashboard of its own (default theme, fresh keys).
if [ "$mode" = live ]; then
	# only the workload's terminal: other Go programs on the machine stay out of the picture
	late_cmd="$cmd --tty $(tm display-message -p -t work: '#{pane_tty}' | sed 's|^/dev/||')"
else
	python3 tests/tui/fixture.py --ticks "$work/ticks.json"
	late_cmd="./ttytop --replay '$work/ticks.json'"
fi
tm kill-window -t shots:dash
tm new-window -d -t shots -n dash "cd '$ROOT' && $late_cmd; sleep 3600"
sleep 0.3
wait_for "Slow writes" 30
if [ "$mode" = live ]; then
	wait_for "gc-stw" 60 # the first stretched pause comes 40 ticks in
	key / && tm send-keys -t shots:dash -l "gc-stw" && key Enter
fi
key b && key b && key b # the tick interval view
wait_for "Tick interval:" 5
key Tab
key Enter # the newest late tick (live: the newest gc-stw one)
wait_for "stop-the-world" 5
shoot late-tick black
