"""The notes' arguments, measured: five claims the lecture makes in words, each shown happening.

1. (A2) ReLU is the sum of infinitely many sigmoids with different biases: Σᵢ Δ·σ((z − bᵢ)/Δ) over
   biases bᵢ spaced Δ apart approaches Δ·softplus(z/Δ) and then ReLU; the largest gap ≈ Δ·ln 2.
2. (A2, A3) A ReLU net is linear inside one "operation region" (the set of active neurons does
   not change) and non-linear across them: along a line through input space, f(x + δ) =
   f(x) + J·δ holds to rounding error inside a region (J from the engine's backward) and fails
   across a boundary. Maxout likewise, with "the winner of each group" as the region.
3. (B2) Regularization "is like fewer parameter updates": weights start near 0 and move away
   with training, so L2 (w ← (1 − ηλ)w − η∂L/∂w) stops them about where plain training stood
   after t ≈ 1/(ηλ) updates.
4. (A4) Local minima are rare in high dimensions: a critical point is a minimum only if the
   Hessian curves upwards in every direction; for random symmetric matrices that fraction falls
   fast with the dimension (½ for n = 1, (2 − √2)/4 for n = 2, …). The critical points of a tiny
   real net (found by minimising ‖∇L‖², Hessians from differences of the engine's gradients) are
   mostly saddles.
5. (0) The deeper-net argument: a deeper ReLU net can copy a shallow one exactly (extra layers
   W = I, b = 0 pass their non-negative input through), so its best training loss is at most the
   shallow net's; a deeper net that is worse on the *training* data was not trained well.

Claims 1 and 4 are about single functions and use the scalar engine; 2 trains small nets on the
2-D moons with the scalar engine; 3 and 5 train on real MNIST-5k with the NumPy backend.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
from _common import main, pyplot, save_figure

from micrograd_tips import nn
from micrograd_tips.data import load_mnist_5k, moons, signed_labels
from micrograd_tips.engine import Value, dot, sum_of
from micrograd_tips.maxout import Maxout
from micrograd_tips.optim import SGD
from micrograd_tips.report import DemoResult
from micrograd_tips.tensor import nn as tnn
from micrograd_tips.training import Callback, fit

# ---------------------------------------------------------------------------------------------
# 1. ReLU = a sum of sigmoids with different biases (scalar engine)
# ---------------------------------------------------------------------------------------------

SPACINGS = (1.0, 0.5, 0.25, 0.1, 0.05)  # Δ: the biases bᵢ = (i + ½)Δ, i = 0 … 6/Δ − 1
Z_GRID = [i / 20 for i in range(-60, 61)]  # z ∈ [−3, 3]


def sigmoid_sum(z: Value, spacing: float, top: float = 6.0) -> Value:
    """Σᵢ Δ·σ((z − bᵢ)/Δ), bᵢ = (i + ½)Δ < top: a staircase of sigmoid steps, each Δ high."""
    steps = round(top / spacing)
    return sum_of([((z - (i + 0.5) * spacing) / spacing).sigmoid() * spacing for i in range(steps)])


def relu_as_sigmoids() -> dict[str, Any]:
    curves, gaps, slope_gaps = {}, {}, {}
    for spacing in SPACINGS:
        values, slopes = [], []
        for z in Z_GRID:
            zv = Value(z)
            s = sigmoid_sum(zv, spacing)
            s.backward()
            values.append(s.data)
            slopes.append(zv.grad)  # d/dz of the sum: the staircase of σ′ bumps → ReLU's step
        curves[spacing] = values
        gaps[spacing] = max(abs(v - max(z, 0.0)) for v, z in zip(values, Z_GRID))
        # the slope away from the kink (|z| ≥ 0.5) approaches ReLU's 0 / 1
        slope_gaps[spacing] = max(abs(d - (z > 0)) for d, z in zip(slopes, Z_GRID) if abs(z) >= 0.5)
    return {"curves": curves, "gaps": gaps, "slope_gaps": slope_gaps}


# ---------------------------------------------------------------------------------------------
# 2. Linear regions of a trained ReLU net and a trained Maxout net (scalar engine, moons)
# ---------------------------------------------------------------------------------------------

LINE = ((-1.5, -0.6), (2.5, 1.1))  # a segment through the two moons


def train_small(model: Any, seed: int, epochs: int) -> Any:
    X, y = moons(100, noise=0.1, seed=seed)
    fit(
        model,
        SGD(model.parameters(), lr=0.05),
        X,
        signed_labels(y),
        loss="hinge",
        epochs=epochs,
        batch_size=10,
        seed=seed,
        progress=False,
    )
    return model


def relu_pattern(state: dict[str, Any], x: np.ndarray) -> tuple[bool, ...]:
    """Which hidden ReLU neurons are active (z > 0) at x — from the weights, not the engine."""
    active: list[bool] = []
    h = x
    names = sorted({k.split(".")[1] for k in state if k.startswith("layers.")}, key=int)
    for k in names[:-1]:  # hidden layers; the last layer is linear
        z = np.asarray(state[f"layers.{k}.weight"]) @ h + np.asarray(state[f"layers.{k}.bias"])
        active += list(z > 0)
        h = np.maximum(z, 0.0)
    return tuple(bool(a) for a in active)


def maxout_pattern(state: dict[str, Any], x: np.ndarray, units: int) -> tuple[int, ...]:
    """The winning piece of every Maxout unit at x — from the weights, not the engine."""
    winners: list[int] = []
    h = x
    for k in range(units):
        z = np.einsum("okn,n->ok", np.asarray(state[f"{k}.weight"]), h) + np.asarray(state[f"{k}.bias"])
        winners += list(np.argmax(z, axis=1))
        h = z.max(axis=1)
    return tuple(int(w) for w in winners)


def value_and_jacobian(model: Any, x: np.ndarray) -> tuple[float, np.ndarray]:
    """f(x) and J = ∂f/∂x, both from the engine (J by backward into the input leaves)."""
    xs = [Value(float(v)) for v in x]
    out = model(xs)
    out.backward()
    return out.data, np.array([v.grad for v in xs])


def linear_regions(model: Any, pattern: Any, points: int) -> dict[str, Any]:
    """Walk the segment LINE: regions crossed, and the error of f(x0) + J·(x − x0) in and across them."""
    a, b = np.array(LINE[0]), np.array(LINE[1])
    ts = np.linspace(0.0, 1.0, points)
    xs = [a + t * (b - a) for t in ts]
    patterns = [pattern(x) for x in xs]
    outputs = [model([float(v) for v in x]).data for x in xs]
    starts = [0] + [i for i in range(1, points) if patterns[i] != patterns[i - 1]]
    inside, across = 0.0, 0.0
    for r, s in enumerate(starts):
        end = starts[r + 1] if r + 1 < len(starts) else points
        f0, J = value_and_jacobian(model, xs[s])
        scale = max(1.0, abs(f0))
        for i in range(s + 1, end):
            inside = max(inside, abs(outputs[i] - f0 - J @ (xs[i] - xs[s])) / scale)
        if end < points:  # the first point past the boundary, and beyond
            across = max(
                across, max(abs(outputs[i] - f0 - J @ (xs[i] - xs[s])) / scale for i in range(end, points))
            )
    return {
        "ts": ts,
        "outputs": outputs,
        "boundaries": [ts[s] for s in starts[1:]],
        "regions": len(starts),
        "inside": inside,
        "across": across,
    }


def region_map(pattern: Any, n: int = 120) -> np.ndarray:
    """An id per distinct activation pattern over the plotting window (for colouring regions)."""
    ids: dict[Any, int] = {}
    grid = np.zeros((n, n), dtype=int)
    for i, yv in enumerate(np.linspace(-1.2, 1.7, n)):
        for j, xv in enumerate(np.linspace(-1.8, 2.8, n)):
            grid[i, j] = ids.setdefault(pattern(np.array([xv, yv])), len(ids))
    return grid


# ---------------------------------------------------------------------------------------------
# 3. Regularization ≈ fewer updates (MNIST-5k, NumPy backend)
# ---------------------------------------------------------------------------------------------

ETA, HIDDEN = 0.1, 64
INIT_SCALE = 0.01  # He-initialised weights × 0.01: the notes' "parameters start near 0"
STOP_EPOCHS = (1, 2, 4, 8)  # for each, λ = 1/(η·t) with t = that many epochs of updates
EXTRA_LAYERS = 14  # claim 5: a 15-hidden-layer net against a 1-hidden-layer one


class WeightNorm(Callback):
    """Records ‖W‖ (all weight matrices, biases excluded) and the validation accuracy per epoch."""

    def __init__(self) -> None:
        self.norms: list[float] = []

    def on_train_begin(self, model: Any, history: Any) -> None:
        self.norms = [weight_norm(model)]

    def on_epoch_end(self, epoch: int, model: Any, history: Any) -> bool | None:
        self.norms.append(weight_norm(model))
        return None


def weight_norm(model: Any) -> float:
    return float(
        math.sqrt(sum(float((p.data**2).sum()) for n, p in model.named_parameters() if "weight" in n))
    )


def mnist_mlp(sizes: list[int], seed: int, init_scale: float = 1.0) -> Any:
    model = tnn.MLP(784, sizes, "relu", init="he", rng=np.random.default_rng(seed), dtype="float32")
    if init_scale != 1.0:  # start near 0, as the notes assume
        model.load_state_dict(
            {k: np.asarray(v) * (init_scale if "weight" in k else 1.0) for k, v in model.state_dict().items()}
        )
    return model


def train_mnist(
    model: Any, data: Any, epochs: int, seed: int, weight_decay: float = 0.0
) -> tuple[Any, WeightNorm]:
    norms = WeightNorm()
    history = fit(
        model,
        SGD(model.parameters(), lr=ETA, weight_decay=weight_decay),
        data.X_train,
        data.y_train,
        loss="cross_entropy",
        epochs=epochs,
        batch_size=50,
        validation=(data.X_val, data.y_val),
        seed=seed,
        callbacks=[norms],
        progress=False,
    )
    return history, norms


def fewer_updates(data: Any, epochs: int, seed: int) -> dict[str, Any]:
    steps_per_epoch = math.ceil(len(data.X_train) / 50)
    plain, plain_norms = train_mnist(mnist_mlp([HIDDEN, 10], seed, INIT_SCALE), data, epochs, seed)
    runs = {}
    for stop_epoch in STOP_EPOCHS:  # λ chosen so that 1/(ηλ) updates = this many epochs
        lam = 1.0 / (ETA * steps_per_epoch * stop_epoch)
        history, norms = train_mnist(mnist_mlp([HIDDEN, 10], seed, INIT_SCALE), data, epochs, seed, lam)
        final = norms.norms[-1]
        # the (fractional) epoch at which plain training's ‖W‖ reached the L2 run's final ‖W‖
        matched = float(np.interp(final, plain_norms.norms, np.arange(len(plain_norms.norms))))
        at_matched = float(np.interp(matched, np.arange(1, epochs + 1), plain.val_accuracy))
        runs[lam] = {
            "predicted_epoch": stop_epoch,
            "matched_epoch": matched,
            "final_norm": final,
            "norms": norms.norms,
            "val_acc": history.val_accuracy[-1],
            "plain_val_at_matched": at_matched,
        }
    return {"plain_norms": plain_norms.norms, "plain_val": plain.val_accuracy, "runs": runs}


# ---------------------------------------------------------------------------------------------
# 4. Minima are rare among critical points in high dimensions
# ---------------------------------------------------------------------------------------------


def fraction_positive_definite(n: int, samples: int, rng: np.random.Generator) -> float:
    """The fraction of random symmetric n×n matrices (A = (G + Gᵀ)/2, G Gaussian) with all eigenvalues > 0."""
    G = rng.standard_normal((samples, n, n))
    return float((np.linalg.eigvalsh((G + G.transpose(0, 2, 1)) / 2) > 0).all(axis=1).mean())


XOR = [((0.0, 0.0), 0.0), ((0.0, 1.0), 1.0), ((1.0, 0.0), 1.0), ((1.0, 1.0), 0.0)]


def xor_loss_and_gradient(theta: np.ndarray) -> tuple[float, np.ndarray]:
    """L(θ) and ∇L from the engine, for a 2-2-1 tanh net on XOR with the mean squared error.

    θ = (w₁ (2), b₁, w₂ (2), b₂, v (2), c):  f(x) = v·(tanh(w₁·x + b₁), tanh(w₂·x + b₂)) + c.
    """
    p = [Value(float(t)) for t in theta]
    w1, b1, w2, b2, v, c = p[0:2], p[2], p[3:5], p[5], p[6:8], p[8]
    errors = []
    for x, y in XOR:
        f = dot(v, [dot(w1, x, b1).tanh(), dot(w2, x, b2).tanh()], c)
        errors.append((f - y) ** 2)
    loss = sum_of(errors) / len(XOR)
    loss.backward()
    return loss.data, np.array([q.grad for q in p])


def hessian(theta: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """H = ∂²L/∂θ² by central differences of the engine's gradients, column by column."""
    columns = []
    for i in range(len(theta)):
        e = np.zeros(len(theta))
        e[i] = h
        columns.append((xor_loss_and_gradient(theta + e)[1] - xor_loss_and_gradient(theta - e)[1]) / (2 * h))
    H = np.array(columns).T
    return (H + H.T) / 2


