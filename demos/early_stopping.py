"""Early stopping (lecture B1): stop where the *validation* loss is lowest, keep those weights.

A network far bigger than its training set (a few hundred MNIST digits, two wide ReLU layers,
Adam) overfits: the training loss keeps falling while the validation loss — measured on digits
the network never trains on, not on the test set — falls, bottoms out and rises again. The demo
trains the same network (same seed, so the same curve) twice: once for every epoch of the
budget ("unlimited"), once with the `EarlyStopping` callback in `fit`, which stops after
`patience` epochs without a better validation loss and restores the best epoch's weights. The
test accuracy of the restored weights is compared with that of the last unlimited epoch.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from _common import main, pyplot, save_figure

from micrograd_tips.data import load_mnist_5k
from micrograd_tips.early_stopping import EarlyStopping
from micrograd_tips.optim import Adam
from micrograd_tips.report import DemoResult
from micrograd_tips.tensor import nn
from micrograd_tips.training import History, evaluate, fit


class Setup(NamedTuple):
    """Sizes of one run: the overfitting regime (few examples, a wide network)."""

    n_train: int
    hidden: int
    epochs: int
    lr: float
    patience: int


QUICK = Setup(n_train=300, hidden=256, epochs=40, lr=2e-3, patience=5)
FULL = Setup(n_train=1000, hidden=512, epochs=60, lr=1e-3, patience=8)


def build(setup: Setup, seed: int) -> nn.MLP:
    """784 → hidden → hidden → 10 ReLU network, He-initialised; the same seed gives the same weights."""
    return nn.MLP(
        784, [setup.hidden, setup.hidden, 10], init="he", rng=np.random.default_rng(seed), dtype="float32"
    )


def train(setup: Setup, data: Any, seed: int, callbacks: list[Any]) -> tuple[nn.MLP, History]:
    """Adam on the first `n_train` training digits, validation loss after every epoch."""
    model = build(setup, seed)
    X, y = data.X_train[: setup.n_train], data.y_train[: setup.n_train]
    history = fit(
        model,
        Adam(model.parameters(), lr=setup.lr),
        X,
        y,
        loss="cross_entropy",
        epochs=setup.epochs,
        batch_size=32,
        validation=(data.X_val, data.y_val),
        seed=seed,
        callbacks=callbacks,
    )
    return model, history


def plot(full: History, stopped: History, out_dir: Path) -> list[Path]:
    """Loss and accuracy per epoch (counted from 1), the stop and the restored epoch marked."""
    plt = pyplot()
    epochs = np.arange(1, full.epochs + 1)
    best = int(stopped.restored_epoch if stopped.restored_epoch is not None else np.argmin(stopped.val_loss))
    stop = stopped.epochs  # the early-stopped run trained this many epochs
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, train_curve, val_curve, what in (
        (ax_loss, full.train_loss, full.val_loss, "cross-entropy loss"),
        (ax_acc, full.train_accuracy, full.val_accuracy, "accuracy"),
    ):
        ax.plot(epochs, train_curve, label="training set", color="tab:blue")
        ax.plot(epochs, val_curve, label="validation set", color="tab:orange")
        ax.axvspan(stop + 0.5, full.epochs + 0.5, color="0.9", label="not trained with early stopping")
        ax.axvline(stop, color="tab:red", ls="--", label=f"early stopping stops (epoch {stop})")
        ax.set_xlabel("epoch")
        ax.set_ylabel(what)
        ax.set_xlim(0.5, full.epochs + 0.5)
    ax_loss.plot(
        best + 1, full.val_loss[best], "*", ms=14, color="tab:green", label="restored: lowest val loss"
    )
    ax_loss.set_title("Loss: training falls, validation turns up")
    ax_acc.set_title("Accuracy")
    ax_loss.legend(fontsize=8)
    ax_acc.legend(fontsize=8, loc="lower right")
    fig.suptitle("Early stopping (lecture B1): stop where the validation loss is lowest")
    fig.tight_layout()
    return save_figure(fig, out_dir, "early_stopping")


def run(out_dir: Path, quick: bool = False, seed: int = 0) -> DemoResult:
    result = DemoResult("early-stopping", "Early stopping on MNIST", "B1 early stopping")
    setup = QUICK if quick else FULL
    data = load_mnist_5k(seed=seed)
    full_model, full = train(setup, data, seed, callbacks=[])
    stopper = EarlyStopping(patience=setup.patience, restore_best=True)
    es_model, stopped = train(setup, data, seed, callbacks=[stopper])
    restored_val_loss, _ = evaluate(es_model, data.X_val, data.y_val, loss="cross_entropy")
    es_test_loss, es_test_acc = evaluate(es_model, data.X_test, data.y_test, loss="cross_entropy")
    last_test_loss, last_test_acc = evaluate(full_model, data.X_test, data.y_test, loss="cross_entropy")
    assert es_test_acc is not None and last_test_acc is not None  # cross-entropy → accuracy on

    best = int(np.argmin(stopped.val_loss))  # the lowest validation loss the stopped run saw
    restored = stopped.restored_epoch if stopped.restored_epoch is not None else -1
    full_best = int(np.argmin(full.val_loss))
    result.figures += plot(full, stopped, out_dir)

    hid = setup.hidden
    result.add(
        "regime",
        f"{setup.n_train} MNIST digits, 784-{hid}-{hid}-10 ReLU, Adam lr {setup.lr:g}",
        "a big network on few examples overfits",
    )
    result.add("epoch with the lowest validation loss (from 1)", best + 1, "stop here")
    result.add(
        f"EarlyStopping(patience={setup.patience}) stopped after epoch",
        stopped.epochs,
        f"≤ {setup.epochs} (the budget)",
    )
    result.add("restored weights are from epoch", restored + 1, "the lowest validation loss")
    result.add(f"lowest validation loss over all {setup.epochs} epochs: epoch", full_best + 1, "")
    result.add(
        "validation loss of the restored weights",
        restored_val_loss,
        f"{stopped.val_loss[best]:.4g} (history)",
    )
    result.add(
        f"validation loss: lowest / after all {setup.epochs} epochs",
        f"{full.val_loss[full_best]:.4g} / {full.val_loss[-1]:.4g}",
        "falls, then rises",
    )
    result.add(
        "training loss: at the best epoch / at the end",
        f"{full.train_loss[full_best]:.3g} / {full.train_loss[-1]:.3g}",
        "keeps falling",
    )
    result.add("test accuracy: restored weights", f"{es_test_acc:.2%}", "")
    result.add(f"test accuracy: epoch {setup.epochs} (no early stopping)", f"{last_test_acc:.2%}", "")
    result.add(
        f"test loss: restored / epoch-{setup.epochs} weights",
        f"{es_test_loss:.4g} / {last_test_loss:.4g}",
        "",
    )

    # The two runs share a seed, so the early-stopped history is a prefix of the unlimited one.
    prefix = np.abs(np.subtract(full.val_loss[: stopped.epochs], stopped.val_loss)).max()
    result.checks.update(
        restored_epoch=float(restored),
        argmin_val_epoch=float(best),
        restored_val_loss_error=abs(restored_val_loss - stopped.val_loss[best]),
        stopped_epochs=float(stopped.epochs),
        budget_epochs=float(setup.epochs),
        best_val_loss=float(full.val_loss[full_best]),
        final_val_loss=float(full.val_loss[-1]),
        train_loss_at_best=float(full.train_loss[full_best]),
        final_train_loss=float(full.train_loss[-1]),
        prefix_val_loss_diff=float(prefix),
        test_accuracy_restored=float(es_test_acc),
        test_accuracy_last=float(last_test_acc),
        test_loss_restored=float(es_test_loss),
        test_loss_last=float(last_test_loss),
    )
    rise = full.val_loss[-1] / full.val_loss[full_best] - 1.0
    result.conclusion = (
        f"validation loss bottomed at epoch {full_best + 1} and was {rise:.0%} higher after "
        f"{setup.epochs} epochs while training loss kept falling; early stopping stopped after epoch "
        f"{stopped.epochs} and restored epoch {restored + 1}: test loss {es_test_loss:.3g} vs "
        f"{last_test_loss:.3g}, test accuracy {es_test_acc:.1%} vs {last_test_acc:.1%} without it "
        "(accuracy can keep creeping up after the loss turns)"
    )
    return result


if __name__ == "__main__":
    main(run, __doc__ or "")
