#!/bin/sh
# Regenerates docs/race.gif, the animation the README shows: the default
# scenario (Rosenbrock, the textbook five) as `optlab animate` draws it.
set -e
cd "$(dirname "$0")/.."
cargo build --release --quiet
target/release/optlab animate rosenbrock --out docs/race.gif
