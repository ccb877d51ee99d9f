#!/usr/bin/env python3
"""Read optlab's TensorBoard event files with TensorBoard's own reader and
compare them with the result folder's steps.csv.

    optlab run beale_lr_sweep --out /tmp/r --tensorboard /tmp/tb --quiet
    python3 tools/tensorboard_check.py /tmp/r /tmp/tb

Uses tensorboard's EventAccumulator (the class TensorBoard's server loads
runs with) and the hparams plugin's own parsers. Prints one line per run and
exits 1 on any difference. Its output is in docs/tensorboard-check.txt.
"""
import csv
import math
import os
import sys
from collections import defaultdict

from tensorboard.backend.event_processing import event_accumulator
from tensorboard.plugins.hparams import metadata as hp_metadata
from tensorboard.util import tensor_util

SCALARS = ["loss", "batch_loss", "val_loss", "val_accuracy", "lr", "grad_norm"]


def main(results, logdir):
    rows = defaultdict(list)
    with open(os.path.join(results, "steps.csv"), newline="") as f:
        for r in csv.DictReader(f):
            rows[(r["run"], int(r["seed"]))].append(r)
    seeds = {seed for (_, seed) in rows}
    problems = 0
    checked_values = 0

    root = event_accumulator.EventAccumulator(logdir, size_guidance={event_accumulator.TENSORS: 0})
    root.Reload()
    exp_content = root.PluginTagToContent("hparams").get(hp_metadata.EXPERIMENT_TAG)
    experiment = hp_metadata.parse_experiment_plugin_data(exp_content)
    hparam_names = [h.name for h in experiment.hparam_infos]
    metric_tags = [m.name.tag for m in experiment.metric_infos]
    print(f"experiment: {experiment.name!r}")
    print(f"  hyperparameters: {', '.join(hparam_names)}")
    print(f"  metrics: {', '.join(metric_tags)}")

    runs = sorted(d for d in os.listdir(logdir) if os.path.isdir(os.path.join(logdir, d)))
    if len(runs) != len(rows):
        print(f"MISMATCH: {len(runs)} run folders, {len(rows)} runs in steps.csv")
        problems += 1
    for run in runs:
        acc = event_accumulator.EventAccumulator(
            os.path.join(logdir, run), size_guidance={event_accumulator.TENSORS: 0}
        )
        acc.Reload()
        content = acc.PluginTagToContent("hparams")
        start = hp_metadata.parse_session_start_info_plugin_data(content[hp_metadata.SESSION_START_INFO_TAG])
        end = hp_metadata.parse_session_end_info_plugin_data(content[hp_metadata.SESSION_END_INFO_TAG])
        seed = int(start.hparams["seed"].number_value)
        label = run[: -len(f" seed={seed}")] if len(seeds) > 1 else run
        csv_rows = rows.get((label, seed))
        if csv_rows is None:
            print(f"MISMATCH: run folder {run!r} is not in steps.csv")
            problems += 1
            continue
        tags = acc.Tags()["tensors"]
        for k, tag in enumerate(SCALARS):
            expected = [(int(r["step"]), float(r[tag])) for r in csv_rows if r[tag] != ""]
            got = (
                [(e.step, float(tensor_util.make_ndarray(e.tensor_proto).item())) for e in acc.Tensors(tag)]
                if tag in tags
                else []
            )
            same = len(got) == len(expected) and all(
                gs == es and (gv == ev or (math.isnan(gv) and math.isnan(ev))) for (gs, gv), (es, ev) in zip(got, expected)
            )
            checked_values += len(got)
            if not same:
                print(f"MISMATCH: {run} / {tag}: {len(got)} values read, {len(expected)} in steps.csv")
                problems += 1
        lr = start.hparams["lr"].number_value
        status = {1: "success", 2: "failure"}.get(end.status, str(end.status))
        last = float(csv_rows[-1]["loss"])
        print(
            f"  {run:<26} optimizer={start.hparams['optimizer'].string_value:<5} lr={lr:<7g} "
            f"{len(csv_rows):>5} steps  final loss {last:.6g}  status {status}: scalars equal steps.csv"
        )
    print(f"{len(runs)} runs, {checked_values} scalar values compared bit for bit with steps.csv, {problems} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