def find_critical_point(theta: np.ndarray, iterations: int = 60) -> tuple[np.ndarray, float]:
    """Minimise ‖∇L‖² by Gauss-Newton (θ ← θ − H⁺∇L): it converges to minima and saddles alike."""
    for _ in range(iterations):
        gradient = xor_loss_and_gradient(theta)[1]
        if np.linalg.norm(gradient) < 1e-10:
            break
        step = np.linalg.lstsq(hessian(theta), gradient, rcond=1e-10)[0]
        theta = theta - step / max(1.0, float(np.linalg.norm(step)))  # at most a unit step
    return theta, float(np.linalg.norm(xor_loss_and_gradient(theta)[1]))


def curvature(H: np.ndarray) -> tuple[int, int]:
    """(directions curving down, flat directions) of a critical point: eigenvalues < 0 and ≈ 0."""
    eigenvalues = np.linalg.eigvalsh(H)
    tol = 1e-6 * max(1.0, float(np.abs(eigenvalues).max()))
    return int((eigenvalues < -tol).sum()), int((np.abs(eigenvalues) <= tol).sum())


def tiny_net_critical_points(starts: int, rng: np.random.Generator) -> dict[str, int]:
    """Critical points of the XOR net from random starts: minima (all curvatures up) vs saddles."""
    counts = {"found": 0, "minima": 0, "saddles": 0, "flat_no_descent": 0}
    for _ in range(starts):
        theta, gradient_norm = find_critical_point(rng.normal(size=9))
        if gradient_norm < 1e-8:
            down, flat = curvature(hessian(theta))
            counts["found"] += 1
            kind = "saddles" if down else ("flat_no_descent" if flat else "minima")
            counts[kind] += 1
    return counts


