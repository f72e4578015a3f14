"""Losses and metrics on the scalar engine — lecture 0, step 2: "goodness of function".

Shapes (what `Module.forward_batch` returns, or one example's output):

- ``mse`` and ``hinge`` take outputs and targets of the same nesting: a Value and a number, a list
  of Values and a list of numbers (a batch of 1-output examples, or one example with several
  outputs), or a list of lists. The loss is the mean over **all** elements (PyTorch's
  ``reduction="mean"``); for 1-output models that is the mean over the batch.
- ``cross_entropy``, ``softmax``, ``log_softmax`` take logits: one example is a list of K Values
  (target: an int class in [0, K)); a batch is a list of such lists (targets: a list of ints).
  The loss is the mean over the batch.
- ``accuracy`` takes either of the above: lists of logits with int classes (prediction = argmax,
  the lowest index on a tie), or scalar scores (a Value, or a list of Values) with targets ±1
  (prediction = +1 if score > 0 else −1, micrograd's rule). Returns a float in [0, 1].

Every loss is a single `Value` node (``float(loss)`` gives its value); numbers among the outputs are
accepted as constants. Targets may be NumPy arrays (read with ``.tolist()``).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

from ._checks import check_signed_label
from .engine import Value, argmax, sum_of

__all__ = ["accuracy", "cross_entropy", "hinge", "log_softmax", "mse", "softmax"]


def _is_number(x: object) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _is_scalar(x: object) -> bool:
    return isinstance(x, Value) or _is_number(x)


def _as_list(x: object) -> list[Any] | None:
    """x as a list if it is a sequence (or an array, via `.tolist()`), else None."""
    if _is_scalar(x):
        return None
    if hasattr(x, "tolist") and not isinstance(x, (list, tuple)):
        x = x.tolist()
    if isinstance(x, (str, bytes)) or not isinstance(x, Sequence):
        return None
    return list(x)


def _value(x: Any) -> Value:
    return x if isinstance(x, Value) else Value.constant(float(x))


def _mean(terms: list[Value]) -> Value:
    return sum_of(terms) * (1.0 / len(terms))


# ---------------------------------------------------------------------------------------------
# Regression-style losses: elementwise pairs (output, target)
# ---------------------------------------------------------------------------------------------


def _pairs(outputs: Any, targets: Any, who: str) -> list[tuple[Value, float]]:
    """Match outputs with targets element by element (same nesting, at most two levels)."""
    pairs: list[tuple[Value, float]] = []

    def walk(o: Any, t: Any, where: str, depth: int) -> None:
        if _is_scalar(o):
            if hasattr(t, "tolist") and not isinstance(t, (list, tuple)):
                t = t.tolist()
            if not _is_number(t):
                raise TypeError(
                    f"{who}: targets{where} is {type(t).__name__} {t!r:.40}; expected a number "
                    f"(outputs{where} is a single value)."
                )
            if not math.isfinite(t):
                raise ValueError(f"{who}: targets{where} is {t!r}; expected a finite number.")
            pairs.append((_value(o), float(t)))
            return
        os_, ts = _as_list(o), _as_list(t)
        if os_ is None or depth == 2:
            raise TypeError(
                f"{who}: outputs{where} is {type(o).__name__}; expected a Value, a list of Values "
                "or a list of lists (what forward_batch returns)."
            )
        if ts is None:
            raise TypeError(
                f"{who}: targets{where} is {type(t).__name__} {t!r:.40}; expected a list of {len(os_)} "
                f"(outputs{where} is a list of {len(os_)})."
            )
        if len(os_) != len(ts):
            raise ValueError(
                f"{who}: outputs{where} has {len(os_)} elements but targets{where} has {len(ts)}."
            )
        for i, (oi, ti) in enumerate(zip(os_, ts)):
            walk(oi, ti, f"{where}[{i}]", depth + 1)

    walk(outputs, targets, "", 0)
    if not pairs:
        raise ValueError(f"{who}: got an empty batch.")
    return pairs


def mse(outputs: Any, targets: Any) -> Value:
    """Mean squared error: L = (1/n) Σ (yᵢ − tᵢ)² over all n elements; ∂L/∂yᵢ = 2(yᵢ − tᵢ)/n.

    Lecture 0, step 2 (goodness of function).
    """
    terms = []
    for y, t in _pairs(outputs, targets, "mse"):
        d = y - t
        terms.append(d * d)
    return _mean(terms)


def hinge(outputs: Any, targets: Any) -> Value:
    """The SVM max-margin loss of micrograd's demo: L = (1/n) Σ max(0, 1 − tᵢ·sᵢ), tᵢ ∈ {−1, +1}.

    0/1 labels (e.g. `data.moons`) are turned into ±1 by `micrograd_tips.data.signed_labels`.

    ∂L/∂sᵢ = −tᵢ/n when the margin tᵢ·sᵢ < 1, else 0. Lecture 0, step 2 (goodness of function).
    """
    terms = []
    for s, t in _pairs(outputs, targets, "hinge"):
        check_signed_label("hinge(targets)", t)
        terms.append((1.0 + s * (-t)).relu())
    return _mean(terms)


# ---------------------------------------------------------------------------------------------
# Classification: logits
# ---------------------------------------------------------------------------------------------


def _logit_rows(outputs: Any, who: str) -> tuple[list[list[Value]], bool]:
    """(rows of logits, whether `outputs` was a single example)."""
    outs = _as_list(outputs)
    if outs is None:
        raise TypeError(
            f"{who}: got {type(outputs).__name__}; expected the logits of one example (a list of "
            "Values) or of a batch (a list of such lists)."
        )
    if not outs:
        raise ValueError(f"{who}: got an empty list of logits.")
    if all(_is_scalar(o) for o in outs):
        return [[_value(o) for o in outs]], True
    rows = [_as_list(o) for o in outs]
    for i, row in enumerate(rows):
        if row is None or not row or not all(_is_scalar(z) for z in row):
            raise TypeError(f"{who}: outputs[{i}] is not a non-empty list of logits (Values or numbers).")
    return [[_value(z) for z in row] for row in rows if row is not None], False


def _class_targets(targets: Any, rows: list[list[Value]], single: bool, who: str) -> list[int]:
    """Check class labels: an int for one example, a list of ints for a batch; 0 ≤ t < K."""
    if single:
        ts = [targets.tolist() if hasattr(targets, "tolist") else targets]
    else:
        listed = _as_list(targets)
        if listed is None:
            raise TypeError(
                f"{who}: targets is {type(targets).__name__}; expected a list of {len(rows)} ints."
            )
        if len(listed) != len(rows):
            raise ValueError(f"{who}: {len(rows)} outputs but {len(listed)} targets.")
        ts = listed
    for i, (t, row) in enumerate(zip(ts, rows)):
        where = "" if single else f"[{i}]"
        if isinstance(t, bool) or not isinstance(t, numbers.Integral):
            raise TypeError(f"{who}: targets{where} is {type(t).__name__} {t!r:.40}; expected an int class.")
        if not 0 <= int(t) < len(row):
            raise ValueError(f"{who}: targets{where} is {t}; expected a class in [0, {len(row)}).")
    return [int(t) for t in ts]


def _log_sum_exp(zs: list[Value]) -> Value:
    """log Σ exp(zᵢ) = m + log Σ exp(zᵢ − m), m = max zᵢ taken as a constant: no overflow."""
    m = max(z.data for z in zs)
    return sum_of([(z - m).exp() for z in zs]).log() + m


def _softmax_row(zs: list[Value]) -> list[Value]:
    m = max(z.data for z in zs)
    es = [(z - m).exp() for z in zs]
    total = sum_of(es)
    return [e / total for e in es]


def softmax(logits: Any) -> list[Value] | list[list[Value]]:
    """pᵢ = exp(zᵢ − m) / Σⱼ exp(zⱼ − m) (m = max z, for stability); Σ pᵢ = 1.

    ∂pᵢ/∂zⱼ = pᵢ([i = j] − pⱼ). One example → a list; a batch → a list of lists.
    Lecture 0, step 2 (goodness of function).
    """
    rows, single = _logit_rows(logits, "softmax")
    out = [_softmax_row(r) for r in rows]
    return out[0] if single else out


def log_softmax(logits: Any) -> list[Value] | list[list[Value]]:
    """log pᵢ = zᵢ − log Σⱼ exp(zⱼ), via log-sum-exp (finite for logits of ±1000).

    ∂(log pᵢ)/∂zⱼ = [i = j] − pⱼ. Lecture 0, step 2 (goodness of function).
    """
    rows, single = _logit_rows(logits, "log_softmax")
    out = []
    for r in rows:
        lse = _log_sum_exp(r)
        out.append([z - lse for z in r])
    return out[0] if single else out


def cross_entropy(outputs: Any, targets: Any) -> Value:
    """L = (1/N) Σₙ −log softmax(zₙ)[tₙ] = (1/N) Σₙ (log Σⱼ exp(zₙⱼ) − zₙ,tₙ).

    Stable (log-sum-exp with the max subtracted); ∂L/∂zₙⱼ = (pₙⱼ − [j = tₙ])/N. Equals
    ``torch.nn.functional.cross_entropy(logits, targets)``. Lecture 0, step 2 (goodness of function).
    """
    rows, single = _logit_rows(outputs, "cross_entropy")
    ts = _class_targets(targets, rows, single, "cross_entropy")
    return _mean([_log_sum_exp(r) - r[t] for r, t in zip(rows, ts)])


def accuracy(outputs: Any, targets: Any) -> float:
    """Fraction of correct predictions (see the module docstring for the two conventions).

    Logits with int classes: correct when argmax z = t. Scalar scores with ±1 targets: correct
    when (s > 0) = (t > 0). Accuracy = (1/N) Σₙ [predₙ = tₙ]; no gradient (a metric).
    Lecture 0, step 2 (goodness of function).
    """
    listed = _as_list(outputs)
    scalar_scores = _is_scalar(outputs) or (
        listed is not None and all(_is_scalar(o) for o in listed) and _as_list(targets) is not None
    )
    if scalar_scores:
        pairs = _pairs(outputs, targets, "accuracy")
        for _, t in pairs:
            check_signed_label("accuracy(targets) of scalar scores", t)
        return sum((s.data > 0) == (t > 0) for s, t in pairs) / len(pairs)
    rows, single = _logit_rows(outputs, "accuracy")
    ts = _class_targets(targets, rows, single, "accuracy")
    return sum(argmax(r) == t for r, t in zip(rows, ts)) / len(rows)
