"""SGD, Momentum, Adagrad, RMSProp, Adam: a plateau, a saddle point, and MNIST (lecture A4).

The slide "hard to find optimal network parameters": gradient descent is very slow on a plateau
(∂L/∂w ≈ 0) and stuck at a saddle point (∂L/∂w = 0). The surface here has both:

    L(x, y) = 1 − exp(−(x² + (y² − 1)²) / 4)

minima at (0, ±1) with L = 0, a saddle at (0, 0) with L = 1 − e^(−1/4) ≈ 0.221, and a plateau
far from the origin where L → 1 and the gradient vanishes. Five optimizers (scalar engine `Value`s)
start on the plateau and next to the saddle, with the same η. The lecture's exact forms are used:
Momentum v ← λv − η∇L, θ ← θ + v; Adagrad without ε; RMSProp with σ⁰ = |g⁰|; Adam as in
Kingma & Ba. PyTorch's conventions are compared where they differ (its RMSprop starts at v = 0,
so its first step is η/√(1 − α) instead of η; its SGD momentum is the lecture's with v = −η·b).

Then the same five train the same net on MNIST (NumPy backend) with the same batches and budget;
each gets the best η of a small grid (judged by the final training loss), so no one loses by a
badly chosen step size.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from _common import main, progress, pyplot, save_figure

from micrograd_tips import Value
from micrograd_tips.data import load_mnist_5k
from micrograd_tips.optim import (
    SGD,
    Adagrad,
    Adam,
    LectureAdagrad,
    LectureRMSProp,
    Momentum,
    Optimizer,
    RMSprop,
)
from micrograd_tips.report import DemoResult
from micrograd_tips.tensor import nn, no_grad
from micrograd_tips.tensor.losses import cross_entropy

MakeOptimizer = Callable[[list[Any], float], Optimizer]

# The five optimizers of the slide, in the lecture's own forms (Adam's is PyTorch's too).
OPTIMIZERS: dict[str, MakeOptimizer] = {
    "SGD": lambda p, lr: SGD(p, lr=lr),
    "Momentum": lambda p, lr: Momentum(p, lr=lr, momentum=0.9),
    "Adagrad": lambda p, lr: LectureAdagrad(p, lr=lr),
    "RMSProp": lambda p, lr: LectureRMSProp(p, lr=lr, alpha=0.9),
    "Adam": lambda p, lr: Adam(p, lr=lr),
}
COLORS = {
    "SGD": "tab:gray",
    "Momentum": "tab:blue",
    "Adagrad": "tab:green",
    "RMSProp": "tab:orange",
    "Adam": "tab:red",
}

# ---------------------------------------------------------------------------------------------
# 1. The 2-D surface: a plateau and a saddle point
# ---------------------------------------------------------------------------------------------

ETA = 0.05  # the same learning rate for every optimizer on the surface
STARTS = {"plateau": (4.5, -0.4), "saddle": (-2.0, 1e-5)}  # the saddle start is 10⁻⁵ off the ridge
SADDLE_LEVEL = 1.0 - math.exp(-0.25)


def surface(x: Any, y: Any) -> Any:
    """L(x, y) = 1 − exp(−(x² + (y² − 1)²)/4) for floats, arrays or `Value`s."""
    q = (x * x + (y * y - 1) ** 2) * (-0.25)
    return 1 - (q.exp() if isinstance(q, Value) else np.exp(q))


def descend(name: str, start: tuple[float, float], steps: int) -> np.ndarray:
    """The path θ⁰, θ¹, …, θ^steps of one optimizer on the surface (scalar engine)."""
    x, y = Value.parameter(start[0], "x"), Value.parameter(start[1], "y")
    opt = OPTIMIZERS[name]([x, y], ETA)
    path = [(x.data, y.data)]
    for _ in range(steps):
        loss = surface(x, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        path.append((x.data, y.data))
    return np.array(path)


def escape_step(losses: np.ndarray, level: float) -> int | None:
    """The first step whose loss is below `level`, or None."""
    below = np.flatnonzero(losses < level)
    return int(below[0]) if below.size else None


def torch_conventions(steps: int) -> dict[str, float]:
    """Where PyTorch's forms differ from the slides, measured on the surface."""

    def path(make: Callable[[list[Value]], Optimizer], start: tuple[float, float], n: int) -> np.ndarray:
        x, y = Value.parameter(start[0]), Value.parameter(start[1])
        opt, out = make([x, y]), [(x.data, y.data)]
        for _ in range(n):
            opt.zero_grad()
            surface(x, y).backward()
            opt.step()
            out.append((x.data, y.data))
        return np.array(out)

    start = STARTS["saddle"]
    lecture_m = path(lambda p: Momentum(p, lr=ETA, momentum=0.9), start, steps)
    torch_m = path(lambda p: SGD(p, lr=ETA, momentum=0.9), start, steps)
    lecture_a = path(lambda p: LectureAdagrad(p, lr=ETA), start, steps)
    torch_a = path(lambda p: Adagrad(p, lr=ETA), start, steps)
    plateau = STARTS["plateau"]
    first_lecture = path(lambda p: LectureRMSProp(p, lr=ETA, alpha=0.99), plateau, 1)
    first_torch = path(lambda p: RMSprop(p, lr=ETA, alpha=0.99), plateau, 1)
    return {
        "momentum_vs_sgd_momentum": float(np.abs(lecture_m - torch_m).max()),
        "adagrad_vs_torch_adagrad": float(np.abs(lecture_a - torch_a).max()),
        "rmsprop_first_step_lecture": float(np.abs(first_lecture[1] - first_lecture[0]).max() / ETA),
        "rmsprop_first_step_torch": float(np.abs(first_torch[1] - first_torch[0]).max() / ETA),
    }


