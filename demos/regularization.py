"""L1 vs L2 vs no regularization (lecture B2): what each update rule does to the weights.

The same network (same seed, same mini-batches) is trained three times on MNIST with the
slides' update rules — biases are not regularized:

    none  w ← w − η·∂L/∂w
    L2    w ← (1 − ηλ)·w − η·∂L/∂w        every step multiplies w by a number slightly below 1
    L1    w ← w − η·∂L/∂w − ηλ·sgn(w)     every step moves w a constant amount towards 0

The lecture's claims, checked on the first layer: L1 leaves many weights near 0 and some large
(sparse); L2 shrinks large weights fast and small ones slowly (uniformly small weights). The
pixels that are blank in every training image give no gradient, so their weights follow the
regularizer alone — closed forms: none keeps w₀, L2 gives w₀·(1 − ηλ)^T after T steps, L1 gives
|w₀| − T·ηλ (until it reaches 0, where it then hovers within ηλ).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from _common import main, progress, pyplot, save_figure

from micrograd_tips.data import load_mnist_5k
from micrograd_tips.regularization import L1, L2
from micrograd_tips.report import DemoResult
from micrograd_tips.tensor import nn
from micrograd_tips.training import evaluate, fit

NEAR_ZERO = 1e-3  # |w| below this counts as "near 0" (He init: std √(2/784) ≈ 0.05)
BATCH = 32


class Setup(NamedTuple):
    """Sizes of one run."""

    n_train: int
    hidden: int
    epochs: int
    lr: float
    lam_l1: float
    lam_l2: float


QUICK = Setup(n_train=1500, hidden=128, epochs=8, lr=0.1, lam_l1=1e-3, lam_l2=1e-2)
FULL = Setup(n_train=3500, hidden=256, epochs=15, lr=0.1, lam_l1=5e-4, lam_l2=1e-2)


class SlideUpdate:
    """A `fit` optimizer that applies one of the slides' rules: `L1(λ).update`, `L2(λ).update`,
    or plain gradient descent w ← w − η·∂L/∂w when `rule` is None."""

    def __init__(self, model: nn.Module, lr: float, rule: L1 | L2 | None) -> None:
        self.model, self.lr, self.rule = model, lr, rule

    def zero_grad(self) -> None:
        self.model.zero_grad()

    def step(self) -> None:
        if self.rule is not None:
            self.rule.update(self.model, self.lr)  # biases get the plain step
            return
        for p in self.model.parameters():
            if p.grad is not None:
                p.data -= self.lr * p.grad


def train(setup: Setup, data: Any, seed: int, rule: L1 | L2 | None) -> tuple[nn.MLP, float, float]:
    """784 → hidden → 10 ReLU network trained with `rule`; returns (model, train acc, test acc)."""
    model = nn.MLP(784, [setup.hidden, 10], init="he", rng=np.random.default_rng(seed), dtype="float64")
    X, y = data.X_train[: setup.n_train], data.y_train[: setup.n_train]
    fit(
        model,
        SlideUpdate(model, setup.lr, rule),
        X,
        y,
        loss="cross_entropy",
        epochs=setup.epochs,
        batch_size=BATCH,
        seed=seed,
        progress=False,
    )
    _, train_acc = evaluate(model, X, y, loss="cross_entropy")
    _, test_acc = evaluate(model, data.X_test, data.y_test, loss="cross_entropy")
    assert train_acc is not None and test_acc is not None
    return model, train_acc, test_acc


def plot_histograms(weights: dict[str, np.ndarray], out_dir: Path) -> list[Path]:
    """One histogram of first-layer weights per method, same bins, log counts."""
    plt = pyplot()
    limit = max(float(np.abs(w).max()) for w in weights.values())
    bins = np.linspace(-limit, limit, 121)
    colors = {"none": "tab:gray", "L1": "tab:red", "L2": "tab:blue"}
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), sharey=True)
    for ax, (name, w) in zip(axes, weights.items()):
        near = np.mean(np.abs(w) < NEAR_ZERO)
        ax.hist(w.ravel(), bins=bins, color=colors[name], log=True)
        ax.set_title(f"{name}: {near:.0%} near 0, max |w| = {np.abs(w).max():.3f}")
        ax.set_xlabel("first-layer weight w")
    axes[0].set_ylabel("count (log scale)")
    fig.suptitle("Lecture B2: L1 → many weights at 0 and some large (sparse); L2 → uniformly small")
    fig.tight_layout()
    return save_figure(fig, out_dir, "weight_histograms")


def plot_unit_images(weights: dict[str, np.ndarray], out_dir: Path, units: int = 4) -> list[Path]:
    """The incoming weights of the first few hidden units as 28×28 images (white = 0)."""
    plt = pyplot()
    top = max(float(np.abs(w[:units]).max()) for w in weights.values())
    fig, axes = plt.subplots(len(weights), units, figsize=(2.1 * units + 1.2, 2.2 * len(weights)))
    for row, (name, w) in zip(axes, weights.items()):
        for j, ax in enumerate(row):
            image = ax.imshow(w[j].reshape(28, 28), cmap="RdBu_r", vmin=-top, vmax=top)
            ax.set_xticks([])
            ax.set_yticks([])
            if j == 0:
                ax.set_ylabel(name, fontsize=12)
            if name == "none":
                ax.set_title(f"hidden unit {j}", fontsize=10)
    fig.colorbar(image, ax=axes, label="weight w", shrink=0.8)
    fig.suptitle("First-layer weights of four hidden units (rows: none, L1, L2); white = 0")
    return save_figure(fig, out_dir, "weight_images")


def blank_pixel_errors(
    w0: np.ndarray, weights: dict[str, np.ndarray], blank: np.ndarray, steps: int, setup: Setup
) -> dict[str, float]:
    """Largest deviation from the closed forms on the weights of never-lit pixels (no data gradient)."""
    start = w0[:, blank]
    decay = (1.0 - setup.lr * setup.lam_l2) ** steps
    l2_ratio = weights["L2"][:, blank] / start
    shift = setup.lr * setup.lam_l1  # ηλ: L1's constant step towards 0
    l1_abs = np.abs(weights["L1"][:, blank])
    moving = np.abs(start) > (steps + 1) * shift  # still on the way to 0 after T steps
    l1_linear = np.abs(l1_abs[moving] - (np.abs(start[moving]) - steps * shift))
    return {
        "none_max_change": float(np.abs(weights["none"][:, blank] - start).max()),
        "l2_decay_closed_form": decay,
        "l2_decay_max_rel_error": float(np.abs(l2_ratio / decay - 1.0).max()),
        "l1_linear_max_error": float(l1_linear.max()) if l1_linear.size else 0.0,
        "l1_at_zero_max_abs": float(l1_abs[~moving].max()) if (~moving).any() else 0.0,
        "l1_step": shift,
        "l1_fraction_reached_zero": float(np.mean(~moving)),
    }


def run(out_dir: Path, quick: bool = False, seed: int = 0) -> DemoResult:
    result = DemoResult("regularization", "L1 vs L2 vs none on MNIST", "B2 regularization")
    setup = QUICK if quick else FULL
    data = load_mnist_5k(seed=seed, dtype="float64")
    rules: dict[str, L1 | L2 | None] = {"none": None, "L1": L1(setup.lam_l1), "L2": L2(setup.lam_l2)}
    weights: dict[str, np.ndarray] = {}
    accuracy: dict[str, tuple[float, float]] = {}
    for name, rule in progress(rules.items(), "regularizers", total=len(rules)):
        model, train_acc, test_acc = train(setup, data, seed, rule)
        weights[name] = model.layers[0].weight.data.copy()
        accuracy[name] = (train_acc, test_acc)
    w0 = nn.MLP(784, [setup.hidden, 10], init="he", rng=np.random.default_rng(seed)).layers[0].weight.data
    blank = data.X_train[: setup.n_train].max(axis=0) == 0.0
    steps = setup.epochs * math.ceil(setup.n_train / BATCH)
    closed = blank_pixel_errors(w0, weights, blank, steps, setup)

    result.figures += plot_histograms(weights, out_dir)
    result.figures += plot_unit_images(weights, out_dir)

    near = {k: float(np.mean(np.abs(w) < NEAR_ZERO)) for k, w in weights.items()}
    largest = {k: float(np.abs(w).max()) for k, w in weights.items()}
    p99 = {k: float(np.percentile(np.abs(w), 99)) for k, w in weights.items()}
    mean_abs = {k: float(np.abs(w).mean()) for k, w in weights.items()}

    def three(values: dict[str, float], fmt: str) -> str:
        return " / ".join(format(values[k], fmt) for k in ("none", "L1", "L2"))

    hid = setup.hidden
    result.add(
        "regime",
        f"{setup.n_train} MNIST digits, 784-{hid}-10 ReLU, η = {setup.lr:g}, {steps} steps",
        "the slides' update rules",
    )
    result.add(
        "λ for L1 / L2 (biases not regularized)", f"{setup.lam_l1:g} / {setup.lam_l2:g}", "biases excluded"
    )
    result.add(f"first-layer |w| < {NEAR_ZERO:g}: none / L1 / L2", three(near, ".1%"), "L1: many near 0")
    result.add("largest |w|: none / L1 / L2", three(largest, ".3f"), "L1: some large; L2: small")
    result.add("99th percentile |w|: none / L1 / L2", three(p99, ".3f"), "L2 shrinks large weights fast")
    result.add("mean |w|: none / L1 / L2", three(mean_abs, ".4f"), "")
    result.add("train accuracy: none / L1 / L2", three({k: v[0] for k, v in accuracy.items()}, ".1%"), "")
    result.add(
        "test accuracy: none / L1 / L2",
        three({k: v[1] for k, v in accuracy.items()}, ".1%"),
        "helps less in DNNs than in SVMs",
    )
    n_blank = int(blank.sum())
    result.add(
        f"blank pixels ({n_blank}): none, max |w_T − w₀|", closed["none_max_change"], "0 (no gradient)"
    )
    result.add(
        "blank pixels: L2, w_T / w₀",
        f"{closed['l2_decay_closed_form']:.4f} (max rel. error {closed['l2_decay_max_rel_error']:.1e})",
        f"(1 − ηλ)^T = {closed['l2_decay_closed_form']:.4f}",
    )
    result.add(
        "blank pixels: L1, |w_T| − (|w₀| − Tηλ) / |w_T| once at 0",
        f"{closed['l1_linear_max_error']:.1e} / ≤ {closed['l1_at_zero_max_abs']:.1e}",
        f"0 / ≤ ηλ = {closed['l1_step']:.1e}",
    )
    result.checks.update({f"near_zero_{k}": v for k, v in near.items()})
    result.checks.update({f"max_abs_{k}": v for k, v in largest.items()})
    result.checks.update({f"p99_abs_{k}": v for k, v in p99.items()})
    result.checks.update({f"test_accuracy_{k}": v[1] for k, v in accuracy.items()})
    result.checks.update(closed)
    result.checks["blank_pixels"] = float(n_blank)
    result.conclusion = (
        f"L1 left {near['L1']:.0%} of first-layer weights near 0 "
        f"(none {near['none']:.0%}, L2 {near['L2']:.0%}) yet kept some large "
        f"(max {largest['L1']:.3f} vs L2's {largest['L2']:.3f}); L2 shrank the largest "
        f"weights ({largest['L2']:.3f} vs {largest['none']:.3f} without); blank-pixel weights follow the "
        "closed forms (1 − ηλ)^T and |w₀| − Tηλ"
    )
    return result


if __name__ == "__main__":
    main(run, __doc__ or "")
