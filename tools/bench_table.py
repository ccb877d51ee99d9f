#!/usr/bin/env python3
"""Markdown table of `cargo bench --bench optim_step` (criterion's JSON under target/criterion).

    cargo bench --bench optim_step && python3 tools/bench_table.py
"""

import json
import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
GROUP = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "criterion", "optim_step_10M")
N = 10_000_000
BASELINE = "baseline_a_eq_b_plus_c"


def load(name):
    d = os.path.join(GROUP, name, "new")
    with open(os.path.join(d, "estimates.json")) as f:
        est = json.load(f)
    with open(os.path.join(d, "benchmark.json")) as f:
        bench = json.load(f)
    seconds = est["median"]["point_estimate"] * 1e-9
    nbytes = bench["throughput"]["BytesDecimal"]
    return seconds, nbytes


def main():
    base_s, base_b = load(BASELINE)
    base_gbs = base_b / base_s / 1e9
    rows = [("`a = b + c` (baseline)", base_b // N, base_s, base_gbs)]
    order = [
        "gd", "sgd", "sgd_momentum", "adagrad", "rmsprop", "rmsprop_centered", "adam", "adam_amsgrad",
        "adamw", "adamax", "nadam", "radam", "adadelta", "rprop", "lion",
    ]
    for name in order:
        try:
            s, b = load(name)
        except FileNotFoundError:
            print(f"missing: {name}", file=sys.stderr)
            continue
        rows.append((name, b // N, s, b / s / 1e9))
    print("| step | bytes/param | ms/step | GB/s | % of baseline |")
    print("|---|---:|---:|---:|---:|")
    for name, bpp, s, gbs in rows:
        print(f"| {name} | {bpp} | {s * 1e3:.1f} | {gbs:.1f} | {100 * gbs / base_gbs:.0f}% |")


if __name__ == "__main__":
    main()
