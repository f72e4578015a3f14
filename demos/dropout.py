"""Dropout (lecture B3): train thinned networks, test with the full one scaled by (1 − p).

1. Overfitting on MNIST: a wide network on a few hundred digits reaches 100% training accuracy
   but much less on the test set. The same network trained with dropout (inputs and hidden
   units dropped with probability p) in the lecture's form — one mask per mini-batch, weights
   ×(1 − p) at test time — and in PyTorch's inverted form — one mask per example, kept units
   ÷(1 − p) in training, nothing at test time — has a smaller train–test gap. Its accuracy
   *during* training (thinned networks) is lower: dropout is for test results.
2. The ensemble view: M droppable units give 2^M thinned networks. Averaging all of them,
   weighted by their probabilities, gives exactly the ×(1 − p) network when the network is
   linear (the lecture's w1x1 + w2x2 example), and only approximately with a sigmoid.
3. One thinned network drawn with the scalar engine: the dropped units (and their weights) grey.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from _common import main, progress, pyplot, save_figure

from micrograd_tips import Value
from micrograd_tips import nn as scalar_nn
from micrograd_tips.data import load_mnist_5k
from micrograd_tips.dropout import Dropout, all_masks, ensemble_average
from micrograd_tips.optim import Adam
from micrograd_tips.report import DemoResult
from micrograd_tips.tensor import nn
from micrograd_tips.training import History, evaluate, fit
from micrograd_tips.viz import draw_dot, render, save_network_figure


class Setup(NamedTuple):
    """Sizes of the MNIST runs: few examples, a wide network (overfits without dropout)."""

    n_train: int
    hidden: int
    epochs: int
    lr: float
    p: float  # drop probability of every input pixel and hidden unit
    runs: int  # independent runs (seed, seed + 1, …: data subset and weights) averaged


QUICK = Setup(n_train=500, hidden=256, epochs=80, lr=2e-3, p=0.5, runs=1)
FULL = Setup(n_train=500, hidden=256, epochs=80, lr=2e-3, p=0.5, runs=3)

# name → MLP dropout options (no dropout, the lecture's form, PyTorch's inverted form)
VARIANTS: dict[str, dict[str, Any]] = {
    "no dropout": {},
    "dropout, lecture form": {"dropout_scaling": "lecture", "dropout_resample": "batch"},
    "dropout, inverted form": {"dropout_scaling": "inverted", "dropout_resample": "example"},
}


# ---------------------------------------------------------------------------------------------
# 1. Train vs test accuracy on MNIST
# ---------------------------------------------------------------------------------------------


class Score(NamedTuple):
    train: float  # full network (eval mode) on the training digits
    during_training: float  # thinned networks, last epoch (what training "sees")
    test: float
    history: History


def train(setup: Setup, data: Any, seed: int, options: dict[str, Any]) -> tuple[nn.MLP, Score]:
    """784 → hidden → hidden → 10 ReLU network with Adam; dropout when `options` asks for it."""
    drop = {"dropout": setup.p, "input_dropout": setup.p, **options} if options else {}
    lr = setup.lr
    if options.get("dropout_scaling") == "lecture":
        # The lecture form trains weights 1/(1 − p) times the inverted form's (the same thinned
        # networks otherwise); Adam's steps are ≈ lr whatever the gradient's scale, so the same
        # relative steps need lr/(1 − p).
        lr = setup.lr / (1.0 - setup.p)
    rng = np.random.default_rng(seed)
    model = nn.MLP(784, [setup.hidden, setup.hidden, 10], init="he", rng=rng, dtype="float32", **drop)
    X, y = data.X_train[: setup.n_train], data.y_train[: setup.n_train]
    history = fit(
        model,
        Adam(model.parameters(), lr=lr),
        X,
        y,
        loss="cross_entropy",
        epochs=setup.epochs,
        batch_size=32,
        validation=(data.X_val, data.y_val),
        seed=seed,
        progress=False,
    )
    _, train_acc = evaluate(model, X, y, loss="cross_entropy")
    _, test_acc = evaluate(model, data.X_test, data.y_test, loss="cross_entropy")
    assert train_acc is not None and test_acc is not None
    return model, Score(train_acc, history.train_accuracy[-1], test_acc, history)


@contextmanager
def without_test_scaling(model: nn.MLP) -> Iterator[None]:
    """Evaluate a lecture-form network *without* the ×(1 − p) (what goes wrong if you forget it)."""
    drops = [m for m in model.modules() if isinstance(m, nn.Dropout)]
    try:
        for d in drops:
            d.scaling = "inverted"  # eval mode of the inverted form: identity
        yield
    finally:
        for d in drops:
            d.scaling = "lecture"


def mean(scores: list[Score], field: str) -> float:
    """The average of one Score field over the runs."""
    return float(np.mean([getattr(sc, field) for sc in scores]))


def plot_accuracy(runs: dict[str, list[Score]], out_dir: Path) -> list[Path]:
    """Left: train/test accuracy per variant (mean; dots = runs). Right: the first run per epoch."""
    plt = pyplot()
    fig, (ax_bar, ax_curve) = plt.subplots(1, 2, figsize=(12, 4.3))
    names = list(runs)
    xs = np.arange(len(names))
    train_acc = [mean(runs[n], "train") for n in names]
    test_acc = [mean(runs[n], "test") for n in names]
    ax_bar.bar(xs - 0.2, train_acc, 0.4, label="training set (full network)", color="tab:blue")
    ax_bar.bar(xs + 0.2, test_acc, 0.4, label="test set", color="tab:orange")
    for x, name in zip(xs, names):
        if len(runs[name]) > 1:
            ax_bar.plot([x + 0.2] * len(runs[name]), [sc.test for sc in runs[name]], "k.", ms=5)
    for x, a, b in zip(xs, train_acc, test_acc):
        ax_bar.annotate(f"gap {a - b:.1%}", (x, max(a, b) + 0.005), ha="center", fontsize=9)
    ax_bar.set_xticks(xs, [n.replace(", ", ",\n") for n in names])
    ax_bar.set_ylim(min(test_acc) - 0.08, 1.03)
    ax_bar.set_ylabel("accuracy")
    runs_text = (
        f"mean of {len(runs[names[0]])} runs, dots: each run" if len(runs[names[0]]) > 1 else "one run"
    )
    ax_bar.set_title(f"After training ({runs_text})")
    ax_bar.legend(fontsize=8, loc="lower right")
    colors = dict(zip(names, ("tab:gray", "tab:red", "tab:blue")))
    for name in names:
        history = runs[name][0].history
        epochs = np.arange(1, history.epochs + 1)
        color = colors[name]
        ax_curve.plot(epochs, history.train_accuracy, ":", color=color, label=f"{name}: training")
        ax_curve.plot(epochs, history.val_accuracy, "-", color=color, label=f"{name}: validation")
    ax_curve.set_xlabel("epoch")
    ax_curve.set_ylabel("accuracy")
    ax_curve.set_ylim(0.6, 1.01)
    ax_curve.set_title("During training, first run (dotted: the thinned networks)")
    ax_curve.legend(fontsize=7, loc="lower right")
    fig.suptitle("Dropout (lecture B3): worse on the training batches, smaller train–test gap")
    fig.tight_layout()
    return save_figure(fig, out_dir, "dropout_accuracy")


# ---------------------------------------------------------------------------------------------
# 2. The ensemble identity (scalar engine, float64)
# ---------------------------------------------------------------------------------------------


def two_input_example(w1: float, w2: float, x1: float, x2: float) -> tuple[list[float], float, float]:
    """The lecture's z = w1·x1 + w2·x2 with both inputs dropped at p = 0.5.

    Returns (the four sub-networks' outputs for masks 11, 01, 10, 00; their average by
    `ensemble_average`; the test-time network, whose inputs are ×(1 − p)).
    """
    drop = Dropout(0.5)
    neuron = scalar_nn.Neuron(2, activation="linear")
    neuron.load_state_dict({"weight": [w1, w2], "bias": 0.0})
    model = scalar_nn.Sequential(drop, neuron)
    subnets = []
    for mask in ((1, 1), (0, 1), (1, 0), (0, 0)):
        with drop.fixed_mask(mask):
            subnets.append(model([x1, x2]).data)
    average = ensemble_average(model, [x1, x2])
    assert isinstance(average, float)
    model.eval()
    return subnets, average, model([x1, x2]).data


class Ensemble(NamedTuple):
    outputs: list[float]  # every thinned network's output (all masks, equally likely at p = 0.5)
    average: float  # ensemble_average: Σ P(mask)·output(mask)
    scaled: float  # the eval network: weights ×(1 − p)


def ensemble(activation: str, seed: int, scaling: str = "lecture") -> Ensemble:
    """All 2^10 thinned networks of a 4 → 6 → 1 net with dropout p = 0.5 on inputs and hidden units."""
    model = scalar_nn.MLP(
        4, [6, 1], activation=activation, seed=seed, dropout=0.5, input_dropout=0.5, dropout_scaling=scaling
    )
    x = [0.8, -1.2, 2.0, 0.5]
    d_in, d_hidden = model.input_dropout, model.dropouts[0]
    assert d_in is not None
    outputs = []
    model.train()
    for m_in in all_masks(4):
        for m_hidden in all_masks(6):
            with d_in.fixed_mask(m_in), d_hidden.fixed_mask(m_hidden):
                outputs.append(model(x).data)
    average = ensemble_average(model, x)
    assert isinstance(average, float)
    model.eval()
    return Ensemble(outputs, average, model(x).data)


def plot_ensembles(linear: Ensemble, sigmoid: Ensemble, out_dir: Path) -> list[Path]:
    """Histogram of the 1024 thinned networks' outputs, their average and the ×(1 − p) network."""
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    for ax, (name, e) in zip(axes, (("linear", linear), ("sigmoid", sigmoid))):
        ax.hist(e.outputs, bins=40, color="0.75", label=f"{len(e.outputs)} thinned networks")
        ax.axvline(e.average, color="tab:blue", lw=2.5, label=f"their average {e.average:.6f}")
        ax.axvline(e.scaled, color="tab:red", ls="--", lw=2, label=f"weights ×(1−p): {e.scaled:.6f}")
        ax.set_title(f"{name} network: |difference| = {abs(e.average - e.scaled):.1e}")
        ax.set_xlabel("network output")
        ax.set_ylabel("number of thinned networks")
        ax.legend(fontsize=8)
    fig.suptitle(
        "Ensemble view (B3): is the ×(1 − p) network the average of all 2^10 = 1024 thinned networks?"
    )
    fig.tight_layout()
    return save_figure(fig, out_dir, "dropout_ensemble")


