"""L1 and L2 regularization (lecture B2), as penalties added to the loss and as update rules.

* Penalties (graph nodes, for either backend): L2 = λ·½‖θ‖², L1 = λ‖θ‖₁. Add one to the loss
  (``fit(..., regularizer=L2(1e-3))`` does it for you); backward then adds λθ or λ·sgn(θ) to
  every gradient.
* Update rules (the slides' form, applied after backward on the plain loss):
  L2  w ← (1 − ηλ)·w − η·∂L/∂w   (weight decay: w shrinks by a factor slightly below 1);
  L1  w ← w − η·∂L/∂w − ηλ·sgn(w)  (a constant amount each step: sparse weights).

Biases are not regularized (lecture B2): by default every parameter whose name without its
``[...]`` index ends in ``bias`` is left out. Parameters are given as a Module, as
``(name, parameter)`` pairs, or — with ``include_bias=True`` only, since names are then unknown —
as bare parameters.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable, Iterable
from typing import Any

from .engine import Value, dot, sum_of

__all__ = [
    "L1",
    "L2",
    "decay_groups",
    "is_bias",
    "l1_penalty",
    "l1_update",
    "l2_penalty",
    "l2_update",
    "split_parameters",
]

_INDEX = re.compile(r"(\[\d+\])+$")


def is_bias(name: str) -> bool:
    """True when `name` without its ``[i][j]`` index ends in "bias" (e.g. ``layers.0.bias[3]``).

    Lecture B2: biases are not regularized, so the penalties and update rules skip these.
    """
    if not isinstance(name, str):
        raise TypeError(f"is_bias(name): got {type(name).__name__} {name!r}; expected a str.")
    return _INDEX.sub("", name).endswith("bias")


def _named(params: Any, include_bias: bool, who: str) -> list[tuple[str | None, Any]]:
    """(name or None, parameter) pairs from a Module, named pairs, or bare parameters."""
    if hasattr(params, "named_parameters") and callable(params.named_parameters):
        items = list(params.named_parameters())
    elif isinstance(params, (str, bytes, dict)) or not isinstance(params, Iterable):
        raise TypeError(
            f"{who}(params): got {type(params).__name__}; expected a Module, (name, parameter) pairs, "
            "or parameters."
        )
    else:
        items = list(params)
    out: list[tuple[str | None, Any]] = []
    for item in items:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            out.append(item)
        elif hasattr(item, "data") and hasattr(item, "grad"):
            if not include_bias:
                raise TypeError(
                    f"{who}(params): got bare parameters, so biases cannot be told apart; pass the "
                    "Module or model.named_parameters(), or set include_bias=True."
                )
            out.append((None, item))
        else:
            raise TypeError(
                f"{who}(params): got an item {type(item).__name__} {item!r:.60}; expected a "
                "(name, parameter) pair or a parameter with .data and .grad."
            )
    return out


def split_parameters(params: Any, *, include_bias: bool = False) -> tuple[list[Any], list[Any]]:
    """(regularized, excluded) parameters: biases go to `excluded` unless ``include_bias`` (B2)."""
    _check_flag(include_bias, "include_bias")
    kept: list[Any] = []
    skipped: list[Any] = []
    for name, p in _named(params, include_bias, "split_parameters"):
        (skipped if (name is not None and not include_bias and is_bias(name)) else kept).append(p)
    return kept, skipped


def decay_groups(params: Any, weight_decay: float) -> list[dict[str, Any]]:
    """Parameter groups for a PyTorch-style optimizer that decay weights but not biases (B2).

    ``SGD(decay_groups(model, 1e-4), lr=0.1)``: weights get ``weight_decay``, biases 0 — the
    lecture's L2 update rule with biases excluded. Empty groups are left out.
    """
    _check_lam(weight_decay, "weight_decay")
    weights, biases = split_parameters(params)
    groups = [{"params": weights, "weight_decay": weight_decay}, {"params": biases, "weight_decay": 0.0}]
    return [g for g in groups if g["params"]]


def _check_lam(lam: object, name: str = "lam") -> float:
    if isinstance(lam, bool) or not isinstance(lam, numbers.Real):
        raise TypeError(f"{name}: got {type(lam).__name__} {lam!r}; expected a real number >= 0.")
    value = float(lam)
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{name}: got {lam!r}; expected a finite real number >= 0.")
    return value


def _check_flag(value: object, name: str) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"{name}: got {type(value).__name__} {value!r}; expected True or False.")


# ---------------------------------------------------------------------------------------------
# Penalties: graph nodes added to the loss
# ---------------------------------------------------------------------------------------------


def _sum_nodes(nodes: list[Any]) -> Any:
    total = nodes[0]
    for node in nodes[1:]:
        total = total + node
    return total


def l2_penalty(params: Any, lam: float, *, include_bias: bool = False) -> Any:
    """λ·½‖θ‖² = (λ/2)·Σ θᵢ² as a graph node;  ∂/∂θᵢ = λθᵢ (lecture B2).

    A `Value` for scalar parameters, a 0-d `Tensor` for NumPy-backend ones. No parameter left
    (e.g. only biases) gives a constant 0.
    """
    lam = _check_lam(lam)
    ps, _ = split_parameters(params, include_bias=include_bias)
    if not ps:
        return Value(0.0, _op="const")
    if all(isinstance(p, Value) for p in ps):
        return dot(ps, ps) * (0.5 * lam)  # one node: Σ θᵢ·θᵢ
    return _sum_nodes([(p * p).sum() for p in ps]) * (0.5 * lam)


def l1_penalty(params: Any, lam: float, *, include_bias: bool = False) -> Any:
    """λ‖θ‖₁ = λ·Σ |θᵢ| as a graph node;  ∂/∂θᵢ = λ·sgn(θᵢ), 0 at θᵢ = 0 (lecture B2).

    |θ| is built as relu(θ) + relu(−θ), whose derivative is sgn(θ) with 0 at 0.
    """
    lam = _check_lam(lam)
    ps, _ = split_parameters(params, include_bias=include_bias)
    if not ps:
        return Value(0.0, _op="const")
    if all(isinstance(p, Value) for p in ps):
        return sum_of([p.relu() + (-p).relu() for p in ps]) * lam
    return _sum_nodes([(p.relu() + (-p).relu()).sum() for p in ps]) * lam


# ---------------------------------------------------------------------------------------------
# The slides' update rules (gradient descent on L plus the penalty's gradient)
# ---------------------------------------------------------------------------------------------


def _sign(x: Any) -> Any:
    """sgn(x) ∈ {−1, 0, 1}: a float for a float, a new array of x's dtype for an array."""
    if isinstance(x, float):
        return float((x > 0.0) - (x < 0.0))
    import numpy as np  # only NumPy-backend parameters hold arrays

    return np.sign(x)


