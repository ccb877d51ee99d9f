#!/usr/bin/env python3
"""Optuna driving the search of `optlab tune benches/tune_speed.toml`, with PyTorch optimizers.

The same search: four entries (SGD, Adam, RMSprop, Adagrad), 256 trials each,
every trial 1,000 updates of torch.optim on the 2-D Rosenbrock function from
(-1.5, 2) in float64, lr log-uniform over [1e-5, 10], scrambled Sobol points
(Optuna's QMCSampler), the metric the final loss (a diverged trial, loss above
1e6 times the start's or not finite, stops early and scores +inf, as optlab's
divergence rule). The gradient is autograd's on a two-element tensor, as a
PyTorch user writes it. A comparison tool, run by hand; optlab never runs Python:

    python3 tools/optuna_tune.py                 # the full search, prints the timings
    python3 tools/optuna_tune.py --trials 16     # a quick look

Prints the wall time of the whole search, the time per update, and each
entry's best rate (to check it searched the same thing).
"""

import argparse
import math
import time

import optuna
import torch

torch.set_default_dtype(torch.float64)
optuna.logging.set_verbosity(optuna.logging.WARNING)

KINDS = {
    "sgd": torch.optim.SGD,
    "adam": torch.optim.Adam,
    "rmsprop": torch.optim.RMSprop,
    "adagrad": torch.optim.Adagrad,
}


def rosenbrock(p):
    x, y = p[0], p[1]
    return 100.0 * (y - x * x) ** 2 + (1.0 - x) ** 2


def run_trial(kind, lr, steps):
    p = torch.tensor([-1.5, 2.0], requires_grad=True)
    opt = KINDS[kind]([p], lr=lr)
    initial = float(rosenbrock(p))
    limit = 1e6 * max(1.0, abs(initial))
    loss = initial
    for _ in range(steps):
        opt.zero_grad()
        f = rosenbrock(p)
        f.backward()
        opt.step()
        with torch.no_grad():
            loss = float(rosenbrock(p))
        if not math.isfinite(loss) or loss > limit:
            return math.inf
    return loss


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=256)
    ap.add_argument("--steps", type=int, default=1000)
    args = ap.parse_args()
    torch.set_num_threads(1)
    started = time.perf_counter()
    for i, kind in enumerate(KINDS):
        sampler = optuna.samplers.QMCSampler(qmc_type="sobol", scramble=True, seed=i)
        study = optuna.create_study(direction="minimize", sampler=sampler)

        def objective(trial, kind=kind):
            lr = trial.suggest_float("lr", 1e-5, 10.0, log=True)
            return run_trial(kind, lr, args.steps)

        t0 = time.perf_counter()
        study.optimize(objective, n_trials=args.trials)
        took = time.perf_counter() - t0
        print(f"{kind:8s} best lr {study.best_params['lr']:.4g}  final loss {study.best_value:.4g}  {took:.1f} s")
    total = time.perf_counter() - started
    updates = len(KINDS) * args.trials * args.steps
    print(f"total {total:.1f} s for {len(KINDS)} entries x {args.trials} trials x {args.steps} updates "
          f"(at most {updates} updates; {1e6 * total / updates:.1f} us per update)")


if __name__ == "__main__":
    main()
