"""The recipe of deep learning: "do not always blame overfitting" — two cases on real MNIST.

Lecture 0: first ask "good results on TRAINING data?"; only if yes ask "good results on
validation data?". He et al. 2015 (Fig. 1): a 56-layer plain net has a higher error than a
20-layer one on the *test* set — and also on the *training* set, so it is not overfitting, it
is not well trained. Both nets train; the deeper one just trains worse.

Case 1 (that figure at a size this machine trains in seconds): two plain sigmoid nets, 2 and
10 hidden layers, with the same width, initialisation (the classic U(−1, 1)), optimizer (SGD,
lr 0.5) and budget (15 epochs on 3,500 images). Both learn, but the deep one, whose lower layers
get smaller gradients (lecture A1), ends with a clearly higher training error and a higher
validation error (its curve is still falling: depth slows training down, and with many more
epochs it would catch up — He et al.'s plain nets flatten out instead). Case 2 (real
overfitting): a big ReLU net trained on a few hundred images fits them perfectly but does much
worse on the validation set. `diagnose()` applies the recipe
(with its default bars) to each training history and names the two cases.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from _common import main, progress, pyplot, save_figure
from _mnist import train_sgd

from micrograd_tips.data import load_mnist_5k
from micrograd_tips.recipe import Diagnosis, Verdict, diagnose
from micrograd_tips.report import DemoResult
from micrograd_tips.training import History

SHALLOW, DEEP, WIDTH = 2, 10, 100  # hidden layers of the two plain sigmoid nets
INIT, LR, EPOCHS = "uniform", 0.5, 15  # case 1: the same for both nets
OVERFIT_EXAMPLES = 200  # case 2: training images for a 2×256 ReLU net
MIN_TRAIN_ACC, MAX_GAP = 0.9, 0.05  # diagnose()'s default bars, stated in the table


def train(
    X: Any, y: Any, validation: tuple[Any, Any], sizes: list[int], activation: str, init: str, **opts: Any
) -> History:
    """Train MLP(784, sizes) with SGD on (X, y), recording validation numbers after every epoch."""
    return train_sgd(X, y, sizes, activation, init, validation=validation, **opts)[0]


def error(accuracies: list[float]) -> np.ndarray:
    """Error rate in % per epoch, as He et al. plot it."""
    return 100 * (1 - np.asarray(accuracies))


def plot(out_dir: Path, shallow: History, deep: History, overfit: History) -> list[Path]:
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.3))
    ax = axes[0]
    for h, name, colour in (
        (shallow, f"{SHALLOW} hidden layer{'s' * (SHALLOW > 1)}", "tab:blue"),
        (deep, f"{DEEP} hidden layers", "tab:red"),
    ):
        epochs = np.arange(1, h.epochs + 1)
        ax.plot(epochs, error(h.train_accuracy), "--", color=colour, label=f"{name}: training")
        ax.plot(epochs, error(h.val_accuracy), "-", color=colour, label=f"{name}: validation")
    ax.set_title("Deeper plain net: worse on TRAINING data → not well trained")
    ax.set_ylabel("error (%)")
    ax.set_ylim(0, 100)
    ax = axes[1]
    epochs = np.arange(1, overfit.epochs + 1)
    ax.plot(epochs, error(overfit.train_accuracy), "--", color="tab:green", label="training")
    ax.plot(epochs, error(overfit.val_accuracy), "-", color="tab:green", label="validation")
    ax.set_title(f"{OVERFIT_EXAMPLES} training images: good on training, bad on validation → overfitting")
    ax.set_ylim(0, 100)
    for ax in axes:
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    for ax in axes:
        ax.title.set_fontsize(9)
    return save_figure(fig, out_dir, "train_vs_validation")


def run(out_dir: Path, quick: bool = False, seed: int = 0) -> DemoResult:
    result = DemoResult("recipe", "Do not always blame overfitting", "0 (recipe)")
    data = load_mnist_5k(seed=seed)
    X, y = data.X_train, data.y_train  # all 3,500: fewer images leave the deep net at chance
    val = (data.X_val, data.y_val)
    depth_opts = {"lr": LR, "epochs": EPOCHS, "batch_size": 50, "seed": seed}
    overfit_opts = {"lr": 0.05, "epochs": 30 if quick else 50, "batch_size": 20, "seed": seed}

    jobs = {
        "shallow": lambda: train(X, y, val, [WIDTH] * SHALLOW + [10], "sigmoid", INIT, **depth_opts),
        "deep": lambda: train(X, y, val, [WIDTH] * DEEP + [10], "sigmoid", INIT, **depth_opts),
        "overfit": lambda: train(
            X[:OVERFIT_EXAMPLES], y[:OVERFIT_EXAMPLES], val, [256, 256, 10], "relu", "he", **overfit_opts
        ),
    }
    hist = {name: job() for name, job in progress(list(jobs.items()), "recipe cases")}
    verdicts: dict[str, Diagnosis] = {
        name: diagnose(h, min_train_accuracy=MIN_TRAIN_ACC, max_accuracy_gap=MAX_GAP)
        for name, h in hist.items()
    }

    result.figures += plot(out_dir, hist["shallow"], hist["deep"], hist["overfit"])

    result.add(
        "setup, case 1",
        f"plain sigmoid nets, width {WIDTH}, init U(−1, 1), SGD lr {LR}, "
        f"{depth_opts['epochs']} epochs, {len(X)} images",
        "He et al.: plain nets, CIFAR-10",
    )
    lecture_errors = {"shallow": ("20-layer", "~1–2%", "~10%"), "deep": ("56-layer", "~5–6%", "~13%")}
    for key, depth in (("shallow", SHALLOW), ("deep", DEEP)):
        h = hist[key]
        layers, train_err, test_err = lecture_errors[key]
        result.add(
            f"{depth} hidden: training error", f"{error(h.train_accuracy)[-1]:.1f}%", f"{layers}: {train_err}"
        )
        result.add(
            f"{depth} hidden: validation error",
            f"{error(h.val_accuracy)[-1]:.1f}%",
            f"{layers}: {test_err} (test)",
        )
    h = hist["overfit"]
    result.add(
        "setup, case 2",
        f"ReLU 2×256, he, SGD lr 0.05, {overfit_opts['epochs']} epochs, {OVERFIT_EXAMPLES} images",
        "",
    )
    result.add(
        "case 2: training / validation error",
        f"{error(h.train_accuracy)[-1]:.1f}% / {error(h.val_accuracy)[-1]:.1f}%",
        "good train, bad test",
    )
    result.add(
        "diagnose() bars",
        f"train acc ≥ {MIN_TRAIN_ACC:.0%}, gap ≤ {MAX_GAP:.0%}",
        "",
    )
    expected = {
        "shallow": "20-layer: ~1–2% train vs ~10% test, a gap too",
        "deep": "not well trained",
        "overfit": "overfitting",
    }
    for name, d in verdicts.items():
        result.add(f"diagnose({name})", d.verdict.value, expected[name])

    result.checks = {
        "deep_not_well_trained": float(verdicts["deep"].verdict is Verdict.NOT_WELL_TRAINED),
        "overfit_is_overfitting": float(verdicts["overfit"].verdict is Verdict.OVERFITTING),
        "shallow_train_acc": hist["shallow"].train_accuracy[-1],
        "deep_train_acc": hist["deep"].train_accuracy[-1],
        "shallow_val_acc": hist["shallow"].val_accuracy[-1],
        "deep_val_acc": hist["deep"].val_accuracy[-1],
        "overfit_train_acc": hist["overfit"].train_accuracy[-1],
        "overfit_val_acc": hist["overfit"].val_accuracy[-1],
    }
    result.conclusion = (
        f"both plain nets train, but the {DEEP}-layer one stays worse than the {SHALLOW}-layer one on the "
        "training set "
        f"({error(hist['deep'].train_accuracy)[-1]:.0f}% vs {error(hist['shallow'].train_accuracy)[-1]:.0f}% "
        f"error): diagnose() says '{verdicts['deep'].verdict.value}', not overfitting; the net trained on "
        f"{OVERFIT_EXAMPLES} images is '{verdicts['overfit'].verdict.value}'. Why not a lack of capacity: "
        "a deeper net can copy a shallower one exactly (extra layers passing their input through; the "
        "'claims' demo builds it), so being worse on the training set means it was not trained well"
    )
    return result


if __name__ == "__main__":
    main(run, __doc__ or "")
