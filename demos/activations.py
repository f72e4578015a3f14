"""Sigmoid, tanh, ReLU, Leaky ReLU, PReLU and ELU on one task: a 5-hidden-layer net on MNIST.

Lecture A2: ReLU a = max(0, z) has derivative 1 for z > 0, so a deep net of ReLUs does not suffer
the vanishing gradient of sigmoid (σ' ≤ ¼). Its variants keep a small slope for z < 0: Leaky ReLU
a = 0.01·z, Parametric ReLU a = α·z with α learned by gradient descent (one per neuron here,
starting at 0.25 like PyTorch), and ELU a = eᶻ − 1 (mentioned in the narration).

Same net, optimizer (SGD), learning rate, mini-batches and epochs for all six; each activation
starts from the initialisation that suits it (sigmoid the classic U(−1, 1), tanh Glorot/Xavier,
the ReLU family He), so sigmoid is not handicapped by its init: it trains, but lags. For
contrast, one more sigmoid net starts from Xavier, whose small weights leave the gradient only
the ¼ per layer (demo `vanishing`): it stays at chance. The second figure draws each f(z) and
its derivative f'(z), the derivative computed by backpropagation through the scalar engine.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from _common import main, progress, pyplot, save_figure
from _mnist import train_sgd

from micrograd_tips import Value
from micrograd_tips.data import load_mnist_5k
from micrograd_tips.report import DemoResult
from micrograd_tips.tensor import nn
from micrograd_tips.training import History
from micrograd_tips.viz import save_network_figure

ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu"]
RELU_FAMILY = ["relu", "leaky_relu", "prelu", "elu"]
COLOURS = dict(zip(ACTIVATIONS, ["tab:red", "tab:orange", "tab:blue", "tab:cyan", "tab:purple", "tab:green"]))
DEPTH, LR, PRELU_INIT = 5, 0.1, 0.25


# the initialisation that suits each activation: U(−1, 1) for sigmoid, Xavier for tanh, He for ReLUs
INIT = {"sigmoid": "uniform", "tanh": "xavier", **{name: "he" for name in RELU_FAMILY}}
INIT_NAMES = {"uniform": "U(−1, 1)", "xavier": "Xavier", "he": "He"}


def train(
    data: Any, activation: str, init: str, width: int, epochs: int, seed: int
) -> tuple[History, nn.MLP]:
    """Train a DEPTH-hidden-layer MLP with `activation` and `init`; every other choice is shared."""
    return train_sgd(
        data.X_train,
        data.y_train,
        [width] * DEPTH + [10],
        activation,
        init,
        lr=LR,
        epochs=epochs,
        batch_size=50,
        seed=seed,
        validation=(data.X_val, data.y_val),
    )


def learned_alphas(model: nn.MLP) -> np.ndarray:
    """Every hidden neuron's PReLU slope α, layer after layer."""
    prelus = [layer.activation for layer in model.layers[:-1]]
    assert all(isinstance(p, nn.PReLU) for p in prelus)
    return np.concatenate([p.alpha.data for p in prelus if isinstance(p, nn.PReLU)])


def scalar_activation(name: str, alpha: float) -> Callable[[Value], Value]:
    """The activation as a scalar-engine op (PReLU with slope `alpha`)."""
    ops: dict[str, Callable[[Value], Value]] = {
        "sigmoid": Value.sigmoid,
        "tanh": Value.tanh,
        "relu": Value.relu,
        "leaky_relu": lambda z: z.leaky_relu(0.01),
        "prelu": lambda z: z.prelu(alpha),
        "elu": lambda z: z.elu(1.0),
    }
    return ops[name]


def value_and_derivative(f: Callable[[Value], Value], zs: np.ndarray) -> tuple[list[float], list[float]]:
    """f(z) and f'(z) = ∂f/∂z by backward() at every grid point."""
    values, slopes = [], []
    for z in zs:
        leaf = Value(float(z), label="z")
        out = f(leaf)
        out.backward()
        values.append(out.data)
        slopes.append(leaf.grad)
    return values, slopes


FORMULAS = {
    "sigmoid": "σ(z) = 1/(1 + e⁻ᶻ)",
    "tanh": "tanh(z)",
    "relu": "max(0, z)",
    "leaky_relu": "z, or 0.01·z for z < 0",
    "prelu": "z, or α·z for z < 0",
    "elu": "z, or eᶻ − 1 for z < 0",
}


def plot_functions(out_dir: Path, alpha: float) -> list[Path]:
    plt = pyplot()
    zs = np.linspace(-4, 4, 321)
    fig, axes = plt.subplots(2, 3, figsize=(11, 6.4), sharex=True)
    for ax, name in zip(axes.flat, ACTIVATIONS):
        values, slopes = value_and_derivative(scalar_activation(name, alpha), zs)
        broken = np.where(np.abs(zs) < 1e-9, np.nan, slopes)  # no line through the kink at z = 0
        ax.plot(zs, values, color=COLOURS[name], label="f(z)")
        ax.plot(zs, broken, "--", color="black", label="f'(z) by backward()")
        extra = f", learned α = {alpha:.3f}" if name == "prelu" else ""
        ax.set_title(f"{name}: {FORMULAS[name]}{extra}", fontsize=9)
        ax.set_ylim(-1.2, 2.2)
        ax.axhline(0, color="grey", lw=0.5)
        ax.grid(alpha=0.3)
    axes[0, 0].axhline(0.25, color="tab:red", lw=0.8, ls=":")
    axes[0, 0].annotate("σ' ≤ ¼", (1.6, 0.32), color="tab:red")
    axes[0, 0].legend(fontsize=8, loc="upper left")
    for ax in axes[1]:
        ax.set_xlabel("z")
    for ax in axes[:, 0]:
        ax.set_ylabel("f(z), f'(z)")
    fig.suptitle("Activation functions and their derivatives (lecture A1, A2)")
    fig.tight_layout()
    return save_figure(fig, out_dir, "functions")


