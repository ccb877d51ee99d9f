#!/usr/bin/env python3
"""Side-by-side timings of optlab and its strongest anchors on this machine.

Each implementation runs in its own long-lived worker process (optlab's is
`examples/anchors.rs`; torch, JAX and scikit-learn are workers of this script),
configured once with its thread count. The driver then makes rounds: in each
round every (implementation, workload) pair is timed once, in a freshly
shuffled order, so that slow phases of a loaded machine fall on every
implementation alike. The table reports medians over rounds and, for each
anchor, the median of the per-round ratios optlab / anchor.

Float64 throughout. Installs nothing: see tools/anchors/README.md.

    python3 tools/anchors/anchors.py [--rounds 15] [--only adam,mlp,rosenbrock,run]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIG = 10_000_000
BATCH = 32


# --------------------------------------------------------------------------- workers


def worker_main(kind: str) -> None:
    """Read workload names on stdin, print the milliseconds each run took."""
    runners = {"torch": torch_runner, "jax": jax_runner, "sklearn": sklearn_runner}[kind]()
    built: dict = {}
    for line in sys.stdin:
        name = line.strip()
        if not name:
            continue
        try:
            if name not in built:
                built[name] = runners(name)
            fn = built[name]
            t0 = time.perf_counter()
            fn()
            ms = (time.perf_counter() - t0) * 1e3
            print(ms, flush=True)
        except Exception as e:  # report, keep serving
            print(f"error {type(e).__name__}: {e}".replace("\n", " "), flush=True)


def digits():
    import numpy as np

    x = np.loadtxt(os.environ["OPTLAB_ANCHOR_DIGITS"], delimiter=",", skiprows=1)
    return x[:, :-1].astype(np.float64), x[:, -1].astype(np.int64)


def torch_runner():
    import torch

    torch.set_default_dtype(torch.float64)

    def build(name: str):
        if name in ("adam_10m", "adam_10m_compiled", "adam_10m_foreach"):
            g = torch.Generator().manual_seed(0)
            p = torch.rand(BIG, generator=g) * 2 - 1
            p.requires_grad_(True)
            p.grad = torch.rand(BIG, generator=g) * 2 - 1
            if name == "adam_10m_foreach":
                opt = torch.optim.Adam([p], lr=1e-3, foreach=True)
            else:
                opt = torch.optim.Adam([p], lr=1e-3)
            if name == "adam_10m_compiled":
                compiled = torch.compile(opt.step, fullgraph=False)

                def step():
                    compiled()

                step()  # compile outside the timing
                return step
            return lambda: opt.step()
        if name == "add_10m":
            b = torch.rand(BIG)
            c = torch.rand(BIG)
            a = torch.empty(BIG)
            return lambda: torch.add(b, c, out=a)
        if name in ("mlp_64_64_10", "mlp_64_64_64_10"):
            x_np, y_np = digits()
            x = torch.from_numpy(x_np)
            y = torch.from_numpy(y_np)
            widths = [64] if name == "mlp_64_64_10" else [64, 64]
            layers = []
            fan_in = x.shape[1]
            for w in widths:
                layers += [torch.nn.Linear(fan_in, w), torch.nn.Tanh()]
                fan_in = w
            layers.append(torch.nn.Linear(fan_in, 10))
            model = torch.nn.Sequential(*layers)
            opt = torch.optim.Adam(model.parameters(), lr=1e-3)
            loss_fn = torch.nn.CrossEntropyLoss()
            gen = torch.Generator().manual_seed(0)

            def epoch():
                perm = torch.randperm(x.shape[0], generator=gen)
                for i in range(0, x.shape[0], BATCH):
                    idx = perm[i : i + BATCH]
                    opt.zero_grad(set_to_none=True)
                    loss_fn(model(x[idx]), y[idx]).backward()
                    opt.step()

            return epoch
        if name == "rosenbrock_adam_10k":

            def run():
                p = torch.tensor([-1.5, 2.0], requires_grad=True)
                opt = torch.optim.Adam([p], lr=0.01)
                for _ in range(10_000):
                    opt.zero_grad(set_to_none=True)
                    loss = (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2
                    loss.backward()
                    opt.step()

            return run
        raise ValueError(f"unknown workload {name}")

    return build


def jax_runner():
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    import numpy as np
    import optax
    from functools import partial

    def build(name: str):
        if name == "adam_10m":
            rng = np.random.default_rng(0)
            opt = optax.adam(1e-3)
            state = {"p": jnp.asarray(rng.uniform(-1, 1, BIG))}
            state["s"] = opt.init(state["p"])
            grad = jnp.asarray(rng.uniform(-1, 1, BIG))

            @partial(jax.jit, donate_argnums=(0, 1))
            def step(p, s, g):
                updates, s = opt.update(g, s, p)
                return optax.apply_updates(p, updates), s

            def run():
                state["p"], state["s"] = step(state["p"], state["s"], grad)
                state["p"].block_until_ready()

            run()
            return run
        if name == "add_10m":
            b = jnp.asarray(np.random.default_rng(1).uniform(-1, 1, BIG))
            c = jnp.asarray(np.random.default_rng(2).uniform(-1, 1, BIG))
            add = jax.jit(lambda b, c: b + c)
            add(b, c).block_until_ready()
            return lambda: add(b, c).block_until_ready()
        if name in ("mlp_64_64_10", "mlp_64_64_64_10"):
            x_np, y_np = digits()
            n, d = x_np.shape
            widths = [d] + ([64] if name == "mlp_64_64_10" else [64, 64]) + [10]
            rng = np.random.default_rng(0)
            params = []
            for fi, fo in zip(widths[:-1], widths[1:]):
                bound = np.sqrt(6.0 / (fi + fo))
                params.append((jnp.asarray(rng.uniform(-bound, bound, (fi, fo))), jnp.zeros(fo)))
            x = jnp.asarray(x_np)
            y = jnp.asarray(y_np)
            opt = optax.adam(1e-3)
            full = n // BATCH
            rest = n - full * BATCH

            def loss(params, xb, yb):
                h = xb
                for w, b in params[:-1]:
                    h = jnp.tanh(h @ w + b)
                w, b = params[-1]
                logits = h @ w + b
                return optax.softmax_cross_entropy_with_integer_labels(logits, yb).mean()

            def update(carry, batch):
                params, s = carry
                xb, yb = batch
                g = jax.grad(loss)(params, xb, yb)
                u, s = opt.update(g, s, params)
                return (optax.apply_updates(params, u), s), None

            @partial(jax.jit, donate_argnums=(0, 1))
            def epoch(params, s, perm):
                xs = x[perm]
                ys = y[perm]
                head_x = xs[: full * BATCH].reshape(full, BATCH, d)
                head_y = ys[: full * BATCH].reshape(full, BATCH)
                (params, s), _ = jax.lax.scan(update, (params, s), (head_x, head_y))
                if rest:
                    (params, s), _ = update((params, s), (xs[full * BATCH :], ys[full * BATCH :]))
                return params, s

            state = {"p": params, "s": opt.init(params)}
            perm_rng = np.random.default_rng(0)

            def run():
                perm = jnp.asarray(perm_rng.permutation(n))
                state["p"], state["s"] = epoch(state["p"], state["s"], perm)
                jax.block_until_ready(state["p"])

            run()
            return run
        if name == "rosenbrock_adam_10k":
            opt = optax.adam(0.01)

            def f(p):
                return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2

            @jax.jit
            def race(p):
                s = opt.init(p)

                def body(_, carry):
                    p, s = carry
                    g = jax.grad(f)(p)
                    u, s = opt.update(g, s, p)
                    return optax.apply_updates(p, u), s

                p, _ = jax.lax.fori_loop(0, 10_000, body, (p, s))
                return p

            p0 = jnp.asarray([-1.5, 2.0])
            race(p0).block_until_ready()
            return lambda: race(p0).block_until_ready()
        raise ValueError(f"unknown workload {name}")

    return build


def sklearn_runner():
    import numpy as np
    from sklearn.neural_network import MLPClassifier

    def build(name: str):
        if name in ("mlp_64_64_10", "mlp_64_64_64_10"):
            x, y = digits()
            hidden = (64,) if name == "mlp_64_64_10" else (64, 64)
            clf = MLPClassifier(
                hidden_layer_sizes=hidden,
                activation="tanh",
                solver="adam",
                batch_size=BATCH,
                learning_rate_init=1e-3,
                shuffle=True,
                random_state=0,
            )
            classes = np.unique(y)
            clf.partial_fit(x, y, classes=classes)
            return lambda: clf.partial_fit(x, y)
        raise ValueError(f"unknown workload {name}")

    return build


# --------------------------------------------------------------------------- driver


class Worker:
    def __init__(self, label: str, argv: list[str], env: dict[str, str]):
        self.label = label
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT
        )

    def time(self, workload: str) -> float | None:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(workload + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline().strip()
        if not line or line.startswith("error"):
            print(f"  {self.label} {workload}: {line or 'worker died'}", file=sys.stderr)
            return None
        return float(line)

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)


class RunCommand:
    """The whole `optlab run` command, timed from outside."""

    label = "optlab run (command)"

    def __init__(self, binary: Path, out: Path):
        self.binary = binary
        self.out = out

    def time(self, workload: str) -> float | None:
        t0 = time.perf_counter()
        r = subprocess.run(
            [str(self.binary), "run", "benches/six_optimizers.toml", "--out", str(self.out), "--quiet"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        ms = (time.perf_counter() - t0) * 1e3
        return ms if r.returncode == 0 else None

    def close(self) -> None:
        pass


def thread_env(threads: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        OMP_NUM_THREADS=str(threads),
        MKL_NUM_THREADS=str(threads),
        OPENBLAS_NUM_THREADS=str(threads),
        RAYON_NUM_THREADS=str(threads),
        OPTLAB_THREADS=str(threads),
    )
    if threads == 1:
        env["XLA_FLAGS"] = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    return env


# (row title, [(worker label, workload)], the optlab entry, the anchors to compare with)
ROWS = {
    "adam": [
        ("Adam step, 10M parameters", "adam_10m"),
        ("a = b + c, 10M values", "add_10m"),
    ],
    "mlp": [
        ("MLP epoch, digits, 64-64-10 tanh, Adam, batch 32", "mlp_64_64_10"),
        ("MLP epoch, digits, 64-64-64-10 tanh, Adam, batch 32", "mlp_64_64_64_10"),
    ],
    "rosenbrock": [("10,000 Adam steps on Rosenbrock", "rosenbrock_adam_10k")],
    "run": [("6 optimizers x 10,000 Rosenbrock steps, whole `optlab run`", "run_six")],
}

# Which workers run which workloads.
PLAN = {
    "adam_10m": ["optlab 1t", "optlab 2t", "torch 2t eager", "torch 2t compiled", "jax 2t"],
    "add_10m": ["optlab 1t", "torch 2t eager", "jax 2t"],
    "mlp_64_64_10": ["optlab 1t", "jax 1t", "torch 1t", "sklearn 1t"],
    "mlp_64_64_64_10": ["optlab 1t", "jax 1t", "torch 1t", "sklearn 1t"],
    "rosenbrock_adam_10k": ["optlab 1t", "jax 1t"],
    "run_six": ["optlab run (command)"],
}

# Workload names a worker knows a variant under.
ALIAS = {("torch 2t compiled", "adam_10m"): "adam_10m_compiled"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--worker", choices=["torch", "jax", "sklearn"], help=argparse.SUPPRESS)
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--only", default="adam,mlp,rosenbrock,run")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    if args.worker:
        worker_main(args.worker)
        return

    subprocess.run(["cargo", "build", "--release", "--example", "anchors", "--bin", "optlab"], cwd=ROOT, check=True)
    anchors_bin = ROOT / "target/release/examples/anchors"
    optlab_bin = ROOT / "target/release/optlab"

    tmp = Path(tempfile.mkdtemp(prefix="optlab-anchors-"))
    from sklearn.datasets import load_digits
    import numpy as np

    d = load_digits()
    x = d.data.astype(np.float64)
    x = (x - x.mean(0)) / np.where(x.std(0) > 0, x.std(0), 1.0)
    header = ",".join([f"p{i}" for i in range(x.shape[1])] + ["digit"])
    np.savetxt(tmp / "digits.csv", np.column_stack([x, d.target]), delimiter=",", header=header, comments="", fmt="%.17g")
    os.environ["OPTLAB_ANCHOR_DIGITS"] = str(tmp / "digits.csv")

    groups = [g.strip() for g in args.only.split(",") if g.strip()]
    workloads = [w for g in groups for (_, w) in ROWS[g]]
    needed = sorted({lab for w in workloads for lab in PLAN[w]})
    me = [sys.executable, str(Path(__file__).resolve())]
    factories = {
        "optlab 1t": lambda: Worker("optlab 1t", [str(anchors_bin)], thread_env(1)),
        "optlab 2t": lambda: Worker("optlab 2t", [str(anchors_bin)], thread_env(2)),
        "torch 2t eager": lambda: Worker("torch 2t eager", me + ["--worker", "torch"], thread_env(2)),
        "torch 2t compiled": lambda: Worker("torch 2t compiled", me + ["--worker", "torch"], thread_env(2)),
        "torch 1t": lambda: Worker("torch 1t", me + ["--worker", "torch"], thread_env(1)),
        "jax 2t": lambda: Worker("jax 2t", me + ["--worker", "jax"], thread_env(2)),
        "jax 1t": lambda: Worker("jax 1t", me + ["--worker", "jax"], thread_env(1)),
        "sklearn 1t": lambda: Worker("sklearn 1t", me + ["--worker", "sklearn"], thread_env(1)),
        "optlab run (command)": lambda: RunCommand(optlab_bin, tmp / "run"),
    }
    workers = {lab: factories[lab]() for lab in needed}
    pairs = [(lab, w) for w in workloads for lab in PLAN[w]]
    # Warm-up round: builds inputs, compiles, fills caches; not recorded.
    for lab, w in pairs:
        workers[lab].time(ALIAS.get((lab, w), w))
    times: dict[tuple[str, str], list[float | None]] = {p: [] for p in pairs}
    rng = random.Random(args.seed)
    for r in range(args.rounds):
        order = pairs[:]
        rng.shuffle(order)
        for lab, w in order:
            times[(lab, w)].append(workers[lab].time(ALIAS.get((lab, w), w)))
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    for wk in workers.values():
        wk.close()
    shutil.rmtree(tmp, ignore_errors=True)

    def med(xs):
        xs = [x for x in xs if x is not None]
        return statistics.median(xs) if xs else float("nan")

    print()
    print(f"{time.strftime('%Y-%m-%d')} · {os.cpu_count()} cores · {args.rounds} rounds, shuffled · medians (ms)")
    print()
    print("| workload | implementation | ms (median) | optlab 1t / this (median of per-round ratios) |")
    print("|---|---|---:|---:|")
    for g in groups:
        for title, w in ROWS[g]:
            base_label = PLAN[w][0]
            base = times[(base_label, w)]
            for lab in PLAN[w]:
                t = times[(lab, w)]
                ratios = [a / b for a, b in zip(base, t) if a is not None and b is not None and b > 0]
                ratio = f"{statistics.median(ratios):.3g}" if lab != base_label and ratios else "—"
                print(f"| {title} | {lab} | {med(t):.3f} | {ratio} |")


if __name__ == "__main__":
    main()
