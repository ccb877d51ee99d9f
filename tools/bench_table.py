#!/usr/bin/env python3
"""Markdown table of `cargo bench --bench optim_step` from criterion's files under target/criterion.

    cargo bench --bench optim_step && python3 tools/bench_table.py

Each benchmark has 10 samples of a few steps each. The table gives the best
sample (the least disturbed by other processes, as STREAM reports its best run)
and the median; GB/s and the % of the `a = b + c` baseline are from the best.
"""

import json
import os
import statistics
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
GROUP = os.path.join(TARGET, "criterion", "optim_step_10M")
N = 10_000_000
BASELINE = "baseline_a_eq_b_plus_c"
ORDER = [
    "gd", "sgd", "sgd_momentum", "adagrad", "rmsprop", "rmsprop_centered", "adam", "adam_amsgrad",
    "adamw", "adamax", "nadam", "radam", "adadelta", "rprop", "lion",
]


def load(name):
    d = os.path.join(GROUP, name, "new")
    with open(os.path.join(d, "sample.json")) as f:
        sample = json.load(f)
    with open(os.path.join(d, "benchmark.json")) as f:
        bench = json.load(f)
    per_step = [t / i * 1e-9 for t, i in zip(sample["times"], sample["iters"])]
    return min(per_step), statistics.median(per_step), bench["throughput"]["BytesDecimal"]


def main():
    base_best, base_median, base_bytes = load(BASELINE)
    base_gbs = base_bytes / base_best / 1e9
    rows = [("`a = b + c` (baseline)", base_bytes, base_best, base_median)]
    for name in ORDER:
        try:
            best, median, nbytes = load(name)
            rows.append((name, nbytes, best, median))
        except FileNotFoundError:
            print(f"missing: {name}", file=sys.stderr)
    print("| step | bytes/param | ms/step (best) | ms/step (median) | GB/s (best) | % of baseline |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, nbytes, best, median in rows:
        gbs = nbytes / best / 1e9
        print(f"| {name} | {nbytes // N} | {best * 1e3:.1f} | {median * 1e3:.1f} | {gbs:.1f} | {100 * gbs / base_gbs:.0f}% |")


if __name__ == "__main__":
    main()
