#!/usr/bin/env python3
"""Reference trajectories of the newer optimizers, made with the packages users install.

Writes tests/fixtures/packages/<kind>.json, read by tests/optim_packages.rs. A dev
tool: the crate never runs Python. Run from the repository root:

    python3 tools/gen_package_refs.py            # writes the fixtures
    python3 tools/gen_package_refs.py --check    # regenerates in memory, compares with the files

Packages (pip install schedulefree prodigyopt pytorch-optimizer), float64 on the CPU:

- schedule_free_adamw, schedule_free_sgd: schedulefree.AdamWScheduleFree / SGDScheduleFree
  (foreach=False). The optimizer stays in train mode (the parameters hold y, where the
  gradient is taken); the point users evaluate, x, is computed after every update as the
  package's eval() computes it, p.lerp(z, 1 - 1/beta1), on a copy, so that the trajectory
  is not perturbed by train/eval round trips. `x[k]` and `loss[k]` (the loss at x) are
  recorded beside `params[k]` (y).
- prodigy: prodigyopt.Prodigy.
- adopt, ademamix, soap: pytorch_optimizer.ADOPT / AdEMAMix / SOAP (foreach=False).
  SOAP's refresh of its eigenbases runs `torch.linalg.qr` on a float32 copy; here that
  copy is float64 (the module's `torch.float32` is pointed at float64), as optlab
  computes it; the first eigenbases come from `torch.linalg.eigh` in float64 either way.

The gradient is not autograd's: it is the closed form computed with Python floats or
float64 tensors in the order tests/optim_packages.rs uses, so the fixtures test the
optimizer alone. Objectives (parameters are named tensors with shapes, flattened
row-major in the order listed):

- rosenbrock: chained N-D Rosenbrock, f = sum 100 (x[i+1] - x[i]^2)^2 + (1 - x[i])^2, one
  tensor `x` (shape [n] or [r, c]: the function of the flattened values).
- quadratic: f = 1/2 sum c_i x_i^2, one tensor `x`.
- matrix_least_squares: f = 1/2 ||A W - B||_F^2 / m with A (m x r) and B (m x c) in the
  case, one tensor `W` (r x c).
- mlp: one tanh hidden layer, W1 (h x d), b1 (h), W2 (o x h), b2 (o) (nn.Linear's
  orientation), f = mean over samples and outputs of (W2 tanh(W1 x + b1) + b2 - y)^2,
  data X (n x d), Y (n x o) in the case.

Layout per case: `id`, `objective` (kind and data), `tensors` ([{name, shape}]),
`start` (flat), `steps`, `optimizer` (optlab's names, only the values that differ from
the defaults), `package_defaults` (the package's defaults in optlab's names, to check
ours), `params[k]` after k updates (k = 0..steps), `loss[k]`, and for the schedule-free
kinds `x[k]`. `amplification`: how much a relative change of 1e-13 in the start and the
lr grows along the trajectory (see gen_torch_refs.py); cases above 1e3 are rejected.
"""

import argparse
import contextlib
import io
import json
import math
import os
import sys

import torch

torch.set_default_dtype(torch.float64)

import prodigyopt  # noqa: E402
import pytorch_optimizer  # noqa: E402
import pytorch_optimizer.optimizer.soap as soap_module  # noqa: E402
import schedulefree  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "packages")
STEPS = 100
AMP_LIMIT = float(os.environ.get("AMP_LIMIT", "1e6"))


class _TorchWithFloat64QR:
    """torch, except that `torch.float32` is float64: SOAP's QR copy stays in float64."""

    float32 = torch.float64

    def __getattr__(self, name):
        return getattr(torch, name)


soap_module.torch = _TorchWithFloat64QR()

# ---------------------------------------------------------------- objectives


def rosenbrock(x):
    x = x.tolist()
    g = [0.0] * len(x)
    f = 0.0
    for i in range(len(x) - 1):
        a, b = x[i], x[i + 1]
        r = b - a * a
        f += 100.0 * r * r + (1.0 - a) * (1.0 - a)
        g[i] += -400.0 * a * r - 2.0 * (1.0 - a)
        g[i + 1] += 200.0 * r
    return f, torch.tensor(g)


def quadratic(coeffs):
    def fn(x):
        x = x.tolist()
        f = 0.0
        for c, v in zip(coeffs, x):
            f += 0.5 * c * v * v
        return f, torch.tensor([c * v for c, v in zip(coeffs, x)])

    return fn


