#!/usr/bin/env python3
"""Reference trajectories of torch.optim on the 2-D Rosenbrock function.

Writes tests/fixtures/torch/<kind>.json, read by tests/optim_reference.rs. A dev
tool: the crate never runs Python. Run from the repository root:

    python3 tools/gen_torch_refs.py            # writes the fixtures
    python3 tools/gen_torch_refs.py --check    # regenerates in memory, compares with the files

Every case runs torch.optim in float64 (default dtype float64, so that scalar
state such as NAdam's mu_product is float64 too), foreach=False, maximize=False,
differentiable=False, capturable=False. The gradient is not autograd's: it is
the closed form computed with Python floats in the same order as optlab's
Rosenbrock, so the fixtures test the optimizer alone,

    r = y - x*x;  f = 100 r r + (1 - x)(1 - x);  grad = (-400 x r - 2 (1 - x), 200 r).

Layout (as torch_public.json): per case `id`, `objective`, `start`, `steps`,
`optimizer` (optlab's names: torch's with tuples split, beta1/beta2,
eta_minus/eta_plus, step_min/step_max; only the non-default values), the
`resolved_hparams` of torch's param_group, and for k = 0..steps `params[k]`,
`loss[k]` after k updates, and for k = 0..steps-1 `lr[k]`, the rate of update
k+1. Optional:

- `schedule`: optlab's schedule (kind, its parameters, warmup). The lr of each
  update is computed with the closed form (optlab's Schedule::lr) and written
  into param_group['lr'] before the update; `torch_scheduler_max_rel_diff` is
  how far torch's own lr_scheduler objects are from that sequence.
- `changes`: [{step, name, value}], a hyperparameter set in param_group after
  `step` updates, the optimizer state kept (an optlab [[event]]).

`amplification` is how much a relative change of 1e-13 in the start and in the lr
of every update (a model of last-digit rounding differences) grows along the
trajectory (max over steps and coordinates of |Δp| / (1e-13 (|p| + 1e-3)),
the floor of the tests' tolerance). Cases above
1e3 are rejected: there, last-digit differences in arithmetic (torch's CPU
kernels may fuse multiply-adds) would grow past the tests' 1e-9 tolerance and
the comparison would test chaos, not the optimizer.
"""

import argparse
import json
import math
import os
import sys

import torch

torch.set_default_dtype(torch.float64)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "torch")

# optlab kind -> (torch class, PyTorch defaults in optlab's names)
KINDS = {
    "gd": (torch.optim.SGD, dict(lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0)),
    "sgd": (torch.optim.SGD, dict(lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0)),
    "adagrad": (
        torch.optim.Adagrad,
        dict(lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10),
    ),
    "rmsprop": (
        torch.optim.RMSprop,
        dict(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False),
    ),
    "adam": (torch.optim.Adam, dict(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, amsgrad=False)),
    "adamw": (torch.optim.AdamW, dict(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2, amsgrad=False)),
    "adamax": (torch.optim.Adamax, dict(lr=2e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0)),
    "nadam": (
        torch.optim.NAdam,
        dict(
            lr=2e-3,
            beta1=0.9,
            beta2=0.999,
            eps=1e-8,
            weight_decay=0.0,
            momentum_decay=4e-3,
            decoupled_weight_decay=False,
        ),
    ),
    "radam": (
        torch.optim.RAdam,
        dict(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, decoupled_weight_decay=False),
    ),
    "adadelta": (torch.optim.Adadelta, dict(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0)),
    "rprop": (torch.optim.Rprop, dict(lr=1e-2, eta_minus=0.5, eta_plus=1.2, step_min=1e-6, step_max=50.0)),
    "asgd": (torch.optim.ASGD, dict(lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0.0)),
}

# optlab name -> (torch param_group key, index in the tuple or None)
TUPLES = {
    "beta1": ("betas", 0),
    "beta2": ("betas", 1),
    "eta_minus": ("etas", 0),
    "eta_plus": ("etas", 1),
    "step_min": ("step_sizes", 0),
    "step_max": ("step_sizes", 1),
}

START = [-1.5, 2.0]


