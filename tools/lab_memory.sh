#!/usr/bin/env bash
# tools/lab_memory.sh [SECONDS] — the lab's memory on a 100,000,000-step scenario
# at full speed: opens `optlab tui` in a detached tmux session (160x48), raises
# the speed to the maximum, and prints the resident memory (VmRSS) and its peak
# (VmHWM) every 10 s up to SECONDS (default 60), then quits the lab.
# Needs tmux and a release build (cargo build --release).
set -eu
secs=${1:-60}
here=$(cd "$(dirname "$0")/.." && pwd)
bin="$here/target/release/optlab"
work=$(mktemp -d)
cat > "$work/long.toml" <<'TOML'
name = "Memory: 100 million steps"
steps = 100000000

[objective]
kind = "rosenbrock"
start = [-1.5, 2.0]
noise = 0.1

[[optimizer]]
kind = "gd"
label = "GD"
lr = 5e-4

[[optimizer]]
kind = "sgd"
label = "SGD momentum"
lr = 2e-4
momentum = 0.9

[[optimizer]]
kind = "adagrad"
label = "AdaGrad"
lr = 0.5

[[optimizer]]
kind = "rmsprop"
label = "RMSprop"
lr = 0.01

[[optimizer]]
kind = "adam"
label = "Adam"
lr = 0.05
TOML
session="optlab-mem-$$"
tmux new-session -d -s "$session" -x 160 -y 48 -c "$work" "$bin tui long.toml"
trap 'tmux kill-session -t "$session" 2>/dev/null || true; rm -rf "$work"' EXIT
sleep 1
pid=$(pgrep -n -f "$bin tui long.toml")
# Up to "max" (as fast as the machine goes).
for _ in $(seq 25); do tmux send-keys -t "$session" '+'; done
echo "seconds  VmRSS_MB  VmHWM_MB  step"
for t in $(seq 10 10 "$secs"); do
  sleep 10
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  step=$(tmux capture-pane -p -t "$session" | head -1 | grep -o 'step [^ ]*' || true)
  printf '%7d  %8.1f  %8.1f  %s\n' "$t" "$(echo "$rss/1024" | bc -l)" "$(echo "$hwm/1024" | bc -l)" "$step"
done
tmux send-keys -t "$session" q