def plot_training(
    out_dir: Path, histories: dict[str, History], xavier_sigmoid: History, alphas: np.ndarray
) -> list[Path]:
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    curves = [(f"{name} ({INIT_NAMES[INIT[name]]})", h, COLOURS[name], "o-") for name, h in histories.items()]
    curves.append(("sigmoid (Xavier)", xavier_sigmoid, COLOURS["sigmoid"], "x:"))
    for label, h, colour, style in curves:
        epochs = np.arange(1, h.epochs + 1)
        axes[0].plot(epochs, [100 * a for a in h.train_accuracy], style, ms=3, color=colour, label=label)
    axes[0].set_xlabel("epoch")
    axes[0].set_ylabel("training accuracy (%)")
    axes[0].set_ylim(0, 102)
    axes[0].set_title(f"MNIST, {DEPTH} hidden layers, same budget")
    axes[0].legend(loc="center right", fontsize=8)
    axes[0].grid(alpha=0.3)
    axes[1].hist(alphas, bins=40, color=COLOURS["prelu"])
    axes[1].axvline(PRELU_INIT, color="black", ls="--", label=f"initial α = {PRELU_INIT}")
    axes[1].set_xlabel("learned α (one per neuron)")
    axes[1].set_ylabel("neurons")
    axes[1].set_title("PReLU: the slopes α after training")
    axes[1].legend()
    return save_figure(fig, out_dir, "training")


def run(out_dir: Path, quick: bool = False, seed: int = 0) -> DemoResult:
    result = DemoResult("activations", "Activation functions on one task", "A1, A2")
    width, epochs = (64, 6) if quick else (100, 15)
    data = load_mnist_5k(seed=seed)
    if quick:  # a smaller training set keeps the test suite fast; the ranking is the same
        data = data._replace(X_train=data.X_train[:1500], y_train=data.y_train[:1500])

    histories: dict[str, History] = {}
    for name in progress(ACTIVATIONS, "activations"):
        histories[name], model = train(data, name, INIT[name], width, epochs, seed)
        if name == "prelu":
            alphas = learned_alphas(model)
        if name == "relu":
            relu_model = model
    xavier_sigmoid, _ = train(data, "sigmoid", "xavier", width, epochs, seed)

    result.figures += plot_training(out_dir, histories, xavier_sigmoid, alphas)
    result.figures += plot_functions(out_dir, float(alphas.mean()))
    result.figures.append(  # A2's picture for one real digit: the neurons with z ≤ 0 are switched off
        save_network_figure(
            relu_model.eval(),
            data.X_test[0],
            out_dir / "network_relu_thin.svg",
            max_per_layer=10,
            title="ReLU net, one test digit: neurons with z ≤ 0 are off (A2)",
        )
    )

    result.add("setup (all six)", f"{DEPTH}×{width} hidden, SGD lr={LR}, {epochs} epochs, batch 50", "")
    claims = {
        "sigmoid": "vanishing gradient: deep sigmoid nets train badly",
        "tanh": "a rescaled sigmoid (tanh' ≤ 1)",
        "relu": "handles the vanishing gradient",
        "leaky_relu": "a = 0.01·z for z < 0",
        "prelu": "a = α·z for z < 0, α learned",
        "elu": "mentioned in the narration",
    }
    for name, h in histories.items():
        ours = f"{100 * h.train_accuracy[-1]:.1f}% / {100 * h.val_accuracy[-1]:.1f}%"
        result.add(f"{name} ({INIT_NAMES[INIT[name]]} init): train / validation accuracy", ours, claims[name])
    result.add(
        "sigmoid (Xavier init): train / validation accuracy",
        f"{100 * xavier_sigmoid.train_accuracy[-1]:.1f}% / {100 * xavier_sigmoid.val_accuracy[-1]:.1f}%",
        "small weights: gradient ×≤¼ per layer (demo vanishing)",
    )
    shift = np.abs(alphas - PRELU_INIT)
    result.add(
        "PReLU α after training: mean (min … max)",
        f"{alphas.mean():.3f} ({alphas.min():.3f} … {alphas.max():.3f})",
        f"starts at {PRELU_INIT} (PyTorch default)",
    )

    family = {name: histories[name].train_accuracy[-1] for name in RELU_FAMILY}
    result.checks = {
        "sigmoid_acc": histories["sigmoid"].train_accuracy[-1],
        "tanh_acc": histories["tanh"].train_accuracy[-1],
        "xavier_sigmoid_acc": xavier_sigmoid.train_accuracy[-1],
        "relu_family_min_acc": min(family.values()),
        "prelu_alpha_max_shift": float(shift.max()),
        "prelu_alpha_mean_shift": float(shift.mean()),
    }
    lowest = min(family.values())
    reached = "100%" if lowest >= 1.0 else f"at least {100 * lowest:.1f}%"
    result.conclusion = (
        f"at {DEPTH} hidden layers, each with the initialisation that suits it, every ReLU variant reaches "
        f"{reached} training accuracy while sigmoid lags at "
        f"{100 * result.checks['sigmoid_acc']:.0f}% ({100 * xavier_sigmoid.train_accuracy[-1]:.0f}% from "
        f"Xavier); PReLU's α moved from {PRELU_INIT} by up to {shift.max():.3f}"
    )
    return result


if __name__ == "__main__":
    main(run, __doc__ or "")