def rosenbrock(x, y):
    r = y - x * x
    return 100.0 * r * r + (1.0 - x) * (1.0 - x)


def rosenbrock_grad(x, y):
    r = y - x * x
    return (-400.0 * x * r - 2.0 * (1.0 - x), 200.0 * r)


def torch_kwargs(hp):
    kw = {}
    for name, value in hp.items():
        if name in TUPLES:
            key, i = TUPLES[name]
            pair = list(kw.get(key, (None, None)))
            pair[i] = value
            kw[key] = tuple(pair)
        else:
            kw[name] = value
    return kw


def set_hparam(group, name, value):
    if name in TUPLES:
        key, i = TUPLES[name]
        pair = list(group[key])
        pair[i] = value
        group[key] = tuple(pair)
    else:
        group[name] = value


def closed_form_lr(schedule, base, t):
    """optlab's Schedule::lr (src/optim/schedule.rs)."""
    kind = schedule["kind"]
    if kind == "constant":
        lr = base
    elif kind == "step":
        lr = base * schedule["gamma"] ** (t // max(schedule["step_size"], 1))
    elif kind == "exponential":
        lr = base * schedule["gamma"] ** t
    elif kind == "cosine":
        t_max = max(schedule["t_max"], 1)
        eta_min = schedule.get("eta_min", 0.0)
        lr = eta_min + (base - eta_min) * (1.0 + math.cos(math.pi * t / t_max)) / 2.0
    else:
        raise ValueError(kind)
    warmup = schedule.get("warmup", 0)
    if t < warmup:
        lr = lr * (t + 1) / warmup
    return lr


def torch_scheduler_lrs(schedule, base, steps):
    """The same schedule with torch's lr_scheduler objects, to check the closed form."""
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=base)
    kind = schedule["kind"]
    if kind == "step":
        main = torch.optim.lr_scheduler.StepLR(opt, step_size=schedule["step_size"], gamma=schedule["gamma"])
    elif kind == "exponential":
        main = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=schedule["gamma"])
    elif kind == "cosine":
        main = torch.optim.lr_scheduler.CosineAnnealingLR(
            opt, T_max=schedule["t_max"], eta_min=schedule.get("eta_min", 0.0)
        )
    else:
        main = torch.optim.lr_scheduler.ConstantLR(opt, factor=1.0, total_iters=0)
    scheds = [main]
    warmup = schedule.get("warmup", 0)
    if warmup > 1:
        # (t + 1) / N for t < N is LinearLR from 1/N over N − 1 iterations.
        scheds.insert(
            0, torch.optim.lr_scheduler.LinearLR(opt, start_factor=1.0 / warmup, total_iters=warmup - 1)
        )
    sched = torch.optim.lr_scheduler.ChainedScheduler(scheds) if len(scheds) > 1 else main
    lrs = []
    for _ in range(steps):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return lrs