# ---------------------------------------------------------------------------------------------
# 5. The deeper net that copies the shallow one (MNIST-5k, NumPy backend)
# ---------------------------------------------------------------------------------------------


def deepen(shallow: Any, extra: int, seed: int) -> Any:
    """A net with `extra` more hidden layers W = I, b = 0 after the shallow net's ReLU layer."""
    deep = mnist_mlp([HIDDEN] * (1 + extra) + [10], seed)
    s = shallow.state_dict()
    state = {"layers.0.weight": s["layers.0.weight"], "layers.0.bias": s["layers.0.bias"]}
    for k in range(1, extra + 1):
        state[f"layers.{k}.weight"] = np.eye(HIDDEN, dtype=np.float32)
        state[f"layers.{k}.bias"] = np.zeros(HIDDEN, dtype=np.float32)
    state[f"layers.{extra + 1}.weight"] = s["layers.1.weight"]
    state[f"layers.{extra + 1}.bias"] = s["layers.1.bias"]
    deep.load_state_dict(state)
    return deep


def training_loss(model: Any, data: Any) -> float:
    losses = type(model).losses
    with model.no_grad():
        return float(losses.cross_entropy(model.eval()(data.X_train), data.y_train).data)


# ---------------------------------------------------------------------------------------------
# The demo
# ---------------------------------------------------------------------------------------------