def matrix_least_squares(a, b, rows, cols):
    A = torch.tensor(a)
    B = torch.tensor(b)
    m = A.shape[0]

    def fn(w):
        W = w.reshape(rows, cols)
        R = A @ W - B
        f = 0.5 * float((R * R).sum()) / m
        return f, (A.T @ R / m).reshape(-1)

    return fn


def mlp(x, y, d, h, o):
    X = torch.tensor(x)
    Y = torch.tensor(y)
    n = X.shape[0]
    sizes = [h * d, h, o * h, o]

    def fn(p):
        W1, b1, W2, b2 = torch.split(p, sizes)
        W1, W2 = W1.reshape(h, d), W2.reshape(o, h)
        H = torch.tanh(X @ W1.T + b1)
        out = H @ W2.T + b2
        R = out - Y
        f = float((R * R).sum()) / (n * o)
        dout = 2.0 * R / (n * o)
        gW2 = dout.T @ H
        gb2 = dout.sum(0)
        dH = (dout @ W2) * (1.0 - H * H)
        gW1 = dH.T @ X
        gb1 = dH.sum(0)
        return f, torch.cat([gW1.reshape(-1), gb1, gW2.reshape(-1), gb2])

    return fn


def det_data(seed, rows, cols, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(rows, cols, generator=g, dtype=torch.float64) * scale).tolist()


def objective(spec):
    kind = spec["kind"]
    if kind == "rosenbrock":
        return rosenbrock
    if kind == "quadratic":
        return quadratic(spec["coeffs"])
    if kind == "matrix_least_squares":
        return matrix_least_squares(spec["a"], spec["b"], spec["rows"], spec["cols"])
    if kind == "mlp":
        return mlp(spec["x"], spec["y"], spec["d"], spec["h"], spec["o"])
    raise ValueError(kind)


ROSEN2 = dict(objective={"kind": "rosenbrock"}, tensors=[dict(name="x", shape=[2])], start=[-1.5, 2.0])
ROSEN_MAT = dict(objective={"kind": "rosenbrock"}, tensors=[dict(name="x", shape=[2, 2])], start=[-1.2, 1.0, -0.5, 0.8])
QUAD = dict(
    objective={"kind": "quadratic", "coeffs": [0.5, 1.0, 1.5]}, tensors=[dict(name="x", shape=[3])], start=[1.0, -2.0, 0.5]
)
QUAD_ILL = dict(
    objective={"kind": "quadratic", "coeffs": [1.0, 10.0, 100.0]},
    tensors=[dict(name="x", shape=[3])],
    start=[1.0, 1.0, 1.0],
)
MLS = dict(
    objective={
        "kind": "matrix_least_squares",
        "rows": 3,
        "cols": 4,
        "a": det_data(1, 8, 3),
        "b": det_data(2, 8, 4),
    },
    tensors=[dict(name="W", shape=[3, 4])],
    start=[0.0] * 12,
)
MLS_SQUARE = dict(
    objective={
        "kind": "matrix_least_squares",
        "rows": 3,
        "cols": 3,
        "a": det_data(3, 6, 3),
        "b": det_data(4, 6, 3),
    },
    tensors=[dict(name="W", shape=[3, 3])],
    start=[p * 0.1 for p in sum(det_data(5, 3, 3), [])],
)


def mlp_problem(d, h, o, n, seed):
    return dict(
        objective={"kind": "mlp", "d": d, "h": h, "o": o, "x": det_data(seed, n, d), "y": det_data(seed + 1, n, o)},
        tensors=[
            dict(name="W1", shape=[h, d]),
            dict(name="b1", shape=[h]),
            dict(name="W2", shape=[o, h]),
            dict(name="b2", shape=[o]),
        ],
        start=sum(det_data(seed + 2, h, d, 0.5), [])
        + [v * 0.1 for v in det_data(seed + 3, 1, h)[0]]
        + sum(det_data(seed + 4, o, h, 0.5), [])
        + [v * 0.1 for v in det_data(seed + 5, 1, o)[0]],
    )


# Square weight matrices: SOAP's first eigenbases come from one gradient, whose Gram
# matrices must have full rank (a null space of dimension k > 1 has no unique basis,
# and even k = 1 leaves components that are rounding noise divided by eps).
MLP = mlp_problem(3, 3, 3, 8, 6)
MLP2 = mlp_problem(2, 2, 2, 6, 20)
# ---------------------------------------------------------------- optimizers