def run_case(case, perturb=0.0):
    kind = case["kind"]
    cls, defaults = KINDS[kind]
    hp = dict(defaults)
    hp.update(case.get("hp", {}))
    steps = case["steps"]
    start = [v * (1.0 + perturb) for v in case.get("start", START)]
    schedule = case.get("schedule")
    changes = sorted(case.get("changes", []), key=lambda c: c["step"])

    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = cls([p], foreach=False, **torch_kwargs(hp))
    group = opt.param_groups[0]
    for flag in ("maximize", "differentiable", "capturable"):
        if group.get(flag):
            raise AssertionError(flag)
    resolved = {k: (list(v) if isinstance(v, tuple) else v) for k, v in group.items() if k != "params"}

    base = hp["lr"]
    params = [list(start)]
    losses = [rosenbrock(*start)]
    lrs = []
    for k in range(steps):
        for change in changes:
            if change["step"] == k:
                set_hparam(group, change["name"], change["value"])
                if change["name"] == "lr":
                    base = change["value"]
                # optlab starts state that a switch turns on at zero; torch would raise KeyError.
                state = opt.state[p]
                if state and change["name"] == "amsgrad" and change["value"] and "max_exp_avg_sq" not in state:
                    state["max_exp_avg_sq"] = torch.zeros_like(p)
                if state and change["name"] == "centered" and change["value"] and "grad_avg" not in state:
                    state["grad_avg"] = torch.zeros_like(p)
                if state and change["name"] == "momentum" and kind == "rmsprop" and "momentum_buffer" not in state:
                    state["momentum_buffer"] = torch.zeros_like(p)
        if schedule is not None:
            group["lr"] = closed_form_lr(schedule, base, k)
        lrs.append(float(group["lr"]))
        x, y = p.detach().tolist()
        gx, gy = rosenbrock_grad(x, y)
        p.grad = torch.tensor([gx, gy], dtype=torch.float64)
        if perturb != 0.0:
            group["lr"] = lrs[-1] * (1.0 + perturb)
        opt.step()
        group["lr"] = lrs[-1]
        x, y = p.detach().tolist()
        params.append([x, y])
        losses.append(rosenbrock(x, y))
        if not all(math.isfinite(v) and abs(v) < 10.0 for v in (x, y)):
            raise AssertionError(f"{case['id']}: diverged at step {k + 1}")

    if perturb != 0.0:
        return params

    # A case is only a fair 1e-9 test if rounding differences (torch's kernels may
    # fuse multiply-adds) are not amplified: perturb the start and every lr, and measure.
    eps = 1e-13
    nudged = run_case(case, perturb=eps)
    # Relative, with the floor of the tests' tolerance (1e-9 |a| + 1e-12 = 1e-9 (|a| + 1e-3)).
    amplification = max(
        abs(a - b) / (max(abs(a), abs(b)) + 1e-3) / eps for pa, pb in zip(params, nudged) for a, b in zip(pa, pb)
    )
    if amplification > 1e3:
        raise AssertionError(f"{case['id']}: ill-conditioned, a 1e-13 change of the start grows {amplification:.3g}x")

    out = {
        "id": case["id"],
        "objective": "rosenbrock",
        "start": list(start),
        "steps": steps,
        "optimizer": dict({"kind": kind}, **case.get("hp", {})),
        "resolved_hparams": resolved,
        "amplification": amplification,
    }
    if schedule is not None:
        out["schedule"] = schedule
        torch_lrs = torch_scheduler_lrs(schedule, hp["lr"], steps)
        diff = max(abs(a - b) / max(abs(a), abs(b), 1e-300) for a, b in zip(torch_lrs, lrs))
        if diff > 1e-12:
            raise AssertionError(f"{case['id']}: closed form differs from torch's scheduler by {diff}")
        out["torch_scheduler_max_rel_diff"] = diff
    if changes:
        out["changes"] = changes
    if "note" in case:
        out["note"] = case["note"]
    out["loss"] = losses
    out["params"] = params
    out["lr"] = lrs
    return out