def plot_paths(paths: dict[str, dict[str, np.ndarray]], budget: int, out_dir: Path) -> list[Path]:
    """Contours of L with the five paths from each start (first `budget` steps)."""
    plt = pyplot()
    gx, gy = np.meshgrid(np.linspace(-3, 5.2, 300), np.linspace(-1.9, 1.9, 200))
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.8))
    for ax, (start_name, by_opt) in zip(axes, paths.items()):
        cs = ax.contourf(gx, gy, surface(gx, gy), levels=np.linspace(0, 1, 21), cmap="Greys_r", alpha=0.75)
        ax.contour(
            gx, gy, surface(gx, gy), levels=[0.05, SADDLE_LEVEL, 0.5, 0.9, 0.99], colors="k", linewidths=0.4
        )
        for name, p in by_opt.items():  # SGD on top and thicker: it would hide under Momentum
            style = {"lw": 3.0, "zorder": 5} if name == "SGD" else {"lw": 1.2}
            ax.plot(
                p[: budget + 1, 0], p[: budget + 1, 1], ".-", ms=2.5, color=COLORS[name], label=name, **style
            )
        ax.plot(*STARTS[start_name], "k*", ms=13, label="start")
        moved = float(np.hypot(*(by_opt["SGD"][budget] - by_opt["SGD"][0])))
        ax.annotate(
            f"SGD moved {moved:.3g}", STARTS[start_name], (8, 12), textcoords="offset points", fontsize=9
        )
        ax.plot([0], [0], "x", color="purple", ms=11, mew=2.5, label="saddle (0, 0)")
        ax.plot([0, 0], [-1, 1], "o", color="gold", mec="k", ms=8, label="minima (0, ±1)")
        ax.set_title(f"start {STARTS[start_name]}: {start_name}, {budget} steps, η = {ETA}")
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        ax.set_xlim(-3, 5.2)
        ax.set_ylim(-1.9, 1.9)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(
        handles, labels, loc="lower center", ncol=len(labels), fontsize=9, bbox_to_anchor=(0.45, -0.09)
    )
    fig.colorbar(cs, ax=axes, label="L(x, y)", shrink=0.85)
    fig.suptitle("L = 1 − exp(−(x² + (y² − 1)²)/4): a plateau (L → 1) and a saddle point (lecture A4)")
    return save_figure(fig, out_dir, "optimizers_surface")


def plot_surface_losses(losses: dict[str, dict[str, np.ndarray]], budget: int, out_dir: Path) -> list[Path]:
    """L(θᵗ) against the step t for each start, with the saddle's level marked."""
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(13, 4))
    for ax, (start_name, by_opt) in zip(axes, losses.items()):
        for name, values in by_opt.items():
            ax.plot(values[: budget + 1], color=COLORS[name], lw=1.6, label=name)
        ax.axhline(SADDLE_LEVEL, color="purple", ls="--", lw=1, label="saddle level 0.221")
        ax.set_yscale("log")
        ax.set_ylim(1e-6, 2)
        ax.set_xlabel("step t")
        ax.set_ylabel("L(θᵗ) (log scale)")
        ax.set_title(f"from the {start_name} start {STARTS[start_name]}")
    axes[0].legend(fontsize=8)
    fig.suptitle("Loss along the paths: SGD crawls on the plateau and sits at the saddle")
    fig.tight_layout()
    return save_figure(fig, out_dir, "optimizers_surface_loss")