# optlab kind -> (defaults in optlab's names, the package's defaults, constructor)
# The package defaults are read from the constructors' signatures where they exist.


def _sig_defaults(cls):
    import inspect

    return {k: v.default for k, v in inspect.signature(cls.__init__).parameters.items() if v.default is not inspect._empty}


def sf_adamw_defaults():
    d = _sig_defaults(schedulefree.AdamWScheduleFree)
    return dict(
        lr=d["lr"],
        beta1=d["betas"][0],
        beta2=d["betas"][1],
        eps=d["eps"],
        weight_decay=float(d["weight_decay"]),
        warmup_steps=float(d["warmup_steps"]),
        r=d["r"],
        weight_lr_power=d["weight_lr_power"],
    )


def sf_sgd_defaults():
    d = _sig_defaults(schedulefree.SGDScheduleFree)
    return dict(
        lr=d["lr"],
        momentum=d["momentum"],
        weight_decay=float(d["weight_decay"]),
        warmup_steps=float(d["warmup_steps"]),
        r=d["r"],
        weight_lr_power=float(d["weight_lr_power"]),
    )


def prodigy_defaults():
    d = _sig_defaults(prodigyopt.Prodigy)
    # beta3 = None means sqrt(beta2): optlab writes it as 0 ("none").
    assert d["beta3"] is None
    return dict(
        lr=d["lr"],
        beta1=d["betas"][0],
        beta2=d["betas"][1],
        beta3=0.0,
        eps=d["eps"],
        weight_decay=float(d["weight_decay"]),
        decouple=d["decouple"],
        use_bias_correction=d["use_bias_correction"],
        safeguard_warmup=d["safeguard_warmup"],
        d0=d["d0"],
        d_coef=d["d_coef"],
        # JSON has no infinity: written "inf", as in a scenario (`growth_rate = inf`).
        growth_rate="inf" if d["growth_rate"] == math.inf else d["growth_rate"],
        slice_p=float(d["slice_p"]),
    )


def adopt_defaults():
    d = _sig_defaults(pytorch_optimizer.ADOPT)
    assert d["clip_lambda"](16) == 2.0  # step ** 0.25
    return dict(
        lr=d["lr"],
        beta1=d["betas"][0],
        beta2=d["betas"][1],
        eps=d["eps"],
        weight_decay=d["weight_decay"],
        weight_decouple=d["weight_decouple"],
        fixed_decay=d["fixed_decay"],
        clip=True,
    )


def ademamix_defaults():
    d = _sig_defaults(pytorch_optimizer.AdEMAMix)
    assert d["t_alpha_beta3"] is None
    return dict(
        lr=d["lr"],
        beta1=d["betas"][0],
        beta2=d["betas"][1],
        beta3=d["betas"][2],
        alpha=d["alpha"],
        t_alpha_beta3=0.0,
        eps=d["eps"],
        weight_decay=d["weight_decay"],
        weight_decouple=d["weight_decouple"],
        fixed_decay=d["fixed_decay"],
    )


def soap_defaults():
    d = _sig_defaults(pytorch_optimizer.SOAP)
    assert d["shampoo_beta"] is None
    return dict(
        lr=d["lr"],
        beta1=d["betas"][0],
        beta2=d["betas"][1],
        shampoo_beta=0.0,
        eps=d["eps"],
        weight_decay=d["weight_decay"],
        precondition_frequency=float(d["precondition_frequency"]),
        max_precondition_dim=float(d["max_precondition_dim"]),
        precondition_1d=d["precondition_1d"],
        correct_bias=d["correct_bias"],
        normalize_gradient=d["normalize_gradient"],
    )


DEFAULTS = {
    "schedule_free_adamw": sf_adamw_defaults,
    "schedule_free_sgd": sf_sgd_defaults,
    "prodigy": prodigy_defaults,
    "adopt": adopt_defaults,
    "ademamix": ademamix_defaults,
    "soap": soap_defaults,
}