def plot(
    out_dir: Path, c1: dict, c2r: dict, c2m: dict, maps: tuple, c3: dict, c4: dict, c5: dict
) -> list[Path]:
    plt = pyplot()
    figs: list[Path] = []
    # 1
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for spacing in SPACINGS:
        axes[0].plot(Z_GRID, c1["curves"][spacing], label=f"Δ = {spacing} ({round(6 / spacing)} sigmoids)")
    axes[0].plot(Z_GRID, [max(z, 0.0) for z in Z_GRID], "k--", label="ReLU")
    axes[0].set(xlabel="z", ylabel="Σ Δ·σ((z − bᵢ)/Δ)", title="A2: a sum of sigmoids → ReLU")
    axes[0].legend(fontsize=8)
    axes[1].loglog(
        [6 / s for s in SPACINGS], [c1["gaps"][s] for s in SPACINGS], "o-", label="measured max gap"
    )
    axes[1].loglog([6 / s for s in SPACINGS], [math.log(2) * s for s in SPACINGS], "k:", label="Δ·ln 2")
    axes[1].set(
        xlabel="number of sigmoids", ylabel="max |sum − ReLU| on [−3, 3]", title="the gap shrinks as Δ → 0"
    )
    axes[1].legend(fontsize=8)
    figs += save_figure(fig, out_dir, "relu_as_sigmoids")
    # 2
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    X, y = moons(100, noise=0.1, seed=0)
    for ax, grid, title in ((axes[0], maps[0], "ReLU MLP"), (axes[1], maps[1], "Maxout net")):
        ax.imshow(
            grid % 20, origin="lower", extent=(-1.8, 2.8, -1.2, 1.7), cmap="tab20", alpha=0.6, aspect="auto"
        )
        ax.scatter([p[0] for p in X], [p[1] for p in X], c=y, cmap="bwr", s=8)
        ax.plot(*zip(*LINE), "k-", lw=2)
        ax.set(title=f"A2/A3: linear regions of a trained {title}", xlabel="x₁", ylabel="x₂")
    for res, name, style in ((c2r, "ReLU MLP", "-"), (c2m, "Maxout net", "--")):
        axes[2].plot(res["ts"], res["outputs"], style, label=f"{name}: {res['regions']} regions")
        for t in res["boundaries"]:
            axes[2].axvline(t, color="grey", lw=0.4)
    axes[2].set(
        xlabel="position t along the black segment",
        ylabel="f(x)",
        title="linear within a region, kinked at boundaries",
    )
    axes[2].legend(fontsize=8)
    figs += save_figure(fig, out_dir, "linear_regions")
    # 3
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    axes[0].plot(c3["plain_norms"], "k-o", ms=3, label="no regularization")
    for lam, run in c3["runs"].items():
        axes[0].plot(
            run["norms"], "-", label=f"L2 λ = {lam:.3g} (1/(ηλ) = {run['predicted_epoch']} epoch(s))"
        )
    axes[0].set(
        xlabel="epoch", ylabel="‖W‖ (weights, no biases)", title="B2: weights start near 0 and move away"
    )
    axes[0].legend(fontsize=8)
    lams = list(c3["runs"])
    axes[1].plot(
        [c3["runs"][lam]["predicted_epoch"] for lam in lams],
        [c3["runs"][lam]["matched_epoch"] for lam in lams],
        "o-",
        label="epoch where plain ‖W‖ = L2's final ‖W‖",
    )
    axes[1].plot([1, STOP_EPOCHS[-1]], [1, STOP_EPOCHS[-1]], "k:", label="t = 1/(ηλ)")
    axes[1].set(
        xlabel="predicted stopping epoch 1/(ηλ)",
        ylabel="matched epoch of plain training",
        title="L2 ≈ stopping earlier: a rough, monotone link",
    )
    axes[1].legend(fontsize=8)
    figs += save_figure(fig, out_dir, "regularization_as_fewer_updates")
    # 4
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    seen = [(n, f) for n, f in c4["fractions"].items() if f > 0]
    unseen = [n for n, f in c4["fractions"].items() if f == 0]
    ax.semilogy(*zip(*seen), "o-", label="random symmetric Hessians")
    if unseen:  # none seen: the fraction is below about 1/samples
        ax.semilogy(unseen, [1 / c4["samples"]] * len(unseen), "v", label=f"none of {c4['samples']:,}")
    ax.semilogy([1, 2], [0.5, (2 - math.sqrt(2)) / 4], "kx", ms=10, label="closed form (n = 1, 2)")
    ax.set(
        xlabel="dimension n",
        ylabel="fraction with all eigenvalues > 0",
        title="A4: minima are rare among critical points",
    )
    kinds = {
        "strict\nminima": "minima",
        "saddles\n(a direction down)": "saddles",
        "flat,\nno descent": "flat_no_descent",
    }
    ax2.bar(
        list(kinds), [c4["tiny_net"][k] for k in kinds.values()], color=["tab:green", "tab:red", "tab:grey"]
    )
    ax2.set(
        ylabel=f"of {c4['tiny_net']['found']} critical points found",
        title="a 2-2-1 tanh net on XOR: its critical points",
    )
    ax.legend(fontsize=8)
    figs += save_figure(fig, out_dir, "saddles_in_high_dimensions")
    # 5
    fig, ax = plt.subplots(figsize=(7, 4))
    names = [
        f"{c5['shallow_layers']} hidden\n(trained)",
        f"{c5['deep_layers']} hidden\n= a copy of it",
        f"{c5['deep_layers']} hidden\n(trained plainly)",
    ]
    ax.bar(
        names,
        [c5["shallow_loss"], c5["copy_loss"], c5["deep_loss"]],
        color=["tab:blue", "tab:cyan", "tab:red"],
    )
    ax.set(ylabel="training loss (cross-entropy)", title="0: the deeper net can do what the shallow one does")
    figs += save_figure(fig, out_dir, "deeper_net_copies_shallow")
    return figs