# ---------------------------------------------------------------------------------------------
# 2. MNIST: the same net, batches and budget for every optimizer
# ---------------------------------------------------------------------------------------------

LR_GRID = {
    "SGD": (0.03, 0.1, 0.3, 1.0),
    "Momentum": (0.01, 0.03, 0.1, 0.3),
    "Adagrad": (0.01, 0.03, 0.1, 0.3),
    "RMSProp": (1e-3, 3e-3, 1e-2, 3e-2),
    "Adam": (1e-3, 3e-3, 1e-2, 3e-2),
}


class MnistRun:
    """One optimizer at one η: the loss of every mini-batch and the final loss on the training set."""

    def __init__(self, lr: float) -> None:
        self.lr = lr
        self.batch_losses: list[float] = []
        self.final_loss = math.inf


def mnist_model(seed: int) -> nn.MLP:
    """784 → 64 ReLU → 10, He initialisation, float32; the same weights for every optimizer."""
    return nn.MLP(784, [64, 10], "relu", init="he", rng=np.random.default_rng(seed), dtype="float32")


def full_loss(model: nn.MLP, X: np.ndarray, y: np.ndarray) -> float:
    """Cross-entropy on the whole set."""
    with no_grad():
        return float(cross_entropy(model(X), y))


def train_mnist(name: str, lr: float, data: Any, orders: list[np.ndarray], seed: int) -> MnistRun:
    """Mini-batch training with the given batch orders (the same for every optimizer)."""
    model = mnist_model(seed)
    opt = OPTIMIZERS[name](model.parameters(), lr)
    run = MnistRun(lr)
    for order in orders:
        for start in range(0, len(order), 64):
            idx = order[start : start + 64]
            loss = cross_entropy(model.forward_batch(data.X_train[idx]), data.y_train[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            run.batch_losses.append(float(loss))
    run.final_loss = full_loss(model, data.X_train, data.y_train)
    return run


def smooth(values: list[float], width: int) -> np.ndarray:
    """Running mean over `width` mini-batches (shorter at the start)."""
    v = np.asarray(values)
    c = np.cumsum(np.concatenate([[0.0], v]))
    lo = np.maximum(np.arange(1, len(v) + 1) - width, 0)
    return (c[1:] - c[lo]) / (np.arange(1, len(v) + 1) - lo)


def plot_mnist(
    best: dict[str, MnistRun], grid: dict[str, list[MnistRun]], initial: float, epochs: int, out_dir: Path
):
    plt = pyplot()
    fig, (ax, ax_lr) = plt.subplots(1, 2, figsize=(13, 4.4), gridspec_kw={"width_ratios": [1.6, 1]})
    steps_per_epoch = len(next(iter(best.values())).batch_losses) / epochs
    for name, run in best.items():
        steps = np.arange(1, len(run.batch_losses) + 1) / steps_per_epoch
        ax.plot(
            steps, smooth(run.batch_losses, 10), color=COLORS[name], lw=1.6, label=f"{name} (η = {run.lr:g})"
        )
    ax.axhline(initial, color="k", ls=":", lw=1, label=f"before training ({initial:.2f})")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("mini-batch cross-entropy (running mean of 10)")
    ax.set_title("MNIST 784-64-10 ReLU: training loss, same batches for all")
    ax.legend(fontsize=8)
    for name, runs in grid.items():
        ax_lr.plot([r.lr for r in runs], [r.final_loss for r in runs], "o-", color=COLORS[name], label=name)
    ax_lr.set_xscale("log")
    ax_lr.set_yscale("log")
    ax_lr.set_xlabel("learning rate η")
    ax_lr.set_ylabel(f"training-set loss after {epochs} epochs")
    ax_lr.set_title("each optimizer's η grid (best one plotted left)")
    ax_lr.legend(fontsize=8)
    fig.tight_layout()
    return save_figure(fig, out_dir, "optimizers_mnist")


# ---------------------------------------------------------------------------------------------
# The demo
# ---------------------------------------------------------------------------------------------


def run(out_dir: Path, quick: bool = False, seed: int = 0) -> DemoResult:
    """Surface paths (deterministic) and MNIST curves (seeded; quick: 2 epochs, else 8) into out_dir."""
    result = DemoResult("optimizers", "SGD, Momentum, Adagrad, RMSProp, Adam: plateau, saddle, MNIST", "A4")
    out_dir.mkdir(parents=True, exist_ok=True)
    budget, cap, epochs = (250, 1000, 2) if quick else (250, 1500, 8)

    # 1. the surface: paths (deterministic: no randomness involved)
    paths: dict[str, dict[str, np.ndarray]] = {s: {} for s in STARTS}
    losses: dict[str, dict[str, np.ndarray]] = {s: {} for s in STARTS}
    for start_name, start in STARTS.items():
        for name in progress(OPTIMIZERS, f"paths from the {start_name}"):
            p = descend(name, start, cap)
            paths[start_name][name], losses[start_name][name] = p, surface(p[:, 0], p[:, 1])
    levels = {"plateau": float(surface(*STARTS["plateau"])) / 2, "saddle": SADDLE_LEVEL / 2}
    claims = {
        "SGD": "very slow at a plateau, stuck at a saddle",
        "Momentum": "momentum can carry it on",
        "Adagrad": "η/√Σg²: steps shrink over time",
        "RMSProp": "η/σ: step ≈ η even where g ≈ 0",
        "Adam": "RMSProp + momentum",
    }
    for name in OPTIMIZERS:
        finals, escapes = [], []
        for start_name in STARTS:
            finals.append(float(losses[start_name][name][budget]))
            esc = escape_step(losses[start_name][name], levels[start_name])
            escapes.append(str(esc) if esc is not None else f"> {cap}")
            result.checks[f"{start_name}_final_{name}"] = finals[-1]
            result.checks[f"{start_name}_escape_{name}"] = float(esc if esc is not None else cap + 1)
        result.add(
            f"{name}: L after {budget} steps (plateau / saddle start); steps to escape",
            f"{finals[0]:.3g} / {finals[1]:.3g}; {escapes[0]} / {escapes[1]}",
            claims[name],
        )
    result.checks["plateau_start_loss"] = float(surface(*STARTS["plateau"]))
    result.checks["saddle_level"] = SADDLE_LEVEL
    result.figures += plot_paths(paths, budget, out_dir)
    result.figures += plot_surface_losses(losses, budget, out_dir)

    torch_diff = torch_conventions(budget)
    result.checks.update(torch_diff)
    result.add(
        "lecture Momentum vs PyTorch SGD(momentum): max path difference",
        f"{torch_diff['momentum_vs_sgd_momentum']:.1e}",
        "equal, with v = −η·b",
    )
    result.add(
        "lecture Adagrad vs PyTorch Adagrad (ε = 1e−10): max path difference",
        f"{torch_diff['adagrad_vs_torch_adagrad']:.1e}",
        "slide has no ε",
    )
    result.add(
        "RMSProp (α = 0.99) first step / η: lecture / PyTorch",
        f"{torch_diff['rmsprop_first_step_lecture']:.3g} / {torch_diff['rmsprop_first_step_torch']:.3g}",
        "1 (σ⁰ = |g⁰|) / 1/√(1 − α) = 10",
    )

    # 2. MNIST: the same initial weights and batches, each optimizer at its best η of the grid
    data = load_mnist_5k(seed=seed)
    shuffler = np.random.default_rng(seed)
    orders = [shuffler.permutation(len(data.y_train)) for _ in range(epochs)]
    initial = full_loss(mnist_model(seed), data.X_train, data.y_train)
    grid: dict[str, list[MnistRun]] = {}
    jobs = [(name, lr) for name in OPTIMIZERS for lr in LR_GRID[name]]
    for name, lr in progress(jobs, "MNIST", total=len(jobs)):
        grid.setdefault(name, []).append(train_mnist(name, lr, data, orders, seed))
    best = {name: min(runs, key=lambda r: r.final_loss) for name, runs in grid.items()}
    result.checks["mnist_initial_loss"] = initial
    for name, r in best.items():
        result.checks[f"mnist_final_{name}"] = r.final_loss
        result.add(
            f"MNIST training loss after {epochs} epochs: {name} (best η)",
            f"{r.final_loss:.3f} (η = {r.lr:g})",
            f"from {initial:.2f}" if name == "SGD" else "",
        )
    result.figures += plot_mnist(best, grid, initial, epochs, out_dir)

    sgd, adaptive = best["SGD"].final_loss, max(best[n].final_loss for n in ("Adagrad", "RMSProp", "Adam"))
    saddle_sgd = result.checks["saddle_final_SGD"]
    result.conclusion = (
        f"plain SGD crawls on the plateau and sits at the saddle (L = {saddle_sgd:.3f} after {budget} steps)"
        f" while Momentum, RMSProp and Adam escape; on MNIST all five lower the loss from {initial:.2f},"
        f" Adagrad/RMSProp/Adam to ≤ {adaptive:.3f} vs SGD's {sgd:.3f} (each at its best η)"
    )
    return result


if __name__ == "__main__":
    main(run, __doc__ or "")