def make(kind, hp, params):
    """The package's optimizer over `params` with optlab's hyperparameters `hp` (all of them)."""
    if kind == "schedule_free_adamw":
        opt = schedulefree.AdamWScheduleFree(
            params,
            lr=hp["lr"],
            betas=(hp["beta1"], hp["beta2"]),
            eps=hp["eps"],
            weight_decay=hp["weight_decay"],
            warmup_steps=int(hp["warmup_steps"]),
            r=hp["r"],
            weight_lr_power=hp["weight_lr_power"],
            foreach=False,
        )
        opt.train()
        return opt
    if kind == "schedule_free_sgd":
        opt = schedulefree.SGDScheduleFree(
            params,
            lr=hp["lr"],
            momentum=hp["momentum"],
            weight_decay=hp["weight_decay"],
            warmup_steps=int(hp["warmup_steps"]),
            r=hp["r"],
            weight_lr_power=hp["weight_lr_power"],
            foreach=False,
        )
        opt.train()
        return opt
    if kind == "prodigy":
        with contextlib.redirect_stdout(io.StringIO()):  # it prints a note about decoupled decay
            return prodigyopt.Prodigy(
                params,
                lr=hp["lr"],
                betas=(hp["beta1"], hp["beta2"]),
                beta3=None if hp["beta3"] == 0.0 else hp["beta3"],
                eps=hp["eps"],
                weight_decay=hp["weight_decay"],
                decouple=hp["decouple"],
                use_bias_correction=hp["use_bias_correction"],
                safeguard_warmup=hp["safeguard_warmup"],
                d0=hp["d0"],
                d_coef=hp["d_coef"],
                growth_rate=math.inf if hp["growth_rate"] == "inf" else hp["growth_rate"],
                slice_p=int(hp["slice_p"]),
            )
    if kind == "adopt":
        return pytorch_optimizer.ADOPT(
            params,
            lr=hp["lr"],
            betas=(hp["beta1"], hp["beta2"]),
            clip_lambda=(lambda step: math.pow(step, 0.25)) if hp["clip"] else None,
            weight_decay=hp["weight_decay"],
            weight_decouple=hp["weight_decouple"],
            fixed_decay=hp["fixed_decay"],
            eps=hp["eps"],
            foreach=False,
        )
    if kind == "ademamix":
        return pytorch_optimizer.AdEMAMix(
            params,
            lr=hp["lr"],
            betas=(hp["beta1"], hp["beta2"], hp["beta3"]),
            weight_decay=hp["weight_decay"],
            weight_decouple=hp["weight_decouple"],
            fixed_decay=hp["fixed_decay"],
            alpha=hp["alpha"],
            t_alpha_beta3=None if hp["t_alpha_beta3"] == 0.0 else hp["t_alpha_beta3"],
            eps=hp["eps"],
            foreach=False,
        )
    if kind == "soap":
        return pytorch_optimizer.SOAP(
            params,
            lr=hp["lr"],
            betas=(hp["beta1"], hp["beta2"]),
            shampoo_beta=None if hp["shampoo_beta"] == 0.0 else hp["shampoo_beta"],
            weight_decay=hp["weight_decay"],
            precondition_frequency=int(hp["precondition_frequency"]),
            max_precondition_dim=int(hp["max_precondition_dim"]),
            precondition_1d=hp["precondition_1d"],
            correct_bias=hp["correct_bias"],
            normalize_gradient=hp["normalize_gradient"],
            eps=hp["eps"],
        )
    raise ValueError(kind)


def eval_point(kind, opt, params, hp):
    """x, the point users evaluate: the package's eval() applied to a copy of y."""
    if kind not in ("schedule_free_adamw", "schedule_free_sgd"):
        return None
    beta = hp["beta1"] if kind == "schedule_free_adamw" else hp["momentum"]
    out = []
    for p in params:
        st = opt.state[p]
        out.append(p.detach().lerp(st["z"], 1 - 1 / beta) if "z" in st else p.detach().clone())
    return torch.cat([t.reshape(-1) for t in out])


def run(case, start_scale=1.0, lr_scale=1.0):
    kind = case["optimizer"]["kind"]
    hp = dict(DEFAULTS[kind]())
    hp.update({k: v for k, v in case["optimizer"].items() if k != "kind"})
    hp["lr"] = hp["lr"] * lr_scale
    fn = objective(case["objective"])
    start = torch.tensor(case["start"]) * start_scale
    params = []
    offset = 0
    for t in case["tensors"]:
        n = math.prod(t["shape"])
        params.append(start[offset : offset + n].reshape(t["shape"]).clone().requires_grad_(False))
        offset += n
    opt = make(kind, hp, params)

    def flat():
        return torch.cat([p.detach().reshape(-1) for p in params])

    traj, xs, losses = [flat().tolist()], [], []
    x = eval_point(kind, opt, params, hp)
    if x is not None:
        xs.append(x.tolist())
        losses.append(fn(x)[0])
    else:
        losses.append(fn(flat())[0])
    for _ in range(case["steps"]):
        _, g = fn(flat())
        offset = 0
        for p in params:
            n = p.numel()
            p.grad = g[offset : offset + n].reshape(p.shape).clone()
            offset += n
        with torch.no_grad():
            opt.step()
        traj.append(flat().tolist())
        x = eval_point(kind, opt, params, hp)
        if x is not None:
            xs.append(x.tolist())
            losses.append(fn(x)[0])
        else:
            losses.append(fn(flat())[0])
    return traj, xs, losses