def l2_update(params: Any, lr: float, lam: float, *, include_bias: bool = False) -> None:
    """Gradient descent with L2 (lecture B2): w ← (1 − ηλ)·w − η·∂L/∂w.

    Excluded parameters (biases) take the plain step w ← w − η·∂L/∂w; a grad of None is skipped.
    Equals ``torch.optim.SGD(lr=η, weight_decay=λ)`` on the regularized parameters.
    """
    lr = _check_lam(lr, "lr")
    lam = _check_lam(lam)
    kept, skipped = split_parameters(params, include_bias=include_bias)
    for p in kept:
        if p.grad is not None:
            p.data *= 1.0 - lr * lam
            p.data -= p.grad * lr
    _plain_step(skipped, lr)


def l1_update(params: Any, lr: float, lam: float, *, include_bias: bool = False) -> None:
    """Gradient descent with L1 (lecture B2): w ← w − η·∂L/∂w − ηλ·sgn(w).

    Every step moves w toward 0 by the same amount ηλ (sparse weights). Excluded parameters
    (biases) take the plain step; a grad of None is skipped.
    """
    lr = _check_lam(lr, "lr")
    lam = _check_lam(lam)
    kept, skipped = split_parameters(params, include_bias=include_bias)
    for p in kept:
        if p.grad is not None:
            step = _sign(p.data) * (lr * lam)
            step += p.grad * lr
            p.data -= step
    _plain_step(skipped, lr)


def _plain_step(params: list[Any], lr: float) -> None:
    for p in params:
        if p.grad is not None:
            p.data -= p.grad * lr


# ---------------------------------------------------------------------------------------------
# The regularizer objects
# ---------------------------------------------------------------------------------------------


class _Regularizer:
    """λ and include_bias, checked once; subclasses name their penalty and update rule."""

    _penalty: Callable[..., Any]
    _rule: Callable[..., None]

    def __init__(self, lam: float, *, include_bias: bool = False) -> None:
        self.lam = _check_lam(lam)
        _check_flag(include_bias, "include_bias")
        self.include_bias = include_bias

    def __call__(self, model: Any) -> Any:
        """The penalty of the model's regularized parameters, a node to add to the loss."""
        return self._penalty(model, self.lam, include_bias=self.include_bias)

    def update(self, model: Any, lr: float) -> None:
        """One step of the update rule (biases, unless included: w ← w − η∂L/∂w)."""
        self._rule(model, lr, self.lam, include_bias=self.include_bias)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lam={self.lam}, include_bias={self.include_bias})"


class L2(_Regularizer):
    """The L2 regularizer λ·½‖θ‖² (lecture B2): call it on a model for the penalty node
    (∂/∂θ = λθ), or use `update` for the slide's rule w ← (1 − ηλ)w − η∂L/∂w."""

    _penalty = staticmethod(l2_penalty)
    _rule = staticmethod(l2_update)


class L1(_Regularizer):
    """The L1 regularizer λ‖θ‖₁ (lecture B2): call it on a model for the penalty node
    (∂/∂θ = λ·sgn(θ)), or use `update` for the slide's rule w ← w − η∂L/∂w − ηλ·sgn(w)."""

    _penalty = staticmethod(l1_penalty)
    _rule = staticmethod(l1_update)