def cases():
    c = []

    def add(kind, name, steps=150, **kw):
        c.append(dict(id=f"{kind}_{name}", kind=kind, steps=steps, **kw))

    # sgd / gd
    add("gd", "default", hp=dict(lr=1e-3))
    add("sgd", "plain", hp=dict(lr=1e-3), start=[0.0, 0.0])
    add("sgd", "momentum", hp=dict(lr=5e-4, momentum=0.9))
    add("sgd", "dampening", hp=dict(lr=5e-4, momentum=0.9, dampening=0.5))
    add("sgd", "nesterov", hp=dict(lr=5e-4, momentum=0.9, nesterov=True), start=[1.2, 1.2])
    add("sgd", "weight_decay", hp=dict(lr=1e-3, weight_decay=0.1))
    add("sgd", "momentum_weight_decay", hp=dict(lr=5e-4, momentum=0.8, dampening=0.1, weight_decay=0.05))
    # adagrad
    add("adagrad", "default", hp={}, start=[-0.5, 1.5])
    add("adagrad", "lr_decay", hp=dict(lr=0.1, lr_decay=0.05))
    add("adagrad", "initial_accumulator", hp=dict(lr=0.1, initial_accumulator_value=0.5))
    add("adagrad", "weight_decay", hp=dict(lr=0.1, weight_decay=0.1, eps=1e-6))
    # rmsprop
    add("rmsprop", "default", hp={})
    add("rmsprop", "alpha", hp=dict(lr=1e-3, alpha=0.9), start=[-0.5, 1.5])
    add("rmsprop", "centered", hp=dict(lr=1e-3, centered=True))
    add("rmsprop", "momentum", hp=dict(lr=1e-3, momentum=0.9))
    add("rmsprop", "centered_momentum", hp=dict(lr=5e-4, momentum=0.5, centered=True, alpha=0.95))
    add("rmsprop", "weight_decay", hp=dict(lr=1e-3, weight_decay=0.1, eps=1e-4))
    # adam
    add("adam", "default", hp={})
    add("adam", "lr", hp=dict(lr=0.02), start=[1.2, 1.2])
    add("adam", "amsgrad", hp=dict(lr=0.01, amsgrad=True))
    add("adam", "weight_decay", hp=dict(lr=0.01, weight_decay=0.1))
    add("adam", "amsgrad_weight_decay", hp=dict(lr=0.01, amsgrad=True, weight_decay=0.05, eps=1e-3))
    add("adam", "betas", hp=dict(lr=0.01, beta1=0.5, beta2=0.9), start=[0.0, 0.0])
    # adamw
    add("adamw", "default", hp={})
    add("adamw", "weight_decay", hp=dict(lr=0.01, weight_decay=0.5))
    add("adamw", "amsgrad", hp=dict(lr=0.01, weight_decay=0.1, amsgrad=True), start=[1.2, 1.2])
    # adamax
    add("adamax", "default", hp={})
    add("adamax", "lr_betas", hp=dict(lr=0.01, beta1=0.8, beta2=0.99), start=[0.0, 0.0])
    add("adamax", "weight_decay", hp=dict(lr=0.01, weight_decay=0.1, eps=1e-3))
    # nadam
    add("nadam", "default", hp={})
    add("nadam", "lr", hp=dict(lr=0.01), start=[1.2, 1.2])
    add("nadam", "weight_decay", hp=dict(lr=0.01, weight_decay=0.1))
    add("nadam", "decoupled_weight_decay", hp=dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True))
    add("nadam", "momentum_decay", hp=dict(lr=0.01, momentum_decay=0.02, beta2=0.99))
    # radam: with beta2 = 0.999 updates 1-5 take the un-adapted branch, 6+ the rectified one
    add("radam", "default", hp={})
    add("radam", "lr", hp=dict(lr=0.01), start=[0.0, 0.0])
    add("radam", "weight_decay", hp=dict(lr=3e-3, weight_decay=0.1))
    add("radam", "decoupled_weight_decay", hp=dict(lr=3e-3, weight_decay=0.1, decoupled_weight_decay=True))
    add("radam", "beta2_0.9", hp=dict(lr=5e-3, beta2=0.9, beta1=0.8), start=[0.0, 0.0])
    # adadelta
    add("adadelta", "default", steps=120, hp={})
    add("adadelta", "rho_eps", hp=dict(lr=1.0, rho=0.5, eps=1e-4), start=[-0.5, 1.5])
    add("adadelta", "weight_decay", hp=dict(lr=2.0, weight_decay=0.1, eps=1e-4))
    # rprop
    add("rprop", "default", hp={})
    add("rprop", "zero_gradient_start", hp=dict(lr=1e-3), start=[0.0, 0.0], note="grad_y = 0 at the start")
    add("rprop", "etas", hp=dict(lr=0.05, eta_minus=0.3, eta_plus=1.5))
    add("rprop", "step_bounds", hp=dict(lr=0.01, step_min=1e-3, step_max=0.02), start=[1.2, 1.2])

    # asgd: t0 small so that the averaging (ax) and μ < 1 are exercised
    add("asgd", "default", hp=dict(lr=1e-3))
    add("asgd", "lambd_alpha", hp=dict(lr=1e-3, lambd=0.5, alpha=1.0), start=[-0.5, 1.5])
    add("asgd", "t0_weight_decay", hp=dict(lr=1e-3, t0=20.0, weight_decay=0.1))
    add("asgd", "cosine", hp=dict(lr=1e-3, lambd=0.1), schedule=dict(kind="cosine", t_max=150, eta_min=0.0, warmup=0),
        note="eta follows the lr one update late, as torch computes it at the end of each step")

    # schedules: lr from optlab's closed forms, set in param_group before each update
    add("adam", "steplr", hp=dict(lr=0.05), schedule=dict(kind="step", step_size=30, gamma=0.5, warmup=0))
    add("sgd", "exponentiallr", hp=dict(lr=1e-3, momentum=0.9), schedule=dict(kind="exponential", gamma=0.99, warmup=0))
    add("rmsprop", "cosine", hp=dict(lr=0.01), schedule=dict(kind="cosine", t_max=150, eta_min=0.0, warmup=0))
    add(
        "nadam",
        "cosine_eta_min",
        hp=dict(lr=0.02),
        schedule=dict(kind="cosine", t_max=100, eta_min=1e-3, warmup=0),
        note="t_max < steps: the closed form is periodic past t_max, as torch's _get_closed_form_lr",
    )
    add("radam", "steplr", hp=dict(lr=0.02), start=[0.0, 0.0], schedule=dict(kind="step", step_size=25, gamma=0.3, warmup=0))
    add("adagrad", "exponentiallr", hp=dict(lr=0.2, lr_decay=0.01), schedule=dict(kind="exponential", gamma=0.98, warmup=0))
    add("adamw", "cosine_warmup", hp=dict(lr=0.02, weight_decay=0.1), schedule=dict(kind="cosine", t_max=150, eta_min=0.0, warmup=10))
    add("adamax", "steplr_warmup", hp=dict(lr=0.05), schedule=dict(kind="step", step_size=40, gamma=0.5, warmup=5))
    add("adadelta", "exponentiallr", hp=dict(lr=3.0), schedule=dict(kind="exponential", gamma=0.98, warmup=0))
    add("rprop", "steplr", hp=dict(lr=0.01), schedule=dict(kind="step", step_size=10, gamma=0.1, warmup=0),
        note="Rprop reads lr only at the first update")

    # hyperparameters changed mid-run, state kept
    add("adam", "change_lr", hp=dict(lr=0.01), changes=[dict(step=60, name="lr", value=0.003)])
    add("adam", "change_beta1", hp=dict(lr=0.01), changes=[dict(step=50, name="beta1", value=0.5)])
    add("adam", "switch_amsgrad", hp=dict(lr=0.01), changes=[dict(step=40, name="amsgrad", value=True)],
        note="max_exp_avg_sq starts at zero when amsgrad is switched on (torch would raise KeyError)")
    add("sgd", "change_momentum", hp=dict(lr=5e-4, momentum=0.9), changes=[dict(step=50, name="momentum", value=0.5)])
    add("sgd", "switch_momentum_on", hp=dict(lr=5e-4), changes=[dict(step=30, name="momentum", value=0.9)])
    add("rmsprop", "change_alpha", hp=dict(lr=1e-3), changes=[dict(step=50, name="alpha", value=0.5)])
    add("rmsprop", "switch_centered_momentum", hp=dict(lr=1e-3),
        changes=[dict(step=40, name="centered", value=True), dict(step=80, name="momentum", value=0.5)],
        note="grad_avg and momentum_buffer start at zero when switched on (torch would raise KeyError)")
    add("adagrad", "change_lr_decay", hp=dict(lr=0.1), changes=[dict(step=50, name="lr_decay", value=0.1)])
    add("nadam", "change_momentum_decay", hp=dict(lr=0.01), changes=[dict(step=50, name="momentum_decay", value=0.05)])
    add("radam", "change_beta2", hp=dict(lr=3e-3), changes=[dict(step=50, name="beta2", value=0.99)])
    add("adamw", "change_weight_decay", hp=dict(lr=0.01), changes=[dict(step=50, name="weight_decay", value=0.5)])
    add("rprop", "change_etas", hp=dict(lr=0.01), changes=[dict(step=50, name="eta_plus", value=2.0),
                                                           dict(step=50, name="step_max", value=0.05)])
    add("adamax", "change_lr", hp=dict(lr=0.01), changes=[dict(step=50, name="lr", value=0.05)])
    add("adadelta", "change_rho", hp=dict(lr=1.0), changes=[dict(step=50, name="rho", value=0.5)])
    return c