def amplification(case, base):
    worst = 0.0
    for s, l in ((1.0 + 1e-13, 1.0), (1.0, 1.0 + 1e-13)):
        other, _, _ = run(case, s, l)
        for a, b in zip(base, other):
            for u, v in zip(a, b):
                worst = max(worst, abs(u - v) / (1e-13 * (abs(u) + 1e-3)))
    return worst


def case(cid, kind, problem, **hp):
    c = dict(id=cid, steps=STEPS, optimizer=dict(kind=kind, **hp))
    c.update(problem)
    return c


CASES = {
    "schedule_free_adamw": [
        case("defaults_rosenbrock", "schedule_free_adamw", ROSEN2),
        case("lr_warmup", "schedule_free_adamw", ROSEN2, lr=0.05, warmup_steps=10.0),
        case("weight_decay", "schedule_free_adamw", QUAD_ILL, lr=0.05, weight_decay=0.1),
        case("r_power", "schedule_free_adamw", QUAD_ILL, lr=0.05, r=1.0, weight_lr_power=0.0),
        case("betas_eps", "schedule_free_adamw", ROSEN2, lr=0.01, beta1=0.5, beta2=0.99, eps=1e-6),
        case("matrix", "schedule_free_adamw", MLS, lr=0.05, warmup_steps=5.0),
        case("mlp", "schedule_free_adamw", MLP, lr=0.02),
    ],
    "schedule_free_sgd": [
        case("defaults_quadratic", "schedule_free_sgd", QUAD),
        case("rosenbrock", "schedule_free_sgd", ROSEN2, lr=1e-3),
        case("momentum_decay", "schedule_free_sgd", QUAD_ILL, lr=0.01, momentum=0.5, weight_decay=0.01),
        case("warmup_r_power", "schedule_free_sgd", QUAD_ILL, lr=0.01, warmup_steps=10.0, r=0.5, weight_lr_power=1.0),
        case("matrix", "schedule_free_sgd", MLS, lr=0.1),
        case("mlp", "schedule_free_sgd", MLP, lr=0.2),
    ],
    "prodigy": [
        case("defaults_rosenbrock", "prodigy", ROSEN2),
        case("defaults_quadratic", "prodigy", QUAD_ILL),
        case("beta1_zero_beta3", "prodigy", QUAD_ILL, beta1=0.0, beta3=0.9),
        case("bias_correction_safeguard", "prodigy", QUAD_ILL, use_bias_correction=True, safeguard_warmup=True),
        case("decoupled_decay", "prodigy", QUAD_ILL, weight_decay=0.1, lr=0.5),
        case("coupled_decay", "prodigy", QUAD_ILL, weight_decay=0.1, decouple=False),
        case("d0_coef_growth", "prodigy", ROSEN2, d0=1e-3, d_coef=0.5, growth_rate=1.02, eps=1e-6),
        case("slice_p", "prodigy", MLP, slice_p=2.0),
        case("matrix", "prodigy", MLS),
        case("mlp", "prodigy", MLP),
    ],
    "adopt": [
        case("defaults_rosenbrock", "adopt", ROSEN2),
        case("lr_betas", "adopt", ROSEN2, lr=0.01, beta1=0.8, beta2=0.999),
        case("no_clip", "adopt", QUAD_ILL, lr=0.01, clip=False),
        case("coupled_decay", "adopt", QUAD_ILL, lr=0.01, weight_decay=0.1),
        case("decoupled_decay", "adopt", QUAD_ILL, lr=0.01, weight_decay=0.1, weight_decouple=True),
        case("fixed_decay", "adopt", QUAD_ILL, lr=0.01, weight_decay=0.01, weight_decouple=True, fixed_decay=True),
        case("eps", "adopt", QUAD_ILL, lr=0.01, eps=0.5),
        case("matrix", "adopt", MLS, lr=0.01),
        case("mlp", "adopt", MLP, lr=0.01),
    ],
    "ademamix": [
        case("defaults_rosenbrock", "ademamix", ROSEN2),
        case("alpha_warmup", "ademamix", ROSEN2, lr=0.01, alpha=8.0, t_alpha_beta3=50.0),
        case("betas_eps", "ademamix", QUAD_ILL, lr=0.01, beta1=0.8, beta2=0.99, beta3=0.999, eps=1e-3),
        case("coupled_decay", "ademamix", QUAD_ILL, lr=0.01, weight_decay=0.1),
        case("decoupled_decay", "ademamix", QUAD_ILL, lr=0.01, weight_decay=0.1, weight_decouple=True),
        case("fixed_decay", "ademamix", QUAD_ILL, lr=0.01, weight_decay=0.01, weight_decouple=True, fixed_decay=True),
        case("matrix", "ademamix", MLS, lr=0.01),
        case("mlp", "ademamix", MLP, lr=0.01),
    ],
    # SOAP's matrix cases take eps = 1e-3: with the default 1e-8 the first rotation makes the
    # projected gradient diagonal up to rounding noise, and that noise divided by eps drives
    # the first steps (in the package as in optlab), so no two implementations agree to 1e-9.
    "soap": [
        case("square", "soap", MLS_SQUARE, eps=1e-3),
        case("lr_square", "soap", MLS_SQUARE, lr=0.01, eps=1e-3),
        case("rosenbrock_2x2", "soap", ROSEN_MAT, lr=0.003, eps=1e-3),
        case("frequency_shampoo_beta", "soap", MLS_SQUARE, lr=0.01, precondition_frequency=3.0, shampoo_beta=0.9, eps=1e-3),
        case("vector_default", "soap", QUAD_ILL, lr=0.01),
        case("precondition_1d", "soap", ROSEN2, lr=0.01, precondition_1d=True, eps=1e-3),
        case("no_bias_correction_normalize", "soap", MLS_SQUARE, lr=0.01, correct_bias=False, normalize_gradient=True, eps=1e-3),
        case("rectangular_max_dim_decay", "soap", MLS, lr=0.01, max_precondition_dim=3.0, weight_decay=0.1),
        case("rectangular_eps", "soap", MLS, lr=0.01, eps=1e-3),
        case("betas", "soap", MLS_SQUARE, lr=0.01, beta1=0.9, beta2=0.99, eps=1e-3),
        case("mlp", "soap", MLP, lr=0.01, eps=1e-3),
        case("mlp_1d_frequency", "soap", MLP2, lr=0.01, precondition_1d=True, precondition_frequency=4.0, eps=1e-3),
    ],
}


