#!/bin/sh
# Regenerates docs/tensorboard-check.txt: two bundled scenarios written as
# TensorBoard event files by optlab, read back by TensorBoard's own reader
# (tools/tensorboard_check.py) and compared with steps.csv.
set -e
cd "$(dirname "$0")/.."
cargo build --release --quiet
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{
  for s in beale_lr_sweep softmax_classic; do
    echo "\$ optlab run $s --out r --tensorboard tb --quiet && python3 tools/tensorboard_check.py r tb"
    target/release/optlab run "$s" --out "$tmp/$s" --tensorboard "$tmp/$s-tb" --quiet
    python3 tools/tensorboard_check.py "$tmp/$s" "$tmp/$s-tb"
    echo
  done
} > docs/tensorboard-check.txt
cat docs/tensorboard-check.txt