LBFGS_DEFAULTS = dict(
    lr=1.0, max_iter=20, max_eval=0, tolerance_grad=1e-7, tolerance_change=1e-9, history_size=100, line_search_fn="none"
)


def run_lbfgs_case(case):
    """One LBFGS.step(closure) per update; every closure call counted."""
    hp = dict(LBFGS_DEFAULTS)
    hp.update(case.get("hp", {}))
    kw = dict(hp)
    kw["max_eval"] = None if hp["max_eval"] == 0 else hp["max_eval"]
    kw["line_search_fn"] = None if hp["line_search_fn"] == "none" else hp["line_search_fn"]
    start = case.get("start", START)
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([p], **kw)
    resolved = {k: v for k, v in opt.param_groups[0].items() if k != "params"}
    resolved["max_eval"] = resolved["max_eval"]
    resolved["line_search_fn"] = "none" if resolved["line_search_fn"] is None else resolved["line_search_fn"]
    calls = [0]

    def closure():
        calls[0] += 1
        x, y = p.detach().tolist()
        gx, gy = rosenbrock_grad(x, y)
        p.grad = torch.tensor([gx, gy], dtype=torch.float64)
        return rosenbrock(x, y)

    params, losses, evals = [list(start)], [rosenbrock(*start)], []
    for _ in range(case["steps"]):
        calls[0] = 0
        opt.step(closure)
        evals.append(calls[0])
        x, y = p.detach().tolist()
        params.append([x, y])
        losses.append(rosenbrock(x, y))
    out = {
        "id": case["id"],
        "objective": "rosenbrock",
        "start": list(start),
        "steps": case["steps"],
        "optimizer": dict({"kind": "lbfgs"}, **case.get("hp", {})),
        "resolved_hparams": resolved,
        "loss": losses,
        "params": params,
        "lr": [hp["lr"]] * case["steps"],
        "func_evals": evals,
    }
    if "note" in case:
        out["note"] = case["note"]
    return out