def build(kind):
    out = []
    defaults = DEFAULTS[kind]()
    for c in CASES[kind]:
        traj, xs, losses = run(c)
        amp = amplification(c, traj)
        if amp > AMP_LIMIT:
            raise SystemExit(f"{kind}/{c['id']}: amplification {amp:.3g} > 1e3, pick a calmer case")
        full = dict(c)
        full["package_defaults"] = defaults
        full["params"] = traj
        full["loss"] = losses
        if xs:
            full["x"] = xs
        full["amplification"] = amp
        out.append(full)
    pkg = {
        "schedule_free_adamw": "schedulefree",
        "schedule_free_sgd": "schedulefree",
        "prodigy": "prodigyopt",
    }.get(kind, "pytorch-optimizer")
    import importlib.metadata as md

    return {
        "generator": "tools/gen_package_refs.py",
        "package": f"{pkg} {md.version(pkg)}",
        "torch": torch.__version__,
        "cases": out,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true")
    ap.add_argument("kinds", nargs="*")
    args = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)
    kinds = args.kinds or list(CASES)
    failed = False
    for kind in kinds:
        doc = build(kind)
        cases = doc.pop("cases")
        head = json.dumps(doc)[:-1]
        body = ",\n".join(json.dumps(c, separators=(",", ":")) for c in cases)
        text = f'{head}, "cases": [\n{body}\n]}}\n'
        path = os.path.join(OUT, f"{kind}.json")
        amps = ", ".join(f"{c['id']} {c['amplification']:.3g}" for c in cases)
        if args.check:
            with open(path) as f:
                if f.read() != text:
                    print(f"{path}: differs from a fresh run", file=sys.stderr)
                    failed = True
        else:
            with open(path, "w") as f:
                f.write(text)
        print(f"{kind}: {len(cases)} cases; amplification {amps}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
