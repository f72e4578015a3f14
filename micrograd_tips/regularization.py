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

import re
from collections.abc import Callable, Iterable
from typing import Any

from ._checks import check_bool, check_nonnegative, fail

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
        fail("is_bias(name)", name, "a str")
    return _INDEX.sub("", name).endswith("bias")


def split_parameters(params: Any, *, include_bias: bool = False) -> tuple[list[Any], list[Any]]:
    """(regularized, excluded) parameters: biases go to `excluded` unless ``include_bias`` (B2)."""
    include_bias = check_bool("include_bias", include_bias)
    kept: list[Any] = []
    skipped: list[Any] = []
    for name, p in _named(params, include_bias):
        (skipped if (name is not None and not include_bias and is_bias(name)) else kept).append(p)
    return kept, skipped


def _named(params: Any, include_bias: bool) -> list[tuple[str | None, Any]]:
    """(name or None, parameter) pairs from a Module, named pairs, or bare parameters."""
    expected = "a Module, (name, parameter) pairs, or parameters"
    if callable(getattr(params, "named_parameters", None)):
        items = list(params.named_parameters())
    elif isinstance(params, (str, bytes, dict)) or not isinstance(params, Iterable):
        fail("params", params, expected)
    else:
        items = list(params)
    out: list[tuple[str | None, Any]] = []
    for item in items:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            out.append(item)
        elif not (hasattr(item, "data") and hasattr(item, "grad")):
            fail("params: an item", item, "a (name, parameter) pair or a parameter with .data and .grad")
        elif not include_bias:
            fail(
                "params",
                item,
                "named parameters (the Module or model.named_parameters()), since bare parameters "
                "cannot be told apart from biases; or set include_bias=True",
            )
        else:
            out.append((None, item))
    return out


def decay_groups(params: Any, weight_decay: float) -> list[dict[str, Any]]:
    """Parameter groups for a PyTorch-style optimizer that decay weights but not biases (B2).

    ``SGD(decay_groups(model, 1e-4), lr=0.1)``: weights get ``weight_decay``, biases 0 — the
    lecture's L2 update rule with biases excluded. Empty groups are left out.
    """
    weight_decay = check_nonnegative("weight_decay", weight_decay)
    weights, biases = split_parameters(params)
    groups = [{"params": weights, "weight_decay": weight_decay}, {"params": biases, "weight_decay": 0.0}]
    return [g for g in groups if g["params"]]


# ---------------------------------------------------------------------------------------------
# Penalties: graph nodes added to the loss (one implementation for both backends)
# ---------------------------------------------------------------------------------------------


def l2_penalty(params: Any, lam: float, *, include_bias: bool = False) -> Any:
    """λ·½‖θ‖² = (λ/2)·Σ θᵢ² as a graph node;  ∂/∂θᵢ = λθᵢ (lecture B2).

    A `Value` for scalar parameters, a 0-d `Tensor` for NumPy-backend ones. With no parameter
    left (e.g. only biases) the penalty is the number 0.0, which adds to any loss.
    """
    lam = check_nonnegative("lam", lam)
    kept, _ = split_parameters(params, include_bias=include_bias)
    return _sum([_entries_sum(p * p) for p in kept]) * (0.5 * lam)


def l1_penalty(params: Any, lam: float, *, include_bias: bool = False) -> Any:
    """λ‖θ‖₁ = λ·Σ |θᵢ| as a graph node;  ∂/∂θᵢ = λ·sgn(θᵢ), 0 at θᵢ = 0 (lecture B2).

    |θ| is built as relu(θ) + relu(−θ), whose derivative is sgn(θ) with 0 at 0. With no
    parameter left the penalty is the number 0.0.
    """
    lam = check_nonnegative("lam", lam)
    kept, _ = split_parameters(params, include_bias=include_bias)
    return _sum([_entries_sum(p.relu() + (-p).relu()) for p in kept]) * lam


def _entries_sum(node: Any) -> Any:
    """Σ over a node's entries: ``node.sum()`` for an array-valued node; a scalar is its own sum."""
    total = getattr(node, "sum", None)
    return node if total is None else total()


def _sum(nodes: list[Any]) -> Any:
    """n₁ + n₂ + … (0.0 for no node)."""
    if not nodes:
        return 0.0
    total = nodes[0]
    for node in nodes[1:]:
        total = total + node
    return total


# ---------------------------------------------------------------------------------------------
# The slides' update rules (gradient descent on L plus the penalty's gradient)
# ---------------------------------------------------------------------------------------------


def l2_update(params: Any, lr: float, lam: float, *, include_bias: bool = False) -> None:
    """Gradient descent with L2 (lecture B2): w ← (1 − ηλ)·w − η·∂L/∂w.

    Excluded parameters (biases) take the plain step w ← w − η·∂L/∂w; a grad of None is skipped.
    Equals ``torch.optim.SGD(lr=η, weight_decay=λ)`` on the regularized parameters.
    """
    lr, lam = check_nonnegative("lr", lr), check_nonnegative("lam", lam)
    kept, skipped = split_parameters(params, include_bias=include_bias)
    for p in _with_grad(kept):
        p.data *= 1.0 - lr * lam  # in place: a float is rebound, an array updated
        p.data -= lr * p.grad
    _plain_step(skipped, lr)


def l1_update(params: Any, lr: float, lam: float, *, include_bias: bool = False) -> None:
    """Gradient descent with L1 (lecture B2): w ← w − η·∂L/∂w − ηλ·sgn(w).

    Every step moves w toward 0 by the same amount ηλ (sparse weights). Excluded parameters
    (biases) take the plain step; a grad of None is skipped.
    """
    lr, lam = check_nonnegative("lr", lr), check_nonnegative("lam", lam)
    kept, skipped = split_parameters(params, include_bias=include_bias)
    for p in _with_grad(kept):
        p.data -= lr * p.grad + lr * lam * _sign(p.data)
    _plain_step(skipped, lr)


def _sign(x: Any) -> Any:
    """sgn(x) = [x > 0] − [x < 0] ∈ {−1, 0, 1}, for a float or elementwise for an array."""
    return 1.0 * (x > 0) - 1.0 * (x < 0)


def _plain_step(params: list[Any], lr: float) -> None:
    """w ← w − η·∂L/∂w."""
    for p in _with_grad(params):
        p.data -= lr * p.grad


def _with_grad(params: list[Any]) -> list[Any]:
    return [p for p in params if p.grad is not None]


# ---------------------------------------------------------------------------------------------
# The regularizer objects
# ---------------------------------------------------------------------------------------------


class _Regularizer:
    """λ and include_bias, checked once; subclasses name their penalty and update rule."""

    _penalty: Callable[..., Any]
    _rule: Callable[..., None]

    def __init__(self, lam: float, *, include_bias: bool = False) -> None:
        self.lam = check_nonnegative("lam", lam)
        self.include_bias = check_bool("include_bias", include_bias)

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
