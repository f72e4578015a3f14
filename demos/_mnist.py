"""The training run three demos share (recipe, vanishing, activations): a plain MLP on MNIST, SGD."""

from __future__ import annotations

from typing import Any

import numpy as np

from micrograd_tips.optim import SGD
from micrograd_tips.tensor import nn
from micrograd_tips.training import History, fit


def train_sgd(
    X: Any,
    y: Any,
    sizes: list[int],
    activation: str,
    init: str,
    *,
    lr: float,
    epochs: int,
    batch_size: int,
    seed: int,
    validation: tuple[Any, Any] | None = None,
) -> tuple[History, nn.MLP]:
    """Train MLP(784, sizes) (float32) with plain SGD w ← w − η·∂L/∂w on the cross-entropy.

    The seed fixes both the initial weights and the mini-batch order, so runs that differ only
    in `activation`, `init` or depth see the same data in the same order.
    """
    model = nn.MLP(784, sizes, activation, init=init, rng=np.random.default_rng(seed), dtype="float32")
    history = fit(
        model,
        SGD(model.parameters(), lr=lr),
        X,
        y,
        loss="cross_entropy",
        epochs=epochs,
        batch_size=batch_size,
        validation=validation,
        seed=seed,
        progress=False,
    )
    return history, model