# ---------------------------------------------------------------------------------------------
# 3. One thinned network, drawn
# ---------------------------------------------------------------------------------------------


def draw_thinned(out_dir: Path, seed: int) -> list[Path]:
    """A 3 → 4 → 1 sigmoid net with input x2 and hidden units 1, 3 (from 0, as the labels) dropped."""
    model = scalar_nn.MLP(3, [4, 1], activation="sigmoid", seed=seed, dropout=0.5, input_dropout=0.5)
    assert model.input_dropout is not None
    x = [Value(1.0, label="x1"), Value(-2.0, label="x2"), Value(0.5, label="x3")]
    model.train()
    with model.input_dropout.fixed_mask((1, 0, 1)), model.dropouts[0].fixed_mask((1, 0, 1, 0)):
        y = model(x)
    y.label = "y"
    y.backward()
    # A dropped unit became a constant 0 ("dropped"); the weights leaving it go with it.
    hidden, output = model.layers
    dimmed = [*(row[1] for row in hidden.weight), output.weight[0][1], output.weight[0][3]]
    stack, seen = [y], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node._role == "const" and node.label == "dropped":
            dimmed.append(node)
        stack.extend(node._prev)
    graph = draw_dot(
        y,
        params=model.parameters(),
        dim=dimmed,
        title=(
            "a thinned network: x2 and hidden units 1, 3 dropped (grey, a constant 0); "
            "the weights leaving them get grad 0"
        ),
        max_nodes=200,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [render(graph, out_dir / f"thinned_network.{fmt}") for fmt in ("png", "svg")]
    paths.append(  # the same thinned network as the lecture draws it: dropped neurons crossed out
        save_network_figure(
            model,
            [1.0, -2.0, 0.5],
            out_dir / "network_dropout.svg",
            masks=[(1, 0, 1), (1, 0, 1, 0)],
            title="one thinned network (B3)",
        )
    )
    return paths


# ---------------------------------------------------------------------------------------------


def run(out_dir: Path, quick: bool = False, seed: int = 0) -> DemoResult:
    result = DemoResult("dropout", "Dropout: train/test gap and the ensemble view", "B3 dropout")
    setup = QUICK if quick else FULL
    runs: dict[str, list[Score]] = {name: [] for name in VARIANTS}
    for r in progress(range(setup.runs), "runs", total=setup.runs):
        data = load_mnist_5k(seed=seed + r)
        for name, options in VARIANTS.items():
            model, score = train(setup, data, seed + r, options)
            runs[name].append(score)
            if r == 0 and options.get("dropout_scaling") == "lecture":
                scaled_loss, _ = evaluate(model, data.X_test, data.y_test, loss="cross_entropy")
                with without_test_scaling(model):
                    unscaled_loss, unscaled_acc = evaluate(
                        model, data.X_test, data.y_test, loss="cross_entropy"
                    )
    result.figures += plot_accuracy(runs, out_dir)

    subnets, average, halved = two_input_example(w1=2.0, w2=-1.0, x1=3.0, x2=1.0)
    linear, sigmoid = ensemble("linear", seed), ensemble("sigmoid", seed)
    inverted = ensemble("linear", seed, scaling="inverted")
    result.figures += plot_ensembles(linear, sigmoid, out_dir)
    result.figures += draw_thinned(out_dir, seed)

    s = setup
    result.add(
        "regime",
        f"{s.n_train} MNIST digits, 784-{s.hidden}-{s.hidden}-10 ReLU, Adam, {s.epochs} epochs; "
        f"p = {s.p} (inputs and hidden units)",
        "a regime that overfits",
    )
    result.add(
        "Adam learning rate: no dropout and inverted / lecture form",
        f"{s.lr:g} / {s.lr / (1 - s.p):g}",
        "lecture-form weights are 1/(1−p)× larger",
    )
    per_run = "" if s.runs == 1 else f" (mean of {s.runs} runs)"
    gap = {name: mean(scores, "train") - mean(scores, "test") for name, scores in runs.items()}
    for name, scores in runs.items():
        result.add(
            f"{name}: train / test accuracy (gap){per_run}",
            f"{mean(scores, 'train'):.1%} / {mean(scores, 'test'):.1%} ({gap[name]:.1%})",
            "smaller gap with dropout" if name != "no dropout" else "overfits",
        )
    for name, scores in runs.items():
        result.add(
            f"{name}: accuracy on the training batches{per_run}",
            f"{mean(scores, 'during_training'):.1%}",
            "worse with dropout",
        )
    result.add(
        "lecture form tested without ×(1−p): test accuracy (loss)",
        f"{unscaled_acc:.1%} ({unscaled_loss:.3g} vs {scaled_loss:.3g} with it)",
        "z would be ~2× what training saw",
    )
    result.add(
        "z = w1x1 + w2x2 (w = 2, −1; x = 3, 1), p = 0.5: four sub-networks",
        ", ".join(f"{v:g}" for v in subnets),
        "w1x1+w2x2, w2x2, w1x1, 0",
    )
    result.add(
        "… their average / the network with weights ×½", f"{average:g} / {halved:g}", "½(w1x1 + w2x2) = 2.5"
    )
    result.add(
        "linear 4-6-1 net: |average of 2^10 thinned − ×(1−p) net|",
        f"{abs(linear.average - linear.scaled):.1e}",
        "0 (exact for linear)",
    )
    result.add(
        "… same, inverted form (÷(1−p) in training, identity at test)",
        f"{abs(inverted.average - inverted.scaled):.1e}",
        "0",
    )
    result.add(
        "sigmoid 4-6-1 net: |average − ×(1−p) net|",
        f"{abs(sigmoid.average - sigmoid.scaled):.1e} (outputs ≈ {sigmoid.scaled:.3f})",
        "approximate only",
    )

    none, lecture, inv = (runs[n] for n in VARIANTS)
    g_none, g_lecture, g_inv = (gap[n] for n in VARIANTS)
    result.checks.update(
        gap_none=g_none,
        gap_lecture=g_lecture,
        gap_inverted=g_inv,
        test_none=mean(none, "test"),
        test_lecture=mean(lecture, "test"),
        test_inverted=mean(inv, "test"),
        during_training_none=mean(none, "during_training"),
        during_training_lecture=mean(lecture, "during_training"),
        during_training_inverted=mean(inv, "during_training"),
        two_input_average=average,
        two_input_halved=halved,
        linear_ensemble_error=abs(linear.average - linear.scaled),
        inverted_linear_ensemble_error=abs(inverted.average - inverted.scaled),
        sigmoid_ensemble_error=abs(sigmoid.average - sigmoid.scaled),
        unscaled_test_loss=unscaled_loss,
        scaled_test_loss=scaled_loss,
    )
    result.conclusion = (
        f"train–test gap {g_none:.1%} without dropout, {g_lecture:.1%} (lecture form) and {g_inv:.1%} "
        f"(inverted){per_run}; the ×(1−p) network equals the average of "
        f"all 2^10 thinned networks to {abs(linear.average - linear.scaled):.0e} when linear, "
        f"only to {abs(sigmoid.average - sigmoid.scaled):.0e} with sigmoid"
    )
    return result


if __name__ == "__main__":
    main(run, __doc__ or "")
