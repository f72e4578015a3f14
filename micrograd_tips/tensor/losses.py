"""Losses and metrics of the NumPy backend, mirroring `micrograd_tips.losses` (lecture 0, step 2).

Shapes (what `Module.forward_batch` returns):

- ``mse``/``hinge``: outputs (any shape) and targets of the same shape — or outputs (N, 1) of a
  1-output model with targets (N,). The loss is the mean over all elements.
- ``cross_entropy``, ``softmax``, ``log_softmax``: logits (N, K) with int targets (N,), or one
  example's logits (K,) with an int target. The loss is the mean over the batch.
- ``accuracy``: logits (N, K) with int classes (prediction = argmax, the lowest index on a tie),
  or scores (N,)/(N, 1) with targets ±1 (prediction = +1 if score > 0). Returns a float.

Every loss is a 0-d `Tensor` (``float(loss)``); `cross_entropy` is one fused node whose backward
is (softmax − one-hot)/N.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .._checks import fail
from .engine import Tensor, record
from .ops import Grads, Node, define_op

__all__ = ["accuracy", "cross_entropy", "hinge", "log_softmax", "mse", "softmax"]


def _logits(outputs: Any, who: str) -> Tensor:
    t = outputs if isinstance(outputs, Tensor) else Tensor(outputs)
    if t.data.ndim not in (1, 2) or t.data.shape[-1] == 0 or t.data.size == 0:
        fail(f"{who}: the logits' shape", t.shape, "(N, K) or (K,) with K ≥ 1, N ≥ 1", ValueError)
    return t


def _classes(targets: Any, logits: Tensor, who: str) -> np.ndarray:
    """Int class labels, one per row of `logits`, each in [0, K)."""
    single = logits.data.ndim == 1
    arr = np.asarray(targets.data if isinstance(targets, Tensor) else targets)
    if arr.dtype.kind not in "iu":
        fail(f"{who}(targets)", targets, "int classes")
    n = 1 if single else logits.data.shape[0]
    if arr.shape != (() if single else (n,)):
        fail(
            f"{who}(targets) for logits of shape {logits.shape}: the shape", arr.shape, f"{(n,)}", ValueError
        )
    k = logits.data.shape[-1]
    if arr.size and (arr.min() < 0 or arr.max() >= k):
        fail(f"{who}(targets)", targets, f"classes in [0, {k})", ValueError)
    return arr.reshape(n).astype(np.intp)


def _paired(outputs: Any, targets: Any, who: str) -> tuple[Tensor, np.ndarray]:
    """(outputs, targets) with the same shape; targets are finite numbers of the outputs' dtype."""
    out = outputs if isinstance(outputs, Tensor) else Tensor(outputs)
    t = np.asarray(targets.data if isinstance(targets, Tensor) else targets)
    if isinstance(targets, (bool, np.bool_)) or t.dtype.kind not in "iuf":
        fail(f"{who}(targets)", targets, "real numbers")
    if t.shape != out.data.shape:
        if out.data.ndim == 2 and out.data.shape[1] == 1 and t.shape == out.data.shape[:1]:
            t = t[:, None]  # a 1-output model's (N, 1) outputs with (N,) targets
        else:
            fail(
                f"{who}(targets) for outputs of shape {out.shape}: the shape",
                t.shape,
                "the same shape",
                ValueError,
            )
    if out.data.size == 0:
        fail(f"{who}(outputs)", outputs, "a non-empty batch", ValueError)
    if not np.isfinite(t).all():
        fail(f"{who}(targets)", targets, "finite numbers (no nan or inf)", ValueError)
    return out, t.astype(out.data.dtype)


def mse(outputs: Any, targets: Any) -> Tensor:
    """Mean squared error: L = (1/n) Σ (yᵢ − tᵢ)² over all n elements; ∂L/∂yᵢ = 2(yᵢ − tᵢ)/n.

    Lecture 0, step 2 (goodness of function).
    """
    y, t = _paired(outputs, targets, "mse")
    d = y - t
    return (d * d).mean()


