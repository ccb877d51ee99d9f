#!/usr/bin/env bash
# screenshot_views.sh — the lab's decision-boundary pane as a PNG, from a real run:
# the bundled mlp_spirals scenario in a 160×48 tmux pane, captured with its colours
# and rendered by tools/ansi2png.py (pip install pyte pillow; needs tmux and fontconfig).
#   tools/screenshot_views.sh            # writes docs/screenshots/lab-decision-boundary.png
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs/screenshots/lab-decision-boundary.png
session=optlab-screenshot-views-$$
for tool in tmux python3 fc-match; do
    command -v "$tool" >/dev/null || { echo "screenshot_views.sh: $tool is needed" >&2; exit 1; }
done
cargo build --release --quiet
mkdir -p "$(dirname "$out")"
# A true-colour terminal, as most are today; the lab falls back to 256 or 16 colours by itself.
tmux new-session -d -s "$session" -x 160 -y 48 \
    "env COLORTERM=truecolor TERM=xterm-256color target/release/optlab tui mlp_spirals; sleep 5"
trap 'tmux kill-session -t "$session" 2>/dev/null || true' EXIT
# Until the runs have finished (the header says so), so the picture shows trained boundaries.
for _ in $(seq 1 120); do
    if tmux capture-pane -p -t "$session" | head -1 | grep -q finished; then break; fi
    sleep 0.5
done
# Show Adam's boundary (the fourth label), the best-trained one.
tmux send-keys -t "$session" j j j
sleep 1
dump=$(mktemp)
tmux capture-pane -e -p -t "$session" > "$dump"
python3 tools/ansi2png.py "$dump" 160 48 "$out"
rm -f "$dump"
echo "wrote $out"