def lbfgs_cases():
    c = []

    def add(name, steps, **kw):
        c.append(dict(id=f"lbfgs_{name}", steps=steps, **kw))

    add("strong_wolfe", 12, hp=dict(line_search_fn="strong_wolfe"))
    add("strong_wolfe_history_3", 20, hp=dict(line_search_fn="strong_wolfe", history_size=3, max_iter=5))
    add("strong_wolfe_max_eval", 20, hp=dict(line_search_fn="strong_wolfe", max_eval=6), start=[1.2, 1.2])
    add("fixed_step", 30, hp=dict(lr=0.1, max_iter=4))
    add("fixed_step_one_iteration", 40, hp=dict(lr=0.05, max_iter=1), note="one evaluation per update")
    add("tolerances", 15, hp=dict(line_search_fn="strong_wolfe", tolerance_grad=1e-3, tolerance_change=1e-4))
    return c


def generate():
    files = {}
    for case in lbfgs_cases():
        files.setdefault("lbfgs", []).append(run_lbfgs_case(case))
    for case in cases():
        out = run_case(case)
        files.setdefault(case["kind"], []).append(out)
    source = (
        f"torch.optim {torch.__version__}, float64 (default dtype float64), foreach=False; "
        "gradient: closed-form Rosenbrock in Python floats (tools/gen_torch_refs.py); "
        "loss[k] and params[k] after k updates (k=0 is the start); lr[k] is the rate of update k+1"
    )
    return {kind: {"source": source, "cases": cs} for kind, cs in files.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare with the files instead of writing them")
    args = ap.parse_args()
    generated = generate()
    os.makedirs(OUT, exist_ok=True)
    stale = []
    for kind, data in sorted(generated.items()):
        path = os.path.join(OUT, f"{kind}.json")
        text = json.dumps(data, separators=(",", ":")) + "\n"
        if args.check:
            with open(path) as f:
                if f.read() != text:
                    stale.append(path)
        else:
            with open(path, "w") as f:
                f.write(text)
            print(f"{path}: {len(data['cases'])} cases, {len(text)} bytes")
    if stale:
        print("stale:", *stale, sep="\n  ")
        sys.exit(1)


if __name__ == "__main__":
    main()
