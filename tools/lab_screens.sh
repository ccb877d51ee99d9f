#!/usr/bin/env bash
# Screenshots of the lab for README.md and docs/TUI.md, made from real runs:
# each scenario opens in a detached tmux session of the given size (a 24-bit
# colour terminal), runs at full speed to its end (or pauses at a step), and
# the pane is rendered to a PNG with /work/shared/tools/tui-snap.sh (or
# $TUI_SNAP). Run it after changing anything that shows in the lab:
#
#   tools/lab_screens.sh               # writes docs/img/lab-*.png
#
# Needs tmux, python3 with pyte and pillow, and a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
snap="${TUI_SNAP:-/work/shared/tools/tui-snap.sh}"
out=docs/img
mkdir -p "$out"
cargo build --release --quiet
bin="$PWD/target/release/optlab"
work="$(mktemp -d)"
trap 'rm -rf "$work"; tmux kill-session -t optlab-shot 2>/dev/null || true' EXIT

# shot NAME COLS ROWS "KEYS" ARGS...: open the lab, press KEYS (tmux key names,
# space-separated; `+` raises the speed), wait until it has finished, snap.
shot() {
    local name=$1 cols=$2 rows=$3 keys=$4
    shift 4
    tmux kill-session -t optlab-shot 2>/dev/null || true
    tmux new-session -d -s optlab-shot -x "$cols" -y "$rows" -c "$work" \
        "env COLORTERM=truecolor TERM=xterm-256color $bin tui $*"
    sleep 1
    for _ in $(seq 25); do tmux send-keys -t optlab-shot '+'; done
    for _ in $(seq 120); do
        tmux capture-pane -p -t optlab-shot | head -1 | grep -q finished && break
        sleep 0.5
    done
    # Help open and closed: clears the footer's note about the speed.
    tmux send-keys -t optlab-shot '?'; sleep 0.2; tmux send-keys -t optlab-shot '?'
    for k in $keys; do tmux send-keys -t optlab-shot "$k"; sleep 0.2; done
    sleep 0.5
    "$snap" optlab-shot "$out/lab-$name.png"
    tmux send-keys -t optlab-shot q
    echo "$out/lab-$name.png"
}

shot rosenbrock 160 48 "" rosenbrock
shot rosenbrock-80x24 80 24 "" rosenbrock
shot seed-bands 160 48 "v" noisy_quadratic
shot sweep 160 48 "v" beale_lr_sweep