def hinge(outputs: Any, targets: Any) -> Tensor:
    """The SVM max-margin loss: L = (1/n) Σ max(0, 1 − tᵢ·sᵢ), tᵢ ∈ {−1, +1}.

    ∂L/∂sᵢ = −tᵢ/n when the margin tᵢ·sᵢ < 1, else 0. Lecture 0, step 2 (goodness of function).
    """
    s, t = _paired(outputs, targets, "hinge")
    if not np.isin(t, (-1, 1)).all():
        hint = (
            "; for 0/1 labels use micrograd_tips.data.signed_labels(y) (= 2y − 1)"
            if np.isin(t, (0, 1)).all()
            else ""
        )
        fail("hinge(targets)", targets, f"−1 or +1 labels{hint}", ValueError)
    return (1.0 - s * t).relu().mean()


def log_softmax(logits: Any) -> Tensor:
    """log pᵢ = zᵢ − log Σⱼ exp(zⱼ) over the last axis, via log-sum-exp (finite at ±1000).

    ∂(log pᵢ)/∂zⱼ = [i = j] − pⱼ. Lecture 0, step 2 (goodness of function).
    """
    return _logits(logits, "log_softmax").log_softmax(-1)


def softmax(logits: Any) -> Tensor:
    """pᵢ = exp(zᵢ − m) / Σⱼ exp(zⱼ − m) over the last axis (m = max z); ∂pᵢ/∂zⱼ = pᵢ([i = j] − pⱼ).

    Lecture 0, step 2 (goodness of function).
    """
    return _logits(logits, "softmax").log_softmax(-1).exp()


def cross_entropy(outputs: Any, targets: Any) -> Tensor:
    """L = (1/N) Σₙ (log Σⱼ exp(zₙⱼ) − zₙ,tₙ), one fused node (stable: the max is subtracted).

    ∂L/∂zₙⱼ = (pₙⱼ − [j = tₙ])/N with p = softmax(zₙ). Equals torch's ``F.cross_entropy``.
    Lecture 0, step 2 (goodness of function).
    """
    z = _logits(outputs, "cross_entropy")
    t = _classes(targets, z, "cross_entropy")
    logits = z.data if z.data.ndim == 2 else z.data[None, :]
    rows = np.arange(logits.shape[0])
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        shifted = logits - logits.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        total = e.sum(axis=1, keepdims=True)
        loss = (np.log(total[:, 0]) - shifted[rows, t]).mean()
        e /= total  # e is now softmax(z), kept for the backward
    return record("cross_entropy", (z,), np.asarray(loss, dtype=z.data.dtype), (e, t))


@define_op("cross_entropy")
def _cross_entropy_vjp(out: Node, g: np.ndarray) -> Grads:  # ∂L/∂zₙⱼ = (pₙⱼ − [j = tₙ])/N
    probs, t = out._ctx
    d = probs.copy()
    d[np.arange(len(t)), t] -= 1
    d *= g / len(t)
    return (d.reshape(out._prev[0].data.shape),)


def accuracy(outputs: Any, targets: Any) -> float:
    """Fraction of correct predictions: argmax z = t for logits with int classes; (s > 0) = (t > 0)
    for scores with targets ±1 (see the module docstring). Accuracy = (1/N) Σₙ [predₙ = tₙ].

    Lecture 0, step 2 (goodness of function).
    """
    out = outputs if isinstance(outputs, Tensor) else Tensor(outputs)
    d = out.data
    is_scores = (d.ndim == 2 and d.shape[1] == 1) or d.ndim == 0 or (d.ndim == 1 and np.ndim(targets) == 1)
    if is_scores and not isinstance(targets, numbers.Integral):
        s, t = _paired(out, targets, "accuracy")
        if not np.isin(t, (-1, 1)).all():
            fail("accuracy(targets) for scores", targets, "−1 or +1 labels", ValueError)
        return float(np.mean((s.data > 0) == (t > 0)))
    z = _logits(out, "accuracy")
    t = _classes(targets, z, "accuracy")
    pred = z.data.reshape(-1, z.data.shape[-1]).argmax(axis=1)
    return float(np.mean(pred == t))