def run(out_dir: Path, quick: bool = False, seed: int = 0) -> DemoResult:
    result = DemoResult("claims", "The notes' arguments, measured", "0, A2, A3, A4, B2")
    c1 = relu_as_sigmoids()

    relu_net = train_small(nn.MLP(2, [8, 8, 1], seed=seed), seed, 10 if quick else 30)
    maxout_net = train_small(
        nn.Sequential(
            Maxout(2, 4, 2, seed=seed), Maxout(4, 4, 2, seed=seed + 1), nn.Linear(4, 1, seed=seed + 2)
        ),
        seed,
        10 if quick else 30,
    )
    relu_state, maxout_state = relu_net.state_dict(), maxout_net.state_dict()
    relu_pat = lambda x: relu_pattern(relu_state, x)  # noqa: E731
    maxout_pat = lambda x: maxout_pattern(maxout_state, x, 2)  # noqa: E731
    points = 300 if quick else 1000
    c2r, c2m = linear_regions(relu_net, relu_pat, points), linear_regions(maxout_net, maxout_pat, points)
    maps = (region_map(relu_pat, 60 if quick else 120), region_map(maxout_pat, 60 if quick else 120))

    data = load_mnist_5k(seed=seed)
    c3 = fewer_updates(data, 8 if quick else 12, seed)

    rng = np.random.default_rng(seed)
    samples = 20_000 if quick else 200_000
    c4 = {
        "samples": samples,
        "fractions": {n: fraction_positive_definite(n, samples, rng) for n in range(1, 8)},
        "tiny_net": tiny_net_critical_points(12 if quick else 40, rng),
    }

    epochs = 3 if quick else 8
    shallow = mnist_mlp([HIDDEN, 10], seed)
    train_mnist(shallow, data, epochs, seed)
    copy = deepen(shallow, EXTRA_LAYERS, seed)
    deep = mnist_mlp([HIDDEN] * (1 + EXTRA_LAYERS) + [10], seed)
    train_mnist(deep, data, epochs, seed)
    with shallow.no_grad(), copy.no_grad():
        same = bool(np.array_equal(shallow.eval()(data.X_train).data, copy.eval()(data.X_train).data))
    c5 = {
        "shallow_layers": 1,
        "deep_layers": 1 + EXTRA_LAYERS,
        "shallow_loss": training_loss(shallow, data),
        "copy_loss": training_loss(copy, data),
        "deep_loss": training_loss(deep, data),
        "identical": same,
    }

    result.figures += plot(out_dir, c1, c2r, c2m, maps, c3, c4, c5)

    for spacing in (SPACINGS[0], SPACINGS[-1]):
        result.add(
            f"1. max |Σσ − ReLU|, {round(6 / spacing)} sigmoids (Δ = {spacing})",
            c1["gaps"][spacing],
            f"≈ Δ·ln 2 = {spacing * math.log(2):.3g}",
        )
    for name, res in (("ReLU MLP", c2r), ("Maxout net", c2m)):
        result.add(f"2. {name}: regions crossed by the segment", res["regions"])
        result.add(
            f"2. {name}: max error of f(x0) + J·δ inside / across",
            f"{res['inside']:.1e} / {res['across']:.1e}",
            "0 inside (linear), > 0 across",
        )
    for lam, r in c3["runs"].items():
        result.add(
            f"3. L2 λ = {lam:.3g}: plain training had its final ‖W‖ at epoch",
            f"{r['matched_epoch']:.2f}",
            f"t = 1/(ηλ): epoch {r['predicted_epoch']}",
        )
        result.add(
            f"3. L2 λ = {lam:.3g}: validation accuracy, L2 vs plain stopped there",
            f"{r['val_acc']:.1%} vs {r['plain_val_at_matched']:.1%}",
            "where they differ",
        )
    for n in (1, 2, 4, 7):
        closed = {1: "1/2", 2: "(2 − √2)/4 = 0.146"}.get(n, "")
        result.add(
            f"4. fraction of random {n}×{n} Hessians with all eigenvalues > 0", c4["fractions"][n], closed
        )
    t = c4["tiny_net"]
    result.add(
        "4. XOR net, critical points found: strict minima / saddles / flat without descent",
        f"{t['minima']} / {t['saddles']} / {t['flat_no_descent']} of {t['found']}",
        "saddles, not local minima",
    )
    result.add(
        f"5. outputs of the {1 + EXTRA_LAYERS}-hidden-layer copy == the 1-hidden-layer net",
        "exactly" if same else "NO",
    )
    result.add(
        "5. training loss: shallow / deep copy / deep trained plainly",
        f"{c5['shallow_loss']:.4f} / {c5['copy_loss']:.4f} / {c5['deep_loss']:.4f}",
        "copy = shallow; trained deep ≥ (not well trained)",
    )

    result.checks.update({f"gap_{s}": c1["gaps"][s] for s in SPACINGS})
    result.checks.update({f"slope_gap_{s}": c1["slope_gaps"][s] for s in SPACINGS})
    for name, res in (("relu", c2r), ("maxout", c2m)):
        result.checks.update(
            {
                f"{name}_regions": res["regions"],
                f"{name}_inside": res["inside"],
                f"{name}_across": res["across"],
            }
        )
    for i, (_, r) in enumerate(sorted(c3["runs"].items(), reverse=True)):  # largest λ first
        result.checks.update(
            {f"l2_{i}_final_norm": r["final_norm"], f"l2_{i}_matched_epoch": r["matched_epoch"]}
        )
    result.checks["plain_norm_start"], result.checks["plain_norm_end"] = (
        c3["plain_norms"][0],
        c3["plain_norms"][-1],
    )
    result.checks.update({f"pd_fraction_{n}": f for n, f in c4["fractions"].items()})
    result.checks.update({f"tiny_net_{k}": v for k, v in c4["tiny_net"].items()})
    result.checks.update(
        {
            "copy_identical": float(same),
            "shallow_loss": c5["shallow_loss"],
            "copy_loss": c5["copy_loss"],
            "deep_loss": c5["deep_loss"],
        }
    )
    result.conclusion = (
        f"ReLU is a limit of sigmoid sums (gap {c1['gaps'][SPACINGS[-1]]:.3f} with "
        f"{round(6 / SPACINGS[-1])}); nets are exactly linear inside {c2r['regions']} (ReLU) / "
        f"{c2m['regions']} (Maxout) regions along one line; "
        "L2 caps ‖W‖ where plain training stood a few epochs in (a monotone, rough link); "
        "all-positive Hessians vanish with the dimension; "
        "a deeper net can copy a shallow one exactly, so being worse on training data means not well trained."
    )
    return result


if __name__ == "__main__":
    main(run, __doc__.splitlines()[0])
