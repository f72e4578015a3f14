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

from .engine import _BACKWARD, Grads, Tensor, _make

__all__ = ["accuracy", "cross_entropy", "hinge", "log_softmax", "mse", "softmax"]


def _logits(outputs: Any, who: str) -> Tensor:
    t = outputs if isinstance(outputs, Tensor) else Tensor(outputs)
    if t.data.ndim not in (1, 2) or t.data.shape[-1] == 0 or t.data.size == 0:
        raise ValueError(f"{who}: got logits of shape {t.shape}; expected (N, K) or (K,) with K ≥ 1, N ≥ 1")
    return t


def _classes(targets: Any, logits: Tensor, who: str) -> np.ndarray:
    """Int class labels, one per row of `logits`, each in [0, K)."""
    single = logits.data.ndim == 1
    arr = np.asarray(targets.data if isinstance(targets, Tensor) else targets)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{who}: targets have dtype {arr.dtype} ({arr!r:.40}); expected int classes")
    n = 1 if single else logits.data.shape[0]
    if arr.shape != (() if single else (n,)):
        raise ValueError(
            f"{who}: targets of shape {arr.shape} for logits of shape {logits.shape}; expected {(n,)}"
        )
    k = logits.data.shape[-1]
    if arr.size and (arr.min() < 0 or arr.max() >= k):
        raise ValueError(f"{who}: a target is outside [0, {k}) (got min {arr.min()}, max {arr.max()})")
    return arr.reshape(n).astype(np.intp)


def _paired(outputs: Any, targets: Any, who: str) -> tuple[Tensor, np.ndarray]:
    """(outputs, targets) with the same shape; targets are finite numbers of the outputs' dtype."""
    out = outputs if isinstance(outputs, Tensor) else Tensor(outputs)
    if isinstance(targets, (bool, np.bool_)):
        raise TypeError(f"{who}: targets is a bool; expected numbers")
    t = np.asarray(targets.data if isinstance(targets, Tensor) else targets)
    if t.dtype.kind not in "iuf":
        raise TypeError(f"{who}: targets have dtype {t.dtype}; expected real numbers")
    if t.shape != out.data.shape:
        if out.data.ndim == 2 and out.data.shape[1] == 1 and t.shape == out.data.shape[:1]:
            t = t[:, None]  # a 1-output model's (N, 1) outputs with (N,) targets
        else:
            raise ValueError(f"{who}: outputs of shape {out.shape} and targets of shape {t.shape} differ")
    if out.data.size == 0:
        raise ValueError(f"{who}: got an empty batch.")
    if not np.isfinite(t).all():
        raise ValueError(f"{who}: the targets contain nan or inf; expected finite numbers.")
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
        raise ValueError(f"hinge: targets must be −1 or +1; got {np.unique(t)[:5]}")
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
    return _make(np.asarray(loss, dtype=z.data.dtype), (z,), "cross_entropy", (e, t))


def _back_cross_entropy(out: Tensor, g: np.ndarray) -> Grads:  # ∂L/∂zₙⱼ = (pₙⱼ − [j = tₙ])/N
    (z,) = out._prev
    probs, t = out._ctx
    d = probs.copy()
    d[np.arange(len(t)), t] -= 1
    d *= g / len(t)
    return (d.reshape(z.data.shape),)


_BACKWARD["cross_entropy"] = _back_cross_entropy


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
            raise ValueError("accuracy: scalar scores need targets −1 or +1.")
        return float(np.mean((s.data > 0) == (t > 0)))
    z = _logits(out, "accuracy")
    t = _classes(targets, z, "accuracy")
    pred = z.data.reshape(-1, z.data.shape[-1]).argmax(axis=1)
    return float(np.mean(pred == t))
